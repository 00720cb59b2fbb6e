"""Reading lexicon files: YAML, checked against the schema, with every error at FILE:LINE.

Several files load in order; a later file extends or overrides an earlier one (same concept id:
forms are merged per language; same form: the later entry wins, and may move it to another concept).
Within one file a form may belong to one concept only per language.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any, Literal

from .. import _checks
from ..errors import LexiconError, UnknownLanguageError
from ..languages import normalize_lang
from .schema import COMPOUND_MODES, CONCEPT_ID_PATTERN, FORM_OPTIONS, FRAME_RANKS, FRAMES, LEXICON_SCHEMA

DEFAULT_RESOURCE = "default.yaml"

# ISO 639-3 individual codes that the lexicon files under their usual ISO 639-1 (or more precise) code.
_LANG_ALIASES = {"arb": "ar", "pes": "fa", "ku": "kmr", "cmn": "zh", "heb": "he"}


def canonical_lang(code: str) -> str:
    """The code a lexicon files a language under: normalize_lang, then 'arb'→'ar', 'ku'→'kmr', 'cmn'→'zh'.

    Raises :class:`UnknownLanguageError` (with suggestions) for a code that is not ISO 639.
    """
    norm = normalize_lang(code)
    return _LANG_ALIASES.get(norm, norm)


def frame_rank(label: str) -> int:
    """The rank of a framing label: condemning −2, delegitimising −1, neutral 0, legitimising and
    self_designation +1."""
    try:
        return FRAME_RANKS[label]
    except KeyError:
        raise LexiconError(f"unknown framing label {label!r}; accepted: {_frames_text()}") from None


def frame_change(old_label: str, new_label: str) -> Literal["softened", "intensified", "same_frame"]:
    """'softened' when the new wording ranks higher, 'intensified' when lower, else 'same_frame' (a
    same-frame swap: not to be read as the framing label 'neutral')."""
    old, new = frame_rank(old_label), frame_rank(new_label)
    return "softened" if new > old else "intensified" if new < old else "same_frame"


def _frames_text() -> str:
    return ", ".join(f"{label} ({rank:+d})" if rank else f"{label} (0)" for label, rank in FRAME_RANKS.items())


@dataclass(frozen=True)
class Form:
    """One surface form of a concept in one language, with its framing label."""

    text: str
    concept: str
    lang: str
    frame: str
    case_sensitive: bool = False
    watch: bool = True
    inflect: bool = True
    compound: str = "none"
    name: bool = False  # a proper name (Daesh, SDF), not a label (terrorists, militia): see quoting rules
    alone: bool = True  # False: reported only where the document also names another concept
    note: str = ""
    source: str = ""  # FILE:LINE where it was defined

    @property
    def rank(self) -> int:
        return FRAME_RANKS[self.frame]

    def to_dict(self) -> dict[str, Any]:
        """The form as a lexicon file writes it: a bare string when every option is the default."""
        out: dict[str, Any] = {"form": self.text}
        if self.case_sensitive:
            out["case_sensitive"] = True
        if not self.watch:
            out["watch"] = False
        if not self.inflect:
            out["inflect"] = False
        if self.compound != "none":
            out["compound"] = self.compound
        if self.name:
            out["name"] = True
        if not self.alone:
            out["alone"] = False
        if self.note:
            out["note"] = self.note
        return out if len(out) > 1 else {"form": self.text}


@dataclass(frozen=True)
class Concept:
    """One referent (a group, an act, a designation) and its forms in every language."""

    id: str
    gloss: str = ""
    note: str = ""
    forms: Mapping[str, tuple[Form, ...]] = field(default_factory=dict)  # language → forms
    exclude: Mapping[str, tuple[str, ...]] = field(default_factory=dict)  # language → phrases
    absorbs: tuple[str, ...] = ()  # concepts whose occurrence written next to this one's is part of it

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(self.forms))


class Lexicon:
    """Concepts with their forms per language and a framing label per form.

    Build it with :meth:`load` or :meth:`default`; it does not change afterwards, so matchers built
    from it can be cached.
    """

    def __init__(self, concepts: Mapping[str, Concept], sources: Sequence[str] = ()) -> None:
        _checks.check_lexicon_args(concepts, sources)
        self._concepts = MappingProxyType(dict(concepts))
        self.sources = tuple(sources)
        self._by_lang: dict[str, tuple[Form, ...]] = {}
        for concept in self._concepts.values():
            for lang, forms in concept.forms.items():
                self._by_lang[lang] = self._by_lang.get(lang, ()) + tuple(forms)
            for lang in concept.exclude:
                self._by_lang.setdefault(lang, ())
        self._lookup: dict[tuple[str, tuple[str, ...]], Form] = {}

    @property
    def concepts(self) -> Mapping[str, Concept]:
        return self._concepts

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(sorted(lang for lang, forms in self._by_lang.items() if forms))

    def __contains__(self, concept_id: object) -> bool:
        return concept_id in self._concepts

    def __iter__(self) -> Iterator[Concept]:
        return iter(self._concepts.values())

    def __len__(self) -> int:
        return len(self._concepts)

    def __repr__(self) -> str:
        return f"Lexicon({len(self)} concepts, {len(self.languages)} languages, sources={list(self.sources)})"

    def resolve_lang(self, lang: str) -> str:
        """The language code this lexicon files ``lang`` under ('arb' → 'ar', 'zh-CN' → 'zh', 'ku' → 'kmr').

        Raises :class:`UnknownLanguageError` for a code that is not ISO 639, and :class:`LexiconError`
        when the lexicon has no forms for the language.
        """
        norm = normalize_lang(lang)
        base = norm.split("-")[0]
        for code in (norm, _LANG_ALIASES.get(norm, norm), base, _LANG_ALIASES.get(base, base)):
            if code in self._by_lang:
                return code
        raise LexiconError(
            f"the lexicon has no forms for language {lang!r}; languages: {', '.join(self.languages)} "
            "(add forms for it in a lexicon file passed with --lexicon)"
        )

    def forms(self, lang: str, concept: str | None = None) -> tuple[Form, ...]:
        """Every form of ``lang`` (watched or not), optionally of one concept only."""
        forms = self._by_lang[self.resolve_lang(lang)]
        return forms if concept is None else tuple(f for f in forms if f.concept == concept)

    def exclusions(self, lang: str) -> tuple[str, ...]:
        """Phrases that are never terms in ``lang`` ("por supuesto" holds no so-called "supuesto")."""
        code = self.resolve_lang(lang)
        return tuple(p for c in self._concepts.values() for p in c.exclude.get(code, ()))

    def lookup(self, text: str, lang: str) -> Form | None:
        """The form written ``text`` (compared after folding case, accents and letter variants), if any."""
        from ..matching import normalize_form

        code = self.resolve_lang(lang)
        if not self._lookup:
            for form in (f for forms in self._by_lang.values() for f in forms):
                self._lookup[(form.lang, normalize_form(form.text, form.lang))] = form
        return self._lookup.get((code, normalize_form(text, code)))

    def to_dict(self) -> dict[str, Any]:
        """The merged lexicon in the file format (what ``yaml.safe_dump`` would write back)."""
        concepts: dict[str, Any] = {}
        for concept in self._concepts.values():
            entry: dict[str, Any] = {}
            if concept.gloss:
                entry["gloss"] = concept.gloss
            if concept.note:
                entry["note"] = concept.note
            if concept.absorbs:
                entry["absorbs"] = list(concept.absorbs)
            forms: dict[str, Any] = {}
            for lang in concept.languages:
                by_frame: dict[str, list[Any]] = {}
                for form in concept.forms[lang]:
                    d = form.to_dict()
                    by_frame.setdefault(form.frame, []).append(d["form"] if len(d) == 1 else d)
                forms[lang] = {label: by_frame[label] for label in FRAMES if label in by_frame}
            entry["forms"] = forms
            if concept.exclude:
                entry["exclude"] = {lang: list(p) for lang, p in concept.exclude.items()}
            concepts[concept.id] = entry
        return {"version": 1, "concepts": concepts}

    @classmethod
    def load(cls, *paths: str | Path, include_default: bool = True) -> Lexicon:
        """Load lexicon files in order, each extending or overriding the ones before it.

        With ``include_default`` the shipped default lexicon comes first. Raises :class:`LexiconError`
        ("FILE:LINE: what was wrong; what is accepted") for a file that is missing or malformed.
        """
        _checks.check_lexicon_load_args(paths, include_default)
        documents: list[tuple[str, str]] = []
        if include_default:
            documents.append(_default_document())
        for path in paths:
            name = str(path)
            try:
                documents.append((name, Path(path).read_text(encoding="utf-8")))
            except FileNotFoundError:
                raise LexiconError(f"{name}: lexicon file not found; expected a YAML file") from None
            except UnicodeDecodeError as exc:
                raise LexiconError(f"{name}: not UTF-8 (byte offset {exc.start}); save the lexicon as UTF-8") from None
            except OSError as exc:
                raise LexiconError(f"{name}: cannot read the lexicon: {exc.strerror}") from None
        return cls.from_documents(documents)

    @classmethod
    def from_documents(cls, documents: Sequence[tuple[str, str]]) -> Lexicon:
        """Build a lexicon from ``(name, yaml_text)`` pairs, in order; ``name`` appears in errors."""
        documents = _checks.check_documents("documents", documents)
        merged = _Merged()
        shipped = _default_document()
        for name, text in documents:
            # The shipped file is held to the schema by the tests (test_lexicon); any other is checked here.
            merged.add(_parse(name, text, check_schema=(name, text) != shipped))
        return merged.build([name for name, _ in documents])

    @classmethod
    def default(cls) -> Lexicon:
        """The shipped default lexicon (the wars in Syria and Iraq), loaded once."""
        return _default_lexicon()


@lru_cache(maxsize=1)
def _default_lexicon() -> Lexicon:
    return Lexicon.from_documents([_default_document()])


@lru_cache(maxsize=1)
def _default_document() -> tuple[str, str]:
    from importlib.resources import files

    resource = files("compare.lexicon").joinpath(DEFAULT_RESOURCE)
    return f"compare/lexicon/{DEFAULT_RESOURCE}", resource.read_text(encoding="utf-8")


# --- parsing one file ---------------------------------------------------------------------------


@dataclass
class _ParsedConcept:
    id: str
    gloss: str
    note: str
    forms: dict[str, list[Form]]
    exclude: dict[str, list[str]]
    absorbs: list[str]


# The deepest nesting a lexicon needs is seven levels (concepts/id/forms/lang/frame/list/entry).
MAX_DEPTH = 20


def _parse(name: str, text: str, check_schema: bool = True) -> list[_ParsedConcept]:
    import yaml

    loader_class = _loader_class()
    try:
        _check_events(name, loader_class, text)
        loader = loader_class(text)
        try:
            root = loader.get_single_node()
            data = loader.construct_document(root) if root is not None else None
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else 1
        problem = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise LexiconError(f"{name}:{line}: YAML syntax error: {problem}; a lexicon is a YAML mapping") from None
    except yaml.YAMLError as exc:
        raise LexiconError(f"{name}:1: YAML syntax error: {exc}; a lexicon is a YAML mapping") from None
    if root is None:
        raise LexiconError(f"{name}:1: empty lexicon; expected a mapping with a 'concepts' key")
    _check_duplicate_keys(name, root)
    if check_schema:
        _check_schema(name, root, data)
    return _read_concepts(name, root, data)


@lru_cache(maxsize=1)
def _loader_class() -> type:
    """YAML's safe loader (the C one where built), with every mapping key read as the text written.

    ``2023-01-01:``, ``12345:``, ``no:`` (Norwegian) are keys as written, not a date, an integer and
    ``False``; a key that is not a scalar (``? [a, b]``) is refused.
    """
    import yaml

    base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    def construct_mapping(loader: Any, node: Any, deep: bool = False) -> dict[str, Any]:
        mapping: dict[str, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                raise yaml.constructor.ConstructorError(
                    None, None, "a key must be a word or a quoted string", key_node.start_mark
                )
            mapping[key_node.value] = loader.construct_object(value_node, deep=deep)
        return mapping

    return type("LexiconLoader", (base,), {"construct_mapping": construct_mapping})


def _check_events(name: str, loader_class: type, text: str) -> None:
    """Refuse aliases and deep nesting while reading YAML's events, before any node or object is built.

    An alias can make a short file expand to gigabytes (an alias bomb) or refer to itself
    (``a: &a [*a]``); a lexicon never needs one.
    """
    import yaml

    loader = loader_class(text)
    depth = 0
    try:
        while loader.check_event():
            event = loader.get_event()
            line = event.start_mark.line + 1
            if isinstance(event, yaml.AliasEvent):
                raise LexiconError(
                    f"{name}:{line}: YAML alias *{event.anchor} is not accepted in a lexicon; "
                    "write the entries out instead of reusing them with &anchor and *alias"
                )
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    raise LexiconError(
                        f"{name}:{line}: nesting deeper than {MAX_DEPTH} levels; a lexicon needs at most 7"
                    )
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    finally:
        loader.dispose()


def _check_duplicate_keys(name: str, node: Any) -> None:
    import yaml

    if isinstance(node, yaml.MappingNode):
        seen: dict[str, int] = {}
        for key, value in node.value:
            k = str(key.value)
            if k in seen:
                raise LexiconError(
                    f"{name}:{key.start_mark.line + 1}: key {k!r} appears twice in one mapping "
                    f"(first on line {seen[k]}); merge the two entries"
                )
            seen[k] = key.start_mark.line + 1
            _check_duplicate_keys(name, value)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _check_duplicate_keys(name, item)


def _node_at(root: Any, path: Sequence[Any], *, key: bool = False) -> Any:
    """The YAML node at ``path`` (mapping keys and sequence indices); with ``key``, the last key's node."""
    import yaml

    node = root
    for depth, step in enumerate(path):
        if isinstance(node, yaml.MappingNode):
            for k, v in node.value:
                if str(k.value) == str(step):
                    if key and depth == len(path) - 1:
                        return k
                    node = v
                    break
            else:
                return node
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
            node = node.value[step]
        else:
            return node
    return node


