#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the gzip'd cpio initramfs of the tcphs test VM.
#
# Usage: scripts/mkinitramfs.sh OUT_DIR_OR_FILE [options]
#   OUT_DIR_OR_FILE     output file, or a directory to write initramfs.cpio.gz in
#   --add FILE          copy FILE (or directory) into /work, the command's
#                       working directory (repeatable; ELF files get their libs)
#   --file SRC:DEST     copy SRC to absolute path DEST in the image (repeatable)
#   --modules-dir DIR   kernel modules tree to use (default /lib/modules/$KVER);
#                       its basename is the guest's kernel release
#   --module KO         module to put at /tcphs/tcphs.ko
#                       (default module/tcphs.ko when it exists)
#
# The image is two concatenated gzip'd cpio archives:
#   base    busybox + applet links, /init (scripts/vm-init.sh), the modules
#           index files with the kernel/{net,drivers/net,lib,crypto} subtrees,
#           ip, ss, tcpdump, socat, jq, dash as /bin/sh, bash and a few
#           coreutils/util-linux/procps tools (+ $TCPHS_VM_EXTRA_TOOLS) with their
#           libraries.  Cached in $TCPHS_BUILD/vm/ and rebuilt when its inputs
#           change.
#   overlay tcphs.ko, userspace/tcphs at /usr/bin/tcphs, tests/ at
#           /tcphs/tests, --add files in /work, --file files.
#
# Env: TCPHS_BUILD (default <root>/.build), TCPHS_KVER, TCPHS_VM_EXTRA_TOOLS.
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	sed -n '4,/^set -euo/{/^#/s/^# \{0,1\}//p;}' "$0" >&2
	exit 2
}

case ${1:--h} in
-h | --help | -*) usage ;;
esac
OUT=$1
shift
ADDS=()
FILES=()
MODULES_DIR=""
MODULE_KO=""
while [ $# -gt 0 ]; do
	case $1 in
	--add) ADDS+=("${2:?--add needs a file}"); shift 2 ;;
	--add=*) ADDS+=("${1#*=}"); shift ;;
	--file) FILES+=("${2:?--file needs SRC:DEST}"); shift 2 ;;
	--file=*) FILES+=("${1#*=}"); shift ;;
	--modules-dir) MODULES_DIR=${2:?--modules-dir needs a directory}; shift 2 ;;
	--modules-dir=*) MODULES_DIR=${1#*=}; shift ;;
	--module) MODULE_KO=${2:?--module needs a file}; shift 2 ;;
	--module=*) MODULE_KO=${1#*=}; shift ;;
	-h | --help) usage ;;
	*) tcphs_die "unknown argument: $1" ;;
	esac
done

if [ -d "$OUT" ] || [ "${OUT%/}" != "$OUT" ]; then
	mkdir -p -- "$OUT"
	OUT=${OUT%/}/initramfs.cpio.gz
fi
mkdir -p -- "$(dirname -- "$OUT")"

if [ -z "$MODULES_DIR" ]; then
	tcphs_kernel_paths ""
	MODULES_DIR=$MODDIR
fi
MODULES_DIR=$(readlink -f -- "$MODULES_DIR")
[ -f "$MODULES_DIR/modules.dep" ] ||
	tcphs_die "$MODULES_DIR has no modules.dep (run depmod, or pass --modules-dir)"
GUEST_KVER=$(basename -- "$MODULES_DIR")

BUSYBOX=""
for b in /bin/busybox /usr/bin/busybox; do
	[ -x "$b" ] && { BUSYBOX=$b; break; }
done
[ -n "$BUSYBOX" ] || tcphs_die "busybox not found; run scripts/setup.sh"

# Host tools copied into the base image (missing ones are skipped).  Debian's
# busybox-static prefers its own applets over PATH (in ash and in applets that
# run programs, like env or timeout), so /bin/sh is dash and the usual
# program-running tools are the host's too: otherwise `ip` would be busybox's.
TOOLS=(dash bash ip ss tcpdump socat jq iperf3 nft tmux
	env timeout xargs nohup nice setsid setpriv nsenter unshare chroot taskset
	find ps pgrep pkill sysctl)
# shellcheck disable=SC2206 # a space-separated list on purpose
TOOLS+=(${TCPHS_VM_EXTRA_TOOLS:-})
TOOL_PATHS=()
for t in "${TOOLS[@]}"; do
	p=$(PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin command -v "$t" 2>/dev/null) || {
		tcphs_log "note: $t not installed on the host; not in the VM"
		continue
	}
	TOOL_PATHS+=("$p")
