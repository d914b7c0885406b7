/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcphs: one flow or one event, as parsed from a generic netlink message.
 */
#ifndef _TCPHS_FLOW_H
#define _TCPHS_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <linux/netlink.h>
#include <linux/tcphs.h>

/* TCP flag bits, as in byte 13 of the TCP header and TCPHS_A_TCP_FLAGS. */
#define TCPHS_F_FIN	0x01
#define TCPHS_F_SYN	0x02
#define TCPHS_F_RST	0x04
#define TCPHS_F_PSH	0x08
#define TCPHS_F_ACK	0x10
#define TCPHS_F_URG	0x20
#define TCPHS_F_ECE	0x40
#define TCPHS_F_CWR	0x80

union tcphs_addr {
	uint8_t b[16];
	uint32_t v4;			/* network byte order */
};

/*
 * Everything a flow or event message may carry. A value is meaningful only
 * when its attribute was present: see tcphs_has(). A missing attribute means
 * the kernel does not know the value (yet).
 */
struct tcphs_flow {
	uint64_t present;		/* bit (1 << TCPHS_A_x) per attribute */

	uint64_t flow_id;
	uint32_t netns;
	uint8_t family;			/* AF_INET or AF_INET6 */
	union tcphs_addr saddr, daddr;	/* originator's view */
	uint16_t sport, dport;		/* host byte order */
	uint8_t state, old_state;	/* enum tcphs_state */
	uint8_t conn_state;		/* enum tcphs_conn_state */
	uint8_t opener;			/* enum tcphs_opener */
	uint8_t closer;			/* enum tcphs_dir */
	uint8_t end;			/* enum tcphs_end */
	char history[TCPHS_HISTORY_LEN];
	uint32_t isn_orig, isn_reply;
	uint64_t ts_syn, ts_synack, ts_established;
	uint64_t ts_fin1, ts_fin2, ts_end;
	uint64_t lat_syn_synack, lat_synack_ack;
	uint32_t rtx_syn, rtx_synack, rtx_fin;
	/* Past a translation on this host (the server's view), if any. */
	union tcphs_addr nat_saddr, nat_daddr;
	uint16_t nat_sport, nat_dport;
	uint32_t timeout;		/* dumps: seconds before it times out */
	uint8_t outcome;		/* enum tcphs_outcome, once finished */
	uint8_t stage;			/* enum tcphs_stage */
	/* The local socket the flow belongs to, if any (OWNER_SIDE present). */
	uint8_t owner_side;		/* enum tcphs_dir */
	uint32_t owner_uid, owner_pid;
	char owner_comm[16];
	uint64_t owner_cgroup, owner_cookie;

	/* Events only. */
	uint8_t event;			/* enum tcphs_event */
	uint8_t dir;			/* enum tcphs_dir */
	uint8_t tcp_flags;		/* TCPHS_F_* */
	uint64_t event_seq;
	uint32_t seq, ack;		/* as on the wire */
	uint64_t ts_ns;			/* CLOCK_MONOTONIC */
};

static inline bool tcphs_has(const struct tcphs_flow *f, unsigned int type)
{
	return type < 64 && (f->present >> type) & 1;
}

int tcphs_flow_parse(const struct nlmsghdr *nlh, struct tcphs_flow *f,
		     char *err, size_t errlen);
size_t tcphs_addr_len(int family);
bool tcphs_flow_first_ts(const struct tcphs_flow *f, uint64_t *ts);

#endif /* _TCPHS_FLOW_H */
