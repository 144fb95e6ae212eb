"""Files that are not files (issue 23): every path Vigie reads or writes — settings,
phrases, secrets, outbox, events, evidence, exports, logs, a scanned image — given a real
device node (mknod), a real pipe, a real socket, a folder, a dangling link, a looping
link or ``/``: a clear message, no hang, no traceback, and the object left untouched.
Then a full tmpfs and a read-only bind mount. As root and as ``nobody``."""
from __future__ import annotations

import json
import logging
import os
import shutil
import socket
import stat
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import pytest

from agent import atomic, config, config_write, events, log as vlog, paths, safefile
from tests import as_nobody

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="POSIX special files")
ROOT = os.name == "posix" and os.geteuid() == 0
KINDS = ("device", "pipe", "socket", "folder", "dangling link", "looping link")


class Hostile:
    """Makes one hostile object at a path and tells whether it was left as it was."""

    def __init__(self):
        self.socks: list[socket.socket] = []

    def make(self, kind: str, path: Path) -> Path:
        if kind == "device":
            if not ROOT:
                pytest.skip("mknod needs root")
            os.mknod(path, 0o666 | stat.S_IFCHR, os.makedev(1, 5))   # what /dev/zero is: never ends
        elif kind == "pipe":
            os.mkfifo(path, 0o666)
        elif kind == "socket":
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.bind(str(path))
            s.listen(1)
            self.socks.append(s)
        elif kind == "folder":
            path.mkdir()
        elif kind == "dangling link":
            os.symlink(path.with_name(path.name + ".nowhere"), path)
        elif kind == "looping link":
            os.symlink(path.name, path)
        return path

    def close(self):
        for s in self.socks:
            s.close()


def fingerprint(path: Path) -> tuple:
    st = os.lstat(path)
    link = os.readlink(path) if stat.S_ISLNK(st.st_mode) else None
    inside = sorted(os.listdir(path)) if stat.S_ISDIR(st.st_mode) else None
    return (stat.S_IFMT(st.st_mode), st.st_ino, st.st_rdev, st.st_size, link, inside)


@pytest.fixture
def hostile():
    h = Hostile()
    yield h
    h.close()


