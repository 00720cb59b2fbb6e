"""A text against its translations, one hop each (compare.parallel, mtcompare parallel): real NTREX lines,
real Apertium output, the CLI as a subprocess."""

from __future__ import annotations

import csv
import io
import json
import warnings
from pathlib import Path

import jsonschema
import pytest

import compare
from compare.errors import InputError, LexiconError, MtcompareWarning, UnknownLanguageError
from compare.parallel import align_sentences, analyse_translation, language_warning, pair_texts, parallel
from compare.schema import result_schema

from .conftest import SHARED_CORPORA, run_cli
from .test_cli import assert_one_line_error

NTREX = SHARED_CORPORA / "ntrex"
needs_ntrex = pytest.mark.skipif(not NTREX.exists(), reason="../shared/corpora/ntrex is not here")
#: Lines 121–300 of NTREX: "administration" on line 127, "so-called" on line 256, "government" on line 297.
FIRST, LAST = 120, 300


def ntrex(code: str) -> list[str]:
    name = "newstest2019-src.eng.txt" if code == "eng" else f"newstest2019-ref.{code}.txt"
    return (NTREX / name).read_text(encoding="utf-8").split("\n")[FIRST:LAST]


def rows(result: compare.RoundTrip, path: str) -> dict[int, list[compare.Shift]]:
    out: dict[int, list[compare.Shift]] = {}
    for s in result.analysis.path(path).shifts:
        out.setdefault(s.segment, []).append(s)
    return out


# --- the library on real data --------------------------------------------------------------------------


@needs_ntrex
def test_ntrex_references_line_by_line() -> None:
    source = ntrex("eng")
    result = parallel(source, {"de": ntrex("deu"), "ar": ntrex("arb"), "ru": ntrex("rus")}, "en")
    assert [p.name for p in result.paths] == ["en>de (reference)", "en>ar (reference)", "en>ru (reference)"]
    assert all(len(p.hops) == 1 and p.hops[0].backend == "parallel" for p in result.paths)
    de, ar = rows(result, "en>de (reference)"), rows(result, "en>ar (reference)")
    # line 127: "the Trump administration" — Regierung / إدارة, both the regime concept's neutral forms
    (admin,) = de[126 - FIRST]
    assert (admin.source_text, admin.back_text, admin.status, admin.back_frame) == (
        "administration",
        "Regierung",
        "kept",
        "neutral",
    )
    assert source[126 - FIRST][admin.source_span[0] : admin.source_span[1]] == "administration"
    target = result.path("en>de (reference)").hops[0].segments[126 - FIRST]
    assert target[admin.back_span[0] : admin.back_span[1]] == "Regierung"
    assert ar[126 - FIRST][0].status == "kept" and ar[126 - FIRST][0].back_concept == "regime"
    # line 256: "so-called" → "sogenannten", "ما يسمى"
    assert [(s.concept, s.status) for s in de[255 - FIRST]] == [("so_called", "kept")]
    assert de[255 - FIRST][0].back_text.startswith("sogenannt")
    assert ar[255 - FIRST][0].back_text == "ما يسمى"
    # one-hop rows have no pivots; the translation is the back side, aligned by the lexicon
    assert admin.pivot_forms == () and admin.alignment == ("lexicon",)
    stats = result.analysis.statistics
    kept = stats.rate("en>de (reference)", None, "kept")
    assert kept.denominator == 3 and kept.ci_low is not None and kept.ci_low <= kept.rate <= kept.ci_high
    assert not any(p.scores for p in result.analysis.paths)  # no BLEU of German against English


