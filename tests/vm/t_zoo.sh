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

# zoo_setup: inj --veth-- obs, obs drops whatever is not for itself. A
# process stays in obs (OBS_PID), so that obs's files are read in
# /proc/OBS_PID/net without entering the namespace: every process costs
# dearly under a debug kernel, and a scenario reads many files.
zoo_setup() {
	mk_ns inj
	mk_ns obs
	ip link add va netns inj address $MAC_INJ type veth \
		peer name vb netns obs address $MAC_OBS
	ip -n inj link set va up
	ip -n obs link set vb up
	in_ns obs sh -c 'echo 0 >/proc/sys/net/ipv4/ip_forward;
		echo 0 >/proc/sys/net/ipv6/conf/all/forwarding'
	# Started from a subshell, so that run_test's wait does not wait for it.
	(ip netns exec obs sleep 1000000 >/dev/null 2>&1 &
		echo $! >/tmp/zoo.obs.pid)
	OBS_PID=$(cat /tmp/zoo.obs.pid)
	# In obs once ip has entered it and run sleep.
	wait_for 10 grep -qx sleep /proc/"$OBS_PID"/comm || fail "the process in obs did not start"
	OBS_NET=/proc/$OBS_PID/net
}

# scn_parse FILE: the scenario's own lines, in one pass: prints shell
# assignments (want: the events, ";" after each; nseg: the segments;
# packets: 1 if an "expect stat packets" is there; loose: "--loose" with
# param loose 1; client, server: "addr:port" or "[v6]:port") and writes
# the params to /tmp/zoo.params and the expectations to /tmp/zoo.expect.
scn_parse() {
	sed 's/#.*//' "$1" | awk '
		function ep(a, p) { return (a ~ /:/) ? "[" a "]:" p : a ":" p }
		$1 == "client" { client = ep($2, $3) }
		$1 == "server" { server = ep($2, $3) }
		$1 == "param" { print $2, $3 >"/tmp/zoo.params"
			if ($2 == "loose" && $3 == 1) loose = "--loose" }
		$1 == "event" { $1 = ""; want = want substr($0, 2) ";" }
		$1 == "expect" { print $2, $3, $4 >"/tmp/zoo.expect"
			if ($2 == "stat" && $3 == "packets") packets = 1 }
		$1 ~ /^(c>s|s>c|c<s|s<c)$/ { nseg++ }
		END {
			printf "want=\047%s\047 nseg=%d packets=%d loose=%s\n", want, nseg, packets, loose
			printf "client=\047%s\047 server=\047%s\047\n", client, server
		}'
}

# zoo_columns TABLE CLIENT SERVER: the columns of the flow's line in TABLE
# (the last between the two, either way round) as col_NAME assignments,
# line= the line itself and nflows= the lines under the header.
zoo_columns() {
	echo "$1" | awk -v a="$2" -v b="$3" '
		function q(v) { gsub(/\047/, "\047\\\047\047", v); return "\047" v "\047" }
		NR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; n = NF; next }
		{ flows++ }
		($3 == a && $4 == b) || ($3 == b && $4 == a) { line = $0; split($0, f, " ") }
		END {
			printf "nflows=%d line=%s\n", flows, q(line)
			if (line != "")
				for (i = 1; i <= n; i++) {
					c = name[i]; gsub(/[^A-Za-z0-9_]/, "_", c)
					printf "col_%s=%s\n", c, q(f[i])
				}
		}'
}

# zoo_stats BEFORE AFTER: stat_NAME= what each /proc/net/stat/tcphs counter
# gained between two copies of the file (summed over CPUs, hexadecimal).
zoo_stats() {
	awk '
		function hex(v,   i, d, n) { n = 0; v = tolower(v)
			for (i = 1; i <= length(v); i++) {
				d = index("0123456789abcdef", substr(v, i, 1)) - 1
				n = n * 16 + d }
			return n }
		FNR == 1 { for (i = 1; i <= NF; i++) name[i] = $i; nf = NF; file++; next }
		{ for (i = 1; i <= nf; i++) sum[file, name[i]] += hex($i) }
		END { for (i = 1; i <= nf; i++)
			printf "stat_%s=%d\n", name[i], sum[2, name[i]] - sum[1, name[i]] }' "$1" "$2"
}

