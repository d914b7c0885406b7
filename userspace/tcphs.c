// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: read the tcphs module's TCP handshake tracking over generic netlink.
 *
 *	tcphs events [options]	print transitions as they happen
 *	tcphs list [options]	print the flow table
 *	tcphs stats [--json]	print the counters
 *	tcphs flush		empty the flow table
 *	tcphs pcap FILE		the state machine over a capture
 *
 * Options may come before the command too (tcphs -j list), and a command
 * may be shortened to any unique prefix (tcphs l, tcphs ev).
 *
 * Exit status: 0 success, 1 netlink or system error, 2 the module is not
 * loaded, 3 events: the timeout came before --count, 4 events --strict:
 * events were lost, 64 bad arguments.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "nl.h"
#include "tcphs.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

struct command {
	const char *name;
	int (*run)(const struct tcphs_opts *o);
	bool takes_file;		/* one FILE argument after the options */
	const char *shortopts;
	const struct option *longopts;
	const char *usage;
};

enum {
	OPT_NO_TIMES = 256,
	OPT_RCVBUF,
	OPT_EVENTS,
	OPT_STATS,
	OPT_LOOSE,
	OPT_TIMEOUT,
	OPT_STRICT,
	OPT_PORT,
	OPT_SPORT,
	OPT_DPORT,
	OPT_STATE,
	OPT_UTC,
	OPT_WIDE,
	OPT_NO_HEADER,
	OPT_FROM,
	OPT_OUTCOME,
	OPT_PID,
	OPT_UID,
	OPT_CGROUP,
	OPT_COMM,
	OPT_TEXTFILE,
	OPT_INTERVAL,
	OPT_FINISHED,
};

/* The filters, shared by events, list and pcap. */
#define FILTER_OPTS							\
	{ "family",	required_argument,	NULL, 'f' },		\
	{ "ipv4",	no_argument,		NULL, '4' },		\
	{ "ipv6",	no_argument,		NULL, '6' },		\
	{ "proto",	required_argument,	NULL, 'p' },		\
	{ "addr",	required_argument,	NULL, 'a' },		\
	{ "saddr",	required_argument,	NULL, 's' },		\
	{ "daddr",	required_argument,	NULL, 'd' },		\
	{ "port",	required_argument,	NULL, OPT_PORT },	\
	{ "sport",	required_argument,	NULL, OPT_SPORT },	\
	{ "dport",	required_argument,	NULL, OPT_DPORT },	\
	{ "state",	required_argument,	NULL, OPT_STATE },		\
	{ "outcome",	required_argument,	NULL, OPT_OUTCOME },	\
	{ "pid",	required_argument,	NULL, OPT_PID },	\
	{ "uid",	required_argument,	NULL, OPT_UID },	\
	{ "cgroup",	required_argument,	NULL, OPT_CGROUP },	\
	{ "comm",	required_argument,	NULL, OPT_COMM }

#define FILTER_USAGE							\
	"  -4, -6, -f, --family 4|6   only IPv4 or only IPv6 flows\n"	\
	"  -s, --saddr ADDR[/LEN],..  the originator's address (client)\n" \
	"  -d, --daddr ADDR[/LEN],..  the responder's address (server)\n" \
	"  -a, --addr ADDR[/LEN],..   an address at either end\n"	\
	"      --sport PORT[-PORT],.. the originator's port\n"		\
	"      --dport PORT[-PORT],.. the responder's port\n"		\
	"      --port PORT[-PORT],..  a port at either end\n"		\
	"  -p, --proto tcp            accepted, as conntrack takes it\n"	\
	"      --outcome OUT,..       finished flows that turned out so: completed,\n" \
	"                             refused, no-answer, synack-unanswered,\n" \
	"                             reset-orig, reset-reply, half-closed, idle,\n" \
	"                             evicted, restarted (groups: failed, reset,\n" \
	"                             timed-out)\n"				\
	"      --pid PID[-PID],..     flows of these processes (the owner's)\n" \
	"      --uid UID[-UID],..     flows of these users' sockets\n"	\
	"      --cgroup ID,..         flows of sockets in these cgroups (v2 ids)\n" \
	"      --comm PATTERN,..      flows of these commands (glob patterns)\n"

