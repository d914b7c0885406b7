// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_history": the Zeek-style history letters, as the
 * hook records them (each segment through the state machine, then into the
 * history): the letters and their case per direction, which letters repeat
 * (s, h, f and r, only when their sequence number changes), t, w and i, and
 * the bound of 15 letters.
 */

#include <kunit/test.h>

#include "history.c"

struct hist_seg {
	u8 valid;		/* 0 ends the list */
	u8 dir;
	u8 flags;
	u16 len;
	u16 window;
	s32 seq;		/* from the sender's ISN */
	s32 ack;		/* from the receiver's ISN */
};

struct hist_case {
	const char *name;
	const char *want;
	bool opened;		/* starts with hist_open */
	struct hist_seg seg[16];
};

#define H_S	TCPHS_SYN
#define H_SA	(TCPHS_SYN | TCPHS_ACK)
#define H_A	TCPHS_ACK
#define H_PA	(TCPHS_PSH | TCPHS_ACK)
#define H_FA	(TCPHS_FIN | TCPHS_ACK)
#define H_R	TCPHS_RST
#define H_RA	(TCPHS_RST | TCPHS_ACK)

/* A segment with an open window, and one with the window given. */
#define HS(d, fl, s, a, l)						\
	{ .valid = 1, .dir = TCPHS_DIR_##d, .flags = (fl), .seq = (s), .ack = (a),	\
	  .len = (l), .window = 1000 }
#define HSW(d, fl, s, a, l, w)						\
	{ .valid = 1, .dir = TCPHS_DIR_##d, .flags = (fl), .seq = (s), .ack = (a),	\
	  .len = (l), .window = (w) }

/* The textbook open, which the cases marked "opened" start with. */
static const struct hist_seg hist_open[] = {
	HS(ORIG, H_S, 0, 0, 0),
	HS(REPLY, H_SA, 0, 1, 0),
	HS(ORIG, H_A, 1, 1, 0),
};

