"""The backend contract, checked on every registered backend (in the manner of HF evaluate's common metric test).

Every name in the ``mtcompare.backends`` entry-point group (built-ins and plugins register the same way)
needs a factory in ``tests/backend_factories/<name>.py`` (see its package docstring); a registered backend
without one fails here. A backend whose module cannot be imported yet is skipped, with the reason.

Each backend, made by its factory, must: declare well-formed options and refuse unknown ones with their
list; give its pairs as a set of normalised (source, target) codes and refuse a pair it does not serve
(where its pairs are finite); translate one text per input, in order, with a repeated text translated
the same way and an empty list giving an empty list; give a stable hop signature that names it; carry
word links exactly when it says it does; translate twice the same way when it is deterministic; and
store its translations in the cache and serve them back.
"""

from __future__ import annotations

import importlib
import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from compare.backends.base import ENTRY_POINT_GROUP, Backend, Option, get_backend_class
from compare.cache import TranslationCache
from compare.errors import ArgumentValueError, BackendUnavailableError, UnsupportedPairError
from compare.languages import normalize_lang
from compare.results import Translation

from .backend_factories import TEXTS

FACTORIES = Path(__file__).resolve().parent / "backend_factories"
#: Every registered backend: the entry points of the installed packages, ours included.
NAMES = sorted({ep.name for ep in entry_points(group=ENTRY_POINT_GROUP)})
#: Pairs no backend here serves, to see one refused (the first that a backend does not serve is used).
UNSERVED = (("zu", "xh"), ("yo", "ig"), ("km", "lo"))


def _factory(name: str) -> ModuleType | None:
    if not (FACTORIES / f"{name}.py").is_file():
        return None
    return importlib.import_module(f"{__package__}.backend_factories.{name}")


def _param(name: str) -> Any:
    factory = _factory(name)
    return pytest.param(name, marks=list(getattr(factory, "MARKS", ())), id=name)


@dataclass
class Case:
    name: str
    cls: type[Backend]
    backend: Backend
    pair: tuple[str, str]
    tmp_path: Path


def _backend_class(name: str) -> type[Backend]:
    """The registered class; a backend whose module cannot be imported (not landed yet) is skipped."""
    try:
        return get_backend_class(name)
    except BackendUnavailableError as exc:
        pytest.skip(f"backend {name!r} cannot be imported here: {exc}")


@pytest.mark.parametrize("name", NAMES)
def test_every_registered_backend_has_a_factory(name: str) -> None:
    _backend_class(name)
    factory = _factory(name)
    if factory is None:
        pytest.fail(
            f"backend {name!r} is registered but has no contract factory: add tests/backend_factories/{name}.py "
            "with NAME, PAIR and make(tmp_path) (see tests/backend_factories/__init__.py)"
        )
    assert factory.NAME == name
    assert callable(factory.make)
    src, tgt = factory.PAIR
    assert (normalize_lang(src), normalize_lang(tgt)) == (src, tgt)


def test_the_built_in_backends_are_registered_as_entry_points() -> None:
    assert {"apertium", "hf", "file", "command"} <= set(NAMES)


@pytest.fixture(scope="module", params=[_param(name) for name in NAMES])
def case(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Case]:
    name = request.param
    cls = _backend_class(name)
    factory = _factory(name)
    if factory is None:
        pytest.fail(f"backend {name!r} has no contract factory: add tests/backend_factories/{name}.py")
    status = cls.availability()
    if not status.ok:
        if os.environ.get("CI"):
            pytest.fail(f"backend {name!r} is not available in CI: {status.reason}")
        pytest.skip(f"backend {name!r} is not available here: {status.reason}")
    tmp_path = tmp_path_factory.mktemp(f"contract-{name}")
    with factory.make(tmp_path) as backend:
        assert isinstance(backend, cls)
        yield Case(name, cls, backend, tuple(factory.PAIR), tmp_path)


# --- options ----------------------------------------------------------------------------------------


def test_options_are_well_formed(case: Case) -> None:
    spec = case.cls.options_spec
    names = [o.name for o in spec]
    assert len(names) == len(set(names)), f"{case.name} declares an option twice: {names}"
    for option in spec:
        assert isinstance(option, Option)
        assert option.name.isidentifier() and option.name == option.name.lower()
        assert option.type in (int, float, str, bool)
        assert option.help, f"{case.name} option {option.name} has no help"
        if option.default is not None:
            assert option.parse(option.default) == option.default
        json.dumps(option.to_dict())


