"""The Responder: what Vigie does once the worker has decided something is wrong.

``on_scam`` starts the alert window as its own process, saves the evidence (atomically)
while that process starts and sends it the incident folder, then starts the desktop
notification and the spoken warning in parallel, mutes the page until it is gone
(``audio.MuteKeeper``) and tells the helper notifier; ``on_remote_tool`` asks "did
someone on the phone ask you to install this?" (pausing the tool first in ``suspend`` mode); ``on_risky_context`` shows the
strongest alert. All three are called by the worker thread and return quickly: GUI
windows run in their own processes, read by small daemon threads that forward what the
person clicked (``{"event": "action"}`` lines) to the notifier.
"""
from __future__ import annotations

import logging
import sys
import threading
import time
from pathlib import Path

from agent import events, gate
from agent.i18n import t
from agent.platform import winproc
from agent.respond import audio, contain, desktop_notify, guidance, speech, takeback
from agent.respond.aftercare.session import Aftercare
from agent.respond.evidence import store as evidence
from agent.respond.evidence import timeline
from agent.respond.gui.process import GuiProcess

log = logging.getLogger(__name__)
REPEAT_SECONDS = 120.0     # the same scam window/family back within this time: alerted again at
                           # once, but the helper is not told again (no new evidence either)
AGAIN_SECONDS = 1.0        # after "I'm safe", a page still open this long after is named once more
REOPEN_LIMIT = (5, 60.0)   # an alert window that dies is reopened at most 5 times a minute
VISIT_SECONDS = 1800.0     # the same page back within this time is a return of one visit, not a new incident


