"""The JSON Schemas of mtcompare's documents, shipped with the package.

``result.schema.json`` describes ``RoundTrip.to_dict()`` for the current ``schema_version``
(:data:`compare.results.SCHEMA_VERSION`), ``stability.schema.json`` ``Stability.to_dict()``
(``roundtrip --samples``); :func:`result_schema` and :func:`stability_schema` load them.
"""

from __future__ import annotations

import json
from typing import Any


def result_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a result document, e.g. for ``jsonschema.validate(doc, result_schema())``."""
    from importlib.resources import files

    return json.loads(files("compare.schema").joinpath("result.schema.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]


def stability_schema() -> dict[str, Any]:
    """The JSON Schema of a ``--samples`` document (:class:`compare.sampling.Stability`)."""
    from importlib.resources import files

    return json.loads(files("compare.schema").joinpath("stability.schema.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]
