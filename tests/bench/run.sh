#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The tcphs benchmark, inside the test VM (scripts/bench.sh boots it). Every
# figure is a ratio against a baseline measured in this same run, printed as
# "name: value" lines and kept in /tmp/bench-results.txt.
#
# Environment: BENCH_MODE (deterministic: the guest's nanoseconds are
# instructions; wall: they are the host's), BENCH_CONNS (connections per
# rate run, default 1000), BENCH_ROUNDS (interleaved rounds, default 3),
# BENCH_WARMUP (rounds run first and not counted, default 1), BENCH_FLOWS (table fill,
# default 1000000), BENCH_IPERF_SECS (default 3), BENCH_REPEATS (timings of
# the per-packet cost, whose median counts, default 5).
. "$(dirname "$0")/../vm/lib.sh"

TOOLS=$TESTS_DIR/tools
MODES="none tcphs tcphs_reader tcphs_noowner tcphs_noports conntrack tpstates"
CONNS=${BENCH_CONNS:-1000}
ROUNDS=${BENCH_ROUNDS:-3}
WARMUP=${BENCH_WARMUP:-1}
MODE=${BENCH_MODE:-wall}
# What a guest nanosecond is.
UNIT=ns
[ "$MODE" != deterministic ] || UNIT=instructions
FLOWS=${BENCH_FLOWS:-1000000}
IPERF_SECS=${BENCH_IPERF_SECS:-3}
REPEATS=${BENCH_REPEATS:-5}
RESULTS=/tmp/bench-results.txt
: >$RESULTS

out() {
	echo "$1: $2" | tee -a $RESULTS
}

# ratio A B: A / B with three decimals.
ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { if (b == 0) print "nan"; else printf "%.3f\n", a / b }'
}

# verdict NAME VALUE OP TARGET: prints whether a figure meets its target.
verdict() {
	ok=$(awk -v v="$2" -v t="$4" -v op="$3" 'BEGIN {
		if (v == "nan") { print "n/a"; exit }
		if (op == ">=") print (v >= t) ? "met" : "MISSED";
		else print (v <= t) ? "met" : "MISSED" }')
	out "target $1" "$2 $3 $4: $ok"
}

median() {
	sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'
}

# figure NAME FILE [NOTE]: the median of the rounds in FILE as NAME, with
# the rounds themselves (and NOTE); the median stays in $r for a verdict.
figure() {
	r=$(median <"$2")
	out "$1" "$r (rounds: $(tr '\n' ' ' <"$2")${3:+; $3})"
}

# elapsed CMD...: run, print elapsed nanoseconds.
elapsed() {
	"$TOOLS/nstime" "$@" 2>&1 >/dev/null | awk '/^elapsed_ns/ { print $2 }'
}

tcphs_off() {
	rmmod tcphs 2>/dev/null
	return 0
}

tcphs_on() {
	tcphs_off
	insmod "$MODULE_KO" "$@"
}

CT_RULES='table inet bench {
	chain pre { type filter hook prerouting priority 0; ct state established,related,new accept; }
	chain out { type filter hook output priority 0; ct state established,related,new accept; }
}'

conntrack_on() {
	for ns in cli srv; do
		echo "$CT_RULES" | ip netns exec $ns nft -f - || return 1
	done
}

conntrack_off() {
	for ns in cli srv; do
		ip netns exec $ns nft delete table inet bench 2>/dev/null
	done
	return 0
}

# The listeners: tcphs's reader in both namespaces, or the tracepoint peer
# (tpstates, what BCC's tcpstates does), each writing its lines to a file.
LISTENERS=""
listeners_off() {
	[ -n "$LISTENERS" ] || return 0
	kill -INT $LISTENERS 2>/dev/null
	for p in $LISTENERS; do
		wait "$p" 2>/dev/null
	done
	LISTENERS=""
}

readers_on() {
	for ns in cli srv; do
		ip netns exec $ns tcphs events --json >/tmp/reader.$ns.out 2>/tmp/reader.$ns.err &
		LISTENERS="$LISTENERS $!"
		reader_ready $ns $! || return 1
	done
}

