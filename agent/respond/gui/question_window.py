"""The remote-tool question: "Did someone on the phone ask you to install this?"

Runs as its own process, started by the Responder::

    python -m agent.respond.gui.question_window --tool-id anydesk --tool-name AnyDesk --pid 4321 \
        [--suspended] --lang fr

"Close it" ends the tool's process tree; "It's my helper" asks for the helper code when one
is set (:mod:`agent.respond.gui.code_prompt`): with it the tool runs (resumed when it was
paused) and the Responder allows it for this session; without it ("Cancel: I don't have the
code") the tool is closed. Where no code is set it runs as before (``code: "none"``). Both are
recorded (``alert_action`` events, JSON lines on stdout). The window never closes itself before
the person answered: Escape does nothing then (on the code view it is "Cancel"); Alt+F4, the
title bar's × or another program's close only bring it back to the front (``alert_action``
``close_attempt``); the answer's outcome is shown (the window grows to hold it: nothing cut at
1366×768) a few seconds before it closes. Exit 0 when answered, 2 when no display.
"""
from __future__ import annotations

import argparse
import logging
import sys
import threading

from agent import helper_code
from agent.i18n import resolve, t
from agent.respond import contain
from agent.respond.gui.code_prompt import CodePrompt
from agent.respond.gui.tkwindow import (BODY_BG, BODY_FG, HEADER_BG, HEADER_FG, NOTE_BG, Keys, bring_up,
                                    button, emit, font, layout, make_root, place, record, run_app)

log = logging.getLogger(__name__)


