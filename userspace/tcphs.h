/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcphs: what the subcommands share.
 */
#ifndef _TCPHS_H
#define _TCPHS_H

#include <stdbool.h>
#include <stdint.h>

#include "filter.h"
#include "flow.h"
#include "output.h"
#include "table.h"

#define TCPHS_PROG_VERSION	"1.1"

/* Exit statuses. */
#define EXIT_OK			0
#define EXIT_ERROR		1	/* netlink or system error */
#define EXIT_NOT_LOADED		2	/* the tcphs module is not loaded */
#define EXIT_TIMEOUT		3	/* events: --timeout came before --count */
#define EXIT_LOST		4	/* events --strict: events were lost */
#define EXIT_USAGE		64	/* EX_USAGE: bad arguments */

/* Default receive buffer for "tcphs events". */
#define TCPHS_DEFAULT_RCVBUF	(8 << 20)

struct tcphs_opts {
	bool json;
	bool raw;
	bool ladder;
	bool no_times;
	bool wall;
	enum tcphs_time_fmt time;	/* events: how the time is written */
	bool utc;
	struct tcphs_table table;	/* list, pcap: the columns */
	bool wide;			/* all the columns */
	unsigned long count;		/* 0: no limit */
	double timeout;			/* seconds, 0: none */
	int rcvbuf;			/* bytes */
	bool strict;			/* events: fail on a lost event */
	const char *from;		/* events: read this event log instead */
	bool finished;			/* events: a line per finished flow */
	struct tcphs_filter filter;
	/* tcphs pcap */
	const char *file;
	bool pcap_events;		/* events, not the table */
	bool pcap_stats;		/* the counters after */
	bool loose;			/* flows from any segment, as loose=1 */
	bool no_checksum;		/* take every checksum as right */
	/* tcphs metrics, tcphs top */
	const char *textfile;		/* write DIR/tcphs.prom */
	double interval;		/* seconds between reads, 0: once */
};

struct nl;

/* The namespace's counters (TCPHS_CMD_GET_STATS). */
struct tcphs_counters {
	uint64_t val[__TCPHS_STAT_MAX];
	bool has[__TCPHS_STAT_MAX];
	bool has_flows, has_netns, has_event_seq;
	uint32_t flows, netns;
	uint64_t event_seq;
	bool bad;
};

int tcphs_query_counters(struct tcphs_counters *st);
int tcphs_read_counters(struct nl *nl, struct tcphs_counters *st);

int run_events(const struct tcphs_opts *o);
int run_list(const struct tcphs_opts *o);
int run_stats(const struct tcphs_opts *o);
int tcphs_last_event_seq(uint64_t *seq);
int run_flush(const struct tcphs_opts *o);
int run_pcap(const struct tcphs_opts *o);
int run_metrics(const struct tcphs_opts *o);
int run_top(const struct tcphs_opts *o);
int run_summary(const struct tcphs_opts *o);

int tcphs_open(struct nl *nl);
int tcphs_nl_fail(const struct nl *nl, int err, const char *what,
		  const char *eperm_hint);

#endif /* _TCPHS_H */
