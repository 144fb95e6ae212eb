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
"""
from __future__ import annotations

import json
import logging
import os
import socket
import sqlite3
import threading
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from agent import paths, safefile
from agent.respond.helper.outbox_faults import Unavailable, classify, salvage

log = logging.getLogger(__name__)
BACKOFF_BASE = 30.0
BACKOFF_CAP = 3600.0
UNSENT = ("pending", "sending", "failed")
MAX_HOLD = 3600.0     # a held message (follow-up, news) waits at most this long; more is a clock that jumped

SCHEMA = """
CREATE TABLE IF NOT EXISTS outbox (
    id INTEGER PRIMARY KEY, msg_id TEXT NOT NULL, kind TEXT NOT NULL, channel TEXT NOT NULL,
    created_at REAL NOT NULL, title TEXT NOT NULL, body TEXT NOT NULL, attachments TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'pending', attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL, last_error TEXT, error_code TEXT, attempt_id TEXT,
    owner TEXT, sending_since REAL, sent_at REAL, ambiguous INTEGER NOT NULL DEFAULT 0,
    html TEXT NOT NULL DEFAULT '', grp TEXT, data TEXT,
    UNIQUE (msg_id, channel));
CREATE INDEX IF NOT EXISTS outbox_due ON outbox (state, next_attempt_at);
CREATE TABLE IF NOT EXISTS channel_status (
    channel TEXT PRIMARY KEY, last_success REAL, last_failure REAL, error_code TEXT, last_error TEXT);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
