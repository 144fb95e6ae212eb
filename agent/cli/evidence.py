"""``vigie evidence list``, ``vigie evidence export ID [--out FILE] [--force]``, ``vigie evidence verify ID``.

``export`` writes a zip ready to hand to the police: the incident's files, its
``manifest.json`` and a short README in the person's language; the zip is written to a
temporary name, re-read and every file checked against the manifest's SHA-256 before it
is put in place. It never replaces an existing file unless ``--force`` (and even then
only a regular file, never a device, folder or link), never writes inside the evidence
folder, and an ``--out`` folder gets ``vigie-<ID>.zip`` inside it. A damaged incident is
still exported (it is still evidence) with a warning and exit status 1. Exit 2: no such
incident or the zip cannot be written. Main thread.
"""
from __future__ import annotations

import os
import stat
import sys
import tempfile
import zipfile
from pathlib import Path

from agent import config, paths
from agent.i18n import t
from agent.respond.evidence import store as evidence


def register(sub) -> None:
    from agent.cli.i18n import text as _h
    p = sub.add_parser("evidence", help=_h("evidence_help"))
    ev = p.add_subparsers(dest="evidence_command", metavar="ACTION")
    ls = ev.add_parser("list", help=_h("evidence_list"))
    ls.set_defaults(func=run_list)
    ex = ev.add_parser("export", help=_h("evidence_export"))
    ex.add_argument("id", help=_h("evidence_id"))
    ex.add_argument("--out", default=None, help=_h("evidence_out"))
    ex.add_argument("--force", action="store_true", help=_h("evidence_force"))
    ex.set_defaults(func=run_export)
    vf = ev.add_parser("verify", help=_h("evidence_verify"))
    vf.add_argument("id")
    vf.set_defaults(func=run_verify)
    p.set_defaults(func=lambda args: (p.print_help(), 2)[1])


def _lang() -> str:
    settings, _ = config.load()
    return settings.lang()


def _find(ident: str, lang: str):
    try:
        return evidence.find(ident)
    except LookupError as exc:
        matches = exc.args[0] if exc.args else []
        msg = t("evidence.ambiguous", lang, id=ident, matches=", ".join(matches)) if matches \
            else t("evidence.not_found", lang, id=ident)
        print(msg, file=sys.stderr)
        return None


def run_list(args) -> int:
    lang = _lang()
    incidents = evidence.list_incidents()
    if not incidents:
        print(t("evidence.none", lang))
        return 0
    print(t("evidence.header", lang))
    for inc in incidents:
        check = t("evidence.check_ok", lang) if not inc.damaged and not evidence.verify(inc.path) \
            else t("evidence.check_bad", lang)
        phones = " ".join(inc.phones)
        print(f"{inc.id:<37} {inc.time:<26} {inc.family:<11} {check}  {phones}".rstrip())
        if inc.damaged:
            print(t("evidence.damaged_reason", lang, id=inc.id, reason=inc.damaged))
    return 0


def run_verify(args) -> int:
    lang = _lang()
    inc = _find(args.id, lang)
    if inc is None:
        return 2
    problems = evidence.verify(inc.path)
    for p in problems:
        print(f"{inc.id}: {p}")
    if not problems:
        print(t("evidence.verify_ok", lang, id=inc.id))
    return 1 if problems else 0


class ExportRefused(Exception):
    """``--out`` names a place the zip must not go; ``key``/``values`` for the message."""

    def __init__(self, key: str, **values):
        super().__init__(key)
        self.key, self.values = key, values


def check_target(out: Path, force: bool) -> None:
    """Raise :class:`ExportRefused` when the zip must not be written at ``out``."""
    root = paths.evidence_dir()
    where = Path(os.path.realpath(out))
    inside = Path(os.path.realpath(root))
    if where == inside or inside in where.parents:
        raise ExportRefused("export_inside", path=out, folder=root)
    for folder in (paths.data_dir(), paths.log_dir()):   # the outbox, events, state, logs
        real = Path(os.path.realpath(folder))
        if where == real or real in where.parents:
            raise ExportRefused("export_own", path=out, folder=folder)
    config_file = paths.config_file()
    own = (config_file, config_file.parent / "secrets.toml", config_file.with_name(config_file.name + ".bak"))
    if any(where == Path(os.path.realpath(f)) for f in own):
        raise ExportRefused("export_own", path=out, folder=config_file.parent)
    try:
        st = os.lstat(out)
    except FileNotFoundError:
        return
    if not stat.S_ISREG(st.st_mode):
        raise ExportRefused("export_not_file", path=out)
    if not force:
        raise ExportRefused("export_exists", path=out)


