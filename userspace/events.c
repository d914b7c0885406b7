// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs events: join the "events" multicast group and print each event.
 *
 * Losses are found from TCPHS_A_EVENT_SEQ, which the module increases by
 * one for every event of the namespace: a jump is reported as the events in
 * between being lost. An event that turns up after a later one (events from
 * two CPUs can be delivered out of order) is taken back out of the loss
 * count. The generic netlink controller's "notify" group is joined too, so
 * that unloading the module ends the program.
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "evlog.h"
#include "nl.h"
#include "output.h"
#include "tcphs.h"

#define LADDER_BUCKETS		1024
#define LADDER_MAX_FLOWS	4096
#define LADDER_MAX_EVENTS	256
#define MAX_GAPS		16

/* A flow being collected for --ladder. */
struct lflow {
	struct lflow *next;
	uint64_t id;
	struct tcphs_flow *ev;
	size_t n, alloc;
};

struct gap {
	uint64_t from, to;
};

struct evstate {
	const struct tcphs_opts *o;
	struct tcphs_out out;
	struct nl *nl;

	bool have_last;
	uint64_t last_seq;
	bool bracketed;			/* start_seq known: count from there */
	uint64_t start_seq;
	struct gap gaps[MAX_GAPS];	/* reported lost, most recent last */
	unsigned int ngaps;

	uint64_t received, lost, printed;
	unsigned long malformed;	/* from the kernel, but not events we read */
	unsigned long foreign;		/* not from the kernel: dropped unread */
	bool done;			/* --count reached */
	bool unloaded;

	/*
	 * --finished from an event log, whose lines carry no step times: the
	 * time of each flow's SYN event, by flow id modulo the size (a
	 * collision loses a start, which is then the last event's).
	 */
	uint64_t syn_id[LADDER_BUCKETS], syn_ts[LADDER_BUCKETS];

