"""A fake desktop for tests and demos: windows and pictures set by the test.

Thread-safe: the test thread changes the desktop (``set_windows``, ``set_image``,
``fail_capture``) while the agent's watcher and worker threads read it.
"""
from __future__ import annotations

import threading

from agent.platform.base import WindowInfo


class FakeBackend:
    name = "fake"

    def __init__(self, windows: list[WindowInfo] | None = None, active: int | None = None,
                 screen_size: tuple[int, int] = (1280, 720)):
        self._lock = threading.Lock()
        self._changed = threading.Event()
        self._windows = list(windows or [])
        self._active = active if active is not None else (self._windows[0].id if self._windows else None)
        self._images: dict[int | None, object] = {}
        self._fail: Exception | None = None
        self.screen_size = screen_size
        self.captures = 0
        self.closed = False
        self._problems: list[str] = []

    # -- driven by the test ------------------------------------------------------
    def set_windows(self, windows: list[WindowInfo], active: int | None = None) -> None:
        with self._lock:
            self._windows = list(windows)
            self._active = active if active is not None else (windows[0].id if windows else None)
        self._changed.set()

    def set_image(self, window_id: int | None, image) -> None:
        """The picture ``capture`` returns for that window (None: the whole screen); a
        callable is called at each capture (a moving picture, such as a video)."""
        with self._lock:
            self._images[window_id] = image
        self._changed.set()

    def fail_capture(self, error: Exception | None) -> None:
        with self._lock:
            self._fail = error

    def set_problems(self, problems: list[str]) -> None:
        self._problems = list(problems)

    # -- the backend interface ---------------------------------------------------
    def active_window(self) -> WindowInfo | None:
        with self._lock:
            return next((w for w in self._windows if w.id == self._active), None)

    def windows(self) -> list[WindowInfo]:
        with self._lock:
            return list(self._windows)

    def capture(self, window: WindowInfo | None = None):
        from PIL import Image  # noqa: PLC0415
        with self._lock:
            self.captures += 1
            if self._fail is not None:
                raise self._fail
            img = self._images.get(window.id if window else None)
        if callable(img):
            img = img()
        if img is None:
            size = (window.width, window.height) if window and window.width else self.screen_size
            img = Image.new("RGB", size, "white")
        return img.copy()

    def wait_for_change(self, timeout: float) -> bool:
        if self._changed.wait(timeout):
            self._changed.clear()
            return True
        return False

    def problems(self) -> list[str]:
        return list(self._problems)

    def close(self) -> None:
        self.closed = True
