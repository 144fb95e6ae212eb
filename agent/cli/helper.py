"""``vigie helper add URL | remove URL [--code C] | list | test | status | flush | code | watch [URL | --off]``.

``add`` checks the URL with apprise, moves its password/token to the keyring (or the
private ``secrets.toml``) and writes the URL, without the secret, to the config file;
``remove`` takes a URL or its number in ``list``. ``test`` queues a test message, sends it
and says for each channel whether it worked; ``status`` shows each channel's last success
and failure and what waits; ``flush`` sends what waits now. Exit status: 0 good,
1 something failed or waits, 2 nothing configured or a bad request. Main thread.
"""
from __future__ import annotations

import json
import sqlite3
import sys
import time

from agent import config
from agent.i18n import t
from agent.respond.helper.describe import in_words

REQUEUE_DAYS = 7
STATUS_WAIT = 5.0     # `helper status` answers within seconds even when another process holds a lock


def register(sub) -> None:
    from agent.cli.i18n import text as _h
    p = sub.add_parser("helper", help=_h("helper_help"))
    hs = p.add_subparsers(dest="helper_command", metavar="ACTION")
    a = hs.add_parser("add", help=_h("helper_add"))
    a.add_argument("url", metavar="URL")
    r = hs.add_parser("remove", help=_h("helper_remove"))
    r.add_argument("url", metavar="URL")
    r.add_argument("--code", help=_h("code_option"))
    from agent.cli import code_cli  # noqa: PLC0415
    code_cli.register(hs)
    hs.add_parser("list", help=_h("helper_list"))
    for name, key in (("test", "helper_test"), ("flush", "helper_flush")):
        c = hs.add_parser(name, help=_h(key))
        c.add_argument("--timeout", type=float, default=120.0, help=_h("helper_timeout"))
    w = hs.add_parser("watch", help=_h("helper_watch"))
    w.add_argument("url", metavar="URL", nargs="?")
    w.add_argument("--off", action="store_true", help=_h("helper_watch_off"))
    s = hs.add_parser("status", help=_h("helper_status"))
    s.add_argument("--json", action="store_true")
    p.set_defaults(func=run, helper_parser=p)


def run(args) -> int:
    settings, _problems = config.load()
    lang = settings.lang()
    action = getattr(args, "helper_command", None)
    if not action:
        args.helper_parser.print_help()
        return 2
    if action in ("test", "flush", "list") and not settings.helper_notify:
        print(t("helper.cli_no_channel", lang), file=sys.stderr)
        return 2
    from agent.cli import code_cli  # noqa: PLC0415
    return {"add": _add, "remove": _remove, "list": _list, "test": _test, "status": _status,
            "flush": _flush, "watch": _watch, "code": code_cli.run}[action](args, settings, lang)


def _watch(args, settings, lang) -> int:
    """``watch URL``: the dead-man's switch (agent/alive.py); pinged once now to check it.
    ``watch --off`` removes it; ``watch`` alone says what is set."""
    from agent import alive, config_write  # noqa: PLC0415
    url = (args.url or "").strip()
    if args.off or not url:
        if not args.off:
            now = settings.helper_watch_url
            print(t("helper.cli_watch_is", lang, url=config.mask_url(now)) if now else t("helper.cli_watch_none", lang))
            return 0 if now else 2
        url = ""
    elif not url.lower().startswith(("http://", "https://")) or any(c.isspace() for c in url):
        print(t("helper.cli_watch_bad", lang, url=config.mask_url(url)), file=sys.stderr)
        return 2
    try:
        config_write.update(helper_watch_url=url)
    except OSError as exc:  # ConfigWriteError is an OSError
        print(t("helper.cli_config_error", lang, error=exc.text(lang) if hasattr(exc, "text") else str(exc)),
              file=sys.stderr)
        return 2
    if not url:
        print(t("helper.cli_watch_off", lang))
        return 0
    answered = alive.ping(url)
    print(t("helper.cli_watch_set", lang, url=config.mask_url(url),
            minutes=f"{settings.helper_watch_minutes:g}"))
    print(t("helper.cli_watch_ping_ok" if answered else "helper.cli_watch_ping_failed", lang))
    _say_live(lang)
    return 0 if answered else 1