tpstates_on() {
	[ -d /sys/kernel/tracing/events ] || mount -t tracefs nodev /sys/kernel/tracing
	"$TESTS_DIR/bench/tpstates" >/tmp/tpstates.out 2>/tmp/tpstates.err &
	LISTENERS=$!
	for _ in $(seq 200); do
		grep -q attached /tmp/tpstates.err && return 0
		alive $LISTENERS || break
		sleep 0.05
	done
	cat /tmp/tpstates.err >&2
	return 1
}

# mode NAME: none, tcphs, tcphs_reader (tcphs with its reader listening in
# both namespaces), tcphs_noowner (owners=0: the cost of attribution),
# tcphs_noports (ports=0: the cost of the aggregates per port), conntrack,
# or tpstates (the tracepoint peer listening, tcphs unloaded).
mode() {
	listeners_off
	conntrack_off
	case $1 in
	none) tcphs_off ;;
	tcphs) tcphs_on ;;
	tcphs_reader) tcphs_on && readers_on ;;
	tpstates) tcphs_off && tpstates_on ;;
	tcphs_noowner) tcphs_on owners=0 ;;
	tcphs_noports) tcphs_on ports=0 ;;
	conntrack) tcphs_off && conntrack_on ;;
	esac
}

PORT=9000
conn_rate() {
	PORT=$((PORT + 1))
	in_ns srv "$TCPCONN" listen 10.0.0.2 $PORT --count "$CONNS" --timeout 600 >/tmp/srv.out &
	spid=$!
	sleep 0.3
	ns=$(in_ns cli "$TOOLS/nstime" "$TCPCONN" connect 10.0.0.2 $PORT --count "$CONNS" \
		--timeout 600 2>&1 >/dev/null | awk '/^elapsed_ns/ { print $2 }')
	wait $spid
	awk -v n="$CONNS" -v t="$ns" 'BEGIN { printf "%.1f\n", n / (t / 1e9) }'
}

throughput() {
	in_ns srv iperf3 -s -1 -B 10.0.0.2 >/dev/null 2>&1 &
	spid=$!
	sleep 0.5
	in_ns cli iperf3 -c 10.0.0.2 -t "$IPERF_SECS" -J 2>/dev/null |
		jq '.end.sum_received.bits_per_second / 1e6 | floor'
	wait $spid
}

