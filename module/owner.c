// SPDX-License-Identifier: GPL-2.0
/*
 * Who a flow belongs to. A segment the host sends (LOCAL_OUT) carries its
 * socket: the connecting socket for a client's SYN, the request socket
 * for a server's SYN-ACK (whose listener is the one to name), the
 * accepted socket after that. The kernel's own control sockets, which
 * send resets and time-wait ACKs for sockets that are gone, name no one.
 *
 * The task is the one in whose context the socket first sends: connect()
 * for a client, the first write or close for a server. Segments sent from
 * softirq (retransmissions, ACKs, a listener's SYN-ACK) name none, since
 * whoever runs then is unrelated. Nothing is looked up: the socket is on
 * the skb and the task is current.
 */

#include <linux/cgroup.h>
#include <linux/cred.h>
#include <linux/netfilter.h>
#include <linux/sched.h>
#include <linux/sock_diag.h>
#include <linux/string.h>
#include <linux/uidgid.h>
#include <net/inet_sock.h>
#include <net/tcp_states.h>

#include "tcphs.h"
#include "owner.h"

/**
 * tcphs_owner_sock - the local TCP socket that sent @skb
 * @skb: a segment
 * @hook: where it was seen
 *
 * Returns NULL for a segment not sent by a local TCP socket, or when
 * owners are not recorded (the owners parameter).
 */
struct sock *tcphs_owner_sock(const struct sk_buff *skb, unsigned int hook)
{
	struct sock *sk;

	if (hook != NF_INET_LOCAL_OUT || !skb->sk || !READ_ONCE(tcphs_owners))
		return NULL;
	sk = skb_to_full_sk(skb);
	if (!sk || !sk_fullsock(sk) || sk->sk_type != SOCK_STREAM ||
	    sk->sk_protocol != IPPROTO_TCP)
		return NULL;
	return sk;
}

static u64 sock_cookie(struct sock *sk)
{
	u32 c[2];

	sock_diag_save_cookie(sk, c);
	return (u64)c[1] << 32 | c[0];
}

/**
 * tcphs_owner_record - note what a segment @sk sent tells of its flow's owner
 * @o: the flow's owner; the caller holds the flow's lock
 * @sk: from tcphs_owner_sock()
 * @dir: the segment's direction: the side @sk is
 *
 * Call only when tcphs_owner_wanted(). Never sleeps, takes no lock.
 */
void tcphs_owner_record(struct tcphs_owner *o, struct sock *sk, unsigned int dir)
{
	bool listener = sk->sk_state == TCP_LISTEN;

	if (!o->known) {
		o->side = dir;
		o->uid = from_kuid_munged(&init_user_ns, sk->sk_uid);
#ifdef CONFIG_SOCK_CGROUP_DATA
		o->cgroup = cgroup_id(sock_cgroup_ptr(&sk->sk_cgrp_data));
#endif
		o->cookie = sock_cookie(sk);
		o->known = TCPHS_OWN_SOCK | (listener ? TCPHS_OWN_LISTENER : 0);
	} else if ((o->known & TCPHS_OWN_LISTENER) && !listener) {
		/* The accepted socket, which ss and BPF programs see. */
		o->cookie = sock_cookie(sk);
		o->known &= ~TCPHS_OWN_LISTENER;
	}
	if (!(o->known & TCPHS_OWN_TASK) && !listener && in_task()) {
		o->pid = task_tgid_nr(current);
		strscpy_pad(o->comm, current->comm, sizeof(o->comm));
		o->known |= TCPHS_OWN_TASK;
	}
}
