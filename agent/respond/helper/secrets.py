"""Secrets of the helper's notification URLs, kept out of the config file.

``split_url("mailtos://marie:hunter2@smtp.example.org")`` returns
``("mailtos://marie:{secret:1a2b3c4d}@smtp.example.org", {"1a2b3c4d": "hunter2"})``: the
config keeps the first, :func:`store` keeps the second in the OS keyring when a usable
backend exists (Windows Credential Manager, macOS Keychain, Secret Service), otherwise in
``secrets.toml`` beside the config file, readable only by the user (mode 0600).
:func:`resolve` puts the secrets back just before sending. What counts as a secret: the
password of ``user:password@``; every part that apprise itself marks private for the
service (its plugin's ``template_tokens``/``template_args`` with ``private: True``: bot
tokens, webhook ids and keys, API keys, passwords — wherever they sit in the URL); every
header value (``+Name=value``) and payload argument (``-name=value``); values of
``pass``/``password``/``token``/``key``/``secret``/``apikey`` query arguments; and any
token-like run of 20+ letters/digits (ntfy topics). Any thread; the file is written
atomically.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path

from agent import atomic, paths, safefile
from agent.tomlcompat import tomllib
from agent.urlsecrets import REF, split_url

log = logging.getLogger(__name__)
SERVICE = "vigie"
_lock = threading.Lock()


class MissingSecret(LookupError):
    """A ``{secret:…}`` reference whose value is in neither the keyring nor the file."""


def fingerprint(url: str) -> str:
    """A short tag (4 hex digits) telling apart addresses that differ only in their secrets
    (``helper list``): from the secrets' random reference keys, or from secrets left in clear
    in the address itself; never the secret. ``""`` when the address has none (pure)."""
    material = REF.findall(url) or sorted(split_url(url)[1].values())
    return hashlib.sha256("\0".join(material).encode("utf-8")).hexdigest()[:4] if material else ""


def keep(url: str) -> str:
    """Store the secrets of ``url`` and return the URL to write in the config (installer)."""
    ref_url, values = split_url(url)
    store(values)
    return ref_url


def refs(url: str) -> list[str]:
    return REF.findall(url)


def same_channel(configured: str, given: str) -> bool:
    """True when ``given`` (an address as typed, secrets in clear) is the configured
    address ``configured`` (secrets as ``{secret:…}`` references); False when a secret
    it refers to is gone. Reads the keyring or the secrets file only when needed."""
    if configured == given:
        return True
    try:
        return resolve(configured)[0] == given
    except MissingSecret:
        return False


# -- storage ---------------------------------------------------------------------------
def _keyring():
    """The keyring module if a usable backend exists, else None (``VIGIE_SECRETS=file`` forces the file)."""
    if os.environ.get("VIGIE_SECRETS", "").lower() == "file":
        return None
    try:
        import keyring  # noqa: PLC0415
        from keyring.backends import chainer, fail  # noqa: PLC0415
        kr = keyring.get_keyring()
        backends = kr.backends if isinstance(kr, chainer.ChainerBackend) else [kr]
        usable = [b for b in backends if not isinstance(b, fail.Keyring) and getattr(b, "priority", 0) > 0
                  and type(b).__module__.split(".")[-1] != "null"]
        return keyring if usable else None
    except Exception as exc:  # noqa: BLE001 - a broken keyring install must not stop Vigie
        log.warning("OS keyring unusable (%s); secrets go to a private file", exc)
        return None


def secrets_file() -> Path:
    return paths.config_file().parent / "secrets.toml"


def backend_name() -> str:
    kr = _keyring()
    return f"keyring ({type(kr.get_keyring()).__name__})" if kr else f"file {secrets_file()}"


def _read_file() -> dict[str, str]:
    try:
        data = tomllib.loads(safefile.read_text(secrets_file(), 1 << 20))  # a regular file only, capped
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.error("secrets file %s is unreadable: %s", secrets_file(), exc)
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)}


def _write_file(values: dict[str, str]) -> None:
    path = secrets_file()
    paths.ensure_dir(path.parent)
    text = "# Vigie: passwords and tokens of the helper's notification addresses. Keep private.\n"
    text += "".join(f"{json.dumps(k)} = {json.dumps(v, ensure_ascii=False)}\n" for k, v in sorted(values.items()))
    atomic.write_text(path, text, atomic.PRIVATE)


def store(values: dict[str, str]) -> str:
    """Keep these secrets; returns where (``keyring …`` or ``file …``)."""
    if not values:
        return backend_name()
    kr = _keyring()
    if kr:
        try:
            for k, v in values.items():
                kr.set_password(SERVICE, k, v)
            return backend_name()
        except Exception as exc:  # noqa: BLE001 - locked/absent keyring: fall back to the file
            log.warning("cannot write to the OS keyring (%s); using %s", exc, secrets_file())
    with _lock:
        current = _read_file()
        current.update(values)
        _write_file(current)
    return f"file {secrets_file()}"


def lookup(key: str) -> str | None:
    kr = _keyring()
    if kr:
        try:
            value = kr.get_password(SERVICE, key)
            if value is not None:
                return value
        except Exception as exc:  # noqa: BLE001
            log.warning("cannot read the OS keyring (%s); trying %s", exc, secrets_file())
    return _read_file().get(key)


def resolve(url: str) -> tuple[str, list[str]]:
    """The sendable URL and the secret values in it; raises :class:`MissingSecret`."""
    values = []

    def put(m):
        value = lookup(m.group(1))
        if value is None:
            raise MissingSecret(m.group(1))
        values.append(value)
        return value
    return REF.sub(put, url), values


def forget(url: str) -> None:
    """Delete the secrets a URL refers to (after ``vigie helper remove``)."""
    keys = refs(url)
    if not keys:
        return
    kr = _keyring()
    if kr:
        for k in keys:
            try:
                kr.delete_password(SERVICE, k)
            except Exception:  # noqa: BLE001 - not there / keyring gone: nothing to delete
                pass
    with _lock:
        current = _read_file()
        if any(k in current for k in keys):
            _write_file({k: v for k, v in current.items() if k not in keys})
