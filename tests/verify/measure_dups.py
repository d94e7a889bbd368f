#!/usr/bin/env python3
"""measure_dups.py - postings against the generator's truth: true events posted
more than once, and real doses merged away.

    measure_dups.py DATA_DIR DB [--show N]

--show N prints, for the first N true events posted twice and doses lost, the citizen's whole
history (every record: facility, raw and standardized date, dose, lot, product, event, check
status and reasons).

DATA_DIR holds truth.csv (and shots.csv, for the raw dates shown with --show);
DB is the store `vaxsync run --db` wrote. A record reaches an event by records
(current version) -> checks (rid -> event_key); the event is posted when its
key is in postings.

Each posted event has an owner: the true event of the record whose
standardized shot date is the posted date (the report that won; among several,
one whose date carries no date error of its own (not a shifted copy, no
day/month swap: a copy of another shot may fall on the day exactly), then the
lowest facility/record id). Figures:

- posted twice (owner): true events owning two or more posted events - the
  registry shows the shot twice. The headline figure.
- posted twice (records): true events whose records reach two or more posted
  events (stricter: also counts a duplicate report merged into a neighbouring
  real dose while its own shot is posted by itself, which posts nothing twice).
- doses lost to a merge: true events of registry citizens owning no posted
  event while one of their records is in a posted event owned by another true
  event of the same citizen - a real dose merged away.
- merged events: events (posted or not) holding records of two true events of
  one citizen (the same across citizens is a linking error, shown apart).
- posted merged: posted events holding records of two true events (what
  bench/accuracy_grid.py counts as "doses merged"), by cause: lost (two of its
  true events are posted nowhere else: a real dose merged away), attached (all
  but one are also posted by another event: a duplicate report attached to a
  neighbouring dose, the doses posted are right), linking (records of
  another citizen).
- registry events not posted: for context (review, rejected, unlinked).
- posted on another day: posted events whose date is not their owner's shot day, where that day
  is known (the one date of the owner's reports that carry no date error of their own: not a
  shifted copy, no day/month swap, a date given). A merge of a shot's two reports that keeps the
  copy's date counts here, as does a copy posted alone.
- held as possible copies: true events with a record held for review as a possible copy
  (HIST_POSSIBLE_DUPLICATE), and those of them posted nowhere (a real dose held; the copies
  held are posted through another report).

Records injected by inject_date_dups.py (tag DUP_INJECTED_<CLASS>) are counted
per class. Not a test (it needs generated data); docs/verify.md has figures.
"""
import collections
import csv
import sqlite3
import sys


DATE_ERRORS = {"DUP_DATE_SHIFTED", "SHOT_DATE_DAY_MONTH_SWAP", "SHOT_DATE_MISSING"}


