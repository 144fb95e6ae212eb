"""What the worker does with remote-tool and risky-context triggers (worker thread).

Each decision is written to ``events.jsonl`` first, then handed to the responder through
``respond(method, *args)`` (the worker's guarded call: a failing responder is logged once
and never stops the worker).
"""
from __future__ import annotations

from agent import events
from agent.watch.port import AgentPort
from agent.watch.trigger import Trigger


def remote_tool(agent: AgentPort, trig: Trigger, respond) -> None:
    """A remote-control tool started, its installer was saved, or it was already running
    when Vigie started (``details["trigger"] == "running_at_start"``: the helper is told,
    the tray stays calm)."""
    tool, proc = trig.tool, trig.process
    trigger = trig.details.get("trigger", trig.kind)
    at_start = trigger == "running_at_start"
    situation = agent.situation
    risk = situation.raise_risk(2 if situation.seconds_since_scam() is not None else 1)
    context = {**situation.context(), "risk": risk, **trig.details}
    if not at_start:   # the state first: whoever reads the event sees the alert
        agent.alert(("tool", tool.id))
    ev = events.append("remote_tool", trigger=trigger, tool=tool.id, name=tool.name,
                       pid=proc.get("pid"), exe=proc.get("exe", ""), process=proc.get("name", ""),
                       cmdline=" ".join(proc.get("cmdline") or ())[:300], file=trig.details.get("file"),
                       mode=agent.settings.remote_tools_mode, context=context)
    respond("on_remote_tool", tool.to_json(), dict(proc, file=trig.details.get("file")), context)
    if not at_start:
        agent.incident(ev)


def risky(agent: AgentPort, trig: Trigger, respond) -> None:
    """A bank page or a "proof" tool while a remote tool runs: the risk goes up."""
    details = dict(trig.details)
    kind = details.pop("kind", "risky")
    risk = agent.situation.raise_risk()
    details.update(risk=risk, running_tools=agent.situation.running_tools())
    events.append("risky_context", kind=kind, **details)
    respond("on_risky_context", kind, details)


def session_ended(agent: AgentPort, trig: Trigger, respond) -> None:
    """The last process of a reported remote tool is gone: the Responder writes the
    aftercare report (what the session left)."""
    tool, proc = trig.tool, trig.process
    running = agent.situation.running_tools()
    events.append("remote_session_ended", tool=tool.id, name=tool.name, pid=proc.get("pid"),
                  exe=proc.get("exe", ""), still_running=[t["name"] for t in running])
    respond("on_remote_session_ended", tool.to_json(), dict(proc), {"running_tools": running})
