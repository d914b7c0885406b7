#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Floods, churn and module life, bounded in time. `make check` runs them
# small; `make stress` (STRESS_FULL=1) at full size: a million SYNs, 50
# module cycles, 200 namespaces. STRESS_CYCLES=N sets the cycles alone.
. "$(dirname "$0")/lib.sh"

TOOLS=$TESTS_DIR/tools
if [ -n "${STRESS_FULL:-}" ]; then
	SYNS=1000000 CYCLES=50 NAMESPACES_N=200
else
	SYNS=100000 CYCLES=10 NAMESPACES_N=40
fi
# The debug kernel runs the module cycles at full count (kmemleak sees them).
CYCLES=${STRESS_CYCLES:-$CYCLES}

reload() {
	rmmod tcphs 2>/dev/null
	load_tcphs "$@" || fail "insmod $*"
}

slab_active() {
	awk '$1 == "tcphs_flow" { print $2 }' /proc/slabinfo
}

# A flood of SYNs from random sources against a capped table, while a few
# established connections stay open and new real connections are made.
test_syn_flood() {
	cap=2000
	syns=$SYNS
	reload max_flows=$cap timeout_syn=3600
	mk_ns fl
	ip -n fl link add d0 type dummy
	ip -n fl link set d0 up
	ip -n fl addr add 10.9.0.1/16 dev d0
	ip -n fl route add 10.200.0.0/16 dev d0
	serve fl 127.0.0.1 8401 --count 5 --timeout 3600 || return
	held_server=$SERVER_PID
	ip netns exec fl "$TCPCONN" connect 127.0.0.1 8401 --count 5 --parallel --hold 600000 \
		--timeout 3600 >/tmp/est.out &
	est=$!
	wait_for 10 grep -q open /tmp/est.out || fail "established connections not open"
	estab_before=$(proc_table fl | awk '$4 == "127.0.0.1:8401" && $5 == "ESTABLISHED"' | grep -c .)
	expect_eq "established before the flood" "$estab_before" 5

	out=$(in_ns fl "$TOOLS/synflood" 10.9.0.1 10.200.0.1 $syns --random-src)
	log "$out"
	serve fl 127.0.0.1 8402 || return
	in_ns fl "$TCPCONN" connect 127.0.0.1 8402 >/dev/null || fail "no new connection during the flood"
	wait "$SERVER_PID"

	flows=$(proc_table fl | grep -vc '^id ')
	new=$(stat_sum fl new)
	evicted=$(stat_sum fl evicted)
	full=$(stat_sum fl table_full)
	log "flows $flows new $new evicted $evicted table_full $full slab $(slab_active)"
	[ "$flows" -le $cap ] || fail "$flows flows above the cap of $cap"
	expect_eq "new = flows + evicted" "$new" $((flows + evicted))
	[ "$evicted" -gt 0 ] || fail "nothing evicted"
	# The slab counts freed objects still cached per CPU as active: give
	# them back first, where the kernel lets us. Under KASAN freed objects
	# wait in its quarantine, so the slab says nothing there.
	sleep 1
	echo 1 >/sys/kernel/slab/tcphs_flow/shrink 2>/dev/null
	if [ -z "$(slab_active)" ]; then
		fail "no tcphs_flow cache in /proc/slabinfo (merged into another?)"
	elif dmesg | grep -q 'KernelAddressSanitizer initialized'; then
		log "KASAN: slab objects $(slab_active) include its quarantine; not compared"
	elif [ "$(slab_active)" -gt $((cap + cap / 5 + 128)) ]; then
		fail "slab objects $(slab_active) well above the cap"
	fi
	expect_eq "established after the flood" \
		"$(proc_table fl | awk '$4 == "127.0.0.1:8401" && $5 == "ESTABLISHED"' | grep -c .)" 5
	# Every flow that wanted in either got in or was counted as not tracked.
	expect_eq "SYNs accounted" "$((new + full))" $((syns + 5 + 1))
	kill $est 2>/dev/null
	wait $est "$held_server" 2>/dev/null
	reload
}

# The module goes and comes back while connections flow and a reader listens.
test_module_cycles() {
	cycles=$CYCLES
	serve "" 127.0.0.1 8403 --count 100000 --timeout 3600 || return
	(while :; do "$TCPCONN" connect 127.0.0.1 8403 >/dev/null 2>&1; done) &
	traffic=$!
	i=0
	bad=0
	while [ $i -lt "$cycles" ]; do
		tcphs events >/dev/null 2>/tmp/reader.err &
		rd=$!
		reader_ready "" $rd
		rmmod tcphs || { fail "rmmod in cycle $i"; break; }
		n=0
		while kill -0 $rd 2>/dev/null && [ $n -lt 50 ]; do
			sleep 0.1
			n=$((n + 1))
		done
		if kill -0 $rd 2>/dev/null; then
			fail "the reader did not exit when the module went (cycle $i)"
			kill $rd
		fi
		wait $rd
		rc=$?
		if [ $rc != 0 ] || ! grep -q 'module was unloaded' /tmp/reader.err; then
			bad=$((bad + 1))
			log "cycle $i: reader exit $rc: $(cat /tmp/reader.err)"
		fi
		load_tcphs || { fail "insmod in cycle $i"; break; }
		i=$((i + 1))
	done
	kill $traffic "$SERVER_PID" 2>/dev/null
	wait $traffic "$SERVER_PID" 2>/dev/null
	expect_eq "cycles" "$i" "$cycles"
	expect_eq "cycles where the reader did not say the module went" "$bad" 0
}

# Namespaces that carry flows come and go; each sees only its own.
test_namespaces() {
	count=$NAMESPACES_N
	# Making 200 namespaces on a loaded machine can take longer than
	# linger: the first namespaces' flows must still be there at the end.
	reload linger=3600
	i=0
	while [ $i -lt "$count" ]; do
		ip netns add s$i
		ip -n s$i link set lo up
		# A refused connection: one flow (SYN, RST) in each namespace.
		ip netns exec s$i "$TCPCONN" connect 127.0.0.$((i % 200 + 1)) 9 >/dev/null
		i=$((i + 1))
	done
	bad=0
	i=0
	while [ $i -lt "$count" ]; do
		n=$(ip netns exec s$i cat /proc/tcphs | grep -vc '^id ')
		seen=$(ip netns exec s$i cat /proc/tcphs | awk 'NR > 1 { print $4 }')
		if [ "$n" != 1 ] || [ "$seen" != "127.0.0.$((i % 200 + 1)):9" ]; then
			bad=$((bad + 1))
		fi
		i=$((i + 1))
	done
	expect_eq "namespaces not seeing exactly their own flow" "$bad" 0
	expect_eq "flows of the namespaces in the initial one" \
		"$(proc_table "" | awk '$4 ~ /:9$/' | grep -c .)" 0
	i=0
	while [ $i -lt "$count" ]; do
		ip netns del s$i
		i=$((i + 1))
	done
	# Namespaces are dismantled asynchronously, and their flows with them.
	# Unloading waits for that, and warns (failing the run) if any flow of
	# any namespace were left in the table.
	rmmod tcphs || fail "rmmod after the namespaces went"
	load_tcphs || fail "insmod"
	expect_eq "flows after reload" "$(proc_table "" | grep -vc '^id ')" 0
}

run_test syn-flood test_syn_flood
run_test module-cycles test_module_cycles
run_test namespaces test_namespaces
finish
