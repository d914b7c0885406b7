// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: the aggregates per responder port, parsed, and written in the
 * Prometheus text exposition format (version 0.0.4).
 *
 * Histogram bucket i of the module counts latencies of at most 2^i
 * microseconds; the exposition's buckets are cumulative, in seconds, with
 * le="+Inf" for all of them, as Prometheus's histogram_quantile() wants.
 */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <tcphs_names.h>

#include "output.h"
#include "ports.h"

struct nest_ctx {
	uint64_t *v;
	unsigned int n;
	bool bad;
};

/* A nest of u64 where value i has type i + 1; unknown types are skipped. */
static int nest_attr(const struct nlattr *attr, void *data)
{
	struct nest_ctx *c = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* Zero-length attributes are 64-bit alignment padding. */
	if (type < 1 || type > c->n || !mnl_attr_get_payload_len(attr))
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0) {
		c->bad = true;
		return MNL_CB_OK;
	}
	c->v[type - 1] = mnl_attr_get_u64(attr);
	return MNL_CB_OK;
}

struct port_ctx {
	struct tcphs_port_row *r;
	bool has_counters, bad;
};

static bool parse_nest(const struct nlattr *attr, uint64_t *v, unsigned int n)
{
	struct nest_ctx c = { .v = v, .n = n };

	if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
	    mnl_attr_parse_nested(attr, nest_attr, &c) < 0)
		return false;
	return !c.bad;
}

static int port_attr(const struct nlattr *attr, void *data)
{
	struct port_ctx *p = data;

	switch (mnl_attr_get_type(attr)) {
	case TCPHS_A_PORT:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) < 0) {
			p->bad = true;
			break;
		}
		p->r->port = mnl_attr_get_u16(attr);
		p->r->rest = false;
		break;
	case TCPHS_A_PORT_COUNTERS:
		p->has_counters = true;
		if (!parse_nest(attr, p->r->c, __TCPHS_PC_MAX))
			p->bad = true;
		break;
	case TCPHS_A_HIST_SYN_SYNACK:
		if (!parse_nest(attr, p->r->hist[0], TCPHS_HIST_BUCKETS))
			p->bad = true;
		break;
	case TCPHS_A_HIST_SYNACK_ACK:
		if (!parse_nest(attr, p->r->hist[1], TCPHS_HIST_BUCKETS))
			p->bad = true;
		break;
	}
	return MNL_CB_OK;
}

/**
 * tcphs_port_parse - one message of the GET_PORTS dump
 * @nlh: the message
 * @r: filled in; without TCPHS_A_PORT it is the rest
 * @err: why it was refused
 * @errlen: its size
 *
 * Return: 0, or -1 for a malformed message (a bad attribute, no counters).
 */
int tcphs_port_parse(const struct nlmsghdr *nlh, struct tcphs_port_row *r,
		     char *err, size_t errlen)
{
	struct port_ctx p = { .r = r };

	memset(r, 0, sizeof(*r));
	r->rest = true;
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr)) ||
	    mnl_attr_parse(nlh, sizeof(struct genlmsghdr), port_attr, &p) < 0 || p.bad) {
		snprintf(err, errlen, "malformed port message");
		return -1;
	}
	if (!p.has_counters) {
		snprintf(err, errlen, "port message without counters");
		return -1;
	}
	return 0;
}

/* The upper bound of bucket @bucket in seconds, INFINITY for the last. */
double tcphs_hist_le(unsigned int bucket)
{
	if (bucket + 1 >= TCPHS_HIST_BUCKETS)
		return INFINITY;
	return ldexp(1e-6, bucket);
}

uint64_t tcphs_hist_count(const uint64_t *h)
{
	uint64_t n = 0;
	unsigned int i;

	for (i = 0; i < TCPHS_HIST_BUCKETS; i++)
		n += h[i];
	return n;
}

/**
 * tcphs_hist_quantile - estimate a quantile from a histogram, in seconds
 * @h: the buckets
 * @q: 0 to 1
 *
 * As Prometheus's histogram_quantile(): linear within the bucket that
 * holds the rank; the last bucket's lower bound when the rank falls in
 * it. NAN when the histogram is empty.
 */
double tcphs_hist_quantile(const uint64_t *h, double q)
{
	uint64_t total = tcphs_hist_count(h), below = 0;
	double rank = q * (double)total, lo;
	unsigned int i;

	if (!total)
		return NAN;
	for (i = 0; i < TCPHS_HIST_BUCKETS; i++) {
		if ((double)(below + h[i]) >= rank && h[i]) {
			lo = i ? tcphs_hist_le(i - 1) : 0;
			if (i + 1 >= TCPHS_HIST_BUCKETS)
				return lo;
			return lo + (tcphs_hist_le(i) - lo) * (rank - (double)below) / (double)h[i];
		}
		below += h[i];
	}
	return tcphs_hist_le(TCPHS_HIST_BUCKETS - 2);
}