bench_rates() {
	mk_ns cli
	mk_ns srv
	veth_pair cli srv
	modprobe nf_conntrack 2>/dev/null
	modprobe nft_ct 2>/dev/null
	# Rounds interleave the three ways, and each ratio is taken within a
	# round, so that the machine's drift cancels; the median of the
	# rounds is reported. The warm-up rounds (caches, the slabs' first
	# pages, conntrack's modules) only run the connections.
	for r in $(seq "$WARMUP"); do
		for m in $MODES; do
			mode $m && conn_rate >/dev/null
		done
	done
	for r in $(seq "$ROUNDS"); do
		for m in $MODES; do
			mode $m || { out "error" "mode $m failed"; continue; }
			eval "rate_$m=$(conn_rate)"
			echo "$(eval echo \$rate_$m)" >>/tmp/rate.$m
			case $m in tcphs_no* | tcphs_reader | tpstates) continue ;; esac
			eval "tput_$m=$(throughput)"
			echo "$(eval echo \$tput_$m)" >>/tmp/tput.$m
		done
		ratio "$rate_tcphs" "$rate_tcphs_noowner" >>/tmp/r.rate_owner
		ratio "$rate_tcphs" "$rate_tcphs_noports" >>/tmp/r.rate_ports
		ratio "$rate_tcphs" "$rate_none" >>/tmp/r.rate_tcphs
		ratio "$rate_conntrack" "$rate_none" >>/tmp/r.rate_conntrack
		ratio "$rate_tcphs" "$rate_conntrack" >>/tmp/r.rate_vs_ct
		ratio "$rate_tcphs_reader" "$rate_none" >>/tmp/r.rate_reader
		ratio "$rate_tpstates" "$rate_none" >>/tmp/r.rate_tpstates
		ratio "$rate_tcphs_reader" "$rate_conntrack" >>/tmp/r.rate_reader_vs_ct
		ratio "$rate_tcphs_reader" "$rate_tpstates" >>/tmp/r.rate_reader_vs_tps
		ratio "$tput_tcphs" "$tput_none" >>/tmp/r.tput_tcphs
		ratio "$tput_conntrack" "$tput_none" >>/tmp/r.tput_conntrack
	done
	listeners_off
	# What the listeners wrote in the last round: every transition.
	out reader_lines_last_round "$(cat /tmp/reader.cli.out /tmp/reader.srv.out | grep -c '"event"') events ($(cat /tmp/reader.cli.err /tmp/reader.srv.err | tr '\n' ' '))"
	out tpstates_lines_last_round "$(grep -c . /tmp/tpstates.out) transitions ($(cat /tmp/tpstates.err | tr '\n' ' '))"
	bench_profile
	mode none
	for m in none tcphs conntrack; do
		out "conn_rate_$m" "$(median </tmp/rate.$m) conn/s (rounds: $(tr '\n' ' ' </tmp/rate.$m))"
		out "throughput_$m" "$(median </tmp/tput.$m) Mbit/s (rounds: $(tr '\n' ' ' </tmp/tput.$m))"
	done
	figure conn_rate_ratio_tcphs /tmp/r.rate_tcphs
	verdict "conn_rate tcphs/baseline" "$r" ">=" 0.95
	out conn_rate_ratio_conntrack "$(median </tmp/r.rate_conntrack)"
	out conn_rate_tcphs_reader "$(median </tmp/rate.tcphs_reader) conn/s (rounds: $(tr '\n' ' ' </tmp/rate.tcphs_reader))"
	out conn_rate_tpstates "$(median </tmp/rate.tpstates) conn/s (rounds: $(tr '\n' ' ' </tmp/rate.tpstates))"
	figure conn_rate_ratio_tcphs_reader /tmp/r.rate_reader "tcphs with its reader writing JSON lines"
	verdict "conn_rate tcphs+reader/baseline" "$r" ">=" 0.95
	out conn_rate_ratio_tpstates "$(median </tmp/r.rate_tpstates) (the tracepoint peer writing its lines)"
	figure conn_rate_tcphs_reader_over_conntrack /tmp/r.rate_reader_vs_ct
	verdict "conn_rate tcphs+reader/conntrack" "$r" ">=" 1.10
	figure conn_rate_tcphs_reader_over_tpstates /tmp/r.rate_reader_vs_tps
	verdict "conn_rate tcphs+reader/tpstates" "$r" ">=" 1.0
	figure conn_rate_owners_on_over_off /tmp/r.rate_owner "the cost of attribution"
	out conn_rate_tcphs_noowner "$(median </tmp/rate.tcphs_noowner) conn/s"
	figure conn_rate_ports_on_over_off /tmp/r.rate_ports "the cost of the aggregates per port"
	out conn_rate_tcphs_noports "$(median </tmp/rate.tcphs_noports) conn/s"
	figure conn_rate_tcphs_over_conntrack /tmp/r.rate_vs_ct
	verdict "conn_rate tcphs/conntrack" "$r" ">=" 1.0
	figure throughput_ratio_tcphs /tmp/r.tput_tcphs
	verdict "throughput tcphs/baseline" "$r" ">=" 0.99
	out throughput_ratio_conntrack "$(median </tmp/r.tput_conntrack)"
	cleanup_ns
}

# flood ARGS: synflood from the flood namespace; prints elapsed ns.
flood() {
	in_ns flood "$TOOLS/synflood" 10.9.0.1 10.200.0.1 "$@" |
		awk '{ print $5 }'
}

# flood_median ARGS: the median of $REPEATS floods.
flood_median() {
	for _ in $(seq "$REPEATS"); do
		flood "$@"
	done | median
}

