#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Every test of tcphs, as `make check` runs it: the module built with W=1
# and no warning, the reader and its unit tests, then the VM suite over real
# sockets and namespaces in the test VM, then the same under the debug
# kernel (scripts/check-debug.sh). Ends with one line
# "check: N passed, M failed"; exits non-zero if anything failed.
set -uo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TCPHS_ROOT"

kernels_before=$(tcphs_machine_kernels)

"$TCPHS_SCRIPTS/setup.sh" || tcphs_die "installing dependencies failed"
tcphs_kernel_paths

passed=0
failed=0
mkdir -p "$TCPHS_BUILD"
log=$TCPHS_BUILD/check.log
: >"$log"

# step NAME CMD...: one host-side check, counted.
step() {
	local name=$1
	shift
	echo "=== $name"
	if "$@" 2>&1 | tee -a "$log"; then
		echo "ok $name"
		passed=$((passed + 1))
	else
		echo "not ok $name"
		failed=$((failed + 1))
	fi
}

module_w1() {
	local out
	out=$(make -C "$KDIR" M="$TCPHS_ROOT" W=1 modules 2>&1)
	local rc=$?
	echo "$out"
	[ $rc = 0 ] || return 1
	if grep -E 'warning:|error:' <<<"$out"; then
		echo "the module must build without warnings (W=1)"
		return 1
	fi
}

step "module builds with W=1 and no warning ($KVER)" module_w1
step "reader builds" make -C userspace
step "reader unit tests" make -C userspace test
step "test tools build" make -C tests/tools
step "netlink spec matches the uapi header" python3 tests/tools/check-spec.py
# The schemas of the oldest kernel with YNL in the matrix (6.12) and of the
# newest, from their linux-doc packages (fetched, not installed).
spec_schema() {
	local k doc
	for k in 6.12 sid; do
		doc=$("$TCPHS_SCRIPTS/compat.sh" --doc "$k") || return 1
		/usr/bin/python3 tests/tools/check-spec-schema.py "$doc/netlink" \
			Documentation/netlink/specs/tcphs.yaml || return 1
	done
}
step "netlink spec loads in the kernel's YNL (6.12 and 7.x schemas)" spec_schema
step "tcphs pcap over the handshake zoo" \
	python3 tests/pcap/zoo.py userspace/tcphs tests/tools/pktcraft tests/scenarios
step "Documentation/scenarios.rst is current" \
	sh -c 'tests/tools/scenario-table.sh | cmp - Documentation/scenarios.rst'

# The VM suite in parts booted side by side (TCPHS_VM_JOBS, default 2), from
# the module, reader and tools built above.
jobs=${TCPHS_VM_JOBS:-2}
echo "=== VM suite ($KVER), in $jobs parts side by side"
tcphs_vm_suite "$jobs" "$TCPHS_BUILD/vm-suite" "" "$TCPHS_SCRIPTS/vm-run.sh"

echo "=== debug kernel: KUnit and the VM suite (scripts/check-debug.sh)"
dlog=$TCPHS_BUILD/check-debug.log
"$TCPHS_SCRIPTS/check-debug.sh" 2>&1 | tee "$dlog"
tcphs_add_results "$dlog" debug "${PIPESTATUS[0]}" check-debug

step "the machine's kernels are untouched (/boot, installed linux-image packages)" \
	tcphs_kernels_untouched "$kernels_before"

echo "check: $passed passed, $failed failed"
[ "$failed" = 0 ]
