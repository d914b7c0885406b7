#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The checks under the debug kernel (`make check-debug`, and a step of
# `make check`):
#
#   1. build or reuse the debug kernel (scripts/build-debug-kernel.sh:
#      KASAN, UBSAN, kmemleak, lockdep, PROVE_RCU, DEBUG_OBJECTS, KUnit);
#   2. build tcphs.ko and the KUnit suites, tcphs_test.ko, against it with
#      W=1 and sparse (C=2) and no warning, in a copy of the tree
#      ($TCPHS_BUILD/debug/tree), so the checkout's objects (built for the
#      distribution kernel) stay as they are;
#   3. boot it (panic_on_warn=1) and load tcphs_test.ko: the suites print
#      KTAP, which the kernel's own `kunit.py parse` judges;
#   4. boot it again and run the whole VM suite, tests/vm/run-all.sh
#      (not with --kunit, which stops after the KUnit suites: `make kunit`),
#      split into parts that boot side by side (TCPHS_DEBUG_VM_JOBS, default
#      2): the scripts are dealt out by their length under this kernel, and
#      the zoo's scenarios are shared among the parts (ZOO_PART). Every
#      script must report, in one part or another.
#
# A splat in the kernel log (KASAN, UBSAN, lockdep, RCU, BUG, WARNING,
# kmemleak after rmmod) fails the VM run it happens in. Ends with one line
# "debug: N passed, M failed", where the KUnit test cases and the VM tests
# count one each and every other step counts one; exits non-zero if
# anything failed.
#
# Environment: TCPHS_BUILD (scratch, default <root>/.build),
# TCPHS_DEBUG_VM_TIMEOUT (seconds per VM run, default 3600),
# TCPHS_DEBUG_VM_JOBS (VMs of the suite at once, default 2),
# TCPHS_DEBUG_VM_CPUS (vCPUs of each, default 1), and what
# scripts/build-debug-kernel.sh and scripts/vm-run.sh take.
set -uo pipefail
# shellcheck source=lib.sh
. "$(dirname "$0")/lib.sh"
cd "$TCPHS_ROOT" || exit 2

KUNIT_ONLY=0
case ${1:-} in
--kunit) KUNIT_ONLY=1 ;;
"") ;;
*) tcphs_die "usage: $0 [--kunit]" ;;
esac

T0=$(date +%s)
"$TCPHS_SCRIPTS/setup.sh" >/dev/null || tcphs_die "installing dependencies failed"

passed=0
failed=0
OUT=$TCPHS_BUILD/debug
mkdir -p "$OUT"

finish() {
	echo "debug: $passed passed, $failed failed ($(($(date +%s) - T0)) s)"
	[ "$failed" = 0 ]
	exit
}

ok() {
	echo "ok $*"
	passed=$((passed + 1))
}

not_ok() {
	echo "not ok $*"
	failed=$((failed + 1))
}

# ----------------------------------------------------------- the kernel --
echo "=== debug kernel"
t=$(date +%s)
if ! env=$("$TCPHS_SCRIPTS/build-debug-kernel.sh" --print-env); then
	not_ok "debug kernel builds"
	finish
fi
eval "$env"
ok "debug kernel $KREL ($(($(date +%s) - t)) s)"

# ---------------------------------------------------- the tree, built --
# A copy of the sources (what git tracks, and new files it does not ignore).
TREE=$OUT/tree
copy_tree() {
	rm -rf "$TREE" && mkdir -p "$TREE" || return 1
	if git -C "$TCPHS_ROOT" rev-parse --git-dir >/dev/null 2>&1; then
		git -C "$TCPHS_ROOT" ls-files -z --cached --others --exclude-standard |
			while IFS= read -r -d '' f; do
				[ -e "$f" ] && printf '%s\0' "$f"
			done | tar --null -T - -cf - | tar -C "$TREE" -xf -
	else
		tar --exclude=./.git --exclude=./.build --exclude="./${TCPHS_BUILD#"$TCPHS_ROOT"/}" \
			-cf - . |
			tar -C "$TREE" -xf -
	fi
}

module_w1() {
	local out rc
	# Whatever the copy brought of another kernel's objects goes first.
	make -s -C "$KDIR" M="$TREE" clean >/dev/null 2>&1
	out=$(make -C "$KDIR" M="$TREE" W=1 C=2 modules 2>&1)
	rc=$?
	echo "$out" | grep -v -E '^make|^  (CC|LD|AR|MODPOST|UPD|CHECK)'
	[ $rc = 0 ] || return 1
	if grep -q -E 'warning:|error:' <<<"$out"; then
		echo "the modules must build without warnings (W=1)"
		return 1
	fi
	[ -f "$TREE/module/tcphs.ko" ] && [ -f "$TREE/module/tcphs_test.ko" ]
}

echo "=== modules against $KREL (W=1, sparse), in $TREE"
if ! copy_tree; then
	not_ok "copy of the tree"
	finish
fi
if module_w1; then
	ok "tcphs.ko and tcphs_test.ko build with W=1 and sparse, no warning ($KREL)"
