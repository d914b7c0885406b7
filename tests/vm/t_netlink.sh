#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The generic netlink family refuses malformed requests (tests/tools/nlbad:
# unknown and unexpected attributes, wrong lengths and values, broken
# framing, unknown commands, and what an unprivileged user may not do) and
# keeps working: the flows, /proc/tcphs and valid requests are unaffected.
# tests/tools/nlfuzz then sends many thousands of random messages, to the
# family and to its events group, as root and as an unprivileged user.
. "$(dirname "$0")/lib.sh"
TOOLS=$TESTS_DIR/tools

NLBAD=${NLBAD:-$TESTS_DIR/tools/nlbad}
NLFUZZ=${NLFUZZ:-$TESTS_DIR/tools/nlfuzz}
FUZZ_COUNT=${FUZZ_COUNT:-20000}

# table_of NS PORT: the namespace's flows with PORT at either end, without
# the column of the seconds left before the flow times out, which tick.
table_of() {
	proc_table_still "$1" | awk -v p=":$2" 'index($3 " ", p " ") || index($4 " ", p " ")'
}

# serve_new: serve, but never fooled by an earlier server's "listening"
# line (lib.sh's output file is the same for every server of a script run
# by dash, which has no $RANDOM).
serve_new() {
	rm -f "/tmp/serve.$$."*
	serve "$@"
}

# some_flows NS PORT: three closed connections and a refused one.
some_flows() {
	serve_new "$1" 127.0.0.1 "$2" --count 3 || return 1
	in_ns "$1" "$TCPCONN" connect 127.0.0.1 "$2" --count 3 >/dev/null
	wait "$SERVER_PID"
	in_ns "$1" "$TCPCONN" connect ::1 "$2" >/dev/null
	n=$(table_of "$1" "$2" | grep -c .)
	expect_eq "flows made on port $2" "$n" 4
}

# same_flows NS PORT BEFORE: the flows of PORT are still BEFORE.
same_flows() {
	after=$(table_of "$1" "$2")
	if [ "$after" = "$3" ]; then
		log "ok: the $(echo "$after" | grep -c .) flows of port $2 are unchanged"
	else
		fail "the flows of port $2 changed:"
		printf '%s\n--- now\n%s\n' "$3" "$after"
	fi
}

# nlbad_run NS WHO ARGS...: runs nlbad (WHO is root or nobody) and checks
# that every case was ok.
nlbad_run() {
	ns=$1 who=$2
	shift 2
	if [ "$who" = nobody ]; then
		out=$(as_nobody "$NLBAD" "$@" 2>&1)
	else
		out=$(in_ns "$ns" "$NLBAD" "$@" 2>&1)
	fi
	rc=$?
	echo "$out" | sed 's/^/    | /'
	expect_eq "nlbad${*:+ $*} exit status" "$rc" 0
	expect_eq "cases not ok" "$(echo "$out" | grep -c '^not ok')" 0
	NLBAD_OUT=$out
}

# Every case of the malformed set, in a namespace of its own.
test_malformed_in_namespace() {
	mk_ns nlb
	some_flows nlb 8501 || return
	before=$(table_of nlb 8501)
	stats_before=$(in_ns nlb tcphs stats --json | jq -c '{new, flows}')
	nlbad_run nlb root
	ok=$(echo "$NLBAD_OUT" | grep -c '^ok ')
	[ "$ok" -ge 33 ] || fail "only $ok cases ok, want at least 33"
	# The kernel's validation says why, in an extended ack.
	for msg in "Unknown attribute type" "Unsupported attribute" \
		   "invalid attribute length" "integer out of range" \
		   "binary attribute size out of range" "bytes leftover"; do
		echo "$NLBAD_OUT" | grep -q "^ok .*($msg" ||
			fail "no case got the extended ack '$msg'"
	done
	echo "$NLBAD_OUT" | grep -q '^ok flush-takes-no-filter-family: error -22' ||
		fail "flush with an attribute was not refused"
	same_flows nlb 8501 "$before"
	expect_eq "counters and flow count" \
		"$(in_ns nlb tcphs stats --json | jq -c '{new, flows}')" "$stats_before"
	expect_eq "flows listed by the reader" \
		"$(in_ns nlb tcphs list --json --port 8501 | grep -c .)" 4
	head -n1 /proc/tcphs | grep -q '^id ' || fail "/proc/tcphs header: $(head -n1 /proc/tcphs)"
}

