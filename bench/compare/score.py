"""Pairwise precision, recall and F1 of one tool's links (bench/compare, issue 17).

    score.py febrl A.csv B.csv FILE      # linkage: a true pair is rec-N-org / rec-N-dup-0
    score.py dedup identity.csv FILE     # deduplication: identity.csv is id,entity
    score.py clusters identity.csv FILE  # a tool's own clusters: FILE is id,cluster

FILE is either a pairs file (header a,b: the two records' ids) or a vaxsync
links.csv (header right_...,left_...,decision,...: its auto links are read).
Linkage: the pairs as the tool gives them. Deduplication: two lines, the
tool's matched pairs (unordered, each once) and the pairs within the clusters
of their transitive closure. Prints tab-separated fields: what, links,
correct, true pairs, precision, recall, F1.
"""

import csv
import sys


def read_links(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f)
        header = next(rows)
        if header[:2] == ["a", "b"]:
            return [(r[0].strip(), r[1].strip()) for r in rows]
        # vaxsync links.csv: right id, left id, decision
        decision = header.index("decision")
        return [(r[1], r[0]) for r in rows if r[decision] == "auto"]


def read_ids(path):
    with open(path, newline="", encoding="utf-8") as f:
        rows = csv.reader(f, skipinitialspace=True)
        next(rows)
        return [r[0].strip() for r in rows]


def figures(what, links, correct, true):
    p = correct / links if links else 0.0
    r = correct / true if true else 0.0
    f1 = 2 * p * r / (p + r) if p + r else 0.0
    print(f"{what}\t{links}\t{correct}\t{true}\t{p:.6f}\t{r:.6f}\t{f1:.6f}")


def stem(rec_id):
    # rec-12-org and rec-12-dup-0 -> rec-12
    return "-".join(rec_id.split("-")[:2])


def febrl(path_a, path_b, path_links):
    stems_a = {stem(i) for i in read_ids(path_a)}
    true = sum(1 for i in read_ids(path_b) if stem(i) in stems_a)
    links = set(read_links(path_links))
    correct = sum(1 for a, b in links if stem(a) == stem(b))
    figures("pairs", len(links), correct, true)


def pairs_in(groups):
    return sum(n * (n - 1) // 2 for n in groups)


def entities(path_identity):
    """id -> entity, and the true pairs (two records of one entity)."""
    entity = {}
    with open(path_identity, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            entity[row["id"]] = row["entity"]
    sizes = {}
    for e in entity.values():
        sizes[e] = sizes.get(e, 0) + 1
    return entity, pairs_in(sizes.values())


def dedup(path_identity, path_links):
    entity, true = entities(path_identity)
    links = {tuple(sorted(p)) for p in read_links(path_links) if p[0] != p[1]}
    figures("pairs", len(links), sum(1 for a, b in links if entity[a] == entity[b]), true)
    # transitive closure (union-find)
    parent = {i: i for i in entity}

    def root(i):
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for a, b in links:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    cluster_sizes = {}
    both = {}
    for i, e in entity.items():
        c = root(i)
        cluster_sizes[c] = cluster_sizes.get(c, 0) + 1
        both[(c, e)] = both.get((c, e), 0) + 1
    figures("clusters", pairs_in(cluster_sizes.values()), pairs_in(both.values()), true)


def clusters(path_identity, path_clusters):
    entity, true = entities(path_identity)
    cluster_sizes = {}
    both = {}
    with open(path_clusters, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            c, e = row["cluster"], entity[row["id"]]
            cluster_sizes[c] = cluster_sizes.get(c, 0) + 1
            both[(c, e)] = both.get((c, e), 0) + 1
    figures("own clusters", pairs_in(cluster_sizes.values()), pairs_in(both.values()), true)


if __name__ == "__main__":
    if sys.argv[1] == "febrl":
        febrl(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "dedup":
        dedup(sys.argv[2], sys.argv[3])
    elif sys.argv[1] == "clusters":
        clusters(sys.argv[2], sys.argv[3])
    else:
        sys.exit("mode must be febrl, dedup or clusters")