	struct lflow *buckets[LADDER_BUCKETS];
	unsigned long nflows;
	bool warned_flows, warned_events;
};

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static int64_t clock_ns(clockid_t clk)
{
	struct timespec ts;

	clock_gettime(clk, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static void gap_add(struct evstate *st, uint64_t from, uint64_t to)
{
	if (st->ngaps == MAX_GAPS) {
		memmove(st->gaps, st->gaps + 1, (MAX_GAPS - 1) * sizeof(st->gaps[0]));
		st->ngaps--;
	}
	st->gaps[st->ngaps].from = from;
	st->gaps[st->ngaps].to = to;
	st->ngaps++;
}

/* Was @seq reported lost? If so, it is not any more. */
static bool gap_take(struct evstate *st, uint64_t seq)
{
	struct gap *g;
	unsigned int i;

	for (i = 0; i < st->ngaps; i++) {
		g = &st->gaps[i];
		if (seq < g->from || seq > g->to)
			continue;
		if (g->from == g->to) {
			memmove(g, g + 1, (st->ngaps - i - 1) * sizeof(*g));
			st->ngaps--;
		} else if (seq == g->from) {
			g->from++;
		} else if (seq == g->to) {
			g->to--;
		} else {
			uint64_t to = g->to;

			g->to = seq - 1;
			gap_add(st, seq + 1, to);
		}
		return true;
	}
	return false;
}

static void report_gap(struct evstate *st, uint64_t from, uint64_t to)
{
	st->lost += to - from + 1;
	gap_add(st, from, to);
	fprintf(stderr, "tcphs: lost %" PRIu64 " events (seq %" PRIu64
		"..%" PRIu64 ")\n", to - from + 1, from, to);
	if (st->o->json)
		tcphs_print_lost_json(stdout, to - from + 1, from, to);
}

static void account_seq(struct evstate *st, const struct tcphs_flow *f)
{
	uint64_t seq = f->event_seq, from, to;

	if (!tcphs_has(f, TCPHS_A_EVENT_SEQ))
		return;
	if (st->have_last && seq <= st->last_seq) {
		if (gap_take(st, seq)) {
			st->lost--;
			fprintf(stderr, "tcphs: event seq %" PRIu64
				" arrived out of order, not lost\n", seq);
		}
		return;
	}
	if (st->have_last && seq > st->last_seq + 1) {
		from = st->last_seq + 1;
		to = seq - 1;
		report_gap(st, from, to);
	}
	st->last_seq = seq;
	st->have_last = true;
}

static bool ends_flow(const struct tcphs_flow *f)
{
	switch (f->event) {
	case TCPHS_EV_TIME_WAIT:
	case TCPHS_EV_RST:
	case TCPHS_EV_TIMEOUT:
	case TCPHS_EV_EVICTED:
	case TCPHS_EV_RESYNC:
		return true;
	default:
		return false;
	}
}

static struct lflow **lflow_slot(struct evstate *st, uint64_t id)
{
	struct lflow **p = &st->buckets[(id ^ (id >> 17)) % LADDER_BUCKETS];

	while (*p && (*p)->id != id)
		p = &(*p)->next;
	return p;
}

static void lflow_free(struct lflow *lf)
{
	free(lf->ev);
	free(lf);
}

/* --ladder: keep the event; when it ends its flow, draw the flow. */
static void ladder_add(struct evstate *st, const struct tcphs_flow *f)
{
	struct lflow **slot, *lf;
	struct tcphs_flow *ev;
	bool added = false;

	if (!tcphs_has(f, TCPHS_A_FLOW_ID) || !tcphs_has(f, TCPHS_A_EVENT))
		return;
	slot = lflow_slot(st, f->flow_id);
	lf = *slot;
	/*
	 * A flow that had already finished (drawn, or before we started) can
	 * still be evicted, or see an invalid segment: nothing to draw.
	 */
	if (!lf && tcphs_has(f, TCPHS_A_OLD_STATE) &&
	    (f->old_state == TCPHS_STATE_TIME_WAIT || f->old_state == TCPHS_STATE_CLOSED))
		return;
	if (!lf) {
		if (st->nflows >= LADDER_MAX_FLOWS) {
			if (!st->warned_flows)
				fprintf(stderr, "tcphs: more than %d flows open; "
					"new ones are not drawn\n", LADDER_MAX_FLOWS);
			st->warned_flows = true;
			return;
		}
		lf = calloc(1, sizeof(*lf));
		if (!lf)
			return;
		lf->id = f->flow_id;
		*slot = lf;
		st->nflows++;
	}
	if (lf->n < LADDER_MAX_EVENTS) {
		if (lf->n == lf->alloc) {
			size_t alloc = lf->alloc ? lf->alloc * 2 : 16;

			ev = realloc(lf->ev, alloc * sizeof(*ev));
			if (ev) {
				lf->ev = ev;
				lf->alloc = alloc;
			}
		}
		if (lf->n < lf->alloc) {
			lf->ev[lf->n++] = *f;
			added = true;
		}
	} else if (!st->warned_events) {
		fprintf(stderr, "tcphs: flow %" PRIu64 " has more than %d events; "
			"the rest are not drawn\n", f->flow_id, LADDER_MAX_EVENTS);
		st->warned_events = true;
	}

	if (!ends_flow(f))
		return;
	/* The last event must be drawn even when the flow had too many. */
	if (!added && lf->n)
		lf->ev[lf->n - 1] = *f;
	tcphs_draw_ladder(stdout, lf->ev, lf->n, &st->out);
	fflush(stdout);
	*slot = lf->next;
	lflow_free(lf);
	st->nflows--;
	st->printed++;
}

static int lflow_cmp(const void *a, const void *b)
{
	const struct lflow *x = *(const struct lflow * const *)a;
	const struct lflow *y = *(const struct lflow * const *)b;

	return x->id < y->id ? -1 : x->id > y->id;
}

/* At exit: the flows that had not ended, oldest first, as they are. */
static void ladder_draw_open(struct evstate *st)
{
	struct tcphs_out out = st->out;
	struct lflow **v, *lf;
	size_t i, n = 0;

	if (!st->nflows)
		return;
	v = calloc(st->nflows, sizeof(*v));
	if (!v)
		return;
	for (i = 0; i < LADDER_BUCKETS; i++)
		for (lf = st->buckets[i]; lf && n < st->nflows; lf = lf->next)
			v[n++] = lf;
	qsort(v, n, sizeof(*v), lflow_cmp);
	out.still_open = true;
	for (i = 0; i < n; i++)
		if (v[i]->n)
			tcphs_draw_ladder(stdout, v[i]->ev, v[i]->n, &out);
	fprintf(stderr, "tcphs: %zu flow%s still open, drawn as they are\n",
		n, n == 1 ? "" : "s");
	free(v);
}

static void ladder_free(struct evstate *st)
{
	struct lflow *lf, *next;
	size_t i;

	for (i = 0; i < LADDER_BUCKETS; i++) {
		for (lf = st->buckets[i]; lf; lf = next) {
			next = lf->next;
			lflow_free(lf);
		}
		st->buckets[i] = NULL;
	}
}

struct ctrl_info {
	uint16_t id;
	const char *name;
};

static int ctrl_attr(const struct nlattr *attr, void *data)
{
	struct ctrl_info *ci = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			ci->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_FAMILY_NAME:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			ci->name = mnl_attr_get_str(attr);
		break;
	}
	return MNL_CB_OK;
}

/* A controller notification: is it the tcphs family going away? */
static int ctrl_msg(const struct nlmsghdr *nlh, const struct genlmsghdr *genl,
		    struct evstate *st)
{
	struct ctrl_info ci = { 0 };

	if (genl->cmd != CTRL_CMD_DELFAMILY && genl->cmd != CTRL_CMD_DELMCAST_GRP)
		return MNL_CB_OK;
	mnl_attr_parse(nlh, sizeof(*genl), ctrl_attr, &ci);
	if ((ci.name && !strcmp(ci.name, TCPHS_GENL_NAME)) ||
	    (!ci.name && ci.id == st->nl->family_id)) {
		st->unloaded = true;
		return MNL_CB_STOP;
	}
	return MNL_CB_OK;
}

/* Filter, print or draw one event. True once --count is reached. */
static bool take_event(struct evstate *st, const struct tcphs_flow *f)
{
	if (st->o->finished && tcphs_has(f, TCPHS_A_FLOW_ID) && tcphs_has(f, TCPHS_A_TS_NS) &&
	    tcphs_has(f, TCPHS_A_EVENT) && f->event == TCPHS_EV_SYN &&
	    (!tcphs_has(f, TCPHS_A_DIR) || f->dir == TCPHS_DIR_ORIG)) {
		st->syn_id[f->flow_id % LADDER_BUCKETS] = f->flow_id;
		st->syn_ts[f->flow_id % LADDER_BUCKETS] = f->ts_ns;
	}
	if (!tcphs_filter_match(&st->o->filter, f))
		return false;
	if (st->o->finished) {
		struct tcphs_flow t = *f;
		unsigned int k = f->flow_id % LADDER_BUCKETS;

		/*
		 * A flow's first ending only: one that had finished can still
		 * be evicted, or see a segment the module refuses.
		 */
		if (!ends_flow(f) || (tcphs_has(f, TCPHS_A_OLD_STATE) &&
				      (f->old_state == TCPHS_STATE_TIME_WAIT ||
				       f->old_state == TCPHS_STATE_CLOSED)))
			return false;
		if (!tcphs_has(f, TCPHS_A_TS_SYN) && tcphs_has(f, TCPHS_A_FLOW_ID) &&
		    st->syn_id[k] == f->flow_id) {
			t.ts_syn = st->syn_ts[k];
			t.present |= 1ULL << TCPHS_A_TS_SYN;
		}
		if (st->o->json)
			tcphs_print_summary_json(stdout, &t, &st->out);
		else
			tcphs_print_summary(stdout, &t, &st->out);
		st->printed++;
	} else if (st->o->ladder) {
		ladder_add(st, f);
	} else {
		if (st->o->json)
			tcphs_print_event_json(stdout, f, &st->out);
		else
			tcphs_print_event(stdout, f, &st->out);
		st->printed++;
	}
	if (st->o->count && st->printed >= st->o->count) {
		st->done = true;
		return true;
	}
	return false;
}

static int event_cb(const struct nlmsghdr *nlh, void *data)
{
	struct evstate *st = data;
	const struct genlmsghdr *genl = mnl_nlmsg_get_payload(nlh);
	struct tcphs_flow f;
	char err[128];

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*genl)))
		return MNL_CB_OK;
	if (nlh->nlmsg_type == GENL_ID_CTRL)
		return ctrl_msg(nlh, genl, st);
	if (nlh->nlmsg_type != st->nl->family_id || genl->cmd != TCPHS_CMD_EVENT)
		return MNL_CB_OK;

	if (tcphs_flow_parse(nlh, &f, err, sizeof(err)) < 0) {
		if (!st->malformed++)
			fprintf(stderr, "tcphs: skipping a malformed event: %s\n", err);
		return MNL_CB_OK;
	}
	/* Events from before we asked where the count starts are extra. */
	if (!st->bracketed || !tcphs_has(&f, TCPHS_A_EVENT_SEQ) || f.event_seq > st->start_seq)
		st->received++;
	account_seq(st, &f);
	return take_event(st, &f) ? MNL_CB_STOP : MNL_CB_OK;
}

