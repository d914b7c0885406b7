// SPDX-License-Identifier: GPL-2.0
/*
 * The flow table.
 *
 * One hash table serves every network namespace; the namespace is part of
 * the key, so the same 4-tuple in two namespaces is two flows, and each
 * namespace counts, lists and flushes only its own (as conntrack does).
 *
 * A bucket is a singly linked chain (a flow has no room for a back
 * pointer): lookups walk it under RCU, and removing a flow walks it again
 * under the lock to find the link that points at it. Chains are short: the
 * table has about one bucket per flow it can hold.
 *
 * Locking:
 * - Lookups walk a bucket under RCU with no lock (the netfilter hooks run
 *   inside rcu_read_lock()).
 * - One lock guards a bucket's chain and every field of its flows that
 *   changes: one of TCPHS_LOCKS, striped over the buckets, found from the
 *   flow's hash or its bucket's index (tcphs_flow_lock()). No other lock of
 *   the table nests in it. It is taken with BH disabled, since the hooks
 *   run in softirq (PRE_ROUTING) and in process context (LOCAL_OUT).
 * - A flow is unhashed once (TCPHS_FLOW_DEAD set under the lock) and freed
 *   after an RCU grace period, so an RCU reader may still see it; it checks
 *   tcphs_flow_dead() under the lock before reading or changing the flow.
 *
 * Room (see limits.c for the limits): a new flow takes a place in its
 * namespace's count, in the count of all namespaces but the initial one
 * if it is not there, and in the table's; when one of them is full, the
 * namespace makes room by evicting one of its own flows, never another's.
 */

#include <linux/jhash.h>
#include <linux/jiffies.h>
#include <linux/log2.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>
#include <net/ipv6.h>
#include <net/netns/hash.h>

#include "tcphs.h"
#include "flow_table.h"
#include "netlink.h"
#include "ports.h"

#define TCPHS_LOCKS		1024
#define TCPHS_EVICT_SCAN	8	/* buckets looked at for a victim */
#define TCPHS_GC_INTERVAL	(HZ / 8)
#define TCPHS_GC_PASS		16	/* runs per pass over the table */

static struct tcphs_flow __rcu **tcphs_buckets;
static unsigned int tcphs_nbuckets;
static spinlock_t tcphs_locks[TCPHS_LOCKS];
static u32 tcphs_hash_seed __read_mostly;
/* The caches of flows, by what follows the fixed part (see cache_of()). */
enum {
	TCPHS_CACHE_V4,		/* IPv4 addresses */
	TCPHS_CACHE_V6,		/* IPv6 addresses */
	TCPHS_CACHE_V4_OWNER,	/* IPv4 addresses, a tcphs_owner */
	TCPHS_CACHE_V6_OWNER,	/* IPv6 addresses, a tcphs_owner */
	TCPHS_CACHE_NAT,	/* either, a tcphs_xlat, a tcphs_owner */
	TCPHS_CACHES
};

static struct kmem_cache *tcphs_flow_caches[TCPHS_CACHES];
static atomic_t tcphs_flow_count = ATOMIC_INIT(0);
static atomic_t tcphs_guest_count = ATOMIC_INIT(0);	/* not of init_net */

static struct delayed_work tcphs_gc_work;
static unsigned int tcphs_gc_next;

/*
 * The clock of timeouts, in jiffies. The KUnit suite defines its own before
 * including this file, to drive timeouts and the GC without waiting.
 */
#ifndef tcphs_now_jiffies
#define tcphs_now_jiffies()	jiffies
#endif

static unsigned int bucket_of(u32 hash)
{
	return hash & (tcphs_nbuckets - 1);
}

/* Valid for a hash and for a bucket index alike. */
static spinlock_t *bucket_lock(u32 hash)
{
	return &tcphs_locks[bucket_of(hash) & (TCPHS_LOCKS - 1)];
}

/**
 * tcphs_flow_lock - the lock of a bucket and of its flows
 * @hash: a flow's hash (from tcphs_flow_find()) or its bucket's index
 *
 * Take it with spin_lock_bh().
 */
spinlock_t *tcphs_flow_lock(u32 hash)
{
	return bucket_lock(hash);
}

struct tcphs_flow __rcu **tcphs_table_bucket(unsigned int i)
{
	return i < tcphs_nbuckets ? &tcphs_buckets[i] : NULL;
}

/* The chain at @head, walked under its lock @lock. */
static struct tcphs_flow *chain_first_locked(struct tcphs_flow __rcu **head, spinlock_t *lock)
{
	return rcu_dereference_protected(*head, lockdep_is_held(lock));
}

static struct tcphs_flow *chain_next_locked(const struct tcphs_flow *flow, spinlock_t *lock)
{
	return rcu_dereference_protected(flow->next, lockdep_is_held(lock));
}

unsigned int tcphs_table_buckets(void)
{
	return tcphs_nbuckets;
}

static int ep_cmp(const union tcphs_addr *a, __be16 ap, const union tcphs_addr *b,
		  __be16 bp)
{
	int r = memcmp(a, b, sizeof(*a));

	return r ? r : (int)ntohs(ap) - (int)ntohs(bp);
}

