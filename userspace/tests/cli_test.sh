#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The reader's command line, run for real: options before the command,
# abbreviated commands and options, conntrack's letters, filter forms, and
# the messages and exit statuses of what is refused.  "tcphs pcap" needs
# no module, so it shows what a filter keeps; the other commands stop at
# "module not loaded" (status 2) once their arguments are accepted.
#
# Usage: cli_test.sh TCPHS
set -uo pipefail

TCPHS=${1:?usage: cli_test.sh TCPHS}
DIR=$(mktemp -d)
trap 'rm -rf -- "$DIR"' EXIT
checks=0
failures=0

# Two handshakes as a raw-IP pcap: 10.0.0.1:40000 -> 10.0.0.2:80 and
# [2001:db8::1]:50000 -> [2001:db8::2]:443, with right checksums.
/usr/bin/env python3 - "$DIR/two.pcap" <<'PY'
import struct, sys

def csum(b):
    if len(b) % 2:
        b += b"\0"
    s = sum(struct.unpack(f"!{len(b) // 2}H", b))
    while s >> 16:
        s = (s & 0xffff) + (s >> 16)
    return ~s & 0xffff

def tcp(sport, dport, seq, ack, flags):
    return struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, 65535, 0, 0)

def v4(src, dst, seg):
    s, d = bytes(src), bytes(dst)
    seg = seg[:16] + struct.pack("!H", csum(s + d + struct.pack("!BBH", 0, 6, len(seg)) + seg)) + seg[18:]
    h = struct.pack("!BBHHHBBH4s4s", 0x45, 0, 20 + len(seg), 1, 0, 64, 6, 0, s, d)
    h = h[:10] + struct.pack("!H", csum(h)) + h[12:]
    return h + seg

def v6(src, dst, seg):
    s, d = bytes(src), bytes(dst)
    seg = seg[:16] + struct.pack("!H", csum(s + d + struct.pack("!IxxxB", len(seg), 6) + seg)) + seg[18:]
    return struct.pack("!IHBB16s16s", 6 << 28, len(seg), 6, 64, s, d) + seg

a4, b4 = [10, 0, 0, 1], [10, 0, 0, 2]
a6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [1]
b6 = [0x20, 0x01, 0x0d, 0xb8] + [0] * 11 + [2]
S, SA, A = 0x02, 0x12, 0x10
pkts = [
    v4(a4, b4, tcp(40000, 80, 1000, 0, S)),
    v4(b4, a4, tcp(80, 40000, 5000, 1001, SA)),
    v4(a4, b4, tcp(40000, 80, 1001, 5001, A)),
    v6(a6, b6, tcp(50000, 443, 7000, 0, S)),
    v6(b6, a6, tcp(443, 50000, 9000, 7001, SA)),
]
with open(sys.argv[1], "wb") as f:
    f.write(struct.pack("<IHHiIII", 0xa1b2c3d4, 2, 4, 0, 0, 65535, 101))
    for i, p in enumerate(pkts):
        f.write(struct.pack("<IIII", 1700000000, i * 1000, len(p), len(p)) + p)
PY
PCAP=$DIR/two.pcap

# t NAME STATUS PATTERN ARGS...: tcphs ARGS exits STATUS and its output
# (stdout and stderr) matches the extended regex PATTERN ('' for any).
t() {
	local name=$1 want=$2 pat=$3 out rc
	shift 3
	checks=$((checks + 1))
	out=$("$TCPHS" "$@" 2>&1)
	rc=$?
	if [ "$rc" != "$want" ]; then
		failures=$((failures + 1))
		printf 'FAIL %s: tcphs %s: status %s, want %s\n%s\n' "$name" "$*" "$rc" "$want" "$out"
	elif [ -n "$pat" ] && ! grep -Eq -- "$pat" <<<"$out"; then
		failures=$((failures + 1))
		printf 'FAIL %s: tcphs %s: output does not match /%s/:\n%s\n' "$name" "$*" "$pat" "$out"
	fi
}

# flows NAME IDS ARGS...: tcphs pcap ARGS $PCAP prints exactly flows IDS
# ("1 2", or "" for none).
flows() {
	local name=$1 want=$2 got
	shift 2
	checks=$((checks + 1))
	got=$("$TCPHS" pcap "$@" --json "$PCAP" 2>&1 | sed -n 's/^{"flow_id":\([0-9]*\),.*/\1/p' | tr '\n' ' ')
	got=${got% }
	if [ "$got" != "$want" ]; then
		failures=$((failures + 1))
		printf 'FAIL %s: tcphs pcap %s: flows "%s", want "%s"\n' "$name" "$*" "$got" "$want"
	fi
}

