"""apprise channels: plain-words error codes from real failures on 127.0.0.1, message-id
headers, secrets scrubbed from details."""
from __future__ import annotations

import pytest

from agent.i18n import t
from agent.respond.helper import channels
from tests.test_helper_servers import SilentServer, SmtpServer, WebhookServer


def mail(port: int, extra: str = "") -> str:
    return f"mailto://127.0.0.1:{port}?from=vigie@example.org&to=helper@example.org&mode=insecure{extra}"


def test_refused_when_nobody_listens():
    srv = SmtpServer().start()
    port = srv.port
    srv.stop()
    r = channels.send(mail(port), "t", "b")
    assert not r.ok and r.code == "refused" and not r.permanent
    assert "Connection refused" in r.detail


def test_timeout_when_the_server_never_answers():
    silent = SilentServer()
    try:
        r = channels.send(mail(silent.port, "&cto=1"), "t", "b")
    finally:
        silent.stop()
    assert not r.ok and r.code == "timeout" and not r.permanent


@pytest.mark.parametrize("status,code,permanent", [(401, "auth", True), (404, "not_found", True),
                                                   (503, "server_error", False)])
def test_webhook_http_errors(status, code, permanent):
    hook = WebhookServer().start()
    hook.status = status
    try:
        r = channels.send(hook.url(), "t", "b", msg_id="vigie-x")
    finally:
        hook.stop()
    assert (r.ok, r.code, r.permanent) == (False, code, permanent)
    assert t(f"helper.error_{code}", "fr") != f"helper.error_{code}"


def test_wrong_password_is_auth_and_scrubbed():
    srv = SmtpServer(password="good-one").start()
    try:
        url = srv.url(user="bob").replace("good-one", "bad-Secret-42")
        r = channels.send(url, "t", "b", secrets=["bad-Secret-42"])
        ok = channels.send(srv.url(user="bob"), "t", "b", msg_id="vigie-1")
    finally:
        srv.stop()
    assert (r.ok, r.code, r.permanent) == (False, "auth", True)
    assert "bad-Secret-42" not in r.detail
    assert ok.ok and srv.ids() == ["vigie-1"]


def test_bad_url_and_missing_attachment():
    assert channels.check_url("nosuchscheme://x") == "bad_url"
    assert channels.send("nosuchscheme://x", "t", "b").code == "bad_url"
    hook = WebhookServer().start()
    try:
        r = channels.send(hook.url(), "t", "b", attachments=["/nonexistent/shot.png"])
    finally:
        hook.stop()
    assert r.ok and "missing" in r.detail and len(hook.received) == 1  # the text still went


def test_message_id_header_only_where_supported():
    assert channels.with_message_id("json://h/x", "m1") == "json://h/x?+Vigie-Message-Id=m1"
    assert channels.with_message_id("mailtos://u@h?to=a@b", "m1").endswith("&+Vigie-Message-Id=m1")
    assert channels.with_message_id("tgram://token/chat", "m1") == "tgram://token/chat"


def test_classify_and_scrub_are_pure():
    assert channels.classify("WARNING: x\nSocket Exception: (535, b'5.7.8 Authentication failed')") == "auth"
    assert channels.classify("Socket Exception: [Errno -2] Name or service not known") == "dns"
    assert channels.classify("Socket Exception: [SSL: CERTIFICATE_VERIFY_FAILED]") == "tls"
    assert channels.classify("something odd") == "unknown"
    assert channels.scrub("user p@ss and p%40ss", ["p@ss"]) == "user *** and ***"
