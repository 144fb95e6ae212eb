"""The helper outbox deleted or replaced while Vigie runs (issue 23): a new file with what
the old one still held (its open connections read the deleted file), the event logged, the
tray degraded; read-only commands never move a file; the single-instance guard holds on a
read-only data folder; after an outage the oldest message arrives first."""
from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent import events, paths
from agent.config import Settings
from agent.respond.helper.notifier import HelperNotifier
from agent.respond.helper.outbox import Outbox
from tests.test_helper_live import ROOT, Run
from tests.test_helper_servers import mail_url, smtp, wait_for  # noqa: F401 - the fixture


def read_rows(path: Path) -> list[dict]:
    """The rows as another process sees them (a connection opened and closed each time)."""
    if not path.exists():
        return []
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        cur = db.execute("SELECT * FROM outbox ORDER BY id")
        names = [c[0] for c in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]
    except sqlite3.Error:
        return []
    finally:
        db.close()


@pytest.mark.parametrize("how", ["file", "file+wal+shm", "junk", "another outbox"])
def test_deleted_or_replaced_outbox_keeps_every_unsent_message(how):
    box = Outbox()
    for i in range(3):
        box.enqueue(f"m{i}", "scam", "t", "b", ["json://127.0.0.1:9/x"])
    box.set_meta("heartbeat", "123.0")
    if how.startswith("file"):
        for suffix in ("", "-wal", "-shm") if how == "file+wal+shm" else ("",):
            os.unlink(f"{box.path}{suffix}")
    elif how == "junk":
        (box.path.parent / "junk").write_bytes(b"not a database " * 100)
        os.replace(box.path.parent / "junk", box.path)
    else:
        other = Outbox(box.path.parent / "other.sqlite3")
        other.enqueue("x9", "scam", "t", "b", ["json://127.0.0.1:9/x"])
        other._close_all()
        os.replace(other.path, box.path)
    got = None
    for _ in range(3):                       # a junk file is set aside on the first use, then answers
        try:
            got = [r["msg_id"] for r in box.rows()]
            break
        except OSError:
            continue
    want = ["m0", "m1", "m2"] + (["x9"] if how == "another outbox" else [])
    assert sorted(got) == sorted(want)
    assert sorted(r["msg_id"] for r in read_rows(box.path)) == sorted(want)   # in the file, not in memory
    assert box.get_meta("heartbeat") == "123.0"
    ev = [e for e in events.read() if e["type"] == "outbox_replaced"]
    assert ev and ev[-1]["carried"] == 3 and ev[-1]["what"] == ("deleted" if how.startswith("file") else "replaced")
    n = HelperNotifier(Settings(language="fr"), outbox=box)
    assert "supprimé ou remplacé" in n.health()             # the tray turns "degraded" with this


def test_helper_status_never_sets_a_damaged_outbox_aside():
    paths.data_dir().mkdir(parents=True)
    path = paths.data_dir() / "outbox.sqlite3"
    path.write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)
    before = path.read_bytes()
    env = {**os.environ, "LANG": "en_US.UTF-8"}
    r = subprocess.run([sys.executable, "-m", "agent", "helper", "status"], env=env, cwd=ROOT,
                       capture_output=True, text=True, timeout=120)
    assert "Traceback" not in r.stderr
    assert path.read_bytes() == before and sorted(p.name for p in path.parent.iterdir()) == ["outbox.sqlite3"]
    empty = Outbox(paths.data_dir() / "none.sqlite3", read_only=True)   # nothing queued yet: no file made
    assert empty.channel_report() == {} and not (paths.data_dir() / "none.sqlite3").exists()


LOCKER = """
import sys, time
from agent.instance import SingleInstance, AlreadyRunning
try:
    SingleInstance().acquire()
except AlreadyRunning as exc:
    print("refused", exc.pid, flush=True); sys.exit(3)
print("locked", flush=True)
time.sleep(120)
"""


