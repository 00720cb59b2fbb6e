"""compare.metrics.ter: the same TER edit counts as sacrebleu, pair by pair, and the same scores and signatures.

Every check compares with sacrebleu's own ``lib_ter.translation_edit_rate`` or ``TER`` on the same
input; both code paths of the fast function are checked (bit vectors, and the beam rows it falls
back to), on real round trips, on perturbed and random word sequences with few distinct words (so
that shifts and ties are frequent), at length ratios that widen sacrebleu's beam, and past its
cut-off of 1,000 shift candidates.
"""

from __future__ import annotations

import itertools
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sacrebleu.metrics import TER, lib_ter
from sacrebleu.metrics.lib_ter import translation_edit_rate as sacrebleu_ter

from compare.metrics import ter as fast
from compare.metrics.mt import make_metric
from compare.metrics.ter import FastTER, _translation_edit_rate, translation_edit_rate

from .conftest import ROOT, SHARED_CORPORA

NTREX = SHARED_CORPORA / "ntrex" / "newstest2019-src.eng.txt"
ROUND_TRIP_LINES = 400


def both(hyp: list[str], ref: list[str]) -> tuple[int, int]:
    """sacrebleu's ``(num_edits, ref_length)``, after checking both paths of ours give it too."""
    want = sacrebleu_ter(hyp, ref)
    assert _translation_edit_rate(hyp, ref, bits=True) == want, (hyp, ref)
    assert _translation_edit_rate(hyp, ref, bits=False) == want, (hyp, ref)
    return want


def ntrex_lines() -> list[str]:
    if not NTREX.exists():
        pytest.skip(f"{NTREX} is not there (the shared NTREX corpus)")
    return NTREX.read_text(encoding="utf-8").splitlines()


@pytest.fixture(scope="module")
def round_trips(apertium: str) -> tuple[list[str], list[str]]:
    """The first NTREX lines and their Apertium round trips through Spanish."""
    sources = ntrex_lines()[:ROUND_TRIP_LINES]
    text = "".join(line + "\n" for line in sources).encode("utf-8")
    spanish = subprocess.run([apertium, "eng-spa"], input=text, capture_output=True, check=True, timeout=300).stdout
    back = subprocess.run([apertium, "spa-eng"], input=spanish, capture_output=True, check=True, timeout=300).stdout
    backs = back.decode("utf-8").splitlines()
    assert len(backs) == len(sources)
    return sources, backs


def test_constants_are_sacrebleus() -> None:
    for name in (
        "_MAX_SHIFT_SIZE",
        "_MAX_SHIFT_DIST",
        "_BEAM_WIDTH",
        "_MAX_CACHE_SIZE",
        "_MAX_SHIFT_CANDIDATES",
        "_INT_INFINITY",
    ):
        assert getattr(fast, name) == getattr(lib_ter, name), name
    assert (lib_ter._COST_INS, lib_ter._COST_DEL, lib_ter._COST_SUB) == (1, 1, 1)


def test_ntrex_round_trips(round_trips: tuple[list[str], list[str]]) -> None:
    sources, backs = round_trips
    tokenize = TER()._preprocess_segment
    refs = [tokenize(s).split() for s in sources]
    hyps = [tokenize(b).split() for b in backs]
    shifted = 0
    for hyp, ref in zip(hyps, refs):
        edits, _ = both(hyp, ref)
        both(ref, hyp)  # the other way round
        shifted += edits < lib_ter.BeamEditDistance(ref)(hyp)[0]
    assert shifted > 20  # shifts happened, not just edit distances


def test_ntrex_against_other_lines() -> None:
    """Lines against shuffled and perturbed copies of other lines: long, unrelated, many shifts tried."""
    lines = ntrex_lines()
    rng = random.Random(2019)
    tokenize = TER(case_sensitive=True)._preprocess_segment
    for _ in range(150):
        ref = tokenize(rng.choice(lines)).split()
        hyp = tokenize(rng.choice(lines)).split()
        rng.shuffle(hyp)
        both(hyp, ref)
        words = list(ref)
        for _ in range(rng.randint(1, 5)):  # move a phrase, drop a word, repeat one
            start = rng.randrange(len(words))
            phrase = words[start : start + rng.randint(1, 6)]
            del words[start : start + len(phrase)]
            at = rng.randint(0, len(words))
            words[at:at] = phrase
        if len(words) > 2:
            del words[rng.randrange(len(words))]
            words.insert(rng.randrange(len(words)), rng.choice(words))
        both(words, ref)


