"""The spoken warning, in the person's language, in a calm, slow voice.

Many victims hear the scam page's own looping audio; a calm voice saying what to do
matters. Linux: ``espeak-ng`` (or ``espeak``) with the language's voice (plyer's Linux
backend cannot choose a voice); Windows: SAPI (:mod:`agent.respond.sapi`, the language's
voice when installed; plyer's Windows backend only runs an ``espeak.exe``); macOS:
plyer's text-to-speech. A missing engine
is logged once an hour and returns False; never raises. ``speak`` starts the engine
and returns at once unless ``wait`` is set; any thread.
"""
from __future__ import annotations

import logging
import shutil
import subprocess
import sys
import threading
from pathlib import Path

from agent.log import Once

log = logging.getLogger(__name__)
_once = Once()
VOICES = {"fr": "fr-fr", "en": "en-gb"}   # espeak-ng voice names
WORDS_PER_MINUTE = 140                    # slower than espeak's default 175


def espeak_command(text: str, lang: str, wav: Path | None = None) -> list[str] | None:
    """The espeak-ng/espeak command line, or None if neither is installed."""
    exe = shutil.which("espeak-ng") or shutil.which("espeak")
    if not exe:
        return None
    voice = VOICES.get((lang or "en")[:2], VOICES["en"])
    cmd = [exe, "-v", voice, "-s", str(WORDS_PER_MINUTE)]
    if wav is not None:
        cmd += ["-w", str(wav)]
    return cmd + ["--", text]


def _plyer(text: str) -> bool:
    try:
        from plyer import tts  # noqa: PLC0415
        tts.speak(message=text)
        return True
    except Exception as exc:  # noqa: BLE001 - NotImplementedError, missing engine...
        _once.warning(log, "speech", "no text-to-speech engine (%s: %s); the warning is shown only",
                      type(exc).__name__, exc)
        return False


def _sapi(text: str, lang: str) -> bool:
    from agent.respond import sapi  # noqa: PLC0415
    try:
        sapi.say(text, lang)
        return True
    except Exception as exc:  # noqa: BLE001 - comtypes missing, COM error, no voice
        _once.warning(log, "speech", "Windows speech (SAPI) failed (%s: %s); the warning is shown only",
                      type(exc).__name__, exc)
        return False


def speak(text: str, lang: str, wait: bool = False, wav: Path | None = None, platform: str = sys.platform) -> bool:
    """Say ``text``; with ``wav`` write the audio to that file instead (tests, checks)."""
    if not text.strip():
        return False
    if platform == "win32" and wav is None:
        if wait:
            return _sapi(text, lang)
        threading.Thread(target=_sapi, args=(text, lang), name="speech", daemon=True).start()
        return True
    if platform.startswith("linux") or wav is not None:
        cmd = espeak_command(text, lang, wav)
        if cmd is None:
            if platform.startswith("linux"):
                _once.warning(log, "speech", "espeak-ng is not installed (apt-get install espeak-ng); "
                              "the warning is shown but not spoken")
                return False
            return _plyer(text)
        try:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.PIPE if wait else subprocess.DEVNULL)
        except OSError as exc:
            _once.warning(log, "speech", "cannot start %s: %s", cmd[0], exc)
            return False
        if wait:
            _, err = proc.communicate()
            if proc.returncode != 0:
                _once.warning(log, "speech", "%s failed (%s): %s", cmd[0], proc.returncode,
                              err.decode(errors="replace").strip()[:200])
                return False
        else:
            threading.Thread(target=proc.wait, name="speech-reaper", daemon=True).start()
        return True
    if wait:
        return _plyer(text)
    threading.Thread(target=_plyer, args=(text,), name="speech", daemon=True).start()
    return True
