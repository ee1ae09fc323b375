#!/usr/bin/env bash
# Main job: install what is missing, build the release preset, then look at this host.
# With a display (as a normal user): opens the LoadLens window. Without one, or as root: prints
# the CLI scan of flagged modules and renders the GUI offscreen to
# build/release/loadlens-screenshot.png.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
cmake --preset release >/dev/null
cmake --build --preset release
bin=build/release/app
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  if [ "$(id -u)" -ne 0 ]; then
    exec "$bin/gui/loadlens" "$@"
  fi
  # The window does not open as root: only the scan helper does (through pkexec).
  echo "== Running as root: the window opens for a normal user only (run this script as yourself and"
  echo "   use Scan > Scan all processes (administrator) to read every process); rendering offscreen instead"
fi
echo "== loadlens-cli scan --min-level low (modules worth a look)"
"$bin/cli/loadlens-cli" scan --min-level low --quiet "$@"
shot=build/release/loadlens-screenshot.png
QT_QPA_PLATFORM=offscreen "$bin/gui/loadlens" --screenshot "$shot"
echo "== GUI rendered offscreen to $shot (run with a display, or under xvfb-run, for the window)"
