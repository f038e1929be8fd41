"""When an offer was posted, as an ISO date in French time.

What is read (`value` is a str, an int or a float; a datetime or date is taken as is):
- ISO dates and datetimes ("2026-11-20", "2026-11-20T10:00:00.000Z", "…+01:00", "…+0000"),
  epoch seconds, milliseconds or microseconds (int or numeric string), RFC 2822 dates:
  basis "stated". A timestamp with a zone is moved to Europe/Paris before its day is taken
  (an offer posted at 23:30 UTC in winter was posted the next day in France); one without a zone
  is taken as French time.
- French and English dates ("20/11/2026", "20 novembre 2026", "le 3 déc. 2026", "Nov 20, 2026"),
  relative ones ("il y a 3 jours", "Posted 2 weeks ago", "hier", "Just posted"): basis "parsed".
  A month back is 30 days and a year 365 ("il y a 1 mois" on 27 November is 28 October): the
  sites count days and round them.
- A floor or an approximation ("il y a plus de 30 jours", "30+ days ago", "about a month ago"):
  basis "estimated", the date being the latest the offer can have been posted.

A date more than a day after `now`, or before 2000, is None; so is a date that is plainly not the
posting date ("Employeur actif il y a 2 jours", "expire le …"). `now` is required and must be a
datetime (naive means French time), which keeps the function pure: tests freeze it.
"""

from __future__ import annotations

import calendar
import math
import re
import tomllib
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from pipeline.text import Phrases, clean_input, fold, phrases_regex

_DATA = Path(__file__).parent / "data" / "dates.toml"
_EARLIEST = date(2000, 1, 1)


@dataclass(frozen=True)
class PostedDate:
    date: str | None  # ISO "YYYY-MM-DD", the day in France
    basis: str | None  # "stated" | "parsed" | "estimated" | None
    raw: str | None  # the value as given, as text


# --- French time ------------------------------------------------------------------------------


class _ParisRules(tzinfo):
    """Europe/Paris by the EU rule (since 1996): CET, CEST from the last Sunday of March to the
    last Sunday of October, changing at 01:00 UTC. Used only when the system has no tz database."""

    @staticmethod
    def _switches(year: int) -> tuple[datetime, datetime]:
        def last_sunday(month: int) -> int:
            last = calendar.monthrange(year, month)[1]
            return last - (date(year, month, last).weekday() + 1) % 7

        return (
            datetime(year, 3, last_sunday(3), 1),
            datetime(year, 10, last_sunday(10), 1),
        )

    def _summer_utc(self, utc_wall: datetime) -> bool:
        start, end = self._switches(utc_wall.year)
        return start <= utc_wall < end

    def utcoffset(self, dt: datetime | None) -> timedelta:
        if dt is None:
            return timedelta(hours=1)
        local = dt.replace(tzinfo=None, fold=0)
        start, end = self._switches(local.year)
        # In local time summer runs from 02:00 (start + 1 h) to 03:00 (end + 2 h); the hour
        # from 02:00 to 03:00 on the last Sunday of October comes twice, `fold` says which.
        if local < start + timedelta(hours=1) or local >= end + timedelta(hours=2):
            return timedelta(hours=1)
        if local >= end + timedelta(hours=1) and dt.fold:
            return timedelta(hours=1)
        return timedelta(hours=2)

    def dst(self, dt: datetime | None) -> timedelta:
        return self.utcoffset(dt) - timedelta(hours=1)

    def tzname(self, dt: datetime | None) -> str:
        return "CEST" if self.dst(dt) else "CET"

    def fromutc(self, dt: datetime) -> datetime:
        utc_wall = dt.replace(tzinfo=None)
        summer = self._summer_utc(utc_wall)
        local = utc_wall + timedelta(hours=2 if summer else 1)
        _start, end = self._switches(utc_wall.year)
        second = not summer and end + timedelta(hours=1) <= local < end + timedelta(hours=2)
        return local.replace(tzinfo=self, fold=1 if second else 0)


@lru_cache(maxsize=1)
def paris() -> tzinfo:
    """The Europe/Paris zone: the system's tz database, else the EU rule."""
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo("Europe/Paris")
    except Exception:  # no tz database on this system (Windows without tzdata)
        return _ParisRules()


def _paris_day(moment: datetime) -> date | None:
    try:
        if moment.tzinfo is None or moment.utcoffset() is None:
            return moment.date()
        return moment.astimezone(paris()).date()
    except (OverflowError, ValueError, OSError):
        return None


# --- vocabulary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Vocabulary:
    months: dict[str, int]
    units: dict[str, str]
    numbers: dict[str, int]
    days_ago: dict[str, int]
    days_pattern: Phrases
    not_posted: Phrases
    relative_fr: re.Pattern[str]
    relative_en: re.Pattern[str]
    day_month: re.Pattern[str]
    month_day: re.Pattern[str]


