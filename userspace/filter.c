// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: the filter options, parsed and matched.
 *
 * A filter option takes a comma list of values, a leading '!' negating the
 * whole list: --port 80,443,8000-8099, --addr '!10.0.0.0/8', --state
 * opening,ESTABLISHED. Repeating an option adds values (they OR); a
 * repetition must keep the list's polarity. Different options AND.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <tcphs_names.h>

#include "filter.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define BIT(n) (1U << (n))

_Static_assert(__TCPHS_STATE_MAX <= 32, "a state mask has 32 bits");
_Static_assert(__TCPHS_EV_MAX <= 32, "an event mask has 32 bits");

static const char * const key_opt[] = {
	[TCPHS_FK_FAMILY] = "--family",
	[TCPHS_FK_ADDR] = "--addr",
	[TCPHS_FK_SADDR] = "--saddr",
	[TCPHS_FK_DADDR] = "--daddr",
	[TCPHS_FK_PORT] = "--port",
	[TCPHS_FK_SPORT] = "--sport",
	[TCPHS_FK_DPORT] = "--dport",
	[TCPHS_FK_STATE] = "--state",
	[TCPHS_FK_EVENT] = "--event",
	[TCPHS_FK_OUTCOME] = "--outcome",
	[TCPHS_FK_PID] = "--pid",
	[TCPHS_FK_UID] = "--uid",
	[TCPHS_FK_CGROUP] = "--cgroup",
	[TCPHS_FK_COMM] = "--comm",
};


/* Names that stand for several values. */
struct group {
	const char *name;
	uint32_t mask;
};

static const struct group state_groups[] = {
	{ "opening", BIT(TCPHS_STATE_SYN_SENT) | BIT(TCPHS_STATE_SYN_SENT2) |
		     BIT(TCPHS_STATE_SYN_RECV) },
	{ "closing", BIT(TCPHS_STATE_FIN_WAIT_1) | BIT(TCPHS_STATE_FIN_WAIT_2) |
		     BIT(TCPHS_STATE_CLOSING) | BIT(TCPHS_STATE_LAST_ACK) },
	{ "finished", BIT(TCPHS_STATE_TIME_WAIT) | BIT(TCPHS_STATE_CLOSED) },
};

_Static_assert(__TCPHS_OUT_MAX <= 32, "an outcome mask has 32 bits");

static const struct group outcome_groups[] = {
	{ "failed", BIT(TCPHS_OUT_REFUSED) | BIT(TCPHS_OUT_NO_ANSWER) |
		    BIT(TCPHS_OUT_SYN_ACK_UNANSWERED) | BIT(TCPHS_OUT_RESET_ORIG) |
		    BIT(TCPHS_OUT_RESET_REPLY) | BIT(TCPHS_OUT_HALF_CLOSED) },
	{ "reset", BIT(TCPHS_OUT_RESET_ORIG) | BIT(TCPHS_OUT_RESET_REPLY) },
	{ "timed-out", BIT(TCPHS_OUT_NO_ANSWER) | BIT(TCPHS_OUT_SYN_ACK_UNANSWERED) |
		       BIT(TCPHS_OUT_HALF_CLOSED) | BIT(TCPHS_OUT_IDLE) },
};

/* conntrack -E's event masks: a flow is new, changes, or goes. */
#define EV_DESTROY (BIT(TCPHS_EV_TIME_WAIT) | BIT(TCPHS_EV_RST) | BIT(TCPHS_EV_TIMEOUT) | \
		    BIT(TCPHS_EV_EVICTED) | BIT(TCPHS_EV_RESYNC))
#define EV_ALL ((BIT(__TCPHS_EV_MAX) - 1) & ~BIT(TCPHS_EV_NONE))

/* The names tcphs 1.0 gave two events, still taken (not listed). */
static const struct group event_aliases[] = {
	{ "CLOSED", BIT(TCPHS_EV_TIME_WAIT) },
	{ "SYNACK_RETRANS", BIT(TCPHS_EV_SYN_ACK_RETRANS) },
};

