// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks: parse a TCP segment, find or create its flow, take it
 * through the state machine, record what happened. Every packet is accepted
 * unchanged; tcphs only watches.
 *
 * Hooks sit at PRE_ROUTING (received and forwarded traffic) and LOCAL_OUT
 * (locally sent traffic), just after defragmentation, where conntrack sits.
 * A segment sent over loopback passes both; it is counted at LOCAL_OUT only.
 */

#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/netdevice.h>
#include <linux/netfilter.h>
#include <linux/netfilter_ipv4.h>
#include <linux/netfilter_ipv6.h>
#include <linux/skbuff.h>
#include <linux/tcp.h>
#include <net/ip.h>
#include <net/ipv6.h>

#include "tcphs.h"
#include "flow_table.h"
#include "netlink.h"

/* May a segment with no flow start one? */
static bool opens_flow(const struct tcphs_seg *seg)
{
	if (!tcphs_fsm_valid_flags(seg->flags))
		return false;
	if ((seg->flags & (TCPHS_SYN | TCPHS_ACK)) == TCPHS_SYN)
		return true;
	return READ_ONCE(tcphs_loose);
}

static void swap_tuple(struct tcphs_tuple *t)
{
	swap(t->src, t->dst);
	swap(t->sport, t->dport);
}

static void set_ts_once(struct tcphs_flow *flow, enum tcphs_ts step, u64 now)
{
	if (!tcphs_flow_has_ts(flow, step))
		tcphs_flow_set_ts(flow, step, now);
}

/* Retransmission counters stop at their maximum. */
static void count(u8 *counter)
{
	if (*counter < U8_MAX)
		(*counter)++;
}

/* Record the steps of one segment in the flow. Caller holds its lock. */
static void record(struct tcphs_net *tn, struct tcphs_flow *flow, const struct tcphs_seg *seg,
		   unsigned int dir, const struct tcphs_verdict *v)
{
	unsigned int i;
	u64 now = 0;

	tcphs_history_update(&flow->hist, seg, dir, v);

	for (i = 0; i < v->nsteps; i++) {
		const struct tcphs_step *s = &v->step[i];

		/* Most segments take no step worth an event: read no clock. */
		if (s->event != TCPHS_EV_NONE && !now)
			now = ktime_get_ns();

		switch (s->event) {
		case TCPHS_EV_SYN:
			if (dir == TCPHS_DIR_ORIG)
				set_ts_once(flow, TCPHS_TS_SYN, now);
			break;
		case TCPHS_EV_SYN_ACK:
			set_ts_once(flow, TCPHS_TS_SYNACK, now);
			break;
		case TCPHS_EV_ESTABLISHED:
			set_ts_once(flow, TCPHS_TS_ESTABLISHED, now);
			break;
		case TCPHS_EV_FIN:
			tcphs_flow_set_ts(flow, tcphs_flow_has_ts(flow, TCPHS_TS_FIN1) ?
					  TCPHS_TS_FIN2 : TCPHS_TS_FIN1, now);
			break;
		case TCPHS_EV_CLOSED:
		case TCPHS_EV_RST:
			tcphs_flow_set_ts(flow, TCPHS_TS_END, now);
			break;
		case TCPHS_EV_SYN_RETRANS:
			count(&flow->rtx_syn);
			break;
		case TCPHS_EV_SYNACK_RETRANS:
			count(&flow->rtx_synack);
			break;
		case TCPHS_EV_INVALID:
			tcphs_stat_inc(tn, TCPHS_STAT_INVALID);
			/* Anyone can send these: only so many become events. */
			if (!tcphs_invalid_event_allowed(tn, jiffies)) {
				tcphs_stat_inc(tn, TCPHS_STAT_EVENT_SUPPRESSED);
				continue;
			}
			break;
		}
		if (s->kind == TCPHS_K_FIN_RE)
			count(&flow->rtx_fin);
		if (s->new_state != s->old_state)
			tcphs_flow_set_expiry(flow);
		if (s->event != TCPHS_EV_NONE)
			tcphs_nl_event(flow, s, dir, seg, now);
	}
	if (v->retrans)
		tcphs_stat_inc(tn, TCPHS_STAT_RETRANS);
	/* Live flows stay while packets flow; finished ones only linger. */
	if (!v->invalid && flow->fsm.state != TCPHS_STATE_TIME_WAIT &&
	    flow->fsm.state != TCPHS_STATE_CLOSED)
		tcphs_flow_set_expiry(flow);
}

