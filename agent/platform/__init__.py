"""The platform layer: one small interface over X11, Windows, macOS (and a fake).

``get()`` picks the backend lazily at run time — ``VIGIE_PLATFORM`` (x11, windows,
macos, fake) first, then the OS — and keeps it. Importing this package never touches
a display. See :mod:`agent.platform.base` for ``WindowInfo`` and the interface.
Any thread may call ``get()``.
"""
from __future__ import annotations

import os
import sys
import threading

from agent.platform.base import Backend, PlatformUnavailable, WindowInfo

__all__ = ["Backend", "PlatformUnavailable", "WindowInfo", "get", "choose", "create", "reset"]
NAMES = ("x11", "windows", "macos", "fake")
_lock = threading.Lock()
_backend = None


def choose(env: dict | None = None, platform: str | None = None) -> str:
    """The backend name for this environment (pure): the override, then the OS."""
    env = os.environ if env is None else env
    platform = platform or sys.platform
    wanted = env.get("VIGIE_PLATFORM", "").strip().lower()
    if wanted:
        if wanted not in NAMES:
            raise PlatformUnavailable(f"VIGIE_PLATFORM={wanted!r} is not one of {', '.join(NAMES)}")
        return wanted
    if platform.startswith("win"):
        return "windows"
    if platform == "darwin":
        return "macos"
    if env.get("WAYLAND_DISPLAY") and not env.get("DISPLAY"):
        raise PlatformUnavailable("this Wayland session has no X11 (XWayland) display; "
                                  "Vigie cannot see its windows")
    return "x11"


def create(name: str):
    """A new backend by name (imports its module only now)."""
    if name == "x11":
        from agent.platform.x11 import X11Backend  # noqa: PLC0415
        return X11Backend()
    if name == "windows":
        from agent.platform.windows import WindowsBackend  # noqa: PLC0415
        return WindowsBackend()
    if name == "macos":
        from agent.platform.macos import MacBackend  # noqa: PLC0415
        return MacBackend()
    if name == "fake":
        from agent.platform.fake import FakeBackend  # noqa: PLC0415
        return FakeBackend()
    raise PlatformUnavailable(f"unknown platform backend {name!r}")


def get():
    """The backend for this session, created on first use. Raises PlatformUnavailable."""
    global _backend
    with _lock:
        if _backend is None:
            _backend = create(choose())
        return _backend


def reset(backend=None) -> None:
    """Forget (or replace) the chosen backend — for tests and after a display change."""
    global _backend
    with _lock:
        _backend = backend
