# SPDX-License-Identifier: GPL-2.0
# Helpers for the tcphs tests that run inside the test VM (busybox sh).
# Source it; then call run_test NAME FUNCTION ... and finish.
# Helpers keep their variables local: tests use i, n, ns ... themselves.

TESTS_DIR=${TESTS_DIR:-$(cd "$(dirname "$0")/.." && pwd)}
TCPCONN=${TCPCONN:-$TESTS_DIR/tools/tcpconn}
MODULE_KO=${MODULE_KO:-/tcphs/tcphs.ko}

# What the kernel does that the tests cannot ask it (scripts/vm-run.sh
# writes the file from the kernel's headers), and the parameters the run
# loads the module with, which every reload keeps.
MCAST_CAP=$(sed -n 's/^mcast_cap=//p' /tcphs/kernel-facts 2>/dev/null)
MCAST_CAP=${MCAST_CAP:-unknown}
BASE_PARAMS=$(cat /tcphs/module-params 2>/dev/null)

PASSED=0
FAILED=0
CUR_FAIL=0
NAMESPACES=""

log() { echo "    $*"; }

# fail MESSAGE: marks the running test as failed, keeps going.
fail() {
	echo "    FAIL: $*"
	CUR_FAIL=1
}

# expect_eq WHAT GOT WANT
expect_eq() {
	if [ "$2" = "$3" ]; then
		log "ok: $1 = $3"
	else
		fail "$1: got '$2', want '$3'"
	fi
}

# expect_match WHAT GOT REGEX (extended)
expect_match() {
	if echo "$2" | grep -Eq -- "$3"; then
		log "ok: $1 '$2' ~ /$3/"
	else
		fail "$1: '$2' does not match /$3/"
	fi
}

cleanup_ns() {
	local ns

	for ns in $NAMESPACES; do
		ip netns pids "$ns" 2>/dev/null | xargs -r kill 2>/dev/null
		ip netns del "$ns" 2>/dev/null
	done
	NAMESPACES=""
}

# run_test NAME FUNCTION: runs one test, counts it, cleans its namespaces.
# The namespaces' processes are killed before the test's background jobs
# are waited for: "in_ns NS CMD &" is a subshell whose child runs CMD, and
# killing the subshell's pid leaves CMD running.
run_test() {
	local t0

	CUR_FAIL=0
	echo "--- $1"
	t0=$(date +%s)
	"$2"
	cleanup_ns
	wait 2>/dev/null
	log "($(($(date +%s) - t0)) s)"
	if [ "$CUR_FAIL" = 0 ]; then
		PASSED=$((PASSED + 1))
		echo "ok $1"
	else
		FAILED=$((FAILED + 1))
		echo "not ok $1"
	fi
}

finish() {
	echo "RESULT $(basename "$0"): $PASSED passed, $FAILED failed"
	[ "$FAILED" = 0 ]
}

# in_ns NS CMD...: run in namespace NS ("" for the initial one).
in_ns() {
	local ns=$1

	shift
	if [ -n "$ns" ]; then
		ip netns exec "$ns" "$@"
	else
		"$@"
	fi
}

# mk_ns NAME: a namespace with lo up.
mk_ns() {
	ip netns add "$1"
	NAMESPACES="$NAMESPACES $1"
	ip -n "$1" link set lo up
}

# veth_pair NS_A NS_B: joins two namespaces, 10.0.0.1/fd00::1 in A and
# 10.0.0.2/fd00::2 in B.
veth_pair() {
	ip link add va netns "$1" type veth peer name vb netns "$2"
	ip -n "$1" addr add 10.0.0.1/24 dev va
	ip -n "$2" addr add 10.0.0.2/24 dev vb
	ip -n "$1" addr add fd00::1/64 dev va nodad
	ip -n "$2" addr add fd00::2/64 dev vb nodad
	ip -n "$1" link set va up
	ip -n "$2" link set vb up
}

# serve NS ADDR PORT [tcpconn options]: starts a server, waits until it listens.
serve() {
	local ns=$1 fifo i

	shift
	fifo=$(mktemp /tmp/serve.XXXXXX)
	in_ns "$ns" "$TCPCONN" listen "$@" >"$fifo" 2>&1 &
	SERVER_PID=$!
	i=0
	while ! grep -q listening "$fifo" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -gt 100 ]; then
			fail "server $* did not start: $(cat "$fifo")"
			return 1
		fi
		sleep 0.05
	done
}

