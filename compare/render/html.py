"""A self-contained HTML report of a round-trip result, rendered from a Jinja2 template.

The page holds everything it shows: styles, the filter script and the heatmap (inline SVG) are
written into it, and a Content-Security-Policy lets nothing else run or load (no network, only the
page's own script, named by its hash), so it opens the same from a file:// URL as from a server.
Every piece of user text (sources, translations, lexicon forms, document names, signatures) goes
through Jinja2's autoescaping or ElementTree's, never into markup; bidirectional controls are
isolated in ``<bdi>`` and shown as escapes in the details.

Documents are collapsible sections (``<details>``), so a corpus of a thousand documents is a list
of a thousand lines until one is opened.
"""

from __future__ import annotations

import base64
import hashlib
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from importlib import resources
from typing import TYPE_CHECKING, Any

from ..tables import ALL, FRAMINGS, STATUSES, metric_rows, summary
from .literal import visible

if TYPE_CHECKING:
    from ..analysis import Shift
    from ..results import RoundTrip

#: Outcome colours from the Okabe–Ito palette (safe for the common colour-vision deficiencies);
#: every highlight also carries its outcome as text.
OUTCOME_COLOURS = {
    "kept": "#009E73",
    "variant": "#56B4E9",
    "replaced": "#D55E00",
    "dropped": "#CC79A7",
    "added": "#E69F00",
}
FRAMING_LABELS = {"softened": "softened", "intensified": "intensified", "same_frame": "same-frame swap"}


@dataclass
class Piece:
    """A run of a segment's text; ``term`` set when the run is a highlighted loaded term."""

    text: str
    term: TermView | None = None


@dataclass
class TermView:
    concept: str
    outcome: str
    side: str
    detail: str


@dataclass
class SegmentRow:
    id: int
    source: list[Piece]
    pivots: list[list[Piece]]
    back: list[Piece]
    terms: list[dict[str, str]] = field(default_factory=list)

    @property
    def concepts(self) -> str:
        return " ".join(sorted({t["concept"] for t in self.terms}))

    @property
    def outcomes(self) -> str:
        return " ".join(sorted({t["outcome"] for t in self.terms}))

    @property
    def pairs(self) -> str:
        return " ".join(sorted({f"{t['concept']}|{t['outcome']}" for t in self.terms}))


