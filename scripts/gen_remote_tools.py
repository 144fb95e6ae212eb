#!/usr/bin/env python3
"""Regenerate ``assets/remote_tools.toml`` from the pinned LOLRMM catalogue
(``../shared/vendor/LOLRMM``, Apache-2.0) and Vigie's own additions
(``assets/remote_tools_extra.toml``). The output is byte-for-byte reproducible: the
same inputs always give the same file (tests/test_gen_remote_tools.py checks it).

    .venv/bin/python scripts/gen_remote_tools.py [--lolrmm DIR] [--extra FILE] [--out FILE] [--check]

``--check`` writes nothing and exits 1 if the committed file differs. A build-time tool:
it needs PyYAML (the ``build`` extra); the agent itself only reads the TOML.

What is taken from each LOLRMM entry: ``Name``, the PE metadata file names
(``Filename``, ``OriginalFileName``) and the last part of each installation path that
names a program (``*.exe``, ``*.app`` bundles, bare POSIX program names). Names that
ordinary programs also use are dropped (see the [filter] section of the extra file),
and a name already claimed by an earlier tool is not repeated.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_LOLRMM = ROOT.parent / "shared" / "vendor" / "LOLRMM"
DEFAULT_EXTRA = ROOT / "assets" / "remote_tools_extra.toml"
DEFAULT_OUT = ROOT / "assets" / "remote_tools.toml"
FIELDS = ("windows", "macos", "linux", "installers")
MIN_PATTERN_PREFIX = 5

try:
    import tomllib
except ImportError:  # Python 3.10
    import tomli as tomllib


def norm(name: str) -> str:
    """Lower case, no ``.exe``/``.app`` (as agent.watch.catalog.norm)."""
    name = name.strip().lower()
    for suffix in (".exe", ".app"):
        if name.endswith(suffix) and len(name) > len(suffix):
            return name[: -len(suffix)]
    return name


def _slug(stem: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", stem.lower()).strip("_")


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _pe_names(details: dict) -> list[str]:
    pe = details.get("PEMetadata")
    items = [pe] if isinstance(pe, dict) else pe if isinstance(pe, list) else []
    out = []
    for item in items:
        if isinstance(item, dict):
            for key in ("Filename", "OriginalFileName"):
                out += _strings(item.get(key))
    return out


def candidates(doc: dict) -> dict[str, list[str]]:
    """The program names of one LOLRMM entry, by OS (before filtering)."""
    details = doc.get("Details") if isinstance(doc.get("Details"), dict) else {}
    oses = " ".join(_strings(details.get("SupportedOS"))).lower()
    out: dict[str, list[str]] = {"windows": [], "macos": [], "linux": []}

    def add(name: str, posix_path: bool, from_pe: bool) -> None:
        name = name.strip()
        low = name.lower()
        if not name or any(c in name for c in "<>[]|\"'") or low.endswith(".exee"):
            return
        if low.endswith(".exe"):
            out["windows"].append(name)
        elif low.endswith(".app"):
            out["macos"].append(name[:-4])
        elif "." not in name and " " not in name and (from_pe or posix_path):
            out["linux" if "linux" in oses and (posix_path or "windows" not in oses) else "windows"].append(name)

    for name in _pe_names(details):
        add(name, False, True)
    paths = _strings(details.get("InstallationPaths")) + _strings(doc.get("InstallationPaths"))
    for path in paths:
        path = path.strip()
        if path.endswith(("/", "\\")):
            continue          # a folder
        posix = path.startswith(("/", "~")) and not path.startswith("/Applications/") or path.endswith(".app")
        add(re.split(r"[\\/]", path)[-1], posix and "/" in path, False)
    return out


class Filter:
    def __init__(self, table: dict):
        self.generic = {norm(n) for n in _strings(table.get("generic_names"))}
        self.keep = {norm(n) for n in _strings(table.get("keep_names"))}
        self.exclude = set(_strings(table.get("exclude")))

    def allows(self, name: str) -> bool:
        n = norm(name)
        if n in self.keep:
            return True
        if n in self.generic:
            return False
        wild = re.search(r"[*?]", n)
        if wild:
            prefix = n[: wild.start()].strip(" -_.(")
            return len(prefix) >= MIN_PATTERN_PREFIX and prefix not in self.generic and n.strip("*") != ""
        return len(n) > 3


def load_lolrmm(folder: Path) -> dict[str, dict]:
    """``{file stem: parsed YAML}`` for every ``yaml/*.yaml|*.yml`` file, sorted by stem."""
    import yaml  # noqa: PLC0415 - build-time only (see the module docstring)
    docs = {}
    for path in sorted((folder / "yaml").iterdir(), key=lambda p: p.name):
        if path.suffix.lower() not in (".yaml", ".yml"):
            continue
        doc = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and isinstance(doc.get("Name"), str):
            docs[path.stem] = doc
    return docs


def _toml_str(s: str) -> str:
    return json.dumps(s, ensure_ascii=False)


def _toml_list(values: list[str]) -> str:
    return "[" + ", ".join(_toml_str(v) for v in values) + "]"


def merge(docs: dict[str, dict], extra: dict) -> tuple[list[dict], dict[str, str]]:
    """The tools in output order, and the LOLRMM stems left out with the reason."""
    filt = Filter(extra.get("filter") or {})
    owner: dict[tuple[str, str], str] = {}   # (kind, normalised name) → the tool id that has it
    left_out: dict[str, str] = {stem: "not a remote-control tool (see [filter] exclude)"
                                for stem in sorted(filt.exclude) if stem in docs}
    used: set[str] = set(left_out)
    tools: list[dict] = []

    def take(tool: dict, field: str, names, check: bool) -> None:
        """Add the names no other tool has (a tool may list one name for several OSes)."""
        kind = "installer" if field == "installers" else "process"
        for name in names:
            n = norm(name)
            if owner.get((kind, n), tool["id"]) != tool["id"] or n in map(norm, tool[field]) \
                    or (check and not filt.allows(name)):
                continue
            owner[(kind, n)] = tool["id"]
            tool[field].append(name)

    def from_docs(tool: dict, stems: list[str]) -> None:
        for stem in stems:
            cand = candidates(docs[stem])
            for field in ("windows", "macos", "linux"):
                take(tool, field, sorted(cand[field], key=lambda s: (s.lower(), s)), True)

    ours = []
    for entry in extra.get("tool") or ():      # our own names first: they are trusted
        stems = [s for s in _strings(entry.get("lolrmm")) if s in docs and s not in used]
        used.update(stems)
        tool = {"id": entry["id"], "name": entry.get("name") or entry["id"],
                "lolrmm": [s + ".yaml" for s in stems], **{f: [] for f in FIELDS}}
        for field in FIELDS:
            take(tool, field, _strings(entry.get(field)), False)
        ours.append((tool, stems))
    for tool, stems in ours:                   # then what LOLRMM adds to them
        from_docs(tool, stems)
        tools.append(tool)
    for stem, doc in docs.items():
        if stem in used:
            continue
        tool = {"id": _slug(stem), "name": doc["Name"].strip(), "lolrmm": [stem + ".yaml"],
                **{f: [] for f in FIELDS}}
        from_docs(tool, [stem])
        if any(tool[f] for f in FIELDS):
            tools.append(tool)
            continue
        names = [n for names in candidates(doc).values() for n in names]
        if not names:
            left_out[stem] = "no process name listed"
        elif any(filt.allows(n) for n in names):
            left_out[stem] = "same process names as an earlier entry"
        else:
            left_out[stem] = "only generic process names"
    return tools, left_out


def render(tools: list[dict], left_out: dict[str, str], source: str, docs_count: int) -> str:
    ours = sum(1 for t in tools if not t["lolrmm"])
    lines = [
        "# GENERATED by scripts/gen_remote_tools.py: do not edit by hand; edit",
        "# assets/remote_tools_extra.toml (Vigie's additions and filters), then re-run it.",
        "#",
        "# Remote-control tools that fake technicians make their victims install.",
        "# Matching (agent/watch/catalog.py) is case-insensitive and ignores \".exe\"/\".app\";",
        "# names with * are shell-style patterns (renamed builds); \"installers\" are file-name",
        "# patterns (shell-style, case-insensitive) for the Downloads watcher. The family helper",
        "# can allow the ones they use in the config:",
        "#   [remote_tools]",
        "#   allowlist = [\"rustdesk\"]       # ids or names",
        "#   allow_hours = \"14:00-18:00\"    # optional",
        "#",
        "# Process names and tool names come in large part from LOLRMM, Living Off the Land",
        "# Remote Monitoring and Management (https://github.com/magicsword-io/LOLRMM),",
        "# by the LOLRMM contributors, under the Apache License 2.0 (see THIRD_PARTY.md).",
        f"# Source: {source}",
        f"# {len(tools)} tools: {len(tools) - ours} from {docs_count} LOLRMM entries (some merged, with",
        f"# Vigie's additions), {ours} of Vigie's own; {len(left_out)} LOLRMM entries left out:",
    ]
    for stem, why in sorted(left_out.items()):
        lines.append(f"#   {stem}: {why}")
    for t in tools:
        lines += ["", "[[tool]]", f"id = {_toml_str(t['id'])}", f"name = {_toml_str(t['name'])}"]
        if t["lolrmm"]:
            lines.append(f"lolrmm = {_toml_list(t['lolrmm'])}")
        for field in FIELDS:
            lines.append(f"{field} = {_toml_list(t[field])}")
    return "\n".join(lines) + "\n"


def generate(lolrmm: Path, extra_path: Path) -> str:
    docs = load_lolrmm(lolrmm)
    extra = tomllib.loads(extra_path.read_text(encoding="utf-8"))
    src = (lolrmm / "SOURCE.txt").read_text(encoding="utf-8").strip().splitlines()
    tools, left_out = merge(docs, extra)
    ids = [t["id"] for t in tools]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        raise SystemExit(f"duplicate tool ids: {', '.join(dup)}")
    return render(tools, left_out, src[0] if src else "?", len(docs))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--lolrmm", type=Path, default=DEFAULT_LOLRMM)
    ap.add_argument("--extra", type=Path, default=DEFAULT_EXTRA)
    ap.add_argument("--out", type=Path, default=DEFAULT_OUT)
    ap.add_argument("--check", action="store_true", help="compare with --out, write nothing")
    args = ap.parse_args(argv)
    text = generate(args.lolrmm, args.extra)
    if args.check:
        same = args.out.is_file() and args.out.read_text(encoding="utf-8") == text
        print("up to date" if same else f"{args.out} differs from what the sources give")
        return 0 if same else 1
    args.out.write_bytes(text.encode("utf-8"))
    print(f"wrote {args.out} ({text.count('[[tool]]')} tools)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
