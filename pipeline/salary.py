"""Salary: what a source says about pay → amounts in their own period and currency, plus an
annual gross EUR range that offers can be compared on.

Trust order: the source's structured fields (basis "stated"), then its salary text ("parsed"),
then a salary sentence found in the description ("parsed"). A rule that had to guess (a day rate
× 218, net ÷ 0.78, a period inferred from the size of the figure or repaired, a currency assumed)
makes the basis "estimated" and leaves a word in `flags`. Unknown stays None: "Selon profil"
gives no figure, and amounts in another currency are never converted.

Vocabulary and payroll facts (SMIC, hours a month, days a year…) are data:
pipeline/data/salary.toml. Every regex here either consumes what it starts on or fails within
a bounded window, so the work stays linear in the length of the text.
"""

from __future__ import annotations

import bisect
import functools
import html
import math
import re
import tomllib
import unicodedata
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from pipeline.text import repair_mojibake

DATA_FILE = Path(__file__).parent / "data" / "salary.toml"
PERIODS = ("hour", "day", "week", "month", "year")
_ADJECTIVE = {
    "hour": "hourly",
    "day": "daily",
    "week": "weekly",
    "month": "monthly",
    "year": "annual",
}
# Flags that mean a rule guessed: they turn the basis into "estimated".
_GUESSES = {
    "no_period",
    "annual_label_in_k",
    "currency_assumed",
    "smic",
    "net_to_gross",
    "day_rate",
}

# A salary field longer than this is not a salary field; only its start is read.
_FIELD_LIMIT = 5000
# Caps that keep a pathological text cheap: numbers looked at, description windows tried.
_MAX_NUMBERS = 400
_MAX_WINDOWS = 200


@dataclass(frozen=True)
class Salary:
    """One offer's pay as said, and as annual gross EUR when that can be worked out."""

    min: float | None  # in the stated period and currency
    max: float | None
    period: str | None  # "hour" | "day" | "week" | "month" | "year"
    currency: str | None  # ISO 4217
    months: float | None  # months paid when stated ("sur 13 mois", "x 13", "13e mois")
    gross_net: str | None  # "gross" | "net" | None (not said)
    annual_min: float | None  # annual gross EUR; None when the currency is not EUR or unknown
    annual_max: float | None
    basis: str | None  # "stated" | "parsed" | "estimated" | None
    flags: tuple[str, ...]  # what was repaired, assumed or doubted
    raw: str | None  # the text it was read from


def _unknown(raw: str | None, flags: tuple[str, ...] = ()) -> Salary:
    return Salary(None, None, None, None, None, None, None, None, None, flags, raw)


# --- text cleaning ---------------------------------------------------------------------------

_FOLD = str.maketrans(
    {
        **dict.fromkeys("àáâãäå", "a"),
        **dict.fromkeys("èéêë", "e"),
        **dict.fromkeys("ìíîï", "i"),
        **dict.fromkeys("òóôõö", "o"),
        **dict.fromkeys("ùúûü", "u"),
        **dict.fromkeys("ýÿ", "y"),
        "ç": "c",
        "ñ": "n",
        "œ": "oe",
        "æ": "ae",
        **dict.fromkeys("‐‑‒–—―−", "-"),
        **dict.fromkeys("’‘`´ʼ′", "'"),
        "\x00": " ",  # \x00 marks masked spans below; a text's own NULs must not look like one
    }
)
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_SPACES = re.compile(r"\s+")
_MOJIBAKE_HINTS = ("Ã", "Â", "â€", "â‚", "ï¿½")


def _fold(text: str) -> str:
    """Lower case, no accents, one kind of dash, quote and space: the form every rule reads."""
    text = unicodedata.normalize("NFKC", text).lower().translate(_FOLD)
    return _SPACES.sub(" ", _CONTROL.sub(" ", text)).strip()


def _demojibake(text: str) -> tuple[str, bool]:
    """UTF-8 that was read as CP1252 ("Ã©", "ï¿½") put back; (text, whether it changed)."""
    if not any(hint in text for hint in _MOJIBAKE_HINTS):
        return text, False
    original = text
    text = repair_mojibake(text)
    for bad, good in _vocab().mojibake:
        text = text.replace(bad, good)
    return text, text != original


# Markup that slipped into a salary field ("<b>45 000 €</b>"); "< 40K €" is not a tag.
_FIELD_TAG = re.compile(r"</?[a-zA-Z][^<>]*>")


