// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_proc": /proc/tcphs byte for byte (the header and the
 * line of known flows, IPv4 and IPv6, unknown values, long fields), and the
 * iterator over a table shared with another namespace: every flow of the
 * reader's namespace once, in reads of any size, and none of the other's.
 */

#include <kunit/test.h>

#include "test_env.h"
#include "proc.c"

#define PROC_BUF	1024

static const char *proc_render(struct kunit *test, const struct tcphs_flow_info *fi,
			       unsigned long now)
{
	struct seq_file s = { .size = PROC_BUF };

	s.buf = kunit_kzalloc(test, PROC_BUF + 1, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s.buf);
	if (fi)
		show_flow(&s, fi, now);
	else
		show_header(&s);
	KUNIT_EXPECT_FALSE(test, seq_has_overflowed(&s));
	s.buf[s.count] = '\0';
	return s.buf;
}

static void proc_header(struct kunit *test)
{
	KUNIT_EXPECT_STREQ(test, proc_render(test, NULL, 0),
			   "id     family orig                  reply                 state       conn_state history         opener isn_orig isn_reply syn_synack_ns synack_ack_ns rtx_syn rtx_synack rtx_fin closer end ts_syn ts_synack ts_established ts_fin1 ts_fin2 ts_end timeout nat_orig nat_reply outcome stage owner uid pid comm cgroup cookie\n");
}

static void proc_line_ipv4(struct kunit *test)
{
	const unsigned long now = ULONG_MAX - 10 * HZ;
	struct tcphs_flow_info fi = {
		.tuple = { .family = AF_INET, .sport = htons(38142), .dport = htons(9) },
		.id = 3,
		.state = TCPHS_STATE_CLOSED,
		.conn_state = TCPHS_CS_REJ,
		.opener = TCPHS_OPENER_ORIG,
		.isn = { 2576880783U, 12345 },
		.isn_known = { true, false },
		.end = TCPHS_END_RST_REPLY,
		.history = "Sr",
		.expires = now + 60 * HZ,	/* across the wrap of jiffies */
		.outcome = TCPHS_OUT_REFUSED,
		.stage = TCPHS_STAGE_HANDSHAKE,
		/* A command with a space, escaped as /proc/mounts escapes. */
		.owner = { .known = TCPHS_OWN_SOCK | TCPHS_OWN_TASK, .side = TCPHS_DIR_ORIG,
			   .uid = 1000, .pid = 4242, .comm = "my curl", .cgroup = 8589934593ULL,
			   .cookie = 77 },
	};

	fi.tuple.src.ip = htonl(INADDR_LOOPBACK);
	fi.tuple.dst.ip = htonl(INADDR_LOOPBACK);
	fi.ts[TCPHS_TS_SYN] = 3569741000ULL;
	fi.ts[TCPHS_TS_END] = 3580903000ULL;
	KUNIT_EXPECT_STREQ(test, proc_render(test, &fi, now),
			   "3      ipv4   127.0.0.1:38142       127.0.0.1:9           CLOSED      REJ        Sr              orig   2576880783 - - - 0 0 0 - rst-reply 3569741000 - - - - 3580903000 60 - - refused handshake orig 1000 4242 my\\040curl 8589934593 77\n");
	/* Part of a second left: the timeout rounds up. */
	KUNIT_EXPECT_NOT_NULL(test, strstr(proc_render(test, &fi, now + 59 * HZ + 1),
					   " 3580903000 1 - - refused"));
}

static void proc_line_ipv6(struct kunit *test)
{
	struct tcphs_flow_info fi = {
		.tuple = { .family = AF_INET6, .sport = htons(57052), .dport = htons(8443),
			   .src.in6 = IN6ADDR_LOOPBACK_INIT, .dst.in6 = IN6ADDR_LOOPBACK_INIT },
		.id = 2,
		.ts = { 1000000000, 1002486560, 1003255280, 1100000000, 1200000000, 1300000000 },
		.isn = { 1516082713, 1692923069 },
		.isn_known = { true, true },
		.rtx_syn = 1,
		.rtx_synack = 2,
		.rtx_fin = 3,
		.state = TCPHS_STATE_TIME_WAIT,
		.conn_state = TCPHS_CS_SF,
		.opener = TCPHS_OPENER_ORIG,
		.closer = TCPHS_DIR_REPLY,
		.has_closer = true,
		.end = TCPHS_END_FIN,
		.history = "ShADadfF",
		.expires = 1000,		/* past: 0 */
		.outcome = TCPHS_OUT_COMPLETED,
		.stage = TCPHS_STAGE_CLOSING,
		/* A server's, its process not known yet. */
		.owner = { .known = TCPHS_OWN_SOCK | TCPHS_OWN_LISTENER, .side = TCPHS_DIR_REPLY,
			   .cgroup = 1, .cookie = 4097 },
		/* Through a DNAT and masquerade: the server's view. */
		.has_xlat = true,
		.xlat = { .sport = htons(40001), .dport = htons(80) },
	};

	fi.xlat.src.in6.s6_addr[0] = 0xfd;
	fi.xlat.src.in6.s6_addr[15] = 1;
	fi.xlat.dst.in6.s6_addr[0] = 0xfd;
	fi.xlat.dst.in6.s6_addr[15] = 2;
	KUNIT_EXPECT_STREQ(test, proc_render(test, &fi, 5000),
			   "2      ipv6   [::1]:57052           [::1]:8443            TIME_WAIT   SF         ShADadfF        orig   1516082713 1692923069 2486560 768720 1 2 3 reply fin 1000000000 1002486560 1003255280 1100000000 1200000000 1300000000 0 [fd00::1]:40001 [fd00::2]:80 completed closing reply 0 - - 1 4097\n");
}

