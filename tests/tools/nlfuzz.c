// SPDX-License-Identifier: GPL-2.0
/*
 * nlfuzz: send many random and malformed messages to the tcphs generic
 * netlink family and to its events group, for the tcphs tests.
 *
 *   nlfuzz [--count N] [--seed S] [--no-flush] [--unpriv]
 *
 * Messages are built from a seeded generator: random commands (valid and
 * not), flags (dump, ack, garbage bits), genetlink versions, attributes of
 * every type and of many lengths (empty, short, long, lying about their
 * length, nested garbage), truncated and oversized messages, messages to
 * other types than the family's, and sends to the events group. A socket
 * joins and leaves the events group (and groups that do not exist) as it
 * goes. Replies are read and classified; every 500 messages and at the end
 * a well-formed GET_STATS on a fresh socket must still be answered.
 *
 * With --no-flush the FLUSH command is never sent (so a test can check
 * that the table is unchanged). With --unpriv (run it as a user without
 * CAP_NET_ADMIN) FLUSH is sent too, and any dumped flow or any successful
 * FLUSH is a failure.
 *
 * The last line is "nlfuzz: sent N ...". Exit status 0 when every check
 * held, 1 when one failed, 2 on a usage or setup error.
 */
#include <errno.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tcphs.h>

#include "tcphs-ids.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

#define MSG_MAX		20000	/* the largest message sent, oversized ones included */
#define SEQ_SLOTS	4096	/* requests remembered, to match their replies */
#define CHECK_EVERY	500

static uint16_t family_id;
static uint32_t events_group;
static uint64_t rng_state;
static bool no_flush, unpriv;
static int failures;

/* What was asked under a sequence number. */
static struct {
	uint32_t seq;
	uint8_t cmd;
	bool ours;	/* a well-framed request to the family */
} asked[SEQ_SLOTS];

static struct {
	unsigned long sent, send_errors, errors, acks, dones, data, events;
	unsigned long joins, join_errors, group_sends, checks;
	unsigned long err_by[140];
} st;

static uint32_t rnd(void)
{
	/* xorshift64*: reproducible from --seed */
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (uint32_t)((rng_state * 0x2545F4914F6CDD1DULL) >> 32);
}

static uint32_t below(uint32_t n)
{
	return n ? rnd() % n : 0;
}

static void fill(void *p, size_t len)
{
	unsigned char *c = p;
	size_t i;

	switch (below(4)) {
	case 0:
		memset(p, 0, len);
		break;
	case 1:
		memset(p, 0xff, len);
		break;
	default:
		for (i = 0; i < len; i++)
			c[i] = rnd();
	}
}

static void fail(const char *fmt, const char *what, long v)
{
	fprintf(stderr, "nlfuzz: FAIL: ");
	fprintf(stderr, fmt, what, v);
	fputc('\n', stderr);
	failures++;
}

/* nlctrl's answer: the family's id and its events group. */
static int ctrl_cb(const struct nlmsghdr *nlh, void *data)
{
	return mnl_attr_parse(nlh, sizeof(struct genlmsghdr), tcphs_ids_attr, data);
}

static void resolve(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct tcphs_ids ids = { 0 };
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int n;

	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		perror("nlfuzz: netlink socket");
		exit(2);
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = GENL_ID_CTRL;
	nlh->nlmsg_flags = NLM_F_REQUEST;
	nlh->nlmsg_seq = 1;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = CTRL_CMD_GETFAMILY;
	genl->version = 1;
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, TCPHS_GENL_NAME);
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) < 0) {
		perror("nlfuzz: send");
		exit(2);
	}
	n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
	if (n < 0 || mnl_cb_run(buf, n, 1, mnl_socket_get_portid(nl), ctrl_cb, &ids) < 0 ||
	    !ids.family || !ids.events) {
		fprintf(stderr, "nlfuzz: the family \"%s\" or its events group was not found\n",
			TCPHS_GENL_NAME);
		exit(2);
	}
	family_id = ids.family;
	events_group = ids.events;
	mnl_socket_close(nl);
}