static void tcphs_track(struct net *net, struct tcphs_tuple *t, const struct tcphs_seg *seg)
{
	struct tcphs_net *tn = tcphs_pernet(net);
	struct tcphs_verdict v;
	struct tcphs_flow *flow;
	bool restarted = false;
	unsigned int dir;
	spinlock_t *lock;	/* the flow's bucket's */
	u32 hash;

	tcphs_stat_inc(tn, TCPHS_STAT_PACKETS);
again:
	flow = tcphs_flow_find(net, t, &dir, &hash);
	if (!flow) {
		if (!opens_flow(seg)) {
			tcphs_stat_inc(tn, tcphs_fsm_valid_flags(seg->flags) ?
					   TCPHS_STAT_IGNORED : TCPHS_STAT_MALFORMED);
			return;
		}
		/* The receiver of a SYN-ACK is the one who opened. */
		dir = TCPHS_DIR_ORIG;
		if ((seg->flags & (TCPHS_SYN | TCPHS_ACK)) == (TCPHS_SYN | TCPHS_ACK)) {
			swap_tuple(t);
			dir = TCPHS_DIR_REPLY;
		}
		flow = tcphs_flow_create(net, t);
		if (!flow)
			return;
		/* Another CPU may have added it first: find the direction. */
		if (dir == TCPHS_DIR_REPLY)
			swap_tuple(t);
		flow = tcphs_flow_find(net, t, &dir, &hash);
		if (!flow)
			return;
	}

	lock = tcphs_flow_lock(hash);
	spin_lock_bh(lock);
	if (tcphs_flow_dead(flow)) {
		spin_unlock_bh(lock);
		tcphs_stat_inc(tn, TCPHS_STAT_IGNORED);
		return;
	}
	tcphs_fsm_segment(&flow->fsm, seg, dir, &v);
	if (v.restart) {
		spin_unlock_bh(lock);
		/* A new connection on a finished tuple: retire the old flow. */
		tcphs_flow_unlink(flow, hash);
		if (restarted)
			return;
		restarted = true;
		goto again;
	}
	record(tn, flow, seg, dir, &v);
	spin_unlock_bh(lock);
}

/* Fill @seg from the TCP header at @thoff; false if it is malformed. */
static bool parse_tcp(const struct sk_buff *skb, unsigned int thoff, struct tcphs_tuple *t,
		      struct tcphs_seg *seg)
{
	struct tcphdr _th;
	const struct tcphdr *th;
	unsigned int doff;

	th = skb_header_pointer(skb, thoff, sizeof(_th), &_th);
	if (!th)
		return false;
	doff = th->doff * 4;
	if (doff < sizeof(*th) || thoff + doff > skb->len)
		return false;

	t->sport = th->source;
	t->dport = th->dest;
	seg->seq = ntohl(th->seq);
	seg->ack = ntohl(th->ack_seq);
	seg->window = ntohs(th->window);
	seg->flags = tcp_flag_byte(th);
	seg->len = skb->len - thoff - doff;
	return true;
}

static bool skip(const struct nf_hook_state *state)
{
	return state->hook == NF_INET_PRE_ROUTING && state->in &&
	       (state->in->flags & IFF_LOOPBACK);
}

/* What parsing made of a packet. */
enum tcphs_parse {
	TCPHS_PARSE_TCP,	/* a TCP segment: tuple and segment filled */
	TCPHS_PARSE_OTHER,	/* not TCP (or no IP header): not counted */
	TCPHS_PARSE_FRAGMENT,	/* a non-first fragment */
	TCPHS_PARSE_MALFORMED,	/* truncated header or bad data offset */
};

