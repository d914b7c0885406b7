// SPDX-License-Identifier: GPL-2.0
/*
 * tcpconn: open and close real TCP connections in a chosen way, for the
 * tcphs tests.
 *
 *   tcpconn listen ADDR PORT [options]
 *	Accept connections (all at once, with poll). For each: read the
 *	request, send --reply bytes, then close as told. Exits after --count
 *	connections have closed.
 *   tcpconn connect ADDR PORT [options]
 *	Open --count connections (all at once with --parallel), send --send
 *	bytes on each, read the reply, close as told. Prints one line per
 *	connection: "local ADDR PORT" (or "refused").
 *
 * Options:
 *   --count N		connections (default 1)
 *   --send N		bytes the client sends (default 16)
 *   --reply N		bytes the server sends back (default 16)
 *   --server-first	the server closes first (after its reply); the client
 *			closes when it reads EOF
 *   --wait MS		wait this long before closing (lets a lone ACK go out)
 *   --rst		close with an RST (SO_LINGER 0) instead of a FIN
 *   --half-close	client shuts its side down (FIN) after sending, then
 *			still reads the reply; the server replies only after
 *			that FIN: data flows after the first FIN
 *   --parallel		client: connect all --count sockets before any data
 *   --hold MS		client, with --parallel: keep them all open this long
 *			after the data, before closing
 *   --timeout S	give up after S seconds (default 30)
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

struct opts {
	int count;
	int send;
	int reply;
	int wait_ms;
	int hold_ms;
	int timeout;
	bool server_first;
	bool rst;
	bool half_close;
	bool parallel;
};

static void die(const char *what)
{
	perror(what);
	exit(1);
}

static void usage(void)
{
	fprintf(stderr,
		"usage: tcpconn listen|connect ADDR PORT [--count N] [--send N] [--reply N]\n"
		"               [--server-first] [--wait MS] [--rst] [--half-close]\n"
		"               [--parallel] [--hold MS] [--timeout S]\n");
	exit(64);
}

static int resolve(const char *addr, const char *port, struct sockaddr_storage *ss,
		   socklen_t *len)
{
	struct addrinfo hints = { .ai_socktype = SOCK_STREAM,
				  .ai_flags = AI_NUMERICHOST | AI_NUMERICSERV };
	struct addrinfo *res;
	int err = getaddrinfo(addr, port, &hints, &res);

	if (err) {
		fprintf(stderr, "tcpconn: %s %s: %s\n", addr, port, gai_strerror(err));
		exit(64);
	}
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	return ss->ss_family;
}

static void print_local(int fd)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);
	char host[NI_MAXHOST], serv[NI_MAXSERV];

	if (getsockname(fd, (struct sockaddr *)&ss, &len) ||
	    getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), serv, sizeof(serv),
			NI_NUMERICHOST | NI_NUMERICSERV))
		die("getsockname");
	printf("local %s %s\n", host, serv);
	fflush(stdout);
}

static void msleep(int ms)
{
	if (ms > 0)
		poll(NULL, 0, ms);
}

static void do_close(int fd, const struct opts *o)
{
	msleep(o->wait_ms);
	if (o->rst) {
		struct linger l = { .l_onoff = 1, .l_linger = 0 };

		if (setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l)))
			die("SO_LINGER");
	}
	close(fd);
}

static void write_all(int fd, int n)
{
	char buf[4096];

	memset(buf, 'x', sizeof(buf));
	while (n > 0) {
		ssize_t w = write(fd, buf, n < (int)sizeof(buf) ? n : (int)sizeof(buf));

		if (w < 0)
			die("write");
		n -= w;
	}
}

/* Read @n bytes, or to EOF if @n < 0. Returns bytes read. */
static long read_some(int fd, long n)
{
	char buf[4096];
	long got = 0;

	while (n < 0 || got < n) {
		ssize_t r = read(fd, buf, sizeof(buf));

		if (r < 0) {
			if (errno == ECONNRESET)
				break;
			die("read");
		}
		if (r == 0)
			break;
		got += r;
	}
	return got;
}

struct conn {
	int fd;
	long got;
	bool replied;
};

