"""Evidence: one folder per incident, written atomically, checkable, exportable.

``<evidence_dir>/<YYYYmmdd-HHMMSS>-<family>-<short id>/`` holds ``screenshot.png``,
``text.txt``, ``verdict.json``, ``window.json`` (window, process, trigger) and
``manifest.json`` (SHA-256 and size of every other file, time, version). The folder is
written under a ``.tmp-*`` name in the same evidence folder, flushed to disk, then
renamed: a crash or power loss leaves either a complete incident or an ignored
``.tmp-*`` folder, never a half-written incident. Retention only deletes with a logged
``evidence_expired`` event. Called from the worker thread (save), the CLI and the
agent's daily housekeeping (prune); no GUI.
"""
from __future__ import annotations

import dataclasses
import datetime as _dt
import hashlib
import io
import json
import logging
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent import __version__, atomic, events, paths

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
FORMAT_VERSION = 1
WINDOW_FIELDS = ("id", "title", "pid", "process_name", "exe", "x", "y", "width", "height",
                 "monitor", "fullscreen", "maximized", "wm_class")


class EvidenceError(Exception):
    """The incident could not be written (disk full, read-only folder...)."""


@dataclass(frozen=True)
class Incident:
    id: str
    path: Path
    time: str
    family: str
    phones: list[str]


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _json(obj: Any) -> bytes:
    return (json.dumps(obj, ensure_ascii=False, indent=2, default=str) + "\n").encode("utf-8")


def _as_dict(obj: Any) -> Any:
    if obj is None or isinstance(obj, (dict, str, int, float, bool, list)):
        return obj
    if dataclasses.is_dataclass(obj):
        return dataclasses.asdict(obj)
    if hasattr(obj, "__dict__"):
        return {k: v for k, v in vars(obj).items() if not k.startswith("_")}
    return repr(obj)


def window_details(window: Any) -> dict | None:
    """The window's fields (any object with WindowInfo's attributes) or None."""
    if window is None:
        return None
    return {f: getattr(window, f, None) for f in WINDOW_FIELDS}


def process_details(pid: int | None) -> dict | None:
    """Name, exe, command line, start time and parent of a process (best effort)."""
    if not pid:
        return None
    import psutil  # noqa: PLC0415
    try:
        p = psutil.Process(int(pid))
        with p.oneshot():
            info = {"pid": p.pid, "name": p.name(), "ppid": p.ppid(),
                    "started": _dt.datetime.fromtimestamp(p.create_time()).astimezone().isoformat()}
            for key, fn in (("exe", p.exe), ("cmdline", p.cmdline), ("username", p.username)):
                try:
                    info[key] = fn()
                except (psutil.AccessDenied, psutil.ZombieProcess, OSError):
                    info[key] = None
        parent = p.parent()
        info["parent_name"] = parent.name() if parent else None
        return info
    except (psutil.Error, ValueError, OSError) as exc:
        return {"pid": pid, "error": str(exc)}


def save_files(family: str, files: dict[str, bytes], info: dict | None = None,
               when: _dt.datetime | None = None) -> Path:
    """Write ``files`` as one new incident folder atomically; returns its final path."""
    when = when or _dt.datetime.now().astimezone()
    family = "".join(c for c in (family or "unknown") if c.isalnum() or c == "_") or "unknown"
    name = f"{when:%Y%m%d-%H%M%S}-{family}-{secrets.token_hex(3)}"
    root = paths.evidence_dir()
    tmp = root / f".tmp-{name}"
    manifest = {"format": FORMAT_VERSION, "vigie": __version__, "id": name,
                "time": when.isoformat(timespec="seconds"), "family": family, **(info or {}), "files": {}}
    try:
        paths.ensure_dir(root)
        tmp.mkdir(mode=0o700)
        for fname, data in files.items():
            atomic.write_synced(tmp / fname, data)
            manifest["files"][fname] = {"sha256": sha256(data), "bytes": len(data)}
        atomic.write_synced(tmp / MANIFEST, _json(manifest))
        atomic.fsync_dir(tmp)
        os.rename(tmp, root / name)
        atomic.fsync_dir(root)
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise EvidenceError(f"cannot write incident {name} in {root}: {exc}") from exc
    return root / name


def png_bytes(image: Any) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "PNG", compress_level=1)   # speed first: the alert waits for this
    return buf.getvalue()


