"""The JSON Schema of mtcompare's result documents, shipped with the package.

``result.schema.json`` describes ``RoundTrip.to_dict()`` for the current ``schema_version``
(:data:`compare.results.SCHEMA_VERSION`); :func:`result_schema` loads it.
"""

from __future__ import annotations

import json
from typing import Any


def result_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a result document, e.g. for ``jsonschema.validate(doc, result_schema())``."""
    from importlib.resources import files

    return json.loads(files("compare.schema").joinpath("result.schema.json").read_text(encoding="utf-8"))  # type: ignore[no-any-return]