def _clean(text: str) -> tuple[str, bool]:
    text, repaired = _demojibake(text)
    if "<" in text or "&" in text:
        text = html.unescape(_FIELD_TAG.sub(" ", text))
    return _fold(text), repaired


# --- vocabulary --------------------------------------------------------------------------------


def _phrases(words: list[str], glued_digits: bool = False) -> str:
    """One regex for a list of whole-word phrases, written as a trie so that each position of
    a text costs one walk down it rather than a try of every phrase; the longest phrase wins.
    `glued_digits`: a digit may follow the phrase ("EUR45000", "CHF120'000")."""
    trie: dict[str, Any] = {}
    for word in {_fold(w) for w in words}:
        if word:
            node = trie
            for char in word:
                node = node.setdefault(char, {})
            node[""] = {}
    after = r"(?![a-z])" if glued_digits else r"(?![a-z0-9])"

    def emit(node: dict[str, Any], last: str) -> str:
        options = [
            (" ?/ ?" if char == "/" else re.escape(char)) + emit(child, char)
            for char, child in sorted(node.items())
            if char
        ]
        if "" in node:
            options.append(after if last.isalnum() else "")
        return options[0] if len(options) == 1 else "(?:" + "|".join(options) + ")"

    starts = [
        ("(?<![a-z0-9])" if char.isalnum() else "")
        + ("/ ?" if char == "/" else re.escape(char))
        + emit(child, char)
        for char, child in sorted(trie.items())
    ]
    return "(?:" + "|".join(starts) + ")" if starts else "(?!x)x"


def _key(phrase: str) -> str:
    return re.sub(r" ?/ ?", "/", phrase)


@dataclass(frozen=True)
class _Vocab:
    payroll: dict[str, float]
    magnitude: dict[str, float]
    label_range: dict[str, tuple[float, float]]
    annual_hourly_below: float
    annual_in_k_below: float
    period_re: re.Pattern[str]
    period_of: dict[str, str]
    stated_period: dict[str, str]
    currency_re: re.Pattern[str]
    currency_end_re: re.Pattern[str]
    currency_of: dict[str, str]
    french_re: re.Pattern[str]
    gross_net_re: re.Pattern[str]
    gross_net_of: dict[str, str]
    noise_re: re.Pattern[str]
    no_salary_re: re.Pattern[str]
    min_before_re: re.Pattern[str]
    max_before_re: re.Pattern[str]
    min_after_re: re.Pattern[str]
    max_after_re: re.Pattern[str]
    connectors: frozenset[str]
    unit_after_re: re.Pattern[str]
    ordinal_after_re: re.Pattern[str]
    word_before_re: re.Pattern[str]
    context_before_re: re.Pattern[str]
    ordinal_months: dict[str, float]
    strong_cue_re: re.Pattern[str]
    weak_cue_re: re.Pattern[str]
    low_exempt_re: re.Pattern[str]
    smic_re: re.Pattern[str]
    mojibake: tuple[tuple[str, str], ...]


