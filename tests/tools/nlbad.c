// SPDX-License-Identifier: GPL-2.0
/*
 * nlbad: send malformed requests to the tcphs generic netlink family and
 * check that each one is refused, for the tcphs tests.
 *
 *   nlbad		the malformed requests (needs CAP_NET_ADMIN), then
 *			valid ones that must still work
 *   nlbad --unpriv [--events closed|absent|open]
 *			what an unprivileged user is refused, and what it
 *			may still do. --events says what joining the
 *			"events" group must give: closed, EPERM (the
 *			default: a kernel that checks the group's
 *			capability); absent, no such group (a kernel that
 *			cannot, module loaded as it should be); open, the
 *			join succeeds (such a kernel, module loaded with
 *			unsafe_unrestricted_events=1)
 *
 * Each case prints one line, "ok CASE: error N (extended ack message)" or
 * "not ok CASE: ..."; the exit status is 0 only if every case is ok.
 * Requests carry NLM_F_ACK and the socket asks for extended acks.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <arpa/inet.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tcphs.h>

#include "tcphs-ids.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define ARRAY_SIZE(a)	(sizeof(a) / sizeof((a)[0]))

#define RECV_BUF	65536
#define SEND_BUF	8192
#define REPLY_WAIT_MS	1000
#define SILENCE_MS	300

/* Expectation of a case that must get no answer at all. */
#define WANT_NO_REPLY	1

static struct mnl_socket *nl;
static unsigned int seq;
static uint16_t family_id;
static uint32_t events_group;
static char rbuf[RECV_BUF];

/* What came back for one request. */
struct answer {
	bool replied;		/* an error, ack or end of dump came */
	int error;		/* its error: 0 or a negative errno */
	bool is_done;		/* the end of a dump rather than an ack */
	int data;		/* data messages before it */
	char msg[256];		/* extended ack message, or "" */
	bool has_offs;
	uint32_t offs;		/* offset of the bad attribute in the request */
	bool has_miss;
	uint32_t miss_type;
	/* Filled for GET_STATS replies. */
	int counters;
	bool has_flow_count, has_netns;
	bool stats_bad;
};

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static struct nlmsghdr *msg_start(void *buf, uint16_t type, uint8_t cmd, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	memset(buf, 0, SEND_BUF);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	nlh->nlmsg_seq = ++seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = TCPHS_GENL_VERSION;
	return nlh;
}

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct answer *a = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			snprintf(a->msg, sizeof(a->msg), "%s", mnl_attr_get_str(attr));
		break;
	case NLMSGERR_ATTR_OFFS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			a->offs = mnl_attr_get_u32(attr);
			a->has_offs = true;
		}
		break;
	case 5: /* NLMSGERR_ATTR_MISS_TYPE, from Linux 6.0 */
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			a->miss_type = mnl_attr_get_u32(attr);
			a->has_miss = true;
		}
		break;
	}
	return MNL_CB_OK;
}

static int stat_attr(const struct nlattr *attr, void *data)
{
	struct answer *a = data;

	if (!mnl_attr_get_payload_len(attr))
		return MNL_CB_OK;	/* 64-bit alignment padding */
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0 ||
	    mnl_attr_get_type(attr) < 1 || mnl_attr_get_type(attr) > __TCPHS_STAT_MAX)
		a->stats_bad = true;
	else
		a->counters++;
	return MNL_CB_OK;
}

static int reply_attr(const struct nlattr *attr, void *data)
{
	struct answer *a = data;

	switch (mnl_attr_get_type(attr)) {
	case TCPHS_A_STATS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(attr, stat_attr, a) < 0)
			a->stats_bad = true;
		break;
	case TCPHS_A_FLOW_COUNT:
		a->has_flow_count = mnl_attr_validate(attr, MNL_TYPE_U32) == 0;
		break;
	case TCPHS_A_NETNS:
		a->has_netns = mnl_attr_validate(attr, MNL_TYPE_U32) == 0;
		break;
	}
	return MNL_CB_OK;
}

