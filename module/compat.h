/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What differs between the kernels tcphs builds against, from Debian 11's
 * 5.10 to the newest, in one place. The rest of the module uses the names
 * defined here and carries no version test of its own.
 *
 * compat-generated.h, written at build time by compat-probe.sh from the
 * target kernel's headers, says which interfaces that kernel has; a version
 * number would miss backports (the group capability flags below came to 6.1
 * in a stable update). `make compat` builds against every kernel of the
 * matrix in Documentation/tcphs-install.rst.
 */
#ifndef _TCPHS_COMPAT_H
#define _TCPHS_COMPAT_H

#include <linux/sysctl.h>
#include <net/genetlink.h>
#include <net/net_namespace.h>

#include "compat-generated.h"

/*
 * Who may join the events multicast group. Since 6.6 (and 6.1.y) the family
 * asks for CAP_NET_ADMIN in the namespace's user namespace, as /proc/tcphs
 * asks for its root. Older kernels have no per-group check and no hook a
 * family could check in: there tcphs registers no group at all, unless the
 * administrator accepts that any local user may listen (netlink.c).
 */
#ifdef TCPHS_HAVE_GENL_MCAST_CAP
#define TCPHS_MCGRP_ADMIN_ONLY(_name)	{ .name = _name, .flags = GENL_MCAST_CAP_NET_ADMIN }
#define TCPHS_MCGRP_RESTRICTED		true
#else
#define TCPHS_MCGRP_ADMIN_ONLY(_name)	{ .name = _name }
#define TCPHS_MCGRP_RESTRICTED		false
#endif

/* The validated attributes of a dump request (in a genl_info since 6.6). */
static inline struct nlattr **tcphs_dump_attrs(struct netlink_callback *cb)
{
#ifdef TCPHS_HAVE_GENL_INFO_DUMP
	return genl_info_dump(cb)->attrs;
#else
	return genl_dumpit_info(cb)->attrs;
#endif
}

/* A sysctl handler's table: const since 6.11. */
#ifdef TCPHS_HAVE_CONST_CTL_TABLE
#define tcphs_ctl_table	const struct ctl_table
#else
#define tcphs_ctl_table	struct ctl_table
#endif

/*
 * Register @n entries of @table (which has one more, empty, for the kernels
 * that look for the end of a table rather than take its size).
 */
static inline struct ctl_table_header *
tcphs_register_net_sysctl(struct net *net, const char *path, struct ctl_table *table, size_t n)
{
#ifdef TCPHS_HAVE_REGISTER_NET_SYSCTL_SZ
	return register_net_sysctl_sz(net, path, table, n);
#else
	return register_net_sysctl(net, path, table);
#endif
}

#endif /* _TCPHS_COMPAT_H */
