// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the aggregates per port: a GET_PORTS message parsed back (and
 * refused when malformed), the quantiles of log2 histograms, and the
 * Prometheus text written from them, exactly in places; the whole file
 * goes to tests/tools/check-prom.py (the Makefile's test target).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "../ports.h"

static int checks, failures;

static void check(const char *what, int ok)
{
	checks++;
	if (ok)
		return;
	failures++;
	printf("FAIL %s\n", what);
}

static bool near(double a, double b)
{
	return fabs(a - b) <= 1e-12 + 1e-9 * fabs(b);
}

static void put_nest(struct nlmsghdr *nlh, uint16_t type, const uint64_t *v, unsigned int n)
{
	struct nlattr *nest = mnl_attr_nest_start(nlh, type);
	unsigned int i;

	for (i = 0; i < n; i++)
		mnl_attr_put_u64(nlh, i + 1, v[i]);
	mnl_attr_nest_end(nlh, nest);
}

static struct nlmsghdr *port_msg(char *buf, int port, const struct tcphs_port_row *r)
{
	struct nlmsghdr *nlh = mnl_nlmsg_put_header(buf);
	struct genlmsghdr *g = mnl_nlmsg_put_extra_header(nlh, sizeof(*g));

	nlh->nlmsg_type = 0x20;
	g->cmd = TCPHS_CMD_GET_PORTS;
	mnl_attr_put_u32(nlh, TCPHS_A_NETNS, 4026531840U);
	if (port >= 0)
		mnl_attr_put_u16(nlh, TCPHS_A_PORT, port);
	put_nest(nlh, TCPHS_A_PORT_COUNTERS, r->c, __TCPHS_PC_MAX);
	put_nest(nlh, TCPHS_A_HIST_SYN_SYNACK, r->hist[0], TCPHS_HIST_BUCKETS);
	put_nest(nlh, TCPHS_A_HIST_SYNACK_ACK, r->hist[1], TCPHS_HIST_BUCKETS);
	return nlh;
}

static void test_parse(struct tcphs_port_row *rows)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[64];
	struct tcphs_port_row want = { 0 }, got;
	struct nlmsghdr *nlh;
	unsigned int i;

	for (i = 0; i < __TCPHS_PC_MAX; i++)
		want.c[i] = 1000 + i;
	want.c[TCPHS_PC_NEW] = 10;
	want.c[TCPHS_PC_COMPLETED] = 7;
	want.c[TCPHS_PC_REFUSED] = 2;
	want.c[TCPHS_PC_SYN_SYNACK_SUM_NS] = 7 * 150000;	/* 150 us each */
	want.c[TCPHS_PC_SYNACK_ACK_SUM_NS] = 7 * 30000;
	memset(want.hist, 0, sizeof(want.hist));
	want.hist[0][8] = 7;		/* (128, 256] us */
	want.hist[1][5] = 7;		/* (16, 32] us */
	nlh = port_msg(buf, 443, &want);
	check("parse: a port", !tcphs_port_parse(nlh, &got, err, sizeof(err)) && !got.rest &&
	      got.port == 443 && !memcmp(got.c, want.c, sizeof(want.c)) &&
	      !memcmp(got.hist, want.hist, sizeof(want.hist)));
	rows[0] = got;
	nlh = port_msg(buf, -1, &want);
	check("parse: the rest", !tcphs_port_parse(nlh, &got, err, sizeof(err)) && got.rest);
	rows[1] = got;
	rows[1].c[TCPHS_PC_NEW] = 3;
	memset(rows[1].hist, 0, sizeof(rows[1].hist));
	rows[1].c[TCPHS_PC_SYN_SYNACK_SUM_NS] = 0;
	rows[1].c[TCPHS_PC_SYNACK_ACK_SUM_NS] = 0;

	/* No counters: refused; a counter of the wrong size: refused. */
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	mnl_attr_put_u16(nlh, TCPHS_A_PORT, 80);
	check("parse: no counters", tcphs_port_parse(nlh, &got, err, sizeof(err)) &&
	      strstr(err, "without counters"));
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	{
		struct nlattr *nest = mnl_attr_nest_start(nlh, TCPHS_A_PORT_COUNTERS);

		mnl_attr_put_u32(nlh, 1, 5);
		mnl_attr_nest_end(nlh, nest);
	}
	check("parse: a bad counter", tcphs_port_parse(nlh, &got, err, sizeof(err)));
	nlh = mnl_nlmsg_put_header(buf);
	mnl_nlmsg_put_extra_header(nlh, sizeof(struct genlmsghdr));
	mnl_attr_put_u32(nlh, TCPHS_A_PORT, 80);
	check("parse: a bad port", tcphs_port_parse(nlh, &got, err, sizeof(err)));
	/* Types past what this program knows are skipped. */
	nlh = port_msg(buf, 22, &want);
	mnl_attr_put_u64(nlh, __TCPHS_A_MAX + 3, 1);
	check("parse: an unknown attribute", !tcphs_port_parse(nlh, &got, err, sizeof(err)));
}

