"""Figures for papers with matplotlib: the concepts × paths heatmap, outcome rates with their CIs,
and the metrics per pivot, each as PNG (300 dpi) and SVG.

Colours are the Okabe–Ito palette (readable with the common colour-vision deficiencies), bars also
carry hatches so they read in greyscale. Labels use Noto fonts where installed (Arabic, Hebrew, CJK;
``fonts-noto-core`` and ``fonts-noto-cjk`` on Debian) with DejaVu Sans as the fallback. matplotlib
draws text left to right without shaping, so right-to-left labels in the PNG are shaped and reordered
first (arabic-reshaper, python-bidi); the SVG keeps its text as text in logical order, for the viewer
to shape. Settings are applied in an ``rc_context``, never globally, and figures are plain ``Figure``
objects (no pyplot, no GUI backend). matplotlib is imported here only, inside the functions.
"""

from __future__ import annotations

import io
import os
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import MissingExtraError
from ..output import write_output
from ..tables import ALL, metric_rows, summary

if TYPE_CHECKING:
    from ..results import RoundTrip

#: Okabe–Ito colours per outcome (as in the HTML report) and hatches so bars read in greyscale.
OUTCOME_STYLE = {
    "kept": ("#009E73", ""),
    "variant": ("#56B4E9", "//"),
    "replaced": ("#D55E00", "xx"),
    "dropped": ("#CC79A7", ".."),
    "added": ("#E69F00", "\\\\"),
}
METRIC_STYLE = [("#0072B2", ""), ("#E69F00", "//"), ("#009E73", "xx"), ("#CC79A7", "..")]
#: Fonts tried in order for every glyph (matplotlib's per-glyph fallback); those not installed are left out.
FONTS = ("Noto Sans", "Noto Sans Arabic", "Noto Sans Hebrew", "Noto Sans CJK JP", "DejaVu Sans")
DPI = 300


def _matplotlib() -> Any:
    try:
        import matplotlib
    except ImportError:
        raise MissingExtraError(
            "mtcompare plot needs matplotlib; install the extra: pip install 'mtcompare[plot]'"
        ) from None
    return matplotlib


def _fonts() -> list[str]:
    from matplotlib import font_manager

    installed = {f.name for f in font_manager.fontManager.ttflist}
    return [f for f in FONTS if f in installed] or ["DejaVu Sans"]


def _is_rtl(text: str) -> bool:
    return any(unicodedata.bidirectional(ch) in ("R", "AL") for ch in text)


def shape_rtl(text: str) -> str:
    """``text`` in display order with Arabic letters joined, for a renderer that does neither (Agg).

    Left-to-right text is returned as it is; without python-bidi and arabic-reshaper (the ``plot``
    extra) right-to-left text is refused with the extra's name rather than drawn backwards.
    """
    if not _is_rtl(text):
        return text
    try:
        import arabic_reshaper
        from bidi import get_display
    except ImportError:
        raise MissingExtraError(
            "drawing right-to-left labels needs python-bidi and arabic-reshaper; "
            "install the extra: pip install 'mtcompare[plot]'"
        ) from None
    return str(get_display(arabic_reshaper.reshape(text)))


def write_figures(result: RoundTrip, directory: str | os.PathLike[str]) -> list[Path]:
    """Write ``heatmap``, ``outcome-rates`` and ``metrics`` (the last only with metrics) as PNG and SVG
    into ``directory`` (created if missing); returns the files written.

    Raises :class:`~compare.errors.ResultFormatError` for a result with no analysis.
    """
    from ..analysis import require_analysis

    require_analysis(result)
    _matplotlib()
    out = Path(directory)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from ..errors import OutputError

        raise OutputError(f"cannot write into {out}: {exc.strerror or exc}") from None
    figures: list[tuple[str, Callable[[Callable[[str], str]], Any]]] = [
        ("heatmap", lambda label: heatmap_figure(result, label)),
        ("outcome-rates", lambda label: rates_figure(result, label)),
    ]
    if any(len(row) > 1 for row in metric_rows(result)):
        figures.append(("metrics", lambda label: metrics_figure(result, label)))
    written = []
    for name, make in figures:
        for fmt in ("png", "svg"):
            written.append(_save(make, out / f"{name}.{fmt}", fmt))
    return written


def _save(make: Callable[[Callable[[str], str]], Any], path: Path, fmt: str) -> Path:
    import matplotlib

    rc = {
        "font.family": _fonts(),
        "svg.fonttype": "none",  # text stays text: searchable, and shaped by the viewer
        "svg.hashsalt": "mtcompare",
        "axes.spines.top": False,
        "axes.spines.right": False,
    }
    with matplotlib.rc_context(rc):
        # The PNG is drawn by Agg, which neither shapes nor reorders: right-to-left labels are prepared.
        fig = make(shape_rtl if fmt == "png" else (lambda text: text))
        buffer = io.BytesIO()
        metadata = {"Software": None} if fmt == "png" else {"Date": None, "Creator": None}
        fig.savefig(buffer, format=fmt, dpi=DPI, bbox_inches="tight", metadata=metadata)
    write_output(buffer.getvalue(), path)
    return path


def _concepts_and_paths(result: RoundTrip) -> tuple[list[str], list[str], dict[tuple[str, str], dict[str, Any]]]:
    rows = [r for r in summary(result) if r["concept"] != ALL]
    concepts = sorted({r["concept"] for r in rows})
    analysed = {pa.path for pa in result.analysis.paths} if result.analysis is not None else set()
    paths = [p.name for p in result.paths if p.name in analysed]
    return concepts, paths, {(r["concept"], r["path"]): r for r in rows}


