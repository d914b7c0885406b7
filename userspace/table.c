// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: the flow table as text.
 *
 * The columns are named as /proc/tcphs names them (the header is the name
 * in capitals), with the unit in the name where the text's unit differs
 * from /proc's nanoseconds. Each column is as wide as its widest cell, one
 * space between columns as lsblk has them; numbers are right-aligned, words
 * left-aligned, and the last column is not padded.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <tcphs_names.h>

#include "output.h"
#include "table.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define CELL_LEN	(2 * TCPHS_STR_LEN + 2)

struct column {
	const char *name;
	bool right;		/* a number: right-aligned */
	bool dflt;		/* in the default set */
	void (*cell)(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		     unsigned int arg __maybe_unused);
	unsigned int arg;
};

static void dash(char *buf)
{
	snprintf(buf, CELL_LEN, "-");
}

static void cell_u64(char *buf, const struct tcphs_flow *f, unsigned int type, uint64_t v)
{
	if (tcphs_has(f, type))
		snprintf(buf, CELL_LEN, "%" PRIu64, v);
	else
		dash(buf);
}

static void c_id(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		 unsigned int arg __maybe_unused)
{
	cell_u64(buf, f, TCPHS_A_FLOW_ID, f->flow_id);
}

static void c_family(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		     unsigned int arg __maybe_unused)
{
	if (tcphs_has(f, TCPHS_A_FAMILY))
		snprintf(buf, CELL_LEN, "%s", f->family == AF_INET6 ? "ipv6" : "ipv4");
	else
		dash(buf);
}

static void c_endpoint(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		       unsigned int addr)
{
	unsigned int port = addr == TCPHS_A_SADDR ? TCPHS_A_SPORT :
			    addr == TCPHS_A_DADDR ? TCPHS_A_DPORT :
			    addr == TCPHS_A_NAT_SADDR ? TCPHS_A_NAT_SPORT : TCPHS_A_NAT_DPORT;

	if ((addr == TCPHS_A_NAT_SADDR || addr == TCPHS_A_NAT_DADDR) && !tcphs_has(f, addr))
		dash(buf);
	else
		tcphs_endpoint_str(buf, CELL_LEN, f, addr, port);
}

static void c_word(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		   unsigned int type)
{
	const char *w = NULL;

	if (tcphs_has(f, type)) {
		switch (type) {
		case TCPHS_A_STATE:
			w = TCPHS_NAME(tcphs_state_names, f->state);
			break;
		case TCPHS_A_CONN_STATE:
			w = TCPHS_NAME(tcphs_conn_state_names, f->conn_state);
			break;
		case TCPHS_A_OPENER:
			w = TCPHS_NAME(tcphs_opener_names, f->opener);
			break;
		case TCPHS_A_CLOSER:
			w = tcphs_dir_name(f->closer);
			break;
		case TCPHS_A_END:
			w = TCPHS_NAME(tcphs_end_names, f->end);
			break;
		case TCPHS_A_OUTCOME:
			w = TCPHS_NAME(tcphs_outcome_names, f->outcome);
			break;
		case TCPHS_A_STAGE:
			w = TCPHS_NAME(tcphs_stage_names, f->stage);
			break;
		case TCPHS_A_OWNER_SIDE:
			w = tcphs_dir_name(f->owner_side);
			break;
		}
	}
	snprintf(buf, CELL_LEN, "%s", w ? w : "-");
}

static void c_history(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		      unsigned int arg __maybe_unused)
{
	if (tcphs_has(f, TCPHS_A_HISTORY) && f->history[0])
		tcphs_safe_str(buf, CELL_LEN, f->history);
	else
		dash(buf);
}


/* Seconds since the flow's first segment seen, one decimal. */
static void c_age(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		  unsigned int arg __maybe_unused)
{
	uint64_t ts, d;

	if (!t->has_now || !tcphs_flow_first_ts(f, &ts) || ts > t->now_ns) {
		dash(buf);
		return;
	}
	d = (t->now_ns - ts) / 100000000;
	snprintf(buf, CELL_LEN, "%" PRIu64 ".%" PRIu64, d / 10, d % 10);
}

static void c_timeout(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		      unsigned int arg __maybe_unused)
{
	cell_u64(buf, f, TCPHS_A_TIMEOUT, f->timeout);
}

