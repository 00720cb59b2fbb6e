from pathlib import Path

import pytest

import compare
from compare.errors import InputError
from compare.results import RoundTrip, Segment
from compare.text import (
    documents_paragraph_mode,
    join_segments,
    paragraph_mode,
    read_text,
    segment_documents,
    segment_text,
)


def test_article_segments_keep_paragraphs(article_text: str) -> None:
    segments = segment_text(article_text, "en")
    assert [s.id for s in segments] == list(range(len(segments)))
    assert segments[0].text.startswith("Daesh Terrorists Relocated")
    # 12 paragraphs (the headline is one), one sentence each: sentencex, like pysbd, keeps the
    # sentences inside the long quotation of paragraph 6 together.
    assert [s.paragraph for s in segments] == list(range(12))
    rebuilt = join_segments(segments)
    assert rebuilt.count("\n\n") == 11
    assert "Mr." not in rebuilt


def test_abbreviations_do_not_split() -> None:
    segments = segment_text("Mr. Smith met the U.S. envoy. He left.", "en")
    assert [s.text for s in segments] == ["Mr. Smith met the U.S. envoy.", "He left."]


def test_not_utf8_names_file_and_offset(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("Caf\xe9 au lait".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.txt is not UTF-8: byte 0xe9 at offset 3"):
        read_text(bad)


def test_empty_and_missing(tmp_path: Path) -> None:
    empty = tmp_path / "empty.txt"
    empty.write_text("  \n\n ")
    with pytest.raises(InputError, match="empty"):
        read_text(empty)
    with pytest.raises(InputError, match="not found"):
        read_text(tmp_path / "nope.txt")


# One paragraph per line, no blank line: the usual shape of scraped news and of corpora.
NEWS_LINES = (
    "Syria: US moves Daesh prisoners to Hasakah\n"
    "The US military relocated scores of terrorists. They went by road.\n"
    "Officials declined to comment.\n"
)


def test_auto_keeps_a_headline_without_full_stop_apart() -> None:
    assert paragraph_mode(NEWS_LINES) == "line"
    segments = segment_text(NEWS_LINES, "en")
    assert [(s.paragraph, s.text) for s in segments] == [
        (0, "Syria: US moves Daesh prisoners to Hasakah"),
        (1, "The US military relocated scores of terrorists."),
        (1, "They went by road."),
        (2, "Officials declined to comment."),
    ]
    assert join_segments(segments, paragraphs="line") == NEWS_LINES.strip()


def test_auto_joins_wrapped_lines_when_blank_lines_separate_paragraphs() -> None:
    text = "A headline\n\nThe first paragraph is\nwrapped over two lines.\n\nSecond one.\n"
    assert paragraph_mode(text) == "blank"
    segments = segment_text(text, "en")
    assert [(s.paragraph, s.text) for s in segments] == [
        (0, "A headline"),
        (1, "The first paragraph is wrapped over two lines."),
        (2, "Second one."),
    ]
    assert join_segments(segments) == "A headline\n\nThe first paragraph is wrapped over two lines.\n\nSecond one."


def test_explicit_blank_glues_lines_and_explicit_line_splits_them() -> None:
    glued = segment_text(NEWS_LINES, "en", paragraphs="blank")
    assert {s.paragraph for s in glued} == {0}
    assert glued[0].text == "Syria: US moves Daesh prisoners to Hasakah The US military relocated scores of terrorists."
    wrapped = "The first paragraph is\nwrapped.\n\nSecond one.\n"
    assert [s.text for s in segment_text(wrapped, "en", paragraphs="line")] == [
        "The first paragraph is",
        "wrapped.",
        "Second one.",
    ]


@pytest.mark.parametrize(
    ("text", "mode"),
    [
        ("One line only.\n", "blank"),
        ("One line.\nAnother line.\n\n\n", "line"),  # trailing blank lines are not a paragraph break
        ("Headline\r\nFirst sentence.\r\n", "line"),
        ("Headline\r\n\r\nFirst sentence.\r\n", "blank"),
        ("Headline\n  \t\nFirst sentence.\n", "blank"),  # a line of spaces is a blank line
    ],
)
def test_auto_detection(text: str, mode: str) -> None:
    assert paragraph_mode(text) == mode


def test_auto_is_decided_per_document() -> None:
    documents = [("lines.txt", NEWS_LINES), ("blank.txt", "Wrapped\nline.\n\nNext.\n")]
    segments = segment_documents(documents, "en")
    assert [(s.document, s.paragraph, s.text) for s in segments[-2:]] == [
        ("blank.txt", 3, "Wrapped line."),
        ("blank.txt", 4, "Next."),
    ]
    assert documents_paragraph_mode(documents) == "mixed"
    assert documents_paragraph_mode(documents, "line") == "line"
    assert documents_paragraph_mode(documents[:1]) == "line"


def test_unknown_paragraph_mode_is_one_line_input_error() -> None:
    expected = "unknown paragraph mode 'lines'; expected one of: auto, blank, line"
    with pytest.raises(InputError) as info:
        segment_text(NEWS_LINES, "en", paragraphs="lines")
    assert str(info.value) == expected
    with pytest.raises(InputError, match="expected one of: auto, blank, line"):
        compare.roundtrip(NEWS_LINES, "en", via=["es"], paragraphs="para")
    with pytest.raises(InputError, match="expected one of: auto, blank, line"):
        compare.translate(["Hello."], "en", "es", paragraphs="para")


def test_library_translate_records_the_mode(tmp_path: Path) -> None:
    tsv = tmp_path / "es.tsv"
    tsv.write_text(
        "Syria: US moves Daesh prisoners to Hasakah\tSiria: EEUU traslada presos\n"
        "The US military relocated scores of terrorists.\tEl ejército trasladó terroristas.\n"
        "They went by road.\tFueron por carretera.\n"
        "Officials declined to comment.\tNo hubo comentarios.\n"
        "Hello.\tHola.\n",
        encoding="utf-8",
    )
    result = compare.translate(NEWS_LINES, "en", "es", backends=[f"file:{tsv}"], cache=False)
    assert result.paragraphs == "line" and len({s.paragraph for s in result.segments}) == 3
    assert result.to_dict()["paragraphs"] == "line"
    assert RoundTrip.from_dict(result.to_dict()) == result
    listed = compare.translate(["Hello."], "en", "es", backends=[f"file:{tsv}"], cache=False, paragraphs="auto")
    assert listed.paragraphs == "blank"


def test_roundtrip_json_paragraphs_field_defaults_to_blank_for_old_files() -> None:
    result = RoundTrip(source_lang="en", segments=(Segment(0, "Hi."),), paths=(), paragraphs="mixed")
    data = result.to_dict()
    assert data["paragraphs"] == "mixed"
    assert RoundTrip.from_dict(data) == result
    del data["paragraphs"]
    assert RoundTrip.from_dict(data).paragraphs == "blank"