@pytest.mark.parametrize("lock_existed", [True, False])
def test_single_instance_holds_on_a_read_only_data_folder(tmp_path, lock_existed):
    if os.geteuid() != 0:
        pytest.skip("a read-only bind mount needs root")
    src, data = tmp_path / "src", tmp_path / "data"
    (src / "state").mkdir(parents=True)
    data.mkdir()
    if lock_existed:
        (src / "state" / "vigie.lock").write_text(" 1\n")
    subprocess.run(["mount", "--bind", str(src), str(data)], check=True)
    first = None
    try:
        subprocess.run(["mount", "-o", "remount,ro,bind", str(data)], check=True)
        env = {**os.environ, "VIGIE_DATA_DIR": str(data), "XDG_RUNTIME_DIR": str(tmp_path)}
        first = subprocess.Popen([sys.executable, "-c", LOCKER], env=env, cwd=ROOT, stdout=subprocess.PIPE, text=True)
        assert first.stdout.readline().strip() == "locked"
        second = subprocess.run([sys.executable, "-c", LOCKER], env=env, cwd=ROOT, capture_output=True,
                                text=True, timeout=60)
        assert second.returncode == 3 and second.stdout.startswith("refused"), second.stdout + second.stderr
    finally:
        if first is not None:
            first.kill()
            first.wait(30)
        subprocess.run(["umount", "-l", str(data)], capture_output=True)


CHILD = """
import sys
from agent import config
from agent.respond.helper.notifier import HelperNotifier
n = HelperNotifier(config.load()[0])
n.notify("scam", {"family": "tss", "title": sys.argv[1], "phones": ["+1 800-555-0117"]})
print(n.last_msg_id)
"""


def test_vigie_run_outbox_deleted_then_replaced_smtp_down_then_up_all_delivered_oldest_first(smtp, tmp_path):
    run = Run(tmp_path)
    run.config.write_text(run.config.read_text() + f'notify = ["{mail_url(smtp)}"]\n', encoding="utf-8")
    box = run.data / "outbox.sqlite3"
    smtp.stop()                                         # the mail server is down
    run.start()
    ids = []

    def queue(title: str) -> str:
        r = subprocess.run([sys.executable, "-c", CHILD, title], env=run.env, cwd=ROOT, capture_output=True,
                           text=True, timeout=120)
        assert r.returncode == 0, r.stderr
        ids.append(r.stdout.split()[-1])
        return ids[-1]

    def tried(msg_id: str) -> bool:
        return any(r["msg_id"] == msg_id and r["attempts"] >= 1 for r in read_rows(box))

    def replaced(n: int) -> bool:
        return len([e for e in run.events() if e["type"] == "outbox_replaced"]) >= n

    try:
        assert wait_for(lambda m=queue("alert 1"): tried(m), 60), run.events()[-3:]
        time.sleep(1.1)                                 # distinct creation times (order is by time)
        assert wait_for(lambda m=queue("alert 2"): tried(m), 60)
        os.unlink(box)                                  # deleted under the running agent
        assert wait_for(lambda: replaced(1), 60), run.stderr()
        assert wait_for(lambda m=queue("alert 3"): tried(m), 60)
        (run.data / "junk").write_bytes(b"junk " * 1000)
        os.replace(run.data / "junk", box)              # then replaced by something else
        assert wait_for(lambda: replaced(2), 60), run.stderr()
        assert wait_for(lambda: any(e["type"] == "degraded" and "deleted or replaced" in json.dumps(e)
                                    for e in run.events()), 30)
        smtp.start()                                    # the server is back
        assert wait_for(lambda: set(ids) <= set(smtp.ids()), 240), ([m["Subject"] for m in smtp.messages], smtp.ids(), ids, read_rows(box))
    finally:
        assert run.stop() == 0
    got = [i for i in smtp.ids() if i in ids]
    assert got == ids                                   # every one, once, oldest first
    carried = [e["carried"] for e in run.events() if e["type"] == "outbox_replaced"]
    assert carried[0] >= 2 and carried[1] >= 3      # (a remote tool seen meanwhile adds its own news)
