#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Run a command inside a throw-away QEMU VM with tcphs.ko loaded.
#
# Usage: scripts/vm-run.sh [options] -- COMMAND [ARG]...
#
# Builds the module (make -C <root> -s modules KDIR=$KDIR), the reader and
# the test tools, fetches the kernel if it is not there yet
# (scripts/vm-kernel.sh), builds the initramfs (scripts/mkinitramfs.sh),
# boots the kernel under QEMU, inserts /tcphs/tcphs.ko, runs COMMAND with
# /bin/sh -c in /work (each word is quoted, so use `sh -c '...'` for shell
# syntax), removes the module and checks the kernel log.  COMMAND's
# output is streamed live.
#
# Options:
#   --add HOST_FILE          copy a file or directory into /work (repeatable;
#                            ELF files get their shared libraries)
#   --no-module              do not build or insmod tcphs.ko (a present
#                            module/tcphs.ko is still at /tcphs/tcphs.ko)
#   --no-build               build nothing: the module, the reader and the
#                            test tools are there already (VMs booted side
#                            by side from one tree)
#   --module-params "k=v .." parameters for insmod
#   --kernel VMLINUZ         boot this kernel image instead of the picked one
#   --modules-dir DIR        modules tree for that kernel (its basename must
#                            be the kernel release); default /lib/modules/REL
#   --kdir DIR               kernel build/headers dir to build the module
#                            against; default /usr/src/linux-headers-REL
#
# Inside the VM: /tcphs/kernel-facts says what the tests must know of the
# kernel (see tcphs_kernel_facts in lib.sh), /tcphs/module-params the
# parameters given; the tests/ tree is at /tcphs/tests, the reader at
# /usr/bin/tcphs, busybox plus real ip, ss, tcpdump, socat and jq are on
# PATH, modules under kernel/{net,drivers/net,lib,crypto} load with modprobe.
#
# Exit status: COMMAND's status.  1 if COMMAND passed but the kernel log had
# a splat (BUG/WARNING/Oops/KASAN/kmemleak/...), or insmod/rmmod failed.
# 124 if the VM timed out, 125 if it died without a result (e.g. panic),
# 2 on usage or build errors.
#
# Environment:
#   TCPHS_KVER            kernel release (default: newest *-cloud-amd64 with
#                         headers and modules; the host's uname -r is unused)
#   TCPHS_ACCEL           tcg (default), kvm (-accel kvm -cpu host), or
#                         icount: TCG on one thread with -icount
#                         shift=0,sleep=off, so that the guest's clock counts
#                         the instructions it executes (1 ns each) and
#                         timings repeat; needs TCPHS_VM_CPUS=1 (the default
#                         there)
#   TCPHS_VM_MEM          guest memory (default 1G)
#   TCPHS_VM_CPUS         guest CPUs (default 2)
#   TCPHS_VM_TIMEOUT      seconds before the VM is killed (default 900)
#   TCPHS_KERNEL_CMDLINE  extra kernel command-line arguments
#   TCPHS_VM_VERBOSE      1: show the whole console, boot messages included
#   TCPHS_VM_EXTRA_TOOLS  more host commands to copy into the VM
#   TCPHS_BUILD           scratch directory (default <root>/.build); the last
#                         run's console and kernel log are kept in
#                         $TCPHS_BUILD/vm/last-{console,dmesg}.log
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	sed -n '4,/^set -euo/{/^#/s/^# \{0,1\}//p;}' "$0" >&2
	exit 2
}

ADDS=()
LOAD_MODULE=1
BUILD=1
MODULE_PARAMS=""
OPT_KERNEL=""
OPT_MODDIR=""
OPT_KDIR=""
while [ $# -gt 0 ]; do
	case $1 in
	--add) ADDS+=(--add "${2:?--add needs a file}"); shift 2 ;;
	--add=*) ADDS+=(--add "${1#*=}"); shift ;;
	--no-module) LOAD_MODULE=0; shift ;;
	--no-build) BUILD=0; shift ;;
	--module-params) MODULE_PARAMS=${2?--module-params needs a value}; shift 2 ;;
	--module-params=*) MODULE_PARAMS=${1#*=}; shift ;;
	--kernel) OPT_KERNEL=${2:?--kernel needs a file}; shift 2 ;;
	--kernel=*) OPT_KERNEL=${1#*=}; shift ;;
	--modules-dir) OPT_MODDIR=${2:?--modules-dir needs a directory}; shift 2 ;;
	--modules-dir=*) OPT_MODDIR=${1#*=}; shift ;;
	--kdir) OPT_KDIR=${2:?--kdir needs a directory}; shift 2 ;;
	--kdir=*) OPT_KDIR=${1#*=}; shift ;;
	-h | --help) usage ;;
	--) shift; break ;;
	*) tcphs_log "unknown argument: $1 (the command goes after --)"; usage ;;
	esac
