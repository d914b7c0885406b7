// SPDX-License-Identifier: GPL-2.0
/*
 * The "tcphs" generic netlink family (see include/uapi/linux/tcphs.h and
 * Documentation/netlink/specs/tcphs.yaml): a dump of the flow table, the
 * counters, a flush, and a multicast group of transition events.
 *
 * Every request is about the requester's network namespace. Requests are
 * validated strictly: an attribute a command does not take is refused, with
 * an extended-ack message.
 */

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/moduleparam.h>
#include <linux/skbuff.h>
#include <net/genetlink.h>
#include <net/netlink.h>
#include <net/sock.h>

#include "tcphs.h"
#include "compat.h"
#include "ports.h"
#include "flow_table.h"
#include "netlink.h"
#include "ring.h"

enum tcphs_mcgrp {
	TCPHS_MCGRP_EVENTS_ID,
};

static const struct genl_multicast_group tcphs_mcgrps[] = {
	[TCPHS_MCGRP_EVENTS_ID] = TCPHS_MCGRP_ADMIN_ONLY(TCPHS_MCGRP_EVENTS),
};

static struct genl_family tcphs_family;
/* The family is registered with its group: events may be multicast. */
static bool tcphs_nl_up;

/*
 * Events carry both ISNs and the numbers of every segment of a handshake or
 * close: what blind injection and reset attacks need, and what the kernel
 * shows no unprivileged user (ss, /proc/net/tcp). Where the kernel cannot
 * keep the group to CAP_NET_ADMIN, it is not registered unless the
 * administrator accepts, with this parameter, that any local user may read
 * them.
 */
static bool tcphs_unsafe_unrestricted_events;
module_param_named(unsafe_unrestricted_events, tcphs_unsafe_unrestricted_events, bool, 0444);
MODULE_PARM_DESC(unsafe_unrestricted_events,
		 "Where the kernel cannot restrict the events group to CAP_NET_ADMIN, register it for every local user (unsafe; default off)");

/*
 * TCPHS_CMD_GET_FLOW takes the filters and nothing else. Ranges in the
 * policy give an extended ack on every kernel; the values in between that
 * are still wrong are refused when the dump starts (where 6.1 loses the
 * message, but not the error). A validation function on an integer would
 * make 6.1 warn when it reports the policy of a bad attribute.
 */
static const struct nla_policy tcphs_get_flow_policy[TCPHS_A_MAX + 1] = {
	[TCPHS_A_FILTER_FAMILY]	= NLA_POLICY_RANGE(NLA_U8, AF_INET, AF_INET6),
	[TCPHS_A_FILTER_ADDR]	= NLA_POLICY_RANGE(NLA_BINARY, sizeof(struct in_addr),
						   sizeof(struct in6_addr)),
	[TCPHS_A_FILTER_PORT]	= { .type = NLA_U16 },
	[TCPHS_A_FILTER_STATE]	= NLA_POLICY_MAX(NLA_U8, TCPHS_STATE_MAX),
};

/* TCPHS_CMD_GET_STATS and TCPHS_CMD_FLUSH take no attribute. */
static const struct nla_policy tcphs_no_attr_policy[TCPHS_A_MAX + 1] = {};