/* One message that answers request @want_seq; true when it ends the answer. */
static bool take(const struct nlmsghdr *nlh, unsigned int want_seq, struct answer *a)
{
	const struct nlmsgerr *err;
	size_t off;
	int error;

	if (nlh->nlmsg_seq != want_seq)
		return false;
	switch (nlh->nlmsg_type) {
	case NLMSG_ERROR:
		if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
			a->replied = true;
			a->error = -EBADMSG;
			return true;
		}
		err = mnl_nlmsg_get_payload(nlh);
		a->replied = true;
		a->error = err->error;
		off = sizeof(*err);
		if (!(nlh->nlmsg_flags & NLM_F_CAPPED))
			off += err->msg.nlmsg_len - sizeof(err->msg);
		if ((nlh->nlmsg_flags & NLM_F_ACK_TLVS) && off <= mnl_nlmsg_get_payload_len(nlh))
			mnl_attr_parse(nlh, off, extack_attr, a);
		return true;
	case NLMSG_DONE:
		a->replied = true;
		a->is_done = true;
		if (nlh->nlmsg_len >= mnl_nlmsg_size(sizeof(error))) {
			memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
			a->error = error;
			if (nlh->nlmsg_flags & NLM_F_ACK_TLVS)
				mnl_attr_parse(nlh, sizeof(error), extack_attr, a);
		}
		return true;
	default:
		a->data++;
		if (nlh->nlmsg_type == family_id)
			mnl_attr_parse(nlh, sizeof(struct genlmsghdr), reply_attr, a);
		return false;
	}
}

/*
 * Send @len bytes of @buf (which may claim to be longer) and collect the
 * answer to its sequence number, waiting up to @wait_ms for each read.
 */
static void ask(const void *buf, size_t len, unsigned int want_seq, int wait_ms,
		struct answer *a)
{
	struct pollfd pfd = { .fd = mnl_socket_get_fd(nl), .events = POLLIN };
	bool ack_seen = false;

	memset(a, 0, sizeof(*a));
	if (mnl_socket_sendto(nl, buf, len) < 0)
		die("sendto");
	for (;;) {
		const struct nlmsghdr *nlh;
		ssize_t n;
		int left;

		if (poll(&pfd, 1, wait_ms) <= 0)
			return;
		n = recv(pfd.fd, rbuf, sizeof(rbuf), 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			die("recv");
		}
		left = n;
		/* A do request's reply comes before its ack: take both. */
		for (nlh = (const struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left))
			if (take(nlh, want_seq, a))
				ack_seen = true;
		if (ack_seen)
			return;
	}
}

static void resolve(void)
{
	char buf[SEND_BUF];
	struct nlmsghdr *nlh;
	struct answer a;
	unsigned int s;
	int left;
	ssize_t n;

	nlh = msg_start(buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 0);
	((struct genlmsghdr *)mnl_nlmsg_get_payload(nlh))->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TCPHS_GENL_NAME);
	s = nlh->nlmsg_seq;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0)
		die("sendto");
	for (;;) {
		n = mnl_socket_recvfrom(nl, rbuf, sizeof(rbuf));
		if (n < 0)
			die("recv");
		left = n;
		for (nlh = (struct nlmsghdr *)rbuf; mnl_nlmsg_ok(nlh, left);
		     nlh = mnl_nlmsg_next(nlh, &left)) {
			if (nlh->nlmsg_seq != s)
				continue;
			if (nlh->nlmsg_type == GENL_ID_CTRL) {
				struct tcphs_ids ids = { 0 };

				mnl_attr_parse(nlh, sizeof(struct genlmsghdr), tcphs_ids_attr, &ids);
				family_id = ids.family;
				events_group = ids.events;
				continue;
			}
			memset(&a, 0, sizeof(a));
			take(nlh, s, &a);
			if (a.error) {
				fprintf(stderr, "nlbad: family \"%s\" not found: %s\n",
					TCPHS_GENL_NAME, strerror(-a.error));
				exit(2);
			}
			if (!family_id) {
				fprintf(stderr, "nlbad: no id for family \"%s\"\n",
					TCPHS_GENL_NAME);
				exit(2);
			}
			return;
		}
	}
}

/*
 * The cases. A builder fills the request and returns how many bytes to
 * send (normally nlh->nlmsg_len).
 */
typedef size_t (*build_fn)(struct nlmsghdr *nlh);

struct tcase {
	const char *name;
	uint8_t cmd;
	uint16_t flags;		/* beyond NLM_F_REQUEST | NLM_F_ACK */
	build_fn build;		/* NULL: no attributes */
	int want;		/* negative errno, 0, or WANT_NO_REPLY */
	const char *want_msg;	/* must be in the extended ack; NULL: any or none */
	bool note_no_msg;	/* say so when there is no extended ack message */
};