/* A well-formed GET_STATS on a fresh socket must still be answered. */
static void check_alive(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct mnl_socket *nl;
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	int n, ret = -1;

	st.checks++;
	nl = mnl_socket_open(NETLINK_GENERIC);
	if (!nl || mnl_socket_bind(nl, 0, MNL_SOCKET_AUTOPID) < 0) {
		fail("%s: cannot open a socket (%ld)", "liveness", (long)errno);
		return;
	}
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = family_id;
	nlh->nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	nlh->nlmsg_seq = 7;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = TCPHS_CMD_GET_STATS;
	genl->version = TCPHS_GENL_VERSION;
	if (mnl_socket_sendto(nl, nlh, nlh->nlmsg_len) >= 0) {
		/* The reply, then the ack (ret 0 after it). */
		do {
			n = mnl_socket_recvfrom(nl, buf, sizeof(buf));
			if (n < 0)
				break;
			ret = mnl_cb_run(buf, n, 7, mnl_socket_get_portid(nl), NULL, NULL);
		} while (ret > 0);
	}
	if (ret != 0)
		fail("%s: GET_STATS was not answered after %ld messages", "liveness",
		     (long)st.sent);
	mnl_socket_close(nl);
}

/* One random attribute at @p, at most @room bytes; returns its length. */
static size_t put_attr(char *p, size_t room)
{
	static const uint16_t lens[] = { 0, 1, 2, 3, 4, 5, 8, 12, 16, 17, 20, 64, 255 };
	struct nlattr *nla = (struct nlattr *)p;
	size_t len, total;

	if (room < NLA_HDRLEN)
		return 0;
	if (below(8) == 0)
		len = below(room > 4096 ? 4096 : room);
	else
		len = lens[below(sizeof(lens) / sizeof(lens[0]))];
	if (NLA_ALIGN(NLA_HDRLEN + len) > room)
		len = room - NLA_HDRLEN;
	total = NLA_ALIGN(NLA_HDRLEN + len);
	if (total > room)
		total = room;
	nla->nla_type = below(TCPHS_A_MAX + 6);
	if (below(10) == 0)
		nla->nla_type |= NLA_F_NESTED;
	if (below(20) == 0)
		nla->nla_type |= NLA_F_NET_BYTEORDER;
	if (below(30) == 0)
		nla->nla_type = rnd();
	nla->nla_len = NLA_HDRLEN + len;
	fill(p + NLA_HDRLEN, total - NLA_HDRLEN);
	if ((nla->nla_type & NLA_F_NESTED) && len >= NLA_HDRLEN && below(2)) {
		/* a nest holding an attribute of its own */
		struct nlattr *in = (struct nlattr *)(p + NLA_HDRLEN);

		in->nla_len = NLA_HDRLEN + below(len - NLA_HDRLEN + 8);
		in->nla_type = below(__TCPHS_STAT_MAX + 3);
	}
	switch (below(25)) {
	case 0:
		nla->nla_len = below(NLA_HDRLEN);	/* shorter than a header */
		break;
	case 1:
		nla->nla_len = len + NLA_HDRLEN + 1 + below(64);	/* past the end */
		break;
	case 2:
		nla->nla_len = rnd();
		break;
	}
	return total;
}