/*
 * recv() of one batch (one datagram) without waiting. Only the kernel (port
 * 0) sends events; a process with CAP_NET_ADMIN may send to the group too,
 * and what it sends is dropped here and counted: 0 is returned for it.
 */
static ssize_t recv_batch(struct evstate *st, int fd, void *buf)
{
	struct sockaddr_nl sa = { 0 };
	socklen_t salen = sizeof(sa);
	ssize_t n;

	n = recvfrom(fd, buf, NL_RECV_BUF, MSG_DONTWAIT, (struct sockaddr *)&sa, &salen);
	if (n > 0 && sa.nl_pid) {
		if (!st->foreign++)
			fprintf(stderr, "tcphs: ignoring messages that port %u, not the kernel, sent to the group\n",
				sa.nl_pid);
		return 0;
	}
	return n;
}

/* The messages of one batch; the malformed ones are counted and skipped. */
static void take_batch(struct evstate *st, const void *buf, size_t n)
{
	size_t ok = nl_wellformed(buf, n);

	if (ok < n && !st->malformed++)
		fputs("tcphs: skipping a message whose length does not fit\n", stderr);
	/* An error or end-of-dump message is no event: the batch ends there. */
	if (ok && mnl_cb_run(buf, ok, 0, 0, event_cb, st) == MNL_CB_ERROR && !st->malformed++)
		fputs("tcphs: skipping a netlink error message\n", stderr);
}

