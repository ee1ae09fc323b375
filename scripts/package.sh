#!/usr/bin/env bash
# Builds the Debian packages loadlens-cli and loadlens from one release build and checks them:
#   1. configure + build the release preset (no tests, no benchmarks; Debian's hardening flags),
#      cpack -G DEB
#   2. lintian on both .debs (errors fail; warnings and infos are printed)
#   3. appstreamcli validate --no-net (metainfo), desktop-file-validate, man pages (lexgrog, man)
#   4. contents: the expected files, and no static libraries, tests or benchmarks
#   5. loadlens-cli's Depends names no Qt library; loadlens Depends on loadlens-cli (= version)
#   6. both .debs unpacked with dpkg -x into a scratch root; loadlens-cli --version (version and
#      git revision) and loadlens-cli scan --pid $$ --json (valid JSON) run from there
# The packages end up in build/release/packages/. Exits non-zero with a message on any failure.
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$(pwd)

# The package build treats warnings as errors: release builds are warning-free (GCC 12's
# -Wrestrict false positives are avoided in the code, not silenced). PACKAGE_WERROR=OFF relaxes it.
PACKAGE_WERROR=${PACKAGE_WERROR:-ON}

fail() { echo "package.sh: FAILED: $*" >&2; exit 1; }
step() { echo "== $*"; }

bash scripts/install-deps.sh

step "configure and build the release preset"
export CMAKE_CXX_COMPILER_LAUNCHER=${CMAKE_CXX_COMPILER_LAUNCHER:-ccache}
export CMAKE_C_COMPILER_LAUNCHER=${CMAKE_C_COMPILER_LAUNCHER:-ccache}
command -v ccache >/dev/null || unset CMAKE_CXX_COMPILER_LAUNCHER CMAKE_C_COMPILER_LAUNCHER
cmake --preset release -DLOADLENS_BUILD_BENCH=OFF -DLOADLENS_HARDENING=ON -DLOADLENS_WERROR="$PACKAGE_WERROR" >/dev/null
cmake --build --preset release
build=$repo/build/release
out=$build/packages

