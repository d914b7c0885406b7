/* SPDX-License-Identifier: GPL-2.0 */
/* The generic netlink family: dumps, counters, flush and events. */
#ifndef _TCPHS_NETLINK_H
#define _TCPHS_NETLINK_H

#include <linux/types.h>

struct tcphs_flow;
struct tcphs_seg;
struct tcphs_step;

int tcphs_nl_init(void);
void tcphs_nl_exit(void);
void tcphs_nl_event(struct tcphs_flow *flow, const struct tcphs_step *step, int dir,
		    const struct tcphs_seg *seg, u64 now);

#endif /* _TCPHS_NETLINK_H */
