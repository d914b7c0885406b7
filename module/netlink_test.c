// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_netlink": the flow attributes and the events, byte for
 * byte. The expected messages are written with an encoder of this file's
 * own; events are received the way the reader receives them, on a netlink
 * socket that joined the "events" group (of the family this module
 * registers).
 *
 * 64-bit attributes carry no padding attribute: this is x86_64, where
 * unaligned access is cheap and nla_put_u64_64bit() adds none.
 */

#include <kunit/test.h>
#include <linux/net.h>
#include <linux/netlink.h>
#include <linux/socket.h>

#include "test_env.h"
#include "netlink.c"

#define NL_BUF	2048

/* ------------------------------------------- the expected bytes, by hand -- */

struct nl_exp {
	u8 *buf;
	unsigned int len;
};

static void exp_put(struct nl_exp *e, u16 type, const void *data, u16 len)
{
	struct nlattr nla = { .nla_len = NLA_HDRLEN + len, .nla_type = type };

	memcpy(e->buf + e->len, &nla, sizeof(nla));
	memcpy(e->buf + e->len + NLA_HDRLEN, data, len);
	memset(e->buf + e->len + NLA_HDRLEN + len, 0, NLA_ALIGN(len) - len);
	e->len += NLA_HDRLEN + NLA_ALIGN(len);
}

static void exp_u8(struct nl_exp *e, u16 type, u8 v)
{
	exp_put(e, type, &v, sizeof(v));
}

static void exp_u16(struct nl_exp *e, u16 type, u16 v)
{
	exp_put(e, type, &v, sizeof(v));
}

static void exp_u32(struct nl_exp *e, u16 type, u32 v)
{
	exp_put(e, type, &v, sizeof(v));
}

static void exp_u64(struct nl_exp *e, u16 type, u64 v)
{
	exp_put(e, type, &v, sizeof(v));
}