done

# Module subtrees copied into the image.
MOD_SUBDIRS=(kernel/net kernel/drivers/net kernel/lib kernel/crypto kernel/arch/x86/crypto)

VMDIR=$TCPHS_BUILD/vm
mkdir -p -- "$VMDIR"

# Scratch directories removed on exit.
CLEANUP=()
cleanup() {
	[ ${#CLEANUP[@]} -eq 0 ] || rm -rf -- "${CLEANUP[@]}"
}
trap cleanup EXIT

# ---------------------------------------------------------------- base ----
# Everything the base depends on goes into its cache key.
base_key() {
	local f
	printf 'kver %s\nmoddir %s\n' "$GUEST_KVER" "$MODULES_DIR"
	stat -c 'dep %Y %s' "$MODULES_DIR/modules.dep"
	printf 'subdirs %s\n' "${MOD_SUBDIRS[*]}"
	for f in "$BUSYBOX" "${TOOL_PATHS[@]}"; do
		stat -L -c "tool %n %Y %s" "$f"
	done
	cat "$TCPHS_SCRIPTS/vm-init.sh" "$TCPHS_SCRIPTS/lib.sh" "$0"
}
KEY=$(base_key | sha256sum | cut -c1-16)
BASE=$VMDIR/base-$GUEST_KVER-$KEY.cpio.gz
BASE_MANIFEST=$VMDIR/base-$GUEST_KVER-$KEY.manifest

build_base() {
	local stage a p name real
	stage=$(mktemp -d "$VMDIR/stage-base.XXXXXX")
	CLEANUP+=("$stage")

	mkdir -p -- "$stage"/{bin,sbin,usr/bin,usr/sbin,lib,lib64,usr/lib,etc,proc,sys,dev,tmp,run,root,work,tcphs,var,mnt}
	ln -s ../run "$stage/var/run"

	# busybox and its applets, in both bin/ and sbin/
	tcphs_copy_with_libs "$BUSYBOX" "$stage" /bin/busybox
	while IFS= read -r a; do
		case $a in "" | busybox) continue ;; esac
		ln -sf busybox "$stage/bin/$a"
		ln -sf ../bin/busybox "$stage/sbin/$a"
	done < <("$BUSYBOX" --list)

	install -m 0755 "$TCPHS_SCRIPTS/vm-init.sh" "$stage/init"

	# minimal /etc
	printf 'root:x:0:0:root:/root:/bin/sh\ntcpdump:x:104:108::/nonexistent:/bin/false\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$stage/etc/passwd"
	printf 'root:x:0:\ntcpdump:x:108:\nnogroup:x:65534:\n' >"$stage/etc/group"
	printf '127.0.0.1\tlocalhost tcphs-vm\n::1\tlocalhost ip6-localhost ip6-loopback\n' >"$stage/etc/hosts"
	printf 'passwd: files\ngroup: files\nshadow: files\nhosts: files\nnetworks: files\nprotocols: files\nservices: files\n' >"$stage/etc/nsswitch.conf"
	for f in /etc/protocols /etc/services /etc/ethertypes; do
		[ -f "$f" ] && cp -L -- "$f" "$stage/etc/"
	done
	ln -sf /proc/mounts "$stage/etc/mtab"

	# kernel modules: index files plus the subtrees tests need
	local mdst=$stage/lib/modules/$GUEST_KVER
	mkdir -p -- "$mdst"
	cp -L -- "$MODULES_DIR"/modules.* "$mdst/"
	for p in "${MOD_SUBDIRS[@]}"; do
		if [ -d "$MODULES_DIR/$p" ]; then
			mkdir -p -- "$mdst/$(dirname -- "$p")"
			cp -a -- "$MODULES_DIR/$p" "$mdst/$p"
		fi
	done

	# real tools (busybox ip cannot do netns); shadow the applet links
	for p in "${TOOL_PATHS[@]}"; do
		real=$(readlink -f -- "$p")
		tcphs_copy_with_libs "$p" "$stage" "$real"
		name=$(basename -- "$p")
		[ "$name" != dash ] || name="sh"
		for d in /bin /sbin /usr/bin /usr/sbin; do
			if [ "$d/$name" != "$real" ] && [ -L "$stage$d/$name" ]; then
				ln -sf "$real" "$stage$d/$name"
			fi
		done
	done

	# Terminal descriptions and the C.UTF-8 locale, which tmux needs (tcphs
	# top on a terminal, t_ports.sh).
	for f in /lib/terminfo/s/screen /lib/terminfo/d/dumb /lib/terminfo/x/xterm; do
		if [ -f "$f" ]; then
			mkdir -p -- "$stage$(dirname -- "$f")"
			cp -L -- "$f" "$stage$f"
		fi
	done
	if [ -d /usr/lib/locale/C.utf8 ]; then
		mkdir -p -- "$stage/usr/lib/locale"
		cp -a -- /usr/lib/locale/C.utf8 "$stage/usr/lib/locale/"
	fi

	(cd "$stage" && find . -mindepth 1 \( -type f -o -type l \) | sed 's|^\.||' | sort) >"$BASE_MANIFEST.tmp"
	(cd "$stage" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 -n >"$BASE.tmp"
	mv -f -- "$BASE_MANIFEST.tmp" "$BASE_MANIFEST"
	mv -f -- "$BASE.tmp" "$BASE"
}

if [ ! -s "$BASE" ] || [ ! -s "$BASE_MANIFEST" ]; then
	exec 9>"$VMDIR/base.lock"
	flock 9
	if [ ! -s "$BASE" ] || [ ! -s "$BASE_MANIFEST" ]; then
		build_base
		# Drop stale bases for this kernel release.
		for f in "$VMDIR/base-$GUEST_KVER"-*; do
			case $f in
			"$BASE" | "$BASE_MANIFEST") ;;
			*) rm -f -- "$f" ;;
			esac
		done
	fi
	flock -u 9
	exec 9>&-
