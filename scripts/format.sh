#!/usr/bin/env bash
# format.sh [--check] - formats every C file of the project with clang-format
# (.clang-format); with --check, lists the files that differ and fails.
set -euo pipefail
cd "$(dirname "$0")/.."
mapfile -t files < <(git ls-files '*.c' '*.h')
[ ${#files[@]} -gt 0 ] || exit 0
if [ "${1:-}" = "--check" ]; then
  bad=0
  for f in "${files[@]}"; do
    if ! clang-format --style=file "$f" | cmp -s - "$f"; then
      echo "format: $f differs from clang-format (run scripts/format.sh)" >&2
      bad=1
    fi
  done
  [ "$bad" = 0 ] && echo "format: ${#files[@]} files clean"
  exit "$bad"
fi
clang-format --style=file -i "${files[@]}"