@functools.cache
def _vocab() -> _Vocab:
    with DATA_FILE.open("rb") as handle:
        data = tomllib.load(handle)

    def table(section: dict[str, list[str]]) -> dict[str, str]:
        return {_key(_fold(w)): name for name, words in section.items() for w in words}

    def compiled(words: list[str], before: str = "", after: str = "") -> re.Pattern[str]:
        return re.compile(before + _phrases(words) + after)

    periods = data["period"]
    currencies = data["currency"]
    gross_net = data["gross_net"]
    qualifier = data["qualifier"]
    not_money = data["not_money"]
    ranges = data["label_range"]
    currency_re = re.compile(_phrases([w for words in currencies.values() for w in words], True))
    period_re = compiled([w for words in periods.values() for w in words])
    gross_net_re = compiled([w for words in gross_net.values() for w in words])
    # What may sit between two amounts of a range, or between an amount and a bound word,
    # without meaning anything.
    noise_re = re.compile(
        "|".join(
            (
                currency_re.pattern,
                period_re.pattern,
                gross_net_re.pattern,
                r"(?<![a-z])(?:de|par|d'|du|soit|environ|env)(?![a-z])",
                "[ \x00:.,()]",
            )
        )
    )
    return _Vocab(
        payroll={k: float(v) for k, v in data["payroll"].items()},
        magnitude={k: float(v) for k, v in data["magnitude"].items()},
        label_range={p: (float(ranges[p][0]), float(ranges[p][1])) for p in PERIODS},
        annual_hourly_below=float(ranges["annual_hourly_below"]),
        annual_in_k_below=float(ranges["annual_in_k_below"]),
        period_re=period_re,
        period_of=table(periods),
        stated_period=table(data["stated_period"]),
        currency_re=currency_re,
        currency_end_re=re.compile(currency_re.pattern + " $"),
        currency_of=table(currencies),
        french_re=compiled(data["currency_default"]["french_words"]),
        gross_net_re=gross_net_re,
        gross_net_of=table(gross_net),
        noise_re=noise_re,
        no_salary_re=compiled(data["no_salary"]["phrases"]),
        min_before_re=compiled(qualifier["min_before"], after=r"[ :]*$"),
        max_before_re=compiled(qualifier["max_before"], after=r"[ :]*$"),
        min_after_re=compiled([w for w in qualifier["min_after"] if w != "+"], before=r"^[ ,:(]*"),
        max_after_re=compiled(qualifier["max_after"], before=r"^[ ,:(]*"),
        connectors=frozenset(_fold(c) for c in data["range"]["connectors"]) | {"\ufffd"},
        unit_after_re=compiled(not_money["units_after"], before=r"^ ?"),
        ordinal_after_re=compiled(not_money["ordinals_after"], before=r"^"),
        word_before_re=compiled(not_money["words_before"], after=r" ?$"),
        context_before_re=compiled(not_money["context_before"]),
        ordinal_months={_fold(k): float(v) for k, v in data["months_paid"].items()},
        strong_cue_re=compiled(data["description"]["strong_cues"]),
        weak_cue_re=compiled(data["description"]["weak_cues"]),
        low_exempt_re=compiled(data["low_exempt"]["words"]),
        smic_re=compiled(
            data["smic"]["words"],
            after=r"(?: ?(?:\+|plus) ?([0-9]{1,3}(?:[.,][0-9]{1,2})?) ?%)?",
        ),
        mojibake=tuple(data["mojibake"].items()),
    )


# --- numbers ---------------------------------------------------------------------------------

# Thousands grouped by space, dot, comma or apostrophe (exactly three digits a group), then an
# optional decimal part of one or two digits; or a plain number with any decimal part. A "k"
# (k€, ke, keur) after it multiplies by 1000.
_NUMBER = re.compile(
    r"(?<![0-9])(?:(?P<grouped>[0-9]{1,3}(?:[ .,'][0-9]{3}(?![0-9]))+)(?P<gdec>[.,][0-9]{1,2}(?![0-9]))?"
    r"|(?P<plain>[0-9]+)(?P<pdec>[.,][0-9]+)?)"
    r"(?P<k> ?k(?P<keur>e(?:ur(?:os?)?)?|€)?(?![a-z]))?"
)
_MASK = "\x00"


@dataclass
class _Number:
    value: float
    start: int
    end: int
    k: bool
    k_eur: bool
    bad: bool
    unit: bool  # a unit follows it ("6 mois"): what comes next is not the rest of a range


def _number_value(match: re.Match[str]) -> float:
    if match["grouped"]:
        digits = re.sub("[^0-9]", "", match["grouped"])
        decimals = match["gdec"][1:] if match["gdec"] else "0"
    else:
        digits = match["plain"]
        decimals = match["pdec"][1:] if match["pdec"] else "0"
    value = float(f"{digits}.{decimals}")
    return value * 1000 if match["k"] else value


def _numbers(text: str, vocab: _Vocab) -> list[_Number]:
    found = []
    for match in _NUMBER.finditer(text):
        start, end = match.start(), match.end()
        value = _number_value(match)
        before = text[max(0, start - 24) : start]
        after = text[end : end + 24]
        unit = not match["k"] and (
            bool(vocab.unit_after_re.match(after))
            or (value < 100 and bool(vocab.ordinal_after_re.match(after)))
        )
        bad = (
            unit
            or not math.isfinite(value)
            or value <= 0
            or (
                start > 0 and text[start - 1].isalpha() and not _currency_before(text, start, vocab)
            )
            or bool(vocab.word_before_re.search(before))
        )
        found.append(_Number(value, start, end, bool(match["k"]), bool(match["keur"]), bad, unit))
        if len(found) >= _MAX_NUMBERS:
            break
    return found


