#!/usr/bin/env bash
# pg_writers.sh - one writer against two on one PostgreSQL database: `vaxsync
# run` of every shot row in one process, then the same rows split in two
# halves run by two processes at once. Both start from a database that holds
# the registry already (a run with the first shot row only, copied as a
# template), so the figure is the shot stage (store, link, verify, post; each
# process also reads the registry file and finds its rows unchanged). Prints
# wall times and the stores' counts; not a test.
#
#   bench/pg_writers.sh [--bin BUILD_DIR] --gen DIR [--threads N]
#
# DIR holds registry.csv and shots.csv (`vaxsync generate`). The one writer
# runs with 2N threads, each of the two with N (default 1): the same cores. The server: a
# throw-away cluster of scripts/pg-test-cluster.sh restarted with fsync,
# full_page_writes and synchronous_commit on, as bench/pg_run.sh does.
# Prints how many rows of links, events and postings differ between the two stores (0: two
# writers decided and posted exactly as one).
set -euo pipefail
cd "$(dirname "$0")/.."
build=build/release gen= threads=1
while [ $# -gt 0 ]; do
	case "$1" in
	--bin) build=$2; shift 2 ;;
	--gen) gen=$2; shift 2 ;;
	--threads) threads=$2; shift 2 ;;
	*) echo "pg_writers.sh: unknown option $1" >&2; exit 2 ;;
	esac
done
[ -n "$gen" ] || { echo "pg_writers.sh: --gen DIR is needed" >&2; exit 2; }
[ -n "${VAXSYNC_REFDATA:-}" ] || { echo "pg_writers.sh: set VAXSYNC_REFDATA" >&2; exit 2; }
bin=$(realpath "$build/src/cli/vaxsync")
pg_bin=${VS_PG_BIN:-/usr/lib/postgresql/15/bin}
work=$(mktemp -d /tmp/vs_pg_writers_XXXXXX)
chmod 0755 "$work"
state=$work/pg.state
trap 'bash scripts/pg-test-cluster.sh stop "$state" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

base=$(bash scripts/pg-test-cluster.sh start "$state")
dir=$(sed -n 's/^dir=//p' "$state")
if [ -n "$dir" ]; then
	port=$(sed -n 's/^port=//p' "$state")
	as_user() { if [ "$(id -u)" -eq 0 ]; then runuser -u vaxsync-test -- "$@"; else "$@"; fi; }
	as_user "$pg_bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 -m fast restart \
		-o "-p $port -k $dir/sock -c listen_addresses=127.0.0.1 -c shared_buffers=256MB -c max_wal_size=4GB" \
		>/dev/null
fi
psql() { PGOPTIONS="-c client_min_messages=warning" "$pg_bin/psql" -X -q -At -v ON_ERROR_STOP=1 "$@"; }
uri_of() { printf '%s\n' "$base" | sed "s#^\(postgres[a-z]*://[^/?]*\)/[^?]*#\1/$1#"; }
# run SHOTS DB THREADS
run() { "$bin" run --registry "$gen/registry.csv" --shots "$1" --db "$2" --today 2024-01-01 --threads "$3" --lang en -q; }

head -2 "$gen/shots.csv" >"$work/one.csv" # a run needs a shot row: the first, in every store
tail -n +3 "$gen/shots.csv" >"$work/rest"
{ head -1 "$gen/shots.csv"; awk 'NR % 2 == 1' "$work/rest"; } >"$work/a.csv"
{ head -1 "$gen/shots.csv"; awk 'NR % 2 == 0' "$work/rest"; } >"$work/b.csv"
{ head -1 "$gen/shots.csv"; cat "$work/rest"; } >"$work/all.csv"
echo "== pg_writers.sh $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores, $(git rev-parse --short HEAD 2>/dev/null || echo '?')"
echo "data: $(($(wc -l <"$gen/registry.csv") - 1)) registry rows, $(($(wc -l <"$gen/shots.csv") - 1)) shot rows; halves of $(($(wc -l <"$work/a.csv") - 1)) and $(($(wc -l <"$work/b.csv") - 1))"
psql "$base" -c "CREATE DATABASE vs_reg"
# One model for every store, trained on the whole file and kept in the template: the comparison is
# of concurrency, not of EM samples (each writer would otherwise train on its own half; the
# second one to finish now uses the first one's model, but that is still a half's model).
"$bin" train --registry "$gen/registry.csv" --shots "$gen/shots.csv" -o "$work/model.json" -q
"$bin" run --registry "$gen/registry.csv" --shots "$work/one.csv" --db "$(uri_of vs_reg)" --today 2024-01-01 \
	--threads "$threads" --lang en -q --model "$work/model.json" >/dev/null
psql "$base" -c "CREATE DATABASE vs_one TEMPLATE vs_reg" -c "CREATE DATABASE vs_two TEMPLATE vs_reg"
t0=$(date +%s.%N)
run "$work/all.csv" "$(uri_of vs_one)" $((threads * 2)) >"$work/one.summary"
t1=$(date +%s.%N)
echo "1 writer ($((threads * 2)) threads):  wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s (load $(cut -d' ' -f1-3 /proc/loadavg))"
t0=$(date +%s.%N)
run "$work/a.csv" "$(uri_of vs_two)" "$threads" >"$work/two_a.summary" &
pa=$!
run "$work/b.csv" "$(uri_of vs_two)" "$threads" >"$work/two_b.summary" &
pb=$!
wait "$pa"
ta=$(date +%s.%N)
wait "$pb"
t1=$(date +%s.%N)
echo "2 writers ($threads thread each): wall $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s (the first done after $(awk -v a="$t0" -v b="$ta" 'BEGIN { printf "%.1f", b - a }') s; load $(cut -d' ' -f1-3 /proc/loadavg))"
for db in vs_one vs_two; do
	echo "$db: $(psql "$(uri_of $db)" -c "SELECT (SELECT count(*) FROM records WHERE current = 1) || ' records, ' || (SELECT count(*) FROM links) || ' links, ' || (SELECT count(*) FROM events) || ' events, ' || (SELECT count(*) FROM postings) || ' postings, ' || (SELECT count(*) FROM outbox WHERE done = 0) || ' pending, ' || (SELECT count(*) FROM dirty) || ' dirty'")"
done
# the outcome, row by row: links, events and postings of the two stores
outcome() {
	psql "$(uri_of "$1")" -c "SELECT r.facility_code || '|' || r.record_id || '|' || coalesce(l.citizen_id, '') || '|' || l.decision FROM links l JOIN records r USING (rid) WHERE r.current = 1 ORDER BY 1" \
		-c "SELECT event_key || '|' || citizen_id || '|' || coalesce(product, '') || '|' || coalesce(dose::text, '') || '|' || status FROM events ORDER BY 1" \
		-c "SELECT event_key || '|' || citizen_id || '|' || coalesce(product, '') || '|' || coalesce(dose::text, '') || '|' || coalesce(shot_date, '') FROM postings ORDER BY 1"
}
outcome vs_one >"$work/one.rows"
outcome vs_two >"$work/two.rows"
echo "rows of links, events and postings that differ between 1 and 2 writers: $(diff "$work/one.rows" "$work/two.rows" | grep -c '^[<>]' || true)"
