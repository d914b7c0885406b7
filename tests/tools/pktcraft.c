// SPDX-License-Identifier: GPL-2.0
/*
 * pktcraft: send the TCP segments of a scenario file, built byte by byte,
 * for the tcphs tests.
 *
 *   pktcraft -i IFACE -d DST_MAC [-s SRC_MAC] [-g GAP_MS] [-w PCAP] [-n] FILE
 *	Send every segment of FILE, in order, as an Ethernet frame through an
 *	AF_PACKET socket on IFACE (one end of a veth pair: the frames enter
 *	the other end's namespace and pass its PRE_ROUTING hook). Both sides
 *	of the connection are played from here, so the exchange is exactly
 *	what FILE says. DST_MAC is the receiving interface's address; SRC_MAC
 *	defaults to IFACE's. GAP_MS (default 5) separates two segments. With
 *	-w the frames are also written to a pcap file; -n sends nothing (with
 *	-w: only write the file). The process pins itself to one CPU so that
 *	the frames are received in the order they were sent.
 *   pktcraft -e EXPR FILE
 *	Print the 32-bit value of a sequence expression (x+1, y-3, 42) with
 *	FILE's x and y.
 *
 * The scenario file, one item per line, '#' starts a comment:
 *
 *   family ipv4|ipv6		(default: from the addresses)
 *   client ADDR PORT		the opener
 *   server ADDR PORT		the responder
 *   x N			client's initial sequence number (0 ... 2^32-1)
 *   y N			server's initial sequence number
 *   ext LIST			IPv6 extension headers for every segment:
 *				hbh, dst, frag (an atomic fragment: offset 0,
 *				no more fragments), frag:N (offset N*8 bytes),
 *				in the order given; none
 *   DIR FLAGS SEQ ACK [KEY=VALUE]...
 *				one segment. DIR is c>s (client to server) or
 *				s>c (the arrow points at the receiver; c<s and
 *				s<c are accepted too). FLAGS are letters of
 *				S F R P A U E C ('.' for none). SEQ and ACK are
 *				expressions: x, y or a number, followed by
 *				+N or -N terms, modulo 2^32; '-' is 0. Keys:
 *				len=N payload bytes (default 0), win=N window
 *				(default 64240), ext=LIST as above for this
 *				segment, opts=LIST TCP options in order, from
 *				mss:N, sackok, ts:VAL:ECR, ws:N, nop, eol,
 *				tfo:HEX (fast open cookie), raw:HEX (any
 *				bytes), none (default);
 *				doff=N writes N (0 ... 15) as the data offset
 *				instead of the true one (a malformed header);
 *				IPv4 only: ipopts=N adds N words of IP options
 *				(NOPs), frag=N sends the segment as the last
 *				fragment at offset N*8 bytes. mf=1 sets "more
 *				fragments" (IPv4's MF, the M bit of IPv6
 *				fragment headers): with offset 0, a first
 *				fragment. csum=bad sends a wrong TCP checksum.
 *   event, expect, param	expectations and module parameters, for the
 *				test that runs the file; skipped here.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define MAX_SEGS	256
#define MAX_PAYLOAD	1400
#define MAX_OPTS	40
#define MAX_EXT		4
#define FRAME_MAX	1600

/* An extension header: its kind, and for a fragment header the offset << 8. */
enum { EXT_HBH = 1, EXT_DST, EXT_FRAG };

static int ext_proto(int e)
{
	switch (e & 0xff) {
	case EXT_HBH: return IPPROTO_HOPOPTS;
	case EXT_DST: return IPPROTO_DSTOPTS;
	default: return IPPROTO_FRAGMENT;
	}
}

struct seg {
	int line;
	bool to_server;		/* c>s */
	uint8_t flags;
	uint32_t seq, ack;
	uint16_t win;
	unsigned int len;
	uint8_t opts[MAX_OPTS];
	unsigned int optlen;
	int ext[MAX_EXT];
	int next;
	bool ext_set;
	int doff;		/* data offset field if >= 0, else the real one */
	unsigned int ipopts;	/* IPv4 options, in 4-byte words */
	int frag;		/* IPv4 fragment offset (8-byte units), or -1 */
	bool mf;		/* more fragments */
	bool bad_csum;		/* a wrong TCP checksum */
};

