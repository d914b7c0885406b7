// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: text, JSON and ladder formatting.
 *
 * All names come from tcphs_names.h, the same tables the module uses, so
 * both always print the same words.
 */
#include <arpa/inet.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <tcphs_names.h>

#include "output.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/**
 * tcphs_flags_str - TCP flags as letters
 * @buf: where to write, at least 9 bytes
 * @len: size of @buf
 * @flags: TCPHS_F_* bits
 *
 * The letters come in the order S F R P A U E C (SYN, FIN, RST, PSH, ACK,
 * URG, ECE, CWR): a SYN-ACK is "SA", a FIN-ACK "FA". No flags give "".
 */
static const struct {
	uint8_t bit;
	char letter;
} flag_letters[] = {
	{ TCPHS_F_SYN, 'S' }, { TCPHS_F_FIN, 'F' }, { TCPHS_F_RST, 'R' },
	{ TCPHS_F_PSH, 'P' }, { TCPHS_F_ACK, 'A' }, { TCPHS_F_URG, 'U' },
	{ TCPHS_F_ECE, 'E' }, { TCPHS_F_CWR, 'C' },
};

const char *tcphs_flags_str(char *buf, size_t len, uint8_t flags)
{
	size_t i, n = 0;

	for (i = 0; i < ARRAY_SIZE(flag_letters) && n + 1 < len; i++)
		if (flags & flag_letters[i].bit)
			buf[n++] = flag_letters[i].letter;
	if (len)
		buf[n] = '\0';
	return buf;
}

/**
 * tcphs_flags_parse - the flags tcphs_flags_str() wrote, back
 * @s: the letters, in any order, or "-" for none
 * @flags: the TCPHS_F_* bits
 *
 * Return: 0, or -1 for a letter that is no flag's.
 */
int tcphs_flags_parse(const char *s, uint8_t *flags)
{
	size_t i;

	*flags = 0;
	if (!strcmp(s, "-"))
		return 0;
	for (; *s; s++) {
		for (i = 0; i < ARRAY_SIZE(flag_letters) && flag_letters[i].letter != *s; i++)
			;
		if (i == ARRAY_SIZE(flag_letters))
			return -1;
		*flags |= flag_letters[i].bit;
	}
	return 0;
}

/**
 * tcphs_rel_str - a sequence number relative to an ISN, as a textbook writes it
 * @buf: where to write
 * @len: size of @buf
 * @val: the sequence or acknowledgment number
 * @isn_known: whether @isn is known; if not, @val is written as a number
 * @isn: the initial sequence number @val is relative to
 * @letter: the ISN's name, 'x' for the originator's, 'y' for the responder's
 *
 * Gives "x", "x+1", "x+1461", or "x-5" for a number before the ISN (modulo
 * 2^32, as TCP compares them).
 */
const char *tcphs_rel_str(char *buf, size_t len, uint32_t val, bool isn_known,
			  uint32_t isn, char letter)
{
	uint32_t d = val - isn;

	if (!isn_known)
		snprintf(buf, len, "%" PRIu32, val);
	else if (!d)
		snprintf(buf, len, "%c", letter);
	else if ((int32_t)d > 0)
		snprintf(buf, len, "%c+%" PRIu32, letter, d);
	else
		snprintf(buf, len, "%c-%" PRIu32, letter, isn - val);
	return buf;
}

/* An address attribute as text, "?" when unknown. */
const char *tcphs_addr_str(char *buf, size_t len, const struct tcphs_flow *f,
			   unsigned int type)
{
	const union tcphs_addr *a = type == TCPHS_A_SADDR ? &f->saddr :
				    type == TCPHS_A_DADDR ? &f->daddr :
				    type == TCPHS_A_NAT_SADDR ? &f->nat_saddr : &f->nat_daddr;

	if (!tcphs_has(f, type) || !tcphs_has(f, TCPHS_A_FAMILY) ||
	    !inet_ntop(f->family, a->b, buf, len))
		snprintf(buf, len, "?");
	return buf;
}

/* "10.0.0.1:40000" or "[2001:db8::1]:40000"; "?" for what is unknown. */
const char *tcphs_endpoint_str(char *buf, size_t len, const struct tcphs_flow *f,
			       unsigned int addr_type, unsigned int port_type)
{
	char addr[INET6_ADDRSTRLEN + 2], port[8];
	uint16_t p = port_type == TCPHS_A_SPORT ? f->sport :
		     port_type == TCPHS_A_DPORT ? f->dport :
		     port_type == TCPHS_A_NAT_SPORT ? f->nat_sport : f->nat_dport;

	tcphs_addr_str(addr, sizeof(addr), f, addr_type);
	if (tcphs_has(f, port_type))
		snprintf(port, sizeof(port), "%u", p);
	else
		snprintf(port, sizeof(port), "?");
	if (f->family == AF_INET6 && tcphs_has(f, addr_type))
		snprintf(buf, len, "[%s]:%s", addr, port);
	else
		snprintf(buf, len, "%s:%s", addr, port);
	return buf;
}

/* Nanoseconds as milliseconds with three decimals: "0.120ms". */
const char *tcphs_msec_str(char *buf, size_t len, uint64_t ns)
{
	uint64_t us = ns / 1000;

	snprintf(buf, len, "%" PRIu64 ".%03" PRIu64 "ms", us / 1000, us % 1000);
	return buf;
}

const char *tcphs_dir_name(unsigned int dir)
{
	switch (dir) {
	case TCPHS_DIR_ORIG:
		return "orig";
	case TCPHS_DIR_REPLY:
		return "reply";
	default:
		return "?";
	}
}

/**
 * tcphs_seg_rel - the seq and ack of an event's segment, as text
 * @f: the event
 * @raw: write the numbers as on the wire
 * @seq: gets the seq; "?" if unknown
 * @ack: gets the ack; "-" if the segment has no ACK flag (unless @raw)
 * @len: size of @seq and of @ack
 *
 * A segment from the originator has its seq relative to the originator's
 * ISN (x) and its ack relative to the responder's (y); a segment from the
 * responder the other way round. Without the ISN it needs, a number is
 * written as on the wire.
 */
