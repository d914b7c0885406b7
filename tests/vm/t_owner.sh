#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Who made a flow and how it turned out: the owner of a local flow (its
# socket's uid, cgroup and cookie, the process that opened it) in
# /proc/tcphs, the dump, JSON, event lines and the reader's filters; none
# for a forwarded flow; one outcome per finished flow, at its stage.
. "$(dirname "$0")/lib.sh"

P=/sys/module/tcphs/parameters
READER=tcphs

# pid_file_run FILE CMD...: run CMD with its pid in FILE (the shell's,
# which exec keeps).
pid_file_run() {
	local f=$1

	shift
	sh -c 'echo $$ >"$0"; exec "$@"' "$f" "$@"
}

# A process that connects to a closed port is named on its refused flow.
refused_is_named() {
	local line pid

	mk_ns own
	chmod 1777 /tmp
	as_nobody true
	# As nobody (uid 65534), through su: the flow names the process, not su.
	in_ns own su -s /bin/sh nobody -c \
		"echo \$\$ >/tmp/own.pid; exec $TCPCONN connect 127.0.0.1 9" >/tmp/own.out 2>&1
	expect_match "the connect" "$(cat /tmp/own.out)" "refused"
	pid=$(cat /tmp/own.pid)
	line=$(proc_table own | awk '$4 == "127.0.0.1:9"')
	expect_eq "outcome" "$(field "$line" outcome)" refused
	expect_eq "stage" "$(field "$line" stage)" handshake
	expect_eq "owner" "$(field "$line" owner)" orig
	expect_eq "uid" "$(field "$line" uid)" 65534
	expect_eq "pid" "$(field "$line" pid)" "$pid"
	expect_eq "comm" "$(field "$line" comm)" tcpconn
	# The same through the dump, in JSON and as columns, and its filters.
	line=$(in_ns own "$READER" list -j --dport 9)
	expect_eq "json outcome" "$(echo "$line" | jq -r .outcome)" refused
	expect_eq "json owner" "$(echo "$line" | jq -r .owner)" orig
	expect_eq "json uid" "$(echo "$line" | jq -r .uid)" 65534
	expect_eq "json pid" "$(echo "$line" | jq -r .pid)" "$pid"
	expect_eq "json comm" "$(echo "$line" | jq -r .comm)" tcpconn
	expect_eq "list --pid" "$(in_ns own "$READER" list --no-header --pid "$pid" -o reply,outcome,uid,comm)" \
		"127.0.0.1:9 refused 65534 tcpconn"
	expect_eq "list --uid, another" "$(in_ns own "$READER" list --no-header --uid 0 | wc -l)" 0
	expect_eq "list --comm glob" "$(in_ns own "$READER" list --no-header --comm 'tcp*' -o reply)" 127.0.0.1:9
	expect_eq "list --outcome failed" "$(in_ns own "$READER" list --no-header --outcome failed -o reply)" 127.0.0.1:9
	expect_eq "list --outcome completed" "$(in_ns own "$READER" list --no-header --outcome completed | wc -l)" 0
	in_ns own "$READER" list --pid x >/dev/null 2>/tmp/own.err
	expect_eq "list --pid x: status" "$?" 64
	expect_match "list --pid x: message" "$(cat /tmp/own.err)" "bad --pid 'x'"
}

# cgroup_dir: a cgroup v2 directory of the tests' own, or nothing.
cgroup_dir() {
	grep -q ' /sys/fs/cgroup cgroup2 ' /proc/mounts ||
		mount -t cgroup2 none /sys/fs/cgroup 2>/dev/null || return 1
	mkdir -p /sys/fs/cgroup/tcphs_t 2>/dev/null || return 1
	echo /sys/fs/cgroup/tcphs_t
}

