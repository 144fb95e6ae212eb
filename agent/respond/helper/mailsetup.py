"""From a plain e-mail address to a sendable ``mailto(s)://`` address (installer).

``provider_for("marie@orange.fr")`` names the provider, says whether it needs an *app
password* and where it is made (``assets/helper/mail_providers.toml``, en/fr), and gives
the outgoing server: apprise's own e-mail templates first (``apprise.plugins.email``: Gmail,
Hotmail/Outlook, Yahoo, GMX…), else Vigie's file (Orange, Free, SFR, La Poste, iCloud…).
For other domains :func:`discover` asks the domain's own autoconfig files
(``autoconfig.<domain>`` and ``<domain>/.well-known/autoconfig``, Thunderbird's format) with a
short time limit; when nothing answers the installer asks for the server, and
:func:`probe` finds its security (SSL on 465, else STARTTLS when offered). :func:`mail_url`
builds the address (the login is the full e-mail address; the password is split out into
the keyring by :mod:`secrets` before anything is written). Main thread; network calls are
bounded in time and never raise.
"""
from __future__ import annotations

import logging
import smtplib
import ssl
import urllib.request
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import dataclass
from urllib.parse import quote

from agent import paths
from agent.tomlcompat import tomllib

log = logging.getLogger(__name__)
DISCOVER_TIMEOUT = 4.0
PROBE_TIMEOUT = 8.0
MODES = ("ssl", "starttls", "insecure")


@dataclass(frozen=True)
class Provider:
    name: str                 # "Gmail", or the domain when unknown
    smtp: str = ""            # outgoing server ("" = apprise's template fills it in)
    port: int = 0
    mode: str = ""            # ssl / starttls / insecure
    app_password: bool = False
    page_en: str = ""
    page_fr: str = ""
    source: str = ""          # vigie / apprise / autoconfig / typed

    def page(self, lang: str) -> str:
        return (self.page_fr if lang == "fr" else self.page_en) or self.page_en


def domain_of(address: str) -> str:
    return address.rsplit("@", 1)[-1].strip().lower().rstrip(".")


def looks_like_address(address: str) -> bool:
    """A plain address: one @, a dot in the domain, no spaces or URL parts (pure)."""
    a = address.strip()
    local, sep, dom = a.rpartition("@")
    return bool(sep and local and "." in dom and not any(c in a for c in " /:?#<>,;\"'"))


