"""The package tests use the installed Vigie's real folders (%LOCALAPPDATA%\\vigie), as a
person's computer would: no per-test VIGIE_DATA_DIR/VIGIE_CONFIG/VIGIE_LOG_DIR here (the
uninstaller's `vigie uninstall` must find what setup's `vigie install` wrote)."""
import pytest


@pytest.fixture(autouse=True)
def isolated_dirs(monkeypatch, tmp_path):
    for var in ("VIGIE_DATA_DIR", "VIGIE_CONFIG", "VIGIE_LOG_DIR"):
        monkeypatch.delenv(var, raising=False)
    return tmp_path
