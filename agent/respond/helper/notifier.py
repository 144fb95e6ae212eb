"""Tell the family helper, wherever they are: ``HelperNotifier(settings)``.

``notify(kind, data, attachments)`` renders the message in the helper's language and writes
one outbox row per channel in one transaction *before* any send, then wakes the sender
thread; it never raises and returns quickly (worker thread, alert process, tray, CLI).
The sender thread (``start()``) drains the outbox with backoff, recovers what a dead
process left half-sent, sends the heartbeat on the helper's schedule and announces the
start (``after_crash`` when the previous run did not stop cleanly). ``flush()`` sends
everything now from the calling thread; ``status()`` reports each channel.

Guarantee: a message is stored before it is sent and retried until delivered (never
dropped); a send interrupted by a crash is sent again, so delivery is *at least once*,
and every copy carries the same message id (body footer, and a ``Vigie-Message-Id``
header for e-mail and webhooks) so a receiver can drop the duplicate.
"""
from __future__ import annotations

import logging
import os
import threading
import time
import uuid

from agent import paths
from agent.config import mask_url
from agent.i18n import t
from agent.log import Once
from agent.respond.helper import channels, messages, secrets
from agent.respond.helper.outbox import Outbox, Row, owner_id

log = logging.getLogger(__name__)
HEARTBEAT_KEY = "last_heartbeat"
IDLE_POLL = 5.0  # other processes (the alert window) enqueue too: look at the outbox this often


def display_url(url: str) -> str:
    """A channel URL fit to show: secret references and secrets masked."""
    return mask_url(secrets.REF.sub("***", url))


