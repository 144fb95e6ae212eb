"""One conversation per incident, read from a real SMTP server's mailbox: the alert, then
its follow-up threaded under it (In-Reply-To/References, "Re: " + the alert's subject
naming the time and kind), the page's returns folded into one line with their count,
each answer once, "I'm safe" while the page was still open and an allowed tool worded as
risks, the remote-tool message saying it follows the scam alert, the test alert's
conversation apart; the aftercare report without doubled bullets. Rendered mails go to
build/artefacts/helper-thread-*.png."""
from __future__ import annotations

import pytest

from agent.config import Settings
from agent.respond.helper import mail as mailmod
from agent.respond.helper import messages
from agent.respond.helper.notifier import HelperNotifier
from tests.test_helper_mail import SCAM, render_artefact
from tests.test_helper_servers import mail_url, smtp, wait_for  # noqa: F401 - the fixture

WORDS = {
    "en": {"subject": "Vigie: scam stopped at 10:12 on Jeanne's computer", "back": "The page came back 3 time(s)",
           "safe_risk": "RISK: Jeanne pressed \"I'm safe\" at 10:14", "tool_risk": "RISK: at",
           "after_alert": "just after the scam alert of 10:12", "test": "TEST alert"},
    "fr": {"subject": "Vigie : arnaque arrêtée à 10 h 12 sur l'ordinateur de Jeanne", "back": "La page est revenue 3 fois",
           "safe_risk": "RISQUE : Jeanne a appuyé sur « Je suis en sécurité » à 10 h 14", "tool_risk": "RISQUE : à",
           "after_alert": "juste après l'alerte arnaque de 10 h 12", "test": "alerte d'ESSAI"},
}


def _text(mail) -> str:
    return mail.get_body(preferencelist=("plain",)).get_content()


def _flat(mail) -> str:
    return " ".join(_text(mail).split())


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_each_incident_is_one_conversation(smtp, tmp_path, lang):
    w = WORDS[lang]
    n = HelperNotifier(Settings(language=lang, helper_notify=(mail_url(smtp),), helper_person_name="Jeanne",
                                helper_heartbeat_hours=0.0))
    inc = SCAM["incident"]
    n.notify("scam", {**SCAM, "time": "2026-01-05T10:12:00+01:00"})
    n.notify("scam", {"family": "tss", "test": True, "thread": "test", "time": "2026-01-05T10:11:00+01:00"})
    n.notify("alert_action", {"thread": "test", "action": "dismissed", "time": "2026-01-05T10:11:05+01:00"})
    n.incident_closed("test")
    for minute in ("10:13", "10:14:30", "10:15"):          # the same page, back three times
        n.notify("page_back", {"incident": inc, "time": f"2026-01-05T{minute}+01:00", "title": SCAM["title"]})
    press = {"incident": inc, "action": "safe", "time": "2026-01-05T10:14:00+01:00"}
    n.notify("alert_action", press)
    n.notify("alert_action", dict(press))                   # the same answer read twice
    n.notify("alert_action", {"incident": inc, "action": "close_page", "ok": True,
                              "time": "2026-01-05T10:15:10+01:00"})
    n.notify("remote_tool", {"tool": "anydesk", "name": "AnyDesk", "pid": 4242, "after_alert": True,
                             "after_alert_at": "2026-01-05T10:12:00+01:00", "thread": "tool-anydesk-4242",
                             "time": "2026-01-05T10:19:00+01:00"})
    n.notify("alert_action", {"thread": "tool-anydesk-4242", "action": "allow_tool", "tool": "anydesk",
                              "time": "2026-01-05T10:19:30+01:00"})
    n.incident_closed(inc)
    n.incident_closed("tool-anydesk-4242")
    n.flush(timeout=60)
    assert wait_for(lambda: len(smtp.messages) >= 6)
    n.flush(timeout=10)
    mails = {m["Vigie-Message-Id"]: m for m in smtp.messages}
    assert len(mails) == len(smtp.messages) == 6            # 3 alerts, 3 follow-ups: nothing twice
    roots = [m for m in mails.values() if not m["In-Reply-To"]]
    replies = [m for m in mails.values() if m["In-Reply-To"]]
    assert len(roots) == 3 and len(replies) == 3
    by_id = {m["Message-ID"]: m for m in roots}
    for r in replies:                                        # each follow-up under its own alert
        parent = by_id[r["In-Reply-To"]]
        assert r["References"] == r["In-Reply-To"] and r["Subject"] == messages_reply(lang) + parent["Subject"]
    scam = next(m for m in roots if m["Subject"] == w["subject"])
    follow = next(r for r in replies if r["In-Reply-To"] == scam["Message-ID"])
    flat = _flat(follow)
    assert w["back"] in flat and w["safe_risk"] in flat
    assert flat.count({"en": "\"I'm safe\"", "fr": "« Je suis en sécurité »"}[lang]) == 2   # the risk + the answer once
    assert flat.index(w["safe_risk"]) < flat.index(w["back"])          # the risk first
    tool = next(m for m in roots if "AnyDesk" in m["Subject"])
    assert w["after_alert"] in tool["Subject"]
    tool_follow = next(r for r in replies if r["In-Reply-To"] == tool["Message-ID"])
    assert w["tool_risk"] in _flat(tool_follow) and "AnyDesk" not in _flat(follow)
    test = next(m for m in roots if w["test"] in m["Subject"])
    test_follow = next(r for r in replies if r["In-Reply-To"] == test["Message-ID"])
    assert "safe" not in _text(test_follow).lower() or lang == "fr"
    assert w["back"] not in _flat(test_follow)
    render_artefact(follow, lang, "helper-thread-follow-up")
    render_artefact(tool, lang, "helper-thread-remote-tool")


def messages_reply(lang: str) -> str:
    from agent.i18n import t
    return t("helper.reply_prefix", lang)


def test_message_ids_are_stable_and_a_follow_up_names_its_parent():
    msg = messages.render("follow_up", {"actions": [{"action": "safe", "time": "2026-01-05T10:14:00+01:00"}],
                                        "_reply_to": "vigie-1-abc", "_root_title": "Vigie: scam"}, "en", msg_id="m-2")
    assert msg.title == "Re: Vigie: scam"
    assert mailmod.thread_of(msg.html) == {"message": "m-2", "reply_to": "vigie-1-abc"}
    assert mailmod.message_id("vigie-1-abc") == "<vigie-1-abc@vigie.invalid>"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_aftercare_report_keeps_one_bullet_per_line(lang):
    text = "Who connected:\n- 14:02 from 203.0.113.9\n\nAdded during the session:\n- Started at log-on: x.exe\n"
    msg = messages.render("aftercare", {"text": text}, lang, msg_id="m")
    assert "- - " not in msg.text and "  - Started at log-on: x.exe" in msg.text
