#!/usr/bin/env bash
# bench.sh - runs every benchmark of bench/ (release build) and prints its figures.
# Benchmarks are measurements, not tests: run them on a quiet machine.
set -euo pipefail
cd "$(dirname "$0")/.."
export VAXSYNC_REFDATA="${VAXSYNC_REFDATA:-$(cd .. && pwd)/shared/data}"
cmake --preset release >/dev/null
cmake --build --preset release -j "$(nproc)"
for b in build/release/bench/bench_*; do
  [ -x "$b" ] || continue
  echo "== $(basename "$b")"
  "$b"
done
