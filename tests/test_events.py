"""events.jsonl: a torn last line does not swallow the next event; damaged lines
(not UTF-8, not JSON) are skipped by read() as promised (issue 15)."""
from __future__ import annotations

import json

from agent import events, paths


def test_torn_last_line_does_not_swallow_the_next_event():
    target = paths.events_file()
    events.append("started", version="x")
    with open(target, "ab") as fh:               # a crash in the middle of a write
        fh.write(b'{"time": "2026-01-01T00:00:00+00:00", "type": "scam_scr')
    events.append("scam_screen", title="Locked")
    events.append("stopped")
    assert [e["type"] for e in events.read()] == ["started", "scam_screen", "stopped"]
    assert target.read_bytes().endswith(b"\n")


def test_non_utf8_and_non_json_lines_are_skipped():
    target = paths.events_file()
    events.append("started")
    with open(target, "ab") as fh:
        fh.write(b'{"type": "caf\xe9"}\n\xff\xfe\x00garbage\n[1, 2]\n"a string"\n\n{}\n{"type": 5}\n')
    events.append("stopped")
    assert [e["type"] for e in events.read()] == ["started", "stopped"]


def test_a_lone_surrogate_is_written_as_its_escape():
    """A file name that is not UTF-8 reaches Python as a lone surrogate: the event is kept."""
    events.append("scan", file="bad-\udcff.png")
    got = list(events.read())
    assert got[0]["file"] == "bad-\udcff.png"
    json.loads(paths.events_file().read_text(encoding="utf-8"))