static int do_listen(const char *addr, const char *port, const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1, lfd, done = 0, i, n = 0;
	struct conn *c = calloc(o->count, sizeof(*c));
	struct pollfd *pfd = calloc(o->count + 1, sizeof(*pfd));

	if (!c || !pfd)
		die("calloc");
	lfd = socket(resolve(addr, port, &ss, &len), SOCK_STREAM, 0);
	if (lfd < 0)
		die("socket");
	setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(lfd, (struct sockaddr *)&ss, len))
		die("bind");
	if (listen(lfd, 1024))
		die("listen");
	printf("listening\n");
	fflush(stdout);

	while (done < o->count) {
		pfd[0].fd = n < o->count ? lfd : -1;
		pfd[0].events = POLLIN;
		for (i = 0; i < n; i++) {
			pfd[i + 1].fd = c[i].fd;
			pfd[i + 1].events = POLLIN;
		}
		if (poll(pfd, n + 1, -1) < 0)
			die("poll");
		if (pfd[0].revents & POLLIN) {
			c[n].fd = accept(lfd, NULL, NULL);
			if (c[n].fd < 0)
				die("accept");
			n++;
		}
		for (i = 0; i < n; i++) {
			char buf[4096];
			ssize_t r;

			if (c[i].fd < 0 || !(pfd[i + 1].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			r = read(c[i].fd, buf, sizeof(buf));
			if (r > 0) {
				c[i].got += r;
				/* With --half-close, answer only after the FIN. */
				if (c[i].got < o->send || o->half_close)
					continue;
			}
			if (!c[i].replied) {
				c[i].replied = true;
				if (r >= 0)
					write_all(c[i].fd, o->reply);
				if (o->server_first) {
					do_close(c[i].fd, o);
					c[i].fd = -1;
					done++;
					continue;
				}
				if (r > 0)
					continue;
			}
			if (r <= 0) {
				/* The client closed (or reset): close our side. */
				do_close(c[i].fd, o);
				c[i].fd = -1;
				done++;
			}
		}
	}
	close(lfd);
	free(c);
	free(pfd);
	return 0;
}

static int do_connect(const char *addr, const char *port, const struct opts *o)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int family = resolve(addr, port, &ss, &len);
	int *fds = calloc(o->count, sizeof(int));
	int i, failed = 0;

	if (!fds)
		die("calloc");
	for (i = 0; i < o->count; i++) {
		int j = i;

		fds[j] = socket(family, SOCK_STREAM, 0);
		if (fds[j] < 0)
			die("socket");
		if (connect(fds[j], (struct sockaddr *)&ss, len)) {
			if (errno != ECONNREFUSED)
				die("connect");
			printf("refused\n");
			fflush(stdout);
			close(fds[j]);
			fds[j] = -1;
			failed++;
			continue;
		}
		print_local(fds[j]);
		if (o->parallel)
			continue;
		write_all(fds[j], o->send);
		if (o->half_close)
			shutdown(fds[j], SHUT_WR);
		read_some(fds[j], o->server_first || o->half_close ? -1 : o->reply);
		do_close(fds[j], o);
		fds[j] = -1;
	}
	if (o->parallel) {
		for (i = 0; i < o->count; i++)
			if (fds[i] >= 0)
				write_all(fds[i], o->send);
		for (i = 0; i < o->count; i++)
			if (fds[i] >= 0)
				read_some(fds[i], o->server_first ? -1 : o->reply);
		printf("open\n");
		fflush(stdout);
		msleep(o->hold_ms);
		for (i = 0; i < o->count; i++)
			if (fds[i] >= 0)
				do_close(fds[i], o);
	}
	free(fds);
	return failed ? 2 : 0;
}

int main(int argc, char **argv)
{
	struct opts o = { .count = 1, .send = 16, .reply = 16, .timeout = 30 };
	int i;

	if (argc < 4)
		usage();
	for (i = 4; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;

		if (!strcmp(a, "--count") && more)
			o.count = atoi(argv[++i]);
		else if (!strcmp(a, "--send") && more)
			o.send = atoi(argv[++i]);
		else if (!strcmp(a, "--reply") && more)
			o.reply = atoi(argv[++i]);
		else if (!strcmp(a, "--wait") && more)
			o.wait_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--hold") && more)
			o.hold_ms = atoi(argv[++i]);
		else if (!strcmp(a, "--timeout") && more)
			o.timeout = atoi(argv[++i]);
		else if (!strcmp(a, "--server-first"))
			o.server_first = true;
		else if (!strcmp(a, "--rst"))
			o.rst = true;
		else if (!strcmp(a, "--half-close"))
			o.half_close = true;
		else if (!strcmp(a, "--parallel"))
			o.parallel = true;
		else
			usage();
	}
	if (o.count < 1 || o.send < 0 || o.reply < 0)
		usage();
	signal(SIGPIPE, SIG_IGN);
	alarm(o.timeout);

	if (!strcmp(argv[1], "listen"))
		return do_listen(argv[2], argv[3], &o);
	if (!strcmp(argv[1], "connect"))
		return do_connect(argv[2], argv[3], &o);
	usage();
	return 64;
}
