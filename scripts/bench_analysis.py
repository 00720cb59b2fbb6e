"""Benchmark: the analysis alone (term matching, alignment, classification) of an Apertium round trip.

The 1,932 NTREX English sentences (by default) are translated en→es→en with Apertium once, through
``compare.roundtrip(..., analyse=False)`` with a translation cache under /tmp, and the result is saved
as JSON. Each repeat then runs in a fresh process, pinned to one core where the system allows it
(``os.sched_setaffinity``), reads the saved result back and times, side by side:

* ``start-up``: analysing one segment that holds a loaded term first (the lexicon, the matchers,
  the lemmatiser dictionaries of source and pivot and the stop-word lists load here);
* ``terms``: ``compare.analyse(result, metrics=None, statistics=False)``: matching, alignment and
  classification of every segment, the word caches still cold;
* ``terms, again``: the same call once more (every word seen before);
* ``terms + statistics``: ``compare.analyse(result, metrics=None)`` (adds the bootstrap CIs);
* ``everything``: ``compare.analyse(result)`` with the default metrics (BLEU, chrF++, TER).

The target, at least 5,000 segments/s on one core, is for ``terms``; rates are segments per CPU
second of the pinned process (its wall time also shows, and suffers when other jobs share the
machine). Peak RSS is the child's ``ru_maxrss``. A second kind of child builds a matcher for every
language the lexicon covers (their lemmatiser dictionaries load), for comparison; a third analyses the
corpus repeated ``--scale`` times (default 10) once, metrics included, for its peak RSS. A digest of
the analysis (shifts, scores and statistics, not the signature) is printed so that two checkouts can
be compared for identical results (``--baseline DIR``: another checkout measured in the same run).

    .venv/bin/python scripts/bench_analysis.py [--file FILE] [--pivot es] [--repeat 3] [--scale 10]
        [--baseline DIR] [--json out.json]

``--code-root DIR`` imports ``compare`` from another checkout (e.g. a ``git worktree`` of an older
commit) to measure it the same way.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from _machine import machine  # noqa: E402  (scripts/_machine.py, beside this script)

ROOT = Path(__file__).resolve().parent.parent
NTREX = ROOT.parent / "shared" / "corpora" / "ntrex" / "newstest2019-src.eng.txt"
TARGET = 5000.0
WORK = Path("/tmp/mtcompare-bench-analysis")


def pin() -> str:
    """Pin this process to one core; say which, or why not."""
    if not hasattr(os, "sched_setaffinity"):
        return "not pinned (no sched_setaffinity here)"
    cores = sorted(os.sched_getaffinity(0))
    os.sched_setaffinity(0, {cores[0]})
    return f"pinned to core {cores[0]}"


def peak_rss_mb() -> float:
    """This process's peak resident set size in MB (``ru_maxrss`` is in KiB on Linux, bytes on macOS)."""
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def digest(result: Any) -> str:
    """sha256 (16 hex digits) of the analysis without its signature: shifts, scores, statistics."""
    d = result.analysis.to_dict()
    d.pop("signature", None)
    return hashlib.sha256(json.dumps(d, sort_keys=True, ensure_ascii=False).encode("utf-8")).hexdigest()[:16]


STEPS = ("startup", "terms", "terms_again", "terms_stats", "full")


