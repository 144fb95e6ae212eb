"""Where a page lives: evidence from its address alone (pure, any thread).

The address comes from the browser's own session files (read in :mod:`agent.watch`);
it is never sent anywhere by this module or its callers except into the incident folder
and the helper's message. Four pieces of evidence, each 0 or 1:

- ``url_ip_host``: a public IP address as the host (a page nobody gave a name; the
  person's own router or a local server — private, loopback, link-local — is not counted);
- ``url_local``: a ``file:``, ``data:`` or ``blob:`` page (an HTA-like page saved on the
  computer, or a page built on the fly);
- ``url_punycode``: a host with an ``xn--`` label (an internationalised name: look-alike
  letters such as ``micrоsoft`` with a Cyrillic o);
- ``url_brand_free_host``: a brand name in the sub-domain of a free hosting service
  (``microsoft-alert.web.app``). The lists are data: ``assets/model/behaviour.json``.
"""
from __future__ import annotations

import ipaddress
import re
from urllib.parse import urlsplit

FEATURES = ("url_ip_host", "url_local", "url_punycode", "url_brand_free_host")
SHORT_BRAND = 5          # brands shorter than this must be a whole word of the host ("ing-login")


def host_of(url: str) -> str:
    """The lower-case host name of ``url`` ("" when it has none or is unreadable)."""
    try:
        return (urlsplit((url or "").strip()).hostname or "").rstrip(".").lower()
    except ValueError:
        return ""


def _public_ip(host: str) -> bool:
    try:
        ip = ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return False
    return not (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_unspecified or ip.is_reserved)


def brand_in_free_host(host: str, free_hosts, brands) -> str | None:
    """The brand named in the sub-domain of a free host (``paypal-secure.web.app`` →
    ``paypal``), or None."""
    for free in free_hosts:
        if host.endswith("." + free):
            sub = host[: -len(free) - 1]
            words = set(re.split(r"[^a-z]+", sub))
            joined = re.sub(r"[^a-z]", "", sub)
            for b in brands:
                if b in words or (len(b) >= SHORT_BRAND and b in joined):
                    return b
            return None
    return None


def evidence(url: str, free_hosts=(), brands=()) -> dict[str, float]:
    """The four address features of ``url`` (all 0 for an empty or unreadable one)."""
    out = dict.fromkeys(FEATURES, 0.0)
    url = (url or "").strip()
    if not url:
        return out
    scheme = url.split(":", 1)[0].lower() if ":" in url else ""
    if scheme in ("file", "data", "blob"):
        out["url_local"] = 1.0
        return out
    host = host_of(url)
    if not host:
        return out
    out["url_ip_host"] = float(_public_ip(host))
    out["url_punycode"] = float(any(label.startswith("xn--") for label in host.split(".")))
    out["url_brand_free_host"] = float(brand_in_free_host(host, free_hosts, brands) is not None)
    return out