/* The same hash for both directions: the endpoints go in a fixed order. */
static u32 tuple_hash(const struct net *net, const struct tcphs_tuple *t)
{
	struct {
		union tcphs_addr a, b;
		__be16 ap, bp;
		u32 family;
	} key;

	memset(&key, 0, sizeof(key));
	if (ep_cmp(&t->src, t->sport, &t->dst, t->dport) <= 0) {
		key.a = t->src;
		key.ap = t->sport;
		key.b = t->dst;
		key.bp = t->dport;
	} else {
		key.a = t->dst;
		key.ap = t->dport;
		key.b = t->src;
		key.bp = t->sport;
	}
	key.family = t->family;
	BUILD_BUG_ON(sizeof(key) % sizeof(u32));
	return jhash2((u32 *)&key, sizeof(key) / sizeof(u32),
		      tcphs_hash_seed ^ net_hash_mix(net));
}

/* The address of side @i (0 the originator, 1 the responder) of @flow. */
static const struct in6_addr *flow_in6(const struct tcphs_flow *flow, unsigned int i)
{
	return (const struct in6_addr *)&flow->addr[i * 4];
}

/* Is @a the address of side @i of @flow? */
static bool addr_eq(const struct tcphs_flow *flow, unsigned int i, const union tcphs_addr *a)
{
	if (!(flow->flags & TCPHS_FLOW_V6))
		return flow->addr[i] == a->ip;
	return ipv6_addr_equal(flow_in6(flow, i), &a->in6);
}

/* Does @t name @flow, and from which side? */
static bool tuple_match(const struct tcphs_flow *flow, const struct tcphs_tuple *t,
			unsigned int *dir)
{
	if (tcphs_flow_family(flow) != t->family)
		return false;
	if (flow->sport == t->sport && flow->dport == t->dport &&
	    addr_eq(flow, 0, &t->src) && addr_eq(flow, 1, &t->dst)) {
		*dir = TCPHS_DIR_ORIG;
		return true;
	}
	if (flow->sport == t->dport && flow->dport == t->sport &&
	    addr_eq(flow, 0, &t->dst) && addr_eq(flow, 1, &t->src)) {
		*dir = TCPHS_DIR_REPLY;
		return true;
	}
	return false;
}

static void flow_tuple(const struct tcphs_flow *flow, struct tcphs_tuple *t)
{
	memset(t, 0, sizeof(*t));
	t->family = tcphs_flow_family(flow);
	t->sport = flow->sport;
	t->dport = flow->dport;
	if (t->family == AF_INET) {
		t->src.ip = flow->addr[0];
		t->dst.ip = flow->addr[1];
	} else {
		t->src.in6 = *flow_in6(flow, 0);
		t->dst.in6 = *flow_in6(flow, 1);
	}
}

/* The cache a flow with these TCPHS_FLOW_* @flags comes from. */
static struct kmem_cache *cache_of(u8 flags)
{
	unsigned int i;

	if (flags & TCPHS_FLOW_NAT)
		i = TCPHS_CACHE_NAT;
	else
		i = ((flags & TCPHS_FLOW_V6) ? TCPHS_CACHE_V6 : TCPHS_CACHE_V4) +
		    ((flags & TCPHS_FLOW_OWNER) ? TCPHS_CACHE_V4_OWNER : 0);
	return tcphs_flow_caches[i];
}

/* The bytes of a flow up to the end of its addresses, outside the NAT cache. */
static size_t flow_addr_end(const struct tcphs_flow *flow)
{
	return offsetof(struct tcphs_flow, addr) +
	       ((flow->flags & TCPHS_FLOW_V6) ? 8 : 2) * sizeof(__be32);
}

static void flow_free(struct tcphs_flow *flow)
{
	kmem_cache_free(cache_of(flow->flags), flow);
}

static struct tcphs_flow *find_in_bucket(const struct net *net, const struct tcphs_tuple *t,
					 u32 hash, unsigned int *dir)
{
	struct tcphs_flow *flow = tcphs_chain_first(&tcphs_buckets[bucket_of(hash)]);

	for (; flow; flow = tcphs_chain_next(flow)) {
		if (net_eq(read_pnet(&flow->net), net) && tuple_match(flow, t, dir))
			return flow;
	}
	return NULL;
}

/**
 * tcphs_flow_find - look a segment's flow up
 * @net: the namespace the segment was seen in
 * @t: the segment's tuple, as on the wire
 * @dir: set to the segment's direction relative to the flow
 * @hash: set to the tuple's hash, for tcphs_flow_lock()
 *
 * Caller holds rcu_read_lock(); the flow stays valid until it drops it.
 */
struct tcphs_flow *tcphs_flow_find(const struct net *net, const struct tcphs_tuple *t,
				   unsigned int *dir, u32 *hash)
{
	*hash = tuple_hash(net, t);
	return find_in_bucket(net, t, *hash, dir);
}

static void flow_free_rcu(struct rcu_head *head)
{
	flow_free(container_of(head, struct tcphs_flow, rcu));
}

