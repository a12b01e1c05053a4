#!/usr/bin/env bash
# TUI benchmark: frame time of each screen at 160x48 on a large engagement (5,000
# exclusions, 2,000 entities, 100,000 alerts of which 5,000 open, 200 gateways), the cost
# of the keys that lay a step out, reading the engagement, and start to first frame of the
# release binary in a pseudo-terminal (`script`, util-linux). Writes target/bench/tui.json.
# Not part of the test run.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
cargo build --release --bin ata2atp
cargo bench --bench tui
cat target/bench/tui.json
