"""Secrets of notification URLs: split out of the config, kept in the OS keyring when one
is usable, else in a private file; resolved only to send."""
from __future__ import annotations

import os
import stat

import keyring
import pytest
from keyring.backend import KeyringBackend

from agent.config import Settings
from agent.respond.helper import secrets
from agent.respond.helper.notifier import HelperNotifier


@pytest.fixture
def memory_keyring(monkeypatch):
    monkeypatch.delenv("VIGIE_SECRETS", raising=False)
    old = keyring.get_keyring()  # keyring picks its backend now, before the class below exists

    class MemoryKeyring(KeyringBackend):
        """Stands in for the OS keyrings that cannot run here (Windows Credential Manager,
        macOS Keychain, an unlocked Secret Service): the real keyring API, kept in memory.
        Defined here, not at import: keyring auto-detects every KeyringBackend subclass."""
        priority = 1

        def __init__(self):
            super().__init__()
            self.store = {}

        def get_password(self, service, username):
            return self.store.get((service, username))

        def set_password(self, service, username, password):
            self.store[(service, username)] = password

        def delete_password(self, service, username):
            self.store.pop((service, username), None)

    kr = MemoryKeyring()
    keyring.set_keyring(kr)
    yield kr
    keyring.set_keyring(old)


@pytest.mark.parametrize("url,kept,secret", [
    ("mailtos://marie:hunter2@smtp.example.org?to=a@example.org",
     "mailtos://marie:{S}@smtp.example.org?to=a@example.org", ["hunter2"]),
    # apprise marks the whole bot token (id:secret) private
    ("tgram://123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/-1001234", "tgram://{S}/-1001234",
     ["123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"]),
    # forms only apprise's metadata tells: a 15-character token path, headers, payload arguments
    ("gotify://host/AbCdEf123456789", "gotify://host/{S}", ["AbCdEf123456789"]),
    ("json://hooks.example.org/in?+Authorization=Bearer%20s3cr3tvalue", "json://hooks.example.org/in?+Authorization={S}",
     ["Bearer%20s3cr3tvalue"]),
    ("json://hooks.example.org/in?+X-Api-Key=k3y", "json://hooks.example.org/in?+X-Api-Key={S}", ["k3y"]),
    ("form://hooks.example.org/in?-apikey=zz9", "form://hooks.example.org/in?-apikey={S}", ["zz9"]),
    ("pover://ukey1@atoken2", "pover://{S}@{S}", ["ukey1", "atoken2"]),
    ("json://127.0.0.1:8080/hook?token=abc&x=1", "json://127.0.0.1:8080/hook?token={S}&x=1", ["abc"]),
    ("ntfy://ntfy.example.org/grandma", "ntfy://ntfy.example.org/grandma", []),
    # issue 23: payload extras written ":key=" (json/form/xml), short tokens in the path
    ("json://hooks.example.org/in?:token=abc", "json://hooks.example.org/in?:token={S}", ["abc"]),
    ("xml://hooks.example.org/in?:key=s3cret", "xml://hooks.example.org/in?:key={S}", ["s3cret"]),
    ("json://hooks.example.org/hooks/a1b2c3d4e5", "json://hooks.example.org/hooks/{S}", ["a1b2c3d4e5"]),
    ("json://hooks.example.org/api/v2/items", "json://hooks.example.org/api/v2/items", []),
])
def test_split_url_takes_out_passwords_and_tokens(url, kept, secret):
    ref, values = secrets.split_url(url)
    assert list(values.values()) == secret
    assert secrets.REF.sub("{S}", ref) == kept
    for s in secret:
        assert s not in ref


def test_file_fallback_is_private_and_resolves(monkeypatch):
    monkeypatch.setenv("VIGIE_SECRETS", "file")
    ref, values = secrets.split_url("mailto://bob:p%40ss-w0rd@127.0.0.1:25?to=x@example.org")
    where = secrets.store(values)
    assert where.startswith("file ")
    f = secrets.secrets_file()
    assert stat.S_IMODE(os.stat(f).st_mode) == 0o600
    assert secrets.resolve(ref) == ("mailto://bob:p%40ss-w0rd@127.0.0.1:25?to=x@example.org", ["p%40ss-w0rd"])
    secrets.forget(ref)
    with pytest.raises(secrets.MissingSecret):
        secrets.resolve(ref)
    kept = secrets.keep("ntfys://alice:tok-en-9@ntfy.example.org/topic")
    assert "tok-en-9" not in kept and secrets.resolve(kept)[0].startswith("ntfys://alice:tok-en-9@")


def test_same_channel_compares_the_address_as_typed_with_its_references(monkeypatch):
    monkeypatch.setenv("VIGIE_SECRETS", "file")
    typed = "mailtos://marie:hunter2@smtp.example.org"
    ref = secrets.keep(typed)
    assert secrets.same_channel(ref, typed) and secrets.same_channel(typed, typed)
    assert secrets.same_channel(ref, ref)
    assert not secrets.same_channel(ref, "mailtos://marie:other@smtp.example.org")
    secrets.forget(ref)
    assert not secrets.same_channel(ref, typed)           # its secret is gone: not the same
    assert not list(secrets.secrets_file().parent.glob(".*.tmp"))   # written atomically, no temp left


def test_no_usable_keyring_here_means_the_file():
    # this machine has no OS keyring daemon: keyring's chooser finds only the "fail" backend
    if secrets._keyring() is not None:
        pytest.skip("a real keyring backend is available on this machine")
    assert secrets.store({"k1": "v1"}).startswith("file ")