void tcphs_seg_rel(const struct tcphs_flow *f, bool raw, char *seq, char *ack,
		   size_t len)
{
	bool dir_known = tcphs_has(f, TCPHS_A_DIR) && f->dir <= TCPHS_DIR_REPLY;
	bool orig = f->dir == TCPHS_DIR_ORIG;
	bool has_x = !raw && dir_known && tcphs_has(f, TCPHS_A_ISN_ORIG);
	bool has_y = !raw && dir_known && tcphs_has(f, TCPHS_A_ISN_REPLY);

	if (!tcphs_has(f, TCPHS_A_SEQ))
		snprintf(seq, len, "?");
	else if (orig)
		tcphs_rel_str(seq, len, f->seq, has_x, f->isn_orig, 'x');
	else
		tcphs_rel_str(seq, len, f->seq, has_y, f->isn_reply, 'y');

	if (!tcphs_has(f, TCPHS_A_ACK))
		snprintf(ack, len, "?");
	else if (!raw && tcphs_has(f, TCPHS_A_TCP_FLAGS) &&
		 !(f->tcp_flags & TCPHS_F_ACK))
		snprintf(ack, len, "-");
	else if (orig)
		tcphs_rel_str(ack, len, f->ack, has_y, f->isn_reply, 'y');
	else
		tcphs_rel_str(ack, len, f->ack, has_x, f->isn_orig, 'x');
}

/* A string from the kernel, printable ASCII only, for text output. */
const char *tcphs_safe_str(char *buf, size_t len, const char *s)
{
	size_t i;

	for (i = 0; s[i] && i + 1 < len; i++)
		buf[i] = s[i] >= 0x20 && s[i] < 0x7f ? s[i] : '?';
	if (len)
		buf[i] = '\0';
	return buf;
}

#define NAME_IF(f, type, table, field) \
	(tcphs_has(f, type) ? TCPHS_NAME(table, (f)->field) : "?")

/* seconds.microseconds of a CLOCK_MONOTONIC time */
static void print_mono(FILE *fp, const struct tcphs_flow *f)
{
	if (tcphs_has(f, TCPHS_A_TS_NS))
		fprintf(fp, "%" PRIu64 ".%06" PRIu64, f->ts_ns / 1000000000,
			f->ts_ns % 1000000000 / 1000);
	else
		fputc('?', fp);
}

/* The wall-clock time of the event, as @o asks for it, and a space. */
static void print_wall(FILE *fp, const struct tcphs_flow *f, const struct tcphs_out *o,
		       bool iso)
{
	int64_t ns = (int64_t)f->ts_ns + o->wall_offset;
	time_t sec = ns / 1000000000;
	char buf[48], zone[8];
	struct tm tm;
	size_t n;

	if (!tcphs_has(f, TCPHS_A_TS_NS) || ns < 0 ||
	    !(o->utc ? gmtime_r(&sec, &tm) : localtime_r(&sec, &tm)) ||
	    !strftime(buf, sizeof(buf), iso ? "%Y-%m-%dT%H:%M:%S" : "%H:%M:%S", &tm)) {
		fputs("? ", fp);
		return;
	}
	fprintf(fp, "%s.%06" PRId64, buf, ns % 1000000000 / 1000);
	if (iso) {
		/* +hh:mm, as ISO 8601's extended format has it; Z for UTC. */
		if (o->utc || strftime(zone, sizeof(zone), "%z", &tm) != 5) {
			fputc('Z', fp);
		} else {
			n = strlen(zone);
			fprintf(fp, "%.3s:%s", zone, zone + n - 2);
		}
	}
	fputc(' ', fp);
}

/* The event's time in the format @o asks for, and a space. */
static void print_time(FILE *fp, const struct tcphs_flow *f, const struct tcphs_out *o)
{
	if (o->wall) {
		/* --wall: the wall clock, then the monotonic time. */
		print_wall(fp, f, o, o->time == TCPHS_TIME_ISO);
		print_mono(fp, f);
		fputc(' ', fp);
		return;
	}
	switch (o->time) {
	case TCPHS_TIME_MONO:
		print_mono(fp, f);
		fputc(' ', fp);
		break;
	case TCPHS_TIME_ISO:
		print_wall(fp, f, o, true);
		break;
	default:
		print_wall(fp, f, o, false);
		break;
	}
}

/* The owner's fields of a text line; the command last: it may hold spaces. */
static void print_owner(FILE *fp, const struct tcphs_flow *f)
{
	char comm[TCPHS_STR_LEN];

	if (tcphs_has(f, TCPHS_A_OWNER_SIDE) && f->owner_side <= TCPHS_DIR_REPLY)
		fprintf(fp, " owner=%s", tcphs_dir_name(f->owner_side));
	if (tcphs_has(f, TCPHS_A_OWNER_UID))
		fprintf(fp, " uid=%" PRIu32, f->owner_uid);
	if (tcphs_has(f, TCPHS_A_OWNER_PID))
		fprintf(fp, " pid=%" PRIu32, f->owner_pid);
	if (tcphs_has(f, TCPHS_A_OWNER_COMM))
		fprintf(fp, " comm=%s", tcphs_safe_str(comm, sizeof(comm), f->owner_comm));
}

/**
 * tcphs_print_event - one event as a line of text
 * @fp: where to
 * @f: the event
 * @o: output options
 *
 * TIME flow=ID SRC > DST DIR EVENT OLD -> NEW
 *	flags=F seq=S ack=A[ syn-synack=Tms][ synack-ack=Tms]
 *	[ outcome=O stage=S][ owner=SIDE][ uid=U][ pid=P][ comm=C]
 * all on one line. SRC > DST follows the segment, as tcpdump prints it: a
 * SYN-ACK reads server > client, and DIR says whether that is the
 * originator's direction (orig) or the other (reply). An event no segment
 * caused (TIMEOUT, EVICTED) gives the originator's view, and "-" for DIR,
 * F, S and A. TIME is as @o->time says (with --wall: the wall clock, then
 * the monotonic time).
 */