def _template_env() -> Any:
    from jinja2 import Environment, PackageLoader, StrictUndefined

    return Environment(
        loader=PackageLoader("compare.render", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def _asset(name: str) -> str:
    return resources.files("compare.render").joinpath("templates", name).read_text(encoding="utf-8")


def _pieces(text: str, marks: Sequence[tuple[tuple[int, int], TermView]]) -> list[Piece]:
    """``text`` cut at each term's span (overlapping or out-of-range spans are left unmarked).

    Bidirectional embedding, override and isolate characters are shown as escapes (``\\u202e``), as
    in the terminal: cut at a term, an override would otherwise run on into the outcome label.
    """
    out: list[Piece] = []
    last = 0
    for (start, end), term in sorted(marks, key=lambda m: (m[0][0], -m[0][1])):
        if start < last or end > len(text) or start >= end:
            continue
        if start > last:
            out.append(Piece(visible(text[last:start])))
        out.append(Piece(visible(text[start:end]), term))
        last = end
    if last < len(text) or not out:
        out.append(Piece(visible(text[last:])))
    return out


def _framing(s: Shift) -> str:
    change = FRAMING_LABELS.get(s.frame_change or "", s.frame_change or "")
    if s.status == "replaced" and s.back_concept and s.back_concept != s.concept:
        return f"became {s.back_concept}" + (f"; {change} ({s.source_frame}→{s.back_frame})" if change else "")
    if change:
        return f"{change} ({s.source_frame}→{s.back_frame})"
    return ""


def _detail(s: Shift, pivots: Sequence[str]) -> dict[str, str]:
    """The facts of one shift row as short, escaped-later strings (control characters made visible)."""
    pivot_parts = []
    for k, lang in enumerate(pivots):
        text = s.pivot_texts[k] if k < len(s.pivot_texts) else None
        form = s.pivot_forms[k] if k < len(s.pivot_forms) else None
        span = s.pivot_spans[k] if k < len(s.pivot_spans) else None
        found = s.pivot_found[k] if k < len(s.pivot_found) else False
        note = "untranslated" if form == "untranslated" else ("form: " + form if found and form else "no term")
        where = f" @{span[0]}–{span[1]}" if span else ""
        pivot_parts.append(f"{lang}: {visible(text) if text else '—'} ({note}){where}")
    back = visible(s.back_text) if s.back_text else "—"
    if s.back_form and s.back_form != s.back_text:
        back += f" (form: {visible(s.back_form)})"
    if s.replacement and not s.back_text:
        back = visible(s.replacement)
    return {
        "concept": s.concept,
        "outcome": s.status,
        "term": visible(s.source_text or (s.back_text if s.status == "added" else None) or "—"),
        "source_form": visible(s.source_form or "—") + (f" ({s.source_frame})" if s.source_frame else ""),
        "pivots": "; ".join(pivot_parts) or "—",
        "back": back + (f" ({s.back_frame})" if s.back_frame else ""),
        "framing": _framing(s),
        "alignment": "+".join(s.alignment) or "—",
        "confidence": "—" if s.confidence is None else f"{s.confidence:.2f}",
    }


def _tooltip(d: dict[str, str]) -> str:
    lines = [f"{d['concept']}: {d['outcome']}" + (f", {d['framing']}" if d["framing"] else "")]
    lines.append(f"source form: {d['source_form']}")
    lines.append(f"pivot: {d['pivots']}")
    lines.append(f"back: {d['back']}")
    lines.append(f"alignment: {d['alignment']}, confidence {d['confidence']}")
    return "\n".join(lines)


def _segment_rows(
    result: RoundTrip, path_index: int, shifts: Sequence[Shift], segment_ids: Sequence[int]
) -> list[SegmentRow]:
    path = result.paths[path_index]
    pivot_hops = path.hops[:-1]
    pivots = [h.lang for h in pivot_hops]
    by_segment: dict[int, list[Shift]] = defaultdict(list)
    for s in shifts:
        by_segment[s.segment].append(s)
    rows = []
    for seg in segment_ids:
        source_marks: list[tuple[tuple[int, int], TermView]] = []
        back_marks: list[tuple[tuple[int, int], TermView]] = []
        pivot_marks: list[list[tuple[tuple[int, int], TermView]]] = [[] for _ in pivot_hops]
        terms = []
        for s in by_segment.get(seg, ()):
            d = _detail(s, pivots)
            terms.append(d)
            tip = _tooltip(d)
            if s.source_span:
                source_marks.append((s.source_span, TermView(s.concept, s.status, "source", tip)))
            if s.back_span:
                back_marks.append((s.back_span, TermView(s.concept, s.status, "back", tip)))
            for k, span in enumerate(s.pivot_spans[: len(pivot_hops)]):
                if span:
                    pivot_marks[k].append((span, TermView(s.concept, s.status, "pivot", tip)))

        rows.append(
            SegmentRow(
                id=seg,
                source=_pieces(result.segments[seg].text, source_marks),
                pivots=[_pieces(_text_of(h.segments, seg), pivot_marks[k]) for k, h in enumerate(pivot_hops)],
                back=_pieces(_text_of(path.back.segments, seg), back_marks),
                terms=terms,
            )
        )
    return rows


def _text_of(hop_segments: Sequence[str], segment: int) -> str:
    return hop_segments[segment] if segment < len(hop_segments) else ""


def heatmap_svg(result: RoundTrip) -> str:
    """Concepts × paths, each cell the share of source occurrences not kept, its CI in a ``<title>``.

    Built with ElementTree, so every label is escaped; returns the ``<svg>`` element as text.
    """
    import xml.etree.ElementTree as ET

    rows = [r for r in summary(result) if r["concept"] != ALL]
    concepts = sorted({r["concept"] for r in rows})
    paths = [p.name for p in result.paths if result.analysis is not None and _analysed(result, p.name)]
    cell = {(r["concept"], r["path"]): r for r in rows}
    cw, ch, left, top = 120, 28, 150, 110
    width, height = max(left + cw * len(paths) + 160, 560), top + ch * max(len(concepts), 1) + 40
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": "heatmap-title",
            "class": "heatmap",
            "font-family": "sans-serif",
            "font-size": "12",
        },
    )
    title = ET.SubElement(svg, "title", {"id": "heatmap-title"})
    title.text = "Share of occurrences not kept, per concept and path"
    for j, name in enumerate(paths):
        x = left + cw * j + cw / 2
        label = ET.SubElement(
            svg, "text", {"x": f"{x:.0f}", "y": str(top - 8), "transform": f"rotate(-30 {x:.0f} {top - 8})"}
        )
        label.text = visible(name)
    if not concepts:
        empty = ET.SubElement(svg, "text", {"x": str(left), "y": str(top + 18)})
        empty.text = "no loaded terms found"
    for i, concept in enumerate(concepts):
        y = top + ch * i
        label = ET.SubElement(svg, "text", {"x": str(left - 8), "y": f"{y + ch / 2 + 4:.0f}", "text-anchor": "end"})
        label.text = visible(concept)
        for j, name in enumerate(paths):
            r = cell.get((concept, name))
            x = left + cw * j
            group = ET.SubElement(
                svg, "g", {"class": "hm-cell", "data-concept": concept, "data-path": f"p{_path_index(result, name)}"}
            )
            tip = ET.SubElement(group, "title")
            n = r["source_occurrences"] if r else 0
            if not n:
                share = None
                tip.text = f"{concept} — {name}: no occurrences"
            else:
                share = 1 - (r["kept_rate"] or 0.0)
                low, high = r["kept_ci_low"], r["kept_ci_high"]
                ci = f" [95 % CI {100 * (1 - high):.0f}–{100 * (1 - low):.0f} %]" if low is not None else ""
                tip.text = f"{concept} — {name}: {100 * share:.0f} % not kept{ci}, n = {n}"
            ET.SubElement(
                group,
                "rect",
                {
                    "x": str(x + 1),
                    "y": str(y + 1),
                    "width": str(cw - 2),
                    "height": str(ch - 2),
                    "fill": _sequential(share),
                },
            )
            value = ET.SubElement(
                group,
                "text",
                {
                    "x": f"{x + cw / 2:.0f}",
                    "y": f"{y + ch / 2 + 4:.0f}",
                    "text-anchor": "middle",
                    "fill": "#fff" if share is not None and share > 0.5 else "#000",
                },
            )
            value.text = "n/a" if share is None else f"{100 * share:.0f} %"
    legend = ET.SubElement(svg, "text", {"x": str(left), "y": str(height - 12)})
    legend.text = "not kept: light 0 % → dark 100 %; hover a cell for its CI"
    return ET.tostring(svg, encoding="unicode")


