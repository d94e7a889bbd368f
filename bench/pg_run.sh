#!/usr/bin/env bash
# pg_run.sh - `vaxsync run` on SQLite and on PostgreSQL over the same generated
# data, then the latency of one-record submits (vs_engine_submit, the path of
# the service's POST) on each resulting store. Prints figures; not a test.
#
#   bench/pg_run.sh [--bin BUILD_DIR] [--preset small|medium|large] [--registry N]
#                   [--seed S] [--gen DIR] [--repeats R] [--submits N] [--threads N]
#                   [--keep]
#
# - the data: `vaxsync generate` (preset small: 10 k citizens, medium 100 k,
#   large 1 M; --registry N overrides), or an existing folder with --gen DIR;
# - the server: a throw-away cluster of scripts/pg-test-cluster.sh (or the
#   server of $VS_TEST_PG_URI), restarted with the server's defaults for
#   durability (fsync, full_page_writes and synchronous_commit on: the test
#   cluster runs without the first two), shared_buffers 256MB, max_wal_size
#   4GB; SQLite runs with its default synchronous=NORMAL (WAL); the submits
#   are measured on PostgreSQL also with synchronous_commit off;
# - each run: a fresh store, `/usr/bin/time -v vaxsync run ... --threads N`,
#   wall, client user+sys CPU, client peak RSS, and for PostgreSQL the
#   server's CPU (every process of the cluster, from /proc); the median of R
#   repeats;
# - submits: bench_submit (bench/bench_submit.c) on the store of the last run.
# Needs a release build (default build/release) and $VAXSYNC_REFDATA.
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/release preset=small registry= seed=3 gen= repeats=3 submits=2000 threads=2 keep=0
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) build=$2; shift 2 ;;
	--preset) preset=$2; shift 2 ;;
	--registry) registry=$2; shift 2 ;;
	--seed) seed=$2; shift 2 ;;
	--gen) gen=$2; shift 2 ;;
	--repeats) repeats=$2; shift 2 ;;
	--submits) submits=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	--keep) keep=1; shift ;;
	*) echo "pg_run.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "${VAXSYNC_REFDATA:-}" ] || { echo "pg_run.sh: set VAXSYNC_REFDATA" >&2; exit 2; }
bin=$(realpath "$build/src/cli/vaxsync")
submit_bin=$(realpath "$build/bench/bench_submit")
pg_bin=${VS_PG_BIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d /tmp/vs_pg_run_XXXXXX)
chmod 0755 "$work"
state=$work/pg.state
cleanup() {
	bash scripts/pg-test-cluster.sh stop "$state" >/dev/null 2>&1 || true
	if [ "$keep" = 1 ]; then echo "kept $work"; else rm -rf "$work"; fi
}
trap cleanup EXIT

echo "== pg_run.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?'),$(uptime | sed 's/.*,  *load/ load/')"
if [ -z "$gen" ]; then
	gen=$work/gen
	size=(--preset "$preset")
	[ -n "$registry" ] && size=(--registry "$registry")
	echo "generate: $bin generate --out $gen ${size[*]} --seed $seed -q"
	/usr/bin/time -f 'generate: wall %e s' "$bin" generate --out "$gen" "${size[@]}" --seed "$seed" -q
fi
echo "data: $(($(wc -l <"$gen/registry.csv") - 1)) registry rows, $(($(wc -l <"$gen/shots.csv") - 1)) shot rows ($gen)"