# What the capture holds, unfiltered.
flows "no filter" "1 2"

# Options before the command, commands abbreviated.
t "json before pcap" 0 '^\{"flow_id":1,' -j pcap "$PCAP"
t "long option before pcap" 0 '^\{"flow_id":1,' --json pcap "$PCAP"
t "option with a value before" 0 '"dport":443' --port 443 -j pcap "$PCAP"
t "short cluster with a value" 0 '"dport":80' -js 10.0.0.1 pcap "$PCAP"
t "abbreviated pcap" 0 '^\{"flow_id":1,' p -j "$PCAP"
t "abbreviated list" 2 'not loaded' l
t "abbreviated events" 2 'not loaded' ev
t "abbreviated stats before" 2 'not loaded' -j st
t "unknown command" 64 "unknown command 'x'" x
t "options and no command" 64 'no command after the options' -j
t "unknown option before the command" 64 "unknown option '--bogus'" --bogus list
t "option of another command" 64 "unknown option '--ladder' for 'list'" --ladder list
t "help abbreviated" 0 '^Usage: tcphs list' help l

# Long options: abbreviations and ambiguity.
t "abbreviated long option" 0 '"dport":443' pcap --dp 443 -j "$PCAP"
t "ambiguous long option" 64 "option '--s' is ambiguous: .*--saddr.*--sport.*--state" pcap --s 1 "$PCAP"
t "value to a flag" 64 "option '--json' takes no argument" pcap --json=1 "$PCAP"
t "missing value" 64 "option '--dport' needs an argument" pcap "$PCAP" --dport

# conntrack's letters: -s and -d are addresses, -p the protocol.
flows "-s originator" "1" -s 10.0.0.1
flows "-s is not the responder" "" -s 10.0.0.2
flows "-d responder" "2" -d 2001:db8::2
flows "-p tcp" "1 2" -p tcp
t "-p another protocol" 64 "tcphs follows TCP only" pcap -p udp "$PCAP"
t "-p a port" 64 "for a port: --port" pcap -p 80 "$PCAP"
t "-t is not --timeout" 64 "unknown option '-t'" events -t 5
flows "-4" "1" -4
flows "-6" "2" -6
t "-4 and -6" 64 "IPv4 and IPv6 both" pcap -4 -6 "$PCAP"
t "-6 with an IPv4 address" 64 "is an IPv4 address but the family is 6" pcap -6 -a 10.0.0.1 "$PCAP"

# Filter forms.
flows "cidr" "1" -a 10.0.0.0/24
flows "v6 cidr" "2" -a 2001:db8::/64
flows "negated cidr" "2" -a '!10.0.0.0/8'
flows "port list" "1 2" --port 80,443
flows "port range" "2" --port 400-500
flows "repeated port ORs" "1 2" --port 80 --port 443
flows "negated port" "1" --port '!443'
flows "sport" "2" --sport 50000
flows "dport is the responder's" "" --dport 40000
flows "state list" "1 2" --state ESTABLISHED,syn-recv
flows "state group" "2" --state opening
flows "negated state" "1" --state '!opening'
flows "options AND" "" --dport 80 -6
t "mixed polarity" 64 "both values to keep and values to leave out" pcap --port 80 --port '!443' "$PCAP"
t "bad port" 64 "bad --port 'http'" pcap --port http "$PCAP"
t "bad cidr" 64 "bad --addr '10.0.0.0/40'" pcap -a 10.0.0.0/40 "$PCAP"
t "unknown state" 64 "unknown state 'LISTEN'; valid states: .*opening closing finished" pcap --state LISTEN "$PCAP"
t "event masks" 0 'SYN_ACK' pcap --events -e UPDATE "$PCAP"
t "event NEW" 0 ' SYN NONE -> SYN_SENT' pcap --events -e NEW "$PCAP"
t "unknown event" 64 "unknown event 'FOO'; valid events: .*NEW UPDATE DESTROY ALL" pcap --events -e FOO "$PCAP"

