// SPDX-License-Identifier: GPL-2.0
/*
 * Aggregates per responder port, per namespace: how many flows each port
 * was asked for, how each turned out, the SYN and SYN-ACK retransmissions,
 * and log2 histograms of both halves of the handshake.
 *
 * A namespace has a fixed number of places (the ports parameter). A port
 * takes a free place the first time one of its flows is counted, found by
 * a short probe from its hash; a port that finds none is counted in the
 * last place, "the rest", so every flow is counted once whatever comes.
 * Counters are per CPU and never locked: the packet path adds with
 * this_cpu_add(), readers sum over the CPUs and may see a flow's counters
 * a moment apart.
 */

#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/math64.h>
#include <linux/percpu.h>
#include <linux/slab.h>

#include "tcphs.h"
#include "ports.h"

/* Places looked at for a port, from its hash. */
#define TCPHS_PORTS_PROBE	8

/**
 * tcphs_ports_net_init - give a namespace its places
 * @tn: the namespace's data
 * @nports: ports counted one by one, at most TCPHS_PORTS_MAX; 0 for none
 *	(nothing is counted then)
 */
int tcphs_ports_net_init(struct tcphs_net *tn, unsigned int nports)
{
	struct tcphs_ports *p;

	tn->ports = NULL;
	if (!nports)
		return 0;
	if (nports > TCPHS_PORTS_MAX)
		return -EINVAL;
	p = kzalloc(struct_size(p, port, nports), GFP_KERNEL_ACCOUNT);
	if (!p)
		return -ENOMEM;
	p->nports = nports;
	p->counts = __alloc_percpu_gfp((nports + 1) * sizeof(struct tcphs_port_counts),
				       __alignof__(struct tcphs_port_counts), GFP_KERNEL_ACCOUNT);
	if (!p->counts) {
		kfree(p);
		return -ENOMEM;
	}
	tn->ports = p;
	return 0;
}

void tcphs_ports_net_exit(struct tcphs_net *tn)
{
	struct tcphs_ports *p = tn->ports;

	if (!p)
		return;
	tn->ports = NULL;
	free_percpu(p->counts);
	kfree(p);
}

/* The place of @port (network order), taking a free one if it has none. */
static unsigned int place_of(struct tcphs_ports *p, __be16 port)
{
	u32 want = (u32)ntohs(port) + 1, cur;
	unsigned int i, k = hash_32(want, 16) % p->nports;

	for (i = 0; i < TCPHS_PORTS_PROBE && i < p->nports; i++, k = (k + 1) % p->nports) {
		cur = READ_ONCE(p->port[k]);
		if (cur == want)
			return k;
		if (!cur) {
			cur = cmpxchg(&p->port[k], 0, want);
			if (!cur || cur == want)
				return k;
		}
	}
	return p->nports;
}

/**
 * tcphs_ports_count - add one to a counter of the responder port @port
 * @tn: the namespace
 * @port: the responder's port, network order
 * @c: the counter
 *
 * Any context; takes no lock (the caller may hold a flow's).
 */
void tcphs_ports_count(struct tcphs_net *tn, __be16 port, enum tcphs_port_counter c)
{
	struct tcphs_ports *p = tn->ports;

	if (p)
		this_cpu_inc((p->counts + place_of(p, port))->c[c]);
}

/* Count outcome @o (not TCPHS_OUT_NONE) of a flow of @port. */
void tcphs_ports_outcome(struct tcphs_net *tn, __be16 port, enum tcphs_outcome o)
{
	BUILD_BUG_ON(TCPHS_PC_RESTARTED - TCPHS_PC_COMPLETED !=
		     TCPHS_OUT_RESTARTED - TCPHS_OUT_COMPLETED);
	if (o == TCPHS_OUT_NONE || o > TCPHS_OUT_MAX)
		return;
	tcphs_ports_count(tn, port, TCPHS_PC_COMPLETED + o - TCPHS_OUT_COMPLETED);
}

/**
 * tcphs_hist_bucket - the bucket of a latency
 * @ns: the latency
 *
 * The smallest i with @ns at most 2^i microseconds; the last bucket for
 * what is longer than the others hold.
 */
unsigned int tcphs_hist_bucket(u64 ns)
{
	u32 rem;
	u64 us = div_u64_rem(ns, NSEC_PER_USEC, &rem) + !!rem;	/* rounded up */
	unsigned int b;

	if (us <= 1)
		return 0;
	b = fls64(us - 1);
	return min_t(unsigned int, b, TCPHS_HIST_BUCKETS - 1);
}

/* A latency of a flow of @port into histogram @h, and its sum. */
void tcphs_ports_latency(struct tcphs_net *tn, __be16 port, enum tcphs_hist h, u64 ns)
{
	struct tcphs_ports *p = tn->ports;
	struct tcphs_port_counts __percpu *pc;

	if (!p)
		return;
	pc = p->counts + place_of(p, port);
	this_cpu_inc(pc->hist[h][tcphs_hist_bucket(ns)]);
	this_cpu_add(pc->c[h == TCPHS_HIST_SYN_SYNACK ? TCPHS_PC_SYN_SYNACK_SUM_NS :
							TCPHS_PC_SYNACK_ACK_SUM_NS], ns);
}

/* Places to read: the ports, then the rest; 0 when nothing is counted. */
unsigned int tcphs_ports_places(const struct tcphs_net *tn)
{
	return tn->ports ? tn->ports->nports + 1 : 0;
}

/**
 * tcphs_ports_read - the sums of place @i over the CPUs
 * @tn: the namespace
 * @i: the place, below tcphs_ports_places()
 * @port: its port, host order, or -1 for the rest
 * @sum: the sums
 *
 * Returns false for a place no port took yet.
 */
bool tcphs_ports_read(const struct tcphs_net *tn, unsigned int i, int *port,
		      struct tcphs_port_counts *sum)
{
	const struct tcphs_ports *p = tn->ports;
	unsigned int cpu, k, h;

	if (!p || i > p->nports)
		return false;
	if (i < p->nports) {
		u32 v = READ_ONCE(p->port[i]);

		if (!v)
			return false;
		*port = v - 1;
	} else {
		*port = -1;
	}
	memset(sum, 0, sizeof(*sum));
	for_each_possible_cpu(cpu) {
		const struct tcphs_port_counts *pc = per_cpu_ptr(p->counts, cpu) + i;

		for (k = 0; k < __TCPHS_PC_MAX; k++)
			sum->c[k] += READ_ONCE(pc->c[k]);
		for (h = 0; h < __TCPHS_HIST_MAX; h++)
			for (k = 0; k < TCPHS_HIST_BUCKETS; k++)
				sum->hist[h][k] += READ_ONCE(pc->hist[h][k]);
	}
	return true;
}
