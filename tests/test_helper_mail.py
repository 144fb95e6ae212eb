"""What the helper reads, received by a real SMTP server on 127.0.0.1: one incident with
three button presses gives two e-mails; short plain-text lines; real HTML (paragraphs, the
facts table, the screenshot inline), rendered by headless Chromium into
build/artefacts/helper-mail-<lang>.png (kept for a person to look at); one vocabulary."""
from __future__ import annotations

import base64
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import pytest
from PIL import Image, ImageDraw

from agent.config import Settings
from agent.respond.helper import messages
from agent.respond.helper.notifier import HelperNotifier
from agent.tomlcompat import tomllib
from tests.test_helper_servers import mail_url, smtp, wait_for  # noqa: F401 - the fixture

ROOT = Path(__file__).resolve().parent.parent
ARTEFACTS = ROOT / "build" / "artefacts"
SCAM = {"family": "tss", "title": "Security Alert - Your computer is locked - Chromium",
        "url": "https://support-windows.example.net/alert?id=88", "phones": ["+1 800-555-0142"],
        "process": "chromium", "incident": "2026-01-05_101200_tss", "score": 0.93,
        "signals": [{"text": "do not restart your computer"}, {"text": "call support now"}]}
PRESSES = [{"action": "close_page", "ok": True}, {"action": "call_helper"}, {"action": "safe"}]


def screenshot(tmp_path: Path) -> Path:
    img = Image.new("RGB", (640, 360), (0, 80, 239))
    d = ImageDraw.Draw(img)
    d.text((30, 40), "Windows Defender - Security Warning", fill="white")
    d.text((30, 80), "Call Microsoft Support: +1 800-555-0142", fill="white")
    path = tmp_path / "screenshot.png"
    img.save(path)
    return path


class Paragraphs(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)


def one_incident(smtp, tmp_path, lang: str):
    url = mail_url(smtp)
    n = HelperNotifier(Settings(language=lang, helper_notify=(url,), helper_attach_screenshot=True,
                                helper_person_name="Jeanne", helper_phone="06 12 34 56 78",
                                helper_heartbeat_hours=0.0))
    shot = screenshot(tmp_path)
    n.notify("scam", {**SCAM, "time": "2026-01-05T10:12:00+01:00"}, attachments=[shot])
    n.flush(timeout=60)
    assert wait_for(lambda: len(smtp.messages) == 1)           # the alert goes at once
    for press in PRESSES:                                        # the person presses three buttons
        n.notify("alert_action", {"incident": SCAM["incident"], **press})
    assert n.flush(timeout=60)["sent"] == 0                      # held: the alert is still open
    n.incident_closed(SCAM["incident"])                          # the alert closes
    n.flush(timeout=60)
    assert wait_for(lambda: len(smtp.messages) == 2)
    n.flush(timeout=10)
    return smtp.messages, shot


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_one_incident_three_presses_two_readable_mails(smtp, tmp_path, lang):
    mails, shot = one_incident(smtp, tmp_path, lang)
    assert len(mails) == 2
    alert, follow = mails
    for mail in mails:
        text = mail.get_body(preferencelist=("plain",)).get_content()
        assert max(len(line) for line in text.splitlines()) <= 100
        html = mail.get_body(preferencelist=("html",)).get_content()
        p = Paragraphs()
        p.feed(html)
        assert p.tags.count("p") >= 3 and "table" in p.tags
    text = " ".join(alert.get_body(preferencelist=("plain",)).get_content().split())
    expected = {"en": ["almost certainly a scam", "+1 800-555-0142 (DO NOT CALL)", SCAM["url"], "Call Jeanne now",
                       "Your number, shown on the alert: 06 12 34 56 78",
                       "Security Alert - Your computer is locked"],
                "fr": ["presque certainement une arnaque", "+1 800-555-0142 (NE PAS APPELER)", SCAM["url"],
                       "Votre numéro, affiché sur l'alerte : 06 12 34 56 78",
                       "Appelez Jeanne maintenant", "Security Alert - Your computer is locked"]}[lang]
    for words in expected:
        assert words in text, words
    follow_text = follow.get_body(preferencelist=("plain",)).get_content()
    labels = {"en": ['"Close this page for me"', '"Call my helper"', "\"I'm safe\""],
              "fr": ["« Fermer cette page pour moi »", "« Appeler mon aidant »", "« Je suis en sécurité »"]}[lang]
    positions = [follow_text.index(label) for label in labels]
    assert positions == sorted(positions)                        # in the order pressed
    render_artefact(alert, lang)


