"""Finding loaded terms in input files, line by line, without translating (``mtcompare terms``)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from . import _checks as check
from .languages import normalize_lang
from .text import read_texts

if TYPE_CHECKING:
    from .lexicon import Lexicon
    from .matching import Occurrence


@dataclass(frozen=True)
class TermRow:
    """One occurrence in an input file: ``line`` is 1-based; ``start``/``end`` index that line."""

    file: str
    line: int
    occurrence: Occurrence

    def to_dict(self) -> dict[str, Any]:
        return {"file": self.file, "line": self.line, **self.occurrence.to_dict()}


def find_terms(
    text: str,
    lang: str,
    lexicon: Lexicon | str | Any = None,
    *,
    include_unwatched: bool = False,
    document: str | None = None,
) -> list[Occurrence]:
    """Occurrences of lexicon terms in ``text`` (the default lexicon when ``lexicon`` is None).

    ``lexicon`` may also be lexicon file paths, loaded on top of the default. ``document``: the whole
    text when ``text`` is one segment of it (see :meth:`compare.matching.Matcher.find`). Wrong
    arguments raise :class:`~compare.errors.ArgumentError` or :class:`~compare.errors.ArgumentValueError`.
    """
    from .matching import find_terms as find

    check.check_str("text", text)
    check.check_str("lang", lang)
    check.check_bool("include_unwatched", include_unwatched)
    check.check_optional_str("document", document)
    lex = check.check_lexicon("lexicon", lexicon)
    return find(text, lang, lex, include_unwatched=include_unwatched, document=document)


def find_in_files(
    inputs: Sequence[str], lang: str, lexicon: Lexicon | None = None, max_bytes: int | None = None
) -> list[TermRow]:
    """Every occurrence of a lexicon form in each input (``-`` is standard input), in reading order.

    ``max_bytes`` caps each input (see :func:`compare.text.read_text`).
    """
    from .matching import find_terms_in_lines

    code = normalize_lang(lang)
    rows = []
    for name, text in read_texts(inputs, max_bytes):
        for line_no, occ in find_terms_in_lines(text, code, lexicon):
            rows.append(TermRow("<stdin>" if name == "-" else name, line_no, occ))
    return rows
