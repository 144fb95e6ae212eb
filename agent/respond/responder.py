"""The Responder: what Vigie does once the worker has decided something is wrong.

``on_scam`` starts the alert window as its own process, saves the evidence (atomically)
while that process starts and sends it the incident folder, then starts the desktop
notification and the spoken warning in parallel, mutes the page until it is gone
(``audio.MuteKeeper``) and tells the helper notifier; ``on_remote_tool`` asks "did
someone on the phone ask you to install this?" (pausing the tool first in ``suspend`` mode); ``on_risky_context`` shows the
strongest alert. All three are called by the worker thread and return quickly: GUI
windows run in their own processes, read by small daemon threads that forward what the
person clicked (``{"event": "action"}`` lines) to the notifier.

The class is put together from its parts, one module each: :mod:`agent.respond.outlets`
(windows, notification, speech, helper), :mod:`agent.respond.alert_again` (the page back,
the alert reopened or named again), :mod:`agent.respond.remote_question` (remote tools)
and :mod:`agent.respond.risky_alerts` (ClickFix, risky contexts); the scam screen's alert
is here.
"""
from __future__ import annotations

import logging
import threading
import time
from pathlib import Path

from agent import events
from agent.platform import winproc
from agent.respond import audio, contain, guidance, takeback
from agent.respond.aftercare.session import Aftercare
from agent.respond.alert_again import AlertRepeats
from agent.respond.evidence import store as evidence
from agent.respond.gui.process import GuiProcess
from agent.respond.outlets import Outlets
from agent.respond.remote_question import RemoteToolQuestions
from agent.respond.risky_alerts import RiskyAlerts

log = logging.getLogger(__name__)
REPEAT_SECONDS = 120.0     # the same scam window/family back within this time: alerted again at
                           # once, but the helper is not told again (no new evidence either)


