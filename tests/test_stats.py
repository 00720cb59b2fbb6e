"""compare.stats: outcome rates and their denominators, bootstrap CIs, framing tallies, the paired shift test."""

from __future__ import annotations

import doctest
import json

import numpy as np
import pytest

from compare import stats
from compare.errors import ArgumentError, ArgumentValueError
from compare.stats import (
    BACK_OCCURRENCES,
    SOURCE_OCCURRENCES,
    Outcome,
    framing_tallies,
    outcome_rates,
    outcome_statistics,
    paired_shift_test,
)

#: One small path, counted by hand in the tests below.
PATH = [
    Outcome(0, "isis", "kept"),
    Outcome(0, "terrorist", "kept"),
    Outcome(1, "isis", "kept"),
    Outcome(1, "so_called", "replaced"),
    Outcome(1, "sdf", "kept"),
    Outcome(2, "occupation", "variant", "softened"),
    Outcome(3, "terrorist", "dropped"),
    Outcome(4, "terrorist", "replaced", "intensified", "terrorism"),
    (5, "isis", "added"),  # plain tuples are accepted too
    (5, "regime", "variant", "neutral"),
]


def rows_by_key(rows):
    return {(r.concept, r.outcome): r for r in rows}


def test_rates_and_denominators_by_hand() -> None:
    rows = rows_by_key(outcome_rates(PATH, path="en>es>en", resamples=50))
    isis_kept, isis_added = rows[("isis", "kept")], rows[("isis", "added")]
    assert (isis_kept.count, isis_kept.denominator, isis_kept.rate) == (2, 2, 1.0)
    assert isis_kept.denominator_kind == SOURCE_OCCURRENCES
    # back-translation occurrences of isis: two kept, one added
    assert (isis_added.count, isis_added.denominator, isis_added.rate) == (1, 3, pytest.approx(1 / 3))
    assert isis_added.denominator_kind == BACK_OCCURRENCES
    for outcome in ("kept", "dropped", "replaced"):
        assert rows[("terrorist", outcome)].rate == pytest.approx(1 / 3)
    assert rows[("terrorist", "variant")].rate == 0.0
    # terrorism is only in the back-translation (terrorist replaced by it): no source occurrence
    assert rows[("terrorism", "kept")].denominator == 0 and rows[("terrorism", "kept")].rate is None
    assert rows[("terrorism", "kept")].ci_low is None and rows[("terrorism", "kept")].ci_resamples == 0
    assert (rows[("terrorism", "added")].count, rows[("terrorism", "added")].denominator) == (0, 1)
    # all concepts pooled: 9 source occurrences; back: 4 kept + 2 variant + 1 added + 1 replaced into terrorism
    pooled = {o: rows[(None, o)] for o in stats.OUTCOMES}
    assert [(pooled[o].count, pooled[o].denominator) for o in stats.SOURCE_OUTCOMES] == [(4, 9), (2, 9), (2, 9), (1, 9)]
    assert (pooled["added"].count, pooled["added"].denominator) == (1, 8)
    assert sum(pooled[o].rate for o in stats.SOURCE_OUTCOMES) == pytest.approx(1.0)
    assert all(r.path == "en>es>en" for r in rows.values())
    assert [r.concept for r in outcome_rates(PATH, resamples=10)][-1] is None
    assert None not in {r.concept for r in outcome_rates(PATH, resamples=10, pooled=False)}


def test_framing_tallies_by_hand() -> None:
    tallies = {t.concept: t for t in framing_tallies(PATH, path="p")}
    assert (tallies["occupation"].softened, tallies["occupation"].total) == (1, 1)
    assert tallies["terrorist"].intensified == 1
    assert (tallies["regime"].same_frame, tallies["regime"].softened) == (1, 0)
    assert (tallies[None].softened, tallies[None].intensified, tallies[None].same_frame) == (1, 1, 1)
    assert tallies["isis"].total == 0
    assert stats.FRAMING_LABELS["same_frame"] == "same-frame swap"
    assert set(tallies[None].to_dict()) == {"path", "concept", "softened", "intensified", "same_frame", "total"}


def many_segments(n: int = 40) -> list[Outcome]:
    """n segments; isis kept in most, replaced in every fifth; terrorist twice in every other segment."""
    records = []
    for seg in range(n):
        records.append(Outcome(seg, "isis", "replaced" if seg % 5 == 0 else "kept"))
        if seg % 2:
            records += [Outcome(seg, "terrorist", "kept"), Outcome(seg, "terrorist", "dropped" if seg % 3 else "kept")]
    return records


