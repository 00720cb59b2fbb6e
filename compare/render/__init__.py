"""Renderers: each turns a result object into one output format. JSON is the primary one."""

from __future__ import annotations

import json
from typing import Any


def to_json(obj: Any, indent: int | None = 2) -> str:
    data = obj.to_dict() if hasattr(obj, "to_dict") else obj
    return json.dumps(data, ensure_ascii=False, indent=indent) + "\n"