static const struct group event_groups[] = {
	{ "NEW", BIT(TCPHS_EV_SYN) },
	{ "UPDATE", EV_ALL & ~BIT(TCPHS_EV_SYN) & ~EV_DESTROY },
	{ "DESTROY", EV_DESTROY },
	{ "ALL", EV_ALL },
};

/* STATE, state and syn-sent all name TCPHS_STATE_SYN_SENT. */
static bool word_eq(const char *word, const char *name)
{
	for (; *word && *name; word++, name++) {
		char c = *word == '-' ? '_' : toupper((unsigned char)*word);
		char d = *name == '-' ? '_' : toupper((unsigned char)*name);

		if (c != d)
			return false;
	}
	return !*word && !*name;
}

static void list_words(char *buf, size_t len, const char * const *names,
		       size_t n, size_t first, const struct group *groups,
		       size_t ngroups)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = first; i < n && off < len; i++)
		if (names[i])
			off += snprintf(buf + off, len - off, "%s%s",
					off ? " " : "", names[i]);
	for (i = 0; i < ngroups && off < len; i++)
		off += snprintf(buf + off, len - off, " %s", groups[i].name);
}

static int parse_cidr(const char *tok, struct tcphs_cidr *c)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end, *a = buf;
	unsigned long len;
	size_t n = strlen(tok), max, i;

	if (n >= sizeof(buf))
		return -1;
	memcpy(buf, tok, n + 1);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	n = strlen(buf);
	if (n >= 2 && buf[0] == '[' && buf[n - 1] == ']') {
		buf[n - 1] = '\0';
		a = buf + 1;
	}
	memset(c, 0, sizeof(*c));
	if (inet_pton(AF_INET, a, c->addr.b) == 1)
		c->family = AF_INET;
	else if (inet_pton(AF_INET6, a, c->addr.b) == 1)
		c->family = AF_INET6;
	else
		return -1;
	max = c->family == AF_INET ? 32 : 128;
	len = max;
	if (slash) {
		errno = 0;
		len = strtoul(slash + 1, &end, 10);
		if (errno || end == slash + 1 || *end || !isdigit((unsigned char)slash[1]) ||
		    len > max)
			return -1;
	}
	c->len = len;
	for (i = 0; i < max / 8; i++) {
		if (i * 8 >= len)
			c->addr.b[i] = 0;
		else if (i * 8 + 8 > len)
			c->addr.b[i] &= 0xff << (8 - (len - i * 8));
	}
	return 0;
}

static int parse_port(const char *s, const char **end, uint16_t *port)
{
	unsigned long v;
	char *e;

	if (!isdigit((unsigned char)*s))
		return -1;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || v > 65535)
		return -1;
	*port = v;
	*end = e;
	return 0;
}

static int parse_range(const char *tok, uint16_t *lo, uint16_t *hi)
{
	const char *end;

	if (parse_port(tok, &end, lo))
		return -1;
	*hi = *lo;
	if (*end == '-' && parse_port(end + 1, &end, hi))
		return -1;
	return *end || *hi < *lo ? -1 : 0;
}

/* A decimal number, or a range LOW-HIGH. */
static int parse_num_range(const char *tok, uint64_t *lo, uint64_t *hi)
{
	char *end;

	if (!isdigit((unsigned char)tok[0]))
		return -1;
	errno = 0;
	*lo = strtoull(tok, &end, 10);
	*hi = *lo;
	if (!errno && *end == '-' && isdigit((unsigned char)end[1]))
		*hi = strtoull(end + 1, &end, 10);
	return errno || *end || *hi < *lo ? -1 : 0;
}

static int parse_word(const char *tok, const char * const *names, size_t n,
		      size_t first, const struct group *groups, size_t ngroups,
		      uint32_t *mask)
{
	size_t i;

	for (i = first; i < n; i++) {
		if (names[i] && word_eq(tok, names[i])) {
			*mask |= BIT(i);
			return 0;
		}
	}
	for (i = 0; i < ngroups; i++) {
		if (word_eq(tok, groups[i].name)) {
			*mask |= groups[i].mask;
			return 0;
		}
	}
	return -1;
}

