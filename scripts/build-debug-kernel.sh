#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build (or reuse) the debug kernel the tcphs tests boot: x86_64, from
# Debian's linux-source (/usr/src/linux-source-*.tar.xz), configured from
# allnoconfig plus the fragments under tests/kernel/ (tcphs.config: what the
# module and the VM need; kunit.config: KUnit; debug.config: KASAN, UBSAN,
# kmemleak, lockdep, PROVE_RCU, DEBUG_OBJECTS, ...).
#
# Usage: scripts/build-debug-kernel.sh [--print-env] [--force]
#   --print-env   print only shell assignments on stdout (for eval):
#                 VMLINUZ (bzImage), MODDIR (modules tree, named after the
#                 kernel release), KDIR (build dir: make -C $KDIR M=...),
#                 KSRC (source dir), KREL (kernel release)
#   --force       rebuild even if a finished build exists
#
# Everything lives in a cache outside the checkout:
#   $CACHE/src-<srckey>/linux-source-X.Y   the source, unpacked once
#   $CACHE/build-<key>/                    O= build directory; <key> hashes
#                                          the source version, the fragments,
#                                          the compiler and this recipe
#   $CACHE/build-<key>/modinst/lib/modules/<release>   modules_install
# where CACHE is $TCPHS_KERNEL_CACHE, default ${XDG_CACHE_HOME:-~/.cache}/tcphs.
# A later run with the same key prints the paths at once; a changed
# fragment builds anew. The three most recently used builds are kept.
#
# Every option a fragment sets must end up in the final .config as written
# (an option whose dependencies are missing is dropped by Kconfig): the
# build fails otherwise, naming the option.
#
# Environment: TCPHS_KERNEL_CACHE, TCPHS_KERNEL_TAR (default: the newest
# /usr/src/linux-source-*.tar.xz), TCPHS_KERNEL_JOBS (default: nproc).
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# Bump when the build steps change in a way that needs a fresh build.
RECIPE=1
FRAGMENTS=(tcphs.config kunit.config debug.config)

usage() {
	sed -n '4,/^set -euo/{/^#/s/^# \{0,1\}//p;}' "$0" >&2
	exit 2
}

PRINT_ENV=0
FORCE=0
while [ $# -gt 0 ]; do
	case $1 in
	--print-env) PRINT_ENV=1; shift ;;
	--force) FORCE=1; shift ;;
	-h | --help) usage ;;
	*) tcphs_log "unknown argument: $1"; usage ;;
	esac
done

say() {
	tcphs_log "$*"
}

# ------------------------------------------------------------ inputs ----
CACHE=${TCPHS_KERNEL_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/tcphs}
TAR=${TCPHS_KERNEL_TAR:-$(ls /usr/src/linux-source-*.tar.xz 2>/dev/null | sort -V | tail -n1)}
[ -n "$TAR" ] && [ -f "$TAR" ] ||
	tcphs_die "no /usr/src/linux-source-*.tar.xz (run scripts/setup.sh)"
JOBS=${TCPHS_KERNEL_JOBS:-$(nproc)}
export ARCH=x86_64

FRAG_PATHS=()
for f in "${FRAGMENTS[@]}"; do
	p=$TCPHS_ROOT/tests/kernel/$f
	[ -f "$p" ] || tcphs_die "missing config fragment $p"
	FRAG_PATHS+=("$p")
done

missing=()
for t in make gcc flex bison bc perl python3 depmod xz tar flock; do
	command -v "$t" >/dev/null 2>&1 || missing+=("$t")
done
[ -f /usr/include/libelf.h ] || missing+=(libelf-dev)
[ -f /usr/include/openssl/opensslv.h ] || missing+=(libssl-dev)
[ ${#missing[@]} = 0 ] || tcphs_die "missing ${missing[*]} (run scripts/setup.sh)"

SRCKEY=$( {
	basename -- "$TAR"
	stat -L -c '%s %Y' -- "$TAR"
} | sha256sum | cut -c1-12)
KEY=$( {
	printf 'recipe %s\nsource %s\n' "$RECIPE" "$SRCKEY"
	gcc --version | head -n1
	for p in "${FRAG_PATHS[@]}"; do
		printf '== %s\n' "$(basename -- "$p")"
		cat -- "$p"
	done
} | sha256sum | cut -c1-16)

mkdir -p -- "$CACHE"
# Debian's tarball holds one directory named like the file.
TOP=$(basename -- "$TAR" .tar.xz)
SRCBASE=$CACHE/src-$SRCKEY
KSRC=$SRCBASE/$TOP
O=$CACHE/build-$KEY

# ------------------------------------------------------- unpack once ----
unpack() {
	exec 8>"$SRCBASE.lock"
	flock 8
	if [ ! -f "$SRCBASE/.unpacked" ]; then
		say "unpacking $TAR into $SRCBASE"
		rm -rf -- "$SRCBASE"
		mkdir -p -- "$SRCBASE.tmp.$$"
		tar -C "$SRCBASE.tmp.$$" -xJf "$TAR"
		mv -- "$SRCBASE.tmp.$$" "$SRCBASE"
		: >"$SRCBASE/.unpacked"
	fi
	flock -u 8
	exec 8>&-
}

# ---------------------------------------------------------------- build --
# Each "CONFIG_X=v" and "# CONFIG_X is not set" of the fragments, checked
# against the final .config. Prints the ones that did not stick.
check_config() {
	local cfg=$1 frag line opt want have bad=0
	for frag in "${FRAG_PATHS[@]}"; do
		while IFS= read -r line; do
			case $line in
			CONFIG_*=*)
				opt=${line%%=*}
				want=$line
				;;
			"# CONFIG_"*" is not set")
				opt=${line#"# "}
				opt=${opt%" is not set"}
				want=""
				;;
			*) continue ;;
			esac
			have=$(grep -E "^$opt=" "$cfg" || true)
			if [ "$have" != "$want" ]; then
				printf '%s: %s wants %s, the .config has %s\n' \
					"$(basename -- "$frag")" "$opt" "${want:-it unset}" \
					"${have:-it unset}"
				bad=1
			fi
		done <"$frag"
	done
	return $bad
}

