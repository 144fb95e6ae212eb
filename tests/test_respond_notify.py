"""Desktop notification to the real dunst, speech with the real espeak-ng, and the safe
fallbacks: no display, no notification daemon, no speech engine."""
from __future__ import annotations

import json
import logging
import subprocess
import wave

import pytest

from agent import events
from agent.config import Settings
from agent.detect.verdict import Verdict
from agent.respond import desktop_notify, speech
from agent.respond.evidence import store as evidence
from agent.respond.responder import Responder
from tests.waiting import wait_for


wait_until = wait_for   # same defaults: 30 s, every 0.1 s


def dunst_summaries() -> list[str]:
    """Close what dunst shows, then read its history (displayed ones are not in it)."""
    subprocess.run(["dunstctl", "close-all"], check=True)
    out = subprocess.run(["dunstctl", "history"], capture_output=True, text=True, check=True).stdout
    items = json.loads(out)["data"][0]
    return [i["summary"]["data"] + " | " + i["body"]["data"] for i in items]


def summons() -> Verdict:
    return Verdict("scam", "summons", 0.8, text="Convocation fictive: payez l'amende par e-mail")


@pytest.fixture(autouse=True)
def reset_once():
    desktop_notify._once.reset("notify")
    speech._once.reset("speech")


@pytest.mark.desktop
def test_notification_reaches_dunst(desktop):
    assert desktop_notify.notify("Vigie: direct test", "body text")
    assert any("Vigie: direct test | body text" in s for s in dunst_summaries())


@pytest.mark.desktop
def test_responder_notifies_in_the_users_language(desktop):
    r = Responder(Settings(language="fr", speak=False))
    try:
        incident = r.on_scam(summons(), None, None, None)
        assert incident is not None and evidence.verify(incident) == []
        assert wait_until(lambda: int(subprocess.run(["dunstctl", "count", "displayed"], capture_output=True,
                                                     text=True).stdout.strip() or 0) >= 1)
        found = [s for s in dunst_summaries() if s.startswith("Vigie : c'est une arnaque")]
        assert found and "la police ne demande jamais d'amende par e-mail" in found[0]
        gui = r.processes[-1]
        shown = gui.wait_for("shown", 30)
        assert "close_page" not in shown["buttons"]        # an e-mail/text scan: no browser to close
    finally:
        r.close_windows()


@pytest.mark.parametrize("lang,voice", [("fr", "fr-fr"), ("en", "en-gb"), ("de", "en-gb")])
def test_speech_uses_the_language_voice(tmp_path, lang, voice):
    cmd = speech.espeak_command("Bonjour", lang)
    if cmd is None:
        pytest.skip("espeak-ng is not installed")
    assert cmd[cmd.index("-v") + 1] == voice
    wav = tmp_path / "warning.wav"
    assert speech.speak("Attention, message de Vigie. N'appelez pas le numéro.", lang, wait=True, wav=wav)
    with wave.open(str(wav)) as w:
        assert w.getnframes() / w.getframerate() > 1.0      # more than a second of real speech


def test_missing_speech_engine_is_logged_once(monkeypatch, tmp_path, caplog):
    monkeypatch.setenv("PATH", str(tmp_path))              # no espeak-ng, no espeak
    with caplog.at_level(logging.WARNING, logger="agent.respond.speech"):
        assert speech.speak("Attention", "fr") is False
        assert speech.speak("Attention", "fr") is False
    assert len([r for r in caplog.records if "espeak-ng is not installed" in r.getMessage()]) == 1


def test_no_display_no_daemon_still_keeps_evidence_and_logs(monkeypatch, caplog):
    monkeypatch.delenv("DISPLAY", raising=False)
    monkeypatch.setenv("DBUS_SESSION_BUS_ADDRESS", "unix:path=/nonexistent/vigie-test-bus")
    with caplog.at_level(logging.ERROR, logger="agent.respond.desktop_notify"):
        assert desktop_notify.notify("Vigie", "test") is False
    assert any("desktop notification failed" in r.getMessage() for r in caplog.records)
    r = Responder(Settings(language="en", speak=True))
    incident = r.on_scam(summons(), None, None, None)
    assert incident is not None and evidence.verify(incident) == []
    gui = r.processes[-1]
    error = gui.wait_for("error", 30)
    assert error is not None and gui.proc.wait(10) == 2
    assert [e["type"] for e in events.read()] == ["alert_shown"]


def test_alert_without_evidence_folder_still_alerts(monkeypatch, tmp_path):
    monkeypatch.delenv("DISPLAY", raising=False)
    from agent import paths
    paths.ensure_dir(paths.data_dir())
    paths.evidence_dir().write_text("not a folder")        # evidence cannot be written
    calls = []

    class Rec:
        def notify(self, kind, data, attachments=()):
            calls.append(kind)
    r = Responder(Settings(language="en", speak=False), Rec())
    assert r.on_scam(summons(), None, None, None) is None
    assert calls == ["scam"] and r.processes
    assert r.processes[-1].wait_for("error", 30) is not None


def test_test_trigger_keeps_no_evidence_and_says_it_is_a_test(monkeypatch):
    monkeypatch.delenv("DISPLAY", raising=False)
    calls = []

    class Rec:
        def notify(self, kind, data, attachments=()):
            calls.append((kind, data))
    r = Responder(Settings(language="en", speak=False), Rec())
    assert r.on_scam(summons(), None, None, "test") is None
    from agent import paths
    assert not paths.evidence_dir().exists()
    assert "--kind" in r.processes[-1].argv and r.processes[-1].argv[r.processes[-1].argv.index("--kind") + 1] == "test"
    assert calls[0][0] == "scam" and calls[0][1]["test"] is True
    assert [e["type"] for e in events.read()] == ["test_alert_shown"]


@pytest.mark.desktop
def test_vigie_notifications_go_away_by_themselves_and_a_test_says_test(desktop):
    """Normal urgency with an expiry (dunst keeps critical ones until clicked): the pop-up
    leaves without anyone touching it; the test alert's pop-up says it is a test."""
    subprocess.run(["dunstctl", "close-all"], check=True)
    r = Responder(Settings(language="en", speak=False))
    try:
        r.on_scam(Verdict("scam", "tss", 0.9, text="test"), None, None, "test")
        displayed = lambda: int(subprocess.run(["dunstctl", "count", "displayed"], capture_output=True,  # noqa: E731
                                               text=True).stdout.strip() or 0)
        assert wait_until(lambda: displayed() >= 1)
        assert wait_until(lambda: displayed() == 0, timeout=60)      # gone by itself (15 s expiry)
        out = subprocess.run(["dunstctl", "history"], capture_output=True, text=True, check=True).stdout
        summaries = [i["summary"]["data"] + " | " + i["body"]["data"] for i in json.loads(out)["data"][0]]
        assert summaries and summaries[0].startswith("Vigie: TEST alert | This is only a test")
        assert "this is a scam" not in summaries[0]            # (the history's newest first)
    finally:
        r.close_windows()
    assert desktop_notify.MAX_SECONDS <= 15
