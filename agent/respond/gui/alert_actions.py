"""What the alert's buttons do: close the scam's page (its tab, else its browser), stop
the remote tool or the pasted command, "I'm safe" (the page still open is closed first),
and a close from outside the buttons (Alt+F4, ×: back to the front). The acting runs in
a thread; its outcome is shown and recorded (``alert_action``) on the Tk main thread.

Part of :class:`agent.respond.gui.alert_window.AlertApp` (a mixin). Tk main thread of the
alert's own process, except the ``work`` functions (their own thread).
"""
from __future__ import annotations

import threading

from agent.respond.gui.tkwindow import emit, place, record


class AlertActions:
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