static enum tcphs_parse parse_ipv4(const struct sk_buff *skb, struct tcphs_tuple *t,
				   struct tcphs_seg *seg)
{
	const struct iphdr *iph;
	struct iphdr _iph;
	unsigned int ihl;

	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_iph), &_iph);
	if (!iph || iph->protocol != IPPROTO_TCP)
		return TCPHS_PARSE_OTHER;
	if (ntohs(iph->frag_off) & IP_OFFSET)
		return TCPHS_PARSE_FRAGMENT;
	ihl = iph->ihl * 4;
	t->family = AF_INET;
	t->src.ip = iph->saddr;
	t->dst.ip = iph->daddr;
	if (ihl < sizeof(*iph) || !parse_tcp(skb, skb_network_offset(skb) + ihl, t, seg))
		return TCPHS_PARSE_MALFORMED;
	return TCPHS_PARSE_TCP;
}

/* IPv6 extension headers are walked to the TCP header. */
static enum tcphs_parse parse_ipv6(const struct sk_buff *skb, struct tcphs_tuple *t,
				   struct tcphs_seg *seg)
{
	const struct ipv6hdr *ip6h;
	struct ipv6hdr _ip6h;
	const u8 *next;
	__be16 frag_off;
	u8 nexthdr, _next;
	int thoff;

	ip6h = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_ip6h), &_ip6h);
	if (!ip6h)
		return TCPHS_PARSE_OTHER;
	nexthdr = ip6h->nexthdr;
	thoff = ipv6_skip_exthdr(skb, skb_network_offset(skb) + sizeof(_ip6h), &nexthdr,
				 &frag_off);
	if (thoff < 0)
		return TCPHS_PARSE_OTHER;
	if (frag_off & htons(IP6_OFFSET)) {
		/* The walk stops at a later fragment's header, which names what follows. */
		next = skb_header_pointer(skb, thoff, sizeof(_next), &_next);
		return next && *next == IPPROTO_TCP ? TCPHS_PARSE_FRAGMENT : TCPHS_PARSE_OTHER;
	}
	if (nexthdr != IPPROTO_TCP)
		return TCPHS_PARSE_OTHER;
	t->family = AF_INET6;
	t->src.in6 = ip6h->saddr;
	t->dst.in6 = ip6h->daddr;
	if (!parse_tcp(skb, thoff, t, seg))
		return TCPHS_PARSE_MALFORMED;
	return TCPHS_PARSE_TCP;
}

static void tcphs_handle(struct net *net, enum tcphs_parse what, struct tcphs_tuple *t,
			 const struct tcphs_seg *seg)
{
	switch (what) {
	case TCPHS_PARSE_TCP:
		tcphs_track(net, t, seg);
		break;
	case TCPHS_PARSE_FRAGMENT:
		tcphs_stat_inc(tcphs_pernet(net), TCPHS_STAT_FRAGMENTS);
		break;
	case TCPHS_PARSE_MALFORMED:
		tcphs_stat_inc(tcphs_pernet(net), TCPHS_STAT_MALFORMED);
		break;
	case TCPHS_PARSE_OTHER:
		break;
	}
}

static unsigned int tcphs_hook_ipv4(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct tcphs_tuple t = {};
	struct tcphs_seg seg = {};

	if (!skip(state))
		tcphs_handle(state->net, parse_ipv4(skb, &t, &seg), &t, &seg);
	return NF_ACCEPT;
}

static unsigned int tcphs_hook_ipv6(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct tcphs_tuple t = {};
	struct tcphs_seg seg = {};

	if (!skip(state))
		tcphs_handle(state->net, parse_ipv6(skb, &t, &seg), &t, &seg);
	return NF_ACCEPT;
}

static const struct nf_hook_ops tcphs_hook_ops[] = {
	{
		.hook		= tcphs_hook_ipv4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= tcphs_hook_ipv4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= tcphs_hook_ipv6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
	{
		.hook		= tcphs_hook_ipv6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_CONNTRACK_DEFRAG + 1,
	},
};

int tcphs_hooks_register(struct net *net)
{
	return nf_register_net_hooks(net, tcphs_hook_ops, ARRAY_SIZE(tcphs_hook_ops));
}

void tcphs_hooks_unregister(struct net *net)
{
	nf_unregister_net_hooks(net, tcphs_hook_ops, ARRAY_SIZE(tcphs_hook_ops));
}