static int parse_family(struct tcphs_filter *flt, const char *arg,
			char *err, size_t errlen)
{
	int family;

	if (!strcmp(arg, "4") || !strcasecmp(arg, "ipv4") || !strcasecmp(arg, "inet"))
		family = AF_INET;
	else if (!strcmp(arg, "6") || !strcasecmp(arg, "ipv6") || !strcasecmp(arg, "inet6"))
		family = AF_INET6;
	else
		return snprintf(err, errlen, "bad --family '%s': use 4 or 6", arg), -1;
	if (flt->family && flt->family != family)
		return snprintf(err, errlen,
				"IPv4 and IPv6 both asked for: leave the family out for both"), -1;
	flt->family = family;
	return 0;
}

/* Take the polarity of a list, refusing a repetition that changes it. */
static int polarity(const char **arg, bool has_values, bool *neg,
		    const char *opt, char *err, size_t errlen)
{
	bool n = **arg == '!';

	if (n)
		(*arg)++;
	if (has_values && n != *neg)
		return snprintf(err, errlen,
				"%s given both values to keep and values to leave out ('!')",
				opt), -1;
	*neg = n;
	if (!**arg)
		return snprintf(err, errlen, "%s needs a value", opt), -1;
	return 0;
}

/**
 * tcphs_filter_add - add the values of one filter option
 * @flt: the filter
 * @key: which option
 * @arg: its argument, a comma list, '!' first to negate it
 * @err: set to the reason when the argument is refused
 * @errlen: its size
 *
 * Return: 0, or -1 with @flt unchanged and @err set.
 */
