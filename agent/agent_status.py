"""``state/agent.json``: what the running agent says about itself, for ``vigie doctor``.

The agent (``agent.app.Agent``, from whichever thread changes its state) writes
``{"state", "pid", "started", "process_started", "updated", "problems"}`` (replaced
whole, not fsync'd: it is on the alert path) at start and on every state change, and ``"state": "stopped"`` when it stops. Another
process (``vigie doctor``) calls :func:`read`, which says whether that agent is really
running: the pid must be alive *and* be the same process (its start time matches), so
a file left by a crash or a reused pid reads as "not running". Never raises.
"""
from __future__ import annotations

import json
import logging
import os
import stat
import threading
from pathlib import Path

from agent import events, paths, safefile

log = logging.getLogger(__name__)
NAME = "agent.json"
_lock = threading.Lock()


def path() -> Path:
    return paths.state_dir() / NAME


def _process_start(pid: int) -> float | None:
    try:
        import psutil  # noqa: PLC0415
        return psutil.Process(pid).create_time()
    except Exception:  # noqa: BLE001 - no such process, no psutil, access denied
        return None


def write(state: str, started: str, problems: list[str] | tuple[str, ...] = ()) -> bool:
    """Record this process's state; False (logged once by the caller) when it cannot."""
    pid = os.getpid()
    data = {"state": state, "pid": pid, "started": started, "process_started": _process_start(pid),
            "updated": events.now_iso(), "problems": list(problems)[:20]}
    target = path()
    tmp = target.with_name(f".{NAME}.{pid}.tmp")
    try:
        with _lock:   # replaced whole, not flushed to disk: cheap on the alert path, and a
            paths.ensure_dir(target.parent)   # power cut only loses a state that is over anyway
            safefile.check_target(target)     # never replaces a device, a pipe, a folder
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
            os.replace(tmp, target)
    except OSError as exc:
        log.debug("cannot write %s: %s", target, exc)
        try:
            tmp.unlink()
        except OSError:
            pass
        return False
    return True


def read() -> dict:
    """``{"running": bool, "state", "pid", "started", "updated", "problems", "crashed"}``.

    ``running`` is True only when the recorded process is alive and is the one that
    wrote the file. ``crashed`` is True when the file says the agent runs but it is gone.
    ``state`` is None when no agent ever wrote the file (or it cannot be read).
    """
    out = {"running": False, "state": None, "pid": None, "started": None, "updated": None,
           "problems": [], "crashed": False}
    try:
        fd = os.open(path(), os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
        with os.fdopen(fd, "rb") as fh:   # a pipe or a device in its place is not read
            raw = fh.read(64 * 1024) if stat.S_ISREG(os.fstat(fd).st_mode) else b""
        data = json.loads(raw.decode("utf-8"))
    except (OSError, ValueError):
        return out
    if not isinstance(data, dict):
        return out
    for key in ("state", "started", "updated"):
        out[key] = data[key] if isinstance(data.get(key), str) else None
    pid = data.get("pid")
    out["pid"] = pid if isinstance(pid, int) and not isinstance(pid, bool) and pid > 0 else None
    problems = data.get("problems")
    out["problems"] = [p for p in problems if isinstance(p, str)] if isinstance(problems, list) else []
    if out["state"] in (None, "stopped") or out["pid"] is None:
        return out
    began = _process_start(out["pid"])
    recorded = data.get("process_started")
    same = began is not None and (not isinstance(recorded, (int, float)) or abs(began - recorded) < 2.0)
    out["running"] = same
    out["crashed"] = not same
    return out
