"""``events.jsonl``: every decision Vigie takes, one JSON object per line.

Each line has at least ``time`` (ISO 8601 with offset) and ``type`` (``started``,
``scam_screen``, ``remote_tool``, ``risky_context``, ``stopped``, ...), then details.
``append`` is safe from any thread and any process (one ``write`` of one line in
append mode), and never raises: a full disk must not stop protection.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Iterator

from agent import paths

log = logging.getLogger(__name__)
_lock = threading.Lock()


def now_iso() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="milliseconds")


def append(type_: str, path: Path | None = None, **details: Any) -> dict:
    """Append one event and return it (as written)."""
    event = {"time": now_iso(), "type": type_, **details}
    line = json.dumps(event, ensure_ascii=False, default=str) + "\n"
    target = path or paths.events_file()
    try:
        with _lock:
            paths.ensure_dir(target.parent)
            fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
            try:
                os.write(fd, line.encode("utf-8"))
            finally:
                os.close(fd)
    except OSError as exc:
        log.error("cannot append event %s to %s: %s", type_, target, exc)
    return event


def read(path: Path | None = None) -> Iterator[dict]:
    """Yield the events in order; a damaged line is skipped, not fatal."""
    target = path or paths.events_file()
    try:
        fh = open(target, encoding="utf-8")
    except FileNotFoundError:
        return
    with fh:
        for n, line in enumerate(fh, 1):
            line = line.strip()
            if not line:
                continue
            try:
                yield json.loads(line)
            except ValueError:
                log.warning("%s line %d is not JSON; skipped", target, n)
