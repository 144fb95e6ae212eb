"""Single instance: a real second process is refused; a crashed one does not block."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from agent import instance, paths

HOLDER = textwrap.dedent("""
    import sys, time
    from agent.instance import SingleInstance
    with SingleInstance():
        print("locked", flush=True)
        time.sleep(120)
""")


def _start_holder():
    proc = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True,
                            env=os.environ.copy())
    assert proc.stdout.readline().strip() == "locked"
    return proc


def test_second_instance_is_refused_with_the_other_pid():
    proc = _start_holder()
    try:
        with pytest.raises(instance.AlreadyRunning) as err:
            with instance.SingleInstance():
                pass
        assert err.value.pid == proc.pid
        assert str(proc.pid) in str(err.value)
        assert "déjà" in err.value.text("fr") and str(proc.pid) in err.value.text("fr")
    finally:
        proc.kill()
        proc.wait()


def test_a_crashed_instance_leaves_no_stale_lock():
    proc = _start_holder()
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    lock = paths.state_dir() / instance.LOCK_NAME
    assert lock.exists()  # the file stays after the crash...
    with instance.SingleInstance() as held:  # ...but not the lock
        assert held.locked
        assert instance.read_pid(lock) == os.getpid()


def test_released_on_exit_and_reusable():
    with instance.SingleInstance() as first:
        assert first.locked
        with pytest.raises(instance.AlreadyRunning):
            instance.SingleInstance().acquire()  # a second open file description is refused too
    assert not first.locked
    with instance.SingleInstance() as again:
        assert again.locked


@pytest.mark.skipif(sys.platform == "win32" or os.geteuid() == 0, reason="needs POSIX permissions, not root")
def test_unwritable_state_folder_does_not_stop_protection(tmp_path, caplog):
    ro = tmp_path / "ro"
    ro.mkdir(mode=0o500)
    try:
        with instance.SingleInstance(ro / "sub" / "vigie.lock") as held:
            assert not held.locked
        assert "going on without it" in caplog.text
    finally:
        ro.chmod(0o700)


def test_lock_path_blocked_by_a_file_does_not_stop_protection(tmp_path, caplog):
    blocker = tmp_path / "blocker"
    blocker.write_text("x")
    with instance.SingleInstance(blocker / "vigie.lock") as held:
        assert held.locked                       # a lock in the private runtime folder instead (issue 23)
    assert "locking" in caplog.text and "instead" in caplog.text


def test_a_lock_squatted_by_another_program_is_worked_around_and_said():
    """`flock vigie.lock sleep` (a real flock(1) process) must not keep Vigie from starting,
    and a second Vigie is still refused."""
    import json
    import shutil
    from tests.waiting import wait_for
    if not shutil.which("flock"):
        pytest.skip("flock(1) is not installed")
    lock = paths.state_dir() / instance.LOCK_NAME
    paths.ensure_dir(lock.parent)
    lock.write_text(" 999999\n")                       # a pid left by an older run, long gone
    squatter = subprocess.Popen(["flock", str(lock), "sleep", "600"])
    holder = None
    try:
        assert wait_for(lambda: instance._holders(lock), 30)      # flock(1) holds it (/proc/locks)
        assert instance.running_pid() is None          # a squatter is not a running Vigie
        holder = subprocess.Popen([sys.executable, "-c", textwrap.dedent("""
            import json, time
            from agent.instance import SingleInstance
            with SingleInstance() as held:
                print(json.dumps({"path": str(held.path), "squatted": held.squatted}), flush=True)
                time.sleep(120)
        """)], stdout=subprocess.PIPE, text=True, env=os.environ.copy())
        got = json.loads(holder.stdout.readline())
        assert got["path"].endswith("vigie-2.lock")
        assert got["squatted"][0]["file"] == str(lock)
        assert f"process {squatter.pid}" in got["squatted"][0]["holder"] and "sleep" in got["squatted"][0]["holder"]
        assert instance.running_pid() == holder.pid
        with pytest.raises(instance.AlreadyRunning) as err:    # a second Vigie is still refused
            instance.SingleInstance().acquire()
        assert err.value.pid == holder.pid
        squatter.kill()                                # the squatter lets go: still one Vigie only
        squatter.wait()
        with pytest.raises(instance.AlreadyRunning) as err:
            instance.SingleInstance().acquire()
        assert err.value.pid == holder.pid
    finally:
        for p in (squatter, holder):
            if p is not None:
                p.kill()
                p.wait()
