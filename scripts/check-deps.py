#!/usr/bin/python3
"""Fails when a build used a file from a Debian package that scripts/install-deps.sh would not
install on a fresh Debian 12.

    scripts/check-deps.py [BUILD_DIR]          check a configured and built tree (default build/dev)
    scripts/check-deps.py --without PKG ...    the same, as if PKG were not in install-deps.sh's list
    scripts/check-deps.py --self-test          proves the check can fail: drops packages the build
                                               needs one at a time, each must be reported

What the build used: every CMake file the configure step read (build.ninja's re-run
dependencies: package config files and find modules), every header the compiler read (ninja's
dependency log), every library and tool named in the build rules (absolute paths, and -lNAME
resolved like the linker does). Each is mapped to its package with `dpkg-query -S`, trying the
usrmerge aliases (/lib and /usr/lib, /bin and /usr/bin, ...) and the symlink's target. The
allowed set is the Depends/Pre-Depends closure (never Recommends or Suggests) of the listed
packages plus the packages every Debian system has (Essential: yes, Priority: required), read
from the dpkg status file: no network. Alternatives ("a | b") count whichever is installed,
virtual packages whatever installed package provides them.
"""
import os
import re
import shutil
import subprocess
import sys

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STATUS = "/var/lib/dpkg/status"
ALIASES = [("/usr/lib/", "/lib/"), ("/usr/bin/", "/bin/"), ("/usr/sbin/", "/sbin/"),
           ("/usr/lib64/", "/lib64/"), ("/usr/lib32/", "/lib32/")]


def listed_packages():
    out = subprocess.run(["bash", os.path.join(ROOT, "scripts", "install-deps.sh"), "--print"],
                         check=True, capture_output=True, text=True).stdout
    return out.split()


def read_status():
    """Installed packages: name -> (depends groups, provides, essential)."""
    packages, provides = {}, {}
    with open(STATUS, encoding="utf-8", errors="replace") as f:
        text = f.read()
    for stanza in text.split("\n\n"):
        fields, key = {}, None
        for line in stanza.splitlines():
            if line.startswith((" ", "\t")) and key:
                fields[key] += " " + line.strip()
            elif ":" in line:
                key, _, value = line.partition(":")
                fields[key] = value.strip()
        name = fields.get("Package")
        if not name or "installed" not in fields.get("Status", "").split():
            continue
        if fields.get("Status", "").split()[-1] != "installed":
            continue
        groups = []
        for field in ("Pre-Depends", "Depends"):
            for group in filter(None, (g.strip() for g in fields.get(field, "").split(","))):
                groups.append([re.split(r"[\s(:]", alt.strip())[0] for alt in group.split("|")])
        base = fields.get("Essential") == "yes" or fields.get("Priority") == "required"
        packages[name] = (groups, base)
        for p in filter(None, (p.strip() for p in fields.get("Provides", "").split(","))):
            provides.setdefault(re.split(r"[\s(:]", p)[0], set()).add(name)
    return packages, provides


def closure(roots, packages, provides):
    seen, todo = set(), list(roots)
    while todo:
        name = todo.pop()
        candidates = ({name} if name in packages else set()) | provides.get(name, set())
        for c in candidates:
            if c in seen:
                continue
            seen.add(c)
            for group in packages[c][0]:
                todo.extend(alt for alt in group if alt in packages or alt in provides)
    return seen


def used_files(build):
    """Absolute paths outside the source and build trees that the build read."""
    paths = set()
    with open(os.path.join(build, "build.ninja"), encoding="utf-8") as f:
        ninja = f.read()
    paths.update(re.findall(r"(?<![\w.-])(/(?:usr|lib|bin|sbin|etc|opt)/[^\s:$\"';]+)", ninja))
    libs = set(re.findall(r"(?<![\w-])-l([\w+.-]+)", " ".join(re.findall(r"LINK_LIBRARIES = (.*)", ninja))))
    compiler = re.search(r"CMAKE_CXX_COMPILER:\w+=(.*)", open(os.path.join(build, "CMakeCache.txt")).read())
    cxx = compiler.group(1).strip() if compiler else "c++"
    for lib in libs:
        found = subprocess.run([cxx, f"-print-file-name=lib{lib}.so"], capture_output=True, text=True).stdout.strip()
        if not os.path.isabs(found):
            found = subprocess.run([cxx, f"-print-file-name=lib{lib}.a"], capture_output=True, text=True).stdout.strip()
        if os.path.isabs(found):
            paths.add(os.path.normpath(found))
    deps = subprocess.run(["ninja", "-C", build, "-t", "deps"], capture_output=True, text=True, check=True).stdout
    for line in deps.splitlines():
        if line.startswith("    /"):
            paths.add(os.path.normpath(line.strip()))
    # Custom commands with a DEPFILE (the lab's Windows programs, cross-compiled): ninja reads
    # those files at each build instead of keeping them in its log.
    for depfile in re.findall(r"^  depfile = (\S+)$", ninja, re.M):
        try:
            with open(depfile, encoding="utf-8", errors="replace") as f:
                text = f.read().replace("\\\n", " ")
        except OSError:
            continue
        paths.update(os.path.normpath(t) for t in text.split() if t.startswith("/") and not t.endswith(":"))
    keep = set()
    for p in paths:
        if p.startswith((ROOT + "/", os.path.abspath(build) + "/")) or not os.path.isfile(p):
            continue
        keep.add(p)
    return keep


