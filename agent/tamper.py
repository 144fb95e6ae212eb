"""What keeps the protection going, watched while Vigie runs ("vigie-tamper" thread).

Every :data:`EVERY` seconds one ``stat`` per watched thing: the autostart entry (the
files the install manifest lists; on Windows the Run key's value), and the evidence
folder (the folder itself and each incident's ``manifest.json``). Something removed or
rewritten by another program calls ``report(what, **details)`` once per change
(``what``: ``autostart_removed``, ``autostart_rewritten``, ``evidence_removed``,
``evidence_rewritten``); the agent writes the ``tampered`` event and tells the helper.
The settings file is the "settings-watch" thread's (``Agent.apply_settings``).

Vigie's own removals of old evidence (``evidence.retention_days``) run inside
:meth:`TamperWatch.expected` and are not reported. Never raises.
"""
from __future__ import annotations

import contextlib
import logging
import os
import threading
from pathlib import Path

log = logging.getLogger(__name__)
EVERY = 3.0


def _stamp(path: Path):
    try:
        st = os.stat(path)
        return st.st_ino, st.st_mtime_ns, st.st_size
    except OSError:
        return None


def _autostart_files() -> list[Path]:
    from agent.install import load_manifest  # noqa: PLC0415
    return [Path(f) for f in load_manifest().get("files", []) if isinstance(f, str)]


def _autostart_registry() -> bool:
    """True when the install put a Windows Run value (watched through ``is_installed``)."""
    from agent.install import load_manifest  # noqa: PLC0415
    return bool(load_manifest().get("registry"))


class TamperWatch(threading.Thread):
    def __init__(self, report, stop: threading.Event, evidence_dir: Path | None = None, every: float = EVERY):
        super().__init__(name="vigie-tamper", daemon=True)
        from agent import paths  # noqa: PLC0415
        self.report, self.stop_event, self.every = report, stop, every
        self.evidence = Path(evidence_dir) if evidence_dir else paths.evidence_dir()
        self._lock = threading.Lock()
        self._auto: dict[Path, tuple | None] = {}
        self._registry: bool | None = None
        self._folder = None
        self._incidents: dict[str, tuple | None] = {}
        self.baseline()

    # -- baselines -------------------------------------------------------------------
    def _look_evidence(self):
        folder = _stamp(self.evidence)
        incidents: dict[str, tuple | None] = {}
        if folder is not None:
            try:
                names = [e.name for e in os.scandir(self.evidence) if e.is_dir(follow_symlinks=False)
                         and not e.name.startswith(".")]
            except OSError:
                names = []
            incidents = {n: _stamp(self.evidence / n / "manifest.json") for n in names}
        return folder, incidents

    def baseline(self) -> None:
        """What is there now is what is expected (start; after Vigie's own changes)."""
        try:
            self._auto = {p: _stamp(p) for p in _autostart_files()}
            self._registry = self._registry_installed() if _autostart_registry() else None
        except Exception as exc:  # noqa: BLE001 - a damaged install record
            log.warning("autostart not watched: %s", exc)
        self._folder, self._incidents = self._look_evidence()

    @staticmethod
    def _registry_installed() -> bool:
        from agent.install import autostart  # noqa: PLC0415
        return autostart.is_installed()

    @contextlib.contextmanager
    def expected(self):
        """Vigie changes the evidence itself (old incidents removed): no report, new baseline."""
        with self._lock:
            try:
                yield
            finally:
                self._folder, self._incidents = self._look_evidence()

    # -- one look ----------------------------------------------------------------------
    def check(self) -> None:
        with self._lock:
            self._check_autostart()
            self._check_evidence()

    def _check_autostart(self) -> None:
        for p, before in list(self._auto.items()):
            now = _stamp(p)
            if now == before:
                continue
            self._auto[p] = now
            if before is not None:
                self.report("autostart_removed" if now is None else "autostart_rewritten", file=str(p))
        if self._registry:
            now = self._registry_installed()
            if not now:
                self._registry = False
                self.report("autostart_removed", file="HKCU\\Software\\Microsoft\\Windows\\CurrentVersion\\Run")

    def _check_evidence(self) -> None:
        folder, incidents = self._look_evidence()
        if self._folder is not None and (folder is None or folder[0] != self._folder[0]):
            self.report("evidence_removed", file=str(self.evidence),
                        detail=f"{len(self._incidents)} incident(s) were kept there")
        else:
            gone = sorted(set(self._incidents) - set(incidents))
            changed = sorted(n for n in incidents if n in self._incidents and self._incidents[n] is not None
                             and incidents[n] != self._incidents[n])
            if gone:
                self.report("evidence_removed", file=str(self.evidence / gone[0]),
                            detail=", ".join(gone[:10]) + (f" (+{len(gone) - 10})" if len(gone) > 10 else ""))
            if changed:
                self.report("evidence_rewritten", file=str(self.evidence / changed[0] / "manifest.json"),
                            detail=", ".join(changed[:10]))
        self._folder, self._incidents = folder, incidents

    def run(self) -> None:
        while not self.stop_event.wait(self.every):
            try:
                self.check()
            except Exception as exc:  # noqa: BLE001 - never lose the watch
                log.error("tamper watch: %s", exc)
