"""The agent is killed (SIGKILL) in the middle of a send, then restarted: nothing is lost.

A child Python process queues messages and starts sending them to a server on 127.0.0.1
that stalls, either before the message is transferred (it must then arrive exactly once)
or after the message was received but before the server's "250 OK" (the ambiguous case:
it is sent again, and both copies carry the same Vigie-Message-Id).
"""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from collections import Counter
from pathlib import Path

from agent.config import Settings
from agent.respond.helper.notifier import HelperNotifier
from agent.respond.helper.outbox import Outbox
from tests.test_helper_servers import SilentServer, SmtpServer, wait_for

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys
from agent.config import Settings
from agent.respond.helper.notifier import HelperNotifier
h = HelperNotifier(Settings(language="en", helper_notify=(sys.argv[1],), helper_heartbeat_hours=0.0))
ids = []
for i in range(int(sys.argv[2])):
    h.notify("scam", {"family": "tss", "title": f"alert {i}", "phones": ["+1 800-555-0117"]})
    ids.append(h.last_msg_id)
print(json.dumps(ids), flush=True)
h.flush()  # blocks on the stalled server until it is killed
print("flush returned", flush=True)
"""
N = 4


def url(port: int) -> str:
    return f"mailto://127.0.0.1:{port}?from=vigie@example.org&to=helper@example.org&mode=insecure"


def run_child_until(port: int, ready) -> list[str]:
    child = subprocess.Popen([sys.executable, "-c", CHILD, url(port), str(N)], cwd=ROOT,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        ids = json.loads(child.stdout.readline())
        assert wait_for(ready, timeout=60), "the child never reached the server"
        assert wait_for(lambda: any(r["state"] == "sending" for r in Outbox().rows()), timeout=30)
        os.kill(child.pid, signal.SIGKILL)
        child.wait(30)
        assert child.returncode == -signal.SIGKILL
        assert "flush returned" not in child.stdout.read()
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(30)
    return ids


def restart_and_deliver(port: int) -> HelperNotifier:
    agent = HelperNotifier(Settings(language="en", helper_notify=(url(port),), helper_heartbeat_hours=0.0))
    agent.start(announce=False)  # the restarted agent: recovers, then sends by itself
    try:
        assert wait_for(lambda: agent.pending() == 0, timeout=120)
    finally:
        agent.stop()
    return agent


def test_killed_before_transfer_every_message_arrives_once():
    silent = SilentServer()
    try:
        ids = run_child_until(silent.port, silent.accepted.is_set)
    finally:
        silent.stop()
    rows = Outbox().rows()
    assert len(rows) == N and {r["state"] for r in rows} == {"pending", "sending"}
    srv = SmtpServer()
    srv.port = silent.port
    srv.start()
    try:
        agent = restart_and_deliver(srv.port)
    finally:
        srv.stop()
    assert Counter(srv.ids()) == Counter(ids)  # all of them, none twice
    assert [r["ambiguous"] for r in agent.outbox.rows()].count(1) == 1
    assert all(r["state"] == "sent" for r in agent.outbox.rows())


def test_killed_after_transfer_duplicate_carries_the_same_id():
    srv = SmtpServer().start()
    srv.hold = True
    try:
        ids = run_child_until(srv.port, srv.data_seen.is_set)
        assert len(srv.messages) == 1  # received, but the sender died before the "250 OK"
        in_flight = srv.ids()[0]
        srv.release()
        agent = restart_and_deliver(srv.port)
    finally:
        srv.release()
        srv.stop()
    counts = Counter(srv.ids())
    assert set(counts) == set(ids)  # nothing lost
    assert counts[in_flight] == 2  # the ambiguous one, sent again with the same id
    assert all(counts[i] == 1 for i in ids if i != in_flight)
    ambiguous = [r["msg_id"] for r in agent.outbox.rows() if r["ambiguous"]]
    assert ambiguous == [in_flight]
