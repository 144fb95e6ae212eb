"""``vigie install`` and ``vigie uninstall``: one step for the family helper.

``vigie install [--silent] [--lang fr] [--country FR] [--helper-name …] [--helper-phone …]
[--notify URL…] [--mail ADDRESS [--mail-server HOST[:PORT]]] [--ntfy] [--systemd]
[--[no-]start] [--[no-]test-message]`` writes the settings (through :mod:`agent.config_write`)
and registers autostart for the current user; running it twice changes nothing. If any
step fails, everything this run changed is put back and one clear sentence says why.
Passwords and tokens in notification URLs go to the keyring (or the private
``secrets.toml``) as ``vigie helper add`` does; the config file holds only references.
``vigie uninstall [--silent] [--purge]`` tells the helper (if addresses are set), then
removes what install added; evidence stays unless ``--purge``. Silent mode asks nothing
and prints one line; interactive mode asks the few questions a helper can answer (the
channel: :mod:`agent.cli.install_channel`), then sends a test message and starts Vigie
(:mod:`agent.cli.install_finish`). ``--mail`` takes the password from a private file
(``--mail-password-file``: the Windows installer's page writes it in its own temporary
folder; read once, then deleted) or the environment variable ``VIGIE_MAIL_PASSWORD``, never
from the command line; ``--helper-code-file`` likewise for the helper code.
Runs on the main thread.
"""
from __future__ import annotations

import argparse
import logging
import os
import platform
import shutil
import sys
from pathlib import Path

from agent import config, paths
from agent.i18n import resolve, system_language, t

log = logging.getLogger(__name__)


def register(sub) -> None:
    from agent.cli.i18n import text as _h
    p = sub.add_parser("install", help=_h("install_help"))
    p.add_argument("--silent", action="store_true", help=_h("silent"))
    p.add_argument("--lang", help=_h("install_lang"))
    p.add_argument("--country", help=_h("install_country"))
    p.add_argument("--person-name", help=_h("install_person_name"))
    p.add_argument("--helper-name", help=_h("install_helper_name"))
    p.add_argument("--helper-phone", help=_h("install_helper_phone"))
    p.add_argument("--notify", nargs="+", action="extend", metavar="URL",
                   help=_h("install_notify"))
    p.add_argument("--systemd", action="store_true", help=_h("install_systemd"))
    p.add_argument("--helper-code", metavar="DIGITS", help=_h("install_helper_code"))
    p.add_argument("--helper-code-file", metavar="FILE", help=_h("install_helper_code_file"))
    p.add_argument("--code", help=_h("code_option"))
    p.add_argument("--mail", metavar="ADDRESS", help=_h("install_mail"))
    p.add_argument("--mail-password-file", metavar="FILE", help=_h("install_mail_password_file"))
    p.add_argument("--mail-server", metavar="HOST[:PORT]", help=_h("install_mail_server"))
    p.add_argument("--ntfy", action="store_true", help=_h("install_ntfy"))
    p.add_argument("--ntfy-server", metavar="URL", help=_h("install_ntfy_server"))
    p.add_argument("--start", action=argparse.BooleanOptionalAction, default=None, help=_h("install_start"))
    p.add_argument("--test-message", action=argparse.BooleanOptionalAction, default=None,
                   help=_h("install_test_message"))
    p.set_defaults(func=run_install)
    u = sub.add_parser("uninstall", help=_h("uninstall_help"))
    u.add_argument("--silent", action="store_true", help=_h("silent"))
    u.add_argument("--purge", action="store_true", help=_h("uninstall_purge"))
    u.add_argument("--code", help=_h("code_option"))
    u.add_argument("--code-file", metavar="FILE", help=_h("code_file_option"))
    u.add_argument("--check", action="store_true", help=_h("uninstall_check"))
    u.set_defaults(func=run_uninstall)


def _valid_notify(url: str) -> bool:
    scheme, sep, rest = url.partition("://")
    return bool(sep and rest and scheme.replace("+", "").isalnum())