static int join_groups(struct evstate *st, struct nl *nl)
{
	uint16_t ctrl_id;
	uint32_t notify = 0;
	int ret, actual = 0;

	/*
	 * A kernel that cannot keep the group to CAP_NET_ADMIN gets none,
	 * unless the module was loaded with unsafe_unrestricted_events=1.
	 */
	if (!nl->events_group) {
		fprintf(stderr, "tcphs: the tcphs family has no \"%s\" multicast group: this kernel cannot restrict it to CAP_NET_ADMIN, so the module offers none (load it with unsafe_unrestricted_events=1 to give events to every local user; /proc/net/tcphs_events has the recent ones)\n",
			TCPHS_MCGRP_EVENTS);
		return EXIT_ERROR;
	}

	ret = nl_set_rcvbuf(nl, st->o->rcvbuf, &actual);
	if (ret)
		fprintf(stderr, "tcphs: warning: cannot set the receive buffer to %d bytes: %s\n",
			st->o->rcvbuf, strerror(-ret));

	/* Best effort: without it, an unloaded module just goes quiet. */
	if (!nl_resolve(nl, "nlctrl", &ctrl_id, "notify", &notify, NULL) && notify)
		nl_join(nl, notify);

	ret = nl_join(nl, nl->events_group);
	if (ret)
		return tcphs_nl_fail(nl, ret, "joining the \"events\" group",
				     "joining the \"events\" group needs CAP_NET_ADMIN");
	return EXIT_OK;
}

