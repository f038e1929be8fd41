"""Reads, streamed: nothing here loads a whole table into memory."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlite_utils import Database

# One row per offer, as `botjobs export` writes it (raw texts beside the normalised values).
EXPORT_COLUMNS = (
    "id",
    "source",
    "source_id",
    "url",
    "title",
    "company",
    "location",
    "salary",
    "contract",
    "remote",
    "posted_at",
    "first_seen",
    "last_seen",
    "expired_at",
    "salary_annual_min",
    "salary_annual_max",
    "salary_period",
    "salary_currency",
    "salary_basis",
    "city",
    "department",
    "region",
    "country",
    "contract_months",
    "remote_days",
    "experience_years",
    "seniority",
    "education_level",
    "title_clean",
    "contract_raw",
    "remote_raw",
    "posted_at_raw",
    "apply_url",
    "description",
    "listings",
)


# Every listing of an offer, oldest first, as a JSON array.
LISTINGS_JSON = (
    "(select json_group_array(json_object('source', l.source, 'source_id', l.source_id,"
    " 'url', l.url, 'first_seen', l.first_seen, 'last_seen', l.last_seen))"
    " from (select * from listings where listings.offer_id = offers.id"
    " order by first_seen, rowid) as l) as listings"
)


def iter_offers(db: Database, source: str | None = None) -> Iterator[dict[str, Any]]:
    """Each offer with its raw and normalised columns and `listings` (JSON text)."""
    where, params = ("where source = ?", [source]) if source else ("", [])
    columns = ", ".join(EXPORT_COLUMNS[:-1])
    yield from db.query(
        f"select {columns}, {LISTINGS_JSON} from offers {where} order by id", params
    )


def recent_offers(db: Database, limit: int, source: str | None = None) -> list[dict[str, Any]]:
    where, params = ("where source = ?", [source]) if source else ("", [])
    return list(
        db.query(
            "select id, source, source_id, coalesce(title_clean, title) as title, company, "
            "location, city, department, salary, salary_annual_min, salary_annual_max, "
            "salary_currency, contract, contract_raw, remote, last_seen "
            f"from offers {where} order by last_seen desc, id desc limit ?",
            [*params, limit],
        )
    )