void tcphs_print_event(FILE *fp, const struct tcphs_flow *f,
		       const struct tcphs_out *o)
{
	char src[TCPHS_STR_LEN], dst[TCPHS_STR_LEN], fl[16];
	char seq[TCPHS_STR_LEN], ack[TCPHS_STR_LEN], lat[TCPHS_STR_LEN];
	/* TIMEOUT and EVICTED come from no segment: no dir, flags, seq, ack. */
	bool has_seg = tcphs_has(f, TCPHS_A_DIR) || tcphs_has(f, TCPHS_A_TCP_FLAGS) ||
		       tcphs_has(f, TCPHS_A_SEQ) || tcphs_has(f, TCPHS_A_ACK);

	bool reply = has_seg && tcphs_has(f, TCPHS_A_DIR) && f->dir == TCPHS_DIR_REPLY;

	print_time(fp, f, o);
	if (tcphs_has(f, TCPHS_A_FLOW_ID))
		fprintf(fp, "flow=%" PRIu64, f->flow_id);
	else
		fputs("flow=?", fp);
	tcphs_endpoint_str(reply ? dst : src, sizeof(src), f, TCPHS_A_SADDR, TCPHS_A_SPORT);
	tcphs_endpoint_str(reply ? src : dst, sizeof(dst), f, TCPHS_A_DADDR, TCPHS_A_DPORT);
	fprintf(fp, " %s > %s %s %s %s -> %s", src, dst,
		!has_seg ? "-" : tcphs_has(f, TCPHS_A_DIR) ? tcphs_dir_name(f->dir) : "?",
		NAME_IF(f, TCPHS_A_EVENT, tcphs_event_names, event),
		NAME_IF(f, TCPHS_A_OLD_STATE, tcphs_state_names, old_state),
		NAME_IF(f, TCPHS_A_STATE, tcphs_state_names, state));

	if (!has_seg) {
		fputs(" flags=- seq=- ack=-", fp);
	} else {
		if (!tcphs_has(f, TCPHS_A_TCP_FLAGS))
			snprintf(fl, sizeof(fl), "?");
		else if (!tcphs_flags_str(fl, sizeof(fl), f->tcp_flags)[0])
			snprintf(fl, sizeof(fl), "-");
		tcphs_seg_rel(f, o->raw, seq, ack, sizeof(seq));
		fprintf(fp, " flags=%s seq=%s ack=%s", fl, seq, ack);
	}

	if (tcphs_has(f, TCPHS_A_LAT_SYN_SYNACK))
		fprintf(fp, " syn-synack=%s",
			tcphs_msec_str(lat, sizeof(lat), f->lat_syn_synack));
	if (tcphs_has(f, TCPHS_A_LAT_SYNACK_ACK))
		fprintf(fp, " synack-ack=%s",
			tcphs_msec_str(lat, sizeof(lat), f->lat_synack_ack));
	if (tcphs_has(f, TCPHS_A_OUTCOME)) {
		fprintf(fp, " outcome=%s", TCPHS_NAME(tcphs_outcome_names, f->outcome));
		if (tcphs_has(f, TCPHS_A_STAGE))
			fprintf(fp, " stage=%s", TCPHS_NAME(tcphs_stage_names, f->stage));
	}
	print_owner(fp, f);
	fputc('\n', fp);
}

/**
 * tcphs_json_string - write a JSON string literal
 * @fp: where to
 * @s: the string
 *
 * Quotes and backslashes are escaped, control characters become \b, \f,
 * \n, \r, \t or \u00XX, and so do bytes outside ASCII (read as Latin-1), so
 * that the output is valid JSON and valid UTF-8 whatever the kernel sent.
 */
void tcphs_json_string(FILE *fp, const char *s)
{
	const unsigned char *p;

	fputc('"', fp);
	for (p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"':
			fputs("\\\"", fp);
			break;
		case '\\':
			fputs("\\\\", fp);
			break;
		case '\b':
			fputs("\\b", fp);
			break;
		case '\f':
			fputs("\\f", fp);
			break;
		case '\n':
			fputs("\\n", fp);
			break;
		case '\r':
			fputs("\\r", fp);
			break;
		case '\t':
			fputs("\\t", fp);
			break;
		default:
			if (*p < 0x20 || *p >= 0x7f)
				fprintf(fp, "\\u%04x", *p);
			else
				fputc(*p, fp);
			break;
		}
	}
	fputc('"', fp);
}

/* A JSON object written one key at a time, on one line. */
struct json {
	FILE *fp;
	unsigned int n;
};

static void json_key(struct json *j, const char *key)
{
	fputc(j->n++ ? ',' : '{', j->fp);
	tcphs_json_string(j->fp, key);
	fputc(':', j->fp);
}

static void json_str(struct json *j, const char *key, const char *val)
{
	json_key(j, key);
	if (val)
		tcphs_json_string(j->fp, val);
	else
		fputs("null", j->fp);
}

static void json_u64(struct json *j, const char *key, uint64_t val)
{
	json_key(j, key);
	fprintf(j->fp, "%" PRIu64, val);
}

static void json_end(struct json *j)
{
	fputs(j->n ? "}\n" : "{}\n", j->fp);
}

/* A number that is always there: null when unknown. */
static void json_num(struct json *j, const struct tcphs_flow *f,
		     unsigned int type, const char *key, uint64_t val)
{
	if (tcphs_has(f, type)) {
		json_u64(j, key, val);
	} else {
		json_key(j, key);
		fputs("null", j->fp);
	}
}

/* A number that is there only once known. */
static void json_opt(struct json *j, const struct tcphs_flow *f,
		     unsigned int type, const char *key, uint64_t val)
{
	if (tcphs_has(f, type))
		json_u64(j, key, val);
}

#define JSON_NAME(j, f, type, key, table, field) \
	json_str(j, key, tcphs_has(f, type) ? TCPHS_NAME(table, (f)->field) : NULL)

static void json_tuple(struct json *j, const struct tcphs_flow *f)
{
	char addr[INET6_ADDRSTRLEN];

	json_num(j, f, TCPHS_A_FLOW_ID, "flow_id", f->flow_id);
	json_num(j, f, TCPHS_A_NETNS, "netns", f->netns);
	json_num(j, f, TCPHS_A_FAMILY, "family", f->family == AF_INET6 ? 6 : 4);
	json_str(j, "saddr", tcphs_has(f, TCPHS_A_SADDR) ?
		 tcphs_addr_str(addr, sizeof(addr), f, TCPHS_A_SADDR) : NULL);
	json_num(j, f, TCPHS_A_SPORT, "sport", f->sport);
	json_str(j, "daddr", tcphs_has(f, TCPHS_A_DADDR) ?
		 tcphs_addr_str(addr, sizeof(addr), f, TCPHS_A_DADDR) : NULL);
	json_num(j, f, TCPHS_A_DPORT, "dport", f->dport);
}

