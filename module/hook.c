// SPDX-License-Identifier: GPL-2.0
/*
 * The netfilter hooks: parse a TCP segment, find or create its flow, take it
 * through the state machine, record what happened. Every packet is accepted
 * unchanged; tcphs only watches.
 *
 * Hooks sit at PRE_ROUTING (received and forwarded traffic) and LOCAL_OUT
 * (locally sent traffic), just after conntrack and before any address
 * translation: where conntrack has looked at a packet its entry names the
 * connection, so that both directions of a translated connection find one
 * flow (see untranslate()); without conntrack, each packet's own addresses
 * do. A segment sent over loopback passes both hooks; it is counted at
 * LOCAL_OUT only.
 *
 * What the receiving host would drop does not move a flow: a segment with a
 * bad TCP checksum (checked at PRE_ROUTING unless the device or the stack
 * already did; what LOCAL_OUT sees is the host's own) is counted and
 * ignored, and the state machine refuses what falls outside the window.
 * Fragments are counted and not examined: where the namespace reassembles
 * (conntrack's defragmentation) the hooks see whole segments; elsewhere a
 * first fragment's header tells neither the segment's length nor where its
 * FIN sits, and nothing after it can be checked without them.
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
#include <net/ip6_checksum.h>
#include <net/ipv6.h>
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
#include <net/netfilter/nf_conntrack.h>
#endif

#include "tcphs.h"
#include "flow_table.h"
#include "netlink.h"
#include "owner.h"
#include "ports.h"

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

/*
 * The first time of step @to, and with the time of @from, if known, one
 * half of the handshake into the port's histogram.
 */
static void latency_once(struct tcphs_net *tn, struct tcphs_flow *flow, enum tcphs_ts from,
			 enum tcphs_ts to, u64 now)
{
	if (tcphs_flow_has_ts(flow, to))
		return;
	tcphs_flow_set_ts(flow, to, now);
	if (tcphs_flow_has_ts(flow, from))
		tcphs_ports_latency(tn, flow->dport,
				    to == TCPHS_TS_SYNACK ? TCPHS_HIST_SYN_SYNACK :
							    TCPHS_HIST_SYNACK_ACK,
				    tcphs_flow_ts(flow, to) - tcphs_flow_ts(flow, from));
}

/* Retransmission counters stop at their maximum. */
static void count(u8 *counter)
{
	if (*counter < U8_MAX)
		(*counter)++;
}

/*
 * Record the steps of one segment in the flow. Caller holds its lock. A
 * @replayed SYN (see resync()) was seen earlier, at a time not kept: it
 * gives no timestamp.
 */
static void record(struct tcphs_net *tn, struct tcphs_flow *flow, const struct tcphs_seg *seg,
		   unsigned int dir, const struct tcphs_verdict *v, bool replayed)
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
			if (dir == TCPHS_DIR_ORIG && !replayed)
				set_ts_once(flow, TCPHS_TS_SYN, now);
			break;
		case TCPHS_EV_SYN_ACK:
			latency_once(tn, flow, TCPHS_TS_SYN, TCPHS_TS_SYNACK, now);
			break;
		case TCPHS_EV_ESTABLISHED:
			latency_once(tn, flow, TCPHS_TS_SYNACK, TCPHS_TS_ESTABLISHED, now);
			break;
		case TCPHS_EV_FIN:
			tcphs_flow_set_ts(flow, tcphs_flow_has_ts(flow, TCPHS_TS_FIN1) ?
					  TCPHS_TS_FIN2 : TCPHS_TS_FIN1, now);
			break;
		case TCPHS_EV_TIME_WAIT:
		case TCPHS_EV_RST:
			tcphs_flow_set_ts(flow, TCPHS_TS_END, now);
			break;
		case TCPHS_EV_SYN_RETRANS:
			count(&flow->rtx_syn);
			tcphs_ports_count(tn, flow->dport, TCPHS_PC_RTX_SYN);
			break;
		case TCPHS_EV_SYN_ACK_RETRANS:
			count(&flow->rtx_synack);
			tcphs_ports_count(tn, flow->dport, TCPHS_PC_RTX_SYNACK);
			break;
		case TCPHS_EV_INVALID: {
			enum tcphs_stat why = tcphs_fsm_refusal(s);

			tcphs_stat_inc(tn, TCPHS_STAT_INVALID);
			if (why != __TCPHS_STAT_MAX)
				tcphs_stat_inc(tn, why);
			/* Anyone can send these: only so many become events. */
			if (!tcphs_invalid_event_allowed(tn, jiffies)) {
				tcphs_stat_inc(tn, TCPHS_STAT_EVENT_SUPPRESSED);
				continue;
			}
			break;
		}
		case TCPHS_EV_RESYNC:
			tcphs_stat_inc(tn, TCPHS_STAT_RESYNC);
			tcphs_flow_set_ts(flow, TCPHS_TS_END, now);
			tcphs_flow_count_outcome(flow, TCPHS_OUT_RESTARTED);
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
	if (flow->fsm.state != TCPHS_STATE_TIME_WAIT && flow->fsm.state != TCPHS_STATE_CLOSED) {
		if (!v->invalid)
			tcphs_flow_set_expiry(flow);
	} else if (!(flow->flags & TCPHS_FLOW_COUNTED)) {
		tcphs_flow_count_outcome(flow, tcphs_fsm_outcome(&flow->fsm, false));
	}
}

