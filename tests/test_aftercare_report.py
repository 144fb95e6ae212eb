"""The aftercare report's words (pure), in English and French, and the helper's message."""
from agent.respond.aftercare import report
from agent.respond.helper import messages

CHANGES = {
    "programs": {"added": {"dpkg:anydesk": "anydesk 6.3.0"}, "removed": {}, "problems": []},
    "autostart": {"added": {"xdg-user:h.desktop": "Windows Helper"}, "removed": {"xdg-user:n": "Nextcloud"}, "problems": []},
    "services": {"added": {}, "removed": {}, "problems": []},
    "scheduled": {"added": {}, "removed": {}, "problems": ["cron: OSError: crontab unreadable"]},
    "extensions": {"added": {}, "removed": {}, "problems": []},
    "files": {"added": {"file:/d:f": "facture.pdf (Downloads)"}, "removed": {"file:/d:g": "old.txt (Downloads)"},
              "problems": []},
}
CONN = [{"time": "2026-12-02 10:14", "remote_id": "482913570", "remote_ip": "203.0.113.77", "auth": "Passwd",
         "remote_name": "Support"}]


def render(lang, **kw):
    args = dict(tool="AnyDesk", changes=CHANGES, connections=CONN, earlier=[], still_running=["AnyDesk"],
                start="2026-12-02T10:10:00+01:00", end="2026-12-02T10:40:00+01:00", ended=True, lang=lang,
                host="salon", user="mamie", incident="20261202-101000-remote_session-abc123", country="FR")
    args.update(kw)
    return report.render(**args)


def test_english_report():
    text = render("en")
    assert "after the remote session with AnyDesk" in text
    assert "- 2026-12-02 10:14: AnyDesk ID 482913570, name \"Support\", address 203.0.113.77, let in by: Passwd" in text
    assert "- Installed: anydesk 6.3.0" in text and "- Started at log-on: Windows Helper" in text
    assert "- Started at log-on — Removed: Nextcloud" in text
    assert "old.txt" not in text, "files taken away are not listed"
    assert "Could not be checked: scheduled tasks (cron: OSError: crontab unreadable)." in text
    assert "Still running: AnyDesk." in text and "2026-12-02 10:10" in text
    assert "1. Uninstall AnyDesk" in text and "Call your bank" in text and "change" in text.lower()


def test_french_report_and_official_channels():
    text = render("fr")
    assert "- Installé : anydesk 6.3.0" in text and "accepté par : Passwd" in text
    assert "Toujours en marche : AnyDesk." in text and "Appelez votre banque" in text
    assert "17cyber.gouv.fr" in text or "Info Escroqueries" in text, "France's official channels"


def test_nothing_found_is_said_plainly():
    empty = {c: {"added": {}, "removed": {}, "problems": []} for c in CHANGES}
    text = render("en", changes=empty, connections=[], still_running=[])
    assert "No connection was found in AnyDesk's logs" in text
    assert "Nothing was installed or set to start during the session." in text
    assert "AnyDesk is no longer running." in text and "Remove what was installed" not in text
    assert report.summary(empty) == {}
    assert report.summary(CHANGES) == {"programs": ["anydesk 6.3.0"], "autostart": ["Windows Helper"],
                                       "files": ["facture.pdf (Downloads)"]}


def test_helper_message():
    data = {"tool": "anydesk", "name": "AnyDesk", "incident": "20261202-104000-aftercare-def456", "text": render("fr")}
    msg = messages.render("aftercare", data, "fr", host="salon", person="Mamie", msg_id="m1")
    body = " ".join(msg.text.split())
    assert msg.title == "Vigie : ce que la session à distance a laissé sur l'ordinateur de Mamie"
    assert "482913570" in body and "20261202-104000-aftercare-def456" in body and "m1" in body
    assert max(len(line) for line in msg.text.splitlines()) <= 100 and "482913570" in msg.html
    title_en = messages.render("aftercare", data, "en", host="salon", person="Mamie").title
    assert title_en == "Vigie: what the remote session left on Mamie's computer"


def test_a_tool_whose_log_vigie_does_not_read():
    empty = {c: {"added": {}, "removed": {}, "problems": []} for c in CHANGES}
    text = render("en", tool="RustDesk", changes=empty, connections=[], logs_known=False)
    assert "Vigie does not read RustDesk's own connection log yet" in text
    assert "journal de connexions du programme RustDesk" in render("fr", tool="RustDesk", changes=empty,
                                                                   connections=[], logs_known=False)
