// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_ring": the event log. Sequence numbers without gaps,
 * wraparound (only the newest entries stay), the count of events
 * overwritten unread, a slow reader skipping what was overwritten under it,
 * the line of a known event byte for byte, and writers on every CPU at once
 * never tearing an entry.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/kthread.h>

#include "ring.c"
#include "test_env.h"

static struct net *ring_net;

static int ring_init(struct kunit *test)
{
	ring_net = tcphs_test_fake_net(0x5eed, 4026531999U);
	KUNIT_ASSERT_NOT_NULL(test, ring_net);
	tcphs_test_reset_net(ring_net);
	return 0;
}

static void ring_exit(struct kunit *test)
{
	struct tcphs_net *tn = tcphs_pernet(ring_net);

	kvfree(tn->ring);
	tn->ring = NULL;
	tcphs_test_fake_nets_free();
}

static int ring_suite_init(struct kunit_suite *suite)
{
	return tcphs_test_pernet_setup();
}

static void ring_suite_exit(struct kunit_suite *suite)
{
	tcphs_test_files_free();
	tcphs_test_pernet_teardown();
}

/* A ring of @size entries for the fake namespace, without its proc file. */
static struct tcphs_ring *ring_make(struct kunit *test, unsigned int size)
{
	struct tcphs_net *tn = tcphs_pernet(ring_net);
	struct tcphs_ring *r;

	r = kvzalloc(struct_size(r, e, size), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, r);
	spin_lock_init(&r->lock);
	r->size = size;
	kvfree(tn->ring);
	tn->ring = r;
	atomic64_set(&tn->event_seq, 0);
	return r;
}

static void ring_info(struct tcphs_flow_info *fi, u64 id)
{
	memset(fi, 0, sizeof(*fi));
	fi->id = id;
	fi->tuple.family = AF_INET;
	fi->tuple.src.ip = htonl(0x0a000001);
	fi->tuple.dst.ip = htonl(0x0a000002);
	fi->tuple.sport = htons(40000);
	fi->tuple.dport = htons(80);
}

static u64 ring_add(u64 id)
{
	struct tcphs_step step = {
		.old_state = TCPHS_STATE_NONE,
		.new_state = TCPHS_STATE_SYN_SENT,
		.event = TCPHS_EV_SYN,
	};
	struct tcphs_seg seg = { .seq = 1000, .flags = TCPHS_SYN };
	struct tcphs_flow_info fi;

	ring_info(&fi, id);
	return tcphs_ring_record(tcphs_pernet(ring_net), &fi, &step, TCPHS_DIR_ORIG, &seg,
				 id * 1000);
}

/* A seq_file reading the fake namespace's log into a buffer. */
struct ring_reader {
	struct seq_file sf;
	struct tcphs_ring_iter it;
	char buf[8192];
};

static void reader_init(struct ring_reader *rd)
{
	memset(rd, 0, sizeof(*rd));
	rd->sf.buf = rd->buf;
	rd->sf.size = sizeof(rd->buf);
	rd->sf.private = &rd->it;
	rd->sf.file = tcphs_test_file(true);
	rd->it.p.net = ring_net;
}

/* Read the whole log the way seq_read() walks it; returns the lines. */
static unsigned int reader_read(struct ring_reader *rd, u64 *first, u64 *last)
{
	loff_t pos = 0;
	unsigned int n = 0;
	void *v;

	rd->sf.count = 0;
	for (v = tcphs_ring_seq_start(&rd->sf, &pos); v;
	     v = tcphs_ring_seq_next(&rd->sf, v, &pos)) {
		if (v != SEQ_START_TOKEN) {
			const struct tcphs_ring_entry *e = v;

			if (!n)
				*first = e->seq;
			*last = e->seq;
			n++;
		}
		tcphs_ring_seq_show(&rd->sf, v);
	}
	tcphs_ring_seq_stop(&rd->sf, NULL);
	return n;
}

static void ring_numbers_without_gaps(struct kunit *test)
{
	unsigned int i;

	ring_make(test, 16);
	for (i = 1; i <= 5; i++)
		KUNIT_EXPECT_EQ(test, ring_add(i), (u64)i);
}

static const char ring_header_12[] =
	"# 12 events overwritten unread since the last read\n13 ";

