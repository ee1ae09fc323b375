#!/usr/bin/env python3
"""Regenerates the single-chunk seeds of fuzz_evtx in tests/fuzz/corpus/evtx.

A whole 1 MiB sample makes every fuzzer execution parse sixteen chunks (about 28 runs/s); a seed
of the file header and one chunk runs more than ten times as fast and reaches the same code.
Each seed is the sample's file header, fixed to describe one chunk (first and last chunk 0, the
chunk count 1, the next record id after the chunk's last, the header CRC32 recomputed), followed
by one chunk copied unchanged. Chunk 7 of the bad-chunk-magic sample carries old records in its
slack (after its free-space offset), which the reader recovers.

Recovery seeds: the file header fixed to describe the first chunk named, followed by further
chunks it does not count (records past the header's chunk count are read as recovered).

Only samples under MIT or Apache-2.0 (omerbenamram/evtx) are cut, as this project is MIT
licensed. With --crafted BUILD_DIR, the crafted files that tst_evtx_limits reads (records that
expand far beyond their size) are written too, by BUILD_DIR/tests/evtx/write_crafted_evtx.

Usage: scripts/make_evtx_fuzz_seeds.py [--shared DIR] [--crafted BUILD_DIR] [--out DIR]
"""
import argparse
import os
import struct
import subprocess
import sys
import zlib

HEADER = 4096
CHUNK = 65536

# (sample under the shared data directory, chunk indexes to cut)
SAMPLES = [
    ("sysmon-evtx/evtxrs_sysmon.evtx", [0, 3, 8]),
    ("damaged/evtxrs_sample_with_a_bad_chunk_magic.evtx", [0, 7]),
]

# (sample, chunk indexes): the header counts only the first
PAST_HEADER = [
    ("sysmon-evtx/evtxrs_sysmon.evtx", [0, 3]),
]


def single_chunk(data, index):
    chunk = data[HEADER + index * CHUNK:HEADER + (index + 1) * CHUNK]
    if len(chunk) != CHUNK or chunk[:8] != b"ElfChnk\0":
        raise ValueError("slot %d is not a whole chunk" % index)
    last_record_id = struct.unpack_from("<Q", chunk, 32)[0]
    header = bytearray(data[:HEADER])
    struct.pack_into("<QQQ", header, 8, 0, 0, last_record_id + 1)
    struct.pack_into("<H", header, 42, 1)
    struct.pack_into("<I", header, 124, zlib.crc32(bytes(header[:120])) & 0xFFFFFFFF)
    return bytes(header) + chunk


def main():
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", default=os.environ.get("LOADLENS_SHARED_DATA",
                                                           os.path.join(root, "..", "shared", "data")))
    parser.add_argument("--crafted", metavar="BUILD_DIR")
    parser.add_argument("--out", default=os.path.join(root, "tests", "fuzz", "corpus", "evtx"))
    args = parser.parse_args()
    os.makedirs(args.out, exist_ok=True)
    for sample, indexes in SAMPLES:
        with open(os.path.join(args.shared, sample), "rb") as f:
            data = f.read()
        stem = os.path.splitext(os.path.basename(sample))[0]
        for index in indexes:
            name = "%s_chunk%d" % (stem, index)
            with open(os.path.join(args.out, name), "wb") as f:
                f.write(single_chunk(data, index))
            print(name)
    for sample, indexes in PAST_HEADER:
        with open(os.path.join(args.shared, sample), "rb") as f:
            data = f.read()
        stem = os.path.splitext(os.path.basename(sample))[0]
        name = "%s_chunk%s_past_header" % (stem, "_".join(str(i) for i in indexes))
        seed = single_chunk(data, indexes[0])
        for index in indexes[1:]:
            seed += single_chunk(data, index)[HEADER:]
        with open(os.path.join(args.out, name), "wb") as f:
            f.write(seed)
        print(name)
    if args.crafted:
        tool = os.path.join(args.crafted, "tests", "evtx", "write_crafted_evtx")
        subprocess.run([tool, args.out], check=True)
        print("crafted files from", tool)
    return 0


if __name__ == "__main__":
    sys.exit(main())
