#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What a local user without privilege can do to tcphs: read its events
# (only where the kernel lets the module keep them to CAP_NET_ADMIN, and
# then only its own namespace's), load it (never), blind it by filling the
# table from a namespace of its own (never the initial namespace), make it
# work by sending invalid segments (a bounded number of events).
. "$(dirname "$0")/lib.sh"

TOOLS=$TESTS_DIR/tools
PKTCRAFT=$TOOLS/pktcraft
# Where nobody writes.
NB=/tmp/nobody
MAC_INJ=02:00:00:00:00:01
MAC_OBS=02:00:00:00:00:02

# reload PARAM...: the module with exactly PARAMs, not the run's.
reload_exactly() {
	rmmod tcphs 2>/dev/null
	insmod "$MODULE_KO" "$@" || fail "insmod $*"
}

reload() {
	rmmod tcphs 2>/dev/null
	load_tcphs "$@" || fail "insmod $*"
}

# A user namespace for nobody: Debian's 5.10 asks for this first.
allow_userns() {
	[ -w /proc/sys/kernel/unprivileged_userns_clone ] &&
		echo 1 >/proc/sys/kernel/unprivileged_userns_clone
	mkdir -p $NB && chown nobody $NB
	modprobe veth 2>/dev/null
	modprobe dummy 2>/dev/null
	as_nobody unshare -Urn true && return
	fail "nobody cannot make a user namespace"
	return 1
}

# The events group, the dump and the flush as the kernel allows them.
test_events_group() {
	case $MCAST_CAP in
	0 | 1) ;;
	*) fail "the run says nothing of the kernel's group capability (/tcphs/kernel-facts)"; return ;;
	esac
	dmesg -c >/dev/null
	reload_exactly
	log "kernel checks the group's capability: $MCAST_CAP; the group is $(events_access)"
	if [ "$MCAST_CAP" = 1 ]; then
		expect_eq "access as loaded" "$(events_access)" closed
		out=$("$TOOLS/genlfamily" tcphs)
		expect_match "the family and its group" "$out" '^tcphs id [0-9]+ groups 1$'
		dmesg | grep -q 'cannot restrict' && fail "notice on a kernel that can restrict"
	else
		expect_eq "access as loaded" "$(events_access)" absent
		out=$("$TOOLS/genlfamily" tcphs)
		expect_match "the family without a group" "$out" '^tcphs id [0-9]+ groups 0$'
		dmesg | grep -q 'tcphs: this kernel cannot restrict the "events" group' ||
			fail "no notice of the missing group: $(dmesg | grep tcphs)"
		out=$(tcphs events --timeout 1 2>&1)
		rc=$?
		[ $rc != 0 ] || fail "events succeeded without a group"
		expect_match "root's events message" "$out" 'no "events" multicast group.*unsafe_unrestricted_events=1'
	fi
	out=$(as_nobody "$TOOLS/nlbad" --unpriv --events "$(events_access)" 2>&1)
	expect_eq "nlbad as nobody, module as loaded" "$?" 0
	echo "$out" | grep '^not ok' | sed 's/^/    | /'

	# The unsafe parameter: where the kernel can restrict, it changes
	# nothing; where it cannot, nobody joins, which is why the group
	# stays away without it.
	dmesg -c >/dev/null
	reload_exactly unsafe_unrestricted_events=1
	if [ "$MCAST_CAP" = 1 ]; then
		expect_eq "access with the unsafe parameter" "$(events_access)" closed
	else
		expect_eq "access with the unsafe parameter" "$(events_access)" open
		dmesg | grep -q 'tcphs: unsafe_unrestricted_events: any local user' ||
			fail "no warning for the unsafe parameter"
	fi
	out=$(as_nobody "$TOOLS/nlbad" --unpriv --events "$(events_access)" 2>&1)
	expect_eq "nlbad as nobody, unsafe parameter" "$?" 0
	echo "$out" | grep '^not ok' | sed 's/^/    | /'
	reload
}

