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

/* Offset 0 and no more fragments: a whole segment in a fragment header. */
static unsigned int b6_atomic_fragment(u8 *p, unsigned int *payload)
{
	unsigned int n = put_ipv6(p, NEXTHDR_FRAGMENT, 1, 2);

	n += put_frag(p + n, IPPROTO_TCP, 0);
	((struct frag_hdr *)(p + n - sizeof(struct frag_hdr)))->frag_off = 0;
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
	PC(AF_INET, "v4-first-fragment", FRAGMENT, 0, b4_first_fragment),
	PC(AF_INET, "v4-udp", OTHER, 0, b4_udp),
	PC(AF_INET, "v4-truncated-ip-header", OTHER, 0, b4_truncated_ip),
	PC(AF_INET6, "v6-data", TCP, 100, b6_plain),
	PC(AF_INET6, "v6-extension-headers", TCP, 33, b6_ext_chain),
	PC(AF_INET6, "v6-first-fragment", FRAGMENT, 0, b6_first_fragment),
	PC(AF_INET6, "v6-atomic-fragment", TCP, 100, b6_atomic_fragment),
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
	struct tcphs_pkt pk = {};
	struct tcphs_tuple *t = &pk.t;
	struct tcphs_seg *sg = &pk.seg;
	unsigned int len, payload = 0;
	struct sk_buff *skb;
	u8 *p;

	p = kunit_kzalloc(test, PKT_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	len = c->build(p, &payload);
	KUNIT_ASSERT_LE(test, len, PKT_MAX);
	skb = pk_skb(test, p, len, payload);

	if (c->family == AF_INET)
		KUNIT_EXPECT_EQ(test, parse_ipv4(skb, &pk), c->want);
	else
		KUNIT_EXPECT_EQ(test, parse_ipv6(skb, &pk), c->want);
	kfree_skb(skb);
	if (c->want != TCPHS_PARSE_TCP)
		return;

	KUNIT_EXPECT_EQ(test, t->family, c->family);
	KUNIT_EXPECT_EQ(test, sg->len, c->len);
	if (c->family == AF_INET) {
		KUNIT_EXPECT_EQ(test, ntohl(t->src.ip), 0x0a000001);
		KUNIT_EXPECT_EQ(test, ntohl(t->dst.ip), 0x0a000002);
	} else {
		KUNIT_EXPECT_EQ(test, t->src.in6.s6_addr[0], 0xfd);
		KUNIT_EXPECT_EQ(test, t->src.in6.s6_addr[15], 1);
		KUNIT_EXPECT_EQ(test, t->dst.in6.s6_addr[15], 2);
	}
	KUNIT_EXPECT_EQ(test, ntohs(t->sport), 40000);
	KUNIT_EXPECT_EQ(test, ntohs(t->dport), 80);
	if (sg->flags == TCPHS_SYN) {
		KUNIT_EXPECT_EQ(test, sg->seq, syn.seq);
		KUNIT_EXPECT_EQ(test, sg->ack, 0);
		KUNIT_EXPECT_EQ(test, sg->window, syn.window);
		/* syn_opts ends with a window scale of 7. */
		KUNIT_EXPECT_EQ(test, sg->wscale, 7);
	} else {
		KUNIT_EXPECT_EQ(test, sg->wscale, TCPHS_WSCALE_NONE);
		KUNIT_EXPECT_EQ(test, sg->flags, data.flags);
		KUNIT_EXPECT_EQ(test, sg->seq, data.seq);
		KUNIT_EXPECT_EQ(test, sg->ack, data.ack);
		KUNIT_EXPECT_EQ(test, sg->window, data.window);
	}
}

/* A header split across the linear part and a page: still parsed. */
static void parse_nonlinear(struct kunit *test)
{
	unsigned int len, payload = 0, head = 30;
	struct tcphs_pkt pk = {};
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

	KUNIT_EXPECT_EQ(test, parse_ipv4(skb, &pk), TCPHS_PARSE_TCP);
	KUNIT_EXPECT_EQ(test, pk.seg.seq, data.seq);
	KUNIT_EXPECT_EQ(test, pk.seg.len, payload);
	KUNIT_EXPECT_EQ(test, ntohs(pk.t.dport), 80);
	kfree_skb(skb);
}

/* ------------------------------------------------------ window scale -- */

struct ws_case {
	const char *name;
	u8 opts[12];
	u8 len;
	u8 want;
};

static const struct ws_case ws_cases[] = {
	{ "none", {}, 0, TCPHS_WSCALE_NONE },
	{ "alone", { 3, 3, 7, 0 }, 4, 7 },
	{ "after-nops-and-mss", { 1, 1, 2, 4, 5, 0xb4, 3, 3, 14, 0, 0, 0 }, 12, 14 },
	{ "too-large-kept-as-sent", { 3, 3, 200, 0 }, 4, 200 },
	{ "wrong-length", { 3, 2, 1, 1 }, 4, TCPHS_WSCALE_NONE },
	{ "after-end-of-list", { 0, 3, 3, 7 }, 4, TCPHS_WSCALE_NONE },
	{ "after-zero-length-option", { 8, 0, 3, 3, 7, 0, 0, 0 }, 8, TCPHS_WSCALE_NONE },
	{ "cut-by-header-end", { 1, 1, 1, 3 }, 4, TCPHS_WSCALE_NONE },
	{ "option-runs-past-end", { 8, 10, 3, 3, 7, 0, 0, 0 }, 8, TCPHS_WSCALE_NONE },
};

static void ws_case_desc(const struct ws_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(ws_cases, ws_cases, ws_case_desc);

/* The window scale option of a SYN, however the options around it look. */
static void parse_window_scale(struct kunit *test)
{
	const struct ws_case *c = test->param_value;
	struct pk_tcp t = syn;
	struct tcphs_pkt pk = {};
	struct sk_buff *skb;
	unsigned int n;
	u8 *p;

	p = kunit_kzalloc(test, PKT_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	t.doff = 5 + c->len / 4;
	n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);
	n += put_tcp(p + n, &t, c->opts, c->len);
	skb = pk_skb(test, p, n, 0);
	KUNIT_EXPECT_EQ(test, parse_ipv4(skb, &pk), TCPHS_PARSE_TCP);
	KUNIT_EXPECT_EQ(test, pk.seg.wscale, c->want);
	kfree_skb(skb);
}

/* --------------------------------------------------------- checksums -- */

/* Fill in the TCP checksum of the IPv4 or IPv6 packet at @p, @len long. */
static void put_tcp_csum(u8 *p, unsigned int len, u8 family, unsigned int payload)
{
	unsigned int thoff = family == AF_INET ? 20 : 40, tlen = len - thoff + payload;
	struct tcphdr *th = (struct tcphdr *)(p + thoff);
	__wsum sum;

	th->check = 0;
	sum = csum_partial(th, len - thoff, 0);	/* the payload is zeros */
	if (family == AF_INET) {
		const struct iphdr *iph = (const struct iphdr *)p;

		th->check = csum_tcpudp_magic(iph->saddr, iph->daddr, tlen, IPPROTO_TCP, sum);
	} else {
		const struct ipv6hdr *ip6h = (const struct ipv6hdr *)p;

		th->check = csum_ipv6_magic(&ip6h->saddr, &ip6h->daddr, tlen, IPPROTO_TCP, sum);
	}
}

enum { CS_GOOD, CS_BAD };

struct csum_case {
	const char *name;
	u8 family;
	u8 hook;
	u8 ip_summed;
	u8 packet;		/* CS_GOOD, CS_BAD */
	bool complete_wrong;	/* CHECKSUM_COMPLETE: a device sum that is wrong */
	bool want;		/* csum_good() */
};

#define CC(n, f, h, s, pk, cw, w) { .name = n, .family = f, .hook = NF_INET_##h, \
	.ip_summed = CHECKSUM_##s, .packet = CS_##pk, .complete_wrong = cw, .want = w }

static const struct csum_case csum_cases[] = {
	CC("v4-none-good", AF_INET, PRE_ROUTING, NONE, GOOD, false, true),
	CC("v4-none-bad", AF_INET, PRE_ROUTING, NONE, BAD, false, false),
	CC("v4-unnecessary-trusted", AF_INET, PRE_ROUTING, UNNECESSARY, BAD, false, true),
	CC("v4-partial-is-local", AF_INET, PRE_ROUTING, PARTIAL, BAD, false, true),
	CC("v4-complete-good", AF_INET, PRE_ROUTING, COMPLETE, GOOD, false, true),
	CC("v4-complete-bad", AF_INET, PRE_ROUTING, COMPLETE, BAD, false, false),
	CC("v4-complete-device-wrong", AF_INET, PRE_ROUTING, COMPLETE, GOOD, true, true),
	CC("v4-local-out-not-checked", AF_INET, LOCAL_OUT, NONE, BAD, false, true),
	CC("v6-none-good", AF_INET6, PRE_ROUTING, NONE, GOOD, false, true),
	CC("v6-none-bad", AF_INET6, PRE_ROUTING, NONE, BAD, false, false),
	CC("v6-complete-good", AF_INET6, PRE_ROUTING, COMPLETE, GOOD, false, true),
	CC("v6-complete-bad", AF_INET6, PRE_ROUTING, COMPLETE, BAD, false, false),
};

static void csum_case_desc(const struct csum_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(csum_cases, csum_cases, csum_case_desc);

/* Which segments count as damaged, whoever checked them before. */
static void parse_checksum(struct kunit *test)
{
	const struct csum_case *c = test->param_value;
	struct nf_hook_state state = { .hook = c->hook, .net = &init_net };
	struct tcphs_pkt pk = {};
	unsigned int n, payload = 100;
	struct sk_buff *skb;
	u8 *p;

	p = kunit_kzalloc(test, PKT_MAX, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, p);
	if (c->family == AF_INET)
		n = put_ipv4(p, 5, IPPROTO_TCP, 0, 0x0a000001, 0x0a000002);
	else
		n = put_ipv6(p, IPPROTO_TCP, 1, 2);
	n += put_tcp(p + n, &data, NULL, 0);
	put_tcp_csum(p, n, c->family, payload);
	if (c->packet == CS_BAD)
		p[n - 1] ^= 0x40;	/* a bit of the window flipped on the way */
	skb = pk_skb(test, p, n, payload);
	skb->ip_summed = c->ip_summed;
	if (c->ip_summed == CHECKSUM_PARTIAL) {
		skb->csum_start = skb_headroom(skb) + n - 20;
		skb->csum_offset = offsetof(struct tcphdr, check);
	}
	if (c->ip_summed == CHECKSUM_COMPLETE)
		skb->csum = c->complete_wrong ? (__force __wsum)0x1234 :
						skb_checksum(skb, 0, skb->len, 0);
	KUNIT_ASSERT_EQ(test, c->family == AF_INET ? parse_ipv4(skb, &pk) : parse_ipv6(skb, &pk),
			TCPHS_PARSE_TCP);
	KUNIT_EXPECT_EQ(test, csum_good(skb, &state, &pk), c->want);
	/* Looked at, not changed. */
	KUNIT_EXPECT_EQ(test, (unsigned int)skb->ip_summed, c->ip_summed);
	kfree_skb(skb);
}

/* ------------------------------------------------------------ NAT ---- */

/*
 * A reply conntrack translated is tracked under the original tuple turned
 * round, and says how the connection looks past the translation. The entry
 * is made by hand: only its tuples and the skb's pointer to it are read.
 */
static void parse_untranslate(struct kunit *test)
{
#if IS_ENABLED(CONFIG_NF_CONNTRACK)
	struct nf_conntrack_tuple *o;
	struct tcphs_tuple t, wire;
	struct tcphs_xlat x;
	struct sk_buff *skb;
	struct nf_conn *ct;

	ct = kunit_kzalloc(test, sizeof(*ct), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ct);
	skb = alloc_skb(64, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, skb);
	/* The client 10.1.0.2:40000 asked for 10.1.0.1:8080 ... */
	o = &ct->tuplehash[IP_CT_DIR_ORIGINAL].tuple;
	o->src.l3num = AF_INET;
	o->src.u3.ip = htonl(0x0a010002);
	o->src.u.tcp.port = htons(40000);
	o->dst.u3.ip = htonl(0x0a010001);
	o->dst.u.tcp.port = htons(8080);
	o->dst.protonum = IPPROTO_TCP;
	/* ... and the server 10.2.0.2:80 answers the router's 10.2.0.1:50000. */
	wire = (struct tcphs_tuple){ .family = AF_INET, .sport = htons(80),
				     .dport = htons(50000) };
	wire.src.ip = htonl(0x0a020002);
	wire.dst.ip = htonl(0x0a020001);

	skb->_nfct = (unsigned long)ct | IP_CT_ESTABLISHED_REPLY;
	t = wire;
	KUNIT_EXPECT_TRUE(test, untranslate(skb, &t, &x));
	KUNIT_EXPECT_EQ(test, ntohl(t.src.ip), 0x0a010001);
	KUNIT_EXPECT_EQ(test, ntohs(t.sport), 8080);
	KUNIT_EXPECT_EQ(test, ntohl(t.dst.ip), 0x0a010002);
	KUNIT_EXPECT_EQ(test, ntohs(t.dport), 40000);
	/* Past the translation, originator first: the server's view. */
	KUNIT_EXPECT_EQ(test, ntohl(x.src.ip), 0x0a020001);
	KUNIT_EXPECT_EQ(test, ntohs(x.sport), 50000);
	KUNIT_EXPECT_EQ(test, ntohl(x.dst.ip), 0x0a020002);
	KUNIT_EXPECT_EQ(test, ntohs(x.dport), 80);

	/* The original direction already carries the tuple. */
	skb->_nfct = (unsigned long)ct | IP_CT_ESTABLISHED;
	t = wire;
	KUNIT_EXPECT_FALSE(test, untranslate(skb, &t, &x));
	KUNIT_EXPECT_EQ(test, memcmp(&t, &wire, sizeof(t)), 0);

	/* A reply of an untranslated connection: the same tuple, no NAT. */
	o->src.u3.ip = wire.dst.ip;
	o->src.u.tcp.port = wire.dport;
	o->dst.u3.ip = wire.src.ip;
	o->dst.u.tcp.port = wire.sport;
	skb->_nfct = (unsigned long)ct | IP_CT_ESTABLISHED_REPLY;
	t = wire;
	KUNIT_EXPECT_FALSE(test, untranslate(skb, &t, &x));
	KUNIT_EXPECT_EQ(test, memcmp(&t, &wire, sizeof(t)), 0);

	/* Another family, a template, no entry: the packet's own tuple. */
	o->src.l3num = AF_INET6;
	t = wire;
	KUNIT_EXPECT_FALSE(test, untranslate(skb, &t, &x));
	o->src.l3num = AF_INET;
	o->src.u3.ip = htonl(0x0a010002);
	__set_bit(IPS_TEMPLATE_BIT, &ct->status);
	KUNIT_EXPECT_FALSE(test, untranslate(skb, &t, &x));
	skb->_nfct = 0;
	KUNIT_EXPECT_FALSE(test, untranslate(skb, &t, &x));
	KUNIT_EXPECT_EQ(test, memcmp(&t, &wire, sizeof(t)), 0);
	kfree_skb(skb);
#else
	kunit_skip(test, "no conntrack in this kernel");
#endif
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

/* hook_run() damages the checksum of its next TCP header on request. */
static bool hook_run_bad_csum;

/*
 * Run one packet through a hook, which must accept it: built by @build
 * (marked as checked by the device), or a TCP header @tcp between the
 * test's two addresses (in reverse if @reply) with its checksum, left for
 * tcphs to check.
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
	if (!build) {
		put_tcp_csum(p, len, family, payload);
		if (hook_run_bad_csum)
			p[len - 1] ^= 1;
		hook_run_bad_csum = false;
	}
	skb = pk_skb(test, p, len, payload);
	if (build)
		skb->ip_summed = CHECKSUM_UNNECESSARY;
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
	char hist[TCPHS_HISTORY_LEN] = "";
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
	hook_run(test, AF_INET, pre, NULL, b4_first_fragment, NULL, false);
	hook_run(test, AF_INET6, pre, NULL, b6_first_fragment, NULL, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_FRAGMENTS), 4);
	hook_run(test, AF_INET, pre, NULL, b4_doff_small, NULL, false);
	hook_run(test, AF_INET6, pre, NULL, b6_truncated_tcp, NULL, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_MALFORMED), 2);
	hook_run(test, AF_INET, out, NULL, b4_udp, NULL, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_PACKETS), packets);

	/* A damaged SYN arriving opens nothing: counted, no flow. */
	hook_run_bad_csum = true;
	hook_run(test, AF_INET, pre, NULL, NULL, &s, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_BAD_CHECKSUM), 1);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_NEW), 0);

	/* A SYN opens a flow; its SYN-ACK, seen arriving, moves it on. */
	hook_run(test, AF_INET, out, NULL, NULL, &s, false);
	/* Not a damaged copy of it: that only marks the history. */
	hook_run_bad_csum = true;
	hook_run(test, AF_INET, pre, NULL, NULL, &sa, true);
	hook_run(test, AF_INET, pre, NULL, NULL, &sa, true);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_BAD_CHECKSUM), 2);
	t.family = AF_INET;
	t.src.ip = htonl(0x0a000001);
	t.dst.ip = htonl(0x0a000002);
	t.sport = htons(40000);
	t.dport = htons(80);
	rcu_read_lock();
	flow = tcphs_flow_find(&init_net, &t, &dir, &hash);
	if (flow) {
		state = READ_ONCE(flow->fsm.state);
		tcphs_history_str(&flow->hist, hist);
	}
	rcu_read_unlock();
	KUNIT_EXPECT_NOT_NULL(test, flow);
	KUNIT_EXPECT_EQ(test, state, TCPHS_STATE_SYN_RECV);
	KUNIT_EXPECT_STREQ(test, hist, "Sch");
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_NEW), 1);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_PACKETS), packets + 4);

	/* Loopback is counted at LOCAL_OUT only: PRE_ROUTING skips it. */
	hook_run(test, AF_INET, pre, init_net.loopback_dev, NULL, &s, false);
	KUNIT_EXPECT_EQ(test, stat(TCPHS_STAT_PACKETS), packets + 4);

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
	KUNIT_CASE_PARAM(parse_window_scale, ws_cases_gen_params),
	KUNIT_CASE_PARAM(parse_checksum, csum_cases_gen_params),
	KUNIT_CASE(parse_untranslate),
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
