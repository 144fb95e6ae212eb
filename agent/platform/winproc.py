"""Windows: a process's name when psutil cannot tell it.

psutil names a process through ``NtQuerySystemInformation(SystemProcessIdInformation)``,
which fails for some processes (AccessDenied for elevated ones on Windows, WinError 87
for every process under Wine): then no browser and no remote tool would be recognised.
:func:`describe` asks psutil first and falls back to ``QueryFullProcessImageNameW``
(``PROCESS_QUERY_LIMITED_INFORMATION`` is granted for almost every process), then to the
command line's first word. :data:`IMAGE_PATH` is the seam tests replace. Any thread.
"""
from __future__ import annotations

import sys

from agent.platform.base import base_name

PROCESS_QUERY_LIMITED_INFORMATION = 0x1000


def image_path(pid: int) -> str:  # pragma: no cover - needs Windows (run for real in the Wine lane)
    """The full path of ``pid``'s executable, or "" when it cannot be read."""
    if sys.platform != "win32" or not pid:
        return ""
    import ctypes  # noqa: PLC0415
    from ctypes import wintypes as w  # noqa: PLC0415
    k32 = ctypes.WinDLL("kernel32", use_last_error=True)
    k32.OpenProcess.restype, k32.OpenProcess.argtypes = w.HANDLE, [w.DWORD, w.BOOL, w.DWORD]
    k32.QueryFullProcessImageNameW.argtypes = [w.HANDLE, w.DWORD, w.LPWSTR, ctypes.POINTER(w.DWORD)]
    k32.CloseHandle.argtypes = [w.HANDLE]
    handle = k32.OpenProcess(PROCESS_QUERY_LIMITED_INFORMATION, False, pid)
    if not handle:
        return ""
    try:
        buf = ctypes.create_unicode_buffer(32768)
        size = w.DWORD(len(buf))
        return buf.value if k32.QueryFullProcessImageNameW(handle, 0, buf, ctypes.byref(size)) else ""
    finally:
        k32.CloseHandle(handle)


IMAGE_PATH = image_path   # seam: tests put a fake here


def describe(pid: int) -> tuple[str, str]:
    """(name, exe) of ``pid``: psutil's, else the image path's, else argv[0]'s; blanks
    when nothing can be read. Never raises."""
    name = exe = ""
    argv0 = ""
    try:
        import psutil  # noqa: PLC0415
        proc = psutil.Process(pid)
        for attr in ("name", "exe"):
            try:
                value = getattr(proc, attr)() or ""
            except Exception:  # noqa: BLE001 - AccessDenied, WinError 87 under Wine
                value = ""
            if attr == "name":
                name = value
            else:
                exe = value
        if not name and not exe:
            try:
                argv0 = (proc.cmdline() or [""])[0]
            except Exception:  # noqa: BLE001
                argv0 = ""
    except Exception:  # noqa: BLE001 - no such process, no psutil
        pass
    if not exe:
        try:
            exe = IMAGE_PATH(pid) or ""
        except Exception:  # noqa: BLE001
            exe = ""
    return name or base_name(exe) or base_name(argv0), exe
