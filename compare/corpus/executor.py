"""Where a corpus run's translation work runs: here (threads) or on a cluster (:mod:`.ray_executor`).

The driver (:mod:`.driver`) deduplicates segments, consults the translation cache and writes it; an
executor only translates the misses it is given, as :class:`TranslationJob` batches, and returns
their translations in order. Jobs of one call are independent (different backends or language
pairs: the first hops of ``--via es,ca``, say) and may run at the same time.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from threading import Lock
from typing import Any, Protocol

from ..backends.base import Backend
from ..results import Translation


@dataclass(frozen=True)
class TranslationJob:
    """Translate ``texts`` (distinct, non-empty list) with backend number ``backend`` of the run."""

    backend: int
    source_lang: str
    target_lang: str
    texts: tuple[str, ...]


class Executor(Protocol):
    """What the corpus driver needs from an executor."""

    #: ``local`` or ``ray``; recorded in the run's summary, not in its settings (results do not depend on it).
    name: str

    def run(self, jobs: Sequence[TranslationJob]) -> list[list[Translation]]:
        """The translations of each job, in job order and, within a job, in text order."""

    def describe(self) -> str:
        """One line on the resources used (workers, threads, cluster CPUs)."""

    def close(self) -> None:
        """Release workers, actors, processes."""


class LocalExecutor:
    """Jobs run on threads of this process, at most ``workers`` at a time (default: the CPU count).

    A backend's translations of different pairs may run together when its class says it is safe
    (``Backend.concurrent_pairs``: Apertium, whose work happens in child processes); other backends
    (a model in memory) run one job at a time each, so a model is never driven from two threads.
    """

    name = "local"

    def __init__(self, backends: Sequence[Backend], workers: int | None = None) -> None:
        self.backends = list(backends)
        self.workers = max(1, workers or _cpu_count())
        self._locks = [Lock() for _ in self.backends]
        self._pool: ThreadPoolExecutor | None = None

    def _one(self, job: TranslationJob) -> list[Translation]:
        backend = self.backends[job.backend]
        if getattr(backend, "concurrent_pairs", False):
            return backend.translate(list(job.texts), job.source_lang, job.target_lang)
        with self._locks[job.backend]:
            return backend.translate(list(job.texts), job.source_lang, job.target_lang)

    def run(self, jobs: Sequence[TranslationJob]) -> list[list[Translation]]:
        if len(jobs) <= 1 or self.workers == 1:
            return [self._one(job) for job in jobs]
        if self._pool is None:
            self._pool = ThreadPoolExecutor(max_workers=self.workers, thread_name_prefix="mtcompare-translate")
        futures = [self._pool.submit(self._one, job) for job in jobs]
        return [f.result() for f in futures]

    def describe(self) -> str:
        return f"local: {self.workers} worker thread{'s' if self.workers != 1 else ''}"

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None


def _cpu_count() -> int:
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


#: The executors :func:`make_executor` knows.
EXECUTORS = ("local", "ray")


def make_executor(kind: str, backends: Sequence[Backend], address: str | None = None, **ray_options: Any) -> Executor:
    """The executor ``kind`` (``local`` or ``ray``) for the run's ``backends``.

    ``address`` and ``ray_options`` (``num_cpus``, ``num_gpus``, ``actors_per_node``, ``split_jobs``:
    see :class:`~compare.corpus.ray_executor.RayExecutor`) are for ``ray`` only: ``auto`` (a cluster
    started with ``ray start`` on this machine), ``HOST:PORT``, ``ray://HOST:10001``, or ``None`` to
    start a local Ray instance. The ``ray`` extra is imported only here.
    """
    from ..errors import ArgumentValueError

    if kind == "local":
        if address is not None:
            raise ArgumentValueError("--address is for --executor ray; the local executor runs in this process")
        given = [k for k, v in ray_options.items() if v is not None]
        if given:
            flag = "--ray-" + given[0].replace("num_", "").replace("_jobs", "").replace("_", "-")
            raise ArgumentValueError(f"{flag} is for --executor ray; the local executor runs in this process")
        return LocalExecutor(backends)
    if kind == "ray":
        from .ray_executor import RayExecutor

        return RayExecutor(backends, address=address, **{k: v for k, v in ray_options.items() if v is not None})
    raise ArgumentValueError(f"unknown executor {kind!r}; accepted: {', '.join(EXECUTORS)}")
