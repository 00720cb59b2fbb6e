"""--samples N --seed S: a system that can sample (hf) translated N times, each term's outcomes counted;
deterministic systems run once and say so. The tiny hf model has random weights: its samples differ."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import jsonschema
import pytest

import compare
from compare.backends.hf import HFBackend
from compare.schema import stability_schema

from .conftest import run_cli
from .test_hf import tiny_model  # noqa: F401

pytestmark = [pytest.mark.hf, pytest.mark.filterwarnings("ignore:Recommended:UserWarning")]

TEXT = "The terrorists fled. Daesh and the regime lost."
FAST = {"max_length": 12, "device": "cpu"}


def _file_backend(tmp_path: Path) -> Path:
    tsv = tmp_path / "t.tsv"
    lines = [
        "en\tes\tThe terrorists fled.\tLos terroristas huyeron.",
        "es\ten\tLos terroristas huyeron.\tThe militants fled.",
        "en\tes\tDaesh and the regime lost.\tDaesh y el régimen perdieron.",
        "es\ten\tDaesh y el régimen perdieron.\tDaesh and the regime lost.",
    ]
    tsv.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return tsv


def test_sampled_runs_count_each_terms_outcomes(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    tsv = _file_backend(tmp_path)
    backends = {"tiny": f"hf:{tiny_model}", "ref": f"file:{tsv}"}
    stable = compare.sample_roundtrip(TEXT, via="es", backends=backends, samples=4, seed=3, cache=False, **FAST)
    tiny, ref = stable.systems
    assert (tiny.deterministic, tiny.seeds, ref.deterministic, ref.samples) == (False, (3, 4, 5, 6), True, 1)
    assert len(stable.runs) == 5  # four samples of the model, the file once
    for run in stable.runs[:4]:
        assert run.paths[0].hops[0].signature.settings == (("beams", 1), ("max_length", 12), ("sample", run_seed(run)))
    model_rows = [t for t in stable.terms if t.system == "tiny"]
    assert {t.source_text for t in model_rows} == {"terrorists", "Daesh", "regime"}
    assert all(t.samples == 4 and sum(o.count for o in t.outcomes) == 4 for t in model_rows)
    file_rows = {t.source_text: t for t in stable.terms if t.system == "ref"}
    assert file_rows["terrorists"].describe() == "terrorists → militants (variant) in 1 of 1 sample"
    # Different seeds give different translations; the same seed the same ones, whatever is batched with them.
    backs = {run.paths[0].back.segments for run in stable.runs[:4]}
    assert len(backs) > 1
    again = compare.sample_roundtrip(TEXT, via="es", backends=backends, samples=4, seed=3, cache=False, **FAST)
    assert again.terms == stable.terms
    alone = compare.roundtrip(["Daesh and the regime lost."], via="es", backends=[f"hf:{tiny_model}"], cache=False,
                              analyse=False, sample=4, **FAST)  # fmt: skip
    assert alone.paths[0].back.segments[0] == stable.runs[1].paths[0].back.segments[1]


def run_seed(run: compare.RoundTrip) -> int:
    return dict(run.paths[0].hops[0].signature.settings)["sample"]


def test_sampling_option_is_checked(tiny_model: Path) -> None:  # noqa: F811
    backend = HFBackend(str(tiny_model), sample=7, beams=4, device="cpu")
    assert backend.beams == 1 and backend.can_sample
    with pytest.raises(compare.ArgumentError, match="sample must be"):
        compare.roundtrip(["Hi."], via="es", backends=f"hf:{tiny_model}", cache=False, sample=-1)
    with pytest.raises(compare.ArgumentError, match="samples must be"):
        compare.sample_roundtrip(["Hi."], via="es", samples=0)


def test_cli_samples(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    tsv = _file_backend(tmp_path)
    src = tmp_path / "in.txt"
    src.write_text(TEXT + "\n", encoding="utf-8")
    base = ("roundtrip", str(src), "--via", "es", "-b", f"tiny=hf:{tiny_model}", "-O", "max_length=12",
            "-O", "device=cpu", "-b", f"ref=file:{tsv}", "--samples", "3", "--seed", "9", "--no-cache")  # fmt: skip
    proc = run_cli(*base, "--format", "json")
    assert proc.returncode == 0, proc.stderr
    note = "mtcompare: note: ref is deterministic: it translates the same way every time, so it ran once"
    assert note in proc.stderr.splitlines()
    doc = json.loads(proc.stdout)
    jsonschema.validate(doc, stability_schema())
    assert doc["kind"] == "stability" and doc["samples"] == 3 and doc["seed"] == 9
    assert [s["seeds"] for s in doc["systems"]] == [[9, 10, 11], []]
    proc = run_cli(*base, "--format", "csv")
    rows = list(csv.DictReader(io.StringIO(proc.stdout)))
    assert {r["system"] for r in rows} == {"tiny", "ref"}
    assert all(int(r["count"]) <= int(r["samples"]) for r in rows)
    proc = run_cli(*base)
    assert proc.returncode == 0 and "outcome stability: 3 samples from seed 9" in proc.stdout
    proc = run_cli(*base, "--format", "md")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1
