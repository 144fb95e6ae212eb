"""Settings changes that matter to the helper, and the helper's last good settings.

:func:`checked` and :func:`changes` are what ``Agent.apply_settings`` (and the start)
ask: which settings to use, and what to tell the helper — a change of the helper
addresses or of a :data:`PROTECTIVE` setting, a broken or deleted file — with the old
addresses as well as the new (the old helper must hear that he was removed).

The last good helper part is kept in the state folder (``state/helper.json``). A settings file that no longer parses — or that was deleted — must never leave Vigie
with the defaults' empty helper list: nobody would hear of what happens next (a broken
line may be the scammer's doing). :func:`remember` keeps the helper part of every
settings file that reads cleanly; :func:`restore` puts it back into settings read from
a broken or missing file. The addresses are kept as the settings file has them (secrets
stay ``{secret:…}`` references; their values are in the keyring or ``secrets.toml``).
Main thread at start, the "settings-watch" thread after; the file is replaced whole.
"""
from __future__ import annotations

import json
import logging
import os
from pathlib import Path

from agent import atomic, paths

log = logging.getLogger(__name__)
NAME = "helper.json"
FIELDS = ("helper_notify", "helper_person_name", "helper_name", "helper_phone", "helper_watch_url")
PROTECTIVE = ("sensitivity", "scan_interval_seconds", "remote_tools_mode", "remote_tools_allowlist",
              "remote_tools_allow_hours", "remote_tools_containment_minutes", "evidence_retention_days",
              "clipboard_guard", "helper_watch_url", "helper_watch_minutes", "helper_heartbeat_hours")


def path() -> Path:
    return paths.state_dir() / NAME


def _read() -> dict:
    try:
        data = json.loads(path().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def remember(settings) -> None:
    """Keep the helper part of ``settings`` (read from a good file). Never raises."""
    if not settings.helper_notify:
        return
    data = {f: list(v) if isinstance(v, tuple) else v for f in FIELDS for v in [getattr(settings, f, "")]}
    if _read() == data:
        return
    try:
        paths.ensure_dir(path().parent)
        atomic.write_text(path(), json.dumps(data, ensure_ascii=False, indent=1) + "\n")   # mode 0600
    except Exception as exc:  # noqa: BLE001 - a read-only state folder: the settings file still works
        log.warning("cannot keep the helper's last good settings in %s: %s", path(), exc)


def unusable(settings, problems) -> bool:
    """The file these settings came from is broken or gone (its helper part cannot be trusted)."""
    source = getattr(settings, "source", "")
    return bool(problems) or bool(source) and not os.path.exists(source)


def restore(settings, problems):
    """``settings`` with the last good helper part when its file is broken or gone and it
    names no helper; else ``settings`` unchanged."""
    if settings.helper_notify or not unusable(settings, problems):
        return settings
    data = _read()
    notify = data.get("helper_notify")
    if not isinstance(notify, list) or not notify or not all(isinstance(u, str) for u in notify):
        return settings
    changes = {f: data[f] for f in FIELDS if isinstance(data.get(f), str)}
    changes["helper_notify"] = tuple(notify)
    log.warning("the settings file is broken or gone: using the helper's last good addresses (%d)", len(notify))
    return settings.replace(**changes)


def channels(settings) -> tuple:
    """Where an urgent message goes: the configured addresses, else (every one removed —
    maybe by the scammer) the last good ones."""
    if settings.helper_notify:
        return tuple(settings.helper_notify)
    notify = _read().get("helper_notify")
    return tuple(u for u in notify if isinstance(u, str)) if isinstance(notify, list) else ()


def checked(settings, problems, old=None):
    """(the settings to use, what to report or None): a broken or deleted file keeps the
    last good helper part (else ``old``'s addresses); a good file is remembered."""
    if not unusable(settings, problems):
        remember(settings)
        return settings, None
    broken = "settings_broken" if problems else "settings_removed"
    restored = restore(settings, problems)
    if not restored.helper_notify and old is not None and old.helper_notify:
        restored = restored.replace(helper_notify=old.helper_notify)
    if old is None and restored is settings:
        return settings, None          # a first start without a file: nothing was lost
    return restored, broken


def changes(old, new, changed: list[str], broken: str | None) -> list[tuple[str, tuple, dict]]:
    """``(what, channels, details)`` for each thing to tell the helper about this change."""
    from agent.config import mask_url  # noqa: PLC0415
    both = tuple(old.helper_notify) + tuple(new.helper_notify)
    out = []
    if broken:
        out.append((broken, both, {"file": new.source}))
    if tuple(old.helper_notify) != tuple(new.helper_notify):
        out.append(("helper_changed", both, {"file": new.source, "before": [mask_url(u) for u in old.helper_notify],
                                              "after": [mask_url(u) for u in new.helper_notify]}))
    from agent import config  # noqa: PLC0415
    shown = {config._attr(sec, key): f"[{sec}] {key}" if sec else key for sec, key in config.SCHEMA}
    weaker = [shown.get(n, n) for n in changed if n in PROTECTIVE]   # as written in the settings file
    if weaker:
        out.append(("protection_changed", both, {"file": new.source, "changed": weaker}))
    return out
