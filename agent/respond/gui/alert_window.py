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
from agent.respond.gui.tkwindow import (BODY_BG, BODY_FG, HEADER_BG, HEADER_FG, NOTE_BG, Keys,  # noqa: F401
                                    bring_up, button, emit, focus_first, font, layout, make_root,
                                    mnemonic, place, record, run_app)

FAMILIES = ("tss", "refund", "summons", "sextortion", "clickfix")
CLICKFIX = ("clickfix", "clickfix_run", "clickfix_paste")
STEPS_SHARE = 0.5     # of the screen's height for "what to do": all of it fits 1366x768, no scrolling
STEPS_WIDTH = 0.9     # ...and of its width (wide lines: fewer of them)
REPORT_SHOWN = 3      # where to report: the first ones (the country's own first)


class AlertApp:
    """The alert's three views (main, steps, helper). Everything runs on the Tk main thread
    except the process ending, which runs in a thread polled with ``after``."""

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

    def _view(self, name: str) -> None:
        for w in self.body.winfo_children():
            w.destroy()
        self.keys.map.clear()
        for key in ("<Next>", "<Prior>", "<Down>", "<Up>"):
            self.root.unbind_all(key)
        self.buttons = {}
        self.view = name

    def _emit_view(self) -> None:
        place(self.root, STEPS_WIDTH if self.view == "steps" else 0.62)
        focus_first(self.buttons)
        extra = {"fits": self.steps_fit} if self.view == "steps" else {}
        emit({"event": "view", "view": self.view, **layout(self.root, self.buttons), **extra})

    def label(self, text: str, kind: str = "body", bold: bool = False, bg: str = BODY_BG, **pack):
        w = self.tk.Label(self.body, text=text, font=font(self.root, kind, bold), bg=bg, fg=BODY_FG,
                          wraplength=self.wrap, justify="left", anchor="w", padx=0 if bg == BODY_BG else 12)
        w.pack(fill="x", padx=40, **pack)
        return w

    def add(self, name: str, label_key: str, command, **values) -> None:
        self.buttons[name] = button(self.root, self.body, self.keys, self.t(label_key, **values),
                                    command, self.wrap)

    def show_main(self, emit_view: bool = True) -> None:
        self._view("main")
        self.label(self.t(f"first_{self.heading}"), "first", True, pady=(24, 8))
        self.label(self.t("calm"), pady=(0, 12))
        if self.args.browser_pid and self.kind == "scam" and not self.acted:
            self.label(self.t("page_covered"), pady=(0, 12))
        if self.status:
            self.label(self.status, bold=True, bg=NOTE_BG, ipady=10, pady=(0, 12))
        if not self.acted and self.kind in ("risky", "clickfix") and self.args.tool_pid:
            self.add("close_tool", "btn_stop_command" if self.kind == "clickfix" else "btn_close_tool", self.close_tool)
        elif not self.acted and self.kind != "risky" and (self.args.browser_pid or self.kind == "test"):
            self.add("close_page", "btn_close_page", self.close_page)
        self.add("call_helper", "btn_call_helper", self.show_helper)
        self.add("show_steps", "btn_show_steps", self.show_steps)
        self.add("safe", "btn_safe", self.safe)
        self.label(self.t("keys_hint"), pady=(8, 16))
        if emit_view:
            self._emit_view()

    def show_helper(self) -> None:
        record(self.args.incident, "call_helper")
        self._view("helper")
        self.label(self.t("helper_heading"), "first", True, pady=(24, 12))
        name, phone = self.args.helper_name.strip(), self.args.helper_phone.strip()
        if phone:
            line = self.t("helper_line", name=name, phone=phone) if name else self.t("helper_phone_only", phone=phone)
            self.label(line, "big", True, pady=(0, 16))
        else:
            self.label(self.t("no_helper"), "first", pady=(0, 16))
        self.add("back", "btn_back", self.show_main)
        self.add("safe", "btn_safe", self.safe)
        self._emit_view()

    def show_steps(self) -> None:
        from agent.respond import guidance  # noqa: PLC0415
        record(self.args.incident, "show_steps")
        g = guidance.load("tss" if self.family == "risky" else self.family.split("_")[0], self.lang,
                          guidance.resolve_country(self.args.country, self.lang))
        self._view("steps")
        self.label(self.t("steps_heading"), "first", True, pady=(20, 8))
        frame = self.tk.Frame(self.body, bg=BODY_BG)
        frame.pack(fill="both", expand=True, padx=40)
        f = font(self.root, "body", False)
        line = f.metrics("linespace")
        text = self.tk.Text(frame, wrap="word", font=f, bg=BODY_BG, fg=BODY_FG, bd=0, padx=8,
                            height=max(6, int(self.root.winfo_screenheight() * STEPS_SHARE) // line),
                            width=10, highlightthickness=0, takefocus=0)
        bar = self.tk.Scrollbar(frame, command=text.yview, width=24)
        text.configure(yscrollcommand=bar.set)
        bar.pack(side="right", fill="y")
        text.pack(side="left", fill="both", expand=True)
        text.tag_configure("h", font=font(self.root, "body"), spacing1=8, spacing3=4)
        text.tag_configure("p", spacing3=4, lmargin2=30)
        for n, step in enumerate(g.steps, 1):
            text.insert("end", f"{n}.  {step}\n", "p")
        text.insert("end", self.t("report_heading") + "\n", "h")
        for channel in g.report[:REPORT_SHOWN]:    # the first ones: the person reads, not scrolls
            text.insert("end", f"•  {channel}\n", "p")
        text.delete("end-2c")                  # no empty line after the last one
        text.configure(state="disabled")
        for key, amount, unit in (("<Next>", 1, "pages"), ("<Prior>", -1, "pages"),
                                  ("<Down>", 3, "units"), ("<Up>", -3, "units")):
            self.body.bind_all(key, lambda e, a=amount, u=unit: text.yview_scroll(a, u))
        self.add("back", "btn_back", self.show_main)
        self.add("safe", "btn_safe", self.safe)
        place(self.root, STEPS_WIDTH)
        self.root.update_idletasks()
        self.steps_fit = text.yview() == (0.0, 1.0)       # all of it shown, no scrolling needed
        if self.steps_fit:
            bar.pack_forget()                              # nothing to scroll: no scroll bar
        self._emit_view()

    def _busy(self, status_key: str) -> None:
        """Say at once what Vigie is doing (a line in the first screen), buttons greyed."""
        self.status = self.t(status_key)
        self.busy = True
        self.show_main(emit_view=False)
        place(self.root)
        for b in self.buttons.values():
            b.configure(state="disabled")
        emit({"event": "busy", "status": status_key})

    def _act(self, name: str, fn, messages: tuple[str, str], after=None, **values) -> None:
        """Run ``fn`` (returns ok, details) off the GUI thread; then show the outcome
        (``after(ok)`` instead, when given and it returns True)."""
        for b in self.buttons.values():
            b.configure(state="disabled")
        self.root.configure(cursor="watch")
        box: list = []
        threading.Thread(target=lambda: box.append(fn()), daemon=True).start()

        def poll():
            if not box:
                self.root.after(100, poll)
                return
            ok, details = box[0]
            self.acted = ok
            msg = messages[0 if ok else 1]
            if ok and getattr(self, "closed_how", "") == "browser":
                msg, values["browser"] = "browser_closed", self.args.browser_name or "?"
            self.status = self.t(msg, **values)
            record(self.args.incident, name, ok=ok, **details)
            self.root.configure(cursor="")
            self.busy = False
            if after is not None and after(ok):
                return
            self.root.lift()
            self.root.focus_force()
            self.show_main()
        poll()

    def close_page(self, status_key: str = "closing_page", after=None) -> None:
        from agent.respond import closepage  # noqa: PLC0415
        pid = self.args.browser_pid
        if not pid:
            self.status = self.t("no_page")
            record(self.args.incident, "close_page", ok=False, reason="no browser")
            self.show_main()
            return
        self._busy(status_key)
        self.cover.pause(True)      # the page's window must take the keys (Ctrl+W)

        def work():
            r = closepage.close_page(self.args.window_id, pid, self.args.page_title, later=self.pending)
            self.root.after(0, self.cover.pause, False)
            ok = r.pop("ok")
            self.closed_how = r["how"]
            return ok, r
        self.closed_how = "none"
        self._act("close_page", work, ("page_closed", "page_not_closed"), after)

    def close_tool(self) -> None:
        from agent.respond import contain  # noqa: PLC0415
        pid = self.args.tool_pid

        def work():
            ended = contain.terminate_tree(pid)
            return not contain.alive(pid), {"tool_pid": pid, "ended": len(ended)}
        done = ("command_stopped", "command_not_stopped") if self.kind == "clickfix" else ("tool_closed", "tool_not_closed")
        self._act("close_tool", work, done, tool=self.args.tool_name or "?")

    def escape(self) -> None:
        """Escape goes back to the first screen; on the first screen it does nothing:
        "I'm safe" must be a deliberate choice (a page may make the person press Esc)."""
        if self.view != "main":
            self.show_main()

    def page_open(self) -> bool:
        """True while the scam's window still shows the page (fullscreen, maximised,
        normal or minimised); False when there is none or it cannot be told."""
        from agent.respond import takeback  # noqa: PLC0415
        b = self.cover.hold.b
        if self.kind != "scam" or not self.args.browser_pid or not self.args.window_id or b is None:
            return False
        try:
            return takeback.page_open(b, self.args.window_id, self.args.page_title)
        except Exception:  # noqa: BLE001 - display trouble: the person's choice stands
            return False

    def safe(self) -> None:
        """"I'm safe": with the scam page still open, Vigie closes it first (and says so);
        the window ends once the page is gone. Without a page, the window ends now."""
        if not self.page_open():
            self.finish("safe")
            return
        record(self.args.incident, "safe_page_open")
        self.close_page("safe_page_open", after=self._safe_once_closed)

    def _safe_once_closed(self, ok: bool) -> bool:
        if not ok:
            return False           # "I could not close the page": the alert stays and says so
        self.finish("safe", page_closed_first=True)
        return True

    def close_attempt(self) -> None:
        """Alt+F4, ×, a window manager's or another program's close: back to the front
        (a test alert just closes). Tk main thread."""
        if self.kind == "test":
            self.finish("closed")
            return
        record(self.args.incident, "close_attempt", view=self.view)
        if self.busy:             # the page is being closed and must keep the keys meanwhile
            return
        self.status = self.t("close_refused")
        self.show_main()
        self.cover.front(force=True)

    def finish(self, action: str, **details) -> None:
        record(self.args.incident, action, **details)
        self.root.destroy()


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
