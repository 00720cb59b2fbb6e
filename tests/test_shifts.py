"""Tracing loaded terms through hops: hand-checked outcomes on the reference article (real Apertium),
and each outcome class on hand-written translations."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

import compare
from compare.results import Hop, HopSignature, RoundTrip
from compare.schema import result_schema
from compare.shifts import STATUSES, align_span, trace_segment
from compare.tables import summary, tidy, to_dataframe

from .conftest import run_cli


def hops(*texts_and_langs: tuple[str, str], unknown: tuple[str, ...] = ()) -> list[Hop]:
    """Hand-written hops (a human's translation, as the file backend would give): no engine involved."""
    out, prev = [], "en"
    for text, lang in texts_and_langs:
        out.append(
            Hop(
                lang,
                prev,
                "file",
                (text,),
                (unknown if lang != "en" else (),),
                HopSignature("file", prev, lang, "hand"),
            )
        )
        prev = lang
    return out


def trace(source: str, *texts_and_langs: tuple[str, str], unknown: tuple[str, ...] = ()):
    return trace_segment(0, source, hops(*texts_and_langs, unknown=unknown), "en", compare.Lexicon.default())


def only(shifts, concept):
    [shift] = [s for s in shifts if s.concept == concept]
    return shift


def test_kept_with_pivot_form() -> None:
    s = only(trace("The government met.", ("El gobierno se reunió.", "es"), ("The government met.", "en")), "regime")
    assert (s.status, s.pivot_forms, s.back_text) == ("kept", ("gobierno",), "government")


def test_variant_intensified_government_to_regime() -> None:
    s = only(
        trace("The Syrian government fell.", ("El régimen sirio cayó.", "es"), ("The Syrian regime fell.", "en")),
        "regime",
    )
    assert (s.status, s.frame_change, s.pivot_forms) == ("variant", "intensified", ("régimen",))
    assert (s.source_frame, s.back_frame) == ("neutral", "delegitimising")


def test_variant_softened_terrorists_to_militants() -> None:
    s = only(
        trace("Terrorists attacked.", ("Los militantes atacaron.", "es"), ("Militants attacked.", "en")), "terrorist"
    )
    assert (s.status, s.frame_change) == ("variant", "softened")


def test_variant_daesh_to_isis_softened() -> None:
    s = only(trace("Daesh attacked.", ("El ISIS atacó.", "es"), ("ISIS attacked.", "en")), "isis")
    assert (s.status, s.source_form, s.back_form, s.frame_change) == ("variant", "Daesh", "ISIS", "softened")


def test_occupation_forces_to_troops_uses_unwatched_counterpart() -> None:
    shifts = trace(
        "American occupation forces closed the road.",
        ("Las tropas estadounidenses cerraron la carretera.", "es"),
        ("US troops closed the road.", "en"),
    )
    s = only(shifts, "occupation")
    assert (s.status, s.back_text, s.frame_change) == ("variant", "troops", "softened")


def test_dropped_so_called() -> None:
    shifts = trace("The so-called forces left.", ("Las fuerzas se fueron.", "es"), ("The forces left.", "en"))
    s = only(shifts, "so_called")
    assert (s.status, s.replacement, s.pivot_forms) == ("dropped", None, (None,))


def test_replaced_shows_aligned_text() -> None:
    s = only(
        trace(
            "Daesh fighters attacked.",
            ("Los combatientes del grupo atacaron.", "es"),
            ("The group fighters attacked.", "en"),
        ),
        "isis",
    )
    assert (s.status, s.replacement) == ("replaced", "group")


def test_added_term() -> None:
    shifts = trace(
        "The government met.",
        ("El régimen y los terroristas se reunieron.", "es"),
        ("The regime and the terrorists met.", "en"),
    )
    added = [s for s in shifts if s.status == "added"]
    assert [(s.concept, s.back_text) for s in added] == [("terrorist", "terrorists")]
    assert added[0].source_form is None


def test_untranslated_pivot() -> None:
    s = only(trace("Daesh attacked.", ("Daesh atacó.", "es"), ("Daesh attacked.", "en"), unknown=("Daesh",)), "isis")
    assert (s.pivot_forms, s.status) == (("untranslated",), "kept")


def test_multi_hop_has_one_pivot_form_per_hop() -> None:
    s = only(
        trace(
            "The regime fell.",
            ("El régimen cayó.", "es"),
            ("El govern va caure.", "ca"),
            ("The government fell.", "en"),
        ),
        "regime",
    )
    assert s.pivot_forms == ("régimen", "govern")
    assert (s.status, s.frame_change) == ("variant", "softened")


def test_align_span_maps_reordered_words() -> None:
    src = "maintained by allied Kurdish militias of the so-called Syrian"
    back = "maintained for militias of Kurdish aliar of the so-nicknamed Syrian"
    start = src.index("Kurdish militias")
    assert align_span(src, back, start, start + 16, "en") == "militias of Kurdish"
    start = src.index("so-called")
    assert align_span(src, back, start, start + 9, "en") == "so-nicknamed"


# --- the reference article through real Apertium ----------------------------------------------------


@pytest.fixture(scope="module")
def article_result(tmp_path_factory: pytest.TempPathFactory) -> RoundTrip:
    import shutil

    if shutil.which("apertium") is None:
        pytest.fail("apertium is not installed; scripts/setup.sh installs it")
    text = (Path(__file__).parent.parent / "corpora" / "tasnim-daesh-relocation.en.txt").read_text(encoding="utf-8")
    return compare.roundtrip(text, "en", via=["es", "ca"], cache=tmp_path_factory.mktemp("cache"))


def shifts_of(result: RoundTrip, path: int):
    """The shifts of one path: analysis results, kept apart from the translation."""
    return result.analysis.path(result.paths[path].name).shifts


def find(result: RoundTrip, path: int, segment: int, source_text: str):
    [s] = [s for s in shifts_of(result, path) if s.segment == segment and s.source_text == source_text]
    return s


def test_article_every_loaded_term_listed(article_result: RoundTrip) -> None:
    listed = {(s.segment, s.source_text) for s in shifts_of(article_result, 0) if s.status != "added"}
    assert {
        (0, "Daesh"),
        (0, "Terrorists"),
        (1, "Daesh"),
        (1, "Takfiri"),
        (1, "terrorists"),
        (1, "Kurdish militias"),
        (1, "so-called"),
        (1, "Syrian Democratic Forces"),
        (1, "SDF"),
        (2, "militants"),
        (2, "SDF militias"),
        (3, "occupation forces"),
        (4, "Daesh"),
        (4, "militants"),
        (4, "terror"),
        (5, "terrorists"),
        (5, "government"),
        (6, "terrorists"),
        (8, "deployment"),
        (8, "Daesh"),
        (8, "terrorists"),
        (9, "deployment"),
        (11, "government"),
    } <= listed
    # Both paths trace the same source occurrences.
    assert listed == {(s.segment, s.source_text) for s in shifts_of(article_result, 1) if s.status != "added"}


def test_article_outcomes_checked_by_hand(article_result: RoundTrip) -> None:
    # en>es>en: Apertium does not know "Daesh": passed through (marked unknown) and back unchanged.
    daesh = find(article_result, 0, 1, "Daesh")
    assert (daesh.pivot_forms, daesh.status) == (("untranslated",), "kept")
    # "occupation forces" -> "fuerzas de ocupación" -> "forces of American occupation": the same content words
    # in another order ("American" came between them but is not aligned with the term): kept.
    occ = find(article_result, 0, 3, "occupation forces")
    assert occ.pivot_texts == ("fuerzas de ocupación",) and occ.pivot_found == (True,)
    assert (occ.status, occ.back_text, occ.alignment) == ("kept", "forces of American occupation", ("engine", "engine"))
    gov = find(article_result, 0, 5, "government")
    assert (gov.pivot_forms, gov.status) == (("gobierno",), "kept")
    # en>ca>en: "so-called" -> "així que-anomenat" -> "so-nicknamed": the distancing marker is replaced.
    so_called = find(article_result, 1, 1, "so-called")
    assert so_called.pivot_texts == ("així que-anomenat",)  # the elided article trimmed
    assert (so_called.status, so_called.replacement) == ("replaced", "so-nicknamed")
    # "occupation forces" -> "forces d'ocupació" -> "forces of American occupancy": the framing is softened.
    occ = find(article_result, 1, 3, "occupation forces")
    assert (occ.status, occ.back_text, occ.frame_change) == ("variant", "forces", "softened")
    # "Kurdish militias" -> "milícies de kurds" -> "militias of Kurdish": the same words reordered, kept; the
    # pivot column shows the Catalan words although they are no lexicon form, and no "militia" row is added.
    kurdish = find(article_result, 1, 1, "Kurdish militias")
    assert (kurdish.status, kurdish.back_text, kurdish.pivot_texts) == (
        "kept",
        "militias of Kurdish",
        ("milícies de kurds",),
    )
    assert kurdish.pivot_found == (False,)
    assert not [s for s in shifts_of(article_result, 1) if s.status == "added"]


def test_article_summary_and_tidy(article_result: RoundTrip) -> None:
    rows = summary(article_result)
    isis = [r for r in rows if r["concept"] == "isis"]
    assert [(r["path"], r["kept"], r["kept_rate"]) for r in isis] == [
        ("en>es>en (apertium)", 4, 1.0),
        ("en>ca>en (apertium)", 4, 1.0),
    ]
    for r in rows:
        assert set(STATUSES) <= set(r)
    df = to_dataframe(article_result)
    assert len(df) == len(article_result.analysis.shifts) == len(tidy(article_result))
    assert {"path", "system", "document", "segment", "segment_text", "concept", "status", "frame_change"} <= set(
        df.columns
    )
    assert {"source_start", "source_end", "back_start", "back_end", "pivot1_form", "pivot1_lang"} <= set(df.columns)
    assert set(df["status"]) <= set(STATUSES)
    for row in tidy(article_result):
        if row["source_start"] is not None:
            assert row["segment_text"][row["source_start"] : row["source_end"]] == row["source_text"]


def test_article_json_shifts(article_result: RoundTrip) -> None:
    doc = json.loads(json.dumps(article_result.to_dict()))
    assert "shifts" not in doc["paths"][0]
    shift = doc["analysis"]["paths"][0]["shifts"][0]
    assert {"segment", "concept", "source_form", "pivot_forms", "back_form", "status", "frame_change"} <= set(shift)
    assert {"source_span", "pivot_spans", "back_span"} <= set(shift)
    assert RoundTrip.from_dict(doc) == article_result
    jsonschema.validate(doc, result_schema())  # the real article's output follows the shipped schema


def test_cli_roundtrip_shows_shift_report(apertium: str, article_path: Path, tmp_path: Path) -> None:
    proc = run_cli("roundtrip", str(article_path), "--via", "ca", "--no-segments", "--cache-dir", str(tmp_path))
    assert proc.returncode == 0, proc.stderr
    assert "loaded terms — en>ca>en (apertium)" in proc.stdout
    assert "so-nicknamed" in proc.stdout and "summary: outcomes per concept and path" in proc.stdout


def test_cli_terms_jsonl(tmp_path: Path) -> None:
    src = tmp_path / "ar.txt"
    src.write_text("خبر\nانسحبت قوات الاحتلال الأمريكية، وقال إن داعش هُزم.\n", encoding="utf-8")
    proc = run_cli("terms", str(src), "--lang", "ar", "--format", "jsonl")
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(line) for line in proc.stdout.splitlines()]
    line = src.read_text(encoding="utf-8").splitlines()[1]
    assert {r["concept"] for r in rows} >= {"occupation", "isis"}
    for r in rows:
        assert r["line"] == 2 and r["lang"] == "ar"
        assert line[r["start"] : r["end"]] == r["text"]
        assert {"form", "frame"} <= set(r)


