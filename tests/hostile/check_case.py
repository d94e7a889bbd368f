#!/usr/bin/env python3
"""check_case.py SIDECAR FILE CHECK_RC CHECK_ERR RUN_RC RUN_ERR DB [LINK_RC LINK_ERR LINKS_CSV]
- judges one hostile case.

Compares what `vaxsync check` and `vaxsync run` did with the sidecar written by
make_corpus.py: exit codes; the rejected (line, reason) pairs on check's stderr, on
run's stderr ("rejected row:" warnings) and in the store's worklist (category
'rejected') must be the same set and equal the expected one; a refused file names
its reason; every message with a reason code names the file (and a line for a row);
the current records are exactly the expected good keys; no sanitizer report.
With the link arguments, `vaxsync link` (the file as the shots, the right side) is
judged the same way: check's exit code, the same rejections, and links.csv holding
one row for each good key and no other (none at all for a refused file).
Prints nothing and exits 0 when the case passes; else one line per problem, exit 1.
"""
import csv
import json
import re
import sqlite3
import sys

SAN = re.compile(r"ERROR: AddressSanitizer|ERROR: LeakSanitizer|runtime error:|SUMMARY: \w+Sanitizer")
REASON = re.compile(r"\[([A-Z][A-Z0-9_]+)\]\s*$")
# file:line[:col][:] message [REASON], after "vaxsync: " and "warning: rejected row: "
LOC = re.compile(r"^(?:vaxsync: )?(?:warning: )?(?:rejected row: )?(?P<file>[^:\s]+)(?::(?P<line>\d+))?"
                 r"(?::(?P<col>\d+))?:")
# told about a row that was read and kept: not a rejection
NOTES = {"CSV_RAGGED_ROW", "CSV_CP1258_DECODED", "CSV_NUL_REMOVED", "CSV_BOM_IN_ROW", "CSV_UTF16_DECODED",
         "CSV_BLANK_ROW"}
CAPS = {"CSV_TOO_MANY_FIELDS", "CSV_ROW_TOO_LONG", "CSV_FIELD_TOO_LONG"}
FILE_LEVEL = {"CSV_EMPTY_FILE", "CSV_NO_RECORDS", "CSV_MISSING_COLUMN", "CSV_DUPLICATE_COLUMN",
              "CSV_NOT_TEXT", "CSV_LEGACY_FILE_ENCODING", "CSV_FILE_CHANGED"}


def messages(text, path, problems, who):
    """(line, reason) of row messages and the reasons of file messages."""
    rows, files = set(), set()
    base = path.rsplit("/", 1)[-1]
    for ln in text.splitlines():
        m = REASON.search(ln)
        if not m:
            continue
        reason = m.group(1)
        loc = LOC.match(ln)
        if not loc or not loc.group("file").endswith(base):
            problems.append("%s: message without a location: %s" % (who, ln[:200]))
            continue
        line = int(loc.group("line")) if loc.group("line") else 0
        if reason in NOTES:
            continue
        if reason in FILE_LEVEL and (line <= 1 or reason == "CSV_NO_RECORDS"):
            files.add(reason)
        elif reason in CAPS and line == 1:
            files.add(reason)  # the header itself over a cap: the file is refused
        elif line < 1:
            problems.append("%s: row message without a line: %s" % (who, ln[:200]))
        else:
            rows.add((line, reason))
    return rows, files


