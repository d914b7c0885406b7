#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: build tcphs, boot the test VM with the module loaded, open and
# close real connections, and show /proc/tcphs and the reader's events.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TCPHS_ROOT"

# setup.sh installs no kernel: say so, and fail if the machine's changed.
before=$(tcphs_machine_kernels)
tcphs_prepare_vm
rc=0
"$TCPHS_SCRIPTS/vm-run.sh" -- /tcphs/tests/vm/demo.sh || rc=$?
tcphs_kernels_untouched "$before" ||
	tcphs_die "make demo changed the machine's kernels"
echo "### the machine's kernels: untouched (/boot, installed linux-image packages)"
exit $rc
