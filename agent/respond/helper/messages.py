"""The words of each helper notification, in the helper's language (pure).

``render(kind, data, lang, when=..., host=..., user=..., msg_id=...) -> (title, body)``.
Kinds: ``scam``, ``alert_action``, ``remote_tool``, ``risky_context``, ``paused``,
``resumed``, ``quit``, ``started``, ``heartbeat``, ``test``, ``uninstalled``. The texts say what happened,
when, on which computer, the phone number shown, the window title and what the person
clicked; never a secret. The message id ends the body so a receiver can drop a duplicate.
Any thread.
"""
from __future__ import annotations

import datetime as _dt
import getpass
import socket

from agent import i18n
from agent.i18n import t

KINDS = ("scam", "alert_action", "remote_tool", "risky_context", "paused", "resumed", "quit",
         "started", "heartbeat", "test", "uninstalled", "aftercare")


def computer() -> tuple[str, str]:
    """(hostname, user name) of this session; never raises."""
    try:
        user = getpass.getuser()
    except Exception:  # noqa: BLE001 - no user name in the environment
        user = "?"
    return socket.gethostname(), user


def _optional(key: str, lang: str, **values) -> str | None:
    """``t(key)`` if the catalogue has it, else None (for open-ended codes)."""
    if key in i18n.catalogue(i18n.resolve(lang)) or key in i18n.catalogue(i18n.FALLBACK):
        return t(key, lang, **values)
    return None


def _signals(signals) -> str:
    texts = []
    for s in signals or ():
        text = s.get("text") if isinstance(s, dict) else getattr(s, "text", s)
        text = " ".join(str(text).split())
        if text and text not in texts:
            texts.append(text[:80])
    return " · ".join(f"« {x} »" for x in texts[:5])


def _action(action: str, lang: str) -> str:
    return _optional(f"helper.action_{action}", lang) or str(action)


def _lines(kind: str, d: dict, lang: str) -> list[str]:
    """The detail lines of one kind (the first line of every body is ``intro``)."""
    out: list[str] = []

    def add(key: str, value) -> None:
        if value not in (None, "", [], ()):
            out.append(t(f"helper.line_{key}", lang, value=value))

    if kind == "scam":
        family = d.get("family") or ""
        add("family", _optional(f"helper.family_{family}", lang) or family)
        phones = d.get("phones") or ()
        add("phones", ", ".join(phones) if not isinstance(phones, str) else phones)
        add("title", d.get("title"))
        add("process", d.get("process"))
        if isinstance(d.get("score"), (int, float)):
            add("score", f"{round(d['score'] * 100 if d['score'] <= 1 else d['score'])} %")
        add("signals", _signals(d.get("signals")))
        add("action", _action(d["action"], lang) if d.get("action") else None)
        add("incident", d.get("incident"))
        out.append(t("helper.advice_scam", lang))
    elif kind == "alert_action":
        add("action", _action(d.get("action") or "?", lang))
        if d.get("ok") is False:
            add("not_done", d.get("reason") or "?")
        add("incident", d.get("incident"))
    elif kind == "remote_tool":
        tool = d.get("tool")
        add("tool", d.get("name") or (tool.get("name") or tool.get("id") if isinstance(tool, dict) else tool))
        proc = d.get("process") if isinstance(d.get("process"), dict) else {}
        add("exe", d.get("exe") or proc.get("exe"))
        add("pid", d.get("pid") or proc.get("pid"))
        out.append(t("helper.advice_remote_tool_at_start" if d.get("at_start") else "helper.advice_remote_tool", lang))
    elif kind == "risky_context":
        what = d.get("kind") or d.get("context") or ""
        add("situation", _optional(f"helper.risky_{what}", lang) or d.get("description") or what)
        add("tool", d.get("tool"))
        add("site", d.get("site") or d.get("url"))
        add("title", d.get("title"))
        out.append(t("helper.advice_risky_context", lang))
    elif kind == "aftercare":           # the report of agent/respond/aftercare, already in words
        add("incident", d.get("incident"))
        if d.get("text"):
            out.append(str(d["text"]).strip())
    elif kind in ("started", "heartbeat") and d.get("problems"):
        add("problems", "; ".join(map(str, d["problems"])))
    return out


def render(kind: str, data: dict | None, lang: str, *, when: _dt.datetime | None = None,
           host: str | None = None, user: str | None = None, msg_id: str = "") -> tuple[str, str]:
    """The (title, body) of one notification; unknown kinds get a generic text."""
    d = dict(data or {})
    when = when or _dt.datetime.now().astimezone()
    if host is None or user is None:
        h, u = computer()
        host, user = host or h, user or u
    stamp = when.strftime(t("helper.time_format", lang))
    values = {"host": host, "user": user, "when": stamp, "minutes": d.get("minutes", "?")}
    if kind == "started" and d.get("after_crash"):
        kind_key = "started_after_crash"
    elif kind == "paused" and not d.get("minutes"):
        kind_key = "paused_open"
    elif kind == "remote_tool" and d.get("at_start"):
        kind_key = "remote_tool_at_start"   # already running when Vigie started
    else:
        kind_key = kind if kind in KINDS else "other"
    values["kind"] = kind
    title = t(f"helper.title_{kind_key}", lang, **values)
    body = [t(f"helper.intro_{kind_key}", lang, **values), ""]
    body += _lines(kind, d, lang)
    body += ["", t("helper.footer", lang, msg_id=msg_id)]
    return title, "\n".join(body).replace("\n\n\n", "\n\n").strip()

