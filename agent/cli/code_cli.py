"""``vigie helper code``: set or change the helper code (changing it needs the current one),
and the code part of ``vigie install`` (:func:`ask_new_code`, :func:`install_code`).

``vigie helper code [--code CURRENT] [--new NEW]``: without ``--new`` the new code is asked
twice on the terminal (not echoed). The running agent notices the new file and tells the
helper; with no agent running the command tells the helper itself. Main thread.
"""
from __future__ import annotations

import getpass
import sys

from agent import events, gate, helper_code, instance
from agent.i18n import t


def register(actions) -> None:
    from agent.cli.i18n import text as _h
    c = actions.add_parser("code", help=_h("helper_code"))
    c.add_argument("--code", metavar="CURRENT", help=_h("helper_code_current"))
    c.add_argument("--new", metavar="NEW", help=_h("helper_code_new"))


def _secret(prompt: str) -> str | None:
    if sys.stdin is None or not sys.stdin.isatty():
        return None
    try:
        return getpass.getpass(prompt + " ")
    except (EOFError, KeyboardInterrupt):
        return None


def ask_new_code(lang: str, given: str | None = None, prompt_key: str = "gate.cli_code_new") -> str | None:
    """A new code: ``given``, else typed twice on the terminal. None when none was given
    (Enter, no terminal); raises ValueError with the words to print when it is not valid."""
    code = given
    if code is None:
        code = _secret(t(prompt_key, lang))
        if not code:
            return None
        if helper_code.valid(code) and helper_code.normalise(_secret(t("gate.cli_code_again", lang))) != \
                helper_code.normalise(code):
            raise ValueError(t("gate.cli_code_mismatch", lang))
    if not helper_code.valid(code):
        raise ValueError(t("gate.cli_code_invalid", lang))
    return helper_code.normalise(code)


def save(code: str, settings, lang: str, source: str, had: bool) -> bool:
    """Store the code; the helper hears of a change (the agent tells when it runs)."""
    try:
        helper_code.save(code)
    except OSError as exc:
        print(t("gate.cli_code_write_error", lang, error=exc.strerror or str(exc)), file=sys.stderr)
        return False
    first_install = source == "install" and not had    # the helper typing it in: the test message follows
    if instance.running_pid() is None and not first_install:
        gate.report("code_change", "changed" if had else "set", settings, source=source, wait=True)
    else:
        events.append("helper_code", action="code_change", result="changed" if had else "set", source=source)
    print(t("gate.cli_code_set", lang))
    return True


def run(args, settings, lang) -> int:
    had = helper_code.is_set()
    if had and not gate.ask_cli("code_change", settings, lang, args.code):
        return 1
    try:
        code = ask_new_code(lang, args.new)
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    if code is None:
        print(t("gate.cli_code_needed", lang), file=sys.stderr)
        return 2
    return 0 if save(code, settings, lang, "cli", had) else 1


def install_code(args, settings, changes: dict, lang: str) -> tuple[bool, str | None]:
    """Before ``vigie install`` writes anything: (may go on, the new code to store or None).
    Where a code is set, replacing it, dropping a helper address or changing the helper's name
    or number (the alert tells the person to call it) needs the current one."""
    had = helper_code.is_set()
    new = getattr(args, "helper_code", None)
    dropped = "helper_notify" in changes and any(u not in changes["helper_notify"] for u in settings.helper_notify)
    # the number the alert tells the person to call is the helper's: a scammer would put his own
    dropped = dropped or any(k in changes and changes[k] != getattr(settings, k) for k in ("helper_phone", "helper_name"))
    if had and (new is not None or dropped):
        if new is not None and not dropped and helper_code.check(new).result == "ok":
            return True, None                      # the same code again: nothing changes
        if not gate.ask_cli("install", settings, lang, getattr(args, "code", None)):
            print(t("gate.install_code_refused", lang), file=sys.stderr)
            return False, None
    try:
        if new is not None:
            return True, ask_new_code(lang, new)
        if had:
            if not args.silent:
                print(t("gate.install_code_exists", lang))
            return True, None
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return False, None
    for _ in range(3 if not args.silent else 0):      # asked on the terminal; Enter skips
        try:
            return True, ask_new_code(lang, None, "gate.install_ask_code")
        except ValueError as exc:
            print(exc)
    return True, None
