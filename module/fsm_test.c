// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_fsm": the handshake state machine.
 *
 * - Every cell of tcphs_fsm_table, reached the way a packet reaches it: a
 *   flow in the cell's state and a segment that classifies as the cell's
 *   kind, checked against what the cell says.
 * - The protocol written out by hand: each scenario is a list of segments
 *   with the events and the state each must produce, and the flow's
 *   conn_state, end and opener at the end. Every scenario runs at several
 *   pairs of ISNs, some of which wrap around 2^32 during the open or the
 *   close.
 * - tcphs_fsm_valid_flags() for all 256 flag bytes.
 */

#include <kunit/test.h>

#include <tcphs_names.h>

#include "fsm.c"

static const char *state_name(unsigned int s)
{
	return tcphs_name_of(tcphs_state_names, __TCPHS_STATE_MAX, s);
}

/* ------------------------------------------------------------ the table -- */

#define X_ISN	1000U		/* the originator's ISN in the cell walk */
#define Y_ISN	500000U		/* the responder's */

/*
 * Set up @f and @seg so that @seg, sent by the originator, classifies as
 * @kind (and as nothing more) whatever @f's state. False for a kind no
 * segment classifies as.
 */
static bool make_kind(struct tcphs_fsm *f, struct tcphs_seg *seg, unsigned int kind)
{
	u8 *mine = &f->dflags[TCPHS_DIR_ORIG], *theirs = &f->dflags[TCPHS_DIR_REPLY];

	memset(seg, 0, sizeof(*seg));
	seg->window = 1000;
	seg->seq = X_ISN + 1;
	seg->ack = Y_ISN + 1;
	f->isn[TCPHS_DIR_ORIG] = X_ISN;
	f->isn[TCPHS_DIR_REPLY] = Y_ISN;
	f->snd_end[TCPHS_DIR_ORIG] = X_ISN + 1;
	f->snd_end[TCPHS_DIR_REPLY] = Y_ISN + 1;
	/* Both SYNs seen and acknowledged, unless the kind needs otherwise. */
	*mine = TCPHS_DF_SYN | TCPHS_DF_SYN_ACKED | TCPHS_DF_SEQ;
	*theirs = TCPHS_DF_SYN | TCPHS_DF_SYNACK | TCPHS_DF_SYN_ACKED | TCPHS_DF_SEQ;

	switch (kind) {
	case TCPHS_K_SYN:
		*mine = 0;
		seg->flags = TCPHS_SYN;
		seg->seq = X_ISN;
		seg->ack = 0;
		break;
	case TCPHS_K_SYN_RE:
	case TCPHS_K_SYN_NEW:
		seg->flags = TCPHS_SYN;
		seg->seq = kind == TCPHS_K_SYN_RE ? X_ISN : X_ISN + 7777;
		seg->ack = 0;
		break;
	case TCPHS_K_SYNACK:
		*mine = 0;
		*theirs = TCPHS_DF_SYN | TCPHS_DF_SEQ;
		seg->flags = TCPHS_SYN | TCPHS_ACK;
		seg->seq = X_ISN;
		break;
	case TCPHS_K_SYNACK_RE:
	case TCPHS_K_SYNACK_BAD:
		*mine |= TCPHS_DF_SYNACK;
		seg->flags = TCPHS_SYN | TCPHS_ACK;
		seg->seq = kind == TCPHS_K_SYNACK_RE ? X_ISN : X_ISN + 3;
		break;
	case TCPHS_K_ACK_SYN:
	case TCPHS_K_ACK_BAD:
		*theirs &= ~TCPHS_DF_SYN_ACKED;
		seg->flags = TCPHS_ACK;
		seg->ack = kind == TCPHS_K_ACK_SYN ? Y_ISN + 1 : Y_ISN + 9;
		break;
	case TCPHS_K_ACK_FIN:
		*theirs |= TCPHS_DF_FIN;
		f->snd_end[TCPHS_DIR_REPLY] = Y_ISN + 11;	/* the FIN at y+10 */
		seg->flags = TCPHS_ACK;
		seg->ack = Y_ISN + 11;
		break;
	case TCPHS_K_ACK:
		seg->flags = TCPHS_ACK | TCPHS_PSH;
		seg->len = 10;
		break;
	case TCPHS_K_FIN:
	case TCPHS_K_FIN_RE:
		if (kind == TCPHS_K_FIN_RE) {
			*mine |= TCPHS_DF_FIN;
			f->snd_end[TCPHS_DIR_ORIG] = X_ISN + 2;	/* the FIN at x+1 */
		}
		seg->flags = TCPHS_FIN | TCPHS_ACK;
		break;
	case TCPHS_K_RST:
	case TCPHS_K_RST_BAD:
		/* RFC 5961: exactly the next sequence number, or nothing. */
		seg->flags = TCPHS_RST;
		seg->seq = kind == TCPHS_K_RST ? X_ISN + 1 : X_ISN + 100000;
		seg->ack = 0;
		break;
	case TCPHS_K_RST_CHALLENGE:
	case TCPHS_K_OUT_OF_WINDOW:
		/* Scales known, and each side advertised 1000 bytes. */
		f->wscale = 0;
		f->rwin_valid = 3;
		f->dflags[TCPHS_DIR_ORIG] |= TCPHS_DF_ACK;
		f->dflags[TCPHS_DIR_REPLY] |= TCPHS_DF_ACK;
		f->last_ack[TCPHS_DIR_ORIG] = Y_ISN + 1;
		f->last_ack[TCPHS_DIR_REPLY] = X_ISN + 1;
		f->rwin_end[TCPHS_DIR_ORIG] = Y_ISN + 1001;
		f->rwin_end[TCPHS_DIR_REPLY] = X_ISN + 1001;
		if (kind == TCPHS_K_RST_CHALLENGE) {
			seg->flags = TCPHS_RST;
			seg->seq = X_ISN + 500;		/* in the window, not x+1 */
			seg->ack = 0;
		} else {
			seg->flags = TCPHS_FIN | TCPHS_ACK;
			seg->seq = X_ISN + 5000;	/* past the window's edge */
		}
		break;
	case TCPHS_K_SYNACK_RESYNC:
		/* The responder's SYN at y+4242 was refused; this answers it. */
		f->resync = TCPHS_RS_PENDING | TCPHS_RS_DIR |
			    TCPHS_WS_NONE << TCPHS_RS_WS_SHIFT;
		f->resync_seq = (Y_ISN + 4242) & 0xffff;
		seg->flags = TCPHS_SYN | TCPHS_ACK;
		seg->seq = X_ISN + 999;
		seg->ack = Y_ISN + 4243;
		break;
	case TCPHS_K_BAD_FLAGS:
		seg->flags = TCPHS_SYN | TCPHS_FIN;
		break;
	default:
		return false;
	}
	return true;
}