/* The flow attributes, in the order and with the presence rules of tcphs.h. */
static void exp_flow(struct nl_exp *e, const struct net *net, const struct tcphs_flow_info *fi)
{
	const struct tcphs_tuple *t = &fi->tuple;
	unsigned int alen = t->family == AF_INET ? 4 : 16;
	int i;

	exp_u64(e, TCPHS_A_FLOW_ID, fi->id);
	exp_u32(e, TCPHS_A_NETNS, net->ns.inum);
	exp_u8(e, TCPHS_A_FAMILY, t->family);
	exp_put(e, TCPHS_A_SADDR, &t->src, alen);
	exp_put(e, TCPHS_A_DADDR, &t->dst, alen);
	exp_u16(e, TCPHS_A_SPORT, ntohs(t->sport));
	exp_u16(e, TCPHS_A_DPORT, ntohs(t->dport));
	exp_u8(e, TCPHS_A_STATE, fi->state);
	exp_u8(e, TCPHS_A_CONN_STATE, fi->conn_state);
	exp_put(e, TCPHS_A_HISTORY, fi->history, strlen(fi->history) + 1);
	exp_u8(e, TCPHS_A_OPENER, fi->opener);
	exp_u8(e, TCPHS_A_END, fi->end);
	exp_u32(e, TCPHS_A_RTX_SYN, fi->rtx_syn);
	exp_u32(e, TCPHS_A_RTX_SYNACK, fi->rtx_synack);
	exp_u32(e, TCPHS_A_RTX_FIN, fi->rtx_fin);
	if (fi->has_closer)
		exp_u8(e, TCPHS_A_CLOSER, fi->closer);
	if (fi->isn_known[TCPHS_DIR_ORIG])
		exp_u32(e, TCPHS_A_ISN_ORIG, fi->isn[TCPHS_DIR_ORIG]);
	if (fi->isn_known[TCPHS_DIR_REPLY])
		exp_u32(e, TCPHS_A_ISN_REPLY, fi->isn[TCPHS_DIR_REPLY]);
	for (i = 0; i < __TCPHS_TS_MAX; i++)
		if (fi->ts[i])
			exp_u64(e, TCPHS_A_TS_SYN + i, fi->ts[i]);
	if (fi->ts[TCPHS_TS_SYN] && fi->ts[TCPHS_TS_SYNACK])
		exp_u64(e, TCPHS_A_LAT_SYN_SYNACK, fi->ts[TCPHS_TS_SYNACK] - fi->ts[TCPHS_TS_SYN]);
	if (fi->ts[TCPHS_TS_SYNACK] && fi->ts[TCPHS_TS_ESTABLISHED])
		exp_u64(e, TCPHS_A_LAT_SYNACK_ACK,
			fi->ts[TCPHS_TS_ESTABLISHED] - fi->ts[TCPHS_TS_SYNACK]);
	if (fi->has_xlat) {
		exp_put(e, TCPHS_A_NAT_SADDR, &fi->xlat.src, alen);
		exp_put(e, TCPHS_A_NAT_DADDR, &fi->xlat.dst, alen);
		exp_u16(e, TCPHS_A_NAT_SPORT, ntohs(fi->xlat.sport));
		exp_u16(e, TCPHS_A_NAT_DPORT, ntohs(fi->xlat.dport));
	}
	exp_u8(e, TCPHS_A_STAGE, fi->stage);
	if (fi->outcome != TCPHS_OUT_NONE)
		exp_u8(e, TCPHS_A_OUTCOME, fi->outcome);
	if (fi->owner.known) {
		exp_u8(e, TCPHS_A_OWNER_SIDE, fi->owner.side);
		exp_u32(e, TCPHS_A_OWNER_UID, fi->owner.uid);
		exp_u64(e, TCPHS_A_OWNER_CGROUP, fi->owner.cgroup);
		exp_u64(e, TCPHS_A_OWNER_COOKIE, fi->owner.cookie);
	}
	if (fi->owner.known & TCPHS_OWN_TASK) {
		exp_u32(e, TCPHS_A_OWNER_PID, fi->owner.pid);
		exp_put(e, TCPHS_A_OWNER_COMM, fi->owner.comm, strlen(fi->owner.comm) + 1);
	}
}

static struct nl_exp *exp_new(struct kunit *test)
{
	struct nl_exp *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, e);
	e->buf = kunit_kzalloc(test, NL_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, e->buf);
	return e;
}

/* Compare, and on a difference say where it is. */
static void expect_bytes(struct kunit *test, const u8 *got, unsigned int got_len,
			 const u8 *want, unsigned int want_len)
{
	unsigned int i;

	KUNIT_EXPECT_EQ(test, got_len, want_len);
	for (i = 0; i < min(got_len, want_len); i++) {
		if (got[i] != want[i]) {
			KUNIT_FAIL(test, "byte %u: got 0x%02x, want 0x%02x", i, got[i], want[i]);
			return;
		}
	}
}

/* ------------------------------------------------------------- flows -- */

static void nl_info_v4(struct tcphs_flow_info *fi)
{
	memset(fi, 0, sizeof(*fi));
	fi->tuple.family = AF_INET;
	fi->tuple.src.ip = htonl(0x7f000001);
	fi->tuple.dst.ip = htonl(0x7f000002);
	fi->tuple.sport = htons(60060);
	fi->tuple.dport = htons(8080);
	fi->id = 0x0102030405060708ULL;
	fi->state = TCPHS_STATE_SYN_SENT;
	fi->conn_state = TCPHS_CS_S0;
	fi->opener = TCPHS_OPENER_ORIG;
	fi->isn[TCPHS_DIR_ORIG] = 498056171;
	fi->isn_known[TCPHS_DIR_ORIG] = true;
	fi->ts[TCPHS_TS_SYN] = 3569741000ULL;
	strscpy(fi->history, "S", sizeof(fi->history));
}

