"""``vigie scan PATH... [--json] [--lang fra+eng] [--sensitivity S] [--text] [--source web|app|unknown]``.

An image is read as the agent reads a screen: a browser page (``--source web``, the
default); ``--source app`` for a screenshot of a desktop application (a page drawing
the system's own security alert is evidence only a browser page gives).

Scans images (PNG/JPEG/...) and text files. One bad file gives a clear per-file error
and the others are still scanned; a missing Tesseract or language pack gives one clear
message with the command that installs it. Exit status: 0 all OK, 1 a scam was found,
2 an error (bad file, image too large, no OCR; it wins over 1). Runs on the main thread.

Inputs are screens (:mod:`agent.detect.limits`): an image over 50 megapixels is refused,
a big one is scaled down to 16 megapixels before OCR; of a text file only the first
~80 kB are read, and of those the first 16,000 and last 4,000 characters are scored
(said on stderr, and ``"truncated": true`` in ``--json``). A file name that is not
valid in the system's encoding is shown with ``\\xNN`` escapes.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from agent import config
from agent.i18n import t

TEXT_SUFFIXES = {".txt", ".text", ".md", ".eml", ".html", ".htm", ".csv", ".log"}


def register(sub) -> None:
    from agent.cli.i18n import text as _h
    p = sub.add_parser("scan", help=_h("scan_help"))
    p.add_argument("paths", nargs="+", metavar="PATH", help=_h("scan_paths"))
    p.add_argument("--json", action="store_true", help=_h("scan_json"))
    p.add_argument("--lang", default=None, help=_h("scan_lang"))
    p.add_argument("--sensitivity", choices=("low", "normal", "high"), default=None)
    p.add_argument("--text", action="store_true", help=_h("scan_text"))
    p.add_argument("--source", choices=("web", "app", "unknown"), default="web", help=_h("scan_source"))
    p.set_defaults(func=run)


def _read_text(path: Path) -> tuple[str, bool]:
    """The start of a text file (at most what can be scored) and whether it was longer."""
    from agent.detect.limits import MAX_TEXT_BYTES  # noqa: PLC0415
    from agent import safefile  # noqa: PLC0415
    with safefile.open_regular(path) as fh:   # a pipe or a device: refused, never read for ever
        data = fh.read(MAX_TEXT_BYTES + 1)
        more = len(data) > MAX_TEXT_BYTES
        if more:       # keep the tail too: a scam mail may put its phone number last
            half = MAX_TEXT_BYTES // 2
            size = fh.seek(0, 2)
            fh.seek(max(half, size - half))
            data = data[:half] + b"\n" + fh.read(half)
    for enc in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(enc), more
        except UnicodeDecodeError:
            if enc == "utf-8" and more:   # the cut may have split a character
                return data.decode(enc, "replace"), more
            continue
    return data.decode("utf-8", "replace"), more


def shown(path: Path | str) -> str:
    """``path`` as printable text: bytes not valid in the file-system encoding as ``\\xNN``."""
    import os  # noqa: PLC0415
    return os.fsencode(path).decode("utf-8", "backslashreplace")


def run(args) -> int:
    from PIL import UnidentifiedImageError  # noqa: PLC0415
    from agent.detect.ocr import OcrUnavailable, check_tesseract  # noqa: PLC0415
    from agent.detect.pipeline import Detector  # noqa: PLC0415

    from agent.detect.limits import (HEAD_CHARS, TAIL_CHARS, ImageBadShape,  # noqa: PLC0415
                                     ImageTooLarge, cap_text, open_image)
    for stream in (sys.stdout, sys.stderr):   # nothing printed may stop the scan (odd names, odd locales)
        try:
            stream.reconfigure(errors="backslashreplace")
        except (AttributeError, ValueError):
            pass
    settings, _problems = config.load()
    lang = settings.lang()
    langs = args.lang or settings.tess_langs()
    detector = Detector(langs, args.sensitivity or settings.sensitivity)
    for err in detector.phrase_errors:
        print(t("scan.phrase_error", lang, error=str(err)), file=sys.stderr)
    status = 0
    ocr_problem: str | None = None
    for raw in args.paths:
        path = Path(raw)
        truncated = False
        try:
            if path.suffix.lower() in TEXT_SUFFIXES:
                text, truncated = _read_text(path)
                truncated = cap_text(text)[1] or truncated
                verdict = detector.scan_text(text)
            else:
                if ocr_problem is None:
                    problems = check_tesseract(langs)
                    ocr_problem = "; ".join(problems)
                if ocr_problem:
                    raise OcrUnavailable(ocr_problem)
                with open_image(path) as img:
                    verdict = detector.scan_image(img, source="" if args.source == "unknown" else args.source)
        except ImageTooLarge as exc:
            _error(args, path, t("scan.too_large", lang, megapixels=exc.megapixels, limit=exc.limit))
            status = 2
            continue
        except ImageBadShape as exc:
            _error(args, path, t("scan.bad_shape", lang, width=exc.width, height=exc.height))
            status = 2
            continue
        except OcrUnavailable as exc:
            _error(args, path, t("scan.no_ocr", lang, problem=str(exc)))
            status = 2
            continue
        except FileNotFoundError:
            _error(args, path, t("scan.missing", lang))
            status = 2
            continue
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            from agent.safefile import describe  # noqa: PLC0415
            _error(args, path, t("scan.unreadable", lang, reason=describe(exc, lang) if isinstance(exc, OSError) else str(exc)))
            status = 2
            continue
        except Exception as exc:  # noqa: BLE001 - one file must never stop the others
            _error(args, path, t("scan.failed", lang, reason=f"{type(exc).__name__}: {exc}"))
            status = 2
            continue
        verdict.path = shown(path)
        verdict.lang = verdict.lang or langs
        if args.json:
            out = verdict.to_json(with_text=args.text)
            if truncated:
                out["truncated"] = True
            print(json.dumps(out, ensure_ascii=False), flush=True)
        else:
            _print_human(verdict, lang)
        if truncated:
            print(f"{shown(path)}: " + t("scan.truncated", lang, head=HEAD_CHARS, tail=TAIL_CHARS), file=sys.stderr)
        if verdict.is_scam and status == 0:
            status = 1
    return status


def _error(args, path: Path, message: str) -> None:
    if args.json:
        print(json.dumps({"path": shown(path), "verdict": None, "error": message}, ensure_ascii=False), flush=True)
    print(f"{shown(path)}: {message}", file=sys.stderr)


def _print_human(verdict, lang: str) -> None:
    if verdict.is_scam:
        head = t("scan.scam", lang, family=t(f"scan.family_{verdict.family}", lang), score=round(verdict.score * 100))
    else:
        head = t("scan.ok", lang, score=round(verdict.score * 100))
    print(f"{verdict.path}: {head} ({verdict.ms:.0f} ms)")
    if verdict.phones:
        print("  " + t("scan.phones", lang, phones=", ".join(verdict.phones)))
    for s in verdict.signals[:12]:
        text = t(f"scan.{s.kind}_{s.text}", lang) if s.kind in ("layout", "image") else s.text
        print(f"  - {s.kind}: {text}")
