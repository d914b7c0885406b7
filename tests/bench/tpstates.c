// SPDX-License-Identifier: GPL-2.0
/*
 * tpstates: the benchmark's tracepoint peer, a small libbpf program that
 * does what users run BCC's tcpstates for: it loads tpstates.bpf.o on the
 * sock:inet_sock_set_state tracepoint and writes one line per transition
 * of a TCP socket to stdout, as `tcphs events` writes its events:
 *
 *   TIME_NS SKADDR PID COMM SADDR:SPORT DADDR:DPORT OLD -> NEW MS_IN_OLD
 *
 * Usage: tpstates [--bpf FILE]   (default: tpstates.bpf.o beside itself)
 *
 * Prints "tpstates: attached" on stderr once the program is on the
 * tracepoint; on SIGINT or SIGTERM, "tpstates: received N events, lost M"
 * (M: records the ring buffer had no room for), and exits 0.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <linux/types.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "tpstates.h"

static const char *const state_names[] = {
	"UNKNOWN", "ESTABLISHED", "SYN_SENT", "SYN_RECV", "FIN_WAIT1",
	"FIN_WAIT2", "TIME_WAIT", "CLOSE", "CLOSE_WAIT", "LAST_ACK",
	"LISTEN", "CLOSING", "NEW_SYN_RECV",
};

static volatile sig_atomic_t stop;
static unsigned long long received;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static const char *state_name(int s)
{
	if (s < 0 || s >= (int)(sizeof(state_names) / sizeof(state_names[0])))
		return "UNKNOWN";
	return state_names[s];
}

static int on_event(void *ctx, void *data, size_t len)
{
	const struct tps_event *e = data;
	char s[INET6_ADDRSTRLEN], d[INET6_ADDRSTRLEN];
	int af = e->family == AF_INET6 ? AF_INET6 : AF_INET;

	(void)ctx;
	if (len < sizeof(*e))
		return 0;
	received++;
	inet_ntop(af, e->saddr, s, sizeof(s));
	inet_ntop(af, e->daddr, d, sizeof(d));
	printf("%llu %llx %u %.16s %s:%u %s:%u %s -> %s %.3f\n",
	       (unsigned long long)e->ts_ns, (unsigned long long)e->skaddr,
	       e->pid, e->comm, s, e->sport, d, e->dport,
	       state_name(e->oldstate), state_name(e->newstate),
	       e->delta_ns / 1e6);
	return 0;
}

/*
 * The offsets tpstates.bpf.c reads at, against the kernel's own format
 * file: a kernel that laid the record out otherwise is refused.
 */
static int check_format(void)
{
	static const char *const dirs[] = {
		"/sys/kernel/tracing", "/sys/kernel/debug/tracing",
	};
	static const struct { const char *field; int offset; } want[] = {
		{ " skaddr;", 8 }, { " oldstate;", 16 }, { " newstate;", 20 },
		{ " sport;", 24 }, { " dport;", 26 }, { " family;", 28 },
		{ " protocol;", 30 }, { " saddr[4];", 32 }, { " daddr[4];", 36 },
		{ " saddr_v6[16];", 40 }, { " daddr_v6[16];", 56 },
	};
	char path[PATH_MAX], line[256];
	unsigned int i, seen = 0;
	FILE *f = NULL;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]) && !f; i++) {
		snprintf(path, sizeof(path),
			 "%s/events/sock/inet_sock_set_state/format", dirs[i]);
		f = fopen(path, "r");
	}
	if (!f) {
		fprintf(stderr, "tpstates: no format file for sock:inet_sock_set_state (is tracefs mounted?)\n");
		return -1;
	}
	while (fgets(line, sizeof(line), f)) {
		for (i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
			const char *p = strstr(line, want[i].field), *o;

			if (!p || !strstr(line, "field:"))
				continue;
			o = strstr(p, "offset:");
			if (!o || atoi(o + 7) != want[i].offset) {
				fprintf(stderr, "tpstates: %s is not at offset %d in %s\n",
					want[i].field + 1, want[i].offset, path);
				fclose(f);
				return -1;
			}
			seen |= 1u << i;
		}
	}
	fclose(f);
	if (seen != (1u << (sizeof(want) / sizeof(want[0]))) - 1) {
		fprintf(stderr, "tpstates: %s lacks a field this program reads\n", path);
		return -1;
	}
	return 0;
}

static unsigned long long lost_records(struct bpf_object *obj)
{
	int fd = bpf_object__find_map_fd_by_name(obj, "lost");
	int ncpus = libbpf_num_possible_cpus(), i;
	unsigned long long sum = 0;
	__u64 *v;
	__u32 zero = 0;

	if (fd < 0 || ncpus <= 0)
		return 0;
	v = calloc(ncpus, sizeof(*v));
	if (v && !bpf_map_lookup_elem(fd, &zero, v))
		for (i = 0; i < ncpus; i++)
			sum += v[i];
	free(v);
	return sum;
}

int main(int argc, char **argv)
{
	char self[PATH_MAX], def[PATH_MAX + 32];
	const char *file = NULL;
	struct bpf_object *obj;
	struct bpf_program *prog;
	struct bpf_link *link;
	struct ring_buffer *rb;
	ssize_t n;
	int err;

	if (argc == 3 && !strcmp(argv[1], "--bpf")) {
		file = argv[2];
	} else if (argc != 1) {
		fprintf(stderr, "usage: tpstates [--bpf FILE]\n");
		return 64;
	}
	if (!file) {
		n = readlink("/proc/self/exe", self, sizeof(self) - 1);
		if (n < 0) {
			perror("tpstates: /proc/self/exe");
			return 1;
		}
		self[n] = '\0';
		snprintf(def, sizeof(def), "%s/tpstates.bpf.o", dirname(self));
		file = def;
	}
	if (check_format())
		return 1;

	obj = bpf_object__open_file(file, NULL);
	if (!obj) {
		fprintf(stderr, "tpstates: cannot open %s: %s\n", file, strerror(errno));
		return 1;
	}
	err = bpf_object__load(obj);
	if (err) {
		fprintf(stderr, "tpstates: cannot load %s: %s\n", file, strerror(-err));
		return 1;
	}
	prog = bpf_object__find_program_by_name(obj, "tps_set_state");
	link = prog ? bpf_program__attach(prog) : NULL;
	if (!link) {
		fprintf(stderr, "tpstates: cannot attach to sock:inet_sock_set_state: %s\n",
			strerror(errno));
		return 1;
	}
	rb = ring_buffer__new(bpf_object__find_map_fd_by_name(obj, "events"),
			      on_event, NULL, NULL);
	if (!rb) {
		fprintf(stderr, "tpstates: no ring buffer: %s\n", strerror(errno));
		return 1;
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	fprintf(stderr, "tpstates: attached\n");
	while (!stop) {
		err = ring_buffer__poll(rb, 100);
		if (err < 0 && err != -EINTR) {
			fprintf(stderr, "tpstates: poll: %s\n", strerror(-err));
			break;
		}
	}
	/* What is still in the ring. */
	ring_buffer__consume(rb);
	fflush(stdout);
	fprintf(stderr, "tpstates: received %llu events, lost %llu\n",
		received, lost_records(obj));
	ring_buffer__free(rb);
	bpf_link__destroy(link);
	bpf_object__close(obj);
	return 0;
}