def _currency_before(text: str, start: int, vocab: _Vocab) -> bool:
    """A currency code glued to the amount ("CHF120'000", "EUR45000") is not a reference."""
    return bool(vocab.currency_end_re.search(text[max(0, start - 6) : start] + " "))


# "sur 13 mois", "x 13", "13e mois", "treizième mois": months paid, masked out of the text.
_MONTHS = re.compile(
    r"(?<![a-z])sur ?(?P<sur>[0-9]{1,2}(?:[.,][0-9]{1,2})?) ?mois(?![a-z])"
    r"|(?:(?<![a-z0-9])x|×|\*) ?(?P<times>[0-9]{1,2}(?:[.,][0-9]{1,2})?)(?![0-9])(?: ?mois(?![a-z]))?"
    r"|(?<![0-9])(?P<nth>[0-9]{1,2}) ?(?:e|eme|ieme|er|th) ?mois(?![a-z])"
    r"|(?<![a-z])(?P<word>[a-z]{5,12}ieme) mois(?![a-z])"
)


def _months_paid(text: str, vocab: _Vocab) -> tuple[float | None, str]:
    months = None
    low, high = vocab.payroll["months_paid_min"], vocab.payroll["months_paid_max"]

    def mask(match: re.Match[str]) -> str:
        nonlocal months
        if match["word"]:
            value = vocab.ordinal_months.get(match["word"])
            if value is None:
                return match.group()
        else:
            number = match["sur"] or match["times"] or match["nth"]
            value = float(number.replace(",", "."))
            # "x 2" is not months paid; only a thirteenth-month style figure is.
            if match["times"] and not 12 <= value <= high:
                return match.group()
        if not low <= value <= high:
            return match.group()
        months = value if months is None else max(months, value)
        return _MASK * len(match.group())

    masked = _MONTHS.sub(mask, text)
    return months, masked


# --- reading a text ----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Reading:
    low: float | None
    high: float | None
    label: str | None  # a period, "engagement", or None when the text says none
    currency: str | None
    months: float | None
    gross_net: str | None
    k: bool
    flags: tuple[str, ...]


@dataclass(frozen=True)
class _Spans:
    """Positions of one kind of cue in a text, for nearest-before/after look-ups."""

    starts: list[int]
    ends: list[int]
    values: list[str]

    @classmethod
    def of(cls, pattern: re.Pattern[str], text: str, mapping: dict[str, str]) -> _Spans:
        starts, ends, values = [], [], []
        for match in pattern.finditer(text):
            value = mapping.get(_key(match.group()))
            if value is not None:
                starts.append(match.start())
                ends.append(match.end())
                values.append(value)
        return cls(starts, ends, values)

    def first_in(self, low: int, high: int) -> tuple[int, str] | None:
        i = bisect.bisect_left(self.starts, low)
        if i < len(self.starts) and self.starts[i] < high:
            return self.starts[i], self.values[i]
        return None

    def last_in(self, low: int, high: int) -> tuple[int, str] | None:
        i = bisect.bisect_right(self.ends, high) - 1
        if i >= 0 and self.starts[i] >= low:
            return self.starts[i], self.values[i]
        return None


def _connected(text: str, left: _Number, right: _Number, vocab: _Vocab) -> bool:
    between = text[left.end : right.start]
    # "Net : 2 000 € / Brut : 2 564 €": a colon between two figures starts another field.
    if left.unit or len(between) > 40 or ":" in between:
        return False
    # "2 564 € brut / 2 000 € net" is one figure said twice, not a range.
    said = vocab.gross_net_re.search(between)
    if said:
        later = vocab.gross_net_re.search(text[right.end : right.end + 12])
        kinds = vocab.gross_net_of
        if later and kinds.get(_key(said.group())) != kinds.get(_key(later.group())):
            return False
    return vocab.noise_re.sub("", between) in vocab.connectors


def _groups(text: str, numbers: list[_Number], vocab: _Vocab) -> list[list[_Number]]:
    groups, i = [], 0
    while i < len(numbers):
        if i + 1 < len(numbers) and _connected(text, numbers[i], numbers[i + 1], vocab):
            groups.append([numbers[i], numbers[i + 1]])
            i += 2
        else:
            groups.append([numbers[i]])
            i += 1
    return groups


