"""Benchmark: ``mtcompare corpus`` with the local executor against the Ray executor on this machine.

The corpus is the NTREX English sentences (``../shared/corpora/ntrex``), one document per sentence
(1,932 by default). Each run is ``mtcompare corpus DOCS --via es --no-cache -o OUT`` (Apertium
en→es→en) in a fresh process, ``--executor local`` and ``--executor ray --address`` interleaved and
repeated; the table shows median wall times, segments/s and their ratio (the Ray executor's
overhead on one machine). ``--no-terms`` (translation only) by default; ``--analyse`` includes the
analysis, which runs on the driver whatever the executor.

Then, in this process, the work of one Ray actor is measured: the en→es job of every segment sent to
one actor (its process already started), against the same batch translated here by the backend
directly. That per-worker throughput, and the driver's own ceiling (the same corpus run again from a
warm translation cache: everything but translation), give the estimate for N workers:
``min(N × per-worker, driver ceiling)``, valid when the driver keeps N jobs in flight.

Without ``--address`` a Ray head is started for the benchmark (``ray start --head --block`` in its
own process session, a temporary directory, usage stats off) and stopped at the end.

    .venv/bin/python scripts/bench_ray.py [--docs 1932] [--repeat 2] [--analyse] [--address HOST:PORT] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NTREX_EN = ROOT.parent / "shared" / "corpora" / "ntrex" / "newstest2019-src.eng.txt"
MTCOMPARE = [sys.executable, "-m", "compare"]
WORKERS = (1, 2, 4, 8, 16, 32, 64)


def write_documents(path: Path, count: int) -> int:
    lines = [ln for ln in NTREX_EN.read_text(encoding="utf-8").splitlines() if ln.strip()][:count]
    rows = [{"id": f"ntrex-{i:05d}", "text": line} for i, line in enumerate(lines)]
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return len(rows)


# --- measurements -------------------------------------------------------------------------------------


def run_corpus(docs: Path, out: Path, analyse: bool, extra: list[str], cache: Path | None = None) -> dict:
    """One ``mtcompare corpus`` run in a fresh process: wall time and its summary line."""
    args = [*MTCOMPARE, "corpus", str(docs), "--via", "es", "-o", str(out), "--restart"]
    args += ["--cache-dir", str(cache)] if cache is not None else ["--no-cache"]
    if not analyse:
        args.append("--no-terms")
    env = {**os.environ, "RAY_USAGE_STATS_ENABLED": "0", "COLUMNS": "200"}
    started = time.perf_counter()
    done = subprocess.run([*args, *extra], capture_output=True, text=True, env=env)
    wall = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(args + extra)} failed:\n{done.stderr}")
    note = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    match = re.search(r"([\d,]+) segments", note)
    segments = int(match.group(1).replace(",", "")) if match else 0
    return {"wall_s": wall, "segments": segments, "summary": note}


def per_worker(address: str, lines: list[str]) -> dict:
    """The en→es job of every line on one Ray actor (started beforehand), against the backend here."""
    import compare
    from compare.corpus.executor import TranslationJob
    from compare.corpus.ray_executor import RayExecutor

    backend = compare.load_backend("apertium")
    unique = tuple(dict.fromkeys(lines))
    job = TranslationJob(0, "en", "es", unique)
    times = []
    for _ in range(2):  # the first call also reads Apertium's files from disk: the faster of two
        started = time.perf_counter()
        here = backend.translate(list(unique), "en", "es")
        times.append(time.perf_counter() - started)
    local_s = min(times)
    started = time.perf_counter()
    executor = RayExecutor([backend], address=address)
    connect_s = time.perf_counter() - started
    try:
        executor.run([TranslationJob(0, "en", "es", unique[:50])])  # warm: the actor's first call
        times = []
        for _ in range(2):
            started = time.perf_counter()
            (remote,) = executor.run([job])
            times.append(time.perf_counter() - started)
        actor_s = min(times)
        summary = executor.describe()
    finally:
        executor.close()
    assert remote == here, "the actor's translations differ from the backend's here"
    return {
        "segments": len(unique),
        "local_s": local_s,
        "actor_s": actor_s,
        "connect_and_start_s": connect_s,
        "local_seg_per_s": len(unique) / local_s,
        "actor_seg_per_s": len(unique) / actor_s,
        "executor": summary,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=1932, help="documents (one NTREX sentence each)")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each executor, interleaved")
    parser.add_argument("--analyse", action="store_true", help="include the analysis (default: --no-terms)")
    parser.add_argument("--address", help="an existing Ray cluster (default: start a head here)")
    parser.add_argument("--cpus", type=int, default=os.cpu_count() or 2, help="CPUs of the head started here")
    parser.add_argument("--json", type=Path, help="write the results here")
    args = parser.parse_args()
    if not NTREX_EN.exists():
        raise SystemExit(f"{NTREX_EN} is not here")

    with tempfile.TemporaryDirectory(prefix="mtbench", dir="/tmp") as tmp:
        work = Path(tmp)
        docs = work / "docs.jsonl"
        count = write_documents(docs, args.docs)
        head = None
        address = args.address
        if address is None:
            from compare.corpus.ray_head import LocalHead

            print(f"starting a Ray head ({args.cpus} CPUs) ...", file=sys.stderr)
            head = LocalHead.start(work / "ray", cpus=args.cpus)
            address = head.address
        try:
            runs: dict[str, list[dict]] = {"local": [], "ray": []}
            for i in range(args.repeat):
                for kind in ("local", "ray"):
                    extra = ["--executor", kind] + (["--address", address] if kind == "ray" else [])
                    got = run_corpus(docs, work / f"out-{kind}", args.analyse, extra)
                    runs[kind].append(got)
                    print(f"  {kind} run {i + 1}: {got['wall_s']:.1f} s", file=sys.stderr)
            same = (work / "out-local" / "documents.jsonl").read_bytes() == (
                work / "out-ray" / "documents.jsonl"
            ).read_bytes()
            cache = work / "cache"
            run_corpus(docs, work / "out-warm", args.analyse, [], cache=cache)
            warm = run_corpus(docs, work / "out-warm", args.analyse, [], cache=cache)
            print(f"  driver only (warm cache): {warm['wall_s']:.1f} s", file=sys.stderr)
            lines = [json.loads(line)["text"] for line in docs.read_text(encoding="utf-8").splitlines()]
            worker = per_worker(address, lines)
        finally:
            if head is not None:
                head.stop()

    segments = runs["local"][0]["segments"]
    local_s = statistics.median(r["wall_s"] for r in runs["local"])
    ray_s = statistics.median(r["wall_s"] for r in runs["ray"])
    driver_ceiling = segments / warm["wall_s"]
    # one round trip = two hops of every segment; a worker's rate is per hop, so halve it per segment
    per_worker_rt = worker["actor_seg_per_s"] / 2
    estimate = {n: min(n * per_worker_rt, driver_ceiling) for n in WORKERS}

    print()
    print(f"corpus: {count:,} NTREX documents, {segments:,} segments, en→es→en (Apertium), no cache,")
    print(f"{'analysis included' if args.analyse else 'translation only (--no-terms)'}; medians of {args.repeat} runs")
    print(f"{'executor':<34}{'wall s':>9}{'segments/s':>12}{'ratio':>8}")
    print(f"{'local (threads)':<34}{local_s:>9.1f}{segments / local_s:>12.1f}{1:>8.2f}")
    print(f"{'ray (this machine, --address)':<34}{ray_s:>9.1f}{segments / ray_s:>12.1f}{ray_s / local_s:>8.2f}")
    print(f"output identical (documents.jsonl): {'yes' if same else 'NO'}")
    print()
    print(f"one worker, en→es hop of {worker['segments']:,} segments:")
    print(f"  Apertium here {worker['local_seg_per_s']:.0f} seg/s; one Ray actor {worker['actor_seg_per_s']:.0f} seg/s")
    print(f"  per worker, round trip (2 hops): {per_worker_rt:.0f} seg/s")
    print(f"  driver ceiling (warm cache, everything but translation): {driver_ceiling:.0f} seg/s")
    print(f"  executor: {worker['executor']}")
    print()
    print(f"{'workers':>8}{'est. segments/s':>18}{'limited by':>14}")
    for n, rate in estimate.items():
        print(f"{n:>8}{rate:>18.0f}{'driver' if rate >= driver_ceiling else 'workers':>14}")

    if args.json:
        result = {
            "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
            "documents": count,
            "segments": segments,
            "analyse": args.analyse,
            "runs": runs,
            "local_median_s": local_s,
            "ray_median_s": ray_s,
            "overhead_ratio": ray_s / local_s,
            "identical_output": same,
            "warm_cache_run": warm,
            "driver_ceiling_seg_per_s": driver_ceiling,
            "worker": worker,
            "per_worker_roundtrip_seg_per_s": per_worker_rt,
            "estimate_seg_per_s": estimate,
        }
        args.json.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
