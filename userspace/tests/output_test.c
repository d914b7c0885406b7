// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of tcphs's formatting and parsing, without the kernel: relative
 * sequence numbers, flag letters, JSON escaping, message parsing, the text
 * and JSON event lines and the ladder drawing, byte for byte.
 *
 * Run with "make -C userspace test".
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/socket.h>

#include <libmnl/libmnl.h>
#include <linux/genetlink.h>

#include "../evlog.h"
#include "../flow.h"
#include "../output.h"
#include "../table.h"

static int failures, checks;

static void check_str(const char *what, const char *got, const char *want)
{
	checks++;
	if (!strcmp(got, want))
		return;
	failures++;
	printf("FAIL %s\n--- want\n%s\n--- got\n%s\n---\n", what, want, got);
}

static void check(const char *what, int ok)
{
	checks++;
	if (ok)
		return;
	failures++;
	printf("FAIL %s\n", what);
}

/* Run a printer into a string. */
#define CAPTURE(out, call)						\
	do {								\
		char *_buf = NULL;					\
		size_t _len = 0;					\
		FILE *fp = open_memstream(&_buf, &_len);		\
									\
		if (!fp)						\
			abort();					\
		call;							\
		fclose(fp);						\
		snprintf(out, sizeof(out), "%s", _buf);			\
		free(_buf);						\
	} while (0)

static void test_rel(void)
{
	char b[TCPHS_STR_LEN];

	check_str("rel x", tcphs_rel_str(b, sizeof(b), 1000, true, 1000, 'x'), "x");
	check_str("rel x+1", tcphs_rel_str(b, sizeof(b), 1001, true, 1000, 'x'), "x+1");
	check_str("rel y+1461", tcphs_rel_str(b, sizeof(b), 6461, true, 5000, 'y'),
		  "y+1461");
	check_str("rel before isn", tcphs_rel_str(b, sizeof(b), 995, true, 1000, 'x'),
		  "x-5");
	check_str("rel wraps", tcphs_rel_str(b, sizeof(b), 0x10, true, 0xfffffff0, 'x'),
		  "x+32");
	check_str("rel unknown isn", tcphs_rel_str(b, sizeof(b), 4294967295U, false, 0, 'x'),
		  "4294967295");
}

static void test_flags(void)
{
	static const struct {
		unsigned int flags;
		const char *want;
	} t[] = {
		{ TCPHS_F_SYN, "S" },
		{ TCPHS_F_SYN | TCPHS_F_ACK, "SA" },
		{ TCPHS_F_ACK, "A" },
		{ TCPHS_F_FIN | TCPHS_F_ACK, "FA" },
		{ TCPHS_F_RST, "R" },
		{ TCPHS_F_RST | TCPHS_F_ACK, "RA" },
		{ TCPHS_F_PSH | TCPHS_F_ACK, "PA" },
		{ TCPHS_F_SYN | TCPHS_F_ECE | TCPHS_F_CWR, "SEC" },
		{ 0xff, "SFRPAUEC" },
		{ 0, "" },
	};
	char b[16], what[32];
	size_t i;

	for (i = 0; i < sizeof(t) / sizeof(t[0]); i++) {
		snprintf(what, sizeof(what), "flags 0x%02x", t[i].flags);
		check_str(what, tcphs_flags_str(b, sizeof(b), t[i].flags), t[i].want);
	}
}

static void test_json_string(void)
{
	char out[256];

	CAPTURE(out, tcphs_json_string(fp, "ShAdDaFf"));
	check_str("json plain", out, "\"ShAdDaFf\"");
	CAPTURE(out, tcphs_json_string(fp, "a\"b\\c/d"));
	check_str("json quote backslash", out, "\"a\\\"b\\\\c/d\"");
	CAPTURE(out, tcphs_json_string(fp, "\b\f\n\r\t\x01\x1f\x7f\xc3\xa9"));
	check_str("json control", out,
		  "\"\\b\\f\\n\\r\\t\\u0001\\u001f\\u007f\\u00c3\\u00a9\"");
	CAPTURE(out, tcphs_json_string(fp, ""));
	check_str("json empty", out, "\"\"");
}

#define SET(f, type) ((f)->present |= 1ULL << (type))

static struct tcphs_flow base_event(void)
{
	struct tcphs_flow f = { 0 };

	f.flow_id = 7;
	f.netns = 4026531840U;
	f.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", f.saddr.b);
	inet_pton(AF_INET, "10.0.0.2", f.daddr.b);
	f.sport = 40000;
	f.dport = 8080;
	f.isn_orig = 1000;
	f.isn_reply = 5000;
	f.conn_state = TCPHS_CS_SF;
	snprintf(f.history, sizeof(f.history), "ShAdDaFf");
	SET(&f, TCPHS_A_FLOW_ID);
	SET(&f, TCPHS_A_NETNS);
	SET(&f, TCPHS_A_FAMILY);
	SET(&f, TCPHS_A_SADDR);
	SET(&f, TCPHS_A_DADDR);
	SET(&f, TCPHS_A_SPORT);
	SET(&f, TCPHS_A_DPORT);
	SET(&f, TCPHS_A_ISN_ORIG);
	SET(&f, TCPHS_A_ISN_REPLY);
	SET(&f, TCPHS_A_CONN_STATE);
	SET(&f, TCPHS_A_HISTORY);
	return f;
}

static struct tcphs_flow ev(unsigned int event, unsigned int dir, unsigned int flags,
			    uint32_t seq, uint32_t ack, uint64_t us,
			    unsigned int old_state, unsigned int state)
{
	static uint64_t event_seq = 100;
	struct tcphs_flow f = base_event();

	f.event = event;
	f.dir = dir;
	f.tcp_flags = flags;
	f.seq = seq;
	f.ack = ack;
	f.ts_ns = 1000000000000ULL + us * 1000;
	f.old_state = old_state;
	f.state = state;
	f.event_seq = event_seq++;
	SET(&f, TCPHS_A_EVENT);
	SET(&f, TCPHS_A_DIR);
	SET(&f, TCPHS_A_TCP_FLAGS);
	SET(&f, TCPHS_A_SEQ);
	SET(&f, TCPHS_A_ACK);
	SET(&f, TCPHS_A_TS_NS);
	SET(&f, TCPHS_A_OLD_STATE);
	SET(&f, TCPHS_A_STATE);
	SET(&f, TCPHS_A_EVENT_SEQ);
	return f;
}

