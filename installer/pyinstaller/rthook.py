"""PyInstaller runtime hook: find Tesseract before the agent looks for it.

Windows: OCR runs in-process (tesserocr, whose wheel carries Tesseract's DLLs); the bundle
carries the English and French language data in ``tesseract\\tessdata``. macOS: Tesseract comes from Homebrew, whose
folders are not on the PATH that launchd gives a LaunchAgent.
"""
import os
import sys

_base = getattr(sys, "_MEIPASS", os.path.dirname(sys.executable))
_tess = os.path.join(_base, "tesseract")
_extra = []
if os.path.isdir(_tess):
    _extra.append(_tess)
    if os.path.isdir(os.path.join(_tess, "tessdata")):
        os.environ.setdefault("TESSDATA_PREFIX", os.path.join(_tess, "tessdata"))
if sys.platform == "darwin":
    _extra += [p for p in ("/opt/homebrew/bin", "/usr/local/bin") if os.path.isdir(p)]
if _extra:
    os.environ["PATH"] = os.pathsep.join(_extra + [os.environ.get("PATH", "")])