int tcphs_filter_add(struct tcphs_filter *flt, enum tcphs_filter_key key,
		     const char *arg, char *err, size_t errlen)
{
	struct tcphs_filter nf = *flt;
	struct tcphs_addr_match *am = NULL;
	struct tcphs_port_match *pm = NULL;
	struct tcphs_mask_match *mm = NULL;
	struct tcphs_num_match *nm = NULL;
	struct tcphs_comm_match *cm = NULL;
	const char *opt = key_opt[key];
	char *copy, *tok, *save = NULL;
	char valid[512];
	int ret = -1;

	switch (key) {
	case TCPHS_FK_FAMILY:
		return parse_family(flt, arg, err, errlen);
	case TCPHS_FK_ADDR:
		am = &nf.addr;
		break;
	case TCPHS_FK_SADDR:
		am = &nf.saddr;
		break;
	case TCPHS_FK_DADDR:
		am = &nf.daddr;
		break;
	case TCPHS_FK_PORT:
		pm = &nf.port;
		break;
	case TCPHS_FK_SPORT:
		pm = &nf.sport;
		break;
	case TCPHS_FK_DPORT:
		pm = &nf.dport;
		break;
	case TCPHS_FK_STATE:
		mm = &nf.states;
		break;
	case TCPHS_FK_EVENT:
		mm = &nf.events;
		break;
	case TCPHS_FK_OUTCOME:
		mm = &nf.outcomes;
		break;
	case TCPHS_FK_PID:
		nm = &nf.pid;
		break;
	case TCPHS_FK_UID:
		nm = &nf.uid;
		break;
	case TCPHS_FK_CGROUP:
		nm = &nf.cgroup;
		break;
	case TCPHS_FK_COMM:
		cm = &nf.comm;
		break;
	}
	if (am && polarity(&arg, am->n, &am->neg, opt, err, errlen))
		return -1;
	if (pm && polarity(&arg, pm->n, &pm->neg, opt, err, errlen))
		return -1;
	if (mm && polarity(&arg, mm->set, &mm->neg, opt, err, errlen))
		return -1;
	if (nm && polarity(&arg, nm->n, &nm->neg, opt, err, errlen))
		return -1;
	if (cm && polarity(&arg, cm->n, &cm->neg, opt, err, errlen))
		return -1;

	copy = strdup(arg);
	if (!copy)
		return snprintf(err, errlen, "%s", strerror(ENOMEM)), -1;
	if (arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,")) {
		snprintf(err, errlen, "empty value in %s '%s'", opt, arg);
		goto out;
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (am) {
			if (am->n == TCPHS_FILTER_MAX) {
				snprintf(err, errlen, "%s: at most %d addresses", opt,
					 TCPHS_FILTER_MAX);
				goto out;
			}
			if (parse_cidr(tok, &am->v[am->n])) {
				snprintf(err, errlen,
					 "bad %s '%s': not an IPv4 or IPv6 address or ADDR/LEN prefix",
					 opt, tok);
				goto out;
			}
			am->n++;
		} else if (pm) {
			if (pm->n == TCPHS_FILTER_MAX) {
				snprintf(err, errlen, "%s: at most %d ports or ranges", opt,
					 TCPHS_FILTER_MAX);
				goto out;
			}
			if (parse_range(tok, &pm->v[pm->n].lo, &pm->v[pm->n].hi)) {
				snprintf(err, errlen,
					 "bad %s '%s': want a port (0 to 65535) or a range LOW-HIGH",
					 opt, tok);
				goto out;
			}
			pm->n++;
		} else if (nm) {
			if (nm->n == TCPHS_FILTER_MAX) {
				snprintf(err, errlen, "%s: at most %d numbers or ranges", opt,
					 TCPHS_FILTER_MAX);
				goto out;
			}
			if (parse_num_range(tok, &nm->v[nm->n].lo, &nm->v[nm->n].hi)) {
				snprintf(err, errlen,
					 "bad %s '%s': want a number or a range LOW-HIGH", opt, tok);
				goto out;
			}
			nm->n++;
		} else if (cm) {
			if (cm->n == TCPHS_FILTER_MAX) {
				snprintf(err, errlen, "%s: at most %d commands", opt,
					 TCPHS_FILTER_MAX);
				goto out;
			}
			if (strlen(tok) >= sizeof(cm->v[0])) {
				snprintf(err, errlen, "%s '%s': longer than %zu characters", opt,
					 tok, sizeof(cm->v[0]) - 1);
				goto out;
			}
			snprintf(cm->v[cm->n++], sizeof(cm->v[0]), "%s", tok);
		} else if (key == TCPHS_FK_OUTCOME) {
			if (parse_word(tok, tcphs_outcome_names, ARRAY_SIZE(tcphs_outcome_names),
				       TCPHS_OUT_NONE + 1, outcome_groups,
				       ARRAY_SIZE(outcome_groups), &mm->mask)) {
				list_words(valid, sizeof(valid), tcphs_outcome_names,
					   ARRAY_SIZE(tcphs_outcome_names), TCPHS_OUT_NONE + 1,
					   outcome_groups, ARRAY_SIZE(outcome_groups));
				snprintf(err, errlen, "unknown outcome '%s'; valid outcomes: %s",
					 tok, valid);
				goto out;
			}
			mm->set = true;
		} else if (key == TCPHS_FK_STATE) {
			if (parse_word(tok, tcphs_state_names, ARRAY_SIZE(tcphs_state_names), 0,
				       state_groups, ARRAY_SIZE(state_groups), &mm->mask)) {
				list_words(valid, sizeof(valid), tcphs_state_names,
					   ARRAY_SIZE(tcphs_state_names), 0, state_groups,
					   ARRAY_SIZE(state_groups));
				snprintf(err, errlen, "unknown state '%s'; valid states: %s",
					 tok, valid);
				goto out;
			}
			mm->set = true;
		} else {
			if (parse_word(tok, tcphs_event_names, ARRAY_SIZE(tcphs_event_names),
				       TCPHS_EV_NONE + 1, event_groups,
				       ARRAY_SIZE(event_groups), &mm->mask) &&
			    parse_word(tok, NULL, 0, 0, event_aliases,
				       ARRAY_SIZE(event_aliases), &mm->mask)) {
				list_words(valid, sizeof(valid), tcphs_event_names,
					   ARRAY_SIZE(tcphs_event_names), TCPHS_EV_NONE + 1,
					   event_groups, ARRAY_SIZE(event_groups));
				snprintf(err, errlen, "unknown event '%s'; valid events: %s",
					 tok, valid);
				goto out;
			}
			mm->set = true;
		}
	}
	*flt = nf;
	ret = 0;
out:
	free(copy);
	return ret;
}