@dataclass(frozen=True)
class _Candidate:
    """One group of amounts, with the stretch of text that belongs to it."""

    numbers: list[_Number]
    zone_start: int  # the end of the number before it
    zone_end: int  # the start of the number after it
    money: bool  # written as money: a currency, a k, or brut/net/a period right after it

    @property
    def start(self) -> int:
        return self.numbers[0].start

    @property
    def end(self) -> int:
        return self.numbers[-1].end


@dataclass(frozen=True)
class _Text:
    """A cleaned text with its cues located once."""

    text: str
    months: float | None
    numbers: list[_Number]
    periods: _Spans
    currencies: _Spans
    gross_net: _Spans

    @classmethod
    def of(cls, text: str, vocab: _Vocab) -> _Text:
        months, text = _months_paid(text, vocab)
        return cls(
            text=text,
            months=months,
            numbers=_numbers(text, vocab),
            periods=_Spans.of(vocab.period_re, text, vocab.period_of),
            currencies=_Spans.of(vocab.currency_re, text, vocab.currency_of),
            gross_net=_Spans.of(vocab.gross_net_re, text, vocab.gross_net_of),
        )

    def candidates(self, vocab: _Vocab):
        starts = [n.start for n in self.numbers]
        ends = [n.end for n in self.numbers]
        for group in _groups(self.text, self.numbers, vocab):
            if any(n.bad for n in group):
                continue
            start, end = group[0].start, group[-1].end
            i = bisect.bisect_right(ends, start)
            zone_start = ends[i - 1] if i else 0
            j = bisect.bisect_left(starts, end)
            zone_end = starts[j] if j < len(starts) else len(self.text)
            if vocab.context_before_re.search(self.text[max(zone_start, start - 40) : start]):
                continue  # "prime de 1 500 €", "CA de 50 M€"
            near = self.currencies.first_in(max(zone_start, start - 6), min(zone_end, end + 10))
            money = (
                any(n.k for n in group)
                or near is not None
                or _right_after(self.text, end, self.periods, self.gross_net)
            )
            yield _Candidate(group, zone_start, zone_end, money)

    def gross_or_net(self, found: _Candidate) -> str | None:
        start, end = found.start, found.end
        # A label right before the figure ("Net : 2 000 €") is the figure's own.
        kind = self.gross_net.last_in(max(found.zone_start, start - 12), start)
        if kind is not None and not self.text[kind[0] : start].strip(" :\x00").isalpha():
            kind = None
        kind = kind or self.gross_net.first_in(found.numbers[0].end, min(found.zone_end, end + 40))
        kind = kind or self.gross_net.last_in(max(found.zone_start, start - 60), start)
        return kind[1] if kind else None


def _read(text: str, vocab: _Vocab, *, strict: bool) -> _Reading | None:
    """The first salary figure of a cleaned text, or None. `strict` (descriptions): only
    amounts written as money count, never a bare number."""
    cues = _Text.of(text, vocab)
    no_salary = bool(vocab.no_salary_re.search(cues.text))
    candidates = cues.candidates(vocab)
    chosen = fallback = None
    for found in candidates:
        if found.money:
            chosen = found
            break
        if fallback is None and not strict and not no_salary:
            fallback = found
    if chosen is not None and cues.gross_or_net(chosen) == "net":
        # "Net : 2 000 € / Brut : 2 564 €": the gross figure said beside it beats an estimate.
        following = next(candidates, None)
        if (
            following is not None
            and following.money
            and following.start - chosen.end <= 60
            and cues.gross_or_net(following) == "gross"
        ):
            chosen = following
    chosen = chosen or fallback
    if chosen is None:
        return _smic(cues.text, cues.months, vocab)
    return _reading(cues, chosen, vocab)