# The root of a user namespace reads the events of its own network
# namespace, and none of the initial one's.
test_userns_reads_only_its_own() {
	[ "$(events_access)" = absent ] && { log "no events group on this kernel"; return; }
	allow_userns || return
	serve "" 127.0.0.1 8601 --count 100 --timeout 60 || return
	host_server=$SERVER_PID
	cat >$NB/own-events.sh <<-EOF
		ip link set lo up
		tcphs events --json --timeout 20 >$NB/own-events.json 2>$NB/own-events.err &
		rd=\$!
		sleep 2
		$TCPCONN listen 127.0.0.1 8602 --count 1 --timeout 20 >/dev/null &
		sleep 0.5
		$TCPCONN connect 127.0.0.1 8602 >/dev/null
		sleep 1
		kill -INT \$rd
		wait \$rd
	EOF
	as_nobody unshare -Urn sh $NB/own-events.sh &
	job=$!
	# Meanwhile, connections in the initial namespace.
	i=0
	while [ $i -lt 10 ]; do
		"$TCPCONN" connect 127.0.0.1 8601 >/dev/null 2>&1
		sleep 0.3
		i=$((i + 1))
	done
	wait $job
	kill "$host_server" 2>/dev/null
	log "reader: $(cat $NB/own-events.err 2>/dev/null)"
	expect_eq "events of its own connection" \
		"$(jq -c 'select(.dport == 8602)' $NB/own-events.json | grep -c .)" 7
	expect_eq "events of the initial namespace's" \
		"$(jq -c 'select(.dport == 8601 or .sport == 8601)' $NB/own-events.json | grep -c .)" 0
}

# Asking the controller for the family does not load the module.
test_no_autoload() {
	kver=$(uname -r)
	extra=/lib/modules/$kver/extra
	if modinfo -F alias "$MODULE_KO" | grep -q 'family-tcphs'; then
		fail "tcphs.ko has a generic netlink family alias"
	fi
	rmmod tcphs || { fail "rmmod"; return; }
	mkdir -p "$extra" && cp "$MODULE_KO" "$extra/tcphs.ko" && depmod -a ||
		{ fail "installing tcphs.ko in $extra"; return; }
	# The control: where a module of the image has a family alias, asking
	# as nobody loads it, so the kernel's module requests work here.
	if [ -n "$(find "/lib/modules/$kver/" -name 'wireguard.ko*' 2>/dev/null)" ] &&
		! lsmod | grep -q '^wireguard '; then
		out=$(as_nobody "$TOOLS/genlfamily" wireguard)
		expect_match "wireguard, asked for by nobody" "$out" '^wireguard id [0-9]+'
		lsmod | grep -q '^wireguard ' || fail "wireguard was not loaded by its alias"
		rmmod wireguard 2>/dev/null
	else
		log "no module with a family alias in this image: no control"
	fi
	out=$(as_nobody "$TOOLS/genlfamily" tcphs)
	expect_eq "tcphs, asked for by nobody" "$out" "tcphs absent"
	out=$(as_nobody tcphs stats 2>&1)
	[ $? != 0 ] || fail "stats succeeded without the module"
	log "stats: $out"
	out=$("$TOOLS/genlfamily" tcphs)
	expect_eq "tcphs, asked for by root" "$out" "tcphs absent"
	lsmod | grep -q '^tcphs ' && fail "tcphs was loaded"
	if modprobe net-pf-16-proto-16-family-tcphs 2>/dev/null; then
		fail "modprobe found tcphs by a family alias"
	fi
	lsmod | grep -q '^tcphs ' && fail "tcphs was loaded by its family alias"
	# The index has the module: it is found by its name.
	modprobe tcphs || fail "modprobe tcphs (by name)"
	lsmod | grep -q '^tcphs ' || fail "modprobe tcphs did not load it"
	rmmod tcphs
	rm -f "$extra/tcphs.ko"
	depmod -a
	load_tcphs || fail "insmod"
}

