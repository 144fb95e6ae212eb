"""The command line's help and usage errors in French and English (agent/cli/i18n.py):
the configured language, else the locale, else English; option names never translated."""
from __future__ import annotations

import argparse
import gettext
import inspect
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from agent import cli, config, i18n
from agent.cli import i18n as cli_i18n
from agent.tomlcompat import tomllib

I18N = Path(__file__).resolve().parent.parent / "assets" / "i18n"
LOCALE_VARS = ("LC_ALL", "LC_MESSAGES", "LANGUAGE", "LANG")
VIGIE = Path(sys.executable).with_name("vigie")  # the console script of this venv

FRENCH = ["utilisation : vigie", "arguments positionnels", "afficher ce message d'aide et quitter"]
ENGLISH = ["usage: vigie", "positional arguments", "show this help message and exit"]


def run(*args, lang_env: str | None = None, config_text: str | None = None,
        tmp: Path, script: bool = False) -> subprocess.CompletedProcess:
    """``python -m agent ARGS`` (or the ``vigie`` script) with only ``LANG=lang_env`` as
    locale and, if given, a config file holding ``config_text``."""
    env = {k: v for k, v in os.environ.items() if k not in LOCALE_VARS}
    if lang_env:
        env["LANG"] = lang_env
    cfg = tmp / "cfg" / "config.toml"
    if config_text is not None:
        cfg.parent.mkdir(parents=True, exist_ok=True)
        cfg.write_text(config_text, encoding="utf-8")
    env["VIGIE_CONFIG"] = str(cfg)
    argv = [str(VIGIE)] if script else [sys.executable, "-m", "agent"]
    return subprocess.run([*argv, *args], capture_output=True, text=True, encoding="utf-8",
                          timeout=120, env=env)


def _in(words, text):
    return [w for w in words if w not in text]


# -- real processes ---------------------------------------------------------------

@pytest.mark.parametrize("config_text, lang_env, expected", [
    ('language = "fr"\n', "en_US.UTF-8", "fr"),   # the config wins over the locale
    ('language = "en"\n', "fr_FR.UTF-8", "en"),
    (None, "fr_FR.UTF-8", "fr"),                  # no config: the locale
    (None, "C.UTF-8", "en"),                      # no usable locale: English
    ('language = "auto"\n', "fr_CA.UTF-8", "fr"),
    ("language = \n[[[", "fr_FR.UTF-8", "fr"),    # a broken config: the locale, no failure
    ('language = "de"\n', "fr_FR.UTF-8", "en"),   # not a first-class language: English
])
def test_main_help_in_the_users_language(tmp_path, config_text, lang_env, expected):
    out = run("--help", config_text=config_text, lang_env=lang_env, tmp=tmp_path)
    assert out.returncode == 0, out.stderr
    assert "Traceback" not in out.stderr
    if expected == "fr":
        assert _in(FRENCH, out.stdout) == [], out.stdout
        assert "chercher des arnaques dans des captures d'écran" in out.stdout
        assert _in(ENGLISH, out.stdout) == ENGLISH
    else:
        assert _in(ENGLISH, out.stdout) == [], out.stdout
        assert "scan screenshots or text files for scams" in out.stdout
        assert _in(FRENCH, out.stdout) == FRENCH
    # the sub-command names, the metavar and the options are the same in both languages
    for name in ("COMMAND", "scan", "evidence", "run", "helper", "config", "install",
                 "uninstall", "doctor", "-h, --help", "--version", "-v, --verbose"):
        assert name in out.stdout


def _usage(text: str) -> str:
    """The usage line(s) without the translated prefix, whitespace squeezed."""
    block = text.split("\n\n")[0]
    block = block.split(" ", 2)[2] if block.startswith("utilisation : ") else block.split(" ", 1)[1]
    return " ".join(block.split())


def _options(text: str) -> list[str]:
    return sorted(set(re.findall(r"(?<![\w-])--?[a-z][\w-]*", text)))