class Responder(Outlets, AlertRepeats, RemoteToolQuestions, RiskyAlerts):
    """Made by ``agent.app.build`` on the main thread; its ``on_*`` methods are called by the
    worker thread, ``alert_open`` by any thread."""

    def __init__(self, settings, notifier=None):
        self.settings = settings
        self.notifier = notifier
        self.lang = settings.lang()
        self.country = guidance.resolve_country(settings.country, self.lang)
        self.allowed_tools: set[str] = set()      # "It's my helper" answers, this session
        self.processes: list[GuiProcess] = []     # alert and question windows started
        self.last_alert: float | None = None      # time.monotonic() of the last scam alert
        self.last_alert_iso: str | None = None     # ...and its wall-clock time, for the helper's messages
        self._visits: dict[tuple, dict] = {}      # (page, family) -> {"incident": Path, "at": monotonic}
        self._current: dict | None = None         # the scam being alerted, for de-duplication
        self._questions: dict[int, GuiProcess] = {}
        self.silencer = audio.Silencer(takeback.PageWatch, contain.browser_root,
                                       lambda root: {p.pid for p in contain.browser_processes(root)})
        self._again_done: set = set()                    # scams already named once more
        self._reopened: dict[tuple, list[float]] = {}    # key → when its alert window was reopened
        self._lock = threading.Lock()
        self.aftercare = Aftercare(self.lang, self.country, tell=self._tell_helper)

    # ---- scam screen ---------------------------------------------------------------
    def on_scam(self, verdict, image, window, trigger, incident: Path | None = None,
                follow_up: bool | None = None) -> Path | None:
        """Evidence, alert window, notification, speech, helper. Worker thread; quick.
        ``trigger == "test"`` (the tray's test alert): the alert says it is a test and no
        evidence is kept; the helper notifier still gets ``data["test"] = True``.
        The same page (window, process, family) back within ``REPEAT_SECONDS`` of its
        alert — re-entering fullscreen, reopened — is alerted again at once (``alert_again``
        with ``reason="back"``). The same page (address or title) back within
        ``VISIT_SECONDS`` is one visit: the alert shows at once, its return goes into the same
        incident (``timeline.jsonl``, ``return-N.png``) and the same conversation with the
        helper (``page_back``), with no new incident and no new alert message.
        ``trigger`` "again" / "reopen" (the Responder's own: the page still open after "I'm
        safe", the alert window died) show the alert of ``incident`` once more."""
        family = getattr(verdict, "family", None) or "tss"
        key = (getattr(window, "id", None), getattr(window, "pid", None), family)
        is_test = trigger == "test" or getattr(trigger, "kind", None) == "test"
        with self._lock:
            cur = self._current
            if cur and cur["key"] == key and cur["gui"] and cur["gui"].showing():
                return cur["incident"]
            back = (not is_test and trigger not in ("again", "reopen") and cur is not None and cur["key"] == key
                    and time.monotonic() - cur["at"] < REPEAT_SECONDS)
        own = trigger in ("again", "reopen")      # the Responder's own re-show of an incident
        if back:
            # the quiet time saves the helper from a second message, never the person from the alert
            events.append("alert_again", reason="back", trigger=getattr(trigger, "kind", trigger),
                          title=getattr(window, "title", None), pid=getattr(window, "pid", None),
                          incident=cur["incident"].name if cur["incident"] else None)
            trigger, incident = "again", cur["incident"]
        if cur and cur["gui"] and cur["gui"].showing():
            cur["gui"].close()          # a new scam supersedes the alert still open
        title = getattr(window, "title", "") or ""
        url = getattr(verdict, "page_url", None) or getattr(window, "url", None) or getattr(trigger, "url", None)
        page = (" ".join((url or title).split()).lower(), family) if (url or title) and not is_test else None
        if own or back:
            returning = incident
        elif is_test:
            returning = None
        else:
            returning = self._visit_of(page)
        keep = not is_test and returning is None     # new evidence for a new visit only (a test alert has none)
        if follow_up is None:
            follow_up = not own    # the helper's follow-up goes when this alert ends (once for "I'm safe" again)
        pid = getattr(window, "pid", None) or 0
        pname = getattr(window, "process_name", "") or ""
        browser_pid = pid if pid and (contain.is_browser(pname) or contain.is_browser(_name_of(pid))) else 0
        phones = list(getattr(verdict, "phones", []) or [])
        wid = int(getattr(window, "id", 0) or 0)
        args = ["--kind", "test" if is_test else "scam", "--family", family, "--browser-pid", str(browser_pid),
                "--window-id", str(wid if browser_pid else 0), "--page-title", title,
                "--browser-name", pname or _name_of(pid), *self._helper_args()]
        if returning is not None:
            args += ["--incident", str(returning)]
        elif keep:
            args.append("--incident-later")     # the window shows first; the folder follows on stdin
        if trigger == "again":
            args.append("--again")
        if browser_pid and not is_test:
            self.silencer.silence(browser_pid, wid)     # until the page is gone
        on_action = None
        if browser_pid and not is_test:
            def on_action(line: dict, _args=(verdict, image, window, key)) -> None:
                if line.get("action") == "close_page" and line.get("ok"):
                    self.silencer.release(browser_pid)    # the page is gone: its browser may sound again
                if line.get("action") == "safe" and trigger != "again":
                    self._bg(self._say_again, *_args, name="again")
        saved: dict = {"incident": returning}     # the folder, once saved (the window shows first)

        def on_exit(g) -> None:
            if not is_test and self._died(g) and self._reopen(verdict, image, window, key, saved["incident"],
                                                               trigger, follow_up):
                return
            if follow_up:
                self._alert_closed(saved["incident"].name if saved["incident"] else None)
        gui = self._gui("agent.respond.gui.alert_window", args, on_action, on_exit, stdin=keep,
                        thread=lambda: saved["incident"].name if saved["incident"] else ("test" if is_test else None))
        incident = returning
        try:
            if keep and returning is None:
                incident = evidence.save_incident(verdict, image, window, trigger,
                                                  extra={"url": url} if url else None)
        except evidence.EvidenceError as exc:
            log.error("%s; the alert is shown anyway", exc)
        saved["incident"] = incident
        if gui is not None and keep:
            gui.send({"incident": str(incident) if incident else None})
        if returning is not None and not own:      # the page came back: one visit, its return recorded
            self._page_back(returning, image, title, url)
        # the worker records the detection itself ("scam_screen"); this records the alert
        events.append("test_alert_shown" if is_test else "alert_shown",
                      incident=incident.name if incident else None, family=family,
                      score=round(float(getattr(verdict, "score", 0) or 0), 3), phones=phones,
                      title=getattr(window, "title", None), process=pname or None, pid=pid or None)
        fam = family if family in guidance.FAMILIES else "tss"
        self._warn(f"notify_{fam}", (f"title_{fam}", f"first_{fam}"), test=is_test)
        with self._lock:
            self._current = {"key": key, "incident": incident, "gui": gui, "at": time.monotonic()}
            self.last_alert = time.monotonic()
            self.last_alert_iso = events.now_iso()
            if page is not None and incident is not None:
                self._visits[page] = {"incident": incident, "at": time.monotonic()}
        if trigger in ("again", "reopen") or returning is not None:
            return incident
        shot = incident / "screenshot.png" if incident else None
        attach = [shot] if shot and self.settings.helper_attach_screenshot and shot.is_file() else []
        self._tell_helper("scam", {"family": family, "score": getattr(verdict, "score", None),
                                   "phones": phones, "phones_e164": list(getattr(verdict, "phones_e164", []) or []),
                                   "title": getattr(window, "title", None), "process": pname or None,
                                   "url": url, "page_url": getattr(verdict, "page_url", None) or None,
                                   "thread": "test" if is_test else None,
                                   "incident": incident.name if incident else None, "time": events.now_iso(),
                                   "test": is_test},
                          attach)
        return incident

    def alert_open(self) -> bool:
        """True while an alert window this Responder started is open (any thread): the
        worker does not read the screen meanwhile, and the tray stays on "alert"."""
        with self._lock:
            cur = self._current
            return bool(cur and cur["gui"] and cur["gui"].showing()) or any(
                p.showing() and "agent.respond.gui.alert_window" in p.argv for p in self.processes)

    def prune_evidence(self) -> list[str]:
        """Remove incidents older than ``evidence.retention_days`` (each with an
        ``evidence_expired`` event). The agent calls it once a day, from any thread."""
        return evidence.prune(self.settings.evidence_retention_days)

    def test_alert(self) -> GuiProcess | None:
        """The alert window marked "this is only a test" (tray menu, installer)."""
        return self._gui("agent.respond.gui.alert_window", ["--kind", "test", "--family", "tss", *self._helper_args()])

    def close_windows(self) -> None:
        """End the alert/question processes this Responder started (agent shutdown, tests)."""
        with self._lock:
            procs, self.processes = self.processes, []
        self.silencer.stop_all()
        for p in procs:
            p.close()


def _name_of(pid: int) -> str:
    """``pid``'s program name as the system gives it ("" if unreadable): the one naming
    rule of the package (psutil, else the image path where psutil cannot name it)."""
    return winproc.describe(pid)[0]
