from pathlib import Path

import pytest

from compare.errors import InputError
from compare.text import join_segments, read_text, segment_text


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
