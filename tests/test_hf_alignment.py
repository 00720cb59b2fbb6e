"""Word links of the hf backend, read from the model's cross-attention, on the tiny models built here.

The models have random weights, so the links link nonsense; what is tested is their form (the one
Apertium's links have: character spans of whole words of the source and of the translation), that
every word of a translation is linked, that links do not depend on batching or on the run, that the
option ``align`` switches them off, that the cache keeps them, and that the tracer takes them as the
engine's own alignment.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest

import compare
from compare.backends import load_backend
from compare.backends.hf import HFBackend, _token_spans, _word_groups
from compare.cache import TranslationCache
from compare.errors import MtcompareError
from compare.matching import tokenize
from compare.results import Translation

from .test_hf import FAST, corpus_lines, tiny_model, tiny_multi_target, tiny_multilingual  # noqa: F401

pytestmark = [pytest.mark.hf, pytest.mark.filterwarnings("ignore:Recommended:UserWarning")]

#: Hyphens, an ellipsis SentencePiece normalises to "...", guillemets and curly quotes the tiny
#: vocabularies lack (<unk>), digits, and a word the corpus never saw.
HARD = [
    "The so-called government fell… «Daesh» terrorists fled.",
    "Kurdish-led militias took 12 towns — “occupation forces” said nothing.",
    "Zyxwvut qqq!",
]


def check_links(source: str, tr: Translation) -> None:
    """Every link joins a whole source word to a whole target word; every target word is linked."""
    src_words = {(a, b) for a, b, _ in tokenize(source)}
    tgt_words = [(a, b) for a, b, _ in tokenize(tr.text)]
    for link in tr.alignment:
        assert len(link) == 4 and all(isinstance(x, int) for x in link), link
        a, b, c, d = link
        assert 0 <= a < b <= len(source) and 0 <= c < d <= len(tr.text), link
        assert (a, b) in src_words, f"{source[a:b]!r} is not a word of {source!r}"
        assert (c, d) in tgt_words, f"{tr.text[c:d]!r} is not a word of {tr.text!r}"
    assert len(set(tr.alignment)) == len(tr.alignment)
    for word in tgt_words:
        n = sum(1 for _, _, c, d in tr.alignment if (c, d) == word)
        assert 1 <= n <= 2, f"target word {tr.text[word[0] : word[1]]!r} has {n} links"
    if not tgt_words:
        assert tr.alignment == ()


@pytest.fixture(scope="module")
def tiny_backend(tiny_model: Path) -> HFBackend:  # noqa: F811
    return HFBackend(str(tiny_model), device="cpu", batch_size=3, **FAST)


def test_links_are_whole_words_and_every_target_word_has_one(tiny_backend: HFBackend) -> None:
    texts = corpus_lines(8, start=10) + HARD
    out = tiny_backend.translate(texts, "en", "es")
    assert tiny_backend.gives_alignment
    for source, tr in zip(texts, out):
        check_links(source, tr)
    assert sum(1 for tr in out if tr.alignment) >= len(texts) - 1, "nearly every translation should have words"


def test_multi_target_links_point_into_the_text_not_the_language_token(tiny_multi_target: Path) -> None:  # noqa: F811
    """The >>spa<< prefix the model reads is not part of the source: spans index the text as given."""
    backend = HFBackend(str(tiny_multi_target), device="cpu", **FAST)
    texts = corpus_lines(4, start=120) + HARD[:1]
    for source, tr in zip(texts, backend.translate(texts, "en", "ca")):
        check_links(source, tr)
        assert tr.alignment
    tokenizer = next(iter(backend._models.values())).tokenizer
    source = "Kurdish militias fled the towns."
    ids = tokenizer([">>cat<< " + source])["input_ids"][0]
    spans = backend._source_spans(tokenizer, source, ">>cat<< ", ids, set(tokenizer.all_special_ids))
    pieces = tokenizer.convert_ids_to_tokens(ids)
    assert pieces[0] == ">>cat<<" and spans[0] == () and spans[-1] == ()
    placed = [source[s[0] : s[1]] for s in spans[1:-1] if s]
    assert placed == [p.lstrip("\u2581") for p in pieces[1:-1] if p.lstrip("\u2581")]


def test_multilingual_links_leave_out_the_language_codes(tiny_multilingual: Path) -> None:  # noqa: F811
    backend = HFBackend(str(tiny_multilingual), device="cpu", batch_size=2, **FAST)
    texts = corpus_lines(5, start=300) + HARD  # Spanish, then English-looking text
    out = backend.translate(texts, "es", "fr")
    for source, tr in zip(texts, out):
        check_links(source, tr)
    assert any(tr.alignment for tr in out)


def test_fast_tokenizer_offsets_agree_with_finding_the_pieces(tiny_multilingual: Path) -> None:  # noqa: F811
    """NLLB's tokenizer gives offsets; the other way (finding each piece in the text) must agree with them."""
    backend = HFBackend(str(tiny_multilingual), device="cpu", **FAST)
    backend.translate(["Hola."], "es", "en")
    loaded = next(iter(backend._models.values()))
    tokenizer = loaded.tokenizer
    if not getattr(tokenizer, "is_fast", False):
        pytest.skip(f"{type(tokenizer).__name__} gives no offsets")
    for text in [*corpus_lines(5, start=300), *HARD]:
        ids = list(tokenizer(text, truncation=True, max_length=FAST["max_length"] * 16)["input_ids"])
        specials = set(tokenizer.all_special_ids)
        from_offsets = backend._source_spans(tokenizer, text, "", ids, specials)
        located = backend._source_spans(tokenizer, text, "", ids, specials, offsets=False)
        assert len(from_offsets) == len(ids)
        # A token the search could not place (after an <unk>) may be unplaced; every placed one agrees.
        assert all(b is None or a == b for a, b in zip(from_offsets, located)), text
        assert sum(1 for s in located if s) >= sum(1 for s in from_offsets if s) - 2


