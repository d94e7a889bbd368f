#!/usr/bin/env bash
# test.sh - sets up everything and runs every test: the ASan+UBSan build with
# all warnings as errors, the CTest suite, a short libFuzzer run of every
# parser target and the clang-format check. This is what CI runs (.ci/run).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
export VAXSYNC_REFDATA="${VAXSYNC_REFDATA:-$(cd .. && pwd)/shared/data}"
jobs=$(nproc)

echo "== format check (clang-format)"
bash scripts/format.sh --check

echo "== build (asan: ASan + UBSan, -Werror)"
cmake --preset asan >/dev/null
cmake --build --preset asan -j "$jobs"

echo "== fuzz (libFuzzer, ${VS_FUZZ_SECONDS:=15} s per target)"
bash scripts/fuzz.sh "$VS_FUZZ_SECONDS"

echo "== tests (ctest)"
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --preset asan -j "$jobs"
