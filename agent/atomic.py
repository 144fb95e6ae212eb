"""Replacing a file all at once: readers see the old content or the new, never half.

``write_bytes(path, data)`` writes to a temporary file in the same folder (named
``.<name>.<random>.tmp``), flushes it to disk, gives it its mode, renames it over
``path`` (``os.replace``, atomic on POSIX and Windows) and then flushes the folder, where
the OS allows it, so that the rename itself survives a power loss. On failure the
temporary file is removed and the ``OSError`` is raised as it came (callers turn it
into their own error: a read-only folder gives ``PermissionError``). Only a missing path or a
regular file is ever replaced (:func:`agent.safefile.check_target`: a device, a pipe, a
socket, a folder, a dangling or looping link raise ``safefile.UnsafeFile`` and are left as
they are; a link to a regular file has its target replaced). ``write_text``
does the same for text (UTF-8, line ends as given: no ``\\r\\n`` on Windows).

The folder must exist: callers create it (some record which folders they created).
Pure file operations, callable from any thread; two threads writing the same file
should share a lock (the last rename wins).
"""
from __future__ import annotations

import logging
import os
import tempfile
from pathlib import Path

from agent import safefile

log = logging.getLogger(__name__)
PRIVATE = 0o600


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename, a new file) to disk; never raises.

    Does nothing where folders cannot be opened (Windows, whose renames are durable
    enough) or on a failure to open or flush (a network file system).
    """
    if os.name != "posix":
        return
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError as exc:
        log.debug("cannot flush folder %s: %s", folder, exc)
    finally:
        os.close(fd)


def write_synced(path: Path, data: bytes) -> None:
    """Create or truncate ``path`` and write ``data``, flushed to disk (not atomic); only a
    missing path or a regular file (:func:`agent.safefile.check_target`)."""
    with open(safefile.check_target(path), "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def write_bytes(path: Path, data: bytes, mode: int = PRIVATE) -> None:
    """Replace ``path`` with ``data`` atomically; the file gets ``mode`` (default 0600).

    Raises ``OSError`` (the folder is missing or read-only, the disk is full...);
    then ``path`` is as it was and no temporary file is left.
    """
    path = safefile.check_target(path)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
    fsync_dir(path.parent)


def write_text(path: Path, text: str, mode: int = PRIVATE) -> None:
    """:func:`write_bytes` of ``text`` in UTF-8 (line ends as given, on every OS)."""
    write_bytes(path, text.encode("utf-8"), mode)