def test_bootstrap_ci_contains_the_estimate_and_is_seeded() -> None:
    records = many_segments()
    first = outcome_rates(records, resamples=200, seed=1)
    assert first == outcome_rates(records, resamples=200, seed=1)
    assert first != outcome_rates(records, resamples=200, seed=2)
    for row in first:
        if row.rate is None:
            continue
        assert row.ci_low <= row.rate <= row.ci_high, row
        assert 0.0 <= row.ci_low and row.ci_high <= 1.0
    replaced = rows_by_key(first)[("isis", "replaced")]
    assert replaced.rate == pytest.approx(0.2) and replaced.ci_low < 0.2 < replaced.ci_high
    assert replaced.ci_resamples == 200
    always = rows_by_key(first)[("isis", "variant")]
    assert (always.rate, always.ci_low, always.ci_high) == (0.0, 0.0, 0.0)


def test_bootstrap_ci_equals_a_direct_resampling_of_segments() -> None:
    records = many_segments(30)
    (row,) = [r for r in outcome_rates(records, resamples=300, seed=11) if (r.concept, r.outcome) == (None, "kept")]
    kept = np.zeros(30)
    total = np.zeros(30)
    for r in records:
        total[r.segment] += 1
        kept[r.segment] += r.status == "kept"
    draws = np.random.default_rng(11).integers(0, 30, size=(300, 30))
    rates = [kept[d].sum() / total[d].sum() for d in draws]
    assert (row.ci_low, row.ci_high) == pytest.approx(tuple(np.percentile(rates, [2.5, 97.5])))
    narrower = [r for r in outcome_rates(records, resamples=300, seed=11, confidence=0.5) if r == row]
    assert narrower == []  # another confidence gives another interval


def test_segments_without_terms_take_part_in_the_resampling() -> None:
    records = many_segments(20)
    alone = rows_by_key(outcome_rates(records, resamples=100))[("isis", "kept")]
    with_empty = rows_by_key(outcome_rates(records, segments=range(40), resamples=100))[("isis", "kept")]
    assert alone.rate == with_empty.rate
    assert (alone.ci_low, alone.ci_high) != (with_empty.ci_low, with_empty.ci_high)
    with pytest.raises(ArgumentValueError, match="segments lacks segments that outcomes refer to: 10, 11"):
        outcome_rates(records, segments=range(10))


def test_outcome_statistics_over_paths() -> None:
    other = [Outcome(r.segment, r.concept, "kept") for r in many_segments()]
    result = outcome_statistics({"via es": many_segments(), "via ca": other}, resamples=100)
    assert result.rate("via ca", "isis", "kept").rate == 1.0
    assert result.rate("via es", None, "dropped").count == sum(1 for r in many_segments() if r.status == "dropped")
    assert {t.path for t in result.framing} == {"via es", "via ca"}
    assert result.settings.signature.startswith("ci:percentile-bootstrap|unit:segment|n:100|seed:12345|conf:0.95")
    as_json = json.loads(json.dumps(result.to_dict()))
    assert as_json["settings"]["resamples"] == 100 and as_json["rates"][0]["denominator_kind"] == SOURCE_OCCURRENCES
    with pytest.raises(KeyError):
        result.rate("via gl", "isis", "kept")


# --- the paired test ----------------------------------------------------------------------------


def test_identical_paths_give_p_one() -> None:
    records = many_segments()
    test = paired_shift_test(records, records, resamples=100)
    assert test.difference == 0.0 and test.p_value == 1.0 and test.differing_segments == 0
    assert test.ci_low == test.ci_high == 0.0


def test_very_different_paths_give_a_small_p_value() -> None:
    a = [Outcome(i, "isis", "replaced") for i in range(12)]
    b = [Outcome(i, "isis", "kept") for i in range(12)]
    exact = paired_shift_test(a, b, names=("es", "ca"), resamples=100)
    assert exact.exact and exact.permutations == 2**12
    assert exact.p_value == pytest.approx(2 / 2**12)  # only no swap and swapping all are as extreme
    assert (exact.rate_a, exact.rate_b, exact.difference) == (1.0, 0.0, 1.0)
    sampled = paired_shift_test(a * 2 + [Outcome(i + 12, "isis", "replaced") for i in range(12)],
                                b * 2 + [Outcome(i + 12, "isis", "kept") for i in range(12)],
                                permutations=500, resamples=100)  # fmt: skip
    assert not sampled.exact and sampled.permutations == 500
    assert sampled.p_value == pytest.approx(1 / 501)


