"""Settings: one TOML file, every setting with a default, a broken file never fatal.

``load(path)`` returns ``(Settings, problems)``. Each problem names the file, the line
and what is wrong; the bad part falls back to its default and the rest is kept. The
agent shows a degraded state when ``problems`` is not empty; ``vigie config check``
prints them and exits non-zero. Pure apart from reading the file; any thread.

Neither ``parse`` (any text) nor ``load`` (any path: binary junk, a huge file, a wrong
encoding, a folder, no permission) ever raises: whatever cannot be understood is a
problem and the defaults are used. ``vigie run``, ``config check`` and the writer share
one validation (``_check``), so a value one accepts the others accept too.
"""
from __future__ import annotations

import dataclasses
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from agent import paths, safefile
from agent.tomlcompat import tomllib
from agent.urlsecrets import mask_url

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Problem:
    """One thing wrong in the file. ``message`` is English (for the log); ``key`` and
    ``values`` let :meth:`text` say the same in the user's language."""
    file: str
    line: int | None
    message: str
    key: str = field(default="", compare=False)
    values: dict = field(default_factory=dict, compare=False)

    def __str__(self) -> str:
        return self.text("en")

    def text(self, lang: str | None = None) -> str:
        """``file:line: problem`` in ``lang`` (English if the message has no key)."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        if not self.key or lang == "en":
            return f"{where}: {self.message}"
        from agent import i18n
        return f"{where}: {i18n.t('config.' + self.key, lang, **self.values)}"


def _problem(source: str, line: int | None, key: str, **values: Any) -> Problem:
    """A :class:`Problem` whose English message comes from the ``config`` catalogue."""
    from agent import i18n
    return Problem(source, line, i18n.t("config." + key, "en", **values), key, values)


# Each setting: (section, key) -> (default, kind, allowed). kind is a python type or
# "choice"/"list[str]"; allowed is a range (lo, hi) for numbers or a tuple of choices.
SCHEMA: dict[tuple[str, str], tuple[Any, Any, Any]] = {
    ("", "language"): ("auto", str, None),
    ("", "country"): ("auto", str, None),
    ("", "ocr_languages"): ("auto", str, None),
    ("", "sensitivity"): ("normal", "choice", ("low", "normal", "high")),
    ("", "speak"): (True, bool, None),
    ("", "scan_interval_seconds"): (5.0, float, (1.0, 600.0)),
    ("helper", "person_name"): ("", str, None),
    ("helper", "name"): ("", str, None),
    ("helper", "phone"): ("", str, None),
    ("helper", "notify"): ([], "list[str]", None),
    ("helper", "attach_screenshot"): (False, bool, None),
    ("helper", "heartbeat_hours"): (24.0, float, (0.0, 24.0 * 31)),
    ("helper", "watch_url"): ("", str, None),
    ("helper", "watch_minutes"): (5.0, float, (0.05, 60.0)),
    ("remote_tools", "mode"): ("warn", "choice", ("warn", "suspend")),
    ("remote_tools", "allowlist"): ([], "list[str]", None),
    ("remote_tools", "allow_hours"): ("", str, None),
    ("remote_tools", "containment_minutes"): (30.0, float, (0.0, 24.0 * 60)),
    ("evidence", "retention_days"): (365, int, (0, 36500)),
    ("clipboard", "guard"): (True, bool, None),
}
SECTIONS = sorted({s for s, _ in SCHEMA if s})

MAX_BYTES = 1 << 20   # a settings file is a few hundred bytes; more is not a settings file
MAX_DEPTH = 20        # [] / {} nesting deeper than this is refused before TOML parsing


# Text settings that must look a certain way: (pattern, example shown to the user).
FORMATS: dict[tuple[str, str], tuple[str, str]] = {
    ("", "language"): (r"auto|[a-z]{2}", '"auto", "fr" or "en"'),
    ("", "country"): (r"auto|[A-Za-z]{2}", '"auto" or "FR"'),
    ("", "ocr_languages"): (r"auto|[A-Za-z_]{3,}(\+[A-Za-z_]{3,})*", '"fra+eng"'),
    ("helper", "notify"): (r"[A-Za-z][A-Za-z0-9+.\-]*://\S+", '"mailtos://user:password@example.com"'),
    ("helper", "watch_url"): (r"(https?://\S+)?", '"https://hc-ping.com/your-check-uuid"'),
}


def _hours_problem(value: str) -> str | None:
    from agent.watch.allowlist import hours_problem  # noqa: PLC0415 - pure; the one parser of hours
    return hours_problem(value)


_hours_problem.example, _hours_problem.problem = '"14:00-18:00"', "problem_hours"


def _ocr_problem(value: str) -> bool:
    from agent.detect.readable import blind  # noqa: PLC0415 - pure; the one list of models that read no words
    return value.strip() != "auto" and blind(value)


_ocr_problem.example, _ocr_problem.problem = '"fra+eng"', "problem_ocr_blind"
# Settings checked by the function their users call; a bad value becomes INVALID's
# (or the default): a bad allow_hours allows the tools at no hour, as the watchers do.
VALIDATORS = {("remote_tools", "allow_hours"): _hours_problem, ("", "ocr_languages"): _ocr_problem}
INVALID = {("remote_tools", "allow_hours"): "00:00-00:00"}


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
    helper_person_name: str = ""
    helper_name: str = ""
    helper_phone: str = ""
    helper_notify: tuple[str, ...] = ()
    helper_attach_screenshot: bool = False
    helper_heartbeat_hours: float = 24.0
    helper_watch_url: str = ""          # the dead-man's switch: a ping URL (agent/alive.py)
    helper_watch_minutes: float = 5.0
    remote_tools_mode: str = "warn"
    remote_tools_allowlist: tuple[str, ...] = ()
    remote_tools_allow_hours: str = ""
    remote_tools_containment_minutes: float = 30.0
    evidence_retention_days: int = 365
    clipboard_guard: bool = True
    source: str = field(default="", compare=False)

    def lang(self) -> str:
        """The user's language, resolved (``auto`` → system locale, unknown → ``en``)."""
        from agent import i18n
        return i18n.resolve(self.language)

    def tess_langs(self) -> str:
        """Tesseract languages for this user: configured, else from the language (or, when
        Vigie does not speak the session's language, that language's installed model)."""
        if self.ocr_languages and self.ocr_languages != "auto":
            return self.ocr_languages
        langs = default_ocr_languages(self.lang())
        if self.language in ("", "auto"):
            from agent import i18n  # noqa: PLC0415
            own = i18n.system_language()
            if own != self.lang() and own in OCR_OFFERED and ocr_pack_installed(OCR_OFFERED[own]):
                return f"{OCR_OFFERED[own]}+eng"
        return langs

    def replace(self, **changes) -> "Settings":
        return dataclasses.replace(self, **changes)