#define O TCPHS_DIR_ORIG
#define R TCPHS_DIR_REPLY
#define S_ TCPHS_F_SYN
#define A_ TCPHS_F_ACK
#define F_ TCPHS_F_FIN
#define R_ TCPHS_F_RST
#define ST(s) TCPHS_STATE_##s
#define EV(e) TCPHS_EV_##e

static void test_seg_rel(void)
{
	struct tcphs_flow f = ev(EV(SYN_ACK), R, S_ | A_, 5000, 1001, 0,
				 ST(SYN_SENT), ST(SYN_RECV));
	char seq[TCPHS_STR_LEN], ack[TCPHS_STR_LEN];

	tcphs_seg_rel(&f, false, seq, ack, sizeof(seq));
	check_str("synack seq", seq, "y");
	check_str("synack ack", ack, "x+1");
	tcphs_seg_rel(&f, true, seq, ack, sizeof(seq));
	check_str("synack raw seq", seq, "5000");
	check_str("synack raw ack", ack, "1001");

	f = ev(EV(SYN), O, S_, 1000, 0, 0, ST(NONE), ST(SYN_SENT));
	f.present &= ~(1ULL << TCPHS_A_ISN_REPLY);
	tcphs_seg_rel(&f, false, seq, ack, sizeof(seq));
	check_str("syn seq", seq, "x");
	check_str("syn ack", ack, "-");

	f = ev(EV(ESTABLISHED), O, A_, 1001, 5001, 0, ST(SYN_RECV), ST(ESTABLISHED));
	f.present &= ~(1ULL << TCPHS_A_ISN_REPLY);
	tcphs_seg_rel(&f, false, seq, ack, sizeof(seq));
	check_str("ack, no isn_reply: seq", seq, "x+1");
	check_str("ack, no isn_reply: ack raw", ack, "5001");
}

static void test_event_text(void)
{
	struct tcphs_out o = { .time = TCPHS_TIME_MONO };
	struct tcphs_flow f;
	char out[1024];

	f = ev(EV(SYN), O, S_, 1000, 0, 0, ST(NONE), ST(SYN_SENT));
	f.present &= ~(1ULL << TCPHS_A_ISN_REPLY);
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text SYN", out,
		  "1000.000000 flow=7 10.0.0.1:40000 > 10.0.0.2:8080 orig SYN "
		  "NONE -> SYN_SENT flags=S seq=x ack=-\n");

	f = ev(EV(ESTABLISHED), O, A_, 1001, 5001, 150, ST(SYN_RECV), ST(ESTABLISHED));
	f.lat_syn_synack = 120045;
	f.lat_synack_ack = 30000;
	SET(&f, TCPHS_A_LAT_SYN_SYNACK);
	SET(&f, TCPHS_A_LAT_SYNACK_ACK);
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text ESTABLISHED", out,
		  "1000.000150 flow=7 10.0.0.1:40000 > 10.0.0.2:8080 orig ESTABLISHED "
		  "SYN_RECV -> ESTABLISHED flags=A seq=x+1 ack=y+1 "
		  "syn-synack=0.120ms synack-ack=0.030ms\n");
	o.raw = true;
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text raw", out,
		  "1000.000150 flow=7 10.0.0.1:40000 > 10.0.0.2:8080 orig ESTABLISHED "
		  "SYN_RECV -> ESTABLISHED flags=A seq=1001 ack=5001 "
		  "syn-synack=0.120ms synack-ack=0.030ms\n");

	f = base_event();
	f.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", f.saddr.b);
	inet_pton(AF_INET6, "2001:db8::2", f.daddr.b);
	f.present &= ~(1ULL << TCPHS_A_SPORT);
	f.event = EV(RST);
	SET(&f, TCPHS_A_EVENT);
	o.raw = false;
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text ipv6, unknowns", out,
		  "? flow=7 [2001:db8::1]:? > [2001:db8::2]:8080 - RST ? -> ? "
		  "flags=- seq=- ack=-\n");

	/* A segment whose direction and numbers are known, but not its flags. */
	f.dir = TCPHS_DIR_ORIG;
	SET(&f, TCPHS_A_DIR);
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text, segment with unknowns", out,
		  "? flow=7 [2001:db8::1]:? > [2001:db8::2]:8080 orig RST ? -> ? "
		  "flags=? seq=? ack=?\n");

	/* The module sends a timeout without dir, flags, seq or ack. */
	f = base_event();
	f.event = EV(TIMEOUT);
	f.old_state = ST(SYN_SENT);
	f.state = ST(CLOSED);
	f.ts_ns = 1060000000000ULL;
	SET(&f, TCPHS_A_EVENT);
	SET(&f, TCPHS_A_OLD_STATE);
	SET(&f, TCPHS_A_STATE);
	SET(&f, TCPHS_A_TS_NS);
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text timeout", out,
		  "1060.000000 flow=7 10.0.0.1:40000 > 10.0.0.2:8080 - TIMEOUT "
		  "SYN_SENT -> CLOSED flags=- seq=- ack=-\n");

	/* The arrow follows the segment: a SYN-ACK goes server > client. */
	f = ev(EV(SYN_ACK), R, S_ | A_, 5000, 1001, 120, ST(SYN_SENT), ST(SYN_RECV));
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text reply", out,
		  "1000.000120 flow=7 10.0.0.2:8080 > 10.0.0.1:40000 reply SYN_ACK "
		  "SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1\n");

	/* Wall-clock times: 1000 s of CLOCK_MONOTONIC is 2023-11-14 22:13:20 UTC. */
	o.wall_offset = 1699999000LL * 1000000000LL;
	o.utc = true;
	o.time = TCPHS_TIME_WALL;
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text wall, UTC", out,
		  "22:13:20.000120 flow=7 10.0.0.2:8080 > 10.0.0.1:40000 reply SYN_ACK "
		  "SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1\n");
	o.time = TCPHS_TIME_ISO;
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text ISO 8601, UTC", out,
		  "2023-11-14T22:13:20.000120Z flow=7 10.0.0.2:8080 > 10.0.0.1:40000 reply "
		  "SYN_ACK SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1\n");
	o.utc = false;
	setenv("TZ", "KST-9", 1);
	tzset();
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text ISO 8601, a zone east", out,
		  "2023-11-15T07:13:20.000120+09:00 flow=7 10.0.0.2:8080 > 10.0.0.1:40000 "
		  "reply SYN_ACK SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1\n");
	setenv("TZ", "<-0330>3:30", 1);
	tzset();
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text ISO 8601, a zone west", out,
		  "2023-11-14T18:43:20.000120-03:30 flow=7 10.0.0.2:8080 > 10.0.0.1:40000 "
		  "reply SYN_ACK SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1\n");
	setenv("TZ", "UTC0", 1);
	tzset();
	o.time = TCPHS_TIME_WALL;
	o.wall = true;
	CAPTURE(out, tcphs_print_event(fp, &f, &o));
	check_str("event text --wall: wall clock then monotonic", out,
		  "22:13:20.000120 1000.000120 flow=7 10.0.0.2:8080 > 10.0.0.1:40000 reply "
		  "SYN_ACK SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1\n");
}

