// SPDX-License-Identifier: GPL-2.0
/*
 * The handshake state machine.
 *
 * A segment is first classified against what the flow has seen (this is
 * where the numbers are checked: the SYN-ACK must acknowledge x+1, the final
 * ACK y+1, a FIN is acknowledged by its seq+1), then each of its kinds is
 * looked up in tcphs_fsm_table[state][kind]. A segment can take up to three
 * steps: an ACK of the peer's SYN, an ACK of the peer's FIN and a FIN of its
 * own (a FIN that also acknowledges the other side's FIN closes in three
 * segments instead of four).
 */

#include <linux/bits.h>
#include <linux/kernel.h>
#include <linux/string.h>

#include "fsm.h"

static inline bool seq_before(u32 a, u32 b)
{
	return (s32)(a - b) < 0;
}

static inline bool seq_after(u32 a, u32 b)
{
	return seq_before(b, a);
}

/* @ack acknowledges sequence number @s, and nothing beyond @end was sent. */
static inline bool seq_acks(u32 ack, u32 s, u32 end)
{
	return seq_after(ack, s) && !seq_after(ack, end);
}

#define GO(s, e)	{ TCPHS_ACT_GO, TCPHS_STATE_##s, TCPHS_EV_##e }
#define KEEP(e)		{ TCPHS_ACT_KEEP, 0, TCPHS_EV_##e }
#define INVAL		{ TCPHS_ACT_INVALID, 0, TCPHS_EV_INVALID }
#define RESTART		{ TCPHS_ACT_RESTART, 0, TCPHS_EV_NONE }

/*
 * The transitions. A cell left out keeps the state and says nothing (a plain
 * ACK in ESTABLISHED, say). Reading it row by row:
 *
 * NONE: a fresh flow. A SYN opens it. Only in loose mode are flows created
 *	by other segments: a SYN-ACK (its receiver is taken as the opener), an
 *	ACK, FIN or RST (picked up mid-stream).
 * SYN_SENT: the opener's SYN (seq=x) was seen. The SYN-ACK must acknowledge
 *	x+1 (or more, if the SYN carried data); if it does not it is invalid.
 *	A SYN from the other side crosses ours (simultaneous open). The same
 *	SYN again is a retransmission; a new ISN is a new attempt. An RST that
 *	acknowledges the SYN refuses the connection.
 * SYN_SENT2: both SYNs seen; the first SYN-ACK moves on.
 * SYN_RECV: the SYN-ACK (seq=y, ack=x+1) was seen. The opener's ACK of y+1
 *	(a pure ACK, or the first data if that ACK was lost) establishes; so
 *	does the second SYN-ACK of a simultaneous open.
 * ESTABLISHED: the first FIN (seq=u) from either side starts the close.
 *	(A side may close before the handshake completes; the ACK of its SYN
 *	then still says ESTABLISHED, in whichever close state it comes.)
 * FIN_WAIT_1: an ACK of u+1 from the other side half-closes the flow; a
 *	FIN from the other side that does not acknowledge u+1 crosses ours
 *	(simultaneous close).
 * FIN_WAIT_2: half-closed; data may still flow the other way. The other
 *	side's FIN (seq=v) follows.
 * CLOSING: both FINs seen, neither acknowledged; the first ACK moves on.
 * LAST_ACK: one FIN acknowledged; the ACK of the other (v+1) closes.
 * TIME_WAIT, CLOSED: finished. A new SYN on the tuple (a new ISN, or a SYN
 *	from the other side) is a new connection: the caller starts a new flow.
 *
 * An acceptable RST (RFC 5961: its seq is exactly the next expected one)
 * closes any live flow; one outside the window is invalid and changes
 * nothing. Flag combinations no TCP sends are invalid everywhere.
 */