static void c_isn(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		  unsigned int type)
{
	cell_u64(buf, f, type, type == TCPHS_A_ISN_ORIG ? f->isn_orig : f->isn_reply);
}

/* Milliseconds with three decimals. */
static void c_lat(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		  unsigned int type)
{
	uint64_t ns = type == TCPHS_A_LAT_SYN_SYNACK ? f->lat_syn_synack : f->lat_synack_ack;
	uint64_t us = ns / 1000;

	if (tcphs_has(f, type))
		snprintf(buf, CELL_LEN, "%" PRIu64 ".%03" PRIu64, us / 1000, us % 1000);
	else
		dash(buf);
}

static void c_rtx(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		  unsigned int type)
{
	cell_u64(buf, f, type, type == TCPHS_A_RTX_SYN ? f->rtx_syn :
			       type == TCPHS_A_RTX_SYNACK ? f->rtx_synack : f->rtx_fin);
}

/* What is known of the flow's owner; "-" for none (forwarded, or not known yet). */
static void c_owner(char *buf, const struct tcphs_flow *f, const struct tcphs_table *t __maybe_unused,
		    unsigned int type)
{
	if (!tcphs_has(f, type))
		dash(buf);
	else if (type == TCPHS_A_OWNER_COMM)
		tcphs_safe_str(buf, CELL_LEN, f->owner_comm[0] ? f->owner_comm : "-");
	else
		cell_u64(buf, f, type, type == TCPHS_A_OWNER_UID ? f->owner_uid :
				       type == TCPHS_A_OWNER_PID ? f->owner_pid :
				       type == TCPHS_A_OWNER_CGROUP ? f->owner_cgroup :
				       f->owner_cookie);
}

static const struct column columns[] = {
	{ "id",			true,	true,	c_id,	0 },
	{ "family",		false,	false,	c_family,	0 },
	{ "orig",		false,	true,	c_endpoint,	TCPHS_A_SADDR },
	{ "reply",		false,	true,	c_endpoint,	TCPHS_A_DADDR },
	{ "state",		false,	true,	c_word,		TCPHS_A_STATE },
	{ "conn_state",		false,	true,	c_word,		TCPHS_A_CONN_STATE },
	{ "history",		false,	true,	c_history,	0 },
	{ "age",		true,	true,	c_age,	0 },
	{ "timeout",		true,	true,	c_timeout,	0 },
	{ "syn_synack_ms",	true,	true,	c_lat,		TCPHS_A_LAT_SYN_SYNACK },
	{ "synack_ack_ms",	true,	true,	c_lat,		TCPHS_A_LAT_SYNACK_ACK },
	{ "opener",		false,	false,	c_word,		TCPHS_A_OPENER },
	{ "isn_orig",		true,	false,	c_isn,		TCPHS_A_ISN_ORIG },
	{ "isn_reply",		true,	false,	c_isn,		TCPHS_A_ISN_REPLY },
	{ "rtx_syn",		true,	false,	c_rtx,		TCPHS_A_RTX_SYN },
	{ "rtx_synack",		true,	false,	c_rtx,		TCPHS_A_RTX_SYNACK },
	{ "rtx_fin",		true,	false,	c_rtx,		TCPHS_A_RTX_FIN },
	{ "closer",		false,	false,	c_word,		TCPHS_A_CLOSER },
	{ "end",		false,	false,	c_word,		TCPHS_A_END },
	{ "nat_orig",		false,	false,	c_endpoint,	TCPHS_A_NAT_SADDR },
	{ "nat_reply",		false,	false,	c_endpoint,	TCPHS_A_NAT_DADDR },
	{ "outcome",		false,	false,	c_word,		TCPHS_A_OUTCOME },
	{ "stage",		false,	false,	c_word,		TCPHS_A_STAGE },
	{ "owner",		false,	false,	c_word,		TCPHS_A_OWNER_SIDE },
	{ "uid",		true,	false,	c_owner,	TCPHS_A_OWNER_UID },
	{ "pid",		true,	false,	c_owner,	TCPHS_A_OWNER_PID },
	{ "comm",		false,	false,	c_owner,	TCPHS_A_OWNER_COMM },
	{ "cgroup",		true,	false,	c_owner,	TCPHS_A_OWNER_CGROUP },
	{ "cookie",		true,	false,	c_owner,	TCPHS_A_OWNER_COOKIE },
};

_Static_assert(ARRAY_SIZE(columns) <= TCPHS_TABLE_MAX_COLS, "tcphs_table.cols");

