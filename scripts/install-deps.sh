#!/usr/bin/env bash
# Installs the Debian 12 packages LoadLens builds and tests with (only what is missing).
# Needs root (or sudo). Safe to run again. `--print` lists the packages and installs nothing
# (scripts/check-deps.py compares the build against this list).
set -euo pipefail
packages=(
  cmake ninja-build g++ pkg-config git
  qt6-base-dev qt6-charts-dev libqt6opengl6-dev libgl-dev libqt6svg6
  libspdlog-dev libsqlite3-dev nlohmann-json3-dev libssl-dev libacl1-dev
  libauparse-dev libevtx-dev libbfio-dev zlib1g-dev libyaml-dev libexpat1-dev
  libregf-dev
  xvfb xauth openssl libevtx-utils auditd osslsigncode binutils
  librsvg2-bin dpkg-dev file gzip clickhouse-server clickhouse-client
  lintian appstream desktop-file-utils man-db python3 python3-jsonschema
  wine64 g++-mingw-w64-x86-64
  rpm
)
if [ "${1:-}" = "--print" ]; then
  printf '%s\n' "${packages[@]}"
  exit 0
fi
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi
echo "install-deps: installing ${missing[*]}"
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
