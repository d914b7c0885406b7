// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit suite "tcphs_parse": packets built in skbs, as the hooks get them,
 * through parse_ipv4() and parse_ipv6(): TCP options, IP options, truncated
 * headers, bad data offsets, fragments, IPv6 extension headers. Then whole
 * packets through the hooks: every verdict is NF_ACCEPT, and the counters
 * and the flow table say what was made of them.
 */

#include <kunit/test.h>
#include <linux/skbuff.h>

#include "test_env.h"
#include "hook.c"

#define PKT_MAX		256

/* A TCP header (without options) in host order, for building packets. */
struct pk_tcp {
	u16 sport, dport;
	u32 seq, ack;
	u8 doff;		/* in 32-bit words, as on the wire */
	u8 flags;
	u16 window;
};

static unsigned int put_tcp(u8 *p, const struct pk_tcp *t, const u8 *opts, unsigned int olen)
{
	struct tcphdr *th = (struct tcphdr *)p;

	memset(th, 0, sizeof(*th));
	th->source = htons(t->sport);
	th->dest = htons(t->dport);
	th->seq = htonl(t->seq);
	th->ack_seq = htonl(t->ack);
	th->doff = t->doff;
	p[13] = t->flags;
	th->window = htons(t->window);
	memcpy(p + sizeof(*th), opts, olen);
	return sizeof(*th) + olen;
}

/* An IPv4 header: @ihl in words, @frag the host-order frag_off field. */
static unsigned int put_ipv4(u8 *p, u8 ihl, u8 proto, u16 frag, u32 saddr, u32 daddr)
{
	struct iphdr *iph = (struct iphdr *)p;

	memset(p, 0, max_t(unsigned int, ihl * 4, sizeof(*iph)));
	iph->version = 4;
	iph->ihl = ihl;
	iph->ttl = 64;
	iph->protocol = proto;
	iph->frag_off = htons(frag);
	iph->saddr = htonl(saddr);
	iph->daddr = htonl(daddr);
	/* IP options, if any: NOPs. */
	if (ihl > 5)
		memset(p + sizeof(*iph), IPOPT_NOOP, ihl * 4 - sizeof(*iph));
	return max_t(unsigned int, ihl * 4, sizeof(*iph));
}

static unsigned int put_ipv6(u8 *p, u8 nexthdr, u8 s_last, u8 d_last)
{
	struct ipv6hdr *ip6h = (struct ipv6hdr *)p;

	memset(ip6h, 0, sizeof(*ip6h));
	ip6h->version = 6;
	ip6h->nexthdr = nexthdr;
	ip6h->hop_limit = 64;
	ip6h->saddr.s6_addr[0] = 0xfd;
	ip6h->saddr.s6_addr[15] = s_last;
	ip6h->daddr.s6_addr[0] = 0xfd;
	ip6h->daddr.s6_addr[15] = d_last;
	return sizeof(*ip6h);
}

/* An extension header of @len bytes (a multiple of 8) leading to @next. */
static unsigned int put_ext(u8 *p, u8 type, u8 next, unsigned int len)
{
	memset(p, 0, len);
	p[0] = next;
	if (type == NEXTHDR_AUTH)
		p[1] = len / 4 - 2;
	else
		p[1] = len / 8 - 1;
	return len;
}

/* A fragment header at @offset (bytes, a multiple of 8), more to come. */
static unsigned int put_frag(u8 *p, u8 next, unsigned int offset)
{
	struct frag_hdr *fh = (struct frag_hdr *)p;

	memset(fh, 0, sizeof(*fh));
	fh->nexthdr = next;
	fh->frag_off = htons(offset | IP6_MF);
	fh->identification = htonl(0x1234);
	return sizeof(*fh);
}

/* An skb holding @len bytes of headers and @payload zero bytes after them. */
static struct sk_buff *pk_skb(struct kunit *test, const u8 *data, unsigned int len,
			      unsigned int payload)
{
	struct sk_buff *skb = alloc_skb(64 + len + payload, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, skb);
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	skb_put_data(skb, data, len);
	skb_put_zero(skb, payload);
	return skb;
}

/* TCP options of a Linux SYN: MSS, SACK permitted, timestamps, window scale. */
static const u8 syn_opts[] = {
	2, 4, 0x05, 0xb4, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 1, 3, 3, 7,
};

struct parse_case {
	const char *name;
	u8 family;
	u8 want;		/* enum tcphs_parse */
	u32 len;		/* payload bytes, when TCP */
	unsigned int (*build)(u8 *p, unsigned int *payload);
};

