"""Linux (and other freedesktop systems): an XDG autostart entry, ``vigie.desktop``.

The user's entry lives in ``$XDG_CONFIG_HOME/autostart`` (default ``~/.config/autostart``);
the Debian package ships the same entry system-wide in ``/etc/xdg/autostart``. An entry of
the same name in the user's folder takes precedence over the system one, so the agent is
never started twice. Pure functions plus small file writes; called from the CLI's main
thread (and by ``vigie doctor`` for :func:`is_installed`).
"""
from __future__ import annotations

import logging
import os
from pathlib import Path

from agent.install import Undo, make_dirs, write_file
from agent.i18n import t

log = logging.getLogger(__name__)
ENTRY_NAME = "vigie.desktop"
_RESERVED = set(' \t\n"\'\\><~|&;$*?#()`')


def config_home() -> Path:
    value = os.environ.get("XDG_CONFIG_HOME", "").strip()
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".config"


def autostart_dir() -> Path:
    return config_home() / "autostart"


def user_entry() -> Path:
    return autostart_dir() / ENTRY_NAME


def system_entries() -> list[Path]:
    """``vigie.desktop`` in each ``$XDG_CONFIG_DIRS`` folder (default ``/etc/xdg``)."""
    dirs = [d for d in os.environ.get("XDG_CONFIG_DIRS", "").split(":") if os.path.isabs(d)]
    return [Path(d) / "autostart" / ENTRY_NAME for d in dirs or ["/etc/xdg"]]


def quote_arg(arg: str) -> str:
    """One argument for ``Exec=``, quoted as the Desktop Entry spec asks."""
    if arg and not any(c in _RESERVED for c in arg):
        return arg.replace("%", "%%")
    inner = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    return '"' + inner.replace("%", "%%") + '"'


def _escape_string(value: str) -> str:
    """The general string escaping of a desktop file value (``\\`` → ``\\\\``)."""
    return value.replace("\\", "\\\\").replace("\n", "\\n").replace("\t", "\\t")


def exec_value(argv: list[str]) -> str:
    return _escape_string(" ".join(quote_arg(a) for a in argv))


def parse_exec(value: str) -> list[str]:
    """The argument list of an ``Exec=`` value (the inverse of :func:`exec_value`)."""
    text, i = [], 0
    unesc = {"s": " ", "n": "\n", "t": "\t", "r": "\r", "\\": "\\"}
    while i < len(value):  # general string unescaping first
        c = value[i]
        if c == "\\" and i + 1 < len(value) and value[i + 1] in unesc:
            text.append(unesc[value[i + 1]])
            i += 2
            continue
        text.append(c)
        i += 1
    s, args, cur, quoted, has = "".join(text), [], [], False, False
    i = 0
    while i < len(s):
        c = s[i]
        if quoted and c == "\\" and i + 1 < len(s):
            cur.append(s[i + 1])
            i += 2
            continue
        if c == '"':
            quoted, has = not quoted, True
        elif c == " " and not quoted:
            if cur or has:
                args.append("".join(cur))
            cur, has = [], False
        elif c == "%" and i + 1 < len(s):
            if s[i + 1] == "%":
                cur.append("%")
            i += 2  # field codes (%f, %u...) expand to nothing here
            continue
        else:
            cur.append(c)
        i += 1
    if cur or has:
        args.append("".join(cur))
    return args


def render(command: list[str]) -> str:
    """The whole ``.desktop`` entry starting ``command``; pure and deterministic."""
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",
        "Name=Vigie",
        "Name[fr]=Vigie",
        "Comment=" + _escape_string(t("install.desktop_comment", "en")),
        "Comment[fr]=" + _escape_string(t("install.desktop_comment", "fr")),
        "Exec=" + exec_value(command),
        "TryExec=" + _escape_string(command[0]),
        "Terminal=false",
        "Categories=Utility;Security;",
        "X-GNOME-Autostart-enabled=true",
        "X-GNOME-Autostart-Delay=5",
        "X-KDE-autostart-after=panel",
        "X-Vigie-Managed=true",
    ]
    return "\n".join(lines) + "\n"


def read_entry(path: Path) -> dict[str, str]:
    """The keys of the ``[Desktop Entry]`` group; ``{}`` if unreadable."""
    out: dict[str, str] = {}
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return out
    group = None
    for line in text.splitlines():
        line = line.strip()
        if line.startswith("["):
            group = line
        elif group == "[Desktop Entry]" and "=" in line and not line.startswith("#"):
            k, _, v = line.partition("=")
            out[k.strip()] = v.strip()
    return out


def install(command: list[str], undo: Undo | None = None) -> list[Path]:
    """Write the user's autostart entry; returns the files written and the folders created
    (the caller records them). Idempotent: an identical entry is left untouched."""
    created = make_dirs(autostart_dir())
    if undo:
        undo.created_dirs(created)
        undo.before_write(user_entry())
    write_file(user_entry(), render(command).encode("utf-8"))
    return [user_entry(), *created]


def _enabled(entry: dict[str, str]) -> bool:
    if not entry or entry.get("Hidden", "").lower() == "true":
        return False
    if entry.get("X-GNOME-Autostart-enabled", "true").lower() == "false":
        return False
    try_exec = entry.get("TryExec")
    return not try_exec or os.path.exists(try_exec)


def is_installed() -> bool:
    """True when the session will start Vigie: a user entry, else a system-wide one."""
    if user_entry().exists():
        return _enabled(read_entry(user_entry()))
    return any(_enabled(read_entry(p)) for p in system_entries() if p.exists())
