#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Fault injection (a kernel with CONFIG_FAILSLAB and CONFIG_FAIL_PAGE_ALLOC,
# such as the debug kernel; elsewhere the script says so and runs nothing).
#
# The failures are aimed with the task filter: only the client processes
# of the test have make-it-fail set, and only their non-sleeping (atomic)
# allocations fail. On loopback tcphs sees every segment at LOCAL_OUT, so
# the client's SYN (the flow's allocation) and its events (the netlink
# message) are allocated in the client's context and fail at random. The
# kernel's own atomic allocations for the client can fail too; a connect()
# that fails that way is fine.
#
# Whatever fails, nothing crashes (the VM's kernel log check, KASAN and
# kmemleak), the failures are counted (nomem, event_drop), and the table
# is consistent: /proc/tcphs, the reader's list and the counters agree,
# every tracked flow is whole, and every event is either received by the
# reader or counted as lost by it.
. "$(dirname "$0")/lib.sh"

DBG=/sys/kernel/debug
CONNS=${FAULT_CONNS:-60}
PORT=8701

mount -t debugfs none $DBG 2>/dev/null

# fault_on NAME PROBABILITY: arm failslab or fail_page_alloc for tasks
# with make-it-fail set, atomic allocations only.
fault_on() {
	d=$DBG/$1
	echo 0 >"$d/probability"
	echo 1 >"$d/interval"
	echo 1000000 >"$d/times"
	echo 0 >"$d/space"
	echo 0 >"$d/verbose"
	echo Y >"$d/task-filter"
	echo Y >"$d/ignore-gfp-wait"
	[ ! -e "$d/cache-filter" ] || echo N >"$d/cache-filter"
	[ ! -e "$d/min-order" ] || echo 0 >"$d/min-order"
	[ ! -e "$d/ignore-gfp-highmem" ] || echo N >"$d/ignore-gfp-highmem"
	echo "$2" >"$d/probability"
}

# fault_off NAME: disarm; INJECTED is how many failures it injected.
fault_off() {
	echo 0 >"$DBG/$1/probability"
	INJECTED=$((1000000 - $(cat "$DBG/$1/times")))
}

# faulty CMD...: CMD with make-it-fail set (inherited by what it runs).
faulty() {
	sh -c 'echo 1 >/proc/self/make-it-fail && exec "$@"' sh "$@"
}

stat_of() {
	in_ns nsf tcphs stats --json | jq -r ".$1"
}

last_event() {
	in_ns nsf tcphs stats --json | jq -r .last_event
}