static uint8_t zeros[4096];

static size_t len_of(struct nlmsghdr *nlh)
{
	return nlh->nlmsg_len;
}

#define PUT(fn_name, type, n)						\
	static size_t fn_name(struct nlmsghdr *nlh)			\
	{								\
		mnl_attr_put(nlh, type, n, zeros);			\
		return len_of(nlh);					\
	}

PUT(b_unknown_type, TCPHS_A_MAX + 5, 4)
PUT(b_type_zero, 0, 4)
PUT(b_port_1, TCPHS_A_FILTER_PORT, 1)
PUT(b_port_8, TCPHS_A_FILTER_PORT, 8)
PUT(b_state_4, TCPHS_A_FILTER_STATE, 4)
PUT(b_family_2, TCPHS_A_FILTER_FAMILY, 2)
PUT(b_addr_0, TCPHS_A_FILTER_ADDR, 0)
PUT(b_addr_5, TCPHS_A_FILTER_ADDR, 5)
PUT(b_addr_17, TCPHS_A_FILTER_ADDR, 17)
PUT(b_addr_4000, TCPHS_A_FILTER_ADDR, 4000)

static size_t b_port(struct nlmsghdr *nlh)
{
	mnl_attr_put_u16(nlh, TCPHS_A_FILTER_PORT, 80);
	return len_of(nlh);
}

static size_t b_family(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, TCPHS_A_FILTER_FAMILY, AF_INET);
	return len_of(nlh);
}

static size_t b_history(struct nlmsghdr *nlh)
{
	mnl_attr_put_strz(nlh, TCPHS_A_HISTORY, "ShAFf");
	return len_of(nlh);
}

static size_t b_flow_id(struct nlmsghdr *nlh)
{
	mnl_attr_put_u64(nlh, TCPHS_A_FLOW_ID, 1);
	return len_of(nlh);
}

static size_t b_state_200(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, TCPHS_A_FILTER_STATE, 200);
	return len_of(nlh);
}

static size_t b_state_max1(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, TCPHS_A_FILTER_STATE, TCPHS_STATE_MAX + 1);
	return len_of(nlh);
}

static size_t b_family_99(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, TCPHS_A_FILTER_FAMILY, 99);
	return len_of(nlh);
}

static size_t b_state_nested(struct nlmsghdr *nlh)
{
	mnl_attr_put_u8(nlh, TCPHS_A_FILTER_STATE | NLA_F_NESTED, TCPHS_STATE_CLOSED);
	return len_of(nlh);
}

/* An attribute whose length runs 100 bytes past the end of the message. */
static size_t b_attr_past_end(struct nlmsghdr *nlh)
{
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(nlh);

	attr->nla_type = TCPHS_A_FILTER_PORT;
	attr->nla_len = NLA_HDRLEN + 2 + 100;
	nlh->nlmsg_len += NLA_HDRLEN + 4;
	return len_of(nlh);
}

/* An attribute whose length is shorter than its own header. */
static size_t b_attr_below_header(struct nlmsghdr *nlh)
{
	struct nlattr *attr = mnl_nlmsg_get_payload_tail(nlh);

	attr->nla_type = TCPHS_A_FILTER_PORT;
	attr->nla_len = 2;
	nlh->nlmsg_len += NLA_HDRLEN + 4;
	return len_of(nlh);
}

/* A valid attribute, then 3 bytes that are not one. */
static size_t b_trailing_bytes(struct nlmsghdr *nlh)
{
	mnl_attr_put_u16(nlh, TCPHS_A_FILTER_PORT, 80);
	nlh->nlmsg_len += 3;
	return len_of(nlh);
}

/* nlmsg_len says 64 bytes more than are sent. */
static size_t b_nlmsg_past_end(struct nlmsghdr *nlh)
{
	size_t sent = nlh->nlmsg_len;

	nlh->nlmsg_len += 64;
	return sent;
}

/* A message too short to hold the generic netlink header. */
static size_t b_nlmsg_short(struct nlmsghdr *nlh)
{
	nlh->nlmsg_len = NLMSG_HDRLEN + 1;
	return NLMSG_HDRLEN + 1;
}

