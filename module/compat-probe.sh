#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# Print compat-generated.h for the kernel whose headers are in INCLUDE_DIR:
# one TCPHS_HAVE_* macro per interface tcphs uses that not every supported
# kernel (5.10 on) has. module/Kbuild runs it at every build (the file is
# rewritten only when its text changes); compat.h turns the macros into one
# spelling for the rest of the module.
#
# Usage: compat-probe.sh INCLUDE_DIR
#
# Each probe greps the header that declares the interface, so that adding
# one is one line here and one block in compat.h.
set -eu

inc=${1:?usage: compat-probe.sh INCLUDE_DIR}
if [ ! -f "$inc/net/genetlink.h" ]; then
	echo "compat-probe.sh: no kernel headers in $inc" >&2
	exit 1
fi

# have MACRO HEADER EXTENDED-REGEX
have() {
	if grep -Eq -- "$3" "$inc/$2"; then
		printf '#define %s 1\n' "$1"
	else
		printf '/* #undef %s */\n' "$1"
	fi
}

printf '/* SPDX-License-Identifier: GPL-2.0 */\n'
printf '/*\n * Written by compat-probe.sh from the headers in\n * %s;\n * do not edit.\n */\n' "$inc"

# struct genl_multicast_group.flags, GENL_MCAST_CAP_NET_ADMIN (6.6; 6.1.y)
have TCPHS_HAVE_GENL_MCAST_CAP net/genetlink.h \
	'^#define[[:space:]]+GENL_MCAST_CAP_NET_ADMIN'
# genl_info_dump(): a dump's attributes in a struct genl_info (6.6)
have TCPHS_HAVE_GENL_INFO_DUMP net/genetlink.h '^genl_info_dump\('
# register_net_sysctl_sz(): the table's size given, not found (6.6)
have TCPHS_HAVE_REGISTER_NET_SYSCTL_SZ net/net_namespace.h 'register_net_sysctl_sz\('
# proc_handler takes a const struct ctl_table (6.11)
have TCPHS_HAVE_CONST_CTL_TABLE linux/sysctl.h \
	'^typedef int proc_handler\(const struct ctl_table'