/*
 * "owner": the local end whose socket the flow belongs to, null for a flow
 * no local socket sent on (forwarded, or answered by the kernel alone);
 * then what is known of that socket.
 */
static void json_owner(struct json *j, const struct tcphs_flow *f)
{
	bool owned = tcphs_has(f, TCPHS_A_OWNER_SIDE) && f->owner_side <= TCPHS_DIR_REPLY;

	json_str(j, "owner", owned ? tcphs_dir_name(f->owner_side) : NULL);
	if (!owned)
		return;
	json_opt(j, f, TCPHS_A_OWNER_UID, "uid", f->owner_uid);
	json_opt(j, f, TCPHS_A_OWNER_PID, "pid", f->owner_pid);
	if (tcphs_has(f, TCPHS_A_OWNER_COMM))
		json_str(j, "comm", f->owner_comm);
	json_opt(j, f, TCPHS_A_OWNER_CGROUP, "cgroup", f->owner_cgroup);
	json_opt(j, f, TCPHS_A_OWNER_COOKIE, "cookie", f->owner_cookie);
}

static void json_tail(struct json *j, const struct tcphs_flow *f)
{
	JSON_NAME(j, f, TCPHS_A_STATE, "state", tcphs_state_names, state);
	JSON_NAME(j, f, TCPHS_A_CONN_STATE, "conn_state", tcphs_conn_state_names,
		  conn_state);
	json_str(j, "history", tcphs_has(f, TCPHS_A_HISTORY) ? f->history : NULL);

	json_opt(j, f, TCPHS_A_ISN_ORIG, "isn_orig", f->isn_orig);
	json_opt(j, f, TCPHS_A_ISN_REPLY, "isn_reply", f->isn_reply);
	json_opt(j, f, TCPHS_A_LAT_SYN_SYNACK, "syn_synack_ns", f->lat_syn_synack);
	json_opt(j, f, TCPHS_A_LAT_SYNACK_ACK, "synack_ack_ns", f->lat_synack_ack);
	json_opt(j, f, TCPHS_A_TS_SYN, "ts_syn", f->ts_syn);
	json_opt(j, f, TCPHS_A_TS_SYNACK, "ts_synack", f->ts_synack);
	json_opt(j, f, TCPHS_A_TS_ESTABLISHED, "ts_established", f->ts_established);
	json_opt(j, f, TCPHS_A_TS_FIN1, "ts_fin1", f->ts_fin1);
	json_opt(j, f, TCPHS_A_TS_FIN2, "ts_fin2", f->ts_fin2);
	json_opt(j, f, TCPHS_A_TS_END, "ts_end", f->ts_end);
	json_opt(j, f, TCPHS_A_RTX_SYN, "rtx_syn", f->rtx_syn);
	json_opt(j, f, TCPHS_A_RTX_SYNACK, "rtx_synack", f->rtx_synack);
	json_opt(j, f, TCPHS_A_RTX_FIN, "rtx_fin", f->rtx_fin);
	if (tcphs_has(f, TCPHS_A_OPENER))
		json_str(j, "opener", TCPHS_NAME(tcphs_opener_names, f->opener));
	if (tcphs_has(f, TCPHS_A_CLOSER))
		json_str(j, "closer", tcphs_dir_name(f->closer));
	if (tcphs_has(f, TCPHS_A_END))
		json_str(j, "end", TCPHS_NAME(tcphs_end_names, f->end));
	if (tcphs_has(f, TCPHS_A_NAT_SADDR)) {
		char addr[INET6_ADDRSTRLEN];

		json_str(j, "nat_saddr", tcphs_addr_str(addr, sizeof(addr), f, TCPHS_A_NAT_SADDR));
		json_num(j, f, TCPHS_A_NAT_SPORT, "nat_sport", f->nat_sport);
		json_str(j, "nat_daddr", tcphs_has(f, TCPHS_A_NAT_DADDR) ?
			 tcphs_addr_str(addr, sizeof(addr), f, TCPHS_A_NAT_DADDR) : NULL);
		json_num(j, f, TCPHS_A_NAT_DPORT, "nat_dport", f->nat_dport);
	}
	if (tcphs_has(f, TCPHS_A_OUTCOME))
		json_str(j, "outcome", TCPHS_NAME(tcphs_outcome_names, f->outcome));
	if (tcphs_has(f, TCPHS_A_STAGE))
		json_str(j, "stage", TCPHS_NAME(tcphs_stage_names, f->stage));
	json_owner(j, f);
}

/*
 * "ts": the wall-clock time in seconds since the epoch with its fraction,
 * as Zeek writes it: jq reads numbers as doubles, which hold microseconds
 * but not the nanoseconds of an integer past 2^53.
 */
static void json_ts(struct json *j, const struct tcphs_flow *f, const struct tcphs_out *o)
{
	int64_t ns = (int64_t)f->ts_ns + o->wall_offset;

	json_key(j, "ts");
	if (!tcphs_has(f, TCPHS_A_TS_NS) || ns < 0)
		fputs("null", j->fp);
	else
		fprintf(j->fp, "%" PRId64 ".%06" PRId64, ns / 1000000000,
			ns % 1000000000 / 1000);
}

/**
 * tcphs_print_event_json - one event as a JSON object on one line
 * @fp: where to
 * @f: the event
 * @o: output options; with @o->wall a "wall_ns" key is added
 *
 * The keys event, event_seq, ts_ns, ts, flow_id, netns, family, saddr, sport,
 * daddr, dport, dir, flags, seq, ack, old_state, state, conn_state and
 * history are always there (null when unknown); the others only once known.
 */
