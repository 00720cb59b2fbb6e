"""Round trips on real Apertium: paths, alignment, the cache, signatures, JSON round-tripping."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest

import compare
from compare.backends import load_backend
from compare.cache import TranslationCache
from compare.errors import UnknownLanguageError
from compare.results import RoundTrip
from compare.roundtrip import run_path


def test_via_runs_one_path_per_pivot(apertium: str, article_text: str, cache_dir: Path) -> None:
    result = compare.roundtrip(article_text, "en", via=["es", "ca"], cache=cache_dir, analyse_terms=False)
    assert [p.name for p in result.paths] == ["en>es>en (apertium)", "en>ca>en (apertium)"]
    for path in result.paths:
        assert len(path.hops) == 2 and path.back.lang == "en"
        assert all(len(h.segments) == len(result.segments) for h in path.hops)
    es = result.paths[0]
    # Segment alignment: the headline stays the headline in the pivot and the back-translation.
    assert "Daesh" in es.hops[0].segments[0] and "Daesh" in es.back.segments[0]
    assert "Daesh" in es.hops[0].unknown[1]  # Apertium's unknown-word mark, kept for analysis
    assert str(es.signature).startswith("path:en>es>en|hop1:apertium:eng-spa@")
    assert str(es.signature).endswith(f"|version:{compare.__version__}")


def test_chain_is_one_multi_hop_path(apertium: str, cache_dir: Path) -> None:
    result = compare.roundtrip(
        ["Hello, my friend."], "en", chain=["es", "en", "ca"], cache=cache_dir, analyse_terms=False
    )
    [path] = result.paths
    assert [h.lang for h in path.hops] == ["es", "en", "ca", "en"]
    assert path.pivots == ("es", "en", "ca")


def test_different_backend_per_hop(apertium: str, tmp_path: Path) -> None:
    back = tmp_path / "back.tsv"
    back.write_text("Hola, mi amigo.\tHi, my friend.\n", encoding="utf-8")
    segs = compare.roundtrip(["Hello, my friend."], analyse_terms=False, via=["es"], cache=False).segments
    path = run_path(segs, "en", [("es", "apertium"), ("en", f"file:{back}")])
    assert path.backends == ("apertium", "file")
    assert path.back.segments == ("Hi, my friend.",)


def test_json_round_trip_is_lossless(apertium: str, article_text: str, cache_dir: Path) -> None:
    result = compare.roundtrip(article_text, via=["es"], cache=cache_dir, analyse_terms=False)
    doc = json.loads(json.dumps(result.to_dict()))
    assert {"signature", "source_lang", "segments", "paths"} <= set(doc)
    assert {"pivots", "backends", "hops"} <= set(doc["paths"][0])
    assert {"lang", "segments"} <= set(doc["paths"][0]["hops"][0])
    assert RoundTrip.from_dict(doc) == result
    assert result.path("en>es>en") is result.paths[0] is result.path(0)


def test_second_run_translates_nothing(apertium: str, article_text: str, cache_dir: Path) -> None:
    backend = load_backend("apertium")
    calls: list[int] = []
    original = backend._translate_batch
    backend._translate_batch = lambda texts, s, t: calls.append(len(texts)) or original(texts, s, t)  # type: ignore
    first = compare.roundtrip(article_text, via=["es"], backends=[backend], cache=cache_dir, analyse_terms=False)
    assert calls == [12, 12]
    second = compare.roundtrip(article_text, via=["es"], backends=[backend], cache=cache_dir, analyse_terms=False)
    assert calls == [12, 12]
    assert second == first


def test_cache_keys_by_model_revision_and_settings(tmp_path: Path) -> None:
    from compare.results import HopSignature, Translation

    a = HopSignature("hf", "en", "es", "m", "rev1", (("beams", 4),))
    b = HopSignature("hf", "en", "es", "m", "rev2", (("beams", 4),))
    c = HopSignature("hf", "en", "es", "m", "rev1", (("beams", 1),))
    with TranslationCache(tmp_path) as cache:
        cache.put_many(a, ["x"], [Translation("X", ("x",))])
        assert cache.get_many(a, ["x", "y"]) == [Translation("X", ("x",)), None]
        assert cache.get_many(b, ["x"]) == [None]
        assert cache.get_many(c, ["x"]) == [None]


def test_cache_two_writers_at_once(tmp_path: Path) -> None:
    from compare.results import HopSignature, Translation

    sig = HopSignature("file", "en", "es", "f")
    errors: list[BaseException] = []

    def writer(offset: int) -> None:
        try:
            with TranslationCache(tmp_path) as cache:
                for i in range(200):
                    cache.put_many(sig, [f"s{offset}-{i}"], [Translation(str(i))])
        except BaseException as exc:  # noqa: BLE001 - collected for the assertion below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with TranslationCache(tmp_path) as cache:
        assert len(cache) == 400


def test_unknown_language_suggests() -> None:
    with pytest.raises(UnknownLanguageError, match=r"unknown language 'spanish' — did you mean 'es'"):
        compare.roundtrip(["Hi."], "en", via=["spanish"], cache=False, analyse_terms=False)


def test_cache_misses_rows_of_an_older_output_version(tmp_path: Path) -> None:
    """Raising a backend's output_version keys its rows anew: those stored before are translated again."""
    from compare.backends.base import Backend
    from compare.results import HopSignature, Translation

    calls: list[str] = []

    class Upper(Backend):
        name = "upper-test"

        def pairs(self) -> set[tuple[str, str]]:
            return {("en", "es")}

        def hop_signature(self, source_lang: str, target_lang: str) -> HopSignature:
            return HopSignature("upper-test", source_lang, target_lang, "m")

        def _translate_batch(self, texts: list[str], source_lang: str, target_lang: str) -> list[Translation]:
            calls.extend(texts)
            return [Translation(t.upper() + f" v{self.output_version}") for t in texts]

    class UpperFixed(Upper):
        output_version = 2

    with TranslationCache(tmp_path) as cache:
        assert Upper().translate(["a"], "en", "es", cache=cache) == [Translation("A v1")]
        assert Upper().translate(["a"], "en", "es", cache=cache) == [Translation("A v1")]  # a hit
        assert calls == ["a"]
        assert UpperFixed().translate(["a"], "en", "es", cache=cache) == [Translation("A v2")]  # the old row missed
        assert UpperFixed().translate(["a"], "en", "es", cache=cache) == [Translation("A v2")]
        assert calls == ["a", "a"]
        # The version is in the key only: the signature users see is the same for both.
        assert Upper().hop_signature("en", "es") == UpperFixed().hop_signature("en", "es")
        sig = Upper().hop_signature("en", "es")
        assert cache.get_many(sig, ["a"], 1) == [Translation("A v1")]
        assert cache.get_many(sig, ["a"], 3) == [None]
        assert cache.get_many(sig, ["a"]) == [Translation("A v1")]  # not registered: version 1


def test_apertium_rows_of_older_output_versions_are_not_served(apertium: str, tmp_path: Path) -> None:
    """A row stored under the key without a version (Apertium en-eo from before superblanks were unwrapped),
    and one of version 2 (unknown words read off the marked output, before the generator's lemmas)."""
    from compare.results import Translation
    from compare.roundtrip import translate_hop

    backend = load_backend("apertium")
    assert backend.output_version == 3
    sig = backend.hop_signature("en", "eo")
    seg = "They describe the groups as 'terrorist groups'."
    stale = Translation("Ili priskribas la grupojn kiel [']teroristaj grupoj[']", (), ((0, 4, 0, 3),))
    with TranslationCache(tmp_path) as cache:
        cache.put_many(sig, [seg], [stale], output_version=1)
        assert cache.get_many(sig, [seg], output_version=1) == [stale]
        cache.put_many(sig, [seg], [stale], output_version=2)
        assert cache.get_many(sig, [seg]) == [None]  # the registered Apertium backend's version, 3
        [fresh] = backend.translate([seg], "en", "eo", cache=cache)
        assert "[" not in fresh.text
        [again] = translate_hop(backend, [seg], "en", "eo", cache)
        assert again == fresh
