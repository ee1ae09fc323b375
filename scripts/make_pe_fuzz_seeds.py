#!/usr/bin/env python3
"""Writes signed fuzz seeds for fuzz_pe_image: the minimal PE32/PE32+ seeds with valid
alignments, signed by a throwaway key with osslsigncode, with SHA-1 and SHA-256 page hashes,
so the fuzzer starts inside the signature and page-hash code. Needs openssl and osslsigncode."""
import os
import struct
import subprocess
import sys
import tempfile

corpus = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "..", "tests", "fuzz", "corpus", "fuzz_pe_image")

with tempfile.TemporaryDirectory() as tmp:
    key, cert = os.path.join(tmp, "k.pem"), os.path.join(tmp, "c.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:1024", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "3650", "-subj", "/CN=LoadLens fuzz seed", "-addext", "extendedKeyUsage=codeSigning"],
                   check=True, capture_output=True)
    for name, digest in (("minimal_pe32", "sha1"), ("minimal_pe32plus", "sha256")):
        data = bytearray(open(os.path.join(corpus, name + ".bin"), "rb").read())
        pe = struct.unpack_from("<I", data, 0x3c)[0]
        opt = pe + 24
        struct.pack_into("<II", data, opt + 32, 0x1000, 0x200)  # SectionAlignment, FileAlignment
        unsigned = os.path.join(tmp, name + ".bin")
        open(unsigned, "wb").write(data)
        out = os.path.join(corpus, f"signed_{name}_{digest}_pagehashes.bin")
        subprocess.run(["osslsigncode", "sign", "-certs", cert, "-key", key, "-h", digest, "-ph",
                        "-in", unsigned, "-out", out], check=True, capture_output=True)
        print(out, os.path.getsize(out))
