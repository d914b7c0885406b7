#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The aggregates per responder port: a scripted mix of connections gives
# exactly the expected counts per port in /proc/net/tcphs_ports and in
# tcphs metrics (Prometheus text, histograms cumulative and adding up to
# the handshakes seen), tcphs top shows the ports, the ports that find no
# place are counted together, and an unprivileged user reads nothing.
. "$(dirname "$0")/lib.sh"

P=/sys/module/tcphs/parameters

# port_line NS PORT: the /proc/net/tcphs_ports line of PORT.
port_line() {
	in_ns "$1" cat /proc/net/tcphs_ports | awk -v p="$2" '$1 == p'
}

# port_field NS PORT NAME: a column of it, by the header's names.
port_field() {
	in_ns "$1" cat /proc/net/tcphs_ports | awk -v p="$2" -v n="$3" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == n) c = i; next }
		$1 == p { print $c }'
}

# hist_sum NS PORT NAME: the sum of a histogram column's buckets.
hist_sum() {
	port_field "$1" "$2" "$3" | tr ',' '\n' | awk '{ s += $1 } END { print s + 0 }'
}

# The mix: on 7101 three completed flows, on 7102 two refused, on 7103 a
# server's reset after data, on 7104 a client's.
mix() {
	local i

	mk_ns pa
	mk_ns pb
	veth_pair pa pb
	serve pb 10.0.0.2 7101 --count 3 || return 1
	for i in 1 2 3; do
		in_ns pa "$TCPCONN" connect 10.0.0.2 7101 >/dev/null || fail "7101 connect $i"
	done
	in_ns pa "$TCPCONN" connect 10.0.0.2 7102 >/dev/null 2>&1
	in_ns pa "$TCPCONN" connect 10.0.0.2 7102 >/dev/null 2>&1
	serve pb 10.0.0.2 7103 --reply 50 --server-first --rst || return 1
	in_ns pa "$TCPCONN" connect 10.0.0.2 7103 --server-first >/dev/null 2>&1
	serve pb 10.0.0.2 7104 --reply 50 || return 1
	in_ns pa "$TCPCONN" connect 10.0.0.2 7104 --rst >/dev/null 2>&1
	wait_for 5 sh -c "[ \"\$(ip netns exec pa cat /proc/net/tcphs_ports |
		awk '\$1 == 7104 { print \$7 }')\" = 1 ]"
}

counts_per_port() {
	local ns want p w

	mix || return
	for ns in pa pb; do
		for w in 7101:new=3,completed=3,refused=0,rtx_syn=0 \
			7102:new=2,refused=2,completed=0 \
			7103:new=1,reset_reply=1,reset_orig=0 \
			7104:new=1,reset_orig=1,reset_reply=0; do
			p=${w%%:*}
			for want in $(echo "${w#*:}" | tr ',' ' '); do
				expect_eq "$ns: port $p ${want%%=*}" \
					"$(port_field $ns "$p" "${want%%=*}")" "${want#*=}"
			done
		done
		# Both halves of each completed handshake, none for the refused.
		expect_eq "$ns: 7101 SYN to SYN-ACK latencies" "$(hist_sum $ns 7101 syn_synack_hist)" 3
		expect_eq "$ns: 7101 SYN-ACK to ACK latencies" "$(hist_sum $ns 7101 synack_ack_hist)" 3
		expect_eq "$ns: 7102 latencies" "$(hist_sum $ns 7102 syn_synack_hist)" 0
		expect_eq "$ns: 7103 latencies" "$(hist_sum $ns 7103 synack_ack_hist)" 1
		expect_match "$ns: 7101 sum of the latencies" "$(port_field $ns 7101 syn_synack_sum_ns)" \
			'^[1-9][0-9]*$'
	done
	# The server side counts the same flows: it saw them at PRE_ROUTING.
	expect_eq "the table's new flows, all counted" \
		"$(in_ns pa cat /proc/net/tcphs_ports | awk 'NR > 1 { s += $2 } END { print s }')" \
		"$(stat_sum pa new)"
}

