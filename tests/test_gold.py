"""The shift tracer against the hand-judged gold set (tests/data/gold), on real Apertium round trips.

The floors below are what the tracer reaches today (scripts/gold_shifts.py prints the figures); a
change that makes shift rows less trustworthy fails here. Raise them as the tracer improves.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def gold_score(apertium: str, tmp_path_factory: pytest.TempPathFactory):
    spec = importlib.util.spec_from_file_location("gold_shifts", ROOT / "scripts" / "gold_shifts.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up there
    spec.loader.exec_module(module)
    return module.score(cache=tmp_path_factory.mktemp("gold-cache"))


def test_gold_set_is_large_and_covers_every_pivot(gold_score) -> None:
    assert gold_score.rows >= 150
    assert {"kept", "variant", "replaced", "dropped", "added"} <= set(gold_score.by_outcome)


def test_apertium_still_gives_the_judged_translations(gold_score) -> None:
    assert gold_score.translations_changed == 0, "Apertium's output changed: re-judge tests/data/gold"


def test_shift_rows_against_the_gold_set(gold_score) -> None:
    s = gold_score.summary()
    assert s["shift_precision"] >= 0.93, gold_score.errors[:20]
    assert s["shift_recall"] >= 0.92, gold_score.errors[:20]
    assert s["outcome_accuracy"] >= 0.98, gold_score.errors[:20]
    assert s["pivot_span_accuracy"] >= 0.96, gold_score.errors[:20]
    assert s["detection_recall"] >= 0.98, gold_score.errors[:20]