static int check_family(const struct tcphs_filter *flt, const struct tcphs_addr_match *m,
			const char *opt, char *err, size_t errlen)
{
	char buf[INET6_ADDRSTRLEN];
	unsigned int i;

	for (i = 0; flt->family && i < m->n; i++) {
		if (m->v[i].family == flt->family)
			continue;
		inet_ntop(m->v[i].family, m->v[i].addr.b, buf, sizeof(buf));
		snprintf(err, errlen, "%s %s is an IPv%d address but the family is %d", opt,
			 buf, m->v[i].family == AF_INET ? 4 : 6, flt->family == AF_INET ? 4 : 6);
		return -1;
	}
	return 0;
}

/**
 * tcphs_filter_check - refuse a filter whose options contradict each other
 * @flt: the filter, every option added
 * @err: set to the reason
 * @errlen: its size
 *
 * Return: 0, or -1 with @err set.
 */
int tcphs_filter_check(const struct tcphs_filter *flt, char *err, size_t errlen)
{
	if (check_family(flt, &flt->addr, "--addr", err, errlen) ||
	    check_family(flt, &flt->saddr, "--saddr", err, errlen) ||
	    check_family(flt, &flt->daddr, "--daddr", err, errlen))
		return -1;
	return 0;
}

static bool cidr_has(const struct tcphs_cidr *c, int family, const union tcphs_addr *a)
{
	unsigned int full = c->len / 8, rest = c->len % 8;

	if (c->family != family)
		return false;
	if (memcmp(c->addr.b, a->b, full))
		return false;
	return !rest || !((c->addr.b[full] ^ a->b[full]) & (0xff << (8 - rest)));
}

static bool addr_hit(const struct tcphs_addr_match *m, const struct tcphs_flow *f,
		     unsigned int type, const union tcphs_addr *a)
{
	unsigned int i;

	if (!tcphs_has(f, type) || !tcphs_has(f, TCPHS_A_FAMILY))
		return false;
	for (i = 0; i < m->n; i++)
		if (cidr_has(&m->v[i], f->family, a))
			return true;
	return false;
}

static bool port_hit(const struct tcphs_port_match *m, const struct tcphs_flow *f,
		     unsigned int type, uint16_t port)
{
	unsigned int i;

	if (!tcphs_has(f, type))
		return false;
	for (i = 0; i < m->n; i++)
		if (port >= m->v[i].lo && port <= m->v[i].hi)
			return true;
	return false;
}

static bool keep(bool hit, bool neg)
{
	return neg ? !hit : hit;
}

static bool num_hit(const struct tcphs_num_match *m, const struct tcphs_flow *f,
		    unsigned int type, uint64_t v)
{
	unsigned int i;

	if (!tcphs_has(f, type))
		return false;
	for (i = 0; i < m->n; i++)
		if (v >= m->v[i].lo && v <= m->v[i].hi)
			return true;
	return false;
}

static bool comm_hit(const struct tcphs_comm_match *m, const struct tcphs_flow *f)
{
	unsigned int i;

	if (!tcphs_has(f, TCPHS_A_OWNER_COMM))
		return false;
	for (i = 0; i < m->n; i++)
		if (!fnmatch(m->v[i], f->owner_comm, 0))
			return true;
	return false;
}

/**
 * tcphs_filter_match - does a flow or event pass the filter?
 * @flt: the filter
 * @f: the flow; a value the filter looks for but the flow lacks never
 *     matches (and so passes a negated list)
 */