def bounded(fn, seconds: float = 30.0):
    """Run ``fn`` in a thread; fail (not hang) if it does not return in time."""
    out: dict = {}

    def run():
        try:
            out["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - handed to the test
            out["error"] = exc
    t = threading.Thread(target=run, daemon=True)
    t.start()
    t.join(seconds)
    assert not t.is_alive(), f"{fn} hung on a hostile path"
    return out


# -- the helper itself ---------------------------------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_safefile_refuses_every_kind_to_read_and_to_replace(kind, hostile, tmp_path):
    target = hostile.make(kind, tmp_path / "x.toml")
    before = fingerprint(target)
    r = bounded(lambda: safefile.read_bytes(target, 1 << 20))
    assert isinstance(r.get("error"), OSError), r
    if isinstance(r["error"], safefile.UnsafeFile):
        assert str(target) in r["error"].text("en") and str(target) in r["error"].text("fr")
    w = bounded(lambda: atomic.write_text(target, "a = 1\n"))
    assert isinstance(w.get("error"), safefile.UnsafeFile), w
    assert "untouched" in str(w["error"]) and "n'y touche pas" in w["error"].text("fr")
    a = bounded(lambda: os.close(safefile.open_append(target)))
    assert isinstance(a.get("error"), safefile.UnsafeFile), a
    assert fingerprint(target) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")) == []


def test_safefile_caps_and_links(tmp_path):
    big = tmp_path / "big"
    big.write_bytes(b"x" * 5000)
    with pytest.raises(safefile.UnsafeFile, match="too big"):
        safefile.read_bytes(big, 4096)
    assert safefile.read_bytes(big, 5000) == b"x" * 5000
    folder = tmp_path / "phrases"
    folder.mkdir()
    (folder / "out.toml").symlink_to(big)
    with pytest.raises(safefile.UnsafeFile, match="out of its folder"):
        safefile.read_bytes(folder / "out.toml", 1 << 20, inside=folder)
    (folder / "in.toml").symlink_to("out.toml")       # a link within is followed (to a link out: refused)
    with pytest.raises(safefile.UnsafeFile):
        safefile.read_bytes(folder / "in.toml", 1 << 20, inside=folder)
    real = tmp_path / "real.toml"
    real.write_text("old")
    link = tmp_path / "link.toml"
    link.symlink_to(real)
    atomic.write_text(link, "new")                     # a link to a regular file: its target replaced
    assert link.is_symlink() and real.read_text() == "new"
    with pytest.raises(safefile.UnsafeFile):
        atomic.write_text(Path("/"), "x")


def test_a_phrase_file_linked_out_of_the_users_folder_is_not_read(tmp_path):
    from agent.detect import phrases
    folder = tmp_path / "phrases"
    folder.mkdir()
    secret = tmp_path / "private.txt"
    secret.write_text("lang = 'fr'\n[threat]\nphrases = ['mot de passe: hunter2']\n")
    (folder / "fr.toml").symlink_to(secret)
    found, errors = phrases.load_all((folder,))
    assert found and "out of its folder" in str(errors[0]) and "hunter2" not in str(errors[0])
    assert not [p for p in found if "hunter2" in p.text]


# -- every file Vigie touches, through its own code ------------------------------------
@pytest.mark.parametrize("kind", KINDS)
def test_settings_file(kind, hostile, tmp_path):
    target = hostile.make(kind, tmp_path / "config.toml")
    before = fingerprint(target)
    r = bounded(lambda: config.load(target, quiet=True))
    settings, problems = r["value"]
    assert settings == config.Settings() and problems and problems[0].key == "problem_unreadable"
    w = bounded(lambda: config_write.update(target, language="fr"))
    assert isinstance(w.get("error"), config_write.ConfigWriteError), w
    assert str(target) in w["error"].text("fr") and "Vigie" in w["error"].text("fr")
    assert fingerprint(target) == before
    assert not (tmp_path / "config.toml.bak").exists()


@pytest.mark.parametrize("kind", KINDS)
def test_phrase_file(kind, hostile, tmp_path):
    from agent.detect import phrases
    folder = tmp_path / "phrases"
    folder.mkdir()
    target = hostile.make(kind, folder / "fr.toml")
    before = fingerprint(target)
    r = bounded(lambda: phrases.load_all((folder,)))
    found, errors = r["value"]
    assert found                                        # the built-in lists still load
    if kind != "folder" or errors:
        assert any(str(target) in str(e) for e in errors), errors
    assert fingerprint(target) == before


@pytest.mark.parametrize("kind", KINDS)
def test_secrets_events_log_and_manifest(kind, hostile, tmp_path, caplog):
    from agent.respond.evidence import store
    from agent.respond.helper import secrets
    cfg = paths.config_file()
    cfg.parent.mkdir(parents=True)
    sec = hostile.make(kind, secrets.secrets_file())
    before = fingerprint(sec)
    assert bounded(secrets._read_file)["value"] == {}
    assert fingerprint(sec) == before

    paths.data_dir().mkdir(parents=True)
    ev = hostile.make(kind, paths.events_file())
    before = fingerprint(ev)
    with caplog.at_level(logging.ERROR):
        assert bounded(lambda: events.append("started"))["value"]["type"] == "started"
    assert "cannot append event" in caplog.text
    r = bounded(lambda: list(events.read()))
    assert r.get("value") == [] or isinstance(r.get("error"), OSError)
    assert fingerprint(ev) == before

    logs = tmp_path / "logs"
    logs.mkdir()
    lf = hostile.make(kind, logs / "vigie.log")
    before = fingerprint(lf)
    r = bounded(lambda: vlog.PrivateRotatingFileHandler(lf, maxBytes=100, backupCount=1))
    assert isinstance(r.get("error"), OSError)         # setup() turns it into a warning
    assert fingerprint(lf) == before

    incident = tmp_path / "incident"
    incident.mkdir()
    man = hostile.make(kind, incident / store.MANIFEST)
    before = fingerprint(man)
    data, why = bounded(lambda: store.load_manifest(incident))["value"]
    assert why and data["files"] == {}
    assert fingerprint(man) == before


@pytest.mark.parametrize("kind", KINDS)
def test_log_rotation_never_removes_or_renames_over_a_hostile_generation(kind, hostile, tmp_path, capsys):
    base = tmp_path / "vigie.log"
    gen = hostile.make(kind, tmp_path / "vigie.log.2")
    before = fingerprint(gen)
    h = vlog.PrivateRotatingFileHandler(base, maxBytes=200, backupCount=2)
    lg = logging.getLogger(f"test.rotation.{kind}")
    lg.addHandler(h)
    lg.propagate = False
    try:
        for i in range(40):
            lg.warning("line %d %s", i, "x" * 40)
    finally:
        lg.removeHandler(h)
        h.close()
    assert fingerprint(gen) == before
    assert "stops rotating" in capsys.readouterr().err and "line 39" in base.read_text()


@pytest.mark.parametrize("kind", KINDS)
def test_events_rotation_never_replaces_a_hostile_generation(kind, hostile, monkeypatch):
    monkeypatch.setattr(events, "MAX_BYTES", 2000)
    paths.data_dir().mkdir(parents=True)
    gen = hostile.make(kind, paths.data_dir() / "events.jsonl.2")
    before = fingerprint(gen)
    for i in range(60):
        events.append("screen_ok", n=i, title="x" * 40)
    assert fingerprint(gen) == before
    assert [e["n"] for e in events.read()][-1] == 59           # events are still written


@pytest.mark.parametrize("kind", KINDS)
def test_outbox_file(kind, hostile):
    from agent.respond.helper.outbox import Outbox
    from agent.respond.helper.outbox_faults import Unavailable
    paths.data_dir().mkdir(parents=True)
    target = hostile.make(kind, paths.data_dir() / "outbox.sqlite3")
    before = fingerprint(target)
    r = bounded(lambda: Outbox(target, wait=1))
    assert isinstance(r.get("error"), Unavailable), r
    assert fingerprint(target) == before
    assert not list(paths.data_dir().glob("outbox.sqlite3.damaged*"))


# -- the commands, as root and as nobody ------------------------------------------------
def _nobody_folder() -> Path:
    base = Path(tempfile.mkdtemp(prefix="vigie-hostile-"))
    os.chmod(base, 0o777)
    return base


def vigie(env_over: dict, *args, as_user: bool = False) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("VIGIE_")}
    env.update(env_over)
    python, kw = [sys.executable], {}
    if as_user:
        python, kw = as_nobody.command(env)
    return subprocess.run(python + ["-m", "agent", *args], env=env, capture_output=True, text=True,
                          timeout=120, **kw)


