"""Real servers on 127.0.0.1 for the helper-notification tests (and bench/outbox.py):
an SMTP server (aiosmtpd), a JSON webhook receiver (http.server), a server that accepts
and never answers. Each binds port 0 (a free port) and can be stopped and started again
on the same port. The tests at the bottom check the servers themselves.
"""
from __future__ import annotations

import asyncio
import email
import email.policy
import json
import smtplib
import socket
import threading
import time
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.smtp import SMTP, AuthResult

from tests import waiting


class _SMTP(SMTP):
    """aiosmtpd answers EHLO in several writes: without TCP_NODELAY, Nagle + delayed ACK
    add ~40 ms per message, an artefact of the test server, not of Vigie."""

    def connection_made(self, transport):
        sock = transport.get_extra_info("socket")
        if sock is not None:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        super().connection_made(transport)


def _listen(port: int = 0) -> socket.socket:
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", port))
    sock.listen(64)
    return sock


def wait_for(predicate, timeout: float = 60.0, step: float = 0.05):
    """Poll until ``predicate()`` is truthy (a condition wait, not a timing assertion)."""
    return waiting.wait_for(predicate, timeout, step)


class SmtpServer:
    """aiosmtpd in its own event-loop thread. ``hold`` keeps the reply to DATA back after
    the message is recorded (a sender killed then never learns it was delivered);
    ``password`` requires that password for any user."""

    def __init__(self, password: str | None = None):
        self.messages: list[email.message.EmailMessage] = []
        self.password = password
        self.port = 0
        self.hold = False
        self.data_seen = threading.Event()
        self._loop = None
        self._thread = None
        self._release = None

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content, policy=email.policy.default))
        self.data_seen.set()
        if self.hold:
            await self._release.wait()
        return "250 OK"

    def _auth(self, server, session, envelope, mechanism, auth_data):
        return AuthResult(success=getattr(auth_data, "password", b"") == (self.password or "").encode(), handled=False)

    def start(self) -> "SmtpServer":
        sock = _listen(self.port)
        self.port = sock.getsockname()[1]
        self._loop = asyncio.new_event_loop()
        ready = threading.Event()

        def run():
            asyncio.set_event_loop(self._loop)
            self._release = asyncio.Event()
            kw = {"authenticator": self._auth, "auth_require_tls": False} if self.password else {}
            self._server = self._loop.run_until_complete(
                self._loop.create_server(lambda: _SMTP(self, hostname="vigie-test", **kw), sock=sock))
            ready.set()
            self._loop.run_forever()
            self._server.close()
            for task in asyncio.all_tasks(self._loop):
                task.cancel()
            self._loop.run_until_complete(asyncio.sleep(0.05))
            self._loop.close()
        self._thread = threading.Thread(target=run, daemon=True, name=f"smtp-{self.port}")
        self._thread.start()
        ready.wait(10)
        return self

    def release(self) -> None:
        self.hold = False
        if self._loop and self._release:
            self._loop.call_soon_threadsafe(self._release.set)

    def stop(self) -> None:
        if self._loop and self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        if self._thread:
            self._thread.join(10)
        self._thread = None

    def ids(self) -> list[str]:
        return [m.get("Vigie-Message-Id") for m in self.messages]

    def url(self, user: str | None = None) -> str:
        cred = f"{user}:{self.password}@" if user else ""
        return f"mailto://{cred}127.0.0.1:{self.port}?from=vigie@example.org&to=helper@example.org&mode=insecure"


class WebhookServer:
    """A JSON webhook receiver; ``status`` is the HTTP status it answers."""

    def __init__(self):
        self.received: list[tuple[dict, dict]] = []
        self.status = 200
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                try:
                    body = json.loads(raw)
                except ValueError:
                    body = {"raw": raw.decode("utf-8", "replace")}
                if owner.status == 200:
                    owner.received.append((dict(self.headers), body))
                self.send_response(owner.status)
                self.end_headers()

            def log_message(self, *args):
                pass
        self._handler = Handler
        self.port = 0
        self._srv = None

    def start(self) -> "WebhookServer":
        self._srv = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler, bind_and_activate=False)
        self._srv.allow_reuse_address = True
        self._srv.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._srv.server_bind()
        self._srv.server_activate()
        self.port = self._srv.server_address[1]
        threading.Thread(target=self._srv.serve_forever, daemon=True, name=f"hook-{self.port}").start()
        return self

    def stop(self) -> None:
        if self._srv:
            self._srv.shutdown()
            self._srv.server_close()
            self._srv = None

    def ids(self) -> list[str]:
        return [h.get("Vigie-Message-Id") for h, _ in self.received]

    def url(self) -> str:
        return f"json://127.0.0.1:{self.port}/vigie-hook"