bool tcphs_filter_match(const struct tcphs_filter *flt, const struct tcphs_flow *f)
{
	if (flt->family &&
	    (!tcphs_has(f, TCPHS_A_FAMILY) || f->family != flt->family))
		return false;
	if (flt->addr.n &&
	    !keep(addr_hit(&flt->addr, f, TCPHS_A_SADDR, &f->saddr) ||
		  addr_hit(&flt->addr, f, TCPHS_A_DADDR, &f->daddr), flt->addr.neg))
		return false;
	if (flt->saddr.n &&
	    !keep(addr_hit(&flt->saddr, f, TCPHS_A_SADDR, &f->saddr), flt->saddr.neg))
		return false;
	if (flt->daddr.n &&
	    !keep(addr_hit(&flt->daddr, f, TCPHS_A_DADDR, &f->daddr), flt->daddr.neg))
		return false;
	if (flt->port.n &&
	    !keep(port_hit(&flt->port, f, TCPHS_A_SPORT, f->sport) ||
		  port_hit(&flt->port, f, TCPHS_A_DPORT, f->dport), flt->port.neg))
		return false;
	if (flt->sport.n &&
	    !keep(port_hit(&flt->sport, f, TCPHS_A_SPORT, f->sport), flt->sport.neg))
		return false;
	if (flt->dport.n &&
	    !keep(port_hit(&flt->dport, f, TCPHS_A_DPORT, f->dport), flt->dport.neg))
		return false;
	if (flt->states.set &&
	    !keep(tcphs_has(f, TCPHS_A_STATE) && f->state < 32 &&
		  (flt->states.mask & BIT(f->state)), flt->states.neg))
		return false;
	if (flt->events.set &&
	    !keep(tcphs_has(f, TCPHS_A_EVENT) && f->event < 32 &&
		  (flt->events.mask & BIT(f->event)), flt->events.neg))
		return false;
	if (flt->outcomes.set &&
	    !keep(tcphs_has(f, TCPHS_A_OUTCOME) && f->outcome < 32 &&
		  (flt->outcomes.mask & BIT(f->outcome)), flt->outcomes.neg))
		return false;
	if (flt->pid.n &&
	    !keep(num_hit(&flt->pid, f, TCPHS_A_OWNER_PID, f->owner_pid), flt->pid.neg))
		return false;
	if (flt->uid.n &&
	    !keep(num_hit(&flt->uid, f, TCPHS_A_OWNER_UID, f->owner_uid), flt->uid.neg))
		return false;
	if (flt->cgroup.n &&
	    !keep(num_hit(&flt->cgroup, f, TCPHS_A_OWNER_CGROUP, f->owner_cgroup),
		  flt->cgroup.neg))
		return false;
	if (flt->comm.n && !keep(comm_hit(&flt->comm, f), flt->comm.neg))
		return false;
	return true;
}

/* The one whole address --addr keeps, for the kernel's dump filter. */
bool tcphs_filter_single_addr(const struct tcphs_filter *flt, const struct tcphs_cidr **c)
{
	const struct tcphs_cidr *v = &flt->addr.v[0];

	if (flt->addr.n != 1 || flt->addr.neg || v->len != (v->family == AF_INET ? 32 : 128))
		return false;
	*c = v;
	return true;
}

/* The one port --port keeps, for the kernel's dump filter. */
bool tcphs_filter_single_port(const struct tcphs_filter *flt, uint16_t *port)
{
	if (flt->port.n != 1 || flt->port.neg || flt->port.v[0].lo != flt->port.v[0].hi)
		return false;
	*port = flt->port.v[0].lo;
	return true;
}

/* The one state --state keeps, for the kernel's dump filter. */
bool tcphs_filter_single_state(const struct tcphs_filter *flt, uint8_t *state)
{
	uint32_t m = flt->states.mask;

	if (!flt->states.set || flt->states.neg || !m || (m & (m - 1)))
		return false;
	*state = __builtin_ctz(m);
	return true;
}