static size_t b_filters(struct nlmsghdr *nlh)
{
	struct in_addr lo = { htonl(INADDR_LOOPBACK) };

	mnl_attr_put_u8(nlh, TCPHS_A_FILTER_FAMILY, AF_INET);
	mnl_attr_put(nlh, TCPHS_A_FILTER_ADDR, sizeof(lo), &lo);
	mnl_attr_put_u16(nlh, TCPHS_A_FILTER_PORT, 80);
	mnl_attr_put_u8(nlh, TCPHS_A_FILTER_STATE, TCPHS_STATE_MAX);
	return len_of(nlh);
}

#define DUMP	(NLM_F_DUMP)
#define S	TCPHS_CMD_GET_STATS
#define F	TCPHS_CMD_GET_FLOW
#define X	TCPHS_CMD_FLUSH

#define CASE(name, cmd, flags, build, want, msg) \
	{ name, cmd, flags, build, want, msg, false }
/* Refused by the module's own check, whose message may not get through. */
#define NOTE(name, cmd, flags, build, want, msg) \
	{ name, cmd, flags, build, want, msg, true }

static const struct tcase root_cases[] = {
	/* Attributes nobody takes, or this command does not. */
	CASE("unknown-attr-type", S, 0, b_unknown_type, -EINVAL, "Unknown attribute type"),
	CASE("unknown-attr-type-dump", F, DUMP, b_unknown_type, -EINVAL, "Unknown attribute type"),
	CASE("attr-type-0", F, DUMP, b_type_zero, -EINVAL, "Unknown attribute type"),
	CASE("get-stats-takes-no-filter-port", S, 0, b_port, -EINVAL, "Unsupported attribute"),
	CASE("flush-takes-no-filter-family", X, 0, b_family, -EINVAL, "Unsupported attribute"),
	CASE("get-flow-takes-no-history", F, DUMP, b_history, -EINVAL, "Unsupported attribute"),
	CASE("get-flow-takes-no-flow-id", F, DUMP, b_flow_id, -EINVAL, "Unsupported attribute"),
	/* Wrong lengths and values. */
	CASE("filter-port-1-byte", F, DUMP, b_port_1, -EINVAL, "invalid attribute length"),
	CASE("filter-port-8-bytes", F, DUMP, b_port_8, -EINVAL, "invalid attribute length"),
	CASE("filter-state-4-bytes", F, DUMP, b_state_4, -EINVAL, "invalid attribute length"),
	CASE("filter-family-2-bytes", F, DUMP, b_family_2, -EINVAL, "invalid attribute length"),
	CASE("filter-state-200", F, DUMP, b_state_200, -ERANGE, "integer out of range"),
	CASE("filter-state-max-plus-1", F, DUMP, b_state_max1, -ERANGE, "integer out of range"),
	CASE("filter-state-nested-flag", F, DUMP, b_state_nested, -EINVAL, "NLA_F_NESTED"),
	CASE("filter-family-99", F, DUMP, b_family_99, -ERANGE, "integer out of range"),
	CASE("filter-addr-0-bytes", F, DUMP, b_addr_0, -ERANGE, "binary attribute size out of range"),
	NOTE("filter-addr-5-bytes", F, DUMP, b_addr_5, -EINVAL, NULL),
	CASE("filter-addr-17-bytes", F, DUMP, b_addr_17, -ERANGE,
	     "binary attribute size out of range"),
	CASE("filter-addr-4000-bytes", F, DUMP, b_addr_4000, -ERANGE,
	     "binary attribute size out of range"),
	/* Broken framing. */
	CASE("attr-len-past-end", F, DUMP, b_attr_past_end, -EINVAL, "bytes leftover"),
	CASE("attr-len-below-header", F, DUMP, b_attr_below_header, -EINVAL, "bytes leftover"),
	CASE("trailing-bytes", F, DUMP, b_trailing_bytes, -EINVAL, "bytes leftover"),
	CASE("nlmsg-shorter-than-genl-header", S, 0, b_nlmsg_short, -EINVAL, NULL),
	CASE("nlmsg-len-past-end", S, 0, b_nlmsg_past_end, WANT_NO_REPLY, NULL),
	/* Commands that do not exist, or not that way. */
	CASE("unknown-cmd-99", 99, 0, NULL, -EOPNOTSUPP, NULL),
	CASE("cmd-unspec", TCPHS_CMD_UNSPEC, 0, NULL, -EOPNOTSUPP, NULL),
	CASE("cmd-event-from-userspace", TCPHS_CMD_EVENT, 0, NULL, -EOPNOTSUPP, NULL),
	CASE("get-flow-without-dump", F, 0, NULL, -EOPNOTSUPP, NULL),
	CASE("get-stats-as-dump", S, DUMP, NULL, -EOPNOTSUPP, NULL),
	CASE("flush-as-dump", X, DUMP, NULL, -EOPNOTSUPP, NULL),
};

