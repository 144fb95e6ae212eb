"""Installing Vigie for the current user: autostart per OS and a record of what was written.

``vigie install`` writes the config and an autostart entry; ``vigie uninstall`` removes
exactly what install added. What install wrote (files, folders it created, registry
values) is kept in a small manifest, ``state_dir()/install.json``, written with sorted
keys and no dates so that a second install leaves every byte as it was.

The helpers here are pure file operations, called from the main thread of the CLI:
``write_file`` (atomic, only when the content changes), ``make_dirs`` (returns the folders
it created), :class:`Undo` (puts back what one install run changed if a later step fails).
"""
from __future__ import annotations

import json
import logging
from pathlib import Path

from agent import atomic, paths

log = logging.getLogger(__name__)
MANIFEST_NAME = "install.json"


class InstallError(OSError):
    """A step of install/uninstall failed; ``key`` is a message of the ``install`` domain."""

    def __init__(self, key: str, **values):
        self.key = key
        self.values = values
        from agent.i18n import t
        super().__init__(t("install." + key, "en", **values))

    def text(self, lang: str | None = None) -> str:
        from agent.i18n import t
        return t("install." + self.key, lang, **self.values)


def manifest_file() -> Path:
    return paths.state_dir() / MANIFEST_NAME


def load_manifest() -> dict:
    """What earlier installs wrote; ``{}`` when there is none or it is damaged."""
    try:
        data = json.loads(manifest_file().read_text(encoding="utf-8"))
    except FileNotFoundError:
        return {}
    except (OSError, ValueError) as exc:
        log.warning("install record %s is unreadable (%s); ignoring it", manifest_file(), exc)
        return {}
    return data if isinstance(data, dict) else {}


def manifest_bytes(data: dict) -> bytes:
    return (json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8")


def make_dirs(folder: Path) -> list[Path]:
    """Create ``folder`` and missing parents; return the folders created (outermost first)."""
    missing = []
    p = Path(folder)
    while not p.exists() and p != p.parent:
        missing.append(p)
        p = p.parent
    for d in reversed(missing):
        try:
            d.mkdir()
        except FileExistsError:
            pass
        except OSError as exc:
            raise InstallError("cannot_write", path=str(d), reason=exc.strerror or str(exc)) from exc
    return list(reversed(missing))


def write_file(path: Path, data: bytes, mode: int = 0o644) -> bool:
    """Atomically give ``path`` the content ``data``; True if it changed, False if it was
    already identical (then the file is not touched at all)."""
    path = Path(path)
    try:
        if path.read_bytes() == data:
            return False
    except OSError:
        pass
    try:
        atomic.write_bytes(path, data, mode)
    except OSError as exc:
        raise InstallError("cannot_write", path=str(path), reason=exc.strerror or str(exc)) from exc
    return True


def remove_empty_dirs(folders) -> None:
    """Remove the given folders, deepest first, when they are empty; never raises."""
    for d in sorted({Path(f) for f in folders}, key=lambda p: len(p.parts), reverse=True):
        try:
            d.rmdir()
        except OSError:
            pass


class Undo:
    """Remembers what one install run changed, to put it back if a later step fails."""

    def __init__(self):
        self._files: list[tuple[Path, bytes | None]] = []
        self._dirs: list[Path] = []
        self._actions: list = []

    def before_write(self, path: Path) -> None:
        """Call before writing ``path``: its current content (or absence) is kept."""
        path = Path(path)
        try:
            old = path.read_bytes()
        except FileNotFoundError:
            old = None
        except OSError:
            return
        self._files.append((path, old))

    def created_dirs(self, folders) -> None:
        self._dirs.extend(folders)

    def on_rollback(self, action) -> None:
        """Register a callable run on rollback (for registry values and the like)."""
        self._actions.append(action)

    def rollback(self) -> None:
        for action in reversed(self._actions):
            try:
                action()
            except Exception as exc:  # noqa: BLE001 - best effort, keep undoing the rest
                log.warning("could not undo an install step: %s", exc)
        for path, old in reversed(self._files):
            try:
                if old is None:
                    path.unlink(missing_ok=True)
                else:
                    write_file(path, old, 0o600)
            except OSError as exc:
                log.warning("could not restore %s: %s", path, exc)
        remove_empty_dirs(self._dirs)
