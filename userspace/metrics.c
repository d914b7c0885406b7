// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs metrics: the counters, flow states, outcomes and latency
 * histograms in the Prometheus text format, to standard output or as a
 * file for node_exporter's textfile collector (written whole, then
 * renamed into place, so the collector never reads half of one).
 *
 * tcphs top: the ports, refreshed: new flows, refusals and resets a
 * second, both halves of the handshake at p50 and p99, and the flows half
 * open now; sorted by new flows. On a terminal it redraws and quits on q;
 * otherwise it prints a block per interval.
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <tcphs_names.h>

#include "nl.h"
#include "ports.h"
#include "tcphs.h"

/* The module counts at most 64 ports one by one, and the rest. */
#define MAX_ROWS	65

struct snapshot {
	struct tcphs_counters st;
	struct tcphs_port_row rows[MAX_ROWS];
	size_t nrows;
	uint64_t states[__TCPHS_STATE_MAX];
	unsigned long malformed;
	double t;			/* CLOCK_MONOTONIC seconds */
};

static int port_cb(const struct nlmsghdr *nlh, void *data)
{
	struct snapshot *s = data;
	char err[64];

	if (s->nrows == MAX_ROWS)
		return MNL_CB_OK;
	if (tcphs_port_parse(nlh, &s->rows[s->nrows], err, sizeof(err))) {
		s->malformed++;
		return MNL_CB_OK;
	}
	s->nrows++;
	return MNL_CB_OK;
}

/* Flows by state, and the half-open ones by responder port. */
static int flow_cb(const struct nlmsghdr *nlh, void *data)
{
	struct snapshot *s = data;
	struct tcphs_flow f;
	struct tcphs_port_row *rest = NULL;
	char err[64];
	size_t i;

	if (tcphs_flow_parse(nlh, &f, err, sizeof(err)) || !tcphs_has(&f, TCPHS_A_STATE)) {
		s->malformed++;
		return MNL_CB_OK;
	}
	if (f.state < __TCPHS_STATE_MAX)
		s->states[f.state]++;
	if (f.state != TCPHS_STATE_SYN_SENT && f.state != TCPHS_STATE_SYN_SENT2 &&
	    f.state != TCPHS_STATE_SYN_RECV)
		return MNL_CB_OK;
	for (i = 0; i < s->nrows; i++) {
		if (s->rows[i].rest)
			rest = &s->rows[i];
		else if (s->rows[i].port == f.dport)
			break;
	}
	if (i < s->nrows)
		s->rows[i].half_open++;
	else if (rest)
		rest->half_open++;
	return MNL_CB_OK;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Read everything once; an exit status, EXIT_OK on success. */
static int take(struct snapshot *s, bool flows)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	struct nl nl;
	int ret;

	memset(s, 0, sizeof(*s));
	ret = tcphs_open(&nl);
	if (ret)
		return ret;
	ret = tcphs_read_counters(&nl, &s->st);
	if (ret) {
		ret = tcphs_nl_fail(&nl, ret, "reading the counters", "reading the counters");
		nl_close(&nl);
		return ret;
	}
	nlh = nl_msg(&nl, buf, nl.family_id, TCPHS_CMD_GET_PORTS, TCPHS_GENL_VERSION, 0);
	ret = nl_dump(&nl, nlh, port_cb, s);
	if (ret) {
		ret = tcphs_nl_fail(&nl, ret, "reading the ports",
				    "reading the ports needs CAP_NET_ADMIN");
		nl_close(&nl);
		return ret;
	}
	if (flows) {
		nlh = nl_msg(&nl, buf, nl.family_id, TCPHS_CMD_GET_FLOW, TCPHS_GENL_VERSION, 0);
		ret = nl_dump(&nl, nlh, flow_cb, s);
		if (ret && ret != NL_DUMP_INTR) {
			ret = tcphs_nl_fail(&nl, ret, "listing flows",
					    "listing flows needs CAP_NET_ADMIN");
			nl_close(&nl);
			return ret;
		}
	}
	nl_close(&nl);
	if (s->malformed)
		fprintf(stderr, "tcphs: skipped %lu malformed messages\n", s->malformed);
	s->t = now_s();
	return EXIT_OK;
}

static void write_metrics(FILE *fp, const struct snapshot *s)
{
	struct tcphs_metrics m = {
		.stat = s->st.val,
		.has_stat = s->st.has,
		.netns = s->st.netns,
		.flows = s->st.flows,
		.ports = s->rows,
		.nports = s->nrows,
	};

	memcpy(m.states, s->states, sizeof(m.states));
	tcphs_metrics_write(fp, &m);
}