static void ring_wraps(struct kunit *test)
{
	struct ring_reader *rd = kunit_kzalloc(test, sizeof(*rd), GFP_KERNEL);
	u64 first = 0, last = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, rd);
	ring_make(test, 8);
	for (i = 1; i <= 20; i++)
		ring_add(i);
	reader_init(rd);
	KUNIT_EXPECT_EQ(test, reader_read(rd, &first, &last), 8U);
	KUNIT_EXPECT_EQ(test, first, 13ULL);
	KUNIT_EXPECT_EQ(test, last, 20ULL);
	/* 1..12 went before anyone read them. */
	KUNIT_EXPECT_EQ(test, rd->it.lost, 12ULL);
	KUNIT_EXPECT_TRUE(test, str_has_prefix(rd->buf, ring_header_12));
}

static void ring_counts_overwritten_since_last_read(struct kunit *test)
{
	struct ring_reader *rd = kunit_kzalloc(test, sizeof(*rd), GFP_KERNEL);
	u64 first = 0, last = 0;
	unsigned int i;

	KUNIT_ASSERT_NOT_NULL(test, rd);
	ring_make(test, 8);
	for (i = 1; i <= 6; i++)
		ring_add(i);
	reader_init(rd);
	KUNIT_EXPECT_EQ(test, reader_read(rd, &first, &last), 6U);
	KUNIT_EXPECT_EQ(test, rd->it.lost, 0ULL);

	/* 7..30: the ring keeps 23..30; 7..22 were never shown. */
	for (i = 7; i <= 30; i++)
		ring_add(i);
	reader_init(rd);
	KUNIT_EXPECT_EQ(test, reader_read(rd, &first, &last), 8U);
	KUNIT_EXPECT_EQ(test, first, 23ULL);
	KUNIT_EXPECT_EQ(test, rd->it.lost, 16ULL);

	/* Nothing new: nothing lost, the same entries again. */
	reader_init(rd);
	KUNIT_EXPECT_EQ(test, reader_read(rd, &first, &last), 8U);
	KUNIT_EXPECT_EQ(test, rd->it.lost, 0ULL);
}

static void ring_slow_reader_skips(struct kunit *test)
{
	struct ring_reader *rd = kunit_kzalloc(test, sizeof(*rd), GFP_KERNEL);
	loff_t pos = 0;
	unsigned int i;
	void *v;

	KUNIT_ASSERT_NOT_NULL(test, rd);
	ring_make(test, 4);
	for (i = 1; i <= 4; i++)
		ring_add(i);
	reader_init(rd);
	v = tcphs_ring_seq_start(&rd->sf, &pos);
	KUNIT_ASSERT_TRUE(test, v == SEQ_START_TOKEN);
	v = tcphs_ring_seq_next(&rd->sf, v, &pos);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_EXPECT_EQ(test, ((struct tcphs_ring_entry *)v)->seq, 1ULL);
	tcphs_ring_seq_stop(&rd->sf, v);

	/*
	 * Writers overwrite 1..3 while the reader is between two reads; the
	 * read goes on at the oldest entry still there (4) and still ends at
	 * the newest entry of when it began (4).
	 */
	for (i = 5; i <= 7; i++)
		ring_add(i);
	KUNIT_EXPECT_EQ(test, pos, (loff_t)1);
	v = tcphs_ring_seq_start(&rd->sf, &pos);
	KUNIT_ASSERT_NOT_NULL(test, v);
	KUNIT_EXPECT_EQ(test, ((struct tcphs_ring_entry *)v)->seq, 4ULL);
	KUNIT_EXPECT_EQ(test, rd->it.skipped, 3ULL);
	KUNIT_EXPECT_NULL(test, tcphs_ring_seq_next(&rd->sf, v, &pos));
	tcphs_ring_seq_stop(&rd->sf, NULL);
}

/* Opened without CAP_NET_ADMIN, the log shows nothing, at any position. */
static void ring_needs_net_admin(struct kunit *test)
{
	struct ring_reader *rd = kunit_kzalloc(test, sizeof(*rd), GFP_KERNEL);
	loff_t pos;
	void *v;

	KUNIT_ASSERT_NOT_NULL(test, rd);
	ring_make(test, 4);
	ring_add(1);
	reader_init(rd);
	KUNIT_ASSERT_NOT_NULL(test, rd->sf.file);
	rd->sf.file = tcphs_test_file(false);
	KUNIT_ASSERT_NOT_NULL(test, rd->sf.file);
	for (pos = 0; pos < 2; pos++) {
		loff_t at = pos;

		v = tcphs_ring_seq_start(&rd->sf, &at);
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(v), -EPERM);
		tcphs_ring_seq_stop(&rd->sf, v);
	}
}

/* The header, then the line the reader prints, led by the event's number. */
static const char * const ring_want_line[] = {
	"# 0 events overwritten unread since the last read\n",
	"1 3.000120 flow=7 10.0.0.2:80 > 10.0.0.1:40000",
	" reply SYN_ACK SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1",
	" syn-synack=0.120ms\n",
};

