#!/usr/bin/env bash
# ATA inventory benchmark: generates a large synthetic ATA database (250,000 UniqueEntity,
# 100,000 SuspiciousActivity, 5,000 exclusions, 2,000 honeytokens and sensitive entities,
# 200 gateways) as a mongodump folder under target/bench/ata-dump, and JSON exports of
# about 1 GB under target/bench/ata-json, then measures in one run (best of three): the
# whole inventory of the dump, pymongo's C-accelerated bson.decode_file_iter over the same
# files, and the raw read of the files (cat to /dev/null, the floor), with docs/s, MB/s,
# peak RSS and the ratios; the whole inventory of the JSON exports (time, MB/s, peak RSS);
# and the live path (the same data loaded into a MongoDB-wire server: time and round
# trips). Numbers: target/bench/ata.json. Release build (thin LTO).
#
# The live part runs against its own SecantusDB (on disk under target/bench/secantus; the
# test environment's in-memory instance cannot hold 350,000 documents), started here on
# a free loopback port and stopped by its PID on exit. It needs the test environment's
# venv (scripts/test-env.sh install); without it, or with BENCH_LIVE=0, it is skipped.
#
# The generated data (about 1.3 GB) is kept for the next run; delete target/bench/ata-dump
# and target/bench/ata-json when done.
#
# usage: scripts/bench-ata.sh [--json-bytes N]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
BENCH=$ROOT/target/bench
mkdir -p "$BENCH"

# pymongo with its C extension (PyPI wheel), from the test environment's venv if present.
VENV=$ROOT/target/test-env/venv
if [[ -x $VENV/bin/python ]]; then
    PY=$VENV/bin/python
else
    python3 -m venv "$BENCH/venv"
    "$BENCH/venv/bin/pip" install -q --disable-pip-version-check 'pymongo>=4,<5'
    PY=$BENCH/venv/bin/python
fi

ARGS=(--out "$BENCH/ata.json" --python "$PY" "$@")
PID=
stop() {
    if [[ -n $PID ]] && kill -0 "$PID" 2>/dev/null; then
        kill "$PID"
        for _ in $(seq 100); do kill -0 "$PID" 2>/dev/null || break; sleep 0.1; done
        kill -0 "$PID" 2>/dev/null && kill -9 "$PID"
    fi
    return 0
}
trap stop EXIT
if [[ ${BENCH_LIVE:-1} == 0 ]]; then
    echo "bench-ata: BENCH_LIVE=0: the live part is skipped" >&2
elif [[ -x $VENV/bin/secantusd-py ]]; then
    rm -rf "$BENCH/secantus"
    PORT=$("$PY" -c 'import socket;s=socket.socket();s.bind(("127.0.0.1",0));print(s.getsockname()[1])')
    "$VENV/bin/secantusd-py" --host 127.0.0.1 --port "$PORT" --storage-path "$BENCH/secantus" \
        --standalone --cache-size 1G --log-level WARNING > "$BENCH/secantus.log" 2>&1 &
    PID=$!
    "$PY" - "$PORT" <<'PY'
import sys, time
from pymongo import MongoClient
end = time.time() + 60
while True:
    try:
        MongoClient("127.0.0.1", int(sys.argv[1]), directConnection=True, serverSelectionTimeoutMS=300).admin.command("ping"); break
    except Exception:
        if time.time() > end: sys.exit("bench server did not become ready")
        time.sleep(0.2)
PY
    ARGS+=(--mongo-uri "mongodb://127.0.0.1:$PORT/?directConnection=true")
else
    echo "bench-ata: no $VENV/bin/secantusd-py: the live part is skipped (scripts/test-env.sh install)" >&2
fi
cargo bench --bench ata -- "${ARGS[@]}"
