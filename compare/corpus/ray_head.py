"""A Ray head node of its own on this machine, for a try-out of ``--executor ray``, tests and benchmarks.

``ray start --head --block`` runs in a session of its own, so that stopping it stops everything the
cluster started (its GCS, raylet and workers, and the Apertium pipelines the workers run), and
nothing else; it gets SIGTERM if the process that started it dies, so a killed run leaves no head
behind. Linux only (``/proc`` and ``prctl``).

    >>> from compare.corpus.ray_head import LocalHead
    >>> with LocalHead.start("/tmp/mtray", cpus=2) as head:  # doctest: +SKIP
    ...     compare.run_corpus(docs, "out", {}, executor=make_executor("ray", backends, address=head.address))
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType

from ..errors import BackendUnavailableError

__all__ = ["LocalHead", "free_port", "session_members"]


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _die_with_parent() -> None:
    """In the child before exec: SIGTERM when the process that started it dies."""
    import ctypes

    pr_set_pdeathsig = 1
    ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)


def session_members(sid: int) -> list[int]:
    """Live processes whose session id is ``sid`` (the head and everything it started; not zombies)."""
    pids = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()  # state ppid pgrp session ...
        if int(fields[3]) == sid and fields[0] != "Z":  # a zombie is gone already
            pids.append(int(entry))
    return pids


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=2):
            return True
    except OSError:
        return False


def _cluster_up(address: str) -> bool:
    """Whether the head answers and has an alive node (asked from a fresh process, so that this one
    connects to the cluster only through what it runs)."""
    probe = (
        "import ray, sys\n"
        f"ray.init(address={address!r}, logging_level='ERROR', log_to_driver=False)\n"
        "sys.exit(0 if any(n['Alive'] for n in ray.nodes()) else 1)\n"
    )
    return subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=120).returncode == 0


@dataclass
class LocalHead:
    """A running head: its process (the leader of its session) and its GCS address."""

    process: subprocess.Popen[bytes]
    address: str

    @property
    def session(self) -> int:
        """The session id of the head and of every process the cluster starts."""
        return self.process.pid

    @classmethod
    def start(cls, temp_dir: str | Path, cpus: int = 2, timeout: float = 180.0) -> LocalHead:
        """Start a head with ``cpus`` CPUs and no GPU, its files in ``temp_dir`` (Ray's unix sockets need
        a short path, such as one under /tmp); return once it has an alive node.

        Raises :class:`~compare.errors.BackendUnavailableError` when Ray is not installed, the head exits,
        or it does not come up within ``timeout`` seconds.
        """
        ray = Path(sys.executable).with_name("ray")
        if not ray.is_file():
            raise BackendUnavailableError(
                f"no ray program beside {sys.executable}; install: pip install 'mtcompare[ray]'"
            )
        port = free_port()
        env = {k: v for k, v in os.environ.items() if k != "RAY_ADDRESS"} | {"RAY_USAGE_STATS_ENABLED": "0"}
        process = subprocess.Popen(
            [
                str(ray), "start", "--head", "--block",
                "--node-ip-address", "127.0.0.1",
                "--port", str(port),
                "--num-cpus", str(cpus), "--num-gpus", "0",
                "--temp-dir", str(temp_dir),
                "--include-dashboard=false", "--dashboard-host", "127.0.0.1",
                "--dashboard-agent-listen-port", str(free_port()),
                "--disable-usage-stats",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            preexec_fn=_die_with_parent,
        )  # fmt: skip
        head = cls(process, f"127.0.0.1:{port}")
        deadline = time.monotonic() + timeout
        try:
            while not _listening(port):
                head._check_alive(deadline, timeout)
                time.sleep(0.2)
            while not _cluster_up(head.address):
                head._check_alive(deadline, timeout)
                time.sleep(1.0)
        except BaseException:
            head.stop()
            raise
        return head

    def _check_alive(self, deadline: float, timeout: float) -> None:
        if self.process.poll() is not None:
            raise BackendUnavailableError(f"ray start --head exited with {self.process.returncode}")
        if time.monotonic() > deadline:
            raise BackendUnavailableError(f"the Ray head did not come up within {timeout:g} s")

    def stop(self) -> None:
        """SIGTERM to the head (``ray start --block`` stops what it started), then SIGKILL to whatever
        of its session is left."""
        try:
            self.process.send_signal(signal.SIGTERM)
        except ProcessLookupError:
            pass
        deadline = time.monotonic() + 30
        while session_members(self.session) and time.monotonic() < deadline:
            time.sleep(0.2)
        for pid in session_members(self.session):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            pass

    def __enter__(self) -> LocalHead:
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None) -> None:
        self.stop()