# events --from: the event log read back, no module needed.
cat >"$DIR/log" <<'LOG'
# 2 events overwritten unread since the last read
3 3.569741 flow=1 127.0.0.1:60060 > 127.0.0.1:8080 orig SYN NONE -> SYN_SENT flags=S seq=x ack=-
4 3.580903 flow=1 127.0.0.1:8080 > 127.0.0.1:60060 reply SYN_ACK SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1 syn-synack=11.162ms
6 3.590903 flow=1 127.0.0.1:60060 > 127.0.0.1:8080 orig ESTABLISHED SYN_RECV -> ESTABLISHED flags=A seq=x+1 ack=y+1 syn-synack=11.162ms synack-ack=10.000ms
not a line of the log
LOG
t "--from: the lines again" 0 '^3\.580903 flow=1 127\.0\.0\.1:8080 > 127\.0\.0\.1:60060 reply SYN_ACK SYN_SENT -> SYN_RECV flags=SA seq=y ack=x\+1 syn-synack=11\.162ms$' events --from "$DIR/log" -o mono
t "--from: a bad line is reported" 0 "log:5: not a line of the event log" events --from "$DIR/log"
t "--from: the log's overwritten events" 0 "the log had overwritten 2 events" events --from "$DIR/log"
t "--from: a gap is a loss" 0 "lost 1 events \(seq 5\.\.5\)" events --from "$DIR/log"
t "--from --strict: status 4" 4 "" events --from "$DIR/log" --strict
t "--from: filters" 0 '^[^ ]+ flow=1 .* SYN_ACK ' events --from "$DIR/log" -e SYN_ACK
t "--from: ladder" 0 '^ESTABLISHED +\|-+ ACK ack=y\+1 -+>\| ESTABLISHED$' events --from "$DIR/log" --ladder --no-times
t "--from: no such file" 1 "no-such-file: No such file" events --from "$DIR/no-such-file"
t "--from with --timeout" 64 "are for live events" events --from "$DIR/log" --timeout 1

t "-T is the wall clock" 0 '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6} flow=1 ' events --from "$DIR/log" -o mono -T
t "-o iso --utc" 0 '^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-9:.]+Z flow=1 ' events --from "$DIR/log" -o iso --utc
t "-o for list is columns" 64 "unknown column 'iso'" list -o iso

# events: the exit statuses scripts rely on are documented in --help.
t "events help" 0 'status 3' events --help
t "strict in help" 0 'status 4' events --help

# summary, metrics, top: a refused flow in the event log.
cat >"$DIR/log2" <<'LOG'
7 3.500000 flow=2 127.0.0.1:48112 > 127.0.0.1:9 orig SYN NONE -> SYN_SENT flags=S seq=x ack=- owner=orig uid=1000 pid=230 comm=Web Content
8 3.500250 flow=2 127.0.0.1:9 > 127.0.0.1:48112 reply RST SYN_SENT -> CLOSED flags=RA seq=0 ack=x+1 outcome=refused stage=handshake owner=orig uid=1000 pid=230 comm=Web Content
9 3.600000 flow=2 127.0.0.1:9 > 127.0.0.1:48112 reply INVALID CLOSED -> CLOSED flags=RA seq=0 ack=x+1 outcome=refused stage=handshake
LOG
t "summary from the log" 0 '^3\.500000 0\.000250s flow=2 127\.0\.0\.1:48112 > 127\.0\.0\.1:9 refused handshake \? - syn-synack=- synack-ack=- rtx=0/0/0 opener=- closer=- owner=orig uid=1000 pid=230 comm=Web Content$' summary --from "$DIR/log2" -o mono
t "summary --json" 0 '^\{"ts":[0-9.]+,"duration":0\.000250,"flow_id":2,.*"outcome":"refused","stage":"handshake","owner":"orig","uid":1000,"pid":230,"comm":"Web Content"\}$' summary -j --from "$DIR/log2"
t "events --finished is summary" 0 ' rtx=0/0/0 opener=' events --finished --from "$DIR/log2"
t "summary and --ladder" 64 "--finished and --ladder do not go together" summary --ladder
t "summary is not stats" 64 "ambiguous command 's': summary stats" s
t "metrics --interval x" 64 "bad --interval 'x'|interval" metrics --interval x
t "metrics, module not loaded" 2 'not loaded' metrics
t "top --count 0" 64 "count" top --count 0
t "top, module not loaded" 2 'not loaded' top --count 1
t "metrics help" 0 'textfile' metrics --help

echo "cli: $checks checks, $failures failed"
[ "$failures" = 0 ]