# A user reads their own language *and* English by default: English kits are the ones
# everybody meets (bench/detection.py), and the second model costs about 1.5x the OCR
# CPU time of one (measured, README). "ocr_languages" overrides it ("fra", "fra+deu"...).
OCR_BY_LANG = {"fr": "fra", "en": "eng", "de": "deu", "es": "spa",
               "it": "ita", "nl": "nld", "ja": "jpn"}


# Languages of large groups of victims whose model setup.sh does not install: read with their
# model when the user's session speaks them and the pack is there (`vigie doctor` offers it),
# and text in their script is read again with it (agent/detect/scripts.py).
OCR_OFFERED = {"pl": "pol", "ro": "ron", "tr": "tur", "cs": "ces", "ru": "rus", "ar": "ara", "uk": "ukr",
               "he": "heb", "el": "ell", "ko": "kor", "zh": "chi_sim", "hu": "hun", "pt": "por", "sk": "slk",
               "bg": "bul", "hi": "hin", "vi": "vie", "th": "tha"}


def ocr_pack_installed(model: str) -> bool:
    from agent.detect.ocr import available_languages  # noqa: PLC0415 - reads the tessdata folder
    return model in available_languages()


def default_ocr_languages(lang: str) -> str:
    """Tesseract languages for a user of ``lang``: theirs plus English (``fra+eng``)."""
    own = OCR_BY_LANG.get(lang, "eng")
    return own if own == "eng" else f"{own}+eng"