# fill_userns TAG: as nobody, in a user and network namespace of its own,
# hold 40 connections and send 3000 SYNs from random sources and 30 whole
# handshakes crafted on a veth pair; prints the namespace's counters.
fill_userns() {
	cat >$NB/fill-$1.sh <<-EOF
		set -u
		ip link set lo up
		ip link add d0 type dummy && ip link set d0 up &&
			ip addr add 10.9.0.1/16 dev d0 && ip route add 10.200.0.0/16 dev d0 ||
			echo "fill: no dummy device"
		ip link add va address $MAC_INJ type veth peer name vb address $MAC_OBS &&
			ip link set va up && ip link set vb up || echo "fill: no veth pair"
		echo 0 >/proc/sys/net/ipv4/ip_forward
		$TCPCONN listen 127.0.0.1 8610 --count 40 --timeout 600 >/dev/null &
		srv=\$!
		sleep 0.5
		$TCPCONN connect 127.0.0.1 8610 --count 40 --parallel --hold 600000 --timeout 600 \
			>$NB/fill-$1.held 2>&1 &
		cli=\$!
		sleep 3
		i=0
		while [ \$i -lt 30 ]; do
			printf 'client 192.0.2.%d 4%04d\nserver 198.51.100.2 80\nx 1000\ny 2000\n%s\n%s\n%s\n' \
				\$((i % 200 + 1)) \$i 'c>s S x -' 's>c SA y x+1' 'c>s A x+1 y+1' >$NB/fill-$1.scn
			$PKTCRAFT -i va -d $MAC_OBS -g 0 $NB/fill-$1.scn >/dev/null || echo "fill: pktcraft"
			i=\$((i + 1))
		done
		$TOOLS/synflood 10.9.0.1 10.200.0.1 3000 --random-src >/dev/null || echo "fill: synflood"
		echo "limit \$(cat /proc/sys/net/tcphs/max_flows) count \$(cat /proc/sys/net/tcphs/count)"
		echo "lines \$(grep -c . /proc/tcphs)"
		echo stat-begin
		cat /proc/net/stat/tcphs
		echo stat-end
		echo done >$NB/fill-$1.done
		# Hold it all until the test is done with it.
		while [ ! -e $NB/stop ]; do sleep 0.2; done
		kill \$srv \$cli
	EOF
	rm -f $NB/fill-"$1".done $NB/stop
	as_nobody unshare -Urn sh $NB/fill-"$1".sh >/tmp/fill-"$1".out 2>&1 &
	FILL_PID=$!
	wait_for 240 test -e $NB/fill-"$1".done || fail "the fill of $1 did not end"
}

# Whatever nobody still runs, in whichever namespace.
stop_nobody() {
	touch $NB/stop
	sleep 1
	pkill -u nobody 2>/dev/null
	sleep 0.2
	pkill -9 -u nobody 2>/dev/null
}

# sum_col COLUMN: a column of the /proc/net/stat/tcphs copy between
# stat-begin and stat-end in stdin, summed over CPUs.
sum_col() {
	sed -n '/^stat-begin$/,/^stat-end$/p' | sed '1d;$d' | awk -v name="$1" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
		{ print $col }' | while read -r v; do printf '%d\n' "0x$v"; done |
		awk '{ s += $1 } END { print s + 0 }'
}