base=$(bash scripts/pg-test-cluster.sh start "$state")
psql() { PGOPTIONS="-c client_min_messages=warning" "$pg_bin/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
dir=$(sed -n 's/^dir=//p' "$state")
if [ -n "$dir" ]; then # our cluster: restarted with fsync and full-page writes on
	port=$(sed -n 's/^port=//p' "$state")
	as_user() { if [ "$(id -u)" -eq 0 ]; then runuser -u vaxsync-test -- "$@"; else "$@"; fi; }
	as_user "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart \
		-o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB" \
		>/dev/null
fi
echo "server: PostgreSQL $(psql "$base" -c 'SHOW server_version'), fsync $(psql "$base" -c 'SHOW fsync'),"\
" synchronous_commit $(psql "$base" -c 'SHOW synchronous_commit'), shared_buffers"\
" $(psql "$base" -c 'SHOW shared_buffers'), unix socket"
uri_of() { printf '%s\n' "$base" | sed "s#^\(postgres[a-z]*://[^/?]*\)/[^?]*#\1/$1#"; }
pm=$(head -1 "$dir/data/postmaster.pid" 2>/dev/null || true)
tck=$(getconf CLK_TCK)

# CPU seconds of the cluster so far: the postmaster with its reaped children,
# and every live child (backends, checkpointer, WAL writer)
server_cpu() {
	[ -n "$pm" ] || { echo 0; return; }
	local t=0 p f
	for p in $pm $(pgrep -P "$pm" || true); do
		f=$(cut -d')' -f2- "/proc/$p/stat" 2>/dev/null) || continue
		set -- $f
		if [ "$p" = "$pm" ]; then t=$((t + ${12} + ${13} + ${14} + ${15})); else t=$((t + ${12} + ${13})); fi
	done
	awk -v t="$t" -v k="$tck" 'BEGIN { printf "%.2f", t / k }'
}

median() { sort -g | awk '{ v[NR] = $1 } END { if (NR % 2) print v[(NR + 1) / 2]; else printf "%.2f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

# run_once LABEL DB: one `vaxsync run` into DB; appends "wall cpu rss server_cpu" to $work/LABEL.fig
run_once() {
	local label=$1 db=$2 s0 s1 tv=$work/time.txt
	s0=$(server_cpu)
	/usr/bin/time -v -o "$tv" "$bin" run --registry "$gen/registry.csv" --shots "$gen/shots.csv" --db "$db" \
		--today 2024-01-01 --threads "$threads" --lang en -q >"$work/$label.summary"
	s1=$(server_cpu)
	awk -v sc="$(awk -v a="$s0" -v b="$s1" 'BEGIN { printf "%.2f", b - a }')" -F': ' '
		/Elapsed \(wall clock\)/ { n = split($2, p, ":"); w = 0; for (i = 1; i <= n; i++) w = w * 60 + p[i] }
		/User time/ { u = $2 } /System time/ { s = $2 } /Maximum resident/ { r = $2 }
		END { printf "%.2f %.2f %d %s\n", w, u + s, r / 1024, sc }' "$tv" >>"$work/$label.fig"
	tail -1 "$work/$label.fig" | awk -v l="$label" -v load="$(cut -d' ' -f1-3 /proc/loadavg)" '{ printf "%s run: wall %s s, client CPU %s s, client peak RSS %s MiB, server CPU %s s (load %s)\n", l, $1, $2, $3, $4, load }'
}

echo "command: vaxsync run --registry registry.csv --shots shots.csv --db STORE --today 2024-01-01 --threads $threads -q"
for r in $(seq 1 "$repeats"); do
	rm -f "$work/store.db" "$work/store.db-wal" "$work/store.db-shm"
	run_once sqlite "$work/store.db"
	psql "$base" -c "DROP DATABASE IF EXISTS vs_bench WITH (FORCE)" -c "CREATE DATABASE vs_bench"
	run_once postgresql "$(uri_of vs_bench)"
done
if ! cmp -s <(grep -v 'Database:\|time ' "$work/sqlite.summary") <(grep -v 'Database:\|time ' "$work/postgresql.summary"); then
	echo "WARNING: the run summaries differ between the drivers:"
	diff <(grep -v 'Database:\|time ' "$work/sqlite.summary") <(grep -v 'Database:\|time ' "$work/postgresql.summary") | head -20
fi
echo "== median of $repeats runs (wall s, client CPU s, client peak RSS MiB, server CPU s)"
for label in sqlite postgresql; do
	f=$work/$label.fig
	printf '%-10s  wall %6s s  client CPU %6s s  RSS %5s MiB  server CPU %6s s\n' "$label" \
		"$(cut -d' ' -f1 "$f" | median)" "$(cut -d' ' -f2 "$f" | median)" "$(cut -d' ' -f3 "$f" | median)" \
		"$(cut -d' ' -f4 "$f" | median)"
	grep -E '^  time ' "$work/$label.summary" | sed "s/^ */$label (last run) /"
done

echo "== one-record submits ($submits new records, then the same again), on the stores of the last runs"
echo "command: bench_submit --shots shots.csv --db STORE --submits $submits --threads $threads"
"$submit_bin" --shots "$gen/shots.csv" --db "$work/store.db" --submits "$submits" --threads "$threads"
"$submit_bin" --shots "$gen/shots.csv" --db "$(uri_of vs_bench)" --submits "$submits" --threads "$threads"
echo "(postgresql, the client's sessions with synchronous_commit = off: a server crash may lose the last commits, as SQLite's NORMAL may on a power loss)"
PGOPTIONS="-c synchronous_commit=off" "$submit_bin" --shots "$gen/shots.csv" --db "$(uri_of vs_bench)" --submits "$submits" --threads "$threads" --tag "off$$"