def candidates(path):
    yield path
    for a, b in ALIASES:
        if path.startswith(a):
            yield b + path[len(a):]
        elif path.startswith(b):
            yield a + path[len(b):]
    real = os.path.realpath(path)
    if real != path:
        yield from candidates(real)


def owners(paths):
    """path -> set of packages, by dpkg-query -S over every alias of every path in one call."""
    tried = {p: list(dict.fromkeys(candidates(p))) for p in paths}
    queries = sorted({c for cs in tried.values() for c in cs})
    owned = {}
    for start in range(0, len(queries), 2000):
        out = subprocess.run(["dpkg-query", "-S", *queries[start:start + 2000]],
                             capture_output=True, text=True).stdout
        for line in out.splitlines():
            names, sep, path = line.partition(": ")
            if not sep or path not in queries:
                continue
            if names.startswith("diversion by"):
                continue
            owned.setdefault(path, set()).update(n.strip().split(":")[0] for n in names.split(","))
    result = {}
    for p, cs in tried.items():
        for c in cs:
            if c in owned:
                result[p] = owned[c]
                break
    return result


def check(build, without=()):
    listed = [p for p in listed_packages() if p not in without]
    packages, provides = read_status()
    missing_listed = [p for p in listed if p not in packages and p not in provides]
    allowed = closure(listed, packages, provides)
    allowed |= closure([n for n, (_, base) in packages.items() if base], packages, provides)
    files = used_files(build)
    owned = owners(files)
    problems = {}
    for path in sorted(files):
        pkgs = owned.get(path)
        if not pkgs:
            continue  # made by hand or by a maintainer script: no package to list
        if pkgs & allowed:
            continue
        problems.setdefault(", ".join(sorted(pkgs)), path)
    print(f"check-deps: {len(files)} files used by {build}, {len(owned)} from {len({p for s in owned.values() for p in s})} packages; "
          f"{len(listed)} listed packages close over {len(allowed)} installed ones")
    for name in missing_listed:
        print(f"check-deps: listed package {name} is not installed here (run scripts/install-deps.sh)")
    for pkg, path in problems.items():
        print(f"check-deps: MISSING {pkg}: needed for {path}, but scripts/install-deps.sh does not install it "
              "(not in the Depends closure of its list)")
    return problems, missing_listed


def self_test(build):
    """Each package the build reads files of directly must, when dropped from the list, be reported
    (unless another listed package depends on it, which the check then says)."""
    drops = ["libqt6opengl6-dev", "libssl-dev", "libspdlog-dev"]
    # A metapackage owns no file the build reads: dropping it must report what it brings in.
    # The lab's Windows programs reach the cross compiler through /etc/alternatives.
    through = {"g++-mingw-w64-x86-64": "x86_64-w64-mingw32"}
    if "x86_64-w64-mingw32-gcc" in open(os.path.join(build, "build.ninja"), encoding="utf-8").read():
        drops.append("g++-mingw-w64-x86-64")
    failures = 0
    for drop in drops:
        problems, _ = check(build, without={drop})
        if any(drop in pkgs.split(", ") or (drop in through and through[drop] in path)
               for pkgs, path in problems.items()):
            print(f"check-deps self-test: dropping {drop} is reported: ok")
        else:
            print(f"check-deps self-test: FAILED: dropping {drop} from the list was not reported")
            failures += 1
    return failures


def main(argv):
    args, without, build = list(argv), set(), None
    if "--self-test" in args:
        args.remove("--self-test")
        build = args[0] if args else os.path.join(ROOT, "build", "dev")
        return 1 if self_test(build) else 0
    while args:
        a = args.pop(0)
        if a == "--without" and args:
            without.add(args.pop(0))
        else:
            build = a
    build = build or os.path.join(ROOT, "build", "dev")
    if not os.path.isfile(os.path.join(build, "build.ninja")) or shutil.which("ninja") is None:
        print(f"check-deps: {build} is not a configured Ninja build (run scripts/test.sh first)", file=sys.stderr)
        return 2
    problems, missing = check(build, without)
    if problems or missing:
        return 1
    print("check-deps: every package the build used is installed by scripts/install-deps.sh")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