void tcphs_print_event_json(FILE *fp, const struct tcphs_flow *f,
			    const struct tcphs_out *o)
{
	struct json j = { .fp = fp };
	char fl[16];

	JSON_NAME(&j, f, TCPHS_A_EVENT, "event", tcphs_event_names, event);
	json_num(&j, f, TCPHS_A_EVENT_SEQ, "event_seq", f->event_seq);
	json_num(&j, f, TCPHS_A_TS_NS, "ts_ns", f->ts_ns);
	json_ts(&j, f, o);
	if (o->wall && tcphs_has(f, TCPHS_A_TS_NS))
		json_u64(&j, "wall_ns", f->ts_ns + o->wall_offset);
	json_tuple(&j, f);
	json_str(&j, "dir", tcphs_has(f, TCPHS_A_DIR) && f->dir <= TCPHS_DIR_REPLY ?
		 tcphs_dir_name(f->dir) : NULL);
	json_str(&j, "flags", tcphs_has(f, TCPHS_A_TCP_FLAGS) ?
		 tcphs_flags_str(fl, sizeof(fl), f->tcp_flags) : NULL);
	json_num(&j, f, TCPHS_A_SEQ, "seq", f->seq);
	json_num(&j, f, TCPHS_A_ACK, "ack", f->ack);
	JSON_NAME(&j, f, TCPHS_A_OLD_STATE, "old_state", tcphs_state_names, old_state);
	json_tail(&j, f);
	json_end(&j);
}

/*
 * A finished flow's first and last times: its first recorded step, and its
 * end (the event's own time when the module recorded no end).
 */
static bool flow_span(const struct tcphs_flow *f, uint64_t *start, uint64_t *end)
{
	if (!tcphs_flow_first_ts(f, start)) {
		/* No step time (an event log's line): the event's own. */
		if (!tcphs_has(f, TCPHS_A_TS_NS))
			return false;
		*start = *end = f->ts_ns;
		return true;
	}
	*end = tcphs_has(f, TCPHS_A_TS_END) ? f->ts_end : f->ts_ns;
	if (!tcphs_has(f, TCPHS_A_TS_END) && !tcphs_has(f, TCPHS_A_TS_NS))
		*end = *start;
	if (*end < *start)
		*end = *start;
	return true;
}

/**
 * tcphs_print_summary - a finished flow as one line, in the spirit of
 * Zeek's conn.log
 * @fp: where to
 * @f: the flow's last event
 * @o: output options (the time format)
 *
 * START DURATIONs flow=ID ORIG > REPLY OUTCOME STAGE CONN_STATE HISTORY
 *	syn-synack=Tms synack-ack=Tms rtx=SYN/SYNACK/FIN opener=O closer=C
 *	[owner=SIDE uid=U][ pid=P][ comm=C]
 * START is the flow's first step, as the event lines write times;
 * latencies not known are "-".
 */
void tcphs_print_summary(FILE *fp, const struct tcphs_flow *f, const struct tcphs_out *o)
{
	char src[TCPHS_STR_LEN], dst[TCPHS_STR_LEN], lat[TCPHS_STR_LEN];
	struct tcphs_flow t = *f;
	uint64_t start, end;

	if (flow_span(f, &start, &end)) {
		t.ts_ns = start;
		t.present |= 1ULL << TCPHS_A_TS_NS;
	} else {
		t.present &= ~(1ULL << TCPHS_A_TS_NS);
		start = end = 0;
	}
	print_time(fp, &t, o);
	fprintf(fp, "%" PRIu64 ".%06" PRIu64 "s ", (end - start) / 1000000000,
		(end - start) % 1000000000 / 1000);
	if (tcphs_has(f, TCPHS_A_FLOW_ID))
		fprintf(fp, "flow=%" PRIu64, f->flow_id);
	else
		fputs("flow=?", fp);
	tcphs_endpoint_str(src, sizeof(src), f, TCPHS_A_SADDR, TCPHS_A_SPORT);
	tcphs_endpoint_str(dst, sizeof(dst), f, TCPHS_A_DADDR, TCPHS_A_DPORT);
	fprintf(fp, " %s > %s %s %s %s %s", src, dst,
		tcphs_has(f, TCPHS_A_OUTCOME) ? TCPHS_NAME(tcphs_outcome_names, f->outcome) : "-",
		tcphs_has(f, TCPHS_A_STAGE) ? TCPHS_NAME(tcphs_stage_names, f->stage) : "-",
		NAME_IF(f, TCPHS_A_CONN_STATE, tcphs_conn_state_names, conn_state),
		tcphs_has(f, TCPHS_A_HISTORY) && f->history[0] ?
		tcphs_safe_str(lat, sizeof(lat), f->history) : "-");
	fprintf(fp, " syn-synack=%s", tcphs_has(f, TCPHS_A_LAT_SYN_SYNACK) ?
		tcphs_msec_str(lat, sizeof(lat), f->lat_syn_synack) : "-");
	fprintf(fp, " synack-ack=%s", tcphs_has(f, TCPHS_A_LAT_SYNACK_ACK) ?
		tcphs_msec_str(lat, sizeof(lat), f->lat_synack_ack) : "-");
	fprintf(fp, " rtx=%" PRIu32 "/%" PRIu32 "/%" PRIu32, f->rtx_syn, f->rtx_synack, f->rtx_fin);
	fprintf(fp, " opener=%s closer=%s",
		tcphs_has(f, TCPHS_A_OPENER) ? TCPHS_NAME(tcphs_opener_names, f->opener) : "-",
		tcphs_has(f, TCPHS_A_CLOSER) ? tcphs_dir_name(f->closer) : "-");
	print_owner(fp, f);
	fputc('\n', fp);
}

/*
 * The same as one JSON object: "ts" (the first step, seconds since the
 * epoch, as Zeek writes it) and "duration" (seconds), then the keys of a
 * flow (tcphs list --json) as the last event carries them.
 */
void tcphs_print_summary_json(FILE *fp, const struct tcphs_flow *f, const struct tcphs_out *o)
{
	struct json j = { .fp = fp };
	struct tcphs_flow t = *f;
	uint64_t start, end;
	bool span = flow_span(f, &start, &end);

	t.ts_ns = start;
	if (!span)
		t.present &= ~(1ULL << TCPHS_A_TS_NS);
	json_ts(&j, &t, o);
	json_key(&j, "duration");
	if (span)
		fprintf(fp, "%" PRIu64 ".%06" PRIu64, (end - start) / 1000000000,
			(end - start) % 1000000000 / 1000);
	else
		fputs("null", fp);
	json_tuple(&j, f);
	json_tail(&j, f);
	json_end(&j);
}

