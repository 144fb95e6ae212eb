"""Send one message to one apprise URL and say in plain words why it failed.

apprise does the protocols (e-mail over SMTP, ntfy, Telegram, Signal, Matrix, Pushover,
Discord, JSON webhooks, SMS gateways…). :func:`send` returns a :class:`Result` with an
error *code* (``refused``, ``timeout``, ``dns``, ``auth``, ``not_found``, ``tls``,
``bad_url``, ``missing_secret``, ``server_error``, ``unknown``) that ``helper.toml`` turns
into words, whether it is permanent (retrying won't help until the helper fixes
something), and a short technical detail with every known secret removed.

apprise's own log lines are captured per call and never reach Vigie's log files (they
could name the server or the account). Called by the sender thread or ``vigie helper``;
one call at a time per thread, several threads are fine.
"""
from __future__ import annotations

import inspect
import logging
import re
import threading
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote, unquote

from agent.urlsecrets import mask_url, quiet_apprise

log = logging.getLogger(__name__)
# Schemes whose plugin adds ``+Header=value`` URL arguments as headers of the message.
HEADER_SCHEMES = {"mailto", "mailtos", "json", "jsons", "form", "forms", "xml", "xmls"}
ID_HEADER = "Vigie-Message-Id"
PERMANENT = {"auth", "not_found", "bad_url", "missing_secret"}
_RULES = [  # (code, pattern in apprise's log of the call), first match wins
    ("auth", r"\b535\b|\b534\b|authenticat|\b401\b|\b403\b|unauthori[sz]ed|forbidden|invalid (?:token|api|key)|"
             r"login|password|verification failed"),
    ("not_found", r"\b404\b|not found|no such (?:user|chat|channel)|\b550\b|mailbox unavailable"),
    ("tls", r"ssl|tls|certificate|handshake"),
    ("dns", r"name or service not known|nodename nor servname|getaddrinfo|name resolution|no address associated"),
    ("timeout", r"timed? ?out|deadline"),
    ("refused", r"refused|errno 111|errno 61|10061|unreachable|no route|connection (?:error|reset|aborted)|"
                r"disconnected"),
    ("server_error", r"error=5\d\d|\(5\d\d,|service unavailable|internal server error|bad gateway"),
]
_old_api_lock = threading.Lock()


@dataclass(frozen=True)
class Result:
    ok: bool
    code: str = ""
    detail: str = ""

    @property
    def permanent(self) -> bool:
        return not self.ok and self.code in PERMANENT


def display_url(url: str) -> str:
    """A channel URL fit to show: secret references and secrets masked."""
    return mask_url(url)


def classify(text: str) -> str:
    """The error code for apprise's log text of one failed call (pure)."""
    low = text.lower()
    for code, pattern in _RULES:
        if re.search(pattern, low):
            return code
    return "unknown"


def scrub(text: str, secrets=()) -> str:
    """Remove secret values (and their URL-encoded forms) from a text."""
    for s in sorted((s for s in secrets if s and len(s) >= 3), key=len, reverse=True):
        for form in sorted({s, quote(s, safe=""), unquote(s)}, key=len, reverse=True):
            text = text.replace(form, "***")
    return text


def with_message_id(url: str, msg_id: str) -> str:
    """Add a ``Vigie-Message-Id`` header to URLs whose plugin supports custom headers."""
    scheme = url.split("://", 1)[0].lower()
    if scheme not in HEADER_SCHEMES or not msg_id:
        return url
    sep = "&" if "?" in url.split("#", 1)[0] else "?"
    return f"{url}{sep}+{ID_HEADER}={quote(msg_id, safe='')}"


def check_url(url: str) -> str | None:
    """None if apprise knows this URL, else the error code ``bad_url``."""
    import apprise  # noqa: PLC0415 - heavy import, only when used
    quiet_apprise()
    return None if apprise.Apprise.instantiate(url) else "bad_url"


def send(url: str, title: str, body: str, attachments=(), msg_id: str = "",
         secrets=(), timeout: float = 120.0, html: str = "", lang: str = "en") -> Result:
    """Send one message to one (resolved) URL; never raises.

    ``secrets`` are values to keep out of the returned detail. Missing attachment files are
    skipped (the text still goes) and noted in the detail. E-mail with an ``html`` body is
    written by :mod:`mail` (plain text and HTML, screenshot inline); other services get
    the plain text through apprise.
    """
    from agent.respond.helper import mail  # noqa: PLC0415
    if html and mail.is_mail(url):
        return mail.send(url, title, body, html, attachments, msg_id, secrets, timeout, lang)
    import apprise  # noqa: PLC0415
    quiet_apprise()
    lines: list[str] = []
    note = ""
    try:
        obj = apprise.Apprise()
        if not obj.add(with_message_id(url, msg_id)):
            return Result(False, "bad_url", "apprise does not recognise this address")
        files = [str(a) for a in attachments if Path(a).is_file()]
        if len(files) < len(attachments):
            note = f"{len(attachments) - len(files)} attachment(s) missing; sent without them"
        attach = apprise.AppriseAttachment(files) if files else None

        def capture(entry, _service=None):
            lines.append(f"{entry.level}: {entry.message}")
        if "log_callback" in inspect.signature(obj.notify).parameters:
            result = obj.notify(body=body, title=title, attach=attach, log_callback=capture,
                                log_level=logging.DEBUG, timeout=timeout)
        else:  # apprise < 2: no per-call capture nor deadline; one send at a time then
            with _old_api_lock, apprise.LogCapture(level=logging.DEBUG, fmt="%(levelname)s: %(message)s") as cap:
                result = obj.notify(body=body, title=title, attach=attach)
            lines = cap.getvalue().splitlines()
    except Exception as exc:  # noqa: BLE001 - a plugin bug must not kill the sender
        return Result(False, classify(str(exc)), scrub(f"{type(exc).__name__}: {exc}", secrets)[:300])
    if result:
        return Result(True, "", note)
    if getattr(getattr(result, "status", None), "name", "") == "TIMEOUT":
        return Result(False, "timeout", f"no answer within {timeout:g} s")
    # Classify on the warnings and exceptions only: the step-by-step debug lines
    # ("Securing connection with STARTTLS…") would mislead.
    useful = [ln for ln in lines if ln.startswith(("WARNING", "ERROR")) or "Exception" in ln] or lines[-2:]
    detail = "; ".join(ln.split(": ", 1)[-1] for ln in useful[-3:]) or "no answer"
    return Result(False, classify("\n".join(useful)), scrub(detail, secrets)[:300])
