// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_flow_table": lookups from both directions, collisions
 * in one bucket, the capacity limit and what gets evicted first, timeouts
 * and the GC driven by a test clock, and namespaces kept apart.
 *
 * Each test sets the table up with the number of buckets it needs (one, to
 * put every flow in the same bucket) and tears it down, flows and all.
 */

#include <kunit/test.h>

#include "test_env.h"

#define tcphs_now_jiffies()	tcphs_test_jiffies
#include "flow_table.c"

/* A flow's hash, computed again from its key (the table keeps none). */
u32 tcphs_test_flow_hash(const struct tcphs_flow *flow)
{
	struct tcphs_tuple t;

	flow_tuple(flow, &t);
	return tuple_hash(read_pnet(&flow->net), &t);
}

unsigned int tcphs_test_flush_all(void)
{
	struct tcphs_flow *flow;
	unsigned int i, n = 0;

	for (i = 0; i < tcphs_nbuckets; i++) {
		spinlock_t *lock = bucket_lock(i);

		spin_lock_bh(lock);
		flow = chain_first_locked(&tcphs_buckets[i], lock);
		for (; flow; flow = chain_next_locked(flow, lock)) {
			if (flow_unhash_locked(flow, i))
				n++;
		}
		spin_unlock_bh(lock);
	}
	return n;
}

static bool ft_table_up;

static void ft_setup(struct kunit *test, unsigned int buckets)
{
	KUNIT_ASSERT_EQ(test, tcphs_table_init(buckets), 0);
	ft_table_up = true;
	tcphs_test_reset_tunables();
	tcphs_test_reset_net(&init_net);
}

static void ft_exit(struct kunit *test)
{
	if (ft_table_up) {
		tcphs_test_flush_all();
		tcphs_table_exit();
		ft_table_up = false;
	}
	tcphs_test_fake_nets_free();
	tcphs_test_reset_tunables();
}

static int ft_suite_init(struct kunit_suite *suite)
{
	return tcphs_test_pernet_setup();
}

static void ft_suite_exit(struct kunit_suite *suite)
{
	tcphs_test_pernet_teardown();
}

static struct tcphs_tuple ft_v4(u32 saddr, u16 sport, u32 daddr, u16 dport)
{
	struct tcphs_tuple t = { .family = AF_INET };

	t.src.ip = htonl(saddr);
	t.dst.ip = htonl(daddr);
	t.sport = htons(sport);
	t.dport = htons(dport);
	return t;
}

static struct tcphs_tuple ft_v6(u32 s_last, u16 sport, u32 d_last, u16 dport)
{
	struct tcphs_tuple t = { .family = AF_INET6 };

	t.src.in6.s6_addr32[0] = htonl(0x20010db8);
	t.src.in6.s6_addr32[3] = htonl(s_last);
	t.dst.in6.s6_addr32[0] = htonl(0x20010db8);
	t.dst.in6.s6_addr32[3] = htonl(d_last);
	t.sport = htons(sport);
	t.dport = htons(dport);
	return t;
}

static struct tcphs_tuple ft_swapped(struct tcphs_tuple t)
{
	swap(t.src, t.dst);
	swap(t.sport, t.dport);
	return t;
}

static struct tcphs_flow *ft_create(struct net *net, const struct tcphs_tuple *t)
{
	struct tcphs_flow *flow;

	rcu_read_lock();
	flow = tcphs_flow_create(net, t, false);
	rcu_read_unlock();
	return flow;
}

/* The flow of @t in @net, or NULL; *@dir its direction. */
static struct tcphs_flow *ft_find(struct net *net, const struct tcphs_tuple *t,
				  unsigned int *dir)
{
	struct tcphs_flow *flow;
	unsigned int d = 99;
	u32 hash;

	rcu_read_lock();
	flow = tcphs_flow_find(net, t, &d, &hash);
	rcu_read_unlock();
	if (dir)
		*dir = d;
	return flow;
}

/* Past the handshake, as if both sides had been seen, unless @one_sided. */
static void ft_set_state_sides(struct tcphs_flow *flow, unsigned int state, bool one_sided)
{
	spin_lock_bh(tcphs_test_lock(flow));
	flow->fsm.state = state;
	if (state > TCPHS_STATE_SYN_RECV) {
		flow->fsm.dflags[TCPHS_DIR_ORIG] |= TCPHS_DF_SEQ;
		if (one_sided)
			flow->fsm.dflags[TCPHS_DIR_REPLY] &= ~TCPHS_DF_SEQ;
		else
			flow->fsm.dflags[TCPHS_DIR_REPLY] |= TCPHS_DF_SEQ;
	}
	tcphs_flow_set_expiry(flow);
	spin_unlock_bh(tcphs_test_lock(flow));
}

static void ft_set_state(struct tcphs_flow *flow, unsigned int state)
{
	ft_set_state_sides(flow, state, false);
}

static unsigned int ft_count(struct net *net)
{
	return atomic_read(&tcphs_pernet(net)->count);
}

/* A tuple of @net that hashes to bucket @want. */
static struct tcphs_tuple ft_tuple_in_bucket(struct net *net, unsigned int want)
{
	struct tcphs_tuple t;
	u32 i;

	for (i = 0; ; i++) {
		t = ft_v4(0x0a010000 + (i >> 16), i & 0xffff, 0x0a000002, 80);
		if (bucket_of(tuple_hash(net, &t)) == want)
			return t;
	}
}

