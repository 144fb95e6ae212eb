"""Atomic file writes (agent.atomic) on real files: content, mode, no temp file left,
and the old content kept whole when a write fails."""
from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from agent import atomic
from tests import as_nobody

POSIX_NOT_ROOT = pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0,
                                    reason="needs POSIX permissions, not root")


def names(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


def test_write_text_creates_and_replaces_privately(tmp_path):
    target = tmp_path / "settings.toml"
    atomic.write_text(target, "a = 1\r\nb = \"é\"\n")
    assert target.read_bytes() == "a = 1\r\nb = \"é\"\n".encode("utf-8")   # as given, on every OS
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o600
    atomic.write_text(target, "a = 2\n")
    assert target.read_text(encoding="utf-8") == "a = 2\n"
    assert names(tmp_path) == ["settings.toml"]          # no temp file left


def test_write_bytes_gives_the_mode_asked(tmp_path):
    target = tmp_path / "vigie.desktop"
    atomic.write_bytes(target, b"\x00\x01[Desktop Entry]\n", 0o644)
    assert target.read_bytes() == b"\x00\x01[Desktop Entry]\n"
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o644


def test_a_failed_rename_keeps_the_old_file_and_removes_the_temp(tmp_path, monkeypatch):
    target = tmp_path / "state.json"
    target.write_text("old", encoding="utf-8")

    def full_disk(src, dst):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(atomic.os, "replace", full_disk)
    with pytest.raises(OSError, match="No space left"):
        atomic.write_text(target, "new")
    assert target.read_text(encoding="utf-8") == "old"
    assert names(tmp_path) == ["state.json"]


def test_a_missing_folder_or_a_file_in_its_place_fails_for_everyone(tmp_path):
    with pytest.raises(FileNotFoundError):
        atomic.write_text(tmp_path / "missing" / "x.toml", "x")   # callers create folders
    blocker = tmp_path / "blocker"
    blocker.write_text("not a folder")
    with pytest.raises(OSError):
        atomic.write_text(blocker / "x.toml", "x")
    assert names(tmp_path) == ["blocker"] and blocker.read_text() == "not a folder"


@POSIX_NOT_ROOT
def test_read_only_folder_gives_permission_error_and_keeps_the_file(tmp_path):
    folder = tmp_path / "ro"
    folder.mkdir()
    (folder / "config.toml").write_text("old")
    folder.chmod(0o500)
    try:
        with pytest.raises(PermissionError):
            atomic.write_text(folder / "config.toml", "new")
        assert (folder / "config.toml").read_text() == "old" and names(folder) == ["config.toml"]
    finally:
        folder.chmod(0o700)


@pytest.mark.skipif(not as_nobody.available(),
                    reason="as root only: the read-only folder is tried as the user nobody")
def test_read_only_folder_as_nobody(tmp_path):
    """Root writes through read-only folders: the same check run as ``nobody`` (uid 65534),
    in a folder outside pytest's private tmp_path so that nobody can reach it."""
    folder = Path(tempfile.mkdtemp(prefix="vigie-atomic-", dir="/tmp"))
    try:
        (folder / "config.toml").write_text("old")
        folder.chmod(0o755)                      # root's folder: nobody may read, not write
        code = ("import sys\nfrom pathlib import Path\nfrom agent import atomic\n"
                "try:\n    atomic.write_text(Path(sys.argv[1]) / 'config.toml', 'new')\n"
                "except PermissionError:\n    sys.exit(3)\n")
        env = {"PATH": "/usr/bin:/bin"}
        python, demote = as_nobody.command(env)
        out = subprocess.run([*python, "-c", code, str(folder)], capture_output=True,
                             text=True, timeout=60, env=env, **demote)
        assert out.returncode == 3, out.stderr
        assert (folder / "config.toml").read_text() == "old" and names(folder) == ["config.toml"]
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def test_write_synced_and_fsync_dir(tmp_path):
    atomic.write_synced(tmp_path / "text.txt", b"evidence")
    assert (tmp_path / "text.txt").read_bytes() == b"evidence"
    atomic.fsync_dir(tmp_path)
    atomic.fsync_dir(tmp_path / "gone")            # never raises