static void test_event_json(void)
{
	struct tcphs_out o = { 0 };
	struct tcphs_flow f;
	char out[2048];

	f = ev(EV(FIN), R, F_ | A_, 5001, 1007, 5120, ST(FIN_WAIT_2), ST(LAST_ACK));
	f.event_seq = 42;
	f.closer = TCPHS_DIR_ORIG;
	f.opener = TCPHS_OPENER_ORIG;
	f.end = TCPHS_END_NONE;
	f.lat_syn_synack = 120000;
	f.rtx_syn = 1;
	f.ts_syn = 1000000000000ULL;
	snprintf(f.history, sizeof(f.history), "Sh\"\\");
	SET(&f, TCPHS_A_CLOSER);
	SET(&f, TCPHS_A_OPENER);
	SET(&f, TCPHS_A_END);
	SET(&f, TCPHS_A_LAT_SYN_SYNACK);
	SET(&f, TCPHS_A_RTX_SYN);
	SET(&f, TCPHS_A_TS_SYN);
	CAPTURE(out, tcphs_print_event_json(fp, &f, &o));
	check_str("event json", out,
		  "{\"event\":\"FIN\",\"event_seq\":42,\"ts_ns\":1000005120000,"
		  "\"ts\":1000.005120,\"flow_id\":7,\"netns\":4026531840,\"family\":4,"
		  "\"saddr\":\"10.0.0.1\",\"sport\":40000,"
		  "\"daddr\":\"10.0.0.2\",\"dport\":8080,"
		  "\"dir\":\"reply\",\"flags\":\"FA\",\"seq\":5001,\"ack\":1007,"
		  "\"old_state\":\"FIN_WAIT_2\",\"state\":\"LAST_ACK\","
		  "\"conn_state\":\"SF\",\"history\":\"Sh\\\"\\\\\","
		  "\"isn_orig\":1000,\"isn_reply\":5000,\"syn_synack_ns\":120000,"
		  "\"ts_syn\":1000000000000,\"rtx_syn\":1,"
		  "\"opener\":\"orig\",\"closer\":\"orig\",\"end\":\"-\",\"owner\":null}\n");

	f = (struct tcphs_flow){ 0 };
	CAPTURE(out, tcphs_print_event_json(fp, &f, &o));
	check_str("event json, nothing known", out,
		  "{\"event\":null,\"event_seq\":null,\"ts_ns\":null,\"ts\":null,"
		  "\"flow_id\":null,"
		  "\"netns\":null,\"family\":null,\"saddr\":null,\"sport\":null,"
		  "\"daddr\":null,\"dport\":null,\"dir\":null,\"flags\":null,"
		  "\"seq\":null,\"ack\":null,\"old_state\":null,\"state\":null,"
		  "\"conn_state\":null,\"history\":null,\"owner\":null}\n");

	CAPTURE(out, tcphs_print_lost_json(fp, 3, 10, 12));
	check_str("lost json", out, "{\"lost\":3,\"from_seq\":10,\"to_seq\":12}\n");
}

/* The textbook open and 4-way close, with 5 bytes of data. */
static const struct tcphs_flow *textbook(size_t *n)
{
	static struct tcphs_flow e[7];

	e[0] = ev(EV(SYN), O, S_, 1000, 0, 0, ST(NONE), ST(SYN_SENT));
	e[1] = ev(EV(SYN_ACK), R, S_ | A_, 5000, 1001, 120, ST(SYN_SENT), ST(SYN_RECV));
	e[2] = ev(EV(ESTABLISHED), O, A_, 1001, 5001, 150, ST(SYN_RECV), ST(ESTABLISHED));
	e[3] = ev(EV(FIN), O, F_ | A_, 1006, 5001, 5001, ST(ESTABLISHED), ST(FIN_WAIT_1));
	e[4] = ev(EV(FIN_ACKED), R, A_, 5001, 1007, 5100, ST(FIN_WAIT_1), ST(FIN_WAIT_2));
	e[5] = ev(EV(FIN), R, F_ | A_, 5001, 1007, 5120, ST(FIN_WAIT_2), ST(LAST_ACK));
	e[6] = ev(EV(TIME_WAIT), O, A_, 1007, 5002, 5200, ST(LAST_ACK), ST(TIME_WAIT));
	/* The SYN's own message does not know y yet. */
	e[0].present &= ~(1ULL << TCPHS_A_ISN_REPLY);
	*n = 7;
	return e;
}

