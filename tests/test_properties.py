"""Property-based tests (hypothesis): the config parser and the scorer never raise, for
any input. Bounded: a fixed number of examples each (a few seconds in CI)."""
from __future__ import annotations

import pytest

hypothesis = pytest.importorskip("hypothesis")
from hypothesis import HealthCheck, given, settings, strategies as st  # noqa: E402

from agent import config  # noqa: E402

def bounded(n: int):
    """``n`` examples, no per-example deadline (a loaded CI machine), the same examples every run."""
    return settings(max_examples=n, deadline=None, derandomize=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])

KEYS = [k for (_s, k) in config.SCHEMA] + ["x", "a.b", '"q"']
TOKENS = ["[", "]", "{", "}", "=", ",", "\n", " ", '"', "'", '"""', "#", ".", "true", "1", "-1.5e3",
          "1979-05-27", "nan", "\\", "\x00", "é", "\ud7ff", "[helper]", "[remote_tools]", "[[x]]"]
toml_ish = st.lists(st.one_of(st.sampled_from(KEYS), st.sampled_from(TOKENS), st.text(max_size=8)),
                    max_size=60).map("".join)


@bounded(1500)
@given(st.one_of(st.text(max_size=400), toml_ish))
def test_config_parse_never_raises(text):
    settings_, problems = config.parse(text, "c.toml")
    assert isinstance(settings_, config.Settings)
    assert all(isinstance(p, config.Problem) and p.text("fr") and p.text("en") for p in problems)
    assert config.validate(settings_) == []   # whatever was kept is valid


@bounded(300)
@given(st.binary(max_size=400))
def test_config_load_never_raises(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("c") / "config.toml"
    path.write_bytes(data)
    settings_, _problems = config.load(path, quiet=True)
    assert isinstance(settings_, config.Settings)


@pytest.fixture(scope="module")
def detector():
    from agent.detect.pipeline import Detector
    return Detector("eng", "normal")


WORDS = ["call", "now", "Microsoft", "support", "virus", "blocked", "appelez", "immédiatement",
         "+1-800-555-0199", "0 800 123 456", "bitcoin", "1BoatSLRHtKNngkdXEeobR76b53LETtpyT",
         "police", "webcam", "\n", " ", "!!!", "ERROR #0x80070424", "payer", "facture"]
screenish = st.lists(st.one_of(st.sampled_from(WORDS), st.text(max_size=12)), max_size=80).map(" ".join)


@bounded(300)
@given(st.one_of(st.text(max_size=600), screenish))
def test_scorer_never_raises_and_scores_in_range(detector, text):
    verdict = detector.scan_text(text)
    assert 0.0 <= verdict.score <= 1.0
    assert verdict.verdict in ("scam", "ok")
