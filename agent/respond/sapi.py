"""Windows speech: SAPI's ``SAPI.SpVoice`` (built into every Windows) through COM.

The voice is chosen by language: SAPI voice tokens carry a ``Language`` attribute (hex
LCIDs such as ``40C`` for French, ``409;9`` for English); the first voice whose primary
language matches the person's speaks, else the default voice does. The rate is a little
slower than the default. COM is reached with comtypes' late-bound dispatch (pure Python:
nothing to generate or bundle). :data:`ENGINE` is the seam: tests put a fake object with
``voices()`` and ``speak(text, voice, rate, to_memory)`` there. Each call initialises COM
on the calling thread (the responder's speech thread, or doctor's main thread) and
releases it; never raises past :func:`say` / :func:`check`.
"""
from __future__ import annotations

import logging

log = logging.getLogger(__name__)
PRIMARY_LANGUAGE = {"fr": 0x0C, "en": 0x09, "de": 0x07, "es": 0x0A, "it": 0x10, "nl": 0x13, "ja": 0x11}
RATE = -2            # SAPI rates run from -10 to 10; 0 is the voice's normal pace
SVSF_DEFAULT = 0     # synchronous: the thread that speaks waits for the end


def pick_voice(voices: list[tuple[str, str]], lang: str) -> int | None:
    """Index of the first voice (description, Language attribute) that speaks ``lang``."""
    want = PRIMARY_LANGUAGE.get((lang or "en")[:2].lower())
    if want is None:
        return None
    for i, (_desc, attr) in enumerate(voices):
        for code in (attr or "").replace(",", ";").split(";"):
            try:
                if int(code.strip(), 16) & 0x3FF == want:
                    return i
            except ValueError:
                continue
    return None


class ComSapi:  # pragma: no cover - needs Windows (run for real in the Wine lane)
    """The lowest calls: SAPI.SpVoice through comtypes' dynamic dispatch."""

    def __init__(self):
        import comtypes  # noqa: PLC0415
        import comtypes.client  # noqa: PLC0415
        self.comtypes, self.client = comtypes, comtypes.client

    def _session(self, fn):
        self.comtypes.CoInitializeEx(self.comtypes.COINIT_APARTMENTTHREADED)
        try:
            return fn(self.client.CreateObject("SAPI.SpVoice", dynamic=True))
        finally:
            self.comtypes.CoUninitialize()

    def voices(self) -> list[tuple[str, str]]:
        def read(voice):
            tokens = voice.GetVoices("", "")
            return [(tokens.Item(i).GetDescription(0), tokens.Item(i).GetAttribute("Language") or "")
                    for i in range(tokens.Count)]
        return self._session(read)

    def speak(self, text: str, voice_index: int | None, rate: int, to_memory: bool = False) -> int:
        """Speak (or render into memory); returns the bytes rendered in memory, else 0."""
        def run(voice):
            if voice_index is not None:
                voice.Voice = voice.GetVoices("", "").Item(voice_index)
            voice.Rate = rate
            stream = None
            if to_memory:
                stream = self.client.CreateObject("SAPI.SpMemoryStream", dynamic=True)
                voice.AudioOutputStream = stream
            voice.Speak(text, SVSF_DEFAULT)
            return len(bytes(stream.GetData())) if stream is not None else 0
        return self._session(run)


ENGINE = None   # seam: None = ComSapi() on first use


def engine():
    global ENGINE
    if ENGINE is None:
        ENGINE = ComSapi()
    return ENGINE


def say(text: str, lang: str) -> None:
    """Speak ``text`` in ``lang``'s voice (or the default one); blocks until spoken.
    Raises what COM raises (the caller logs it)."""
    eng = engine()
    eng.speak(text, pick_voice(eng.voices(), lang), RATE)


def check(lang: str) -> dict:
    """A silent speak-test for ``vigie doctor``: render a few words into memory.
    ``{"ok", "voice", "lang_voice", "bytes", "error"}``; never raises."""
    out = {"ok": False, "voice": "", "lang_voice": False, "bytes": 0, "error": ""}
    try:
        eng = engine()
        voices = eng.voices()
        idx = pick_voice(voices, lang)
        out["lang_voice"] = idx is not None
        out["voice"] = voices[idx][0] if idx is not None else (voices[0][0] if voices else "")
        out["bytes"] = eng.speak("Vigie", idx, RATE, to_memory=True)
        out["ok"] = bool(voices) and out["bytes"] > 0
        if not voices:
            out["error"] = "no SAPI voice is installed"
        elif not out["ok"]:
            out["error"] = "the voice produced no sound"
    except Exception as exc:  # noqa: BLE001 - comtypes missing, COM errors, no SAPI
        out["error"] = f"{type(exc).__name__}: {exc}"[:200]
    return out