done
[ $# -gt 0 ] || { tcphs_log "no command given"; usage; }

# Print the release string embedded in a bzImage (empty if not found).
vmlinuz_release() {
	local off
	off=$(od -An -tu2 -j $((0x20e)) -N2 -- "$1" 2>/dev/null | tr -d ' ') || return 0
	[ -n "$off" ] && [ "$off" -gt 0 ] || return 0
	dd if="$1" bs=1 skip=$((off + 0x200)) count=128 status=none 2>/dev/null |
		tr '\0' '\n' | head -n1 | cut -d' ' -f1
}

# ---------------------------------------------------------- kernel paths --
REL=""
if [ -n "$OPT_KERNEL" ]; then
	[ -f "$OPT_KERNEL" ] || tcphs_die "--kernel: no such file: $OPT_KERNEL"
	REL=$(vmlinuz_release "$OPT_KERNEL")
fi
if [ -z "$REL" ] && [ -n "$OPT_KDIR" ] && [ -f "$OPT_KDIR/include/config/kernel.release" ]; then
	REL=$(cat "$OPT_KDIR/include/config/kernel.release")
fi
if [ -n "$OPT_KERNEL" ] && [ -n "$OPT_MODDIR" ] && [ -n "$OPT_KDIR" ]; then
	KVER=${REL:-$(basename -- "$OPT_MODDIR")}
elif [ -n "$REL" ] && [ -d "/usr/src/linux-headers-$REL" ]; then
	tcphs_kernel_paths "$REL"
else
	tcphs_kernel_paths ""
	if [ -n "$REL" ] && [ -z "$OPT_MODDIR" ]; then
		tcphs_log "warning: no headers for $REL ($OPT_KERNEL); using $MODDIR (pass --modules-dir)"
	fi
fi
[ -n "$OPT_KERNEL" ] || tcphs_vm_kernel
[ -z "$OPT_KERNEL" ] || VMLINUZ=$OPT_KERNEL
[ -z "$OPT_MODDIR" ] || MODDIR=$OPT_MODDIR
[ -z "$OPT_KDIR" ] || KDIR=$OPT_KDIR
[ -f "$VMLINUZ" ] || tcphs_die "kernel image not found: $VMLINUZ (run scripts/setup.sh)"
[ -f "$MODDIR/modules.dep" ] || tcphs_die "no modules.dep in $MODDIR"
if [ -n "$REL" ] && [ "$(basename -- "$(readlink -f -- "$MODDIR")")" != "$REL" ]; then
	tcphs_log "warning: $VMLINUZ is $REL but modules dir is $MODDIR"
fi

# ---------------------------------------------------------- build module --
KO=$TCPHS_ROOT/module/tcphs.ko
if [ "$BUILD" = 0 ]; then
	built=("$TCPHS_ROOT/userspace/tcphs" "$TCPHS_ROOT/tests/tools/pktcraft")
	[ "$LOAD_MODULE" = 0 ] || built+=("$KO")
	for f in "${built[@]}"; do
		[ -f "$f" ] || tcphs_die "--no-build: $f is not built"
	done
elif [ "$LOAD_MODULE" = 1 ]; then
	[ -d "$KDIR" ] || tcphs_die "kernel build dir not found: $KDIR (run scripts/setup.sh)"
	if [ -f "$TCPHS_ROOT/Makefile" ]; then
		make -C "$TCPHS_ROOT" -s modules KDIR="$KDIR" ||
			tcphs_die "module build failed"
	elif [ -f "$TCPHS_ROOT/Kbuild" ]; then
		make -C "$KDIR" M="$TCPHS_ROOT" -s modules ||
			tcphs_die "module build failed"
	else
		tcphs_die "no Makefile or Kbuild in $TCPHS_ROOT to build the module (use --no-module)"
	fi
	[ -f "$KO" ] || tcphs_die "module build did not produce $KO"
fi
# The reader and the test tools, which the VM holds at /usr/bin/tcphs and
# /tcphs/tests/tools.
if [ "$BUILD" = 1 ] && [ -f "$TCPHS_ROOT/Makefile" ]; then
	make -C "$TCPHS_ROOT" -s reader tools >/dev/null ||
		tcphs_die "building the reader and the test tools failed"
fi

# ------------------------------------------------------------ initramfs --
VMDIR=$TCPHS_BUILD/vm
mkdir -p -- "$VMDIR"
RUN=$(mktemp -d "$VMDIR/run.XXXXXX")
trap 'rm -rf -- "$RUN"' EXIT

# Quote each word for /bin/sh -c.
CMD=""
for w in "$@"; do
	CMD+="${CMD:+ }'${w//\'/\'\\\'\'}'"
done
printf '%s\n' "$CMD" >"$RUN/cmd"
printf '%s\n' "$MODULE_PARAMS" >"$RUN/module-params"
tcphs_kernel_facts "$KDIR" >"$RUN/kernel-facts"
FILES=(--file "$RUN/cmd:/tcphs/cmd" --file "$RUN/module-params:/tcphs/module-params"
	--file "$RUN/kernel-facts:/tcphs/kernel-facts")
if [ "$LOAD_MODULE" = 1 ]; then
	: >"$RUN/load-module"
	FILES+=(--file "$RUN/load-module:/tcphs/load-module")
fi

"$TCPHS_SCRIPTS/mkinitramfs.sh" "$RUN/initramfs.cpio.gz" \
	--modules-dir "$MODDIR" "${ADDS[@]}" "${FILES[@]}" ||
	tcphs_die "initramfs build failed"

# ------------------------------------------------------------------ boot --
ACCEL=${TCPHS_ACCEL:-tcg}
case $ACCEL in
tcg)
	# -cpu max gives RDRAND, so the kernel's RNG is ready at once.
	QACCEL=(-accel tcg -cpu max)
	# Emulation is slow; do not mistake it for a stall.
	EXTRA_APPEND="rcupdate.rcu_cpu_stall_timeout=60 watchdog_thresh=30"
	;;