static void test_ladder(void)
{
	struct tcphs_out o = { 0 };
	struct tcphs_flow e[8];
	const struct tcphs_flow *t;
	char out[4096];
	size_t n;

	t = textbook(&n);
	CAPTURE(out, tcphs_draw_ladder(fp, t, n, &o));
	check_str("ladder textbook", out,
"flow 7  10.0.0.1:40000 -> 10.0.0.2:8080  (SF, ShAdDaFf)\n"
"      time       delta  client                                                 server\n"
"                        CLOSED      |                                        | LISTEN\n"
"   0.000ms    +0.000ms  SYN_SENT    |------- SYN seq=x --------------------->| LISTEN\n"
"   0.120ms    +0.120ms  ESTABLISHED |<------ SYN-ACK seq=y ack=x+1 ----------| SYN_RCVD\n"
"   0.150ms    +0.030ms  ESTABLISHED |------- ACK ack=y+1 ------------------->| ESTABLISHED\n"
"   5.001ms    +4.851ms  FIN_WAIT_1  |------- FIN seq=x+6 ack=y+1 ----------->| CLOSE_WAIT\n"
"   5.100ms    +0.099ms  FIN_WAIT_2  |<------ ACK ack=x+7 --------------------| CLOSE_WAIT\n"
"   5.120ms    +0.020ms  TIME_WAIT   |<------ FIN seq=y+1 ack=x+7 ------------| LAST_ACK\n"
"   5.200ms    +0.080ms  TIME_WAIT   |------- ACK ack=y+2 ------------------->| CLOSED\n"
"\n");

	o.no_times = true;
	CAPTURE(out, tcphs_draw_ladder(fp, t, n, &o));
	check_str("ladder textbook, no times", out,
"flow 7  10.0.0.1:40000 -> 10.0.0.2:8080  (SF, ShAdDaFf)\n"
"client                                                 server\n"
"CLOSED      |                                        | LISTEN\n"
"SYN_SENT    |------- SYN seq=x --------------------->| LISTEN\n"
"ESTABLISHED |<------ SYN-ACK seq=y ack=x+1 ----------| SYN_RCVD\n"
"ESTABLISHED |------- ACK ack=y+1 ------------------->| ESTABLISHED\n"
"FIN_WAIT_1  |------- FIN seq=x+6 ack=y+1 ----------->| CLOSE_WAIT\n"
"FIN_WAIT_2  |<------ ACK ack=x+7 --------------------| CLOSE_WAIT\n"
"TIME_WAIT   |<------ FIN seq=y+1 ack=x+7 ------------| LAST_ACK\n"
"TIME_WAIT   |------- ACK ack=y+2 ------------------->| CLOSED\n"
"\n");

	o.raw = true;
	CAPTURE(out, tcphs_draw_ladder(fp, t, n, &o));
	check_str("ladder raw", out,
"flow 7  10.0.0.1:40000 -> 10.0.0.2:8080  (SF, ShAdDaFf)\n"
"client                                                 server\n"
"CLOSED      |                                        | LISTEN\n"
"SYN_SENT    |------- SYN seq=1000 ------------------>| LISTEN\n"
"ESTABLISHED |<------ SYN-ACK seq=5000 ack=1001 ------| SYN_RCVD\n"
"ESTABLISHED |------- ACK ack=5001 ------------------>| ESTABLISHED\n"
"FIN_WAIT_1  |------- FIN seq=1006 ack=5001 --------->| CLOSE_WAIT\n"
"FIN_WAIT_2  |<------ ACK ack=1007 -------------------| CLOSE_WAIT\n"
"TIME_WAIT   |<------ FIN seq=5001 ack=1007 ----------| LAST_ACK\n"
"TIME_WAIT   |------- ACK ack=5002 ------------------>| CLOSED\n"
"\n");

	/*
	 * A retransmitted SYN, a close in three segments (the responder's FIN
	 * acknowledges the originator's: two events, one arrow), then a flow
	 * that times out.
	 */
	o.raw = false;
	o.no_times = false;
	e[0] = ev(EV(SYN), O, S_, 1000, 0, 0, ST(NONE), ST(SYN_SENT));
	e[1] = ev(EV(SYN_RETRANS), O, S_, 1000, 0, 1000000, ST(SYN_SENT), ST(SYN_SENT));
	e[2] = ev(EV(SYN_ACK), R, S_ | A_, 5000, 1001, 1000080, ST(SYN_SENT), ST(SYN_RECV));
	e[3] = ev(EV(ESTABLISHED), O, A_, 1001, 5001, 1000100, ST(SYN_RECV), ST(ESTABLISHED));
	e[4] = ev(EV(FIN), O, F_ | A_, 1001, 5001, 1002000, ST(ESTABLISHED), ST(FIN_WAIT_1));
	e[5] = ev(EV(FIN_ACKED), R, F_ | A_, 5001, 1002, 1002100, ST(FIN_WAIT_1), ST(FIN_WAIT_2));
	e[6] = ev(EV(FIN), R, F_ | A_, 5001, 1002, 1002100, ST(FIN_WAIT_2), ST(LAST_ACK));
	e[7] = ev(EV(TIME_WAIT), O, A_, 1002, 5002, 1002150, ST(LAST_ACK), ST(TIME_WAIT));
	for (n = 0; n < 8; n++)
		snprintf(e[n].history, sizeof(e[n].history), "StShADFf");
	CAPTURE(out, tcphs_draw_ladder(fp, e, 8, &o));
	check_str("ladder retrans, 3-segment close", out,
"flow 7  10.0.0.1:40000 -> 10.0.0.2:8080  (SF, StShADFf)\n"
"      time        delta  client                                                 server\n"
"                         CLOSED      |                                        | LISTEN\n"
"   0.000ms     +0.000ms  SYN_SENT    |------- SYN seq=x --------------------->| LISTEN\n"
"1000.000ms  +1000.000ms  SYN_SENT    |------- SYN (retrans) seq=x ----------->| LISTEN\n"
"1000.080ms     +0.080ms  ESTABLISHED |<------ SYN-ACK seq=y ack=x+1 ----------| SYN_RCVD\n"
"1000.100ms     +0.020ms  ESTABLISHED |------- ACK ack=y+1 ------------------->| ESTABLISHED\n"
"1002.000ms     +1.900ms  FIN_WAIT_1  |------- FIN seq=x+1 ack=y+1 ----------->| CLOSE_WAIT\n"
"1002.100ms     +0.100ms  TIME_WAIT   |<------ FIN seq=y+1 ack=x+2 ------------| LAST_ACK\n"
"1002.150ms     +0.050ms  TIME_WAIT   |------- ACK ack=y+2 ------------------->| CLOSED\n"
"\n");

	e[0] = ev(EV(SYN), O, S_, 1000, 0, 0, ST(NONE), ST(SYN_SENT));
	e[1] = ev(EV(RST), R, R_ | A_, 0, 1001, 40, ST(SYN_SENT), ST(CLOSED));
	/* Refused: y is never known, the RST's seq is printed as it is. */
	e[0].present &= ~(1ULL << TCPHS_A_ISN_REPLY);
	e[1].present &= ~(1ULL << TCPHS_A_ISN_REPLY);
	e[1].conn_state = TCPHS_CS_REJ;
	snprintf(e[1].history, sizeof(e[1].history), "Sr");
	CAPTURE(out, tcphs_draw_ladder(fp, e, 2, &o));
	check_str("ladder refused", out,
"flow 7  10.0.0.1:40000 -> 10.0.0.2:8080  (REJ, Sr)\n"
"      time       delta  client                                                 server\n"
"                        CLOSED      |                                        | CLOSED\n"
"   0.000ms    +0.000ms  SYN_SENT    |------- SYN seq=x --------------------->| CLOSED\n"
"   0.040ms    +0.040ms  CLOSED      |<------ RST seq=0 ack=x+1 --------------| CLOSED\n"
"\n");

	/* A flow drawn before it ended says so. */
	e[0] = ev(EV(SYN), O, S_, 1000, 0, 0, ST(NONE), ST(SYN_SENT));
	e[0].conn_state = TCPHS_CS_S0;
	snprintf(e[0].history, sizeof(e[0].history), "S");
	o.still_open = true;
	o.no_times = true;
	CAPTURE(out, tcphs_draw_ladder(fp, e, 1, &o));
	check_str("ladder still open", out,
"flow 7  10.0.0.1:40000 -> 10.0.0.2:8080  (S0, S)\n"
"client                                                 server\n"
"CLOSED      |                                        | LISTEN\n"
"SYN_SENT    |------- SYN seq=x --------------------->| LISTEN\n"
"            |        (still open)                    |\n"
"\n");
	o.still_open = false;
	o.no_times = false;

	/* A label too long for the bars moves them apart. */
	o.raw = true;
	o.no_times = true;
	e[1] = ev(EV(SYN_ACK_RETRANS), R, S_ | A_, 4294967295U, 1001, 40,
		  ST(SYN_RECV), ST(SYN_RECV));
	CAPTURE(out, tcphs_draw_ladder(fp, e, 2, &o));
	check_str("ladder wide", out,
"flow 7  10.0.0.1:40000 -> 10.0.0.2:8080  (SF, ShAdDaFf)\n"
"client                                                               server\n"
"CLOSED      |                                                      | LISTEN\n"
"SYN_SENT    |------- SYN seq=1000 -------------------------------->| LISTEN\n"
"SYN_SENT    |<------ SYN-ACK (retrans) seq=4294967295 ack=1001 ----| LISTEN\n"
"\n");
	o.raw = false;
	o.no_times = false;

	e[1] = ev(EV(TIMEOUT), O, 0, 0, 0, 30000000, ST(SYN_SENT), ST(CLOSED));
	e[1].present &= ~(1ULL << TCPHS_A_DIR | 1ULL << TCPHS_A_TCP_FLAGS |
			  1ULL << TCPHS_A_SEQ | 1ULL << TCPHS_A_ACK);
	e[1].conn_state = TCPHS_CS_S0;
	snprintf(e[1].history, sizeof(e[1].history), "S");
	CAPTURE(out, tcphs_draw_ladder(fp, e, 2, &o));
	check_str("ladder timeout", out,
"flow 7  10.0.0.1:40000 -> 10.0.0.2:8080  (S0, S)\n"
"       time         delta  client                                                 server\n"
"                           CLOSED      |                                        | LISTEN\n"
"    0.000ms      +0.000ms  SYN_SENT    |------- SYN seq=x --------------------->| LISTEN\n"
"30000.000ms  +30000.000ms  SYN_SENT    |        (timeout)                       | LISTEN\n"
"\n");
}

