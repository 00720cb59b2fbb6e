"""Routes through a backend's language pairs: which hops reach a pivot it cannot translate into directly.

Apertium translates English into Spanish and Spanish into French, but not English into French.
A round trip "via French" from English is then the chain es,fr,es: en→es→fr→es→en. This module
finds such routes in a backend's pairs (breadth-first, fewest hops; among routes of equal length
the one through the preferred languages, :data:`PREFERRED`, Spanish first) and rewrites the plans
of :func:`compare.roundtrip.plan_paths` so that every hop is one the backend serves
(:func:`expand_plans`, ``--route auto``), or says which route exists when one is missing
(:func:`check_plans`, ``--route direct``).

A plan is the list of languages a path goes through after its source, ending at the source:
``["fr", "en"]`` for en→fr→en.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING

from .errors import UnsupportedPairError
from .languages import normalize_lang, without_region

if TYPE_CHECKING:
    from .backends.base import Backend

#: Intermediate languages tried first when several routes are equally short (the best-served pivots
#: of Apertium's pairs first); any other language comes after these, alphabetically.
PREFERRED: tuple[str, ...] = ("es", "en", "ca", "fr", "pt", "it", "gl", "eo")

Pairs = Iterable[tuple[str, str]]


def _rank(lang: str) -> tuple[int, str]:
    return (PREFERRED.index(lang) if lang in PREFERRED else len(PREFERRED), lang)


def _node(lang: str, nodes: set[str]) -> str:
    """``lang`` as the graph knows it: itself, else without its region when that is a node (es-ES → es)."""
    if lang in nodes:
        return lang
    base = without_region(lang)
    return base if base is not None and base in nodes else lang


def shortest_route(pairs: Pairs, source: str, target: str) -> list[str] | None:
    """The fewest hops from ``source`` to ``target`` through ``pairs``: the languages after ``source``,
    ``target`` last (``["es", "fr"]`` for en→es→fr), or ``None`` when no route exists.

    Among equally short routes the one whose earlier intermediate languages come first in
    :data:`PREFERRED` wins, so the answer does not depend on the order of ``pairs``.
    """
    pairs = set(pairs)
    graph: dict[str, list[str]] = {}
    for a, b in pairs:
        graph.setdefault(a, []).append(b)
        graph.setdefault(b, [])
    src = _node(normalize_lang(source), {a for a, _ in pairs})
    tgt = _node(normalize_lang(target), {b for _, b in pairs})
    if src == tgt:
        return []
    if src not in graph or tgt not in graph:
        return None
    for successors in graph.values():
        successors.sort(key=_rank)
    parent: dict[str, str] = {src: src}
    queue = deque([src])
    while queue:
        here = queue.popleft()
        for nxt in graph[here]:
            if nxt in parent:
                continue
            parent[nxt] = here
            if nxt == tgt:
                hops = [tgt]
                while parent[hops[-1]] != src:
                    hops.append(parent[hops[-1]])
                return hops[::-1]
            queue.append(nxt)
    return None


def route(pairs: Pairs, source: str, pivot: str) -> list[str]:
    """The chain of a round trip from ``source`` through ``pivot`` and back, as ``--chain`` takes it.

    ``route(apertium_pairs, "en", "fr")`` → ``["es", "fr", "es"]`` (en→es→fr→es→en); ``["es"]`` when
    both directions are direct. Raises :class:`~compare.errors.UnsupportedPairError` when either way
    has no route.
    """
    pairs = set(pairs)
    out, back = shortest_route(pairs, source, pivot), shortest_route(pairs, pivot, source)
    if out is None or back is None:
        a, b = (source, pivot) if out is None else (pivot, source)
        raise UnsupportedPairError(f"no route from {normalize_lang(a)} to {normalize_lang(b)} through the pairs given")
    return out + back[:-1]


def expand_plan(serves: Callable[[str, str], bool], pairs: Pairs, source: str, plan: Sequence[str]) -> list[str]:
    """``plan`` with every hop that ``serves`` refuses replaced by the shortest route through ``pairs``.

    ``serves(a, b)`` says whether a hop is translated as it is (a backend's ``check_pair`` passing).
    Raises :class:`~compare.errors.UnsupportedPairError` naming the first hop that has no route.
    """
    expanded, missing = _expand(serves, set(pairs), source, plan)
    if missing is not None:
        raise UnsupportedPairError(f"no route from {missing[0]} to {missing[1]} through the pairs given")
    return expanded


def _expand(
    serves: Callable[[str, str], bool], pairs: set[tuple[str, str]], source: str, plan: Sequence[str]
) -> tuple[list[str], tuple[str, str] | None]:
    """(the expanded plan, None), or (what was expanded so far, the first hop without a route)."""
    current, out = normalize_lang(source), []
    for lang in plan:
        lang = normalize_lang(lang)
        if serves(current, lang):
            out.append(lang)
        else:
            hops = shortest_route(pairs, current, lang)
            if hops is None:
                return out, (current, lang)
            out += [*hops[:-1], lang]  # the asked language itself, not its graph node (es-ES stays es-ES)
        current = lang
    return out, None


def _serves(backend: Backend) -> Callable[[str, str], bool]:
    def serves(a: str, b: str) -> bool:
        try:
            backend.check_pair(a, b)
        except UnsupportedPairError:
            return False
        return True

    return serves


def expand_plans(plans: Sequence[Sequence[str]], backend: Backend, source_lang: str) -> list[list[str]]:
    """Each plan (languages after the source, ending at it) rewritten so that ``backend`` serves every hop.

    ``[["fr", "en"]]`` from ``en`` with Apertium → ``[["es", "fr", "es", "en"]]``. A plan the backend
    serves as it is comes back unchanged; so do all plans of a backend that serves any pair (no pairs
    listed) or a forced mode (``apertium:eng-spa``). Two plans that become the same path are kept once.
    Raises :class:`~compare.errors.UnsupportedPairError` (one line: the backend, the hop, the pairs it
    has) when some hop has no route at all.
    """
    serves = _serves(backend)
    pairs = set(backend.pairs())
    out: list[list[str]] = []
    for plan in plans:
        expanded, missing = _expand(serves, pairs, source_lang, plan)
        if missing is not None:
            from .backends.base import format_pairs

            raise UnsupportedPairError(
                f"{backend.spec} has no pair {missing[0]}→{missing[1]} and no route to it; "
                f"it has: {format_pairs(pairs)}"
            )
        if expanded not in out:
            out.append(expanded)
    return out


def check_plans(plans: Sequence[Sequence[str]], backend: Backend, source_lang: str) -> None:
    """Raise :class:`~compare.errors.UnsupportedPairError` if ``backend`` cannot translate some hop of a plan
    as it is (``--route direct``), naming in one line the whole chain that exists:

    ``apertium has no pair en→fr; a route that exists: --chain es,fr,es (or --route auto)``; with no
    route at all, the pairs the backend has.
    """
    serves = _serves(backend)
    src = normalize_lang(source_lang)
    for plan in plans:
        current = src
        for lang in plan:
            lang = normalize_lang(lang)
            if not serves(current, lang):
                expanded, missing = _expand(serves, set(backend.pairs()), src, plan)
                if missing is not None:
                    backend.check_pair(*missing)  # no route: the backend's own line, with its pairs
                    raise UnsupportedPairError(f"{backend.spec} has no pair {missing[0]}→{missing[1]}")
                chain = ",".join(expanded[:-1]) if expanded[-1] == src else ",".join(expanded)
                raise UnsupportedPairError(
                    f"{backend.spec} has no pair {current}→{lang}; a route that exists: --chain {chain} "
                    "(or --route auto)"
                )
            current = lang


def missing_pair_message(spec: str, pairs: Pairs, source: str, target: str) -> str | None:
    """The one line for a pair a backend lacks when a route to it exists, else ``None``.

    The suggested chain is that of a round trip from ``source`` through ``target`` and back, the usual
    reason to ask for the pair: ``apertium has no pair en→fr; a route that exists: --chain es,fr,es
    (or --route auto)``. When only the way there exists it names that one (``en→es→fr``).
    """
    pairs = set(pairs)
    src, tgt = normalize_lang(source), normalize_lang(target)
    out = shortest_route(pairs, src, tgt)
    if out is None:
        return None
    back = shortest_route(pairs, tgt, src)
    if back is None:
        there = "→".join([src, *out])
        return f"{spec} has no pair {src}→{tgt}; a route that exists: {there} (--route auto builds it)"
    chain = ",".join(out + back[:-1])
    return f"{spec} has no pair {src}→{tgt}; a route that exists: --chain {chain} (or --route auto)"


def route_label(asked: Sequence[str], built: Sequence[str], source_lang: str) -> str:
    """What a signature records of a route that ``--route auto`` built: ``auto(en>fr>en)``, the path
    asked for; ``""`` when the plan was served as it was (signatures of direct runs stay unchanged)."""
    if list(asked) == list(built):
        return ""
    return "auto(" + ">".join([normalize_lang(source_lang), *(normalize_lang(x) for x in asked)]) + ")"


#: The ways a round trip's hops are taken (``--route``): as asked, or through routes found in the pairs.
ROUTES = ("direct", "auto")


def plan_routes(
    plans: Sequence[Sequence[str]], backend: Backend, source_lang: str, route: str = "direct"
) -> list[tuple[list[str], str]]:
    """The plans ``backend`` runs, each with what its signature records of the route (:func:`route_label`).

    ``route="direct"`` runs every plan as asked, after :func:`check_plans` (a missing pair raises its
    one line naming the route that exists); ``route="auto"`` runs :func:`expand_plans`' routes, and a
    plan that it changed records ``auto(en>fr>en)``. Two plans that become the same path run once.
    """
    if route not in ROUTES:
        from .errors import ArgumentValueError

        raise ArgumentValueError(f"route must be one of: {', '.join(ROUTES)}; got {route!r}")
    src = normalize_lang(source_lang)
    if route == "direct":
        check_plans(plans, backend, src)
        return [([normalize_lang(x) for x in plan], "") for plan in plans]
    out: list[tuple[list[str], str]] = []
    for plan in plans:
        [built] = expand_plans([plan], backend, src)
        if all(built != done for done, _ in out):
            out.append((built, route_label(plan, built, src)))
    return out
