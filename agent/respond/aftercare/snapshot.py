"""A small picture of what is installed and set to start, taken when a remote-control
tool is seen, and the difference with a later one.

A snapshot is plain JSON: ``{"taken", "os", "ms", "categories": {category: {"items":
{key: label}, "problems": [...]}}}`` for the categories ``programs``, ``autostart``,
``services``, ``scheduled``, ``extensions`` and ``files`` (new files in Downloads and
on the Desktop). Each category is read by the OS's readers (``readers_linux``,
``readers_windows``, ``readers_macos``); a reader that fails leaves a problem in its
category and never stops the others or the agent. Called from the Responder's
aftercare thread and the CLI.
"""
from __future__ import annotations

import datetime as _dt
import logging
import os
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

log = logging.getLogger(__name__)
CATEGORIES = ("programs", "autostart", "services", "scheduled", "extensions", "files")
MAX_ITEMS = 5000          # per category: a snapshot stays small whatever the computer holds


def current_os() -> str:
    return "windows" if sys.platform == "win32" else "macos" if sys.platform == "darwin" else "linux"


def _run(argv: list[str], timeout: float = 3.0) -> tuple[int, str]:
    """(exit status, output) of a short command; (127, "") when it is not installed."""
    try:
        out = subprocess.run(argv, capture_output=True, text=True, timeout=timeout,
                             stdin=subprocess.DEVNULL, errors="replace")
    except FileNotFoundError:
        return 127, ""
    return out.returncode, out.stdout + out.stderr


@dataclass
class Context:
    """Where the readers look. ``root`` prefixes absolute system paths (tests of the
    macOS/Windows layouts); ``reg`` is the Windows registry reader (the lowest call,
    faked in tests); ``run`` runs a short command (crontab -l)."""
    os_name: str = field(default_factory=current_os)
    home: Path = field(default_factory=Path.home)
    env: dict = field(default_factory=lambda: dict(os.environ))
    root: Path = Path("/")
    reg: object | None = None
    run: object = _run

    def sys(self, path: str) -> Path:
        return self.root / path.lstrip("/")


def readers(os_name: str) -> dict:
    """``{category: [reader(ctx) -> {key: label}]}`` of one OS."""
    if os_name == "windows":
        from agent.respond.aftercare import readers_windows as mod  # noqa: PLC0415
    elif os_name == "macos":
        from agent.respond.aftercare import readers_macos as mod  # noqa: PLC0415
    else:
        from agent.respond.aftercare import readers_linux as mod  # noqa: PLC0415
    return mod.READERS


def take(ctx: Context | None = None) -> dict:
    """Read every category now (any thread; ~tens of ms, see bench/aftercare.py)."""
    ctx = ctx or Context()
    t0 = time.perf_counter()
    cats: dict[str, dict] = {}
    for cat in CATEGORIES:
        items: dict[str, str] = {}
        problems: list[str] = []
        for reader in readers(ctx.os_name).get(cat, ()):
            try:
                items.update(reader(ctx))
            except Exception as exc:  # noqa: BLE001 - one unreadable source never stops the rest
                problems.append(f"{reader.__name__}: {type(exc).__name__}: {exc}"[:300])
                log.info("aftercare snapshot: %s could not be read: %s", reader.__name__, exc)
        if len(items) > MAX_ITEMS:
            problems.append(f"more than {MAX_ITEMS} entries; only the first were kept")
            items = dict(sorted(items.items())[:MAX_ITEMS])
        cats[cat] = {"items": dict(sorted(items.items())), "problems": problems}
    return {"taken": _dt.datetime.now().astimezone().isoformat(timespec="seconds"), "os": ctx.os_name,
            "ms": round((time.perf_counter() - t0) * 1000, 1), "categories": cats}


def diff(before: dict, after: dict) -> dict:
    """``{category: {"added": {key: label}, "removed": {...}, "problems": [...]}}`` (pure)."""
    out = {}
    for cat in CATEGORIES:
        b = (before.get("categories") or {}).get(cat) or {}
        a = (after.get("categories") or {}).get(cat) or {}
        bi, ai = b.get("items") or {}, a.get("items") or {}
        problems = list(dict.fromkeys((b.get("problems") or []) + (a.get("problems") or [])))
        if not b and a:
            problems.append("not in the first snapshot")
        out[cat] = {"added": {k: ai[k] for k in sorted(ai) if k not in bi},
                    "removed": {k: bi[k] for k in sorted(bi) if k not in ai}, "problems": problems}
    return out


# ---- helpers shared by the readers ---------------------------------------------------
def list_dir(folder: Path, prefix: str, suffixes: tuple[str, ...] = (), label=None) -> dict[str, str]:
    """``{prefix:name: label}`` for the entries of a folder (nothing if it is absent)."""
    out = {}
    try:
        entries = sorted(os.scandir(folder), key=lambda e: e.name)
    except FileNotFoundError:
        return out
    except NotADirectoryError:
        return out
    for e in entries[:MAX_ITEMS]:
        if suffixes and not e.name.lower().endswith(suffixes):
            continue
        out[f"{prefix}:{e.name}"] = label(e) if label else e.name
    return out


def desktop_entry_name(path: Path) -> str:
    """The ``Name=`` of a .desktop file (its file name if none)."""
    try:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            if line.startswith("Name="):
                return line[5:].strip() or path.name
    except OSError:
        pass
    return path.name


def crontab(ctx: Context) -> dict[str, str]:
    """The lines of the user's crontab (``crontab -l``; none when cron is not installed)."""
    code, text = ctx.run(["crontab", "-l"])
    if code == 127 or "no crontab" in text.lower():
        return {}
    if code != 0:
        raise OSError(text.strip()[:200] or f"crontab -l exited with {code}")
    return {f"crontab:{line.strip()}": line.strip() for line in text.splitlines()
            if line.strip() and not line.lstrip().startswith("#")}


def user_files(ctx: Context, folders: list[Path]) -> dict[str, str]:
    out = {}
    for folder in folders:
        out.update(list_dir(folder, f"file:{folder}", label=lambda e, f=folder: f"{e.name} ({f.name})"))
    return out