bench_scale() {
	mk_ns flood
	ip -n flood link add d0 type dummy
	ip -n flood link set d0 up
	ip -n flood addr add 10.9.0.1/16 dev d0
	ip -n flood route add 10.200.0.0/16 dev d0
	# The flood runs in a namespace of its own: give it the whole table.
	table_cap=$((FLOWS + FLOWS / 10))
	params="max_flows=$table_cap netns_max_flows=$table_cap netns_flows_total=$table_cap timeout_syn=3600"
	hits=200000

	# The cost of a new flow: SYNs of new tuples into an empty table, with
	# tcphs and without (the median of $REPEATS, each from a fresh load).
	n_new=100000
	tcphs_off
	b_new=$(flood_median $n_new)
	t_new=$(for _ in $(seq "$REPEATS"); do
		tcphs_on $params
		flood $n_new
	done | median)
	out new_flow_cost "$(awk -v a="$t_new" -v b="$b_new" -v n=$n_new \
		'BEGIN { printf "%.1f", (a - b) / n }') $UNIT/flow (a SYN of a new tuple, tcphs minus baseline)"

	# The cost of one packet of a known flow, at 1K flows and at $FLOWS:
	# ACKs of existing half-open flows (looked up, taken through the state
	# machine, no event), minus the same segments sent without tcphs.
	# Each timing is the median of $REPEATS.
	tcphs_off
	base_1k=$(flood_median 1000 --passes $((hits / 1000)) --flags A)
	base_big=$(flood_median $hits --flags A)
	tcphs_on $params
	flood 1000 >/dev/null
	t_1k=$(flood_median 1000 --passes $((hits / 1000)) --flags A)
	tcphs_on $params
	fill=$(flood "$FLOWS")
	flows=$(ip netns exec flood sh -c 'wc -l </proc/tcphs')
	flows=$((flows - 1))
	t_big=$(flood_median $hits --flags A)
	out table_flows "$flows"
	out fill_rate "$(awk -v n="$FLOWS" -v t="$fill" 'BEGIN { printf "%.0f", n / (t / 1e9) }') new flows/s"
	c1=$(awk -v a="$t_1k" -v b="$base_1k" -v n=$hits 'BEGIN { printf "%.1f", (a - b) / n }')
	c2=$(awk -v a="$t_big" -v b="$base_big" -v n=$hits 'BEGIN { printf "%.1f", (a - b) / n }')
	out lookup_cost_1k "$c1 $UNIT/packet (tcphs minus baseline)"
	out lookup_cost_${FLOWS} "$c2 $UNIT/packet (tcphs minus baseline)"
	r=$(ratio "$c2" "$c1")
	out lookup_cost_ratio "$r"
	verdict "lookup cost ${FLOWS}/1K" "$r" "<=" 1.5

	# Memory: the slab object, what the slab spends per object, and the
	# share of the hash table. The caches are read through sysfs, which
	# names them even when SLUB merged one with a cache of the same size
	# (/proc/slabinfo then shows only the other name).
	buckets=$(dmesg | sed -n 's/.*tcphs: tracking TCP handshakes: \([0-9]*\) buckets.*/\1/p' | tail -n1)
	for c in tcphs_flow tcphs_flow6 tcphs_flow_owned tcphs_flow6_owned; do
		d=/sys/kernel/slab/$c
		objsize=$(cat $d/object_size)
		per_obj=$(awk -v s="$((4096 << $(cat $d/order)))" -v n="$(cat $d/objs_per_slab)" \
			'BEGIN { printf "%.1f", s / n }')
		out ${c}_object_size "$objsize bytes"
		out ${c}_slab_bytes "$per_obj bytes per object (slab pages / objects per slab)"
		# The flood's flows have no owner; the owned caches are for the
		# flows of local sockets.
		case $c in *_owned) continue ;; esac
		out ${c}_memory_per_flow "$(awk -v s="$per_obj" -v b="$buckets" -v f="$flows" \
			'BEGIN { printf "%.1f", s + b * 8 / f }') bytes (slab + buckets / flows)"
		[ $c = tcphs_flow ] && verdict "bytes per IPv4 flow (object)" "$objsize" "<=" 128
	done

	# Reading the whole table, and the packet path meanwhile.
	t=$(ip netns exec flood "$TOOLS/nstime" cat /proc/tcphs 2>&1 >/dev/null | awk '{ print $2 }')
	out proc_read_${FLOWS} "$(awk -v t="$t" 'BEGIN { printf "%.2f", t / 1e9 }') s"
	t=$(ip netns exec flood "$TOOLS/nstime" tcphs list 2>&1 >/dev/null | awk '/^elapsed_ns/ { print $2 }')
	out netlink_dump_${FLOWS} "$(awk -v t="$t" 'BEGIN { printf "%.2f", t / 1e9 }') s"
	ip netns exec flood sh -c 'while :; do cat /proc/tcphs >/dev/null; done' &
	reader=$!
	t_dump=$(flood $hits --flags A)
	kill $reader
	wait $reader 2>/dev/null
	out packet_path_during_proc_read "$(ratio "$t_big" "$t_dump") (rate during reads / rate alone)"
	tcphs_off
	cleanup_ns
}