/* The largest flow message, attribute by attribute. */
static size_t tcphs_nl_flow_size(void)
{
	return nla_total_size_64bit(sizeof(u64))	/* FLOW_ID */
		+ nla_total_size(sizeof(u32))		/* NETNS */
		+ nla_total_size(sizeof(u8))		/* FAMILY */
		+ 2 * nla_total_size(sizeof(struct in6_addr))	/* SADDR, DADDR */
		+ 2 * nla_total_size(sizeof(u16))	/* SPORT, DPORT */
		+ 5 * nla_total_size(sizeof(u8))	/* STATE ... END */
		+ nla_total_size(TCPHS_HISTORY_LEN)	/* HISTORY */
		+ 2 * nla_total_size(sizeof(u32))	/* ISN_ORIG, ISN_REPLY */
		+ __TCPHS_TS_MAX * nla_total_size_64bit(sizeof(u64))
		+ 2 * nla_total_size_64bit(sizeof(u64))	/* latencies */
		+ 3 * nla_total_size(sizeof(u32))	/* RTX_* */
		+ 2 * nla_total_size(sizeof(struct in6_addr))	/* NAT_*ADDR */
		+ 2 * nla_total_size(sizeof(u16))	/* NAT_*PORT */
		+ 2 * nla_total_size(sizeof(u8))	/* OUTCOME, STAGE */
		+ nla_total_size(sizeof(u8))		/* OWNER_SIDE */
		+ 2 * nla_total_size(sizeof(u32))	/* OWNER_UID, OWNER_PID */
		+ nla_total_size(TASK_COMM_LEN)		/* OWNER_COMM */
		+ 2 * nla_total_size_64bit(sizeof(u64));	/* OWNER_CGROUP, _COOKIE */
}

static size_t tcphs_nl_event_size(void)
{
	return tcphs_nl_flow_size()
		+ 3 * nla_total_size(sizeof(u8))	/* EVENT, OLD_STATE, DIR */
		+ nla_total_size_64bit(sizeof(u64))	/* EVENT_SEQ */
		+ nla_total_size(sizeof(u8))		/* TCP_FLAGS */
		+ 2 * nla_total_size(sizeof(u32))	/* SEQ, ACK */
		+ nla_total_size_64bit(sizeof(u64));	/* TS_NS */
}

static int put_u64(struct sk_buff *skb, int type, u64 v)
{
	return nla_put_u64_64bit(skb, type, v, TCPHS_A_PAD);
}

static int tcphs_nl_fill_owner(struct sk_buff *skb, const struct tcphs_owner *o)
{
	if (!o->known)
		return 0;
	if (nla_put_u8(skb, TCPHS_A_OWNER_SIDE, o->side) ||
	    nla_put_u32(skb, TCPHS_A_OWNER_UID, o->uid) ||
	    put_u64(skb, TCPHS_A_OWNER_CGROUP, o->cgroup) ||
	    put_u64(skb, TCPHS_A_OWNER_COOKIE, o->cookie))
		return -EMSGSIZE;
	if ((o->known & TCPHS_OWN_TASK) &&
	    (nla_put_u32(skb, TCPHS_A_OWNER_PID, o->pid) ||
	     nla_put_string(skb, TCPHS_A_OWNER_COMM, o->comm)))
		return -EMSGSIZE;
	return 0;
}

