// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_owner": which segments name an owner (a local TCP
 * socket's, at LOCAL_OUT, not a raw socket's nor a received one's), what
 * is recorded from a connecting socket, from a listener (no task: it
 * answers from softirq) and then from its accepted socket, and when a flow
 * wants no more.
 */

#include <kunit/test.h>
#include <linux/cred.h>
#include <linux/in.h>
#include <linux/net.h>
#include <linux/skbuff.h>
#include <net/sock.h>

#include "owner.c"

struct owner_env {
	struct socket *stream, *listener, *raw;
	struct sk_buff *skb;
};

static int owner_init(struct kunit *test)
{
	struct sockaddr_in a = {
		.sin_family = AF_INET,
		.sin_addr.s_addr = htonl(INADDR_LOOPBACK),
	};
	struct owner_env *e = kunit_kzalloc(test, sizeof(*e), GFP_KERNEL);

	if (!e)
		return -ENOMEM;
	test->priv = e;
	if (sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &e->stream) ||
	    sock_create_kern(&init_net, AF_INET, SOCK_STREAM, IPPROTO_TCP, &e->listener) ||
	    sock_create_kern(&init_net, AF_INET, SOCK_RAW, IPPROTO_TCP, &e->raw))
		return -ENOMEM;
	if (kernel_bind(e->listener, (struct sockaddr *)&a, sizeof(a)) ||
	    kernel_listen(e->listener, 1))
		return -EINVAL;
	e->skb = alloc_skb(0, GFP_KERNEL);
	return e->skb ? 0 : -ENOMEM;
}

static void owner_exit(struct kunit *test)
{
	struct owner_env *e = test->priv;

	if (e->skb) {
		e->skb->sk = NULL;
		kfree_skb(e->skb);
	}
	if (e->raw)
		sock_release(e->raw);
	if (e->listener)
		sock_release(e->listener);
	if (e->stream)
		sock_release(e->stream);
	tcphs_owners = true;
}

/* Only a local TCP socket's segment, seen as it leaves, names an owner. */
static void owner_which_sockets(struct kunit *test)
{
	struct owner_env *e = test->priv;

	e->skb->sk = NULL;
	KUNIT_EXPECT_NULL(test, tcphs_owner_sock(e->skb, NF_INET_LOCAL_OUT));
	e->skb->sk = e->stream->sk;
	KUNIT_EXPECT_PTR_EQ(test, tcphs_owner_sock(e->skb, NF_INET_LOCAL_OUT), e->stream->sk);
	KUNIT_EXPECT_NULL(test, tcphs_owner_sock(e->skb, NF_INET_PRE_ROUTING));
	/* The kernel's control sockets, which send resets, are raw ones. */
	e->skb->sk = e->raw->sk;
	KUNIT_EXPECT_NULL(test, tcphs_owner_sock(e->skb, NF_INET_LOCAL_OUT));
	e->skb->sk = e->listener->sk;
	KUNIT_EXPECT_PTR_EQ(test, tcphs_owner_sock(e->skb, NF_INET_LOCAL_OUT),
			    e->listener->sk);
	tcphs_owners = false;
	KUNIT_EXPECT_NULL(test, tcphs_owner_sock(e->skb, NF_INET_LOCAL_OUT));
}

/* A connecting socket, in process context: everything at once. */
static void owner_client(struct kunit *test)
{
	struct owner_env *e = test->priv;
	struct tcphs_owner o = {};
	u32 c[2];

	tcphs_owner_record(&o, e->stream->sk, TCPHS_DIR_ORIG);
	KUNIT_EXPECT_EQ(test, o.known, TCPHS_OWN_SOCK | TCPHS_OWN_TASK);
	KUNIT_EXPECT_EQ(test, o.side, TCPHS_DIR_ORIG);
	KUNIT_EXPECT_EQ(test, o.uid, from_kuid(&init_user_ns, current_uid()));
	KUNIT_EXPECT_EQ(test, o.pid, (u32)task_tgid_nr(current));
	KUNIT_EXPECT_STREQ(test, o.comm, current->comm);
	sock_diag_save_cookie(e->stream->sk, c);
	KUNIT_EXPECT_NE(test, o.cookie, 0);
	KUNIT_EXPECT_EQ(test, o.cookie, (u64)c[1] << 32 | c[0]);
#ifdef CONFIG_SOCK_CGROUP_DATA
	KUNIT_EXPECT_EQ(test, o.cgroup, cgroup_id(sock_cgroup_ptr(&e->stream->sk->sk_cgrp_data)));
	KUNIT_EXPECT_NE(test, o.cgroup, 0);
#endif
	KUNIT_EXPECT_FALSE(test, tcphs_owner_wanted(&o, TCPHS_DIR_ORIG));
	KUNIT_EXPECT_FALSE(test, tcphs_owner_wanted(&o, TCPHS_DIR_REPLY));
}

