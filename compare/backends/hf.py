"""Hugging Face transformers seq2seq models as a backend: OPUS-MT (Marian), NLLB-200, M2M100.

``hf`` or ``hf:marian`` picks one OPUS-MT model per pair from the presets in ``models/hf.yaml``;
``hf:nllb`` and ``hf:m2m100`` use one multilingual model; ``hf:ORG/NAME`` takes any hub model and
``hf:/path/to/dir`` a model saved with ``save_pretrained``. The model family (and so how the target
language is chosen) is read from the loaded model's config, so a local directory needs no preset.

torch and transformers are imported only when a model is loaded. A hub model is taken from the local
Hugging Face cache when it is there, and downloaded only when it is not.

**Word alignment.** With the option ``align`` on (the default), each translation carries word links
read from the model's cross-attention, in the format Apertium's links have
(:attr:`~compare.results.Translation.alignment`): after generation, one teacher-forced forward pass over
(source ids, generated ids) returns the cross-attention; special tokens, padding, language-code tokens
and a Marian ``>>id<<`` prefix are left out; subword tokens are placed in their texts (the fast
tokenizer's offsets for the source where it has them, else each piece is found in the text) and
grouped into the words the term matcher cuts (:func:`compare.matching.tokenize`); each target word is
linked to the source word with the most attention summed over their tokens, and also to the second
one when that has at least half as much. ``align=False`` (or ``off``) skips the extra pass, is
recorded in the hop signature (``align=off``) and gives no links.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import (
    ArgumentValueError,
    BackendUnavailableError,
    ExternalCommandError,
    ModelUnavailableError,
    MtcompareError,
)
from ..results import HopSignature, Link, Translation
from .base import Availability, Backend, Option
from .families import Family, family_for
from .hub import cached_commit, directory_hash, first_line, from_pretrained, load_error, resolve_source
from .presets import (
    PRESET_FILE,
    ModelChoice,
    Preset,
    PresetModels,
    Presets,
    load_presets,
    missing_modules,
    parse_presets,
)

__all__ = ["HFBackend", "ModelChoice", "PRESET_FILE", "Preset", "Presets", "load_presets", "parse_presets"]

#: The decoder layer whose cross-attention gives the word links: the penultimate one (the only one of a
#: one-layer model), its heads averaged, read at the step that predicts each target token. Garg et al.
#: (2019, "Jointly Learning to Align and Translate with Transformer Models") found this layer's averaged
#: heads align best among the layers of a Transformer; the last layer attends to what helps predict the
#: next word more than to what is being translated.
ALIGNMENT_LAYER = -2
#: A target word is also linked to its second source word when that has at least this share of the
#: best one's attention (a word translating two, "Daesh" for "Islamic State").
SECOND_LINK = 0.5
#: Tokens that stand for a language, not for text: M2M100's __fr__, NLLB's fra_Latn, Marian's >>fra<<.
_LANGUAGE_TOKEN = re.compile(r"^(__[a-z]{2,3}(_[A-Za-z]+)?__|[a-z]{3}_[A-Z][a-z]{3}|>>[^<>\s]+<<)$")


@dataclass
class _Loaded:
    tokenizer: Any
    model: Any
    #: The family's name: marian, nllb, m2m100 (or the model type of another family).
    family: str
    device: str
    #: How the family chooses its languages (:mod:`compare.backends.families`).
    handler: Family


def _sample_seed(options: dict[str, Any]) -> int | None:
    """The ``sample`` option: ``None`` (greedy or beam search) or a seed from 0 to 2**32 - 1."""
    value = options.get("sample")
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value < 2**32:
        raise ArgumentValueError(f"sample must be a seed from 0 to 2**32 - 1, not {value!r}")
    return value


def _segment_seed(seed: int, text: str) -> int:
    """The torch seed of one segment's sample: from the run's seed and the segment's text."""
    import hashlib

    return int.from_bytes(hashlib.sha256(f"{seed}\0{text}".encode()).digest()[:4], "big")


