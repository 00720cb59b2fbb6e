"""Routes through a backend's pairs (compare/routes.py): on made-up graphs and on Apertium's installed pairs."""

import pytest

from compare.backends import load_backend
from compare.errors import ArgumentValueError, UnsupportedPairError
from compare.roundtrip import plan_paths, roundtrip, run_path
from compare.routes import (
    check_plans,
    expand_plan,
    expand_plans,
    missing_pair_message,
    plan_routes,
    route,
    route_label,
    shortest_route,
)

# Apertium's shape: English only through Spanish (and Catalan), Romance languages around Spanish.
GRAPH = {
    ("en", "es"), ("es", "en"), ("en", "ca"), ("ca", "en"), ("es", "ca"), ("ca", "es"),
    ("es", "fr"), ("fr", "es"), ("ca", "fr"), ("fr", "ca"), ("es", "pt"), ("pt", "es"),
    ("es", "pt-BR"), ("is", "en"),
}  # fmt: skip


def test_fewest_hops_with_preferred_pivots_whatever_the_order() -> None:
    assert shortest_route(GRAPH, "en", "fr") == ["es", "fr"]  # en>ca>fr is as short; es is preferred
    assert shortest_route(sorted(GRAPH, reverse=True), "en", "fr") == ["es", "fr"]
    assert shortest_route(GRAPH - {("en", "es")}, "en", "fr") == ["ca", "fr"]
    assert shortest_route(GRAPH, "pt", "fr") == ["es", "fr"]
    assert shortest_route(GRAPH, "is", "pt") == ["en", "es", "pt"]
    assert shortest_route(GRAPH, "en", "en") == []
    assert shortest_route(GRAPH, "en", "is") is None and shortest_route(GRAPH, "en", "ar") is None
    # A region the graph lacks falls back to its language; one it has is kept.
    assert shortest_route(GRAPH, "pt-BR", "en") == ["es", "en"]
    assert shortest_route(GRAPH, "en", "pt-BR") == ["es", "pt-BR"]
    assert shortest_route(GRAPH, "eng", "fra") == ["es", "fr"]  # ISO 639-3 codes are normalised


def test_round_trip_routes() -> None:
    assert route(GRAPH, "en", "fr") == ["es", "fr", "es"]
    assert route(GRAPH, "en", "es") == ["es"]
    assert route(GRAPH | {("en", "is")}, "is", "fr") == ["en", "es", "fr", "es", "en"]
    with pytest.raises(UnsupportedPairError, match="no route from en to is"):
        route(GRAPH, "en", "is")
    with pytest.raises(UnsupportedPairError, match="no route from fr to is"):
        route(GRAPH, "is", "fr")


def test_expand_plan_keeps_served_hops() -> None:
    served = GRAPH.__contains__
    assert expand_plan(lambda a, b: served((a, b)), GRAPH, "en", ["fr", "en"]) == ["es", "fr", "es", "en"]
    assert expand_plan(lambda a, b: served((a, b)), GRAPH, "en", ["ca", "fr", "en"]) == ["ca", "fr", "es", "en"]
    assert expand_plan(lambda a, b: True, set(), "en", ["fr", "en"]) == ["fr", "en"]
    with pytest.raises(UnsupportedPairError, match="no route from en to is"):
        expand_plan(lambda a, b: served((a, b)), GRAPH, "en", ["is", "en"])


def test_messages_and_labels() -> None:
    assert missing_pair_message("apertium", GRAPH, "en", "fr") == (
        "apertium has no pair en→fr; a route that exists: --chain es,fr,es (or --route auto)"
    )
    assert missing_pair_message("apertium", GRAPH, "en", "is") is None
    assert missing_pair_message("x", GRAPH - {("fr", "es"), ("fr", "ca")}, "en", "fr") == (
        "x has no pair en→fr; a route that exists: en→es→fr (--route auto builds it)"
    )
    assert route_label(["fr", "en"], ["es", "fr", "es", "en"], "en") == "auto(en>fr>en)"
    assert route_label(["es", "en"], ["es", "en"], "en") == ""


# On the pairs installed here (issue 11, point 6).


