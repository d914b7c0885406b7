#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Runs every tests/vm/t_*.sh (or those named) and sums their results.
dir=$(cd "$(dirname "$0")" && pwd)
passed=0
failed=0
scripts=$*
[ -n "$scripts" ] || scripts=$(ls "$dir"/t_*.sh)
for t in $scripts; do
	[ -e "$t" ] || t=$dir/$t
	echo "=== $(basename "$t")"
	out=/tmp/$(basename "$t").log
	sh "$t" 2>&1 | tee "$out"
	line=$(grep '^RESULT ' "$out" | tail -n1)
	p=$(echo "$line" | sed -n 's/.*: \([0-9]*\) passed.*/\1/p')
	f=$(echo "$line" | sed -n 's/.* \([0-9]*\) failed.*/\1/p')
	if [ -z "$p" ]; then
		echo "not ok $(basename "$t"): ended without a result"
		f=1
		p=0
	fi
	passed=$((passed + p))
	failed=$((failed + f))
done
echo "vm: $passed passed, $failed failed"
[ "$failed" = 0 ]