static void ft_both_directions(struct kunit *test)
{
	struct tcphs_tuple t4 = ft_v4(0x7f000001, 40000, 0x7f000001, 80);
	struct tcphs_tuple t6 = ft_v6(1, 40000, 2, 443);
	struct tcphs_tuple r4 = ft_swapped(t4), r6 = ft_swapped(t6);
	struct tcphs_tuple other = t4, look6 = { .family = AF_INET6 };
	struct tcphs_flow *f4, *f6;
	unsigned int dir;

	ft_setup(test, 1024);
	KUNIT_EXPECT_EQ(test, tuple_hash(&init_net, &t4), tuple_hash(&init_net, &r4));
	KUNIT_EXPECT_EQ(test, tuple_hash(&init_net, &t6), tuple_hash(&init_net, &r6));

	f4 = ft_create(&init_net, &t4);
	f6 = ft_create(&init_net, &t6);
	KUNIT_ASSERT_NOT_NULL(test, f4);
	KUNIT_ASSERT_NOT_NULL(test, f6);
	KUNIT_EXPECT_NE(test, tcphs_flow_id(f4), tcphs_flow_id(f6));
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 2);

	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t4, &dir), f4);
	KUNIT_EXPECT_EQ(test, dir, TCPHS_DIR_ORIG);
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &r4, &dir), f4);
	KUNIT_EXPECT_EQ(test, dir, TCPHS_DIR_REPLY);
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t6, &dir), f6);
	KUNIT_EXPECT_EQ(test, dir, TCPHS_DIR_ORIG);
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &r6, &dir), f6);
	KUNIT_EXPECT_EQ(test, dir, TCPHS_DIR_REPLY);

	/* One port, one address, or the family different: another flow. */
	other.sport = htons(40001);
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &other, NULL));
	other = t4;
	other.dst.ip = htonl(0x7f000002);
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &other, NULL));
	look6.src.in6.s6_addr32[0] = t4.src.ip;
	look6.dst.in6.s6_addr32[0] = t4.dst.ip;
	look6.sport = t4.sport;
	look6.dport = t4.dport;
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &look6, NULL));

	/* Creating it again, from either side, gives the flow there is. */
	KUNIT_EXPECT_PTR_EQ(test, ft_create(&init_net, &t4), f4);
	KUNIT_EXPECT_PTR_EQ(test, ft_create(&init_net, &r4), f4);
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&tcphs_flow_count), 2);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_NEW), 2);

	/* Unlinking twice removes it once. */
	rcu_read_lock();
	tcphs_flow_unlink(f4, tcphs_test_flow_hash(f4));
	tcphs_flow_unlink(f4, tcphs_test_flow_hash(f4));
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t4, NULL));
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tcphs_flow_count), 1);
}

#define FT_MANY	64

static void ft_one_bucket(struct kunit *test)
{
	struct tcphs_flow **flows;
	struct tcphs_tuple *t;
	unsigned int i, dir;

	flows = kunit_kcalloc(test, FT_MANY, sizeof(*flows), GFP_KERNEL);
	t = kunit_kcalloc(test, FT_MANY, sizeof(*t), GFP_KERNEL);
	KUNIT_ASSERT_TRUE(test, flows && t);
	ft_setup(test, 1);
	for (i = 0; i < FT_MANY; i++) {
		if (i & 1)
			t[i] = ft_v6(i, 1000 + i, 7, 80);
		else
			t[i] = ft_v4(0x0a000000 + i, 1000, 0x0a000001, 80);
		flows[i] = ft_create(&init_net, &t[i]);
		KUNIT_ASSERT_NOT_NULL(test, flows[i]);
		KUNIT_EXPECT_EQ(test, bucket_of(tcphs_test_flow_hash(flows[i])), 0);
	}
	for (i = 0; i < FT_MANY; i++) {
		struct tcphs_tuple r = ft_swapped(t[i]);

		KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t[i], &dir), flows[i]);
		KUNIT_EXPECT_EQ(test, dir, TCPHS_DIR_ORIG);
		KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &r, &dir), flows[i]);
		KUNIT_EXPECT_EQ(test, dir, TCPHS_DIR_REPLY);
	}
	rcu_read_lock();
	for (i = 0; i < FT_MANY; i += 3)
		tcphs_flow_unlink(flows[i], tcphs_test_flow_hash(flows[i]));
	rcu_read_unlock();
	for (i = 0; i < FT_MANY; i++) {
		if (i % 3)
			KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t[i], NULL), flows[i]);
		else
			KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t[i], NULL));
	}
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), FT_MANY - DIV_ROUND_UP(FT_MANY, 3));
}

/*
 * A full table makes room by evicting a finished flow first, else the
 * half-open flow nearest its timeout, else the established or closing flow
 * idle longest. Eight buckets: the search for a victim sees them all.
 */
static void ft_eviction(struct kunit *test)
{
	struct tcphs_tuple t[9];
	struct tcphs_flow *f[9];
	unsigned long t0;
	unsigned int i;

	ft_setup(test, TCPHS_EVICT_SCAN);
	t0 = tcphs_test_jiffies;
	tcphs_max_flows = 4;
	for (i = 0; i < ARRAY_SIZE(t); i++)
		t[i] = ft_v4(0xc0a80001, 2000 + i, 0xc0a80002, 22);

	for (i = 0; i < 4; i++) {
		/* The second half-open flow times out 10 s after the first. */
		if (i == 2)
			tcphs_test_jiffies += 10 * HZ;
		f[i] = ft_create(&init_net, &t[i]);
		KUNIT_ASSERT_NOT_NULL(test, f[i]);
	}
	ft_set_state(f[0], TCPHS_STATE_ESTABLISHED);
	ft_set_state(f[3], TCPHS_STATE_TIME_WAIT);
	ft_set_state(f[2], TCPHS_STATE_SYN_RECV);
	tcphs_test_jiffies -= 10 * HZ;
	ft_set_state(f[1], TCPHS_STATE_SYN_SENT);
	KUNIT_EXPECT_LT(test, (s32)(f[1]->expires - f[2]->expires), 0);

	/* The finished flow goes first, though a half-open one is older. */
	f[4] = ft_create(&init_net, &t[4]);
	KUNIT_ASSERT_NOT_NULL(test, f[4]);
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t[3], NULL));
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVICTED), 1);
	ft_set_state(f[4], TCPHS_STATE_ESTABLISHED);

	/* Then the half-open flow nearest its timeout. */
	f[5] = ft_create(&init_net, &t[5]);
	KUNIT_ASSERT_NOT_NULL(test, f[5]);
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t[1], NULL));
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t[2], NULL), f[2]);
	ft_set_state(f[5], TCPHS_STATE_FIN_WAIT_1);

	f[6] = ft_create(&init_net, &t[6]);
	KUNIT_ASSERT_NOT_NULL(test, f[6]);
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t[2], NULL));
	ft_set_state(f[6], TCPHS_STATE_LAST_ACK);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVICTED), 3);

	/*
	 * Only live flows left: none goes while idle for less than
	 * timeout_syn (60 s here); then the one idle longest, whatever its
	 * state's timeout. f[4] last saw a packet at t0, the others later.
	 */
	tcphs_test_jiffies = t0 + 20 * HZ;
	ft_set_state(f[0], TCPHS_STATE_ESTABLISHED);
	ft_set_state(f[5], TCPHS_STATE_FIN_WAIT_1);
	ft_set_state(f[6], TCPHS_STATE_LAST_ACK);
	tcphs_test_jiffies = t0 + 60 * HZ - 1;
	KUNIT_EXPECT_NULL(test, ft_create(&init_net, &t[7]));
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_TABLE_FULL), 1);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVICTED), 3);
	tcphs_test_jiffies = t0 + 60 * HZ;
	f[7] = ft_create(&init_net, &t[7]);
	KUNIT_ASSERT_NOT_NULL(test, f[7]);
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t[4], NULL));
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVICTED), 4);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_TABLE_FULL), 1);
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&tcphs_flow_count), 4);
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t[0], NULL), f[0]);
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t[5], NULL), f[5]);
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t[6], NULL), f[6]);

	/* A CLOSED flow counts as finished, ahead of the new half-open one. */
	ft_set_state(f[5], TCPHS_STATE_CLOSED);
	KUNIT_EXPECT_NOT_NULL(test, ft_create(&init_net, &t[8]));
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t[5], NULL));
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t[7], NULL), f[7]);
}

