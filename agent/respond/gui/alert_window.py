"""The alert window: big, calm, unmistakable, above everything, and it acts.

Runs as its own process (Tk must own its main thread; a GUI crash never stops the
agent)::

    python -m agent.respond.gui.alert_window --family tss --lang fr --incident DIR \
        --browser-pid 1234 --window-id 0x1a00003 --helper-name Julie --helper-phone "06 .." \
        [--kind scam|risky|test|clickfix] [--again]

While it is open it takes the screen back (``gui/cover.py``): the scam window leaves
fullscreen, a calm layer covers every monitor, and the alert keeps the top and the
keyboard focus until the person chooses. Escape only goes back (steps → first screen);
"I'm safe" is a button, never a key. A close from outside the buttons — Alt+F4, the title
bar's ×, the window manager's or another program's close (``WM_DELETE_WINDOW``; Windows:
``WM_CLOSE``/``SC_CLOSE``, which Tk turns into it) — is "back", never a choice: recorded
(``alert_action`` ``close_attempt``) and the alert takes the front again (a test alert
closes). "I'm safe" while the scam's window still shows the page (any state) closes the
page for the person first, saying so; the window ends once the page is gone.

``--kind clickfix``: a web page put a command in the clipboard; ``--family`` is then
``clickfix`` (copied), ``clickfix_run`` (the Run box or a terminal opened since) or
``clickfix_paste`` (it was run; ``--tool-pid`` is the process, and the button stops it).
``--status-key KEY`` shows the text ``alert.KEY`` as the first note.

It does the acting itself with psutil (``agent.respond.contain``) so it works even when
the agent is busy. Every click is appended to ``events.jsonl`` (``alert_action``) and
printed on stdout as one JSON line (``{"event": "action", ...}``) which the Responder
forwards to the helper notifier; ``{"event": "shown"|"view", "buttons": {...}}`` lines
give the window id and button geometry (used by tests); ``{"event": "retake"}`` lines say
when the alert took the front back. Exit 0 when closed, 2 when no
display could be opened.
"""
from __future__ import annotations

import argparse
import os
import sys
import threading

from agent.i18n import t
from agent.respond.gui.alert_actions import AlertActions
from agent.respond.gui.tkwindow import (BODY_BG, BODY_FG, HEADER_BG, HEADER_FG, NOTE_BG, Keys, bring_up, font,
                                        make_root, place, run_app)
from agent.respond.gui.tkwindow import mnemonic  # noqa: F401 - imported from here
from agent.respond.gui.alert_views import AlertViews

FAMILIES = ("tss", "refund", "summons", "sextortion", "clickfix")
CLICKFIX = ("clickfix", "clickfix_run", "clickfix_paste")


class AlertApp(AlertViews, AlertActions):
    """The alert's three views (main, steps, helper: :mod:`agent.respond.gui.alert_views`)
    and what its buttons do (:mod:`agent.respond.gui.alert_actions`). Everything runs on the
    Tk main thread except the process ending, which runs in a thread polled with ``after``."""

    def __init__(self, args):
        import tkinter as tk  # noqa: PLC0415
        from agent.i18n import resolve  # noqa: PLC0415
        self.tk, self.args = tk, args
        self.lang = resolve(args.lang)
        self.kind = args.kind
        self.family = "risky" if args.kind == "risky" else (args.family if args.family in FAMILIES else "tss")
        if args.kind == "clickfix":
            self.family = args.family if args.family in CLICKFIX else "clickfix"
        self.heading = "again" if args.again else self.family
        self.root = root = make_root(self.t("window_title"), args.scale)
        self.keys = Keys(root, self.escape)
        self.wrap = int(root.winfo_screenwidth() * 0.62) - 100
        self.buttons: dict = {}
        self.status = self.t(args.status_key) if args.status_key else ""
        self.acted = False
        self.busy = False        # the page is being closed: buttons greyed, the page may take the keys
        self.pending: list = []  # threads the process waits for once the window is gone (session files)
        self.steps_fit = False
        self.view = "main"
        header = tk.Frame(root, bg=HEADER_BG)
        header.pack(fill="x")
        tk.Label(header, text=self.t(f"title_{self.heading}"), font=font(root, "title"), bg=HEADER_BG,
                 fg=HEADER_FG, wraplength=self.wrap, justify="left", anchor="w").pack(fill="x", padx=40, pady=24)
        if self.kind == "test":
            tk.Label(root, text=self.t("test_banner"), font=font(root, "body"), bg=NOTE_BG,
                     fg=BODY_FG, wraplength=self.wrap).pack(fill="x", ipady=8)
        self.body = tk.Frame(root, bg=BODY_BG)
        self.body.pack(fill="both", expand=True)
        root.protocol("WM_DELETE_WINDOW", self.close_attempt)
        self.show_main(emit_view=False)
        place(root)
        from agent.respond.gui.cover import Cover  # noqa: PLC0415
        self.cover = Cover(self, args.window_id, self.t("layer_note"))
        if args.incident_later:
            threading.Thread(target=self._incident_from_stdin, daemon=True).start()
        root.after(30, bring_up, self)

    def _incident_from_stdin(self) -> None:
        """The Responder saves the evidence while this window starts, then sends its folder."""
        import json  # noqa: PLC0415
        for line in sys.stdin:
            try:
                self.args.incident = json.loads(line).get("incident") or self.args.incident
            except (ValueError, AttributeError):
                continue
            return

    def t(self, key: str, **values) -> str:
        return t(f"alert.{key}", self.lang, **values)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m agent.respond.gui.alert_window")
    p.add_argument("--kind", choices=("scam", "risky", "test", "clickfix"), default="scam")
    p.add_argument("--status-key", default="", help="a note shown first (a key of the alert texts)")
    p.add_argument("--family", default="tss")
    p.add_argument("--lang", default="auto")
    p.add_argument("--country", default="auto")
    p.add_argument("--incident", default=None, help="the incident folder")
    p.add_argument("--incident-later", action="store_true",
                   help='the incident folder comes as {"incident": ...} on stdin (saved meanwhile)')
    p.add_argument("--browser-pid", type=int, default=0)
    p.add_argument("--browser-name", default="")
    p.add_argument("--window-id", type=lambda v: int(v, 0), default=0, help="the scam's window")
    p.add_argument("--page-title", default="")
    p.add_argument("--again", action="store_true", help="the page is still there after \"I'm safe\"")
    p.add_argument("--tool-pid", type=int, default=0)
    p.add_argument("--tool-name", default="")
    p.add_argument("--helper-name", default="")
    p.add_argument("--helper-phone", default="")
    p.add_argument("--scale", type=float, default=float(os.environ.get("VIGIE_UI_SCALE", "1") or 1))
    return p.parse_args(argv)


def main(argv=None) -> int:
    return run_app(AlertApp, parse_args(argv), "alert")


if __name__ == "__main__":
    sys.exit(main())