/* {"lost":N,"from_seq":A,"to_seq":B} */
void tcphs_print_lost_json(FILE *fp, uint64_t lost, uint64_t from, uint64_t to)
{
	struct json j = { .fp = fp };

	json_u64(&j, "lost", lost);
	json_u64(&j, "from_seq", from);
	json_u64(&j, "to_seq", to);
	json_end(&j);
}

/* One flow as a JSON object on one line, with the keys events use. */
void tcphs_print_flow_json(FILE *fp, const struct tcphs_flow *f)
{
	struct json j = { .fp = fp };

	json_tuple(&j, f);
	json_tail(&j, f);
	json_opt(&j, f, TCPHS_A_TIMEOUT, "timeout", f->timeout);
	json_end(&j);
}

/*
 * The ladder: a flow's segments as a sequence diagram.
 */

#define LADDER_MIN_INNER	40	/* columns between the two bars */
#define LADDER_LABEL_LEN	160

#define LADDER_STATE_W		11	/* the longest state, ESTABLISHED */

struct rung {
	const struct tcphs_flow *ev;	/* the segment's first event */
	bool arrow;			/* false for a note: (timeout) */
	char label[LADDER_LABEL_LEN];
	char time[32];
	char delta[32];
	const char *st[2];		/* client's and server's state after it */
};

/*
 * The endpoints' own TCP states (RFC 9293's names) after event @e, as the
 * segments between them tell: the sender's after sending, the receiver's
 * after receiving. @st[0] is the client's (originator's), @st[1] the
 * server's. Events that change nothing for the endpoints (a retransmission,
 * an invalid segment, a timeout) leave them as they were.
 */
static void endpoint_step(const char *st[2], const struct tcphs_flow *e)
{
	unsigned int tx = e->dir == TCPHS_DIR_REPLY ? 1 : 0, rx = !tx;

	if (!tcphs_has(e, TCPHS_A_STATE) || !tcphs_has(e, TCPHS_A_EVENT))
		return;
	switch (e->event) {
	case TCPHS_EV_SYN:
	case TCPHS_EV_SYN_ACK:
	case TCPHS_EV_ESTABLISHED:
	case TCPHS_EV_FIN:
	case TCPHS_EV_FIN_ACKED:
	case TCPHS_EV_TIME_WAIT:
		break;
	case TCPHS_EV_RST:
		st[0] = st[1] = "CLOSED";
		return;
	default:
		return;
	}
	switch (e->state) {
	case TCPHS_STATE_SYN_SENT:
		/* The receiver is SYN_RCVD once it answers (or CLOSED: RST). */
		st[tx] = "SYN_SENT";
		break;
	case TCPHS_STATE_SYN_SENT2:
		st[0] = st[1] = "SYN_RCVD";
		break;
	case TCPHS_STATE_SYN_RECV:
		st[tx] = "SYN_RCVD";
		st[rx] = "ESTABLISHED";
		break;
	case TCPHS_STATE_ESTABLISHED:
		st[0] = st[1] = "ESTABLISHED";
		break;
	case TCPHS_STATE_FIN_WAIT_1:
		st[tx] = "FIN_WAIT_1";
		st[rx] = "CLOSE_WAIT";
		break;
	case TCPHS_STATE_FIN_WAIT_2:
		st[tx] = "CLOSE_WAIT";
		st[rx] = "FIN_WAIT_2";
		break;
	case TCPHS_STATE_CLOSING:
		st[0] = st[1] = "CLOSING";
		break;
	case TCPHS_STATE_LAST_ACK:
		/* From CLOSING: one FIN acked; the acker still waits for its own. */
		if (!tcphs_has(e, TCPHS_A_OLD_STATE) || e->old_state != TCPHS_STATE_CLOSING)
			st[tx] = "LAST_ACK";
		st[rx] = "TIME_WAIT";
		break;
	case TCPHS_STATE_TIME_WAIT:
		st[tx] = "TIME_WAIT";
		st[rx] = st[rx] && !strcmp(st[rx], "CLOSING") ? "TIME_WAIT" : "CLOSED";
		break;
	}
}

/* The word an event gives its segment's arrow, NULL for a note. */
static const char *rung_word(const struct tcphs_flow *e, char *buf, size_t len)
{
	char fl[16];

	switch (e->event) {
	case TCPHS_EV_SYN:
		return "SYN";
	case TCPHS_EV_SYN_ACK:
		return "SYN-ACK";
	case TCPHS_EV_ESTABLISHED:
	case TCPHS_EV_FIN_ACKED:
	case TCPHS_EV_TIME_WAIT:
		return "ACK";
	case TCPHS_EV_FIN:
		return "FIN";
	case TCPHS_EV_RST:
		return "RST";
	case TCPHS_EV_SYN_RETRANS:
		return "SYN (retrans)";
	case TCPHS_EV_SYN_ACK_RETRANS:
		return "SYN-ACK (retrans)";
	case TCPHS_EV_INVALID:
		tcphs_flags_str(fl, sizeof(fl), e->tcp_flags);
		snprintf(buf, len, "INVALID %s", fl[0] ? fl : "-");
		return buf;
	case TCPHS_EV_TIMEOUT:
	case TCPHS_EV_EVICTED:
	case TCPHS_EV_RESYNC:
		return NULL;
	default:
		return "?";
	}
}

static bool is_note(const struct tcphs_flow *e)
{
	/* A RESYNC's segment, a SYN-ACK, belongs to the flow that follows. */
	return e->event == TCPHS_EV_TIMEOUT || e->event == TCPHS_EV_EVICTED ||
	       e->event == TCPHS_EV_RESYNC;
}

#define SAME(a, b, type, field) \
	(tcphs_has(a, type) == tcphs_has(b, type) && (a)->field == (b)->field)

/* Do two events (one after the other) come from the same segment? */
static bool same_segment(const struct tcphs_flow *a, const struct tcphs_flow *b)
{
	return !is_note(a) && !is_note(b) &&
	       SAME(a, b, TCPHS_A_DIR, dir) && SAME(a, b, TCPHS_A_SEQ, seq) &&
	       SAME(a, b, TCPHS_A_ACK, ack) && SAME(a, b, TCPHS_A_TS_NS, ts_ns) &&
	       SAME(a, b, TCPHS_A_TCP_FLAGS, tcp_flags);
}