static const struct tcase unpriv_cases[] = {
	CASE("flush-unprivileged", X, 0, NULL, -EPERM, NULL),
	CASE("flush-unprivileged-bad-attr", X, 0, b_family, -EPERM, NULL),
	CASE("get-flow-unprivileged", F, DUMP, NULL, -EPERM, NULL),
	CASE("get-flow-unprivileged-filters", F, DUMP, b_filters, -EPERM, NULL),
};

static char extack_str[320];

static const char *extack_of(const struct answer *a)
{
	int n = 0;

	extack_str[0] = '\0';
	if (a->msg[0])
		n += snprintf(extack_str + n, sizeof(extack_str) - n, "%s", a->msg);
	if (a->has_offs)
		n += snprintf(extack_str + n, sizeof(extack_str) - n, "%sat offset %u",
			      n ? ", " : "", a->offs);
	if (a->has_miss)
		snprintf(extack_str + n, sizeof(extack_str) - n, "%smissing attribute %u",
			 n ? ", " : "", a->miss_type);
	return extack_str[0] ? extack_str : "no extended ack message";
}

static bool run_case(const struct tcase *c)
{
	char buf[SEND_BUF];
	struct nlmsghdr *nlh;
	struct answer a;
	size_t len;
	int wait = c->want == WANT_NO_REPLY ? SILENCE_MS : REPLY_WAIT_MS;

	nlh = msg_start(buf, family_id, c->cmd, c->flags);
	len = c->build ? c->build(nlh) : nlh->nlmsg_len;
	ask(buf, len, nlh->nlmsg_seq, wait, &a);

	if (c->want == WANT_NO_REPLY) {
		if (a.replied) {
			printf("not ok %s: want no answer, got error %d (%s)\n",
			       c->name, a.error, extack_of(&a));
			return false;
		}
		printf("ok %s: no answer (the kernel drops a message longer than what was sent)\n",
		       c->name);
		return true;
	}
	if (!a.replied) {
		printf("not ok %s: no answer within %d ms, want error %d\n",
		       c->name, wait, c->want);
		return false;
	}
	if (a.error != c->want) {
		printf("not ok %s: error %d (%s), want %d (%s)\n", c->name, a.error,
		       a.error ? strerror(-a.error) : "success", c->want,
		       strerror(-c->want));
		return false;
	}
	if (c->want_msg && !strstr(a.msg, c->want_msg)) {
		printf("not ok %s: error %d but extended ack '%s', want '%s'\n",
		       c->name, a.error, a.msg, c->want_msg);
		return false;
	}
	printf("ok %s: error %d %s (%s)\n", c->name, a.error, strerror(-a.error),
	       extack_of(&a));
	if (c->note_no_msg && !a.msg[0])
		printf("# note: %s: the module's own check refused it, but its "
		       "extended ack message did not reach userspace\n", c->name);
	return true;
}

static bool valid_stats(void)
{
	char buf[SEND_BUF];
	struct nlmsghdr *nlh;
	struct answer a;

	nlh = msg_start(buf, family_id, TCPHS_CMD_GET_STATS, 0);
	ask(buf, nlh->nlmsg_len, nlh->nlmsg_seq, REPLY_WAIT_MS, &a);
	if (!a.replied || a.error) {
		printf("not ok valid-get-stats: %s %d (%s)\n",
		       a.replied ? "error" : "no answer", a.error, extack_of(&a));
		return false;
	}
	if (a.data != 1 || a.counters != __TCPHS_STAT_MAX || a.stats_bad ||
	    !a.has_flow_count || !a.has_netns) {
		printf("not ok valid-get-stats: %d replies, %d counters (want %d)%s%s%s\n",
		       a.data, a.counters, __TCPHS_STAT_MAX,
		       a.stats_bad ? ", malformed counters" : "",
		       a.has_flow_count ? "" : ", no FLOW_COUNT",
		       a.has_netns ? "" : ", no NETNS");
		return false;
	}
	printf("ok valid-get-stats: %d counters, flow count and netns\n", a.counters);
	return true;
}

