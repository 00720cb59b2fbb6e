"""Reading input texts and cutting them into aligned segments.

A text becomes a tuple of :class:`Segment`: sentence-sized units with stable ids (0, 1, 2 ...) and the
paragraph each belongs to, so that segment *i* of the source, of every pivot and of the
back-translation line up, and the paragraph layout can be rebuilt from any hop. Paragraphs are
separated by blank lines, or are single lines (:func:`paragraph_mode` decides for each document).
"""

from __future__ import annotations

import re
import stat
import sys
import unicodedata
from collections.abc import Sequence
from pathlib import Path
from typing import BinaryIO

from .errors import InputError
from .languages import base_lang
from .results import Segment

_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n+")
PARAGRAPH_MODES = ("auto", "blank", "line")


DEFAULT_MAX_INPUT_BYTES = 50 * 1024 * 1024
_SIZE = re.compile(r"\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(?:i?b)?\s*", re.I)
_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_NOT_TEXT = {stat.S_IFCHR: "a character device", stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket"}


def parse_size(value: str) -> int:
    """Bytes in a size such as ``50M``, ``512k``, ``2GiB`` or ``1000`` (units are 1024-based)."""
    match = _SIZE.fullmatch(str(value))
    if not match or float(match.group(1)) <= 0:
        raise ValueError(f"invalid size {str(value)[:40]!r}; expected a positive number of bytes, or with K, M, G: 50M")
    return int(float(match.group(1)) * _UNITS[match.group(2).lower()])


def _format_size(size: int) -> str:
    for unit in ("G", "M", "K"):
        if size >= _UNITS[unit.lower()] and size % _UNITS[unit.lower()] == 0:
            return f"{size // _UNITS[unit.lower()]}{unit}"
    return f"{size} bytes"


def read_text(path: str | Path, max_bytes: int | None = None) -> str:
    """Read one UTF-8 text file, or standard input for ``-``.

    Raises :class:`InputError` for a missing file, a directory or a device (``/dev/zero``) instead of a
    text, an input larger than ``max_bytes`` (default :data:`DEFAULT_MAX_INPUT_BYTES`), bytes that are
    not UTF-8 (with the byte offset), or a text with nothing but whitespace. FIFOs and pipes are read.
    """
    from ._checks import check_path

    check_path("path", path)
    name = str(path)
    label = "<stdin>" if name == "-" else name
    limit = DEFAULT_MAX_INPUT_BYTES if max_bytes is None else max_bytes
    too_large = InputError(
        f"{label} is larger than the input limit of {_format_size(limit)}; "
        "raise it with --max-input-size (MTCOMPARE_MAX_INPUT_SIZE, or max_bytes= in the library)"
    )
    try:
        if name == "-":
            if sys.stdin is None:
                raise InputError("standard input is closed; pipe a text into - or name a file")
            data = _read_capped(sys.stdin.buffer, limit)
        else:
            info = Path(path).stat()
            if stat.S_ISDIR(info.st_mode):
                raise InputError(f"input is a directory, not a text file: {name}")
            kind = _NOT_TEXT.get(stat.S_IFMT(info.st_mode))
            if kind:
                raise InputError(
                    f"cannot read {name}: it is {kind}, not a text file; pipe a stream into standard input (-)"
                )
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise too_large
            with open(path, "rb") as fh:
                data = _read_capped(fh, limit)
    except FileNotFoundError:
        raise InputError(f"input file not found: {name}") from None
    except IsADirectoryError:
        raise InputError(f"input is a directory, not a text file: {name}") from None
    except OSError as exc:
        raise InputError(f"cannot read {name}: {exc.strerror}") from None
    if data is None:
        raise too_large
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


def _read_capped(stream: BinaryIO, limit: int) -> bytes | None:
    """All of ``stream``, or None as soon as it holds more than ``limit`` bytes."""
    chunks = []
    size = 0
    while chunk := stream.read(min(1 << 20, limit + 1 - size)):
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            return None
    return b"".join(chunks)


_STDIN_NAMES = ("-", "/dev/stdin", "/dev/fd/0", "/proc/self/fd/0")


def read_texts(names: Sequence[str | Path], max_bytes: int | None = None) -> list[tuple[str, str]]:
    """``(name, text)`` for each input, read with :func:`read_text`; standard input may be named once
    (as ``-`` or ``/dev/stdin``): a second read would find it empty."""
    stdin = [str(name) for name in names if str(name) in _STDIN_NAMES]
    if len(stdin) > 1:
        given = "twice" if len(set(stdin)) == 1 else f"twice ({' and '.join(dict.fromkeys(stdin))})"
        raise InputError(f"standard input ({stdin[0]}) is given {given}; it can be read only once")
    return [(str(name), read_text(name, max_bytes)) for name in names]


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
    from ._checks import check_segment_text_args

    check_segment_text_args(text, lang, document, paragraphs)
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
