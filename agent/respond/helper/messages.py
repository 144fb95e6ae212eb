"""The words of each helper notification, in the helper's language (pure).

``render(kind, data, lang, when=..., person=..., host=..., msg_id=...) -> Message`` with a
title, a plain-text body (lines of at most ``WIDTH`` characters) and an HTML body
(paragraphs, a small table of the facts, a ``SCREENSHOT_SLOT`` comment where an e-mail
puts the screenshot). Every message says what happened and when, in words ("almost
certainly a scam"), the facts (page title and address, the scam's phone number marked
"do not call", the program), what the person chose, and what the helper should do now.
The person is named by ``person`` (the settings' ``person_name``), else "the person you
help"; the computer's name is one fact, never the subject. Never a secret. Kinds:
``KINDS``; ``follow_up`` carries ``actions`` and ``notices`` carries ``items`` (lists
of the merged events). Any thread.
"""
from __future__ import annotations

import datetime as _dt
import html
import socket
import textwrap
from dataclasses import dataclass

from agent import i18n
from agent.i18n import t

WIDTH = 78                       # plain-text lines: e-mail's customary width…
MAX_LINE = 100                   # …and never longer than this, even for a long address
SCREENSHOT_SLOT = "<!--vigie-screenshot-->"
KINDS = ("scam", "follow_up", "remote_tool", "risky_context", "notices", "started", "heartbeat",
         "test", "uninstalled", "aftercare", "stopped", "tampered", "protection_weakened")
NOTICE_KINDS = ("paused", "resumed", "quit", "started")


@dataclass(frozen=True)
class Message:
    title: str
    text: str
    html: str


def computer() -> str:
    """This computer's name; never raises."""
    try:
        return socket.gethostname()
    except OSError:
        return "?"


def _optional(key: str, lang: str, **values) -> str | None:
    """``t(key)`` if the catalogue has it, else None (for open-ended codes)."""
    if key in i18n.catalogue(i18n.resolve(lang)) or key in i18n.catalogue(i18n.FALLBACK):
        return t(key, lang, **values)
    return None


def certainty(score, lang: str) -> str | None:
    """The verdict's certainty in words (score: 0.5 is the scam line, 1 the cap)."""
    if not isinstance(score, (int, float)) or isinstance(score, bool):
        return None
    s = score / 100 if score > 1 else score
    return t("helper.certainty_" + ("high" if s >= 0.9 else "mid" if s >= 0.7 else "low"), lang)


def _signals(signals, lang: str = "en") -> str:
    texts: list[str] = []
    for s in signals or ():
        text = s.get("text") if isinstance(s, dict) else getattr(s, "text", s)
        text = " ".join(str(text).split())[:80]
        if text and text not in texts:
            texts.append(text)
    left, right = ("« ", " »") if lang == "fr" else ("\"", "\"")
    return " · ".join(f"{left}{x}{right}" for x in texts[:5])


def action_words(action: dict | str, lang: str) -> str:
    """One choice of the person in words: 'pressed "Close this page for me"'."""
    d = action if isinstance(action, dict) else {"action": action}
    name = str(d.get("action") or "?")
    words = _optional(f"helper.action_{name}", lang) or name
    if d.get("ok") is False:
        words += t("helper.action_not_done", lang, reason=d.get("reason") or "?")
    return words


def _clock(stamp, lang: str) -> str:
    try:
        when = _dt.datetime.fromisoformat(str(stamp)) if not isinstance(stamp, (int, float)) \
            else _dt.datetime.fromtimestamp(stamp).astimezone()
    except ValueError:
        return str(stamp)
    return when.strftime(t("helper.clock_format", lang))


def _stamp(stamp, lang: str) -> str:
    try:
        return _dt.datetime.fromisoformat(str(stamp)).strftime(t("helper.time_format", lang))
    except ValueError:
        return str(stamp)


