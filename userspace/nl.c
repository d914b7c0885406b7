// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: generic netlink plumbing.
 *
 * One NETLINK_GENERIC socket with extended acks enabled: the family and its
 * multicast group are resolved through the controller (CTRL_CMD_GETFAMILY),
 * requests are acked, and an error's extended-ack message is kept in
 * nl->extack for the caller to print. Functions return 0 or a negative
 * errno.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/tcphs.h>

#include "nl.h"

#ifndef SOL_NETLINK
#define SOL_NETLINK 270
#endif

int nl_open(struct nl *nl)
{
	int one = 1, err;

	memset(nl, 0, sizeof(*nl));
	nl->buf = malloc(NL_RECV_BUF);
	if (!nl->buf)
		return -ENOMEM;
	nl->sock = mnl_socket_open(NETLINK_GENERIC);
	if (!nl->sock)
		goto fail;
	if (mnl_socket_bind(nl->sock, 0, MNL_SOCKET_AUTOPID) < 0)
		goto fail;
	nl->portid = mnl_socket_get_portid(nl->sock);
	nl->seq = time(NULL);

	/* Both are best effort: older kernels just say less. */
	mnl_socket_setsockopt(nl->sock, NETLINK_EXT_ACK, &one, sizeof(one));
	mnl_socket_setsockopt(nl->sock, NETLINK_CAP_ACK, &one, sizeof(one));
	return 0;

fail:
	err = -errno;
	nl_close(nl);
	return err;
}

void nl_close(struct nl *nl)
{
	if (nl->sock)
		mnl_socket_close(nl->sock);
	free(nl->buf);
	nl->sock = NULL;
	nl->buf = NULL;
}

int nl_fd(const struct nl *nl)
{
	return mnl_socket_get_fd(nl->sock);
}

/**
 * nl_msg - start a generic netlink request
 * @nl: the socket
 * @buf: MNL_SOCKET_BUFFER_SIZE bytes for the message
 * @type: the family id
 * @cmd: the family's command
 * @version: the family's version
 * @flags: NLM_F_* beyond NLM_F_REQUEST
 */
struct nlmsghdr *nl_msg(struct nl *nl, void *buf, uint16_t type, uint8_t cmd,
			uint8_t version, uint16_t flags)
{
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;

	/* libmnl leaves attribute padding as it finds it. */
	memset(buf, 0, MNL_SOCKET_BUFFER_SIZE);
	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = type;
	nlh->nlmsg_flags = NLM_F_REQUEST | flags;
	nlh->nlmsg_seq = ++nl->seq;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = cmd;
	genl->version = version;
	return nlh;
}

/* One request in flight: the user's callback and where errors go. */
struct req {
	struct nl *nl;
	mnl_cb_t cb;
	void *data;
};

struct extack {
	const char *msg;
	bool has_miss;
	uint32_t miss_type;
};

static int extack_attr(const struct nlattr *attr, void *data)
{
	struct extack *ea = data;

	switch (mnl_attr_get_type(attr)) {
	case NLMSGERR_ATTR_MSG:
		if (mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
			ea->msg = mnl_attr_get_str(attr);
		break;
	case NLMSGERR_ATTR_MISS_TYPE:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0) {
			ea->miss_type = mnl_attr_get_u32(attr);
			ea->has_miss = true;
		}
		break;
	}
	return MNL_CB_OK;
}

/* Keep the extended ack of an error or done message, found at @offset. */
static void extack_parse(struct nl *nl, const struct nlmsghdr *nlh, size_t offset)
{
	struct extack ea = { 0 };
	size_t n;

	if (!(nlh->nlmsg_flags & NLM_F_ACK_TLVS) ||
	    offset > mnl_nlmsg_get_payload_len(nlh))
		return;
	mnl_attr_parse(nlh, offset, extack_attr, &ea);
	if (ea.msg)
		snprintf(nl->extack, sizeof(nl->extack), "%s", ea.msg);
	if (ea.has_miss) {
		n = strlen(nl->extack);
		snprintf(nl->extack + n, sizeof(nl->extack) - n,
			 "%smissing attribute %u", n ? ", " : "", ea.miss_type);
	}
}