# A flow from a second cgroup carries that cgroup's id; the server's side,
# the server's process and its own socket's cookie, as ss shows them.
cgroup_and_server() {
	local cg id root line cookie sspid

	cg=$(cgroup_dir) || { fail "no cgroup v2 here"; return; }
	id=$(stat -c %i "$cg")
	root=$(stat -c %i /sys/fs/cgroup)
	mk_ns cg
	serve cg 127.0.0.1 8080 --count 2 --reply 100 || return
	# Into the cgroup before ip netns exec, which mounts a /sys of its own.
	sh -c "echo \$\$ >$cg/cgroup.procs; exec ip netns exec cg $TCPCONN connect 127.0.0.1 8080" \
		>/dev/null || fail "connect from the cgroup"
	line=$(proc_table cg | awk '$4 == "127.0.0.1:8080"' | head -n1)
	expect_eq "completed" "$(field "$line" outcome)" completed
	expect_eq "the client's cgroup" "$(field "$line" cgroup)" "$id"
	# A flow from outside it: the root cgroup's id.
	in_ns cg "$TCPCONN" connect 127.0.0.1 8080 >/dev/null || fail "connect"
	wait_for 5 sh -c "[ \$(ip netns exec cg cat /proc/tcphs | grep -c '127.0.0.1:8080 .*completed') = 2 ]"
	expect_eq "one flow in the cgroup, one in the root" \
		"$(in_ns cg "$READER" list --no-header --dport 8080 --cgroup "$id" | wc -l)/$(
		in_ns cg "$READER" list --no-header --dport 8080 --cgroup "$root" | wc -l)" 1/1
	rmdir "$cg" 2>/dev/null

	# Over a veth, the server is the only local end of its namespace's flow:
	# the listener's uid, then the accepted socket's cookie and the
	# process that wrote the reply.
	mk_ns sa
	mk_ns sb
	veth_pair sa sb
	serve sb 10.0.0.2 8081 --count 1 --reply 100 --wait 10000 || return
	sspid=$(in_ns sb ss -Htlnp 'sport = :8081' | sed -n 's/.*pid=\([0-9]*\).*/\1/p')
	in_ns sa "$TCPCONN" connect 10.0.0.2 8081 >/dev/null &
	# Until the reply went, from the server's process.
	wait_for 5 sh -c "ip netns exec sb cat /proc/tcphs | awk '\$4 == \"10.0.0.2:8081\"' |
		grep -q ' tcpconn '"
	# Not listening: the accepted socket (closing by now, the client
	# closed first).
	line=$(in_ns sb ss -Htne 'sport = :8081')
	log "ss: $line"
	cookie=$(echo "$line" | sed -n 's/.*[ 	]sk:\([0-9a-f]*\).*/\1/p')
	line=$(proc_table sb | awk '$4 == "10.0.0.2:8081"')
	expect_eq "server: owner" "$(field "$line" owner)" reply
	expect_eq "server: uid" "$(field "$line" uid)" 0
	expect_eq "server: pid" "$(field "$line" pid)" "$sspid"
	expect_eq "server: comm" "$(field "$line" comm)" tcpconn
	expect_eq "server: cookie, as ss -e" "$(printf '%x' "$(field "$line" cookie)")" "$cookie"
	wait
}

# A forwarded flow has no owner, and says so; the ends' flows have theirs.
forwarded_has_none() {
	local line

	mk_ns fc
	mk_ns fr
	mk_ns fs
	ip link add c0 netns fc type veth peer name r0 netns fr
	ip link add s0 netns fs type veth peer name r1 netns fr
	ip -n fc addr add 10.5.0.2/24 dev c0
	ip -n fr addr add 10.5.0.1/24 dev r0
	ip -n fr addr add 10.6.0.1/24 dev r1
	ip -n fs addr add 10.6.0.2/24 dev s0
	for l in fc:c0 fr:r0 fr:r1 fs:s0; do
		ip -n "${l%%:*}" link set "${l#*:}" up
	done
	ip -n fc route add default via 10.5.0.1
	ip -n fs route add default via 10.6.0.1
	in_ns fr sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward'
	serve fs 10.6.0.2 80 || return
	in_ns fc "$TCPCONN" connect 10.6.0.2 80 >/dev/null || fail "connect through the router"
	line=$(proc_table fr | awk '$4 == "10.6.0.2:80"')
	expect_eq "router: outcome" "$(field "$line" outcome)" completed
	expect_eq "router: owner" "$(field "$line" owner)" -
	expect_eq "router: pid" "$(field "$line" pid)" -
	expect_eq "router: json owner" "$(in_ns fr "$READER" list -j | jq -r .owner)" null
	expect_eq "router: json has no pid" "$(in_ns fr "$READER" list -j | jq -r 'has("pid")')" false
	line=$(proc_table fc | awk '$4 == "10.6.0.2:80"')
	expect_eq "client: owner" "$(field "$line" owner)" orig
	expect_eq "client: comm" "$(field "$line" comm)" tcpconn
	# With owners off, a new flow records none.
	serve fs 10.6.0.2 81 || return
	echo N >$P/owners
	in_ns fc "$TCPCONN" connect 10.6.0.2 81 >/dev/null 2>&1
	echo Y >$P/owners
	expect_eq "owners=N: the new flow has none" \
		"$(in_ns fc "$READER" list -j --dport 81 | jq -r .owner)" null
	expect_eq "owners=N: the earlier flow keeps its own" \
		"$(in_ns fc "$READER" list -j --dport 80 | jq -r .owner)" orig
}

