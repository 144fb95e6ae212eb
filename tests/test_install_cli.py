"""`vigie install` / `vigie uninstall` on Linux, for real, in a temporary HOME."""
from __future__ import annotations

import http.server
import io
import json
import os
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from agent import cli, config, paths
from tests import as_nobody
from agent.install import autostart, manifest_file, systemd, xdg

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def home(tmp_path, monkeypatch):
    """A fresh HOME with its own XDG folders (and no system-wide autostart entry)."""
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("HOME", str(h))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(h / ".config"))
    monkeypatch.setenv("XDG_CONFIG_DIRS", str(tmp_path / "etc-xdg"))
    monkeypatch.delenv("VIGIE_LAUNCHER", raising=False)
    monkeypatch.delenv("XDG_RUNTIME_DIR", raising=False)
    return h


def snapshot(root: Path) -> dict:
    """Every file/link under root → (bytes or link target, mtime_ns)."""
    out = {}
    for p in sorted(root.rglob("*")):
        if p.is_symlink():
            out[str(p)] = ("link", os.readlink(p))
        elif p.is_file():
            out[str(p)] = (p.read_bytes(), p.stat().st_mtime_ns)
    return out


def files_under(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file() or p.is_symlink()}


def vigie(*argv, capsys=None) -> int:
    return cli.main(list(argv))


FULL = ["install", "--silent", "--lang", "fr", "--country", "FR", "--helper-name", "Marie",
        "--helper-phone", "01 99 00 12 34", "--notify", "ntfy://vigie-essai", "json://127.0.0.1:9/x"]


def test_install_writes_config_and_autostart_entry(home, capsys):
    assert vigie(*FULL) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 1 and "Vigie est installé" in out[0]
    entry = home / ".config" / "autostart" / "vigie.desktop"
    data = xdg.read_entry(entry)
    assert xdg.parse_exec(data["Exec"]) == [sys.executable, "-m", "agent", "run"]
    assert data["Type"] == "Application" and data["Terminal"] == "false"
    settings, problems = config.load()
    assert problems == []
    assert (settings.language, settings.country, settings.helper_name, settings.helper_phone) == \
        ("fr", "FR", "Marie", "01 99 00 12 34")
    assert settings.helper_notify == ("ntfy://vigie-essai", "json://127.0.0.1:9/x")
    assert oct(paths.config_file().stat().st_mode & 0o777) == "0o600"
    assert autostart.is_installed()
    record = json.loads(manifest_file().read_text())
    assert record["files"] == [str(entry)] and record["config"]["created"] is True


def test_install_twice_changes_nothing(home, tmp_path, capsys):
    assert vigie(*FULL) == 0
    before = snapshot(tmp_path)
    assert vigie(*FULL) == 0
    assert snapshot(tmp_path) == before


def test_uninstall_leaves_only_the_evidence(home, tmp_path, capsys):
    incident = paths.evidence_dir() / "2026-01-01_1200_tss"
    incident.mkdir(parents=True)
    (incident / "screen.png").write_bytes(b"not really a png")
    assert vigie("install", "--silent", "--lang", "en", "--helper-name", "Paul") == 0
    assert len(files_under(tmp_path)) == 4  # evidence, config, autostart entry, manifest
    assert vigie("uninstall", "--silent") == 0
    out = capsys.readouterr().out
    assert "Vigie is uninstalled" in out and str(paths.evidence_dir()) in out
    assert files_under(tmp_path) == {"data/evidence/2026-01-01_1200_tss/screen.png"}
    assert not autostart.is_installed()
    assert not (home / ".config").exists()  # created by install, removed once empty


def test_uninstall_purge_deletes_everything(home, tmp_path, capsys):
    assert vigie("install", "--silent") == 0
    paths.ensure_dir(paths.evidence_dir() / "x").joinpath("report.txt").write_text("incident")
    paths.ensure_dir(paths.log_dir()).joinpath("vigie.log").write_text("log")
    assert vigie("uninstall", "--silent", "--purge") == 0
    assert files_under(tmp_path) == set()
    assert not paths.data_dir().exists() and not paths.log_dir().exists()


def test_uninstall_keeps_a_config_written_before_install(home, capsys):
    cfg = paths.config_file()
    cfg.parent.mkdir(parents=True)
    cfg.write_text('language = "fr"\n[helper]\nname = "Luc"\n')
    assert vigie("install", "--silent", "--helper-phone", "01 99 00 00 01") == 0
    assert vigie("uninstall", "--silent") == 0
    settings, _ = config.load()
    assert (settings.language, settings.helper_name, settings.helper_phone) == ("fr", "Luc", "01 99 00 00 01")
    assert not (home / ".config" / "autostart" / "vigie.desktop").exists()


