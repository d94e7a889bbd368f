#!/usr/bin/env python3
"""rldata_ceiling.py - the best pairwise F1 any classifier could reach on RLdata10000 if it saw only
the comparison levels of a pair (its pattern), over the candidate pairs of the worked example's
blocking rules (docs/linking.md, worked example 3). Not a test: it prints figures.

usage: bench/rldata_ceiling.py rl10k.csv identity.csv [settings.json]

The patterns with "another" (family, given) and "year_other" (birth_year) add those levels
(docs/linking.md); they do not raise the ceiling (a pattern already tells them apart), they let
weights that add up field by field come nearer to it.

With a settings file (profiles/rldata10000_dedup.json) its blocking rules are used, key transforms
(family:soundex, given:prefix:3) included; without, the six rules of worked example 3 as first
written. It also prints the blocking recall: the true pairs that meet under at least one rule.

rl10k.csv: id,fname_c1,fname_c2,lname_c1,lname_c2,by,bm,bd (RLdata10000 of the R package
RecordLinkage written out as CSV); identity.csv: id,entity. Neither is in the repository.

For each pattern the true and false candidate pairs are counted; patterns are taken in falling
order of their share of true pairs, and the best F1 over those cuts is printed. The levels are those
of src/link/compare.c (Jaro-Winkler bands 0.92 / 0.80, date parts exact / one slip / else, the dob
comparison's levels). No term-frequency weights: a pattern does not know how common a name is.
"""
import collections
import csv
import itertools
import sys


def jaro_winkler(a, b):
    if not a or not b:
        return 0.0
    if a == b:
        return 1.0
    a, b = a[:64], b[:64]
    rng = max(len(a), len(b)) // 2
    rng = rng - 1 if rng > 0 else 0
    used = [False] * len(b)
    am = []
    for i, ch in enumerate(a):
        for j in range(max(0, i - rng), min(i + rng + 1, len(b))):
            if not used[j] and ch == b[j]:
                used[j] = True
                am.append(ch)
                break
    m = len(am)
    if m == 0:
        return 0.0
    t, k = 0, 0
    for j, ch in enumerate(b):
        if used[j]:
            t += ch != am[k]
            k += 1
    jaro = (m / len(a) + m / len(b) + (m - t / 2) / m) / 3
    p = 0
    while p < 4 and p < len(a) and p < len(b) and a[p] == b[p]:
        p += 1
    return jaro + p * 0.1 * (1 - jaro)


def name_level(a, b):
    if not a or not b:
        return 0
    if a == b:
        return 1
    j = jaro_winkler(a.lower(), b.lower())
    return 2 if j >= 0.92 else 3 if j >= 0.80 else 4


def text_level(a, b):  # with "one_empty"
    return 5 if bool(a) != bool(b) else name_level(a, b)


def num(x):
    try:
        return int(x)
    except ValueError:
        return 0


def year_slip(a, b):
    if abs(a - b) == 1:
        return True
    sa, sb = str(a), str(b)
    if len(sa) == len(sb) and sum(x != y for x, y in zip(sa, sb)) == 1:
        return True
    return a // 100 == b // 100 and a % 10 == b // 10 % 10 and a // 10 % 10 == b % 10


def part_slip(a, b):
    if abs(a - b) == 1:
        return True
    ta, oa, tb, ob = a // 10 % 10, a % 10, b // 10 % 10, b % 10
    return (ta == tb) != (oa == ob) or (ta == ob and oa == tb)


def part_level(a, b, year, slip):
    a, b = num(a), num(b)
    if not a or not b:
        return 0
    if a == b:
        return 1
    if slip and (year_slip(a, b) if year else part_slip(a, b)):
        return 2
    return 3


def dob_level(x, y):
    ya, ma, da = num(x['by']), num(x['bm']), num(x['bd'])
    yb, mb, db = num(y['by']), num(y['bm']), num(y['bd'])
    if not ya or not yb:
        return 0
    if (ya, ma, da) == (yb, mb, db):
        return 1
    if ya == yb and ma == db and da == mb:
        return 3
    if ya != yb:
        return 4 if (ma, da) == (mb, db) and year_slip(ya, yb) else 6
    return 4 if (ma != mb) + (da != db) == 1 else 5


def names(x, y):
    return (name_level(x['lname_c1'], y['lname_c1']), name_level(x['fname_c1'], y['fname_c1']))


def parts(x, y, slip=True):
    return tuple(part_level(x[c], y[c], c == 'by', slip) for c in ('by', 'bm', 'bd'))


def second_names(x, y):
    return (text_level(x['fname_c2'], y['fname_c2']), text_level(x['lname_c2'], y['lname_c2']))


ANOTHER_MIN, ANOTHER_RATIO = 3, 0.05  # LK_ANOTHER_MIN, LK_ANOTHER_RATIO of src/link/link_internal.h
COUNTS = {}  # column -> value -> records carrying it (set in main)


def another(col, a, b):
    """two different names each carried by ANOTHER_MIN records or more, the rarer by at least
    ANOTHER_RATIO of the records carrying the other (compare.c's another_name)"""
    na, nb = COUNTS[col].get(a, 0), COUNTS[col].get(b, 0)
    return a != b and min(na, nb) >= ANOTHER_MIN and min(na, nb) >= ANOTHER_RATIO * max(na, nb)


