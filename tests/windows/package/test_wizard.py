"""The Windows installer's helper pages, driven as a son would on his mother's computer: the
real setup.exe, not silent, in the Wine desktop; the language chosen in its dialog, each
page waited for by its title, the fields clicked and typed into with the real X pointer and
keyboard (xdotool), Next/Install/Finish pressed; screenshots of the filled pages in the
lane's artefacts. Then what it did: the test message received by a loopback SMTP server that
demands the password; the settings without the password; the password in the Windows
Credential Manager (read back by a direct CredEnumerateW, not only through ``keyring``); the
helper code set; Vigie running (vigiew.exe) and ``vigie doctor`` saying it protects."""
from __future__ import annotations

import ctypes
import json
import os
import re
import shutil
import subprocess
import threading
from ctypes import wintypes as w
from http.server import ThreadingHTTPServer
from urllib.parse import unquote

import psutil
import pytest

from agent.install import winrun
from tests.test_helper_servers import NtfyStandIn, SmtpServer
from tests.waiting import wait_for
from tests.windows import xdo
from tests.windows.harness import artefact
from tests.windows.package.test_package import APP, DATA, SETUP, installed_agents

PASSWORD = "app-Pw-7731!secret"
CODE = "730591"
ADDRESS = "marc.dupont@vigie-test.invalid"       # a domain nobody knows: the server is typed
WIZARD = re.compile(r"^(Setup|Installation) - Vigie")
LANGUAGE_DIALOG = ("Select Setup Language", "Langue de l'assistant d'installation")
PAGES = {  # what the son reads, per language (vigie.iss's [CustomMessages] and Inno's own)
    "fr": {"choice": "Français", "channel": "Prévenir l'aidant",
           "mail": "L'adresse e-mail de l'aidant", "phone": "Sur le téléphone de l'aidant", "code": "Le code de l'aidant", "next": "suivant",
           "install": "installer", "finished": "Fin de l'installation de Vigie", "finish": "terminer",
           "accepted": "Le message d'essai a été accepté", "protecting": "Vigie protège cet ordinateur"},
    "en": {"choice": "English", "channel": "Warning the helper",
           "mail": "The helper's e-mail address", "phone": "On the helper's phone", "code": "The helper's code", "next": "next",
           "install": "install", "finished": "Completing the Vigie Setup Wizard", "finish": "finish",
           "accepted": "The test message was accepted", "protecting": "Vigie is protecting"},
}


def _clean_slate():
    for p in installed_agents():
        p.kill()
    wait_for(lambda: not installed_agents(), 30)
    winrun.uninstall()
    shutil.rmtree(DATA, ignore_errors=True)
    for target, _user, _blob in vigie_credentials():
        ctypes.windll.advapi32.CredDeleteW(target, 1, 0)


class CREDENTIALW(ctypes.Structure):
    _fields_ = [("Flags", w.DWORD), ("Type", w.DWORD), ("TargetName", w.LPWSTR), ("Comment", w.LPWSTR),
                ("LastWritten", w.FILETIME), ("CredentialBlobSize", w.DWORD),
                ("CredentialBlob", ctypes.POINTER(ctypes.c_ubyte)), ("Persist", w.DWORD),
                ("AttributeCount", w.DWORD), ("Attributes", ctypes.c_void_p), ("TargetAlias", w.LPWSTR),
                ("UserName", w.LPWSTR)]


def vigie_credentials() -> list[tuple[str, str, str]]:
    """(target, user name, secret) of the generic credentials keyring wrote for service
    "vigie" (target "vigie" or "KEY@vigie"), read straight from advapi32's CredEnumerateW."""
    count, creds = w.DWORD(), ctypes.POINTER(ctypes.POINTER(CREDENTIALW))()
    adv = ctypes.windll.advapi32
    if not adv.CredEnumerateW(None, 0, ctypes.byref(count), ctypes.byref(creds)):
        return []          # ERROR_NOT_FOUND: none at all
    out = []
    try:
        for i in range(count.value):
            c = creds[i].contents
            if c.TargetName == "vigie" or (c.TargetName or "").endswith("@vigie"):
                blob = bytes(c.CredentialBlob[:c.CredentialBlobSize]).decode("utf-16-le", "replace")
                out.append((c.TargetName, c.UserName or "", blob))
    finally:
        adv.CredFree(creds)
    return out


