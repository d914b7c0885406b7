// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_limits": a namespace's share of the table, the
 * net.tcphs sysctls, and the rate of INVALID events.
 */

#include <kunit/test.h>

#include "test_env.h"

#include "limits.c"

static void limits_exit(struct kunit *test)
{
	tcphs_netns_max_flows = 0;
	tcphs_netns_flows_total = 0;
	tcphs_invalid_events = 100;
	tcphs_test_fake_nets_free();
	tcphs_test_reset_tunables();
}

struct limits_case {
	const char *name;
	unsigned int max_flows;		/* the module's */
	unsigned int netns_max;		/* netns_max_flows */
	unsigned int total;		/* netns_flows_total */
	unsigned int own;		/* the namespace's sysctl, 0 unset */
	bool initial;			/* init_net, else another */
	unsigned int want_net;
	unsigned int want_guests;
};

static const struct limits_case limits_cases[] = {
	{ "initial, default", 65536, 0, 0, 0, true, 65536, 32768 },
	{ "other, default", 65536, 0, 0, 0, false, 16384, 32768 },
	{ "other, small table", 3, 0, 0, 0, false, 1, 2 },
	{ "other, netns_max_flows", 1000, 10, 0, 0, false, 10, 500 },
	{ "other, netns_max_flows past max", 1000, 5000, 0, 0, false, 1000, 500 },
	{ "other, own sysctl", 1000, 10, 0, 7, false, 7, 500 },
	{ "initial, own sysctl", 1000, 0, 0, 300, true, 300, 500 },
	{ "own sysctl past max", 1000, 0, 0, 4000, false, 1000, 500 },
	{ "netns_flows_total", 1000, 0, 900, 0, false, 250, 900 },
	{ "netns_flows_total past max", 1000, 0, 9000, 0, false, 250, 1000 },
};

static void limits_case_desc(const struct limits_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(limits_cases, limits_cases, limits_case_desc);

static void limits_max_flows(struct kunit *test)
{
	const struct limits_case *c = test->param_value;
	struct tcphs_net *tn;
	struct net *net;

	net = c->initial ? &init_net : tcphs_test_fake_net(0x77, 0xf0000077);
	KUNIT_ASSERT_NOT_NULL(test, net);
	tn = tcphs_pernet(net);
	tcphs_max_flows = c->max_flows;
	tcphs_netns_max_flows = c->netns_max;
	tcphs_netns_flows_total = c->total;
	tn->max_flows = c->own;
	KUNIT_EXPECT_EQ(test, tcphs_net_max_flows(tn), c->want_net);
	KUNIT_EXPECT_EQ(test, tcphs_guests_max_flows(), c->want_guests);
	tn->max_flows = 0;
}

/* The sysctl handlers, called as a write(2) or read(2) would. */
static int limits_sysctl(struct tcphs_net *tn, unsigned int i, int write, char *buf,
			 size_t len)
{
	struct ctl_table table = tcphs_sysctl_template[i];
	loff_t pos = 0;

	table.extra1 = tn;
	return table.proc_handler(&table, write, buf, &len, &pos);
}

static void limits_sysctls(struct kunit *test)
{
	struct net *net = tcphs_test_fake_net(0x78, 0xf0000078);
	struct tcphs_net *tn;
	char buf[32];

	KUNIT_ASSERT_NOT_NULL(test, net);
	tn = tcphs_pernet(net);
	tcphs_max_flows = 1000;

	/* Reading says the limit in force. */
	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, limits_sysctl(tn, 0, 0, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, "250\n");

	/* The suite runs as the host's root: it may raise the limit. */
	strscpy(buf, "600\n", sizeof(buf));
	KUNIT_EXPECT_EQ(test, limits_sysctl(tn, 0, 1, buf, strlen(buf)), 0);
	KUNIT_EXPECT_EQ(test, tn->max_flows, 600);
	KUNIT_EXPECT_EQ(test, tcphs_net_max_flows(tn), 600);

	/* Nothing else changes it. */
	strscpy(buf, "0\n", sizeof(buf));
	KUNIT_EXPECT_EQ(test, limits_sysctl(tn, 0, 1, buf, strlen(buf)), -EINVAL);
	strscpy(buf, "16777217\n", sizeof(buf));
	KUNIT_EXPECT_EQ(test, limits_sysctl(tn, 0, 1, buf, strlen(buf)), -EINVAL);
	strscpy(buf, "many\n", sizeof(buf));
	KUNIT_EXPECT_EQ(test, limits_sysctl(tn, 0, 1, buf, strlen(buf)), -EINVAL);
	strscpy(buf, "-5\n", sizeof(buf));
	KUNIT_EXPECT_NE(test, limits_sysctl(tn, 0, 1, buf, strlen(buf)), 0);
	KUNIT_EXPECT_EQ(test, tn->max_flows, 600);

	/* count is the namespace's flows, and read-only. */
	atomic_set(&tn->count, 42);
	memset(buf, 0, sizeof(buf));
	KUNIT_EXPECT_EQ(test, limits_sysctl(tn, 1, 0, buf, sizeof(buf)), 0);
	KUNIT_EXPECT_STREQ(test, buf, "42\n");
	strscpy(buf, "1\n", sizeof(buf));
	KUNIT_EXPECT_EQ(test, limits_sysctl(tn, 1, 1, buf, strlen(buf)), -EPERM);
	atomic_set(&tn->count, 0);
}

/* invalid_events a second, then none until the next second begins. */
static void limits_invalid_rate(struct kunit *test)
{
	struct net *net = tcphs_test_fake_net(0x79, 0xf0000079);
	unsigned long now = ULONG_MAX - HZ / 2;	/* a second across the wrap */
	struct tcphs_net *tn;
	unsigned int i, allowed;

	KUNIT_ASSERT_NOT_NULL(test, net);
	tn = tcphs_pernet(net);
	tn->inval_start = now - 2 * HZ;
	tcphs_invalid_events = 5;

	for (i = 0, allowed = 0; i < 50; i++)
		allowed += tcphs_invalid_event_allowed(tn, now + i % (HZ / 2));
	KUNIT_EXPECT_EQ(test, allowed, 5);

	/* A second later, five more. */
	for (i = 0, allowed = 0; i < 50; i++)
		allowed += tcphs_invalid_event_allowed(tn, now + HZ);
	KUNIT_EXPECT_EQ(test, allowed, 5);

	/* Zero: every INVALID segment is counted, none is an event. */
	tcphs_invalid_events = 0;
	for (i = 0, allowed = 0; i < 10; i++)
		allowed += tcphs_invalid_event_allowed(tn, now + 5 * HZ + i * HZ);
	KUNIT_EXPECT_EQ(test, allowed, 0);
}

static struct kunit_case limits_test_cases[] = {
	KUNIT_CASE_PARAM(limits_max_flows, limits_cases_gen_params),
	KUNIT_CASE(limits_sysctls),
	KUNIT_CASE(limits_invalid_rate),
	{}
};

static int limits_suite_init(struct kunit_suite *suite)
{
	return tcphs_test_pernet_setup();
}

static void limits_suite_exit(struct kunit_suite *suite)
{
	tcphs_test_pernet_teardown();
}

static struct kunit_suite limits_suite = {
	.name		= "tcphs_limits",
	.suite_init	= limits_suite_init,
	.suite_exit	= limits_suite_exit,
	.exit		= limits_exit,
	.test_cases	= limits_test_cases,
};

kunit_test_suite(limits_suite);
