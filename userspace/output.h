/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcphs: text, JSON and ladder formatting of flows and events.
 */
#ifndef _TCPHS_OUTPUT_H
#define _TCPHS_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "flow.h"

/* The word for value @i of the name table @table (tcphs_names.h), or "?". */
#define TCPHS_NAME(table, i) \
	tcphs_name_of(table, sizeof(table) / sizeof((table)[0]), i)

/* How an event line gives its time. */
enum tcphs_time_fmt {
	TCPHS_TIME_WALL,	/* HH:MM:SS.uuuuuu, wall clock */
	TCPHS_TIME_ISO,		/* ISO 8601: date, time and zone */
	TCPHS_TIME_MONO,	/* seconds.uuuuuu of CLOCK_MONOTONIC */
};

struct tcphs_out {
	bool raw;		/* seq and ack as on the wire, not x+N, y+N */
	enum tcphs_time_fmt time;
	bool utc;		/* wall-clock times in UTC, not local time */
	bool wall;		/* wall clock and monotonic time both (--wall) */
	int64_t wall_offset;	/* CLOCK_REALTIME - the events' clock, ns */
	bool no_times;		/* ladder: leave out the time column */
	bool still_open;	/* ladder: the flow had not ended: say so */
};

/* Long enough for any string the helpers below write. */
#define TCPHS_STR_LEN	64

const char *tcphs_flags_str(char *buf, size_t len, uint8_t flags);
int tcphs_flags_parse(const char *s, uint8_t *flags);
const char *tcphs_rel_str(char *buf, size_t len, uint32_t val, bool isn_known,
			  uint32_t isn, char letter);
const char *tcphs_addr_str(char *buf, size_t len, const struct tcphs_flow *f,
			   unsigned int type);
const char *tcphs_endpoint_str(char *buf, size_t len, const struct tcphs_flow *f,
			       unsigned int addr_type, unsigned int port_type);
const char *tcphs_msec_str(char *buf, size_t len, uint64_t ns);
const char *tcphs_safe_str(char *buf, size_t len, const char *s);
const char *tcphs_dir_name(unsigned int dir);
void tcphs_seg_rel(const struct tcphs_flow *f, bool raw, char *seq, char *ack,
		   size_t len);

void tcphs_json_string(FILE *fp, const char *s);

void tcphs_print_event(FILE *fp, const struct tcphs_flow *f,
		       const struct tcphs_out *o);
void tcphs_print_summary(FILE *fp, const struct tcphs_flow *f, const struct tcphs_out *o);
void tcphs_print_summary_json(FILE *fp, const struct tcphs_flow *f, const struct tcphs_out *o);
void tcphs_print_event_json(FILE *fp, const struct tcphs_flow *f,
			    const struct tcphs_out *o);
void tcphs_print_lost_json(FILE *fp, uint64_t lost, uint64_t from, uint64_t to);

void tcphs_print_flow_json(FILE *fp, const struct tcphs_flow *f);

void tcphs_draw_ladder(FILE *fp, const struct tcphs_flow *ev, size_t n,
		       const struct tcphs_out *o);

#endif /* _TCPHS_OUTPUT_H */
