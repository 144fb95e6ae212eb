"""Storms that must not eat the history (issue 23): identical log lines collapsed ("… 5,331
more times"), a title flickering every 50 ms read a few times a minute and written a few
times a minute, events.jsonl rotated with its generations kept."""
from __future__ import annotations

import json
import os
import subprocess
import sys

from agent import events
from agent.watch.budget import EventBudget
from tests.test_watch_screen import Clock, chrome, kinds, rules

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
STORM = """
import logging
from agent import log
log.setup()
lg = logging.getLogger("agent.respond.helper.outbox")
lg.warning("history: an earlier line that must survive")
for _ in range(5332):
    lg.error("cannot append event: [Errno 28] No space left on device")
lg.warning("the disk has room again")
logging.shutdown()
"""


def test_5332_identical_log_lines_are_one_line_and_a_count(tmp_path):
    env = {**os.environ, "VIGIE_LOG_DIR": str(tmp_path / "log")}
    r = subprocess.run([sys.executable, "-c", STORM], env=env, cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0, r.stderr
    assert sorted(p.name for p in (tmp_path / "log").iterdir()) == ["vigie.log"]    # nothing rotated away
    lines = (tmp_path / "log" / "vigie.log").read_text().splitlines()
    assert len(lines) == 4, lines
    assert "history: an earlier line" in lines[0] and "No space left" in lines[1]
    assert lines[2].endswith("… the line above repeated 5,331 more times")
    assert "room again" in lines[3]


def test_event_budget_per_window_per_minute():
    clock = Clock()
    budget = EventBudget(per_minute=6, clock=clock)
    allowed = []
    for _ in range(164):                       # 164 reads in a minute of one flickering window
        allowed.append(budget.allow("w1"))
        clock.t += 60 / 164
    assert sum(ok for ok, _ in allowed) == 6
    assert budget.allow("w2") == (True, 0)     # another window has its own budget
    clock.t += 1
    ok, left_out = budget.allow("w1")
    assert ok and left_out == 158              # the next written event says how many were left out


def test_a_title_flickering_every_50_ms_is_read_every_2_s_and_the_last_title_too():
    clock = Clock()
    r = rules(clock)
    r.decide(chrome("Page 0", full=True))
    reads = []
    for n in range(1, 1201):                   # one minute of a title changing every 50 ms
        clock.t += 0.05
        reads += [t for t in r.decide(chrome(f"Page {n}", full=True)) if t.kind == "rescan"]
    assert 25 <= len(reads) <= 31
    clock.t += 3                               # the flicker stops: its last title is still read
    assert r.rescan_due_in() == 0
    (last,) = [t for t in r.decide(chrome("Page 1200", full=True)) if t.kind == "rescan"]
    assert last.details["title_changed"] and last.window.title == "Page 1200"


def test_events_jsonl_rotates_keeping_generations(monkeypatch):
    monkeypatch.setattr(events, "MAX_BYTES", 20_000)
    for i in range(1000):
        events.append("screen_ok", n=i, title="x" * 60)
    target = events.paths.events_file()
    names = sorted(p.name for p in target.parent.iterdir() if p.name.startswith("events.jsonl"))
    assert names == ["events.jsonl", "events.jsonl.1", "events.jsonl.2", "events.jsonl.3"]
    assert all(p.stat().st_size <= 20_000 for p in target.parent.glob("events.jsonl*"))
    kept = [e["n"] for e in events.read_all()]
    assert kept == list(range(kept[0], 1000)) and kept[0] > 0     # in order, the newest kept, oldest dropped
    assert json.loads(target.read_text().splitlines()[-1])["n"] == 999
