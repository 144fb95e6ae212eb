#!/usr/bin/env bash
# Set up Vigie on a Debian-like machine: OS packages (Tesseract + language packs, and for
# the desktop/tests Xvfb, openbox, dunst, Chromium...) and the Python package in .venv.
#   scripts/setup.sh          agent + Tesseract (fra, eng, deu, spa, ita, nld, jpn)
#   scripts/setup.sh --test   also what the test suite needs (Xvfb, WM, Chromium, tray host,
#                             and pip + lintian for building and checking the .deb)
set -euo pipefail
cd "$(dirname "$0")/.."
want_test=0; [ "${1:-}" = "--test" ] && want_test=1

SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
pkgs=(tesseract-ocr tesseract-ocr-fra tesseract-ocr-eng tesseract-ocr-deu tesseract-ocr-spa
      tesseract-ocr-ita tesseract-ocr-nld tesseract-ocr-jpn python3-venv python3-tk
      libnotify-bin espeak-ng fonts-dejavu-core)
if [ $want_test = 1 ]; then
  pkgs+=(xvfb openbox dbus dbus-x11 dunst x11-utils chromium xdotool wmctrl xclip xterm
         x11-xserver-utils trayer fonts-noto-cjk imagemagick dpkg-dev fakeroot
         python3-pip lintian pulseaudio pulseaudio-utils firefox-esr faketime  # pulseaudio: muting tests; firefox-esr: the page address read from a real Firefox profile; python3-pip, lintian: tests/test_deb_package.py (build, lintian); faketime: tests/test_clock_jumps.py
         tesseract-ocr-rus tesseract-ocr-ara)  # tests/test_detect_beyond.py: a script no model in use reads, read again with its own
fi
missing=()
for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing OS packages: ${missing[*]}" >&2
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  # python3-tk must be importable from the venv: use the system python if ours lacks tkinter
  "$PY" -c "import tkinter" 2>/dev/null || PY=/usr/bin/python3
  "$PY" -m venv .venv
fi
.venv/bin/python -m pip install -q --upgrade pip >/dev/null
extras="fast"; [ $want_test = 1 ] && extras="fast,test,build"   # build: the asset generators are tested too
.venv/bin/python -m pip install -q -e ".[$extras]"
echo "setup: ready (.venv/bin/vigie)" >&2