def _reading(cues: _Text, found: _Candidate, vocab: _Vocab) -> _Reading:
    text, group = cues.text, found.numbers
    start, end = found.start, found.end
    zone_start, zone_end = found.zone_start, found.zone_end
    label = cues.periods.first_in(group[0].end, min(zone_end, end + 40))
    label = label or cues.periods.last_in(max(zone_start, start - 60), start)

    k = any(n.k for n in group)
    # "40 - 45 k€": the k written once belongs to both figures.
    values = [n.value * 1000 if k and not n.k and n.value < 1000 else n.value for n in group]
    low, high = values[0], values[-1]
    if len(group) == 2 and low < 1000 and high >= 10000 and high / 3 <= low * 1000 <= high:
        low *= 1000  # "45 à 50 000 €": the thousands are written once
    if len(group) == 1:
        low, high = _bounds(text, values[0], start, end, zone_start, zone_end, vocab)

    currency = "EUR" if any(n.k_eur for n in group) else None
    near = cues.currencies.first_in(max(zone_start, start - 8), min(zone_end, end + 12))
    near = near or cues.currencies.last_in(max(zone_start, start - 60), start)
    near = near or cues.currencies.first_in(end, min(zone_end, end + 60))
    near = near or cues.currencies.first_in(0, len(text))
    if currency is None and near is not None:
        currency = near[1]
    flags: list[str] = []
    if currency is None and vocab.french_re.search(text):
        currency = "EUR"
        flags.append("currency_assumed")
    return _Reading(
        low=low,
        high=high,
        label=label[1] if label else None,
        currency=currency,
        months=cues.months,
        gross_net=cues.gross_or_net(found),
        k=k,
        flags=tuple(flags),
    )


def _right_after(text: str, end: int, periods: _Spans, gross_net: _Spans) -> bool:
    """A period or gross/net word right after an amount ("45 000 bruts annuels") marks money."""
    rest = text[end : end + 3]
    offset = len(rest) - len(rest.lstrip(" "))
    position = end + offset
    return (
        periods.first_in(position, position + 1) is not None
        or gross_net.first_in(position, position + 1) is not None
    )


def _bounds(
    text: str,
    value: float,
    start: int,
    end: int,
    zone_start: int,
    zone_end: int,
    vocab: _Vocab,
) -> tuple[float | None, float | None]:
    """A lone amount is both bounds, unless a word makes it a floor or a ceiling only."""
    before = text[max(zone_start, start - 30) : start]
    before = vocab.currency_re.sub(" ", before).rstrip(" :\x00")
    if vocab.min_before_re.search(before):
        return value, None
    if vocab.max_before_re.search(before):
        return None, value
    after = text[end : min(zone_end, end + 30)]
    for pattern in (vocab.currency_re, vocab.period_re, vocab.gross_net_re):
        after = pattern.sub(" ", after)
    stripped = after.lstrip(" \x00:,(")
    # "40k€+" is a floor; "45k€ + variable" or "+ 13e mois" is not.
    if stripped.startswith("+"):
        plus = text.find("+", end)
        rest = text[plus + 1 : plus + 4].lstrip(" ")
        if not rest or rest[0] in ",;.)!":
            return value, None
    if vocab.min_after_re.match(stripped):
        return value, None
    if vocab.max_after_re.match(stripped):
        return None, value
    return value, value


def _smic(text: str, months: float | None, vocab: _Vocab) -> _Reading | None:
    match = vocab.smic_re.search(text)
    if match is None:
        return None
    monthly = vocab.payroll["smic_annual_gross"] / vocab.payroll["months_per_year"]
    if match.group(1):
        monthly *= 1 + float(match.group(1).replace(",", ".")) / 100
    monthly = round(monthly, 2)
    return _Reading(monthly, monthly, "month", "EUR", months, "gross", False, ("smic",))


# --- periods, annual figures, doubts -----------------------------------------------------------


def _by_magnitude(value: float, vocab: _Vocab) -> str:
    m = vocab.magnitude
    if value < m["hour_below"]:
        return "hour"
    if value < m["day_below"]:
        return "day"
    if value < m["month_below"]:
        return "month"
    return "year"


def _settle_period(value: float, label: str | None, k: bool, vocab: _Vocab):
    """(period, scale for the amounts, flag) for an amount and the period it was given."""
    if label is None:
        return _by_magnitude(value, vocab), 1.0, "no_period"
    low, high = vocab.label_range[label]
    if low <= value < high:
        return label, 1.0, None
    if label == "year" and not k and value < low:
        if value < vocab.annual_hourly_below:
            return "hour", 1.0, "annual_label_but_hourly"
        if value < vocab.annual_in_k_below:
            return "year", 1000.0, "annual_label_in_k"
        # A figure too small for a year is most often a monthly one typed in the wrong box.
        return "month", 1.0, "annual_label_but_monthly"
    period = _by_magnitude(value, vocab)
    if period == label:
        return label, 1.0, None
    return period, 1.0, f"{_ADJECTIVE[label]}_label_but_{_ADJECTIVE[period]}"