def take_private_file(path: str) -> str:
    """The first line of a file another program left for us (a password, a code), then the
    file is deleted so that it is read once; raises ValueError (said to the helper) when it
    cannot be read. UTF-8, with or without a byte-order mark."""
    try:
        with open(path, encoding="utf-8-sig") as f:
            text = f.read(4096)
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"{path}: {getattr(exc, 'strerror', None) or exc}") from exc
    finally:
        try:
            os.unlink(path)
        except OSError:
            pass
    return text.splitlines()[0] if text else ""


def _never_ask_when_silent(args) -> None:
    """``--silent`` asks nothing, not even the helper code: no code given counts as none (a
    program that runs us, like the Windows installer, may leave us a console nobody sees: a
    question there would wait for ever)."""
    if args.silent and getattr(args, "code", None) is None:
        args.code = ""


def _ask(question: str, default: str) -> str:
    try:
        answer = input(f"{question} [{default}]: " if default else f"{question}: ")
    except EOFError:
        return default
    return answer.strip() or default


def _yes(question: str, lang: str, silent: bool, default: bool) -> bool:
    if silent:
        return default
    try:
        answer = input(f"{question} {t('install.yes_no', lang)} ").strip().lower()
    except EOFError:
        return default
    return answer in t("install.yes_letters", lang).split(",")


def _changes_from_args(args) -> dict:
    changes = {}
    if args.lang:
        changes["language"] = args.lang.strip().lower()
    if args.country:
        changes["country"] = args.country.strip().upper()
    if getattr(args, "person_name", None) is not None:
        changes["helper_person_name"] = args.person_name.strip()
    if args.helper_name is not None:
        changes["helper_name"] = args.helper_name.strip()
    if args.helper_phone is not None:
        changes["helper_phone"] = args.helper_phone.strip()
    if args.notify is not None:
        changes["helper_notify"] = tuple(u.strip() for u in args.notify if u.strip())
    return changes


def _channels_from_args(args, changes: dict, lang: str) -> str | None:
    """``--mail`` (its password from ``--mail-password-file`` or ``VIGIE_MAIL_PASSWORD``,
    never the command line) and
    ``--ntfy`` add their channel to the list; returns the reason when ``--mail`` cannot be
    used."""
    from agent.cli import install_channel  # noqa: PLC0415
    extra = []
    if getattr(args, "mail", None):
        try:
            password = os.environ.pop("VIGIE_MAIL_PASSWORD", "")
            if getattr(args, "mail_password_file", None):
                password = take_private_file(args.mail_password_file)
            extra.append(install_channel.mail_channel(args.mail.strip(), password, args.mail_server))
        except ValueError as exc:
            return str(exc)
    if getattr(args, "ntfy", False):
        extra.append(install_channel.ask_ntfy(lang, args.ntfy_server or install_channel.NTFY_SERVER, wait=False))
    if extra:
        changes["helper_notify"] = tuple(changes.get("helper_notify", ())) + tuple(extra)
    return None


def _interview(settings: config.Settings, changes: dict, args=None) -> dict:
    """Ask the helper; answers from the options are the defaults. Main thread, stdin."""
    lang = resolve(changes.get("language", settings.language))
    print(t("install.intro", lang))
    current = changes.get("language", settings.language)
    answer = _ask(t("install.ask_language", lang), system_language() if current == "auto" else current)
    changes["language"] = answer.lower()
    lang = resolve(changes["language"])
    changes["country"] = _ask_country(changes.get("country", settings.country), lang)
    changes["helper_person_name"] = _ask(t("install.ask_person_name", lang),
                                         changes.get("helper_person_name", settings.helper_person_name))
    changes["helper_name"] = _ask(t("install.ask_helper_name", lang), changes.get("helper_name", settings.helper_name))
    changes["helper_phone"] = _ask(t("install.ask_helper_phone", lang), changes.get("helper_phone", settings.helper_phone))
    from agent.cli.install_channel import ask_channel  # noqa: PLC0415
    current = tuple(changes.get("helper_notify", settings.helper_notify))
    changes["helper_notify"] = ask_channel(lang, current, changes["helper_name"],
                                           getattr(args, "ntfy_server", None))
    # (the helper code that guards Vigie's own settings is asked here, right after the channel)
    return changes


