"""How professional translators and Apertium render loaded terms: NTREX-128 references against the English source.

Every line of ``newstest2019-src.eng.txt`` (1,932 English news sentences) is compared with its
professional translation in the 13 languages of the shared NTREX copy (:func:`compare.parallel`, line by
line), and — where Apertium has the pair (es, ca, gl) — with Apertium's translation of the same line
(:func:`compare.translate`, cached, then :func:`compare.analyse`). Printed: a Markdown table per
language and concept (source occurrences; kept, variant softened / intensified, replaced, dropped rates
with 95 % percentile-bootstrap CIs over segments; added), the examples behind every shifted row, and the
human-vs-Apertium agreement on the same occurrences. ``--figure`` writes one bar chart, ``--json`` all
numbers and rows.

    .venv/bin/python scripts/study_ntrex.py --figure /tmp/ntrex-study.png --json /tmp/ntrex-study.json
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DEFAULT_CORPUS = ROOT.parent / "shared" / "corpora" / "ntrex"
#: NTREX file codes and the language codes used here, in the order of the table.
LANGUAGES = {
    "ar": "arb",
    "fa": "fas",
    "ckb": "ckb-Arab",
    "kmr": "kmr",
    "tr": "tur",
    "he": "heb",
    "ru": "rus",
    "zh": "zho-CN",
    "de": "deu",
    "fr": "fra",
    "es": "spa",
    "ca": "cat",
    "gl": "glg",
}
APERTIUM = ("es", "ca", "gl")
SOURCE_OUTCOMES = ("kept", "variant", "replaced", "dropped")


def _pct(rate: float | None, low: float | None, high: float | None) -> str:
    if rate is None:
        return "·"
    text = f"{100 * rate:.0f}%"
    if low is not None and high is not None and round(100 * low) != round(100 * high):
        text += f" [{100 * low:.0f}–{100 * high:.0f}]"
    return text


def _rows(result: Any) -> list[dict[str, Any]]:
    """One row per path and concept (and all concepts): counts, rates with CIs, framing tallies."""
    import compare

    out = []
    for row in compare.summary(result):
        path = result.path(row["path"])
        out.append(
            {
                "lang": path.hops[0].lang,
                "system": path.system_name,
                "concept": row["concept"],
                "n": row["source_occurrences"],
                **{s: row[s] for s in (*SOURCE_OUTCOMES, "added")},
                **{f"{s}_rate": row[f"{s}_rate"] for s in SOURCE_OUTCOMES},
                **{f"{s}_ci": [row[f"{s}_ci_low"], row[f"{s}_ci_high"]] for s in SOURCE_OUTCOMES},
                "softened": row["softened"],
                "intensified": row["intensified"],
            }
        )
    return out


def _examples(result: Any) -> list[dict[str, Any]]:
    """Every row that is not kept, with the source line and the translation."""
    out = []
    for pa in result.analysis.paths:
        path = result.path(pa.path)
        for s in pa.shifts:
            if s.status == "kept":
                continue
            out.append(
                {
                    "lang": path.hops[0].lang,
                    "system": path.system_name,
                    "line": s.segment + 1,
                    "concept": s.concept,
                    "status": s.status,
                    "frame_change": s.frame_change,
                    "source_text": s.source_text,
                    "target_text": s.back_text or s.replacement,
                    "target_concept": s.back_concept,
                    "alignment": "+".join(s.alignment),
                }
            )
    return out


def _agreement(human: Any, machine: Any) -> dict[str, Any]:
    """Per source occurrence the reference's and Apertium's outcome, side by side."""
    out: dict[str, Any] = {}
    for lang in APERTIUM:
        ref = {
            (s.segment, s.source_span): s for s in human.analysis.path(f"en>{lang} (reference)").shifts if s.source_span
        }
        mt = {
            (s.segment, s.source_span): s
            for s in machine.analysis.path(f"en>{lang} (apertium)").shifts
            if s.source_span
        }
        pairs = Counter((ref[k].status, mt[k].status) for k in ref if k in mt)
        differ = [
            {
                "line": k[0] + 1,
                "source_text": ref[k].source_text,
                "reference": f"{ref[k].status}: {ref[k].back_text or ref[k].replacement or '—'}",
                "apertium": f"{mt[k].status}: {mt[k].back_text or mt[k].replacement or '—'}",
            }
            for k in sorted(ref)
            if k in mt and ref[k].status != mt[k].status
        ]
        same = sum(n for (a, b), n in pairs.items() if a == b)
        out[lang] = {
            "occurrences": sum(pairs.values()),
            "same_outcome": same,
            "pairs": {f"{a}/{b}": n for (a, b), n in sorted(pairs.items())},
            "differ": differ,
        }
    return out


def _figure(rows: list[dict[str, Any]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    everything = [r for r in rows if r["concept"] == "(all)"]
    labels = [r["lang"] if r["system"] == "reference" else f"{r['lang']} (Apertium)" for r in everything]
    colours = {"kept": "#009E73", "variant": "#56B4E9", "replaced": "#D55E00", "dropped": "#CC79A7"}
    fig, ax = plt.subplots(figsize=(7.5, 0.36 * len(everything) + 1.4))
    left = [0.0] * len(everything)
    for outcome in SOURCE_OUTCOMES:
        values = [100 * (r[f"{outcome}_rate"] or 0) for r in everything]
        ax.barh(labels, values, left=left, color=colours[outcome], label=outcome)
        left = [a + b for a, b in zip(left, values)]
    for y, r in enumerate(everything):  # the kept rate's CI
        low, high = r["kept_ci"]
        if low is not None and high is not None:
            ax.plot([100 * low, 100 * high], [y, y], color="black", linewidth=1)
    ax.invert_yaxis()
    ax.set_xlim(0, 100)
    ax.set_xlabel("% of the English source's loaded-term occurrences (bar: kept's 95 % bootstrap CI)")
    ax.set_title("NTREX-128: what translators (and Apertium) did with the English loaded terms")
    ax.legend(ncol=4, loc="lower center", bbox_to_anchor=(0.5, -0.45 if len(everything) < 10 else -0.2), frameon=False)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _markdown(rows: list[dict[str, Any]], examples: list[dict[str, Any]], agreement: dict[str, Any]) -> str:
    lines = [
        "| language | system | concept | n | kept | variant (soft./int.) | replaced | dropped | added |",
        "|---|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in rows:
        variant = f"{r['variant']} ({r['softened']}/{r['intensified']})" if r["variant"] else "·"
        cells = [
            f"{r['kept']} · {_pct(r['kept_rate'], *r['kept_ci'])}" if r["n"] else "·",
            variant,
            f"{r['replaced']} · {_pct(r['replaced_rate'], *r['replaced_ci'])}" if r["replaced"] else "·",
            f"{r['dropped']}" if r["dropped"] else "·",
            str(r["added"]) if r["added"] else "·",
        ]
        lines.append(f"| {r['lang']} | {r['system']} | {r['concept']} | {r['n']} | " + " | ".join(cells) + " |")
    lines += [
        "",
        "Examples (every row not kept):",
        "",
        "| lang | system | line | concept | outcome | source | translation |",
    ]
    lines.append("|---|---|---:|---|---|---|---|")
    for e in examples:
        outcome = e["status"] + (f" ({e['frame_change']})" if e["frame_change"] else "")
        if e["target_concept"] and e["target_concept"] != e["concept"]:
            outcome += f" → {e['target_concept']}"
        target = (e["target_text"] or "—").replace("|", "\\|")
        where = f"| {e['lang']} | {e['system']} | {e['line']} | {e['concept']} |"
        lines.append(f"{where} {outcome} | {e['source_text'] or '—'} | {target} |")
    lines += ["", "Human reference vs Apertium on the same occurrences:", ""]
    lines += ["| lang | occurrences | same outcome | reference/apertium outcomes |", "|---|---:|---:|---|"]
    for lang, a in agreement.items():
        pairs = ", ".join(f"{k}: {v}" for k, v in a["pairs"].items())
        lines.append(f"| {lang} | {a['occurrences']} | {a['same_outcome']} | {pairs} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS, help="the NTREX folder")
    parser.add_argument("--lines", type=int, default=None, help="only the first N lines (a quick run)")
    parser.add_argument("--no-apertium", action="store_true", help="references only")
    parser.add_argument("--resamples", type=int, default=1000)
    parser.add_argument("--figure", type=Path, default=None, help="write the bar chart here (.png, .svg)")
    parser.add_argument("--json", type=Path, default=None, help="write every number and row here")
    args = parser.parse_args(argv)

    import compare
    from compare.parallel import parallel

    def read(name: str) -> list[str]:
        text = (args.corpus / name).read_text(encoding="utf-8")
        lines = text[:-1].split("\n") if text.endswith("\n") else text.split("\n")
        return lines[: args.lines] if args.lines else lines

    source = read("newstest2019-src.eng.txt")
    references = {lang: read(f"newstest2019-ref.{code}.txt") for lang, code in LANGUAGES.items()}
    started = time.monotonic()
    human = parallel(source, references, "en", resamples=args.resamples)
    timings = {"references": round(time.monotonic() - started, 1)}
    rows = _rows(human)
    examples = _examples(human)
    agreement: dict[str, Any] = {}
    if not args.no_apertium:
        started = time.monotonic()
        paths = []
        for lang in APERTIUM:
            one = compare.translate(source, "en", lang, backends={"apertium": "apertium"}, cache=True)
            paths += one.paths
        from dataclasses import replace

        machine = compare.analyse(
            replace(human, paths=tuple(paths), analysis=None), metrics=None, resamples=args.resamples
        )
        timings["apertium"] = round(time.monotonic() - started, 1)
        rows += _rows(machine)
        examples += _examples(machine)
        agreement = _agreement(human, machine)
    order = {lang: k for k, lang in enumerate(LANGUAGES)}
    rows.sort(
        key=lambda r: (r["concept"] == "(all)", r["concept"], order.get(r["lang"], 99), r["system"] != "reference")
    )
    print(_markdown(rows, examples, agreement))
    print(f"lines: {len(source):,}; seconds: {timings}; analysis signature: {human.analysis.signature}")
    if args.figure:
        _figure(rows, args.figure)
        print(f"figure: {args.figure}")
    if args.json:
        args.json.write_text(
            json.dumps(
                {
                    "lines": len(source),
                    "timings": timings,
                    "signature": str(human.analysis.signature),
                    "rows": rows,
                    "examples": examples,
                    "agreement": agreement,
                },
                ensure_ascii=False,
                indent=2,
            )
            + "\n",
            encoding="utf-8",
        )
        print(f"json: {args.json}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
