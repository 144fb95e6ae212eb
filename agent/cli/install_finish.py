"""How ``vigie install`` ends: a test message to the helper, then Vigie started now.

:func:`send_test` sends the "this is a test" message through the new channels and says,
per channel and in words, whether it was accepted (and why not). :func:`start_now` starts
``vigie run`` detached from the terminal (the same command as the autostart entry), waits
until the agent says it runs (``state/agent.json``) and says so; an agent already running
takes the new settings by itself (it watches the file). Main thread; bounded waits.
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
import types

from agent import paths
from agent.i18n import t

START_WAIT = 60.0      # a slow computer loading its OCR languages: a generous bound


def send_test(lang: str, timeout: float = 60.0) -> int:
    """Send the test message now; 0 when every channel accepted it."""
    from agent import config  # noqa: PLC0415
    from agent.cli.helper import _test  # noqa: PLC0415 - the same words as "vigie helper test"
    settings, _problems = config.load(quiet=True)
    if not settings.helper_notify:
        return 0
    status = _test(types.SimpleNamespace(timeout=timeout), settings, lang)
    print(t("install.test_ok" if status == 0 else "install.test_failed", lang))
    return status


def _detached(argv: list[str]) -> subprocess.Popen:
    kw: dict = {"stdin": subprocess.DEVNULL, "stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL,
                "cwd": os.path.expanduser("~"), "close_fds": True}
    if sys.platform == "win32":
        kw["creationflags"] = subprocess.DETACHED_PROCESS | subprocess.CREATE_NEW_PROCESS_GROUP
    else:
        kw["start_new_session"] = True
    return subprocess.Popen(argv, **kw)  # noqa: S603 - our own command


def start_now(lang: str, wait: float = START_WAIT) -> int:
    """Start Vigie now unless it runs; 0 once it runs, 1 when it did not start."""
    from agent import agent_status  # noqa: PLC0415
    from agent.install import autostart  # noqa: PLC0415
    st = agent_status.read()
    if st["running"]:
        print(t("install.already_running", lang, pid=st["pid"]))
        return 0
    argv = autostart.entry_command()
    try:
        proc = _detached(argv)
    except OSError as exc:
        print(t("install.start_failed", lang, reason=exc.strerror or str(exc), command=" ".join(argv),
                log=str(paths.log_dir())))
        return 1
    deadline = time.monotonic() + wait
    while time.monotonic() < deadline:
        st = agent_status.read()
        if st["running"]:
            print(t("install.started_now", lang, pid=st["pid"]))
            return 0
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    reason = t("install.start_exited", lang, code=proc.returncode) if proc.poll() is not None else \
        t("install.start_slow", lang)
    print(t("install.start_failed", lang, reason=reason, command=" ".join(argv), log=str(paths.log_dir())))
    return 1
