"""Who connected: the remote-control tools' own connection logs.

Parsers are pure (text in, :class:`Connection` list out), one per log format:
AnyDesk ``connection_trace.txt`` and its ``*.trace`` logs (``ad.trace``, ``ad_svc.trace``,
``anydesk.trace``), TeamViewer ``Connections_incoming.txt`` and its
``TeamViewer*_Logfile.log``. :func:`log_files` says where each tool keeps them on each OS;
:func:`read` reads what was appended since given file sizes (so a session's own lines
are told apart from older ones without trusting the logs' clocks). Called from the
Responder's aftercare thread and the CLI; never raises on a bad file.
"""
from __future__ import annotations

import glob
import logging
import os
import re
import sys
from dataclasses import asdict, dataclass

log = logging.getLogger(__name__)
MAX_READ = 4 * 1024 * 1024     # the tail of a log read at most (a trace can grow to hundreds of MB)
IP_PORT = r"((?:\d{1,3}\.){3}\d{1,3}|\[[0-9a-fA-F:]+\]|[0-9a-fA-F:]{3,}:[0-9a-fA-F:]+)(?::(\d+))?"


@dataclass
class Connection:
    tool: str
    source: str                 # the log file's name
    time: str = ""              # as the log writes it
    direction: str = ""         # incoming / outgoing
    remote_id: str = ""
    remote_name: str = ""
    remote_ip: str = ""
    auth: str = ""              # how it was let in (AnyDesk: User / Passwd / Token)
    kind: str = ""              # TeamViewer: RemoteControl, FileTransfer...
    end: str = ""

    def to_json(self) -> dict:
        return {k: v for k, v in asdict(self).items() if v}


# ---- AnyDesk ------------------------------------------------------------------------
_AD_TRACE = re.compile(r"^(Incoming|Outgoing)\s+(\d{4}-\d{2}-\d{2}),?\s+(\d{1,2}:\d{2}(?::\d{2})?)\s+"
                       r"(\S+)\s+(\S+)(?:\s+(.+?))?\s*$", re.I)
_AD_LINE = re.compile(r"^\s*\w+\s+(\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2})(?:\.\d+)?\s+.*?\s-\s(.*)$")
_AD_CLIENT = re.compile(r"Client-ID:\s*(\d+)")
_AD_FROM = re.compile(r"Logged in from " + IP_PORT)
_AD_REQUEST = re.compile(r"Incoming session request:\s*(.*?)\s*\((\d+)\)")


def parse_anydesk_connection_trace(text: str, source: str = "connection_trace.txt") -> list[Connection]:
    """``Incoming  2022-08-23, 10:23  Passwd  547911884  547911884`` lines."""
    out = []
    for line in text.splitlines():
        m = _AD_TRACE.match(line.strip().lstrip("\ufeff"))
        if m:
            alias = (m.group(6) or "").strip()
            out.append(Connection("anydesk", source, f"{m.group(2)} {m.group(3)}", m.group(1).lower(),
                                  remote_id=m.group(5), remote_name=alias if alias != m.group(5) else "",
                                  auth=m.group(4)))
    return out


def parse_anydesk_trace(text: str, source: str = "ad.trace") -> list[Connection]:
    """The ``Client-ID: N``, ``Logged in from IP:port`` and ``Incoming session request:
    NAME (ID)`` lines of AnyDesk's trace logs; lines of one second make one connection."""
    out: list[Connection] = []
    for line in text.splitlines():
        m = _AD_LINE.match(line)
        if not m:
            continue
        when, msg = m.group(1), m.group(2)
        cid, frm, req = _AD_CLIENT.search(msg), _AD_FROM.search(msg), _AD_REQUEST.search(msg)
        if not (cid or frm or req):
            continue
        cur = out[-1] if out and out[-1].time == when else None
        if cur is None or (cid and cur.remote_id and cur.remote_id != cid.group(1)):
            cur = Connection("anydesk", source, when, "incoming")
            out.append(cur)
        if cid:
            cur.remote_id = cid.group(1)
        if req:
            cur.remote_name, cur.remote_id = req.group(1), cur.remote_id or req.group(2)
        if frm:
            cur.remote_ip = frm.group(1).strip("[]")
    return out