struct scenario {
	const char *file;
	int family;		/* AF_INET, AF_INET6, 0 unknown */
	unsigned char caddr[16], saddr[16];
	int cfam, sfam;
	uint16_t cport, sport;
	uint32_t x, y;
	bool have_x, have_y, have_client, have_server;
	int ext[MAX_EXT];
	int next;
	struct seg segs[MAX_SEGS];
	int nsegs;
};

static struct scenario sc;
static int cur_line;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));

static void die(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "pktcraft: ");
	if (cur_line)
		fprintf(stderr, "%s:%d: ", sc.file, cur_line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static unsigned long parse_num(const char *s, unsigned long max, const char *what)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 0);
	if (errno || end == s || *end || v > max || *s == '-')
		die("bad %s '%s'", what, s);
	return v;
}

/* x, y or a number, then +N / -N terms; '-' alone is 0. */
static uint32_t parse_expr(const char *s)
{
	uint32_t v;
	const char *p = s;

	if (!strcmp(s, "-"))
		return 0;
	if (*p == 'x' || *p == 'y') {
		if (*p == 'x' && !sc.have_x)
			die("'%s' uses x before the x line", s);
		if (*p == 'y' && !sc.have_y)
			die("'%s' uses y before the y line", s);
		v = *p == 'x' ? sc.x : sc.y;
		p++;
	} else {
		char *end;

		errno = 0;
		v = (uint32_t)strtoull(p, &end, 0);
		if (errno || end == p)
			die("bad number in '%s'", s);
		p = end;
	}
	while (*p) {
		int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0;
		unsigned long long n;
		char *end;

		if (!sign)
			die("bad expression '%s'", s);
		p++;
		errno = 0;
		n = strtoull(p, &end, 0);
		if (errno || end == p)
			die("bad expression '%s'", s);
		v = sign > 0 ? v + (uint32_t)n : v - (uint32_t)n;
		p = end;
	}
	return v;
}

static void parse_addr(const char *s, unsigned char *addr, int *fam)
{
	if (inet_pton(AF_INET, s, addr) == 1)
		*fam = AF_INET;
	else if (inet_pton(AF_INET6, s, addr) == 1)
		*fam = AF_INET6;
	else
		die("bad address '%s'", s);
}

static int parse_ext(const char *list, int *ext)
{
	char buf[128], *tok, *save = NULL;
	int n = 0;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (!strcmp(tok, "none"))
			continue;
		if (n == MAX_EXT)
			die("too many extension headers in '%s'", list);
		if (!strcmp(tok, "hbh"))
			ext[n++] = EXT_HBH;
		else if (!strcmp(tok, "dst"))
			ext[n++] = EXT_DST;
		else if (!strcmp(tok, "frag"))
			ext[n++] = EXT_FRAG;
		else if (!strncmp(tok, "frag:", 5))
			ext[n++] = EXT_FRAG | parse_num(tok + 5, 8191, "fragment offset") << 8;
		else
			die("unknown extension header '%s'", tok);
	}
	return n;
}

static void opt_add(struct seg *g, const uint8_t *b, unsigned int n)
{
	if (g->optlen + n > MAX_OPTS)
		die("TCP options longer than %d bytes", MAX_OPTS);
	memcpy(g->opts + g->optlen, b, n);
	g->optlen += n;
}