/* The link to @flow in the chain of bucket @b, or NULL. Caller holds its lock. */
static struct tcphs_flow __rcu **chain_link(unsigned int b, const struct tcphs_flow *flow)
{
	struct tcphs_flow __rcu **link = &tcphs_buckets[b];
	struct tcphs_flow *f;

	while ((f = chain_first_locked(link, bucket_lock(b))) != flow) {
		if (WARN_ON_ONCE(!f))
			return NULL;
		link = &f->next;
	}
	return link;
}

/* Take @flow out of the chain of bucket @b. Caller holds its lock. */
static bool chain_del(unsigned int b, struct tcphs_flow *flow)
{
	struct tcphs_flow __rcu **link = chain_link(b, flow);

	if (!link)
		return false;
	/* flow->next stays as it is for the readers still on flow. */
	rcu_assign_pointer(*link, chain_next_locked(flow, bucket_lock(b)));
	return true;
}

/*
 * Replace @flow (not TCPHS_FLOW_NAT), under its bucket's lock, by a copy
 * from the cache for its flags and @add, with its owner (or an empty one)
 * where the copy keeps it and, for TCPHS_FLOW_NAT, the translated tuple
 * @x. The copy takes the flow's place in the count. Returns the copy, or
 * @flow if memory ran out (counted).
 */
static struct tcphs_flow *flow_replace(struct tcphs_flow *flow, u32 hash, u8 add,
				       const struct tcphs_xlat *x)
{
	struct net *net = read_pnet(&flow->net);
	const struct tcphs_owner *owner = tcphs_flow_owner(flow);
	struct tcphs_flow __rcu **link;
	struct tcphs_flow *copy;

	link = chain_link(bucket_of(hash), flow);
	if (!link)
		return flow;
	copy = kmem_cache_alloc(cache_of(flow->flags | add), GFP_ATOMIC | __GFP_NOWARN);
	if (!copy) {
		tcphs_stat_inc(tcphs_pernet(net), TCPHS_STAT_NOMEM);
		return flow;
	}
	memcpy(copy, flow, flow_addr_end(flow));
	copy->flags |= add;
	if (add & TCPHS_FLOW_NAT)
		memcpy(&copy->addr[8], x, sizeof(*x));
	if (owner)
		*tcphs_flow_owner(copy) = *owner;
	else
		memset(tcphs_flow_owner(copy), 0, sizeof(struct tcphs_owner));
	rcu_assign_pointer(*link, copy);
	/* The old one keeps its next for the readers still on it. */
	WRITE_ONCE(flow->flags, flow->flags | TCPHS_FLOW_DEAD);
	call_rcu(&flow->rcu, flow_free_rcu);
	return copy;
}

/**
 * tcphs_flow_set_xlat - record how the flow looks past a translating hop
 * @flow: a flow without TCPHS_FLOW_NAT; caller holds its bucket's lock
 * @hash: its hash
 * @x: the translated tuple, originator first
 *
 * Translated flows are few, and a flow's tuples never change while it is
 * hashed (lookups read them under RCU alone), so the flow is replaced in
 * its chain by a copy from the cache of translated flows, which has room
 * for @x. The old flow is dead from here on: a reader that found it sees
 * that under the lock and lets its segment go (counted as ignored).
 * Returns the flow to go on with: the copy, or @flow itself if memory ran
 * out (counted; the translated tuple is then not shown).
 */
struct tcphs_flow *tcphs_flow_set_xlat(struct tcphs_flow *flow, u32 hash,
				       const struct tcphs_xlat *x)
{
	lockdep_assert_held(bucket_lock(hash));
	if (flow->flags & (TCPHS_FLOW_NAT | TCPHS_FLOW_DEAD))
		return flow;
	return flow_replace(flow, hash, TCPHS_FLOW_NAT, x);
}

/**
 * tcphs_flow_make_owned - give a flow room for its owner
 * @flow: caller holds its bucket's lock
 * @hash: its hash
 *
 * A flow a local socket answers was made, at the peer's SYN, without room
 * for an owner: it is replaced by a copy that has it, as
 * tcphs_flow_set_xlat() does. Returns the flow to go on with, which has
 * room unless memory ran out (counted).
 */
struct tcphs_flow *tcphs_flow_make_owned(struct tcphs_flow *flow, u32 hash)
{
	lockdep_assert_held(bucket_lock(hash));
	if (tcphs_flow_owner(flow) || (flow->flags & TCPHS_FLOW_DEAD))
		return flow;
	return flow_replace(flow, hash, TCPHS_FLOW_OWNER, NULL);
}

/* Take a place for a flow of @tn in every count; false if one is full. */
static bool room_take(struct tcphs_net *tn, bool guest)
{
	if (atomic_inc_return(&tn->count) > tcphs_net_max_flows(tn))
		goto undo_net;
	if (guest && atomic_inc_return(&tcphs_guest_count) > tcphs_guests_max_flows())
		goto undo_guest;
	if (atomic_inc_return(&tcphs_flow_count) > READ_ONCE(tcphs_max_flows))
		goto undo_all;
	return true;

undo_all:
	atomic_dec(&tcphs_flow_count);
undo_guest:
	if (guest)
		atomic_dec(&tcphs_guest_count);
undo_net:
	atomic_dec(&tn->count);
	return false;
}

