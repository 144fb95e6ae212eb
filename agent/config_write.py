"""Writing the settings file: a commented template, saved atomically.

``render(settings)`` gives the whole file: every setting with a one-line comment in
English and in French and its current value. ``save`` writes it atomically
(:mod:`agent.atomic`: temp file in the same folder, fsync, rename; mode 0600 because
helper addresses may hold passwords). ``update`` loads, applies changes, validates and saves. ``ensure_exists``
writes the commented defaults on first run and never raises.

Callable from any thread; each call re-reads the file, so callers that share a file
should call from one thread (the CLI, the installer, ``vigie run`` at start).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

from agent import atomic, config, paths, safefile
from agent.i18n import t

log = logging.getLogger(__name__)
COMMENT_LANGS = ("en", "fr")


class ConfigWriteError(OSError):
    """The file could not be written (read-only folder, full disk) or a change is invalid.

    ``str()`` is a plain-English sentence naming the file; ``text(lang)`` translates it.
    """

    def __init__(self, key: str, **values: Any):
        self.key = key
        self.values = values
        super().__init__(t("config." + key, "en", **values))

    def text(self, lang: str | None = None) -> str:
        values = dict(self.values)
        if isinstance(self.__cause__, safefile.UnsafeFile):   # the refusal in the same language
            values["reason"] = self.__cause__.text(lang)
        return t("config." + self.key, lang, **values)


def toml_value(value: Any) -> str:
    """A Python value (str, bool, int, float, list/tuple of those) as TOML."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        text = repr(value)
        return text if any(c in text for c in ".eE") else text + ".0"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)  # JSON string escapes are valid TOML
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    raise TypeError(f"cannot write {value!r} in TOML")


def _comments(key: str) -> list[str]:
    out = []
    for lang in COMMENT_LANGS:
        text = t("config." + key, lang)
        if text not in out:
            out.append(text)
    return ["# " + line for line in out]


def render(settings: config.Settings) -> str:
    """The full commented TOML file for ``settings``; pure (reads the catalogues)."""
    lines = _comments("header") + _comments("header_edit") + [""]
    current = None
    for (section, key) in config.SCHEMA:
        if section != current:
            current = section
            if section:
                lines += ["", *_comments("section_" + section), f"[{section}]"]
        attr = config._attr(section, key)
        lines += _comments("comment_" + attr)
        lines.append(f"{key} = {toml_value(getattr(settings, attr))}")
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def write_atomic(path: Path, text: str, mode: int = 0o600) -> None:
    """Replace ``path`` with ``text`` all at once; raises :class:`ConfigWriteError`."""
    try:
        paths.ensure_dir(path.parent)
        atomic.write_text(path, text, mode)   # refuses a device, pipe, socket, folder, "/" (safefile)
    except OSError as exc:
        raise ConfigWriteError("write_failed", path=str(path), reason=safefile.describe(exc)) from exc


def save(settings: config.Settings, path: Path | None = None) -> Path:
    """Write ``settings`` as the commented file at ``path`` (default: the config file)."""
    path = Path(path) if path else paths.config_file()
    write_atomic(path, render(settings))
    log.info("settings saved to %s", path)
    return path


_BY_ATTR = {config._attr(section, key): (section, key) for (section, key) in config.SCHEMA}


def check_change(name: str, value: Any) -> Any:
    """The value to store for setting ``name`` (Settings attribute name), validated.

    Raises :class:`ConfigWriteError` when there is no such setting or the value is bad.
    """
    if name not in _BY_ATTR:
        raise ConfigWriteError("unknown_change", name=name)
    section, key = _BY_ATTR[name]
    good, why = config._check(section, key, list(value) if isinstance(value, tuple) else value)
    if why:
        reason = t("config." + why[0], "en", **why[1])
        raise ConfigWriteError("bad_change", name=why[1]["name"], reason=reason)
    return good


def update(path: Path | None = None, **changes: Any) -> config.Settings:
    """Load the file, apply ``changes`` (Settings attribute names), validate, save.

    ``update(helper_notify=("mailtos://...",), language="fr")``. A change that is not a
    setting or not valid raises :class:`ConfigWriteError` and the file is left as it
    was. A file that had problems is first kept as ``<name>.bak``, so nothing the
    helper typed is lost. Returns the new effective settings.
    """
    path = Path(path) if path else paths.config_file()
    values = {name: check_change(name, value) for name, value in changes.items()}
    try:
        safefile.check_target(path)         # a device, a pipe, a folder, "/": nothing is read or written
    except OSError as exc:
        raise ConfigWriteError("write_failed", path=str(path), reason=safefile.describe(exc)) from exc
    settings, problems = config.load(path)
    new = settings.replace(**values)
    if problems and path.exists():
        try:
            backup = path.with_name(path.name + ".bak")
            data = safefile.read_bytes(path, 16 * config.MAX_BYTES)  # the bytes as they were (any encoding)
            atomic.write_bytes(backup, data)
            log.warning("the damaged settings file was kept as %s", backup)
        except OSError as exc:
            log.warning("could not keep a copy of the damaged settings file: %s", exc)
    save(new, path)
    return new.replace(source=str(path))


def ensure_exists(path: Path | None = None) -> bool:
    """First run: write the commented defaults if there is no file. Never raises.

    Returns True when a new file was written.
    """
    path = Path(path) if path else paths.config_file()
    try:
        if path.exists():
            return False
    except OSError:
        return False
    try:
        save(config.Settings(source=str(path)), path)
    except ConfigWriteError as exc:
        log.warning("%s (Vigie works with its default settings)", exc)
        return False
    return True
