"""Wall-clock jumps (issue 23): a retry is never more than its backoff away, evidence is never
removed because the clock moved. With an injected clock (agent.clock.wall, ``now=``) and on
real runs under Debian's ``faketime`` (the wall clock a year ahead; the steady clocks true,
as in a real jump: FAKETIME_DONT_FAKE_MONOTONIC=1)."""
from __future__ import annotations

import datetime as _dt
import json
import os
import shutil
import subprocess
import sys
import time

import pytest

from agent import clock, config_write, paths
from agent.config import Settings
from agent.respond.evidence import store
from agent.respond.helper.memory import Held, MemoryQueue
from agent.respond.helper.notifier import HelperNotifier
from agent.respond.helper.outbox import Outbox
from tests.test_helper_servers import smtp, wait_for  # noqa: F401

YEAR = 365 * 86400.0
FAKETIME = shutil.which("faketime")
needs_faketime = pytest.mark.skipif(not FAKETIME, reason="Debian's faketime is not installed")


def test_a_retry_stored_a_year_ahead_is_due_once_the_clock_is_back():
    box = Outbox()
    now = time.time()
    box.enqueue("m1", "scam", "t", "b", ["json://127.0.0.1:9/x"], now=now + YEAR)
    (row,) = box.claim("me", now=now + YEAR)                   # the clock is a year ahead
    nxt = box.mark_failed(row, "refused", "down", now=now + YEAR)
    assert nxt > now + YEAR
    (again,) = box.claim("me", now=now)                        # back: due now, not in a year
    assert again.msg_id == "m1"
    box.mark_failed(again, "refused", "down", now=now)        # an ordinary failure keeps its backoff
    assert box.claim("me", now=now) == []
    assert box.claim("me", now=now + 61) != []                 # second failure: 60 s


def test_memory_and_heartbeat_clocks_are_bounded():
    q = MemoryQueue()
    q.add(Held("m", "scam", {}, ("json://x",), due=time.time() + YEAR))
    assert [h.msg_id for h in q.due()] == ["m"]
    box = Outbox()
    box.set_meta("heartbeat", repr(time.time() + YEAR))       # written while the clock was ahead
    assert box.take_if_due("heartbeat", 3600) is False
    assert float(box.get_meta("heartbeat")) <= time.time() + 1
    assert box.take_if_due("heartbeat", 3600, now=time.time() + 3601) is True


def _incidents(n=3):
    return [store.save_files("tss", {"text.txt": b"scam %d" % i}, {"phones": []}) for i in range(n)]


def test_evidence_is_never_removed_because_the_clock_moved(monkeypatch):
    made = _incidents()
    later = _dt.datetime.now().astimezone() + _dt.timedelta(days=400)
    assert store.prune(365, now=later) == []                        # injected "now" a year ahead
    real = time.time
    monkeypatch.setattr(clock, "wall", lambda: real() + 400 * 86400)   # the clock jumps while running
    assert clock.forward_jump() > 399 * 86400
    assert store.prune(365) == []
    monkeypatch.setattr(clock, "wall", real)
    assert all(p.is_dir() for p in made)
    # a future date never counts as old; a really old incident (another boot) still goes
    future = store.save_files("tss", {"text.txt": b"x"}, {"phones": []},
                              when=_dt.datetime.now().astimezone() + _dt.timedelta(days=800))
    old = store.save_files("tss", {"text.txt": b"y"}, {"phones": []},
                           when=_dt.datetime.now().astimezone() - _dt.timedelta(days=400))
    man = json.loads((old / store.MANIFEST).read_text())
    man["clock"] = {"boot_id": "another-boot", "since_boot": 12.0}
    (old / store.MANIFEST).write_text(json.dumps(man))
    assert store.prune(365) == [old.name]
    assert future.is_dir() and all(p.is_dir() for p in made)


def faketime_env(**extra) -> dict:
    return {**os.environ, "FAKETIME_DONT_FAKE_MONOTONIC": "1", **extra}


@needs_faketime
def test_faketime_run_a_year_ahead_removes_no_evidence():
    made = _incidents()
    code = "import json; from agent.respond.evidence import store; print(json.dumps(store.prune(365)))"
    r = subprocess.run([FAKETIME, "-f", "+400d", sys.executable, "-c", code], env=faketime_env(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    year = subprocess.run([FAKETIME, "-f", "+400d", "date", "+%Y"], capture_output=True, text=True).stdout
    assert int(year) > _dt.date.today().year                  # the run really saw the jump
    assert json.loads(r.stdout) == [] and all(p.is_dir() for p in made)


@needs_faketime
def test_faketime_a_send_failed_a_year_ahead_is_sent_when_the_clock_is_back(smtp):  # noqa: F811
    url = smtp.url()
    config_write.update(helper_notify=(url,), helper_heartbeat_hours=0.0, language="en")
    smtp.stop()                                                # the mail server is down
    code = ("from agent import config; from agent.respond.helper.notifier import HelperNotifier\n"
            "n = HelperNotifier(config.load()[0]); n.notify('scam', {'family': 'tss', 'title': 'x'})\n"
            "n.flush(timeout=20); print(n.last_msg_id)")
    r = subprocess.run([FAKETIME, "-f", "+365d", sys.executable, "-c", code], env=faketime_env(),
                       capture_output=True, text=True, timeout=120)
    assert r.returncode == 0, r.stderr
    msg_id = r.stdout.split()[-1]
    (row,) = Outbox().rows(msg_id)
    assert row["state"] == "pending" and row["attempts"] >= 1
    assert row["next_attempt_at"] > time.time() + 300 * 86400  # scheduled a year ahead
    smtp.start()                                               # the clock is back, the server up
    n = HelperNotifier(Settings(helper_notify=(url,), helper_heartbeat_hours=0.0, language="en"))
    n.start(announce=False)
    try:
        assert wait_for(lambda: msg_id in smtp.ids(), timeout=90)
    finally:
        n.stop()
    assert smtp.ids().count(msg_id) == 1
    assert paths.data_dir().is_dir()
