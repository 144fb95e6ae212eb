"""``vigie install``'s questions about how the helper is told (main thread, stdin).

:func:`ask_channel` offers, in the helper's words: his own e-mail address (then, hidden, the
password Vigie sends with — an *app password* where the provider wants one, with the
provider's own page for making it, :mod:`agent.respond.helper.mailsetup`), a phone push
through the free ntfy app (a private random topic; the two steps to subscribe shown as
text and as a QR code, :mod:`segno`), or another apprise service typed as an address
(Telegram, Signal, Free Mobile's SMS…). Returns the addresses with their secrets in clear;
``install`` splits the secrets into the keyring before anything is written.
"""
from __future__ import annotations

import getpass
import secrets as _random
import sys

from agent.i18n import t
from agent.respond.helper import mailsetup
from agent.respond.helper.describe import in_words

NTFY_SERVER = "https://ntfy.sh"


def _ask(question: str, default: str = "") -> str:
    try:
        answer = input(f"{question} [{default}]: " if default else f"{question}: ")
    except EOFError:
        return default
    return answer.strip() or default


def _hidden(question: str) -> str:
    """A password, not shown while typed (a terminal); from a pipe, read as a line."""
    try:
        if sys.stdin.isatty():
            return getpass.getpass(f"{question}: ")
        return input(f"{question}: ")
    except EOFError:
        return ""


def ask_channel(lang: str, current: tuple[str, ...], helper: str, ntfy_server: str | None = None) -> tuple[str, ...]:
    """The helper's choice of channel; ``current`` is kept when he says so."""
    who = helper or t("install.channel_you", lang)
    print()
    print(t("install.channel_menu", lang, helper=who))
    choices = ["1", "2", "3", "0"]
    if current:
        print(t("install.channel_keep", lang, what=", ".join(in_words(u, lang) for u in current)))
        choices.append("4")
    default = "4" if current else "1"
    while True:
        choice = _ask(t("install.channel_choice", lang), default)
        if choice in choices:
            break
        print(t("install.channel_bad_choice", lang, value=choice))
    if choice == "4":
        return tuple(current)
    if choice == "0":
        return ()
    if choice == "2":
        return (ask_ntfy(lang, ntfy_server or NTFY_SERVER),)
    if choice == "3":
        return ask_other(lang)
    return (ask_mail(lang),)


def ask_mail(lang: str) -> str:
    """The helper's own address, its server (known, discovered or typed) and, hidden, its password."""
    while True:
        address = _ask(t("install.ask_mail", lang))
        if mailsetup.looks_like_address(address):
            break
        print(t("install.bad_mail", lang, value=address))
    provider = mailsetup.provider_for(address)
    if provider is None:
        dom = mailsetup.domain_of(address)
        print(t("install.mail_looking", lang, domain=dom))
        provider = mailsetup.discover(address)
        if provider is not None:
            print(t("install.mail_found", lang, server=provider.smtp, port=provider.port))
        else:
            provider = _ask_server(lang, dom)
    else:
        print(t("install.mail_provider", lang, provider=provider.name))
    if provider.app_password:
        print(t("install.mail_app_password", lang, provider=provider.name, page=provider.page(lang)))
    elif provider.page(lang):
        print(t("install.mail_password_where", lang, provider=provider.name, page=provider.page(lang)))
    else:
        print(t("install.mail_password_plain", lang))
    password = _hidden(t("install.ask_mail_password", lang))
    return mailsetup.mail_url(address, password, provider)


def mail_channel(address: str, password: str, server: str | None = None) -> str:
    """The e-mail address built without questions (``--mail``; the Windows installer's
    page): the server is known, discovered, or ``server`` (probed for its security).
    Raises ValueError with the reason in a short text."""
    if not mailsetup.looks_like_address(address):
        raise ValueError(f"not an e-mail address: {address}")
    if server:
        parsed = mailsetup.parse_server(server)
        if parsed is None:
            raise ValueError(f"not a server name: {server}")
        found = mailsetup.probe(*parsed)
        if not isinstance(found, tuple):
            raise ValueError(f"{server}: {found}")
        provider = mailsetup.Provider(name=mailsetup.domain_of(address), smtp=parsed[0], port=found[1],
                                      mode=found[0], source="typed")
    else:
        provider = mailsetup.provider_for(address) or mailsetup.discover(address)
        if provider is None:
            raise ValueError(f"the outgoing mail server of {mailsetup.domain_of(address)} is unknown: "
                             "give it with --mail-server")
    return mailsetup.mail_url(address, password, provider)


def _ask_server(lang: str, domain: str) -> mailsetup.Provider:
    """The outgoing server typed by the helper, its security found by talking to it."""
    print(t("install.mail_not_found", lang, domain=domain))
    while True:
        typed = _ask(t("install.ask_mail_server", lang), f"smtp.{domain}")
        server = mailsetup.parse_server(typed)
        if server is None:
            print(t("install.bad_mail_server", lang, value=typed))
            continue
        found = mailsetup.probe(*server)
        if isinstance(found, tuple):
            mode, port = found
            if mode == "insecure":
                print(t("install.mail_insecure", lang, server=server[0]))
            return mailsetup.Provider(name=domain, smtp=server[0], port=port, mode=mode, source="typed")
        print(t("install.mail_server_silent", lang, server=typed, reason=found))


def new_topic() -> str:
    """A private ntfy topic nobody can guess (and that :mod:`secrets` keeps as a secret)."""
    while True:
        topic = "vigie-" + _random.token_hex(10)
        if any(c.isdigit() for c in topic[6:]):
            return topic


def ntfy_url(server: str, topic: str) -> str:
    scheme, _, host = server.rstrip("/").partition("://")
    return f"{'ntfys' if scheme == 'https' else 'ntfy'}://{host}/{topic}"


def ask_ntfy(lang: str, server: str, wait: bool = True) -> str:
    """A new private topic; the two steps on the phone as text and a QR code (``wait``:
    until the helper says the app is subscribed)."""
    topic = new_topic()
    link = f"{server.rstrip('/')}/{topic}"
    print(t("install.ntfy_steps", lang, topic=topic, server=server.split('://')[-1].rstrip('/'), link=link))
    show_qr(link)
    print(t("install.ntfy_private", lang))
    if wait:
        _ask(t("install.ntfy_ready", lang))
    return ntfy_url(server, topic)


def show_qr(text: str, out=None) -> bool:
    """The QR code of ``text`` in the terminal (half-block characters, else two-colour
    blocks); False when it cannot be drawn here (the link is printed anyway)."""
    out = out or sys.stdout
    try:
        import segno  # noqa: PLC0415
        qr = segno.make(text, error="m", micro=False)
        enc = (getattr(out, "encoding", "") or "").lower()
        qr.terminal(out=out, compact="utf" in enc, border=2)
        out.flush()
        return True
    except Exception:  # noqa: BLE001 - no segno, a terminal that cannot draw it: the text says it all
        return False


def ask_other(lang: str) -> tuple[str, ...]:
    """Another apprise service, typed as its address (checked by apprise)."""
    from agent.respond.helper.channels import check_url  # noqa: PLC0415
    print(t("install.other_services", lang))
    while True:
        url = _ask(t("install.ask_other", lang))
        if not url:
            return ()
        if "://" in url and check_url(url) is None:
            return (url,)
        print(t("install.bad_notify", lang, value=url))
