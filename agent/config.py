"""Settings: one TOML file, every setting with a default, a broken file never fatal.

``load(path)`` returns ``(Settings, problems)``. Each problem names the file, the line
and what is wrong; the bad part falls back to its default and the rest is kept. The
agent shows a degraded state when ``problems`` is not empty; ``vigie config check``
prints them and exits non-zero. Pure apart from reading the file; any thread.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import paths
from agent.tomlcompat import tomllib

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    file: str
    line: int | None
    message: str

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line else self.file
        return f"{where}: {self.message}"


# Each setting: (section, key) -> (default, kind, allowed). kind is a python type or
# "choice"/"list[str]"; allowed is a range (lo, hi) for numbers or a tuple of choices.
SCHEMA: dict[tuple[str, str], tuple[Any, Any, Any]] = {
    ("", "language"): ("auto", str, None),
    ("", "country"): ("auto", str, None),
    ("", "ocr_languages"): ("auto", str, None),
    ("", "sensitivity"): ("normal", "choice", ("low", "normal", "high")),
    ("", "speak"): (True, bool, None),
    ("", "scan_interval_seconds"): (5.0, float, (1.0, 600.0)),
    ("helper", "name"): ("", str, None),
    ("helper", "phone"): ("", str, None),
    ("helper", "notify"): ([], "list[str]", None),
    ("helper", "attach_screenshot"): (False, bool, None),
    ("helper", "heartbeat_hours"): (24.0, float, (0.0, 24.0 * 31)),
    ("remote_tools", "mode"): ("warn", "choice", ("warn", "suspend")),
    ("remote_tools", "allowlist"): ([], "list[str]", None),
    ("remote_tools", "allow_hours"): ("", str, None),
    ("remote_tools", "containment_minutes"): (30.0, float, (0.0, 24.0 * 60)),
    ("evidence", "retention_days"): (365, int, (0, 36500)),
}
SECTIONS = sorted({s for s, _ in SCHEMA if s})


def _attr(section: str, key: str) -> str:
    return f"{section}_{key}" if section else key


@dataclass(frozen=True)
class Settings:
    language: str = "auto"
    country: str = "auto"
    ocr_languages: str = "auto"
    sensitivity: str = "normal"
    speak: bool = True
    scan_interval_seconds: float = 5.0
    helper_name: str = ""
    helper_phone: str = ""
    helper_notify: tuple[str, ...] = ()
    helper_attach_screenshot: bool = False
    helper_heartbeat_hours: float = 24.0
    remote_tools_mode: str = "warn"
    remote_tools_allowlist: tuple[str, ...] = ()
    remote_tools_allow_hours: str = ""
    remote_tools_containment_minutes: float = 30.0
    evidence_retention_days: int = 365
    source: str = field(default="", compare=False)

    def lang(self) -> str:
        """The user's language, resolved (``auto`` → system locale, unknown → ``en``)."""
        from agent import i18n
        return i18n.resolve(self.language)

    def tess_langs(self) -> str:
        """Tesseract languages for this user: configured, else from the language."""
        if self.ocr_languages and self.ocr_languages != "auto":
            return self.ocr_languages
        return default_ocr_languages(self.lang())

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


OCR_BY_LANG = {"fr": "fra+eng", "en": "eng", "de": "deu+eng", "es": "spa+eng",
               "it": "ita+eng", "nl": "nld+eng", "ja": "jpn+eng"}


def default_ocr_languages(lang: str) -> str:
    return OCR_BY_LANG.get(lang, "fra+eng" if lang == "fr" else "eng")


def _line_of(text: str, section: str, key: str | None) -> int | None:
    """The line where ``[section]`` / ``key =`` stands (best effort)."""
    current = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        m = re.match(r"^\[\s*([A-Za-z0-9_.\-]+)\s*\]", line)
        if m:
            current = m.group(1)
            if key is None and current == section:
                return n
            continue
        if key is not None and current == section and re.match(rf"^{re.escape(key)}\s*=", line):
            return n
    return None