def _line_index(text: str) -> dict[tuple[str, str | None], int]:
    """Where each ``[section]`` (key None) and ``key =`` first stands; one pass (best effort)."""
    index: dict[tuple[str, str | None], int] = {}
    current = ""
    for n, raw in enumerate(text.splitlines(), 1):
        line = raw.strip()
        m = re.match(r"^\[\s*([A-Za-z0-9_.\-]+)\s*\]", line)
        if m:
            current = m.group(1)
            index.setdefault((current, None), n)
            continue
        m = re.match(r"^([A-Za-z0-9_\-]+)\s*=", line)
        if m:
            index.setdefault((current, m.group(1)), n)
    return index


def _too_deep(text: str, limit: int = MAX_DEPTH) -> int | None:
    """The line where ``[``/``{`` nesting first exceeds ``limit`` outside strings and
    comments, else None. Python's TOML parser recurses once per level: a 1 kB file of
    ``[[[[…`` would raise RecursionError; no setting nests more than two levels."""
    if text.count("[") + text.count("{") <= limit:
        return None
    depth, line, i, n = 0, 1, 0, len(text)
    quote = None
    while i < n:
        c = text[i]
        if c == "\n":
            line += 1
            if quote in ('"', "'"):
                quote = None      # a one-line string cannot go on (TOML says so too)
        elif quote:
            if c == "\\" and quote in ('"', '"""'):
                i += 2
                continue
            if text.startswith(quote, i):
                i += len(quote)
                quote = None
                continue
        elif c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end
            continue
        elif c in "\"'":
            quote = text[i:i + 3] if text.startswith(c * 3, i) else c
            i += len(quote)
            continue
        elif c in "[{":
            depth += 1
            if depth > limit:
                return line
        elif c in "]}":
            depth = max(0, depth - 1)
        i += 1
    return None


