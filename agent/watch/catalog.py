"""The catalogues in ``assets/`` (browsers, remote-control tools, risky sites and
"proof" tools) and the pure matching functions the watchers use.

``get()`` loads them once per process (thread-safe); a missing or broken catalogue is
logged and leaves that part empty (``Catalog.problems`` says which), it never stops
the agent. Matching is case-insensitive and ignores ``.exe``/``.app``.
"""
from __future__ import annotations

import fnmatch
import functools
import logging
import re
from dataclasses import dataclass, field
from pathlib import Path

from agent import paths
from agent.platform.base import WindowInfo, base_name
from agent.tomlcompat import tomllib

log = logging.getLogger(__name__)
PREFIX = 4            # patterns are indexed by this many leading characters
PARTIAL_SUFFIXES = (".crdownload", ".part", ".partial", ".download", ".tmp", ".opdownload")


def norm(name: str) -> str:
    """``C:\\Prog\\AnyDesk.EXE`` → ``anydesk``: base name, lower case, no .exe/.app."""
    name = base_name(name or "").strip().lower()
    for suffix in (".exe", ".app", ".msc", ".com", ".bin"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _first(table: dict, names) -> object | None:
    """The entry of ``table`` for the first of ``names`` it knows (normalised), or None."""
    for n in names:
        hit = table.get(norm(n)) if n else None
        if hit:
            return hit
    return None


@dataclass(frozen=True)
class Tool:
    id: str
    name: str
    windows: tuple[str, ...] = ()
    macos: tuple[str, ...] = ()
    linux: tuple[str, ...] = ()
    installers: tuple[str, ...] = ()

    def to_json(self) -> dict:
        return {"id": self.id, "name": self.name}


def _words_re(words) -> re.Pattern | None:
    words = [w.strip().lower() for w in words if isinstance(w, str) and w.strip()]
    if not words:
        return None
    return re.compile(r"(?<!\w)(" + "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True)) + r")(?!\w)", re.I)


@dataclass
class Catalog:
    browsers: list[dict] = field(default_factory=list)
    tools: list[Tool] = field(default_factory=list)
    suspicious_words: re.Pattern | None = None
    bank_domains: tuple[str, ...] = ()
    bank_words: re.Pattern | None = None
    proofs: list[dict] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def __post_init__(self):
        self._browser_names: dict[str, str] = {}
        self._browser_processes: dict[str, str] = {}
        for b in self.browsers:
            for n in list(b.get("process", ())) + list(b.get("window_class", ())):
                self._browser_names.setdefault(norm(n), b["id"])
            for n in b.get("process", ()):
                self._browser_processes.setdefault(norm(n), b["id"])
        self._tool_names: dict[str, Tool] = {}
        patterns: list[tuple[str, Tool]] = []
        for t in self.tools:
            for n in t.windows + t.macos + t.linux:
                if any(c in n for c in "*?["):
                    patterns.append((norm(n), t))
                else:
                    self._tool_names.setdefault(norm(n), t)
        # renamed builds ("AnyDesk (1).exe"), indexed by their first PREFIX characters so
        # that a name matches against a few patterns at most; the longest pattern first
        self._tool_patterns: dict[str, list[tuple[re.Pattern, Tool]]] = {}
        for p, t in sorted(patterns, key=lambda p: -len(p[0])):
            head = re.split(r"[*?\[]", p, maxsplit=1)[0]
            if len(head) < PREFIX:      # the generator drops these; a hand-made one is skipped
                log.warning("remote tool pattern %r is too vague (fewer than %d fixed letters first)", p, PREFIX)
                continue
            self._tool_patterns.setdefault(head[:PREFIX], []).append((re.compile(fnmatch.translate(p)), t))

    # -- browsers ------------------------------------------------------------------
    def browser_of(self, window: WindowInfo | None) -> str | None:
        """The browser id of a window (by process, executable or window class), or None."""
        if window is None:
            return None
        names = [window.process_name, window.exe] + window.wm_class.split(".")
        for n in names:
            hit = self._browser_names.get(norm(n)) if n else None
            if hit:
                return hit
        return None

    def browser_for_process(self, *names: str) -> str | None:
        """The browser id for any of a process's names (name, executable path, argv[0])."""
        return _first(self._browser_processes, names)

    def suspicious_title(self, title: str) -> str | None:
        m = self.suspicious_words.search(title or "") if self.suspicious_words else None
        return m.group(1).lower() if m else None

    # -- remote tools ----------------------------------------------------------------
    def tool_for_process(self, *names: str) -> Tool | None:
        """The tool for any of a process's names (name, executable path, argv[0]): an
        exact name first, then a renamed build (patterns indexed by their first letters)."""
        normed = [norm(n) for n in names if n]
        for n in normed:
            hit = self._tool_names.get(n)
            if hit:
                return hit
        for n in normed:
            for rx, tool in self._tool_patterns.get(n[:PREFIX], ()):
                if rx.match(n):
                    return tool
        return None

    def tool_for_installer(self, filename: str) -> Tool | None:
        name = base_name(filename).lower()
        if name.endswith(PARTIAL_SUFFIXES):
            return None
        best, best_len = None, 0
        for t in self.tools:  # the most specific pattern wins (teamviewerqs* over teamviewer*)
            for p in t.installers:
                if len(p) > best_len and fnmatch.fnmatchcase(name, p.lower()):
                    best, best_len = t, len(p)
        return best

    def tool(self, key: str) -> Tool | None:
        key = (key or "").strip().lower()
        return next((t for t in self.tools if key in (t.id.lower(), t.name.lower())), None)

    # -- risky context -----------------------------------------------------------------
    def bank_in_title(self, title: str) -> str | None:
        low = (title or "").lower()
        for d in self.bank_domains:
            if d in low:
                return d
        m = self.bank_words.search(low) if self.bank_words else None
        return m.group(1) if m else None

    def proof_for_process(self, name: str, cmdline: list[str] | None = None) -> dict | None:
        n = norm(name)
        cmd = " ".join(cmdline or ()).lower()
        for p in self.proofs:
            if n and n in {norm(x) for x in p.get("process", ())}:
                return p
            if cmd and any(w.lower() in cmd for w in p.get("command", ())):
                return p
        return None


def _load_toml(path: Path, problems: list[str]) -> dict:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        problems.append(f"catalogue {path} is missing")
    except (OSError, ValueError) as exc:
        problems.append(f"catalogue {path} is unreadable: {exc}")
    return {}


def _strs(value) -> tuple[str, ...]:
    return tuple(v for v in (value or ()) if isinstance(v, str))


def load(folder: Path | None = None) -> Catalog:
    """Read the three catalogues from ``folder`` (default: the assets folder)."""
    folder = folder or paths.assets_dir()
    problems: list[str] = []
    b = _load_toml(folder / "browsers.toml", problems)
    r = _load_toml(folder / "remote_tools.toml", problems)
    s = _load_toml(folder / "risky_sites.toml", problems)
    tools = []
    for i, t in enumerate(r.get("tool", ())):
        if not isinstance(t, dict) or not isinstance(t.get("id"), str):
            problems.append(f"remote_tools.toml: entry {i + 1} has no id; skipped")
            continue
        tools.append(Tool(t["id"], str(t.get("name") or t["id"]), _strs(t.get("windows")),
                          _strs(t.get("macos")), _strs(t.get("linux")), _strs(t.get("installers"))))
    browsers = [x for x in b.get("browser", ()) if isinstance(x, dict) and isinstance(x.get("id"), str)]
    proofs = [x for x in s.get("proof", ()) if isinstance(x, dict) and isinstance(x.get("id"), str)]
    for p in problems:
        log.error("%s", p)
    return Catalog(browsers=browsers, tools=tools,
                   suspicious_words=_words_re(b.get("suspicious_title_words", ())),
                   bank_domains=tuple(d.lower() for d in _strs(s.get("bank_domains"))),
                   bank_words=_words_re(s.get("bank_title_words", ())), proofs=proofs, problems=problems)


@functools.lru_cache(maxsize=4)
def _cached(folder: str) -> Catalog:
    return load(Path(folder))


def get() -> Catalog:
    """The shipped catalogues, loaded once per process."""
    return _cached(str(paths.assets_dir()))