def test_framing_directions_across_languages() -> None:
    source = [
        "The Syrian government shelled the town.",
        "ISIS fighters attacked.",
        "The regime fell.",
        "Daesh attacked.",
    ]
    result = parallel(
        source,
        {
            "de": [
                "Das syrische Regime beschoss die Stadt.",
                "IS-Kämpfer griffen an.",
                "Die Regierung fiel.",
                "Die Terroristen griffen an.",
            ],
            "ar": ["قصفت الحكومة السورية المدينة.", "هاجم مقاتلو داعش.", "سقط النظام.", "هاجم داعش."],
        },
    )
    de = [(s.status, s.frame_change, s.back_concept) for s in result.analysis.path("en>de (reference)").shifts]
    assert de == [
        ("variant", "intensified", "regime"),  # government (neutral) → Regime (delegitimising)
        ("kept", None, "isis"),  # ISIS → IS: both neutral
        ("variant", "softened", "regime"),  # regime → Regierung
        ("replaced", "intensified", "terrorist"),  # Daesh → Terroristen: another concept, more condemning
    ]
    ar = [(s.status, s.frame_change) for s in result.analysis.path("en>ar (reference)").shifts]
    assert ar == [("kept", None), ("variant", "intensified"), ("kept", None), ("kept", None)]
    tally = {(f.path, f.concept): f for f in result.analysis.statistics.framing}
    assert tally[("en>de (reference)", None)].intensified == 2 and tally[("en>de (reference)", None)].softened == 1


def test_added_and_empty_line_dropped() -> None:
    result = parallel(
        ["The government met.", "The town was quiet.", "Officials spoke."],
        {"de": ["", "Die Stadt war ruhig.", "Vertreter des Regimes sprachen."]},
    )
    shifts = result.analysis.shifts
    assert [(s.segment, s.status) for s in shifts] == [(0, "dropped"), (2, "added")]
    assert shifts[0].alignment == ("none",) and shifts[0].back_text is None
    assert shifts[1].back_concept == "regime" and shifts[1].source_text is None


def test_saved_result_reads_back_and_analyses_the_same() -> None:
    result = parallel(["The regime fell."], {"fr": ["Le gouvernement est tombé."]})
    again = compare.RoundTrip.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.analysis.shifts == result.analysis.shifts
    redone = compare.analyse(again.with_analysis(None), metrics=None)
    assert [s.status for s in redone.analysis.shifts] == ["variant"]
    assert "parallel" in redone.analysis.signature.matcher or redone.analysis.signature.matcher


def test_tidy_rows_and_paired_shift_test() -> None:
    result = parallel(
        ["The regime fell.", "The government met."],
        {
            "de": ["Die Regierung fiel.", "Die Regierung tagte."],
            "fr": ["Le régime est tombé.", "Le gouvernement s'est réuni."],
        },
    )
    tidy = compare.tidy(result)
    assert {r["langs"] for r in tidy} == {"en>de", "en>fr"}
    assert tidy[0]["back_segment_text"] == "Die Regierung fiel." and tidy[0]["status"] == "variant"
    compared = compare.analyse(
        result.with_analysis(None), metrics=None, compare=[("en>de (reference)", "en>fr (reference)")]
    )
    (test,) = compared.analysis.comparisons
    assert test.metrics is None and test.shift_rate.rate_a == 0.5 and test.shift_rate.rate_b == 0.0


# --- machine translation: Apertium for real -----------------------------------------------------------------


@needs_ntrex
def test_apertium_translation_analysed_one_hop(apertium: str) -> None:
    lines = ntrex("eng")
    result = compare.translate(lines, "en", "es", backends="apertium", cache=False)
    analysed = analyse_translation(result)
    by_segment = rows(analysed, "en>es (apertium)")
    (admin,) = by_segment[126 - FIRST]
    assert admin.alignment == ("engine",) and admin.confidence == 1.0
    assert admin.back_concept == "regime" and admin.status in ("kept", "variant")
    hop = analysed.paths[0].hops[0]
    assert hop.segments[126 - FIRST][admin.back_span[0] : admin.back_span[1]] == admin.back_text
    # the same occurrences as the human reference, side by side
    human = parallel(lines, {"es": ntrex("spa")})
    ref = {(s.segment, s.source_span) for s in human.analysis.shifts if s.source_span}
    mt = {(s.segment, s.source_span) for s in analysed.analysis.shifts if s.source_span}
    assert ref == mt