def child(saved: Path) -> None:
    """In a fresh process: time the analysis of the saved result; print the split as JSON."""
    pinned = pin()
    loaded = record_dictionary_loads()
    started = time.perf_counter()
    import compare

    imported = time.perf_counter()
    result = compare.RoundTrip.from_dict(json.loads(saved.read_text(encoding="utf-8")))
    one = compare.RoundTrip.from_dict(json.loads((saved.parent / "one.json").read_text(encoding="utf-8")))
    calls = {
        "startup": lambda: compare.analyse(one, metrics=None, statistics=False),
        "terms": lambda: compare.analyse(result, metrics=None, statistics=False),
        "terms_again": lambda: compare.analyse(result, metrics=None, statistics=False),
        "terms_stats": lambda: compare.analyse(result, metrics=None),
        "full": lambda: compare.analyse(result),
    }
    wall: dict[str, float] = {}
    cpu: dict[str, float] = {}
    out: dict[str, Any] = {}
    for step in STEPS:
        w, c = time.perf_counter(), time.process_time()
        out[step] = calls[step]()
        wall[step], cpu[step] = time.perf_counter() - w, time.process_time() - c
    print(
        json.dumps(
            {
                "pinned": pinned,
                "segments": len(result.segments),
                "shifts": len(out["terms"].analysis.shifts),
                "import_s": imported - started,
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_rss_mb": peak_rss_mb(),
                "lemmatiser_languages": loaded,
                "digest_terms": digest(out["terms"]),
                "digest_stats": digest(out["terms_stats"]),
                "digest_full": digest(out["full"]),
                "compare_file": compare.__file__,
            }
        )
    )


def record_dictionary_loads() -> list[str]:
    """A list that fills with the language of each simplemma dictionary read from disk (in order),
    held as a dict or as a compressed stream (both read it through ``_read_decompressed``)."""
    from simplemma.strategies.dictionaries import dictionary_factory, stream_dictionary_factory

    loaded: list[str] = []
    read = dictionary_factory._read_decompressed

    def recording(langcode: str) -> Any:
        loaded.append(langcode)
        return read(langcode)

    dictionary_factory._read_decompressed = recording
    stream_dictionary_factory._read_decompressed = recording
    return loaded


def child_all_languages() -> None:
    """In a fresh process: load every language the lexicon covers (a matcher each); print peak RSS."""
    pin()
    loaded = record_dictionary_loads()
    import compare

    lexicon = compare.Lexicon.default()
    langs = sorted(lexicon.languages) if hasattr(lexicon, "languages") else []
    for lang in langs:
        compare.find_terms("The regime and the terrorists.", lang, lexicon)
    print(json.dumps({"languages": langs, "lemmatiser_languages": loaded, "peak_rss_mb": peak_rss_mb()}))


def child_scaled(saved: Path, scale: int) -> None:
    """In a fresh process: the whole analysis (metrics included) of the saved result with its segments
    repeated ``scale`` times; print the time and peak RSS as JSON."""
    pin()
    import compare
    from compare.results import Hop

    result = compare.RoundTrip.from_dict(json.loads(saved.read_text(encoding="utf-8")))
    count = len(result.segments)
    segments = [
        replace(s, id=k * count + s.id, document=f"{s.document}#{k}") for k in range(scale) for s in result.segments
    ]

    def repeated(hop: Hop) -> Hop:
        return replace(
            hop,
            segments=tuple(hop.segments) * scale,
            unknown=tuple(hop.unknown) * scale,
            alignment=tuple(hop.alignment) * scale,
        )

    paths = tuple(replace(p, hops=tuple(repeated(h) for h in p.hops)) for p in result.paths)
    bigger = replace(result, segments=tuple(segments), paths=paths)
    rss_before = peak_rss_mb()
    w, c = time.perf_counter(), time.process_time()
    analysed = compare.analyse(bigger)
    wall, cpu = time.perf_counter() - w, time.process_time() - c
    print(
        json.dumps(
            {
                "scale": scale,
                "segments": len(segments),
                "shifts": len(analysed.analysis.shifts),
                "wall_s": wall,
                "cpu_s": cpu,
                "peak_rss_mb_before": rss_before,
                "peak_rss_mb": peak_rss_mb(),
            }
        )
    )


