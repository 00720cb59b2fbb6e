"""`mtcompare plot`: figures for papers (PNG at 300 dpi and SVG) from a saved result."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import warnings
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from .conftest import run_cli
from .report_data import hostile_result
from .test_cli import assert_one_line_error

try:
    import matplotlib  # noqa: F401
except ImportError:  # like Apertium: CI installs the extra (scripts/setup.sh --test), elsewhere it may be absent
    if os.environ.get("CI"):
        raise
    pytest.skip("the plot extra is not installed: pip install 'mtcompare[plot]'", allow_module_level=True)

FIGURES = ("heatmap", "outcome-rates", "metrics")
SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def saved(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return hostile_result(tmp_path_factory.mktemp("plot"))


def png_info(path: Path) -> tuple[int, int, float]:
    """Width, height and dots per inch of a PNG, read from its IHDR and pHYs chunks."""
    data = path.read_bytes()
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    pos, width, height, dpi = 8, 0, 0, 0.0
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            width, height = struct.unpack(">II", body[:8])
        elif kind == b"pHYs":
            per_metre, _, unit = struct.unpack(">IIB", body)
            assert unit == 1
            dpi = per_metre * 0.0254
        elif kind == b"IEND":
            break
        pos += 12 + length
    return width, height, dpi


def svg_texts(path: Path) -> str:
    root = ET.parse(path).getroot()
    assert root.tag == f"{SVG}svg"
    return " ".join(t for el in root.iter(f"{SVG}text") for t in el.itertext())


def test_plot_writes_png_and_svg(saved: Path, tmp_path: Path) -> None:
    out = tmp_path / "figures" / "new"
    proc = run_cli("plot", str(saved), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    expected = [out / f"{name}.{ext}" for name in FIGURES for ext in ("png", "svg")]
    assert proc.stdout.split() == [str(p) for p in expected]
    for png in out.glob("*.png"):
        width, height, dpi = png_info(png)
        assert round(dpi) == 300 and width > 1000 and height > 500
    for name in ("heatmap", "outcome-rates"):
        texts = svg_texts(out / f"{name}.svg")
        for concept in ("isis", "regime", "so_called", "terrorist"):
            assert concept in texts, (name, concept)
        assert "en>es>en (swap)" in texts
    assert {"BLEU", "chrF2++"} <= set(svg_texts(out / "metrics.svg").split())
    assert not list(out.glob(".mtcompare-*"))


def test_plot_labels_right_to_left(saved: Path, tmp_path: Path) -> None:
    """An Arabic concept label: logical order in the SVG (the viewer shapes it), shaped for the PNG; no
    glyph missing from the fonts."""
    from compare.render.plots import shape_rtl, write_figures
    from compare.results import RoundTrip

    label = "داعش"
    data = json.loads(saved.read_text(encoding="utf-8").replace('"isis"', json.dumps(label)))
    result = RoundTrip.from_dict(data)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        written = write_figures(result, tmp_path)
    assert not [w for w in caught if "missing from" in str(w.message) or "findfont" in str(w.message)]
    assert label in svg_texts(tmp_path / "heatmap.svg")
    assert len(written) == 6
    shaped = shape_rtl(label)
    assert shaped != label and all("\ufe70" <= ch <= "\ufeff" for ch in shaped)  # joined presentation forms
    assert shape_rtl("en>es>en (swap)") == "en>es>en (swap)"


def test_plot_needs_an_analysis(tmp_path: Path) -> None:
    saved = hostile_result(tmp_path, "--no-terms")
    assert_one_line_error(run_cli("plot", str(saved), "-o", str(tmp_path / "figs")), "was not analysed")
    assert not (tmp_path / "figs").exists()


def test_plot_into_a_file_is_one_line(saved: Path, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x", encoding="utf-8")
    assert_one_line_error(run_cli("plot", str(saved), "-o", str(blocker)), "cannot write into")


def test_matplotlib_is_imported_lazily() -> None:
    code = (
        "import sys, compare, compare.cli, compare.render.plots, compare.render.html;"
        "assert 'matplotlib' not in sys.modules and 'jinja2' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True)
