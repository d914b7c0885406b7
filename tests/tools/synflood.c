// SPDX-License-Identifier: GPL-2.0
/*
 * synflood: send many TCP segments with distinct tuples, fast, through a
 * raw IPv4 socket (so they pass LOCAL_OUT of the sending namespace), for
 * the tcphs benchmarks and flood tests.
 *
 *   synflood SRC DST COUNT [options]
 *
 * Segment i goes from SRC:(1024 + i % 60000) to (DST + i / 60000):PORT, so
 * COUNT segments make COUNT distinct flows. Route DST's range to a dummy
 * interface so nothing answers.
 *
 * Options:
 *   --port P		destination port (default 80)
 *   --flags F		TCP flags, letters of SAFRP (default S)
 *   --seq N		sequence number of every segment (default 1000)
 *   --ack N		acknowledgement number (default 0)
 *   --random-src	random source addresses in SRC's /16 instead
 *   --passes K		send the COUNT segments K times (default 1)
 *
 * Prints "sent N segments in T ns (R per second)".
 */

#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define BATCH 64

struct pkt {
	struct iphdr ip;
	struct tcphdr tcp;
} __attribute__((packed));

static uint16_t csum(const void *data, size_t len, uint32_t sum)
{
	const uint16_t *p = data;

	for (; len > 1; len -= 2)
		sum += *p++;
	if (len)
		sum += *(const uint8_t *)p;
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

static uint16_t tcp_csum(const struct pkt *p)
{
	uint16_t ph[6];
	uint32_t sum = 0;
	size_t i;

	/* The pseudo-header: addresses, protocol, TCP length. */
	memcpy(&ph[0], &p->ip.saddr, 4);
	memcpy(&ph[2], &p->ip.daddr, 4);
	ph[4] = htons(IPPROTO_TCP);
	ph[5] = htons(sizeof(p->tcp));
	for (i = 0; i < 6; i++)
		sum += ph[i];
	return csum(&p->tcp, sizeof(p->tcp), sum);
}

static uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

static void usage(void)
{
	fprintf(stderr, "usage: synflood SRC DST COUNT [--port P] [--flags SAFRP] [--seq N]\n"
			"                [--ack N] [--random-src] [--passes K]\n");
	exit(64);
}

int main(int argc, char **argv)
{
	struct pkt pkts[BATCH];
	struct sockaddr_in dsts[BATCH];
	struct iovec iov[BATCH];
	struct mmsghdr msgs[BATCH];
	uint32_t src, dst, seq = 1000, ack = 0;
	unsigned long count, i, sent = 0, passes = 1, pass;
	unsigned int port = 80, flags = TH_SYN, n;
	bool random_src = false;
	uint64_t t0, t;
	int fd, a, one = 1;

	if (argc < 4)
		usage();
	if (inet_pton(AF_INET, argv[1], &src) != 1 || inet_pton(AF_INET, argv[2], &dst) != 1)
		usage();
	count = strtoul(argv[3], NULL, 0);
	for (a = 4; a < argc; a++) {
		bool more = a + 1 < argc;

		if (!strcmp(argv[a], "--port") && more) {
			port = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--seq") && more) {
			seq = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--ack") && more) {
			ack = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--passes") && more) {
			passes = strtoul(argv[++a], NULL, 0);
		} else if (!strcmp(argv[a], "--random-src")) {
			random_src = true;
		} else if (!strcmp(argv[a], "--flags") && more) {
			const char *f = argv[++a];

			flags = 0;
			for (; *f; f++) {
				const char *l = strchr("SAFRP", *f);

				if (!l)
					usage();
				flags |= (unsigned int[]){ TH_SYN, TH_ACK, TH_FIN, TH_RST,
							   TH_PUSH }[l - "SAFRP"];
			}
		} else {
			usage();
		}
	}
	if (!count || port > 65535)
		usage();

	fd = socket(AF_INET, SOCK_RAW, IPPROTO_RAW);
	if (fd < 0) {
		perror("socket");
		return 1;
	}
	setsockopt(fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one));
	srandom(1);

	t0 = now_ns();
	for (pass = 0; pass < passes; pass++) {
		for (i = 0; i < count; i += n) {
			unsigned int k;

			n = count - i < BATCH ? count - i : BATCH;
			for (k = 0; k < n; k++) {
				unsigned long f = i + k;
				struct pkt *p = &pkts[k];

				memset(p, 0, sizeof(*p));
				p->ip.version = 4;
				p->ip.ihl = 5;
				p->ip.ttl = 64;
				p->ip.protocol = IPPROTO_TCP;
				p->ip.tot_len = htons(sizeof(*p));
				p->ip.saddr = random_src ?
					htonl((ntohl(src) & 0xffff0000) | (random() & 0xffff)) : src;
				p->ip.daddr = htonl(ntohl(dst) + f / 60000);
				p->ip.check = csum(&p->ip, sizeof(p->ip), 0);
				p->tcp.source = htons(1024 + f % 60000);
				p->tcp.dest = htons(port);
				p->tcp.seq = htonl(seq);
				p->tcp.ack_seq = htonl(ack);
				p->tcp.doff = 5;
				p->tcp.th_flags = flags;
				p->tcp.window = htons(65535);
				p->tcp.check = tcp_csum(p);

				memset(&dsts[k], 0, sizeof(dsts[k]));
				dsts[k].sin_family = AF_INET;
				dsts[k].sin_addr.s_addr = p->ip.daddr;
				iov[k].iov_base = p;
				iov[k].iov_len = sizeof(*p);
				memset(&msgs[k], 0, sizeof(msgs[k]));
				msgs[k].msg_hdr.msg_name = &dsts[k];
				msgs[k].msg_hdr.msg_namelen = sizeof(dsts[k]);
				msgs[k].msg_hdr.msg_iov = &iov[k];
				msgs[k].msg_hdr.msg_iovlen = 1;
			}
			for (k = 0; k < n;) {
				int r = sendmmsg(fd, msgs + k, n - k, 0);

				if (r < 0) {
					if (errno == ENOBUFS || errno == EAGAIN)
						continue;
					perror("sendmmsg");
					return 1;
				}
				k += r;
			}
			sent += n;
		}
	}
	t = now_ns() - t0;
	printf("sent %lu segments in %llu ns (%.0f per second)\n", sent,
	       (unsigned long long)t, sent * 1e9 / (t ? t : 1));
	return 0;
}
