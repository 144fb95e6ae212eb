"""After a remote session, end to end: the real agent (Agent, real Responder, helper
outbox), a fake AnyDesk (a renamed copy of bash) that writes its connection log in
AnyDesk's format, installs a package and autostart entries during its "session" and
exits; the incident holds the remote ID and address, and the aftercare report lists
exactly what was added. Then ``vigie aftercare`` on demand, as a real process."""
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from agent import events
from agent.app import Agent
from agent.config import Settings
from agent.platform.fake import FakeBackend
from agent.respond.aftercare import readers_linux, snapshot
from agent.respond.evidence import store as evidence
from tests.waiting import wait_event, wait_for

ROOT = Path(__file__).resolve().parent.parent
PKG = "vigie-aftercare-test"

SESSION = r"""
while [ ! -e "$GO" ]; do sleep 0.05; done
mkdir -p "$HOME/.anydesk" "$HOME/.config/autostart" "$HOME/.config/systemd/user/default.target.wants"
printf 'Incoming \t2026-12-02, 10:14\tUser\t482913570\t482913570\n' >> "$HOME/.anydesk/connection_trace.txt"
printf '   info 2026-12-02 10:14:37.918        lsvc   6120   6200   21                anynet.any_socket - Client-ID: 482913570 (FPR: 3c0ffee12a4b).\n' >> "$HOME/.anydesk/anydesk.trace"
printf '   info 2026-12-02 10:14:37.918        lsvc   6120   6200   21                anynet.any_socket - Logged in from 203.0.113.77:50644 on relay 7b1e22aa.\n' >> "$HOME/.anydesk/anydesk.trace"
printf '[Desktop Entry]\nType=Application\nName=Windows Security Helper\nExec=/tmp/helper\n' > "$HOME/.config/autostart/security-helper.desktop"
printf '[Service]\nExecStart=/tmp/updater\n' > "$HOME/.config/systemd/user/updater.service"
ln -s ../updater.service "$HOME/.config/systemd/user/default.target.wants/updater.service"
echo 'refund form' > "$HOME/Downloads/Remboursement.pdf"
if [ -n "$DEB" ] && dpkg -i "$DEB" > "$HOME/dpkg.log" 2>&1; then touch "$HOME/dpkg.ok"; fi
exit 0
"""


def tiny_deb(tmp_path: Path) -> Path | None:
    """A package with no files, made with dpkg-deb (installed only as root)."""
    if os.geteuid() != 0 or not shutil.which("dpkg-deb") or not Path("/var/lib/dpkg/status").exists():
        return None
    src = tmp_path / "deb" / "DEBIAN"
    src.mkdir(parents=True)
    (src / "control").write_text(f"Package: {PKG}\nVersion: 1.0\nArchitecture: all\n"
                                 "Maintainer: Vigie tests <tests@vigie.invalid>\nDescription: aftercare test\n")
    out = tmp_path / f"{PKG}.deb"
    subprocess.run(["dpkg-deb", "--build", str(src.parent), str(out)], check=True, capture_output=True)
    return out


def dpkg_installed() -> dict:
    return readers_linux.dpkg(snapshot.Context())


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    for d in ("Downloads", "Desktop", ".config"):
        (h / d).mkdir(parents=True)
    monkeypatch.setenv("HOME", str(h))
    yield h
    if (h / "dpkg.ok").exists():
        subprocess.run(["dpkg", "--purge", PKG], capture_output=True, timeout=120)


