"""Education asked by an offer, as the French "Bac+N" level.

`text` is the source's education field (France Travail `formations[].niveauLibelle` joined by
"; ", JSON-LD `educationRequirements` or its `credentialCategory`): basis "stated". When it says
nothing, `description` is read more carefully (degree words that are also everyday words, such as
"licence" or "maîtrise", are skipped, and "niveau 6" counts only beside "RNCP", "titre"…):
basis "parsed".

Levels: -1 below the Bac (CAP, BEP), 0 Bac, 2, 3, 4, 5 (Bac+5, master, engineering or business
school), 8 (doctorate). RNCP levels 3/4/5/6/7/8 are -1/0/2/3/5/8. Several levels named → the
lowest (the minimum asked). The vocabulary lives in data/education.toml.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.text import Phrases, clean_input, flatten_description, fold, mask, phrases_regex

_DATA = Path(__file__).parent / "data" / "education.toml"
# Context searched around "niveau N" in a description for a sign it is a qualification level.
_WINDOW = 30


@dataclass(frozen=True)
class Education:
    level: int | None  # Bac+N: -1 (CAP/BEP), 0 (Bac), 2, 3, 4, 5, 8 (doctorat)
    label: str | None  # "Bac+5", "Bac", "CAP/BEP", "Bac+8"…
    basis: str | None  # "stated" | "parsed" | None
    raw: str | None  # the text it was read from


@dataclass(frozen=True)
class _Vocabulary:
    labels: dict[int, str]
    rncp: dict[int, int]
    rncp_roman: dict[str, int]
    degrees: dict[str, int]
    degree_pattern: Phrases
    field_only: dict[str, int]
    field_only_pattern: Phrases
    acronyms: dict[str, int]
    acronym_pattern: re.Pattern[str]
    exclude: Phrases


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    data: dict[str, Any] = tomllib.loads(_DATA.read_text(encoding="utf-8"))

    def by_phrase(table: dict[str, list[str]]) -> dict[str, int]:
        found: dict[str, int] = {}
        for level, phrases in table.items():
            for phrase in phrases:
                found[phrase] = min(int(level), found.get(phrase, 99))
        return found

    degrees = by_phrase(data["degrees"])
    field_only = by_phrase(data["field_only"])
    acronyms = by_phrase(data["acronyms"])
    words = "|".join(re.escape(a) for a in sorted(acronyms, key=len, reverse=True))
    return _Vocabulary(
        labels={int(k): str(v) for k, v in data["labels"].items()},
        rncp={int(k): int(v) for k, v in data["rncp"].items()},
        rncp_roman={str(k): int(v) for k, v in data["rncp_roman"].items()},
        degrees=degrees,
        degree_pattern=phrases_regex(list(degrees)),
        field_only=field_only,
        field_only_pattern=phrases_regex(list(field_only)),
        acronyms=acronyms,
        acronym_pattern=re.compile(f"(?<![A-Za-z0-9])(?:{words})(?![A-Za-z0-9])"),
        exclude=phrases_regex(data["exclude"]["phrases"]),
    )


# "Bac+5", "BAC +5", "bac + 3/5", "Bac+3 à Bac+5": the first number is the lower one.
_BAC_PLUS = re.compile(r"(?<![a-z])bac ?\+ ?(\d{1,2})(?!\d)")
_NIVEAU = re.compile(r"(?<![a-z])niveau ?(\d)(?!\d)")
_ROMAN = re.compile(r"(?<![A-Za-z])[Nn]iveau ?(IV|V|I{1,3})(?![A-Za-z])")
_QUALIFICATION_CUE = re.compile(
    r"rncp|titre|certification|diplome|qualification|eqf|cec|cadre europeen|europeen"
)
# "Notre BUT", "le but": a goal, not the Bachelor universitaire de technologie.
_NOT_A_DEGREE = re.compile(r"(?<![a-z])(?:notre|votre|leur|le|ce|mon|son|du|au|pour|dont) $")
_SENTENCE_END = re.compile(r"[;!?]|\. ")


def _bac_level(n: int) -> int | None:
    if n > 12:
        return None
    if n <= 1:
        return 0
    if n <= 4:
        return n
    return 5 if n < 8 else 8


_NOT_LETTERS = re.compile(r"[\W\d_]+")


def _mostly_capitals(text: str) -> bool:
    letters = _NOT_LETTERS.sub("", text)
    return len(letters) >= 8 and sum(map(str.isupper, letters)) > 0.7 * len(letters)


def _mentions(original: str, *, field: bool) -> list[tuple[int, int, int]]:
    """Every level the text names, as (start, end, level), in reading order."""
    vocabulary = _vocabulary()
    folded = mask(fold(original), vocabulary.exclude)
    found: list[tuple[int, int, int]] = []
    for match in _BAC_PLUS.finditer(folded):
        level = _bac_level(int(match.group(1)))
        if level is not None:
            found.append((match.start(), match.end(), level))
    folded = mask(folded, _BAC_PLUS)
    for match in _NIVEAU.finditer(folded):
        level = vocabulary.rncp.get(int(match.group(1)))
        if level is None:
            continue
        context = folded[max(0, match.start() - _WINDOW) : match.end() + _WINDOW]
        if field or _QUALIFICATION_CUE.search(context):
            found.append((match.start(), match.end(), level))
    for match in _ROMAN.finditer(original):
        context = folded[max(0, match.start() - _WINDOW) : match.end() + _WINDOW]
        if field or _QUALIFICATION_CUE.search(context):
            found.append((match.start(), match.end(), vocabulary.rncp_roman[match.group(1)]))
    folded = mask(folded, _NIVEAU)
    for match in vocabulary.degree_pattern.finditer(folded):
        found.append((match.start(), match.end(), vocabulary.degrees[match.group(0)]))
    if field:
        for match in vocabulary.field_only_pattern.finditer(folded):
            found.append((match.start(), match.end(), vocabulary.field_only[match.group(0)]))
    acronyms = list(vocabulary.acronym_pattern.finditer(original))
    if acronyms and not _mostly_capitals(original):
        for match in acronyms:
            # An acronym inside an excluded phrase was blanked out of `folded`.
            if folded[match.start()] == " ":
                continue
            if match.group(0) == "BUT" and _NOT_A_DEGREE.search(
                folded, max(0, match.start() - 8), match.start()
            ):
                continue
            found.append((match.start(), match.end(), vocabulary.acronyms[match.group(0)]))
    found.sort()
    return found


def _result(level: int, basis: str, raw: str) -> Education:
    return Education(level, _vocabulary().labels.get(level), basis, raw)


def _from_description(description: str) -> Education | None:
    mentions = _mentions(description, field=False)
    if not mentions:
        return None
    # The first mention and the others of its sentence: "Bac+5 (école d'ingénieur ou master)".
    # A later sentence is often about something else ("vous encadrerez des BTS").
    first_start = mentions[0][0]
    ends = [m.end() for m in _SENTENCE_END.finditer(description, 0, first_start)]
    start = ends[-1] if ends else 0
    stop = _SENTENCE_END.search(description, mentions[0][1])
    end = stop.start() if stop else len(description)
    level = min(lvl for s, _e, lvl in mentions if start <= s < end)
    return _result(level, "parsed", description[start:end].strip())


def normalise_education(text: str | None, *, description: str | None = None) -> Education:
    """The minimum education level an offer asks for; unknown parts are None. Never raises."""
    raw = text.strip() if isinstance(text, str) and text.strip() else None
    field = clean_input(text)
    if field:
        mentions = _mentions(field, field=True)
        if mentions:
            return _result(min(level for _s, _e, level in mentions), "stated", raw or field)
    flat = flatten_description(description)
    if flat:
        found = _from_description(flat)
        if found is not None:
            return found
    return Education(None, None, None, raw)
