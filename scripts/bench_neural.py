"""Benchmark: mtcompare's hf and ct2 backends against a plain transformers ``generate`` loop, on CPU.

The model has the shape of an OPUS-MT model (Marian, d_model 512, 6+6 layers, 8 heads, a vocabulary
of 58,101 like opus-mt-en-de), with random weights, built in a temporary directory (never committed).
Its tokenizer is a real MarianTokenizer: a SentencePiece vocabulary trained on the NTREX English and
Spanish sentences, filled up to the model's vocabulary size. Every output is forced to the same
length (the model's generation config sets ``min_new_tokens``; ``--length`` tokens, which is also
``max_length``), so each system does the work a real model does on real sentences, whatever the
random weights would have said.

Measured side by side in one run, on the same sentences (NTREX English by default): the sentences
are cut into chunks of ``--chunk`` and every system translates each chunk in turn (the order rotating
from chunk to chunk), so a load that comes and goes on the machine falls on all of them alike; a
system's time is the sum over the chunks (the fastest of ``--repeat`` rounds).

- ``plain``: the loop everyone writes — tokenizer(batch of ``--batch-size`` in input order, truncated
  at ``--length`` tokens as the backends truncate at their ``max_length``),
  ``model.generate(num_beams, max_new_tokens)``, ``batch_decode``;
- ``hf``: ``compare.load_backend("hf:DIR").translate(...)`` without a cache, with word alignment
  from cross-attention (the default) and without (``align=off``);
- ``ct2 float32`` and ``ct2 int8``: the model converted with ``mtcompare models convert`` and
  translated through ``ct2:DIR`` (threads: the usable cores).

Segments/s and output tokens/s, and each one's speed relative to the plain loop. Targets: hf at most
1.1x the plain loop's time, ct2 int8 at least 3x as fast.

    .venv/bin/python scripts/bench_neural.py [--sentences 160] [--beams 4] [--length 40] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import tempfile
import time
import warnings
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
NTREX = ROOT.parent / "shared" / "corpora" / "ntrex"
ENGLISH = NTREX / "newstest2019-src.eng.txt"
SPANISH = NTREX / "newstest2019-ref.spa.txt"


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def build(work: Path, length: int) -> Path:
    """The opus-mt-shaped Marian model and its tokenizer, in ``work/opus-shaped``."""
    from tests.hf_model import OPUS_MT_ARCHITECTURE, OPUS_MT_VOCAB, build_tiny_marian

    corpus = [p for p in (ENGLISH, SPANISH) if p.is_file()]
    return build_tiny_marian(
        work / "opus-shaped",
        architecture=OPUS_MT_ARCHITECTURE,
        vocab_size=OPUS_MT_VOCAB,
        corpus=corpus,
        pieces=8000,
        fixed_length=length,
    )


def plain_loop(model_dir: Path, beams: int, length: int, batch_size: int) -> Callable[[list[str]], list[str]]:
    import torch
    from transformers import AutoModelForSeq2SeqLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    model = AutoModelForSeq2SeqLM.from_pretrained(model_dir).eval()

    def run(texts: list[str]) -> list[str]:
        out: list[str] = []
        with torch.inference_mode():
            for start in range(0, len(texts), batch_size):
                batch = tokenizer(
                    texts[start : start + batch_size],
                    return_tensors="pt",
                    padding=True,
                    truncation=True,
                    max_length=length,  # as the backends do: max_length bounds the input too
                )
                ids = model.generate(**batch, num_beams=beams, max_new_tokens=length)
                out.extend(tokenizer.batch_decode(ids, skip_special_tokens=True))
        return out

    return run


def backend_run(spec: str, **options: object) -> Callable[[list[str]], list[str]]:
    from compare import load_backend

    backend = load_backend(spec, **options)

    def run(texts: list[str]) -> list[str]:
        return [t.text for t in backend.translate(texts, "en", "es")]

    return run


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--file", type=Path, default=ENGLISH, help="one sentence a line (default: NTREX English)")
    parser.add_argument("--sentences", type=int, default=160, help="the first N sentences of the file")
    parser.add_argument("--beams", type=int, default=4)
    parser.add_argument("--length", type=int, default=40, help="every output's length in tokens")
    parser.add_argument("--batch-size", type=int, default=16)
    parser.add_argument("--chunk", type=int, default=32, help="sentences each system translates in turn")
    parser.add_argument("--repeat", type=int, default=1, help="rounds; the fastest is kept")
    parser.add_argument("--only", nargs="*", help="systems to run (plain, hf, hf-noalign, ct2-float32, ct2-int8)")
    parser.add_argument("--json", type=Path, default=Path(tempfile.gettempdir()) / "bench_neural.json")
    parser.add_argument("--work", type=Path, help="build the model here (default: a temporary directory)")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

    lines = [ln.strip() for ln in args.file.read_text(encoding="utf-8").splitlines() if ln.strip()]
    texts = lines[: args.sentences]
    with tempfile.TemporaryDirectory(prefix="bench-neural-") as tmp:
        work = args.work or Path(tmp)
        started = time.perf_counter()
        model_dir = build(work, args.length)
        built = time.perf_counter() - started
        print(f"built the opus-shaped model in {built:.0f} s: {model_dir}", file=sys.stderr)

        from compare.backends.ct2 import convert

        converted = {q: convert(str(model_dir), work / f"ct2-{q}", q, force=True) for q in ("float32", "int8")}
        common = {"beams": args.beams, "max_length": args.length, "batch_size": args.batch_size}
        makers: dict[str, Callable[[], Callable[[list[str]], list[str]]]] = {
            "plain": lambda: plain_loop(model_dir, args.beams, args.length, args.batch_size),
            "hf": lambda: backend_run(f"hf:{model_dir}", device="cpu", **common),
            "hf-noalign": lambda: backend_run(f"hf:{model_dir}", device="cpu", align=False, **common),
            "ct2-float32": lambda: backend_run(f"ct2:{converted['float32']}", device="cpu", **common),
            "ct2-int8": lambda: backend_run(f"ct2:{converted['int8']}", device="cpu", **common),
        }
        names = [n for n in makers if not args.only or n in args.only]
        systems = {name: makers[name]() for name in names}
        for run in systems.values():  # warm-up: one batch each, loads and first-call costs out of the way
            run(texts[: args.batch_size])
        times: dict[str, list[float]] = {name: [] for name in systems}
        outputs: dict[str, list[str]] = {}
        chunks = [texts[i : i + args.chunk] for i in range(0, len(texts), args.chunk)]
        for round_ in range(args.repeat):
            spent = dict.fromkeys(systems, 0.0)
            outputs = {name: [] for name in systems}
            for k, part in enumerate(chunks):
                order = names[k % len(names) :] + names[: k % len(names)]
                for name in order:
                    t0 = time.perf_counter()
                    outputs[name].extend(systems[name](part))
                    spent[name] += time.perf_counter() - t0
                print(
                    f"round {round_ + 1}, chunk {k + 1}/{len(chunks)}: "
                    + ", ".join(f"{n} {s:.1f} s" for n, s in spent.items()),
                    file=sys.stderr,
                )
            for name in systems:
                times[name].append(spent[name])

    tokens = len(texts) * args.length
    best = {name: min(ts) for name, ts in times.items()}
    base = best.get("plain")
    rows = []
    for name in systems:
        seconds = best[name]
        rows.append(
            {
                "system": name,
                "seconds": round(seconds, 2),
                "segments_per_s": round(len(texts) / seconds, 2),
                "tokens_per_s": round(tokens / seconds, 1),
                "time_vs_plain": round(seconds / base, 3) if base else None,
                "speedup_vs_plain": round(base / seconds, 2) if base else None,
                "rounds_s": [round(t, 2) for t in times[name]],
            }
        )
    import ctranslate2
    import torch
    import transformers

    doc = {
        "machine": {"nproc": os.cpu_count(), "cpu": cpu_model(), "python": platform.python_version()},
        "versions": {
            "torch": torch.__version__,
            "transformers": transformers.__version__,
            "ctranslate2": ctranslate2.__version__,
            "torch_threads": torch.get_num_threads(),
        },
        "model": "Marian, d_model 512, 6+6 layers, 8 heads, ffn 2048, vocabulary 58,101, random weights",
        "sentences": len(texts),
        "file": str(args.file),
        "beams": args.beams,
        "output_length": args.length,
        "batch_size": args.batch_size,
        "chunk": args.chunk,
        "load_average_after": list(os.getloadavg()),
        "output_tokens": tokens,
        "rows": rows,
        "first_output": {name: out[0] for name, out in outputs.items()},
    }
    print(
        f"\n{len(texts)} NTREX sentences, beams {args.beams}, every output {args.length} tokens, "
        f"batch {args.batch_size}; {os.cpu_count()} CPUs ({cpu_model()})\n"
    )
    print(f"{'system':<12} {'seconds':>8} {'segments/s':>11} {'tokens/s':>9} {'time/plain':>11} {'speed-up':>9}")
    for row in rows:
        ratio = f"{row['time_vs_plain']:.3f}" if row["time_vs_plain"] is not None else "-"
        speed = f"{row['speedup_vs_plain']:.2f}x" if row["speedup_vs_plain"] is not None else "-"
        print(
            f"{row['system']:<12} {row['seconds']:>8.1f} {row['segments_per_s']:>11.2f} "
            f"{row['tokens_per_s']:>9.1f} {ratio:>11} {speed:>9}"
        )
    args.json.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    print(f"\nwritten {args.json}")


if __name__ == "__main__":
    main()
