"""Time that a wall-clock jump cannot fool: retries and clean-ups bounded against it.

The wall clock (``time.time``) moves when the user, NTP, a dead CMOS battery or a
scammer sets it: a year ahead, then back. Decisions that must survive that:

- a retry is never further than its backoff: :func:`clamp_due` brings a due time stored
  while the clock was ahead back to now (the outbox, the in-memory queue);
- evidence is never removed because the clock moved: :func:`age` measures an incident's
  age from what its folder records — the wall time, and the boot it was written in with
  the seconds since that boot (:func:`stamp`, a clock that no one sets) — takes the
  smaller, never counts a future date as old, and takes off any forward jump this
  process has seen (:func:`forward_jump`, the wall clock against the steady one).

``wall`` is the one wall clock of these functions (tests inject a jumped clock).
Pure apart from reading the clocks and the boot id; any thread.
"""
from __future__ import annotations

import datetime as _dt
import sys
import time

wall = time.time            # tests replace it with a clock that jumps
BOOT_ID_FILE = "/proc/sys/kernel/random/boot_id"


def since_boot() -> float:
    """Seconds on a clock nobody sets that includes sleep where the OS has one (Linux:
    CLOCK_BOOTTIME), else ``time.monotonic``."""
    boottime = getattr(time, "CLOCK_BOOTTIME", None)
    if boottime is not None:
        try:
            return time.clock_gettime(boottime)
        except OSError:
            pass
    return time.monotonic()


def boot_id() -> str | None:
    """This boot's id (Linux), None elsewhere: ``since_boot`` values compare within one boot only."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        from agent import safefile  # noqa: PLC0415
        return safefile.read_text(BOOT_ID_FILE, 256).strip() or None
    except (OSError, ValueError):
        return None


_START = (wall(), since_boot())


def forward_jump() -> float:
    """How far the wall clock has jumped ahead of the steady clock since this process
    started (seconds, 0 if not; a small drift is no jump)."""
    ahead = (wall() - _START[0]) - (since_boot() - _START[1])
    return ahead if ahead > 60.0 else 0.0


def stamp(when: float | None = None) -> dict:
    """What an incident records besides its wall time ``when`` (default now): ``{"boot_id",
    "since_boot"}`` of that moment; {} when unknown or before this boot."""
    bid = boot_id()
    at = since_boot() - (0.0 if when is None else wall() - when)
    return {"boot_id": bid, "since_boot": round(at, 3)} if bid and at >= 0 else {}


def now_dt() -> _dt.datetime:
    """The (possibly jumped) wall clock as an aware datetime."""
    return _dt.datetime.fromtimestamp(wall()).astimezone()


def age(recorded: _dt.datetime, recorded_stamp: dict | None = None, now: _dt.datetime | None = None) -> float:
    """Seconds since ``recorded``, bounded against clock jumps (see the module); >= 0."""
    now = now or now_dt()
    seconds = (now - recorded).total_seconds() - forward_jump()
    st = recorded_stamp if isinstance(recorded_stamp, dict) else {}
    if st.get("boot_id") and st.get("boot_id") == boot_id() and isinstance(st.get("since_boot"), (int, float)):
        steady = since_boot() - float(st["since_boot"])
        if steady >= 0:
            seconds = min(seconds, steady)     # written in this boot: the steady clock knows
    return max(0.0, seconds)


def clamp_due(due: float, most_ahead: float, now: float | None = None) -> float:
    """``due`` (epoch seconds), or now when it lies more than ``most_ahead`` in the future
    (stored while the clock was ahead: a retry is never more than its backoff away)."""
    now = wall() if now is None else now
    return now if due > now + most_ahead else due
