"""The Ray executor on a real local Ray cluster (issue 12).

A session fixture starts a head node in its own process session (``ray start --head --block`` with a
short temporary directory, 2 CPUs, usage stats off, its GCS and agent ports chosen free), and stops it
by signalling that session's processes only, so no other Ray instance on the machine is touched.
Translations are real Apertium, compared with the local executor. Actors' worker processes are
killed with SIGKILL while they translate (from the test process, and under ``mtcompare corpus``): Ray
restarts them and retries their calls, and the results are unchanged. The corpus command's output
folder is compared byte for byte between ``--executor local`` and ``--executor ray --address``, also
after the driver itself was killed and resumed.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

import compare
from compare.corpus.executor import LocalExecutor, TranslationJob, make_executor
from compare.corpus.ray_head import LocalHead, free_port, session_members
from compare.errors import ArgumentValueError, BackendUnavailableError, UnsupportedPairError

ray = pytest.importorskip("ray", reason="the ray extra is not installed")

pytestmark = [pytest.mark.ray, pytest.mark.slow]

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT.parent / "shared" / "corpora" / "ntrex"
NTREX_EN = NTREX / "newstest2019-src.eng.txt"
START_TIMEOUT = 180.0


def _children(pid: int) -> list[int]:
    """Processes whose parent is ``pid``, started by any of its threads (Apertium's pipelines, while an
    actor translates)."""
    found = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return []
    for task in tasks:
        try:
            found += [int(p) for p in Path(f"/proc/{pid}/task/{task}/children").read_text().split()]
        except OSError:
            continue
    return found


def _wait_for(check, timeout: float, what: str, interval: float = 0.1):  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:g} s waiting for {what}")
        time.sleep(interval)


@dataclass(frozen=True)
class Cluster:
    """The test cluster: its GCS address and the session id of all its processes."""

    address: str
    session: int

    def actor_processes(self, class_name: str = "_BackendWorker") -> list[int]:
        """The worker processes of this cluster that host an actor of ``class_name`` (Ray sets their title)."""
        found = []
        for pid in session_members(self.session):
            try:
                title = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[0].decode(errors="replace")
            except OSError:
                continue
            if title.startswith(f"ray::{class_name}"):
                found.append(pid)
        return found


@pytest.fixture(scope="session")
def ray_cluster() -> Iterator[Cluster]:
    """A Ray head node with 2 CPUs, in its own process session."""
    temp = tempfile.mkdtemp(prefix="mtray", dir="/tmp")  # Ray's unix sockets need a short path
    try:
        with LocalHead.start(temp, cpus=2, timeout=START_TIMEOUT) as head:
            yield Cluster(head.address, head.session)
            if ray.is_initialized():
                ray.shutdown()
    finally:
        shutil.rmtree(temp, ignore_errors=True)


@pytest.fixture(scope="module")
def apertium():  # type: ignore[no-untyped-def]
    return compare.load_backend("apertium")


def ntrex_lines(count: int) -> list[str]:
    lines = [line for line in NTREX_EN.read_text(encoding="utf-8").splitlines() if line.strip()]
    return list(dict.fromkeys(lines))[:count]


needs_ntrex = pytest.mark.skipif(not NTREX_EN.exists(), reason="../shared/corpora/ntrex is not here")


# --- the executor ---------------------------------------------------------------------------------


@needs_ntrex
def test_ray_executor_matches_local(ray_cluster: Cluster, apertium) -> None:  # type: ignore[no-untyped-def]
    lines = ntrex_lines(400)
    jobs = [
        TranslationJob(0, "en", "es", tuple(lines)),
        TranslationJob(0, "en", "ca", tuple(lines[:150])),
        TranslationJob(0, "en", "es", tuple(lines[:5])),  # shorter than a shard
    ]
    expected = LocalExecutor([apertium]).run(jobs)
    executor = make_executor("ray", [apertium], address=ray_cluster.address)
    try:
        assert executor.name == "ray"
        assert executor.run(jobs) == expected
        assert executor.run([]) == []
        with pytest.raises(UnsupportedPairError, match="apertium has no pair en→ja"):  # the backend's own error
            executor.run([TranslationJob(0, "en", "ja", ("The house is big.",))])
        summary = executor.describe()
        assert "\n" not in summary
        assert summary.startswith(
            f"ray ({ray_cluster.address}): 1 node, 2 CPUs, 0 GPUs; 1 actor (apertium: 1 on 1 node"
        )
        (info,) = executor.actor_info
        assert info.spec == "apertium" and info.node_ip not in ("", "?") and info.pid != os.getpid()
    finally:
        executor.close()
    assert not ray.is_initialized()  # it connected, so it disconnected


def _kill_when_busy(pid: int, finished: threading.Event, killed: threading.Event) -> None:
    """SIGKILL process ``pid`` as soon as it has children (Apertium's pipelines run under an actor only
    while it translates), unless ``finished`` is set first."""
    while not finished.is_set():
        if _children(pid):
            os.kill(pid, signal.SIGKILL)
            killed.set()
            return
        time.sleep(0.005)


@needs_ntrex
def test_actor_killed_mid_run_is_restarted_and_its_calls_retried(ray_cluster: Cluster, apertium) -> None:  # type: ignore[no-untyped-def]
    """SIGKILL the actor's worker while Apertium runs under it; Ray restarts it and retries the calls."""
    from compare.corpus.ray_executor import RayExecutor

    lines = ntrex_lines(2000)
    jobs = [TranslationJob(0, "en", "es", tuple(lines)), TranslationJob(0, "en", "ca", tuple(lines[:600]))]
    expected = LocalExecutor([apertium]).run(jobs)
    executor = RayExecutor([apertium], address=ray_cluster.address)
    try:
        killed_in_flight = False
        for _attempt in range(5):  # a kill that came only after the run had ended is tried again
            (before,) = executor.actors()
            killed = threading.Event()
            finished = threading.Event()
            killer = threading.Thread(target=_kill_when_busy, args=(before.pid, finished, killed), daemon=True)
            killer.start()
            got = executor.run(jobs)
            finished.set()
            killer.join(timeout=30)
            assert got == expected
            if killed.is_set():
                killed_in_flight = True
                break
        assert killed_in_flight, "the actor was never seen translating"
        (after,) = executor.actors()
        assert after.pid != before.pid  # a new worker process: the actor was restarted
        assert executor.run(jobs[1:]) == expected[1:]
    finally:
        executor.close()


