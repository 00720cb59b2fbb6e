"""Hostile arguments to the public library API (issue 7, defect 25).

Every public function checks its arguments first: a wrong one raises the package's own
:class:`~compare.errors.ArgumentError` (a ``TypeError``) or :class:`~compare.errors.ArgumentValueError`
(a ``ValueError``) naming the argument, never a Python error from deep inside, and is never quietly
coerced. A hypothesis test feeds arbitrary values to every parameter and lets only
:class:`~compare.errors.MtcompareError` out. The backend there is ``command:cat``, a real program.
"""

from __future__ import annotations

import contextlib
import math
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import compare
from compare import ArgumentError, ArgumentValueError, Lexicon, MtcompareError, Segment
from compare.cache import TranslationCache
from compare.lexicon import Concept

from ..conftest import ARTICLE

CAT = "command:cat"
SEGMENTS = (Segment(0, "Hello there."), Segment(1, "Goodbye."))
LEXICON = """\
version: 1
concepts:
  widget:
    forms:
      en:
        neutral: [widget]
        condemning: [gadgetry]
"""


# --- the cases named in the issue ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: compare.roundtrip(None), ArgumentError, r"^text must be a str .* not None$"),
        (lambda: compare.roundtrip([None, 5]), ArgumentError, r"^text\[0\] must be a str .*not None$"),
        (lambda: compare.roundtrip(["ok", 5]), ArgumentError, r"^text\[1\] must be a str like the items before it"),
        (lambda: compare.roundtrip([]), ArgumentValueError, r"^text is empty; expected a str"),
        (lambda: compare.roundtrip(b"Hello."), ArgumentError, r"^text must be .*not bytes b'Hello.'$"),
        (lambda: compare.roundtrip(["\ud800"]), ArgumentValueError, r"^text\[0\] holds a lone surrogate U\+D800"),
        (lambda: compare.roundtrip(["Hi."], via=5), ArgumentError, r"^via must be a language code or a list"),
        (lambda: compare.roundtrip(["Hi."], via={"es"}), ArgumentError, r"^via must be .* not set"),
        (lambda: compare.roundtrip(["Hi."], via=["es", 5]), ArgumentError, r"^via\[1\] must be a language code"),
        (lambda: compare.roundtrip(["Hi."], via=[]), ArgumentValueError, r"^no pivot language given"),
        (lambda: compare.roundtrip(["Hi."], via="es", backends=[]), ArgumentValueError, r"^backends must name"),
        (lambda: compare.roundtrip(["Hi."], via="es", backends=7), ArgumentError, r"^backends must be a backend"),
        (lambda: compare.roundtrip(["Hi."], via="es", cache=3.5), ArgumentError, r"^cache must be True, False"),
        (lambda: compare.roundtrip(["Hi."], via="es", cache=""), ArgumentValueError, r"^cache must be a non-empty"),
        (lambda: compare.roundtrip(["Hi."], via="es", lexicon=5), ArgumentError, r"^lexicon must be None, a Lexicon"),
        (lambda: compare.roundtrip(["Hi."], via="es", analyse_terms="no"), ArgumentError, r"^analyse_terms must be"),
        (lambda: compare.roundtrip(["Hi."], via="es", timeout=-1), ArgumentValueError, r"^timeout must be .* not -1$"),
        (lambda: compare.roundtrip(["Hi."], via="es", timeout=math.nan), ArgumentValueError, r"^timeout must be"),
        (lambda: compare.roundtrip(["Hi."], via="es", timeout="5"), ArgumentError, r"^timeout must be a number"),
        (lambda: compare.roundtrip(["Hi."], via="es", batch_size=0), ArgumentValueError, r"^batch_size must be at"),
        (lambda: compare.roundtrip(["Hi."], via="es", beams=True), ArgumentError, r"^beams must be a whole number"),
        (lambda: compare.translate(["Hi."], "en", None), ArgumentError, r"^target_lang must be a str, not None$"),
        (lambda: compare.find_terms(None, "en"), ArgumentError, r"^text must be a str, not None$"),
        (lambda: compare.find_terms("x", ["en"]), ArgumentError, r"^lang must be a str, not list"),
        (lambda: compare.segment_text(b"...", "en"), ArgumentError, r"^text must be a str, not bytes b'...'$"),
        (lambda: compare.segment_text("Hi.", "en", paragraphs=None), ArgumentError, r"^paragraphs must be a str"),
        (lambda: compare.read_text(None), ArgumentError, r"^path must be a path \(str or pathlib.Path\), not None$"),
        (lambda: Lexicon.load(5), ArgumentError, r"^paths\[0\] must be a path .* not int 5$"),
        (lambda: Lexicon.load(include_default="yes"), ArgumentError, r"^include_default must be True or False"),
        (lambda: Lexicon({"x": 1}), ArgumentError, r"^concepts\['x'\] must be a Concept, not int 1$"),
        (lambda: Lexicon.from_documents("abc"), ArgumentError, r"^documents must be a list of \(name, text\) pairs"),
        (lambda: compare.run_path(SEGMENTS, "en", [("es",)]), ArgumentError, r"^hops\[0\] must be a \(language, "),
        (lambda: compare.run_path(SEGMENTS, "en", []), ArgumentValueError, r"^hops is empty"),
        (lambda: compare.run_path(SEGMENTS, "en", [("es", 5)]), ArgumentError, r"^hops\[0\]\[1\] must be a backend"),
        (lambda: compare.run_path(["Hi."], "en", [("es", CAT)]), ArgumentError, r"^segments\[0\] must be a non-empty"),
    ],
)
def test_wrong_arguments_raise_our_errors(call: Callable[[], Any], error: type[Exception], message: str) -> None:
    with pytest.raises(error, match=message) as caught:
        call()
    assert isinstance(caught.value, MtcompareError)
    assert isinstance(caught.value, TypeError if error is ArgumentError else ValueError)
    assert "\n" not in str(caught.value)