class HFBackend(PresetModels, Backend):
    """Translate with a Hugging Face seq2seq model: a preset, a hub id, or a local directory."""

    name = "hf"
    pairs_note = "those of the default preset (marian); hf:MODEL serves the pairs of MODEL"

    options_spec = (
        Option("device", str, "auto", "where the model runs: auto, cpu, cuda, cuda:N or mps"),
        Option("batch_size", int, 16, "segments per batch", minimum=1),
        Option("beams", int, 4, "beam size (1: greedy)", minimum=1),
        Option("max_length", int, 256, "longest output in tokens", minimum=1),
        Option("revision", str, None, "the model's hub revision (a commit, tag or branch)"),
        Option("align", bool, True, "word alignment from cross-attention"),
        Option("sample", int, None, "translate by sampling with this seed (not beam search)", minimum=0),
    )
    install_hint = "pip install 'mtcompare[hf]'"
    gives_alignment = True
    can_sample = True

    def __init__(self, arg: str | None = None, **options: Any) -> None:
        super().__init__(arg, **options)
        self.device = str(self.options.get("device", "auto"))
        self.batch_size = _positive_int(self.options, "batch_size", 16)
        self.beams = _positive_int(self.options, "beams", 4)
        self.max_length = _positive_int(self.options, "max_length", 256)
        self.revision: str | None = str(self.options["revision"]) if "revision" in self.options else None
        #: A sampling seed: with it, each segment is translated by sampling (no beams), seeded from this
        #: seed and the segment's text, so a segment's sample does not depend on what is batched with it.
        self.sample: int | None = _sample_seed(self.options)
        if self.sample is not None:
            self.beams = 1
        #: Whether translations carry word links from the model's cross-attention (one more forward pass).
        self.align = _switch(self.options, "align", True)
        self.gives_alignment = self.align  # type: ignore[misc]
        self._models: dict[tuple[str, str | None, str], _Loaded] = {}
        self._revisions: dict[str, str] = {}
        source = resolve_source(arg, load_presets(), "hf", "written by save_pretrained()")
        self.preset: Preset | None = source.preset
        #: The one model used for every pair (hub id or absolute path); None for a per-pair preset.
        self.model_id: str | None = source.model_id
        self.local = source.local

    @classmethod
    def availability(cls) -> Availability:
        missing = missing_modules("torch", "transformers", "sentencepiece")
        if missing:
            return Availability(
                False, f"{', '.join(missing)} not installed; install the extra: pip install 'mtcompare[hf]'"
            )
        return Availability(True)

    def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
        model = self.model_for(source_lang, target_lang).model
        return HopSignature(
            backend="hf",
            source_lang=source_lang,
            target_lang=target_lang,
            model=model,
            revision=self._revision_of(model),
            settings=tuple(sorted(self._settings().items())),
        )

    def _settings(self) -> dict[str, Any]:
        """Decoding settings for the signature; ``align=off`` only when links were switched off."""
        settings: dict[str, Any] = {"beams": self.beams, "max_length": self.max_length}
        if self.sample is not None:
            settings["sample"] = self.sample
        if not self.align:  # no links: the tracer falls back to lemmas and positions
            settings["align"] = "off"
        return settings

    def _revision_of(self, model: str) -> str | None:
        """A local directory's content hash; a hub model's cached commit, else the revision asked for."""
        if model in self._revisions:
            return self._revisions[model]
        found = directory_hash(Path(model)) if self.local else cached_commit(model, self.revision)
        if found is None:
            return self.revision
        self._revisions[model] = found
        return found

    def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
        choice = self.model_for(source_lang, target_lang)
        loaded = self._load(choice.model)
        prefix, generate_args = self._language_setup(loaded, choice, source_lang, target_lang)
        out = [Translation("")] * len(texts)
        # Longest first, so each batch holds segments of similar length and little padding.
        todo = sorted((i for i, t in enumerate(texts) if t.strip()), key=lambda i: (-len(texts[i]), i))
        size = 1 if self.sample is not None else self.batch_size  # a sample is seeded per segment
        for start in range(0, len(todo), size):
            chunk = todo[start : start + size]
            seed = 0 if self.sample is None else _segment_seed(self.sample, texts[chunk[0]])
            inputs, ids = self._generate_ids(loaded, [prefix + texts[i] for i in chunk], generate_args, seed)
            decoded = [t.strip() for t in self._decode(loaded, ids, generate_args)]
            if self.align:
                sources = [texts[i] for i in chunk]
                links = self._attention_links(loaded, inputs, ids, sources, decoded, prefix, generate_args)
            else:
                links = [()] * len(chunk)
            for i, text, found in zip(chunk, decoded, links):
                out[i] = Translation(text, alignment=found)
        return out

    def _generate(self, loaded: _Loaded, batch: list[str], generate_args: dict[str, Any]) -> list[str]:
        """The translations of ``batch`` (inputs with any prefix already added), as decoded."""
        return self._decode(loaded, self._generate_ids(loaded, batch, generate_args)[1], generate_args)

    def _generate_ids(
        self, loaded: _Loaded, batch: list[str], generate_args: dict[str, Any], seed: int = 0
    ) -> tuple[Any, Any]:
        """The tokenized batch and the generated ids (decoder start and forced tokens included)."""
        import torch

        tokenizer, model = loaded.tokenizer, loaded.model
        try:
            with torch.inference_mode():
                inputs = tokenizer(
                    batch, return_tensors="pt", padding=True, truncation=True, max_length=self.max_length
                ).to(loaded.device)
                torch.manual_seed(seed)
                ids = model.generate(
                    **inputs,
                    num_beams=self.beams,
                    max_new_tokens=self.max_length,
                    do_sample=self.sample is not None,
                    **({"top_k": 0, "top_p": 1.0, "temperature": 1.0} if self.sample is not None else {}),
                    **generate_args,
                )
        except (RuntimeError, IndexError, ValueError) as exc:
            raise ExternalCommandError(
                f"{model.name_or_path} failed on {loaded.device}: {first_line(exc)}; "
                "try -O batch_size=4, or -O device=cpu"
            ) from None
        return inputs, ids

    def _decode(self, loaded: _Loaded, ids: Any, generate_args: dict[str, Any]) -> list[str]:
        forced = generate_args.get("forced_bos_token_id")
        if forced is not None and ids.shape[1] > 1 and bool((ids[:, 1] == forced).all()):
            # Drop the start token and the forced language token: M2M100's tokenizer does not count
            # its language tokens as special, so decoding would keep "__fr__" in the text.
            ids = ids[:, 2:]
        return list(loaded.tokenizer.batch_decode(ids, skip_special_tokens=True))

    def _attention_links(
        self,
        loaded: _Loaded,
        inputs: Any,
        ids: Any,
        sources: list[str],
        targets: list[str],
        prefix: str,
        generate_args: dict[str, Any],
    ) -> list[tuple[Link, ...]]:
        """Word links of each (source, translation) of a batch, from one teacher-forced forward pass.

        ``inputs`` is the tokenized batch (each source behind ``prefix``, a Marian ``>>id<<`` or nothing),
        ``ids`` the generated ids and ``targets`` their decoded, stripped texts.
        """
        import torch

        tokenizer, model = loaded.tokenizer, loaded.model
        # Attention weights come only from the plain ("eager") implementation; the faster one used to
        # generate is put back afterwards.
        before = getattr(model.config, "_attn_implementation", None)
        switch = before not in (None, "eager") and hasattr(model, "set_attn_implementation")
        try:
            if switch:
                model.set_attn_implementation("eager")
            # The encoder-decoder without its output layer: the attention is wanted, not the logits
            # (the vocabulary projection of every position would cost a quarter of generation's).
            base = getattr(model, "base_model", None) or model
            with torch.inference_mode():
                out = base(
                    input_ids=inputs["input_ids"],
                    attention_mask=inputs["attention_mask"],
                    decoder_input_ids=ids,
                    output_attentions=True,
                )
        except (RuntimeError, IndexError, ValueError) as exc:
            raise ExternalCommandError(
                f"{model.name_or_path} failed to align on {loaded.device}: {first_line(exc)}; "
                "try -O batch_size=4, -O device=cpu, or -O align=off"
            ) from None
        finally:
            if switch:
                model.set_attn_implementation(before)
        layers = out.cross_attentions or ()
        if not layers:
            return [()] * len(sources)
        # (batch, target position, source position): the chosen layer, its heads averaged.
        weights = layers[ALIGNMENT_LAYER if len(layers) > 1 else 0].float().mean(dim=1).cpu()
        other = _non_text_ids(tokenizer)
        # The decoded text keeps every token but the special ones, and the forced first token (M2M100
        # does not count its language tokens as special, so a language token generated later is text).
        skipped = {int(i) for i in getattr(tokenizer, "all_special_ids", ()) or ()}
        forced = 2 if generate_args.get("forced_bos_token_id") is not None else 1
        links = []
        for b, (source, target) in enumerate(zip(sources, targets)):
            positions = [int(k) for k in torch.nonzero(inputs["attention_mask"][b]).flatten()]
            src_ids = [int(inputs["input_ids"][b, k]) for k in positions]
            src_spans = self._source_spans(tokenizer, source, prefix, src_ids, other)
            src_tokens = [(k, span) for k, span in zip(positions, src_spans) if span != ()]
            gen_ids = [int(t) for t in ids[b]]
            # The attention row that predicts the token at position p of the generated ids is row p - 1.
            tgt_spans = _token_spans(tokenizer, target, gen_ids[forced:], skipped)
            tgt_tokens = [(p - 1, span) for p, span in enumerate(tgt_spans, start=forced) if span != ()]
            links.append(_link_words(weights[b].tolist(), source, src_tokens, target, tgt_tokens))
        return links

    def _source_spans(
        self, tokenizer: Any, source: str, prefix: str, src_ids: list[int], other: set[int], offsets: bool = True
    ) -> list[Span | tuple[()] | None]:
        """Each source token's span in ``source`` (``()`` for none, ``None`` when not found).

        The tokenizer saw ``prefix + source``: a fast tokenizer's offsets into it are used when it
        gives them (and ``offsets`` is true), else the pieces are found in the text; tokens within the
        prefix stand for no text.
        """
        text = prefix + source
        # An <unk> in the source stands for text (a word in a script the model lacks): it keeps its place.
        unk = getattr(tokenizer, "unk_token_id", None)
        spans: list[Span | tuple[()] | None] | None = None
        if offsets and getattr(tokenizer, "is_fast", False):
            try:
                enc = tokenizer(text, truncation=True, max_length=self.max_length, return_offsets_mapping=True)
                mapping = enc["offset_mapping"] if list(enc["input_ids"]) == src_ids else None
            except (NotImplementedError, KeyError, TypeError, ValueError):
                mapping = None
            if mapping is not None:
                pieces = tokenizer.convert_ids_to_tokens(src_ids)
                spans = [
                    _trimmed(text, a, b)
                    if (i == unk or i not in other)
                    and not _LANGUAGE_TOKEN.match(piece)
                    and piece.replace("\u2581", "").strip()
                    else ()
                    for i, piece, (a, b) in zip(src_ids, pieces, mapping)
                ]
        if spans is None:
            pieces = tokenizer.convert_ids_to_tokens(src_ids)
            language = {i for i, piece in zip(src_ids, pieces) if piece and _LANGUAGE_TOKEN.match(piece)}
            spans = _token_spans(tokenizer, text, src_ids, (other | language) - {unk})
        if not prefix:
            return spans
        cut = len(prefix)
        return [s if not s else () if s[0] < cut else (s[0] - cut, s[1] - cut) for s in spans]

    def _language_setup(
        self, loaded: _Loaded, choice: ModelChoice, source_lang: str, target_lang: str
    ) -> tuple[str, dict[str, Any]]:
        """The text prefix and generate() arguments that choose the languages for this family."""
        setup = loaded.handler.language_setup(loaded.tokenizer, choice, source_lang, target_lang, self.spec)
        if setup.target_token_id is not None:
            return setup.prefix, {"forced_bos_token_id": setup.target_token_id}
        return setup.prefix, {}

    def _load(self, model_id: str) -> _Loaded:
        """Tokenizer and model, loaded once per (model, revision, device) and kept in this backend."""
        device = self._resolve_device()
        revision = None if self.local else self.revision
        key = (model_id, revision, device)
        if key in self._models:
            return self._models[key]
        try:
            from transformers import AutoModelForSeq2SeqLM, AutoTokenizer
        except ImportError as exc:
            raise BackendUnavailableError(
                f"the hf backend cannot import transformers ({exc}); install the extra: pip install 'mtcompare[hf]'"
            ) from None
        try:
            tokenizer = self._from_pretrained(AutoTokenizer, model_id, revision)
            model = self._from_pretrained(AutoModelForSeq2SeqLM, model_id, revision)
        except ImportError as exc:
            raise BackendUnavailableError(
                f"cannot load model {model_id!r}: {first_line(exc)}; install the extra: pip install 'mtcompare[hf]'"
            ) from None
        except (OSError, ValueError, KeyError) as exc:
            raise ModelUnavailableError(self._load_error(model_id, exc)) from None
        model.to(device)
        model.eval()
        handler = family_for(getattr(model.config, "model_type", None), tokenizer)
        loaded = _Loaded(tokenizer, model, handler.name, device, handler)
        self._models[key] = loaded
        return loaded

    def _from_pretrained(self, loader: Any, model_id: str, revision: str | None) -> Any:
        """From a local directory; or from the Hugging Face cache, downloading only what is missing."""
        return from_pretrained(loader, model_id, revision, self.local)

    def _load_error(self, model_id: str, exc: BaseException) -> str:
        """One line: what could not be loaded, why, and how to fix it."""
        return load_error(model_id, exc, local=self.local, revision=self.revision, presets=load_presets())

    def _resolve_device(self) -> str:
        import torch

        if self.device == "auto":
            if torch.cuda.is_available():
                return "cuda"
            mps = getattr(torch.backends, "mps", None)
            if mps is not None and mps.is_available():
                return "mps"
            return "cpu"
        try:
            return str(torch.device(self.device))
        except RuntimeError:
            raise BackendUnavailableError(
                f"unknown device {self.device!r}; expected auto, cpu, cuda, cuda:N or mps"
            ) from None


