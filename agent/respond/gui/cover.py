"""The calm layer behind the alert and the loop that keeps the alert in front.

``Cover(app)`` puts one borderless dimmed window on every monitor (so the scam's phone
number can no longer be read, and a click on the page lands on the layer instead), then
every ``EVERY_MS`` takes the scam window out of fullscreen again and, when anything else
got the focus or the top (a click, a JS dialog, a page re-entering fullscreen, a keyboard
lock), raises the layer and the alert again and gives the alert the keyboard focus. Each
re-take is told to the Responder as a ``{"event": "retake", "after_ms": ...}`` line. A
newer Vigie window (another alert) is never fought. Tk main thread only.
"""
from __future__ import annotations

import logging

from agent.respond import takeback
from agent.respond.gui.tkwindow import emit, font, newer_window_alive

log = logging.getLogger(__name__)
LAYER_BG, LAYER_FG = "#26323d", "#c9d3dc"     # dark slate blue: calm, not alarming
EVERY_MS = 150


class Cover:
    def __init__(self, app, scam_id: int = 0, note: str = ""):
        self.app, self.root = app, app.root
        self.hold = takeback.ScreenHold(scam_id)
        self.layers = []
        fallback = (0, 0, self.root.winfo_screenwidth(), self.root.winfo_screenheight())
        for (x, y, w, h) in takeback.monitors(fallback):
            self.layers.append(self._layer(x, y, w, h, note))
        self.hold.release_scam()

    def _layer(self, x: int, y: int, w: int, h: int, note: str):
        import tkinter as tk  # noqa: PLC0415
        top = tk.Toplevel(self.root, bg=LAYER_BG, cursor="arrow", class_="Vigie")
        top.overrideredirect(True)
        top.geometry(f"{w}x{h}+{x}+{y}")
        if note:
            label = tk.Label(top, text=note, bg=LAYER_BG, fg=LAYER_FG, font=font(self.root, "body", False))
            label.pack(side="bottom", pady=24)
            top.note = label
        top.bind("<Button>", self._layer_click)
        return top

    def settled(self) -> bool:
        """True once every layer is below the alert (the window manager frames the alert
        a moment after it is mapped, above the layer: until then the layer is restacked)."""
        b = self.hold.b
        if b is None or not self.hold.own_id:
            return True
        return all(b.is_below(layer.winfo_id(), self.hold.own_id) for layer in self.layers)

    def _layer_click(self, _event=None) -> None:
        """A click meant for the page lands on the layer: the alert comes to the front."""
        emit({"event": "layer_click"})
        self.front(force=True)

    def start(self) -> None:
        """Called once the alert is on screen: learn its window ids, then watch."""
        self.frame = int(self.root.wm_frame(), 16)
        bottom = self.root.winfo_rooty() + self.root.winfo_height()
        for layer in self.layers:      # the note would peek out from under a tall alert
            note = getattr(layer, "note", None)
            if note is not None and bottom > layer.winfo_rooty() + layer.winfo_height() - 90:
                note.destroy()
        b = self.hold.b
        try:
            self.hold.own_id = b.client_in(self.frame) if b is not None else 0
        except Exception:  # noqa: BLE001
            self.hold.own_id = 0
        self.root.after(EVERY_MS, self._tick)

    def _layers_below_alert(self) -> None:
        """Each layer just below the alert's frame (the alert's managed window is looked up
        again if the window manager had not framed it yet)."""
        b = self.hold.b
        if b is not None and not self.hold.own_id:
            self.hold.own_id = b.client_in(int(self.root.wm_frame(), 16))
        target = self.hold.own_id or int(self.root.wm_frame(), 16)
        for layer in self.layers:
            if b is None or not b.restack_below(layer.winfo_id(), target):
                layer.lift()
                self.root.lift()

    def front(self, force: bool = False) -> None:
        """Alert on top, the layer just below it, the alert focused."""
        self.root.attributes("-topmost", True)
        self.root.lift()
        hidden = self.hold.take_front() if (force or self.hold.lost_at is not None) else None
        self._layers_below_alert()
        self.root.focus_force()
        buttons = getattr(self.app, "buttons", {})
        focused = self.root.focus_get()
        if buttons and (focused is None or focused not in buttons.values()):
            next(iter(buttons.values())).focus_set()
        if hidden is not None:
            emit({"event": "retake", "after_ms": round(hidden * 1000), "count": self.hold.retaken})

    def _tick(self) -> None:
        try:
            if not newer_window_alive():
                if self.hold.check():
                    self.front()
                elif not self.hold.paused:
                    self._layers_below_alert()    # the page's window may have been raised
        except Exception:  # noqa: BLE001 - one failed look never ends the hold
            log.warning("holding the screen: %s", "one look failed", exc_info=True)
        try:
            self.root.after(EVERY_MS, self._tick)
        except Exception:  # noqa: BLE001 - the window is closing
            return

    def pause(self, paused: bool) -> None:
        """While the page is being closed for the person the page may take the focus."""
        self.hold.paused = paused
        if not paused:
            self.front(force=True)