def test_chains_on_installed_pairs(apertium: str) -> None:
    backend = load_backend("apertium")
    plans = plan_paths("en", via=["fr"], chain=["es", "ca"])
    assert expand_plans(plans, backend, "en") == [["es", "fr", "es", "en"], ["es", "ca", "en"]]
    assert expand_plans(plan_paths("en", chain=["es", "fr"]), backend, "en") == [["es", "fr", "es", "en"]]
    assert expand_plans(plan_paths("en", chain=["es", "pt", "es"]), backend, "en") == [["es", "pt", "es", "en"]]
    assert expand_plans(plan_paths("en", via=["it", "pt"]), backend, "en") == [
        ["es", "it", "es", "en"],
        ["es", "pt", "es", "en"],
    ]
    # Two plans that become one path run once; a forced mode serves any pair, as does the command backend.
    assert expand_plans([["fr", "en"], ["es", "fr", "es", "en"]], backend, "en") == [["es", "fr", "es", "en"]]
    assert expand_plans([["fr", "en"]], load_backend("apertium:eng-spa"), "en") == [["fr", "en"]]
    assert expand_plans([["fr", "en"]], load_backend("command:cat"), "en") == [["fr", "en"]]
    with pytest.raises(UnsupportedPairError, match=r"^apertium has no pair en→is and no route to it; it has: .*es↔fr"):
        expand_plans([["is", "en"]], backend, "en")


def test_direct_plans_name_the_route_that_exists(apertium: str) -> None:
    backend = load_backend("apertium")
    check_plans(plan_paths("en", chain=["es", "ca"]), backend, "en")  # es→ca is installed now
    check_plans(plan_paths("en", chain=["es", "pt", "es"]), backend, "en")
    with pytest.raises(UnsupportedPairError) as exc:
        check_plans(plan_paths("en", via=["fr"]), backend, "en")
    assert str(exc.value) == "apertium has no pair en→fr; a route that exists: --chain es,fr,es (or --route auto)"
    with pytest.raises(UnsupportedPairError) as exc:
        check_plans(plan_paths("en", chain=["es", "pt", "fr"]), backend, "en")
    assert str(exc.value) == (
        "apertium has no pair pt→fr; a route that exists: --chain es,pt,es,fr,es (or --route auto)"
    )
    with pytest.raises(UnsupportedPairError, match=r"^apertium has no pair en→ar; it has: .*es↔fr"):
        check_plans(plan_paths("en", via=["es", "ar"]), backend, "en")
    # The hop itself, as roundtrip meets it today, says the same in one line.
    with pytest.raises(UnsupportedPairError) as exc:
        backend.translate(["The army."], "en", "fr")
    assert str(exc.value) == "apertium has no pair en→fr; a route that exists: --chain es,fr,es (or --route auto)"
    assert "\n" not in str(exc.value)


def test_chains_run_on_installed_pairs(apertium: str) -> None:
    """--chain es,ca, --chain es,pt,es and the route auto builds for --via fr translate for real."""
    text = "The government said the army attacked the city."
    result = roundtrip(text, chain=["es", "ca"], analyse=False, cache=False)
    assert [p.langs for p in result.paths] == ["en>es>ca>en"]
    assert "exèrcit" in result.paths[0].hops[1].segments[0]
    result = roundtrip(text, chain=["es", "pt", "es"], analyse=False, cache=False)
    assert "exército" in result.paths[0].hops[1].segments[0]
    [plan] = expand_plans(plan_paths("en", via=["fr"]), load_backend("apertium"), "en")
    path = run_path(
        roundtrip(text, via=["es"], analyse=False, cache=False).segments, "en", [(x, "apertium") for x in plan]
    )
    assert path.langs == "en>es>fr>es>en"
    assert "armée" in path.hops[1].segments[0] and "army" in path.back.segments[0]
    assert [h.signature.model for h in path.hops] == ["eng-spa", "es-fr", "fr-es", "spa-eng"]


def test_plan_routes_direct_or_auto(apertium: str) -> None:
    backend = load_backend("apertium")
    plans = plan_paths("en", via=["es", "fr"])
    assert plan_routes(plans, backend, "en", "auto") == [
        (["es", "en"], ""),
        (["es", "fr", "es", "en"], "auto(en>fr>en)"),
    ]
    assert plan_routes(plan_paths("en", via=["es"], chain=["es", "ca"]), backend, "en") == [
        (["es", "en"], ""),
        (["es", "ca", "en"], ""),
    ]
    with pytest.raises(
        UnsupportedPairError, match=r"^apertium has no pair en→fr; a route that exists: --chain es,fr,es"
    ):
        plan_routes(plans, backend, "en", "direct")
    with pytest.raises(ArgumentValueError, match="route must be one of: direct, auto; got 'best'"):
        plan_routes(plans, backend, "en", "best")
