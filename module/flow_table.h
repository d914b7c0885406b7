/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The flow table: one entry per TCP flow for both directions, hashed with a
 * random seed, looked up under RCU, changed under per-bucket locks, bounded
 * by max_flows and retired by a garbage-collection worker.
 */
#ifndef _TCPHS_FLOW_TABLE_H
#define _TCPHS_FLOW_TABLE_H

#include <linux/in6.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
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
#define TCPHS_FLOW_SIZE_MAX	128

/* A step whose time is not recorded: tcphs_flow.ts[] holds this. */
#define TCPHS_TS_UNSET		U32_MAX

/* Bits of tcphs_flow.flags. */
#define TCPHS_FLOW_DEAD		BIT(0)	/* unhashed: leave it alone */
#define TCPHS_FLOW_V6		BIT(1)	/* an IPv6 flow (else IPv4) */
#define TCPHS_FLOW_TIMED_OUT	BIT(2)	/* the GC closed it: end is TIMEOUT */
#define TCPHS_FLOW_NAT		BIT(3)	/* translated: a tcphs_xlat follows */
#define TCPHS_FLOW_OWNER	BIT(4)	/* room for a tcphs_owner (NAT flows have it) */
#define TCPHS_FLOW_COUNTED	BIT(5)	/* its outcome is in the port's counters */

/*
 * How a flow's connection looks past a translating hop (the server's view
 * behind a DNAT and masquerade), originator first, as tcphs_tuple.
 */
struct tcphs_xlat {
	union tcphs_addr src;
	union tcphs_addr dst;
	__be16 sport;
	__be16 dport;
};

/* Bits of tcphs_owner.known. */
#define TCPHS_OWN_SOCK		BIT(0)	/* uid, cgroup and cookie set */
#define TCPHS_OWN_TASK		BIT(1)	/* pid and comm set */
#define TCPHS_OWN_LISTENER	BIT(2)	/* cookie is the listener's, so far */

/*
 * The local socket a flow belongs to, recorded from the first segment a
 * local TCP socket sent on it (LOCAL_OUT), so the originator's on a
 * loopback flow. The server of a flow gets its listener's uid, cgroup and
 * cookie at the SYN-ACK, then its accepted socket's cookie, and the task
 * that first sends on that socket in process context. Lives after a
 * flow's addresses (and translated tuple), in the flows from the caches
 * that have room for it: see tcphs_flow_owner().
 */
struct tcphs_owner {
	u64 cgroup;			/* cgroup v2 id, 0 if none */
	u64 cookie;			/* socket cookie */
	u32 uid;			/* in the initial user namespace */
	u32 pid;			/* thread group, initial pid namespace */
	char comm[TASK_COMM_LEN];
	u8 known;			/* TCPHS_OWN_* */
	u8 side;			/* enum tcphs_dir of the local end */
};

/*
 * One flow. IPv4 and IPv6 flows come from two slab caches and differ only
 * in the size of addr[] at the end. A flow has no lock of its own: its
 * bucket's lock (tcphs_flow_lock()) guards it. Who may touch what:
 * - next is the bucket chain, read under RCU, changed under the lock.
 * - net, sport, dport, the id, addr[], TCPHS_FLOW_V6, TCPHS_FLOW_NAT,
 *   TCPHS_FLOW_OWNER and the translated tuple are set before the flow is
 *   hashed and never change: lookups read them under RCU alone. (A flow
 *   found to be translated, or to need room for an owner, is replaced by
 *   a copy that has it: see tcphs_flow_set_xlat() and
 *   tcphs_flow_make_owned().) The owner itself is the lock's.
 * - flags, expires and fsm.state are also read under RCU alone (GC and
 *   eviction choose candidates that way); they change under the lock.
 * - The rest is read and written only under the lock, and only while
 *   TCPHS_FLOW_DEAD is clear: once a flow is unhashed its step times hold
 *   the rcu_head that frees it.
 * How a flow ended is not stored: the state machine tells it, but for a
 * timeout (TCPHS_FLOW_TIMED_OUT).
 */
struct tcphs_flow {
	struct tcphs_flow __rcu *next;
	possible_net_t net;
	__be16 sport;			/* originator's port */
	__be16 dport;			/* responder's port */
	u32 expires;			/* jiffies, low 32 bits */
	u32 id_lo;			/* the id, unique in the namespace: */
	u16 id_hi;			/* 48 bits */
	u8 flags;			/* TCPHS_FLOW_* */
	u8 rtx_syn;			/* retransmissions, saturating */
	u64 ts_base;			/* the first recorded step, ns */
	union {
		/* Each step as an offset from ts_base (tcphs_ts_encode()). */
		u32 ts[__TCPHS_TS_MAX];
		struct rcu_head rcu;	/* once dead */
	};
	struct tcphs_fsm fsm;
	u8 rtx_synack;
	u8 rtx_fin;
	struct tcphs_history hist;
	__be32 addr[];			/* originator's address, then responder's;
					 * then, if TCPHS_FLOW_NAT, at addr[8]
					 * whatever the family, a tcphs_xlat
					 */
};

/* The translated tuple of a TCPHS_FLOW_NAT flow. */
static inline const struct tcphs_xlat *tcphs_flow_xlat(const struct tcphs_flow *flow)
{
	return (const struct tcphs_xlat *)&flow->addr[8];
}

