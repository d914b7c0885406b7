// SPDX-License-Identifier: GPL-2.0
/*
 * tcphs: read the tcphs module's TCP handshake tracking over generic netlink.
 *
 *	tcphs events [options]	print transitions as they happen
 *	tcphs list [options]	print the flow table
 *	tcphs stats [--json]	print the counters
 *	tcphs flush		empty the flow table
 *
 * Exit status: 0 success, 1 netlink or system error, 2 the module is not
 * loaded, 64 bad arguments.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <tcphs_names.h>

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
};

static const struct option events_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "raw",	no_argument,		NULL, 'r' },
	{ "ladder",	no_argument,		NULL, 'l' },
	{ "no-times",	no_argument,		NULL, OPT_NO_TIMES },
	{ "wall",	no_argument,		NULL, 'w' },
	{ "count",	required_argument,	NULL, 'c' },
	{ "timeout",	required_argument,	NULL, 't' },
	{ "family",	required_argument,	NULL, 'f' },
	{ "addr",	required_argument,	NULL, 'a' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "state",	required_argument,	NULL, 's' },
	{ "event",	required_argument,	NULL, 'e' },
	{ "rcvbuf",	required_argument,	NULL, OPT_RCVBUF },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option list_opts[] = {
	{ "json",	no_argument,		NULL, 'j' },
	{ "family",	required_argument,	NULL, 'f' },
	{ "addr",	required_argument,	NULL, 'a' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "state",	required_argument,	NULL, 's' },
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
	{ "stats",	no_argument,		NULL, OPT_STATS },
	{ "loose",	no_argument,		NULL, OPT_LOOSE },
	{ "no-checksum", no_argument,		NULL, 'C' },
	{ "family",	required_argument,	NULL, 'f' },
	{ "addr",	required_argument,	NULL, 'a' },
	{ "port",	required_argument,	NULL, 'p' },
	{ "state",	required_argument,	NULL, 's' },
	{ "event",	required_argument,	NULL, 'e' },
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct option flush_opts[] = {
	{ "help",	no_argument,		NULL, 'h' },
	{ NULL, 0, NULL, 0 }
};

static const struct command commands[] = {
	{
		"events", run_events, false, ":jrlwc:t:f:a:p:s:e:h", events_opts,
		"Usage: tcphs events [OPTIONS]\n"
		"Print each handshake transition as it happens.\n"
		"\n"
		"  -j, --json            one JSON object per line\n"
		"  -r, --raw             seq and ack as on the wire, not x+N/y+N\n"
		"  -l, --ladder          draw each flow as a sequence diagram when it ends\n"
		"      --no-times        with --ladder, leave out the time column\n"
		"  -w, --wall            also print the wall-clock time\n"
		"  -c, --count N         exit after N events (with --ladder: N flows)\n"
		"  -t, --timeout SEC     exit after SEC seconds\n"
		"  -f, --family 4|6      only IPv4 or only IPv6 flows\n"
		"  -a, --addr ADDR       only flows with ADDR at either end\n"
		"  -p, --port PORT       only flows with PORT at either end\n"
		"  -s, --state STATE     only events that enter STATE\n"
		"  -e, --event EV[,EV]   only these events\n"
		"      --rcvbuf BYTES    socket receive buffer (default 8M)\n"
		"  -h, --help            this help\n",
	},
	{
		"list", run_list, false, ":jf:a:p:s:h", list_opts,
		"Usage: tcphs list [OPTIONS]\n"
		"Print the flows the module tracks.\n"
		"\n"
		"  -j, --json            one JSON object per line\n"
		"  -f, --family 4|6      only IPv4 or only IPv6 flows\n"
		"  -a, --addr ADDR       only flows with ADDR at either end\n"
		"  -p, --port PORT       only flows with PORT at either end\n"
		"  -s, --state STATE     only flows in STATE\n"
		"  -h, --help            this help\n",
	},
	{
		"stats", run_stats, false, ":jh", stats_opts,
		"Usage: tcphs stats [OPTIONS]\n"
		"Print the module's counters for this network namespace.\n"
		"\n"
		"  -j, --json            one JSON object\n"
		"  -h, --help            this help\n",
	},
	{
		"flush", run_flush, false, ":h", flush_opts,
		"Usage: tcphs flush\n"
		"Remove every flow of this network namespace (needs CAP_NET_ADMIN).\n"
		"\n"
		"  -h, --help            this help\n",
	},
	{
		"pcap", run_pcap, true, ":jrlCf:a:p:s:e:h", pcap_opts,
		"Usage: tcphs pcap [OPTIONS] FILE\n"
		"Run the module's state machine over a capture (pcap or pcapng; FILE - is\n"
		"standard input) and print the flows at its end, as tcphs list does.\n"
		"\n"
		"  -j, --json            one JSON object per line\n"
		"  -r, --raw             seq and ack as on the wire, not x+N/y+N\n"
		"      --events          the events instead, as tcphs events prints them\n"
		"  -l, --ladder          every flow as a sequence diagram\n"
		"      --no-times        with --ladder, leave out the time column\n"
		"      --stats           then the counters, as tcphs stats\n"
		"      --loose           flows from any segment, not only a SYN (loose=1)\n"
		"  -C, --no-checksum     take every TCP checksum as right (captures made\n"
		"                        on the sending host, before checksum offload)\n"
		"  -f, --family 4|6      only IPv4 or only IPv6 flows\n"
		"  -a, --addr ADDR       only flows with ADDR at either end\n"
		"  -p, --port PORT       only flows with PORT at either end\n"
		"  -s, --state STATE     only flows in STATE (events: that enter it)\n"
		"  -e, --event EV[,EV]   with --events, only these events\n"
		"  -h, --help            this help\n",
	},
};

static void usage(FILE *fp)
{
	fputs("Usage: tcphs COMMAND [OPTIONS]\n"
	      "       tcphs help [COMMAND]\n"
	      "       tcphs --version\n"
	      "\n"
	      "Commands:\n"
	      "  events    print handshake transitions as they happen\n"
	      "  list      print the flow table\n"
	      "  stats     print the counters\n"
	      "  flush     remove all flows\n"
	      "  pcap      run the state machine over a capture file\n"
	      "\n"
	      "Run 'tcphs COMMAND --help' for a command's options.\n", fp);
}

static const struct command *find_command(const char *name)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(commands); i++)
		if (!strcmp(commands[i].name, name))
			return &commands[i];
	return NULL;
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

static bool word_eq(const char *word, const char *name)
{
	for (; *word && *name; word++, name++) {
		char c = *word == '-' ? '_' : toupper((unsigned char)*word);

		if (c != *name)
			return false;
	}
	return !*word && !*name;
}

/* "A B C" from a names table, for error messages. */
static void list_words(char *buf, size_t len, const char * const *names,
		       size_t n, size_t first)
{
	size_t i, off = 0;

	buf[0] = '\0';
	for (i = first; i < n && off < len; i++)
		if (names[i])
			off += snprintf(buf + off, len - off, "%s%s",
					off ? " " : "", names[i]);
}

