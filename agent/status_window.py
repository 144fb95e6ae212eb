"""The small status window opened from the tray icon (where the tray has no menu).

Its own process (Tk must own the main thread; a GUI crash never touches protection)::

    python -m agent.status_window --lang fr

Protocol, one JSON object per line. The tray writes on its stdin the status
(``{"state", "text", "problems", "helper", "phone"}``, optional ``"info"``, ``"help"``,
``"raise"``); the window prints on stdout ``{"event": "action", "action": NAME}`` for
each button (names from ``agent.tray.ACTIONS``) and ``{"event": "shown", "window",
"buttons": {name: [x, y, w, h]}}`` after each layout. Stdin closed = the tray is gone:
the window closes. :class:`StatusWindow` is the tray-side handle (no Tk imported).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import queue
import subprocess
import sys
import threading

from agent.i18n import t

log = logging.getLogger(__name__)
COLOURS = {"protecting": "#2e7d32", "paused": "#616161", "alert": "#b71c1c", "degraded": "#b35c00"}


class StatusWindow:
    """Tray side: starts the window process, sends it the status, runs its actions.

    ``send`` is called from any thread; ``on_action(name)`` runs on the reader thread.
    """

    def __init__(self, lang: str, on_action):
        self.lang, self.on_action = lang, on_action
        self.proc: subprocess.Popen | None = None
        self.shown: dict | None = None
        self.questions = 0
        self.question: dict | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "agent.status_window", "--lang", self.lang],
                                     stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
                                     encoding="utf-8", bufsize=1)
        threading.Thread(target=self._read, name="vigie-status-window", daemon=True).start()

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def send(self, message: dict) -> None:
        with self._lock:
            if not self.alive():
                return
            try:
                self.proc.stdin.write(json.dumps(message, ensure_ascii=False) + "\n")
                self.proc.stdin.flush()
            except (OSError, ValueError) as exc:
                log.info("status window gone: %s", exc)

    def _read(self) -> None:
        for line in self.proc.stdout:
            try:
                msg = json.loads(line)
            except ValueError:
                continue
            if msg.get("event") == "shown":
                self.shown = msg
            elif msg.get("event") == "question":
                self.questions += 1          # the quit question is on screen (tests wait for it)
                self.question = msg
            elif msg.get("event") == "action":
                self.on_action(str(msg.get("action")))

    def close(self, timeout: float = 3.0) -> None:
        if self.proc is None:
            return
        try:
            self.proc.stdin.close()
            self.proc.wait(timeout)
        except (OSError, subprocess.TimeoutExpired):
            self.proc.kill()


def emit(obj: dict) -> None:
    try:
        print(json.dumps(obj, ensure_ascii=False), flush=True)
    except (OSError, ValueError):
        pass


def _stdin_reader(q: queue.Queue) -> None:
    for line in sys.stdin:
        try:
            q.put(json.loads(line))
        except ValueError:
            continue
    q.put(None)


class Window:
    """The Tk window itself (window process, main thread)."""

    def __init__(self, lang: str):
        import tkinter as tk  # noqa: PLC0415
        self.tk, self.lang = tk, lang
        self.root = tk.Tk(className="vigie-status")
        scale = float(os.environ.get("VIGIE_UI_SCALE", "1") or 1)    # as the alert: 200 % screens
        if scale != 1:
            self.root.tk.call("tk", "scaling", float(self.root.tk.call("tk", "scaling")) * scale)
        self.root.title(t("tray.window_title", lang))
        self.root.configure(bg="white")
        self.root.resizable(False, False)
        self.root.protocol("WM_DELETE_WINDOW", self.root.destroy)
        big, normal = ("DejaVu Sans", 18, "bold"), ("DejaVu Sans", 14)
        self.band = tk.Label(self.root, font=big, fg="white", padx=20, pady=16, wraplength=520, justify="left")
        self.band.pack(fill="x")
        self.normal = normal
        self.buttons: dict[str, object] = {}
        frame = tk.Frame(self.root, bg="white", padx=16, pady=8)
        frame.pack(side="bottom", fill="x")
        # the details (with the help, long) scroll inside a box sized so that the whole
        # window fits the screen: 1366x768 at 100 %, 1920x1080 at 200 %
        box = tk.Frame(self.root, bg="white")
        box.pack(fill="both", expand=True)
        self.details = tk.Text(box, font=normal, bg="white", wrap="word", width=44, height=4, bd=0, padx=20,
                               pady=8, highlightthickness=0, takefocus=0, cursor="arrow")
        bar = tk.Scrollbar(box, command=self.details.yview, width=20)
        self.details.configure(yscrollcommand=bar.set)
        bar.pack(side="right", fill="y")
        self.details.pack(side="left", fill="both", expand=True)
        for name in ("show_last", "pause", "open_evidence", "test_alert", "help", "quit"):
            b = tk.Button(frame, text=t(f"tray.menu_{name}", lang), font=normal, anchor="w", padx=12, pady=6,
                          command=lambda n=name: self.press(n))
            b.pack(fill="x", pady=3)
            self.buttons[name] = b
        self.state, self.help_on, self.text = "protecting", False, ""
        self.status: dict = {}

    def press(self, name: str) -> None:
        if name == "pause" and self.state == "paused":
            name = "resume"
        if name == "help":
            self.help_on = not self.help_on
            self.render()
            return
        if name == "quit" and not self.ask_quit():
            return
        emit({"event": "action", "action": name})
        if name == "quit":
            self.root.after(200, self.root.destroy)

    def ask_quit(self) -> bool:
        """"Quit?" in the person's language; the safe answer (keep protecting) has the
        focus and is what Enter and Escape choose."""
        tk, lang = self.tk, self.lang
        top = tk.Toplevel(self.root, bg="white", padx=20, pady=16)
        top.title(t("tray.window_title", lang))
        top.transient(self.root)
        tk.Label(top, text=t("tray.quit_confirm", lang), font=self.normal, bg="white", wraplength=460,
                 justify="left").pack(fill="x", pady=(0, 12))
        answer = []

        def choose(value: bool) -> None:
            answer.append(value)
            top.destroy()
        keep = tk.Button(top, text=t("tray.quit_keep", lang), font=self.normal, command=lambda: choose(False),
                         default="active", padx=12, pady=6)
        leave = tk.Button(top, text=t("tray.quit_yes", lang), font=self.normal, command=lambda: choose(True),
                          padx=12, pady=6)
        for b in (keep, leave):
            b.pack(fill="x", pady=3)
            b.bind("<Return>", lambda e, b=b: b.invoke())
        top.bind("<Escape>", lambda e: choose(False))
        top.protocol("WM_DELETE_WINDOW", lambda: choose(False))
        top.wait_visibility()          # mapped: the focus, the grab and the geometry hold
        leave.wait_visibility()
        top.update_idletasks()
        keep.focus_force()
        top.grab_set()
        emit({"event": "question", "buttons": {n: [b.winfo_rootx(), b.winfo_rooty(), b.winfo_width(),
                                                   b.winfo_height()] for n, b in (("keep", keep), ("quit", leave))}})
        self.root.wait_window(top)
        return bool(answer and answer[0])

    def update(self, msg: dict) -> None:
        self.status.update({k: v for k, v in msg.items() if k not in ("raise", "help")})
        if msg.get("help"):
            self.help_on = True
        self.state = self.status.get("state", "protecting")
        self.render()
        if msg.get("raise"):
            self.root.deiconify()
            self.root.lift()
            self.root.focus_force()

    def render(self) -> None:
        s, lang = self.status, self.lang
        self.band.configure(text=s.get("text", ""), bg=COLOURS.get(self.state, COLOURS["degraded"]))
        lines = [t(f"tray.detail_{self.state if self.state in COLOURS else 'degraded'}", lang)]
        if s.get("info"):
            lines.append(s["info"])
        lines += ["• " + p for p in s.get("problems") or []]
        if s.get("helper") or s.get("phone"):
            lines.append(t("tray.helper_line", lang, name=s.get("helper") or "", phone=s.get("phone") or ""))
        if self.help_on:
            lines.append(t("tray.help_text", lang))
        self.text = "\n\n".join(lines)
        self.details.configure(state="normal")
        self.details.delete("1.0", "end")
        self.details.insert("1.0", self.text)
        self.details.configure(state="disabled")
        self._fit()
        self.buttons["pause"].configure(text=t("tray.menu_resume" if self.state == "paused" else "tray.menu_pause", lang))
        self.root.after(300, self.report)

    def _fit(self) -> None:
        """As many text lines as the screen leaves room for (at most what the text needs)."""
        root = self.root
        self.details.configure(height=1)
        root.update_idletasks()
        line = max(1, self.details.tk.call("font", "metrics", self.details.cget("font"), "-linespace"))
        room = root.winfo_screenheight() - 90 - root.winfo_reqheight()   # title bar, panel
        counted = self.details.count("1.0", "end", "displaylines")
        need = int((counted[0] if isinstance(counted, tuple) else counted) or 1) + 1
        self.details.configure(height=max(2, min(need, 1 + room // line)))

    def report(self) -> None:
        """Tell the tray (and tests) where the window and its buttons are, once drawn."""
        self.root.update_idletasks()
        rects = {n: [b.winfo_rootx(), b.winfo_rooty(), b.winfo_width(), b.winfo_height()]
                 for n, b in self.buttons.items()}
        emit({"event": "shown", "window": self.root.winfo_id(), "pid": os.getpid(), "state": self.state,
              "help": self.help_on, "text": self.text, "buttons": rects,
              "size": [self.root.winfo_width(), self.root.winfo_height()],
              "screen": [self.root.winfo_screenwidth(), self.root.winfo_screenheight()]})


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m agent.status_window")
    p.add_argument("--lang", default="auto")
    args = p.parse_args(argv)
    try:
        win = Window(args.lang)
    except Exception as exc:  # noqa: BLE001 - TclError: no display
        print(f"status window: no display ({exc})", file=sys.stderr)
        return 2
    q: queue.Queue = queue.Queue()
    threading.Thread(target=_stdin_reader, args=(q,), daemon=True).start()

    def poll() -> None:
        try:
            while True:
                msg = q.get_nowait()
                if msg is None:
                    win.root.destroy()
                    return
                win.update(msg)
        except queue.Empty:
            pass
        win.root.after(100, poll)

    win.render()
    poll()
    win.root.mainloop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
