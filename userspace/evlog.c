// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: read /proc/net/tcphs_events back.
 *
 * A line is the event's sequence number and then what "tcphs events -o
 * mono" prints for it:
 *
 *	SEQ MONO flow=ID SRC > DST DIR EVENT OLD -> NEW flags=F seq=S ack=A
 *		[syn-synack=Tms] [synack-ack=Tms] [outcome=O stage=S]
 *		[owner=SIDE uid=U] [pid=P comm=C]
 *
 * C, the owner's command, runs to the end of the line (it may hold spaces).
 *
 * SRC > DST follows the segment, so a reply's endpoints are turned back
 * into the originator's view. Numbers written x+N and y+N come back as N
 * with the initial sequence numbers taken as 0, so that they print again
 * as they were; numbers on the wire stay as they are, without an ISN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <tcphs_names.h>

#include "evlog.h"
#include "output.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SET(f, a) ((f)->present |= 1ULL << (a))
#define MAX_WORDS 24

static int parse_u64(const char *s, uint64_t *v)
{
	char *end;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	return errno || *end ? -1 : 0;
}

/* "12.345678" (seconds) or "0.120ms" (milliseconds) into nanoseconds. */
static int parse_fixed(const char *s, const char *unit, uint64_t scale, uint64_t *ns)
{
	char buf[48], *dot, *frac;
	uint64_t whole, f = 0, div = 1;
	size_t n = strlen(s), u = strlen(unit);

	if (n <= u || n - u >= sizeof(buf) || strcmp(s + n - u, unit))
		return -1;
	memcpy(buf, s, n - u);
	buf[n - u] = '\0';
	dot = strchr(buf, '.');
	if (dot) {
		*dot = '\0';
		frac = dot + 1;
		if (!*frac || strlen(frac) > 9 || parse_u64(frac, &f))
			return -1;
		for (n = strlen(frac); n; n--)
			div *= 10;
	}
	if (parse_u64(buf, &whole) || whole > UINT64_MAX / scale)
		return -1;
	*ns = whole * scale + f * scale / div;
	return 0;
}

static int parse_endpoint(const char *s, struct tcphs_flow *f, union tcphs_addr *a,
			  uint16_t *port)
{
	char buf[INET6_ADDRSTRLEN + 8], *colon, *addr = buf;
	uint64_t p;
	int family;

	if (strlen(s) >= sizeof(buf))
		return -1;
	strcpy(buf, s);
	colon = strrchr(buf, ':');
	if (!colon)
		return -1;
	*colon = '\0';
	if (buf[0] == '[') {
		if (colon[-1] != ']')
			return -1;
		colon[-1] = '\0';
		addr++;
		family = AF_INET6;
	} else {
		family = AF_INET;
	}
	if (inet_pton(family, addr, a->b) != 1 || parse_u64(colon + 1, &p) || p > 65535)
		return -1;
	if (tcphs_has(f, TCPHS_A_FAMILY) && f->family != family)
		return -1;
	f->family = family;
	SET(f, TCPHS_A_FAMILY);
	*port = p;
	return 0;
}

static int word_index(const char *w, const char * const *names, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (names[i] && !strcmp(w, names[i]))
			return i;
	return -1;
}

/* x, x+N, x-N (or y...), or a number on the wire; "-" is no number. */
static int parse_rel(const char *s, struct tcphs_flow *f, uint32_t *v, unsigned int type)
{
	uint64_t n = 0;

	if (!strcmp(s, "-")) {
		/* A segment's ack without ACK, which netlink still carries. */
		if (tcphs_has(f, TCPHS_A_DIR)) {
			*v = 0;
			SET(f, type);
		}
		return 0;
	}
	if (s[0] == 'x' || s[0] == 'y') {
		if (s[1] && ((s[1] != '+' && s[1] != '-') || parse_u64(s + 2, &n) ||
			     n > UINT32_MAX))
			return -1;
		*v = s[1] == '-' ? (uint32_t)-n : (uint32_t)n;
		if (s[0] == 'x')
			SET(f, TCPHS_A_ISN_ORIG);
		else
			SET(f, TCPHS_A_ISN_REPLY);
	} else {
		if (parse_u64(s, &n) || n > UINT32_MAX)
			return -1;
		*v = n;
	}
	SET(f, type);
	return 0;
}