/* Walk the cells of one state (the parameter): every kind. */
static void fsm_table_row(struct kunit *test)
{
	const unsigned int *statep = test->param_value;
	unsigned int state = *statep, kind;

	for (kind = 0; kind < __TCPHS_K_MAX; kind++) {
		const struct tcphs_cell *c = tcphs_fsm_cell(state, kind);
		struct tcphs_verdict v;
		struct tcphs_seg seg;
		struct tcphs_fsm f;
		unsigned int next;

		KUNIT_ASSERT_PTR_EQ(test, c, &tcphs_fsm_table[state][kind]);
		tcphs_fsm_init(&f);
		if (!make_kind(&f, &seg, kind)) {
			/* No segment is of this kind: the cell must be empty. */
			KUNIT_EXPECT_EQ_MSG(test, c->action, TCPHS_ACT_KEEP, "kind %u", kind);
			KUNIT_EXPECT_EQ_MSG(test, c->event, TCPHS_EV_NONE, "kind %u", kind);
			continue;
		}
		f.state = state;
		tcphs_fsm_segment(&f, &seg, TCPHS_DIR_ORIG, &v);

		if (c->action == TCPHS_ACT_RESTART) {
			KUNIT_EXPECT_TRUE_MSG(test, v.restart, "kind %u", kind);
			KUNIT_EXPECT_EQ_MSG(test, v.nsteps, 0, "kind %u", kind);
			KUNIT_EXPECT_EQ_MSG(test, f.state, state, "kind %u", kind);
			continue;
		}
		KUNIT_EXPECT_EQ_MSG(test, v.resync, c->action == TCPHS_ACT_RESYNC,
				    "kind %u", kind);
		if (c->action == TCPHS_ACT_RESYNC) {
			/* The old flow's last step; the SYN to replay, whole. */
			KUNIT_EXPECT_EQ(test, f.state, TCPHS_STATE_CLOSED);
			KUNIT_EXPECT_EQ(test, v.step[0].event, TCPHS_EV_RESYNC);
			KUNIT_EXPECT_EQ(test, v.resync_dir, TCPHS_DIR_REPLY);
			KUNIT_EXPECT_EQ(test, v.resync_syn.seq, Y_ISN + 4242);
			KUNIT_EXPECT_EQ(test, v.resync_syn.flags, TCPHS_SYN);
			KUNIT_EXPECT_EQ(test, v.resync_syn.wscale, TCPHS_WSCALE_NONE);
			KUNIT_EXPECT_TRUE(test, synchronized(state));
			continue;
		}
		next = c->action == TCPHS_ACT_GO ? c->next : state;
		KUNIT_EXPECT_FALSE_MSG(test, v.restart, "kind %u", kind);
		KUNIT_ASSERT_EQ_MSG(test, v.nsteps, 1, "kind %u", kind);
		KUNIT_EXPECT_EQ_MSG(test, v.step[0].kind, kind, "kind %u", kind);
		KUNIT_EXPECT_EQ_MSG(test, v.step[0].action, c->action, "kind %u", kind);
		KUNIT_EXPECT_EQ_MSG(test, v.step[0].event, c->event, "kind %u", kind);
		KUNIT_EXPECT_EQ_MSG(test, v.step[0].old_state, state, "kind %u", kind);
		KUNIT_EXPECT_EQ_MSG(test, v.step[0].new_state, next, "kind %u", kind);
		KUNIT_EXPECT_EQ_MSG(test, f.state, next, "kind %u", kind);
		KUNIT_EXPECT_EQ_MSG(test, v.invalid, c->action == TCPHS_ACT_INVALID,
				    "kind %u", kind);
		KUNIT_EXPECT_EQ_MSG(test, v.retrans,
				    kind == TCPHS_K_SYN_RE || kind == TCPHS_K_SYNACK_RE ||
				    kind == TCPHS_K_FIN_RE, "kind %u", kind);

		/* The table's own rules: what moves says so; INVALID is INVALID. */
		if (c->action == TCPHS_ACT_GO)
			KUNIT_EXPECT_NE_MSG(test, c->event, TCPHS_EV_NONE, "kind %u", kind);
		if (c->action == TCPHS_ACT_INVALID)
			KUNIT_EXPECT_EQ_MSG(test, c->event, TCPHS_EV_INVALID, "kind %u", kind);
		if (c->action != TCPHS_ACT_GO)
			KUNIT_EXPECT_EQ_MSG(test, c->next, 0, "kind %u", kind);
		/* Flag combinations no TCP sends are invalid everywhere. */
		if (kind == TCPHS_K_BAD_FLAGS)
			KUNIT_EXPECT_EQ(test, c->action, TCPHS_ACT_INVALID);
	}
	KUNIT_EXPECT_NULL(test, tcphs_fsm_cell(state, __TCPHS_K_MAX));
	KUNIT_EXPECT_NULL(test, tcphs_fsm_cell(__TCPHS_STATE_MAX, 0));
}

static const unsigned int fsm_states[] = {
	TCPHS_STATE_NONE, TCPHS_STATE_SYN_SENT, TCPHS_STATE_SYN_SENT2,
	TCPHS_STATE_SYN_RECV, TCPHS_STATE_ESTABLISHED, TCPHS_STATE_FIN_WAIT_1,
	TCPHS_STATE_FIN_WAIT_2, TCPHS_STATE_CLOSING, TCPHS_STATE_LAST_ACK,
	TCPHS_STATE_TIME_WAIT, TCPHS_STATE_CLOSED,
};

static_assert(ARRAY_SIZE(fsm_states) == __TCPHS_STATE_MAX);

