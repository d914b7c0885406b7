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
#define RESYNC		{ TCPHS_ACT_RESYNC, 0, TCPHS_EV_RESYNC }

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
 * closes any live flow; one in the window but not exact draws a challenge
 * ACK from the receiver, one outside it is dropped: both are invalid and
 * change nothing. So is a SYN on a synchronized flow (RFC 5961 section 4:
 * the receiver answers with a challenge ACK), but it is remembered: should
 * the other side answer it with a SYN-ACK, the endpoints have started a new
 * connection that tcphs missed the end of the old one for, and the flow is
 * restarted from that SYN (RESYNC, as conntrack resynchronises). Any other
 * segment outside the receiver's window (checked once both SYNs gave the
 * window scales) is invalid too. Flag combinations no TCP sends are invalid
 * everywhere.
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
		[TCPHS_K_RST_CHALLENGE]	= INVAL,
		[TCPHS_K_OUT_OF_WINDOW]	= INVAL,
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
		[TCPHS_K_RST_CHALLENGE]	= INVAL,
		[TCPHS_K_OUT_OF_WINDOW]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_SYN_RECV] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_RE]	= KEEP(SYN_RETRANS),
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= GO(ESTABLISHED, ESTABLISHED),
		[TCPHS_K_SYNACK_RE]	= KEEP(SYN_ACK_RETRANS),
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_SYN]	= GO(ESTABLISHED, ESTABLISHED),
		[TCPHS_K_ACK_BAD]	= INVAL,
		[TCPHS_K_FIN]		= GO(FIN_WAIT_1, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_RST_CHALLENGE]	= INVAL,
		[TCPHS_K_OUT_OF_WINDOW]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_ESTABLISHED] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_RE]	= KEEP(SYN_RETRANS),
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= INVAL,
		[TCPHS_K_SYNACK_RE]	= KEEP(SYN_ACK_RETRANS),
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_FIN]		= GO(FIN_WAIT_1, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_RST_CHALLENGE]	= INVAL,
		[TCPHS_K_SYNACK_RESYNC]	= RESYNC,
		[TCPHS_K_OUT_OF_WINDOW]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_FIN_WAIT_1] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_RE]	= KEEP(SYN_RETRANS),
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= INVAL,
		[TCPHS_K_SYNACK_RE]	= KEEP(SYN_ACK_RETRANS),
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_SYN]	= KEEP(ESTABLISHED),
		[TCPHS_K_ACK_FIN]	= GO(FIN_WAIT_2, FIN_ACKED),
		[TCPHS_K_FIN]		= GO(CLOSING, FIN),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_RST_CHALLENGE]	= INVAL,
		[TCPHS_K_SYNACK_RESYNC]	= RESYNC,
		[TCPHS_K_OUT_OF_WINDOW]	= INVAL,
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
		[TCPHS_K_RST_CHALLENGE]	= INVAL,
		[TCPHS_K_SYNACK_RESYNC]	= RESYNC,
		[TCPHS_K_OUT_OF_WINDOW]	= INVAL,
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
		[TCPHS_K_RST_CHALLENGE]	= INVAL,
		[TCPHS_K_SYNACK_RESYNC]	= RESYNC,
		[TCPHS_K_OUT_OF_WINDOW]	= INVAL,
		[TCPHS_K_BAD_FLAGS]	= INVAL,
	},
	[TCPHS_STATE_LAST_ACK] = {
		[TCPHS_K_SYN]		= INVAL,
		[TCPHS_K_SYN_NEW]	= INVAL,
		[TCPHS_K_SYNACK]	= INVAL,
		[TCPHS_K_SYNACK_BAD]	= INVAL,
		[TCPHS_K_ACK_SYN]	= KEEP(ESTABLISHED),
		[TCPHS_K_ACK_FIN]	= GO(TIME_WAIT, TIME_WAIT),
		[TCPHS_K_RST]		= GO(CLOSED, RST),
		[TCPHS_K_RST_BAD]	= INVAL,
		[TCPHS_K_RST_CHALLENGE]	= INVAL,
		[TCPHS_K_SYNACK_RESYNC]	= RESYNC,
		[TCPHS_K_OUT_OF_WINDOW]	= INVAL,
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
	BUILD_BUG_ON(TCPHS_WSCALE_MAX >= TCPHS_WS_NONE);
	memset(fsm, 0, sizeof(*fsm));
	fsm->state = TCPHS_STATE_NONE;
	fsm->wscale = TCPHS_WS_UNKNOWN;
}

