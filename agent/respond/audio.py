"""Silencing a scam page: the browser's own audio streams muted, nothing else.

Linux: PulseAudio (or PipeWire's pulse server) per-stream mute with ``pulsectl``: every
sink input whose ``application.process.id`` is one of the browser's processes. Windows:
the browser processes' audio sessions muted with ``pycaw`` (``ISimpleAudioVolume``).
macOS offers no per-application mute to a normal program: nothing is muted there (the
alert's spoken warning still plays; the README says so).

``MuteKeeper`` (a daemon thread started by the Responder, worker thread) mutes at once,
then every ``EVERY`` seconds mutes any new stream of that browser — a page restarting its
audio — until the page is gone (its window closed or showing another page) or the
browser ended; then it un-mutes what is left of what it muted and — PulseAudio's
``module-stream-restore`` remembers a stream's mute per application and would start the
next one muted — sets the remembered mute of those applications back to what it was
(``restore_remembered``), so a fresh browser after the alert plays sound again. Vigie's own
voice is a different process and is never touched.
"""
from __future__ import annotations

import logging
import sys
import threading

from agent.log import Once
from agent.platform import sound

log = logging.getLogger(__name__)
EVERY = 0.3
_once = Once(600)


RESTORE_ID = sound.RESTORE_ID


def _pulse_streams():
    """(pulse, [(stream id, pid, muted, remembered-as)]) — the lowest call."""
    pulse, streams = sound.pulse_streams("vigie-mute")
    return pulse, [(idx, pid, muted, rid) for idx, pid, muted, _corked, rid in streams]


def _win_sessions():  # pragma: no cover - needs Windows (faked in tests)
    from pycaw.pycaw import AudioUtilities  # noqa: PLC0415
    out = []
    for s in AudioUtilities.GetAllSessions():
        if s.Process is not None:
            out.append((s, s.Process.pid, bool(s.SimpleAudioVolume.GetMute())))
    return out


def set_mute(pids: set[int], mute: bool = True, only: set | None = None, remembered: set | None = None) -> list:
    """Mute (or un-mute) the audio streams of ``pids``; ``only``: restrict to these stream
    ids; ``remembered`` gets the names PulseAudio remembers the changed streams under.
    Returns the stream ids changed. Never raises (no sound server: nothing to mute)."""
    changed = []
    try:
        if sys.platform == "win32":
            for sess, pid, muted in _win_sessions():
                if pid in pids and muted != mute and (only is None or pid in only):
                    sess.SimpleAudioVolume.SetMute(1 if mute else 0, None)
                    changed.append(pid)
            return changed
        if sys.platform == "darwin":
            return []
        pulse, streams = _pulse_streams()
        try:
            for idx, pid, muted, name in streams:
                if pid in pids and muted != mute and (only is None or idx in only):
                    pulse.sink_input_mute(idx, mute)
                    changed.append(idx)
                    if name and remembered is not None:
                        remembered.add(name)
        finally:
            pulse.close()
    except Exception as exc:  # noqa: BLE001 - no PulseAudio, no pulsectl, COM error
        _once.warning(log, "audio", "the page's sound cannot be muted: %s", exc)
    return changed


def restore_remembered(names: set[str]) -> list[str]:
    """PulseAudio's remembered state (``module-stream-restore``) of ``names`` un-muted,
    volume and device kept: the mute Vigie set must not outlive the page. Returns the
    names changed. Linux only; never raises (no server, module not loaded: nothing)."""
    if not names or sys.platform in ("win32", "darwin"):
        return []
    changed = []
    try:
        import pulsectl  # noqa: PLC0415
        with pulsectl.Pulse("vigie-unmute") as pulse:
            for entry in pulse.stream_restore_list():
                if entry.name in names and entry.mute:
                    entry.mute = 0
                    # "replace" overwrites this entry only ("set" would clear them all; "merge" keeps the old
                    # one); not applied now: the other live streams keep their state
                    pulse.stream_restore_write(entry, mode="replace")
                    changed.append(entry.name)
    except Exception as exc:  # noqa: BLE001 - no PulseAudio, no stream-restore module
        _once.warning(log, "restore", "the remembered mute cannot be reset: %s", exc)
    return changed


class MuteKeeper(threading.Thread):
    """Keeps the browser ``root_pid`` muted while ``page_open()`` is true."""

    def __init__(self, root_pid: int, page_open, pids_of):
        super().__init__(name=f"vigie-mute-{root_pid}", daemon=True)
        self.root_pid, self.page_open, self.pids_of = root_pid, page_open, pids_of
        self.muted: set = set()
        self.remembered: set = set()       # PulseAudio's names for them (module-stream-restore)
        self.restored: list = []           # those names set back to un-muted at the end
        self.stop_event = threading.Event()
        self.first = threading.Event()     # set after the first pass (tests, the alert)

    def run(self) -> None:
        try:
            while not self.stop_event.is_set():
                pids = self.pids_of(self.root_pid)
                if not pids or not self.page_open():
                    break
                self.muted.update(set_mute(pids, True, remembered=self.remembered))
                self.first.set()
                self.stop_event.wait(EVERY)
            pids = self.pids_of(self.root_pid)
            if pids and self.muted:
                set_mute(pids, False, only=self.muted)
            self.restored = restore_remembered(self.remembered)
        finally:
            self.first.set()
            close = getattr(self.page_open, "close", None)
            if close:
                close()

    def stop(self) -> None:
        self.stop_event.set()


class Silencer:
    """One ``MuteKeeper`` per browser (the Responder's; worker thread): ``silence`` starts
    one unless that browser's keeper still runs; ``release`` ends one (its page was closed),
    ``stop_all`` ends them (shutdown)."""

    def __init__(self, page_watch, browser_root, browser_pids):
        self.page_watch, self.browser_root, self.browser_pids = page_watch, browser_root, browser_pids
        self._keepers: dict[int, MuteKeeper] = {}
        self._lock = threading.Lock()

    def silence(self, browser_pid: int, wid: int) -> MuteKeeper:
        root = self.browser_root(browser_pid) or browser_pid
        with self._lock:
            keeper = self._keepers.get(root)
            if keeper is None or not keeper.is_alive():
                # until the window is gone: a title change is no proof (a page can retitle itself)
                keeper = MuteKeeper(root, self.page_watch(wid), self.browser_pids)
                self._keepers[root] = keeper
                keeper.start()
            return keeper

    def release(self, browser_pid: int) -> None:
        """The page of ``browser_pid`` was closed (the alert said so): its keeper ends now,
        un-muting and setting back what it changed, though the window may still be open
        (showing another tab)."""
        root = self.browser_root(browser_pid) or browser_pid
        with self._lock:
            keeper = self._keepers.get(root)
        if keeper is not None:
            keeper.stop()

    def busy(self) -> bool:
        """True while a keeper still holds a page muted (or has not set things back yet)."""
        with self._lock:
            return any(k.is_alive() for k in self._keepers.values())

    def stop_all(self) -> None:
        with self._lock:
            keepers, self._keepers = list(self._keepers.values()), {}
        for k in keepers:
            k.stop()
