#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make lint`: the kernel's own checks on the module, all of which must be
# clean: checkpatch.pl --strict (from Debian's linux-source), sparse with
# C=2, and a W=1 build with no warning.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TCPHS_ROOT"
mkdir -p "$TCPHS_BUILD"

"$TCPHS_SCRIPTS/setup.sh" >/dev/null || tcphs_die "installing dependencies failed"
tcphs_kernel_paths

# checkpatch.pl and its data files, unpacked once from linux-source-*.
checkpatch() {
	local cache=${XDG_CACHE_HOME:-$HOME/.cache}/tcphs tar src
	tar=$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)
	[ -n "$tar" ] || tcphs_die "no /usr/src/linux-source-*.tar.xz; run scripts/setup.sh"
	src=$(basename "$tar" .tar.xz)
	if [ ! -f "$cache/$src/scripts/checkpatch.pl" ]; then
		mkdir -p "$cache"
		tar -C "$cache" -xJf "$tar" "$src/scripts/checkpatch.pl" \
			"$src/scripts/spelling.txt" "$src/scripts/const_structs.checkpatch" ||
			tcphs_die "cannot unpack checkpatch.pl from $tar"
	fi
	echo "$cache/$src/scripts/checkpatch.pl"
}

failed=0
files=$(ls module/*.c module/*.h include/uapi/linux/tcphs.h include/tcphs_names.h |
	grep -v '\.mod\.c$')

echo "=== checkpatch --strict"
# shellcheck disable=SC2086
perl "$(checkpatch)" --strict --no-tree --terse --show-types -f $files |
	tee "$TCPHS_BUILD/checkpatch.log" | grep -v '^total: 0 errors, 0 warnings, 0 checks'
grep -q ': \(ERROR\|WARNING\|CHECK\):' "$TCPHS_BUILD/checkpatch.log" && failed=1

echo "=== sparse (C=2) and W=1"
make -s -C "$KDIR" M="$TCPHS_ROOT" clean >/dev/null 2>&1
out=$(make -C "$KDIR" M="$TCPHS_ROOT" C=2 W=1 modules 2>&1)
rc=$?
grep -E 'warning:|error:' <<<"$out" && failed=1
[ $rc = 0 ] || { echo "$out"; failed=1; }

if [ $failed = 0 ]; then
	echo "lint: clean"
else
	echo "lint: problems found"
fi
exit $failed
