#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# /proc/net/tcphs_events: the bounded log of recent events.
. "$(dirname "$0")/lib.sh"

LOG=/proc/net/tcphs_events
# A whole line: seq, time, flow, tuple, dir, event, old -> new, flags, seq, ack.
LINE_RE='^[0-9]+ [0-9]+\.[0-9]{6} flow=[0-9]+ [^ ]+ > [^ ]+ (orig|reply|-) [A-Z_]+ [A-Z_0-9]+ -> [A-Z_0-9]+ flags=[-SFRPAUEC]+ seq=[^ ]+ ack=[^ ]+( syn-synack=[0-9]+\.[0-9]{3}ms)?( synack-ack=[0-9]+\.[0-9]{3}ms)?( outcome=[a-z-]+ stage=[a-z]+)?( owner=(orig|reply) uid=[0-9]+)?( pid=[0-9]+ comm=.*)?$'

reload() {
	rmmod tcphs
	load_tcphs "$@" || fail "insmod $*"
}

one_connection() {
	serve "" 127.0.0.1 "$1" --wait 100 || return
	"$TCPCONN" connect 127.0.0.1 "$1" --wait 100 >/dev/null
	wait "$SERVER_PID"
}

test_same_as_reader() {
	# A fresh log: reading it does not empty it.
	reload
	tcphs events -o mono >/tmp/reader.txt 2>/dev/null &
	rd=$!
	tcphs events --json >/tmp/reader.json 2>/dev/null &
	rj=$!
	sleep 0.5
	one_connection 8301
	sleep 0.3
	kill -INT $rd $rj
	wait $rd $rj 2>/dev/null
	grep -v '^#' $LOG >/tmp/log.txt
	expect_eq "events in the log" "$(grep -c . /tmp/log.txt)" 7
	expect_eq "events from the reader" "$(grep -c . /tmp/reader.txt)" 7
	expect_eq "event words in order" \
		"$(awk '{ print $8 }' /tmp/log.txt | tr '\n' ' ')" \
		"SYN SYN_ACK ESTABLISHED FIN FIN_ACKED FIN TIME_WAIT "
	expect_eq "sequence numbers (netlink's)" \
		"$(awk '{ print $1 }' /tmp/log.txt | tr '\n' ' ')" \
		"$(jq -r .event_seq /tmp/reader.json | tr '\n' ' ')"
	# Apart from the leading sequence number, each line is the reader's.
	cut -d' ' -f2- /tmp/log.txt >/tmp/log-rest.txt
	if ! cmp -s /tmp/log-rest.txt /tmp/reader.txt; then
		fail "log and reader lines differ:"
		diff /tmp/log-rest.txt /tmp/reader.txt
	fi
	# tcphs events --from reads the log back: the same lines, the same ladder.
	tcphs events --from /tmp/log.txt -o mono >/tmp/from.txt 2>/tmp/from.err
	expect_eq "events --from the log: exit status" "$?" 0
	if ! cmp -s /tmp/from.txt /tmp/reader.txt; then
		fail "events --from the log and the live reader differ:"
		diff /tmp/from.txt /tmp/reader.txt
	fi
	tcphs events --from - --ladder --no-times </tmp/log.txt >/tmp/from.ladder 2>/dev/null
	expect_eq "ladder from the log: rungs" "$(grep -c '^[A-Z_0-9]* *|[-<]' /tmp/from.ladder)" 7
	expect_match "ladder from the log: the end" "$(grep 'ack=y+18' /tmp/from.ladder)" \
		'^TIME_WAIT +\|-+ ACK ack=y\+18 -+>\| CLOSED$'
	grep -q 'SYN_ACK SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1' /tmp/log.txt ||
		fail "SYN-ACK line: $(grep SYN_ACK /tmp/log.txt)"
	grep -q 'TIME_WAIT LAST_ACK -> TIME_WAIT flags=A seq=x+18 ack=y+18' /tmp/log.txt ||
		fail "last ACK line: $(grep CLOSED /tmp/log.txt)"
}

