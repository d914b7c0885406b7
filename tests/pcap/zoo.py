#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0
"""The handshake zoo through `tcphs pcap`, on the host.

Every tests/scenarios/*.scn is written to a pcap file by pktcraft (-n -w,
nothing sent) and read back by `tcphs pcap`, which runs the module's own
fsm.c and history.c. What it reports must be what the scenario expects of
the module in the VM (tests/vm/t_zoo.sh): the events, in order, and every
expected column of the flow. Counters the module keeps as the capture
does are compared too; those only the kernel has (table limits, events
multicast) are not.

    zoo.py TCPHS PKTCRAFT SCENARIO_DIR [NAME...]

Prints one "ok"/"not ok" line per scenario and exits 1 if any failed.
"""

import json
import os
import struct
import subprocess
import sys
import tempfile

# Counters tcphs pcap keeps as the module does for the same segments.
SAME_STATS = {
    "packets", "ignored", "malformed", "fragments", "new", "invalid",
    "retrans", "bad_checksum", "out_of_window", "challenge_ack", "resync",
}


def pcap_to_pcapng(src, dst):
    """The same packets as pcapng (one interface, microsecond times)."""
    with open(src, "rb") as f:
        data = f.read()
    magic, = struct.unpack("<I", data[:4])
    assert magic == 0xa1b2c3d4, "pktcraft writes little-endian microsecond pcap"
    linktype, = struct.unpack("<I", data[20:24])
    out = [struct.pack("<IIIHHqI", 0x0a0d0d0a, 28, 0x1a2b3c4d, 1, 0, -1, 28),
           struct.pack("<IIHHII", 1, 20, linktype, 0, 65535, 20)]
    off = 24
    while off + 16 <= len(data):
        sec, usec, caplen, length = struct.unpack("<IIII", data[off:off + 16])
        pkt = data[off + 16:off + 16 + caplen]
        off += 16 + caplen
        ts = sec * 1000000 + usec
        pad = b"\0" * (-caplen % 4)
        total = 32 + caplen + len(pad)
        out.append(struct.pack("<IIIIIII", 6, total, 0, ts >> 32, ts & 0xffffffff,
                               caplen, length) + pkt + pad + struct.pack("<I", total))
    with open(dst, "wb") as f:
        f.write(b"".join(out))


def endpoint(flow, side):
    addr, port = flow.get(side + "addr"), flow.get(side + "port")
    if addr is None or port is None:
        return "-"
    return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"


def column(flow, name):
    """A /proc/tcphs column of the flow, from its JSON form."""
    if name == "orig":
        return endpoint(flow, "s")
    if name == "reply":
        return endpoint(flow, "d")
    if name == "family":
        return {4: "ipv4", 6: "ipv6"}.get(flow.get("family"), "-")
    value = flow.get(name)
    return "-" if value is None else str(value)


def scenario_endpoint(lines, who):
    for words in lines:
        if words and words[0] == who:
            addr, port = words[1], words[2]
            return f"[{addr}]:{port}" if ":" in addr else f"{addr}:{port}"
    return None