#define FILTER_NOTE							\
	"A list that starts with '!' leaves its values out; a repeated option\n" \
	"adds values; different options must all match.\n"

static const struct option events_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "raw",	no_argument,		NULL, 'r' },
	{ "ladder",	no_argument,		NULL, 'l' },
	{ "no-times",	no_argument,		NULL, OPT_NO_TIMES },
	{ "wall",	no_argument,		NULL, 'w' },
	{ "output",	required_argument,	NULL, 'o' },
	{ "utc",	no_argument,		NULL, OPT_UTC },
	{ "count",	required_argument,	NULL, 'c' },
	{ "timeout",	required_argument,	NULL, OPT_TIMEOUT },
	{ "strict",	no_argument,		NULL, OPT_STRICT },
	{ "from",	required_argument,	NULL, OPT_FROM },
	{ "finished",	no_argument,		NULL, OPT_FINISHED },
	FILTER_OPTS,
	{ "event",	required_argument,	NULL, 'e' },
	{ "rcvbuf",	required_argument,	NULL, OPT_RCVBUF },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option list_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "output",	required_argument,	NULL, 'o' },
	{ "columns",	required_argument,	NULL, 'o' },
	{ "wide",	no_argument,		NULL, OPT_WIDE },
	{ "no-header",	no_argument,		NULL, OPT_NO_HEADER },
	FILTER_OPTS,
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option stats_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option pcap_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "raw",	no_argument,		NULL, 'r' },
	{ "ladder",	no_argument,		NULL, 'l' },
	{ "no-times",	no_argument,		NULL, OPT_NO_TIMES },
	{ "events",	no_argument,		NULL, OPT_EVENTS },
	{ "output",	required_argument,	NULL, 'o' },
	{ "columns",	required_argument,	NULL, 'o' },
	{ "wide",	no_argument,		NULL, OPT_WIDE },
	{ "no-header",	no_argument,		NULL, OPT_NO_HEADER },
	{ "utc",	no_argument,		NULL, OPT_UTC },
	{ "stats",	no_argument,		NULL, OPT_STATS },
	{ "loose",	no_argument,		NULL, OPT_LOOSE },
	{ "no-checksum", no_argument,		NULL, 'C' },
	FILTER_OPTS,
	{ "event",	required_argument,	NULL, 'e' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option metrics_opts[] = {
	{ "textfile",	required_argument,	NULL, OPT_TEXTFILE },
	{ "interval",	required_argument,	NULL, OPT_INTERVAL },
	{ "count",	required_argument,	NULL, 'c' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option top_opts[] = {
	{ "interval",	required_argument,	NULL, OPT_INTERVAL },
	{ "count",	required_argument,	NULL, 'c' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option flush_opts[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct command commands[] = {
	{
		"events", run_events, false, ":jrlwTo:c:46f:p:a:s:d:e:h", events_opts,
		"Usage: tcphs events [OPTIONS]\n"
		"Print each handshake transition as it happens.\n"
		"\n"
		"  -j, --json                 one JSON object per line\n"
		"  -r, --raw                  seq and ack as on the wire, not x+N/y+N\n"
		"  -l, --ladder               draw each flow as a sequence diagram when it ends\n"
		"      --no-times             with --ladder, leave out the time column\n"
		"  -o, --output wall|iso|mono the time of an event line: the wall clock\n"
		"                             (default), ISO 8601 with date and zone, or\n"
		"                             CLOCK_MONOTONIC seconds\n"
		"      --utc                  wall-clock times in UTC, not local time\n"
		"  -T                         the wall clock's HH:MM:SS (as tcplife -T):\n"
		"                             -o wall\n"
		"  -w, --wall                 the wall clock, then the monotonic time\n"
		"  -c, --count N              exit after N events (with --ladder: N flows)\n"
		"      --timeout SEC          exit after SEC seconds (status 3 if --count\n"
		"                             was not reached)\n"
		"      --strict               stop at the first lost event, status 4\n"
		"      --from FILE            the events of a copy of /proc/net/tcphs_events\n"
		"                             (- for standard input), not the live ones\n"
		"      --finished             one line per finished flow (tcphs summary)\n"
		FILTER_USAGE
		"      --state STATE,..       only events that enter STATE (or a group:\n"
		"                             opening, closing, finished)\n"
		"  -e, --event EV,..          only these events (or NEW, UPDATE, DESTROY, ALL)\n"
		"      --rcvbuf BYTES         socket receive buffer (default 8M)\n"
		"  -h, --help                 this help\n"
		"\n" FILTER_NOTE,
	},
	{
		"summary", run_summary, false, ":jwTo:c:46f:p:a:s:d:e:h", events_opts,
		"Usage: tcphs summary [OPTIONS]\n"
		"One line per finished flow, as it finishes, in the spirit of Zeek's\n"
		"conn.log: its start, duration, tuple, outcome and stage, conn_state,\n"
		"history, both latencies, retransmissions (SYN/SYN-ACK/FIN), opener,\n"
		"closer and owner. The options of tcphs events (it is events --finished).\n"
		"\n"
		"  -j, --json                 one JSON object per line\n"
		"  -o, --output wall|iso|mono how the start is written\n"
		"  -c, --count N              exit after N flows\n"
		"      --timeout SEC          exit after SEC seconds\n"
		"      --from FILE            the flows of a copy of /proc/net/tcphs_events\n"
		FILTER_USAGE
		"      --outcome, --state, --event and the rest: as tcphs events\n"
		"  -h, --help                 this help\n"
		"\n" FILTER_NOTE,
	},
	{
		"list", run_list, false, ":jo:46f:p:a:s:d:h", list_opts,
		"Usage: tcphs list [OPTIONS]\n"
		"Print the flows the module tracks.\n"
		"\n"
		"  -j, --json                 one JSON object per line\n"
		"  -o, --columns COL,..       these columns, in this order (names as in\n"
		"                             /proc/tcphs; an unknown one lists them all)\n"
		"      --wide                 all the columns\n"
		"      --no-header            no header line\n"
		FILTER_USAGE
		"      --state STATE,..       only flows in STATE (or a group: opening,\n"
		"                             closing, finished)\n"
		"  -h, --help                 this help\n"
		"\n" FILTER_NOTE,
	},
	{
		"stats", run_stats, false, ":jh", stats_opts,
		"Usage: tcphs stats [OPTIONS]\n"
		"Print the module's counters for this network namespace.\n"
		"\n"
		"  -j, --json                 one JSON object\n"
		"  -h, --help                 this help\n",
	},
	{
		"metrics", run_metrics, false, ":c:h", metrics_opts,
		"Usage: tcphs metrics [OPTIONS]\n"
		"Print the counters, the flows by state, and per responder port the flows,\n"
		"their outcomes, retransmissions and both handshake latencies as\n"
		"histograms, in the Prometheus text format.\n"
		"\n"
		"      --textfile DIR         write DIR/tcphs.prom (atomically: for\n"
		"                             node_exporter's textfile collector)\n"
		"      --interval SEC         again every SEC seconds, until a signal\n"
		"  -c, --count N              with --interval, stop after N writes\n"
		"  -h, --help                 this help\n",
	},
	{
		"top", run_top, false, ":c:h", top_opts,
		"Usage: tcphs top [OPTIONS]\n"
		"The responder ports, busiest first: new flows, refusals and resets a\n"
		"second, both halves of the handshake at p50 and p99, flows half open.\n"
		"On a terminal it redraws, and q quits; otherwise a block per interval.\n"
		"\n"
		"      --interval SEC         seconds between screens (default 1)\n"
		"  -c, --count N              stop after N screens\n"
		"  -h, --help                 this help\n",
	},
	{
		"flush", run_flush, false, ":h", flush_opts,
		"Usage: tcphs flush\n"
		"Remove every flow of this network namespace (needs CAP_NET_ADMIN).\n"
		"\n"
		"  -h, --help                 this help\n",
	},
	{
		"pcap", run_pcap, true, ":jrlo:C46f:p:a:s:d:e:h", pcap_opts,
		"Usage: tcphs pcap [OPTIONS] FILE\n"
		"Run the module's state machine over a capture (pcap or pcapng; FILE - is\n"
		"standard input) and print the flows at its end, as tcphs list does.\n"
		"\n"
		"  -j, --json                 one JSON object per line\n"
		"  -r, --raw                  seq and ack as on the wire, not x+N/y+N\n"
		"      --events               the events instead, as tcphs events prints them\n"
		"  -o, --output ITEM,..       the table's columns (as tcphs list -o), or\n"
		"                             with --events the time: wall (default), iso,\n"
		"                             or mono (seconds since the epoch)\n"
		"      --wide                 all the table's columns\n"
		"      --no-header            no header line\n"
		"      --utc                  wall-clock times in UTC\n"
		"  -l, --ladder               every flow as a sequence diagram\n"
		"      --no-times             with --ladder, leave out the time column\n"
		"      --stats                then the counters, as tcphs stats\n"
		"      --loose                flows from any segment, not only a SYN (loose=1)\n"
		"  -C, --no-checksum          take every TCP checksum as right (captures made\n"
		"                             on the sending host, before checksum offload)\n"
		FILTER_USAGE
		"      --state STATE,..       only flows in STATE (events: that enter it)\n"
		"  -e, --event EV,..          with --events, only these events\n"
		"  -h, --help                 this help\n"
		"\n" FILTER_NOTE,
	},
};

static void usage(FILE *fp)
{
	fputs("Usage: tcphs [OPTIONS] COMMAND [OPTIONS]\n"
	      "       tcphs help [COMMAND]\n"
	      "       tcphs --version\n"
	      "\n"
	      "Commands (any unique prefix will do):\n"
	      "  events    print handshake transitions as they happen\n"
	      "  list      print the flow table\n"
	      "  stats     print the counters\n"
	      "  metrics   the counters and per-port aggregates for Prometheus\n"
	      "  top       the busiest ports, refreshed\n"
	      "  summary   a line per finished flow (conn.log)\n"
	      "  flush     remove all flows\n"
	      "  pcap      run the state machine over a capture file\n"
	      "\n"
	      "Run 'tcphs COMMAND --help' for a command's options.\n", fp);
}

static void __attribute__((format(printf, 2, 3), noreturn))
usage_error(const struct command *cmd, const char *fmt, ...)
{
	va_list ap;

	fputs("tcphs: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	if (cmd)
		fprintf(stderr, "\nTry 'tcphs %s --help'.\n", cmd->name);
	else
		fputs("\nTry 'tcphs --help'.\n", stderr);
	exit(EXIT_USAGE);
}

/* The command @name names: the whole name or a unique prefix of it. */
static const struct command *find_command(const char *name)
{
	const struct command *found = NULL;
	size_t i, len = strlen(name);
	char names[128] = "";

	for (i = 0; i < ARRAY_SIZE(commands); i++) {
		if (!strcmp(commands[i].name, name))
			return &commands[i];
		if (len && !strncmp(commands[i].name, name, len)) {
			snprintf(names + strlen(names), sizeof(names) - strlen(names),
				 "%s%s", found ? " " : "", commands[i].name);
			if (found)
				usage_error(NULL, "ambiguous command '%s': %s", name, names);
			found = &commands[i];
		}
	}
	return found;
}

static unsigned long parse_ulong(const struct command *cmd, const char *opt,
				 const char *arg, unsigned long min,
				 unsigned long max)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(arg, &end, 10);
	if (errno || end == arg || *end || arg[0] == '-' || v < min || v > max)
		usage_error(cmd, "bad %s '%s': want a number from %lu to %lu",
			    opt, arg, min, max);
	return v;
}

static double parse_seconds(const struct command *cmd, const char *opt, const char *arg)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v <= 0 || v > 1e9)
		usage_error(cmd, "bad %s '%s': want a number of seconds above 0", opt, arg);
	return v;
}

static int parse_bytes(const struct command *cmd, const char *arg)
{
	unsigned long long v, mult = 1;
	char *end;

	errno = 0;
	v = strtoull(arg, &end, 10);
	if (!errno && end != arg && arg[0] != '-') {
		if (*end == 'k' || *end == 'K')
			mult = 1ULL << 10;
		else if (*end == 'm' || *end == 'M')
			mult = 1ULL << 20;
		if (mult > 1)
			end++;
		if (!*end && v && v <= INT_MAX / 2 / mult)
			return v * mult;
	}
	usage_error(cmd, "bad --rcvbuf '%s': want a number of bytes (K, M allowed) up to %d",
		    arg, INT_MAX / 2);
}

/**
 * tcphs_open - open a generic netlink socket and find the tcphs family
 * @nl: the socket to set up
 *
 * Return: 0, or the exit status after saying what went wrong (the socket
 * is then closed).
 */
int tcphs_open(struct nl *nl)
{
	int err = nl_open_tcphs(nl);

	if (!err)
		return EXIT_OK;
	if (err == -ENOENT) {
		fprintf(stderr, "tcphs: the tcphs module is not loaded "
			"(generic netlink family \"%s\" not found)\n",
			TCPHS_GENL_NAME);
		nl_close(nl);
		return EXIT_NOT_LOADED;
	}
	err = tcphs_nl_fail(nl, err, "cannot open generic netlink socket", NULL);
	nl_close(nl);
	return err;
}

/**
 * tcphs_nl_fail - report a netlink error and say how to exit
 * @nl: the socket, for the extended ack message
 * @err: the negative errno
 * @what: what failed, for the message
 * @eperm_hint: what needs privileges, for EPERM ("flush needs CAP_NET_ADMIN")
 *
 * Return: the exit status.
 */
int tcphs_nl_fail(const struct nl *nl, int err, const char *what,
		  const char *eperm_hint)
{
	const char *ext = nl && nl->extack[0] ? nl->extack : NULL;

	if (err == -EPERM || err == -EACCES) {
		fprintf(stderr, "tcphs: permission denied (%s)%s%s\n",
			eperm_hint ? eperm_hint : what, ext ? ": " : "",
			ext ? ext : "");
		return EXIT_ERROR;
	}
	fprintf(stderr, "tcphs: %s: %s%s%s\n", what, strerror(-err),
		ext ? ": " : "", ext ? ext : "");
	return EXIT_ERROR;
}

static void filter_add(const struct command *cmd, struct tcphs_filter *flt,
		       enum tcphs_filter_key key, const char *arg)
{
	char err[640];

	if (tcphs_filter_add(flt, key, arg, err, sizeof(err)))
		usage_error(cmd, "%s", err);
}

/*
 * -o: a comma list of time formats (events, pcap --events) and columns
 * (list, pcap), as conntrack's -o takes several words.
 */
static void parse_output(const struct command *cmd, const char *arg,
			 struct tcphs_opts *o)
{
	bool columns = strcmp(cmd->name, "events");
	bool times = strcmp(cmd->name, "list");
	char *copy = strdup(arg), *tok, *save = NULL;
	char err[512];

	if (!copy) {
		perror("tcphs");
		exit(EXIT_ERROR);
	}
	if (!arg[0] || arg[0] == ',' || arg[strlen(arg) - 1] == ',' || strstr(arg, ",,"))
		usage_error(cmd, "bad --output '%s': an empty item", arg);
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (times && !strcmp(tok, "wall"))
			o->time = TCPHS_TIME_WALL;
		else if (times && !strcmp(tok, "iso"))
			o->time = TCPHS_TIME_ISO;
		else if (times && !strcmp(tok, "mono"))
			o->time = TCPHS_TIME_MONO;
		else if (!columns)
			usage_error(cmd, "bad --output '%s': use wall, iso or mono", tok);
		else if (tcphs_table_add_column(&o->table, tok, err, sizeof(err)))
			usage_error(cmd, "%s%s", err, times ? "; times: wall iso mono" : "");
	}
	free(copy);
}

static void parse_proto(const struct command *cmd, const char *arg)
{
	if (strcasecmp(arg, "tcp") && strcmp(arg, "6"))
		usage_error(cmd, "bad --proto '%s': tcphs follows TCP only "
			    "(for a port: --port, --sport, --dport)", arg);
}

/* The long options of @opts whose names start with @name (@len bytes). */
static int long_matches(const struct option *opts, const char *name, size_t len,
			const struct option **exact, char *buf, size_t buflen)
{
	const struct option *opt;
	size_t off = 0;
	int n = 0;

	*exact = NULL;
	buf[0] = '\0';
	for (opt = opts; opt->name; opt++) {
		if (strncmp(opt->name, name, len))
			continue;
		if (strlen(opt->name) == len)
			*exact = opt;
		n++;
		if (off < buflen)
			off += snprintf(buf + off, buflen - off, "%s--%s", off ? " " : "",
					opt->name);
	}
	return n;
}

/* An unknown, ambiguous or misused long option. */
static void __attribute__((noreturn))
bad_long_option(const struct command *cmd, const char *arg)
{
	const struct option *exact;
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
	char names[512];
	int n = long_matches(cmd->longopts, arg + 2, len, &exact, names, sizeof(names));

	if (exact && eq && exact->has_arg == no_argument)
		usage_error(cmd, "option '--%s' takes no argument", exact->name);
	if (!exact && n > 1)
		usage_error(cmd, "option '%.*s' is ambiguous: %s", (int)len + 2, arg, names);
	usage_error(cmd, "unknown option '%s' for '%s'", arg, cmd->name);
}

static void parse_options(const struct command *cmd, int argc, char **argv,
			  struct tcphs_opts *o)
{
	struct tcphs_filter *flt = &o->filter;
	char err[256];
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, cmd->shortopts, cmd->longopts,
				NULL)) != -1) {
		switch (c) {
		case 'h':
			fputs(cmd->usage, stdout);
			exit(EXIT_OK);
		case 'j':
			o->json = true;
			break;
		case 'r':
			o->raw = true;
			break;
		case 'l':
			o->ladder = true;
			break;
		case OPT_NO_TIMES:
			o->no_times = true;
			break;
		case 'w':
			o->wall = true;
			break;
		case 'o':
			parse_output(cmd, optarg, o);
			break;
		case 'T':
			o->time = TCPHS_TIME_WALL;
			break;
		case OPT_UTC:
			o->utc = true;
			break;
		case OPT_WIDE:
			o->wide = true;
			break;
		case OPT_NO_HEADER:
			o->table.no_header = true;
			break;
		case 'c':
			o->count = parse_ulong(cmd, "--count", optarg, 1, ULONG_MAX);
			break;
		case OPT_TIMEOUT:
			o->timeout = parse_seconds(cmd, "--timeout", optarg);
			break;
		case OPT_STRICT:
			o->strict = true;
			break;
		case OPT_FROM:
			o->from = optarg;
			break;
		case 'f':
			filter_add(cmd, flt, TCPHS_FK_FAMILY, optarg);
			break;
		case '4':
			filter_add(cmd, flt, TCPHS_FK_FAMILY, "4");
			break;
		case '6':
			filter_add(cmd, flt, TCPHS_FK_FAMILY, "6");
			break;
		case 'p':
			parse_proto(cmd, optarg);
			break;
		case 'a':
			filter_add(cmd, flt, TCPHS_FK_ADDR, optarg);
			break;
		case 's':
			filter_add(cmd, flt, TCPHS_FK_SADDR, optarg);
			break;
		case 'd':
			filter_add(cmd, flt, TCPHS_FK_DADDR, optarg);
			break;
		case OPT_PORT:
			filter_add(cmd, flt, TCPHS_FK_PORT, optarg);
			break;
		case OPT_SPORT:
			filter_add(cmd, flt, TCPHS_FK_SPORT, optarg);
			break;
		case OPT_DPORT:
			filter_add(cmd, flt, TCPHS_FK_DPORT, optarg);
			break;
		case OPT_STATE:
			filter_add(cmd, flt, TCPHS_FK_STATE, optarg);
			break;
		case 'e':
			filter_add(cmd, flt, TCPHS_FK_EVENT, optarg);
			break;
		case OPT_OUTCOME:
			filter_add(cmd, flt, TCPHS_FK_OUTCOME, optarg);
			break;
		case OPT_PID:
			filter_add(cmd, flt, TCPHS_FK_PID, optarg);
			break;
		case OPT_UID:
			filter_add(cmd, flt, TCPHS_FK_UID, optarg);
			break;
		case OPT_CGROUP:
			filter_add(cmd, flt, TCPHS_FK_CGROUP, optarg);
			break;
		case OPT_COMM:
			filter_add(cmd, flt, TCPHS_FK_COMM, optarg);
			break;
		case OPT_FINISHED:
			o->finished = true;
			break;
		case OPT_TEXTFILE:
			o->textfile = optarg;
			break;
		case OPT_INTERVAL:
			o->interval = parse_seconds(cmd, "--interval", optarg);
			break;
		case OPT_RCVBUF:
			o->rcvbuf = parse_bytes(cmd, optarg);
			break;
		case OPT_EVENTS:
			o->pcap_events = true;
			break;
		case OPT_STATS:
			o->pcap_stats = true;
			break;
		case OPT_LOOSE:
			o->loose = true;
			break;
		case 'C':
			o->no_checksum = true;
			break;
		case ':':
			usage_error(cmd, "option '%s' needs an argument",
				    argv[optind - 1]);
		default:
			if (!strncmp(argv[optind - 1], "--", 2))
				bad_long_option(cmd, argv[optind - 1]);
			if (optopt && optopt < 256)
				usage_error(cmd, "unknown option '-%c' for '%s'",
					    optopt, cmd->name);
			usage_error(cmd, "unknown option '%s' for '%s'",
				    argv[optind - 1], cmd->name);
		}
	}
	if (cmd->takes_file) {
		if (optind >= argc)
			usage_error(cmd, "'%s' needs a FILE", cmd->name);
		o->file = argv[optind++];
	}
	if (optind < argc)
		usage_error(cmd, "unexpected argument '%s'", argv[optind]);
	if (o->pcap_events && o->ladder)
		usage_error(cmd, "--events and --ladder do not go together");
	if (flt->events.set && cmd->takes_file && !o->pcap_events)
		usage_error(cmd, "--event selects events: use it with --events");

	if (cmd->run == run_summary)
		o->finished = true;
	if (o->finished && o->ladder)
		usage_error(cmd, "--finished and --ladder do not go together");
	if (o->ladder && o->json)
		usage_error(cmd, "--ladder and --json do not go together");
	if (o->ladder && (flt->events.set || flt->states.set))
		usage_error(cmd, "--ladder draws whole flows: --event and --state do not apply");
	if (o->no_times && !o->ladder)
		usage_error(cmd, "--no-times only applies to --ladder");
	if (tcphs_filter_check(flt, err, sizeof(err)))
		usage_error(cmd, "%s", err);
	if (o->from && (o->timeout || o->rcvbuf != TCPHS_DEFAULT_RCVBUF))
		usage_error(cmd, "--timeout and --rcvbuf are for live events, not --from");
	if (o->wide && o->table.ncols)
		usage_error(cmd, "--wide shows every column: leave out --columns");
	if (!o->table.ncols) {
		tcphs_table_default(&o->table, o->wide);
		o->table.auto_nat = !o->wide;
	}
}

