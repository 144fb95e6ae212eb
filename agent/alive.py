"""The running agent's signs of life, for ``vigie doctor``, the next start and the helper.

- :class:`Heartbeat` ("vigie-alive" thread): every :data:`ALIVE_SECONDS` it rewrites
  ``state/agent.json`` (``agent_status``: ``updated`` is then fresh, and ``worker_ok``
  says whether the worker thread still turns) and ``state/alive`` (the time of the last
  sign of life). A stopped (SIGSTOP) or hung agent leaves both stale: ``doctor`` says
  "not protecting", and the start after a kill says when Vigie was last seen alive
  (:func:`last_seen`).
- :class:`DeadMan` ("vigie-deadman" thread): the dead-man's switch on an existing
  service. ``[helper] watch_url`` is a ping URL (a Healthchecks.io or self-hosted
  Healthchecks check, an Uptime Kuma push monitor…), fetched every ``watch_minutes``;
  when the pings stop (kill -9, *End task*, a power cut) that service alerts the helper.
  :func:`ping` with ``fail=True`` (``URL/fail``, the Healthchecks convention) says at
  once that Vigie was stopped.

Nothing here raises: a sign of life that cannot be given is logged once.
"""
from __future__ import annotations

import datetime as _dt
import logging
import threading
import time
import urllib.request

from agent import __version__, events, paths
from agent.log import Once

log = logging.getLogger(__name__)
ALIVE_SECONDS = 5.0       # state/agent.json and state/alive are rewritten this often
WORKER_STALE = 90.0       # a worker that has not turned for this long is hung
PING_TIMEOUT = 10.0       # one ping waits at most this long for the service
ALIVE_NAME = "alive"
_once = Once(600)


def alive_file():
    return paths.state_dir() / ALIVE_NAME


def last_seen() -> str | None:
    """When the last run was last seen alive (ISO 8601), or None. Never raises."""
    try:
        text = alive_file().read_text(encoding="ascii").strip()
        _dt.datetime.fromisoformat(text)
        return text
    except (OSError, ValueError, UnicodeDecodeError):
        return None


class Heartbeat(threading.Thread):
    """``write_status()`` (the agent's ``agent.json`` writer) and ``state/alive`` every
    ``every`` seconds until ``stop`` is set."""

    def __init__(self, write_status, stop: threading.Event, every: float = ALIVE_SECONDS):
        super().__init__(name="vigie-alive", daemon=True)
        self.write_status, self.stop_event, self.every = write_status, stop, every

    def beat(self) -> None:
        self.write_status()
        try:
            paths.ensure_dir(alive_file().parent)
            alive_file().write_text(events.now_iso() + "\n", encoding="ascii")
        except OSError as exc:
            _once.warning(log, "alive", "cannot write %s: %s", alive_file(), exc)

    def run(self) -> None:
        while True:
            try:
                self.beat()
            except Exception as exc:  # noqa: BLE001 - never lose the heartbeat
                _once.error(log, "beat", "heartbeat failed: %s", exc)
            if self.stop_event.wait(self.every):
                return


def ping(url: str, fail: bool = False, timeout: float = PING_TIMEOUT) -> bool:
    """One GET of the ping URL (``URL/fail`` with ``fail``); True when the service answered 2xx."""
    url = (url or "").strip()
    if not url.lower().startswith(("http://", "https://")):
        return False
    if fail:
        base, sep, query = url.partition("?")
        url = base.rstrip("/") + "/fail" + sep + query
    req = urllib.request.Request(url, headers={"User-Agent": f"Vigie/{__version__}"})
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310 - http(s) only, above
            resp.read(1024)
            return 200 <= resp.status < 300
    except Exception as exc:  # noqa: BLE001 - offline, DNS, TLS, HTTP error: the service will alert
        _once.warning(log, "ping", "the dead-man's switch ping failed: %s", type(exc).__name__)
        return False


class DeadMan(threading.Thread):
    """Pings ``settings().helper_watch_url`` at once, then every ``helper_watch_minutes``
    (read again each round: ``vigie helper watch`` works while the agent runs)."""

    def __init__(self, settings, stop: threading.Event):
        super().__init__(name="vigie-deadman", daemon=True)
        self.settings, self.stop_event = settings, stop
        self.pings = 0        # answered pings so far (diagnostics, tests)

    def run(self) -> None:
        while not self.stop_event.is_set():
            s = self.settings()
            url = getattr(s, "helper_watch_url", "")
            if url and ping(url):
                self.pings += 1
            minutes = float(getattr(s, "helper_watch_minutes", 5.0) or 5.0)
            deadline = time.monotonic() + minutes * 60.0
            while not self.stop_event.wait(min(5.0, max(0.0, deadline - time.monotonic()))):
                if time.monotonic() >= deadline or getattr(self.settings(), "helper_watch_url", "") != url:
                    break
