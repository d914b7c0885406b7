/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcphs: the module's aggregates per responder port (TCPHS_CMD_GET_PORTS),
 * and what tcphs metrics and tcphs top make of them.
 */
#ifndef _TCPHS_PORTS_H
#define _TCPHS_PORTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <linux/netlink.h>
#include <linux/tcphs.h>

/* The histograms of a port: SYN to SYN-ACK, SYN-ACK to ACK. */
#define TCPHS_HISTS	2

/* One port's aggregates, or those of the ports counted together (rest). */
struct tcphs_port_row {
	bool rest;
	uint16_t port;
	uint64_t c[__TCPHS_PC_MAX];
	uint64_t hist[TCPHS_HISTS][TCPHS_HIST_BUCKETS];
	uint64_t half_open;		/* flows in the table, not yet established */
};

int tcphs_port_parse(const struct nlmsghdr *nlh, struct tcphs_port_row *r,
		     char *err, size_t errlen);
double tcphs_hist_le(unsigned int bucket);
uint64_t tcphs_hist_count(const uint64_t *h);
double tcphs_hist_quantile(const uint64_t *h, double q);

/* What tcphs metrics writes, gathered. */
struct tcphs_metrics {
	const uint64_t *stat;		/* __TCPHS_STAT_MAX counters */
	const bool *has_stat;
	uint32_t netns;
	uint32_t flows;
	uint64_t states[__TCPHS_STATE_MAX];	/* flows in the table per state */
	const struct tcphs_port_row *ports;
	size_t nports;
};

void tcphs_metrics_write(FILE *fp, const struct tcphs_metrics *m);

#endif /* _TCPHS_PORTS_H */
