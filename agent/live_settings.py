"""Live settings: the agent's "settings-watch" thread looks at the settings file every
``SETTINGS_POLL`` s (one stat) and applies a changed file (event ``settings_changed``),
turns the helper outbox's ``health()`` into the ``degraded`` state and keeps the helper
code file; a change of the helper's addresses or of a protective setting, a broken or
deleted file, is told to the helper (``tampered``).

Part of :class:`agent.app.Agent` (a mixin). ``_watch_settings`` runs on "settings-watch";
``apply_settings`` and ``report_tamper`` may be called from any thread.
"""
from __future__ import annotations

import dataclasses
import logging
import os

from agent import events

log = logging.getLogger("agent.app")   # the agent's log lines, as before the split
SETTINGS_POLL = 2.0          # the settings file is looked at (one stat) this often


class LiveSettings:
    def _settings_stamp(self):
        from agent import paths  # noqa: PLC0415
        try:
            st = os.stat(self.settings.source or paths.config_file())
            return st.st_mtime_ns, st.st_size
        except OSError:
            return None

    def _watch_settings(self, stamp) -> None:
        """Every ``SETTINGS_POLL`` s: reload the settings file when it changed since the
        agent was made (``vigie helper add``, ``vigie config``, an editor), and show the
        helper outbox's health, and keep the helper code file (:class:`agent.gate.CodeWatch`)."""
        while not self._stop.wait(SETTINGS_POLL):
            try:
                self._code_watch.check()
                now = self._settings_stamp()
                if now != stamp:
                    stamp = now
                    from pathlib import Path  # noqa: PLC0415
                    from agent import config  # noqa: PLC0415
                    from agent import settings_guard  # noqa: PLC0415
                    src = self.settings.source
                    loaded = config.load(Path(src) if src else None)
                    if settings_guard.unusable(*loaded) and not self._stop.wait(1.0):   # an editor still writing?
                        stamp = self._settings_stamp()
                        loaded = config.load(Path(src) if src else None)
                    self.apply_settings(*loaded)
                health = self.notifier.health() if self.notifier is not None else None
                if health:
                    self.degrade("helper_outbox", health)
                else:
                    self.recover("helper_outbox")
            except Exception as exc:  # noqa: BLE001 - never lose the watch
                log.error("settings watch: %s", exc)

    def apply_settings(self, settings, problems=()) -> None:
        """Use new settings from now on: the helper's channels and names at once. A change
        of the helper addresses or of a protective setting, a broken or deleted file, is
        told to the helper (old and new addresses). Any thread."""
        from agent import settings_guard  # noqa: PLC0415
        old = self.settings
        settings, broken = settings_guard.checked(settings, problems, old)
        self._use(settings)
        with self._lock:
            for key in [k for k in self._degraded if k.startswith("config:")]:
                del self._degraded[key]
            for p in problems:
                self._degraded[f"config:{p}"] = (str(p), None)
        changed = sorted(f.name for f in dataclasses.fields(settings) if f.name != "source"
                         and getattr(settings, f.name) != getattr(old, f.name))
        log.info("settings reloaded from %s; changed: %s", settings.source, ", ".join(changed) or "nothing")
        events.append("settings_changed", changed=changed, problems=[str(p) for p in problems])
        for what, channels, details in settings_guard.changes(old, settings, changed, broken):
            self.report_tamper(what, channels=channels, **details)
        self._refresh()

    def _use(self, settings) -> None:
        self.settings = settings
        if self.notifier is not None and hasattr(self.notifier, "use_settings"):
            self.notifier.use_settings(settings)
        if self.responder is not None:
            self.responder.settings = settings

    def report_tamper(self, what: str, channels=None, **details) -> None:
        """Something that keeps the protection going was changed (``what``: see
        ``agent/tamper.py``, ``settings_*``, ``helper_changed``, ``protection_changed``,
        ``lock_squatted``): the ``tampered`` event, then the helper's urgent message
        (to ``channels`` when the old addresses must hear too; with every address removed,
        to the last good ones). Any thread."""
        from agent import settings_guard  # noqa: PLC0415
        log.warning("tampered: %s %s", what, details)
        events.append("tampered", what=what, **details)
        if self.notifier is not None:
            self.notifier.notify("tampered", {"what": what, **details},
                                 channels=channels or settings_guard.channels(self.settings))
