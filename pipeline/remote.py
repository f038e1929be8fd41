"""Remote work of an offer: "full", "hybrid" or "none", with remote days per week when stated.

A structured value decides first (JSON-LD TELECOMMUTE, Welcome to the Jungle `remote`, jobspy
is_remote, or a label such as "Télétravail partiel"); otherwise the title, then the location,
then the description. Negations win over the word they contain, and a company's general policy
is no claim about the role. Every word list lives in pipeline/data/remote.toml, whose header
explains the rules; this module only applies them.
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.text import EVIDENCE_CHARS, Prepared, snippet, vocabulary_pattern

DATA_FILE = Path(__file__).parent / "data" / "remote.toml"
REMOTE_VALUES = ("full", "hybrid", "none")
UNSTATED = "unstated"
WORK_DAYS = 5


@dataclass(frozen=True)
class Remote:
    value: str | None = None  # "full", "hybrid", "none", or None when unknown
    days_per_week: float | None = None  # remote days a week, when stated
    basis: str | None = None  # "stated" (the source's remote field), "parsed" (text), None
    evidence: str | None = None  # the phrase that decided, at most 120 characters
    raw: str | None = None  # the source's remote field as given


# --- vocabulary ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Code:
    value: str
    refine: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Signal:
    value: str
    rank: int
    refine: tuple[str, ...]
    regex: re.Pattern[str]


@dataclass(frozen=True)
class _Vocabulary:
    codes: dict[str, _Code]
    signals: dict[str, tuple[_Signal, ...]]
    count: re.Pattern[str]
    percent: re.Pattern[str]
    every_other_week: re.Pattern[str]
    week: re.Pattern[str]
    month: re.Pattern[str]
    year: re.Pattern[str]
    keyword: re.Pattern[str]
    attached: re.Pattern[str]
    numbers: dict[str, float]
    company: re.Pattern[str]
    job: re.Pattern[str]
    general: re.Pattern[str]


def _check_value(value: Any, where: str) -> str:
    if value not in REMOTE_VALUES and value != UNSTATED:
        raise ValueError(f"{DATA_FILE.name}: {where}: unknown remote value {value!r}")
    return value


def _code(value: Any, where: str) -> _Code:
    if isinstance(value, dict):
        refine = tuple(_check_value(v, where) for v in value.get("refine", ()))
        return _Code(_check_value(value.get("value"), where), refine)
    return _Code(_check_value(value, where))


def _alternation(patterns: list[str]) -> str:
    return vocabulary_pattern(patterns).pattern


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    with DATA_FILE.open("rb") as handle:
        data = tomllib.load(handle)
    signals: dict[str, list[_Signal]] = {
        "stated": [],
        "title": [],
        "location": [],
        "description": [],
    }
    for number, entry in enumerate(data["signals"], 1):
        where = f"signals #{number}"
        rank = int(entry["rank"])
        if rank not in (1, 2, 3):
            raise ValueError(f"{DATA_FILE.name}: {where}: rank must be 1, 2 or 3")
        signal = _Signal(
            value=_check_value(entry["value"], where),
            rank=rank,
            refine=tuple(_check_value(v, where) for v in entry.get("refine", ())),
            regex=vocabulary_pattern(entry["patterns"], re.MULTILINE),
        )
        for scope in entry["scopes"]:
            signals[scope].append(signal)
    days = data["days"]
    numbers = {key: float(value) for key, value in days["numbers"].items()}
    number = r"(?:\d{1,2}(?:[.,]\d{1,2})?|" + "|".join(sorted(numbers, key=len, reverse=True)) + ")"
    unit = "|".join(sorted(days["units"], key=len, reverse=True))
    week, month = _alternation(days["week"]), _alternation(days["month"])
    remote, office = _alternation(days["remote"]), _alternation(days["office"])
    linking = "|".join(re.escape(word) for word in days["linking"])
    policy = data["policy"]
    return _Vocabulary(
        codes={str(k).lower(): _code(v, f"code {k}") for k, v in data["codes"].items()},
        signals={scope: tuple(found) for scope, found in signals.items()},
        count=re.compile(
            rf"\b(?P<low>{number})(?: ?(?:a|-|ou|to|or|and|et) ?(?P<high>{number}))? ?(?P<unit>{unit})\b"
        ),
        percent=re.compile(r"\b(?P<pct>\d{1,3}(?:[.,]\d)?) ?%"),
        every_other_week=vocabulary_pattern(days["every_other_week"]),
        week=re.compile(week),
        month=re.compile(month),
        year=re.compile(r"par an\b|/ ?an\b|per year|a year|annuel|par annee"),
        keyword=re.compile(rf"\b(?:(?P<remote>{remote})|(?P<office>{office}))"),
        attached=re.compile(
            rf" ?(?:(?:{week}|{month}) ?)?(?:(?:{linking})\b ?){{0,3}}"
            rf"(?:(?P<remote>{remote})|(?P<office>{office}))"
        ),
        numbers=numbers,
        company=vocabulary_pattern(policy["company"]),
        job=vocabulary_pattern(policy["job"]),
        general=vocabulary_pattern(policy["general"]),
    )


# --- claims in one text -------------------------------------------------------------------------


@dataclass(frozen=True)
class _Hit:
    rank: int
    start: int
    end: int
    value: str
    refine: tuple[str, ...] = ()
    days: float | None = None


@dataclass
class _Claim:
    value: str
    strong: bool
    hit: _Hit
    prepared: Prepared
    days: list[float] = field(default_factory=list)

    @property
    def evidence(self) -> str:
        return snippet(self.prepared.plain, self.hit.start, self.hit.end)


class _Spans:
    """Non-overlapping spans kept in order, for quick overlap tests on long texts."""

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def overlaps(self, start: int, end: int) -> bool:
        i = bisect_left(self.starts, end)
        return i > 0 and self.ends[i - 1] > start

    def add(self, start: int, end: int) -> None:
        i = bisect_left(self.starts, start)
        self.starts.insert(i, start)
        self.ends.insert(i, end)


_SENTENCE_CUT = re.compile(r"[.!?;\n]")


class _Sentences:
    """Sentence bounds of one text, found once: long texts stay linear."""

    def __init__(self, folded: str, vocab: _Vocabulary) -> None:
        self.folded = folded
        self.vocab = vocab
        self.cuts = [match.start() for match in _SENTENCE_CUT.finditer(folded)]
        self._remote: dict[int, bool] = {}

    def bounds(self, position: int) -> tuple[int, int]:
        i = bisect_left(self.cuts, position)
        start = self.cuts[i - 1] + 1 if i > 0 else 0
        end = self.cuts[i] if i < len(self.cuts) else len(self.folded)
        return start, end

    def names_remote(self, position: int) -> bool:
        start, end = self.bounds(position)
        if start not in self._remote:
            self._remote[start] = any(
                m.group("remote") for m in self.vocab.keyword.finditer(self.folded, start, end)
            )
        return self._remote[start]


def _number(text: str | None, vocab: _Vocabulary) -> float | None:
    if not text:
        return None
    if text in vocab.numbers:
        return vocab.numbers[text]
    try:
        return float(text.replace(",", "."))
    except ValueError:
        return None


def _kind(sentences: _Sentences, start: int, end: int) -> str | None:
    """Whether a count of days is remote days or office days, from the words around it."""
    folded, vocab = sentences.folded, sentences.vocab
    floor, ceiling = sentences.bounds(start)
    attached = vocab.attached.match(folded, end, min(ceiling, end + 60))
    if attached:
        return "remote" if attached.group("remote") else "office"
    before = list(vocab.keyword.finditer(folded, max(floor, start - 30), start))
    if before:
        return "remote" if before[-1].group("remote") else "office"
    after = vocab.keyword.search(folded, end, min(ceiling, end + 40))
    if after:
        return "remote" if after.group("remote") else "office"
    return "remote" if sentences.names_remote(start) else None


def _day_hits(sentences: _Sentences) -> list[_Hit]:
    folded, vocab = sentences.folded, sentences.vocab
    hits = []
    for match in vocab.count.finditer(folded):
        start, end = match.span()
        ceiling = sentences.bounds(start)[1]
        after = folded[end : min(ceiling, end + 30)]
        if vocab.year.search(after):
            continue
        low = _number(match.group("low"), vocab)
        high = _number(match.group("high"), vocab)
        count = max(n for n in (low, high, 0.0) if n is not None)
        monthly = vocab.month.search(after)
        weekly = vocab.week.search(after)
        if monthly and (not weekly or monthly.start() < weekly.start()):
            count = count * 12 / 52
        kind = _kind(sentences, start, end)
        if kind == "office" and not monthly and 1 <= count < WORK_DAYS:
            hits.append(_Hit(2, start, end, "hybrid", days=float(WORK_DAYS - count)))
        elif kind == "remote" and 0 < count <= WORK_DAYS:
            value = "full" if count >= WORK_DAYS else "hybrid"
            hits.append(_Hit(2, start, end, value, days=round(count, 1)))
    for match in vocab.percent.finditer(folded):
        start, end = match.span()
        share = _number(match.group("pct"), vocab)
        if share is None or not 0 < share <= 100:
            continue
        kind = _kind(sentences, start, end)
        if kind == "remote":
            days = round(WORK_DAYS * share / 100, 1)
        elif kind == "office" and share < 100:
            days = round(WORK_DAYS * (100 - share) / 100, 1)
        else:
            continue
        hits.append(_Hit(2, start, end, "full" if days >= WORK_DAYS else "hybrid", days=days))
    for match in vocab.every_other_week.finditer(folded):
        start, end = match.span()
        if _kind(sentences, start, end) == "remote":
            hits.append(_Hit(2, start, end, "hybrid", days=WORK_DAYS / 2))
    return hits


def _counts(sentences: _Sentences, hits: list[_Hit]) -> list[_Hit]:
    """Drop the hits of company-policy sentences, unless the policy is for every employee or
    states days."""
    vocab = sentences.vocab
    with_days = {sentences.bounds(h.start)[0] for h in hits if h.days is not None}
    verdicts: dict[int, bool] = {}
    kept = []
    for hit in hits:
        start, end = sentences.bounds(hit.start)
        if start not in verdicts:
            sentence = sentences.folded[start:end]
            policy = bool(vocab.company.search(sentence)) and not vocab.job.search(sentence)
            verdicts[start] = (
                not policy or start in with_days or bool(vocab.general.search(sentence))
            )
        if verdicts[start]:
            kept.append(hit)
    return kept


def _claim(prepared: Prepared, scope: str) -> _Claim | None:
    folded = prepared.folded
    if not folded:
        return None
    vocab = _vocabulary()
    found = []
    for signal in vocab.signals[scope]:
        for match in signal.regex.finditer(folded):
            if match.end() > match.start():
                found.append(
                    _Hit(signal.rank, match.start(), match.end(), signal.value, signal.refine)
                )
    # Negations first, then clear claims, then bare words; earliest, then longest, at each rank.
    found.sort(key=lambda hit: (hit.rank, hit.start, hit.start - hit.end))
    spans, hiding = _Spans(), _Spans()
    hits = []
    for hit in found:
        if spans.overlaps(hit.start, hit.end):
            continue
        spans.add(hit.start, hit.end)
        if hit.rank == 1:
            hiding.add(hit.start, hit.end)
        if hit.value != UNSTATED:
            hits.append(hit)
    sentences = _Sentences(folded, vocab)
    hits += [h for h in _day_hits(sentences) if not hiding.overlaps(h.start, h.end)]
    if scope == "description":
        hits = _counts(sentences, hits)
    if not hits:
        return None
    days = [h.days for h in sorted(hits, key=lambda h: h.start) if h.days is not None]
    strong = [h for h in hits if h.rank <= 2]
    if strong:
        best = min(strong, key=lambda h: (h.start, h.start - h.end))
        return _Claim(best.value, True, best, prepared, days)
    weak = sorted(hits, key=lambda h: (h.value != "hybrid", h.start))
    return _Claim(weak[0].value, False, weak[0], prepared, days)


def _days(value: str, claims: list[_Claim | None]) -> float | None:
    for claim in claims:
        if claim is None:
            continue
        for days in claim.days:
            if value == "hybrid" and days < WORK_DAYS:
                return days
            if value == "full" and days >= WORK_DAYS:
                return float(WORK_DAYS)
    return None


# --- the normaliser -----------------------------------------------------------------------------


def _stated_code(plain: str, vocab: _Vocabulary) -> _Code | None:
    if not plain:
        return None
    whole = vocab.codes.get(plain.lower())
    if whole is not None:
        return whole
    parts = [part.strip().lower() for part in re.split(r"[,;|]", plain) if part.strip()]
    if parts and all(part in vocab.codes for part in parts):
        codes = [vocab.codes[part] for part in parts]
        return next((c for c in codes if c.value != UNSTATED), codes[0])
    return None


def normalise_remote(
    stated: str | None,
    *,
    description: str | None = None,
    title: str | None = None,
    location: str | None = None,
) -> Remote:
    """Remote work of an offer from its structured remote field, else its title and location,
    else its description. Never raises: unknown is Remote(raw=...) with value None."""
    vocab = _vocabulary()
    said = Prepared(stated)
    raw = said.plain or None
    texts = (("title", title), ("location", location), ("description", description))

    claims = {scope: _claim(Prepared(value), scope) for scope, value in texts}

    code = _stated_code(said.plain, vocab)
    stated_claim = _claim(said, "stated") if code is None else None
    if code is not None and code.value != UNSTATED:
        value, refine, evidence = code.value, code.refine, said.plain[:EVIDENCE_CHARS]
    elif stated_claim is not None:
        value, refine, evidence = stated_claim.value, stated_claim.hit.refine, stated_claim.evidence
    else:
        value = None
    if value is not None:
        basis = "stated"
        for scope, _ in texts:
            found = claims[scope]
            if found is not None and found.strong:
                if found.value in refine and found.value != value:
                    value, basis, evidence = found.value, "parsed", found.evidence
                break
        order = [stated_claim, *claims.values()]
        return Remote(value, _days(value, order) if value != "none" else None, basis, evidence, raw)

    title_claim, place_claim, body_claim = (claims[s] for s, _ in texts)
    decided = next(
        (c for c in (title_claim, place_claim, body_claim) if c is not None and c.strong),
        None,
    ) or next((c for c in (title_claim, body_claim) if c is not None), None)
    if decided is None:
        return Remote(raw=raw)
    others = [c for c in (title_claim, place_claim, body_claim) if c is not decided]
    days = _days(decided.value, [decided, *others]) if decided.value != "none" else None
    return Remote(decided.value, days, "parsed", decided.evidence, raw)