def test_token_spans_skip_specials_and_follow_normalised_text(tiny_model: Path) -> None:  # noqa: F811
    backend = HFBackend(str(tiny_model), device="cpu", **FAST)
    backend.translate(["Hello."], "en", "es")
    tokenizer = next(iter(backend._models.values())).tokenizer
    text = "Militias… fled."
    ids = tokenizer(text)["input_ids"]
    spans = _token_spans(tokenizer, text, ids, set(tokenizer.all_special_ids))
    assert spans[-1] == ()  # </s>
    placed = [s for s in spans if s]
    assert placed == sorted(placed) and all(0 <= a < b <= len(text) for a, b in placed)
    ellipsis = text.index("…")
    assert (ellipsis, ellipsis + 1) in placed, "the three dots of the normalised ellipsis stand on the ellipsis"
    assert "".join(text[a:b] for a, b in placed if (a, b) != (ellipsis, ellipsis + 1)) == "Militiasfled."


def test_a_word_the_vocabulary_lacks_keeps_its_unknown_token(tiny_model: Path) -> None:  # noqa: F811
    """A source word in a script the model lacks is one <unk>: it still gets that token's attention."""
    backend = HFBackend(str(tiny_model), device="cpu", **FAST)
    backend.translate(["Hello."], "en", "es")
    tokenizer = next(iter(backend._models.values())).tokenizer
    source = "The Ωμέγα fled."
    ids = tokenizer(source)["input_ids"]
    spans = backend._source_spans(tokenizer, source, "", ids, set(tokenizer.all_special_ids))
    assert tokenizer.unk_token_id in ids and None in spans
    groups = _word_groups(source, [(k, s) for k, s in enumerate(spans) if s != ()])
    assert [source[a:b] for (a, b), members in groups if members] == ["The", "Ωμέγα", "fled"]
    unknown = dict(groups)[(4, 9)]
    assert [ids[k] for k in unknown] == [tokenizer.unk_token_id]
    tr = backend.translate([source], "en", "es")[0]
    check_links(source, tr)


def test_links_are_the_same_in_a_batch_and_one_by_one(tiny_backend: HFBackend) -> None:
    texts = corpus_lines(9, start=200) + HARD
    shuffled = random.Random(3).sample(texts, len(texts))
    batched = tiny_backend.translate(shuffled, "en", "es")
    one_by_one = [tiny_backend.translate([t], "en", "es")[0] for t in shuffled]
    assert batched == one_by_one
    assert all(tr.alignment for tr in batched if tokenize(tr.text))