static const struct tcphs_cell tcphs_fsm_table[__TCPHS_STATE_MAX][__TCPHS_K_MAX] = {
	[TCPHS_STATE_NONE] = {
		[TCPHS_K_SYN]		= GO(SYN_SENT, SYN),
		[TCPHS_K_SYNACK]	= GO(SYN_RECV, SYN_ACK),
		[TCPHS_K_ACK]		= GO(ESTABLISHED, ESTABLISHED),
		[TCPHS_K_FIN]		= GO(FIN_WAIT_1, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_SYN_SENT] = {
		[TCPHS_K_SYN]		= GO(SYN_SENT2, SYN),
		[TCPHS_K_SYN_RE]	= KEEP(SYN_RETRANS),
		[TCPHS_K_SYN_NEW]	= GO(SYN_SENT, SYN),
		[TCPHS_K_SYNACK]	= GO(SYN_RECV, SYN_ACK),
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_BAD]	= INVAL,
		[TCPHS_K_FIN]		= GO(FIN_WAIT_1, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_SYN_SENT2] = {
		[TCPHS_K_SYN_RE]	= KEEP(SYN_RETRANS),
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= GO(SYN_RECV, SYN_ACK),
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_BAD]	= INVAL,
		[TCPHS_K_FIN]		= GO(FIN_WAIT_1, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_SYN_RECV] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_RE]	= KEEP(SYN_RETRANS),
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= GO(ESTABLISHED, ESTABLISHED),
		[TCPHS_K_SYNACK_RE]	= KEEP(SYNACK_RETRANS),
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_SYN]	= GO(ESTABLISHED, ESTABLISHED),
		[TCPHS_K_ACK_BAD]	= INVAL,
		[TCPHS_K_FIN]		= GO(FIN_WAIT_1, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_ESTABLISHED] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_RE]	= KEEP(SYN_RETRANS),
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= INVAL,
		[TCPHS_K_SYNACK_RE]	= KEEP(SYNACK_RETRANS),
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_FIN]		= GO(FIN_WAIT_1, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_FIN_WAIT_1] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_RE]	= KEEP(SYN_RETRANS),
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= INVAL,
		[TCPHS_K_SYNACK_RE]	= KEEP(SYNACK_RETRANS),
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_SYN]	= KEEP(ESTABLISHED),
		[TCPHS_K_ACK_FIN]	= GO(FIN_WAIT_2, FIN_ACKED),
		[TCPHS_K_FIN]		= GO(CLOSING, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_FIN_WAIT_2] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= INVAL,
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_SYN]	= KEEP(ESTABLISHED),
		[TCPHS_K_FIN]		= GO(LAST_ACK, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_CLOSING] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= INVAL,
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_SYN]	= KEEP(ESTABLISHED),
		[TCPHS_K_ACK_FIN]	= GO(LAST_ACK, FIN_ACKED),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_LAST_ACK] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= INVAL,
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_SYN]	= KEEP(ESTABLISHED),
		[TCPHS_K_ACK_FIN]	= GO(TIME_WAIT, CLOSED),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_TIME_WAIT] = {
		[TCPHS_K_SYN]		= RESTART,
		[TCPHS_K_SYN_NEW]	= RESTART,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_CLOSED] = {
		[TCPHS_K_SYN]		= RESTART,
		[TCPHS_K_SYN_NEW]	= RESTART,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
};

const struct tcphs_cell *tcphs_fsm_cell(unsigned int state, unsigned int kind)
{
	if (state >= __TCPHS_STATE_MAX || kind >= __TCPHS_K_MAX)
		return NULL;
	return &tcphs_fsm_table[state][kind];
}

void tcphs_fsm_init(struct tcphs_fsm *fsm)
{
	BUILD_BUG_ON(__TCPHS_OPENER_MAX > 4);	/* fits fsm->opener */
	memset(fsm, 0, sizeof(*fsm));
	fsm->state = TCPHS_STATE_NONE;
}

/*
 * The combinations a TCP sends (as netfilter's TCP tracking lists them), plus
 * a bare FIN, which port scanners send and Zeek's SH state describes. PSH,
 * ECE and CWR do not matter here.
 */
bool tcphs_fsm_valid_flags(u8 flags)
{
	flags &= TCPHS_FIN | TCPHS_SYN | TCPHS_RST | TCPHS_ACK | TCPHS_URG;

	switch (flags & ~TCPHS_URG) {
	case TCPHS_SYN:
	case TCPHS_SYN | TCPHS_ACK:
	case TCPHS_RST:
	case TCPHS_RST | TCPHS_ACK:
	case TCPHS_FIN:
	case TCPHS_FIN | TCPHS_ACK:
	case TCPHS_ACK:
		return true;
	default:
		return false;
	}
}

