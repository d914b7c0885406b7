#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# What `make demo` shows inside the test VM: tcphs loaded, real connections
# opened and closed, then /proc/tcphs and the reader's events.
. "$(dirname "$0")/lib.sh"

have_reader() { command -v tcphs >/dev/null 2>&1; }

echo "### tcphs is loaded:"
grep tcphs /proc/modules
echo

if have_reader; then
	tcphs events >/tmp/events.txt 2>&1 &
	EV=$!
	tcphs events --ladder --no-times >/tmp/ladder.txt 2>&1 &
	LAD=$!
	sleep 0.5
fi

echo "### connections: a 4-way close over IPv4, the server closing first over IPv6,"
echo "### a refused connect, a reset, and one across two namespaces"
serve "" 127.0.0.1 8080 --wait 100
"$TCPCONN" connect 127.0.0.1 8080 --wait 100 >/dev/null
wait "$SERVER_PID"
serve "" ::1 8443 --server-first
"$TCPCONN" connect ::1 8443 --server-first >/dev/null
wait "$SERVER_PID"
"$TCPCONN" connect 127.0.0.1 9 >/dev/null
serve "" 127.0.0.1 8081
"$TCPCONN" connect 127.0.0.1 8081 --rst >/dev/null
wait "$SERVER_PID"
mk_ns client
mk_ns server
veth_pair client server
serve server 10.0.0.2 80
in_ns client "$TCPCONN" connect 10.0.0.2 80 >/dev/null
wait "$SERVER_PID"
sleep 0.5
echo

echo "### cat /proc/tcphs"
cat /proc/tcphs
echo
if have_reader; then
	echo "### tcphs list -o id,reply,conn_state,outcome,stage,uid,pid,comm   (who made them, how they ended)"
	tcphs list -o id,reply,conn_state,outcome,stage,uid,pid,comm
	echo
fi
echo "### ip netns exec server cat /proc/tcphs   (each namespace has its own table)"
ip netns exec server cat /proc/tcphs
echo
echo "### cat /proc/net/stat/tcphs   (per CPU, hexadecimal, as nf_conntrack's)"
cat /proc/net/stat/tcphs
cleanup_ns

if have_reader; then
	kill "$EV" "$LAD" 2>/dev/null
	wait 2>/dev/null
	echo
	echo "### tcphs events"
	cat /tmp/events.txt
	echo
	echo "### tcphs events --ladder"
	cat /tmp/ladder.txt
	echo
	echo "### tcphs stats"
	tcphs stats
fi
