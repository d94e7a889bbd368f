#!/usr/bin/env python3
"""units2025_shots.py - a generated data set with part of its shot addresses typed in the units of
1 July 2025 (34 provinces, no districts), as a clerk writes them today: "Xóm 3, Xã Tân Hải, Tỉnh
Lâm Đồng" for the 2022 "Xóm 3, Xã Tân Hải, Thị xã La Gi, Tỉnh Bình Thuận".

    python3 bench/units2025_shots.py IN_DIR OUT_DIR --refdata DIR [--share 0.3] [--seed 1]

IN_DIR holds registry.csv, shots.csv and truth.csv of `vaxsync generate`; OUT_DIR gets the same
files with shots.csv rewritten (registry.csv and truth.csv copied) and units2025.csv, the keys of
the rewritten records (facility_code, record_id). A record is rewritten when it has an address of
the citizen's home (not missing, not a lodging: truth's ADDR_MISSING, ADDR_TEMPORARY) and a draw
falls under --share: the words before its first commune word (house, hamlet) are kept, then the
2025 commune its 2022 commune went into (the first in admin_mapping_2022_2025.csv when split) and
the 2025 province, with their type words. The registry keeps its 2022 codes."""
import argparse
import csv
import os
import random
import re
import shutil


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("in_dir")
    ap.add_argument("out_dir")
    ap.add_argument("--refdata", required=True)
    ap.add_argument("--share", type=float, default=0.3)
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    new_of = {}
    for r in csv.DictReader(open(os.path.join(a.refdata, "admin_mapping_2022_2025.csv"), encoding="utf-8")):
        new_of.setdefault(r["old_commune_code"], (r["new_commune_name"], r["new_province_name"]))
    reg = {r["citizen_id"]: r["commune_code"]
           for r in csv.DictReader(open(os.path.join(a.in_dir, "registry.csv"), encoding="utf-8"))}
    truth = {(r["facility_code"], r["record_id"]): r
             for r in csv.DictReader(open(os.path.join(a.in_dir, "truth.csv"), encoding="utf-8"))}
    os.makedirs(a.out_dir, exist_ok=True)
    os.chmod(a.out_dir, 0o700)
    for f in ("registry.csv", "truth.csv"):
        shutil.copyfile(os.path.join(a.in_dir, f), os.path.join(a.out_dir, f))
    rng = random.Random(a.seed)
    # the first comma-separated part that names a commune, district or province
    unit = re.compile(r"^\s*(phường|xã|thị trấn|p\.|x\.|tt\.?|phuong|xa|thi tran|quận|huyện|q\.|h\.|"
                      r"tỉnh|thành phố|tp\.?|t\.)(\s|\d|$)", re.I)
    n = done = 0
    src = open(os.path.join(a.in_dir, "shots.csv"), encoding="utf-8", newline="")
    rd = csv.DictReader(src)
    with open(os.path.join(a.out_dir, "shots.csv"), "w", encoding="utf-8", newline="") as out, \
            open(os.path.join(a.out_dir, "units2025.csv"), "w", encoding="utf-8", newline="") as keys:
        w = csv.DictWriter(out, fieldnames=rd.fieldnames)
        w.writeheader()
        kw = csv.writer(keys)
        kw.writerow(["facility_code", "record_id"])
        for r in rd:
            n += 1
            t = truth.get((r["facility_code"], r["record_id"]))
            tags = set(t["error_tags"].split("|")) if t and t["error_tags"] else set()
            home = reg.get(t["citizen_id"]) if t and t["citizen_id"] else None
            draw = rng.random()
            if (home in new_of and r["address"].strip() and not tags & {"ADDR_MISSING", "ADDR_TEMPORARY"}
                    and draw < a.share):
                house = []
                for part in r["address"].split(","):
                    if unit.match(part):
                        break
                    house.append(part.strip())
                commune, province = new_of[home]
                r["address"] = ", ".join([p for p in house if p] + [commune, province])
                kw.writerow([r["facility_code"], r["record_id"]])
                done += 1
            w.writerow(r)
    print(f"{done} of {n} shot addresses written in the 2025 units")


if __name__ == "__main__":
    main()
