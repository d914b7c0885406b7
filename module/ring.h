/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A bounded log of the most recent events of a namespace, readable as
 * /proc/net/tcphs_events; it also numbers the events.
 */
#ifndef _TCPHS_RING_H
#define _TCPHS_RING_H

#include <linux/types.h>

struct net;
struct tcphs_net;
struct tcphs_flow_info;
struct tcphs_seg;
struct tcphs_step;

extern unsigned int tcphs_event_ring;

int tcphs_ring_net_init(struct net *net, unsigned int size);
void tcphs_ring_net_exit(struct net *net);
u64 tcphs_ring_record(struct tcphs_net *tn, const struct tcphs_flow_info *fi,
		      const struct tcphs_step *step, int dir, const struct tcphs_seg *seg,
		      u64 now);

#endif /* _TCPHS_RING_H */
