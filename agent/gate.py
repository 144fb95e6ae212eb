"""What weakens the protection goes through the helper: the policy around the helper code.

Gated actions (``ACTIONS``): "It's my helper" on the remote-tool question, Pause and Quit
in the tray, ``vigie uninstall``, ``vigie helper remove``, ``vigie install`` replacing the
helper addresses or the code, ``vigie helper code``. :func:`mode` says how each is
handled: ``"code"`` (a code is set: asked; without it the action is refused, a pause is
``short_pause_seconds()`` at most, a remote tool is closed), ``"no_code"`` (helper
addresses but no code: done as asked, the helper told), ``"none"`` (nobody to tell: done,
recorded). :func:`report` writes a ``helper_code`` event and sends the helper the urgent
``protection_weakened`` message at once, whatever the outcome (the code used, a wrong
code, refused). :func:`ask_window` shows the code window (its own process) and waits;
:func:`ask_cli` asks on the terminal (or takes ``--code``). Called from the tray's action
threads, the responder's reader threads and the CLI's main thread.
"""
from __future__ import annotations

import getpass
import logging
import os
import sys

from agent import events, helper_code
from agent.i18n import t

log = logging.getLogger(__name__)
ACTIONS = ("allow_tool", "pause", "quit", "uninstall", "helper_remove", "install", "code_change", "code_file")
SHORT_PAUSE = 300.0          # without the code, a pause lasts this long at most
CLI_SEND_WAIT = 10.0         # the CLI waits this long for the helper's message to leave
WINDOW = "agent.respond.gui.code_window"


def short_pause_seconds() -> float:
    """The bound on a pause without the code (``VIGIE_SHORT_PAUSE_SECONDS`` may shorten it, for tests)."""
    try:
        return max(1.0, min(SHORT_PAUSE, float(os.environ.get("VIGIE_SHORT_PAUSE_SECONDS") or SHORT_PAUSE)))
    except ValueError:
        return SHORT_PAUSE


def duration_words(seconds: float, lang: str) -> str:
    """"5 minutes", "1 minute", "6 seconds" (in ``lang``)."""
    if seconds < 60:
        return t("gate.duration_seconds", lang, n=max(1, round(seconds)))
    n = round(seconds / 60)
    return t("gate.duration_minute", lang) if n == 1 else t("gate.duration_minutes", lang, n=n)


def mode(settings) -> str:
    """``"code"``, ``"no_code"`` or ``"none"`` (see the module docstring)."""
    if helper_code.is_set():
        return "code"
    return "no_code" if tuple(getattr(settings, "helper_notify", ()) or ()) else "none"


def report(action: str, result: str, settings, notifier=None, *, source: str = "", wait: bool = False,
           **facts) -> dict:
    """Record one gated action (``helper_code`` event) and tell the helper at once.

    ``result``: ``ok`` (the code was used), ``wrong`` (a wrong code), ``refused`` (no code
    given: nothing weakened), ``short`` (a pause without the code), ``no_code`` (no code set:
    done), ``none`` (no helper at all: done), ``deleted``/``changed`` (the code file).
    ``notifier``: the agent's; without one (the CLI) a notifier is made and, with ``wait``,
    the message is sent before returning (at most ``CLI_SEND_WAIT`` s). Never raises."""
    facts = {k: v for k, v in facts.items() if v not in (None, "")}
    event = events.append("helper_code", action=action, result=result, source=source or None, **facts)
    if result == "none" or not tuple(getattr(settings, "helper_notify", ()) or ()):
        return event
    data = {"action": action, "result": result, "source": source, "time": event["time"], **facts}
    try:
        if notifier is None:
            from agent.respond.helper.notifier import HelperNotifier  # noqa: PLC0415
            notifier = HelperNotifier(settings)
            ids = notifier.notify("protection_weakened", data)
            if wait and ids:
                notifier.flush(timeout=CLI_SEND_WAIT, msg_id=notifier.last_msg_id)
            elif wait and notifier.health():      # the outbox cannot be written: send from memory
                notifier.send_from_memory(CLI_SEND_WAIT)
        else:
            notifier.notify("protection_weakened", data)
    except Exception as exc:  # noqa: BLE001 - the event is written; the outbox keeps the message
        log.error("cannot tell the helper about %s (%s): %s", action, result, exc)
    return event


