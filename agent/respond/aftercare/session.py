"""Remote sessions watched from the alert to their end.

:class:`Aftercare` is owned by the Responder. ``begin`` (a remote tool was reported)
takes a snapshot and notes the size of the tool's connection logs, and keeps them as a
``remote_session`` incident; ``end`` (the tool exited, or ``vigie aftercare``) takes a
second snapshot, reads what the logs gained since, and writes the report as an
``aftercare`` incident (``report.en.txt``, ``report.fr.txt``, ``changes.json``,
``connections.json``...), writes the ``aftercare`` event and tells the helper. The
Responder's calls return at once: the work runs in order on one ``vigie-aftercare``
thread. Nothing here may stop the agent: a failure is logged and the next session
still works.
"""
from __future__ import annotations

import datetime as _dt
import json
import logging
import queue
import threading
from pathlib import Path

from agent import events
from agent.respond.aftercare import connlogs, report, snapshot
from agent.respond.evidence import store as evidence

log = logging.getLogger(__name__)
LANGS = ("en", "fr")


def _now() -> str:
    return _dt.datetime.now().astimezone().isoformat(timespec="seconds")


def running_tools(exclude_pid: int = 0) -> list[str]:
    """Names of the catalogue's remote tools running now (one pass over the processes).
    Each process is named by :func:`agent.platform.winproc.describe` (psutil, else the
    image path): psutil's ``process_iter(["name"])`` raises WinError 87 under Wine and
    gives no name for an elevated process on Windows."""
    import psutil  # noqa: PLC0415

    from agent.platform import winproc  # noqa: PLC0415
    from agent.watch import catalog  # noqa: PLC0415 - a catalogue look-up, not the watchers
    cat, names = catalog.get(), []
    for pid in psutil.pids():
        if pid == exclude_pid:
            continue
        tool = cat.tool_for_process(*winproc.describe(pid))
        if tool is not None and tool.name not in names:
            names.append(tool.name)
    return names


def user_name() -> str:
    """The name of the account Vigie runs as (the person's); "?" when it cannot be told."""
    try:
        import getpass  # noqa: PLC0415
        return getpass.getuser()
    except Exception:  # noqa: BLE001 - no USER/LOGNAME and no passwd entry
        return "?"


def begin_session(tool: dict, process: dict, ctx: snapshot.Context | None = None) -> dict:
    """The start of a session (pure apart from reading the computer): snapshot, log sizes
    and the connections already in the logs."""
    tool_id = str(tool.get("id") or "?")
    earlier, problems = connlogs.read(tool_id)
    return {"tool": tool, "process": {k: process.get(k) for k in ("pid", "name", "exe")}, "start": _now(),
            "snapshot": snapshot.take(ctx), "log_sizes": connlogs.sizes(tool_id),
            "earlier": [c.to_json() for c in earlier[-20:]], "log_problems": problems}


def save_session(session: dict) -> Path | None:
    files = {"snapshot.json": evidence._json(session["snapshot"]),
             "connections.json": evidence._json({"earlier": session["earlier"], "problems": session["log_problems"]}),
             "session.json": evidence._json({k: v for k, v in session.items() if k not in ("snapshot", "earlier")})}
    try:
        return evidence.save_files("remote_session", files, {"tool": session["tool"].get("id")})
    except evidence.EvidenceError as exc:
        log.error("the remote-session snapshot could not be kept: %s", exc)
        return None


def load_session(folder: Path) -> dict:
    """A session back from its ``remote_session`` incident (``vigie aftercare``, agent restart)."""
    session = json.loads((folder / "session.json").read_text(encoding="utf-8"))
    session["snapshot"] = json.loads((folder / "snapshot.json").read_text(encoding="utf-8"))
    session["earlier"] = json.loads((folder / "connections.json").read_text(encoding="utf-8")).get("earlier", [])
    session["incident"] = folder.name
    return session