static void room_give(struct tcphs_net *tn, bool guest)
{
	atomic_dec(&tcphs_flow_count);
	if (guest)
		atomic_dec(&tcphs_guest_count);
	atomic_dec(&tn->count);
}

/* Caller holds the lock of @flow's bucket, @b. */
static bool flow_unhash_locked(struct tcphs_flow *flow, unsigned int b)
{
	struct net *net = read_pnet(&flow->net);
	struct tcphs_net *tn;

	lockdep_assert_held(bucket_lock(b));
	/* Not in this chain would be a bug: then leave it be, never free it. */
	if ((flow->flags & TCPHS_FLOW_DEAD) || !chain_del(b, flow))
		return false;
	WRITE_ONCE(flow->flags, flow->flags | TCPHS_FLOW_DEAD);
	tn = tcphs_pernet(net);
	room_give(tn, !net_eq(net, &init_net));
	/* From here on flow->ts[] is the rcu_head; no one reads it again. */
	call_rcu(&flow->rcu, flow_free_rcu);
	return true;
}

/**
 * tcphs_flow_unlink - remove a flow from the table
 * @flow: the flow; the caller holds rcu_read_lock() and not its lock
 * @hash: its hash, or its bucket's index
 *
 * Safe against a concurrent unlink: the flow is removed once.
 */
void tcphs_flow_unlink(struct tcphs_flow *flow, u32 hash)
{
	spinlock_t *lock = bucket_lock(hash);

	spin_lock_bh(lock);
	flow_unhash_locked(flow, bucket_of(hash));
	spin_unlock_bh(lock);
}

/*
 * How long @flow may stay idle now. A flow picked up mid-stream (loose) is
 * ESTABLISHED at its first packet, but until the other side answers it is
 * one stray segment: it gets the half-open timeout, as conntrack gives its
 * unreplied connections a short one.
 */
static unsigned long flow_timeout(const struct tcphs_flow *flow)
{
	unsigned int state = READ_ONCE(flow->fsm.state);

	if (state == TCPHS_STATE_ESTABLISHED && !tcphs_fsm_both_seen(&flow->fsm))
		state = TCPHS_STATE_SYN_SENT;
	return tcphs_state_timeout(state);
}

static bool flow_done(const struct tcphs_flow *flow)
{
	return flow->fsm.state == TCPHS_STATE_TIME_WAIT ||
	       flow->fsm.state == TCPHS_STATE_CLOSED;
}

/* Half-open, or only one side seen: a flow that costs an attacker one packet. */
static bool flow_half_open(const struct tcphs_flow *flow)
{
	return flow->fsm.state <= TCPHS_STATE_SYN_RECV || !tcphs_fsm_both_seen(&flow->fsm);
}

/* Which flows go first to make room: lower is sooner. */
enum tcphs_victim {
	TCPHS_VICTIM_DONE,	/* finished: only lingering to be read */
	TCPHS_VICTIM_HALF_OPEN,	/* nearest its timeout first */
	TCPHS_VICTIM_LIVE,	/* established or closing: idle longest first */
};

static enum tcphs_victim victim_rank(const struct tcphs_flow *flow)
{
	if (flow_done(flow))
		return TCPHS_VICTIM_DONE;
	return flow_half_open(flow) ? TCPHS_VICTIM_HALF_OPEN : TCPHS_VICTIM_LIVE;
}

/* When @flow last saw a packet, in jiffies (low 32 bits), from its timer. */
static u32 flow_last_seen(const struct tcphs_flow *flow)
{
	return READ_ONCE(flow->expires) - (u32)flow_timeout(flow);
}

/*
 * May a live flow go to make room? Only once it has been idle for as long
 * as a handshake may take (timeout_syn): a flood of new flows does not
 * push out connections in use, a namespace at its limit reclaims the ones
 * left idle.
 */
static bool flow_idle_long(const struct tcphs_flow *flow, u32 now)
{
	return (s32)(now - flow_last_seen(flow)) >=
	       (s32)tcphs_state_timeout(TCPHS_STATE_SYN_SENT);
}

/* Is @a the better victim than @b, both of rank @rank? */
static bool victim_before(const struct tcphs_flow *a, const struct tcphs_flow *b,
			  enum tcphs_victim rank)
{
	if (rank == TCPHS_VICTIM_HALF_OPEN)
		return (s32)(READ_ONCE(a->expires) - READ_ONCE(b->expires)) < 0;
	return (s32)(flow_last_seen(a) - flow_last_seen(b)) < 0;
}

/*
 * Make room for one flow of @net: look at a few buckets from @hash on and
 * evict the best victim among @net's flows (never another namespace's): a
 * finished flow, else the half-open one nearest its timeout, else the
 * established or closing one idle longest, if idle long enough (see
 * flow_idle_long()). Caller holds rcu_read_lock().
 */