static const struct pk_tcp syn = {
	.sport = 40000, .dport = 80, .seq = 0xfffffff0, .doff = 10, .flags = TCPHS_SYN,
	.window = 64240,
};

static const struct pk_tcp data = {
	.sport = 40000, .dport = 80, .seq = 1001, .ack = 2002, .doff = 5,
	.flags = TCPHS_PSH | TCPHS_ACK, .window = 512,
};

static unsigned int b4_syn_options(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);

	return n + put_tcp(p + n, &syn, syn_opts, sizeof(syn_opts));
}

static unsigned int b4_data(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);

	*payload = 100;
	return n + put_tcp(p + n, &data, NULL, 0);
}

static unsigned int b4_ip_options(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv4(p, 7, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);

	*payload = 7;
	return n + put_tcp(p + n, &data, NULL, 0);
}

static unsigned int b4_truncated_tcp(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);

	put_tcp(p + n, &data, NULL, 0);
	return n + 19;
}

static unsigned int b4_doff_small(u8 *p, unsigned int *payload)
{
	struct pk_tcp t = data;
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);

	t.doff = 4;
	*payload = 40;
	return n + put_tcp(p + n, &t, NULL, 0);
}

static unsigned int b4_doff_beyond(u8 *p, unsigned int *payload)
{
	struct pk_tcp t = data;
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);

	t.doff = 15;		/* 60 bytes; the packet has 20 + 39 */
	*payload = 39;
	return n + put_tcp(p + n, &t, NULL, 0);
}

static unsigned int b4_doff_fits(u8 *p, unsigned int *payload)
{
	static const u8 nops[40] = { [0 ... 39] = 1 };
	struct pk_tcp t = data;
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);

	t.doff = 15;
	return n + put_tcp(p + n, &t, nops, sizeof(nops));
}

static unsigned int b4_ihl_small(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);

	((struct iphdr *)p)->ihl = 4;
	return n + put_tcp(p + n, &data, NULL, 0);
}

static unsigned int b4_ihl_beyond(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);

	((struct iphdr *)p)->ihl = 15;	/* 60 bytes of IP header; 40 there */
	return n + put_tcp(p + n, &data, NULL, 0);
}

static unsigned int b4_later_fragment(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, 185, 0x0a000001, 0x0a000002);

	*payload = 20;
	return n;
}

static unsigned int b4_first_fragment(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv4(p, 5, IPPROTO_TCP, IP_MF, 0x0a000001, 0x0a000002);

	*payload = 100;
	return n + put_tcp(p + n, &data, NULL, 0);
}

static unsigned int b4_udp(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv4(p, 5, IPPROTO_UDP, 0, 0x0a000001, 0x0a000002);

	*payload = 28;
	return n;
}

static unsigned int b4_truncated_ip(u8 *p, unsigned int *payload)
{
	put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);
	return 19;
}

static unsigned int b6_plain(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, IPPROTO_TCP, 1, 2);

	*payload = 100;
	return n + put_tcp(p + n, &data, NULL, 0);
}

static unsigned int b6_ext_chain(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, NEXTHDR_HOP, 1, 2);

	n += put_ext(p + n, NEXTHDR_HOP, NEXTHDR_ROUTING, 8);
	n += put_ext(p + n, NEXTHDR_ROUTING, NEXTHDR_AUTH, 24);
	n += put_ext(p + n, NEXTHDR_AUTH, NEXTHDR_DEST, 16);
	n += put_ext(p + n, NEXTHDR_DEST, IPPROTO_TCP, 16);
	*payload = 33;
	return n + put_tcp(p + n, &syn, syn_opts, sizeof(syn_opts));
}

static unsigned int b6_first_fragment(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, NEXTHDR_FRAGMENT, 1, 2);

	n += put_frag(p + n, IPPROTO_TCP, 0);
	*payload = 100;
	return n + put_tcp(p + n, &data, NULL, 0);
}

static unsigned int b6_later_fragment(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, NEXTHDR_HOP, 1, 2);

	n += put_ext(p + n, NEXTHDR_HOP, NEXTHDR_FRAGMENT, 8);
	n += put_frag(p + n, IPPROTO_TCP, 1448);
	*payload = 100;
	return n;
}

static unsigned int b6_later_fragment_udp(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, NEXTHDR_FRAGMENT, 1, 2);

	n += put_frag(p + n, IPPROTO_UDP, 1448);
	*payload = 100;
	return n;
}

static unsigned int b6_no_next(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, NEXTHDR_DEST, 1, 2);

	return n + put_ext(p + n, NEXTHDR_DEST, NEXTHDR_NONE, 8);
}