/* A segment with a bad checksum: counted, and marked in its flow's history. */
static void bad_checksum(struct tcphs_net *tn, struct net *net, const struct tcphs_tuple *t)
{
	struct tcphs_flow *flow;
	unsigned int dir;
	spinlock_t *lock;	/* the flow's bucket's */
	u32 hash;

	tcphs_stat_inc(tn, TCPHS_STAT_BAD_CHECKSUM);
	flow = tcphs_flow_find(net, t, &dir, &hash);
	if (!flow)
		return;
	lock = tcphs_flow_lock(hash);
	spin_lock_bh(lock);
	if (!tcphs_flow_dead(flow))
		tcphs_history_bad_checksum(&flow->hist, dir);
	spin_unlock_bh(lock);
}

/*
 * Take one segment through its flow, creating the flow if the segment may
 * open one. True if the flow resynchronised: its endpoints began anew with
 * the SYN in @v->resync_syn, which this segment, a SYN-ACK, answers (so
 * the SYN came from this segment's receiver). The old flow is then gone.
 * @x, if not NULL, is how the connection looks
 * past the translation this segment went through, for its flow to keep.
 * @sk, if not NULL, is the local socket that sent the segment.
 */
static bool track_segment(struct tcphs_net *tn, struct net *net, struct tcphs_tuple *t,
			  const struct tcphs_seg *seg, const struct tcphs_xlat *x,
			  struct sock *sk, bool replayed, struct tcphs_verdict *v)
{
	struct tcphs_flow *flow;
	bool restarted = false;
	unsigned int dir;
	spinlock_t *lock;	/* the flow's bucket's */
	u32 hash;

again:
	flow = tcphs_flow_find(net, t, &dir, &hash);
	if (!flow) {
		if (!opens_flow(seg)) {
			tcphs_stat_inc(tn, tcphs_fsm_valid_flags(seg->flags) ?
					   TCPHS_STAT_IGNORED : TCPHS_STAT_MALFORMED);
			return false;
		}
		/* The receiver of a SYN-ACK is the one who opened. */
		dir = TCPHS_DIR_ORIG;
		if ((seg->flags & (TCPHS_SYN | TCPHS_ACK)) == (TCPHS_SYN | TCPHS_ACK)) {
			swap_tuple(t);
			dir = TCPHS_DIR_REPLY;
		}
		flow = tcphs_flow_create(net, t, sk);
		if (dir == TCPHS_DIR_REPLY)
			swap_tuple(t);
		if (!flow)
			return false;
		/* Another CPU may have added it first: find the direction. */
		flow = tcphs_flow_find(net, t, &dir, &hash);
		if (!flow)
			return false;
	}

	lock = tcphs_flow_lock(hash);
	spin_lock_bh(lock);
	if (tcphs_flow_dead(flow)) {
		spin_unlock_bh(lock);
		tcphs_stat_inc(tn, TCPHS_STAT_IGNORED);
		return false;
	}
	if (x && !(flow->flags & TCPHS_FLOW_NAT))
		flow = tcphs_flow_set_xlat(flow, hash, x);
	if (sk && tcphs_owner_wanted(tcphs_flow_owner(flow), dir)) {
		flow = tcphs_flow_make_owned(flow, hash);
		if (tcphs_flow_owner(flow))
			tcphs_owner_record(tcphs_flow_owner(flow), sk, dir);
	}
	tcphs_fsm_segment(&flow->fsm, seg, dir, v);
	if (v->restart) {
		spin_unlock_bh(lock);
		/* A new connection on a finished tuple: retire the old flow. */
		tcphs_flow_unlink(flow, hash);
		if (restarted)
			return false;
		restarted = true;
		goto again;
	}
	record(tn, flow, seg, dir, v, replayed);
	spin_unlock_bh(lock);
	if (!v->resync)
		return false;
	/* Its RESYNC event was the old flow's last word. */
	tcphs_flow_unlink(flow, hash);
	return true;
}

/*
 * The endpoints of a synchronized flow began a new connection: the SYN the
 * flow refused, then @seg, the SYN-ACK that answers it. The old flow is
 * gone; a new one starts from that SYN, sent by the other end of @t.
 */
