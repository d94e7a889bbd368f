#!/usr/bin/env python3
"""date_check.py - are posted events dated right? Against the generator's truth.

    date_check.py DATA_DIR DB

Over the posted events whose reports carry two or more shot dates, the posted date is right when
it is the standardized date of a record of the owning true event (the event of the report whose
date was posted) that carries no date-error tag (SHOT_DATE_DAY_MONTH_SWAP, DUP_DATE_SHIFTED,
SHOT_DATE_MISSING); unknown when the owning event has no such record. Not a test (it needs
generated data and a store `vaxsync run --db` wrote); docs/verify.md has figures.
"""
import collections
import csv
import sqlite3
import sys

BAD = ("SHOT_DATE_DAY_MONTH_SWAP", "DUP_DATE_SHIFTED", "SHOT_DATE_MISSING")


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    data, db = sys.argv[1:3]
    truth = {}
    with open(f"{data}/truth.csv", newline="", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            truth[(r["facility_code"], r["record_id"])] = (r["event_id"], r["error_tags"])
    con = sqlite3.connect(db)
    q = ("SELECT r.facility_code, r.record_id, c.event_key, r.shot_date FROM records r"
         " JOIN checks c ON c.rid = r.rid WHERE r.current = 1")
    members, date = collections.defaultdict(list), {}
    for fac, rid, key, d in con.execute(q):
        k = (fac, str(rid))
        if key and k in truth:
            members[key].append(k)
            date[k] = d
    posted = dict(con.execute("SELECT event_key, shot_date FROM postings"))
    con.close()
    right = wrong = unknown = multi = 0
    for key, recs in members.items():
        if key not in posted or len({date[k] for k in recs}) < 2:
            continue
        multi += 1
        won = sorted(k for k in recs if date[k] == posted[key]) or sorted(recs)
        ev = truth[won[0]][0]
        good = {date[k] for k in recs if truth[k][0] == ev and not any(b in truth[k][1] for b in BAD)}
        if not good:
            unknown += 1
        elif posted[key] in good:
            right += 1
        else:
            wrong += 1
    print(f"posted events with two or more dates {multi}: date right {right}, wrong {wrong}, "
          f"unknown {unknown}")


if __name__ == "__main__":
    main()