static int cb_error(const struct nlmsghdr *nlh, void *data)
{
	struct req *r = data;
	const struct nlmsgerr *err = mnl_nlmsg_get_payload(nlh);
	size_t offset = sizeof(*err);

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(*err))) {
		errno = EBADMSG;
		return MNL_CB_ERROR;
	}
	/* The request comes back after the error unless it was capped. */
	if (!(nlh->nlmsg_flags & NLM_F_CAPPED) && err->msg.nlmsg_len >= sizeof(err->msg))
		offset += err->msg.nlmsg_len - sizeof(err->msg);
	extack_parse(r->nl, nlh, offset);
	if (!err->error)
		return MNL_CB_STOP;
	errno = err->error < 0 ? -err->error : err->error;
	return MNL_CB_ERROR;
}

static int cb_done(const struct nlmsghdr *nlh, void *data)
{
	struct req *r = data;
	int error;

	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(error)))
		return MNL_CB_STOP;
	memcpy(&error, mnl_nlmsg_get_payload(nlh), sizeof(error));
	extack_parse(r->nl, nlh, sizeof(error));
	if (error < 0) {
		errno = -error;
		return MNL_CB_ERROR;
	}
	return MNL_CB_STOP;
}

static int cb_data(const struct nlmsghdr *nlh, void *data)
{
	struct req *r = data;

	return r->cb ? r->cb(nlh, r->data) : MNL_CB_OK;
}

static mnl_cb_t ctl_cbs[NLMSG_MIN_TYPE] = {
	[NLMSG_ERROR]	= cb_error,
	[NLMSG_DONE]	= cb_done,
};

static int send_req(struct nl *nl, struct nlmsghdr *req)
{
	nl->extack[0] = '\0';
	if (mnl_socket_sendto(nl->sock, req, req->nlmsg_len) < 0)
		return -errno;
	return 0;
}

/**
 * nl_wellformed - the length of the well-formed messages a buffer starts with
 * @buf: what one recv() returned
 * @len: its length
 *
 * libmnl compares message lengths as int, so a message that claims 2 GiB
 * or more walks it off the buffer. The kernel never sends one, but a process
 * with CAP_NET_ADMIN can put any bytes in our socket (by sending to the
 * events group or to our port); whatever follows the first message that
 * does not fit is dropped.
 *
 * Return: the bytes to hand to libmnl, at most @len.
 */
size_t nl_wellformed(const void *buf, size_t len)
{
	const struct nlmsghdr *nlh;
	size_t off = 0;

	while (len - off >= sizeof(*nlh)) {
		nlh = (const struct nlmsghdr *)((const char *)buf + off);
		if (nlh->nlmsg_len < sizeof(*nlh) || nlh->nlmsg_len > len - off)
			break;
		if (NLMSG_ALIGN(nlh->nlmsg_len) >= len - off)
			return len;
		off += NLMSG_ALIGN(nlh->nlmsg_len);
	}
	return off;
}

/* One batch of replies; a malformed one is an error. */
static int recv_some(struct nl *nl)
{
	int n;

	do
		n = mnl_socket_recvfrom(nl->sock, nl->buf, NL_RECV_BUF);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (nl_wellformed(nl->buf, n) != (size_t)n)
		return -EBADMSG;
	return n;
}

/**
 * nl_request - send a request and take its replies until the ack
 * @nl: the socket
 * @req: the request, from nl_msg(); NLM_F_ACK is added
 * @cb: called for each reply message, may be NULL
 * @data: for @cb
 *
 * Return: 0, or a negative errno with nl->extack saying more if it can.
 */
