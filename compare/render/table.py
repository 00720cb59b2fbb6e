"""Terminal tables (rich) for round trips, translations, backends and term occurrences.

Every cell is built with :func:`~compare.render.literal.literal`, so user text is never read as markup
and control characters are shown escaped. Each table is a :class:`Grid`: a rich table when the
terminal has room for its columns, one block per record when it has not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

from rich.console import Console, ConsoleOptions, Group, RenderResult
from rich.measure import Measurement
from rich.table import Table
from rich.text import Text

from ..analysis import Shift
from ..results import Path, RoundTrip
from .literal import literal

if TYPE_CHECKING:
    from ..backends.base import Option
    from ..backends.status import BackendStatus
    from ..metrics.semantic import Drift
    from ..sampling import Stability

# A table is drawn only if every column can get this many characters (or all it needs, if fewer).
MIN_COLUMN_WIDTH = 8


@dataclass(frozen=True)
class Column:
    header: str
    justify: Literal["left", "right"] = "left"
    style: str = ""
    no_wrap: bool = False
    ratio: int | None = None


class Grid:
    """Rows of literal cells, rendered as a table or, on a terminal too narrow for it, as records.

    A table squeezed below a few characters per column shows empty or one-letter columns; there each
    row becomes a block of ``column: value`` lines instead, so nothing is cut.
    """

    def __init__(
        self,
        title: str,
        columns: Sequence[Column],
        *,
        caption: str | None = None,
        expand: bool = False,
        show_lines: bool = False,
    ) -> None:
        self.title = literal(title)
        self.columns = tuple(columns)
        self.caption = literal(caption) if caption else None
        self.expand = expand
        self.show_lines = show_lines
        self.rows: list[tuple[Text, ...]] = []

    def add_row(self, *cells: Text | str | None) -> None:
        if len(cells) != len(self.columns):
            raise ValueError(f"row has {len(cells)} cells; the grid has {len(self.columns)} columns")
        self.rows.append(tuple(c if isinstance(c, Text) else literal(c) for c in cells))

    def table(self) -> Table:
        table = Table(
            title=self.title,
            title_justify="left",
            caption=self.caption,
            caption_justify="left",
            expand=self.expand,
            show_lines=self.show_lines,
        )
        for col in self.columns:
            table.add_column(
                literal(col.header),
                justify=col.justify,
                style=col.style or None,
                no_wrap=col.no_wrap,
                ratio=col.ratio,
                overflow="fold",
            )
        for row in self.rows:
            table.add_row(*row)
        return table

    def records(self) -> Group:
        """One block per row: a ``column: value`` line for each non-empty cell, blocks apart by a blank line."""
        parts: list[Text] = [self.title]
        for row in self.rows:
            parts.append(Text())
            for col, cell in zip(self.columns, row):
                if cell.plain:
                    line = Text.assemble((f"{col.header}: ", "bold"), cell)
                    if col.style:
                        line.stylize(col.style, len(col.header) + 2)
                    parts.append(line)
        if self.caption is not None:
            parts.extend([Text(), self.caption])
        return Group(*parts)

    def fits(self, console: Console, options: ConsoleOptions) -> bool:
        """Whether every column gets at least :data:`MIN_COLUMN_WIDTH` characters (or its widest word)."""
        needed = len(self.columns) + 1  # vertical borders
        for index, col in enumerate(self.columns):
            cells: Iterable[Text] = (literal(col.header), *(row[index] for row in self.rows))
            widest_word = max(Measurement.get(console, options, c).minimum for c in cells)
            needed += min(widest_word, MIN_COLUMN_WIDTH) + 2  # padding
        return needed <= options.max_width

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        yield self.table() if self.fits(console, options) else self.records()


def _mark_unknown(text: str, unknown: Sequence[str]) -> Text:
    """The segment with the words the engine passed through untranslated in bold red."""
    rendered = literal(text)
    words = [literal(w).plain for w in set(unknown) if w]
    if words:
        rendered.highlight_words(words, style="bold red")
    return rendered


def path_table(result: RoundTrip, path: Path) -> Grid:
    """Source, each pivot and the back-translation side by side, one row per segment."""
    columns = [Column("#", justify="right", no_wrap=True), Column(f"source ({result.source_lang})", ratio=1)]
    for hop in path.hops:
        label = "back" if hop is path.hops[-1] and len(path.hops) > 1 else "pivot"
        columns.append(Column(f"{label} ({hop.lang})", ratio=1))
    grid = Grid(path.name, columns, caption=str(path.signature), expand=True, show_lines=True)
    for seg in result.segments:
        cells = [_mark_unknown(hop.segments[seg.id], hop.unknown[seg.id]) for hop in path.hops]
        grid.add_row(str(seg.id), seg.text, *cells)
    return grid


_STATUS_STYLE = {
    "kept": "green",
    "variant": "yellow",
    "replaced": "magenta",
    "dropped": "bold red",
    "added": "cyan",
}


def _dash() -> Text:
    return Text("—", style="dim")


def _pivot_cell(form: str | None, text: str | None, found: bool) -> Text:
    """The span the term was translated into; marked when the engine left it unknown or no form is there."""
    if not text:
        return _dash()
    if form == "untranslated":
        return literal(f"{text} (untranslated)", style="red")
    if not found:
        return Text.assemble(literal(text), (" (no term)", "dim"))
    return literal(text)


#: How a report names each frame change: a swap between two forms of one frame is not "neutral",
#: which is a framing label.
FRAME_CHANGE_LABELS = {
    "softened": "softened",
    "intensified": "intensified",
    "same_frame": "same-frame swap",
    "neutral": "same-frame swap",
}


def _change(value: str | None) -> str:
    return FRAME_CHANGE_LABELS.get(value or "", value or "")


def _framing_cell(s: Shift) -> str:
    if s.status == "variant":
        return f"{_change(s.frame_change)} ({s.source_frame}→{s.back_frame})"
    if s.status == "replaced" and s.back_concept and s.back_concept != s.concept:
        change = f"{_change(s.frame_change)} ({s.source_frame}→{s.back_frame})" if s.frame_change else ""
        return f"became {s.back_concept}; {change}" if change else f"became {s.back_concept}"
    return _change(s.frame_change)


def shift_table(path: Path, shifts: Sequence[Shift]) -> Grid:
    """Term, pivot form(s), back form, outcome and framing change: one row per occurrence."""
    columns = [Column("seg", justify="right", no_wrap=True), Column("term"), Column("concept")]
    columns += [Column(f"pivot ({hop.lang})") for hop in path.hops[:-1]]
    side = "back" if path.is_roundtrip else "translation"
    columns += [Column(f"{side} ({path.back.lang})"), Column("outcome"), Column("framing")]
    grid = Grid(f"loaded terms — {path.name}", columns, expand=True)
    for s in sorted(shifts, key=lambda s: (s.segment, s.status == "added")):
        term = literal(s.source_text) if s.source_text else _dash()
        if s.back_text:
            back = literal(s.back_text)
        elif s.replacement and s.status == "replaced":
            back = literal(f"“{s.replacement}”", style="italic")
        else:
            back = _dash()
        n = len(s.pivot_forms)
        pivots = [
            _pivot_cell(f, t, found)
            for f, t, found in zip(
                s.pivot_forms, s.pivot_texts or [None] * n, s.pivot_found or [f is not None for f in s.pivot_forms]
            )
        ]
        status = literal(s.status, style=_STATUS_STYLE.get(s.status, ""))
        grid.add_row(str(s.segment), term, s.concept, *pivots, back, status, _framing_cell(s))
    return grid


def _rate_cell(count: int, rate: float | None, low: float | None, high: float | None) -> str:
    """``3 · 25% [8–50]``: the count, the rate and its CI in percent; ``·`` for nothing to count."""
    if rate is None or (not count and not high):
        return "·" if not count else str(count)
    text = f"{count} · {100 * rate:.0f}%"
    if low is not None and high is not None and round(100 * low) != round(100 * high):
        text += f" [{100 * low:.0f}–{100 * high:.0f}]"
    return text


def summary_table(result: RoundTrip) -> Grid:
    """Per concept and path: each outcome's count, rate and 95 % CI, and the framing tallies."""
    from ..tables import ALL, STATUSES, summary

    analysis = result.analysis
    columns = [Column("concept", no_wrap=True), Column("path", no_wrap=True), Column("n", justify="right")]
    columns += [Column(status, justify="right", style=_STATUS_STYLE[status]) for status in STATUSES]
    columns += [Column("softened", justify="right"), Column("intensified", justify="right")]
    columns += [Column("same-frame swap", justify="right")]
    caption = None
    if analysis is not None and analysis.statistics is not None:
        conf = f"{100 * analysis.statistics.settings.confidence:g} %"
        caption = (
            f"count · rate [{conf} CI, percentile bootstrap over segments]; n = source occurrences "
            "(the denominator of kept, variant, replaced, dropped); added is over back-translation occurrences"
        )
    grid = Grid("summary: outcomes per concept and path", columns, caption=caption)
    for row in summary(result):
        cells = [
            _rate_cell(row[s], row[f"{s}_rate"], row[f"{s}_ci_low"], row[f"{s}_ci_high"])
            if row[f"{s}_rate"] is not None or row[s]
            else "·"
            for s in STATUSES
        ]
        framing = [str(row[k]) if row[k] else "·" for k in ("softened", "intensified", "same_frame")]
        concept = literal(row["concept"], style="bold" if row["concept"] == ALL else "")
        grid.add_row(concept, row["path"], str(row["source_occurrences"]), *cells, *framing)
    return grid