def _switch(options: Mapping[str, Any], name: str, default: bool) -> bool:
    """A yes/no option: a bool, or on/off, true/false, yes/no, 1/0."""
    raw = options.get(name, default)
    if isinstance(raw, bool):
        return raw
    word = str(raw).strip().lower()
    if word in {"1", "on", "true", "yes"}:
        return True
    if word in {"0", "off", "false", "no"}:
        return False
    raise MtcompareError(f"hf option {name} must be on or off (true/false), got {raw!r}")


# --- word links from cross-attention ------------------------------------------------------------------

Span = tuple[int, int]


def _non_text_ids(tokenizer: Any) -> set[int]:
    """Ids of special tokens and of language-code tokens (M2M100 does not count those as special)."""
    ids = {int(i) for i in getattr(tokenizer, "all_special_ids", ()) or ()}
    ids.update(int(i) for i in (getattr(tokenizer, "lang_code_to_id", None) or {}).values())
    return ids


def _trimmed(text: str, start: int, end: int) -> Span | None:
    """``(start, end)`` less the whitespace at its edges, within ``text``; None when nothing is left."""
    start, end = max(start, 0), min(end, len(text))
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end) if start < end else None


def _token_spans(tokenizer: Any, text: str, ids: list[int], skip: set[int]) -> list[Span | tuple[()] | None]:
    """Where each token of ``ids`` stands in ``text``: a span; ``()`` for a token that stands for no
    text (one of ``skip``, a bare word-start mark); ``None`` for one that could not be found
    (``<unk>`` unless skipped, or text the tokenizer normalised past recognition).

    Pieces are found in order, in the NFKC form of the text (SentencePiece normalises so: "…" is
    "..."); a piece may skip only whitespace, except after a token that was not found.
    """
    norm: list[str] = []
    origin: list[int] = []
    for k, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch):
            norm.append(c)
            origin.append(k)
    flat = "".join(norm)
    unk = getattr(tokenizer, "unk_token_id", None)
    out: list[Span | tuple[()] | None] = []
    cursor, loose = 0, True
    for i, piece in zip(ids, tokenizer.convert_ids_to_tokens(ids)):
        if i in skip or piece is None:
            out.append(())
            continue
        if i == unk:
            out.append(None)
            loose = True
            continue
        core = unicodedata.normalize("NFKC", piece.replace("\u2581", " ")).strip()
        if not core:
            out.append(())
            continue
        pos = flat.find(core, cursor)
        if pos < 0 or (not loose and flat[cursor:pos].strip()):
            out.append(None)
            loose = True
            continue
        out.append((origin[pos], origin[pos + len(core) - 1] + 1))
        cursor, loose = pos + len(core), False
    return out


