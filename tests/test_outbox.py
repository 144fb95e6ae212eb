"""The durable outbox: states, backoff, recovery after a dead owner, several processes."""
from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from agent.respond.helper.outbox import BACKOFF_CAP, Outbox, backoff, owner_alive, owner_id

ROOT = Path(__file__).resolve().parent.parent


def _db(box: Outbox):
    return sqlite3.connect(box.path)


def test_enqueue_one_row_per_channel_in_wal_file_private():
    box = Outbox()
    ids = box.enqueue("m1", "scam", "T", "B", ["mailto://a", "json://b"], ["/tmp/shot.png"])
    assert len(ids) == 2
    rows = box.rows("m1")
    assert [r["channel"] for r in rows] == ["mailto://a", "json://b"]
    assert all(r["state"] == "pending" and r["attempts"] == 0 for r in rows)
    assert json.loads(rows[0]["attachments"]) == ["/tmp/shot.png"]
    assert _db(box).execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert stat.S_IMODE(os.stat(box.path).st_mode) == 0o600
    # the same message twice for a channel is stored once
    assert box.enqueue("m1", "scam", "T", "B", ["mailto://a"]) == []


def test_backoff_doubles_and_is_capped():
    assert [backoff(n) for n in (1, 2, 3, 4)] == [30, 60, 120, 240]
    assert backoff(20) == BACKOFF_CAP == 3600


def test_claim_send_and_fail_states_never_drop():
    box = Outbox()
    box.enqueue("m1", "test", "T", "B", ["a", "b"], now=100.0)
    rows = box.claim("me", now=100.0)
    assert {r.channel for r in rows} == {"a", "b"}
    assert box.claim("me", now=100.0) == []  # already sending
    a, b = sorted(rows, key=lambda r: r.channel)
    assert box.mark_sent(a, now=101.0)
    nxt = box.mark_failed(b, "refused", "Connection refused", now=101.0)
    assert nxt == 101.0 + 30
    state = {r["channel"]: r for r in box.rows()}
    assert state["a"]["state"] == "sent" and state["b"]["state"] == "pending"
    assert state["b"]["attempts"] == 1 and state["b"]["error_code"] == "refused"
    assert box.claim("me", now=120.0) == []  # still backing off
    b2 = box.claim("me", now=131.0)[0]
    nxt = box.mark_failed(b2, "auth", "535 bad password", permanent=True, now=131.0)
    assert nxt == 131.0 + BACKOFF_CAP
    row = box.rows()[1]
    assert row["state"] == "failed" and row["attempts"] == 2  # kept, retried at the cap
    assert box.claim("me", now=131.0 + BACKOFF_CAP)[0].id == b2.id
    report = box.channel_report()
    assert report["a"]["last_success"] == 101.0 and report["b"]["error_code"] == "auth"
    assert report["b"]["sending"] == 1


def test_stale_attempt_cannot_overwrite_a_recovered_row():
    box = Outbox()
    box.enqueue("m1", "test", "T", "B", ["a"])
    old = box.claim("dead-owner")[0]
    assert box.recover(alive=lambda owner: False) == 1
    new = box.claim("me")[0]
    assert not box.mark_sent(old)  # the dead attempt's late answer is ignored
    assert box.rows()[0]["state"] == "sending"
    assert box.mark_sent(new)
    assert box.rows()[0]["ambiguous"] == 1


def test_recover_only_dead_owners_really_dead_process():
    box = Outbox()
    box.enqueue("m1", "test", "T", "B", ["a", "b"])
    child = subprocess.run(
        [sys.executable, "-c", "from agent.respond.helper.outbox import Outbox, owner_id;"
         "import sys; print(Outbox(sys.argv[1]).claim(owner_id(), limit=1)[0].channel)", str(box.path)],
        cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert child.returncode == 0, child.stderr
    mine = box.claim(owner_id())
    assert len(mine) == 1 and mine[0].channel != child.stdout.strip()
    assert owner_alive(owner_id())
    assert box.recover() == 1  # the child's row; mine stays mine
    rows = {r["channel"]: r for r in box.rows()}
    assert rows[child.stdout.strip()]["state"] == "pending"
    assert rows[child.stdout.strip()]["ambiguous"] == 1
    assert rows[mine[0].channel]["state"] == "sending"


CLAIMER = """
import json, sys
from agent.respond.helper.outbox import Outbox, owner_id
box = Outbox(sys.argv[1]); got = []
while True:
    rows = box.claim(owner_id(), limit=3)
    if not rows:
        break
    for r in rows:
        got.append(r.id); box.mark_sent(r)
print(json.dumps(got))
"""


def test_two_processes_never_claim_the_same_row():
    box = Outbox()
    for i in range(150):
        box.enqueue(f"m{i}", "test", "T", "B", ["a"])
    procs = [subprocess.Popen([sys.executable, "-c", CLAIMER, str(box.path)], cwd=ROOT,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(3)]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
        results.append(json.loads(out))
    claimed = [i for r in results for i in r]
    assert len(claimed) == len(set(claimed)) == 150
    assert all(r["state"] == "sent" for r in box.rows())


def test_damaged_file_is_kept_aside_and_a_new_outbox_works():
    path = Path(os.environ["VIGIE_DATA_DIR"]) / "outbox.sqlite3"
    path.parent.mkdir(parents=True)
    path.write_bytes(b"this is not a database" * 100)
    box = Outbox()
    assert box.enqueue("m1", "test", "T", "B", ["a"])
    assert list(path.parent.glob("outbox.sqlite3.damaged-*"))


def test_heartbeat_clock_is_atomic_and_persistent():
    box = Outbox()
    assert not box.take_if_due("hb", 3600, now=1000.0)  # first time: start the clock
    assert not box.take_if_due("hb", 3600, now=2000.0)
    assert box.take_if_due("hb", 3600, now=4600.0)
    assert not Outbox().take_if_due("hb", 3600, now=5000.0)  # another instance sees the same clock
    assert float(box.get_meta("hb")) == 4600.0


def test_cancel_and_requeue_for_a_replacement_channel():
    box = Outbox()
    box.enqueue("m1", "scam", "T1", "B1", ["old"], now=time.time() - 60)
    box.enqueue("m2", "scam", "T2", "B2", ["old", "good"])
    box.mark_sent(next(r for r in box.claim("me") if r.channel == "good"))
    box.enqueue("m3", "test", "T3", "B3", ["old"])
    assert box.cancel_channel("old") == 3
    # m1 reached nobody → copied to the new channel; m2 reached "good"; tests are not copied
    assert box.requeue_undelivered("new", since=time.time() - 3600) == 1
    new = [r for r in box.rows() if r["channel"] == "new"]
    assert [(r["msg_id"], r["title"], r["state"]) for r in new] == [("m1", "T1", "pending")]


@pytest.mark.parametrize("n", [1, 20])
def test_next_due_and_make_due(n):
    box = Outbox()
    for i in range(n):
        box.enqueue(f"m{i}", "test", "T", "B", ["a"], now=50.0)
    for r in box.claim("me", limit=n, now=50.0):
        box.mark_failed(r, "refused", "x", now=50.0)
    assert box.next_due() == 80.0
    assert box.make_due(now=60.0) == n
    assert len(box.claim("me", limit=100, now=60.0)) == n
