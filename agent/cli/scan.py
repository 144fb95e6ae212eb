"""``vigie scan PATH... [--json] [--lang fra+eng] [--sensitivity S] [--text]``.

Scans images (PNG/JPEG/...) and text files. One bad file gives a clear per-file error
and the others are still scanned; a missing Tesseract or language pack gives one clear
message with the command that installs it. Exit status: 0 all OK, 1 a scam was found,
2 an error (bad file or no OCR). Runs on the main thread.
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
    p.set_defaults(func=run)


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    for enc in ("utf-8", "cp1252", "latin-1"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def run(args) -> int:
    from PIL import Image, UnidentifiedImageError  # noqa: PLC0415
    from agent.detect.ocr import OcrUnavailable, check_tesseract  # noqa: PLC0415
    from agent.detect.pipeline import Detector  # noqa: PLC0415

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
        try:
            if path.suffix.lower() in TEXT_SUFFIXES:
                verdict = detector.scan_text(_read_text(path))
            else:
                if ocr_problem is None:
                    problems = check_tesseract(langs)
                    ocr_problem = "; ".join(problems)
                if ocr_problem:
                    raise OcrUnavailable(ocr_problem)
                with Image.open(path) as img:
                    img.load()
                    verdict = detector.scan_image(img)
        except OcrUnavailable as exc:
            _error(args, path, t("scan.no_ocr", lang, problem=str(exc)))
            status = 2
            continue
        except FileNotFoundError:
            _error(args, path, t("scan.missing", lang))
            status = 2
            continue
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            _error(args, path, t("scan.unreadable", lang, reason=str(exc)))
            status = 2
            continue
        verdict.path = str(path)
        verdict.lang = verdict.lang or langs
        if args.json:
            print(json.dumps(verdict.to_json(with_text=args.text), ensure_ascii=False), flush=True)
        else:
            _print_human(verdict, lang)
        if verdict.is_scam and status == 0:
            status = 1
    return status


def _error(args, path: Path, message: str) -> None:
    if args.json:
        print(json.dumps({"path": str(path), "verdict": None, "error": message}, ensure_ascii=False), flush=True)
    print(f"{path}: {message}", file=sys.stderr)


def _print_human(verdict, lang: str) -> None:
    if verdict.is_scam:
        head = t("scan.scam", lang, family=t(f"scan.family_{verdict.family}", lang), score=round(verdict.score * 100))
    else:
        head = t("scan.ok", lang, score=round(verdict.score * 100))
    print(f"{verdict.path}: {head} ({verdict.ms:.0f} ms)")
    if verdict.phones:
        print("  " + t("scan.phones", lang, phones=", ".join(verdict.phones)))
    for s in verdict.signals[:12]:
        text = t(f"scan.layout_{s.text}", lang) if s.kind == "layout" else s.text
        print(f"  - {s.kind}: {text}")
