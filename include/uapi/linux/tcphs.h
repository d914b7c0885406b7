/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * tcphs: TCP handshake tracking.
 *
 * The names shared by the tcphs module and the programs that read it: flow
 * states, transition events, conn_state words and the generic netlink family.
 *
 * Generic netlink family "tcphs", version 1, network-namespace aware.
 * Every request and reply is about the requester's network namespace.
 *
 * TCPHS_CMD_GET_FLOW (dump only, CAP_NET_ADMIN in the namespace's user ns)
 *	Request:  [TCPHS_A_FILTER_FAMILY]	u8, AF_INET or AF_INET6
 *		  [TCPHS_A_FILTER_ADDR]		4 or 16 bytes, either endpoint
 *		  [TCPHS_A_FILTER_PORT]		u16, either endpoint
 *		  [TCPHS_A_FILTER_STATE]	u8, enum tcphs_state
 *	Reply:    one message per flow, with the flow attributes below and
 *		  TCPHS_A_TIMEOUT (u32), seconds before the flow times out
 *		  if nothing more is seen (0: due), as /proc/tcphs's timeout
 *		  column.
 *
 * TCPHS_CMD_GET_STATS (do)
 *	Request:  nothing
 *	Reply:    TCPHS_A_STATS, a nest of u64 counters summed over all CPUs:
 *		  counter TCPHS_STAT_x has attribute type x + 1 (type 0 is
 *		  reserved); TCPHS_A_FLOW_COUNT (u32); TCPHS_A_NETNS (u32);
 *		  TCPHS_A_EVENT_SEQ (u64), the sequence number of the
 *		  namespace's last event (0 before the first), so that a reader
 *		  that asks before and after listening knows exactly how many
 *		  events it missed.
 *
 * TCPHS_CMD_FLUSH (do, CAP_NET_ADMIN in the namespace's user namespace)
 *	Request:  nothing
 *	Reply:    TCPHS_A_FLOW_COUNT, the number of flows removed.
 *
 * TCPHS_CMD_GET_PORTS (dump only, CAP_NET_ADMIN in the namespace's user ns)
 *	Request:  nothing
 *	Reply:    one message per responder port counted, then one for the
 *		  ports that found no place (TCPHS_A_PORT 0), each with
 *		  TCPHS_A_NETNS (u32), TCPHS_A_PORT (u16),
 *		  TCPHS_A_PORT_COUNTERS, a nest of u64 where counter
 *		  TCPHS_PC_x has type x + 1, and
 *		  TCPHS_A_HIST_SYN_SYNACK, TCPHS_A_HIST_SYNACK_ACK (nest),
 *		  each TCPHS_HIST_BUCKETS u64 bucket counts, bucket i with
 *		  type i + 1.
 *
 * TCPHS_CMD_EVENT (multicast group "events", from the kernel only; joining
 * it needs CAP_NET_ADMIN in the namespace's user namespace. A kernel that
 * cannot check that when a socket joins has no such group, unless tcphs
 * was loaded with unsafe_unrestricted_events=1)
 *	One message per transition:
 *	TCPHS_A_EVENT		u8, enum tcphs_event
 *	TCPHS_A_EVENT_SEQ	u64, per namespace, +1 for every event generated
 *				(listened to or not), so gaps count lost events
 *	TCPHS_A_OLD_STATE	u8, the state before the step; TCPHS_A_STATE is
 *				the state after it
 *	TCPHS_A_TS_NS		u64, CLOCK_MONOTONIC ns of the step
 *	TCPHS_A_DIR		u8, enum tcphs_dir of the segment
 *	TCPHS_A_TCP_FLAGS	u8, the segment's flags (FIN 0x01 ... CWR 0x80)
 *	TCPHS_A_SEQ, TCPHS_A_ACK	u32, as on the wire
 *	and the flow attributes below. TIMEOUT and EVICTED are caused by no
 *	segment and carry no DIR, TCP_FLAGS, SEQ or ACK.
 *
 * Flow attributes (in dumps and events):
 *	TCPHS_A_FLOW_ID		u64, unique in the namespace (48 bits used),
 *				stable for the life of the flow
 *	TCPHS_A_NETNS		u32, inode number of the network namespace
 *	TCPHS_A_FAMILY		u8, AF_INET or AF_INET6
 *	TCPHS_A_SADDR, TCPHS_A_DADDR	binary address, originator's view
 *	TCPHS_A_SPORT, TCPHS_A_DPORT	u16, host byte order
 *	TCPHS_A_STATE		u8, enum tcphs_state
 *	TCPHS_A_CONN_STATE	u8, enum tcphs_conn_state
 *	TCPHS_A_HISTORY		NUL-terminated string
 *	TCPHS_A_OPENER		u8, enum tcphs_opener
 *	TCPHS_A_CLOSER		u8, enum tcphs_dir, present once a FIN was seen
 *	TCPHS_A_END		u8, enum tcphs_end
 *	TCPHS_A_ISN_ORIG, TCPHS_A_ISN_REPLY	u32, present once known
 *	TCPHS_A_TS_SYN, TCPHS_A_TS_SYNACK, TCPHS_A_TS_ESTABLISHED,
 *	TCPHS_A_TS_FIN1, TCPHS_A_TS_FIN2, TCPHS_A_TS_END
 *				u64, CLOCK_MONOTONIC nanoseconds, present once
 *				the step happened
 *	TCPHS_A_LAT_SYN_SYNACK, TCPHS_A_LAT_SYNACK_ACK
 *				u64 nanoseconds, present once known
 *	TCPHS_A_RTX_SYN, TCPHS_A_RTX_SYNACK, TCPHS_A_RTX_FIN	u32
 *	TCPHS_A_NAT_SADDR, TCPHS_A_NAT_DADDR	binary address
 *	TCPHS_A_NAT_SPORT, TCPHS_A_NAT_DPORT	u16, host byte order
 *				present when the flow's replies came through
 *				address translation (conntrack's NAT on this
 *				host): the connection as seen past it (the
 *				server's view), originator first
 *	TCPHS_A_OUTCOME		u8, enum tcphs_outcome, present once finished
 *	TCPHS_A_STAGE		u8, enum tcphs_stage, the stage it ended at
 *				(or is at, while open)
 *	TCPHS_A_OWNER_SIDE	u8, enum tcphs_dir: the local end whose socket
 *				owns the flow; the OWNER attributes are present
 *				only for a flow a local socket sent on
 *	TCPHS_A_OWNER_UID	u32, the socket's uid, in the initial user
 *				namespace
 *	TCPHS_A_OWNER_PID	u32, the process (thread group id, initial pid
 *				namespace) that first sent on the socket in
 *				process context; absent while not known
 *	TCPHS_A_OWNER_COMM	NUL-terminated string, that process's command
 *	TCPHS_A_OWNER_CGROUP	u64, the socket's cgroup (v2) id, 0 if none
 *	TCPHS_A_OWNER_COOKIE	u64, the socket cookie (ss -e, BPF): for a
 *				server, the accepted socket's once it sent
 */
#ifndef _UAPI_LINUX_TCPHS_H
#define _UAPI_LINUX_TCPHS_H

#define TCPHS_GENL_NAME		"tcphs"
#define TCPHS_GENL_VERSION	1
#define TCPHS_MCGRP_EVENTS	"events"

/* Direction of a segment, relative to the flow's originator. */
enum tcphs_dir {
	TCPHS_DIR_ORIG,
	TCPHS_DIR_REPLY,
};

/*
 * Flow states, as an observer between the two ends sees the connection.
 * The close states are named after the side that closes first.
 */
enum tcphs_state {
	TCPHS_STATE_NONE,		/* nothing seen yet */
	TCPHS_STATE_SYN_SENT,		/* opener's SYN (seq=x) seen */
	TCPHS_STATE_SYN_SENT2,		/* both SYNs seen: simultaneous open */
	TCPHS_STATE_SYN_RECV,		/* SYN-ACK (ack=x+1) seen */
	TCPHS_STATE_ESTABLISHED,	/* final ACK (ack=y+1) seen */
	TCPHS_STATE_FIN_WAIT_1,		/* first FIN (seq=u) seen */
	TCPHS_STATE_FIN_WAIT_2,		/* first FIN acked (u+1): half-closed */
	TCPHS_STATE_CLOSING,		/* both FINs, neither acked */
	TCPHS_STATE_LAST_ACK,		/* both FINs, one acked */
	TCPHS_STATE_TIME_WAIT,		/* both FINs acked: closed normally */
	TCPHS_STATE_CLOSED,		/* reset or timed out */
	__TCPHS_STATE_MAX
};

#define TCPHS_STATE_MAX (__TCPHS_STATE_MAX - 1)

/* Transition events, one per step of a flow. */
enum tcphs_event {
	TCPHS_EV_NONE,
	TCPHS_EV_SYN,			/* a SYN opens (or reopens) a flow */
	TCPHS_EV_SYN_ACK,		/* SYN-ACK acknowledging the SYN */
	TCPHS_EV_ESTABLISHED,		/* the final ACK of the 3-way open */
	TCPHS_EV_FIN,			/* a side sent its FIN */
	TCPHS_EV_FIN_ACKED,		/* the first FIN was acknowledged */
	TCPHS_EV_TIME_WAIT,		/* the last FIN acknowledged: closed */
	TCPHS_EV_RST,			/* an acceptable reset */
	TCPHS_EV_SYN_RETRANS,		/* the same SYN again */
	TCPHS_EV_SYN_ACK_RETRANS,	/* the same SYN-ACK again */
	TCPHS_EV_INVALID,		/* numbers or flags that do not fit */
	TCPHS_EV_TIMEOUT,		/* the flow was idle too long */
	TCPHS_EV_EVICTED,		/* removed to make room in a full table */
	TCPHS_EV_RESYNC,		/* the endpoints began anew: flow retired */
	__TCPHS_EV_MAX
};

#define TCPHS_EV_MAX (__TCPHS_EV_MAX - 1)

/* The names of tcphs 1.0, for programs written against them. */
#define TCPHS_EV_CLOSED		TCPHS_EV_TIME_WAIT
#define TCPHS_EV_SYNACK_RETRANS	TCPHS_EV_SYN_ACK_RETRANS

/* Zeek's conn_state words, derived from what each side sent. */
enum tcphs_conn_state {
	TCPHS_CS_S0,		/* SYN seen, no reply */
	TCPHS_CS_REJ,		/* SYN answered by RST */
	TCPHS_CS_S1,		/* established, not closed */
	TCPHS_CS_SF,		/* established and closed normally */
	TCPHS_CS_S2,		/* established, only the opener sent a FIN */
	TCPHS_CS_S3,		/* established, only the responder sent a FIN */
	TCPHS_CS_RSTO,		/* established, reset by the opener */
	TCPHS_CS_RSTR,		/* established, reset by the responder */
	TCPHS_CS_RSTOS0,	/* opener sent SYN then RST, no SYN-ACK */
	TCPHS_CS_RSTRH,		/* responder sent SYN-ACK then RST, no SYN */
	TCPHS_CS_SH,		/* opener sent SYN then FIN, no SYN-ACK */
	TCPHS_CS_SHR,		/* responder sent SYN-ACK then FIN, no SYN */
	TCPHS_CS_OTH,		/* no SYN seen: picked up mid-stream */
	__TCPHS_CS_MAX
};

#define TCPHS_CS_MAX (__TCPHS_CS_MAX - 1)

/* Who opened the flow. */
enum tcphs_opener {
	TCPHS_OPENER_UNKNOWN,	/* no SYN seen (loose mode) */
	TCPHS_OPENER_ORIG,	/* the originator sent the first SYN */
	TCPHS_OPENER_BOTH,	/* simultaneous open */
	TCPHS_OPENER_INFERRED,	/* only the SYN-ACK seen: its receiver */
	__TCPHS_OPENER_MAX
};

/* How a flow ended. */
enum tcphs_end {
	TCPHS_END_NONE,		/* not ended */
	TCPHS_END_FIN,		/* 4-way close (or 3 segments) */
	TCPHS_END_SIMUL_FIN,	/* simultaneous close */
	TCPHS_END_RST_ORIG,	/* reset by the originator */
	TCPHS_END_RST_REPLY,	/* reset by the responder */
	TCPHS_END_TIMEOUT,	/* idle past its state's timeout */
	__TCPHS_END_MAX
};

/*
 * How a finished flow turned out, one word per flow (Documentation/tcphs.rst
 * sets them beside Zeek's conn_state). A reset carries its stage.
 */
enum tcphs_outcome {
	TCPHS_OUT_NONE,			/* not finished */
	TCPHS_OUT_COMPLETED,		/* established, both sides sent their FIN */
	TCPHS_OUT_REFUSED,		/* the SYN was answered by an RST */
	TCPHS_OUT_NO_ANSWER,		/* timed out: the SYN and its retransmissions unanswered */
	TCPHS_OUT_SYN_ACK_UNANSWERED,	/* timed out: the SYN-ACK got no final ACK */
	TCPHS_OUT_RESET_ORIG,		/* reset by the originator, at its stage */
	TCPHS_OUT_RESET_REPLY,		/* reset by the responder, at its stage */
	TCPHS_OUT_HALF_CLOSED,		/* timed out after one side's FIN: aborted half-close */
	TCPHS_OUT_IDLE,			/* timed out established, no FIN */
	TCPHS_OUT_EVICTED,		/* removed to make room in a full table */
	TCPHS_OUT_RESTARTED,		/* retired: its endpoints began a new handshake */
	__TCPHS_OUT_MAX
};

#define TCPHS_OUT_MAX (__TCPHS_OUT_MAX - 1)

/* How far a flow had come when it ended (or has come, while open). */
enum tcphs_stage {
	TCPHS_STAGE_HANDSHAKE,		/* before the final ACK: half-open */
	TCPHS_STAGE_ESTABLISHED,	/* after the handshake, no payload yet */
	TCPHS_STAGE_DATA,		/* after the first payload byte */
	TCPHS_STAGE_CLOSING,		/* after a FIN */
	__TCPHS_STAGE_MAX
};

#define TCPHS_STAGE_MAX (__TCPHS_STAGE_MAX - 1)

/*
 * Counters per responder port (/proc/net/tcphs_ports, TCPHS_CMD_GET_PORTS):
 * new flows, each outcome once per flow, retransmissions, and the sums of
 * the latencies the histograms count.
 */
enum tcphs_port_counter {
	TCPHS_PC_NEW,			/* flows created */
	TCPHS_PC_COMPLETED,		/* outcomes, in the order of tcphs_outcome */
	TCPHS_PC_REFUSED,
	TCPHS_PC_NO_ANSWER,
	TCPHS_PC_SYN_ACK_UNANSWERED,
	TCPHS_PC_RESET_ORIG,
	TCPHS_PC_RESET_REPLY,
	TCPHS_PC_HALF_CLOSED,
	TCPHS_PC_IDLE,
	TCPHS_PC_EVICTED,
	TCPHS_PC_RESTARTED,
	TCPHS_PC_RTX_SYN,		/* retransmitted SYNs */
	TCPHS_PC_RTX_SYNACK,		/* retransmitted SYN-ACKs */
	TCPHS_PC_SYN_SYNACK_SUM_NS,	/* sum of the SYN to SYN-ACK latencies */
	TCPHS_PC_SYNACK_ACK_SUM_NS,	/* sum of the SYN-ACK to ACK latencies */
	__TCPHS_PC_MAX
};

#define TCPHS_PC_MAX (__TCPHS_PC_MAX - 1)

/*
 * The latency histograms: bucket i counts latencies of at most 2^i
 * microseconds (and more than 2^(i-1)); the last one counts the rest.
 */
#define TCPHS_HIST_BUCKETS	25

/* Counters, per namespace and per CPU (/proc/net/stat/tcphs). */
enum tcphs_stat {
	TCPHS_STAT_PACKETS,	/* TCP segments examined */
	TCPHS_STAT_IGNORED,	/* segments of flows not tracked */
	TCPHS_STAT_MALFORMED,	/* truncated header, bad data offset, flags */
	TCPHS_STAT_FRAGMENTS,	/* IP fragments (first or not), not examined */
	TCPHS_STAT_NEW,		/* flows created */
	TCPHS_STAT_INVALID,	/* segments whose numbers did not fit */
	TCPHS_STAT_RETRANS,	/* retransmitted SYN, SYN-ACK or FIN */
	TCPHS_STAT_TABLE_FULL,	/* new flows not tracked: table full */
	TCPHS_STAT_EVICTED,	/* flows evicted to make room */
	TCPHS_STAT_TIMEOUT,	/* flows that timed out */
	TCPHS_STAT_NOMEM,	/* flow allocations that failed */
	TCPHS_STAT_EVENTS,	/* events multicast */
	TCPHS_STAT_EVENT_DROP,	/* events that could not be delivered */
	TCPHS_STAT_EVENT_SUPPRESSED,	/* INVALID events over the rate limit */
	TCPHS_STAT_BAD_CHECKSUM,	/* received with a bad TCP checksum: ignored */
	TCPHS_STAT_OUT_OF_WINDOW,	/* outside the receiver's window: invalid */
	TCPHS_STAT_CHALLENGE_ACK,	/* RST or SYN drawing a challenge ACK: invalid */
	TCPHS_STAT_RESYNC,	/* flows restarted by a new handshake */
	__TCPHS_STAT_MAX
};

#define TCPHS_STAT_MAX (__TCPHS_STAT_MAX - 1)

enum tcphs_cmd {
	TCPHS_CMD_UNSPEC,
	TCPHS_CMD_GET_FLOW,
	TCPHS_CMD_GET_STATS,
	TCPHS_CMD_FLUSH,
	TCPHS_CMD_EVENT,
	TCPHS_CMD_GET_PORTS,
	__TCPHS_CMD_MAX
};

#define TCPHS_CMD_MAX (__TCPHS_CMD_MAX - 1)

enum tcphs_attr {
	TCPHS_A_UNSPEC,
	TCPHS_A_PAD,
	TCPHS_A_FLOW_ID,
	TCPHS_A_NETNS,
	TCPHS_A_FAMILY,
	TCPHS_A_SADDR,
	TCPHS_A_DADDR,
	TCPHS_A_SPORT,
	TCPHS_A_DPORT,
	TCPHS_A_STATE,
	TCPHS_A_OLD_STATE,
	TCPHS_A_CONN_STATE,
	TCPHS_A_HISTORY,
	TCPHS_A_OPENER,
	TCPHS_A_CLOSER,
	TCPHS_A_END,
	TCPHS_A_ISN_ORIG,
	TCPHS_A_ISN_REPLY,
	TCPHS_A_TS_SYN,
	TCPHS_A_TS_SYNACK,
	TCPHS_A_TS_ESTABLISHED,
	TCPHS_A_TS_FIN1,
	TCPHS_A_TS_FIN2,
	TCPHS_A_TS_END,
	TCPHS_A_LAT_SYN_SYNACK,
	TCPHS_A_LAT_SYNACK_ACK,
	TCPHS_A_RTX_SYN,
	TCPHS_A_RTX_SYNACK,
	TCPHS_A_RTX_FIN,
	TCPHS_A_EVENT,
	TCPHS_A_EVENT_SEQ,
	TCPHS_A_DIR,
	TCPHS_A_TCP_FLAGS,
	TCPHS_A_SEQ,
	TCPHS_A_ACK,
	TCPHS_A_TS_NS,
	TCPHS_A_STATS,
	TCPHS_A_FLOW_COUNT,
	TCPHS_A_FILTER_FAMILY,
	TCPHS_A_FILTER_ADDR,
	TCPHS_A_FILTER_PORT,
	TCPHS_A_FILTER_STATE,
	TCPHS_A_NAT_SADDR,
	TCPHS_A_NAT_DADDR,
	TCPHS_A_NAT_SPORT,
	TCPHS_A_NAT_DPORT,
	TCPHS_A_TIMEOUT,
	TCPHS_A_OUTCOME,
	TCPHS_A_STAGE,
	TCPHS_A_OWNER_SIDE,
	TCPHS_A_OWNER_UID,
	TCPHS_A_OWNER_PID,
	TCPHS_A_OWNER_COMM,
	TCPHS_A_OWNER_CGROUP,
	TCPHS_A_OWNER_COOKIE,
	TCPHS_A_PORT,
	TCPHS_A_PORT_COUNTERS,
	TCPHS_A_HIST_SYN_SYNACK,
	TCPHS_A_HIST_SYNACK_ACK,
	__TCPHS_A_MAX
};

#define TCPHS_A_MAX (__TCPHS_A_MAX - 1)

/* Longest history string, including its NUL. */
#define TCPHS_HISTORY_LEN	16

#endif /* _UAPI_LINUX_TCPHS_H */
