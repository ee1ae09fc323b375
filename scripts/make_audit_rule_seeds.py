#!/usr/bin/env python3
"""Writes fuzz seeds for fuzz_audit_kernel_rule: struct audit_rule_data payloads (linux/audit.h)
as the kernel sends them for AUDIT_LIST_RULES, little-endian (the x86-64 host order)."""
import struct
import sys
from pathlib import Path

BITMASK, MAX_FIELDS = 64, 64
EXIT, USER = 4, 0
NEVER, ALWAYS = 0, 2
ARCH, UID, WATCH, PERM, DIR, FILTERKEY, EXE = 11, 0, 105, 106, 107, 210, 112
STRING_FIELDS = {WATCH, DIR, FILTERKEY, EXE}


def rule(flags, action, fields, syscalls=()):
    mask = [0] * BITMASK
    for nr in syscalls:
        mask[nr // 32] |= 1 << (nr % 32)
    f, v, ff, buf = [0] * MAX_FIELDS, [0] * MAX_FIELDS, [0] * MAX_FIELDS, b""
    for i, (field, value) in enumerate(fields):
        f[i] = field
        if field in STRING_FIELDS:
            data = value.encode()
            v[i] = len(data)
            buf += data
        else:
            v[i] = value
    words = [flags, action, len(fields)] + mask + f + v + ff + [len(buf)]
    return struct.pack("<%dI" % len(words), *words) + buf


SEEDS = {
    "watch_file_wa_key": rule(EXIT, ALWAYS, [(WATCH, "/etc/ld.so.preload"), (PERM, 10), (FILTERKEY, "preload")]),
    "watch_dir_all": rule(EXIT | 0x10, ALWAYS, [(DIR, "/usr/lib"), (PERM, 15)]),
    "dir_openat_arch": rule(EXIT, ALWAYS, [(ARCH, 0xC000003E), (DIR, "/etc/ld.so.conf.d"), (FILTERKEY, "k")], [257]),
    "never_with_exe": rule(EXIT, NEVER, [(EXE, "/usr/bin/true"), (UID, 1000), (WATCH, "/etc/ld.so.conf"), (PERM, 2)]),
    "user_list": rule(USER, ALWAYS, [(WATCH, "/etc/ld.so.preload")]),
    "no_path": rule(EXIT, ALWAYS, [(UID, 0), (FILTERKEY, "root")], [59]),
}


def main():
    out = Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parent.parent / "tests/fuzz/corpus/fuzz_audit_kernel_rule")
    out.mkdir(parents=True, exist_ok=True)
    for name, data in SEEDS.items():
        (out / name).write_bytes(data)
    (out / "truncated").write_bytes(SEEDS["watch_file_wa_key"][:-5])


if __name__ == "__main__":
    main()
