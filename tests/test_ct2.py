"""The ct2 backend and ``mtcompare models convert``, run for real on the tiny self-built models.

Each tiny model (Marian, M2M100, NLLB; random weights, real tokenizers, tests/hf_model.py) is converted
by CTranslate2's own converter — through the real command line and through the library — and
translated by CTranslate2; on float32 with beams=1 the output must equal the hf backend's greedy
output on the same model, text for text.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path

import pytest

from compare.backends import load_backend
from compare.backends.ct2 import METADATA_FILE, CT2Backend, convert, stored_name
from compare.backends.hf import HFBackend
from compare.errors import ArgumentValueError, ModelUnavailableError, OutputError

from .conftest import run_cli
from .test_hf import corpus_lines, tiny_model, tiny_multi_target, tiny_multilingual  # noqa: F401

pytestmark = [pytest.mark.hf, pytest.mark.filterwarnings("ignore:Recommended:UserWarning")]
pytest.importorskip("ctranslate2")

ROOT = Path(__file__).resolve().parent.parent
GREEDY = {"beams": 1, "max_length": 16, "device": "cpu"}


def hf_greedy(model: Path, texts: list[str], src: str, tgt: str) -> list[str]:
    backend = HFBackend(str(model), align=False, **GREEDY)
    return [t.text for t in backend.translate(texts, src, tgt)]


def ct2_texts(model_dir: Path, texts: list[str], src: str, tgt: str, **options: object) -> list[str]:
    backend = load_backend(f"ct2:{model_dir}", **(GREEDY | options))
    return [t.text for t in backend.translate(texts, src, tgt)]


@pytest.fixture(scope="module")
def converted(tiny_model: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:  # noqa: F811
    """The tiny Marian model converted to float32 by the real command line."""
    out = tmp_path_factory.mktemp("ct2") / "tiny-en-es-float32"
    proc = run_cli("models", "convert", str(tiny_model), "-o", str(out), "--quantization", "float32")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == str(out)
    return out


def test_cli_conversion_records_where_the_model_came_from(converted: Path, tiny_model: Path) -> None:  # noqa: F811
    assert (converted / "model.bin").is_file() and (converted / "shared_vocabulary.json").is_file()
    assert (converted / "tokenizer_config.json").is_file(), "the tokenizer is saved beside the weights"
    meta = json.loads((converted / METADATA_FILE).read_text(encoding="utf-8"))
    assert meta["source"] == str(tiny_model.resolve()) and meta["source_local"] is True
    assert meta["model_type"] == "marian" and meta["family"] == "marian"
    assert meta["quantization"] == "float32" and meta["forced_eos"] is True
    import ctranslate2

    assert meta["ctranslate2"] == ctranslate2.__version__


def test_marian_float32_equals_hf_greedy(converted: Path, tiny_model: Path) -> None:  # noqa: F811
    texts = corpus_lines(30)
    expected = hf_greedy(tiny_model, texts, "en", "es")
    got = ct2_texts(converted, texts, "en", "es")
    assert got == expected
    assert len(set(got)) > 5, "the tiny model should not give every input the same output"
    # Several batches at once (inter_threads, asynchronous batches) give the same texts in the same order.
    assert ct2_texts(converted, texts, "en", "es", batch_size=4, inter_threads=2, intra_threads=1) == expected
    # Longer outputs (no forced end at the limit) are equal too.
    assert ct2_texts(converted, texts[:10], "en", "es", max_length=48) == [
        t.text
        for t in HFBackend(str(tiny_model), align=False, beams=1, max_length=48).translate(texts[:10], "en", "es")
    ]


def test_multi_target_marian_gets_its_token(tiny_multi_target: Path, tmp_path: Path) -> None:  # noqa: F811
    out = convert(str(tiny_multi_target), tmp_path / "roa", "float32")
    texts = corpus_lines(8, start=10)
    to_es = ct2_texts(out, texts, "en", "es")
    to_ca = ct2_texts(out, texts, "en", "ca")
    assert to_es == hf_greedy(tiny_multi_target, texts, "en", "es")
    assert to_ca == hf_greedy(tiny_multi_target, texts, "en", "ca")
    assert to_es != to_ca, "the >>id<< token must choose the target language"


def test_multilingual_library_conversion_equals_hf_greedy(tiny_multilingual: Path, tmp_path: Path) -> None:  # noqa: F811
    family = tiny_multilingual.name.removeprefix("tiny-")
    out = convert(str(tiny_multilingual), tmp_path / family, "float32")
    meta = json.loads((out / METADATA_FILE).read_text(encoding="utf-8"))
    assert meta["model_type"] == "m2m_100" and meta["family"] == family
    texts = corpus_lines(12, start=300)  # Spanish
    to_en = ct2_texts(out, texts, "es", "en")
    to_fr = ct2_texts(out, texts, "es", "fr")
    assert to_en == hf_greedy(tiny_multilingual, texts, "es", "en")
    assert to_fr == hf_greedy(tiny_multilingual, texts, "es", "fr")
    assert to_en != to_fr, "the target prefix must choose the target language"
    assert not any("__en__" in t or "eng_Latn" in t for t in to_en), "language token left in the text"


def test_batches_sorted_by_token_length_and_output_in_input_order(converted: Path) -> None:
    backend = CT2Backend(str(converted), batch_size=3, **GREEDY)
    sizes: list[list[int]] = []
    real = backend._translate_tokens

    def spy(loaded: object, batch: list[list[str]], prefix: list[str] | None) -> list[object]:
        sizes.append([len(tokens) for tokens in batch])
        return real(loaded, batch, prefix)  # type: ignore[arg-type]

    backend._translate_tokens = spy  # type: ignore[method-assign]
    texts = random.Random(3).sample(corpus_lines(10, start=20), 10)
    batched = [t.text for t in backend.translate(texts + [""], "en", "es")]
    assert [len(s) for s in sizes] == [3, 3, 3, 1]
    flat = [n for s in sizes for n in s]
    assert flat == sorted(flat, reverse=True), "longest first"
    assert batched[-1] == ""
    assert batched[:-1] == [ct2_texts(converted, [t], "en", "es")[0] for t in texts]


def test_int8_through_the_cli_translates(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    out = tmp_path / "int8"
    proc = run_cli("models", "convert", str(tiny_model), "-o", str(out), "-q", "int8")
    assert proc.returncode == 0, proc.stderr
    backend = CT2Backend(str(out), **GREEDY)
    assert dict(backend.hop_signature("en", "es").settings)["quantization"] == "int8"
    got = [t.text for t in backend.translate(corpus_lines(5), "en", "es")]
    assert len(got) == 5 and all(got)
    proc = run_cli(
        "translate", "-", "--to", "es", "-b", f"ct2:{out}", "-O", "beams=1", "-O", "max_length=12", "--no-cache",
        stdin=b"The so-called government fell.\n",
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip()


def test_signature(converted: Path) -> None:
    import ctranslate2

    sig = CT2Backend(str(converted), **GREEDY).hop_signature("en", "es")
    assert sig.backend == "ct2" and sig.model == str(converted.resolve())
    assert sig.revision is not None and len(sig.revision) == 12
    assert dict(sig.settings) == {
        "beams": 1,
        "max_length": 16,
        "quantization": "float32",
        "ctranslate2": ctranslate2.__version__,
    }
    assert CT2Backend(str(converted), device="auto", beams=1, max_length=16).hop_signature("en", "es") == sig
    assert CT2Backend(str(converted), beams=4, max_length=16).hop_signature("en", "es") != sig
    int8 = CT2Backend(str(converted), compute_type="int8", **GREEDY).hop_signature("en", "es")
    assert dict(int8.settings)["quantization"] == "int8"


def test_preset_finds_the_converted_model_in_the_models_dir(converted: Path, tmp_path: Path) -> None:
    import shutil

    store = tmp_path / "store"
    shutil.copytree(converted, store / stored_name("Helsinki-NLP/opus-mt-en-es"))
    backend = CT2Backend("marian", models_dir=str(store), **GREEDY)
    assert ("en", "es") in backend.pairs()
    sig = backend.hop_signature("en", "es")
    assert sig.model == "Helsinki-NLP/opus-mt-en-es" and sig.revision is not None
    texts = corpus_lines(4)
    assert [t.text for t in backend.translate(texts, "en", "es")] == ct2_texts(converted, texts, "en", "es")
    with pytest.raises(
        ModelUnavailableError, match="no converted model for Helsinki-NLP/opus-mt-es-en in .*models convert"
    ):
        backend.translate(texts, "es", "en")


def test_errors_are_one_line(converted: Path, tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    with pytest.raises(ModelUnavailableError, match="not a CTranslate2 model directory .no model.bin.*models convert"):
        CT2Backend(str(tiny_model))
    with pytest.raises(ModelUnavailableError, match="no model directory at"):
        CT2Backend(str(tmp_path / "missing"))
    with pytest.raises(ArgumentValueError, match="device must be auto, cpu, cuda or cuda:N"):
        CT2Backend(str(converted), device="toaster")
    with pytest.raises(ArgumentValueError, match="compute_type must be one of: default, auto, int8"):
        CT2Backend(str(converted), compute_type="int4")
    with pytest.raises(ArgumentValueError, match="has no option 'beam'; its options: device, compute_type"):
        CT2Backend(str(converted), beam=5)
    with pytest.raises(OutputError, match="exists and is not empty; pass --force"):
        convert(str(tiny_model), converted, "float32")
    with pytest.raises(ArgumentValueError, match="needs an output directory"):
        convert(str(tiny_model), None, "float32")
    with pytest.raises(ArgumentValueError, match="preset 'marian' has one model per pair"):
        convert("marian", tmp_path / "x")


def test_cli_conversion_errors(tiny_model: Path, converted: Path, tmp_path: Path) -> None:  # noqa: F811
    """Not a model directory, a model of a type without a family, a missing hub model offline: one line each."""
    from transformers import BartConfig, BartForConditionalGeneration

    notes = tmp_path / "notes"
    notes.mkdir()
    (notes / "README.txt").write_text("not a model", encoding="utf-8")
    bart = tmp_path / "bart"
    BartForConditionalGeneration(
        BartConfig(vocab_size=50, d_model=16, encoder_layers=1, decoder_layers=1, encoder_ffn_dim=16,
                   decoder_ffn_dim=16, encoder_attention_heads=2, decoder_attention_heads=2)
    ).save_pretrained(bart)  # fmt: skip
    cases = [
        ([str(notes)], 3, "not a transformers model directory (no config.json)"),
        ([str(bart)], 3, "model type 'bart' has no family here; accepted model types: m2m_100, marian"),
        ([str(converted)], 3, "is already a CTranslate2 model; pass it as --backend ct2:"),
        ([str(tmp_path / "nowhere")], 3, "no model directory at"),
        ([str(tiny_model), "-o", str(converted)], 6, "exists and is not empty; pass --force"),
        ([str(tiny_model), "-o", str(tmp_path / "q"), "-q", "int4"], 2, "'int4' is not one of"),
    ]
    for args, code, message in cases:
        out = args if "-o" in args else [*args, "-o", str(tmp_path / "out")]
        proc = run_cli("models", "convert", *out)
        assert proc.returncode == code, (args, proc.stderr)
        first = proc.stderr.strip().splitlines()[0]
        assert first.startswith("mtcompare: error: ") and message in first, (args, proc.stderr)
        assert "Traceback" not in proc.stderr
    assert not (tmp_path / "out").exists()


def test_missing_hub_model_offline_is_one_line(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    env = {"HF_HUB_OFFLINE": "1", "HF_HOME": str(tmp_path / "hf")}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    proc = run_cli("models", "convert", "Helsinki-NLP/opus-mt-en-xx", "-o", str(tmp_path / "out"))
    assert proc.returncode == 3
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not in the local Hugging Face cache" in lines[0]
    assert "mtcompare models convert /path/to/model -o DIR" in lines[0]


def test_import_loads_nothing_heavy_and_a_missing_package_names_the_extra() -> None:
    code = (
        "import sys\n"
        "import compare.backends.ct2 as c\n"
        "b = c.CT2Backend('marian'); b.pairs(); b.hop_signature('en', 'es'); c.CT2Backend('nllb')\n"
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'sentencepiece') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "sys.modules['ctranslate2'] = None  # as if not installed\n"
        "status = c.CT2Backend.availability()\n"
        "assert not status.ok and \"pip install 'mtcompare[ct2]'\" in status.reason, status\n"
        "try:\n"
        "    c.convert('nllb', '/nonexistent/out')\n"
        "except c.MissingExtraError as exc:\n"
        "    print(exc)\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr
    assert "mtcompare[ct2]" in run.stdout and "\n" not in run.stdout.strip()