def metrics_table(result: RoundTrip) -> Grid | None:
    """Per path BLEU, chrF++ and TER of the back-translation against the source (and semantic similarity)."""
    from ..tables import metric_rows

    rows = metric_rows(result) if result.analysis is not None else []
    names = list(dict.fromkeys(k for row in rows for k in row if k != "path"))
    if not names:
        return None
    columns = [Column("path"), *(Column(n, justify="right") for n in names)]
    grid = Grid("metrics per path", columns)
    for row in rows:
        cells = [
            ("—" if row.get(n) is None else f"{row[n]:.3f}" if n == "semantic" else f"{row[n]:.1f}") for n in names
        ]
        grid.add_row(row["path"], *cells)
    return grid


def drift_table(path: str, drifted: Sequence[Drift]) -> Grid:
    """The segments whose meaning drifted most on one path; a drift without a term shift points to broken
    engine output rather than to a framing shift."""
    columns = [Column("seg", justify="right", no_wrap=True), Column("similarity", justify="right")]
    columns += [Column("term shifted"), Column("source", ratio=1), Column("back", ratio=1)]
    grid = Grid(f"meaning drifted most — {path}", columns, expand=True)
    for d in drifted:
        shifted = "—" if d.term_shifted is None else "yes" if d.term_shifted else "no"
        grid.add_row(str(d.segment), f"{d.similarity:.3f}", shifted, d.source, d.back)
    return grid