int nl_request(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	struct req r = { .nl = nl, .cb = cb, .data = data };
	int n, ret;

	req->nlmsg_flags |= NLM_F_ACK;
	ret = send_req(nl, req);
	if (ret)
		return ret;
	for (;;) {
		n = recv_some(nl);
		if (n < 0)
			return n;
		errno = 0;
		ret = mnl_cb_run2(nl->buf, n, req->nlmsg_seq, nl->portid, cb_data,
				  &r, ctl_cbs, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

/* Scan a batch: was the dump interrupted, and is this its last batch? */
static void scan_batch(const void *buf, int len, unsigned int seq, bool *intr,
		       bool *done)
{
	const struct nlmsghdr *nlh = buf;

	while (mnl_nlmsg_ok(nlh, len)) {
		if (nlh->nlmsg_seq == seq) {
			if (nlh->nlmsg_flags & NLM_F_DUMP_INTR)
				*intr = true;
			if (nlh->nlmsg_type == NLMSG_DONE ||
			    nlh->nlmsg_type == NLMSG_ERROR)
				*done = true;
		}
		nlh = mnl_nlmsg_next(nlh, &len);
	}
}

/**
 * nl_dump - send a dump request and take every message of the dump
 * @nl: the socket
 * @req: the request, from nl_msg(); NLM_F_DUMP is added
 * @cb: called for each message
 * @data: for @cb
 *
 * When the kernel marks the dump inconsistent (NLM_F_DUMP_INTR: the table
 * changed while it was dumped) the rest of the dump is read and dropped and
 * NL_DUMP_INTR is returned: the caller forgets what @cb collected and asks
 * again.
 *
 * Return: 0, NL_DUMP_INTR, or a negative errno (see nl->extack).
 */
int nl_dump(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data)
{
	struct req r = { .nl = nl, .cb = cb, .data = data };
	bool intr = false, done = false;
	int n, ret;

	req->nlmsg_flags |= NLM_F_DUMP;
	ret = send_req(nl, req);
	if (ret)
		return ret;
	for (;;) {
		n = recv_some(nl);
		if (n < 0)
			return n;
		scan_batch(nl->buf, n, req->nlmsg_seq, &intr, &done);
		if (intr) {
			if (done)
				return NL_DUMP_INTR;
			continue;
		}
		errno = 0;
		ret = mnl_cb_run2(nl->buf, n, req->nlmsg_seq, nl->portid, cb_data,
				  &r, ctl_cbs, NLMSG_MIN_TYPE);
		if (ret == MNL_CB_ERROR)
			return errno ? -errno : -EIO;
		if (ret == MNL_CB_STOP)
			return 0;
	}
}

struct family_info {
	const char *group;
	uint16_t id;
	uint32_t group_id;
	uint8_t version;
};

static int group_attr(const struct nlattr *attr, void *data)
{
	const struct nlattr **tb = data;
	uint16_t type = mnl_attr_get_type(attr);

	if (type == CTRL_ATTR_MCAST_GRP_NAME &&
	    mnl_attr_validate(attr, MNL_TYPE_NUL_STRING) == 0)
		tb[type] = attr;
	else if (type == CTRL_ATTR_MCAST_GRP_ID &&
		 mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		tb[type] = attr;
	return MNL_CB_OK;
}

static void find_group(const struct nlattr *groups, struct family_info *fi)
{
	const struct nlattr *grp;

	mnl_attr_for_each_nested(grp, groups) {
		const struct nlattr *tb[CTRL_ATTR_MCAST_GRP_MAX + 1] = { NULL };

		if (mnl_attr_parse_nested(grp, group_attr, tb) < 0)
			continue;
		if (tb[CTRL_ATTR_MCAST_GRP_NAME] && tb[CTRL_ATTR_MCAST_GRP_ID] &&
		    !strcmp(mnl_attr_get_str(tb[CTRL_ATTR_MCAST_GRP_NAME]), fi->group))
			fi->group_id = mnl_attr_get_u32(tb[CTRL_ATTR_MCAST_GRP_ID]);
	}
}

static int family_attr(const struct nlattr *attr, void *data)
{
	struct family_info *fi = data;

	switch (mnl_attr_get_type(attr)) {
	case CTRL_ATTR_FAMILY_ID:
		if (mnl_attr_validate(attr, MNL_TYPE_U16) == 0)
			fi->id = mnl_attr_get_u16(attr);
		break;
	case CTRL_ATTR_VERSION:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
			fi->version = mnl_attr_get_u32(attr);
		break;
	case CTRL_ATTR_MCAST_GROUPS:
		if (fi->group && mnl_attr_validate(attr, MNL_TYPE_NESTED) == 0)
			find_group(attr, fi);
		break;
	}
	return MNL_CB_OK;
}

static int family_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), family_attr, data) < 0)
		return MNL_CB_ERROR;
	return MNL_CB_OK;
}

