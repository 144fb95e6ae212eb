"""A helper channel in words, masked: "e-mail to m…@example.fr", "phone notifications
(ntfy app, topic vigie-k…)". For ``vigie doctor``, ``vigie install`` and the tray's status
window: the helper recognises his own address without the secret parts shown (pure; any
thread). Unknown services fall back to :func:`config.mask_url`.
"""
from __future__ import annotations

from urllib.parse import parse_qs, unquote, urlsplit

from agent.i18n import t

NAMES = {"tgram": "telegram", "signal": "signal", "signals": "signal", "freemobile": "freemobile",
         "json": "webhook", "jsons": "webhook", "form": "webhook", "forms": "webhook",
         "matrix": "matrix", "matrixs": "matrix", "pover": "pushover", "discord": "discord"}


def mask_address(address: str) -> str:
    """``marie.dupont@example.fr`` → ``m…@example.fr``."""
    local, sep, dom = address.strip().rpartition("@")
    if not sep:
        return (address[:1] + "…") if address else "?"
    return f"{local[:1]}…@{dom}"


def mask_token(value: str, keep: int = 7) -> str:
    return value if len(value) <= keep else value[:keep] + "…"


def _parts(url: str):
    try:
        return urlsplit(url.replace("{secret:", "SECRET").replace("}", ""))
    except ValueError:
        return None


def mail_target(url: str) -> str | None:
    """The address an e-mail channel writes to (``to=``, else the login/host), or None."""
    parts = _parts(url)
    if parts is None:
        return None
    qs = parse_qs(parts.query)
    for key in ("to", "from"):
        if qs.get(key) and "@" in qs[key][0]:
            return unquote(qs[key][0]).split(",")[0].strip()
    user = unquote(parts.username or "")
    if "@" in user and "SECRET" not in user:
        return user
    if user and parts.hostname and "SECRET" not in user:
        return f"{user}@{parts.hostname}"
    return None


def in_words(url: str, lang: str) -> str:
    """One channel in words, secrets never shown."""
    from agent.config import mask_url  # noqa: PLC0415
    scheme = url.split("://", 1)[0].lower()
    if scheme in ("mailto", "mailtos"):
        target = mail_target(url)
        return t("helper.channel_mail", lang, address=mask_address(target)) if target else \
            t("helper.channel_mail_unknown", lang)
    if scheme in ("ntfy", "ntfys"):
        parts = _parts(url)
        path = [p for p in ((parts.path if parts else "") or "").split("/") if p]
        host = parts.hostname if parts else ""
        topic = path[0] if path else host
        server = host if path else "ntfy.sh"
        topic = t("helper.channel_private_topic", lang) if "SECRET" in (topic or "") else \
            mask_token(unquote(topic or "?"))
        return t("helper.channel_ntfy", lang, topic=topic, server=server or "ntfy.sh")
    if scheme in NAMES:
        return t(f"helper.channel_{NAMES[scheme]}", lang, url=mask_url(url))
    return t("helper.channel_other", lang, url=mask_url(url))
