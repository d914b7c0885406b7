/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcphs: the flow table as text, "tcphs list" and "tcphs pcap": columns
 * chosen by name, widths from the rows.
 */
#ifndef _TCPHS_TABLE_H
#define _TCPHS_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"

#define TCPHS_TABLE_MAX_COLS	32

struct tcphs_table {
	uint8_t cols[TCPHS_TABLE_MAX_COLS];	/* indices of the columns shown */
	unsigned int ncols;
	bool no_header;
	bool auto_nat;		/* add nat_orig, nat_reply if a flow has them */
	bool has_now;
	uint64_t now_ns;	/* for AGE: the flows' clock now */
};

void tcphs_table_default(struct tcphs_table *t, bool wide);
int tcphs_table_add_column(struct tcphs_table *t, const char *name,
			   char *err, size_t errlen);
bool tcphs_table_is_column(const char *name);
void tcphs_table_print(FILE *fp, const struct tcphs_table *t,
		       const struct tcphs_flow *v, size_t n);

#endif /* _TCPHS_TABLE_H */
