"""The on-disk translation cache: SQLite, safe with several runs at once.

A translation is keyed by everything that could change it: the hop signature (backend, model id and
revision, decoding settings, language pair), the backend's ``output_version`` and the segment text.
An identical second run translates nothing.

``output_version`` (a class attribute of every backend, 1 unless raised) is the version of the
backend's own handling of the engine's output. A fix there (Apertium's superblanks "[']" unwrapped,
for instance) changes translations although the engine and its settings did not, so the backend
raises the number and rows stored under the old one are never served again: they are misses,
translated anew. Version 1 adds nothing to the key, so raising one backend's number leaves the
others' rows valid. It is in the key only, not in the hop signature users see.

The file carries mtcompare's SQLite ``application_id``; a database that is not an mtcompare cache is
refused untouched. Opening survives other processes opening the same fresh file at that moment
(busy timeout set before the first statement, the schema created in an immediate transaction, and
retries while SQLite reports the file busy). A cache that cannot be written is used read-only: what
it holds is reused, nothing new is stored, and a :class:`CacheWarning` says so once. A row that
cannot be read is a miss (translated again and overwritten), with one warning.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import quote

from .errors import CacheError, CacheWarning
from .results import HopSignature, Translation

#: ``PRAGMA application_id`` of an mtcompare cache: the bytes "mtcp".
APPLICATION_ID = 0x6D746370

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
_COLUMNS = ("key", "signature", "source", "target", "unknown", "alignment")
#: Columns of a cache written before word alignments were stored (no application id either).
_OLD_COLUMNS = _COLUMNS[:-1]

#: How long to keep retrying while another process holds the file busy, in seconds.
BUSY_SECONDS = 60.0

T = TypeVar("T")


def default_cache_dir() -> Path:
    """The user cache directory, e.g. ``~/.cache/mtcompare`` on Linux."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("mtcompare"))


