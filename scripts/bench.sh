#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# `make bench`: the tcphs benchmark, in one boot of the test VM, every
# figure against a baseline measured in the same run (tests/bench/run.sh).
# The results are printed and kept in $TCPHS_BUILD/bench-results.txt.
#
# Two modes (BENCH_MODE):
#   deterministic (the default): QEMU counts instructions (TCPHS_ACCEL=icount,
#       one vCPU): the guest's clock advances 1 ns per instruction executed,
#       so every rate and cost is in instructions and repeats from run to
#       run, however loaded the host is. It does not model what an
#       instruction costs on hardware: caches, TLBs, branch prediction,
#       memory bandwidth, and contention between CPUs (there is one);
#       a cache miss costs what a hit costs.
#   wall: TCG on two vCPUs, timed by the host's wall clock; closer to a
#       machine's mix of costs, but rounds spread by several per cent.
#
# Environment: BENCH_MODE; BENCH_CONNS, BENCH_ROUNDS, BENCH_WARMUP,
# BENCH_FLOWS, BENCH_IPERF_SECS, BENCH_REPEATS (see tests/bench/run.sh);
# TCPHS_VM_MEM (default here 3G), TCPHS_VM_CPUS (wall mode).
set -euo pipefail
. "$(dirname "$0")/lib.sh"
cd "$TCPHS_ROOT"

tcphs_prepare_vm
# tpstates, the tracepoint peer, with its BPF object (tests/bench/).
make -s -C tests/bench || tcphs_die "building tests/bench (tpstates) failed"
mkdir -p "$TCPHS_BUILD"
log=$TCPHS_BUILD/bench.log
env_args=()
for v in BENCH_CONNS BENCH_ROUNDS BENCH_WARMUP BENCH_FLOWS BENCH_IPERF_SECS BENCH_REPEATS; do
	[ -n "${!v:-}" ] && env_args+=("$v=${!v}")
done
case ${BENCH_MODE:=deterministic} in
deterministic)
	export TCPHS_ACCEL=icount
	export TCPHS_VM_CPUS=1
	;;
wall) ;;
*) tcphs_die "BENCH_MODE must be deterministic or wall, not '$BENCH_MODE'" ;;
esac
env_args+=("BENCH_MODE=$BENCH_MODE")
# Under TCG the guest marks the TSC unstable and reads the HPET instead, an
# emulated device access that costs microseconds; real machines read the
# TSC. Both the baseline and tcphs run on the same clock.
export TCPHS_KERNEL_CMDLINE="${TCPHS_KERNEL_CMDLINE:-} tsc=reliable clocksource=tsc"
# perf, for the profile of a connection-rate run.
export TCPHS_VM_EXTRA_TOOLS="${TCPHS_VM_EXTRA_TOOLS:-} perf"
TCPHS_VM_MEM=${TCPHS_VM_MEM:-3G} TCPHS_VM_TIMEOUT=${TCPHS_VM_TIMEOUT:-3600} \
	"$TCPHS_SCRIPTS/vm-run.sh" -- env "${env_args[@]}" /tcphs/tests/bench/run.sh 2>&1 | tee "$log"
rc=${PIPESTATUS[0]}
sed -n '/^### results/,$p' "$log" | sed 1d | grep -v '^vm-run.sh:' >"$TCPHS_BUILD/bench-results.txt"
echo "results: $TCPHS_BUILD/bench-results.txt"
exit "$rc"