static bool evict_one(const struct net *net, u32 hash)
{
	struct tcphs_step step = { .event = TCPHS_EV_EVICTED };
	enum tcphs_victim rank, vrank = TCPHS_VICTIM_LIVE;
	struct tcphs_flow *flow, *victim = NULL;
	u32 now = (u32)tcphs_now_jiffies();
	unsigned int i, vb = 0;
	spinlock_t *lock;	/* the victim's bucket's */

	for (i = 0; i < TCPHS_EVICT_SCAN; i++) {
		unsigned int b = (bucket_of(hash) + i) & (tcphs_nbuckets - 1);

		flow = tcphs_chain_first(&tcphs_buckets[b]);
		for (; flow; flow = tcphs_chain_next(flow)) {
			if (tcphs_flow_dead(flow) || !net_eq(read_pnet(&flow->net), net))
				continue;
			rank = victim_rank(flow);
			if (rank == TCPHS_VICTIM_LIVE && !flow_idle_long(flow, now))
				continue;
			if (!victim || rank < vrank ||
			    (rank == vrank && victim_before(flow, victim, rank))) {
				victim = flow;
				vrank = rank;
				vb = b;
			}
		}
		if (victim && vrank == TCPHS_VICTIM_DONE)
			break;
	}
	if (!victim)
		return false;

	lock = bucket_lock(vb);
	spin_lock_bh(lock);
	if (victim->flags & TCPHS_FLOW_DEAD) {
		spin_unlock_bh(lock);
		return false;
	}
	step.old_state = victim->fsm.state;
	step.new_state = victim->fsm.state;
	tcphs_stat_inc(tcphs_pernet(read_pnet(&victim->net)), TCPHS_STAT_EVICTED);
	tcphs_flow_count_outcome(victim, TCPHS_OUT_EVICTED);
	tcphs_nl_event(victim, &step, -1, NULL, ktime_get_ns());
	flow_unhash_locked(victim, vb);
	spin_unlock_bh(lock);
	return true;
}

/**
 * tcphs_chain_after - the next flow of a namespace in one chain, by id
 * @head: the chain
 * @net: the namespace
 * @after: the id of the flow seen last, 0 for none
 *
 * Returns the namespace's flow of @head with the lowest id above @after,
 * or NULL. Chains are short (the hash is seeded), so looking again for
 * each flow costs little, and the order does not depend on where in the
 * chain flows were added. Caller holds rcu_read_lock().
 */
struct tcphs_flow *tcphs_chain_after(struct tcphs_flow __rcu **head, const struct net *net,
				     u64 after)
{
	struct tcphs_flow *flow, *best = NULL;

	for (flow = tcphs_chain_first(head); flow; flow = tcphs_chain_next(flow)) {
		u64 id = tcphs_flow_id(flow);

		if (net_eq(read_pnet(&flow->net), net) && id > after &&
		    (!best || id < tcphs_flow_id(best)))
			best = flow;
	}
	return best;
}

/**
 * tcphs_flow_create - add a flow for a segment that opens one
 * @net: its namespace
 * @t: the tuple, originator first
 * @owned: with room for an owner (a local socket sent the segment)
 *
 * Returns the flow now in the table for @t (one another CPU added first, if
 * it raced), or NULL when the table is full or memory ran out (counted).
 * Caller holds rcu_read_lock().
 */
struct tcphs_flow *tcphs_flow_create(struct net *net, const struct tcphs_tuple *t, bool owned)
{
	struct tcphs_net *tn = tcphs_pernet(net);
	bool guest = !net_eq(net, &init_net);
	struct tcphs_flow *flow, *other;
	u32 hash = tuple_hash(net, t);
	spinlock_t *lock = bucket_lock(hash);
	u8 flags = (t->family == AF_INET6 ? TCPHS_FLOW_V6 : 0) |
		   (owned ? TCPHS_FLOW_OWNER : 0);
	unsigned int dir;
	u64 id;

	if (!room_take(tn, guest) && !(evict_one(net, hash) && room_take(tn, guest))) {
		tcphs_stat_inc(tn, TCPHS_STAT_TABLE_FULL);
		return NULL;
	}

	/* Under memory pressure the flow goes untracked and counted, quietly. */
	flow = kmem_cache_zalloc(cache_of(flags), GFP_ATOMIC | __GFP_NOWARN);
	if (!flow) {
		room_give(tn, guest);
		tcphs_stat_inc(tn, TCPHS_STAT_NOMEM);
		return NULL;
	}
	write_pnet(&flow->net, net);
	flow->flags = flags;
	flow->sport = t->sport;
	flow->dport = t->dport;
	if (t->family == AF_INET) {
		flow->addr[0] = t->src.ip;
		flow->addr[1] = t->dst.ip;
	} else {
		memcpy(&flow->addr[0], &t->src.in6, sizeof(t->src.in6));
		memcpy(&flow->addr[4], &t->dst.in6, sizeof(t->dst.in6));
	}
	id = atomic64_inc_return(&tn->flow_ids);
	flow->id_lo = lower_32_bits(id);
	flow->id_hi = upper_32_bits(id);
	memset(flow->ts, 0xff, sizeof(flow->ts));	/* TCPHS_TS_UNSET */
	tcphs_fsm_init(&flow->fsm);
	tcphs_history_init(&flow->hist);
	flow->expires = tcphs_now_jiffies() + tcphs_state_timeout(TCPHS_STATE_NONE);