def test_a_usable_keyring_is_preferred(memory_keyring):
    ref, values = secrets.split_url("mailtos://marie:hunter2@smtp.example.org")
    where = secrets.store(values)
    assert where.startswith("keyring") and "MemoryKeyring" in where
    assert list(memory_keyring.store.values()) == ["hunter2"]
    assert not secrets.secrets_file().exists()
    assert secrets.resolve(ref)[0] == "mailtos://marie:hunter2@smtp.example.org"
    secrets.forget(ref)
    assert memory_keyring.store == {}


def test_missing_secret_is_a_plain_permanent_failure_kept_in_the_outbox():
    n = HelperNotifier(Settings(language="en", helper_notify=("mailto://u:{secret:deadbeef}@127.0.0.1:9",),
                                helper_heartbeat_hours=0.0))
    n.notify("test", {})
    assert n.flush(timeout=30)["failed"] == 1
    (st,) = n.status()
    assert st["error_code"] == "missing_secret" and "add the address again" in st["last_error"]
    assert st["pending"] == 1


def test_secret_forms_only_apprise_knows_stay_out_of_every_output_and_the_log(tmp_path):
    """A config written by hand with tokens the old rules missed: `helper list`, `config show`,
    `doctor` and `helper test` show none of them, nor does the log (mode 0600); the webhook
    still gets the real header."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    from tests.test_helper_servers import WebhookServer, wait_for
    hook = WebhookServer().start()
    try:
        port = hook.url().split("//", 1)[1].split("/", 1)[0]
        tokens = ["AbCdEf123456789", "s3cr3tBearer", "k3yv4lue9", "xapik3y7"]
        urls = [f"gotify://127.0.0.1:9/{tokens[0]}",
                f"json://{port}/in?+Authorization=Bearer%20{tokens[1]}&-apikey={tokens[2]}&+X-Api-Key={tokens[3]}"]
        cfg = Path(os.environ["VIGIE_CONFIG"])
        cfg.parent.mkdir(parents=True, exist_ok=True)
        cfg.write_text('language = "en"\n[helper]\nnotify = [%s]\n' % ", ".join(f'"{u}"' for u in urls),
                       encoding="utf-8")
        env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parent.parent))
        outputs = []
        for args in (["helper", "list"], ["config", "show"], ["helper", "test", "--timeout", "30"],
                     ["helper", "status"], ["doctor"]):
            out = subprocess.run([sys.executable, "-m", "agent", *args], capture_output=True, text=True,
                                 timeout=180, env=env, cwd=env["PYTHONPATH"])
            assert "Traceback" not in out.stderr, out.stderr
            outputs.append(out.stdout + out.stderr)
        ((headers, _payload),) = hook.received
        assert headers["Authorization"] == f"Bearer {tokens[1]}" and headers["X-Api-Key"] == tokens[3]
        # `vigie run` after a crash: it tells both channels (one fails) and logs what it does
        state = Path(os.environ["VIGIE_DATA_DIR"]) / "state"
        state.mkdir(parents=True, exist_ok=True)
        (state / "running").write_text("1")
        run = subprocess.Popen([sys.executable, "-m", "agent", "run", "--no-tray"], cwd=env["PYTHONPATH"],
                               env=dict(env, VIGIE_PLATFORM="fake"), stdout=subprocess.PIPE,
                               stderr=subprocess.PIPE, text=True)
        try:
            assert wait_for(lambda: len(hook.received) >= 2, 90), (hook.received, run.poll())
            log = Path(os.environ["VIGIE_LOG_DIR"]) / "vigie.log"
            assert wait_for(lambda: log.exists() and "gotify" in log.read_text(encoding="utf-8"), 90)
        finally:
            run.terminate()
            outputs.append("".join(run.communicate(timeout=60)))
    finally:
        hook.stop()
    logs = list(Path(os.environ["VIGIE_LOG_DIR"]).glob("vigie.log*"))
    assert logs and all(oct(p.stat().st_mode & 0o777) == "0o600" for p in logs)
    texts = outputs + [p.read_text(encoding="utf-8") for p in logs]
    assert "127.0.0.1:9" in outputs[0]                              # the addresses are shown…
    for text in texts:
        for token in tokens:
            assert token not in text, (token, text[:2000])             # …without their secrets


def test_addresses_differing_only_in_secret_are_told_apart_in_helper_list(monkeypatch, capsys):
    """Issue 23: one OK, one FAILED looked identical; a short tag of the secret tells them apart."""
    from agent import cli
    monkeypatch.setenv("VIGIE_SECRETS", "file")
    a = "mailtos://marie:hunter2@smtp.example.org?to=a@example.org"
    b = "mailtos://marie:hunter3@smtp.example.org?to=a@example.org"
    assert cli.main(["helper", "add", a]) == 0 and cli.main(["helper", "add", b]) == 0
    capsys.readouterr()
    assert cli.main(["helper", "list"]) == 0
    lines = [x for x in capsys.readouterr().out.splitlines() if "smtp.example.org" in x]
    assert len(lines) == 2 and lines[0] != lines[1]
    assert all("secret #" in x and "hunter" not in x for x in lines)
    assert secrets.fingerprint(a) != secrets.fingerprint(b) and len(secrets.fingerprint(a)) == 4