class HelperNotifier:
    def __init__(self, settings, outbox: Outbox | None = None):
        self.settings = settings
        self._outbox = outbox
        self.owner = owner_id()
        self.after_crash = False
        self.last_msg_id = ""
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._once = Once()
        self._marker = paths.state_dir() / "helper-running"

    @property
    def outbox(self) -> Outbox:
        """The outbox, opened on first use (a broken data folder is retried, not fatal)."""
        if self._outbox is None:
            self._outbox = Outbox()
        return self._outbox

    # -- producers (any thread, any process) ---------------------------------------
    def notify(self, kind: str, data: dict | None = None, attachments=()) -> list[int]:
        """Store the message for every channel, then wake the sender. Returns the row ids."""
        chans = tuple(self.settings.helper_notify)
        if not chans:
            return []
        lang = self.settings.lang()
        msg_id = f"vigie-{time.strftime('%Y%m%d')}-{uuid.uuid4().hex[:12]}"
        try:
            title, body = messages.render(kind, data or {}, lang, msg_id=msg_id)
            keep = tuple(attachments) if self.settings.helper_attach_screenshot else ()
            ids = self.outbox.enqueue(msg_id, kind, title, body, chans, keep)
        except Exception as exc:  # noqa: BLE001 - a full disk must not stop the alert
            self._once.error(log, "enqueue", "cannot store the helper notification %s: %s", kind, exc)
            return []
        self.last_msg_id = msg_id
        log.info("helper notification %s queued for %d channel(s) as %s", kind, len(ids), msg_id)
        self._wake.set()
        return ids

    # -- sending ---------------------------------------------------------------------
    def _send(self, row: Row, timeout: float = 120.0) -> bool:
        try:
            url, values = secrets.resolve(row.channel)
        except secrets.MissingSecret as exc:
            result = channels.Result(False, "missing_secret", f"no secret {exc}")
        else:
            result = channels.send(url, row.title, row.body, row.attachments, row.msg_id, values, timeout)
        if result.ok:
            self.outbox.mark_sent(row)
            self._once.reset(f"send:{row.channel}")
            log.info("helper notification %s delivered to %s", row.msg_id, display_url(row.channel))
            return True
        self.outbox.mark_failed(row, result.code, result.detail, result.permanent)
        self._once.warning(log, f"send:{row.channel}", "helper notification to %s failed (%s): %s",
                           display_url(row.channel), result.code, result.detail)
        return False

    def _drain(self, deadline: float | None, due_before: float | None = None,
               msg_id: str | None = None) -> dict:
        counts = {"sent": 0, "failed": 0}
        while not (deadline and time.monotonic() > deadline):
            rows = self.outbox.claim(self.owner, limit=1, due_before=due_before, msg_id=msg_id)
            if not rows:
                break
            left = max(1.0, deadline - time.monotonic()) if deadline else 120.0
            counts["sent" if self._send(rows[0], timeout=left) else "failed"] += 1
        return counts

    def flush(self, timeout: float | None = None, msg_id: str | None = None) -> dict:
        """Send every waiting message now, backoff ignored (``vigie helper flush``, tests).

        Called from any thread; safe while the sender thread runs (rows are claimed
        atomically). Returns ``{"sent", "failed", "pending"}``.
        """
        deadline = time.monotonic() + timeout if timeout else None
        try:
            self.outbox.recover()
            start = time.time()
            self.outbox.make_due(start, msg_id)
            counts = self._drain(deadline, due_before=start, msg_id=msg_id)
        except Exception as exc:  # noqa: BLE001
            log.error("helper flush failed: %s", exc)
            counts = {"sent": 0, "failed": 0}
        counts["pending"] = self.pending()
        return counts

    def pending(self) -> int:
        return sum(r.get(s, 0) for r in self.outbox.channel_report().values()
                   for s in ("pending", "failed", "sending"))

    def _heartbeat_due_in(self) -> float:
        hours = float(self.settings.helper_heartbeat_hours or 0)
        if hours <= 0 or not self.settings.helper_notify:
            return float("inf")
        interval = hours * 3600.0
        if self.outbox.take_if_due(HEARTBEAT_KEY, interval):
            self.notify("heartbeat", {})
            return interval
        last = float(self.outbox.get_meta(HEARTBEAT_KEY) or time.time())
        return max(0.0, last + interval - time.time())

    def _run(self) -> None:
        last_recover = 0.0
        while not self._stopping.is_set():
            try:
                if time.monotonic() - last_recover > 60:
                    self.outbox.recover()
                    last_recover = time.monotonic()
                wait = min(self._heartbeat_due_in(), IDLE_POLL)
                self._drain(None if not self._stopping.is_set() else time.monotonic())
                nxt = self.outbox.next_due()
                if nxt is not None:
                    wait = max(0.05, min(wait, nxt - time.time()))
            except Exception as exc:  # noqa: BLE001 - keep the sender alive whatever happens
                self._once.error(log, "sender", "helper sender error: %s", exc)
                wait = IDLE_POLL
            self._wake.wait(wait)
            self._wake.clear()

    # -- life cycle (the agent's main thread) -----------------------------------------
    def start(self, announce: bool = True) -> None:
        """Start the sender thread; announce the start (``after_crash`` if the last run died)."""
        if self._thread and self._thread.is_alive():
            return
        try:
            self.after_crash = self._marker.exists()
            paths.ensure_dir(self._marker.parent)
            self._marker.write_text(str(os.getpid()), encoding="utf-8")
        except OSError as exc:
            log.warning("cannot write %s: %s", self._marker, exc)
        if announce:
            self.notify("started", {"after_crash": self.after_crash})
            try:  # the start message says "protection active": it counts as a heartbeat
                self.outbox.set_meta(HEARTBEAT_KEY, repr(time.time()))
            except Exception as exc:  # noqa: BLE001
                log.warning("cannot record the heartbeat time: %s", exc)
        self._stopping.clear()
        self._thread = threading.Thread(target=self._run, name="helper-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        """Stop the sender, give what is due (e.g. ``quit``) ``timeout`` s to go, mark a clean stop."""
        self._stopping.set()
        self._wake.set()
        if self._thread:
            self._thread.join(timeout)
        try:
            self._drain(time.monotonic() + timeout)
        except Exception as exc:  # noqa: BLE001
            log.warning("helper notifications not sent at stop: %s (they stay queued)", exc)
        try:
            self._marker.unlink(missing_ok=True)
        except OSError as exc:
            log.warning("cannot remove %s: %s", self._marker, exc)

    # -- reporting ------------------------------------------------------------------
    def status(self) -> list[dict]:
        """Per channel: url (masked), last_success, last_failure, last_error (plain words), pending."""
        lang = self.settings.lang()
        report = self.outbox.channel_report()
        out = []
        for ch in list(self.settings.helper_notify) + [c for c in report if c not in self.settings.helper_notify]:
            r = report.get(ch, {})
            code = r.get("error_code")
            out.append({
                "url": display_url(ch), "channel": ch, "configured": ch in self.settings.helper_notify,
                "last_success": r.get("last_success"), "last_failure": r.get("last_failure"),
                "error_code": code, "last_error": t(f"helper.error_{code}", lang) if code else None,
                "detail": r.get("last_error"),
                "pending": r.get("pending", 0) + r.get("failed", 0) + r.get("sending", 0),
            })
        return [s for s in out if s["configured"] or s["pending"]]
