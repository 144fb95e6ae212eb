"""``vigie doctor [--lang fra+eng] [--json]``: what works, what is missing, how to fix it.

What a helper runs on a parent's computer over the phone. One line per check with OK /
WARNING / PROBLEM, plain words and the fix, in the user's language. Exit status 0 only
when Vigie runs now and protection itself works (Tesseract with the languages, screen
capture, a writable data folder); the last line is one verdict ("Vigie is NOT protecting
now — start it with …"). A missing tray host, notification daemon, speech, helper channel or
autostart, or a config mistake, is a warning. Tesseract's ``TESSDATA_PREFIX`` is
honoured. Runs on the main thread; every check is bounded in time and never raises.
"""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from urllib.parse import urlsplit

from agent import config, i18n, paths
from agent.i18n import t

OK, WARNING, PROBLEM = "ok", "warning", "problem"
CONNECT_TIMEOUT = 3.0


@dataclass
class Check:
    id: str
    status: str
    title: str
    detail: str
    fix: str = ""


def _c(lang, cid, status, detail_key, fix_key="", title_key=None, **v) -> Check:
    title = t(f"doctor.title_{title_key or cid}", lang, **v)
    fix = t(f"doctor.{fix_key}", lang, **v) if fix_key else ""
    return Check(cid, status, title, t(f"doctor.{detail_key}", lang, **v), fix)


def _run(cmd: list[str], timeout: float = 10.0) -> subprocess.CompletedProcess | None:
    try:
        return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.SubprocessError):
        return None


def _install_hint(pack: str) -> str:
    if sys.platform == "win32":
        return "https://github.com/UB-Mannheim/tesseract/wiki"
    if sys.platform == "darwin":
        return "brew install tesseract tesseract-lang"
    return f"sudo apt-get install tesseract-ocr tesseract-ocr-{pack}"


def check_tesseract(langs: str, lang: str) -> list[Check]:
    """The OCR engine, then one line per language pack (``fra+eng``)."""
    from agent.detect import ocr, readable  # noqa: PLC0415
    exe = shutil.which("tesseract")
    if not exe and ocr._tesserocr() is None:
        return [_c(lang, "tesseract", PROBLEM, "tesseract_missing", "fix_tesseract", hint=_install_hint("eng"))]
    prefix = os.environ.get("TESSDATA_PREFIX", "")
    out = []
    if prefix and not os.path.isdir(prefix):
        out.append(_c(lang, "tessdata", PROBLEM, "tessdata_missing", "fix_tessdata", folder=prefix))
    version = ""
    if exe:
        r = _run([exe, "--version"])
        version = (r.stdout or r.stderr).splitlines()[0].strip() if r and (r.stdout or r.stderr) else ""
    folder = ocr.tessdata_dir() or "?"
    out.insert(0, _c(lang, "tesseract", OK, "tesseract_ok", version=version or "tesserocr", folder=folder))
    have = ocr.available_languages()
    for code in [x for x in langs.split("+") if x]:
        v = {"code": code, "installed": ", ".join(sorted(have - {"osd"})) or "-",
             "hint": _install_hint(code.lower().replace("_", "-"))}
        if code in readable.NOT_TEXT:    # installed, but reads no words: detection would be blind
            out.append(_c(lang, f"lang_{code}", PROBLEM, "langpack_not_text", "fix_langpack_not_text",
                          title_key="langpack", **v))
        elif code in have:
            out.append(_c(lang, f"lang_{code}", OK, "langpack_ok", title_key="langpack", **v))
        else:
            out.append(_c(lang, f"lang_{code}", PROBLEM, "langpack_missing", "fix_langpack", title_key="langpack", **v))
    own = config.OCR_BY_LANG.get(i18n.system_language()) or config.OCR_OFFERED.get(i18n.system_language())
    if own and own not in have and own not in langs.split("+"):     # offered, never installed for the user
        out.append(_c(lang, f"lang_{own}", WARNING, "langpack_offer", "fix_langpack", title_key="langpack",
                      code=own, installed=", ".join(sorted(have - {"osd"})) or "-",
                      hint=_install_hint(own.replace("_", "-"))))
    return out