class NtfyStandIn(BaseHTTPRequestHandler):
    """Stands for an ntfy server (``ThreadingHTTPServer(("127.0.0.1", 0), NtfyStandIn)``):
    records what is published in ``received`` (path, body), answers as ntfy does."""
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        NtfyStandIn.received.append((self.path, body.decode("utf-8", "replace")))
        out = json.dumps({"id": "x1", "event": "message"}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(out)))
        self.end_headers()
        self.wfile.write(out)

    def log_message(self, *args):
        pass


class PingServer:
    """A dead-man's switch service (Healthchecks-style): records the path of every GET
    (``/ping/<uuid>``, ``/ping/<uuid>/fail``) with its arrival time."""

    def __init__(self):
        self.pings: list[tuple[str, float]] = []
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):
                owner.pings.append((self.path, time.monotonic()))
                self.send_response(200)
                self.end_headers()
                self.wfile.write(b"OK")

            def log_message(self, *args):
                pass
        self._srv = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.port = self._srv.server_address[1]
        threading.Thread(target=self._srv.serve_forever, daemon=True, name=f"ping-{self.port}").start()

    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/ping/0b1e7c6a-5d2e-4c1a-9f7e-3c2d1b0a9e8f"

    def count(self, fail: bool = False) -> int:
        return sum(1 for p, _ in self.pings if p.endswith("/fail") == fail)

    def stop(self) -> None:
        self._srv.shutdown()
        self._srv.server_close()


class SilentServer:
    """Accepts connections and never says a word (a stalled SMTP server)."""

    def __init__(self):
        self.sock = _listen()
        self.port = self.sock.getsockname()[1]
        self.conns: list[socket.socket] = []
        self.accepted = threading.Event()
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            self.conns.append(c)
            self.accepted.set()

    def stop(self) -> None:
        for c in self.conns:
            c.close()
        try:
            self.sock.shutdown(socket.SHUT_RDWR)  # wakes the blocked accept() so the port is free
        except OSError:
            pass
        self.sock.close()


# -- the servers themselves ------------------------------------------------------------
@pytest.fixture
def smtp():
    """A running SMTP server for one test (import this fixture where it is needed)."""
    srv = SmtpServer().start()
    yield srv
    srv.release()
    srv.stop()


@pytest.fixture
def hook():
    """A running JSON webhook receiver for one test (import this fixture where it is needed)."""
    srv = WebhookServer().start()
    yield srv
    srv.stop()


@pytest.fixture
def pings():
    """A running dead-man's switch service (PingServer) for one test."""
    srv = PingServer()
    yield srv
    srv.stop()


def mail_url(srv: "SmtpServer") -> str:
    """A plain (no TLS) ``mailto://`` address delivering to ``srv``."""
    return f"mailto://127.0.0.1:{srv.port}?from=vigie@example.org&to=helper@example.org&mode=insecure"


def test_smtp_server_receives_and_restarts_on_same_port():
    srv = SmtpServer().start()
    try:
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as s:
            s.sendmail("a@example.org", ["b@example.org"], "Subject: one\r\nVigie-Message-Id: m1\r\n\r\nhello\r\n")
        port = srv.port
        srv.stop()
        with __import__("pytest").raises(OSError):
            smtplib.SMTP("127.0.0.1", port, timeout=5)
        srv.start()
        assert srv.port == port
        with smtplib.SMTP("127.0.0.1", srv.port, timeout=10) as s:
            s.sendmail("a@example.org", ["b@example.org"], "Subject: two\r\n\r\nagain\r\n")
        assert [m["Subject"] for m in srv.messages] == ["one", "two"]
        assert srv.ids() == ["m1", None]
    finally:
        srv.stop()


def test_webhook_server_records_json_and_headers():
    srv = WebhookServer().start()
    try:
        req = urllib.request.Request(f"http://127.0.0.1:{srv.port}/x", data=b'{"a": 1}',
                                     headers={"Content-Type": "application/json", "Vigie-Message-Id": "m2"})
        with urllib.request.urlopen(req, timeout=10) as r:
            assert r.status == 200
        assert srv.received[0][1] == {"a": 1}
        assert srv.ids() == ["m2"]
    finally:
        srv.stop()
