#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make demo`: build tcphs, boot the test VM with the module loaded, open and
# close real connections, and show /proc/tcphs and the reader's events.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TCPHS_ROOT"

tcphs_prepare_vm
exec "$TCPHS_SCRIPTS/vm-run.sh" -- /tcphs/tests/vm/demo.sh
