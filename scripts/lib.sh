# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Shared helpers for the test-VM scripts.  Source it; do not run it.
#
# Sets:
#   TCPHS_ROOT    project root (the directory above scripts/)
#   TCPHS_BUILD   scratch/output directory (env, default $TCPHS_ROOT/.build)
#   TCPHS_CACHE   ${XDG_CACHE_HOME:-~/.cache}/tcphs: fetched kernels, sources
# Functions:
#   tcphs_pick_kver              newest *-cloud-amd64 headers (or $TCPHS_KVER)
#   tcphs_kernel_paths KVER|""   sets KVER, KDIR, VMLINUZ, MODDIR
#   tcphs_vm_kernel              fetch that VMLINUZ if it is the cache's
#   tcphs_machine_kernels        /boot and the installed linux-image packages
#   tcphs_kernels_untouched BEFORE  fails if those changed
#   tcphs_is_elf FILE            true if FILE is an ELF object
#   tcphs_copy_with_libs SRC STAGE [DEST]
#                                copy SRC (and, if ELF, its shared libraries
#                                and dynamic loader) into staging dir STAGE;
#                                libraries listed in $TCPHS_BASE_MANIFEST
#                                (one absolute path a line) are skipped
#   tcphs_copy_tree_with_libs SRC STAGE DEST
#                                the same for a whole directory tree

TCPHS_SCRIPTS=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
TCPHS_ROOT=$(cd "$TCPHS_SCRIPTS/.." && pwd)
TCPHS_BUILD=${TCPHS_BUILD:-$TCPHS_ROOT/.build}
case $TCPHS_BUILD in
/*) ;;
*) TCPHS_BUILD=$PWD/$TCPHS_BUILD ;;
esac
export TCPHS_ROOT TCPHS_BUILD

# Print a message to stderr, prefixed with the running script's name.
tcphs_log() {
	printf '%s: %s\n' "${0##*/}" "$*" >&2
}

# Print an error and exit with status 2 (usage/setup problem).
tcphs_die() {
	tcphs_log "error: $*"
	exit 2
}

# Where kernels and sources fetched for the VM are kept.
TCPHS_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/tcphs

