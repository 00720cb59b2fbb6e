"""Translation on a Ray cluster: each backend lives in Ray actors, one per backend per node.

:class:`RayExecutor` is the ``--executor ray`` of ``mtcompare corpus``. The driver (this process)
still deduplicates segments, consults and writes the translation cache and writes the output; the
executor only translates the misses it is given. Each backend of the run is rebuilt inside an actor
on every node of the cluster that has the resources it asks for (``num_cpus``, ``num_gpus``), so a
model is loaded once per node, not once per task. The jobs of a call (and of calls made at the same
time: the driver's hop stages) run at the same time, spread over the backend's actors, and the
translations come back in order.

A job is sent whole to one actor by default, because a batch's translations may depend on the
batch: Apertium carries state from one segment to the next within a stream (a genitive ``'s``
earlier in the batch changes later words), so cutting a job into shards would give output that
differs from the local executor's. ``split_jobs=True`` cuts each job into contiguous shards over the
backend's actors (order restored) for backends whose segments are translated independently.

Fault tolerance is Ray's own: actors are restarted when their worker process dies
(``max_restarts=-1``) and the calls they were running are retried on the restarted actor
(``max_task_retries``). Translations are deterministic, so a retried shard gives what the lost one
would have given. An actor is placed on its node with soft node affinity: if that node is lost,
Ray restarts it on another one.

Ray is an optional extra (``pip install 'mtcompare[ray]'``) and is imported only here, only when
a :class:`RayExecutor` is made.
"""

from __future__ import annotations

import logging
import math
import os
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from ..backends.base import Backend
from ..errors import ArgumentValueError, BackendUnavailableError, MissingExtraError, MtcompareError
from ..results import Translation
from .executor import TranslationJob

#: A shard is not made smaller than this many texts (a call's own cost dwarfs a few segments' work).
MIN_SHARD = 32

#: How many times a call lost with its actor is sent again (to the restarted actor) before the run fails.
MAX_TASK_RETRIES = 3

#: Seconds to wait for the actors to load their backends before giving up with one line.
START_TIMEOUT = 600.0


