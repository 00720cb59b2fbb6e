"""Benchmark: Apertium over a whole batch in one process run vs one process per segment, and the cache.

Prints a table measured side by side in one run. Reads NTREX English news (../shared/corpora/ntrex)
when present, else the reference article repeated.

    .venv/bin/python scripts/bench_batching.py [--segments 200] [--pair en-es]
"""

from __future__ import annotations

import argparse
import subprocess
import tempfile
import time
from pathlib import Path

from compare.backends import load_backend
from compare.cache import TranslationCache

ROOT = Path(__file__).resolve().parent.parent


def load_segments(n: int) -> list[str]:
    ntrex = ROOT.parent / "shared" / "corpora" / "ntrex" / "newstest2019-src.eng.txt"
    if ntrex.exists():
        lines = [ln.strip() for ln in ntrex.read_text(encoding="utf-8").splitlines() if ln.strip()]
    else:
        from compare.text import segment_text

        article = (ROOT / "corpora" / "tasnim-daesh-relocation.en.txt").read_text(encoding="utf-8")
        lines = [s.text for s in segment_text(article, "en")] * (n // 12 + 1)
    return lines[:n]


def timed(fn) -> tuple[float, object]:  # type: ignore[no-untyped-def]
    start = time.perf_counter()
    out = fn()
    return time.perf_counter() - start, out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--segments", type=int, default=200)
    parser.add_argument("--pair", default="en-es")
    args = parser.parse_args()
    src, tgt = args.pair.split("-")
    segments = load_segments(args.segments)
    backend = load_backend("apertium")
    mode = backend.hop_signature(src, tgt).model

    def per_segment() -> list[str]:
        return [
            subprocess.run(["apertium", "-u", mode], input=s, capture_output=True, text=True, check=True).stdout.strip()
            for s in segments
        ]

    t_single, single = timed(per_segment)
    t_batch, batch = timed(lambda: backend.translate(segments, src, tgt))
    with tempfile.TemporaryDirectory() as tmp, TranslationCache(tmp) as cache:
        t_cold, _ = timed(lambda: backend.translate(segments, src, tgt, cache=cache))
        t_warm, _ = timed(lambda: backend.translate(segments, src, tgt, cache=cache))
    same = sum(a == b.text for a, b in zip(single, batch))  # type: ignore[union-attr]

    rows = [
        ("one apertium process per segment", t_single),
        ("one process for the batch (mtcompare)", t_batch),
        ("batch + cache, first run", t_cold),
        ("batch + cache, second run", t_warm),
    ]
    print(f"Apertium {mode}, {len(segments)} segments; batch output identical on {same}/{len(segments)} segments")
    print(f"{'method':<42} {'seconds':>9} {'segments/s':>11} {'speed-up':>9}")
    for name, secs in rows:
        print(f"{name:<42} {secs:>9.3f} {len(segments) / secs:>11.1f} {t_single / secs:>8.1f}x")


if __name__ == "__main__":
    main()