def test_apertium_framing_of_a_loaded_sentence(apertium: str) -> None:
    text = ["The Syrian regime and ISIS fighters attacked the so-called Syrian Democratic Forces."]
    result = analyse_translation(compare.translate(text, "en", "es", backends="apertium", cache=False))
    got = {s.concept: (s.status, s.back_text) for s in result.analysis.shifts}
    assert got["regime"] == ("kept", "régimen")
    assert got["sdf"][0] == "kept" and got["so_called"][0] == "kept"


@needs_ntrex
def test_apertium_added_term_names_its_source_words(apertium: str) -> None:
    """NTREX line 666: Apertium renders "Employment" as "Ocupación", a Spanish form of occupation."""
    line = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").split("\n")[665]
    result = analyse_translation(compare.translate([line], "en", "es", backends="apertium", cache=False))
    (row,) = result.analysis.shifts
    assert (row.status, row.back_text, row.replacement, row.alignment) == (
        "added",
        "Ocupación",
        "Employment",
        ("engine",),
    )


# --- sentence alignment -------------------------------------------------------------------------------------


@needs_ntrex
def test_sentence_alignment_of_running_text() -> None:
    en, de = ntrex("eng")[:12], ntrex("deu")[:12]
    source = " ".join(en[:6]) + "\n\n" + " ".join(en[6:])
    translation = " ".join(de[:6]) + "\n\n" + " ".join(de[6:])
    paired = pair_texts(source, {"de": translation}, "en", align="sentences")
    ((_, alignment),) = paired.alignments
    assert alignment is not None and alignment.method.startswith("gale-church:nltk-")
    # sentences never cross the paragraph break; every sentence of both sides is in one bead
    assert [b.source for b in alignment.beads] == [(i,) for i in range(len(paired.segments))]
    assert sorted(j for b in alignment.beads for j in b.target) == list(range(len(alignment.target_sentences)))
    assert alignment.beads[6].target == (6,) and alignment.beads[6].score > 0.5
    assert all(0.0 <= b.score <= 1.0 for b in alignment.beads)
    result = parallel(source, {"de": translation}, "en", align="sentences")
    assert [(s.source_text, s.back_text, s.status) for s in result.analysis.shifts] == [
        ("administration", "Regierung", "kept")
    ]
    doc = paired.to_dict()
    assert doc["align"] == "sentences" and doc["languages"]["de"]["beads"][6] == {
        "source": [6],
        "target": [6],
        "score": round(alignment.beads[6].score, 4),
    }


@needs_ntrex
def test_sentence_alignment_flags_a_lost_sentence_by_its_score() -> None:
    """Gale-Church sees lengths only: a sentence left out is merged into a neighbour's bead, whose low
    score is the flag (the README says so)."""
    en, de = ntrex("eng")[:12], ntrex("deu")[:12]
    source = " ".join(en[:6]) + "\n\n" + " ".join(en[6:])
    translation = " ".join(de[:6]) + "\n\n" + " ".join(de[7:])  # the 7th sentence is left out
    ((_, alignment),) = pair_texts(source, {"de": translation}, "en", align="sentences").alignments
    weakest = min(alignment.beads, key=lambda b: b.score)
    assert weakest.score < 0.1 and weakest.source[0] >= 6


def test_two_sentences_translated_as_one_share_it_out() -> None:
    """A 2-1 bead: the French sentence is cut at a word boundary in proportion to the two English ones,
    so each English sentence's term finds its counterpart."""
    source = "The regime fell after a long siege of the capital. The new government met in the palace."
    target = "Le régime est tombé après un long siège de la capitale, et le nouveau gouvernement s'est réuni au palais."
    paired = pair_texts(source, {"fr": target}, "en", align="sentences")
    ((_, alignment),) = paired.alignments
    assert [(b.source, b.target) for b in alignment.beads] == [((0, 1), (0,))]
    first, second = paired.targets[0][1]
    assert f"{first} {second}" == target and "régime" in first and "gouvernement" in second
    result = parallel(source, {"fr": target}, "en", align="sentences")
    assert [(s.segment, s.back_text, s.status) for s in result.analysis.shifts] == [
        (0, "régime", "kept"),
        (1, "gouvernement", "kept"),
    ]


