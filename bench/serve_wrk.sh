#!/usr/bin/env bash
# serve_wrk.sh - load benchmark of `vaxsync serve` with wrk, on 127.0.0.1 only,
# each run bounded in time. Prints wrk's figures (requests/s, latency
# percentiles) for worklist page reads and for single-record submits.
#
#   bench/serve_wrk.sh [--bin PATH] [--preset small|medium|...] [--seed N]
#                      [--db STORE] [--duration 10s] [--threads 2] [--conns 16]
#                      [--upload-rows N] [--shots FILE] [--only reads|submits]
#
# With --upload-rows N (and the generated shots file, or --shots FILE with
# --db) it then uploads N of those rows as the clerk's facility's (new record
# ids) and reads worklist pages with wrk in rounds of --duration for as long
# as the upload job runs, printing each round's latency and the job's time
# and receipt: the service's reads while a large file goes in.
#
# Without --db it generates a population (`vaxsync generate`), runs the
# pipeline into a fresh store in a temporary folder, and removes it at the
# end. With --db it works on that store (it adds two bench users and writes
# submitted records into it). Needs wrk (Debian `wrk`) and a built vaxsync
# (default build/release/src/cli/vaxsync). VAXSYNC_REFDATA or --refdata must
# name the reference data.
set -euo pipefail
cd "$(dirname "$0")/.."
bin=build/release/src/cli/vaxsync preset=small seed=3 db= duration=10s threads=2 conns=16 upload_rows=0 shots= only=
refdata=${VAXSYNC_REFDATA:-}
while [ $# -gt 0 ]; do
  case "$1" in
    --bin) bin=$2; shift 2 ;;
    --preset) preset=$2; shift 2 ;;
    --seed) seed=$2; shift 2 ;;
    --db) db=$2; shift 2 ;;
    --duration) duration=$2; shift 2 ;;
    --threads) threads=$2; shift 2 ;;
    --conns) conns=$2; shift 2 ;;
    --refdata) refdata=$2; shift 2 ;;
    --upload-rows) upload_rows=$2; shift 2 ;;
    --shots) shots=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) echo "serve_wrk.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
