"""The ``vigie`` command line. Each sub-command lives in its own module, which
exposes ``register(subparsers)``; importing it must be cheap (no GUI, no display).
Help texts come from ``agent.cli.i18n.text("...")`` (the ``cli`` catalogue), in the
user's language, as are argparse's own words (``agent.cli.i18n.speaking``).

Called on the main thread; returns the process exit status.
"""
from __future__ import annotations

import argparse
import importlib
import sys

from agent import __version__
from agent.cli import i18n as cli_i18n
from agent.cli.i18n import text as _h

# Modules that add sub-commands, in help order.
COMMANDS = [
    "agent.cli.scan",     # vigie scan
    "agent.cli.evidence", # vigie evidence list|export|verify
    "agent.cli.run",      # vigie run
    "agent.cli.helper",   # vigie helper add|remove|list|test|status|flush
    "agent.cli.config",   # vigie config show|path|check
    "agent.cli.install",  # vigie install / vigie uninstall
    "agent.cli.doctor",   # vigie doctor [--lang fra+eng] [--json]
    "agent.cli.aftercare",  # vigie aftercare [--incident ID] [--json]
]


def build_parser(lang: str | None = None) -> argparse.ArgumentParser:
    """The parser, its texts in ``lang`` (default: the user's, ``cli_i18n.language``).

    Printing its help or errors in that language needs ``cli_i18n.speaking`` open, as
    :func:`main` does.
    """
    with cli_i18n.speaking(lang):
        parser = argparse.ArgumentParser(prog="vigie", description=_h("vigie_description"))
        parser.add_argument("--version", action="version", version=f"vigie {__version__}",
                            help=_h("version"))
        parser.add_argument("-v", "--verbose", action="store_true", help=_h("verbose"))
        sub = parser.add_subparsers(dest="command", metavar="COMMAND")
        for name in COMMANDS:
            importlib.import_module(name).register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    from agent.i18n import assets_problem  # noqa: PLC0415
    problem = assets_problem()
    if problem:                # raw message keys would be all the user sees: say what is wrong
        print(problem, file=sys.stderr)
        return 2
    # One language for the whole run: sub-commands may print a parser's help later.
    with cli_i18n.speaking():
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "func", None):
            parser.print_help()
            return 2
        try:
            return int(args.func(args) or 0)
        except KeyboardInterrupt:
            return 130
        except BrokenPipeError:
            return 0


if __name__ == "__main__":
    sys.exit(main())