static void parse_opts(struct seg *g, const char *list)
{
	char buf[256], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *arg = strchr(tok, ':');
		uint8_t b[MAX_OPTS];

		if (arg)
			*arg++ = '\0';
		if (!strcmp(tok, "none")) {
			continue;
		} else if (!strcmp(tok, "nop")) {
			b[0] = 1;
			opt_add(g, b, 1);
		} else if (!strcmp(tok, "eol")) {
			b[0] = 0;
			opt_add(g, b, 1);
		} else if (!strcmp(tok, "mss") && arg) {
			unsigned long v = parse_num(arg, 0xffff, "mss");

			b[0] = 2; b[1] = 4; b[2] = v >> 8; b[3] = v;
			opt_add(g, b, 4);
		} else if (!strcmp(tok, "sackok")) {
			b[0] = 4; b[1] = 2;
			opt_add(g, b, 2);
		} else if (!strcmp(tok, "ws") && arg) {
			b[0] = 3; b[1] = 3; b[2] = parse_num(arg, 14, "window scale");
			opt_add(g, b, 3);
		} else if (!strcmp(tok, "ts") && arg) {
			char *ecr = strchr(arg, ':');
			uint32_t val, e = 0;

			if (ecr)
				*ecr++ = '\0';
			val = parse_num(arg, 0xffffffffUL, "timestamp");
			if (ecr)
				e = parse_num(ecr, 0xffffffffUL, "timestamp echo");
			b[0] = 8; b[1] = 10;
			b[2] = val >> 24; b[3] = val >> 16; b[4] = val >> 8; b[5] = val;
			b[6] = e >> 24; b[7] = e >> 16; b[8] = e >> 8; b[9] = e;
			opt_add(g, b, 10);
		} else if (!strcmp(tok, "tfo") && arg) {
			unsigned int i, n = strlen(arg);

			if (n % 2 || n < 8 || n > 32)
				die("tfo cookie must be 4 to 16 bytes in hex: '%s'", arg);
			b[0] = 34; b[1] = 2 + n / 2;
			for (i = 0; i < n / 2; i++) {
				char h[3] = { arg[2 * i], arg[2 * i + 1], 0 };

				if (!isxdigit((unsigned char)h[0]) || !isxdigit((unsigned char)h[1]))
					die("bad tfo cookie '%s'", arg);
				b[2 + i] = strtoul(h, NULL, 16);
			}
			opt_add(g, b, 2 + n / 2);
		} else if (!strcmp(tok, "raw") && arg) {
			/* any bytes: options of length 0 or 1, or too long */
			unsigned int i, n = strlen(arg);

			if (n % 2 || !n || n / 2 > MAX_OPTS)
				die("raw options must be 1 to %d bytes in hex: '%s'", MAX_OPTS, arg);
			for (i = 0; i < n / 2; i++) {
				char h[3] = { arg[2 * i], arg[2 * i + 1], 0 };

				if (!isxdigit((unsigned char)h[0]) || !isxdigit((unsigned char)h[1]))
					die("bad raw options '%s'", arg);
				b[i] = strtoul(h, NULL, 16);
			}
			opt_add(g, b, n / 2);
		} else {
			die("unknown TCP option '%s'", tok);
		}
	}
}

static uint8_t parse_flags(const char *s)
{
	static const char letters[] = "FSRPAUEC";
	uint8_t f = 0;

	if (!strcmp(s, ".") || !strcmp(s, "-"))
		return 0;
	for (; *s; s++) {
		const char *p = strchr(letters, *s);

		if (!p)
			die("unknown flag letter '%c'", *s);
		f |= 1 << (p - letters);
	}
	return f;
}

static void parse_segment(char **tok, int ntok, bool to_server)
{
	struct seg *g;
	int i;

	if (sc.nsegs == MAX_SEGS)
		die("more than %d segments", MAX_SEGS);
	if (ntok < 4)
		die("a segment needs DIR FLAGS SEQ ACK");
	g = &sc.segs[sc.nsegs++];
	memset(g, 0, sizeof(*g));
	g->line = cur_line;
	g->to_server = to_server;
	g->flags = parse_flags(tok[1]);
	g->seq = parse_expr(tok[2]);
	g->ack = parse_expr(tok[3]);
	g->win = 64240;
	g->doff = -1;
	g->frag = -1;
	for (i = 4; i < ntok; i++) {
		char *v = strchr(tok[i], '=');

		if (!v)
			die("expected KEY=VALUE, got '%s'", tok[i]);
		*v++ = '\0';
		if (!strcmp(tok[i], "len"))
			g->len = parse_num(v, MAX_PAYLOAD, "len");
		else if (!strcmp(tok[i], "ipopts"))
			g->ipopts = parse_num(v, 10, "ipopts");
		else if (!strcmp(tok[i], "frag"))
			g->frag = parse_num(v, 8191, "frag");
		else if (!strcmp(tok[i], "mf"))
			g->mf = parse_num(v, 1, "mf");
		else if (!strcmp(tok[i], "csum")) {
			if (strcmp(v, "bad"))
				die("csum can only be 'bad', not '%s'", v);
			g->bad_csum = true;
		} else if (!strcmp(tok[i], "doff"))
			g->doff = parse_num(v, 15, "doff");
		else if (!strcmp(tok[i], "win"))
			g->win = parse_num(v, 0xffff, "win");
		else if (!strcmp(tok[i], "opts"))
			parse_opts(g, v);
		else if (!strcmp(tok[i], "ext")) {
			g->next = parse_ext(v, g->ext);
			g->ext_set = true;
		} else
			die("unknown key '%s'", tok[i]);
	}
}

