// SPDX-License-Identifier: GPL-2.0
/*
 * Tests of the filter options: what each form of value parses to, what it
 * refuses and why, and which flows it keeps.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "../filter.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define SET(f, a) ((f)->present |= 1ULL << (a))

static int checks, failures;

static void check(const char *what, int ok)
{
	checks++;
	if (ok)
		return;
	failures++;
	printf("FAIL %s\n", what);
}

/* 10.0.0.1:40000 -> 10.0.0.2:8080, a SYN event into SYN_SENT. */
static struct tcphs_flow flow4(void)
{
	struct tcphs_flow f = { 0 };

	f.family = AF_INET;
	inet_pton(AF_INET, "10.0.0.1", f.saddr.b);
	inet_pton(AF_INET, "10.0.0.2", f.daddr.b);
	f.sport = 40000;
	f.dport = 8080;
	f.state = TCPHS_STATE_SYN_SENT;
	f.event = TCPHS_EV_SYN;
	SET(&f, TCPHS_A_FAMILY);
	SET(&f, TCPHS_A_SADDR);
	SET(&f, TCPHS_A_DADDR);
	SET(&f, TCPHS_A_SPORT);
	SET(&f, TCPHS_A_DPORT);
	SET(&f, TCPHS_A_STATE);
	SET(&f, TCPHS_A_EVENT);
	return f;
}

/* [2001:db8::1]:50000 -> [2001:db8:1::80]:443, a RST into CLOSED. */
static struct tcphs_flow flow6(void)
{
	struct tcphs_flow f = flow4();

	f.family = AF_INET6;
	inet_pton(AF_INET6, "2001:db8::1", f.saddr.b);
	inet_pton(AF_INET6, "2001:db8:1::80", f.daddr.b);
	f.sport = 50000;
	f.dport = 443;
	f.state = TCPHS_STATE_CLOSED;
	f.event = TCPHS_EV_RST;
	/* Refused, and made by a local process. */
	f.outcome = TCPHS_OUT_REFUSED;
	f.owner_side = TCPHS_DIR_ORIG;
	f.owner_uid = 1000;
	f.owner_pid = 4242;
	snprintf(f.owner_comm, sizeof(f.owner_comm), "curl");
	f.owner_cgroup = 8589934593ULL;
	SET(&f, TCPHS_A_OUTCOME);
	SET(&f, TCPHS_A_OWNER_SIDE);
	SET(&f, TCPHS_A_OWNER_UID);
	SET(&f, TCPHS_A_OWNER_PID);
	SET(&f, TCPHS_A_OWNER_COMM);
	SET(&f, TCPHS_A_OWNER_CGROUP);
	return f;
}

struct opt {
	enum tcphs_filter_key key;
	const char *arg;
};

struct filter_case {
	const char *name;
	struct opt opts[4];
	int nopts;
	const char *err;	/* a part of the refusal, or NULL */
	int keep4, keep6;	/* which flows pass */
};

#define K(k) TCPHS_FK_##k