def test_an_unknown_option_is_refused_with_the_accepted_ones(case: Case) -> None:
    with pytest.raises(ArgumentValueError) as caught:
        type(case.backend)(case.backend.arg, no_such_option=1)
    message = str(caught.value)
    assert "no_such_option" in message
    for name in case.cls.option_names():
        assert name in message
    assert "\n" not in message


# --- pairs ------------------------------------------------------------------------------------------


def test_pairs_are_normalised_code_pairs_and_include_the_factory_pair(case: Case) -> None:
    pairs = case.backend.pairs()
    assert isinstance(pairs, set)
    for pair in pairs:
        assert isinstance(pair, tuple) and len(pair) == 2
        assert all(isinstance(code, str) and normalize_lang(code) == code for code in pair)
    assert case.backend.check_pair(*case.pair) == case.pair
    if pairs:
        assert case.pair in pairs
    json.dumps(case.cls.served_pairs().to_dict())


def test_a_pair_not_served_is_refused(case: Case) -> None:
    pairs = case.backend.pairs()
    if not pairs:
        pytest.skip(f"{case.backend.spec} serves any pair its {case.name} argument serves")
    src, tgt = next(p for p in UNSERVED if p not in pairs)
    with pytest.raises(UnsupportedPairError, match=f"{src}→{tgt}"):
        case.backend.check_pair(src, tgt)
    with pytest.raises(UnsupportedPairError):
        case.backend.translate(["The house is big."], src, tgt)


# --- translation ------------------------------------------------------------------------------------


def test_one_translation_per_text_in_order(case: Case) -> None:
    out = case.backend.translate(list(TEXTS), *case.pair)
    assert len(out) == len(TEXTS)
    assert all(isinstance(t, Translation) and isinstance(t.text, str) for t in out)
    assert out[0] == out[-1], "a repeated text is translated the same way"
    if case.cls.deterministic:
        alone = [case.backend.translate([text], *case.pair)[0] for text in TEXTS[:-1]]
        assert [t.text for t in out[:-1]] == [t.text for t in alone]


def test_an_empty_list_gives_an_empty_list(case: Case) -> None:
    assert case.backend.translate([], *case.pair) == []


def test_the_hop_signature_is_stable_and_names_the_backend(case: Case) -> None:
    first = case.backend.hop_signature(*case.pair)
    assert first == case.backend.hop_signature(*case.pair)
    assert first.backend == case.name
    assert (first.source_lang, first.target_lang) == case.pair
    assert first.model
    json.dumps(first.to_dict())


def test_word_links_come_exactly_when_the_backend_says_so(case: Case) -> None:
    out = case.backend.translate(list(TEXTS), *case.pair)
    if not case.backend.gives_alignment:
        assert all(t.alignment == () for t in out)
        return
    assert any(t.alignment for t in out), f"{case.name} says it gives word links but gave none"
    for source, translation in zip(TEXTS, out):
        for link in translation.alignment:
            s0, s1, t0, t1 = link
            assert 0 <= s0 < s1 <= len(source), (source, link)
            assert 0 <= t0 < t1 <= len(translation.text), (translation.text, link)


def test_a_deterministic_backend_translates_the_same_way_twice(case: Case) -> None:
    if not case.cls.deterministic:
        pytest.skip(f"{case.name} is not deterministic")
    fresh = case.backend.with_options()
    assert fresh.translate(list(TEXTS), *case.pair) == case.backend.translate(list(TEXTS), *case.pair)


def test_the_cache_stores_and_serves_translations(case: Case) -> None:
    texts = list(TEXTS)
    with TranslationCache(case.tmp_path / "cache") as cache:
        first = case.backend.translate(texts, *case.pair, cache=cache)
        signature = case.backend.hop_signature(*case.pair)
        stored = cache.get_many(signature, texts, case.backend.output_version)
        assert [s.text if s else None for s in stored] == [t.text for t in first]
        assert case.backend.translate(texts, *case.pair, cache=cache) == first
