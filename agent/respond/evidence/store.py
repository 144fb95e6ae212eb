"""Evidence: one folder per incident, written atomically, checkable, exportable.

``<evidence_dir>/<YYYYmmdd-HHMMSS>-<family>-<short id>/`` holds ``screenshot.png``,
``text.txt``, ``verdict.json``, ``window.json`` (window, process, trigger) and
``manifest.json`` (SHA-256 and size of every other file, time, version). The folder is
written under a ``.tmp-*`` name in the same evidence folder, flushed to disk, then
renamed: a crash or power loss leaves either a complete incident or an ignored
``.tmp-*`` folder, never a half-written incident; :func:`clean_leftovers` removes such
folders once they are older than ``LEFTOVER_SECONDS`` (listing, pruning). A damaged
``manifest.json`` (not an object, wrong field types) marks that incident ``damaged``; it
never stops the others from being listed, verified or exported. Retention only deletes
with a logged ``evidence_expired`` event. Called from the worker thread (save), the CLI and the
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
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from agent import __version__, atomic, clock, events, paths, safefile

log = logging.getLogger(__name__)
MANIFEST = "manifest.json"
FORMAT_VERSION = 1
LEFTOVER_SECONDS = 600.0   # a .tmp-* folder this old is not being written any more
MAX_MANIFEST_BYTES = 4 << 20  # a manifest lists a few files; more is not one
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
    damaged: str | None = None     # why the manifest cannot be trusted, or None


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sha256_file(path: Path) -> str | None:
    """SHA-256 of a regular file, read in pieces; None for anything else (a link, a pipe,
    a device: never followed, never read). Raises OSError."""
    st = os.lstat(path)
    if not stat.S_ISREG(st.st_mode):
        return None
    h = hashlib.sha256()
    with safefile.open_regular(path) as fh:   # swapped for a pipe meanwhile: refused, not read for ever
        while chunk := fh.read(1 << 20):
            h.update(chunk)
    return h.hexdigest()


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
                "time": when.isoformat(timespec="seconds"), "clock": clock.stamp(when.timestamp()), "family": family,
                **(info or {}), "files": {}}
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
    """The manifest as written; raises OSError/ValueError. Prefer :func:`load_manifest`."""
    return json.loads(safefile.read_text(folder / MANIFEST, MAX_MANIFEST_BYTES, inside=folder))


def _plain_name(name: Any) -> bool:
    return isinstance(name, str) and name not in ("", ".", "..", MANIFEST) and "/" not in name \
        and "\\" not in name and "\x00" not in name


def load_manifest(folder: Path) -> tuple[dict, str | None]:
    """``(manifest, None)``, or ``(what could be used of it, why it is damaged)``.

    The returned dict always has ``time``/``family`` (str), ``phones`` (list of str) and
    ``files`` ({plain file name: {"sha256": str, ...}}), whatever the file held."""
    safe: dict = {"time": "?", "family": "?", "phones": [], "files": {}}
    try:
        data = read_manifest(Path(folder))
    except (OSError, ValueError) as exc:
        return safe, f"{MANIFEST} is missing or unreadable ({exc})"
    if not isinstance(data, dict):
        return safe, f"{MANIFEST} is not a JSON object"
    bad = []
    for key in ("time", "family"):
        if isinstance(data.get(key), str):
            safe[key] = data[key]
        else:
            bad.append(key)
    phones = data.get("phones", [])
    if isinstance(phones, list) and all(isinstance(p, str) for p in phones):
        safe["phones"] = phones
    else:
        bad.append("phones")
    files = data.get("files")
    if isinstance(files, dict) and all(_plain_name(n) and isinstance(m, dict) and isinstance(m.get("sha256"), str)
                                       for n, m in files.items()):
        safe["files"] = files
    else:
        bad.append("files")
    safe = {**data, **safe}
    return safe, (f"{MANIFEST} has wrong or missing fields: {', '.join(bad)}" if bad else None)


def verify(folder: Path) -> list[str]:
    """Problems found in an incident folder (empty list: every file matches its SHA-256).
    Never raises: an unreadable folder or manifest is a problem like any other."""
    folder = Path(folder)
    manifest, damaged = load_manifest(folder)
    problems = [damaged] if damaged else []
    files = manifest["files"]
    for name, meta in sorted(files.items()):
        try:
            digest = sha256_file(folder / name)
        except FileNotFoundError:
            problems.append(f"{name} is missing")
            continue
        except OSError as exc:
            problems.append(f"{name} cannot be read ({exc.strerror or exc})")
            continue
        if digest is None:
            problems.append(f"{name} is not a regular file")
        elif digest != meta.get("sha256"):
            problems.append(f"{name} has changed (SHA-256 differs from the manifest)")
    try:
        present = sorted(p.name for p in folder.iterdir())
    except OSError as exc:
        return problems + [f"the folder cannot be read ({exc.strerror or exc})"]
    for extra in present:
        if extra not in files and extra != MANIFEST:
            problems.append(f"{extra} is not in the manifest")
    return problems


def clean_leftovers(older_than: float = LEFTOVER_SECONDS, now: float | None = None) -> list[str]:
    """Remove ``.tmp-*`` incident folders left by a crash, once older than ``older_than``
    seconds (a younger one may still be being written). Only real folders directly in
    the evidence folder (never a symlink); never raises. Returns the names removed."""
    import time  # noqa: PLC0415
    root = paths.evidence_dir()
    now = time.time() if now is None else now
    removed = []
    try:
        entries = list(os.scandir(root))
    except OSError:
        return removed
    for entry in entries:
        try:
            if not entry.name.startswith(".tmp-") or not entry.is_dir(follow_symlinks=False):
                continue
            if now - entry.stat(follow_symlinks=False).st_mtime < older_than:
                continue
            shutil.rmtree(entry.path)
            removed.append(entry.name)
            log.warning("removed %s: an incident folder left half-written by a crash", entry.path)
        except OSError as exc:
            log.warning("cannot remove the leftover %s: %s", entry.path, exc)
    return removed


def list_incidents() -> list[Incident]:
    """Complete incidents, oldest first (``.tmp-*`` folders are never listed, and removed
    once old); one with a damaged manifest is listed with ``damaged`` set."""
    root = paths.evidence_dir()
    out = []
    clean_leftovers()
    try:
        folders = sorted(root.iterdir())
    except OSError:
        return out
    for folder in folders:
        if folder.name.startswith(".") or folder.is_symlink() or not folder.is_dir():
            continue
        m, damaged = load_manifest(folder)
        out.append(Incident(folder.name, folder, m["time"], m["family"], list(m["phones"]), damaged))
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


def _clock_stamp(inc: Incident) -> dict | None:
    try:
        return read_manifest(inc.path).get("clock")
    except (OSError, ValueError, AttributeError):
        return None


def prune(retention_days: int, now: _dt.datetime | None = None) -> list[str]:
    """Delete incidents older than ``retention_days`` (0 = keep forever), each with an
    ``evidence_expired`` event and a log line. Meant to be called daily by the agent."""
    if not retention_days or retention_days <= 0:
        return []
    now = now or clock.now_dt()
    removed = []
    for inc in list_incidents():
        when = _incident_time(inc)
        if when is None or clock.age(when, _clock_stamp(inc), now) < retention_days * 86400:
            continue      # a future date, a clock that jumped ahead: never old (agent.clock)
        events.append("evidence_expired", incident=inc.id, recorded=inc.time, retention_days=retention_days)
        log.warning("evidence %s is older than %d days and is removed (evidence.retention_days)",
                    inc.id, retention_days)
        try:
            shutil.rmtree(inc.path)
            removed.append(inc.id)
        except OSError as exc:
            log.error("cannot remove expired evidence %s: %s", inc.path, exc)
    return removed
