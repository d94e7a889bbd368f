#!/usr/bin/env bash
# test.sh - sets up everything and runs every test: the ASan+UBSan build with
# all warnings as errors, the CTest suite (the store's conformance suite on
# SQLite and on a throw-away PostgreSQL cluster), a short libFuzzer run of
# every parser target and the clang-format check. This is what CI runs (.ci/run).
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
# The PostgreSQL tests run on a throw-away cluster that CTest's pg_cluster
# fixture starts (scripts/pg-test-cluster.sh: initdb + pg_ctl as an
# unprivileged user, a free port, a temporary folder) and stops; the trap
# removes it even when ctest is killed. pg_crash_run starts its own.
pg_state=build/asan/pg-test-cluster.state
trap 'bash scripts/pg-test-cluster.sh stop "$pg_state" >/dev/null 2>&1 || true' EXIT
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
ctest --preset asan -j "$jobs"
