"""Autostart on Windows (fake winreg: the real one cannot run here) and macOS (plistlib,
launchctl recorded), and the golden files every backend must reproduce byte for byte."""
from __future__ import annotations

import plistlib
import sys
from pathlib import Path

import pytest

from agent import cli, config
from agent.install import autostart, launchagent, manifest_file, systemd, winrun, xdg

ROOT = Path(__file__).resolve().parent.parent
GOLDEN = ROOT / "tests" / "golden"
WIN_EXE = r"C:\Users\Jeanne Dupont\AppData\Local\Programs\Vigie\vigiew.exe"
MAC_EXE = "/Applications/Vigie.app/Contents/MacOS/vigie"


class FakeWinreg:
    """The few winreg calls Vigie makes, over a dict; records every write."""
    HKEY_CURRENT_USER = "HKCU"
    KEY_READ, KEY_SET_VALUE = 0x20019, 0x0002
    REG_SZ, REG_BINARY = 1, 3

    class Key:
        def __init__(self, values):
            self.values = values

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

    def __init__(self):
        self.keys: dict[tuple[str, str], dict] = {}
        self.writes: list = []

    def OpenKey(self, hive, path, reserved=0, access=0):  # noqa: N802
        if (hive, path) not in self.keys:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return self.Key(self.keys[(hive, path)])

    def CreateKeyEx(self, hive, path, reserved=0, access=0):  # noqa: N802
        return self.Key(self.keys.setdefault((hive, path), {}))

    def QueryValueEx(self, key, name):  # noqa: N802
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        return key.values[name]

    def SetValueEx(self, key, name, reserved, type_, value):  # noqa: N802
        self.writes.append(("set", name, value))
        key.values[name] = (value, type_)

    def DeleteValue(self, key, name):  # noqa: N802
        if name not in key.values:
            raise FileNotFoundError(2, "The system cannot find the file specified")
        self.writes.append(("delete", name))
        del key.values[name]

    def run_values(self):
        return self.keys.get(("HKCU", winrun.RUN_KEY), {})


@pytest.fixture
def fake_reg(monkeypatch):
    reg = FakeWinreg()
    monkeypatch.setattr(winrun, "WINREG", reg)
    return reg


@pytest.fixture
def home(tmp_path, monkeypatch):
    h = tmp_path / "home"
    h.mkdir()
    monkeypatch.setenv("HOME", str(h))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(h / ".config"))
    return h


# -- golden files ---------------------------------------------------------------------

def test_golden_xdg_entry():
    assert xdg.render(["/usr/bin/vigie", "run"]) == (GOLDEN / "vigie.desktop").read_text(encoding="utf-8")


def test_golden_systemd_unit():
    assert systemd.render(["/usr/bin/vigie", "run"]) == (GOLDEN / "vigie.service").read_text(encoding="utf-8")
    assert systemd.quote_arg("/home/jean dupont/py") == '"/home/jean dupont/py"'
    assert systemd.quote_arg("100%$HOME") == "100%%$$HOME"


def test_golden_launch_agent_and_the_shipped_template():
    golden = (GOLDEN / "org.vigie.agent.plist").read_bytes()
    assert launchagent.render([MAC_EXE, "run"]) == golden
    assert (ROOT / "installer" / "macos" / "org.vigie.agent.plist").read_bytes() == golden
    job = plistlib.loads(golden)
    assert job["ProgramArguments"] == [MAC_EXE, "run"] and job["RunAtLoad"] is True


def test_golden_windows_command_line():
    expected = (GOLDEN / "winrun-command.txt").read_text(encoding="utf-8").rstrip("\n")
    assert winrun.command_line([WIN_EXE, "run"]) == expected


# -- Windows: the Run key ---------------------------------------------------------------

def test_windows_install_sets_the_run_value_once(fake_reg):
    fake_reg.CreateKeyEx("HKCU", winrun.RUN_KEY)
    fake_reg.run_values()["OneDrive"] = ('"C:\\OneDrive.exe" /background', 1)
    written = autostart.install([WIN_EXE, "run"], platform="win32")
    assert written == ["HKCU\\" + winrun.RUN_KEY + "\\Vigie"]
    golden = (GOLDEN / "winrun-command.txt").read_text(encoding="utf-8").rstrip("\n")
    assert fake_reg.run_values()["Vigie"] == (golden, FakeWinreg.REG_SZ)
    assert autostart.is_installed("win32")
    manifest = manifest_file().read_bytes()
    autostart.install([WIN_EXE, "run"], platform="win32")
    assert [w for w in fake_reg.writes if w[0] == "set"] == [("set", "Vigie", golden)]  # idempotent
    assert manifest_file().read_bytes() == manifest


