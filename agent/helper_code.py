"""The helper code: a short PIN (4 to 8 digits) the family helper keeps, asked before
anything that weakens the protection (see :mod:`agent.gate`).

Stored hashed (scrypt with a random salt) in ``<data>/state/helper-code.json``, owner-only
(0600), never in the settings file. :func:`check` compares in constant time and slows down
guessing: after ``FREE_TRIES`` wrong codes in a row each new try must wait a growing delay
(``delay_after``), kept in ``helper-code-tries.json`` beside it. :class:`Keeper` holds the
stored file in memory while the agent runs: a deleted or broken file is put back, a changed
one is adopted, and both are said (``Keeper.check`` returns what happened).

Pure file operations; any thread (the agent's settings-watch thread runs ``Keeper.check``,
the CLI and the code window call :func:`check`).
"""
from __future__ import annotations

import dataclasses
import hashlib
import hmac
import json
import logging
import os
import secrets
import threading
import time
from pathlib import Path

from agent import atomic, paths

log = logging.getLogger(__name__)
MIN_DIGITS, MAX_DIGITS = 4, 8
FREE_TRIES = 3                  # wrong codes in a row before any delay
FIRST_DELAY, MAX_DELAY = 30.0, 900.0
SCRYPT = {"n": 2 ** 14, "r": 8, "p": 1}
_lock = threading.Lock()


def code_file() -> Path:
    return paths.state_dir() / "helper-code.json"


def tries_file() -> Path:
    return paths.state_dir() / "helper-code-tries.json"


def normalise(code: str | None) -> str:
    """The digits typed, spaces and dashes left out ("12 34" → "1234")."""
    return "".join(ch for ch in str(code or "") if ch not in " -\t")


def valid(code: str | None) -> bool:
    c = normalise(code)
    return c.isascii() and c.isdigit() and MIN_DIGITS <= len(c) <= MAX_DIGITS


def _hash(code: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(normalise(code).encode("ascii"), salt=salt, n=n, r=r, p=p, maxmem=64 * 1024 * 1024,
                          dklen=32)


def record_for(code: str) -> dict:
    """What the file holds for ``code`` (no clear code in it); raises ValueError if not 4-8 digits."""
    if not valid(code):
        raise ValueError(f"a helper code is {MIN_DIGITS} to {MAX_DIGITS} digits")
    salt = secrets.token_bytes(16)
    return {"version": 1, "kdf": "scrypt", **SCRYPT, "salt": salt.hex(),
            "hash": _hash(code, salt, **SCRYPT).hex(), "set_at": int(time.time())}


def load(path: Path | None = None) -> dict | None:
    """The stored record, or None when no code is set (missing or unreadable file)."""
    try:
        data = json.loads((path or code_file()).read_text(encoding="utf-8"))
        if isinstance(data, dict) and data.get("kdf") == "scrypt" and data.get("hash") and data.get("salt"):
            return data
        log.warning("the helper code file %s is not a helper code", path or code_file())
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("the helper code file cannot be read: %s", exc)
    return None


def is_set() -> bool:
    return load() is not None


def save(code: str) -> Path:
    """Store ``code`` (hashed), owner-only; a new code starts with no wrong tries."""
    record = record_for(code)
    folder = paths.ensure_dir(paths.state_dir())
    with _lock:
        atomic.write_text(code_file(), json.dumps(record), mode=atomic.PRIVATE)
        _write_tries({"fails": 0, "last": 0.0})
    try:
        os.chmod(folder, 0o700)
    except OSError:
        pass
    return code_file()


def matches(code: str, record: dict) -> bool:
    """``code`` against a stored record, in constant time."""
    try:
        got = _hash(code, bytes.fromhex(record["salt"]), int(record.get("n", SCRYPT["n"])),
                    int(record.get("r", SCRYPT["r"])), int(record.get("p", SCRYPT["p"])))
        return hmac.compare_digest(got, bytes.fromhex(record["hash"]))
    except (KeyError, ValueError, TypeError) as exc:
        log.warning("the helper code record is broken: %s", exc)
        return False


def delay_after(fails: int) -> float:
    """Seconds to wait before the next try after ``fails`` wrong codes in a row."""
    if fails < FREE_TRIES:
        return 0.0
    return min(MAX_DELAY, FIRST_DELAY * 2 ** (fails - FREE_TRIES))


@dataclasses.dataclass(frozen=True)
class Check:
    result: str           # "ok", "wrong", "wait" (too soon after wrong codes), "unset"
    fails: int = 0        # wrong codes in a row, this one included
    wait: float = 0.0     # seconds before the next try may be made


def _read_tries() -> dict:
    try:
        data = json.loads(tries_file().read_text(encoding="utf-8"))
        return {"fails": int(data.get("fails", 0)), "last": float(data.get("last", 0.0))}
    except (OSError, ValueError, TypeError, AttributeError):
        return {"fails": 0, "last": 0.0}


def _write_tries(data: dict) -> None:
    try:
        paths.ensure_dir(paths.state_dir())
        atomic.write_text(tries_file(), json.dumps(data), mode=atomic.PRIVATE)
    except OSError as exc:
        log.warning("cannot record the helper code tries: %s", exc)


def wait_left(now: float | None = None) -> float:
    """Seconds before a new try is allowed (0 when allowed now)."""
    tries = _read_tries()
    now = time.time() if now is None else now
    return max(0.0, tries["last"] + delay_after(tries["fails"]) - now)


def check(code: str, record: dict | None = None, now: float | None = None) -> Check:
    """Is ``code`` the helper code? A wrong one counts towards the delay; a right one clears it.
    ``record``: the stored record (default: the file's, e.g. the :class:`Keeper`'s copy)."""
    record = record if record is not None else load()
    if record is None:
        return Check("unset")
    now = time.time() if now is None else now
    with _lock:
        tries = _read_tries()
        left = tries["last"] + delay_after(tries["fails"]) - now
        if left > 0:
            return Check("wait", tries["fails"], left)
        if matches(code, record):
            if tries["fails"]:
                _write_tries({"fails": 0, "last": now})
            return Check("ok")
        fails = tries["fails"] + 1
        _write_tries({"fails": fails, "last": now})
        return Check("wrong", fails, delay_after(fails))


class Keeper:
    """The code file as it was, kept in memory while the agent runs (settings-watch thread)."""

    def __init__(self):
        self.record = load()
        self._text = self._read()

    @staticmethod
    def _read() -> str | None:
        try:
            return code_file().read_text(encoding="utf-8")
        except OSError:
            return None

    def check(self) -> str | None:
        """None when nothing changed; "deleted" (a file removed or broken: put back from
        memory), "changed" (a new valid code: adopted) or "set" (a first code)."""
        text = self._read()
        if text == self._text:
            return None
        new = load()
        if self.record is not None and new is None:
            try:
                paths.ensure_dir(paths.state_dir())
                atomic.write_text(code_file(), self._text or json.dumps(self.record), mode=atomic.PRIVATE)
            except OSError as exc:
                log.error("cannot put the helper code file back: %s", exc)
                self._text = text          # said once; the code stays known in memory
            return "deleted"
        old, self.record, self._text = self.record, new, text
        return "set" if old is None else "changed"
