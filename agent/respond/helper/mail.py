"""E-mail to the helper, written by Vigie: ``send(url, title, text, html, ...)``.

apprise reads the ``mailto://``/``mailtos://`` address (its provider templates fill in the
server, port and security of Gmail, Outlook, Free…) but its e-mail writer turns the HTML
into one long plain-text line per paragraph; here the message is built with the standard
library instead: ``multipart/alternative`` with Vigie's own plain text (short lines) and
HTML, the screenshot inline (``multipart/related``) at the HTML's screenshot slot, a
``Vigie-Message-Id`` header, a Message-ID made of Vigie's message id, and for a follow-up
``In-Reply-To``/``References`` naming its alert's (so mail programs show one conversation
per incident; apprise's writer cannot set these). Sent with ``smtplib`` (SSL, STARTTLS or plain as apprise
decided). Returns a :class:`channels.Result`; never raises. Sender thread or CLI.
"""
from __future__ import annotations

import email.policy
import email.utils
import mimetypes
import re
import smtplib
import ssl
from email.message import EmailMessage
from pathlib import Path

from agent.respond.helper import messages

SCHEMES = ("mailto", "mailtos")
# Headers are not folded at 78 columns: Python's folding of a long non-ASCII subject into
# several encoded words loses the space between them ("arrêtée à" read back as "arrêteeà");
# 998 is the line limit of RFC 5322.
POLICY = email.policy.default.clone(max_line_length=998)
ID_DOMAIN = "vigie.invalid"       # Message-IDs are Vigie's own message ids: a resend keeps its id
_META = re.compile(r'<meta name="vigie-(message|reply_to)" content="([^"<>]*)">')


def message_id(msg_id: str) -> str:
    """The e-mail Message-ID of a Vigie message id (stable: a retry is the same message)."""
    safe = re.sub(r"[^A-Za-z0-9._-]", "", msg_id)
    return f"<{safe}@{ID_DOMAIN}>" if safe else email.utils.make_msgid("vigie")


def thread_of(html: str) -> dict:
    """``{"message": …, "reply_to": …}`` as :mod:`messages` wrote them in the HTML head."""
    return {k: v for k, v in _META.findall(html or "")}


def is_mail(url: str) -> bool:
    return url.split("://", 1)[0].lower() in SCHEMES


def _addr(pair) -> str:
    if isinstance(pair, (tuple, list)) and len(pair) == 2:
        return email.utils.formataddr((pair[0] or "", pair[1])) if pair[0] else pair[1]
    return str(pair)


def build(obj, title: str, text: str, html: str, attachments=(), msg_id: str = "",
          lang: str = "en") -> EmailMessage:
    """The message for apprise's e-mail object ``obj`` (pure apart from reading the files)."""
    msg = EmailMessage(policy=POLICY)
    msg["Subject"] = title
    msg["From"] = _addr(obj.from_addr)
    msg["To"] = ", ".join(_addr(x) for x in obj.targets)
    if obj.cc:
        msg["Cc"] = ", ".join(sorted(obj.cc))
    msg["Date"] = email.utils.formatdate(localtime=True)
    msg["Message-ID"] = message_id(msg_id) if msg_id else email.utils.make_msgid("vigie")
    parent = thread_of(html).get("reply_to")
    if parent:                            # one conversation per incident: under its alert
        msg["In-Reply-To"] = message_id(parent)
        msg["References"] = message_id(parent)
    if msg_id:
        msg["Vigie-Message-Id"] = msg_id
    msg.set_content(text, subtype="plain", charset="utf-8")
    files = [Path(a) for a in attachments if Path(a).is_file()]
    images = [f for f in files if (mimetypes.guess_type(f.name)[0] or "").startswith("image/")]
    cids = {f: email.utils.make_msgid("screenshot")[1:-1] for f in images}
    slot = "".join(messages.screenshot_html(cid, lang) for cid in cids.values())
    msg.add_alternative(html.replace(messages.SCREENSHOT_SLOT, slot), subtype="html", charset="utf-8")
    if images:
        html_part = msg.get_payload()[1]
        for f, cid in cids.items():
            maintype, subtype = (mimetypes.guess_type(f.name)[0] or "image/png").split("/")
            html_part.add_related(f.read_bytes(), maintype, subtype, cid=f"<{cid}>", filename=f.name)
    for f in files:
        if f not in cids:
            maintype, subtype = (mimetypes.guess_type(f.name)[0] or "application/octet-stream").split("/")
            msg.add_attachment(f.read_bytes(), maintype=maintype, subtype=subtype, filename=f.name)
    return msg


def send(url: str, title: str, text: str, html: str, attachments=(), msg_id: str = "",
         secrets=(), timeout: float = 120.0, lang: str = "en"):
    """Send one e-mail to a resolved ``mailto(s)://`` address; a ``channels.Result``."""
    import apprise  # noqa: PLC0415 - heavy import, only when used
    from agent.respond.helper import channels  # noqa: PLC0415 - channels dispatches here
    channels.quiet_apprise()
    obj = apprise.Apprise.instantiate(url)
    if not obj or not getattr(obj, "targets", None):
        return channels.Result(False, "bad_url", "apprise does not recognise this e-mail address")
    limit = max(1.0, min(float(timeout), 60.0))
    try:
        msg = build(obj, title, text, html, attachments, msg_id, lang)
        mode = getattr(obj, "secure_mode", "insecure") if getattr(obj, "secure", False) else "insecure"
        host, port = obj.smtp_host or obj.host, obj.port or (465 if mode == "ssl" else 587 if obj.secure else 25)
        if mode == "ssl":
            server = smtplib.SMTP_SSL(host, port, timeout=limit, context=ssl.create_default_context())
        else:
            server = smtplib.SMTP(host, port, timeout=limit)
        try:
            server.ehlo()
            if mode == "starttls":
                server.starttls(context=ssl.create_default_context())
                server.ehlo()
            if obj.user and obj.password:
                server.login(obj.user, obj.password)
            rcpt = [x[1] if isinstance(x, (tuple, list)) else str(x) for x in obj.targets]
            rcpt += sorted(obj.cc or ()) + sorted(obj.bcc or ())
            server.send_message(msg, to_addrs=rcpt)
        finally:
            try:
                server.quit()
            except (smtplib.SMTPException, OSError):
                server.close()
    except Exception as exc:  # noqa: BLE001 - network, TLS, server refusal: say why, never raise
        detail = f"{type(exc).__name__}: {exc}"
        code = channels.classify(detail)
        if isinstance(exc, smtplib.SMTPAuthenticationError):
            code = "auth"
        elif isinstance(exc, smtplib.SMTPRecipientsRefused):
            code = "not_found"
        elif isinstance(exc, TimeoutError):
            code = "timeout"
        return channels.Result(False, code, channels.scrub(detail, secrets)[:300])
    return channels.Result(True, "", "")