# Outcomes of real connections: completed, refused, a server's reset after
# data, a client's, and a SYN no one answers, in /proc, JSON and the event
# lines (the last event of each flow names it).
outcomes() {
	local line old rpid spid

	mk_ns oa
	mk_ns ob
	veth_pair oa ob
	# Until the five flows are summarised (the SYN's timeout last), then
	# the event reader is stopped: a slow kernel takes its time.
	ip netns exec oa "$READER" events --timeout 60 >/tmp/oc.ev 2>&1 &
	rpid=$!
	reader_ready oa "$rpid"
	ip netns exec oa "$READER" summary --count 5 --timeout 60 -o mono >/tmp/oc.sum 2>/dev/null &
	spid=$!
	reader_ready oa "$spid"
	serve ob 10.0.0.2 7001 || return
	in_ns oa "$TCPCONN" connect 10.0.0.2 7001 >/dev/null || fail "completed"
	in_ns oa "$TCPCONN" connect 10.0.0.2 7002 >/dev/null 2>&1
	serve ob 10.0.0.2 7003 --reply 50 --server-first --rst || return
	in_ns oa "$TCPCONN" connect 10.0.0.2 7003 --server-first >/dev/null 2>&1
	serve ob 10.0.0.2 7004 --reply 50 || return
	in_ns oa "$TCPCONN" connect 10.0.0.2 7004 --rst >/dev/null 2>&1
	# SYNs dropped at the server: the client times out, retransmitting.
	in_ns ob nft add table inet tcphs_drop
	in_ns ob nft add chain inet tcphs_drop in '{ type filter hook input priority 0; }'
	in_ns ob nft add rule inet tcphs_drop in tcp dport 7005 drop
	old=$(cat $P/timeout_syn)
	echo 2 >$P/timeout_syn
	in_ns oa "$TCPCONN" connect 10.0.0.2 7005 --timeout 2 >/dev/null 2>&1
	wait_for 10 sh -c "ip netns exec oa cat /proc/tcphs | grep -q '10.0.0.2:7005 .*no-answer'"
	echo "$old" >$P/timeout_syn
	for w in 7001:completed:closing 7002:refused:handshake 7003:reset-reply:data \
		7004:reset-orig:data 7005:no-answer:handshake; do
		line=$(proc_table oa | awk -v r="10.0.0.2:${w%%:*}" '$4 == r')
		expect_eq "port ${w%%:*}: outcome/stage" \
			"$(field "$line" outcome):$(field "$line" stage)" "${w#*:}"
	done
	line=$(proc_table oa | awk '$4 == "10.0.0.2:7005"')
	expect_match "port 7005: SYNs retransmitted" "$(field "$line" rtx_syn)" '^[1-9]'
	expect_eq "json outcomes" \
		"$(in_ns oa "$READER" list -j --dport 7001-7005 | jq -r '"\(.dport)=\(.outcome)"' | sort | tr '\n' ' ')" \
		"7001=completed 7002=refused 7003=reset-reply 7004=reset-orig 7005=no-answer "
	wait "$spid"
	kill -INT "$rpid"
	wait "$rpid"
	expect_match "the refused flow's RST event" "$(grep ':7002 .* RST ' /tmp/oc.ev)" \
		'outcome=refused stage=handshake owner=orig uid=0 pid=[0-9]+ comm=tcpconn$'
	expect_match "the timeout event" "$(grep ' TIMEOUT ' /tmp/oc.ev)" 'outcome=no-answer stage=handshake'
	expect_match "a SYN event names the process" "$(grep ':7001 .* SYN NONE' /tmp/oc.ev)" \
		'owner=orig uid=0 pid=[0-9]+ comm=tcpconn$'
	# One line per finished flow, as conn.log, live and from the event log.
	expect_eq "summary: a line per flow" "$(grep -c . /tmp/oc.sum)" 5
	expect_match "summary: the completed flow" "$(grep ' > 10.0.0.2:7001 ' /tmp/oc.sum)" \
		'^[0-9.]+ [0-9]+\.[0-9]{6}s flow=[0-9]+ 10.0.0.1:[0-9]+ > 10.0.0.2:7001 completed closing SF ShAD[a-zA-Z]* syn-synack=[0-9.]+ms synack-ack=[0-9.]+ms rtx=0/0/0 opener=orig closer=orig owner=orig uid=0 pid=[0-9]+ comm=tcpconn$'
	expect_match "summary: the unanswered one" "$(grep ':7005 ' /tmp/oc.sum)" \
		' no-answer handshake S0 S[^ ]* syn-synack=- synack-ack=- rtx=[1-9]/0/0 '
	expect_match "summary --from the log" \
		"$(in_ns oa tcphs summary --from /proc/net/tcphs_events -o mono | grep ' > 10.0.0.2:7002 ')" \
		'^[0-9.]+ [0-9]+\.[0-9]{6}s flow=[0-9]+ 10.0.0.1:[0-9]+ > 10.0.0.2:7002 refused handshake .* owner=orig uid=0 pid=[0-9]+ comm=tcpconn$'
	expect_eq "summary --json: outcomes" \
		"$(in_ns oa tcphs summary -j --from /proc/net/tcphs_events | jq -r '"\(.dport)=\(.outcome)"' | sort | tr '\n' ' ')" \
		"7001=completed 7002=refused 7003=reset-reply 7004=reset-orig 7005=no-answer "
	expect_eq "summary --json: a duration" \
		"$(in_ns oa tcphs summary -j --from /proc/net/tcphs_events --dport 7001 | jq -r '.duration > 0')" true
	expect_eq "summary --outcome failed" \
		"$(in_ns oa tcphs summary --from /proc/net/tcphs_events --outcome failed | wc -l)" 4
}

run_test refused-is-named refused_is_named
run_test cgroup-and-server cgroup_and_server
run_test forwarded-has-none forwarded_has_none
run_test outcomes outcomes
finish
