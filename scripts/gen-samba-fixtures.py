#!/usr/bin/env python3
"""The Samba AD DC's fixtures: one LDIF (applied with `ldapmodify` over LDAPS, because AD
only accepts unicodePwd on an encrypted connection) plus a JSON list of the accounts,
their roles and passwords for servers.json.

  gen-samba-fixtures.py --ldif OUT.ldif --json OUT.json [--base-dn DN] [--dns-domain NAME]

Every name is synthetic. What each account is for is in its "note" and in scripts/README.md.
Steps the LDIF cannot do (password settings object, Deleted Objects ACL, locking an
account by bad binds) are done by scripts/test-env.sh after this LDIF is applied.
"""
import argparse
import base64
import json

UF_ACCOUNTDISABLE = 0x2
UF_NORMAL_ACCOUNT = 0x200
UF_DONT_EXPIRE_PASSWD = 0x10000
UF_WORKSTATION_TRUST_ACCOUNT = 0x1000
# 2016-02-13 as a FILETIME (100 ns ticks since 1601): an account that expired long ago.
EXPIRED_FILETIME = 131000000000000000

# (sAMAccountName, cn, password, userAccountControl, extra attributes, note)
USERS = [
    ("alice", "Alice Anders", "Lab!Alice-Passw0rd", UF_NORMAL_ACCOUNT, {},
     "Domain Admins and Enterprise Admins member"),
    ("bob", "Bob Berg", "Lab!Bob-Passw0rd", UF_NORMAL_ACCOUNT, {},
     "member of Tier0 Ops, which is nested in Administrators"),
    ("carol", "Carol Chen", "Lab!Carol-Passw0rd", UF_NORMAL_ACCOUNT, {}, "ordinary user"),
    ("dave", "Dave Dunn", "Lab!Dave-Passw0rd", UF_NORMAL_ACCOUNT, {}, "ordinary user"),
    ("honey.admin", "Honey Admin", "Lab!Honey-Passw0rd", UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD,
     {"description": "Honeytoken: any logon is an alert"}, "honeytoken-like account in Domain Admins"),
    ("svc-ata", "svc-ata", "Lab!SvcAta-Passw0rd", UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD,
     {"description": "ATA directory services account"},
     "directory services account: plain user, granted List/Read on CN=Deleted Objects"),
    ("svc-ata-priv", "svc-ata-priv", "Lab!SvcAtaPriv-Passw0rd", UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD,
     {"description": "Over-privileged directory services account"},
     "directory services account that is over-privileged (Domain Admins member)"),
    ("svc-ata-nodel", "svc-ata-nodel", "Lab!SvcAtaNodel-Passw0rd", UF_NORMAL_ACCOUNT | UF_DONT_EXPIRE_PASSWD,
     {"description": "Directory services account without Deleted Objects access"},
     "directory services account with the default ACL: cannot see deleted objects"),
    ("ata.disabled", "ATA Disabled", "Lab!Disabled-Passw0rd", UF_NORMAL_ACCOUNT | UF_ACCOUNTDISABLE, {},
     "bind failure: account disabled"),
    ("ata.mustchange", "ATA Mustchange", "Lab!Mustchange-Passw0rd", UF_NORMAL_ACCOUNT, {"pwdLastSet": "0"},
     "bind failure: password must be changed at next logon (pwdLastSet=0)"),
    ("ata.expired", "ATA Expired", "Lab!Expired-Passw0rd", UF_NORMAL_ACCOUNT,
     {"accountExpires": str(EXPIRED_FILETIME)}, "bind failure: account expired (accountExpires in 2016)"),
    ("ata.locked", "ATA Locked", "Lab!Locked-Passw0rd", UF_NORMAL_ACCOUNT, {},
     "bind failure: locked out (a password settings object gives it a lockout threshold; "
     "test-env.sh locks it with bad binds)"),
]
GROUP_MEMBERS = {  # group cn (in CN=Users or CN=Builtin) -> members (sAMAccountName or group cn)
    "CN=Domain Admins,CN=Users": ["alice", "honey.admin", "svc-ata-priv"],
    "CN=Enterprise Admins,CN=Users": ["alice"],
    "CN=Tier0 Ops,CN=Users": ["bob"],
    "CN=Administrators,CN=Builtin": ["Tier0 Ops"],
}
COMPUTERS = [  # (name, container, userAccountControl, OS, OS version)
    ("WS01", "CN=Computers", UF_WORKSTATION_TRUST_ACCOUNT, "Windows 10 Enterprise", "10.0 (19045)"),
    ("WS02", "CN=Computers", UF_WORKSTATION_TRUST_ACCOUNT, "Windows 11 Enterprise", "10.0 (22631)"),
    ("SRV01", "CN=Computers", UF_WORKSTATION_TRUST_ACCOUNT, "Windows Server 2019 Standard", "10.0 (17763)"),
    # An extra (fake) writable DC: SERVER_TRUST_ACCOUNT (8192) | TRUSTED_FOR_DELEGATION.
    ("DC2", "OU=Domain Controllers", 532480, "Windows Server 2012 R2 Datacenter", "6.3 (9600)"),
    # A fake RODC: 0x5001000 = PARTIAL_SECRETS_ACCOUNT (67108864) | TRUSTED_TO_AUTH_FOR_DELEGATION | WORKSTATION_TRUST.
    ("RODC1", "OU=Domain Controllers", 83890176, "Windows Server 2016 Standard", "10.0 (14393)"),
]