static void test_quantile(void)
{
	uint64_t h[TCPHS_HIST_BUCKETS] = { 0 };

	check("quantile: empty", isnan(tcphs_hist_quantile(h, 0.5)));
	check("bucket bounds", near(tcphs_hist_le(0), 1e-6) && near(tcphs_hist_le(10), 1024e-6) &&
	      isinf(tcphs_hist_le(TCPHS_HIST_BUCKETS - 1)));
	h[8] = 10;		/* (128, 256] us */
	check("quantile: one bucket, p50 halfway", near(tcphs_hist_quantile(h, 0.5), 192e-6));
	check("quantile: p100 at the bound", near(tcphs_hist_quantile(h, 1), 256e-6));
	h[0] = 10;		/* [0, 1] us */
	check("quantile: p25 in the first bucket", near(tcphs_hist_quantile(h, 0.25), 0.5e-6));
	check("quantile: p99 in the second", near(tcphs_hist_quantile(h, 0.99),
						  128e-6 + 128e-6 * 9.8 / 10));
	memset(h, 0, sizeof(h));
	h[TCPHS_HIST_BUCKETS - 1] = 4;
	check("quantile: past the last bound", near(tcphs_hist_quantile(h, 0.5),
						    tcphs_hist_le(TCPHS_HIST_BUCKETS - 2)));
}

static void test_metrics(const struct tcphs_port_row *rows, const char *path)
{
	uint64_t stat[__TCPHS_STAT_MAX] = { 0 };
	bool has[__TCPHS_STAT_MAX];
	struct tcphs_metrics m = {
		.stat = stat, .has_stat = has, .netns = 4026531840U, .flows = 12,
		.ports = rows, .nports = 2,
	};
	char line[256], *out = NULL;
	size_t len = 0;
	FILE *fp;
	int found = 0;

	memset(has, 1, sizeof(has));
	stat[TCPHS_STAT_NEW] = 13;
	m.states[TCPHS_STATE_ESTABLISHED] = 5;
	fp = open_memstream(&out, &len);
	tcphs_metrics_write(fp, &m);
	fclose(fp);
	fp = fopen(path, "w");
	if (fp) {
		fputs(out, fp);
		fclose(fp);
	}
	fp = fmemopen(out, len, "r");
	while (fp && fgets(line, sizeof(line), fp)) {
		found += !strcmp(line, "tcphs_new_total 13\n");
		found += !strcmp(line, "tcphs_flows_by_state{state=\"ESTABLISHED\"} 5\n");
		found += !strcmp(line, "tcphs_port_flows_total{port=\"443\"} 10\n");
		found += !strcmp(line, "tcphs_port_flows_total{port=\"other\"} 3\n");
		found += !strcmp(line, "tcphs_port_outcomes_total{port=\"443\",outcome=\"refused\"} 2\n");
		found += !strcmp(line, "tcphs_port_syn_synack_seconds_bucket{port=\"443\",le=\"0.000128\"} 0\n");
		found += !strcmp(line, "tcphs_port_syn_synack_seconds_bucket{port=\"443\",le=\"0.000256\"} 7\n");
		found += !strcmp(line, "tcphs_port_syn_synack_seconds_bucket{port=\"443\",le=\"+Inf\"} 7\n");
		found += !strcmp(line, "tcphs_port_syn_synack_seconds_sum{port=\"443\"} 0.00105\n");
		found += !strcmp(line, "tcphs_port_syn_synack_seconds_count{port=\"443\"} 7\n");
		found += !strcmp(line, "tcphs_port_synack_ack_seconds_count{port=\"other\"} 0\n");
		found += !strcmp(line, "# TYPE tcphs_port_syn_synack_seconds histogram\n");
	}
	if (fp)
		fclose(fp);
	if (found != 12)
		printf("%s", out);
	check("metrics: the lines", found == 12);
	free(out);
}

int main(int argc, char **argv)
{
	struct tcphs_port_row rows[2];

	test_parse(rows);
	test_quantile();
	test_metrics(rows, argc > 1 ? argv[1] : "/dev/null");
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