def _ask_country(current: str, lang: str) -> str:
    """Where to report a scam: two letters (default: the setting, else the locale's
    country, else France for a French speaker). Asked again until it is two letters."""
    from agent.respond.guidance import resolve_country  # noqa: PLC0415
    default = resolve_country(current, lang) or "auto"
    while True:
        answer = _ask(t("install.ask_country", lang), default).strip()
        if answer.lower() == "auto" or (len(answer) == 2 and answer.isalpha()):
            return answer.upper() if answer.lower() != "auto" else "auto"
        print(t("install.bad_country", lang, value=answer))


def _keep_secrets(urls, configured, undo) -> tuple[tuple[str, ...], bool]:
    """The URLs to write in the config: a channel already configured keeps its reference
    (so a second install changes nothing); a new one has its password/token stored by
    :func:`agent.respond.helper.secrets.keep`. Rolled back with ``undo``. Returns (urls, whether
    a secret was stored)."""
    from agent.install import InstallError  # noqa: PLC0415
    from agent.respond.helper import secrets  # noqa: PLC0415
    out: list[str] = []
    stored = False
    for url in urls:
        known = next((c for c in configured if secrets.same_channel(c, url)), None)
        if known is not None:
            out.append(known)
            continue
        if not secrets.split_url(url)[1]:
            out.append(url)
            continue
        undo.before_write(secrets.secrets_file())
        try:
            ref_url = secrets.keep(url)
        except OSError as exc:
            raise InstallError("cannot_write", path=str(secrets.secrets_file()),
                               reason=exc.strerror or str(exc)) from exc
        undo.on_rollback(lambda ref_url=ref_url: secrets.forget(ref_url))
        out.append(ref_url)
        stored = True
    return tuple(out), stored


def _forget_secrets(urls, remove_file: bool = False) -> None:
    """Delete the secrets these URLs refer to; the secrets file goes when it is left
    empty (or ``remove_file``). Never raises: a leftover secret is logged."""
    from agent.respond.helper import secrets  # noqa: PLC0415
    for url in urls:
        try:
            secrets.forget(url)
        except Exception as exc:  # noqa: BLE001 - keyring/file trouble: log, go on
            log.warning("could not delete the secret of a notification address: %s", exc)
    f = secrets.secrets_file()
    try:
        if f.exists() and (remove_file or not secrets._read_file()):
            f.unlink()
    except OSError as exc:
        log.warning("could not delete %s: %s", f, exc)


def _config_unchanged(cfg: Path, changes: dict) -> bool:
    """True when the file already says exactly what ``update`` would write (then it is
    left untouched, so a second install changes nothing, not even the file's date)."""
    from agent import config_write  # noqa: PLC0415
    try:
        current = cfg.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    settings, problems = config.parse(current, str(cfg))
    values = {name: config_write.check_change(name, v) for name, v in changes.items()}
    return not problems and config_write.render(settings.replace(**values)) == current


