"""The page's address (from the browser's session files) goes where the person's helper and
the police need it — the incident folder's verdict.json and the helper's message, in English
and French — and nowhere else. A huge data: address is cut."""
from __future__ import annotations

import json

import pytest

from agent.detect.behaviour import Behaviour
from agent.detect.pipeline import Detector
from agent.respond.evidence import store
from agent.respond.helper import messages
from agent.watch import page_address

URL = "http://45.77.12.34/alerte/index.html?id=7"


def test_address_in_the_incident_folder():
    v = Detector("eng").scan_text("Windows Defender\nYour computer is blocked\nCall 1-800-555-0199", source="web",
                                  behaviour=Behaviour(page_url=URL))
    folder = store.save_incident(v)
    saved = json.loads((folder / "verdict.json").read_text(encoding="utf-8"))
    assert saved["page_url"] == URL and saved["features"]["url_ip_host"] == 1.0


@pytest.mark.parametrize("lang, label", [("en", "Page address"), ("fr", "Adresse de la page")])
def test_address_in_the_helper_message(lang, label):
    m = messages.render("scam", {"family": "tss", "score": 0.9, "title": "Alerte", "page_url": URL}, lang)
    assert label in m.text and URL in m.text and URL.replace("&", "&amp;") in m.html


def test_a_huge_data_address_is_cut(monkeypatch):
    class W:
        pid, title = 1, "x"
    monkeypatch.setattr("agent.platform.browser_profiles.profile_of", lambda pid: type("P", (), {"family": "chromium", "path": None})())
    monkeypatch.setattr(page_address, "open_tabs", lambda family, path, since=0.0: [("data:text/html," + "A" * 100000, "")])
    url = page_address.address_of(W())
    assert url.startswith("data:text/html,AAA") and len(url) <= page_address.MAX_URL + 1
