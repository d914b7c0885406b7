// SPDX-License-Identifier: GPL-2.0
/*
 * genlfamily: ask the generic netlink controller for a family by name, as
 * any user may, for the tcphs tests.
 *
 *   genlfamily NAME
 *	Prints "NAME id N groups G" and exits 0 if the family is registered,
 *	prints "NAME absent" and exits 1 if the controller says ENOENT, exits
 *	2 on any other error. Asking is what makes the kernel request the
 *	module aliased "net-pf-16-proto-16-family-NAME", if there is one.
 */
#include <errno.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUF	8192

static int count_groups(const struct nlattr *nest)
{
	const struct nlattr *a = (const void *)((const char *)nest + NLA_HDRLEN);
	int left = nest->nla_len - NLA_HDRLEN, n = 0;

	while (left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= left) {
		n++;
		left -= NLA_ALIGN(a->nla_len);
		a = (const void *)((const char *)a + NLA_ALIGN(a->nla_len));
	}
	return n;
}

int main(int argc, char **argv)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	union {
		char buf[BUF];
		struct nlmsghdr nlh;
	} req = { 0 }, ans;
	struct genlmsghdr *g;
	struct nlattr *a;
	size_t nlen;
	ssize_t n;
	int fd, left, id = -1, groups = 0;

	if (argc != 2 || !argv[1][0] || strlen(argv[1]) >= GENL_NAMSIZ) {
		fprintf(stderr, "usage: genlfamily NAME (1 to %d characters)\n", GENL_NAMSIZ - 1);
		return 2;
	}
	nlen = strlen(argv[1]) + 1;
	req.nlh.nlmsg_type = GENL_ID_CTRL;
	req.nlh.nlmsg_flags = NLM_F_REQUEST;
	req.nlh.nlmsg_seq = 1;
	g = NLMSG_DATA(&req.nlh);
	g->cmd = CTRL_CMD_GETFAMILY;
	g->version = 1;
	a = (struct nlattr *)((char *)g + GENL_HDRLEN);
	a->nla_type = CTRL_ATTR_FAMILY_NAME;
	a->nla_len = NLA_HDRLEN + nlen;
	memcpy((char *)a + NLA_HDRLEN, argv[1], nlen);
	req.nlh.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN) + NLA_ALIGN(a->nla_len);

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_GENERIC);
	if (fd < 0) {
		perror("genlfamily: socket");
		return 2;
	}
	if (sendto(fd, &req, req.nlh.nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof(kernel)) < 0) {
		perror("genlfamily: sendto");
		return 2;
	}
	n = recv(fd, &ans, sizeof(ans), 0);
	if (n < 0) {
		perror("genlfamily: recv");
		return 2;
	}
	if (!NLMSG_OK(&ans.nlh, (size_t)n)) {
		fprintf(stderr, "genlfamily: short answer\n");
		return 2;
	}
	if (ans.nlh.nlmsg_type == NLMSG_ERROR) {
		const struct nlmsgerr *e = NLMSG_DATA(&ans.nlh);

		if (e->error == -ENOENT) {
			printf("%s absent\n", argv[1]);
			return 1;
		}
		fprintf(stderr, "genlfamily: %s\n", strerror(-e->error));
		return 2;
	}
	if (ans.nlh.nlmsg_type != GENL_ID_CTRL) {
		fprintf(stderr, "genlfamily: unexpected message type %u\n", ans.nlh.nlmsg_type);
		return 2;
	}
	left = ans.nlh.nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	a = (struct nlattr *)((char *)NLMSG_DATA(&ans.nlh) + GENL_HDRLEN);
	while (left >= NLA_HDRLEN && a->nla_len >= NLA_HDRLEN && a->nla_len <= left) {
		if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_FAMILY_ID &&
		    a->nla_len >= NLA_HDRLEN + sizeof(uint16_t))
			id = *(uint16_t *)((char *)a + NLA_HDRLEN);
		else if ((a->nla_type & NLA_TYPE_MASK) == CTRL_ATTR_MCAST_GROUPS)
			groups = count_groups(a);
		left -= NLA_ALIGN(a->nla_len);
		a = (struct nlattr *)((char *)a + NLA_ALIGN(a->nla_len));
	}
	if (id < 0) {
		fprintf(stderr, "genlfamily: no family id in the answer\n");
		return 2;
	}
	printf("%s id %d groups %d\n", argv[1], id, groups);
	close(fd);
	return 0;
}
