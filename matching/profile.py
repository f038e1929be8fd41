"""The job seeker's profile: a TOML text (see data/profile_template.toml) read into plain data.

Pure: takes the text, returns a Profile or raises ProfileError saying which key is wrong. Places
stay as the seeker wrote them; the caller resolves them to regions/departments/cities.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path

LEVELS = ("junior", "confirmé", "senior")
REMOTE_WISHES = ("any", "hybrid", "full")
CONTRACTS = ("CDI", "CDD", "interim", "freelance", "alternance", "stage", "other")
# The commented starter `botjobs init` copies.
TEMPLATE = Path(__file__).with_name("data") / "profile_template.toml"


class ProfileError(ValueError):
    """A profile that can't be used, with the key at fault in the message."""


@dataclass(frozen=True)
class Place:
    """One of the seeker's places, once resolved: the most precise of city/department/region."""

    text: str
    city: str | None = None
    department: str | None = None
    region: str | None = None
    latitude: float | None = None
    longitude: float | None = None


@dataclass(frozen=True)
class Profile:
    name: str
    titles: tuple[str, ...]
    level: str | None
    experience_years: float | None
    education: int | None  # Bac+N
    skills: dict[str, int]  # as written by the seeker → weight 1..3
    salary_min: float | None
    salary_target: float | None
    places: tuple[str, ...]
    remote: str
    radius_km: float
    contracts: tuple[str, ...]
    resolved_places: tuple[Place, ...] = field(default=())


def _table(data: dict, key: str) -> dict:
    value = data.get(key, {})
    if not isinstance(value, dict):
        raise ProfileError(f"[{key}] must be a table")
    return value


def _number(table: dict, key: str, where: str) -> float | None:
    value = table.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ProfileError(f"{where}.{key} must be a number, not {value!r}")
    if value < 0:
        raise ProfileError(f"{where}.{key} must not be negative")
    return float(value)


def _strings(table: dict, key: str, where: str) -> tuple[str, ...]:
    value = table.get(key, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ProfileError(f"{where}.{key} must be a list of texts")
    return tuple(v.strip() for v in value if v.strip())


def education_level(text: str | None) -> int | None:
    """ "bac+5" → 5, "Bac + 3" → 3, "bac" → 0; None when not said."""
    if not text:
        return None
    folded = "".join(text.lower().split())
    if not folded.startswith("bac"):
        raise ProfileError(f'profile.education must look like "bac+5", not {text!r}')
    rest = folded[3:].lstrip("+")
    if not rest:
        return 0
    if not rest.isdigit():
        raise ProfileError(f'profile.education must look like "bac+5", not {text!r}')
    return int(rest)


def parse_profile(text: str) -> Profile:
    """A Profile from TOML text; ProfileError names the first key that is wrong."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ProfileError(f"not valid TOML: {exc}") from None
    return profile_from_data(data)


def profile_from_data(data: dict) -> Profile:
    """A Profile from the TOML's tables, already parsed."""
    about = _table(data, "profile")
    skills_table = _table(data, "skills")
    salary = _table(data, "salary")
    location = _table(data, "location")
    contract = _table(data, "contract")

    level = about.get("level")
    if level is not None and level not in LEVELS:
        raise ProfileError(f"profile.level must be one of {', '.join(LEVELS)}, not {level!r}")
    skills: dict[str, int] = {}
    for name, weight in skills_table.items():
        if isinstance(weight, bool) or not isinstance(weight, int) or not 1 <= weight <= 3:
            raise ProfileError(f'skills."{name}" must be a weight from 1 to 3, not {weight!r}')
        skills[name] = weight
    remote = location.get("remote", "any")
    if remote not in REMOTE_WISHES:
        raise ProfileError(f"location.remote must be one of {', '.join(REMOTE_WISHES)}")
    contracts = _strings(contract, "accept", "contract")
    unknown = [c for c in contracts if c not in CONTRACTS]
    if unknown:
        raise ProfileError(
            f"contract.accept: unknown {', '.join(unknown)}; use {', '.join(CONTRACTS)}"
        )
    salary_min = _number(salary, "min", "salary")
    salary_target = _number(salary, "target", "salary")
    if salary_min and salary_target and salary_target < salary_min:
        raise ProfileError("salary.target must not be below salary.min")
    titles = _strings(about, "titles", "profile")
    if not titles:
        raise ProfileError("profile.titles must name at least one job title")
    return Profile(
        name=str(about.get("name") or titles[0]),
        titles=titles,
        level=level,
        experience_years=_number(about, "experience_years", "profile"),
        education=education_level(about.get("education")),
        skills=skills,
        salary_min=salary_min,
        salary_target=salary_target,
        places=_strings(location, "places", "location"),
        remote=remote,
        radius_km=_number(location, "radius_km", "location") or 0.0,
        contracts=contracts,
    )


def with_places(profile: Profile, places: list[Place]) -> Profile:
    """The same profile with its places resolved by the caller."""
    return replace(profile, resolved_places=tuple(places))
