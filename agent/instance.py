"""One ``vigie run`` at a time, per user.

``with SingleInstance(): ...`` holds an OS-level lock on ``state_dir()/vigie.lock``
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows). The OS drops the lock when
the process dies, so a crash leaves a file but never a stale lock: the next start
takes it. A second instance gets :class:`AlreadyRunning` carrying the first one's pid.
Used by the main thread of ``vigie run``.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from agent import paths

log = logging.getLogger(__name__)
LOCK_NAME = "vigie.lock"

if os.name == "nt":  # pragma: no cover - Windows only
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        try:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
        except OSError:
            pass
else:
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        except OSError:
            pass


class AlreadyRunning(RuntimeError):
    """Another Vigie holds the lock; ``pid`` is its process id (None if unknown)."""

    def __init__(self, pid: int | None, path: Path):
        self.pid = pid
        self.path = path
        super().__init__(f"Vigie is already running (process {pid if pid else '?'}; lock {path})")

    def text(self, lang: str | None = None) -> str:
        from agent.i18n import t
        return t("config.already_running", lang, pid=self.pid or "?")


def read_pid(path: Path) -> int | None:
    """The pid written in a lock file, or None."""
    try:
        with open(path, "rb") as fh:
            fh.seek(1)  # byte 0 is the one locked on Windows; the pid follows
            text = fh.read(32).decode("ascii", "replace").strip()
        return int(text) if text.isdigit() else None
    except (OSError, ValueError):
        return None


class SingleInstance:
    """Context manager holding the per-user instance lock. Not re-entrant.

    ``acquire()`` raises :class:`AlreadyRunning`; an unusable lock folder (read-only
    disk) is logged and protection goes on without the lock rather than not at all.
    """

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else paths.state_dir() / LOCK_NAME
        self._fd: int | None = None
        self.locked = False

    def acquire(self) -> "SingleInstance":
        try:
            paths.ensure_dir(self.path.parent)
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT, 0o600)
        except OSError as exc:
            from agent.instance_fallback import open_lock  # noqa: PLC0415
            fd, where = open_lock(self.path)   # a read-only data folder: two copies must still not run
            if fd is None:
                log.warning("cannot create the instance lock %s (%s); going on without it", self.path, exc)
                return self
            log.warning("cannot write the instance lock %s (%s); locking %s instead", self.path, exc, where)
        if not _try_lock(fd):
            os.close(fd)
            raise AlreadyRunning(read_pid(self.path), self.path)
        try:  # " <pid>\n": byte 0 stays the lock byte on Windows
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f" {os.getpid()}\n".encode("ascii"))
        except OSError as exc:
            log.warning("cannot write the pid in %s: %s", self.path, exc)
        self._fd = fd
        self.locked = True
        return self

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        self.locked = False
        try:
            os.ftruncate(fd, 0)
        except OSError:
            pass
        _unlock(fd)
        os.close(fd)

    def __enter__(self) -> "SingleInstance":
        return self.acquire()

    def __exit__(self, *exc) -> None:
        self.release()


# -- clean stop or crash -----------------------------------------------------------------
# ``state_dir()/running`` exists while Vigie runs. A clean stop — SIGTERM, SIGINT, log-out,
# shutdown (Windows' WM_ENDSESSION, console close), the tray's Quit — removes it, *first*
# (before anything slow), so that the system killing the process right after still counts
# as clean. A start that finds it was preceded by a crash, a kill -9 or a power cut.
RUN_MARKER = "running"


def _run_marker() -> Path:
    return paths.state_dir() / RUN_MARKER


def mark_running() -> bool:
    """Record that Vigie runs; True when the previous run did not stop cleanly. Any thread."""
    marker = _run_marker()
    crashed = marker.exists() or (marker.parent / "helper-running").exists()  # older versions
    try:
        paths.ensure_dir(marker.parent)
        marker.write_text(f"{os.getpid()}\n", encoding="ascii")
        (marker.parent / "helper-running").unlink(missing_ok=True)
    except OSError as exc:  # a read-only folder: crash notices cannot be told apart, no more
        log.warning("cannot write %s: %s", marker, exc)
    return crashed


def mark_clean_stop(reason: str = "") -> None:
    """Record a clean stop (idempotent, fast, never raises). Signal handlers call it."""
    try:
        _run_marker().unlink(missing_ok=True)
        if reason:
            log.info("clean stop recorded (%s)", reason)
    except OSError as exc:
        log.warning("cannot record the clean stop in %s: %s", _run_marker(), exc)


def running_pid(path: Path | None = None) -> int | None:
    """The pid of the ``vigie run`` holding the lock (0 if unknown), None if none runs. Never raises."""
    path = Path(path) if path else paths.state_dir() / LOCK_NAME
    try:
        fd = os.open(path, os.O_RDWR)
    except OSError:
        return None
    try:
        if _try_lock(fd):
            _unlock(fd)
            return None
        return read_pid(path) or 0
    finally:
        os.close(fd)
