"""Which parts of a helper's notification URL are secret (pure, any thread).

:func:`split_url` puts ``{secret:KEY}`` references in place of the secrets (the
config file keeps that form; ``agent.respond.helper.secrets`` stores the values),
:func:`mask_url` makes a URL fit to show. Neutral ground: ``agent.config`` and
``agent.respond.helper`` both use it, it imports neither.
"""
from __future__ import annotations

import logging
import os
import re
import threading
from urllib.parse import quote, unquote

REF = re.compile(r"\{secret:([a-z0-9\-]+)\}")
_SECRET_ARGS = r"pass|password|passwd|token|key|apikey|api_key|secret|access_token|apptoken|usertoken|botkey"
_TOKEN = re.compile(r"(?<![A-Za-z0-9_\-{])(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{20,}")
# a path segment of 8-19 characters mixing letters and digits (a webhook key, a short token)
_PATH_TOKEN = re.compile(r"(?<![^/])(?=[A-Za-z0-9_\-]*\d)(?=[A-Za-z0-9_\-]*[A-Za-z])[A-Za-z0-9_\-]{8,19}(?![^/?#&])")
_setup_lock = threading.Lock()
_setup_done = False


def quiet_apprise() -> None:
    """apprise logs go only to our per-call capture, never to Vigie's handlers."""
    global _setup_done
    with _setup_lock:
        if not _setup_done:
            alog = logging.getLogger("apprise")
            alog.setLevel(logging.DEBUG)
            alog.propagate = False
            alog.addHandler(logging.NullHandler())
            _setup_done = True


def split_url(url: str) -> tuple[str, dict[str, str]]:
    """Replace the secret parts of ``url`` with ``{secret:KEY}`` references (pure)."""
    base = os.urandom(4).hex()
    found: dict[str, str] = {}

    def ref(value: str) -> str:
        key = base if not found else f"{base}-{len(found) + 1}"
        found[key] = value
        return "{secret:" + key + "}"

    scheme, sep, rest = url.partition("://")
    if not sep:
        return url, {}
    # user:password@ (the last @ before the path ends the user info)
    m = re.match(r"^([^/?#@]*?):([^/?#]*)@", rest)
    if m and m.group(2) and not REF.fullmatch(m.group(2)):
        rest = f"{m.group(1)}:{ref(m.group(2))}@" + rest[m.end():]
    rest = re.sub(rf"([?&](?:{_SECRET_ARGS})=)([^&#]+)",
                  lambda mm: mm.group(1) + (mm.group(2) if REF.fullmatch(mm.group(2)) else ref(mm.group(2))),
                  rest, flags=re.I)
    rest = re.sub(r"([?&][+:-][^=&#]+=)([^&#]+)",   # headers, payload arguments and extras (:key=)
                  lambda mm: mm.group(1) + (mm.group(2) if REF.fullmatch(mm.group(2)) else ref(mm.group(2))), rest)
    private = private_values(url)
    for value in sorted((v for v in private if len(v) >= 8), key=len, reverse=True):
        for form in dict.fromkeys((value, quote(value, safe=""), quote(value, safe=":"))):
            if form in rest:
                rest = rest.replace(form, ref(value) if form == value else ref(unquote(form)))
    if private:  # shorter ones: only where a whole part of the address is the value
        rest = re.sub(r"(?<=[/:@=])([^/?&#=@:{}]+)(?=[/?&#@:]|$)|^([^/?&#=@:{}]+)(?=[/?&#@:]|$)",
                      lambda mm: ref(unquote(mm.group(0))) if unquote(mm.group(0)) in private else mm.group(0),
                      rest)
    rest = _TOKEN.sub(lambda mm: ref(mm.group(0)), rest)
    host, slash, path = rest.partition("/")         # shorter tokens in the path (webhook keys)
    path = _PATH_TOKEN.sub(lambda mm: ref(mm.group(0)), path)
    return f"{scheme}://{host}{slash}{path}", found


def private_values(url: str) -> set[str]:
    """The values apprise's plugin for this URL marks private (pure; empty when apprise
    does not know the URL)."""
    try:
        import apprise  # noqa: PLC0415 - heavy import, only when a URL is split
        quiet_apprise()
        obj = apprise.Apprise.instantiate(url)
        if not obj:
            return set()
        cls = type(obj)
        parsed = cls.parse_url(url) or {}
    except Exception:  # noqa: BLE001 - a plugin bug: fall back to the rules above
        return set()
    names = {k for k, v in {**cls.template_tokens, **cls.template_args}.items()
             if isinstance(v, dict) and v.get("private")}
    names |= {v.get("alias_of") for k, v in cls.template_args.items() if isinstance(v, dict) and k in names}
    out: set[str] = set()
    for name in filter(None, names):
        value = parsed.get(name)
        for v in (value if isinstance(value, (list, tuple, set)) else [value]):
            if isinstance(v, str) and v and not REF.search(v):
                out.add(v)
    for part in ("qsd+", "qsd-"):
        out |= {v for v in (parsed.get(part) or {}).values() if isinstance(v, str) and v and not REF.search(v)}
    return out


def mask_url(url: str) -> str:
    """``mailtos://user:secret@host`` → ``mailtos://user:***@host``; long tokens anywhere too
    (``tgram://123:AAAA…/42`` → ``tgram://123:***/42``), and every part apprise marks
    private for the service (``gotify://host/***``, ``json://…?+Authorization=***``)."""
    try:  # the helper's secret rules (apprise's own metadata); lazily: apprise is heavy
        url = REF.sub("***", split_url(url)[0])
    except Exception:  # noqa: BLE001 - the rules below still mask the usual forms
        pass
    url = re.sub(r"(://[^:/@?#]+:)[^@/?#]+@", r"\1***@", url)
    url = re.sub(r"([?&](?:pass|password|pwd|token|key|apikey|api_key|secret)=)[^&]+", r"\1***", url, flags=re.I)
    return re.sub(r"(?<=[/:=])[A-Za-z0-9_\-]{20,}", "***", url)  # tokens: Telegram bot, webhooks