/* Would the receiver accept this reset? */
static bool rst_acceptable(const struct tcphs_fsm *f, const struct tcphs_seg *seg,
			   unsigned int dir)
{
	unsigned int peer = !dir;
	u8 mine = f->dflags[dir], theirs = f->dflags[peer];

	if (!(mine & TCPHS_DF_SEQ) && (theirs & TCPHS_DF_SYN) &&
	    !(theirs & TCPHS_DF_SYN_ACKED))
		/* A reply to a SYN (RFC 793, SYN-SENT): it must ack the SYN. */
		return (seg->flags & TCPHS_ACK) &&
		       seq_acks(seg->ack, f->isn[peer], f->snd_end[peer]);

	if ((mine & TCPHS_DF_SEQ) && seg->seq == f->snd_end[dir])
		return true;
	if ((theirs & TCPHS_DF_ACK) && seg->seq == f->last_ack[peer])
		return true;
	/* Nothing known to check against (a flow picked up by its RST). */
	return !(mine & TCPHS_DF_SEQ) && !(theirs & TCPHS_DF_ACK);
}

/* The kinds of one segment, in the order they take effect. */
static unsigned int classify(const struct tcphs_fsm *f, const struct tcphs_seg *seg,
			     unsigned int dir, u8 kinds[TCPHS_MAX_STEPS])
{
	unsigned int peer = !dir, n = 0;
	u8 mine = f->dflags[dir], theirs = f->dflags[peer];
	u8 fl = seg->flags;

	if (!tcphs_fsm_valid_flags(fl)) {
		kinds[n++] = TCPHS_K_BAD_FLAGS;
		return n;
	}

	if (fl & TCPHS_RST) {
		kinds[n++] = rst_acceptable(f, seg, dir) ? TCPHS_K_RST : TCPHS_K_RST_BAD;
		return n;
	}

	if ((fl & TCPHS_SYN) && !(fl & TCPHS_ACK)) {
		if (!(mine & TCPHS_DF_SYN))
			kinds[n++] = TCPHS_K_SYN;
		else if (seg->seq == f->isn[dir])
			kinds[n++] = TCPHS_K_SYN_RE;
		else
			kinds[n++] = TCPHS_K_SYN_NEW;
		return n;
	}

	if (fl & TCPHS_SYN) {
		if (mine & TCPHS_DF_SYNACK)
			kinds[n++] = seg->seq == f->isn[dir] ?
				     TCPHS_K_SYNACK_RE : TCPHS_K_SYNACK_BAD;
		else if (!(theirs & TCPHS_DF_SYN))
			/* Only a fresh flow may start at a SYN-ACK (loose). */
			kinds[n++] = f->state == TCPHS_STATE_NONE ?
				     TCPHS_K_SYNACK : TCPHS_K_SYNACK_BAD;
		else if ((mine & TCPHS_DF_SYN) && seg->seq != f->isn[dir])
			/* A simultaneous open's SYN-ACK repeats its SYN's ISN. */
			kinds[n++] = TCPHS_K_SYNACK_BAD;
		else
			kinds[n++] = seq_acks(seg->ack, f->isn[peer], f->snd_end[peer]) ?
				     TCPHS_K_SYNACK : TCPHS_K_SYNACK_BAD;
		return n;
	}

	if (fl & TCPHS_ACK) {
		if ((theirs & TCPHS_DF_SYN) && !(theirs & TCPHS_DF_SYN_ACKED)) {
			if (!seq_acks(seg->ack, f->isn[peer], f->snd_end[peer])) {
				kinds[n++] = TCPHS_K_ACK_BAD;
				return n;
			}
			kinds[n++] = TCPHS_K_ACK_SYN;
		}
		if ((theirs & TCPHS_DF_FIN) && !(theirs & TCPHS_DF_FIN_ACKED) &&
		    seq_acks(seg->ack, f->fin_seq[peer], f->snd_end[peer]))
			kinds[n++] = TCPHS_K_ACK_FIN;
	}

	if (fl & TCPHS_FIN)
		kinds[n++] = (mine & TCPHS_DF_FIN) ? TCPHS_K_FIN_RE : TCPHS_K_FIN;

	if (!n)
		kinds[n++] = (fl & TCPHS_ACK) ? TCPHS_K_ACK : TCPHS_K_NONE;
	return n;
}

