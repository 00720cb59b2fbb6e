"""Benchmark: the translation cache — a second identical run spends no time translating.

Two systems, each run twice on the same sentences with the same fresh cache, in one process:

- ``apertium``: the round trip en→es→en of the NTREX English sentences (1,932 by default);
- ``hf``: the same round trip through an opus-mt-shaped Marian model (d_model 512, 6+6 layers, 8
  heads, vocabulary 58,101, random weights, every output forced to ``--length`` tokens so the work
  equals a real model's; built by ``scripts/bench_neural.py``'s builder in a temporary directory) on
  the first ``--hf-sentences`` sentences.

For each run the table splits the wall time into translation (what ``compare.roundtrip`` spends with
``analyse=False``: cache lookups, engine calls, storing) and analysis (``compare.analyse``), and
counts the cache's hits and misses; the target is a second run at least 20x faster than the first
with the hf backend.

    .venv/bin/python scripts/bench_cache.py [--sentences 1932] [--hf-sentences 200] [--json out.json]
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NTREX = ROOT.parent / "shared" / "corpora" / "ntrex" / "newstest2019-src.eng.txt"


def neural_builder() -> object:
    spec = importlib.util.spec_from_file_location("bench_neural", ROOT / "scripts" / "bench_neural.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def timed_run(lines: list[str], backend: object, cache_dir: Path) -> dict[str, float]:
    import compare

    with compare.TranslationCache(cache_dir) as cache:
        started = time.perf_counter()
        result = compare.roundtrip(lines, "en", via=["es"], backends=[backend], cache=cache, analyse=False)
        translated = time.perf_counter()
        compare.analyse(result)
        analysed = time.perf_counter()
        return {
            "translate_s": translated - started,
            "analyse_s": analysed - translated,
            "hits": cache.hits,
            "misses": cache.misses,
        }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sentences", type=int, default=1932)
    parser.add_argument("--hf-sentences", type=int, default=200)
    parser.add_argument("--length", type=int, default=40, help="output tokens of every hf translation")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "bench_cache.json")
    opts = parser.parse_args()

    import compare

    lines = [ln for ln in NTREX.read_text(encoding="utf-8").splitlines() if ln.strip()]
    rows = []
    with tempfile.TemporaryDirectory(prefix="mtcompare-cache-bench-") as tmp:
        work = Path(tmp)
        systems: list[tuple[str, object, list[str]]] = [
            ("apertium", compare.load_backend("apertium"), lines[: opts.sentences])
        ]
        try:
            model = neural_builder().build(work, opts.length)  # type: ignore[attr-defined]
        except ImportError as exc:
            print(f"hf skipped: {exc}", file=sys.stderr)
        else:
            backend = compare.load_backend(f"hf:{model}", device="cpu", max_length=opts.length)
            systems.append(("hf (opus-mt-shaped)", backend, lines[: opts.hf_sentences]))
        for name, backend, texts in systems:
            cache_dir = work / f"cache-{len(rows)}"
            first = timed_run(texts, backend, cache_dir)
            second = timed_run(texts, backend, cache_dir)
            rows.append({"system": name, "segments": len(texts), "first": first, "second": second})
            print(f"{name}: {first['translate_s']:.2f} s then {second['translate_s']:.3f} s", file=sys.stderr)

    machine = f"{platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}"
    print(f"\nTranslation cache, round trip en→es→en, each system twice on one fresh cache; {machine}\n")
    print(f"{'system':<22} {'run':<7} {'segments':>8} {'translate s':>11} {'analyse s':>9} {'hits':>6} {'misses':>6}")
    for r in rows:
        for run in ("first", "second"):
            d = r[run]
            print(
                f"{r['system']:<22} {run:<7} {r['segments']:>8,} {d['translate_s']:>11.3f} {d['analyse_s']:>9.2f} "
                f"{d['hits']:>6,} {d['misses']:>6,}"
            )
        speedup = r["first"]["translate_s"] / max(r["second"]["translate_s"], 1e-9)
        r["translation_speedup"] = speedup
        print(f"{'':<22} second run's translation {speedup:,.0f}x faster")
    opts.json.write_text(json.dumps({"machine": machine, "rows": rows}, indent=2) + "\n")
    print(f"\n(JSON: {opts.json})")


if __name__ == "__main__":
    main()
