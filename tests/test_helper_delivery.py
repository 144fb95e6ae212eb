"""Helper notifications end to end against real servers on 127.0.0.1: content, language,
attachments, a dead server, a wrong password, the sender thread, start-after-crash and the
heartbeat clock."""
from __future__ import annotations

import base64
import logging
import os
import socket
import time
from pathlib import Path

import pytest
from PIL import Image

from agent.config import Settings
from agent.respond.helper import secrets
from agent.respond.helper.notifier import HelperNotifier
from agent.respond.helper.outbox import Outbox
from tests.test_helper_servers import SilentServer, SmtpServer, hook, smtp, wait_for  # noqa: F401

SCAM = {"family": "tss", "title": "Security Alert - Your computer is locked", "phones": ["+1 800-555-0142"],
        "process": "chromium", "incident": "/data/evidence/2026-01-05_1012_tss", "score": 0.91,
        "signals": [{"text": "do not restart your computer"}, {"text": "call support now"}],
        "action": "close_page"}


@pytest.fixture
def shot(tmp_path):
    path = tmp_path / "screenshot.png"
    Image.new("RGB", (64, 48), (0, 60, 200)).save(path)
    return path


def settings(*urls, **kw) -> Settings:
    kw.setdefault("language", "en")
    kw.setdefault("helper_heartbeat_hours", 0.0)
    return Settings(helper_notify=tuple(urls), **kw)


def body_of(msg) -> str:
    return msg.get_body(preferencelist=("plain",)).get_content()


def test_scam_reaches_smtp_and_webhook_with_everything_the_helper_needs(smtp, hook, shot):
    n = HelperNotifier(settings(smtp.url(), hook.url(), helper_attach_screenshot=True,
                                helper_person_name="Jeanne"))
    ids = n.notify("scam", SCAM, attachments=[shot])
    assert len(ids) == 2
    assert n.flush(timeout=60) == {"sent": 2, "failed": 0, "pending": 0}
    host, user = socket.gethostname(), __import__("getpass").getuser()
    (mail,) = smtp.messages
    text = " ".join(body_of(mail).split())
    assert "scam" in mail["Subject"] and "Jeanne" in mail["Subject"]
    for expected in ("fake technical support", "+1 800-555-0142 (DO NOT CALL)", "almost certainly a scam",
                     "Security Alert - Your computer is locked", f"Computer: {host}", "Call Jeanne now",
                     "do not restart your computer", n.last_msg_id):
        assert expected in text, expected
    assert f"user {user}" not in text
    assert mail["Vigie-Message-Id"] == n.last_msg_id
    images = [p for p in mail.walk() if p.get_content_maintype() == "image"]
    assert [p.get_filename() for p in images] == ["screenshot.png"]
    assert images[0].get_content() == shot.read_bytes()
    cid = images[0]["Content-ID"].strip("<>")
    assert f"cid:{cid}" in mail.get_body(preferencelist=("html",)).get_content()
    (headers, payload), = hook.received
    assert headers["Vigie-Message-Id"] == n.last_msg_id
    assert "+1 800-555-0142" in payload["message"] and "scam" in payload["title"]
    assert base64.b64decode(payload["attachments"][0]["base64"]) == shot.read_bytes()
    assert all(s["last_success"] and s["pending"] == 0 for s in n.status())


def test_no_attachment_unless_the_helper_asked_and_french_text(smtp, shot):
    n = HelperNotifier(settings(smtp.url(), language="fr"))
    n.notify("remote_tool", {"tool": "anydesk", "name": "AnyDesk", "pid": 4242, "exe": "/opt/anydesk/anydesk"},
             attachments=[shot])
    n.flush(timeout=60)
    (mail,) = smtp.messages
    assert list(mail.iter_attachments()) == []
    text = body_of(mail)
    assert "prise en main à distance" in mail["Subject"]
    assert "Logiciel de prise en main à distance : AnyDesk" in text and "/opt/anydesk/anydesk" in text
    assert "Référence du message Vigie" in text


def test_dead_server_shows_plain_status_then_sender_delivers_all_once(smtp, hook):
    box = Outbox(backoff_base=0.2, backoff_cap=1.0)
    n = HelperNotifier(settings(smtp.url(), hook.url()), outbox=box)
    smtp.stop()
    hook.status = 503
    n.start(announce=False)
    try:
        sent = []
        for i in range(5):
            n.notify("scam", {**SCAM, "title": f"alert {i}"})
            sent.append(n.last_msg_id)
        status = wait_for(lambda: [s for s in n.status() if s["last_failure"]] == n.status() and n.status())
        by_url = {s["url"].split(":")[0]: s for s in status}
        assert by_url["mailto"]["error_code"] == "refused"
        assert by_url["mailto"]["last_error"].startswith("could not reach the server")
        assert by_url["json"]["error_code"] == "server_error"
        assert by_url["mailto"]["pending"] == 5 and by_url["json"]["pending"] == 5
        assert not by_url["mailto"]["last_success"]
        smtp.start()  # same port again
        hook.status = 200
        assert wait_for(lambda: n.pending() == 0)
    finally:
        n.stop()
    assert sorted(smtp.ids()) == sorted(sent)  # every one, none twice
    assert sorted(hook.ids()) == sorted(sent)
    assert all(s["last_success"] > s["last_failure"] for s in n.status())


