#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# A NAT router: client -- router -- server, the router DNATs its own
# address's port 8080 to the server's port 80 and masquerades towards the
# server, with nftables, for IPv4 and IPv6. The router must show one flow
# per connection, under the tuple the client used, with both halves of the
# handshake and of the close (the replies arrive with translated
# addresses); the server shows the translated tuple, as it sees it.
. "$(dirname "$0")/lib.sh"

# nat_setup: cli (10.1.0.2, fd01::2) -- rtr -- srv (10.2.0.2, fd02::2).
nat_setup() {
	mk_ns cli
	mk_ns rtr
	mk_ns srv
	ip link add c0 netns cli type veth peer name r0 netns rtr
	ip link add s0 netns srv type veth peer name r1 netns rtr
	ip -n cli addr add 10.1.0.2/24 dev c0
	ip -n cli addr add fd01::2/64 dev c0 nodad
	ip -n rtr addr add 10.1.0.1/24 dev r0
	ip -n rtr addr add fd01::1/64 dev r0 nodad
	ip -n rtr addr add 10.2.0.1/24 dev r1
	ip -n rtr addr add fd02::1/64 dev r1 nodad
	ip -n srv addr add 10.2.0.2/24 dev s0
	ip -n srv addr add fd02::2/64 dev s0 nodad
	for l in cli:c0 rtr:r0 rtr:r1 srv:s0; do
		ip -n "${l%%:*}" link set "${l#*:}" up
	done
	# The client knows only the router; the server not even that.
	ip -n cli route add default via 10.1.0.1
	ip -n cli -6 route add default via fd01::1
	in_ns rtr sh -c 'echo 1 >/proc/sys/net/ipv4/ip_forward;
		echo 1 >/proc/sys/net/ipv6/conf/all/forwarding'
	in_ns rtr nft -f - <<-'NFT' || { fail "nft could not set up NAT"; return 1; }
	table inet tcphs_nat {
		chain pre {
			type nat hook prerouting priority dstnat; policy accept;
			ip daddr 10.1.0.1 tcp dport 8080 dnat ip to 10.2.0.2:80
			ip6 daddr fd01::1 tcp dport 8080 dnat ip6 to [fd02::2]:80
		}
		chain post {
			type nat hook postrouting priority srcnat; policy accept;
			oifname "r1" masquerade
		}
	}
	NFT
}

# both_sides WHAT HISTORY: the open, data and FIN of each side are in it (the
# order of the letters after Sh depends on when the ACKs went).
both_sides() {
	local l

	for l in D d F f; do
		case $2 in
		Sh*$l*) ;;
		*) fail "$1: '$2' lacks $l"; return ;;
		esac
	done
	log "ok: $1 $2"
}

# nat_one FAMILY VIP SERVER MASQ: one connection through the router, checked
# on the router and on the server.
nat_one() {
	local vip=$2 srvaddr=$3 masq=$4 out cport orig vipp line rcloser rnat

	serve srv "$srvaddr" 80 --send 300 --reply 1200 || return
	out=$(in_ns cli "$TCPCONN" connect "$vip" 8080 --send 300 --reply 1200)
	wait "$SERVER_PID"
	log "client: $out"
	cport=$(echo "$out" | awk '$1 == "local" { print $3 }')
	[ -n "$cport" ] || { fail "the connection through the router failed"; return; }
	case $1 in
	4) orig="10.1.0.2:$cport" vipp="$vip:8080" ;;
	6) orig="[fd01::2]:$cport" vipp="[$vip]:8080" ;;
	esac

	# The router: one flow, the client's tuple, both sides' steps.
	expect_eq "router flows" "$(($(proc_table rtr | wc -l) - 1))" 1
	line=$(flow_line rtr "$orig" "$vipp")
	log "router: $line"
	[ -n "$line" ] || { fail "no router flow $orig -> $vipp"; return; }
	expect_eq "router state" "$(field "$line" state)" TIME_WAIT
	expect_eq "router conn_state" "$(field "$line" conn_state)" SF
	both_sides "router history" "$(field "$line" history)"
	rcloser=$(field "$line" closer)
	rnat="$(field "$line" nat_orig) $(field "$line" nat_reply)"

	# The server saw the translated connection, and says the same.
	line=$(proc_table srv | awk -v b="$srvaddr" '$4 ~ ("^\\[?" b "\\]?:80$")')
	log "server: $line"
	expect_match "server flow from the router's address" "$(field "$line" orig)" "$masq"
	expect_eq "server conn_state" "$(field "$line" conn_state)" SF
	both_sides "server history" "$(field "$line" history)"
	expect_eq "router's closer, as the server's" "$rcloser" "$(field "$line" closer)"
	# The router shows the connection past its translation as the server does.
	expect_eq "router's translated tuple, the server's" "$rnat" \
		"$(field "$line" orig) $(field "$line" reply)"
	expect_eq "tcphs list --json on the router: translated ports" \
		"$(in_ns rtr tcphs list --json | jq -r '"\(.nat_dport) \(.nat_saddr)"')" \
		"80 $(field "$line" orig | sed 's/^\[//; s/\]*:[0-9]*$//')"
}

test_nat_ipv4() {
	nat_setup || return
	nat_one 4 10.1.0.1 10.2.0.2 '^10\.2\.0\.1:'
	expect_eq "router invalid" "$(stat_sum rtr invalid)" 0
	expect_eq "router ignored" "$(stat_sum rtr ignored)" 0
}

test_nat_ipv6() {
	nat_setup || return
	nat_one 6 fd01::1 fd02::2 '^\[fd02::1\]:'
	expect_eq "router invalid" "$(stat_sum rtr invalid)" 0
	expect_eq "router ignored" "$(stat_sum rtr ignored)" 0
}

# Forwarded but not translated: the router's flow is the plain tuple.
test_routed_without_nat() {
	nat_setup || return
	in_ns rtr nft delete table inet tcphs_nat
	ip -n srv route add default via 10.2.0.1
	serve srv 10.2.0.2 81 || return
	out=$(in_ns cli "$TCPCONN" connect 10.2.0.2 81)
	wait "$SERVER_PID"
	cport=$(echo "$out" | awk '$1 == "local" { print $3 }')
	line=$(flow_line rtr "10.1.0.2:$cport" "10.2.0.2:81")
	log "router: $line"
	expect_eq "router conn_state" "$(field "$line" conn_state)" SF
	expect_eq "router flows" "$(proc_table rtr | grep -c ':81 ')" 1
	expect_eq "router's translated tuple" "$(field "$line" nat_orig) $(field "$line" nat_reply)" "- -"
}

run_test "NAT router, IPv4: DNAT and masquerade, one flow" test_nat_ipv4
run_test "NAT router, IPv6: DNAT and masquerade, one flow" test_nat_ipv6
run_test "router without NAT: the plain tuple" test_routed_without_nat
finish
