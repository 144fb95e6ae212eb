"""How the Responder reaches the person and the helper: window processes (alert,
question) whose answers are forwarded to the helper notifier and the incident's timeline,
the desktop notification and the spoken warning (each in a thread of its own), and the
helper notifier itself (a failure there never stops an alert).

Part of :class:`agent.respond.responder.Responder` (a mixin: it uses the Responder's
``settings``, ``notifier``, ``lang``, ``country``, ``processes`` and ``_lock``). Called by
the worker thread through the Responder's ``on_*`` methods; the answers' callbacks run on
each window's reader thread.
"""
from __future__ import annotations

import logging
import sys
import threading

from agent.i18n import t
from agent.respond import desktop_notify, speech
from agent.respond.evidence import store as evidence
from agent.respond.evidence import timeline
from agent.respond.gui.process import GuiProcess

log = logging.getLogger("agent.respond.responder")   # the Responder's log lines, as before the split


class Outlets:
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

    def _helper_args(self) -> list[str]:
        return ["--helper-name", self.settings.helper_name, "--helper-phone", self.settings.helper_phone]