static void append(char *buf, size_t len, const char *s)
{
	size_t n = strlen(buf);

	if (n < len)
		snprintf(buf + n, len - n, "%s", s);
}

/*
 * The label of the segment made of events @e[0..n-1]: their words joined
 * by "+" (each once, and "ACK" only when alone), then seq= when the segment
 * has SYN, FIN or RST (or is invalid) and ack= when it has ACK.
 */
static void rung_label(struct rung *r, const struct tcphs_flow *e, size_t n,
		       const struct tcphs_flow *isns, bool raw)
{
	char words[4][LADDER_LABEL_LEN / 4], tmp[LADDER_LABEL_LEN / 4];
	char seq[TCPHS_STR_LEN], ack[TCPHS_STR_LEN];
	size_t i, k, nw = 0;
	bool only_ack = true, show_seq, show_ack;
	struct tcphs_flow seg = e[0];
	const char *w;

	for (i = 0; i < n; i++) {
		w = rung_word(&e[i], tmp, sizeof(tmp));
		if (!w) {
			snprintf(r->label, sizeof(r->label), "(%s)",
				 e[i].event == TCPHS_EV_TIMEOUT ? "timeout" :
				 e[i].event == TCPHS_EV_RESYNC ? "resync" : "evicted");
			r->arrow = false;
			return;
		}
		for (k = 0; k < nw; k++)
			if (!strcmp(words[k], w))
				break;
		if (k == nw && nw < ARRAY_SIZE(words))
			snprintf(words[nw++], sizeof(words[0]), "%s", w);
		if (strcmp(w, "ACK"))
			only_ack = false;
	}

	r->arrow = true;
	r->label[0] = '\0';
	for (k = 0; k < nw; k++) {
		if (!only_ack && !strcmp(words[k], "ACK"))
			continue;
		if (r->label[0])
			append(r->label, sizeof(r->label), "+");
		append(r->label, sizeof(r->label), words[k]);
	}

	/* An ISN the event lacks is taken from the rest of the flow. */
	if (!tcphs_has(&seg, TCPHS_A_ISN_ORIG) && tcphs_has(isns, TCPHS_A_ISN_ORIG)) {
		seg.isn_orig = isns->isn_orig;
		seg.present |= 1ULL << TCPHS_A_ISN_ORIG;
	}
	if (!tcphs_has(&seg, TCPHS_A_ISN_REPLY) && tcphs_has(isns, TCPHS_A_ISN_REPLY)) {
		seg.isn_reply = isns->isn_reply;
		seg.present |= 1ULL << TCPHS_A_ISN_REPLY;
	}
	if (!tcphs_has(&seg, TCPHS_A_DIR)) {
		seg.dir = TCPHS_DIR_ORIG;
		seg.present |= 1ULL << TCPHS_A_DIR;
	}
	tcphs_seg_rel(&seg, raw, seq, ack, sizeof(seq));
	if (tcphs_has(&seg, TCPHS_A_TCP_FLAGS)) {
		show_seq = seg.tcp_flags & (TCPHS_F_SYN | TCPHS_F_FIN | TCPHS_F_RST) ||
			   seg.event == TCPHS_EV_INVALID;
		show_ack = seg.tcp_flags & TCPHS_F_ACK;
	} else {
		show_seq = show_ack = true;
	}
	if (show_seq && tcphs_has(&seg, TCPHS_A_SEQ)) {
		append(r->label, sizeof(r->label), " seq=");
		append(r->label, sizeof(r->label), seq);
	}
	if (show_ack && tcphs_has(&seg, TCPHS_A_ACK)) {
		append(r->label, sizeof(r->label), " ack=");
		append(r->label, sizeof(r->label), ack);
	}
}

static void repeat(FILE *fp, int c, int n)
{
	while (n-- > 0)
		fputc(c, fp);
}

/* Milliseconds with three decimals, from nanoseconds, rounded. */
static void offset_str(char *buf, size_t len, int64_t ns)
{
	uint64_t us = ((ns < 0 ? -(uint64_t)ns : (uint64_t)ns) + 500) / 1000;

	snprintf(buf, len, "%s%" PRIu64 ".%03" PRIu64 "ms", ns < 0 ? "-" : "",
		 us / 1000, us % 1000);
}

/**
 * tcphs_draw_ladder - draw a flow's events as a sequence diagram
 * @fp: where to
 * @ev: the flow's events, in the order they came
 * @n: how many
 * @o: output options: @o->raw for numbers as on the wire, @o->no_times to
 *	leave out the time column
 *
 * The drawing, for a flow that opened and closed normally:
 *
 *	flow 7  10.0.0.1:40000 -> 10.0.0.2:8080  (SF, ShAdDaFf)
 *	            client                              server
 *	   0.000ms  |------- SYN seq=x --------------------->|
 *	   0.120ms  |<------ SYN-ACK seq=y ack=x+1 ----------|
 *	   0.150ms  |------- ACK ack=y+1 ------------------->|
 *	...
 *	(blank line)
 *
 * The first line is "flow ID  ORIG -> REPLY  (CONN_STATE, HISTORY)" as the
 * last event tells them. Each segment that made events is one arrow, the
 * client (originator) on the left. Events from one segment (same direction,
 * seq, ack, flags and time, one after the other) share an arrow. The time
 * column is the time since the flow's first event in milliseconds with three
 * decimals, right aligned in 10 columns (more if a time needs it, then for
 * the whole drawing) and followed by two spaces. The bars are
 * LADDER_MIN_INNER columns apart, or more when a label needs it (then for
 * the whole drawing). A TIMEOUT, EVICTED or RESYNC event is a note,
 * "(timeout)", "(evicted)" or "(resync)", between the bars.
 */
