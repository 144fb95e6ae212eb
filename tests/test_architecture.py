"""The import direction of ARCHITECTURE.md, checked on the source: ``platform`` <- ``watch``
-> ``detect``; ``detect`` knows no screen and no GUI; ``watch`` never imports ``respond`` (nor
a GUI); ``respond`` never imports ``watch`` (one catalogue look-up allowed, see ``ALLOWED``);
``platform`` imports none of the layers above it; only the tray imports pystray.
Every ``import`` and ``from … import`` of every module under agent/ counts, lazy ones inside
functions included (relative imports resolved)."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

AGENT = Path(__file__).resolve().parent.parent / "agent"

# (module prefix, forbidden import prefixes)
RULES = [
    ("agent.detect", ("agent.watch", "agent.respond", "agent.gui", "agent.platform", "agent.tray",
                      "tkinter", "Xlib", "pystray")),
    ("agent.watch", ("agent.respond", "agent.gui")),
    ("agent.platform", ("agent.watch", "agent.respond", "agent.detect")),
    ("agent.respond", ("agent.watch",)),        # the responder never drives the watchers
]
TRAY = "agent.tray"          # the only module allowed to import pystray
# (importing module, imported module): an import a rule forbids but the design needs, and why
ALLOWED: dict[tuple[str, str], str] = {
    # the aftercare names the remote tools still running from the tools' catalogue: a data
    # look-up (catalog.py reads assets/remote_tools.toml), no watcher is started or driven
    ("agent.respond.aftercare.session", "agent.watch"): "catalogue look-up",
    ("agent.respond.aftercare.session", "agent.watch.catalog"): "catalogue look-up",
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(AGENT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module name ``path`` imports (``from a import b`` gives ``a`` and ``a.b``)."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
                source = ".".join(base + ([node.module] if node.module else []))
            else:
                source = node.module or ""
            found.add(source)
            found.update(f"{source}.{alias.name}" for alias in node.names)
    return found


def _all_imports() -> dict[str, set[str]]:
    return {_module_name(p): _imports(p) for p in sorted(AGENT.rglob("*.py"))}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations(imports: dict[str, set[str]]) -> list[str]:
    found = []
    for module, names in imports.items():
        for owner, forbidden in RULES:
            if not _within(module, owner):
                continue
            for name in sorted(names):
                if any(_within(name, f) for f in forbidden) and (module, name) not in ALLOWED:
                    found.append(f"{module} imports {name}")
        if module != TRAY:
            found += [f"{module} imports {n} (only {TRAY} may)" for n in sorted(names) if _within(n, "pystray")]
    return found


def test_the_scan_sees_the_modules_and_their_imports():
    imports = _all_imports()
    assert len(imports) > 100
    assert "agent.watch.snss" in imports["agent.watch.page_address"]          # absolute
    assert "pystray" in imports[TRAY]
    assert any(_within(n, "agent.platform") for n in imports["agent.watch.screen"])


@pytest.mark.parametrize("module, names, expected", [
    ("agent.detect.x", {"agent.platform.x11"}, ["agent.detect.x imports agent.platform.x11"]),
    ("agent.detect.x", {"tkinter.ttk"}, ["agent.detect.x imports tkinter.ttk"]),
    ("agent.watch.x", {"agent.respond.sessions"}, ["agent.watch.x imports agent.respond.sessions"]),
    ("agent.watch.x", {"agent.platform", "agent.detect.pipeline"}, []),
    ("agent.platform.x", {"agent.detect"}, ["agent.platform.x imports agent.detect"]),
    ("agent.respond.x", {"pystray"}, [f"agent.respond.x imports pystray (only {TRAY} may)"]),
    ("agent.detector", {"agent.watch"}, []),                                 # a prefix is a package
    ("agent.respond.x", {"agent.watch.screen"}, ["agent.respond.x imports agent.watch.screen"]),
    ("agent.respond.aftercare.session", {"agent.watch.catalog"}, []),        # allowed, with its reason
])
def test_the_rules_catch_what_they_should(module, names, expected):
    assert violations({module: names}) == expected


def test_relative_imports_are_resolved(tmp_path, monkeypatch):
    pkg = tmp_path / "agent" / "watch"
    pkg.mkdir(parents=True)
    (pkg / "x.py").write_text("def f():\n    from ..respond import responder\n", encoding="utf-8")
    monkeypatch.setitem(globals(), "AGENT", tmp_path / "agent")
    assert "agent.respond.responder" in _imports(pkg / "x.py")


def test_the_import_direction_holds():
    assert violations(_all_imports()) == []
