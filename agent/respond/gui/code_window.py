"""The helper code window: asked before Pause or Quit (the tray), in its own process::

    python -m agent.respond.gui.code_window --action pause --lang fr [--helper-name Marie]
        [--seconds 300] [--choices short|confirm]

Calm (a blue band, no red), big masked digits, "Cancel: I don't have the code" always there
and first in reach of Escape and the window's close: it keeps the protection on. With
``--choices short`` (a pause) it also offers "Pause for 5 minutes only"; with ``--choices
confirm`` (Quit where no code is set) it only asks "Quit Vigie?" (keep / yes).

Prints JSON lines: ``shown`` (layout), ``{"event": "action", "action": "helper_code",
"result": "wrong", "fails": n}`` for each wrong code, and once ``{"event": "done",
"result": "ok" | "short" | "cancel"}``. Exit 0, or 2 when no window can be shown.
"""
from __future__ import annotations

import argparse
import sys

from agent.i18n import resolve, t
from agent.respond.gui.code_prompt import CodePrompt
from agent.respond.gui.tkwindow import BODY_BG, HEADER_FG, Keys, bring_up, button, emit, font, make_root, place, run_app

CALM_BG = "#1f4e79"          # white on dark blue: contrast 8.6:1


class CodeApp:
    view = "code"

    def __init__(self, args):
        import tkinter as tk  # noqa: PLC0415
        self.args = args
        self.lang = lang = resolve(args.lang)
        self.root = root = make_root(t("gate.window_title", lang), args.scale)
        self.keys = Keys(root, lambda: self.done("cancel"))
        wrap = int(root.winfo_screenwidth() * 0.5) - 100
        head = tk.Frame(root, bg=CALM_BG)
        head.pack(fill="x")
        title = t("tray.quit_confirm", lang) if args.choices == "confirm" else t("gate.title", lang)
        tk.Label(head, text=title, font=font(root, "title"), bg=CALM_BG, fg=HEADER_FG, wraplength=wrap,
                 justify="left", anchor="w").pack(fill="x", padx=40, pady=20)
        body = tk.Frame(root, bg=BODY_BG)
        body.pack(fill="both", expand=True)
        self.answered = False
        if args.choices == "confirm":
            self.prompt = None
            self.buttons = {"cancel": button(root, body, self.keys, t("tray.quit_keep", lang),
                                             lambda: self.done("cancel"), wrap),
                            "ok": button(root, body, self.keys, t("tray.quit_yes", lang), lambda: self.done("ok"), wrap)}
        else:
            self.prompt = CodePrompt(root, body, self.keys, lang, args.action, wrap, self.done, self.wrong,
                                     tool=args.tool_name, helper=args.helper_name, seconds=args.seconds,
                                     short=args.choices == "short")
            self.buttons = self.prompt.buttons
        if self.prompt is None:
            tk.Frame(body, bg=BODY_BG, height=16).pack()
        root.protocol("WM_DELETE_WINDOW", lambda: self.done("cancel"))
        place(root, 0.5)
        root.after(30, bring_up, self)

    @staticmethod
    def wrong(result: str, fails: int) -> None:
        emit({"event": "action", "action": "helper_code", "result": result, "fails": fails})

    def done(self, result: str) -> None:
        if self.prompt is not None and not self.prompt.finished:
            self.prompt.finish(result)   # calls done() again through on_result
            return
        if self.answered:
            return
        self.answered = True
        emit({"event": "done", "result": result})
        self.root.after(200, self.root.destroy)


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m agent.respond.gui.code_window")
    p.add_argument("--action", default="pause")
    p.add_argument("--tool-name", default="")
    p.add_argument("--helper-name", default="")
    p.add_argument("--seconds", type=float, default=300.0, help="how long a pause without the code lasts")
    p.add_argument("--choices", default="", choices=("", "short", "confirm"))
    p.add_argument("--lang", default="auto")
    p.add_argument("--scale", type=float, default=1.0)
    return p.parse_args(argv)


def main(argv=None) -> int:
    return run_app(CodeApp, parse_args(argv), "helper code")


if __name__ == "__main__":
    sys.exit(main())