icount)
	# One instruction, one nanosecond of guest time; an idle guest's
	# clock does not run ahead (sleep=off). A second vCPU would hang
	# the boot under icount.
	QACCEL=(-accel tcg,thread=single -cpu max -icount shift=0,sleep=off)
	EXTRA_APPEND="rcupdate.rcu_cpu_stall_timeout=60 watchdog_thresh=30"
	[ "${TCPHS_VM_CPUS:-1}" = 1 ] ||
		tcphs_die "TCPHS_ACCEL=icount takes one vCPU, not TCPHS_VM_CPUS=$TCPHS_VM_CPUS"
	TCPHS_VM_CPUS=1
	;;
kvm)
	QACCEL=(-accel kvm -cpu host)
	EXTRA_APPEND=""
	;;
*) tcphs_die "TCPHS_ACCEL must be tcg, icount or kvm, not '$ACCEL'" ;;
esac

# slab_nomerge: each slab cache stays its own, so that /proc/slabinfo counts
# tcphs's flows by name (SLUB would fold the 128-byte tcphs_flow cache into
# another cache of that size).
APPEND="console=ttyS0,115200 quiet loglevel=4 panic=-1 oops=panic slab_nomerge"
APPEND+=" random.trust_cpu=on rdinit=/init $EXTRA_APPEND ${TCPHS_KERNEL_CMDLINE:-}"

TIMEOUT=${TCPHS_VM_TIMEOUT:-900}
RESULT=$RUN/result.txt
CONSOLE=$RUN/console.log
: >"$RESULT"

# Commas are option separators for QEMU; double them in paths.
qpath() { printf '%s' "${1//,/,,}"; }

# Show the console between the init's markers, or all of it if verbose.
show_console() {
	if [ "${TCPHS_VM_VERBOSE:-0}" = 1 ]; then
		sed -u -e 's/\r$//'
	else
		sed -u -n -e 's/\r$//' \
			-e '/@@TCPHS-BEGIN@@/,/@@TCPHS-DONE@@/{/@@TCPHS-\(BEGIN\|DONE\)@@/!p;}'
	fi
}

