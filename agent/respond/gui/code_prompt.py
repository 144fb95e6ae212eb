"""The helper code entry, drawn inside a Vigie window (the code window, the remote-tool
question): why the code is asked, a warning about strangers on the phone, one big masked
field, "OK", "Cancel: I don't have the code" (protection stays on) and, for a pause, "Pause
for 5 minutes only". Checks the code itself (:func:`agent.helper_code.check`, with its
growing delay after wrong codes) and calls ``on_try(result, fails)`` for each wrong code
and ``on_result(result)`` once: ``ok``, ``short`` or ``cancel``. Tk main thread.
"""
from __future__ import annotations

from agent import helper_code
from agent.i18n import t
from agent.respond.gui.tkwindow import BODY_BG, BODY_FG, NOTE_BG, button, font

CODE_FONT = 40


class CodePrompt:
    def __init__(self, root, parent, keys, lang: str, action: str, wrap: int, on_result, on_try=None,
                 tool: str = "", helper: str = "", seconds: float = 0.0, short: bool = False):
        import tkinter as tk  # noqa: PLC0415
        from tkinter import font as tkfont  # noqa: PLC0415
        self.root, self.lang, self.on_result, self.on_try = root, lang, on_result, on_try
        self.finished = False
        from agent.gate import duration_words  # noqa: PLC0415
        values = {"tool": tool or "?", "helper": helper.strip() or t("gate.your_helper", lang),
                  "duration": duration_words(seconds, lang)}
        self.widgets = []
        self._label(parent, t(f"gate.why_{action}", lang, **values), wrap, "first", True, pady=(20, 8))
        self._label(parent, t("gate.scam_warning", lang), wrap, "body", False, bg=NOTE_BG, ipady=8, pady=(0, 12))
        big = tkfont.Font(root=root, family=root.family, size=CODE_FONT, weight="bold")
        self.entry = tk.Entry(parent, font=big, show="\u25cf", width=9, justify="center", bd=3, relief="sunken",
                              highlightthickness=4, highlightcolor="#003a8c")
        self.entry.pack(padx=40, pady=8)
        self.entry.bind("<Return>", lambda e: self.confirm())
        self.entry.bind("<KP_Enter>", lambda e: self.confirm())
        self.widgets.append(self.entry)
        self.status = self._label(parent, "", wrap, "body", True, pady=(0, 8))
        self.buttons = {"entry": self.entry}
        self.buttons["ok"] = button(root, parent, keys, t("gate.btn_ok", lang), self.confirm, wrap)
        if short:
            self.buttons["short"] = button(root, parent, keys, t("gate.btn_short", lang, **values),
                                           lambda: self.finish("short"), wrap)
        self.buttons["cancel"] = button(root, parent, keys, t("gate.btn_cancel", lang), lambda: self.finish("cancel"),
                                        wrap)
        self.widgets += [b for n, b in self.buttons.items() if n != "entry"]
        pad = tk.Frame(parent, bg=BODY_BG, height=16)
        pad.pack()
        self.widgets.append(pad)
        self._tick()

    def _label(self, parent, text, wrap, kind, bold, bg=BODY_BG, **pack):
        import tkinter as tk  # noqa: PLC0415
        w = tk.Label(parent, text=text, font=font(self.root, kind, bold), bg=bg, fg=BODY_FG, wraplength=wrap,
                     justify="left", anchor="w")
        w.pack(fill="x", padx=40, **pack)
        self.widgets.append(w)
        return w

    def focus(self) -> None:
        self.entry.focus_set()

    def _tick(self) -> None:
        """While wrong codes make the person wait: say how long, and keep OK off."""
        if self.finished:
            return
        left = helper_code.wait_left()
        self.buttons["ok"].configure(state="disabled" if left > 0 else "normal")
        if left > 0:
            self.status.configure(text=t("gate.wait", self.lang, seconds=int(left + 0.999)))
        self.root.after(500, self._tick)

    def confirm(self) -> None:
        if self.finished:
            return
        code = self.entry.get()
        self.entry.delete(0, "end")
        if not code.strip():
            self.status.configure(text=t("gate.type_code", self.lang))
            return
        got = helper_code.check(code)
        if got.result == "ok":
            self.finish("ok")
        elif got.result == "unset":
            self.status.configure(text=t("gate.unreadable", self.lang))
        elif got.result == "wait":
            self.status.configure(text=t("gate.wait", self.lang, seconds=int(got.wait + 0.999)))
        else:
            self.status.configure(text=t("gate.wrong", self.lang))
            if self.on_try:
                self.on_try("wrong", got.fails)
        self.focus()

    def finish(self, result: str) -> None:
        if self.finished:
            return
        self.finished = True
        for name, b in self.buttons.items():
            b.configure(state="disabled")
        self.on_result(result)

    def forget(self) -> None:
        for w in self.widgets:
            w.pack_forget()
