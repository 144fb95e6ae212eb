"""Condition waits shared by the tests (polling, not timing assertions): the loop that
every GUI, agent and server test needs, written once."""
from __future__ import annotations

import json
import time

from agent import events


def wait_for(predicate, timeout: float = 30.0, step: float = 0.1):
    """Poll until ``predicate()`` is truthy; its last value (falsy after ``timeout`` s)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()


def wait_event(pred, timeout: float = 60.0) -> dict:
    """The first event of events.jsonl matching ``pred``; AssertionError naming the events
    there are (type and title) if none comes within ``timeout`` s."""
    found = wait_for(lambda: next((e for e in events.read() if pred(e)), None), timeout)
    if found is None:
        raise AssertionError("no such event; got " + json.dumps([(e["type"], e.get("title")) for e in events.read()]))
    return found