def test_a_single_string_is_one_pivot_and_one_backend() -> None:
    result = compare.roundtrip(["Hello there."], via="es", backends=CAT, cache=False, analyse_terms=False)
    assert [p.name for p in result.paths] == ["en>es>en (command:cat)"]
    chained = compare.roundtrip(["Hello there."], chain="es", backends=CAT, cache=False, analyse_terms=False)
    assert [h.lang for h in chained.paths[0].hops] == ["es", "en"]
    one_way = compare.translate(["Hello there."], "en", "es", backends=CAT, cache=False)
    assert [p.backends for p in one_way.paths] == [("command",)]


def test_a_lexicon_path_is_loaded_on_top_of_the_default(tmp_path: Path) -> None:
    path = tmp_path / "widgets.yaml"
    path.write_text(LEXICON, encoding="utf-8")
    found = compare.find_terms("The widget and the terrorists.", "en", lexicon=str(path))
    assert [o.concept for o in found] == ["widget", "terrorist"]  # the file's concept and the default's
    assert [o.concept for o in compare.find_terms("The widget.", "en", lexicon=[path])] == ["widget"]
    result = compare.roundtrip(["A widget broke."], via="es", backends=CAT, cache=False, lexicon=path)
    assert [s.concept for s in result.analysis.paths[0].shifts] == ["widget"]


def test_run_path_takes_a_cache_path(tmp_path: Path) -> None:
    path = compare.run_path(SEGMENTS, "en", [("es", CAT), ("en", CAT)], cache=tmp_path / "c")
    assert path.back.segments == ("Hello there.", "Goodbye.")
    with TranslationCache(tmp_path / "c") as cache:
        assert len(cache) == 4  # two segments, two hops


# --- arbitrary values for every parameter ------------------------------------------------------------

SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(),
    st.text(max_size=12),
    st.binary(max_size=12),
    st.complex_numbers(),
    st.just(object()),
    st.just(Path("/nonexistent/x.yaml")),
    st.just(Segment(0, "Hi.")),
    st.just(Segment(0, 5)),  # type: ignore[arg-type]
    st.just(Lexicon),
    st.just(compare.roundtrip),
)
ANYTHING = st.recursive(
    SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3),
        st.tuples(inner, inner),
        st.dictionaries(st.text(max_size=3), inner, max_size=2),
        st.frozensets(st.integers(), max_size=3),
        st.iterables(inner, max_size=3),
    ),
    max_leaves=6,
)