def unicode_pwd(password):
    # AD wants the password in double quotes, UTF-16LE; LDIF needs base64 for that.
    return base64.b64encode(f'"{password}"'.encode("utf-16-le")).decode()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--ldif", required=True)
    ap.add_argument("--json", required=True)
    ap.add_argument("--base-dn", default="DC=example,DC=test")
    ap.add_argument("--dns-domain", default="example.test")
    a = ap.parse_args()
    base, dns = a.base_dn, a.dns_domain

    out, accounts = [], {}
    add = lambda dn, *lines: out.append("\n".join([f"dn: {dn}", "changetype: add", *lines]))  # noqa: E731

    for sam, cn, pw, uac, extra, note in USERS:
        dn = f"CN={cn},CN=Users,{base}"
        add(dn, "objectClass: user", f"sAMAccountName: {sam}", f"userPrincipalName: {sam}@{dns}",
            f"displayName: {cn}", f"userAccountControl: {uac}",
            *[f"{k}: {v}" for k, v in extra.items()], f"unicodePwd:: {unicode_pwd(pw)}")
        accounts[sam] = {"dn": dn, "upn": f"{sam}@{dns}", "password": pw, "note": note}

    add(f"CN=Tier0 Ops,CN=Users,{base}", "objectClass: group", "sAMAccountName: Tier0 Ops",
        "groupType: -2147483646", "description: Tier-0 operators (nested in Administrators)")
    member_dn = {sam: v["dn"] for sam, v in accounts.items()}
    member_dn["Tier0 Ops"] = f"CN=Tier0 Ops,CN=Users,{base}"
    for group, members in GROUP_MEMBERS.items():
        out.append("\n".join([f"dn: {group},{base}", "changetype: modify", "add: member",
                              *[f"member: {member_dn[m]}" for m in members], "-"]))

    for name, where, uac, os_name, os_ver in COMPUTERS:
        add(f"CN={name},{where},{base}", "objectClass: computer", f"sAMAccountName: {name}$",
            f"userAccountControl: {uac}", f"dNSHostName: {name.lower()}.{dns}",
            f"operatingSystem: {os_name}", f"operatingSystemVersion: {os_ver}")

    # A group managed service account. Samba 4.17 stores the object but computes no
    # password for it (no msDS-ManagedPassword, no KDS root key): inventory only.
    add(f"CN=gmsa-ata,CN=Managed Service Accounts,{base}", "objectClass: msDS-GroupManagedServiceAccount",
        "sAMAccountName: gmsa-ata$", f"dNSHostName: gmsa-ata.{dns}", "msDS-ManagedPasswordInterval: 30",
        "userAccountControl: 4096")

    # Something for CN=Deleted Objects to hold: create a user, then delete it.
    gone = f"CN=Gone User,CN=Users,{base}"
    add(gone, "objectClass: user", "sAMAccountName: gone.user", "userAccountControl: 514")
    out.append(f"dn: {gone}\nchangetype: delete")

    with open(a.ldif, "w") as f:
        f.write("\n\n".join(out) + "\n")
    with open(a.json, "w") as f:
        json.dump({
            "accounts": accounts,
            "computers": [c[0] for c in COMPUTERS],
            "gmsa_dn": f"CN=gmsa-ata,CN=Managed Service Accounts,{base}",
            "deleted_user": "gone.user",
        }, f, indent=2)
        f.write("\n")


if __name__ == "__main__":
    main()