static void parse_file(const char *file)
{
	char line[1024];
	FILE *fp;

	sc.file = file;
	fp = fopen(file, "r");
	if (!fp) {
		perror(file);
		exit(1);
	}
	while (fgets(line, sizeof(line), fp)) {
		char *tok[32], *p, *save = NULL;
		int n = 0;

		cur_line++;
		p = strchr(line, '#');
		if (p)
			*p = '\0';
		for (p = strtok_r(line, " \t\r\n", &save); p && n < 32;
		     p = strtok_r(NULL, " \t\r\n", &save))
			tok[n++] = p;
		if (!n)
			continue;
		if (!strcmp(tok[0], "event") || !strcmp(tok[0], "expect") ||
		    !strcmp(tok[0], "param"))
			continue;
		if (!strcmp(tok[0], "c>s") || !strcmp(tok[0], "s<c")) {
			parse_segment(tok, n, true);
		} else if (!strcmp(tok[0], "s>c") || !strcmp(tok[0], "c<s")) {
			parse_segment(tok, n, false);
		} else if (!strcmp(tok[0], "family") && n == 2) {
			if (!strcmp(tok[1], "ipv4"))
				sc.family = AF_INET;
			else if (!strcmp(tok[1], "ipv6"))
				sc.family = AF_INET6;
			else
				die("family is ipv4 or ipv6");
		} else if ((!strcmp(tok[0], "client") || !strcmp(tok[0], "server")) && n == 3) {
			bool c = tok[0][0] == 'c';

			parse_addr(tok[1], c ? sc.caddr : sc.saddr, c ? &sc.cfam : &sc.sfam);
			*(c ? &sc.cport : &sc.sport) = parse_num(tok[2], 65535, "port");
			*(c ? &sc.have_client : &sc.have_server) = true;
		} else if (!strcmp(tok[0], "x") && n == 2) {
			sc.x = parse_num(tok[1], 0xffffffffUL, "x");
			sc.have_x = true;
		} else if (!strcmp(tok[0], "y") && n == 2) {
			sc.y = parse_num(tok[1], 0xffffffffUL, "y");
			sc.have_y = true;
		} else if (!strcmp(tok[0], "ext") && n == 2) {
			sc.next = parse_ext(tok[1], sc.ext);
		} else {
			die("cannot parse '%s'", tok[0]);
		}
	}
	fclose(fp);
	cur_line = 0;
	if (!sc.have_client || !sc.have_server)
		die("%s: needs client and server lines", file);
	if (sc.cfam != sc.sfam)
		die("%s: client and server of different families", file);
	if (sc.family && sc.family != sc.cfam)
		die("%s: family does not match the addresses", file);
	sc.family = sc.cfam;
}

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (p[i] << 8) | p[i + 1];
	if (len & 1)
		sum += p[len - 1] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* One Ethernet frame for segment @g; returns its length. */
