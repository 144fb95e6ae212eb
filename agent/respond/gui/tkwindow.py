"""What the Vigie windows share (alert and remote-tool question; each runs in its own
process, on its Tk main thread): colours and sizes for an older reader, fonts that scale,
keyboard access with mnemonics, placing a window above a fullscreen browser and keeping it
there, the JSON lines for the Responder, and the window process's ``main``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import sys
from pathlib import Path

from agent import events

log = logging.getLogger(__name__)
HEADER_BG, HEADER_FG = "#8b0000", "#ffffff"     # white on dark red: contrast 9.7:1
BODY_BG, BODY_FG = "#ffffff", "#000000"
NOTE_BG = "#fff3c4"                              # light yellow status band, black text
FOCUS = "#003a8c"
SIZES = {"title": 32, "first": 22, "body": 16, "button": 18, "big": 28}


def emit(obj: dict) -> None:
    """One JSON line on stdout for the Responder (ignored when nobody reads it)."""
    try:
        print(json.dumps(obj, ensure_ascii=False, default=str), flush=True)
    except (OSError, ValueError):
        pass


def mnemonic(label: str) -> tuple[str, int, str]:
    """``"&Close it"`` → ``("Close it", 0, "c")``: text, underlined index, key."""
    i = label.find("&")
    if i < 0 or i == len(label) - 1:
        return label, -1, ""
    text = label[:i] + label[i + 1:]
    return text, i, text[i].lower()


def record(incident: str | None, action: str, **details) -> dict:
    """Log what the person clicked: events.jsonl and a JSON line for the Responder."""
    inc = Path(incident).name if incident else None
    events.append("alert_action", incident=inc, action=action, **details)
    out = {"event": "action", "incident": inc, "action": action, **details}
    emit(out)
    return out


def pick_font(tk_root) -> str:
    from tkinter import font  # noqa: PLC0415
    families = set(font.families(tk_root))
    for name in ("DejaVu Sans", "Segoe UI", "Helvetica Neue", "Arial", "Helvetica"):
        if name in families:
            return name
    return "TkDefaultFont"


def make_root(title: str, scale: float = 1.0):
    """A topmost Tk root with Vigie's style; raises ``tkinter.TclError`` without a display."""
    if sys.platform == "win32":  # pragma: no cover - sharp text at 150-200% on Windows
        try:
            import ctypes
            ctypes.windll.shcore.SetProcessDpiAwareness(1)
        except (OSError, AttributeError):
            pass
    import tkinter as tk  # noqa: PLC0415
    root = tk.Tk(className="Vigie")
    if scale and scale != 1.0:
        root.tk.call("tk", "scaling", float(root.tk.call("tk", "scaling")) * scale)
    root.title(title)
    root.configure(bg=BODY_BG)
    root.attributes("-topmost", True)
    root.family = pick_font(root)
    return root


def font(root, kind: str, bold: bool = True):
    """A named font (shared, so ``fit`` can shrink every text at once)."""
    from tkinter import font as tkfont  # noqa: PLC0415
    fonts = root.__dict__.setdefault("fonts", {})
    if (kind, bold) not in fonts:
        size = round(SIZES[kind] * root.__dict__.get("shrink", 1.0))
        fonts[(kind, bold)] = tkfont.Font(root=root, family=root.family, size=size,
                                          weight="bold" if bold else "normal")
    return fonts[(kind, bold)]


def fit(root, max_height: int) -> None:
    """Shrink every font (by steps of 8%, not below 60%) until the window fits the screen:
    at 200% scaling on a small screen the buttons must stay visible."""
    root.update_idletasks()
    while root.winfo_reqheight() > max_height and root.__dict__.get("shrink", 1.0) > 0.6:
        root.shrink = root.__dict__.get("shrink", 1.0) * 0.92
        for (kind, _bold), f in root.fonts.items():
            f.configure(size=max(8, round(SIZES[kind] * root.shrink)))
        root.update_idletasks()


class Keys:
    """Alt+letter (and Enter/Escape) for the buttons currently on screen."""

    def __init__(self, root, on_escape):
        self.map: dict[str, object] = {}
        root.bind_all("<Alt-KeyPress>", self._alt)
        root.bind_all("<Escape>", lambda e: on_escape())

    def _alt(self, event):
        fn = self.map.get((event.keysym or "").lower())
        if fn:
            fn()
        return "break"


def button(root, parent, keys: Keys, label: str, command, wrap: int):
    import tkinter as tk  # noqa: PLC0415
    text, idx, key = mnemonic(label)
    b = tk.Button(parent, text=text, underline=idx, command=command, font=font(root, "button"),
                  bg="#eeeeee", fg=BODY_FG, activebackground="#d6d6d6", activeforeground=BODY_FG,
                  relief="raised", bd=2, padx=24, pady=12, wraplength=wrap, takefocus=1,
                  highlightthickness=5, highlightcolor=FOCUS, highlightbackground=BODY_BG)
    b.bind("<Return>", lambda e: b.invoke())
    b.bind("<KP_Enter>", lambda e: b.invoke())
    if key:
        keys.map[key] = b.invoke
    b.pack(fill="x", padx=40, pady=6)
    return b


