#!/usr/bin/env bash
# Set up Vigie and start it. With a desktop (DISPLAY or WAYLAND_DISPLAY set), the agent
# starts in the tray; without one, it demonstrates `vigie scan` on the shipped samples.
#   scripts/start.sh            set up, then run (or demo)
#   scripts/start.sh --demo     set up, then always the scan demo
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh
export OMP_THREAD_LIMIT=1
if [ "${1:-}" != "--demo" ] && [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
  exec .venv/bin/vigie run
fi
echo "No desktop here: demonstrating 'vigie scan' on the shipped samples." >&2
set +e
.venv/bin/vigie scan assets/samples/*
status=$?
[ $status -le 1 ] && exit 0 || exit $status   # 1 means "a scam was found": the demo worked
