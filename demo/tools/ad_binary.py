#!/usr/bin/env python3
"""Convert AD binary attributes between their LDIF base64 form and text.

For editing demo/directory/fabrikam.ldif by hand (standard library only):

    ad_binary.py sid  S-1-5-21-3871926410-1642209175-2209835614-1106   -> objectSid:: value
    ad_binary.py guid 28b0b164-7eb3-4aba-aac1-d7498b344ed4             -> objectGUID:: value
    ad_binary.py decode-sid  AQUAAAAAAAUVAAAAiujI5pcf4mFeareDUgQAAA==
    ad_binary.py decode-guid ZLGwKLN+ukqqwddJizRO1A==
    ad_binary.py sacl "(OU;CIIOSA;0xD016B;;bf967aba-0de6-11d0-a285-00aa003049e2;S-1-1-0)(AU;SA;0x20;;;S-1-1-0)"
                                                                       -> nTSecurityDescriptor:: value

sacl: a self-relative security descriptor holding only a SACL (what a read with the SD
flags control 8 returns), from entries written type;flags;hex mask;object GUID;inherited
object GUID;SID, types AU/OU, flags from CI OI NP IO ID SA FA.

objectSid: revision, sub-authority count, 6-byte big-endian authority, then
little-endian 32-bit sub-authorities. objectGUID: the 16 bytes of .NET
Guid.ToByteArray() (first three fields little-endian), as AD stores them.
"""
import base64, struct, sys, uuid


def sid_to_bytes(sid):
    _, rev, auth, *subs = sid.split("-")
    subs = [int(s) for s in subs]
    return (bytes([int(rev), len(subs)]) + int(auth).to_bytes(6, "big")
            + b"".join(struct.pack("<I", s) for s in subs))


def bytes_to_sid(b):
    n = b[1]
    assert len(b) == 8 + 4 * n, "length does not match the sub-authority count"
    subs = struct.unpack("<%dI" % n, b[8:])
    return "S-%d-%d" % (b[0], int.from_bytes(b[2:8], "big")) + "".join("-%d" % s for s in subs)


ACE_FLAGS = {"OI": 0x01, "CI": 0x02, "NP": 0x04, "IO": 0x08, "ID": 0x10, "SA": 0x40, "FA": 0x80}


def sacl_to_bytes(text):
    aces = []
    for entry in text.strip().strip("()").split(")("):
        kind, flags, mask, obj, inh, sid = entry.split(";")
        f = sum(ACE_FLAGS[flags[i:i + 2]] for i in range(0, len(flags), 2))
        body = struct.pack("<I", int(mask, 16))
        if kind == "OU":
            present = (1 if obj else 0) | (2 if inh else 0)
            body += struct.pack("<I", present)
            body += (uuid.UUID(obj).bytes_le if obj else b"") + (uuid.UUID(inh).bytes_le if inh else b"")
        elif kind != "AU" or obj or inh:
            raise SystemExit("only AU and OU entries, GUIDs only on OU: " + entry)
        body += sid_to_bytes(sid)
        aces.append(struct.pack("<BBH", 7 if kind == "OU" else 2, f, 4 + len(body)) + body)
    acl_body = b"".join(aces)
    acl = struct.pack("<BBHHH", 4, 0, 8 + len(acl_body), len(aces), 0) + acl_body
    # Revision 1; SACL present | SACL auto-inherited | self-relative; SACL right after the header.
    return struct.pack("<BBHIIII", 1, 0, 0x0010 | 0x0800 | 0x8000, 0, 0, 20, 0) + acl


if __name__ == "__main__":
    op, value = sys.argv[1], sys.argv[2]
    if op == "sid":
        print(base64.b64encode(sid_to_bytes(value)).decode())
    elif op == "guid":
        print(base64.b64encode(uuid.UUID(value).bytes_le).decode())
    elif op == "sacl":
        print(base64.b64encode(sacl_to_bytes(value)).decode())
    elif op == "decode-sid":
        print(bytes_to_sid(base64.b64decode(value)))
    elif op == "decode-guid":
        print(uuid.UUID(bytes_le=base64.b64decode(value)))
    else:
        sys.exit(__doc__)
