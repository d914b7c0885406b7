#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
# The reader, tcphs, for real connections: the exact events of 4-way closes
# (loopback IPv4 and IPv6, across a veth pair), closes by the server, resets
# and refusals, the relative numbers, JSON that parses, the ladder drawing,
# list filters, counters, lost events counted exactly, privileges, network
# namespaces, the module going away, and bad arguments.
#
# Most tests run in a namespace of their own, so that nothing else makes
# events while the reader listens.
. "$(dirname "$0")/lib.sh"

EXPECTED=$TESTS_DIR/vm/expected

# jq helpers: m32 reduces modulo 2^32, d(a; b) is a - b as TCP counts it.
JQ_DEFS='def m32: . - ((. / 4294967296) | floor) * 4294967296;
	 def d($a; $b): ($a - $b) | m32;'

# wait_exit PID SECONDS: waits for PID to end; kills it after SECONDS.
# WAIT_RC gets its exit status.
wait_exit() {
	n=$(($2 * 20))
	while alive "$1"; do
		n=$((n - 1))
		if [ $n -le 0 ]; then
			fail "process $1 still running after $2 s"
			kill -INT "$1" 2>/dev/null
			sleep 0.5
			kill -KILL "$1" 2>/dev/null
			break
		fi
		sleep 0.05
	done
	wait "$1"
	WAIT_RC=$?
}

# reader NS OUT ARGS...: starts `tcphs events ARGS` in NS (stdout to OUT,
# stderr to OUT.err) and waits until it listens. READER gets its pid.
reader() {
	ns=$1 out=$2
	shift 2
	if [ -n "$ns" ]; then
		ip netns exec "$ns" tcphs events "$@" >"$out" 2>"$out.err" &
	else
		tcphs events "$@" >"$out" 2>"$out.err" &
	fi
	READER=$!
	reader_ready "$ns" "$READER" ||
		fail "the reader did not start: $(cat "$out.err")"
}

# reader_stop PID: SIGINT, then waits for it.
reader_stop() {
	kill -INT "$1" 2>/dev/null
	wait_exit "$1" 5
}

# conn NS_SRV NS_CLI ADDR PORT [tcpconn options]: one connection that ends
# in a clean 4-way close (each side waits 100 ms before its close, so the
# lone ACK of the first FIN goes out before the second FIN). CPORT gets the
# client's port.
conn() {
	srv=$1 cli=$2 addr=$3 port=$4
	shift 4
	CPORT=
	serve_new "$srv" "$addr" "$port" --wait 100 "$@" || return 1
	out=$(in_ns "$cli" "$TCPCONN" connect "$addr" "$port" --wait 100 "$@")
	wait "$SERVER_PID"
	CPORT=$(echo "$out" | awk '/^local/ { print $3 }')
	[ -n "$CPORT" ] || { fail "client did not connect: $out"; return 1; }
}

# serve_new: serve, but never fooled by an earlier server's "listening"
# line: lib.sh names the output file /tmp/serve.PID.$RANDOM, and dash has
# no $RANDOM, so every server of this script writes the same file.
serve_new() {
	rm -f "/tmp/serve.$$."*
	serve "$@"
}

endpoint() {
	case "$1" in
	*:*) echo "[$1]:$2" ;;
	*) echo "$1:$2" ;;
	esac
}

# jq_lines FILE FILTER: FILTER's raw output for each event, joined by "; ".
jq_lines() {
	jq -r "$2" "$1" | awk 'NR > 1 { printf "; " } { printf "%s", $0 } END { print "" }'
}

