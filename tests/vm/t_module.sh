#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Module life: parameters checked at insmod and at runtime, unloading with
# flows in the table, loading again.
. "$(dirname "$0")/lib.sh"

reload() {
	rmmod tcphs 2>/dev/null
	load_tcphs "$@"
}

test_bad_parameters() {
	rmmod tcphs || { fail "rmmod"; return; }
	for p in max_flows=0 max_flows=-1 max_flows=abc max_flows=16777217 \
		 max_flows=99999999999 timeout_syn=0 timeout_close=x \
		 timeout_established=1728001 linger=-5 hashsize=4194305 loose=maybe \
		 netns_max_flows=-1 netns_flows_total=x invalid_events=abc \
		 unsafe_unrestricted_events=maybe; do
		dmesg -c >/dev/null
		if load_tcphs "$p" 2>/dev/null; then
			fail "insmod accepted $p"
			rmmod tcphs
			continue
		fi
		name=${p%%=*}
		msg=$(dmesg | grep -i "$name" | head -n1)
		expect_match "kernel message for $p" "$msg" "tcphs.*$name"
		[ -e /sys/module/tcphs ] && fail "module stayed loaded after $p"
	done
	# 20 days, the longest timeout: expiries are 32 bits of jiffies.
	load_tcphs max_flows=1000 hashsize=300 linger=5 timeout_established=1728000 ||
		fail "good parameters refused"
	expect_eq timeout_established "$(cat /sys/module/tcphs/parameters/timeout_established)" 1728000
	expect_eq max_flows "$(cat /sys/module/tcphs/parameters/max_flows)" 1000
	expect_eq linger "$(cat /sys/module/tcphs/parameters/linger)" 5
	dmesg | grep -q 'tcphs: tracking TCP handshakes: 512 buckets, max_flows 1000' ||
		fail "hashsize 300 should round up to 512 buckets: $(dmesg | grep 'tcphs: tracking')"
	reload
}

test_runtime_parameters() {
	p=/sys/module/tcphs/parameters
	for bad in 0 -1 abc 16777217; do
		if echo "$bad" >$p/max_flows 2>/dev/null; then
			fail "max_flows accepted $bad at runtime"
		fi
	done
	expect_eq "max_flows after bad writes" "$(cat $p/max_flows)" 65536
	echo 5000 >$p/max_flows || fail "max_flows refused 5000"
	expect_eq max_flows "$(cat $p/max_flows)" 5000
	echo 65536 >$p/max_flows
	if echo 0 >$p/timeout_syn 2>/dev/null; then
		fail "timeout_syn accepted 0"
	fi
	expect_eq "hashsize is read-only" "$(stat -c %a $p/hashsize)" 444
	for n in max_flows hashsize loose timeout_syn timeout_established timeout_close linger \
		 netns_max_flows netns_flows_total invalid_events unsafe_unrestricted_events; do
		modinfo -F parm "$MODULE_KO" | grep -q "^$n:" || fail "modinfo lacks $n"
	done
}

test_max_flows() {
	reload max_flows=3
	serve "" 127.0.0.1 8101 --count 5 || return
	"$TCPCONN" connect 127.0.0.1 8101 --count 5 >/dev/null
	wait "$SERVER_PID"
	# Nothing is ever above the cap, and every SYN that found the table
	# full either evicted a finished flow or was counted as not tracked.
	flows=$(($(wc -l </proc/tcphs) - 1))
	full=$(stat_sum "" table_full)
	evicted=$(stat_sum "" evicted)
	log "flows $flows, table_full $full, evicted $evicted"
	expect_eq "flows in a table capped at 3" "$flows" 3
	expect_eq "table_full + evicted" "$((full + evicted))" 2
	expect_eq "new" "$(stat_sum "" new)" $((3 + evicted))
	reload
}

test_unload_with_flows() {
	serve "" 127.0.0.1 8102 --count 5 || return
	"$TCPCONN" connect 127.0.0.1 8102 --count 5 >/dev/null
	wait "$SERVER_PID"
	mk_ns other
	ip netns exec other "$TCPCONN" connect 127.0.0.1 1 >/dev/null
	n=$(($(wc -l </proc/tcphs) - 1))
	[ "$n" -ge 5 ] || fail "expected flows before rmmod, have $n"
	rmmod tcphs || fail "rmmod with $n flows"
	[ -e /proc/tcphs ] && fail "/proc/tcphs stayed after rmmod"
	load_tcphs || fail "insmod again"
	expect_eq "flows after reload" "$(($(wc -l </proc/tcphs) - 1))" 0
	in_ns other cat /proc/tcphs >/dev/null || fail "namespace created before the load has no table"
}

# A connection already open when tcphs is loaded: ignored, unless loose.
midstream() {
	rmmod tcphs
	serve "" 127.0.0.1 "$1" || return
	"$TCPCONN" connect 127.0.0.1 "$1" --wait 1500 >/dev/null &
	cl=$!
	sleep 0.5
	shift
	load_tcphs "$@" || fail "insmod $*"
	wait $cl
	wait "$SERVER_PID"
}

test_loose() {
	midstream 8103
	expect_eq "flows without loose" "$(proc_table "" | grep -c ':8103 ')" 0
	[ "$(stat_sum "" ignored)" -gt 0 ] || fail "ignored segments not counted"
	midstream 8104 loose=1
	line=$(proc_table "" | grep ':8104 ')
	log "line: $line"
	# Picked up mid-stream and closed by both sides: SF, as Zeek says.
	expect_eq conn_state "$(field "$line" conn_state)" SF
	expect_eq opener "$(field "$line" opener)" -
	expect_eq isn_orig "$(field "$line" isn_orig)" -
	expect_match state "$(field "$line" state)" '^(TIME_WAIT|LAST_ACK|FIN_WAIT_2)$'
	reload
}

run_test bad-parameters test_bad_parameters
run_test runtime-parameters test_runtime_parameters
run_test max-flows test_max_flows
run_test unload-with-flows test_unload_with_flows
run_test loose test_loose
finish
