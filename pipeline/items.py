"""The one record shape that flows from a spider (or `botjobs import`) to the database.

A raw offer is a plain dict whose keys are among RAW_FIELDS; a spider builds it with
`raw_offer()`, which turns blanks into None (unknown is None, never "" or 0).
A page or payload that cannot be read is not dropped either: the spider yields `reject()`,
which the pipeline keeps in the `rejects` table with its reason.
"""

from __future__ import annotations

from typing import Any

# What every source may say about an offer; `source`, `source_id` and `title` are required.
TEXT_FIELDS = (
    "source",
    "source_id",
    "url",
    "title",
    "company",
    "location",
    "salary",
    "contract",
    "remote",
    "description",
    "posted_at",
)
# Structured facts a source states beside its texts.
STATED_FIELDS = (
    "salary_min",
    "salary_max",
    "salary_period",
    "salary_currency",
    "latitude",
    "longitude",
    "postal_code",
    "commune",
    "department",
    "skills",
    "experience",
    "education",
    "apply_url",
)
RAW_FIELDS = TEXT_FIELDS + STATED_FIELDS
REQUIRED_FIELDS = ("source", "source_id", "title")

REJECT_MARK = "_reject"


def blank_to_none(value: Any) -> Any:
    """Strip strings; an empty string, list or dict is unknown (None)."""
    if isinstance(value, str):
        if not value.isascii():  # a lone surrogate (JSON "\ud800") cannot be stored: "?"
            value = value.encode("utf-8", "replace").decode("utf-8")
        value = value.strip()
        return value or None
    if isinstance(value, list | tuple | dict) and not value:
        return None
    return value


def raw_offer(**fields: Any) -> dict[str, Any]:
    """A raw offer from a spider: only known keys, blanks as None, ids as text."""
    unknown = set(fields) - set(RAW_FIELDS)
    if unknown:
        raise TypeError(f"not raw-offer fields: {', '.join(sorted(unknown))}")
    offer = {key: blank_to_none(value) for key, value in fields.items()}
    if offer.get("source_id") is not None:
        offer["source_id"] = str(offer["source_id"])
    return offer


def reject(source: str, reason: str, payload: Any, url: str | None = None) -> dict[str, Any]:
    """Something a spider could not turn into offers, kept with its reason."""
    return {REJECT_MARK: True, "source": source, "reason": reason, "payload": payload, "url": url}


def is_reject(item: Any) -> bool:
    return isinstance(item, dict) and item.get(REJECT_MARK) is True
