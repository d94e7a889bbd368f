#!/usr/bin/env bash
# demo.sh - sets up everything and runs the main job on generated data:
# a medium data set (100 k citizens, their shot records with realistic typing
# mistakes) goes through the whole pipeline: ingest, standardize, link, verify,
# post; then prints the summary and where the worklists and database are.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export VAXSYNC_REFDATA="${VAXSYNC_REFDATA:-$(cd .. && pwd)/shared/data}"
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
vs=build/release/src/cli/vaxsync
out="${VS_DEMO_OUT:-demo-out}"
preset="${VS_DEMO_PRESET:-medium}"
rm -rf "$out"
mkdir -p "$out"

echo "== generate: $preset preset"
"$vs" generate --preset "$preset" --seed 2022 --out "$out/data"

echo "== check the facility file"
"$vs" check "$out/data/shots.csv"

echo "== run the pipeline"
"$vs" run --registry "$out/data/registry.csv" --shots "$out/data/shots.csv" \
  --db "$out/vaxsync.db" --out "$out"

echo "== the review loop: one commune's worklist, one record explained, one decision"
db="$out/vaxsync.db"
item=$(sqlite3 "$db" "SELECT commune_code || ' ' || facility_code || ' ' || record_id FROM worklist
                      WHERE kind = 2 AND category = 'review' ORDER BY rid LIMIT 1")
if [ -n "$item" ]; then
  read -r commune facility record <<<"$item"
  "$vs" review list --commune "$commune" --limit 3 --db "$db" --as demo-officer
  "$vs" review show "$facility" "$record" --db "$db" --as demo-officer
  "$vs" review confirm "$facility" "$record" --db "$db" --as demo-officer --note "demo"
fi

echo "== accuracy against the generator's truth"
"$vs" eval --truth "$out/data/truth.csv" --links "$out/links.csv" \
  --registry "$out/data/registry.csv" --shots "$out/data/shots.csv"

echo
echo "Database: $out/vaxsync.db"
echo "Worklists: $out/worklists/"