def question_answered(line: dict, settings, notifier, tool: str, thread: str = "") -> None:
    """A line of the remote-tool question (responder's reader thread): "It's my helper" with
    or without the code, and each wrong code, go to the helper at once — as a reply in the
    conversation ``thread`` of that tool's alert when given."""
    action = line.get("action")
    extra = {"thread": thread} if thread else {}
    if action == "allow_tool":
        code = line.get("code")
        result = "ok" if code == "ok" else "none" if mode(settings) == "none" else "no_code"
        report("allow_tool", result, settings, notifier, source="question", tool=tool, **extra)
    elif action == "allow_tool_refused":
        report("allow_tool", "refused", settings, notifier, source="question", tool=tool, **extra)
    elif action == "helper_code" and line.get("result") == "wrong":
        report("allow_tool", "wrong", settings, notifier, source="question", tool=tool, fails=line.get("fails"),
               **extra)


def ask_window(action: str, settings, notifier=None, *, tool: str = "", seconds: float = 0.0,
               choices: str = "", timeout: float | None = None) -> str:
    """Show the code window for ``action`` and wait for the answer: ``ok``, ``short`` (a
    short pause chosen), ``cancel``, or ``no_window`` (it could not be shown). Each wrong
    code is reported as it is typed. Blocks: call it from a thread of its own."""
    from agent.respond.gui.process import GuiProcess  # noqa: PLC0415

    def on_try(line: dict) -> None:
        if line.get("result") == "wrong":
            report(action, "wrong", settings, notifier, source="window", tool=tool or None, fails=line.get("fails"))
    lang = settings.lang()
    argv = [sys.executable, "-m", WINDOW, "--action", action, "--lang", lang, "--tool-name", tool,
            "--helper-name", getattr(settings, "helper_name", "") or "", "--seconds", str(seconds)]
    if choices:
        argv += ["--choices", choices]
    try:
        gui = GuiProcess(argv, on_action=on_try)
    except OSError as exc:
        log.error("cannot show the helper code window: %s", exc)
        return "no_window"
    line = gui.wait_for("done", timeout=timeout or 24 * 3600.0)
    gui.close()
    return str(line.get("result")) if line else "no_window"


def ask_cli(action: str, settings, lang: str, given: str | None = None, *, report_free: bool = True,
            report_ok: bool = True, **facts) -> bool:
    """May ``action`` go on? The code from ``given`` (``--code``), else asked on the terminal
    (not echoed) when there is one. Says why not, in ``lang``; reports every outcome (with
    ``facts``: ``tool``, ``address``). ``report_free=False``: where no code is set, say nothing
    (``vigie uninstall`` sends its own notice and leaves no file behind); ``report_ok=False``:
    a right code is not reported (a check before the action, which reports it). Main thread."""
    how = mode(settings)
    if how != "code":
        if report_free:
            report(action, "no_code" if how == "no_code" else "none", settings, source="cli", wait=True,
                   **facts)
        return True
    code = given
    if code is None and sys.stdin is not None and sys.stdin.isatty():
        try:
            code = getpass.getpass(t("gate.cli_ask", lang) + " ")
        except (EOFError, KeyboardInterrupt):
            code = None
    if not code:
        print(t("gate.cli_refused", lang), file=sys.stderr)
        report(action, "refused", settings, source="cli", wait=True, **facts)
        return False
    got = helper_code.check(code)
    if got.result == "ok":
        if report_ok:
            report(action, "ok", settings, source="cli", wait=True, **facts)
        return True
    if got.result == "wait":
        print(t("gate.cli_wait", lang, seconds=int(got.wait + 0.999)), file=sys.stderr)
        report(action, "refused", settings, source="cli", wait=True, **facts, reason="too_many_tries")
        return False
    print(t("gate.cli_wrong", lang) + (" " + t("gate.cli_wait", lang, seconds=int(got.wait + 0.999))
                                        if got.wait else ""), file=sys.stderr)
    report(action, "wrong", settings, source="cli", wait=True, **facts, fails=got.fails)
    return False


class CodeWatch:
    """The helper code file, watched while the agent runs (``check`` on the settings-watch
    thread, every few seconds): deleted or broken → put back from memory; changed → adopted;
    each reported at once (a deleted code file is tampering)."""

    def __init__(self, settings, notifier=None):
        self._settings, self._notifier = settings, notifier      # settings: a callable (live settings)
        self.keeper = helper_code.Keeper()

    def check(self) -> str | None:
        what = self.keeper.check()
        if what:
            log.warning("the helper code file was %s while Vigie ran", what)
            report("code_file", what, self._settings(), self._notifier, source="agent")
        return what
