"""``events.jsonl``: every decision Vigie takes, one JSON object per line.

Each line has at least ``time`` (ISO 8601 with offset) and ``type`` (``started``,
``scam_screen``, ``remote_tool``, ``risky_context``, ``stopped``, ...), then details.
``append`` is safe from any thread and any process (one ``write`` of one line in
append mode), and never raises: a full disk must not stop protection. A file whose last
line was torn (a crash or a full disk in the middle of a write) gets a line end first,
so the new event is never glued onto the damaged line and lost with it. The file rotates
past ``MAX_BYTES`` (``events.jsonl.1`` … ``.{GENERATIONS}``, oldest dropped): history is
kept, a storm cannot fill the disk; :func:`read_all` reads the generations in order.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any, Iterator

from agent import paths, safefile
from agent.log import Once

log = logging.getLogger(__name__)
_lock = threading.Lock()
_ONCE = Once()
MAX_BYTES = 4 << 20      # ~10,000 events; a year of a normal computer's
GENERATIONS = 3


def _rotate(target: Path) -> None:
    """``events.jsonl`` → ``.1`` → ``.2`` … (the oldest generation dropped). Under ``_lock``."""
    for n in range(GENERATIONS, 0, -1):
        src = target if n == 1 else target.with_name(f"{target.name}.{n - 1}")
        try:
            os.replace(safefile.check_target(src), safefile.check_target(target.with_name(f"{target.name}.{n}")))
        except FileNotFoundError:
            continue


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
            fd = safefile.open_append(target, 0o600, read=True)   # a pipe or a device there: refused
            try:
                data = line.encode("utf-8", "backslashreplace")  # a lone surrogate → its JSON escape
                size = os.fstat(fd).st_size
                if size + len(data) > MAX_BYTES and size:
                    try:
                        _rotate(target)        # the open fd now writes to the old generation: reopen
                        os.close(fd)
                        fd = -1
                        fd = safefile.open_append(target, 0o600, read=True)
                        size = 0
                    except safefile.UnsafeFile as exc:   # a device named events.jsonl.2: never replaced
                        _ONCE.error(log, "rotate", "events.jsonl is not rotated: %s", exc)
                if size and os.lseek(fd, size - 1, os.SEEK_SET) >= 0 and os.read(fd, 1) != b"\n":
                    data = b"\n" + data          # the last line was torn: start a new one
                if os.write(fd, data) < len(data):   # a full disk takes part of it: a torn line
                    raise OSError(28, "No space left on device (the line was cut)")
            finally:
                if fd >= 0:
                    os.close(fd)
    except OSError as exc:
        log.error("cannot append event %s to %s: %s", type_, target, exc)
    return event


def read_all(path: Path | None = None) -> Iterator[dict]:
    """Every event still kept, oldest first: the rotated generations, then the file."""
    target = path or paths.events_file()
    for n in range(GENERATIONS, 0, -1):
        yield from read(target.with_name(f"{target.name}.{n}"))
    yield from read(target)


def read(path: Path | None = None) -> Iterator[dict]:
    """Yield the events in order; a damaged line (not UTF-8, not JSON, not an object with
    a ``type``) is skipped with a warning, not fatal."""
    target = path or paths.events_file()
    try:
        fh = safefile.open_regular(target)
    except FileNotFoundError:
        return
    with fh:
        for n, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            try:
                event = json.loads(raw.decode("utf-8"))
            except ValueError:           # UnicodeDecodeError is a ValueError too
                log.warning("%s line %d is damaged (not a JSON line); skipped", target, n)
                continue
            if isinstance(event, dict) and isinstance(event.get("type"), str):
                yield event
            else:
                log.warning("%s line %d is not an event; skipped", target, n)
