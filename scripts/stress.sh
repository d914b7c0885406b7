#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make stress`: the flood, churn and module-life tests at full size (a
# million SYNs against a capped table, 50 module cycles under traffic with a
# reader subscribed, 200 namespaces), in the test VM. Bounded in time by the
# VM's timeout.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TCPHS_ROOT"

tcphs_prepare_vm
TCPHS_VM_TIMEOUT=${TCPHS_VM_TIMEOUT:-1800} \
	"$TCPHS_SCRIPTS/vm-run.sh" -- env STRESS_FULL=1 /tcphs/tests/vm/run-all.sh \
	/tcphs/tests/vm/t_stress.sh