void tcphs_draw_ladder(FILE *fp, const struct tcphs_flow *ev, size_t n,
		       const struct tcphs_out *o)
{
	struct tcphs_flow isns = { 0 };
	const struct tcphs_flow *last;
	char src[TCPHS_STR_LEN], dst[TCPHS_STR_LEN], hist[TCPHS_HISTORY_LEN];
	struct rung *rungs;
	size_t i, j, k, nr = 0;
	int inner = LADDER_MIN_INNER, timew = 10, deltaw = 10, prefix, len;
	bool have_t0 = false, have_prev = false, opened, refused;
	uint64_t t0 = 0, prev = 0;
	const char *st[2];

	if (!n)
		return;
	rungs = calloc(n, sizeof(*rungs));
	if (!rungs)
		return;
	last = &ev[n - 1];

	for (i = 0; i < n; i++) {
		if (tcphs_has(&ev[i], TCPHS_A_ISN_ORIG)) {
			isns.isn_orig = ev[i].isn_orig;
			isns.present |= 1ULL << TCPHS_A_ISN_ORIG;
		}
		if (tcphs_has(&ev[i], TCPHS_A_ISN_REPLY)) {
			isns.isn_reply = ev[i].isn_reply;
			isns.present |= 1ULL << TCPHS_A_ISN_REPLY;
		}
		if (!have_t0 && tcphs_has(&ev[i], TCPHS_A_TS_NS)) {
			t0 = ev[i].ts_ns;
			have_t0 = true;
		}
	}

	/* A flow seen from its first SYN starts from CLOSED and LISTEN. */
	opened = tcphs_has(&ev[0], TCPHS_A_EVENT) && ev[0].event == TCPHS_EV_SYN &&
		 tcphs_has(&ev[0], TCPHS_A_OLD_STATE) && ev[0].old_state == TCPHS_STATE_NONE;
	/* ... or from CLOSED on both sides, when the SYN was refused. */
	refused = tcphs_has(last, TCPHS_A_CONN_STATE) && last->conn_state == TCPHS_CS_REJ;
	st[0] = opened ? "CLOSED" : NULL;
	st[1] = opened ? (refused ? "CLOSED" : "LISTEN") : NULL;
	for (i = 0; i < n; i = j) {
		for (j = i + 1; j < n && same_segment(&ev[j - 1], &ev[j]); j++)
			;
		rungs[nr].ev = &ev[i];
		rung_label(&rungs[nr], &ev[i], j - i, &isns, o->raw);
		len = strlen(rungs[nr].label);
		if (len + 13 > inner)
			inner = len + 13;
		for (k = i; k < j; k++)
			endpoint_step(st, &ev[k]);
		rungs[nr].st[0] = st[0];
		rungs[nr].st[1] = st[1];
		if (have_t0 && tcphs_has(&ev[i], TCPHS_A_TS_NS)) {
			offset_str(rungs[nr].time, sizeof(rungs[nr].time),
				   (int64_t)(ev[i].ts_ns - t0));
			offset_str(rungs[nr].delta + 1, sizeof(rungs[nr].delta) - 1,
				   have_prev ? (int64_t)(ev[i].ts_ns - prev) : 0);
			rungs[nr].delta[0] = '+';
			prev = ev[i].ts_ns;
			have_prev = true;
		} else {
			snprintf(rungs[nr].time, sizeof(rungs[nr].time), "?");
			snprintf(rungs[nr].delta, sizeof(rungs[nr].delta), "?");
		}
		len = strlen(rungs[nr].time);
		if (len > timew)
			timew = len;
		len = strlen(rungs[nr].delta);
		if (len > deltaw)
			deltaw = len;
		nr++;
	}
	prefix = (o->no_times ? 0 : timew + 2 + deltaw + 2) + LADDER_STATE_W + 1;

	tcphs_endpoint_str(src, sizeof(src), last, TCPHS_A_SADDR, TCPHS_A_SPORT);
	tcphs_endpoint_str(dst, sizeof(dst), last, TCPHS_A_DADDR, TCPHS_A_DPORT);
	if (tcphs_has(last, TCPHS_A_FLOW_ID))
		fprintf(fp, "flow %" PRIu64, last->flow_id);
	else
		fputs("flow ?", fp);
	fprintf(fp, "  %s -> %s  (%s, %s)\n", src, dst,
		NAME_IF(last, TCPHS_A_CONN_STATE, tcphs_conn_state_names, conn_state),
		tcphs_has(last, TCPHS_A_HISTORY) && last->history[0] ?
			tcphs_safe_str(hist, sizeof(hist), last->history) : "-");
	if (!o->no_times)
		fprintf(fp, "%*s  %*s  ", timew, "time", deltaw, "delta");
	fprintf(fp, "%-*s", LADDER_STATE_W + 1, "client");
	repeat(fp, ' ', inner + 2 + 1);
	fputs("server\n", fp);
	if (opened) {
		repeat(fp, ' ', prefix - LADDER_STATE_W - 1);
		fprintf(fp, "%-*s |", LADDER_STATE_W, "CLOSED");
		repeat(fp, ' ', inner);
		fprintf(fp, "| %s\n", refused ? "CLOSED" : "LISTEN");
	}

	for (i = 0; i < nr; i++) {
		const struct rung *r = &rungs[i];
		const struct tcphs_flow *e = r->ev;

		len = strlen(r->label);
		if (!o->no_times)
			fprintf(fp, "%*s  %*s  ", timew, r->time, deltaw, r->delta);
		fprintf(fp, "%-*s ", LADDER_STATE_W, r->st[0] ? r->st[0] : "-");
		if (!r->arrow) {
			fprintf(fp, "|        %s", r->label);
			repeat(fp, ' ', inner - 8 - len);
			fputs("|", fp);
		} else if (e->dir == TCPHS_DIR_REPLY && tcphs_has(e, TCPHS_A_DIR)) {
			fprintf(fp, "|<------ %s ", r->label);
			repeat(fp, '-', inner - 9 - len);
			fputs("|", fp);
		} else {
			fprintf(fp, "|------- %s ", r->label);
			repeat(fp, '-', inner - 10 - len);
			fputs(">|", fp);
		}
		fprintf(fp, " %s\n", r->st[1] ? r->st[1] : "-");
	}
	if (o->still_open) {
		repeat(fp, ' ', prefix);
		fputs("|        (still open)", fp);
		repeat(fp, ' ', inner - 8 - (int)strlen("(still open)"));
		fputs("|\n", fp);
	}
	fputc('\n', fp);
	free(rungs);
}
