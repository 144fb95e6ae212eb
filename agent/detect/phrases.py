"""Phrase lists: the vocabulary of scams, one TOML file per language.

Built-in lists are ``assets/phrases/<lang>.toml``; the helper may drop files with the
same layout in the user phrases folder (``paths.user_phrases_dir()``): a file with the
same name *adds* to the built-in one. Layout::

    lang = "fr"
    [threat]                 # a signal kind (see KINDS)
    family = ""              # "" = any family, or tss / refund / summons / sextortion
    weight = 1.0
    phrases = ["votre ordinateur est bloqué", "virus détecté"]
    [threat.sextortion]      # a kind restricted to one family (sub-table)
    phrases = ["j'ai piraté votre appareil"]

A malformed file gives a :class:`PhraseError` naming the file and line; the other
files (and the built-in lists) still load. Loading is I/O; matching lives in
:mod:`agent.detect.match`.
"""
from __future__ import annotations

import functools
import logging
import re
from dataclasses import dataclass
from pathlib import Path

from agent import paths, safefile
from agent.detect.verdict import FAMILIES
from agent.tomlcompat import tomllib

log = logging.getLogger(__name__)
MAX_FILE_BYTES = 4 << 20   # the built-in lists are ~50 kB; more is not a phrase list

# kind -> default weight. "counter" marks pages *about* scams (negative weight).
KINDS = {
    "brand": 1.0, "threat": 1.5, "call": 1.5, "pressure": 1.2, "error_code": 1.0,
    "payment": 1.5, "accusation": 2.0, "authority": 1.0, "intimate": 1.5,
    "invoice": 1.2, "counter": -4.0, "clickfix": 1.5, "scan": 1.0,
}


@dataclass(frozen=True)
class Phrase:
    text: str
    kind: str
    family: str
    weight: float
    lang: str


class PhraseError(ValueError):
    def __init__(self, file: Path, line: int | None, message: str):
        self.file, self.line, self.message = file, line, message
        super().__init__(f"{file}:{line or '?'}: {message}")


def _line(text: str, needle: str) -> int | None:
    for n, raw in enumerate(text.splitlines(), 1):
        if needle in raw:
            return n
    return None


def _section(file: Path, text: str, lang: str, kind: str, family: str, body: dict) -> list[Phrase]:
    header = f"[{kind}.{family}]" if family else f"[{kind}]"
    where = _line(text, header)
    unknown = sorted(set(body) - {"family", "weight", "phrases"})
    if unknown:
        raise PhraseError(file, _line(text, f"{unknown[0]} ") or where,
                          f"{header}: unknown field {unknown[0]!r} (known: family, weight, phrases)")
    fam = body.get("family", family)
    if not isinstance(fam, str) or fam not in ("",) + FAMILIES:
        raise PhraseError(file, where, f"{header}: family must be one of {', '.join(FAMILIES)} or \"\", not {fam!r}")
    weight = body.get("weight", KINDS[kind])
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not -10 <= weight <= 10:
        raise PhraseError(file, where, f"{header}: weight must be a number between -10 and 10, not {weight!r}")
    items = body.get("phrases", [])
    if not isinstance(items, list) or not all(isinstance(p, str) and p.strip() for p in items):
        raise PhraseError(file, where, f"{header}: phrases must be a list of non-empty texts in quotes")
    return [Phrase(p.strip(), kind, fam, float(weight), lang) for p in items]


def parse_file(file: Path, inside: Path | None = None) -> list[Phrase]:
    """The phrases of one file; raises :class:`PhraseError` with the line on any problem.
    ``inside``: a link leading out of that folder is refused (its text would be quoted)."""
    try:
        text = safefile.read_text(file, MAX_FILE_BYTES, inside)  # a pipe never blocks, /dev/zero is refused
    except (OSError, UnicodeDecodeError) as exc:
        raise PhraseError(file, None, f"cannot be read: {exc}") from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = re.search(r"line (\d+)", str(exc))
        line = int(m.group(1)) if m else (text.count("\n") + 1 if "end of document" in str(exc) else None)
        raise PhraseError(file, line, f"not valid TOML: {exc}") from exc
    lang = data.pop("lang", file.stem)
    if not isinstance(lang, str) or not re.fullmatch(r"[A-Za-z]{2,3}([-_][A-Za-z]{2,4})?", lang):
        raise PhraseError(file, _line(text, "lang"), f'lang must be a language code in quotes such as "en", '
                                                     f"not {lang!r}")
    out: list[Phrase] = []
    for kind, body in data.items():
        if kind not in KINDS:
            raise PhraseError(file, _line(text, f"[{kind}"), f"unknown signal kind [{kind}] (known: {', '.join(KINDS)})")
        if not isinstance(body, dict):
            raise PhraseError(file, _line(text, kind), f"{kind} must be a [section]")
        subs = {k: v for k, v in body.items() if isinstance(v, dict)}
        for fam, sub in subs.items():
            if fam not in FAMILIES:
                raise PhraseError(file, _line(text, f"[{kind}.{fam}]"), f"unknown family [{kind}.{fam}]")
            out += _section(file, text, lang, kind, fam, sub)
        out += _section(file, text, lang, kind, "", {k: v for k, v in body.items() if k not in subs})
    return out


def builtin_dir() -> Path:
    return paths.assets_dir() / "phrases"


def load_all(extra_dirs: tuple[Path, ...] | None = None) -> tuple[list[Phrase], list[PhraseError]]:
    """Built-in lists plus the user's; each bad file is reported and skipped."""
    dirs = [builtin_dir()] + list(extra_dirs if extra_dirs is not None else (paths.user_phrases_dir(),))
    phrases: list[Phrase] = []
    errors: list[PhraseError] = []
    for folder in dirs:
        if not folder.is_dir():
            if folder == dirs[0]:        # the built-in lists: without them detection reads but sees nothing
                errors.append(PhraseError(folder, None, "the built-in phrase lists are missing; scams "
                                                        "cannot be recognised from their words"))
            continue
        for file in sorted(folder.glob("*.toml")):
            try:
                phrases += parse_file(file, inside=folder if folder != dirs[0] else None)  # the user's folder
            except PhraseError as exc:
                # reported once, by the caller (vigie scan prints it, the agent turns degraded)
                log.debug("phrase list skipped: %s", exc)
                errors.append(exc)
    if not phrases and not errors:
        errors.append(PhraseError(dirs[0], None, "no phrase list could be read; scams cannot be recognised "
                                                 "from their words"))
    return phrases, errors


@functools.lru_cache(maxsize=4)
def cached(extra: tuple[str, ...] | None = None) -> tuple[tuple[Phrase, ...], tuple[PhraseError, ...]]:
    """``load_all`` once per process (per set of extra folders)."""
    dirs = tuple(Path(d) for d in extra) if extra is not None else None
    phrases, errors = load_all(dirs)
    return tuple(phrases), tuple(errors)