# zoo_mib: TCP's InSegs, OutSegs and OutRsts in obs.
zoo_mib() {
	awk '$1 == "Tcp:" && !h { for (i = 2; i <= NF; i++) col[$i] = i; h = 1; next }
		$1 == "Tcp:" { print $col["InSegs"], $col["OutSegs"], $col["OutRsts"] }' "$OBS_NET/snmp"
}

zoo_one() {
	scn=$SCN
	name=${scn##*/}
	name=${name%.scn}
	ev=/tmp/zoo.$name.json
	out=$(in_ns obs tcphs flush) || fail "cannot flush obs's table: $out"
	: >/tmp/zoo.params
	: >/tmp/zoo.expect
	eval "$(scn_parse "$scn")"
	restore=""
	while read -r p v; do
		f=/sys/module/tcphs/parameters/$p
		restore="$restore $p=$(cat "$f")"
		echo "$v" >"$f" || fail "cannot set $p=$v"
	done </tmp/zoo.params
	cp "$OBS_NET/stat/tcphs" /tmp/zoo.stat0
	mib0=$(zoo_mib)
	[ "$(cat "$OBS_NET/tcphs" | wc -l)" = 1 ] || fail "obs's table is not empty after the flush"

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
	got=$(jq -r -s 'if any(.[]; has("lost")) then "lost: \(map(select(has("lost"))))"
		else map(select(.event != null)) | sort_by(.event_seq) |
			map("\(.event) \(.old_state) -> \(.state);") | add // "" end' "$ev")
	case $got in
	lost:*) fail "the reader lost events: $got" ;;
	esac
	expect_eq events "$got" "$want"

	table=$(cat "$OBS_NET/tcphs")
	eval "$(zoo_columns "$table" "$client" "$server")"
	log "line: $line"
	cp "$OBS_NET/stat/tcphs" /tmp/zoo.stat1
	eval "$(zoo_stats /tmp/zoo.stat0 /tmp/zoo.stat1)"

	# Nothing answered: obs's TCP neither received nor sent a segment.
	expect_eq "TCP segments received and sent in obs" \
		"$(echo "$mib0 $(zoo_mib)" | awk '{ print $4 - $1, $5 - $2, $6 - $3 }')" "0 0 0"
	# Every segment was examined once (a file with malformed headers or
	# fragments, which are not, says how many with "expect stat packets").
	[ "$packets" = 1 ] || expect_eq "stat packets" "$stat_packets" "$nseg"

	while read -r what a b; do
		case $what in
		flows)
			expect_eq flows "$nflows" "$a"
			;;
		stat)
			eval "v=\${stat_$a-missing}"
			expect_eq "stat $a" "$v" "$b"
			;;
		*)
			[ -n "$line" ] || { fail "no /proc/tcphs line for $client $server"; continue; }
			case $a in
			x | y | x[+-]* | y[+-]*) a=$("$PKTCRAFT" -e "$a" "$scn") ;;
			esac
			eval "v=\${col_$what-missing}"
			expect_eq "$what" "$v" "$a"
			;;
		esac
	done </tmp/zoo.expect

	# The same exchange through tcphs pcap, which runs the module's fsm.c
	# and history.c in the reader: the same words for the flow.
	if [ -n "$line" ]; then
		"$PKTCRAFT" -n -w /tmp/zoo.pcap "$scn" || fail "pktcraft -w failed"
		pcap=$(tcphs pcap --json $loose /tmp/zoo.pcap |
			jq -r -s --arg o "$col_orig" --arg r "$col_reply" '
				def ep(a; p): if (a | test(":")) then "[\(a)]:\(p)" else "\(a):\(p)" end;
				map(select(ep(.saddr; .sport) == $o and ep(.daddr; .dport) == $r)) |
				if length > 0 then last | "\(.state) \(.conn_state) \(.history)" else "" end')
		expect_eq "tcphs pcap of the same segments" "$pcap" \
			"$col_state $col_conn_state $col_history"
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
kill $OBS_PID 2>/dev/null
cleanup_ns
finish
