"""Which programs are playing sound: the audio streams of the sound server, read (never
changed) here; :mod:`agent.respond.audio` mutes them.

Linux: PulseAudio (or PipeWire's pulse server) through ``pulsectl``: each sink input has
``application.process.id`` and is *corked* while its program has paused it. Windows: the
audio sessions (``pycaw``), ``State == 1`` (AudioSessionStateActive) while sound flows.
macOS offers no per-application view of audio to a normal program: None.
Any thread (each call opens and closes its own connection).
"""
from __future__ import annotations

import logging
import sys

from agent.log import Once

log = logging.getLogger(__name__)
_once = Once(600)
AUDIO_SESSION_ACTIVE = 1


RESTORE_ID = "module-stream-restore.id"      # the key PulseAudio remembers a stream's state under


def pulse_streams(client: str = "vigie"):
    """(pulse, [(stream index, pid, muted, corked, remembered-as)]) — the lowest call (tests use a real
    private PulseAudio server, tests/pulse.py). The caller closes ``pulse``."""
    import pulsectl  # noqa: PLC0415
    pulse = pulsectl.Pulse(client)
    out = []
    for si in pulse.sink_input_list():
        try:
            pid = int(si.proplist.get("application.process.id", 0))
        except (TypeError, ValueError):
            pid = 0
        out.append((si.index, pid, bool(si.mute), bool(getattr(si, "corked", False)),
                    si.proplist.get(RESTORE_ID) or ""))
    return pulse, out


def _win_playing(pids: set[int]) -> bool:  # pragma: no cover - needs Windows
    from pycaw.pycaw import AudioUtilities  # noqa: PLC0415
    return any(s.Process is not None and s.Process.pid in pids and s.State == AUDIO_SESSION_ACTIVE
               for s in AudioUtilities.GetAllSessions())


def playing(pids: set[int]) -> bool | None:
    """True when one of ``pids`` has an audio stream that is not paused (corked), muted
    or not; False when none has; None when it cannot be told (no sound server, macOS)."""
    if not pids:
        return None
    try:
        if sys.platform == "win32":
            return _win_playing(pids)
        if sys.platform == "darwin":
            return None
        pulse, streams = pulse_streams("vigie-listen")
        try:
            return any(pid in pids and not corked for _idx, pid, _muted, corked, _rid in streams)
        finally:
            pulse.close()
    except Exception as exc:  # noqa: BLE001 - no PulseAudio, no pulsectl, COM error
        _once.warning(log, "sound", "cannot tell whether the page plays sound: %s", exc)
        return None
