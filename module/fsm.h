/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The handshake state machine: pure functions of (flow state, segment,
 * direction). No locks, no allocation, no clock; the caller serialises calls
 * for one flow.
 */
#ifndef _TCPHS_FSM_H
#define _TCPHS_FSM_H

#include <linux/bits.h>
#include <linux/compiler.h>
#include <linux/types.h>
#include <linux/tcphs.h>

/* TCP flag bits as in byte 13 of the header. */
#define TCPHS_FIN	0x01
#define TCPHS_SYN	0x02
#define TCPHS_RST	0x04
#define TCPHS_PSH	0x08
#define TCPHS_ACK	0x10
#define TCPHS_URG	0x20
#define TCPHS_ECE	0x40
#define TCPHS_CWR	0x80

/* The part of a TCP segment the state machine looks at. */
struct tcphs_seg {
	u32 seq;
	u32 ack;
	u32 len;		/* payload bytes */
	u16 window;		/* as on the wire, unscaled */
	u8 flags;		/* TCPHS_FIN ... TCPHS_CWR */
	u8 wscale;		/* a SYN's window scale option, or TCPHS_WSCALE_NONE */
};

/* tcphs_seg.wscale of a segment without the option. */
#define TCPHS_WSCALE_NONE	0xff
/* The largest shift RFC 7323 allows; larger ones are taken as this. */
#define TCPHS_WSCALE_MAX	14

/*
 * What a segment is, given what the flow has seen. The state machine is a
 * table indexed by state and kind; the sequence checks live in the
 * classification, so that the table reads like the protocol.
 */
enum tcphs_kind {
	TCPHS_K_NONE,		/* not a step: no flag that matters */
	TCPHS_K_SYN,		/* first SYN from this side */
	TCPHS_K_SYN_RE,		/* the same SYN again (same seq) */
	TCPHS_K_SYN_NEW,	/* a SYN with a new ISN from a side that sent one */
	TCPHS_K_SYNACK,		/* SYN-ACK acknowledging the peer's SYN (x+1) */
	TCPHS_K_SYNACK_RE,	/* the same SYN-ACK again */
	TCPHS_K_SYNACK_BAD,	/* SYN-ACK that does not acknowledge the SYN */
	TCPHS_K_ACK_SYN,	/* acknowledges the peer's SYN (y+1) */
	TCPHS_K_ACK_BAD,	/* the peer's SYN awaits its ACK, this is not it */
	TCPHS_K_ACK_FIN,	/* acknowledges the peer's FIN (seq+1) */
	TCPHS_K_ACK,		/* an ACK or data with nothing new to say */
	TCPHS_K_FIN,		/* first FIN from this side */
	TCPHS_K_FIN_RE,		/* this side's FIN again */
	TCPHS_K_RST,		/* a reset the receiver would accept */
	TCPHS_K_RST_BAD,	/* a reset outside the window (RFC 5961) */
	TCPHS_K_RST_CHALLENGE,	/* in the window, not exact: challenge ACK */
	TCPHS_K_SYNACK_RESYNC,	/* answers a SYN refused on a synchronized flow */
	TCPHS_K_OUT_OF_WINDOW,	/* outside the receiver's window */
	TCPHS_K_BAD_FLAGS,	/* a flag combination no TCP sends */
	__TCPHS_K_MAX
};

/* What the table says to do. */
enum tcphs_action {
	TCPHS_ACT_KEEP,		/* state kept; event if one is given */
	TCPHS_ACT_GO,		/* move to the given state with its event */
	TCPHS_ACT_INVALID,	/* numbers do not fit: count, state kept */
	TCPHS_ACT_RESTART,	/* a new connection reuses a finished tuple */
	TCPHS_ACT_RESYNC,	/* the endpoints restarted: follow them */
};

struct tcphs_cell {
	u8 action;		/* enum tcphs_action */
	u8 next;		/* enum tcphs_state, for TCPHS_ACT_GO */
	u8 event;		/* enum tcphs_event */
};

/* Per-direction facts, bits of tcphs_fsm.dflags[dir]. */
#define TCPHS_DF_SYN		BIT(0)	/* sent a SYN, isn[] valid */
#define TCPHS_DF_SYNACK		BIT(1)	/* sent a SYN-ACK */
#define TCPHS_DF_SYN_ACKED	BIT(2)	/* its SYN was acknowledged */
#define TCPHS_DF_FIN		BIT(3)	/* sent a FIN, fin_seq[] valid */
#define TCPHS_DF_FIN_ACKED	BIT(4)	/* its FIN was acknowledged */
#define TCPHS_DF_RST		BIT(5)	/* sent an accepted RST */
#define TCPHS_DF_SEQ		BIT(6)	/* snd_end[] valid */
#define TCPHS_DF_ACK		BIT(7)	/* last_ack[] valid */

