"""The family helper's own remote tools: allowed always or only during some hours.

Config: ``[remote_tools] allowlist = ["rustdesk", "TeamViewer"]`` (ids or names,
case-insensitive) and ``allow_hours = "14:00-18:00"`` (empty = always; a window that
crosses midnight such as ``"22:00-02:00"`` works). Pure functions, any thread. A bad
``allow_hours`` allows nothing (better a warning too many than a scam let through),
and :func:`hours_problem` says why.
"""
from __future__ import annotations

import datetime as _dt
import re

_HOURS = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_hours(spec: str) -> tuple[_dt.time, _dt.time] | None:
    """``"HH:MM-HH:MM"`` → (start, end); ``""`` → None (always). Raises ValueError."""
    if not spec or not spec.strip():
        return None
    m = _HOURS.match(spec)
    if not m:
        raise ValueError(f"allow_hours must look like \"14:00-18:00\", not {spec!r}")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise ValueError(f"allow_hours has an impossible time: {spec!r}")
    end = _dt.time(23, 59, 59, 999999) if h2 == 24 else _dt.time(h2, m2)
    return _dt.time(h1, m1), end


def hours_problem(spec: str) -> str | None:
    try:
        parse_hours(spec)
    except ValueError as exc:
        return str(exc)
    return None


def in_hours(spec: str, now: _dt.datetime | None = None) -> bool:
    """True when ``now`` is inside the window (always for an empty one, never for a bad one)."""
    try:
        window = parse_hours(spec)
    except ValueError:
        return False
    if window is None:
        return True
    t = (now or _dt.datetime.now()).time()
    start, end = window
    return start <= t < end if start <= end else (t >= start or t < end)


def is_allowed(tool, allowlist, allow_hours: str = "", now: _dt.datetime | None = None) -> bool:
    """True when the helper allowed this tool (by id or name) and now is in their hours."""
    if tool is None:
        return False
    keys = {tool.id.lower(), tool.name.lower()}
    listed = any(str(a).strip().lower() in keys for a in allowlist or ())
    return listed and in_hours(allow_hours, now)