# check_4way FILE PORT CLOSER HISTORY: FILE (tcphs events --json) holds the
# seven events of one connection to PORT, 16 bytes each way, then a 4-way
# close where CLOSER (orig or reply) sent the first FIN; nothing else.
check_4way() {
	f=$1 port=$2 closer=$3 history=$4
	if [ "$closer" = orig ]; then a=orig b=reply; else a=reply b=orig; fi
	expect_eq "events captured" "$(grep -c . "$f")" 7
	expect_eq "events of the flow" "$(jq -c "select(.dport == $port)" "$f" | grep -c .)" 7
	expect_eq "event old_state->state dir" \
		"$(jq_lines "$f" '"\(.event) \(.old_state)->\(.state) \(.dir)"')" \
		"SYN NONE->SYN_SENT orig; SYN_ACK SYN_SENT->SYN_RECV reply; ESTABLISHED SYN_RECV->ESTABLISHED orig; FIN ESTABLISHED->FIN_WAIT_1 $a; FIN_ACKED FIN_WAIT_1->FIN_WAIT_2 $b; FIN FIN_WAIT_2->LAST_ACK $b; TIME_WAIT LAST_ACK->TIME_WAIT $a"
	expect_eq "flags" "$(jq_lines "$f" .flags)" "S; SA; A; FA; A; FA; A"
	# The numbers from the wire, relative to the ISNs the events carry: x
	# is isn_orig, y isn_reply, and the FINs are relative to their sender's.
	rel=$(jq -s -r "$JQ_DEFS"'
		. as $e | $e[0].isn_orig as $x | $e[1].isn_reply as $y
		| (if $e[3].dir == "orig" then $x else $y end) as $f1
		| (if $e[5].dir == "orig" then $x else $y end) as $f2
		| "syn.seq=x+\(d($e[0].seq; $x))",
		  "synack.seq=y+\(d($e[1].seq; $y))",
		  "synack.ack=x+\(d($e[1].ack; $x))",
		  "established.seq=x+\(d($e[2].seq; $x))",
		  "established.ack=y+\(d($e[2].ack; $y))",
		  "fin1.seq=isn+\(d($e[3].seq; $f1))",
		  "fin1_acked.ack-fin1.seq=\(d($e[4].ack; $e[3].seq))",
		  "fin2.seq=isn+\(d($e[5].seq; $f2))",
		  "closed.ack-fin2.seq=\(d($e[6].ack; $e[5].seq))"' "$f" | tr '\n' ' ')
	expect_eq "relative numbers" "$rel" "syn.seq=x+0 synack.seq=y+0 synack.ack=x+1 established.seq=x+1 established.ack=y+1 fin1.seq=isn+17 fin1_acked.ack-fin1.seq=1 fin2.seq=isn+17 closed.ack-fin2.seq=1 "
	same=$(jq -s -r '
		"event_seq steps \([range(1; length) as $i | .[$i].event_seq - .[$i - 1].event_seq] | unique)",
		"ts_ns going back \([range(1; length) as $i | select(.[$i].ts_ns < .[$i - 1].ts_ns)] | length)",
		"flow ids \([.[].flow_id] | unique | length)",
		"isn_orig values \([.[].isn_orig] | unique | length)",
		"isn_reply values \([.[1:][].isn_reply] | unique | length), before the SYN-ACK \(.[0] | has("isn_reply"))"' "$f" |
		tr '\n' ' ')
	expect_eq "per flow" "$same" "event_seq steps [1] ts_ns going back 0 flow ids 1 isn_orig values 1 isn_reply values 1, before the SYN-ACK false "
	expect_eq "final history conn_state end opener closer" \
		"$(jq -s -r '.[-1] | "\(.history) \(.conn_state) \(.end) \(.opener) \(.closer)"' "$f")" \
		"$history SF fin orig $closer"
}

# check_4way_text FILE SRC DST CLOSER: the same seven events as text, with
# the numbers written x+N and y+N.
check_4way_text() {
	f=$1 src=$2 dst=$3 closer=$4
	if [ "$closer" = orig ]; then
		a=orig b=reply c=x o=y
	else
		a=reply b=orig c=y o=x
	fi
	expect_eq "text lines" "$(grep -c . "$f")" 7
	# The arrow follows the segment: the reply's lines read DST > SRC.
	expect_eq "text endpoints, orig" \
		"$(awk '$6 == "orig" { print $3, $4, $5 }' "$f" | sort -u)" "$src > $dst"
	expect_eq "text endpoints, reply" \
		"$(awk '$6 == "reply" { print $3, $4, $5 }' "$f" | sort -u)" "$dst > $src"
	got=$(awk '{ print $6, $7, $8, $9, $10, $11, $12, $13 }' "$f")
	want="orig SYN NONE -> SYN_SENT flags=S seq=x ack=-
reply SYN_ACK SYN_SENT -> SYN_RECV flags=SA seq=y ack=x+1
orig ESTABLISHED SYN_RECV -> ESTABLISHED flags=A seq=x+1 ack=y+1
$a FIN ESTABLISHED -> FIN_WAIT_1 flags=FA seq=$c+17 ack=$o+17
$b FIN_ACKED FIN_WAIT_1 -> FIN_WAIT_2 flags=A seq=$o+17 ack=$c+18
$b FIN FIN_WAIT_2 -> LAST_ACK flags=FA seq=$o+17 ack=$c+18
$a TIME_WAIT LAST_ACK -> TIME_WAIT flags=A seq=$c+18 ack=$o+18"
	if [ "$got" = "$want" ]; then
		log "ok: text events with x+N/y+N numbers"
	else
		fail "text events differ:"
		printf '%s\n--- want\n%s\n' "$got" "$want"
	fi
	grep -q 'SYN_ACK .* seq=y ack=x+1 syn-synack=[0-9]*\.[0-9][0-9][0-9]ms\( owner=orig .*\)\{0,1\}$' "$f" ||
		fail "SYN-ACK line: $(grep SYN_ACK "$f")"
	grep -q 'ESTABLISHED SYN_RECV .* ack=y+1 syn-synack=[0-9]*\.[0-9][0-9][0-9]ms synack-ack=[0-9]*\.[0-9][0-9][0-9]ms\( owner=orig .*\)\{0,1\}$' "$f" ||
		fail "ESTABLISHED line: $(grep 'ESTABLISHED SYN_RECV' "$f")"
}

# four_way NS_SRV NS_CLI ADDR PORT CLOSER HISTORY [tcpconn options]: the
# JSON and the text reader in the client's namespace, one connection.
four_way() {
	srv=$1 cli=$2 addr=$3 port=$4 closer=$5 history=$6
	shift 6
	reader "$cli" /tmp/rd.json --json --count 7
	rj=$READER
	reader "$cli" /tmp/rd.txt --count 7
	rt=$READER
	conn "$srv" "$cli" "$addr" "$port" "$@"
	wait_exit $rj 5
	expect_eq "JSON reader exit status" "$WAIT_RC" 0
	wait_exit $rt 5
	expect_eq "text reader exit status" "$WAIT_RC" 0
	[ -n "$CPORT" ] || return
	caddr=$(jq -r -s '.[0].saddr' /tmp/rd.json)
	log "client $caddr port $CPORT"
	expect_eq "client port in the events" "$(jq -r -s '[.[].sport] | unique | .[]' /tmp/rd.json)" "$CPORT"
	check_4way /tmp/rd.json "$port" "$closer" "$history"
	check_4way_text /tmp/rd.txt "$(endpoint "$caddr" "$CPORT")" "$(endpoint "$addr" "$port")" "$closer"
	grep -q "^tcphs: received 7 events, lost 0$" /tmp/rd.json.err ||
		fail "reader's summary: $(cat /tmp/rd.json.err)"
}

test_loopback_ipv4() {
	mk_ns lo4
	four_way lo4 lo4 127.0.0.1 8401 orig ShADadFf
}

test_loopback_ipv6() {
	mk_ns lo6
	four_way lo6 lo6 ::1 8402 orig ShADadFf
}

test_veth_ipv4() {
	mk_ns cli
	mk_ns srv
	veth_pair cli srv
	four_way srv cli 10.0.0.2 8403 orig ShADadFf
}

test_veth_ipv6() {
	mk_ns cli
	mk_ns srv
	veth_pair cli srv
	four_way srv cli fd00::2 8404 orig ShADadFf
}

test_server_closes_first() {
	mk_ns sf
	four_way sf sf 127.0.0.1 8405 reply ShADadfF --server-first
}

# The 32-bit arithmetic of the checks above, across the wrap: x = 2^32-1,
# y = 2^32-6, events as a 4-way close with 16 bytes each way would give.
test_wrap_arithmetic() {
	got=$(jq -n -r "$JQ_DEFS"' "\(d(0; 4294967295)) \(d(16; 4294967290)) \(d(4294967295; 0)) \(d(5; 5))"')
	expect_eq "d(0; 2^32-1) d(16; 2^32-6) d(2^32-1; 0) d(5; 5)" "$got" "1 22 4294967295 0"
	x=4294967295 y=4294967290
	{
		ev 1 SYN orig S $x 0 NONE SYN_SENT
		ev 2 SYN_ACK reply SA $y 0 SYN_SENT SYN_RECV
		ev 3 ESTABLISHED orig A 0 4294967291 SYN_RECV ESTABLISHED
		ev 4 FIN orig FA 16 11 ESTABLISHED FIN_WAIT_1
		ev 5 FIN_ACKED reply A 11 17 FIN_WAIT_1 FIN_WAIT_2
		ev 6 FIN reply FA 11 17 FIN_WAIT_2 LAST_ACK
		ev 7 TIME_WAIT orig A 17 12 LAST_ACK TIME_WAIT
	} >/tmp/wrap.json
	check_4way /tmp/wrap.json 1 orig ShADadFf
}

# ev N EVENT DIR FLAGS SEQ ACK OLD NEW: a made-up event of flow 9 for
# test_wrap_arithmetic (x and y are its ISNs).
ev() {
	isn_reply=
	[ "$1" -gt 1 ] && isn_reply=",\"isn_reply\":$y"
	printf '{"event":"%s","event_seq":%s,"ts_ns":%s,"flow_id":9,"sport":2,"dport":1,"dir":"%s","flags":"%s","seq":%s,"ack":%s,"old_state":"%s","state":"%s","isn_orig":%s%s,"history":"ShADadFf","conn_state":"SF","end":"fin","opener":"orig","closer":"orig"}\n' \
		"$2" "$1" "$1" "$3" "$4" "$5" "$6" "$7" "$8" "$x" "$isn_reply"
}

test_reset_by_client() {
	mk_ns rst
	reader rst /tmp/rd.json --json --count 4
	serve_new rst 127.0.0.1 8406 || return
	in_ns rst "$TCPCONN" connect 127.0.0.1 8406 --rst >/dev/null
	wait "$SERVER_PID"
	wait_exit "$READER" 5
	f=/tmp/rd.json
	expect_eq "events" "$(jq_lines $f '"\(.event) \(.old_state)->\(.state) \(.dir) \(.flags)"')" \
		"SYN NONE->SYN_SENT orig S; SYN_ACK SYN_SENT->SYN_RECV reply SA; ESTABLISHED SYN_RECV->ESTABLISHED orig A; RST ESTABLISHED->CLOSED orig RA"
	expect_eq "RST seq (after 16 bytes)" \
		"$(jq -s -r "$JQ_DEFS"' "x+\(d(.[3].seq; .[0].isn_orig))"' $f)" "x+17"
	expect_eq "event_seq steps" \
		"$(jq -s -c '[range(1; length) as $i | .[$i].event_seq - .[$i - 1].event_seq] | unique' $f)" "[1]"
	expect_eq "final conn_state end" "$(jq -s -r '.[-1] | "\(.conn_state) \(.end)"' $f)" "RSTO rst-orig"
}

test_refused() {
	mk_ns ref
	reader ref /tmp/rd.json --json --count 2
	rj=$READER
	reader ref /tmp/rd.txt --count 2
	rt=$READER
	out=$(in_ns ref "$TCPCONN" connect 127.0.0.1 8407)
	expect_eq client "$out" refused
	wait_exit $rj 5
	wait_exit $rt 5
	f=/tmp/rd.json
	expect_eq "events" "$(jq_lines $f '"\(.event) \(.old_state)->\(.state) \(.dir)"')" \
		"SYN NONE->SYN_SENT orig; RST SYN_SENT->CLOSED reply"
	expect_eq "RST acks the SYN" \
		"$(jq -s -r "$JQ_DEFS"' "x+\(d(.[1].ack; .[0].isn_orig))"' $f)" "x+1"
	expect_eq "no responder ISN" "$(jq -s -r '[.[] | has("isn_reply")] | any' $f)" false
	expect_eq "final conn_state end history" \
		"$(jq -s -r '.[-1] | "\(.conn_state) \(.end) \(.history)"' $f)" "REJ rst-reply Sr"
	expect_eq "text" "$(awk '{ print $6, $7, $8, $9, $10, $11, $12, $13 }' /tmp/rd.txt | tr '\n' ';')" \
		"orig SYN NONE -> SYN_SENT flags=S seq=x ack=-;reply RST SYN_SENT -> CLOSED flags=RA seq=0 ack=x+1;"
}

# Every line of events --json and list --json is one JSON object.
json_lines_ok() {
	lines=$(grep -c . "$1")
	objs=$(jq -R 'fromjson | type == "object"' "$1" 2>/dev/null | grep -c '^true$')
	expect_eq "JSON objects in $2 ($lines lines)" "$objs" "$lines"
	[ "$lines" -gt 0 ] || fail "$2 printed nothing"
}

test_json_parses() {
	mk_ns js
	reader js /tmp/rd.json --json
	rj=$READER
	reader js /tmp/rd.wall.json --json --wall --raw
	rw=$READER
	conn js js 127.0.0.1 8408
	conn js js ::1 8408 --server-first
	in_ns js "$TCPCONN" connect 127.0.0.1 8409 >/dev/null
	serve_new js 127.0.0.1 8408 --count 5 || return
	in_ns js "$TCPCONN" connect 127.0.0.1 8408 --count 5 --parallel --rst >/dev/null
	wait "$SERVER_PID"
	sleep 0.3
	reader_stop $rj
	reader_stop $rw
	json_lines_ok /tmp/rd.json "events --json"
	json_lines_ok /tmp/rd.wall.json "events --json --wall --raw"
	in_ns js tcphs list --json >/tmp/list.json
	json_lines_ok /tmp/list.json "list --json"
	expect_eq "flows listed" "$(grep -c . /tmp/list.json)" 8
	in_ns js tcphs stats --json >/tmp/stats.json
	json_lines_ok /tmp/stats.json "stats --json"
	expect_eq "events as counted" "$(jq .events /tmp/stats.json)" \
		"$(jq -s 'length' /tmp/rd.json)"
	# Keys that are always there, null when unknown.
	expect_eq "keys of every event" \
		"$(jq -c '[has("event", "event_seq", "ts_ns", "flow_id", "netns", "family", "saddr", "sport", "daddr", "dport", "dir", "flags", "seq", "ack", "old_state", "state", "conn_state", "history")] | all' /tmp/rd.json | sort -u)" true
	expect_eq "wall_ns with --wall" "$(jq -c 'has("wall_ns")' /tmp/rd.wall.json | sort -u)" true
}

test_ladder() {
	mk_ns lad
	reader lad /tmp/ladder.txt --ladder --no-times --count 1
	conn lad lad 127.0.0.1 8421
	wait_exit "$READER" 5
	expect_eq "ladder reader exit status" "$WAIT_RC" 0
	sed '1s/^flow [0-9][0-9]*  127\.0\.0\.1:[0-9][0-9]* -> /flow N  127.0.0.1:CPORT -> /' \
		/tmp/ladder.txt >/tmp/ladder.norm
	if cmp -s /tmp/ladder.norm "$EXPECTED/ladder-4way.txt"; then
		log "ok: the drawing is $EXPECTED/ladder-4way.txt"
	else
		fail "the drawing differs from $EXPECTED/ladder-4way.txt:"
		diff "$EXPECTED/ladder-4way.txt" /tmp/ladder.norm
	fi
	expect_match "first line" "$(head -n1 /tmp/ladder.txt)" \
		"^flow [0-9]+  127\\.0\\.0\\.1:$CPORT -> 127\\.0\\.0\\.1:8421  \\(SF, ShADadFf\\)\$"

	# A flow still open when the reader stops is drawn as it is.
	serve_new lad 127.0.0.1 8422 --timeout 60 || return
	reader lad /tmp/ladder-open.txt --ladder --no-times
	ip netns exec lad "$TCPCONN" connect 127.0.0.1 8422 --wait 60000 --timeout 60 >/dev/null &
	holder=$!
	wait_for 10 sh -c 'ip netns exec lad cat /proc/tcphs | grep -q ":8422 *ESTABLISHED"' ||
		fail "no ESTABLISHED flow for port 8422"
	reader_stop "$READER"
	kill "$holder" 2>/dev/null
	wait "$holder" "$SERVER_PID" 2>/dev/null
	sed 's/^/    | /' /tmp/ladder-open.txt
	expect_eq "open flow: the rungs" \
		"$(grep -c '|-------\||<------' /tmp/ladder-open.txt)" 3
	expect_match "open flow: the last states" "$(grep 'ACK ack=y+1' /tmp/ladder-open.txt)" \
		'^ESTABLISHED +\|-+ ACK ack=y\+1 -+>\| ESTABLISHED$'
	expect_match "open flow: marked" "$(grep -c '(still open)' /tmp/ladder-open.txt)" '^1$'
	expect_match "open flow: reported" "$(cat /tmp/ladder-open.txt.err)" '1 flow still open, drawn as they are'
}

# ids NS ARGS...: the flow ids `tcphs list --json ARGS` gives, sorted.
ids() {
	ns=$1
	shift
	in_ns "$ns" tcphs list --json "$@" | jq -r .flow_id | sort -n | tr '\n' ' '
}

# proc_ids NS AWK_CONDITION: the ids of the /proc/tcphs lines that match.
proc_ids() {
	proc_table "$1" | awk "NR > 1 && ($2) { print \$1 }" | sort -n | tr '\n' ' '
}

established_8435() {
	proc_table lst | awk '$4 == "127.0.0.1:8435" && $5 == "ESTABLISHED"' | grep -q .
}

test_list_filters() {
	mk_ns lst
	conn lst lst 127.0.0.1 8431
	conn lst lst ::1 8432
	in_ns lst "$TCPCONN" connect 127.0.0.1 8433 >/dev/null
	in_ns lst "$TCPCONN" connect ::1 8434 >/dev/null
	# One connection stays open meanwhile (killed at the end: the hold
	# only has to outlast the test on a slow, loaded machine).
	serve_new lst 127.0.0.1 8435 --timeout 600 || return
	ip netns exec lst "$TCPCONN" connect 127.0.0.1 8435 --wait 600000 --timeout 600 >/dev/null &
	holder=$!
	wait_for 5 established_8435 || fail "no ESTABLISHED flow for port 8435"
	proc_table lst | sed 's/^/    | /'

	expect_eq "all flows" "$(ids lst)" "$(proc_ids lst 1)"
	expect_eq "flows" "$(ids lst | wc -w)" 5
	expect_eq "--port 8431" "$(ids lst --port 8431)" "$(proc_ids lst '$4 ~ /:8431$/')"
	expect_eq "--port 8431 count" "$(ids lst --port 8431 | wc -w)" 1
	expect_eq "--port of the client" "$(ids lst --port "$CPORT")" "$(proc_ids lst "\$3 ~ /:$CPORT\$/")"
	expect_eq "--family 6" "$(ids lst --family 6)" "$(proc_ids lst '$2 == "ipv6"')"
	expect_eq "--family 6 count" "$(ids lst --family 6 | wc -w)" 2
	expect_eq "--family 4" "$(ids lst --family 4)" "$(proc_ids lst '$2 == "ipv4"')"
	expect_eq "--addr ::1" "$(ids lst --addr ::1)" "$(proc_ids lst '$2 == "ipv6"')"
	expect_eq "--addr 127.0.0.1" "$(ids lst --addr 127.0.0.1)" "$(proc_ids lst '$2 == "ipv4"')"
	expect_eq "--addr 10.9.9.9" "$(ids lst --addr 10.9.9.9)" ""
	expect_eq "--state CLOSED" "$(ids lst --state CLOSED)" "$(proc_ids lst '$5 == "CLOSED"')"
	expect_eq "--state CLOSED count" "$(ids lst --state CLOSED | wc -w)" 2
	expect_eq "--state time-wait" "$(ids lst --state time-wait)" "$(proc_ids lst '$5 == "TIME_WAIT"')"
	expect_eq "--state time-wait count" "$(ids lst --state time-wait | wc -w)" 2
	expect_eq "--state ESTABLISHED" "$(ids lst --state ESTABLISHED)" \
		"$(proc_ids lst '$4 == "127.0.0.1:8435" && $5 == "ESTABLISHED"')"
	expect_eq "--state ESTABLISHED count" "$(ids lst --state ESTABLISHED | wc -w)" 1
	expect_eq "--state SYN_SENT" "$(ids lst --state SYN_SENT)" ""
	expect_eq "--family 4 --state CLOSED" "$(ids lst --family 4 --state CLOSED)" \
		"$(proc_ids lst '$4 == "127.0.0.1:8433"')"
	expect_eq "--addr ::1 --port 8432" "$(ids lst --addr ::1 --port 8432)" \
		"$(proc_ids lst '$4 == "[::1]:8432"')"
	# Lists, ranges, prefixes, negation and groups, which the kernel's
	# dump cannot select: the reader does.
	expect_eq "--port 8431,8433" "$(ids lst --port 8431,8433)" \
		"$(proc_ids lst '$4 ~ /:843[13]$/')"
	expect_eq "--port 8431 --port 8433" "$(ids lst --port 8431 --port 8433)" \
		"$(proc_ids lst '$4 ~ /:843[13]$/')"
	expect_eq "--dport 8432-8434" "$(ids lst --dport 8432-8434)" \
		"$(proc_ids lst '$4 ~ /:843[234]$/')"
	expect_eq "--sport 8431 (a responder's port)" "$(ids lst --sport 8431)" ""
	expect_eq "-d 127.0.0.0/8" "$(ids lst -d 127.0.0.0/8)" "$(proc_ids lst '$2 == "ipv4"')"
	expect_eq "-s ::1/128" "$(ids lst -s ::1/128)" "$(proc_ids lst '$2 == "ipv6"')"
	expect_eq "-a '!127.0.0.0/8'" "$(ids lst -a '!127.0.0.0/8')" "$(proc_ids lst '$2 == "ipv6"')"
	expect_eq "--state finished" "$(ids lst --state finished)" \
		"$(proc_ids lst '$5 == "CLOSED" || $5 == "TIME_WAIT"')"
	expect_eq "--state '!finished'" "$(ids lst --state '!finished')" \
		"$(proc_ids lst '$5 == "ESTABLISHED"')"
	expect_eq "-6 --state CLOSED,TIME_WAIT" "$(ids lst -6 --state CLOSED,TIME_WAIT)" \
		"$(proc_ids lst '$2 == "ipv6"')"
	expect_eq "-j before the command" "$(in_ns lst tcphs -j l --port 8431 | jq -r .dport)" 8431

	# The text form: a header, then the same flows.
	in_ns lst tcphs list --port 8432 >/tmp/list.txt
	expect_match "text header" "$(head -n1 /tmp/list.txt)" \
		'^ *ID ORIG +REPLY +STATE +CONN_STATE HISTORY +AGE TIMEOUT SYN_SYNACK_MS SYNACK_ACK_MS$'
	expect_eq "text flows" "$(sed 1d /tmp/list.txt | awk '{ print $1 }' | tr '\n' ' ')" \
		"$(ids lst --port 8432)"
	expect_match "text line" "$(sed -n 2p /tmp/list.txt)" \
		'^ *[0-9]+ \[::1\]:[0-9]+ \[::1\]:8432 TIME_WAIT SF +ShADadFf +[0-9]+\.[0-9] +[0-9]+ +[0-9]+\.[0-9]{3} +[0-9]+\.[0-9]{3}$'
	# The timeout column is /proc/tcphs's, the age a flow's time since its SYN.
	lt=$(in_ns lst tcphs list -o id,timeout --no-header --port 8435 | awk '{ print $2 }')
	pt=$(proc_table lst | awk '$4 == "127.0.0.1:8435" { print $24 }')
	log "timeout of the open flow: list $lt, /proc $pt"
	expect_eq "timeout, list and /proc within a second" \
		"$(awk -v a="$lt" -v b="$pt" 'BEGIN { d = a - b; print (a > 0 && d <= 1 && d >= -1) ? "yes" : "no" }')" yes
	expect_match "--no-header -o id,state" "$(in_ns lst tcphs list --no-header -o id,state --port 8432)" \
		'^ *[0-9]+ TIME_WAIT$'
	expect_eq "--wide: every column" "$(in_ns lst tcphs list --wide | head -n1 | wc -w)" 29
	expect_eq "JSON timeout" "$(in_ns lst tcphs list -j --port 8435 | jq -r '.timeout | type')" number
	in_ns lst tcphs list >/tmp/list.txt
	expect_eq "text flows, all" "$(sed 1d /tmp/list.txt | awk '{ print $1 }' | sort -n | tr '\n' ' ')" \
		"$(ids lst)"
	# Each JSON flow says what /proc/tcphs says.
	in_ns lst tcphs list --json | jq -r '"\(.flow_id) \(.state) \(.conn_state) \(.history)"' |
		sort -n >/tmp/list.cmp
	proc_table lst | awk 'NR > 1 { print $1, $5, $6, $7 }' | sort -n >/tmp/proc.cmp
	cmp -s /tmp/list.cmp /tmp/proc.cmp || { fail "list and /proc/tcphs differ"; diff /tmp/list.cmp /tmp/proc.cmp; }
	kill "$holder" 2>/dev/null
	wait "$holder" 2>/dev/null
}

test_stats() {
	mk_ns st
	conn st st 127.0.0.1 8436
	in_ns st "$TCPCONN" connect 127.0.0.1 8437 >/dev/null
	reader st /tmp/rd.json --json
	conn st st ::1 8436
	sleep 0.3
	reader_stop "$READER"
	in_ns st tcphs stats --json >/tmp/stats.json
	in_ns st tcphs stats >/tmp/stats.txt
	for name in packets ignored malformed fragments new invalid retrans table_full \
		    evicted timeout nomem events event_drop; do
		v=$(jq ".$name" /tmp/stats.json)
		expect_eq "$name" "$v" "$(stat_sum st "$name")"
		expect_eq "$name (text)" "$(awk -v n="$name" '$1 == n { print $2 }' /tmp/stats.txt)" "$v"
	done
	expect_eq "new" "$(jq .new /tmp/stats.json)" 3
	expect_eq "events (one listener for the last 7)" "$(jq .events /tmp/stats.json)" 7
	flows=$(($(proc_table st | wc -l) - 1))
	expect_eq "flows" "$(jq .flows /tmp/stats.json)" "$flows"
	expect_eq "flows column of /proc/net/stat/tcphs" \
		"$(printf '%d' "0x$(in_ns st cat /proc/net/stat/tcphs | sed -n 2p | awk '{ print $1 }')")" "$flows"
	expect_eq "netns" "$(jq .netns /tmp/stats.json)" "$(jq -s '.[0].netns' /tmp/rd.json)"
	expect_eq "netns is the namespace's inode" "$(jq .netns /tmp/stats.json)" \
		"$(in_ns st stat -L -c %i /proc/self/ns/net)"
}

# Lost events are counted exactly: what the reader printed plus what it
# says it lost is what the module generated meanwhile.
output_settled() {
	a=$(wc -c <"$1")
	sleep 0.3
	[ "$a" = "$(wc -c <"$1")" ]
}

marker_seen() {
	grep -q '"event":"TIME_WAIT".*"dport":8442' /tmp/loss.json
}

test_loss_accounting() {
	mk_ns loss
	reader loss /tmp/loss.json --json --rcvbuf 4096
	before=$(in_ns loss tcphs stats --json)
	kill -STOP "$READER"
	serve_new loss 127.0.0.1 8441 --count 50 || { kill -CONT "$READER"; return; }
	in_ns loss "$TCPCONN" connect 127.0.0.1 8441 --count 50 >/dev/null
	wait "$SERVER_PID"
	kill -CONT "$READER"
	wait_for 10 output_settled /tmp/loss.json
	# One more connection once the reader caught up, so that the events
	# lost at the end of the burst are seen as a gap too.
	conn loss loss 127.0.0.1 8442
	wait_for 5 marker_seen || fail "the reader did not see the last connection"
	after=$(in_ns loss tcphs stats --json)
	reader_stop "$READER"
	expect_eq "reader exit status" "$WAIT_RC" 0
	cat /tmp/loss.json.err | sed 's/^/    | /'

	sent=$(($(echo "$after" | jq .events) - $(echo "$before" | jq .events)))
	dropped=$(($(echo "$after" | jq .event_drop) - $(echo "$before" | jq .event_drop)))
	summary=$(grep '^tcphs: received [0-9]* events, lost [0-9]*$' /tmp/loss.json.err)
	received=$(echo "$summary" | awk '{ print $3 }')
	lost=$(echo "$summary" | awk '{ print $6 }')
	printed=$(jq -c 'select(has("event"))' /tmp/loss.json | grep -c .)
	lost_json=$(jq -s '[.[] | .lost // empty] | add // 0' /tmp/loss.json)
	span=$(jq -s '[.[] | .event_seq // empty] | (max - min + 1)' /tmp/loss.json)
	log "module: $sent sent, $dropped dropped; reader: printed $printed, received $received, lost $lost (JSON: $lost_json); event_seq span $span"
	[ -n "$summary" ] || fail "no summary: $(cat /tmp/loss.json.err)"
	expect_eq "events the module generated" "$((sent + dropped))" $((51 * 7))
	expect_eq "printed = received" "$printed" "$received"
	expect_eq "printed + lost = generated (events + event_drop)" \
		"$((printed + lost))" "$((sent + dropped))"
	expect_eq "event_seq span = generated" "$span" "$((sent + dropped))"
	# How the module splits them: an event no listener could take (its
	# buffer full) comes back as -ESRCH, which it counts as sent.
	[ "$lost" = "$dropped" ] ||
		log "note: the module counted $dropped dropped, the reader lost $lost"
	[ "$lost" -gt 0 ] || fail "nothing was lost: the buffer did not overflow"
	if grep -q 'out of order' /tmp/loss.json.err; then
		log "events came out of order: the JSON lost lines count them twice"
	else
		expect_eq "lost, from the JSON lines" "$lost_json" "$lost"
	fi
	json_lines_ok /tmp/loss.json "events --json with losses"
}

# The time of an event line: wall clock by default, ISO 8601 with -o iso,
# CLOCK_MONOTONIC with -o mono; JSON's ts is the epoch's seconds.
test_time_formats() {
	mk_ns tf
	reader tf /tmp/tf.txt --count 3
	r1=$READER
	reader tf /tmp/tf.iso --count 3 -o iso --utc
	r2=$READER
	reader tf /tmp/tf.mono --count 3 -o mono
	r3=$READER
	reader tf /tmp/tf.json --count 3 --json
	r4=$READER
	now=$(date +%s)
	conn tf tf 127.0.0.1 8471
	for r in $r1 $r2 $r3 $r4; do
		wait_exit "$r" 10
	done
	sed -n 1p /tmp/tf.txt /tmp/tf.iso /tmp/tf.mono | sed 's/^/    | /'
	expect_eq "wall-clock lines" "$(grep -cE '^[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6} flow=' /tmp/tf.txt)" 3
	expect_eq "ISO 8601 lines, UTC" \
		"$(grep -cE '^[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{6}Z flow=' /tmp/tf.iso)" 3
	expect_eq "ISO date is today's (UTC)" "$(cut -c1-10 /tmp/tf.iso | sort -u)" "$(date -u +%Y-%m-%d)"
	mono=$(awk '{ print $1 }' /tmp/tf.mono | head -n1)
	up=$(cut -d' ' -f1 /proc/uptime)
	expect_eq "-o mono is CLOCK_MONOTONIC (within 60 s of the uptime)" \
		"$(awk -v m="$mono" -v u="$up" 'BEGIN { d = u - m; print (d >= 0 && d < 60) ? "yes" : d }')" yes
	expect_eq "JSON ts within 60 s of date +%s" \
		"$(jq -r --argjson now "$now" 'if (.ts - $now | fabs) < 60 then "yes" else .ts end' /tmp/tf.json | sort -u)" yes
	expect_eq "JSON ts is ts_ns's wall clock to the microsecond" \
		"$(jq -s -r '[.[] | .ts - (.ts_ns / 1e9)] | (max - min) < 0.001' /tmp/tf.json)" true
	# The SYN-ACK's line reads server > client.
	expect_match "SYN-ACK arrow" "$(grep SYN_ACK /tmp/tf.txt)" \
		"flow=[0-9]+ 127\.0\.0\.1:8471 > 127\.0\.0\.1:$CPORT reply SYN_ACK "
}

# events: --timeout before --count is status 3; --strict stops at a loss
# with status 4.
test_exit_statuses() {
	mk_ns xst
	in_ns xst tcphs events --count 5 --timeout 0.5 >/dev/null 2>/tmp/xst.err
	expect_eq "--count 5 --timeout 0.5, no traffic: status" "$?" 3
	expect_match "timeout message" "$(cat /tmp/xst.err)" 'timed out before 5 events'
	in_ns xst tcphs events --timeout 0.5 >/dev/null 2>&1
	expect_eq "--timeout alone: status" "$?" 0
	conn xst xst 127.0.0.1 8461 &
	in_ns xst tcphs events --count 3 --timeout 30 >/dev/null 2>&1
	expect_eq "--count 3 reached before the timeout: status" "$?" 0
	wait

	reader xst /tmp/xst.json --json --strict --rcvbuf 4096
	kill -STOP "$READER"
	serve_new xst 127.0.0.1 8462 --count 50 || { kill -CONT "$READER"; return; }
	in_ns xst "$TCPCONN" connect 127.0.0.1 8462 --count 50 >/dev/null
	wait "$SERVER_PID"
	kill -CONT "$READER"
	# The loss is seen at the next event after the gap.
	conn xst xst 127.0.0.1 8463
	wait_exit "$READER" 10
	expect_eq "--strict after a loss: status" "$WAIT_RC" 4
	expect_match "--strict message" "$(cat /tmp/xst.json.err)" 'events were lost \(--strict\)'
}

# Privileges: an unprivileged user may read the counters, nothing else.
test_unprivileged() {
	conn "" "" 127.0.0.1 8451
	in_ns "" "$TCPCONN" connect 127.0.0.1 8452 >/dev/null
	before=$(proc_table "" | awk '$4 ~ /:845[12]$/ { print $1, $5 }')
	expect_eq "flows on 8451 and 8452" "$(echo "$before" | grep -c .)" 2
	log "flows: $(echo "$before" | tr '\n' ' ')"

	out=$(as_nobody tcphs flush 2>&1)
	rc=$?
	log "flush: $out"
	[ $rc != 0 ] || fail "flush succeeded for nobody"
	expect_match "flush message" "$out" '^tcphs: permission denied'
	[ "$(proc_table "" | awk '$4 ~ /:845[12]$/ { print $1, $5 }')" = "$before" ] ||
		fail "the flows changed after the refused flush"

	out=$(as_nobody tcphs list 2>&1)
	rc=$?
	log "list: $out"
	[ $rc != 0 ] || fail "list succeeded for nobody"
	expect_match "list message" "$out" '^tcphs: permission denied'

	out=$(as_nobody tcphs events --timeout 3 2>&1)
	rc=$?
	log "events ($(events_access)): $out"
	case $(events_access) in
	closed)
		[ $rc != 0 ] || fail "events succeeded for nobody"
		expect_match "events message" "$out" '^tcphs: permission denied'
		;;
	absent)
		[ $rc != 0 ] || fail "events succeeded for nobody"
		expect_match "events message" "$out" 'no "events" multicast group'
		;;
	open)
		# unsafe_unrestricted_events: what the administrator accepted.
		expect_eq "events exit status for nobody (unsafe_unrestricted_events)" "$rc" 0
		;;
	esac

	out=$(as_nobody tcphs stats 2>&1)
	rc=$?
	expect_eq "stats exit status for nobody" "$rc" 0
	expect_match "stats for nobody" "$(echo "$out" | head -n1)" '^packets +[0-9]+$'
}