def _facts(kind: str, d: dict, lang: str, host: str, stamp: str) -> list[tuple[str, str]]:
    """(label, value) rows of the facts table; empty values are left out."""
    rows: list[tuple[str, object]] = []
    if kind == "scam":
        phones = d.get("phones") or ()
        phones = phones if isinstance(phones, str) else ", ".join(map(str, phones))
        rows += [("certainty", certainty(d.get("score"), lang)),
                 ("family", _optional(f"helper.family_{d.get('family')}", lang) or d.get("family")),
                 ("phones", t("helper.fact_do_not_call", lang, value=phones) if phones else None),
                 ("title", d.get("title")), ("url", d.get("url") or d.get("page_url")),
                 ("process", d.get("process")), ("signals", _signals(d.get("signals"), lang))]
    elif kind == "remote_tool":
        tool = d.get("tool")
        proc = d.get("process") if isinstance(d.get("process"), dict) else {}
        rows += [("tool", d.get("name") or (tool.get("name") or tool.get("id") if isinstance(tool, dict) else tool)),
                 ("exe", d.get("exe") or proc.get("exe"))]
    elif kind == "risky_context":
        what = d.get("kind") or d.get("context") or ""
        rows += [("situation", _optional(f"helper.risky_{what}", lang) or d.get("description") or what),
                 ("tool", d.get("name") or d.get("tool")), ("site", d.get("site") or d.get("url")),
                 ("title", d.get("title")), ("process", d.get("browser")), ("command", d.get("command"))]
    elif kind == "protection_weakened":
        rows += [("tool", d.get("tool")), ("address", d.get("address"))]
    elif kind == "follow_up":
        back = [r for r in d.get("returns") or () if isinstance(r, dict)]
        rows += [("title", back[-1].get("title") if back else None), ("url", back[-1].get("url") if back else None)]
    elif kind in ("started", "heartbeat") and d.get("problems"):
        rows.append(("problems", "; ".join(map(str, d["problems"]))))
    if kind == "started" and d.get("untold"):
        rows.append(("untold", d["untold"]))
    if kind == "started" and d.get("last_seen"):
        rows.append(("last_seen", _stamp(d["last_seen"], lang)))
    if kind == "stopped":
        rows.append(("how", d.get("reason")))
    if kind == "tampered":    # agent/tamper.py: what changed, the file, before → after
        rows += [("change", _optional(f"helper.tamper_{d.get('what')}", lang) or d.get("what")),
                 ("file", d.get("file")), ("settings", ", ".join(map(str, d.get("changed") or ()))),
                 ("before", "; ".join(map(str, d.get("before") or ()))),
                 ("after", "; ".join(map(str, d.get("after") or ())) if "after" in d else None),
                 ("holder", d.get("holder"))]
    if kind in ("scam", "risky_context") and "_helper_phone" in d:   # what the person is told to call
        rows.append(("your_phone", d["_helper_phone"] or t("helper.your_phone_none", lang)))
    rows += [("when", stamp), ("computer", host), ("incident", d.get("incident"))]
    return [(t(f"helper.fact_{k}", lang), " ".join(str(v).split())) for k, v in rows if v not in (None, "", [], ())]


def weakened_words(d: dict, lang: str) -> dict:
    """``action`` and ``outcome`` of a ``protection_weakened`` message, in words (agent/gate.py)."""
    action, result = str(d.get("action") or "?"), str(d.get("result") or "?")
    from agent.gate import duration_words  # noqa: PLC0415
    seconds = d.get("seconds") if isinstance(d.get("seconds"), (int, float)) else None
    values = {"tool": d.get("tool") or "?", "fails": d.get("fails") or 1,
              "duration": duration_words(seconds, lang) if seconds is not None else "?"}
    outcome = next((w for k in (f"{action}_{result}", result)
                    if (w := _optional(f"gate.weak_result_{k}", lang, **values))), result)
    return {"action": _optional(f"gate.weak_action_{action}", lang, **values) or action, "outcome": outcome}


def _key(kind: str, d: dict) -> str:
    if kind == "started":
        return "started_after_crash" if d.get("after_crash") else "notices"
    if kind == "scam" and d.get("test"):
        return "test_scam"
    if kind == "remote_tool" and d.get("at_start"):
        return "remote_tool_at_start"
    if kind == "remote_tool" and d.get("after_alert"):
        return "remote_tool_after_alert"
    if kind == "risky_context" and d.get("kind") == "clickfix":
        return "clickfix"
    return kind if kind in KINDS else "other"


def _items(kind: str, d: dict, lang: str) -> tuple[str | None, list[str]]:
    """(heading, bullet lines) of the list part: the person's choices, or the notices."""
    if kind == "follow_up":
        return t("helper.chose_heading", lang, person=d["_person"]), follow_up_lines(d, lang)
    if kind == "notices":
        out = []
        for n in d.get("items") or ():
            what = n.get("kind")
            key = "paused_open" if what == "paused" and not n.get("minutes") else what
            words = _optional(f"helper.notice_{key}", lang, clock=_clock(n.get("time", ""), lang),
                              minutes=n.get("minutes", "?"))
            if words:
                out.append(words)
        return None, out
    if kind == "aftercare":       # the report of agent/respond/aftercare, already in words (its own bullets)
        return None, [" ".join(line.split()).lstrip("-•* ").strip() for line in str(d.get("text") or "").splitlines()
                      if line.strip().lstrip("-•* ")]
    return None, []