def test_uninstall_when_not_installed(home, capsys):
    assert vigie("uninstall", "--silent") == 0
    assert "nothing to remove" in capsys.readouterr().out


def test_interactive_install_asks_the_helper(home, monkeypatch, capsys):
    answers = "fr\nFrance\n\nJeanne\nMarie\n01 99 00 12 34\n7\n3\npas-une-adresse\nntfy://vigie-essai\n"
    monkeypatch.setattr(sys, "stdin", io.StringIO(answers))
    assert vigie("install", "--no-start", "--no-test-message") == 0
    out = capsys.readouterr().out
    assert "Prénom de la personne à appeler" in out
    assert "Vigie ne peut pas utiliser cette adresse : pas-une-adresse" in out
    assert "avec l'application gratuite ntfy" in out and "Tapez l'un des numéros proposés (pas 7)" in out
    assert "Tapez deux lettres, par exemple FR ou BE (et non France)" in out
    settings, _ = config.load()
    assert (settings.language, settings.helper_name, settings.helper_notify) == ("fr", "Marie", ("ntfy://vigie-essai",))
    assert settings.country == "FR"      # LANG=C.UTF-8 names no country: a French speaker gets France
    assert settings.helper_person_name == "Jeanne" and "Prénom de la personne à qui appartient" in out


def test_interactive_uninstall_can_be_cancelled(home, monkeypatch, capsys):
    assert vigie("install", "--silent", "--lang", "fr") == 0
    monkeypatch.setattr(sys, "stdin", io.StringIO("n\n"))
    assert vigie("uninstall") == 1
    assert "Rien n'a été modifié" in capsys.readouterr().out
    assert autostart.is_installed()


def test_bad_notify_address_in_silent_mode_writes_nothing(home, tmp_path, capsys):
    assert vigie("install", "--silent", "--notify", "marie-at-example") == 2
    assert "marie-at-example" in capsys.readouterr().err
    assert files_under(tmp_path) == set()


def test_systemd_unit_instead_of_xdg_and_back(home, tmp_path, capsys):
    assert vigie("install", "--silent", "--systemd") == 0
    assert systemd.unit_file().is_file() and os.readlink(systemd.wants_link()) == "../vigie.service"
    assert not xdg.user_entry().exists()
    assert f"ExecStart={sys.executable} -m agent run" in systemd.unit_file().read_text()
    assert autostart.is_installed()
    assert vigie("install", "--silent") == 0  # switching back: the unit goes, the entry comes
    assert xdg.user_entry().exists() and not systemd.unit_file().exists()
    assert vigie("uninstall", "--silent") == 0
    assert files_under(tmp_path) == set()


def test_exec_line_quoting_round_trips():
    for argv in (["/usr/bin/vigie", "run"],
                 ["/home/jean dupont/.venv/bin/python", "-m", "agent", "run"],
                 ['/opt/a"b$c`d\\e/100%/py', "run"]):
        assert xdg.parse_exec(xdg.exec_value(argv)) == argv
    assert xdg.exec_value(["/x y/py", "50%"]) == '"/x y/py" 50%%'


def test_entry_command_variants(monkeypatch, tmp_path):
    assert autostart.entry_command() == [sys.executable, "-m", "agent", "run"]
    launcher = tmp_path / "vigie"
    launcher.write_text("#!/bin/sh\n")
    monkeypatch.setenv("VIGIE_LAUNCHER", str(launcher))
    assert autostart.entry_command() == [str(launcher), "run"]
    monkeypatch.delenv("VIGIE_LAUNCHER")
    exe = tmp_path / "vigie.exe"
    exe.write_bytes(b"")
    monkeypatch.setattr(sys, "executable", str(exe))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert autostart.entry_command("win32") == [str(exe), "run"]
    (tmp_path / "vigiew.exe").write_bytes(b"")
    assert autostart.entry_command("win32") == [str(tmp_path / "vigiew.exe"), "run"]
    monkeypatch.setattr(sys, "frozen", False)
    (tmp_path / "python.exe").write_bytes(b"")
    (tmp_path / "pythonw.exe").write_bytes(b"")
    monkeypatch.setattr(sys, "executable", str(tmp_path / "python.exe"))
    assert autostart.entry_command("win32") == [str(tmp_path / "pythonw.exe"), "-m", "agent", "run"]


def test_system_wide_entry_counts_unless_hidden(home, tmp_path):
    system = tmp_path / "etc-xdg" / "autostart" / "vigie.desktop"
    system.parent.mkdir(parents=True)
    system.write_text(xdg.render([sys.executable, "run"]))
    assert autostart.is_installed()
    xdg.user_entry().parent.mkdir(parents=True)
    xdg.user_entry().write_text("[Desktop Entry]\nType=Application\nHidden=true\n")
    assert not autostart.is_installed()
    system.write_text(xdg.render(["/nonexistent/vigie", "run"]))  # TryExec missing
    xdg.user_entry().unlink()
    assert not autostart.is_installed()


