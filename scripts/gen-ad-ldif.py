#!/usr/bin/env python3
"""Write a synthetic, AD-shaped directory as LDIF for slapd (see tests/fixtures/servers/ad-lite.schema).

Every name, SID and GUID is invented; the output is reproducible (seeded).

  gen-ad-ldif.py --out FILE [--summary FILE.json] [--users N] [--computers N] [--dcs N]
                 [--groups N] [--base-dn DN] [--bind-password PW] [--limited-password PW]

Defaults are what CI needs (20,000 users). The benchmark wants
--users 50000 --computers 5000 --dcs 200.

What is in it:
  - the domain root with the domain SID, containers CN=Users, CN=Computers, OUs Staff,
    Workstations, Service Accounts and Domain Controllers;
  - well-known groups with their RIDs (Domain Admins 512, ...), Enterprise Admins
    holding two staff users, and --groups "Staff NNN" groups with members;
  - --users staff users (sAMAccountType 805306368; every 50th disabled);
  - --computers workstations/servers (userAccountControl 4096);
  - --dcs domain controller objects under OU=Domain Controllers: every 10th one is an RODC
    (userAccountControl 83890176 = 0x5001000, PARTIAL_SECRETS_ACCOUNT bit 67108864),
    the others writable DCs (532480 = SERVER_TRUST_ACCOUNT 8192 + TRUSTED_FOR_DELEGATION);
  - two bind accounts under OU=Service Accounts: svc-ata and svc-ata-limited (slapd.conf
    caps the latter's page size; see scripts/test-env.sh).

objectSid and objectGUID are written base64 (`attr:: ...`), as binary.
"""
import argparse
import base64
import hashlib
import json
import os
import random
import struct
import uuid

# An invented domain SID. Its sub-authorities have bytes >= 0x80, so a SID is never valid
# UTF-8 (ldap3 then reports it in bin_attrs; Samba covers the other case).
DOMAIN_SUBAUTHS = (2718281828, 3141592653, 1414213562)
FIRST = ["Ada", "Ben", "Cleo", "Dan", "Eva", "Finn", "Gus", "Hana", "Ivo", "Jin", "Kai", "Lea",
         "Mo", "Nia", "Oli", "Pia", "Quin", "Rui", "Sol", "Tess", "Uma", "Vic", "Wes", "Xan",
         "Yara", "Zed"]
LAST = ["Archer", "Brook", "Cedar", "Dale", "Ember", "Frost", "Glen", "Heath", "Isle", "Juniper",
        "Knoll", "Lark", "Moss", "North", "Oak", "Pine", "Quarry", "Reed", "Stone", "Thorn"]
CLIENT_OS = [("Windows 10 Enterprise", "10.0 (19045)"), ("Windows 11 Enterprise", "10.0 (22631)")]
SERVER_OS = [("Windows Server 2016 Standard", "10.0 (14393)"),
             ("Windows Server 2019 Standard", "10.0 (17763)"),
             ("Windows Server 2022 Standard", "10.0 (20348)")]
DC_OS = [("Windows Server 2012 R2 Datacenter", "6.3 (9600)"),
         ("Windows Server 2016 Datacenter", "10.0 (14393)"),
         ("Windows Server 2019 Datacenter", "10.0 (17763)"),
         ("Windows Server 2022 Datacenter", "10.0 (20348)")]

UF_ACCOUNTDISABLE = 0x2
UF_NORMAL_ACCOUNT = 0x200
UF_DONT_EXPIRE_PASSWD = 0x10000
UF_WORKSTATION_TRUST_ACCOUNT = 0x1000
UF_SERVER_TRUST_ACCOUNT = 0x2000
UF_TRUSTED_FOR_DELEGATION = 0x80000
RODC_UAC = 83890176  # 0x5001000: PARTIAL_SECRETS_ACCOUNT | TRUSTED_TO_AUTH_FOR_DELEGATION | WORKSTATION_TRUST
DC_UAC = UF_SERVER_TRUST_ACCOUNT | UF_TRUSTED_FOR_DELEGATION  # 532480
GLOBAL_SECURITY_GROUP = -2147483646
UNIVERSAL_SECURITY_GROUP = -2147483640
SAT_USER, SAT_MACHINE, SAT_GROUP = 805306368, 805306369, 268435456


def sid_bytes(rid=None):
    # Binary SID: revision 1, sub-authority count, 48-bit big-endian authority 5 (NT),
    # then little-endian 32-bit sub-authorities (21, the domain's three, the RID).
    subs = [21, *DOMAIN_SUBAUTHS] + ([] if rid is None else [rid])
    return bytes([1, len(subs)]) + (5).to_bytes(6, "big") + b"".join(struct.pack("<I", s) for s in subs)


def sid_string(rid=None):
    tail = "-".join(str(s) for s in DOMAIN_SUBAUTHS)
    return f"S-1-5-21-{tail}" + ("" if rid is None else f"-{rid}")


def b64(data):
    return base64.b64encode(data).decode()