def _write(settings, lang, urls) -> bool:
    try:
        from agent import config_write  # noqa: PLC0415 - another module; may be absent in old trees
    except ImportError:
        print(t("helper.cli_config_writer_missing", lang, path=settings.source), file=sys.stderr)
        return False
    try:
        config_write.update(helper_notify=tuple(urls))
    except OSError as exc:  # ConfigWriteError is an OSError
        text = exc.text(lang) if hasattr(exc, "text") else str(exc)
        print(t("helper.cli_config_error", lang, error=text), file=sys.stderr)
        return False
    return True


def _add(args, settings, lang) -> int:
    from agent.respond.helper import channels, secrets  # noqa: PLC0415
    from agent.respond.helper.notifier import display_url  # noqa: PLC0415
    from agent.respond.helper.outbox import Outbox  # noqa: PLC0415
    url = args.url.strip()
    if any(secrets.same_channel(c, url) for c in settings.helper_notify):
        print(t("helper.cli_already", lang, url=display_url(secrets.split_url(url)[0])))
        return 0
    if channels.check_url(url):
        print(t("helper.cli_bad_url", lang, url=display_url(secrets.split_url(url)[0])), file=sys.stderr)
        return 2
    ref_url, values = secrets.split_url(url)
    where = secrets.store(values)
    if not _write(settings, lang, settings.helper_notify + (ref_url,)):
        secrets.forget(ref_url)
        return 2
    print(t("helper.cli_added", lang, url=display_url(ref_url)))
    if values:
        print(t("helper.cli_secret_kept", lang, where=where))
    try:
        n = Outbox().requeue_undelivered(ref_url, time.time() - REQUEUE_DAYS * 86400)
    except (OSError, sqlite3.Error) as exc:  # a read-only or full data folder: the channel is added
        print(t("helper.cli_not_requeued", lang, reason=_outbox_words(exc, lang)), file=sys.stderr)
        n = 0
    if n:
        print(t("helper.cli_requeued", lang, count=n))
    _say_live(lang)
    print(t("helper.cli_try_test", lang))
    return 0


def _say_live(lang: str) -> None:
    """Whether the running agent picks the change up (it does, within seconds) or none runs."""
    from agent import instance  # noqa: PLC0415
    print(t("helper.cli_live_running" if instance.running_pid() is not None else "helper.cli_live_stopped", lang))


def _outbox_words(exc: BaseException, lang: str) -> str:
    from agent.respond.helper.outbox_faults import classify  # noqa: PLC0415
    code = getattr(exc, "code", None) or classify(exc)
    return t(f"helper.outbox_{code if code in ('locked', 'disk_full', 'read_only') else 'io'}", lang, count=0) \
        + f" [{exc}]"


def _remove(args, settings, lang) -> int:
    from agent.respond.helper import secrets  # noqa: PLC0415
    from agent.respond.helper.notifier import display_url  # noqa: PLC0415
    from agent.respond.helper.outbox import Outbox  # noqa: PLC0415
    chans = list(settings.helper_notify)
    given = args.url.strip()
    if given.isdigit() and 1 <= int(given) <= len(chans):
        match = chans[int(given) - 1]
    else:
        match = next((c for c in chans if secrets.same_channel(c, given)), None)
    if match is None:
        print(t("helper.cli_not_found", lang, url=display_url(secrets.split_url(given)[0])), file=sys.stderr)
        return 2
    from agent import gate  # noqa: PLC0415 - the helper code; the old addresses hear of it first
    if not gate.ask_cli("helper_remove", settings, lang, args.code, address=display_url(match)):
        return 1
    if not _write(settings, lang, [c for c in chans if c != match]):
        return 2
    from agent import instance  # noqa: PLC0415
    if instance.running_pid() is None:   # else the running agent still tells this address of its removal
        secrets.forget(match)
    try:
        n = Outbox().cancel_channel(match)
    except (OSError, sqlite3.Error) as exc:
        print(t("helper.cli_outbox_problem", lang, reason=_outbox_words(exc, lang)), file=sys.stderr)
        n = 0
    print(t("helper.cli_removed", lang, url=display_url(match)))
    if n:
        print(t("helper.cli_cancelled", lang, count=n))
    _say_live(lang)
    return 0


def _list(args, settings, lang) -> int:
    from agent.respond.helper import secrets  # noqa: PLC0415
    from agent.respond.helper.notifier import display_url  # noqa: PLC0415
    print(t("helper.cli_list_head", lang, count=len(settings.helper_notify), where=secrets.backend_name()))
    for n, url in enumerate(settings.helper_notify, 1):
        tag = secrets.fingerprint(url)       # two addresses differing only in a password told apart
        print(f"  {n}. {display_url(url)}" + (f"  ({t('helper.cli_secret_tag', lang, tag=tag)})" if tag else ""))
    return 0


