"""The sending half of :class:`notifier.HelperNotifier` (a mixin): the sender thread's loop,
delivery of outbox rows and of messages kept in memory, ``flush``, the heartbeat.

It uses what the notifier holds: ``outbox``, ``memory``, ``settings``, ``render()``,
``_store()``, ``notify()``, ``_set_problem()``, the ``_wake``/``_stopping`` events. The
sender thread runs :meth:`Sender._run`; ``flush`` and ``send_from_memory`` run on the
caller's thread (CLI, tests). Rows are claimed atomically, so both may run at once.
"""
from __future__ import annotations

import logging
import sqlite3
import time

from agent.respond.helper import channels, secrets
from agent.respond.helper.channels import display_url
from agent.respond.helper.outbox import Row, Unavailable

log = logging.getLogger("agent.respond.helper.notifier")
HEARTBEAT_KEY = "last_heartbeat"
IDLE_POLL = 5.0           # other processes (the CLI) enqueue too: look at the outbox this often
SENDER_WAIT = 3.0         # the sender thread waits this long at most for a lock, then sends from memory


class Sender:
    # -- sending ---------------------------------------------------------------------
    def _send(self, row: Row, timeout: float = 120.0) -> bool:
        result = self._deliver(row.channel, row.title, row.body, row.html, row.attachments, row.msg_id, timeout)
        if result.ok:
            self.outbox.mark_sent(row)
            return True
        self.outbox.mark_failed(row, result.code, result.detail, result.permanent)
        return False

    def _deliver(self, channel, title, text, html, attachments, msg_id, timeout) -> channels.Result:
        try:
            url, values = secrets.resolve(channel)
        except secrets.MissingSecret as exc:
            result = channels.Result(False, "missing_secret", f"no secret {exc}")
        else:
            result = channels.send(url, title, text, attachments, msg_id, values, timeout, html=html,
                                   lang=self.settings.lang())
        if result.ok:
            self._once.reset(f"send:{channel}")
            log.info("helper notification %s delivered to %s", msg_id, display_url(channel))
        else:
            self._once.warning(log, f"send:{channel}", "helper notification to %s failed (%s): %s",
                               display_url(channel), result.code, result.detail)
        return result

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

    def send_from_memory(self, timeout: float = 60.0) -> dict:
        """Send what waits in memory now, whatever its backoff (``vigie helper test`` on a
        read-only or full disk). Returns ``{channel: channels.Result}`` of the last tries."""
        deadline = time.monotonic() + timeout
        results: dict = {}
        for held in self.memory.due(now=float("inf")):
            msg = self.render(held)
            for ch in held.remaining():
                left = max(1.0, deadline - time.monotonic())
                results[ch] = self._deliver(ch, msg.title, msg.text, msg.html, held.attachments, held.msg_id, left)
                if results[ch].ok:
                    self.memory.delivered(held, ch)
        return results

    def _memory_round(self, deadline: float | None = None) -> None:
        """Store what waits in memory; while the outbox is unusable, send it from memory."""
        items = self.memory.drain()
        for n, held in enumerate(items):
            if self._store(held) is None:          # still unusable: it is back in memory
                for rest in items[n + 1:]:
                    self.memory.add(rest)
                break
        for held in self.memory.due():
            msg = self.render(held)
            left = max(1.0, deadline - time.monotonic()) if deadline else 60.0
            for ch in held.remaining():
                if self._deliver(ch, msg.title, msg.text, msg.html, held.attachments, held.msg_id, left).ok:
                    self.memory.delivered(held, ch)
            self.memory.retry_later(held)

    def flush(self, timeout: float | None = None, msg_id: str | None = None) -> dict:
        """Send every waiting message now, backoff ignored (``vigie helper flush``, tests).

        Called from any thread; safe while the sender thread runs (rows are claimed
        atomically). Returns ``{"sent", "failed", "pending"}``.
        """
        deadline = time.monotonic() + timeout if timeout else None
        counts = {"sent": 0, "failed": 0}
        try:
            self.outbox.recover()
            start = time.time()
            self.outbox.make_due(start, msg_id)
            counts = self._drain(deadline, due_before=start, msg_id=msg_id)
        except Exception as exc:  # noqa: BLE001
            self._set_problem(exc)
            log.error("helper flush failed: %s", exc)
        counts["pending"] = self.pending()
        return counts

    def pending(self) -> int:
        """Messages × channels not yet delivered (outbox and memory); never raises."""
        try:
            stored = sum(r.get(s, 0) for r in self.outbox.channel_report().values()
                         for s in ("pending", "failed", "sending"))
        except (Unavailable, sqlite3.Error):
            stored = 0
        return stored + self.memory.pending()

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
            wait = IDLE_POLL
            try:
                self._memory_round()
                with self.outbox.waiting_at_most(SENDER_WAIT):   # a lock: back to memory soon
                    if time.monotonic() - last_recover > 60:
                        self.outbox.recover()
                        last_recover = time.monotonic()
                    wait = min(self._heartbeat_due_in(), IDLE_POLL)
                    self._drain(None)
                    nxt = self.outbox.next_due()
                if nxt is not None:
                    wait = max(0.05, min(wait, nxt - time.time()))
                if not len(self.memory):
                    self._problem = None
            except Exception as exc:  # noqa: BLE001 - keep the sender alive whatever happens
                self._set_problem(exc)
                self._once.error(log, "sender", "helper sender: %s", exc)
                wait = min(wait, 1.0) if len(self.memory) else wait
            self._wake.wait(wait)
            self._wake.clear()
