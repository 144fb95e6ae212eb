"""One ``vigie run`` at a time, per user.

``with SingleInstance(): ...`` holds an OS-level lock on ``state_dir()/vigie.lock``
(``fcntl.flock`` on POSIX, ``msvcrt.locking`` on Windows). The OS drops the lock when
the process dies, so a crash leaves a file but never a stale lock: the next start
takes it. A second instance gets :class:`AlreadyRunning` carrying the first one's pid.
Used by the main thread of ``vigie run``.

The lock cannot be squatted: a lock held by a process that is not Vigie (``flock
vigie.lock sleep 1d``) is worked around with the next lock file (``vigie-2.lock``…), and
``SingleInstance.squatted`` says by whom, for the helper. Vigie is the holder whose pid
is the one written in the file (on Linux checked against ``/proc/locks``: the pid that
really holds the lock) and whose command line is Vigie's.
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from agent import paths

log = logging.getLogger(__name__)
LOCK_NAME = "vigie.lock"
SPARE_LOCKS = 3          # vigie.lock, then vigie-2.lock and vigie-3.lock when squatted

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


def candidates(path: Path) -> list[Path]:
    """The lock file and its spares, in the order every Vigie tries them."""
    return [path] + [path.with_name(f"{path.stem}-{n}{path.suffix}") for n in range(2, SPARE_LOCKS + 1)]


def _holders(path: Path) -> set[int] | None:
    """The pids holding a lock on ``path`` (Linux ``/proc/locks``); None where it cannot be told."""
    try:
        st = os.stat(path)
        with open("/proc/locks", encoding="ascii", errors="replace") as fh:
            lines = fh.read().splitlines()
    except OSError:
        return None
    dev = f"{os.major(st.st_dev):02x}:{os.minor(st.st_dev):02x}:{st.st_ino}"
    out = set()
    for line in lines:
        f = line.replace("->", "").split()
        if len(f) >= 6 and f[5] == dev and f[4].isdigit():
            out.add(int(f[4]))
    return out


def _cmdline(pid: int) -> str | None:
    try:
        import psutil  # noqa: PLC0415
        return " ".join(psutil.Process(pid).cmdline())
    except Exception:  # noqa: BLE001 - gone, or not ours to read
        return None


def is_vigie_holder(path: Path) -> tuple[bool, str]:
    """(whether the holder of the lock on ``path`` is Vigie, who holds it in words)."""
    pid, holders = read_pid(path), _holders(path)
    if pid == os.getpid():
        return True, f"process {pid}"
    if holders is not None and pid not in holders:     # the file's pid is not the holder
        who = sorted(holders)
        return False, "; ".join(f"process {h}: {(_cmdline(h) or '?')[:120]}" for h in who) or "?"
    cmd = _cmdline(pid) if pid else None
    if cmd is None:      # no pid written, or a process gone since: whoever holds the lock is not Vigie
        return False, f"process {pid or '?'}"
    low = cmd.lower()
    return ("vigie" in low or "agent" in low), f"process {pid}: {cmd[:120]}"


class SingleInstance:
    """Context manager holding the per-user instance lock. Not re-entrant.

    ``acquire()`` raises :class:`AlreadyRunning`; an unusable lock folder (read-only
    disk) is logged and protection goes on without the lock rather than not at all.
    """

    def __init__(self, path: Path | None = None):
        self.path = Path(path) if path else paths.state_dir() / LOCK_NAME
        self._fd: int | None = None
        self.locked = False
        self.squatted: list[dict] = []     # locks held by something that is not Vigie

    def acquire(self) -> "SingleInstance":
        first = self.path
        for path in candidates(first):
            try:
                paths.ensure_dir(path.parent)
                fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
            except OSError as exc:
                from agent.instance_fallback import open_lock  # noqa: PLC0415
                fd, where = open_lock(path)   # a read-only data folder: two copies must still not run
                if fd is None:
                    log.warning("cannot create the instance lock %s (%s); going on without it", path, exc)
                    return self
                log.warning("cannot write the instance lock %s (%s); locking %s instead", path, exc, where)
                if not _try_lock(fd):
                    os.close(fd)
                    raise AlreadyRunning(read_pid(path), path) from exc
                path = where
                break
            if _try_lock(fd):
                break
            os.close(fd)
            vigie, who = is_vigie_holder(path)
            if vigie:
                raise AlreadyRunning(read_pid(path), path)
            log.error("the instance lock %s is held by another program (%s); using the next one", path, who)
            self.squatted.append({"file": str(path), "holder": who})
        else:
            log.error("every instance lock is held by other programs; going on without one")
            return self
        self.path = path
        for other in candidates(first):       # a Vigie on another lock file (the squatter let go)
            if other != path and running_pid(other, spares=False) is not None:
                _unlock(fd)
                os.close(fd)
                raise AlreadyRunning(read_pid(other), other)
        self._write_pid(fd)
        return self

    def _write_pid(self, fd: int) -> None:
        try:  # " <pid>\n": byte 0 stays the lock byte on Windows
            os.ftruncate(fd, 0)
            os.lseek(fd, 0, os.SEEK_SET)
            os.write(fd, f" {os.getpid()}\n".encode("ascii"))
        except OSError as exc:
            log.warning("cannot write the pid in %s: %s", self.path, exc)
        self._fd = fd
        self.locked = True

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


def running_pid(path: Path | None = None, spares: bool = True) -> int | None:
    """The pid of the ``vigie run`` holding the lock or a spare (0 if unknown), None if
    none runs (a lock held by another program does not count). Never raises."""
    path = Path(path) if path else paths.state_dir() / LOCK_NAME
    for p in candidates(path) if spares else [path]:
        try:
            fd = os.open(p, os.O_RDWR)
        except OSError:
            continue
        try:
            if _try_lock(fd):
                _unlock(fd)
                continue
        finally:
            os.close(fd)
        if is_vigie_holder(p)[0]:
            return read_pid(p) or 0
    return None
