#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /proc/tcphs for real connections: loopback and across namespaces, IPv4 and
# IPv6, closes by either side, refused and reset connections, many at once.
. "$(dirname "$0")/lib.sh"

# capture NS IFACE PORT FILE: records the segments of a port until
# capture_end (tcp[] filters do not work for IPv6, so take them all).
capture() {
	in_ns "$1" tcpdump -i "$2" -nn -S -l "tcp port $3" >"$4" 2>/dev/null &
	CAPTURE_PID=$!
	sleep 1
}

capture_end() {
	sleep 0.5
	kill "$CAPTURE_PID" 2>/dev/null
	wait "$CAPTURE_PID" 2>/dev/null
}

# The seq of the capture's line with flags FLAGS ("S" or "S.").
captured_seq() {
	grep "Flags \[$2\]" "$1" | head -n1 | sed 's/.*, seq \([0-9]*\).*/\1/'
}

# check_closed_flow LINE CLOSER: the common checks for a connection that
# opened, carried data both ways and closed with FINs.
check_fin_flow() {
	line=$1
	[ -n "$line" ] || { fail "no /proc/tcphs line for the flow"; return; }
	log "line: $line"
	expect_eq state "$(field "$line" state)" TIME_WAIT
	expect_eq conn_state "$(field "$line" conn_state)" SF
	expect_eq opener "$(field "$line" opener)" orig
	expect_eq closer "$(field "$line" closer)" "$2"
	expect_match end "$(field "$line" end)" '^(fin|simul-fin)$'
	hist=$(field "$line" history)
	expect_match history "$hist" '^ShA'
	for l in D d F f; do
		expect_match "history letter $l" "$hist" "$l"
	done
	expect_match syn_synack_ns "$(field "$line" syn_synack_ns)" '^[0-9]+$'
	expect_match synack_ack_ns "$(field "$line" synack_ack_ns)" '^[0-9]+$'
	prev=0
	for c in ts_syn ts_synack ts_established ts_fin1 ts_fin2 ts_end; do
		v=$(field "$line" $c)
		if ! [ "$v" -ge "$prev" ] 2>/dev/null; then
			fail "$c=$v is not after the step before ($prev)"
		fi
		prev=$v
	done
	expect_eq rtx_syn "$(field "$line" rtx_syn)" 0
}

# one_conn NS_SRV NS_CLI SRV_ADDR PORT IFACE ORIG_FMT REPLY_FMT CLOSER [opts]
one_conn() {
	srv_ns=$1 cli_ns=$2 addr=$3 port=$4 iface=$5 closer=$8
	shift 8
	cap=/tmp/cap.$port
	capture "$cli_ns" "$iface" "$port" "$cap"
	serve "$srv_ns" "$addr" "$port" --wait 100 "$@" || return
	out=$(in_ns "$cli_ns" "$TCPCONN" connect "$addr" "$port" --wait 100 "$@")
	wait "$SERVER_PID"
	capture_end
	CPORT=$(echo "$out" | awk '/^local/ { print $3 }')
	CADDR=$(echo "$out" | awk '/^local/ { print $2 }')
	[ -n "$CPORT" ] || { fail "client did not connect: $out"; return; }
	ISN_O=$(captured_seq "$cap" S)
	ISN_R=$(captured_seq "$cap" S.)
	log "client $CADDR port $CPORT, captured ISNs $ISN_O $ISN_R"
}

