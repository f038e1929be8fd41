"""The first stage: is this a raw offer we can keep? Pure: a dict in, a clean record or a reason out."""

from __future__ import annotations

import json
from typing import Any

from pipeline.items import RAW_FIELDS, REQUIRED_FIELDS, TEXT_FIELDS, blank_to_none


def as_text(value: Any) -> str | None:
    if value is None:
        return None
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    return blank_to_none(str(value))


def validate(item: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """(record, None) when the item can be stored, else (None, why not).

    Keys outside the raw-offer shape are dropped; text fields become text; blanks become None.
    """
    if not isinstance(item, dict):
        return None, f"not an object but {type(item).__name__}"
    record: dict[str, Any] = {}
    for key in RAW_FIELDS:
        value = blank_to_none(item.get(key))
        record[key] = as_text(value) if key in TEXT_FIELDS else value
    missing = [key for key in REQUIRED_FIELDS if record[key] is None]
    if missing:
        return None, "missing " + ", ".join(missing)
    return record, None
