// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs list: dump the flow table.
 *
 * The filters the kernel's dump knows (a family, one address, one port,
 * one state) go to it as TCPHS_A_FILTER_* attributes; all are checked
 * here, so the output is right whatever the module does with
 * them. The whole dump is read before anything is printed: should the
 * kernel say it was inconsistent (NLM_F_DUMP_INTR, which tcphs's own dumps
 * never are), it is thrown away and asked for again.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libmnl/libmnl.h>

#include "nl.h"
#include "output.h"
#include "tcphs.h"

#define DUMP_TRIES	10

struct flows {
	struct tcphs_flow *v;
	size_t n, alloc;
	const struct tcphs_filter *filter;
	unsigned long malformed;
	bool nomem;
};

static int flow_cb(const struct nlmsghdr *nlh, void *data)
{
	struct flows *fl = data;
	struct tcphs_flow f, *v;
	char err[128];

	if (tcphs_flow_parse(nlh, &f, err, sizeof(err)) < 0) {
		if (!fl->malformed++)
			fprintf(stderr, "tcphs: skipping a malformed flow: %s\n", err);
		return MNL_CB_OK;
	}
	if (!tcphs_filter_match(fl->filter, &f))
		return MNL_CB_OK;
	if (fl->n == fl->alloc) {
		size_t alloc = fl->alloc ? fl->alloc * 2 : 256;

		v = realloc(fl->v, alloc * sizeof(*v));
		if (!v) {
			fl->nomem = true;
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		fl->v = v;
		fl->alloc = alloc;
	}
	fl->v[fl->n++] = f;
	return MNL_CB_OK;
}

static struct nlmsghdr *dump_request(struct nl *nl, void *buf,
				     const struct tcphs_filter *flt)
{
	struct nlmsghdr *nlh;
	const struct tcphs_cidr *c;
	uint16_t port;
	uint8_t state;

	nlh = nl_msg(nl, buf, nl->family_id, TCPHS_CMD_GET_FLOW, TCPHS_GENL_VERSION, 0);
	if (flt->family)
		mnl_attr_put_u8(nlh, TCPHS_A_FILTER_FAMILY, flt->family);
	if (tcphs_filter_single_addr(flt, &c))
		mnl_attr_put(nlh, TCPHS_A_FILTER_ADDR, tcphs_addr_len(c->family), c->addr.b);
	if (tcphs_filter_single_port(flt, &port))
		mnl_attr_put_u16(nlh, TCPHS_A_FILTER_PORT, port);
	if (tcphs_filter_single_state(flt, &state))
		mnl_attr_put_u8(nlh, TCPHS_A_FILTER_STATE, state);
	return nlh;
}

/**
 * run_list - tcphs list: print the flows, a header line then one per flow
 * @o: options: @o->json, @o->filter
 */
int run_list(const struct tcphs_opts *o)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct flows fl = { .filter = &o->filter };
	struct nlmsghdr *nlh;
	struct nl nl;
	size_t i;
	int ret, tries = 0;

	ret = tcphs_open(&nl);
	if (ret)
		return ret;
	for (;;) {
		fl.n = 0;
		fl.malformed = 0;
		nlh = dump_request(&nl, buf, &o->filter);
		ret = nl_dump(&nl, nlh, flow_cb, &fl);
		if (ret != NL_DUMP_INTR)
			break;
		if (++tries == DUMP_TRIES) {
			fprintf(stderr, "tcphs: the flow table kept changing while it was "
				"read (%d inconsistent dumps); giving up\n", tries);
			ret = EXIT_ERROR;
			goto out;
		}
		fputs("tcphs: the dump was inconsistent (flows changed while it was "
		      "read); retrying\n", stderr);
	}
	if (ret) {
		ret = tcphs_nl_fail(&nl, ret, "listing flows",
				    "listing flows needs CAP_NET_ADMIN");
		goto out;
	}
	if (fl.malformed > 1)
		fprintf(stderr, "tcphs: skipped %lu malformed flows\n", fl.malformed);

	if (o->json) {
		for (i = 0; i < fl.n; i++)
			tcphs_print_flow_json(stdout, &fl.v[i]);
	} else {
		struct tcphs_table t = o->table;
		struct timespec ts;

		/* The module's times are CLOCK_MONOTONIC's, as this one. */
		if (!clock_gettime(CLOCK_MONOTONIC, &ts)) {
			t.has_now = true;
			t.now_ns = (uint64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
		}
		tcphs_table_print(stdout, &t, fl.v, fl.n);
	}
	ret = EXIT_OK;
out:
	free(fl.v);
	nl_close(&nl);
	return ret;
}
