"""The HTML report (`mtcompare report`, `roundtrip --format html`): content, self-containment, inert hostile text.

The same pages are opened in a real browser by tests/test_report_browser.py.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from compare.render.html import heatmap_svg, render_html
from compare.results import RoundTrip

from .conftest import run_cli
from .report_data import INJECTED, hostile_input, hostile_result, translator_spec
from .test_cli import assert_one_line_error


class Page(HTMLParser):
    """Every start tag with its attributes, and the text of <script> and <style>."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.raw: dict[str, list[str]] = {"script": [], "style": []}
        self._in: str | None = None
        self.text: list[str] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        if tag in self.raw:
            self._in = tag
            self.raw[tag].append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == self._in:
            self._in = None

    def handle_data(self, data: str) -> None:
        if self._in:
            self.raw[self._in][-1] += data
        else:
            self.text.append(data)

    def named(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for t, attrs in self.tags if t == tag]


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_result(tmp_path_factory.mktemp("hostile"))


@pytest.fixture(scope="module")
def page(saved: Path) -> str:
    out = saved.parent / "report.html"
    proc = run_cli("report", str(saved), "--format", "html", "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "" and proc.stderr == ""
    return out.read_text(encoding="utf-8")


def assert_inert(html: str) -> None:
    """Nothing the input brought in became markup: one script (ours), no images, no handlers, no links."""
    for needle in INJECTED:
        assert needle not in html, needle
    parsed = Page(html)
    assert len(parsed.named("script")) == 1
    assert parsed.named("img") == [] and parsed.named("a") == [] and parsed.named("iframe") == []
    assert len([t for t, _ in parsed.tags if t == "svg"]) <= 1  # the heatmap only
    for tag, attrs in parsed.tags:
        assert not [k for k in attrs if k.startswith("on")], (tag, attrs)
        for key in ("href", "src", "action", "formaction"):
            assert key not in attrs, (tag, attrs)
    assert "\u202e" not in html and "\u2067" not in html


def test_hostile_text_is_inert(page: str) -> None:
    assert_inert(page)
    parsed = Page(page)
    text = "".join(parsed.text)
    # Shown as text, exactly as written (bidi controls as escapes).
    assert "<script>alert(1)</script>" in text
    assert '"><img src=x onerror=alert(2)>' in text
    assert '<a href="javascript:alert(3)">javascript:alert(4)</a>' in text
    assert "\\u202e" in text and "\\u2067" in text
    assert '"><img src=x onerror=alert(6)>.txt' in text  # the document's name


def test_page_is_self_contained(page: str) -> None:
    parsed = Page(page)
    (csp,) = [m["content"] for m in parsed.named("meta") if m.get("http-equiv") == "Content-Security-Policy"]
    assert csp is not None and "default-src 'none'" in csp and "connect-src 'none'" in csp
    # The page's own script and style are allowed by their hashes, nothing else.
    for kind, body in (("script", parsed.raw["script"][0]), ("style", parsed.raw["style"][0])):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        assert f"{kind}-src 'sha256-{digest}'" in csp
    assert not re.search(r"(?i)\b(?:https?:)?//[a-z0-9.-]+\.[a-z]{2,}/", page.replace("http://www.w3.org/2000/svg", ""))
    assert parsed.named("link") == [] and not any("style" in attrs for _, attrs in parsed.tags)


def test_report_content(page: str, saved: Path) -> None:
    result = RoundTrip.from_dict(json.loads(saved.read_text(encoding="utf-8")))
    parsed = Page(page)
    text = "".join(parsed.text)
    # Summary: a row per concept and path with rates and CIs, the framing tallies, the metrics and their signatures.
    rows = parsed.named("tr")
    concepts = {a["data-concept"] for a in rows if a.get("class") == "summary-row"}
    assert concepts == {"isis", "terrorist", "regime", "so_called", "(all)"}
    assert "4 · 100 %" in text  # four of four terrorists came back as a variant (militants)
    assert "softened" in text and "same-frame swap" in text and "BLEU" in text and "chrF2++" in text
    assert "nrefs:1|case:mixed|eff:no|tok:13a" in text
    # Heatmap: inline SVG, one cell per concept and path, each with its CI in a <title>.
    assert page.count('class="hm-cell"') == 4
    assert "terrorist — en&gt;es&gt;en (swap): 100 % not kept [95 % CI 100–100 %], n = 4" in page
    # Each term highlighted with its outcome as text, its details in the tooltip and in <details>.
    marks = parsed.named("mark")
    outcomes = {(m["data-concept"], m["data-outcome"]) for m in marks if m.get("data-concept")}
    assert ("terrorist", "variant") in outcomes and ("isis", "kept") in outcomes
    assert all(m.get("title") and "alignment:" in (m["title"] or "") for m in marks if m.get("data-concept"))
    assert "pivot: es: terroristas" in text
    # Segments side by side per document and path; the signatures and version at the foot.
    assert [a.get("data-pairs") for a in rows if a.get("class") == "segment"][0] == "isis|kept terrorist|variant"
    assert str(result.paths[0].signature) in text
    assert result.analysis is not None and str(result.analysis.signature) in text
    assert "mtcompare 0.1.0" in text


def test_roundtrip_writes_html_in_one_go(tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    proc = run_cli(
        "roundtrip",
        str(hostile_input(tmp_path)),
        "--via",
        "es",
        "--backend",
        translator_spec(tmp_path),
        "--no-cache",
        "--format",
        "html",
        "-o",
        str(out),
    )
    assert proc.returncode == 0, proc.stderr
    html = out.read_text(encoding="utf-8")
    assert_inert(html)
    assert 'class="hm-cell"' in html and "summary-row" in html


def test_report_of_unanalysed_result(tmp_path: Path) -> None:
    saved = hostile_result(tmp_path, "--no-terms")
    out = tmp_path / "report.html"
    proc = run_cli("report", str(saved), "-o", str(out))
    assert proc.returncode == 0
    assert "holds no analysis" in proc.stderr
    html = out.read_text(encoding="utf-8")
    assert_inert(html)
    assert 'id="not-analysed"' in html and "<svg" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_report_replaces_file_atomically_keeping_mode(saved: Path, tmp_path: Path) -> None:
    out = tmp_path / "report.html"
    out.write_text("old", encoding="utf-8")
    out.chmod(0o640)
    link = tmp_path / "link.html"
    link.symlink_to(out)
    proc = run_cli("report", str(saved), "-o", str(link))
    assert proc.returncode == 0, proc.stderr
    assert link.is_symlink() and out.stat().st_mode & 0o777 == 0o640
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert not list(tmp_path.glob(".mtcompare-*"))


@pytest.mark.parametrize(
    ("content", "needle"),
    [("{", "is not JSON"), ('{"schema_version": 99}', "newer than this mtcompare reads")],
)
def test_report_bad_result_one_line(tmp_path: Path, content: str, needle: str) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(content, encoding="utf-8")
    assert_one_line_error(run_cli("report", str(bad), "-o", str(tmp_path / "r.html")), needle)
    assert not (tmp_path / "r.html").exists()


def test_thousand_documents_are_collapsed_sections(tmp_path: Path) -> None:
    """A corpus of 1,000 documents: one closed <details> per document, the page a few MB at most."""
    import compare

    corpus = {f"doc{i:04d}.txt": f"Daesh fighters moved {i} terrorists. The regime said so." for i in range(1000)}
    result = compare.roundtrip_documents(
        corpus, via=["es"], backends=[translator_spec(tmp_path)], cache=False, metrics=("chrf",)
    )
    html = render_html(result)
    parsed = Page(html)
    docs = [a for a in parsed.named("details") if a.get("class") == "doc"]
    assert len(docs) == 1000 and not any("open" in a for a in docs)
    assert len(html) < 8_000_000
    assert "doc0999.txt" in html


def test_heatmap_svg_is_well_formed_with_a_title_per_cell() -> None:
    import xml.etree.ElementTree as ET

    import compare

    result = compare.roundtrip("Daesh attacked. The government fell.", via="es", backends=["command:cat"], cache=False)
    svg = ET.fromstring(heatmap_svg(result))
    ns = "{http://www.w3.org/2000/svg}"
    cells = svg.findall(f"{ns}g")
    assert {c.get("data-concept") for c in cells} == {"isis", "regime"}
    assert all(c.find(f"{ns}title") is not None and c.find(f"{ns}rect") is not None for c in cells)
    # "cat" gives every term back as it was: nothing shifted, 0 % in every cell.
    assert {c.find(f"{ns}text").text for c in cells} == {"0 %"}


def test_samples_refuse_html(tmp_path: Path) -> None:
    proc = run_cli(
        "roundtrip",
        "-",
        "--via",
        "es",
        "-b",
        "command:cat",
        "--no-cache",
        "--samples",
        "2",
        "--format",
        "html",
        stdin=b"Daesh attacked.",
    )
    assert_one_line_error(proc, "--samples writes --format table, json, jsonl or csv; html is for one run's report")
