"""The strongest alerts: a web page put a command in the clipboard (ClickFix), and the
risky contexts (a remote tool while a bank site is open, the copied command run from the
Run box or a terminal): evidence, the alert window, notification, speech, helper.

Part of :class:`agent.respond.responder.Responder` (a mixin). ``on_clickfix`` and
``on_risky_context`` are called by the worker thread and return quickly.
"""
from __future__ import annotations

import logging
import time
from pathlib import Path

from agent import events
from agent.respond.evidence import store as evidence

log = logging.getLogger("agent.respond.responder")   # the Responder's log lines, as before the split


class RiskyAlerts:
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


def _screen_png() -> bytes | None:
    """The whole screen now, as PNG (the ClickFix page's evidence); None when it cannot be had."""
    try:
        from agent import platform as _platform  # noqa: PLC0415
        image = _platform.get().capture()
        return evidence.png_bytes(image) if image is not None else None
    except Exception as exc:  # noqa: BLE001 - no display, a capture failure: the evidence goes without it
        log.warning("no screenshot for the ClickFix incident: %s", exc)
        return None