def test_align_sentences_beads_cover_both_sides() -> None:
    beads, ratio = align_sentences(["a" * 40, "b" * 10, "c" * 30], ["x" * 44, "y" * 45])
    assert sorted(i for b in beads for i in b.source) == [0, 1, 2]
    assert sorted(j for b in beads for j in b.target) == [0, 1]
    assert ratio == pytest.approx(89 / 80)


# --- bad input ----------------------------------------------------------------------------------------------


def test_line_count_mismatch_unknown_language_and_wrong_script() -> None:
    with pytest.raises(InputError, match="2 lines and the source 3"):
        parallel(["a", "b", "c"], {"de": ["a", "b"]})
    with pytest.raises(UnknownLanguageError):
        parallel(["a"], {"xx-nonsense": ["a"]})
    with pytest.raises(LexiconError, match="no forms for language"):
        parallel(["a"], {"ja": ["a"]})
    with pytest.warns(MtcompareWarning, match="Latin script, not Arabic"):
        parallel(["The government met.", "Then it rained."], {"ar": ["Die Regierung tagte.", "Dann regnete es."]})
    assert language_warning(["Die Regierung tagte."], "de") is None
    assert "unchanged" in language_warning(["The regime fell."], "de", ["The regime fell."])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        parallel(["The government met."], {"ar": ["اجتمعت الحكومة."]})  # no warning for the right script


# --- the command --------------------------------------------------------------------------------------------