static const struct filter_case cases[] = {
	{ "nothing", {}, 0, NULL, 1, 1 },
	{ "family 4", { { K(FAMILY), "4" } }, 1, NULL, 1, 0 },
	{ "family inet6", { { K(FAMILY), "inet6" } }, 1, NULL, 0, 1 },
	{ "family twice, same", { { K(FAMILY), "4" }, { K(FAMILY), "ipv4" } }, 2, NULL, 1, 0 },
	{ "family 4 and 6", { { K(FAMILY), "4" }, { K(FAMILY), "6" } }, 2,
	  "IPv4 and IPv6 both", 0, 0 },
	{ "family bad", { { K(FAMILY), "5" } }, 1, "bad --family '5'", 0, 0 },
	{ "addr either end", { { K(ADDR), "10.0.0.2" } }, 1, NULL, 1, 0 },
	{ "addr cidr", { { K(ADDR), "10.0.0.0/8" } }, 1, NULL, 1, 0 },
	{ "addr cidr host bits", { { K(ADDR), "10.1.2.3/8" } }, 1, NULL, 1, 0 },
	{ "addr /0", { { K(ADDR), "0.0.0.0/0" } }, 1, NULL, 1, 0 },
	{ "addr odd prefix in", { { K(ADDR), "10.0.0.0/31" } }, 1, NULL, 1, 0 },
	{ "addr odd prefix out", { { K(ADDR), "10.0.0.4/30" } }, 1, NULL, 0, 0 },
	{ "addr v6 cidr", { { K(ADDR), "2001:db8::/32" } }, 1, NULL, 0, 1 },
	{ "addr v6 bracket", { { K(ADDR), "[2001:db8::1]" } }, 1, NULL, 0, 1 },
	{ "addr v6 /33 out", { { K(ADDR), "2001:db8:8000::/33" } }, 1, NULL, 0, 0 },
	{ "addr list", { { K(ADDR), "192.0.2.1,2001:db8::1" } }, 1, NULL, 0, 1 },
	{ "addr repeated ORs", { { K(ADDR), "192.0.2.1" }, { K(ADDR), "10.0.0.1" } }, 2,
	  NULL, 1, 0 },
	{ "addr negated", { { K(ADDR), "!10.0.0.0/8" } }, 1, NULL, 0, 1 },
	{ "addr negated twice", { { K(ADDR), "!10.0.0.0/8" }, { K(ADDR), "!2001:db8::/32" } },
	  2, NULL, 0, 0 },
	{ "addr mixed polarity", { { K(ADDR), "10.0.0.1" }, { K(ADDR), "!10.0.0.2" } }, 2,
	  "both values to keep and values to leave out", 0, 0 },
	{ "addr bad", { { K(ADDR), "10.0.0.300" } }, 1, "bad --addr '10.0.0.300'", 0, 0 },
	{ "addr bad prefix", { { K(ADDR), "10.0.0.0/33" } }, 1, "bad --addr", 0, 0 },
	{ "addr empty prefix", { { K(ADDR), "10.0.0.0/" } }, 1, "bad --addr", 0, 0 },
	{ "addr empty value", { { K(ADDR), "10.0.0.1,,10.0.0.2" } }, 1, "empty value", 0, 0 },
	{ "addr only bang", { { K(ADDR), "!" } }, 1, "needs a value", 0, 0 },
	{ "saddr is the originator", { { K(SADDR), "10.0.0.1" } }, 1, NULL, 1, 0 },
	{ "saddr not the responder", { { K(SADDR), "10.0.0.2" } }, 1, NULL, 0, 0 },
	{ "daddr is the responder", { { K(DADDR), "10.0.0.2" } }, 1, NULL, 1, 0 },
	{ "daddr not the originator", { { K(DADDR), "10.0.0.1" } }, 1, NULL, 0, 0 },
	{ "family and addr disagree", { { K(FAMILY), "6" }, { K(SADDR), "10.0.0.1" } }, 2,
	  "--saddr 10.0.0.1 is an IPv4 address but the family is 6", 0, 0 },
	{ "port either end", { { K(PORT), "8080" } }, 1, NULL, 1, 0 },
	{ "port list", { { K(PORT), "80,443" } }, 1, NULL, 0, 1 },
	{ "port range", { { K(PORT), "8000-8099" } }, 1, NULL, 1, 0 },
	{ "port range edges", { { K(PORT), "443-443,40000-40000" } }, 1, NULL, 1, 1 },
	{ "port repeated ORs", { { K(PORT), "80" }, { K(PORT), "443" } }, 2, NULL, 0, 1 },
	{ "port negated", { { K(PORT), "!22,443" } }, 1, NULL, 1, 0 },
	{ "port reversed range", { { K(PORT), "90-80" } }, 1, "bad --port '90-80'", 0, 0 },
	{ "port too big", { { K(PORT), "65536" } }, 1, "bad --port '65536'", 0, 0 },
	{ "port signed", { { K(PORT), "-1" } }, 1, "bad --port", 0, 0 },
	{ "port name", { { K(PORT), "http" } }, 1, "bad --port 'http'", 0, 0 },
	{ "sport", { { K(SPORT), "40000" } }, 1, NULL, 1, 0 },
	{ "sport not the responder's", { { K(SPORT), "8080" } }, 1, NULL, 0, 0 },
	{ "dport", { { K(DPORT), "443,8080" } }, 1, NULL, 1, 1 },
	{ "dport negated", { { K(DPORT), "!443" } }, 1, NULL, 1, 0 },
	{ "state", { { K(STATE), "syn-sent" } }, 1, NULL, 1, 0 },
	{ "state list", { { K(STATE), "SYN_SENT,closed" } }, 1, NULL, 1, 1 },
	{ "state group opening", { { K(STATE), "opening" } }, 1, NULL, 1, 0 },
	{ "state group finished", { { K(STATE), "finished" } }, 1, NULL, 0, 1 },
	{ "state group closing", { { K(STATE), "closing" } }, 1, NULL, 0, 0 },
	{ "state negated", { { K(STATE), "!finished" } }, 1, NULL, 1, 0 },
	{ "state unknown", { { K(STATE), "LISTEN" } }, 1, "unknown state 'LISTEN'", 0, 0 },
	{ "event", { { K(EVENT), "SYN" } }, 1, NULL, 1, 0 },
	{ "event NEW", { { K(EVENT), "NEW" } }, 1, NULL, 1, 0 },
	{ "event DESTROY", { { K(EVENT), "destroy" } }, 1, NULL, 0, 1 },
	{ "event UPDATE", { { K(EVENT), "UPDATE" } }, 1, NULL, 0, 0 },
	{ "event ALL", { { K(EVENT), "ALL" } }, 1, NULL, 1, 1 },
	{ "event negated", { { K(EVENT), "!SYN,SYN_RETRANS" } }, 1, NULL, 0, 1 },
	{ "event repeated", { { K(EVENT), "SYN" }, { K(EVENT), "RST" } }, 2, NULL, 1, 1 },
	{ "event TIME_WAIT", { { K(EVENT), "time-wait" } }, 1, NULL, 0, 0 },
	{ "event 1.0's CLOSED is TIME_WAIT", { { K(EVENT), "CLOSED,RST" } }, 1, NULL, 0, 1 },
	{ "event NONE is no event", { { K(EVENT), "NONE" } }, 1, "unknown event 'NONE'", 0, 0 },
	{ "outcome refused", { { K(OUTCOME), "refused" } }, 1, NULL, 0, 1 },
	{ "outcome group failed", { { K(OUTCOME), "failed" } }, 1, NULL, 0, 1 },
	{ "outcome group timed-out", { { K(OUTCOME), "timed-out" } }, 1, NULL, 0, 0 },
	{ "outcome negated: open flows pass", { { K(OUTCOME), "!completed,reset" } }, 1, NULL, 1, 1 },
	{ "outcome upper case", { { K(OUTCOME), "NO-ANSWER,Refused" } }, 1, NULL, 0, 1 },
	{ "outcome unknown", { { K(OUTCOME), "rejected" } }, 1,
	  "unknown outcome 'rejected'; valid outcomes: completed refused", 0, 0 },
	{ "outcome - is not one", { { K(OUTCOME), "-" } }, 1, "unknown outcome '-'", 0, 0 },
	{ "pid", { { K(PID), "4242" } }, 1, NULL, 0, 1 },
	{ "pid range", { { K(PID), "1-4241,4243-9999" } }, 1, NULL, 0, 0 },
	{ "pid negated: unowned flows pass", { { K(PID), "!4242" } }, 1, NULL, 1, 0 },
	{ "pid not a number", { { K(PID), "curl" } }, 1, "bad --pid 'curl'", 0, 0 },
	{ "pid backwards", { { K(PID), "10-5" } }, 1, "bad --pid '10-5'", 0, 0 },
	{ "pid negative", { { K(PID), "-5" } }, 1, "bad --pid '-5'", 0, 0 },
	{ "uid", { { K(UID), "0,1000" } }, 1, NULL, 0, 1 },
	{ "uid too big", { { K(UID), "99999999999999999999999" } }, 1, "bad --uid", 0, 0 },
	{ "cgroup, 64 bits", { { K(CGROUP), "8589934593" } }, 1, NULL, 0, 1 },
	{ "comm", { { K(COMM), "curl" } }, 1, NULL, 0, 1 },
	{ "comm glob", { { K(COMM), "wget,cu*" } }, 1, NULL, 0, 1 },
	{ "comm is whole", { { K(COMM), "cur" } }, 1, NULL, 0, 0 },
	{ "comm negated", { { K(COMM), "!curl" } }, 1, NULL, 1, 0 },
	{ "comm too long", { { K(COMM), "0123456789012345678901234567890123456789012345678901234567890123" } },
	  1, "longer than 63 characters", 0, 0 },
	{ "owner and port", { { K(UID), "1000" }, { K(PORT), "443" } }, 2, NULL, 0, 1 },
	{ "options AND", { { K(PORT), "8080,443" }, { K(FAMILY), "6" } }, 2, NULL, 0, 1 },
	{ "options AND, none", { { K(SADDR), "10.0.0.1" }, { K(DPORT), "443" } }, 2,
	  NULL, 0, 0 },
};

