/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A flow's owner: the local socket that sent on it (see flow_table.h's
 * struct tcphs_owner), read off the segments the host sends.
 */
#ifndef _TCPHS_OWNER_H
#define _TCPHS_OWNER_H

#include <linux/skbuff.h>
#include <net/sock.h>

#include "flow_table.h"

struct sock *tcphs_owner_sock(const struct sk_buff *skb, unsigned int hook);
void tcphs_owner_record(struct tcphs_owner *o, struct sock *sk, unsigned int dir);

/*
 * Has a segment that side @dir's local socket sent something to tell @o
 * (NULL: the flow has no room for an owner yet)? Nothing once the owner
 * is the other side's, or complete: its task known, its cookie the
 * accepted socket's. Under the flow's lock.
 */
static inline bool tcphs_owner_wanted(const struct tcphs_owner *o, unsigned int dir)
{
	if (!o || !o->known)
		return true;
	if (o->side != dir)
		return false;
	return (o->known & (TCPHS_OWN_TASK | TCPHS_OWN_LISTENER)) != TCPHS_OWN_TASK;
}

#endif /* _TCPHS_OWNER_H */