test_flush() {
	mk_ns fl
	mk_ns other
	serve_new fl 127.0.0.1 8453 --count 3 || return
	in_ns fl "$TCPCONN" connect 127.0.0.1 8453 --count 3 >/dev/null
	wait "$SERVER_PID"
	in_ns fl "$TCPCONN" connect ::1 8454 >/dev/null
	in_ns other "$TCPCONN" connect 127.0.0.1 8455 >/dev/null
	n=$(($(proc_table fl | wc -l) - 1))
	expect_eq "flows before" "$n" 4
	other=$(proc_table_still other)
	out=$(in_ns fl tcphs flush)
	expect_eq "flush" "$out" "flushed $n flows"
	expect_eq "lines of /proc/tcphs after (the header)" "$(proc_table fl | wc -l)" 1
	expect_eq "tcphs list after" "$(in_ns fl tcphs list --json | grep -c .)" 0
	expect_eq "flows count" "$(in_ns fl tcphs stats --json | jq .flows)" 0
	[ "$(proc_table_still other)" = "$other" ] ||
		fail "the flush changed the other namespace's flows"
	expect_eq "flush again" "$(in_ns fl tcphs flush)" "flushed 0 flows"
}

# A reader sees the flows of its own namespace only.
test_namespaces() {
	mk_ns nsa
	mk_ns nsb
	reader nsa /tmp/rd.json --json
	conn nsb nsb 127.0.0.1 8461
	conn nsa nsa 127.0.0.1 8462
	sleep 0.3
	reader_stop "$READER"
	netns_a=$(in_ns nsa tcphs stats --json | jq .netns)
	netns_b=$(in_ns nsb tcphs stats --json | jq .netns)
	[ "$netns_a" != "$netns_b" ] || fail "both namespaces are $netns_a"
	expect_eq "events seen in nsa" "$(grep -c . /tmp/rd.json)" 7
	expect_eq "their ports" "$(jq -r .dport /tmp/rd.json | sort -u)" 8462
	expect_eq "their netns" "$(jq -r .netns /tmp/rd.json | sort -u)" "$netns_a"
	expect_eq "nsa lists" "$(in_ns nsa tcphs list --json | jq -r .dport | tr '\n' ' ')" "8462 "
	expect_eq "nsb lists" "$(in_ns nsb tcphs list --json | jq -r .dport | tr '\n' ' ')" "8461 "
	expect_eq "initial namespace lists" "$(tcphs list --json | jq -r 'select(.dport == 8461 or .dport == 8462)' | grep -c .)" 0
	expect_eq "nsa's events counter" "$(in_ns nsa tcphs stats --json | jq .events)" 7
	# Nobody listened in nsb: its events counter should stay 0, but the
	# module counts an event multicast to nobody (-ESRCH) as sent, and
	# builds one whenever any namespace has a listener.
	v=$(in_ns nsb tcphs stats --json | jq .events)
	[ "$v" = 0 ] || log "note: nsb's events counter is $v though nobody listened there"
}

