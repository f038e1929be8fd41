"""A job title as a person would write it: the role, without what other fields already say.

Dropped: gender marks ("H/F", "(F/H/X)", "(m/w/d)", "Chargé(e)", "Chargé·e", "Directeur /
Directrice"); contract and place parts ("- CDI", "(CDD 6 mois)", "| Alternance", "en alternance",
"- Paris", "– Lyon (69)"), since the contract and the place live in their own fields; reference
codes ("Réf. 2026-123", "[REF 123]"); emoji and decoration; repeated spaces and dashes.
An ALL-CAPS title is put in sentence case, keeping acronyms (IA, NLP, UX, SNCF…) and restoring the
accents of common job words from data/title.toml; any other title keeps its case as written.
Never an empty string: when nothing is left, the original (stripped) comes back.
"""

from __future__ import annotations

import html
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.text import Phrases, fold, phrases_regex, repair_mojibake, squash_spaces

_DATA = Path(__file__).parent / "data" / "title.toml"


@dataclass(frozen=True)
class _Vocabulary:
    acronyms: dict[str, str]
    accents: dict[str, str]
    phrases: Phrases
    phrase_map: dict[str, str]
    droppable: Phrases
    meaningful: Phrases
    trailing_contract: frozenset[str]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    data: dict[str, Any] = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    case = data["case"]
    contract = data["contract"]["words"]
    places = data["places"]["names"]
    noise = data["noise"]["words"]
    meaningful = contract + places + noise
    fillers = data["contract"]["duration"] + data["places"]["joiners"]
    return _Vocabulary(
        acronyms={a.lower(): a for a in case["acronyms"]},
        accents={str(k): str(v) for k, v in case["accents"].items()},
        phrases=phrases_regex(list(case["phrases"])),
        phrase_map={str(k): str(v) for k, v in case["phrases"].items()},
        droppable=phrases_regex(meaningful + fillers),
        meaningful=phrases_regex(meaningful),
        trailing_contract=frozenset(data["contract"]["trailing"]),
    )


# --- gender marks -----------------------------------------------------------------------------

_GENDER_TOKEN = r"(?:hommes?|femmes?|nb|[hfmwdxn])"
_GENDER = re.compile(
    rf"(?<![\w/])[\[(]?\s*+({_GENDER_TOKEN}(?:\s*+[/|\\-]\s*+{_GENDER_TOKEN}){{1,3}})"
    rf"(?:\s*+[\])])?(?![\w/])\*?",
    re.IGNORECASE,
)
_GENDER_OR = re.compile(r"(?<!\w)\(?\s*(?:h|homme)\s+ou\s+(?:f|femme)\s*\)?(?!\w)", re.IGNORECASE)
_GENDER_WORDS = re.compile(
    r"\(\s*(?:tous genres|all genders|genre neutre|f/h/x)\s*\)", re.IGNORECASE
)
_FEMININE_ENDINGS = (
    r"(?:e|es|ne|nes|le|les|te|tes|se|ses|euse|euses|rice|rices|trice|trices|ère|ere|ive|ives"
    r"|ve|fe|ienne|eure|x)"
)
# "Chargé(e)", "Technicien(ne)", "Directeur(trice)", "Chargé(e)s".
_PAREN_FEMININE = re.compile(rf"(?<=[^\W\d_])\({_FEMININE_ENDINGS}\)", re.IGNORECASE)
# "Chargé·e", "Chargé·e·s", "Développeur·se", "CHARGÉ·E": the middle dot is only ever this.
_MIDDOT_FEMININE = re.compile(
    rf"(?<=[^\W\d_])[·•]{_FEMININE_ENDINGS}(?:[·•]s)?(?![\w])", re.IGNORECASE
)
# "Chargé.e", "Assistant/e": lowercase only ("V.I.E" is not "V.I" + "e").
_DOT_FEMININE = re.compile(rf"(?<=[a-zà-ÿ])[./]{_FEMININE_ENDINGS}(?:\.s)?(?![\w])")
# "Directeur / Directrice", "Chargée/Chargé": two forms of one word.
_DOUBLET = re.compile(r"(?<![\w])(\w++)\s*+/\s*+(\w++)(?![\w])")


def _feminine_of(masculine: str, other: str) -> bool:
    m, o = masculine.lower(), other.lower()
    if o in (m + "e", m + "ne", m + "le", m + "se", m + "te"):
        return True
    if m.endswith("eur") and o in (m[:-3] + "euse", m[:-3] + "rice", m[:-2] + "ice"):
        return True
    if m.endswith("teur") and o == m[:-4] + "trice":
        return True
    return m.endswith("er") and o == m[:-2] + "ère"