static int tcphs_nl_fill_flow(struct sk_buff *skb, const struct net *net,
			      const struct tcphs_flow_info *fi)
{
	const struct tcphs_tuple *t = &fi->tuple;
	int alen = t->family == AF_INET ? sizeof(t->src.ip) : sizeof(t->src.in6);
	const u64 *ts = fi->ts;
	int i;

	if (put_u64(skb, TCPHS_A_FLOW_ID, fi->id) ||
	    nla_put_u32(skb, TCPHS_A_NETNS, net->ns.inum) ||
	    nla_put_u8(skb, TCPHS_A_FAMILY, t->family) ||
	    nla_put(skb, TCPHS_A_SADDR, alen, &t->src) ||
	    nla_put(skb, TCPHS_A_DADDR, alen, &t->dst) ||
	    nla_put_u16(skb, TCPHS_A_SPORT, ntohs(t->sport)) ||
	    nla_put_u16(skb, TCPHS_A_DPORT, ntohs(t->dport)) ||
	    nla_put_u8(skb, TCPHS_A_STATE, fi->state) ||
	    nla_put_u8(skb, TCPHS_A_CONN_STATE, fi->conn_state) ||
	    nla_put_string(skb, TCPHS_A_HISTORY, fi->history) ||
	    nla_put_u8(skb, TCPHS_A_OPENER, fi->opener) ||
	    nla_put_u8(skb, TCPHS_A_END, fi->end) ||
	    nla_put_u32(skb, TCPHS_A_RTX_SYN, fi->rtx_syn) ||
	    nla_put_u32(skb, TCPHS_A_RTX_SYNACK, fi->rtx_synack) ||
	    nla_put_u32(skb, TCPHS_A_RTX_FIN, fi->rtx_fin))
		return -EMSGSIZE;
	if (fi->has_closer && nla_put_u8(skb, TCPHS_A_CLOSER, fi->closer))
		return -EMSGSIZE;
	if (fi->isn_known[TCPHS_DIR_ORIG] &&
	    nla_put_u32(skb, TCPHS_A_ISN_ORIG, fi->isn[TCPHS_DIR_ORIG]))
		return -EMSGSIZE;
	if (fi->isn_known[TCPHS_DIR_REPLY] &&
	    nla_put_u32(skb, TCPHS_A_ISN_REPLY, fi->isn[TCPHS_DIR_REPLY]))
		return -EMSGSIZE;
	for (i = 0; i < __TCPHS_TS_MAX; i++)
		if (ts[i] && put_u64(skb, TCPHS_A_TS_SYN + i, ts[i]))
			return -EMSGSIZE;
	if (ts[TCPHS_TS_SYN] && ts[TCPHS_TS_SYNACK] &&
	    put_u64(skb, TCPHS_A_LAT_SYN_SYNACK, ts[TCPHS_TS_SYNACK] - ts[TCPHS_TS_SYN]))
		return -EMSGSIZE;
	if (ts[TCPHS_TS_SYNACK] && ts[TCPHS_TS_ESTABLISHED] &&
	    put_u64(skb, TCPHS_A_LAT_SYNACK_ACK,
		    ts[TCPHS_TS_ESTABLISHED] - ts[TCPHS_TS_SYNACK]))
		return -EMSGSIZE;
	if (fi->has_xlat &&
	    (nla_put(skb, TCPHS_A_NAT_SADDR, alen, &fi->xlat.src) ||
	     nla_put(skb, TCPHS_A_NAT_DADDR, alen, &fi->xlat.dst) ||
	     nla_put_u16(skb, TCPHS_A_NAT_SPORT, ntohs(fi->xlat.sport)) ||
	     nla_put_u16(skb, TCPHS_A_NAT_DPORT, ntohs(fi->xlat.dport))))
		return -EMSGSIZE;
	if (nla_put_u8(skb, TCPHS_A_STAGE, fi->stage) ||
	    (fi->outcome != TCPHS_OUT_NONE && nla_put_u8(skb, TCPHS_A_OUTCOME, fi->outcome)))
		return -EMSGSIZE;
	return tcphs_nl_fill_owner(skb, &fi->owner);
}

/**
 * tcphs_nl_event - tell the listeners of the flow's namespace about a step
 * @flow: the flow; the caller holds its lock
 * @step: the step, with its event
 * @dir: the segment's direction, or -1 when no segment caused it
 * @seg: the segment, or NULL
 * @now: CLOCK_MONOTONIC ns
 *
 * Every event takes the namespace's next sequence number, so a reader can
 * count what it missed, and goes into the namespace's event log; the
 * message is built only if someone listens (in any namespace: the kernel
 * keeps listeners per protocol, not per namespace).
 * Never sleeps.
 */
