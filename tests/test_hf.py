"""The hf backend, run for real on a tiny Marian model built here (no download), and its presets.

The model has random weights, so its output is nonsense; what is tested is the machinery around it:
loading through from_pretrained, batching and order, determinism, the cache, the language token of a
multi-target model, and the errors a user sees when a model cannot be had.
"""

from __future__ import annotations

import json
import random
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from compare.backends import load_backend
from compare.backends.hf import HFBackend
from compare.backends.presets import load_presets, parse_presets, read_presets
from compare.cache import TranslationCache
from compare.errors import (
    BackendUnavailableError,
    ModelUnavailableError,
    MtcompareError,
    UnsupportedPairError,
)
from compare.results import Translation

pytestmark = [pytest.mark.hf, pytest.mark.filterwarnings("ignore:Recommended:UserWarning")]

ROOT = Path(__file__).resolve().parent.parent
CORPUS = Path(__file__).resolve().parent / "data" / "tiny_corpus.txt"
FAST = {"beams": 2, "max_length": 16}


def corpus_lines(n: int, start: int = 0) -> list[str]:
    lines = [line.strip() for line in CORPUS.read_text(encoding="utf-8").splitlines() if line.strip()]
    return lines[start : start + n]


@pytest.fixture(scope="session")
def tiny_model(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny MarianMT model (random weights, real SentencePiece vocabulary) saved to a directory."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    pytest.importorskip("sentencepiece")
    from .hf_model import build_tiny_marian

    return build_tiny_marian(tmp_path_factory.mktemp("models") / "tiny-en-es")


@pytest.fixture(scope="session")
def tiny_multi_target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Like ``tiny_model``, but needing a >>spa<< or >>cat<< token, as OPUS-MT's en-ar or en-zh do."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from .hf_model import build_tiny_marian

    return build_tiny_marian(tmp_path_factory.mktemp("models") / "tiny-en-roa", (">>spa<<", ">>cat<<"))


@pytest.fixture(scope="session")
def tiny_backend(tiny_model: Path) -> HFBackend:
    backend = load_backend(f"hf:{tiny_model}", device="cpu", batch_size=3, **FAST)
    assert isinstance(backend, HFBackend)
    return backend


def count_batches(monkeypatch: pytest.MonkeyPatch, backend: HFBackend) -> list[int]:
    """Spy on the batch call: record the number of segments of each call, then call through."""
    calls: list[int] = []
    real = backend._translate_batch

    def spy(texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        calls.append(len(texts))
        return real(texts, source_lang, target_lang)

    monkeypatch.setattr(backend, "_translate_batch", spy)
    return calls


def test_local_directory_loads_and_translates(tiny_backend: HFBackend, tiny_model: Path) -> None:
    texts = corpus_lines(5)
    out = tiny_backend.translate(texts, "en", "es")
    assert len(out) == len(texts)
    assert all(isinstance(t, Translation) and isinstance(t.text, str) and t.text for t in out)
    assert tiny_backend.pairs() == set()
    assert tiny_backend.translate([], "en", "es") == []


def test_signature_names_the_directory_and_settings_not_the_device(tiny_model: Path) -> None:
    a = HFBackend(str(tiny_model), device="cpu", **FAST).hop_signature("en", "es")
    b = HFBackend(str(tiny_model), device="auto", **FAST).hop_signature("en", "es")
    assert a == b
    assert a.backend == "hf" and a.model == str(tiny_model.resolve())
    assert a.revision is not None and len(a.revision) == 12
    assert dict(a.settings) == {"beams": 2, "max_length": 16}
    assert HFBackend(str(tiny_model), beams=5).hop_signature("en", "es") != a


def test_batches_sorted_by_length_but_output_in_input_order(tiny_backend: HFBackend) -> None:
    texts = corpus_lines(10, start=20)
    shuffled = random.Random(7).sample(texts, len(texts))
    batched = [t.text for t in tiny_backend.translate(shuffled, "en", "es")]
    one_by_one = [tiny_backend.translate([t], "en", "es")[0].text for t in shuffled]
    assert batched == one_by_one
    assert len(set(batched)) > 1, "the tiny model should not give every input the same output"


def test_duplicates_and_blank_segments(tiny_backend: HFBackend, monkeypatch: pytest.MonkeyPatch) -> None:
    calls = count_batches(monkeypatch, tiny_backend)
    a, b = corpus_lines(2, start=40)
    out = tiny_backend.translate([a, "", b, a], "en", "es")
    assert calls == [3]
    assert out[1].text == "" and out[0] == out[3] and out[0] != out[2]


def test_two_runs_are_identical(tiny_model: Path) -> None:
    texts = corpus_lines(6, start=60)
    first = HFBackend(str(tiny_model), device="cpu", **FAST).translate(texts, "en", "es")
    second = HFBackend(str(tiny_model), device="cpu", **FAST).translate(texts, "en", "es")
    assert first == second


def test_second_run_comes_from_the_cache(
    tiny_backend: HFBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_batches(monkeypatch, tiny_backend)
    texts = corpus_lines(4, start=80)
    with TranslationCache(tmp_path / "cache") as cache:
        first = tiny_backend.translate(texts, "en", "es", cache=cache)
        assert calls == [4]
        second = tiny_backend.translate(texts, "en", "es", cache=cache)
        assert calls == [4], "a cached translation must not reach the model"
        assert second == first and cache.hits == 4
        tiny_backend.translate([*texts, "A new sentence."], "en", "es", cache=cache)
        assert calls == [4, 1]


def test_multi_target_model_gets_its_language_token(tiny_multi_target: Path) -> None:
    backend = HFBackend(str(tiny_multi_target), device="cpu", **FAST)
    texts = corpus_lines(3, start=100)
    to_es = [t.text for t in backend.translate(texts, "en", "es")]
    to_ca = [t.text for t in backend.translate(texts, "en", "ca")]
    assert to_es != to_ca
    loaded = next(iter(backend._models.values()))
    prefixed = backend._generate(loaded, [">>spa<< " + t for t in texts], {})
    assert [t.strip() for t in prefixed] == to_es
    with pytest.raises(UnsupportedPairError, match=r">>spa<<.*>>cat<<|>>cat<<.*>>spa<<"):
        backend.translate(texts, "en", "de")


@pytest.fixture(scope="session", params=["m2m100", "nllb"])
def tiny_multilingual(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A tiny M2M100-architecture model with an M2M100 or an NLLB tokenizer and all their language tokens."""
    pytest.importorskip("torch")
    pytest.importorskip("transformers")
    from .hf_model import build_tiny_multilingual

    return build_tiny_multilingual(tmp_path_factory.mktemp("models") / f"tiny-{request.param}", request.param)


def test_multilingual_family_read_from_the_directory(tiny_multilingual: Path) -> None:
    family = tiny_multilingual.name.removeprefix("tiny-")
    backend = HFBackend(str(tiny_multilingual), device="cpu", **FAST)
    texts = corpus_lines(3, start=300)  # Spanish
    to_en = [t.text for t in backend.translate(texts, "es", "en")]
    to_fr = [t.text for t in backend.translate(texts, "es", "fr")]
    loaded = next(iter(backend._models.values()))
    assert loaded.family == family
    assert loaded.tokenizer.src_lang == {"nllb": "spa_Latn", "m2m100": "es"}[family]
    assert to_en != to_fr, "the forced first token must choose the target language"
    assert not any("__en__" in t or "eng_Latn" in t for t in to_en), "language token left in the text"
    assert backend.pairs() == set()
    unlisted = {"nllb": "sw", "m2m100": "eu"}[family]  # sw is in NLLB but not in our table; eu not in M2M100
    with pytest.raises(UnsupportedPairError, match=f"no language code for '{unlisted}'.*codes.{family}"):
        backend.translate(texts, "es", unlisted)


def test_missing_hub_model_offline(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    backend = HFBackend("Helsinki-NLP/opus-mt-en-xx", device="cpu")
    with pytest.raises(ModelUnavailableError) as info:
        backend.translate(["Hello."], "en", "es")
    message = str(info.value)
    assert "\n" not in message
    assert "'Helsinki-NLP/opus-mt-en-xx'" in message
    assert "huggingface-cli download Helsinki-NLP/opus-mt-en-xx" in message
    assert "--backend hf:/path/to/model" in message
    assert info.value.__suppress_context__ and info.value.__cause__ is None


def test_missing_hub_model_without_network_fails_fast(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without HF_HUB_OFFLINE and with the hub unreachable (here: a closed local port), no retries."""
    pytest.importorskip("transformers")
    for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE", "HTTPS_PROXY", "https_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("HF_ENDPOINT", "http://127.0.0.1:9")
    backend = HFBackend("nlb", device="cpu")
    with pytest.raises(ModelUnavailableError, match="'nlb' .did you mean the preset 'nllb'.*unreachable"):
        backend.translate(["Hello."], "en", "es")


def test_missing_local_directory(tmp_path: Path) -> None:
    missing = tmp_path / "no" / "such-model"
    with pytest.raises(ModelUnavailableError, match="no model directory at .*such-model"):
        load_backend(f"hf:{missing}")
    with pytest.raises(ModelUnavailableError, match="no model directory"):
        HFBackend("./definitely/not/here")


def test_directory_that_is_not_a_model(tmp_path: Path) -> None:
    pytest.importorskip("transformers")
    (tmp_path / "notes.txt").write_text("not a model", encoding="utf-8")
    backend = HFBackend(str(tmp_path), device="cpu")
    with pytest.raises(ModelUnavailableError, match="cannot load model from"):
        backend.translate(["Hello."], "en", "es")


def test_bad_options(tiny_model: Path) -> None:
    with pytest.raises(MtcompareError, match="batch_size"):
        HFBackend(str(tiny_model), batch_size=0)
    with pytest.raises(MtcompareError, match="beams"):
        HFBackend(str(tiny_model), beams="many")
    backend = HFBackend(str(tiny_model), device="toaster")
    with pytest.raises(BackendUnavailableError, match="unknown device 'toaster'"):
        backend.translate(["Hello."], "en", "es")


def test_import_does_not_load_torch() -> None:
    code = (
        "import sys, compare, compare.backends.hf as hf\n"
        "b = hf.HFBackend('marian'); b.pairs(); b.hop_signature('en', 'es'); hf.HFBackend('nllb')\n"
        "heavy = [m for m in ('torch', 'transformers', 'sentencepiece') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=False)
    assert run.returncode == 0, run.stderr


# Presets: pure data, no model.


def test_nllb_and_m2m100_codes() -> None:
    presets = load_presets()
    nllb = {lang: presets.language_code("nllb", lang) for lang in ("en", "es", "ar", "fa", "he", "ckb", "ku")}
    assert nllb == {
        "en": "eng_Latn",
        "es": "spa_Latn",
        "ar": "arb_Arab",
        "fa": "pes_Arab",
        "he": "heb_Hebr",
        "ckb": "ckb_Arab",
        "ku": "kmr_Latn",
    }
    assert presets.language_code("nllb", "zh-CN") == "zho_Hans"
    assert presets.language_code("nllb", "zh-TW") == "zho_Hant"
    assert presets.language_code("m2m100", "es") == "es"
    assert presets.language_code("m2m100", "ckb") is None
    required = "en es ca gl fr de ru tr ar fa he zh ku kmr ckb eu eo it pt".split()
    assert [lang for lang in required if presets.language_code("nllb", lang) is None] == []


def test_code_tables_match_the_models_own_lists() -> None:
    """Every code we map to exists in the tokenizers' own language lists, as shipped in transformers."""
    pytest.importorskip("transformers")
    from transformers.models.m2m_100.tokenization_m2m_100 import FAIRSEQ_LANGUAGE_CODES as M2M
    from transformers.models.nllb.tokenization_nllb import FAIRSEQ_LANGUAGE_CODES as NLLB

    codes = load_presets().codes
    assert set(codes["nllb"].values()) <= set(NLLB)
    assert set(codes["m2m100"].values()) <= set(M2M["m2m100"])


def test_presets_choose_models_per_pair() -> None:
    marian = HFBackend()
    assert marian.preset is not None and marian.preset.name == "marian"
    assert marian.model_for("en", "es").model == "Helsinki-NLP/opus-mt-en-es"
    assert marian.model_for("en", "tr").model == "Helsinki-NLP/opus-mt-tc-big-en-tr"
    assert marian.model_for("en", "zh").target_token == ">>cmn_Hans<<"
    assert {("en", "es"), ("es", "en"), ("en", "tr"), ("he", "en")} <= marian.pairs()
    with pytest.raises(UnsupportedPairError, match="hf has no pair en→ja"):
        marian.translate(["Hello."], "en", "ja")
    nllb = HFBackend("nllb")
    assert nllb.pairs() == set() and nllb.model_for("en", "ar").model == "facebook/nllb-200-distilled-600M"
    assert HFBackend("m2m100").hop_signature("en", "fa").model == "facebook/m2m100_418M"
    assert HFBackend("Helsinki-NLP/opus-mt-en-de").pairs() == set()


def shipped() -> dict[str, Any]:
    text = (ROOT / "models" / "hf.yaml").read_text(encoding="utf-8")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def test_shipped_presets_are_valid() -> None:
    presets = parse_presets(shipped())
    assert presets.default == "marian" and {"marian", "nllb", "m2m100"} <= set(presets.presets)


@pytest.mark.parametrize(
    ("edit", "where"),
    [
        (lambda d: d["presets"]["marian"].update(colour="red"), "presets/marian"),
        (lambda d: d.update(extra=1), "top level"),
        (
            lambda d: d["presets"]["marian"]["overrides"]["en-zh"].update(token=">>x<<"),
            "presets/marian/overrides/en-zh",
        ),
        (lambda d: d["presets"]["nllb"].update(family="llama"), "presets/nllb/family"),
        (lambda d: d["presets"]["marian"]["pairs"].append("english-spanish"), "presets/marian/pairs"),
        (lambda d: d["codes"]["nllb"].update(English="eng_Latn"), "codes/nllb"),
    ],
)
def test_schema_rejects_unknown_keys_and_bad_values(edit: Any, where: str) -> None:
    data = shipped()
    edit(data)
    with pytest.raises(BackendUnavailableError, match=f"not a valid hf preset file: at {where}"):
        parse_presets(data)


def test_default_preset_must_exist() -> None:
    data = shipped()
    data["default"] = "opus"
    with pytest.raises(BackendUnavailableError, match="default preset 'opus' is not defined"):
        parse_presets(data)


def test_cli_runs_hf_beside_apertium(tiny_model: Path, tmp_path: Path, apertium: str) -> None:
    """Two backends side by side on the same input, through the real command line."""
    from .conftest import run_cli

    proc = run_cli(
        "roundtrip",
        "-",
        "--via",
        "es",
        "--backend",
        "apertium",
        "--backend",
        f"hf:{tiny_model}",
        "-O",
        "beams=2",
        "-O",
        "max_length=16",
        "-O",
        "device=cpu",
        "--format",
        "json",
        "--cache-dir",
        str(tmp_path),
        stdin=b"The so-called government fell. Daesh terrorists fled.",
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert [p["backends"] for p in doc["paths"]] == [["apertium", "apertium"], ["hf", "hf"]]
    hf_path = doc["paths"][1]
    assert all(len(h["segments"]) == 2 for h in hf_path["hops"])
    assert f"hf:{tiny_model}@" in hf_path["signature"]["short"] and "beams=2" in hf_path["signature"]["short"]
    # Random weights give no real translation: every source term comes back dropped or replaced.
    hf_shifts = doc["analysis"]["paths"][1]["shifts"]
    assert doc["analysis"]["paths"][1]["path"] == hf_path["name"]
    assert {s["status"] for s in hf_shifts if s["source_form"]} <= {"dropped", "replaced"}


def _error_line(text: str, source: str = "models/edited.yaml") -> tuple[int, str]:
    """The line number and message of the error that reading ``text`` as a preset file raises."""
    with pytest.raises(BackendUnavailableError) as info:
        read_presets(text, source)
    message = str(info.value)
    assert "\n" not in message and message.startswith(source + ":"), message
    return int(message.split(":")[1]), message


def test_preset_file_errors_name_the_file_and_line() -> None:
    text = (ROOT / "models" / "hf.yaml").read_text(encoding="utf-8")
    lines = text.splitlines()
    assert read_presets(text, "models/hf.yaml") == load_presets()

    line, message = _error_line(text.replace("    family: nllb\n", "    family: llama\n"))
    assert "not a valid hf preset file: at presets/nllb/family" in message
    assert text.replace("    family: nllb\n", "    family: llama\n").splitlines()[line - 1] == "    family: llama"

    line, message = _error_line(text.replace("default: marian\n", "default: marian\ndefault: nllb\n"))
    assert "key 'default' appears twice" in message and line == lines.index("default: marian") + 2

    line, message = _error_line(text.replace("default: marian\n", "default: opus\n"))
    assert "default preset 'opus' is not defined" in message and line == lines.index("default: marian") + 1

    line, message = _error_line(text.replace("  nllb:\n", "  nllb: [\n", 1))
    assert "YAML syntax error" in message

    # Keys are read as written: 'no' is the key "no", not False.
    line, message = _error_line(text + "no: 1\n")
    assert "at top level" in message and "'no'" in message
