#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# Network namespaces: the same 4-tuple in two namespaces is two flows, and
# each namespace sees only its own.
. "$(dirname "$0")/lib.sh"

test_same_tuple_two_namespaces() {
	mk_ns n1
	mk_ns n2
	for ns in n1 n2; do
		serve $ns 127.0.0.1 8201 || return
		in_ns $ns "$TCPCONN" connect 127.0.0.1 8201 >/tmp/$ns.out
		wait "$SERVER_PID"
	done
	for ns in n1 n2; do
		n=$(proc_table $ns | awk '$4 == "127.0.0.1:8201"' | grep -c .)
		expect_eq "flows in $ns" "$n" 1
		ids=$(proc_table $ns | awk '$4 == "127.0.0.1:8201" { print $1 }')
		eval "id_$ns=\$ids"
	done
	# Ids count per namespace: one learns nothing of another's rate.
	expect_eq "flow id in n1" "$id_n1" 1
	expect_eq "flow id in n2" "$id_n2" 1
	expect_eq "flows in the initial namespace" \
		"$(proc_table "" | awk '$4 == "127.0.0.1:8201"' | grep -c .)" 0
}

test_namespace_goes_away() {
	mk_ns gone
	serve gone 127.0.0.1 8202 --count 3 || return
	in_ns gone "$TCPCONN" connect 127.0.0.1 8202 --count 3 >/dev/null
	wait "$SERVER_PID"
	expect_eq "flows in the namespace" "$(proc_table gone | grep -c ':8202 ')" 3
	ip netns del gone
	NAMESPACES=""
	# Its flows leave with it (net exit runs asynchronously).
	sleep 1
	expect_eq "flows left anywhere" "$(proc_table "" | grep -c ':8202 ')" 0
}

run_test same-tuple-two-namespaces test_same_tuple_two_namespaces
run_test namespace-goes-away test_namespace_goes_away
finish