void tcphs_nl_event(struct tcphs_flow *flow, const struct tcphs_step *step, int dir,
		    const struct tcphs_seg *seg, u64 now)
{
	struct net *net = read_pnet(&flow->net);
	struct tcphs_net *tn = tcphs_pernet(net);
	struct tcphs_flow_info fi;
	struct sk_buff *skb;
	bool listeners;
	void *hdr;
	u64 seq;
	int err;

	listeners = READ_ONCE(tcphs_nl_up) &&
		    genl_has_listeners(&tcphs_family, net, TCPHS_MCGRP_EVENTS_ID);
	if (!listeners && !tn->ring) {
		atomic64_inc(&tn->event_seq);
		return;
	}
	tcphs_flow_fill_info(flow, &fi);
	/* A segment can take several steps: report this step's state. */
	fi.state = step->new_state;
	/* The flow's last word, for the two ways the table retires it. */
	if (step->event == TCPHS_EV_EVICTED)
		fi.outcome = TCPHS_OUT_EVICTED;
	else if (step->event == TCPHS_EV_RESYNC)
		fi.outcome = TCPHS_OUT_RESTARTED;
	seq = tcphs_ring_record(tn, &fi, step, dir, seg, now);
	if (!listeners)
		return;

	/* A failed allocation is an EVENT_DROP, not a line in the log. */
	skb = genlmsg_new(tcphs_nl_event_size(), GFP_ATOMIC | __GFP_NOWARN);
	if (!skb)
		goto drop;
	hdr = genlmsg_put(skb, 0, 0, &tcphs_family, 0, TCPHS_CMD_EVENT);
	if (!hdr)
		goto drop_free;

	if (nla_put_u8(skb, TCPHS_A_EVENT, step->event) ||
	    put_u64(skb, TCPHS_A_EVENT_SEQ, seq) ||
	    nla_put_u8(skb, TCPHS_A_OLD_STATE, step->old_state) ||
	    put_u64(skb, TCPHS_A_TS_NS, now) ||
	    tcphs_nl_fill_flow(skb, net, &fi))
		goto drop_free;
	if (dir >= 0 && nla_put_u8(skb, TCPHS_A_DIR, dir))
		goto drop_free;
	if (seg && (nla_put_u8(skb, TCPHS_A_TCP_FLAGS, seg->flags) ||
		    nla_put_u32(skb, TCPHS_A_SEQ, seg->seq) ||
		    nla_put_u32(skb, TCPHS_A_ACK, seg->ack)))
		goto drop_free;
	genlmsg_end(skb, hdr);

	/*
	 * 0: some listener of this namespace got it. -ESRCH: none did (there
	 * is none here: listeners are known only for all namespaces at once;
	 * or every one overran without asking to hear of it). -ENOBUFS: a
	 * listener that set NETLINK_BROADCAST_ERROR overran.
	 */
	err = genlmsg_multicast_netns(&tcphs_family, net, skb, 0, TCPHS_MCGRP_EVENTS_ID,
				      GFP_ATOMIC | __GFP_NOWARN);
	if (!err)
		tcphs_stat_inc(tn, TCPHS_STAT_EVENTS);
	else if (err != -ESRCH)
		tcphs_stat_inc(tn, TCPHS_STAT_EVENT_DROP);
	return;

drop_free:
	nlmsg_free(skb);
drop:
	tcphs_stat_inc(tn, TCPHS_STAT_EVENT_DROP);
}

/* The dump's filter and cursor, kept in the callback between calls. */
struct tcphs_dump_ctx {
	u64 last_id;		/* the flow of that bucket dumped last, or 0 */
	unsigned int bucket;	/* the bucket being dumped */
	bool has_family, has_addr, has_port, has_state;
	u8 family;
	u8 state;
	u8 addr_len;
	u16 port;
	union tcphs_addr addr;
};

static_assert(sizeof(struct tcphs_dump_ctx) <= sizeof_field(struct netlink_callback, ctx));

