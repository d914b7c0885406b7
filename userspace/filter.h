/* SPDX-License-Identifier: GPL-2.0 */
/*
 * tcphs: what "tcphs events", "tcphs list" and "tcphs pcap" select, parsed
 * from the command line's filter options.
 */
#ifndef _TCPHS_FILTER_H
#define _TCPHS_FILTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "flow.h"

/* Values one filter option may hold, over all its repetitions. */
#define TCPHS_FILTER_MAX	32

struct tcphs_cidr {
	uint8_t family;			/* AF_INET, AF_INET6 */
	uint8_t len;			/* prefix length */
	union tcphs_addr addr;		/* host bits cleared */
};

/* Addresses: a flow matches if one prefix holds it (none, when negated). */
struct tcphs_addr_match {
	uint8_t n;
	bool neg;
	struct tcphs_cidr v[TCPHS_FILTER_MAX];
};

/* Ports: a flow matches if one range holds it (none, when negated). */
struct tcphs_port_match {
	uint8_t n;
	bool neg;
	struct { uint16_t lo, hi; } v[TCPHS_FILTER_MAX];
};

/* States and events: a bit per value. */
struct tcphs_mask_match {
	bool set;
	bool neg;
	uint32_t mask;
};

/* Numbers (pid, uid, cgroup): a flow matches if one range holds it. */
struct tcphs_num_match {
	uint8_t n;
	bool neg;
	struct { uint64_t lo, hi; } v[TCPHS_FILTER_MAX];
};

/* Commands: a flow matches if one pattern (fnmatch(3)) does. */
struct tcphs_comm_match {
	uint8_t n;
	bool neg;
	char v[TCPHS_FILTER_MAX][64];
};

/* A zero filter selects everything; the kinds of value combine with AND. */
struct tcphs_filter {
	int family;			/* AF_INET, AF_INET6, 0 for both */
	struct tcphs_addr_match addr;	/* either end */
	struct tcphs_addr_match saddr;	/* the originator's */
	struct tcphs_addr_match daddr;	/* the responder's */
	struct tcphs_port_match port;	/* either end */
	struct tcphs_port_match sport;	/* the originator's */
	struct tcphs_port_match dport;	/* the responder's */
	struct tcphs_mask_match states;	/* the (new) state */
	struct tcphs_mask_match events;
	struct tcphs_mask_match outcomes;
	struct tcphs_num_match pid;	/* the owner's */
	struct tcphs_num_match uid;
	struct tcphs_num_match cgroup;
	struct tcphs_comm_match comm;
};

enum tcphs_filter_key {
	TCPHS_FK_FAMILY,
	TCPHS_FK_ADDR,
	TCPHS_FK_SADDR,
	TCPHS_FK_DADDR,
	TCPHS_FK_PORT,
	TCPHS_FK_SPORT,
	TCPHS_FK_DPORT,
	TCPHS_FK_STATE,
	TCPHS_FK_EVENT,
	TCPHS_FK_OUTCOME,
	TCPHS_FK_PID,
	TCPHS_FK_UID,
	TCPHS_FK_CGROUP,
	TCPHS_FK_COMM,
};

int tcphs_filter_add(struct tcphs_filter *flt, enum tcphs_filter_key key,
		     const char *arg, char *err, size_t errlen);
int tcphs_filter_check(const struct tcphs_filter *flt, char *err, size_t errlen);
bool tcphs_filter_match(const struct tcphs_filter *flt,
			const struct tcphs_flow *f);

/* One value the kernel's dump can select by itself, or false. */
bool tcphs_filter_single_addr(const struct tcphs_filter *flt,
			      const struct tcphs_cidr **c);
bool tcphs_filter_single_port(const struct tcphs_filter *flt, uint16_t *port);
bool tcphs_filter_single_state(const struct tcphs_filter *flt, uint8_t *state);

#endif /* _TCPHS_FILTER_H */
