"""Running Vigie as the user ``nobody`` (uid 65534) when the suite runs as root.

Root writes through read-only folders, so the permission tests run their command as
``nobody``. ``nobody`` cannot enter a private checkout (a clone in a 0700 folder, /root),
so the code, the assets and the venv's packages are mirrored once per session into a
world-readable temporary folder (hard links where the file is already world-readable,
copies otherwise) and the command runs from there, with the system's python3 (the same
minor version as the venv, for the compiled packages).
"""
from __future__ import annotations

import atexit
import functools
import os
import shutil
import stat
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NOBODY = 65534
SYSTEM_PYTHON = "/usr/bin/python3"


def available() -> bool:
    return sys.platform != "win32" and os.geteuid() == 0 and Path(SYSTEM_PYTHON).exists()


def _place(src: str, dst: str) -> None:
    if os.stat(src).st_mode & stat.S_IROTH:
        try:
            os.link(src, dst)
            return
        except OSError:       # another file system, or no hard links
            pass
    shutil.copy2(src, dst)
    os.chmod(dst, os.stat(dst).st_mode | stat.S_IROTH | stat.S_IRGRP)


def _mirror(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, copy_function=_place, symlinks=True,
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    for folder, _dirs, _files in os.walk(dst):
        os.chmod(folder, 0o755)


@functools.lru_cache(maxsize=1)
def tree() -> Path:
    """The world-readable mirror: ``agent/``, ``assets/`` and ``site/`` (the venv's packages)."""
    base = Path(tempfile.mkdtemp(prefix="vigie-nobody-"))
    atexit.register(shutil.rmtree, base, True)
    os.chmod(base, 0o755)
    _mirror(ROOT / "agent", base / "agent")
    _mirror(ROOT / "assets", base / "assets")
    site = next((p for p in sys.path if p.endswith("site-packages") and Path(p).is_dir()
                 and Path(p).resolve().is_relative_to(Path(sys.prefix).resolve())), None)
    if site:
        _mirror(Path(site), base / "site")
    return base


def command(env: dict) -> tuple[list[str], dict]:
    """``([python], run-kwargs)`` to run ``python -m agent …`` as nobody; sets PYTHONPATH in
    ``env``. The kwargs demote the child and start it in the mirror."""
    base = tree()
    env["PYTHONPATH"] = os.pathsep.join(str(p) for p in (base, base / "site") if p.exists())
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    return [SYSTEM_PYTHON], {"user": NOBODY, "group": NOBODY, "extra_groups": [], "cwd": str(base)}