static void test_cases(void)
{
	struct tcphs_flow f4 = flow4(), f6 = flow6();
	char err[640], what[160];
	size_t i;
	int j, rc;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct filter_case *c = &cases[i];
		struct tcphs_filter flt = { 0 };

		err[0] = '\0';
		rc = 0;
		for (j = 0; j < c->nopts && !rc; j++)
			rc = tcphs_filter_add(&flt, c->opts[j].key, c->opts[j].arg, err,
					      sizeof(err));
		if (!rc)
			rc = tcphs_filter_check(&flt, err, sizeof(err));
		if (c->err) {
			snprintf(what, sizeof(what), "%s: refused with '%s' (got '%s')",
				 c->name, c->err, err);
			check(what, rc && strstr(err, c->err));
			continue;
		}
		snprintf(what, sizeof(what), "%s: accepted (got '%s')", c->name, err);
		check(what, !rc);
		snprintf(what, sizeof(what), "%s: IPv4 flow %s", c->name,
			 c->keep4 ? "kept" : "left out");
		check(what, tcphs_filter_match(&flt, &f4) == !!c->keep4);
		snprintf(what, sizeof(what), "%s: IPv6 flow %s", c->name,
			 c->keep6 ? "kept" : "left out");
		check(what, tcphs_filter_match(&flt, &f6) == !!c->keep6);
	}
}

