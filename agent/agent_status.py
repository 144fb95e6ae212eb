"""``state/agent.json``: what the running agent says about itself, for ``vigie doctor``.

The agent (``agent.app.Agent``, from whichever thread changes its state) writes
``{"state", "pid", "started", "process_started", "updated", "problems", "alive_every",
"worker_ok"}`` (replaced whole, not fsync'd: it is on the alert path) at start, on every
state change and every ``alive_every`` seconds (``agent/alive.py``: the heartbeat), and
``"state": "stopped"`` when it stops. Another
process (``vigie doctor``) calls :func:`read`, which says whether that agent is really
running: the pid must be alive *and* be the same process (its start time matches), so
a file left by a crash or a reused pid reads as "not running"; a heartbeat older than
:func:`stale_after` (a stopped — SIGSTOP — or hung agent) or a worker that no longer
turns reads as ``stale``: running, but not protecting. Never raises.
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


def stale_after(alive_every: float) -> float:
    """Seconds without a heartbeat after which the agent is taken as stopped or hung."""
    return max(30.0, 6.0 * alive_every)


def write(state: str, started: str, problems: list[str] | tuple[str, ...] = (), alive_every: float | None = None,
          worker_ok: bool = True) -> bool:
    """Record this process's state; False (logged once by the caller) when it cannot."""
    pid = os.getpid()
    data = {"state": state, "pid": pid, "started": started, "process_started": _process_start(pid),
            "updated": events.now_iso(), "problems": list(problems)[:20], "worker_ok": bool(worker_ok)}
    if alive_every:
        data["alive_every"] = float(alive_every)
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
    """``{"running": bool, "state", "pid", "started", "updated", "problems", "crashed", "stale"}``.

    ``running`` is True only when the recorded process is alive and is the one that
    wrote the file. ``crashed`` is True when the file says the agent runs but it is gone.
    ``state`` is None when no agent ever wrote the file (or it cannot be read).
    """
    out = {"running": False, "state": None, "pid": None, "started": None, "updated": None,
           "problems": [], "crashed": False, "stale": False}
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
    every = data.get("alive_every")
    if same and isinstance(every, (int, float)) and not isinstance(every, bool) and every > 0:
        age = _age(out["updated"])
        out["stale"] = age is None or age > stale_after(every) or data.get("worker_ok") is False
    return out


def _age(iso: str | None) -> float | None:
    import datetime as _dt  # noqa: PLC0415
    try:
        return (_dt.datetime.now().astimezone() - _dt.datetime.fromisoformat(iso or "")).total_seconds()
    except (TypeError, ValueError):
        return None