/**
 * tcphs_table_default - the default columns (a busy host's IPv4 flows fit
 * 120 characters), or with @wide all of them
 * @t: the table
 * @wide: all columns
 */
void tcphs_table_default(struct tcphs_table *t, bool wide)
{
	size_t i;

	t->ncols = 0;
	for (i = 0; i < ARRAY_SIZE(columns); i++)
		if (wide || columns[i].dflt)
			t->cols[t->ncols++] = i;
}

static int find_column(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(columns); i++)
		if (!strcasecmp(columns[i].name, name))
			return i;
	return -1;
}

bool tcphs_table_is_column(const char *name)
{
	return find_column(name) >= 0;
}

/**
 * tcphs_table_add_column - show one more column
 * @t: the table
 * @name: the column's name, as /proc/tcphs's header has it (any case)
 * @err: set to the reason when the name is refused
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set.
 */
int tcphs_table_add_column(struct tcphs_table *t, const char *name, char *err,
			   size_t errlen)
{
	int c = find_column(name);
	size_t i, off;

	if (c < 0) {
		off = snprintf(err, errlen, "unknown column '%s'; columns:", name);
		for (i = 0; i < ARRAY_SIZE(columns) && off < errlen; i++)
			off += snprintf(err + off, errlen - off, " %s", columns[i].name);
		return -1;
	}
	for (i = 0; i < t->ncols; i++) {
		if (t->cols[i] == c) {
			snprintf(err, errlen, "column '%s' given twice", columns[c].name);
			return -1;
		}
	}
	t->cols[t->ncols++] = c;
	return 0;
}

static void header(char *buf, const struct column *c)
{
	size_t i;

	for (i = 0; c->name[i] && i + 1 < CELL_LEN; i++)
		buf[i] = c->name[i] >= 'a' && c->name[i] <= 'z' ? c->name[i] - 'a' + 'A' :
								   c->name[i];
	buf[i] = '\0';
}

static void print_row(FILE *fp, const struct tcphs_table *t, const size_t *width,
		      const struct tcphs_flow *f)
{
	char cell[CELL_LEN];
	unsigned int i;

	for (i = 0; i < t->ncols; i++) {
		const struct column *c = &columns[t->cols[i]];
		bool last = i + 1 == t->ncols;

		if (f)
			c->cell(cell, f, t, c->arg);
		else
			header(cell, c);
		if (c->right)
			fprintf(fp, "%*s", (int)width[i], cell);
		else if (last)
			fputs(cell, fp);
		else
			fprintf(fp, "%-*s", (int)width[i], cell);
		fputs(last ? "\n" : " ", fp);
	}
}

/**
 * tcphs_table_print - the flows as a table, a header line first
 * @fp: where to
 * @t: the columns and what they need
 * @v: the flows
 * @n: how many
 *
 * Each cell is written twice, once to measure its column; nothing is kept
 * per row, so a million flows take no more memory than one.
 */
void tcphs_table_print(FILE *fp, const struct tcphs_table *t,
		       const struct tcphs_flow *v, size_t n)
{
	size_t width[TCPHS_TABLE_MAX_COLS], len, r;
	struct tcphs_table cols = *t;
	char cell[CELL_LEN], err[64];
	unsigned int i;

	/* The default columns, and the translation where one happened. */
	for (r = 0; t->auto_nat && r < n && !tcphs_has(&v[r], TCPHS_A_NAT_SADDR); r++)
		;
	if (t->auto_nat && r < n) {
		tcphs_table_add_column(&cols, "nat_orig", err, sizeof(err));
		tcphs_table_add_column(&cols, "nat_reply", err, sizeof(err));
	}
	t = &cols;
	if (!t->ncols)
		return;
	for (i = 0; i < t->ncols; i++) {
		header(cell, &columns[t->cols[i]]);
		width[i] = t->no_header ? 0 : strlen(cell);
	}
	for (r = 0; r < n; r++) {
		for (i = 0; i < t->ncols; i++) {
			const struct column *c = &columns[t->cols[i]];

			c->cell(cell, &v[r], t, c->arg);
			len = strlen(cell);
			if (len > width[i])
				width[i] = len;
		}
	}
	if (!t->no_header)
		print_row(fp, t, width, NULL);
	for (r = 0; r < n; r++)
		print_row(fp, t, width, &v[r]);
}
