// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: parse a flow or event message into a struct tcphs_flow.
 *
 * Every attribute is checked against the length its type needs; a message
 * with a malformed attribute is rejected as a whole. Attribute types this
 * program does not know (from a newer module) are skipped.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "flow.h"

_Static_assert(__TCPHS_A_MAX <= 64, "tcphs_flow.present has 64 bits");

enum attr_kind {
	K_SKIP,		/* not in flow or event messages */
	K_U8,
	K_U16,
	K_U32,
	K_U64,
	K_UINT,		/* width not fixed by the header: 1, 2, 4 or 8 bytes */
	K_STRING,	/* NUL-terminated */
	K_ADDR,		/* 4 or 16 bytes */
};

/* Where each attribute goes in struct tcphs_flow. */
struct attr_desc {
	uint8_t kind;		/* enum attr_kind */
	uint8_t size;		/* of the field */
	uint16_t off;		/* of the field */
};

#define A(type, k, field)						\
	[TCPHS_A_##type] = {						\
		.kind = k,						\
		.size = sizeof(((struct tcphs_flow *)0)->field),	\
		.off = offsetof(struct tcphs_flow, field),		\
	}

static const struct attr_desc tcphs_attrs[__TCPHS_A_MAX] = {
	A(FLOW_ID,		K_U64,		flow_id),
	A(NETNS,		K_U32,		netns),
	A(FAMILY,		K_U8,		family),
	A(SADDR,		K_ADDR,		saddr),
	A(DADDR,		K_ADDR,		daddr),
	A(SPORT,		K_U16,		sport),
	A(DPORT,		K_U16,		dport),
	A(STATE,		K_U8,		state),
	A(OLD_STATE,		K_UINT,		old_state),
	A(CONN_STATE,		K_U8,		conn_state),
	A(HISTORY,		K_STRING,	history),
	A(OPENER,		K_U8,		opener),
	A(CLOSER,		K_U8,		closer),
	A(END,			K_U8,		end),
	A(ISN_ORIG,		K_U32,		isn_orig),
	A(ISN_REPLY,		K_U32,		isn_reply),
	A(TS_SYN,		K_U64,		ts_syn),
	A(TS_SYNACK,		K_U64,		ts_synack),
	A(TS_ESTABLISHED,	K_U64,		ts_established),
	A(TS_FIN1,		K_U64,		ts_fin1),
	A(TS_FIN2,		K_U64,		ts_fin2),
	A(TS_END,		K_U64,		ts_end),
	A(LAT_SYN_SYNACK,	K_U64,		lat_syn_synack),
	A(LAT_SYNACK_ACK,	K_U64,		lat_synack_ack),
	A(RTX_SYN,		K_U32,		rtx_syn),
	A(RTX_SYNACK,		K_U32,		rtx_synack),
	A(RTX_FIN,		K_U32,		rtx_fin),
	A(EVENT,		K_UINT,		event),
	A(EVENT_SEQ,		K_UINT,		event_seq),
	A(DIR,			K_UINT,		dir),
	A(TCP_FLAGS,		K_UINT,		tcp_flags),
	A(SEQ,			K_U32,		seq),
	A(ACK,			K_U32,		ack),
	A(TS_NS,		K_U64,		ts_ns),
	A(NAT_SADDR,		K_ADDR,		nat_saddr),
	A(NAT_DADDR,		K_ADDR,		nat_daddr),
	A(NAT_SPORT,		K_U16,		nat_sport),
	A(NAT_DPORT,		K_U16,		nat_dport),
	A(TIMEOUT,		K_U32,		timeout),
	A(OUTCOME,		K_U8,		outcome),
	A(STAGE,		K_U8,		stage),
	A(OWNER_SIDE,		K_U8,		owner_side),
	A(OWNER_UID,		K_U32,		owner_uid),
	A(OWNER_PID,		K_U32,		owner_pid),
	A(OWNER_COMM,		K_STRING,	owner_comm),
	A(OWNER_CGROUP,		K_U64,		owner_cgroup),
	A(OWNER_COOKIE,		K_U64,		owner_cookie),
};

#undef A

struct parse_ctx {
	struct tcphs_flow *f;
	uint16_t saddr_len, daddr_len, nat_len;
	char *err;
	size_t errlen;
};

size_t tcphs_addr_len(int family)
{
	switch (family) {
	case AF_INET:
		return 4;
	case AF_INET6:
		return 16;
	default:
		return 0;
	}
}

static uint64_t get_uint(const struct nlattr *attr)
{
	switch (mnl_attr_get_payload_len(attr)) {
	case 1:
		return mnl_attr_get_u8(attr);
	case 2:
		return mnl_attr_get_u16(attr);
	case 4:
		return mnl_attr_get_u32(attr);
	default:
		return mnl_attr_get_u64(attr);
	}
}

static bool attr_len_ok(unsigned int kind, const struct nlattr *attr)
{
	uint16_t len = mnl_attr_get_payload_len(attr);
	const char *s;

	switch (kind) {
	case K_U8:
		return len == 1;
	case K_U16:
		return len == 2;
	case K_U32:
		return len == 4;
	case K_U64:
		return len == 8;
	case K_UINT:
		return len == 1 || len == 2 || len == 4 || len == 8;
	case K_STRING:
		s = mnl_attr_get_payload(attr);
		return len >= 1 && s[len - 1] == '\0';
	case K_ADDR:
		return len == 4 || len == 16;
	default:
		return true;
	}
}