# proc_table NS: /proc/tcphs as the namespace's root sees it.
proc_table() {
	in_ns "$1" cat /proc/tcphs
}

# proc_table_still NS: /proc/tcphs without its timeout column (which ticks).
proc_table_still() {
	proc_table "$1" | awk 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "timeout") c = i }
		{ $c = ""; print }'
}

# flow_line NS ENDPOINT_A ENDPOINT_B: the /proc/tcphs line of the flow from A
# to B ("addr:port" or "[v6]:port"), originator first.
flow_line() {
	proc_table "$1" | awk -v a="$2" -v b="$3" '$3 == a && $4 == b'
}

# field LINE NAME: the column NAME of a /proc/tcphs line.
field() {
	head -n1 /proc/tcphs | awk -v line="$1" -v name="$2" '
		{ for (i = 1; i <= NF; i++) if ($i == name) col = i }
		END { split(line, f, " "); print f[col] }'
}

# wait_for SECONDS CMD...: retries CMD until it succeeds.
wait_for() {
	local n

	n=$(($1 * 20))
	shift
	while ! "$@" >/dev/null 2>&1; do
		n=$((n - 1))
		[ $n -gt 0 ] || return 1
		sleep 0.05
	done
}

# stat_sum NS NAME: a /proc/net/stat/tcphs counter summed over CPUs.
stat_sum() {
	local sum=0 v

	for v in $(in_ns "$1" cat /proc/net/stat/tcphs | awk -v name="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) col = i; next }
		{ print $col }'); do
		sum=$((sum + $(printf '%d' "0x$v")))
	done
	echo "$sum"
}

# as_nobody CMD...: run as an unprivileged user.
as_nobody() {
	grep -q '^nobody:' /etc/passwd 2>/dev/null ||
		echo 'nobody:x:65534:65534:nobody:/:/bin/sh' >>/etc/passwd
	grep -q '^nogroup:' /etc/group 2>/dev/null ||
		echo 'nogroup:x:65534:' >>/etc/group
	su -s /bin/sh nobody -c "$*"
}

# alive PID: the process exists and has not exited (zombies do not count:
# the shell only reaps them at wait).
alive() {
	[ -r "/proc/$1/stat" ] && ! grep -q '^[0-9]* ([^)]*) Z' "/proc/$1/stat" 2>/dev/null
}

# reader_ready NS PID: waits until reader PID has joined the events group.
# It joins nlctrl's "notify" group (id 16, bit 0x8000) and then "events":
# /proc/net/netlink shows the first 32 groups of its socket. Its sockets are read in /proc/PID/fd and their groups in /proc/PID/net/
# netlink, which lists the sockets of PID's own namespace (NS, which the
# check so needs not enter).
reader_ready() {
	local i=0

	while [ $i -lt 100 ]; do
		alive "$2" || return 1
		ls -l /proc/"$2"/fd 2>/dev/null | awk '
			NR == FNR { if (match($0, /socket:\[[0-9]+\]/))
					ino[substr($0, RSTART + 8, RLENGTH - 9)] = 1
				next }
			$1 != "sk" && ($NF in ino) && $4 != "00000000" && $4 != "00008000" { found = 1 }
			END { exit !found }' - /proc/"$2"/net/netlink && return 0
		i=$((i + 1))
		sleep 0.05
	done
	log "cannot see the reader's groups; going on"
}

# load_tcphs [PARAM]...: insmod tcphs.ko with the run's parameters and PARAMs.
load_tcphs() {
	# shellcheck disable=SC2086 # words on purpose
	insmod "$MODULE_KO" $BASE_PARAMS "$@"
}

# events_access: what an unprivileged join of the "events" group gives with
# the module as loaded: closed (EPERM, the kernel checks the group's
# capability), absent (the kernel cannot, so the module registered no
# group), open (the kernel cannot, and unsafe_unrestricted_events is set).
events_access() {
	if [ "$MCAST_CAP" = 1 ]; then
		echo closed
	elif [ "$(cat /sys/module/tcphs/parameters/unsafe_unrestricted_events 2>/dev/null)" = Y ]; then
		echo open
	else
		echo absent
	fi
}