/* Only the namespace that needs room gives it: never another's flows. */
static void ft_eviction_own_namespace(struct kunit *test)
{
	struct tcphs_tuple t = ft_v4(0x0a000001, 1000, 0x0a000002, 80);
	struct tcphs_tuple t_mine = ft_v4(0x0a000001, 1001, 0x0a000002, 80);
	struct tcphs_flow *mine;
	struct net *other;

	ft_setup(test, TCPHS_EVICT_SCAN);
	tcphs_max_flows = 2;
	other = tcphs_test_fake_net(0x1111, 0xf0000001);
	KUNIT_ASSERT_NOT_NULL(test, other);
	tcphs_pernet(other)->max_flows = 2;

	/* A finished flow of another namespace fills the table... */
	KUNIT_ASSERT_NOT_NULL(test, ft_create(other, &t));
	ft_set_state(ft_find(other, &t, NULL), TCPHS_STATE_TIME_WAIT);
	mine = ft_create(&init_net, &t_mine);
	KUNIT_ASSERT_NOT_NULL(test, mine);

	/* ...and is not the victim of this one's new flow. */
	t.sport = htons(1002);
	KUNIT_EXPECT_NOT_NULL(test, ft_create(&init_net, &t));
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t_mine, NULL));
	t.sport = htons(1000);
	KUNIT_EXPECT_NOT_NULL(test, ft_find(other, &t, NULL));
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVICTED), 1);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(other, TCPHS_STAT_EVICTED), 0);
}

/*
 * A namespace other than the initial one is held to its own limit, and
 * all of them together to half the table: the initial namespace keeps
 * room however many there are.
 */
static void ft_netns_limits(struct kunit *test)
{
	struct tcphs_tuple t;
	struct net *g[3];
	unsigned int i, n;

	ft_setup(test, TCPHS_EVICT_SCAN);
	tcphs_max_flows = 16;
	for (i = 0; i < ARRAY_SIZE(g); i++) {
		g[i] = tcphs_test_fake_net(0x2000 + i, 0xf0000010 + i);
		KUNIT_ASSERT_NOT_NULL(test, g[i]);
	}
	KUNIT_EXPECT_EQ(test, tcphs_net_max_flows(tcphs_pernet(&init_net)), 16);
	KUNIT_EXPECT_EQ(test, tcphs_net_max_flows(tcphs_pernet(g[0])), 4);
	KUNIT_EXPECT_EQ(test, tcphs_guests_max_flows(), 8);

	/* Four half-open flows fill g[0]; the fifth evicts one of them. */
	for (n = 0; n < 5; n++) {
		t = ft_v4(0x0a000001, 3000 + n, 0x0a000002, 80);
		KUNIT_EXPECT_NOT_NULL(test, ft_create(g[0], &t));
		tcphs_test_jiffies += HZ;
	}
	KUNIT_EXPECT_EQ(test, ft_count(g[0]), 4);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(g[0], TCPHS_STAT_EVICTED), 1);
	t = ft_v4(0x0a000001, 3000, 0x0a000002, 80);
	KUNIT_EXPECT_NULL(test, ft_find(g[0], &t, NULL));

	/* g[1] takes its four; g[2] finds the guests' half full. */
	for (n = 0; n < 4; n++) {
		t = ft_v4(0x0a000001, 4000 + n, 0x0a000002, 80);
		KUNIT_EXPECT_NOT_NULL(test, ft_create(g[1], &t));
	}
	t = ft_v4(0x0a000001, 5000, 0x0a000002, 80);
	KUNIT_EXPECT_NULL(test, ft_create(g[2], &t));
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(g[2], TCPHS_STAT_TABLE_FULL), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tcphs_guest_count), 8);

	/* The initial namespace still has its eight. */
	for (n = 0; n < 8; n++) {
		t = ft_v4(0x0a000001, 6000 + n, 0x0a000002, 80);
		KUNIT_EXPECT_NOT_NULL(test, ft_create(&init_net, &t));
	}
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_TABLE_FULL), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tcphs_flow_count), 16);

	/* A limit raised past max_flows is held to max_flows. */
	tcphs_pernet(g[2])->max_flows = 1000;
	KUNIT_EXPECT_EQ(test, tcphs_net_max_flows(tcphs_pernet(g[2])), 16);

	/* Leaving gives every place back. */
	KUNIT_EXPECT_EQ(test, tcphs_table_flush_net(g[0]), 4);
	KUNIT_EXPECT_EQ(test, tcphs_table_flush_net(g[1]), 4);
	KUNIT_EXPECT_EQ(test, atomic_read(&tcphs_guest_count), 0);
	KUNIT_EXPECT_EQ(test, ft_count(g[2]), 0);
}

/*
 * A flow picked up mid-stream is ESTABLISHED, but until the other side is
 * heard from it has the half-open timeout, and goes before live flows.
 */
