#!/usr/bin/env bash
# Build the Debian package from the working tree with dpkg-deb (no root needed).
#
#   installer/debian/build-deb.sh            -> dist/vigie_<version>_<arch>.deb (path printed last)
#
# Layout: the agent and its assets in /usr/lib/vigie, the Python dependencies of
# pyproject.toml vendored in /usr/lib/vigie/vendor (pip install --target, for the system
# python3), /usr/bin/vigie (a launcher using the system python3) and the autostart entry
# /etc/xdg/autostart/vigie.desktop (rendered by agent.install.xdg, as `vigie install` does).
# Some vendored wheels hold compiled code (Pillow, psutil, rapidfuzz...): the package is then
# built for this machine's architecture and this python3 minor version, and says so in
# Architecture/Depends. Without compiled code it would be Architecture: all.
#
# Environment: PYTHON (default /usr/bin/python3, the interpreter the package runs with),
# VIGIE_WHEELHOUSE (default build/wheelhouse: wheels downloaded once, then reused offline).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
PY=${PYTHON:-/usr/bin/python3}
export PIP_ROOT_USER_ACTION=ignore
WHEELHOUSE=${VIGIE_WHEELHOUSE:-$ROOT/build/wheelhouse}
STAGE=$ROOT/build/deb/root
LIB=$STAGE/usr/lib/vigie
log() { echo "build-deb: [$((SECONDS))s] $*" >&2; }

command -v dpkg-deb >/dev/null || { log "dpkg-deb is missing (apt-get install dpkg)"; exit 1; }
"$PY" -m pip --version >/dev/null 2>&1 || { log "$PY has no pip (apt-get install python3-pip)"; exit 1; }
VERSION=$("$PY" -c 'import re,sys; print(re.search(r"__version__ = \"([^\"]+)\"", open("agent/__init__.py").read()).group(1))')
PYVER=$("$PY" -c 'import sys; print("%d.%d" % sys.version_info[:2])')
PYNEXT=$("$PY" -c 'import sys; print("%d.%d" % (sys.version_info[0], sys.version_info[1] + 1))')
# The runtime dependencies, from pyproject.toml (markers are evaluated by pip for $PY).
mapfile -t DEPS < <("$PY" - <<'EOF'
try:
    import tomllib
except ImportError:
    import tomli as tomllib
with open("pyproject.toml", "rb") as fh:
    for dep in tomllib.load(fh)["project"]["dependencies"]:
        print(dep)
EOF
)

rm -rf "$ROOT/build/deb"
mkdir -p "$LIB" "$STAGE/usr/bin" "$STAGE/etc/xdg/autostart" "$STAGE/usr/share/doc/vigie" "$STAGE/DEBIAN" "$ROOT/dist" \
         "$STAGE/usr/share/man/man1" "$STAGE/usr/share/lintian/overrides"

log "copying the agent and its assets"
tar -C "$ROOT" --exclude='__pycache__' --exclude='*.pyc' -cf - agent assets | tar -C "$LIB" -xf -

log "vendoring ${#DEPS[@]} dependencies for python $PYVER"
STAMP="$WHEELHOUSE/.deps-$PYVER-$(printf '%s\n' "${DEPS[@]}" | sha256sum | cut -c1-16)"
if [ ! -f "$STAMP" ]; then
  mkdir -p "$WHEELHOUSE"
  "$PY" -m pip download -q --disable-pip-version-check --only-binary=:all: -d "$WHEELHOUSE" "${DEPS[@]}"
  touch "$STAMP"
fi
"$PY" -m pip install -q --disable-pip-version-check --no-index --find-links "$WHEELHOUSE" \
      --only-binary=:all: --no-compile --no-warn-script-location --target "$LIB/vendor" "${DEPS[@]}"
rm -rf "$LIB/vendor/bin"
find "$LIB" -name '__pycache__' -prune -exec rm -rf {} +
# Nothing vendored is run directly: plain files.
find "$LIB/vendor" -type f -exec chmod 0644 {} +
# library modules, not programs: their "#!/usr/bin/env python" lines would name a missing interpreter
{ grep -rlZ --include='*.py' -E '^#! ?(/usr/bin/env )?python$' "$LIB/vendor" || true; } \
    | xargs -0 -r sed -i -E '1{\%^#! ?(/usr/bin/env )?python$%d}'
# (Not stripped: strip breaks the libraries auditwheel patched, e.g. numpy.libs.)

if find "$LIB/vendor" -name '*.so' -print -quit | grep -q .; then
  ARCH=$(dpkg --print-architecture)
  PYDEP="python3 (>= $PYVER), python3 (<< $PYNEXT), libc6 (>= $("$PY" installer/debian/glibc-need.py "$LIB/vendor"))"
