"""Benchmark: the Apertium round trip en→es→en through mtcompare against the bare Apertium pipeline.

All run on the same file (the 1,932 NTREX English sentences by default), side by side in one run,
each in a fresh process timed from start to exit, repeated and interleaved; the table shows the
median wall times and their ratio to the bare pipeline, ``apertium eng-spa < FILE | apertium spa-eng``
(the two processes running at once, as a shell runs them). mtcompare runs as a user runs it, one call
of ``compare.roundtrip(lines, "en", via=[pivot], cache=False, ...)``:

- with the loaded terms traced (matching, alignment, classification) and no metrics;
- with the terms and the CLI's default metrics (BLEU, chrF++, TER);
- translation only (``analyse=False``, the CLI's ``--no-terms``);
- ``mtcompare corpus`` on the same sentences as documents (NTREX's own 119, else 16 lines each),
  with the terms and the metrics, also without a cache.

    .venv/bin/python scripts/bench_roundtrip.py [--file FILE] [--pivot es] [--repeat 3] [--json out.json]

``--code-root DIR`` imports ``compare`` from another checkout (e.g. a ``git worktree`` of an older
commit) to measure it the same way.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from _machine import machine  # noqa: E402  (scripts/_machine.py, beside this script)

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT.parent / "shared" / "corpora" / "ntrex" / "newstest2019-src.eng.txt"


def child(file: Path, pivot: str, metrics: list[str] | None, analyse: bool) -> None:
    """Run in a fresh process: one round trip as a user runs it, printing its times as JSON."""
    started = time.perf_counter()
    import compare

    imported = time.perf_counter()
    lines = [ln for ln in file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    result = compare.roundtrip(lines, "en", via=[pivot], cache=False, analyse=analyse, metrics=metrics)
    done = time.perf_counter()
    assert (result.analysis is not None) == analyse
    print(
        json.dumps(
            {
                "segments": len(lines),
                "import_s": imported - started,
                "roundtrip_s": done - imported,
                "compare_file": compare.__file__,
            }
        )
    )


def run_mtcompare(
    file: Path, pivot: str, metrics: str, code_root: Path | None, analyse: bool = True
) -> tuple[float, dict[str, float]]:
    env = dict(os.environ)
    if code_root is not None:
        env["PYTHONPATH"] = str(code_root) + os.pathsep + env.get("PYTHONPATH", "")
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", "--file", str(file), "--pivot", pivot]
    argv += ["--metrics", metrics] + ([] if analyse else ["--no-analysis"])
    started = time.perf_counter()
    out = subprocess.run(argv, capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - started
    return wall, json.loads(out.stdout.strip().splitlines()[-1])


def corpus_file(file: Path, work: Path) -> Path:
    """The lines of ``file`` as a JSON Lines corpus: NTREX's own documents for the NTREX file, else 16 lines each."""
    lines = [ln for ln in file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    ids_file = file.parent / "DOCUMENT_IDS.tsv"
    ids = ids_file.read_text(encoding="utf-8").splitlines() if ids_file.is_file() else []
    if len(ids) != len(lines):
        ids = [f"doc{i // 16:04d}" for i in range(len(lines))]
    docs: dict[str, list[str]] = {}
    for doc_id, line in zip(ids, lines):
        docs.setdefault(doc_id, []).append(line)
    path = work / "corpus.jsonl"
    with open(path, "w", encoding="utf-8") as fh:
        for doc_id, doc_lines in docs.items():
            fh.write(json.dumps({"id": doc_id, "text": "\n".join(doc_lines)}, ensure_ascii=False) + "\n")
    return path


def run_corpus(corpus: Path, pivot: str, metrics: str, work: Path) -> float:
    """``mtcompare corpus`` on the same sentences as documents: chunks pipelined hop by hop, analysis alongside."""
    out = work / f"out-{time.monotonic_ns()}"
    argv = [sys.executable, "-m", "compare", "corpus", str(corpus), "--via", pivot, "-o", str(out)]
    argv += ["--no-cache", "-q", "--metrics", metrics]
    started = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - started


def run_bare(file: Path, forward: str, back: str) -> float:
    started = time.perf_counter()
    script = 'set -o pipefail; apertium "$1" < "$3" | apertium "$2" > /dev/null'
    subprocess.run(["bash", "-c", script, "bench", forward, back, str(file)], check=True)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=NTREX, help="one sentence a line (default: NTREX English)")
    parser.add_argument("--pivot", default="es")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--metrics",
        default="bleu,chrf,ter",
        help="metrics of the full run, comma-separated (default: bleu,chrf,ter, the CLI's default)",
    )
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--code-root", type=Path, help="import compare from this checkout")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--no-analysis", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        metrics = [] if args.metrics == "none" else args.metrics.split(",")
        child(args.file, args.pivot, metrics, not args.no_analysis)
        return
    if args.code_root is not None:
        sys.path.insert(0, str(args.code_root))
    from compare.backends import load_backend

    backend = load_backend("apertium")
    forward = backend.hop_signature("en", args.pivot).model
    back = backend.hop_signature(args.pivot, "en").model
    runs: dict[str, list[float]] = {"bare": [], "terms": [], "metrics": [], "translation": [], "corpus": []}
    children: dict[str, list[dict[str, float]]] = {"terms": [], "metrics": [], "translation": []}
    variants = {"terms": ("none", True), "metrics": (args.metrics, True), "translation": ("none", False)}
    with tempfile.TemporaryDirectory(prefix="mtcompare-bench-") as tmp:
        corpus = corpus_file(args.file, Path(tmp))
        for _ in range(args.repeat):  # interleaved, so that a busy moment of the machine hits all
            runs["bare"].append(run_bare(args.file, forward, back))
            for name, (metrics, analyse) in variants.items():
                wall, times = run_mtcompare(args.file, args.pivot, metrics, args.code_root, analyse)
                runs[name].append(wall)
                children[name].append(times)
            if args.code_root is None:
                runs["corpus"].append(run_corpus(corpus, args.pivot, args.metrics, Path(tmp)))
    med = {name: statistics.median(times) for name, times in runs.items() if times}
    rows = [
        (f"apertium {forward} | apertium {back}", "bare"),
        ("mtcompare roundtrip: terms traced (matching, alignment,", "terms"),
        ("  classification), no metrics", None),
        (f"mtcompare roundtrip: terms and {args.metrics}", "metrics"),
        ("mtcompare roundtrip: translation only (--no-terms)", "translation"),
        ("mtcompare corpus: terms and metrics, the same lines as documents", "corpus"),
    ]
    segments = children["terms"][0]["segments"]
    print(f"{segments:,} segments from {args.file.name}, median of {args.repeat} runs; {machine()}")
    print(f"compare imported from {Path(children['terms'][0]['compare_file']).parent.parent}")
    print("each run is a fresh process, timed from start to exit (import included)")
    print(f"{'':66} {'wall s':>8} {'× bare':>8}")
    for label, name in rows:
        if name is None:
            print(label)
        elif name in med:
            print(f"{label:66} {med[name]:8.2f} {med[name] / med['bare']:7.2f}×")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "benchmark": "apertium round trip",
                    "file": str(args.file),
                    "segments": segments,
                    "pivot": args.pivot,
                    "metrics": args.metrics,
                    "modes": [forward, back],
                    "repeat": args.repeat,
                    "machine": machine(),
                    "runs_s": runs,
                    "children": children,
                    "median_s": med,
                    "ratio": {name: seconds / med["bare"] for name, seconds in med.items()},
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