bench_events() {
	mk_ns flood
	ip -n flood link add d0 type dummy
	ip -n flood link set d0 up
	ip -n flood addr add 10.9.0.1/16 dev d0
	ip -n flood route add 10.200.0.0/16 dev d0
	tcphs_on max_flows=300000 netns_max_flows=300000 netns_flows_total=300000 timeout_syn=3600
	for n in 10000 100000; do
		for buf in 8M 64K; do
			ip netns exec flood tcphs events --json --rcvbuf $buf >/dev/null 2>/tmp/ev.err &
			rd=$!
			sleep 0.5
			before=$(ip netns exec flood tcphs stats --json | jq '.events + .event_drop')
			t=$(flood $n --seq $n)
			after=$(ip netns exec flood tcphs stats --json | jq '.events + .event_drop')
			sleep 1
			kill -INT $rd
			wait $rd 2>/dev/null
			got=$(sed -n 's/.*received \([0-9]*\) events, lost \([0-9]*\).*/\1/p' /tmp/ev.err)
			lost=$(sed -n 's/.*received \([0-9]*\) events, lost \([0-9]*\).*/\2/p' /tmp/ev.err)
			gen=$((after - before))
			out "events_${n}_rcvbuf_$buf" "generated $gen at $(awk -v n="$n" -v t="$t" 'BEGIN { printf "%.0f", n / (t / 1e9) }')/s, received $got, lost $lost, accounted $((got + lost == gen ? 1 : 0))"
			ip netns exec flood tcphs flush >/dev/null
		done
	done
	tcphs_off
	cleanup_ns
}

# Where the time goes while tcphs tracks short connections: a perf profile
# of a connection-rate run, the share of samples in tcphs.ko's own code,
# of all and of the busy ones, and its busiest functions.
# Runs in bench_rates' namespaces.
bench_profile() {
	command -v perf >/dev/null || { out profile "skipped: no perf in the VM"; return; }
	mode tcphs
	echo 0 >/proc/sys/kernel/kptr_restrict
	echo -1 >/proc/sys/kernel/perf_event_paranoid
	perf record -a -F 2000 -o /tmp/perf.data >/dev/null 2>&1 &
	perf=$!
	sleep 0.5
	conn_rate >/dev/null
	kill -INT $perf
	wait $perf
	# perf sees no module files here and files every kernel sample under
	# [kernel.kallsyms]: tcphs.ko's functions are told by /proc/kallsyms.
	awk '$4 == "[tcphs]" { print $3 }' /proc/kallsyms >/tmp/tcphs.syms
	perf report -i /tmp/perf.data --no-children --sort sym --stdio 2>/dev/null |
		awk '/%/ { sub("%", "", $1); print $1, $NF }' >/tmp/perf.txt
	idle=$(awk '$2 ~ /^(native_safe_halt|default_idle|cpu_idle_poll)$/ { s += $1 }
		END { printf "%.2f", s }' /tmp/perf.txt)
	awk 'NR == FNR { mine[$1] = 1; next } $2 in mine' /tmp/tcphs.syms /tmp/perf.txt >/tmp/perf.mine
	mod=$(awk '{ s += $1 } END { printf "%.2f", s }' /tmp/perf.mine)
	out profile_tcphs "$mod% of samples in tcphs.ko, $(awk -v m="$mod" -v i="$idle" \
		'BEGIN { printf "%.2f", m * 100 / (100 - i) }')% of the busy ones ($idle% idle)"
	out profile_tcphs_top "$(head -n 5 /tmp/perf.mine | awk '{ printf "%s %s%%  ", $2, $1 }')"
}

echo "### tcphs benchmark: $(nproc) CPUs, $(awk '/MemTotal/ { print $2 }' /proc/meminfo) kB, mode $MODE"
case $MODE in
deterministic) out clock "instructions: 1 ns of guest time is 1 instruction executed (QEMU -icount shift=0)" ;;
*) out clock "wall: the host's time, as TCG runs the guest" ;;
esac
bench_rates
bench_scale
bench_events
tcphs_on
echo "### results"
cat $RESULTS