static void ft_one_sided(struct kunit *test)
{
	struct tcphs_tuple t1 = ft_v4(1, 1, 2, 2), t2 = ft_v4(1, 3, 2, 4);
	struct tcphs_tuple t3 = ft_v4(1, 5, 2, 6);
	struct tcphs_flow *one, *both;
	unsigned long t0;

	ft_setup(test, TCPHS_EVICT_SCAN);
	t0 = tcphs_test_jiffies;
	tcphs_max_flows = 2;
	one = ft_create(&init_net, &t1);
	both = ft_create(&init_net, &t2);
	KUNIT_ASSERT_TRUE(test, one && both);
	tcphs_test_jiffies += HZ;
	ft_set_state_sides(one, TCPHS_STATE_ESTABLISHED, true);
	tcphs_test_jiffies = t0;
	ft_set_state(both, TCPHS_STATE_ESTABLISHED);
	KUNIT_EXPECT_EQ(test, one->expires, (u32)(t0 + HZ + 60 * HZ));
	KUNIT_EXPECT_EQ(test, both->expires, (u32)(t0 + 5 * 24 * 3600 * HZ));

	/* Though both idled longer, the one-sided flow is the victim. */
	KUNIT_EXPECT_NOT_NULL(test, ft_create(&init_net, &t3));
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t1, NULL));
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t2, NULL), both);
}

/* The victim is looked for only in the few buckets from the new flow's on. */
static void ft_eviction_neighbours(struct kunit *test)
{
	const unsigned int nb = 4096;
	struct tcphs_tuple v, far, near;
	struct tcphs_flow *victim;
	unsigned int b;

	ft_setup(test, nb);
	tcphs_max_flows = 1;
	v = ft_v4(0x0a000009, 9, 0x0a000002, 80);
	victim = ft_create(&init_net, &v);
	KUNIT_ASSERT_NOT_NULL(test, victim);
	ft_set_state(victim, TCPHS_STATE_CLOSED);
	b = bucket_of(tcphs_test_flow_hash(victim));

	/* A bucket just past the window that ends at the victim's. */
	far = ft_tuple_in_bucket(&init_net, (b - TCPHS_EVICT_SCAN) & (nb - 1));
	KUNIT_EXPECT_NULL(test, ft_create(&init_net, &far));
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_TABLE_FULL), 1);

	/* The last bucket of the window reaches it. */
	near = ft_tuple_in_bucket(&init_net, (b - TCPHS_EVICT_SCAN + 1) & (nb - 1));
	KUNIT_EXPECT_NOT_NULL(test, ft_create(&init_net, &near));
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &v, NULL));
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVICTED), 1);
}

static unsigned int ft_state_of(struct tcphs_flow *flow, u8 *end)
{
	unsigned int s;

	spin_lock_bh(tcphs_test_lock(flow));
	s = flow->fsm.state;
	*end = flow_end(flow);
	spin_unlock_bh(tcphs_test_lock(flow));
	return s;
}

static void ft_gc_all(void)
{
	gc_buckets(0, tcphs_nbuckets);
}

/*
 * Timeouts by state, and the GC: a live flow times out into CLOSED (end
 * "timeout") and lingers; a finished one goes after the linger time. The
 * test clock starts 30 s before jiffies wrap.
 */
static void ft_timeouts(struct kunit *test)
{
	struct tcphs_tuple ts = ft_v4(1, 1, 2, 2), te = ft_v4(1, 3, 2, 4);
	struct tcphs_tuple tc = ft_v4(1, 5, 2, 6), tw = ft_v4(1, 7, 2, 8);
	struct tcphs_tuple tr = ft_v4(1, 9, 2, 10);
	struct tcphs_flow *s, *e, *c, *w, *r;
	unsigned long t0;
	u8 end;

	ft_setup(test, 64);
	t0 = tcphs_test_jiffies;
	s = ft_create(&init_net, &ts);
	e = ft_create(&init_net, &te);
	c = ft_create(&init_net, &tc);
	w = ft_create(&init_net, &tw);
	r = ft_create(&init_net, &tr);
	KUNIT_ASSERT_TRUE(test, s && e && c && w && r);
	ft_set_state(s, TCPHS_STATE_SYN_SENT);
	ft_set_state(e, TCPHS_STATE_ESTABLISHED);
	ft_set_state(c, TCPHS_STATE_FIN_WAIT_1);
	ft_set_state(w, TCPHS_STATE_TIME_WAIT);
	ft_set_state(r, TCPHS_STATE_SYN_RECV);

	tcphs_test_jiffies = t0 + 50 * HZ;
	ft_set_state(r, TCPHS_STATE_SYN_RECV);		/* a packet: timer restarts */
	tcphs_test_jiffies = t0 + 60 * HZ - 1;
	ft_gc_all();
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 5);
	KUNIT_EXPECT_EQ(test, ft_state_of(s, &end), TCPHS_STATE_SYN_SENT);

	/* 60 s, across the wrap of jiffies: timeout_syn and linger are up. */
	tcphs_test_jiffies = t0 + 60 * HZ;
	ft_gc_all();
	KUNIT_EXPECT_EQ(test, ft_state_of(s, &end), TCPHS_STATE_CLOSED);
	KUNIT_EXPECT_EQ(test, end, TCPHS_END_TIMEOUT);
	KUNIT_EXPECT_TRUE(test, tcphs_flow_has_ts(s, TCPHS_TS_END));
	KUNIT_EXPECT_EQ(test, s->expires, (u32)(t0 + 120 * HZ));
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &tw, NULL));
	KUNIT_EXPECT_EQ(test, ft_state_of(r, &end), TCPHS_STATE_SYN_RECV);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_TIMEOUT), 1);
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 4);

	/* 110 s: the refreshed half-open flow. 120 s: the closing one. */
	tcphs_test_jiffies = t0 + 110 * HZ;
	ft_gc_all();
	KUNIT_EXPECT_EQ(test, ft_state_of(r, &end), TCPHS_STATE_CLOSED);
	KUNIT_EXPECT_EQ(test, ft_state_of(c, &end), TCPHS_STATE_FIN_WAIT_1);
	tcphs_test_jiffies = t0 + 120 * HZ;
	ft_gc_all();
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &ts, NULL));
	KUNIT_EXPECT_EQ(test, ft_state_of(c, &end), TCPHS_STATE_CLOSED);
	KUNIT_EXPECT_EQ(test, end, TCPHS_END_TIMEOUT);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_TIMEOUT), 3);

	tcphs_test_jiffies = t0 + 180 * HZ;
	ft_gc_all();
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &tr, NULL));
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &tc, NULL));
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 1);

	/* Established flows wait timeout_established (5 days). */
	tcphs_test_jiffies = t0 + 432000UL * HZ - 1;
	ft_gc_all();
	KUNIT_EXPECT_EQ(test, ft_state_of(e, &end), TCPHS_STATE_ESTABLISHED);
	tcphs_test_jiffies = t0 + 432000UL * HZ;
	ft_gc_all();
	KUNIT_EXPECT_EQ(test, ft_state_of(e, &end), TCPHS_STATE_CLOSED);
	tcphs_test_jiffies += 60 * HZ;
	ft_gc_all();
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 0);
	KUNIT_EXPECT_EQ(test, atomic_read(&tcphs_flow_count), 0);
}