class Wizard:
    """setup.exe's windows, seen and driven from outside as a person would."""

    def __init__(self, proc: subprocess.Popen, lang: str):
        self.proc, self.lang, self.p = proc, lang, PAGES[lang]

    def window(self, pattern, timeout=120.0) -> xdo.Control:
        """A visible window of setup whose title matches ``pattern``; a message box that
        comes instead fails the test with its words (and a screenshot)."""
        def find():
            for win in xdo.windows():
                if (pattern.search(win.text) if hasattr(pattern, "search") else win.text in pattern):
                    return win
            return None
        found = wait_for(find, timeout, 0.2)
        if not found:
            self.shot("wizard-stuck")
            raise AssertionError(f"no window {pattern!r}; there are {[x.text for x in xdo.windows()]}")
        return found

    def page(self, title: str, timeout=120.0) -> xdo.Control:
        """The wizard once it shows the page called ``title``."""
        def shown():
            wiz = self.window(WIZARD, 5)
            return wiz if any(c.text.strip() == title for c in xdo.controls(wiz)) else None
        found = wait_for(shown, timeout, 0.2)
        if not found:
            self.shot("wizard-stuck")
            boxes = [(b.text, [c.text for c in xdo.controls(b)]) for b in xdo.windows() if not WIZARD.search(b.text)]
            raise AssertionError(f"page {title!r} not shown; windows: {boxes}")
        return found

    def press(self, wiz: xdo.Control, label: str) -> None:
        button = next((c for c in xdo.controls(wiz) if xdo.plain(c.text) == label), None)
        assert button, (label, xdo.controls(wiz))
        button.click()

    def fill(self, wiz: xdo.Control, *values: str) -> list[xdo.Control]:
        """Click each field of the page in turn and type into it."""
        fields = [c for c in xdo.controls(wiz) if "Edit" in c.cls]
        assert len(fields) >= len(values), fields
        for field, value in zip(fields, values):
            field.click()
            xdo.key("ctrl+a", "BackSpace")
            if value:
                xdo.type_text(value)
        return fields

    def close(self) -> None:
        """Setup's windows belong to a second process (setup.tmp): end both if still there."""
        left = [win for win in xdo.windows() if WIZARD.search(win.text) or win.text in LANGUAGE_DIALOG]
        if left or self.proc.poll() is None:
            self.shot("wizard-left-open")
        for pid in {win.pid for win in left}:
            try:
                psutil.Process(pid).kill()
            except psutil.Error:
                pass
        if self.proc.poll() is None:
            self.proc.kill()

    def shot(self, name: str) -> None:
        xdo.screenshot(artefact(f"{name}-{self.lang}.png"))


@pytest.fixture
def clean():
    _clean_slate()
    yield
    _clean_slate()


@pytest.fixture
def smtp(clean):
    server = SmtpServer(password=PASSWORD).start()
    yield server
    server.stop()


def _choose_language(wiz: Wizard) -> None:
    dialog = wiz.window(LANGUAGE_DIALOG)
    combo = next(c for c in xdo.controls(dialog) if "Combo" in c.cls)
    combo.click()                                    # the list opens; the first letter picks
    xdo.key(wiz.p["choice"][0].lower(), "Return")
    wait_for(lambda: wiz.p["choice"] in xdo.Control(combo.hwnd).text, 20)
    wiz.shot("wizard-language")
    wiz.press(xdo.Control(dialog.hwnd), "ok")


