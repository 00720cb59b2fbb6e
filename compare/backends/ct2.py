"""CTranslate2 as a backend: the same Marian, NLLB and M2M100 models as ``hf``, converted, several times
faster on CPU (what production deployments run).

``ct2:DIR`` translates with a model converted by ``mtcompare models convert MODEL -o DIR`` (or by
CTranslate2's own ``ct2-transformers-converter --copy_files`` with the tokenizer's files). ``ct2``,
``ct2:marian``, ``ct2:nllb`` or ``ct2:ORG/NAME`` use the same presets as ``hf`` and look each model up
among the converted models in ``models_dir`` (``$MTCOMPARE_CT2_MODELS``, else the user data
directory), where ``mtcompare models convert MODEL`` without ``-o`` puts it.

The tokenizer is the model's own transformers tokenizer, saved beside the converted weights; the
model family (and so how the target language is chosen: a Marian ``>>id<<`` prefix, or NLLB's and
M2M100's target-language token as the decoder's first token) comes from :mod:`.families`, as in
``hf``. With ``beams=1`` on float32 the output equals ``hf``'s greedy output.

ctranslate2 and transformers are imported only when a model is loaded or converted.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import (
    ArgumentValueError,
    BackendUnavailableError,
    ExternalCommandError,
    MissingExtraError,
    ModelUnavailableError,
    OutputError,
)
from ..results import HopSignature, Translation
from .base import Availability, Backend, Option
from .families import Family, family_for, model_type_of_tokenizer, registered_model_types
from .hub import (
    cached_commit,
    directory_hash,
    first_line,
    from_pretrained,
    load_error,
    resolve_source,
)
from .presets import ModelChoice, Preset, PresetModels, load_presets, missing_modules

#: What ``models convert`` writes beside the converted model: where it came from and how.
METADATA_FILE = "mtcompare.json"
#: The weight types CTranslate2 converts to (``--quantization``).
QUANTIZATIONS = ("int8", "int8_float32", "int8_float16", "int8_bfloat16", "int16", "float16", "bfloat16", "float32")
#: The compute types a converted model may run with; ``default`` keeps the type it was converted to.
COMPUTE_TYPES = ("default", "auto", *QUANTIZATIONS)
INSTALL_HINT = "pip install 'mtcompare[ct2]'"
#: Generation settings of the transformers model that decoding repeats: transformers' name → CTranslate2's
#: translate_batch argument and the value that changes nothing (not recorded).
_GENERATION = {
    "repetition_penalty": ("repetition_penalty", 1.0),
    "no_repeat_ngram_size": ("no_repeat_ngram_size", 0),
    "length_penalty": ("length_penalty", 1.0),
    "min_new_tokens": ("min_decoding_length", None),
}


def default_models_dir() -> Path:
    """Where converted models for presets and hub ids are kept: ``$MTCOMPARE_CT2_MODELS``, else
    ``ct2`` in the user data directory."""
    env = os.environ.get("MTCOMPARE_CT2_MODELS", "").strip()
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir("mtcompare")) / "ct2"


def stored_name(model_id: str) -> str:
    """The directory name of a converted hub model in the models directory: ``ORG--NAME``."""
    return model_id.replace("/", "--")


def default_threads(inter_threads: int = 1) -> int:
    """CPU threads per translation: the cores this process may use, shared among ``inter_threads``."""
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, inter_threads))


def _import_ctranslate2() -> Any:
    try:
        import ctranslate2
    except ImportError as exc:
        raise MissingExtraError(
            f"the ct2 backend needs ctranslate2 ({exc}); install the extra: {INSTALL_HINT}"
        ) from None
    return ctranslate2


def _import_transformers() -> Any:
    try:
        import transformers
    except ImportError as exc:
        raise MissingExtraError(
            f"the ct2 backend needs transformers for the model's tokenizer ({exc}); "
            "install the extras: pip install 'mtcompare[ct2,hf]'"
        ) from None
    return transformers


@dataclass
class _Loaded:
    translator: Any
    tokenizer: Any
    family: Family
    #: The converted model's target vocabulary: token → id (the transformers tokenizer's ids).
    target_ids: dict[str, int]
    metadata: dict[str, Any]


def read_metadata(model_dir: Path) -> dict[str, Any]:
    """What ``models convert`` recorded in ``mtcompare.json`` ({} for a model converted elsewhere)."""
    path = model_dir / METADATA_FILE
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ModelUnavailableError(f"cannot read {str(path)!r}: {first_line(exc)}") from None
    return data if isinstance(data, dict) else {}


def _check_model_dir(path: Path) -> Path:
    if not (path / "model.bin").is_file():
        raise ModelUnavailableError(
            f"{str(path)!r} is not a CTranslate2 model directory (no model.bin); "
            f"convert a model into it: mtcompare models convert MODEL -o {path}"
        )
    return path


class CT2Backend(PresetModels, Backend):
    """Translate with a CTranslate2 model converted from a Hugging Face Marian, NLLB or M2M100 model."""

    name = "ct2"
    options_spec = (
        Option(
            "device",
            str,
            "auto",
            "where the model runs: auto (CUDA when present), cpu, cuda or cuda:N",
            accepts="auto, cpu, cuda or cuda:N",
        ),
        Option(
            "compute_type",
            str,
            "default",
            "weight and computation type; default: as converted (models convert --quantization)",
            choices=COMPUTE_TYPES,
        ),
        Option("batch_size", int, 16, "segments per batch (sorted by length)", minimum=1),
        Option("beams", int, 4, "beam size (1: greedy)", minimum=1),
        Option("max_length", int, 256, "longest input and output in tokens", minimum=1),
        Option("inter_threads", int, 1, "batches translated at once (CPU)", minimum=1),
        Option("intra_threads", int, None, "CPU threads per batch (default: the usable cores)", minimum=1),
        Option("models_dir", str, None, "converted models of presets and hub ids (default: $MTCOMPARE_CT2_MODELS)"),
    )
    install_hint = INSTALL_HINT
    pairs_note = "those of the default preset (marian), once converted; ct2:DIR serves the pairs of its model"
    #: No sampling: ctranslate2.set_random_seed seeds the calling thread, not the translator's worker
    #: threads, so a sample could not be repeated per segment (the seed would name nothing in the cache key).
    can_sample = False

    def __init__(self, arg: str | None = None, **options: Any) -> None:
        super().__init__(arg, **options)
        self.device = str(self.option("device")).strip().lower()
        if self.device not in ("auto", "cpu", "cuda") and not (
            self.device.startswith("cuda:") and self.device[5:].isdigit()
        ):
            raise ArgumentValueError(
                f"backend 'ct2' option device must be auto, cpu, cuda or cuda:N; got {self.option('device')!r}"
            )
        self.compute_type = str(self.option("compute_type"))
        self.batch_size = int(self.option("batch_size"))
        self.beams = int(self.option("beams"))
        self.max_length = int(self.option("max_length"))
        self.inter_threads = int(self.option("inter_threads"))
        self.intra_threads = int(self.option("intra_threads") or default_threads(self.inter_threads))
        models_dir = self.option("models_dir")
        self.models_dir = Path(models_dir).expanduser() if models_dir else default_models_dir()
        source = resolve_source(arg, load_presets(), "ct2", "written by mtcompare models convert")
        self.preset: Preset | None = source.preset
        #: The converted model directory when ``arg`` names one; else models are found per pair.
        self.model_dir: Path | None = _check_model_dir(Path(source.model_id)) if source.local else None
        self.model_id: str | None = source.model_id
        self._models: dict[tuple[Path, str], _Loaded] = {}
        self._revisions: dict[Path, str] = {}

    @classmethod
    def availability(cls) -> Availability:
        if missing_modules("ctranslate2"):
            return Availability(False, f"ctranslate2 not installed; install the extra: {INSTALL_HINT}")
        missing = missing_modules("transformers", "sentencepiece")
        if missing:
            return Availability(
                False, f"{', '.join(missing)} not installed (the tokenizers); install: pip install 'mtcompare[ct2,hf]'"
            )
        return Availability(True)

    def directory_for(self, choice: ModelChoice) -> Path:
        """The converted model directory of a model: the one given, or the hub model's in ``models_dir``."""
        if self.model_dir is not None:
            return self.model_dir
        path = self.models_dir / stored_name(choice.model)
        if not (path / "model.bin").is_file():
            raise ModelUnavailableError(
                f"no converted model for {choice.model} in {str(self.models_dir)!r}; convert it: "
                f"mtcompare models convert {choice.model} (or -o DIR, then --backend ct2:DIR)"
            )
        return path

    def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
        choice = self.model_for(source_lang, target_lang)
        path = self.model_dir or self.models_dir / stored_name(choice.model)
        metadata = read_metadata(path) if path.is_dir() else {}
        # A hub model by its id; a model converted from a local directory (or elsewhere) by the converted one.
        model = choice.model if self.model_dir is None else str(path)
        if self.model_dir is not None and metadata.get("source") and not metadata.get("source_local"):
            model = str(metadata["source"])
        return HopSignature(
            backend="ct2",
            source_lang=source_lang,
            target_lang=target_lang,
            model=model,
            revision=self._revision_of(path),
            settings=tuple(sorted(self._settings(metadata).items())),
        )

    def _settings(self, metadata: dict[str, Any]) -> dict[str, Any]:
        settings: dict[str, Any] = {
            "beams": self.beams,
            "max_length": self.max_length,
            "quantization": self.compute_type
            if self.compute_type != "default"
            else metadata.get("quantization", "default"),
            "ctranslate2": _ctranslate2_version(),
        }
        return settings

    def _revision_of(self, path: Path) -> str | None:
        """The converted directory's content hash (config.json, file names and sizes)."""
        if path in self._revisions:
            return self._revisions[path]
        if not path.is_dir():
            return None
        found = directory_hash(path)
        self._revisions[path] = found
        return found

    # --- translation ------------------------------------------------------------------------------

    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        choice = self.model_for(source_lang, target_lang)
        loaded = self._load(self.directory_for(choice))
        setup = loaded.family.language_setup(loaded.tokenizer, choice, source_lang, target_lang, self.spec)
        prefix = [setup.target_token] if setup.target_token else None
        tokenizer = loaded.tokenizer
        todo = [i for i, t in enumerate(texts) if t.strip()]
        tokens = {
            i: tokenizer.convert_ids_to_tokens(
                tokenizer(setup.prefix + texts[i], truncation=True, max_length=self.max_length)["input_ids"]
            )
            for i in todo
        }
        # Longest first, so each batch holds segments of similar length and little padding.
        todo.sort(key=lambda i: (-len(tokens[i]), i))
        out = [Translation("")] * len(texts)
        # With inter_threads > 1 every batch is handed over at once and CTranslate2 runs that many together.
        pending = []
        for start in range(0, len(todo), self.batch_size):
            chunk = todo[start : start + self.batch_size]
            pending.append((chunk, self._translate_tokens(loaded, [tokens[i] for i in chunk], prefix)))
        for chunk, results in pending:
            for i, result in zip(chunk, results):
                hypothesis = self._result(result).hypotheses[0]
                out[i] = Translation(self._decode(loaded, hypothesis, len(prefix or ())))
        return out

    def _result(self, result: Any) -> Any:
        """A translation result, waited for when it was asked for asynchronously."""
        if not hasattr(result, "result"):
            return result
        try:
            return result.result()
        except (RuntimeError, ValueError) as exc:
            raise ExternalCommandError(
                f"ctranslate2 failed on {self.spec}: {first_line(exc)}; try -O batch_size=4, or -O device=cpu"
            ) from None

    def _translate_tokens(self, loaded: _Loaded, batch: list[list[str]], prefix: list[str] | None) -> list[Any]:
        generation = loaded.metadata.get("generation") or {}
        extra = {arg: generation[key] for key, (arg, _) in _GENERATION.items() if generation.get(key) is not None}
        try:
            if "min_decoding_length" in extra:  # never beyond the longest output asked for
                extra["min_decoding_length"] = min(int(extra["min_decoding_length"]), self.max_length)
            return list(
                loaded.translator.translate_batch(
                    batch,
                    target_prefix=[prefix] * len(batch) if prefix else None,
                    beam_size=self.beams,
                    max_batch_size=len(batch),
                    max_decoding_length=self.max_length,
                    asynchronous=self.inter_threads > 1,
                    **extra,
                )
            )
        except (RuntimeError, ValueError) as exc:
            raise ExternalCommandError(
                f"ctranslate2 failed on {self.spec}: {first_line(exc)}; try -O batch_size=4, or -O device=cpu"
            ) from None

    def _decode(self, loaded: _Loaded, hypothesis: list[str], skip: int) -> str:
        """The text of one hypothesis, decoded by the tokenizer as hf decodes its ids.

        The target prefix (a language token) is dropped. A model converted from transformers with a
        forced end token (Marian's ``forced_eos_token_id``) ends on it when the length runs out, so the
        last token of a hypothesis that reached ``max_length`` is dropped, as in transformers.
        """
        tokens = list(hypothesis)
        if loaded.metadata.get("forced_eos") and len(tokens) >= self.max_length:
            tokens = tokens[: self.max_length - 1]
        tokens = tokens[skip:]
        unk = loaded.tokenizer.unk_token_id
        ids = [loaded.target_ids.get(t, unk) for t in tokens]
        return str(loaded.tokenizer.decode(ids, skip_special_tokens=True)).strip()

    def _load(self, path: Path) -> _Loaded:
        """Translator and tokenizer of a converted model, loaded once per directory and compute type."""
        key = (path, self.compute_type)
        if key in self._models:
            return self._models[key]
        ctranslate2 = _import_ctranslate2()
        transformers = _import_transformers()
        metadata = read_metadata(path)
        try:
            tokenizer = transformers.AutoTokenizer.from_pretrained(str(path))
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailableError(
                f"cannot load the tokenizer of the CTranslate2 model {str(path)!r}: {first_line(exc)}; "
                "convert with mtcompare models convert (it keeps the tokenizer), or copy the model's "
                "tokenizer files into the directory"
            ) from None
        model_type = metadata.get("model_type") or model_type_of_tokenizer(tokenizer)
        family = family_for(model_type, tokenizer)
        device, index = self._resolve_device(ctranslate2)
        try:
            translator = ctranslate2.Translator(
                str(path),
                device=device,
                device_index=index,
                compute_type=self.compute_type,
                inter_threads=self.inter_threads,
                intra_threads=self.intra_threads,
            )
        except (RuntimeError, ValueError) as exc:
            supported = ", ".join(sorted(ctranslate2.get_supported_compute_types(device)))
            raise ModelUnavailableError(
                f"cannot load the CTranslate2 model {str(path)!r} on {device} with compute_type "
                f"{self.compute_type}: {first_line(exc)} (compute types here: default, auto, {supported})"
            ) from None
        loaded = _Loaded(translator, tokenizer, family, _target_vocabulary(path), metadata)
        self._models[key] = loaded
        return loaded

    def _resolve_device(self, ctranslate2: Any) -> tuple[str, int]:
        cuda = ctranslate2.get_cuda_device_count()
        if self.device == "auto":
            return ("cuda", 0) if cuda > 0 else ("cpu", 0)
        if self.device == "cpu":
            return "cpu", 0
        index = int(self.device[5:]) if ":" in self.device else 0
        if index >= cuda:
            raise BackendUnavailableError(
                f"device {self.device} is not available to ctranslate2 (CUDA devices here: {cuda}); use -O device=cpu"
            )
        return "cuda", index


