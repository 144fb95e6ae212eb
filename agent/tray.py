"""The tray icon: shows at a glance that Vigie protects, and offers the few actions.

The only module that imports pystray. ``run(agent)`` is called on the main thread by
``vigie run``: it returns False at once when there is no tray (no pystray backend, no
tray host on X11) so the caller protects headless; otherwise it blocks until Quit.

Icon states come from ``assets/icons/<state>.png``; the tooltip says the state in
words. A thread reads ``agent.state_changes`` and updates the icon. Menu actions run
on pystray's thread and only call quick ``Agent`` methods or start processes. Where
the tray has no menu (pystray's X11 backend) a click opens the status window
(``agent.status_window``, its own Tk process) with the same actions; it sends them
back as JSON lines on its stdout (see :mod:`agent.status_window`).
"""
from __future__ import annotations

import logging
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

from agent import paths
from agent.i18n import t
from agent.tray_gate import GatedActions

log = logging.getLogger(__name__)
STATES = ("protecting", "paused", "alert", "degraded")
ACTIONS = ("window", "show_last", "pause", "resume", "open_evidence", "test_alert", "help", "quit", "quit_menu")


def icon_path(state: str) -> Path:
    return paths.assets_dir() / "icons" / f"{state if state in STATES else 'degraded'}.png"


def icon_image(state: str):
    """The PIL image for ``state``; a plain coloured square if the file is missing."""
    from PIL import Image  # noqa: PLC0415
    try:
        with Image.open(icon_path(state)) as img:
            return img.convert("RGBA")
    except OSError as exc:
        log.error("tray icon %s is unreadable (%s); drawing a plain one", icon_path(state), exc)
        colours = {"protecting": "#2e9d4a", "paused": "#808080", "alert": "#d32f2f"}
        return Image.new("RGBA", (64, 64), colours.get(state, "#f08c00"))


def tooltip(state: str, lang: str) -> str:
    return t(f"tray.tip_{state if state in STATES else 'degraded'}", lang)


def tray_host_available(platform: str = sys.platform) -> bool:
    """Is there somewhere to put an icon? On X11: does anyone own ``_NET_SYSTEM_TRAY_S<n>``?

    Windows and macOS always have one. Any thread; never raises.
    """
    if not platform.startswith("linux"):
        return True
    if os.environ.get("PYSTRAY_BACKEND") == "appindicator":
        return True  # a StatusNotifier host on D-Bus; pystray reports it itself
    if not os.environ.get("DISPLAY"):
        return False
    try:
        from Xlib import X, display as xdisplay  # noqa: PLC0415
        d = xdisplay.Display()
        try:
            atom = d.intern_atom(f"_NET_SYSTEM_TRAY_S{d.get_default_screen()}")
            owner = d.get_selection_owner(atom)
            return owner != X.NONE and getattr(owner, "id", owner) != 0
        finally:
            d.close()
    except Exception as exc:  # noqa: BLE001 - no X server, bad auth, broken Xlib
        log.info("cannot ask X11 for a tray host: %s", exc)
        return False


def open_folder(folder: Path) -> bool:
    """Show ``folder`` in the file manager; False if none could be started."""
    try:
        paths.ensure_dir(folder)
        if sys.platform == "win32":  # pragma: no cover - Windows only
            os.startfile(str(folder))  # noqa: S606
            return True
        cmd = ["open" if sys.platform == "darwin" else "xdg-open", str(folder)]
        subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        return True
    except OSError as exc:
        log.warning("cannot open the folder %s: %s", folder, exc)
        return False


def enable_clicks(icon) -> None:
    """pystray 0.19's X11 backend never selects button presses on its window, so a click
    does nothing (pystray issue #151): ask X for them. No-op on other backends."""
    window, xdisplay = getattr(icon, "_window", None), getattr(icon, "_display", None)
    if window is None or xdisplay is None or not type(icon).__module__.endswith("_xorg"):
        return
    try:
        from Xlib import X  # noqa: PLC0415
        window.change_attributes(event_mask=X.ExposureMask | X.StructureNotifyMask | X.ButtonPressMask)
        xdisplay.flush()
    except Exception as exc:  # noqa: BLE001 - the icon still shows the state
        log.warning("the tray icon will not react to clicks: %s", exc)