/* With linger 0 a finished flow goes at the next GC run. */
static void ft_linger_zero(struct kunit *test)
{
	struct tcphs_tuple t = ft_v6(1, 1, 2, 2);
	struct tcphs_flow *f;

	ft_setup(test, 64);
	tcphs_test_linger = 0;
	f = ft_create(&init_net, &t);
	KUNIT_ASSERT_NOT_NULL(test, f);
	ft_set_state(f, TCPHS_STATE_TIME_WAIT);
	ft_gc_all();
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t, NULL));
}

static void ft_gc_nothing(struct work_struct *work)
{
}

/* The worker looks at one batch of buckets per run and wraps around. */
static void ft_gc_worker_batches(struct kunit *test)
{
	const unsigned int nb = 8192, batch = nb / TCPHS_GC_PASS;
	struct tcphs_tuple lo, hi;
	struct tcphs_flow *f;

	ft_setup(test, nb);
	tcphs_test_linger = 0;
	lo = ft_tuple_in_bucket(&init_net, 0);
	hi = ft_tuple_in_bucket(&init_net, batch);
	f = ft_create(&init_net, &lo);
	KUNIT_ASSERT_NOT_NULL(test, f);
	ft_set_state(f, TCPHS_STATE_CLOSED);
	f = ft_create(&init_net, &hi);
	KUNIT_ASSERT_NOT_NULL(test, f);
	ft_set_state(f, TCPHS_STATE_CLOSED);
	KUNIT_ASSERT_EQ(test, ft_count(&init_net), 2);

	/* Run passes by hand; what each queues for later does nothing. */
	INIT_DEFERRABLE_WORK(&tcphs_gc_work, ft_gc_nothing);
	tcphs_gc_next = 0;
	tcphs_gc_worker(&tcphs_gc_work.work);
	KUNIT_EXPECT_EQ(test, tcphs_gc_next, batch);
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &lo, NULL));
	KUNIT_EXPECT_NOT_NULL(test, ft_find(&init_net, &hi, NULL));
	tcphs_gc_worker(&tcphs_gc_work.work);
	KUNIT_EXPECT_EQ(test, tcphs_gc_next, 2 * batch);
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &hi, NULL));

	tcphs_gc_next = nb - batch;
	tcphs_gc_worker(&tcphs_gc_work.work);
	KUNIT_EXPECT_EQ(test, tcphs_gc_next, 0);
	tcphs_gc_stop();
}

/* The same tuple in two namespaces is two flows, even in one bucket. */
static void ft_namespaces(struct kunit *test)
{
	struct tcphs_tuple t = ft_v4(0x7f000001, 5555, 0x7f000001, 8080);
	struct tcphs_tuple r = ft_swapped(t);
	struct tcphs_flow *a, *b;
	struct net *other;
	unsigned int dir;

	ft_setup(test, 1);
	other = tcphs_test_fake_net(0x5eed, 0xf0000123);
	KUNIT_ASSERT_NOT_NULL(test, other);

	a = ft_create(&init_net, &t);
	b = ft_create(other, &r);
	KUNIT_ASSERT_NOT_NULL(test, a);
	KUNIT_ASSERT_NOT_NULL(test, b);
	KUNIT_EXPECT_PTR_NE(test, a, b);
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &r, &dir), a);
	KUNIT_EXPECT_EQ(test, dir, TCPHS_DIR_REPLY);
	KUNIT_EXPECT_PTR_EQ(test, ft_find(other, &t, &dir), b);
	KUNIT_EXPECT_EQ(test, dir, TCPHS_DIR_REPLY);
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 1);
	KUNIT_EXPECT_EQ(test, ft_count(other), 1);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(other, TCPHS_STAT_NEW), 1);

	/* A flush is the namespace's own. */
	KUNIT_EXPECT_EQ(test, tcphs_table_flush_net(other), 1);
	KUNIT_EXPECT_NULL(test, ft_find(other, &t, NULL));
	KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &t, NULL), a);
	KUNIT_EXPECT_EQ(test, ft_count(other), 0);
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 1);
	KUNIT_EXPECT_EQ(test, tcphs_table_flush_net(&init_net), 1);
	KUNIT_EXPECT_EQ(test, atomic_read(&tcphs_flow_count), 0);
}

/* A snapshot says what the flow knows, and nothing it does not. */
static void ft_snapshot(struct kunit *test)
{
	struct tcphs_tuple t = ft_v4(0x7f000001, 1234, 0x7f000001, 80);
	struct tcphs_seg syn = { .flags = TCPHS_SYN, .seq = 4242 };
	struct tcphs_seg fin = { .flags = TCPHS_FIN | TCPHS_ACK, .seq = 4243 };
	struct tcphs_flow_info fi;
	struct tcphs_verdict v;
	struct tcphs_flow *f;

	ft_setup(test, 64);
	f = ft_create(&init_net, &t);
	KUNIT_ASSERT_NOT_NULL(test, f);
	rcu_read_lock();
	tcphs_flow_snapshot(f, tcphs_test_flow_hash(f), &fi);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, fi.id, tcphs_flow_id(f));
	KUNIT_EXPECT_EQ(test, fi.state, TCPHS_STATE_NONE);
	KUNIT_EXPECT_FALSE(test, fi.isn_known[0] || fi.isn_known[1] || fi.has_closer);
	KUNIT_EXPECT_EQ(test, memcmp(&fi.tuple, &t, sizeof(t)), 0);

	spin_lock_bh(tcphs_test_lock(f));
	tcphs_fsm_segment(&f->fsm, &syn, TCPHS_DIR_ORIG, &v);
	tcphs_fsm_segment(&f->fsm, &fin, TCPHS_DIR_ORIG, &v);
	spin_unlock_bh(tcphs_test_lock(f));
	rcu_read_lock();
	tcphs_flow_snapshot(f, tcphs_test_flow_hash(f), &fi);
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, fi.state, TCPHS_STATE_FIN_WAIT_1);
	KUNIT_EXPECT_TRUE(test, fi.isn_known[TCPHS_DIR_ORIG]);
	KUNIT_EXPECT_EQ(test, fi.isn[TCPHS_DIR_ORIG], 4242);
	KUNIT_EXPECT_FALSE(test, fi.isn_known[TCPHS_DIR_REPLY]);
	KUNIT_EXPECT_TRUE(test, fi.has_closer);
	KUNIT_EXPECT_EQ(test, fi.closer, TCPHS_DIR_ORIG);
	KUNIT_EXPECT_EQ(test, fi.conn_state, TCPHS_CS_SH);
	KUNIT_EXPECT_EQ(test, fi.opener, TCPHS_OPENER_ORIG);
}