/* Everything present, every field at its widest. */
static void nl_info_v6_full(struct tcphs_flow_info *fi)
{
	int i;

	memset(fi, 0, sizeof(*fi));
	fi->tuple.family = AF_INET6;
	memset(&fi->tuple.src.in6, 0xfe, sizeof(fi->tuple.src.in6));
	memset(&fi->tuple.dst.in6, 0xef, sizeof(fi->tuple.dst.in6));
	fi->tuple.sport = htons(65535);
	fi->tuple.dport = htons(1);
	fi->id = U64_MAX;
	for (i = 0; i < __TCPHS_TS_MAX; i++)
		fi->ts[i] = 1000000000ULL * (i + 1) + i;
	fi->isn[0] = U32_MAX;
	fi->isn[1] = 1;
	fi->isn_known[0] = true;
	fi->isn_known[1] = true;
	fi->rtx_syn = U16_MAX;
	fi->rtx_synack = U16_MAX;
	fi->rtx_fin = U16_MAX;
	fi->state = TCPHS_STATE_TIME_WAIT;
	fi->conn_state = TCPHS_CS_RSTOS0;
	fi->opener = TCPHS_OPENER_INFERRED;
	fi->closer = TCPHS_DIR_REPLY;
	fi->has_closer = true;
	fi->end = TCPHS_END_SIMUL_FIN;
	strscpy(fi->history, "ShADadFfRrTtWwI", sizeof(fi->history));
	/* Translated, too: the most a flow carries. */
	fi->has_xlat = true;
	memset(&fi->xlat.src.in6, 0xab, sizeof(fi->xlat.src.in6));
	memset(&fi->xlat.dst.in6, 0xba, sizeof(fi->xlat.dst.in6));
	fi->xlat.sport = htons(65534);
	fi->xlat.dport = htons(2);
	fi->outcome = TCPHS_OUT_SYN_ACK_UNANSWERED;
	fi->stage = TCPHS_STAGE_CLOSING;
	/* And an owner, its command as long as a command is. */
	fi->owner.known = TCPHS_OWN_SOCK | TCPHS_OWN_TASK;
	fi->owner.side = TCPHS_DIR_REPLY;
	fi->owner.uid = U32_MAX;
	fi->owner.pid = U32_MAX;
	fi->owner.cgroup = U64_MAX;
	fi->owner.cookie = U64_MAX;
	memset(fi->owner.comm, 'c', sizeof(fi->owner.comm) - 1);
}

