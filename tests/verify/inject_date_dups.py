#!/usr/bin/env python3
"""inject_date_dups.py - adds duplicate reports with mistyped dates to a
generated data set, so that every date-error class of docs/verify.md is
measured (the generator's duplicates only carry its own date errors).

    inject_date_dups.py SRC_DIR OUT_DIR [--per-class N] [--seed S]

Copies SRC_DIR/{registry,shots,truth}.csv to OUT_DIR and, for N events per
class (default 2000), adds one more report of the same shot: a copy of the
event's first report under a new record id, at the same facility (half) or at
another facility of the same province, with the dose left out (20 %) or the lot
left out (10 %), and the shot date mistyped:

  SWAP   day and month swapped (day <= 12, day != month), written ISO
  EXCEL  the first report's date becomes an Excel serial; the copy carries the
         date as Excel's US locale shows it (m/d/yyyy), which is read day/month
  YEAR   one digit of the year (2021 <-> 2022 mostly, some 2020 / 2023) or the
         last two digits transposed (2021 -> 2012)
  MONTH  one digit of the two-digit month (08 -> 06, 10 -> 11, 02 -> 12 ...)
  DELAY  the day the report was typed in: 4 to 28 days after the shot (some
         beyond the entry-delay tolerance on purpose)

The copy's truth row carries the event id and the tag DUP_INJECTED_<CLASS>,
which measure_dups.py counts per class. Only events of registry citizens whose
first report has a clean date are used. Deterministic for a seed.
"""
import collections
import csv
import datetime
import random
import shutil
import sys

CLASSES = ["SWAP", "EXCEL", "YEAR", "MONTH", "DELAY"]
EXCEL_EPOCH = datetime.date(1899, 12, 30)


def parse(text):
    """The generator's date styles (docs/generator.md), clean dates only."""
    t = text.strip()
    if len(t) == 8 and t.isdigit():
        return datetime.date(int(t[4:]), int(t[2:4]), int(t[:2]))
    parts = t.replace("-", "/").replace(".", "/").split("/")
    if len(parts) != 3:
        return None
    a, b, c = (int(p) for p in parts)
    if len(parts[0]) == 4:
        return datetime.date(a, b, c)
    return datetime.date(c + 2000 if c < 100 else c, b, a)


def mistype(cls, d, rng):
    """(date of the copy, text of the copy) or None when the class cannot apply."""
    try:
        if cls in ("SWAP", "EXCEL"):
            if d.day > 12 or d.day == d.month:
                return None
            if cls == "EXCEL":
                return None, f"{d.month}/{d.day}/{d.year}"
            x = datetime.date(d.year, d.day, d.month)
        elif cls == "YEAR":
            r = rng.random()
            if r < 0.6:
                y = 2022 if d.year == 2021 else 2021
            elif r < 0.8:
                y = int(str(d.year)[:2] + str(d.year)[3] + str(d.year)[2])
            else:
                y = d.year - 1 if d.year == 2021 else d.year + 1
            if y == d.year:
                return None
            x = d.replace(year=y)
        elif cls == "MONTH":
            mm = f"{d.month:02d}"
            alts = [int(mm[0] + c) for c in "0123456789" if c != mm[1]]
            alts += [int(c + mm[1]) for c in "01" if c != mm[0]]
            alts = [m for m in alts if 1 <= m <= 12]
            x = d.replace(month=rng.choice(alts))
        else:
            x = d + datetime.timedelta(days=rng.randint(4, 28))
    except ValueError:
        return None
    return x, x.isoformat()


def main():
    args = sys.argv[1:]
    if len(args) < 2:
        sys.exit(__doc__)
    src, out = args[0], args[1]
    per = int(args[args.index("--per-class") + 1]) if "--per-class" in args else 2000
    seed = int(args[args.index("--seed") + 1]) if "--seed" in args else 1
    rng = random.Random(seed)
    shutil.copy(f"{src}/registry.csv", f"{out}/registry.csv")
    with open(f"{src}/shots.csv", newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        header = next(rd)
        shots = list(rd)
    with open(f"{src}/truth.csv", newline="", encoding="utf-8") as f:
        rd = csv.reader(f)
        theader = next(rd)
        truth = list(rd)
    col = {n: i for i, n in enumerate(header)}
    first = {}
    facilities = collections.defaultdict(set)
    for i, (row, t) in enumerate(zip(shots, truth)):
        facilities[row[col["facility_code"]][:2]].add(row[col["facility_code"]])
        tags = t[4].split("|")
        if t[2] and t[3] not in first and "DUP_SAME_FACILITY" not in tags and "DUP_OTHER_FACILITY" not in tags:
            if not any(x in tags for x in ("SHOT_DATE_EXCEL_SERIAL", "SHOT_DATE_DAY_MONTH_SWAP",
                                           "SHOT_DATE_MISSING")):
                first[t[3]] = i
    facilities = {p: sorted(v) for p, v in facilities.items()}
    events = sorted(first)
    rng.shuffle(events)
    used, serial, extra_shots, extra_truth = set(), 9000000, [], []
    for cls in CLASSES:
        done = 0
        for ev in events:
            if done == per:
                break
            if ev in used:
                continue
            i = first[ev]
            try:
                d = parse(shots[i][col["shot_date"]])
            except ValueError:
                d = None
            m = mistype(cls, d, rng) if d else None
            if not m:
                continue
            used.add(ev)
            done += 1
            row = list(shots[i])
            fac = row[col["facility_code"]]
            if rng.random() < 0.5:
                fac = rng.choice(facilities[fac[:2]])
            serial += 1
            row[col["facility_code"]], row[col["record_id"]] = fac, str(serial)
            row[col["shot_date"]] = m[1]
            if rng.random() < 0.2:
                row[col["dose"]] = ""
            if rng.random() < 0.1:
                row[col["lot"]] = ""
            if cls == "EXCEL":
                shots[i][col["shot_date"]] = str((d - EXCEL_EPOCH).days)
            extra_shots.append(row)
            extra_truth.append([fac, str(serial), truth[i][2], ev, f"DUP_INJECTED_{cls}"])
        print(f"{cls}: {done} duplicates injected")
    with open(f"{out}/shots.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(header)
        w.writerows(shots + extra_shots)
    with open(f"{out}/truth.csv", "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(theader)
        w.writerows(truth + extra_truth)


if __name__ == "__main__":
    main()