[ -n "$refdata" ] || { echo "serve_wrk.sh: set VAXSYNC_REFDATA or pass --refdata" >&2; exit 2; }
command -v wrk >/dev/null || { echo "serve_wrk.sh: wrk is not installed (apt-get install wrk)" >&2; exit 2; }
export VAXSYNC_REFDATA=$refdata
bin=$(realpath "$bin")
work=$(mktemp -d /tmp/vs_serve_wrk_XXXXXX)
server=
cleanup() {
  [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

if [ -z "$db" ]; then
  db=$work/store.db
  "$bin" generate --out "$work/gen" --preset "$preset" --seed "$seed" -q
  "$bin" run --registry "$work/gen/registry.csv" --shots "$work/gen/shots.csv" --db "$db" -q >/dev/null
  shots=${shots:-$work/gen/shots.csv}
fi

# the busiest commune list and facility; a commune officer and a facility clerk
commune=$(sqlite3 "$db" "SELECT commune_code FROM worklist WHERE kind = 2 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
facility=$(sqlite3 "$db" "SELECT facility_code FROM worklist WHERE kind = 1 GROUP BY 1 ORDER BY count(*) DESC LIMIT 1")
suffix=$$
printf 'bench-password\n' | "$bin" user add "bench_officer_$suffix" --role commune --area "$commune" --db "$db"
printf 'bench-password\n' | "$bin" user add "bench_clerk_$suffix" --role clerk --area "$facility" --db "$db"
token=$("$bin" user token "bench_clerk_$suffix" --label bench --db "$db" | awk '{print $NF}')

"$bin" serve --db "$db" --listen 127.0.0.1:0 --threads "$threads" --max-conns 1024 --max-conns-per-ip 0 --rate 0 \
  --max-upload 1000000000 --spool "$work/spool" >"$work/serve.out" &
server=$!
for _ in $(seq 1 600); do
  grep -q listening "$work/serve.out" 2>/dev/null && break
  sleep 0.1
done
port=$(sed -n 's/.*:\([0-9]*\)$/\1/p' "$work/serve.out" | head -1)
[ -n "$port" ] || { echo "serve_wrk.sh: the service did not start" >&2; exit 1; }
url=http://127.0.0.1:$port
cookie=$(curl -s -i -H 'Content-Type: application/json' \
  -d "{\"name\":\"bench_officer_$suffix\",\"password\":\"bench-password\"}" "$url/api/v1/session" |
  sed -n 's/^Set-Cookie: \(vs_session=[0-9a-f]*\).*/\1/p')
[ -n "$cookie" ] || { echo "serve_wrk.sh: login failed" >&2; exit 1; }

# worklist pages: the first page and the pages after it, 50 items each
cat >"$work/worklist.lua" <<EOF
local afters = {}
local n = 0
request = function()
  n = n + 1
  local path = "/api/v1/worklist?commune=$commune&limit=50"
  if n % 4 ~= 0 and #afters > 0 then path = path .. "&after=" .. afters[(n % #afters) + 1] end
  return wrk.format("GET", path, {["Cookie"] = "$cookie"})
end
response = function(status, headers, body)
  local after = body:match('"next_after":(%d+)')
  if after and #afters < 64 then afters[#afters + 1] = after end
end
EOF

# submits: a new record per request for a citizen of the registry (a new
# dose of a real person: linked, verified, posted)
people=$work/people.lua
echo "people = {" >"$people"
sqlite3 -separator , "$db" "SELECT citizen_id, full_name, dob FROM citizens WHERE dead = 0 AND dob LIKE '____-__-__'
  AND dob < '2005' ORDER BY random() LIMIT 2000" |
  awk -F, '{ printf "{\"%s\",\"%s\",\"%s\"},\n", $1, $2, $3 }' >>"$people"
echo "}" >>"$people"
cat >"$work/submit.lua" <<EOF
dofile("$people")
local n = 0
local tag = tostring(math.random(1, 1000000000))
setup = function(thread) thread:set("tid", tostring(math.random(1, 1000000000))) end
request = function()
  n = n + 1
  local p = people[(n % #people) + 1]
  local body = string.format('{"facility_code":"$facility","record_id":"wrk-%s-%s-%d","full_name":"%s","dob":"%s",'
    .. '"id_number":"%s","vaccine":"Pfizer","lot":"WRK1","dose":"4","shot_date":"2023-0%d-1%d"}',
    tag, tid or "0", n, p[2], p[3], p[1], (n % 9) + 1, n % 10)
  return wrk.format("POST", "/api/v1/records",
    {["Content-Type"] = "application/json", ["Authorization"] = "Bearer $token"}, body)
end
EOF

echo "== store: $db ($(sqlite3 "$db" "SELECT count(*) FROM citizens") citizens), commune $commune, facility $facility"
if [ "$only" != submits ]; then
  echo "== worklist page reads: wrk -t2 -c$conns -d$duration --latency"
  wrk -t2 -c"$conns" -d"$duration" --latency -s "$work/worklist.lua" "$url"
fi
if [ "$only" != reads ]; then
  echo "== single-record submits: wrk -t2 -c4 -d$duration --latency"
  wrk -t2 -c4 -d"$duration" --latency -s "$work/submit.lua" "$url"
fi
echo "== answers by route and status"
curl -s "$url/metrics" | grep -E "^vaxsync_http_requests_total|_sum|_count|bucket.*records"

[ "$upload_rows" -gt 0 ] || exit 0
[ -n "$shots" ] || { echo "serve_wrk.sh: --upload-rows needs --shots FILE with --db" >&2; exit 2; }
# the first N rows of the shots file as the clerk's facility's, under new record ids
awk -F, -v OFS=, -v f="$facility" -v n="$upload_rows" -v tag="up$suffix" \
  'NR == 1 { print; next } NR - 1 > n { exit } { $1 = tag "-" NR; $2 = f; print }' "$shots" >"$work/upload.csv"
echo "== upload of $upload_rows rows ($(du -h "$work/upload.csv" | cut -f1)) while worklist pages are read"
t0=$(date +%s.%N)
job=$(curl -s -H "Authorization: Bearer $token" -H 'Content-Type: text/csv' --data-binary @"$work/upload.csv" \
  "$url/api/v1/uploads" | sed -n 's/.*"job_id":\([0-9]*\).*/\1/p')
[ -n "$job" ] || { echo "serve_wrk.sh: the upload was refused" >&2; exit 1; }
state() { curl -s -H "Authorization: Bearer $token" "$url/api/v1/jobs/$job"; }
round=0
while state | grep -q '"state":"\(queued\|running\)"' && [ "$round" -lt 120 ]; do
  round=$((round + 1))
  echo "-- round $round (job: $(state | sed -n 's/.*"done_rows":\([0-9]*\).*/\1/p') rows done)"
  wrk -t2 -c"$conns" -d"$duration" --latency -s "$work/worklist.lua" "$url" |
    grep -E "Requests/sec|^ +(50|90|99)%"
done
while state | grep -q '"state":"\(queued\|running\)"'; do sleep 1; done
t1=$(date +%s.%N)
echo "== upload job: $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }') s from the first byte to done"
state | sed 's/,"records":\[.*\],"records_total"/,"records_total"/' # the receipt, not every row
echo