static void parse_family(const struct command *cmd, const char *arg,
			 struct tcphs_filter *flt)
{
	if (!strcmp(arg, "4") || !strcasecmp(arg, "ipv4") || !strcasecmp(arg, "inet"))
		flt->family = AF_INET;
	else if (!strcmp(arg, "6") || !strcasecmp(arg, "ipv6") ||
		 !strcasecmp(arg, "inet6"))
		flt->family = AF_INET6;
	else
		usage_error(cmd, "bad --family '%s': use 4 or 6", arg);
}

static void parse_addr(const struct command *cmd, const char *arg,
		       struct tcphs_filter *flt)
{
	char buf[INET6_ADDRSTRLEN + 2];
	size_t len = strlen(arg);

	if (len >= 2 && arg[0] == '[' && arg[len - 1] == ']' && len - 2 < sizeof(buf)) {
		memcpy(buf, arg + 1, len - 2);
		buf[len - 2] = '\0';
	} else {
		snprintf(buf, sizeof(buf), "%s", arg);
	}
	if (inet_pton(AF_INET, buf, flt->addr.b) == 1)
		flt->addr_family = AF_INET;
	else if (inet_pton(AF_INET6, buf, flt->addr.b) == 1)
		flt->addr_family = AF_INET6;
	else
		usage_error(cmd, "bad --addr '%s': not an IPv4 or IPv6 address", arg);
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

static double parse_seconds(const struct command *cmd, const char *arg)
{
	double v;
	char *end;

	errno = 0;
	v = strtod(arg, &end);
	if (errno || end == arg || *end || !isfinite(v) || v <= 0 || v > 1e9)
		usage_error(cmd, "bad --timeout '%s': want a number of seconds above 0",
			    arg);
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

static void parse_state(const struct command *cmd, const char *arg,
			struct tcphs_filter *flt)
{
	char valid[256];
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tcphs_state_names); i++) {
		if (word_eq(arg, tcphs_state_names[i])) {
			flt->has_state = true;
			flt->state = i;
			return;
		}
	}
	list_words(valid, sizeof(valid), tcphs_state_names,
		   ARRAY_SIZE(tcphs_state_names), 0);
	usage_error(cmd, "unknown state '%s'; valid states: %s", arg, valid);
}

