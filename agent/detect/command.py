"""Is this clipboard text a command, and a dangerous one? (pure; any thread)

The "ClickFix" / fake-CAPTCHA attack: a web page puts a command in the clipboard and
tells the person to paste it into the Run box (Win+R), a terminal or the Explorer
address bar. :func:`classify` reads the text the way a shell would see its first line:

- **shape** — the first meaningful line starts with a command interpreter or a
  system tool (PowerShell, cmd, mshta, rundll32, certutil, bash, curl, osascript...)
  followed by something that reads as arguments, not as prose ("PowerShell is a..."
  is not a command);
- **signals** — download, remote address, run what was downloaded, encoded payload,
  hidden window or bypassed policy, a system tool fetching from the network, string
  gluing that hides words, and the ClickFix tell-tale: a trailing comment such as
  ``# I am not a robot - reCAPTCHA ID 4821`` pushed out of sight by padding.

A command with at least one signal is ``dangerous``; a bare command (``ls -la``,
``powershell Get-Date``) is only ``is_command``. Ordinary text and a URL are neither.
:func:`same_command` tells whether a process's command line is the copied command run
(the process side: a shell started from the Run box or a terminal).
"""
from __future__ import annotations

import re
from dataclasses import dataclass

MAX_CHARS = 20000          # longer clipboard texts are read up to here

# first word → the interpreter family it belongs to
SHELLS = {
    "powershell": "powershell", "pwsh": "powershell", "iwr": "powershell", "irm": "powershell",
    "iex": "powershell", "invoke-webrequest": "powershell", "invoke-restmethod": "powershell",
    "invoke-expression": "powershell", "start-process": "powershell", "set-executionpolicy": "powershell",
    "new-object": "powershell", "start-bitstransfer": "powershell",
    "cmd": "cmd", "start": "cmd", "call": "cmd", "pushd": "cmd", "forfiles": "cmd", "conhost": "cmd",
    "mshta": "mshta",
    "rundll32": "lolbin", "regsvr32": "lolbin", "msiexec": "lolbin", "certutil": "lolbin",
    "bitsadmin": "lolbin", "wscript": "lolbin", "cscript": "lolbin", "schtasks": "lolbin",
    "finger": "lolbin", "ftp": "lolbin", "wmic": "lolbin", "reg": "lolbin", "msbuild": "lolbin",
    "bash": "unix_shell", "sh": "unix_shell", "zsh": "unix_shell", "dash": "unix_shell",
    "curl": "unix_shell", "wget": "unix_shell",
    "echo": "unix_shell", "chmod": "unix_shell", "xattr": "unix_shell", "python": "unix_shell",
    "python3": "unix_shell", "perl": "unix_shell", "eval": "unix_shell", "base64": "unix_shell",
    "osascript": "osascript", "open": "osascript",
}
REMOTE_TOOLS = ("mshta", "rundll32", "regsvr32", "msiexec", "certutil", "bitsadmin", "wscript",
                "cscript", "finger", "ftp", "msbuild")
STRONG = {"execute", "encoded", "hidden", "system_tool_remote", "obfuscated", "fake_check"}
_BASE64 = re.compile(r"[A-Za-z0-9+/]{60,}={0,2}")
_OBFUSCATED = re.compile(r"(?:['\"]\s*\+\s*['\"].*){3}|(?:\^\w){4}|(?:`\w){3}")
_PROMPT = re.compile(r"^(?:ps [a-z]:\\[^>]*>|[$#>%]|[a-z]:\\[^>]*>)\s+", re.I)
_WRAPPER = re.compile(r"^(?:[&;@(]\s*|start\s+(?:/\w+\s+)*(?=\w)|conhost(?:\.exe)?\s+(?:--headless\s+)?|(?:sudo|nohup)\s+(?:-\w+\s+)*)")
_ARGISH = re.compile(r"""^(?:[-/"'$({\[@~\\|&<>;%.]|\w+:|[\w.]*[/\\.=]|\w+-\w+|[a-z]:)""")