def test_wrong_password_is_kept_explained_and_never_leaks(tmp_path, caplog):
    caplog.set_level(logging.DEBUG)
    srv = SmtpServer(password="right-horse-7").start()
    try:
        url, values = secrets.split_url(srv.url(user="marie").replace("right-horse-7", "wrong-pass-9"))
        secrets.store(values)
        n = HelperNotifier(settings(url))
        n.notify("scam", SCAM)
        assert n.flush(timeout=60)["failed"] == 1
        (st,) = n.status()
        assert st["error_code"] == "auth" and "password" in st["last_error"] and st["pending"] == 1
        assert n.outbox.rows()[0]["state"] == "failed"  # permanent, but kept
        assert srv.messages == []
        key = secrets.refs(url)[0]
        secrets.store({key: "right-horse-7"})  # the helper fixed it
        assert n.flush(timeout=60)["sent"] == 1
        assert len(srv.messages) == 1
        leaked = [f for f in tmp_path.rglob("*") if f.is_file() and f.name != "secrets.toml"
                  and any(s in f.read_bytes() for s in (b"wrong-pass-9", b"right-horse-7"))]
        assert leaked == []
        for s in ("wrong-pass-9", "right-horse-7"):
            assert s not in caplog.text and s not in repr(n.status())
        sec = secrets.secrets_file()
        assert oct(sec.stat().st_mode & 0o777) == "0o600"
    finally:
        srv.stop()


def test_start_after_crash_is_announced_clean_stop_is_not(smtp):
    s = settings(smtp.url())
    marker = Path(os.environ["VIGIE_DATA_DIR"]) / "state" / "running"
    marker.parent.mkdir(parents=True)
    marker.write_text("12345")  # what a crashed run leaves behind
    n = HelperNotifier(s)
    n.start()
    assert n.after_crash and marker.exists()
    n.stop()
    assert not marker.exists()
    n2 = HelperNotifier(s)
    n2.start()
    assert not n2.after_crash
    n2.stop()
    assert wait_for(lambda: len(smtp.messages) == 1)
    assert "unexpected stop" in body_of(smtp.messages[0])
    n3 = HelperNotifier(s)      # a clean start is no news: nothing more is sent
    n3.start()
    n3.stop()
    assert len(smtp.messages) == 1 and not n3.after_crash
    assert [r["kind"] for r in n3.outbox.rows()] == ["started"]


def test_heartbeat_on_schedule_survives_restarts_without_spam(smtp):
    s = settings(smtp.url(), helper_heartbeat_hours=1.0)
    box = Outbox()
    box.set_meta("last_heartbeat", repr(time.time() - 2 * 3600))  # last one 2 h ago
    n = HelperNotifier(s, outbox=box)
    n.start(announce=False)
    assert wait_for(lambda: len(smtp.messages) == 1)
    n.stop()
    assert "protecting the computer" in body_of(smtp.messages[0])
    again = HelperNotifier(s)  # a restart: the clock is in the outbox, nothing is due
    remaining = again._heartbeat_due_in()
    assert 3500 < remaining <= 3600
    assert [r["kind"] for r in again.outbox.rows()] == ["heartbeat"]


def test_no_channel_and_broken_data_dir_never_raise(tmp_path, monkeypatch):
    assert HelperNotifier(settings()).notify("scam", SCAM) == []
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("x")
    monkeypatch.setenv("VIGIE_DATA_DIR", str(blocker))
    n = HelperNotifier(settings("json://127.0.0.1:9/x"))
    assert n.notify("scam", SCAM) == []  # logged, and the alert to the person is unaffected


def test_quit_with_a_stalled_server_stops_anyway_and_keeps_the_message():
    silent = SilentServer()
    try:
        n = HelperNotifier(settings(f"mailto://127.0.0.1:{silent.port}?from=v@example.org&to=h@example.org"
                                    "&mode=insecure"))
        n.start(announce=False)
        n.notify("quit", {})
        n.stop(timeout=1.0)  # returns although the server never answers
    finally:
        silent.stop()
    (row,) = n.outbox.rows()
    assert row["kind"] == "notices" and row["state"] in ("pending", "sending")
    box = Outbox()
    box.recover(alive=lambda owner: False)  # what the next start sees once this process has exited
    assert box.rows()[0]["state"] == "pending"


def test_a_crash_loop_tells_the_helper_once_an_hour_with_the_count(smtp):
    s = settings(smtp.url())
    state = Path(os.environ["VIGIE_DATA_DIR"]) / "state"
    for _ in range(4):                                  # four starts, each after a kill -9
        state.mkdir(parents=True, exist_ok=True)
        (state / "running").write_text("1")
        n = HelperNotifier(s)
        n.start()
        n.stop()
    assert wait_for(lambda: len(smtp.messages) == 1)
    box = Outbox()
    box.set_meta("last_crash_notice", repr(time.time() - 3700))  # an hour later, one more crash
    (state / "running").write_text("1")
    n = HelperNotifier(s)
    n.start()
    n.stop()
    assert wait_for(lambda: len(smtp.messages) == 2)
    last = " ".join(body_of(smtp.messages[1]).split())
    assert "Other unexpected stops in the hour before (not told one by one): 3" in last
