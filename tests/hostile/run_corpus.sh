#!/usr/bin/env bash
# run_corpus.sh VAXSYNC [CASE...] - runs the hostile shot-file corpus (make_corpus.py)
# through `vaxsync check`, `vaxsync run` (a fresh store each) and `vaxsync link`
# (as its shots) and judges every case with check_case.py: exit codes, the same
# rejected lines and reasons from the three commands (and in the worklist), the
# exact set of stored records and of linked rows, no sanitizer report. Cases
# marked known_bug are skipped with their text. Then /dev/zero as the shots file
# must end with an error within 60 s, and so must a line that never ends (from a
# pipe), within a bounded number of bytes.
# Needs python3 and VAXSYNC_REFDATA (default ../shared/data). Exit 0 when all pass.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:?usage: run_corpus.sh VAXSYNC [CASE...]}
shift
export VAXSYNC_REFDATA=${VAXSYNC_REFDATA:-$here/../../../shared/data}
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1}
today=2026-12-01 # fixed, so "in the future" does not move
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
corpus=$tmp/corpus
# the interpreter itself, not a version-manager shim (a shim costs ~0.3 s a call)
py=$(python3 -c 'import sys; print(sys.executable)')
"$py" "$here/make_corpus.py" "$corpus" >/dev/null