T0=$EPOCHREALTIME
set +e
timeout --foreground -k 10 "$TIMEOUT" \
	qemu-system-x86_64 "${QACCEL[@]}" \
	-m "${TCPHS_VM_MEM:-1G}" -smp "${TCPHS_VM_CPUS:-2}" \
	-nographic -nodefaults -no-user-config -no-reboot -monitor none \
	-kernel "$VMLINUZ" -initrd "$RUN/initramfs.cpio.gz" -append "$APPEND" \
	-serial stdio -serial "file:$(qpath "$RESULT")" \
	</dev/null 2>"$RUN/qemu.err" | tee "$CONSOLE" | show_console
STATUS=("${PIPESTATUS[@]}")
set -e
T1=$EPOCHREALTIME
QEMU_RC=${STATUS[0]}
ELAPSED=$(awk -v a="$T0" -v b="$T1" 'BEGIN { printf "%.1f", b - a }')

# first_splat FILE: the head of the first kernel report in FILE, so that a
# failure's cause is in the last lines a CI log shows.
first_splat() {
	grep -a -m1 -A14 -E 'BUG:|WARNING:|Oops|KASAN|UBSAN|Kernel panic|soft lockup|rcu: INFO|Out of memory|unreferenced object' \
		"$1" | cut -c1-160 >&2 || true
}

# Keep the logs of the last run.
sed -e 's/\r$//' "$CONSOLE" >"$VMDIR/last-console.log"
sed -n -e 's/\r$//' -e '/^TCPHS-DMESG-BEGIN$/,/^TCPHS-DMESG-END$/{/^TCPHS-DMESG-\(BEGIN\|END\)$/!p;}' \
	"$RESULT" >"$VMDIR/last-dmesg.log"

RESLINE=$(tr -d '\r' <"$RESULT" | grep -a '^TCPHS-RESULT ' | tail -n1 || true)
if [ -z "$RESLINE" ]; then
	if ! grep -q '@@TCPHS-BEGIN@@' "$CONSOLE"; then
		tcphs_log "console (last 40 lines):"
		tail -n 40 "$VMDIR/last-console.log" >&2
	fi
	if [ -s "$RUN/qemu.err" ]; then
		tcphs_log "qemu stderr:"
		cat "$RUN/qemu.err" >&2
	fi
	if [ "$QEMU_RC" = 124 ] || [ "$QEMU_RC" = 137 ]; then
		tcphs_log "FAIL: VM timed out after ${TIMEOUT}s (TCPHS_VM_TIMEOUT) without a result"
		exit 124
	fi
	if grep -q 'Kernel panic' "$CONSOLE"; then
		tcphs_log "the first kernel report:"
		first_splat "$VMDIR/last-console.log"
		tcphs_log "FAIL: kernel panic in the VM (see console above, or $VMDIR/last-console.log)"
	else
		tcphs_log "FAIL: VM ended without a result (qemu exit status $QEMU_RC; see $VMDIR/last-console.log)"
	fi
	exit 125
fi

rc=$(sed -n 's/.* rc=\([0-9]*\).*/\1/p' <<<"$RESLINE")
splat=$(sed -n 's/.* splat=\([0-9]*\).*/\1/p' <<<"$RESLINE")
module=$(sed -n 's/.* module=\([a-z-]*\).*/\1/p' <<<"$RESLINE")
rc=${rc:-1} splat=${splat:-1} module=${module:-none}

if [ "$module" = insmod-failed ]; then
	tcphs_log "command not run; VM ran ${ELAPSED}s (kernel log: $VMDIR/last-dmesg.log)"
else
	tcphs_log "command exited $rc; VM ran ${ELAPSED}s (kernel log: $VMDIR/last-dmesg.log)"
fi
fail=""
case $module in
insmod-failed) fail="insmod of tcphs.ko failed" ;;
rmmod-failed) fail="rmmod tcphs failed" ;;
esac
if [ "$splat" != 0 ]; then
	fail="${fail:+$fail; }the kernel log has a splat (BUG/WARNING/Oops/leak...)"
	tcphs_log "the first kernel report:"
	first_splat "$VMDIR/last-dmesg.log"
fi
if [ -n "$fail" ]; then
	tcphs_log "FAIL: $fail"
	[ "$rc" != 0 ] || rc=1
fi
exit "$rc"
