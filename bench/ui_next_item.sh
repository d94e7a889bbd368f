#!/usr/bin/env bash
# ui_next_item.sh - the review queue's pace in a real browser: a commune
# officer decides N items with one key each and the time until the next item
# is drawn is measured (bench/ui_next_item.mjs, headless Debian chromium via
# playwright-core, the version the UI tests pin). The service listens on
# 127.0.0.1 only. Not a test: it prints figures.
#
#   bench/ui_next_item.sh --db STORE [--items 20] [--bin PATH]
#
# STORE is a store made by `vaxsync run` (for the issue's figure, 1 M
# citizens: generate --preset large). It adds a user to it and writes the
# decisions into it: use a copy.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/src/cli/vaxsync db= items=20
while [ $# -gt 0 ]; do
  case "$1" in
    --db) db=$2; shift 2 ;;
    --items) items=$2; shift 2 ;;
    --bin) bin=$2; shift 2 ;;
    *) echo "ui_next_item.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$db" ] || { echo "ui_next_item.sh: --db STORE is needed" >&2; exit 2; }
: "${VAXSYNC_REFDATA:?VAXSYNC_REFDATA must name the reference data}"
playwright_version=$(sed -n 's/^playwright_version=//p' tests/ui/run_ui.sh)
tools=build/release/bench/ui-tools
have=$(node -p "require('$PWD/$tools/node_modules/playwright-core/package.json').version" 2>/dev/null || true)
if [ "$have" != "$playwright_version" ]; then
  npm install --prefix "$tools" --no-audit --no-fund --loglevel=error "playwright-core@$playwright_version"
fi
bin=$(realpath "$bin")
work=$(mktemp -d /tmp/vs_ui_bench_XXXXXX)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true; rm -rf "$work"; }
trap cleanup EXIT
commune=$(sqlite3 "$db" "SELECT commune_code FROM worklist WHERE kind = 2 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
user=bench_ui_$$
printf 'bench-password\n' | "$bin" user add "$user" --role commune --area "$commune" --db "$db"
echo "== store: $db ($(sqlite3 "$db" "SELECT count(*) FROM citizens") citizens), commune $commune" \
  "($(sqlite3 "$db" "SELECT count(*) FROM worklist WHERE kind = 2 AND commune_code = '$commune'") items)"
"$bin" serve --db "$db" --listen 127.0.0.1:0 --threads 2 --rate 0 --spool "$work/spool" >"$work/serve.out" 2>"$work/serve.err" &
server=$!
for _ in $(seq 1 1200); do grep -q listening "$work/serve.out" 2>/dev/null && break; sleep 0.1; done
base=$(sed -n 's/^listening on //p' "$work/serve.out")
[ -n "$base" ] || { cat "$work/serve.err" >&2; echo "ui_next_item.sh: the service did not start" >&2; exit 1; }
VS_BASE="$base" VS_USER="$user" VS_PASSWORD=bench-password VS_ITEMS="$items" \
  node bench/ui_next_item.mjs "$PWD/$tools"
echo "== the service's time per route (seconds, count)"
curl -s "$base/metrics" | grep -E '^vaxsync_http_request_duration_seconds_(sum|count)\{route="(review|explain|worklist)"'