def _alternation(words: Any) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    data: dict[str, Any] = tomllib.loads(_DATA.read_text(encoding="utf-8"))
    months = {str(k): int(v) for k, v in data["months"].items()}
    units = {str(k): str(v) for k, v in data["units"].items()}
    numbers = {str(k): int(v) for k, v in data["numbers"].items()}
    days_ago = {str(k): int(v) for k, v in data["days_ago"].items()}
    floor = data["estimated"]["floor"]
    approximate = data["estimated"]["approximate"]
    number = rf"(\d{{1,6}}|{_alternation(numbers)})"
    unit = rf"({_alternation(units)})(?![a-z])"
    qualifier = rf"(?:({_alternation(floor + approximate)}) )?"
    month = rf"({_alternation(months)})"
    return _Vocabulary(
        months=months,
        units=units,
        numbers=numbers,
        days_ago=days_ago,
        days_pattern=phrases_regex(list(days_ago)),
        not_posted=phrases_regex(data["not_posted"]["phrases"]),
        # "il y a 3 jours", "il y a plus de 30 jours", "depuis 2 semaines", "il y a 30+ jours".
        relative_fr=re.compile(
            rf"(?<![a-z])(?:il y a|depuis) {qualifier}(?<![a-z0-9]){number} ?(\+)? ?{unit}"
        ),
        # "2 days ago", "30+ days ago", "about a month ago", "3d ago".
        relative_en=re.compile(
            rf"(?<![a-z0-9]){qualifier}(?<![a-z0-9]){number} ?(\+)? ?{unit} ago(?![a-z])"
        ),
        # "20 novembre 2026", "le 3 déc. 2026", "1er décembre", "20 Nov 2026".
        day_month=re.compile(
            rf"(?<![a-z0-9])(\d{{1,2}})(?:er|e|st|nd|rd|th)? {month}(?![a-z])\.?(?: (\d{{4}}))?(?!\d)"
        ),
        # "Nov 20, 2026", "November 20 2026".
        month_day=re.compile(
            rf"(?<![a-z0-9]){month}(?![a-z])\.? (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?(?!\d)"
        ),
    )


# --- readers ----------------------------------------------------------------------------------

_ISO = re.compile(
    r"(?<!\d)(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})"
    r"(?:[t ](\d{1,2}):(\d{2})(?::(\d{2})(?:[.,]\d{1,9})?)?)?"
    r" ?(z|utc|gmt|[+-]\d{2}(?::?\d{2})?)?(?![\d:])"
)
_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMERIC = re.compile(r"^[+]?\d{1,20}(?:\.\d{0,9})?$")
_DAY_MONTH_YEAR = re.compile(r"(?<![\d/.-])(\d{1,2})([/.-])(\d{1,2})\2(\d{4}|\d{2})(?!\d|[/.-]\d)")
_RFC_2822 = re.compile(r"^[a-z]{3}, \d{1,2} [a-z]{3} \d{4} \d{2}:\d{2}")


def _make_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _from_epoch(number: float) -> date | None:
    if not math.isfinite(number) or number <= 0:
        return None
    if number >= 1e14:  # microseconds
        number /= 1e6
    elif number >= 1e11:  # milliseconds (1e11 seconds would be the year 5138)
        number /= 1e3
    try:
        return _paris_day(datetime.fromtimestamp(number, UTC))
    except (OverflowError, ValueError, OSError):
        return None


def _zone(text: str | None) -> tzinfo | None:
    if text is None:
        return None
    if text in ("z", "utc", "gmt"):
        return UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    hours, minutes = int(digits[:2]), int(digits[2:4] or 0)
    if hours > 14 or minutes > 59:
        return None
    return timezone(sign * timedelta(hours=hours, minutes=minutes))


def _from_iso(folded: str) -> date | None:
    match = _ISO.search(folded)
    if match is None:
        return None
    year, month, day = (int(match.group(i)) for i in (1, 2, 3))
    found = _make_date(year, month, day)
    if found is None or match.group(4) is None:
        return found
    hour, minute = int(match.group(4)), int(match.group(5))
    second = int(match.group(6) or 0)
    if hour > 23 or minute > 59 or second > 60:
        return found
    zone = _zone(match.group(7))
    if zone is None:
        return found
    moment = datetime(year, month, day, hour, minute, min(second, 59), tzinfo=zone)
    return _paris_day(moment)


def _from_rfc_2822(text: str, folded: str) -> date | None:
    if not _RFC_2822.match(folded):
        return None
    try:
        return _paris_day(parsedate_to_datetime(text))
    except (TypeError, ValueError, IndexError, OverflowError):
        return None


def _full_year(text: str) -> int:
    year = int(text)
    return year + 2000 if len(text) == 2 else year


def _with_year(month: int, day: int, year: str | None, today: date) -> date | None:
    if year is not None:
        return _make_date(_full_year(year), month, day)
    # No year: this year's, or last year's when this year's is still to come.
    found = _make_date(today.year, month, day)
    if found is not None and found > today + timedelta(days=1):
        found = _make_date(today.year - 1, month, day)
    return found