test_module_unloaded() {
	reader "" /tmp/rd.txt
	rd=$READER
	if ! rmmod tcphs; then
		fail "rmmod"
		reader_stop $rd
		return
	fi
	wait_exit $rd 5
	expect_eq "reader exit status" "$WAIT_RC" 0
	log "stderr: $(tr '\n' '|' </tmp/rd.txt.err)"
	grep -q '^tcphs: the tcphs module was unloaded$' /tmp/rd.txt.err ||
		fail "no unload message: $(cat /tmp/rd.txt.err)"
	grep -q '^tcphs: received 0 events, lost 0$' /tmp/rd.txt.err ||
		fail "no summary: $(cat /tmp/rd.txt.err)"
	out=$(tcphs stats 2>&1)
	expect_eq "stats without the module exits" "$?" 2
	expect_match "stats without the module" "$out" 'module is not loaded'
	load_tcphs || fail "insmod again"
	tcphs stats >/dev/null || fail "stats after insmod"
}

# usage_err EXPECTED_MESSAGE ARGS...: tcphs ARGS exits 64 with the message.
usage_err() {
	msg=$1
	shift
	tcphs "$@" >/dev/null 2>/tmp/usage.err
	rc=$?
	out=$(head -n1 /tmp/usage.err)
	expect_eq "tcphs $* exit status" "$rc" 64
	expect_match "tcphs $* message" "$out" "$msg"
}