# Two user namespaces fill what they may; the initial one keeps its flows
# and tracks a new connection.
test_userns_cannot_blind() {
	allow_userns || return
	reload max_flows=400 timeout_syn=3600
	serve "" 127.0.0.1 8620 --count 6 --timeout 600 || return
	host_server=$SERVER_PID
	"$TCPCONN" connect 127.0.0.1 8620 --count 5 --parallel --hold 600000 --timeout 600 \
		>/tmp/host-held.out 2>&1 &
	host_held=$!
	wait_for 20 grep -q open /tmp/host-held.out || fail "the host's connections did not open"
	before=$(proc_table "" | awk '$4 == "127.0.0.1:8620" && $5 == "ESTABLISHED" { print $1 }' |
		sort | tr '\n' ' ')
	expect_eq "host flows before" "$(echo "$before" | wc -w)" 5

	fill_userns a
	pid_a=$FILL_PID
	fill_userns b
	pid_b=$FILL_PID
	for t in a b; do
		sed 's/^/    '$t' | /' /tmp/fill-$t.out | head -n 4
		grep '^fill:' /tmp/fill-$t.out && fail "the fill of $t did not run as written"
		lim=$(sed -n 's/^limit \([0-9]*\) count \([0-9]*\)$/\1/p' /tmp/fill-$t.out)
		cnt=$(sed -n 's/^limit \([0-9]*\) count \([0-9]*\)$/\2/p' /tmp/fill-$t.out)
		expect_eq "limit of namespace $t (max_flows / 4)" "$lim" 100
		[ -n "$cnt" ] && [ "$cnt" -le 100 ] || fail "namespace $t holds $cnt flows, above 100"
		expect_eq "lines of namespace $t's /proc/tcphs, read by its root" \
			"$(sed -n 's/^lines //p' /tmp/fill-$t.out)" $((cnt + 1))
		full=$(sum_col table_full </tmp/fill-$t.out)
		evicted=$(sum_col evicted </tmp/fill-$t.out)
		log "namespace $t: $cnt flows, table_full $full, evicted $evicted"
		[ "$evicted" -gt 0 ] || fail "namespace $t evicted none of its own"
	done
	expect_eq "namespace a's held connections open" "$(grep -c open $NB/fill-a.held)" 1

	# The initial namespace: its flows stay, a new one is tracked.
	after=$(proc_table "" | awk '$4 == "127.0.0.1:8620" && $5 == "ESTABLISHED" { print $1 }' |
		sort | tr '\n' ' ')
	expect_eq "host flows after" "$after" "$before"
	port=$("$TCPCONN" connect 127.0.0.1 8620 | sed -n 's/^local 127.0.0.1 //p')
	[ -n "$port" ] || fail "no new host connection"
	expect_eq "the new host connection" \
		"$(proc_table "" | awk -v o="127.0.0.1:$port" '$3 == o && $4 == "127.0.0.1:8620" { print $5 }')" \
		TIME_WAIT
	expect_eq "host table_full" "$(stat_sum "" table_full)" 0
	expect_eq "host evicted" "$(stat_sum "" evicted)" 0
	expect_eq "host net.tcphs.max_flows" "$(cat /proc/sys/net/tcphs/max_flows)" 400

	# The namespaces' roots may lower their limit, not raise it; the host's
	# root may; the count is read-only.
	pa=$(pgrep -n -f "^sh $NB/fill-a.sh")
	if [ -z "$pa" ]; then
		fail "no fill process for a"
		stop_nobody
		kill "$host_held" "$host_server" 2>/dev/null
		return
	fi
	as_nobody "nsenter --preserve-credentials -t $pa -U -n sh -c 'echo 50 >/proc/sys/net/tcphs/max_flows'" ||
		fail "namespace a's root could not lower its limit"
	expect_eq "namespace a's limit lowered" \
		"$(nsenter -t "$pa" -n cat /proc/sys/net/tcphs/max_flows)" 50
	if as_nobody "nsenter --preserve-credentials -t $pa -U -n sh -c 'echo 200 >/proc/sys/net/tcphs/max_flows'" 2>/dev/null; then
		fail "namespace a's root raised its limit"
	fi
	expect_eq "namespace a's limit after a raise was refused" \
		"$(nsenter -t "$pa" -n cat /proc/sys/net/tcphs/max_flows)" 50
	if as_nobody "nsenter --preserve-credentials -t $pa -U -n sh -c 'echo 1 >/proc/sys/net/tcphs/count'" 2>/dev/null; then
		fail "namespace a's root wrote its count"
	fi
	nsenter -t "$pa" -n sh -c 'echo 300 >/proc/sys/net/tcphs/max_flows' ||
		fail "the host's root could not raise namespace a's limit"
	expect_eq "namespace a's limit raised by the host" \
		"$(nsenter -t "$pa" -n cat /proc/sys/net/tcphs/max_flows)" 300
	for bad in 0 -1 abc 16777217; do
		if nsenter -t "$pa" -n sh -c "echo $bad >/proc/sys/net/tcphs/max_flows" 2>/dev/null; then
			fail "net.tcphs.max_flows accepted $bad"
		fi
	done

	stop_nobody
	kill "$host_held" "$host_server" 2>/dev/null
	wait "$pid_a" "$pid_b" "$host_held" "$host_server" 2>/dev/null
	reload
}

