"""Entry point of the PyInstaller bundles (Windows ``vigie.exe``/``vigiew.exe``, macOS
``Vigie.app``): the ``vigie`` command line.

The agent starts its GUI helper processes as ``[sys.executable, "-m", module, ...]``; a
frozen executable has no ``-m`` option, so it is handled here: ``vigie.exe -m
agent.respond.gui.alert_window ...`` runs that module as ``__main__`` with the rest of the
arguments, as ``python -m`` does (a module that is not in the bundle: Python's own
one-line message and exit status 1, no traceback).

On Windows, output that goes to a pipe or a file (the installer reading ``vigie install``'s
words, ``vigie doctor > report.txt``) is written in UTF-8: the bundle ignores
PYTHONIOENCODING, and the ANSI code page cannot write "→" or "…" (a crash otherwise).
"""
import importlib.util
import runpy
import sys


def _utf8_when_redirected() -> None:
    if sys.platform != "win32":
        return
    for stream in (sys.stdout, sys.stderr):
        try:
            if stream is not None and not stream.isatty():
                stream.reconfigure(encoding="utf-8", errors="replace")
        except (AttributeError, OSError, ValueError):
            pass


def main() -> int:
    _utf8_when_redirected()
    if len(sys.argv) >= 3 and sys.argv[1] == "-m":
        module = sys.argv[2]
        try:
            found = importlib.util.find_spec(module) is not None
        except (ImportError, ValueError):
            found = False
        if not found:
            print(f"{sys.argv[0]}: No module named {module}", file=sys.stderr)
            return 1
        sys.argv = [sys.argv[0], *sys.argv[3:]]
        runpy.run_module(module, run_name="__main__", alter_sys=True)
        return 0
    from agent.cli import main as cli_main
    return cli_main()


if __name__ == "__main__":
    sys.exit(main())