/* Window scale nibbles: the originator's low, the responder's high. */
static unsigned int ws_get(const struct tcphs_fsm *f, unsigned int dir)
{
	return (f->wscale >> (4 * dir)) & 0xf;
}

static void ws_set(struct tcphs_fsm *f, unsigned int dir, unsigned int ws)
{
	f->wscale = (f->wscale & ~(0xf << (4 * dir))) | ws << (4 * dir);
}

/* A segment's option as a nibble: its shift, or TCPHS_WS_NONE. */
static unsigned int ws_of(const struct tcphs_seg *seg)
{
	if (seg->wscale == TCPHS_WSCALE_NONE)
		return TCPHS_WS_NONE;
	return min_t(unsigned int, seg->wscale, TCPHS_WSCALE_MAX);
}

/* Are both sides' window scales known, so that windows can be checked? */
static bool window_known(const struct tcphs_fsm *f)
{
	return ws_get(f, 0) != TCPHS_WS_NONE && ws_get(f, 1) != TCPHS_WS_NONE;
}

/* Has @dir advertised a window since the scales became known? */
static bool rwin_known(const struct tcphs_fsm *f, unsigned int dir)
{
	return window_known(f) && (f->rwin_valid & BIT(dir));
}

/*
 * How far before what @dir acknowledged a segment to it may start and
 * still be taken as a late copy: its window now, and at least 64 KiB (a
 * receive window shrinks as the receiver's buffer fills).
 */
static u32 rwin_slack(const struct tcphs_fsm *f, unsigned int dir)
{
	u32 win = f->rwin_end[dir] - f->last_ack[dir];

	if ((s32)win < 0)
		win = 0;
	return max_t(u32, win, U16_MAX);
}

/* Is @seq in [@lo, @hi] (modulo 2^32)? */
static bool seq_between(u32 seq, u32 lo, u32 hi)
{
	return !seq_before(seq, lo) && !seq_after(seq, hi);
}

/*
 * Would the receiver take this segment (neither SYN nor RST), as RFC 793's
 * acceptability test and RFC 5961's ACK test say, with the slack an
 * observer needs (conntrack's tcp_in_window() in spirit)? Its sequence
 * numbers must fall in the window the receiver advertised, or be at most a
 * window old; its ACK must not acknowledge what the receiver never sent,
 * nor be more than a window older than what the sender acknowledged
 * before. Only once both window scales are known: a flow picked up
 * mid-stream, or opened by both sides at once, is not checked.
 */
