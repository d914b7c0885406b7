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

struct tcphs_history {
	char str[TCPHS_HISTORY_LEN];	/* NUL-terminated */
	u16 seen[2];			/* letters recorded, per direction */
	u32 synack_seq[2];		/* seq of the last 'h' recorded */
	u32 fin_seq[2];			/* seq of the last 'f' recorded */
	u32 rst_seq[2];			/* seq of the last 'r' recorded */
};

void tcphs_history_init(struct tcphs_history *h);
void tcphs_history_update(struct tcphs_history *h, const struct tcphs_seg *seg,
			  unsigned int dir, const struct tcphs_verdict *v);

#endif /* _TCPHS_HISTORY_H */
