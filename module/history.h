/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Zeek-style connection history: one letter per kind of segment seen, upper
 * case for the opener's side, lower case for the responder's.
 */
#ifndef _TCPHS_HISTORY_H
#define _TCPHS_HISTORY_H

#include <linux/kernel.h>
#include <linux/types.h>
#include <linux/tcphs.h>

#include "fsm.h"

/* Letters in a history, at most; the string form takes one byte more. */
#define TCPHS_HISTORY_LETTERS	(TCPHS_HISTORY_LEN - 1)

/*
 * The letters, five bits each (see history.c), and per direction the
 * low 16 bits of the sequence number of the last h, f or r (the letter seen
 * again with another number is recorded again) and which of the three it
 * was. Which letters a
 * side has shown is read off the letters themselves. Packed: it sits
 * unaligned in a flow.
 */
struct tcphs_history {
	u8 code[DIV_ROUND_UP(TCPHS_HISTORY_LETTERS * 5, 8)];
	u16 mark[2];			/* seq of the last h, f or r, low bits */
} __packed;

void tcphs_history_init(struct tcphs_history *h);
void tcphs_history_update(struct tcphs_history *h, const struct tcphs_seg *seg,
			  unsigned int dir, const struct tcphs_verdict *v);
void tcphs_history_bad_checksum(struct tcphs_history *h, unsigned int dir);
void tcphs_history_str(const struct tcphs_history *h, char str[TCPHS_HISTORY_LEN]);

#endif /* _TCPHS_HISTORY_H */
