#!/usr/bin/env bash
# Benchmark of the directory inventory (issue 4). Not part of any test run.
#
#   scripts/bench-directory.sh            # release build, 3 runs
#   BENCH_PROFILE=dev BENCH_RUNS=5 scripts/bench-directory.sh
#
# Starts a dedicated slapd (its own directory, TLS files and random ports under
# target/bench/slapd, so it never touches the test environment's servers) holding
# 50,000 users, 5,000 computers and 200 DC objects, then runs examples/bench_directory.rs:
# the directory inventory against ldapsearch replaying the same searches, 5,000 SIDs
# resolved, peak memory. Results: target/bench/directory.json. slapd is stopped by its
# PID on exit, also on failure.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
BENCH=$ROOT/target/bench
S=$BENCH/slapd
USERS=${BENCH_USERS:-50000}
COMPUTERS=${BENCH_COMPUTERS:-5000}
DCS=${BENCH_DCS:-200}
PROFILE=${BENCH_PROFILE:-release}
log() { printf '%s bench: %s\n' "$(date +%T)" "$*" >&2; }

for tool in slapd slapadd ldapsearch openssl python3; do
    command -v "$tool" >/dev/null || { echo "bench: $tool is missing (scripts/test-env.sh install installs it)" >&2; exit 2; }
done

SLAPD_PID=
cleanup() {
    if [[ -n $SLAPD_PID ]] && kill -0 "$SLAPD_PID" 2>/dev/null; then
        kill "$SLAPD_PID"
        for _ in $(seq 1 100); do kill -0 "$SLAPD_PID" 2>/dev/null || break; sleep 0.1; done
    fi
}
trap cleanup EXIT

rm -rf "$S"
mkdir -p "$S/db" "$S/tls"
log "TLS files"
(
    cd "$S/tls"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=ata2atp bench CA" \
        -keyout ca.key -out ca.pem 2>/dev/null
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" -keyout key.pem -out srv.csr 2>/dev/null
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\n' > ext.cnf
    openssl x509 -req -in srv.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 -extfile ext.cnf -out cert.pem 2>/dev/null
)

log "directory: $USERS users, $COMPUTERS computers, $DCS DC objects"
python3 "$ROOT/scripts/gen-ad-ldif.py" --out "$S/ad.ldif" --summary "$S/summary.json" \
    --users "$USERS" --computers "$COMPUTERS" --dcs "$DCS" --groups 20 --bind-password 'Bench!Svc-1'
json() { python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$S/summary.json" "$1"; }
SCHEMA_DIR=$(dirname "$(dpkg -L slapd | grep '/core.schema$' | head -n1)")
MODULE_DIR=$(dirname "$(dpkg -L slapd | grep '/back_mdb.so$' | head -n1)")
cp "$ROOT/tests/fixtures/servers/ad-lite.schema" "$S/"
cat > "$S/rootdse.ldif" <<LDIF
dn:
objectClass: adLiteRootDSE
forestFunctionality: 7
domainFunctionality: 7
domainControllerFunctionality: 7
defaultNamingContext: DC=example,DC=test
rootDomainNamingContext: DC=example,DC=test
configurationNamingContext: CN=Configuration,DC=example,DC=test
schemaNamingContext: CN=Schema,CN=Configuration,DC=example,DC=test
dNSHostName: ldap.example.test
isGlobalCatalogReady: TRUE
LDIF
cat > "$S/slapd.conf" <<CONF
include $SCHEMA_DIR/core.schema
include $SCHEMA_DIR/cosine.schema
include $SCHEMA_DIR/inetorgperson.schema
include $S/ad-lite.schema
modulepath $MODULE_DIR
moduleload back_mdb
pidfile $S/slapd.pid
rootDSE $S/rootdse.ldif
TLSCACertificateFile $S/tls/ca.pem
TLSCertificateFile $S/tls/cert.pem
TLSCertificateKeyFile $S/tls/key.pem
sizelimit unlimited
database mdb
maxsize 4294967296
suffix "DC=example,DC=test"
rootdn "CN=bench-root,DC=example,DC=test"
rootpw Bench-Root-1
directory $S/db
index objectClass,sAMAccountName,sAMAccountType,objectSid,objectGUID,userAccountControl,primaryGroupID eq
access to * by users read by anonymous auth
CONF
log "slapadd"
slapadd -q -f "$S/slapd.conf" -l "$S/ad.ldif" >"$S/slapadd.log" 2>&1 || { tail "$S/slapadd.log" >&2; exit 1; }
PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
user_args=()
chown -R nobody:nogroup "$S" 2>/dev/null || true
if runuser -u nobody -- test -r "$S/slapd.conf" -a -w "$S/db" 2>/dev/null; then user_args=(-u nobody -g nogroup); fi
slapd "${user_args[@]}" -f "$S/slapd.conf" -h "ldaps://127.0.0.1:$PORT/" -d 0 >"$S/slapd.log" 2>&1 </dev/null &
SLAPD_PID=$!
export LDAPTLS_CACERT=$S/tls/ca.pem
for _ in $(seq 1 300); do
    ldapsearch -LLL -x -H "ldaps://127.0.0.1:$PORT" -s base -b '' '(objectClass=*)' >/dev/null 2>&1 && break
    sleep 0.1
done
log "slapd ready on ldaps://127.0.0.1:$PORT (pid $SLAPD_PID)"

printf '%s' "$(json bind_password 2>/dev/null || echo 'Bench!Svc-1')" > "$S/pw"
chmod 600 "$S/pw"
log "building the benchmark ($PROFILE)"
PROFILE_ARGS=(--profile "$PROFILE")
(cd "$ROOT" && cargo build -q "${PROFILE_ARGS[@]}" --example bench_directory)
DIR=$([[ $PROFILE == dev ]] && echo debug || echo "$PROFILE")
log "measuring"
BENCH_URL="ldaps://127.0.0.1:$PORT" BENCH_BIND_DN="$(json bind_dn)" BENCH_PASSWORD_FILE="$S/pw" \
BENCH_CA="$S/tls/ca.pem" BENCH_DOMAIN_SID="$(json domain_sid)" BENCH_OUT="$BENCH/directory.json" \
BENCH_USERS=$USERS BENCH_COMPUTERS=$COMPUTERS BENCH_DCS=$DCS BENCH_RUNS=${BENCH_RUNS:-3} \
    "$ROOT/target/$DIR/examples/bench_directory"
log "results: $BENCH/directory.json"
