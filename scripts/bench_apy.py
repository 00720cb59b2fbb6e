"""Benchmark: the apy backend (apertium-apy over HTTP), batched and one request per segment, against the
apertium backend (local processes), on the same sentences, side by side in one run.

Each apy measurement gets a fresh server (a long-running server's translations can depend on what it
translated before: Apertium's tagger keeps state from one segment into the next after some words),
started on a free port and warmed up on the pair first; the table shows segments per second (median
of the repeats, interleaved), the ratio to one request per segment, and how many translations agree
with one request per segment and with the apertium backend.

    .venv/bin/python scripts/bench_apy.py [--file FILE] [--lines 200] [--pair en-es] [--repeat 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NTREX = ROOT.parent / "shared" / "corpora" / "ntrex" / "newstest2019-src.eng.txt"


@contextmanager
def apy_server() -> Iterator[str]:
    """A fresh apertium-apy on a free port over the installed modes; its group killed on exit."""
    exe = shutil.which("apertium-apy")
    if exe is None:
        sys.exit("apertium-apy is not installed (bash scripts/setup.sh installs it)")
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")} | {"LC_ALL": "C.UTF-8"}
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.Popen(
            [exe, "-p", str(port), "-t", "300", "/usr/share/apertium/modes"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=env,
            cwd=tmp,
            start_new_session=True,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and proc.poll() is None:
                try:
                    urllib.request.urlopen(f"{url}/listPairs", timeout=5).read()
                    break
                except OSError:
                    time.sleep(0.2)
            else:
                sys.exit("apertium-apy did not start")
            yield url
        finally:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def run_apy(lines: list[str], src: str, tgt: str, **options: object) -> tuple[float, list[str]]:
    from compare.backends import load_backend

    with apy_server() as url:
        backend = load_backend("apy", url=url, **options)
        backend.translate(["Warm up."], src, tgt)  # the server starts the pair's pipeline
        started = time.perf_counter()
        out = backend._translate_batch(lines, src, tgt)
        return time.perf_counter() - started, [t.text for t in out]


def run_apertium(lines: list[str], src: str, tgt: str) -> tuple[float, list[str]]:
    from compare.backends import load_backend

    backend = load_backend("apertium")
    started = time.perf_counter()
    out = backend._translate_batch(lines, src, tgt)
    return time.perf_counter() - started, [t.text for t in out]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--file", type=Path, default=NTREX)
    parser.add_argument("--lines", type=int, default=200)
    parser.add_argument("--pair", default="en-es")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    src, tgt = args.pair.split("-")
    lines = [ln for ln in args.file.read_text(encoding="utf-8").splitlines() if ln.strip()][: args.lines]
    systems = {
        "apy, one request per segment": lambda: run_apy(lines, src, tgt, batch_size=1),
        "apy, batched (batch_size 32)": lambda: run_apy(lines, src, tgt),
        "apertium backend (local, one batch)": lambda: run_apertium(lines, src, tgt),
    }
    times: dict[str, list[float]] = {name: [] for name in systems}
    texts: dict[str, list[str]] = {}
    for _ in range(args.repeat):
        for name, run in systems.items():
            seconds, out = run()
            times[name].append(seconds)
            texts.setdefault(name, out)
    single = texts["apy, one request per segment"]
    local = texts["apertium backend (local, one batch)"]
    base = statistics.median(times["apy, one request per segment"])
    rows = []
    machine = platform.processor() or platform.machine()
    print(f"{len(lines)} segments {src}→{tgt} from {args.file.name}, median of {args.repeat}, {machine}")
    print(f"{'system':38} {'seg/s':>8} {'speed-up':>9} {'= single':>9} {'= apertium':>11}")
    for name in systems:
        median = statistics.median(times[name])
        same_single = sum(a == b for a, b in zip(texts[name], single))
        same_local = sum(a == b for a, b in zip(texts[name], local))
        rows.append(
            {
                "system": name,
                "seconds": times[name],
                "segments_per_s": len(lines) / median,
                "speedup": base / median,
                "same_as_single": same_single,
                "same_as_apertium": same_local,
            }
        )
        print(f"{name:38} {len(lines) / median:8.1f} {base / median:8.2f}× {same_single:9} {same_local:11}")
    if args.json:
        args.json.write_text(json.dumps({"segments": len(lines), "pair": args.pair, "rows": rows}, indent=2))


if __name__ == "__main__":
    main()
