#!/usr/bin/env bash
# Set up everything and run the whole test suite on a throwaway X11 desktop.
#   scripts/test.sh [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/setup.sh --test
export OMP_THREAD_LIMIT=1
export VIGIE_TEST_DISPLAY_NUM=${VIGIE_TEST_DISPLAY_NUM:-99}
# Every test gets its own data/config/log folders from the fixtures; never the real ones.
export VIGIE_DATA_DIR="$(mktemp -d)/data" VIGIE_LOG_DIR="$(mktemp -d)/log" VIGIE_CONFIG="$(mktemp -d)/config.toml"
set +e
.venv/bin/python -m pytest -p no:cacheprovider -rs "$@"
rc=$?
set -e
# The Windows lane (Vigie's Windows build under Wine, scripts/wine-lane.sh): after the whole
# suite (no arguments), or with VIGIE_WINE_LANE=1; VIGIE_WINE_LANE=0 skips it.
lane=0; [ $# = 0 ] && lane=1
if [ "${VIGIE_WINE_LANE:-$lane}" = 1 ]; then
  scripts/wine-lane.sh || { [ $rc = 0 ] && rc=1; }
fi
exit $rc