# The same in the initial namespace, whose table has other flows too.
test_malformed_initial_namespace() {
	some_flows "" 8502 || return
	before=$(table_of "" 8502)
	nlbad_run "" root
	same_flows "" 8502 "$before"
	cat /proc/tcphs >/dev/null || fail "/proc/tcphs unreadable afterwards"
	expect_eq "flows of port 8502 listed by the reader" \
		"$(tcphs list --json --port 8502 | grep -c .)" 4
}

# An unprivileged user may not flush, dump or listen, however it asks.
test_unprivileged() {
	some_flows "" 8503 || return
	before=$(table_of "" 8503)
	nlbad_run "" nobody --unpriv --events "$(events_access)"
	for c in flush-unprivileged get-flow-unprivileged; do
		echo "$NLBAD_OUT" | grep -q "^ok $c: error -1 " || fail "case $c"
	done
	echo "$NLBAD_OUT" | grep -q "^ok join-events-unprivileged: " ||
		fail "case join-events-unprivileged ($(events_access))"
	same_flows "" 8503 "$before"
}

# Random messages, with a reader subscribed: only errors (and the answers
# of well-formed requests), the module answers throughout, the table and
# the counters of flows are unchanged, the reader survives whatever reaches
# its group (root may send there too) and still gets real events.
test_fuzz() {
	# The fuzz can outlast linger on a slow kernel: keep the flows it checks.
	rmmod tcphs && load_tcphs linger=3600 || { fail "reload"; return; }
	mk_ns nlf
	some_flows nlf 8504 || return
	before=$(table_of nlf 8504)
	stats_before=$(in_ns nlf tcphs stats --json | jq -c '{new, flows}')
	ip netns exec nlf tcphs events --json --port 8505 >/tmp/fuzz-events.json 2>/tmp/fuzz-events.err &
	rd=$!
	reader_ready nlf $rd
	for seed in 1 2; do
		out=$(in_ns nlf "$NLFUZZ" --no-flush --seed $seed --count "$FUZZ_COUNT" 2>&1)
		rc=$?
		echo "$out" | sed 's/^/    | /'
		expect_eq "nlfuzz --seed $seed exit status" "$rc" 0
		expect_match "nlfuzz --seed $seed" "$(echo "$out" | tail -n1)" \
			"^nlfuzz: sent $FUZZ_COUNT .* [1-9][0-9]* errors .* 0 failures\$"
	done
	same_flows nlf 8504 "$before"
	expect_eq "counters and flow count" \
		"$(in_ns nlf tcphs stats --json | jq -c '{new, flows}')" "$stats_before"
	alive $rd || fail "the reader died: $(cat /tmp/fuzz-events.err)"
	grep -q 'not the kernel, sent to the group' /tmp/fuzz-events.err ||
		fail "the reader did not say it ignored what root sent to the group"
	serve_new nlf 127.0.0.1 8505 --count 1 || return
	in_ns nlf "$TCPCONN" connect 127.0.0.1 8505 >/dev/null
	wait "$SERVER_PID"
	wait_for 5 grep -q '"event":"TIME_WAIT"' /tmp/fuzz-events.json ||
		fail "the reader got no closed event after the fuzzing: $(tail -n3 /tmp/fuzz-events.json)"
	kill $rd 2>/dev/null
	wait $rd 2>/dev/null
	rmmod tcphs && load_tcphs || fail "reload"
}