/*
 * The owner of @flow, or NULL if the flow has no room for one; under the
 * flow's lock (known is 0 until an owner is recorded). TCPHS_FLOW_NAT
 * and TCPHS_FLOW_OWNER never change while the flow is hashed.
 */
static inline struct tcphs_owner *tcphs_flow_owner(const struct tcphs_flow *flow)
{
	size_t off;

	if (flow->flags & TCPHS_FLOW_NAT)
		off = 8 * sizeof(__be32) + sizeof(struct tcphs_xlat);
	else if (flow->flags & TCPHS_FLOW_OWNER)
		off = ((flow->flags & TCPHS_FLOW_V6) ? 8 : 2) * sizeof(__be32);
	else
		return NULL;
	return (struct tcphs_owner *)((char *)flow->addr + ALIGN(off, __alignof__(u64)));
}

/* Has @flow left the table? Under RCU alone, or under its lock. */
static inline bool tcphs_flow_dead(const struct tcphs_flow *flow)
{
	return READ_ONCE(flow->flags) & TCPHS_FLOW_DEAD;
}

static inline u64 tcphs_flow_id(const struct tcphs_flow *flow)
{
	return (u64)flow->id_hi << 32 | flow->id_lo;
}

static inline u8 tcphs_flow_family(const struct tcphs_flow *flow)
{
	return (READ_ONCE(flow->flags) & TCPHS_FLOW_V6) ? AF_INET6 : AF_INET;
}

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
	bool has_xlat;
	struct tcphs_xlat xlat;		/* valid if has_xlat */
	u8 outcome;			/* enum tcphs_outcome */
	u8 stage;			/* enum tcphs_stage */
	struct tcphs_owner owner;	/* owner.known 0: none */
};

/* Seconds before the flow of @fi times out, at @now (jiffies); 0: due. */
static inline u32 tcphs_info_timeout(const struct tcphs_flow_info *fi, unsigned long now)
{
	long left = (long)(fi->expires - now);

	return left > 0 ? DIV_ROUND_UP(left, HZ) : 0;
}

int tcphs_table_init(unsigned int buckets);
void tcphs_table_exit(void);
unsigned int tcphs_table_buckets(void);

struct tcphs_flow *tcphs_flow_find(const struct net *net, const struct tcphs_tuple *t,
				   unsigned int *dir, u32 *hash);
struct tcphs_flow *tcphs_flow_create(struct net *net, const struct tcphs_tuple *t, bool owned);
struct tcphs_flow *tcphs_flow_set_xlat(struct tcphs_flow *flow, u32 hash,
				       const struct tcphs_xlat *x);
struct tcphs_flow *tcphs_flow_make_owned(struct tcphs_flow *flow, u32 hash);
spinlock_t *tcphs_flow_lock(u32 hash);
void tcphs_flow_unlink(struct tcphs_flow *flow, u32 hash);
bool tcphs_flow_snapshot(struct tcphs_flow *flow, u32 hash, struct tcphs_flow_info *info);
void tcphs_flow_fill_info(const struct tcphs_flow *flow, struct tcphs_flow_info *info);
void tcphs_flow_set_expiry(struct tcphs_flow *flow);
void tcphs_flow_count_outcome(struct tcphs_flow *flow, enum tcphs_outcome o);
void tcphs_flow_set_ts(struct tcphs_flow *flow, enum tcphs_ts step, u64 now);
bool tcphs_flow_has_ts(const struct tcphs_flow *flow, enum tcphs_ts step);
u64 tcphs_flow_ts(const struct tcphs_flow *flow, enum tcphs_ts step);
u32 tcphs_ts_encode(u64 delta);
u64 tcphs_ts_decode(u32 v);
unsigned int tcphs_table_flush_net(struct net *net);

struct tcphs_flow __rcu **tcphs_table_bucket(unsigned int i);

/* Buckets a walk of the table looks at under one RCU read-side section. */
#define TCPHS_WALK_BUCKETS	256

/*
 * Call for each bucket a long walk under rcu_read_lock() looks at: every
 * TCPHS_WALK_BUCKETS buckets it leaves RCU and yields, so that a table full
 * of other namespaces' flows holds up neither the CPU nor a grace period.
 * The walker must hold no flow across the call (its cursor is an index).
 */
static inline void tcphs_table_walk_pause(unsigned int *walked)
{
	if (++*walked % TCPHS_WALK_BUCKETS)
		return;
	rcu_read_unlock();
	cond_resched();
	rcu_read_lock();
}

/*
 * A walk that must survive flows coming and going while it is paused (a
 * dump, /proc/tcphs) keeps (bucket, id of the flow it saw last) and asks
 * tcphs_chain_after() for the next: flows never change bucket and ids are
 * unique in a namespace, so nothing added or removed moves another flow
 * past the cursor.
 *
 * Walking the chain at @head under RCU:
 *	for (f = tcphs_chain_first(head); f; f = tcphs_chain_next(f))
 * A flow met on the way may be dead; its lock is that of the bucket.
 */
static inline struct tcphs_flow *tcphs_chain_first(struct tcphs_flow __rcu **head)
{
	return rcu_dereference(*head);
}

static inline struct tcphs_flow *tcphs_chain_next(const struct tcphs_flow *flow)
{
	return rcu_dereference(flow->next);
}

struct tcphs_flow *tcphs_chain_after(struct tcphs_flow __rcu **head, const struct net *net,
				     u64 after);

void tcphs_gc_start(void);
void tcphs_gc_stop(void);

#endif /* _TCPHS_FLOW_TABLE_H */
