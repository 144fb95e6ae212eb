"""``vigie config show|path|check``: what the helper types on the phone.

- ``show [--json]``: the effective settings (file + defaults), secrets masked;
- ``path``: the settings file's path (it may not exist yet);
- ``check``: names the file, line and problem of each mistake; exit 1 if any.

Runs on the main thread; messages in the configured language.
"""
from __future__ import annotations

import json
import sys

from agent import config, paths
from agent.config_write import toml_value
from agent.i18n import t


def register(sub) -> None:
    from agent.cli.i18n import text as _h
    p = sub.add_parser("config", help=_h("config_help"))
    actions = p.add_subparsers(dest="config_action", metavar="ACTION")
    show = actions.add_parser("show", help=_h("config_show"))
    show.add_argument("--json", action="store_true", help=_h("config_show_json"))
    actions.add_parser("path", help=_h("config_path"))
    actions.add_parser("check", help=_h("config_check"))
    p.set_defaults(func=run, config_action=None)


def run(args) -> int:
    action = args.config_action or "show"
    path = paths.config_file()
    if action == "path":
        print(path)
        return 0
    settings, problems = config.load(path, quiet=True)
    lang = settings.lang()
    if action == "check":
        return check(settings, problems, path, lang)
    return show(settings, problems, path, lang, as_json=getattr(args, "json", False))


def check(settings, problems, path, lang) -> int:
    if not path.exists() and not problems:   # a dangling link is a problem, not "no file"
        print(t("config.check_no_file", lang, path=path))
        return 0
    if not problems:
        print(t("config.check_ok", lang, path=path))
        return 0
    print(t("config.check_bad", lang, path=path, count=len(problems)), file=sys.stderr)
    for p in problems:
        print("  " + p.text(lang), file=sys.stderr)
    print(t("config.check_fallback", lang), file=sys.stderr)
    return 1


def show(settings, problems, path, lang, as_json: bool = False) -> int:
    effective = config.as_dict(settings, mask_secrets=True)
    if as_json:
        out = {"file": str(path), "exists": path.exists(), "settings": effective,
               "problems": [{"file": p.file, "line": p.line, "message": p.message} for p in problems]}
        print(json.dumps(out, ensure_ascii=False, indent=2))
        return 0
    key = "config.show_file" if path.exists() else "config.show_no_file"
    print("# " + t(key, lang, path=path))
    if problems:
        print("# " + t("config.show_problems", lang, count=len(problems)))
    for section, values in effective.items():
        if section:
            print(f"\n[{section}]")
        for name, value in values.items():
            print(f"{name} = {toml_value(value)}")
    return 0
