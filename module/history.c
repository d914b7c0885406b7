// SPDX-License-Identifier: GPL-2.0
/*
 * Zeek-style connection history.
 *
 * Letters: s SYN, h SYN-ACK, a pure ACK, d data, f FIN, r RST,
 * t retransmission (payload, SYN, SYN-ACK or FIN sent again), w zero window,
 * i a flag combination no TCP sends. Upper case for the originator. Each
 * letter is recorded once per direction, except that s is recorded again for
 * a SYN with a new ISN, and h, f and r when the segment's sequence number
 * differs from that of the last h, f or r from the same side. The string is
 * bounded; letters past its end are dropped.
 */

#include <linux/string.h>

#include "history.h"

enum {
	H_SYN, H_SYNACK, H_ACK, H_DATA, H_FIN, H_RST, H_RETRANS, H_ZEROWIN,
	H_INCONSISTENT,
};

static const char tcphs_history_letters[] = "shadfrtwi";

void tcphs_history_init(struct tcphs_history *h)
{
	memset(h, 0, sizeof(*h));
}

static void add(struct tcphs_history *h, unsigned int dir, unsigned int letter,
		bool again)
{
	size_t len = strnlen(h->str, sizeof(h->str));
	char c = tcphs_history_letters[letter];

	if (dir == TCPHS_DIR_ORIG)
		c = c - 'a' + 'A';
	/*
	 * A letter in the string has been seen. One that was not may have
	 * been seen once the string was full, but then nothing is added.
	 */
	if (!again && memchr(h->str, c, len))
		return;
	if (len >= sizeof(h->str) - 1)
		return;
	h->str[len] = c;
	h->str[len + 1] = '\0';
}

/* An h, f or r: again if its number is not that of the side's last one. */
static void add_marked(struct tcphs_history *h, unsigned int dir, unsigned int letter,
		       u32 seq)
{
	add(h, dir, letter, seq != h->mark[dir]);
	h->mark[dir] = seq;
}

static bool has_kind(const struct tcphs_verdict *v, unsigned int kind)
{
	unsigned int i;

	for (i = 0; i < v->nsteps; i++)
		if (v->step[i].kind == kind)
			return true;
	return false;
}

/**
 * tcphs_history_update - add the letters of one segment
 * @h: the flow's history; the caller holds the flow's lock
 * @seg: the segment
 * @dir: its direction
 * @v: what the state machine made of it
 */
void tcphs_history_update(struct tcphs_history *h, const struct tcphs_seg *seg,
			  unsigned int dir, const struct tcphs_verdict *v)
{
	u8 fl = seg->flags;

	dir = !!dir;
	if (!tcphs_fsm_valid_flags(fl)) {
		add(h, dir, H_INCONSISTENT, false);
		return;
	}

	if (fl & TCPHS_RST) {
		add_marked(h, dir, H_RST, seg->seq);
		return;
	}

	if ((fl & TCPHS_SYN) && !(fl & TCPHS_ACK))
		add(h, dir, H_SYN, has_kind(v, TCPHS_K_SYN_NEW));
	else if (fl & TCPHS_SYN)
		add_marked(h, dir, H_SYNACK, seg->seq);
	else if ((fl & TCPHS_ACK) && !seg->len && !(fl & TCPHS_FIN))
		add(h, dir, H_ACK, false);

	if (seg->len)
		add(h, dir, H_DATA, false);

	if (fl & TCPHS_FIN)
		add_marked(h, dir, H_FIN, seg->seq + seg->len);

	if (v->retrans || v->data_retrans)
		add(h, dir, H_RETRANS, false);

	if (!seg->window && (fl & TCPHS_ACK) && !(fl & TCPHS_SYN))
		add(h, dir, H_ZEROWIN, false);
}
