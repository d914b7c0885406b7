#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The handshake zoo: every tests/scenarios/*.scn is sent segment by segment,
# exactly as written, by pktcraft, and what tcphs reports is compared with
# the expectations written in the file: the events (word, old and new state,
# in order) and the columns of the flow's /proc/tcphs line. One test per
# file: adding a scenario is adding a file.
#
# How the crafted segments reach tcphs and nothing answers them: pktcraft
# plays both ends. It sends Ethernet frames through an AF_PACKET socket on
# "va" in namespace "inj"; they come out of its veth peer "vb" in namespace
# "obs", addressed to vb's MAC, and pass obs's PRE_ROUTING hook, where tcphs
# looks. None of a scenario's addresses is configured in obs (it has no
# address but its link-local ones and no route), and forwarding is off
# there, so right after PRE_ROUTING the routing lookup finds no local
# destination and drops the packet: no socket sees it, no RST or ACK is
# sent, nothing is forwarded. (IPv4 drops it silently; IPv6 may try an
# ICMPv6 error, which has no route back, and is not TCP anyway.) Frames
# sent by a packet socket bypass netfilter, so inj tracks nothing.
#
# Scenario files: see tests/tools/pktcraft.c for the header and segment
# lines. The expectations, read only here:
#   event WORD OLD -> NEW	one per event, in order, all of them
#   expect COLUMN VALUE	a column of the flow's /proc/tcphs line (the flow
#				between client and server, either way round);
#				VALUE may be a sequence expression (x, y+1)
#   expect flows N		lines in obs's /proc/tcphs
#   expect stat NAME N		a /proc/net/stat/tcphs counter of obs
#   param NAME VALUE		a module parameter set for this scenario only
#
# Each scenario is then written to a pcap file and read by tcphs pcap,
# which must say what the module said (tests/pcap/zoo.py checks the same
# files against their expectations on the host, without a VM).
#
# The two namespaces are made once and serve every scenario: before each,
# obs's table is flushed and its counters (tcphs's and TCP's) are read, and
# the expectations are on what changed. (Under a debug kernel, making and
# tearing down a pair of namespaces costs more than the scenario itself.)
#
# ZOO="NAME..." (file names without .scn, or paths) runs only those;
# ZOO_PART=K/N the K-th of every N of them (a suite split across VMs).
. "$(dirname "$0")/lib.sh"

PKTCRAFT=${PKTCRAFT:-$TESTS_DIR/tools/pktcraft}
SCENARIOS=${SCENARIOS:-$TESTS_DIR/scenarios}
MAC_INJ=02:00:00:00:00:01
MAC_OBS=02:00:00:00:00:02

# zoo_setup: inj --veth-- obs, obs drops whatever is not for itself.
zoo_setup() {
	mk_ns inj
	mk_ns obs
	ip link add va netns inj address $MAC_INJ type veth \
		peer name vb netns obs address $MAC_OBS
	ip -n inj link set va up
	ip -n obs link set vb up
	in_ns obs sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward;
		echo 0 >/proc/sys/net/ipv6/conf/all/forwarding'
}

# scn_endpoint FILE client|server: "addr:port" or "[v6]:port".
scn_endpoint() {
	awk -v who="$2" '$1 == who {
		if ($2 ~ /:/) print "[" $2 "]:" $3; else print $2 ":" $3 }' "$1"
}

# scn_value FILE VALUE: VALUE, with a sequence expression worked out.
scn_value() {
	if echo "$2" | grep -Eq '^[xy]([+-][0-9]+)*$'; then
		"$PKTCRAFT" -e "$2" "$1"
	else
		echo "$2"
	fi
}

# tcp_mib NS NAME...: counters of the Tcp: lines of NS's /proc/net/snmp.
tcp_mib() {
	ns=$1
	shift
	in_ns "$ns" cat /proc/net/snmp | awk -v names="$*" '
		$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == "Tcp:" { n = split(names, w, " ")
			for (i = 1; i <= n; i++) printf "%s%s", $col[w[i]], i < n ? " " : "\n" }'
}

# mib_delta BEFORE AFTER: the differences of two tcp_mib lines.
mib_delta() {
	echo "$1 $2" | awk '{ n = NF / 2
		for (i = 1; i <= n; i++) printf "%s%s", $(i + n) - $i, i < n ? " " : "\n" }'
}

# stat_since NAME: what a /proc/net/stat/tcphs counter of obs gained since
# the scenario began.
stat_since() {
	echo $(($(stat_sum obs "$1") - $(stat_sum_of /tmp/zoo.stat0 "$1")))
}

