"""The shipped catalogues and matching."""
import datetime as dt

import pytest

from agent.platform.base import WindowInfo
from agent.watch import allowlist, catalog

REQUIRED = ["anydesk", "teamviewer", "teamviewer_qs", "ultraviewer", "rustdesk", "screenconnect",
            "logmein_rescue", "goto_resolve", "splashtop", "supremo", "zoho_assist", "quick_assist", "msra",
            "chrome_remote_desktop", "aeroadmin", "ammyy", "netsupport", "remote_utilities", "dwservice",
            "hoptodesk", "getscreen", "anyviewer", "todesk", "sunlogin", "realvnc", "tightvnc", "ultravnc",
            "tigervnc", "simplehelp", "beyondtrust", "atera"]


@pytest.fixture(scope="module")
def cat():
    return catalog.get()


def test_catalogue_is_complete(cat):
    assert cat.problems == []
    assert len(cat.tools) >= 35
    ids = {t.id for t in cat.tools}
    assert set(REQUIRED) <= ids
    assert len(ids) == len(cat.tools), "tool ids are unique"
    for t in cat.tools:
        assert t.windows or t.macos or t.linux, t.id
    assert {b["id"] for b in cat.browsers} >= {"chrome", "chromium", "edge", "firefox", "opera", "brave",
                                                 "vivaldi", "safari", "yandex"}
    assert {p["id"] for p in cat.proofs} >= {"event_viewer", "netstat", "tree", "dir_s", "cipher_w", "syskey"}


@pytest.mark.parametrize("names,tool", [
    (["AnyDesk"], "anydesk"), (["ANYDESK.EXE"], "anydesk"), (["", r"C:\Users\a\Downloads\AnyDesk.exe"], "anydesk"),
    (["TeamViewerQS_fr.exe"], "teamviewer_qs"), (["teamviewerd"], "teamviewer"), (["rustdesk"], "rustdesk"),
    (["QuickAssist.exe"], "quick_assist"), (["msra.exe"], "msra"), (["remoting_host.exe"], "chrome_remote_desktop"),
    (["x11vnc"], "x11vnc"), (["ScreenConnect.ClientService.exe"], "screenconnect"), (["AA_v3.exe"], "ammyy"),
])
def test_tool_matching(cat, names, tool):
    assert cat.tool_for_process(*names).id == tool


@pytest.mark.parametrize("name", ["sleep", "bash", "chrome.exe", "", "explorer.exe", "python3"])
def test_not_tools(cat, name):
    assert cat.tool_for_process(name) is None


@pytest.mark.parametrize("file,tool", [
    ("AnyDesk.exe", "anydesk"), ("AnyDesk (1).exe", "anydesk"), ("TeamViewerQS_fr.exe", "teamviewer_qs"),
    ("TeamViewer_Setup_x64.exe", "teamviewer"), ("rustdesk-1.2.3-x86_64.msi", "rustdesk"),
    ("Support-LogMeInRescue.exe", "logmein_rescue"), ("UltraViewer_setup_6.6_fr.exe", "ultraviewer"),
])
def test_installer_matching(cat, file, tool):
    assert cat.tool_for_installer(file).id == tool


def test_installer_partial_and_other_files(cat):
    assert cat.tool_for_installer("AnyDesk.exe.crdownload") is None
    assert cat.tool_for_installer("anydesk.exe.part") is None
    assert cat.tool_for_installer("holiday-photos.zip") is None


def test_browser_of(cat):
    w = lambda **k: WindowInfo(1, **k)  # noqa: E731
    assert cat.browser_of(w(process_name="chromium", wm_class="chromium.Chromium")) == "chromium"
    assert cat.browser_of(w(process_name="", exe=r"C:\Program Files\Google\Chrome\chrome.exe")) == "chrome"
    assert cat.browser_of(w(wm_class="MozillaWindowClass")) == "firefox"
    assert cat.browser_of(w(process_name="msedge.exe")) == "edge"
    assert cat.browser_of(w(process_name="Safari")) == "safari"
    assert cat.browser_of(w(process_name="libreoffice", wm_class="libreoffice.LibreOffice")) is None
    assert cat.browser_of(None) is None


def test_titles_and_proof_tools(cat):
    assert cat.suspicious_title("Alerte de sécurité Microsoft - Google Chrome")
    assert cat.suspicious_title("Windows Defender - Security Warning")
    assert cat.suspicious_title("Recette de la tarte aux pommes - Firefox") is None
    assert cat.bank_in_title("Crédit Agricole - Mes comptes - Chromium")
    assert cat.bank_in_title("PayPal: Summary") and cat.bank_in_title("Chase Online Banking")
    assert cat.bank_in_title("Recette de la tarte aux pommes") is None
    assert cat.proof_for_process("netstat.exe", ["netstat", "-ano"])["id"] == "netstat"
    assert cat.proof_for_process("cmd.exe", ["cmd", "/c", "dir /s"])["id"] == "dir_s"
    assert cat.proof_for_process("mmc.exe", ["mmc.exe", "C:\\Windows\\system32\\eventvwr.msc"])["id"] == "event_viewer"
    assert cat.proof_for_process("notepad.exe", ["notepad"]) is None


def test_broken_catalogue_is_a_problem_not_a_crash(tmp_path):
    (tmp_path / "browsers.toml").write_text("this is = = not toml", encoding="utf-8")
    (tmp_path / "remote_tools.toml").write_text('[[tool]]\nname = "no id"\n[[tool]]\nid = "x"\nlinux = ["xtool"]\n')
    c = catalog.load(tmp_path)
    assert any("browsers.toml" in p for p in c.problems)
    assert any("risky_sites.toml is missing" in p for p in c.problems)
    assert any("no id" in p for p in c.problems)
    assert c.tool_for_process("xtool").id == "x"
    assert c.browser_of(WindowInfo(1, process_name="chrome")) is None


def test_allowlist_hours():
    tool = catalog.get().tool("rustdesk")
    at = lambda h, m=0: dt.datetime(2024, 5, 1, h, m)  # noqa: E731
    assert allowlist.is_allowed(tool, ["RustDesk"], "", at(3))
    assert allowlist.is_allowed(tool, ["rustdesk"], "14:00-18:00", at(15))
    assert not allowlist.is_allowed(tool, ["rustdesk"], "14:00-18:00", at(18))
    assert allowlist.is_allowed(tool, ["rustdesk"], "22:00-02:00", at(1))
    assert not allowlist.is_allowed(tool, ["rustdesk"], "22:00-02:00", at(12))
    assert allowlist.is_allowed(tool, ["rustdesk"], "08:00-24:00", at(23, 59))
    assert not allowlist.is_allowed(tool, ["anydesk"], "", at(3))
    assert not allowlist.is_allowed(tool, ["rustdesk"], "2pm to 6pm", at(15)), "a bad window allows nothing"
    assert allowlist.hours_problem("2pm to 6pm") and allowlist.hours_problem("25:00-26:00")
    assert allowlist.hours_problem("") is None and allowlist.hours_problem("9:30-12:00") is None
    assert not allowlist.is_allowed(None, ["x"])