def test_exact_p_value_by_hand() -> None:
    # a: replaced, replaced, kept; b: kept everywhere. d = 2/3. Of the 4 relabellings of the two
    # differing segments, swapping none (2/3) and both (-2/3) are as extreme; one swap gives 0.
    a = [(0, "isis", "replaced"), (1, "isis", "replaced"), (2, "isis", "kept")]
    b = [(0, "isis", "kept"), (1, "isis", "kept"), (2, "isis", "kept")]
    test = paired_shift_test(a, b, resamples=50)
    assert test.difference == pytest.approx(2 / 3)
    assert (test.exact, test.permutations, test.p_value) == (True, 4, 0.5)
    assert test.differing_segments == 2 and test.segments == 3


def test_one_differing_segment_is_not_significant() -> None:
    a = many_segments()
    b = list(a)
    b[0] = Outcome(0, "isis", "kept")  # was replaced
    test = paired_shift_test(a, b, resamples=100)
    assert test.differing_segments == 1 and test.p_value == 1.0


def test_paired_test_is_seeded_and_its_ci_contains_the_difference() -> None:
    a = many_segments(60)
    b = [Outcome(r.segment, r.concept, "kept" if r.segment % 4 else r.status) for r in a]
    first = paired_shift_test(a, b, permutations=300, resamples=200, seed=5)
    assert first == paired_shift_test(a, b, permutations=300, resamples=200, seed=5)
    assert first != paired_shift_test(a, b, permutations=300, resamples=200, seed=6)
    assert first.ci_low <= first.difference <= first.ci_high
    assert first.difference > 0 and first.p_value < 0.05
    only_terrorist = paired_shift_test(a, b, concept="terrorist", resamples=50)
    assert only_terrorist.total_a == sum(1 for r in a if r.concept == "terrorist")
    dropped_only = paired_shift_test(a, b, outcomes=["dropped"], resamples=50)
    assert dropped_only.count_a == sum(1 for r in a if r.status == "dropped")
    assert json.loads(json.dumps(first.to_dict()))["bootstrap"]["seed"] == 5


def test_docstring_examples_run() -> None:
    assert doctest.testmod(stats).failed == 0


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: outcome_rates([(0, "isis", "lost")]), ArgumentValueError, r"outcomes\[0\].status is 'lost'; accepted"),
        (lambda: outcome_rates([(0, "isis", "variant", "neutralised")]), ArgumentValueError, "frame_change"),
        (lambda: outcome_rates([("0", "isis", "kept")]), ArgumentError, r"outcomes\[0\].segment must be an int"),
        (lambda: outcome_rates([(0, "isis")]), ArgumentError, r"outcomes\[0\] must be an Outcome"),
        (lambda: outcome_rates("kept"), ArgumentError, "outcomes must be a list of Outcome"),
        (lambda: outcome_rates(PATH, resamples=0), ArgumentError, "resamples must be an int >= 1"),
        (lambda: outcome_rates(PATH, confidence=95), ArgumentError, "confidence must be a float between 0 and 1"),
        (lambda: paired_shift_test(PATH, PATH, outcomes=["added"]), ArgumentValueError, "outcomes holds 'added'"),
        (lambda: outcome_statistics([PATH]), ArgumentError, "paths must be a mapping"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(call, error, message) -> None:
    with pytest.raises(error, match=message) as info:
        call()
    assert "\n" not in str(info.value)


def test_large_inputs_are_processed_in_blocks_with_the_same_numbers(monkeypatch: pytest.MonkeyPatch) -> None:
    a = many_segments(60)
    b = [Outcome(r.segment, r.concept, "kept" if r.segment % 4 else r.status) for r in a]
    whole_rates = outcome_rates(a, resamples=90, seed=3)
    whole_test = paired_shift_test(a, b, permutations=70, resamples=90, seed=3)
    exact_test = paired_shift_test(a[:20], b[:20], resamples=30)
    monkeypatch.setattr(stats, "_BLOCK_CELLS", 100)  # blocks of one or two rows
    assert outcome_rates(a, resamples=90, seed=3) == whole_rates
    assert paired_shift_test(a, b, permutations=70, resamples=90, seed=3) == whole_test
    assert paired_shift_test(a[:20], b[:20], resamples=30) == exact_test