def comparisons_table(result: RoundTrip) -> Grid | None:
    """Paired tests of two paths: each metric's difference and p-value, and the shift rate's."""
    analysis = result.analysis
    if analysis is None or not analysis.comparisons:
        return None
    columns = [Column("a"), Column("b"), Column("measure"), Column("a", justify="right"), Column("b", justify="right")]
    columns += [Column("p", justify="right"), Column("test")]
    grid = Grid("paired comparisons (same segments)", columns)
    for c in analysis.comparisons:
        if c.metrics is not None:
            identical = c.metrics.differing_segments == 0
            for score in c.metrics.scores:
                p = "identical" if identical else f"{score.p_value:.4f}"
                test = f"sacrebleu {c.metrics.method}, n={c.metrics.samples}, seed={c.metrics.seed}"
                grid.add_row(c.a, c.b, score.metric, f"{score.baseline:.1f}", f"{score.system:.1f}", p, test)
        r = c.shift_rate
        rate = lambda v: "—" if v is None else f"{100 * v:.1f}%"  # noqa: E731
        if r.differing_segments == 0:
            p = "identical"
        else:
            p = "—" if r.p_value is None else f"{r.p_value:.4f}"
        kind = "exact" if r.exact else f"{r.permutations} random"
        grid.add_row(c.a, c.b, "shift rate", rate(r.rate_a), rate(r.rate_b), p, f"paired permutation ({kind})")
    return grid