class _BackendWorker:
    """The body of a Ray actor: one backend, rebuilt from its class, spec argument and options.

    Ray turns it into an actor class with ``ray.remote`` inside :class:`RayExecutor` (so this module
    can be imported without Ray). The class of the backend travels pickled, so a backend registered
    in the driver only (a plug-in class, a test's class) is rebuilt the same way on every node.
    """

    def __init__(self, cls: type[Backend], arg: str | None, options: dict[str, Any]) -> None:
        status = cls.availability()
        if not status.ok:
            raise BackendUnavailableError(f"backend {cls.name!r} is not available: {status.reason}")
        self.backend = cls(arg, **options)

    def ready(self) -> tuple[int, str]:
        """This actor's process id and the Ray node it runs on, once its backend is loaded."""
        import ray

        return os.getpid(), ray.get_runtime_context().get_node_id()

    def translate(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        return self.backend.translate(texts, source_lang, target_lang)


@dataclass(frozen=True)
class ActorInfo:
    """Where one actor of a :class:`RayExecutor` runs: its backend (by index and spec), node and process."""

    backend: int
    spec: str
    node_id: str
    node_ip: str
    pid: int


class RayExecutor:
    """Jobs run in Ray actors on a cluster: one actor per backend per node (``actors_per_node``).

    ``address`` is ``None`` (start a Ray instance on this machine for the run), ``auto`` (the cluster
    that ``ray start`` started on this machine), ``HOST:PORT`` (a cluster's GCS address) or
    ``ray://HOST:10001`` (Ray Client, for a remote cluster's head). ``num_cpus`` is what each actor
    declares to Ray's scheduler. ``num_gpus`` is either a number for every backend that can use a
    GPU (those with a ``device`` option: ``hf``, ``ct2``) or a mapping from a backend's spec or name
    to its GPUs per actor; a backend is placed only on nodes that have what it declares.
    ``concurrency`` is how many calls one actor runs at once: by default, for a backend whose
    translations may run side by side (``concurrent_pairs``: Apertium, whose work happens in child
    processes) the CPU count of its node, else 1 (a model in memory is driven by one thread).
    ``split_jobs`` cuts each job into contiguous shards (at least ``min_shard`` texts each) run on
    all of the backend's actors; off by default, since a backend's output may depend on the batch
    (see the module's docstring). ``runtime_env`` is passed to ``ray.init`` when this executor
    connects (``{"py_modules": [...]}`` to ship code to a cluster that lacks it).

    Raises :class:`~compare.errors.MissingExtraError` without Ray, and
    :class:`~compare.errors.BackendUnavailableError` when the cluster cannot be reached, has no node
    with the resources asked for, or a backend cannot start on a node.
    """

    name = "ray"

    def __init__(
        self,
        backends: Sequence[Backend],
        address: str | None = None,
        *,
        num_cpus: float = 1.0,
        num_gpus: float | Mapping[str, float] = 0.0,
        actors_per_node: int = 1,
        concurrency: int | None = None,
        max_task_retries: int = MAX_TASK_RETRIES,
        split_jobs: bool = False,
        min_shard: int = MIN_SHARD,
        runtime_env: dict[str, Any] | None = None,
        start_timeout: float = START_TIMEOUT,
    ) -> None:
        _check_resources(num_cpus, num_gpus, actors_per_node, concurrency, max_task_retries, min_shard)
        ray = _import_ray()
        self.backends = list(backends)
        self.address = address
        self.num_cpus = float(num_cpus)
        self.num_gpus = num_gpus
        self.actors_per_node = actors_per_node
        self.concurrency = concurrency
        self.max_task_retries = max_task_retries
        self.split_jobs = bool(split_jobs)
        self.min_shard = min_shard
        self._connected_here = False
        self._next = 0
        self._lock = threading.Lock()  # the driver's hop stages call run() from several threads
        self._actors: list[list[Any]] = [[] for _ in self.backends]
        self._concurrency: list[int] = [1 for _ in self.backends]
        self.actor_info: list[ActorInfo] = []
        self._connect(ray, address, runtime_env)
        try:
            self._start_actors(ray, start_timeout)
        except BaseException:
            self.close()
            raise

    # -- connection and actors --------------------------------------------------------------

    def _connect(self, ray: Any, address: str | None, runtime_env: dict[str, Any] | None) -> None:
        if ray.is_initialized():
            return  # the caller connected (library use): leave the connection as it is
        where = address or "a new local Ray instance"
        if address is not None:
            _check_reachable(address)
        try:
            ray.init(
                address=address,
                runtime_env=runtime_env,
                logging_level=logging.WARNING,
                include_dashboard=False if address is None else None,
                configure_logging=True,
            )
        except Exception as exc:  # Ray raises ConnectionError, RuntimeError, ValueError, grpc errors
            reason = " ".join(str(exc).split()) or type(exc).__name__
            if isinstance(exc, ImportError) or "ray[client]" in reason:
                raise MissingExtraError(
                    f"cannot connect to {where}: a ray:// address needs Ray Client, which is not installed; "
                    "install it with pip install 'ray[client]', or give the cluster's HOST:PORT (its GCS port, 6379)"
                ) from None
            raise BackendUnavailableError(
                f"cannot reach the Ray cluster at {where}: {reason}; "
                "start one with `ray start --head`, or give its address (auto, HOST:PORT, ray://HOST:10001)"
            ) from None
        self._connected_here = True

    def _start_actors(self, ray: Any, timeout: float) -> None:
        from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

        nodes = [n for n in ray.nodes() if n.get("Alive")]
        worker_class = ray.remote(_BackendWorker)
        pending: list[tuple[int, Any]] = []
        for index, backend in enumerate(self.backends):
            gpus = self._gpus_for(backend)
            fitting = [n for n in nodes if _fits(n, self.num_cpus, gpus)]
            if not fitting:
                raise BackendUnavailableError(
                    f"no node of the Ray cluster has {_amount(self.num_cpus, 'CPU')}"
                    + (f" and {_amount(gpus, 'GPU')}" if gpus else "")
                    + f" for an actor of {backend.spec}; the cluster has {_cluster_line(nodes)}"
                )
            for node in fitting:
                node_cpus = int(node.get("Resources", {}).get("CPU", 1)) or 1
                concurrency = self.concurrency or (
                    node_cpus if getattr(type(backend), "concurrent_pairs", False) else 1
                )
                self._concurrency[index] = max(self._concurrency[index], concurrency)
                for _ in range(self.actors_per_node):
                    actor = worker_class.options(
                        num_cpus=self.num_cpus,
                        num_gpus=gpus,
                        max_restarts=-1,
                        max_task_retries=self.max_task_retries,
                        max_concurrency=concurrency,
                        scheduling_strategy=NodeAffinitySchedulingStrategy(node["NodeID"], soft=True),
                    ).remote(type(backend), backend.arg, dict(backend.options))
                    self._actors[index].append(actor)
                    pending.append((index, actor))
        ips = {n["NodeID"]: n.get("NodeManagerAddress", "?") for n in nodes}
        refs = [actor.ready.remote() for _, actor in pending]
        try:
            ready = ray.get(refs, timeout=timeout)
        except ray.exceptions.GetTimeoutError:
            raise BackendUnavailableError(
                f"the Ray actors did not start within {timeout:g} s (the cluster lacks free resources "
                f"for {len(pending)} actor(s) of {_amount(self.num_cpus, 'CPU')} each?)"
            ) from None
        except ray.exceptions.RayError as exc:
            raise _one_line_error(exc, "a backend could not start on the Ray cluster") from None
        self.actor_info = [
            ActorInfo(index, self.backends[index].spec, node_id, ips.get(node_id, "?"), pid)
            for (index, _), (pid, node_id) in zip(pending, ready)
        ]

    def actors(self) -> list[ActorInfo]:
        """Where each actor runs now (a restarted actor has a new process): asks every actor."""
        ray = _import_ray()
        pending = [(index, actor) for index, actors in enumerate(self._actors) for actor in actors]
        ready = ray.get([actor.ready.remote() for _, actor in pending])
        ips = {n["NodeID"]: n.get("NodeManagerAddress", "?") for n in ray.nodes()}
        return [
            ActorInfo(index, self.backends[index].spec, node_id, ips.get(node_id, "?"), pid)
            for (index, _), (pid, node_id) in zip(pending, ready)
        ]

    def _gpus_for(self, backend: Backend) -> float:
        if isinstance(self.num_gpus, Mapping):
            value = self.num_gpus.get(backend.spec, self.num_gpus.get(backend.name, 0.0))
            return float(value)
        return float(self.num_gpus) if "device" in type(backend).option_names() else 0.0

    # -- the Executor protocol --------------------------------------------------------------

    def run(self, jobs: Sequence[TranslationJob]) -> list[list[Translation]]:
        """The translations of each job in order; all jobs (or their shards) run at the same time."""
        ray = _import_ray()
        calls: list[tuple[int, Any]] = []  # (job index, object ref), in text order within a job
        for j, job in enumerate(jobs):
            if not 0 <= job.backend < len(self.backends):
                raise ArgumentValueError(f"job {j} names backend {job.backend}; this run has {len(self.backends)}")
            actors = self._actors[job.backend]
            parts = len(actors) * self._concurrency[job.backend] if self.split_jobs else 1
            for shard in _shards(job.texts, parts, self.min_shard):
                with self._lock:
                    actor = actors[self._next % len(actors)]
                    self._next += 1
                calls.append((j, actor.translate.remote(list(shard), job.source_lang, job.target_lang)))
        try:
            outputs = ray.get([ref for _, ref in calls])
        except ray.exceptions.RayError as exc:
            raise _one_line_error(exc, "translation on the Ray cluster failed") from None
        results: list[list[Translation]] = [[] for _ in jobs]
        for (j, _), out in zip(calls, outputs):
            results[j].extend(out)
        for j, job in enumerate(jobs):
            if len(results[j]) != len(job.texts):
                raise BackendUnavailableError(
                    f"the Ray actors of {self.backends[job.backend].spec} returned {len(results[j])} "
                    f"translations for {len(job.texts)} segments"
                )
        return results

    def describe(self) -> str:
        """One line: ``ray (auto): 2 nodes, 16 CPUs, 1 GPU; 3 actors (apertium: 2 on 2 nodes, 1 CPU each,
        8 calls at once; hf:…: 1 on 1 node, 1 CPU + 1 GPU each)``."""
        try:
            ray = _import_ray()
            nodes = [n for n in ray.nodes() if n.get("Alive")] if ray.is_initialized() else []
        except MtcompareError:
            nodes = []
        where = self.address or "local instance"
        parts = []
        for index, backend in enumerate(self.backends):
            mine = [a for a in self.actor_info if a.backend == index]
            on = len({a.node_id for a in mine})
            gpus = self._gpus_for(backend)
            part = f"{backend.spec}: {len(mine)} on {on} node{'s' if on != 1 else ''}"
            part += f", {_amount(self.num_cpus, 'CPU')}" + (f" + {_amount(gpus, 'GPU')}" if gpus else "") + " each"
            if self._concurrency[index] > 1:
                part += f", {self._concurrency[index]} calls at once"
            parts.append(part)
        actors = len(self.actor_info)
        return f"ray ({where}): {_cluster_line(nodes)}; {actors} actor{'s' if actors != 1 else ''} ({'; '.join(parts)})"

    def close(self) -> None:
        """Kill the actors; disconnect if this executor connected (not if the caller had)."""
        try:
            import ray
        except ImportError:
            return
        if ray.is_initialized():
            for actors in self._actors:
                for actor in actors:
                    try:
                        ray.kill(actor, no_restart=True)
                    except Exception:  # noqa: BLE001 - an actor already gone is what we want
                        pass
        self._actors = [[] for _ in self.backends]
        if self._connected_here and ray.is_initialized():
            ray.shutdown()
        self._connected_here = False


def _import_ray() -> Any:
    try:
        import ray
    except ImportError:
        raise MissingExtraError(
            "--executor ray needs Ray, which is not installed; install it with pip install 'mtcompare[ray]'"
        ) from None
    return ray


def _check_reachable(address: str, timeout: float = 10.0) -> None:
    """Fail fast, with one line, when nothing listens at the cluster's address (Ray itself would retry
    for minutes). ``auto`` is resolved as Ray resolves it; an address that cannot be resolved is left to Ray."""
    import socket

    target = address.removeprefix("ray://")
    if address == "auto":
        try:
            from ray._private.services import canonicalize_bootstrap_address

            target = canonicalize_bootstrap_address("auto") or ""
        except Exception:  # noqa: BLE001 - a private helper of Ray: let ray.init say what is wrong
            return
        if not target:
            raise BackendUnavailableError(
                "no Ray cluster runs on this machine (--address auto); start one with `ray start --head`, "
                "or give its address (HOST:PORT, ray://HOST:10001)"
            )
    host, sep, port = target.rpartition(":")
    if not sep or not port.isdigit():
        raise ArgumentValueError(f"Ray address {address!r} is not auto, HOST:PORT or ray://HOST:PORT")
    try:
        with socket.create_connection((host.strip("[]"), int(port)), timeout=timeout):
            pass
    except OSError as exc:
        raise BackendUnavailableError(
            f"cannot reach the Ray cluster at {address}: {exc.strerror or exc}; "
            "start one with `ray start --head`, or check the address (auto, HOST:PORT, ray://HOST:10001)"
        ) from None


def _check_resources(
    num_cpus: float,
    num_gpus: float | Mapping[str, float],
    actors_per_node: int,
    concurrency: int | None,
    max_task_retries: int,
    min_shard: int,
) -> None:
    gpu_values = list(num_gpus.values()) if isinstance(num_gpus, Mapping) else [num_gpus]
    if not (isinstance(num_cpus, (int, float)) and math.isfinite(num_cpus) and num_cpus >= 0):
        raise ArgumentValueError(f"num_cpus must be a number ≥ 0 (CPUs per Ray actor); got {num_cpus!r}")
    for value in gpu_values:
        if not (isinstance(value, (int, float)) and math.isfinite(value) and value >= 0):
            raise ArgumentValueError(f"num_gpus must be a number ≥ 0 (GPUs per Ray actor); got {value!r}")
    for label, value, least in (
        ("actors_per_node", actors_per_node, 1),
        ("concurrency", concurrency, 1),
        ("max_task_retries", max_task_retries, -1),
        ("min_shard", min_shard, 1),
    ):
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < least):
            raise ArgumentValueError(f"{label} must be an integer ≥ {least}; got {value!r}")