static bool in_window(const struct tcphs_fsm *f, const struct tcphs_seg *seg,
		      unsigned int dir)
{
	unsigned int peer = !dir;
	u32 end = seg->seq + seg->len + !!(seg->flags & TCPHS_FIN);

	if (!window_known(f))
		return true;
	if (rwin_known(f, peer) &&
	    (seq_after(seg->seq, f->rwin_end[peer]) ||
	     seq_before(end, f->last_ack[peer] - rwin_slack(f, peer))))
		return false;
	if (!(seg->flags & TCPHS_ACK))
		return true;
	if ((f->dflags[peer] & TCPHS_DF_SEQ) && seq_after(seg->ack, f->snd_end[peer]))
		return false;
	if (rwin_known(f, dir) &&
	    seq_before(seg->ack, f->last_ack[dir] - rwin_slack(f, dir)))
		return false;
	return true;
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

/*
 * What the receiver makes of this reset (RFC 5961 section 3): exactly the
 * next sequence number expected resets (TCPHS_K_RST), another one in the
 * window draws a challenge ACK, any other is dropped; both change nothing.
 */
static unsigned int rst_kind(const struct tcphs_fsm *f, const struct tcphs_seg *seg,
			     unsigned int dir)
{
	unsigned int peer = !dir;
	u8 mine = f->dflags[dir], theirs = f->dflags[peer];

	if (!(mine & TCPHS_DF_SEQ) && (theirs & TCPHS_DF_SYN) &&
	    !(theirs & TCPHS_DF_SYN_ACKED))
		/* A reply to a SYN (RFC 793, SYN-SENT): it must ack the SYN. */
		return (seg->flags & TCPHS_ACK) &&
		       seq_acks(seg->ack, f->isn[peer], f->snd_end[peer]) ?
		       TCPHS_K_RST : TCPHS_K_RST_BAD;

	if ((mine & TCPHS_DF_SEQ) && seg->seq == f->snd_end[dir])
		return TCPHS_K_RST;
	if ((theirs & TCPHS_DF_ACK) && seg->seq == f->last_ack[peer])
		return TCPHS_K_RST;
	/* Nothing known to check against (a flow picked up by its RST). */
	if (!(mine & TCPHS_DF_SEQ) && !(theirs & TCPHS_DF_ACK))
		return TCPHS_K_RST;
	if (rwin_known(f, peer) &&
	    seq_between(seg->seq, f->last_ack[peer], f->rwin_end[peer]))
		return TCPHS_K_RST_CHALLENGE;
	return TCPHS_K_RST_BAD;
}

/* Does this SYN-ACK answer the SYN refused on the synchronized flow? */
static bool answers_resync(const struct tcphs_fsm *f, const struct tcphs_seg *seg,
			   unsigned int dir)
{
	return (f->resync & TCPHS_RS_PENDING) &&
	       !!(f->resync & TCPHS_RS_DIR) != dir &&
	       (u16)(seg->ack - 1) == f->resync_seq;
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
		kinds[n++] = rst_kind(f, seg, dir);
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
		if (answers_resync(f, seg, dir))
			kinds[n++] = TCPHS_K_SYNACK_RESYNC;
		else if (mine & TCPHS_DF_SYNACK)
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

	if (!in_window(f, seg, dir)) {
		kinds[n++] = TCPHS_K_OUT_OF_WINDOW;
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
		    seq_acks(seg->ack, tcphs_fsm_fin_seq(f, peer), f->snd_end[peer]))
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
		f->rwin_valid = 0;
		/* Scales for an open by one side; both SYNs at once: none. */
		f->wscale = TCPHS_WS_UNKNOWN;
		if (f->opener != TCPHS_OPENER_BOTH)
			ws_set(f, dir, ws_of(seg));
		break;
	case TCPHS_K_SYNACK:
		if (!(f->dflags[peer] & TCPHS_DF_SYN)) {
			/* Picked up at the SYN-ACK: infer the SYN it acks. */
			f->isn[peer] = seg->ack - 1;
			f->snd_end[peer] = seg->ack;
			f->dflags[peer] |= TCPHS_DF_SYN | TCPHS_DF_SEQ;
			f->opener = TCPHS_OPENER_INFERRED;
		} else if (f->opener != TCPHS_OPENER_BOTH) {
			/* RFC 7323: scaling only if both SYNs offered it. */
			unsigned int theirs = ws_get(f, peer), mine = ws_of(seg);

			if (theirs == TCPHS_WS_NONE || mine == TCPHS_WS_NONE) {
				theirs = 0;
				mine = 0;
			}
			ws_set(f, peer, theirs);
			ws_set(f, dir, mine);
			f->rwin_valid = 0;
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
		/* The FIN ends what this side sends: snd_end stays past it. */
		f->dflags[dir] |= TCPHS_DF_FIN | TCPHS_DF_SEQ;
		f->snd_end[dir] = seg->seq + seg->len + 1;
		break;
	case TCPHS_K_RST:
		if (!((f->dflags[dir] | f->dflags[peer]) & TCPHS_DF_RST))
			f->rst_dir = dir;
		f->dflags[dir] |= TCPHS_DF_RST;
		break;
	}
}

/*
 * Keep per side the highest sequence number sent (not past its FIN), the
 * highest ack and the right edge of the window it advertised.
 */
static void advance(struct tcphs_fsm *f, const struct tcphs_seg *seg, unsigned int dir)
{
	u32 end = seg->seq + seg->len, edge;

	if (seg->flags & TCPHS_RST)
		return;
	if (seg->flags & TCPHS_SYN)
		end++;
	if (seg->flags & TCPHS_FIN)
		end++;
	if (!(f->dflags[dir] & TCPHS_DF_SEQ) ||
	    (!(f->dflags[dir] & TCPHS_DF_FIN) && seq_after(end, f->snd_end[dir]))) {
		f->snd_end[dir] = end;
		f->dflags[dir] |= TCPHS_DF_SEQ;
	}
	if (!(seg->flags & TCPHS_ACK))
		return;
	if (!(f->dflags[dir] & TCPHS_DF_ACK) || seq_after(seg->ack, f->last_ack[dir])) {
		f->last_ack[dir] = seg->ack;
		f->dflags[dir] |= TCPHS_DF_ACK;
	}
	if (!window_known(f))
		return;
	/* A SYN's window is never scaled (RFC 7323). */
	edge = seg->ack + ((u32)seg->window <<
			   ((seg->flags & TCPHS_SYN) ? 0 : ws_get(f, dir)));
	if (!(f->rwin_valid & BIT(dir)) || seq_after(edge, f->rwin_end[dir])) {
		f->rwin_end[dir] = edge;
		f->rwin_valid |= BIT(dir);
	}
}

/* States where both ends are synchronized (RFC 793), as the observer sees it. */
static bool synchronized(unsigned int state)
{
	return state >= TCPHS_STATE_ESTABLISHED && state <= TCPHS_STATE_LAST_ACK;
}

/* Keep a SYN refused on a synchronized flow, in case it is answered. */
static void remember_syn(struct tcphs_fsm *f, const struct tcphs_seg *seg, unsigned int dir)
{
	f->resync = TCPHS_RS_PENDING | (dir ? TCPHS_RS_DIR : 0) |
		    ws_of(seg) << TCPHS_RS_WS_SHIFT;
	f->resync_seq = (u16)seg->seq;
}

/* The SYN a SYN-ACK of kind TCPHS_K_SYNACK_RESYNC answers. */
static void resync_syn(const struct tcphs_fsm *f, const struct tcphs_seg *synack,
		       struct tcphs_verdict *v)
{
	unsigned int ws = (f->resync >> TCPHS_RS_WS_SHIFT) & 0xf;

	v->resync_dir = !!(f->resync & TCPHS_RS_DIR);
	v->resync_syn = (struct tcphs_seg){
		.seq = synack->ack - 1,
		.flags = TCPHS_SYN,
		.wscale = ws == TCPHS_WS_NONE ? TCPHS_WSCALE_NONE : ws,
	};
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
		case TCPHS_ACT_RESYNC:
			/* The step is the old flow's last: it goes to CLOSED. */
			resync_syn(fsm, seg, v);
			v->resync = true;
			fsm->state = TCPHS_STATE_CLOSED;
			fsm->resync = 0;
			s->new_state = fsm->state;
			return;
		case TCPHS_ACT_INVALID:
			s->new_state = fsm->state;
			v->invalid = true;
			if ((kinds[i] == TCPHS_K_SYN || kinds[i] == TCPHS_K_SYN_NEW) &&
			    synchronized(fsm->state))
				remember_syn(fsm, seg, dir);
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
 * Once both sides sent their FIN a reset changes nothing (SF), as in Zeek.
 * One difference: a segment the receiver would refuse (an RST out of the
 * window, anything out of it, a bad checksum) is not taken at all.
 */
enum tcphs_conn_state tcphs_fsm_conn_state(const struct tcphs_fsm *f)
{
	u8 o = f->dflags[TCPHS_DIR_ORIG], r = f->dflags[TCPHS_DIR_REPLY];
	/* The originator's SYN was seen; the responder answered with its own. */
	bool o_active = f->opener == TCPHS_OPENER_ORIG || f->opener == TCPHS_OPENER_BOTH;
	bool r_active = r & TCPHS_DF_SYN;

	/* Both closed: Zeek keeps the endpoints closed through a later RST. */
	if ((o & TCPHS_DF_FIN) && (r & TCPHS_DF_FIN))
		return TCPHS_CS_SF;
	/* In the order Zeek's conn_state() decides, responder's RST first. */
	if (r & TCPHS_DF_RST) {
		/* Reset before any SYN-ACK answered the SYN: refused. */
		if (o_active && !(o & TCPHS_DF_SYN_ACKED))
			return TCPHS_CS_REJ;
		return o_active ? TCPHS_CS_RSTR : TCPHS_CS_RSTRH;
	}
	if (o & TCPHS_DF_RST)
		return o_active && !r_active ? TCPHS_CS_RSTOS0 : TCPHS_CS_RSTO;
	if (o & TCPHS_DF_FIN)
		return r_active ? TCPHS_CS_S2 : TCPHS_CS_SH;
	if (r & TCPHS_DF_FIN)
		return o_active ? TCPHS_CS_S3 : TCPHS_CS_SHR;
	if (o_active && !r_active)
		return TCPHS_CS_S0;
	/*
	 * Established as Zeek sees it: the responder's SYN-ACK answered the
	 * originator's SYN (both endpoints are then ESTABLISHED in Zeek, with
	 * or without the final ACK).
	 */
	if (o_active && (o & TCPHS_DF_SYN_ACKED))
		return TCPHS_CS_S1;
	return TCPHS_CS_OTH;
}

/**
 * tcphs_fsm_refusal - the counter that says why a step was refused
 * @s: an invalid step (TCPHS_ACT_INVALID)
 *
 * Returns TCPHS_STAT_OUT_OF_WINDOW for a segment the receiver drops as out
 * of its window, TCPHS_STAT_CHALLENGE_ACK for one it answers with a
 * challenge ACK (RFC 5961: an RST in the window but not exact, a SYN on a
 * synchronized flow), __TCPHS_STAT_MAX for other invalid steps.
 */
enum tcphs_stat tcphs_fsm_refusal(const struct tcphs_step *s)
{
	switch (s->kind) {
	case TCPHS_K_RST_BAD:
	case TCPHS_K_OUT_OF_WINDOW:
		return TCPHS_STAT_OUT_OF_WINDOW;
	case TCPHS_K_RST_CHALLENGE:
		return TCPHS_STAT_CHALLENGE_ACK;
	case TCPHS_K_SYN:
	case TCPHS_K_SYN_NEW:
		return synchronized(s->old_state) ? TCPHS_STAT_CHALLENGE_ACK : __TCPHS_STAT_MAX;
	default:
		return __TCPHS_STAT_MAX;
	}
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

/* Did @dir send payload? A side seen without its SYN is taken to have. */
static bool sent_data(const struct tcphs_fsm *f, unsigned int dir)
{
	u8 df = f->dflags[dir];
	u32 sent;

	if (!(df & TCPHS_DF_SEQ))
		return false;
	if (!(df & TCPHS_DF_SYN))
		return true;
	/* snd_end counts the SYN and, once sent, the FIN. */
	sent = f->snd_end[dir] - f->isn[dir] - 1 - !!(df & TCPHS_DF_FIN);
	return sent != 0;
}

/**
 * tcphs_fsm_stage - how far a flow has come
 * @f: the flow's protocol state
 *
 * The handshake lasts until each SYN seen was acknowledged (a flow picked
 * up mid-stream never had one); a FIN from either side starts the close.
 */
enum tcphs_stage tcphs_fsm_stage(const struct tcphs_fsm *f)
{
	u8 o = f->dflags[TCPHS_DIR_ORIG], r = f->dflags[TCPHS_DIR_REPLY];
	bool synced;

	if ((o | r) & TCPHS_DF_FIN)
		return TCPHS_STAGE_CLOSING;
	if (f->opener == TCPHS_OPENER_UNKNOWN)
		synced = tcphs_fsm_both_seen(f);
	else
		synced = (o & TCPHS_DF_SYN_ACKED) && (r & TCPHS_DF_SYN_ACKED);
	if (!synced)
		return TCPHS_STAGE_HANDSHAKE;
	if (sent_data(f, TCPHS_DIR_ORIG) || sent_data(f, TCPHS_DIR_REPLY))
		return TCPHS_STAGE_DATA;
	return TCPHS_STAGE_ESTABLISHED;
}

/**
 * tcphs_fsm_outcome - how a finished flow turned out
 * @f: the flow's protocol state
 * @timed_out: the flow table closed it for want of packets
 *
 * TCPHS_OUT_NONE while the flow is open. Both FINs sent is a completed
 * connection whatever follows (as conntrack's SF), and an RST to the SYN a
 * refusal; other resets are told apart by who sent them, their stage by
 * tcphs_fsm_stage(). A timeout is named after what was missing. Eviction
 * and restarts are the flow table's and the caller's to name.
 */
enum tcphs_outcome tcphs_fsm_outcome(const struct tcphs_fsm *f, bool timed_out)
{
	u8 o = f->dflags[TCPHS_DIR_ORIG], r = f->dflags[TCPHS_DIR_REPLY];

	if (!timed_out && f->state != TCPHS_STATE_TIME_WAIT && f->state != TCPHS_STATE_CLOSED)
		return TCPHS_OUT_NONE;
	if ((o & TCPHS_DF_FIN) && (r & TCPHS_DF_FIN))
		return TCPHS_OUT_COMPLETED;
	if (!timed_out) {
		if (!((o | r) & TCPHS_DF_RST))
			return TCPHS_OUT_NONE;
		if (f->rst_dir == TCPHS_DIR_ORIG)
			return TCPHS_OUT_RESET_ORIG;
		return tcphs_fsm_conn_state(f) == TCPHS_CS_REJ ? TCPHS_OUT_REFUSED :
								  TCPHS_OUT_RESET_REPLY;
	}
	switch (tcphs_fsm_stage(f)) {
	case TCPHS_STAGE_HANDSHAKE:
		/* The responder answered (a SYN-ACK, or its own SYN) in vain. */
		if (r & (TCPHS_DF_SYN | TCPHS_DF_SYNACK))
			return TCPHS_OUT_SYN_ACK_UNANSWERED;
		return TCPHS_OUT_NO_ANSWER;
	case TCPHS_STAGE_CLOSING:
		return TCPHS_OUT_HALF_CLOSED;
	default:
		return TCPHS_OUT_IDLE;
	}
}