/* DIR/tcphs.prom, written as DIR/.tcphs.prom.PID and renamed. */
static int write_textfile(const char *dir, const struct snapshot *s)
{
	char tmp[4096], dst[4096];
	FILE *fp;
	int err;

	if (snprintf(tmp, sizeof(tmp), "%s/.tcphs.prom.%d", dir, (int)getpid()) >=
	    (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/tcphs.prom", dir) >= (int)sizeof(dst)) {
		fprintf(stderr, "tcphs: --textfile: directory name too long\n");
		return EXIT_USAGE;
	}
	fp = fopen(tmp, "w");
	if (!fp) {
		fprintf(stderr, "tcphs: --textfile: %s: %s\n", tmp, strerror(errno));
		return EXIT_ERROR;
	}
	write_metrics(fp, s);
	err = ferror(fp);
	if (fclose(fp) || err || rename(tmp, dst)) {
		fprintf(stderr, "tcphs: --textfile: writing %s: %s\n", dst, strerror(errno));
		unlink(tmp);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static void catch_signals(void)
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Sleep @s seconds, or until a signal; true to go on. */
static bool nap(double s)
{
	struct timespec ts = { .tv_sec = (time_t)s, .tv_nsec = (long)((s - (time_t)s) * 1e9) };

	while (!stop && nanosleep(&ts, &ts) && errno == EINTR)
		;
	return !stop;
}

/**
 * run_metrics - tcphs metrics [--textfile DIR] [--interval S] [--count N]
 * @o: options
 */
int run_metrics(const struct tcphs_opts *o)
{
	struct snapshot *s = malloc(sizeof(*s));
	unsigned long n = 0;
	int ret = EXIT_OK;

	if (!s)
		return EXIT_ERROR;
	catch_signals();
	do {
		ret = take(s, true);
		if (ret)
			break;
		if (o->textfile) {
			ret = write_textfile(o->textfile, s);
			if (ret)
				break;
		} else {
			write_metrics(stdout, s);
			fflush(stdout);
		}
		n++;
	} while (o->interval > 0 && (!o->count || n < o->count) && nap(o->interval));
	free(s);
	return ret;
}

/* ------------------------------------------------------------ tcphs top -- */

struct top_line {
	const struct tcphs_port_row *r;
	double new_s, refused_s, reset_s;
	double syn_p50, syn_p99, ack_p50, ack_p99;	/* seconds, NAN unknown */
};

/* The row of @r's port in @prev, or NULL. */
static const struct tcphs_port_row *same_port(const struct snapshot *prev,
					      const struct tcphs_port_row *r)
{
	size_t i;

	for (i = 0; prev && i < prev->nrows; i++)
		if (prev->rows[i].rest == r->rest && prev->rows[i].port == r->port)
			return &prev->rows[i];
	return NULL;
}

static int by_new(const void *a, const void *b)
{
	const struct top_line *x = a, *y = b;

	if (x->new_s != y->new_s)
		return x->new_s < y->new_s ? 1 : -1;
	if (x->r->c[TCPHS_PC_NEW] != y->r->c[TCPHS_PC_NEW])
		return x->r->c[TCPHS_PC_NEW] < y->r->c[TCPHS_PC_NEW] ? 1 : -1;
	return (int)x->r->port - (int)y->r->port;
}

static void ms(char *buf, size_t len, double s)
{
	if (isnan(s))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f", s * 1e3);
}

/*
 * One screen: rates against @prev (over the whole count when there is no
 * @prev), the latencies of what the histograms saw since then.
 */
static void top_print(FILE *fp, const struct snapshot *cur, const struct snapshot *prev)
{
	struct top_line lines[MAX_ROWS];
	double dt = prev ? cur->t - prev->t : 0;
	char a[16], b[16], c[16], d[16], port[8];
	size_t i, k, n = 0;

	for (i = 0; i < cur->nrows; i++) {
		const struct tcphs_port_row *r = &cur->rows[i], *p = same_port(prev, r);
		struct top_line *l = &lines[n++];
		uint64_t h[TCPHS_HISTS][TCPHS_HIST_BUCKETS];
		unsigned int x;

		l->r = r;
		for (x = 0; x < TCPHS_HISTS; x++)
			for (k = 0; k < TCPHS_HIST_BUCKETS; k++)
				h[x][k] = r->hist[x][k] - (p ? p->hist[x][k] : 0);
#define RATE(ctr) (dt > 0 ? (double)(r->c[ctr] - (p ? p->c[ctr] : 0)) / dt : 0)
		l->new_s = RATE(TCPHS_PC_NEW);
		l->refused_s = RATE(TCPHS_PC_REFUSED);
		l->reset_s = RATE(TCPHS_PC_RESET_ORIG) + RATE(TCPHS_PC_RESET_REPLY);
#undef RATE
		/* Nothing new since the last screen: the whole histogram. */
		if (!tcphs_hist_count(h[0]) && !tcphs_hist_count(h[1]))
			memcpy(h, r->hist, sizeof(h));
		l->syn_p50 = tcphs_hist_quantile(h[0], 0.5);
		l->syn_p99 = tcphs_hist_quantile(h[0], 0.99);
		l->ack_p50 = tcphs_hist_quantile(h[1], 0.5);
		l->ack_p99 = tcphs_hist_quantile(h[1], 0.99);
	}
	qsort(lines, n, sizeof(lines[0]), by_new);
	fprintf(fp, "%-6s %8s %9s %8s %10s %10s %10s %10s %9s %9s\n", "PORT", "NEW/S",
		"REFUSED/S", "RESET/S", "SYN_P50MS", "SYN_P99MS", "ACK_P50MS", "ACK_P99MS",
		"HALF_OPEN", "FLOWS");
	for (i = 0; i < n; i++) {
		const struct top_line *l = &lines[i];

		if (l->r->rest)
			snprintf(port, sizeof(port), "other");
		else
			snprintf(port, sizeof(port), "%u", l->r->port);
		ms(a, sizeof(a), l->syn_p50);
		ms(b, sizeof(b), l->syn_p99);
		ms(c, sizeof(c), l->ack_p50);
		ms(d, sizeof(d), l->ack_p99);
		fprintf(fp, "%-6s %8.1f %9.1f %8.1f %10s %10s %10s %10s %9" PRIu64 " %9" PRIu64
			"\n", port, l->new_s, l->refused_s, l->reset_s, a, b, c, d,
			l->r->half_open, l->r->c[TCPHS_PC_NEW]);
	}
}

static struct termios saved_tty;
static bool tty_raw;

static void tty_restore(void)
{
	if (tty_raw)
		tcsetattr(STDIN_FILENO, TCSANOW, &saved_tty);
	tty_raw = false;
}

/* Keys one at a time, no echo; restored at exit. */
static void tty_keys(void)
{
	struct termios t;

	if (!isatty(STDIN_FILENO) || tcgetattr(STDIN_FILENO, &saved_tty))
		return;
	t = saved_tty;
	t.c_lflag &= ~(ICANON | ECHO);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (!tcsetattr(STDIN_FILENO, TCSANOW, &t)) {
		tty_raw = true;
		atexit(tty_restore);
	}
}

/* Wait @s seconds for a key; true if it was q (or input ended). */
static bool quit_key(double s)
{
	struct pollfd p = { .fd = STDIN_FILENO, .events = POLLIN };
	double end = now_s() + s;
	char ch;

	while (!stop) {
		int left = (int)((end - now_s()) * 1000);

		if (left <= 0)
			return false;
		if (poll(&p, 1, left) <= 0)
			continue;
		if (read(STDIN_FILENO, &ch, 1) != 1)
			return true;
		if (ch == 'q' || ch == 'Q')
			return true;
	}
	return true;
}

/**
 * run_top - tcphs top [--interval S] [--count N]
 * @o: options
 */
int run_top(const struct tcphs_opts *o)
{
	struct snapshot *s = calloc(2, sizeof(*s)), *cur, *prev = NULL;
	bool screen = isatty(STDOUT_FILENO);
	double interval = o->interval > 0 ? o->interval : 1;
	unsigned long n = 0;
	int ret;

	if (!s)
		return EXIT_ERROR;
	catch_signals();
	if (screen)
		tty_keys();
	for (;;) {
		cur = &s[n % 2];
		ret = take(cur, true);
		/* A read that failed (said on stderr) is tried again. */
		if (ret == EXIT_NOT_LOADED || ret == EXIT_USAGE || (ret && !screen))
			break;
		if (ret) {
			prev = NULL;
			if (quit_key(interval))
				break;
			continue;
		}
		if (screen)
			fputs("\033[H\033[2J", stdout);
		if (screen || prev) {
			if (screen)
				printf("tcphs top: every %.1f s, q quits\n\n", interval);
			top_print(stdout, cur, prev);
			if (!screen)
				putchar('\n');
			fflush(stdout);
		}
		prev = cur;
		n++;
		/* The first read only starts the rates off the terminal. */
		if (o->count && n > o->count - (screen ? 1 : 0))
			break;
		if (screen ? quit_key(interval) : !nap(interval))
			break;
	}
	tty_restore();
	free(s);
	return ret;
}