def prepare(file: Path, pivot: str, work: Path) -> Path:
    """Translate ``file`` en→pivot→en once (cached) and save the result, and a one-segment result.

    The one segment is the first that holds a loaded term, so that analysing it loads everything the
    whole analysis needs (the matchers and lemmatiser dictionaries of the source and the pivot).
    """
    import compare

    work.mkdir(parents=True, exist_ok=True)
    lines = [ln for ln in file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    cache = work / "cache"
    result = compare.roundtrip(lines, "en", via=[pivot], cache=str(cache), analyse=False)
    saved = work / f"result-{pivot}.json"
    saved.write_text(json.dumps(result.to_dict(), ensure_ascii=False), encoding="utf-8")
    first = next((ln for ln in lines if compare.find_terms(ln, "en")), lines[0])
    one = compare.roundtrip([first], "en", via=[pivot], cache=str(cache), analyse=False)
    (work / "one.json").write_text(json.dumps(one.to_dict(), ensure_ascii=False), encoding="utf-8")
    return saved


def run_child(argv: list[str], code_root: Path | None) -> dict[str, Any]:
    env = dict(os.environ)
    if code_root is not None:
        env["PYTHONPATH"] = str(code_root) + os.pathsep + env.get("PYTHONPATH", "")
    out = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), *argv], capture_output=True, text=True, env=env, check=False
    )
    if out.returncode != 0:
        sys.exit(f"benchmark child failed:\n{out.stderr}")
    return json.loads(out.stdout.strip().splitlines()[-1])


LABELS = {
    "startup": "start-up: one segment with a term (lexicon, lemmatiser, stop words)",
    "terms": "terms: matching, alignment, classification",
    "terms_again": "terms, again (word caches warm)",
    "terms_stats": "terms + statistics (bootstrap CIs)",
    "full": "everything: + BLEU, chrF++, TER",
}


def summarise(runs: list[dict[str, Any]]) -> dict[str, dict[str, float]]:
    """Median wall and CPU seconds of each step over ``runs``."""
    return {
        step: {
            "wall_s": statistics.median(r["wall_s"][step] for r in runs),
            "cpu_s": statistics.median(r["cpu_s"][step] for r in runs),
        }
        for step in STEPS
    }


