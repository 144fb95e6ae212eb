"""Who connected: the parsers of each tool's connection logs, on fixtures written in
each format (tests/fixtures/aftercare), and the reading of real files by offset."""
from pathlib import Path

from agent.respond.aftercare import connlogs

FIX = Path(__file__).parent / "fixtures" / "aftercare"


def text(name):
    return (FIX / name).read_text(encoding="utf-8")


def test_anydesk_connection_trace():
    conns = connlogs.parse_anydesk_connection_trace(text("anydesk_connection_trace.txt"))
    assert [(c.time, c.direction, c.remote_id, c.auth) for c in conns] == [
        ("2026-11-30 14:02", "incoming", "482913570", "User"),
        ("2026-11-30 14:41", "incoming", "482913570", "Passwd"),
        ("2026-11-29 09:15", "outgoing", "101202303", "User")]
    assert conns[1].remote_name == "support-technique@ad" and conns[0].remote_name == ""


def test_anydesk_trace_ids_and_addresses():
    conns = connlogs.parse_anydesk_trace(text("anydesk_ad.trace"), "ad.trace")
    assert [(c.time, c.remote_id, c.remote_ip, c.remote_name) for c in conns] == [
        ("2026-11-30 14:02:37", "482913570", "203.0.113.77", ""),
        ("2026-11-30 14:02:38", "482913570", "", "Support Technique"),
        ("2026-11-30 14:41:05", "482913570", "2001:db8::7", "")]
    svc = connlogs.parse_anydesk_trace(text("anydesk_ad_svc.trace"), "ad_svc.trace")
    assert [(c.remote_id, c.remote_ip) for c in svc] == [("482913570", "203.0.113.77")], \
        "this computer's own external address is not a remote one"


def test_teamviewer_connections_incoming_and_logfile():
    conns = connlogs.parse_teamviewer_connections(text("teamviewer_Connections_incoming.txt"))
    assert [(c.remote_id, c.remote_name, c.time, c.end, c.kind) for c in conns] == [
        ("731204598", "Jean Dupont - Support", "30-11-2026 15:10:04", "30-11-2026 15:52:40", "RemoteControl"),
        ("1300450781", "Helpdesk", "30-11-2026 16:20:00", "30-11-2026 16:21:13", "FileTransfer")]
    log = connlogs.parse_teamviewer_logfile(text("TeamViewer15_Logfile.log"))
    assert [(c.remote_id, c.remote_name, c.remote_ip) for c in log] == [
        ("731204598", "Jean Dupont - Support", "203.0.113.91")], "this computer's own ID is left out"


def test_garbage_gives_nothing():
    for parse in (connlogs.parse_anydesk_connection_trace, connlogs.parse_anydesk_trace,
                  connlogs.parse_teamviewer_connections, connlogs.parse_teamviewer_logfile):
        assert parse("\x00\x01 nothing here\n\n\tIncoming\n12\t\n") == []


def test_paths_per_os():
    env = {"APPDATA": r"C:\Users\m\AppData\Roaming", "PROGRAMDATA": r"C:\ProgramData",
           "ProgramFiles": r"C:\Program Files"}
    win = connlogs.log_files("anydesk", "windows", env, "C:\\Users\\m")
    assert r"C:\Users\m\AppData\Roaming\AnyDesk\connection_trace.txt" in win
    assert r"C:\ProgramData\AnyDesk\ad_svc.trace" in win
    tv = connlogs.log_files("teamviewer_qs", "windows", env)
    assert r"C:\Program Files\TeamViewer\Connections_incoming.txt" in tv
    assert not any("%" in p for p in tv), "an unknown variable leaves the path out"
    assert "/home/m/.anydesk/connection_trace.txt" in connlogs.log_files("anydesk", "linux", {}, "/home/m")
    assert "/Library/Logs/TeamViewer/TeamViewer*_Logfile*.log" in connlogs.log_files("teamviewer", "macos", {}, "/Users/m")
    assert connlogs.log_files("rustdesk", "linux", {}, "/home/m") == []


def test_read_only_what_the_session_added(tmp_path):
    home = tmp_path / "home"
    (home / ".anydesk").mkdir(parents=True)
    trace = home / ".anydesk" / "connection_trace.txt"
    trace.write_text("Incoming \t2026-11-01, 10:00\tUser\t111222333\t111222333\n")
    before = connlogs.sizes("anydesk", os_name="linux", env={}, home=str(home))
    old, problems = connlogs.read("anydesk", os_name="linux", env={}, home=str(home))
    assert [c.remote_id for c in old] == ["111222333"] and problems == []
    with trace.open("a") as f:
        f.write("Incoming \t2026-11-30, 14:02\tUser\t482913570\t482913570\n")
    (home / ".anydesk" / "anydesk.trace").write_text(text("anydesk_ad.trace"))
    new, _ = connlogs.read("anydesk", since=before, os_name="linux", env={}, home=str(home))
    # the connection_trace line and the trace lines of one minute make one connection
    assert [(c.remote_id, c.remote_ip, c.auth, c.remote_name) for c in new] == [
        ("482913570", "203.0.113.77", "User", "Support Technique"),
        ("482913570", "2001:db8::7", "", "")]
    trace.write_text("Incoming \t2026-12-01, 09:00\tUser\t999\t999\n")     # rotated: shorter than before
    rotated, _ = connlogs.read("anydesk", since={str(trace): 10_000}, os_name="linux", env={}, home=str(home))
    assert "999" in [c.remote_id for c in rotated]


def test_utf16_log_and_unreadable_file(tmp_path):
    home = tmp_path / "home"
    (home / ".anydesk").mkdir(parents=True)
    (home / ".anydesk" / "connection_trace.txt").write_bytes(
        "Incoming \t2026-11-30, 14:02\tUser\t482913570\t482913570\n".encode("utf-16"))
    (home / ".anydesk" / "broken.trace").mkdir()     # a folder where a file was expected
    conns, problems = connlogs.read("anydesk", os_name="linux", env={}, home=str(home))
    assert [c.remote_id for c in conns] == ["482913570"]
    assert any("broken.trace" in p for p in problems)