_SIGNALS: tuple[tuple[str, re.Pattern], ...] = tuple((name, re.compile(rx, re.I)) for name, rx in (
    ("download", r"\b(?:iwr|irm|invoke-webrequest|invoke-restmethod|curl|wget|downloadstring|downloaddata"
                 r"|downloadfile|net\.webclient|start-bitstransfer|bitsadmin\b.*?/transfer|-urlcache"
                 r"|msxml2\.xmlhttp|winhttp\.winhttprequest|system\.net\.http|webclient)\b"),
    ("remote", r"\b(?:https?|ftp)://|\\\\[\w.@-]+(?:@ssl)?\\|\b\d{1,3}(?:\.\d{1,3}){3}\b"
               r"|\b(?:vbscript|javascript):"),
    ("execute", r"\|\s*(?:iex|invoke-expression|(?:ba|z|da)?sh|python3?|perl|cmd(?:\.exe)?|powershell)\b"
                r"|\biex\b|\binvoke-expression\b|[&.]\s*\(|\$\((?:curl|wget)|<\((?:curl|wget)"
                r"|\b(?:ba|z)?sh\s+-c\b|\bstart-process\b|\binvoke-item\b|\bchmod\s+\+x"
                r"|do shell script|&&\s*(?:\./|/tmp/|~/|open\s)|\bstart\s+(?:/\w+\s+)*\\\\|\|\s*iex"
                r"|[;&]\s*\.\\|[;&]\s*\$env:|\bstart\s+(?:/\w+\s+)*%"),
    ("encoded", r"\s-(?:e|ec|en|enc|enco|encodedcommand)\s+[a-z0-9+/=]{16,}|frombase64string|\[convert\]::"
                r"|base64\s+(?:-d|--decode|-D)\b"),
    ("hidden", r"\s-(?:w|wi|win|window|windowstyle)\s+(?:h|hi|hid|hidden|1|min|minimized)\b"
               r"|\s-(?:nop|noprofile|noni|noninteractive)\b|-(?:ep|exec|executionpolicy)\s+bypass"
               r"|--headless\b|\bstart\s+/min\b|\bset-executionpolicy\s+bypass"),
    ("fake_check", r"(?:^|\s)(?:#|::|rem\b).{0,40}(?:captcha|robot|human|verif|cloudflare|ray id|\bid\s*[:#]|✅|✔)"
                   r"|\s{25,}(?:#|::|\brem\b)"),
))


@dataclass(frozen=True)
class CommandVerdict:
    is_command: bool = False
    dangerous: bool = False
    shell: str = ""                       # powershell, cmd, mshta, lolbin, unix_shell, osascript
    program: str = ""                     # the first word, e.g. "powershell", "mshta", "curl"
    signals: tuple[str, ...] = ()         # download, remote, execute, encoded, hidden, ...

    def to_json(self) -> dict:
        return {"is_command": self.is_command, "dangerous": self.dangerous, "shell": self.shell,
                "program": self.program, "signals": list(self.signals)}


# PowerShell takes typographic dashes for "-" and curly quotes for quotes; invisible
# characters split words for a reader but not always for a shell
_LOOKALIKES = str.maketrans({"\u2013": "-", "\u2014": "-", "\u2015": "-", "\u2212": "-", "\u2018": "'",
                             "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00a0": " ", "\u200b": None,
                             "\u200c": None, "\u200d": None, "\u2060": None, "\ufeff": None})


def normalise(text: str) -> str:
    """Look-alike dashes, quotes and spaces as plain ASCII; invisible characters gone."""
    return text.translate(_LOOKALIKES)


def _plain(text: str) -> str:
    """Lower case without the escapes that hide words from a reader (``p^o^w`` ``i`e`x``)."""
    return text.lower().replace("^", "").replace("`", "")


def _program(word: str) -> str:
    """``"C:\\Windows\\System32\\mshta.exe"`` → ``mshta``."""
    word = word.strip("\"'")
    word = re.split(r"[\\/]", word)[-1]
    return re.sub(r"\.(?:exe|com|cmd|bat)$", "", word)


def lines(text: str, most: int = 10) -> list[str]:
    """The first ``most`` lines that are not blank, without a copied prompt (``$``, ``PS C:\\>``)."""
    out = []
    for line in text.splitlines():
        line = line.strip()
        if line:
            out.append(_PROMPT.sub("", line, count=1))
            if len(out) >= most:
                break
    return out