# ---- TeamViewer -----------------------------------------------------------------------
_TV_PARTICIPANT = re.compile(r"AddParticipants?:\s*\[(\d+),[^\]]*\](?:.*?name=(.*?))?\s*$")
_TV_PUNCH = re.compile(r"punch received a=" + IP_PORT, re.I)
_TV_OWN_ID = re.compile(r"^ID:\s+(\d+)\s*$", re.M)
_TV_LINE = re.compile(r"^(\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2})(?:\.\d+)?\s+(.*)$")


def parse_teamviewer_connections(text: str, source: str = "Connections_incoming.txt") -> list[Connection]:
    """Tab-separated lines: remote ID, remote name, start, end, local user, type, GUID."""
    out = []
    for line in text.splitlines():
        parts = [p.strip() for p in line.lstrip("\ufeff").split("\t")]
        if len(parts) >= 4 and parts[0].replace(" ", "").isdigit():
            out.append(Connection("teamviewer", source, parts[2], "incoming", remote_id=parts[0].replace(" ", ""),
                                  remote_name=parts[1], end=parts[3],
                                  kind=parts[5] if len(parts) > 5 else ""))
    return out


def parse_teamviewer_logfile(text: str, source: str = "TeamViewer15_Logfile.log") -> list[Connection]:
    """``AddParticipants: [ID,...] ... name=NAME`` (who joined; this computer's own ID,
    from the header, left out) and ``punch received a=IP:port`` (the peer's address, just
    before) lines of ``TeamViewer*_Logfile.log``."""
    out: list[Connection] = []
    ip, ip_time = "", ""
    own = _TV_OWN_ID.search(text)          # the header's "ID:" is this computer's own
    for line in text.splitlines():
        m = _TV_LINE.match(line)
        if not m:
            continue
        when, msg = m.group(1), m.group(2)
        punch = _TV_PUNCH.search(msg)
        if punch:
            ip, ip_time = punch.group(1).strip("[]"), when
            continue
        part = _TV_PARTICIPANT.search(msg)
        if part and (own is None or part.group(1) != own.group(1)) \
                and not any(c.remote_id == part.group(1) and c.time == when for c in out):
            out.append(Connection("teamviewer", source, when, "incoming", remote_id=part.group(1),
                                  remote_name=(part.group(2) or "").strip(),
                                  remote_ip=ip if ip_time[:13] == when[:13] else ""))
    return out


PARSERS = {
    "connection_trace.txt": parse_anydesk_connection_trace,
    ".trace": parse_anydesk_trace,
    "connections_incoming.txt": parse_teamviewer_connections,
    "_logfile": parse_teamviewer_logfile,
}


def parser_for(path: str):
    name = os.path.basename(path).lower()
    for key, fn in PARSERS.items():
        if name == key or (key.startswith((".", "_")) and key in name):
            return fn
    return None


# ---- where ------------------------------------------------------------------------------
def log_files(tool_id: str, os_name: str | None = None, env: dict | None = None, home: str | None = None) -> list[str]:
    """The connection-log patterns of a tool on an OS (``linux``, ``windows``, ``macos``),
    with ``%VARS%`` and ``~`` expanded from ``env``/``home``."""
    os_name = os_name or ("windows" if sys.platform == "win32" else "macos" if sys.platform == "darwin" else "linux")
    env = dict(os.environ if env is None else env)
    home = home or env.get("HOME") or env.get("USERPROFILE") or os.path.expanduser("~")
    key = "teamviewer" if tool_id.startswith("teamviewer") else tool_id
    pats = LOG_PATHS.get(key, {}).get(os_name, [])
    out = []
    for p in pats:
        p = re.sub(r"%(\w+(?:\(x86\))?)%", lambda m: env.get(m.group(1), env.get(m.group(1).upper(), m.group(0))), p)
        if p.startswith("~"):
            p = home + p[1:]
        if "%" not in p:
            out.append(p)
    return out