/* Record what a step (that was not invalid) tells about the two sides. */
static void learn(struct tcphs_fsm *f, const struct tcphs_seg *seg, unsigned int dir,
		  unsigned int kind, unsigned int old_state)
{
	unsigned int peer = !dir;

	switch (kind) {
	case TCPHS_K_SYN:
		if (old_state == TCPHS_STATE_NONE)
			f->opener = TCPHS_OPENER_ORIG;
		else if (f->opener == TCPHS_OPENER_ORIG)
			f->opener = TCPHS_OPENER_BOTH;
		fallthrough;
	case TCPHS_K_SYN_NEW:
		f->isn[dir] = seg->seq;
		f->dflags[dir] = TCPHS_DF_SYN;
		break;
	case TCPHS_K_SYNACK:
		if (!(f->dflags[peer] & TCPHS_DF_SYN)) {
			/* Picked up at the SYN-ACK: infer the SYN it acks. */
			f->isn[peer] = seg->ack - 1;
			f->snd_end[peer] = seg->ack;
			f->dflags[peer] |= TCPHS_DF_SYN | TCPHS_DF_SEQ;
			f->opener = TCPHS_OPENER_INFERRED;
		}
		f->isn[dir] = seg->seq;
		f->dflags[dir] |= TCPHS_DF_SYN | TCPHS_DF_SYNACK;
		f->dflags[peer] |= TCPHS_DF_SYN_ACKED;
		f->synack_dir = dir;
		break;
	case TCPHS_K_ACK_SYN:
		f->dflags[peer] |= TCPHS_DF_SYN_ACKED;
		break;
	case TCPHS_K_ACK_FIN:
		f->dflags[peer] |= TCPHS_DF_FIN_ACKED;
		break;
	case TCPHS_K_FIN:
		if (!(f->dflags[peer] & TCPHS_DF_FIN))
			f->closer = dir;
		f->dflags[dir] |= TCPHS_DF_FIN;
		f->fin_seq[dir] = seg->seq + seg->len;
		break;
	case TCPHS_K_RST:
		if (!((f->dflags[dir] | f->dflags[peer]) & TCPHS_DF_RST))
			f->rst_dir = dir;
		f->dflags[dir] |= TCPHS_DF_RST;
		break;
	}
}

/* Keep the highest sequence number sent and the highest ack per side. */
static void advance(struct tcphs_fsm *f, const struct tcphs_seg *seg, unsigned int dir)
{
	u32 end = seg->seq + seg->len;

	if (seg->flags & TCPHS_RST)
		return;
	if (seg->flags & TCPHS_SYN)
		end++;
	if (seg->flags & TCPHS_FIN)
		end++;
	if (!(f->dflags[dir] & TCPHS_DF_SEQ) || seq_after(end, f->snd_end[dir])) {
		f->snd_end[dir] = end;
		f->dflags[dir] |= TCPHS_DF_SEQ;
	}
	if ((seg->flags & TCPHS_ACK) &&
	    (!(f->dflags[dir] & TCPHS_DF_ACK) || seq_after(seg->ack, f->last_ack[dir]))) {
		f->last_ack[dir] = seg->ack;
		f->dflags[dir] |= TCPHS_DF_ACK;
	}
}

/**
 * tcphs_fsm_segment - take one segment through the state machine
 * @fsm: the flow's protocol state; the caller holds the flow's lock
 * @seg: the segment
 * @dir: TCPHS_DIR_ORIG or TCPHS_DIR_REPLY
 * @v: filled with the steps taken and what the caller must do
 *
 * When @v->restart is set nothing was changed: the caller retires the flow
 * and runs the segment again on a fresh one.
 */
