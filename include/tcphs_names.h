/* SPDX-License-Identifier: (GPL-2.0 WITH Linux-syscall-note) OR MIT */
/*
 * The words tcphs prints for its enums, shared by the module (/proc/tcphs)
 * and the reader, so both always say the same thing.
 */
#ifndef _TCPHS_NAMES_H
#define _TCPHS_NAMES_H

#include <linux/tcphs.h>

/*
 * Not every user prints every kind of name. Userspace builds define
 * __maybe_unused on the command line, as the kernel's headers do.
 */

static const char * const tcphs_state_names[__TCPHS_STATE_MAX] __maybe_unused = {
	[TCPHS_STATE_NONE]		= "NONE",
	[TCPHS_STATE_SYN_SENT]		= "SYN_SENT",
	[TCPHS_STATE_SYN_SENT2]		= "SYN_SENT2",
	[TCPHS_STATE_SYN_RECV]		= "SYN_RECV",
	[TCPHS_STATE_ESTABLISHED]	= "ESTABLISHED",
	[TCPHS_STATE_FIN_WAIT_1]	= "FIN_WAIT_1",
	[TCPHS_STATE_FIN_WAIT_2]	= "FIN_WAIT_2",
	[TCPHS_STATE_CLOSING]		= "CLOSING",
	[TCPHS_STATE_LAST_ACK]		= "LAST_ACK",
	[TCPHS_STATE_TIME_WAIT]		= "TIME_WAIT",
	[TCPHS_STATE_CLOSED]		= "CLOSED",
};

static const char * const tcphs_event_names[__TCPHS_EV_MAX] __maybe_unused = {
	[TCPHS_EV_NONE]			= "NONE",
	[TCPHS_EV_SYN]			= "SYN",
	[TCPHS_EV_SYN_ACK]		= "SYN_ACK",
	[TCPHS_EV_ESTABLISHED]		= "ESTABLISHED",
	[TCPHS_EV_FIN]			= "FIN",
	[TCPHS_EV_FIN_ACKED]		= "FIN_ACKED",
	[TCPHS_EV_TIME_WAIT]		= "TIME_WAIT",
	[TCPHS_EV_RST]			= "RST",
	[TCPHS_EV_SYN_RETRANS]		= "SYN_RETRANS",
	[TCPHS_EV_SYN_ACK_RETRANS]	= "SYN_ACK_RETRANS",
	[TCPHS_EV_INVALID]		= "INVALID",
	[TCPHS_EV_TIMEOUT]		= "TIMEOUT",
	[TCPHS_EV_EVICTED]		= "EVICTED",
	[TCPHS_EV_RESYNC]		= "RESYNC",
};

static const char * const tcphs_conn_state_names[__TCPHS_CS_MAX] __maybe_unused = {
	[TCPHS_CS_S0]		= "S0",
	[TCPHS_CS_REJ]		= "REJ",
	[TCPHS_CS_S1]		= "S1",
	[TCPHS_CS_SF]		= "SF",
	[TCPHS_CS_S2]		= "S2",
	[TCPHS_CS_S3]		= "S3",
	[TCPHS_CS_RSTO]		= "RSTO",
	[TCPHS_CS_RSTR]		= "RSTR",
	[TCPHS_CS_RSTOS0]	= "RSTOS0",
	[TCPHS_CS_RSTRH]	= "RSTRH",
	[TCPHS_CS_SH]		= "SH",
	[TCPHS_CS_SHR]		= "SHR",
	[TCPHS_CS_OTH]		= "OTH",
};

static const char * const tcphs_opener_names[__TCPHS_OPENER_MAX] __maybe_unused = {
	[TCPHS_OPENER_UNKNOWN]	= "-",
	[TCPHS_OPENER_ORIG]	= "orig",
	[TCPHS_OPENER_BOTH]	= "both",
	[TCPHS_OPENER_INFERRED]	= "inferred",
};

static const char * const tcphs_end_names[__TCPHS_END_MAX] __maybe_unused = {
	[TCPHS_END_NONE]	= "-",
	[TCPHS_END_FIN]		= "fin",
	[TCPHS_END_SIMUL_FIN]	= "simul-fin",
	[TCPHS_END_RST_ORIG]	= "rst-orig",
	[TCPHS_END_RST_REPLY]	= "rst-reply",
	[TCPHS_END_TIMEOUT]	= "timeout",
};