/* Metric names and help, in the order written. */
static void family(FILE *fp, const char *name, const char *type, const char *help)
{
	fprintf(fp, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void port_label(char *buf, size_t len, const struct tcphs_port_row *r)
{
	if (r->rest)
		snprintf(buf, len, "port=\"other\"");
	else
		snprintf(buf, len, "port=\"%u\"", r->port);
}

/* %.9g keeps the nanoseconds of latencies under a second. */
static void print_seconds(FILE *fp, double s)
{
	if (isinf(s))
		fputs("+Inf", fp);
	else
		fprintf(fp, "%.9g", s);
}

static void histogram(FILE *fp, const struct tcphs_metrics *m, unsigned int h,
		      const char *name, const char *help, unsigned int sum_counter)
{
	char label[32];
	uint64_t cum;
	size_t i;
	unsigned int b;

	family(fp, name, "histogram", help);
	for (i = 0; i < m->nports; i++) {
		const struct tcphs_port_row *r = &m->ports[i];

		port_label(label, sizeof(label), r);
		for (b = 0, cum = 0; b < TCPHS_HIST_BUCKETS; b++) {
			cum += r->hist[h][b];
			fprintf(fp, "%s_bucket{%s,le=\"", name, label);
			print_seconds(fp, tcphs_hist_le(b));
			fprintf(fp, "\"} %" PRIu64 "\n", cum);
		}
		fprintf(fp, "%s_sum{%s} ", name, label);
		print_seconds(fp, (double)r->c[sum_counter] / 1e9);
		fprintf(fp, "\n%s_count{%s} %" PRIu64 "\n", name, label, cum);
	}
}

/**
 * tcphs_metrics_write - the counters, gauges and histograms as Prometheus text
 * @fp: where to
 * @m: what to write
 */
void tcphs_metrics_write(FILE *fp, const struct tcphs_metrics *m)
{
	char label[32];
	unsigned int i, o;
	size_t p;

	family(fp, "tcphs_info", "gauge", "The network namespace read (its inode number).");
	fprintf(fp, "tcphs_info{netns=\"%" PRIu32 "\"} 1\n", m->netns);
	for (i = 0; i < __TCPHS_STAT_MAX; i++) {
		char name[64];

		if (!m->has_stat[i])
			continue;
		snprintf(name, sizeof(name), "tcphs_%s_total", TCPHS_NAME(tcphs_stat_names, i));
		fprintf(fp, "# HELP %s The module's %s counter (tcphs stats).\n", name,
			TCPHS_NAME(tcphs_stat_names, i));
		fprintf(fp, "# TYPE %s counter\n%s %" PRIu64 "\n", name, name, m->stat[i]);
	}
	family(fp, "tcphs_flows", "gauge", "Flows in the table.");
	fprintf(fp, "tcphs_flows %" PRIu32 "\n", m->flows);
	family(fp, "tcphs_flows_by_state", "gauge", "Flows in the table, by state.");
	for (i = 0; i < __TCPHS_STATE_MAX; i++)
		fprintf(fp, "tcphs_flows_by_state{state=\"%s\"} %" PRIu64 "\n",
			TCPHS_NAME(tcphs_state_names, i), m->states[i]);

	family(fp, "tcphs_port_flows_total", "counter",
	       "Flows created, by responder port (\"other\": the ports without a place).");
	for (p = 0; p < m->nports; p++) {
		port_label(label, sizeof(label), &m->ports[p]);
		fprintf(fp, "tcphs_port_flows_total{%s} %" PRIu64 "\n", label,
			m->ports[p].c[TCPHS_PC_NEW]);
	}
	family(fp, "tcphs_port_outcomes_total", "counter",
	       "Finished flows by responder port and outcome (see tcphs(8), WORDS).");
	for (p = 0; p < m->nports; p++) {
		port_label(label, sizeof(label), &m->ports[p]);
		for (o = TCPHS_OUT_COMPLETED; o <= TCPHS_OUT_MAX; o++)
			fprintf(fp, "tcphs_port_outcomes_total{%s,outcome=\"%s\"} %" PRIu64 "\n",
				label, TCPHS_NAME(tcphs_outcome_names, o),
				m->ports[p].c[TCPHS_PC_COMPLETED + o - TCPHS_OUT_COMPLETED]);
	}
	family(fp, "tcphs_port_retransmissions_total", "counter",
	       "Retransmitted SYNs and SYN-ACKs, by responder port.");
	for (p = 0; p < m->nports; p++) {
		port_label(label, sizeof(label), &m->ports[p]);
		fprintf(fp, "tcphs_port_retransmissions_total{%s,segment=\"syn\"} %" PRIu64 "\n",
			label, m->ports[p].c[TCPHS_PC_RTX_SYN]);
		fprintf(fp, "tcphs_port_retransmissions_total{%s,segment=\"synack\"} %" PRIu64 "\n",
			label, m->ports[p].c[TCPHS_PC_RTX_SYNACK]);
	}
	family(fp, "tcphs_port_half_open", "gauge",
	       "Flows in the table not yet established, by responder port.");
	for (p = 0; p < m->nports; p++) {
		port_label(label, sizeof(label), &m->ports[p]);
		fprintf(fp, "tcphs_port_half_open{%s} %" PRIu64 "\n", label, m->ports[p].half_open);
	}
	histogram(fp, m, 0, "tcphs_port_syn_synack_seconds",
		  "First SYN to first SYN-ACK, by responder port (the server's half).",
		  TCPHS_PC_SYN_SYNACK_SUM_NS);
	histogram(fp, m, 1, "tcphs_port_synack_ack_seconds",
		  "First SYN-ACK to the final ACK, by responder port (the client's half).",
		  TCPHS_PC_SYNACK_ACK_SUM_NS);
}