class QuestionApp:
    """Tk main thread; the process ending runs in a thread polled with ``after``."""

    view = "question"

    def __init__(self, args):
        import tkinter as tk  # noqa: PLC0415
        self.tk, self.args = tk, args
        self.lang = resolve(args.lang)
        self.tool = args.tool_name or args.tool_id or "?"
        self.root = root = make_root(t("alert.window_title", self.lang), args.scale)
        self.keys = Keys(root, self.escape)
        self.wrap = int(root.winfo_screenwidth() * 0.55) - 100
        self.buttons: dict = {}
        self.answered = False
        head = tk.Frame(root, bg=HEADER_BG)
        head.pack(fill="x")
        tk.Label(head, text=self.t("question_title"), font=font(root, "title"), bg=HEADER_BG, fg=HEADER_FG,
                 wraplength=self.wrap, justify="left", anchor="w").pack(fill="x", padx=40, pady=24)
        self.body = tk.Frame(root, bg=BODY_BG)
        self.body.pack(fill="both", expand=True)
        self.label(self.t("question_body", tool=self.tool), "first", True, pady=(24, 8))
        if args.suspended:
            self.label(self.t("question_suspended", tool=self.tool), bg=NOTE_BG, ipady=8, pady=(0, 8))
        self.buttons["close_tool"] = button(root, self.body, self.keys, self.t("btn_close_it"), self.close_it, self.wrap)
        self.buttons["allow_tool"] = button(root, self.body, self.keys, self.t("btn_my_helper"), self.my_helper,
                                            self.wrap)
        self.status = self.label("", bold=True, pady=(8, 16))
        self.prompt = None
        root.protocol("WM_DELETE_WINDOW", self.close_attempt)
        place(root, 0.55)
        root.after(30, bring_up, self)   # focus on "Close it", the first button

    def t(self, key: str, **values) -> str:
        return t(f"alert.{key}", self.lang, **values)

    def label(self, text: str, kind: str = "body", bold: bool = False, bg: str = BODY_BG, **pack):
        w = self.tk.Label(self.body, text=text, font=font(self.root, kind, bold), bg=bg, fg=BODY_FG,
                          wraplength=self.wrap, justify="left", anchor="w")
        w.pack(fill="x", padx=40, **pack)
        return w

    def close_it(self) -> None:
        for b in self.buttons.values():
            b.configure(state="disabled")
        box: list = []
        pid = self.args.pid
        threading.Thread(target=lambda: box.append(contain.terminate_tree(pid) if pid else []), daemon=True).start()

        def poll():
            if not box:
                self.root.after(100, poll)
                return
            ok = not (pid and contain.alive(pid))
            self.answered = True
            record(None, "close_tool", tool=self.args.tool_id, tool_pid=pid, ok=ok, ended=len(box[0]))
            self.say(self.t("tool_closed" if ok else "tool_not_closed", tool=self.tool))
            self.root.after(4000, self.root.destroy)
        poll()

    def my_helper(self) -> None:
        """"It's my helper": the helper code first, when one is set (same window)."""
        if self.prompt is not None or self.answered:
            return
        if not helper_code.is_set():
            self.allow("none")
            return
        for w in self.body.winfo_children():
            w.pack_forget()
        self.prompt = CodePrompt(self.root, self.body, self.keys, self.lang, "allow_tool", self.wrap, self.code_given,
                                 self.wrong_code, tool=self.tool, helper=self.args.helper_name)
        self.status = self.prompt.status
        self.buttons = dict(self.prompt.buttons)
        place(self.root, 0.55)
        self.prompt.focus()
        self.root.after(300, lambda: emit({"event": "shown", "view": "code", **layout(self.root, self.buttons)}))

    def wrong_code(self, result: str, fails: int) -> None:
        record(None, "helper_code", result=result, fails=fails, tool=self.args.tool_id, tool_pid=self.args.pid)

    def code_given(self, result: str) -> None:
        if result == "ok":
            self.allow("ok")
            return
        record(None, "allow_tool_refused", tool=self.args.tool_id, tool_pid=self.args.pid, reason="no_code")
        self.status.configure(text=t("gate.no_code_closed", self.lang, tool=self.tool))
        self.close_it()

    def allow(self, code: str = "none") -> None:
        if self.args.suspended and self.args.pid:
            contain.resume_tree(self.args.pid)
        self.answered = True
        record(None, "allow_tool", tool=self.args.tool_id, tool_pid=self.args.pid, code=code)
        for b in self.buttons.values():
            b.configure(state="disabled")
        self.say(self.t("tool_allowed", tool=self.tool))
        self.root.after(3000, self.root.destroy)

    def say(self, text: str) -> None:
        """The answer's outcome in the window, grown to hold it (``answered`` line: its size)."""
        self.status.configure(text=text)
        place(self.root, 0.55)
        self.root.after(200, self._emit_answered)

    def _emit_answered(self) -> None:
        self.root.update_idletasks()
        r, st = self.root, self.status
        emit({"event": "answered", **layout(r, self.buttons),
              "window": [r.winfo_rootx(), r.winfo_rooty(), r.winfo_width(), r.winfo_height()],
              "status": [st.winfo_rootx(), st.winfo_rooty(), st.winfo_width(), st.winfo_reqheight()]})

    def escape(self) -> None:
        """Escape closes an answered window; before the answer it does nothing (on the code
        view it is "Cancel": the tool is closed)."""
        if self.prompt is not None and not self.prompt.finished:
            self.prompt.finish("cancel")
        elif self.answered:
            self.root.destroy()

    def close_attempt(self) -> None:
        """Alt+F4, ×, a close from another program: once answered the window may go; on the
        code view it is "Cancel"; before an answer, it stays and comes back to the front."""
        if self.prompt is not None and not self.prompt.finished:
            self.prompt.finish("cancel")
            return
        if self.answered:
            self.root.destroy()
            return
        record(None, "close_attempt", tool=self.args.tool_id, tool_pid=self.args.pid)
        self.root.attributes("-topmost", True)
        self.root.lift()
        self.root.focus_force()


def parse_args(argv=None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="python -m agent.respond.gui.question_window")
    p.add_argument("--tool-id", default="")
    p.add_argument("--tool-name", default="")
    p.add_argument("--pid", type=int, default=0)
    p.add_argument("--suspended", action="store_true", help="the tool is paused until the answer")
    p.add_argument("--helper-name", default="")
    p.add_argument("--lang", default="auto")
    p.add_argument("--country", default="auto")
    p.add_argument("--scale", type=float, default=1.0)
    return p.parse_args(argv)


def main(argv=None) -> int:
    return run_app(QuestionApp, parse_args(argv), "question")


if __name__ == "__main__":
    sys.exit(main())
