#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch the Debian kernel image the test VM boots, without installing it:
# apt-get download of linux-image-REL at the version of the installed
# linux-headers-REL, unpacked into the cache with its modules decompressed
# and indexed (depmod -b).  Nothing lands in /boot or in the package
# database, so no boot loader can pick this kernel up.  Idempotent.
#
# Usage: scripts/vm-kernel.sh [REL]
#
#   REL   kernel release; default the one the VM boots (see
#         tcphs_pick_kver in lib.sh: the newest installed
#         linux-headers-*-cloud-amd64)
#
# Prints VMLINUZ= and MODDIR= as shell assignments.
# Cache: ${XDG_CACHE_HOME:-~/.cache}/tcphs/vm-kernel/REL (older releases
# are removed once a newer one is unpacked).
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

case ${1:-} in
-h | --help)
	sed -n '4,/^set -euo/{/^#/s/^# \{0,1\}//p;}' "$0" >&2
	exit 2
	;;
esac

REL=${1:-}
[ -n "$REL" ] || REL=$(tcphs_pick_kver) ||
	tcphs_die "no linux-headers-*-cloud-amd64 installed; run scripts/setup.sh"
D=$TCPHS_CACHE/vm-kernel/$REL

if [ ! -f "$D/.done" ]; then
	for t in apt-get dpkg-deb dpkg-query depmod; do
		command -v "$t" >/dev/null 2>&1 || tcphs_die "missing $t (run scripts/setup.sh)"
	done
	VER=$(dpkg-query -W -f='${Version}' "linux-headers-$REL" 2>/dev/null) ||
		tcphs_die "linux-headers-$REL is not installed; run scripts/setup.sh"
	mkdir -p -- "$TCPHS_CACHE/vm-kernel"
	exec 9>"$D.lock"
	flock 9
	if [ ! -f "$D/.done" ]; then
		tcphs_log "fetching linux-image-$REL $VER for the VM (downloaded, not installed)"
		tmp=$(mktemp -d "$D.XXXXXX")
		trap 'rm -rf -- "$tmp"' EXIT
		if ! (cd "$tmp" && apt-get -qq download "linux-image-$REL=$VER") >"$tmp/log" 2>&1; then
			cat "$tmp/log" >&2
			tcphs_die "cannot download linux-image-$REL=$VER; 'apt-get update', or upgrade linux-headers-cloud-amd64 to the archive's version"
		fi
		mkdir -p -- "$tmp/root"
		for deb in "$tmp"/*.deb; do
			dpkg-deb -x "$deb" "$tmp/root"
		done
		m=$tmp/root/lib/modules/$REL
		[ -d "$m" ] || tcphs_die "no lib/modules/$REL in linux-image-$REL"
		[ -f "$tmp/root/boot/vmlinuz-$REL" ] || tcphs_die "no boot/vmlinuz-$REL in linux-image-$REL"
		find "$m" -name '*.ko.xz' -exec xz -d -- {} +
		find "$m" -name '*.ko.zst' -exec zstd -q -d --rm -- {} +
		depmod -b "$tmp/root" "$REL"
		rm -rf -- "$D"
		mv -- "$tmp/root" "$D"
		: >"$D/.done"
		# Older releases' images go.
		find "$TCPHS_CACHE/vm-kernel" -mindepth 1 -maxdepth 1 -type d \
			! -name "$REL" ! -name "*.??????" -exec rm -rf -- {} +
		find "$TCPHS_CACHE/vm-kernel" -mindepth 1 -maxdepth 1 -name '*.lock' \
			! -name "$REL.lock" -delete
	fi
	flock -u 9
fi
printf 'VMLINUZ=%q\nMODDIR=%q\n' "$D/boot/vmlinuz-$REL" "$D/lib/modules/$REL"
