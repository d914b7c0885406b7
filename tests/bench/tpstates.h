/* SPDX-License-Identifier: GPL-2.0 */
/* The record tpstates.bpf.c hands to tpstates.c. */
#ifndef TPSTATES_H
#define TPSTATES_H

#define TPS_RINGBUF_BYTES (8 << 20)

struct tps_event {
	__u64 ts_ns;
	__u64 delta_ns;
	__u64 skaddr;
	__u32 pid;
	__s32 oldstate;
	__s32 newstate;
	__u16 family;
	__u16 sport;
	__u16 dport;
	__u8 saddr[16];
	__u8 daddr[16];
	char comm[16];
};

#endif
