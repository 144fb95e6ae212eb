"""``vigie run [--no-tray] [--data-dir D] [--config F]``: start the agent.

Main thread: loads the config, sets up logging, takes the single-instance lock, starts
the agent, then runs the tray (``agent.tray.run``) or — with ``--no-tray``, or when
there is no tray host — waits. SIGTERM, SIGINT, SIGHUP and Windows' session end (log-off,
shutdown) record a clean stop at once and leave the tray or the wait (``agent.session_end``).
Always ends with ``stop()`` (which records ``stopped``). Exit status: 0 normal stop,
3 already running.
"""
from __future__ import annotations

import logging
import os
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


class _Stop(SystemExit):
    """Raised in the main thread by a stop request, to leave the tray's loop."""


def _stop_requests(in_tray: threading.Event, done: threading.Event, agent=None) -> None:
    """SIGTERM/SIGINT/SIGHUP and Windows' session end: record the clean stop at once (the
    system may kill the process right after); a stop that is not a log-out or shutdown is
    told to the helper (``Agent.report_stop``: stored, then sent by ``stop()`` within a few
    seconds); then leave the tray or the wait loop."""
    from agent import instance, session_end  # noqa: PLC0415

    def on_end(reason: str) -> None:
        instance.mark_clean_stop(reason)
        if agent is not None and not done.is_set() and not session_end.is_session_end(reason):
            agent.report_stop(reason)
        log.info("stop requested (%s); stopping", reason)
        done.set()
        if in_tray.is_set() and threading.current_thread() is threading.main_thread():
            raise _Stop(0)

    session_end.install(on_end)


def _wait(done: threading.Event) -> None:
    """Block the main thread until a stop request."""
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
    in_tray, done = threading.Event(), threading.Event()
    try:
        _stop_requests(in_tray, done, agent)
        agent.start()
        for squat in getattr(lock, "squatted", ()):   # another program held the lock: said, and worked around
            agent.report_tamper("lock_squatted", **squat)
        for p in agent.problems_now():
            log.warning("degraded: %s", p)
        shown = False
        if not args.no_tray and not done.is_set():
            try:
                from agent import tray  # noqa: PLC0415
                in_tray.set()
                shown = tray.run(agent) is not False
            except Exception as exc:  # noqa: BLE001 - no pystray, no tray host, tray bug
                log.warning("no tray icon: %s", exc)
            finally:
                in_tray.clear()
            if not shown and not done.is_set():
                print(t("agent.no_tray", lang), file=sys.stderr)
        if args.no_tray or not shown:
            _wait(done)
    except _Stop:
        pass
    finally:
        agent.stop()
        if lock is not None:
            lock.release()
    return 0