def render_artefact(mail, lang: str, name: str = "helper-mail") -> None:
    """The HTML part as a mail program shows it (inline image resolved), as a PNG:
    build/artefacts/<name>-<lang>.png."""
    exe = shutil.which("chromium") or shutil.which("chromium-browser")
    if not exe:
        pytest.skip("Chromium is not installed")
    html = mail.get_body(preferencelist=("html",)).get_content()
    for part in mail.walk():
        if part.get_content_maintype() == "image":
            cid = part["Content-ID"].strip("<>")
            data = base64.b64encode(part.get_content()).decode()
            html = html.replace(f"cid:{cid}", f"data:{part.get_content_type()};base64,{data}")
    assert "cid:" not in html
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    page = ARTEFACTS / f"{name}-{lang}.html"
    page.write_text(html, encoding="utf-8")
    png = ARTEFACTS / f"{name}-{lang}.png"
    png.unlink(missing_ok=True)
    subprocess.run([exe, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
                    f"--user-data-dir={ARTEFACTS / '.chromium-profile'}", f"--screenshot={png}",
                    "--window-size=800,1500", page.as_uri()], capture_output=True, timeout=120)
    assert png.is_file()
    colours = Image.open(png).convert("RGB").getcolors(1 << 20)
    assert colours and len(colours) > 50                         # text, table and the picture drawn


def quoted(text: str) -> list[str]:
    return re.findall(r"«\s*([^»]+?)\s*»|\"([^\"]+)\"", text)


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_every_quoted_button_label_exists_and_one_name_for_the_helper(lang):
    cat = tomllib.loads((ROOT / "assets" / "i18n" / lang / "helper.toml").read_text(encoding="utf-8"))
    alert = tomllib.loads((ROOT / "assets" / "i18n" / lang / "alert.toml").read_text(encoding="utf-8"))
    buttons = {v.replace("&", "") for k, v in alert.items() if k.startswith("btn_")}
    for key, value in cat.items():
        if not key.startswith("action_"):
            continue
        for a, b in quoted(value):
            assert (a or b) in buttons, f"{key}: {a or b!r} is not a button of the alert"
    # the role has one name in every catalogue: "aidant" / "helper" ("une personne de
    # confiance" when no helper is registered yet, "l'ordinateur d'un proche", are not the role)
    role = {"fr": r"\b(votre|mon|le|au|du|son|ton) proche\b|la personne de confiance",
            "en": r"\b(caregiver|carer|trusted person)\b|\b(your|my|the) relative\b"}[lang]
    for path in sorted((ROOT / "assets" / "i18n" / lang).glob("*.toml")):
        for key, value in tomllib.loads(path.read_text(encoding="utf-8")).items():
            if isinstance(value, str):
                assert not re.search(role, value, re.I), f"{path.name} {key} names the helper otherwise: {value}"


def test_no_person_name_no_machine_user_in_the_words():
    msg = messages.render("scam", SCAM, "en", host="pc-42", msg_id="m1")
    assert "the computer of the person you help" in msg.title
    assert "pc-42" in msg.text and "pc-42" not in msg.title       # the machine's name is one fact only
    msg = messages.render("scam", {**SCAM, "score": 0.55}, "en", msg_id="m1")
    assert "possibly a scam" in msg.text