/* A server: its listener at the SYN-ACK, then the accepted socket. */
static void owner_server(struct kunit *test)
{
	struct owner_env *e = test->priv;
	struct tcphs_owner o = {};
	u64 listener_cookie;

	tcphs_owner_record(&o, e->listener->sk, TCPHS_DIR_REPLY);
	KUNIT_EXPECT_EQ(test, o.known, TCPHS_OWN_SOCK | TCPHS_OWN_LISTENER);
	KUNIT_EXPECT_EQ(test, o.side, TCPHS_DIR_REPLY);
	KUNIT_EXPECT_EQ(test, o.pid, 0);
	KUNIT_EXPECT_STREQ(test, o.comm, "");
	listener_cookie = o.cookie;
	KUNIT_EXPECT_TRUE(test, tcphs_owner_wanted(&o, TCPHS_DIR_REPLY));
	/* The client's end has nothing to add to the server's owner. */
	KUNIT_EXPECT_FALSE(test, tcphs_owner_wanted(&o, TCPHS_DIR_ORIG));
	/* A retransmitted SYN-ACK changes nothing. */
	tcphs_owner_record(&o, e->listener->sk, TCPHS_DIR_REPLY);
	KUNIT_EXPECT_EQ(test, o.known, TCPHS_OWN_SOCK | TCPHS_OWN_LISTENER);
	KUNIT_EXPECT_EQ(test, o.cookie, listener_cookie);

	tcphs_owner_record(&o, e->stream->sk, TCPHS_DIR_REPLY);
	KUNIT_EXPECT_EQ(test, o.known, TCPHS_OWN_SOCK | TCPHS_OWN_TASK);
	KUNIT_EXPECT_NE(test, o.cookie, listener_cookie);
	KUNIT_EXPECT_EQ(test, o.pid, (u32)task_tgid_nr(current));
	KUNIT_EXPECT_FALSE(test, tcphs_owner_wanted(&o, TCPHS_DIR_REPLY));
}

/* When a flow wants what a segment's socket tells. */
static void owner_wanted(struct kunit *test)
{
	static const struct {
		u8 known, side, dir;
		bool want;
	} cases[] = {
		{ 0, 0, TCPHS_DIR_ORIG, true },
		{ 0, 0, TCPHS_DIR_REPLY, true },
		{ TCPHS_OWN_SOCK, TCPHS_DIR_ORIG, TCPHS_DIR_ORIG, true },
		{ TCPHS_OWN_SOCK, TCPHS_DIR_ORIG, TCPHS_DIR_REPLY, false },
		{ TCPHS_OWN_SOCK | TCPHS_OWN_TASK, TCPHS_DIR_REPLY, TCPHS_DIR_REPLY, false },
		{ TCPHS_OWN_SOCK | TCPHS_OWN_LISTENER, TCPHS_DIR_REPLY, TCPHS_DIR_REPLY, true },
		{ TCPHS_OWN_SOCK | TCPHS_OWN_TASK | TCPHS_OWN_LISTENER, TCPHS_DIR_REPLY,
		  TCPHS_DIR_REPLY, true },
	};
	unsigned int i;

	KUNIT_EXPECT_TRUE(test, tcphs_owner_wanted(NULL, TCPHS_DIR_ORIG));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		struct tcphs_owner o = { .known = cases[i].known, .side = cases[i].side };

		KUNIT_EXPECT_EQ_MSG(test, tcphs_owner_wanted(&o, cases[i].dir), cases[i].want,
				    "case %u", i);
	}
}

static struct kunit_case owner_cases[] = {
	KUNIT_CASE(owner_which_sockets),
	KUNIT_CASE(owner_client),
	KUNIT_CASE(owner_server),
	KUNIT_CASE(owner_wanted),
	{}
};

static struct kunit_suite owner_suite = {
	.name = "tcphs_owner",
	.init = owner_init,
	.exit = owner_exit,
	.test_cases = owner_cases,
};

kunit_test_suite(owner_suite);