@pytest.mark.parametrize(
    ("hyp", "ref", "expected"),
    [
        ([], [], (0, 0)),
        ([], ["a", "b", "c"], (3, 3)),
        (["a", "b"], [], (2, 0)),
        (["a"], ["a"], (0, 1)),
        (["b", "a"], ["a", "b"], None),
        (["a"] * 30, ["a"] * 7, None),
    ],
)
def test_edge_cases(hyp: list[str], ref: list[str], expected: tuple[int, int] | None) -> None:
    got = both(hyp, ref)
    if expected is not None:
        assert got == expected
    assert translation_edit_rate(hyp, ref) == got


vocab_words = st.integers(0, 4).map(lambda i: "abcde"[i])


@st.composite
def word_lists(draw: st.DrawFn, max_size: int, alphabet: int = 5) -> list[str]:
    """Words from the first ``alphabet`` letters, any length up to ``max_size`` (drawn first: hypothesis's
    own lists stay short)."""
    size = draw(st.integers(0, max_size))
    letters = st.integers(0, alphabet - 1).map(lambda i: "abcdefgh"[i])
    return draw(st.lists(letters, min_size=size, max_size=size))


@st.composite
def related_pair(draw: st.DrawFn) -> tuple[list[str], list[str]]:
    """A reference and a hypothesis made from it by moving phrases and inserting, dropping or changing words."""
    alphabet = draw(st.sampled_from([2, 3, 5, 8]))
    ref = draw(word_lists(80, alphabet))
    hyp = list(ref)
    for _ in range(draw(st.integers(0, 6))):
        op = draw(st.sampled_from(["move", "drop", "insert", "change"]))
        if op == "move" and len(hyp) > 1:
            start = draw(st.integers(0, len(hyp) - 1))
            length = draw(st.integers(1, 8))
            phrase = hyp[start : start + length]
            del hyp[start : start + length]
            at = draw(st.integers(0, len(hyp)))
            hyp[at:at] = phrase
        elif op == "drop" and hyp:
            del hyp[draw(st.integers(0, len(hyp) - 1))]
        elif op == "insert":
            hyp.insert(draw(st.integers(0, len(hyp))), draw(vocab_words))
        elif op == "change" and hyp:
            hyp[draw(st.integers(0, len(hyp) - 1))] = draw(st.sampled_from("abcdefgh"))
    return hyp, ref


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(related_pair())
def test_related_sequences(pair: tuple[list[str], list[str]]) -> None:
    hyp, ref = pair
    both(hyp, ref)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(word_lists(80, 3), word_lists(80, 3))
def test_random_sequences(hyp: list[str], ref: list[str]) -> None:
    both(hyp, ref)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(vocab_words, min_size=1, max_size=1), st.lists(vocab_words, min_size=51, max_size=80))
def test_wide_beam(hyp: list[str], ref: list[str]) -> None:
    """A reference over 50 times the hypothesis's length widens sacrebleu's beam beyond 25 cells."""
    assert len(ref) / len(hyp) / 2 > lib_ter._BEAM_WIDTH
    both(hyp, ref)
    both(hyp * 2, ref + ref[:30])


def sacrebleu_counted(hyp: list[str], ref: list[str]) -> tuple[tuple[int, int], int]:
    """sacrebleu's ``(num_edits, ref_length)`` and how many shift candidates it evaluated (counted in ``_shift``)."""
    counted = [0]
    original = lib_ter._shift

    def counting(*args: Any) -> Any:
        result = original(*args)
        counted[0] = result[2]
        return result

    lib_ter._shift = counting
    try:
        return sacrebleu_ter(hyp, ref), counted[0]
    finally:
        lib_ter._shift = original


def test_candidate_cut_off() -> None:
    """Pairs that reach sacrebleu's 1,000-candidate cut-off (which also drops that round's best shift)."""
    rng = random.Random(7)
    reached = 0
    for _ in range(4):
        ref = [rng.choice("ab") for _ in range(rng.randint(45, 60))]
        hyp = [rng.choice("ab") for _ in range(rng.randint(45, 60))]
        want, checked = sacrebleu_counted(hyp, ref)
        assert _translation_edit_rate(hyp, ref, bits=True) == want
        assert _translation_edit_rate(hyp, ref, bits=False) == want
        reached += checked >= lib_ter._MAX_SHIFT_CANDIDATES
    assert reached >= 2