else
  ARCH=all
  PYDEP="python3 (>= 3.10)"
fi

log "launcher, autostart entry, docs"
cat >"$STAGE/usr/bin/vigie" <<'EOF'
#!/bin/sh
# Vigie (Debian package): the system python3 with the agent and its vendored libraries.
# VIGIE_LAUNCHER tells `vigie install` to register this launcher for autostart.
VIGIE_LAUNCHER=/usr/bin/vigie
PYTHONPATH=/usr/lib/vigie:/usr/lib/vigie/vendor
PYTHONSAFEPATH=1
PYTHONDONTWRITEBYTECODE=1
export VIGIE_LAUNCHER PYTHONPATH PYTHONSAFEPATH PYTHONDONTWRITEBYTECODE
exec /usr/bin/python3 -m agent "$@"
EOF
chmod 0755 "$STAGE/usr/bin/vigie"
PYTHONPATH="$ROOT:$LIB/vendor" "$PY" -c 'import sys; from agent.install import xdg; sys.stdout.write(xdg.render(["/usr/bin/vigie", "run"]))' \
    >"$STAGE/etc/xdg/autostart/vigie.desktop"
cat >"$STAGE/usr/share/doc/vigie/copyright" <<'EOF'
Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/
Upstream-Name: vigie
Source: https://github.com/vigie-project/vigie

Files: *
Copyright: 2026 The Vigie contributors
License: GPL-3+
 On Debian systems, the full text of the GNU General Public License version 3
 can be found in /usr/share/common-licenses/GPL-3.

Files: usr/lib/vigie/vendor/*
Copyright: Their respective authors (see each *.dist-info folder)
License: various-free
 Each vendored Python library keeps its licence file in its *.dist-info folder.
EOF
printf 'vigie (%s) unstable; urgency=medium\n\n  * Built from the Vigie working tree.\n\n -- Vigie contributors <vigie@example.org>  %s\n' \
    "$VERSION" "$(LC_ALL=C date -R -d "@${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")" \
    | gzip -9n >"$STAGE/usr/share/doc/vigie/changelog.gz"
gzip -9nc installer/debian/vigie.1 >"$STAGE/usr/share/man/man1/vigie.1.gz"
install -m 0644 installer/debian/lintian-overrides "$STAGE/usr/share/lintian/overrides/vigie"

log "control files"
SIZE=$(du -sk --exclude=DEBIAN "$STAGE" | cut -f1)
cat >"$STAGE/DEBIAN/control" <<EOF
Package: vigie
Version: $VERSION
Architecture: $ARCH
Maintainer: Vigie contributors <vigie@example.org>
Installed-Size: $SIZE
Depends: $PYDEP, python3-tk, tesseract-ocr, tesseract-ocr-fra, tesseract-ocr-eng, libnotify-bin
Recommends: espeak-ng
Section: utils
Priority: optional
Homepage: https://github.com/vigie-project/vigie
Description: stops tech-support scams on an elderly person's computer
 Vigie sits in the tray, reads what a full-screen web page shows and, when it
 is a fake Microsoft/Apple alert with a phone number, covers it with a calm
 warning, tells the family helper and keeps evidence. It also warns when a
 remote-control tool (AnyDesk, TeamViewer...) starts.
 .
 The package starts Vigie at every graphical log-on (/etc/xdg/autostart).
EOF
echo "/etc/xdg/autostart/vigie.desktop" >"$STAGE/DEBIAN/conffiles"
cat >"$STAGE/DEBIAN/postinst" <<'EOF'
#!/bin/sh
set -e
if [ "$1" = "configure" ]; then
    python3 -m compileall -q -j 0 /usr/lib/vigie >/dev/null 2>&1 || true
fi
exit 0
EOF
cat >"$STAGE/DEBIAN/prerm" <<'EOF'
#!/bin/sh
set -e
find /usr/lib/vigie -name '__pycache__' -type d -prune -exec rm -rf {} + 2>/dev/null || true
exit 0
EOF
chmod 0755 "$STAGE/DEBIAN/postinst" "$STAGE/DEBIAN/prerm"
(cd "$STAGE" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | LC_ALL=C sort -z \
    | xargs -0 md5sum >DEBIAN/md5sums)
find "$STAGE" -type d -exec chmod 0755 {} +
find "$STAGE/usr/lib" "$STAGE/etc" "$STAGE/usr/share" -type f -exec chmod go-w,a+r {} +

OUT="$ROOT/dist/vigie_${VERSION}_${ARCH}.deb"
dpkg-deb --root-owner-group -Zxz -z1 --build "$STAGE" "$OUT" >/dev/null
log "built $(du -h "$OUT" | cut -f1) ($ARCH, python $PYVER)"
echo "$OUT"
