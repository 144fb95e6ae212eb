"""From a plain e-mail address to a working apprise address (pure parts, checked through
apprise itself): the nine big providers each name their password page in both languages
and get their server from apprise's templates or Vigie's file; an autoconfig document is
read; a typed server is probed on a real SMTP server on loopback; channels in words."""
from __future__ import annotations

import apprise
import pytest

from agent.respond.helper import describe, mailsetup
from tests.test_helper_servers import SmtpServer

BIG = {"gmail.com": "smtp.gmail.com", "hotmail.fr": "smtp-mail.outlook.com", "outlook.com": "smtp.outlook.com",
       "yahoo.fr": "smtp.mail.yahoo.com", "orange.fr": "smtp.orange.fr", "free.fr": "smtp.free.fr",
       "sfr.fr": "smtp.sfr.fr", "laposte.net": "smtp.laposte.net", "gmx.fr": "mail.gmx.com",
       "icloud.com": "smtp.mail.me.com"}


@pytest.mark.parametrize("domain", sorted(BIG))
def test_each_big_provider_is_known_with_its_page_and_server(domain):
    address = f"marie.dupont@{domain}"
    p = mailsetup.provider_for(address)
    assert p is not None and p.page("en") and p.page("fr") and p.page("fr") != p.page("en")
    obj = apprise.Apprise.instantiate(mailsetup.mail_url(address, "s3cret/pw", p))
    assert obj.smtp_host == BIG[domain] and obj.password == "s3cret/pw"
    assert obj.user == address and obj.targets[0][1] == address
    assert obj.secure and obj.secure_mode in ("ssl", "starttls")


def test_app_password_providers_and_plain_password_ones():
    needs = {d for d in BIG if mailsetup.provider_for(f"x@{d}").app_password}
    assert needs == {"gmail.com", "hotmail.fr", "outlook.com", "yahoo.fr", "gmx.fr", "icloud.com"}


def test_autoconfig_document_and_unknown_domains():
    xml = b"""<?xml version="1.0"?><clientConfig version="1.1"><emailProvider id="example.org">
      <incomingServer type="imap"><hostname>imap.example.org</hostname><port>993</port></incomingServer>
      <outgoingServer type="smtp"><hostname>smtp.example.org</hostname><port>465</port>
      <socketType>SSL</socketType></outgoingServer></emailProvider></clientConfig>"""
    p = mailsetup.parse_autoconfig(xml, "a@example.org")
    assert (p.smtp, p.port, p.mode, p.source) == ("smtp.example.org", 465, "ssl", "autoconfig")
    assert mailsetup.parse_autoconfig(b"<not xml", "a@example.org") is None
    assert mailsetup.provider_for("a@vigie-test.invalid") is None
    assert mailsetup.discover("a@vigie-test.invalid", timeout=2) is None        # no such domain: None, quickly
    assert [mailsetup.looks_like_address(a) for a in ("a@b.fr", "mailtos://u:p@x.fr", "a@b", "a b@c.fr")] == \
        [True, False, False, False]
    assert mailsetup.parse_server("smtp.x.fr:465") == ("smtp.x.fr", 465) and mailsetup.parse_server("a b") is None


def test_a_typed_server_is_probed_for_its_security():
    srv = SmtpServer().start()
    try:
        assert mailsetup.probe("127.0.0.1", srv.port) == ("insecure", srv.port)   # no STARTTLS offered
    finally:
        srv.stop()
    assert isinstance(mailsetup.probe("127.0.0.1", srv.port, timeout=3), str)   # nothing listens: the reason


@pytest.mark.parametrize("url, en, fr", [
    ("mailtos://marie%40example.fr:{secret:ab12}@example.fr?from=marie@example.fr&to=marie@example.fr",
     "e-mail to m…@example.fr", "e-mail à m…@example.fr"),
    ("ntfys://ntfy.sh/{secret:ab12}", "phone notifications (ntfy app, topic kept private on ntfy.sh)",
     "notifications sur téléphone (appli ntfy, sujet gardé secret sur ntfy.sh)"),
    ("tgram://{secret:ab12}/12345", "Telegram message", "message Telegram"),
])
def test_channels_in_words_never_show_a_secret(url, en, fr):
    assert describe.in_words(url, "en") == en and describe.in_words(url, "fr") == fr
