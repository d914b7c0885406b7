// SPDX-License-Identifier: GPL-2.0
/*
 * tpstates.bpf.c: the benchmark's tracepoint peer, what BCC's tcpstates
 * does: on every sock:inet_sock_set_state of a TCP socket, the time the
 * socket spent in its old state (kept per socket, forgotten at CLOSE) and
 * a record of the transition to user space through a ring buffer. Loaded
 * by tpstates.c.
 *
 * The tracepoint's record, as include/trace/events/sock.h lays it out
 * after the 8-byte common header (tpstates.c checks the offsets against
 * the kernel's format file before loading).
 */
#include <linux/bpf.h>
#include <linux/in.h>
#include <bpf/bpf_helpers.h>
#include "tpstates.h"

struct set_state_args {
	__u64 common;
	const void *skaddr;
	int oldstate;
	int newstate;
	__u16 sport;
	__u16 dport;
	__u16 family;
	__u16 protocol;
	__u8 saddr[4];
	__u8 daddr[4];
	__u8 saddr_v6[16];
	__u8 daddr_v6[16];
};

#define TCP_CLOSE 7

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, TPS_RINGBUF_BYTES);
} events SEC(".maps");

/* When each socket entered its present state. */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 65536);
	__type(key, __u64);
	__type(value, __u64);
} since SEC(".maps");

/* Records the ring buffer had no room for. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} lost SEC(".maps");

SEC("tracepoint/sock/inet_sock_set_state")
int tps_set_state(struct set_state_args *a)
{
	__u64 sk = (__u64)a->skaddr, now = bpf_ktime_get_ns(), *t;
	struct tps_event *e;
	__u32 zero = 0;
	__u64 *n;

	if (a->protocol != IPPROTO_TCP)
		return 0;
	e = bpf_ringbuf_reserve(&events, sizeof(*e), 0);
	if (!e) {
		n = bpf_map_lookup_elem(&lost, &zero);
		if (n)
			(*n)++;
		goto out;
	}
	t = bpf_map_lookup_elem(&since, &sk);
	e->ts_ns = now;
	e->delta_ns = t ? now - *t : 0;
	e->skaddr = sk;
	e->pid = bpf_get_current_pid_tgid() >> 32;
	e->oldstate = a->oldstate;
	e->newstate = a->newstate;
	e->family = a->family;
	e->sport = a->sport;
	e->dport = a->dport;
	if (a->family == 2) {
		__builtin_memcpy(e->saddr, a->saddr, 4);
		__builtin_memcpy(e->daddr, a->daddr, 4);
	} else {
		__builtin_memcpy(e->saddr, a->saddr_v6, 16);
		__builtin_memcpy(e->daddr, a->daddr_v6, 16);
	}
	bpf_get_current_comm(e->comm, sizeof(e->comm));
	bpf_ringbuf_submit(e, 0);
out:
	if (a->newstate == TCP_CLOSE)
		bpf_map_delete_elem(&since, &sk);
	else
		bpf_map_update_elem(&since, &sk, &now, BPF_ANY);
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