static size_t build(const struct seg *g, const uint8_t *dmac, const uint8_t *smac,
		    uint8_t *f)
{
	const unsigned char *src = g->to_server ? sc.caddr : sc.saddr;
	const unsigned char *dst = g->to_server ? sc.saddr : sc.caddr;
	uint16_t sport = g->to_server ? sc.cport : sc.sport;
	uint16_t dport = g->to_server ? sc.sport : sc.cport;
	static uint16_t ip_id = 1;
	unsigned int optpad = (g->optlen + 3) & ~3u;
	unsigned int thlen = 20 + optpad, tcplen = thlen + g->len;
	const int *ext = g->ext_set ? g->ext : sc.ext;
	int next = g->ext_set ? g->next : sc.next;
	uint8_t *ip = f + 14, *th;
	uint32_t sum;
	unsigned int i;

	memcpy(f, dmac, 6);
	memcpy(f + 6, smac, 6);
	if (sc.family == AF_INET) {
		put16(f + 12, ETH_P_IP);
		unsigned int ihl = 20 + 4 * g->ipopts;

		memset(ip, 0, ihl);
		ip[0] = 0x40 | ihl / 4;
		put16(ip + 2, ihl + tcplen);
		put16(ip + 4, ip_id++);
		/* DF, or a fragment at the given offset (the last unless mf). */
		put16(ip + 6, (g->frag >= 0 ? g->frag : g->mf ? 0 : 0x4000) |
			      (g->mf ? 0x2000 : 0));
		ip[8] = 64;
		ip[9] = IPPROTO_TCP;
		memcpy(ip + 12, src, 4);
		memcpy(ip + 16, dst, 4);
		/* Options: NOPs, the last one an end of list. */
		memset(ip + 20, 1, ihl - 20);
		if (ihl > 20)
			ip[ihl - 1] = 0;
		put16(ip + 10, csum_fold(csum_add(0, ip, ihl)));
		th = ip + ihl;
	} else {
		uint8_t *h;
		int k;

		put16(f + 12, ETH_P_IPV6);
		memset(ip, 0, 40);
		ip[0] = 0x60;
		put16(ip + 4, next * 8 + tcplen);
		ip[7] = 64;
		memcpy(ip + 8, src, 16);
		memcpy(ip + 24, dst, 16);
		/*
		 * Each extension header is 8 bytes: options headers hold one
		 * PadN option; a fragment header has the given offset (in
		 * 8-byte units), no more fragments, identification 1.
		 */
		h = ip + 40;
		ip[6] = next ? ext_proto(ext[0]) : IPPROTO_TCP;
		for (k = 0; k < next; k++, h += 8) {
			memset(h, 0, 8);
			h[0] = k + 1 < next ? ext_proto(ext[k + 1]) : IPPROTO_TCP;
			if ((ext[k] & 0xff) == EXT_FRAG) {
				put16(h + 2, (ext[k] >> 8) << 3 | g->mf);
				put32(h + 4, 1);
			} else {
				h[2] = 1;	/* PadN */
				h[3] = 4;
			}
		}
		th = h;
	}

	memset(th, 0, thlen);
	put16(th, sport);
	put16(th + 2, dport);
	put32(th + 4, g->seq);
	put32(th + 8, g->ack);
	th[12] = (g->doff >= 0 ? (unsigned int)g->doff : thlen / 4) << 4;
	th[13] = g->flags;
	put16(th + 14, g->win);
	memcpy(th + 20, g->opts, g->optlen);	/* padded with EOL (0) */
	for (i = 0; i < g->len; i++)
		th[thlen + i] = 'a' + i % 26;

	/* Pseudo-header, then the segment. */
	if (sc.family == AF_INET) {
		uint8_t ph[12];

		memcpy(ph, src, 4);
		memcpy(ph + 4, dst, 4);
		ph[8] = 0;
		ph[9] = IPPROTO_TCP;
		put16(ph + 10, tcplen);
		sum = csum_add(0, ph, 12);
	} else {
		uint8_t ph[40];

		memcpy(ph, src, 16);
		memcpy(ph + 16, dst, 16);
		put32(ph + 32, tcplen);
		ph[36] = ph[37] = ph[38] = 0;
		ph[39] = IPPROTO_TCP;
		sum = csum_add(0, ph, 40);
	}
	sum = csum_add(sum, th, tcplen);
	put16(th + 16, csum_fold(sum) ^ (g->bad_csum ? 0x0101 : 0));
	return th + tcplen - f;
}

static void parse_mac(const char *s, uint8_t *mac)
{
	unsigned int b[6], i;
	char extra;

	if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4], &b[5],
		   &extra) != 6)
		die("bad MAC address '%s'", s);
	for (i = 0; i < 6; i++) {
		if (b[i] > 255)
			die("bad MAC address '%s'", s);
		mac[i] = b[i];
	}
}

static void pcap_write(FILE *fp, const uint8_t *frame, size_t len)
{
	struct timeval tv;
	uint32_t rec[4];

	gettimeofday(&tv, NULL);
	rec[0] = tv.tv_sec;
	rec[1] = tv.tv_usec;
	rec[2] = len;
	rec[3] = len;
	if (fwrite(rec, sizeof(rec), 1, fp) != 1 || fwrite(frame, len, 1, fp) != 1)
		die("writing the pcap file failed");
}

