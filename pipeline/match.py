"""Matching wired to the database: profiles read and stored, every offer scored, matches kept.

matching/ holds the pure scoring; this module resolves the seeker's places with the same place
normaliser as the offers, streams offers in batches, and writes one `matches` row per offer.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs
from sqlite_utils import Database

from matching.profile import TEMPLATE, Place, Profile, parse_profile, profile_from_data, with_places
from matching.score import score_offer
from pipeline.normalise import normalise
from pipeline.place import normalise_place
from pipeline.validate import validate

# What the scorer reads of an offer.
SCORED_COLUMNS = (
    "id", "source_id", "title", "title_clean", "description_text", "skills_found", "location",
    "salary_annual_min", "salary_annual_max", "salary_currency", "city", "department", "region",
    "country", "latitude", "longitude", "remote", "contract", "contract_months",
    "experience_years", "seniority", "education_level",
)  # fmt: skip


STORE_MATCH = (
    "insert into matches (profile_id, offer_id, score, summary, breakdown, scored_at)"
    " values (?, ?, ?, ?, ?, ?) on conflict (profile_id, offer_id) do update set"
    " score = excluded.score, summary = excluded.summary, breakdown = excluded.breakdown,"
    " scored_at = excluded.scored_at"
)


def default_profile_path() -> Path:
    return platformdirs.user_config_path("botjobs") / "profile.toml"


def resolve_places(profile: Profile) -> Profile:
    """The seeker's places read like an offer's: "92" → Hauts-de-Seine, "Lyon" → the city."""
    places = []
    for text in profile.places:
        place = normalise_place(text)
        if place.city:
            places.append(
                Place(text, place.city, place.department, place.region, place.latitude,
                      place.longitude)
            )  # fmt: skip
        elif place.department:
            places.append(Place(text, department=place.department, region=place.region))
        elif place.region:
            places.append(Place(text, region=place.region))
    return with_places(profile, places)


def read_profile(path: Path | None) -> tuple[Profile, str, Path]:
    """(profile, its TOML text, the file it came from): the given file, else the user's own
    profile, else the starter profile that `botjobs init` writes."""
    if path is None:
        path = default_profile_path()
        if not path.exists():
            path = TEMPLATE
    text = path.read_text(encoding="utf-8")
    return resolve_places(parse_profile(text)), text, path


def store_profile(db: Database, profile: Profile, text: str, path: Path) -> tuple[int, bool]:
    """The profile's id, and whether its text changed since it was last stored (scores stale)."""
    row = next(db["profiles"].rows_where("name = ?", [profile.name]), None)
    now = datetime.now(UTC).isoformat(timespec="seconds")
    with db.atomic():
        if row is None:
            record = {"name": profile.name, "path": str(path), "toml": text, "updated_at": now}
            return db["profiles"].insert(record).last_pk, True
        if row["toml"] != text:
            db["profiles"].update(row["id"], {"toml": text, "path": str(path), "updated_at": now})
            return row["id"], True
    return row["id"], False


def offer_batches(db: Database, where: str = "", params: list | None = None, size: int = 1000
                  ) -> Iterator[list[dict[str, Any]]]:  # fmt: skip
    """Offers in id order, a batch at a time, so memory stays flat whatever the table's size."""
    last = 0
    columns = ", ".join(SCORED_COLUMNS)
    condition = f"and ({where})" if where else ""
    while True:
        rows = list(
            db.query(
                f"select {columns} from offers where id > ? {condition} order by id limit ?",
                [last, *(params or []), size],
            )
        )
        if not rows:
            return
        yield rows
        last = rows[-1]["id"]


def scorable(row: dict[str, Any]) -> dict[str, Any]:
    skills = row.get("skills_found")
    return {**row, "skills_found": json.loads(skills) if isinstance(skills, str) else skills}


def score_offers(db: Database, profile: Profile, profile_id: int, only_new: bool = False) -> int:
    """Score every offer (or only those this profile has no score for); returns how many."""
    where, params = "", []
    if only_new:
        where = "id not in (select offer_id from matches where profile_id = ?)"
        params = [profile_id]
    now = datetime.now(UTC).isoformat(timespec="seconds")
    count = 0
    for batch in offer_batches(db, where, params):
        rows = []
        for offer in batch:
            match = score_offer(profile, scorable(offer))
            breakdown = json.dumps(match.breakdown(), ensure_ascii=False)
            rows.append((profile_id, offer["id"], match.score, match.summary(), breakdown, now))
        with db.atomic():
            db.conn.executemany(STORE_MATCH, rows)
        count += len(rows)
    return count


def rank_offers(
    profile_data: dict[str, Any], offers: list[dict[str, Any]]
) -> list[tuple[str, float]]:
    """Raw offers ranked for a profile given as parsed TOML: (source_id, score), best first.

    The same path as stored offers take: validate, normalise, score. For benchmarks.
    """
    profile = resolve_places(profile_from_data(profile_data))
    now = datetime.now(UTC)
    scored = []
    for item in offers:
        record, _ = validate(item)
        if record is None:
            continue
        offer = {**record, **normalise(record, now), "id": record["source_id"]}
        scored.append((record["source_id"], float(score_offer(profile, scorable(offer)).score)))
    return sorted(scored, key=lambda pair: -pair[1])