def test_beam_fallback_is_taken() -> None:
    """A long, distant pair whose distance may leave the beam: the bit vectors step aside."""
    ref = ["a", "b"] * 40
    hyp = ["c"] * 3 + ["a", "b"] * 38
    table = fast._Ter([0, 1] * 40, len(hyp), 2)
    assert table._margin() < fast._INT_INFINITY
    assert table._prepare_bits([2] * len(hyp)) is None  # 79 substitutions: past the margin
    both(["c"] * len(hyp), ref)
    both(hyp, ref)


def test_margin_floor_is_a_lower_bound() -> None:
    """The closed-form floor that spares computing the beam's margin never exceeds it."""
    sizes = [*range(1, 40), *range(40, 200, 7), 250, 400]
    for n_hyp in sizes:
        for n_ref in sizes:
            table = fast._Ter(list(range(n_ref)), n_hyp, n_ref)
            assert table.margin_floor <= table._margin(), (n_hyp, n_ref)


SEGMENTS = [
    "The so-called Islamic State lost ground near Raqqa on Monday.",
    "American occupation forces moved Daesh detainees to Iraq, officials said.",
    "Government troops entered the city after heavy fighting ; the regime said so.",
    "恐怖分子 在 叙利亚 北部 袭击 了 一个 村庄 。",
    "",
    "KURDISH militias handed over the prison to the SDF &amp; left.",
]
BACKS = [
    "The Islamic State so-called lost the ground near Raqqa Monday.",
    "Forces of American occupation moved detainees of Daesh to Iraq , officials said",
    "",
    "在 叙利亚 北部 恐怖分子 袭击 了 村庄 。",
    "Nothing here.",
    "Kurdish militias handed the prison over to the SDF &amp; left .",
]
OPTIONS = ["normalized", "no_punct", "asian_support", "case_sensitive"]


@pytest.mark.parametrize("flags", list(itertools.product([False, True], repeat=4)))
def test_corpus_and_sentence_scores_equal_sacrebleus(flags: tuple[bool, ...]) -> None:
    options = dict(zip(OPTIONS, flags))
    lines = ntrex_lines()[:12] if NTREX.exists() else []
    refs = SEGMENTS + lines
    hyps = BACKS + [" ".join(line.split()[5:] + line.split()[:5]) for line in lines]  # a phrase moved
    ours, theirs = FastTER(**options), TER(**options)
    got, want = ours.corpus_score(hyps, [refs]), theirs.corpus_score(hyps, [refs])
    assert (got.score, got.num_edits, got.ref_length) == (want.score, want.num_edits, want.ref_length)
    assert str(got) == str(want)
    assert str(ours.get_signature()) == str(theirs.get_signature())
    # Two references a segment: the fewest edits and the mean reference length, as sacrebleu takes them.
    other = refs[1:] + refs[:1]
    got, want = FastTER(**options).corpus_score(hyps, [refs, other]), TER(**options).corpus_score(hyps, [refs, other])
    assert (got.score, got.num_edits, got.ref_length) == (want.score, want.num_edits, want.ref_length)
    for hyp, ref in zip(hyps[:8], refs[:8]):
        got, want = FastTER(**options).sentence_score(hyp, [ref]), TER(**options).sentence_score(hyp, [ref])
        assert (got.score, got.num_edits, got.ref_length) == (want.score, want.num_edits, want.ref_length)


def test_make_metric_gives_fast_ter() -> None:
    metric = make_metric("ter")
    assert isinstance(metric, FastTER) and isinstance(metric, TER)
    assert type(metric).__name__ == "FastTER"
    metric.corpus_score(BACKS, [SEGMENTS])
    reference = TER()
    reference.corpus_score(BACKS, [SEGMENTS])
    assert str(metric.get_signature()) == str(reference.get_signature())


def test_import_does_not_import_sacrebleu() -> None:
    code = "import sys, compare, compare.metrics.ter; print('sacrebleu' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=Path(ROOT))
    assert out.stdout.strip() == "False"