/*
 * tcphs events --from FILE: the lines of /proc/net/tcphs_events (or a copy)
 * instead of the live events, through the same filters and printers. A
 * line that is not the log's is reported and skipped; "#" lines say how
 * many events the log had overwritten.
 */
static int run_events_from(struct evstate *st)
{
	const struct tcphs_opts *o = st->o;
	FILE *fp = strcmp(o->from, "-") ? fopen(o->from, "r") : stdin;
	unsigned long lineno = 0, bad = 0;
	uint64_t lost = 0, n;
	struct tcphs_flow f;
	char line[1024], err[128];

	if (!fp) {
		fprintf(stderr, "tcphs: %s: %s\n", o->from, strerror(errno));
		return EXIT_ERROR;
	}
	while (!st->done && fgets(line, sizeof(line), fp)) {
		lineno++;
		switch (tcphs_evlog_parse(line, &f, &n, err, sizeof(err))) {
		case TCPHS_EVLOG_EVENT:
			st->received++;
			account_seq(st, &f);
			take_event(st, &f);
			break;
		case TCPHS_EVLOG_LOST:
			lost += n;
			break;
		case TCPHS_EVLOG_BAD:
			if (!bad++)
				fprintf(stderr, "tcphs: %s:%lu: not a line of the event log: %s\n",
					o->from, lineno, err);
			break;
		}
	}
	if (ferror(fp))
		fprintf(stderr, "tcphs: %s: read error\n", o->from);
	if (fp != stdin)
		fclose(fp);
	ladder_draw_open(st);
	if (bad > 1)
		fprintf(stderr, "tcphs: skipped %lu lines that were not the event log's\n", bad);
	if (lost)
		fprintf(stderr, "tcphs: the log had overwritten %" PRIu64 " events\n", lost);
	fprintf(stderr, "tcphs: read %" PRIu64 " events, lost %" PRIu64 "\n",
		st->received, st->lost);
	ladder_free(st);
	if (bad && !st->received)
		return EXIT_ERROR;
	return o->strict && st->lost ? EXIT_LOST : EXIT_OK;
}

/**
 * run_events - tcphs events
 * @o: options
 *
 * Runs until SIGINT or SIGTERM, --count, --timeout, the module's unload or,
 * with --strict, a lost event, then prints "tcphs: received R events, lost
 * L" on stderr. Exits 0, but EXIT_TIMEOUT when --timeout came before
 * --count, and EXIT_LOST with --strict when events were lost. The count runs from the namespace's last event when the
 * reader started to its last event when it stopped (by a signal or the
 * timeout), so R + L is exactly what was generated in between.
 */
/* tcphs summary: tcphs events --finished. */
int run_summary(const struct tcphs_opts *o)
{
	struct tcphs_opts c = *o;

	c.finished = true;
	return run_events(&c);
}