def save_incident(verdict: Any, image: Any = None, window: Any = None, trigger: Any = None,
                  extra: dict | None = None, when: _dt.datetime | None = None) -> Path:
    """Save one scam incident (worker thread). Raises ``EvidenceError`` if nothing could be written."""
    files: dict[str, bytes] = {}
    if image is not None:
        try:
            files["screenshot.png"] = png_bytes(image)
        except (OSError, ValueError, AttributeError) as exc:
            log.error("screenshot could not be encoded, incident kept without it: %s", exc)
    files["text.txt"] = (getattr(verdict, "text", "") or "").encode("utf-8")
    vjson = verdict.to_json() if hasattr(verdict, "to_json") else _as_dict(verdict)
    files["verdict.json"] = _json(vjson)
    win = window_details(window)
    files["window.json"] = _json({"window": win, "process": process_details(win and win.get("pid")),
                                  "trigger": _as_dict(trigger), **(extra or {})})
    phones = list(getattr(verdict, "phones_e164", None) or getattr(verdict, "phones", None) or [])
    return save_files(getattr(verdict, "family", None) or "unknown", files,
                      {"phones": phones, "score": vjson.get("score") if isinstance(vjson, dict) else None}, when)


def read_manifest(folder: Path) -> dict:
    return json.loads((folder / MANIFEST).read_text(encoding="utf-8"))


def verify(folder: Path) -> list[str]:
    """Problems found in an incident folder (empty list: every file matches its SHA-256)."""
    folder = Path(folder)
    try:
        manifest = read_manifest(folder)
        files = manifest["files"]
    except (OSError, ValueError, KeyError, TypeError) as exc:
        return [f"{MANIFEST} is missing or unreadable ({exc})"]
    problems = []
    for name, meta in sorted(files.items()):
        try:
            data = (folder / name).read_bytes()
        except OSError:
            problems.append(f"{name} is missing")
            continue
        if sha256(data) != meta.get("sha256"):
            problems.append(f"{name} has changed (SHA-256 differs from the manifest)")
    for extra in sorted(p.name for p in folder.iterdir() if p.name not in files and p.name != MANIFEST):
        problems.append(f"{extra} is not in the manifest")
    return problems


def list_incidents() -> list[Incident]:
    """Complete incidents, oldest first (``.tmp-*`` folders are never listed)."""
    root = paths.evidence_dir()
    out = []
    if not root.is_dir():
        return out
    for folder in sorted(root.iterdir()):
        if not folder.is_dir() or folder.name.startswith("."):
            continue
        try:
            m = read_manifest(folder)
        except (OSError, ValueError):
            m = {}
        out.append(Incident(folder.name, folder, str(m.get("time", "?")), str(m.get("family", "?")),
                            list(m.get("phones") or [])))
    return out


def find(ident: str) -> Incident:
    """The incident named ``ident``: full name, short id (last part) or unique prefix.

    Raises ``LookupError(matches)``: an empty list when none matches, else the candidates.
    """
    incidents = list_incidents()
    for inc in incidents:
        if inc.id == ident:
            return inc
    matches = [i for i in incidents if i.id.endswith("-" + ident) or i.id.startswith(ident)]
    if len(matches) == 1:
        return matches[0]
    raise LookupError([i.id for i in matches])


def _incident_time(inc: Incident) -> _dt.datetime | None:
    try:
        return _dt.datetime.fromisoformat(inc.time)
    except ValueError:
        try:
            return _dt.datetime.strptime(inc.id[:15], "%Y%m%d-%H%M%S").astimezone()
        except ValueError:
            return None


def prune(retention_days: int, now: _dt.datetime | None = None) -> list[str]:
    """Delete incidents older than ``retention_days`` (0 = keep forever), each with an
    ``evidence_expired`` event and a log line. Meant to be called daily by the agent."""
    if not retention_days or retention_days <= 0:
        return []
    now = now or _dt.datetime.now().astimezone()
    removed = []
    for inc in list_incidents():
        when = _incident_time(inc)
        if when is None or (now - when).total_seconds() < retention_days * 86400:
            continue
        events.append("evidence_expired", incident=inc.id, recorded=inc.time, retention_days=retention_days)
        log.warning("evidence %s is older than %d days and is removed (evidence.retention_days)",
                    inc.id, retention_days)
        try:
            shutil.rmtree(inc.path)
            removed.append(inc.id)
        except OSError as exc:
            log.error("cannot remove expired evidence %s: %s", inc.path, exc)
    return removed
