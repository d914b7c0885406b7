// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_ports": the latency buckets, places taken by ports
 * (the same place every time, the rest once all are taken), outcomes in
 * their counters, and sums over the CPUs.
 */

#include <kunit/test.h>

#include "ports.c"

static void ports_buckets(struct kunit *test)
{
	static const struct {
		u64 ns;
		unsigned int bucket;
	} cases[] = {
		{ 0, 0 }, { 1, 0 }, { 1000, 0 },		/* at most 1 us */
		{ 1001, 1 }, { 2000, 1 },			/* (1 us, 2 us] */
		{ 2001, 2 }, { 4000, 2 }, { 4001, 3 },
		{ 100000, 7 },					/* 100 us: (64, 128] */
		{ 1000000, 10 },				/* 1 ms: (512, 1024] us */
		{ 1000000000, 20 },				/* 1 s */
		{ 8388608000ULL, 23 },				/* 2^23 us */
		{ 8388608001ULL, 24 }, { U64_MAX, 24 },		/* the rest */
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++)
		KUNIT_EXPECT_EQ_MSG(test, tcphs_hist_bucket(cases[i].ns), cases[i].bucket,
				    "%llu ns", cases[i].ns);
}

static struct tcphs_net *ports_tn(struct kunit *test, unsigned int n)
{
	struct tcphs_net *tn = kunit_kzalloc(test, sizeof(*tn), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, tn);
	KUNIT_ASSERT_EQ(test, tcphs_ports_net_init(tn, n), 0);
	return tn;
}

/* Every port counted once, in a place of its own until they run out. */
static void ports_places(struct kunit *test)
{
	struct tcphs_net *tn = ports_tn(test, 4);
	struct tcphs_port_counts sum;
	unsigned int i, seen = 0;
	u64 total = 0, rest = 0;
	int port;

	KUNIT_EXPECT_EQ(test, tcphs_ports_places(tn), 5);
	for (i = 0; i < 10; i++) {
		tcphs_ports_count(tn, htons(8000 + i), TCPHS_PC_NEW);
		tcphs_ports_count(tn, htons(8000 + i), TCPHS_PC_NEW);
	}
	for (i = 0; i < tcphs_ports_places(tn); i++) {
		if (!tcphs_ports_read(tn, i, &port, &sum))
			continue;
		seen++;
		total += sum.c[TCPHS_PC_NEW];
		if (port < 0)
			rest = sum.c[TCPHS_PC_NEW];
		else
			/* A port in a place of its own has both its flows there. */
			KUNIT_EXPECT_EQ_MSG(test, sum.c[TCPHS_PC_NEW], 2, "port %d", port);
	}
	KUNIT_EXPECT_EQ(test, seen, 5);
	KUNIT_EXPECT_EQ(test, total, 20);
	KUNIT_EXPECT_EQ(test, rest, 12);
	KUNIT_EXPECT_FALSE(test, tcphs_ports_read(tn, 5, &port, &sum));
	tcphs_ports_net_exit(tn);
	KUNIT_EXPECT_NULL(test, tn->ports);
	/* Nothing counted, nothing to read, nothing broken. */
	tcphs_ports_count(tn, htons(1), TCPHS_PC_NEW);
	KUNIT_EXPECT_EQ(test, tcphs_ports_places(tn), 0);
	KUNIT_EXPECT_EQ(test, tcphs_ports_net_init(tn, TCPHS_PORTS_MAX + 1), -EINVAL);
}

/* Outcomes, retransmissions and latencies, summed. */
static void ports_counters(struct kunit *test)
{
	struct tcphs_net *tn = ports_tn(test, 8);
	struct tcphs_port_counts sum;
	unsigned int i, o;
	int port = 0;

	for (o = TCPHS_OUT_NONE; o <= TCPHS_OUT_MAX; o++)
		tcphs_ports_outcome(tn, htons(443), o);
	tcphs_ports_outcome(tn, htons(443), TCPHS_OUT_REFUSED);
	tcphs_ports_count(tn, htons(443), TCPHS_PC_RTX_SYN);
	tcphs_ports_latency(tn, htons(443), TCPHS_HIST_SYN_SYNACK, 100000);
	tcphs_ports_latency(tn, htons(443), TCPHS_HIST_SYN_SYNACK, 3000);
	tcphs_ports_latency(tn, htons(443), TCPHS_HIST_SYNACK_ACK, 50);
	for (i = 0; i < tcphs_ports_places(tn); i++)
		if (tcphs_ports_read(tn, i, &port, &sum) && port == 443)
			break;
	KUNIT_ASSERT_EQ(test, port, 443);
	KUNIT_EXPECT_EQ(test, sum.c[TCPHS_PC_NEW], 0);
	KUNIT_EXPECT_EQ(test, sum.c[TCPHS_PC_COMPLETED], 1);
	KUNIT_EXPECT_EQ(test, sum.c[TCPHS_PC_REFUSED], 2);
	KUNIT_EXPECT_EQ(test, sum.c[TCPHS_PC_RESET_REPLY], 1);
	KUNIT_EXPECT_EQ(test, sum.c[TCPHS_PC_RESTARTED], 1);
	KUNIT_EXPECT_EQ(test, sum.c[TCPHS_PC_RTX_SYN], 1);
	KUNIT_EXPECT_EQ(test, sum.c[TCPHS_PC_RTX_SYNACK], 0);
	KUNIT_EXPECT_EQ(test, sum.hist[TCPHS_HIST_SYN_SYNACK][7], 1);
	KUNIT_EXPECT_EQ(test, sum.hist[TCPHS_HIST_SYN_SYNACK][2], 1);
	KUNIT_EXPECT_EQ(test, sum.hist[TCPHS_HIST_SYNACK_ACK][0], 1);
	KUNIT_EXPECT_EQ(test, sum.c[TCPHS_PC_SYN_SYNACK_SUM_NS], 103000);
	KUNIT_EXPECT_EQ(test, sum.c[TCPHS_PC_SYNACK_ACK_SUM_NS], 50);
	tcphs_ports_net_exit(tn);
}

static struct kunit_case ports_cases[] = {
	KUNIT_CASE(ports_buckets),
	KUNIT_CASE(ports_places),
	KUNIT_CASE(ports_counters),
	{}
};

static struct kunit_suite ports_suite = {
	.name = "tcphs_ports",
	.test_cases = ports_cases,
};

kunit_test_suite(ports_suite);