static const struct hist_case hist_cases[] = {
	{ "close-orig-first", "ShADadFf", true, {
		HS(ORIG, H_PA, 1, 1, 16),
		HS(REPLY, H_A, 1, 17, 0),
		HS(REPLY, H_PA, 1, 17, 16),
		HS(ORIG, H_A, 17, 17, 0),
		HS(ORIG, H_FA, 17, 17, 0),
		HS(REPLY, H_A, 17, 18, 0),
		HS(REPLY, H_FA, 17, 18, 0),
		HS(ORIG, H_A, 18, 18, 0),
	} },
	{ "close-reply-first", "ShADadfF", true, {
		HS(ORIG, H_PA, 1, 1, 16),
		HS(REPLY, H_A, 1, 17, 0),
		HS(REPLY, H_PA, 1, 17, 16),
		HS(REPLY, H_FA, 17, 17, 0),
		HS(ORIG, H_A, 17, 18, 0),
		HS(ORIG, H_FA, 17, 18, 0),
		HS(REPLY, H_A, 18, 18, 0),
	} },
	{ "refused", "Sr", false, {
		HS(ORIG, H_S, 0, 0, 0),
		HS(REPLY, H_RA, 0, 1, 0),
	} },
	{ "syn-again-same-seq", "ST", false, {
		HS(ORIG, H_S, 0, 0, 0),
		HS(ORIG, H_S, 0, 0, 0),
		HS(ORIG, H_S, 0, 0, 0),
	} },
	{ "syn-again-new-seq", "SSTS", false, {
		HS(ORIG, H_S, 0, 0, 0),
		HS(ORIG, H_S, 5000, 0, 0),
		HS(ORIG, H_S, 5000, 0, 0),
		HS(ORIG, H_S, 6000, 0, 0),
	} },
	{ "synack-again-same-seq", "Sht", false, {
		HS(ORIG, H_S, 0, 0, 0),
		HS(REPLY, H_SA, 0, 1, 0),
		HS(REPLY, H_SA, 0, 1, 0),
	} },
	{ "synack-again-new-seq", "Shh", false, {
		HS(ORIG, H_S, 0, 0, 0),
		HS(REPLY, H_SA, 0, 1, 0),
		HS(REPLY, H_SA, 77, 1, 0),
		HS(REPLY, H_SA, 77, 1, 0),
	} },
	{ "fin-again-same-seq", "ShAFT", true, {
		HS(ORIG, H_FA, 1, 1, 0),
		HS(ORIG, H_FA, 1, 1, 0),
		HS(ORIG, H_FA, 1, 1, 0),
	} },
	{ "fin-again-new-seq", "ShAFDFT", true, {
		HS(ORIG, H_FA, 1, 1, 0),
		/* Not what a TCP does, but what the letters must show. */
		HS(ORIG, H_FA | TCPHS_PSH, 2, 1, 10),
	} },
	{ "rst-again", "ShArRr", true, {
		HS(REPLY, H_R, 1, 0, 0),
		HS(REPLY, H_R, 1, 0, 0),
		HS(ORIG, H_R, 1, 0, 0),
		HS(REPLY, H_R, 9, 0, 0),
		HS(REPLY, H_R, 9, 0, 0),
	} },
	/*
	 * One mark per side for h, f and r: with an r between, a SYN-ACK is
	 * recorded again unless the state machine calls it a retransmission.
	 */
	{ "synack-retrans-after-rst", "Shrt", false, {
		HS(ORIG, H_S, 0, 0, 0),
		HS(REPLY, H_SA, 0, 1, 0),
		HS(REPLY, H_R, 1, 0, 0),
		HS(REPLY, H_SA, 0, 1, 0),
	} },
	{ "synack-new-isn-after-rst", "Shrh", false, {
		HS(ORIG, H_S, 0, 0, 0),
		HS(REPLY, H_SA, 0, 1, 0),
		HS(REPLY, H_R, 1, 0, 0),
		HS(REPLY, H_SA, 500, 1, 0),
	} },
	{ "data-again", "ShADT", true, {
		HS(ORIG, H_PA, 1, 1, 100),
		HS(ORIG, H_PA, 1, 1, 100),
		HS(ORIG, H_PA, 51, 1, 50),
	} },
	{ "zero-window", "ShAWawD", true, {
		HSW(ORIG, H_A, 1, 1, 0, 0),
		HSW(REPLY, H_A, 1, 1, 0, 0),
		HSW(ORIG, H_PA, 1, 1, 5, 0),
	} },
	{ "zero-window-syn-is-not-w", "Sh", false, {
		HSW(ORIG, H_S, 0, 0, 0, 0),
		HSW(REPLY, H_SA, 0, 1, 0, 0),
	} },
	{ "impossible-flags", "ShAIi", true, {
		HS(ORIG, TCPHS_SYN | TCPHS_FIN, 1, 1, 0),
		HS(REPLY, TCPHS_SYN | TCPHS_RST, 1, 1, 0),
		HS(ORIG, 0, 1, 1, 0),
	} },
	{ "tfo-syn-with-data", "SDhA", false, {
		HS(ORIG, H_S, 0, 0, 20),
		HS(REPLY, H_SA, 0, 21, 0),
		HS(ORIG, H_A, 21, 1, 0),
	} },
	{ "fin-with-data", "ShADFaf", true, {
		HS(ORIG, H_FA | TCPHS_PSH, 1, 1, 30),
		HS(REPLY, H_A, 1, 32, 0),
		HS(REPLY, H_FA, 1, 32, 0),
	} },
	{ "simultaneous-open", "SsHh", false, {
		HS(ORIG, H_S, 0, 0, 0),
		HS(REPLY, H_S, 0, 0, 0),
		HS(ORIG, H_SA, 0, 1, 0),
		HS(REPLY, H_SA, 0, 1, 0),
	} },
};