def test_windows_uninstall_removes_only_our_value(fake_reg):
    autostart.install([WIN_EXE, "run"], platform="win32")
    fake_reg.run_values()["OneDrive"] = ("C:\\OneDrive.exe", 1)
    removed = autostart.uninstall(platform="win32")
    assert "HKCU\\" + winrun.RUN_KEY + "\\Vigie" in removed
    assert fake_reg.run_values() == {"OneDrive": ("C:\\OneDrive.exe", 1)}
    assert not autostart.is_installed("win32")
    assert not manifest_file().exists()


def test_windows_entry_disabled_in_task_manager(fake_reg):
    autostart.install([WIN_EXE, "run"], platform="win32")
    fake_reg.CreateKeyEx("HKCU", winrun.APPROVED_KEY).values["Vigie"] = (b"\x03" + b"\0" * 11, 3)
    assert not autostart.is_installed("win32")
    autostart.install([WIN_EXE, "run"], platform="win32")  # the helper asked again: re-enabled
    assert autostart.is_installed("win32")


def test_windows_registry_failure_is_a_clear_install_error(fake_reg, monkeypatch):
    def refuse(*a):
        raise PermissionError(5, "Access is denied")
    monkeypatch.setattr(fake_reg, "SetValueEx", refuse)
    with pytest.raises(OSError) as err:
        autostart.install([WIN_EXE, "run"], platform="win32")
    assert "Access is denied" in str(err.value) and "Vigie" in str(err.value)
    assert not autostart.is_installed("win32")


def test_windows_cli_install_and_uninstall(fake_reg, home, monkeypatch, capsys):
    monkeypatch.setattr(autostart, "platform_kind", lambda platform=None: "windows")
    monkeypatch.setattr(autostart, "entry_command", lambda platform=None: [WIN_EXE, "run"])
    assert cli.main(["install", "--silent", "--lang", "fr", "--helper-name", "Marie"]) == 0
    assert "Vigie est installé" in capsys.readouterr().out
    assert fake_reg.run_values()["Vigie"][0].startswith('"C:\\Users\\Jeanne Dupont')
    assert config.load()[0].helper_name == "Marie"
    assert cli.main(["uninstall", "--silent"]) == 0
    assert fake_reg.run_values() == {}


def test_is_installed_without_winreg_is_false_not_a_crash(monkeypatch):
    monkeypatch.setattr(winrun, "WINREG", None)
    if sys.platform != "win32":
        assert autostart.is_installed("win32") is False


# -- macOS: the LaunchAgent -------------------------------------------------------------

def test_macos_install_writes_the_plist_and_uninstall_unloads_it(home, monkeypatch):
    calls = []
    monkeypatch.setattr(launchagent, "RUN", lambda argv, **kw: calls.append(argv))
    written = autostart.install([MAC_EXE, "run"], platform="darwin")
    plist = home / "Library" / "LaunchAgents" / "org.vigie.agent.plist"
    assert written[0] == plist
    assert plist.read_bytes() == (GOLDEN / "org.vigie.agent.plist").read_bytes()
    assert autostart.is_installed("darwin")
    mtime = plist.stat().st_mtime_ns
    autostart.install([MAC_EXE, "run"], platform="darwin")
    assert plist.stat().st_mtime_ns == mtime
    autostart.uninstall(platform="darwin")
    assert calls and calls[0][:2] == ["launchctl", "bootout"] and calls[0][2].endswith("/org.vigie.agent")
    assert not plist.exists() and not (home / "Library").exists()
    assert not autostart.is_installed("darwin")


def test_macos_damaged_plist_is_not_installed(home):
    launchagent.agents_dir().mkdir(parents=True)
    launchagent.plist_file().write_bytes(b"<plist>broken")
    assert autostart.is_installed("darwin") is False
