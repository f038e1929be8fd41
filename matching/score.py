"""Score one offer against one profile, 0–100, with a reason a person can read for every part.

Pure: an offer is a dict of normalised columns (as stored in `offers`, with `skills_found` a list
of [skill id, where]); a profile is matching.profile.Profile with its places resolved.

How the score is made:
- points: role 35, skills 30, salary 10, place 10, contract 8, level 7 (100 in all); an unknown
  fact earns about half its points and says so;
- the role decides how high the rest can count: total × (0.3 + 0.7 × role), so an offer that
  is not this job stays low whatever skills it names;
- a clear mismatch the seeker would not accept multiplies the score down (another region on
  site, a contract not accepted, an internship for a confirmé, pay under the minimum, a level
  far above): such offers sink below every offer that fits.
"""

from __future__ import annotations

import math
import re
import tomllib
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from matching.profile import Profile
from matching.skills import fold, resolve, taxonomy

WEIGHTS = {"role": 35, "skills": 30, "salary": 10, "place": 10, "contract": 8, "level": 7}
UNKNOWN = 0.5
SKILL_WHERE = {"title": 1.0, "stated": 1.0, "description": 0.85}
TRAINEE_CONTRACTS = ("stage", "alternance")
WORDS = re.compile(r"[a-z0-9+#.]+")
TITLE_WORDS = Path(__file__).with_name("data") / "title_words.toml"


@lru_cache(maxsize=1)
def title_words() -> tuple[frozenset[str], frozenset[str]]:
    """(generic words of job titles, words to ignore in titles), from data/title_words.toml."""
    with TITLE_WORDS.open("rb") as handle:
        data = tomllib.load(handle)
    return frozenset(data["generic"]), frozenset(data["ignored"])


@dataclass(frozen=True)
class Part:
    name: str
    value: float  # 0..1
    points: float
    reason: str


@dataclass(frozen=True)
class Match:
    score: int
    parts: tuple[Part, ...]
    penalties: tuple[str, ...] = field(default=())

    def summary(self) -> str:
        """The reasons in one line, most telling first."""
        reasons = [p.reason for p in self.parts] + list(self.penalties)
        return "; ".join(r for r in reasons if r)

    def breakdown(self) -> dict[str, Any]:
        return {
            "score": self.score,
            **{
                p.name: {"points": round(p.points, 1), "max": WEIGHTS[p.name], "reason": p.reason}
                for p in self.parts
            },
            "penalties": list(self.penalties),
        }


def words(text: str | None) -> list[str]:
    return WORDS.findall(fold(text or "")) if text else []


def k_euros(value: float) -> str:
    return f"{value / 1000:.0f}"


def money(low: float | None, high: float | None) -> str:
    if low is not None and high is not None and round(low, -3) != round(high, -3):
        return f"{k_euros(low)}–{k_euros(high)} k€"
    value = low if low is not None else high
    return f"{k_euros(value)} k€" if value is not None else "?"


# ---------------------------------------------------------------- the profile, read once


@dataclass(frozen=True)
class Wanted:
    """What scoring reads of a profile, worked out once for all the offers it scores."""

    titles: tuple[tuple[str, tuple[str, ...]], ...]  # each title and its words that count
    family: frozenset[str]  # the generic words of the titles ("chef", "projet")
    skills: tuple[tuple[str, int, str | None, str], ...]  # (as written, weight, id, key)


_last: tuple[Profile, Wanted] | None = None  # score_offer sees one profile offer after offer


def wanted(profile: Profile) -> Wanted:
    global _last
    last = _last
    if last is not None and last[0] is profile:
        return last[1]
    generic, ignored = title_words()
    titles = tuple(
        (title, tuple(w for w in words(title) if w not in ignored)) for title in profile.titles
    )
    family = frozenset(w for title in profile.titles for w in words(title)) & generic
    skills, seen = [], set()
    for name, weight in profile.skills.items():
        skill = resolve(name)
        key = skill or fold(name)
        if key not in seen:  # two synonyms of one skill count once
            seen.add(key)
            skills.append((name, weight, skill, key))
    result = Wanted(titles, family, tuple(skills))
    _last = (profile, result)
    return result