static void resync(struct tcphs_net *tn, struct net *net, struct tcphs_tuple *t,
		   const struct tcphs_seg *seg, const struct tcphs_xlat *x, struct sock *sk,
		   const struct tcphs_seg *syn)
{
	struct tcphs_verdict v;

	swap_tuple(t);
	track_segment(tn, net, t, syn, NULL, NULL, true, &v);
	swap_tuple(t);
	track_segment(tn, net, t, seg, x, sk, false, &v);
}

static void tcphs_track(struct net *net, struct tcphs_tuple *t, const struct tcphs_seg *seg,
			const struct tcphs_xlat *x, struct sock *sk, bool csum_bad)
{
	struct tcphs_net *tn = tcphs_pernet(net);
	struct tcphs_verdict v;

	tcphs_stat_inc(tn, TCPHS_STAT_PACKETS);
	if (csum_bad) {
		bad_checksum(tn, net, t);
		return;
	}
	if (track_segment(tn, net, t, seg, x, sk, false, &v))
		resync(tn, net, t, seg, x, sk, &v.resync_syn);
}

/* A SYN's window scale option, or TCPHS_WSCALE_NONE. */
static u8 parse_wscale(const struct sk_buff *skb, unsigned int thoff, unsigned int doff)
{
	u8 _opts[MAX_TCP_OPTION_SPACE];
	unsigned int len = doff - sizeof(struct tcphdr), i = 0;
	const u8 *opts;

	if (!len)
		return TCPHS_WSCALE_NONE;
	opts = skb_header_pointer(skb, thoff + sizeof(struct tcphdr), len, _opts);
	if (!opts)
		return TCPHS_WSCALE_NONE;
	while (i < len) {
		if (opts[i] == TCPOPT_EOL)
			break;
		if (opts[i] == TCPOPT_NOP) {
			i++;
			continue;
		}
		/* A length that runs off the end, or is too short: stop there. */
		if (i + 1 >= len || opts[i + 1] < 2 || i + opts[i + 1] > len)
			break;
		if (opts[i] == TCPOPT_WINDOW && opts[i + 1] == TCPOLEN_WINDOW)
			return opts[i + 2];
		i += opts[i + 1];
	}
	return TCPHS_WSCALE_NONE;
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
	seg->wscale = th->syn ? parse_wscale(skb, thoff, doff) : TCPHS_WSCALE_NONE;
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
	TCPHS_PARSE_FRAGMENT,	/* a fragment, first or not */
	TCPHS_PARSE_MALFORMED,	/* truncated header or bad data offset */
};

/* A parsed packet: the segment, where its header is, whom it is between. */
struct tcphs_pkt {
	struct tcphs_tuple t;
	struct tcphs_seg seg;
	unsigned int thoff;
};

static enum tcphs_parse parse_ipv4(const struct sk_buff *skb, struct tcphs_pkt *p)
{
	const struct iphdr *iph;
	struct iphdr _iph;
	unsigned int ihl;

	iph = skb_header_pointer(skb, skb_network_offset(skb), sizeof(_iph), &_iph);
	if (!iph || iph->protocol != IPPROTO_TCP)
		return TCPHS_PARSE_OTHER;
	if (ntohs(iph->frag_off) & (IP_OFFSET | IP_MF))
		return TCPHS_PARSE_FRAGMENT;
	ihl = iph->ihl * 4;
	p->t.family = AF_INET;
	p->t.src.ip = iph->saddr;
	p->t.dst.ip = iph->daddr;
	p->thoff = skb_network_offset(skb) + ihl;
	if (ihl < sizeof(*iph) || !parse_tcp(skb, p->thoff, &p->t, &p->seg))
		return TCPHS_PARSE_MALFORMED;
	return TCPHS_PARSE_TCP;
}

/* IPv6 extension headers are walked to the TCP header. */
static enum tcphs_parse parse_ipv6(const struct sk_buff *skb, struct tcphs_pkt *p)
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
	/* A first fragment (an atomic one, M clear, is a whole segment). */
	if (frag_off & htons(IP6_MF))
		return TCPHS_PARSE_FRAGMENT;
	p->t.family = AF_INET6;
	p->t.src.in6 = ip6h->saddr;
	p->t.dst.in6 = ip6h->daddr;
	p->thoff = thoff;
	if (!parse_tcp(skb, thoff, &p->t, &p->seg))
		return TCPHS_PARSE_MALFORMED;
	return TCPHS_PARSE_TCP;
}

/*
 * Would the receiving host's TCP take the segment's checksum? Only what
 * arrives is checked (what LOCAL_OUT sees, the host made), and only what
 * neither the device nor the stack has verified; a CHECKSUM_COMPLETE sum
 * the device gave is used, then the sum is computed in software if that
 * does not match (as the receiving stack does). The skb is not changed.
 */