def measure(data, db, show=0, quiet=False):
    """The figures above as a dict (also used by bench/accuracy_grid.py); printed unless quiet."""
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
    checked, std, check = {}, {}, {}
    q = (
        "SELECT r.facility_code, r.record_id, c.event_key, r.shot_date, r.dose, r.lot, r.vaccine_code,"
        " c.status, c.reasons FROM records r"
        " JOIN checks c ON c.rid = r.rid WHERE r.current = 1"
    )
    for fac, rid, key, sd, dose, lot, vc, st, why in con.execute(q):
        check[(fac, str(rid))] = (vc, st, why or "")
        if not key:
            continue
        checked[(fac, str(rid))] = key
        std[(fac, str(rid))] = (sd, dose, lot)
    post_date = dict(con.execute("SELECT event_key, shot_date FROM postings"))
    # reports whose date carries no date error of their own (not a shifted copy, no day/month swap)
    own_day = {k for k, (_, _, tags) in truth.items() if not set(tags.split("|")) & DATE_ERRORS}
    members = collections.defaultdict(list)
    for k, key in checked.items():
        if k in truth:
            members[key].append(k)
    owner = {}
    for key, recs in members.items():
        if key not in post_date:
            continue
        # the report that won: one dated the posted day, preferring one whose date is its shot's
        # (a shifted or swapped copy of another shot may fall on that day exactly)
        on_day = sorted(k for k in recs if std[k][0] == post_date[key])
        won = [k for k in on_day if k in own_day] or on_day or sorted(recs)
        owner[key] = truth[won[0]][0]
    owned = collections.Counter(owner.values())
    n_events = len(events)
    twice_owner = {ev for ev, c in owned.items() if c > 1}
    twice_rec = set()
    for ev, recs in events.items():
        if len({checked[k] for k in recs if k in checked and checked[k] in post_date}) > 1:
            twice_rec.add(ev)
    lost = set()
    for ev, recs in events.items():
        if not truth[recs[0]][1] or owned[ev]:
            continue
        for k in recs:
            key = checked.get(k)
            if key in owner and owner[key] != ev and truth[k][1] == truth[events[owner[key]][0]][1]:
                lost.add(ev)
    merged_same, merged_other = [], []
    for key, recs in members.items():
        if len({truth[k][0] for k in recs}) > 1:
            same = len({truth[k][1] for k in recs}) == 1
            (merged_same if same else merged_other).append(key)
    posts_of = collections.defaultdict(set)
    for key, recs in members.items():
        if key in post_date:
            for k in recs:
                posts_of[truth[k][0]].add(key)
    posted_merged = collections.Counter()
    for key, recs in members.items():
        evs = {truth[k][0] for k in recs}
        if key not in post_date or len(evs) < 2:
            continue
        if len({truth[k][1] for k in recs}) > 1:
            posted_merged["linking"] += 1
        elif sum(1 for ev in evs if posts_of[ev] == {key}) >= 2:
            posted_merged["lost"] += 1
        else:
            posted_merged["attached"] += 1
    # the day of the shot: the date of an event's own-day reports; posted events of the one true
    # event are posted on another day when the report that won was a copy's (typed late, or
    # another event's)
    clean = collections.defaultdict(set)
    for ev, recs in events.items():
        for k in recs:
            if k in own_day and k in std and std[k][0]:
                clean[ev].add(std[k][0])
    off_date = sum(1 for key, ev in owner.items() if len(clean[ev]) == 1 and post_date[key] not in clean[ev])
    dated = sum(1 for ev in owner.values() if len(clean[ev]) == 1)
    unposted = sum(1 for ev, recs in events.items()
                   if truth[recs[0]][1] and not any(checked.get(k) in post_date for k in recs))
    # held for review as a possible copy (HIST_POSSIBLE_DUPLICATE): true events with a held
    # record, and those of them posted nowhere (a real dose held: the cost of the hold)
    held = {truth[k][0] for k, (_, _, why) in check.items() if k in truth and "HIST_POSSIBLE_DUPLICATE" in why}
    held_unposted = sum(1 for ev in held if not owned[ev])
    per = 100000.0 / n_events if n_events else 0
    registry_events = sum(1 for recs in events.values() if truth[recs[0]][1])
    figures = {"events": n_events, "registry_events": registry_events, "twice_owner": len(twice_owner),
               "twice_records": len(twice_rec), "lost": len(lost), "attached": posted_merged["attached"],
               "posted_merged": sum(posted_merged.values()), "off_date": off_date, "dated": dated}
    if quiet:
        con.close()
        return figures
    print(f"true events                     {n_events}")
    print(f"posted twice (owner)            {len(twice_owner)}  ({len(twice_owner) * per:.2f} per 100,000)")
    print(f"posted twice (records)          {len(twice_rec)}  ({len(twice_rec) * per:.2f} per 100,000)")
    print(f"doses lost to a merge           {len(lost)}")
    print(f"merged events, same citizen     {len(merged_same)}  (other citizen, linking: {len(merged_other)})")
    print(f"posted merged: lost {posted_merged['lost']}, attached {posted_merged['attached']}, "
          f"linking {posted_merged['linking']}")
    print(f"registry events not posted      {unposted}")
    print(f"posted on another day           {off_date} of {dated} posted events whose day is known")
    print(f"held as possible copies         {len(held)} true events, {held_unposted} of them posted nowhere")
    injected = collections.defaultdict(set)
    for ev, recs in events.items():
        for k in recs:
            for t in truth[k][2].split("|"):
                if t.startswith("DUP_INJECTED_"):
                    injected[t[len("DUP_INJECTED_"):]].add(ev)
    for cls in sorted(injected):
        evs = injected[cls]
        n2, n2r = len(evs & twice_owner), len(evs & twice_rec)
        n0 = sum(1 for ev in evs if not owned[ev])
        print(f"  injected {cls:<6} {len(evs):5d} events: posted twice {n2:4d} ({100.0 * n2 / len(evs):5.2f} %)"
              f", by records {n2r:4d}, not posted {n0}")

    by_citizen = collections.defaultdict(list)
    for k, (ev, cit, _) in truth.items():
        if cit:
            by_citizen[cit].append(k)

    def dump(title, ev_or_key, recs):
        print(f"  {title} {ev_or_key}:")
        for k in sorted(recs):
            s = shots.get(k, {})
            key = checked.get(k, "-")
            print(f"    {k} ev={truth[k][0]} key={key[-6:]}{'*' if key in post_date else ' '}"
                  f" raw={s.get('shot_date')} std={std.get(k)} tags={truth[k][2][-60:]}")

    def history(title, ev):
        """The whole history of the true event's citizen: each record with its true event ('>'
        marks ev's), facility, raw and standardized date, dose, lot, product, event key ('*'
        posted), check status and reasons."""
        print(f"  {title} {ev}:")
        recs = by_citizen[truth[events[ev][0]][1]]
        for k in sorted(recs, key=lambda k: (std.get(k, ("",))[0] or "", k)):
            s = shots.get(k, {})
            key = checked.get(k, "-")
            sd, dose, lot = std.get(k, (None, None, None))
            vc, st, why = check.get(k, ("-", "-", ""))
            print(f"    {'>' if truth[k][0] == ev else ' '} {truth[k][0]} {k[0]}/{k[1]} raw={s.get('shot_date')}"
                  f" std={sd} dose={dose} lot={lot or '-'} {vc} key={key[-6:]}{'*' if key in post_date else ' '}"
                  f" status={st} {why} tags={truth[k][2][-50:]}")

    for ev in sorted(twice_owner)[:show]:
        history("twice", ev)
    for ev in sorted(lost)[:show]:
        history("lost", ev)
    for key in sorted(merged_same)[:show]:
        dump("merged", key, members[key])
    con.close()
    return figures


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    show = int(sys.argv[4]) if len(sys.argv) > 4 and sys.argv[3] == "--show" else 0
    measure(sys.argv[1], sys.argv[2], show)


if __name__ == "__main__":
    main()
