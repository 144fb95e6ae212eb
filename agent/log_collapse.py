"""Repeated log lines collapsed, so that a fault repeating fast cannot rotate the history away.

A full disk or a broken display can make the same line come thousands of times in seconds;
with a 1 MB rotating log that pushes every earlier line out. :class:`Collapsing` wraps the
file handler: a record identical to the previous one (same level, logger and message) is
counted, not written; the next different record (or closing the log) first writes
``… the line above repeated 5,331 more times``. Each hour of repetition writes the line once
more with its count so far, so a fault that never stops still shows. Thread-safe (the
logging module's handler lock).
"""
from __future__ import annotations

import logging
import time

REPEAT_EVERY = 3600.0   # a line repeating without end is written again with its count this often


class Collapsing(logging.Handler):
    """Writes through ``target``, collapsing identical consecutive records."""

    def __init__(self, target: logging.Handler, clock=time.monotonic):
        super().__init__(target.level)
        self.target, self.clock = target, clock
        self._last: tuple | None = None
        self._last_record: logging.LogRecord | None = None
        self._count = 0
        self._shown_at = 0.0

    def _summary(self) -> None:
        if self._count and self._last_record is not None:
            r = self._last_record
            note = logging.LogRecord(r.name, r.levelno, r.pathname, r.lineno,
                                     "… the line above repeated %s more times", (f"{self._count:,}",), None)
            note.threadName = r.threadName
            self.target.handle(note)
        self._count = 0

    def emit(self, record: logging.LogRecord) -> None:
        try:
            key = (record.levelno, record.name, record.getMessage())
        except Exception:  # noqa: BLE001 - a bad format: let the target report it
            key = None
        with_repeat = key is not None and key == self._last
        if with_repeat and self.clock() - self._shown_at < REPEAT_EVERY:
            self._count += 1
            return
        self._summary()
        self._last, self._last_record, self._shown_at = key, record, self.clock()
        self.target.handle(record)

    def flush(self) -> None:
        self.target.flush()

    def close(self) -> None:
        self.acquire()
        try:
            self._summary()
        finally:
            self.release()
        self.target.close()
        super().close()
