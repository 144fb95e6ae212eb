"""A GUI window process (alert, remote-tool question) seen from the agent: started with
the package on its ``PYTHONPATH``, its stdout read by a daemon thread that keeps the JSON
lines it prints and forwards what the person clicked. Used by the Responder (worker
thread) and by tests.
"""
from __future__ import annotations

import json
import logging
import os
import subprocess
import threading
import time
from pathlib import Path

log = logging.getLogger(__name__)
PACKAGE_ROOT = Path(__file__).resolve().parents[3]   # the folder that holds the agent package


class GuiProcess:
    """One alert/question window process and the JSON lines it printed.

    With ``stdin=True`` the caller can ``send`` it JSON lines (the alert's incident folder,
    saved while the window starts). A daemon thread reads its stdout (stderr merged): JSON
    lines are kept in ``lines``
    (``action`` lines also go to ``on_action``), other lines are logged. ``on_exit`` is
    called from that thread once the process has ended.
    """

    def __init__(self, argv: list[str], on_action=None, on_exit=None, stdin: bool = False):
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PACKAGE_ROOT), env.get("PYTHONPATH")]))
        env["PYTHONIOENCODING"] = "utf-8"
        self.argv = argv
        self.lines: list[dict] = []
        self.actions: list[dict] = []
        self._cond = threading.Condition()
        self._on_action, self._on_exit = on_action, on_exit
        self.done = False
        self.closing = False        # set by close(): Vigie itself ended it
        self.proc = subprocess.Popen(argv, stdin=subprocess.PIPE if stdin else subprocess.DEVNULL,
                                     stdout=subprocess.PIPE,
                                     stderr=subprocess.STDOUT, env=env, text=True, encoding="utf-8",
                                     errors="replace")
        threading.Thread(target=self._read, name=f"gui-{self.proc.pid}", daemon=True).start()

    def _read(self) -> None:
        for raw in self.proc.stdout:
            line = raw.strip()
            try:
                obj = json.loads(line) if line.startswith("{") else None
            except ValueError:
                obj = None
            if not isinstance(obj, dict):
                if line:
                    log.warning("window %s: %s", self.proc.pid, line)
                continue
            with self._cond:
                self.lines.append(obj)
                if obj.get("event") == "action":
                    self.actions.append(obj)
                self._cond.notify_all()
            if obj.get("event") == "action" and self._on_action:
                try:
                    self._on_action(obj)
                except Exception:  # noqa: BLE001
                    log.exception("handling %s failed", obj)
        self.proc.wait()
        with self._cond:
            self.done = True
            self._cond.notify_all()
        if self._on_exit:
            try:
                self._on_exit(self)
            except Exception:  # noqa: BLE001
                log.exception("after window %s ended", self.proc.pid)

    def wait_for(self, event: str, timeout: float = 10.0, **match) -> dict | None:
        """The first line with ``event`` (and the ``match`` fields), waiting up to ``timeout``."""
        deadline = time.monotonic() + timeout
        with self._cond:
            while True:
                for obj in self.lines:
                    if obj.get("event") == event and all(obj.get(k) == v for k, v in match.items()):
                        return obj
                left = deadline - time.monotonic()
                if left <= 0 or self.done:
                    return None
                self._cond.wait(min(left, 0.2))

    def send(self, obj: dict) -> bool:
        """One JSON line to the window's stdin (started with ``stdin=True``); False if it is gone."""
        if self.proc.stdin is None:
            return False
        try:
            self.proc.stdin.write(json.dumps(obj, ensure_ascii=False, default=str) + "\n")
            self.proc.stdin.flush()
            return True
        except (OSError, ValueError):
            return False

    def running(self) -> bool:
        return self.proc.poll() is None

    def showing(self) -> bool:
        """True while the window is open: running, and not past its ``ended`` line (its
        window gone, the process finishing what it started)."""
        with self._cond:
            ended = any(obj.get("event") == "ended" for obj in self.lines)
        return not ended and self.running()

    def close(self, timeout: float = 3.0) -> None:
        """End the window (Vigie's own doing: not a window that died)."""
        self.closing = True
        if self.running():
            self.proc.terminate()
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