fi

# ------------------------------------------------------------- overlay ----
OVL=$(mktemp -d "$VMDIR/stage-overlay.XXXXXX")
CLEANUP+=("$OVL")
export TCPHS_BASE_MANIFEST=$BASE_MANIFEST TCPHS_LDPATH_NAME=overlay
mkdir -p -- "$OVL/tcphs" "$OVL/work"

if [ -z "$MODULE_KO" ] && [ -f "$TCPHS_ROOT/module/tcphs.ko" ]; then
	MODULE_KO=$TCPHS_ROOT/module/tcphs.ko
fi
if [ -n "$MODULE_KO" ]; then
	[ -f "$MODULE_KO" ] || tcphs_die "no such module: $MODULE_KO"
	cp -L -- "$MODULE_KO" "$OVL/tcphs/tcphs.ko"
fi

if [ -f "$TCPHS_ROOT/userspace/tcphs" ] && [ -x "$TCPHS_ROOT/userspace/tcphs" ]; then
	tcphs_copy_with_libs "$TCPHS_ROOT/userspace/tcphs" "$OVL" /usr/bin/tcphs
fi

if [ -d "$TCPHS_ROOT/tests" ]; then
	tcphs_copy_tree_with_libs "$TCPHS_ROOT/tests" "$OVL" /tcphs/tests
fi

for a in "${ADDS[@]}"; do
	[ -e "$a" ] || tcphs_die "--add: no such file: $a"
	name=$(basename -- "$(readlink -f -- "$a")")
	if [ -d "$a" ]; then
		tcphs_copy_tree_with_libs "$a" "$OVL" "/work/$name"
	else
		tcphs_copy_with_libs "$a" "$OVL" "/work/$name"
	fi
done

for f in "${FILES[@]}"; do
	src=${f%%:*}
	dest=${f#*:}
	if [ "$src" = "$f" ] || [ "${dest#/}" = "$dest" ]; then
		tcphs_die "--file wants SRC:/ABS/DEST, got: $f"
	fi
	[ -e "$src" ] || tcphs_die "--file: no such file: $src"
	tcphs_copy_with_libs "$src" "$OVL" "$dest"
done

TMP_OUT=$(mktemp "$OUT.XXXXXX")
CLEANUP+=("$TMP_OUT")
{
	cat -- "$BASE"
	(cd "$OVL" && find . -mindepth 1 -print0 | LC_ALL=C sort -z |
		cpio --null -o -H newc -R 0:0 --quiet) | gzip -1 -n
} >"$TMP_OUT"
chmod 0644 "$TMP_OUT"
mv -f -- "$TMP_OUT" "$OUT"