def _word_groups(text: str, tokens: list[tuple[int, Span | None]]) -> list[tuple[Span, dict[int, float]]]:
    """The words of ``text`` (as the term matcher cuts them), each with its tokens and their weights.

    ``tokens`` holds (attention index, span or None) in order. A token spanning several words is
    shared among them; a word no found token covers takes the tokens not found between its
    neighbours' tokens (an ``<unk>`` standing for it).
    """
    from ..matching import tokenize

    words = [(a, b) for a, b, _ in tokenize(text)]
    members: list[dict[int, float]] = [{} for _ in words]
    for index, span in tokens:
        if span is None:
            continue
        hit = [k for k, (a, b) in enumerate(words) if a < span[1] and span[0] < b]
        for k in hit:
            members[k][index] = members[k].get(index, 0.0) + 1.0 / len(hit)
    for k, (a, b) in enumerate(words):
        if members[k]:
            continue
        lo = max((n for n, (_, s) in enumerate(tokens) if s is not None and s[1] <= a), default=-1)
        hi = min((n for n, (_, s) in enumerate(tokens) if s is not None and s[0] >= b), default=len(tokens))
        for n in range(lo + 1, hi):
            if tokens[n][1] is None:
                members[k][tokens[n][0]] = 1.0
    return list(zip(words, members))