/* Build one random message into @buf; returns the bytes to send. */
static size_t build(char *buf, uint32_t seq, uint8_t *cmd, bool *ours)
{
	struct nlmsghdr *nlh = (struct nlmsghdr *)buf;
	struct genlmsghdr *genl;
	size_t limit, len, n;
	unsigned int nattrs, i;

	limit = below(50) == 0 ? MSG_MAX : 512;
	memset(buf, 0, NLMSG_HDRLEN + GENL_HDRLEN);
	nlh->nlmsg_type = family_id;
	if (below(20) == 0)
		nlh->nlmsg_type = below(4) ? GENL_ID_CTRL + below(64) : rnd();
	nlh->nlmsg_flags = NLM_F_REQUEST;
	if (below(2))
		nlh->nlmsg_flags |= NLM_F_ACK;
	if (below(3) == 0)
		nlh->nlmsg_flags |= NLM_F_DUMP;
	if (below(10) == 0)
		nlh->nlmsg_flags |= rnd() & 0xffff;
	if (below(40) == 0)
		nlh->nlmsg_flags &= ~NLM_F_REQUEST;
	nlh->nlmsg_seq = seq;
	genl = (struct genlmsghdr *)(buf + NLMSG_HDRLEN);
	do {
		genl->cmd = below(8) ? below(TCPHS_CMD_MAX + 3) : rnd();
	} while (no_flush && genl->cmd == TCPHS_CMD_FLUSH);
	*cmd = genl->cmd;
	genl->version = below(10) ? TCPHS_GENL_VERSION : rnd();
	genl->reserved = below(10) ? 0 : rnd();

	len = NLMSG_HDRLEN + GENL_HDRLEN;
	nattrs = below(4) ? below(5) : below(40);
	for (i = 0; i < nattrs && len < limit; i++) {
		n = put_attr(buf + len, limit - len);
		if (!n)
			break;
		len += n;
	}
	nlh->nlmsg_len = len;
	/*
	 * The kernel acks what is not a request (or not for a family) without
	 * looking at it; only well-framed requests count for the privilege
	 * checks.
	 */
	*ours = nlh->nlmsg_type == family_id && (nlh->nlmsg_flags & NLM_F_REQUEST);
	switch (below(30)) {
	case 0:	/* cut inside the genetlink header or an attribute */
		len = NLMSG_HDRLEN + below(len - NLMSG_HDRLEN + 1);
		nlh->nlmsg_len = len;
		*ours = false;
		break;
	case 1:	/* a header that claims more than was sent */
		nlh->nlmsg_len = len + 1 + below(1000);
		*ours = false;
		break;
	case 2:	/* a header that claims less */
		nlh->nlmsg_len = below(len);
		*ours = false;
		break;
	}
	return len;
}

static void take_reply(const struct nlmsghdr *nlh)
{
	unsigned int slot = nlh->nlmsg_seq % SEQ_SLOTS;
	bool known = asked[slot].seq == nlh->nlmsg_seq;
	const struct nlmsgerr *err;
	int e;

	if (nlh->nlmsg_type == NLMSG_ERROR) {
		if (nlh->nlmsg_len < NLMSG_LENGTH(sizeof(*err)))
			return;
		err = NLMSG_DATA(nlh);
		if (!err->error) {
			st.acks++;
			if (unpriv && known && asked[slot].ours &&
			    asked[slot].cmd == TCPHS_CMD_FLUSH)
				fail("%s: FLUSH succeeded without CAP_NET_ADMIN (seq %ld)",
				     "privilege", (long)nlh->nlmsg_seq);
			return;
		}
		st.errors++;
		e = -err->error;
		st.err_by[e > 0 && e < 140 ? e : 0]++;
		return;
	}
	if (nlh->nlmsg_type == NLMSG_DONE) {
		st.dones++;
		return;
	}
	if (nlh->nlmsg_type == family_id && nlh->nlmsg_len >= NLMSG_LENGTH(GENL_HDRLEN)) {
		const struct genlmsghdr *genl = NLMSG_DATA(nlh);

		if (genl->cmd == TCPHS_CMD_EVENT && nlh->nlmsg_seq == 0) {
			st.events++;
			return;
		}
		if (unpriv && genl->cmd == TCPHS_CMD_GET_FLOW)
			fail("%s: a flow was dumped without CAP_NET_ADMIN (seq %ld)",
			     "privilege", (long)nlh->nlmsg_seq);
	}
	st.data++;
}

/* Read whatever is queued on @fd without waiting. */
static void drain(int fd)
{
	static char rbuf[65536];
	const struct nlmsghdr *nlh;
	ssize_t n;
	int len;

	for (;;) {
		n = recv(fd, rbuf, sizeof(rbuf), MSG_DONTWAIT);
		if (n < 0) {
			if (errno == ENOBUFS)
				continue;	/* events overflowed; go on */
			return;
		}
		/*
		 * Not NLMSG_OK/NEXT: what root sends to the group arrives as
		 * sent, with lengths that do not add up.
		 */
		len = n;
		nlh = (const struct nlmsghdr *)rbuf;
		while (len >= (int)sizeof(*nlh) && nlh->nlmsg_len >= sizeof(*nlh) &&
		       nlh->nlmsg_len <= (unsigned int)len) {
			take_reply(nlh);
			if ((int)NLMSG_ALIGN(nlh->nlmsg_len) >= len)
				break;
			len -= NLMSG_ALIGN(nlh->nlmsg_len);
			nlh = (const struct nlmsghdr *)((const char *)nlh +
							NLMSG_ALIGN(nlh->nlmsg_len));
		}
	}
}

