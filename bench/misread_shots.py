#!/usr/bin/env python3
"""misread_shots.py - a generated data set in which some facilities' files went through a program
that read their UTF-8 as a Western code page and saved the text again as UTF-8 ("Nguyá»…n VÄƒn" for
"Nguyễn Văn"): what Excel shows when a CSV UTF-8 file is opened in a Western locale and saved.

    bench/misread_shots.py IN_DIR OUT_DIR [--share 0.05] [--seed 1]

IN_DIR holds registry.csv, shots.csv and truth.csv (vaxsync generate); OUT_DIR gets the same files
with the shots of a share of the facilities (all their rows) rewritten in name, sex, address,
vaccine and dose, and misread.csv listing the rewritten rows (facility_code, record_id, how). The
facilities are split between three ways a program does it: Windows-1252 as Windows reads it (the
five bytes it has no character for become U+0081 ...), a strict decoder (those bytes become U+FFFD),
and Windows-1252 with the no-break spaces then made plain spaces. Files holding personal data are
written 0600 in a directory made 0700.
"""
import argparse
import csv
import os
import random
import shutil

FIELDS = ["full_name", "sex", "address", "vaccine", "dose"]
HOW = ["cp1252", "strict", "nbsp_space"]


def misread(text, how):
    out = []
    for b in text.encode("utf-8"):
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append("\ufffd" if how == "strict" else chr(b))
    s = "".join(out)
    if how == "nbsp_space":
        s = s.replace("\u00a0", " ")
    return s


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("in_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--share", type=float, default=0.05)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    os.makedirs(a.out_dir, mode=0o700, exist_ok=True)
    os.umask(0o077)
    for f in ("registry.csv", "truth.csv"):
        shutil.copyfile(os.path.join(a.in_dir, f), os.path.join(a.out_dir, f))
    with open(os.path.join(a.in_dir, "shots.csv"), newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
        header = list(rows[0].keys()) if rows else []
    facilities = sorted({r["facility_code"] for r in rows})
    rng = random.Random(a.seed)
    chosen = rng.sample(facilities, max(1, round(len(facilities) * a.share)))
    how_of = {f: HOW[i % len(HOW)] for i, f in enumerate(chosen)}
    changed = []
    for r in rows:
        how = how_of.get(r["facility_code"])
        if not how:
            continue
        for f in FIELDS:
            r[f] = misread(r[f], how)
        changed.append((r["facility_code"], r["record_id"], how))
    with open(os.path.join(a.out_dir, "shots.csv"), "w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=header)
        w.writeheader()
        w.writerows(rows)
    with open(os.path.join(a.out_dir, "misread.csv"), "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["facility_code", "record_id", "how"])
        w.writerows(changed)
    print("%d of %d facilities, %d of %d rows rewritten" % (len(chosen), len(facilities), len(changed),
                                                           len(rows)))


if __name__ == "__main__":
    main()
