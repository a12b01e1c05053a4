#!/usr/bin/env bash
# The one command for the whole test suite: install and start the test servers, run
# every test, stop the servers (also on failure or Ctrl-C).
#
#   scripts/test.sh                 everything (cargo nextest if installed, else cargo
#                                   test; then the doc tests)
#   scripts/test.sh ARGS...         ARGS go to the test runner, e.g. a filter:
#                                   scripts/test.sh server_samba   (doc tests are skipped
#                                   then: runner-specific args mean a subset was asked for)
#
# Exit code: the first failing step's.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
T0=$EPOCHREALTIME

log() { printf '[test.sh] %s\n' "$*" >&2; }
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# shellcheck disable=SC2317  # invoked by the EXIT trap
finish() {
    local rc=$?
    "$ROOT/scripts/test-env.sh" stop || log "stopping the test servers failed"
    log "total $(elapsed "$T0") s, exit code $rc"
    exit "$rc"
}
trap finish EXIT
# Turn Ctrl-C / SIGTERM into a normal exit so the EXIT trap stops the servers.
trap 'exit 130' INT
trap 'exit 143' TERM

"$ROOT/scripts/test-env.sh" start

rc=0
t=$EPOCHREALTIME
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --all-targets --no-fail-fast "$@" || rc=$?
else
    cargo test --all-targets --no-fail-fast "$@" || rc=$?
fi
log "tests: $(elapsed "$t") s"

if (($# == 0)); then
    t=$EPOCHREALTIME
    cargo test --doc || { r=$?; ((rc)) || rc=$r; }
    log "doc tests: $(elapsed "$t") s"
fi
exit "$rc"
