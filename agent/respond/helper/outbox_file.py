"""The outbox's SQLite file: its schema, one kept connection per thread, transactions,
and what happens when the file is damaged, deleted or replaced while Vigie runs.

Only a file that SQLite finds corrupt (``SQLITE_CORRUPT``/``SQLITE_NOTADB``, confirmed by
``PRAGMA integrity_check``) is set aside, its readable unsent rows carried into the new
file. A file deleted or replaced under a running Vigie is noticed on every use (its
inode): the rows the old file still holds are carried into a new one (``outbox_replaced``
event). A lock held by another process, a full disk or a read-only folder is transient:
:class:`Unavailable` is raised and the file left as it is.

The base of :class:`agent.respond.helper.outbox.Outbox`; any thread (the connections are
per thread, one in-process lock guards them and the file they hold).
"""
from __future__ import annotations

import logging
import os
import sqlite3
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from agent import paths, safefile
from agent.respond.helper.outbox_faults import Unavailable, classify, insert_rows, salvage

log = logging.getLogger("agent.respond.helper.outbox")   # the outbox's log lines, as before the split

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


class OutboxFile:
    """The file (default ``<data dir>/outbox.sqlite3``) and this process's connections to it."""

    def __init__(self, path: Path | None = None, wait: float = 30.0, read_only: bool = False):
        self.path = Path(path or paths.data_dir() / "outbox.sqlite3")
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
            _close_quietly(db)

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
                insert_rows(db, rows)
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
                _close_quietly(db)
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


def _close_quietly(db: sqlite3.Connection) -> None:
    try:
        db.close()
    except sqlite3.Error:
        pass
