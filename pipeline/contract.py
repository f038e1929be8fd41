"""Contract type and length of an offer: CDI, CDD, intérim, freelance, alternance, stage, other.

The source's contract field decides when it names a contract (a France Travail or Apec code, a
schema.org, jobspy or Welcome to the Jungle value, a label such as "CDD - 6 mois"); otherwise
the title, then the description. Every word list lives in pipeline/data/contracts.toml, whose
header explains the rules; this module only applies them.

`plain_text` and `fold` prepare any text for matching; pipeline/remote.py shares them.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.text import Prepared, sentence_start, snippet, vocabulary_pattern

DATA_FILE = Path(__file__).parent / "data" / "contracts.toml"
CONTRACT_TYPES = ("CDI", "CDD", "interim", "freelance", "alternance", "stage", "other")
UNSTATED = "unstated"


@dataclass(frozen=True)
class Contract:
    type: str | None = None  # one of CONTRACT_TYPES, or None when unknown
    months: float | None = None  # length of a non-CDI contract, when stated
    basis: str | None = None  # "stated" (the contract field), "parsed" (title, description), None
    raw: str | None = None  # the text that decided: the contract field, else the phrase found


# --- text preparation (shared with remote.py) -------------------------------------------------


# UTF-8 read as Windows-1252 ("Ã©" for "é", "ï¿½" for a lost character): a lead byte then the
# continuation bytes, each shown as the cp1252 (or Latin-1) character of that byte.
@dataclass(frozen=True)
class _Entry:
    type: str
    refine: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Group:
    type: str
    refine: tuple[str, ...]
    case: bool
    regex: re.Pattern[str]


@dataclass(frozen=True)
class _Vocabulary:
    codes: dict[str, _Entry]
    groups: dict[str, tuple[_Group, ...]]
    alternance_from_title: frozenset[str]
    alternance_from_description: frozenset[str]
    prospect_before: re.Pattern[str]
    past_before: re.Pattern[str]
    prospect_after: re.Pattern[str]
    duration: re.Pattern[str]
    units: dict[str, str]
    numbers: dict[str, float]
    before: re.Pattern[str]
    after: re.Pattern[str]
    gap: int
    not_before: re.Pattern[str]
    not_after: re.Pattern[str]


def _check_type(value: Any, where: str) -> str:
    if value not in CONTRACT_TYPES and value != UNSTATED:
        raise ValueError(f"{DATA_FILE.name}: {where}: unknown contract type {value!r}")
    return value


def _entry(value: Any, where: str) -> _Entry:
    if isinstance(value, dict):
        refine = tuple(_check_type(t, where) for t in value.get("refine", ()))
        return _Entry(_check_type(value.get("type"), where), refine)
    return _Entry(_check_type(value, where))


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    with DATA_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    codes = {str(code): _entry(value, f"code {code}") for code, value in data["codes"].items()}
    groups: dict[str, list[_Group]] = {"label": [], "title": [], "description": []}
    for number, phrase in enumerate(data["phrases"], 1):
        where = f"phrases #{number}"
        group = _Group(
            type=_check_type(phrase["type"], where),
            refine=tuple(_check_type(t, where) for t in phrase.get("refine", ())),
            case=bool(phrase.get("case", False)),
            regex=vocabulary_pattern(phrase["patterns"]),
        )
        for scope in phrase["scopes"]:
            groups[scope].append(group)
    context = data["context"]
    months = data["months"]
    numbers = {re.sub(" +", " ", k): float(v) for k, v in months["numbers"].items()}
    words = sorted(numbers, key=len, reverse=True)
    number = (
        r"(?:\d{1,3}(?:[.,]\d{1,2})?|" + "|".join(w.replace(" ", r"[ \-]?") for w in words) + ")"
    )
    unit = "|".join(sorted(months["units"], key=len, reverse=True))
    duration = re.compile(
        rf"\b(?:(?:de|entre|from|between) )?(?P<low>{number})"
        rf"(?: ?(?:a|-|ou|et|to|and) ?(?P<high>{number}))?(?: ?- ?| ?)(?P<unit>{unit})\b"
    )
    return _Vocabulary(
        codes=codes,
        groups={scope: tuple(found) for scope, found in groups.items()},
        alternance_from_title=frozenset(data["alternance"]["from_title"]),
        alternance_from_description=frozenset(data["alternance"]["from_description"]),
        prospect_before=vocabulary_pattern(context["prospect_before"]),
        past_before=vocabulary_pattern(context["past_before"]),
        prospect_after=re.compile(
            r" ?(?:" + vocabulary_pattern(context["prospect_after"]).pattern + ")"
        ),
        duration=duration,
        units=dict(months["units"]),
        numbers=numbers,
        before=re.compile(r"\b(?:" + vocabulary_pattern(months["before"]).pattern + r")\b"),
        after=re.compile(r"[ (]?(?:" + vocabulary_pattern(months["after"]).pattern + ")"),
        gap=int(months["gap"]),
        not_before=vocabulary_pattern(months["not_before"]),
        not_after=vocabulary_pattern(months["not_after"]),
    )


# --- matching -----------------------------------------------------------------------------------

# Words that restart the context: "Expérience 3 ans, contrat CDD" states a CDD.
_CONTEXT_RESET = re.compile(r"\b(?:contrat|contract|type|poste|statut|status|offre)\b|:")


@dataclass(frozen=True)
class _Found:
    type: str
    refine: tuple[str, ...]
    start: int
    end: int


def _aside(folded: str, start: int, end: int, kind: str, vocab: _Vocabulary) -> bool:
    """A mention that is a prospect ("possibilité de CDI") or a past ("réalisé un stage")."""
    floor = sentence_start(folded, start, max(0, start - 30))
    window = folded[floor:start]
    resets = list(_CONTEXT_RESET.finditer(window))
    if resets:
        window = window[resets[-1].end() :]
    if vocab.prospect_before.search(window):
        return True
    if kind != "CDI" and vocab.past_before.search(window):
        return True
    return bool(vocab.prospect_after.match(folded, end, end + 25))


def _matches(prepared: Prepared, scope: str, vocab: _Vocabulary) -> list[tuple[int, int, _Group]]:
    found = []
    for group in vocab.groups[scope]:
        text = prepared.cased if group.case else prepared.folded
        for match in group.regex.finditer(text):
            if match.end() > match.start():
                found.append((match.start(), match.end(), group))
    # The earliest mention wins; at the same place the longest ("CDI intérimaire", not "CDI").
    found.sort(key=lambda item: (item[0], item[0] - item[1]))
    return found


def _mentions(prepared: Prepared, scope: str, vocab: _Vocabulary) -> list[_Found]:
    """Contract mentions in reading order, without overlaps, asides or unstated phrases."""
    if not prepared.folded:
        return []
    mentions = []
    covered = -1
    for start, end, group in _matches(prepared, scope, vocab):
        if start < covered:
            continue
        if (
            scope != "label"
            and group.type != UNSTATED
            and _aside(prepared.folded, start, end, group.type, vocab)
        ):
            continue
        covered = end
        if group.type != UNSTATED:
            mentions.append(_Found(group.type, group.refine, start, end))
    return mentions


def _read_label(label: Prepared, vocab: _Vocabulary) -> _Entry | None:
    text = label.plain
    if not text:
        return None
    if text in vocab.codes:
        return vocab.codes[text]
    parts = [part.strip() for part in re.split(r"[,;|]", text) if part.strip()]
    if parts and all(part in vocab.codes for part in parts):
        entries = [vocab.codes[part] for part in parts]
        # A list states its first contract; working-time values say nothing.
        return next((e for e in entries if e.type != UNSTATED), entries[0])
    mentions = _mentions(label, "label", vocab)
    return _Entry(mentions[0].type, mentions[0].refine) if mentions else None


# --- length ---------------------------------------------------------------------------------

_UNIT_MONTHS = {"month": 1.0, "year": 12.0, "week": 12 / 52, "day": 12 / 365}


def _number(text: str, vocab: _Vocabulary) -> float | None:
    text = re.sub(r"[ \-]+", " ", text)
    if text in vocab.numbers:
        return vocab.numbers[text]
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _months(prepared: Prepared, scope: str, vocab: _Vocabulary) -> float | None:
    folded = prepared.folded
    for match in vocab.duration.finditer(folded):
        start, end = match.span()
        floor = sentence_start(folded, start, max(0, start - 2 * vocab.gap))
        after = folded[end : end + 25]
        cut = re.search(r"[.!?;\n]", after)
        if cut:
            after = after[: cut.start()]
        if vocab.not_after.search(after) or vocab.not_before.search(
            folded[max(floor, start - 15) : start]
        ):
            continue
        if scope == "description" and not _tied_to_contract(folded, start, end, floor, vocab):
            continue
        low = _number(match.group("low"), vocab)
        high = _number(match.group("high"), vocab) if match.group("high") else None
        count = max(n for n in (low, high) if n is not None) if (low or high) else None
        if not count:
            continue
        months = round(count * _UNIT_MONTHS[vocab.units[match.group("unit")]], 1)
        if 0 < months <= 72:
            return months
    return None


def _tied_to_contract(folded: str, start: int, end: int, floor: int, vocab: _Vocabulary) -> bool:
    if vocab.after.match(folded, end, end + 30):
        return True
    window_start = max(floor, start - vocab.gap)
    triggers = list(vocab.before.finditer(folded, window_start, start))
    if not triggers:
        return False
    return not vocab.not_before.search(folded, triggers[-1].end(), start)


# --- the normaliser -----------------------------------------------------------------------------


def normalise_contract(
    text: str | None, *, title: str | None = None, description: str | None = None
) -> Contract:
    """The contract of an offer from its contract field `text`, else its title, else its
    description. Never raises: unknown is Contract() with every field None."""
    vocab = _vocabulary()
    label, head, body = Prepared(text), Prepared(title), Prepared(description)

    stated = _read_label(label, vocab)
    kind: str | None = None
    basis: str | None = None
    raw: str | None = None
    if stated is not None and stated.type != UNSTATED:
        kind, basis, raw = stated.type, "stated", label.plain
        kind = _refine(stated, head, body, vocab)
        if kind != stated.type:
            basis = "parsed"
    else:
        for prepared, scope in ((head, "title"), (body, "description")):
            mentions = _mentions(prepared, scope, vocab)
            if mentions:
                first = mentions[0]
                kind, basis = first.type, "parsed"
                raw = snippet(prepared.plain, first.start, first.end)
                break

    months = None
    if kind is not None and kind != "CDI":
        months = (
            _months(label, "label", vocab)
            or _months(head, "title", vocab)
            or _months(body, "description", vocab)
        )
    return Contract(type=kind, months=months, basis=basis, raw=raw or None)


def _refine(stated: _Entry, head: Prepared, body: Prepared, vocab: _Vocabulary) -> str:
    """A stated type made more precise by the title or description, where the data allows."""
    title_mentions = _mentions(head, "title", vocab)
    if stated.type in vocab.alternance_from_title and any(
        m.type == "alternance" for m in title_mentions
    ):
        return "alternance"
    body_mentions: list[_Found] | None = None
    if stated.type in vocab.alternance_from_description:
        body_mentions = _mentions(body, "description", vocab)
        if any(m.type == "alternance" for m in body_mentions):
            return "alternance"
    if stated.refine:
        if title_mentions:
            return (
                title_mentions[0].type if title_mentions[0].type in stated.refine else stated.type
            )
        if body_mentions is None:
            body_mentions = _mentions(body, "description", vocab)
        if body_mentions and body_mentions[0].type in stated.refine:
            return body_mentions[0].type
    return stated.type