/* Offsets of step timestamps: exact, then rounded down by less than a unit. */
struct ft_ts_case {
	const char *name;
	u64 delta;
	u64 err;		/* delta - decode(encode(delta)) is below it */
};

#define FT_US_START	BIT_ULL(30)
#define FT_MS_START	(FT_US_START + BIT_ULL(30) * NSEC_PER_USEC)
#define FT_S_START	(FT_MS_START + BIT_ULL(30) * NSEC_PER_MSEC)

static const struct ft_ts_case ft_ts_cases[] = {
	{ "zero", 0, 1 },
	{ "one-ns", 1, 1 },
	{ "largest-in-ns", FT_US_START - 1, 1 },
	{ "first-in-us", FT_US_START, 1 },
	{ "1.5s", 1500000123ULL, NSEC_PER_USEC },
	{ "largest-in-us", FT_MS_START - 1, NSEC_PER_USEC },
	{ "first-in-ms", FT_MS_START, 1 },
	{ "one-hour", 3600ULL * NSEC_PER_SEC + 456789, NSEC_PER_MSEC },
	{ "first-in-s", FT_S_START, 1 },
	{ "13-days", 13ULL * 86400 * NSEC_PER_SEC + 999999999, NSEC_PER_SEC },
};

static void ft_ts_case_desc(const struct ft_ts_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ft_ts_cases, ft_ts_cases, ft_ts_case_desc);

static void ft_ts_encoding(struct kunit *test)
{
	const struct ft_ts_case *c = test->param_value;
	u64 got = tcphs_ts_decode(tcphs_ts_encode(c->delta));

	KUNIT_EXPECT_LE(test, got, c->delta);
	KUNIT_EXPECT_LT(test, c->delta - got, c->err);
	KUNIT_EXPECT_NE(test, tcphs_ts_encode(c->delta), TCPHS_TS_UNSET);
}

/* A later offset never reads as earlier, across each unit's boundary. */
static void ft_ts_monotonic(struct kunit *test)
{
	static const u64 starts[] = { FT_US_START, FT_MS_START, FT_S_START };
	unsigned int i;
	s64 d;

	for (i = 0; i < ARRAY_SIZE(starts); i++) {
		u64 prev = 0;

		for (d = -2000; d <= 2000; d += 7) {
			u64 got = tcphs_ts_decode(tcphs_ts_encode(starts[i] + d));

			KUNIT_EXPECT_GE_MSG(test, got, prev, "unit %u, %lld ns from its start",
					    i + 1, d);
			prev = got;
		}
	}
	/* The largest offset saturates, short of the unset mark. */
	KUNIT_EXPECT_EQ(test, tcphs_ts_encode(U64_MAX), TCPHS_TS_UNSET - 1);
	KUNIT_EXPECT_EQ(test, tcphs_ts_decode(tcphs_ts_encode(U64_MAX)),
			FT_S_START + (BIT_ULL(30) - 2) * NSEC_PER_SEC);
}

/* The first step recorded is the base; the others are offsets from it. */
static void ft_ts_steps(struct kunit *test)
{
	struct tcphs_tuple t = ft_v4(0x0a000001, 1000, 0x0a000002, 80);
	const u64 t0 = 5ULL * NSEC_PER_SEC + 17;
	struct tcphs_flow_info fi;
	struct tcphs_flow *f;

	ft_setup(test, 64);
	f = ft_create(&init_net, &t);
	KUNIT_ASSERT_NOT_NULL(test, f);
	spin_lock_bh(tcphs_test_lock(f));
	KUNIT_EXPECT_FALSE(test, tcphs_flow_has_ts(f, TCPHS_TS_SYNACK));
	tcphs_flow_set_ts(f, TCPHS_TS_SYNACK, t0);
	tcphs_flow_set_ts(f, TCPHS_TS_ESTABLISHED, t0 + 1234);
	/* Seconds later: microseconds, counted from 2^30 ns. */
	tcphs_flow_set_ts(f, TCPHS_TS_FIN1, t0 + 3 * NSEC_PER_SEC + 4567);
	/* A clock read before the base (another CPU) counts as the base. */
	tcphs_flow_set_ts(f, TCPHS_TS_FIN2, t0 - 10);
	tcphs_flow_fill_info(f, &fi);
	spin_unlock_bh(tcphs_test_lock(f));
	KUNIT_EXPECT_EQ(test, fi.ts[TCPHS_TS_SYN], 0);
	KUNIT_EXPECT_EQ(test, fi.ts[TCPHS_TS_SYNACK], t0);
	KUNIT_EXPECT_EQ(test, fi.ts[TCPHS_TS_ESTABLISHED], t0 + 1234);
	KUNIT_EXPECT_EQ(test, fi.ts[TCPHS_TS_FIN1],
			t0 + FT_US_START + (3 * NSEC_PER_SEC + 4567 - FT_US_START) / 1000 * 1000);
	KUNIT_EXPECT_EQ(test, fi.ts[TCPHS_TS_FIN2], t0);
	KUNIT_EXPECT_EQ(test, fi.ts[TCPHS_TS_END], 0);
}

