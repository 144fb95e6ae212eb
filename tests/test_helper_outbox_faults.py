"""The outbox under faults, for real: SQLite locks held by another process, a full disk
(a real 1 MB tmpfs, as root), a read-only data folder, and real corruption. A lock or a
full disk is transient: nothing is set aside, nothing is lost, `helper status` says why;
only a file SQLite finds corrupt is set aside, and its readable unsent rows carried over."""
from __future__ import annotations

import gc
import os
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from agent.config import Settings
from agent.respond.helper.notifier import HelperNotifier
from agent.respond.helper.outbox import Outbox, Unavailable
from tests.test_helper_servers import mail_url as mail, smtp, wait_for  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent
HOLDER = textwrap.dedent("""
    import sqlite3, sys, time
    db = sqlite3.connect(sys.argv[1], isolation_level=None)
    if sys.argv[2] == "exclusive":
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        db.execute("BEGIN EXCLUSIVE")
    else:
        db.execute("BEGIN IMMEDIATE")
    db.execute("INSERT INTO meta (key, value) VALUES ('holder', 'x') ON CONFLICT(key) DO UPDATE SET value='y'")
    print("locked", flush=True)
    sys.stdin.readline()
    db.execute("ROLLBACK")
""")


def settings(*urls) -> Settings:
    return Settings(language="en", helper_notify=tuple(urls), helper_heartbeat_hours=0.0)


class Holder:
    """Another process holding a real SQLite lock on the outbox until released."""

    def __init__(self, path: Path, mode: str):
        self.proc = subprocess.Popen([sys.executable, "-c", HOLDER, str(path), mode], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True)
        assert self.proc.stdout.readline().strip() == "locked"

    def release(self) -> None:
        if self.proc.poll() is None:
            self.proc.stdin.write("\n")
            self.proc.stdin.flush()
            self.proc.wait(30)


def vigie(*args) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=120, env=dict(os.environ, PYTHONPATH=str(ROOT)))


def write_config(*urls) -> None:
    cfg = Path(os.environ["VIGIE_CONFIG"])
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('language = "en"\n[helper]\nheartbeat_hours = 0\nnotify = [%s]\n'
                   % ", ".join(f'"{u}"' for u in urls), encoding="utf-8")


def aside(box: Outbox) -> list[Path]:
    return sorted(box.path.parent.glob("*.damaged-*"))


def test_status_under_a_lock_held_by_another_process_keeps_the_outbox(smtp):
    write_config(mail(smtp))
    n = HelperNotifier(settings(mail(smtp)))
    for i in range(3):
        n.notify("scam", {"title": f"alert {i}"})
    box = Outbox.__new__(Outbox)
    box.path = n.outbox.path
    del n
    gc.collect()                               # this process's connection closed: only the holder's
    holder = Holder(box.path, "exclusive")
    try:
        out = vigie("helper", "status")
        assert out.returncode == 1, out.stderr
        assert "locked by another program" in out.stdout and "Traceback" not in out.stderr
        assert aside(box) == []
    finally:
        holder.release()
    out = vigie("helper", "status")
    assert "waiting to be sent: 3" in out.stdout.lower() or "Messages waiting to be sent: 3" in out.stdout, out.stdout
    assert aside(box) == [] and len(Outbox().rows()) == 3


def test_notify_under_a_long_write_lock_keeps_and_delivers_the_message(smtp):
    n = HelperNotifier(settings(mail(smtp)))
    n.outbox.set_meta("ready", "1")
    holder = Holder(n.outbox.path, "immediate")
    try:
        assert n.notify("scam", {"title": "while locked"}) == []       # not dropped: kept in memory
        assert "locked by another program" in n.health()
        n.start(announce=False)
        assert wait_for(lambda: len(smtp.messages) == 1, 60)        # sent from memory meanwhile
        assert "locked by another program" in (n.health() or "locked by another program")
    finally:
        holder.release()
        assert wait_for(lambda: n.health() is None, 60)
        n.stop()
    assert len(smtp.messages) == 1 and aside(n.outbox) == []


