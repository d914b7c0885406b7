// SPDX-License-Identifier: GPL-2.0
/*
 * Zeek-style connection history.
 *
 * Letters: s SYN, h SYN-ACK, a pure ACK, d data, f FIN, r RST,
 * t retransmission (payload, SYN, SYN-ACK or FIN sent again), w zero window,
 * i a flag combination no TCP sends, c a bad checksum. Upper case for the
 * originator. Each
 * letter is recorded once per direction, except that s is recorded again for
 * a SYN with a new ISN, and h, f and r when their sequence number changes
 * (one mark per side serves the three: see add_marked(); it keeps the low
 * 16 bits of the number, so one in 65536 repeats is missed). The history
 * is bounded; letters past its end are dropped.
 */

#include <linux/string.h>

#include "history.h"

enum {
	H_SYN, H_SYNACK, H_ACK, H_DATA, H_FIN, H_RST, H_RETRANS, H_ZEROWIN,
	H_INCONSISTENT, H_BAD_CHECKSUM,
};

static const char tcphs_history_letters[] = "shadfrtwic";

/*
 * Letter n of the history is bits [5n, 5n + 5) of code[], least significant
 * first: 0 ends the history, else 1 + 2 * letter + direction. Bits 75 to 78
 * say, two per direction, which letter the side's mark belongs to.
 */
#define TAG_SHIFT	75
#define TAG_BYTE	(TAG_SHIFT / 8)
static unsigned int code_get(const struct tcphs_history *h, unsigned int n)
{
	unsigned int bit = n * 5, byte = bit / 8;
	unsigned int v = h->code[byte];

	if (byte + 1 < sizeof(h->code))
		v |= h->code[byte + 1] << 8;
	return (v >> (bit % 8)) & 0x1f;
}

static void code_set(struct tcphs_history *h, unsigned int n, unsigned int code)
{
	unsigned int bit = n * 5, byte = bit / 8;
	unsigned int v = code << (bit % 8);

	h->code[byte] |= v;
	if (byte + 1 < sizeof(h->code))
		h->code[byte + 1] |= v >> 8;
}

static unsigned int code_len(const struct tcphs_history *h)
{
	unsigned int n = 0;

	while (n < TCPHS_HISTORY_LETTERS && code_get(h, n))
		n++;
	return n;
}

void tcphs_history_init(struct tcphs_history *h)
{
	BUILD_BUG_ON(2 * ARRAY_SIZE(tcphs_history_letters) > 0x1f);
	BUILD_BUG_ON(TAG_SHIFT < 5 * TCPHS_HISTORY_LETTERS ||
		     TAG_SHIFT + 4 > 8 * sizeof(h->code));
	memset(h, 0, sizeof(*h));
}

/**
 * tcphs_history_str - the history as letters
 * @h: the history; the caller holds the flow's lock
 * @str: filled with up to 15 letters and a NUL, zero-padded
 */
void tcphs_history_str(const struct tcphs_history *h, char str[TCPHS_HISTORY_LEN])
{
	unsigned int n, code;

	memset(str, 0, TCPHS_HISTORY_LEN);
	for (n = 0; n < TCPHS_HISTORY_LETTERS && (code = code_get(h, n)); n++) {
		char c = tcphs_history_letters[(code - 1) / 2];

		str[n] = (code - 1) % 2 == TCPHS_DIR_ORIG ? c - 'a' + 'A' : c;
	}
}

static void add(struct tcphs_history *h, unsigned int dir, unsigned int letter,
		bool again)
{
	unsigned int len = code_len(h), code = 1 + 2 * letter + dir, n;

	/*
	 * A letter in the history has been seen. One that is not may have
	 * been seen once the history was full, but then nothing is added.
	 */
	for (n = 0; !again && n < len; n++)
		if (code_get(h, n) == code)
			return;
	if (len >= TCPHS_HISTORY_LETTERS)
		return;
	code_set(h, len, code);
}

/* The letter (H_SYNACK, H_FIN or H_RST) of @dir's mark, or -1 if none. */
static int mark_letter(const struct tcphs_history *h, unsigned int dir)
{
	static const int letters[] = { -1, H_SYNACK, H_FIN, H_RST };
	unsigned int shift = TAG_SHIFT % 8 + 2 * dir;

	return letters[(h->code[TAG_BYTE] >> shift) & 3];
}

static void set_mark(struct tcphs_history *h, unsigned int dir, unsigned int letter, u32 seq)
{
	unsigned int shift = TAG_SHIFT % 8 + 2 * dir;
	unsigned int tag = letter == H_SYNACK ? 1 : letter == H_FIN ? 2 : 3;

	h->code[TAG_BYTE] = (h->code[TAG_BYTE] & ~(3 << shift)) | tag << shift;
	h->mark[dir] = (u16)seq;
}

/*
 * An h, f or r is recorded again when its number is not that of the side's
 * last one. If another of the three came from the side in between, that
 * number is gone: then it is recorded again unless the state machine took
 * it for a retransmission.
 */
static void add_marked(struct tcphs_history *h, unsigned int dir, unsigned int letter,
		       u32 seq, const struct tcphs_verdict *v)
{
	bool again;

	if (mark_letter(h, dir) == (int)letter)
		again = (u16)seq != h->mark[dir];
	else
		again = !v->retrans;
	add(h, dir, letter, again);
	set_mark(h, dir, letter, seq);
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
 * tcphs_history_bad_checksum - a segment with a bad checksum came from @dir
 * @h: the flow's history; the caller holds the flow's lock
 * @dir: its direction
 *
 * Nothing else of such a segment is believed: its flags may be noise.
 */
void tcphs_history_bad_checksum(struct tcphs_history *h, unsigned int dir)
{
	add(h, !!dir, H_BAD_CHECKSUM, false);
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
		add_marked(h, dir, H_RST, seg->seq, v);
		return;
	}

	if ((fl & TCPHS_SYN) && !(fl & TCPHS_ACK))
		add(h, dir, H_SYN, has_kind(v, TCPHS_K_SYN_NEW));
	else if (fl & TCPHS_SYN)
		add_marked(h, dir, H_SYNACK, seg->seq, v);
	else if ((fl & TCPHS_ACK) && !seg->len && !(fl & TCPHS_FIN))
		add(h, dir, H_ACK, false);

	if (seg->len)
		add(h, dir, H_DATA, false);

	if (fl & TCPHS_FIN)
		add_marked(h, dir, H_FIN, seg->seq + seg->len, v);

	if (v->retrans || v->data_retrans)
		add(h, dir, H_RETRANS, false);

	if (!seg->window && (fl & TCPHS_ACK) && !(fl & TCPHS_SYN))
		add(h, dir, H_ZEROWIN, false);
}
