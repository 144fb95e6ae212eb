"""``vigie aftercare [--incident ID] [--json] [--new]``: after a remote session, compare the
computer now with the snapshot Vigie took when the remote-control program was seen
(the latest ``remote_session`` incident, or the one named), print the report (who
connected, what was installed or set to start, the steps to take) in the user's
language and keep it as an ``aftercare`` incident. Run again for the same session, it
prints the report already kept (no new incident); ``--new`` compares again. Exit 1 when there is no snapshot to
compare with. Main thread.
"""
from __future__ import annotations

import json
import sys

from agent import config, events
from agent.i18n import t
from agent.respond import guidance
from agent.respond.evidence import store as evidence


def register(sub) -> None:
    from agent.cli.i18n import text as _h
    p = sub.add_parser("aftercare", help=_h("aftercare_help"), description=_h("aftercare_help"))
    p.add_argument("--incident", default=None, help=_h("aftercare_incident"))
    p.add_argument("--json", action="store_true", help=_h("aftercare_json"))
    p.add_argument("--new", action="store_true", help=_h("aftercare_new"))
    p.set_defaults(func=run)


def _session_folder(ident: str | None):
    if ident:
        try:
            return evidence.find(ident).path
        except LookupError:
            return None
    sessions = [i for i in evidence.list_incidents() if i.family == "remote_session"]
    return sessions[-1].path if sessions else None


def _lang(lang: str) -> str:
    return lang if lang in ("en", "fr") else "en"


def _last_report(session_folder, lang: str):
    """(folder, text) of the newest aftercare report of this session, or None."""
    for inc in reversed(evidence.list_incidents()):
        if inc.family != "aftercare":
            continue
        manifest, _damaged = evidence.load_manifest(inc.path)
        if manifest.get("session") != session_folder.name:
            continue
        try:
            return inc.path, (inc.path / f"report.{_lang(lang)}.txt").read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            return None
    return None


def run(args) -> int:
    from agent.respond.aftercare import session as aftercare  # noqa: PLC0415 - psutil, only when used
    settings, _ = config.load(quiet=True)
    lang = settings.lang()
    folder = _session_folder(args.incident)
    if folder is None:
        if args.incident:
            print(t("evidence.not_found", lang, id=args.incident), file=sys.stderr)
        print(t("aftercare.no_snapshot", lang), file=sys.stderr)
        return 1
    kept = None if args.new else _last_report(folder, lang)
    if kept is not None:             # run again by hand: the report already kept, not a new incident
        report, text = kept
        if args.json:
            from agent.respond.aftercare import report as words  # noqa: PLC0415
            try:
                changes = json.loads((report / "changes.json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                changes = {}
            print(json.dumps({"incident": report.name, "report": str(report / f"report.{_lang(lang)}.txt"),
                              "added": words.summary(changes) if isinstance(changes, dict) else {},
                              "reused": True}, ensure_ascii=False, indent=2))
        else:
            print(text)
        print(t("aftercare.cli_reused", lang, path=report), file=sys.stderr)
        return 0
    try:
        session = aftercare.load_session(folder)
    except (OSError, ValueError) as exc:
        print(f"{folder.name}: {exc}", file=sys.stderr)
        return 1
    incident, data = aftercare.finish(session, ended=False, lang=lang,
                                      country=guidance.resolve_country(settings.country))
    events.append("aftercare", **{k: v for k, v in data.items() if k != "text"})
    if args.json:
        print(json.dumps({k: v for k, v in data.items() if k != "text"}, ensure_ascii=False, indent=2))
    else:
        print(data["text"])
    if incident is not None:
        print(t("aftercare.cli_written", lang, path=incident), file=sys.stderr)
    return 0
