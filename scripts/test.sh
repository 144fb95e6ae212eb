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
exec .venv/bin/python -m pytest -p no:cacheprovider -rs "$@"
