#!/usr/bin/env bash
# run_compare.sh VAXSYNC STORE_DUMP - `vaxsync run` on the same generated data
# (preset small, seed 3) once on SQLite and once on PostgreSQL: links.csv, the
# worklist files, and the stores' postings, links, worklists, reports with
# their checks, counts (store_dump, through the store API) and events must be
# byte-identical. (A re-run changing nothing is shown by pg_writers' retries
# and by pg_crash_run's re-run.)
set -euo pipefail
vaxsync=$1
dump=$2
. "$(dirname "$0")/lib.sh"
tmp=$(mktemp -d)
db=vs_cmp_$$
trap 'rm -rf "$tmp"; pg_sql "DROP DATABASE IF EXISTS $db WITH (FORCE)" || true' EXIT
pg_new_db "$db"
uri=$(pg_uri "$db")

"$vaxsync" generate --out "$tmp/data" --preset small --seed 3 -q
run() { # DB OUT
	"$vaxsync" run --registry "$tmp/data/registry.csv" --shots "$tmp/data/shots.csv" --db "$1" \
		--out "$2" --today 2024-01-01 -q >"$2.summary"
}
t0=$(date +%s%N)
run "$tmp/s.db" "$tmp/out-sqlite"
t1=$(date +%s%N)
run "$uri" "$tmp/out-pg"
t2=$(date +%s%N)
echo "run: sqlite $(((t1 - t0) / 1000000)) ms, postgresql $(((t2 - t1) / 1000000)) ms"

diff -r "$tmp/out-sqlite" "$tmp/out-pg"
"$dump" "sqlite:$tmp/s.db" >"$tmp/dump-sqlite"
"$dump" "$uri" >"$tmp/dump-pg"
diff "$tmp/dump-sqlite" "$tmp/dump-pg"
events_sqlite "$tmp/s.db" >"$tmp/events-sqlite"
events_pg "$uri" >"$tmp/events-pg"
diff "$tmp/events-sqlite" "$tmp/events-pg"
[ "$(grep -c '^posting|' "$tmp/dump-pg")" -gt 20000 ]
[ "$(wc -l <"$tmp/events-pg")" -gt 20000 ]

echo "ok: $(grep -c '^posting|' "$tmp/dump-pg") postings, $(wc -l <"$tmp/events-pg") events, $(grep -c '^link|' "$tmp/dump-pg") links identical"