static const char * const tcphs_outcome_names[__TCPHS_OUT_MAX] __maybe_unused = {
	[TCPHS_OUT_NONE]		= "-",
	[TCPHS_OUT_COMPLETED]		= "completed",
	[TCPHS_OUT_REFUSED]		= "refused",
	[TCPHS_OUT_NO_ANSWER]		= "no-answer",
	[TCPHS_OUT_SYN_ACK_UNANSWERED]	= "synack-unanswered",
	[TCPHS_OUT_RESET_ORIG]		= "reset-orig",
	[TCPHS_OUT_RESET_REPLY]		= "reset-reply",
	[TCPHS_OUT_HALF_CLOSED]		= "half-closed",
	[TCPHS_OUT_IDLE]		= "idle",
	[TCPHS_OUT_EVICTED]		= "evicted",
	[TCPHS_OUT_RESTARTED]		= "restarted",
};

static const char * const tcphs_stage_names[__TCPHS_STAGE_MAX] __maybe_unused = {
	[TCPHS_STAGE_HANDSHAKE]		= "handshake",
	[TCPHS_STAGE_ESTABLISHED]	= "established",
	[TCPHS_STAGE_DATA]		= "data",
	[TCPHS_STAGE_CLOSING]		= "closing",
};

static const char * const tcphs_port_counter_names[__TCPHS_PC_MAX] __maybe_unused = {
	[TCPHS_PC_NEW]			= "new",
	[TCPHS_PC_COMPLETED]		= "completed",
	[TCPHS_PC_REFUSED]		= "refused",
	[TCPHS_PC_NO_ANSWER]		= "no_answer",
	[TCPHS_PC_SYN_ACK_UNANSWERED]	= "synack_unanswered",
	[TCPHS_PC_RESET_ORIG]		= "reset_orig",
	[TCPHS_PC_RESET_REPLY]		= "reset_reply",
	[TCPHS_PC_HALF_CLOSED]		= "half_closed",
	[TCPHS_PC_IDLE]			= "idle",
	[TCPHS_PC_EVICTED]		= "evicted",
	[TCPHS_PC_RESTARTED]		= "restarted",
	[TCPHS_PC_RTX_SYN]		= "rtx_syn",
	[TCPHS_PC_RTX_SYNACK]		= "rtx_synack",
	[TCPHS_PC_SYN_SYNACK_SUM_NS]	= "syn_synack_sum_ns",
	[TCPHS_PC_SYNACK_ACK_SUM_NS]	= "synack_ack_sum_ns",
};

static const char * const tcphs_stat_names[__TCPHS_STAT_MAX] __maybe_unused = {
	[TCPHS_STAT_PACKETS]	= "packets",
	[TCPHS_STAT_IGNORED]	= "ignored",
	[TCPHS_STAT_MALFORMED]	= "malformed",
	[TCPHS_STAT_FRAGMENTS]	= "fragments",
	[TCPHS_STAT_NEW]	= "new",
	[TCPHS_STAT_INVALID]	= "invalid",
	[TCPHS_STAT_RETRANS]	= "retrans",
	[TCPHS_STAT_TABLE_FULL]	= "table_full",
	[TCPHS_STAT_EVICTED]	= "evicted",
	[TCPHS_STAT_TIMEOUT]	= "timeout",
	[TCPHS_STAT_NOMEM]	= "nomem",
	[TCPHS_STAT_EVENTS]	= "events",
	[TCPHS_STAT_EVENT_DROP]	= "event_drop",
	[TCPHS_STAT_EVENT_SUPPRESSED] = "event_suppressed",
	[TCPHS_STAT_BAD_CHECKSUM] = "bad_checksum",
	[TCPHS_STAT_OUT_OF_WINDOW] = "out_of_window",
	[TCPHS_STAT_CHALLENGE_ACK] = "challenge_ack",
	[TCPHS_STAT_RESYNC]	= "resync",
};

/* The word for value @i of a table of @n words, or "?". */
static inline const char *tcphs_name_of(const char * const *table, unsigned int n,
					unsigned int i)
{
	return i < n && table[i] ? table[i] : "?";
}

#endif /* _TCPHS_NAMES_H */