/* Fields wider than their columns, values with no name, no history yet. */
static void proc_line_odd(struct kunit *test)
{
	struct tcphs_flow_info fi = {
		.tuple = { .family = AF_INET6, .sport = htons(65535), .dport = htons(1) },
		.id = U64_MAX,
		.ts = { 1 },
		.isn = { 0, U32_MAX },
		.isn_known = { true, true },
		.rtx_syn = U16_MAX,
		.rtx_fin = 7,
		.state = 99,
		.conn_state = 77,
		.opener = 9,
		.closer = TCPHS_DIR_ORIG,
		.has_closer = true,
		.end = 42,
		.expires = 101,
		.outcome = 99,
		.stage = 50,
	};
	static const u8 a[16] = { 0x20, 0x01, 0x0d, 0xb8, 0x12, 0x34, 0x56, 0x78,
				  0x9a, 0xbc, 0xde, 0xf0, 0x12, 0x34, 0x56, 0x78 };

	memcpy(&fi.tuple.src.in6, a, sizeof(a));
	fi.tuple.dst.in6.s6_addr[0] = 0xfe;
	fi.tuple.dst.in6.s6_addr[1] = 0x80;
	fi.tuple.dst.in6.s6_addr[15] = 1;
	KUNIT_EXPECT_STREQ(test, proc_render(test, &fi, 100),
			   "18446744073709551615 ipv6   [2001:db8:1234:5678:9abc:def0:1234:5678]:65535 [fe80::1]:1           ?           ?          -               ?      0 4294967295 - - 65535 0 7 orig ? 1 - - - - - 1 - - ? ? - - - - - -\n");
}

/* ------------------------------------------------------------ iterator -- */

static bool proc_table_up;

static int proc_suite_init(struct kunit_suite *suite)
{
	return tcphs_test_pernet_setup();
}

static void proc_suite_exit(struct kunit_suite *suite)
{
	tcphs_test_files_free();
	tcphs_test_pernet_teardown();
}

static void proc_exit(struct kunit *test)
{
	if (proc_table_up) {
		tcphs_test_flush_all();
		tcphs_table_exit();
		proc_table_up = false;
	}
	tcphs_test_fake_nets_free();
}

#define PROC_MINE	7
#define PROC_THEIRS	5

struct proc_iter_case {
	const char *name;
	unsigned int buckets;
};

static const struct proc_iter_case proc_iter_cases[] = {
	{ "one-bucket", 1 },
	{ "four-buckets", 4 },
	{ "many-buckets", 1024 },
};