static int tcphs_nl_get_flow_start(struct netlink_callback *cb)
{
	struct tcphs_dump_ctx *ctx = (struct tcphs_dump_ctx *)cb->ctx;
	struct nlattr **tb = tcphs_dump_attrs(cb);

	memset(ctx, 0, sizeof(*ctx));
	if (!tb)
		return 0;

	if (tb[TCPHS_A_FILTER_FAMILY]) {
		ctx->family = nla_get_u8(tb[TCPHS_A_FILTER_FAMILY]);
		if (ctx->family != AF_INET && ctx->family != AF_INET6) {
			NL_SET_ERR_MSG_ATTR(cb->extack, tb[TCPHS_A_FILTER_FAMILY],
					    "family must be AF_INET or AF_INET6");
			return -EINVAL;
		}
		ctx->has_family = true;
	}
	if (tb[TCPHS_A_FILTER_ADDR]) {
		ctx->addr_len = nla_len(tb[TCPHS_A_FILTER_ADDR]);
		if (ctx->addr_len != sizeof(struct in_addr) &&
		    ctx->addr_len != sizeof(struct in6_addr)) {
			NL_SET_ERR_MSG_ATTR(cb->extack, tb[TCPHS_A_FILTER_ADDR],
					    "address must be 4 or 16 bytes");
			return -EINVAL;
		}
		nla_memcpy(&ctx->addr, tb[TCPHS_A_FILTER_ADDR], sizeof(ctx->addr));
		ctx->has_addr = true;
	}
	if (tb[TCPHS_A_FILTER_PORT]) {
		ctx->port = nla_get_u16(tb[TCPHS_A_FILTER_PORT]);
		ctx->has_port = true;
	}
	if (tb[TCPHS_A_FILTER_STATE]) {
		ctx->state = nla_get_u8(tb[TCPHS_A_FILTER_STATE]);
		ctx->has_state = true;
	}
	return 0;
}

static bool tcphs_dump_match(const struct tcphs_dump_ctx *ctx, const struct tcphs_flow_info *fi)
{
	const struct tcphs_tuple *t = &fi->tuple;

	if (ctx->has_family && t->family != ctx->family)
		return false;
	if (ctx->has_state && fi->state != ctx->state)
		return false;
	if (ctx->has_port && ntohs(t->sport) != ctx->port && ntohs(t->dport) != ctx->port)
		return false;
	if (ctx->has_addr) {
		int alen = t->family == AF_INET ? sizeof(t->src.ip) : sizeof(t->src.in6);

		if (alen != ctx->addr_len)
			return false;
		if (memcmp(&t->src, &ctx->addr, alen) && memcmp(&t->dst, &ctx->addr, alen))
			return false;
	}
	return true;
}

/*
 * Dump the namespace's flows bucket by bucket, under RCU only, leaving it
 * (and yielding) every TCPHS_WALK_BUCKETS buckets so that a large table
 * of other namespaces' flows does not hold up the CPU or the grace period.
 * In a bucket, flows go in the order of their ids, and the cursor between
 * calls is (bucket, id of the flow dumped last). Flows never change
 * bucket, and ids are unique in a namespace, so flows coming and going
 * while the dump runs, however many, move no other flow past the cursor:
 * a dump always completes (it is never NLM_F_DUMP_INTR), every flow that
 * lived through it appears once, and one that came or went during it at
 * most once.
 */
static int tcphs_nl_get_flow_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct tcphs_dump_ctx *ctx = (struct tcphs_dump_ctx *)cb->ctx;
	struct net *net = sock_net(skb->sk);
	struct tcphs_flow __rcu **head;
	unsigned int walked = 0;
	int err = 0;

	rcu_read_lock();
	for (; (head = tcphs_table_bucket(ctx->bucket)); ctx->bucket++, ctx->last_id = 0) {
		struct tcphs_flow *flow;

		tcphs_table_walk_pause(&walked);

		while ((flow = tcphs_chain_after(head, net, ctx->last_id))) {
			struct tcphs_flow_info fi;
			void *hdr;

			if (!tcphs_flow_snapshot(flow, ctx->bucket, &fi) ||
			    !tcphs_dump_match(ctx, &fi)) {
				ctx->last_id = tcphs_flow_id(flow);
				continue;
			}
			hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
					  &tcphs_family, NLM_F_MULTI, TCPHS_CMD_GET_FLOW);
			if (!hdr) {
				err = -EMSGSIZE;
				goto out;
			}
			if (tcphs_nl_fill_flow(skb, net, &fi) ||
			    nla_put_u32(skb, TCPHS_A_TIMEOUT, tcphs_info_timeout(&fi, jiffies))) {
				genlmsg_cancel(skb, hdr);
				err = -EMSGSIZE;
				goto out;
			}
			genlmsg_end(skb, hdr);
			ctx->last_id = fi.id;
		}
	}
