#!/usr/bin/env bash
# The one command for the whole test suite: install and start the test servers, run
# every test, stop the servers (also on failure or Ctrl-C).
#
#   scripts/test.sh                 everything: the doc tests, then cargo nextest if
#                                   installed, else cargo test
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
# Doc tests first, so the last summary printed is the main runner's (a "0 passed" doc-test
# line at the very end would read as "ran no test").
if (($# == 0)); then
    t=$EPOCHREALTIME
    cargo test --doc || rc=$?
    log "doc tests: $(elapsed "$t") s"
fi

t=$EPOCHREALTIME
if cargo nextest --version >/dev/null 2>&1; then
    cargo nextest run --all-targets --no-fail-fast "$@" || { r=$?; ((rc)) || rc=$r; }
else
    cargo test --all-targets --no-fail-fast "$@" || { r=$?; ((rc)) || rc=$r; }
fi
log "tests: $(elapsed "$t") s"
exit "$rc"