def _through_the_wizard(lang: str, choice: int, channel_page, code: str, *options: str) -> str:
    """setup.exe OPTIONS driven from the language dialog to Finish: the channel ``choice``
    (0 e-mail, 1 phone), its page filled by ``channel_page(wiz)``, the code page (``code``
    typed twice, or left empty); returns what the last page says."""
    assert SETUP and os.path.isfile(SETUP), f"VIGIE_WINE_SETUP={SETUP!r}: the lane builds setup.exe first"
    proc = subprocess.Popen([SETUP, *options], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    wiz = Wizard(proc, lang)
    p = wiz.p
    try:
        _choose_language(wiz)
        page = wiz.page(p["channel"])
        options_list = next(c for c in xdo.controls(page) if "ListBox" in c.cls)
        options_list.click_item(choice)
        wiz.press(page, p["next"])
        channel_page(wiz)
        page = wiz.page(p["code"])
        fields = wiz.fill(page, code, code)
        assert all("Password" in f.cls for f in fields), fields       # typed hidden
        wiz.shot("wizard-code")
        wiz.press(page, p["install"])              # no "ready" page: this page's button installs
        page = wiz.page(p["finished"], timeout=900)
        wiz.shot("wizard-finished")
        said = "\n".join(c.text for c in xdo.controls(page))
        wiz.press(page, p["finish"])
        assert wait_for(lambda: proc.poll() is not None, 120), "setup did not end after Finish"
        return said
    finally:
        wiz.close()


def _vigie_protects(lang: str) -> None:
    """vigiew.exe runs, and ``vigie doctor`` says it protects (exit status 0)."""
    from agent import agent_status
    assert wait_for(installed_agents, 120), "vigiew.exe is not running"
    assert wait_for(lambda: agent_status.read()["running"], 240), agent_status.read()
    r = subprocess.run([os.path.join(APP, "vigie.exe"), "doctor", "--json"], stdin=subprocess.DEVNULL,
                       capture_output=True, text=True, encoding="utf-8", timeout=300)
    data = json.loads(r.stdout)
    assert r.returncode == 0 and data["running"] is True and PAGES[lang]["protecting"] in data["verdict"], \
        r.stdout[-1500:]


@pytest.mark.parametrize("lang", ["fr"])
def test_wizard_by_e_mail_with_an_app_password_then_vigie_protects(smtp, lang):
    def mail_page(wiz):
        page = wiz.page(wiz.p["mail"])
        fields = wiz.fill(page, ADDRESS, PASSWORD, f"127.0.0.1:{smtp.port}")
        assert "Password" in fields[1].cls, fields          # typed hidden
        wiz.shot("wizard-mail")
        wiz.press(page, wiz.p["next"])
    said = _through_the_wizard(lang, 0, mail_page, CODE)
    assert PAGES[lang]["accepted"] in said, said            # the last page says the test message went
    # the test message, sent with the password typed on the page, reached the server that demands it
    assert wait_for(lambda: smtp.messages, 60), "no test message"
    (msg,) = smtp.messages
    assert msg["To"] == ADDRESS and ("essai" in msg["Subject"].lower() or "test" in msg["Subject"].lower())
    # the settings name the address but hold neither the password nor the code
    with open(os.path.join(DATA, "config.toml"), encoding="utf-8") as f:
        config_text = f.read()
    assert "marc.dupont" in config_text and PASSWORD not in config_text and CODE not in config_text
    # the password is in the Windows Credential Manager, under the reference the settings name
    ref = re.search(r"\{secret:([0-9a-f]+)\}", config_text)
    assert ref, config_text
    creds = vigie_credentials()
    # (kept as it stands in the address: URL-encoded, "!" as "%21")
    assert (ref.group(1), PASSWORD) in [(user, unquote(blob)) for _t, user, blob in creds], creds
    assert not os.path.exists(os.path.join(DATA, "secrets.toml")), "the password went to the file fallback"
    from agent import helper_code
    assert helper_code.is_set() and helper_code.check(CODE).result == "ok"
    _vigie_protects(lang)


@pytest.mark.parametrize("lang", ["en"])
def test_wizard_by_phone_push_through_ntfy_then_vigie_protects(clean, lang):
    NtfyStandIn.received = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), NtfyStandIn)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}"
    shown = {}

    def phone_page(wiz):
        page = wiz.page(wiz.p["phone"])
        text = "\n".join(c.text for c in xdo.controls(page))
        shown["topic"] = re.search(r"vigie-[0-9a-f]{20}", text).group(0)
        assert f"{base}/{shown['topic']}" in text, text         # the link to open on the phone
        wiz.shot("wizard-phone")
        wiz.press(page, wiz.p["next"])
    try:
        said = _through_the_wizard(lang, 1, phone_page, "", f"/NTFYSERVER={base}")
        assert PAGES[lang]["accepted"] in said, said
        assert wait_for(lambda: NtfyStandIn.received, 60), "nothing published"
        path, body = NtfyStandIn.received[0]
        assert shown["topic"] in path + body
        with open(os.path.join(DATA, "config.toml"), encoding="utf-8") as f:
            assert shown["topic"] not in f.read()              # the topic is a secret: Credential Manager
        blobs = [blob for _t, _u, blob in vigie_credentials()]
        assert any(len(b) >= 20 and b in shown["topic"] for b in blobs), blobs
        _vigie_protects(lang)
    finally:
        server.shutdown()
        server.server_close()


