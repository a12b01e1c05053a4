#!/usr/bin/env bash
# Benchmark of the report on a large engagement (5,000 exclusions, 2,000 entities,
# 100,000 alerts of which 5,000 open): render times and sizes per format, and how long
# headless Chromium takes to load the HTML. Writes target/bench/report.json.
# Needs chromium (scripts/test-env.sh install). Not part of the test run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
cargo bench --bench report
cat target/bench/report.json