# ---------------------------------------------------------------- the parts


def found_skills(offer: dict[str, Any]) -> dict[str, str]:
    """skill id → the best place it was found ("title" beats "stated" beats "description")."""
    best: dict[str, str] = {}
    for skill, where in offer.get("skills_found") or []:
        if skill not in best or SKILL_WHERE[where] > SKILL_WHERE[best[skill]]:
            best[skill] = where
    return best


def role_part(profile: Profile, offer: dict[str, Any], found: dict[str, str]) -> Part:
    generic, ignored = title_words()
    title = offer.get("title_clean") or offer.get("title") or ""
    skills = taxonomy()
    role_in_title = [s for s, w in found.items() if w == "title" and skills[s].category == "role"]
    role_elsewhere = [s for s, w in found.items() if w != "title" and skills[s].category == "role"]
    title_words_ = {w for w in words(title) if w not in ignored}
    best_title, best_share = None, 0.0
    for wanted_title, wanted_words in wanted(profile).titles:
        if not wanted_words:
            continue
        shared = [w for w in wanted_words if w in title_words_]
        share = len(shared) / len(wanted_words)
        if not role_in_title and all(w in generic for w in shared):
            # "Chef de projet MOA" shares "chef de projet" with "chef de projet chatbot", not
            # its subject: the kind of post alone is not the job.
            share *= 0.4
        if share > best_share:
            best_title, best_share = wanted_title, share
    if best_share >= 0.99:
        return Part("role", 1.0, 0, f"title matches “{best_title}”")
    value, reason = best_share, f"title close to “{best_title}”" if best_title else ""
    family_in_title = bool(wanted(profile).family & title_words_)
    if role_in_title:
        label = skills[role_in_title[0]].label
        candidate = 0.85 if family_in_title else 0.65
        if candidate > value:
            value = candidate
            reason = f"{label} job" + ("" if family_in_title else ", another kind of post")
    elif role_elsewhere and value < 0.35:
        label = skills[role_elsewhere[0]].label
        value = 0.35 if family_in_title else 0.15
        reason = f"{label} only in the description"
    if value < 0.15:
        value, reason = 0.0, "not this role: nothing of it in the title"
    return Part("role", value, 0, reason)


def broader_hit(skill: str, found: dict[str, str]) -> str | None:
    """Where a found skill implies this one ("IA conversationnelle" implies "IA"), if any."""
    places = [found[other] for other in implied_by().get(skill, ()) if other in found]
    return max(places, key=SKILL_WHERE.__getitem__) if places else None


@lru_cache(maxsize=1)
def implied_by() -> dict[str, tuple[str, ...]]:
    """Skill id → the skills that imply it."""
    found: dict[str, list[str]] = {}
    for skill in taxonomy().values():
        for broader in skill.implies:
            found.setdefault(broader, []).append(skill.id)
    return {broader: tuple(narrower) for broader, narrower in found.items()}


def skills_part(profile: Profile, offer: dict[str, Any], found: dict[str, str]) -> Part:
    if not profile.skills:
        return Part("skills", UNKNOWN, 0, "no skills in your profile")
    text = None  # the offer's words, folded: only for a skill the taxonomy does not know
    total = got = 0.0
    present, missing = [], []
    for name, weight, skill, key in wanted(profile).skills:
        total += weight
        if skill is not None:
            where = found.get(skill) or broader_hit(key, found)
            hit = SKILL_WHERE[where] if where else 0.0
        else:  # not in the taxonomy: a whole-word search for what the seeker wrote
            if text is None:
                words = (offer.get("title"), offer.get("description_text"))
                text = fold(" ".join(filter(None, words)))
            hit = SKILL_WHERE["description"] if re.search(rf"\b{re.escape(key)}\b", text) else 0.0
        got += weight * hit
        (present if hit else missing).append((weight, name))
    value = got / total if total else 0.0
    named = [n for _, n in sorted(present, key=lambda p: -p[0])]
    lacking = [n for _, n in sorted(missing, key=lambda p: -p[0])]
    reason = (f"{', '.join(named[:6])} found" if named else "none of your skills named") + (
        f"; {', '.join(lacking[:4])} missing" if lacking else ""
    )
    return Part("skills", value, 0, reason)


