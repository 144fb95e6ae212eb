"""The after-session report on ordinary computers: the host name is one string (it was
unpacked as (host, user): "pc-de-jeanne" raised ValueError, "vm" gave "v / m"). The
report must reach the helper (a real JSON webhook on 127.0.0.1); the host name is faked
at the lowest call (socket.gethostname: the test machine's own name cannot be changed)."""
from __future__ import annotations

import getpass
import socket

import pytest

from agent.config import Settings
from agent.respond.aftercare.session import Aftercare
from agent.respond.helper.notifier import HelperNotifier
from tests.test_helper_servers import WebhookServer
from tests.waiting import wait_for


@pytest.mark.parametrize("host", ["pc-de-jeanne", "DESKTOP-7F3K2Q", "vm"])
def test_the_report_names_the_computer_and_reaches_the_helper(host, monkeypatch, tmp_path):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setattr(socket, "gethostname", lambda: host)
    hook = WebhookServer().start()
    settings = Settings(language="en", helper_person_name="Jeanne", helper_notify=(hook.url(),),
                        helper_heartbeat_hours=0)
    notifier = HelperNotifier(settings)
    notifier.start()
    try:
        care = Aftercare(lang="en", tell=notifier.notify)
        care.begin({"id": "anydesk", "name": "AnyDesk"}, {"pid": 4242, "name": "AnyDesk", "exe": "/opt/AnyDesk"})
        care.end({"id": "anydesk", "name": "AnyDesk"}, still_running=[])
        care.wait()
        assert wait_for(lambda: any("remote session" in b.get("title", "") for _h, b in hook.received), 60)
        body = next(b for _h, b in hook.received if "remote session" in b.get("title", ""))
        text = " ".join(body["message"].split())
        assert f"Computer {host} (user {getpass.getuser()})" in text
        assert "v / m" not in text
    finally:
        notifier.stop()
        hook.stop()
