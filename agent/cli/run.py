"""``vigie run [--no-tray] [--data-dir D] [--config F]``: start the agent.

Main thread: loads the config, sets up logging, takes the single-instance lock, starts
the agent, then runs the tray (``agent.tray.run``) or — with ``--no-tray``, or when
there is no tray host — waits for SIGTERM/SIGINT. Always ends with ``stop()`` (which
records ``stopped``). Exit status: 0 normal stop, 3 already running.
"""
from __future__ import annotations

import logging
import os
import signal
import sys
import threading

log = logging.getLogger(__name__)


def register(sub) -> None:
    from agent.cli.i18n import text as _h
    p = sub.add_parser("run", help=_h("run_help"))
    p.add_argument("--no-tray", action="store_true", help=_h("run_no_tray"))
    p.add_argument("--data-dir", default=None, help=_h("run_data_dir"))
    p.add_argument("--config", default=None, help=_h("run_config"))
    p.set_defaults(func=run)


def _wait_for_signal(agent) -> None:
    """Block the main thread until SIGTERM/SIGINT (or SIGHUP, SIGBREAK where they exist)."""
    done = threading.Event()

    def handler(signum, _frame):
        log.info("signal %s received; stopping", signum)
        done.set()

    for name in ("SIGTERM", "SIGINT", "SIGHUP", "SIGBREAK"):
        sig = getattr(signal, name, None)
        if sig is not None:
            try:
                signal.signal(sig, handler)
            except (OSError, ValueError):
                pass
    while not done.wait(1.0):
        pass


def run(args) -> int:
    if args.data_dir:
        os.environ["VIGIE_DATA_DIR"] = os.path.abspath(os.path.expanduser(args.data_dir))
    if args.config:
        os.environ["VIGIE_CONFIG"] = os.path.abspath(os.path.expanduser(args.config))
    from agent import config  # noqa: PLC0415
    from agent import log as vlog  # noqa: PLC0415
    from agent.app import build  # noqa: PLC0415
    from agent.i18n import t  # noqa: PLC0415

    vlog.setup(verbose=getattr(args, "verbose", False))
    settings, problems = config.load()
    lang = settings.lang()
    lock = None
    try:
        from agent.instance import AlreadyRunning, SingleInstance  # noqa: PLC0415
        try:
            lock = SingleInstance().acquire()
        except AlreadyRunning as exc:
            print(exc.text(lang) if hasattr(exc, "text") else t("agent.already_running", lang), file=sys.stderr)
            return 3
    except ImportError as exc:
        log.warning("no single-instance lock (%s)", exc)
    agent = build(settings, problems)
    try:
        agent.start()
        for p in agent.problems_now():
            log.warning("degraded: %s", p)
        shown = False
        if not args.no_tray:
            try:
                from agent import tray  # noqa: PLC0415
                shown = tray.run(agent) is not False
            except Exception as exc:  # noqa: BLE001 - no pystray, no tray host, tray bug
                log.warning("no tray icon: %s", exc)
            if not shown:
                print(t("agent.no_tray", lang), file=sys.stderr)
        if args.no_tray or not shown:
            _wait_for_signal(agent)
    finally:
        agent.stop()
        if lock is not None:
            lock.release()
    return 0
