"""Logging set-up: rotating files in the platform's log folder, and a rate limiter
so a failure that repeats every second is logged once, not forever.

``setup()`` is called once by the main thread at start; ``Once`` is thread-safe.
"""
from __future__ import annotations

import logging
import logging.handlers
import os
import sys
import threading
import time

from agent import paths, safefile

FORMAT = "%(asctime)s %(levelname)s %(threadName)s %(name)s: %(message)s"


class PrivateRotatingFileHandler(logging.handlers.RotatingFileHandler):
    """A rotating log readable by its owner only (0600): window titles, addresses and
    program names are private, whatever the umask."""

    def _open(self):
        fd = safefile.open_append(self.baseFilename, 0o600)   # never a pipe (a hang) nor a device
        try:
            os.chmod(self.baseFilename, 0o600)   # a file made by an older version
        except OSError:
            pass
        return os.fdopen(fd, "a", encoding=self.encoding, errors=self.errors)

    def doRollover(self):
        """Rotate only over regular files: a device or a pipe named ``vigie.log.2`` is never
        removed or renamed over; the log then just stops rotating (said once on stderr)."""
        names = [self.baseFilename] + [f"{self.baseFilename}.{n}" for n in range(1, self.backupCount + 1)]
        try:
            for name in names:
                safefile.check_target(name)
        except OSError as exc:
            self.maxBytes = 0
            sys.stderr.write(f"vigie: the log stops rotating: {exc}\n")
            return
        super().doRollover()


def setup(verbose: bool = False, to_file: bool = True) -> None:
    """Configure the root logger: stderr always, a rotating file when possible."""
    root = logging.getLogger()
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    for h in list(root.handlers):
        root.removeHandler(h)
    err = logging.StreamHandler(sys.stderr)
    err.setFormatter(logging.Formatter(FORMAT))
    err.setLevel(logging.DEBUG if verbose else logging.WARNING)
    root.addHandler(err)
    if to_file:
        try:
            folder = paths.ensure_dir(paths.log_dir())
            fh = PrivateRotatingFileHandler(
                folder / "vigie.log", maxBytes=1_000_000, backupCount=3, encoding="utf-8")
            fh.setFormatter(logging.Formatter(FORMAT))
            from agent.log_collapse import Collapsing  # noqa: PLC0415
            root.addHandler(Collapsing(fh))   # a fault repeating fast cannot rotate the history away
        except OSError as exc:  # a read-only log folder must not stop protection
            root.warning("cannot write logs in %s: %s", paths.log_dir(), exc)


class Once:
    """Log each kind of failure once per ``interval`` seconds (default: an hour).

    ``Once().warning(log, "capture", "capture failed: %s", exc)`` logs the first time
    and then only after the interval, with a count of what was suppressed.
    """

    def __init__(self, interval: float = 3600.0):
        self.interval = interval
        self._seen: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def _should(self, kind: str) -> tuple[bool, int]:
        now = time.monotonic()
        with self._lock:
            last, suppressed = self._seen.get(kind, (None, 0))
            if last is None or now - last >= self.interval:
                self._seen[kind] = (now, 0)
                return True, suppressed
            self._seen[kind] = (last, suppressed + 1)
            return False, suppressed

    def log(self, logger: logging.Logger, level: int, kind: str, msg: str, *args) -> bool:
        ok, suppressed = self._should(kind)
        if ok:
            if suppressed:
                msg += f" (repeated {suppressed} times since last logged)"
            logger.log(level, msg, *args)
        return ok

    def warning(self, logger, kind, msg, *args) -> bool:
        return self.log(logger, logging.WARNING, kind, msg, *args)

    def error(self, logger, kind, msg, *args) -> bool:
        return self.log(logger, logging.ERROR, kind, msg, *args)

    def reset(self, kind: str) -> None:
        with self._lock:
            self._seen.pop(kind, None)