@pytest.mark.skipif(not VIGIE.exists(), reason="the vigie console script is not installed in this venv")
def test_scan_help_from_the_vigie_script_same_options_in_both(tmp_path):
    fr = run("scan", "--help", config_text='language = "fr"\n', tmp=tmp_path, script=True)
    en = run("scan", "--help", config_text='language = "en"\n', tmp=tmp_path, script=True)
    assert fr.returncode == en.returncode == 0, fr.stderr + en.stderr
    assert fr.stdout.startswith("utilisation : vigie scan ") and en.stdout.startswith("usage: vigie scan ")
    assert "un objet JSON par ligne" in fr.stdout and "one JSON object per line" in en.stdout
    assert "options:" in en.stdout and "arguments positionnels" in fr.stdout
    # what other tools rely on is untouched: the usage line, option names, metavars, choices
    assert _usage(fr.stdout) == _usage(en.stdout) == (
        "vigie scan [-h] [--json] [--lang LANG] [--sensitivity {low,normal,high}] [--text]"
            " [--source {web,app,unknown}] PATH [PATH ...]")
    assert _options(fr.stdout) == _options(en.stdout) == [
        "--help", "--json", "--lang", "--sensitivity", "--source", "--text", "-h"]


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_usage_errors_in_the_users_language(tmp_path, lang):
    cfg = f'language = "{lang}"\n'
    missing = run("scan", config_text=cfg, tmp=tmp_path)
    bad_choice = run("bogus", config_text=cfg, tmp=tmp_path)
    bad_value = run("helper", "test", "--timeout", "soon", config_text=cfg, tmp=tmp_path)
    for out in (missing, bad_choice, bad_value):
        assert out.returncode == 2 and out.stdout == "" and "Traceback" not in out.stderr, out.stderr
    if lang == "fr":
        assert missing.stderr.startswith("utilisation : vigie scan")
        assert "vigie scan : erreur : les arguments suivants sont obligatoires : PATH" in missing.stderr
        assert "vigie : erreur : argument COMMAND : choix invalide : 'bogus' (choisir parmi 'scan', " in bad_choice.stderr
        assert "argument --timeout : valeur float invalide : 'soon'" in bad_value.stderr
        assert "error" not in missing.stderr + bad_choice.stderr + bad_value.stderr
    else:
        assert missing.stderr.startswith("usage: vigie scan")
        assert "vigie scan: error: the following arguments are required: PATH" in missing.stderr
        assert "vigie: error: argument COMMAND: invalid choice: 'bogus' (choose from 'scan', " in bad_choice.stderr
        assert "argument --timeout: invalid float value: 'soon'" in bad_value.stderr


def test_help_printed_by_a_sub_command_is_translated_too(tmp_path):
    # `vigie helper` / `vigie evidence` with no action print their parser's help from
    # inside the sub-command, after parsing
    for command, line in (("helper", "ajouter une adresse de notification"),
                          ("evidence", "lister les incidents enregistrés")):
        out = run(command, config_text='language = "fr"\n', tmp=tmp_path)
        assert out.returncode == 2, out.stderr
        assert out.stdout.startswith(f"utilisation : vigie {command} [-h] ACTION ...") and line in out.stdout


def test_version_is_unchanged(tmp_path):
    out = run("--version", config_text='language = "fr"\n', tmp=tmp_path)
    assert (out.returncode, out.stdout.strip()) == (0, f"vigie {cli.__version__}")


# -- in process -------------------------------------------------------------------

def _actions(parser: argparse.ArgumentParser):
    """Every (parser, action) of the tree, sub-command choices included."""
    for action in parser._actions:
        yield parser, action
        if isinstance(action, argparse._SubParsersAction):
            for choice in action._choices_actions:
                yield parser, choice
            for sub in dict.fromkeys(action.choices.values()):
                yield from _actions(sub)


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_every_help_text_comes_from_the_catalogue(lang):
    texts = {v for k, v in i18n.catalogue(lang).items() if k.startswith(("cli.", "argparse."))}
    with cli_i18n.speaking(lang):
        parser = cli.build_parser()
    helps = [parser.description] + [a.help for _, a in _actions(parser) if a.help not in (None, argparse.SUPPRESS)]
    assert len(helps) > 45
    assert [h for h in helps if h not in texts] == []
    assert parser._positionals.title == ("arguments positionnels" if lang == "fr" else "positional arguments")


