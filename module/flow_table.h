/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow table: one entry per TCP flow for both directions, hashed with a
 * random seed, looked up under RCU, changed under per-bucket locks, bounded
 * by max_flows and retired by a garbage-collection worker.
 */
#ifndef _TCPHS_FLOW_TABLE_H
#define _TCPHS_FLOW_TABLE_H

#include <linux/in6.h>
#include <linux/list.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <net/net_namespace.h>

#include "fsm.h"
#include "history.h"

union tcphs_addr {
	__be32 ip;
	struct in6_addr in6;
};

/* A flow's endpoints, originator first. IPv4 addresses use only .ip. */
struct tcphs_tuple {
	union tcphs_addr src;
	union tcphs_addr dst;
	__be16 sport;
	__be16 dport;
	u8 family;		/* AF_INET or AF_INET6 */
};

/* Timestamps of the handshake steps, CLOCK_MONOTONIC ns, 0 if not yet. */
enum tcphs_ts {
	TCPHS_TS_SYN,
	TCPHS_TS_SYNACK,
	TCPHS_TS_ESTABLISHED,
	TCPHS_TS_FIN1,
	TCPHS_TS_FIN2,
	TCPHS_TS_END,
	__TCPHS_TS_MAX
};

/* The most an IPv4 flow may take; an IPv6 one takes 24 bytes more. */
#define TCPHS_FLOW_SIZE_MAX	160

/*
 * One flow. IPv4 and IPv6 flows come from two slab caches and differ only
 * in the size of addr[] at the end. Who may touch what:
 * - node, net, hash, family, sport, dport and addr[] are set before the
 *   flow is hashed and never change: lookups read them under RCU alone.
 * - dead, expires and fsm.state are also read under RCU alone (GC and
 *   eviction choose candidates that way); they change under flow->lock.
 * - The rest is read and written only under flow->lock, and only while
 *   dead is false: once a flow is unhashed its step timestamps hold the
 *   rcu_head that frees it.
 */
struct tcphs_flow {
	struct hlist_node node;		/* bucket chain, RCU */
	possible_net_t net;
	u32 hash;
	__be16 sport;			/* originator's port */
	__be16 dport;			/* responder's port */

	spinlock_t lock;		/* protects all below; take with _bh */
	bool dead;			/* unhashed: leave it alone */
	u8 family;			/* AF_INET or AF_INET6 */
	u8 end;				/* enum tcphs_end */
	u8 rtx_syn;			/* retransmissions, saturating */
	u8 rtx_synack;
	u8 rtx_fin;
	u8 ts_set;			/* BIT(enum tcphs_ts): recorded steps */
	u32 expires;			/* jiffies, low 32 bits */
	u64 id;
	u64 ts_base;			/* the first recorded step, ns */
	union {
		/* Each step as an offset from ts_base (tcphs_ts_encode()). */
		u32 ts[__TCPHS_TS_MAX];
		struct rcu_head rcu;	/* once dead */
	};
	struct tcphs_fsm fsm;
	struct tcphs_history hist;
	__be32 addr[];			/* originator's address, then responder's */
};

/* A consistent copy of a flow, for /proc, dumps and events. */
struct tcphs_flow_info {
	struct tcphs_tuple tuple;
	u64 id;
	u64 ts[__TCPHS_TS_MAX];
	u32 isn[2];
	u16 rtx_syn;
	u16 rtx_synack;
	u16 rtx_fin;
	u8 state;
	u8 conn_state;
	u8 opener;
	u8 closer;			/* valid if has_closer */
	bool has_closer;
	bool isn_known[2];
	u8 end;
	char history[TCPHS_HISTORY_LEN];
	unsigned long expires;
};

int tcphs_table_init(unsigned int buckets);
void tcphs_table_exit(void);
unsigned int tcphs_table_buckets(void);

struct tcphs_flow *tcphs_flow_find(const struct net *net, const struct tcphs_tuple *t,
				   unsigned int *dir);
struct tcphs_flow *tcphs_flow_create(struct net *net, const struct tcphs_tuple *t);
void tcphs_flow_unlink(struct tcphs_flow *flow);
bool tcphs_flow_snapshot(struct tcphs_flow *flow, struct tcphs_flow_info *info);
void tcphs_flow_fill_info(const struct tcphs_flow *flow, struct tcphs_flow_info *info);
void tcphs_flow_set_expiry(struct tcphs_flow *flow);
void tcphs_flow_set_ts(struct tcphs_flow *flow, enum tcphs_ts step, u64 now);
bool tcphs_flow_has_ts(const struct tcphs_flow *flow, enum tcphs_ts step);
u64 tcphs_flow_ts(const struct tcphs_flow *flow, enum tcphs_ts step);
u32 tcphs_ts_encode(u64 delta);
u64 tcphs_ts_decode(u32 v);
unsigned int tcphs_table_flush_net(struct net *net);

struct hlist_head *tcphs_table_bucket(unsigned int i);

void tcphs_gc_start(void);
void tcphs_gc_stop(void);

#endif /* _TCPHS_FLOW_TABLE_H */