def judge_link(exp, path, c_rows, args, problems):
    link_rc, link_err, links = args
    text = open(link_err, encoding="utf-8", errors="replace").read()
    m = SAN.search(text)
    if m:
        problems.append("link: sanitizer report: %s" % text[m.start():m.start() + 300].replace("\n", " | "))
    if int(link_rc) != exp["check_rc"]:
        problems.append("link exit %s, expected %d (as check)" % (link_rc, exp["check_rc"]))
    l_rows, l_files = messages(text, path, problems, "link")
    if l_rows != c_rows:
        problems.append("link rejected %s, check rejected %s" % (sorted(l_rows), sorted(c_rows)))
    fr = exp["file_reason"]
    if fr and fr not in l_files:
        problems.append("link did not report %s (file messages: %s)" % (fr, sorted(l_files)))
    try:
        with open(links, encoding="utf-8", newline="") as f:
            got = [(r[0].strip(" \t"), r[1].strip(" \t")) for r in list(csv.reader(f))[1:]]
    except FileNotFoundError:
        got = None
    good = sorted(tuple(k) for k in exp["good"])
    if fr:
        if got is not None:
            problems.append("link wrote %s for a refused file" % links)
    elif got is None or sorted(got) != good:
        problems.append("links.csv rows %s, expected the good keys %s" % (None if got is None else sorted(got)[:10], good[:10]))


def main():
    side, path, check_rc, check_err, run_rc, run_err, db = sys.argv[1:8]
    exp = json.load(open(side, encoding="utf-8"))
    cerr = open(check_err, encoding="utf-8", errors="replace").read()
    rerr = open(run_err, encoding="utf-8", errors="replace").read()
    problems = []
    for who, text in (("check", cerr), ("run", rerr)):
        m = SAN.search(text)
        if m:
            problems.append("%s: sanitizer report: %s" % (who, text[m.start():m.start() + 300].replace("\n", " | ")))
    if int(check_rc) != exp["check_rc"]:
        problems.append("check exit %s, expected %d" % (check_rc, exp["check_rc"]))
    if int(run_rc) != exp["run_rc"]:
        problems.append("run exit %s, expected %d" % (run_rc, exp["run_rc"]))
    c_rows, c_files = messages(cerr, path, problems, "check")
    r_rows, r_files = messages(rerr, path, problems, "run")
    want = {(int(a), b) for a, b in exp["rejects"]}
    if c_rows != want:
        problems.append("check rejected %s, expected %s" % (sorted(c_rows), sorted(want)))
    if r_rows != c_rows:
        problems.append("run rejected %s, check rejected %s" % (sorted(r_rows), sorted(c_rows)))
    fr = exp["file_reason"]
    if fr and fr not in c_files:
        problems.append("check did not report %s (file messages: %s)" % (fr, sorted(c_files)))
    if fr and fr not in r_files and exp["run_rc"] != 0:
        problems.append("run did not report %s (file messages: %s)" % (fr, sorted(r_files)))
    good = {tuple(k) for k in exp["good"]}
    stored, wl = set(), set()
    try:
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        stored = set(con.execute("SELECT facility_code, record_id FROM records WHERE current=1"))
        reasons = {(f, r): s or "" for f, r, s in
                   con.execute("SELECT facility_code, record_id, reasons FROM records WHERE current=1")}
        for (ev,) in con.execute("SELECT evidence FROM worklist WHERE category='rejected'"):
            m = re.match(r":(\d+):(?:\d+:)?.*?\[([A-Z0-9_]+)\]", ev[len(path):])
            if ev.startswith(path) and m:
                wl.add((int(m.group(1)), m.group(2)))
            else:
                problems.append("worklist item without a location: %s" % ev[:200])
        con.close()
    except sqlite3.Error as e:
        if good or want:
            problems.append("store %s unreadable: %s" % (db, e))
        reasons = {}
    if stored != good:
        lost, extra = sorted(good - stored), sorted(stored - good)
        problems.append("stored records differ: lost %s, extra %s" % (lost[:10], extra[:10]))
    if wl != r_rows:
        problems.append("worklist rejected %s, run printed %s" % (sorted(wl), sorted(r_rows)))
    for key, rs in exp["stored_reasons"].items():
        f, r = key.split("/", 1)
        have = reasons.get((f, r))
        for x in rs:
            if have is None or x not in have.split("|"):
                problems.append("record %s lacks reason %s (has %r)" % (key, x, have))
    if len(sys.argv) > 8:
        judge_link(exp, path, c_rows, sys.argv[8:11], problems)
    for p in problems:
        print(p)
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