static bool valid_dump(const char *name, build_fn build)
{
	char buf[SEND_BUF];
	struct nlmsghdr *nlh;
	struct answer a;
	size_t len;

	nlh = msg_start(buf, family_id, TCPHS_CMD_GET_FLOW, NLM_F_DUMP);
	len = build ? build(nlh) : nlh->nlmsg_len;
	ask(buf, len, nlh->nlmsg_seq, REPLY_WAIT_MS, &a);
	if (!a.replied || !a.is_done || a.error) {
		printf("not ok %s: %s %d (%s)\n", name,
		       !a.replied ? "no end of dump" : a.is_done ? "dump ended with" : "error",
		       a.error, extack_of(&a));
		return false;
	}
	printf("ok %s: %d flows\n", name, a.data);
	return true;
}

enum join_want { JOIN_CLOSED, JOIN_ABSENT, JOIN_OPEN };

static bool join_as_expected(enum join_want want)
{
	int fd = mnl_socket_get_fd(nl);
	int err;

	if (!events_group) {
		if (want == JOIN_ABSENT) {
			printf("ok join-events-unprivileged: no \"%s\" group\n",
			       TCPHS_MCGRP_EVENTS);
			return true;
		}
		printf("not ok join-events-unprivileged: no \"%s\" group\n",
		       TCPHS_MCGRP_EVENTS);
		return false;
	}
	if (want == JOIN_ABSENT) {
		printf("not ok join-events-unprivileged: group %u exists\n", events_group);
		return false;
	}
	err = setsockopt(fd, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP, &events_group,
			 sizeof(events_group)) ? errno : 0;
	if (want == JOIN_OPEN) {
		if (err) {
			printf("not ok join-events-unprivileged: %s, want a join\n", strerror(err));
			return false;
		}
		printf("ok join-events-unprivileged: joined group %u (unsafe)\n", events_group);
		return true;
	}
	if (!err) {
		printf("not ok join-events-unprivileged: joined group %u\n", events_group);
		return false;
	}
	if (err != EPERM) {
		printf("not ok join-events-unprivileged: %s, want EPERM\n", strerror(err));
		return false;
	}
	printf("ok join-events-unprivileged: error %d %s\n", -err, strerror(err));
	return true;
}

int main(int argc, char **argv)
{
	const struct tcase *cases = root_cases;
	size_t i, n = ARRAY_SIZE(root_cases);
	enum join_want join = JOIN_CLOSED;
	bool unpriv = false;
	int one = 1, bad = 0, total = 0;

	if (argc >= 2 && !strcmp(argv[1], "--unpriv")) {
		unpriv = true;
		cases = unpriv_cases;
		n = ARRAY_SIZE(unpriv_cases);
	}
	if (unpriv && argc == 4 && !strcmp(argv[2], "--events") && !strcmp(argv[3], "absent")) {
		join = JOIN_ABSENT;
	} else if (unpriv && argc == 4 && !strcmp(argv[2], "--events") &&
		   !strcmp(argv[3], "open")) {
		join = JOIN_OPEN;
	} else if (!(argc == 1 || (unpriv && argc == 2) ||
		     (unpriv && argc == 4 && !strcmp(argv[2], "--events") &&
		      !strcmp(argv[3], "closed")))) {
		fprintf(stderr, "usage: nlbad [--unpriv [--events closed|absent|open]]\n");
		return 64;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl)
		die("socket");
	if (mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0)
		die("bind");
	if (mnl_socket_setsockopt(nl, NETLINK_EXT_ACK, &one, sizeof(one)) < 0)
		die("NETLINK_EXT_ACK");
	if (mnl_socket_setsockopt(nl, NETLINK_CAP_ACK, &one, sizeof(one)) < 0)
		die("NETLINK_CAP_ACK");
	resolve();

	for (i = 0; i < n; i++, total++)
		bad += !run_case(&cases[i]);

	/* After all that, the family still answers valid requests. */
	total++;
	bad += !valid_stats();
	if (unpriv) {
		total++;
		bad += !join_as_expected(join);
	} else {
		total += 2;
		bad += !valid_dump("valid-dump", NULL);
		bad += !valid_dump("valid-dump-with-filters", b_filters);
	}
	printf("nlbad: %d cases, %d not ok\n", total, bad);
	mnl_socket_close(nl);
	return bad ? 1 : 0;
}
