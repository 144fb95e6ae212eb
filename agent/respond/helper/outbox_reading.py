"""Reading the outbox (its rows, when the next is due, each channel's state for ``vigie
helper status``) and its small key/value ``meta`` table (heartbeat times, the helper's
last good addresses).

Part of :class:`agent.respond.helper.outbox.Outbox` (a mixin over
:class:`agent.respond.helper.outbox_file.OutboxFile`). Any thread.
"""
from __future__ import annotations

import time


class OutboxReading:
    def rows(self, msg_id: str | None = None) -> list[dict]:
        with self._conn() as db:
            q = "SELECT * FROM outbox" + (" WHERE msg_id=?" if msg_id else "") + " ORDER BY id"
            cur = db.execute(q, (msg_id,) if msg_id else ())
            names = [c[0] for c in cur.description]
            return [dict(zip(names, r)) for r in cur.fetchall()]

    def next_due(self) -> float | None:
        """When the earliest unsent row is due (epoch seconds), None if nothing waits."""
        with self._conn() as db:
            (t,) = db.execute("SELECT MIN(next_attempt_at) FROM outbox WHERE state IN"
                              " ('pending','failed')").fetchone()
            return t

    def channel_report(self) -> dict[str, dict]:
        """Per channel: last_success, last_failure, error_code, last_error, pending, failed, sending."""
        out: dict[str, dict] = {}
        with self._conn() as db:
            for ch, ok, bad, code, err in db.execute("SELECT channel, last_success, last_failure, error_code,"
                                                     " last_error FROM channel_status"):
                out[ch] = {"last_success": ok, "last_failure": bad, "error_code": code, "last_error": err}
            for ch, state, n in db.execute("SELECT channel, state, COUNT(*) FROM outbox WHERE state IN"
                                           " ('pending','failed','sending') GROUP BY channel, state"):
                out.setdefault(ch, {}).setdefault(state, 0)
                out[ch][state] = n
        return out

    def get_meta(self, key: str) -> str | None:
        with self._conn() as db:
            r = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            return r[0] if r else None

    def set_meta(self, key: str, value: str) -> None:
        with self._write() as db:
            db.execute("INSERT INTO meta (key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET"
                       " value=excluded.value", (key, value))

    def take_if_due(self, key: str, interval: float, now: float | None = None) -> bool:
        """Atomically: if ``meta[key]`` (a time) is ``interval`` old, set it to now and return True.

        A missing key is set to now and returns False (the first heartbeat comes one interval later).
        """
        now = time.time() if now is None else now
        with self._write() as db:
            r = db.execute("SELECT value FROM meta WHERE key=?", (key,)).fetchone()
            last = float(r[0]) if r else None
            if last is not None and last > now + 60:   # written while the clock was ahead: start again
                last = None
            due = last is not None and now - last >= interval
            if last is None or due:
                db.execute("INSERT INTO meta (key, value) VALUES (?,?) ON CONFLICT(key) DO UPDATE SET"
                           " value=excluded.value", (key, repr(now)))
            return due