static const char *after(const char *w, const char *key)
{
	size_t n = strlen(key);

	return strncmp(w, key, n) ? NULL : w + n;
}

/**
 * tcphs_evlog_parse - read one line of /proc/net/tcphs_events
 * @line: the line, with or without its newline
 * @f: the event, when it is one
 * @lost: the events overwritten, for a "#" line
 * @err: why the line is not one of the log's
 * @errlen: its size
 *
 * Return: what the line was.
 */
enum tcphs_evlog_line tcphs_evlog_parse(const char *line, struct tcphs_flow *f,
					uint64_t *lost, char *err, size_t errlen)
{
	char buf[512], *w[MAX_WORDS], *save = NULL, *tok, *comm;
	union tcphs_addr src, dst;
	uint16_t sport, dport;
	const char *v;
	uint64_t n;
	int i, nw = 0, x;

	memset(f, 0, sizeof(*f));
	*lost = 0;
	if (strlen(line) >= sizeof(buf))
		return snprintf(err, errlen, "line too long"), TCPHS_EVLOG_BAD;
	strcpy(buf, line);
	buf[strcspn(buf, "\r\n")] = '\0';
	if (buf[0] == '#') {
		if (sscanf(buf, "# %" SCNu64 " events overwritten", &n) == 1)
			*lost = n;
		return TCPHS_EVLOG_LOST;
	}
	comm = strstr(buf, " comm=");
	if (comm) {
		*comm = '\0';
		comm += strlen(" comm=");
	}
	for (tok = strtok_r(buf, " ", &save); tok && nw < MAX_WORDS;
	     tok = strtok_r(NULL, " ", &save))
		w[nw++] = tok;
	if (nw < 14 || tok)
		return snprintf(err, errlen, "%d words, not 14 to %d", nw, MAX_WORDS), TCPHS_EVLOG_BAD;

	if (parse_u64(w[0], &f->event_seq))
		return snprintf(err, errlen, "bad sequence number '%s'", w[0]), TCPHS_EVLOG_BAD;
	SET(f, TCPHS_A_EVENT_SEQ);
	if (parse_fixed(w[1], "", 1000000000ULL, &f->ts_ns))
		return snprintf(err, errlen, "bad time '%s'", w[1]), TCPHS_EVLOG_BAD;
	SET(f, TCPHS_A_TS_NS);
	v = after(w[2], "flow=");
	if (!v || parse_u64(v, &f->flow_id))
		return snprintf(err, errlen, "bad flow '%s'", w[2]), TCPHS_EVLOG_BAD;
	SET(f, TCPHS_A_FLOW_ID);
	if (parse_endpoint(w[3], f, &src, &sport) || strcmp(w[4], ">") ||
	    parse_endpoint(w[5], f, &dst, &dport))
		return snprintf(err, errlen, "bad endpoints '%s %s %s'", w[3], w[4], w[5]),
		       TCPHS_EVLOG_BAD;
	if (!strcmp(w[6], "orig") || !strcmp(w[6], "reply")) {
		f->dir = !strcmp(w[6], "reply") ? TCPHS_DIR_REPLY : TCPHS_DIR_ORIG;
		SET(f, TCPHS_A_DIR);
	} else if (strcmp(w[6], "-")) {
		return snprintf(err, errlen, "bad direction '%s'", w[6]), TCPHS_EVLOG_BAD;
	}
	/* The segment's direction back to the originator's view. */
	f->saddr = f->dir == TCPHS_DIR_REPLY ? dst : src;
	f->daddr = f->dir == TCPHS_DIR_REPLY ? src : dst;
	f->sport = f->dir == TCPHS_DIR_REPLY ? dport : sport;
	f->dport = f->dir == TCPHS_DIR_REPLY ? sport : dport;
	SET(f, TCPHS_A_SADDR);
	SET(f, TCPHS_A_DADDR);
	SET(f, TCPHS_A_SPORT);
	SET(f, TCPHS_A_DPORT);

	x = word_index(w[7], tcphs_event_names, ARRAY_SIZE(tcphs_event_names));
	if (x <= TCPHS_EV_NONE)
		return snprintf(err, errlen, "unknown event '%s'", w[7]), TCPHS_EVLOG_BAD;
	f->event = x;
	SET(f, TCPHS_A_EVENT);
	x = word_index(w[8], tcphs_state_names, ARRAY_SIZE(tcphs_state_names));
	i = word_index(w[10], tcphs_state_names, ARRAY_SIZE(tcphs_state_names));
	if (x < 0 || i < 0 || strcmp(w[9], "->"))
		return snprintf(err, errlen, "bad states '%s %s %s'", w[8], w[9], w[10]),
		       TCPHS_EVLOG_BAD;
	f->old_state = x;
	f->state = i;
	SET(f, TCPHS_A_OLD_STATE);
	SET(f, TCPHS_A_STATE);

	v = after(w[11], "flags=");
	if (!v || tcphs_flags_parse(v, &f->tcp_flags))
		return snprintf(err, errlen, "bad flags '%s'", w[11]), TCPHS_EVLOG_BAD;
	if (tcphs_has(f, TCPHS_A_DIR))
		SET(f, TCPHS_A_TCP_FLAGS);
	v = after(w[12], "seq=");
	if (!v || parse_rel(v, f, &f->seq, TCPHS_A_SEQ))
		return snprintf(err, errlen, "bad seq '%s'", w[12]), TCPHS_EVLOG_BAD;
	v = after(w[13], "ack=");
	if (!v || parse_rel(v, f, &f->ack, TCPHS_A_ACK))
		return snprintf(err, errlen, "bad ack '%s'", w[13]), TCPHS_EVLOG_BAD;
	for (i = 14; i < nw; i++) {
		if ((v = after(w[i], "syn-synack=")) &&
		    !parse_fixed(v, "ms", 1000000ULL, &f->lat_syn_synack)) {
			SET(f, TCPHS_A_LAT_SYN_SYNACK);
		} else if ((v = after(w[i], "synack-ack=")) &&
			   !parse_fixed(v, "ms", 1000000ULL, &f->lat_synack_ack)) {
			SET(f, TCPHS_A_LAT_SYNACK_ACK);
		} else if ((v = after(w[i], "outcome=")) &&
			   (x = word_index(v, tcphs_outcome_names,
					   ARRAY_SIZE(tcphs_outcome_names))) > TCPHS_OUT_NONE) {
			f->outcome = x;
			SET(f, TCPHS_A_OUTCOME);
		} else if ((v = after(w[i], "stage=")) &&
			   (x = word_index(v, tcphs_stage_names,
					   ARRAY_SIZE(tcphs_stage_names))) >= 0) {
			f->stage = x;
			SET(f, TCPHS_A_STAGE);
		} else if ((v = after(w[i], "owner=")) &&
			   (!strcmp(v, "orig") || !strcmp(v, "reply"))) {
			f->owner_side = !strcmp(v, "reply") ? TCPHS_DIR_REPLY : TCPHS_DIR_ORIG;
			SET(f, TCPHS_A_OWNER_SIDE);
		} else if ((v = after(w[i], "uid=")) && !parse_u64(v, &n) && n <= UINT32_MAX) {
			f->owner_uid = n;
			SET(f, TCPHS_A_OWNER_UID);
		} else if ((v = after(w[i], "pid=")) && !parse_u64(v, &n) && n <= UINT32_MAX) {
			f->owner_pid = n;
			SET(f, TCPHS_A_OWNER_PID);
		} else {
			return snprintf(err, errlen, "bad field '%s'", w[i]), TCPHS_EVLOG_BAD;
		}
	}
	if (comm) {
		if (!tcphs_has(f, TCPHS_A_OWNER_PID) || strlen(comm) >= sizeof(f->owner_comm))
			return snprintf(err, errlen, "bad comm '%s'", comm), TCPHS_EVLOG_BAD;
		snprintf(f->owner_comm, sizeof(f->owner_comm), "%s", comm);
		SET(f, TCPHS_A_OWNER_COMM);
	}
	return TCPHS_EVLOG_EVENT;
}