def _line(root: Any, path: Sequence[Any], *, key: bool = False) -> int:
    return int(_node_at(root, path, key=key).start_mark.line) + 1


def _check_schema(name: str, root: Any, data: Any) -> None:
    from jsonschema import Draft202012Validator

    validator = Draft202012Validator(LEXICON_SCHEMA)
    errors = list(validator.iter_errors(data))
    if not errors:
        return
    located = []
    for error in errors:
        path = list(error.absolute_path)
        message, key_path = _describe(error, path)
        located.append((_line(root, key_path or path, key=bool(key_path)), message))
    line, message = min(located)
    raise LexiconError(f"{name}:{line}: {message}")


def _describe(error: Any, path: list[Any]) -> tuple[str, list[Any]]:
    """A message for a schema error, and the path of the offending key when there is one."""
    where = "/".join(str(p) for p in path) or "the top level"
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
        bad = extra[0] if extra else "?"
        if len(path) == 4 and path[0] == "concepts" and path[2] == "forms":
            return f"unknown framing label {bad!r} in {where}; accepted: {_frames_text()}", [*path, bad]
        if len(path) >= 5 and path[2] == "forms":
            return f"unknown key {bad!r} in a form entry; accepted: {', '.join(FORM_OPTIONS)}", [*path, bad]
        if len(path) == 2 and path[0] == "concepts":
            accepted = "gloss, note, names, absorbs, forms, exclude"
            return f"unknown key {bad!r} in concept {path[1]!r}; accepted: {accepted}", [*path, bad]
        accepted = ", ".join(error.schema.get("properties", {}))
        return f"unknown key {bad!r} in {where}; accepted: {accepted}", [*path, bad]
    if error.validator == "required":
        return f"{where}: {error.message}", []
    if error.validator == "pattern" and error.validator_value == CONCEPT_ID_PATTERN:
        return (
            f"concept id {error.instance!r} is not accepted; use lower-case letters, digits and _ (e.g. so_called)",
            [*path, error.instance],
        )
    if error.validator in ("minLength", "pattern"):
        return f"{where}: empty form; write the words of the form", []
    if error.validator == "enum" and path and path[-1] == "compound":
        return f"{where}: compound must be one of {', '.join(COMPOUND_MODES)}, got {error.instance!r}", []
    if error.validator == "const" and path == ["version"]:
        return f"unsupported lexicon version {error.instance!r}; accepted: 1", []
    if error.validator == "type":
        expected = error.validator_value
        return f"{where}: expected {_a(expected)}, got {_short(error.instance)}", []
    return f"{where}: {error.message}", []


