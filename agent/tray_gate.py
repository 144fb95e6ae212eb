"""The tray's Pause and Quit, through the helper code (see :mod:`agent.gate`).

A mixin of :class:`agent.tray.Tray` (it has ``agent``, ``lang``, ``icon``, ``_stop``,
``_asking``, ``_info`` and ``_tell_helper``). Where a code is set the code window is shown in a
thread of its own (pystray's thread stays free); without the code a pause is short and ends
by itself, and Quit is refused. Where no code is set: an hour's pause and Quit as before,
the menu's Quit (Windows, macOS) asking "Quit Vigie?" first. The helper hears of each at once.
Called on pystray's thread or the status window's reader thread.
"""
from __future__ import annotations

import logging
import threading

from agent import gate

log = logging.getLogger(__name__)
PAUSE_SECONDS = 3600


class GatedActions:
    def _do_pause(self) -> None:
        """Pause: with the helper code for an hour; without it (or "Pause for 5 minutes only")
        a short pause that ends by itself. Where no code is set: an hour, as before, and the
        helper is told at once."""
        how = gate.mode(self.agent.settings)
        if how != "code":
            self._pause(PAUSE_SECONDS, "no_code" if how == "no_code" else "none")
            return
        self._gated("pause", self._pause_answer, choices="short", seconds=gate.short_pause_seconds())

    def _pause_answer(self, result: str) -> None:
        if result == "ok":
            self._pause(PAUSE_SECONDS, "ok")
        elif result == "short":
            seconds = gate.short_pause_seconds()
            self._pause(seconds, "short")
            self._info("gate.paused_short", duration=gate.duration_words(seconds, self.lang))
        else:
            gate.report("pause", "refused", self.agent.settings, self._notifier(), source="tray")
            self._info("gate.kept_on")

    def _pause(self, seconds: float, result: str) -> None:
        self.agent.pause(seconds)
        minutes = max(1, round(seconds / 60))
        gate.report("pause", result, self.agent.settings, self._notifier(), source="tray", seconds=seconds)
        self._tell_helper("paused", minutes=minutes, source="tray")

    def _notifier(self):
        return getattr(self.agent, "notifier", None)

    def _gated(self, action: str, then, **window) -> None:
        """Ask the helper code in its window (a thread of its own: the tray stays alive),
        then call ``then(result)``. A second ask while one is open is ignored."""
        if not self._asking.acquire(blocking=False):
            return

        def run() -> None:
            try:
                then(gate.ask_window(action, self.agent.settings, self._notifier(), **window))
            except Exception as exc:  # noqa: BLE001 - protection stays on
                log.error("helper code for %s failed: %s", action, exc)
            finally:
                self._asking.release()
        threading.Thread(target=run, name=f"vigie-code-{action}", daemon=True).start()

    def _do_quit(self) -> None:
        """Quit from the status window (it asked "Quit anyway?" already): the helper code
        when one is set; without it Vigie keeps protecting."""
        if gate.mode(self.agent.settings) == "code":
            self._gated("quit", self._quit_answer)
            return
        self._quit("no_code" if gate.mode(self.agent.settings) == "no_code" else "none")

    def _do_quit_menu(self) -> None:
        """Quit from a tray menu (Windows, macOS): asks first, even where no code is set."""
        if gate.mode(self.agent.settings) == "code":
            self._gated("quit", self._quit_answer)
            return
        how = "no_code" if gate.mode(self.agent.settings) == "no_code" else "none"
        self._gated("quit", lambda r: self._quit(how) if r in ("ok", "no_window") else None, choices="confirm")

    def _quit_answer(self, result: str) -> None:
        if result == "ok":
            self._quit("ok")
        else:
            gate.report("quit", "refused", self.agent.settings, self._notifier(), source="tray")
            self._info("gate.kept_on")

    def _quit(self, result: str) -> None:
        gate.report("quit", result, self.agent.settings, self._notifier(), source="tray")
        self._tell_helper("quit", source="tray")
        self._stop.set()
        if self.icon is not None:
            self.icon.stop()