def run_install(args) -> int:
    from agent import config_write  # noqa: PLC0415
    from agent.install import InstallError, Undo, make_dirs  # noqa: PLC0415
    from agent.install import autostart  # noqa: PLC0415

    settings, _problems = config.load()
    changes = _changes_from_args(args)
    _never_ask_when_silent(args)
    if getattr(args, "helper_code_file", None):
        try:
            args.helper_code = take_private_file(args.helper_code_file)
        except ValueError as exc:
            print(t("install.failed", resolve(changes.get("language", settings.language)), error=str(exc)),
                  file=sys.stderr)
            return 2
    if not args.silent:
        changes = _interview(settings, changes, args)
    lang = resolve(changes.get("language", settings.language))
    problem = _channels_from_args(args, changes, lang)
    if problem:
        print(t("install.failed", lang, error=problem), file=sys.stderr)
        return 2
    bad = [u for u in changes.get("helper_notify", ()) if not _valid_notify(u)]
    if bad:
        print(t("install.failed", lang, error=t("install.bad_notify", lang, value=bad[0])), file=sys.stderr)
        return 2
    from agent.cli import code_cli  # noqa: PLC0415 - the helper code: asked, or checked before a change
    go_on, new_code = code_cli.install_code(args, settings, changes, lang)
    if not go_on:
        return 2
    cfg = paths.config_file()
    undo = Undo()
    try:
        created = not cfg.exists()
        made = make_dirs(cfg.parent)
        undo.created_dirs(made)
        undo.before_write(cfg)
        dropped: tuple[str, ...] = ()
        secret_kept = False
        if "helper_notify" in changes:
            changes["helper_notify"], secret_kept = _keep_secrets(
                changes["helper_notify"], settings.helper_notify, undo)
            dropped = tuple(u for u in settings.helper_notify if u not in changes["helper_notify"])
        if not _config_unchanged(cfg, changes):
            config_write.update(cfg, **changes)
        manifest = autostart.load_manifest()
        record = {"config": {"path": str(cfg),
                             "created": bool(manifest.get("config", {}).get("created", created))}}
        written = autostart.install(systemd_unit=args.systemd, undo=undo, extra=record, dirs=made)
    except (config_write.ConfigWriteError, InstallError, OSError) as exc:
        undo.rollback()
        error = exc.text(lang) if hasattr(exc, "text") else str(exc)
        print(t("install.failed", lang, error=error), file=sys.stderr)
        if not args.silent:
            print(t("install.failed_hint", lang), file=sys.stderr)
        return 1
    if dropped:  # addresses replaced by this install: their secrets are no longer used
        _forget_secrets(dropped)
    if new_code is not None:
        code_cli.save(new_code, settings.replace(**{k: v for k, v in changes.items() if k == "helper_notify"}),
                      lang, "install", had=code_cli.helper_code.is_set())
    elif not args.silent and not code_cli.helper_code.is_set():
        print(t("gate.install_no_code", lang))
    entry = str(written[0]) if written else "?"
    print(t("install.installed", lang, entry=entry, config=str(cfg)))
    if secret_kept and not args.silent:
        from agent.respond.helper import secrets  # noqa: PLC0415
        print(t("helper.cli_secret_kept", lang, where=secrets.backend_name()))
    from agent.cli import install_finish  # noqa: PLC0415
    status = 0
    if (not args.silent if args.test_message is None else args.test_message) and changes.get("helper_notify"):
        install_finish.send_test(lang)
    if not args.silent if args.start is None else args.start:
        status = install_finish.start_now(lang) or status
    elif not args.silent:
        print(t("install.installed_now", lang, command=" ".join(autostart.entry_command())))
    return status


def _tell_helper(settings: config.Settings, purge: bool, lang: str) -> None:
    """Send the "uninstalled" notice before anything is removed; never raises."""
    try:
        from agent.respond.helper.notifier import HelperNotifier  # noqa: PLC0415
        notifier = HelperNotifier(settings)
        ids = notifier.notify("uninstalled", {"purge": purge})
        if not ids:
            raise RuntimeError("the message could not be stored")
        result = notifier.flush(timeout=10) or {}
        if result.get("sent", 0) < len(ids) or result.get("failed", 0):
            raise RuntimeError(f"{result.get('failed', 0)} failed, {result.get('pending', 0)} waiting")
        print(t("install.helper_told", lang))
    except Exception as exc:  # noqa: BLE001 - any failure: say so, go on uninstalling
        log.warning("could not tell the helper about the uninstall: %s", exc)
        print(t("install.helper_not_told", lang, reason=str(exc) or type(exc).__name__))