static void usage(void)
{
	fprintf(stderr,
		"usage: pktcraft -i IFACE -d DST_MAC [-s SRC_MAC] [-g GAP_MS] [-w PCAP] [-n] FILE\n"
		"       pktcraft -e EXPR FILE\n");
	exit(64);
}

int main(int argc, char **argv)
{
	const char *iface = NULL, *dmac_s = NULL, *smac_s = NULL, *pcap = NULL, *expr = NULL;
	uint8_t dmac[6], smac[6], frame[FRAME_MAX];
	struct sockaddr_ll sll = { .sll_family = AF_PACKET };
	bool dry = false;
	long gap_ms = 5;
	FILE *pfp = NULL;
	int c, fd = -1, i;

	while ((c = getopt(argc, argv, "i:d:s:g:w:ne:")) != -1) {
		switch (c) {
		case 'i': iface = optarg; break;
		case 'd': dmac_s = optarg; break;
		case 's': smac_s = optarg; break;
		case 'g': gap_ms = parse_num(optarg, 60000, "gap"); break;
		case 'w': pcap = optarg; break;
		case 'n': dry = true; break;
		case 'e': expr = optarg; break;
		default: usage();
		}
	}
	if (optind + 1 != argc)
		usage();
	parse_file(argv[optind]);

	if (expr) {
		printf("%u\n", parse_expr(expr));
		return 0;
	}

	if (!dry && (!iface || !dmac_s))
		usage();
	memset(dmac, 0xff, 6);
	memset(smac, 0x02, 6);
	if (dmac_s)
		parse_mac(dmac_s, dmac);
	if (smac_s)
		parse_mac(smac_s, smac);

	if (!dry) {
		struct ifreq ifr = { 0 };
		cpu_set_t set;

		fd = socket(AF_PACKET, SOCK_RAW, 0);
		if (fd < 0)
			die("socket(AF_PACKET): %s", strerror(errno));
		snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", iface);
		if (ioctl(fd, SIOCGIFINDEX, &ifr) < 0)
			die("%s: %s", iface, strerror(errno));
		sll.sll_ifindex = ifr.ifr_ifindex;
		if (!smac_s) {
			if (ioctl(fd, SIOCGIFHWADDR, &ifr) < 0)
				die("%s: %s", iface, strerror(errno));
			memcpy(smac, ifr.ifr_hwaddr.sa_data, 6);
		}
		sll.sll_halen = 6;
		memcpy(sll.sll_addr, dmac, 6);
		sll.sll_protocol = htons(sc.family == AF_INET ? ETH_P_IP : ETH_P_IPV6);

		/* One CPU: frames are received (netif_rx) in sending order. */
		CPU_ZERO(&set);
		if (sched_getaffinity(0, sizeof(set), &set) == 0) {
			int cpu = 0;

			while (cpu < CPU_SETSIZE && !CPU_ISSET(cpu, &set))
				cpu++;
			CPU_ZERO(&set);
			CPU_SET(cpu, &set);
			sched_setaffinity(0, sizeof(set), &set);
		}
	}

	if (pcap) {
		uint32_t hdr[6] = { 0xa1b2c3d4, 0x00040002, 0, 0, 65535, 1 };

		pfp = fopen(pcap, "wb");
		if (!pfp || fwrite(hdr, sizeof(hdr), 1, pfp) != 1)
			die("%s: %s", pcap, strerror(errno));
	}

	for (i = 0; i < sc.nsegs; i++) {
		size_t len = build(&sc.segs[i], dmac, smac, frame);

		if (pfp)
			pcap_write(pfp, frame, len);
		if (!dry) {
			if (i && gap_ms) {
				struct timespec ts = { gap_ms / 1000, gap_ms % 1000 * 1000000L };

				nanosleep(&ts, NULL);
			}
			if (sendto(fd, frame, len, 0, (struct sockaddr *)&sll, sizeof(sll)) !=
			    (ssize_t)len)
				die("line %d: sendto: %s", sc.segs[i].line, strerror(errno));
		}
	}
	if (pfp && fclose(pfp))
		die("%s: %s", pcap, strerror(errno));
	if (fd >= 0)
		close(fd);
	return 0;
}
