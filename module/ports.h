/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Aggregates per responder port: counters and latency histograms of each
 * namespace's flows, per CPU, in a fixed number of places (see ports.c).
 */
#ifndef _TCPHS_PORTS_H
#define _TCPHS_PORTS_H

#include <linux/percpu.h>
#include <linux/types.h>
#include <linux/tcphs.h>

struct tcphs_net;

/* The histograms a latency goes into. */
enum tcphs_hist {
	TCPHS_HIST_SYN_SYNACK,
	TCPHS_HIST_SYNACK_ACK,
	__TCPHS_HIST_MAX
};

/* What one place counts, on one CPU, or summed over them. */
struct tcphs_port_counts {
	u64 c[__TCPHS_PC_MAX];
	u64 hist[__TCPHS_HIST_MAX][TCPHS_HIST_BUCKETS];
};

/*
 * A namespace's places: place i counts the port in port[i] (port + 1; 0
 * while free), place @nports the ports that found none. A port takes a
 * place for good the first time it is counted (cmpxchg, no lock).
 */
struct tcphs_ports {
	unsigned int nports;
	struct tcphs_port_counts __percpu *counts;	/* nports + 1 of them */
	u32 port[];
};

/* The most ports a namespace counts one by one (the ports parameter). */
#define TCPHS_PORTS_MAX		64

int tcphs_ports_net_init(struct tcphs_net *tn, unsigned int nports);
void tcphs_ports_net_exit(struct tcphs_net *tn);

void tcphs_ports_count(struct tcphs_net *tn, __be16 port, enum tcphs_port_counter c);
void tcphs_ports_outcome(struct tcphs_net *tn, __be16 port, enum tcphs_outcome o);
void tcphs_ports_latency(struct tcphs_net *tn, __be16 port, enum tcphs_hist h, u64 ns);
unsigned int tcphs_hist_bucket(u64 ns);

/* Reading: the port of place @i (-1 for the last, the rest), its sums. */
unsigned int tcphs_ports_places(const struct tcphs_net *tn);
bool tcphs_ports_read(const struct tcphs_net *tn, unsigned int i, int *port,
		      struct tcphs_port_counts *sum);

#endif /* _TCPHS_PORTS_H */
