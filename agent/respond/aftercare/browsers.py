"""Browser extensions of the installed browsers, read from their profile folders (pure
file reads; any thread). Chromium-family browsers keep one folder per extension id
with a ``manifest.json``; Firefox lists its add-ons in each profile's ``extensions.json``.
"""
from __future__ import annotations

import json
from pathlib import Path


def _manifest_name(ext_dir: Path) -> str:
    """The extension's name from its newest version's manifest (its id if unreadable)."""
    try:
        versions = sorted(p for p in ext_dir.iterdir() if p.is_dir())
    except OSError:
        return ext_dir.name
    for version in reversed(versions):
        try:
            manifest = json.loads((version / "manifest.json").read_text(encoding="utf-8-sig"))
        except (OSError, ValueError):
            continue
        name = str(manifest.get("name") or ext_dir.name)
        if name.startswith("__MSG_") and name.endswith("__"):
            locale = manifest.get("default_locale") or "en"
            try:
                msgs = json.loads((version / "_locales" / locale / "messages.json").read_text(encoding="utf-8-sig"))
                name = next((v.get("message") for k, v in msgs.items() if k.lower() == name[6:-2].lower()), name)
            except (OSError, ValueError, AttributeError):
                pass
        return name
    return ext_dir.name


def chromium_family(user_data_dirs: dict[str, Path]) -> dict[str, str]:
    """``{"ext:<browser>:<profile>:<id>": "<name> (<browser>)"}`` for Chrome-like browsers."""
    out = {}
    for browser, data in user_data_dirs.items():
        try:
            profiles = [p for p in data.iterdir() if (p / "Extensions").is_dir()]
        except OSError:
            continue
        for profile in sorted(profiles):
            for ext in sorted((profile / "Extensions").iterdir()):
                if ext.is_dir() and ext.name != "Temp":
                    out[f"ext:{browser}:{profile.name}:{ext.name}"] = f"{_manifest_name(ext)} ({browser})"
    return out


def firefox(profiles_dir: Path) -> dict[str, str]:
    """Add-ons installed in each Firefox profile (built-in and system ones left out)."""
    out = {}
    try:
        profiles = sorted(p for p in profiles_dir.iterdir() if p.is_dir())
    except OSError:
        return out
    for profile in profiles:
        try:
            data = json.loads((profile / "extensions.json").read_text(encoding="utf-8"))
        except FileNotFoundError:
            continue
        except ValueError as exc:
            raise ValueError(f"{profile.name}/extensions.json: {exc}") from exc
        for addon in data.get("addons") or ():
            if not isinstance(addon, dict) or addon.get("location") not in ("app-profile", None):
                continue
            name = ((addon.get("defaultLocale") or {}).get("name")) or addon.get("id") or "?"
            out[f"ext:firefox:{profile.name}:{addon.get('id')}"] = f"{name} (Firefox)"
    return out
