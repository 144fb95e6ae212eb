"""The instance lock when the data folder cannot be written (a read-only disk or mount).

Two copies of ``vigie run`` must not run even then. :func:`open_lock` opens, in order:
the lock file itself read-only (``flock``/``msvcrt.locking`` need no write access, when
a former run made it), else a lock named after the data folder in a private per-user
runtime folder (``$XDG_RUNTIME_DIR``, or ``<tmp>/vigie-<uid>`` made 0700 and checked to be
ours). Called by :class:`agent.instance.SingleInstance` on the main thread.
"""
from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from pathlib import Path

from agent import paths


def _private_folder() -> Path | None:
    runtime = os.environ.get("XDG_RUNTIME_DIR", "")
    if runtime and os.path.isdir(runtime):
        return Path(runtime)
    folder = Path(tempfile.gettempdir()) / f"vigie-{os.getuid() if hasattr(os, 'getuid') else 'user'}"
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or (hasattr(os, "getuid") and st.st_uid != os.getuid()):
        return None            # someone else's folder (or a link) in the shared tmp: not used
    return folder


def open_lock(path: Path) -> tuple[int | None, Path | None]:
    """``(fd, path locked)`` to take the instance lock on, or ``(None, None)``."""
    try:
        return os.open(path, os.O_RDONLY), path
    except OSError:
        pass
    folder = _private_folder()
    if folder is None:
        return None, None
    key = hashlib.sha256(str(paths.data_dir().resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    alt = folder / f"vigie-{key}.lock"
    try:
        return os.open(alt, os.O_RDWR | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o600), alt
    except OSError:
        return None, None