# -- a read-only config folder: a clear error and nothing half-written -----------------

def _interpreter(env: dict) -> tuple[list[str], dict]:
    """When the tests run as root, permissions do not stop writes: run as ``nobody``
    (tests/as_nobody.py: from a world-readable copy, whatever folder the checkout is in)."""
    if os.geteuid() != 0:
        return [sys.executable], {"cwd": ROOT}
    return as_nobody.command(env)


def test_read_only_config_folder_gives_a_clear_error_and_writes_nothing(tmp_path):
    base = tmp_path / "ro"
    for d in ("home", "data", "log", "config"):
        (base / d).mkdir(parents=True)
    os.chmod(tmp_path, 0o755)
    os.chmod(base, 0o755)
    if os.geteuid() == 0:
        for d in ("home", "data", "log"):
            os.chown(base / d, 65534, 65534)
    (base / "config").chmod(0o555)
    env = {**os.environ, "HOME": str(base / "home"), "XDG_CONFIG_HOME": str(base / "home" / ".config"),
           "VIGIE_DATA_DIR": str(base / "data"), "VIGIE_LOG_DIR": str(base / "log"),
           "VIGIE_CONFIG": str(base / "config" / "config.toml"), "LANG": "en_US.UTF-8",
           "PYTHONDONTWRITEBYTECODE": "1"}
    before = files_under(base)
    python, demote = _interpreter(env)
    out = subprocess.run([*python, "-m", "agent", "install", "--silent", "--helper-name", "Paul"],
                         env=env, capture_output=True, text=True, timeout=120, **demote)
    assert out.returncode == 1, out.stderr
    assert "Vigie was NOT installed" in out.stderr
    assert str(base / "config") in out.stderr and "Nothing was changed" in out.stderr
    assert "Traceback" not in out.stderr
    assert files_under(base) == before == set()
    assert not (base / "home" / ".config").exists() and not (base / "data" / "state").exists()


def test_autostart_failure_after_config_rolls_the_config_back(home, tmp_path, capsys):
    cfg = paths.config_file()
    cfg.parent.mkdir(parents=True)
    cfg.write_text('language = "en"\n')
    (home / ".config").mkdir()
    (home / ".config" / "autostart").write_text("a file where a folder should be")
    assert vigie("install", "--silent", "--helper-name", "Paul") == 1
    assert "Vigie was NOT installed" in capsys.readouterr().err
    assert cfg.read_text() == 'language = "en"\n'
    assert not manifest_file().exists()


# -- telling the helper on uninstall (a real HTTP server on 127.0.0.1) ------------------

class _Hook(http.server.BaseHTTPRequestHandler):
    received: list = []

    def do_POST(self):  # noqa: N802
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        _Hook.received.append(body.decode("utf-8", "replace"))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_uninstall_tells_the_helper(home, capsys):
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received = []
    try:
        url = f"json://127.0.0.1:{server.server_address[1]}/vigie"
        assert vigie("install", "--silent", "--lang", "en", "--notify", url) == 0
        assert vigie("uninstall", "--silent") == 0
    finally:
        server.shutdown()
        server.server_close()
    out = capsys.readouterr().out
    assert "The helper was told" in out
    assert len(_Hook.received) == 1 and "removed" in _Hook.received[0]


def test_uninstall_with_a_dead_helper_server_says_so_and_still_uninstalls(home, capsys):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]  # closed again: nobody listens there
    assert vigie("install", "--silent", "--lang", "fr", "--notify", f"json://127.0.0.1:{port}/x") == 0
    assert vigie("uninstall", "--silent") == 0
    out = capsys.readouterr().out
    assert "n'a PAS pu être prévenu" in out and "Vigie est désinstallé" in out
    assert not autostart.is_installed()


# -- passwords and tokens of --notify addresses: kept out of the config file -----------

SECRET_URL = "mailtos://marie:hunter2-Secret@smtp.example.org?to=marie@example.org"
TOKEN_URL = "ntfys://ntfy.example.org/vigie-Ab12Cd34Ef56Gh78Ij90"


