"""Where Vigie keeps its files: config, data (evidence, events), logs, assets.

Pure look-ups, callable from any thread. Environment overrides come first so tests,
installers and a helper on the phone can point Vigie anywhere:
``VIGIE_CONFIG`` (the config file), ``VIGIE_DATA_DIR``, ``VIGIE_LOG_DIR``, ``VIGIE_ASSETS``.
Nothing here creates a folder: callers that write use :func:`ensure_dir`.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

APP = "vigie"


def _env_path(name: str) -> Path | None:
    value = os.environ.get(name, "").strip()
    return Path(value).expanduser() if value else None


def config_file() -> Path:
    """The TOML config file (it may not exist: every setting has a default)."""
    return _env_path("VIGIE_CONFIG") or Path(platformdirs.user_config_dir(APP, appauthor=False)) / "config.toml"


def data_dir() -> Path:
    """Evidence folders, ``events.jsonl``, the helper outbox."""
    return _env_path("VIGIE_DATA_DIR") or Path(platformdirs.user_data_dir(APP, appauthor=False))


def log_dir() -> Path:
    """Rotating log files; never the home folder itself."""
    return _env_path("VIGIE_LOG_DIR") or Path(platformdirs.user_log_dir(APP, appauthor=False))


def state_dir() -> Path:
    """Small runtime state (instance lock) kept out of the evidence folder."""
    return data_dir() / "state"


def events_file() -> Path:
    return data_dir() / "events.jsonl"


def evidence_dir() -> Path:
    return data_dir() / "evidence"


def assets_dir() -> Path:
    """The shipped data: phrase lists, catalogues, guidance, icons, messages.

    Found beside the package (source checkout, editable install, Debian package,
    PyInstaller bundle) unless ``VIGIE_ASSETS`` says otherwise.
    """
    override = _env_path("VIGIE_ASSETS")
    if override:
        return override
    candidates = []
    if getattr(sys, "_MEIPASS", None):  # PyInstaller bundle
        candidates.append(Path(sys._MEIPASS) / "assets")
    here = Path(__file__).resolve().parent
    candidates += [here.parent / "assets", here / "assets", Path(sys.prefix) / "share" / APP / "assets"]
    for c in candidates:
        if c.is_dir():
            return c
    return candidates[0]


def user_phrases_dir() -> Path:
    """A folder where the helper may drop extra/overriding phrase lists."""
    return config_file().parent / "phrases"


def ensure_dir(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    return path