def _stop_running_agent(lang: str) -> None:
    """Stop this user's running ``vigie run`` (pid from the instance lock); best effort."""
    try:
        import psutil  # noqa: PLC0415
        from agent.instance import LOCK_NAME, read_pid  # noqa: PLC0415
        pid = read_pid(paths.state_dir() / LOCK_NAME)
        if not pid or pid == os.getpid() or not psutil.pid_exists(pid):
            return
        proc = psutil.Process(pid)
        cmd = " ".join(proc.cmdline())
        if "run" not in proc.cmdline() or ("vigie" not in cmd.lower() and "agent" not in cmd):
            return
        proc.terminate()
        proc.wait(timeout=10)
        print(t("install.agent_stopped", lang, pid=pid))
    except Exception as exc:  # noqa: BLE001 - not stopping it is not fatal
        log.info("could not stop the running agent: %s", exc)


def _safe_rmtree(folder: Path) -> None:
    folder = folder.resolve()
    home = Path.home().resolve()
    if len(folder.parts) < 3 or folder == home or folder in home.parents:
        log.warning("not deleting %s: too close to the root or the home folder", folder)
        return
    shutil.rmtree(folder, ignore_errors=True)


def run_uninstall(args) -> int:
    from agent.install import InstallError, load_manifest  # noqa: PLC0415
    from agent.install import autostart, xdg  # noqa: PLC0415

    settings, _problems = config.load()
    lang = settings.lang()
    _never_ask_when_silent(args)
    if getattr(args, "code_file", None):       # the Windows uninstaller's code page: a private file
        try:
            args.code = take_private_file(args.code_file)
        except ValueError as exc:
            print(t("install.uninstall_failed", lang, error=str(exc)), file=sys.stderr)
            return 2
    if getattr(args, "check", False):           # the Windows uninstaller, before its own "Are you sure?"
        from agent import gate  # noqa: PLC0415
        ok = gate.ask_cli("uninstall", settings, lang, getattr(args, "code", None), report_free=False, report_ok=False)
        if ok:
            print(t("install.uninstall_check_ok", lang))
        return 0 if ok else 1
    manifest = load_manifest()
    if not manifest and not autostart.is_installed() and not args.purge:
        print(t("install.not_installed", lang))
        return 0
    if not _yes(t("install.confirm_uninstall", lang), lang, args.silent, True):
        print(t("install.cancelled", lang))
        return 1
    from agent import gate  # noqa: PLC0415 - the helper code first; the helper hears at once
    if not gate.ask_cli("uninstall", settings, lang, getattr(args, "code", None), report_free=False):
        return 1
    purge = args.purge and _yes(t("install.confirm_purge", lang), lang, args.silent, True)
    if settings.helper_notify:
        _tell_helper(settings, purge, lang)
    _stop_running_agent(lang)
    cfg = paths.config_file()
    removed: list = []
    try:
        if purge or manifest.get("config", {}).get("created"):
            for f in (cfg, cfg.with_name(cfg.name + ".bak")):
                if f.exists():
                    f.unlink()
                    removed.append(f)
            # the settings are gone: so are the passwords/tokens of their addresses
            _forget_secrets(settings.helper_notify, remove_file=purge)
        removed += autostart.uninstall()
    except (InstallError, OSError) as exc:
        error = exc.text(lang) if hasattr(exc, "text") else str(exc)
        print(t("install.uninstall_failed", lang, error=error), file=sys.stderr)
        return 1
    if purge:
        for folder in (paths.data_dir(), paths.log_dir()):
            _safe_rmtree(folder)
        print(t("install.uninstalled_purged", lang, count=len(removed)))
    else:
        print(t("install.uninstalled", lang, count=len(removed), evidence=str(paths.evidence_dir())))
    if platform.system() == "Linux" and not args.silent:
        for entry in xdg.system_entries():
            if entry.exists():
                print(t("install.system_entry_left", lang, path=str(entry)))
    return 0