RISKY_ACTIONS = ("allow_tool", "my_helper", "its_my_helper", "allow_helper")


def unique_actions(actions) -> list[dict]:
    """Each answer once: the same button at the same second (a line read twice, a
    re-sent merge) counts once (pure)."""
    seen, out = set(), []
    for a in actions or ():
        if not isinstance(a, dict):
            continue
        key = (a.get("action"), str(a.get("time", ""))[:19], a.get("tool"), a.get("ok"))
        if key not in seen:
            seen.add(key)
            out.append(a)
    return out


def follow_up_lines(d: dict, lang: str) -> list[str]:
    """The follow-up's bullets: what leaves a risk first, worded as a risk; then how often
    the page came back; then each answer once, with its time (pure)."""
    person = d.get("_person") or t("helper.someone", lang)
    actions = unique_actions(d.get("actions"))
    returns = [r for r in d.get("returns") or () if isinstance(r, dict)]
    risks: list[str] = []
    safe = [a for a in actions if a.get("action") in ("safe", "im_safe")]
    safe_at = str(safe[0].get("time", "")) if safe else ""
    after = [r for r in returns if (safe_at and str(r.get("time", "")) >= safe_at) or r.get("after_safe")
             or r.get("open_after_safe")]
    if after:                # "I'm safe" pressed, yet the page was there again: a risk, not good news
        pressed = safe_at or str(after[0].get("after_safe") or after[0].get("time", ""))
        risks.append(t("helper.risk_safe_but_open", lang, person=person, clock=_clock(pressed, lang),
                       back=_clock(after[0].get("time", ""), lang)))
    for a in actions:
        if a.get("action") in RISKY_ACTIONS:
            risks.append(t("helper.risk_tool_allowed", lang, person=person, clock=_clock(a.get("time", ""), lang),
                           tool=a.get("tool_name") or a.get("tool") or "?"))
    lines = risks
    total = int(d.get("returns_total") or len(returns))
    if total:
        lines.append(t("helper.page_back", lang, count=total, last=_clock(returns[-1].get("time", ""), lang)))
    lines += [t("helper.chose_at", lang, clock=_clock(a.get("time", ""), lang), action=action_words(a, lang))
              for a in actions]
    return lines


def render(kind: str, data: dict | None, lang: str, *, when: _dt.datetime | None = None,
           person: str | None = None, host: str | None = None, msg_id: str = "",
           helper_phone: str | None = None) -> Message:
    """The message of one notification; unknown kinds get a generic text. ``helper_phone``:
    the number the alert shows the person (the helper's own), a fact of an alert message."""
    d = dict(data or {})
    if helper_phone is not None:
        d["_helper_phone"] = helper_phone.strip()
    if kind in NOTICE_KINDS and kind != "started" or kind == "started" and not d.get("after_crash"):
        d, kind = {"items": [{"kind": kind, "time": (when or _dt.datetime.now().astimezone()).isoformat(), **d}]}, \
            "notices"
    when = when or _dt.datetime.now().astimezone()
    name = " ".join((person or "").split())
    person = name or t("helper.someone", lang)
    d["_person"] = person
    host = host or computer()
    stamp = when.strftime(t("helper.time_format", lang))
    key = _key(kind, d)
    alert_at = d.get("alert_time")
    values = {"person": person, "when": stamp, "computer": t("helper.computer_of", lang, person=name) if name
              else t("helper.computer_of_someone", lang), "kind": kind, "certainty": certainty(d.get("score"), lang) or "",
              "when_alert": _clock(alert_at, lang) if alert_at else stamp}
    values["clock"] = _clock(d.get("time") or when.isoformat(), lang)
    values["tool"] = d.get("name") or d.get("tool") or ""
    values["alert_clock"] = _clock(d["after_alert_at"], lang) if d.get("after_alert_at") else ""
    if kind == "remote_tool" and d.get("after_alert") and not d.get("after_alert_at"):
        key = "remote_tool_after_alert_unknown"
    if kind == "protection_weakened":
        values.update(weakened_words(d, lang))
    title = t(f"helper.title_{key}", lang, **values)
    if kind == "follow_up" and d.get("_root_title"):
        title = t("helper.reply_prefix", lang) + str(d["_root_title"])
    elif kind == "protection_weakened" and d.get("_root_title"):   # urgent: its own words first, then the thread
        title = f"{title} — {t('helper.reply_prefix', lang)}{d['_root_title']}"
    intro_key = "follow_up_none" if kind == "follow_up" and not d.get("actions") and not d.get("returns") \
        else key
    intro = t(f"helper.intro_{intro_key}", lang, **values)
    facts = _facts(kind, d, lang, host, stamp)
    heading, items = _items(kind, d, lang)
    todo = _optional(f"helper.todo_{key}", lang, **values)
    footer = t("helper.footer", lang, msg_id=msg_id)
    thread = {"message": msg_id, "reply_to": str(d.get("_reply_to") or "")}
    return Message(title, _text(intro, facts, heading, items, todo, lang, footer),
                   _html(title, intro, facts, heading, items, todo, lang, footer, thread))