# Print the kernel release the VM should boot: $TCPHS_KVER if set, else the
# newest installed /usr/src/linux-headers-*-cloud-amd64.  The host's running
# kernel (uname -r) is deliberately ignored, and the image need not be
# installed: see tcphs_kernel_paths.
tcphs_pick_kver() {
	if [ -n "${TCPHS_KVER:-}" ]; then
		printf '%s\n' "$TCPHS_KVER"
		return 0
	fi
	local d best=""
	while IFS= read -r d; do
		[ -f "$d/Makefile" ] && best=${d#/usr/src/linux-headers-}
	done < <(find /usr/src -maxdepth 1 -name 'linux-headers-*-cloud-amd64' 2>/dev/null | sort -V)
	[ -n "$best" ] || return 1
	printf '%s\n' "$best"
}

# Set KVER, KDIR, VMLINUZ and MODDIR for the given (or, if empty, the
# picked) kernel release.  The image is the one scripts/vm-kernel.sh
# unpacked in the cache, else an installed /boot/vmlinuz-KVER with its
# modules; when neither exists VMLINUZ names the cache's, which
# tcphs_vm_kernel fetches.
tcphs_kernel_paths() {
	if [ $# -gt 0 ] && [ -n "$1" ]; then
		KVER=$1
	else
		KVER=$(tcphs_pick_kver) ||
			tcphs_die "no /usr/src/linux-headers-*-cloud-amd64; run scripts/setup.sh"
	fi
	KDIR=/usr/src/linux-headers-$KVER
	local c=$TCPHS_CACHE/vm-kernel/$KVER
	if [ ! -f "$c/.done" ] && [ -f "/boot/vmlinuz-$KVER" ] &&
		[ -f "/lib/modules/$KVER/modules.dep" ]; then
		VMLINUZ=/boot/vmlinuz-$KVER
		MODDIR=/lib/modules/$KVER
	else
		VMLINUZ=$c/boot/vmlinuz-$KVER
		MODDIR=$c/lib/modules/$KVER
	fi
	export KVER KDIR VMLINUZ MODDIR
}

# Make sure the image tcphs_kernel_paths named exists: fetch it (not
# install it) with scripts/vm-kernel.sh when it is the cache's.
tcphs_vm_kernel() {
	[ ! -f "$VMLINUZ" ] || return 0
	case $VMLINUZ in
	"$TCPHS_CACHE/vm-kernel/$KVER/"*)
		"$TCPHS_SCRIPTS/vm-kernel.sh" "$KVER" >/dev/null ||
			tcphs_die "cannot fetch the VM's kernel $KVER"
		;;
	esac
}

# What a boot loader could pick up: /boot and the installed kernel images.
tcphs_machine_kernels() {
	find /boot -maxdepth 1 -printf '%f %s %T@\n' 2>/dev/null | sort
	dpkg-query -W -f='${Package} ${Version} ${db:Status-Abbrev}\n' 'linux-image*' 2>/dev/null | sort
}

# tcphs_kernels_untouched BEFORE: fails, saying what changed, if
# tcphs_machine_kernels no longer prints BEFORE.
tcphs_kernels_untouched() {
	local now
	now=$(tcphs_machine_kernels)
	[ "$now" = "$1" ] && return 0
	echo "/boot or the installed kernel images changed:"
	diff <(printf '%s\n' "$1") <(printf '%s\n' "$now")
	return 1
}

# True if $1 is a regular file starting with the ELF magic.
tcphs_is_elf() {
	local magic
	[ -f "$1" ] || return 1
	magic=$(head -c 4 -- "$1" 2>/dev/null | od -An -tx1 | tr -d ' \n')
	[ "$magic" = "7f454c46" ]
}

# Copy one file to $stage/$dest, dereferencing symlinks, creating parents.
# An existing entry (e.g. a busybox applet link) is replaced.
tcphs__put() {
	local src=$1 stage=$2 dest=$3
	mkdir -p -- "$stage$(dirname -- "$dest")"
	cp -L --remove-destination --preserve=mode -- "$src" "$stage$dest"
}

# Print the absolute paths of the shared libraries (and loader) an ELF file
# needs, as resolved on this host.  Fails if one cannot be found.
tcphs_elf_libs() {
	local out line
	if ! out=$(LC_ALL=C ldd -- "$1" 2>&1); then
		# Static executables and non-dynamic objects need nothing.
		case $out in
		*"not a dynamic executable"* | *"statically linked"*) return 0 ;;
		esac
		tcphs_log "ldd failed on $1: $out"
		return 1
	fi
	while IFS= read -r line; do
		case $line in
		*"=> not found"*)
			tcphs_log "missing library for $1: ${line%% *}"
			return 1
			;;
		*"=> /"*)
			line=${line#*=> }
			printf '%s\n' "${line%% (*}"
			;;
		[[:space:]]/*)
			line=${line#"${line%%[![:space:]]*}"}
			printf '%s\n' "${line%% (*}"
			;;
		esac
	done <<<"$out"
}

# Directories the guest's dynamic loader searches without /etc/ld.so.cache.
TCPHS_SYSTEM_LIBDIRS=" /lib/x86_64-linux-gnu /usr/lib/x86_64-linux-gnu /lib /usr/lib /lib64 /usr/lib64 "

# Copy SRC into STAGE at DEST (default: SRC's own absolute path).  If SRC is
# an ELF file, also copy every shared library it needs and the dynamic loader,
# at the paths ldd reports.  Libraries outside the loader's default search
# path get their directory listed in
# $STAGE/etc/tcphs-ld-path.d/${TCPHS_LDPATH_NAME:-base}, which the guest init
# turns into LD_LIBRARY_PATH.
tcphs_copy_with_libs() {
	local src=$1 stage=$2 dest=${3:-} lib dir
	[ -e "$src" ] || {
		tcphs_log "no such file: $src"
		return 1
	}
	if [ -z "$dest" ]; then
		dest=$(readlink -f -- "$src")
	fi
	tcphs__put "$src" "$stage" "$dest"
	tcphs_is_elf "$src" || return 0
	local libs
	libs=$(tcphs_elf_libs "$src") || return 1
	while IFS= read -r lib; do
		[ -n "$lib" ] || continue
		if [ -n "${TCPHS_BASE_MANIFEST:-}" ] &&
			grep -qxF -- "$lib" "$TCPHS_BASE_MANIFEST" 2>/dev/null; then
			: # already in the base archive
		elif [ ! -e "$stage$lib" ]; then
			tcphs__put "$lib" "$stage" "$lib"
		fi
		dir=$(dirname -- "$lib")
		case $TCPHS_SYSTEM_LIBDIRS in
		*" $dir "*) ;;
		*)
			local lp=$stage/etc/tcphs-ld-path.d/${TCPHS_LDPATH_NAME:-base}
			mkdir -p -- "$(dirname -- "$lp")"
			if ! grep -qxF -- "$dir" "$lp" 2>/dev/null; then
				printf '%s\n' "$dir" >>"$lp"
			fi
			;;
		esac
	done <<<"$libs"
}

# Copy a directory tree SRC to $STAGE/$DEST keeping modes; ELF files inside
# get their libraries copied too.
tcphs_copy_tree_with_libs() {
	local src=$1 stage=$2 dest=$3 f
	mkdir -p -- "$stage$dest"
	cp -a -- "$src/." "$stage$dest/"
	while IFS= read -r -d '' f; do
		if tcphs_is_elf "$f"; then
			tcphs_copy_with_libs "$f" "$stage" "$dest/${f#"$src"/}" || return 1
		fi
	done < <(find "$src" -type f -print0)
}

# tcphs_kernel_srctree KDIR: the source tree (with include/) behind a
# kernel build or headers directory: KDIR itself, its "source" link (a
# tree built with O=), or the common tree its Makefile includes (Debian's
# headers packages). Prints nothing if none has include/linux/kernel.h.
tcphs_kernel_srctree() {
	local d

	for d in "$1/source" "$1" $(sed -n 's|^include[[:space:]]\{1,\}\(/.*\)/Makefile$|\1|p' \
		"$1/Makefile" 2>/dev/null); do
		if [ -f "$d/include/linux/kernel.h" ]; then
			echo "$d"
			return
		fi
	done
}

# tcphs_kernel_facts KDIR: what the tests in the VM must know of the
# kernel they run on and cannot ask it, from its headers, as "key=value"
# lines. mcast_cap: 1 if genl_bind checks a multicast group's capability
# (GENL_MCAST_CAP_NET_ADMIN: 6.7, and the stable updates of 6.1 and 6.6
# since late 2023), 0 if it cannot,
# unknown without headers.
tcphs_kernel_facts() {
	local src cap=unknown

	src=$(tcphs_kernel_srctree "$1")
	if [ -n "$src" ] && [ -f "$src/include/net/genetlink.h" ]; then
		if grep -Eq '^#define[[:space:]]+GENL_MCAST_CAP_NET_ADMIN' "$src/include/net/genetlink.h"; then
			cap=1
		else
			cap=0
		fi
	fi
	printf 'mcast_cap=%s\n' "$cap"
}

# What a run in the test VM needs first: the packages and the kernel's
# paths (vm-run.sh builds the module, the reader and the test tools).
tcphs_prepare_vm() {
	"$TCPHS_SCRIPTS/setup.sh"
	tcphs_kernel_paths
}

# tcphs_add_results LOG WORD RC WHAT: adds the last "WORD: N passed, M
# failed" line of LOG to the caller's $passed and $failed. A nonzero RC
# that the summary does not explain (no line, or no failure in it) is one
# more failure, printed as "not ok WHAT (exit status RC)".
tcphs_add_results() {
	local log=$1 word=$2 rc=$3 what=$4 line p=0 f=0

	line=$(grep -a "^$word: [0-9]* passed, [0-9]* failed" "$log" | tail -n1)
	if [ -n "$line" ]; then
		p=$(sed "s/^$word: \([0-9]*\) passed.*/\1/" <<<"$line")
		f=$(sed 's/.* \([0-9]*\) failed.*/\1/' <<<"$line")
	fi
	passed=$((passed + p))
	failed=$((failed + f))
	if [ "$rc" != 0 ] && [ "$f" = 0 ]; then
		echo "not ok $what (exit status $rc)"
		failed=$((failed + 1))
	fi
}