/**
 * nl_resolve - look up a generic netlink family and one of its groups
 * @nl: the socket
 * @name: the family's name
 * @id: gets the family's id
 * @group: the multicast group's name, or NULL
 * @group_id: gets the group's id, 0 if the family has no such group
 * @version: gets the family's version, may be NULL
 *
 * Return: 0, -ENOENT if there is no such family, or another negative errno.
 */
int nl_resolve(struct nl *nl, const char *name, uint16_t *id,
	       const char *group, uint32_t *group_id, uint8_t *version)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct family_info fi = { .group = group };
	struct nlmsghdr *nlh;
	int ret;

	nlh = nl_msg(nl, buf, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, 1, 0);
	mnl_attr_put_strz(nlh, CTRL_ATTR_FAMILY_NAME, name);
	ret = nl_request(nl, nlh, family_cb, &fi);
	if (ret)
		return ret;
	if (!fi.id)
		return -ENOENT;
	*id = fi.id;
	if (group_id)
		*group_id = fi.group_id;
	if (version)
		*version = fi.version;
	return 0;
}

/**
 * nl_open_tcphs - open a socket and resolve the tcphs family
 * @nl: the socket to set up
 *
 * Return: 0, -ENOENT when the module is not loaded, or a negative errno.
 */
int nl_open_tcphs(struct nl *nl)
{
	int ret = nl_open(nl);

	if (ret)
		return ret;
	return nl_resolve(nl, TCPHS_GENL_NAME, &nl->family_id, TCPHS_MCGRP_EVENTS,
			  &nl->events_group, &nl->family_version);
}

int nl_join(struct nl *nl, uint32_t group)
{
	if (mnl_socket_setsockopt(nl->sock, NETLINK_ADD_MEMBERSHIP, &group,
				  sizeof(group)) < 0)
		return -errno;
	return 0;
}

/**
 * nl_set_rcvbuf - size the socket's receive buffer
 * @nl: the socket
 * @bytes: the size wanted
 * @actual: gets the size the kernel reports (twice what was set, for its
 *	bookkeeping), may be NULL
 *
 * SO_RCVBUFFORCE goes past net.core.rmem_max but needs CAP_NET_ADMIN;
 * without it SO_RCVBUF is used, which the kernel caps at rmem_max.
 */
int nl_set_rcvbuf(struct nl *nl, int bytes, int *actual)
{
	int fd = nl_fd(nl);
	socklen_t len = sizeof(*actual);

	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &bytes, sizeof(bytes)) < 0 &&
	    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &bytes, sizeof(bytes)) < 0)
		return -errno;
	if (actual && getsockopt(fd, SOL_SOCKET, SO_RCVBUF, actual, &len) < 0)
		*actual = 0;
	return 0;
}

/**
 * nl_broadcast_error - ask the kernel to say when it could not deliver
 * @nl: the socket
 *
 * With NETLINK_BROADCAST_ERROR a multicast that overruns this socket is
 * reported to the sender, which for tcphs means it is counted in the
 * namespace's event_drop. Best effort.
 */
void nl_broadcast_error(struct nl *nl)
{
	int one = 1;

	setsockopt(nl_fd(nl), SOL_NETLINK, NETLINK_BROADCAST_ERROR, &one, sizeof(one));
}