def _analysed(result: RoundTrip, name: str) -> bool:
    assert result.analysis is not None  # checked by the caller
    return any(p.path == name for p in result.analysis.paths)


def _path_index(result: RoundTrip, name: str) -> int:
    for i, p in enumerate(result.paths):
        if p.name == name:
            return i
    return -1


def _sequential(share: float | None) -> str:
    """Light to dark blue (a single-hue scale reads in greyscale too); grey for no data."""
    if share is None:
        return "#e5e5e5"
    lo, hi = (0xF7, 0xFB, 0xFF), (0x08, 0x30, 0x6B)
    r, g, b = (round(a + (z - a) * share) for a, z in zip(lo, hi))
    return f"#{r:02x}{g:02x}{b:02x}"


def _rate_cell(row: dict[str, Any], status: str) -> dict[str, Any]:
    count, rate = row[status], row[f"{status}_rate"]
    low, high = row[f"{status}_ci_low"], row[f"{status}_ci_high"]
    return {
        "count": count,
        "rate": None if rate is None else f"{100 * rate:.0f} %",
        "ci": None if low is None or high is None else f"[{100 * low:.0f}–{100 * high:.0f}]",
    }


def render_html(result: RoundTrip, title: str | None = None) -> str:
    """The report as one HTML document (UTF-8 text); ``result`` with or without an analysis."""
    analysis = result.analysis
    path_ids = {p.name: f"p{i}" for i, p in enumerate(result.paths)}
    shifts_by_path = {pa.path: pa.shifts for pa in analysis.paths} if analysis is not None else {}
    documents = []
    segment_ids_by_doc: dict[str, list[int]] = defaultdict(list)
    for i, seg in enumerate(result.segments):
        segment_ids_by_doc[seg.document].append(i)
    for doc in result.documents:
        ids = segment_ids_by_doc[doc]
        id_set = set(ids)
        sections = []
        for i, path in enumerate(result.paths):
            shifts = [s for s in shifts_by_path.get(path.name, ()) if s.segment in id_set]
            sections.append(
                {
                    "id": path_ids[path.name],
                    "name": path.name,
                    "pivots": [h.lang for h in path.hops[:-1]],
                    "back_lang": path.back.lang if path.hops else "",
                    "back_label": "back" if path.is_roundtrip else "translation",
                    "rows": _segment_rows(result, i, shifts, ids),
                    "shifted": sum(1 for s in shifts if s.shifted),
                    "terms": len(shifts),
                }
            )
        documents.append({"name": doc or "(input)", "segments": len(ids), "paths": sections})
    concepts = sorted({s.concept for s in analysis.shifts}) if analysis is not None else []
    summary_rows = []
    metrics: list[dict[str, Any]] = []
    metric_names: list[str] = []
    metric_signatures: list[tuple[str, str]] = []
    if analysis is not None:
        for row in summary(result):
            summary_rows.append(
                {
                    "concept": row["concept"],
                    "path": row["path"],
                    "path_id": path_ids.get(row["path"], ""),
                    "n": row["source_occurrences"],
                    "rates": [_rate_cell(row, s) for s in STATUSES],
                    "framing": [row[k] for k in FRAMINGS],
                }
            )
        metrics = metric_rows(result)
        metric_names = list(dict.fromkeys(k for row in metrics for k in row if k != "path"))
        signatures: dict[str, str] = {}
        for pa in analysis.paths:
            for s in pa.scores.corpus if pa.scores is not None else ():
                signatures.setdefault(s.metric, s.signature)
            if pa.semantic is not None:
                signatures.setdefault("semantic", pa.semantic.signature)
        metric_signatures = list(signatures.items())
    script, style = _asset("report.js"), _asset("report.css")
    from .. import __version__

    context = {
        "title": title or "mtcompare report",
        "version": __version__,
        "generated": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
        "source_lang": result.source_lang,
        "segment_count": len(result.segments),
        "documents": documents,
        "open_documents": len(documents) == 1,
        "paths": [{"id": path_ids[p.name], "name": p.name, "signature": str(p.signature)} for p in result.paths],
        "concepts": concepts,
        "outcomes": [(s, OUTCOME_COLOURS[s]) for s in STATUSES],
        "framing_labels": [FRAMING_LABELS[k] for k in FRAMINGS],
        "analysed": analysis is not None,
        "summary": summary_rows,
        "metrics": metrics,
        "metric_names": metric_names,
        "metric_signatures": metric_signatures,
        "analysis_signature": str(analysis.signature) if analysis is not None else None,
        "heatmap": _markup(heatmap_svg(result)) if analysis is not None else None,
        "drifted": [(pa.path, d) for pa in analysis.paths for d in pa.drifted] if analysis is not None else [],
        "style": _markup(style),
        "style_hash": _sha256(style),
        "script": _markup(script),
        "script_hash": _sha256(script),
        "visible": visible,
    }
    return _template_env().get_template("report.html.j2").render(context)


def _sha256(text: str) -> str:
    """The base64 SHA-256 that a Content-Security-Policy names an inline script or style by."""
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def _markup(text: str) -> Any:
    """Text already safe for HTML (our own assets, ElementTree's escaped SVG)."""
    from markupsafe import Markup

    return Markup(text)
