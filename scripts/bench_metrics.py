"""Benchmark: sacrebleu's TER against compare.metrics.ter's FastTER (same numbers), side by side in one run.

The pairs are the NTREX English sentences (``../shared/corpora/ntrex``, 1,932) and their Apertium
round trips through Spanish (``apertium eng-spa | apertium spa-eng``, made once at the start, or
read from ``--backs``). Each metric's ``corpus_score`` over all pairs is timed ``--repeat`` times,
the implementations interleaved; the table shows the median and the best time and the ratio of the
medians, and checks that the scores, the per-segment statistics and the signatures are identical.

    .venv/bin/python scripts/bench_metrics.py [--repeat 5] [--backs FILE] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from _machine import machine  # noqa: E402  (scripts/_machine.py, beside this script)

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT.parent / "shared" / "corpora" / "ntrex" / "newstest2019-src.eng.txt"


def round_trips(sources: list[str]) -> list[str]:
    text = "".join(line + "\n" for line in sources).encode("utf-8")
    spanish = subprocess.run(["apertium", "eng-spa"], input=text, capture_output=True, check=True).stdout
    back = subprocess.run(["apertium", "spa-eng"], input=spanish, capture_output=True, check=True).stdout
    backs = back.decode("utf-8").splitlines()
    if len(backs) != len(sources):
        raise SystemExit(f"apertium gave {len(backs)} lines for {len(sources)}")
    return backs


def pairs_of_metrics() -> list[tuple[str, Callable[[], Any], Callable[[], Any]]]:
    """``(name, sacrebleu's metric, ours)`` for each metric compared."""
    from sacrebleu.metrics import TER

    from compare.metrics.ter import fast_ter

    return [("TER", TER, fast_ter)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--backs", type=Path, help="round trips of the NTREX lines, one a line (default: run apertium)")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "bench_metrics.json")
    opts = parser.parse_args()

    sources = NTREX.read_text(encoding="utf-8").splitlines()
    backs = opts.backs.read_text(encoding="utf-8").splitlines() if opts.backs else round_trips(sources)
    if len(backs) != len(sources):
        raise SystemExit(f"{len(backs)} round trips for {len(sources)} sources")
    host = machine()
    print(f"{len(sources):,} NTREX sentence pairs (source, Apertium eng-spa-eng round trip); {host}")

    rows = []
    for name, theirs, ours in pairs_of_metrics():
        times: dict[str, list[float]] = {"sacrebleu": [], "ours": []}
        results: dict[str, Any] = {}
        for _ in range(opts.repeat):
            for label, make in (("sacrebleu", theirs), ("ours", ours)):
                metric = make()
                started = time.perf_counter()
                score = metric.corpus_score(backs, [sources])
                times[label].append(time.perf_counter() - started)
                results[label] = (metric, score)
        (m_theirs, s_theirs), (m_ours, s_ours) = results["sacrebleu"], results["ours"]
        stats_equal = m_theirs._extract_corpus_statistics(backs, [sources]) == m_ours._extract_corpus_statistics(
            backs, [sources]
        )
        identical = (
            str(s_theirs) == str(s_ours)
            and s_theirs.score == s_ours.score
            and str(m_theirs.get_signature()) == str(m_ours.get_signature())
            and stats_equal
        )
        median_theirs, median_ours = statistics.median(times["sacrebleu"]), statistics.median(times["ours"])
        rows.append(
            {
                "metric": name,
                "score": s_ours.score,
                "signature": str(m_ours.get_signature()),
                "sacrebleu_median_s": median_theirs,
                "sacrebleu_best_s": min(times["sacrebleu"]),
                "ours_median_s": median_ours,
                "ours_best_s": min(times["ours"]),
                "speedup": median_theirs / median_ours,
                "identical": identical,
            }
        )

    print()
    print("| metric | score | sacrebleu (median / best) | ours (median / best) | speed-up | identical |")
    print("|---|---:|---:|---:|---:|---|")
    for r in rows:
        print(
            f"| {r['metric']} | {r['score']:.2f} | {r['sacrebleu_median_s']:.3f} s / {r['sacrebleu_best_s']:.3f} s "
            f"| {r['ours_median_s']:.3f} s / {r['ours_best_s']:.3f} s | {r['speedup']:.1f}x "
            f"| {'yes' if r['identical'] else 'NO'} |"
        )
    opts.json.write_text(
        json.dumps({"machine": host, "pairs": len(sources), "repeat": opts.repeat, "rows": rows}, indent=2) + "\n"
    )
    print(f"\n(JSON: {opts.json})")
    if not all(r["identical"] for r in rows):
        raise SystemExit("scores differ")


if __name__ == "__main__":
    main()