static void test_flow_line(void)
{
	size_t n;
	struct tcphs_flow f = textbook(&n)[6], rows[3];
	struct tcphs_table t = { 0 };
	char out[4096], err[512];

	f.lat_syn_synack = 120045;
	f.lat_synack_ack = 30000;
	f.rtx_syn = 1;
	f.rtx_synack = 0;
	f.rtx_fin = 0;
	f.closer = TCPHS_DIR_ORIG;
	f.end = TCPHS_END_FIN;
	SET(&f, TCPHS_A_LAT_SYN_SYNACK);
	SET(&f, TCPHS_A_LAT_SYNACK_ACK);
	SET(&f, TCPHS_A_RTX_SYN);
	SET(&f, TCPHS_A_RTX_SYNACK);
	SET(&f, TCPHS_A_RTX_FIN);
	SET(&f, TCPHS_A_CLOSER);
	SET(&f, TCPHS_A_END);
	f.timeout = 60;
	SET(&f, TCPHS_A_TIMEOUT);
	tcphs_table_default(&t, false);
	t.auto_nat = true;	/* no translation: no NAT columns */
	t.has_now = true;
	f.ts_syn = 1000000000000ULL;
	t.now_ns = f.ts_syn + 2500000000ULL;
	SET(&f, TCPHS_A_TS_SYN);
	CAPTURE(out, tcphs_table_print(fp, &t, &f, 1));
	check_str("list text", out,
"ID ORIG           REPLY         STATE     CONN_STATE HISTORY  AGE TIMEOUT SYN_SYNACK_MS "
"SYNACK_ACK_MS\n"
" 7 10.0.0.1:40000 10.0.0.2:8080 TIME_WAIT SF         ShAdDaFf 2.5      60         0.120 "
"        0.030\n");

	CAPTURE(out, tcphs_print_flow_json(fp, &f));
	check_str("list json", out,
		  "{\"flow_id\":7,\"netns\":4026531840,\"family\":4,"
		  "\"saddr\":\"10.0.0.1\",\"sport\":40000,"
		  "\"daddr\":\"10.0.0.2\",\"dport\":8080,"
		  "\"state\":\"TIME_WAIT\",\"conn_state\":\"SF\",\"history\":\"ShAdDaFf\","
		  "\"isn_orig\":1000,\"isn_reply\":5000,\"syn_synack_ns\":120045,"
		  "\"synack_ack_ns\":30000,\"ts_syn\":1000000000000,\"rtx_syn\":1,"
		  "\"rtx_synack\":0,\"rtx_fin\":0,"
		  "\"closer\":\"orig\",\"end\":\"fin\",\"owner\":null,\"timeout\":60}\n");

	/*
	 * An IPv4 flow's line fits 120 characters: the longest client
	 * endpoint, a six-digit id, an age of a day, a second's latencies.
	 */
	{
		struct tcphs_flow b = f;
		struct tcphs_table d = { 0 };
		char *nl;

		inet_pton(AF_INET, "192.168.100.200", b.saddr.b);
		inet_pton(AF_INET, "10.100.0.10", b.daddr.b);
		b.sport = 54321;
		b.dport = 443;
		b.flow_id = 999999;
		b.state = TCPHS_STATE_ESTABLISHED;
		b.timeout = 431999;
		b.lat_syn_synack = 999999999ULL;
		b.lat_synack_ack = 999999999ULL;
		snprintf(b.history, sizeof(b.history), "ShADadtT");
		tcphs_table_default(&d, false);
		d.has_now = true;
		d.now_ns = b.ts_syn + 86399ULL * 1000000000ULL;
		CAPTURE(out, tcphs_table_print(fp, &d, &b, 1));
		nl = strchr(out, '\n');
		if (!nl || nl - out > 120 || strlen(nl + 1) > 121)
			printf("%s", out);
		check("list text: a busy IPv4 line fits 120 characters",
		      nl && nl - out <= 120 && strlen(nl + 1) <= 121);
	}

	/* Widths follow the data: an IPv6 flow with a 10-digit id, and one
	 * that knows nothing, under the same header. */
	rows[0] = f;
	rows[1] = (struct tcphs_flow){ 0 };
	rows[2] = f;
	rows[2].flow_id = 4294967295U;
	rows[2].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", rows[2].saddr.b);
	inet_pton(AF_INET6, "2001:db8:ffff::2", rows[2].daddr.b);
	t.has_now = false;
	CAPTURE(out, tcphs_table_print(fp, &t, rows, 3));
	check_str("list text, widths from the data", out,
"        ID ORIG                REPLY                   STATE     CONN_STATE HISTORY  AGE "
"TIMEOUT SYN_SYNACK_MS SYNACK_ACK_MS\n"
"         7 10.0.0.1:40000      10.0.0.2:8080           TIME_WAIT SF         ShAdDaFf   - "
"     60         0.120         0.030\n"
"         - ?:?                 ?:?                     -         -          -          - "
"      -             -             -\n"
"4294967295 [2001:db8::1]:40000 [2001:db8:ffff::2]:8080 TIME_WAIT SF         ShAdDaFf   - "
"     60         0.120         0.030\n");

	/* Chosen columns, in the order given, and no header. */
	memset(&t, 0, sizeof(t));
	check("columns", !tcphs_table_add_column(&t, "ID", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "rtx_syn", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "end", err, sizeof(err)));
	check("column twice", tcphs_table_add_column(&t, "id", err, sizeof(err)) &&
	      strstr(err, "given twice"));
	check("unknown column", tcphs_table_add_column(&t, "nosuch", err, sizeof(err)) &&
	      strstr(err, "unknown column 'nosuch'; columns: id family"));
	t.no_header = true;
	CAPTURE(out, tcphs_table_print(fp, &t, rows, 3));
	check_str("list text, chosen columns", out,
"         7 1 fin\n"
"         - - -\n"
"4294967295 1 fin\n");

	/* Behind a DNAT and masquerade: the server's view, in both forms. */
	f = textbook(&n)[6];
	f.nat_saddr.b[0] = 10, f.nat_saddr.b[1] = 2, f.nat_saddr.b[3] = 1;
	f.nat_daddr.b[0] = 10, f.nat_daddr.b[1] = 2, f.nat_daddr.b[3] = 2;
	f.nat_sport = 40000;
	f.nat_dport = 80;
	SET(&f, TCPHS_A_NAT_SADDR);
	SET(&f, TCPHS_A_NAT_DADDR);
	SET(&f, TCPHS_A_NAT_SPORT);
	SET(&f, TCPHS_A_NAT_DPORT);
	memset(&t, 0, sizeof(t));
	tcphs_table_add_column(&t, "id", err, sizeof(err));
	t.auto_nat = true;
	CAPTURE(out, tcphs_table_print(fp, &t, &f, 1));
	check_str("list text, translated", out,
"ID NAT_ORIG       NAT_REPLY\n"
" 7 10.2.0.1:40000 10.2.0.2:80\n");
	CAPTURE(out, tcphs_print_flow_json(fp, &f));
	check_str("list json, translated", out,
		  "{\"flow_id\":7,\"netns\":4026531840,\"family\":4,"
		  "\"saddr\":\"10.0.0.1\",\"sport\":40000,"
		  "\"daddr\":\"10.0.0.2\",\"dport\":8080,"
		  "\"state\":\"TIME_WAIT\",\"conn_state\":\"SF\",\"history\":\"ShAdDaFf\","
		  "\"isn_orig\":1000,\"isn_reply\":5000,"
		  "\"nat_saddr\":\"10.2.0.1\",\"nat_sport\":40000,"
		  "\"nat_daddr\":\"10.2.0.2\",\"nat_dport\":80,\"owner\":null}\n");

	/* A refused flow a local process made: its outcome and its owner. */
	f = textbook(&n)[6];
	f.outcome = TCPHS_OUT_REFUSED;
	f.stage = TCPHS_STAGE_HANDSHAKE;
	f.owner_side = TCPHS_DIR_ORIG;
	f.owner_uid = 1000;
	f.owner_pid = 4242;
	snprintf(f.owner_comm, sizeof(f.owner_comm), "my curl");
	f.owner_cgroup = 8589934593ULL;
	f.owner_cookie = 77;
	SET(&f, TCPHS_A_OUTCOME);
	SET(&f, TCPHS_A_STAGE);
	SET(&f, TCPHS_A_OWNER_SIDE);
	SET(&f, TCPHS_A_OWNER_UID);
	SET(&f, TCPHS_A_OWNER_PID);
	SET(&f, TCPHS_A_OWNER_COMM);
	SET(&f, TCPHS_A_OWNER_CGROUP);
	SET(&f, TCPHS_A_OWNER_COOKIE);
	rows[0] = f;
	rows[1] = textbook(&n)[6];	/* forwarded: no owner */
	memset(&t, 0, sizeof(t));
	check("owner columns",
	      !tcphs_table_add_column(&t, "id", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "outcome", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "stage", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "owner", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "uid", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "pid", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "cgroup", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "cookie", err, sizeof(err)) &&
	      !tcphs_table_add_column(&t, "comm", err, sizeof(err)));
	CAPTURE(out, tcphs_table_print(fp, &t, rows, 2));
	check_str("list text, owner and outcome", out,
"ID OUTCOME STAGE     OWNER  UID  PID     CGROUP COOKIE COMM\n"
" 7 refused handshake orig  1000 4242 8589934593     77 my curl\n"
" 7 -       -         -        -    -          -      - -\n");
	CAPTURE(out, tcphs_print_flow_json(fp, &f));
	check_str("list json, owner and outcome", out,
		  "{\"flow_id\":7,\"netns\":4026531840,\"family\":4,"
		  "\"saddr\":\"10.0.0.1\",\"sport\":40000,"
		  "\"daddr\":\"10.0.0.2\",\"dport\":8080,"
		  "\"state\":\"TIME_WAIT\",\"conn_state\":\"SF\",\"history\":\"ShAdDaFf\","
		  "\"isn_orig\":1000,\"isn_reply\":5000,"
		  "\"outcome\":\"refused\",\"stage\":\"handshake\",\"owner\":\"orig\","
		  "\"uid\":1000,\"pid\":4242,\"comm\":\"my curl\",\"cgroup\":8589934593,"
		  "\"cookie\":77}\n");
}

