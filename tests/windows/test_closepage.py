""""Close this page" under Wine, for real: a fullscreen chrome.exe page started by a
program that also started something else (as explorer.exe starts the browser and every
other program on Windows) is closed through the product's close path, called from another
process as the alert window calls it. The page ends; the program that started it, its other
child and the Wine desktop (explorer.exe) live on. (Under Wine psutil cannot name processes:
with blank names everything "had the browser's name", and the close took the parent's whole
tree, the desktop shell with it.)"""
import json
import os
import subprocess
import sys

import psutil

from agent.platform import winproc
from tests.waiting import wait_for
from tests.windows.harness import HERE, in_front, python_env, run_python

# the launcher: starts the page (chrome.exe) and an unrelated program, prints their pids,
# passes "full" to the page, then waits until its own stdin closes
LAUNCHER = r"""
import subprocess, sys
chrome, page_py, python = sys.argv[1:4]
page = subprocess.Popen([chrome, page_py, "Your computer is locked"], stdin=subprocess.PIPE, text=True)
other = subprocess.Popen([python, "-c", "import time; time.sleep(600)"], stdin=subprocess.DEVNULL)
print(page.pid, other.pid, flush=True)
for line in sys.stdin:
    page.stdin.write(line)
    page.stdin.flush()
"""

CLOSE = ("import json, sys; from agent.respond import closepage; "
         "print(json.dumps(closepage.close_page(int(sys.argv[1]), int(sys.argv[2]), sys.argv[3])))")


def named(name: str) -> list[int]:
    out = []
    for pid in psutil.pids():
        if winproc.describe(pid)[0].lower() == name:
            out.append(pid)
    return out


def test_close_this_page_ends_the_page_only(backend, stand_ins):
    explorers = named("explorer.exe")
    assert explorers, "the Wine desktop (explorer.exe) is not running"
    launcher = subprocess.Popen([sys.executable, "-c", LAUNCHER, stand_ins["chrome.exe"],
                                 os.path.join(HERE, "tkpage.py"), sys.executable],
                                stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, bufsize=1,
                                env=python_env())
    page_pid = other_pid = None
    try:
        page_pid, other_pid = map(int, launcher.stdout.readline().split())
        assert psutil.Process(page_pid).ppid() == launcher.pid == psutil.Process(other_pid).ppid()
        assert in_front(backend, page_pid)
        launcher.stdin.write("full\n")
        launcher.stdin.flush()
        win = wait_for(lambda: (lambda a: a if a and a.pid == page_pid and a.fullscreen else None)(
            backend.active_window()), 30)
        assert win, backend.active_window()

        done = run_python("-c", CLOSE, str(win.id), str(page_pid), win.title, timeout=120)
        assert done.returncode == 0, done.stdout + done.stderr
        result = json.loads(done.stdout.strip().splitlines()[-1])
        assert result["ok"] and result["how"] == "browser", result
        assert result["browser_pid"] == page_pid and result["ended"] == 1, result

        assert wait_for(lambda: not psutil.pid_exists(page_pid), 30), "the page is still there"
        assert not backend.exists(win.id)
        assert launcher.poll() is None, "the program that started the browser was ended"
        assert psutil.pid_exists(other_pid), "an unrelated program was ended with the browser"
        assert all(psutil.pid_exists(p) for p in explorers), "the Wine desktop was ended"
        assert named("explorer.exe") == explorers
    finally:
        for pid in (page_pid, other_pid):
            if pid and psutil.pid_exists(pid):
                psutil.Process(pid).kill()
        launcher.kill()
