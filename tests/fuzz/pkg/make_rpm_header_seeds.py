#!/usr/bin/env python3
"""Writes the seed corpus of fuzz_rpm_header: RPM database headers (index count, data size,
big-endian index entries, data store) built here field by field, as rpm stores installed
packages: an immutable region, SHA-256 and MD5 digests, config and ghost files, a relocation
appended after the region, and a few damaged ones.

    python3 tests/fuzz/pkg/make_rpm_header_seeds.py tests/fuzz/corpus/rpm_header
"""
import hashlib
import os
import struct
import sys

CHAR, INT8, INT16, INT32, INT64, STRING, BIN, STRING_ARRAY, I18N = 1, 2, 3, 4, 5, 6, 7, 8, 9
ALIGN = {INT16: 2, INT32: 4, INT64: 8}


def header(entries):
    """entries: (tag, type, value) in order; returns the blob."""
    index, data = [], b""
    for tag, typ, value in entries:
        align = ALIGN.get(typ, 1)
        data += b"\0" * (-len(data) % align)
        offset = len(data)
        if typ == STRING:
            data += value.encode() + b"\0"
            count = 1
        elif typ in (STRING_ARRAY, I18N):
            data += b"".join(v.encode() + b"\0" for v in value)
            count = len(value)
        elif typ == BIN:
            data += value
            count = len(value)
        else:
            fmt = {CHAR: "B", INT8: "B", INT16: "H", INT32: "I", INT64: "Q"}[typ]
            data += b"".join(struct.pack(">" + fmt, v) for v in value)
            count = len(value)
        index.append(struct.pack(">IIiI", tag, typ, offset, count))
    return struct.pack(">II", len(index), len(data)) + b"".join(index) + data


def package(name, files, algo=8, extra=()):
    dirs = sorted({os.path.dirname(p) + "/" for p, *_ in files})
    digest = (lambda c: hashlib.sha256(c).hexdigest()) if algo == 8 else (lambda c: hashlib.md5(c).hexdigest())
    entries = [
        (1000, STRING, name), (1001, STRING, "1.0"), (1002, STRING, "1.fc40"), (1022, STRING, "x86_64"),
        (1028, INT32, [len(c) for _, c, _, _ in files]),
        (1030, INT16, [m for _, _, m, _ in files]),
        (1035, STRING_ARRAY, [digest(c) if c is not None else "" for _, c, _, _ in files]),
        (1037, INT32, [f for _, _, _, f in files]),
        (1039, STRING_ARRAY, ["root"] * len(files)), (1040, STRING_ARRAY, ["root"] * len(files)),
        (1116, INT32, [dirs.index(os.path.dirname(p) + "/") for p, *_ in files]),
        (1117, STRING_ARRAY, [os.path.basename(p) for p, *_ in files]),
        (1118, STRING_ARRAY, dirs),
    ]
    if algo is not None:
        entries.append((5011, INT32, [algo]))
    return header(entries + list(extra))


def main(out):
    os.makedirs(out, exist_ok=True)
    lib = b"\x7fELF" + bytes(range(60))
    files = [("/usr/lib64/libdemo.so.1", lib, 0o100755, 0), ("/etc/demo.conf", b"a = 1\n", 0o100644, 1),
             ("/var/log/demo.log", b"", 0o100644, 1 << 6), ("/usr/share/demo", b"", 0o040755, 0)]
    seeds = {
        "sha256_config_ghost": package("demo", files),
        "md5_no_algo_tag": package("olddemo", files[:2], algo=None),
        "sha512_not_computed": package("sha512demo", files[:1], algo=10),
        # relocated at install: a second BASENAMES/DIRNAMES after the first replaces it
        "relocated_dribble": package("reloc", files[:1], extra=[(1117, STRING_ARRAY, ["libdemo.so.1"]),
                                                              (1118, STRING_ARRAY, ["/opt/reloc/lib64/"])]),
        "old_filenames": header([(1000, STRING, "ancient"), (1001, STRING, "0.1"), (1002, STRING, "1"),
                                 (1027, STRING_ARRAY, ["/lib/libancient.so"]),
                                 (1035, STRING_ARRAY, [hashlib.md5(b"x").hexdigest()])]),
        "pubkey_no_files": header([(1000, STRING, "gpg-pubkey"), (1001, STRING, "abcd"), (1002, STRING, "1")]),
    }
    good = seeds["sha256_config_ghost"]
    seeds["damaged_truncated"] = good[: len(good) // 2]
    seeds["damaged_dirindex"] = package("baddir", files[:1], extra=[(1116, INT32, [7])])
    seeds["damaged_count"] = package("badcount", files[:2], extra=[(1030, INT16, [0o100644])])
    # DIRNAMES last in the data store, its last string without its NUL
    seeds["damaged_unterminated"] = package("unterminated", files, algo=None)[:-1] + b"x"
    for name, blob in seeds.items():
        with open(os.path.join(out, name), "wb") as f:
            f.write(blob)


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "corpus", "rpm_header"))
