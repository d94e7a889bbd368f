#!/usr/bin/env bash
# fuzz.sh [SECONDS] - builds the libFuzzer targets (clang, fuzz preset) and runs
# each for SECONDS (default 15), as many at a time as there are cores. Fails on
# any crash, leak or sanitizer report.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-15}"
cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"
mapfile -t targets < <(find build/fuzz/tests/fuzz -maxdepth 1 -type f -name 'fuzz_*' -perm -u+x | sort)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no targets built" >&2
  exit 1
fi
# one target per core at a time: each still gets a whole core for SECONDS
run_one() {
  t="$1"
  name=$(basename "$t")
  corpus="build/fuzz/corpus/$name"
  mkdir -p "$corpus"
  seeds="tests/fuzz/seeds/$name"
  [ -d "$seeds" ] || seeds=""
  # the settings parser is seeded with the shipped profiles (valid settings reach deep)
  [ "$name" = fuzz_settings ] && seeds="$seeds profiles"
  if ! "$t" -max_total_time="$secs" -max_len=4096 -timeout=10 -rss_limit_mb=2048 \
      -artifact_prefix="build/fuzz/$name-" "$corpus" $seeds >"build/fuzz/$name.log" 2>&1; then
    tail -50 "build/fuzz/$name.log" >&2
    echo "fuzz: $name FAILED (artifact in build/fuzz/)" >&2
    return 1
  fi
  echo "fuzz: $name ${secs}s: $(tail -1 "build/fuzz/$name.log")"
}
export -f run_one
export secs
if ! printf '%s\n' "${targets[@]}" | xargs -P "$(nproc)" -I{} bash -c 'run_one "$1"' _ {}; then
  echo "fuzz: a target failed" >&2
  exit 1
fi
echo "fuzz: ${#targets[@]} targets passed"
