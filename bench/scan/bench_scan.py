#!/usr/bin/env python3
"""Times a full `loadlens-cli scan --json` against the floor: reading every /proc/*/maps.

Both are measured in the same run, alternating, several times; medians are printed with the
ratio (target: scan <= 2x the floor). --extra N starts N additional processes that each load
many shared libraries (so /proc holds many mappings) and stops exactly those at the end.

  bench/scan/bench_scan.py --build build/release [--runs 7] [--extra 200] [--no-verdicts]
"""
import argparse
import glob
import os
import statistics
import subprocess
import sys
import time

SYSTEM_LIBS = ["libz.so.1", "libssl.so.3", "libcrypto.so.3", "libsqlite3.so.0", "libstdc++.so.6",
               "libgcc_s.so.1", "libm.so.6", "libacl.so.1", "libspdlog.so.1.10", "libfmt.so.9",
               "libQt6Core.so.6", "libQt6Gui.so.6", "libQt6Widgets.so.6", "libexpat.so.1", "liblzma.so.5"]


def read_all_maps():
    """The floor: what any tool must at least do, `cat /proc/*/maps > /dev/null`, as a process
    of its own like the scan (so both pay for starting a process)."""
    subprocess.run(["sh", "-c", "cat /proc/[0-9]*/maps > /dev/null 2>&1"], check=False)


def time_call(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def start_extra(build, count):
    target = os.path.join(build, "tests", "fixtures", "ll_fixture_target")
    if not os.path.exists(target):
        sys.exit(f"bench_scan: {target} not found: build a preset with tests (dev) or pass --extra 0")
    libs = [lib for lib in SYSTEM_LIBS if glob.glob(f"/usr/lib/x86_64-linux-gnu/{lib}")]
    args = [target]
    for lib in libs:
        args += ["--dlopen", lib]
    procs = []
    for _ in range(count):
        p = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        procs.append(p)
    for p in procs:
        line = p.stdout.readline()
        if b"ready" not in line:
            sys.exit(f"bench_scan: extra process failed: {line!r}")
    return procs, len(libs)


def stop_extra(procs):
    for p in procs:
        p.stdin.close()
    for p in procs:
        try:
            p.wait(timeout=5)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", default="build/release", help="build directory with app/cli/loadlens-cli")
    ap.add_argument("--fixture-build", default="build/dev", help="build directory with tests/fixtures")
    ap.add_argument("--runs", type=int, default=7)
    ap.add_argument("--extra", type=int, default=0, help="extra processes with many mappings")
    ap.add_argument("--no-verdicts", action="store_true", help="inventory only")
    ap.add_argument("--cold", action="store_true", help="no hash cache (every file hashed each run)")
    opts = ap.parse_args()

    cli = os.path.join(opts.build, "app", "cli", "loadlens-cli")
    if not os.path.exists(cli):
        sys.exit(f"bench_scan: {cli} not found; build first (cmake --preset release && cmake --build --preset release)")
    cmd = [cli, "scan", "--json", "--quiet"]
    if opts.no_verdicts:
        cmd.append("--no-verdicts")
    # In the build tree, not /tmp: as root, loadlens-cli uses a cache only where no one but root
    # can write along the path.
    cache = os.path.join(os.path.abspath(opts.build), "bench-hash-cache.sqlite")
    cmd += ["--no-hash-cache"] if opts.cold else ["--hash-cache", cache]

    procs, nlibs = ([], 0)
    if opts.extra:
        procs, nlibs = start_extra(opts.fixture_build, opts.extra)
    try:
        subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)  # warm-up (fills the hash cache)
        floor, scan = [], []
        for _ in range(opts.runs):
            floor.append(time_call(read_all_maps))
            scan.append(time_call(lambda: subprocess.run(cmd, stdout=subprocess.DEVNULL, check=True)))
        nproc = len(glob.glob("/proc/[0-9]*"))
    finally:
        stop_extra(procs)

    f, s = statistics.median(floor), statistics.median(scan)
    mode = "inventory only" if opts.no_verdicts else ("verdicts, cold hash" if opts.cold else "verdicts, warm hash cache")
    print(f"processes: {nproc} ({opts.extra} extra, each loading {nlibs} libraries)")
    print(f"floor  cat /proc/*/maps        median {f * 1000:8.1f} ms  over {opts.runs} runs")
    print(f"scan   loadlens-cli scan --json median {s * 1000:8.1f} ms  ({mode})")
    print(f"ratio  scan / floor            {s / f:8.2f}x  (target <= 2x)")


if __name__ == "__main__":
    main()
