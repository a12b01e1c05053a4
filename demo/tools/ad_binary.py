#!/usr/bin/env python3
"""Convert AD binary attributes between their LDIF base64 form and text.

For editing demo/directory/fabrikam.ldif by hand (standard library only):

    ad_binary.py sid  S-1-5-21-3871926410-1642209175-2209835614-1106   -> objectSid:: value
    ad_binary.py guid 28b0b164-7eb3-4aba-aac1-d7498b344ed4             -> objectGUID:: value
    ad_binary.py decode-sid  AQUAAAAAAAUVAAAAiujI5pcf4mFeareDUgQAAA==
    ad_binary.py decode-guid ZLGwKLN+ukqqwddJizRO1A==

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


if __name__ == "__main__":
    op, value = sys.argv[1], sys.argv[2]
    if op == "sid":
        print(base64.b64encode(sid_to_bytes(value)).decode())
    elif op == "guid":
        print(base64.b64encode(uuid.UUID(value).bytes_le).decode())
    elif op == "decode-sid":
        print(bytes_to_sid(base64.b64decode(value)))
    elif op == "decode-guid":
        print(uuid.UUID(bytes_le=base64.b64decode(value)))
    else:
        sys.exit(__doc__)