/* The attributes tcphs_nl_fill_flow() writes for @fi. */
static void nl_check_fill(struct kunit *test, const struct tcphs_flow_info *fi)
{
	struct nl_exp *e = exp_new(test);
	struct nlmsghdr *nlh;
	struct sk_buff *skb;

	skb = genlmsg_new(tcphs_nl_flow_size(), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	nlh = nlmsg_put(skb, 0, 0, NLMSG_MIN_TYPE, GENL_HDRLEN, 0);
	KUNIT_ASSERT_NOT_NULL(test, nlh);
	/* The size estimate holds the flow, with nothing to spare needed. */
	KUNIT_EXPECT_EQ(test, tcphs_nl_fill_flow(skb, &init_net, fi), 0);
	nlmsg_end(skb, nlh);

	exp_flow(e, &init_net, fi);
	KUNIT_EXPECT_LE(test, e->len, tcphs_nl_flow_size());
	expect_bytes(test, (u8 *)nlmsg_data(nlh) + GENL_HDRLEN,
		     nlh->nlmsg_len - NLMSG_HDRLEN - GENL_HDRLEN, e->buf, e->len);
	kfree_skb(skb);
}

static void nl_flow_attrs(struct kunit *test)
{
	struct tcphs_flow_info fi;

	nl_info_v4(&fi);
	nl_check_fill(test, &fi);
	nl_info_v6_full(&fi);
	nl_check_fill(test, &fi);
}

/* ------------------------------------------------------------ events -- */

static bool nl_table_up;
static bool nl_family_up;

static int nl_suite_init(struct kunit_suite *suite)
{
	int err;

	err = tcphs_test_pernet_setup();
	if (err)
		return err;
	err = tcphs_table_init(64);
	if (err)
		goto err_pernet;
	nl_table_up = true;
	/* Fails with -EEXIST when tcphs.ko is loaded. */
	err = tcphs_nl_init();
	if (err) {
		pr_err("cannot register the genetlink family: %d (is tcphs loaded?)\n", err);
		goto err_table;
	}
	nl_family_up = true;
	return 0;

err_table:
	tcphs_table_exit();
	nl_table_up = false;
err_pernet:
	tcphs_test_pernet_teardown();
	return err;
}

static void nl_suite_exit(struct kunit_suite *suite)
{
	if (nl_family_up)
		tcphs_nl_exit();
	nl_family_up = false;
	if (nl_table_up) {
		tcphs_test_flush_all();
		tcphs_table_exit();
	}
	nl_table_up = false;
	tcphs_test_pernet_teardown();
}

static void nl_exit(struct kunit *test)
{
	if (nl_table_up)
		tcphs_test_flush_all();
}

/* A socket in init_net that joined the events group, as the reader's. */
static struct socket *nl_listen(struct kunit *test)
{
	struct sockaddr_nl addr = { .nl_family = AF_NETLINK };
	int group = tcphs_family.mcgrp_offset + TCPHS_MCGRP_EVENTS_ID;
	struct socket *sock;
	int err;

	err = sock_create_kern(&init_net, AF_NETLINK, SOCK_RAW, NETLINK_GENERIC, &sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	err = kernel_bind(sock, (struct sockaddr *)&addr, sizeof(addr));
	if (!err)
		err = sock->ops->setsockopt(sock, SOL_NETLINK, NETLINK_ADD_MEMBERSHIP,
					    KERNEL_SOCKPTR(&group), sizeof(group));
	if (err)
		sock_release(sock);
	KUNIT_ASSERT_EQ(test, err, 0);
	return sock;
}

/* The next message on @sock, or 0 bytes if there is none. */
static int nl_recv(struct socket *sock, void *buf, size_t len)
{
	struct kvec iov = { .iov_base = buf, .iov_len = len };
	struct msghdr msg = {};

	return kernel_recvmsg(sock, &msg, &iov, 1, len, MSG_DONTWAIT);
}

/* A flow in init_net taken through SYN and SYN-ACK. */
static struct tcphs_flow *nl_flow(struct kunit *test, u32 x, u32 y)
{
	struct tcphs_tuple t = { .family = AF_INET };
	struct tcphs_seg syn = { .flags = TCPHS_SYN, .seq = x, .window = 100 };
	struct tcphs_seg synack = { .flags = TCPHS_SYN | TCPHS_ACK, .seq = y, .ack = x + 1,
				    .window = 100 };
	struct tcphs_verdict v;
	struct tcphs_flow *f;

	t.src.ip = htonl(0x0a000001);
	t.dst.ip = htonl(0x0a000002);
	t.sport = htons(33333);
	t.dport = htons(443);
	rcu_read_lock();
	f = tcphs_flow_create(&init_net, &t, false);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, f);

	spin_lock_bh(tcphs_test_lock(f));
	tcphs_fsm_segment(&f->fsm, &syn, TCPHS_DIR_ORIG, &v);
	tcphs_history_update(&f->hist, &syn, TCPHS_DIR_ORIG, &v);
	tcphs_fsm_segment(&f->fsm, &synack, TCPHS_DIR_REPLY, &v);
	tcphs_history_update(&f->hist, &synack, TCPHS_DIR_REPLY, &v);
	tcphs_flow_set_ts(f, TCPHS_TS_SYN, 1000);
	tcphs_flow_set_ts(f, TCPHS_TS_SYNACK, 3500);
	spin_unlock_bh(tcphs_test_lock(f));
	return f;
}

/* The event header and its attributes, as the reader gets them. */
static void nl_expect_event(struct kunit *test, const u8 *got, int got_len,
			    const struct tcphs_flow_info *fi, const struct tcphs_step *step,
			    u64 seq, u64 now, int dir, const struct tcphs_seg *seg)
{
	const struct nlmsghdr *nlh = (const struct nlmsghdr *)got;
	const struct genlmsghdr *gh;
	struct nl_exp *e = exp_new(test);

	KUNIT_ASSERT_GE(test, got_len, NLMSG_HDRLEN + GENL_HDRLEN);
	KUNIT_EXPECT_EQ(test, nlh->nlmsg_len, got_len);
	KUNIT_EXPECT_EQ(test, nlh->nlmsg_type, tcphs_family.id);
	KUNIT_EXPECT_EQ(test, nlh->nlmsg_flags, 0);
	KUNIT_EXPECT_EQ(test, nlh->nlmsg_seq, 0);
	KUNIT_EXPECT_EQ(test, nlh->nlmsg_pid, 0);
	gh = nlmsg_data(nlh);
	KUNIT_EXPECT_EQ(test, gh->cmd, TCPHS_CMD_EVENT);
	KUNIT_EXPECT_EQ(test, gh->version, TCPHS_GENL_VERSION);
	KUNIT_EXPECT_EQ(test, gh->reserved, 0);

	exp_u8(e, TCPHS_A_EVENT, step->event);
	exp_u64(e, TCPHS_A_EVENT_SEQ, seq);
	exp_u8(e, TCPHS_A_OLD_STATE, step->old_state);
	exp_u64(e, TCPHS_A_TS_NS, now);
	exp_flow(e, &init_net, fi);
	if (dir >= 0)
		exp_u8(e, TCPHS_A_DIR, dir);
	if (seg) {
		exp_u8(e, TCPHS_A_TCP_FLAGS, seg->flags);
		exp_u32(e, TCPHS_A_SEQ, seg->seq);
		exp_u32(e, TCPHS_A_ACK, seg->ack);
	}
	KUNIT_EXPECT_LE(test, e->len, tcphs_nl_event_size());
	expect_bytes(test, got + NLMSG_HDRLEN + GENL_HDRLEN,
		     got_len - NLMSG_HDRLEN - GENL_HDRLEN, e->buf, e->len);
}

static void nl_events(struct kunit *test)
{
	const u32 x = 0xfffffffe, y = 0x12345678;
	struct tcphs_net *tn = tcphs_pernet(&init_net);
	struct tcphs_seg synack = { .flags = TCPHS_SYN | TCPHS_ACK, .seq = y, .ack = x + 1 };
	struct tcphs_step step = {
		.kind = TCPHS_K_SYNACK, .action = TCPHS_ACT_GO, .event = TCPHS_EV_SYN_ACK,
		.old_state = TCPHS_STATE_SYN_SENT, .new_state = TCPHS_STATE_SYN_RECV,
	};
	struct tcphs_step timeout = {
		.event = TCPHS_EV_TIMEOUT, .old_state = TCPHS_STATE_SYN_RECV,
		.new_state = TCPHS_STATE_CLOSED,
	};
	u64 seq, events, drops;
	struct tcphs_flow_info fi;
	struct tcphs_flow *f;
	struct socket *sock;
	int len;
	u8 *buf;

	buf = kunit_kzalloc(test, NL_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	f = nl_flow(test, x, y);
	sock = nl_listen(test);
	atomic64_set(&tn->event_seq, 41);
	events = tcphs_test_stat(&init_net, TCPHS_STAT_EVENTS);
	drops = tcphs_test_stat(&init_net, TCPHS_STAT_EVENT_DROP);

	/* A step caused by a segment (of the responder). */
	spin_lock_bh(tcphs_test_lock(f));
	tcphs_nl_event(f, &step, TCPHS_DIR_REPLY, &synack, 123456789012ULL);
	tcphs_flow_fill_info(f, &fi);
	spin_unlock_bh(tcphs_test_lock(f));
	fi.state = step.new_state;
	KUNIT_EXPECT_STREQ(test, fi.history, "Sh");
	len = nl_recv(sock, buf, NL_BUF);
	nl_expect_event(test, buf, len, &fi, &step, 42, 123456789012ULL, TCPHS_DIR_REPLY,
			&synack);

	/* One caused by no segment: no direction, flags, seq or ack. */
	spin_lock_bh(tcphs_test_lock(f));
	f->fsm.state = TCPHS_STATE_CLOSED;
	f->flags |= TCPHS_FLOW_TIMED_OUT;
	tcphs_flow_set_ts(f, TCPHS_TS_END, 99999);
	tcphs_nl_event(f, &timeout, -1, NULL, 99999);
	tcphs_flow_fill_info(f, &fi);
	spin_unlock_bh(tcphs_test_lock(f));
	len = nl_recv(sock, buf, NL_BUF);
	nl_expect_event(test, buf, len, &fi, &timeout, 43, 99999, -1, NULL);

	KUNIT_EXPECT_EQ(test, nl_recv(sock, buf, NL_BUF), -EAGAIN);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVENTS), events + 2);

	/* Nobody listens: nothing is built, but the event is numbered. */
	sock_release(sock);
	spin_lock_bh(tcphs_test_lock(f));
	tcphs_nl_event(f, &timeout, -1, NULL, 100000);
	spin_unlock_bh(tcphs_test_lock(f));
	seq = atomic64_read(&tn->event_seq);
	KUNIT_EXPECT_EQ(test, seq, 44);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVENTS), events + 2);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVENT_DROP), drops);
}

