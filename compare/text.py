"""Reading input texts and cutting them into aligned segments.

A text becomes a tuple of :class:`Segment`: sentence-sized units with stable ids (0, 1, 2 ...) and the
paragraph each belongs to, so that segment *i* of the source, of every pivot and of the
back-translation line up, and the paragraph layout can be rebuilt from any hop. Paragraphs are
separated by blank lines, or are single lines (:func:`paragraph_mode` decides for each document).
"""

from __future__ import annotations

import re
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path

from .errors import InputError
from .languages import base_lang
from .results import Segment

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
PARAGRAPH_MODES = ("auto", "blank", "line")


def read_text(path: str | Path) -> str:
    """Read one UTF-8 text file, or standard input for ``-``.

    Raises :class:`InputError` for a missing file, bytes that are not UTF-8 (with the byte offset),
    or a text with nothing but whitespace.
    """
    name = str(path)
    try:
        data = sys.stdin.buffer.read() if name == "-" else Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(f"input file not found: {name}") from None
    except IsADirectoryError:
        raise InputError(f"input is a directory, not a text file: {name}") from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}") from None
    label = "<stdin>" if name == "-" else name
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"{label} is not UTF-8: byte 0x{data[exc.start]:02x} at offset {exc.start}; "
            "re-encode it as UTF-8 (e.g. iconv -f latin1 -t utf-8)"
        ) from None
    if not text.strip():
        raise InputError(f"{label} is empty; expected a UTF-8 text with at least one sentence")
    return _unify_newlines(text)


def _unify_newlines(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n")


def check_paragraph_mode(paragraphs: str) -> str:
    """Return ``paragraphs`` if it is one of :data:`PARAGRAPH_MODES`; raise :class:`InputError` if not."""
    if paragraphs not in PARAGRAPH_MODES:
        raise InputError(f"unknown paragraph mode {str(paragraphs)[:40]!r}; expected one of: auto, blank, line")
    return paragraphs


def paragraph_mode(text: str, paragraphs: str = "auto") -> str:
    """The mode ``text`` is cut with: ``"blank"`` or ``"line"``.

    ``auto`` picks ``line`` for a text of several lines with no blank line anywhere (scraped news,
    corpora: one paragraph per line, headlines without a full stop), ``blank`` otherwise.
    """
    if check_paragraph_mode(paragraphs) != "auto":
        return paragraphs
    body = _unify_newlines(text).strip()
    return "line" if "\n" in body and not _PARAGRAPH_BREAK.search(body) else "blank"


def documents_paragraph_mode(documents: Sequence[tuple[str, str]], paragraphs: str = "auto") -> str:
    """The mode a set of ``(name, text)`` documents was cut with; ``"mixed"`` if ``auto`` chose both."""
    modes = {paragraph_mode(text, paragraphs) for _, text in documents}
    return modes.pop() if len(modes) == 1 else "mixed"


def split_paragraphs(text: str, paragraphs: str = "auto") -> list[str]:
    """Cut ``text`` into paragraphs, each on one line, in the mode :func:`paragraph_mode` resolves.

    ``blank``: paragraphs are separated by blank lines; lines inside a paragraph are joined with a space.
    ``line``: every non-empty line is a paragraph.
    """
    mode = paragraph_mode(text, paragraphs)
    text = _unify_newlines(text)
    if mode == "line":
        return [line.strip() for line in text.splitlines() if line.strip()]
    result = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        joined = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if joined:
            result.append(joined)
    return result


def segment_text(text: str, lang: str, document: str = "", paragraphs: str = "auto") -> tuple[Segment, ...]:
    """Cut ``text`` into sentences with sentencex, keeping paragraph membership.

    ``paragraphs`` is ``auto``, ``blank`` or ``line`` (see :func:`paragraph_mode`). Raises
    :class:`InputError` if the text holds no sentence or the mode is unknown.
    """
    return segment_documents([(document, text)], lang, paragraphs)


def segment_documents(documents: Sequence[tuple[str, str]], lang: str, paragraphs: str = "auto") -> tuple[Segment, ...]:
    """Segment several ``(name, text)`` documents into one id space; paragraphs numbered across all.

    With ``paragraphs="auto"`` the mode is decided for each document on its own.
    """
    from sentencex import segment as sentencex_segment

    check_paragraph_mode(paragraphs)
    code = base_lang(lang)
    segments: list[Segment] = []
    paragraph_no = -1
    for name, text in documents:
        for paragraph in split_paragraphs(unicodedata.normalize("NFC", text), paragraphs):
            paragraph_no += 1
            for sentence in sentencex_segment(code, paragraph):
                sentence = sentence.strip()
                if sentence:
                    segments.append(Segment(len(segments), sentence, paragraph_no, name))
    if not segments:
        raise InputError("the input holds no sentence to translate")
    return tuple(segments)


def join_segments(segments: Sequence[Segment], texts: Sequence[str] | None = None, paragraphs: str = "blank") -> str:
    """Rebuild running text: segments of a paragraph joined by a space, paragraphs by a blank line.

    With ``paragraphs="line"`` (a text cut one paragraph per line) paragraphs are joined by a newline.
    """
    texts = [s.text for s in segments] if texts is None else list(texts)
    parts: list[list[str]] = []
    last = None
    for seg, txt in zip(segments, texts):
        if seg.paragraph != last:
            parts.append([])
            last = seg.paragraph
        parts[-1].append(txt)
    return ("\n" if paragraphs == "line" else "\n\n").join(" ".join(p) for p in parts)