/*
 * How many words option @arg, of whichever command, takes up: 2 when the
 * next word is its value, 1 when not, 0 when no command has it. An
 * abbreviated long option goes by its first expansion, and a later letter
 * of a cluster by whichever command has it: the command's own table judges
 * them once the command is known.
 */
static int option_words(const char *arg)
{
	const char *eq = strchr(arg, '='), *p = NULL;
	const struct option *opt;
	int words = 0, w;
	size_t i, j, len;

	if (!strncmp(arg, "--", 2)) {
		len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);
		for (i = 0; i < ARRAY_SIZE(commands); i++) {
			for (opt = commands[i].longopts; opt->name; opt++) {
				if (strncmp(opt->name, arg + 2, len))
					continue;
				w = !eq && opt->has_arg == required_argument ? 2 : 1;
				if (strlen(opt->name) == len)
					return w;
				if (!words)
					words = w;
			}
		}
		return words;
	}
	/* A cluster of short options: the first that takes a value ends it. */
	for (j = 1; arg[j]; j++) {
		for (i = 0, p = NULL; i < ARRAY_SIZE(commands) && !p && arg[j] != ':'; i++)
			p = strchr(commands[i].shortopts + 1, arg[j]);
		if (!p)
			return j == 1 ? 0 : 1;
		if (p[1] == ':')
			return arg[j + 1] ? 1 : 2;
	}
	return 1;
}