/*
 * tcphs_fsm.wscale: each side's window scale, the originator's in the low
 * nibble. TCPHS_WS_NONE in a nibble: that side's SYN offered none (before
 * the SYN-ACK) or its scale is not known. Windows are checked only once both
 * are known (both SYNs seen: see window_known() in fsm.c).
 */
#define TCPHS_WS_NONE		0xf
#define TCPHS_WS_UNKNOWN	0xff

/* tcphs_fsm.resync: a SYN refused on a synchronized flow, kept for its answer. */
#define TCPHS_RS_PENDING	BIT(0)	/* such a SYN was seen */
#define TCPHS_RS_DIR		BIT(1)	/* who sent it */
#define TCPHS_RS_WS_SHIFT	2	/* its window scale, TCPHS_WS_NONE if none */

/*
 * The protocol state of one flow. A side's FIN is at snd_end - 1: once a
 * side has sent its FIN, nothing it sends moves snd_end any further.
 */
struct tcphs_fsm {
	u32 isn[2];		/* initial sequence numbers */
	u32 snd_end[2];		/* highest seq + len (+SYN, +FIN) sent */
	u32 last_ack[2];	/* highest ack sent */
	u32 rwin_end[2];	/* right edge of the window advertised: ack + window */
	u8 dflags[2];		/* TCPHS_DF_* */
	u8 state;		/* enum tcphs_state */
	u8 opener:2;		/* enum tcphs_opener */
	u8 closer:1;		/* direction of the first FIN */
	u8 synack_dir:1;	/* direction of the accepted SYN-ACK */
	u8 simul_close:1;	/* passed through CLOSING */
	u8 rst_dir:1;		/* direction of the accepted RST */
	u8 rwin_valid:2;	/* bit per side: rwin_end[] set since scales known */
	u8 wscale;		/* see TCPHS_WS_NONE */
	u8 resync;		/* TCPHS_RS_* */
	u16 resync_seq;		/* low 16 bits of that SYN's sequence number */
};

/* The sequence number of @dir's FIN, valid if it sent one (TCPHS_DF_FIN). */
static inline u32 tcphs_fsm_fin_seq(const struct tcphs_fsm *fsm, unsigned int dir)
{
	return fsm->snd_end[dir] - 1;
}

#define TCPHS_MAX_STEPS	3

struct tcphs_step {
	u8 kind;		/* enum tcphs_kind */
	u8 action;		/* enum tcphs_action */
	u8 old_state;
	u8 new_state;
	u8 event;		/* enum tcphs_event, TCPHS_EV_NONE for none */
};

/* What one segment did to a flow. */
struct tcphs_verdict {
	struct tcphs_step step[TCPHS_MAX_STEPS];
	u8 nsteps;
	bool invalid;		/* a step was invalid; later steps not taken */
	bool restart;		/* caller must retire the flow and start anew */
	bool retrans;		/* SYN, SYN-ACK or FIN retransmission */
	bool data_retrans;	/* payload already sent once */
	bool resync;		/* caller must retire the flow and replay resync_syn */
	struct tcphs_seg resync_syn;	/* the SYN this SYN-ACK answers */
	u8 resync_dir;		/* who sent that SYN */
};

/* Has each side sent a segment the state machine took (not only an RST)? */
static inline bool tcphs_fsm_both_seen(const struct tcphs_fsm *fsm)
{
	return (READ_ONCE(fsm->dflags[0]) & TCPHS_DF_SEQ) &&
	       (READ_ONCE(fsm->dflags[1]) & TCPHS_DF_SEQ);
}

const struct tcphs_cell *tcphs_fsm_cell(unsigned int state, unsigned int kind);
void tcphs_fsm_init(struct tcphs_fsm *fsm);
void tcphs_fsm_segment(struct tcphs_fsm *fsm, const struct tcphs_seg *seg,
		       unsigned int dir, struct tcphs_verdict *v);
bool tcphs_fsm_valid_flags(u8 flags);
enum tcphs_conn_state tcphs_fsm_conn_state(const struct tcphs_fsm *fsm);
enum tcphs_stat tcphs_fsm_refusal(const struct tcphs_step *s);
enum tcphs_end tcphs_fsm_end(const struct tcphs_fsm *fsm);
enum tcphs_stage tcphs_fsm_stage(const struct tcphs_fsm *fsm);
enum tcphs_outcome tcphs_fsm_outcome(const struct tcphs_fsm *fsm, bool timed_out);

#endif /* _TCPHS_FSM_H */
