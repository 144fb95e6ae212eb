"""The macOS pasteboard's lowest calls (pyobjc AppKit), one method each.

Used through :class:`agent.platform.clipboard.PollingClipboard` (tested on Linux
against a fake of this class): ``NSPasteboard.generalPasteboard().changeCount()``
polled every 0.25 s. macOS does not say which program wrote the pasteboard: the
frontmost application at the change stands for it (a page's copy happens on a click
in the browser, which is in front). Not yet verified on a real Mac.
"""
from __future__ import annotations

from agent.platform.base import PlatformUnavailable


class PasteboardApi:  # pragma: no cover - needs macOS
    def __init__(self):
        try:
            import AppKit  # noqa: PLC0415
        except ImportError as exc:
            raise PlatformUnavailable("pyobjc is missing (pip install pyobjc-framework-Cocoa)") from exc
        self.AppKit = AppKit
        self.board = AppKit.NSPasteboard.generalPasteboard()

    def serial(self) -> int:
        return int(self.board.changeCount())

    def owner(self) -> tuple[int, int]:
        app = self.AppKit.NSWorkspace.sharedWorkspace().frontmostApplication()
        return (int(app.processIdentifier()) if app else 0), 0

    def read_text(self) -> str | None:
        text = self.board.stringForType_(self.AppKit.NSPasteboardTypeString)
        return str(text) if text is not None else None

    def write_text(self, text: str) -> bool:
        self.board.clearContents()
        return bool(self.board.setString_forType_(text, self.AppKit.NSPasteboardTypeString))
