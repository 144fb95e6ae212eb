"""What happened after an incident was saved, kept in its own folder: ``timeline.jsonl``.

One JSON line per fact, in order: ``{"time", "what": "pressed", "action", ...}`` for each
button the person pressed on the alert, ``{"time", "what": "page_back", "screenshot"}`` for
each return of the same page (its screenshot ``return-N.png`` beside it). Each addition
rewrites ``timeline.jsonl`` and the folder's ``manifest.json`` atomically with the new
SHA-256s, so :func:`store.verify` keeps holding. The Responder's threads (the worker, the
alert window's reader) call :func:`add`; a lock keeps additions in order. Never raises:
a fact that cannot be written is logged (the alert and the helper's message go on).
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import threading
from pathlib import Path

from agent import atomic
from agent.respond.evidence import store

log = logging.getLogger(__name__)
TIMELINE = "timeline.jsonl"
_lock = threading.Lock()


def add(folder: Path | str | None, entry: dict, files: dict[str, bytes] | None = None) -> bool:
    """Append ``entry`` (and write ``files``) to the incident ``folder``; True when written."""
    if not folder:
        return False
    folder = Path(folder)
    if not folder.is_absolute():
        folder = store.paths.evidence_dir() / folder.name
    entry = {"time": _dt.datetime.now().astimezone().isoformat(timespec="seconds"), **entry}
    with _lock:
        try:
            manifest = store.read_manifest(folder)
            if not isinstance(manifest, dict) or not isinstance(manifest.get("files"), dict):
                raise ValueError("damaged manifest")
            for name, data in (files or {}).items():
                atomic.write_bytes(folder / name, data)
                manifest["files"][name] = {"sha256": store.sha256(data), "bytes": len(data)}
            old = (folder / TIMELINE).read_bytes() if (folder / TIMELINE).is_file() else b""
            data = old + (json.dumps(entry, ensure_ascii=False, default=str) + "\n").encode("utf-8")
            atomic.write_bytes(folder / TIMELINE, data)
            manifest["files"][TIMELINE] = {"sha256": store.sha256(data), "bytes": len(data)}
            atomic.write_bytes(folder / store.MANIFEST, store._json(manifest))
            return True
        except (OSError, ValueError) as exc:
            log.error("could not add %s to the incident %s: %s", entry.get("what"), folder.name, exc)
            return False


def read(folder: Path) -> list[dict]:
    """The facts of an incident, in order (empty when none); never raises."""
    try:
        lines = (Path(folder) / TIMELINE).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
    out = []
    for line in lines:
        try:
            item = json.loads(line)
        except ValueError:
            continue
        if isinstance(item, dict):
            out.append(item)
    return out


def returns(folder: Path) -> int:
    return sum(1 for e in read(folder) if e.get("what") == "page_back")