def salary_part(profile: Profile, offer: dict[str, Any]) -> tuple[Part, str | None]:
    low, high = offer.get("salary_annual_min"), offer.get("salary_annual_max")
    if offer.get("salary_currency") not in (None, "EUR") and low is None and high is None:
        return Part("salary", UNKNOWN, 0, f"paid in {offer['salary_currency']}, not compared"), None
    if low is None and high is None:
        return Part("salary", UNKNOWN, 0, "pay not stated (neutral)"), None
    if profile.salary_min is None:
        return Part("salary", 1.0, 0, f"{money(low, high)}"), None
    floor, target = profile.salary_min, profile.salary_target or profile.salary_min
    top = high if high is not None else low
    bottom = low if low is not None else high
    band = f"your band ({money(floor, target)})" if target != floor else f"your {k_euros(floor)} k€"
    if top < floor:
        penalty = f"pay {money(low, high)} under your minimum" if top < 0.9 * floor else None
        return Part("salary", 0.1, 0, f"{money(low, high)} below {band}"), penalty
    if bottom > target:
        return Part("salary", 1.0, 0, f"{money(low, high)} above {band}"), None
    if bottom >= floor or top >= target:
        return Part("salary", 1.0, 0, f"{money(low, high)} inside {band}"), None
    return Part("salary", 0.7, 0, f"{money(low, high)} partly inside {band}"), None


def distance_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    rlat1, rlat2 = math.radians(lat1), math.radians(lat2)
    dlat, dlon = rlat2 - rlat1, math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(rlat1) * math.cos(rlat2) * math.sin(dlon / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(min(1.0, a)))


def place_in_profile(profile: Profile, offer: dict[str, Any]) -> str | None:
    """Which of the seeker's places the offer is in, if any."""
    for place in profile.resolved_places:
        if place.city:
            if offer.get("city") and fold(place.city) == fold(offer["city"]):
                return place.text
            lat, lon = offer.get("latitude"), offer.get("longitude")
            if (
                place.latitude is not None
                and lat is not None
                and distance_km(place.latitude, place.longitude, lat, lon) <= profile.radius_km
            ):
                return f"within {profile.radius_km:.0f} km of {place.text}"
        elif place.department:
            if offer.get("department") == place.department:
                return place.text
        elif place.region and offer.get("region") == place.region:
            return place.text
    return None


def place_part(profile: Profile, offer: dict[str, Any]) -> tuple[Part, str | None]:
    remote = offer.get("remote")
    where = offer.get("city") or offer.get("region") or offer.get("location")
    if offer.get("department") and offer.get("city"):
        where = f"{offer['city']} ({offer['department']})"
    if remote == "full":
        return Part("place", 1.0, 0, "full remote: fits wherever you live"), None
    mode = {"hybrid": "hybrid", "none": "on site"}.get(remote or "", "")
    inside = place_in_profile(profile, offer) if profile.resolved_places else None
    if profile.remote == "full":
        # Wants full remote: an office near home is a compromise, one far away a mismatch.
        said = mode or "remote not said"
        if inside or not profile.resolved_places:
            value = 0.4 if remote == "hybrid" else 0.2
            return Part("place", value, 0, f"{said} in {inside or where}, not full remote"), None
        return Part("place", 0.0, 0, f"{said} in {where}, not full remote"), (
            f"{said} in {where}, and you want full remote"
        )
    if not profile.resolved_places:
        return Part("place", 1.0, 0, f"in {where}" if where else "place not said"), None
    if inside:
        value = 1.0
        if profile.remote == "hybrid" and remote == "none":
            value = 0.7
        text = f"{mode} in {inside}".strip() if mode else f"in {inside}"
        return Part("place", value, 0, text), None
    if not offer.get("department") and not offer.get("region"):
        return Part("place", UNKNOWN, 0, "place not said"), None
    if offer.get("country") not in (None, "FR"):
        return Part("place", 0.0, 0, f"abroad ({where})"), f"abroad: {where}"
    return Part("place", 0.0, 0, f"{mode or 'in'} {where}, outside your places".strip()), (
        f"{where} is outside your places"
    )


