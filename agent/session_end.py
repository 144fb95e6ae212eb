"""The system asks Vigie to stop: SIGTERM/SIGINT/SIGHUP (log-out, shutdown, ``kill``), and on
Windows the console control events and the session-end messages of a log-off or shutdown
(``WM_QUERYENDSESSION``/``WM_ENDSESSION``, broadcast to top-level windows: a hidden window
on a thread of its own receives them).

``install(on_end)`` calls ``on_end(reason)`` for each; :func:`is_session_end` says whether
that reason is a log-out or shutdown (Windows' session end; on Linux, logind says) or a
stop that someone asked for (``kill``, a task manager's "End"), which the helper hears of; ``on_end`` must record the clean stop
*first* (``instance.mark_clean_stop``): after ``WM_ENDSESSION`` returns, or a console
handler returns, Windows may end the process at any moment. Called once by the main thread
of ``vigie run``; ``on_end`` runs on the main thread (signals) or the session thread
(Windows).
"""
from __future__ import annotations

import logging
import signal
import sys
import threading

log = logging.getLogger(__name__)
SIGNALS = ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK")
WM_QUERYENDSESSION, WM_ENDSESSION, WM_CLOSE, WM_DESTROY = 0x0011, 0x0016, 0x0010, 0x0002
CTRL_EVENTS = {0: "ctrl-c", 1: "ctrl-break", 2: "console closed", 5: "log-off", 6: "shutdown"}
SESSION_END = ("windows session end", "windows log-off", "windows shutdown")


def is_session_end(reason: str, ask=None) -> bool:
    """True for a log-out or shutdown; False for any other stop. POSIX signals: logind's
    word (``agent.logind.session_ending``, or ``ask()``); without logind (no system bus, as
    in CI) a signal counts as a stop, reported: a scammer's ``kill`` must never pass for a
    log-out."""
    if reason in SESSION_END:
        return True
    if reason.startswith("windows"):      # Ctrl+C, Ctrl+Break, the console closed
        return False
    if ask is None:
        from agent.logind import session_ending as ask  # noqa: PLC0415
    return bool(ask())


def install(on_end, windows: bool | None = None) -> list[str]:
    """Route every stop request to ``on_end(reason)``; returns what was installed."""
    done: list[str] = []

    def handler(signum, _frame):
        on_end(signal.Signals(signum).name)

    for name in SIGNALS:
        sig = getattr(signal, name, None)
        if sig is None:
            continue
        try:
            signal.signal(sig, handler)
            done.append(name)
        except (OSError, ValueError):     # not the main thread, or not allowed here
            pass
    if windows if windows is not None else sys.platform == "win32":
        done += WindowsSessionEnd(on_end).start()
    return done


class WindowsSessionEnd:
    """The console control handler and a hidden top-level window's message loop.

    ``user32``/``kernel32`` are ctypes' DLLs; tests hand in fakes of these lowest calls
    and call :meth:`window_proc` / :meth:`console_ctrl` as Windows would."""

    def __init__(self, on_end, user32=None, kernel32=None):
        self.on_end = on_end
        self._user32, self._kernel32 = user32, kernel32
        self._keep: list = []            # ctypes callbacks must outlive their registration
        self.ended = threading.Event()

    def _dlls(self):
        if self._user32 is None:
            import ctypes  # noqa: PLC0415
            self._user32, self._kernel32 = ctypes.windll.user32, ctypes.windll.kernel32
        return self._user32, self._kernel32

    def _end(self, reason: str) -> None:
        if not self.ended.is_set():
            self.ended.set()
            self.on_end(reason)

    def console_ctrl(self, ctrl_type: int) -> bool:
        """``SetConsoleCtrlHandler`` callback: True = handled."""
        reason = CTRL_EVENTS.get(int(ctrl_type))
        if reason is None:
            return False
        self._end(f"windows {reason}")
        return True

    def window_proc(self, hwnd, msg, wparam, lparam):
        """The hidden window's procedure: allow the session to end; on the end, stop cleanly."""
        if msg == WM_QUERYENDSESSION:
            return 1
        if msg == WM_ENDSESSION:
            if wparam:
                self._end("windows session end")
            return 0
        return self._dlls()[0].DefWindowProcW(hwnd, msg, wparam, lparam)

    def start(self) -> list[str]:
        out = []
        try:
            import ctypes  # noqa: PLC0415
            from ctypes import wintypes  # noqa: PLC0415
            _user32, kernel32 = self._dlls()
            handler_type = ctypes.WINFUNCTYPE(wintypes.BOOL, wintypes.DWORD)
            cb = handler_type(self.console_ctrl)
            self._keep.append(cb)
            if kernel32.SetConsoleCtrlHandler(cb, True):
                out.append("console-ctrl")
        except Exception as exc:  # noqa: BLE001 - not Windows, or no console
            log.debug("no console control handler: %s", exc)
        thread = threading.Thread(target=self._loop, name="vigie-session-end", daemon=True)
        thread.start()
        out.append("session-window")
        return out

    def _loop(self) -> None:
        try:
            import ctypes  # noqa: PLC0415
            from ctypes import wintypes  # noqa: PLC0415
            user32, kernel32 = self._dlls()
            lresult = ctypes.c_ssize_t
            proc_type = ctypes.WINFUNCTYPE(lresult, wintypes.HWND, wintypes.UINT, wintypes.WPARAM, wintypes.LPARAM)
            proc = proc_type(self.window_proc)
            self._keep.append(proc)

            class WNDCLASSW(ctypes.Structure):
                _fields_ = [("style", wintypes.UINT), ("lpfnWndProc", proc_type), ("cbClsExtra", ctypes.c_int),
                            ("cbWndExtra", ctypes.c_int), ("hInstance", wintypes.HINSTANCE),
                            ("hIcon", wintypes.HICON), ("hCursor", wintypes.HANDLE), ("hbrBackground", wintypes.HBRUSH),
                            ("lpszMenuName", wintypes.LPCWSTR), ("lpszClassName", wintypes.LPCWSTR)]
            wc = WNDCLASSW(lpfnWndProc=proc, hInstance=kernel32.GetModuleHandleW(None),
                           lpszClassName="VigieSessionEnd")
            self._keep.append(wc)
            if not user32.RegisterClassW(ctypes.byref(wc)):
                raise OSError("RegisterClassW failed")
            user32.CreateWindowExW.restype = wintypes.HWND
            hwnd = user32.CreateWindowExW(0, "VigieSessionEnd", "Vigie", 0, 0, 0, 0, 0, None, None,
                                          wc.hInstance, None)
            if not hwnd:
                raise OSError("CreateWindowExW failed")
            msg = wintypes.MSG()
            while user32.GetMessageW(ctypes.byref(msg), None, 0, 0) > 0:
                user32.TranslateMessage(ctypes.byref(msg))
                user32.DispatchMessageW(ctypes.byref(msg))
        except Exception as exc:  # noqa: BLE001 - signals still work; a crash notice may be wrong
            log.warning("no session-end window (a log-off may be reported as a crash): %s", exc)