def test_a_remote_session_leaves_a_report_with_who_and_what(home, tmp_path, monkeypatch):
    from agent.respond.helper.notifier import HelperNotifier
    from agent.respond.responder import Responder
    monkeypatch.delenv("DISPLAY", raising=False)        # the question window may fail: not the point here
    settings = Settings(language="en", ocr_languages="eng", helper_notify=("json://127.0.0.1:9/vigie",))
    notifier = HelperNotifier(settings)                  # not started: its messages wait in the outbox
    responder = Responder(settings, notifier)
    deb = tiny_deb(tmp_path)
    dpkg_before = dpkg_installed()
    tool = tmp_path / "bin" / "AnyDesk"
    tool.parent.mkdir()
    shutil.copy("/bin/bash", tool)
    go = tmp_path / "go"
    a = Agent(settings, [], responder=responder, backend=FakeBackend([]), downloads_dir=tmp_path / "dl")
    a.start()
    p = None
    try:
        assert a._threads[1].ready.wait(30)
        env = dict(os.environ, GO=str(go), DEB=str(deb or ""))
        p = subprocess.Popen([str(tool), "-c", SESSION], env=env)
        wait_event(lambda e: e["type"] == "remote_tool" and e.get("pid") == p.pid and e.get("decision"))
        started = wait_event(lambda e: e["type"] == "remote_session" and e.get("tool") == "anydesk")
        assert started["incident"] and started["snapshot_ms"] > 0
        go.touch()                                       # the "session" may now change things
        assert p.wait(120) == 0
        ended = wait_event(lambda e: e["type"] == "remote_session_ended" and e.get("pid") == p.pid)
        assert ended["tool"] == "anydesk"
        report_ev = wait_event(lambda e: e["type"] == "aftercare" and e.get("tool") == "anydesk", 120)
    finally:
        if p and p.poll() is None:
            p.kill()
        a.stop()
        responder.close_windows()
    folder = evidence.find(report_ev["incident"]).path
    assert evidence.verify(folder) == []
    assert report_ev["report"] == str(folder / "report.en.txt")
    # who connected: the remote ID and address, from AnyDesk's own logs
    conns = json.loads((folder / "connections.json").read_text())["during"]
    assert [(c["remote_id"], c.get("remote_ip"), c.get("auth")) for c in conns] == [("482913570", "203.0.113.77", "User")]
    # what was added, exactly
    added = {cat: sorted(c["added"].values()) for cat, c in json.loads((folder / "changes.json").read_text()).items()
             if c["added"]}
    others = sorted(v for k, v in dpkg_installed().items() if k not in dpkg_before and k != f"dpkg:{PKG}")
    programs = sorted(([f"{PKG} 1.0"] if (home / "dpkg.ok").exists() else []) + others)
    expected = {"autostart": ["Windows Security Helper"],
                "services": ["updater.service", "updater.service (default.target.wants)"],
                "files": ["Remboursement.pdf (Downloads)"]}
    if programs:
        expected["programs"] = programs
    assert added == expected
    if deb is not None and not (home / "dpkg.ok").exists():
        log = (home / "dpkg.log").read_text()
        assert "lock" in log, log          # only another engineer's apt may keep dpkg busy
    text_en = (folder / "report.en.txt").read_text()
    text_fr = (folder / "report.fr.txt").read_text()
    for text in (text_en, text_fr):
        assert "482913570" in text and "203.0.113.77" in text and "Windows Security Helper" in text
        assert "Remboursement.pdf" in text
    assert "Started at log-on: Windows Security Helper" in text_en
    assert "Lancé à l'ouverture de session : Windows Security Helper" in text_fr
    assert "Uninstall AnyDesk" in text_en and "Call your bank" in text_en
    assert "AnyDesk is no longer running" in text_en
    # the helper is told, with the report
    rows = wait_for(lambda: [r for r in notifier.outbox.rows() if r["kind"] == "aftercare"], 30)
    body = " ".join(rows[0]["body"].split()) if rows else ""      # the text is wrapped at 78 characters
    assert "482913570" in body and "Windows Security Helper" in body
    assert "what the remote session left" in rows[0]["title"]


def test_vigie_aftercare_on_demand(home, tmp_path):
    from agent.respond.aftercare import session
    s = session.begin_session({"id": "teamviewer", "name": "TeamViewer"}, {"pid": 1, "name": "TeamViewer"})
    folder = session.save_session(s)
    (home / ".config/autostart").mkdir()
    (home / ".config/autostart/x.desktop").write_text("[Desktop Entry]\nName=Lecteur PDF\n")
    env = dict(os.environ, PYTHONPATH=str(ROOT), LANG="fr_FR.UTF-8")
    out = subprocess.run([sys.executable, "-m", "agent", "aftercare"], env=env, capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 0, out.stderr
    assert "Lancé à l'ouverture de session : Lecteur PDF" in out.stdout
    assert "Désinstallez TeamViewer" in out.stdout and folder.name in out.stdout
    assert "Rapport écrit dans" in out.stderr
    ev = [e for e in events.read() if e["type"] == "aftercare"][-1]
    assert ev["added"] == {"autostart": ["Lecteur PDF"]} and ev["ended"] is False
    js = subprocess.run([sys.executable, "-m", "agent", "aftercare", "--json", "--incident", folder.name], env=env,
                        capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert js.returncode == 0 and json.loads(js.stdout)["added"] == {"autostart": ["Lecteur PDF"]}
    # run again by hand: the report already kept, not one more incident
    assert json.loads(js.stdout)["reused"] is True and "déjà gardé" in js.stderr
    again = subprocess.run([sys.executable, "-m", "agent", "aftercare"], env=env, capture_output=True, text=True,
                           timeout=120, cwd=ROOT)
    assert again.returncode == 0 and "Lancé à l'ouverture de session : Lecteur PDF" in again.stdout
    assert [i.family for i in evidence.list_incidents()].count("aftercare") == 1
    new = subprocess.run([sys.executable, "-m", "agent", "aftercare", "--new"], env=env, capture_output=True,
                         text=True, timeout=120, cwd=ROOT)
    assert new.returncode == 0 and "Rapport écrit dans" in new.stderr
    assert [i.family for i in evidence.list_incidents()].count("aftercare") == 2


def test_vigie_aftercare_without_a_snapshot_says_so(home):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    out = subprocess.run([sys.executable, "-m", "agent", "aftercare"], env=env, capture_output=True, text=True,
                         timeout=120, cwd=ROOT)
    assert out.returncode == 1 and "no snapshot" in out.stderr.lower()
