"""`vigie install` driven as a son would drive it, in a real pseudo-terminal (pexpect):
typed answers in French and English, the password typed hidden, a real SMTP server on
loopback that demands authentication, then Vigie really running; `vigie doctor` before
and after with its verdict and exit code. The ntfy path against a local HTTP server
standing for ntfy (the ntfy server itself is not packaged here)."""
from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
from http.server import ThreadingHTTPServer
from pathlib import Path

import pexpect
import pytest

from agent import agent_status, config, paths
from agent.respond.helper import secrets
from tests import waiting
from tests.test_install_cli import home  # noqa: F401 - the fixture (a fresh HOME)
from tests.test_helper_servers import NtfyStandIn as _Ntfy, SmtpServer

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "build" / "artefacts"
PASSWORD = "app-Pw-7731-secret"
PROMPTS = {  # what the son reads, per language
    "en": {"lang": "Language of Vigie", "country": "Country", "person": "First name of the person this",
           "helper": "First name of the person to call", "phone": "phone number", "choice": "Your choice",
           "mail": "Your e-mail address", "server": "Outgoing mail server", "password": "Password (not shown",
           "accepted": "The test message was accepted", "running": "Vigie is running now",
           "not_protecting": "Vigie is NOT protecting this computer now", "protecting": "Vigie is protecting",
           "ntfy_ready": "Press Enter once the app is subscribed", "country_value": "GB",
           "code": "4 to 8 digits (asked before", "code_again": "Type the new code again"},
    "fr": {"lang": "Langue des messages", "country": "Pays", "person": "Prénom de la personne à qui",
           "helper": "Prénom de la personne à appeler", "phone": "téléphone de cette personne", "choice": "Votre choix",
           "mail": "Votre adresse e-mail", "server": "Serveur d'envoi", "password": "Mot de passe (invisible",
           "accepted": "Le message d'essai a été accepté", "running": "Vigie fonctionne maintenant",
           "not_protecting": "Vigie NE protège PAS cet ordinateur", "protecting": "Vigie protège cet ordinateur",
           "ntfy_ready": "Appuyez sur Entrée une fois l'abonnement fait", "country_value": "FR",
           "code": "4 à 8 chiffres (demandé avant", "code_again": "Tapez encore le nouveau code"},
}