# The same without CAP_NET_ADMIN, FLUSH included: nothing dumped, nothing
# flushed, nothing changed.
test_fuzz_unprivileged() {
	some_flows "" 8506 || return
	before=$(table_of "" 8506)
	out=$(as_nobody "$NLFUZZ" --unpriv --seed 3 --count "$((FUZZ_COUNT / 2))" 2>&1)
	rc=$?
	echo "$out" | sed 's/^/    | /'
	expect_eq "nlfuzz --unpriv exit status" "$rc" 0
	expect_match "nlfuzz --unpriv" "$(echo "$out" | tail -n1)" ' 0 failures$'
	same_flows "" 8506 "$before"
}

# The family is still there and answers after all the above.
# Dumps of a table in full churn: 20 held connections while synflood makes
# new flows and the namespace's limit evicts as many, as fast as the VM
# can. Every one of 20 dumps must complete the first time (no inconsistent
# dump to retry), show each flow at most once and every held one. (The
# held flows sit idle: timeout_syn is raised so that, however slow the
# kernel, they never become eviction's last resort, flows idle that long.)
test_dump_under_churn() {
	local tsyn=/sys/module/tcphs/parameters/timeout_syn old_tsyn

	old_tsyn=$(cat $tsyn)
	echo 3600 >$tsyn
	dump_under_churn
	echo "$old_tsyn" >$tsyn
}

dump_under_churn() {
	local i out dups held evicted0

	mk_ns churn
	ip -n churn link add d0 type dummy
	ip -n churn link set d0 up
	ip -n churn addr add 10.9.0.1/16 dev d0
	ip -n churn route add 10.200.0.0/16 dev d0
	in_ns churn sh -c 'echo 2000 >/proc/sys/net/tcphs/max_flows' ||
		{ fail "cannot lower the namespace's limit"; return; }
	serve churn 127.0.0.1 8601 --count 20 --timeout 600 || return
	ip netns exec churn "$TCPCONN" connect 127.0.0.1 8601 --count 20 --parallel \
		--hold 600000 --timeout 600 >/tmp/churn.est &
	wait_for 10 grep -q open /tmp/churn.est || { fail "held connections not open"; return; }
	: >/tmp/churn.on
	(while [ -e /tmp/churn.on ]; do
		ip netns exec churn "$TOOLS/synflood" 10.9.0.1 10.200.0.1 3000 --random-src \
			>/dev/null || break
	done) &
	sleep 1
	evicted0=$(stat_sum churn evicted)
	for i in $(seq 20); do
		if ! out=$(in_ns churn tcphs list --json 2>/tmp/churn.err); then
			fail "dump $i failed: $(cat /tmp/churn.err)"
			continue
		fi
		grep -q inconsistent /tmp/churn.err && fail "dump $i was retried: $(cat /tmp/churn.err)"
		dups=$(echo "$out" | jq -r .flow_id | sort | uniq -d | grep -c .)
		held=$(echo "$out" | grep -Ec '"dport":8601[,}]')
		[ "$dups" = 0 ] || fail "dump $i: $dups flows twice"
		[ "$held" = 20 ] || fail "dump $i: $held of the 20 held flows"
	done
	rm -f /tmp/churn.on
	log "evicted during the dumps: $(($(stat_sum churn evicted) - evicted0))"
	[ "$(stat_sum churn evicted)" -gt "$evicted0" ] || fail "no churn during the dumps"
}

test_still_works() {
	tcphs stats >/dev/null || fail "tcphs stats"
	tcphs list >/dev/null || fail "tcphs list"
	expect_match "stats" "$(tcphs stats --json | jq -c '{flows}')" '^\{"flows":[0-9]+\}$'
}

run_test malformed-in-namespace test_malformed_in_namespace
run_test malformed-initial-namespace test_malformed_initial_namespace
run_test unprivileged test_unprivileged
run_test fuzz test_fuzz
run_test fuzz-unprivileged test_fuzz_unprivileged
run_test dump-under-churn test_dump_under_churn
run_test still-works test_still_works
finish
