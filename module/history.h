/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Zeek-style connection history: one letter per kind of segment seen, upper
 * case for the opener's side, lower case for the responder's.
 */
#ifndef _TCPHS_HISTORY_H
#define _TCPHS_HISTORY_H

#include <linux/types.h>
#include <linux/tcphs.h>

#include "fsm.h"

/*
 * The letters, and per direction the sequence number of the last h, f or r
 * recorded (the letter seen again with another number is recorded again).
 * Which letters a side has shown is read off the string itself.
 */
struct tcphs_history {
	char str[TCPHS_HISTORY_LEN];	/* NUL-terminated */
	u32 mark[2];			/* seq of the last h, f or r */
};

void tcphs_history_init(struct tcphs_history *h);
void tcphs_history_update(struct tcphs_history *h, const struct tcphs_seg *seg,
			  unsigned int dir, const struct tcphs_verdict *v);

#endif /* _TCPHS_HISTORY_H */