# One round: CONNS connections from a faulty client in namespace nsf,
# with a reader subscribed, FAULT (failslab or fail_page_alloc) armed at
# PROBABILITY percent.
fault_round() {
	fault=$1 prob=$2
	rmmod tcphs
	load_tcphs linger=600 || { fail "insmod"; return 1; }
	mk_ns nsf
	serve nsf 127.0.0.1 $PORT --count 100000 --timeout 600 || return 1
	srv=$SERVER_PID
	ip netns exec nsf tcphs events --json >/tmp/fault.json 2>/tmp/fault.err &
	rd=$!
	reader_ready nsf $rd
	ev0=$(last_event)

	fault_on "$fault" "$prob"
	i=0 refused=0
	while [ $i -lt "$CONNS" ]; do
		faulty ip netns exec nsf "$TCPCONN" connect 127.0.0.1 $PORT --timeout 10 \
			>/dev/null 2>&1 || refused=$((refused + 1))
		i=$((i + 1))
	done
	fault_off "$fault"
	log "$fault at $prob%: $INJECTED failures injected; $refused of $CONNS connections failed"
	[ "$INJECTED" -gt 0 ] || fail "no failure was injected"

	sleep 1
	kill -INT $rd
	wait $rd
	ev1=$(last_event)
	kill "$srv" 2>/dev/null

	# The table: /proc/tcphs, the reader's list and the counters agree.
	lines=$(proc_table nsf | tail -n +2 | grep -c .)
	expect_eq "flows: /proc/tcphs vs the flow count" "$lines" "$(stat_of flows)"
	expect_eq "flows: tcphs list vs /proc/tcphs" \
		"$(in_ns nsf tcphs list --json | grep -c .)" "$lines"
	# Every tracked flow is whole: it began with the client's SYN.
	bad=$(proc_table nsf | awk '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == "history") c = i; next }
		substr($c, 1, 1) != "S" { n++ } END { print n + 0 }')
	expect_eq "flows that did not begin with a SYN" "$bad" 0
	# A new connection on a finished flow's tuple (loopback reuses TIME_WAIT
	# ports) retires the old flow: seen as a second flow id of one tuple.
	restarts=$(jq -r 'select(has("event")) | "\(.saddr) \(.sport) \(.daddr) \(.dport) \(.flow_id)"' \
		/tmp/fault.json | sort -u | awk '{ print $1, $2, $3, $4 }' | sort | uniq -c |
		awk '{ s += $1 - 1 } END { print s + 0 }')
	expect_eq "flows: new - evicted - restarted ($restarts)" \
		"$(($(stat_of new) - $(stat_of evicted) - restarts))" "$lines"
	NOMEM=$(stat_of nomem)
	DROPS=$(stat_of event_drop)
	log "flows $lines, nomem $NOMEM, event_drop $DROPS"

	# Every event was received or counted lost, exactly.
	cat /tmp/fault.err | sed 's/^/    | /'
	rcv=$(sed -n 's/^tcphs: received \([0-9]*\) events, lost \([0-9]*\)$/\1/p' /tmp/fault.err)
	lost=$(sed -n 's/^tcphs: received \([0-9]*\) events, lost \([0-9]*\)$/\2/p' /tmp/fault.err)
	expect_eq "events received + lost" "$((rcv + lost))" "$((ev1 - ev0))"
	# Whole JSON lines: the events, and the gaps ({"lost":N,...}) that
	# add up to what the reader counted lost.
	expect_eq "events received as whole JSON lines" \
		"$(jq -c 'select(has("event")) | .event_seq' /tmp/fault.json | grep -c .)" "$rcv"
	expect_eq "lost events in the reader's gap lines" \
		"$(jq -s '[.[] | select(has("lost")) | .lost] | add // 0' /tmp/fault.json)" "$lost"
	# The log of the namespace holds every event (it never allocates).
	expect_eq "events in /proc/net/tcphs_events" \
		"$(in_ns nsf cat /proc/net/tcphs_events | grep -vc '^#')" "$((ev1 - ev0))"

	# Without faults, a connection is tracked in full again.
	serve nsf 127.0.0.1 $((PORT + 1)) --count 1 || return 1
	in_ns nsf "$TCPCONN" connect 127.0.0.1 $((PORT + 1)) >/dev/null
	wait "$SERVER_PID"
	line=$(proc_table nsf | awk -v b="127.0.0.1:$((PORT + 1))" '$4 == b')
	expect_eq "state after the faults" "$(field "$line" state)" TIME_WAIT
	return 0
}

test_failslab() {
	fault_round failslab 25 || return
	[ "$NOMEM" -gt 0 ] || fail "no flow allocation failed (nomem 0)"
	[ "$DROPS" -gt 0 ] || fail "no event was dropped (event_drop 0)"
}

test_fail_page_alloc() {
	fault_round fail_page_alloc 50
}

if [ ! -d $DBG/failslab ] || [ ! -d $DBG/fail_page_alloc ]; then
	log "this kernel has no failslab/fail_page_alloc: nothing to run here"
	finish
	exit
fi
run_test fault-failslab test_failslab
run_test fault-page-alloc test_fail_page_alloc
# Leave the module as the VM harness loaded it.
rmmod tcphs && load_tcphs
finish