def _positive(value: float | None) -> float | None:
    # Below a cent is no amount of pay (and would round to 0, which is never a value here).
    if value is None or not math.isfinite(value) or value < 0.01:
        return None
    return value


def _finish(
    reading: _Reading,
    *,
    basis: str,
    raw: str | None,
    context: str,
    extra_flags: tuple[str, ...] = (),
) -> Salary:
    vocab = _vocab()
    pay = vocab.payroll
    flags = [*extra_flags, *reading.flags]
    low, high = _positive(reading.low), _positive(reading.high)
    if low is None and high is None:
        return _unknown(raw, tuple(dict.fromkeys(flags)))
    if low is not None and high is not None and low > high:
        low, high = high, low
        flags.append("swapped")

    reference = high if high is not None else low
    if reading.label == "engagement":
        period, scale = None, 1.0
        flags.append("per_engagement")
    else:
        period, scale, repair = _settle_period(reference, reading.label, reading.k, vocab)
        if repair:
            flags.append(repair)
    low = low * scale if low is not None else None
    high = high * scale if high is not None else None

    annual_min = annual_max = None
    if reading.currency == "EUR" and period is not None:
        months = reading.months
        # "sur 6 mois" on a short contract does not make a year of six months' pay.
        per_year = {
            "hour": pay["hours_per_month"] * pay["months_per_year"],
            "day": pay["days_per_year"],
            "week": pay["weeks_per_year"],
            "month": max(months or 0, pay["months_per_year"]),
            "year": 1.0,
        }[period]
        factor = per_year / (pay["net_to_gross"] if reading.gross_net == "net" else 1.0)
        annual_min = _annual(low, factor)
        annual_max = _annual(high, factor)
        if period == "day":
            flags.append("day_rate")
        if reading.gross_net == "net":
            flags.append("net_to_gross")
        known = [a for a in (annual_min, annual_max) if a is not None]
        floor = pay["smic_annual_gross"] * pay["implausible_low_smic_share"]
        if known and min(known) < floor and not vocab.low_exempt_re.search(context):
            flags.append("implausible_low")
        if known and max(known) > pay["implausible_high"]:
            flags.append("implausible_high")
    elif reading.currency is None:
        flags.append("no_currency")

    flags = list(dict.fromkeys(flags))
    guessed = any(f in _GUESSES or "_label_but_" in f for f in flags)
    return Salary(
        min=_tidy(low),
        max=_tidy(high),
        period=period,
        currency=reading.currency,
        months=reading.months,
        gross_net=reading.gross_net,
        annual_min=annual_min,
        annual_max=annual_max,
        basis="estimated" if guessed else basis,
        flags=tuple(flags),
        raw=raw,
    )


def _annual(value: float | None, factor: float) -> float | None:
    if value is None:
        return None
    annual = math.floor(value * factor + 0.5) if math.isfinite(value * factor) else 0
    return float(annual) if annual > 0 else None