def _target_vocabulary(path: Path) -> dict[str, int]:
    """Token → id of the converted model's target vocabulary (its order is the tokenizer's ids)."""
    for name in ("target_vocabulary", "shared_vocabulary", "vocabulary"):
        as_json = path / f"{name}.json"
        as_text = path / f"{name}.txt"
        if as_json.is_file():
            tokens = json.loads(as_json.read_text(encoding="utf-8"))
            break
        if as_text.is_file():
            tokens = as_text.read_text(encoding="utf-8").split("\n")
            break
    else:
        raise ModelUnavailableError(f"{str(path)!r} has no vocabulary file; convert the model again")
    ids: dict[str, int] = {}
    for i, token in enumerate(tokens):
        ids.setdefault(token, i)
    return ids


def _ctranslate2_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("ctranslate2")
    except PackageNotFoundError:
        return "not installed"


# --- conversion ---------------------------------------------------------------------------------------


def convert(
    model: str,
    output_dir: str | Path | None = None,
    quantization: str = "int8",
    *,
    revision: str | None = None,
    force: bool = False,
    models_dir: str | Path | None = None,
) -> Path:
    """Convert a Hugging Face Marian, NLLB or M2M100 model for the ``ct2`` backend; the output directory.

    ``model`` is a hub id, a directory written by ``save_pretrained``, or a preset with one model
    (``nllb``, ``m2m100``). CTranslate2's own ``TransformersConverter`` writes the weights with
    ``quantization``; the tokenizer is saved beside them and ``mtcompare.json`` records the source
    model, its revision, its family and the settings that decoding must repeat. Without
    ``output_dir`` the model goes to the models directory, where ``ct2:PRESET`` and ``ct2:ORG/NAME``
    find it.

    Raises :class:`~compare.errors.ModelUnavailableError` (one line) when the model cannot be read
    or has no family here, :class:`~compare.errors.OutputError` when the output directory is taken.
    """
    if quantization not in QUANTIZATIONS:
        raise ArgumentValueError(f"quantization must be one of: {', '.join(QUANTIZATIONS)}; got {quantization!r}")
    presets = load_presets()
    source = resolve_source(model, presets, "ct2", "written by save_pretrained()")
    if source.model_id is None:
        assert source.preset is not None
        raise ArgumentValueError(
            f"preset {source.preset.name!r} has one model per pair; convert each by its hub id, e.g. "
            f"mtcompare models convert {source.preset.models()[0]}"
        )
    model_id, local = source.model_id, source.local
    if local and (Path(model_id) / "model.bin").is_file() and not (Path(model_id) / "pytorch_model.bin").exists():
        raise ModelUnavailableError(f"{model_id!r} is already a CTranslate2 model; pass it as --backend ct2:{model_id}")
    if local and not (Path(model_id) / "config.json").is_file():
        raise ModelUnavailableError(
            f"cannot convert {model_id!r}: not a transformers model directory (no config.json); "
            "pass a directory written by save_pretrained() or a hub id"
        )
    out = Path(output_dir).expanduser() if output_dir is not None else _store_path(model_id, local, models_dir)
    if out.exists() and (not out.is_dir() or any(out.iterdir())) and not force:
        raise OutputError(f"cannot write {str(out)!r}: it exists and is not empty; pass --force to replace it")
    ctranslate2 = _import_ctranslate2()
    transformers = _import_transformers()
    try:
        config = from_pretrained(transformers.AutoConfig, model_id, revision, local)
    except (OSError, ValueError, KeyError) as exc:
        raise ModelUnavailableError(
            load_error(
                model_id,
                exc,
                local=local,
                revision=revision,
                presets=presets,
                use_directory="mtcompare models convert /path/to/model -o DIR",
            )
        ) from None
    model_type = getattr(config, "model_type", None)
    if model_type not in registered_model_types():
        raise ModelUnavailableError(
            f"cannot convert {model_id!r}: model type {model_type!r} has no family here; "
            f"accepted model types: {', '.join(registered_model_types())} (Marian, NLLB, M2M100)"
        )
    converter = _converter_class()(model_id, revision=revision, local=local)
    try:
        converter.convert(str(out), quantization=quantization, force=True)
    except (OSError, ValueError, KeyError, RuntimeError) as exc:
        raise ModelUnavailableError(f"cannot convert {model_id!r}: {first_line(exc)}") from None
    tokenizer = converter.tokenizer
    tokenizer.save_pretrained(str(out))
    generation = _generation_settings(converter.model)
    metadata = {
        "format": 1,
        "source": model_id,
        "source_local": local,
        "source_revision": directory_hash(Path(model_id)) if local else cached_commit(model_id, revision) or revision,
        "model_type": model_type,
        "family": family_for(model_type, tokenizer).name,
        "quantization": quantization,
        "ctranslate2": ctranslate2.__version__,
        "transformers": transformers.__version__,
        "forced_eos": generation.pop("forced_eos", False),
        "generation": generation,
    }
    (out / METADATA_FILE).write_text(json.dumps(metadata, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


def _store_path(model_id: str, local: bool, models_dir: str | Path | None) -> Path:
    root = Path(models_dir).expanduser() if models_dir is not None else default_models_dir()
    if local:
        raise ArgumentValueError(
            f"converting the directory {model_id!r} needs an output directory: -o DIR "
            "(only hub models are kept in the models directory)"
        )
    return root / stored_name(model_id)


def _generation_settings(model: Any) -> dict[str, Any]:
    """The transformers model's decoding settings that the ct2 backend must repeat."""
    found: dict[str, Any] = {}
    for source in (getattr(model, "config", None), getattr(model, "generation_config", None)):
        if source is None:
            continue
        if getattr(source, "forced_eos_token_id", None) is not None:
            found["forced_eos"] = True
        for key, (_, neutral) in _GENERATION.items():
            value = getattr(source, key, None)
            if value is not None and value != neutral:
                found[key] = value
    return found


def _converter_class() -> Any:
    """CTranslate2's TransformersConverter, loading from the local cache first (as hf does) and
    giving each family's loader the tokenizer it expects (:meth:`Family.conversion_tokenizer`)."""
    from ctranslate2.converters import TransformersConverter

    class Converter(TransformersConverter):  # type: ignore[misc]
        def __init__(self, model_id: str, revision: str | None, local: bool) -> None:
            super().__init__(model_id, revision=revision)
            self.local = local
            self.model: Any = None
            self.tokenizer: Any = None

        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            kwargs.pop("revision", None)
            loader = _Partial(model_class, kwargs)
            self.model = from_pretrained(loader, model_name_or_path, self._revision, self.local)
            return self.model

        def load_tokenizer(self, tokenizer_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            tokenizer = from_pretrained(
                _Partial(tokenizer_class, kwargs), model_name_or_path, self._revision, self.local
            )
            self.tokenizer = tokenizer
            model_type = getattr(getattr(self.model, "config", None), "model_type", None)
            return family_for(model_type, tokenizer).conversion_tokenizer(tokenizer)

    return Converter


class _Partial:
    """``cls.from_pretrained`` with fixed keyword arguments (for :func:`compare.backends.hub.from_pretrained`)."""

    def __init__(self, cls: Any, kwargs: dict[str, Any]) -> None:
        self.cls, self.kwargs = cls, kwargs

    def from_pretrained(self, *args: Any, **kwargs: Any) -> Any:
        return self.cls.from_pretrained(*args, **self.kwargs, **kwargs)


__all__ = ["CT2Backend", "convert", "default_models_dir", "default_threads", "read_metadata"]