def _mac_screen_permission() -> bool | None:  # pragma: no cover - macOS only
    try:
        import ctypes  # noqa: PLC0415
        cg = ctypes.cdll.LoadLibrary("/System/Library/Frameworks/CoreGraphics.framework/CoreGraphics")
        cg.CGPreflightScreenCaptureAccess.restype = ctypes.c_bool
        return bool(cg.CGPreflightScreenCaptureAccess())
    except (OSError, AttributeError):
        return None


def check_capture(lang: str, platform: str = sys.platform) -> list[Check]:
    """A real 1-pixel grab of the screen (and macOS's screen-recording permission)."""
    if platform.startswith("linux") and not os.environ.get("DISPLAY"):
        key = "wayland_only" if os.environ.get("WAYLAND_DISPLAY") else "no_display"
        return [_c(lang, "capture", PROBLEM, key, "fix_display")]
    if platform == "darwin" and _mac_screen_permission() is False:
        return [_c(lang, "capture", PROBLEM, "mac_permission", "fix_mac_permission")]
    try:
        import mss  # noqa: PLC0415
        with (mss.MSS() if hasattr(mss, "MSS") else mss.mss()) as grabber:
            grabber.grab({"left": 0, "top": 0, "width": 1, "height": 1})
    except Exception as exc:  # noqa: BLE001 - mss raises its own and ctypes errors
        return [_c(lang, "capture", PROBLEM, "capture_failed", "fix_display", error=str(exc)[:200])]
    if not platform.startswith("linux"):   # no X11 display there (Wine passes one on)
        return [_c(lang, "capture", OK, "capture_ok_screen")]
    return [_c(lang, "capture", OK, "capture_ok", display=os.environ.get("DISPLAY", ""))]


def check_tray(lang: str) -> Check:
    from agent import tray  # noqa: PLC0415 - pystray itself is not imported here
    found = tray.tray_host_available()
    if found:
        return _c(lang, "tray", OK, "tray_ok")
    return _c(lang, "tray", WARNING, "tray_missing", "fix_tray")


