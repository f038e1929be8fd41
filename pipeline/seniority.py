"""Experience asked by an offer: minimum years and a level in the profile's three bands.

Where it is read, strongest first:
- `text`, the source's experience field: France Travail `experienceLibelle` ("3 An(s)",
  "Débutant accepté"), JSON-LD `experienceRequirements` ("3 à 5 ans", "36 mois d'expérience"),
  LinkedIn "Seniority level" / jobspy `job_level` ("Mid-Senior level"). Basis "stated".
- `code`, France Travail `experienceExige`: D (débutant accepté → 0 years, junior); E (exigée)
  and S (souhaitée) say nothing about how much. Basis "stated".
- `title`: a level word ("Senior", "Junior", "Lead", "Stagiaire"…). Pass the title as the source
  wrote it, before `clean_title` drops "Stage -" or "Alternance -". Basis "parsed".
- `description`: a number of years next to an experience cue ("3 ans d'expérience",
  "au moins 2 ans"), or a level phrase ("débutant accepté", "profil senior"). Basis "parsed".

The level is the stated one when there is one (field, then code, then title, then description;
the lowest when one source states several), else it follows the years by the bands of
data/seniority.toml: under 2 years junior, 2 to under 6 confirmé, 6 and more senior.
`basis` tells how the years were obtained, or the level when the years are unknown.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.text import (
    Phrases,
    clean_input,
    flatten_description,
    fold,
    mask,
    phrases_regex,
)

LEVELS = ("junior", "confirmé", "senior")
_DATA = Path(__file__).parent / "data" / "seniority.toml"
# Beyond this a number is not years of experience asked of anyone ("plus de 30 ans
# d'expérience" is the company speaking).
_MAX_YEARS = 20
# A real offer names a few lengths; past this many candidates the rest of a text is noise.
_MAX_CANDIDATES = 200
# How far around a number its context is looked for (characters of squashed text).
_WINDOW = 40


@dataclass(frozen=True)
class Experience:
    years: float | None  # minimum years asked
    level: str | None  # "junior" | "confirmé" | "senior" | None
    basis: str | None  # "stated" | "parsed" | None
    raw: str | None  # the text it was read from


@dataclass(frozen=True)
class _Vocabulary:
    field_levels: dict[str, Phrases]
    title_levels: dict[str, Phrases]
    title_exclude: Phrases
    description_levels: dict[str, Phrases]
    zero: Phrases
    zero_in_description: Phrases
    one: Phrases
    less_than: re.Pattern[str]
    just_before: re.Pattern[str]
    nearby_before: Phrases
    just_after: re.Pattern[str]
    cue_before: Phrases
    cue_after: re.Pattern[str]
    amount: re.Pattern[str]
    numbers: dict[str, int]
    junior_below: float
    senior_from: float


# "Bac+5", "Bac+3/5", "Bac+3 à Bac+5": blanked out before numbers are read ("Bac+5 - 3 ans"
# asks three years; the second number of a range needs its "/" or "+").
_BAC = re.compile(r"bac ?\+ ?\d{1,2}(?:/ ?\+? ?\d{1,2}| ?(?:a|-|ou|et) ?(?:bac ?)?\+ ?\d{1,2})*+")
_UNITS = r"(an\(s\)|annee\(s\)|annees|annee|ans|an|years|year|yrs|yr|mois|months|month)(?![a-z])"


def _ends_with(pattern: Phrases) -> re.Pattern[str]:
    return re.compile(f"(?:{pattern.pattern}) ?$")


def _starts_with(pattern: Phrases) -> re.Pattern[str]:
    return re.compile(f"^ ?(?:{pattern.pattern})")


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    data: dict[str, Any] = tomllib.loads(_DATA.read_text(encoding="utf-8"))

    def levels(section: str) -> dict[str, Phrases]:
        return {level: phrases_regex(data[section].get(level, [])) for level in LEVELS}

    numbers = {str(k): int(v) for k, v in data["numbers"].items()}
    words = "|".join(sorted(numbers, key=len, reverse=True))
    number = rf"(\d{{1,3}}(?:[.,]\d{{1,2}})?|{words})"
    # "3 à 5 ans", "3-5 years", "entre 2 et 3 ans", "3 ans à 5 ans"; "5+ years", "+5 ans".
    amount = re.compile(
        rf"(?<![\w.,+])(?:\+ ?)?{number} ?(?:{_UNITS} ?)?(?:a|-|to|et|and|ou|or|/) ?"
        rf"{number} ?(?:\+ ?)?{_UNITS}"
        rf"|(?<![\w.,+])(?:\+ ?)?{number} ?(?:\+ ?)?{_UNITS}"
    )
    years = data["years"]
    not_experience = data["not_experience"]
    cue = data["experience_cue"]
    return _Vocabulary(
        field_levels=levels("field"),
        title_levels=levels("title"),
        title_exclude=phrases_regex(data["title"].get("exclude", [])),
        description_levels=levels("description"),
        zero=phrases_regex(years["zero"]),
        zero_in_description=phrases_regex(years["zero_in_description"]),
        one=phrases_regex(years["one"]),
        less_than=_ends_with(phrases_regex(years["less_than"])),
        just_before=_ends_with(phrases_regex(not_experience["just_before"])),
        nearby_before=phrases_regex(not_experience["nearby_before"]),
        just_after=_starts_with(phrases_regex(not_experience["just_after"])),
        cue_before=phrases_regex(cue["nearby_before"]),
        cue_after=_starts_with(phrases_regex(cue["just_after"])),
        amount=amount,
        numbers=numbers,
        junior_below=float(data["bands"]["junior_below"]),
        senior_from=float(data["bands"]["senior_from"]),
    )


def level_for_years(years: float | None) -> str | None:
    """The band a number of years falls in (bands from data/seniority.toml)."""
    if years is None:
        return None
    vocabulary = _vocabulary()
    if years < vocabulary.junior_below:
        return "junior"
    if years < vocabulary.senior_from:
        return "confirmé"
    return "senior"


def _lowest_level(text: str, patterns: dict[str, Phrases]) -> str | None:
    for level in LEVELS:
        if patterns[level].search(text):
            return level
    return None


def _number(token: str | None) -> float | None:
    if token is None:
        return None
    if token[0].isdigit():
        return float(token.replace(",", "."))
    return float(_vocabulary().numbers.get(token, 0)) or None


def _in_years(value: float, unit: str) -> float:
    if unit.startswith(("mois", "month")):
        value = value / 12
    return round(value, 2)


# Context stops at the end of a sentence or a line (lines are joined with " ; "); what rules a
# number out ("CDD de", "depuis") must also be in its clause: "Contrat de 6 mois, expérience de
# 2 ans" asks two years.
_SENTENCE_END = re.compile(r"[;!?]|(?<!\bexp)(?<!\bmin)\. ")
_CLAUSE_END = re.compile(r"[;!?,]|(?<!\bexp)(?<!\bmin)\. ")


def _before(text: str, start: int, stops: re.Pattern[str]) -> str:
    window = text[max(0, start - _WINDOW) : start]
    ends = [m.end() for m in stops.finditer(window)]
    return window[ends[-1] :] if ends else window


def _after(text: str, end: int, stops: re.Pattern[str]) -> str:
    window = text[end : end + _WINDOW]
    stop = stops.search(window)
    return window[: stop.start()] if stop else window


def _amounts(folded: str, *, need_cue: bool) -> tuple[float, re.Match[str]] | None:
    """The first number of years or months in `folded` that reads as experience asked."""
    vocabulary = _vocabulary()
    text = mask(folded, _BAC)
    for count, match in enumerate(vocabulary.amount.finditer(text)):
        if count >= _MAX_CANDIDATES:
            break
        if match.group(1) is not None:
            low, unit = _number(match.group(1)), match.group(2) or match.group(4)
        else:
            low, unit = _number(match.group(5)), match.group(6)
        if low is None or unit is None:
            continue
        clause = _before(text, match.start(), _CLAUSE_END)
        if vocabulary.just_before.search(clause) or vocabulary.nearby_before.search(clause):
            continue
        if vocabulary.just_after.search(_after(text, match.end(), _CLAUSE_END)):
            continue
        before = _before(text, match.start(), _SENTENCE_END)
        after = _after(text, match.end(), _SENTENCE_END)
        if need_cue and not (
            vocabulary.cue_before.search(before) or vocabulary.cue_after.search(after)
        ):
            continue
        years = _in_years(low, unit)
        if years > _MAX_YEARS:
            continue
        if vocabulary.less_than.search(clause):
            years = 0.0
        return years, match
    return None


def _snippet(text: str, start: int, end: int) -> str:
    return text[max(0, start - _WINDOW) : end + _WINDOW].strip()


# JSON-LD OccupationalExperienceRequirements passed through as JSON text.
_MONTHS_OF_EXPERIENCE = re.compile(r'monthsofexperience"? ?: ?"?(\d{1,4}(?:\.\d+)?)')


def _read_field(text: str) -> tuple[float | None, str | None]:
    vocabulary = _vocabulary()
    # Field values such as "1_TO_2_YEARS" or "mid_senior_level" use underscores for spaces.
    folded = fold(text).replace("_", " ")
    level = _lowest_level(folded, vocabulary.field_levels)
    months = _MONTHS_OF_EXPERIENCE.search(folded)
    if months is not None:
        years = _in_years(float(months.group(1)), "mois")
        if years <= _MAX_YEARS:
            return years, level
    found = _amounts(folded, need_cue=False)
    years: float | None = found[0] if found else None
    if years is None:
        if vocabulary.zero.search(folded):
            years = 0.0
        elif vocabulary.one.search(folded):
            years = 1.0
    return years, level


def _read_title(title: str) -> str | None:
    vocabulary = _vocabulary()
    folded = mask(fold(title), vocabulary.title_exclude)
    return _lowest_level(folded, vocabulary.title_levels)


def _read_description(description: str) -> tuple[float | None, str | None, str | None]:
    vocabulary = _vocabulary()
    folded = fold(description)
    level = _lowest_level(folded, vocabulary.description_levels)
    found = _amounts(folded, need_cue=True)
    if found is not None:
        years, match = found
        return years, level, _snippet(description, match.start(), match.end())
    for pattern, value in ((vocabulary.zero_in_description, 0.0), (vocabulary.one, 1.0)):
        hit = pattern.search(folded)
        if hit is not None:
            return value, level, _snippet(description, hit.start(), hit.end())
    if level is not None:
        hit = vocabulary.description_levels[level].search(folded)
        if hit is not None:
            return None, level, _snippet(description, hit.start(), hit.end())
    return None, None, None


def normalise_experience(
    text: str | None,
    *,
    code: str | None = None,
    description: str | None = None,
    title: str | None = None,
) -> Experience:
    """Minimum years and level asked by an offer; unknown parts are None. Never raises."""
    text_clean = clean_input(text)
    code_clean = clean_input(code)
    # The description keeps its line ends (as " ; "): they bound the context of a number.
    description_clean = flatten_description(description)
    code_letter = code_clean.upper() if code_clean and len(code_clean) == 1 else None
    title_clean = clean_input(title)

    years: float | None = None
    years_basis: str | None = None
    stated_level: str | None = None
    level_basis: str | None = None
    raw = text.strip() if text_clean and isinstance(text, str) else None

    if text_clean:
        years, stated_level = _read_field(text_clean)
        years_basis = "stated" if years is not None else None
        level_basis = "stated" if stated_level else None
    if code_letter == "D":
        if years is None:
            years, years_basis = 0.0, "stated"
        if stated_level is None:
            stated_level, level_basis = "junior", "stated"
    raw = raw or (code.strip() if code_clean and isinstance(code, str) else None)
    if stated_level is None and title_clean:
        stated_level = _read_title(title_clean)
        level_basis = "parsed" if stated_level else None
    if description_clean and (years is None or stated_level is None):
        found_years, found_level, snippet = _read_description(description_clean)
        if years is None and found_years is not None:
            years, years_basis = found_years, "parsed"
            raw = raw or snippet
        if stated_level is None and found_level is not None:
            stated_level, level_basis = found_level, "parsed"
            raw = raw or snippet
    if raw is None and title_clean and stated_level is not None:
        raw = title_clean

    level = stated_level or level_for_years(years)
    basis = years_basis if years is not None else level_basis
    if years is None and level is None:
        return Experience(None, None, None, raw)
    return Experience(years, level, basis, raw)
