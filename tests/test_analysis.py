"""The analysis layer: analysed apart from translating, named systems, signatures, metrics, statistics, exports.

Translations come from hand-written files (the file backend), so no engine is needed.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

import compare
from compare.schema import result_schema

from .conftest import ROOT, run_cli

TEXT = "Daesh terrorists fled the town.\n\nThe regime fell. The weather was fine.\n"
PAIRS = [
    (
        "Daesh terrorists fled the town.",
        "Los terroristas de Daesh huyeron del pueblo.",
        "Daesh militants fled the town.",
    ),
    ("The regime fell.", "El régimen cayó.", "The government fell."),
    ("The weather was fine.", "El tiempo era bueno.", "The weather was good."),
]
EXTRA_LEXICON = "concepts:\n  weather:\n    forms:\n      en:\n        neutral: [weather]\n"


def write_tsv(path: Path, pairs: list[tuple[str, str, str]]) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = []
    for en, es, back in pairs:
        lines += [f"en\tes\t{en}\t{es}", f"es\ten\t{es}\t{back}"]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture()
def systems(tmp_path: Path) -> tuple[Path, Path]:
    """Two systems of the same kind whose files share a name: a/t.tsv and b/t.tsv (b keeps 'terrorists')."""
    a = write_tsv(tmp_path / "a" / "t.tsv", PAIRS)
    b = write_tsv(
        tmp_path / "b" / "t.tsv", [(en, es, back.replace("militants", "terrorists")) for en, es, back in PAIRS]
    )
    return a, b


def test_roundtrip_analyses_apart_from_the_translation(systems: tuple[Path, Path]) -> None:
    a, _ = systems
    result = compare.roundtrip(TEXT, via="es", backends=f"file:{a}", cache=False)
    assert not hasattr(result.paths[0], "shifts")
    shifts = result.analysis.path(result.paths[0].name).shifts
    terrorist = next(s for s in shifts if s.concept == "terrorist")
    assert (terrorist.status, terrorist.frame_change) == ("variant", "softened")
    seg = result.segments[terrorist.segment]
    assert seg.text[slice(*terrorist.source_span)] == terrorist.source_text
    assert result.paths[0].back.segments[terrorist.segment][slice(*terrorist.back_span)] == terrorist.back_text
    regime = next(s for s in shifts if s.concept == "regime")
    assert (regime.status, regime.frame_change) == ("variant", "softened")
    # The same translation analysed again, without translating, gives the same analysis.
    again = compare.analyse(compare.RoundTrip.from_dict(json.loads(json.dumps(result.to_dict()))))
    assert again == result
    bare = compare.roundtrip(TEXT, via="es", backends=f"file:{a}", cache=False, analyse=False)
    assert bare.analysis is None and bare.to_dict()["analysis"] is None
    assert compare.analyse(bare) == result
    # The old keyword still works.
    assert compare.roundtrip(TEXT, via="es", backends=f"file:{a}", cache=False, analyse_terms=False).analysis is None


def test_no_terms_is_null_and_nothing_found_is_an_empty_analysis(tmp_path: Path) -> None:
    tsv = write_tsv(tmp_path / "t.tsv", [PAIRS[2]])
    src = tmp_path / "in.txt"
    src.write_text("The weather was fine.\n", encoding="utf-8")
    args = ("roundtrip", str(src), "--via", "es", "-b", f"file:{tsv}", "--no-cache", "--format", "json")
    skipped = json.loads(run_cli(*args, "--no-terms").stdout)
    assert skipped["analysis"] is None
    found = json.loads(run_cli(*args).stdout)
    assert found["analysis"]["paths"][0]["shifts"] == []
    assert found["analysis"]["signature"]["lexicon"]["files"] == ["default.yaml"]
    for doc in (skipped, found):
        jsonschema.validate(doc, result_schema())
    proc = run_cli(*args[:-1], "csv", "--no-terms")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "--no-terms" in proc.stderr


def _clean_path_env(tmp_path: Path) -> dict[str, str]:
    """An environment whose PATH holds no apertium: only a directory with python in it."""
    bindir = tmp_path / "bin"
    bindir.mkdir(exist_ok=True)
    (bindir / "python").symlink_to(sys.executable)
    env = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}
    env["PATH"] = str(bindir)
    return env


def test_cli_analyse_reanalyses_a_saved_result_without_any_backend(systems: tuple[Path, Path], tmp_path: Path) -> None:
    a, _ = systems
    saved = tmp_path / "result.json"
    result = compare.roundtrip(TEXT, via="es", backends=f"file:{a}", cache=False, analyse=False)
    saved.write_text(json.dumps(result.to_dict()), encoding="utf-8")
    a.unlink()  # the translations' file is gone: analysing must not need it
    lexicon = tmp_path / "weather.yaml"
    lexicon.write_text(EXTRA_LEXICON, encoding="utf-8")
    env = _clean_path_env(tmp_path)
    outputs = []
    for extra in ((), ("--lexicon", str(lexicon))):
        proc = subprocess.run(
            [sys.executable, "-m", "compare", "analyse", str(saved), "--format", "json", *extra],
            env=env,
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert proc.returncode == 0, proc.stderr
        outputs.append(json.loads(proc.stdout))
    plain, extended = (doc["analysis"] for doc in outputs)
    assert plain["signature"]["lexicon"]["files"] == ["default.yaml"]
    assert extended["signature"]["lexicon"]["files"] == ["default.yaml", "weather.yaml"]
    assert plain["signature"]["lexicon"]["hash"] != extended["signature"]["lexicon"]["hash"]
    assert plain["signature"]["short"] != extended["signature"]["short"]
    assert "weather" not in {s["concept"] for s in plain["paths"][0]["shifts"]}
    assert "weather" in {s["concept"] for s in extended["paths"][0]["shifts"]}
    assert outputs[0]["signature"] == outputs[1]["signature"] == result.signature  # the translation's, unchanged
    for doc in outputs:
        jsonschema.validate(doc, result_schema())


def test_reading_refuses_a_newer_schema_version(tmp_path: Path) -> None:
    doc = {"schema_version": compare.SCHEMA_VERSION + 1, "source_lang": "en", "segments": [], "paths": []}
    with pytest.raises(compare.ResultFormatError, match="newer than this mtcompare reads"):
        compare.RoundTrip.from_dict(doc)
    path = tmp_path / "new.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    proc = run_cli("analyse", str(path))
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        f"mtcompare: error: this result has schema_version {compare.SCHEMA_VERSION + 1}, newer than this mtcompare "
        f"reads ({compare.SCHEMA_VERSION}); upgrade mtcompare to read it"
    ]
    path.write_text("{not json", encoding="utf-8")
    proc = run_cli("analyse", str(path))
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1 and "not JSON" in proc.stderr


def test_named_systems_never_collide(systems: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = systems
    unnamed = compare.roundtrip(TEXT, via="es", backends=[f"file:{a}", f"file:{b}"], cache=False)
    names = [p.name for p in unnamed.paths]
    assert names == ["en>es>en (file:a/t.tsv)", "en>es>en (file:b/t.tsv)"]
    assert [p.path for p in unnamed.analysis.paths] == names
    assert {r.path for r in unnamed.analysis.statistics.rates} == set(names)
    named = compare.roundtrip(TEXT, via="es", backends={"mine": f"file:{a}", "theirs": f"file:{b}"}, cache=False)
    assert [p.name for p in named.paths] == ["en>es>en (mine)", "en>es>en (theirs)"]
    assert [p.system for p in named.paths] == ["mine", "theirs"]
    strings = compare.roundtrip(TEXT, via="es", backends=[f"mine=file:{a}", f"theirs=file:{b}"], cache=False)
    assert strings.paths == named.paths
    with pytest.raises(compare.ArgumentValueError, match="system name 'x' is given to two backends"):
        compare.roundtrip(TEXT, via="es", backends=[f"x=file:{a}", f"x=file:{b}"], cache=False)
    # The CLI: names in tables, JSON and tidy rows; a repeated name is one line.
    proc = run_cli("roundtrip", "-", "--via", "es", "-b", f"mine=file:{a}", "-b", f"file:{b}", "--no-cache",
                   "--format", "csv", stdin=TEXT.encode())  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert {r["path"] for r in rows} == {"en>es>en (mine)", "en>es>en (file:t.tsv)"}
    proc = run_cli("roundtrip", "-", "--via", "es", "-b", f"x=file:{a}", "-b", f"x=file:{b}", "--no-cache",
                   stdin=TEXT.encode())  # fmt: skip
    assert proc.returncode == 2 and proc.stderr.strip().splitlines() == [
        "mtcompare: error: system name 'x' is given to two backends; each system needs its own name"
    ]


def test_statistics_and_paired_comparison(systems: tuple[Path, Path]) -> None:
    a, b = systems
    result = compare.roundtrip(
        TEXT, via="es", backends={"a": f"file:{a}", "b": f"file:{b}"}, cache=False, analyse=False
    )
    analysed = compare.analyse(result, compare=[("a", "b")], resamples=200, seed=7)
    stats = analysed.analysis.statistics
    kept = stats.rate("en>es>en (b)", "terrorist", "kept")
    assert (kept.count, kept.denominator, kept.rate) == (1, 1, 1.0)
    assert stats.rate("en>es>en (a)", None, "variant").count == 2
    assert stats.settings.resamples == 200 and stats.settings.seed == 7
    [comparison] = analysed.analysis.comparisons
    assert (comparison.a, comparison.b) == ("en>es>en (a)", "en>es>en (b)")
    assert comparison.metrics is not None and comparison.metrics.differing_segments == 1
    assert (comparison.shift_rate.count_a, comparison.shift_rate.count_b, comparison.shift_rate.total_a) == (2, 1, 3)
    sig = analysed.analysis.signature
    assert "n:200|seed:7" in str(sig) and sig.seed == 7
    assert [name for name, _ in sig.metrics] == ["bleu", "chrf", "ter"]
    assert str(sig).endswith(f"|version:{compare.__version__}")
    bleu = analysed.analysis.paths[0].scores.get("bleu")
    assert bleu.signature == sig.metrics[0][1]
    rows = compare.summary(analysed)
    row = next(r for r in rows if r["path"] == "en>es>en (a)" and r["concept"] == "(all)")
    assert (row["variant"], row["softened"], row["source_occurrences"]) == (2, 2, 3)
    assert row["variant_ci_low"] <= row["variant_rate"] <= row["variant_ci_high"]
    with pytest.raises(compare.ArgumentValueError, match="compare names path 'c'"):
        compare.analyse(result, compare=[("a", "c")])
    with pytest.raises(compare.ArgumentValueError, match="unknown metric 'bleurt'"):
        compare.analyse(result, metrics=["bleurt"])


def test_exports_are_tidy_and_valid(systems: tuple[Path, Path], tmp_path: Path) -> None:
    a, b = systems
    src = tmp_path / "doc.txt"
    src.write_text(TEXT, encoding="utf-8")
    base = ("roundtrip", str(src), "--via", "es", "-b", f"a=file:{a}", "-b", f"b=file:{b}", "--no-cache")
    docs = {}
    for fmt in ("json", "jsonl", "csv", "md", "latex", "table"):
        proc = run_cli(*base, "--format", fmt, "--compare", "a,b", "--resamples", "100")
        assert proc.returncode == 0, (fmt, proc.stderr)
        docs[fmt] = proc.stdout
    doc = json.loads(docs["json"])
    jsonschema.validate(doc, result_schema())
    assert doc["schema_version"] == 2 and doc["analysis"]["comparisons"][0]["a"] == "en>es>en (a)"
    lines = [json.loads(line) for line in docs["jsonl"].splitlines()]
    rows = list(csv.DictReader(io.StringIO(docs["csv"])))
    assert len(lines) == len(rows) == sum(len(p["shifts"]) for p in doc["analysis"]["paths"])
    for row in lines:
        assert row["document"] == str(src)
        assert row["segment_text"][row["source_start"] : row["source_end"]] == row["source_text"]
        assert row["back_segment_text"][row["back_start"] : row["back_end"]] == row["back_text"]
        assert {"status", "frame_change", "pivot1_text", "pivot1_start", "segment_bleu"} <= set(row)
    assert "| concept | path | n | kept |" in docs["md"] and "same-frame swap" in docs["md"]
    assert "Analysis signature: lex:default.yaml@sha256:" in docs["md"]
    assert "\\begin{tabular}" in docs["latex"] and "en\\textgreater{}es\\textgreater{}en (a)" in docs["latex"]
    assert "summary: outcomes per concept and path" in docs["table"] and "paired comparisons" in docs["table"]
    assert "analysis signature:" in docs["table"] and "lex:default.yaml@sha256:" in docs["table"]


def test_roundtrip_documents_carries_document_ids(systems: tuple[Path, Path]) -> None:
    a, _ = systems
    corpus = {"one": "Daesh terrorists fled the town.", "two": "The regime fell."}
    result = compare.roundtrip_documents(corpus, via="es", backends=f"file:{a}", cache=False)
    assert [s.document for s in result.segments] == ["one", "two"]
    assert {(r["document"], r["concept"]) for r in compare.tidy(result)} >= {("one", "isis"), ("two", "regime")}
    assert [d.document for d in result.analysis.paths[0].scores.documents] == ["one", "two"]
    same = compare.roundtrip_documents(list(corpus.items()), via="es", backends=f"file:{a}", cache=False)
    assert same == result
    with pytest.raises(compare.ArgumentValueError, match="document id 'x' is given twice"):
        compare.roundtrip_documents([("x", "a"), ("x", "b")], via="es", cache=False)


def test_missing_extras_are_one_line(systems: tuple[Path, Path], tmp_path: Path) -> None:
    a, _ = systems
    code = (
        "import sys; sys.modules['pandas'] = None; import compare\n"
        f"r = compare.roundtrip('The regime fell.', via='es', backends={'file:' + str(a)!r}, cache=False)\n"
        "try:\n    compare.to_dataframe(r)\nexcept compare.MissingExtraError as e:\n    print(e)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False, cwd=ROOT)
    assert "install the extra: pip install 'mtcompare[pandas]'" in proc.stdout, proc.stderr
    src = tmp_path / "in.txt"
    src.write_text(TEXT, encoding="utf-8")
    code = (
        "import sys; sys.modules['sentence_transformers'] = None; sys.argv = ['mtcompare'] + sys.argv[1:]\n"
        "from compare.cli import main; main()"
    )
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            code,
            "roundtrip",
            str(src),
            "--via",
            "es",
            "-b",
            f"file:{a}",
            "--no-cache",
            "--semantic",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
    )
    lines = proc.stderr.strip().splitlines()
    assert proc.returncode == 3 and len(lines) == 1 and "mtcompare[semantic]" in lines[0], proc.stderr


def test_import_compare_stays_light() -> None:
    code = (
        "import sys, compare, compare.analysis, compare.tables, compare.stats, compare.metrics\n"
        "heavy = [m for m in ('numpy', 'pandas', 'torch', 'sentence_transformers', 'sacrebleu') if m in sys.modules]\n"
        "assert not heavy, heavy"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_semantic_similarity_with_the_packaged_model(systems: tuple[Path, Path]) -> None:
    pytest.importorskip("sentence_transformers")
    a, _ = systems
    result = compare.roundtrip(TEXT, via="es", backends=f"file:{a}", cache=False, metrics=["chrf", "semantic"])
    pa = result.analysis.paths[0]
    assert pa.semantic is not None and len(pa.semantic.segments) == 3
    assert all(0.5 < s.similarity <= 1.0 for s in pa.semantic.segments)
    assert pa.drifted and pa.drifted[0].similarity == min(s.similarity for s in pa.semantic.segments)
    assert [name for name, _ in result.analysis.signature.metrics] == ["chrf", "semantic"]
    jsonschema.validate(result.to_dict(), result_schema())
    assert compare.RoundTrip.from_dict(json.loads(json.dumps(result.to_dict()))) == result


def test_a_version_1_document_is_read_and_analysed_again(systems: tuple[Path, Path]) -> None:
    a, b = systems
    result = compare.roundtrip(TEXT, via="es", backends=[f"file:{a}", f"file:{b}"], cache=False)
    doc = json.loads(json.dumps(result.to_dict()))
    doc["schema_version"] = 1  # as 0.1.0 wrote it: shifts inside each path, no system names, no analysis
    for path, analysed in zip(doc["paths"], doc.pop("analysis")["paths"]):
        path.pop("system")
        path["shifts"] = analysed["shifts"]
    old = compare.RoundTrip.from_dict(doc)
    assert old.analysis is None
    assert [p.name for p in old.paths] == ["en>es>en (file)", "en>es>en (file-2)"]  # colliding names told apart
    again = compare.analyse(old)
    assert [len(p.shifts) for p in again.analysis.paths] == [len(p.shifts) for p in result.analysis.paths]


def test_one_hop_paths_are_analysed_beside_round_trips(systems: tuple[Path, Path]) -> None:
    """compare.translate's one-hop paths get cross-lingual shifts (no metrics); mixed with a round trip in
    one result, both are analysed, compared on the shift rate, and the JSON still validates."""
    from dataclasses import replace

    a, _ = systems
    rt = compare.roundtrip(TEXT, via="es", backends=f"file:{a}", cache=False, analyse=False)
    one = compare.translate(rt.segments, "en", "es", backends=f"file:{a}", cache=False)
    assert one.paths[0].name == "en>es (file:t.tsv)" and len(one.paths[0].hops) == 1
    mixed = replace(rt, paths=(*rt.paths, *one.paths))
    analysed = compare.analyse(mixed, compare=[(rt.paths[0].name, one.paths[0].name)], resamples=100)
    hop = analysed.analysis.path("en>es (file:t.tsv)")
    assert hop.scores is None and analysed.analysis.path(rt.paths[0].name).scores is not None
    got = {s.concept: (s.status, s.back_text, s.frame_change) for s in hop.shifts}
    assert got["isis"] == ("kept", "Daesh", None)  # Daesh → Daesh: delegitimising on both sides
    assert got["regime"] == ("kept", "régimen", None)
    assert got["terrorist"][0] == "kept"
    [comparison] = analysed.analysis.comparisons
    assert comparison.metrics is None and comparison.shift_rate.count_b == 0
    jsonschema.validate(json.loads(json.dumps(analysed.to_dict())), result_schema())
    assert "parallel" in compare.analysis.MATCHER_MODULES


def test_prepare_loads_the_matchers_in_a_thread_and_leaves_errors_to_the_analysis() -> None:
    from compare.analysis import prepare
    from compare.lexicon import Lexicon
    from compare.matching import _MATCHERS

    lexicon = Lexicon.default()
    thread = prepare(lexicon, ["en", "es", "en"], ["bleu"])
    thread.join(timeout=120)
    assert not thread.is_alive()
    assert {"en", "es"} <= set(_MATCHERS[lexicon])
    broken = prepare(lexicon, ["not a language!"], [])
    broken.join(timeout=120)
    assert not broken.is_alive()  # nothing raised in the thread; the analysis reports a bad language itself