static void ring_line(struct kunit *test)
{
	struct ring_reader *rd = kunit_kzalloc(test, sizeof(*rd), GFP_KERNEL);
	struct tcphs_step step = {
		.old_state = TCPHS_STATE_SYN_SENT,
		.new_state = TCPHS_STATE_SYN_RECV,
		.event = TCPHS_EV_SYN_ACK,
	};
	struct tcphs_seg seg = { .seq = 5000, .ack = 1001, .flags = TCPHS_SYN | TCPHS_ACK };
	struct tcphs_flow_info fi;
	u64 first = 0, last = 0;
	unsigned int i;
	char *want;

	KUNIT_ASSERT_NOT_NULL(test, rd);
	ring_make(test, 4);
	ring_info(&fi, 7);
	fi.isn[TCPHS_DIR_ORIG] = 1000;
	fi.isn[TCPHS_DIR_REPLY] = 5000;
	fi.isn_known[TCPHS_DIR_ORIG] = true;
	fi.isn_known[TCPHS_DIR_REPLY] = true;
	fi.ts[TCPHS_TS_SYN] = 3000000000ULL;
	fi.ts[TCPHS_TS_SYNACK] = 3000120045ULL;
	tcphs_ring_record(tcphs_pernet(ring_net), &fi, &step, TCPHS_DIR_REPLY, &seg,
			  3000120045ULL);
	reader_init(rd);
	KUNIT_EXPECT_EQ(test, reader_read(rd, &first, &last), 1U);
	rd->buf[rd->sf.count] = '\0';
	want = kunit_kzalloc(test, 512, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, want);
	for (i = 0; i < ARRAY_SIZE(ring_want_line); i++)
		strlcat(want, ring_want_line[i], 512);
	KUNIT_EXPECT_STREQ(test, rd->buf, want);
}

#define RING_WRITERS	4
#define RING_PER_WRITER	20000

struct ring_writer {
	struct completion done;
	u64 id;
};

static int ring_writer_fn(void *data)
{
	struct ring_writer *w = data;
	unsigned int i;

	for (i = 0; i < RING_PER_WRITER; i++) {
		ring_add(w->id);
		if (!(i % 1024))
			cond_resched();
	}
	complete(&w->done);
	return 0;
}

static void ring_concurrent_writers(struct kunit *test)
{
	struct ring_writer w[RING_WRITERS];
	struct tcphs_ring *r = ring_make(test, 64);
	u64 total = RING_WRITERS * RING_PER_WRITER, seen = 0;
	unsigned int i;

	for (i = 0; i < RING_WRITERS; i++) {
		struct task_struct *t;

		init_completion(&w[i].done);
		w[i].id = i + 1;
		t = kthread_run(ring_writer_fn, &w[i], "tcphs-ring-%u", i);
		KUNIT_ASSERT_FALSE(test, IS_ERR(t));
	}
	for (i = 0; i < RING_WRITERS; i++)
		wait_for_completion(&w[i].done);

	KUNIT_EXPECT_EQ(test, (u64)atomic64_read(&tcphs_pernet(ring_net)->event_seq), total);
	/* The ring holds the newest 64, each once, each entry whole. */
	for (i = 0; i < r->size; i++) {
		const struct tcphs_ring_entry *e = &r->e[i];

		KUNIT_EXPECT_GT(test, e->seq, total - r->size);
		KUNIT_EXPECT_LE(test, e->seq, total);
		KUNIT_EXPECT_PTR_EQ(test, (const void *)slot(r, e->seq), (const void *)e);
		KUNIT_EXPECT_EQ(test, e->ts, e->flow_id * 1000);
		seen |= BIT_ULL(e->seq - (total - r->size) - 1);
	}
	KUNIT_EXPECT_EQ(test, seen, ~0ULL);
}

static struct kunit_case ring_cases[] = {
	KUNIT_CASE(ring_numbers_without_gaps),
	KUNIT_CASE(ring_wraps),
	KUNIT_CASE(ring_counts_overwritten_since_last_read),
	KUNIT_CASE(ring_slow_reader_skips),
	KUNIT_CASE(ring_line),
	KUNIT_CASE(ring_needs_net_admin),
	KUNIT_CASE(ring_concurrent_writers),
	{}
};

static struct kunit_suite ring_suite = {
	.name = "tcphs_ring",
	.suite_init = ring_suite_init,
	.suite_exit = ring_suite_exit,
	.init = ring_init,
	.exit = ring_exit,
	.test_cases = ring_cases,
};

kunit_test_suite(ring_suite);