/*
 * Options before the command (tcphs -j list) are moved after it, where the
 * command's own table checks them. Returns the command's index in @argv.
 */
static int hoist_options(int argc, char **argv)
{
	int i = 1, first = 1, n, words;
	char *cmd;

	while (i < argc && argv[i][0] == '-' && argv[i][1]) {
		if (!strcmp(argv[i], "--"))
			usage_error(NULL, "a command must come before '--'");
		words = option_words(argv[i]);
		if (!words)
			usage_error(NULL, "unknown option '%s'", argv[i]);
		i += words;
	}
	if (i >= argc)
		return argc;
	/* argv[first..i) are options: rotate the command in front of them. */
	n = i - first;
	if (n) {
		cmd = argv[i];
		memmove(&argv[first + 1], &argv[first], n * sizeof(*argv));
		argv[first] = cmd;
	}
	return first;
}

int main(int argc, char **argv)
{
	struct tcphs_opts o = { .rcvbuf = TCPHS_DEFAULT_RCVBUF };
	const struct command *cmd;
	int i;

	setvbuf(stdout, NULL, _IOLBF, 0);

	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
		usage(stdout);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "-V") || !strcmp(argv[1], "--version")) {
		printf("tcphs %s (generic netlink family \"%s\" version %d)\n",
		       TCPHS_PROG_VERSION, TCPHS_GENL_NAME, TCPHS_GENL_VERSION);
		return EXIT_OK;
	}
	if (!strcmp(argv[1], "help")) {
		if (argc == 2) {
			usage(stdout);
			return EXIT_OK;
		}
		cmd = find_command(argv[2]);
		if (!cmd || argc > 3)
			usage_error(NULL, "no help for '%s'", argv[2]);
		fputs(cmd->usage, stdout);
		return EXIT_OK;
	}

	i = hoist_options(argc, argv);
	if (i >= argc)
		usage_error(NULL, "no command after the options");
	cmd = find_command(argv[i]);
	if (!cmd)
		usage_error(NULL, "unknown command '%s'", argv[i]);
	parse_options(cmd, argc - i, argv + i, &o);
	return cmd->run(&o);
}