static void hist_case_desc(const struct hist_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(hist_cases, hist_cases, hist_case_desc);

/* What the hook does with one segment: the state machine, then the letters. */
static void hist_feed(struct tcphs_fsm *f, struct tcphs_history *h, const struct hist_seg *c,
		      u32 x, u32 y)
{
	bool orig = c->dir == TCPHS_DIR_ORIG;
	struct tcphs_seg seg = {
		.seq = (orig ? x : y) + c->seq,
		.ack = (orig ? y : x) + c->ack,
		.len = c->len,
		.window = c->window,
		.flags = c->flags,
	};
	struct tcphs_verdict v;

	tcphs_fsm_segment(f, &seg, c->dir, &v);
	tcphs_history_update(h, &seg, c->dir, &v);
}

static void history_letters(struct kunit *test)
{
	const struct hist_case *c = test->param_value;
	static const u32 isns[][2] = { { 1000, 900000 }, { 0xfffffff0, 0xffffffff } };
	unsigned int i, k;

	for (k = 0; k < ARRAY_SIZE(isns); k++) {
		char str[TCPHS_HISTORY_LEN];
		struct tcphs_history h;
		struct tcphs_fsm f;

		tcphs_fsm_init(&f);
		tcphs_history_init(&h);
		for (i = 0; c->opened && i < ARRAY_SIZE(hist_open); i++)
			hist_feed(&f, &h, &hist_open[i], isns[k][0], isns[k][1]);
		for (i = 0; i < ARRAY_SIZE(c->seg) && c->seg[i].valid; i++)
			hist_feed(&f, &h, &c->seg[i], isns[k][0], isns[k][1]);
		tcphs_history_str(&h, str);
		KUNIT_EXPECT_STREQ_MSG(test, str, c->want, "x=%u y=%u", isns[k][0], isns[k][1]);
	}
}

/* Letters past the fifteenth are dropped; the string stays terminated. */
static void history_bounded(struct kunit *test)
{
	char str[TCPHS_HISTORY_LEN];
	struct tcphs_history h;
	struct tcphs_fsm f;
	unsigned int i;

	tcphs_fsm_init(&f);
	tcphs_history_init(&h);
	for (i = 0; i < 40; i++) {
		struct hist_seg c = HS(ORIG, H_R, 0, 0, 0);

		c.dir = i & 1 ? TCPHS_DIR_REPLY : TCPHS_DIR_ORIG;
		c.seq = i;
		hist_feed(&f, &h, &c, 1000, 2000);
		tcphs_history_str(&h, str);
		KUNIT_ASSERT_LE(test, strnlen(str, sizeof(str)), TCPHS_HISTORY_LEN - 1);
	}
	KUNIT_EXPECT_STREQ(test, str, "RrRrRrRrRrRrRrR");
	KUNIT_EXPECT_EQ(test, str[TCPHS_HISTORY_LEN - 1], '\0');
	KUNIT_EXPECT_EQ(test, strlen(tcphs_history_letters), 10);
}

/* Every letter, of either side, at every place of the packed history. */
static void history_packing(struct kunit *test)
{
	const unsigned int ncodes = 2 * strlen(tcphs_history_letters);
	char str[TCPHS_HISTORY_LEN], want[TCPHS_HISTORY_LEN];
	struct tcphs_history h;
	unsigned int first, n;

	KUNIT_EXPECT_EQ(test, sizeof(h.code), 10);
	for (first = 0; first < ncodes; first++) {
		memset(want, 0, sizeof(want));
		tcphs_history_init(&h);
		for (n = 0; n < TCPHS_HISTORY_LETTERS; n++) {
			unsigned int code = (first + n) % ncodes;
			char c = tcphs_history_letters[code / 2];

			want[n] = code % 2 == TCPHS_DIR_ORIG ? c - 'a' + 'A' : c;
			add(&h, code % 2, code / 2, true);
			KUNIT_EXPECT_EQ(test, code_len(&h), n + 1);
		}
		/* Full: nothing more goes in, and the marks are untouched. */
		add(&h, TCPHS_DIR_ORIG, H_SYN, true);
		tcphs_history_str(&h, str);
		KUNIT_EXPECT_STREQ_MSG(test, str, want, "from code %u", first);
		KUNIT_EXPECT_EQ(test, h.mark[0], 0);
		KUNIT_EXPECT_EQ(test, h.mark[1], 0);
		KUNIT_EXPECT_EQ(test, mark_letter(&h, 0), -1);
		KUNIT_EXPECT_EQ(test, mark_letter(&h, 1), -1);
		/* And the marks leave the letters alone. */
		set_mark(&h, TCPHS_DIR_ORIG, H_RST, 1);
		set_mark(&h, TCPHS_DIR_REPLY, H_FIN, 2);
		KUNIT_EXPECT_EQ(test, mark_letter(&h, TCPHS_DIR_ORIG), H_RST);
		KUNIT_EXPECT_EQ(test, mark_letter(&h, TCPHS_DIR_REPLY), H_FIN);
		tcphs_history_str(&h, str);
		KUNIT_EXPECT_STREQ(test, str, want);
	}
}

static struct kunit_case history_cases[] = {
	KUNIT_CASE_PARAM(history_letters, hist_cases_gen_params),
	KUNIT_CASE(history_bounded),
	KUNIT_CASE(history_packing),
	{}
};

static struct kunit_suite history_suite = {
	.name = "tcphs_history",
	.test_cases = history_cases,
};

kunit_test_suite(history_suite);