def heatmap_figure(result: RoundTrip, label: Callable[[str], str]) -> Any:
    """Concepts (rows) × paths (columns): the share of source occurrences not kept, n and CI in each cell."""
    import numpy as np
    from matplotlib.figure import Figure

    concepts, paths, cells = _concepts_and_paths(result)
    data = np.full((max(len(concepts), 1), max(len(paths), 1)), np.nan)
    fig = Figure(figsize=(1.6 + 1.5 * len(paths), 1.2 + 0.45 * max(len(concepts), 1)))
    ax = fig.subplots()
    for i, concept in enumerate(concepts):
        for j, name in enumerate(paths):
            r = cells.get((concept, name))
            if r and r["source_occurrences"]:
                share = 1 - (r["kept_rate"] or 0.0)
                data[i, j] = share
                low, high = r["kept_ci_low"], r["kept_ci_high"]
                text = f"{100 * share:.0f} %"
                if low is not None and high is not None:
                    text += f"\n[{100 * (1 - high):.0f}–{100 * (1 - low):.0f}]"
                ax.text(j, i, text, ha="center", va="center", fontsize=7, color="white" if share > 0.5 else "black")
            else:
                ax.text(j, i, "n/a", ha="center", va="center", fontsize=7, color="#555555")
    image = ax.imshow(data, cmap="cividis_r", vmin=0, vmax=1, aspect="auto")
    ax.set_xticks(range(len(paths)), [label(p) for p in paths], rotation=30, ha="right")
    ax.set_yticks(range(len(concepts)), [label(c) for c in concepts])
    ax.set_title("Share of source occurrences not kept (95 % CI)")
    bar = fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04)
    bar.set_label("not kept")
    return fig


def rates_figure(result: RoundTrip, label: Callable[[str], str]) -> Any:
    """One panel per path: per concept the rate of kept, variant, replaced and dropped with CI error bars."""
    import numpy as np
    from matplotlib.figure import Figure

    concepts, paths, cells = _concepts_and_paths(result)
    outcomes = ("kept", "variant", "replaced", "dropped")
    n_paths = max(len(paths), 1)
    fig = Figure(figsize=(max(5.0, 1.0 + 0.9 * len(concepts)), 2.4 * n_paths))
    axes = fig.subplots(n_paths, 1, squeeze=False, sharex=True)
    x = np.arange(len(concepts))
    width = 0.8 / len(outcomes)
    for row, name in enumerate(paths):
        ax = axes[row][0]
        for k, outcome in enumerate(outcomes):
            rates, low_err, high_err = [], [], []
            for concept in concepts:
                r = cells.get((concept, name))
                rate = r[f"{outcome}_rate"] if r else None
                low = r[f"{outcome}_ci_low"] if r else None
                high = r[f"{outcome}_ci_high"] if r else None
                rates.append(0.0 if rate is None else rate)
                low_err.append(0.0 if rate is None or low is None else max(rate - low, 0.0))
                high_err.append(0.0 if rate is None or high is None else max(high - rate, 0.0))
            colour, hatch = OUTCOME_STYLE[outcome]
            ax.bar(
                x + (k - (len(outcomes) - 1) / 2) * width,
                rates,
                width,
                yerr=[low_err, high_err],
                color=colour,
                hatch=hatch,
                edgecolor="black",
                linewidth=0.4,
                error_kw={"elinewidth": 0.7, "capsize": 1.5},
                label=outcome,
            )
        ax.set_ylim(0, 1.05)
        ax.set_ylabel("rate")
        ax.set_title(label(name), fontsize=9)
    axes[-1][0].set_xticks(x, [label(c) for c in concepts], rotation=30, ha="right")
    axes[0][0].legend(ncol=len(outcomes), fontsize=7, loc="lower left", bbox_to_anchor=(0, 1.15), frameon=False)
    fig.suptitle("Outcome rates per concept and path (95 % CI)", y=1.02)
    fig.tight_layout()
    return fig


def metrics_figure(result: RoundTrip, label: Callable[[str], str]) -> Any:
    """Per path (pivot) BLEU, chrF++ and TER (and mean semantic similarity × 100 when computed)."""
    import numpy as np
    from matplotlib.figure import Figure

    rows = metric_rows(result)
    names = list(dict.fromkeys(k for row in rows for k in row if k != "path"))
    fig = Figure(figsize=(max(4.5, 1.2 + 1.3 * len(rows)), 3.2))
    ax = fig.subplots()
    x = np.arange(len(rows))
    width = 0.8 / max(len(names), 1)
    for k, metric in enumerate(names):
        scale = 100.0 if metric == "semantic" else 1.0
        values = [0.0 if row.get(metric) is None else row[metric] * scale for row in rows]
        colour, hatch = METRIC_STYLE[k % len(METRIC_STYLE)]
        shown = {"semantic": "semantic × 100", "TER": "TER (lower is better)"}.get(metric, metric)
        ax.bar(
            x + (k - (len(names) - 1) / 2) * width,
            values,
            width,
            color=colour,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.4,
            label=shown,
        )
    ax.set_xticks(x, [label(row["path"]) for row in rows], rotation=20, ha="right")
    ax.set_ylabel("score")
    ax.set_title("Back-translation against the source, per path")
    ax.legend(fontsize=7, frameon=False)
    fig.tight_layout()
    return fig
