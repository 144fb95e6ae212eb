"""The helper code for real: scrypt hashing in an owner-only file, the growing delay after
wrong codes, the code file put back when deleted while the agent runs, and the command
line (`vigie helper code`, `vigie helper remove`, `vigie uninstall`, `vigie install`) run as
processes, with the helper's messages received on a real SMTP server on 127.0.0.1."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from agent import config, events, gate, helper_code
from agent.respond.helper import messages
from tests.test_helper_servers import WebhookServer, mail_url, smtp  # noqa: F401 - the fixture
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parent.parent
CODE = "4821"


def test_the_code_is_stored_hashed_owner_only_and_checked():
    path = helper_code.save("48 21")
    text = path.read_text()
    assert "4821" not in text and json.loads(text)["kdf"] == "scrypt"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert helper_code.check("4821").result == "ok" and helper_code.check("4821 ").result == "ok"
    assert helper_code.check("4822").result == "wrong"
    first = json.loads(text)["salt"]
    helper_code.save("4821")
    assert json.loads(path.read_text())["salt"] != first            # a new salt each time
    for bad in ("123", "123456789", "abcd", "", "１２３４"):
        assert not helper_code.valid(bad)
        with pytest.raises(ValueError):
            helper_code.save(bad)
    path.unlink()
    assert helper_code.check("4821").result == "unset" and not helper_code.is_set()


def test_wrong_codes_make_a_growing_delay_and_the_right_one_clears_it():
    helper_code.save("4821")
    t0 = 1_000_000.0
    got = [helper_code.check("0000", now=t0 + i) for i in range(3)]
    assert [(g.result, g.fails, g.wait) for g in got] == [("wrong", 1, 0.0), ("wrong", 2, 0.0), ("wrong", 3, 30.0)]
    held = helper_code.check("4821", now=t0 + 10)             # even the right code waits
    assert held.result == "wait" and 20 < held.wait <= 22
    assert helper_code.wait_left(now=t0 + 10) == held.wait
    assert helper_code.check("1111", now=t0 + 33) == helper_code.Check("wrong", 4, 60.0)
    assert helper_code.check("4821", now=t0 + 60).result == "wait"
    assert helper_code.check("4821", now=t0 + 94).result == "ok"
    assert helper_code.check("0000", now=t0 + 95) == helper_code.Check("wrong", 1, 0.0)   # counted afresh
    assert [helper_code.delay_after(n) for n in (2, 3, 4, 5, 9, 20)] == [0, 30, 60, 120, 900, 900]


def test_a_deleted_code_file_is_put_back_and_the_helper_told_at_once():
    hook = WebhookServer().start()
    try:
        from agent.respond.helper.notifier import HelperNotifier
        settings = config.Settings(language="en", helper_person_name="Jeanne", helper_notify=(hook.url(),))
        notifier = HelperNotifier(settings)
        notifier.start(announce=False)
        helper_code.save("4821")
        watch = gate.CodeWatch(lambda: settings, notifier)
        assert watch.check() is None
        helper_code.code_file().unlink()
        assert watch.check() == "deleted"
        assert helper_code.check("4821").result == "ok"              # the same code, from memory
        assert wait_for(lambda: hook.received, 60)
        body = hook.received[0][1]
        assert "helper code file" in body["title"] and "Vigie put it back" in " ".join(body["message"].split())
        helper_code.save("1357")                                     # a new code: adopted, said
        assert watch.check() == "changed" and watch.keeper.record == helper_code.load()
        assert wait_for(lambda: len(hook.received) == 2, 60)
        notifier.stop()
    finally:
        hook.stop()
    kinds = [(e["action"], e["result"]) for e in events.read() if e["type"] == "helper_code"]
    assert kinds == [("code_file", "deleted"), ("code_file", "changed")]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_the_urgent_message_names_the_action_the_tool_and_the_code(lang):
    m = messages.render("protection_weakened", {"action": "allow_tool", "result": "refused", "tool": "AnyDesk"},
                        lang, person="Jeanne")
    assert "AnyDesk" in m.title and "Jeanne" in m.title
    assert ("Vigie closed AnyDesk" if lang == "en" else "Vigie a fermé AnyDesk") in _flat(m.text)
    ok = messages.render("protection_weakened", {"action": "pause", "result": "ok", "seconds": 3600}, lang)
    assert ("the helper code was used" if lang == "en" else "le code de l'aidant a été utilisé") in _flat(ok.text)
    assert "60 minutes" in _flat(ok.text)
    wrong = messages.render("protection_weakened", {"action": "uninstall", "result": "wrong", "fails": 2}, lang)
    assert ("WRONG" if lang == "en" else "FAUX") in wrong.text and "(2 " in _flat(wrong.text)


def _flat(text: str) -> str:
    return " ".join(text.split())


# -- the command line, as processes ------------------------------------------------------

class Cli:
    def __init__(self, tmp_path: Path, lang: str = "en", notify: str = ""):
        self.home = tmp_path / "home"
        self.home.mkdir(exist_ok=True)
        self.config = tmp_path / "config" / "config.toml"
        self.config.parent.mkdir(exist_ok=True)
        lines = [f'language = "{lang}"', "[helper]", 'person_name = "Jeanne"', "heartbeat_hours = 0"]
        if notify:
            lines.append(f'notify = ["{notify}"]')
        self.config.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.env = dict(os.environ, PYTHONPATH=str(ROOT), HOME=str(self.home),
                        XDG_CONFIG_HOME=str(self.home / ".config"), XDG_CONFIG_DIRS=str(tmp_path / "etc-xdg"),
                        VIGIE_SECRETS="file")

    def __call__(self, *args) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "agent", *args], env=self.env, cwd=ROOT, capture_output=True,
                              text=True, timeout=120, stdin=subprocess.DEVNULL)


def _gate_events():
    return [(e["action"], e["result"]) for e in events.read() if e["type"] == "helper_code"]


def test_helper_code_set_then_changed_only_with_the_current_code(tmp_path):
    vigie = Cli(tmp_path)
    bad = vigie("helper", "code", "--new", "12")
    assert bad.returncode == 2 and "4 to 8 digits" in bad.stderr and not helper_code.is_set()
    made = vigie("helper", "code", "--new", "4821")
    assert made.returncode == 0, made.stderr
    assert "The helper code is set" in made.stdout and helper_code.check("4821").result == "ok"
    refused = vigie("helper", "code", "--new", "1111")                # no current code, no terminal
    assert refused.returncode == 1 and "needs the helper code" in refused.stderr
    wrong = vigie("helper", "code", "--code", "0000", "--new", "1111")
    assert wrong.returncode == 1 and "Wrong helper code" in wrong.stderr
    changed = vigie("helper", "code", "--code", "4821", "--new", "1111")
    assert changed.returncode == 0, changed.stderr
    assert helper_code.check("1111").result == "ok"
    assert _gate_events() == [("code_change", "set"), ("code_change", "refused"), ("code_change", "wrong"),
                              ("code_change", "ok"), ("code_change", "changed")]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_helper_remove_needs_the_code_and_the_old_address_hears_of_it(smtp, tmp_path, lang):  # noqa: F811
    vigie = Cli(tmp_path, lang, notify=mail_url(smtp))
    helper_code.save("4821")
    out = vigie("helper", "remove", "1")
    assert out.returncode == 1
    assert ("needs the helper code" if lang == "en" else "Il faut le code de l'aidant") in out.stderr
    assert config.load(vigie.config)[0].helper_notify == (mail_url(smtp),)      # still there
    assert wait_for(lambda: smtp.messages, 60)
    refused = smtp.messages[0]
    assert ("vigie helper remove" in refused["Subject"])
    text = _flat(refused.get_body(preferencelist=("plain",)).get_content())
    assert ("nothing was changed" if lang == "en" else "rien n'a donc été changé") in text
    done = vigie("helper", "remove", "1", "--code", "4821")
    assert done.returncode == 0, done.stderr
    assert config.load(vigie.config)[0].helper_notify == ()
    assert wait_for(lambda: len(smtp.messages) == 2, 60)          # told before the address went
    text = _flat(smtp.messages[1].get_body(preferencelist=("plain",)).get_content())
    assert ("the helper code was used" if lang == "en" else "le code de l'aidant a été utilisé") in text
    assert _gate_events() == [("helper_remove", "refused"), ("helper_remove", "ok")]


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_uninstall_needs_the_code_and_is_reported(smtp, tmp_path, lang):  # noqa: F811
    vigie = Cli(tmp_path, lang, notify=mail_url(smtp))
    installed = vigie("install", "--silent", "--helper-code", "4821")
    assert installed.returncode == 0, installed.stderr
    assert helper_code.check("4821").result == "ok"
    entry = vigie.home / ".config" / "autostart" / "vigie.desktop"
    assert entry.exists()
    out = vigie("uninstall", "--silent")
    assert out.returncode == 1 and entry.exists()
    assert ("needs the helper code" if lang == "en" else "Il faut le code de l'aidant") in out.stderr
    wrong = vigie("uninstall", "--silent", "--code", "0000")
    assert wrong.returncode == 1 and entry.exists()
    assert ("Wrong helper code" if lang == "en" else "Code de l'aidant faux") in wrong.stderr
    done = vigie("uninstall", "--silent", "--code", "4821")
    assert done.returncode == 0, done.stderr
    assert not entry.exists()
    assert wait_for(lambda: len(smtp.messages) >= 4, 60)
    subjects = [m["Subject"] for m in smtp.messages]
    assert sum("vigie uninstall" in s for s in subjects) == 3, subjects        # refused, wrong, done
    assert _gate_events() == [("code_change", "set"), ("uninstall", "refused"), ("uninstall", "wrong"),
                              ("uninstall", "ok")]


def test_uninstall_check_only_checks_the_code(smtp, tmp_path):  # noqa: F811
    """``vigie uninstall --check`` (the Windows uninstaller asks it before its own "Are you
    sure?"): a wrong code is refused and told, the right one removes nothing and is not told
    (the real uninstall that follows tells it)."""
    vigie = Cli(tmp_path, "en", notify=mail_url(smtp))
    assert vigie("install", "--silent", "--helper-code", "4821").returncode == 0
    entry = vigie.home / ".config" / "autostart" / "vigie.desktop"
    wrong = vigie("uninstall", "--silent", "--check", "--code", "0000")
    assert wrong.returncode == 1 and "Wrong helper code" in wrong.stderr
    right = vigie("uninstall", "--silent", "--check", "--code", "4821")
    assert right.returncode == 0, right.stderr
    assert "nothing has been removed yet" in right.stdout
    assert entry.exists() and helper_code.is_set()
    assert wait_for(lambda: smtp.messages, 60)
    assert _gate_events() == [("code_change", "set"), ("uninstall", "wrong")]
    assert [m["Subject"] for m in smtp.messages if "vigie uninstall" in m["Subject"]], smtp.messages


def test_install_cannot_replace_the_code_or_the_addresses_without_it(tmp_path):
    vigie = Cli(tmp_path, notify="json://127.0.0.1:9/old")
    assert vigie("install", "--silent", "--helper-code", "4821").returncode == 0
    again = vigie("install", "--silent", "--helper-code", "4821")          # the same code: nothing to ask
    assert again.returncode == 0, again.stderr
    out = vigie("install", "--silent", "--helper-code", "0000")
    assert out.returncode == 2 and "needs the current code" in out.stderr
    out = vigie("install", "--silent", "--notify", "json://127.0.0.1:9/scammer")
    assert out.returncode == 2
    out = vigie("install", "--silent", "--helper-phone", "+1-800-555-0199")   # the alert would show his number
    assert out.returncode == 2 and config.load(vigie.config)[0].helper_phone == ""
    assert config.load(vigie.config)[0].helper_notify == ("json://127.0.0.1:9/old",)
    assert helper_code.check("4821").result == "ok"
    ok = vigie("install", "--silent", "--helper-code", "2468", "--code", "4821")
    assert ok.returncode == 0, ok.stderr
    assert helper_code.check("2468").result == "ok"


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_doctor_says_whether_a_helper_code_is_set(lang):
    from agent.cli import doctor
    none = doctor.check_helper_code(config.Settings(), lang)
    assert none.status == doctor.WARNING and "vigie helper code" in none.fix
    helper_code.save(CODE)
    ok = doctor.check_helper_code(config.Settings(), lang)
    assert ok.status == doctor.OK and ok.title == ("Helper code" if lang == "en" else "Code de l'aidant")


def test_interactive_install_asks_the_code_twice_and_never_shows_it(tmp_path):
    """`vigie install` on a real terminal (a pty): a bad code is asked again, the code is typed
    twice and never echoed."""
    import pty
    import select
    import time
    vigie = Cli(tmp_path)
    vigie.config.unlink()
    pid, fd = pty.fork()
    if pid == 0:                                            # the child: vigie install on the pty
        os.chdir(ROOT)
        os.execve(sys.executable, [sys.executable, "-m", "agent", "install", "--no-start"], vigie.env)
    seen = b""

    def until(word: str, timeout: float = 60) -> bool:
        nonlocal seen
        end = time.monotonic() + timeout
        while word.encode() not in seen and time.monotonic() < end:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    break
        found = word.encode() in seen
        seen = seen.replace(word.encode(), b"#", 1)            # the next wait looks for the next one
        return found
    try:
        for prompt, answer in (("Language", "en"), ("Country", "FR"), ("belongs to", "Jeanne"),
                               ("person to call", "Marie"), ("phone number", "0600"), ("Your choice", "0"),
                               ("Enter to skip", "12"), ("4 to 8 digits: nothing", None),
                               ("Enter to skip", CODE), ("again", CODE), ("Vigie is installed", None)):
            assert until(prompt), (prompt, seen[-400:])
            if answer is not None:
                os.write(fd, (answer + "\n").encode())
    finally:
        end = time.monotonic() + 60                             # a stuck interview must not hang the suite
        while os.waitpid(pid, os.WNOHANG) == (0, 0) and time.monotonic() < end:
            if select.select([fd], [], [], 0.2)[0]:
                try:
                    seen += os.read(fd, 4096)
                except OSError:
                    pass
        else:
            if time.monotonic() >= end:
                os.kill(pid, 9)
                os.waitpid(pid, 0)
        os.close(fd)
    assert CODE.encode() not in seen                          # typed without echo
    assert helper_code.check(CODE).result == "ok"
    assert (vigie.home / ".config" / "autostart" / "vigie.desktop").exists()