USERS = [False, pytest.param(True, marks=pytest.mark.skipif(not as_nobody.available(), reason="needs root"))]


@pytest.mark.parametrize("as_user", USERS, ids=["owner", "nobody"])
@pytest.mark.parametrize("kind", KINDS + ("/",))
def test_helper_add_and_config_check_on_a_hostile_settings_path(kind, as_user, hostile):
    base = _nobody_folder()
    try:
        target = Path("/") if kind == "/" else hostile.make(kind, base / "config.toml")
        before = fingerprint(target)
        env = {"VIGIE_CONFIG": str(target), "VIGIE_DATA_DIR": str(base / "data"),
               "VIGIE_LOG_DIR": str(base / "log"), "LANG": "fr_FR.UTF-8"}
        r = vigie(env, "helper", "add", "json://127.0.0.1:9/x", as_user=as_user)
        assert r.returncode != 0 and "Traceback" not in r.stderr, r.stderr
        assert str(target) in r.stderr and ("touche pas" in r.stderr or "Permission" in r.stderr
                                            or "refusée" in r.stderr), r.stderr
        c = vigie(env, "config", "check", as_user=as_user)
        assert c.returncode != 0 and "Traceback" not in c.stderr + c.stdout
        assert fingerprint(target) == before
        assert not list(base.glob("config.toml.bak"))
    finally:
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.parametrize("as_user", USERS, ids=["owner", "nobody"])
@pytest.mark.parametrize("kind", ("device", "pipe", "socket", "folder", "looping link"))
def test_scan_a_hostile_image_and_a_hostile_phrase_file(kind, as_user, hostile):
    base = _nobody_folder()
    try:
        (base / "phrases").mkdir(mode=0o777)
        phrase = hostile.make(kind, base / "phrases" / "fr.toml")
        image = hostile.make(kind, base / "screen.png")
        text = base / "mail.txt"
        text.write_text("Bonjour, votre colis est arrivé.")
        os.chmod(text, 0o644)
        before = (fingerprint(phrase), fingerprint(image))
        env = {"VIGIE_CONFIG": str(base / "config.toml"), "VIGIE_DATA_DIR": str(base / "data"),
               "VIGIE_LOG_DIR": str(base / "log"), "LANG": "en_US.UTF-8"}
        r = vigie(env, "scan", str(image), str(text), as_user=as_user)
        assert r.returncode == 2 and "Traceback" not in r.stderr, r.stderr
        assert f"{image}:" in r.stderr and "mail.txt: " in r.stdout     # the other file still scanned
        assert str(phrase) in r.stderr                                   # the phrase file named
        assert (fingerprint(phrase), fingerprint(image)) == before
    finally:
        shutil.rmtree(base, ignore_errors=True)


