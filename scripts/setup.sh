#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building tcphs and running its QEMU test VM need on a
# Debian 12 machine, then fetch the VM's kernel (scripts/vm-kernel.sh).
# Idempotent: apt is only touched when a package is missing.  Runs as
# root, or through sudo when that is available.
#
# No kernel image is installed: the headers are a build tree, and the
# kernel the VM boots is downloaded and unpacked into a cache, never into
# /boot, so the machine's boot loader never sees it.
#
# Usage: scripts/setup.sh [--list]
#
#   --list   print each package, why it is needed and whether it is
#            installed, and change nothing
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

# package: why. Keep README.md's list in step.
PACKAGES=(
	"build-essential: compilers for the module, the reader and the test tools"
	"linux-headers-cloud-amd64: the kernel build tree the module is built against"
	"bc: kernel builds (the debug kernel, modules)"
	"flex: kernel builds (the debug kernel)"
	"bison: kernel builds (the debug kernel)"
	"libelf-dev: kernel builds (objtool)"
	"libssl-dev: kernel builds (module signing tools)"
	"dwarves: pahole, BTF for the debug kernel and source-built kernels"
	"linux-source-6.1: the debug kernel (KUnit, KASAN, lockdep) and checkpatch"
	"pkg-config: finding libmnl"
	"libmnl-dev: the reader's netlink library"
	"qemu-system-x86: the test VM"
	"busybox-static: the VM's shell and tools"
	"kmod: modprobe and depmod, in the VM and for its modules"
	"cpio: packing the VM's initramfs"
	"xz-utils: decompressing the VM kernel's modules"
	"iproute2: ip and ss in the VM"
	"tcpdump: captures in the VM tests"
	"socat: servers and clients in the VM tests"
	"procps: sysctl and ps in the VM tests"
	"jq: checking JSON in the VM tests"
	"tmux: a terminal for tcphs top in the VM tests"
	"iperf3: the benchmark's throughput runs"
	"nftables: NAT routers in the VM tests"
	"linux-perf: the benchmark's profile"
	"clang: the benchmark's tracepoint peer (tests/bench/tpstates.bpf.c)"
	"libbpf-dev: the benchmark's tracepoint peer (tests/bench/tpstates.c)"
	"sparse: make lint (C=2)"
	"python3: the test tools"
	"python3-yaml: reading the netlink spec"
	"python3-jsonschema: checking the netlink spec against the kernel's YNL schema"
)

LIST=0
case ${1:-} in
'') ;;
--list) LIST=1 ;;
-h | --help)
	sed -n '4,/^set -euo/{/^#/s/^# \{0,1\}//p;}' "$0" >&2
	exit 2
	;;
*) tcphs_die "unknown argument: $1 (try --help)" ;;
esac

# Collect the packages that are not fully installed.
missing=()
for entry in "${PACKAGES[@]}"; do
	pkg=${entry%%:*}
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	case $status in
	ii*) state=installed ;;
	*) state=missing; missing+=("$pkg") ;;
	esac
	[ "$LIST" = 0 ] || printf '%-26s %-9s %s\n' "$pkg" "$state" "${entry#*: }"
done
if [ "$LIST" = 1 ]; then
	echo "and, not installed: the VM's kernel image (linux-image of the headers' release), downloaded into $TCPHS_CACHE/vm-kernel"
	exit 0
fi

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup.sh: all ${#PACKAGES[@]} packages already present"
else
	# Become root for apt if needed.
	SUDO=()
	if [ "$(id -u)" -ne 0 ]; then
		if command -v sudo >/dev/null 2>&1; then
			SUDO=(sudo)
		else
			echo "setup.sh: error: need root (or sudo) to install: ${missing[*]}" >&2
			exit 1
		fi
	fi
	echo "setup.sh: installing ${#missing[@]} packages (scripts/setup.sh --list says why): ${missing[*]}"
	"${SUDO[@]}" apt-get update -qq
	"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
		apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	echo "setup.sh: installed ${missing[*]}"
fi

# The kernel the VM boots: downloaded, not installed.
tcphs_kernel_paths ""
tcphs_vm_kernel