endpoint() {
	case "$1" in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

check_isns() {
	expect_eq isn_orig "$(field "$1" isn_orig)" "$ISN_O"
	expect_eq isn_reply "$(field "$1" isn_reply)" "$ISN_R"
}

loopback() {
	addr=$1 port=$2 closer=$3
	shift 3
	one_conn "" "" "$addr" "$port" lo "" "" "$closer" "$@"
	line=$(flow_line "" "$(endpoint "$CADDR" "$CPORT")" "$(endpoint "$addr" "$port")")
	check_fin_flow "$line" "$closer"
	check_isns "$line"
	n=$(proc_table "" | grep -c ":$port ")
	expect_eq "lines for port $port (one flow, both directions)" "$n" 1
}

test_loopback_ipv4() { loopback 127.0.0.1 8081 orig; }
test_loopback_ipv6() { loopback ::1 8082 orig; }
test_server_closes_first() { loopback 127.0.0.1 8083 reply --server-first; }

veth() {
	addr=$1 port=$2
	mk_ns cli
	mk_ns srv
	veth_pair cli srv
	one_conn srv cli "$addr" "$port" va "" "" orig
	orig=$(endpoint "$CADDR" "$CPORT")
	reply=$(endpoint "$addr" "$port")
	for ns in cli srv; do
		log "namespace $ns"
		line=$(flow_line $ns "$orig" "$reply")
		check_fin_flow "$line" orig
		check_isns "$line"
	done
	n=$(proc_table "" | grep -c ":$port ")
	expect_eq "flows of the namespaces seen in the initial one" "$n" 0
}

test_veth_ipv4() { veth 10.0.0.2 8084; }
test_veth_ipv6() { veth fd00::2 8085; }

test_refused() {
	out=$("$TCPCONN" connect 127.0.0.1 8086)
	expect_eq "client" "$out" refused
	line=$(proc_table "" | awk '$4 == "127.0.0.1:8086"')
	log "line: $line"
	expect_eq state "$(field "$line" state)" CLOSED
	expect_eq conn_state "$(field "$line" conn_state)" REJ
	expect_eq end "$(field "$line" end)" rst-reply
	expect_eq history "$(field "$line" history)" Sr
	expect_eq isn_reply "$(field "$line" isn_reply)" -
}

test_reset_by_client() {
	serve "" 127.0.0.1 8087 || return
	out=$("$TCPCONN" connect 127.0.0.1 8087 --rst)
	wait "$SERVER_PID"
	port=$(echo "$out" | awk '/^local/ { print $3 }')
	line=$(flow_line "" "127.0.0.1:$port" 127.0.0.1:8087)
	log "line: $line"
	expect_eq state "$(field "$line" state)" CLOSED
	expect_eq conn_state "$(field "$line" conn_state)" RSTO
	expect_eq end "$(field "$line" end)" rst-orig
	expect_match history "$(field "$line" history)" '^ShA.*R'
}

test_half_close() {
	serve "" 127.0.0.1 8088 --reply 5000 --half-close || return
	out=$("$TCPCONN" connect 127.0.0.1 8088 --half-close --reply 5000)
	wait "$SERVER_PID"
	port=$(echo "$out" | awk '/^local/ { print $3 }')
	line=$(flow_line "" "127.0.0.1:$port" 127.0.0.1:8088)
	log "line: $line"
	expect_eq state "$(field "$line" state)" TIME_WAIT
	expect_eq conn_state "$(field "$line" conn_state)" SF
	expect_eq closer "$(field "$line" closer)" orig
	# The responder's data came after the opener's FIN.
	expect_match history "$(field "$line" history)" 'F.*d'
}

test_200_concurrent() {
	serve "" 127.0.0.1 8089 --count 200 || return
	out=$("$TCPCONN" connect 127.0.0.1 8089 --count 200 --parallel)
	wait "$SERVER_PID"
	expect_eq "connections made" "$(echo "$out" | grep -c '^local')" 200
	table=$(proc_table "" | awk '$4 == "127.0.0.1:8089"')
	expect_eq "flows" "$(echo "$table" | grep -c .)" 200
	expect_eq "distinct client ports" \
		"$(echo "$table" | awk '{ print $3 }' | sort -u | grep -c .)" 200
	expect_eq "flows closed normally" "$(echo "$table" | awk '$6 == "SF"' | grep -c .)" 200
	echo "$table" | awk '$6 != "SF"' | sed 's/^/    not SF: /'
	expect_eq "distinct ids" "$(echo "$table" | awk '{ print $1 }' | sort -u | grep -c .)" 200
}

test_counters() {
	before=$(stat_sum "" new)
	serve "" 127.0.0.1 8090 --count 3 || return
	"$TCPCONN" connect 127.0.0.1 8090 --count 3 >/dev/null
	wait "$SERVER_PID"
	after=$(stat_sum "" new)
	expect_eq "new flows counted" "$((after - before))" 3
	head -n1 /proc/net/stat/tcphs | grep -q '^flows packets ignored' ||
		fail "stat header: $(head -n1 /proc/net/stat/tcphs)"
	expect_eq "stat rows (one per CPU)" "$(($(wc -l </proc/net/stat/tcphs) - 1))" \
		"$(grep -c '^processor' /proc/cpuinfo)"
	flows=$(printf '%d' "0x$(sed -n 2p /proc/net/stat/tcphs | awk '{ print $1 }')")
	expect_eq "flows column" "$flows" "$(($(wc -l </proc/tcphs) - 1))"
}

test_permissions() {
	# Anyone opens it; reading takes CAP_NET_ADMIN, checked at read.
	mode=$(stat -L -c %a /proc/tcphs)
	expect_eq "/proc/tcphs mode" "$mode" 444
	if out=$(as_nobody cat /proc/tcphs 2>&1); then
		fail "an unprivileged user read /proc/tcphs"
	fi
	expect_match "what nobody gets" "$out" 'Operation not permitted'
	as_nobody cat /proc/net/stat/tcphs >/dev/null 2>&1 ||
		fail "the counters should be readable by anyone"
}

run_test loopback-ipv4 test_loopback_ipv4
run_test loopback-ipv6 test_loopback_ipv6
run_test server-closes-first test_server_closes_first
run_test veth-ipv4 test_veth_ipv4
run_test veth-ipv6 test_veth_ipv6
run_test refused test_refused
run_test reset-by-client test_reset_by_client
run_test half-close test_half_close
run_test 200-concurrent test_200_concurrent
run_test counters test_counters
run_test permissions test_permissions
finish