def _wrap(text: str, indent: str = "", first: str = "") -> list[str]:
    """Lines of ``WIDTH``; a long address or path stays whole up to ``MAX_LINE``."""
    lines = textwrap.wrap(text, WIDTH, initial_indent=first or indent, subsequent_indent=indent,
                          break_long_words=False, break_on_hyphens=False) or [""]
    out: list[str] = []
    for line in lines:
        out += textwrap.wrap(line, MAX_LINE, subsequent_indent=indent, break_long_words=True,
                             break_on_hyphens=False) if len(line) > MAX_LINE else [line]
    return out


def _text(intro, facts, heading, items, todo, lang, footer) -> str:
    out = _wrap(intro) + [""]
    if items:
        if heading:
            out += _wrap(heading + " :" if lang == "fr" else heading + ":")
        for item in items:
            out += _wrap(item, "    ", "  - ")
        out.append("")
    if facts:
        out += _wrap(t("helper.facts_heading", lang) + (" :" if lang == "fr" else ":"))
        for label, value in facts:
            out += _wrap(f"{label}{' :' if lang == 'fr' else ':'} {value}", "      ", "  - ")
        out.append("")
    if todo:
        out += _wrap(t("helper.todo_heading", lang) + (" : " if lang == "fr" else ": ") + todo) + [""]
    out += _wrap(footer)
    return "\n".join(out).strip() + "\n"


def _html(title, intro, facts, heading, items, todo, lang, footer, thread=None) -> str:
    e = html.escape
    meta = "".join(f"<meta name=\"vigie-{k}\" content=\"{e(v)}\">" for k, v in (thread or {}).items() if v)
    parts = [f"<!DOCTYPE html><html lang=\"{e(lang)}\"><head><meta charset=\"utf-8\">{meta}<title>{e(title)}</title>",
             "</head><body style=\"font-family:Arial,Helvetica,sans-serif;font-size:16px;line-height:1.45;"
             "color:#1a1a1a;max-width:720px\">",
             f"<h2 style=\"font-size:20px\">{e(title)}</h2>", f"<p>{e(intro)}</p>"]
    if items:
        if heading:
            parts.append(f"<p><b>{e(heading)}</b></p>")
        parts.append("<ul>" + "".join(f"<li>{e(i)}</li>" for i in items) + "</ul>")
    if todo:
        parts.append(f"<p style=\"background:#fff4d6;padding:10px;border-left:4px solid #d98c00\">"
                     f"<b>{e(t('helper.todo_heading', lang))}</b><br>{e(todo)}</p>")
    if facts:
        parts.append(f"<p><b>{e(t('helper.facts_heading', lang))}</b></p>")
        warn = t("helper.fact_phones", lang)      # the scam's number: in red, "do not call"
        parts.append("<table style=\"border-collapse:collapse\">" + "".join(
            f"<tr><th style=\"text-align:left;vertical-align:top;padding:4px 12px 4px 0;color:#555\">{e(k)}</th>"
            f"<td style=\"padding:4px 0{';color:#b00000;font-weight:bold' if k == warn else ''}\">{e(v)}</td></tr>"
            for k, v in facts) + "</table>")
    parts += [SCREENSHOT_SLOT, f"<p style=\"color:#777;font-size:12px\">{e(footer)}</p>", "</body></html>"]
    return "\n".join(parts)


def screenshot_html(cid: str, lang: str) -> str:
    """What an e-mail puts at ``SCREENSHOT_SLOT`` when it carries the screenshot inline."""
    return (f"<p>{html.escape(t('helper.screenshot_caption', lang))}</p>"
            f"<p><img src=\"cid:{html.escape(cid)}\" alt=\"\" style=\"max-width:100%;border:1px solid #ccc\"></p>")