LOG_PATHS = {
    "anydesk": {
        "windows": [r"%APPDATA%\AnyDesk\connection_trace.txt", r"%PROGRAMDATA%\AnyDesk\connection_trace.txt",
                    r"%APPDATA%\AnyDesk\ad.trace", r"%PROGRAMDATA%\AnyDesk\ad_svc.trace"],
        "macos": ["~/.anydesk/connection_trace.txt", "~/.anydesk/*.trace",
                  "~/Library/Application Support/AnyDesk/connection_trace.txt",
                  "~/Library/Application Support/AnyDesk/*.trace", "/var/log/anydesk*.trace"],
        "linux": ["~/.anydesk/connection_trace.txt", "~/.anydesk/*.trace", "/etc/anydesk/connection_trace.txt",
                  "/var/log/anydesk*.trace", "~/.config/AnyDesk/Logs/*.trace"],
    },
    "teamviewer": {
        "windows": [r"%ProgramFiles%\TeamViewer\Connections_incoming.txt",
                    r"%ProgramFiles(x86)%\TeamViewer\Connections_incoming.txt",
                    r"%ProgramFiles%\TeamViewer\TeamViewer*_Logfile*.log",
                    r"%ProgramFiles(x86)%\TeamViewer\TeamViewer*_Logfile*.log",
                    r"%APPDATA%\TeamViewer\TeamViewer*_Logfile*.log", r"%TEMP%\TeamViewer\TeamViewer*_Logfile*.log"],
        "macos": ["/Library/Logs/TeamViewer/TeamViewer*_Logfile*.log", "~/Library/Logs/TeamViewer/TeamViewer*_Logfile*.log",
                  "/Library/Application Support/TeamViewer/Connections_incoming.txt"],
        "linux": ["/var/log/teamviewer*/TeamViewer*_Logfile*.log", "/var/log/teamviewer*/connections_incoming.txt",
                  "/opt/teamviewer/logfiles/TeamViewer*_Logfile*.log", "/opt/teamviewer/logfiles/connections_incoming.txt",
                  "~/.local/share/teamviewer*/logfiles/TeamViewer*_Logfile*.log"],
    },
}


def merge(conns: list[Connection]) -> list[Connection]:
    """One entry per connection: lines of the same remote ID within the same minute (the
    connection_trace line and the trace lines of one session) are combined."""
    out: list[Connection] = []
    for c in conns:
        same = next((o for o in out if o.tool == c.tool and o.remote_id and o.remote_id == c.remote_id
                     and o.time[:16] == c.time[:16]), None)
        if same is None:
            out.append(Connection(**asdict(c)))
            continue
        for key, value in asdict(c).items():
            if value and not getattr(same, key):
                setattr(same, key, value)
        if c.source not in same.source.split(", "):
            same.source += ", " + c.source
    return out


def sizes(tool_id: str, **kw) -> dict[str, int]:
    """Current size of each existing log file of a tool (the start of a session)."""
    out = {}
    for pattern in log_files(tool_id, **kw):
        for path in sorted(glob.glob(pattern)):
            try:
                out[path] = os.path.getsize(path)
            except OSError:
                pass
    return out


def read(tool_id: str, since: dict[str, int] | None = None, **kw) -> tuple[list[Connection], list[str]]:
    """Connections found in a tool's logs (only what was appended after ``since``'s sizes
    when given; a file that shrank was rotated and is read whole), and problems met."""
    since = since or {}
    found: list[Connection] = []
    problems: list[str] = []
    for path, size in sizes(tool_id, **kw).items():
        parse = parser_for(path)
        if parse is None:
            continue
        start = since.get(path, 0) if since.get(path, 0) <= size else 0
        start = max(start, size - MAX_READ)
        try:
            with open(path, "rb") as f:
                f.seek(start)
                data = f.read(MAX_READ)
        except OSError as exc:
            problems.append(f"{path}: {exc.strerror or exc}")
            continue
        text = data.decode("utf-16") if data[:2] in (b"\xff\xfe", b"\xfe\xff") else data.decode("utf-8", "replace")
        try:
            conns = parse(text, os.path.basename(path))
        except Exception as exc:  # noqa: BLE001 - a strange log must not stop the report
            problems.append(f"{path}: {exc}")
            continue
        found += conns
    return merge(found), problems