void tcphs_fsm_segment(struct tcphs_fsm *fsm, const struct tcphs_seg *seg,
		       unsigned int dir, struct tcphs_verdict *v)
{
	u8 kinds[TCPHS_MAX_STEPS];
	unsigned int i, n;

	memset(v, 0, sizeof(*v));
	dir = !!dir;
	n = classify(fsm, seg, dir, kinds);

	if (seg->len && (fsm->dflags[dir] & TCPHS_DF_SEQ) &&
	    !(seg->flags & (TCPHS_SYN | TCPHS_RST)) &&
	    !seq_after(seg->seq + seg->len, fsm->snd_end[dir]))
		v->data_retrans = true;

	for (i = 0; i < n; i++) {
		const struct tcphs_cell *c = &tcphs_fsm_table[fsm->state][kinds[i]];
		struct tcphs_step *s = &v->step[v->nsteps++];

		s->kind = kinds[i];
		s->action = c->action;
		s->old_state = fsm->state;
		s->event = c->event;

		switch (c->action) {
		case TCPHS_ACT_RESTART:
			v->restart = true;
			v->nsteps = 0;
			return;
		case TCPHS_ACT_INVALID:
			s->new_state = fsm->state;
			v->invalid = true;
			return;
		case TCPHS_ACT_GO:
			fsm->state = c->next;
			if (c->next == TCPHS_STATE_CLOSING)
				fsm->simul_close = 1;
			break;
		}
		s->new_state = fsm->state;
		if (kinds[i] == TCPHS_K_SYN_RE || kinds[i] == TCPHS_K_SYNACK_RE ||
		    kinds[i] == TCPHS_K_FIN_RE)
			v->retrans = true;
		/*
		 * What the table ignores teaches nothing: an RST after the
		 * close (RFC 1337) must not turn SF into RSTO, nor a late FIN
		 * or SYN-ACK rewrite who closed or the ISNs.
		 */
		if (c->action == TCPHS_ACT_GO || c->event != TCPHS_EV_NONE)
			learn(fsm, seg, dir, kinds[i], s->old_state);
	}
	advance(fsm, seg, dir);
}

/**
 * tcphs_fsm_conn_state - the flow's outcome as one of Zeek's conn_state words
 * @f: the flow's protocol state
 *
 * Decided as Zeek decides it, from what each side sent: a side that sent
 * no SYN (picked up mid-stream) counts as inactive, as Zeek's "partial".
 * One difference: an RST the state machine ignores (after a normal close,
 * RFC 1337) is not taken as a reset.
 */
enum tcphs_conn_state tcphs_fsm_conn_state(const struct tcphs_fsm *f)
{
	u8 o = f->dflags[TCPHS_DIR_ORIG], r = f->dflags[TCPHS_DIR_REPLY];
	/* The originator's SYN was seen; the responder answered with its own. */
	bool o_active = f->opener == TCPHS_OPENER_ORIG || f->opener == TCPHS_OPENER_BOTH;
	bool r_active = r & TCPHS_DF_SYN;

	/* In the order Zeek's conn_state() decides, responder's RST first. */
	if (r & TCPHS_DF_RST) {
		/* The originator never acknowledged an answer: refused. */
		if (o_active && !(r & TCPHS_DF_SYN_ACKED))
			return TCPHS_CS_REJ;
		return o_active ? TCPHS_CS_RSTR : TCPHS_CS_RSTRH;
	}
	if (o & TCPHS_DF_RST)
		return o_active && !r_active ? TCPHS_CS_RSTOS0 : TCPHS_CS_RSTO;
	if ((o & TCPHS_DF_FIN) && (r & TCPHS_DF_FIN))
		return TCPHS_CS_SF;
	if (o & TCPHS_DF_FIN)
		return r_active ? TCPHS_CS_S2 : TCPHS_CS_SH;
	if (r & TCPHS_DF_FIN)
		return o_active ? TCPHS_CS_S3 : TCPHS_CS_SHR;
	if (o_active && !r_active)
		return TCPHS_CS_S0;
	/* Established: each side acknowledged the other's SYN. */
	if (o_active && (o & TCPHS_DF_SYN_ACKED) && (r & TCPHS_DF_SYN_ACKED))
		return TCPHS_CS_S1;
	return TCPHS_CS_OTH;
}

/**
 * tcphs_fsm_end - how the flow ended, as far as its packets tell
 * @f: the flow's protocol state
 *
 * Timeouts are the flow table's to record; this knows only packets.
 */
enum tcphs_end tcphs_fsm_end(const struct tcphs_fsm *f)
{
	if (f->state == TCPHS_STATE_TIME_WAIT)
		return f->simul_close ? TCPHS_END_SIMUL_FIN : TCPHS_END_FIN;
	if (f->state == TCPHS_STATE_CLOSED &&
	    ((f->dflags[0] | f->dflags[1]) & TCPHS_DF_RST))
		return f->rst_dir == TCPHS_DIR_ORIG ? TCPHS_END_RST_ORIG :
						      TCPHS_END_RST_REPLY;
	return TCPHS_END_NONE;
}
