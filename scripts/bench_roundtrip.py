"""Benchmark: the Apertium round trip en→es→en through mtcompare against the bare Apertium pipeline.

Both run on the same file (the 1,932 NTREX English sentences by default), side by side in one run,
each in a fresh process, repeated and interleaved; the table shows the median wall times and their
ratio. mtcompare runs ``compare.roundtrip(lines, "en", via=[pivot], cache=False)`` with the analysis
(term matching, alignment, classification, BLEU/chrF++/TER), its process timed from start to exit;
its own split (import, translation, analysis) is shown below. ``mtcompare corpus`` runs the same
sentences as documents (NTREX's own 119, else 16 lines each), its chunks pipelined hop by hop with the
analysis alongside, also without a cache. The bare pipeline is
``apertium eng-spa < FILE | apertium spa-eng``, the two processes running at once as a shell runs them.

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


def child(file: Path, pivot: str, metrics: list[str] | None) -> None:
    """Run in a fresh process: one round trip with analysis, printing the split as JSON."""
    started = time.perf_counter()
    import compare

    imported = time.perf_counter()
    lines = [ln for ln in file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    result = compare.roundtrip(lines, "en", via=[pivot], cache=False, analyse=False)
    translated = time.perf_counter()
    analysed = compare.analyse(result, metrics=metrics)
    done = time.perf_counter()
    assert analysed.analysis is not None
    print(
        json.dumps(
            {
                "segments": len(lines),
                "import_s": imported - started,
                "translate_s": translated - imported,
                "analyse_s": done - translated,
                "compare_file": compare.__file__,
            }
        )
    )


def run_mtcompare(file: Path, pivot: str, metrics: str, code_root: Path | None) -> tuple[float, dict[str, float]]:
    env = dict(os.environ)
    if code_root is not None:
        env["PYTHONPATH"] = str(code_root) + os.pathsep + env.get("PYTHONPATH", "")
    argv = [sys.executable, str(Path(__file__).resolve()), "--child", "--file", str(file), "--pivot", pivot]
    argv += ["--metrics", metrics]
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
        "--metrics", default="bleu,chrf,ter", help="metrics of the analysis, comma-separated, or 'none' (default: all)"
    )
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--code-root", type=Path, help="import compare from this checkout")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.file, args.pivot, None if args.metrics == "none" else args.metrics.split(","))
        return
    if args.code_root is not None:
        sys.path.insert(0, str(args.code_root))
    from compare.backends import load_backend

    backend = load_backend("apertium")
    forward = backend.hop_signature("en", args.pivot).model
    back = backend.hop_signature(args.pivot, "en").model
    bare: list[float] = []
    ours: list[float] = []
    corpus_runs: list[float] = []
    splits: list[dict[str, float]] = []
    with tempfile.TemporaryDirectory(prefix="mtcompare-bench-") as tmp:
        corpus = corpus_file(args.file, Path(tmp))
        for _ in range(args.repeat):  # interleaved, so that a busy moment of the machine hits all
            bare.append(run_bare(args.file, forward, back))
            wall, split = run_mtcompare(args.file, args.pivot, args.metrics, args.code_root)
            ours.append(wall)
            splits.append(split)
            if args.code_root is None:
                corpus_runs.append(run_corpus(corpus, args.pivot, args.metrics, Path(tmp)))
    med_bare, med_ours = statistics.median(bare), statistics.median(ours)
    split = {k: statistics.median(s[k] for s in splits) for k in ("import_s", "translate_s", "analyse_s")}
    rows: list[tuple[str, float | None, float | None]] = [
        (f"apertium {forward} | apertium {back}", med_bare, 1.0),
        (f"mtcompare en>{args.pivot}>en, analysis included", med_ours, med_ours / med_bare),
        (f"  (analysis metrics: {args.metrics})", None, None),
        ("  of which: import", split["import_s"], split["import_s"] / med_bare),
        ("  of which: translation (2 hops)", split["translate_s"], split["translate_s"] / med_bare),
        ("  of which: analysis", split["analyse_s"], split["analyse_s"] / med_bare),
    ]
    if corpus_runs:
        med_corpus = statistics.median(corpus_runs)
        rows.append(("mtcompare corpus (the same lines as documents)", med_corpus, med_corpus / med_bare))
    segments = splits[0]["segments"]
    print(f"{segments:,} segments from {args.file.name}, median of {args.repeat} runs; {machine()}")
    print(f"compare imported from {Path(splits[0]['compare_file']).parent.parent}")
    print(f"{'':52} {'wall s':>8} {'× bare':>8}")
    for name, seconds, ratio in rows:
        print(f"{name:52}" if seconds is None else f"{name:52} {seconds:8.2f} {ratio:7.2f}×")
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
                    "compare_root": str(Path(splits[0]["compare_file"]).parent.parent),
                    "bare_s": bare,
                    "mtcompare_s": ours,
                    "mtcompare_split": splits,
                    "median_bare_s": med_bare,
                    "median_mtcompare_s": med_ours,
                    "ratio": med_ours / med_bare,
                    "mtcompare_corpus_s": corpus_runs,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