def run_one(tcphs, pktcraft, path, tmp):
    problems = []
    with open(path) as f:
        lines = [l.split("#", 1)[0].split() for l in f]
    lines = [w for w in lines if w]

    pcap = os.path.join(tmp, "zoo.pcap")
    subprocess.run([pktcraft, "-n", "-w", pcap, path], check=True)
    args = []
    for w in lines:
        if w[0] == "param":
            if w[1] == "loose":
                if w[2] == "1":
                    args.append("--loose")
            else:
                return [f"no tcphs pcap option for module parameter {w[1]}"]

    def pcap_json(*extra, file=pcap):
        out = subprocess.run([tcphs, "pcap", "--json", *args, *extra, file],
                             check=True, capture_output=True, text=True).stdout
        return [json.loads(l) for l in out.splitlines() if l.strip()]

    # pcapng says the same as pcap, timestamps and all.
    ng = os.path.join(tmp, "zoo.pcapng")
    pcap_to_pcapng(pcap, ng)
    if pcap_json("--events", file=ng) != pcap_json("--events"):
        problems.append("pcapng and pcap of the same packets differ")

    events = pcap_json("--events")
    got = [f"{e['event']} {e['old_state']} -> {e['state']}" for e in events]
    want = [" ".join(w[1:]) for w in lines if w[0] == "event"]
    if got != want:
        problems.append(f"events: got {got}, want {want}")

    objs = pcap_json("--stats")
    stats, flows = objs[-1], objs[:-1]
    client = scenario_endpoint(lines, "client")
    server = scenario_endpoint(lines, "server")
    mine = [fl for fl in flows
            if {column(fl, "orig"), column(fl, "reply")} == {client, server}]
    flow = mine[-1] if mine else None

    for w in lines:
        if w[0] != "expect":
            continue
        what = w[1]
        if what == "flows":
            if len(flows) != int(w[2]):
                problems.append(f"flows: got {len(flows)}, want {w[2]}")
        elif what == "stat":
            if w[2] in SAME_STATS and stats.get(w[2]) != int(w[3]):
                problems.append(f"stat {w[2]}: got {stats.get(w[2])}, want {w[3]}")
        elif flow is None:
            problems.append(f"no flow between {client} and {server}")
            break
        else:
            value = w[2]
            if value[0] in "xy" and len(value) > 0:
                value = subprocess.run([pktcraft, "-e", value, path], check=True,
                                       capture_output=True, text=True).stdout.strip()
            if column(flow, what) != value:
                problems.append(f"{what}: got {column(flow, what)}, want {value}")
    # As the VM's zoo checks it, unless the file says otherwise.
    if not any(w[:3] == ["expect", "stat", "packets"] for w in lines):
        nseg = sum(1 for w in lines if w[0] in ("c>s", "s>c", "c<s", "s<c"))
        if stats.get("packets") != nseg:
            problems.append(f"stat packets: got {stats.get('packets')}, want {nseg}")
    return problems


def bad_input(tcphs, pktcraft, sdir, tmp):
    """Files that are no capture, or a broken one: a clear error, status 1."""
    problems = []
    good = os.path.join(tmp, "good.pcap")
    subprocess.run([pktcraft, "-n", "-w", good, os.path.join(sdir, "01-plain-close.scn")],
                   check=True)
    with open(good, "rb") as f:
        data = f.read()
    cases = {
        "empty": b"",
        "not a capture": b"GET / HTTP/1.1\r\n",
        "truncated record": data[:-5],
        "record past any snap length": data[:24] + struct.pack("<IIII", 0, 0, 1 << 30, 1 << 30),
        "pcapng with a bad byte order": struct.pack("<III", 0x0a0d0d0a, 28, 0x12345678),
    }
    for name, content in cases.items():
        path = os.path.join(tmp, "bad.pcap")
        with open(path, "wb") as f:
            f.write(content)
        r = subprocess.run([tcphs, "pcap", path], capture_output=True, text=True)
        if r.returncode != 1 or not r.stderr.startswith("tcphs: "):
            problems.append(f"{name}: exit {r.returncode}, stderr {r.stderr!r}")
    r = subprocess.run([tcphs, "pcap"], capture_output=True, text=True)
    if r.returncode != 64 or "needs a FILE" not in r.stderr:
        problems.append(f"no FILE: exit {r.returncode}, stderr {r.stderr!r}")
    return problems


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    tcphs, pktcraft, sdir = sys.argv[1:4]
    names = sys.argv[4:] or sorted(n[:-4] for n in os.listdir(sdir) if n.endswith(".scn"))
    failed = 0
    with tempfile.TemporaryDirectory() as tmp:
        for name in names:
            problems = run_one(tcphs, pktcraft, os.path.join(sdir, name + ".scn"), tmp)
            for p in problems:
                print(f"    {p}")
            print(("not ok" if problems else "ok") + f" pcap {name}")
            failed += bool(problems)
        problems = bad_input(tcphs, pktcraft, sdir, tmp)
        for p in problems:
            print(f"    {p}")
        print(("not ok" if problems else "ok") + " pcap bad input")
        failed += bool(problems)
        names = names + ["bad input"]
    print(f"pcap zoo: {len(names) - failed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