# metrics_check FILE: every histogram cumulative, +Inf equal to its count.
metrics_check() {
	awk '
		/^#/ { next }
		/_bucket\{/ {
			key = $1; sub(/,le="[^"]*"\}/, "}", key); sub(/_bucket/, "", key)
			if (key == last && $2 < prev) { print "not cumulative: " $0; bad = 1 }
			if ($1 ~ /le="\+Inf"/) inf[key] = $2
			last = key; prev = $2; next
		}
		/_count\{/ { key = $1; sub(/_count/, "", key); cnt[key] = $2 }
		END {
			for (k in cnt) if (inf[k] != cnt[k]) { print "count " k; bad = 1 }
			for (k in inf) if (!(k in cnt)) { print "no count " k; bad = 1 }
			exit bad
		}' "$1"
}

metrics_and_top() {
	local out

	mix || return
	in_ns pa tcphs metrics >/tmp/m.prom
	expect_eq "metrics: exit status" "$?" 0
	expect_eq "metrics: 7101 completed" \
		"$(grep '^tcphs_port_outcomes_total{port="7101",outcome="completed"} ' /tmp/m.prom | cut -d' ' -f2)" 3
	expect_eq "metrics: 7102 refused" \
		"$(grep '^tcphs_port_outcomes_total{port="7102",outcome="refused"} ' /tmp/m.prom | cut -d' ' -f2)" 2
	expect_eq "metrics: 7101 handshakes" \
		"$(grep '^tcphs_port_syn_synack_seconds_count{port="7101"} ' /tmp/m.prom | cut -d' ' -f2)" 3
	expect_eq "metrics: the new counter" \
		"$(grep '^tcphs_new_total ' /tmp/m.prom | cut -d' ' -f2)" "$(stat_sum pa new)"
	expect_match "metrics: flows by state" "$(grep '^tcphs_flows_by_state{state="TIME_WAIT"} ' /tmp/m.prom)" \
		' [1-9][0-9]*$'
	out=$(metrics_check /tmp/m.prom) || fail "metrics histograms: $out"
	expect_eq "metrics: every family typed" \
		"$(grep -c '^# TYPE ' /tmp/m.prom)" "$(grep -c '^# HELP ' /tmp/m.prom)"
	# For node_exporter: one file, written whole.
	mkdir -p /tmp/tf
	in_ns pa tcphs metrics --textfile /tmp/tf
	expect_eq "textfile: exit status" "$?" 0
	expect_eq "textfile: the file" "$(ls -A /tmp/tf)" tcphs.prom
	expect_eq "textfile: its contents" "$(grep -c '^tcphs_port_flows_total' /tmp/tf/tcphs.prom)" \
		"$(grep -c '^tcphs_port_flows_total' /tmp/m.prom)"
	in_ns pa tcphs metrics --textfile /nonexistent 2>/tmp/tf.err
	expect_eq "textfile: a missing directory" "$?" 1
	expect_match "textfile: its message" "$(cat /tmp/tf.err)" "nonexistent"
	in_ns pa tcphs metrics --interval 0.2 --count 3 | grep -c '^# TYPE tcphs_info ' >/tmp/n
	expect_eq "metrics --interval --count 3" "$(cat /tmp/n)" 3

	# top, not on a terminal: a block per interval after the first read.
	out=$(in_ns pa tcphs top --interval 0.3 --count 2)
	expect_eq "top: exit status" "$?" 0
	expect_eq "top: two blocks" "$(echo "$out" | grep -c '^PORT ')" 2
	expect_match "top: port 7101" "$(echo "$out" | awk '$1 == 7101' | head -n1)" \
		'^7101 +0\.0 +0\.0 +0\.0 +[0-9.]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ +0 +3$'
	expect_match "top: the refused port" "$(echo "$out" | awk '$1 == 7102' | head -n1)" \
		'^7102 .* - +- +- +- +0 +2$'
}

# More ports than places: the rest share one line, and nothing is lost.
overflow() {
	local p total

	rmmod tcphs
	load_tcphs ports=2 || { fail "insmod ports=2"; return; }
	mk_ns po
	for p in 7201 7202 7203 7204 7205; do
		in_ns po "$TCPCONN" connect 127.0.0.1 $p >/dev/null 2>&1
	done
	expect_eq "places: two ports and the rest" \
		"$(in_ns po cat /proc/net/tcphs_ports | awk 'NR > 1' | wc -l)" 3
	expect_eq "the rest" "$(port_field po other refused)" 3
	total=$(in_ns po cat /proc/net/tcphs_ports | awk 'NR > 1 { s += $4 } END { print s }')
	expect_eq "every refusal counted" "$total" 5
	in_ns po tcphs metrics | grep -q '^tcphs_port_flows_total{port="other"} 3$' ||
		fail "metrics: port=\"other\""
	rmmod tcphs
	load_tcphs ports=0 || { fail "insmod ports=0"; return; }
	in_ns po "$TCPCONN" connect 127.0.0.1 7201 >/dev/null 2>&1
	expect_eq "ports=0: only the header" "$(in_ns po cat /proc/net/tcphs_ports | wc -l)" 1
	expect_eq "ports=0: no port in metrics" "$(in_ns po tcphs metrics | grep -c '^tcphs_port_flows_total{')" 0
	rmmod tcphs
	load_tcphs ports=65 2>/dev/null && { fail "ports=65 was taken"; rmmod tcphs; }
	load_tcphs || fail "insmod"
}

unprivileged() {
	mk_ns pu
	in_ns pu "$TCPCONN" connect 127.0.0.1 7301 >/dev/null 2>&1
	expect_match "nobody: /proc/net/tcphs_ports" \
		"$(as_nobody "cat /proc/net/tcphs_ports" 2>&1)" "Operation not permitted"
	as_nobody "tcphs metrics" >/tmp/pu.out 2>&1
	expect_eq "nobody: metrics fails" "$?" 1
	expect_match "nobody: says why" "$(cat /tmp/pu.out)" "CAP_NET_ADMIN"
	expect_eq "nobody: no port in it" "$(grep -c '^tcphs_port' /tmp/pu.out)" 0
}

# tcphs top on a terminal (tmux): the ports and their rates after
# traffic, redrawn, and q quits.
top_on_a_terminal() {
	local i l traffic first busy refusing

	command -v tmux >/dev/null || { fail "no tmux in the VM"; return; }
	mk_ns pt
	mk_ns ps
	veth_pair pt ps
	serve ps 10.0.0.2 7401 --count 100000 --timeout 600 || return
	TERM=screen tmux new-session -d -s tcphs_top -x 120 -y 30 \
		"ip netns exec pt tcphs top --interval 0.5" || { fail "tmux"; return; }
	# Traffic until the screen shows it (however slow the kernel): twice
	# the flows of 7402 on 7401, so that 7401 comes first.
	(
		while :; do
			ip netns exec pt "$TCPCONN" connect 10.0.0.2 7401 --count 2 --parallel \
				>/dev/null 2>&1
			ip netns exec pt "$TCPCONN" connect 10.0.0.2 7402 >/dev/null 2>&1
		done
	) &
	traffic=$!
	# Each seen on some screen: 7401 busy and first, 7402 refusing.
	i=0 busy="" refusing=""
	while [ -z "$busy" ] || [ -z "$refusing" ]; do
		[ $i -lt 100 ] || break
		tmux capture-pane -p -t tcphs_top >/tmp/top.screen
		l=$(grep -A1 '^PORT' /tmp/top.screen | tail -n1)
		echo "$l" | grep -Eq '^7401 +[1-9][0-9]*\.[0-9] +0\.0 +0\.0 +[0-9.]+ ' && busy=$l
		l=$(grep '^7402 ' /tmp/top.screen)
		echo "$l" | grep -Eq '^7402 +[0-9.]+ +[1-9][0-9]*\.[0-9] ' && refusing=$l
		i=$((i + 1))
		sleep 0.3
	done
	# It redraws: the flows counted grow from one screen to a later one.
	first=$(awk '$1 == 7401 { print $NF }' /tmp/top.screen)
	sleep 2
	tmux capture-pane -p -t tcphs_top >/tmp/top.screen2
	kill "$traffic" 2>/dev/null
	wait "$traffic" 2>/dev/null
	expect_eq "top: redrawn with more flows" \
		"$(awk -v a="${first:-0}" '$1 == 7401 { print ($NF > a) ? "yes" : "no: " a " then " $NF }' /tmp/top.screen2)" yes
	expect_match "top: the title" "$(head -n1 /tmp/top.screen)" '^tcphs top: every 0\.5 s, q quits'
	expect_match "top: the header" "$(grep PORT /tmp/top.screen)" '^PORT +NEW/S +REFUSED/S'
	expect_match "top: 7401 busy, first" "$busy" '^7401 +[1-9][0-9]*\.[0-9] +0\.0 +0\.0 +[0-9.]+ '
	expect_match "top: 7402 refused" "$refusing" '^7402 +[0-9.]+ +[1-9][0-9]*\.[0-9] '
	tmux send-keys -t tcphs_top q
	wait_for 10 sh -c '! tmux has-session -t tcphs_top 2>/dev/null' || {
		fail "top did not quit on q"
		tmux kill-session -t tcphs_top 2>/dev/null
	}
	kill "$SERVER_PID" 2>/dev/null
}

run_test counts-per-port counts_per_port
run_test metrics-and-top metrics_and_top
run_test top-on-a-terminal top_on_a_terminal
run_test overflow overflow
run_test unprivileged unprivileged
finish