def _check(value: Any, default: Any, kind: Any, allowed: Any) -> tuple[Any, str | None]:
    """Return (value to use, problem or None)."""
    if kind is bool:
        return (value, None) if isinstance(value, bool) else (default, f"must be true or false, not {value!r}")
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return default, f"must be a number, not {value!r}"
        value = float(value)
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return default, f"must be a whole number, not {value!r}"
    elif kind is str:
        if not isinstance(value, str):
            return default, f"must be text in quotes, not {value!r}"
    elif kind == "choice":
        if value not in allowed:
            return default, f"must be one of {', '.join(allowed)}, not {value!r}"
        return value, None
    elif kind == "list[str]":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return default, f"must be a list of texts, e.g. [\"a\", \"b\"], not {value!r}"
        return tuple(value), None
    if isinstance(allowed, tuple) and len(allowed) == 2 and not (allowed[0] <= value <= allowed[1]):
        return default, f"must be between {allowed[0]:g} and {allowed[1]:g}, not {value!r}"
    return value, None


def parse(text: str, source: str = "<config>") -> tuple[Settings, list[Problem]]:
    """Settings from TOML text; pure. Bad parts fall back to defaults, with problems."""
    problems: list[Problem] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        problems.append(Problem(source, int(m.group(1)) if m else None,
                                f"not valid TOML ({exc}); using the default settings"))
        return Settings(source=source), problems
    values: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dict) and name in SECTIONS:
            items = [(name, k, v) for k, v in value.items()]
        elif isinstance(value, dict):
            problems.append(Problem(source, _line_of(text, name, None), f"unknown section [{name}]; ignored"))
            continue
        else:
            items = [("", name, value)]
        for section, key, v in items:
            spec = SCHEMA.get((section, key))
            label = f"{section}.{key}" if section else key
            if spec is None:
                problems.append(Problem(source, _line_of(text, section, key), f"unknown setting {label!r}; ignored"))
                continue
            default, kind, allowed = spec
            good, why = _check(v, default, kind, allowed)
            if why:
                problems.append(Problem(source, _line_of(text, section, key),
                                        f"{label} {why}; using the default {default!r}"))
            values[_attr(section, key)] = good
    return Settings(source=source, **values), problems


def load(path: Path | None = None) -> tuple[Settings, list[Problem]]:
    """Read the config file; a missing file is fine (defaults), an unreadable one a problem."""
    path = path or paths.config_file()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return Settings(source=str(path)), []
    except (OSError, UnicodeDecodeError) as exc:
        return Settings(source=str(path)), [Problem(str(path), None, f"cannot be read ({exc}); using the default settings")]
    settings, problems = parse(text, str(path))
    for p in problems:
        log.warning("config: %s", p)
    return settings, problems


def as_dict(settings: Settings, mask_secrets: bool = True) -> dict[str, dict[str, Any]]:
    """The effective settings by section (``""`` for the top level), secrets masked."""
    out: dict[str, dict[str, Any]] = {}
    for (section, key) in SCHEMA:
        value = getattr(settings, _attr(section, key))
        if mask_secrets and (section, key) == ("helper", "notify"):
            value = [mask_url(u) for u in value]
        out.setdefault(section, {})[key] = list(value) if isinstance(value, tuple) else value
    return out


def mask_url(url: str) -> str:
    """``mailtos://user:secret@host`` → ``mailtos://user:***@host``; tokens in paths too."""
    url = re.sub(r"(://[^:/@]+:)[^@/]+@", r"\1***@", url)
    url = re.sub(r"([?&](?:pass|password|token|key|secret)=)[^&]+", r"\1***", url, flags=re.I)
    return re.sub(r"(/)([A-Za-z0-9_\-]{20,})", r"\1***", url)