def finish(session: dict, *, ended: bool, lang: str, country: str = "", still_running: list[str] | None = None,
           ctx: snapshot.Context | None = None) -> tuple[Path | None, dict]:
    """Second snapshot, new connections, the report; saved as an ``aftercare`` incident.
    Returns (incident folder or None, what the event and the helper get)."""
    from agent.respond.helper.messages import computer  # noqa: PLC0415 - the host name, never raises
    tool = session["tool"]
    tool_id, name = str(tool.get("id") or "?"), str(tool.get("name") or tool.get("id") or "?")
    after = snapshot.take(ctx)
    changes = snapshot.diff(session["snapshot"], after)
    conns, problems = connlogs.read(tool_id, since=session.get("log_sizes") or {})
    conns_json = [c.to_json() for c in conns]
    if still_running is None:
        still_running = running_tools()
    host, user = computer(), user_name()
    end = _now()
    texts = {lg: report.render(tool=name, changes=changes, connections=conns_json, earlier=session.get("earlier") or [],
                               still_running=still_running, start=session.get("start", "?"), end=end, ended=ended,
                               lang=lg, host=host, user=user, incident=session.get("incident") or "", country=country,
                               logs_known=bool(connlogs.log_files(tool_id)))
             for lg in LANGS}
    files = {f"report.{lg}.txt": text.encode("utf-8") for lg, text in texts.items()}
    files["changes.json"] = evidence._json(changes)
    files["connections.json"] = evidence._json({"during": conns_json, "earlier": session.get("earlier") or [],
                                                "problems": problems})
    files["snapshot_after.json"] = evidence._json(after)
    files["session.json"] = evidence._json({"tool": tool, "start": session.get("start"), "end": end, "ended": ended,
                                            "session_incident": session.get("incident"),
                                            "still_running": still_running})
    incident = None
    try:
        incident = evidence.save_files("aftercare", files, {"tool": tool_id, "session": session.get("incident")})
    except evidence.EvidenceError as exc:
        log.error("the after-session report could not be kept: %s", exc)
    main_lang = lang if lang in LANGS else "en"
    data = {"tool": tool_id, "name": name, "incident": incident.name if incident else None,
            "report": str(incident / f"report.{main_lang}.txt") if incident else None,
            "added": report.summary(changes), "still_running": still_running,
            "connections": [{k: c.get(k) for k in ("time", "remote_id", "remote_name", "remote_ip") if c.get(k)}
                            for c in conns_json][:10],
            "ended": ended, "text": texts[main_lang]}
    return incident, data


class Aftercare:
    """The sessions of one agent run (see the module docstring)."""

    def __init__(self, lang: str = "en", country: str = "", tell=None, ctx_factory=None):
        self.lang, self.country = lang, country
        self.tell = tell or (lambda kind, data: None)
        self.ctx_factory = ctx_factory or (lambda: None)
        self._sessions: dict[str, dict] = {}
        self._jobs: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def _submit(self, fn, *args) -> None:
        with self._lock:
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="vigie-aftercare", daemon=True)
                self._thread.start()
        self._jobs.put((fn, args))

    def _run(self) -> None:
        while True:
            fn, args = self._jobs.get()
            try:
                fn(*args)
            except Exception:  # noqa: BLE001 - never stops the agent, nor the next session
                log.exception("aftercare %s failed", getattr(fn, "__name__", fn))
            finally:
                self._jobs.task_done()

    def wait(self) -> None:
        """Until every job given so far is done (tests, agent shutdown)."""
        self._jobs.join()

    def begin(self, tool: dict, process: dict) -> None:
        """A remote tool was reported (worker thread, via the Responder): returns at once."""
        self._submit(self._begin, dict(tool), dict(process))

    def end(self, tool: dict, still_running: list[str] | None = None) -> None:
        """The tool's processes are all gone (worker thread, via the Responder)."""
        self._submit(self._end, dict(tool), still_running)

    def _begin(self, tool: dict, process: dict) -> None:
        tool_id = str(tool.get("id"))
        if tool_id in self._sessions:
            return                  # one session per tool while it runs
        session = begin_session(tool, process, self.ctx_factory())
        folder = save_session(session)
        session["incident"] = folder.name if folder else None
        self._sessions[tool_id] = session
        events.append("remote_session", tool=tool_id, incident=session["incident"],
                      snapshot_ms=session["snapshot"]["ms"], connections_before=len(session["earlier"]))

    def _end(self, tool: dict, still_running: list[str] | None) -> None:
        session = self._sessions.pop(str(tool.get("id")), None)
        if session is None:
            log.info("%s ended but no session was begun for it", tool.get("id"))
            return
        incident, data = finish(session, ended=True, lang=self.lang, country=self.country,
                                still_running=still_running, ctx=self.ctx_factory())
        events.append("aftercare", **{k: v for k, v in data.items() if k != "text"})
        self.tell("aftercare", data)
