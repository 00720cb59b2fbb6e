"""Build tiny but real translation models on disk (Marian, M2M100, NLLB), to test the ``hf`` backend offline.

Vocabularies are trained on ``tests/data/tiny_corpus.txt`` (NTREX English and Spanish news lines); the
networks have random weights under a fixed seed, so their output is nonsense but deterministic.
Everything goes through the real ``save_pretrained``/``from_pretrained`` path. Build into a temporary
directory, never into the repository.
"""

from __future__ import annotations

import json
from pathlib import Path

CORPUS = Path(__file__).resolve().parent / "data" / "tiny_corpus.txt"
VOCAB_SIZE = 300
#: The network size shared by every tiny model: one layer each way, 32 dimensions.
TINY_ARCHITECTURE = {
    "d_model": 32,
    "encoder_layers": 1,
    "decoder_layers": 1,
    "encoder_attention_heads": 2,
    "decoder_attention_heads": 2,
    "encoder_ffn_dim": 64,
    "decoder_ffn_dim": 64,
    "max_position_embeddings": 128,
}


#: The shape of an OPUS-MT model (Helsinki-NLP/opus-mt-en-de): Marian, 6+6 layers, 512 dimensions, 8 heads.
OPUS_MT_ARCHITECTURE = {
    "d_model": 512,
    "encoder_layers": 6,
    "decoder_layers": 6,
    "encoder_attention_heads": 8,
    "decoder_attention_heads": 8,
    "encoder_ffn_dim": 2048,
    "decoder_ffn_dim": 2048,
    "max_position_embeddings": 512,
}
#: OPUS-MT en-de's vocabulary size.
OPUS_MT_VOCAB = 58101


def train_sentencepiece(
    work: Path, corpus: Path | list[Path] = CORPUS, vocab_size: int = VOCAB_SIZE, **options: object
) -> list[str]:
    """Train a unigram SentencePiece model on ``corpus`` into ``work/joint.model``; its pieces."""
    import sentencepiece as spm

    work.mkdir(parents=True, exist_ok=True)
    files = corpus if isinstance(corpus, list) else [corpus]
    spm.SentencePieceTrainer.train(
        input=",".join(str(f) for f in files),
        model_prefix=str(work / "joint"),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        unk_id=0,
        bos_id=-1,
        eos_id=-1,
        pad_id=-1,
        num_threads=1,
        minloglevel=2,
        **options,
    )
    processor = spm.SentencePieceProcessor(model_file=str(work / "joint.model"))
    return [processor.id_to_piece(i) for i in range(processor.get_piece_size())]


def build_tiny_marian(
    out_dir: Path,
    target_tokens: tuple[str, ...] = (),
    seed: int = 0,
    *,
    architecture: dict[str, int] | None = None,
    vocab_size: int | None = None,
    corpus: Path | list[Path] = CORPUS,
    pieces: int = VOCAB_SIZE,
    fixed_length: int | None = None,
) -> Path:
    """Write a Marian model and tokenizer to ``out_dir`` (created) and return it.

    ``target_tokens`` such as ``(">>spa<<", ">>cat<<")`` make it a multi-target model, like
    OPUS-MT's en-ar or en-zh, which needs one of them at the start of every input.

    The defaults make the tiny test model. ``architecture`` (e.g. :data:`OPUS_MT_ARCHITECTURE`),
    ``vocab_size`` (the vocabulary is filled up to it with tokens no text produces, so the output layer
    has a real model's size), ``corpus`` and ``pieces`` (the SentencePiece vocabulary trained on it)
    make bigger ones; ``fixed_length`` makes every output exactly that many tokens long (the model's
    generation config sets ``min_new_tokens``), so a random model does the work of a real one.
    """
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    work = out_dir.with_name(out_dir.name + "-spm")
    extra = {} if pieces == VOCAB_SIZE else {"hard_vocab_limit": False}
    trained = train_sentencepiece(work, corpus, pieces, **extra)
    # Marian's layout: </s> and <unk> first, the pieces, <pad> last (also the decoder start token).
    vocab: dict[str, int] = {"</s>": 0, "<unk>": 1}
    for piece in (*target_tokens, *trained):
        vocab.setdefault(piece, len(vocab))
    while vocab_size is not None and len(vocab) < vocab_size - 1:
        vocab[f"\u2581filler{len(vocab)}"] = len(vocab)
    vocab["<pad>"] = len(vocab)
    (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")

    tokenizer = MarianTokenizer(
        source_spm=str(work / "joint.model"),
        target_spm=str(work / "joint.model"),
        vocab=str(work / "vocab.json"),
        source_lang="en",
        target_lang="es",
        model_max_length=128,
    )
    pad = vocab["<pad>"]
    config = MarianConfig(
        vocab_size=len(vocab),
        **(architecture or TINY_ARCHITECTURE),
        pad_token_id=pad,
        decoder_start_token_id=pad,
        eos_token_id=0,
        forced_eos_token_id=0,
        init_std=0.5 if architecture is None else 0.02,
        scale_embedding=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config).eval()
    if fixed_length is not None:
        model.generation_config.min_new_tokens = fixed_length
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir


def build_tiny_multilingual(out_dir: Path, family: str, seed: int = 0) -> Path:
    """Write a tiny M2M100-architecture model with an ``m2m100`` or ``nllb`` tokenizer to ``out_dir``.

    The M2M100 tokenizer gets a SentencePiece vocabulary trained on the corpus; the NLLB one a
    character-level BPE vocabulary. Both carry their family's full set of language tokens.
    """
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer, NllbTokenizer

    out_dir.mkdir(parents=True, exist_ok=True)
    specials = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    if family == "m2m100":
        work = out_dir.with_name(out_dir.name + "-spm")
        vocab = dict(specials)
        for piece in train_sentencepiece(work):
            vocab.setdefault(piece, len(vocab))
        (work / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
        tokenizer = M2M100Tokenizer(vocab_file=str(work / "vocab.json"), spm_file=str(work / "joint.model"))
    elif family == "nllb":
        chars = sorted(set(CORPUS.read_text(encoding="utf-8")) - {"\n", " "})
        vocab = dict(specials)
        for piece in ("▁", *chars):
            vocab.setdefault(piece, len(vocab))
        tokenizer = NllbTokenizer(vocab=vocab, merges=[])
    else:
        raise ValueError(f"family must be m2m100 or nllb, not {family!r}")
    if isinstance(tokenizer, M2M100Tokenizer):  # the language ids follow the vocabulary, as in fairseq
        size = tokenizer.encoder_size + len(tokenizer.lang_code_to_id) + tokenizer.num_madeup_words
    else:
        size = len(tokenizer)
    config = M2M100Config(
        vocab_size=size,
        **TINY_ARCHITECTURE,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        init_std=0.5,
    )
    torch.manual_seed(seed)
    model = M2M100ForConditionalGeneration(config).eval()
    model.save_pretrained(out_dir)
    tokenizer.save_pretrained(out_dir)
    return out_dir