static int open_fd(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	int one = 1, fd;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		perror("nlfuzz: netlink socket");
		exit(2);
	}
	setsockopt(fd, SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
	return fd;
}

/* Join or leave the events group, or a group that is not there. */
static void membership(int fd)
{
	uint32_t group = below(3) ? events_group : rnd() % 4096;
	int opt = below(2) ? NETLINK_ADD_MEMBERSHIP : NETLINK_DROP_MEMBERSHIP;

	st.joins++;
	if (setsockopt(fd, SOL_NETLINK, opt, &group, sizeof(group)) < 0)
		st.join_errors++;
}

static void usage(void)
{
	fprintf(stderr, "usage: nlfuzz [--count N] [--seed S] [--no-flush] [--unpriv]\n");
	exit(2);
}

int main(int argc, char **argv)
{
	static char buf[MSG_MAX + 64];
	unsigned long count = 10000, seed = 1, i;
	struct sockaddr_nl to = { .nl_family = AF_NETLINK };
	int fds[2], a, fd;
	uint32_t seq = 0;
	char *end;

	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--count") && a + 1 < argc) {
			count = strtoul(argv[++a], &end, 0);
			if (*end || !count)
				usage();
		} else if (!strcmp(argv[a], "--seed") && a + 1 < argc) {
			seed = strtoul(argv[++a], &end, 0);
			if (*end)
				usage();
		} else if (!strcmp(argv[a], "--no-flush")) {
			no_flush = true;
		} else if (!strcmp(argv[a], "--unpriv")) {
			unpriv = true;
		} else {
			usage();
		}
	}
	if (no_flush && unpriv)
		usage();
	rng_state = seed * 0x9E3779B97F4A7C15ULL + 1;
	resolve();
	fds[0] = open_fd();
	fds[1] = open_fd();	/* this one is in and out of the events group */
	check_alive();

	for (i = 0; i < count; i++) {
		uint8_t cmd;
		bool ours;
		size_t len;
		ssize_t n;

		fd = fds[below(2)];
		if (fd == fds[1] && below(20) == 0)
			membership(fd);
		len = build(buf, ++seq, &cmd, &ours);
		asked[seq % SEQ_SLOTS].seq = seq;
		asked[seq % SEQ_SLOTS].cmd = cmd;
		asked[seq % SEQ_SLOTS].ours = ours;
		to.nl_groups = 0;
		if (below(25) == 0) {
			/* To the events group: only the kernel may send there. */
			to.nl_groups = events_group < 32 ? 1U << (events_group - 1) : ~0U;
			st.group_sends++;
		}
		n = sendto(fd, buf, len, 0, (struct sockaddr *)&to, sizeof(to));
		st.sent++;
		if (n < 0) {
			st.send_errors++;
			if (errno != EPERM && errno != EINVAL && errno != ENOBUFS &&
			    errno != ECONNREFUSED && errno != EAGAIN && errno != EBUSY &&
			    errno != EOPNOTSUPP && errno != EMSGSIZE)
				fail("%s: sendto failed with errno %ld", "send", (long)errno);
		}
		drain(fds[0]);
		drain(fds[1]);
		if (!((i + 1) % CHECK_EVERY))
			check_alive();
	}
	usleep(100000);
	drain(fds[0]);
	drain(fds[1]);
	check_alive();

	printf("nlfuzz: sent %lu (send errors %lu, %lu to the events group), replies: "
	       "%lu errors (EINVAL %lu, EPERM %lu, EOPNOTSUPP %lu, EBUSY %lu, other %lu), "
	       "%lu acks, %lu dump ends, %lu data, %lu events; %lu joins (%lu refused); "
	       "%lu liveness checks; %d failures\n",
	       st.sent, st.send_errors, st.group_sends, st.errors, st.err_by[EINVAL],
	       st.err_by[EPERM], st.err_by[EOPNOTSUPP], st.err_by[EBUSY],
	       st.errors - st.err_by[EINVAL] - st.err_by[EPERM] - st.err_by[EOPNOTSUPP] -
	       st.err_by[EBUSY], st.acks, st.dones, st.data, st.events, st.joins,
	       st.join_errors, st.checks, failures);
	close(fds[0]);
	close(fds[1]);
	return failures ? 1 : 0;
}
