"""The matcher on the hand-annotated news paragraphs of tests/data/detection: precision and recall per
language and overall stay at or above the figures reached (scripts/detection_gold.py prints them,
with every miss and false hit under --show-errors)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("detection_gold", ROOT / "scripts" / "detection_gold.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("detection_gold", module)
    spec.loader.exec_module(module)
    return module


gold = _script()

# (recall %, precision %) reached per language on batches 1-6; the targets are 95 / 97 overall
# and no language below 85 % recall on unseen news.
FLOORS = {
    "en": (100.0, 100.0),
    "ar": (100.0, 100.0),
    "fa": (100.0, 100.0),
    "ru": (100.0, 100.0),
    "tr": (99.3, 100.0),
    "de": (100.0, 99.2),
    "fr": (100.0, 100.0),
    "es": (100.0, 100.0),
    "ca": (100.0, 100.0),
    "gl": (99.0, 100.0),
    "kmr": (100.0, 100.0),
    "ckb": (100.0, 100.0),
    "he": (99.1, 100.0),
    "zh": (99.3, 100.0),
}
OVERALL = (99.7, 99.9)
# Batch 7 per language, after the fixes for its classes (first, unseen scoring: 93.4 / 86.9 overall,
# Russian 73.7 % and Galician 83.3 % recall; what stays open is in the data README).
BATCH7_FLOORS = {
    "en": (100.0, 91.8),
    "ar": (93.3, 100.0),
    "fa": (100.0, 100.0),
    "ru": (100.0, 100.0),
    "tr": (100.0, 100.0),
    "de": (96.2, 100.0),
    "fr": (100.0, 90.9),
    "es": (100.0, 93.1),
    "ca": (100.0, 100.0),
    "gl": (95.8, 100.0),
    "kmr": (95.8, 95.8),
    "ckb": (100.0, 100.0),
    "he": (92.0, 100.0),
    "zh": (96.1, 100.0),
}
# Batch 8 per language, after the fixes for its classes (first, unseen scoring: 94.8 / 98.6 overall,
# French 75.0 % recall; what stays open is in the data README).
BATCH8_FLOORS = {
    "en": (100.0, 100.0),
    "ar": (96.4, 100.0),
    "fa": (100.0, 100.0),
    "ru": (100.0, 100.0),
    "tr": (100.0, 100.0),
    "de": (100.0, 100.0),
    "fr": (75.0, 100.0),
    "es": (100.0, 100.0),
    "ca": (100.0, 100.0),
    "gl": (92.3, 100.0),
    "kmr": (100.0, 100.0),
    "ckb": (100.0, 100.0),
    "he": (90.4, 100.0),
    "zh": (100.0, 100.0),
}
# (recall %, precision %) per batch (the data README): batch 5 was scored before any change at 96.3 / 95.6,
# batch 6 at 92.4 / 92.4, batch 7 at 93.4 / 86.9, batch 8 at 94.8 / 98.6.
BATCHES = {
    1: (99.8, 100.0),
    2: (99.4, 100.0),
    3: (100.0, 100.0),
    4: (100.0, 100.0),
    5: (99.5, 99.7),
    6: (100.0, 100.0),
    7: (97.7, 97.7),
    8: (96.5, 100.0),
}


@pytest.fixture(scope="module")
def paragraphs() -> list:
    return gold.load()


@pytest.fixture(scope="module")
def scores(paragraphs: list) -> dict:
    return gold.score([p for p in paragraphs if p.batch <= 6])


@pytest.fixture(scope="module")
def batch_scores(paragraphs: list) -> dict:
    """Each batch's scores per language, scored once."""
    return {batch: gold.score([p for p in paragraphs if p.batch == batch]) for batch in BATCHES}


def test_the_set_covers_every_language_with_near_misses(paragraphs: list) -> None:
    for lang in gold.LANGS:
        mine = [p for p in paragraphs if p.lang == lang]
        assert len(mine) >= 8, lang
        assert sum(len(p.terms) for p in mine) >= 25, lang
        assert any(p.not_terms for p in mine), f"{lang}: no paragraph documents near misses"
        assert any(not p.terms for p in mine), f"{lang}: no paragraph made only of other senses"


def test_annotations_index_their_text(paragraphs: list) -> None:
    for p in paragraphs:  # load() checks offsets and order; here: concepts are the lexicon's
        for t in p.terms:
            assert t.concept in {
                "isis", "sdf", "occupation", "terrorist", "terrorism", "militia", "regime", "takfiri", "so_called",
            }, (p.id, t)  # fmt: skip
            assert p.text[t.start : t.end] == t.text


def _check_floor(scores: dict, lang: str, floor: tuple[float, float]) -> None:
    s = scores[lang]
    errors = gold.render_errors({lang: s})
    assert 100 * s.recall >= floor[0], errors
    assert 100 * s.precision >= floor[1], errors


@pytest.mark.parametrize("lang", sorted(FLOORS))
def test_language_floor(scores: dict, lang: str) -> None:
    _check_floor(scores, lang, FLOORS[lang])


@pytest.mark.parametrize(
    ("batch", "lang"), [(7, lang) for lang in sorted(BATCH7_FLOORS)] + [(8, lang) for lang in sorted(BATCH8_FLOORS)]
)
def test_batch_language_floor(batch_scores: dict, batch: int, lang: str) -> None:
    _check_floor(batch_scores[batch], lang, {7: BATCH7_FLOORS, 8: BATCH8_FLOORS}[batch][lang])


def test_overall_floor(scores: dict) -> None:
    total = gold.total(scores)
    assert 100 * total.recall >= OVERALL[0]
    assert 100 * total.precision >= OVERALL[1]
    assert total.exact >= 0.9 * total.matched  # spans agree with the annotation to the character, mostly


@pytest.mark.parametrize("batch", sorted(BATCHES))
def test_batch_floor(batch_scores: dict, batch: int) -> None:
    total = gold.total(batch_scores[batch])
    recall, precision = BATCHES[batch]
    assert 100 * total.recall >= recall and 100 * total.precision >= precision, (total.recall, total.precision)


def test_pairing_is_one_to_one_on_overlapping_spans() -> None:
    from compare.matching import Occurrence

    g = [gold.Term("isis", 0, 5, "Daesh"), gold.Term("isis", 10, 15, "Daesh")]
    found = [
        Occurrence(0, 5, "Daesh", "isis", "Daesh", "delegitimising", "en"),
        Occurrence(2, 4, "es", "isis", "x", "neutral", "en"),  # overlaps the first, already paired
        Occurrence(10, 15, "Daesh", "regime", "x", "neutral", "en"),  # another concept
    ]
    pairs, misses, false_hits = gold.pair(g, found)
    assert [(t.start, o.start) for t, o in pairs] == [(0, 0)]
    assert misses == [g[1]]
    assert false_hits == found[1:]


def test_script_prints_the_table_and_errors(capsys: pytest.CaptureFixture[str]) -> None:
    assert gold.main(["--langs", "gl,es", "--show-errors"]) == 0
    out = capsys.readouterr().out
    assert "| gl |" in out and "| es |" in out and "| all |" in out
    assert "MISS" in out  # the known misses of these two languages are listed with their context
