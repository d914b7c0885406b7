#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Register tcphs with DKMS and build and install it for a kernel, or take it
# out of DKMS again. What make dkms-install and make dkms-remove run.
#
# Usage: scripts/dkms.sh install [KVER]
#        scripts/dkms.sh remove
#
#   install  copy the module's sources to /usr/src/tcphs-VERSION (VERSION
#            from dkms.conf), then dkms add, build and install for KVER
#            (default: the running kernel). An earlier registration of the
#            same version is removed first, so the sources are fresh.
#            Installs Debian's dkms package when it is missing.
#   remove   dkms remove the version for every kernel, and its sources.
#
# Runs as root (apt, /usr/src, /lib/modules).
set -euo pipefail

# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"

usage() {
	sed -n '4,/^set -euo/{/^#/s/^# \{0,1\}//p;}' "$0" >&2
	exit 2
}

[ $# -ge 1 ] || usage
ACTION=$1
KVER=${2:-$(uname -r)}
[ "$(id -u)" = 0 ] || tcphs_die "run as root"

NAME=tcphs
VERSION=$(sed -n 's/^PACKAGE_VERSION="\{0,1\}\([^"]*\)"\{0,1\}$/\1/p' "$TCPHS_ROOT/dkms.conf")
[ -n "$VERSION" ] || tcphs_die "no PACKAGE_VERSION in dkms.conf"
SRC=/usr/src/$NAME-$VERSION

# Is this version registered with DKMS?
registered() {
	[ -d "/var/lib/dkms/$NAME/$VERSION" ]
}

case $ACTION in
install)
	if ! command -v dkms >/dev/null 2>&1; then
		tcphs_log "installing Debian's dkms package"
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends dkms >/dev/null
	fi
	[ -d "/lib/modules/$KVER/build" ] ||
		tcphs_die "no headers for $KVER (/lib/modules/$KVER/build): install linux-headers-$KVER"
	if registered; then
		dkms remove -m "$NAME" -v "$VERSION" --all
	fi
	rm -rf -- "$SRC"
	mkdir -p -- "$SRC"
	# The module's sources only: what dkms.conf's MAKE needs.
	tar -C "$TCPHS_ROOT" --exclude='*.o' --exclude='*.ko' --exclude='*.mod' \
		--exclude='*.mod.c' --exclude='.*.cmd' --exclude='*.o.d' --exclude=modules.order \
		--exclude=Module.symvers --exclude=compat-generated.h \
		-cf - dkms.conf Makefile Kbuild module include | tar -C "$SRC" -xf -
	dkms add -m "$NAME" -v "$VERSION"
	dkms build -m "$NAME" -v "$VERSION" -k "$KVER"
	dkms install -m "$NAME" -v "$VERSION" -k "$KVER"
	dkms status -m "$NAME"
	;;
remove)
	if command -v dkms >/dev/null 2>&1 && registered; then
		dkms remove -m "$NAME" -v "$VERSION" --all
	fi
	rm -rf -- "$SRC"
	;;
*)
	usage
	;;
esac