/* Store @v in a field of @size bytes, saturating if it does not fit. */
static void store_uint(void *field, unsigned int size, uint64_t v)
{
	uint64_t max = size >= 8 ? UINT64_MAX : (1ULL << (size * 8)) - 1;
	uint8_t u8;
	uint16_t u16;
	uint32_t u32;

	if (v > max)
		v = max;
	switch (size) {
	case 1:
		u8 = v;
		memcpy(field, &u8, 1);
		break;
	case 2:
		u16 = v;
		memcpy(field, &u16, 2);
		break;
	case 4:
		u32 = v;
		memcpy(field, &u32, 4);
		break;
	default:
		memcpy(field, &v, 8);
		break;
	}
}

static int parse_attr(const struct nlattr *attr, void *data)
{
	struct parse_ctx *ctx = data;
	char *base = (char *)ctx->f;
	uint16_t type = mnl_attr_get_type(attr);
	uint16_t len = mnl_attr_get_payload_len(attr);
	const struct attr_desc *d;

	if (type >= __TCPHS_A_MAX || tcphs_attrs[type].kind == K_SKIP)
		return MNL_CB_OK;
	d = &tcphs_attrs[type];
	if (!attr_len_ok(d->kind, attr)) {
		snprintf(ctx->err, ctx->errlen,
			 "attribute %u has a bad length (%u bytes)", type, len);
		errno = EINVAL;
		return MNL_CB_ERROR;
	}

	switch (d->kind) {
	case K_STRING:
		snprintf(base + d->off, d->size, "%s", mnl_attr_get_str(attr));
		break;
	case K_ADDR:
		memcpy(base + d->off, mnl_attr_get_payload(attr), len);
		if (type == TCPHS_A_SADDR)
			ctx->saddr_len = len;
		else if (type == TCPHS_A_DADDR)
			ctx->daddr_len = len;
		else if (ctx->nat_len && ctx->nat_len != len)
			ctx->nat_len = UINT16_MAX;	/* two lengths: refused below */
		else
			ctx->nat_len = len;
		break;
	default:
		store_uint(base + d->off, d->size, get_uint(attr));
		break;
	}
	ctx->f->present |= 1ULL << type;
	return MNL_CB_OK;
}

/**
 * tcphs_flow_parse - parse a flow (dump) or event (multicast) message
 * @nlh: the message, a generic netlink header then attributes
 * @f: filled in; fields whose attribute was missing are zero and not present
 * @err: on failure, why
 * @errlen: size of @err
 *
 * Return: 0, or -1 when the message is malformed.
 */
int tcphs_flow_parse(const struct nlmsghdr *nlh, struct tcphs_flow *f,
		     char *err, size_t errlen)
{
	struct parse_ctx ctx = { .f = f, .err = err, .errlen = errlen };
	size_t alen;

	memset(f, 0, sizeof(*f));
	if (errlen)
		err[0] = '\0';
	if (nlh->nlmsg_len < mnl_nlmsg_size(sizeof(struct genlmsghdr))) {
		snprintf(err, errlen, "message too short (%u bytes)", nlh->nlmsg_len);
		return -1;
	}
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), parse_attr, &ctx) < 0) {
		if (errlen && !err[0])
			snprintf(err, errlen, "malformed attributes");
		return -1;
	}

	if (tcphs_has(f, TCPHS_A_FAMILY)) {
		alen = tcphs_addr_len(f->family);
		if (!alen) {
			snprintf(err, errlen, "unknown address family %u", f->family);
			return -1;
		}
	} else if (ctx.saddr_len || ctx.daddr_len) {
		/* No family: the address length tells. */
		alen = ctx.saddr_len ? ctx.saddr_len : ctx.daddr_len;
		f->family = alen == 4 ? AF_INET : AF_INET6;
		f->present |= 1ULL << TCPHS_A_FAMILY;
	} else {
		return 0;
	}
	if ((ctx.saddr_len && ctx.saddr_len != alen) ||
	    (ctx.daddr_len && ctx.daddr_len != alen) ||
	    (ctx.nat_len && ctx.nat_len != alen)) {
		snprintf(err, errlen, "address length does not match family %u",
			 f->family);
		return -1;
	}
	return 0;
}

/**
 * tcphs_flow_first_ts - the first step time the flow or event carries
 * @f: the flow
 * @ts: gets it, CLOCK_MONOTONIC ns
 *
 * Return: false when it carries none.
 */
bool tcphs_flow_first_ts(const struct tcphs_flow *f, uint64_t *ts)
{
	static const unsigned int types[] = {
		TCPHS_A_TS_SYN, TCPHS_A_TS_SYNACK, TCPHS_A_TS_ESTABLISHED,
		TCPHS_A_TS_FIN1, TCPHS_A_TS_FIN2, TCPHS_A_TS_END,
	};
	const uint64_t vals[] = {
		f->ts_syn, f->ts_synack, f->ts_established, f->ts_fin1, f->ts_fin2, f->ts_end,
	};
	size_t i;

	for (i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		if (tcphs_has(f, types[i])) {
			*ts = vals[i];
			return true;
		}
	}
	return false;
}