test_wraps_and_counts() {
	reload event_ring=16
	head -n1 $LOG | grep -q '^# 0 events overwritten' || fail "fresh log: $(head -n1 $LOG)"
	cat $LOG >/dev/null
	serve "" 127.0.0.1 8302 --count 5 || return
	"$TCPCONN" connect 127.0.0.1 8302 --count 5 >/dev/null
	wait "$SERVER_PID"
	"$TCPCONN" connect 127.0.0.1 8303 >/dev/null
	cat $LOG >/tmp/log.txt
	last=$(tail -n1 /tmp/log.txt | awk '{ print $1 }')
	# Every connection made 7 events, the refused one 2.
	expect_eq "newest sequence number" "$last" 37
	expect_eq "lines kept" "$(grep -vc '^#' /tmp/log.txt)" 16
	expect_eq "oldest kept" "$(sed -n 2p /tmp/log.txt | awk '{ print $1 }')" 22
	expect_eq header "$(head -n1 /tmp/log.txt)" \
		"# 21 events overwritten unread since the last read"
	expect_eq "header of the next read" "$(head -n1 $LOG)" \
		"# 0 events overwritten unread since the last read"
	"$TCPCONN" connect 127.0.0.1 8304 >/dev/null
	expect_eq "after two more events" "$(head -n1 $LOG)" \
		"# 0 events overwritten unread since the last read"
	reload
}

test_whole_lines_under_load() {
	serve "" 127.0.0.1 8305 --count 60 || return
	"$TCPCONN" connect 127.0.0.1 8305 --count 60 >/dev/null &
	cl=$!
	i=0
	: >/tmp/reads.txt
	while [ $i -lt 20 ]; do
		# Tiny reads: each line is returned across many read() calls.
		dd if=$LOG bs=7 2>/dev/null >>/tmp/reads.txt
		i=$((i + 1))
	done
	wait $cl
	wait "$SERVER_PID"
	total=$(grep -vc '^#' /tmp/reads.txt)
	bad=$(grep -v '^#' /tmp/reads.txt | grep -Evc "$LINE_RE")
	log "lines read: $total"
	[ "$total" -gt 0 ] || fail "nothing read"
	expect_eq "torn or malformed lines" "$bad" 0
	if [ "$bad" != 0 ]; then
		grep -v '^#' /tmp/reads.txt | grep -Ev "$LINE_RE" | head -n 5
	fi
	# Within one read, sequence numbers only go up.
	awk '/^#/ { prev = 0; next } { if ($1 <= prev) bad++; prev = $1 } END { exit bad > 0 }' \
		/tmp/reads.txt || fail "sequence numbers out of order within a read"
}

test_root_only() {
	# Anyone opens it; reading takes CAP_NET_ADMIN, checked at read.
	expect_eq mode "$(stat -L -c %a /proc/tcphs_events)" 444
	if out=$(as_nobody cat $LOG 2>&1); then
		fail "an unprivileged user read the event log"
	fi
	expect_match "what nobody gets" "$out" 'Operation not permitted'
	mk_ns other
	n=$(in_ns other cat $LOG | grep -vc '^#')
	expect_eq "events in a fresh namespace" "$n" 0
}

test_turned_off() {
	reload event_ring=0
	[ -e $LOG ] && fail "$LOG exists with event_ring=0"
	[ -e /proc/tcphs_events ] && fail "/proc/tcphs_events exists with event_ring=0"
	tcphs events --json --count 2 >/tmp/off.json 2>/dev/null &
	rd=$!
	sleep 0.5
	"$TCPCONN" connect 127.0.0.1 8306 >/dev/null
	wait $rd
	expect_eq "events still numbered" "$(jq -r .event_seq /tmp/off.json | tr '\n' ' ')" "1 2 "
	reload
}

run_test same-as-reader test_same_as_reader
run_test wraps-and-counts test_wraps_and_counts
run_test whole-lines-under-load test_whole_lines_under_load
run_test root-only test_root_only
run_test turned-off test_turned_off
finish
