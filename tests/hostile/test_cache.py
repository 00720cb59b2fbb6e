"""Hostile cases for the translation cache (issue 7, defects 20–24).

A run killed with SIGKILL loses at most one chunk; a corrupt row is a miss; a cache that cannot be
written is used read-only; another program's database is refused untouched; many processes may
open a fresh cache at once. Everything runs for real: SQLite, Apertium, the CLI in a subprocess,
a translation program that is a real script.
"""

from __future__ import annotations

import ctypes
import hashlib
import json
import multiprocessing
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

import compare
from compare.cache import APPLICATION_ID, TranslationCache
from compare.errors import CacheError, CacheWarning
from compare.results import HopSignature, Translation
from compare.roundtrip import FIRST_CHUNK

from ..conftest import ROOT, run_cli

SIG = HopSignature("file", "en", "es", "f")
#: A failsafe only: how long a test waits for a subprocess before it fails instead of hanging.
PATIENCE = 300.0


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def rows(path: Path) -> int:
    """Committed rows of a cache file, read the way another process would see them."""
    if not path.exists():
        return 0
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
    try:
        return int(db.execute("SELECT COUNT(*) FROM translations").fetchone()[0])
    except sqlite3.OperationalError:  # the schema is not committed yet
        return 0
    finally:
        db.close()