/* The largest event fits the size the module allocates for it. */
static void nl_event_largest(struct kunit *test)
{
	struct tcphs_step step = {
		.kind = TCPHS_K_RST, .action = TCPHS_ACT_GO, .event = TCPHS_EV_RST,
		.old_state = TCPHS_STATE_LAST_ACK, .new_state = TCPHS_STATE_CLOSED,
	};
	struct tcphs_seg rst = { .flags = 0xff, .seq = U32_MAX, .ack = U32_MAX };
	struct tcphs_flow_info want;
	struct tcphs_flow *f;
	struct socket *sock;
	unsigned int i;
	u64 drops;
	int len;
	u8 *buf;

	buf = kunit_kzalloc(test, NL_BUF, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	nl_info_v6_full(&want);
	rcu_read_lock();
	f = tcphs_flow_create(&init_net, &want.tuple, false);
	rcu_read_unlock();
	KUNIT_ASSERT_NOT_NULL(test, f);

	/* Make the flow say what @want says, translated tuple and all. */
	rcu_read_lock();
	spin_lock_bh(tcphs_test_lock(f));
	f = tcphs_flow_set_xlat(f, tcphs_test_flow_hash(f), &want.xlat);
	spin_unlock_bh(tcphs_test_lock(f));
	rcu_read_unlock();
	KUNIT_ASSERT_TRUE(test, f->flags & TCPHS_FLOW_NAT);
	spin_lock_bh(tcphs_test_lock(f));
	f->fsm.isn[0] = want.isn[0];
	f->fsm.isn[1] = want.isn[1];
	f->fsm.dflags[0] = TCPHS_DF_SYN | TCPHS_DF_FIN;
	f->fsm.dflags[1] = TCPHS_DF_SYN | TCPHS_DF_FIN | TCPHS_DF_RST;
	f->fsm.opener = want.opener;
	f->fsm.closer = want.closer;
	f->fsm.rst_dir = TCPHS_DIR_REPLY;
	f->fsm.state = TCPHS_STATE_TIME_WAIT;	/* ends SIMUL_FIN, as @want */
	f->fsm.simul_close = 1;
	f->rtx_syn = want.rtx_syn;
	f->rtx_synack = want.rtx_synack;
	f->rtx_fin = want.rtx_fin;
	*tcphs_flow_owner(f) = want.owner;
	for (i = 0; i < __TCPHS_TS_MAX; i++)
		tcphs_flow_set_ts(f, i, want.ts[i]);
	/* The longest history: 15 letters, resets from alternate sides. */
	for (i = 0; i < 2 * TCPHS_HISTORY_LEN; i++) {
		struct tcphs_seg r = { .flags = TCPHS_RST, .seq = i };
		struct tcphs_verdict none = {};

		tcphs_history_update(&f->hist, &r, i % 2, &none);
	}
	/* What the flow keeps of them: counters saturate, times round. */
	tcphs_flow_fill_info(f, &want);
	spin_unlock_bh(tcphs_test_lock(f));
	want.state = step.new_state;
	/* Both sides closed before the reset: Zeek's SF. */
	want.conn_state = TCPHS_CS_SF;

	sock = nl_listen(test);
	drops = tcphs_test_stat(&init_net, TCPHS_STAT_EVENT_DROP);
	spin_lock_bh(tcphs_test_lock(f));
	tcphs_nl_event(f, &step, TCPHS_DIR_ORIG, &rst, U64_MAX);
	spin_unlock_bh(tcphs_test_lock(f));
	len = nl_recv(sock, buf, NL_BUF);
	sock_release(sock);
	KUNIT_EXPECT_EQ(test, tcphs_test_stat(&init_net, TCPHS_STAT_EVENT_DROP), drops);
	nl_expect_event(test, buf, len, &want, &step,
			atomic64_read(&tcphs_pernet(&init_net)->event_seq), U64_MAX,
			TCPHS_DIR_ORIG, &rst);
}

/*
 * Every policy as the kernel can dump it (in an extended ack, or to
 * CTRL_CMD_GETPOLICY): a validation function only on NLA_BINARY, where the
 * kernel expects one; an integer's policy dump reads min and max, which
 * share a union with the function pointer (and 6.1 warns on the way).
 */
static void nl_policies(struct kunit *test)
{
	unsigned int i, a;

	for (i = 0; i < ARRAY_SIZE(tcphs_ops); i++) {
		const struct genl_ops *op = &tcphs_ops[i];

		for (a = 0; op->policy && a <= op->maxattr; a++) {
			const struct nla_policy *pt = &op->policy[a];

			if (pt->validation_type == NLA_VALIDATE_FUNCTION)
				KUNIT_EXPECT_EQ_MSG(test, pt->type, NLA_BINARY,
						    "command %u, attribute %u: a validation function on a type that is not NLA_BINARY",
						    op->cmd, a);
			if (pt->validation_type == NLA_VALIDATE_RANGE ||
			    pt->validation_type == NLA_VALIDATE_MIN ||
			    pt->validation_type == NLA_VALIDATE_MAX) {
				KUNIT_EXPECT_GE_MSG(test, pt->min, 0, "command %u, attribute %u",
						    op->cmd, a);
				KUNIT_EXPECT_GE_MSG(test, pt->max, 0, "command %u, attribute %u",
						    op->cmd, a);
			}
		}
	}
}

static struct kunit_case nl_cases[] = {
	KUNIT_CASE(nl_policies),
	KUNIT_CASE(nl_flow_attrs),
	KUNIT_CASE(nl_events),
	KUNIT_CASE(nl_event_largest),
	{}
};

static struct kunit_suite nl_suite = {
	.name = "tcphs_netlink",
	.suite_init = nl_suite_init,
	.suite_exit = nl_suite_exit,
	.exit = nl_exit,
	.test_cases = nl_cases,
};

kunit_test_suite(nl_suite);
