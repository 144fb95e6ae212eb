"""Evidence under hostile conditions (issue 15): export never overwrites what it should not;
one malformed manifest damages only its own incident; leftovers of a crash are cleaned."""
from __future__ import annotations

import json
import os
import time
import zipfile

import pytest

from agent import cli, paths
from agent.respond.evidence import store as evidence
from tests.test_evidence import make_image, make_verdict, make_window


def _incident():
    return evidence.save_incident(make_verdict(), make_image(), make_window(), None)


def test_export_refuses_an_existing_file_unless_force(tmp_path, capsys):
    folder = _incident()
    out = tmp_path / "police.zip"
    out.write_bytes(b"the helper's own file")
    assert cli.main(["evidence", "export", folder.name, "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err and out.read_bytes() == b"the helper's own file"
    assert cli.main(["evidence", "export", folder.name, "--out", str(out), "--force"]) == 0
    assert zipfile.is_zipfile(out)
    assert not list(tmp_path.glob(".police.zip.*"))


def test_export_never_writes_inside_the_evidence_folder(capsys):
    folder = _incident()
    manifest = (folder / "manifest.json").read_bytes()
    for target in (folder / "manifest.json", folder / "new.zip", paths.evidence_dir() / "x.zip"):
        assert cli.main(["evidence", "export", folder.name, "--out", str(target), "--force"]) == 2
        assert "inside the evidence folder" in capsys.readouterr().err
    assert (folder / "manifest.json").read_bytes() == manifest
    assert sorted(p.name for p in paths.evidence_dir().iterdir()) == [folder.name]
    assert evidence.verify(folder) == []


def test_export_never_replaces_what_is_not_a_regular_file(tmp_path, capsys):
    folder = _incident()
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    link = tmp_path / "link.zip"
    link.symlink_to(victim)
    targets = [link, tmp_path / "fifo.zip"]
    os.mkfifo(targets[1])
    if os.geteuid() == 0 and os.path.exists("/dev/full"):
        targets.append("/dev/full")      # the adversarial run's case: a device node, as root
    for target in targets:
        assert cli.main(["evidence", "export", folder.name, "--out", str(target), "--force"]) == 2
        assert "not an ordinary file" in capsys.readouterr().err
    assert victim.read_text() == "keep me" and link.is_symlink() and os.path.exists("/dev/full")
    if os.path.exists("/dev/full"):
        assert not os.path.isfile("/dev/full")


def test_export_into_a_folder_names_the_zip(tmp_path, capsys):
    folder = _incident()
    assert cli.main(["evidence", "export", folder.name, "--out", str(tmp_path)]) == 0
    assert zipfile.is_zipfile(tmp_path / f"vigie-{folder.name}.zip")


BAD_MANIFESTS = {"list": [], "null": None, "string": "hello", "number": 5,
                 "files as a list": {"time": "t", "family": "tss", "phones": [], "files": ["text.txt"]},
                 "phones: 5": {"time": "t", "family": "tss", "phones": 5, "files": {}},
                 "file meta not a dict": {"files": {"text.txt": "abc"}},
                 "path in files": {"files": {"../../outside": {"sha256": "0"}}}}


@pytest.mark.parametrize("name", sorted(BAD_MANIFESTS))
def test_one_malformed_manifest_damages_only_its_incident(tmp_path, capsys, name):
    good = _incident()
    bad = evidence.save_incident(make_verdict("refund"), None, None, None)
    (bad / "manifest.json").write_text(json.dumps(BAD_MANIFESTS[name]))
    listed = {i.id: i for i in evidence.list_incidents()}
    assert listed[good.name].damaged is None and listed[bad.name].damaged
    assert evidence.verify(good) == [] and evidence.verify(bad)
    assert cli.main(["evidence", "list"]) == 0
    out = capsys.readouterr().out
    rows = {line.split()[0]: line for line in out.splitlines() if line.startswith(("2", "1"))}
    assert "intact" in rows[good.name] and "DAMAGED" in rows[bad.name]
    assert cli.main(["evidence", "verify", good.name]) == 0
    assert cli.main(["evidence", "verify", bad.name]) == 1
    assert cli.main(["evidence", "export", good.name, "--out", str(tmp_path / "g.zip")]) == 0
    assert cli.main(["evidence", "export", bad.name, "--out", str(tmp_path / "b.zip")]) == 1
    assert zipfile.is_zipfile(tmp_path / "b.zip")     # still evidence: exported, with a warning


def test_leftover_tmp_folders_are_cleaned_when_old():
    _incident()
    root = paths.evidence_dir()
    old, fresh = root / ".tmp-20260101-000000-tss-aaaaaa", root / ".tmp-20260101-000001-tss-bbbbbb"
    for d in (old, fresh):
        d.mkdir()
        (d / "text.txt").write_text("half written")
    past = time.time() - evidence.LEFTOVER_SECONDS - 60
    os.utime(old, (past, past))
    elsewhere = root.parent / "not-evidence"
    elsewhere.mkdir()
    link = root / ".tmp-link"
    link.symlink_to(elsewhere)
    os.utime(link, (past, past), follow_symlinks=False)
    incidents = evidence.list_incidents()
    assert len(incidents) == 1
    assert not old.exists() and fresh.exists()        # a young one may still be being written
    assert link.is_symlink() and elsewhere.is_dir()   # never followed


def test_a_file_swapped_for_a_link_or_a_device_is_reported_not_read():
    folder = _incident()
    (folder / "text.txt").unlink()
    (folder / "text.txt").symlink_to("/dev/zero")     # would never end if it were read
    assert "text.txt is not a regular file" in evidence.verify(folder)