def _put_in_place(tmp: Path, out: Path, force: bool) -> None:
    """Move the finished zip to ``out``: replacing a regular file only with ``force``,
    else never replacing anything (a hard link fails if ``out`` appeared meanwhile)."""
    if force:
        check_target(out, True)     # again, just before: nothing but a regular file is replaced
        os.replace(tmp, out)
        return
    try:
        os.link(tmp, out)
    except FileExistsError:
        raise ExportRefused("export_exists", path=out) from None
    except OSError:                  # no hard links here (FAT, some network drives)
        with open(tmp, "rb") as src, open(out, "xb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
            dst.flush()
            os.fsync(dst.fileno())
    tmp.unlink()


def kind_words(family: str, lang: str) -> str:
    """The incident's kind in words ("fake technical support…"), its code in brackets."""
    from agent import i18n  # noqa: PLC0415
    key = f"evidence.kind_{family}"
    if key in i18n.catalogue(i18n.resolve(lang)) or key in i18n.catalogue(i18n.FALLBACK):
        return f"{t(key, lang)} [{family}]"
    return family


def export_zip(folder: Path, out: Path, lang: str, force: bool = False) -> tuple[int, list[str]]:
    """Write ``folder`` as a zip at ``out`` (atomically); returns (files, problems).
    Problems come from the folder itself and from re-reading the zip. Raises
    :class:`ExportRefused` (see :func:`check_target`) or OSError."""
    check_target(out, force)
    problems = evidence.verify(folder)
    manifest, _damaged = evidence.load_manifest(folder)
    readme = t("evidence.readme", lang, id=folder.name, time=manifest["time"],
               family=kind_words(manifest["family"], lang), phones=", ".join(manifest["phones"]) or "-")
    names = sorted(p.name for p in folder.iterdir() if p.is_file() and not p.is_symlink())
    if "timeline.jsonl" in names:
        readme += t("evidence.readme_timeline", lang)
    fd, name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(fd)
    tmp = Path(name)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as z:
            for name in names:
                z.write(folder / name, f"{folder.name}/{name}")
            z.writestr(f"{folder.name}/README.txt", readme)
        with zipfile.ZipFile(tmp) as z:
            for name, meta in manifest["files"].items():
                try:
                    data = z.read(f"{folder.name}/{name}")
                except KeyError:
                    continue      # already reported by verify()
                if evidence.sha256(data) != meta.get("sha256"):
                    problems.append(f"{name}: the copy in the zip does not match the manifest")
        _put_in_place(tmp, out, force)
    finally:
        if tmp.exists():
            tmp.unlink()
    return len(names) + 1, sorted(set(problems))


def run_export(args) -> int:
    lang = _lang()
    inc = _find(args.id, lang)
    if inc is None:
        return 2
    out = Path(args.out).expanduser() if args.out else Path.cwd() / f"vigie-{inc.id}.zip"
    if out.is_dir() and not out.is_symlink():
        out = out / f"vigie-{inc.id}.zip"
    try:
        count, problems = export_zip(inc.path, out, lang, force=getattr(args, "force", False))
    except ExportRefused as exc:
        print(t("evidence." + exc.key, lang, **exc.values), file=sys.stderr)
        return 2
    except OSError as exc:
        print(t("evidence.export_failed", lang, path=out, reason=exc.strerror or exc), file=sys.stderr)
        return 2
    if problems:
        print(t("evidence.export_problems", lang), file=sys.stderr)
        for p in problems:
            print(f"  - {p}", file=sys.stderr)
    print(t("evidence.exported", lang, id=inc.id, path=out, count=count))
    return 1 if problems else 0