/* IPv4 and IPv6 flows come from caches sized for their addresses. */
static void ft_caches(struct kunit *test)
{
	const struct tcphs_tuple tuples[] = {
		ft_v6(0xfffffffe, 7, 0xffffffff, 8),
		ft_v4(0xc0a80001, 5, 0xc0a80002, 6),
	};
	struct tcphs_flow_info fi;
	struct tcphs_flow *f;
	unsigned int i;

	ft_setup(test, 64);
	KUNIT_EXPECT_EQ(test, kmem_cache_size(tcphs_flow_caches[TCPHS_CACHE_V4]),
			offsetof(struct tcphs_flow, addr) + 8);
	KUNIT_EXPECT_EQ(test, kmem_cache_size(tcphs_flow_caches[TCPHS_CACHE_V6]),
			offsetof(struct tcphs_flow, addr) + 32);
	KUNIT_EXPECT_LE(test, ALIGN(kmem_cache_size(tcphs_flow_caches[TCPHS_CACHE_V4]),
				    sizeof(void *)),
			TCPHS_FLOW_SIZE_MAX);
	/* An owner ends each cache that has one. */
	KUNIT_EXPECT_EQ(test, kmem_cache_size(tcphs_flow_caches[TCPHS_CACHE_V4_OWNER]),
			offsetof(struct tcphs_flow, addr) + 8 + sizeof(struct tcphs_owner));
	KUNIT_EXPECT_EQ(test, kmem_cache_size(tcphs_flow_caches[TCPHS_CACHE_V6_OWNER]),
			offsetof(struct tcphs_flow, addr) + 32 + sizeof(struct tcphs_owner));
	KUNIT_EXPECT_EQ(test, kmem_cache_size(tcphs_flow_caches[TCPHS_CACHE_NAT]),
			offsetof(struct tcphs_flow, addr) +
			ALIGN(32 + sizeof(struct tcphs_xlat), 8) + sizeof(struct tcphs_owner));

	/* Each flow gives back the tuple it was made from, and is found by it. */
	for (i = 0; i < ARRAY_SIZE(tuples); i++) {
		f = ft_create(&init_net, &tuples[i]);
		KUNIT_ASSERT_NOT_NULL(test, f);
		rcu_read_lock();
		KUNIT_EXPECT_TRUE(test, tcphs_flow_snapshot(f, tcphs_test_flow_hash(f), &fi));
		rcu_read_unlock();
		KUNIT_EXPECT_EQ(test, memcmp(&fi.tuple, &tuples[i], sizeof(tuples[i])), 0);
		KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, &tuples[i], NULL), f);
	}
}

/* A reader that found a flow before it went gets nothing from it. */
static void ft_snapshot_dead(struct kunit *test)
{
	struct tcphs_tuple t = ft_v4(0x0a000001, 2000, 0x0a000002, 80);
	struct tcphs_flow_info fi;
	struct tcphs_flow *f;

	ft_setup(test, 64);
	f = ft_create(&init_net, &t);
	KUNIT_ASSERT_NOT_NULL(test, f);
	rcu_read_lock();
	tcphs_flow_unlink(f, tcphs_test_flow_hash(f));
	KUNIT_EXPECT_FALSE(test, tcphs_flow_snapshot(f, tcphs_test_flow_hash(f), &fi));
	rcu_read_unlock();
	KUNIT_EXPECT_NULL(test, ft_find(&init_net, &t, NULL));
}

/* A flow found translated is replaced by a copy with the translated tuple. */
static void ft_xlat(struct kunit *test)
{
	struct tcphs_tuple t4 = ft_v4(0x0a010002, 40000, 0x0a010001, 8080);
	struct tcphs_tuple t6 = ft_v6(1, 40000, 2, 8080);
	struct tcphs_xlat x = { .sport = htons(50000), .dport = htons(80) };
	struct tcphs_flow *f, *copy, *again;
	struct tcphs_flow_info fi;
	unsigned int dir;
	u64 id;
	int i;

	ft_setup(test, 64);
	for (i = 0; i < 2; i++) {
		struct tcphs_tuple *t = i ? &t6 : &t4;

		f = ft_create(&init_net, t);
		KUNIT_ASSERT_NOT_NULL(test, f);
		ft_set_state(f, TCPHS_STATE_SYN_RECV);
		id = tcphs_flow_id(f);
		if (i) {
			x.src.in6.s6_addr[15] = 3;
			x.dst.in6.s6_addr[15] = 4;
		} else {
			x.src.ip = htonl(0x0a020001);
			x.dst.ip = htonl(0x0a020002);
		}
		rcu_read_lock();
		spin_lock_bh(tcphs_test_lock(f));
		copy = tcphs_flow_set_xlat(f, tcphs_test_flow_hash(f), &x);
		/* Once translated, it stays the same flow. */
		again = tcphs_flow_set_xlat(copy, tcphs_test_flow_hash(copy), &x);
		spin_unlock_bh(tcphs_test_lock(copy));
		KUNIT_EXPECT_PTR_NE(test, copy, f);
		KUNIT_EXPECT_PTR_EQ(test, again, copy);
		KUNIT_EXPECT_TRUE(test, tcphs_flow_dead(f));
		KUNIT_EXPECT_TRUE(test, tcphs_flow_snapshot(copy, tcphs_test_flow_hash(copy), &fi));
		rcu_read_unlock();

		KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, t, &dir), copy);
		KUNIT_EXPECT_EQ(test, dir, TCPHS_DIR_ORIG);
		KUNIT_EXPECT_EQ(test, fi.id, id);
		KUNIT_EXPECT_EQ(test, fi.state, TCPHS_STATE_SYN_RECV);
		KUNIT_EXPECT_EQ(test, fi.tuple.family, t->family);
		KUNIT_EXPECT_TRUE(test, fi.has_xlat);
		KUNIT_EXPECT_EQ(test, memcmp(&fi.xlat, &x, sizeof(x)), 0);
		KUNIT_EXPECT_EQ(test, memcmp(&fi.tuple.src, &t->src, sizeof(t->src)), 0);
	}
	/* The copies took the places of the flows they replaced. */
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 2);
	KUNIT_EXPECT_EQ(test, tcphs_table_flush_net(&init_net), 2);
}

/*
 * Owners: a flow made owned has room from the start; one made without gets
 * a copy with room; translating an owned flow keeps its owner.
 */
