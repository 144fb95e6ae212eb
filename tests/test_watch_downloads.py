"""Downloads trigger on a real folder."""
import os
import queue
import threading

from agent.config import Settings
from agent.watch import catalog
from agent.watch.downloads import DownloadsWatcher, downloads_dir


def make(folder, settings=None, put=lambda t: None, stop=None, poll=2.0):
    return DownloadsWatcher(catalog.get(), settings or Settings(), put, stop or threading.Event(), folder=folder,
                            poll=poll)


def touch(path):
    path.write_bytes(b"MZ")
    st = path.parent.stat()  # make sure the folder's mtime moves even on coarse clocks
    os.utime(path.parent, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000))


def test_new_installer_reported_old_files_not(tmp_path):
    (tmp_path / "AnyDesk.exe").write_bytes(b"old")
    w = make(tmp_path)
    assert w.check() == [], "files present at start are not news"
    touch(tmp_path / "TeamViewerQS_fr.exe.crdownload")
    assert w.check() == [], "still downloading"
    os.rename(tmp_path / "TeamViewerQS_fr.exe.crdownload", tmp_path / "TeamViewerQS_fr.exe")
    st = tmp_path.stat()
    os.utime(tmp_path, ns=(st.st_atime_ns, st.st_mtime_ns + 2_000_000))
    trigs = w.check()
    assert [t.tool.id for t in trigs] == ["teamviewer_qs"]
    assert trigs[0].details["file"].endswith("TeamViewerQS_fr.exe") and trigs[0].kind == "installer"
    touch(tmp_path / "holiday.jpg")
    assert w.check() == []


def test_allowlisted_installer_and_missing_folder(tmp_path):
    w = make(tmp_path, Settings(remote_tools_allowlist=("anydesk",)))
    w.check()
    touch(tmp_path / "AnyDesk.exe")
    assert w.check() == []
    gone = make(tmp_path / "nope")
    assert gone.check() == [] and gone.check() == []


def test_thread_and_env_override(tmp_path, monkeypatch):
    monkeypatch.setenv("VIGIE_DOWNLOADS_DIR", str(tmp_path))
    assert downloads_dir() == tmp_path
    q, stop = queue.Queue(), threading.Event()
    w = make(None, put=q.put, stop=stop, poll=0.1)
    assert w.folder == tmp_path
    w.start()
    try:
        assert w.ready.wait(10)
        touch(tmp_path / "rustdesk-1.2.3-x86_64.exe")
        assert q.get(timeout=10).tool.id == "rustdesk"
    finally:
        stop.set()
        w.join(5)
