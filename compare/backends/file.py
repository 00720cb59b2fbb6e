"""Precomputed translations (a commercial system, an LLM, a human translator) read from a file.

``file:PATH`` with PATH a ``.tsv`` or ``.jsonl`` file, keyed by the source segment:

* TSV, two columns ``source<TAB>translation`` (any language pair), or four columns
  ``source_lang<TAB>target_lang<TAB>source<TAB>translation``. Lines starting with ``#`` are comments.
* JSONL, one object a line: ``{"source": ..., "translation": ...}`` with optional ``"source_lang"`` and
  ``"target_lang"``.

Whitespace inside keys is normalised, so a segment matches however it was wrapped. Lines end at
``\n`` only (a ``\r`` before it is dropped). The same source given twice for one language pair
must have the same translation; a second, different one is refused with both line numbers.
"""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from pathlib import Path

from ..errors import TranslationFileError, UnknownLanguageError
from ..languages import normalize_lang
from ..results import HopSignature, Translation
from .base import Backend

ANY = "*"


def _key(text: str) -> str:
    return " ".join(text.split())


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


class FileBackend(Backend):
    """Look translations up in a TSV or JSONL file instead of computing them."""

    name = "file"
    pairs_note = "the pairs in the file (file:PATH.tsv or .jsonl)"

    def __init__(self, arg: str | None = None, **options: object) -> None:
        super().__init__(arg, **options)
        if not arg:
            raise TranslationFileError("the file backend needs a path: --backend file:translations.tsv")
        self.path = Path(arg)
        if self.path.is_dir():
            raise TranslationFileError(f"{arg} is a directory; expected a .tsv or .jsonl file of translations")
        if not self.path.exists():
            raise TranslationFileError(f"translation file not found: {arg}")
        if not self.path.is_file():
            raise TranslationFileError(f"{arg} is not a regular file; expected a .tsv or .jsonl file of translations")
        if self.path.suffix not in {".tsv", ".jsonl"}:
            raise TranslationFileError(f"{arg}: unknown translation file type; expected .tsv or .jsonl")

    @cached_property
    def _data(self) -> bytes:
        try:
            return self.path.read_bytes()
        except OSError as exc:
            raise TranslationFileError(f"cannot read {self.path}: {exc.strerror}") from None

    @cached_property
    def table(self) -> dict[tuple[str, str], dict[str, str]]:
        """{(source_lang or '*', target_lang or '*'): {source: translation}}."""
        try:
            text = self._data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise TranslationFileError(f"{self.path} is not UTF-8: byte offset {exc.start}") from None
        table: dict[tuple[str, str], dict[str, str]] = {}
        first_line: dict[tuple[tuple[str, str], str], int] = {}
        reader = self._read_jsonl if self.path.suffix == ".jsonl" else self._read_tsv
        for lineno, line in enumerate(text.split("\n"), 1):
            line = line.removesuffix("\r")
            if not line.strip() or line.startswith("#"):
                continue
            src_lang, tgt_lang, source, target = reader(line, lineno)
            pair = (self._lang(src_lang, lineno), self._lang(tgt_lang, lineno))
            key, translation = _key(source), target.strip()
            known = table.setdefault(pair, {})
            if key in known and known[key] != translation:
                short = key if len(key) <= 60 else key[:57] + "..."
                raise TranslationFileError(
                    f"{self.path}:{lineno}: the segment {short!r} is translated {_short(translation)} here and "
                    f"{_short(known[key])} on line {first_line[(pair, key)]}; keep one translation per segment "
                    "and language pair"
                )
            known[key] = translation
            first_line.setdefault((pair, key), lineno)
        if not table:
            raise TranslationFileError(f"{self.path} holds no translations")
        return table

    def _read_tsv(self, line: str, lineno: int) -> tuple[str, str, str, str]:
        cols = line.split("\t")
        if len(cols) == 2:
            return ANY, ANY, cols[0], cols[1]
        if len(cols) == 4:
            return cols[0], cols[1], cols[2], cols[3]
        raise TranslationFileError(
            f"{self.path}:{lineno}: {len(cols)} tab-separated columns; expected 2 (source, translation) "
            "or 4 (source_lang, target_lang, source, translation)"
        )

    def _read_jsonl(self, line: str, lineno: int) -> tuple[str, str, str, str]:
        try:
            row = json.loads(line)
        except json.JSONDecodeError as exc:
            raise TranslationFileError(f"{self.path}:{lineno}: not JSON ({exc.msg})") from None
        if (
            not isinstance(row, dict)
            or not isinstance(row.get("source"), str)
            or not isinstance(row.get("translation"), str)
        ):
            raise TranslationFileError(
                f"{self.path}:{lineno}: expected an object with string fields 'source' and 'translation'"
            )
        langs = []
        for field in ("source_lang", "target_lang"):
            value = row.get(field)
            if value is not None and (not isinstance(value, str) or not value.strip()):
                raise TranslationFileError(
                    f"{self.path}:{lineno}: {field!r} must be a language code such as 'en', got {_short(value)}"
                )
            langs.append(value or ANY)
        return langs[0], langs[1], row["source"], row["translation"]

    def _lang(self, code: str, lineno: int) -> str:
        if code == ANY:
            return ANY
        try:
            return normalize_lang(code)
        except UnknownLanguageError as exc:
            raise TranslationFileError(f"{self.path}:{lineno}: {exc}") from None

    def pairs(self) -> set[tuple[str, str]]:
        if any(ANY in pair for pair in self.table):
            return set()
        return set(self.table)

    def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
        return HopSignature(
            backend="file",
            source_lang=source_lang,
            target_lang=target_lang,
            model=self.path.name,
            revision=hashlib.sha256(self._data).hexdigest()[:12],
        )

    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        lookups = [
            self.table.get((source_lang, target_lang), {}),
            self.table.get((source_lang, ANY), {}),
            self.table.get((ANY, target_lang), {}),
            self.table.get((ANY, ANY), {}),
        ]
        out = []
        for text in texts:
            key = _key(text)
            found = next((table[key] for table in lookups if key in table), None)
            if found is None:
                short = key if len(key) <= 60 else key[:57] + "..."
                raise TranslationFileError(
                    f"{self.path} has no {source_lang}→{target_lang} translation of the segment {short!r}"
                )
            out.append(Translation(found))
        return out