def test_option_names_defaults_and_metavars_do_not_depend_on_the_language():
    def shape(lang):
        with cli_i18n.speaking(lang):
            parser = cli.build_parser()
        return [(p.prog, tuple(a.option_strings), a.dest, a.metavar, repr(a.default), a.nargs,
                 tuple(a.choices) if a.choices else None, type(a).__name__)
                for p, a in _actions(parser)]
    assert shape("fr") == shape("en")


def test_speaking_restores_argparse_and_nests():
    before = argparse._, argparse.ngettext
    with cli_i18n.speaking("fr"):
        assert argparse._("usage: ") == "utilisation : "
        with cli_i18n.speaking("en"):
            assert argparse._("usage: ") == "usage: " and cli_i18n.current() == "en"
        assert argparse._("options") == "options" and cli_i18n.current() == "fr"
        assert argparse._("not an argparse message") == "not an argparse message"
    assert (argparse._, argparse.ngettext) == before
    assert argparse._ is gettext.gettext


def test_main_leaves_argparse_as_it_found_it(capsys):
    assert cli.main(["config", "path"]) == 0
    with pytest.raises(SystemExit):
        cli.main(["scan"])
    assert argparse._ is gettext.gettext and argparse.ngettext is gettext.ngettext
    assert cli_i18n._current is None


def test_plural_forms():
    fr, en = cli_i18n.ArgparseWords("fr"), cli_i18n.ArgparseWords("en")
    one, many = "expected %s argument", "expected %s arguments"
    assert fr.ngettext(one, many, 1) == fr.ngettext(one, many, 0) == "%s argument attendu"
    assert fr.ngettext(one, many, 2) == "%s arguments attendus"
    assert en.ngettext(one, many, 0) == many and en.ngettext(one, many, 1) == one


def test_language_never_fails(monkeypatch, isolated_dirs):
    for var in LOCALE_VARS:
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("LANG", "fr_FR.UTF-8")
    assert cli_i18n.language() == "fr"                       # no config: the locale
    cfg = Path(os.environ["VIGIE_CONFIG"])
    cfg.parent.mkdir(parents=True, exist_ok=True)
    cfg.write_text('language = "en"\n', encoding="utf-8")
    assert cli_i18n.language() == "en"                       # the config wins
    cfg.write_bytes(b"\xff\xfe not text")
    assert cli_i18n.language() == "fr"                       # unreadable: the locale

    def boom(*a, **k):
        raise RuntimeError("config exploded")
    monkeypatch.setattr(config, "load", boom)
    assert cli_i18n.language() == "fr"                       # anything else: the locale


# -- the argparse catalogue -----------------------------------------------------------

def _catalogue(lang):
    return tomllib.loads((I18N / lang / "argparse.toml").read_text(encoding="utf-8"))


def _percent_fields(text):
    return sorted(re.findall(r"%\(\w+\)[sr]|%[sr]", text))


def test_argparse_texts_keep_their_placeholders():
    en, fr = _catalogue("en"), _catalogue("fr")
    assert set(en) == set(fr)
    for key in en:
        assert _percent_fields(en[key]) == _percent_fields(fr[key]), key
        assert en[key].endswith("\n") == fr[key].endswith("\n"), key
        assert en[key].endswith(" ") == fr[key].endswith(" "), key


# argparse messages that only some Python versions ask for
NOT_IN_EVERY_PYTHON = {"options_before_3_10", "options", "heading", "version"}


def test_english_texts_are_argparse_message_ids():
    """A text that is not exactly argparse's message id is never looked up: catch typos."""
    source = inspect.getsource(argparse)
    missing = [key for key, msg in _catalogue("en").items()
               if repr(msg)[1:-1] not in source and repr(msg).replace("'", '"')[1:-1] not in source
               and msg.replace("\n", "\\n") not in source]
    assert sorted(set(missing) - NOT_IN_EVERY_PYTHON) == []
    if sys.version_info >= (3, 10):
        assert "options" not in missing