def test_links_are_the_same_in_two_runs(tiny_model: Path) -> None:  # noqa: F811
    texts = corpus_lines(5, start=140) + HARD
    first = HFBackend(str(tiny_model), device="cpu", **FAST).translate(texts, "en", "es")
    second = HFBackend(str(tiny_model), device="cpu", batch_size=2, **FAST).translate(texts, "en", "es")
    assert first == second
    assert sum(len(tr.alignment) for tr in first) > len(texts)


def test_align_off_gives_the_same_text_and_no_links(tiny_model: Path) -> None:  # noqa: F811
    texts = corpus_lines(4, start=160) + HARD
    on = HFBackend(str(tiny_model), device="cpu", **FAST)
    off = load_backend(f"hf:{tiny_model}", device="cpu", align=False, **FAST)
    assert isinstance(off, HFBackend) and off.align is False and off.gives_alignment is False
    assert HFBackend.gives_alignment and on.gives_alignment
    with_links, without = on.translate(texts, "en", "es"), off.translate(texts, "en", "es")
    assert [t.text for t in with_links] == [t.text for t in without]
    assert all(t.alignment == () for t in without)
    assert any(t.alignment for t in with_links)
    # Recorded in the signature (and so in the cache key): a run without links is told apart.
    assert dict(off.hop_signature("en", "es").settings) == {"align": "off", **FAST}
    assert dict(on.hop_signature("en", "es").settings) == FAST
    for word, value in [("off", False), ("no", False), ("0", False), ("on", True), ("true", True), (True, True)]:
        assert HFBackend(str(tiny_model), align=word).align is value
    with pytest.raises(MtcompareError, match="align must be on or off"):
        HFBackend(str(tiny_model), align="sometimes")


def test_the_cache_keeps_the_links(tiny_backend: HFBackend, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    texts = corpus_lines(3, start=180) + HARD[:1]
    with TranslationCache(tmp_path / "cache") as cache:
        first = tiny_backend.translate(texts, "en", "es", cache=cache)
        assert all(tr.alignment for tr in first)
    calls: list[int] = []
    real = tiny_backend._translate_batch
    monkeypatch.setattr(tiny_backend, "_translate_batch", lambda t, s, g: calls.append(len(t)) or real(t, s, g))
    with TranslationCache(tmp_path / "cache") as cache:
        again = tiny_backend.translate(texts, "en", "es", cache=cache)
        assert calls == [] and again == first, "links must come back from the cache as they went in"
        # A translation stored without links (as before this backend gave them) is translated again.
        signature = tiny_backend.hop_signature("en", "es")
        cache.put_many(signature, [texts[0]], [Translation(first[0].text)])
        assert tiny_backend.translate(texts, "en", "es", cache=cache) == first
        assert calls == [1]


ARTICLE_LIKE = (
    "The so-called government fell. Daesh terrorists fled. "
    "Kurdish militias and the occupation forces attacked the terrorists."
)


def test_round_trip_traces_through_the_engine_links(tiny_model: Path, tmp_path: Path) -> None:  # noqa: F811
    backend = HFBackend(str(tiny_model), device="cpu", **FAST)
    result = compare.roundtrip(ARTICLE_LIKE, "en", via=["es"], backends=[backend], cache=tmp_path / "cache")
    path = result.paths[0]
    assert all(h.alignment for h in path.hops), "each hop keeps its links"
    rows = result.analysis.path(path.name).shifts
    assert len(rows) >= 5
    # The first hop (en→es) is followed through the model's links, never by position.
    assert {r.alignment[0] for r in rows} <= {"engine", "engine+gap"}
    assert any(r.alignment[0] == "engine" for r in rows)
    doc = result.to_dict()["analysis"]["paths"][0]["shifts"]
    assert all(row["alignment"][0].startswith("engine") and "confidence" in row for row in doc)
    # The same run from the cache gives the same rows.
    again = compare.roundtrip(ARTICLE_LIKE, "en", via=["es"], backends=[backend], cache=tmp_path / "cache")
    assert again.analysis.paths[0].shifts == rows

    off = HFBackend(str(tiny_model), device="cpu", align=False, **FAST)
    without = compare.roundtrip(ARTICLE_LIKE, "en", via=["es"], backends=[off], cache=tmp_path / "cache")
    assert not any(h.alignment for h in without.paths[0].hops)
    assert not any(r.alignment[0].startswith("engine") for r in without.analysis.paths[0].shifts)