# ------------------------------------------------- the VM suite, in parts --
# Seconds a script of tests/vm takes under the debug kernel, one VM alone
# (the Debian kernel takes about a fifth of it, in much the same ratios).
# They only balance the parts; a script not listed counts as 120.
declare -gA TCPHS_VM_WEIGHT=(
	[t_reader.sh]=455 [t_netlink.sh]=343 [t_stress.sh]=300 [t_fault.sh]=221
	[t_owner.sh]=191 [t_ports.sh]=166 [t_privilege.sh]=150 [t_proc.sh]=140
	[t_nat.sh]=123 [t_timeout.sh]=60 [t_module.sh]=48 [t_events_log.sh]=45
	[t_netns.sh]=34 [t_zoo.sh]=500
)

# tcphs_vm_parts N: N lines, the scripts of parts 1..N of the VM suite. The
# zoo is in every part (each runs its share of the scenarios, ZOO_PART);
# the other scripts, longest first, go each to the part with the least so
# far.
tcphs_vm_parts() {
	local n=$1 i s w best
	local -a load=() part=()

	for ((i = 0; i < n; i++)); do
		load[i]=$((${TCPHS_VM_WEIGHT[t_zoo.sh]} / n))
		part[i]=t_zoo.sh
	done
	while read -r w s; do
		best=0
		for ((i = 1; i < n; i++)); do
			[ "${load[i]}" -ge "${load[best]}" ] || best=$i
		done
		load[best]=$((load[best] + w))
		part[best]="${part[best]} $s"
	done < <(for s in "$TCPHS_ROOT"/tests/vm/t_*.sh; do
		s=${s##*/}
		[ "$s" = t_zoo.sh ] || echo "${TCPHS_VM_WEIGHT[$s]:-120} $s"
	done | sort -k1,1nr -k2,2)
	for ((i = 0; i < n; i++)); do
		echo "${part[i]}"
	done
}

# tcphs_vm_suite N OUT ENV RUNNER [ARG]...: the VM suite in N parts booted
# side by side, part K as "RUNNER ARG... --no-build -- sh -c 'ENV ZOO_PART=K/N
# run-all.sh SCRIPTS'" with TCPHS_BUILD=OUT.K (its own initramfs and last
# logs). RUNNER is vm-run.sh or a function calling it; the module, the
# reader and the test tools must be built already. Each part's output goes
# to OUT.K.log, printed when the part ends, and all of it to OUT.log. Adds
# the results to the caller's $passed and $failed (tcphs_add_results), and
# one failure for every script of tests/vm that did not report.
tcphs_vm_suite() {
	local n=$1 out=$2 env=$3 k rc s
	local -a parts pids=()

	shift 3
	[[ "$n" =~ ^[1-9][0-9]*$ ]] || tcphs_die "the VM suite's parts must be a positive number, not '$n'"
	mapfile -t parts < <(tcphs_vm_parts "$n")
	rm -f -- "$out".[0-9]*.log
	for ((k = 1; k <= n; k++)); do
		echo "part $k/$n: ${parts[k - 1]} (log: $out.$k.log)"
		TCPHS_BUILD=$out.$k "$@" --no-build -- sh -c \
			"$env ZOO_PART=$k/$n exec /tcphs/tests/vm/run-all.sh ${parts[k - 1]}" \
			>"$out.$k.log" 2>&1 &
		pids+=($!)
	done
	: >"$out.log"
	for ((k = 1; k <= n; k++)); do
		wait "${pids[k - 1]}"
		rc=$?
		echo "--- part $k/$n (exit status $rc)"
		tee -a "$out.log" <"$out.$k.log"
		tcphs_add_results "$out.$k.log" vm "$rc" "VM suite, part $k/$n (log: $out.$k.log)"
	done
	for s in "$TCPHS_ROOT"/tests/vm/t_*.sh; do
		s=${s##*/}
		if ! grep -a -q "^RESULT $s: " "$out.log"; then
			echo "not ok $s did not report"
			failed=$((failed + 1))
		fi
	done
}