/* A refused value leaves the filter as it was. */
static void test_unchanged(void)
{
	struct tcphs_filter flt = { 0 }, before;
	char err[640];

	check("port 80", !tcphs_filter_add(&flt, TCPHS_FK_PORT, "80", err, sizeof(err)));
	before = flt;
	check("bad list refused",
	      tcphs_filter_add(&flt, TCPHS_FK_PORT, "443,x", err, sizeof(err)));
	check("filter unchanged", !memcmp(&flt, &before, sizeof(flt)));
}

/* The values the kernel's dump can take over, and those it cannot. */
static void test_single(void)
{
	struct tcphs_filter flt = { 0 };
	const struct tcphs_cidr *c;
	uint16_t port;
	uint8_t state;
	char err[640];

	check("no single addr", !tcphs_filter_single_addr(&flt, &c));
	tcphs_filter_add(&flt, TCPHS_FK_ADDR, "10.0.0.2", err, sizeof(err));
	check("single addr", tcphs_filter_single_addr(&flt, &c) && c->family == AF_INET);
	tcphs_filter_add(&flt, TCPHS_FK_ADDR, "10.0.0.3", err, sizeof(err));
	check("two addrs are not single", !tcphs_filter_single_addr(&flt, &c));
	memset(&flt, 0, sizeof(flt));
	tcphs_filter_add(&flt, TCPHS_FK_ADDR, "10.0.0.0/24", err, sizeof(err));
	check("a prefix is not single", !tcphs_filter_single_addr(&flt, &c));
	tcphs_filter_add(&flt, TCPHS_FK_PORT, "443", err, sizeof(err));
	check("single port", tcphs_filter_single_port(&flt, &port) && port == 443);
	memset(&flt, 0, sizeof(flt));
	tcphs_filter_add(&flt, TCPHS_FK_PORT, "!443", err, sizeof(err));
	check("a negated port is not single", !tcphs_filter_single_port(&flt, &port));
	tcphs_filter_add(&flt, TCPHS_FK_STATE, "TIME_WAIT", err, sizeof(err));
	check("single state", tcphs_filter_single_state(&flt, &state) &&
	      state == TCPHS_STATE_TIME_WAIT);
	memset(&flt, 0, sizeof(flt));
	tcphs_filter_add(&flt, TCPHS_FK_STATE, "finished", err, sizeof(err));
	check("a group is not single", !tcphs_filter_single_state(&flt, &state));
}

int main(void)
{
	test_cases();
	test_unchanged();
	test_single();
	printf("%d checks, %d failed\n", checks, failures);
	return failures ? 1 : 0;
}