test_bad_arguments() {
	usage_err "^tcphs: unknown command 'bogus'" bogus
	usage_err "^tcphs: unknown option '--bogus' for 'list'" list --bogus
	usage_err "^tcphs: unknown option '-Z' for 'events'" events -Z
	usage_err "^tcphs: unknown option '--bogus'" --bogus
	usage_err "^tcphs: bad --port '70000'" events --port 70000
	usage_err "^tcphs: bad --port 'abc'" list --port abc
	usage_err "^tcphs: bad --port '-1'" list --port -1
	usage_err "^tcphs: unknown state 'FOO'; valid states: NONE SYN_SENT" list --state FOO
	usage_err "^tcphs: unknown state 'establish'" events --state establish
	usage_err "^tcphs: unknown event 'SYNACK'" events --event SYNACK
	usage_err "^tcphs: option '--state' needs an argument" list --state
	usage_err "^tcphs: bad --family '5'" list --family 5
	usage_err "^tcphs: bad --addr '1.2.3'" list --addr 1.2.3
	usage_err "^tcphs: bad --count '0'" events --count 0
	usage_err "^tcphs: bad --rcvbuf 'lots'" events --rcvbuf lots
	usage_err "^tcphs: unexpected argument 'extra'" stats extra
	usage_err "^tcphs: option '--json' takes no argument" stats --json=yes
	usage_err "^tcphs: --ladder and --json do not go together" events --ladder --json
	usage_err "^tcphs: --addr 127.0.0.1 is an IPv4 address but the family is 6" list --addr 127.0.0.1 --family 6
	usage_err "^tcphs: option '--s' is ambiguous: " list --s 1
	usage_err "^tcphs: bad --proto 'udp': tcphs follows TCP only" events -p udp
	usage_err "^tcphs: --port given both values to keep and values to leave out" list --port 80 --port '!22'
	usage_err "^tcphs: unknown option '--ladder' for 'list'" --ladder list
	usage_err "^tcphs: no command after the options" -j
	usage_err "^tcphs: bad --output 'local'" events -o local
	usage_err "^tcphs: unknown column 'nosuch'; columns: id family" list -o id,nosuch
	usage_err "^tcphs: --wide shows every column" list --wide -o id
	usage_err "^tcphs: unknown command ''" ""
	out=$(tcphs 2>&1)
	expect_eq "tcphs without arguments exit status" "$?" 64
	out=$(tcphs --help)
	expect_eq "tcphs --help exit status" "$?" 0
	expect_match "tcphs --help" "$(echo "$out" | head -n1)" '^Usage: tcphs \[OPTIONS\] COMMAND'
	out=$(tcphs events --help)
	expect_eq "tcphs events --help exit status" "$?" 0
	expect_match "tcphs events --help" "$(echo "$out" | head -n1)" '^Usage: tcphs events'
}

# On a slow kernel a test can outlast linger: keep finished flows for it.
rmmod tcphs && load_tcphs linger=3600 || echo "FAIL: reload with linger=3600"
run_test bad-arguments test_bad_arguments
run_test wrap-arithmetic test_wrap_arithmetic
run_test loopback-ipv4 test_loopback_ipv4
run_test loopback-ipv6 test_loopback_ipv6
run_test veth-ipv4 test_veth_ipv4
run_test veth-ipv6 test_veth_ipv6
run_test server-closes-first test_server_closes_first
run_test reset-by-client test_reset_by_client
run_test refused test_refused
run_test json-parses test_json_parses
run_test ladder test_ladder
run_test list-filters test_list_filters
run_test stats test_stats
run_test loss-accounting test_loss_accounting
run_test exit-statuses test_exit_statuses
run_test time-formats test_time_formats
run_test unprivileged test_unprivileged
run_test flush test_flush
run_test namespaces test_namespaces
run_test module-unloaded test_module_unloaded
rmmod tcphs && load_tcphs || echo "FAIL: reload"
finish
