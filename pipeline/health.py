"""After each crawl, a per-source health check: a site that changed its layout rarely fails
outright; it answers pages from which fewer offers, or emptier ones, come out.

The check compares one run's counts with thresholds (settings `BOTJOBS_HEALTH`, or a spider's
own `health` attribute for a source that is naturally sparse) and returns plain-word warnings,
kept in the run's `crawl_runs.health` and shown by `botjobs crawl` and `botjobs sources`.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

# Which fields count as present, by the name a warning uses.
FIELDS = {
    "company": ("company",),
    "place": ("location", "postal_code", "commune", "latitude"),
    "description": ("description",),
}
DEFAULT_THRESHOLDS = {"min_offers": 1, "company": 0.5, "place": 0.5, "description": 0.5}


def present_fields(record: Mapping[str, Any]) -> list[str]:
    """The FIELDS a valid record has."""
    return [name for name, keys in FIELDS.items() if any(record.get(k) for k in keys)]


def warnings(
    offers: int, present: Counter[str], thresholds: Mapping[str, float] | None = None
) -> list[str]:
    """What looks wrong in one run of a source that `offers` valid offers came out of."""
    limits = {**DEFAULT_THRESHOLDS, **(thresholds or {})}
    found: list[str] = []
    if offers < limits["min_offers"]:
        found.append(
            f"{offers} offers (expected at least {int(limits['min_offers'])}): "
            "has the site changed, or the search found nothing?"
        )
    if not offers:
        return found
    for name in FIELDS:
        share = present[name] / offers
        if share < limits[name]:
            found.append(
                f"{name} on {share:.0%} of offers (expected {limits[name]:.0%}): "
                f"has the site changed where it shows the {name}?"
            )
    return found
