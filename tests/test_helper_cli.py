"""``vigie helper add/list/test/status/flush/remove`` as the helper types them (real
processes, a real SMTP server on 127.0.0.1, the real config file)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from agent import config
from tests.test_helper_servers import SmtpServer

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "Sup3r-secret-pw"


def vigie(*args, lang="en"):
    env = {**os.environ, "LANG": f"{lang}_{lang.upper()}.UTF-8", "LC_ALL": "", "LANGUAGE": ""}
    out = subprocess.run([sys.executable, "-m", "agent", "helper", *args], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=180)
    return out.returncode, out.stdout + out.stderr


def test_the_helper_sets_up_tests_and_follows_a_channel():
    srv = SmtpServer(password=PASSWORD).start()
    cfg = Path(os.environ["VIGIE_CONFIG"])
    try:
        assert vigie("test")[0] == 2  # nothing configured yet: says so
        url = srv.url(user="helper")
        code, out = vigie("add", url)
        assert code == 0, out
        assert "Added: mailto://helper:***@127.0.0.1" in out and "vigie helper test" in out
        text = cfg.read_text()
        assert PASSWORD not in text and "{secret:" in text
        (stored,) = config.load(cfg)[0].helper_notify
        secret_file = cfg.parent / "secrets.toml"
        assert PASSWORD in secret_file.read_text() and oct(secret_file.stat().st_mode & 0o777) == "0o600"
        shown = vigie('list')[1].split('1. ')[1].split("  (secret #")[0].rstrip("\n")   # without the secret's tag
        assert vigie("add", url) == (0, f"This address is already in the list: {shown}\n")
        code, out = vigie("add", "nosuchscheme://whatever")
        assert code == 2 and "not understood" in out
        code, out = vigie("list")
        assert code == 0 and "1. mailto://helper:***@" in out and PASSWORD not in out

        code, out = vigie("test")
        assert code == 0 and "OK  e-mail to h…@example.org" in out, out
        assert len(srv.messages) == 1 and "test message" in srv.messages[0]["Subject"]

        srv.stop()
        code, out = vigie("test", lang="fr")
        assert code == 1 and "ÉCHEC" in out and "impossible de joindre le serveur" in out, out
        code, out = vigie("status")
        assert code == 1 and "last failure" in out and "could not reach the server" in out
        assert "waiting to be sent: 1" in out and PASSWORD not in out
        code, out = vigie("status", "--json")
        (st,) = json.loads(out)
        assert st["error_code"] == "refused" and st["pending"] == 1 and PASSWORD not in out

        srv.start()
        code, out = vigie("flush")
        assert code == 0 and "Sent: 1" in out and "Still waiting: 0" in out, out
        assert len(srv.messages) == 2
        code, out = vigie("status")
        assert code == 0 and "last success" in out and "waiting to be sent: 0" in out

        code, out = vigie("remove", "1")
        assert code == 0 and "Removed" in out
        assert config.load(cfg)[0].helper_notify == ()
        assert PASSWORD not in secret_file.read_text() and stored not in cfg.read_text()
        assert vigie("remove", url)[0] == 2
    finally:
        srv.stop()


def test_without_an_action_prints_help():
    code, out = vigie()
    assert code == 2 and "add" in out and "flush" in out