def check_notifications(lang: str, platform: str = sys.platform) -> Check:
    if not platform.startswith("linux"):
        return _c(lang, "notifications", OK, "notify_builtin")
    gdbus, dbus_send = shutil.which("gdbus"), shutil.which("dbus-send")
    r = None
    if dbus_send:
        r = _run([dbus_send, "--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                  "org.freedesktop.DBus.NameHasOwner", "string:org.freedesktop.Notifications"], 5)
    elif gdbus:
        r = _run([gdbus, "call", "--session", "--dest", "org.freedesktop.DBus", "--object-path",
                  "/org/freedesktop/DBus", "--method", "org.freedesktop.DBus.NameHasOwner",
                  "org.freedesktop.Notifications"], 5)
    if r is not None and r.returncode == 0 and "true" in r.stdout:
        return _c(lang, "notifications", OK, "notify_ok")
    if r is None and shutil.which("notify-send"):
        return _c(lang, "notifications", WARNING, "notify_unknown", "fix_notify")
    return _c(lang, "notifications", WARNING, "notify_missing", "fix_notify")


def check_speech(settings: config.Settings, lang: str, platform: str = sys.platform) -> Check:
    if not settings.speak:
        return _c(lang, "speech", OK, "speech_off")
    if platform == "win32":
        from agent.respond import sapi  # noqa: PLC0415
        r = sapi.check(lang)          # a silent speak-test of SAPI, in the person's language
        if not r["ok"]:
            return _c(lang, "speech", WARNING, "speech_sapi_failed", "fix_speech_windows", error=r["error"])
        if not r["lang_voice"]:
            return _c(lang, "speech", WARNING, "speech_sapi_other_voice", "fix_speech_windows", voice=r["voice"])
        return _c(lang, "speech", OK, "speech_sapi_ok", voice=r["voice"])
    if not platform.startswith("linux"):
        return _c(lang, "speech", OK, "speech_builtin")
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if exe:
        return _c(lang, "speech", OK, "speech_ok", program=os.path.basename(exe))
    return _c(lang, "speech", WARNING, "speech_missing", "fix_speech")


def check_config(problems: list, lang: str) -> Check:
    path = paths.config_file()
    if not problems:
        return _c(lang, "config", OK, "config_ok" if path.exists() else "config_none", path=path)
    lines = "; ".join(p.text(lang) for p in problems[:5])
    return _c(lang, "config", WARNING, "config_bad", "fix_config", path=path, count=len(problems), problems=lines)


def check_phrases(lang: str) -> Check:
    """The phrase lists: without them detection reads the screen but recognises nothing."""
    from agent.detect import phrases  # noqa: PLC0415
    found, errors = phrases.load_all()
    if not errors:
        return _c(lang, "phrases", OK, "phrases_ok", count=len(found))
    return _c(lang, "phrases", PROBLEM if not found else WARNING, "phrases_bad", "fix_phrases",
              count=len(errors), problems="; ".join(str(e) for e in errors[:3]))


def check_data_dir(lang: str) -> Check:
    folder = paths.data_dir()
    try:
        paths.ensure_dir(folder)
        with tempfile.NamedTemporaryFile(dir=folder, prefix=".doctor-", delete=True) as fh:
            fh.write(b"ok")
            fh.flush()
    except OSError as exc:
        return _c(lang, "data_dir", PROBLEM, "data_bad", "fix_data", folder=folder, error=exc.strerror or str(exc))
    return _c(lang, "data_dir", OK, "data_ok", folder=folder)


# Where some apprise services really connect (the URL's "host" is a token or a topic).
FIXED_SERVERS = {"tgram": ("api.telegram.org", 443), "discord": ("discord.com", 443),
                 "pover": ("api.pushover.net", 443), "slack": ("hooks.slack.com", 443)}
DEFAULT_PORTS = {"mailto": 25, "mailtos": 587, "ntfy": 80, "ntfys": 443, "http": 80, "https": 443,
                 "json": 80, "jsons": 443, "xml": 80, "xmls": 443, "form": 80, "forms": 443,
                 "matrix": 80, "matrixs": 443, "gotify": 80, "gotifys": 443}


def endpoint(url: str) -> tuple[str, int] | None:
    """The (host, port) a helper-channel URL talks to, or None when it cannot be told."""
    scheme = url.split("://", 1)[0].lower()
    if scheme in FIXED_SERVERS:
        return FIXED_SERVERS[scheme]
    try:
        parts = urlsplit(url.replace("{", "").replace("}", ""))
        host, port = parts.hostname, parts.port
    except ValueError:
        return None
    if scheme in ("ntfy", "ntfys") and host and "." not in host and host != "localhost":
        return ("ntfy.sh", 443 if scheme == "ntfys" else 80)  # ntfy://topic uses the public server
    if not host or scheme not in DEFAULT_PORTS:
        return None
    return host, port or DEFAULT_PORTS[scheme]


def _reach(url: str, lang: str) -> Check:
    from agent.respond.helper.describe import in_words  # noqa: PLC0415
    shown = in_words(url, lang)
    where = endpoint(url)
    if where is None:
        return _c(lang, "helper", WARNING, "helper_unknown", "fix_helper", url=shown)
    host, port = where
    try:
        with socket.create_connection((host, port), timeout=CONNECT_TIMEOUT):
            pass
    except OSError as exc:
        return _c(lang, "helper", WARNING, "helper_unreachable", "fix_helper", url=shown, host=host,
                  port=port, error=exc.strerror or str(exc) or type(exc).__name__)
    return _c(lang, "helper", OK, "helper_ok", url=shown, host=host, port=port)


def check_helper(settings: config.Settings, lang: str) -> list[Check]:
    urls = list(settings.helper_notify)
    if not urls:
        return [_c(lang, "helper", WARNING, "helper_none", "fix_helper_none", title_key="helpers")]
    with ThreadPoolExecutor(max_workers=min(8, len(urls))) as pool:
        return list(pool.map(lambda u: _reach(u, lang), urls))


def check_helper_code(settings: config.Settings, lang: str) -> Check:
    """Is a helper code set (asked before Pause, Quit, uninstall...)? See :mod:`agent.gate`."""
    from agent import helper_code  # noqa: PLC0415
    if helper_code.is_set():
        return _c(lang, "helper_code", OK, "helper_code_ok")
    return _c(lang, "helper_code", WARNING, "helper_code_none", "fix_helper_code_none")


def check_autostart(lang: str) -> Check:
    try:
        from agent.install import autostart  # noqa: PLC0415
        installed = autostart.is_installed()
    except Exception:  # noqa: BLE001 - not written yet, or broken
        installed = None
    if installed:
        return _c(lang, "autostart", OK, "autostart_ok")
    if installed is None:
        return _c(lang, "autostart", WARNING, "autostart_unknown", "fix_autostart")
    return _c(lang, "autostart", WARNING, "autostart_missing", "fix_autostart")


# -- is the agent running? (agent/agent_status.py: the file the running agent keeps) --
def _when(iso: str | None) -> str:
    import datetime as _dt  # noqa: PLC0415
    try:
        return _dt.datetime.fromisoformat(iso or "").strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return "?"


def check_agent(lang: str) -> Check:
    """Whether ``vigie run`` is running now, since when, and in which state."""
    from agent import agent_status  # noqa: PLC0415
    st = agent_status.read()
    if st["running"] and st["stale"]:   # stopped (SIGSTOP) or hung: there, but not watching
        return _c(lang, "agent", PROBLEM, "agent_stale", "fix_agent_stale", pid=st["pid"], since=_when(st["updated"]))
    if st["running"]:
        v = {"pid": st["pid"], "since": _when(st["started"]),
             "state": t(f"doctor.agent_state_{st['state']}", lang) if st["state"] in
             ("protecting", "paused", "alert", "degraded") else st["state"],
             "problems": "; ".join(st["problems"][:3])}
        if st["state"] == "degraded":
            return _c(lang, "agent", WARNING, "agent_degraded", "fix_agent_degraded", **v)
        return _c(lang, "agent", OK, "agent_running", **v)
    command = start_command()
    if st["crashed"]:
        return _c(lang, "agent", PROBLEM, "agent_crashed", "fix_agent", pid=st["pid"], since=_when(st["updated"]),
                  command=command)
    return _c(lang, "agent", PROBLEM, "agent_not_running", "fix_agent", command=command)


def start_command() -> str:
    """The command that starts Vigie now, as the autostart entry runs it."""
    try:
        from agent.install import autostart  # noqa: PLC0415
        return " ".join(autostart.entry_command())
    except Exception:  # noqa: BLE001
        return "vigie run"


def run_checks(settings: config.Settings, problems: list, langs: str | None = None,
               lang: str | None = None) -> list[Check]:
    """Every check, in the order a helper reads them."""
    lang = lang or settings.lang()
    out = [check_agent(lang)]
    out += check_tesseract(langs or settings.tess_langs(), lang)
    out.append(check_phrases(lang))
    out += check_capture(lang)
    out.append(check_data_dir(lang))
    out.append(check_config(problems, lang))
    out.append(check_tray(lang))
    out.append(check_notifications(lang))
    out.append(check_speech(settings, lang))
    out += check_helper(settings, lang)
    out.append(check_helper_code(settings, lang))
    out.append(check_autostart(lang))
    return out


def register(sub) -> None:
    from agent.cli.i18n import text as _h
    p = sub.add_parser("doctor", help=_h("doctor_help"))
    p.add_argument("--lang", default=None, help=_h("doctor_lang"))
    p.add_argument("--json", action="store_true", help=_h("doctor_json"))
    p.set_defaults(func=main)


def main(args) -> int:
    settings, problems = config.load(quiet=True)
    lang = settings.lang()
    checks = run_checks(settings, problems, args.lang, lang)
    healthy = not any(c.status == PROBLEM for c in checks)
    running = next((c.status != PROBLEM for c in checks if c.id == "agent"), False)
    others = [c for c in checks if c.status == PROBLEM and c.id != "agent"]
    verdict = t("doctor.summary_bad" if others else "doctor.summary_ok" if running else "doctor.summary_not_running",
                lang, command=start_command())
    if not running and others:
        verdict = t("doctor.summary_not_running", lang, command=start_command()) + " " + verdict
    if args.json:
        print(json.dumps({"ok": healthy, "running": running, "verdict": verdict,
                          "checks": [asdict(c) for c in checks]}, ensure_ascii=False, indent=2))
        return 0 if healthy else 1
    labels = {s: t(f"doctor.status_{s}", lang) for s in (OK, WARNING, PROBLEM)}
    width = max(len(x) for x in labels.values())
    for c in checks:
        print(f"{labels[c.status]:<{width}}  " + t("doctor.line", lang, title=c.title, detail=c.detail))
        if c.fix:
            print(f"{'':<{width}}  → {c.fix}")
    print()
    print(verdict)
    return 0 if healthy else 1