	spin_lock_bh(lock);
	other = find_in_bucket(net, t, hash, &dir);
	if (other) {
		spin_unlock_bh(lock);
		room_give(tn, guest);
		flow_free(flow);
		return other;
	}
	RCU_INIT_POINTER(flow->next, chain_first_locked(&tcphs_buckets[bucket_of(hash)], lock));
	rcu_assign_pointer(tcphs_buckets[bucket_of(hash)], flow);
	spin_unlock_bh(lock);

	tcphs_stat_inc(tn, TCPHS_STAT_NEW);
	tcphs_ports_count(tn, t->dport, TCPHS_PC_NEW);
	return flow;
}

/**
 * tcphs_flow_count_outcome - count how a flow turned out, once
 * @flow: caller holds its lock
 * @o: its outcome; TCPHS_OUT_NONE counts nothing
 *
 * The first outcome counted is the flow's (a finished flow that is later
 * evicted was counted when it finished).
 */
void tcphs_flow_count_outcome(struct tcphs_flow *flow, enum tcphs_outcome o)
{
	if (o == TCPHS_OUT_NONE || (flow->flags & TCPHS_FLOW_COUNTED))
		return;
	WRITE_ONCE(flow->flags, flow->flags | TCPHS_FLOW_COUNTED);
	tcphs_ports_outcome(tcphs_pernet(read_pnet(&flow->net)), flow->dport, o);
}

/**
 * tcphs_flow_set_expiry - restart the flow's timer for its current state
 * @flow: caller holds its lock
 */
void tcphs_flow_set_expiry(struct tcphs_flow *flow)
{
	WRITE_ONCE(flow->expires, tcphs_now_jiffies() + flow_timeout(flow));
}

/* Has @flow's time run out at @now (jiffies)? Timeouts are below 2^31. */
static bool flow_expired(const struct tcphs_flow *flow, unsigned long now)
{
	return (s32)((u32)now - READ_ONCE(flow->expires)) >= 0;
}

/*
 * Step timestamps are kept as offsets from the first, in 32 bits: the top
 * two say the unit (ns, us, ms, s), the others count it from where the
 * previous unit's range ends, so that a later offset never decodes to an
 * earlier time. An offset is exact to the nanosecond below about a second,
 * to the microsecond below 18 minutes and to the millisecond below 12 days.
 */
#define TCPHS_TS_UNIT_SHIFT	30
#define TCPHS_TS_VALUE_MAX	(BIT(TCPHS_TS_UNIT_SHIFT) - 1)
#define TCPHS_TS_UNITS		4

#define TCPHS_TS_RANGE(unit)	(BIT_ULL(TCPHS_TS_UNIT_SHIFT) * (unit))

static const u32 tcphs_ts_units[TCPHS_TS_UNITS] = {
	1, NSEC_PER_USEC, NSEC_PER_MSEC, NSEC_PER_SEC
};

/* Where the range of each unit starts, in ns: where the previous one ends. */
static const u64 tcphs_ts_starts[TCPHS_TS_UNITS] = {
	0,
	TCPHS_TS_RANGE(1),
	TCPHS_TS_RANGE(1) + TCPHS_TS_RANGE(NSEC_PER_USEC),
	TCPHS_TS_RANGE(1) + TCPHS_TS_RANGE(NSEC_PER_USEC) + TCPHS_TS_RANGE(NSEC_PER_MSEC),
};

/**
 * tcphs_ts_encode - an offset in 32 bits
 * @delta: nanoseconds
 *
 * The value is rounded down to its unit; offsets past 34 years saturate,
 * short of TCPHS_TS_UNSET.
 */
u32 tcphs_ts_encode(u64 delta)
{
	unsigned int u = 0;
	u64 v;

	while (u < TCPHS_TS_UNITS - 1 && delta >= tcphs_ts_starts[u + 1])
		u++;
	v = div_u64(delta - tcphs_ts_starts[u], tcphs_ts_units[u]);
	if (u == TCPHS_TS_UNITS - 1)
		v = min_t(u64, v, TCPHS_TS_VALUE_MAX - 1);
	return (u << TCPHS_TS_UNIT_SHIFT) | (u32)v;
}

/** tcphs_ts_decode - nanoseconds of an encoded offset @v */
u64 tcphs_ts_decode(u32 v)
{
	unsigned int u = v >> TCPHS_TS_UNIT_SHIFT;

	return tcphs_ts_starts[u] + (u64)(v & TCPHS_TS_VALUE_MAX) * tcphs_ts_units[u];
}

/**
 * tcphs_flow_set_ts - record the time of a step
 * @flow: caller holds its lock, flow not dead
 * @step: the step
 * @now: CLOCK_MONOTONIC ns
 */