def _shards(texts: Sequence[str], parts: int, min_shard: int) -> list[Sequence[str]]:
    """``texts`` cut into at most ``parts`` contiguous shards of nearly equal size, none under ``min_shard``
    (unless there are fewer texts than that)."""
    if not texts:
        return []
    count = max(1, min(parts, len(texts) // min_shard))
    size, extra = divmod(len(texts), count)
    out, start = [], 0
    for i in range(count):
        end = start + size + (1 if i < extra else 0)
        out.append(texts[start:end])
        start = end
    return out


def _fits(node: dict[str, Any], cpus: float, gpus: float) -> bool:
    resources = node.get("Resources", {})
    return resources.get("CPU", 0.0) >= cpus and resources.get("GPU", 0.0) >= gpus


def _amount(value: float, unit: str) -> str:
    number = int(value) if float(value).is_integer() else value
    return f"{number} {unit}{'s' if value != 1 else ''}"


def _cluster_line(nodes: list[dict[str, Any]]) -> str:
    cpus = sum(n.get("Resources", {}).get("CPU", 0.0) for n in nodes)
    gpus = sum(n.get("Resources", {}).get("GPU", 0.0) for n in nodes)
    return f"{len(nodes)} node{'s' if len(nodes) != 1 else ''}, {_amount(cpus, 'CPU')}, {_amount(gpus, 'GPU')}"


def _one_line_error(exc: Exception, what: str) -> MtcompareError:
    """A Ray error as the toolkit's own: the backend's own error when it raised one, else one line."""
    cause = getattr(exc, "cause", None)
    if isinstance(cause, MtcompareError):
        return cause
    inner = cause if isinstance(cause, BaseException) else exc
    lines = [line.strip() for line in str(inner).splitlines() if line.strip()]
    reason = lines[-1] if lines else type(inner).__name__
    return BackendUnavailableError(f"{what}: {type(inner).__name__}: {reason}")