def ssha(password, rng):
    # {SSHA} = base64(sha1(password + salt) + salt); slapd verifies it natively.
    salt = bytes(rng.getrandbits(8) for _ in range(8))
    return "{SSHA}" + b64(hashlib.sha1(password.encode() + salt).digest() + salt)


class Ldif:
    def __init__(self, f, rng):
        self.f, self.rng, self.count = f, rng, 0

    def entry(self, dn, attrs):
        lines = [f"dn: {dn}"]
        for name, value in attrs:
            if value is None:
                continue
            if isinstance(value, bytes):
                lines.append(f"{name}:: {b64(value)}")
            else:
                lines.append(f"{name}: {value}")
        self.f.write("\n".join(lines) + "\n\n")
        self.count += 1

    def guid(self):
        return uuid.UUID(int=self.rng.getrandbits(128), version=4).bytes_le


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", required=True)
    ap.add_argument("--summary")
    ap.add_argument("--users", type=int, default=20000)
    ap.add_argument("--computers", type=int, default=500)
    ap.add_argument("--dcs", type=int, default=10)
    ap.add_argument("--groups", type=int, default=20)
    ap.add_argument("--base-dn", default="DC=example,DC=test")
    ap.add_argument("--bind-password", default="Slapd!Svc-Ata-1")
    ap.add_argument("--limited-password", default="Slapd!Svc-Limited-1")
    a = ap.parse_args()

    base = a.base_dn
    dns_domain = ".".join(p.split("=", 1)[1] for p in base.split(",")).lower()
    config = f"CN=Configuration,{base}"
    cat = lambda c: f"CN={c},CN=Schema,{config}"  # noqa: E731 - objectCategory DN
    rng = random.Random(20240229)

    tmp = a.out + ".tmp"
    with open(tmp, "w") as f:
        w = Ldif(f, rng)
        w.entry(base, [("objectClass", "top"), ("objectClass", "domain"), ("objectClass", "domainDNS"),
                       ("dc", base.split(",")[0].split("=")[1]), ("objectSid", sid_bytes()),
                       ("objectGUID", w.guid()), ("objectCategory", cat("Domain-DNS"))])
        for cn in ("Users", "Computers"):
            w.entry(f"CN={cn},{base}", [("objectClass", "top"), ("objectClass", "container"), ("cn", cn),
                                         ("objectCategory", cat("Container"))])
        for ou in ("Domain Controllers", "Staff", "Workstations", "Servers", "Service Accounts", "Groups"):
            w.entry(f"OU={ou},{base}", [("objectClass", "top"), ("objectClass", "organizationalUnit"),
                                         ("ou", ou)])

        def account(dn, cn, sam, rid, uac, pgid, sat, extra=(), classes=("user",), memberof=()):
            attrs = [("objectClass", "top")] + [("objectClass", c) for c in classes]
            attrs += [("cn", cn), ("sAMAccountName", sam), ("sAMAccountType", sat),
                      ("userAccountControl", uac), ("primaryGroupID", pgid),
                      ("objectSid", sid_bytes(rid)), ("objectGUID", w.guid()),
                      ("pwdLastSet", 133000000000000000 + rid), ("accountExpires", 0)]
            attrs += list(extra) + [("memberOf", g) for g in memberof]
            w.entry(dn, attrs)

        # Membership is collected while users are generated: users carry memberOf, and the
        # groups, written last, carry member.
        g_dn = lambda name, where="CN=Users": f"CN={name},{where},{base}"  # noqa: E731
        wellknown = {  # name -> (rid, groupType)
            "Domain Admins": (512, GLOBAL_SECURITY_GROUP),
            "Domain Users": (513, GLOBAL_SECURITY_GROUP),
            "Domain Computers": (515, GLOBAL_SECURITY_GROUP),
            "Domain Controllers": (516, GLOBAL_SECURITY_GROUP),
            "Schema Admins": (518, UNIVERSAL_SECURITY_GROUP),
            "Enterprise Admins": (519, UNIVERSAL_SECURITY_GROUP),
            "Read-only Domain Controllers": (521, GLOBAL_SECURITY_GROUP),
        }
        members = {name: [] for name in wellknown}
        staff_groups = [f"Staff {i:03d}" for i in range(1, a.groups + 1)]
        for g in staff_groups:
            members[g] = []

        users = []
        rid = 1100
        for i in range(1, a.users + 1):
            given, last = FIRST[i % len(FIRST)], LAST[(i // len(FIRST)) % len(LAST)]
            sam = f"user{i:05d}"
            dn = f"CN={given} {last} {i:05d},OU=Staff,{base}"
            groups = []
            if staff_groups:
                groups.append(staff_groups[i % len(staff_groups)])
            if i in (1, 2):
                groups += ["Domain Admins"]
            if i == 1:
                groups += ["Enterprise Admins", "Schema Admins"]
            for g in groups:
                members[g].append(dn)
            uac = UF_NORMAL_ACCOUNT | (UF_ACCOUNTDISABLE if i % 50 == 0 else 0) | (UF_DONT_EXPIRE_PASSWD if i % 100 == 1 else 0)
            users.append(dict(dn=dn, cn=f"{given} {last} {i:05d}", sam=sam, rid=rid, uac=uac,
                              groups=groups, given=given, last=last))
            rid += 1

        svc = [("svc-ata", a.bind_password, "directory services account (bind user)"),
               ("svc-ata-limited", a.limited_password, "bind user with a server page-size limit (size.pr)")]
        svc_dns = {}
        for sam, pw, desc in svc:
            dn = f"CN={sam},OU=Service Accounts,{base}"
            svc_dns[sam] = dn
            users.append(dict(dn=dn, cn=sam, sam=sam, rid=rid, uac=UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD,
                              groups=[], given=None, last=None, password=pw, description=desc))
            rid += 1

        for u in users:
            extra = [("givenName", u["given"]), ("sn", u["last"]), ("displayName", u["cn"] if u["given"] else None),
                     ("userPrincipalName", f"{u['sam']}@{dns_domain}"), ("objectCategory", cat("Person"))]
            if "password" in u:
                extra += [("userPassword", ssha(u["password"], rng)), ("description", u["description"])]
            if "Domain Admins" in u["groups"]:
                extra.append(("adminCount", 1))
            account(u["dn"], u["cn"], u["sam"], u["rid"], u["uac"], 513, SAT_USER, extra,
                    memberof=[g_dn(g, "CN=Users" if g in wellknown else "OU=Groups") for g in u["groups"]])

        for i in range(1, a.computers + 1):
            server = i % 5 == 0
            name = f"{'SRV' if server else 'WS'}{i:05d}"
            os_name, os_ver = (SERVER_OS if server else CLIENT_OS)[i % (3 if server else 2)]
            dn = f"CN={name},OU={'Servers' if server else 'Workstations'},{base}"
            account(dn, name, name + "$", rid, UF_WORKSTATION_TRUST_ACCOUNT, 515, SAT_MACHINE,
                    [("dNSHostName", f"{name.lower()}.{dns_domain}"), ("operatingSystem", os_name),
                     ("operatingSystemVersion", os_ver), ("objectCategory", cat("Computer"))],
                    classes=("user", "computer"))
            rid += 1

        dcs = rodcs = 0
        for i in range(1, a.dcs + 1):
            rodc = i % 10 == 0
            name = f"{'RODC' if rodc else 'DC'}{i:03d}"
            os_name, os_ver = DC_OS[i % len(DC_OS)]
            dn = f"CN={name},OU=Domain Controllers,{base}"
            account(dn, name, name + "$", rid, RODC_UAC if rodc else DC_UAC, 521 if rodc else 516, SAT_MACHINE,
                    [("dNSHostName", f"{name.lower()}.{dns_domain}"), ("operatingSystem", os_name),
                     ("operatingSystemVersion", os_ver), ("objectCategory", cat("Computer")),
                     ("servicePrincipalName", f"ldap/{name.lower()}.{dns_domain}")],
                    classes=("user", "computer"))
            rid += 1
            rodcs += rodc
            dcs += not rodc

        for name, (grid, gtype) in wellknown.items():
            w.entry(g_dn(name), [("objectClass", "top"), ("objectClass", "group"), ("cn", name),
                                 ("sAMAccountName", name), ("sAMAccountType", SAT_GROUP), ("groupType", gtype),
                                 ("objectSid", sid_bytes(grid)), ("objectGUID", w.guid()),
                                 ("objectCategory", cat("Group")),
                                 ("adminCount", 1 if grid in (512, 518, 519) else None)]
                    + [("member", m) for m in members[name]])
        for name in staff_groups:
            w.entry(g_dn(name, "OU=Groups"), [("objectClass", "top"), ("objectClass", "group"), ("cn", name),
                                              ("sAMAccountName", name), ("sAMAccountType", SAT_GROUP),
                                              ("groupType", GLOBAL_SECURITY_GROUP), ("objectSid", sid_bytes(rid)),
                                              ("objectGUID", w.guid()), ("objectCategory", cat("Group"))]
                    + [("member", m) for m in members[name]])
            rid += 1
        total = w.count
    os.replace(tmp, a.out)

    summary = {
        "base_dn": base,
        "domain_sid": sid_string(),
        "users": a.users,  # staff users
        "user_objects": a.users + len(svc),  # sAMAccountType=805306368 (staff + bind users)
        "computers": a.computers,
        "dc_objects": dcs + rodcs,  # under OU=Domain Controllers
        "writable_dcs": dcs,  # userAccountControl has SERVER_TRUST_ACCOUNT (8192)
        "rodcs": rodcs,  # userAccountControl has PARTIAL_SECRETS_ACCOUNT (67108864)
        "groups": len(wellknown) + len(staff_groups),
        "domain_admins": len(members["Domain Admins"]),
        "entries": total,
        "bind_dn": svc_dns["svc-ata"],
        "bind_password": a.bind_password,
        "limited_bind_dn": svc_dns["svc-ata-limited"],
        "limited_bind_password": a.limited_password,
    }
    if a.summary:
        with open(a.summary, "w") as f:
            json.dump(summary, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
