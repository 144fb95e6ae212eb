"""The remote-tool catalogue is generated from the pinned LOLRMM copy plus Vigie's
additions, byte for byte, and its filters keep ordinary programs from looking like
remote tools."""
import importlib.util
import sys
from pathlib import Path

import pytest

from agent.watch import catalog

ROOT = Path(__file__).resolve().parent.parent
LOLRMM = ROOT.parent / "shared" / "vendor" / "LOLRMM"
spec = importlib.util.spec_from_file_location("gen_remote_tools", ROOT / "scripts" / "gen_remote_tools.py")
gen = importlib.util.module_from_spec(spec)
sys.modules["gen_remote_tools"] = gen
spec.loader.exec_module(gen)
needs_lolrmm = pytest.mark.skipif(not (LOLRMM / "yaml").is_dir(), reason="../shared/vendor/LOLRMM is absent")


@needs_lolrmm
def test_regenerates_byte_for_byte(tmp_path):
    out = tmp_path / "remote_tools.toml"
    assert gen.main(["--lolrmm", str(LOLRMM), "--out", str(out)]) == 0
    assert out.read_bytes() == (ROOT / "assets" / "remote_tools.toml").read_bytes(), \
        "assets/remote_tools.toml is stale: run scripts/gen_remote_tools.py"
    assert gen.main(["--lolrmm", str(LOLRMM), "--check"]) == 0


@needs_lolrmm
def test_attribution_and_counts():
    text = (ROOT / "assets" / "remote_tools.toml").read_text(encoding="utf-8")
    head = text.split("[[tool]]")[0]
    assert "LOLRMM" in head and "Apache License 2.0" in head
    commit = (LOLRMM / "SOURCE.txt").read_text(encoding="utf-8").split()[3]
    assert commit in head
    third = (ROOT / "THIRD_PARTY.md").read_text(encoding="utf-8")
    assert "LOLRMM" in third and "Apache" in third and commit in third
    cat = catalog.get()
    assert len(cat.tools) > 150
    assert text.count("\nlolrmm = ") > 140


def test_generic_and_excluded_names_never_match():
    cat = catalog.get()
    # Windows' own desktop compositor, and names hundreds of programs use
    for name in ("dwm.exe", "agent.exe", "Setup.exe", "installer.exe", "Connect.exe", "AutoUpdate.exe",
                 "dd.exe", "rd.exe", "si.exe", "plink.exe", "winpty-agent.exe",
                 "agent", "bin", "update-shim.exe", "ultimate_x.exe"):
        assert cat.tool_for_process(name) is None, name
    # not "a stranger takes over this screen": sync, SSH, tunnels, outbound clients, a screen reader
    for name in ("putty.exe", "WinSCP.exe", "Syncthing.exe", "ngrok.exe", "tailscaled.exe", "mstsc.exe",
                 "nvda.exe", "MouseWithoutBorders.exe", "qq.exe", "rpcnet.exe", "remmina"):
        assert cat.tool_for_process(name) is None, name


def test_lolrmm_names_and_renamed_builds_match():
    cat = catalog.get()
    for names, tool in ((["AnyDesk (1).exe"], "anydesk"), (["AnyDesk-a1b2c3.exe"], "anydesk"),
                        (["rustdesk-1.2.3-x86_64.exe"], "rustdesk"), (["TeamViewerQS_de-x9.exe"], "teamviewer_qs"),
                        (["ToDesk_Service.exe"], "todesk"), (["G2MUI.exe"], "gotomypc"),
                        (["", "", "xrdp-sesman"], "xrdp"), (["ltsvc.exe"], "connectwise_automate_labtech"),
                        (["remcos_x.exe"], "remcos")):
        tool_found = cat.tool_for_process(*names)
        assert tool_found is not None and tool_found.id == tool, names


def test_filter_rules():
    f = gen.Filter({"generic_names": ["agent.exe", "AgentSetup-*.exe"], "keep_names": ["nxd.exe"]})
    assert not f.allows("Agent.EXE") and not f.allows("AgentSetup-*.exe")
    assert not f.allows("dd.exe") and f.allows("nxd.exe") and f.allows("anydesk.exe")
    assert not f.allows("g2a*.exe") and f.allows("rustdesk*.exe") and not f.allows("*")


def test_candidates_of_an_entry():
    doc = {"Name": "X", "Details": {
        "SupportedOS": ["Windows", "Linux", "Mac"],
        "PEMetadata": [{"Filename": "xdesk.exe", "OriginalFileName": "XDesk.exe"}, {"Filename": "xdeskd"}],
        "InstallationPaths": ["C:\\Program Files\\XDesk\\", "C:\\Program Files\\XDesk\\xsvc.exe",
                              "/Applications/XDesk.app", "/usr/bin/xdesk-agent", "xdesk.msi", "<random>.exe"]}}
    c = gen.candidates(doc)
    assert c["windows"] == ["xdesk.exe", "XDesk.exe", "xdeskd", "xsvc.exe"]   # a bare PE name of a Windows tool
    assert c["macos"] == ["XDesk"]
    assert c["linux"] == ["xdesk-agent"]