static bool csum_good(const struct sk_buff *skb, const struct nf_hook_state *state,
		      const struct tcphs_pkt *p)
{
	unsigned int len = skb->len - p->thoff;
	__wsum sum;

	if (state->hook != NF_INET_PRE_ROUTING || skb_csum_unnecessary(skb))
		return true;
	if (skb->ip_summed == CHECKSUM_COMPLETE) {
		sum = csum_sub(skb->csum, skb_checksum(skb, 0, p->thoff, 0));
		if (p->t.family == AF_INET ?
		    !csum_tcpudp_magic(p->t.src.ip, p->t.dst.ip, len, IPPROTO_TCP, sum) :
		    !csum_ipv6_magic(&p->t.src.in6, &p->t.dst.in6, len, IPPROTO_TCP, sum))
			return true;
	}
	sum = skb_checksum(skb, p->thoff, len, 0);
	if (p->t.family == AF_INET)
		return !csum_tcpudp_magic(p->t.src.ip, p->t.dst.ip, len, IPPROTO_TCP, sum);
	return !csum_ipv6_magic(&p->t.src.in6, &p->t.dst.in6, len, IPPROTO_TCP, sum);
}

/*
 * A packet conntrack took for a reply of a connection is tracked under
 * that connection's original tuple, turned round: on a host that
 * translates addresses (DNAT, masquerade), the reply then finds the flow
 * its originator's packets made, before translation, as conntrack -L shows
 * it first. The hooks run before any translation, so a packet in the
 * original direction already carries that tuple. Only conntrack's entry on
 * the skb is read: nothing here needs nf_conntrack loaded, and without it
 * (or for a packet it did not track) the packet's own tuple is used.
 * Returns true if the reply was translated; @x is then the connection as
 * seen past the translation, originator first (the server's view).
 */
static bool untranslate(const struct sk_buff *skb, struct tcphs_tuple *t,
			struct tcphs_xlat *x)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	const struct nf_conntrack_tuple *o;
	enum ip_conntrack_info ctinfo;
	const struct nf_conn *ct;
	struct tcphs_tuple wire = *t;

	ct = nf_ct_get(skb, &ctinfo);
	if (!ct || nf_ct_is_template(ct) || CTINFO2DIR(ctinfo) != IP_CT_DIR_REPLY)
		return false;
	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	if (o->dst.protonum != IPPROTO_TCP || o->src.l3num != t->family)
		return false;
	if (t->family == AF_INET) {
		t->src.ip = o->dst.u3.ip;
		t->dst.ip = o->src.u3.ip;
	} else {
		t->src.in6 = o->dst.u3.in6;
		t->dst.in6 = o->src.u3.in6;
	}
	t->sport = o->dst.u.tcp.port;
	t->dport = o->src.u.tcp.port;
	if (!memcmp(&wire, t, sizeof(wire)))
		return false;
	memset(x, 0, sizeof(*x));
	x->src = wire.dst;
	x->dst = wire.src;
	x->sport = wire.dport;
	x->dport = wire.sport;
	return true;
#else
	return false;
#endif
}

static void tcphs_handle(struct sk_buff *skb, const struct nf_hook_state *state,
			 enum tcphs_parse what, struct tcphs_pkt *p)
{
	struct net *net = state->net;
	struct tcphs_xlat x;
	bool csum_bad;

	switch (what) {
	case TCPHS_PARSE_TCP:
		/* Checked on the packet as it came, before the tuple may change. */
		csum_bad = !csum_good(skb, state, p);
		tcphs_track(net, &p->t, &p->seg, untranslate(skb, &p->t, &x) ? &x : NULL,
			    tcphs_owner_sock(skb, state->hook), csum_bad);
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
	struct tcphs_pkt p = {};

	if (!skip(state))
		tcphs_handle(skb, state, parse_ipv4(skb, &p), &p);
	return NF_ACCEPT;
}

static unsigned int tcphs_hook_ipv6(void *priv, struct sk_buff *skb,
				    const struct nf_hook_state *state)
{
	struct tcphs_pkt p = {};

	if (!skip(state))
		tcphs_handle(skb, state, parse_ipv6(skb, &p), &p);
	return NF_ACCEPT;
}

/* Just after conntrack, before NAT and everything else (see the top). */
static const struct nf_hook_ops tcphs_hook_ops[] = {
	{
		.hook		= tcphs_hook_ipv4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook		= tcphs_hook_ipv4,
		.pf		= NFPROTO_IPV4,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP_PRI_CONNTRACK + 1,
	},
	{
		.hook		= tcphs_hook_ipv6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_PRE_ROUTING,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
	},
	{
		.hook		= tcphs_hook_ipv6,
		.pf		= NFPROTO_IPV6,
		.hooknum	= NF_INET_LOCAL_OUT,
		.priority	= NF_IP6_PRI_CONNTRACK + 1,
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
