#!/usr/bin/env python3
"""Small helpers for scripts/test-env.sh that are awkward in bash.

Subcommands (all print errors to stderr and exit non-zero on failure):
  free-ports N                    print N distinct free TCP ports on 127.0.0.1
  wait-tcp PORT TIMEOUT PID       wait until 127.0.0.1:PORT accepts, while PID lives
  wait-mongo URI TIMEOUT PID      wait until a MongoDB-wire server answers `ping`
                                  (needs pymongo: run with the venv's python)
  mongo-seed URI ADMIN_USER ADMIN_PW READER_USER READER_PW
                                  create the users of the auth instance and one
                                  synthetic ATA document (needs pymongo)
  put FILE key=value key:=json    set keys (dotted = nested) in a JSON file
  merge PARTS_DIR OUT_JSON OUT_ENV
                                  merge parts/*.json into servers.json and write
                                  the same as shell exports (ATA2ATP_TEST_*)

Exit codes of the wait-* commands: 0 ready, 2 the process died, 3 timed out.
"""
import json
import os
import re
import shlex
import socket
import sys
import time


def free_ports(n):
    # Bind all sockets at once so the ports are distinct; the OS may hand a port
    # out again after we close it, so callers retry when a server loses the race.
    socks = []
    try:
        for _ in range(n):
            s = socket.socket()
            s.bind(("127.0.0.1", 0))
            socks.append(s)
        print(" ".join(str(s.getsockname()[1]) for s in socks))
    finally:
        for s in socks:
            s.close()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (exited, not yet reaped by the shell) still answers kill(0).
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_loop(check, timeout, pid):
    end = time.monotonic() + timeout
    while True:
        if check():
            return 0
        if pid and not alive(pid):
            return 2
        if time.monotonic() > end:
            return 3
        time.sleep(0.1)


def wait_tcp(port, timeout, pid):
    def check():
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True
        except OSError:
            return False

    return wait_loop(check, timeout, pid)


def wait_mongo(uri, timeout, pid):
    from pymongo import MongoClient

    def check():
        try:
            with MongoClient(uri, serverSelectionTimeoutMS=500, connectTimeoutMS=500) as c:
                c.admin.command("ping")
            return True
        except Exception:  # noqa: BLE001 - any failure means "not yet"
            return False

    return wait_loop(check, timeout, pid)


def mongo_seed(uri, admin_user, admin_pw, reader_user, reader_pw):
    import datetime

    from pymongo import MongoClient

    with MongoClient(uri, serverSelectionTimeoutMS=5000) as c:
        # SecantusDB only speaks SCRAM-SHA-256, so say so explicitly.
        c.admin.command("createUser", admin_user, pwd=admin_pw, roles=["root"],
                        mechanisms=["SCRAM-SHA-256"])
        c.admin.command("createUser", reader_user, pwd=reader_pw,
                        roles=[{"role": "read", "db": "ATA"}], mechanisms=["SCRAM-SHA-256"])
        # One synthetic ATA Center profile so a reader has something real to count.
        c["ATA"]["SystemProfile"].insert_one({
            "_t": "CenterSystemProfile",
            "Name": "ATA-CENTER-LAB",
            "Configuration": {"CenterConfiguration": {"ServerName": "ata-center.example.test"}},
            "CreatedAt": datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc),
        })


def put(path, assignments):
    data = {}
    if os.path.exists(path):
        with open(path) as f:
            data = json.load(f)
    for a in assignments:
        key, value = a.split("=", 1)
        if key.endswith(":"):  # key:=json (a number, list, object, true/false/null)
            key, value = key[:-1], json.loads(value)
        node = data
        parts = key.split(".")
        for p in parts[:-1]:
            node = node.setdefault(p, {})
        node[parts[-1]] = value
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(data, f, indent=2, sort_keys=True)
        f.write("\n")
    os.replace(tmp, path)


def flatten(prefix, value, out):
    if isinstance(value, dict):
        for k, v in value.items():
            flatten(prefix + "_" + re.sub(r"[^A-Za-z0-9]", "_", k).upper(), v, out)
    elif isinstance(value, list):
        out[prefix] = ",".join(str(v) for v in value)
    elif isinstance(value, bool):
        out[prefix] = "true" if value else "false"
    else:
        out[prefix] = "" if value is None else str(value)


def merge(parts_dir, out_json, out_env):
    merged = {"format": 1}
    for name in sorted(os.listdir(parts_dir)):
        if name.endswith(".json"):
            with open(os.path.join(parts_dir, name)) as f:
                merged[name[: -len(".json")]] = json.load(f)
    flat = {}
    flatten("ATA2ATP_TEST", merged, flat)
    # Write both files atomically: tests must never read a half-written file.
    for path, text in (
        (out_json, json.dumps(merged, indent=2, sort_keys=True) + "\n"),
        (out_env, "".join(f"export {k}={shlex.quote(v)}\n" for k, v in sorted(flat.items()))),
    ):
        with open(path + ".tmp", "w") as f:
            f.write(text)
        os.replace(path + ".tmp", path)


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "free-ports":
        free_ports(int(args[0]))
    elif cmd == "wait-tcp":
        return wait_tcp(int(args[0]), float(args[1]), int(args[2]))
    elif cmd == "wait-mongo":
        return wait_mongo(args[0], float(args[1]), int(args[2]))
    elif cmd == "mongo-seed":
        mongo_seed(*args)
    elif cmd == "put":
        put(args[0], args[1:])
    elif cmd == "merge":
        merge(*args)
    else:
        sys.exit(f"unknown subcommand {cmd}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
