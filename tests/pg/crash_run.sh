#!/usr/bin/env bash
# crash_run.sh VAXSYNC STORE_DUMP - the PostgreSQL server is stopped abruptly
# (`pg_ctl stop -m immediate`) in the middle of a bulk `vaxsync run`, then
# started again: the run fails with a clear error, the same run again
# completes, and the store holds exactly what an uninterrupted run on SQLite
# holds (postings, links, worklists, reports, counts, events), with no event
# key posted twice in the outbox. Runs its own throw-away cluster (the crash
# must not hit other tests' server).
set -euo pipefail
vaxsync=$1
dump=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
state=$tmp/cluster.state
trap 'bash "$here/../../scripts/pg-test-cluster.sh" stop "$state" || true; rm -rf "$tmp"' EXIT
VS_TEST_PG_URI= bash "$here/../../scripts/pg-test-cluster.sh" start "$state" >/dev/null
unset VS_TEST_PG_URI
export VS_TEST_PG_STATE=$state
. "$here/lib.sh"
pg_new_db vs_crash
uri=$(pg_uri vs_crash)

"$vaxsync" generate --out "$tmp/data" --preset small --registry 3000 --seed 5 -q
run() { # DB OUT
	"$vaxsync" run --registry "$tmp/data/registry.csv" --shots "$tmp/data/shots.csv" --db "$1" \
		--out "$2" --today 2024-01-01 --no-train --batch 500 -q >"$2.summary" 2>"$2.err"
}
run "$tmp/s.db" "$tmp/out-sqlite"
total=$(grep -c '' "$tmp/data/shots.csv")

# crash the server once some shot batches are committed, before the end
run "$uri" "$tmp/out-crash" &
pid=$!
crashed=""
for _ in $(seq 1 600); do
	n=$("$pg_bin/psql" -X -At "$uri" -c "SELECT count(*) FROM records" 2>/dev/null || echo 0)
	if [ "${n:-0}" -gt 0 ]; then
		bash "$here/../../scripts/pg-test-cluster.sh" restart "$state"
		crashed="after $n of $((total - 1)) records"
		break
	fi
	kill -0 $pid 2>/dev/null || break
	sleep 0.1
done
rc=0
wait $pid || rc=$?
[ -n "$crashed" ] || {
	echo "no crash: the run ended before a batch was committed"
	exit 1
}
echo "server crashed $crashed; the run exited with $rc: $(head -c 300 "$tmp/out-crash.err")"
if [ $rc -ne 0 ]; then
	grep -qiE "PostgreSQL|connection" "$tmp/out-crash.err"
fi

# the same run again completes; the store is that of an uninterrupted run
run "$uri" "$tmp/out-pg"
diff -r "$tmp/out-sqlite" "$tmp/out-pg"
"$dump" "sqlite:$tmp/s.db" >"$tmp/dump-sqlite"
"$dump" "$uri" >"$tmp/dump-pg"
diff "$tmp/dump-sqlite" "$tmp/dump-pg"
events_sqlite "$tmp/s.db" >"$tmp/events-sqlite"
events_pg "$uri" >"$tmp/events-pg"
diff "$tmp/events-sqlite" "$tmp/events-pg"
twice=$("$pg_bin/psql" -X -At "$uri" -c "SELECT count(*) FROM (SELECT op, lag(op) OVER (PARTITION BY
 event_key ORDER BY seq) AS prev FROM outbox) x WHERE op = prev OR (prev IS NULL AND op <> 1)")
[ "$twice" = 0 ] || {
	echo "an event key was posted twice (or withdrawn unposted): $twice"
	exit 1
}
echo "ok: $(grep -c '^posting|' "$tmp/dump-pg") postings, $(wc -l <"$tmp/events-pg") events after the crash and re-run, identical to SQLite"
