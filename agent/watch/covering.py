"""A program in front that is not a browser but covers its screen: a locker written as a
desktop program (a Tk or terminal window titled "Windows Defender", an HTA run by
``mshta.exe`` where it is not listed as a browser, a page wrapped in an app). It is read as a page is, but the
cost stays bounded: only a window that covers its monitor, once per window and title,
and at once only when its title is alarming ("title" trigger); otherwise a "maximized"
trigger, which the worker reads only when one capture shows a locked-alert look (one
strong colour: :func:`agent.watch.look.looks_locked`). Vigie's own windows are never read.
Pure apart from its memory; the screen watcher's thread.
"""
from __future__ import annotations

import os

from agent.platform.base import WindowInfo
from agent.watch.trigger import Trigger

OWN_CLASS_WORDS = ("vigie",)
MEMORY = 200


class CoveringRules:
    def __init__(self, catalog):
        self.catalog = catalog
        self.seen: dict[tuple, str] = {}          # (window id, pid) → title last read

    def decide(self, w: WindowInfo | None) -> list[Trigger]:
        """Triggers for ``w``, the active window, which is not a browser's."""
        if w is None or not w.fullscreen or w.pid == os.getpid():
            return []
        if any(word in (w.wm_class or "").lower() for word in OWN_CLASS_WORDS):
            return []
        key = (w.id, w.pid)
        if self.seen.get(key) == w.title:
            return []
        if len(self.seen) > MEMORY:
            self.seen.clear()
        self.seen[key] = w.title
        word = self.catalog.suspicious_title(w.title)
        details = {"app": w.process_name or w.wm_class, "title_word": word}
        return [Trigger("title" if word else "maximized", window=w, details=details)]
