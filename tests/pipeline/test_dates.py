"""pipeline.dates: the labelled table, the rules one by one, and property tests."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.dates import PostedDate, _ParisRules, normalise_date, paris
from tests.helpers import case_header, case_params, case_rows, cell

COLUMNS = ["value", "now", "exp_date", "note"]
NOW = datetime(2026, 11, 27, 10, 0, tzinfo=timezone(timedelta(hours=1)))


def test_the_table_has_the_agreed_shape():
    assert case_header("dates") == COLUMNS
    rows = case_rows("dates")
    assert len(rows) >= 40
    for row in rows:
        assert datetime.fromisoformat(row["now"]).utcoffset() is not None


@pytest.mark.parametrize("row", case_params("dates"))
def test_table_row(row):
    got = normalise_date(cell(row, "value"), now=datetime.fromisoformat(row["now"]))
    assert got.date == cell(row, "exp_date"), got


# --- rules ------------------------------------------------------------------------------------


def test_structured_values_are_stated():
    assert normalise_date("2026-11-20T10:00:00.000Z", now=NOW) == PostedDate(
        "2026-11-20", "stated", "2026-11-20T10:00:00.000Z"
    )
    assert normalise_date(1795000000, now=NOW).basis == "stated"


def test_epoch_as_int_float_or_text():
    for value in (1795000000, 1795000000.0, 1795000000000, "1795000000", "1795000000000"):
        assert normalise_date(value, now=NOW).date == "2026-11-18", value


def test_text_is_parsed_and_floors_are_estimated():
    assert normalise_date("il y a 3 jours", now=NOW).basis == "parsed"
    assert normalise_date("20/11/2026", now=NOW).basis == "parsed"
    assert normalise_date("30+ days ago", now=NOW).basis == "estimated"
    assert normalise_date("il y a plus de 30 jours", now=NOW).basis == "estimated"
    assert normalise_date("about a month ago", now=NOW).basis == "estimated"


def test_months_and_years_back_are_counted_in_days():
    assert normalise_date("il y a 1 mois", now=NOW).date == "2026-10-28"
    assert normalise_date("il y a 3 mois", now=NOW).date == "2026-08-29"
    assert normalise_date("il y a 1 an", now=NOW).date == "2025-11-27"


def test_utc_midnight_crossing_uses_french_time():
    late = datetime(2026, 11, 20, 23, 30, tzinfo=UTC)
    assert normalise_date(late.isoformat(), now=NOW).date == "2026-11-21"
    assert normalise_date(int(late.timestamp() * 1000), now=NOW).date == "2026-11-21"
    assert normalise_date(late, now=NOW).date == "2026-11-21"


def test_now_may_be_in_any_zone_or_naive():
    utc_now = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # 00:30 on the 27th in Paris
    assert normalise_date("aujourd'hui", now=utc_now).date == "2026-11-27"
    assert normalise_date("aujourd'hui", now=datetime(2026, 11, 27, 0, 30)).date == "2026-11-27"


def test_now_must_be_a_datetime():
    with pytest.raises(TypeError):
        normalise_date("hier", now="2026-11-27")  # type: ignore[arg-type]


def test_future_and_too_old_dates_are_none_but_keep_raw():
    assert normalise_date("2026-11-29", now=NOW) == PostedDate(None, None, "2026-11-29")
    assert normalise_date("1999-12-31", now=NOW).date is None
    assert normalise_date("2026-11-28", now=NOW).date == "2026-11-28"


@pytest.mark.parametrize(
    "value",
    [None, True, False, "", "   ", float("nan"), float("inf"), -1, 0, 10**40, "1e400", [1], {}],
)
def test_unusable_values_are_none(value):
    assert normalise_date(value, now=NOW).date is None


def test_a_date_object_is_stated():
    assert normalise_date(date(2026, 11, 2), now=NOW) == PostedDate(
        "2026-11-02", "stated", "2026-11-02"
    )


def test_not_the_posting_date():
    for value in ("Employeur actif il y a 2 jours", "Expire le 20/12/2026", "Active 3 days ago"):
        assert normalise_date(value, now=NOW).date is None, value


@pytest.mark.parametrize(
    "moment, expected",
    [
        (datetime(2026, 3, 29, 0, 59, tzinfo=UTC), "+01:00"),
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), "+02:00"),
        (datetime(2026, 10, 25, 0, 59, tzinfo=UTC), "+02:00"),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), "+01:00"),
        (datetime(2026, 7, 1, 12, 0, tzinfo=UTC), "+02:00"),
        (datetime(2026, 1, 1, 12, 0, tzinfo=UTC), "+01:00"),
    ],
)
def test_the_fallback_rule_agrees_with_the_tz_database(moment, expected):
    fallback = moment.astimezone(_ParisRules())
    assert fallback.isoformat()[-6:] == expected
    assert fallback.replace(tzinfo=None) == moment.astimezone(paris()).replace(tzinfo=None)


# --- properties -------------------------------------------------------------------------------

_FRAGMENTS = [
    "il y a",
    "3",
    "jours",
    "plus de",
    "30",
    "+",
    "days ago",
    "ago",
    "hier",
    "aujourd'hui",
    "Today",
    "Posted",
    "2026-11-20",
    "T10:00:00",
    "Z",
    "+01:00",
    "20/11/2026",
    "novembre",
    "déc.",
    "1er",
    "le",
    "1795000000",
    "1763900000000",
    "99999999999999999999",
    "-",
    "/",
    ".",
    ":",
    "Employeur actif",
    "un",
    "a",
    "an",
    "mois",
    "semaines",
    "heures",
    "Ã©",
    "\u00a0",
    "0",
    "00",
    "9999",
    "2000-01-01",
    "Fri, 20 Nov 2026 23:30:00 GMT",
    "Fri, ",
    "GMT",
]
_values = st.one_of(
    st.none(),
    st.text(),
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=3)), max_size=12).map(
        " ".join
    ),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=12).map("".join),
)
_nows = st.datetimes(
    min_value=datetime(2001, 1, 1), max_value=datetime(2090, 12, 31), timezones=st.just(UTC)
)


def _check(got: PostedDate, now: datetime) -> None:
    assert isinstance(got, PostedDate)
    assert got.basis in ("stated", "parsed", "estimated", None)
    assert (got.date is None) == (got.basis is None)
    if got.date is not None:
        day = date.fromisoformat(got.date)
        today = now.astimezone(paris()).date()
        assert date(2000, 1, 1) <= day <= today + timedelta(days=1)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(value=_values, now=_nows)
def test_any_value_gives_a_date_or_none(value, now):
    _check(normalise_date(value, now=now), now)


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(value=_values, now=_nows)
def test_fuzz_any_value_gives_a_date_or_none(value, now):
    _check(normalise_date(value, now=now), now)


@pytest.mark.parametrize(
    "unit", ["1", " ", "il y a ", "20/", "2026-", "+", "a", "1er ", "nov ", "Fri, ", "ago "]
)
def test_long_inputs_take_linear_time(unit):
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    start = time.perf_counter()
    for value in (text, text + "x", text + " 3 days ago"):
        _check(normalise_date(value, now=NOW), NOW)
    assert time.perf_counter() - start < 10