def test_export_never_replaces_vigies_own_files(tmp_path):
    from agent import cli
    from agent.respond.evidence import store
    from agent.respond.helper.outbox import Outbox
    box = Outbox()
    box.enqueue("m1", "scam", "t", "b", ["json://x"])
    folder = store.save_files("tss", {"text.txt": b"scam"}, {"phones": []})
    for own in (paths.data_dir() / "outbox.sqlite3", paths.events_file(), paths.config_file(),
                paths.log_dir() / "vigie.log"):
        own.parent.mkdir(parents=True, exist_ok=True)
        if not own.exists():
            own.write_text("mine")
        before = own.read_bytes()
        assert cli.main(["evidence", "export", folder.name, "--out", str(own), "--force"]) == 2
        assert own.read_bytes() == before
    assert [r["msg_id"] for r in box.rows()] == ["m1"]


# -- full and read-only file systems ---------------------------------------------------
@pytest.fixture
def full_tmpfs(tmp_path):
    mnt = tmp_path / "full"
    mnt.mkdir()
    if not ROOT or subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)],
                                  capture_output=True).returncode:
        pytest.skip("mounting a tmpfs needs root")
    try:
        (mnt / "config.toml").write_text('language = "fr"\n')
        (mnt / "events.jsonl").write_text('{"time": "x", "type": "started"}\n')
        with open(mnt / "filler", "wb", buffering=0) as fh:
            try:
                while True:
                    fh.write(b"\0" * 4096)
                    fh.flush()
            except OSError:
                pass
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.fixture
def read_only_bind(tmp_path):
    src, mnt = tmp_path / "src", tmp_path / "ro"
    src.mkdir()
    mnt.mkdir()
    (src / "config.toml").write_text('language = "fr"\n')
    (src / "events.jsonl").write_text('{"time": "x", "type": "started"}\n')
    if not ROOT or subprocess.run(["mount", "--bind", str(src), str(mnt)], capture_output=True).returncode:
        pytest.skip("a bind mount needs root")
    try:
        if subprocess.run(["mount", "-o", "remount,ro,bind", str(mnt)], capture_output=True).returncode:
            pytest.skip("cannot remount read-only")
        yield mnt
    finally:
        subprocess.run(["umount", "-l", str(mnt)], capture_output=True)


@pytest.mark.parametrize("fs", ["full_tmpfs", "read_only_bind"])
def test_full_and_read_only_file_systems(fs, request, caplog):
    mnt = request.getfixturevalue(fs)
    cfg, ev = mnt / "config.toml", mnt / "events.jsonl"
    before = (cfg.read_bytes(), ev.read_bytes())
    with pytest.raises(config_write.ConfigWriteError) as err:
        config_write.update(cfg, helper_notify=("json://127.0.0.1:9/" + "x" * 70000,))
    assert str(cfg) in err.value.text("fr")
    with caplog.at_level(logging.ERROR):
        events.append("scam_screen", path=ev, title="x" * 70000)
    assert "cannot append event" in caplog.text
    assert (cfg.read_bytes(), ev.read_bytes()[:len(before[1])]) == before
    assert config.load(cfg, quiet=True)[0].language == "fr"
    assert not [p for p in mnt.iterdir() if p.name.endswith(".tmp")]


def test_vigie_run_with_a_pipe_and_a_device_in_the_phrase_folder_starts_degraded_and_stops(tmp_path, hostile):
    from tests.test_helper_live import Run
    (tmp_path / "phrases").mkdir()
    pipe = hostile.make("pipe", tmp_path / "phrases" / "fr.toml")
    zero = tmp_path / "phrases" / "en.toml"
    if ROOT:
        hostile.make("device", zero)             # what /dev/zero is
    run = Run(tmp_path)
    run.start()                                  # protection starts (it froze before)
    try:
        started = next(e for e in run.events() if e["type"] == "started")
        named = json.dumps(started["problems"])
        assert str(pipe) in named and (not ROOT or str(zero) in named)
    finally:
        assert run.stop() == 0                   # SIGTERM: a clean stop, the process gone
    assert stat.S_ISFIFO(os.lstat(pipe).st_mode)
