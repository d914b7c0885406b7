// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs stats, tcphs flush.
 *
 * TCPHS_A_STATS is a nest of u64 counters whose attribute types are the
 * enum tcphs_stat values plus one (type 0 cannot be used), so counter
 * TCPHS_STAT_x is attribute TCPHS_STAT_x + 1. Unknown counters (from a
 * newer module) are skipped.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <libmnl/libmnl.h>
#include <errno.h>
#include <linux/genetlink.h>
#include <tcphs_names.h>

#include "nl.h"
#include "output.h"
#include "tcphs.h"


static int stat_attr(const struct nlattr *attr, void *data)
{
	struct tcphs_counters *st = data;
	uint16_t type = mnl_attr_get_type(attr);

	/* Zero-length attributes are 64-bit alignment padding. */
	if (type < 1 || type > __TCPHS_STAT_MAX || !mnl_attr_get_payload_len(attr))
		return MNL_CB_OK;
	if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0) {
		st->bad = true;
		return MNL_CB_OK;
	}
	st->val[type - 1] = mnl_attr_get_u64(attr);
	st->has[type - 1] = true;
	return MNL_CB_OK;
}

static int stats_attr(const struct nlattr *attr, void *data)
{
	struct tcphs_counters *st = data;

	switch (mnl_attr_get_type(attr)) {
	case TCPHS_A_STATS:
		if (mnl_attr_validate(attr, MNL_TYPE_NESTED) < 0 ||
		    mnl_attr_parse_nested(attr, stat_attr, st) < 0)
			st->bad = true;
		break;
	case TCPHS_A_FLOW_COUNT:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) {
			st->bad = true;
			break;
		}
		st->flows = mnl_attr_get_u32(attr);
		st->has_flows = true;
		break;
	case TCPHS_A_NETNS:
		if (mnl_attr_validate(attr, MNL_TYPE_U32) < 0) {
			st->bad = true;
			break;
		}
		st->netns = mnl_attr_get_u32(attr);
		st->has_netns = true;
		break;
	case TCPHS_A_EVENT_SEQ:
		if (mnl_attr_validate(attr, MNL_TYPE_U64) < 0) {
			st->bad = true;
			break;
		}
		st->event_seq = mnl_attr_get_u64(attr);
		st->has_event_seq = true;
		break;
	}
	return MNL_CB_OK;
}

static int stats_cb(const struct nlmsghdr *nlh, void *data)
{
	if (mnl_attr_parse(nlh, sizeof(struct genlmsghdr), stats_attr, data) < 0)
		((struct tcphs_counters *)data)->bad = true;
	return MNL_CB_OK;
}

static void print_stats(const struct tcphs_counters *st)
{
	size_t i;

	for (i = 0; i < __TCPHS_STAT_MAX; i++)
		if (st->has[i])
			printf("%-12s %" PRIu64 "\n",
			       TCPHS_NAME(tcphs_stat_names, i), st->val[i]);
	if (st->has_flows)
		printf("%-12s %" PRIu32 "\n", "flows", st->flows);
	if (st->has_netns)
		printf("%-12s %" PRIu32 "\n", "netns", st->netns);
	if (st->has_event_seq)
		printf("%-12s %" PRIu64 "\n", "last_event", st->event_seq);
}

static void print_stats_json(const struct tcphs_counters *st)
{
	const char *sep = "{";
	size_t i;

	for (i = 0; i < __TCPHS_STAT_MAX; i++) {
		if (!st->has[i])
			continue;
		fputs(sep, stdout);
		tcphs_json_string(stdout, TCPHS_NAME(tcphs_stat_names, i));
		printf(":%" PRIu64, st->val[i]);
		sep = ",";
	}
	if (st->has_flows) {
		printf("%s\"flows\":%" PRIu32, sep, st->flows);
		sep = ",";
	}
	if (st->has_netns) {
		printf("%s\"netns\":%" PRIu32, sep, st->netns);
		sep = ",";
	}
	if (st->has_event_seq) {
		printf("%s\"last_event\":%" PRIu64, sep, st->event_seq);
		sep = ",";
	}
	puts(sep[0] == '{' ? "{}" : "}");
}

