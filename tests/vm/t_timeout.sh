#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Timeouts: an unanswered SYN times out (S0, end timeout), lingers as
# CLOSED for `linger` seconds and is then retired by the GC worker.
. "$(dirname "$0")/lib.sh"

P=/sys/module/tcphs/parameters

flow_of() {
	proc_table cli | awk '$4 == "10.0.0.3:80"'
}

state_is() {
	[ "$(field "$(flow_of)" state)" = "$1" ]
}

gone() {
	[ -z "$(flow_of)" ]
}

test_syn_timeout() {
	echo 2 >$P/timeout_syn
	echo 1 >$P/linger
	mk_ns cli
	mk_ns srv
	veth_pair cli srv
	before=$(stat_sum cli timeout)
	# Nobody has 10.0.0.3: the SYN leaves (LOCAL_OUT) and is never answered.
	in_ns cli "$TCPCONN" connect 10.0.0.3 80 --timeout 1 >/dev/null 2>&1
	line=$(flow_of)
	log "line: $line"
	expect_eq state "$(field "$line" state)" SYN_SENT
	expect_eq conn_state "$(field "$line" conn_state)" S0
	wait_for 10 state_is CLOSED || fail "no timeout within 10 s: $(flow_of)"
	line=$(flow_of)
	log "line: $line"
	expect_eq end "$(field "$line" end)" timeout
	expect_eq conn_state "$(field "$line" conn_state)" S0
	expect_match ts_end "$(field "$line" ts_end)" '^[0-9]+$'
	expect_eq "timeouts counted" "$(($(stat_sum cli timeout) - before))" 1
	wait_for 10 gone || fail "not retired after linger: $(flow_of)"
	echo 60 >$P/timeout_syn
	echo 60 >$P/linger
}

test_timeout_event() {
	echo 1 >$P/timeout_syn
	mk_ns cli
	mk_ns srv
	veth_pair cli srv
	in_ns cli tcphs events --json --count 2 >/tmp/to.json 2>/dev/null &
	rd=$!
	sleep 0.5
	in_ns cli "$TCPCONN" connect 10.0.0.3 80 --timeout 1 >/dev/null 2>&1
	i=0
	while kill -0 $rd 2>/dev/null && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill $rd 2>/dev/null
	expect_eq events "$(jq -r '.event + " " + .old_state + " " + .state' /tmp/to.json |
		tr '\n' ',')" "SYN NONE SYN_SENT,TIMEOUT SYN_SENT CLOSED,"
	echo 60 >$P/timeout_syn
}

run_test syn-timeout test_syn_timeout
run_test timeout-event test_timeout_event
finish
