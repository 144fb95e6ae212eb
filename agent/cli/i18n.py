"""The ``vigie`` command line in the user's language: its help texts and argparse's own
words ("usage:", "options", "the following arguments are required"...).

- :func:`language` is the rule: the configured language if there is a config file, else
  the session's locale, else English. It never fails (a broken or unreadable config
  means the locale).
- :func:`text` gives a sub-command's ``help=``/``description=`` from the ``cli`` message
  catalogue (``assets/i18n/<lang>/cli.toml``).
- :func:`speaking` translates argparse itself for as long as it is open. argparse asks
  ``gettext`` for each of its words at the moment it prints them (``argparse._`` and
  ``argparse.ngettext``, the hook the Python documentation and i18nparse use); here they
  are answered from the ``argparse`` catalogue, whose English texts are argparse's exact
  message ids. No ``.mo`` file, no change to the process's locale, and a word this
  Python's argparse does not have (or a newer one we do not know) simply stays English.
"""
from __future__ import annotations

import argparse
import contextlib
import gettext
from collections.abc import Iterator

from agent import i18n

_current: str | None = None  # the language of the parser being built / used


def language() -> str:
    """The language of the command line: configured, else the locale, else English."""
    try:
        from agent import config
        settings, _problems = config.load(quiet=True)  # a missing/broken file: defaults
        return settings.lang()
    except Exception:  # noqa: BLE001 - the help must print whatever the config holds
        try:
            return i18n.resolve("auto")
        except Exception:  # noqa: BLE001
            return i18n.FALLBACK


def current() -> str:
    """The language :func:`speaking` set, else :func:`language`."""
    return _current or language()


def text(name: str) -> str:
    """``cli.<name>`` in the current language (a ``help=``/``description=`` text)."""
    return i18n.t(f"cli.{name}", current())


class ArgparseWords(gettext.NullTranslations):
    """argparse's English messages → the ``argparse`` catalogue of ``lang``."""

    def __init__(self, lang: str):
        super().__init__()
        self.lang = lang
        english = i18n.catalogue(i18n.FALLBACK)
        # message id (argparse's English text) → catalogue key
        self._keys = {msg: key for key, msg in english.items() if key.startswith("argparse.")}

    def _lookup(self, message: str) -> str:
        key = self._keys.get(message)
        if key is None or self.lang == i18n.FALLBACK:
            return message
        return i18n.catalogue(self.lang).get(key) or message

    def gettext(self, message):
        return self._lookup(message)

    def ngettext(self, msgid1, msgid2, n):
        one = n in (0, 1) if self.lang == "fr" else n == 1
        return self._lookup(msgid1 if one else msgid2)


@contextlib.contextmanager
def speaking(lang: str | None = None) -> Iterator[str]:
    """Help texts and argparse's words in ``lang`` (default :func:`current`) inside.

    Build the parser, parse and print help inside it: argparse looks its words up while
    constructing a parser ("options"), printing ("usage:") and failing ("error:").
    Restores what was there before (nesting is fine). Yields the language.
    """
    global _current
    lang = lang or current()
    saved = _current, getattr(argparse, "_", None), getattr(argparse, "ngettext", None)
    patch = callable(saved[1]) and callable(saved[2])
    _current = lang
    if patch:
        words = ArgparseWords(lang)
        argparse._, argparse.ngettext = words.gettext, words.ngettext
    try:
        yield lang
    finally:
        _current = saved[0]
        if patch:
            argparse._, argparse.ngettext = saved[1], saved[2]
