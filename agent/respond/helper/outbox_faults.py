"""What can go wrong with the outbox file, and what is saved from a damaged one (pure-ish).

:func:`classify` tells real corruption (``corrupt``: SQLite's ``SQLITE_CORRUPT`` or
``SQLITE_NOTADB``) from transient conditions (``locked`` by another process, ``disk_full``,
``read_only``, ``io``), which raise :class:`Unavailable` and leave the file alone.
:func:`salvage` reads the unsent rows still readable in a damaged file. Any thread.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

CORRUPT_CODES = {11, 26}  # SQLITE_CORRUPT, SQLITE_NOTADB
_TRANSIENT = (("locked", (5, 6), ("locked", "busy")), ("disk_full", (13,), ("full",)),
              ("read_only", (8, 14), ("readonly", "read-only", "unable to open")))


class Unavailable(OSError):
    """The outbox cannot be used just now (lock, full disk, read-only folder); ``code`` says which."""

    def __init__(self, code: str, detail: str):
        super().__init__(f"{code}: {detail}")
        self.code, self.detail = code, detail


def classify(exc: BaseException) -> str:
    """``corrupt`` or a transient code (``locked``, ``disk_full``, ``read_only``, ``io``)."""
    code = getattr(exc, "sqlite_errorcode", None)
    primary = code & 0xFF if isinstance(code, int) else None
    text = str(exc).lower()
    if primary in CORRUPT_CODES or "malformed" in text or "not a database" in text:
        return "corrupt"
    for name, codes, words in _TRANSIENT:
        if primary in codes or any(w in text for w in words):
            return name
    if isinstance(exc, OSError):
        return {28: "disk_full", 30: "read_only", 13: "read_only"}.get(exc.errno, "io")
    return "io"


def salvage(path: Path, limit: int = 200_000) -> list[dict]:
    """The unsent rows still readable in a damaged outbox file: the whole table if SQLite
    can read it, else row by row (a bad page loses only its rows). Never raises."""
    try:
        db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=5.0)
    except sqlite3.Error:
        return []
    out: list[dict] = []
    try:
        names = [r[1] for r in db.execute("PRAGMA table_info(outbox)")]
        want = "SELECT * FROM outbox WHERE state IN ('pending','sending','failed')"
        try:
            out = [dict(zip(names, r)) for r in db.execute(want)]
        except sqlite3.DatabaseError:
            top = db.execute("SELECT MAX(id) FROM outbox").fetchone()[0] or 0
            for rid in range(1, min(top, limit) + 1):
                try:
                    r = db.execute(want + " AND id=?", (rid,)).fetchone()
                except sqlite3.DatabaseError:
                    continue
                if r:
                    out.append(dict(zip(names, r)))
    except sqlite3.DatabaseError:
        pass
    finally:
        db.close()
    for r in out:
        r["state"], r["owner"] = "pending", None
    return out


def read_unsent(connections) -> tuple[list[dict], list[tuple]]:
    """The unsent rows and the meta of a file deleted or replaced under open
    ``connections`` (they still read the old file); the first that answers. Never raises."""
    for db in connections:
        try:
            cur = db.execute("SELECT * FROM outbox WHERE state IN ('pending','sending','failed')")
            names = [c[0] for c in cur.description]
            rows = [dict(zip(names, r)) for r in cur.fetchall()]
            meta = db.execute("SELECT key, value FROM meta").fetchall()
            return rows, meta
        except sqlite3.Error:
            continue
    return [], []


def stale_journal(path: Path) -> None:
    """After the outbox file was deleted or replaced (its connections closed): its WAL is
    kept aside (``-wal.stale-<time>``) and its shared-memory index removed, so SQLite never
    replays the old file's pages into the new one. Never raises."""
    import os  # noqa: PLC0415
    import time  # noqa: PLC0415
    for suffix, keep in (("-wal", True), ("-shm", False)):
        src = Path(f"{path}{suffix}")
        try:
            if keep:
                os.replace(src, Path(f"{src}.stale-{int(time.time())}"))
            else:
                src.unlink()
        except OSError:
            pass


def carry_over(db, rows: list[dict], meta: list[tuple]) -> None:
    """Insert ``rows`` (ids renumbered; a message already there is kept) and the missing
    ``meta`` into the outbox open as ``db``, in one transaction."""
    if db is None or not (rows or meta):
        return
    db.execute("BEGIN IMMEDIATE")
    try:
        insert_rows(db, rows)
        db.executemany("INSERT OR IGNORE INTO meta (key, value) VALUES (?, ?)", meta)
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def insert_rows(db, rows: list[dict]) -> None:
    """Insert outbox ``rows`` (read from another file: their ids renumbered, a message
    already there kept) into the outbox open as ``db``, inside the caller's transaction."""
    for r in rows:
        cols = [c for c in r if c != "id"]
        db.execute(f"INSERT OR IGNORE INTO outbox ({','.join(cols)}) VALUES ({','.join('?' * len(cols))})",
                   [r[c] for c in cols])