else
	not_ok "tcphs.ko and tcphs_test.ko build with W=1 and sparse, no warning ($KREL)"
	finish
fi
if make -s -C "$TREE/userspace" >/dev/null && make -s -C "$TREE/tests/tools" >/dev/null; then
	ok "reader and test tools build (for the VM)"
else
	not_ok "reader and test tools build (for the VM)"
fi

# Run the tree's vm-run.sh on the debug kernel, panicking on any warning.
vm_debug() {
	TCPHS_KERNEL_CMDLINE="panic_on_warn=1 ${TCPHS_KERNEL_CMDLINE:-}" \
	TCPHS_VM_TIMEOUT=${TCPHS_DEBUG_VM_TIMEOUT:-3600} \
		"$TREE/scripts/vm-run.sh" --kernel "$VMLINUZ" --modules-dir "$MODDIR" \
		--kdir "$KDIR" "$@"
}

# ------------------------------------------------------------- KUnit --
echo "=== KUnit (tcphs_test.ko under $KREL)"
t=$(date +%s)
klog=$OUT/kunit-console.log
ktap=$OUT/kunit.ktap
# The suites run when the module loads; the kernel log has their KTAP.
vm_debug --no-module --add "$TREE/module/tcphs_test.ko" -- sh -c '
	echo tcphs-kunit-begin >/dev/kmsg
	insmod tcphs_test.ko || echo "insmod tcphs_test.ko failed"
	rmmod tcphs_test
	echo @@KTAP-BEGIN@@
	dmesg | sed -n "/tcphs-kunit-begin/,\$p"
	echo @@KTAP-END@@' >"$klog" 2>&1
vmrc=$?
# KTAP lines without their timestamps, under a header for all the suites.
sed -n '/^@@KTAP-BEGIN@@/,/^@@KTAP-END@@/p' "$klog" |
	sed -E -e '/^@@KTAP-/d' -e 's/^\[ *[0-9]+\.[0-9]+\] ?//' >"$ktap.body"
nsuites=$(grep -c '^    # Subtest: ' "$ktap.body")
{
	printf 'KTAP version 1\n1..%s\n' "$nsuites"
	cat "$ktap.body"
} >"$ktap"
rm -f "$ktap.body"
python3 "$KSRC/tools/testing/kunit/kunit.py" parse "$ktap" >"$OUT/kunit-parse.log" 2>&1
parserc=$?
cat "$OUT/kunit-parse.log"
summary=$(grep -a 'Testing complete' "$OUT/kunit-parse.log" | tail -n1)
# "Ran 120 tests: passed: 119, failed: 1" (counts of 0 are left out)
count() {
	local n
	n=$(sed -n "s/.*[ ,]$1: \([0-9]*\).*/\1/p" <<<"$summary" | head -n1)
	echo "${n:-0}"
}
kp=$(count passed)
kf=$(($(count failed) + $(count crashed) + $(count errors)))
passed=$((passed + kp))
failed=$((failed + kf))
# Every suite of the source must have reported.
for s in $(sed -n 's/^[[:space:]]*\.name = "\([a-z0-9_]*\)",$/\1/p' module/*_test.c); do
	if ! grep -q -E "^(not )?ok [0-9]+ $s\$" "$ktap"; then
		not_ok "KUnit suite $s did not report"
	fi
done
if [ "$parserc" != 0 ] && [ "$kf" = 0 ]; then
	not_ok "kunit.py parse found a failure ($ktap)"
fi
if [ "$vmrc" = 0 ]; then
	ok "KUnit VM run: clean kernel log, tcphs_test unloaded ($(($(date +%s) - t)) s)"
else
	not_ok "KUnit VM run (exit status $vmrc; console: $klog)"
	grep -a -E 'FAIL|BUG:|WARNING:|KASAN|UBSAN|leak|panic' "$klog" | head -n 20
fi
echo "KUnit: $kp test cases passed, $kf failed (KTAP: $ktap)"
[ "$KUNIT_ONLY" = 0 ] || finish

# ---------------------------------------------------------- VM suite --
JOBS=${TCPHS_DEBUG_VM_JOBS:-2}
echo "=== VM suite under $KREL, in $JOBS parts side by side"
t=$(date +%s)
# The module cycles at full count here, where kmemleak checks them.
# One vCPU each: a debug kernel on two vCPUs keeps QEMU's main thread as
# busy as both of them (it takes about two of the host's cores), so two
# such VMs side by side run no faster than one; on one vCPU each, two run
# as fast as one did alone. The KUnit run above, and the Debian kernel's
# suite, keep two vCPUs.
TCPHS_VM_CPUS=${TCPHS_DEBUG_VM_CPUS:-1} \
	tcphs_vm_suite "$JOBS" "$OUT/vm-suite" STRESS_CYCLES=50 vm_debug
vmlog=$OUT/vm-suite.log
# The debug kernel has fault injection: its tests must have run, not been
# skipped as on kernels without it.
for name in fault-failslab fault-page-alloc; do
	grep -a -q -E "^(not )?ok $name\$" "$vmlog" || not_ok "test $name did not run under $KREL"
done
echo "VM suite: $(($(date +%s) - t)) s"

finish