def _message_box(words: str, timeout: float = 300.0) -> xdo.Control:
    """A visible window that has a control saying ``words``."""
    found = wait_for(lambda: next((win for win in xdo.windows()
                                   if any(words in c.text for c in xdo.controls(win))), None), timeout, 0.3)
    assert found, (words, [(x.text, [c.text for c in xdo.controls(x)]) for x in xdo.windows()])
    return found


def _press_any(win: xdo.Control, *labels: str) -> None:
    button = next((c for c in xdo.controls(win) if xdo.plain(c.text) in labels), None)
    assert button, (labels, xdo.controls(win))
    button.click()


def uninstallers() -> list:
    """Inno's uninstaller: unins000.exe hands over to a copy of itself in %TEMP% (_iu….tmp)."""
    from agent.platform import winproc
    out = []
    for proc in psutil.process_iter():
        try:
            name = winproc.describe(proc.pid)[0].lower()
        except psutil.Error:
            continue
        if name == "unins000.exe" or (name.startswith("_iu") and name.endswith(".tmp")):
            out.append(proc)
    return out


def test_uninstaller_asks_the_helper_code_and_refuses_without_it(clean):
    """A scammer dictating clicks cannot remove Vigie: where a helper code is set, the
    uninstaller asks for it (hidden); a wrong code, or none in a silent uninstall, removes
    nothing and Vigie goes on; the right code then "No" to Inno Setup's own question leaves
    Vigie as it was (running, started at log-on); the right code and "Yes" remove it."""
    lang = "fr"
    r = subprocess.run([SETUP, "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART", "/LANG=french", "/VIGIELANG=fr",
                        f"/HELPERCODE={CODE}"], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=900)
    assert r.returncode == 0, r
    from agent import helper_code
    assert helper_code.is_set() and helper_code.check(CODE).result == "ok"   # /HELPERCODE, handed over in a file
    uninstaller = os.path.join(APP, "unins000.exe")
    r = subprocess.run([uninstaller, "/VERYSILENT", "/SUPPRESSMSGBOXES", "/NORESTART"], stdin=subprocess.DEVNULL,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    assert wait_for(lambda: not uninstallers(), 300), "the silent uninstaller did not end"
    assert os.path.isfile(os.path.join(APP, "vigie.exe")) and winrun.command(), "silent, no code: nothing removed"
    wiz = Wizard(subprocess.Popen([uninstaller], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL), lang)
    try:
        for typed, right in (("0000", False), (CODE, True)):
            if right:
                wiz.proc = subprocess.Popen([uninstaller], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                            stderr=subprocess.DEVNULL)
            ask = wiz.window(("Désinstaller Vigie",), timeout=120)
            (field,) = [c for c in xdo.controls(ask) if "Edit" in c.cls]
            assert "Password" in field.cls, field
            field.click()
            xdo.type_text(typed)
            wiz.shot("uninstall-code" + ("" if right else "-wrong"))
            _press_any(ask, "ok")
            if not right:
                box = _message_box("PAS été désinstallé")
                wiz.shot("uninstall-refused")
                _press_any(box, "ok")
                assert wait_for(lambda: not uninstallers(), 120), "the uninstaller did not end after OK"
                assert os.path.isfile(os.path.join(APP, "vigie.exe")) and winrun.command(), "wrong code: nothing removed"
                assert installed_agents(), "wrong code: Vigie goes on"
        # the right code, then "No" to Inno Setup's own question: Vigie stays as it was
        confirm = _message_box("désinstaller complètement")
        _press_any(confirm, "non", "no")
        assert wait_for(lambda: not uninstallers(), 120), "the uninstaller did not end after No"
        assert os.path.isfile(os.path.join(APP, "vigie.exe")) and winrun.command(), "No: nothing removed"
        assert installed_agents(), "No: Vigie goes on"
        wiz.proc = subprocess.Popen([uninstaller], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
        ask = wiz.window(("Désinstaller Vigie",), timeout=120)
        (field,) = [c for c in xdo.controls(ask) if "Edit" in c.cls]
        field.click()
        xdo.type_text(CODE)
        _press_any(ask, "ok")
        confirm = _message_box("désinstaller complètement")
        _press_any(confirm, "oui", "yes")
        done = _message_box("correctement désinstallé", timeout=600)
        wiz.shot("uninstall-done")
        _press_any(done, "ok")
        assert wait_for(lambda: not os.path.exists(os.path.join(APP, "vigie.exe")), 300), os.listdir(APP)
        assert winrun.command() is None and not installed_agents()
    finally:
        wiz.close()
        for proc in uninstallers():
            proc.kill()