static unsigned int b6_udp(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, NEXTHDR_HOP, 1, 2);

	n += put_ext(p + n, NEXTHDR_HOP, IPPROTO_UDP, 8);
	*payload = 8;
	return n;
}

static unsigned int b6_ext_cut(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, NEXTHDR_HOP, 1, 2);

	put_ext(p + n, NEXTHDR_HOP, IPPROTO_TCP, 8);
	return n + 1;		/* not even the extension header's length */
}

static unsigned int b6_ext_too_long(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, NEXTHDR_HOP, 1, 2);

	n += put_ext(p + n, NEXTHDR_HOP, IPPROTO_TCP, 8);
	p[n - 7] = 255;		/* 2048 bytes long */
	*payload = 60;		/* far less than that */
	return n;
}

static unsigned int b6_truncated_tcp(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, IPPROTO_TCP, 1, 2);

	put_tcp(p + n, &data, NULL, 0);
	return n + 12;
}

static unsigned int b6_doff_beyond(u8 *p, unsigned int *payload)
{
	struct pk_tcp t = data;
	unsigned int n = put_ipv6(p, IPPROTO_TCP, 1, 2);

	t.doff = 8;
	*payload = 11;
	return n + put_tcp(p + n, &t, NULL, 0);
}

static unsigned int b6_truncated_ip(u8 *p, unsigned int *payload)
{
	put_ipv6(p, IPPROTO_TCP, 1, 2);
	return 39;
}

#define PC(fam, n, w, l, b)	{ .name = n, .family = fam, .want = TCPHS_PARSE_##w, .len = l, \
				  .build = b }

static const struct parse_case parse_cases[] = {
	PC(AF_INET, "v4-syn-with-options", TCP, 0, b4_syn_options),
	PC(AF_INET, "v4-data", TCP, 100, b4_data),
	PC(AF_INET, "v4-ip-options", TCP, 7, b4_ip_options),
	PC(AF_INET, "v4-truncated-tcp-header", MALFORMED, 0, b4_truncated_tcp),
	PC(AF_INET, "v4-data-offset-below-20", MALFORMED, 0, b4_doff_small),
	PC(AF_INET, "v4-data-offset-past-end", MALFORMED, 0, b4_doff_beyond),
	PC(AF_INET, "v4-data-offset-60-fits", TCP, 0, b4_doff_fits),
	PC(AF_INET, "v4-ihl-below-20", MALFORMED, 0, b4_ihl_small),
	PC(AF_INET, "v4-ihl-past-end", MALFORMED, 0, b4_ihl_beyond),
	PC(AF_INET, "v4-later-fragment", FRAGMENT, 0, b4_later_fragment),
	PC(AF_INET, "v4-first-fragment", TCP, 100, b4_first_fragment),
	PC(AF_INET, "v4-udp", OTHER, 0, b4_udp),
	PC(AF_INET, "v4-truncated-ip-header", OTHER, 0, b4_truncated_ip),
	PC(AF_INET6, "v6-data", TCP, 100, b6_plain),
	PC(AF_INET6, "v6-extension-headers", TCP, 33, b6_ext_chain),
	PC(AF_INET6, "v6-first-fragment", TCP, 100, b6_first_fragment),
	PC(AF_INET6, "v6-later-fragment", FRAGMENT, 0, b6_later_fragment),
	PC(AF_INET6, "v6-later-fragment-of-udp", OTHER, 0, b6_later_fragment_udp),
	PC(AF_INET6, "v6-no-next-header", OTHER, 0, b6_no_next),
	PC(AF_INET6, "v6-udp-after-hop-by-hop", OTHER, 0, b6_udp),
	PC(AF_INET6, "v6-extension-header-cut", OTHER, 0, b6_ext_cut),
	PC(AF_INET6, "v6-extension-header-past-end", MALFORMED, 0, b6_ext_too_long),
	PC(AF_INET6, "v6-truncated-tcp-header", MALFORMED, 0, b6_truncated_tcp),
	PC(AF_INET6, "v6-data-offset-past-end", MALFORMED, 0, b6_doff_beyond),
	PC(AF_INET6, "v6-truncated-ip-header", OTHER, 0, b6_truncated_ip),
};

