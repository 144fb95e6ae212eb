"""The question about a remote-control tool that started ("did someone on the phone ask
you to install this?"), paused first in ``suspend`` mode; what happens when it closes
unanswered; and the aftercare once the tool's session has ended.

Part of :class:`agent.respond.responder.Responder` (a mixin). ``on_remote_tool`` and
``on_remote_session_ended`` are called by the worker thread and return quickly; the
answer's callbacks run on the question window's reader thread.
"""
from __future__ import annotations

import logging
import time

from agent import events, gate
from agent.respond import contain
from agent.respond.gui.process import GuiProcess

log = logging.getLogger("agent.respond.responder")   # the Responder's log lines, as before the split


class RemoteToolQuestions:
    def recent_alert(self) -> bool:
        minutes = self.settings.remote_tools_containment_minutes
        return self.last_alert is not None and time.monotonic() - self.last_alert < minutes * 60

    def on_remote_tool(self, tool: dict, process: dict, context: dict) -> str:
        """Ask the person about a remote tool that started. Returns the decision taken:
        ``bank_alert``, ``allowed_session``, ``allowlisted``, ``asked``, ``asked_suspended``, or
        ``told_helper`` for a tool already running when Vigie started (``context["trigger"] ==
        "running_at_start"``): nobody just launched it, so only the helper hears about it."""
        tool_id = str(tool.get("id") or tool.get("name") or process.get("name") or "?")
        name = str(tool.get("name") or tool_id)
        pid = int(process.get("pid") or 0)
        after_alert = bool(context.get("after_alert")) or self.recent_alert()
        allowlisted = bool(context.get("allowlisted"))
        if context.get("bank_site"):
            decision = "bank_alert"
        elif context.get("trigger") == "running_at_start":
            decision = "told_helper"
        elif tool_id in self.allowed_tools:
            decision = "allowed_session"
        elif allowlisted and not after_alert:
            decision = "allowlisted"
        else:
            decision = "asked"
        with self._lock:
            open_question = pid in self._questions and self._questions[pid].running()
        if decision == "asked" and open_question:
            return "already_asked"
        suspended = False
        if decision == "asked" and self.settings.remote_tools_mode == "suspend" and pid:
            suspended = bool(contain.suspend_tree(pid))
            decision = "asked_suspended" if suspended else decision
        events.append("remote_tool", tool=tool_id, name=name, pid=pid or None, exe=process.get("exe"),
                      after_alert=after_alert, allowlisted=allowlisted, bank_site=bool(context.get("bank_site")),
                      decision=decision)
        if decision in ("asked", "asked_suspended", "bank_alert", "told_helper"):
            self.aftercare.begin(tool, process)     # the snapshot the aftercare report compares with
        if decision == "bank_alert":
            self.on_risky_context("remote_tool_bank", {"tool": tool_id, "name": name, "pid": pid})
            return decision
        if decision == "told_helper":
            self._tell_helper("remote_tool", {"tool": tool_id, "name": name, "pid": pid, "exe": process.get("exe"),
                                              "at_start": True})
        if decision not in ("asked", "asked_suspended"):
            return decision
        args = ["--tool-id", tool_id, "--tool-name", name, "--pid", str(pid), "--helper-name",
                self.settings.helper_name]
        if suspended:
            args.append("--suspended")

        def on_answer(line: dict) -> None:
            if line.get("action") == "allow_tool":
                self.allowed_tools.add(tool_id)
            gate.question_answered(line, self.settings, self.notifier, name, thread=f"tool-{tool_id}-{pid}")

        def on_exit(gui: GuiProcess) -> None:
            self._alert_closed(f"tool-{tool_id}-{pid}")     # the answer's follow-up can go
            answered = any(a.get("action") != "close_attempt" for a in gui.actions)
            if gate.mode(self.settings) == "code" and not answered and contain.alive(pid):
                contain.terminate_tree(pid)        # no answer, no code: the tool is not allowed
                gate.report("allow_tool", "refused", self.settings, self.notifier, source="question", tool=name,
                            reason="question closed without an answer", thread=f"tool-{tool_id}-{pid}")
            elif suspended and not answered and contain.alive(pid):
                log.error("the question about %s closed without an answer; %s is resumed", name, pid)
                contain.resume_tree(pid)
                events.append("remote_tool_resumed", tool=tool_id, pid=pid, reason="no answer")

        thread = f"tool-{tool_id}-{pid}"
        gui = self._gui("agent.respond.gui.question_window", args, on_answer, on_exit, thread=thread,
                        facts={"tool_name": name})
        if gui is None and suspended:
            contain.resume_tree(pid)
        elif gui is not None:
            with self._lock:
                self._questions[pid] = gui
        self._warn("notify_tool", ("question_title", "question_body"), tool=name)
        self._tell_helper("remote_tool", {"tool": tool_id, "name": name, "pid": pid, "after_alert": after_alert,
                                          "after_alert_at": self.last_alert_iso if after_alert else None,
                                          "allowlisted": allowlisted, "suspended": suspended, "thread": thread,
                                          "time": events.now_iso()})
        return decision

    def on_remote_session_ended(self, tool: dict, process: dict, context: dict) -> None:
        """Every process of a reported remote tool is gone: the aftercare report (what was
        installed or set to start during the session, who connected) is written and the
        helper told, on the aftercare thread. Worker thread; returns at once."""
        running = [str(t.get("name") or t.get("id")) for t in context.get("running_tools") or ()]
        self.aftercare.end(tool, running)
