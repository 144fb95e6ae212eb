"""The command line under the Windows Python: --version, scan (real Tesseract in-process
through tesserocr), doctor (capture line, speech check)."""
import json
import os

from tests.windows.harness import ROOT, WINE, run_python

SAMPLES = os.path.join(ROOT, "assets", "samples")


def test_version():
    r = run_python("-m", "agent", "--version")
    assert r.returncode == 0 and r.stdout.strip().startswith("vigie "), r.stdout + r.stderr


def test_scan_flags_both_lockers_and_not_the_documentation():
    files = ("locker-en.png", "locker-fr.png", "documentation-fr.png")
    r = run_python("-m", "agent", "scan", "--json", *(os.path.join(SAMPLES, f) for f in files), timeout=600)
    verdicts = [json.loads(line)["verdict"] for line in r.stdout.splitlines() if line.startswith("{")]
    assert verdicts == ["scam", "scam", "ok"], r.stdout[:800] + r.stderr[-800:]


def test_doctor_on_windows():
    r = run_python("-m", "agent", "doctor", "--json", timeout=300)
    d = json.loads(r.stdout)
    checks = {c["id"]: c for c in d["checks"]}
    assert checks["capture"]["status"] == "ok"
    assert os.environ.get("DISPLAY", "@@") not in checks["capture"]["detail"], "no X11 display shown on Windows"
    speech = checks["speech"]
    assert speech["detail"] != "provided by the system"
    assert speech["status"] == "ok" or (WINE and speech["status"] == "warning"), speech
    print(json.dumps(d, indent=1)[:3000])