static void fsm_state_desc(const unsigned int *s, char *desc)
{
	strscpy(desc, state_name(*s), KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fsm_states, fsm_states, fsm_state_desc);

/* ----------------------------------------------------------- protocol -- */

#define F_S	TCPHS_SYN
#define F_SA	(TCPHS_SYN | TCPHS_ACK)
#define F_A	TCPHS_ACK
#define F_PA	(TCPHS_PSH | TCPHS_ACK)
#define F_F	TCPHS_FIN
#define F_FA	(TCPHS_FIN | TCPHS_ACK)
#define F_R	TCPHS_RST
#define F_RA	(TCPHS_RST | TCPHS_ACK)

#define HOW_RTX		BIT(0)		/* a retransmission (verdict's retrans) */
#define HOW_NEW		BIT(1)		/* a new connection on a finished flow */
#define HOW_RESYNC	BIT(2)		/* answers a refused SYN: replayed anew */

struct fsm_seg {
	u8 valid;		/* 0 ends the list */
	u8 dir;
	u8 flags;
	u8 state;		/* the flow's state after the segment */
	u8 how;			/* HOW_RTX, HOW_NEW */
	u8 ev[TCPHS_MAX_STEPS];	/* the events it causes, in order */
	u16 len;
	s32 seq;		/* from the sender's ISN */
	s32 ack;		/* from the receiver's ISN */
};

#define EV(e)		TCPHS_EV_##e
#define SEG(d, fl, s, a, l, st, h, ...)						\
	{ .valid = 1, .dir = TCPHS_DIR_##d, .flags = (fl), .seq = (s), .ack = (a),	\
	  .len = (l), .state = TCPHS_STATE_##st, .how = (h), .ev = { __VA_ARGS__ } }

struct fsm_scenario {
	const char *name;
	u8 conn_state;		/* at the end */
	u8 end;
	u8 opener;
	bool opened;		/* starts with fsm_open */
	struct fsm_seg seg[16];
};

/* The textbook open, which the scenarios marked "opened" start with. */
static const struct fsm_seg fsm_open[] = {
	SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
	SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
	SEG(ORIG, F_A, 1, 1, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
};

#define CS(c)		TCPHS_CS_##c
#define END(e)		TCPHS_END_##e
#define OPENER(o)	TCPHS_OPENER_##o

static const struct fsm_scenario fsm_scenarios[] = {
	{ "open-data-close-orig-first", CS(SF), END(FIN), OPENER(ORIG), true, {
		SEG(ORIG, F_PA, 1, 1, 16, ESTABLISHED, 0),
		SEG(REPLY, F_A, 1, 17, 0, ESTABLISHED, 0),
		SEG(REPLY, F_PA, 1, 17, 16, ESTABLISHED, 0),
		SEG(ORIG, F_A, 17, 17, 0, ESTABLISHED, 0),
		SEG(ORIG, F_FA, 17, 17, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_A, 17, 18, 0, FIN_WAIT_2, 0, EV(FIN_ACKED)),
		SEG(REPLY, F_FA, 17, 18, 0, LAST_ACK, 0, EV(FIN)),
		SEG(ORIG, F_A, 18, 18, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "close-reply-first", CS(SF), END(FIN), OPENER(ORIG), true, {
		SEG(REPLY, F_PA, 1, 1, 100, ESTABLISHED, 0),
		SEG(REPLY, F_FA, 101, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(ORIG, F_A, 1, 102, 0, FIN_WAIT_2, 0, EV(FIN_ACKED)),
		SEG(ORIG, F_FA, 1, 102, 0, LAST_ACK, 0, EV(FIN)),
		SEG(REPLY, F_A, 102, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "close-in-three-segments", CS(SF), END(FIN), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_FA, 1, 2, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(ORIG, F_A, 2, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "fin-with-data", CS(SF), END(FIN), OPENER(ORIG), true, {
		SEG(ORIG, F_FA | TCPHS_PSH, 1, 1, 30, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_A, 1, 31, 0, FIN_WAIT_1, 0),
		SEG(REPLY, F_FA, 1, 32, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(ORIG, F_A, 32, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "simultaneous-open", CS(S1), END(NONE), OPENER(BOTH), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_S, 0, 0, 0, SYN_SENT2, 0, EV(SYN)),
		SEG(ORIG, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(REPLY, F_SA, 0, 1, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
		SEG(ORIG, F_A, 1, 1, 0, ESTABLISHED, 0),
		SEG(REPLY, F_A, 1, 1, 0, ESTABLISHED, 0),
	} },
	{ "simultaneous-open-bad-synack", CS(OTH), END(NONE), OPENER(BOTH), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_S, 0, 0, 0, SYN_SENT2, 0, EV(SYN)),
		/* Its SYN-ACK must repeat its SYN's ISN and ack the other. */
		SEG(ORIG, F_SA, 5, 1, 0, SYN_SENT2, 0, EV(INVALID)),
		SEG(ORIG, F_SA, 0, 2, 0, SYN_SENT2, 0, EV(INVALID)),
		SEG(REPLY, F_S, 0, 0, 0, SYN_SENT2, HOW_RTX, EV(SYN_RETRANS)),
		SEG(REPLY, F_S, 99, 0, 0, SYN_SENT2, 0, EV(INVALID)),
	} },
	{ "simultaneous-close", CS(SF), END(SIMUL_FIN), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_FA, 1, 1, 0, CLOSING, 0, EV(FIN)),
		SEG(ORIG, F_A, 2, 2, 0, LAST_ACK, 0, EV(FIN_ACKED)),
		SEG(REPLY, F_A, 2, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "close-before-the-handshake-completes", CS(SF), END(FIN), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(REPLY, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		/* The ACK of the SYN still says so, in the close state it finds. */
		SEG(ORIG, F_A, 1, 2, 0, FIN_WAIT_2, 0, EV(ESTABLISHED), EV(FIN_ACKED)),
		SEG(ORIG, F_FA, 1, 2, 0, LAST_ACK, 0, EV(FIN)),
		SEG(REPLY, F_A, 2, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "half-close", CS(SF), END(FIN), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_A, 1, 2, 0, FIN_WAIT_2, 0, EV(FIN_ACKED)),
		SEG(REPLY, F_PA, 1, 2, 100, FIN_WAIT_2, 0),
		SEG(ORIG, F_A, 2, 101, 0, FIN_WAIT_2, 0),
		SEG(REPLY, F_PA, 101, 2, 50, FIN_WAIT_2, 0),
		SEG(ORIG, F_A, 2, 151, 0, FIN_WAIT_2, 0),
		SEG(REPLY, F_FA, 151, 2, 0, LAST_ACK, 0, EV(FIN)),
		SEG(ORIG, F_A, 2, 152, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "orig-fin-only", CS(S2), END(NONE), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_A, 1, 2, 0, FIN_WAIT_2, 0, EV(FIN_ACKED)),
	} },
	{ "reply-fin-only", CS(S3), END(NONE), OPENER(ORIG), true, {
		SEG(REPLY, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
	} },
	{ "retransmitted-syn-and-synack", CS(S1), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, HOW_RTX, EV(SYN_RETRANS)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, HOW_RTX, EV(SYN_ACK_RETRANS)),
		SEG(ORIG, F_S, 0, 0, 0, SYN_RECV, HOW_RTX, EV(SYN_RETRANS)),
		SEG(ORIG, F_A, 1, 1, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
		SEG(ORIG, F_S, 0, 0, 0, ESTABLISHED, HOW_RTX, EV(SYN_RETRANS)),
		SEG(REPLY, F_SA, 0, 1, 0, ESTABLISHED, HOW_RTX, EV(SYN_ACK_RETRANS)),
	} },
	{ "retransmitted-fin", CS(SF), END(FIN), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, HOW_RTX),
		SEG(REPLY, F_A, 1, 2, 0, FIN_WAIT_2, 0, EV(FIN_ACKED)),
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_2, HOW_RTX),
		SEG(REPLY, F_FA, 1, 2, 0, LAST_ACK, 0, EV(FIN)),
		SEG(REPLY, F_FA, 1, 2, 0, LAST_ACK, HOW_RTX),
		SEG(ORIG, F_A, 2, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
		SEG(REPLY, F_FA, 1, 2, 0, TIME_WAIT, HOW_RTX),
	} },
	{ "refused", CS(REJ), END(RST_REPLY), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_RA, 0, 1, 0, CLOSED, 0, EV(RST)),
		/* The same reset again changes nothing. */
		SEG(REPLY, F_RA, 0, 1, 0, CLOSED, 0),
		/* Nor does the same SYN again: a retransmission, no restart. */
		SEG(ORIG, F_S, 0, 0, 0, CLOSED, HOW_RTX),
	} },
	{ "rst-answering-syn-must-ack-it", CS(REJ), END(RST_REPLY), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_R, 0, 0, 0, SYN_SENT, 0, EV(INVALID)),
		SEG(REPLY, F_RA, 0, 0, 0, SYN_SENT, 0, EV(INVALID)),
		SEG(REPLY, F_RA, 0, 2, 0, SYN_SENT, 0, EV(INVALID)),
		SEG(REPLY, F_RA, 0, 1, 0, CLOSED, 0, EV(RST)),
	} },
	{ "synack-with-wrong-ack", CS(S1), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_SA, 0, 2, 0, SYN_SENT, 0, EV(INVALID)),
		SEG(REPLY, F_SA, 0, 0, 0, SYN_SENT, 0, EV(INVALID)),
		SEG(REPLY, F_SA, 0, -1000, 0, SYN_SENT, 0, EV(INVALID)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		/* A SYN-ACK with another ISN is not a retransmission. */
		SEG(REPLY, F_SA, 7, 1, 0, SYN_RECV, 0, EV(INVALID)),
		SEG(ORIG, F_A, 1, 1, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
	} },
	{ "final-ack-with-wrong-ack", CS(S1), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(ORIG, F_A, 1, 5, 0, SYN_RECV, 0, EV(INVALID)),
		SEG(ORIG, F_A, 1, 0, 0, SYN_RECV, 0, EV(INVALID)),
		SEG(ORIG, F_PA, 1, 2, 10, SYN_RECV, 0, EV(INVALID)),
		SEG(ORIG, F_A, 1, 1, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
	} },
	{ "data-completes-the-handshake", CS(S1), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		/* The final ACK was lost; the first data acks y+1. */
		SEG(ORIG, F_PA, 1, 1, 100, ESTABLISHED, 0, EV(ESTABLISHED)),
		SEG(REPLY, F_A, 1, 101, 0, ESTABLISHED, 0),
	} },
	{ "tfo-syn-with-data", CS(SF), END(FIN), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 20, SYN_SENT, 0, EV(SYN)),
		/* Acks more than was sent: x+1+len is the most. */
		SEG(REPLY, F_SA, 0, 22, 0, SYN_SENT, 0, EV(INVALID)),
		SEG(REPLY, F_SA, 0, 21, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(ORIG, F_A, 21, 1, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
		SEG(ORIG, F_FA, 21, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_FA, 1, 22, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(ORIG, F_A, 22, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "tfo-data-not-accepted", CS(S1), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 20, SYN_SENT, 0, EV(SYN)),
		/* The server took the SYN but not its data: it acks x+1. */
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(ORIG, F_PA, 1, 1, 20, ESTABLISHED, 0, EV(ESTABLISHED)),
	} },
	{ "ecn-setup", CS(S1), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S | TCPHS_ECE | TCPHS_CWR, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_SA | TCPHS_ECE, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(ORIG, F_A, 1, 1, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
		SEG(ORIG, F_PA | TCPHS_URG | TCPHS_CWR, 1, 1, 5, ESTABLISHED, 0),
	} },
	{ "syn-new-isn", CS(S1), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(ORIG, F_S, 5000, 0, 0, SYN_SENT, 0, EV(SYN)),
		/* A SYN-ACK of the first attempt does not fit any more. */
		SEG(REPLY, F_SA, 0, 1, 0, SYN_SENT, 0, EV(INVALID)),
		SEG(REPLY, F_SA, 0, 5001, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(ORIG, F_S, 6000, 0, 0, SYN_RECV, 0, EV(INVALID)),
		SEG(ORIG, F_A, 5001, 1, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
		SEG(ORIG, F_S, 7000, 0, 0, ESTABLISHED, 0, EV(INVALID)),
	} },
	{ "syn-on-time-wait-restarts", CS(S0), END(NONE), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_FA, 1, 2, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(ORIG, F_A, 2, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
		/* A stray ACK changes nothing. */
		SEG(ORIG, F_A, 2, 2, 0, TIME_WAIT, 0),
		SEG(ORIG, F_S, 100000, 0, 0, SYN_SENT, HOW_NEW, EV(SYN)),
	} },
	{ "syn-from-responder-on-time-wait", CS(S0), END(NONE), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_FA, 1, 2, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(ORIG, F_A, 2, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
		SEG(REPLY, F_S, 3000, 0, 0, SYN_SENT, HOW_NEW, EV(SYN)),
	} },
	{ "syn-on-closed-restarts", CS(S0), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_RA, 0, 1, 0, CLOSED, 0, EV(RST)),
		SEG(ORIG, F_S, 64000, 0, 0, SYN_SENT, HOW_NEW, EV(SYN)),
	} },
	{ "syn-unanswered", CS(S0), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
	} },
	{ "syn-then-fin", CS(SH), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(ORIG, F_F, 1, 0, 0, FIN_WAIT_1, 0, EV(FIN)),
	} },
	{ "rst-in-syn-sent", CS(RSTOS0), END(RST_ORIG), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(ORIG, F_R, 2, 0, 0, SYN_SENT, 0, EV(INVALID)),
		SEG(ORIG, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	{ "rst-in-syn-sent2", CS(REJ), END(RST_REPLY), OPENER(BOTH), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_S, 0, 0, 0, SYN_SENT2, 0, EV(SYN)),
		SEG(REPLY, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	/* Zeek: the SYN-ACK established the originator; its RST is no refusal. */
	{ "rst-in-syn-recv", CS(RSTR), END(RST_REPLY), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(REPLY, F_R, 0, 0, 0, SYN_RECV, 0, EV(INVALID)),
		SEG(REPLY, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	{ "rst-in-syn-recv-by-opener", CS(RSTO), END(RST_ORIG), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(ORIG, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	{ "rst-in-established-rfc5961", CS(RSTR), END(RST_REPLY), OPENER(ORIG), true, {
		SEG(ORIG, F_PA, 1, 1, 10, ESTABLISHED, 0),
		/* In the window but not exactly the next: a challenge, no reset. */
		SEG(REPLY, F_R, 2, 0, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_RA, 1000, 11, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_R, -1, 0, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_RA, 1, 11, 0, CLOSED, 0, EV(RST)),
	} },
	{ "rst-in-established-by-opener", CS(RSTO), END(RST_ORIG), OPENER(ORIG), true, {
		SEG(ORIG, F_PA, 1, 1, 10, ESTABLISHED, 0),
		SEG(REPLY, F_A, 1, 6, 0, ESTABLISHED, 0),
		/* Not the next seq sent, but the one the other side expects. */
		SEG(ORIG, F_RA, 6, 1, 0, CLOSED, 0, EV(RST)),
	} },
	{ "rst-in-fin-wait-1", CS(RSTR), END(RST_REPLY), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	{ "rst-in-fin-wait-2", CS(RSTO), END(RST_ORIG), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_A, 1, 2, 0, FIN_WAIT_2, 0, EV(FIN_ACKED)),
		SEG(ORIG, F_R, 1, 0, 0, FIN_WAIT_2, 0, EV(INVALID)),
		SEG(ORIG, F_R, 2, 0, 0, CLOSED, 0, EV(RST)),
	} },
	/* Both sides closed before the RST: Zeek keeps them closed, SF. */
	{ "rst-in-closing", CS(SF), END(RST_ORIG), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_FA, 1, 1, 0, CLOSING, 0, EV(FIN)),
		SEG(ORIG, F_R, 2, 0, 0, CLOSED, 0, EV(RST)),
	} },
	{ "rst-in-last-ack", CS(SF), END(RST_REPLY), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_FA, 1, 2, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(REPLY, F_R, 2, 0, 0, CLOSED, 0, EV(RST)),
	} },
	{ "rst-in-time-wait", CS(SF), END(FIN), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_FA, 1, 2, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(ORIG, F_A, 2, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
		/* The flow has ended: a late reset changes nothing (RFC 1337). */
		SEG(ORIG, F_R, 2, 0, 0, TIME_WAIT, 0),
	} },
	{ "bad-flags", CS(S1), END(NONE), OPENER(ORIG), true, {
		SEG(ORIG, F_S | F_F, 1, 1, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(ORIG, F_SA | F_F, 1, 1, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_R | F_F, 1, 1, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_S | F_R, 1, 1, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, 0, 1, 1, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, TCPHS_PSH | TCPHS_URG, 1, 1, 0, ESTABLISHED, 0, EV(INVALID)),
	} },
	{ "loose-picked-up-at-synack", CS(OTH), END(NONE), OPENER(INFERRED), false, {
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(ORIG, F_A, 1, 1, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
	} },
	{ "loose-synack-then-fin", CS(SHR), END(NONE), OPENER(INFERRED), false, {
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(REPLY, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
	} },
	{ "loose-synack-then-rst", CS(RSTRH), END(RST_REPLY), OPENER(INFERRED), false, {
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(REPLY, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	{ "loose-mid-stream", CS(SF), END(FIN), OPENER(UNKNOWN), false, {
		SEG(ORIG, F_PA, 1, 1, 10, ESTABLISHED, 0, EV(ESTABLISHED)),
		SEG(REPLY, F_A, 1, 11, 0, ESTABLISHED, 0),
		SEG(REPLY, F_FA, 1, 11, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(ORIG, F_FA, 11, 2, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(REPLY, F_A, 2, 12, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "loose-picked-up-at-rst", CS(RSTO), END(RST_ORIG), OPENER(UNKNOWN), false, {
		SEG(ORIG, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	/* Zeek's words where they are easy to get wrong. */
	{ "rst-after-both-fins-stays-sf", CS(SF), END(RST_ORIG), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_A, 1, 2, 0, FIN_WAIT_2, 0, EV(FIN_ACKED)),
		SEG(REPLY, F_FA, 1, 2, 0, LAST_ACK, 0, EV(FIN)),
		SEG(ORIG, F_R, 2, 0, 0, CLOSED, 0, EV(RST)),
	} },
	{ "rst-after-one-fin-is-rstr", CS(RSTR), END(RST_REPLY), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	{ "synack-without-final-ack-is-s1", CS(S1), END(NONE), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
	} },
	{ "rst-after-synack-is-rstr", CS(RSTR), END(RST_REPLY), OPENER(ORIG), false, {
		SEG(ORIG, F_S, 0, 0, 0, SYN_SENT, 0, EV(SYN)),
		SEG(REPLY, F_SA, 0, 1, 0, SYN_RECV, 0, EV(SYN_ACK)),
		SEG(REPLY, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	/* What the receiver would not take moves nothing (windows of 1000). */
	{ "fin-beyond-window-refused", CS(SF), END(FIN), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 5001, 1, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(ORIG, F_FA, 1, 2, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(REPLY, F_A, 2, 2, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "data-a-window-old-or-new", CS(S1), END(NONE), OPENER(ORIG), true, {
		SEG(REPLY, F_PA, 1, 1, 900, ESTABLISHED, 0),
		SEG(ORIG, F_A, 1, 901, 0, ESTABLISHED, 0),
		/* Sent again: old, but not a window older than what was acked. */
		SEG(REPLY, F_PA, 1, 1, 900, ESTABLISHED, 0),
		SEG(REPLY, F_PA, 901, 1, 10, ESTABLISHED, 0),
		/* Far ahead of the window, or far behind it: refused. */
		SEG(REPLY, F_PA, 100000, 1, 10, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_PA, -200000, 1, 10, ESTABLISHED, 0, EV(INVALID)),
		/* At the window's right edge (a zero-window probe's place): taken. */
		SEG(REPLY, F_PA, 1901, 1, 1, ESTABLISHED, 0),
	} },
	{ "ack-of-unsent-data-refused", CS(S2), END(NONE), OPENER(ORIG), true, {
		SEG(ORIG, F_FA, 1, 50, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(ORIG, F_FA, 1, 1, 0, FIN_WAIT_1, 0, EV(FIN)),
	} },
	{ "in-window-rst-challenged", CS(RSTR), END(RST_REPLY), OPENER(ORIG), true, {
		SEG(REPLY, F_R, 500, 0, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	/* RFC 5961: a SYN on an open flow draws a challenge ACK, then a reset. */
	{ "syn-on-open-flow-challenged", CS(RSTO), END(RST_ORIG), OPENER(ORIG), true, {
		SEG(ORIG, F_S, 70000, 0, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_A, 1, 1, 0, ESTABLISHED, 0),
		SEG(ORIG, F_R, 1, 0, 0, CLOSED, 0, EV(RST)),
	} },
	/* Out of step: the server answers the new SYN: follow the new open. */
	{ "syn-answered-resyncs", CS(SF), END(FIN), OPENER(ORIG), true, {
		SEG(ORIG, F_PA, 1, 1, 10, ESTABLISHED, 0),
		SEG(ORIG, F_S, 70000, 0, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_SA, 90000, 70001, 0, SYN_RECV, HOW_RESYNC, EV(RESYNC)),
		SEG(ORIG, F_A, 70001, 90001, 0, ESTABLISHED, 0, EV(ESTABLISHED)),
		SEG(ORIG, F_FA, 70001, 90001, 0, FIN_WAIT_1, 0, EV(FIN)),
		SEG(REPLY, F_FA, 90001, 70002, 0, LAST_ACK, 0, EV(FIN_ACKED), EV(FIN)),
		SEG(ORIG, F_A, 70002, 90002, 0, TIME_WAIT, 0, EV(TIME_WAIT)),
	} },
	{ "synack-not-answering-refused-syn", CS(S1), END(NONE), OPENER(ORIG), true, {
		SEG(ORIG, F_S, 70000, 0, 0, ESTABLISHED, 0, EV(INVALID)),
		SEG(REPLY, F_SA, 90000, 123456, 0, ESTABLISHED, 0, EV(INVALID)),
	} },
};

static void fsm_scenario_desc(const struct fsm_scenario *sc, char *desc)
{
	strscpy(desc, sc->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fsm_scenarios, fsm_scenarios, fsm_scenario_desc);

/* ISN pairs (x, y); the scenarios' numbers run across 2^32 from some. */
static const u32 fsm_isns[][2] = {
	{ 1000, 900000 },
	{ 0xffffffff, 0xfffffff8 },	/* x+1 wraps in the open, y in the data */
	{ 0xffffffee, 0xfffffffe },	/* FINs at x+17 and y+1 wrap when acked */
	{ 0x7fffffff, 0x80000000 },	/* the signed boundary */
	{ 0, 0xffffffff },
};

/* Take @f through segment @c, checking what it does. */
static void run_seg(struct kunit *test, struct tcphs_fsm *f, const struct fsm_seg *c,
		    unsigned int i, u32 x, u32 y)
{
	bool orig = c->dir == TCPHS_DIR_ORIG;
	struct tcphs_seg seg = {
		.seq = (orig ? x : y) + c->seq,
		.ack = (orig ? y : x) + c->ack,
		.len = c->len,
		.window = 1000,
		.flags = c->flags,
	};
	u8 ev[TCPHS_MAX_STEPS] = {};
	struct tcphs_verdict v;
	bool invalid = false;
	unsigned int j, n;

	tcphs_fsm_segment(f, &seg, c->dir, &v);
	KUNIT_EXPECT_EQ_MSG(test, v.restart, !!(c->how & HOW_NEW),
			    "segment %u (x=%u y=%u)", i, x, y);
	KUNIT_EXPECT_EQ_MSG(test, v.resync, !!(c->how & HOW_RESYNC),
			    "segment %u (x=%u y=%u)", i, x, y);
	if (v.resync) {
		/* As the hook does: a new flow from the SYN, then this SYN-ACK. */
		struct tcphs_verdict v2;

		KUNIT_EXPECT_EQ(test, f->state, TCPHS_STATE_CLOSED);
		KUNIT_EXPECT_EQ(test, v.resync_dir, TCPHS_DIR_ORIG);
		tcphs_fsm_init(f);
		tcphs_fsm_segment(f, &v.resync_syn, TCPHS_DIR_ORIG, &v2);
		KUNIT_EXPECT_EQ(test, f->state, TCPHS_STATE_SYN_SENT);
		tcphs_fsm_segment(f, &seg, c->dir, &v2);
		KUNIT_EXPECT_EQ(test, v2.step[0].event, TCPHS_EV_SYN_ACK);
	}
	if (v.restart) {
		/* As the hook does: the old flow goes, a new one starts. */
		KUNIT_EXPECT_EQ(test, v.nsteps, 0);
		tcphs_fsm_init(f);
		tcphs_fsm_segment(f, &seg, TCPHS_DIR_ORIG, &v);
		KUNIT_EXPECT_FALSE(test, v.restart);
	}

	for (j = 0, n = 0; j < v.nsteps; j++) {
		if (j)
			KUNIT_EXPECT_EQ(test, v.step[j].old_state, v.step[j - 1].new_state);
		if (v.step[j].event != TCPHS_EV_NONE && n < TCPHS_MAX_STEPS)
			ev[n++] = v.step[j].event;
		invalid |= v.step[j].event == TCPHS_EV_INVALID;
	}
	for (j = 0; j < TCPHS_MAX_STEPS; j++)
		KUNIT_EXPECT_EQ_MSG(test, ev[j], c->ev[j],
				    "segment %u, event %u (x=%u y=%u)", i, j, x, y);
	KUNIT_EXPECT_EQ_MSG(test, f->state, c->state, "segment %u: %s, want %s (x=%u y=%u)",
			    i, state_name(f->state), state_name(c->state), x, y);
	KUNIT_EXPECT_EQ_MSG(test, v.invalid, invalid, "segment %u", i);
	KUNIT_EXPECT_EQ_MSG(test, v.retrans, !!(c->how & HOW_RTX),
			    "segment %u (x=%u y=%u)", i, x, y);
}

static void run_scenario(struct kunit *test, const struct fsm_scenario *sc, u32 x, u32 y)
{
	struct tcphs_fsm f;
	unsigned int i;

	tcphs_fsm_init(&f);
	for (i = 0; sc->opened && i < ARRAY_SIZE(fsm_open); i++)
		run_seg(test, &f, &fsm_open[i], i, x, y);
	for (i = 0; i < ARRAY_SIZE(sc->seg) && sc->seg[i].valid; i++)
		run_seg(test, &f, &sc->seg[i], i + (sc->opened ? ARRAY_SIZE(fsm_open) : 0), x, y);
	KUNIT_EXPECT_EQ_MSG(test, tcphs_fsm_conn_state(&f), sc->conn_state, "x=%u y=%u", x, y);
	KUNIT_EXPECT_EQ_MSG(test, tcphs_fsm_end(&f), sc->end, "x=%u y=%u", x, y);
	KUNIT_EXPECT_EQ_MSG(test, (u8)f.opener, sc->opener, "x=%u y=%u", x, y);
}

static void fsm_protocol(struct kunit *test)
{
	const struct fsm_scenario *sc = test->param_value;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(fsm_isns); i++)
		run_scenario(test, sc, fsm_isns[i][0], fsm_isns[i][1]);
}

/* The opener's ISN and the closer, learnt on the way. */
static void fsm_learns(struct kunit *test)
{
	struct tcphs_seg seg = { .flags = TCPHS_SYN, .seq = 0xfffffffe };
	struct tcphs_verdict v;
	struct tcphs_fsm f;

	tcphs_fsm_init(&f);
	tcphs_fsm_segment(&f, &seg, TCPHS_DIR_ORIG, &v);
	KUNIT_EXPECT_EQ(test, f.isn[TCPHS_DIR_ORIG], 0xfffffffe);
	KUNIT_EXPECT_EQ(test, f.snd_end[TCPHS_DIR_ORIG], 0xffffffff);

	seg = (struct tcphs_seg){ .flags = TCPHS_SYN | TCPHS_ACK, .seq = 7, .ack = 0xffffffff };
	tcphs_fsm_segment(&f, &seg, TCPHS_DIR_REPLY, &v);
	KUNIT_EXPECT_EQ(test, f.state, TCPHS_STATE_SYN_RECV);
	KUNIT_EXPECT_EQ(test, f.isn[TCPHS_DIR_REPLY], 7);
	KUNIT_EXPECT_EQ(test, (unsigned int)f.synack_dir, TCPHS_DIR_REPLY);

	seg = (struct tcphs_seg){ .flags = TCPHS_ACK, .seq = 0xffffffff, .ack = 8 };
	tcphs_fsm_segment(&f, &seg, TCPHS_DIR_ORIG, &v);
	seg = (struct tcphs_seg){ .flags = TCPHS_FIN | TCPHS_ACK, .seq = 8, .ack = 0xffffffff,
				  .len = 3 };
	tcphs_fsm_segment(&f, &seg, TCPHS_DIR_REPLY, &v);
	KUNIT_EXPECT_EQ(test, f.state, TCPHS_STATE_FIN_WAIT_1);
	KUNIT_EXPECT_EQ(test, (unsigned int)f.closer, TCPHS_DIR_REPLY);
	/* A FIN's seq counts its payload. */
	KUNIT_EXPECT_EQ(test, tcphs_fsm_fin_seq(&f, TCPHS_DIR_REPLY), 11);
	KUNIT_EXPECT_EQ(test, f.snd_end[TCPHS_DIR_REPLY], 12);
}

/* An independent statement of which flag bytes a TCP sends. */
static bool flags_expected_valid(unsigned int b)
{
	bool syn = b & 0x02, ack = b & 0x10, rst = b & 0x04, fin = b & 0x01;

	if (syn)
		return !rst && !fin;
	if (rst)
		return !fin;
	return fin || ack;
}

static void fsm_valid_flags(struct kunit *test)
{
	unsigned int b;

	for (b = 0; b < 256; b++)
		KUNIT_EXPECT_EQ_MSG(test, tcphs_fsm_valid_flags(b), flags_expected_valid(b),
				    "flags 0x%02x", b);
}

/* Outcomes: segments (no checks on the way), then the outcome and stage. */
struct fsm_outcome_case {
	const char *name;
	bool opened;		/* starts with fsm_open */
	bool timed_out;		/* the table closed it afterwards */
	u8 outcome;
	u8 stage;
	struct fsm_seg seg[8];
};

#define OSEG(d, fl, s, a, l)	\
	{ .valid = 1, .dir = TCPHS_DIR_##d, .flags = (fl), .seq = (s), .ack = (a), .len = (l) }
#define OUT(o)		TCPHS_OUT_##o
#define STAGE(st)	TCPHS_STAGE_##st

static const struct fsm_outcome_case fsm_outcomes[] = {
	{ "open", true, false, OUT(NONE), STAGE(ESTABLISHED), {} },
	{ "syn-only", false, false, OUT(NONE), STAGE(HANDSHAKE), {
		OSEG(ORIG, F_S, 0, 0, 0),
	} },
	{ "completed", true, false, OUT(COMPLETED), STAGE(CLOSING), {
		OSEG(ORIG, F_PA, 1, 1, 16),
		OSEG(ORIG, F_FA, 17, 1, 0),
		OSEG(REPLY, F_FA, 1, 18, 0),
		OSEG(ORIG, F_A, 18, 2, 0),
	} },
	{ "completed-then-reset", true, false, OUT(COMPLETED), STAGE(CLOSING), {
		OSEG(ORIG, F_FA, 1, 1, 0),
		OSEG(REPLY, F_FA, 1, 2, 0),
		OSEG(ORIG, F_R, 2, 0, 0),
	} },
	{ "last-ack-timed-out", true, true, OUT(COMPLETED), STAGE(CLOSING), {
		OSEG(ORIG, F_FA, 1, 1, 0),
		OSEG(REPLY, F_FA, 1, 2, 0),
	} },
	{ "refused", false, false, OUT(REFUSED), STAGE(HANDSHAKE), {
		OSEG(ORIG, F_S, 0, 0, 0),
		OSEG(REPLY, F_RA, 0, 1, 0),
	} },
	{ "no-answer", false, true, OUT(NO_ANSWER), STAGE(HANDSHAKE), {
		OSEG(ORIG, F_S, 0, 0, 0),
		OSEG(ORIG, F_S, 0, 0, 0),
		OSEG(ORIG, F_S, 0, 0, 0),
	} },
	{ "synack-unanswered", false, true, OUT(SYN_ACK_UNANSWERED), STAGE(HANDSHAKE), {
		OSEG(ORIG, F_S, 0, 0, 0),
		OSEG(REPLY, F_SA, 0, 1, 0),
		OSEG(REPLY, F_SA, 0, 1, 0),
	} },
	{ "simultaneous-open-timed-out", false, true, OUT(SYN_ACK_UNANSWERED), STAGE(HANDSHAKE), {
		OSEG(ORIG, F_S, 0, 0, 0),
		OSEG(REPLY, F_S, 0, 0, 0),
	} },
	{ "client-reset-in-handshake", false, false, OUT(RESET_ORIG), STAGE(HANDSHAKE), {
		OSEG(ORIG, F_S, 0, 0, 0),
		OSEG(REPLY, F_SA, 0, 1, 0),
		OSEG(ORIG, F_R, 1, 0, 0),
	} },
	{ "server-reset-in-handshake", false, false, OUT(RESET_REPLY), STAGE(HANDSHAKE), {
		OSEG(ORIG, F_S, 0, 0, 0),
		OSEG(REPLY, F_SA, 0, 1, 0),
		OSEG(REPLY, F_R, 1, 0, 0),
	} },
	{ "server-reset-established", true, false, OUT(RESET_REPLY), STAGE(ESTABLISHED), {
		OSEG(REPLY, F_RA, 1, 1, 0),
	} },
	{ "server-reset-after-data", true, false, OUT(RESET_REPLY), STAGE(DATA), {
		OSEG(ORIG, F_PA, 1, 1, 10),
		OSEG(REPLY, F_PA, 1, 11, 100),
		OSEG(REPLY, F_RA, 101, 11, 0),
	} },
	{ "client-reset-closing", true, false, OUT(RESET_ORIG), STAGE(CLOSING), {
		OSEG(ORIG, F_FA, 1, 1, 0),
		OSEG(REPLY, F_A, 1, 2, 0),
		OSEG(ORIG, F_R, 2, 0, 0),
	} },
	{ "half-close-aborted", true, true, OUT(HALF_CLOSED), STAGE(CLOSING), {
		OSEG(ORIG, F_FA, 1, 1, 0),
		OSEG(REPLY, F_A, 1, 2, 0),
	} },
	{ "idle-established", true, true, OUT(IDLE), STAGE(ESTABLISHED), {} },
	{ "idle-after-data", true, true, OUT(IDLE), STAGE(DATA), {
		OSEG(REPLY, F_PA, 1, 1, 5),
	} },
	{ "bad-reset-changes-nothing", true, false, OUT(NONE), STAGE(ESTABLISHED), {
		OSEG(REPLY, F_R, 5000, 0, 0),
	} },
};

static void fsm_outcome_desc(const struct fsm_outcome_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(fsm_outcomes, fsm_outcomes, fsm_outcome_desc);

static void fsm_outcome(struct kunit *test)
{
	const struct fsm_outcome_case *c = test->param_value;
	unsigned int i, k;

	for (k = 0; k < ARRAY_SIZE(fsm_isns); k++) {
		u32 x = fsm_isns[k][0], y = fsm_isns[k][1];
		struct tcphs_verdict v;
		struct tcphs_fsm f;

		tcphs_fsm_init(&f);
		for (i = 0; c->opened && i < ARRAY_SIZE(fsm_open); i++)
			run_seg(test, &f, &fsm_open[i], i, x, y);
		for (i = 0; i < ARRAY_SIZE(c->seg) && c->seg[i].valid; i++) {
			const struct fsm_seg *sg = &c->seg[i];
			bool orig = sg->dir == TCPHS_DIR_ORIG;
			struct tcphs_seg seg = {
				.seq = (orig ? x : y) + sg->seq,
				.ack = (orig ? y : x) + sg->ack,
				.len = sg->len,
				.window = 1000,
				.flags = sg->flags,
			};

			tcphs_fsm_segment(&f, &seg, sg->dir, &v);
		}
		KUNIT_EXPECT_EQ_MSG(test, tcphs_fsm_outcome(&f, c->timed_out), c->outcome,
				    "x=%u y=%u", x, y);
		KUNIT_EXPECT_EQ_MSG(test, tcphs_fsm_stage(&f), c->stage, "x=%u y=%u", x, y);
	}
}

static struct kunit_case fsm_cases[] = {
	KUNIT_CASE_PARAM(fsm_table_row, fsm_states_gen_params),
	KUNIT_CASE_PARAM(fsm_protocol, fsm_scenarios_gen_params),
	KUNIT_CASE_PARAM(fsm_outcome, fsm_outcomes_gen_params),
	KUNIT_CASE(fsm_learns),
	KUNIT_CASE(fsm_valid_flags),
	{}
};

static struct kunit_suite fsm_suite = {
	.name = "tcphs_fsm",
	.test_cases = fsm_cases,
};

kunit_test_suite(fsm_suite);