@pytest.fixture
def small_disk(tmp_path, monkeypatch):
    """A real 1 MB filesystem (tmpfs) as the data folder; root only."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m", "tmpfs", str(mnt)],
                                           capture_output=True).returncode != 0:
        pytest.skip("mounting a small tmpfs needs root")
    monkeypatch.setenv("VIGIE_DATA_DIR", str(mnt / "data"))
    yield mnt
    subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


def fill(folder: Path) -> Path:
    filler = folder / "filler"
    with open(filler, "wb") as fh:
        try:
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
                os.fsync(fh.fileno())
        except OSError:
            pass
    return filler


def test_full_disk_is_transient_nothing_set_aside_nothing_lost(small_disk, smtp):
    write_config(mail(smtp))
    n = HelperNotifier(settings(mail(smtp)))
    stored = [n.notify("scam", {"title": f"before {i}", "signals": [{"text": "x" * 500}]}) for i in range(2)]
    assert all(stored)
    box = n.outbox
    filler = fill(small_disk)
    out = vigie("helper", "status")                           # a read-only command, disk full
    assert "Traceback" not in out.stderr and aside(box) == []
    assert n.notify("scam", {"title": "disk full", "signals": [{"text": "y" * 2000}]}) == []
    assert n.health() and "memory" in n.health()
    n.start(announce=False)
    try:
        assert wait_for(lambda: any("disk full" in m["Subject"] or "disk full" in m.get_body(("plain",)).get_content()
                                    for m in smtp.messages), 60)     # from memory while the disk is full
        filler.unlink()
        assert wait_for(lambda: len(smtp.messages) == 3 and n.pending() == 0, 90)
        assert wait_for(lambda: n.health() is None, 30)
    finally:
        n.stop()
    assert aside(box) == []
    titles = sorted(" ".join(m.get_body(("plain",)).get_content().split()) for m in smtp.messages)
    assert sum("before 0" in x for x in titles) == 1 and sum("before 1" in x for x in titles) == 1


def test_read_only_data_folder_helper_add_status_test_and_sending(tmp_path, monkeypatch, smtp):
    if os.geteuid() == 0:
        # root ignores permissions: make the folder a read-only mount instead
        mnt = tmp_path / "ro"
        mnt.mkdir()
        if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1m,ro", "tmpfs", str(mnt)],
                          capture_output=True).returncode != 0:
            pytest.skip("cannot mount a read-only folder")
        data = mnt / "data"
    else:
        data = tmp_path / "ro-data"
        data.mkdir()
        data.chmod(0o555)
    monkeypatch.setenv("VIGIE_DATA_DIR", str(data))
    try:
        write_config()
        out = vigie("helper", "add", mail(smtp))
        assert out.returncode == 0 and "Added" in out.stdout and "Traceback" not in out.stderr, out.stderr
        out = vigie("helper", "status")
        assert "Traceback" not in out.stderr and out.returncode == 1
        out = vigie("helper", "test", "--timeout", "30")             # sent from memory, and said so
        assert out.returncode == 0 and "OK" in out.stdout and "read-only" in out.stderr, out.stdout + out.stderr
        assert wait_for(lambda: len(smtp.messages) == 1, 30)
        n = HelperNotifier(settings(mail(smtp)))
        assert n.notify("scam", {"title": "read-only"}) == []
        assert "read-only" in n.health() or "cannot be written" in n.health()
        n.start(announce=False)
        assert wait_for(lambda: len(smtp.messages) == 2, 60)          # sent from memory
        n.stop()
    finally:
        if os.geteuid() == 0:
            subprocess.run(["umount", "-l", str(tmp_path / "ro")], capture_output=True)


def test_real_corruption_is_set_aside_and_readable_rows_carried_over(smtp):
    box = Outbox()
    for i in range(40):
        box.enqueue(f"m{i}", "scam", f"title {i}", "body " + "z" * 3000, [mail(smtp)])
    del box
    gc.collect()
    path = Path(os.environ["VIGIE_DATA_DIR"]) / "outbox.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")     # every row in the main file
    db.close()
    size = path.stat().st_size
    assert size > 40 * 3000
    with open(path, "r+b") as fh:                      # scribble over one page in the middle
        fh.seek((size // 4096 // 2) * 4096)
        fh.write(os.urandom(4096))
    box = Outbox()
    try:
        rows = box.rows()
    except Unavailable:
        rows = box.rows()                              # set aside on first use; the new file answers
    assert aside(box), "a corrupt file is kept aside"
    assert 30 <= len(rows) <= 40                       # what was readable is still there
    assert all(r["state"] == "pending" for r in rows)
    n = HelperNotifier(settings(mail(smtp)), outbox=box)
    assert n.flush(timeout=60)["pending"] == 0 and len(smtp.messages) == len(rows)


def test_not_a_database_is_set_aside_at_open():
    path = Path(os.environ["VIGIE_DATA_DIR"]) / "outbox.sqlite3"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"this is not sqlite" * 100)
    box = Outbox()
    assert aside(box) and box.rows() == []
    assert box.enqueue("m1", "test", "t", "b", ["json://127.0.0.1:9/x"])
