#!/usr/bin/env bash
# Benchmark of a whole check run (not part of the test suite): 200 DCs in the facts plus
# the reachability matrix against the loopback test servers. Writes target/bench/checks.json.
#
#   scripts/bench-checks.sh [--dcs N] [--timeout SECONDS]
#
# Starts the test servers when they are not running, and stops them again afterwards
# (only if this script started them).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"

started=0
if [[ ! -f target/test-env/servers.json ]]; then
    scripts/test-env.sh start
    started=1
fi
cleanup() { if ((started)); then scripts/test-env.sh stop; fi; }
trap cleanup EXIT

cargo build --release --example bench_checks
target/release/examples/bench_checks --out target/bench/checks.json "$@"
