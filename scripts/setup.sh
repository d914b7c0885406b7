#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install what building tcphs and running its QEMU test VM need on a
# Debian 12 machine.  Idempotent: apt is only touched when a package is
# missing.  Runs as root, or through sudo when that is available.
#
# Usage: scripts/setup.sh
set -euo pipefail

PACKAGES=(
	build-essential bc flex bison libelf-dev libssl-dev pkg-config
	qemu-system-x86 busybox-static kmod cpio
	linux-image-cloud-amd64 linux-headers-cloud-amd64
	libmnl-dev sparse iproute2 tcpdump socat procps jq linux-source-6.1
	iperf3 nftables linux-perf
	dwarves
	python3 xz-utils
)

# Collect the packages that are not fully installed.
missing=()
for pkg in "${PACKAGES[@]}"; do
	status=$(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null || true)
	case $status in
	ii*) ;;
	*) missing+=("$pkg") ;;
	esac
done

if [ ${#missing[@]} -eq 0 ]; then
	echo "setup.sh: all ${#PACKAGES[@]} packages already present"
	exit 0
fi

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

export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -qq
"${SUDO[@]}" env DEBIAN_FRONTEND=noninteractive \
	apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup.sh: installed ${missing[*]}"