def keep_docked(icon) -> None:
    """pystray 0.19's X11 backend asks the tray host to dock the icon again on every
    picture change; some hosts then re-embed it at a 1-3 px size (seen on the alert
    state). Once docked, a new picture is only drawn. No-op on other backends."""
    if not type(icon).__module__.endswith("_xorg") or not hasattr(icon, "_assert_docked"):
        return
    dock = icon._assert_docked

    def assert_docked():
        if getattr(icon, "_systray_manager", None) is None:
            dock()
    icon._assert_docked = assert_docked


def alert_command(incident, settings, lang: str) -> list[str] | None:
    """The ``agent.respond.gui.alert_window`` command that shows ``incident`` again; pure.

    ``incident`` is ``Agent.last_incident()``: an event dict (``type``, ``family``,
    ``incident`` folder, ``name`` of a remote tool), a folder Path, or None (→ None).
    """
    if not incident:
        return None
    event = incident if isinstance(incident, dict) else {"type": "scam_screen", "incident": str(incident)}
    cmd = [sys.executable, "-m", "agent.respond.gui.alert_window", "--lang", lang, "--country", settings.country,
           "--helper-name", settings.helper_name, "--helper-phone", settings.helper_phone]
    kind = event.get("type")
    if kind in ("test_alert", "test_alert_shown"):
        cmd += ["--kind", "test", "--family", "tss"]
    elif kind in ("remote_tool", "risky_context"):
        cmd += ["--kind", "risky", "--tool-name", str(event.get("name") or event.get("tool") or "")]
    else:
        cmd += ["--kind", "scam", "--family", str(event.get("family") or "tss")]
    folder = event.get("incident")
    if folder:
        folder = Path(folder)
        if not folder.is_absolute():  # events name the folder; it lives in the evidence folder
            folder = paths.evidence_dir() / folder
        cmd += ["--incident", str(folder)]
    return cmd