static void ft_owner(struct kunit *test)
{
	struct tcphs_tuple t4 = ft_v4(0x0a010002, 40001, 0x0a010001, 8080);
	struct tcphs_tuple t6 = ft_v6(5, 40001, 6, 8080);
	struct tcphs_xlat x = { .sport = htons(50000), .dport = htons(80) };
	const struct tcphs_owner want = {
		.cgroup = 0x1122334455667788ULL, .cookie = 42, .uid = 1000, .pid = 4321,
		.comm = "curl", .known = TCPHS_OWN_SOCK | TCPHS_OWN_TASK,
		.side = TCPHS_DIR_REPLY,
	};
	struct tcphs_flow *f, *g, *h;
	struct tcphs_flow_info fi;
	int i;

	ft_setup(test, 64);
	for (i = 0; i < 2; i++) {
		struct tcphs_tuple *t = i ? &t6 : &t4;

		/* Without room: none, and the copy has an empty one. */
		f = ft_create(&init_net, t);
		KUNIT_ASSERT_NOT_NULL(test, f);
		KUNIT_EXPECT_NULL(test, tcphs_flow_owner(f));
		ft_set_state(f, TCPHS_STATE_SYN_RECV);
		rcu_read_lock();
		spin_lock_bh(tcphs_test_lock(f));
		g = tcphs_flow_make_owned(f, tcphs_test_flow_hash(f));
		KUNIT_EXPECT_PTR_NE(test, g, f);
		KUNIT_ASSERT_NOT_NULL(test, tcphs_flow_owner(g));
		KUNIT_EXPECT_EQ(test, tcphs_flow_owner(g)->known, 0);
		*tcphs_flow_owner(g) = want;
		/* Once owned, it stays the same flow. */
		KUNIT_EXPECT_PTR_EQ(test, tcphs_flow_make_owned(g, tcphs_test_flow_hash(g)), g);
		/* Translated: a copy again, the owner moved past the tuple. */
		h = tcphs_flow_set_xlat(g, tcphs_test_flow_hash(g), &x);
		KUNIT_EXPECT_PTR_NE(test, h, g);
		KUNIT_EXPECT_PTR_EQ(test, tcphs_flow_make_owned(h, tcphs_test_flow_hash(h)), h);
		spin_unlock_bh(tcphs_test_lock(h));
		KUNIT_EXPECT_TRUE(test, tcphs_flow_dead(g));
		KUNIT_EXPECT_TRUE(test, tcphs_flow_snapshot(h, tcphs_test_flow_hash(h), &fi));
		rcu_read_unlock();
		KUNIT_EXPECT_PTR_EQ(test, ft_find(&init_net, t, NULL), h);
		KUNIT_EXPECT_EQ(test, memcmp(&fi.owner, &want, sizeof(want)), 0);
		KUNIT_EXPECT_TRUE(test, fi.has_xlat);
		KUNIT_EXPECT_EQ(test, memcmp(&fi.xlat, &x, sizeof(x)), 0);
		KUNIT_EXPECT_EQ(test, memcmp(&fi.tuple, t, sizeof(*t)), 0);
		KUNIT_EXPECT_EQ(test, fi.state, TCPHS_STATE_SYN_RECV);
	}
	/* Made owned: room at once, in the same flow. */
	t4.sport = htons(40002);
	rcu_read_lock();
	f = tcphs_flow_create(&init_net, &t4, true);
	KUNIT_ASSERT_NOT_NULL(test, f);
	KUNIT_EXPECT_NOT_NULL(test, tcphs_flow_owner(f));
	spin_lock_bh(tcphs_test_lock(f));
	KUNIT_EXPECT_PTR_EQ(test, tcphs_flow_make_owned(f, tcphs_test_flow_hash(f)), f);
	spin_unlock_bh(tcphs_test_lock(f));
	KUNIT_EXPECT_TRUE(test, tcphs_flow_snapshot(f, tcphs_test_flow_hash(f), &fi));
	rcu_read_unlock();
	KUNIT_EXPECT_EQ(test, fi.owner.known, 0);
	KUNIT_EXPECT_EQ(test, memcmp(&fi.tuple, &t4, sizeof(t4)), 0);
	/* Every copy took the place of the flow it replaced. */
	KUNIT_EXPECT_EQ(test, ft_count(&init_net), 3);
	KUNIT_EXPECT_EQ(test, tcphs_table_flush_net(&init_net), 3);
}

/* The walk cursor: by id in a chain, whatever comes and goes. */
static void ft_chain_after(struct kunit *test)
{
	struct tcphs_flow *f[4], *g;
	struct tcphs_tuple t;
	unsigned int n = 0, k;

	ft_setup(test, 64);
	for (k = 0; n < ARRAY_SIZE(f); k++) {
		t = ft_v4(0x0a030000 + k, 1000, 0x0a000002, 80);
		if (bucket_of(tuple_hash(&init_net, &t)) != 5)
			continue;
		f[n] = ft_create(&init_net, &t);
		KUNIT_ASSERT_NOT_NULL(test, f[n]);
		n++;
	}
	rcu_read_lock();
	/* In the order of the ids, not of the chain (newest first). */
	g = tcphs_chain_after(tcphs_table_bucket(5), &init_net, 0);
	KUNIT_EXPECT_PTR_EQ(test, g, f[0]);
	g = tcphs_chain_after(tcphs_table_bucket(5), &init_net, tcphs_flow_id(f[1]));
	KUNIT_EXPECT_PTR_EQ(test, g, f[2]);
	/* The flow at the cursor goes: the walk goes on with the next. */
	tcphs_flow_unlink(f[2], tcphs_test_flow_hash(f[2]));
	g = tcphs_chain_after(tcphs_table_bucket(5), &init_net, tcphs_flow_id(f[1]));
	KUNIT_EXPECT_PTR_EQ(test, g, f[3]);
	g = tcphs_chain_after(tcphs_table_bucket(5), &init_net, tcphs_flow_id(f[3]));
	KUNIT_EXPECT_NULL(test, g);
	rcu_read_unlock();
}

static struct kunit_case ft_cases[] = {
	KUNIT_CASE_PARAM(ft_ts_encoding, ft_ts_cases_gen_params),
	KUNIT_CASE(ft_ts_monotonic),
	KUNIT_CASE(ft_ts_steps),
	KUNIT_CASE(ft_caches),
	KUNIT_CASE(ft_snapshot_dead),
	KUNIT_CASE(ft_both_directions),
	KUNIT_CASE(ft_one_bucket),
	KUNIT_CASE(ft_eviction),
	KUNIT_CASE(ft_eviction_neighbours),
	KUNIT_CASE(ft_eviction_own_namespace),
	KUNIT_CASE(ft_netns_limits),
	KUNIT_CASE(ft_one_sided),
	KUNIT_CASE(ft_timeouts),
	KUNIT_CASE(ft_linger_zero),
	KUNIT_CASE(ft_gc_worker_batches),
	KUNIT_CASE(ft_namespaces),
	KUNIT_CASE(ft_snapshot),
	KUNIT_CASE(ft_xlat),
	KUNIT_CASE(ft_owner),
	KUNIT_CASE(ft_chain_after),
	{}
};

static struct kunit_suite ft_suite = {
	.name = "tcphs_flow_table",
	.suite_init = ft_suite_init,
	.suite_exit = ft_suite_exit,
	.exit = ft_exit,
	.test_cases = ft_cases,
};

kunit_test_suite(ft_suite);