def shape(text: str) -> tuple[str, str]:
    """(shell family, program) of the first of the first lines that reads as a command line
    (a page may put a harmless-looking line first), else ("", "")."""
    for line in lines(text):
        found = _line_shape(line)
        if found[0]:
            return found
    return "", ""


def _line_shape(line: str) -> tuple[str, str]:
    line = _plain(line)
    for _ in range(3):                    # "start /min", "conhost --headless", "&", "@"
        stripped = _WRAPPER.sub("", line, count=1).strip()
        if stripped == line:
            break
        line = stripped
    m = re.match(r"""^("[^"]+"|'[^']+'|[^\s|&;(]+)(.*)$""", line)
    if not m:
        return "", ""
    program, rest = _program(m.group(1)), m.group(2).strip()
    family = SHELLS.get(program)
    if family is None:
        return "", ""
    if rest and not _ARGISH.match(rest):
        return "", ""            # "curl is a tool", "PowerShell is great", "open the door": prose
    if not rest and program in ("start", "call", "open", "echo", "reg", "eval", "sh"):
        return "", ""
    return family, program


def classify(text: str | None) -> CommandVerdict:
    """The verdict on one clipboard text (see the module docstring)."""
    if not text or not text.strip():
        return CommandVerdict()
    text = normalise(text[:MAX_CHARS])
    family, program = shape(text)
    if not family:
        return CommandVerdict()
    plain = _plain(text)
    signals = [name for name, rx in _SIGNALS if rx.search(plain)]
    if any(re.search(r"[A-Z]", r) and re.search(r"[a-z]", r) and re.search(r"\d", r)
           for r in _BASE64.findall(text)):
        signals.append("encoded")             # a long base64 payload (not a lower-case hex hash)
    if _OBFUSCATED.search(text.lower()):
        signals.append("obfuscated")          # 'i'+'e'+'x', p^o^w^e^r, i`e`x: words hidden from a reader
    if program in REMOTE_TOOLS and "remote" in signals:
        signals.append("system_tool_remote")
    if family == "mshta" and "remote" not in signals and re.search(r"mshta\S*\s+\S", plain):
        signals.append("system_tool_remote")     # mshta runs whatever it is given
    # a bare address is what "git clone https://...", "ping 8.8.8.8" carry too, and a plain
    # "curl -O https://..." only saves a file: the command must also run, decode or hide
    # something; on Windows fetching with a shell is enough ("iwr ... -OutFile a.exe")
    dangerous = bool(set(signals) & STRONG) or (
        family != "unix_shell" and {"download", "remote"} <= set(signals))
    return CommandVerdict(True, dangerous, family, program, tuple(dict.fromkeys(signals)))


# -- the process side ----------------------------------------------------------------------
_URLS = re.compile(r"(?:https?|ftp)://[^\s'\"|;)]+|\\\\[\w.@-]+\\[^\s'\"|;)]+|\b\d{1,3}(?:\.\d{1,3}){3}(?::\d+)?\S*")


def _norm(text: str) -> str:
    return " ".join(_plain(text).replace('"', " ").replace("'", " ").split())


def same_command(copied: str, cmdline: list[str] | str) -> bool:
    """True when a process's command line is (part of) the copied command: the Run box
    starting ``powershell -w hidden ...`` itself, a terminal's shell running the ``curl``
    of ``curl ... | bash``, or ``cmd /c`` wrapping it; or both name the same address."""
    joined = normalise(cmdline if isinstance(cmdline, str) else " ".join(cmdline or ()))
    copied = normalise(copied or "")
    c, j = _norm(copied), _norm(joined)
    if not c or not j:
        return False
    tokens = joined.split() if isinstance(cmdline, str) else list(cmdline)
    j_args = _norm(" ".join(tokens[1:]))      # without the program's full path
    for a, b in ((j, c), (c, j), (j_args, c)):
        if len(a) >= 12 and a in b:
            return True
    urls = {u.rstrip(".,") for u in _URLS.findall(_plain(copied))}
    return any(len(u) >= 10 and u in _plain(joined) for u in urls)