def _drop_doublet(match: re.Match[str]) -> str:
    first, second = match.group(1), match.group(2)
    if _feminine_of(first, second):
        return first
    if _feminine_of(second, first):
        return second
    return match.group(0)


def _drop_gender(match: re.Match[str]) -> str:
    tokens = {t.lower() for t in re.split(r"\s*[/|\\-]\s*", match.group(1))}
    # "D/X" alone is not a gender mark; one of H, F, M, W must be in it.
    if tokens & {"h", "f", "m", "w", "homme", "femme", "hommes", "femmes"} and len(tokens) > 1:
        return " "
    return match.group(0)


def _without_gender(text: str) -> str:
    text = _GENDER.sub(_drop_gender, text)
    text = _GENDER_OR.sub(" ", text)
    text = _GENDER_WORDS.sub(" ", text)
    text = _PAREN_FEMININE.sub("", text)
    text = _MIDDOT_FEMININE.sub("", text)
    text = _DOT_FEMININE.sub("", text)
    return _DOUBLET.sub(_drop_doublet, text)


# --- reference codes, decoration -------------------------------------------------------------

_REFERENCE = re.compile(
    r"[\[(]?\s*+(?<![\w])(?:r[ée]f[ée]rence|r[ée]f|job\s?id|id|n°|no\.|req(?:uisition)?(?:\s?id)?"
    r"|offre\s?n°?)(?=[\s.:#°\d-])\s*+[.:#°n]*\s*+[A-Za-z0-9][\w\-/.]*?\d[\w\-/.]*+\s*+[\])]?",
    re.IGNORECASE,
)
# "(R-12345)", "[JR2026-77]": a bracketed code with three digits or more.
_BRACKET_CODE = re.compile(r"[\[(]\s*+#?\s*+([A-Z0-9][A-Z0-9\-_/.]*+)\s*+[\])]")
_HASH_CODE = re.compile(r"(?<![\w&])#\s?\d{3,}(?!\w)")
_ARROWS = re.compile("[\u2190-\u21ff\u27f0-\u27ff\u2900-\u297f\u2b00-\u2bff]")


def _drop_code(match: re.Match[str]) -> str:
    return " " if sum(c.isdigit() for c in match.group(1)) >= 3 else match.group(0)


def _without_decoration(text: str) -> str:
    kept = []
    for ch in text:
        category = unicodedata.category(ch)
        if category in ("So", "Sk", "Co", "Cn", "Cs", "Cf", "Mn") and ch not in "^`":
            # Marks left alone after NFC (emoji variation selectors) and symbols are decoration.
            kept.append(" ")
        else:
            kept.append(ch)
    return _ARROWS.sub(" ", "".join(kept))


# --- segments: contract, place, noise --------------------------------------------------------

_BRACKETS = re.compile(r"[(\[]([^()\[\]]*+)[)\]]")
# Between segments: a dash or bar with spaces around, en/em dashes, bullets, "**", a colon or a
# comma and a space.
_SEPARATOR = re.compile(r"\s*+(?:[|•·–—]+|\*{2,}|(?<=\s)-+(?=\s)|[:,](?=\s))\s*+")
# Numbers, department codes ("2A"), codes with three digits or more ("R-2026-123").
_NUMBERISH = re.compile(
    r"(?<![a-z0-9])(?:\d+(?:er|e|eme)?|2a|2b|[a-z]{0,3}[-_/.]?\d{3,}[\w\-/.]*+)(?![a-z0-9])"
)
_CODE = re.compile(r"^[A-Z0-9][A-Z0-9\-_/.]*\d[A-Z0-9\-_/.]*$")


def _droppable(segment: str) -> bool:
    """A title part that only says the contract, the place, a code or nothing of use."""
    stripped = segment.strip(" .,;:!?-_*~=+/|")
    if not stripped:
        return True
    if _CODE.match(stripped) and sum(c.isdigit() for c in stripped) >= 3:
        return True
    vocabulary = _vocabulary()
    folded = fold(stripped)
    rest = vocabulary.droppable.sub(" ", folded)
    rest = _NUMBERISH.sub(" ", rest)
    if re.search(r"[^\W_]", rest):
        return False
    return bool(vocabulary.meaningful.search(folded)) or any(c.isdigit() for c in folded)