out:
	rcu_read_unlock();
	/* A full skb ends this call; the next one resumes at the cursor. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

/* A nest of u64 where value i has type i + 1 (type 0 is reserved). */
static int put_u64_nest(struct sk_buff *skb, int type, const u64 *v, unsigned int n)
{
	struct nlattr *nest = nla_nest_start(skb, type);
	unsigned int i;

	if (!nest)
		return -EMSGSIZE;
	for (i = 0; i < n; i++)
		if (nla_put_u64_64bit(skb, i + 1, v[i], 0))
			return -EMSGSIZE;
	nla_nest_end(skb, nest);
	return 0;
}

/*
 * Dump the namespace's aggregates per responder port, one message per
 * place a port took, then the rest (no TCPHS_A_PORT). The cursor is the
 * place; a port that takes a place during the dump may be missed.
 */
static int tcphs_nl_get_ports_dumpit(struct sk_buff *skb, struct netlink_callback *cb)
{
	struct net *net = sock_net(skb->sk);
	const struct tcphs_net *tn = tcphs_pernet(net);
	struct tcphs_port_counts *sum;
	unsigned int i = cb->args[0];
	int port, err = 0;

	sum = kmalloc(sizeof(*sum), GFP_KERNEL);
	if (!sum)
		return -ENOMEM;
	for (; i < tcphs_ports_places(tn); i++) {
		void *hdr;

		if (!tcphs_ports_read(tn, i, &port, sum))
			continue;
		hdr = genlmsg_put(skb, NETLINK_CB(cb->skb).portid, cb->nlh->nlmsg_seq,
				  &tcphs_family, NLM_F_MULTI, TCPHS_CMD_GET_PORTS);
		if (!hdr) {
			err = -EMSGSIZE;
			break;
		}
		if (nla_put_u32(skb, TCPHS_A_NETNS, net->ns.inum) ||
		    (port >= 0 && nla_put_u16(skb, TCPHS_A_PORT, port)) ||
		    put_u64_nest(skb, TCPHS_A_PORT_COUNTERS, sum->c, __TCPHS_PC_MAX) ||
		    put_u64_nest(skb, TCPHS_A_HIST_SYN_SYNACK, sum->hist[TCPHS_HIST_SYN_SYNACK],
				 TCPHS_HIST_BUCKETS) ||
		    put_u64_nest(skb, TCPHS_A_HIST_SYNACK_ACK, sum->hist[TCPHS_HIST_SYNACK_ACK],
				 TCPHS_HIST_BUCKETS)) {
			genlmsg_cancel(skb, hdr);
			err = -EMSGSIZE;
			break;
		}
		genlmsg_end(skb, hdr);
	}
	kfree(sum);
	cb->args[0] = i;
	/* A full skb ends this call; the next one resumes at the place. */
	if (err == -EMSGSIZE && skb->len)
		return skb->len;
	return err ? err : skb->len;
}

static int tcphs_nl_get_stats_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct tcphs_net *tn = tcphs_pernet(net);
	u64 sum[__TCPHS_STAT_MAX];
	struct sk_buff *msg;
	void *hdr;

	msg = genlmsg_new(nla_total_size(0) +
			  __TCPHS_STAT_MAX * nla_total_size_64bit(sizeof(u64)) +
			  2 * nla_total_size(sizeof(u32)) +
			  nla_total_size_64bit(sizeof(u64)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	hdr = genlmsg_put_reply(msg, info, &tcphs_family, 0, TCPHS_CMD_GET_STATS);
	if (!hdr)
		goto nospace;

	tcphs_stats_sum(tn, sum);
	if (put_u64_nest(msg, TCPHS_A_STATS, sum, __TCPHS_STAT_MAX))
		goto nospace;
	/* The last event's number: readers bracket their run with it. */
	if (nla_put_u32(msg, TCPHS_A_FLOW_COUNT, atomic_read(&tn->count)) ||
	    nla_put_u32(msg, TCPHS_A_NETNS, net->ns.inum) ||
	    put_u64(msg, TCPHS_A_EVENT_SEQ, atomic64_read(&tn->event_seq)))
		goto nospace;
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);

nospace:
	nlmsg_free(msg);
	return -EMSGSIZE;
}