def _a(expected: Any) -> str:
    names = {"object": "a mapping", "array": "a list", "string": "a string", "boolean": "true or false"}
    if isinstance(expected, list):
        return " or ".join(names.get(e, e) for e in expected)
    return names.get(expected, str(expected))


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _read_concepts(name: str, root: Any, data: Mapping[str, Any]) -> list[_ParsedConcept]:
    from ..matching import normalize_form

    owner: dict[tuple[str, tuple[str, ...]], tuple[str, int]] = {}
    concepts = []
    for cid, body in data["concepts"].items():
        parsed = _ParsedConcept(cid, body.get("gloss", ""), body.get("note", ""), {}, {}, list(body.get("absorbs", [])))
        names = bool(body.get("names", False))
        for raw_lang, by_frame in body["forms"].items():
            lang = _lang(name, root, ["concepts", cid, "forms", raw_lang], raw_lang)
            bucket = parsed.forms.setdefault(lang, [])
            for frame in FRAMES:
                for i, entry in enumerate(by_frame.get(frame) or []):
                    path = ["concepts", cid, "forms", raw_lang, frame, i]
                    line = _line(root, path)
                    options = {"form": entry} if isinstance(entry, str) else entry
                    text = options["form"].strip()
                    key = normalize_form(text, lang)
                    if not key:
                        raise LexiconError(f"{name}:{line}: form {text!r} has no letters; write the words of the form")
                    if (lang, key) in owner:
                        first_concept, first_line = owner[(lang, key)]
                        if first_concept == cid:
                            raise LexiconError(
                                f"{name}:{line}: form {text!r} is listed twice for {lang} in concept {cid!r} "
                                f"(also line {first_line}); keep one entry with one framing label"
                            )
                        raise LexiconError(
                            f"{name}:{line}: form {text!r} ({lang}) is listed under concept {cid!r} and under "
                            f"{first_concept!r} (line {first_line}); a form belongs to one concept per language"
                        )
                    owner[(lang, key)] = (cid, line)
                    bucket.append(
                        Form(
                            text=text,
                            concept=cid,
                            lang=lang,
                            frame=frame,
                            case_sensitive=bool(options.get("case_sensitive", False)),
                            watch=bool(options.get("watch", True)),
                            inflect=bool(options.get("inflect", True)),
                            compound=str(options.get("compound", "none")),
                            name=bool(options.get("name", names)),
                            alone=bool(options.get("alone", True)),
                            note=str(options.get("note", "")),
                            source=f"{name}:{line}",
                        )
                    )
        for raw_lang, phrases in (body.get("exclude") or {}).items():
            lang = _lang(name, root, ["concepts", cid, "exclude", raw_lang], raw_lang)
            parsed.exclude.setdefault(lang, []).extend(p.strip() for p in phrases if p.strip())
        concepts.append(parsed)
    return concepts