#: A small translated result for ``analyse`` (cat translates by copying).
ANALYSED = compare.roundtrip(
    ["Hello there.", "The terrorists left."], via="es", backends=CAT, cache=False, analyse=False
)


def _lexicon(**kw: Any) -> Lexicon:
    concepts = kw.pop("concepts")
    return Lexicon(concepts, **kw)


# Each public callable with valid, cheap arguments; the test replaces one of them.
PUBLIC: dict[str, tuple[Callable[..., Any], dict[str, Any]]] = {
    "roundtrip": (
        compare.roundtrip,
        {
            "text": ["Hello there."],
            "source_lang": "en",
            "via": ["es"],
            "chain": (),
            "backends": [CAT],
            "cache": False,
            "lexicon": None,
            "analyse": False,
            "metrics": ["bleu"],
            "analyse_terms": None,
            "paragraphs": "auto",
            "timeout": 60,
        },
    ),  # fmt: skip
    "translate": (
        compare.translate,
        {
            "text": "Hello there.",
            "source_lang": "en",
            "target_lang": "es",
            "backends": CAT,
            "cache": False,
            "paragraphs": "auto",
            "timeout": 60,
        },
    ),  # fmt: skip
    "roundtrip_documents": (
        compare.roundtrip_documents,
        {
            "documents": {"a": "Hello there."},
            "source_lang": "en",
            "via": ["es"],
            "backends": {"cat": CAT},
            "cache": False,
            "analyse": False,
            "paragraphs": "auto",
        },
    ),
    "analyse": (
        lambda result, **kw: compare.analyse(result, **kw),
        {
            "result": ANALYSED,
            "lexicon": None,
            "metrics": ["bleu"],
            "statistics": True,
            "compare": None,
            "method": "bs",
            "resamples": 20,
            "seed": 1,
            "confidence": 0.95,
            "semantic_model": None,
        },
    ),
    "run_path": (compare.run_path, {"segments": SEGMENTS, "source_lang": "en", "hops": [("es", CAT)], "cache": None}),
    "find_terms": (
        compare.find_terms,
        {"text": "The terrorists fled.", "lang": "en", "lexicon": None, "include_unwatched": False, "document": None},
    ),
    "segment_text": (compare.segment_text, {"text": "Hi. Bye.", "lang": "en", "document": "", "paragraphs": "auto"}),
    "read_text": (compare.read_text, {"path": str(ARTICLE)}),
    "Lexicon.load": (
        lambda path, **kw: Lexicon.load(path, **kw),
        {"path": Path(compare.lexicon.__file__).with_name("default.yaml"), "include_default": False},
    ),
    "Lexicon": (_lexicon, {"concepts": {}, "sources": ()}),
    "Lexicon.from_documents": (Lexicon.from_documents, {"documents": [("a.yaml", LEXICON)]}),
}
CASES = [(name, param) for name, (_, args) in PUBLIC.items() for param in args]


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(CASES), value=ANYTHING)
def test_any_argument_gives_a_result_or_our_error(case: tuple[str, str], value: Any) -> None:
    name, param = case
    function, valid = PUBLIC[name]
    with tempfile.TemporaryDirectory() as tmp, contextlib.chdir(tmp):  # a cache path made of any text lands here
        try:
            function(**{**valid, param: value})
        except MtcompareError as exc:
            assert str(exc)  # a message (the CLI shows it on one line, control characters escaped)


def test_valid_baselines_run() -> None:
    """The hypothesis test's baseline arguments are valid: only the replaced one can fail."""
    for function, args in PUBLIC.values():
        function(**args)


def test_concepts_check_takes_real_concepts() -> None:
    concept = Lexicon.default().concepts["isis"]
    assert isinstance(concept, Concept)
    assert len(Lexicon({"isis": concept}, ["x.yaml"])) == 1


def test_library_runs_each_path_once(apertium: str) -> None:
    import compare

    result = compare.roundtrip(
        "The terrorists left.", "en", via=["es", "es"], chain=["es"], backends=["apertium", "apertium"], cache=False
    )
    assert len(result.paths) == 1


def test_chain_into_the_same_language_is_refused() -> None:
    import compare
    from compare.errors import ArgumentValueError

    with pytest.raises(ArgumentValueError, match="es into es"):
        compare.roundtrip("The terrorists left.", "en", chain=["es", "es"], cache=False)