def _link_words(
    weights: list[list[float]],
    source: str,
    src_tokens: list[tuple[int, Any]],
    target: str,
    tgt_tokens: list[tuple[int, Any]],
) -> tuple[Link, ...]:
    """Link each target word to the source word with the most attention (and a close second).

    ``weights[row][column]`` is the attention of target row ``row`` on source column ``column``;
    ``src_tokens`` and ``tgt_tokens`` give each token's column or row with its span (or None).
    """
    src_words = [(span, m) for span, m in _word_groups(source, src_tokens) if m]
    if not src_words:
        return ()
    links: set[Link] = set()
    for (c, d), rows in _word_groups(target, tgt_tokens):
        if not rows:
            continue
        mass = [0.0] * len(weights[0])
        for row, w in rows.items():
            for col, value in enumerate(weights[row]):
                mass[col] += w * value
        # Rounded, so that float noise between a batch and a single segment cannot reorder near-ties.
        scores = [round(sum(mass[col] * w for col, w in m.items()), 6) for _, m in src_words]
        ranked = sorted(range(len(scores)), key=lambda k: (-scores[k], k))
        best = scores[ranked[0]]
        if best <= 0:
            continue
        for k in ranked[:2]:
            if k == ranked[0] or scores[k] >= SECOND_LINK * best:
                (a, b), _ = src_words[k]
                links.add((a, b, c, d))
    return tuple(sorted(links))


def _positive_int(options: Mapping[str, Any], name: str, default: int) -> int:
    raw = options.get(name, default)
    try:
        value = int(raw)
    except (TypeError, ValueError):
        value = 0
    if value < 1 or (isinstance(raw, float) and raw != value):
        raise MtcompareError(f"hf option {name} must be a positive whole number, got {raw!r}")
    return value
