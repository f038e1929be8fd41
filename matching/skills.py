"""The skills taxonomy and the skill finder: which known skills a text names, and where.

The vocabulary lives in data/skills.toml (one canonical id per skill, its French and English
names). Finding them in a text is one pass of an Aho-Corasick automaton, built once, over the
folded text (lower case, no accents, plain apostrophes, a hyphen read as a space). Folding is one
character for one, so a position in the folded text is the same position in the original: word
boundaries and case-sensitive acronyms ("IA", "PO", "TAL") are checked on the original, and every
hit carries the original text it matched.

Known limits: a name whose words are two or more spaces apart ("gestion  de projet") is not
found, as the pipeline squashes spaces first; a text in decomposed Unicode (NFD) is partly read.

Nothing of the project is imported: matching takes plain strings, and the folding helper is this
module's own (`fold`).
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

import ahocorasick

__all__ = [
    "CATEGORIES",
    "Skill",
    "SkillHit",
    "find_skills",
    "fold",
    "resolve",
    "skills_of_offer",
    "taxonomy",
]

_DATA = Path(__file__).parent / "data" / "skills.toml"

CATEGORIES = ("role", "platform", "ai", "tech", "method", "design", "domain", "soft")
_WHERE = frozenset({"title", "description", "stated"})


@dataclass(frozen=True)
class Skill:
    id: str
    label: str
    category: str
    implies: tuple[str, ...] = ()  # broader skills an offer naming this one names too


@dataclass(frozen=True)
class SkillHit:
    skill: str  # canonical id
    where: str  # "title" | "description" | "stated"
    start: int  # position in the original text given (for stated: the index in the list)
    end: int
    text: str  # the original text matched


# --- folding ----------------------------------------------------------------------------------

_APOSTROPHES = frozenset("\u2018\u2019\u201a\u201b\u02bc\u02b9\u2032\u00b4`\uff07")
_DASHES = frozenset("\u00ad\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe58\ufe63\uff0d")


def _fold_char(ch: str) -> str:
    if ch in _APOSTROPHES:
        return "'"
    if ch in _DASHES:
        return "-"
    if ch.isspace():
        return " "
    # Accents first, then case: "İ" lowers to two characters but decomposes to "I" + a mark.
    base = "".join(c for c in unicodedata.normalize("NFD", ch) if not unicodedata.combining(c))
    if len(base) != 1:
        base = ch
    low = base.lower()
    return low if len(low) == 1 else base


class _FoldTable(dict[int, str]):
    """str.translate table filled on first sight of each character, so any text folds without
    a table of the whole of Unicode and the common characters cost one dict lookup."""

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code))
        self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold(text: str) -> str:
    """The text for matching, one character for one: lower case, accents removed, typographic
    apostrophes and dashes plain, every kind of space a plain space."""
    return text.translate(_FOLD_TABLE)


def _searchable(text: str) -> str:
    # A hyphen and a space are written interchangeably ("speech-to-text", "chat bot", "GPT-4"),
    # so the finder sees both as a space; still one character for one.
    return fold(text).replace("-", " ")


def _key(name: str) -> str:
    """A name as the lookup tables hold it: searchable, spaces squashed, ends trimmed."""
    return " ".join(_searchable(name).split())


# --- the taxonomy -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Name:
    skill: str
    length: int
    exact: tuple[str, ...]  # the only spellings accepted ("Llama", "LLaMA"); () for any case


@dataclass(frozen=True)
class _Context:
    not_before: tuple[str, ...]  # a hit followed by one of these is cancelled
    not_after: tuple[str, ...]  # a hit preceded by one of these is cancelled


@dataclass(frozen=True)
class _Taxonomy:
    skills: dict[str, Skill]
    lookup: dict[str, str]  # key → id, for resolve
    context: dict[str, _Context]
    automaton: Any  # ahocorasick.Automaton; its stubs are not typed


def _strings(entry: dict[str, Any], field: str, sid: str) -> list[str]:
    value = entry.get(field, [])
    if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
        raise ValueError(f"skills.toml: {sid}.{field} must be a list of non-blank strings")
    return [v.strip() for v in value]


def _load(raw: dict[str, Any]) -> _Taxonomy:
    skills: dict[str, Skill] = {}
    lookup: dict[str, str] = {}
    context: dict[str, _Context] = {}
    patterns: dict[str, _Name] = {}

    def claim(key: str, sid: str, what: str) -> None:
        owner = lookup.setdefault(key, sid)
        if owner != sid:
            raise ValueError(f"skills.toml: {what} {key!r} of {sid} already names {owner}")

    for entry in raw.get("skill", []):
        sid, label, category = entry.get("id"), entry.get("label"), entry.get("category")
        if not (isinstance(sid, str) and isinstance(label, str) and isinstance(category, str)):
            raise ValueError(f"skills.toml: a skill needs a string id, label and category: {entry}")
        if sid in skills:
            raise ValueError(f"skills.toml: duplicate id {sid!r}")
        if category not in CATEGORIES:
            raise ValueError(f"skills.toml: {sid} has an unknown category {category!r}")
        skills[sid] = Skill(sid, label, category, tuple(_strings(entry, "implies", sid)))
        claim(sid, sid, "id")
        claim(_key(label), sid, "label")

        for synonym in _strings(entry, "synonyms", sid):
            key = _key(synonym)
            claim(key, sid, "synonym")
            # A name listed both ways is case-insensitive: the broader rule wins.
            patterns[key] = _Name(sid, len(key), ())
        for acronym in _strings(entry, "case_sensitive", sid):
            key = _key(acronym)
            if key != fold(acronym) or " " in key:
                raise ValueError(f"skills.toml: case-sensitive {acronym!r} must be a single word")
            claim(key, sid, "case-sensitive name")
            known = patterns.get(key)
            if known is None or known.exact:
                exact = (known.exact if known else ()) + (acronym,)
                patterns[key] = _Name(sid, len(key), exact)

        not_before = tuple(_key(w) for w in _strings(entry, "not_before", sid))
        not_after = tuple(_key(w) for w in _strings(entry, "not_after", sid))
        if not_before or not_after:
            context[sid] = _Context(not_before, not_after)

    automaton = ahocorasick.Automaton()
    for key, name in patterns.items():
        automaton.add_word(key, name)
    automaton.make_automaton()
    for skill in skills.values():
        unknown = [other for other in skill.implies if other not in skills]
        if unknown:
            raise ValueError(f"skills.toml: {skill.id} implies unknown {', '.join(unknown)}")
    return _Taxonomy(skills, lookup, context, automaton)


@lru_cache(maxsize=1)
def _taxonomy() -> _Taxonomy:
    return _load(tomllib.loads(_DATA.read_text(encoding="utf-8")))


def taxonomy() -> Mapping[str, Skill]:
    """Every canonical skill by id, in the data file's order (read-only: scoring asks for it
    for every offer, so it is not copied)."""
    return MappingProxyType(_taxonomy().skills)


def resolve(name: str) -> str | None:
    """The canonical id a profile's or a source's skill name stands for ("Gestion de projet",
    "DIALOGFLOW CX", "nlu", "dialogflow"), in any case and with or without accents; None when the
    name is not one the taxonomy knows. Only whole names resolve: a sentence goes to find_skills.
    """
    if not isinstance(name, str):
        return None
    lookup = _taxonomy().lookup
    key = _key(name)
    # "Python." or "- Rasa;" from a pasted list: the trimmed name, when the exact one is unknown.
    return lookup.get(key) or lookup.get(key.strip(" .,;:-*•·/|()[]\"'")) or None


# --- finding ----------------------------------------------------------------------------------


def _is_word(ch: str) -> bool:
    # "@" joins an e-mail address to its word; a combining mark belongs to the letter before it.
    return ch.isalnum() or ch in "_@" or unicodedata.combining(ch) != 0


def _joined(text: str, i: int, step: int) -> bool:
    """Whether text[i], the character next to a match, glues it to another word: a letter or
    digit, or a dot between word characters ("rasa.com", "www.botpress")."""
    if not 0 <= i < len(text):
        return False
    ch = text[i]
    if _is_word(ch):
        return True
    nxt = i + step
    return ch == "." and 0 <= nxt < len(text) and text[nxt].isalnum()


def _next_to(folded: str, i: int, phrase: str, step: int) -> bool:
    """Whether `phrase` stands right before index i (step -1) or from index i on (step 1),
    spaces between allowed, as whole words."""
    n = len(folded)
    if step < 0:
        while i > 0 and folded[i - 1] == " ":
            i -= 1
        j = i - len(phrase)
        if j < 0 or not folded.startswith(phrase, j):
            return False
        return not (_is_word(phrase[0]) and j > 0 and _is_word(folded[j - 1]))
    while i < n and folded[i] == " ":
        i += 1
    if not folded.startswith(phrase, i):
        return False
    end = i + len(phrase)
    return not (_is_word(phrase[-1]) and end < n and _is_word(folded[end]))


def _cancelled(folded: str, start: int, end: int, rule: _Context) -> bool:
    return any(_next_to(folded, end, w, 1) for w in rule.not_before) or any(
        _next_to(folded, start, w, -1) for w in rule.not_after
    )


def find_skills(text: str | None, where: str) -> list[SkillHit]:
    """Every skill named in `text`, in reading order, with its position in `text`.

    Names are whole words; a case-sensitive acronym only counts as written in the data; a hit
    next to one of its skill's context words is dropped; of overlapping names the longest wins
    ("Dialogflow CX" over "Dialogflow", "Microsoft Bot Framework" over "bot").
    """
    if where not in _WHERE:
        raise ValueError(f"where must be one of {sorted(_WHERE)}, not {where!r}")
    if not isinstance(text, str) or not text:
        return []
    tax = _taxonomy()
    folded = _searchable(text)
    candidates: list[tuple[int, int, str]] = []
    for last, name in tax.automaton.iter(folded):
        end = last + 1
        start = end - name.length
        if _joined(text, start - 1, -1) or _joined(text, end, 1):
            continue
        if name.exact and text[start:end] not in name.exact:
            continue
        rule = tax.context.get(name.skill)
        if rule is not None and _cancelled(folded, start, end, rule):
            continue
        candidates.append((start, end, name.skill))

    # Longest first, then leftmost; a name inside or across a kept one is a part of it.
    candidates.sort(key=lambda c: (c[0] - c[1], c[0]))
    taken = bytearray(len(text))
    kept: list[tuple[int, int, str]] = []
    for start, end, skill in candidates:
        if taken.find(1, start, end) == -1:
            taken[start:end] = b"\x01" * (end - start)
            kept.append((start, end, skill))
    kept.sort()
    return [SkillHit(skill, where, start, end, text[start:end]) for start, end, skill in kept]


def skills_of_offer(
    title: str | None, description: str | None, stated: list[str] | None
) -> dict[str, list[SkillHit]]:
    """The skills of one offer: canonical id → where it was found, title hits first, then the
    description, then the skills the source states.

    A stated skill ("Gestion de projet") resolves as a whole name; a longer phrase ("Rédiger un
    cahier des charges, des spécifications techniques") is read with find_skills. A stated hit's
    start/end are the item's index in the list (start, start + 1) and its text the words matched.
    """
    found: dict[str, list[SkillHit]] = {}
    for hit in find_skills(title, "title") + find_skills(description, "description"):
        found.setdefault(hit.skill, []).append(hit)

    items = [stated] if isinstance(stated, str) else (stated or [])
    for index, item in enumerate(items):
        if not isinstance(item, str) or not item.strip():
            continue
        sid = resolve(item)
        if sid is not None:
            pairs = [(sid, item)]
        else:
            pairs = [(hit.skill, hit.text) for hit in find_skills(item, "stated")]
        seen: set[str] = set()
        for sid, text in pairs:
            if sid not in seen:  # one hit per skill and item: the item is the place
                seen.add(sid)
                found.setdefault(sid, []).append(SkillHit(sid, "stated", index, index + 1, text))
    return found