def _drop_brackets(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return " " if _droppable(match.group(1)) else match.group(0)

    return _BRACKETS.sub(replace, text)


def _drop_segments(text: str) -> str:
    pieces = _SEPARATOR.split(text)
    separators = _SEPARATOR.findall(text)
    kept: list[str] = []
    for index, piece in enumerate(pieces):
        if _droppable(piece):
            continue
        if kept:
            separator = separators[index - 1].strip().strip("*") or "-"
            kept.append(f" {separator} " if separator not in ":," else f"{separator} ")
        kept.append(piece.strip())
    return "".join(kept)


# --- tidying and case -------------------------------------------------------------------------

_IN_CONTRACT = re.compile(
    r"\s(?:en\s(?:alternance|cdi|cdd|stage|freelance|free-lance|interim|intérim|"
    r"apprentissage|contrat\sd'apprentissage|contrat\sde\sprofessionnalisation)"
    r"|\(en\s(?:alternance|cdi|cdd|stage|freelance)\))(?=[\s,)]|$)",
    re.IGNORECASE,
)
_EMPTY_BRACKETS = re.compile(r"[(\[]\s*[)\]]")
_EDGES = " \t-–—|•·:;,/_*~=!.\"'«»“”„‹›"


def _without_trailing_contract(text: str) -> str:
    """Drop contract words that end the title with no separator: "… chatbot CDI"."""
    words = _vocabulary().trailing_contract
    for _ in range(4):
        head, _space, last = text.rstrip(" .,;:-").rpartition(" ")
        if not head or fold(last) not in words:
            break
        text = head
        if fold(text).endswith(" en"):
            text = text[:-3]
    return text


def _tidy(text: str) -> str:
    text = _EMPTY_BRACKETS.sub(" ", text)
    text = re.sub(r"\s+", " ", text)
    text = re.sub(r"\s+([,)\]])", r"\1", text)
    text = re.sub(r"([(\[])\s+", r"\1", text)
    text = re.sub(r"(?:\s[-–—|]){2,}\s", " - ", text)
    text = re.sub(r"-{2,}", "-", text)
    return text.strip(_EDGES).strip()


def _mostly_capitals(text: str) -> bool:
    letters = [c for c in text if c.isalpha()]
    if len(letters) < 4:
        return False
    return sum(c.isupper() for c in letters) >= 0.8 * len(letters)


_WORD = re.compile(r"(?<![\w&+])[^\W\d_][\w&+]*+")
# Tried only where a word starts, so a long run of letters is scanned once.
_WITH_DIGIT = re.compile(r"(?<![A-Za-z0-9])[A-Za-z]*+\d[A-Za-z0-9]*+")


def _sentence_case(text: str) -> str:
    vocabulary = _vocabulary()
    lowered = text.lower()
    lowered = vocabulary.phrases.sub(
        lambda m: vocabulary.phrase_map.get(m.group(0), m.group(0)), lowered
    )

    def word(match: re.Match[str]) -> str:
        token = match.group(0)
        acronym = vocabulary.acronyms.get(token)
        if acronym is not None:
            return acronym
        accented = vocabulary.accents.get(token)
        return accented if accented is not None else token

    result = _WORD.sub(word, lowered)
    # Acronyms written with a digit or a slash ("B2B", "N2", "UX/UI") keep their capitals.
    originals = {w.lower(): w for w in _WITH_DIGIT.findall(text)}
    result = _WITH_DIGIT.sub(lambda m: originals.get(m.group(0), m.group(0).upper()), result)
    return result


def _first_letter_up(text: str) -> str:
    for index, ch in enumerate(text):
        if ch.isalpha():
            if ch.islower():
                # "iOS", "eCommerce": a capital right after means the case is intended.
                following = text[index + 1 : index + 2]
                if following.isupper():
                    return text
                return text[:index] + ch.upper() + text[index + 1 :]
            return text
        if ch.isdigit():
            return text
    return text


def clean_title(text: str | None) -> str | None:
    """The role named by a job title, without gender marks, contract, place or codes.

    None only for None, a non-string or a blank title.
    """
    if not isinstance(text, str):
        return None
    original = squash_spaces(repair_mojibake(text))
    if not original:
        return None
    # "H\/F": a slash escaped for JSON and never unescaped.
    title = original.replace("\\/", "/")
    # Titles copied from HTML keep their entities, sometimes twice ("H&amp;#x2F;F").
    for _ in range(2):
        if "&" not in title:
            break
        title = html.unescape(title)
    title = squash_spaces(_without_decoration(title))
    title = _REFERENCE.sub(" ", title)
    title = _BRACKET_CODE.sub(_drop_code, title)
    title = _HASH_CODE.sub(" ", title)
    title = _without_gender(title)
    title = _drop_brackets(title)
    title = _drop_segments(squash_spaces(title))
    title = _IN_CONTRACT.sub(" ", f" {title} ")
    title = _without_trailing_contract(title)
    title = _tidy(title)
    if not re.search(r"[^\W_]", title):
        return original
    # Only capitals are recased: any other case is the source's choice ("iOS", "chef de projet").
    if _mostly_capitals(title):
        title = _first_letter_up(_sentence_case(title))
    return title