def counted(number: float, unit: str) -> str:
    """ "1 year", "2 years", "1.5 years"."""
    return f"{number:g} {unit}" + ("" if number == 1 else "s")


def contract_part(profile: Profile, offer: dict[str, Any]) -> tuple[Part, str | None, float]:
    kind = offer.get("contract")
    if not profile.contracts:
        return Part("contract", 1.0, 0, kind or ""), None, 1.0
    if kind is None:
        return Part("contract", UNKNOWN + 0.1, 0, "contract not said"), None, 1.0
    if kind in profile.contracts:
        months = offer.get("contract_months")
        length = f" {counted(round(months), 'month')}" if months and kind != "CDI" else ""
        return Part("contract", 1.0, 0, f"{kind}{length} accepted"), None, 1.0
    trainee = kind in TRAINEE_CONTRACTS and profile.level in ("confirmé", "senior")
    factor = 0.3 if trainee else 0.6
    reason = f"{kind}: not a contract you accept"
    return Part("contract", 0.0, 0, reason), reason, factor


def level_part(profile: Profile, offer: dict[str, Any]) -> tuple[Part, str | None]:
    asked = offer.get("experience_years")
    mine = profile.experience_years
    value, reasons, penalty = 1.0, [], None
    if asked is not None and mine is not None:
        gap = asked - mine
        if gap <= 1:
            reasons.append(f"asks {counted(asked, 'year')}, you have {mine:g}")
        elif gap <= 3:
            value = 0.6
            reasons.append(f"asks {counted(asked, 'year')}, you have {mine:g}")
        else:
            value = 0.2
            reasons.append(f"asks {counted(asked, 'year')}, a stretch from your {mine:g}")
            if gap >= 6:
                penalty = f"{counted(asked, 'year')} asked"
    elif offer.get("seniority") and profile.level:
        order = {"junior": 0, "confirmé": 1, "senior": 2}
        gap = order[offer["seniority"]] - order[profile.level]
        value = {0: 1.0, 1: 0.6, 2: 0.2, -1: 0.7, -2: 0.4}[gap]
        reasons.append(
            f"{offer['seniority']} post" + ("" if gap == 0 else f" for a {profile.level}")
        )
    else:
        value = 0.8
        reasons.append("experience not said")
    level = offer.get("education_level")
    if level is not None and profile.education is not None and level > profile.education:
        value *= 0.6
        reasons.append(f"asks Bac+{level}")
    return Part("level", value, 0, ", ".join(reasons)), penalty


# ---------------------------------------------------------------- the whole


def score_offer(profile: Profile, offer: dict[str, Any]) -> Match:
    found = found_skills(offer)
    role = role_part(profile, offer, found)
    skills = skills_part(profile, offer, found)
    salary, salary_penalty = salary_part(profile, offer)
    place, place_penalty = place_part(profile, offer)
    contract, contract_penalty, contract_factor = contract_part(profile, offer)
    level, level_penalty = level_part(profile, offer)
    parts = [
        Part(p.name, p.value, p.value * WEIGHTS[p.name], p.reason)
        for p in (role, skills, salary, place, contract, level)
    ]
    total = sum(p.points for p in parts) * (0.3 + 0.7 * role.value)
    factor = contract_factor
    penalties = []
    for penalty, cut in (
        (salary_penalty, 0.6),
        (place_penalty, 0.5),
        (contract_penalty, None),
        (level_penalty, 0.6),
    ):
        if penalty:
            penalties.append(penalty)
            factor *= cut if cut is not None else 1.0
    return Match(round(total * factor), tuple(parts), tuple(penalties))
