"""Acting on processes: end, pause or resume a process tree; close a browser tree.

psutil only, so the same code runs on Linux, Windows and macOS. Refuses to touch pid 0/1,
Vigie itself or one of its ancestors (the session would go with it). Called by the
alert/question processes when the person clicks, and by the Responder (suspend mode);
every function returns what it did and never raises for a process that has gone.
"""
from __future__ import annotations

import logging
import os

import psutil

from agent.platform import winproc

log = logging.getLogger(__name__)
BROWSER_NAMES = ("chrome", "chromium", "chromium-browser", "msedge", "microsoft-edge", "firefox",
                 "firefox-esr", "brave", "brave-browser", "opera", "vivaldi", "safari", "iexplore")


def _protected() -> set[int]:
    """Pids that must never be ended: 0, 1, this process and its ancestors."""
    out = {0, 1, os.getpid()}
    try:
        out.update(p.pid for p in psutil.Process().parents())
    except psutil.Error:
        pass
    return out


def tree(pid: int) -> list[psutil.Process]:
    """The process and all its descendants (children first is not guaranteed)."""
    try:
        root = psutil.Process(pid)
        return [root] + root.children(recursive=True)
    except psutil.Error:
        return []


def _base(name: str) -> str:
    name = (name or "").lower()
    return name[:-4] if name.endswith(".exe") else name


def name_of(pid: int) -> str:
    """``pid``'s program name, lower case without ".exe"; "" when it cannot be read.
    Through :func:`agent.platform.winproc.describe` (psutil, else on Windows the image
    path): under Wine psutil's ``name()`` raises WinError 87 — an OSError, not a
    psutil.Error — for every process, and AccessDenied for elevated ones on Windows."""
    return _base(winproc.describe(pid)[0])


def is_browser(name: str) -> bool:
    base = _base(name)
    return any(base == b or base.startswith(b + "-") or base.startswith(b + "_") for b in BROWSER_NAMES)


def browser_root(pid: int) -> int | None:
    """The top process of the browser that owns ``pid`` (Chromium's renderers and zygotes
    share its name): climb while the parent has the same name or is a browser. A parent
    whose name cannot be read is never climbed to (two blank names are not "the same":
    under Wine that climbed to the program that started the browser, and ended its tree)."""
    try:
        proc = psutil.Process(pid)
        name = name_of(pid)
        protected = _protected()
        while True:
            parent = proc.parent()
            if parent is None or parent.pid in protected:
                break
            pname = name_of(parent.pid)
            if not pname or (pname != name and not is_browser(pname)):
                break
            proc = parent
        return proc.pid
    except psutil.Error:
        return None


def terminate_tree(pid: int, timeout: float = 3.0) -> list[int]:
    """End the tree: polite ``terminate`` (the browser saves its state as a normal exit),
    then ``kill`` what is left after ``timeout``. Returns the pids that are gone."""
    if pid in _protected():
        log.error("refusing to end process %s: it is Vigie or one of its parents", pid)
        return []
    return _terminate([p for p in tree(pid) if p.pid not in _protected()], timeout)


def _terminate(procs: list[psutil.Process], timeout: float) -> list[int]:
    for p in procs:
        try:
            p.terminate()
            if p.status() == psutil.STATUS_STOPPED:
                p.resume()      # a paused process must run to receive the signal
        except psutil.Error:
            pass
    gone, alive = psutil.wait_procs(procs, timeout=timeout)
    for p in alive:
        try:
            p.kill()
        except psutil.Error:
            pass
    gone2, alive2 = psutil.wait_procs(alive, timeout=timeout)
    if alive2:
        log.error("processes %s did not end", [p.pid for p in alive2])
    return [p.pid for p in gone + gone2]


def suspend_tree(pid: int) -> list[int]:
    """Pause the process and its children (they keep their state). Returns the pids paused."""
    if pid in _protected():
        log.error("refusing to pause process %s: it is Vigie or one of its parents", pid)
        return []
    done = []
    for p in tree(pid):
        try:
            p.suspend()
            done.append(p.pid)
        except psutil.Error as exc:
            log.warning("cannot pause process %s: %s", p.pid, exc)
    return done


def resume_tree(pid: int) -> list[int]:
    """Let a paused tree run again. Returns the pids resumed."""
    done = []
    for p in tree(pid):
        try:
            p.resume()
            done.append(p.pid)
        except psutil.Error as exc:
            log.warning("cannot resume process %s: %s", p.pid, exc)
    return done


def alive(pid: int) -> bool:
    """True if ``pid`` exists and is not a zombie."""
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False


def browser_processes(root: int) -> list[psutil.Process]:
    """The browser's own processes under ``root``: the root and the descendants with the
    root's name or a browser's name (renderers, GPU, utility). Other programs the browser
    started (a desktop shell under Wine, a helper app) are left alone, and so is a
    descendant whose name cannot be read."""
    try:
        top = psutil.Process(root)
        name = name_of(root)
        kids = top.children(recursive=True)
    except psutil.Error:
        return []
    own = [top]
    for p in kids:
        pname = name_of(p.pid)
        if pname and (pname == name or is_browser(pname)):
            own.append(p)
    protected = _protected()
    return [p for p in own if p.pid not in protected]


def close_browser(pid: int, timeout: float = 5.0) -> dict:
    """Close the browser that shows the scam: its own processes only (see
    :func:`browser_processes`). ``{"root": pid, "ended": [...], "ok": bool}``."""
    root = browser_root(pid)
    if root is None:
        return {"root": None, "ended": [], "ok": not alive(pid)}
    if root in _protected():
        log.error("refusing to end process %s: it is Vigie or one of its parents", root)
        return {"root": root, "ended": [], "ok": False}
    ended = _terminate(browser_processes(root), timeout)
    return {"root": root, "ended": ended, "ok": not alive(root)}
