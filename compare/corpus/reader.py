"""Corpus input: a folder of .txt files, a JSON Lines file, a CSV/TSV file, or JSON Lines on stdin.

Documents are streamed one at a time (:class:`CorpusReader` is an iterable), so a corpus is never
held in memory whole. Every defect of the input is one line naming the file and the line: a row that
is not JSON, a missing id or text field, an id used twice, a CSV whose header does not split on the
delimiter. An empty text is not an error: the document is skipped and counted
(:attr:`CorpusReader.skipped_empty`).
"""

from __future__ import annotations

import csv
import json
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, BinaryIO

from ..errors import InputError
from ..languages import normalize_lang

#: File suffixes read as JSON Lines and as delimited text.
JSONL_SUFFIXES = (".jsonl", ".ndjson", ".jsonlines")
CSV_SUFFIXES = {".csv": ",", ".tsv": "\t"}
_OTHER_DELIMITERS = (",", "\t", ";", "|")
FORMATS = ("auto", "txt", "jsonl", "csv", "tsv")


@dataclass(frozen=True)
class Document:
    """One document of a corpus: its id, its text, and its language when the input gives one."""

    id: str
    text: str
    lang: str | None = None


class CorpusReader:
    """The documents of ``source`` in input order; see the module docstring for the formats.

    ``source`` is a folder (every ``*.txt`` file below it, by path; the id is the relative path), a
    ``.jsonl`` file, a ``.csv`` or ``.tsv`` file, or ``-`` for JSON Lines on standard input.
    ``id_field``, ``text_field`` and ``lang_field`` name the fields of JSON and CSV rows; a row
    without ``lang_field`` (or without one given) is in the run's source language.

    >>> reader = CorpusReader("news.jsonl", text_field="body")  # doctest: +SKIP
    >>> for doc in reader: ...  # doctest: +SKIP
    """

    def __init__(
        self,
        source: str | Path,
        *,
        id_field: str = "id",
        text_field: str = "text",
        lang_field: str | None = None,
        fmt: str = "auto",
        delimiter: str | None = None,
    ) -> None:
        if fmt not in FORMATS:
            raise InputError(f"unknown corpus format {fmt!r}; accepted: {', '.join(FORMATS)}")
        for name, value in (("id field", id_field), ("text field", text_field)):
            if not isinstance(value, str) or not value:
                raise InputError(f"the {name} must be a non-empty name, not {value!r}")
        self.source = str(source)
        self.id_field, self.text_field, self.lang_field = id_field, text_field, lang_field or None
        self.delimiter = delimiter
        self.format = self._format(fmt)
        #: Documents skipped because their text is empty or only whitespace (counted as read).
        self.skipped_empty = 0

    # --- which format --------------------------------------------------------------------------

    def _format(self, fmt: str) -> str:
        if self.source == "-":
            if fmt not in ("auto", "jsonl"):
                raise InputError(f"standard input is read as JSON Lines, not {fmt}; pass --format jsonl or a file")
            return "jsonl"
        path = Path(self.source)
        if not path.exists():
            raise InputError(f"corpus not found: {self.source}")
        if path.is_dir():
            if fmt not in ("auto", "txt"):
                raise InputError(f"{self.source} is a folder; a folder is read as .txt files, not {fmt}")
            return "txt"
        if fmt != "auto":
            return fmt
        suffix = path.suffix.lower()
        if suffix in JSONL_SUFFIXES:
            return "jsonl"
        if suffix in CSV_SUFFIXES:
            return suffix[1:]
        raise InputError(
            f"cannot tell the format of {self.source}; name a folder of .txt files, a .jsonl, .csv or .tsv "
            "file, or pass --format jsonl|csv|tsv"
        )

    # --- reading -------------------------------------------------------------------------------

    def __iter__(self) -> Iterator[Document]:
        self.skipped_empty = 0
        seen: dict[str, str] = {}
        rows = self._txt() if self.format == "txt" else self._jsonl() if self.format == "jsonl" else self._csv()
        for where, doc in rows:
            if doc.id in seen:
                raise InputError(
                    f"{where}: document id {doc.id!r} is used twice (first at {seen[doc.id]}); ids must be distinct"
                )
            seen[doc.id] = where
            if not doc.text.strip():
                self.skipped_empty += 1
                continue
            yield doc

    def check(self) -> int:
        """Read the whole input once, raising on its first defect; the number of documents to translate.

        The CLI calls this before translating anything, so a defect at the end of a large file is
        found before any work is done (and the count gives the progress bar its total).
        """
        return sum(1 for _ in self)

    def _txt(self) -> Iterator[tuple[str, Document]]:
        root = Path(self.source)
        files = sorted(p for p in root.rglob("*.txt") if p.is_file())
        if not files:
            raise InputError(f"the folder {self.source} holds no .txt file")
        for path in files:
            name = path.relative_to(root).as_posix()
            try:
                text = path.read_bytes().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise InputError(f"{path} is not UTF-8 (byte offset {exc.start}); re-encode it as UTF-8") from None
            except OSError as exc:
                raise InputError(f"cannot read {path}: {exc.strerror or exc}") from None
            yield str(path), Document(name, text.replace("\r\n", "\n").replace("\r", "\n"))

    def _open(self) -> BinaryIO:
        if self.source == "-":
            if sys.stdin is None:
                raise InputError("standard input is closed; pipe JSON Lines into - or name a file")
            return sys.stdin.buffer
        try:
            return open(self.source, "rb")  # noqa: SIM115
        except OSError as exc:
            raise InputError(f"cannot read {self.source}: {exc.strerror or exc}") from None

    def _lines(self, stream: BinaryIO) -> Iterator[tuple[int, str]]:
        """Numbered lines, each decoded on its own so that a bad byte is reported on its own line."""
        label = "<stdin>" if self.source == "-" else self.source
        for number, raw in enumerate(stream, 1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                raise InputError(f"{label} line {number} is not UTF-8 (byte 0x{raw[exc.start]:02x})") from None
            yield number, line

    def _jsonl(self) -> Iterator[tuple[str, Document]]:
        label = "<stdin>" if self.source == "-" else self.source
        stream = self._open()
        try:
            for number, line in self._lines(stream):
                if not line.strip():
                    continue
                where = f"{label} line {number}"
                try:
                    row = json.loads(line)
                except json.JSONDecodeError as exc:
                    raise InputError(f"{where} is not JSON: {exc.msg} (column {exc.colno})") from None
                if not isinstance(row, dict):
                    raise InputError(
                        f"{where} is a JSON {type(row).__name__}; expected an object with fields "
                        f"{self.id_field!r} and {self.text_field!r}"
                    )
                yield where, self._document(row, where)
        finally:
            if self.source != "-":
                stream.close()

    def _csv(self) -> Iterator[tuple[str, Document]]:
        delimiter = self.delimiter or CSV_SUFFIXES.get(f".{self.format}", ",")
        stream = self._open()
        try:
            rows = csv.reader((line for _, line in self._lines(stream)), delimiter=delimiter)
            try:
                header = next(rows)
            except StopIteration:
                raise InputError(f"{self.source} is empty; expected a header row naming the fields") from None
            except csv.Error as exc:
                raise InputError(f"{self.source} line 1: {exc}") from None
            self._check_header(header, delimiter)
            for row in rows:
                number = rows.line_num
                where = f"{self.source} line {number}"
                if not any(cell.strip() for cell in row):
                    continue
                if len(row) != len(header):
                    raise InputError(f"{where} has {len(row)} fields; the header has {len(header)}")
                yield where, self._document(dict(zip(header, row)), where)
        except csv.Error as exc:
            raise InputError(f"{self.source}: {exc}") from None
        finally:
            stream.close()

    def _check_header(self, header: list[str], delimiter: str) -> None:
        wanted = [f for f in (self.id_field, self.text_field) if f not in header]
        if not wanted:
            return
        shown = {"\t": "tab", ",": "comma", ";": "semicolon", "|": "pipe"}
        joined = delimiter.join(header)
        for other in _OTHER_DELIMITERS:
            if other != delimiter and all(f in joined.split(other) for f in (self.id_field, self.text_field)):
                raise InputError(
                    f"{self.source}: the header does not split on the {shown.get(delimiter, repr(delimiter))} "
                    f"delimiter but does on the {shown.get(other, repr(other))}; pass --delimiter "
                    f"{'tab' if other == chr(9) else other!r}"
                )
        raise InputError(
            f"{self.source}: no {wanted[0]!r} column; the columns are: {', '.join(header) or 'none'} "
            f"(pass --id-field/--text-field)"
        )

    def _document(self, row: dict[str, Any], where: str) -> Document:
        fields = ", ".join(map(str, row)) or "none"
        if self.id_field not in row:
            raise InputError(f"{where} has no {self.id_field!r} field (its fields: {fields}); pass --id-field")
        if self.text_field not in row:
            raise InputError(f"{where} has no {self.text_field!r} field (its fields: {fields}); pass --text-field")
        doc_id, text = row[self.id_field], row[self.text_field]
        if isinstance(doc_id, bool) or not isinstance(doc_id, (str, int)) or not str(doc_id).strip():
            raise InputError(f"{where}: the id must be a non-empty string or an integer, not {doc_id!r}")
        if text is None:
            text = ""
        if not isinstance(text, str):
            raise InputError(f"{where}: the text must be a string, not {type(text).__name__}")
        lang = None
        if self.lang_field is not None and row.get(self.lang_field) not in (None, ""):
            value = row[self.lang_field]
            if not isinstance(value, str):
                raise InputError(f"{where}: the language must be a code such as 'en', not {value!r}")
            try:
                lang = normalize_lang(value)
            except Exception as exc:  # an UnknownLanguageError with suggestions
                raise InputError(f"{where}: {exc}") from None
        return Document(str(doc_id), text, lang)