step "cpack"
rm -rf "$out"
umask 022
(cd "$build" && cpack -G DEB -B "$out" >/dev/null) || fail "cpack could not build the packages"
version=$(sed -n 's/^project(LoadLens VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
arch=$(dpkg --print-architecture)
cli_deb=$out/loadlens-cli_${version}_${arch}.deb
gui_deb=$out/loadlens_${version}_${arch}.deb
[ -f "$cli_deb" ] || fail "cpack wrote no $cli_deb ($(ls "$out"))"
[ -f "$gui_deb" ] || fail "cpack wrote no $gui_deb ($(ls "$out"))"
ls -l "$cli_deb" "$gui_deb"

step "lintian"
lintian_failed=0
for deb in "$cli_deb" "$gui_deb"; do
    echo "-- $(basename "$deb")"
    report=$(lintian --fail-on error --display-info --tag-display-limit 0 "$deb" 2>&1) || lintian_failed=1
    printf '%s\n' "${report:-(no tags)}"
done
[ "$lintian_failed" -eq 0 ] || fail "lintian reports errors (E: lines above)"

step "package fields"
cli_depends=$(dpkg-deb -f "$cli_deb" Depends)
gui_depends=$(dpkg-deb -f "$gui_deb" Depends)
echo "loadlens-cli Depends: $cli_depends"
echo "loadlens     Depends: $gui_depends"
if grep -qiE '(^|[ ,])libqt|qt[56]-' <<<"$cli_depends"; then
    fail "loadlens-cli depends on Qt: $cli_depends"
fi
grep -qF "loadlens-cli (= $version)" <<<"$gui_depends" || fail "loadlens does not depend on loadlens-cli (= $version)"

step "contents"
cli_files=$(dpkg-deb -c "$cli_deb" | awk '{print $NF}')
gui_files=$(dpkg-deb -c "$gui_deb" | awk '{print $NF}')
app_id=$(sed -n 's/^set(LOADLENS_APP_ID \(.*\))$/\1/p' CMakeLists.txt)
expect_in() {  # expect_in PACKAGE-NAME "file list" PATH...
    local name=$1 files=$2
    shift 2
    for f in "$@"; do
        grep -qxF "./$f" <<<"$files" || fail "$name lacks /$f"
    done
}
expect_in loadlens-cli "$cli_files" usr/bin/loadlens-cli usr/share/man/man1/loadlens-cli.1.gz \
    usr/share/bash-completion/completions/loadlens-cli usr/share/doc/loadlens-cli/copyright \
    usr/share/doc/loadlens-cli/changelog.gz usr/share/lintian/overrides/loadlens-cli
expect_in loadlens "$gui_files" usr/bin/loadlens usr/share/man/man1/loadlens.1.gz \
    "usr/share/applications/$app_id.desktop" "usr/share/metainfo/$app_id.metainfo.xml" \
    usr/share/icons/hicolor/scalable/apps/loadlens.svg usr/share/doc/loadlens/copyright \
    usr/share/doc/loadlens/changelog.gz usr/share/lintian/overrides/loadlens
for size in 16 32 48 64 128 256; do
    expect_in loadlens "$gui_files" "usr/share/icons/hicolor/${size}x${size}/apps/loadlens.png"
done
stray=$(printf '%s\n%s\n' "$cli_files" "$gui_files" | grep -E '\.(a|o|h)$|/(tst|bench|fuzz)_|/include/|/lib/cmake/' || true)
[ -z "$stray" ] || fail "files that do not belong in a package: $stray"
grep -q '^./usr/bin/loadlens$' <<<"$cli_files" && fail "the GUI binary is in loadlens-cli"
grep -q '^./usr/bin/loadlens-cli$' <<<"$gui_files" && fail "loadlens-cli is in the GUI package"

# dpkg -x rather than dpkg --root -i: a scratch root has none of the Depends, so dpkg would
# refuse (or need --force-depends), and it would run as root on a database of its own. The
# unpacked tree holds exactly the files a responder's dpkg -i installs, and its binaries run
# against this host's libraries, the ones the Depends name.
step "unpack both packages into a scratch root"
root=$(mktemp -d "${TMPDIR:-/tmp}/loadlens-pkgroot.XXXXXX")
trap 'rm -rf "$root"' EXIT
dpkg -x "$cli_deb" "$root"
dpkg -x "$gui_deb" "$root"

step "metainfo, desktop entry, man pages, completion"
appstreamcli validate --no-net "$root/usr/share/metainfo/$app_id.metainfo.xml" ||
    fail "appstreamcli validate reports problems in the metainfo"
desktop-file-validate "$root/usr/share/applications/$app_id.desktop" ||
    fail "desktop-file-validate reports problems in the .desktop entry"
for page in loadlens-cli loadlens; do
    gz=$root/usr/share/man/man1/$page.1.gz
    lexgrog "$gz" >/dev/null || fail "lexgrog cannot read the NAME section of $page(1)"
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -l "$gz" 2>&1 >/dev/null || true)
    [ -z "$warnings" ] || fail "man reports problems in $page(1): $warnings"
done
bash -c "source '$root/usr/share/bash-completion/completions/loadlens-cli' && complete -p loadlens-cli" >/dev/null ||
    fail "the bash completion does not register for loadlens-cli"

step "run loadlens-cli from the unpacked package"
cli=$root/usr/bin/loadlens-cli
version_line=$("$cli" --version) || fail "$cli --version failed"
echo "$version_line"
revision=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
grep -qF "loadlens-cli $version" <<<"$version_line" || fail "--version does not show version $version"
grep -qF "$revision" <<<"$version_line" || fail "--version does not show the git revision $revision"
json=$root/scan.json
"$cli" scan --pid $$ --json >"$json" || fail "loadlens-cli scan --pid $$ --json failed"
/usr/bin/python3 -c '
import json, sys
doc = json.load(open(sys.argv[1]))
pids = [p.get("pid") for p in doc.get("processes", [])]
if int(sys.argv[2]) not in pids:
    sys.exit("the scan JSON does not hold process %s (pids: %s)" % (sys.argv[2], pids))
print("scan JSON parses: process %s with %d modules" % (sys.argv[2],
      sum(len(p.get("modules", [])) for p in doc["processes"])))
' "$json" $$ || fail "loadlens-cli scan --pid $$ --json did not write the expected JSON"
if QT_QPA_PLATFORM=offscreen "$root/usr/bin/loadlens" --version >"$root/gui-version" 2>&1; then
    grep -qF "$revision" "$root/gui-version" || fail "loadlens --version does not show the git revision: $(cat "$root/gui-version")"
    cat "$root/gui-version"
else
    fail "loadlens --version failed: $(cat "$root/gui-version")"
fi

echo "package.sh: OK: $cli_deb $gui_deb"