@needs_ntrex
def test_split_jobs_are_shards_in_order(ray_cluster: Cluster, apertium) -> None:  # type: ignore[no-untyped-def]
    """With ``split_jobs`` a job is cut into contiguous shards: each shard's translations are those of
    the shard translated alone (Apertium's output depends on the batch, hence not split by default)."""
    from compare.corpus.ray_executor import RayExecutor, _shards

    lines = ntrex_lines(300)
    executor = RayExecutor([apertium], address=ray_cluster.address, split_jobs=True, min_shard=50)
    try:
        parts = executor.actors_per_node * 2  # one node of 2 CPUs; Apertium runs 2 calls at once
        shards = _shards(lines, parts, 50)
        assert len(shards) == 2
        expected = [t for shard in shards for t in apertium.translate(list(shard), "en", "es")]
        (got,) = executor.run([TranslationJob(0, "en", "es", tuple(lines))])
        assert got == expected
    finally:
        executor.close()


def test_unreachable_cluster_is_one_line(apertium) -> None:  # type: ignore[no-untyped-def]
    port = free_port()  # nothing listens there
    with pytest.raises(BackendUnavailableError) as info:
        make_executor("ray", [apertium], address=f"127.0.0.1:{port}")
    message = str(info.value)
    assert "\n" not in message
    assert f"cannot reach the Ray cluster at 127.0.0.1:{port}" in message and "ray start --head" in message
    with pytest.raises(BackendUnavailableError, match="ray://127.0.0.1"):
        make_executor("ray", [apertium], address=f"ray://127.0.0.1:{port}")
    with pytest.raises(ArgumentValueError, match="is not auto, HOST:PORT or ray://HOST:PORT"):
        make_executor("ray", [apertium], address="nowhere")
    assert not ray.is_initialized()


