/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcphs: generic netlink plumbing on top of libmnl.
 */
#ifndef _TCPHS_NL_H
#define _TCPHS_NL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <libmnl/libmnl.h>

/* Room for a dump's messages (the kernel fills up to 32 KiB per read). */
#define NL_RECV_BUF	65536
#define NL_EXTACK_LEN	256

/* nl_dump() saw NLM_F_DUMP_INTR: what was received may be inconsistent. */
#define NL_DUMP_INTR	1

struct nl {
	struct mnl_socket *sock;
	unsigned int portid;
	unsigned int seq;
	uint16_t family_id;		/* of "tcphs" */
	uint32_t events_group;		/* its "events" group, 0 if none */
	uint8_t family_version;
	char extack[NL_EXTACK_LEN];	/* message of the last error, or "" */
	char *buf;			/* NL_RECV_BUF bytes */
};

int nl_open(struct nl *nl);
void nl_close(struct nl *nl);
int nl_resolve(struct nl *nl, const char *name, uint16_t *id,
	       const char *group, uint32_t *group_id, uint8_t *version);
int nl_open_tcphs(struct nl *nl);
int nl_join(struct nl *nl, uint32_t group);
int nl_set_rcvbuf(struct nl *nl, int bytes, int *actual);
void nl_broadcast_error(struct nl *nl);
struct nlmsghdr *nl_msg(struct nl *nl, void *buf, uint16_t type, uint8_t cmd,
			uint8_t version, uint16_t flags);
int nl_request(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
int nl_dump(struct nl *nl, struct nlmsghdr *req, mnl_cb_t cb, void *data);
int nl_fd(const struct nl *nl);
size_t nl_wellformed(const void *buf, size_t len);

#endif /* _TCPHS_NL_H */