def _spawn(lang: str, *argv: str) -> pexpect.spawn:
    """The command in a pseudo-terminal of a computer set to ``lang``; everything it shows
    is kept in ``child.logfile_read``."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    env["LANG"] = "fr_FR.UTF-8" if lang == "fr" else "en_GB.UTF-8"
    child = pexpect.spawn(sys.executable, ["-m", "agent", *argv], cwd=str(ROOT), env=env, encoding="utf-8",
                          timeout=90, dimensions=(50, 160))
    child.logfile_read = io.StringIO()
    return child


def _doctor(lang: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "agent", "doctor", "--json"], capture_output=True, text=True,
                          timeout=120, cwd=ROOT)


def _answer_the_common_questions(child: pexpect.spawn, lang: str, p: dict) -> None:
    child.expect_exact(p["lang"])
    child.sendline(lang)
    child.expect_exact(p["country"])
    child.sendline(p["country_value"])
    child.expect_exact(p["person"])
    child.sendline("Jeanne")
    child.expect_exact(p["helper"])
    child.sendline("Marc")
    child.expect_exact(p["phone"])
    child.sendline("01 99 00 12 34")
    child.expect_exact(p["choice"])


def _stop_agent() -> None:
    st = agent_status.read()
    if st["running"]:
        os.kill(st["pid"], signal.SIGTERM)
        assert waiting.wait_for(lambda: not agent_status.read()["running"], 60), "the agent did not stop"


@pytest.mark.desktop
@pytest.mark.parametrize("lang", ["en", "fr"])
def test_install_by_e_mail_with_an_app_password_then_vigie_runs(desktop, home, lang):
    p = PROMPTS[lang]
    smtp = SmtpServer(password=PASSWORD).start()
    try:
        before = _doctor(lang)
        assert before.returncode == 1 and json.loads(before.stdout)["running"] is False
        child = _spawn(lang, "install")
        try:
            _answer_the_common_questions(child, lang, p)
            child.sendline("1")                              # by e-mail
            child.expect_exact(p["mail"])
            child.sendline("marc.dupont@vigie-test.invalid")  # a domain nobody knows: no autoconfig
            child.expect_exact(p["server"])
            child.sendline(f"127.0.0.1:{smtp.port}")
            child.expect_exact(p["password"])
            child.sendline(PASSWORD)
            child.expect_exact(p["code"])                      # the helper code, typed twice, never shown
            child.sendline("4821")
            child.expect_exact(p["code_again"])
            child.sendline("4821")
            child.expect_exact(p["accepted"])
            child.expect_exact(p["running"])
            child.expect(pexpect.EOF)
        finally:
            child.close()
        transcript = child.logfile_read.getvalue()
        ARTEFACTS.mkdir(parents=True, exist_ok=True)   # what the son saw, for people to read
        (ARTEFACTS / f"install-mail-{lang}.txt").write_text(transcript, encoding="utf-8")
        assert child.exitstatus == 0, transcript
        assert PASSWORD not in transcript and "4821" not in transcript   # typed, never shown on the terminal
        assert waiting.wait_for(lambda: smtp.messages, 30)
        (msg,) = smtp.messages
        assert msg["To"] == "marc.dupont@vigie-test.invalid" and msg["From"] == "marc.dupont@vigie-test.invalid"
        assert ("test" in msg["Subject"].lower()) or ("essai" in msg["Subject"].lower())
        text = paths.config_file().read_text(encoding="utf-8")
        assert PASSWORD not in text and "marc.dupont" in text
        (url,) = config.load()[0].helper_notify
        assert PASSWORD in secrets.resolve(url)[0]         # kept in the keyring (or the private file)
        st = agent_status.read()
        assert st["running"], st
        after = _doctor(lang)
        data = json.loads(after.stdout)
        helper = next(c for c in data["checks"] if c["id"] == "helper")
        assert after.returncode == 0 and data["running"] is True, after.stdout
        assert p["protecting"] in data["verdict"] and "m…@vigie-test.invalid" in helper["title"]
        _stop_agent()
        stopped = _doctor(lang)
        assert stopped.returncode == 1 and p["not_protecting"] in json.loads(stopped.stdout)["verdict"]
    finally:
        _stop_agent()
        smtp.stop()


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_install_with_phone_push_through_ntfy(home, lang):
    p = PROMPTS[lang]
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Ntfy)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    _Ntfy.received = []
    try:
        child = _spawn(lang, "install", "--no-start", "--ntfy-server", f"http://127.0.0.1:{server.server_address[1]}")
        try:
            _answer_the_common_questions(child, lang, p)
            child.sendline("2")                      # the phone
            child.expect(r"(vigie-[0-9a-f]{20})")
            topic = child.match.group(1)
            child.expect_exact(p["ntfy_ready"])
            shown = child.before
            child.sendline("")
            child.expect_exact(p["code"])
            child.sendline("")                       # no helper code (skipped)
            child.expect_exact(p["accepted"])
            child.expect(pexpect.EOF)
        finally:
            child.close()
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        (ARTEFACTS / f"install-ntfy-{lang}.txt").write_text(child.logfile_read.getvalue(), encoding="utf-8")
        assert child.exitstatus == 0
        assert "▀" in shown or "█" in shown or "\x1b[" in shown        # the QR code was drawn
        assert f"http://127.0.0.1:{server.server_address[1]}/{topic}" in shown   # and its link written
        assert waiting.wait_for(lambda: _Ntfy.received, 30)
        path, body = _Ntfy.received[0]
        assert topic in path + body
        assert topic not in paths.config_file().read_text(encoding="utf-8")   # the topic is a secret
    finally:
        server.shutdown()
        server.server_close()


def test_silent_install_with_the_helper_s_mail_and_the_password_in_the_environment(home):
    """What the Windows installer's page runs: no question, the password never on the
    command line; the test message asked for is received by the server that demands it."""
    smtp = SmtpServer(password=PASSWORD).start()
    try:
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
        env["VIGIE_MAIL_PASSWORD"] = PASSWORD
        out = subprocess.run([sys.executable, "-m", "agent", "install", "--silent", "--lang", "fr",
                              "--mail", "marc@vigie-test.invalid", "--mail-server", f"127.0.0.1:{smtp.port}",
                              "--test-message", "--no-start"], env=env, capture_output=True, text=True,
                             timeout=120, cwd=ROOT)
        assert out.returncode == 0, out.stderr
        assert PROMPTS["fr"]["accepted"] in out.stdout and "e-mail à m…@vigie-test.invalid" in out.stdout
        assert waiting.wait_for(lambda: smtp.messages, 30)
        assert PASSWORD not in paths.config_file().read_text(encoding="utf-8")
        bad = subprocess.run([sys.executable, "-m", "agent", "install", "--silent", "--mail", "marc@vigie-test.invalid"],
                             env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert bad.returncode == 2 and "--mail-server" in bad.stderr     # unknown server: said, nothing written
    finally:
        smtp.stop()


def test_silent_install_takes_the_password_and_the_code_from_files_it_deletes(home, tmp_path):
    """What the Windows installer's pages run now: the password and the helper code in files
    of Setup's private temporary folder, read once and deleted, never on a command line nor
    in the environment."""
    smtp = SmtpServer(password=PASSWORD).start()
    try:
        pw_file, code_file = tmp_path / "mail.txt", tmp_path / "code.txt"
        pw_file.write_text(PASSWORD, encoding="utf-8")                   # no line ending (Inno's)
        code_file.write_text("\ufeff4821\r\n", encoding="utf-8")          # a byte-order mark, CRLF
        env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST") and k != "VIGIE_MAIL_PASSWORD"}
        out = subprocess.run([sys.executable, "-m", "agent", "install", "--silent", "--lang", "en",
                              "--mail", "marc@vigie-test.invalid", "--mail-server", f"127.0.0.1:{smtp.port}",
                              "--mail-password-file", str(pw_file), "--helper-code-file", str(code_file),
                              "--test-message", "--no-start"], env=env, capture_output=True, text=True,
                             timeout=120, cwd=ROOT)
        assert out.returncode == 0, out.stderr
        assert PROMPTS["en"]["accepted"] in out.stdout
        assert not pw_file.exists() and not code_file.exists()           # read once, then deleted
        assert waiting.wait_for(lambda: smtp.messages, 30)
        assert PASSWORD not in paths.config_file().read_text(encoding="utf-8")
        from agent import helper_code
        assert helper_code.check("4821").result == "ok"
        gone = subprocess.run([sys.executable, "-m", "agent", "install", "--silent", "--mail", "marc@vigie-test.invalid",
                               "--mail-server", f"127.0.0.1:{smtp.port}", "--mail-password-file", str(pw_file)],
                              env=env, capture_output=True, text=True, timeout=120, cwd=ROOT)
        assert gone.returncode == 2 and "mail.txt" in gone.stderr        # no such file: said, nothing written
    finally:
        smtp.stop()



def test_silent_uninstall_with_a_code_set_never_asks_and_removes_nothing(home):
    """`vigie uninstall --silent` run from a terminal nobody sees (the Windows uninstaller
    gives it a hidden console): no code given counts as none; it does not wait for one."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTEST")}
    out = subprocess.run([sys.executable, "-m", "agent", "install", "--silent", "--lang", "en", "--helper-code", "4821",
                          "--no-start", "--no-test-message"], env=env, capture_output=True, text=True, timeout=120,
                         cwd=ROOT)
    assert out.returncode == 0, out.stderr
    child = _spawn("en", "uninstall", "--silent")                   # a terminal: it could ask, it must not
    try:
        child.expect(pexpect.EOF, timeout=60)
    finally:
        child.close()
    said = child.logfile_read.getvalue()
    assert child.exitstatus == 1 and "This needs the helper code" in said and "Helper code (" not in said, said
    assert paths.config_file().exists()                              # nothing removed
