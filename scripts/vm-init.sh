#!/bin/busybox sh
# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=sh
#
# /init of the tcphs test VM (busybox sh; the command runs under /bin/sh,
# which is dash when the host has it).  Built into the initramfs by
# scripts/mkinitramfs.sh and driven by scripts/vm-run.sh:
#
#   /tcphs/cmd            shell command to run (with /bin/sh -c, cwd /work)
#   /tcphs/load-module    if present, insmod /tcphs/tcphs.ko before and
#                         rmmod tcphs after the command
#   /tcphs/module-params  insmod parameters ("k=v ...")
#
# Console (ttyS0) output between the @@TCPHS-BEGIN@@ and @@TCPHS-DONE@@
# markers is what vm-run.sh shows.  The machine-readable result goes to the
# second serial port (ttyS1): the kernel log, then one line
#   TCPHS-RESULT rc=<N> splat=<0|1> module=<none|ok|insmod-failed|rmmod-failed>
# after which the VM reboots (QEMU runs with -no-reboot, so it exits).

PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
HOME=/root
TERM=dumb
export PATH HOME TERM

# Kernel log lines that count as a failure.
SPLAT_RE='BUG:|WARNING:|Oops|Call Trace|KASAN|UBSAN|suspected memory leak|possible recursive locking|suspicious RCU usage|general protection fault|list_add corruption|list_del corruption|kernel BUG at|soft lockup|hung_task|blocked for more than'

say() {
	echo "tcphs-vm: $*"
}

# Never return: end the VM.  With -no-reboot QEMU exits on reboot.
finish() {
	sync
	echo 1 >/proc/sys/kernel/sysrq 2>/dev/null
	reboot -f
	echo b >/proc/sysrq-trigger 2>/dev/null
	while :; do sleep 60; done
}

# --- basic mounts --------------------------------------------------------
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
exec </dev/null >/dev/console 2>&1
mkdir -p /dev/pts /dev/shm
mount -t devpts devpts /dev/pts 2>/dev/null
mount -t tmpfs tmpfs /dev/shm
mount -t tmpfs tmpfs /tmp
mount -t tmpfs tmpfs /run
mkdir -p /run/netns /var/run/netns
if [ -d /sys/kernel/debug ]; then
	mount -t debugfs debugfs /sys/kernel/debug 2>/dev/null
fi
if [ -d /sys/kernel/tracing ]; then
	mount -t tracefs tracefs /sys/kernel/tracing 2>/dev/null
fi
[ -d /sys/fs/bpf ] && mount -t bpf bpf /sys/fs/bpf 2>/dev/null
hostname tcphs-vm
ip link set lo up

# Libraries copied from directories outside the loader's default path.
if [ -d /etc/tcphs-ld-path.d ]; then
	LD_LIBRARY_PATH=$(cat /etc/tcphs-ld-path.d/* | tr '\n' ':')
	LD_LIBRARY_PATH=${LD_LIBRARY_PATH%:}
	export LD_LIBRARY_PATH
fi

# Result port: raw, so nothing is translated.
stty -F /dev/ttyS1 115200 raw -echo 2>/dev/null

KMEMLEAK=/sys/kernel/debug/kmemleak
# Forget whatever boot itself leaked; only this run's leaks count.
[ -w "$KMEMLEAK" ] && echo clear >"$KMEMLEAK" 2>/dev/null

echo "@@TCPHS-BEGIN@@"

# --- module load ---------------------------------------------------------
module=none
rc=0
if [ -e /tcphs/load-module ]; then
	module=ok
	if [ ! -f /tcphs/tcphs.ko ]; then
		say "FAIL: /tcphs/tcphs.ko is not in the initramfs"
		module=insmod-failed
	else
		# insmod does not resolve dependencies; load them first.
		deps=$(modinfo -F depends /tcphs/tcphs.ko 2>/dev/null | tr ',' ' ')
		for d in $deps; do
			modprobe "$d" || say "warning: modprobe $d failed"
		done
		params=$(cat /tcphs/module-params 2>/dev/null)
		set -f
		# shellcheck disable=SC2086 # params are split on purpose
		if ! insmod /tcphs/tcphs.ko $params; then
			say "FAIL: insmod /tcphs/tcphs.ko $params failed"
			module=insmod-failed
		fi
		set +f
	fi
fi

# Show kernel warnings (and worse) on the console while the command runs.
echo 5 >/proc/sys/kernel/printk

# --- the command ---------------------------------------------------------
if [ "$module" = insmod-failed ]; then
	rc=1
else
	mkdir -p /work
	cd /work || cd /
	cmd=$(cat /tcphs/cmd 2>/dev/null || echo true)
	/bin/sh -c "$cmd" </dev/null
	rc=$?
	cd /
fi

# Stop whatever the command left running: it may hold the module.
kill -TERM -1 2>/dev/null
sleep 0.2
kill -KILL -1 2>/dev/null

# --- module unload -------------------------------------------------------
if [ "$module" = ok ]; then
	n=0
	until rmmod tcphs; do
		n=$((n + 1))
		if [ "$n" -ge 5 ]; then
			say "FAIL: rmmod tcphs failed"
			module=rmmod-failed
			break
		fi
		sleep 1
	done
fi

# --- kernel log checks ---------------------------------------------------
splat=0
if [ -r "$KMEMLEAK" ]; then
	# kmemleak reports only objects older than 5 s, and only after two
	# scans found them unreferenced: give what rmmod leaked time to age.
	sleep 5
	echo scan >"$KMEMLEAK" 2>/dev/null
	sleep 1
	echo scan >"$KMEMLEAK" 2>/dev/null
	cat "$KMEMLEAK" >/tmp/kmemleak 2>/dev/null
	if [ -s /tmp/kmemleak ]; then
		say "FAIL: kmemleak reports leaks:"
		cat /tmp/kmemleak
		splat=1
	fi
fi

dmesg >/tmp/dmesg
if grep -v -e 'Command line:' /tmp/dmesg | grep -E -q "$SPLAT_RE"; then
	splat=1
	say "FAIL: kernel log contains a splat; full log follows"
	echo "----- dmesg -----"
	cat /tmp/dmesg
	echo "----- end of dmesg -----"
fi

echo "@@TCPHS-DONE@@"

# Result last: if the host sees this line, everything before it arrived.
{
	echo "TCPHS-DMESG-BEGIN"
	cat /tmp/dmesg
	[ -s /tmp/kmemleak ] && cat /tmp/kmemleak
	echo "TCPHS-DMESG-END"
	echo "TCPHS-RESULT rc=$rc splat=$splat module=$module"
} >/dev/ttyS1

finish