def test_cli_terms_csv_and_bad_lexicon(tmp_path: Path) -> None:
    src = tmp_path / "en.txt"
    src.write_text("The regime and the so-called SDF.\n", encoding="utf-8")
    proc = run_cli("terms", str(src), "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.splitlines()[0] == "file,line,start,end,text,concept,form,frame,lang"
    bad = Path(__file__).parent / "data" / "lexicons"
    broken = sorted(bad.glob("bad_*.yaml"))[0]
    proc = run_cli("terms", str(src), "--lexicon", str(broken))
    assert proc.returncode != 0 and "Traceback" not in proc.stderr
    assert broken.name in proc.stderr and len(proc.stderr.strip().splitlines()) == 1


# --- the classes of wrong shift rows, on hand-written translations ------------------------------------


def test_order_and_function_words_do_not_make_a_shift() -> None:
    for back in ("The militia of Kurdish attacked.", "Kurdish The militia attacked.", "The Kurdish militia attacked."):
        s = only(trace("The Kurdish militia attacked.", ("La milicia kurda atacó.", "es"), (back, "en")), "sdf")
        assert (s.status, s.frame_change) == ("kept", None), back
    s = only(
        trace(
            "SDF militias closed it.", ("Las milicias de SDF lo cerraron.", "es"), ("Militias of SDF closed it.", "en")
        ),
        "sdf",
    )
    assert s.status == "kept"


def test_term_that_became_another_concept_is_one_linked_row() -> None:
    shifts = trace("Kurdish militias attacked.", ("Las milicias atacaron.", "es"), ("The militias attacked.", "en"))
    assert [(s.concept, s.status, s.back_concept) for s in shifts] == [("sdf", "replaced", "militia")]
    assert shifts[0].frame_change == "same_frame"  # delegitimising → delegitimising: a same-frame swap
    s = only(
        trace("The SDF attacked.", ("La milicia kurda atacó.", "es"), ("The Kurdish militia attacked.", "en")), "sdf"
    )
    assert (s.status, s.frame_change, s.back_form) == ("variant", "intensified", "Kurdish militia")


def test_pivot_column_is_filled_without_a_lexicon_form() -> None:
    s = only(
        trace(
            "Kurdish militias attacked.",
            ("Milícies de kurds van atacar.", "ca"),
            ("Militias of Kurdish attacked.", "en"),
        ),
        "sdf",
    )
    assert s.pivot_texts[0] and s.pivot_found == (False,) and s.pivot_forms == (None,)
    assert s.status == "kept" and s.alignment[-1] == "lemma"


def test_two_occurrences_of_one_concept_each_with_its_own_counterpart() -> None:
    shifts = trace(
        "Islamic State fighters and ISIS leaders fled.",
        ("Combatientes del Estado Islámico y líderes de ISIS huyeron.", "es"),
        ("Daesh fighters and ISIS leaders fled.", "en"),
    )
    rows = [(s.source_text, s.status, s.back_text) for s in shifts if s.concept == "isis"]
    assert rows == [("Islamic State", "variant", "Daesh"), ("ISIS", "kept", "ISIS")]


@pytest.mark.parametrize(
    "back",
    [
        "They called them “the terrorist groups” again.",  # an article moved inside the quotes
        "They called them ‘terrorist groups’ again.",  # other quote characters
        'They called them "terrorist groups" again.',
    ],
)
def test_scare_quotes_that_survive_are_kept(back: str) -> None:
    shifts = trace(
        "They called them “terrorist groups” again.",
        ("Los llamaron «grupos terroristas» otra vez.", "es"),
        (back, "en"),
    )
    quote = only(shifts, "so_called")
    assert quote.status == "kept" and quote.back_form and "…" in quote.back_form
    assert not [s for s in shifts if s.status == "added"]


def test_scare_quotes_lost_are_dropped_and_each_quote_pairs_by_position() -> None:
    shifts = trace(
        "The ‘terrorists’ fought the 'militia' there.",
        ("Los terroristas lucharon contra la «milicia» allí.", "es"),
        ("The terrorists fought the “militia” there.", "en"),
    )
    quotes = sorted((s for s in shifts if s.concept == "so_called"), key=lambda s: s.source_span)
    assert [s.status for s in quotes] == ["dropped", "kept"]
    assert not [s for s in shifts if s.status == "added"]


def test_scare_quote_with_only_its_opening_mark_left() -> None:
    shifts = trace("The ‘terrorists’ fled.", ("Los ‘terroristas huyeron.", "es"), ("The ‘terrorists fled.", "en"))
    quote = only(shifts, "so_called")
    assert (quote.status, quote.back_form, quote.pivot_forms) == ("kept", "‘…", ("‘…",))


def test_article_untranslated_shows_through_an_inserted_preposition(article_result: RoundTrip) -> None:
    # en>ca>en seg 1: "Daesh" is aligned with "de Daesh"; the span shown is "Daesh", passed through unknown.
    daesh = find(article_result, 1, 1, "Daesh")
    assert (daesh.pivot_texts, daesh.pivot_forms) == (("Daesh",), ("untranslated",))


def test_quote_mark_stuck_to_a_word_closes_it_and_opens_nothing() -> None:
    # The opening mark of 'mercenaries' was lost; the mark after "groups" closes that quote and must
    # not be taken as the opening of the next one.
    shifts = trace(
        "They describe them as 'terrorist groups' and 'mercenaries'.",
        ("Los describen como 'grupos terroristas' y soyercenaries'.", "es"),
        ("They describe them as 'terrorist groups' and soyercenaries'.", "en"),
    )
    quotes = sorted((s for s in shifts if s.concept == "so_called"), key=lambda s: s.source_span)
    assert [s.status for s in quotes] == ["kept", "dropped"]


def test_quoted_stretch_with_other_words_follows_its_words() -> None:
    # “occupation base” → “base of occupancy”: the quotes survive around the reordered words.
    shifts = trace(
        "They called it an “occupation base”.",
        ("La llamaron una «base de ocupación».", "es"),
        ("They called it a “base of occupancy”.", "en"),
    )
    quote = only(shifts, "so_called")
    assert quote.source_text == "“occupation base”"
    assert (quote.status, quote.back_text) == ("kept", "“base of occupancy”")
    assert "ocupación" in quote.pivot_texts[0]


def test_same_words_in_another_sense_are_not_added() -> None:
    # The matcher reads "administration of services" as not the regime concept; the article that the
    # round trip inserted ("of the services") does not make it an added term.
    shifts = trace(
        "He said the administration of services was disrupted.",
        ("Dijo que la administración de los servicios fue interrumpida.", "es"),
        ("He said that the administration of the services was interrupted.", "en"),
    )
    assert [s for s in shifts if s.status == "added"] == []


def test_hyphenated_compound_split_by_other_words_is_not_kept() -> None:
    shifts = trace(
        "The self-proclaimed caliphate fell.",
        ("El autoproclamado califato cayó.", "es"),
        ("The self-the caliphate proclaimed fell.", "en"),
    )
    assert only(shifts, "so_called").status != "kept"
    # A modifier moved inside a noun phrase leaves a multi-word term whole.
    shifts = trace(
        "The occupation forces withdrew.",
        ("Las fuerzas de ocupación se retiraron.", "es"),
        ("The forces of American occupation withdrew.", "en"),
    )
    assert only(shifts, "occupation").status == "kept"


def test_spelling_variant_of_a_form_is_kept() -> None:
    shifts = trace(
        "A terrorist organization claimed it.",
        ("Una organización terrorista lo reivindicó.", "es"),
        ("A terrorist organisation claimed it.", "en"),
    )
    assert only(shifts, "terrorist").status == "kept"