def _reason(row: dict, lang: str) -> str:
    code = row.get("error_code") or "unknown"
    detail = f" [{row['last_error']}]" if row.get("last_error") else ""
    return t(f"helper.error_{code}", lang) + detail


def _test(args, settings, lang) -> int:
    from agent.respond.helper.notifier import HelperNotifier  # noqa: PLC0415
    notifier = HelperNotifier(settings)
    print(t("helper.cli_test_sending", lang, count=len(settings.helper_notify)))
    if not notifier.notify("test", {}):
        return _test_from_memory(notifier, args.timeout, lang)
    msg_id = notifier.last_msg_id
    deadline = time.monotonic() + args.timeout
    notifier.flush(timeout=args.timeout, msg_id=msg_id)
    rows = notifier.outbox.rows(msg_id)
    while any(r["state"] == "sending" for r in rows) and time.monotonic() < deadline:
        time.sleep(0.2)  # the running agent's sender took it: wait for its answer
        rows = notifier.outbox.rows(msg_id)
    status = 0
    for r in rows:
        url = in_words(r["channel"], lang)
        if r["state"] == "sent":
            print(t("helper.cli_test_ok", lang, url=url))
        elif r["state"] == "sending":
            print(t("helper.cli_test_pending", lang, url=url, reason=t("helper.error_timeout", lang)))
            status = 1
        else:
            print(t("helper.cli_test_fail", lang, url=url, reason=_reason(r, lang)))
            status = 1
    return status


def _test_from_memory(notifier, timeout: float, lang: str) -> int:
    """The outbox cannot be written (read-only or full disk, a lock): send the test from memory."""
    problem = notifier.health()
    if not problem:
        return 2
    print(t("helper.cli_outbox_problem", lang, reason=problem), file=sys.stderr)
    results = notifier.send_from_memory(timeout)
    for channel, result in results.items():
        url = in_words(channel, lang)
        print(t("helper.cli_test_ok", lang, url=url) if result.ok else
              t("helper.cli_test_fail", lang, url=url, reason=t(f"helper.error_{result.code or 'unknown'}", lang)
                + (f" [{result.detail}]" if result.detail else "")))
    return 0 if results and all(r.ok for r in results.values()) else 1


def _when(ts, lang) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else t("helper.cli_never", lang)


def _status(args, settings, lang) -> int:
    from agent.respond.helper.notifier import HelperNotifier  # noqa: PLC0415
    notifier = HelperNotifier(settings, wait=STATUS_WAIT, read_only=True)   # never moves a file
    rows = notifier.status()
    problem = notifier.health()
    failing = any(r["last_failure"] and (r["last_failure"] > (r["last_success"] or 0)) for r in rows)
    if args.json:
        out = [{k: v for k, v in r.items() if k != "channel"} for r in rows]
        if problem:
            out.append({"outbox_problem": problem})
        print(json.dumps(out, ensure_ascii=False))
    else:
        if not settings.helper_notify:
            print(t("helper.cli_no_channel", lang))
        for r in rows:
            print(t("helper.cli_status_channel" if r["configured"] else "helper.cli_status_orphan", lang, url=r["url"]))
            if r["last_success"]:
                print(t("helper.cli_status_success", lang, when=_when(r["last_success"], lang)))
            if r["last_failure"]:
                reason = (r["last_error"] or t("helper.error_unknown", lang)) + (
                    f" [{r['detail']}]" if r.get("detail") else "")
                print(t("helper.cli_status_failure", lang, when=_when(r["last_failure"], lang), reason=reason))
            if not (r["last_success"] or r["last_failure"]):
                print(t("helper.cli_status_never", lang))
            print(t("helper.cli_status_pending", lang, pending=r["pending"]))
        print(t("helper.cli_status_total", lang, pending=sum(r["pending"] for r in rows)))
        if problem:
            print(t("helper.cli_outbox_problem", lang, reason=problem))
    if not settings.helper_notify:
        return 2
    return 1 if failing or problem or any(r["pending"] for r in rows) else 0


def _flush(args, settings, lang) -> int:
    from agent.respond.helper.notifier import HelperNotifier  # noqa: PLC0415
    counts = HelperNotifier(settings).flush(timeout=args.timeout)
    print(t("helper.cli_flush_result", lang, **counts))
    return 0 if counts["pending"] == 0 else 1
