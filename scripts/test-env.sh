#!/usr/bin/env bash
# The project's test servers, real ones, on loopback only.
#
#   scripts/test-env.sh start     install what is missing, start everything, write
#                                 target/test-env/servers.json (+ servers.env)
#   scripts/test-env.sh stop      stop exactly the processes this script started
#   scripts/test-env.sh status    show what runs
#   scripts/test-env.sh install   only install (apt packages + Python venv)
#
# See scripts/README.md for the servers, the keys of servers.json and what each
# fixture is for. Everything lives under target/test-env/ of this repository.
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS=$ROOT/scripts
FIXTURES=$ROOT/tests/fixtures/servers
ENV_DIR=$ROOT/target/test-env
PIDS=$ENV_DIR/pids
PARTS=$ENV_DIR/parts      # one JSON file per server, merged into servers.json at the end
TLS=$ENV_DIR/tls
VENV=$ENV_DIR/venv
LOGS=$ENV_DIR/logs
UTIL=$SCRIPTS/testenv_util.py

# Pinned on purpose: SecantusDB is a pre-release; a newer beta may behave differently.
# tree-sitter with its PowerShell grammar: scripts/ps-syntax.py parses the PowerShell
# ata2atp prints (there is no PowerShell here to run it).
PIP_PKGS=('SecantusDB==0.7.0b3' 'pymongo>=4,<5' 'tree-sitter==0.26.1' 'tree-sitter-powershell==0.26.4')
# With --no-install-recommends the Samba AD stack needs samba-ad-provision named
# explicitly (provision fails without its schema files); ldb-tools/ldap-utils are the
# command-line clients used for fixtures and readiness checks. chromium: the report tests
# load the HTML report headless (screenshot, no network request, no console error). tmux:
# the TUI's end-to-end test drives the real binary in a tmux pane. poppler-utils: the PDF
# report tests read its text (pdftotext -layout) and render its pages (pdftoppm).
APT_PKGS=(samba samba-ad-dc samba-ad-provision samba-dsdb-modules samba-vfs-modules winbind
          ldb-tools ldap-utils slapd tinyproxy openssl curl python3-venv ca-certificates
          chromium tmux poppler-utils)

# Samba's LDAP ports are fixed (AD clients assume them); everything else is random.
SAMBA_LDAP_PORT=389
SAMBA_LDAPS_PORT=636

