"""The command line shared by the asset generators (scripts/gen_banks.py, scripts/gen_confusables.py):
``--out FILE`` and ``--check`` (write nothing, exit 1 if the committed file differs)."""
from __future__ import annotations

import argparse
from pathlib import Path
from typing import Callable


def main(doc: str, default_out: Path, make: Callable[[], str], count: Callable[[str], int]) -> int:
    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--out", default=str(default_out))
    ap.add_argument("--check", action="store_true", help="write nothing; exit 1 if the file differs")
    args = ap.parse_args()
    text = make()
    out = Path(args.out)
    if args.check:
        same = out.is_file() and out.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{out} differs from what the sources give: rerun without --check")
        return 0 if same else 1
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out} ({count(text)} entries)")
    return 0
