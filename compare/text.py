"""Reading input texts and cutting them into aligned segments.

A text becomes a tuple of :class:`Segment`: sentence-sized units with stable ids (0, 1, 2 ...) and the
paragraph each belongs to, so that segment *i* of the source, of every pivot and of the
back-translation line up, and the paragraph layout can be rebuilt from any hop.
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
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs are separated by blank lines; lines inside a paragraph are joined with a space."""
    paragraphs = []
    for block in _PARAGRAPH_BREAK.split(text.strip()):
        joined = " ".join(line.strip() for line in block.splitlines() if line.strip())
        if joined:
            paragraphs.append(joined)
    return paragraphs


def segment_text(text: str, lang: str, document: str = "") -> tuple[Segment, ...]:
    """Cut ``text`` into sentences with sentencex, keeping paragraph membership.

    Raises :class:`InputError` if the text holds no sentence.
    """
    return segment_documents([(document, text)], lang)


def segment_documents(documents: Sequence[tuple[str, str]], lang: str) -> tuple[Segment, ...]:
    """Segment several ``(name, text)`` documents into one id space; paragraphs numbered across all."""
    from sentencex import segment as sentencex_segment

    code = base_lang(lang)
    segments: list[Segment] = []
    paragraph_no = -1
    for name, text in documents:
        for paragraph in split_paragraphs(unicodedata.normalize("NFC", text)):
            paragraph_no += 1
            for sentence in sentencex_segment(code, paragraph):
                sentence = sentence.strip()
                if sentence:
                    segments.append(Segment(len(segments), sentence, paragraph_no, name))
    if not segments:
        raise InputError("the input holds no sentence to translate")
    return tuple(segments)


def join_segments(segments: Sequence[Segment], texts: Sequence[str] | None = None) -> str:
    """Rebuild running text: segments of a paragraph joined by a space, paragraphs by a blank line."""
    texts = [s.text for s in segments] if texts is None else list(texts)
    paragraphs: list[list[str]] = []
    last = None
    for seg, txt in zip(segments, texts):
        if seg.paragraph != last:
            paragraphs.append([])
            last = seg.paragraph
        paragraphs[-1].append(txt)
    return "\n\n".join(" ".join(p) for p in paragraphs)