class Tray(GatedActions):
    """Ties the agent to a pystray icon and to the status window. Main thread builds it.
    Pause and Quit go through the helper code (:class:`agent.tray_gate.GatedActions`)."""

    def __init__(self, agent, pystray_module=None):
        self.agent = agent
        self.lang = agent.settings.lang()
        self.icon = None
        self.window = None  # a StatusWindow, started on demand
        self._pystray = pystray_module
        self._stop = threading.Event()
        self._draw_lock = threading.Lock()
        self._asking = threading.Lock()     # one helper code window at a time
        self.state = agent.state

    # -- what the icon shows -------------------------------------------------------
    def status(self) -> dict:
        """What the status window shows: state, words, problems, helper."""
        problems = []
        try:
            problems = list(self.agent.problems_now()) if hasattr(self.agent, "problems_now") else \
                [str(p) for p in self.agent.problems]
        except Exception as exc:  # noqa: BLE001 - a stand-in agent without them
            log.debug("no problems list: %s", exc)
        s = self.agent.settings
        return {"state": self.state, "text": tooltip(self.state, self.lang), "problems": problems[:6],
                "helper": s.helper_name, "phone": s.helper_phone}

    def _draw(self, icon) -> None:
        """Show the current state on ``icon`` (picture and tooltip). Serialised: the state
        watcher and the after-docking refresh both draw, and an older state must never
        be drawn over a newer one."""
        with self._draw_lock:
            state = self.state
            icon.icon = icon_image(state)
            icon.title = tooltip(state, self.lang)

    def set_state(self, state: str) -> None:
        """Called by the watcher thread when the agent's state changes."""
        with self._draw_lock:
            self.state = state
        if self.icon is not None:
            self._draw(self.icon)
            if getattr(self.icon, "HAS_MENU", False):
                self.icon.update_menu()
        if self.window is not None:
            self.window.send(self.status())
        log.info("tray state: %s", state)

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                state = self.agent.state_changes.get(timeout=0.5)
            except queue.Empty:
                continue
            try:
                self.set_state(state)
            except Exception as exc:  # noqa: BLE001 - never lose the watcher
                log.error("tray could not show the state %s: %s", state, exc)

    # -- actions (pystray's thread or the status window's reader thread) ------------
    def do(self, action: str) -> None:
        """Run one action by name (see ``ACTIONS``); never raises."""
        try:
            getattr(self, "_do_" + action)()
        except Exception as exc:  # noqa: BLE001 - an action must not kill the tray
            log.error("tray action %s failed: %s", action, exc)

    def _tell_helper(self, kind: str, **data) -> None:
        notifier = getattr(self.agent, "notifier", None)
        if notifier is not None:
            notifier.notify(kind, data)

    def _info(self, key: str, **values) -> None:
        self._window().send({**self.status(), "info": t(key, self.lang, **values)})

    def _window(self):
        from agent.status_window import StatusWindow  # noqa: PLC0415 - no Tk in this process
        if self.window is None or not self.window.alive():
            self.window = StatusWindow(self.lang, self.do)
            self.window.start()
        return self.window

    def _do_window(self) -> None:
        self._window().send({**self.status(), "raise": True})

    def _do_help(self) -> None:
        self._window().send({**self.status(), "help": True, "raise": True})

    def _do_resume(self) -> None:
        self.agent.resume()
        self._tell_helper("resumed", source="tray")

    def _do_open_evidence(self) -> None:
        if not open_folder(paths.evidence_dir()):
            self._info("tray.no_file_manager")

    def _do_test_alert(self) -> None:
        self.agent.test_alert()

    def _do_show_last(self) -> None:
        """Show the last alert again (scam, remote tool or test), in its own process."""
        cmd = alert_command(self.agent.last_incident(), self.agent.settings, self.lang)
        if cmd is None:
            self._info("tray.no_alert_yet")
            return
        try:
            subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stdin=subprocess.DEVNULL)
        except OSError as exc:
            log.warning("cannot show the last alert (%s); opening the evidence folder", exc)
            open_folder(paths.evidence_dir())

    # -- pystray -------------------------------------------------------------------
    def menu(self):
        ps = self._pystray
        item, paused = ps.MenuItem, (lambda _i: self.state == "paused")
        act = lambda name: (lambda _icon, _item: self.do(name))  # noqa: E731
        return ps.Menu(
            item(lambda _i: tooltip(self.state, self.lang), act("window"), default=True),
            ps.Menu.SEPARATOR,
            item(t("tray.menu_show_last", self.lang), act("show_last")),
            item(t("tray.menu_pause", self.lang), act("pause"), visible=lambda i: not paused(i)),
            item(t("tray.menu_resume", self.lang), act("resume"), visible=paused),
            item(t("tray.menu_open_evidence", self.lang), act("open_evidence")),
            item(t("tray.menu_test_alert", self.lang), act("test_alert")),
            item(t("tray.menu_help", self.lang), act("help")),
            ps.Menu.SEPARATOR,
            item(t("tray.menu_quit", self.lang), act("quit_menu")))

    def _setup(self, icon) -> None:
        """pystray's setup hook (its own thread): show the icon, then draw the current state
        again once the tray host has docked it. A state set before docking (degraded at
        start-up, from a broken config) was otherwise lost and the old picture stayed."""
        icon.visible = True

        def refresh() -> None:
            for delay in (1.0, 3.0):
                if self._stop.wait(delay):
                    return
                try:
                    self._draw(icon)
                except Exception as exc:  # noqa: BLE001 - the icon may be gone at quit
                    log.debug("tray refresh failed: %s", exc)
        threading.Thread(target=refresh, name="vigie-tray-refresh", daemon=True).start()

    def run(self) -> None:
        ps = self._pystray
        self.icon = ps.Icon("vigie", icon_image(self.state), tooltip(self.state, self.lang), menu=self.menu())
        enable_clicks(self.icon)
        keep_docked(self.icon)
        watcher = threading.Thread(target=self._watch, name="vigie-tray-state", daemon=True)
        watcher.start()
        try:
            self.icon.run(setup=self._setup)
        finally:
            self._stop.set()
            if self.window is not None:
                self.window.close()


def run(agent) -> bool:
    """Show the icon and block until Quit (True); False at once when there is no tray."""
    if not tray_host_available():
        log.warning("no tray host in this session (no system tray on the desktop); Vigie protects without an icon")
        return False
    try:
        import pystray  # noqa: PLC0415
    except Exception as exc:  # noqa: BLE001 - ImportError, or Xlib failing to connect
        log.warning("no tray icon library (%s); Vigie protects without an icon", exc)
        return False
    started = time.monotonic()
    Tray(agent, pystray).run()
    log.info("tray closed after %.0f s", time.monotonic() - started)
    return True
