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

#include <net/genetlink.h>

#include "compat-generated.h"

/*
 * Who may join the events multicast group. Since 6.6 (and 6.1.y) the family
 * asks for CAP_NET_ADMIN in the namespace's user namespace, as /proc/tcphs
 * asks for its root. Older kernels have no per-group check: any local user
 * can listen, and tcphs says so when it loads.
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

#endif /* _TCPHS_COMPAT_H */
