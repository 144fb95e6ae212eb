"""The Downloads trigger: a remote-tool installer newly saved in the user's Downloads
folder (``AnyDesk.exe``, ``TeamViewerQS.exe``, ``rustdesk-1.2.dmg``...).

:class:`DownloadsWatcher` is a thread that checks the folder's modification time every
two seconds (one ``stat``) and lists it only when it changed. Files present at start
are not reported; unfinished downloads (``.crdownload``, ``.part``) wait for their
final name. The folder: ``VIGIE_DOWNLOADS_DIR``, else the platform's Downloads folder.
"""
from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

from agent.log import Once
from agent.watch import allowlist
from agent.watch.trigger import Trigger

log = logging.getLogger(__name__)
POLL_SECONDS = 2.0


def downloads_dir() -> Path | None:
    value = os.environ.get("VIGIE_DOWNLOADS_DIR", "").strip()
    if value:
        return Path(value).expanduser()
    try:
        import platformdirs  # noqa: PLC0415
        return Path(platformdirs.user_downloads_dir())
    except Exception:  # noqa: BLE001
        return None


class DownloadsWatcher(threading.Thread):
    def __init__(self, catalog, settings, put, stop: threading.Event, folder: Path | None = None,
                 poll: float = POLL_SECONDS):
        super().__init__(name="vigie-downloads", daemon=True)
        self.catalog, self.settings, self.put, self.stop_event = catalog, settings, put, stop
        self.folder = folder or downloads_dir()
        self.poll = poll
        self._once = Once(3600)
        self._mtime: float | None = None
        self._seen: set[str] | None = None
        self.ready = threading.Event()

    def check(self) -> list[Trigger]:
        """One look: new installer files since the last look (none on the first)."""
        if self.folder is None:
            return []
        try:
            mtime = self.folder.stat().st_mtime_ns
            if mtime == self._mtime and self._seen is not None:
                return []
            names = set(os.listdir(self.folder))
        except OSError as exc:
            self._once.warning(log, "downloads", "cannot watch %s: %s", self.folder, exc)
            return []
        self._mtime = mtime
        first = self._seen is None
        new = set() if first else names - self._seen
        self._seen = names
        out = []
        for name in sorted(new):
            tool = self.catalog.tool_for_installer(name)
            if tool is None or allowlist.is_allowed(tool, self.settings.remote_tools_allowlist,
                                                    self.settings.remote_tools_allow_hours):
                continue
            out.append(Trigger("installer", tool=tool, process={},
                               details={"file": str(self.folder / name)}))
        return out

    def run(self) -> None:
        while not self.stop_event.is_set():
            for trig in self.check():
                self.put(trig)
            self.ready.set()
            self.stop_event.wait(self.poll)
