"""The durable outbox of helper notifications: SQLite (WAL) in the data folder.

One row per message × channel, with its state: ``pending`` → ``sending`` (claimed with an
``attempt_id`` by one owner process) → ``sent``; a failed try goes back to ``pending``
(transient: network, server down) or to ``failed`` (permanent: wrong password, bad
address) with ``attempts``, ``next_attempt_at`` and ``last_error``. Nothing is ever
dropped: ``failed`` rows are retried at the backoff cap and by ``flush``; only removing a
channel (``cancel_channel``) sets its undelivered rows to ``cancelled``.

A row left ``sending`` by a process that died (``kill -9``, power cut) is ambiguous: the
channel may or may not have received it. :meth:`Outbox.recover` puts it back to
``pending`` (``ambiguous`` + 1) and it is sent again with the same message id, so the
guarantee is *at least once*, with an id the receiver can use to drop a duplicate.

Safe from several threads and processes: every call opens its own connection, writes use
``BEGIN IMMEDIATE`` and a claim is one transaction, so two senders never claim the same
row. ``synchronous=FULL``: a committed row survives a power cut. Any thread.

A message may be *held* (``hold`` seconds, ``group``): an incident's follow-up waits for
the person's next choices, merged into the same unsent row (:meth:`merge_group`) until the
alert closes (:meth:`release_group`) or the quiet time ends.

Failures: only a file that SQLite finds corrupt (``SQLITE_CORRUPT``/``SQLITE_NOTADB``,
confirmed by ``PRAGMA integrity_check``) is set aside, and its readable unsent rows are
carried into the new file. A lock held by another process, a full disk or a read-only
folder is *transient*: the call raises :class:`Unavailable` (``code``: ``locked``,
``disk_full``, ``read_only``, ``io``) and the file is left as it is.

The file itself (connections, schema, damage, replacement) is
:mod:`agent.respond.helper.outbox_file`; reading and ``meta`` are
:mod:`agent.respond.helper.outbox_reading`.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from agent.respond.helper.outbox_faults import Unavailable  # noqa: F401 - imported from here
from agent.respond.helper.outbox_file import OutboxFile
from agent.respond.helper.outbox_reading import OutboxReading

log = logging.getLogger(__name__)
BACKOFF_BASE = 30.0
BACKOFF_CAP = 3600.0
UNSENT = ("pending", "sending", "failed")
MAX_HOLD = 3600.0     # a held message (follow-up, news) waits at most this long; more is a clock that jumped


@dataclass(frozen=True)
class Row:
    id: int
    msg_id: str
    kind: str
    channel: str
    created_at: float
    title: str
    body: str
    attachments: tuple[str, ...]
    attempts: int
    attempt_id: str
    ambiguous: int
    html: str = ""


def backoff(attempts: int, base: float = BACKOFF_BASE, cap: float = BACKOFF_CAP) -> float:
    """Seconds to wait after ``attempts`` failed tries: 30 s, 60 s, 120 s … capped at 1 h."""
    return min(cap, base * (2 ** max(0, attempts - 1)))


def _process_start(pid: int) -> str:
    try:
        import psutil  # noqa: PLC0415 - only needed to tell a live owner from a reused pid
        return f"{psutil.Process(pid).create_time():.2f}"
    except Exception:  # noqa: BLE001 - no such process / no psutil
        return ""


def owner_id(pid: int | None = None) -> str:
    """``host:pid:start-time`` of a process, so a reused pid is not taken for the owner."""
    pid = pid or os.getpid()
    return f"{socket.gethostname()}:{pid}:{_process_start(pid)}"


def owner_alive(owner: str) -> bool:
    host, _, rest = (owner or "").partition(":")
    pid, _, started = rest.partition(":")
    if host != socket.gethostname() or not pid.isdigit():
        return False
    return _process_start(int(pid)) == started and started != ""


class Outbox(OutboxReading, OutboxFile):
    """The outbox file (default ``<data dir>/outbox.sqlite3``); backoff 30 s doubling to 1 h."""

    def __init__(self, path: Path | None = None, backoff_base: float = BACKOFF_BASE,
                 backoff_cap: float = BACKOFF_CAP, wait: float = 30.0, read_only: bool = False):
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        super().__init__(path, wait=wait, read_only=read_only)

    # -- writing -------------------------------------------------------------------
    def enqueue(self, msg_id: str, kind: str, title: str, body: str, channels, attachments=(),
                now: float | None = None, html: str = "", group: str | None = None,
                data: dict | None = None, hold: float = 0.0) -> list[int]:
        """Store one message for each channel in one transaction; return the row ids.

        ``hold``: seconds before it is due (a follow-up waiting for more of the person's
        choices); ``group`` and ``data`` let :meth:`merge_group` rewrite it meanwhile."""
        now = time.time() if now is None else now
        att = json.dumps([str(a) for a in attachments])
        blob = json.dumps(data, default=str) if data is not None else None
        ids = []
        with self._write() as db:
            for ch in channels:
                cur = db.execute(
                    "INSERT OR IGNORE INTO outbox (msg_id, kind, channel, created_at, title, body,"
                    " attachments, next_attempt_at, html, grp, data) VALUES (?,?,?,?,?,?,?,?,?,?,?)",
                    (msg_id, kind, ch, now, title, body, att, now + hold, html, group, blob))
                if cur.rowcount:
                    ids.append(cur.lastrowid)
        return ids

    def merge_group(self, group: str, update) -> str | None:
        """Rewrite the held, never-tried message of ``group``: ``update(data) -> (data, title,
        body, html, due_at)``. Returns its msg_id, or None when there is none to merge into."""
        with self._write() as db:
            r = db.execute("SELECT msg_id, data FROM outbox WHERE grp=? AND state='pending' AND attempts=0"
                           " ORDER BY id DESC LIMIT 1", (group,)).fetchone()
            if r is None or db.execute("SELECT COUNT(*) FROM outbox WHERE msg_id=? AND (state!='pending'"
                                       " OR attempts>0)", (r[0],)).fetchone()[0]:
                return None
            data, title, body, html, due = update(json.loads(r[1] or "{}"))
            db.execute("UPDATE outbox SET data=?, title=?, body=?, html=?, next_attempt_at=? WHERE msg_id=?",
                       (json.dumps(data, default=str), title, body, html, due, r[0]))
            return r[0]

    def release_group(self, group: str, now: float | None = None) -> int:
        """The held message of ``group`` is due now (the alert closed)."""
        now = time.time() if now is None else now
        with self._write() as db:
            return db.execute("UPDATE outbox SET next_attempt_at=? WHERE grp=? AND state='pending'"
                              " AND next_attempt_at > ?", (now, group, now)).rowcount

    def claim(self, owner: str, limit: int = 20, now: float | None = None,
              due_before: float | None = None, msg_id: str | None = None) -> list[Row]:
        """Mark up to ``limit`` due rows ``sending`` for ``owner`` and return them."""
        now = time.time() if now is None else now
        due = now if due_before is None else due_before
        self._clamp(now)
        sql = ("SELECT id FROM outbox WHERE state IN ('pending','failed') AND next_attempt_at <= ?"
               + (" AND msg_id = ?" if msg_id else "") + " ORDER BY created_at, id LIMIT ?")   # oldest news first
        args = (due, msg_id, limit) if msg_id else (due, limit)
        out = []
        with self._write() as db:
            for (rid,) in db.execute(sql, args).fetchall():
                attempt = uuid.uuid4().hex
                db.execute("UPDATE outbox SET state='sending', attempt_id=?, owner=?, sending_since=?,"
                           " attempts=attempts+1 WHERE id=?", (attempt, owner, now, rid))
                r = db.execute("SELECT id, msg_id, kind, channel, created_at, title, body, attachments,"
                               " attempts, attempt_id, ambiguous, html FROM outbox WHERE id=?", (rid,)).fetchone()
                out.append(Row(*r[:7], tuple(json.loads(r[7])), *r[8:]))
        return out

    def _clamp(self, now: float) -> int:
        """Due times further ahead than any backoff or hold (stored while the wall clock was
        ahead: a year ahead, then back) become now (:func:`agent.clock.clamp_due`)."""
        limit = now + self.backoff_cap + MAX_HOLD
        with self._write() as db:
            n = db.execute("UPDATE outbox SET next_attempt_at=? WHERE state IN ('pending','failed')"
                           " AND next_attempt_at > ?", (now, limit)).rowcount
        if n:
            log.warning("helper outbox: %d message(s) were due after %s, further than any retry "
                        "(the clock was ahead); due now", n, time.ctime(limit))
        return n

    def mark_sent(self, row: Row, now: float | None = None) -> bool:
        """Record a delivery; False if the row was meanwhile recovered by someone else."""
        now = time.time() if now is None else now
        with self._write() as db:
            cur = db.execute("UPDATE outbox SET state='sent', sent_at=?, last_error=NULL, error_code=NULL,"
                             " owner=NULL WHERE msg_id=? AND channel=? AND attempt_id=? AND state='sending'",
                             (now, row.msg_id, row.channel, row.attempt_id))
            db.execute("INSERT INTO channel_status (channel, last_success) VALUES (?, ?) ON CONFLICT(channel)"
                       " DO UPDATE SET last_success=excluded.last_success", (row.channel, now))
            db.execute("UPDATE outbox SET next_attempt_at=? WHERE channel=? AND state IN ('pending','failed')"
                       " AND attempts>0 AND next_attempt_at>?", (now, row.channel, now))   # it works again: the rest now
            return cur.rowcount == 1

    def mark_failed(self, row: Row, code: str, error: str, permanent: bool = False,
                    now: float | None = None) -> float:
        """Record a failed try; the row is kept and retried later. Returns the next try time."""
        now = time.time() if now is None else now
        nxt = now + (self.backoff_cap if permanent else backoff(row.attempts, self.backoff_base, self.backoff_cap))
        with self._write() as db:
            db.execute("UPDATE outbox SET state=?, next_attempt_at=?, last_error=?, error_code=?, owner=NULL"
                       " WHERE msg_id=? AND channel=? AND attempt_id=? AND state='sending'",
                       ("failed" if permanent else "pending", nxt, error, code, row.msg_id, row.channel,
                        row.attempt_id))
            # one schedule per channel: its waiting messages are tried again together, oldest first
            db.execute("UPDATE outbox SET next_attempt_at=? WHERE channel=? AND state IN ('pending','failed')"
                       " AND attempts>0 AND msg_id!=?", (nxt, row.channel, row.msg_id))
            db.execute("INSERT INTO channel_status (channel, last_failure, error_code, last_error)"
                       " VALUES (?,?,?,?) ON CONFLICT(channel) DO UPDATE SET last_failure=excluded.last_failure,"
                       " error_code=excluded.error_code, last_error=excluded.last_error",
                       (row.channel, now, code, error))
        return nxt

    def recover(self, alive=owner_alive, stale_after: float = 1800.0, now: float | None = None) -> int:
        """Rows left ``sending`` by a dead owner (or for too long) go back to ``pending``."""
        now = time.time() if now is None else now
        n = 0
        with self._write() as db:
            for rid, owner, since in db.execute(
                    "SELECT id, owner, sending_since FROM outbox WHERE state='sending'").fetchall():
                if not alive(owner or "") or (since or 0) < now - stale_after:
                    db.execute("UPDATE outbox SET state='pending', next_attempt_at=?, owner=NULL,"
                               " ambiguous=ambiguous+1 WHERE id=? AND state='sending'", (now, rid))
                    n += 1
        if n:
            log.warning("helper outbox: %d message(s) were being sent when Vigie stopped; sending again "
                        "(the receiver may get them twice, with the same message id)", n)
        return n

    def make_due(self, now: float | None = None, msg_id: str | None = None) -> int:
        """Every pending/failed row (of one message, if given) becomes due now (``flush``);
        not a held follow-up still gathering the person's choices (its alert is open)."""
        now = time.time() if now is None else now
        with self._write() as db:
            return db.execute("UPDATE outbox SET next_attempt_at=? WHERE state IN ('pending','failed')"
                              " AND next_attempt_at > ? AND NOT (grp IS NOT NULL AND attempts=0)"
                              + (" AND msg_id=?" if msg_id else ""),
                              (now, now, msg_id) if msg_id else (now, now)).rowcount

    def cancel_channel(self, channel: str) -> int:
        """The helper removed this channel: its undelivered rows become ``cancelled``."""
        with self._write() as db:
            return db.execute("UPDATE outbox SET state='cancelled', owner=NULL WHERE channel=? AND"
                              " state IN ('pending','failed','sending')", (channel,)).rowcount

    def requeue_undelivered(self, channel: str, since: float) -> int:
        """Copy to a new channel the messages since ``since`` that reached no channel at all."""
        now = time.time()
        with self._write() as db:
            return db.execute(
                "INSERT OR IGNORE INTO outbox (msg_id, kind, channel, created_at, title, body, attachments,"
                " next_attempt_at, html) SELECT msg_id, kind, ?, MIN(created_at), title, body, attachments, ?, html"
                " FROM outbox o WHERE created_at >= ? AND kind != 'test' GROUP BY msg_id HAVING"
                " SUM(state='sent') = 0", (channel, now, since)).rowcount