# A flood of invalid segments: events at the rate allowed, the rest
# counted, exactly.
test_invalid_flood() {
	rate=20
	n=1500
	reload invalid_events=$rate event_ring=4096
	mk_ns inj
	mk_ns obs
	ip link add va netns inj address $MAC_INJ type veth peer name vb netns obs address $MAC_OBS
	ip -n inj link set va up
	ip -n obs link set vb up
	# The handshake, then files of 250 resets far out of the window
	# (INVALID, every one): pktcraft sends at most 256 segments a file.
	head='client 192.0.2.1 40100\nserver 198.51.100.2 80\nx 1000\ny 2000\n'
	printf "$head"'c>s S x -\ns>c SA y x+1\nc>s A x+1 y+1\n' >/tmp/flood-0.scn
	files=/tmp/flood-0.scn
	i=0
	while [ $i -lt $n ]; do
		f=/tmp/flood-$((i / 250 + 1)).scn
		[ $((i % 250)) = 0 ] && { printf "$head" >$f; files="$files $f"; }
		echo "s>c R y+$((1000000 + i)) -" >>$f
		i=$((i + 1))
	done
	reading=1
	[ "$(events_access)" = absent ] && reading=0
	if [ $reading = 1 ]; then
		ip netns exec obs tcphs events --json >/tmp/flood.json 2>/tmp/flood.err &
		rd=$!
		reader_ready obs $rd || fail "the reader did not start: $(cat /tmp/flood.err)"
	fi
	t0=$(date +%s)
	for f in $files; do
		in_ns inj "$PKTCRAFT" -i va -d $MAC_OBS -g 0 "$f" || fail "pktcraft $f"
	done
	t1=$(date +%s)
	sleep 1
	invalid=$(stat_sum obs invalid)
	suppressed=$(stat_sum obs event_suppressed)
	ring=$(in_ns obs cat /proc/net/tcphs_events | awk '$8 == "INVALID"' | grep -c .)
	got=$ring
	if [ $reading = 1 ]; then
		kill -INT $rd
		wait $rd
		got=$(jq -c 'select(.event == "INVALID")' /tmp/flood.json | grep -c .)
		log "reader: $(cat /tmp/flood.err)"
		grep -q 'lost 0$' /tmp/flood.err || fail "the reader lost events: $(cat /tmp/flood.err)"
		expect_eq "INVALID events in the ring" "$ring" "$got"
	fi
	log "$n invalid segments in $((t1 - t0)) s: invalid $invalid, events $got, suppressed $suppressed"
	expect_eq "invalid segments counted" "$invalid" "$n"
	expect_eq "invalid = events + suppressed" "$((got + suppressed))" "$invalid"
	# Each second (of jiffies) lets $rate through: the seconds the flood
	# touched, plus one where it began.
	most=$((rate * (t1 - t0 + 2)))
	[ "$got" -ge "$rate" ] || fail "only $got INVALID events, want at least $rate"
	[ "$got" -le "$most" ] || fail "$got INVALID events, above $most"
	expect_eq "the flow's state" "$(proc_table obs | awk '$3 == "192.0.2.1:40100" { print $5 }')" \
		ESTABLISHED
	reload
}

run_test events_group test_events_group
run_test userns_reads_only_its_own test_userns_reads_only_its_own
run_test no_autoload test_no_autoload
run_test userns_cannot_blind test_userns_cannot_blind
run_test invalid_flood test_invalid_flood
finish