/**
 * tcphs_query_counters - the namespace's counters, quietly
 * @st: filled in
 *
 * Return: 0, -ENOENT when the module is not loaded, or another negative
 * errno or non-zero status; the caller decides what to say.
 */
int tcphs_query_counters(struct tcphs_counters *st)
{
	struct nl nl;
	int ret;

	ret = nl_open_tcphs(&nl);
	if (!ret)
		ret = tcphs_read_counters(&nl, st);
	nl_close(&nl);
	return ret;
}

/* The counters over @nl, open on the family; 0 or what nl_request() says. */
int tcphs_read_counters(struct nl *nl, struct tcphs_counters *st)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;

	nlh = nl_msg(nl, buf, nl->family_id, TCPHS_CMD_GET_STATS, TCPHS_GENL_VERSION, 0);
	return nl_request(nl, nlh, stats_cb, st);
}

/**
 * tcphs_last_event_seq - the sequence number of the namespace's last event
 * @seq: gets it
 *
 * Returns 0, -ENOENT when the module is not loaded, or another negative
 * errno (an older module says nothing of it). Quiet: the caller decides
 * what to say.
 */
int tcphs_last_event_seq(uint64_t *seq)
{
	struct tcphs_counters st = { 0 };
	int ret = tcphs_query_counters(&st);

	if (ret)
		return ret < 0 ? ret : -EIO;
	if (!st.has_event_seq)
		return -EOPNOTSUPP;
	*seq = st.event_seq;
	return 0;
}

/**
 * run_stats - tcphs stats: print the counters, "flows" and "netns"
 * @o: options; @o->json for one JSON object
 *
 * Text: one "NAME VALUE" line per counter, NAME from tcphs_stat_names
 * padded to 12 columns, then "flows" and "netns".
 */
int run_stats(const struct tcphs_opts *o)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct tcphs_counters st = { 0 };
	struct nlmsghdr *nlh;
	struct nl nl;
	int ret;

	ret = tcphs_open(&nl);
	if (ret)
		return ret;
	nlh = nl_msg(&nl, buf, nl.family_id, TCPHS_CMD_GET_STATS, TCPHS_GENL_VERSION, 0);
	ret = nl_request(&nl, nlh, stats_cb, &st);
	if (ret) {
		ret = tcphs_nl_fail(&nl, ret, "reading the counters",
				    "reading the counters");
		nl_close(&nl);
		return ret;
	}
	nl_close(&nl);
	if (st.bad)
		fputs("tcphs: warning: malformed attributes in the counters were skipped\n",
		      stderr);
	if (o->json)
		print_stats_json(&st);
	else
		print_stats(&st);
	return EXIT_OK;
}

static int flush_attr(const struct nlattr *attr, void *data)
{
	uint32_t *count = data;

	if (mnl_attr_get_type(attr) == TCPHS_A_FLOW_COUNT &&
	    mnl_attr_validate(attr, MNL_TYPE_U32) == 0)
		*count = mnl_attr_get_u32(attr);
	return MNL_CB_OK;
}

static int flush_cb(const struct nlmsghdr *nlh, void *data)
{
	mnl_attr_parse(nlh, sizeof(struct genlmsghdr), flush_attr, data);
	return MNL_CB_OK;
}

/**
 * run_flush - tcphs flush: remove every flow, print "flushed N flows"
 * @o: options (none apply)
 */
int run_flush(const struct tcphs_opts *o)
{
	char buf[MNL_SOCKET_BUFFER_SIZE];
	struct nlmsghdr *nlh;
	uint32_t count = 0;
	struct nl nl;
	int ret;

	(void)o;
	ret = tcphs_open(&nl);
	if (ret)
		return ret;
	nlh = nl_msg(&nl, buf, nl.family_id, TCPHS_CMD_FLUSH, TCPHS_GENL_VERSION, 0);
	ret = nl_request(&nl, nlh, flush_cb, &count);
	if (ret) {
		ret = tcphs_nl_fail(&nl, ret, "flush", "flush needs CAP_NET_ADMIN");
		nl_close(&nl);
		return ret;
	}
	nl_close(&nl);
	printf("flushed %" PRIu32 " flows\n", count);
	return EXIT_OK;
}