static int tcphs_nl_flush_doit(struct sk_buff *skb, struct genl_info *info)
{
	struct net *net = genl_info_net(info);
	struct sk_buff *msg;
	unsigned int n;
	void *hdr;

	msg = genlmsg_new(nla_total_size(sizeof(u32)), GFP_KERNEL);
	if (!msg)
		return -ENOMEM;
	n = tcphs_table_flush_net(net);
	hdr = genlmsg_put_reply(msg, info, &tcphs_family, 0, TCPHS_CMD_FLUSH);
	if (!hdr || nla_put_u32(msg, TCPHS_A_FLOW_COUNT, n)) {
		nlmsg_free(msg);
		return -EMSGSIZE;
	}
	genlmsg_end(msg, hdr);
	return genlmsg_reply(msg, info);
}

static const struct genl_ops tcphs_ops[] = {
	{
		.cmd		= TCPHS_CMD_GET_FLOW,
		.start		= tcphs_nl_get_flow_start,
		.dumpit		= tcphs_nl_get_flow_dumpit,
		.policy		= tcphs_get_flow_policy,
		.maxattr	= TCPHS_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TCPHS_CMD_GET_STATS,
		.doit		= tcphs_nl_get_stats_doit,
		.policy		= tcphs_no_attr_policy,
		.maxattr	= TCPHS_A_MAX,
	},
	{
		.cmd		= TCPHS_CMD_FLUSH,
		.doit		= tcphs_nl_flush_doit,
		.policy		= tcphs_no_attr_policy,
		.maxattr	= TCPHS_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
	{
		.cmd		= TCPHS_CMD_GET_PORTS,
		.dumpit		= tcphs_nl_get_ports_dumpit,
		.policy		= tcphs_no_attr_policy,
		.maxattr	= TCPHS_A_MAX,
		.flags		= GENL_UNS_ADMIN_PERM,
	},
};

static struct genl_family tcphs_family __ro_after_init = {
	.name		= TCPHS_GENL_NAME,
	.version	= TCPHS_GENL_VERSION,
	.netnsok	= true,
	.parallel_ops	= true,
	.module		= THIS_MODULE,
	.ops		= tcphs_ops,
	.n_ops		= ARRAY_SIZE(tcphs_ops),
	.mcgrps		= tcphs_mcgrps,
	.n_mcgrps	= ARRAY_SIZE(tcphs_mcgrps),
};

int tcphs_nl_init(void)
{
	int err;

	if (!TCPHS_MCGRP_RESTRICTED && !tcphs_unsafe_unrestricted_events) {
		/* Written before the family is registered, still in init. */
		tcphs_family.n_mcgrps = 0;
		pr_notice("this kernel cannot restrict the \"%s\" group to CAP_NET_ADMIN: no events over netlink (unsafe_unrestricted_events=1 gives them to every local user)\n",
			  TCPHS_MCGRP_EVENTS);
	} else if (!TCPHS_MCGRP_RESTRICTED) {
		pr_warn("unsafe_unrestricted_events: any local user can read the sequence numbers of every connection in its namespace\n");
	}
	err = genl_register_family(&tcphs_family);
	if (!err && tcphs_family.n_mcgrps)
		WRITE_ONCE(tcphs_nl_up, true);
	return err;
}

/*
 * No event may use the family once it is going: the packet path runs under
 * RCU, so after synchronize_net() none is still building one.
 */
void tcphs_nl_exit(void)
{
	WRITE_ONCE(tcphs_nl_up, false);
	synchronize_net();
	genl_unregister_family(&tcphs_family);
}