def names_another(x, y):
    """family and given with "another" (level 5, after else)"""
    out = ()
    for c in ('lname_c1', 'fname_c1'):
        a, b = x[c], y[c]
        out += ((5 if a and b and another(c, a, b) else name_level(a, b)),)
    return out


def parts_year_other(x, y):
    """date parts with one slip, the year with "year_other": another year (no slip) while family,
    given, month and day are exact"""
    p = parts(x, y)
    rest = x['lname_c1'] == y['lname_c1'] != '' and x['fname_c1'] == y['fname_c1'] != '' and \
        p[1] == 1 and p[2] == 1
    return ((4 if p[0] == 3 and rest else p[0]),) + p[1:]


PATTERNS = [
    ('names, dob levels (the dob comparison)', lambda x, y: names(x, y) + (dob_level(x, y),)),
    ('names, dob levels, second names one_empty',
     lambda x, y: names(x, y) + (dob_level(x, y),) + second_names(x, y)),
    ('names, date parts agree / disagree ("slip": false)', lambda x, y: names(x, y) + parts(x, y, False)),
    ('names, date parts with one slip', lambda x, y: names(x, y) + parts(x, y)),
    ('names, date parts with one slip, second names one_empty',
     lambda x, y: names(x, y) + parts(x, y) + second_names(x, y)),
    ('the same, the names with "another"',
     lambda x, y: names_another(x, y) + parts(x, y) + second_names(x, y)),
    ('the same, the year with "year_other"',
     lambda x, y: names(x, y) + parts_year_other(x, y) + second_names(x, y)),
    ('the same, both ("another" and "year_other")',
     lambda x, y: names_another(x, y) + parts_year_other(x, y) + second_names(x, y)),
]

RULES = [('by', 'bm', 'bd'), ('lname_c1', 'fname_c1'), ('lname_c1', 'by'), ('fname_c1', 'by'),
         ('lname_c1', 'bm', 'bd'), ('fname_c1', 'bm', 'bd')]
COLUMNS = {'family': ('lname_c1',), 'given': ('fname_c1',), 'dob': ('by', 'bm', 'bd'), 'birth_year': ('by',),
           'birth_month': ('bm',), 'birth_day': ('bd',), 'extra0': ('fname_c2',), 'extra1': ('lname_c2',)}


def soundex(s):  # as src/link/block.c: letters a-z only, h and w do not separate
    cls = dict(zip('abcdefghijklmnopqrstuvwxyz', '0123012h022455012623010h02'))
    s = [c for c in s.lower() if c in cls]
    if not s:
        return ''
    out, last = [s[0]], cls[s[0]]
    for c in s[1:]:
        if len(out) == 4:
            break
        k = cls[c]
        if k == 'h':
            continue
        if k != '0' and k != last:
            out.append(k)
        last = k
    return ''.join(out).ljust(4, '0')


def transform(t):
    if t is None:
        return lambda v: v
    if t == 'soundex':
        return soundex
    n = int(t.split(':')[1])
    return lambda v: v.lower()[:n]


def settings_rules(path):
    """each rule as a list of (column, transform of its value)"""
    import json
    rules = []
    for r in json.load(open(path))['blocking']:
        parts = []
        for k in r['keys']:
            base, _, t = k.partition(':')
            parts += [(c, transform(t or None)) for c in COLUMNS[base]]
        rules.append(parts)
    return rules


def main():
    if len(sys.argv) not in (3, 4):
        sys.exit(__doc__)
    rules = settings_rules(sys.argv[3]) if len(sys.argv) == 4 else [[(c, transform(None)) for c in r]
                                                                     for r in RULES]
    rows = list(csv.DictReader(open(sys.argv[1], newline='')))
    entity = {r['id']: r['entity'] for r in csv.DictReader(open(sys.argv[2], newline=''))}
    ent = [entity[r['id']] for r in rows]
    for c in ('lname_c1', 'fname_c1'):
        COUNTS[c] = collections.Counter(r[c] for r in rows)
    ntrue = sum(c * (c - 1) // 2 for c in collections.Counter(ent).values())
    cand = set()
    for rule in rules:
        blocks = collections.defaultdict(list)
        for i, r in enumerate(rows):
            key = tuple(f(r[c]) for c, f in rule)
            if all(key):
                blocks[key].append(i)
        for b in blocks.values():
            cand.update(itertools.combinations(b, 2))
    met = sum(ent[a] == ent[b] for a, b in cand)
    print(f'{len(rows)} records, {ntrue} true pairs, {len(cand)} candidate pairs, {met} true pairs met '
          f'(blocking recall {met / ntrue:.4f})')
    for label, pattern in PATTERNS:
        count = collections.defaultdict(lambda: [0, 0])
        for a, b in cand:
            count[pattern(rows[a], rows[b])][ent[a] == ent[b]] += 1
        tp = fp = 0
        best = (0.0, 0, 0)
        for f, t in sorted(count.values(), key=lambda c: -c[1] / (c[0] + c[1])):
            tp, fp = tp + t, fp + f
            f1 = 2 * tp / (2 * tp + fp + ntrue - tp)
            best = max(best, (f1, tp, fp))
        print(f'{label}: best F1 {best[0]:.4f} ({best[1]} true, {best[2]} false pairs linked)')


if __name__ == '__main__':
    main()