def table(title: str, runs: list[dict[str, Any]], baseline: dict[str, dict[str, float]] | None = None) -> None:
    """Print one checkout's medians; with ``baseline``, the CPU-time speed-up against it."""
    med = summarise(runs)
    segments = runs[0]["segments"]
    print(f"{title}: compare from {Path(runs[0]['compare_file']).parent.parent}")
    extra = f" {'speed-up':>8}" if baseline else ""
    print(f"{'':68} {'segments':>8} {'wall s':>7} {'CPU s':>7} {'seg/s':>7} {'target':>6}{extra}")
    for step in STEPS:
        count = 1 if step == "startup" else segments
        wall, cpu = med[step]["wall_s"], med[step]["cpu_s"]
        rate = f"{count / cpu:7,.0f}" if cpu > 0 else f"{'-':>7}"
        target = f"{TARGET:6,.0f}" if step == "terms" else ""
        line = f"{LABELS[step]:68} {count:8,} {wall:7.3f} {cpu:7.3f} {rate} {target:>6}"
        if baseline:
            line += f" {baseline[step]['cpu_s'] / cpu:7.2f}x" if cpu > 0 else ""
        print(line)
    rss = statistics.median(r["peak_rss_mb"] for r in runs)
    loaded = ", ".join(runs[0]["lemmatiser_languages"]) or "none"
    print(f"peak RSS {rss:.0f} MB; lemmatiser dictionaries loaded: {loaded}; {runs[0]['shifts']} shift rows")
    digests = {(r["digest_terms"], r["digest_stats"], r["digest_full"]) for r in runs}
    print(f"analysis digests (terms, +statistics, +metrics): {', '.join(sorted(digests)[0])}")
    if len(digests) != 1:
        print("WARNING: the analysis differed between runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=NTREX, help="one sentence a line (default: NTREX English)")
    parser.add_argument("--pivot", default="es")
    parser.add_argument("--repeat", type=int, default=3, help="fresh processes (default 3); medians are shown")
    parser.add_argument("--work", type=Path, default=WORK, help=f"translation cache and saved result ({WORK})")
    parser.add_argument("--json", type=Path, help="write the measurements here")
    parser.add_argument("--code-root", type=Path, help="import compare from this checkout")
    parser.add_argument(
        "--baseline", type=Path, help="also measure the compare of this checkout, interleaved, and compare"
    )
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--child-all", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument(
        "--scale", type=int, default=10, help="also analyse the corpus repeated this many times, once (0: skip)"
    )
    parser.add_argument("--child-scale", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child is not None and args.child_scale:
        child_scaled(args.child, args.child_scale)
        return
    if args.child is not None:
        child(args.child)
        return
    if args.child_all:
        child_all_languages()
        return
    saved = prepare(args.file, args.pivot, args.work)
    runs: list[dict[str, Any]] = []
    base: list[dict[str, Any]] = []
    for _ in range(args.repeat):  # interleaved, so that a busy moment of the machine hits both
        runs.append(run_child(["--child", str(saved)], args.code_root))
        if args.baseline is not None:
            base.append(run_child(["--child", str(saved)], args.baseline))
    every = run_child(["--child-all"], args.code_root)
    every_base = run_child(["--child-all"], args.baseline) if args.baseline is not None else None
    scaled = None
    if args.scale > 1:
        scaled = run_child(["--child", str(saved), "--child-scale", str(args.scale)], args.code_root)
    segments = runs[0]["segments"]
    print(
        f"{segments:,} segments from {args.file.name}, en>{args.pivot}>en (apertium), median of {args.repeat} "
        f"fresh processes, {runs[0]['pinned']}; {machine()}"
    )
    print("seg/s = segments / CPU seconds of the process (wall time suffers from other load on the machine)")
    if base:
        table("baseline", base)
        print()
    table("this checkout", runs, summarise(base) if base else None)
    print(
        f"every lexicon language's matcher loaded ({len(every['languages'])} languages, "
        f"{len(every['lemmatiser_languages'])} lemmatiser dictionaries): peak RSS {every['peak_rss_mb']:.0f} MB"
        + (f" (baseline: {every_base['peak_rss_mb']:.0f} MB)" if every_base else "")
    )
    if scaled is not None:
        print(
            f"the corpus repeated {scaled['scale']} times ({scaled['segments']:,} segments, one run, metrics "
            f"included): {scaled['segments'] / scaled['cpu_s']:,.0f} segments per CPU second, peak RSS "
            f"{scaled['peak_rss_mb']:.0f} MB ({scaled['peak_rss_mb_before']:.0f} MB with the result read)"
        )
    if base and (base[0]["digest_terms"], base[0]["digest_full"]) != (runs[0]["digest_terms"], runs[0]["digest_full"]):
        print("WARNING: the baseline's analysis differs from this checkout's")
    if args.json:
        med = summarise(runs)
        args.json.write_text(
            json.dumps(
                {
                    "benchmark": "analysis alone",
                    "file": str(args.file),
                    "segments": segments,
                    "pivot": args.pivot,
                    "repeat": args.repeat,
                    "machine": machine(),
                    "pinned": runs[0]["pinned"],
                    "target_segments_per_s": TARGET,
                    "compare_root": str(Path(runs[0]["compare_file"]).parent.parent),
                    "median": med,
                    "terms_segments_per_cpu_s": segments / med["terms"]["cpu_s"],
                    "peak_rss_mb": statistics.median(r["peak_rss_mb"] for r in runs),
                    "all_languages": every,
                    "all_languages_baseline": every_base,
                    "scaled": scaled,
                    "runs": runs,
                    "baseline": {"median": summarise(base), "runs": base} if base else None,
                },
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"written {args.json}")


if __name__ == "__main__":
    main()