pass=0 fail=0 skip=0
failed=()
if [ $# -gt 0 ]; then names=("$@"); else
	mapfile -t names < <(cd "$corpus" && ls -- *.json | sed 's/\.json$//' | sort)
fi
for name in "${names[@]}"; do
	side=$corpus/$name.json
	file=$corpus/$name.csv
	bug=""
	# a Python start per case costs more than the grep (149 cases, most without the key)
	if grep -q '"known_bug"' "$side"; then
		bug=$("$py" -c 'import json,sys; print(json.load(open(sys.argv[1])).get("known_bug",""))' "$side")
	fi
	if [ -n "$bug" ]; then
		echo "SKIP $name: known bug: $bug"
		skip=$((skip + 1))
		continue
	fi
	db=$tmp/$name.db
	# check and run side by side (2 cores): the ASan start-up dominates small cases
	crc=0 rrc=0 lrc=0
	timeout 60 "$bin" check --threads 1 "$file" >"$tmp/check.out" 2>"$tmp/check.err" &
	cpid=$!
	# link reads the file as its right side with the same reader
	timeout 60 "$bin" link --threads 1 --no-train -q --registry "$here/registry.csv" --shots "$file" \
		-o "$tmp/links.csv" >"$tmp/link.out" 2>"$tmp/link.err" &
	lpid=$!
	timeout 60 "$bin" run --threads 1 --no-train --today "$today" --registry "$here/registry.csv" \
		--shots "$file" --db "$db" >"$tmp/run.out" 2>"$tmp/run.err" || rrc=$?
	wait "$cpid" || crc=$?
	wait "$lpid" || lrc=$?
	if out=$("$py" "$here/check_case.py" "$side" "$file" "$crc" "$tmp/check.err" "$rrc" "$tmp/run.err" "$db" \
		"$lrc" "$tmp/link.err" "$tmp/links.csv"); then
		echo "ok   $name"
		pass=$((pass + 1))
	else
		echo "FAIL $name"
		sed 's/^/       /' <<<"$out"
		echo "       repro: python3 $here/make_corpus.py DIR; $bin check DIR/$name.csv;" \
			"$bin run --no-train --today $today --registry $here/registry.csv --shots DIR/$name.csv --db D.db;" \
			"$bin link --no-train --registry $here/registry.csv --shots DIR/$name.csv -o L.csv"
		fail=$((fail + 1))
		failed+=("$name")
	fi
	rm -f "$db" "$db"-wal "$db"-shm "$tmp/links.csv"
done

# An endless input: every command must stop with an error, not hang or grow.
if [ $# -eq 0 ]; then
	for cmd in check run link; do
		rc=0
		start=$SECONDS
		if [ $cmd = check ]; then
			timeout 60 "$bin" check /dev/zero >/dev/null 2>"$tmp/zero.err" || rc=$?
		elif [ $cmd = link ]; then
			timeout 60 "$bin" link --no-train -q --registry "$here/registry.csv" --shots /dev/zero \
				-o "$tmp/zero.links.csv" >/dev/null 2>"$tmp/zero.err" || rc=$?
		else
			timeout 60 "$bin" run --no-train --today "$today" --registry "$here/registry.csv" \
				--shots /dev/zero --db "$tmp/zero.db" >/dev/null 2>"$tmp/zero.err" || rc=$?
		fi
		if [ $rc -ne 0 ] && [ $rc -ne 124 ] && [ $rc -lt 128 ] && ! grep -qE 'Sanitizer|runtime error:' "$tmp/zero.err"; then
			echo "ok   dev_zero_$cmd (exit $rc in $((SECONDS - start)) s)"
			pass=$((pass + 1))
		else
			echo "FAIL dev_zero_$cmd: exit $rc after $((SECONDS - start)) s: $(head -c 300 "$tmp/zero.err")"
			fail=$((fail + 1))
			failed+=("dev_zero_$cmd")
		fi
	done
fi

# A line that never ends, from a pipe (a header, one good row, then 'x' for up to 1 GB):
# both commands must stop with CSV_ROW_TOO_LONG at file:3 after a bounded number of
# bytes (the reader gives up 64 MiB into the line; the pipe and its window add little).
if [ $# -eq 0 ]; then
	for cmd in check run link; do
		rc=0
		start=$SECONDS
		set +o pipefail
		"$py" -c '
import sys
n = 0
out = sys.stdout.buffer
try:
    out.write(b"record_id,facility_code,full_name\nR1,F01,A\n")
    chunk = b"x" * 65536
    while n < (1 << 30):
        out.write(chunk)
        n += len(chunk)
    out.flush()
except BrokenPipeError:
    pass
open(sys.argv[1], "w").write(str(n))
' "$tmp/endless.count" 2>/dev/null |
			if [ $cmd = check ]; then
				timeout 60 "$bin" check - >/dev/null 2>"$tmp/endless.err"
			elif [ $cmd = link ]; then
				timeout 60 "$bin" link --no-train -q --registry "$here/registry.csv" --shots - \
					-o "$tmp/endless.links.csv" >/dev/null 2>"$tmp/endless.err"
			else
				timeout 60 "$bin" run --no-train --today "$today" --registry "$here/registry.csv" \
					--shots - --db "$tmp/endless.db" >/dev/null 2>"$tmp/endless.err"
			fi || rc=$?
		set -o pipefail
		sent=$(cat "$tmp/endless.count" 2>/dev/null || echo 0)
		if [ $rc -eq 1 ] && [ "$sent" -le $((80 << 20)) ] &&
			grep -qE '^(vaxsync: )?-:3: .*\[CSV_ROW_TOO_LONG\]' "$tmp/endless.err" &&
			! grep -qE 'Sanitizer|runtime error:' "$tmp/endless.err"; then
			echo "ok   endless_pipe_$cmd (exit $rc after $((sent >> 20)) MiB in $((SECONDS - start)) s)"
			pass=$((pass + 1))
		else
			echo "FAIL endless_pipe_$cmd: exit $rc after $((sent >> 20)) MiB: $(head -c 300 "$tmp/endless.err")"
			fail=$((fail + 1))
			failed+=("endless_pipe_$cmd")
		fi
		rm -f "$tmp/endless.db" "$tmp/endless.db"-wal "$tmp/endless.db"-shm "$tmp/endless.count"
	done
fi

echo "hostile corpus: $pass passed, $fail failed, $skip skipped (known bugs)"
if [ $fail -gt 0 ]; then
	echo "failed: ${failed[*]}"
	exit 1
fi