static void parse_case_desc(const struct parse_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(parse_cases, parse_cases, parse_case_desc);

static void parse_packet(struct kunit *test)
{
	const struct parse_case *c = test->param_value;
	struct tcphs_tuple t = {};
	struct tcphs_seg seg = {};
	unsigned int len, payload = 0;
	struct sk_buff *skb;
	u8 *p;

	p = kunit_kzalloc(test, PKT_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	len = c->build(p, &payload);
	KUNIT_ASSERT_LE(test, len, PKT_MAX);
	skb = pk_skb(test, p, len, payload);

	if (c->family == AF_INET)
		KUNIT_EXPECT_EQ(test, parse_ipv4(skb, &t, &seg), c->want);
	else
		KUNIT_EXPECT_EQ(test, parse_ipv6(skb, &t, &seg), c->want);
	kfree_skb(skb);
	if (c->want != TCPHS_PARSE_TCP)
		return;

	KUNIT_EXPECT_EQ(test, t.family, c->family);
	KUNIT_EXPECT_EQ(test, seg.len, c->len);
	if (c->family == AF_INET) {
		KUNIT_EXPECT_EQ(test, ntohl(t.src.ip), 0x0a000001);
		KUNIT_EXPECT_EQ(test, ntohl(t.dst.ip), 0x0a000002);
	} else {
		KUNIT_EXPECT_EQ(test, t.src.in6.s6_addr[0], 0xfd);
		KUNIT_EXPECT_EQ(test, t.src.in6.s6_addr[15], 1);
		KUNIT_EXPECT_EQ(test, t.dst.in6.s6_addr[15], 2);
	}
	KUNIT_EXPECT_EQ(test, ntohs(t.sport), 40000);
	KUNIT_EXPECT_EQ(test, ntohs(t.dport), 80);
	if (seg.flags == TCPHS_SYN) {
		KUNIT_EXPECT_EQ(test, seg.seq, syn.seq);
		KUNIT_EXPECT_EQ(test, seg.ack, 0);
		KUNIT_EXPECT_EQ(test, seg.window, syn.window);
	} else {
		KUNIT_EXPECT_EQ(test, seg.flags, data.flags);
		KUNIT_EXPECT_EQ(test, seg.seq, data.seq);
		KUNIT_EXPECT_EQ(test, seg.ack, data.ack);
		KUNIT_EXPECT_EQ(test, seg.window, data.window);
	}
}

/* A header split across the linear part and a page: still parsed. */
static void parse_nonlinear(struct kunit *test)
{
	unsigned int len, payload = 0, head = 30;
	struct tcphs_tuple t = {};
	struct tcphs_seg seg = {};
	struct sk_buff *skb;
	struct page *page;
	u8 *p;

	p = kunit_kzalloc(test, PKT_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	len = b4_data(p, &payload);
	skb = alloc_skb(64 + head, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page) {
		kfree_skb(skb);
		KUNIT_ASSERT_NOT_NULL(test, page);
	}
	skb_reserve(skb, 64);
	skb_reset_network_header(skb);
	skb_put_data(skb, p, head);
	memcpy(page_address(page), p + head, len - head);
	skb_add_rx_frag(skb, 0, page, 0, len - head + payload, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, skb_headlen(skb), head);

	KUNIT_EXPECT_EQ(test, parse_ipv4(skb, &t, &seg), TCPHS_PARSE_TCP);
	KUNIT_EXPECT_EQ(test, seg.seq, data.seq);
	KUNIT_EXPECT_EQ(test, seg.len, payload);
	KUNIT_EXPECT_EQ(test, ntohs(t.dport), 80);
	kfree_skb(skb);
}

static bool parse_table_up;

static int parse_suite_init(struct kunit_suite *suite)
{
	return tcphs_test_pernet_setup();
}

static void parse_exit(struct kunit *test)
{
	if (parse_table_up) {
		tcphs_test_flush_all();
		tcphs_table_exit();
		parse_table_up = false;
	}
	tcphs_loose = false;
}

static void parse_suite_exit(struct kunit_suite *suite)
{
	tcphs_test_pernet_teardown();
}

/*
 * Run one packet through a hook, which must accept it: built by @build, or a
 * TCP header @tcp between the test's two addresses (in reverse if @reply).
 */
static void hook_run(struct kunit *test, u8 family, unsigned int hook, struct net_device *in,
		     unsigned int (*build)(u8 *, unsigned int *), const struct pk_tcp *tcp,
		     bool reply)
{
	struct nf_hook_state state = { .hook = hook, .in = in, .net = &init_net };
	unsigned int len, payload = 0, verdict;
	struct sk_buff *skb;
	u8 *p;

	p = kunit_kzalloc(test, PKT_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	if (build) {
		len = build(p, &payload);
	} else if (family == AF_INET) {
		len = put_ipv4(p, 5, IPPROTO_TCP, 0, reply ? 0x0a000002 : 0x0a000001,
			       reply ? 0x0a000001 : 0x0a000002);
		len += put_tcp(p + len, tcp, NULL, 0);
	} else {
		len = put_ipv6(p, IPPROTO_TCP, reply ? 2 : 1, reply ? 1 : 2);
		len += put_tcp(p + len, tcp, NULL, 0);
	}
	skb = pk_skb(test, p, len, payload);
	rcu_read_lock();
	if (family == AF_INET)
		verdict = tcphs_hook_ipv4(NULL, skb, &state);
	else
		verdict = tcphs_hook_ipv6(NULL, skb, &state);
	rcu_read_unlock();
	kfree_skb(skb);
	KUNIT_EXPECT_EQ(test, verdict, NF_ACCEPT);
}

static u64 stat(enum tcphs_stat s)
{
	return tcphs_test_stat(&init_net, s);
}

/* Through the hooks: always NF_ACCEPT; counters and flows tell the rest. */
static void parse_through_hooks(struct kunit *test)
{
	const unsigned int out = NF_INET_LOCAL_OUT, pre = NF_INET_PRE_ROUTING;
	struct pk_tcp s = { .sport = 40000, .dport = 80, .seq = 5, .doff = 5,
			    .flags = TCPHS_SYN, .window = 100 };
	struct pk_tcp sa = { .sport = 80, .dport = 40000, .seq = 900, .ack = 6, .doff = 5,
			     .flags = TCPHS_SYN | TCPHS_ACK, .window = 100 };
	struct tcphs_tuple t = {};
	struct tcphs_flow *flow;
	unsigned int dir, state = 0;
	u32 hash;
	u64 packets;

	KUNIT_ASSERT_EQ(test, tcphs_table_init(256), 0);
	parse_table_up = true;
	tcphs_test_reset_net(&init_net);
	packets = stat(TCPHS_STAT_PACKETS);

	hook_run(test, AF_INET, out, NULL, b4_later_fragment, NULL, false);
	hook_run(test, AF_INET6, out, NULL, b6_later_fragment, NULL, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_FRAGMENTS), 2);
	hook_run(test, AF_INET, pre, NULL, b4_doff_small, NULL, false);
	hook_run(test, AF_INET6, pre, NULL, b6_truncated_tcp, NULL, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_MALFORMED), 2);
	hook_run(test, AF_INET, out, NULL, b4_udp, NULL, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_PACKETS), packets);

	/* A SYN opens a flow; its SYN-ACK, seen arriving, moves it on. */
	hook_run(test, AF_INET, out, NULL, NULL, &s, false);
	hook_run(test, AF_INET, pre, NULL, NULL, &sa, true);
	t.family = AF_INET;
	t.src.ip = htonl(0x0a000001);
	t.dst.ip = htonl(0x0a000002);
	t.sport = htons(40000);
	t.dport = htons(80);
	rcu_read_lock();
	flow = tcphs_flow_find(&init_net, &t, &dir, &hash);
	if (flow)
		state = READ_ONCE(flow->fsm.state);
	rcu_read_unlock();
	KUNIT_EXPECT_NOT_NULL(test, flow);
	KUNIT_EXPECT_EQ(test, state, TCPHS_STATE_SYN_RECV);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_NEW), 1);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_PACKETS), packets + 2);

	/* Loopback is counted at LOCAL_OUT only: PRE_ROUTING skips it. */
	hook_run(test, AF_INET, pre, init_net.loopback_dev, NULL, &s, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_PACKETS), packets + 2);

	/* A segment of no flow, with no SYN: ignored (not loose). */
	hook_run(test, AF_INET6, out, NULL, NULL, &data, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_IGNORED), 1);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_NEW), 1);

	/* Loose: the same segment starts a flow picked up mid-stream. */
	tcphs_loose = true;
	hook_run(test, AF_INET6, out, NULL, NULL, &data, false);
	tcphs_loose = false;
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_NEW), 2);
	KUNIT_EXPECT_EQ(test, atomic_read(&tcphs_pernet(&init_net)->count), 2);
	/* Every event takes a sequence number: SYN, SYN_ACK, ESTABLISHED. */
	KUNIT_EXPECT_EQ(test, atomic64_read(&tcphs_pernet(&init_net)->event_seq), 3);
}

static struct kunit_case parse_cases_list[] = {
	KUNIT_CASE_PARAM(parse_packet, parse_cases_gen_params),
	KUNIT_CASE(parse_nonlinear),
	KUNIT_CASE(parse_through_hooks),
	{}
};

static struct kunit_suite parse_suite = {
	.name = "tcphs_parse",
	.suite_init = parse_suite_init,
	.suite_exit = parse_suite_exit,
	.exit = parse_exit,
	.test_cases = parse_cases_list,
};

kunit_test_suite(parse_suite);
