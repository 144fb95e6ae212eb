"""Evidence folders: complete, atomic, verifiable, exportable, never deleted silently."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pytest
from PIL import Image, ImageDraw

from agent import cli, events, paths
from agent.detect.verdict import Signal, Verdict
from agent.respond.evidence import store as evidence

EXPECTED = {"screenshot.png", "text.txt", "verdict.json", "window.json", "manifest.json"}


def make_verdict(family="tss") -> Verdict:
    return Verdict("scam", family, 0.93, phones=["+1-800-555-0142"], phones_e164=["+18005550142"],
                   signals=[Signal("brand", "tss", 0.3, "Windows Defender", "en"),
                            Signal("call", "tss", 0.4, "call support now", "en")],
                   lang="en", ms=412.0, text="Your computer is blocked. Call support now +1-800-555-0142")


def make_image() -> Image.Image:
    img = Image.new("RGB", (320, 200), "#0050ef")
    ImageDraw.Draw(img).text((10, 80), "Call +1-800-555-0142", fill="white")
    return img


def make_window(pid=None):
    return SimpleNamespace(id=0x600002, title="Alert - Test page", pid=pid or os.getpid(), process_name="python",
                           exe=sys.executable, x=0, y=0, width=1920, height=1080, monitor=(0, 0, 1920, 1080),
                           fullscreen=True, maximized=False, wm_class="Chromium")


def test_incident_folder_is_complete_and_verifiable():
    when = dt.datetime(2024, 5, 17, 14, 3, 9).astimezone()
    folder = evidence.save_incident(make_verdict(), make_image(), make_window(), {"source": "fullscreen"}, when=when)
    assert folder.parent == paths.evidence_dir()
    assert folder.name.startswith("20240517-140309-tss-") and len(folder.name.split("-")[-1]) == 6
    assert {p.name for p in folder.iterdir()} == EXPECTED
    assert evidence.verify(folder) == []
    manifest = json.loads((folder / "manifest.json").read_text())
    assert manifest["family"] == "tss" and manifest["phones"] == ["+18005550142"]
    assert manifest["time"].startswith("2024-05-17T14:03:09")
    for name, meta in manifest["files"].items():
        assert hashlib.sha256((folder / name).read_bytes()).hexdigest() == meta["sha256"]
    assert Image.open(folder / "screenshot.png").size == (320, 200)
    assert "Call support now" in (folder / "text.txt").read_text()
    verdict = json.loads((folder / "verdict.json").read_text())
    assert verdict["family"] == "tss" and "brand:tss:Windows Defender" in verdict["signals"]
    win = json.loads((folder / "window.json").read_text())
    assert win["window"]["title"] == "Alert - Test page" and win["window"]["fullscreen"] is True
    assert win["process"]["pid"] == os.getpid() and win["process"]["cmdline"]
    assert win["trigger"] == {"source": "fullscreen"}
    assert not [p for p in paths.evidence_dir().iterdir() if p.name.startswith(".")]


def test_text_scan_without_image_or_window():
    folder = evidence.save_incident(make_verdict("summons"), None, None, None)
    assert {p.name for p in folder.iterdir()} == EXPECTED - {"screenshot.png"}
    assert evidence.verify(folder) == []
    assert json.loads((folder / "window.json").read_text())["window"] is None


def test_tampering_and_missing_files_are_reported():
    folder = evidence.save_incident(make_verdict(), make_image(), make_window(), None)
    (folder / "text.txt").write_text("changed")
    (folder / "screenshot.png").unlink()
    (folder / "extra.txt").write_text("x")
    problems = evidence.verify(folder)
    assert any("text.txt has changed" in p for p in problems)
    assert any("screenshot.png is missing" in p for p in problems)
    assert any("extra.txt is not in the manifest" in p for p in problems)
    (folder / "manifest.json").write_text("{not json")
    assert "manifest.json is missing or unreadable" in evidence.verify(folder)[0]


def test_failed_write_leaves_no_incident_and_raises_clearly(tmp_path):
    paths.data_dir().mkdir(parents=True)
    paths.evidence_dir().write_text("a file where the folder should be")
    with pytest.raises(evidence.EvidenceError, match="cannot write incident"):
        evidence.save_incident(make_verdict(), make_image(), None, None)
    assert paths.evidence_dir().is_file()


def test_half_written_incident_is_never_listed():
    good = evidence.save_incident(make_verdict(), None, None, None)
    (paths.evidence_dir() / ".tmp-20240101-000000-tss-abcdef").mkdir()      # a crash mid-write
    assert [i.id for i in evidence.list_incidents()] == [good.name]


def test_find_by_full_name_short_id_and_prefix():
    a = evidence.save_incident(make_verdict(), None, None, None)
    b = evidence.save_incident(make_verdict("sextortion"), None, None, None)
    assert evidence.find(a.name).path == a
    assert evidence.find(b.name.split("-")[-1]).path == b
    with pytest.raises(LookupError) as err:
        evidence.find(a.name[:8])          # same second prefix: ambiguous
    assert sorted(err.value.args[0]) == sorted([a.name, b.name])
    with pytest.raises(LookupError):
        evidence.find("nothing")


def test_prune_logs_every_removal_and_zero_keeps_forever():
    now = dt.datetime.now().astimezone()
    old = evidence.save_incident(make_verdict(), None, None, None, when=now - dt.timedelta(days=400))
    new = evidence.save_incident(make_verdict(), None, None, None, when=now - dt.timedelta(days=3))
    assert evidence.prune(0) == []
    assert old.exists()
    assert evidence.prune(365, now=now) == [old.name]
    assert not old.exists() and new.exists()
    expired = [e for e in events.read() if e["type"] == "evidence_expired"]
    assert [e["incident"] for e in expired] == [old.name] and expired[0]["retention_days"] == 365


def test_cli_list_verify_export(tmp_path, capsys):
    assert cli.main(["evidence", "list"]) == 0
    assert "No incident" in capsys.readouterr().out
    folder = evidence.save_incident(make_verdict(), make_image(), make_window(), None)
    assert cli.main(["evidence", "list"]) == 0
    out = capsys.readouterr().out
    assert folder.name in out and "intact" in out and "+18005550142" in out
    assert cli.main(["evidence", "verify", folder.name]) == 0
    out_zip = tmp_path / "police.zip"
    assert cli.main(["evidence", "export", folder.name.split("-")[-1], "--out", str(out_zip)]) == 0
    assert str(out_zip) in capsys.readouterr().out
    with zipfile.ZipFile(out_zip) as z:
        names = set(z.namelist())
        assert names == {f"{folder.name}/{n}" for n in EXPECTED | {"README.txt"}}
        manifest = json.loads(z.read(f"{folder.name}/manifest.json"))
        for name, meta in manifest["files"].items():
            assert hashlib.sha256(z.read(f"{folder.name}/{name}")).hexdigest() == meta["sha256"]
        assert "+18005550142" in z.read(f"{folder.name}/README.txt").decode()
    assert not list(tmp_path.glob(".*.tmp"))


def test_what_the_person_pressed_and_the_page_returns_stay_in_one_checked_incident(tmp_path, capsys):
    """timeline.add: the answers and each return (with its screenshot) go into the same
    folder, the manifest follows, and the export's README says it in the person's words."""
    from agent.respond.evidence import timeline
    folder = evidence.save_incident(make_verdict(), make_image(), make_window(), None)
    assert timeline.add(folder.name, {"what": "pressed", "action": "safe"})
    shot = evidence.png_bytes(make_image())
    assert timeline.add(folder, {"what": "page_back", "count": 1, "screenshot": "return-1.png"},
                        {"return-1.png": shot})
    assert evidence.verify(folder) == []
    facts = timeline.read(folder)
    assert [f["what"] for f in facts] == ["pressed", "page_back"] and all(f["time"] for f in facts)
    assert timeline.returns(folder) == 1 and (folder / "return-1.png").read_bytes() == shot
    assert [i.id for i in evidence.list_incidents()] == [folder.name]      # still one incident
    out_zip = tmp_path / "police.zip"
    assert cli.main(["evidence", "export", folder.name, "--out", str(out_zip)]) == 0
    with zipfile.ZipFile(out_zip) as z:
        readme = z.read(f"{folder.name}/README.txt").decode()
    assert "timeline.jsonl" in readme and "[tss]" in readme
    assert "Kind: fake technical support (a page that pretends" in readme


def test_cli_export_of_damaged_incident_warns_and_unknown_id_fails(tmp_path, capsys):
    folder = evidence.save_incident(make_verdict(), None, None, None)
    (folder / "text.txt").write_text("edited")
    assert cli.main(["evidence", "export", folder.name, "--out", str(tmp_path / "x.zip")]) == 1
    err = capsys.readouterr().err
    assert "text.txt has changed" in err and (tmp_path / "x.zip").is_file()
    assert cli.main(["evidence", "verify", folder.name]) == 1
    assert cli.main(["evidence", "export", "nope"]) == 2
    assert "no incident matches" in capsys.readouterr().err
    assert cli.main(["evidence", "export", folder.name, "--out", str(tmp_path / "no" / "such" / "x.zip")]) == 2
    assert "Cannot write" in capsys.readouterr().err


def test_cli_in_french(tmp_path, capsys):
    cfg = paths.config_file()
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('language = "fr"\n')
    assert cli.main(["evidence", "list"]) == 0
    assert "Aucun incident" in capsys.readouterr().out


def test_cli_runs_as_a_real_process(tmp_path):
    evidence.save_incident(make_verdict(), None, None, None)
    root = Path(__file__).resolve().parent.parent
    out = subprocess.run([sys.executable, "-m", "agent", "evidence", "list"], cwd=root, capture_output=True,
                         text=True, timeout=60, env=dict(os.environ))
    assert out.returncode == 0 and "-tss-" in out.stdout


def test_responder_prunes_with_the_configured_retention():
    from agent.config import Settings
    from agent.respond.responder import Responder
    now = dt.datetime.now().astimezone()
    old = evidence.save_incident(make_verdict(), None, None, None, when=now - dt.timedelta(days=10))
    assert Responder(Settings(evidence_retention_days=0)).prune_evidence() == []
    assert Responder(Settings(evidence_retention_days=7)).prune_evidence() == [old.name]
    assert [e["type"] for e in events.read()] == ["evidence_expired"]


def test_running_agent_removes_expired_evidence_soon_after_start(tmp_path):
    """The retention setting is applied by the agent itself (it was only a method nobody called)."""
    from agent.app import Agent
    from agent.config import Settings
    from agent.platform.fake import FakeBackend
    from agent.respond.responder import Responder
    from tests.waiting import wait_for
    now = dt.datetime.now().astimezone()
    old = evidence.save_incident(make_verdict(), None, None, None, when=now - dt.timedelta(days=10))
    recent = evidence.save_incident(make_verdict(), None, None, None, when=now - dt.timedelta(days=2))
    settings = Settings(language="en", evidence_retention_days=7, clipboard_guard=False)
    agent = Agent(settings, responder=Responder(settings), backend=FakeBackend([]), downloads_dir=tmp_path / "dl")
    agent.start()
    try:
        assert wait_for(lambda: not old.exists(), 30, 0.1)
        assert recent.exists()
        assert [e["incident"] for e in events.read() if e["type"] == "evidence_expired"] == [old.name]
    finally:
        agent.stop()