build() {
	local t0 log rel
	t0=$(date +%s)
	log=$O/build.log
	mkdir -p -- "$O"
	rm -f -- "$O/.tcphs-done"
	: >"$log"
	say "building the debug kernel in $O (key $KEY, $JOBS jobs; log: $log)"

	(cd "$KSRC" && scripts/kconfig/merge_config.sh -n -O "$O" "${FRAG_PATHS[@]}") \
		>>"$log" 2>&1 || { tail -n 30 "$log" >&2; tcphs_die "configuring failed"; }
	make -C "$KSRC" O="$O" olddefconfig >>"$log" 2>&1 ||
		{ tail -n 30 "$log" >&2; tcphs_die "make olddefconfig failed"; }
	if ! check_config "$O/.config" >"$O/config-check.txt"; then
		cat "$O/config-check.txt" >&2
		tcphs_die "the fragments ask for options the kernel config does not have" \
			"(a dependency is missing from tests/kernel/*.config)"
	fi

	if ! make -C "$KSRC" O="$O" -j"$JOBS" bzImage modules >>"$log" 2>&1; then
		grep -E 'error|Error' "$log" | tail -n 20 >&2 || true
		tail -n 20 "$log" >&2
		tcphs_die "kernel build failed (log: $log)"
	fi
	rm -rf -- "$O/modinst"
	make -C "$KSRC" O="$O" INSTALL_MOD_PATH="$O/modinst" DEPMOD=/sbin/depmod \
		modules_install >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; tcphs_die "modules_install failed (log: $log)"; }
	make -C "$KSRC" O="$O" modules_prepare >>"$log" 2>&1 ||
		{ tail -n 20 "$log" >&2; tcphs_die "modules_prepare failed (log: $log)"; }

	rel=$(cat "$O/include/config/kernel.release")
	[ -f "$O/modinst/lib/modules/$rel/modules.dep" ] ||
		tcphs_die "no modules.dep under $O/modinst/lib/modules/$rel"
	printf 'release %s\nsource %s\nbuilt %s\nseconds %s\n' "$rel" "$SRCKEY" \
		"$(date -u +%FT%TZ)" $(($(date +%s) - t0)) >"$O/.tcphs-done"
	say "built $rel in $(($(date +%s) - t0)) s"
}

# Keep the three most recently used builds; drop older ones nobody holds.
prune() {
	local d
	# shellcheck disable=SC2010,SC2012 # names are ours: build-<hex>
	ls -1dt -- "$CACHE"/build-* 2>/dev/null | grep -v '\.lock$' | tail -n +4 |
		while IFS= read -r d; do
			[ "$d" != "$O" ] || continue
			(
				flock -n 7 || exit 0
				say "removing old build $d"
				rm -rf -- "$d"
			) 7>"$d.lock"
			rm -f -- "$d.lock"
		done
}

unpack
exec 9>"$O.lock"
flock 9
if [ "$FORCE" = 1 ] || [ ! -f "$O/.tcphs-done" ]; then
	build
fi
touch -- "$O"
flock -u 9
exec 9>&-
prune

KREL=$(cat "$O/include/config/kernel.release")
VMLINUZ=$O/arch/x86/boot/bzImage
MODDIR=$O/modinst/lib/modules/$KREL
KDIR=$O
[ -f "$VMLINUZ" ] || tcphs_die "no $VMLINUZ; run with --force"
[ -f "$MODDIR/modules.dep" ] || tcphs_die "no $MODDIR/modules.dep; run with --force"

if [ "$PRINT_ENV" = 1 ]; then
	for v in VMLINUZ MODDIR KDIR KSRC KREL; do
		printf '%s=%q\n' "$v" "${!v}"
	done
else
	printf 'debug kernel %s (built in %s s)\n' "$KREL" \
		"$(sed -n 's/^seconds //p' "$O/.tcphs-done")"
	printf '  VMLINUZ=%s\n  MODDIR=%s\n  KDIR=%s\n  KSRC=%s\n' \
		"$VMLINUZ" "$MODDIR" "$KDIR" "$KSRC"
fi
