"""The alert's views: the first screen (what is happening, the buttons), "what to do"
(the official steps and where to report, fitted to the screen) and "call my helper"; each
view is emitted as a ``{"event": "view", ...}`` line with its buttons' geometry.

Part of :class:`agent.respond.gui.alert_window.AlertApp` (a mixin). Tk main thread of the
alert's own process.
"""
from __future__ import annotations

from agent.respond.gui.tkwindow import BODY_BG, BODY_FG, NOTE_BG, button, emit, focus_first, font, layout, place, record

STEPS_SHARE = 0.5     # of the screen's height for "what to do": all of it fits 1366x768, no scrolling
STEPS_WIDTH = 0.9     # ...and of its width (wide lines: fewer of them)
REPORT_SHOWN = 3      # where to report: the first ones (the country's own first)


class AlertViews:
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

    def escape(self) -> None:
        """Escape goes back to the first screen; on the first screen it does nothing:
        "I'm safe" must be a deliberate choice (a page may make the person press Esc)."""
        if self.view != "main":
            self.show_main()