void tcphs_flow_set_ts(struct tcphs_flow *flow, enum tcphs_ts step, u64 now)
{
	unsigned int i;

	for (i = 0; i < __TCPHS_TS_MAX && flow->ts[i] == TCPHS_TS_UNSET; i++)
		;
	if (i == __TCPHS_TS_MAX)
		flow->ts_base = now;
	flow->ts[step] = tcphs_ts_encode(now > flow->ts_base ? now - flow->ts_base : 0);
}

/** tcphs_flow_has_ts - was @step of @flow recorded? Caller holds its lock. */
bool tcphs_flow_has_ts(const struct tcphs_flow *flow, enum tcphs_ts step)
{
	return flow->ts[step] != TCPHS_TS_UNSET;
}

/** tcphs_flow_ts - the time of @step of @flow in ns, 0 if not recorded */
u64 tcphs_flow_ts(const struct tcphs_flow *flow, enum tcphs_ts step)
{
	if (!tcphs_flow_has_ts(flow, step))
		return 0;
	return flow->ts_base + tcphs_ts_decode(flow->ts[step]);
}

/* How @flow ended, if it did. Caller holds its lock. */
static enum tcphs_end flow_end(const struct tcphs_flow *flow)
{
	if (flow->flags & TCPHS_FLOW_TIMED_OUT)
		return TCPHS_END_TIMEOUT;
	return tcphs_fsm_end(&flow->fsm);
}

/**
 * tcphs_flow_fill_info - copy a flow out
 * @flow: caller holds its lock, flow not dead
 * @info: the copy
 */
void tcphs_flow_fill_info(const struct tcphs_flow *flow, struct tcphs_flow_info *info)
{
	const struct tcphs_fsm *f = &flow->fsm;
	unsigned long now = tcphs_now_jiffies();
	unsigned int d;

	memset(info, 0, sizeof(*info));
	flow_tuple(flow, &info->tuple);
	info->id = tcphs_flow_id(flow);
	for (d = 0; d < __TCPHS_TS_MAX; d++)
		info->ts[d] = tcphs_flow_ts(flow, d);
	for (d = 0; d < 2; d++) {
		info->isn_known[d] = f->dflags[d] & TCPHS_DF_SYN;
		info->isn[d] = f->isn[d];
	}
	info->rtx_syn = flow->rtx_syn;
	info->rtx_synack = flow->rtx_synack;
	info->rtx_fin = flow->rtx_fin;
	info->state = f->state;
	info->conn_state = tcphs_fsm_conn_state(f);
	info->opener = f->opener;
	info->has_closer = (f->dflags[0] | f->dflags[1]) & TCPHS_DF_FIN;
	info->closer = f->closer;
	info->end = flow_end(flow);
	tcphs_history_str(&flow->hist, info->history);
	info->expires = now + (s32)(flow->expires - (u32)now);
	info->has_xlat = flow->flags & TCPHS_FLOW_NAT;
	if (info->has_xlat)
		info->xlat = *tcphs_flow_xlat(flow);
	info->outcome = tcphs_fsm_outcome(f, flow->flags & TCPHS_FLOW_TIMED_OUT);
	info->stage = tcphs_fsm_stage(f);
	if (tcphs_flow_owner(flow))
		info->owner = *tcphs_flow_owner(flow);
}

/**
 * tcphs_flow_snapshot - copy a flow out, taking its lock
 * @flow: caller holds rcu_read_lock() and not the lock
 * @hash: its hash, or the index of the bucket it was found in
 * @info: the copy
 *
 * Returns false, and copies nothing, if the flow left the table meanwhile.
 */
bool tcphs_flow_snapshot(struct tcphs_flow *flow, u32 hash, struct tcphs_flow_info *info)
{
	spinlock_t *lock = bucket_lock(hash);
	bool live;

	spin_lock_bh(lock);
	live = !(flow->flags & TCPHS_FLOW_DEAD);
	if (live)
		tcphs_flow_fill_info(flow, info);
	spin_unlock_bh(lock);
	return live;
}

/**
 * tcphs_table_flush_net - remove every flow of a namespace
 * @net: the namespace
 *
 * Returns the number of flows removed. Process context.
 */
unsigned int tcphs_table_flush_net(struct net *net)
{
	struct tcphs_flow *flow;
	unsigned int i, n = 0;

	for (i = 0; i < tcphs_nbuckets; i++) {
		spinlock_t *lock;	/* the bucket's */

		if (!rcu_access_pointer(tcphs_buckets[i]))
			continue;
		lock = bucket_lock(i);
		spin_lock_bh(lock);
		flow = chain_first_locked(&tcphs_buckets[i], lock);
		for (; flow; flow = chain_next_locked(flow, lock)) {
			if (net_eq(read_pnet(&flow->net), net) && flow_unhash_locked(flow, i))
				n++;
		}
		spin_unlock_bh(lock);
		if (!(i % 256))
			cond_resched();
	}
	return n;
}

/*
 * Retire one flow whose time is up: a live flow times out (and lingers as
 * CLOSED so that it can still be read), a finished one goes.
 */