def place(root, width_ratio: float = 0.62) -> None:
    """Centre the window, as wide as ``width_ratio`` of the screen, never taller than it."""
    sw, sh = root.winfo_screenwidth(), root.winfo_screenheight()
    fit(root, sh - 60)
    w = min(sw - 40, max(root.winfo_reqwidth(), int(sw * width_ratio)))
    h = min(sh - 60, root.winfo_reqheight())
    root.geometry(f"{w}x{h}+{(sw - w) // 2}+{max(0, (sh - h) // 3)}")


def layout(root, buttons: dict) -> dict:
    """The window manager's frame id and the buttons' rectangles (screen coordinates)."""
    root.update_idletasks()
    rects = {name: [b.winfo_rootx(), b.winfo_rooty(), b.winfo_width(), b.winfo_height()]
             for name, b in buttons.items() if b.winfo_exists()}
    return {"frame": int(root.wm_frame(), 16), "pid": os.getpid(), "buttons": rects,
            "size": [root.winfo_width(), root.winfo_height()]}


def _top_file() -> Path:
    from agent import paths  # noqa: PLC0415
    return paths.state_dir() / "gui-top.pid"


def claim_top() -> None:
    """Mark this process as the newest Vigie window: only it keeps lifting itself."""
    try:
        from agent import paths  # noqa: PLC0415
        paths.ensure_dir(paths.state_dir())
        _top_file().write_text(str(os.getpid()))
    except OSError as exc:
        log.warning("cannot write %s: %s", _top_file(), exc)


def newer_window_alive() -> bool:
    """True while a newer Vigie window (another alert, a question) is open."""
    try:
        pid = int(_top_file().read_text().strip() or 0)
    except (OSError, ValueError):
        return False
    if pid in (0, os.getpid()):
        return False
    import psutil  # noqa: PLC0415
    return psutil.pid_exists(pid)


def keep_on_top(root, every_ms: int = 2000) -> None:
    """Re-assert topmost now and then: a scam page may try to raise its own window. Two
    Vigie windows never fight: an older one stays put while a newer one is open."""
    try:
        if not newer_window_alive():
            root.attributes("-topmost", True)
            root.lift()
    except Exception:  # noqa: BLE001 - window closing
        return
    root.after(every_ms, keep_on_top, root, every_ms)


def focus_first(buttons: dict) -> None:
    """Give the keyboard focus to the first button (the safe choice), if any."""
    if buttons:
        next(iter(buttons.values())).focus_set()


def bring_up(app) -> None:
    """Once Tk shows ``app.root`` (checked every 30 ms): claim the top, raise it, focus
    its first button, emit ``shown`` (view and button geometry) and keep it on top.
    ``app`` has ``root``, ``buttons`` and ``view``. Tk main thread."""
    root = app.root
    if not root.winfo_viewable():
        root.after(30, bring_up, app)
        return
    cover = getattr(app, "cover", None)
    tries = root.__dict__.setdefault("bring_up_tries", [0])
    if tries[0] == 0:
        claim_top()
        root.lift()
        root.focus_force()
        focus_first(app.buttons)
        if cover is not None:
            cover.start()
    if cover is not None:
        cover.front(force=False)
        tries[0] += 1
        if not cover.settled() and tries[0] < 40:     # "shown" once the layer is under the alert
            root.after(30, bring_up, app)
            return
    emit({"event": "shown", "view": app.view, **layout(root, app.buttons)})
    if cover is None:
        keep_on_top(root)


def run_app(make_app, args: argparse.Namespace, what: str) -> int:
    """A window process's main: log to stderr, build the window with ``make_app(args)``
    and run Tk's loop until it closes (0). When it cannot be built (no display, no Tk)
    the error is logged and sent as an ``error`` JSON line, and the exit code is 2: the
    Responder then falls back (notification, resuming a paused tool). Threads the app
    lists in ``pending`` are waited for (10 s at most) once the window is gone, after an
    ``ended`` line (the window counts as closed from then on)."""
    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s", stream=sys.stderr)
    try:
        app = make_app(args)
    except Exception as exc:  # noqa: BLE001 - no display, no Tk: say so, the agent falls back
        log.error("the %s window cannot be shown: %s", what, exc)
        emit({"event": "error", "error": str(exc)})
        return 2
    app.root.mainloop()
    pending = list(getattr(app, "pending", ()))
    if pending:
        emit({"event": "ended"})      # the window is gone; the process finishes what it started
    for thread in pending:
        thread.join(10)
    return 0
