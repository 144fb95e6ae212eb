"""The Debian package: built here with dpkg-deb, inspected, and (as root, as in CI)
installed, run from the installed files, and removed cleanly."""
from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

import agent
from agent.install import xdg

ROOT = Path(__file__).resolve().parent.parent
BUILD = ROOT / "installer" / "debian" / "build-deb.sh"
GOLDEN = ROOT / "tests" / "golden"
REQUIRED = ["python3-tk", "tesseract-ocr", "tesseract-ocr-fra", "tesseract-ocr-eng", "libnotify-bin"]


def sh(*argv, check=True, **kw) -> subprocess.CompletedProcess:
    out = subprocess.run(list(argv), capture_output=True, text=True, timeout=600, **kw)
    if check and out.returncode != 0:
        pytest.fail(f"{argv} failed ({out.returncode}): {out.stderr[-3000:]}")
    return out


@pytest.fixture(scope="module")
def deb() -> Path:
    if not shutil.which("dpkg-deb"):
        pytest.skip("dpkg-deb is not installed")
    if sh("/usr/bin/python3", "-m", "pip", "--version", check=False).returncode != 0:
        pytest.skip("the system python3 has no pip (apt-get install python3-pip)")
    out = sh(str(BUILD), cwd=ROOT)
    path = Path(out.stdout.strip().splitlines()[-1])
    assert path.is_file() and path.parent == ROOT / "dist"
    return path


def test_control_fields(deb):
    fields = {f: sh("dpkg-deb", "-f", str(deb), f).stdout.strip()
              for f in ("Package", "Version", "Architecture", "Depends", "Maintainer", "Description")}
    assert fields["Package"] == "vigie" and fields["Version"] == agent.__version__
    assert deb.name == f"vigie_{agent.__version__}_{fields['Architecture']}.deb"
    depends = [d.strip() for d in fields["Depends"].split(",")]
    for pkg in REQUIRED:
        assert pkg in depends
    assert any(d.startswith("python3 (>= 3.") for d in depends)
    if fields["Architecture"] != "all":  # compiled wheels vendored: tied to this python3
        assert any(d.startswith("python3 (<< 3.") for d in depends) and any(d.startswith("libc6") for d in depends)
    info = sh("dpkg-deb", "-I", str(deb)).stdout
    assert "postinst" in info and "prerm" in info and "conffiles" in info


def test_contents(deb):
    listing = sh("dpkg-deb", "-c", str(deb)).stdout.splitlines()
    entries = {line.split()[-1]: line.split()[0] for line in listing}
    owners = {line.split()[1] for line in listing}
    assert owners == {"root/root"}
    assert entries["./usr/bin/vigie"] == "-rwxr-xr-x"
    for f in ("./etc/xdg/autostart/vigie.desktop", "./usr/lib/vigie/agent/cli/__init__.py",
              "./usr/lib/vigie/agent/install/autostart.py", "./usr/lib/vigie/assets/i18n/fr/install.toml",
              "./usr/share/doc/vigie/copyright", "./usr/share/man/man1/vigie.1.gz"):
        assert f in entries, f
    for lib in ("PIL", "rapidfuzz", "psutil", "phonenumbers", "platformdirs", "apprise", "pytesseract"):
        assert f"./usr/lib/vigie/vendor/{lib}/" in entries, lib
    assert not [e for e in entries if "__pycache__" in e or e.endswith(".pyc")]
    assert not [e for e in entries if e.startswith("./usr/lib/vigie/vendor/bin")]


def test_autostart_entry_is_the_one_vigie_install_writes(deb, tmp_path):
    tar = subprocess.run(["dpkg-deb", "--fsys-tarfile", str(deb)], capture_output=True, check=True).stdout
    entry = subprocess.run(["tar", "-xO", "./etc/xdg/autostart/vigie.desktop"], input=tar,
                           capture_output=True, check=True).stdout.decode("utf-8")
    assert entry == (GOLDEN / "vigie.desktop").read_text(encoding="utf-8")
    assert xdg.parse_exec(entry.split("Exec=", 1)[1].splitlines()[0]) == ["/usr/bin/vigie", "run"]


@pytest.mark.skipif(not shutil.which("lintian"), reason="lintian is not installed (apt-get install lintian)")
def test_lintian_finds_no_error(deb):
    out = sh("lintian", "--suppress-tags", "running-with-root-privileges", str(deb), check=False)
    errors = [line for line in out.stdout.splitlines() if line.startswith("E:")]
    assert errors == [], out.stdout


def _scan_image(path: Path) -> None:
    img = Image.new("RGB", (1100, 260), "white")
    draw = ImageDraw.Draw(img)
    try:
        font = ImageFont.truetype("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf", 40)
    except OSError:
        font = ImageFont.load_default()
    draw.text((30, 40), "Votre ordinateur est bloqué", fill="black", font=font)
    draw.text((30, 130), "Appelez le support : 01 99 00 12 34", fill="black", font=font)
    img.save(path)


def test_install_run_and_remove_as_root(deb, tmp_path):
    if os.geteuid() != 0:
        pytest.skip("installing a .deb needs root (CI runs as root)")
    status = sh("dpkg-query", "-W", "-f=${Status}", "vigie", check=False).stdout
    if "installed" in status and "not-installed" not in status and "config-files" not in status:
        pytest.skip("a vigie package is already installed on this machine; not touching it")
    env = {**os.environ, "HOME": str(tmp_path / "home"), "XDG_CONFIG_HOME": str(tmp_path / "home" / ".config"),
           "LANG": "en_US.UTF-8"}
    env.pop("DISPLAY", None)
    (tmp_path / "home").mkdir()
    try:
        sh("dpkg", "-i", str(deb))
        assert sh("/usr/bin/vigie", "--version", env=env, cwd=tmp_path).stdout.strip() == f"vigie {agent.__version__}"
        doctor = sh("/usr/bin/vigie", "doctor", env=env, cwd=tmp_path, check=False)
        assert doctor.returncode in (0, 1), doctor.stderr
        assert "Traceback" not in doctor.stdout + doctor.stderr
        assert "Tesseract" in doctor.stdout and "Start with the computer: " in doctor.stdout
        image = tmp_path / "screen.png"
        _scan_image(image)
        scan = sh("/usr/bin/vigie", "scan", str(image), env=env, cwd=tmp_path, check=False)
        assert scan.returncode in (0, 1) and "Traceback" not in scan.stderr, scan.stderr
        install = sh("/usr/bin/vigie", "install", "--silent", "--lang", "en", env=env, cwd=tmp_path)
        assert "Vigie is installed" in install.stdout
        user_entry = xdg.read_entry(tmp_path / "home" / ".config" / "autostart" / "vigie.desktop")
        assert xdg.parse_exec(user_entry["Exec"]) == ["/usr/bin/vigie", "run"]
        sh("/usr/bin/vigie", "uninstall", "--silent", env=env, cwd=tmp_path)
        assert not (tmp_path / "home" / ".config" / "autostart" / "vigie.desktop").exists()
        sh("dpkg", "-r", "vigie")
        assert not Path("/usr/lib/vigie").exists(), list(Path("/usr/lib/vigie").rglob("*"))[:20]
        assert not Path("/usr/bin/vigie").exists()
        assert Path("/etc/xdg/autostart/vigie.desktop").exists()  # a conffile: kept until purge
        sh("dpkg", "-P", "vigie")
        assert not Path("/etc/xdg/autostart/vigie.desktop").exists()
    finally:
        subprocess.run(["dpkg", "-P", "vigie"], capture_output=True, timeout=300)