"""
SCHEMA_VERSION = 2
ADDED_COLUMNS = (("html", "TEXT NOT NULL DEFAULT ''"), ("grp", "TEXT"), ("data", "TEXT"))
class SetAside(Unavailable):
    """The file was found corrupt in use and replaced: the call may be tried again."""


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


class Outbox:
    """The outbox file (default ``<data dir>/outbox.sqlite3``); backoff 30 s doubling to 1 h."""

    def __init__(self, path: Path | None = None, backoff_base: float = BACKOFF_BASE,
                 backoff_cap: float = BACKOFF_CAP, wait: float = 30.0, read_only: bool = False):
        self.path = Path(path or paths.data_dir() / "outbox.sqlite3")
        self.backoff_base, self.backoff_cap = backoff_base, backoff_cap
        self.read_only = read_only    # a read-only command (`helper status`): never creates, moves or fixes a file
        self._local = threading.local()
        self.wait = wait              # seconds a call waits for another process's lock
        self._lock = threading.RLock()   # connections of all threads, the file they hold (see _same_file)
        self._open: list[sqlite3.Connection] = []
        self._gen = 0
        self._ident: tuple[int, int] | None = None
        self.replaced: list[dict] = []   # each time the file was deleted or replaced under us
        self._carry: tuple[list, list] = ([], [])   # rows and meta read from a file deleted under us
        self._initializing = False
        self._empty = False              # read-only and no file: an empty outbox in memory
        try:
            if not read_only:
                paths.ensure_dir(self.path.parent)
            self._init()
        except SetAside:
            self._init()                    # the new file, with what could be read of the old
        except (sqlite3.DatabaseError, OSError) as exc:
            if read_only or classify(exc) != "corrupt" or self._intact():
                raise self._unavailable(exc) from exc
            self._set_aside(exc)

    def _unavailable(self, exc: BaseException) -> Unavailable:
        self._drop_connection()
        return exc if isinstance(exc, Unavailable) else Unavailable(classify(exc), str(exc))

    def _drop_connection(self) -> None:
        db = getattr(self._local, "db", None)
        self._local.db = None
        if db is not None:
            with self._lock:
                if db in self._open:
                    self._open.remove(db)
            try:
                db.close()
            except sqlite3.Error:
                pass

    def _intact(self) -> bool:
        """True when ``PRAGMA integrity_check`` passes (False: corrupt, or not a database)."""
        try:
            db = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, timeout=self.wait)
            try:
                return db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            finally:
                db.close()
        except sqlite3.DatabaseError as exc:
            return classify(exc) != "corrupt"

    def _set_aside(self, exc: BaseException) -> None:
        """Keep a corrupt file aside, start a new one and carry its readable unsent rows over."""
        self._close_all()
        aside = self.path.with_name(f"{self.path.name}.damaged-{int(time.time())}")
        log.error("helper outbox %s is damaged (%s); kept as %s, starting a new one", self.path, exc, aside)
        for suffix in ("", "-wal", "-shm"):
            src = Path(str(self.path) + suffix)
            if src.exists():
                os.replace(src, Path(str(aside) + suffix))
        self._init()
        rows = salvage(aside)
        if rows:
            with self._write() as db:
                for r in rows:
                    cols = [c for c in r if c != "id"]
                    db.execute(f"INSERT OR IGNORE INTO outbox ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                               [r[c] for c in cols])
            log.warning("helper outbox: %d unsent message row(s) recovered from %s", len(rows), aside)

    def _init(self) -> None:
        safefile.check_target(self.path)   # a device, pipe, socket, folder or odd link: never opened
        self._empty = self.read_only and not self.path.exists()
        if self._empty:     # nothing was ever queued: an empty outbox in memory answers, no file is made
            folder = next((p for p in self.path.parents if p.exists()), self.path.parent)
            if not os.access(folder, os.W_OK):      # ...unless no file could be made there either
                raise Unavailable("read_only", f"{folder} cannot be written")
            return
        if not self.path.exists():  # private from the start (the WAL files inherit the mode)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        self._ident, self._initializing = None, True
        try:
            self._init_schema()
        finally:
            self._initializing = False
        if self._carry[0] or self._carry[1]:
            from agent.respond.helper.outbox_faults import carry_over  # noqa: PLC0415
            with self._conn() as db:
                carry_over(db, *self._carry)
            self._carry = ([], [])

    def _init_schema(self) -> None:
        with self._conn() as db:
            st = os.stat(self.path)
            self._ident = (st.st_dev, st.st_ino)      # the file this process's connections hold
            if self.read_only or db.execute("PRAGMA user_version").fetchone()[0] >= SCHEMA_VERSION:
                return           # current: a read-only command writes nothing
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(SCHEMA)
            have = {r[1] for r in db.execute("PRAGMA table_info(outbox)")}
            for name, decl in ADDED_COLUMNS:
                if name not in have:
                    db.execute(f"ALTER TABLE outbox ADD COLUMN {name} {decl}")
            db.execute(f"PRAGMA user_version={SCHEMA_VERSION}")
        os.chmod(self.path, 0o600)

    @contextmanager
    def _conn(self):
        """This thread's connection, kept open: closing the last one checkpoints the WAL
        (milliseconds each time). SQLite's file locks coordinate threads and processes;
        within the process one lock (waited for at most this thread's ``wait``) lets a
        thread that finds the file deleted or replaced close every thread's connection
        to the old one (:meth:`_same_file`)."""
        wait = getattr(self._local, "wait", self.wait)
        if not self._lock.acquire(timeout=max(0.01, wait)):
            raise Unavailable("locked", "another thread of Vigie is using the outbox")
        try:
            self._same_file()
            if self._ident is None and not self._initializing and not self.read_only:
                self._init()                 # a new file after a replacement that could not be made at once
            db = getattr(self._local, "db", None)
            if db is None or getattr(self._local, "gen", None) != self._gen:
                uri = ":memory:" if self._empty else f"file:{self.path}?mode=ro" if self.read_only else str(self.path)
                db = sqlite3.connect(uri, uri=self.read_only, timeout=self.wait, isolation_level=None,
                                     check_same_thread=False)   # closed by another thread if replaced
                if self._empty:
                    db.executescript(SCHEMA)
                db.execute("PRAGMA synchronous=FULL")
                self._local.db, self._local.gen = db, self._gen
                self._open.append(db)
            db.execute(f"PRAGMA busy_timeout={int(wait * 1000)}")
            yield db
        except sqlite3.DatabaseError as exc:
            if not self.read_only and classify(exc) == "corrupt" and not self._intact():
                self._set_aside(exc)        # real corruption, found in use: a new file, rows carried
                raise SetAside("io", f"damaged outbox set aside: {exc}") from exc
            raise self._unavailable(exc) from exc
        finally:
            self._lock.release()

    def _close_all(self) -> None:
        """Close every thread's connection (they are idle: the caller holds the lock)."""
        with self._lock:
            for db in self._open:
                try:
                    db.close()
                except sqlite3.Error:
                    pass
            self._open, self._ident = [], None
            self._gen += 1
            self._local.db = None

    def _same_file(self) -> None:
        """The file at ``path`` is still the one the connections hold; else (deleted,
        replaced) the unsent rows and the meta the old file still holds — its connections
        read the deleted file — are carried into a new file, the event logged. Under the lock."""
        if self._ident is None or self.read_only:
            return
        try:
            st = os.stat(self.path)
            now = (st.st_dev, st.st_ino)
        except FileNotFoundError:
            now = None
        except OSError:
            return
        if now == self._ident:
            return
        from agent.respond.helper.outbox_faults import read_unsent, stale_journal  # noqa: PLC0415
        rows, meta = read_unsent(self._open)
        self._close_all()
        stale_journal(self.path)    # the old file's WAL must never be read with the new file
        self._carry = (rows, meta)     # into the new file once it can be made (_init)
        what = "deleted" if now is None else "replaced"
        log.error("helper outbox %s was %s while Vigie ran; a new one is started with the %d unsent "
                  "message row(s) it held", self.path, what, len(rows))
        self.replaced.append({"time": time.time(), "mono": time.monotonic(), "what": what, "carried": len(rows)})
        from agent import events  # noqa: PLC0415
        events.append("outbox_replaced", file=str(self.path), what=what, carried=len(rows))
        try:
            paths.ensure_dir(self.path.parent)
        except OSError as exc:
            raise Unavailable(classify(exc), str(exc)) from exc

    @contextmanager
    def waiting_at_most(self, seconds: float):
        """Calls in this block (this thread) wait at most ``seconds`` for a lock (``notify``)."""
        before = getattr(self._local, "wait", self.wait)
        self._local.wait = seconds
        try:
            yield
        finally:
            self._local.wait = before

    @contextmanager
    def _write(self):
        with self._conn() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
                db.execute("COMMIT")
            except BaseException:
                try:
                    if db.in_transaction:
                        db.execute("ROLLBACK")
                except sqlite3.Error:        # closed: the file was set aside meanwhile
                    pass
                raise

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

    # -- reading -------------------------------------------------------------------
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

