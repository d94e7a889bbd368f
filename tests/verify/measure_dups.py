#!/usr/bin/env python3
"""measure_dups.py - postings against the generator's truth: how many true
events were posted more than once, and how many posted events hold records of
two different true events (real doses merged).

    measure_dups.py DATA_DIR DB [--show N]

DATA_DIR holds truth.csv (and shots.csv, for the dates shown with --show);
DB is the store `vaxsync run --db` wrote. A record reaches a posted event by
records (current version) -> checks (rid -> event_key) -> postings
(event_key). A true event is "posted twice" when its records reach two or more
distinct posted events; a posted event is "merged" when its records come from
two or more true events (split by whether the true citizens are the same: a
different citizen is a linking error, not a verification one); events not
posted (review, rejected) are counted as merged too when they hold two true
events. Records injected by inject_date_dups.py (tag DUP_INJECTED_<CLASS>)
are counted per class.

Not a test (it needs generated data); see docs/verify.md for the figures.
"""
import collections
import csv
import sqlite3
import sys


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    data, db = sys.argv[1], sys.argv[2]
    show = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--show" else 0
    truth = {}
    events = collections.defaultdict(list)
    with open(f"{data}/truth.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            k = (r["facility_code"], r["record_id"])
            truth[k] = (r["event_id"], r["citizen_id"], r["error_tags"])
            events[r["event_id"]].append(k)
    shots = {}
    if show:
        with open(f"{data}/shots.csv", newline="", encoding="utf-8") as f:
            for r in csv.DictReader(f):
                shots[(r["facility_code"], r["record_id"])] = r
    con = sqlite3.connect(db)
    checked = {}
    for fac, rid, key in con.execute(
        "SELECT r.facility_code, r.record_id, c.event_key FROM records r"
        " JOIN checks c ON c.rid = r.rid WHERE r.current = 1 AND c.event_key <> ''"
    ):
        checked[(fac, str(rid))] = key
    posted = {}
    q = (
        "SELECT r.facility_code, r.record_id, c.event_key, r.shot_date, r.dose, r.lot"
        " FROM records r JOIN checks c ON c.rid = r.rid"
        " JOIN postings p ON p.event_key = c.event_key WHERE r.current = 1"
    )
    std = {}
    for fac, rid, key, sd, dose, lot in con.execute(q):
        posted[(fac, str(rid))] = key
        std[(fac, str(rid))] = (sd, dose, lot)
    n_events = len(events)
    twice = []
    for ev, recs in events.items():
        keys = {posted[k] for k in recs if k in posted}
        if len(keys) > 1:
            twice.append((ev, recs))
    by_key = collections.defaultdict(set)
    for k, key in checked.items():
        if k in truth:
            by_key[key].add(k)
    merged_same, merged_other = [], []
    for key, recs in by_key.items():
        evs = {truth[k][0] for k in recs}
        if len(evs) > 1:
            cits = {truth[k][1] for k in recs}
            (merged_same if len(cits) == 1 else merged_other).append((key, recs))
    per = 100000.0 / n_events if n_events else 0
    unposted = sum(1 for ev, recs in events.items()
                   if truth[recs[0]][1] and not any(k in posted for k in recs))
    print(f"true events                 {n_events}")
    print(f"posted twice or more        {len(twice)}  ({len(twice) * per:.2f} per 100,000)")
    print(f"merged, same true citizen   {len(merged_same)}  (any event, posted or not)")
    print(f"merged, other true citizen  {len(merged_other)}  (linking)")
    print(f"registry events not posted  {unposted}")
    injected = collections.defaultdict(set)
    for ev, recs in events.items():
        for k in recs:
            for t in truth[k][2].split("|"):
                if t.startswith("DUP_INJECTED_"):
                    injected[t[len("DUP_INJECTED_"):]].add(ev)
    twice_ev = {ev for ev, _ in twice}
    for cls in sorted(injected):
        evs = injected[cls]
        n2 = len(evs & twice_ev)
        n0 = sum(1 for ev in evs if not any(k in posted for k in events[ev]))
        print(f"  injected {cls:<10} {len(evs):6d} events: posted twice {n2:5d}"
              f" ({100.0 * n2 / len(evs):.2f} %), not posted {n0}")
    for ev, recs in twice[:show]:
        print(f"  twice {ev}:")
        for k in recs:
            s = shots.get(k, {})
            print(f"    {k} key={posted.get(k, '-')} raw={s.get('shot_date')} std={std.get(k)}"
                  f" dose={s.get('dose')} lot={s.get('lot')} tags={truth[k][2]}")
    for key, recs in merged_same[:show]:
        print(f"  merged {key}:")
        for k in sorted(recs):
            s = shots.get(k, {})
            print(f"    {k} ev={truth[k][0]} raw={s.get('shot_date')} std={std.get(k)}"
                  f" dose={s.get('dose')} lot={s.get('lot')}")


if __name__ == "__main__":
    main()
