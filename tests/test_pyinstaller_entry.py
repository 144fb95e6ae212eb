"""The PyInstaller bundles' entry point and runtime hook (installer/pyinstaller/), run as
real programs by this venv's python: the bundles themselves are built on Windows/macOS CI
runners only (.github/workflows/packages.yml)."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import agent

ROOT = Path(__file__).resolve().parent.parent
ENTRY = ROOT / "installer" / "pyinstaller" / "entry.py"
RTHOOK = ROOT / "installer" / "pyinstaller" / "rthook.py"


def run(*argv, cwd, env=None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *map(str, argv)], cwd=cwd, env=env,
                          capture_output=True, text=True, timeout=120)


# -- entry.py: `vigie.exe ARGS` is the CLI, `vigie.exe -m MODULE ARGS` is `python -m` ---

def test_plain_arguments_are_the_vigie_command_line(tmp_path):
    out = run(ENTRY, "--version", cwd=tmp_path)
    assert (out.returncode, out.stdout.strip()) == (0, f"vigie {agent.__version__}")
    text = tmp_path / "mail.txt"
    text.write_text("Microsoft Windows: votre ordinateur est bloqué à cause d'un virus. "
                    "N'éteignez pas l'ordinateur. Appelez immédiatement le support technique "
                    "Microsoft au 0 800 91 23 45.\n", encoding="utf-8")
    out = run(ENTRY, "scan", "--json", "--text", text, cwd=tmp_path)
    assert out.returncode == 1, out.stderr  # 1 = a scam was found
    result = json.loads(out.stdout.splitlines()[0])
    assert result["verdict"] == "scam" and result["path"] == str(text)


def test_a_bad_command_is_a_usage_error_not_a_crash(tmp_path):
    out = run(ENTRY, "no-such-command", cwd=tmp_path)
    assert out.returncode == 2 and "usage:" in out.stderr and "Traceback" not in out.stderr


def test_dash_m_runs_the_module_as_main_with_the_remaining_arguments(tmp_path):
    # what the agent does to open its alert window: [sys.executable, "-m", module, ...]
    out = run(ENTRY, "-m", "agent.respond.gui.alert_window", "--help", cwd=tmp_path)
    assert out.returncode == 0, out.stderr
    assert out.stdout.startswith("usage: python -m agent.respond.gui.alert_window") and "--incident" in out.stdout
    out = run(ENTRY, "-m", "agent", "--version", cwd=tmp_path)
    assert (out.returncode, out.stdout.strip()) == (0, f"vigie {agent.__version__}")
    out = run(ENTRY, "-m", "agent.status_window", "--no-such-option", cwd=tmp_path)
    assert out.returncode == 2 and "python -m agent.status_window" in out.stderr


def test_dash_m_with_a_module_not_in_the_bundle_says_so_in_one_line(tmp_path):
    for module in ("agent.no_such_module", "no_such_package.window"):
        out = run(ENTRY, "-m", module, "--lang", "fr", cwd=tmp_path)
        assert out.returncode == 1
        assert out.stderr.strip() == f"{ENTRY}: No module named {module}"


# -- rthook.py: the bundled Tesseract is found ------------------------------------------

def run_hook(meipass: Path | None, env: dict, *, then: str = "") -> dict:
    """Run the hook as PyInstaller does (first thing in a fresh interpreter, with
    ``sys._MEIPASS`` set to the unpacked bundle), then report PATH, TESSDATA_PREFIX and
    what ``tesseract`` resolves to."""
    code = ("import sys, os, json, shutil\n"
            + (f"sys._MEIPASS = {str(meipass)!r}\n" if meipass else "")
            + f"exec(compile(open({str(RTHOOK)!r}).read(), 'rthook.py', 'exec'))\n"
            + "out = {'PATH': os.environ.get('PATH'), 'TESSDATA_PREFIX': os.environ.get('TESSDATA_PREFIX'),"
            + " 'which': shutil.which('tesseract')}\n" + then
            + "print(json.dumps(out))\n")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout.splitlines()[-1])


@pytest.fixture
def bundle(tmp_path) -> Path:
    """An unpacked bundle as the Windows spec lays it out: tesseract/ with the program and
    tesseract/tessdata with one language (the real Tesseract and English model of this
    machine, linked in)."""
    real = shutil.which("tesseract")
    if not real:
        pytest.skip("tesseract is not installed (scripts/setup.sh installs it)")
    listing = subprocess.run([real, "--list-langs"], capture_output=True, text=True, timeout=60)
    tessdata = Path(listing.stdout.splitlines()[0].split('"')[1]) if '"' in listing.stdout.splitlines()[0] else None
    if tessdata is None or not (tessdata / "eng.traineddata").is_file():
        pytest.skip("the English Tesseract model is not installed")
    meipass = tmp_path / "_MEI12345"
    (meipass / "tesseract" / "tessdata").mkdir(parents=True)
    exe = meipass / "tesseract" / "tesseract"
    exe.write_text(f"#!/bin/sh\nexec {real} \"$@\"\n")
    exe.chmod(0o755)
    (meipass / "tesseract" / "tessdata" / "eng.traineddata").symlink_to(tessdata / "eng.traineddata")
    return meipass


def test_rthook_puts_the_bundled_tesseract_first_and_its_language_data(bundle):
    env = {k: v for k, v in os.environ.items() if k != "TESSDATA_PREFIX"}
    out = run_hook(bundle, env, then=(
        "import subprocess\n"
        "out['langs'] = subprocess.run(['tesseract', '--list-langs'], capture_output=True, text=True).stdout\n"))
    tess = str(bundle / "tesseract")
    assert out["PATH"].split(os.pathsep)[0] == tess
    assert out["PATH"].split(os.pathsep)[1:] == env["PATH"].split(os.pathsep)
    assert out["which"] == str(bundle / "tesseract" / "tesseract")
    assert out["TESSDATA_PREFIX"] == str(bundle / "tesseract" / "tessdata")
    # the bundled program reads the bundled language data (only English here)
    assert f'"{bundle / "tesseract" / "tessdata"}/"' in out["langs"].splitlines()[0]
    assert out["langs"].splitlines()[1:] == ["eng"]


def test_rthook_keeps_a_tessdata_prefix_set_by_the_user(bundle, tmp_path):
    env = {**os.environ, "TESSDATA_PREFIX": str(tmp_path / "my-tessdata")}
    out = run_hook(bundle, env)
    assert out["TESSDATA_PREFIX"] == str(tmp_path / "my-tessdata")
    assert out["PATH"].split(os.pathsep)[0] == str(bundle / "tesseract")


def test_rthook_without_a_bundled_tesseract_changes_nothing(tmp_path):
    empty = tmp_path / "_MEI0"
    empty.mkdir()
    env = {k: v for k, v in os.environ.items() if k != "TESSDATA_PREFIX"}
    out = run_hook(empty, env)
    assert out["PATH"] == env["PATH"] and out["TESSDATA_PREFIX"] is None
    out = run_hook(None, env)  # not frozen: the folder of the interpreter, which has no tesseract/
    assert out["PATH"] == env["PATH"] and out["TESSDATA_PREFIX"] is None