def _is_busy(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return "locked" in str(exc) or "busy" in str(exc)


def _is_read_only(exc: sqlite3.Error) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF == sqlite3.SQLITE_READONLY
    return "readonly" in str(exc) or "read-only" in str(exc)


def output_version_of(signature: HopSignature) -> int:
    """The ``output_version`` of the backend a signature names: 1 for a backend not registered in this process."""
    from .backends import base

    name = signature.backend
    entry = base._REGISTRY.get(name)
    if entry is not None and not isinstance(entry, type) and name in _BUILTIN_BACKENDS:
        entry = base.get_backend_class(name)  # a built-in backend; its module is light to import
    return int(getattr(entry, "output_version", 1)) if isinstance(entry, type) else 1


_BUILTIN_BACKENDS = frozenset({"apertium", "hf", "file", "command"})


class TranslationCache:
    """A SQLite table of translations; open it on a directory or on a database file.

    ``read_only=True`` reuses what the cache holds and stores nothing; a cache whose file or
    directory cannot be written is opened that way on its own (with a :class:`CacheWarning`).
    Raises :class:`CacheError` when the file is not an SQLite database, is another program's
    database, or cannot be opened at all.
    """

    FILENAME = "translations.sqlite"

    def __init__(self, path: str | Path | None = None, *, read_only: bool = False) -> None:
        path = Path(path) if path is not None else default_cache_dir()
        is_file = path.is_file() or (path.suffix in {".sqlite", ".db"} and not path.is_dir())
        self.path = path if is_file else path / self.FILENAME
        self.read_only = bool(read_only)
        self.hits = 0
        self.misses = 0
        self._db: sqlite3.Connection | None = None
        self._has_alignment = True
        self._warned: set[str] = set()
        try:
            if not self.read_only and not self._writable():
                self._go_read_only("it is not writable" if self.path.exists() else "it cannot be created here")
            if self.read_only:
                self._open_read_only()
            else:
                self._open_writable()
        except sqlite3.Error as exc:
            self.close()
            raise CacheError(f"cannot open the translation cache at {self.path}: {self._reason(exc)}") from None
        except OSError as exc:
            self.close()
            raise CacheError(
                f"cannot open the translation cache at {self.path}: {exc.strerror or exc}; "
                "pass --cache-dir DIR or --no-cache"
            ) from None
        except CacheError:
            self.close()
            raise

    # --- opening -----------------------------------------------------------------------------------

    def _writable(self) -> bool:
        """Whether the cache file (or, for a new cache, its directory) may be written by this process."""
        parent = self.path.parent
        if not parent.exists():
            try:
                parent.mkdir(parents=True, exist_ok=True)
            except OSError:
                return False
        if not parent.is_dir():
            raise CacheError(
                f"cannot open the translation cache at {self.path}: {parent} is not a directory; "
                "pass --cache-dir DIR or --no-cache"
            )
        # SQLite writes its -wal and -shm files next to the database, so the directory must be writable too.
        if not os.access(parent, os.W_OK | os.X_OK):
            return False
        return not self.path.exists() or os.access(self.path, os.W_OK)

    def _open_writable(self) -> None:
        # ``timeout`` sets SQLite's busy timeout when connecting, before any statement runs.
        self._db = sqlite3.connect(self.path, timeout=BUSY_SECONDS, isolation_level=None, check_same_thread=False)
        self._db.execute(f"PRAGMA busy_timeout={int(BUSY_SECONDS * 1000)}")
        try:
            self._retry(self._check_or_create_schema)
            if self._retry(lambda: self._query_one("PRAGMA journal_mode")) != "wal":
                self._retry(lambda: self._query_one("PRAGMA journal_mode=WAL"))
        except sqlite3.Error as exc:
            if not _is_read_only(exc):
                raise
            # The file cannot be written after all (a read-only file system, even for root).
            self._db.close()
            self._db = None
            self._go_read_only("it is on a read-only file system")
            self._open_read_only()

    def _open_read_only(self) -> None:
        if not self.path.exists():
            return  # nothing cached: every lookup is a miss
        uri = f"file:{quote(str(self.path.resolve()))}"
        try:
            self._db = sqlite3.connect(f"{uri}?mode=ro", uri=True, timeout=BUSY_SECONDS, check_same_thread=False)
            self._retry(self._check_schema)
        except sqlite3.Error as exc:
            if _is_busy(exc) or getattr(exc, "sqlite_errorcode", 0) & 0xFF == sqlite3.SQLITE_NOTADB:
                raise
            # A WAL database in a directory we may not write: SQLite cannot make its -shm file, so
            # read the file as it stands (nobody can be writing to it from here).
            if self._db is not None:
                self._db.close()
            self._db = sqlite3.connect(f"{uri}?immutable=1", uri=True, check_same_thread=False)
            self._check_schema()

    def _query_one(self, sql: str) -> Any:
        assert self._db is not None
        row = self._db.execute(sql).fetchone()
        return row[0] if row else None

    def _objects(self) -> list[tuple[str, str]]:
        assert self._db is not None
        rows = self._db.execute("SELECT type, name FROM sqlite_master WHERE name NOT LIKE 'sqlite_autoindex_%'")
        return sorted((str(kind), str(name)) for kind, name in rows)

    def _columns(self) -> tuple[str, ...]:
        assert self._db is not None
        return tuple(str(row[1]) for row in self._db.execute("PRAGMA table_info(translations)"))

    def _check_schema(self) -> bool:
        """Check that the file is an mtcompare cache; return whether it needs creating or upgrading."""
        app_id = int(self._query_one("PRAGMA application_id") or 0)
        objects = self._objects()
        columns = self._columns() if ("table", "translations") in objects else ()
        if app_id == APPLICATION_ID and objects == [("table", "translations")] and columns in (_COLUMNS, _OLD_COLUMNS):
            self._has_alignment = columns == _COLUMNS
            return columns != _COLUMNS
        if app_id == 0 and not objects:
            if self.read_only:
                self._has_alignment = False
                return False  # an empty database: nothing to reuse
            return True
        if app_id == 0 and objects == [("table", "translations")] and columns in (_COLUMNS, _OLD_COLUMNS):
            self._has_alignment = columns == _COLUMNS
            return True  # made by an older mtcompare, before the application id
        names = ", ".join(name for _, name in objects) or "none"
        raise CacheError(
            f"{self.path} is not an mtcompare translation cache (application id {app_id:#x}, "
            f"tables: {names[:200]}); it was left untouched — pass --cache-dir a directory of its own, or --no-cache"
        )

    def _check_or_create_schema(self) -> None:
        assert self._db is not None
        self._db.execute("BEGIN IMMEDIATE")
        try:
            if self._check_schema():
                self._db.execute(_SCHEMA)
                if "alignment" not in self._columns():  # a cache written before word alignments were stored
                    self._db.execute("ALTER TABLE translations ADD COLUMN alignment TEXT NOT NULL DEFAULT '[]'")
                self._db.execute(f"PRAGMA application_id={APPLICATION_ID}")
                self._has_alignment = True
            self._db.execute("COMMIT")
        except BaseException:
            if self._db.in_transaction:
                self._db.execute("ROLLBACK")
            raise

    def _retry(self, action: Callable[[], T]) -> T:
        """Run ``action``, again while SQLite says the file is busy (another opener is at work)."""
        deadline = time.monotonic() + BUSY_SECONDS
        delay = 0.002
        while True:
            try:
                return action()
            except sqlite3.OperationalError as exc:
                if not _is_busy(exc) or time.monotonic() > deadline:
                    raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)

    def _go_read_only(self, why: str) -> None:
        self.read_only = True
        self._warn_once(
            "read-only",
            f"the translation cache at {self.path} is used read-only ({why}): cached translations are reused, "
            "new ones are not stored; pass --cache-dir DIR to store them, or --no-cache",
        )

    def _warn_once(self, kind: str, message: str) -> None:
        if kind not in self._warned:
            self._warned.add(kind)
            warnings.warn(message, CacheWarning, stacklevel=4)

    def _reason(self, exc: sqlite3.Error) -> str:
        code = getattr(exc, "sqlite_errorcode", 0) & 0xFF
        if code == sqlite3.SQLITE_NOTADB:
            return "the file is not an SQLite database; pass --cache-dir a directory of its own, or --no-cache"
        if code == sqlite3.SQLITE_CORRUPT:
            return "the database is damaged; delete the file or pass --no-cache"
        return f"{exc}; pass --cache-dir DIR or --no-cache"

    # --- reading and writing -----------------------------------------------------------------------

    @staticmethod
    def _signature_key(signature: HopSignature) -> str:
        return json.dumps(signature.to_dict(), sort_keys=True, ensure_ascii=False)

    @staticmethod
    def _key(signature_key: str, text: str, output_version: int = 1) -> str:
        if output_version != 1:
            signature_key = f"{signature_key}\x00output_version={output_version}"
        return hashlib.sha256(f"{signature_key}\x00{text}".encode()).hexdigest()

    def get_many(
        self, signature: HopSignature, texts: Sequence[str], output_version: int | None = None
    ) -> list[Translation | None]:
        """The cached translation of each text, or ``None``; an unreadable row counts as ``None``.

        ``output_version`` is the backend's (:attr:`Backend.output_version`); by default that of the
        backend registered under the signature's name.
        """
        sig = self._signature_key(signature)
        version = output_version_of(signature) if output_version is None else output_version
        keys = [self._key(sig, t, version) for t in texts]
        found: dict[str, Translation] = {}
        if self._db is not None:
            alignment = "alignment" if self._has_alignment else "'[]'"
            try:
                for start in range(0, len(keys), 500):
                    chunk = keys[start : start + 500]
                    marks = ",".join("?" * len(chunk))
                    rows = self._db.execute(
                        f"SELECT key, target, unknown, {alignment} FROM translations WHERE key IN ({marks})", chunk
                    ).fetchall()
                    for key, target, unknown, links in rows:
                        translation = self._decode(target, unknown, links)
                        if translation is None:
                            self._warn_once(
                                "corrupt",
                                f"the translation cache at {self.path} holds unreadable rows; "
                                "they are translated again and overwritten",
                            )
                        else:
                            found[key] = translation
            except sqlite3.Error as exc:
                raise CacheError(f"cannot read the translation cache at {self.path}: {self._reason(exc)}") from None
        out = [found.get(k) for k in keys]
        hits = sum(o is not None for o in out)
        self.hits += hits
        self.misses += len(out) - hits
        return out

    @staticmethod
    def _decode(target: object, unknown: object, links: object) -> Translation | None:
        """A row's translation, or ``None`` when a column does not hold what this version writes."""
        if not isinstance(target, str) or not isinstance(unknown, str) or not isinstance(links, str):
            return None
        try:
            words = json.loads(unknown)
            pairs = json.loads(links)
        except (ValueError, RecursionError):
            return None
        if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
            return None
        if not isinstance(pairs, list) or not all(
            isinstance(link, list) and len(link) == 4 and all(type(n) is int and n >= 0 for n in link) for link in pairs
        ):
            return None
        return Translation(target, tuple(words), tuple(tuple(link) for link in pairs))  # type: ignore[misc]

    def put_many(
        self,
        signature: HopSignature,
        texts: Sequence[str],
        translations: Sequence[Translation],
        output_version: int | None = None,
    ) -> None:
        """Store translations in one transaction: after it returns they survive any kill of this process.

        A read-only cache stores nothing. ``output_version`` as for :meth:`get_many`.
        """
        if self.read_only or self._db is None:
            return
        sig = self._signature_key(signature)
        version = output_version_of(signature) if output_version is None else output_version
        rows = [
            (
                self._key(sig, src, version),
                sig,
                src,
                tr.text,
                json.dumps(list(tr.unknown), ensure_ascii=False),
                json.dumps([list(link) for link in tr.alignment]),
            )
            for src, tr in zip(texts, translations)
        ]
        db = self._db

        def write() -> None:
            db.execute("BEGIN IMMEDIATE")
            try:
                db.executemany("INSERT OR REPLACE INTO translations VALUES (?, ?, ?, ?, ?, ?)", rows)
                db.execute("COMMIT")
            except BaseException:
                if db.in_transaction:
                    db.execute("ROLLBACK")
                raise

        try:
            self._retry(write)
        except sqlite3.Error as exc:
            if _is_read_only(exc):
                self._go_read_only("it is on a read-only file system")
                return
            raise CacheError(f"cannot write the translation cache at {self.path}: {self._reason(exc)}") from None

    def __len__(self) -> int:
        if self._db is None:
            return 0
        return int(self._db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])

    def close(self) -> None:
        if self._db is not None:
            self._db.close()
            self._db = None

    def __enter__(self) -> TranslationCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