@needs_ntrex
def test_cli_parallel_formats(tmp_path: Path) -> None:
    src = tmp_path / "src.en.txt"
    src.write_text("\n".join(ntrex("eng")) + "\n", encoding="utf-8")
    de, ar = tmp_path / "de.txt", tmp_path / "ar.txt"
    de.write_text("\n".join(ntrex("deu")) + "\n", encoding="utf-8")
    ar.write_text("\n".join(ntrex("arb")) + "\n", encoding="utf-8")
    proc = run_cli("parallel", str(src), str(de), str(ar), "--to", "de,ar", "--format", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [p["name"] for p in doc["paths"]] == ["en>de (reference)", "en>ar (reference)"]
    assert doc["parallel"]["align"] == "lines" and doc["analysis"]["statistics"]["rates"]
    jsonschema.validate({k: v for k, v in doc.items() if k != "parallel"}, result_schema())
    proc = run_cli("parallel", str(src), str(de), "--to", "de", "--format", "csv", "--system", "ntrex")
    assert proc.returncode == 0, proc.stderr
    table = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert {r["path"] for r in table} == {"en>de (ntrex)"}
    assert any(r["source_text"] == "administration" and r["back_text"] == "Regierung" for r in table)
    out = tmp_path / "report.html"
    proc = run_cli("parallel", str(src), str(ar), "--to", "ar", "--format", "html", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert "ما يسمى" in out.read_text(encoding="utf-8")
    proc = run_cli("parallel", str(src), str(de), "--to", "de")
    assert proc.returncode == 0 and "Regierung" in proc.stdout and "kept" in proc.stdout


def test_cli_pairs_file_and_sentences(tmp_path: Path) -> None:
    src = tmp_path / "src.txt"
    src.write_text("The regime fell.\n\nThe town was quiet.\n", encoding="utf-8")  # a blank line needs no pair
    pairs = tmp_path / "fr.tsv"
    pairs.write_text("The regime fell.\tLe gouvernement est tombé.\nThe town was quiet.\tLa ville était calme.\n")
    proc = run_cli("parallel", str(src), str(pairs), "--to", "fr", "--format", "json", "--system", "deepl")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    (shift,) = doc["analysis"]["paths"][0]["shifts"]
    assert doc["paths"][0]["name"] == "en>fr (deepl)" and shift["status"] == "variant"
    assert shift["frame_change"] == "softened"
    assert doc["paths"][0]["hops"][0]["segments"] == ["Le gouvernement est tombé.", "", "La ville était calme."]
    running = tmp_path / "fr.txt"
    running.write_text("Le gouvernement est tombé. La ville était calme.\n", encoding="utf-8")
    source = tmp_path / "running.txt"
    source.write_text("The regime fell. The town was quiet.\n", encoding="utf-8")
    proc = run_cli("parallel", str(source), str(running), "--to", "fr", "--align", "sentences", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    beads = doc["parallel"]["languages"]["fr"]["beads"]
    assert [(b["source"], b["target"]) for b in beads] == [([0], [0]), ([1], [1])]
    assert all(0 < b["score"] <= 1 for b in beads)


def test_cli_bad_input(tmp_path: Path) -> None:
    src = tmp_path / "src.txt"
    src.write_text("The regime fell.\nThe town was quiet.\n", encoding="utf-8")
    short = tmp_path / "de.txt"
    short.write_text("Das Regime fiel.\n", encoding="utf-8")
    assert_one_line_error(
        run_cli("parallel", str(src), str(short), "--to", "de"), "1 lines and the source 2", "--align"
    )
    assert_one_line_error(run_cli("parallel", str(src), str(short), "--to", "qq"), "unknown language 'qq'")
    assert_one_line_error(run_cli("parallel", str(src), str(short), "--to", "de,fr"), "one language per file")
    wrong = tmp_path / "ar.txt"
    wrong.write_text("Das Regime fiel.\nDie Stadt war ruhig.\n", encoding="utf-8")
    proc = run_cli("parallel", str(src), str(wrong), "--to", "ar", "-f", "csv")
    assert proc.returncode == 0 and "Traceback" not in proc.stderr
    assert "looks like another language" in proc.stderr
    empty_line = tmp_path / "de2.txt"
    empty_line.write_text("\nDie Stadt war ruhig.\n", encoding="utf-8")
    proc = run_cli("parallel", str(src), str(empty_line), "--to", "de", "-f", "json")
    assert proc.returncode == 0, proc.stderr
    assert [s["status"] for s in json.loads(proc.stdout)["analysis"]["paths"][0]["shifts"]] == ["dropped"]


def test_position_guesses_between_anchors() -> None:
    from compare.parallel import anchors

    source = "In 2018 the government of Indonesia paid 40 million dollars to Jakarta."
    target = "2018 zahlte die Regierung Indonesiens 40 Millionen Dollar an Jakarta."
    chain = anchors(source, target)
    words_src, words_tgt = source.split(), target.split()
    assert [(words_src[i], words_tgt[j]) for i, j in chain] == [
        ("2018", "2018"),
        ("40", "40"),
        ("Jakarta.", "Jakarta."),
    ]
    # a name moved from the end to the start is no anchor: it would bend every guess around it
    assert anchors("Researchers often work hard, Lee said.", "Lee, araştırmacıların çok çalıştığını söyledi.") == []
    # with no listed form of the concept, the row names the words at the guessed place, never a drop
    source = ["Officials said the government grants were late."]
    result = parallel(source, {"fr": ["Les responsables ont dit que les subventions publiques étaient en retard."]})
    (row,) = result.analysis.shifts
    assert row.status == "replaced" and row.alignment == ("position",) and row.confidence == 0.3
    assert row.replacement and row.back_span is not None


def test_a_marker_that_needs_context_is_a_counterpart_never_an_addition() -> None:
    """German sogenannt is ``alone: false``: next to no other concept it is no occurrence of its own, so
    a neutral "die sogenannte Schuldenbremse" is not an added so-called, while it is still what an
    English "so-called" became (kept)."""
    result = parallel(
        ["The debt brake holds.", "The so-called debt brake holds."],
        {"de": ["Die sogenannte Schuldenbremse hält.", "Die sogenannte Schuldenbremse hält."]},
        "en",
    )
    shifts = rows(result, "en>de (reference)")
    assert 0 not in shifts
    assert [(s.concept, s.status, s.back_text) for s in shifts[1]] == [("so_called", "kept", "sogenannte")]