class Responder:
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

    # ---- helpers -------------------------------------------------------------------
    def _bg(self, fn, *args, name: str = "respond") -> None:
        threading.Thread(target=fn, args=args, name=name, daemon=True).start()

    def _tell_helper(self, kind: str, data: dict, attachments: list | None = None) -> None:
        if self.notifier is None:
            return
        try:
            self.notifier.notify(kind, data, attachments=attachments or [])
        except Exception:  # noqa: BLE001 - the helper channel must never stop the alert
            log.exception("helper notifier failed for %s", kind)

    def _alert_closed(self, incident: str | None) -> None:
        """The alert window ended: the helper's follow-up (the person's choices) can go."""
        closed = getattr(self.notifier, "incident_closed", None)
        if closed is not None:
            try:
                closed(incident)
            except Exception:  # noqa: BLE001
                log.exception("helper notifier failed when the alert closed")

    def _warn(self, body_key: str, speech_keys: tuple[str, ...] = (), test: bool = False, **values) -> None:
        """Desktop notification and spoken warning, each in its own thread; a ``test``
        alert's notification says it is a test."""
        lang = self.lang
        title, body = ("alert.notify_title_test", "alert.notify_test") if test else ("alert.notify_title", f"alert.{body_key}")
        self._bg(desktop_notify.notify, t(title, lang), t(body, lang, **values), name="notify")
        if self.settings.speak and speech_keys:
            keys = ("speech_intro", *speech_keys, "speech_end")
            parts = [t(f"alert.{k}", lang, **values).strip() for k in keys]
            text = " ".join(p if p[-1:] in ".!?" else p + "." for p in parts if p)
            self._bg(speech.speak, text, lang, name="speech")

    def _gui(self, module: str, args: list[str], on_action=None, on_exit=None,
             stdin: bool = False, thread=None, facts: dict | None = None) -> GuiProcess | None:
        """Start a window process; ``thread`` (a name, or a callable giving it) files the
        person's answers under the right conversation and incident; ``facts`` are added to
        each answer the helper hears about (the tool's name)."""
        argv = [sys.executable, "-m", module, "--lang", self.lang, "--country", self.country or "auto", *args]
        try:
            proc = GuiProcess(argv, on_action=self._forward(on_action, thread, facts), on_exit=on_exit, stdin=stdin)
        except OSError as exc:
            log.error("cannot start %s: %s; the notification still warns", module, exc)
            return None
        with self._lock:
            self.processes = [p for p in self.processes if p.running()] + [proc]
        return proc

    def _forward(self, extra, thread=None, facts=None):
        def on_action(line: dict) -> None:
            data = {**(facts or {}), **{k: v for k, v in line.items() if k != "event"}}
            key = thread() if callable(thread) else thread
            if key:
                data["thread"] = data.get("incident") or key
            self._tell_helper("alert_action", data)
            folder = data.get("incident") or key
            if folder and (evidence.paths.evidence_dir() / str(folder)).is_dir():
                timeline.add(folder, {"what": "pressed", **{k: v for k, v in data.items()
                                                            if k not in ("incident", "thread")}})
            if extra:
                extra(line)
        return on_action

    def _visit_of(self, page: tuple | None) -> Path | None:
        """The incident of this page's current visit (seen within ``VISIT_SECONDS``), or None."""
        if page is None:
            return None
        with self._lock:
            visit = self._visits.get(page)
            if visit and visit["incident"] and time.monotonic() - visit["at"] < VISIT_SECONDS:
                return visit["incident"]
        return None

    def _page_back(self, incident: Path, image, title: str | None, url: str | None, **extra) -> None:
        """The same page came back: its screenshot and time go into the same incident, and
        the helper's conversation of that incident hears it (no new alert message)."""
        n = timeline.returns(incident) + 1
        files = {}
        if image is not None:
            try:
                files[f"return-{n}.png"] = evidence.png_bytes(image)
            except (OSError, ValueError, AttributeError) as exc:
                log.error("the screenshot of the page's return could not be encoded: %s", exc)
        timeline.add(incident, {"what": "page_back", "count": n, "screenshot": next(iter(files), None),
                                "title": title, "url": url, **extra}, files)
        self._tell_helper("page_back", {"incident": incident.name, "time": events.now_iso(), "title": title,
                                        "url": url, **extra})

    def _helper_args(self) -> list[str]:
        return ["--helper-name", self.settings.helper_name, "--helper-phone", self.settings.helper_phone]

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

    def _died(self, gui: GuiProcess) -> bool:
        """True when the alert window's process ended without a choice: killed (kill -9,
        a task manager), crashed, or its X connection cut (xkill). The ``alert_window_died``
        event is written then. Any thread (the window's reader thread)."""
        rc = gui.proc.returncode
        if rc in (0, 2, None) or getattr(gui, "closing", False):
            return False         # closed by a choice, no display at all, or ended by Vigie itself
        events.append("alert_window_died", pid=gui.proc.pid, returncode=rc,
                      actions=[a.get("action") for a in gui.actions])
        log.error("the alert window (process %s) ended with code %s without a choice", gui.proc.pid, rc)
        return True

    def _reopen(self, verdict, image, window, key, incident, trigger, follow_up) -> bool:
        """The alert window died: reopen it while the scam's page is still there (bounded:
        REOPEN_LIMIT). True if reopened."""
        watch = takeback.PageWatch(getattr(window, "id", 0), getattr(window, "title", ""))
        try:
            still = watch()
        finally:
            watch.close()
        now = time.monotonic()
        with self._lock:
            times = [t for t in self._reopened.get(key, []) if now - t < REOPEN_LIMIT[1]]
            if not still or len(times) >= REOPEN_LIMIT[0]:
                return False
            self._reopened[key] = [*times, now]
            if self._current and self._current["key"] == key:
                self._current = None
        events.append("alert_reopened", title=getattr(window, "title", None), pid=getattr(window, "pid", None),
                      incident=incident.name if incident else None)
        self.on_scam(verdict, image, window, "again" if trigger == "again" else "reopen", incident, follow_up)
        return True

    def _say_again(self, verdict, image, window, key) -> None:
        """"I'm safe" with the same page still open (any state): say it once more, calmly."""
        time.sleep(AGAIN_SECONDS)
        watch = takeback.PageWatch(getattr(window, "id", 0), getattr(window, "title", ""))
        try:
            still = bool(getattr(window, "id", 0)) and watch()
        finally:
            watch.close()
        with self._lock:
            if not still or key in self._again_done:
                return
            self._again_done.add(key)
            cur, self._current = self._current, None
        incident = cur["incident"] if cur and cur["key"] == key else None
        events.append("alert_again", title=getattr(window, "title", None), pid=getattr(window, "pid", None))
        if incident is not None:        # "I'm safe" while the page was still open: a risk for the helper
            self._page_back(incident, None, getattr(window, "title", None), getattr(window, "url", None),
                            open_after_safe=True)
        self.on_scam(verdict, image, window, "again", incident)

    # ---- remote-control tools --------------------------------------------------------
    def recent_alert(self) -> bool:
        minutes = self.settings.remote_tools_containment_minutes
        return self.last_alert is not None and time.monotonic() - self.last_alert < minutes * 60

    def on_remote_tool(self, tool: dict, process: dict, context: dict) -> str:
        """Ask the person about a remote tool that started. Returns the decision taken:
        ``bank_alert``, ``allowed_session``, ``allowlisted``, ``asked``, ``asked_suspended``, or
        ``told_helper`` for a tool already running when Vigie started (``context["trigger"] ==
        "running_at_start"``): nobody just launched it, so only the helper hears about it."""
        tool_id = str(tool.get("id") or tool.get("name") or process.get("name") or "?")
        name = str(tool.get("name") or tool_id)
        pid = int(process.get("pid") or 0)
        after_alert = bool(context.get("after_alert")) or self.recent_alert()
        allowlisted = bool(context.get("allowlisted"))
        if context.get("bank_site"):
            decision = "bank_alert"
        elif context.get("trigger") == "running_at_start":
            decision = "told_helper"
        elif tool_id in self.allowed_tools:
            decision = "allowed_session"
        elif allowlisted and not after_alert:
            decision = "allowlisted"
        else:
            decision = "asked"
        with self._lock:
            open_question = pid in self._questions and self._questions[pid].running()
        if decision == "asked" and open_question:
            return "already_asked"
        suspended = False
        if decision == "asked" and self.settings.remote_tools_mode == "suspend" and pid:
            suspended = bool(contain.suspend_tree(pid))
            decision = "asked_suspended" if suspended else decision
        events.append("remote_tool", tool=tool_id, name=name, pid=pid or None, exe=process.get("exe"),
                      after_alert=after_alert, allowlisted=allowlisted, bank_site=bool(context.get("bank_site")),
                      decision=decision)
        if decision in ("asked", "asked_suspended", "bank_alert", "told_helper"):
            self.aftercare.begin(tool, process)     # the snapshot the aftercare report compares with
        if decision == "bank_alert":
            self.on_risky_context("remote_tool_bank", {"tool": tool_id, "name": name, "pid": pid})
            return decision
        if decision == "told_helper":
            self._tell_helper("remote_tool", {"tool": tool_id, "name": name, "pid": pid, "exe": process.get("exe"),
                                              "at_start": True})
        if decision not in ("asked", "asked_suspended"):
            return decision
        args = ["--tool-id", tool_id, "--tool-name", name, "--pid", str(pid), "--helper-name",
                self.settings.helper_name]
        if suspended:
            args.append("--suspended")

        def on_answer(line: dict) -> None:
            if line.get("action") == "allow_tool":
                self.allowed_tools.add(tool_id)
            gate.question_answered(line, self.settings, self.notifier, name, thread=f"tool-{tool_id}-{pid}")

        def on_exit(gui: GuiProcess) -> None:
            self._alert_closed(f"tool-{tool_id}-{pid}")     # the answer's follow-up can go
            answered = any(a.get("action") != "close_attempt" for a in gui.actions)
            if gate.mode(self.settings) == "code" and not answered and contain.alive(pid):
                contain.terminate_tree(pid)        # no answer, no code: the tool is not allowed
                gate.report("allow_tool", "refused", self.settings, self.notifier, source="question", tool=name,
                            reason="question closed without an answer", thread=f"tool-{tool_id}-{pid}")
            elif suspended and not answered and contain.alive(pid):
                log.error("the question about %s closed without an answer; %s is resumed", name, pid)
                contain.resume_tree(pid)
                events.append("remote_tool_resumed", tool=tool_id, pid=pid, reason="no answer")

        thread = f"tool-{tool_id}-{pid}"
        gui = self._gui("agent.respond.gui.question_window", args, on_answer, on_exit, thread=thread,
                        facts={"tool_name": name})
        if gui is None and suspended:
            contain.resume_tree(pid)
        elif gui is not None:
            with self._lock:
                self._questions[pid] = gui
        self._warn("notify_tool", ("question_title", "question_body"), tool=name)
        self._tell_helper("remote_tool", {"tool": tool_id, "name": name, "pid": pid, "after_alert": after_alert,
                                          "after_alert_at": self.last_alert_iso if after_alert else None,
                                          "allowlisted": allowlisted, "suspended": suspended, "thread": thread,
                                          "time": events.now_iso()})
        return decision

    def on_remote_session_ended(self, tool: dict, process: dict, context: dict) -> None:
        """Every process of a reported remote tool is gone: the aftercare report (what was
        installed or set to start during the session, who connected) is written and the
        helper told, on the aftercare thread. Worker thread; returns at once."""
        running = [str(t.get("name") or t.get("id")) for t in context.get("running_tools") or ()]
        self.aftercare.end(tool, running)

    # ---- a web page put a command in the clipboard (ClickFix) ---------------------------
    def on_clickfix(self, command: str, details: dict, repeat: bool = False) -> Path | None:
        """Evidence (the command, who copied it), the alert "a web page asked you to paste a
        command: never paste it; close the page", notification, speech, helper. Worker
        thread; quick. ``repeat``: the Run box or a terminal came to the front since: the
        alert comes back above it (no new evidence, the helper is not told twice)."""
        details = dict(details or {})
        family = "clickfix_run" if repeat else "clickfix"
        incident = None
        if not repeat:
            files = {"command.txt": (command or "").encode("utf-8"), "details.json": evidence._json(details)}
            shot = _screen_png()
            if shot:
                files["screenshot.png"] = shot      # the page that asked for the paste, as evidence
            try:
                incident = evidence.save_files("clickfix", files, {"kind": "clickfix"})
            except evidence.EvidenceError as exc:
                log.error("%s; the alert is shown anyway", exc)
        events.append("alert_shown", kind=family, incident=incident.name if incident else None,
                      title=details.get("title"), process=details.get("process"), pid=details.get("pid"))
        with self._lock:
            cur = self._current
        if cur and cur.get("clickfix") and cur["gui"] and cur["gui"].running():
            cur["gui"].close()          # shown again, above the Run box or the terminal
            incident = incident or cur["incident"]
        args = ["--kind", "clickfix", "--family", family, "--browser-pid", str(int(details.get("browser_pid") or 0)),
                *self._helper_args()]
        if details.get("replaced") or repeat:
            args += ["--status-key", "clipboard_note"]
        if incident:
            args += ["--incident", str(incident)]
        thread = incident.name if incident else f"clickfix-{int(time.time())}"
        gui = self._gui("agent.respond.gui.alert_window", args, on_exit=lambda _g: self._alert_closed(thread),
                        thread=thread)
        self._warn("notify_clickfix", ("title_clickfix", "first_clickfix"))
        with self._lock:
            self._current = {"key": ("clickfix",), "incident": incident, "gui": gui, "at": time.monotonic(),
                             "clickfix": True}
            self.last_alert = time.monotonic()
            self.last_alert_iso = events.now_iso()
        if not repeat:
            self._tell_helper("risky_context", {"kind": "clickfix", "title": details.get("title"),
                                                "browser": details.get("browser"), "command": (command or "")[:300],
                                                "url": details.get("url"), "time": events.now_iso(),
                                                "incident": incident.name if incident else None, "thread": thread})
        return incident

    # ---- strongest alert ---------------------------------------------------------------
    def on_risky_context(self, kind: str, details: dict) -> Path | None:
        """A remote tool while a bank site is open, the command a web page copied run from
        the Run box or a terminal (``clickfix_paste``)...: the strongest alert."""
        details = dict(details or {})
        incident = None
        try:
            incident = evidence.save_files("risky", {"details.json": evidence._json({"kind": kind, **details})},
                                           {"kind": kind})
        except evidence.EvidenceError as exc:
            log.error("%s; the alert is shown anyway", exc)
        events.append("risky_context", kind=kind, incident=incident.name if incident else None, **details)
        alert, warn = ("risky", "risky") if kind != "clickfix_paste" else ("clickfix", "clickfix_paste")
        args = ["--kind", alert, "--family", warn, "--tool-pid", str(int(details.get("pid") or 0)),
                "--tool-name", str(details.get("name") or details.get("tool") or ""), *self._helper_args()]
        if incident:
            args += ["--incident", str(incident)]
        thread = incident.name if incident else f"risky-{int(time.time())}"
        self._gui("agent.respond.gui.alert_window", args, on_exit=lambda _g: self._alert_closed(thread), thread=thread)
        self._warn(f"notify_{warn}", (f"title_{warn}", f"first_{warn}"))
        self._tell_helper("risky_context", {"kind": kind, **details, "time": events.now_iso(),
                                            "incident": incident.name if incident else None, "thread": thread})
        return incident

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


def _screen_png() -> bytes | None:
    """The whole screen now, as PNG (the ClickFix page's evidence); None when it cannot be had."""
    try:
        from agent import platform as _platform  # noqa: PLC0415
        image = _platform.get().capture()
        return evidence.png_bytes(image) if image is not None else None
    except Exception as exc:  # noqa: BLE001 - no display, a capture failure: the evidence goes without it
        log.warning("no screenshot for the ClickFix incident: %s", exc)
        return None


def _name_of(pid: int) -> str:
    """``pid``'s program name as the system gives it ("" if unreadable): the one naming
    rule of the package (psutil, else the image path where psutil cannot name it)."""
    return winproc.describe(pid)[0]