zoo_one() {
	scn=$SCN
	name=$(basename "$scn" .scn)
	ev=/tmp/zoo.$name.json
	out=$(in_ns obs tcphs flush) || fail "cannot flush obs's table: $out"
	if [ "$(proc_table obs | wc -l)" != 1 ]; then
		fail "obs's table is not empty after the flush"
	fi
	in_ns obs cat /proc/net/stat/tcphs >/tmp/zoo.stat0
	mib0=$(tcp_mib obs InSegs OutSegs OutRsts)
	sed 's/#.*//' "$scn" | awk '$1 == "param" { print $2, $3 }' >/tmp/zoo.params
	restore=""
	while read -r p v; do
		f=/sys/module/tcphs/parameters/$p
		restore="$restore $p=$(cat "$f")"
		echo "$v" >"$f" || fail "cannot set $p=$v"
	done </tmp/zoo.params

	# Not through a shell function: $! must be the reader itself.
	ip netns exec obs tcphs events --json >"$ev" 2>"$ev.err" &
	reader=$!
	reader_ready obs $reader || fail "the reader did not start: $(cat "$ev.err")"
	if ! in_ns inj "$PKTCRAFT" -i va -d $MAC_OBS "$scn"; then
		fail "pktcraft failed"
	fi
	sleep 0.3
	kill $reader 2>/dev/null
	wait $reader 2>/dev/null

	[ -s "$ev.err" ] && log "reader: $(cat "$ev.err")"
	if grep -q '"lost"' "$ev"; then
		fail "the reader lost events: $(grep '"lost"' "$ev")"
	fi
	got=$(jq -r 'select(.event != null) |
		"\(.event_seq) \(.event) \(.old_state) -> \(.state)"' "$ev" |
		sort -n | cut -d' ' -f2- | tr '\n' ';')
	want=$(sed 's/#.*//' "$scn" | awk '$1 == "event" { $1 = ""; print substr($0, 2) }' |
		tr '\n' ';')
	expect_eq events "$got" "$want"

	client=$(scn_endpoint "$scn" client)
	server=$(scn_endpoint "$scn" server)
	table=$(proc_table obs)
	line=$(echo "$table" | awk -v a="$client" -v b="$server" \
		'($3 == a && $4 == b) || ($3 == b && $4 == a)' | tail -n1)
	log "line: $line"

	# Nothing answered: obs's TCP neither received nor sent a segment.
	expect_eq "TCP segments received and sent in obs" \
		"$(mib_delta "$mib0" "$(tcp_mib obs InSegs OutSegs OutRsts)")" "0 0 0"
	# Every segment was examined once (a file with malformed headers or
	# fragments, which are not, says how many with "expect stat packets").
	if ! grep -q '^expect stat packets ' "$scn"; then
		nseg=$(sed 's/#.*//' "$scn" | grep -cE '^[[:space:]]*(c>s|s>c|c<s|s<c)[[:space:]]')
		expect_eq "stat packets" "$(stat_since packets)" "$nseg"
	fi

	sed 's/#.*//' "$scn" | awk '$1 == "expect" { print $2, $3, $4 }' >/tmp/zoo.expect
	while read -r what a b; do
		case $what in
		flows)
			expect_eq flows "$(($(echo "$table" | wc -l) - 1))" "$a"
			;;
		stat)
			expect_eq "stat $a" "$(stat_since "$a")" "$b"
			;;
		*)
			[ -n "$line" ] || { fail "no /proc/tcphs line for $client $server"; continue; }
			expect_eq "$what" "$(field "$line" "$what")" "$(scn_value "$scn" "$a")"
			;;
		esac
	done </tmp/zoo.expect

	# The same exchange through tcphs pcap, which runs the module's fsm.c
	# and history.c in the reader: the same words for the flow.
	if [ -n "$line" ]; then
		loose=$(awk '$1 == "param" && $2 == "loose" && $3 == 1 { print "--loose" }' "$scn")
		"$PKTCRAFT" -n -w /tmp/zoo.pcap "$scn" || fail "pktcraft -w failed"
		pcap=$(tcphs pcap --json $loose /tmp/zoo.pcap |
			jq -r --arg o "$(field "$line" orig)" --arg r "$(field "$line" reply)" '
				def ep(a; p): if (a | test(":")) then "[\(a)]:\(p)" else "\(a):\(p)" end;
				select(ep(.saddr; .sport) == $o and ep(.daddr; .dport) == $r) |
				"\(.state) \(.conn_state) \(.history)"' | tail -n1)
		expect_eq "tcphs pcap of the same segments" "$pcap" \
			"$(field "$line" state) $(field "$line" conn_state) $(field "$line" history)"
	fi

	for pv in $restore; do
		echo "${pv#*=}" >/sys/module/tcphs/parameters/"${pv%%=*}"
	done
}

# The namespaces outlive run_test, which tears down those of NAMESPACES.
zoo_setup
ZOO_NAMESPACES=$NAMESPACES
NAMESPACES=""
k=${ZOO_PART%/*}
n=${ZOO_PART#*/}
[ -n "${ZOO_PART:-}" ] || { k=1; n=1; }
i=0
for SCN in ${ZOO:-$SCENARIOS/*.scn}; do
	[ -e "$SCN" ] || SCN=$SCENARIOS/$SCN.scn
	i=$((i + 1))
	[ $(((i - 1) % n + 1)) = "$k" ] || continue
	run_test "zoo $(basename "$SCN" .scn)" zoo_one
done
NAMESPACES=$ZOO_NAMESPACES
cleanup_ns
finish