def cli(*args: str, env: dict[str, str] | None = None, **kw: object) -> subprocess.Popen[bytes]:
    """``python -m compare ARGS`` in its own process group, so that a kill reaches its children too."""
    return subprocess.Popen(
        [sys.executable, "-m", "compare", *args],
        cwd=ROOT,
        env={**{k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES")}, **(env or {})},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        **kw,  # type: ignore[arg-type]
    )


def kill_when(proc: subprocess.Popen[bytes], ready: Callable[[], bool]) -> None:
    """SIGKILL ``proc``'s process group as soon as ``ready()`` holds; fail if it exits before."""
    deadline = time.monotonic() + PATIENCE
    while not ready():
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the run ended (exit {proc.returncode}) before it could be killed: {err.decode()[-500:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("the run committed nothing to the cache")
        time.sleep(0.02)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert proc.returncode == -signal.SIGKILL


def finish(proc: subprocess.Popen[bytes]) -> tuple[bytes, str]:
    out, err = proc.communicate(timeout=PATIENCE)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert "Traceback" not in err.decode()
    return out, err.decode()


# --- defect 20: a killed run loses at most the last chunk ---------------------------------------

GATED_MT = """\
import os, sys, time
# A deterministic "translation" program. While the file named by $GATE exists, only its first run
# translates; later runs wait until the run that started them is killed.
tgt = sys.argv[1]
lines = sys.stdin.read().split("\\n")[:-1]
gate = os.environ.get("GATE", "")
if gate and os.path.exists(gate):
    if os.path.exists(gate + ".used"):
        parent = os.getppid()
        while os.getppid() == parent:
            time.sleep(0.05)
        sys.exit(1)
    open(gate + ".used", "w").close()
with open(os.environ["CALLS"], "a") as log:
    log.write(f"{tgt} {len(lines)}\\n")
for line in lines:
    print(f"[{tgt}] " + " ".join(reversed(line.split())))
"""


def sentences(n: int) -> str:
    return "\n".join(f"Report {i} says the government moved {i % 7 + 2} terrorists near the border." for i in range(n))


def test_kill_9_mid_hop_loses_at_most_the_chunk_in_flight(tmp_path: Path) -> None:
    program = tmp_path / "gated_mt.py"
    program.write_text(GATED_MT, encoding="utf-8")
    text = tmp_path / "in.txt"
    text.write_text(sentences(200) + "\n", encoding="utf-8")
    cache = tmp_path / "cache"
    gate, calls = tmp_path / "gate", tmp_path / "calls.log"
    gate.touch()
    args = ["roundtrip", str(text), "--via", "es", "-b", f"command:{sys.executable} {program} {{tgt}}",
            "--no-terms", "--format", "json"]  # fmt: skip
    env = {"GATE": str(gate), "CALLS": str(calls)}

    # The first chunk is stored; the second never returns, and the run is killed while it waits.
    kill_when(cli(*args, "--cache-dir", str(cache), env=env), lambda: rows(cache / "translations.sqlite") > 0)
    assert rows(cache / "translations.sqlite") == FIRST_CHUNK
    assert calls.read_text().split() == ["es", str(FIRST_CHUNK)]

    # The rerun translates only what was not stored, and gives what an uninterrupted run gives.
    gate.unlink()
    calls.unlink()
    resumed, _ = finish(cli(*args, "--cache-dir", str(cache), env=env))
    sent: dict[str, int] = {}
    for line in calls.read_text().splitlines():
        lang, count = line.split()
        sent[lang] = sent.get(lang, 0) + int(count)
    assert sent == {"es": 200 - FIRST_CHUNK, "en": 200}
    fresh, _ = finish(cli(*args, "--cache-dir", str(tmp_path / "fresh"), env=env))
    assert resumed == fresh
    assert len(json.loads(fresh)["segments"]) == 200


@pytest.mark.slow
def test_kill_9_during_apertium_then_rerun_is_byte_identical(apertium: str, tmp_path: Path) -> None:
    text = tmp_path / "in.txt"
    text.write_text(sentences(2500) + "\n", encoding="utf-8")
    cache = tmp_path / "cache" / "translations.sqlite"
    args = ["roundtrip", str(text), "--via", "es", "--no-terms", "--format", "json"]

    kill_when(cli(*args, "--cache-dir", str(cache.parent)), lambda: rows(cache) > 0)
    stored = rows(cache)
    assert FIRST_CHUNK <= stored < 5000  # killed with work still to do: 2500 segments there, 2500 back

    resumed, _ = finish(cli(*args, "--cache-dir", str(cache.parent)))
    assert rows(cache) == 5000
    fresh, _ = finish(cli(*args, "--no-cache"))
    assert resumed == fresh


def test_chunks_reach_the_backend_in_few_large_batches(apertium: str, tmp_path: Path) -> None:
    from compare.backends import load_backend
    from compare.roundtrip import MAX_CHUNK, translate_hop

    backend = load_backend("apertium")
    batches: list[int] = []
    original = backend._translate_batch
    backend._translate_batch = lambda texts, s, t: batches.append(len(texts)) or original(texts, s, t)  # type: ignore
    texts = [f"Sentence {i} is here." for i in range(100)] * 2  # each text translated once
    with TranslationCache(tmp_path) as cache:
        out = translate_hop(backend, texts, "en", "es", cache)
        assert batches[0] == FIRST_CHUNK and sum(batches) == 100 and max(batches) <= MAX_CHUNK
        assert len(cache) == 100
        assert out == backend.translate(texts, "en", "es")  # the same as one batch without a cache


# --- defect 21: a corrupt row is a miss, with one warning ----------------------------------------


def corrupt(path: Path, sql: str) -> None:
    db = sqlite3.connect(path)
    db.execute(sql)
    db.commit()
    db.close()


@pytest.mark.parametrize(
    "damage",
    [
        "UPDATE translations SET unknown = '[\"x\"'",  # cut-off JSON
        "UPDATE translations SET alignment = '{\"a\": 1}'",  # JSON of the wrong shape
        "UPDATE translations SET alignment = '[[0, 1, 2]]'",  # a link of three numbers
        "UPDATE translations SET unknown = '[1, 2]'",  # numbers where words belong
        "UPDATE translations SET target = X'00ff'",  # bytes where text belongs
        "UPDATE translations SET unknown = 7",
    ],
)
def test_corrupt_rows_are_misses_with_one_warning(tmp_path: Path, damage: str) -> None:
    with TranslationCache(tmp_path) as cache:
        cache.put_many(SIG, ["a", "b", "c"], [Translation("A"), Translation("B"), Translation("C")])
    corrupt(tmp_path / TranslationCache.FILENAME, damage)
    with TranslationCache(tmp_path) as cache:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            assert cache.get_many(SIG, ["a", "b", "c"]) == [None, None, None]
            assert cache.get_many(SIG, ["a"]) == [None]
        assert [w.category for w in caught] == [CacheWarning]
        assert "unreadable rows" in str(caught[0].message)
        cache.put_many(SIG, ["a"], [Translation("A2")])  # a new translation replaces the bad row
        assert cache.get_many(SIG, ["a"]) == [Translation("A2")]


def test_corrupt_row_in_a_real_run_is_translated_again(apertium: str, article_text: str, tmp_path: Path) -> None:
    clean = compare.roundtrip(article_text, via=["es"], cache=tmp_path / "cache", analyse_terms=False)
    corrupt(tmp_path / "cache" / TranslationCache.FILENAME, "UPDATE translations SET alignment = 'not json'")
    with pytest.warns(CacheWarning, match="unreadable rows") as caught:
        again = compare.roundtrip(article_text, via=["es"], cache=tmp_path / "cache", analyse_terms=False)
    assert again == clean
    assert len([w for w in caught if w.category is CacheWarning]) == 1
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # the rows were rewritten: no warning any more
        assert compare.roundtrip(article_text, via=["es"], cache=tmp_path / "cache", analyse_terms=False) == clean


def test_cli_with_a_corrupt_cache_gives_the_clean_output(apertium: str, article_path: Path, tmp_path: Path) -> None:
    args = ["roundtrip", str(article_path), "--via", "es", "--format", "json", "--cache-dir", str(tmp_path)]
    clean = run_cli(*args)
    assert clean.returncode == 0, clean.stderr
    corrupt(tmp_path / TranslationCache.FILENAME, "UPDATE translations SET unknown = '[' WHERE rowid % 2 = 0")
    again = run_cli(*args)
    assert again.returncode == 0 and "Traceback" not in again.stderr
    assert again.stdout == clean.stdout
    assert again.stderr.count("unreadable rows") == 1


# --- defect 22: a cache that cannot be written is used read-only ---------------------------------


def test_read_only_flag_reuses_and_stores_nothing(apertium: str, article_text: str, tmp_path: Path) -> None:
    full = compare.roundtrip(article_text, via=["es"], cache=tmp_path, analyse_terms=False)
    before = digest(tmp_path / TranslationCache.FILENAME)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # asked for read-only: nothing to warn about
        with TranslationCache(tmp_path, read_only=True) as cache:
            assert compare.roundtrip(article_text, via=["es"], cache=cache, analyse_terms=False) == full
            assert cache.misses == 0
            more = compare.roundtrip(
                [*article_text.split("\n\n"), "A sentence the cache has never seen."],
                via=["es"], cache=cache, analyse_terms=False,
            )  # fmt: skip
            assert more.paths[0].back.segments[-1]  # translated though not stored
            assert cache.get_many(more.paths[0].hops[0].signature, ["A sentence the cache has never seen."]) == [None]
    assert digest(tmp_path / TranslationCache.FILENAME) == before


def _without_file_override() -> None:
    """In the child: drop the capabilities that let root write read-only files (DAC override, owner)."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2, 3):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def run_unprivileged(*args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess[str]:
    """The CLI as a process that file permissions apply to (root loses its override capabilities)."""
    if os.geteuid() == 0:
        probe = subprocess.run(["true"], preexec_fn=_without_file_override, capture_output=True, check=False)
        if probe.returncode != 0:
            pytest.skip("root without CAP_SETPCAP cannot give up its file override; the read_only flag test covers it")
    proc = subprocess.run(
        [sys.executable, "-m", "compare", *args],
        cwd=ROOT,
        input=stdin,
        capture_output=True,
        timeout=PATIENCE,
        check=False,
        preexec_fn=_without_file_override if os.geteuid() == 0 else None,
    )
    return subprocess.CompletedProcess(proc.args, proc.returncode, proc.stdout.decode(), proc.stderr.decode())


@pytest.fixture()
def locked_dir() -> Iterator[Path]:
    """A directory that is made read-only by the test and made writable again afterwards for clean-up."""
    path = Path(tempfile.mkdtemp(prefix="mtcompare-ro-"))
    try:
        yield path
    finally:
        for p in [path, *path.rglob("*")]:
            p.chmod(0o755 if p.is_dir() else 0o644)
        for p in sorted(path.rglob("*"), reverse=True):
            p.rmdir() if p.is_dir() else p.unlink()
        path.rmdir()


def test_read_only_cache_directory_and_file(apertium: str, article_path: Path, locked_dir: Path) -> None:
    args = ["roundtrip", str(article_path), "--via", "es", "--format", "json"]
    cache = locked_dir / "cache"
    full = run_cli(*args, "--cache-dir", str(cache))
    assert full.returncode == 0, full.stderr
    db = cache / TranslationCache.FILENAME
    (cache / TranslationCache.FILENAME).chmod(0o444)
    cache.chmod(0o555)
    before = digest(db)

    again = run_unprivileged(*args, "--cache-dir", str(cache))
    assert again.returncode == 0 and "Traceback" not in again.stderr, again.stderr
    assert again.stdout == full.stdout
    assert again.stderr.count("read-only") == 1

    extra = locked_dir / "extra.txt"
    extra.write_text(article_path.read_text(encoding="utf-8") + "\nA sentence the cache has never seen.\n")
    more = run_unprivileged("roundtrip", str(extra), "--via", "es", "--format", "json", "--cache-dir", str(cache))
    assert more.returncode == 0 and "Traceback" not in more.stderr, more.stderr
    assert more.stderr.count("read-only") == 1
    uncached = run_cli("roundtrip", str(extra), "--via", "es", "--format", "json", "--no-cache")
    assert more.stdout == uncached.stdout
    assert digest(db) == before and sorted(p.name for p in cache.iterdir()) == [TranslationCache.FILENAME]


def test_unwritable_place_for_a_new_cache_runs_uncached(apertium: str, locked_dir: Path) -> None:
    locked_dir.chmod(0o555)
    result = run_unprivileged("translate", "-", "--to", "es", "--cache-dir", str(locked_dir / "c"), stdin=b"Hello.\n")
    assert result.returncode == 0 and "Traceback" not in result.stderr, result.stderr
    assert result.stdout.strip() == "Hola."
    assert result.stderr.count("cannot be created here") == 1
    assert list(locked_dir.iterdir()) == []


# --- defect 23: another program's database is refused untouched ----------------------------------


def foreign_db(path: Path) -> None:
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE users (id INTEGER PRIMARY KEY, name TEXT)")
    db.execute("INSERT INTO users (name) VALUES ('alice'), ('bob')")
    db.commit()
    db.close()


@pytest.mark.parametrize("name", ["app.sqlite", "app.db", "places.sqlite3", "data"])
def test_another_programs_database_is_refused_untouched(tmp_path: Path, name: str) -> None:
    path = tmp_path / name
    foreign_db(path)
    before = digest(path)
    with pytest.raises(CacheError, match=r"not an mtcompare translation cache .*tables: users"):
        TranslationCache(path)
    assert digest(path) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no -wal or -shm file: never switched to WAL


def test_cli_refuses_another_programs_database(tmp_path: Path) -> None:
    path = tmp_path / "places.sqlite"
    foreign_db(path)
    before = digest(path)
    result = run_cli("translate", "-", "--to", "es", "--cache-dir", str(path), stdin=b"Hello.\n")
    assert result.returncode == CacheError.exit_code
    assert result.stderr.startswith("mtcompare: error: ") and result.stderr.count("\n") == 1
    assert "not an mtcompare translation cache" in result.stderr
    assert digest(path) == before


def test_a_file_that_is_not_sqlite_is_refused_untouched(tmp_path: Path) -> None:
    path = tmp_path / "notes.db"
    path.write_text("my notes, not a database\n" * 200)
    before = digest(path)
    with pytest.raises(CacheError, match="not an SQLite database"):
        TranslationCache(path)
    assert digest(path) == before


@pytest.mark.parametrize(
    "schema",
    [
        "CREATE TABLE translations (key TEXT PRIMARY KEY, signature TEXT NOT NULL, source TEXT NOT NULL,"
        " target TEXT NOT NULL, unknown TEXT NOT NULL, alignment TEXT NOT NULL DEFAULT '[]');"
        " CREATE TABLE extra (x)",  # our table and another one
        "CREATE TABLE translations (key TEXT PRIMARY KEY, body TEXT)",  # the name only
        "PRAGMA application_id = 1234; CREATE TABLE translations (key TEXT PRIMARY KEY, signature TEXT NOT NULL,"
        " source TEXT NOT NULL, target TEXT NOT NULL, unknown TEXT NOT NULL)",  # another program's id
    ],
)
def test_lookalikes_are_refused(tmp_path: Path, schema: str) -> None:
    path = tmp_path / "c.sqlite"
    db = sqlite3.connect(path)
    db.executescript(schema)
    db.close()
    before = digest(path)
    with pytest.raises(CacheError, match="not an mtcompare translation cache"):
        TranslationCache(path)
    with pytest.raises(CacheError, match="not an mtcompare translation cache"):
        TranslationCache(path, read_only=True)
    assert digest(path) == before


@pytest.mark.parametrize("alignment", [True, False])
def test_a_cache_from_an_older_version_is_upgraded(tmp_path: Path, alignment: bool) -> None:
    path = tmp_path / "translations.sqlite"
    db = sqlite3.connect(path)
    db.execute(
        "CREATE TABLE translations (key TEXT PRIMARY KEY, signature TEXT NOT NULL, source TEXT NOT NULL,"
        " target TEXT NOT NULL, unknown TEXT NOT NULL"
        + (", alignment TEXT NOT NULL DEFAULT '[]')" if alignment else ")")
    )
    db.commit()
    db.close()
    with TranslationCache(tmp_path) as cache:
        cache.put_many(SIG, ["a"], [Translation("A", ("a",), ((0, 1, 0, 1),))])
    db = sqlite3.connect(path)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    db.close()
    with TranslationCache(tmp_path) as cache:
        assert cache.get_many(SIG, ["a"]) == [Translation("A", ("a",), ((0, 1, 0, 1),))]


def test_a_new_cache_carries_the_application_id(tmp_path: Path) -> None:
    with TranslationCache(tmp_path):
        pass
    db = sqlite3.connect(tmp_path / TranslationCache.FILENAME)
    assert db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    db.close()


# --- defect 24: opening a fresh cache from many processes at once --------------------------------


def open_and_write(directory: str, worker: int, barrier: Any, results: Any) -> None:
    """In a child process: wait for the others, then open the fresh cache and write 20 rows."""
    try:
        barrier.wait(timeout=PATIENCE)
        with TranslationCache(directory) as cache:
            for i in range(20):
                cache.put_many(SIG, [f"w{worker}-{i}"], [Translation(str(i))])
        results.put((worker, ""))
    except BaseException as exc:  # noqa: BLE001 - reported to the parent
        results.put((worker, f"{type(exc).__name__}: {exc}"))


WORKERS = 6


def many_open_a_fresh_cache_at_once(directory: Path, workers: int = WORKERS) -> None:
    """``workers`` processes released together open the same fresh cache and write to it."""
    context = multiprocessing.get_context("spawn")
    barrier, results = context.Barrier(workers), context.Queue()
    procs = [context.Process(target=open_and_write, args=(str(directory), n, barrier, results)) for n in range(workers)]
    for proc in procs:
        proc.start()
    outcomes = dict(results.get(timeout=PATIENCE) for _ in procs)
    for proc in procs:
        proc.join(timeout=PATIENCE)
    assert outcomes == {n: "" for n in range(workers)}
    with TranslationCache(directory) as cache:
        assert len(cache) == workers * 20


def test_cache_many_processes_open_a_fresh_cache_at_once(tmp_path: Path) -> None:
    many_open_a_fresh_cache_at_once(tmp_path)


def test_concurrent_runs_sharing_one_cache_are_byte_identical(
    apertium: str, article_path: Path, tmp_path: Path
) -> None:
    args = ["roundtrip", str(article_path), "--via", "es,ca", "--format", "json", "--cache-dir", str(tmp_path)]
    runs = [cli(*args) for _ in range(3)]
    outputs = [finish(run)[0] for run in runs]
    solo = run_cli("roundtrip", str(article_path), "--via", "es,ca", "--format", "json", "--no-cache")
    assert outputs == [solo.stdout.encode()] * 3
