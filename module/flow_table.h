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

struct tcphs_flow {
	struct hlist_node node;		/* bucket chain, RCU */
	struct rcu_head rcu;
	possible_net_t net;
	struct tcphs_tuple tuple;	/* set at creation, never changed */
	u64 id;
	u32 hash;

	spinlock_t lock;		/* protects all below; take with _bh */
	bool dead;			/* unhashed: leave it alone */
	u8 end;				/* enum tcphs_end */
	u16 rtx_syn;
	u16 rtx_synack;
	u16 rtx_fin;
	unsigned long expires;		/* jiffies */
	struct tcphs_fsm fsm;
	struct tcphs_history hist;
	u64 ts[__TCPHS_TS_MAX];
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
void tcphs_flow_snapshot(struct tcphs_flow *flow, struct tcphs_flow_info *info);
void tcphs_flow_fill_info(const struct tcphs_flow *flow, struct tcphs_flow_info *info);
void tcphs_flow_set_expiry(struct tcphs_flow *flow);
unsigned int tcphs_table_flush_net(struct net *net);

struct hlist_head *tcphs_table_bucket(unsigned int i);

void tcphs_gc_start(void);
void tcphs_gc_stop(void);

#endif /* _TCPHS_FLOW_TABLE_H */
