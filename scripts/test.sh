#!/usr/bin/env bash
# Installs what is missing, builds with tests and runs every test.
#   scripts/test.sh          the dev preset (warnings are errors)
#   scripts/test.sh --asan   the same suite under AddressSanitizer + UndefinedBehaviorSanitizer
set -euo pipefail
cd "$(dirname "$0")/.."
preset=dev
[ "${1:-}" = "--asan" ] && preset=asan
bash scripts/install-deps.sh
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset"
ctest --preset "$preset" -j2
