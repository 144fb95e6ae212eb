"""A private PulseAudio server for the tests that check a scam page is silenced.

``pulse_server`` (session scope) starts ``pulseaudio`` as the current user — root in CI,
with no display and no sound card — on a socket in its own runtime folder, with one null
sink, and sets ``PULSE_SERVER`` so that Chromium and ``pulsectl`` both use it. Import the
fixture into a test module: ``from tests.pulse import pulse_server  # noqa: F401``.
``module-stream-restore`` is loaded, as on a desktop: a muted stream's application
starts its next stream muted unless the remembered state is set back.
"""
from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from pathlib import Path

import pytest


def _ready(server: str, timeout: float = 15.0) -> bool:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        out = subprocess.run(["pactl", "--server", server, "info"], capture_output=True, text=True, timeout=10)
        if out.returncode == 0:
            return True
        time.sleep(0.2)
    return False


@pytest.fixture(scope="session")
def pulse_server():
    """``unix:/…/native`` of a running private PulseAudio server (skips if not installed)."""
    if not (shutil.which("pulseaudio") and shutil.which("pactl")):
        pytest.skip("PulseAudio is not installed (scripts/setup.sh --test installs it)")
    run = Path(tempfile.mkdtemp(prefix="vigie-pulse-"))
    sock = run / "native"
    env = dict(os.environ, HOME=str(run), XDG_RUNTIME_DIR=str(run), XDG_CONFIG_HOME=str(run / "config"))
    env.pop("PULSE_SERVER", None)
    env.pop("DISPLAY", None)          # no X11 bell/cookie modules
    env.pop("DBUS_SESSION_BUS_ADDRESS", None)   # its D-Bus name may be taken by another server
    cmd = ["pulseaudio", "--daemonize=no", "--exit-idle-time=-1", "--system=false", "-n",
           "--disable-shm=yes", "--use-pid-file=no", f"--log-target=file:{run / 'log'}",
           f"--load=module-native-protocol-unix auth-anonymous=1 socket={sock}",
           "--load=module-null-sink sink_name=vigie_test_sink",
           # what a desktop's server has: each application's volume/mute remembered for its next stream
           "--load=module-stream-restore"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            start_new_session=True)
    server = f"unix:{sock}"
    if not _ready(server):
        proc.kill()
        log = (run / "log").read_text(errors="replace")[-2000:] if (run / "log").exists() else ""
        pytest.fail(f"PulseAudio did not start: {log}")
    old = os.environ.get("PULSE_SERVER")
    os.environ["PULSE_SERVER"] = server
    yield server
    if old is None:
        os.environ.pop("PULSE_SERVER", None)
    else:
        os.environ["PULSE_SERVER"] = old
    try:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        proc.kill()
    shutil.rmtree(run, ignore_errors=True)


def sink_inputs(server: str) -> list[dict]:
    """The server's streams as pulsectl sees them: pid, binary, muted."""
    import pulsectl  # noqa: PLC0415
    with pulsectl.Pulse("vigie-test", server=server) as p:
        return [{"index": s.index, "pid": int(s.proplist.get("application.process.id", 0) or 0),
                 "binary": s.proplist.get("application.process.binary", ""), "muted": bool(s.mute)}
                for s in p.sink_input_list()]