static void gc_expire(struct tcphs_flow *flow, unsigned int b)
{
	spinlock_t *lock = bucket_lock(b);

	spin_lock_bh(lock);
	if ((flow->flags & TCPHS_FLOW_DEAD) || !flow_expired(flow, tcphs_now_jiffies())) {
		spin_unlock_bh(lock);
		return;
	}
	if (flow_done(flow)) {
		flow_unhash_locked(flow, b);
	} else {
		u64 now = ktime_get_ns();
		struct tcphs_step step = {
			.old_state = flow->fsm.state,
			.new_state = TCPHS_STATE_CLOSED,
			.event = TCPHS_EV_TIMEOUT,
		};

		flow->fsm.state = TCPHS_STATE_CLOSED;
		WRITE_ONCE(flow->flags, flow->flags | TCPHS_FLOW_TIMED_OUT);
		tcphs_flow_set_ts(flow, TCPHS_TS_END, now);
		tcphs_flow_set_expiry(flow);
		tcphs_stat_inc(tcphs_pernet(read_pnet(&flow->net)), TCPHS_STAT_TIMEOUT);
		tcphs_flow_count_outcome(flow, tcphs_fsm_outcome(&flow->fsm, true));
		tcphs_nl_event(flow, &step, -1, NULL, now);
	}
	spin_unlock_bh(lock);
}

/* Retire the flows whose time is up in buckets [@from, @to). */
static void gc_buckets(unsigned int from, unsigned int to)
{
	struct tcphs_flow *flow;
	unsigned int i;

	for (i = from; i < to; i++) {
		rcu_read_lock();
		flow = tcphs_chain_first(&tcphs_buckets[i]);
		for (; flow; flow = tcphs_chain_next(flow)) {
			if (flow_expired(flow, tcphs_now_jiffies()))
				gc_expire(flow, i);
		}
		rcu_read_unlock();
		if (!(i % 64))
			cond_resched();
	}
}

static void tcphs_gc_worker(struct work_struct *work)
{
	unsigned int batch = max(256U, tcphs_nbuckets / TCPHS_GC_PASS);
	unsigned int end = min(tcphs_gc_next + batch, tcphs_nbuckets);

	gc_buckets(tcphs_gc_next, end);
	tcphs_gc_next = end < tcphs_nbuckets ? end : 0;
	queue_delayed_work(system_power_efficient_wq, &tcphs_gc_work, TCPHS_GC_INTERVAL);
}

void tcphs_gc_start(void)
{
	INIT_DEFERRABLE_WORK(&tcphs_gc_work, tcphs_gc_worker);
	queue_delayed_work(system_power_efficient_wq, &tcphs_gc_work, TCPHS_GC_INTERVAL);
}

void tcphs_gc_stop(void)
{
	cancel_delayed_work_sync(&tcphs_gc_work);
}

/**
 * tcphs_table_init - allocate the table
 * @buckets: number of hash buckets, a power of two
 */
int tcphs_table_init(unsigned int buckets)
{
	unsigned int i;

	size_t size = offsetof(struct tcphs_flow, addr);

	BUILD_BUG_ON(ALIGN(offsetof(struct tcphs_flow, addr) + 2 * sizeof(__be32),
			   __alignof__(struct tcphs_flow)) > TCPHS_FLOW_SIZE_MAX);

	for (i = 0; i < TCPHS_CACHES; i++) {
		static const char *const names[TCPHS_CACHES] = {
			"tcphs_flow", "tcphs_flow6", "tcphs_flow_owned", "tcphs_flow6_owned",
			"tcphs_flow_nat",
		};
		size_t tail = (i == TCPHS_CACHE_V4 || i == TCPHS_CACHE_V4_OWNER ? 2 : 8) *
			      sizeof(__be32);

		if (i == TCPHS_CACHE_NAT)
			tail += sizeof(struct tcphs_xlat);
		if (i >= TCPHS_CACHE_V4_OWNER)
			tail = ALIGN(tail, __alignof__(u64)) + sizeof(struct tcphs_owner);
		tcphs_flow_caches[i] = kmem_cache_create(names[i], size + tail,
							 __alignof__(struct tcphs_flow), 0, NULL);
		if (!tcphs_flow_caches[i])
			goto err;
	}

	tcphs_buckets = kvcalloc(buckets, sizeof(*tcphs_buckets), GFP_KERNEL);
	if (!tcphs_buckets)
		goto err;
	tcphs_nbuckets = buckets;
	for (i = 0; i < TCPHS_LOCKS; i++)
		spin_lock_init(&tcphs_locks[i]);
	tcphs_hash_seed = get_random_u32();
	return 0;

err:
	while (i--)
		kmem_cache_destroy(tcphs_flow_caches[i]);
	return -ENOMEM;
}

/* Every namespace has flushed its flows; wait for them to be freed. */
void tcphs_table_exit(void)
{
	unsigned int i;

	rcu_barrier();
	WARN_ON(atomic_read(&tcphs_flow_count));
	kvfree(tcphs_buckets);
	for (i = 0; i < TCPHS_CACHES; i++)
		kmem_cache_destroy(tcphs_flow_caches[i]);
}
