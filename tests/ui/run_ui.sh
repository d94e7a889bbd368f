#!/usr/bin/env bash
# run_ui.sh VAXSYNC TOOLS WORK - the web UI end to end in headless Chromium:
# a small generated population through `vaxsync run`, three users, `vaxsync
# serve` on a free port of 127.0.0.1, then ui_test.mjs (playwright-core
# driving Debian's /usr/bin/chromium) and a look at the audit afterwards.
# Screenshots go to WORK/screenshots. Missing chromium or node is a failure.
set -euo pipefail
vaxsync=$1 tools=$2 work=$3
src=${VS_UI_SOURCE:?}
playwright_version=1.65.2
chromium=${VS_CHROMIUM:-/usr/bin/chromium}
refdata=${VAXSYNC_REFDATA:?VAXSYNC_REFDATA must name the reference data}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}:abort_on_error=1

fail() { echo "ui_browser: FAIL: $*" >&2; exit 1; }
command -v node >/dev/null || fail "node is missing (apt-get install nodejs npm; scripts/packages.txt)"
command -v npm >/dev/null || fail "npm is missing (apt-get install npm; scripts/packages.txt)"
[ -x "$chromium" ] || fail "$chromium is missing (apt-get install chromium; scripts/packages.txt)"
command -v sqlite3 >/dev/null || fail "sqlite3 is missing (scripts/packages.txt)"

# playwright-core, pinned, into the build directory (never into the source tree)
have=$(node -p "require('$tools/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
if [ "$have" != "$playwright_version" ]; then
  mkdir -p "$tools"
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "playwright-core@$playwright_version" \
    || fail "npm install playwright-core@$playwright_version"
fi

rm -rf "$work"
mkdir -p "$work/screenshots"
cd "$work"
server_pid=
cleanup() { if [ -n "$server_pid" ]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi; }
trap cleanup EXIT

today=2026-12-01
"$vaxsync" generate --out data --preset small --seed 3 --refdata "$refdata" -q
"$vaxsync" run --registry data/registry.csv --shots data/shots.csv --db store.db --today "$today" -q \
  --refdata "$refdata" --threads 2 > run.log

# the commune with the most link-review items whose queue (in rid order) starts with an item that
# has a candidate (ui_test.mjs compares the first item with it), another commune with items, and
# the facility with the most items
commune_a=$(sqlite3 store.db "SELECT w.commune_code FROM worklist w WHERE w.kind=2 AND w.category='review'
  AND w.reasons LIKE 'LINK_LOW_SCORE%' AND coalesce((SELECT f.citizen_id FROM worklist f WHERE f.kind=2
  AND f.commune_code=w.commune_code ORDER BY f.rid LIMIT 1), '') <> ''
  GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
commune_b=$(sqlite3 store.db "SELECT commune_code FROM worklist WHERE kind=2 AND commune_code<>'$commune_a'
  AND commune_code<>'' GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
facility=$(sqlite3 store.db "SELECT facility_code FROM worklist WHERE kind=1 GROUP BY 1 ORDER BY count(*) DESC, 1 LIMIT 1")
[ -n "$commune_a" ] && [ -n "$commune_b" ] && [ -n "$facility" ] || fail "the data set has no review items"
echo "ui_browser: commune A $commune_a, commune B $commune_b, facility $facility"

echo 'officer-a-pass-1' | "$vaxsync" user add officer_a --role commune --area "$commune_a" --db store.db >/dev/null
echo 'officer-b-pass-1' | "$vaxsync" user add officer_b --role commune --area "$commune_b" --db store.db >/dev/null
echo 'clerk-pass-1' | "$vaxsync" user add clerk1 --role clerk --area "$facility" --db store.db >/dev/null
district_a=$(sqlite3 store.db "SELECT district_code FROM citizens WHERE commune_code='$commune_a' LIMIT 1")
echo 'manager-pass-1' | "$vaxsync" user add manager_a --role district --area "$district_a" --db store.db >/dev/null
province_a=$(sqlite3 store.db "SELECT province_code FROM citizens WHERE commune_code='$commune_a' LIMIT 1")
# a district outside manager A's (the data set's, else Ba Dinh of Ha Noi)
district_b=$(sqlite3 store.db "SELECT district_code FROM citizens WHERE district_code<>'$district_a' LIMIT 1")
[ -n "$district_b" ] || district_b=$([ "$district_a" = 001 ] && echo 002 || echo 001)
echo 'ministry-pass-1' | "$vaxsync" user add ministry1 --role ministry --db store.db >/dev/null
echo 'admin-pass-1' | "$vaxsync" user add admin1 --role admin --db store.db >/dev/null

"$vaxsync" serve --db store.db --listen 127.0.0.1:0 --today "$today" --refdata "$refdata" \
  --web "$src/web" > serve.out 2> serve.err &
server_pid=$!
for _ in $(seq 1 600); do
  grep -q '^listening on ' serve.out 2>/dev/null && break
  kill -0 "$server_pid" 2>/dev/null || { cat serve.err >&2; fail "vaxsync serve exited"; }
  sleep 0.1
done
base=$(sed -n 's/^listening on //p' serve.out)
[ -n "$base" ] || fail "vaxsync serve did not print its address"

VS_BASE="$base" VS_CHROMIUM="$chromium" VS_SHOTS="$work/screenshots" \
  VS_COMMUNE_A="$commune_a" VS_COMMUNE_B="$commune_b" VS_FACILITY="$facility" VS_DISTRICT_A="$district_a" \
  VS_PROVINCE_A="$province_a" VS_DISTRICT_B="$district_b" \
  VS_REFDATA="$refdata" VS_WORK="$work" VS_REGISTRY="$work/data/registry.csv" VS_SHOTS_CSV="$work/data/shots.csv" VS_REASONS_DEF="$src/include/vaxsync/reasons.def" \
  node "$src/tests/ui/ui_test.mjs" "$tools" > ui_test.out || { cat ui_test.out; fail "browser test"; }
cat ui_test.out

# the decision made in the browser is in the access audit and the decisions
confirmed=$(sed -n 's/^confirmed //p' ui_test.out)
[ -n "$confirmed" ] || fail "the browser test named no confirmed record"
"$vaxsync" audit --db store.db --user officer_a > audit.txt
grep -P "\tdecide:confirm\t$confirmed\t.*\tok\t" audit.txt >/dev/null || fail "no audit row decide:confirm for $confirmed"
grep -P "\tsubmit\t$facility UI-1\t.*\tok\t" <("$vaxsync" audit --db store.db --user clerk1) >/dev/null \
  || fail "no audit row of the clerk's submit"
citizen=$(sed -n 's/^citizen //p' ui_test.out)
n=$(sqlite3 store.db "SELECT count(*) FROM decisions WHERE facility_code || ' ' || record_id = '$confirmed'
  AND action = 'confirm' AND actor = 'officer_a' AND citizen_after = '$citizen'" || echo error)
[ "$n" = 1 ] || fail "the decisions table has $n confirm rows for $confirmed ($citizen) by officer_a"
kill "$server_pid"
wait "$server_pid" || fail "vaxsync serve did not stop cleanly"
server_pid=
grep -q 'ERROR: AddressSanitizer\|runtime error' serve.err && { cat serve.err >&2; fail "sanitizer report from serve"; }
echo "ui_browser: ok (screenshots in $work/screenshots)"