def _from_words(folded: str, today: date) -> date | None:
    vocabulary = _vocabulary()
    match = _DAY_MONTH_YEAR.search(folded)
    if match is not None:
        first, second = int(match.group(1)), int(match.group(3))
        # French order (day/month); "11/20/2026" can only be month/day.
        day, month = (second, first) if second > 12 >= first else (first, second)
        return _make_date(_full_year(match.group(4)), month, day)
    match = vocabulary.day_month.search(folded)
    if match is not None:
        month = vocabulary.months[match.group(2)]
        return _with_year(month, int(match.group(1)), match.group(3), today)
    match = vocabulary.month_day.search(folded)
    if match is not None:
        month = vocabulary.months[match.group(1)]
        return _with_year(month, int(match.group(2)), match.group(3), today)
    return None


def _back(now: datetime, today: date, amount: int, unit: str) -> date | None:
    if amount > 100_000:
        return None
    try:
        if unit in ("seconds", "minutes", "hours"):
            return _paris_day(now - timedelta(**{unit: amount}))
        if unit == "days":
            return today - timedelta(days=amount)
        if unit == "weeks":
            return today - timedelta(weeks=amount)
        # Sites count days and round them to months or years ("il y a 1 mois" is 30 to 59 days
        # ago), so a month is 30 days and a year 365, not calendar months.
        if unit == "months":
            return today - timedelta(days=30 * amount)
        return today - timedelta(days=365 * amount)
    except (OverflowError, ValueError):
        return None


def _from_relative(folded: str, now: datetime, today: date) -> tuple[date | None, str] | None:
    vocabulary = _vocabulary()
    match = vocabulary.relative_fr.search(folded) or vocabulary.relative_en.search(folded)
    if match is not None:
        qualifier, number, plus, unit = match.groups()
        amount = int(number) if number.isdigit() else vocabulary.numbers[number]
        basis = "estimated" if qualifier or plus else "parsed"
        return _back(now, today, amount, vocabulary.units[unit]), basis
    match = vocabulary.days_pattern.search(folded)
    if match is not None:
        return today - timedelta(days=vocabulary.days_ago[match.group(0)]), "parsed"
    return None


# --- the normaliser ---------------------------------------------------------------------------

_UNKNOWN = PostedDate(None, None, None)


def _checked(found: date | None, basis: str, raw: str | None, today: date) -> PostedDate:
    if found is None or found < _EARLIEST or found > today + timedelta(days=1):
        return PostedDate(None, None, raw)
    return PostedDate(found.isoformat(), basis, raw)


def _local_now(now: datetime) -> tuple[datetime, date]:
    if not isinstance(now, datetime):
        raise TypeError("now must be a datetime")
    if now.tzinfo is None or now.utcoffset() is None:
        now = now.replace(tzinfo=paris())
    return now, now.astimezone(paris()).date()


def normalise_date(value: str | int | float | None, *, now: datetime) -> PostedDate:
    """The day an offer was posted (ISO, French time), how it was read, and the raw value.

    Never raises on `value`; `now` must be a datetime (TypeError otherwise).
    """
    now, today = _local_now(now)
    if value is None or isinstance(value, bool):
        return _UNKNOWN
    if isinstance(value, datetime):
        return _checked(_paris_day(value), "stated", value.isoformat(), today)
    if isinstance(value, date):
        return _checked(value, "stated", value.isoformat(), today)
    if isinstance(value, int | float):
        raw = repr(value) if isinstance(value, float) else str(value)
        try:
            return _checked(_from_epoch(float(value)), "stated", raw, today)
        except OverflowError:
            return PostedDate(None, None, raw)
    text = clean_input(value)
    if text is None:
        return _UNKNOWN
    raw = value.strip() if isinstance(value, str) else text
    return _read_text(text, raw, now, today)


def _read_text(text: str, raw: str, now: datetime, today: date) -> PostedDate:
    compact = _COMPACT.match(text)
    if compact is not None:
        found = _make_date(*(int(g) for g in compact.groups()))
        if found is not None:
            return _checked(found, "stated", raw, today)
    if _NUMERIC.match(text):
        try:
            return _checked(_from_epoch(float(text)), "stated", raw, today)
        except (OverflowError, ValueError):
            return PostedDate(None, None, raw)
    folded = fold(text)
    vocabulary = _vocabulary()
    if vocabulary.not_posted.search(folded):
        return PostedDate(None, None, raw)
    found = _from_rfc_2822(text, folded)
    if found is not None:
        return _checked(found, "stated", raw, today)
    found = _from_iso(folded)
    if found is not None:
        return _checked(found, "stated", raw, today)
    found = _from_words(folded, today)
    if found is not None:
        return _checked(found, "parsed", raw, today)
    relative = _from_relative(folded, now, today)
    if relative is not None:
        return _checked(relative[0], relative[1], raw, today)
    return PostedDate(None, None, raw)