int run_events(const struct tcphs_opts *o)
{
	struct evstate *st;
	struct nl nl;
	struct sigaction sa = { .sa_handler = on_signal };
	struct pollfd pfd;
	sigset_t block, orig;
	int64_t deadline = 0, left;
	bool timed_out = false, overflowed = false;
	uint64_t end_seq;
	struct timespec ts;
	ssize_t n;
	int ret;

	st = calloc(1, sizeof(*st));
	if (!st) {
		perror("tcphs");
		return EXIT_ERROR;
	}
	st->o = o;
	st->nl = &nl;
	st->out.raw = o->raw;
	st->out.time = o->time;
	st->out.utc = o->utc;
	st->out.wall = o->wall;
	st->out.no_times = o->no_times;
	st->out.wall_offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);

	if (o->from) {
		ret = run_events_from(st);
		free(st);
		return ret;
	}
	ret = tcphs_open(&nl);
	if (ret) {
		free(st);
		return ret;
	}
	ret = join_groups(st, &nl);
	if (ret)
		goto out;
	/*
	 * Count from the namespace's last event now, so that events lost
	 * before the first one received count too; and ask to hear of
	 * overruns, so that the module counts them in event_drop.
	 */
	ret = tcphs_last_event_seq(&st->start_seq);
	if (!ret) {
		st->bracketed = true;
		st->have_last = true;
		st->last_seq = st->start_seq;
	} else if (ret == -ENOENT) {
		/* Gone between the lookup and the joins: no notice will come. */
		st->unloaded = true;
	}
	ret = 0;
	nl_broadcast_error(&nl);

	/* Signals are let in only while waiting, so none is missed. */
	sigemptyset(&block);
	sigaddset(&block, SIGINT);
	sigaddset(&block, SIGTERM);
	sigprocmask(SIG_BLOCK, &block, &orig);
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	if (o->timeout)
		deadline = clock_ns(CLOCK_MONOTONIC) + (int64_t)(o->timeout * 1e9);
	pfd.fd = nl_fd(&nl);
	pfd.events = POLLIN;

	while (!stop_signal && !st->done && !st->unloaded &&
	       !(o->strict && (st->lost || overflowed))) {
		if (o->timeout) {
			left = deadline - clock_ns(CLOCK_MONOTONIC);
			if (left <= 0) {
				timed_out = true;
				break;
			}
			ts.tv_sec = left / 1000000000;
			ts.tv_nsec = left % 1000000000;
		}
		ret = ppoll(&pfd, 1, o->timeout ? &ts : NULL, &orig);
		if (ret < 0 && errno != EINTR) {
			ret = tcphs_nl_fail(NULL, -errno, "waiting for events", NULL);
			goto out;
		}
		if (ret <= 0)
			continue;

		n = recv_batch(st, pfd.fd, nl.buf);
		if (n < 0) {
			if (errno == ENOBUFS) {
				fputs("tcphs: socket overflowed, events lost\n", stderr);
				overflowed = true;
				continue;
			}
			if (errno == EAGAIN || errno == EINTR)
				continue;
			ret = tcphs_nl_fail(NULL, -errno, "receiving events", NULL);
			goto out;
		}
		/* Events carry CLOCK_MONOTONIC; the wall clock may be stepped. */
		st->out.wall_offset = clock_ns(CLOCK_REALTIME) - clock_ns(CLOCK_MONOTONIC);
		take_batch(st, nl.buf, n);
	}

	/*
	 * Stopped by a signal or the timeout: what was generated until now is
	 * in the socket or was lost. Read the rest, then count the tail.
	 */
	if (!st->unloaded && !st->done && st->bracketed &&
	    !tcphs_last_event_seq(&end_seq)) {
		while ((n = recv_batch(st, pfd.fd, nl.buf)) >= 0 ||
		       errno == ENOBUFS || errno == EINTR)
			if (n > 0)
				take_batch(st, nl.buf, n);
		if (!st->done && end_seq > st->last_seq)
			report_gap(st, st->last_seq + 1, end_seq);
	}
	if (st->unloaded)
		fputs("tcphs: the tcphs module was unloaded\n", stderr);
	ladder_draw_open(st);
	if (st->malformed > 1)
		fprintf(stderr, "tcphs: skipped %lu malformed messages\n", st->malformed);
	if (st->foreign > 1)
		fprintf(stderr, "tcphs: ignored %lu messages not sent by the kernel\n", st->foreign);
	fflush(stdout);
	fprintf(stderr, "tcphs: received %" PRIu64 " events, lost %" PRIu64 "\n",
		st->received, st->lost);
	ret = EXIT_OK;
	if (o->count && timed_out && !st->done) {
		fprintf(stderr, "tcphs: timed out before %lu %s\n", o->count,
			o->ladder ? "flows" : "events");
		ret = EXIT_TIMEOUT;
	}
	if (o->strict && (st->lost || overflowed)) {
		fputs("tcphs: events were lost (--strict)\n", stderr);
		ret = EXIT_LOST;
	}
out:
	ladder_free(st);
	free(st);
	nl_close(&nl);
	return ret;
}