def _known() -> dict:
    try:
        return tomllib.loads((paths.assets_dir() / "helper" / "mail_providers.toml").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        log.warning("mail providers file unreadable: %s", exc)
        return {}


def _apprise_template(address: str) -> dict | None:
    try:
        from apprise.plugins.email import templates  # noqa: PLC0415
    except ImportError:
        return None
    for name, pattern, values in templates.EMAIL_TEMPLATES:
        if values.get("smtp_host") and pattern.match(address):
            mode = getattr(values.get("secure_mode"), "value", values.get("secure_mode")) or "starttls"
            return {"name": name, "smtp": values["smtp_host"], "port": int(values.get("port") or 0),
                    "mode": str(mode).lower()}
    return None


def provider_for(address: str) -> Provider | None:
    """What is known about this address's provider without the network (pure but for files)."""
    dom = domain_of(address)
    mine = next((v for v in _known().values() if isinstance(v, dict) and dom in v.get("domains", ())), None)
    tpl = _apprise_template(address)
    if not mine and not tpl:
        return None
    base = dict(name=(mine or tpl)["name"], app_password=bool((mine or {}).get("app_password")),
                page_en=(mine or {}).get("page_en", ""), page_fr=(mine or {}).get("page_fr", ""))
    if tpl:
        return Provider(**base, smtp=tpl["smtp"], port=tpl["port"], mode=tpl["mode"], source="apprise")
    return Provider(**base, smtp=mine.get("smtp", ""), port=int(mine.get("port") or 0),
                    mode=mine.get("mode", ""), source="vigie")


def _fetch(url: str, timeout: float) -> bytes | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as r:   # noqa: S310 - https URLs we build
            return r.read(200_000)
    except Exception as exc:  # noqa: BLE001 - offline, no such host, 404, TLS: just not found
        log.info("autoconfig %s: %s", url, exc)
        return None


def parse_autoconfig(data: bytes, address: str) -> Provider | None:
    """The first SMTP server of a Thunderbird autoconfig document (pure)."""
    try:
        root = ET.fromstring(data)
    except ET.ParseError:
        return None
    for srv in root.iter("outgoingServer"):
        if (srv.get("type") or "").lower() != "smtp":
            continue
        host = (srv.findtext("hostname") or "").strip()
        sock = (srv.findtext("socketType") or "").strip().upper()
        try:
            port = int(srv.findtext("port") or 0)
        except ValueError:
            port = 0
        if host and port:
            mode = {"SSL": "ssl", "STARTTLS": "starttls", "PLAIN": "insecure"}.get(sock, "starttls")
            return Provider(name=domain_of(address), smtp=host, port=port, mode=mode, source="autoconfig")
    return None


def discover(address: str, timeout: float = DISCOVER_TIMEOUT) -> Provider | None:
    """Ask the domain's own autoconfig files, all at once, ``timeout`` seconds at most."""
    dom = domain_of(address)
    q = quote(address.strip(), safe="@")
    urls = [f"https://autoconfig.{dom}/mail/config-v1.1.xml?emailaddress={q}",
            f"https://{dom}/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress={q}",
            f"http://autoconfig.{dom}/mail/config-v1.1.xml?emailaddress={q}"]
    pool = ThreadPoolExecutor(max_workers=len(urls), thread_name_prefix="autoconfig")
    try:
        futures = [pool.submit(_fetch, u, timeout) for u in urls]
        wait(futures, timeout=timeout + 0.5)
        for f in futures:
            data = f.result() if f.done() else None
            found = parse_autoconfig(data, address) if data else None
            if found:
                return found
    finally:
        pool.shutdown(wait=False, cancel_futures=True)
    return None


def parse_server(text: str) -> tuple[str, int] | None:
    """``smtp.example.fr`` or ``smtp.example.fr:465`` → (host, port); port 0 = not said."""
    host, _, port = text.strip().partition(":")
    if not host or " " in host or "/" in host or (port and not port.isdigit()):
        return None
    return host, int(port or 0)


def probe(host: str, port: int, timeout: float = PROBE_TIMEOUT) -> tuple[str, int] | str:
    """(mode, port) the server speaks — SSL on 465, else STARTTLS when it offers it, else
    plain — or the error in a short text. Tries 465, 587 then 25 when no port is given."""
    last = "?"
    for p in ([port] if port else [465, 587, 25]):
        try:
            if p == 465:
                with smtplib.SMTP_SSL(host, p, timeout=timeout, context=ssl.create_default_context()) as s:
                    s.ehlo()
                return "ssl", p
            with smtplib.SMTP(host, p, timeout=timeout) as s:
                s.ehlo()
                return ("starttls" if s.has_extn("starttls") else "insecure"), p
        except (OSError, smtplib.SMTPException) as exc:
            last = f"{type(exc).__name__}: {exc}"
    return last


def mail_url(address: str, password: str, provider: Provider) -> str:
    """The apprise address sending from and to ``address`` (the password in clear: the
    caller hands it to :func:`secrets.keep` at once)."""
    addr = address.strip()
    dom = domain_of(addr)
    cred = f"{quote(addr, safe='')}:{quote(password, safe='')}@" if password else ""
    query = f"from={quote(addr, safe='@')}&to={quote(addr, safe='@')}"
    if provider.source == "apprise":      # apprise's template fills in server and security
        return f"mailtos://{cred}{dom}?{query}"
    mode = provider.mode if provider.mode in MODES else "starttls"
    scheme = "mailto" if mode == "insecure" else "mailtos"
    port = f":{provider.port}" if provider.port else ""
    return f"{scheme}://{cred}{dom}{port}?smtp={provider.smtp}&mode={mode}&{query}"