static void proc_iter_desc(const struct proc_iter_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(proc_iter_cases, proc_iter_cases, proc_iter_desc);

/* What a read session shows from position @pos on, @n records at most. */
static unsigned int proc_session(struct seq_file *s, loff_t *pos, unsigned int n, u64 *ids)
{
	unsigned int got = 0;
	void *v;

	v = tcphs_seq_start(s, pos);
	if (IS_ERR(v)) {
		tcphs_seq_stop(s, v);
		return 0;
	}
	while (v && got < n) {
		ids[got++] = v == SEQ_START_TOKEN ? 0 : tcphs_flow_id(v);
		v = tcphs_seq_next(s, v, pos);
	}
	tcphs_seq_stop(s, v);
	return got;
}

static void proc_iterate(struct kunit *test)
{
	const struct proc_iter_case *c = test->param_value;
	struct tcphs_seq_iter it = {};
	struct seq_file s = { .private = &it };
	u64 mine[PROC_MINE], seen[PROC_MINE + 2];
	unsigned int i, j, n, chunk;
	struct net *other;
	loff_t pos;

	s.file = tcphs_test_file(true);
	KUNIT_ASSERT_NOT_NULL(test, s.file);
	KUNIT_ASSERT_EQ(test, tcphs_table_init(c->buckets), 0);
	proc_table_up = true;
	other = tcphs_test_fake_net(0xabcdef, 0xf0000042);
	KUNIT_ASSERT_NOT_NULL(test, other);
	for (i = 0, j = 0; i < PROC_MINE + PROC_THEIRS; i++) {
		struct tcphs_tuple t = { .family = AF_INET, .sport = htons(1000 + i),
					 .dport = htons(80) };
		bool is_mine = i % 2 == 0 || i >= 2 * PROC_THEIRS;
		struct tcphs_flow *f;

		rcu_read_lock();
		f = tcphs_flow_create(is_mine ? &init_net : other, &t, false);
		rcu_read_unlock();
		KUNIT_ASSERT_NOT_NULL(test, f);
		if (is_mine)
			mine[j++] = tcphs_flow_id(f);
	}
	KUNIT_ASSERT_EQ(test, j, PROC_MINE);
	it.p.net = &init_net;

	/* Whole reads, and reads of one, two, three records per session. */
	for (chunk = PROC_MINE + 2; chunk; chunk = chunk > 3 ? 3 : chunk - 1) {
		pos = 0;
		n = 0;
		while (n < ARRAY_SIZE(seen)) {
			loff_t at = pos;
			unsigned int got;

			got = proc_session(&s, &pos, min_t(unsigned int, chunk,
							   ARRAY_SIZE(seen) - n), seen + n);
			if (!got)
				break;
			n += got;
			/* seq_read starts the next session where this one stopped. */
			KUNIT_EXPECT_EQ(test, pos, at + got);
		}
		KUNIT_EXPECT_EQ_MSG(test, n, PROC_MINE + 1, "chunk %u", chunk);
		KUNIT_EXPECT_EQ(test, seen[0], 0);	/* the header */
		for (i = 0; i < PROC_MINE; i++) {
			unsigned int times = 0;

			for (j = 1; j < n; j++)
				times += seen[j] == mine[i];
			KUNIT_EXPECT_EQ_MSG(test, times, 1, "flow %llu, chunk %u", mine[i], chunk);
		}
	}

	/* A read that starts anywhere shows the same record there. */
	pos = 0;
	KUNIT_ASSERT_EQ(test, proc_session(&s, &pos, PROC_MINE + 1, seen), PROC_MINE + 1);
	for (i = PROC_MINE; i > 0; i--) {
		u64 id;

		pos = i;
		KUNIT_EXPECT_EQ(test, proc_session(&s, &pos, 1, &id), 1);
		KUNIT_EXPECT_EQ_MSG(test, id, seen[i], "position %u", i);
		pos = i;
		KUNIT_EXPECT_EQ(test, proc_session(&s, &pos, 1, &id), 1);
		KUNIT_EXPECT_EQ_MSG(test, id, seen[i], "position %u again", i);
	}
	pos = PROC_MINE + 1;
	KUNIT_EXPECT_EQ(test, proc_session(&s, &pos, 1, seen), 0);

	/* The other namespace sees its own. */
	it.p.net = other;
	pos = 0;
	KUNIT_EXPECT_EQ(test, proc_session(&s, &pos, ARRAY_SIZE(seen), seen), PROC_THEIRS + 1);

	/* Opened without CAP_NET_ADMIN, the file shows nothing: EPERM. */
	s.file = tcphs_test_file(false);
	KUNIT_ASSERT_NOT_NULL(test, s.file);
	for (i = 0; i < 2; i++) {
		void *v;

		pos = i;
		v = tcphs_seq_start(&s, &pos);
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(v), -EPERM);
		tcphs_seq_stop(&s, v);
	}
}

static struct kunit_case proc_cases[] = {
	KUNIT_CASE(proc_header),
	KUNIT_CASE(proc_line_ipv4),
	KUNIT_CASE(proc_line_ipv6),
	KUNIT_CASE(proc_line_odd),
	KUNIT_CASE_PARAM(proc_iterate, proc_iter_cases_gen_params),
	{}
};

static struct kunit_suite proc_suite = {
	.name = "tcphs_proc",
	.suite_init = proc_suite_init,
	.suite_exit = proc_suite_exit,
	.exit = proc_exit,
	.test_cases = proc_cases,
};

kunit_test_suite(proc_suite);