static void parse_events(const struct command *cmd, const char *arg,
			 struct tcphs_filter *flt)
{
	char *copy = strdup(arg), *tok, *save = NULL;
	char valid[256];
	size_t i;

	if (!copy) {
		perror("tcphs");
		exit(EXIT_ERROR);
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (i = TCPHS_EV_NONE + 1; i < ARRAY_SIZE(tcphs_event_names); i++)
			if (word_eq(tok, tcphs_event_names[i]))
				break;
		if (i == ARRAY_SIZE(tcphs_event_names)) {
			list_words(valid, sizeof(valid), tcphs_event_names,
				   ARRAY_SIZE(tcphs_event_names), TCPHS_EV_NONE + 1);
			usage_error(cmd, "unknown event '%s'; valid events: %s",
				    tok, valid);
		}
		flt->events |= 1U << i;
	}
	free(copy);
	if (!flt->events)
		usage_error(cmd, "--event needs at least one event");
}

/* An unknown long option, or one given a value it does not take. */
static void __attribute__((noreturn))
bad_long_option(const struct command *cmd, const char *arg)
{
	const struct option *opt;
	const char *eq = strchr(arg, '=');
	size_t len = eq ? (size_t)(eq - arg - 2) : strlen(arg + 2);

	for (opt = cmd->longopts; eq && opt->name; opt++)
		if (strlen(opt->name) == len && !strncmp(opt->name, arg + 2, len))
			usage_error(cmd, "option '--%s' takes no argument", opt->name);
	usage_error(cmd, "unknown option '%s' for '%s'", arg, cmd->name);
}

static void parse_options(const struct command *cmd, int argc, char **argv,
			  struct tcphs_opts *o)
{
	bool has_events = false;
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
		case 'c':
			o->count = parse_ulong(cmd, "--count", optarg, 1, ULONG_MAX);
			break;
		case 't':
			o->timeout = parse_seconds(cmd, optarg);
			break;
		case 'f':
			parse_family(cmd, optarg, &o->filter);
			break;
		case 'a':
			parse_addr(cmd, optarg, &o->filter);
			break;
		case 'p':
			o->filter.port = parse_ulong(cmd, "--port", optarg, 0, 65535);
			o->filter.has_port = true;
			break;
		case 's':
			parse_state(cmd, optarg, &o->filter);
			break;
		case 'e':
			parse_events(cmd, optarg, &o->filter);
			has_events = true;
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
	if (has_events && cmd->takes_file && !o->pcap_events)
		usage_error(cmd, "--event selects events: use it with --events");

	if (o->ladder && o->json)
		usage_error(cmd, "--ladder and --json do not go together");
	if (o->ladder && (has_events || o->filter.has_state))
		usage_error(cmd, "--ladder draws whole flows: --event and --state do not apply");
	if (o->no_times && !o->ladder)
		usage_error(cmd, "--no-times only applies to --ladder");
	if (o->filter.family && o->filter.addr_family &&
	    o->filter.family != o->filter.addr_family)
		usage_error(cmd, "--addr is an IPv%d address but --family is %d",
			    o->filter.addr_family == AF_INET ? 4 : 6,
			    o->filter.family == AF_INET ? 4 : 6);
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

int main(int argc, char **argv)
{
	struct tcphs_opts o = { .rcvbuf = TCPHS_DEFAULT_RCVBUF };
	const struct command *cmd;

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
	if (argv[1][0] == '-')
		usage_error(NULL, "unknown option '%s'", argv[1]);

	cmd = find_command(argv[1]);
	if (!cmd)
		usage_error(NULL, "unknown command '%s'", argv[1]);
	parse_options(cmd, argc - 1, argv + 1, &o);
	return cmd->run(&o);
}