def test_install_keeps_notify_passwords_out_of_the_config(home, tmp_path, monkeypatch, capsys):
    from agent.respond.helper import secrets
    monkeypatch.setenv("VIGIE_SECRETS", "file")
    assert vigie("install", "--silent", "--lang", "en", "--notify", SECRET_URL, TOKEN_URL, "ntfy://vigie-essai") == 0
    text = paths.config_file().read_text(encoding="utf-8")
    assert "hunter2" not in text and "Ab12Cd34Ef56Gh78Ij90" not in text
    settings, problems = config.load()
    assert problems == [] and len(settings.helper_notify) == 3
    assert all(secrets.refs(u) for u in settings.helper_notify[:2]) and settings.helper_notify[2] == "ntfy://vigie-essai"
    assert [secrets.resolve(u)[0] for u in settings.helper_notify] == [SECRET_URL, TOKEN_URL, "ntfy://vigie-essai"]
    assert oct(secrets.secrets_file().stat().st_mode & 0o777) == "0o600"
    assert "hunter2-Secret" in secrets.secrets_file().read_text(encoding="utf-8")
    # the same addresses again: same references, not one byte changed (config, secrets file)
    before = snapshot(tmp_path)
    assert vigie("install", "--silent", "--lang", "en", "--notify", SECRET_URL, TOKEN_URL, "ntfy://vigie-essai") == 0
    assert snapshot(tmp_path) == before
    # uninstall: the config install created goes, and with it the secrets it referred to
    refs = settings.helper_notify
    assert vigie("uninstall", "--silent") == 0
    # (the outbox holds the "uninstalled" notice, undeliverable here: the data folder stays)
    assert {f for f in files_under(tmp_path) if not f.startswith("data/outbox.sqlite3")} == set()
    for u in refs[:2]:
        with pytest.raises(secrets.MissingSecret):
            secrets.resolve(u)


def test_install_with_a_new_address_forgets_the_secret_of_the_old_one(home, monkeypatch, capsys):
    from agent.respond.helper import secrets
    monkeypatch.setenv("VIGIE_SECRETS", "file")
    assert vigie("install", "--silent", "--notify", SECRET_URL) == 0
    old = config.load()[0].helper_notify[0]
    other = "mailtos://marie:Other-pass9@smtp.example.org?to=marie@example.org"
    assert vigie("install", "--silent", "--notify", other) == 0
    new = config.load()[0].helper_notify
    assert len(new) == 1 and secrets.resolve(new[0])[0] == other
    with pytest.raises(secrets.MissingSecret):
        secrets.resolve(old)
    assert "hunter2" not in secrets.secrets_file().read_text(encoding="utf-8")


def test_interactive_install_keeps_the_typed_password_out_of_the_config(home, monkeypatch, capsys):
    from agent.respond.helper import secrets
    monkeypatch.setenv("VIGIE_SECRETS", "file")
    monkeypatch.setattr(sys, "stdin", io.StringIO(f"fr\nBE\nJeanne\nMarie\n01 99 00 12 34\n3\n{SECRET_URL}\n"))
    assert vigie("install", "--no-start", "--no-test-message") == 0
    out = capsys.readouterr().out
    assert "Son mot de passe ou son jeton est conservé dans : file " in out
    assert "hunter2" not in paths.config_file().read_text(encoding="utf-8")
    (url,) = config.load()[0].helper_notify
    assert secrets.resolve(url)[0] == SECRET_URL


def test_failed_install_takes_its_secrets_back(home, tmp_path, monkeypatch, capsys):
    from agent.respond.helper import secrets
    monkeypatch.setenv("VIGIE_SECRETS", "file")
    (home / ".config").mkdir()
    (home / ".config" / "autostart").write_text("a file where a folder should be")
    assert vigie("install", "--silent", "--notify", SECRET_URL) == 1
    assert "Vigie was NOT installed" in capsys.readouterr().err
    assert not secrets.secrets_file().exists() and not paths.config_file().exists()
    assert files_under(tmp_path) == {"home/.config/autostart"}


class _AuthHook(_Hook):
    def do_POST(self):  # noqa: N802
        _Hook.received.append(self.headers.get("Authorization", ""))
        super().do_POST()


def test_the_stored_password_is_used_to_tell_the_helper(home, monkeypatch, capsys):
    """The secret kept by install is put back when sending: a real HTTP server sees it."""
    import base64
    monkeypatch.setenv("VIGIE_SECRETS", "file")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _AuthHook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Hook.received = []
    try:
        url = f"json://marie:hunter2-Secret@127.0.0.1:{server.server_address[1]}/vigie"
        assert vigie("install", "--silent", "--lang", "en", "--notify", url) == 0
        assert "hunter2" not in paths.config_file().read_text(encoding="utf-8")
        assert vigie("uninstall", "--silent") == 0
    finally:
        server.shutdown()
        server.server_close()
    assert "The helper was told" in capsys.readouterr().out
    assert _Hook.received[0] == "Basic " + base64.b64encode(b"marie:hunter2-Secret").decode()
