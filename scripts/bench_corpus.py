"""Benchmark: corpus runs — documents/s, peak memory as the corpus grows, and the cost of resuming.

Every run is ``mtcompare corpus INPUT --via es -o OUT`` (Apertium, analysis and metrics included) in a
fresh process with a fresh translation cache, its peak RSS read from ``/proc/PID/status`` (VmHWM of
the mtcompare process; Apertium's own processes are not counted). The corpora are built from the
NTREX English sentences (``../shared/corpora/ntrex``):

- ``ntrex``: the 119 NTREX documents (1,932 sentences);
- ``ntrex x10``: the same documents ten times over, under other ids (10x the documents and segments;
  repeated segments are translated once and then found in the cache);
- ``10k``: 10,000 documents of 1 to 4 consecutive NTREX sentences each;
- ``10k resumed``: the 10k run killed (SIGKILL) once half its documents are written, then run again;
  the table shows the second run's time, and the files must be byte-identical to the whole run's.

    .venv/bin/python scripts/bench_corpus.py [--docs 10000] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT.parent / "shared" / "corpora" / "ntrex"
MTCOMPARE = [sys.executable, "-m", "compare"]


def ntrex_documents() -> list[tuple[str, list[str]]]:
    lines = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    ids = (NTREX / "DOCUMENT_IDS.tsv").read_text(encoding="utf-8").splitlines()
    docs: dict[str, list[str]] = {}
    for doc_id, line in zip(ids, lines):
        docs.setdefault(doc_id, []).append(line)
    return list(docs.items())


def write_corpus(path: Path, docs: list[tuple[str, list[str]]]) -> int:
    with open(path, "w", encoding="utf-8") as fh:
        for doc_id, sentences in docs:
            fh.write(json.dumps({"id": doc_id, "text": "\n".join(sentences)}, ensure_ascii=False) + "\n")
    return sum(len(s) for _, s in docs)


def windows(count: int) -> list[tuple[str, list[str]]]:
    lines = (NTREX / "newstest2019-src.eng.txt").read_text(encoding="utf-8").splitlines()
    out = []
    for i in range(count):
        start = (i * 7) % len(lines)
        out.append((f"w{i:05d}", lines[start : start + 1 + i % 4]))
    return out


def peak_rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def run(corpus: Path, out: Path, cache: Path, kill_at: int | None = None) -> dict[str, float]:
    """One ``mtcompare corpus`` run; with ``kill_at``, SIGKILL once that many documents are written."""
    args = [*MTCOMPARE, "corpus", str(corpus), "--via", "es", "-o", str(out), "--cache-dir", str(cache), "-q"]
    started = time.perf_counter()
    proc = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    docs_file = out / "documents.jsonl"
    killed = False
    while proc.poll() is None:
        peak = max(peak, peak_rss_kb(proc.pid))
        if kill_at is not None and docs_file.exists():
            with open(docs_file, "rb") as fh:
                if sum(1 for _ in fh) >= kill_at:
                    os.kill(proc.pid, signal.SIGKILL)
                    killed = True
        time.sleep(0.05)
    elapsed = time.perf_counter() - started
    if not killed and proc.returncode != 0:
        raise SystemExit(f"mtcompare corpus failed: {proc.stderr.read() if proc.stderr else ''}")
    return {"seconds": elapsed, "peak_rss_mb": peak / 1024}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--docs", type=int, default=10000, help="documents of the large corpus")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "bench_corpus.json")
    opts = parser.parse_args()

    rows = []
    with tempfile.TemporaryDirectory(prefix="mtcompare-bench-") as tmp:
        work = Path(tmp)
        base = ntrex_documents()
        corpora = {
            "ntrex": base,
            "ntrex x10": [(f"{doc_id}#{k}", s) for k in range(10) for doc_id, s in base],
            f"{opts.docs // 1000}k": windows(opts.docs),
        }
        for name, docs in corpora.items():
            path = work / f"{name.replace(' ', '_')}.jsonl"
            segments = write_corpus(path, docs)
            out = work / f"out-{path.stem}"
            result = run(path, out, work / f"cache-{path.stem}")
            rows.append({"run": name, "documents": len(docs), "sentences": segments, **result})
            print(f"{name}: {result['seconds']:.1f} s, {result['peak_rss_mb']:.0f} MB", file=sys.stderr)
        # Kill the large run at half its documents, then run it again.
        name = f"{opts.docs // 1000}k"
        path = work / f"{name}.jsonl"
        whole = work / f"out-{name}"
        broken, cache = work / "out-resumed", work / "cache-resumed"
        first = run(path, broken, cache, kill_at=opts.docs // 2)
        with open(broken / "documents.jsonl", "rb") as fh:
            kept = sum(1 for _ in fh)
        again = run(path, broken, cache)
        same = all((broken / f).read_bytes() == (whole / f).read_bytes() for f in ("documents.jsonl", "summary.json"))
        rows.append(
            {
                "run": f"{name} resumed",
                "documents": opts.docs,
                "sentences": rows[-1]["sentences"],
                "killed_after_s": first["seconds"],
                "kept_documents": kept,
                "identical": same,
                **again,
            }
        )

    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"\nCorpus runs (mtcompare corpus --via es, Apertium, analysis included); {machine}\n")
    print(f"{'run':<14} {'documents':>9} {'sentences':>9} {'seconds':>8} {'docs/s':>7} {'peak RSS':>9}")
    for r in rows:
        print(
            f"{r['run']:<14} {r['documents']:>9,} {r['sentences']:>9,} {r['seconds']:>8.1f} "
            f"{r['documents'] / r['seconds']:>7.1f} {r['peak_rss_mb']:>6.0f} MB"
        )
    resumed = rows[-1]
    whole_s = rows[-2]["seconds"]
    print(
        f"\nresume: killed after {resumed['killed_after_s']:.1f} s with {resumed['kept_documents']:,} documents "
        f"written; the second run took {resumed['seconds']:.1f} s ({resumed['seconds'] / whole_s:.0%} of a whole "
        f"run); files identical to the whole run's: {resumed['identical']}"
    )
    opts.json.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    print(f"\n(JSON: {opts.json})")


if __name__ == "__main__":
    main()