def test_ray_client_without_its_package_is_one_line(apertium) -> None:  # type: ignore[no-untyped-def]
    """A ray:// address where Ray Client (grpcio) is not installed: one line naming the package."""
    try:
        import grpc  # noqa: F401
    except ImportError:
        pass
    else:
        pytest.skip("Ray Client is installed here")
    from compare.errors import MissingExtraError

    with socket.socket() as listener:  # something listens, so the address is reachable
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(MissingExtraError) as info:
            make_executor("ray", [apertium], address=f"ray://127.0.0.1:{port}")
    assert str(info.value) == (
        f"cannot connect to ray://127.0.0.1:{port}: a ray:// address needs Ray Client, which is not installed; "
        "install it with pip install 'ray[client]', or give the cluster's HOST:PORT (its GCS port, 6379)"
    )
    assert not ray.is_initialized()


def test_resources_the_cluster_lacks_are_one_line(ray_cluster: Cluster, apertium) -> None:  # type: ignore[no-untyped-def]
    from compare.corpus.ray_executor import RayExecutor

    with pytest.raises(BackendUnavailableError) as info:
        RayExecutor([apertium], address=ray_cluster.address, num_cpus=3)
    assert str(info.value) == (
        "no node of the Ray cluster has 3 CPUs for an actor of apertium; the cluster has 1 node, 2 CPUs, 0 GPUs"
    )
    with pytest.raises(BackendUnavailableError, match="1 CPU and 1 GPU for an actor of apertium"):
        RayExecutor([apertium], address=ray_cluster.address, num_gpus={"apertium": 1})
    assert not ray.is_initialized()
    with pytest.raises(ArgumentValueError, match="num_cpus must be a number ≥ 0"):
        RayExecutor([apertium], address=ray_cluster.address, num_cpus=-1)


def test_missing_ray_is_one_line() -> None:
    """Without Ray installed (hidden from a fresh interpreter), the executor names the extra."""
    code = (
        "import sys; sys.modules['ray'] = None\n"
        "import compare\n"
        "from compare.corpus.executor import make_executor\n"
        "from compare.errors import MissingExtraError\n"
        "try:\n"
        "    make_executor('ray', [compare.load_backend('apertium')], address='auto')\n"
        "except MissingExtraError as exc:\n"
        "    print(exc)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == (
        "--executor ray needs Ray, which is not installed; install it with pip install 'mtcompare[ray]'"
    )


def test_shards_are_contiguous_and_cover_every_text() -> None:
    from compare.corpus.ray_executor import _shards

    texts = [str(i) for i in range(103)]
    for parts in (1, 2, 3, 7, 500):
        for least in (1, 10, 32, 200):
            shards = _shards(texts, parts, least)
            assert [t for shard in shards for t in shard] == texts
            assert 1 <= len(shards) <= parts
            assert len(shards) == 1 or min(len(s) for s in shards) >= least
            assert max(len(s) for s in shards) - min(len(s) for s in shards) <= 1
    assert _shards([], 4, 1) == []


# --- the corpus command -----------------------------------------------------------------------------


def _ntrex_documents(path: Path, count: int = 200, lines_per_document: int = 3) -> Path:
    """NTREX English as JSON Lines: each NTREX document's sentences cut into documents of a few lines."""
    ids = (NTREX / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    lines = NTREX_EN.read_text(encoding="utf-8").splitlines()
    rows: list[dict[str, str]] = []
    current: list[str] = []
    for index, (doc, line) in enumerate(zip(ids, lines)):
        current.append(line)
        last = index + 1 == len(lines) or ids[index + 1] != doc
        if len(current) == lines_per_document or last:
            rows.append({"id": f"{doc.split()[0]}#{len(rows)}", "text": " ".join(current)})
            current = []
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows[:count]), encoding="utf-8")
    return path


def _corpus(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "COLUMNS": "200", "RAY_USAGE_STATS_ENABLED": "0"}
    return subprocess.run(
        [sys.executable, "-m", "compare", "corpus", *args], capture_output=True, text=True, env=env, timeout=900
    )