def roundtrip_view(result: RoundTrip, segments: bool = True, terms: bool = True) -> Group:
    """Segments side by side per path; with an analysis, the term rows, the summary with rates and CIs,
    the metrics, the paired comparisons and the analysis signature."""
    parts: list[Grid | Text] = []
    analysis = result.analysis if terms else None
    for path in result.paths:
        if segments:
            parts.append(path_table(result, path))
        if analysis is not None:
            found = [pa for pa in analysis.paths if pa.path == path.name]
            if found and found[0].shifts:
                parts.append(shift_table(path, found[0].shifts))
    if analysis is not None:
        if analysis.shifts:
            parts.append(summary_table(result))
        for extra in (metrics_table(result), comparisons_table(result)):
            if extra is not None:
                parts.append(extra)
        parts += [drift_table(pa.path, pa.drifted) for pa in analysis.paths if pa.drifted]
        parts.append(literal(f"analysis signature: {analysis.signature}", style="dim"))
    return Group(*parts)


def stability_table(stability: Stability) -> Grid:
    """``--samples``: each term's most frequent outcome over the samples, and how often it came."""
    columns = [Column("path"), Column("seg", justify="right", no_wrap=True), Column("term"), Column("concept")]
    columns += [Column("outcome over the samples"), Column("agreement", justify="right"), Column("others")]
    title = f"outcome stability: {stability.samples} samples from seed {stability.seed}"
    deterministic = [s.system for s in stability.systems if s.deterministic]
    caption = f"deterministic (one translation): {', '.join(deterministic)}" if deterministic else None
    grid = Grid(title, columns, caption=caption)
    for t in sorted(stability.terms, key=lambda t: (t.path, t.segment, t.source_span or (0, 0))):
        top = t.outcomes[0]
        others = "; ".join(f"{o.back_text or '—'} ({o.status}) {o.count}" for o in t.outcomes[1:])
        style = _STATUS_STYLE.get(top.status, "")
        outcome = literal(f"{top.back_text or '—'} ({top.status}) in {top.count} of {t.samples}", style=style)
        grid.add_row(t.path, str(t.segment), t.source_text, t.concept, outcome, f"{100 * t.agreement:.0f}%", others)
    return grid


def terms_table(rows: Sequence[object]) -> Grid:
    """Occurrences found by ``mtcompare terms``: where, what, which concept and framing."""
    columns = [Column("line", justify="right"), Column("chars", justify="right")]
    columns += [Column(name) for name in ("text", "concept", "form", "frame")]
    grid = Grid(f"loaded terms: {len(rows)} occurrences", columns)
    for row in rows:
        occ = row.occurrence  # type: ignore[attr-defined]
        grid.add_row(str(row.line), f"{occ.start}-{occ.end}", occ.text, occ.concept, occ.form, occ.frame)  # type: ignore[attr-defined]
    return grid


def backends_table(statuses: Sequence[BackendStatus]) -> Grid:
    """``mtcompare backends``: each backend, available here or not (why, and how to install it), its pairs,
    its options and what it can do."""
    columns = [Column("backend", no_wrap=True), Column("available"), Column("pairs / why not", ratio=3)]
    columns += [Column("options", ratio=1), Column("can", ratio=1), Column("install", ratio=1)]
    grid = Grid("mtcompare backends", columns, caption="mtcompare backends --options NAME: what each option accepts")
    for s in statuses:
        if s.available:
            where = s.pairs.describe() if s.pairs else ""
        else:
            where = s.reason
        can = [label for key, label in _CAPABILITIES if s.capabilities.get(key)]
        grid.add_row(
            s.name,
            "yes" if s.available else "no",
            where,
            ", ".join(o.name for o in s.options),
            ", ".join(can),
            s.install_hint,
        )
    return grid


_CAPABILITIES = (("deterministic", "deterministic"), ("can_sample", "sample"), ("gives_alignment", "align"))


def options_table(backend: str, options: Sequence[Option]) -> Grid:
    """``mtcompare backends --options NAME``: each option's name, type, default, accepted values and help."""
    columns = [Column("option", no_wrap=True), Column("type"), Column("default"), Column("accepts", ratio=1)]
    columns.append(Column("help", ratio=2))
    grid = Grid(f"options of {backend} (-O NAME=VALUE)", columns)
    for o in options:
        default = "—" if o.default is None else str(o.default).lower() if o.type is bool else str(o.default)
        grid.add_row(o.name, o.type.__name__, default, o.describe(), o.help)
    return grid