def _lang(name: str, root: Any, path: list[Any], raw: str) -> str:
    try:
        return canonical_lang(str(raw))
    except UnknownLanguageError as exc:
        line = _line(root, path, key=True)
        raise LexiconError(f"{name}:{line}: {exc}; languages are ISO 639 codes (en, ar, fa, kmr, zh-CN)") from None


# --- merging files ------------------------------------------------------------------------------


class _Merged:
    def __init__(self) -> None:
        self.glosses: dict[str, tuple[str, str]] = {}
        self.forms: dict[str, dict[str, dict[tuple[str, ...], Form]]] = {}
        self.exclude: dict[str, dict[str, list[str]]] = {}
        self.absorbs: dict[str, list[str]] = {}
        self.owner: dict[tuple[str, tuple[str, ...]], str] = {}

    def add(self, concepts: list[_ParsedConcept]) -> None:
        from ..matching import normalize_form

        for parsed in concepts:
            gloss, note = self.glosses.get(parsed.id, ("", ""))
            self.glosses[parsed.id] = (parsed.gloss or gloss, parsed.note or note)
            per_lang = self.forms.setdefault(parsed.id, {})
            for lang, forms in parsed.forms.items():
                bucket = per_lang.setdefault(lang, {})
                for form in forms:
                    key = normalize_form(form.text, lang)
                    previous = self.owner.get((lang, key))
                    if previous is not None and previous != parsed.id:
                        del self.forms[previous][lang][key]
                    bucket[key] = form
                    self.owner[(lang, key)] = parsed.id
            absorbed = self.absorbs.setdefault(parsed.id, [])
            absorbed.extend(c for c in parsed.absorbs if c not in absorbed)
            for lang, phrases in parsed.exclude.items():
                known = self.exclude.setdefault(parsed.id, {}).setdefault(lang, [])
                known.extend(p for p in phrases if p not in known)

    def build(self, sources: list[str]) -> Lexicon:
        concepts = {}
        for cid, (gloss, note) in self.glosses.items():
            forms = {lang: tuple(bucket.values()) for lang, bucket in self.forms[cid].items() if bucket}
            exclude = {lang: tuple(p) for lang, p in self.exclude.get(cid, {}).items()}
            absorbs = tuple(self.absorbs.get(cid, ()))
            concepts[cid] = Concept(cid, gloss, note, MappingProxyType(forms), MappingProxyType(exclude), absorbs)
        return Lexicon(concepts, sources)