def _tidy(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


# --- stated fields -----------------------------------------------------------------------------


def _stated_amount(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float | Decimal | Fraction):
        try:
            return _positive(float(value))
        except (OverflowError, ValueError):
            return None
    if isinstance(value, str):
        try:
            return _positive(float(value))  # "45000.0", "1e5"; "nan" and "inf" are not amounts
        except (ValueError, OverflowError):
            pass
        text, _ = _clean(value[:200])
        # "45 000", "45k", "45 000 €": one amount and nothing else but its currency.
        text = _vocab().currency_re.sub(" ", text).strip()
        match = _NUMBER.fullmatch(text)
        return _positive(_number_value(match)) if match else None
    return None


def _stated_period(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text, _ = _clean(value[:200])
    vocab = _vocab()
    if text in vocab.stated_period:
        return vocab.stated_period[text]
    match = vocab.period_re.search(text)
    period = vocab.period_of.get(_key(match.group())) if match else None
    return period if period in PERIODS else None


def _stated_currency(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = value.strip()[:40]
    if re.fullmatch("[A-Za-z]{3}", text):
        return text.upper()
    folded, _ = _clean(text)
    return _vocab().currency_of.get(folded)


# --- descriptions ------------------------------------------------------------------------------

_BLOCK_TAG = re.compile(
    r"<\s*/?\s*(?:p|div|br|li|ul|ol|h[1-6]|tr|td|th|table|section|article|dt|dd)\b[^<>]*>",
    re.IGNORECASE,
)
_TAG = re.compile(r"<[^<>]*>")
_DIGIT = re.compile(r"\d")
_SENTENCE = re.compile(r"[\n\r]+|(?<=[.!?;])\s+|[•·|▪►✓✔]")


def _description_salary(description: str, vocab: _Vocab) -> Salary | None:
    text = html.unescape(_TAG.sub(" ", _BLOCK_TAG.sub("\n", description)))
    windows: list[tuple[int, int, str, str]] = []
    for order, segment in enumerate(_SENTENCE.split(text)):
        if len(windows) >= _MAX_WINDOWS:
            break
        segment = _SPACES.sub(" ", segment).strip()
        if not _DIGIT.search(segment):
            continue
        cleaned, _ = _clean(segment)
        strong = vocab.strong_cue_re.search(cleaned)
        cue = strong or vocab.weak_cue_re.search(cleaned)
        if cue is None:
            continue
        rank = 0 if strong else 1
        if len(cleaned) <= 400:
            windows.append((rank, order, cleaned, segment))
            continue
        # A paragraph with no full stops: read around each cue.
        for n, match in enumerate(vocab.strong_cue_re.finditer(cleaned)):
            if n >= 20 or len(windows) >= _MAX_WINDOWS:
                break
            piece = cleaned[max(0, match.start() - 150) : match.end() + 250]
            windows.append((0, order, piece, piece))
        if not strong:
            piece = cleaned[max(0, cue.start() - 150) : cue.end() + 250]
            windows.append((1, order, piece, piece))
    for _, _, cleaned, raw in sorted(windows, key=lambda w: (w[0], w[1])):
        reading = _read(cleaned, vocab, strict=True)
        if reading is not None:
            salary = _finish(
                reading,
                basis="parsed",
                raw=raw[:400],
                context=cleaned,
                extra_flags=("from_description",),
            )
            if salary.min is not None or salary.max is not None:
                return salary
    return None


# --- public ------------------------------------------------------------------------------------


def _as_text(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return str(value) if math.isfinite(value) else None
    if not isinstance(value, str):
        return None
    value = value.strip()
    return value or None


def normalise_salary(
    text: str | None,
    *,
    stated_min: Any = None,
    stated_max: Any = None,
    stated_period: Any = None,
    stated_currency: Any = None,
    description: str | None = None,
) -> Salary:
    """The salary of an offer: the source's structured fields first, else its salary text, else
    a salary sentence of its description. Never raises; unknown parts are None."""
    vocab = _vocab()
    raw = _as_text(text)
    cleaned, repaired = _clean(raw[:_FIELD_LIMIT]) if raw else ("", False)
    repaired_flag = ("mojibake",) if repaired else ()
    from_text = _read(cleaned, vocab, strict=False) if cleaned else None

    low, high = _stated_amount(stated_min), _stated_amount(stated_max)
    if low is not None or high is not None:
        label = _stated_period(stated_period)
        currency = _stated_currency(stated_currency)
        flags: tuple[str, ...] = ()
        if currency is None and from_text is not None:
            currency, flags = from_text.currency, from_text.flags
        reading = _Reading(
            low=low,
            high=high,
            label=label or (from_text.label if from_text else None),
            currency=currency,
            months=from_text.months if from_text else None,
            gross_net=from_text.gross_net if from_text else None,
            k=False,
            flags=tuple(f for f in flags if f == "currency_assumed"),
        )
        return _finish(reading, basis="stated", raw=raw, context=cleaned, extra_flags=repaired_flag)

    if from_text is not None:
        salary = _finish(
            from_text, basis="parsed", raw=raw, context=cleaned, extra_flags=repaired_flag
        )
        if salary.min is not None or salary.max is not None:
            return salary

    found = _description_salary(description, vocab) if isinstance(description, str) else None
    if found is not None:
        return found
    not_stated = ("not_stated",) if cleaned and vocab.no_salary_re.search(cleaned) else ()
    return _unknown(raw, repaired_flag + not_stated)


def parse_salary_text(text: str | None) -> Salary:
    """The salary read from one text alone (a salary field, a line of an ad)."""
    return normalise_salary(text)