@contextlib.contextmanager
def _corpus_process(*args: str) -> Iterator[subprocess.Popen[str]]:
    env = {**os.environ, "COLUMNS": "200", "RAY_USAGE_STATS_ENABLED": "0"}
    run = subprocess.Popen(
        [sys.executable, "-m", "compare", "corpus", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    try:
        yield run
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()


def _folder(path: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(path.iterdir()) if p.is_file()}


@needs_ntrex
def test_corpus_command_on_ray_gives_the_local_output(ray_cluster: Cluster, tmp_path: Path) -> None:
    """``mtcompare corpus --executor ray`` writes the local run's output folder, byte for byte, even
    when the actor's worker process is killed (SIGKILL) while it translates."""
    source = _ntrex_documents(tmp_path / "docs.jsonl")
    common = [str(source), "--via", "es,ca", "--no-cache"]
    local = _corpus(*common, "-o", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr
    killed: list[int] = []
    with _corpus_process(
        *common, "-o", str(tmp_path / "ray"), "--executor", "ray", "--address", ray_cluster.address
    ) as run:
        while run.poll() is None and not killed:
            for pid in ray_cluster.actor_processes():
                if _children(pid):  # translating: Apertium's pipelines run under it
                    os.kill(pid, signal.SIGKILL)
                    killed.append(pid)
                    break
            time.sleep(0.005)
        stdout, stderr = run.communicate(timeout=900)
    assert run.returncode == 0, stderr
    assert killed, "the actor was never seen translating"
    assert f"(ray ({ray_cluster.address}): 1 node, 2 CPUs, 0 GPUs; 1 actor (apertium" in stderr
    assert "Traceback" not in stderr
    ours, theirs = _folder(tmp_path / "local"), _folder(tmp_path / "ray")
    assert set(ours) == set(theirs) and "documents.jsonl" in ours
    assert len(ours["documents.jsonl"].splitlines()) == 200
    for name in ours:
        assert ours[name] == theirs[name], name


@needs_ntrex
def test_interrupted_ray_driver_resumes(ray_cluster: Cluster, tmp_path: Path) -> None:
    """The driver killed (SIGKILL) once 10 of 40 documents are written, then run again: it resumes, and the
    folder is the one an uninterrupted local run writes; the dead driver's actors are gone.

    One document per chunk (``--chunk-segments 1``): Apertium's output depends on the batch, so a run
    resumed in the middle of a chunk batches the rest differently from an uninterrupted one (a driver
    matter, whatever the executor); with a chunk per document the resumed batches are the same.
    """
    source = _ntrex_documents(tmp_path / "docs.jsonl", count=40)
    common = [str(source), "--via", "es", "--no-cache", "--no-terms", "--chunk-segments", "1"]
    local = _corpus(*common, "-o", str(tmp_path / "local"))
    assert local.returncode == 0, local.stderr
    out = tmp_path / "ray"
    ray_args = [*common, "-o", str(out), "--executor", "ray", "--address", ray_cluster.address]
    documents = out / "documents.jsonl"
    with _corpus_process(*ray_args) as run:
        while run.poll() is None:
            if documents.exists() and documents.read_bytes().count(b"\n") >= 10:
                run.kill()
                break
            time.sleep(0.01)
        run.communicate(timeout=900)
    written = documents.read_bytes().count(b"\n")
    assert 10 <= written < 40, "the run ended before it could be interrupted"
    _wait_for(lambda: not ray_cluster.actor_processes(), 120, "the dead driver's actors to go")
    again = _corpus(*ray_args)
    assert again.returncode == 0, again.stderr
    assert f"{written} of them from an earlier run" in again.stderr
    ours, theirs = _folder(tmp_path / "local"), _folder(out)
    assert set(ours) == set(theirs)
    for name in ours:
        assert ours[name] == theirs[name], name


def test_corpus_command_unreachable_cluster_is_one_line(tmp_path: Path) -> None:
    source = tmp_path / "docs.jsonl"
    source.write_text('{"id": "a", "text": "The regime shelled the town."}\n', encoding="utf-8")
    port = free_port()
    done = _corpus(str(source), "-o", str(tmp_path / "out"), "--executor", "ray", "--address", f"127.0.0.1:{port}")
    assert done.returncode != 0
    assert "Traceback" not in done.stderr
    lines = [line for line in done.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and f"cannot reach the Ray cluster at 127.0.0.1:{port}" in lines[0]
