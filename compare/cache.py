"""The on-disk translation cache: SQLite, safe with several runs at once.

A translation is keyed by everything that could change it: the hop signature (backend, model id and
revision, decoding settings, language pair) and the segment text. An identical second run
translates nothing.
"""

from __future__ import annotations

import hashlib
import json
import sqlite3
from collections.abc import Sequence
from pathlib import Path

from .errors import CacheError
from .results import HopSignature, Translation

_SCHEMA = """
CREATE TABLE IF NOT EXISTS translations (
    key TEXT PRIMARY KEY,
    signature TEXT NOT NULL,
    source TEXT NOT NULL,
    target TEXT NOT NULL,
    unknown TEXT NOT NULL,
    alignment TEXT NOT NULL DEFAULT '[]'
)
"""


def default_cache_dir() -> Path:
    """The user cache directory, e.g. ``~/.cache/mtcompare`` on Linux."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mtcompare"))


class TranslationCache:
    """A SQLite table of translations; open it on a directory or a ``.sqlite`` file path."""

    FILENAME = "translations.sqlite"

    def __init__(self, path: str | Path | None = None) -> None:
        path = Path(path) if path is not None else default_cache_dir()
        self.path = path if path.suffix in {".sqlite", ".db"} else path / self.FILENAME
        self.hits = 0
        self.misses = 0
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA busy_timeout=30000")
            self._db.execute(_SCHEMA)
            columns = {row[1] for row in self._db.execute("PRAGMA table_info(translations)")}
            if "alignment" not in columns:  # a cache written before word alignments were stored
                self._db.execute("ALTER TABLE translations ADD COLUMN alignment TEXT NOT NULL DEFAULT '[]'")
        except (OSError, sqlite3.Error) as exc:
            raise CacheError(
                f"cannot open the translation cache at {self.path}: {exc}; pass --cache-dir DIR or --no-cache"
            ) from None

    @staticmethod
    def _signature_key(signature: HopSignature) -> str:
        return json.dumps(signature.to_dict(), sort_keys=True, ensure_ascii=False)

    @staticmethod
    def _key(signature_key: str, text: str) -> str:
        return hashlib.sha256(f"{signature_key}\x00{text}".encode()).hexdigest()

    def get_many(self, signature: HopSignature, texts: Sequence[str]) -> list[Translation | None]:
        sig = self._signature_key(signature)
        keys = [self._key(sig, t) for t in texts]
        found: dict[str, Translation] = {}
        try:
            for start in range(0, len(keys), 500):
                chunk = keys[start : start + 500]
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT key, target, unknown, alignment FROM translations WHERE key IN ({marks})", chunk
                )
                for key, target, unknown, alignment in rows:
                    links = tuple(tuple(link) for link in json.loads(alignment))
                    found[key] = Translation(target, tuple(json.loads(unknown)), links)  # type: ignore[arg-type]
        except sqlite3.Error as exc:
            raise CacheError(f"cannot read the translation cache at {self.path}: {exc}") from None
        out = [found.get(k) for k in keys]
        hits = sum(o is not None for o in out)
        self.hits += hits
        self.misses += len(out) - hits
        return out

    def put_many(self, signature: HopSignature, texts: Sequence[str], translations: Sequence[Translation]) -> None:
        sig = self._signature_key(signature)
        rows = [
            (
                self._key(sig, src),
                sig,
                src,
                tr.text,
                json.dumps(list(tr.unknown), ensure_ascii=False),
                json.dumps([list(link) for link in tr.alignment]),
            )
            for src, tr in zip(texts, translations)
        ]
        try:
            with self._db:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?)", rows)
        except sqlite3.Error as exc:
            raise CacheError(f"cannot write the translation cache at {self.path}: {exc}") from None

    def __len__(self) -> int:
        return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