/* Build a message the way the kernel does and parse it back. */
static void test_parse(void)
{
	char buf[MNL_SOCKET_BUFFER_SIZE], err[128];
	struct nlmsghdr *nlh;
	struct genlmsghdr *genl;
	struct tcphs_flow f;
	uint8_t a6[16];
	struct nlattr *nest;

	nlh = mnl_nlmsg_put_header(buf);
	nlh->nlmsg_type = 0x20;
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	genl->cmd = TCPHS_CMD_EVENT;
	mnl_attr_put_u64(nlh, TCPHS_A_FLOW_ID, 7);
	mnl_attr_put_u8(nlh, TCPHS_A_FAMILY, AF_INET6);
	inet_pton(AF_INET6, "2001:db8::1", a6);
	mnl_attr_put(nlh, TCPHS_A_SADDR, 16, a6);
	inet_pton(AF_INET6, "2001:db8::2", a6);
	mnl_attr_put(nlh, TCPHS_A_DADDR, 16, a6);
	mnl_attr_put_u16(nlh, TCPHS_A_SPORT, 40000);
	mnl_attr_put_u16(nlh, TCPHS_A_DPORT, 443);
	mnl_attr_put_u8(nlh, TCPHS_A_STATE, TCPHS_STATE_SYN_RECV);
	mnl_attr_put_u8(nlh, TCPHS_A_EVENT, TCPHS_EV_SYN_ACK);
	mnl_attr_put_u32(nlh, TCPHS_A_EVENT_SEQ, 99);	/* any width */
	mnl_attr_put_u8(nlh, TCPHS_A_DIR, TCPHS_DIR_REPLY);
	mnl_attr_put_u8(nlh, TCPHS_A_TCP_FLAGS, TCPHS_F_SYN | TCPHS_F_ACK);
	mnl_attr_put_u32(nlh, TCPHS_A_SEQ, 5000);
	mnl_attr_put_strz(nlh, TCPHS_A_HISTORY, "Sh");
	mnl_attr_put(nlh, TCPHS_A_PAD, 0, NULL);
	mnl_attr_put_u64(nlh, TCPHS_A_TS_NS, 123456789);
	nest = mnl_attr_nest_start(nlh, __TCPHS_A_MAX + 5);	/* unknown: skipped */
	mnl_attr_put_u32(nlh, 1, 1);
	mnl_attr_nest_end(nlh, nest);

	check("parse ok", tcphs_flow_parse(nlh, &f, err, sizeof(err)) == 0);
	check("parse flow_id", tcphs_has(&f, TCPHS_A_FLOW_ID) && f.flow_id == 7);
	check("parse family", f.family == AF_INET6);
	check("parse saddr", f.saddr.b[0] == 0x20 && f.saddr.b[15] == 1);
	check("parse ports", f.sport == 40000 && f.dport == 443);
	check("parse event", f.event == TCPHS_EV_SYN_ACK && f.state == TCPHS_STATE_SYN_RECV);
	check("parse event_seq u32", f.event_seq == 99);
	check("parse dir/flags", f.dir == TCPHS_DIR_REPLY && f.tcp_flags == 0x12);
	check("parse seq", f.seq == 5000 && !tcphs_has(&f, TCPHS_A_ACK));
	check("parse history", !strcmp(f.history, "Sh"));
	check("parse ts", f.ts_ns == 123456789);
	check("parse unknown isn", !tcphs_has(&f, TCPHS_A_ISN_ORIG));

	/* A u16 where a u8 belongs. */
	mnl_attr_put_u16(nlh, TCPHS_A_CONN_STATE, 1);
	check("parse bad length", tcphs_flow_parse(nlh, &f, err, sizeof(err)) < 0);
	check_str("parse bad length reason", err,
		  "attribute 11 has a bad length (2 bytes)");

	/* An IPv4 address in an IPv6 flow. */
	nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	mnl_attr_put_u8(nlh, TCPHS_A_FAMILY, AF_INET6);
	mnl_attr_put_u32(nlh, TCPHS_A_SADDR, htonl(0x0a000001));
	check("parse family mismatch", tcphs_flow_parse(nlh, &f, err, sizeof(err)) < 0);

	/* A history without its NUL. */
	nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	mnl_attr_put(nlh, TCPHS_A_HISTORY, 2, "Sh");
	check("parse unterminated string", tcphs_flow_parse(nlh, &f, err, sizeof(err)) < 0);

	/* No family: the address length tells. */
	nlh = mnl_nlmsg_put_header(buf);
	genl = mnl_nlmsg_put_extra_header(nlh, sizeof(*genl));
	mnl_attr_put_u32(nlh, TCPHS_A_DADDR, htonl(0x0a000002));
	check("parse infer family", tcphs_flow_parse(nlh, &f, err, sizeof(err)) == 0 &&
	      f.family == AF_INET && tcphs_has(&f, TCPHS_A_FAMILY));
}

