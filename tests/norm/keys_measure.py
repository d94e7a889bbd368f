#!/usr/bin/env python3
"""keys_measure.py GEN_DIR VAXSYNC REFDATA - measures the keystroke rule of src/norm/name.c
(NAME_TELEX_DECODED, NAME_VNI_KEYS_DECODED) on the names of a generated registry.

GEN_DIR is the output of `vaxsync generate --out GEN_DIR --registry 20000 --error-rate 0`.
Prints: how many clean names (and the same names without diacritics) the rule changes (must be 0),
and how many names typed as Telex (two styles) or VNI keystrokes come back as the clean name
(compared per word ignoring where the tone mark sits: hoà = hòa). The encoder is the one of
test_norm.c (keys_type): modifier keys after their letter, the tone key at the end of the word;
the "short" Telex style types ươ as "uow" and a final ư as "w" (Như = "Nhw")."""
import csv
import subprocess
import sys
import unicodedata

TONE = {"\u0301": ("s", "1"), "\u0300": ("f", "2"), "\u0309": ("r", "3"), "\u0303": ("x", "4"), "\u0323": ("j", "5")}
MOD_T = {"â": "aa", "ă": "aw", "ê": "ee", "ô": "oo", "ơ": "ow", "ư": "uw", "đ": "dd"}
MOD_V = {"â": "a6", "ă": "a8", "ê": "e6", "ô": "o6", "ơ": "o7", "ư": "u7", "đ": "d9"}
KEY_REASONS = ("NAME_TELEX_DECODED", "NAME_VNI_KEYS_DECODED")


def split_tone(word):
    tone, base = "", ""
    for ch in unicodedata.normalize("NFD", word):
        if ch in TONE:
            tone = ch
        else:
            base += ch
    return unicodedata.normalize("NFC", base), tone


def typed(word, table, tone_col, short=False):
    base, tone = split_tone(word)
    low, out = base.lower(), ""
    for i, ch in enumerate(base):
        m = table.get(ch.lower())
        if m is None:
            out += ch
        elif short and ch.lower() == "ư" and low[i + 1:i + 2] == "ơ":
            out += "U" if ch.isupper() else "u"          # uow for ươ
        elif short and ch.lower() == "ư" and i > 0 and i == len(low) - 1:
            out += "W" if ch.isupper() else "w"          # Nhw for Như
        else:
            out += (m[0].upper() if ch.isupper() else m[0]) + m[1]
    return out + (TONE[tone][tone_col] if tone else "")


def fold(s):
    s = s.replace("đ", "d").replace("Đ", "D")
    return "".join(c for c in unicodedata.normalize("NFD", s) if unicodedata.category(c) != "Mn")


def same(a, b):
    aw, bw = a.split(), b.split()
    return len(aw) == len(bw) and all(sorted(unicodedata.normalize("NFD", x.lower())) ==
                                      sorted(unicodedata.normalize("NFD", y.lower())) for x, y in zip(aw, bw))


def standardize(exe, ref, rows, tag):
    path = "/tmp/keys_measure_%s.csv" % tag
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["citizen_id", "full_name", "household_id"])
        for i, n in enumerate(rows):
            w.writerow(["%012d" % i, n, "H1"])
    subprocess.run([exe, "standardize", path, "-o", path + ".out", "--refdata", ref, "-q"], check=True)
    return list(csv.DictReader(open(path + ".out", encoding="utf-8")))


def main():
    gen, exe, ref = sys.argv[1:4]
    names = [r["full_name"] for r in csv.DictReader(open(gen + "/registry.csv", encoding="utf-8"))]
    clean = standardize(exe, ref, names, "clean")
    for tag, rows in (("clean names", clean), ("the same without diacritics",
                                                standardize(exe, ref, [fold(n) for n in names], "ascii"))):
        changed = sum(1 for r in rows if any(k in r["reasons"] for k in KEY_REASONS))
        print("%s: %d of %d changed by the rule" % (tag, changed, len(rows)))
    styles = (("telex", lambda w: typed(w, MOD_T, 0)), ("telex short", lambda w: typed(w, MOD_T, 0, True)),
              ("vni", lambda w: typed(w, MOD_V, 1)))
    for tag, enc in styles:
        keyed = [" ".join(enc(w) for w in n.split()) for n in names]
        out = standardize(exe, ref, keyed, tag.replace(" ", "_"))
        ok = [same(r["std_full_name"], c["std_full_name"]) for r, c in zip(out, clean)]
        print("%s: %d names (%d typed differently), %d recovered = %.2f %%" %
              (tag, len(names), sum(n != k for n, k in zip(names, keyed)), sum(ok), 100.0 * sum(ok) / len(names)))
        for n, k, r, good in zip(names, keyed, out, ok):
            if not good:
                print("   missed: %s typed %s -> %s" % (n, k, r["std_full_name"]))


main()
