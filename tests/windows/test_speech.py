"""The spoken warning through SAPI (SAPI.SpVoice over COM). Wine 8.0's SpVoice implements
neither IDispatch nor a speech engine: there, the call is made and its failure is handled
(logged once, False, the alert still shows; doctor warns). On Windows it must speak."""
import logging

from agent.respond import sapi, speech
from tests.windows.harness import WINE


def test_sapi_speak_test(caplog):
    r = sapi.check("fr")
    print("SAPI check:", r, "wine:", WINE)
    if r["ok"]:
        assert r["bytes"] > 0 and r["voice"]
    else:
        assert WINE, f"SAPI does not speak on this Windows: {r}"
        assert r["error"]
    speech._once.reset("speech")
    with caplog.at_level(logging.WARNING, logger="agent.respond.speech"):
        spoken = speech.speak("Attention, message de Vigie.", "fr", wait=True)
    assert spoken is r["ok"]
    if not spoken:
        assert any("SAPI" in rec.getMessage() for rec in caplog.records)