/*
 * /proc/net/tcphs_events read back: each line the module writes (the
 * event's number, then what tcphs events -o mono prints) parses into an
 * event that prints the same line again.
 */
static void test_evlog(void)
{
	struct tcphs_out o = { .time = TCPHS_TIME_MONO };
	struct tcphs_flow e[14], back;
	char out[1024], line[1100], again[1024], err[128], what[64];
	const struct tcphs_flow *t;
	uint64_t lost;
	size_t n, i;

	t = textbook(&n);
	memcpy(e, t, n * sizeof(*e));
	e[2].lat_syn_synack = 120045;
	e[2].lat_synack_ack = 30000;
	SET(&e[2], TCPHS_A_LAT_SYN_SYNACK);
	SET(&e[2], TCPHS_A_LAT_SYNACK_ACK);
	/* A timeout (no segment), and an IPv6 reply with a number before y. */
	e[n] = base_event();
	e[n].event = EV(TIMEOUT);
	e[n].old_state = ST(SYN_SENT);
	e[n].state = ST(CLOSED);
	e[n].ts_ns = 1060000000000ULL;
	SET(&e[n], TCPHS_A_EVENT);
	SET(&e[n], TCPHS_A_OLD_STATE);
	SET(&e[n], TCPHS_A_STATE);
	SET(&e[n], TCPHS_A_TS_NS);
	e[n + 1] = ev(EV(INVALID), R, A_, 4990, 1001, 200, ST(ESTABLISHED), ST(ESTABLISHED));
	e[n + 1].family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", e[n + 1].saddr.b);
	inet_pton(AF_INET6, "2001:db8::2", e[n + 1].daddr.b);
	/* The last word of a refused flow a local process made. */
	e[n + 2] = ev(EV(RST), R, R_ | A_, 0, 1001, 0, ST(SYN_SENT), ST(CLOSED));
	e[n + 2].outcome = TCPHS_OUT_REFUSED;
	e[n + 2].stage = TCPHS_STAGE_HANDSHAKE;
	e[n + 2].owner_side = TCPHS_DIR_ORIG;
	e[n + 2].owner_uid = 1000;
	e[n + 2].owner_pid = 77;
	snprintf(e[n + 2].owner_comm, sizeof(e[n + 2].owner_comm), "Web Content");
	SET(&e[n + 2], TCPHS_A_OUTCOME);
	SET(&e[n + 2], TCPHS_A_STAGE);
	SET(&e[n + 2], TCPHS_A_OWNER_SIDE);
	SET(&e[n + 2], TCPHS_A_OWNER_UID);
	SET(&e[n + 2], TCPHS_A_OWNER_PID);
	SET(&e[n + 2], TCPHS_A_OWNER_COMM);
	/* A server's flow, its task not known yet. */
	e[n + 3] = e[2];
	e[n + 3].owner_side = TCPHS_DIR_REPLY;
	e[n + 3].owner_uid = 0;
	SET(&e[n + 3], TCPHS_A_OWNER_SIDE);
	SET(&e[n + 3], TCPHS_A_OWNER_UID);
	n += 4;
	for (i = 0; i < n; i++) {
		CAPTURE(out, tcphs_print_event(fp, &e[i], &o));
		snprintf(line, sizeof(line), "%zu %s", 40 + i, out);
		snprintf(what, sizeof(what), "event log line %zu parses", i);
		check(what, tcphs_evlog_parse(line, &back, &lost, err, sizeof(err)) ==
			    TCPHS_EVLOG_EVENT);
		CAPTURE(again, tcphs_print_event(fp, &back, &o));
		snprintf(what, sizeof(what), "event log line %zu, read back", i);
		check_str(what, again, out);
		check("event log line's number", back.event_seq == 40 + i);
	}

	check("event log: lost line", tcphs_evlog_parse(
		"# 21 events overwritten unread since the last read\n", &back, &lost,
		err, sizeof(err)) == TCPHS_EVLOG_LOST && lost == 21);
	check("event log: short line", tcphs_evlog_parse("1 2 3", &back, &lost, err,
							 sizeof(err)) == TCPHS_EVLOG_BAD);
	check("event log: bad event", tcphs_evlog_parse(
		"1 3.5 flow=1 10.0.0.1:1 > 10.0.0.2:2 orig BOGUS NONE -> SYN_SENT flags=S "
		"seq=x ack=-", &back, &lost, err, sizeof(err)) == TCPHS_EVLOG_BAD &&
	      strstr(err, "unknown event 'BOGUS'"));
	check("event log: mixed families", tcphs_evlog_parse(
		"1 3.5 flow=1 10.0.0.1:1 > [::1]:2 orig SYN NONE -> SYN_SENT flags=S "
		"seq=x ack=-", &back, &lost, err, sizeof(err)) == TCPHS_EVLOG_BAD);
	check("event log: bad port", tcphs_evlog_parse(
		"1 3.5 flow=1 10.0.0.1:70000 > 10.0.0.2:2 orig SYN NONE -> SYN_SENT flags=S "
		"seq=x ack=-", &back, &lost, err, sizeof(err)) == TCPHS_EVLOG_BAD);
	check("event log: comm without pid", tcphs_evlog_parse(
		"1 3.5 flow=1 10.0.0.1:1 > 10.0.0.2:2 orig SYN NONE -> SYN_SENT flags=S "
		"seq=x ack=- owner=orig uid=0 comm=x", &back, &lost, err, sizeof(err)) ==
	      TCPHS_EVLOG_BAD);
	check("event log: bad outcome", tcphs_evlog_parse(
		"1 3.5 flow=1 10.0.0.1:1 > 10.0.0.2:2 orig SYN NONE -> SYN_SENT flags=S "
		"seq=x ack=- outcome=-", &back, &lost, err, sizeof(err)) == TCPHS_EVLOG_BAD &&
	      strstr(err, "bad field 'outcome=-'"));
	check("event log: bad flags", tcphs_evlog_parse(
		"1 3.5 flow=1 10.0.0.1:1 > 10.0.0.2:2 orig SYN NONE -> SYN_SENT flags=SQ "
		"seq=x ack=-", &back, &lost, err, sizeof(err)) == TCPHS_EVLOG_BAD);
}

int main(void)
{
	test_rel();
	test_flags();
	test_json_string();
	test_seg_rel();
	test_event_text();
	test_event_json();
	test_ladder();
	test_flow_line();
	test_parse();
	test_evlog();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