def _show(value: Any, depth: int = 0) -> str:
    """A value as it would be written in the file (short: for a message)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        if depth > 2 or len(value) > 10:
            return "[...]"
        return "[" + ", ".join(_show(v, depth + 1) for v in value) + "]"
    if isinstance(value, str):
        return '"' + (value if len(value) <= 200 else value[:200] + "…") + '"'
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return "{...}"
    return str(value)


def _check(section: str, key: str, value: Any) -> tuple[Any, tuple[str, dict] | None]:
    """Return (value to use, None) or (default, (problem key, values))."""
    default, kind, allowed = SCHEMA[(section, key)]
    shown = _show(value)
    if (section, key) == ("helper", "notify"):
        shown = re.sub(r":[^:/@\"]+@", ":***@", shown)
    info = {"name": f"{section}.{key}" if section else key, "value": shown, "default": _show(default)}
    if kind is bool:
        return (value, None) if isinstance(value, bool) else (default, ("problem_bool", info))
    if kind is float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            return default, ("problem_number", info)
        value = float(value)
    elif kind is int:
        if isinstance(value, bool) or not isinstance(value, int):
            return default, ("problem_int", info)
    elif kind is str:
        if not isinstance(value, str):
            return default, ("problem_text", info)
    elif kind == "choice":
        if value not in allowed:
            return default, ("problem_choice", {**info, "choices": ", ".join(allowed)})
        return value, None
    elif kind == "list[str]":
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return default, ("problem_list", info)
        value = tuple(value)
    check = VALIDATORS.get((section, key))
    if check and check(value):
        return INVALID.get((section, key), default), (check.problem, {**info, "example": check.example})
    fmt = FORMATS.get((section, key))
    if fmt:
        items = value if isinstance(value, tuple) else (value,)
        bad = [v for v in items if not re.fullmatch(fmt[0], v.strip())]
        if bad:
            shown = mask_url(bad[0]) if (section, key) == ("helper", "notify") else bad[0]
            info = {**info, "value": _show(re.sub(r":[^:/@]+@", ":***@", shown)), "example": fmt[1]}
            if isinstance(value, tuple):  # keep the good entries of a list
                return tuple(v for v in value if v not in bad), ("problem_entry", info)
            return default, ("problem_format", info)
    if isinstance(allowed, tuple) and len(allowed) == 2 and not (allowed[0] <= value <= allowed[1]):
        return default, ("problem_range", {**info, "low": f"{allowed[0]:g}", "high": f"{allowed[1]:g}"})
    return value, None


def validate(settings: Settings) -> list[Problem]:
    """Problems in a :class:`Settings` built in code (``vigie config set``, the writer)."""
    problems = []
    for (section, key) in SCHEMA:
        value = getattr(settings, _attr(section, key))
        if isinstance(value, tuple):
            value = list(value)
        _good, why = _check(section, key, value)
        if why:
            problems.append(_problem(settings.source or "<settings>", None, why[0], **why[1]))
    return problems


def parse(text: str, source: str = "<config>") -> tuple[Settings, list[Problem]]:
    """Settings from TOML text; pure, never raises. Bad parts fall back to defaults, with problems."""
    try:
        return _parse(text, source)
    except Exception as exc:  # noqa: BLE001 - last guard: a broken file never stops protection
        log.error("config: unexpected failure reading %s", source, exc_info=True)
        return Settings(source=source), [_problem(source, None, "problem_toml", error=f"{type(exc).__name__}: {exc}")]


def _parse(text: str, source: str) -> tuple[Settings, list[Problem]]:
    problems: list[Problem] = []
    deep = _too_deep(text)
    if deep is not None:
        return Settings(source=source), [_problem(source, deep, "problem_deep", limit=MAX_DEPTH)]
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, RecursionError, ValueError) as exc:
        m = re.search(r"line (\d+)", str(exc))
        problems.append(_problem(source, int(m.group(1)) if m else None, "problem_toml", error=str(exc)[:300]))
        return Settings(source=source), problems
    lines = _line_index(text)
    values: dict[str, Any] = {}
    for name, value in data.items():
        if isinstance(value, dict) and name in SECTIONS:
            items = [(name, k, v) for k, v in value.items()]
        elif isinstance(value, dict):
            problems.append(_problem(source, lines.get((name, None)), "problem_section", name=name[:80]))
            continue
        elif name in SECTIONS:
            problems.append(_problem(source, lines.get(("", name)), "problem_section_type", name=name))
            continue
        else:
            items = [("", name, value)]
        for section, key, v in items:
            label = f"{section}.{key}" if section else key
            if (section, key) not in SCHEMA:
                problems.append(_problem(source, lines.get((section, key)), "problem_unknown", name=repr(label[:80])))
                continue
            good, why = _check(section, key, v)
            if why:
                problems.append(_problem(source, lines.get((section, key)), why[0], **why[1]))
            values[_attr(section, key)] = good
    return Settings(source=source, **values), problems


def load(path: Path | None = None, quiet: bool = False) -> tuple[Settings, list[Problem]]:
    """Read the config file; a missing file is fine (defaults), an unreadable one a problem.

    Each problem is logged as a warning (file, line, what) unless ``quiet``.
    """
    path = path or paths.config_file()
    try:
        data = safefile.read_bytes(path, MAX_BYTES)   # a pipe would block start-up, a device never ends
        problem = None
        text = data.decode("utf-8")
    except safefile.UnsafeFile as exc:
        problem = (_problem(str(path), None, "problem_too_big", size=f"{MAX_BYTES // 1024} kB")
                   if exc.why == "too_big" else _problem(str(path), None, "problem_unreadable", error=str(exc)))
    except FileNotFoundError:
        return Settings(source=str(path)), []
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        problem = _problem(str(path), line, "problem_encoding")
    except (OSError, ValueError) as exc:   # a folder, no permission, an I/O error, a NUL in the path
        problem = _problem(str(path), None, "problem_unreadable",
                           error=getattr(exc, "strerror", None) or str(exc))
    if problem is not None:
        if not quiet:
            log.warning("config: %s", problem)
        return Settings(source=str(path)), [problem]
    settings, problems = parse(text, str(path))
    for p in problems if not quiet else ():
        log.warning("config: %s", p)
    return settings, problems


def as_dict(settings: Settings, mask_secrets: bool = True) -> dict[str, dict[str, Any]]:
    """The effective settings by section (``""`` for the top level), secrets masked."""
    out: dict[str, dict[str, Any]] = {}
    for (section, key) in SCHEMA:
        value = getattr(settings, _attr(section, key))
        if mask_secrets and (section, key) == ("helper", "notify"):
            value = [mask_url(u) for u in value]
        elif mask_secrets and (section, key) == ("helper", "watch_url") and value:
            value = mask_url(value)
        out.setdefault(section, {})[key] = list(value) if isinstance(value, tuple) else value
    return out