log() { printf '[test-env] %s\n' "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# timed NAME CMD...: run CMD and print how long it took, so slow steps show in CI logs.
timed() {
    local name=$1 t0=$EPOCHREALTIME
    shift
    "$@"
    log "$(printf '%-28s %6.1f s' "$name" "$(elapsed "$t0")")"
}
elapsed() { awk -v a="$1" -v b="$EPOCHREALTIME" 'BEGIN { printf "%.1f", b - a }'; }

# ---------------------------------------------------------------- process bookkeeping
# Each started process gets pids/NAME.pid holding "PID STARTTIME". The start time
# (field 22 of /proc/PID/stat) guards against killing an unrelated process that got
# the same PID after ours died.
starttime() { sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | awk '{ print $20 }'; }

record_pid() { # NAME PID
    mkdir -p "$PIDS"
    echo "$2 $(starttime "$2")" > "$PIDS/$1.pid"
}

# pid_alive NAME: true if the recorded process still runs (and is not a zombie).
pid_alive() {
    local f=$PIDS/$1.pid pid st
    [[ -f $f ]] || return 1
    read -r pid st < "$f"
    [[ -n $pid && "$(starttime "$pid")" == "$st" ]] || return 1
    [[ "$(sed 's/^.*) //' "/proc/$pid/stat" 2>/dev/null | awk '{ print $1 }')" != Z ]]
}

pid_of() { awk '{ print $1 }' "$PIDS/$1.pid"; }

# stop_pids NAME...: SIGTERM all, wait up to 15 s (SecantusDB and Samba take ~2 s),
# then SIGKILL what is left. Only PIDs recorded by this script are touched.
stop_pids() {
    local name live=()
    for name in "$@"; do
        if pid_alive "$name"; then
            kill -TERM "$(pid_of "$name")" 2>/dev/null || true
            live+=("$name")
        fi
    done
    local deadline=$((SECONDS + 15))
    while ((${#live[@]})) && ((SECONDS < deadline)); do
        local still=()
        for name in "${live[@]}"; do pid_alive "$name" && still+=("$name"); done
        live=("${still[@]+"${still[@]}"}")
        ((${#live[@]})) && sleep 0.1
    done
    for name in "${live[@]+"${live[@]}"}"; do
        log "$name did not stop after SIGTERM; sending SIGKILL"
        kill -KILL "$(pid_of "$name")" 2>/dev/null || true
    done
    # Our servers outlive the script that started them, so init is their parent and
    # reaps them a moment later; wait for that (up to 5 s) so `ps` right after a stop
    # shows no <defunct> leftovers.
    local pids=() pid
    for name in "$@"; do [[ -f $PIDS/$name.pid ]] && pids+=("$(pid_of "$name")"); done
    deadline=$((SECONDS + 5))
    for pid in "${pids[@]+"${pids[@]}"}"; do
        while [[ -e /proc/$pid ]] && ((SECONDS < deadline)); do sleep 0.1; done
    done
    for name in "$@"; do rm -f "$PIDS/$name.pid"; done
}

# wait_ready NAME LOG CMD...: run a readiness check (exit 0 ready, 2 process died,
# 3 timeout). On failure show the end of the server's log.
wait_ready() {
    local name=$1 logf=$2 rc=0
    shift 2
    "$@" || rc=$?
    if ((rc)); then
        log "$name is not ready ($([[ $rc == 2 ]] && echo 'process exited' || echo 'timed out')); last lines of $logf:"
        tail -n 25 "$logf" >&2 || true
    fi
    return "$rc"
}

bind_race() { grep -qiE 'address already in use|errno 98|could not bind|bind.*failed' "$1"; }

# ---------------------------------------------------------------------------- install
install_apt() {
    local missing=() p
    for p in "${APT_PKGS[@]}"; do
        dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing+=("$p")
    done
    ((${#missing[@]})) || return 0
    ((EUID == 0)) || die "missing packages (${missing[*]}) and not root: install them first"
    log "installing: ${missing[*]}"
    export DEBIAN_FRONTEND=noninteractive
    # Package scripts must not start system daemons (slapd would take port 389 from
    # Samba). Docker-style images ship a policy-rc.d that forbids it; add one for the
    # duration of the install where it is missing.
    local own_policy=0
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
        printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d && chmod 755 /usr/sbin/policy-rc.d
        own_policy=1
    fi
    apt-get update -qq >"$LOGS/apt.log" 2>&1 || { tail -n 20 "$LOGS/apt.log" >&2; die "apt-get update failed"; }
    # One retry: the image's apt "docker-clean" hook can delete downloaded .debs
    # between dpkg runs ("failed to read archive ... No such file or directory").
    if ! apt-get install -y --no-install-recommends "${missing[@]}" >>"$LOGS/apt.log" 2>&1; then
        log "apt-get install failed once; retrying"
        apt-get install -y --no-install-recommends "${missing[@]}" >>"$LOGS/apt.log" 2>&1 \
            || { tail -n 30 "$LOGS/apt.log" >&2; ((own_policy)) && rm -f /usr/sbin/policy-rc.d; die "apt-get install failed twice"; }
    fi
    if ((own_policy)); then rm -f /usr/sbin/policy-rc.d; fi
}

install_venv() {
    local want="${PIP_PKGS[*]}"
    if [[ -x $VENV/bin/secantusd-py && "$(cat "$VENV/.installed" 2>/dev/null)" == "$want" ]]; then
        return 0
    fi
    rm -rf "$VENV"
    python3 -m venv "$VENV"
    "$VENV/bin/pip" install -q --disable-pip-version-check "${PIP_PKGS[@]}" >"$LOGS/pip.log" 2>&1 \
        || { tail -n 20 "$LOGS/pip.log" >&2; die "pip install failed"; }
    echo "$want" > "$VENV/.installed"
}

cmd_install() {
    mkdir -p "$ENV_DIR" "$LOGS"
    timed "install: apt packages" install_apt
    timed "install: python venv" install_venv
}


PY=$VENV/bin/python   # has pymongo; also fine for the stdlib-only helpers
free_port() { "$PY" "$UTIL" free-ports "${1:-1}"; }
put() { "$PY" "$UTIL" put "$PARTS/$1.json" "${@:2}"; }
# json_get FILE KEY: the value of a top-level key, as JSON.
json_get() { "$PY" -c 'import json,sys; print(json.dumps(json.load(open(sys.argv[1]))[sys.argv[2]]))' "$1" "$2"; }

# ---------------------------------------------------------------------------------- TLS
# A throwaway lab CA with a server cert for localhost/127.0.0.1 (Samba, slapd, the Mongo
# TLS instance, the HTTPS targets), and a second, unrelated "inspection" CA with its own
# cert: what a TLS-intercepting proxy or a wrong endpoint presents, which clients must
# refuse. EC P-256 keys: instant to make, and every server here accepts them.
tls_ok() {
    local f
    for f in ca.pem cert.pem key.pem inspection-ca.pem inspection-cert.pem inspection-key.pem; do
        [[ -s $TLS/$f ]] || return 1
    done
    # Regenerate two days before expiry so a reused tree never serves an expired cert.
    openssl x509 -checkend 172800 -noout -in "$TLS/cert.pem" >/dev/null &&
        openssl x509 -checkend 172800 -noout -in "$TLS/inspection-cert.pem" >/dev/null
}

make_ca_and_cert() { # PREFIX CA_COMMON_NAME
    local p=$1 cn=$2
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 30 \
        -subj "/O=ata2atp test lab/CN=$cn" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
        -keyout "$TLS/${p}ca.key" -out "$TLS/${p}ca.pem"
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "/CN=localhost" \
        -keyout "$TLS/${p}key.pem" -out "$TLS/${p}cert.csr"
    # rustls/webpki want a SAN (the CN is ignored), serverAuth, and a non-CA leaf.
    openssl x509 -req -in "$TLS/${p}cert.csr" -CA "$TLS/${p}ca.pem" -CAkey "$TLS/${p}ca.key" \
        -set_serial "0x$(openssl rand -hex 8)" -days 30 -out "$TLS/${p}cert.pem" \
        -extfile <(printf '%s\n' 'subjectAltName=DNS:localhost,IP:127.0.0.1' \
            'basicConstraints=critical,CA:FALSE' 'keyUsage=critical,digitalSignature,keyEncipherment' \
            'extendedKeyUsage=serverAuth')
    rm -f "$TLS/${p}cert.csr"
    chmod 600 "$TLS/${p}ca.key" "$TLS/${p}key.pem"   # Samba refuses a key others can read
}

ensure_tls() {
    tls_ok && return 0
    rm -rf "$TLS" && mkdir -p "$TLS"
    {
        make_ca_and_cert "" "ata2atp Test Lab CA"
        make_ca_and_cert "inspection-" "Fabrikam Inspection CA"
    } >"$LOGS/tls.log" 2>&1 || { cat "$LOGS/tls.log" >&2; die "certificate generation failed"; }
}

write_tls_part() {
    put tls ca_pem="$TLS/ca.pem" server_cert_pem="$TLS/cert.pem" server_key_pem="$TLS/key.pem" \
        untrusted_ca_pem="$TLS/inspection-ca.pem" untrusted_cert_pem="$TLS/inspection-cert.pem" \
        untrusted_key_pem="$TLS/inspection-key.pem"
}

# ------------------------------------------------------------------- MongoDB (SecantusDB)
MONGO=$ENV_DIR/mongo
MONGO_ADMIN_USER=lab-admin
MONGO_ADMIN_PW='Lab-MongoAdmin-Passw0rd'
MONGO_READER_USER=ata-reader       # role "read" on database ATA only
MONGO_READER_PW='Lab-AtaReader-Passw0rd'

# mongo_up NAME URI_QUERY ARGS...: start secantusd-py on a random port and wait until it
# answers ping (a TCP check is not enough: the port opens before commands work). It is
# launched directly, so $! is the server itself, not a wrapper. Retries on a new port when
# another process took ours between choosing and binding it.
mongo_up() {
    local name=$1 query=$2 port rc
    shift 2
    for _ in 1 2 3; do
        port=$(free_port)
        "$VENV/bin/secantusd-py" --config "$MONGO/secantusd.toml" --host 127.0.0.1 --port "$port" \
            --standalone --cache-size 128M "$@" >"$LOGS/mongo-$name.log" 2>&1 </dev/null &
        record_pid "mongo-$name" $!
        rc=0
        wait_ready "mongo-$name" "$LOGS/mongo-$name.log" \
            "$PY" "$UTIL" wait-mongo "mongodb://127.0.0.1:$port/?directConnection=true$query" 60 "$(pid_of "mongo-$name")" || rc=$?
        if ((rc == 0)); then echo "$port" > "$MONGO/$name.port"; return 0; fi
        stop_pids "mongo-$name"
        bind_race "$LOGS/mongo-$name.log" || return 1
        log "mongo-$name lost the race for port $port; retrying"
    done
    return 1
}

# Users can only be created over an open connection, so the auth instance is set up in
# two starts: without --auth (createUser + a seed document), then with --auth. The data
# directory is kept, so later starts skip the first one.
mongo_auth_setup() {
    local data=$MONGO/auth-data marker="$MONGO_ADMIN_USER $MONGO_READER_USER v1"
    if [[ -d $data && "$(cat "$MONGO/auth-data.seeded" 2>/dev/null)" == "$marker" ]]; then return 0; fi
    rm -rf "$data" "$MONGO/auth-data.seeded"
    mkdir -p "$data"
    mongo_up auth-setup "" --storage-path "$data"
    "$PY" "$UTIL" mongo-seed "mongodb://127.0.0.1:$(cat "$MONGO/auth-setup.port")/?directConnection=true" \
        "$MONGO_ADMIN_USER" "$MONGO_ADMIN_PW" "$MONGO_READER_USER" "$MONGO_READER_PW"
    stop_pids mongo-auth-setup
    echo "$marker" > "$MONGO/auth-data.seeded"
}

start_mongo() {
    mkdir -p "$MONGO"
    # An empty config file disables SecantusDB's auto-discovery of ./secantusd.toml and
    # ~/.secantus/secantusd.toml, so a stray file on the machine cannot change the servers.
    : > "$MONGO/secantusd.toml"
    # The three instances start in parallel (each takes ~1.4 s, mostly Python start-up).
    local jobs=() j rc=0
    mongo_up plain "" --storage-path :memory: & jobs+=($!)
    { mongo_auth_setup && mongo_up auth "&authSource=admin" --storage-path "$MONGO/auth-data" --auth; } & jobs+=($!)
    mongo_up tls "&tls=true&tlsCAFile=$TLS/ca.pem" --storage-path :memory: \
        --tls-cert-file "$TLS/cert.pem" --tls-key-file "$TLS/key.pem" & jobs+=($!)
    for j in "${jobs[@]}"; do wait "$j" || rc=1; done
    ((rc == 0)) || die "the MongoDB-wire servers did not start (logs: $LOGS/mongo-*.log)"

    local plain auth tls
    plain=$(cat "$MONGO/plain.port") auth=$(cat "$MONGO/auth.port") tls=$(cat "$MONGO/tls.port")
    put mongo \
        plain_uri="mongodb://127.0.0.1:$plain/?directConnection=true" \
        auth_uri="mongodb://127.0.0.1:$auth/?directConnection=true&authSource=admin" \
        auth_user="$MONGO_READER_USER" auth_password="$MONGO_READER_PW" \
        auth_admin_user="$MONGO_ADMIN_USER" auth_admin_password="$MONGO_ADMIN_PW" \
        auth_source=admin auth_mechanism=SCRAM-SHA-256 auth_seeded_database=ATA \
        tls_uri="mongodb://127.0.0.1:$tls/?directConnection=true&tls=true" \
        tls_ca_pem="$TLS/ca.pem"
}

# ------------------------------------------------------------------------ Samba AD DC
SAMBA=$ENV_DIR/samba
SAMBA_REALM=EXAMPLE.TEST
SAMBA_NETBIOS=EXAMPLE
SAMBA_DNS=example.test
SAMBA_BASE=DC=example,DC=test
SAMBA_ADMIN_PW='Lab!Admin-Passw0rd1'
SAMBA_CONF=$SAMBA/etc/smb.conf
SAMBA_LDB=$SAMBA/private/sam.ldb

# What the provisioned tree was built from: when this changes, provision again.
samba_fingerprint() { cat "$SCRIPTS/test-env.sh" "$SCRIPTS/gen-samba-fixtures.py" | sha256sum | cut -c1-16; }

# Reuse an earlier provision (saves ~10 s) unless in CI, where it is always fresh.
samba_reusable() {
    [[ ${CI:-} != true ]] || return 1
    [[ -f $SAMBA/.ready && -f $SAMBA_LDB && -f $SAMBA_CONF ]] || return 1
    [[ "$(cat "$SAMBA/.ready")" == "$(samba_fingerprint)" ]] || return 1
    # smb.conf holds absolute paths: a target/ copied from another checkout would start
    # that checkout's domain. Only a domain provisioned here, for this $SAMBA, is reused.
    grep -q "private dir = $SAMBA/" "$SAMBA_CONF"
}

samba_provision() {
    rm -rf "$SAMBA"
    mkdir -p "$SAMBA"
    # --dns-backend=NONE: no DNS server (nothing resolves example.test; clients use
    # 127.0.0.1). 2008_R2 reports functional level 4 in the rootDSE. --host-name fixes
    # the DC's name (dc1.example.test) instead of taking the machine's.
    samba-tool domain provision --targetdir="$SAMBA" --realm="$SAMBA_REALM" --domain="$SAMBA_NETBIOS" \
        --host-name=dc1 --server-role=dc --dns-backend=NONE --adminpass="$SAMBA_ADMIN_PW" \
        --host-ip=127.0.0.1 --function-level=2008_R2 \
        --option="interfaces=127.0.0.1" --option="bind interfaces only=yes" \
        >"$LOGS/samba-provision.log" 2>&1 || { tail -n 20 "$LOGS/samba-provision.log" >&2; die "samba provision failed"; }
    # Options provision does not write (or writes with system paths). Replace them:
    #  - server services: only the LDAP server (no smbd, DNS, KDC, RPC): starts in <1 s
    #    and opens only 389/636/3268/3269 on 127.0.0.1;
    #  - plain ldap:// simple binds are refused without "require strong auth = no";
    #  - our own certs, else Samba spends ~6 s generating self-signed ones on first start;
    #  - logs, pid file and sockets under target/, nothing in /var or /run;
    #  - ldb:nosync: no fsync per write (a throwaway lab; ~10x faster fixture writes).
    local key
    for key in 'log file' 'logging' 'server services' 'pid directory' 'ldap server require strong auth' \
        'tls enabled' 'tls keyfile' 'tls certfile' 'tls cafile' 'ldb:nosync'; do
        sed -i "/^\t$key = /d" "$SAMBA_CONF"
    done
    mkdir -p "$SAMBA/run" "$SAMBA/log"
    sed -i "/^\[global\]/a\\
\tlog file = $SAMBA/log/log.%m\\
\tlogging = file\\
\tserver services = ldap\\
\tpid directory = $SAMBA/run\\
\tldap server require strong auth = no\\
\ttls enabled = yes\\
\ttls keyfile = $TLS/key.pem\\
\ttls certfile = $TLS/cert.pem\\
\ttls cafile = $TLS/ca.pem\\
\tldb:nosync = true" "$SAMBA_CONF"
}

tcp_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# wait_ldap URL TIMEOUT PIDNAME: until the rootDSE answers (0), the process died (2) or
# time ran out (3).
wait_ldap() {
    local end=$((SECONDS + $2))
    while ((SECONDS < end)); do
        LDAPTLS_CACERT=$TLS/ca.pem ldapsearch -LLL -x -H "$1" -o nettimeout=2 -s base -b '' \
            '(objectClass=*)' namingContexts >/dev/null 2>&1 && return 0
        pid_alive "$3" || return 2
        sleep 0.1
    done
    return 3
}

samba_launch() {
    local p
    for p in "$SAMBA_LDAP_PORT" "$SAMBA_LDAPS_PORT"; do
        if tcp_open "$p"; then
            # Samba's LDAP ports cannot be changed, so only one Samba per machine (e.g. one
            # checkout's test environment at a time): say who holds the port.
            local who=
            command -v ss >/dev/null && who=$(ss -Hltnp "sport = :$p" 2>/dev/null | grep -o 'users:.*' | head -n1)
            die "port $p on 127.0.0.1 is taken${who:+ ($who)}: Samba AD needs it; stop that server first"
        fi
    done
    # -M single: one process, so $! is the whole server and SIGTERM stops everything.
    # setsid: its own session, so a Ctrl-C in the terminal reaches the scripts' traps
    # (which stop it cleanly) rather than the server.
    setsid samba -s "$SAMBA_CONF" --foreground --no-process-group -M single --debug-stdout -d1 \
        >"$LOGS/samba.log" 2>&1 </dev/null &
    record_pid samba $!
    wait_ready samba "$LOGS/samba.log" wait_ldap "ldap://127.0.0.1:$SAMBA_LDAP_PORT" 60 samba
}

# The AD Recycle Bin, both ways, for the directory tests: first the forest as provisioned
# (not enabled), exported with ldapsearch into recycle-bin-disabled.ldif; then enabled as
# Enable-ADOptionalFeature does it (the rootDSE's enableOptionalFeature, which Samba only
# takes from the local system, hence ldbmodify). It cannot be turned off again, so every
# other test runs on a forest with the Recycle Bin, as many customers' are. Done before
# the fixtures delete anything: their deleted user is then a deleted object, visible with
# Show Deleted, as the Deleted Objects tests expect (a tombstone from before would be a
# recycled object).
samba_recycle_bin() {
    local config="CN=Configuration,$SAMBA_BASE"
    local q=(env LDAPTLS_CACERT="$TLS/ca.pem" ldapsearch -x -H "ldaps://127.0.0.1:$SAMBA_LDAPS_PORT"
        -D "Administrator@$SAMBA_REALM" -w "$SAMBA_ADMIN_PW" -o ldif-wrap=no)
    {
        "${q[@]}" -s base -b "CN=Partitions,$config" '(objectClass=*)' objectClass cn msDS-EnabledFeature \
            msDS-Behavior-Version
        "${q[@]}" -s sub -b "CN=Optional Features,CN=Directory Service,CN=Windows NT,CN=Services,$config" \
            '(objectClass=*)' objectClass cn msDS-OptionalFeatureGUID msDS-EnabledFeatureBL
    } >"$SAMBA/recycle-bin-disabled.ldif" 2>>"$LOGS/samba-fixtures.log" || die "exporting the Recycle Bin state failed"
    ldbmodify -H "$SAMBA_LDB" >>"$LOGS/samba-fixtures.log" 2>&1 <<LDIF || die "enabling the Recycle Bin failed"
dn:
changetype: modify
add: enableOptionalFeature
enableOptionalFeature: CN=Partitions,$config:766ddcd8-acd0-445e-f3b9-a7f9b6744f2a
LDIF
}

samba_fixtures() {
    samba_recycle_bin
    "$PY" "$SCRIPTS/gen-samba-fixtures.py" --ldif "$SAMBA/fixtures.ldif" --json "$SAMBA/fixtures.json" \
        --base-dn "$SAMBA_BASE" --dns-domain "$SAMBA_DNS"
    # Over LDAPS: AD accepts unicodePwd only on an encrypted connection.
    LDAPTLS_CACERT=$TLS/ca.pem ldapmodify -x -H "ldaps://127.0.0.1:$SAMBA_LDAPS_PORT" \
        -D "Administrator@$SAMBA_REALM" -w "$SAMBA_ADMIN_PW" -f "$SAMBA/fixtures.ldif" \
        >"$LOGS/samba-fixtures.log" 2>&1 || { tail -n 20 "$LOGS/samba-fixtures.log" >&2; die "samba fixtures failed"; }

    # The rest runs samba-tool/ldbmodify on the local sam.ldb (as on a real DC): samba-tool
    # over ldap:// would need SASL/NTLM, which the ldap-only service set here refuses.
    local st=(-s "$SAMBA_CONF" -H "$SAMBA_LDB")
    # Lockout for ata.locked only, through a password settings object (PSO): a domain-wide
    # threshold would let this suite's own wrong-password tests lock svc-ata out.
    # Duration 0 = locked until an admin unlocks; the 30-minute window lets bad binds add up.
    samba-tool domain passwordsettings pso create lab-lockout 10 --account-lockout-threshold=3 \
        --account-lockout-duration=0 --reset-account-lockout-after=30 "${st[@]}" >>"$LOGS/samba-fixtures.log" 2>&1
    samba-tool domain passwordsettings pso apply lab-lockout ata.locked "${st[@]}" >>"$LOGS/samba-fixtures.log" 2>&1

    # Grant svc-ata List Contents + Read Property on CN=Deleted Objects, as MDI's docs ask
    # (dsacls "CN=Deleted Objects,..." /G DOMAIN\account:LCRP). `samba-tool dsacl` cannot
    # do it (the container is itself deleted, and dsacl does not send show-deleted), so
    # write the DACL directly: Samba's default for that container plus our ACE.
    local sid
    sid=$(ldbsearch -H "$SAMBA_LDB" '(sAMAccountName=svc-ata)' objectSid | awk '/^objectSid:/ { print $2 }')
    [[ $sid == S-1-5-21-* ]] || die "could not read svc-ata's SID"
    ldbmodify -H "$SAMBA_LDB" --controls=show_deleted:1 --controls=sd_flags:1:4 >>"$LOGS/samba-fixtures.log" 2>&1 <<LDIF
dn: CN=Deleted Objects,$SAMBA_BASE
changetype: modify
replace: nTSecurityDescriptor
nTSecurityDescriptor: O:SYG:SYD:PAI(A;;RPWPCCDCLCRCWOWDSDSW;;;SY)(A;;RPLC;;;BA)(A;;LCRP;;;$sid)
LDIF
}

# The domain head's SACL as provisioned (no entry Defender for Identity asks for), in SDDL:
# the auditing test restores it before and after adding the entries with ldbmodify.
samba_save_domain_sacl() {
    ldbsearch -H "$SAMBA_LDB" -s base -b "$SAMBA_BASE" --controls=sd_flags:1:8 nTSecurityDescriptor 2>/dev/null |
        awk '/^nTSecurityDescriptor: /{sub(/^nTSecurityDescriptor: /,""); v=$0; f=1; next}
             f && /^ /{sub(/^ /,""); v=v $0; next} f{print v; f=0} END{if (f) print v}' > "$SAMBA/domain-sacl.fresh"
    [[ $(cat "$SAMBA/domain-sacl.fresh") == S:* ]] || die "could not read the domain head's SACL"
}

# Lock ata.locked with bad binds (threshold 3). Run on every start: harmless when it is
# already locked, and it proves the lockout really is in force (AD answers "data 775").
samba_lock_account() {
    local upn="ata.locked@$SAMBA_DNS" out
    for _ in 1 2 3 4 5; do
        out=$(ldapwhoami -x -H "ldap://127.0.0.1:$SAMBA_LDAP_PORT" -D "$upn" -w 'not-the-password' 2>&1 || true)
        [[ $out == *'data 775'* ]] && return 0
    done
    die "could not lock out $upn; last answer: $out"
}

start_samba() {
    local fresh=0
    if samba_reusable; then
        log "samba: reusing the provisioned domain in $SAMBA"
    else
        timed "samba: provision" samba_provision
        fresh=1
    fi
    timed "samba: start" samba_launch
    if ((fresh)); then
        timed "samba: fixtures" samba_fixtures
        samba_save_domain_sacl
        samba_fingerprint > "$SAMBA/.ready"
    fi
    timed "samba: lock ata.locked" samba_lock_account

    local sid
    sid=$(ldbsearch -H "$SAMBA_LDB" -s base -b "$SAMBA_BASE" objectSid | awk '/^objectSid:/ { print $2 }')
    put samba \
        ldap_url="ldap://127.0.0.1:$SAMBA_LDAP_PORT" ldaps_url="ldaps://127.0.0.1:$SAMBA_LDAPS_PORT" \
        realm="$SAMBA_REALM" netbios_domain="$SAMBA_NETBIOS" dns_domain="$SAMBA_DNS" \
        base_dn="$SAMBA_BASE" domain_sid="$sid" dc_dns_hostname="dc1.$SAMBA_DNS" \
        admin_upn="Administrator@$SAMBA_DNS" admin_password="$SAMBA_ADMIN_PW" ca_pem="$TLS/ca.pem" \
        functional_level:=4 \
        dsa=svc-ata dsa_privileged=svc-ata-priv dsa_without_deleted_objects=svc-ata-nodel \
        honeytoken=honey.admin \
        bind_failures.disabled=ata.disabled bind_failures.must_change_password=ata.mustchange \
        bind_failures.expired=ata.expired bind_failures.locked_out=ata.locked \
        deleted_objects_dn="CN=Deleted Objects,$SAMBA_BASE" \
        recycle_bin_disabled_ldif="$SAMBA/recycle-bin-disabled.ldif" \
        fake_dcs.writable=DC2 fake_dcs.rodc=RODC1 \
        "accounts:=$(json_get "$SAMBA/fixtures.json" accounts)" \
        "computers:=$(json_get "$SAMBA/fixtures.json" computers)" \
        gmsa_dn="CN=gmsa-ata,CN=Managed Service Accounts,$SAMBA_BASE" \
        deleted_user="$(json_get "$SAMBA/fixtures.json" deleted_user | tr -d '"')" \
        sam_ldb="$SAMBA_LDB" domain_sacl_fresh="$(cat "$SAMBA/domain-sacl.fresh")"
}

# ------------------------------------------------------------------------------ slapd
SLAPD=$ENV_DIR/slapd
SLAPD_ROOT_PW='Lab-SlapdRoot-Passw0rd'
# Directory size: CI's default; the benchmark sets e.g. 50000 / 5000 / 200.
SLAPD_USERS=${ATA2ATP_TESTENV_SLAPD_USERS:-20000}
SLAPD_COMPUTERS=${ATA2ATP_TESTENV_SLAPD_COMPUTERS:-500}
SLAPD_DCS=${ATA2ATP_TESTENV_SLAPD_DCS:-10}
SLAPD_GROUPS=${ATA2ATP_TESTENV_SLAPD_GROUPS:-20}
SLAPD_LIMITED_PAGE=200   # below the product's page size (500-1000) on purpose

slapd_paths() { # sets SCHEMA_DIR and MODULE_DIR from the installed package
    SCHEMA_DIR=$(dirname "$(dpkg -L slapd | grep '/core.schema$' | head -n1)")
    MODULE_DIR=$(dirname "$(dpkg -L slapd | grep '/back_mdb.so$' | head -n1)")
}

slapd_prepare() {
    rm -rf "$SLAPD"
    mkdir -p "$SLAPD/db" "$SLAPD/tls"
    slapd_paths
    cp "$FIXTURES/ad-lite.schema" "$SLAPD/"
    # Own copies of the cert and key: slapd drops to nobody and must still read them.
    cp "$TLS/ca.pem" "$TLS/cert.pem" "$TLS/key.pem" "$SLAPD/tls/"
    "$PY" "$SCRIPTS/gen-ad-ldif.py" --out "$SLAPD/ad.ldif" --summary "$SLAPD/summary.json" \
        --users "$SLAPD_USERS" --computers "$SLAPD_COMPUTERS" --dcs "$SLAPD_DCS" --groups "$SLAPD_GROUPS"
    local limited
    limited=$(json_get "$SLAPD/summary.json" limited_bind_dn | tr -d '"')

    # AD's rootDSE values; slapd serves them through the rootDSE directive (see ad-lite.schema).
    cat > "$SLAPD/rootdse.ldif" <<LDIF
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
    cat > "$SLAPD/slapd.conf" <<CONF
# Generated by scripts/test-env.sh; flat config (no cn=config), unprivileged.
include $SCHEMA_DIR/core.schema
include $SCHEMA_DIR/cosine.schema
include $SCHEMA_DIR/inetorgperson.schema
include $SLAPD/ad-lite.schema
modulepath $MODULE_DIR
moduleload back_mdb
pidfile $SLAPD/slapd.pid
argsfile $SLAPD/slapd.args
rootDSE $SLAPD/rootdse.ldif
TLSCACertificateFile $SLAPD/tls/ca.pem
TLSCertificateFile $SLAPD/tls/cert.pem
TLSCertificateKeyFile $SLAPD/tls/key.pem
# slapd's default is 500 entries per search; AD's real limits come from the paging.
sizelimit unlimited

database mdb
maxsize 1073741824
suffix "DC=example,DC=test"
rootdn "CN=lab-root,DC=example,DC=test"
rootpw $SLAPD_ROOT_PW
directory $SLAPD/db
index objectClass,sAMAccountName,sAMAccountType,objectSid,userAccountControl,primaryGroupID eq
# The "server page-size limit lower than ours" account. What slapd does with it (measured):
#   plain search          -> first 200 entries, then sizeLimitExceeded (4)
#   paged, page <= 200    -> every entry
#   paged, page  > 200    -> adminLimitExceeded (11) at once, no entries
# (AD instead caps the page silently at MaxPageSize; slapd cannot imitate that.)
limits dn.exact="$limited" size.soft=$SLAPD_LIMITED_PAGE size.hard=$SLAPD_LIMITED_PAGE size.pr=$SLAPD_LIMITED_PAGE size.prtotal=unlimited
# Read for any bound user; anonymous may only bind.
access to * by users read by anonymous auth
CONF
    slapadd -q -f "$SLAPD/slapd.conf" -l "$SLAPD/ad.ldif" >"$LOGS/slapadd.log" 2>&1 \
        || { tail -n 20 "$LOGS/slapadd.log" >&2; die "slapadd failed"; }
}

start_slapd() {
    timed "slapd: generate + slapadd" slapd_prepare
    # Run as nobody when nobody can reach the files (not if the repo sits below a
    # 0700 directory); otherwise as root, still on unprivileged ports.
    local user_args=()
    chown -R nobody:nogroup "$SLAPD"
    if runuser -u nobody -- test -r "$SLAPD/slapd.conf" -a -w "$SLAPD/db" 2>/dev/null; then
        user_args=(-u nobody -g nogroup)
    else
        log "slapd: nobody cannot reach $SLAPD; running slapd as $(id -un)"
    fi
    local ports ldap ldaps rc
    for _ in 1 2 3; do
        ports=$(free_port 2)
        read -r ldap ldaps <<<"$ports"
        # -d 0: stay in the foreground, so $! is slapd itself.
        slapd "${user_args[@]}" -f "$SLAPD/slapd.conf" -h "ldap://127.0.0.1:$ldap/ ldaps://127.0.0.1:$ldaps/" \
            -d 0 >"$LOGS/slapd.log" 2>&1 </dev/null &
        record_pid slapd $!
        rc=0
        wait_ready slapd "$LOGS/slapd.log" wait_ldap "ldaps://127.0.0.1:$ldaps" 30 slapd || rc=$?
        ((rc == 0)) && break
        stop_pids slapd
        bind_race "$LOGS/slapd.log" || die "slapd did not start"
        log "slapd lost the race for its ports; retrying"
    done
    ((rc == 0)) || die "slapd did not start"

    put slapd ldap_url="ldap://127.0.0.1:$ldap" ldaps_url="ldaps://127.0.0.1:$ldaps" \
        ca_pem="$TLS/ca.pem" root_dn="CN=lab-root,DC=example,DC=test" root_password="$SLAPD_ROOT_PW" \
        limited_page_size:=$SLAPD_LIMITED_PAGE functional_level:=7 \
        "summary:=$(cat "$SLAPD/summary.json")"
    # Flatten the generator's summary (base_dn, bind_dn, users, ...) into the part.
    "$PY" - "$PARTS/slapd.json" <<'PY'
import json, sys
p = sys.argv[1]
d = json.load(open(p))
d.update(d.pop("summary"))
json.dump(d, open(p, "w"), indent=2, sort_keys=True)
PY
}

# ---------------------------------------------------------- tinyproxy + HTTPS targets
PROXY=$ENV_DIR/proxy
PROXY_USER=atp-lab
PROXY_PW='Lab-Proxy-Passw0rd'

start_proxy() {
    rm -rf "$PROXY"
    mkdir -p "$PROXY"
    # Targets first: their ports (chosen by the OS inside the script) go into ConnectPort.
    "$PY" "$FIXTURES/https_targets.py" --cert "$TLS/cert.pem" --key "$TLS/key.pem" \
        --untrusted-cert "$TLS/inspection-cert.pem" --untrusted-key "$TLS/inspection-key.pem" \
        --ports-out "$PROXY/targets.json" >"$LOGS/https-targets.log" 2>&1 </dev/null &
    record_pid https-targets $!
    for _ in $(seq 100); do
        [[ -s $PROXY/targets.json ]] && break
        pid_alive https-targets || { tail -n 20 "$LOGS/https-targets.log" >&2; die "https targets did not start"; }
        sleep 0.1
    done
    [[ -s $PROXY/targets.json ]] || die "https targets did not start in time"
    local trusted untrusted denied blackhole
    read -r trusted untrusted denied blackhole < <("$PY" -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["trusted"], d["untrusted"], d["denied"], d["blackhole"])' "$PROXY/targets.json")

    local port down code
    for _ in 1 2 3; do
        # "down": a port we choose and leave closed, for a second proxy URL that refuses.
        read -r port down <<<"$(free_port 2)"
        cat > "$PROXY/tinyproxy.conf" <<CONF
# Generated by scripts/test-env.sh
User nobody
Group nogroup
Port $port
Listen 127.0.0.1
Allow 127.0.0.1
Timeout 30
MaxClients 50
LogLevel Info
DisableViaHeader Yes
BasicAuth $PROXY_USER $PROXY_PW
# CONNECT only to these ports; the "denied" target ($denied) is left out on purpose.
ConnectPort $trusted
ConnectPort $untrusted
ConnectPort $blackhole
CONF
        tinyproxy -d -c "$PROXY/tinyproxy.conf" >"$LOGS/tinyproxy.log" 2>&1 </dev/null &
        record_pid tinyproxy $!
        # Ready = a CONNECT with credentials reaches the trusted target end to end.
        code=000
        for _ in $(seq 100); do
            code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 3 --cacert "$TLS/ca.pem" \
                -x "http://$PROXY_USER:$PROXY_PW@127.0.0.1:$port" \
                "https://127.0.0.1:$trusted/tri/sensor/api/ping" 2>/dev/null || true)
            [[ $code == 200 ]] && break
            pid_alive tinyproxy || break
            sleep 0.1
        done
        [[ $code == 200 ]] && break
        stop_pids tinyproxy
        bind_race "$LOGS/tinyproxy.log" || { tail -n 20 "$LOGS/tinyproxy.log" >&2; die "tinyproxy did not work (last HTTP code $code)"; }
        log "tinyproxy lost the race for port $port; retrying"
    done
    [[ $code == 200 ]] || die "tinyproxy did not start"

    local t="https://127.0.0.1:$trusted"
    put proxy url="http://127.0.0.1:$port" \
        url_with_credentials="http://$PROXY_USER:$PROXY_PW@127.0.0.1:$port" \
        user="$PROXY_USER" password="$PROXY_PW" \
        down_url="http://$PROXY_USER:$PROXY_PW@127.0.0.1:$down" \
        ca_pem="$TLS/ca.pem" untrusted_ca_pem="$TLS/inspection-ca.pem" \
        "connect_ports:=[$trusted, $untrusted, $blackhole]" \
        targets.ok="$t/tri/sensor/api/ping" targets.status_503="$t/status/503" \
        targets.status_500="$t/status/500" targets.not_found="$t/no/such/path" \
        targets.untrusted="https://127.0.0.1:$untrusted/tri/sensor/api/ping" \
        targets.blackhole="https://127.0.0.1:$blackhole/tri/sensor/api/ping" \
        targets.denied_port="https://127.0.0.1:$denied/tri/sensor/api/ping"
}

# --------------------------------------------------------------------------- commands
any_running() {
    local f
    for f in "$PIDS"/*.pid; do
        [[ -e $f ]] || continue
        pid_alive "$(basename "$f" .pid)" && return 0
    done
    return 1
}

cmd_stop() {
    local names=() f
    for f in "$PIDS"/*.pid; do
        [[ -e $f ]] && names+=("$(basename "$f" .pid)")
    done
    # Tests must never read details of servers that are gone.
    rm -f "$ENV_DIR/servers.json" "$ENV_DIR/servers.env"
    ((${#names[@]})) || { log "nothing to stop"; return 0; }
    local t0=$EPOCHREALTIME
    stop_pids "${names[@]}"
    log "$(printf '%-28s %6.1f s' "stop (${names[*]})" "$(elapsed "$t0")")"
}

cmd_status() {
    local f name any=0
    for f in "$PIDS"/*.pid; do
        [[ -e $f ]] || continue
        name=$(basename "$f" .pid)
        if pid_alive "$name"; then
            printf '%-16s running  pid %s\n' "$name" "$(pid_of "$name")"
            any=1
        else
            printf '%-16s DEAD     (pid %s recorded)\n' "$name" "$(pid_of "$name")"
        fi
    done
    ((any)) || echo "no test server is running"
    [[ -f $ENV_DIR/servers.json ]] && echo "connection details: $ENV_DIR/servers.json"
    return 0
}

cmd_start() {
    local t0=$EPOCHREALTIME
    mkdir -p "$ENV_DIR" "$LOGS" "$PIDS"
    # Decision: a second start restarts everything (rather than guessing whether the old
    # servers still match this checkout); the Samba provision itself is reused.
    if any_running; then
        log "servers already running: stopping them first"
        cmd_stop
    fi
    rm -f "$ENV_DIR/servers.json" "$ENV_DIR/servers.env" "$PIDS"/*.pid
    rm -rf "$PARTS"
    mkdir -p "$PARTS"
    # On any failure, stop what was started: no half-up environment is left behind (after
    # the background MongoDB job has finished, or it could start a server after the stop).
    MONGO_JOB=
    trap 'rc=$?; if ((rc)); then log "start failed; stopping what was started (logs: $LOGS)";
          [[ -n $MONGO_JOB ]] && wait "$MONGO_JOB" 2>/dev/null; cmd_stop; fi' EXIT

    cmd_install
    put tools python="$PY" ps_syntax="$SCRIPTS/ps-syntax.py"
    timed "tls: certificates" ensure_tls
    write_tls_part
    # MongoDB's instances come up in the background while Samba provisions: both are
    # mostly single-threaded Python, and the machine has two cores.
    timed "mongo: 3 instances" start_mongo &
    MONGO_JOB=$!
    start_samba
    start_slapd
    timed "proxy: tinyproxy + targets" start_proxy
    wait "$MONGO_JOB" || die "the MongoDB-wire servers did not start"
    MONGO_JOB=

    "$PY" "$UTIL" merge "$PARTS" "$ENV_DIR/servers.json" "$ENV_DIR/servers.env"
    trap - EXIT
    log "$(printf '%-28s %6.1f s' "environment up (total)" "$(elapsed "$t0")")"
    log "connection details: $ENV_DIR/servers.json"
}

main() {
    case "${1:-}" in
        start) cmd_start ;;
        stop) cmd_stop ;;
        status) cmd_status ;;
        install) cmd_install ;;
        *) echo "usage: $0 start|stop|status|install" >&2; exit 2 ;;
    esac
}

main "$@"
