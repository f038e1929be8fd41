"""pipeline.salary: the labelled table, the repair rules one by one, and property tests."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.salary import PERIODS, Salary, normalise_salary, parse_salary_text
from tests.helpers import case_header, case_params, case_rows, cell

COLUMNS = [
    "text",
    "stated_min",
    "stated_max",
    "stated_period",
    "stated_currency",
    "exp_min",
    "exp_max",
    "exp_period",
    "exp_currency",
    "exp_annual_min",
    "exp_annual_max",
    "exp_basis",
    "note",
]


def _same(got: float | None, expected: str | None, tolerance: float) -> bool:
    if expected is None or got is None:
        return expected is None and got is None
    return abs(got - float(expected)) <= tolerance


def test_the_table_has_the_agreed_shape():
    assert case_header("salary") == COLUMNS
    rows = case_rows("salary")
    assert len(rows) >= 170
    texts = " ".join(row["text"] for row in rows)
    # The separators are written as themselves, not as escapes.
    assert "\u00a0" in texts and "\u202f" in texts
    assert any(row["text"] == "" and row["stated_min"] for row in rows)


@pytest.mark.parametrize("row", case_params("salary"))
def test_labelled_salary(row):
    salary = normalise_salary(
        cell(row, "text", strip=False),
        stated_min=cell(row, "stated_min", strip=False),
        stated_max=cell(row, "stated_max", strip=False),
        stated_period=cell(row, "stated_period", strip=False),
        stated_currency=cell(row, "stated_currency", strip=False),
    )
    got = (
        salary.min,
        salary.max,
        salary.period,
        salary.currency,
        salary.annual_min,
        salary.annual_max,
        salary.basis,
    )
    assert _same(salary.min, cell(row, "exp_min", strip=False), 0.01), got
    assert _same(salary.max, cell(row, "exp_max", strip=False), 0.01), got
    assert salary.period == cell(row, "exp_period", strip=False), got
    assert salary.currency == cell(row, "exp_currency", strip=False), got
    assert _same(salary.annual_min, cell(row, "exp_annual_min", strip=False), 1), got
    assert _same(salary.annual_max, cell(row, "exp_annual_max", strip=False), 1), got
    assert salary.basis == cell(row, "exp_basis", strip=False), got


# --- the rules one by one ----------------------------------------------------------------------


def test_a_monthly_figure_times_the_months_paid():
    assert parse_salary_text("Mensuel de 2500.0 Euros sur 13.0 mois").annual_min == 32500
    assert parse_salary_text("Mensuel de 2500.0 Euros sur 13.0 mois").months == 13
    assert parse_salary_text("3 200 € brut/mois x 13").annual_min == 41600
    assert parse_salary_text("2 500 € brut mensuel + 13ème mois").annual_min == 32500
    assert parse_salary_text("Mensuel de 2000 Euros sur 12 mois").annual_min == 24000
    assert parse_salary_text("2 000 € par mois").months is None


def test_an_annual_figure_is_already_the_total():
    salary = parse_salary_text("Annuel de 45000 Euros sur 13 mois")
    assert (salary.annual_min, salary.months) == (45000, 13)


def test_fewer_months_than_a_year_do_not_shrink_the_year():
    # "sur 6 mois" on a six-month contract is not six payments a year.
    assert parse_salary_text("Mensuel de 2000 Euros sur 6 mois").annual_min == 24000


def test_hour_week_and_day_rates():
    assert parse_salary_text("Horaire de 12.06 Euros").annual_min == round(12.06 * 151.67 * 12)
    assert parse_salary_text("2 000 € par semaine").annual_min == 104000
    day = parse_salary_text("TJM 500 €")
    assert (day.period, day.annual_min, day.basis) == ("day", 109000, "estimated")
    assert "day_rate" in day.flags


def test_net_becomes_gross_and_says_so():
    salary = parse_salary_text("2 000 € net par mois")
    assert salary.gross_net == "net"
    assert salary.annual_min == round(24000 / 0.78)
    assert salary.basis == "estimated"
    assert parse_salary_text("40 - 45 k€ brut annuel").gross_net == "gross"
    assert parse_salary_text("45 000 € par an").gross_net is None


@pytest.mark.parametrize(
    "text, flag, period, low",
    [
        ("Annuel de 60000,00 Euros à 40000,00 Euros", "swapped", "year", 40000),
        ("Mensuel de 32000,00 Euros à 40000,00 Euros", "monthly_label_but_annual", "year", 32000),
        ("Annuel de 11,00 Euros", "annual_label_but_hourly", "hour", 11),
        ("Annuel de 45,00 Euros à 55,00 Euros", "annual_label_in_k", "year", 45000),
        ("Annuel de 2800,00 Euros", "annual_label_but_monthly", "month", 2800),
        ("Horaire de 1850,00 Euros", "hourly_label_but_monthly", "month", 1850),
        ("Rémunération : 3500 euros", "no_period", "month", 3500),
        ("Salaire : 45K à 55K €", "no_period", "year", 45000),
        ("Mensuel de 1600,00 Euros ï¿½ 1800,00 Euros", "mojibake", "month", 1600),
    ],
)
def test_repairs_are_flagged(text, flag, period, low):
    salary = parse_salary_text(text)
    assert flag in salary.flags
    assert (salary.period, salary.min) == (period, low)
    assert salary.raw == text


def test_a_period_guess_makes_the_basis_estimated_but_a_swap_does_not():
    assert parse_salary_text("Mensuel de 32000,00 Euros à 40000,00 Euros").basis == "estimated"
    assert parse_salary_text("Annuel de 60000,00 Euros à 40000,00 Euros").basis == "parsed"


def test_implausible_figures_are_flagged_and_kept():
    low = parse_salary_text("Mensuel de 500 Euros")
    assert "implausible_low" in low.flags and low.annual_min == 6000
    high = parse_salary_text("Salaire : 1 000 000 € par an")
    assert "implausible_high" in high.flags and high.annual_max == 1_000_000
    # An intern's gratification is low by law, not by mistake.
    assert "implausible_low" not in parse_salary_text("Stage : 700 € par mois").flags
    assert "implausible_low" not in parse_salary_text("45 000 € par an").flags


@pytest.mark.parametrize(
    "text",
    [
        "Selon profil",
        "selon expérience",
        "A négocier",
        "À définir",
        "Salaire : Non spécifié",
        "Non communiqué",
        "Competitive salary",
        "Selon profil + 13e mois",
        "Selon expérience (2 à 5 ans)",
    ],
)
def test_no_salary_phrases_give_nothing_but_the_raw_text(text):
    salary = parse_salary_text(text)
    assert salary == Salary(
        None, None, None, None, salary.months, None, None, None, None, salary.flags, text
    )
    assert "not_stated" in salary.flags


def test_empty_and_none():
    for value in (None, "", "   "):
        salary = normalise_salary(value)
        assert salary.min is None and salary.basis is None and salary.flags == ()


@pytest.mark.parametrize(
    "text, currency",
    [
        ("$120,000.00/yr - $150,000.00/yr", "USD"),
        ("£45,000 - £55,000 a year", "GBP"),
        ("CHF 120'000 par an", "CHF"),
        ("CHF120'000 par an", "CHF"),
        ("80 000 $ - 100 000 $ par an", "USD"),
    ],
)
def test_other_currencies_are_kept_and_never_converted(text, currency):
    salary = parse_salary_text(text)
    assert salary.currency == currency
    assert salary.min is not None
    assert salary.annual_min is None and salary.annual_max is None
    assert "implausible_low" not in salary.flags


def test_no_currency_at_all_gives_no_annual_figure():
    salary = parse_salary_text("45000-55000")
    assert (salary.min, salary.max, salary.currency, salary.annual_min) == (
        45000,
        55000,
        None,
        None,
    )
    assert "no_currency" in salary.flags


def test_a_french_salary_line_without_a_sign_is_taken_as_euros():
    salary = parse_salary_text("Salaire : 40-45k brut annuel")
    assert salary.currency == "EUR" and "currency_assumed" in salary.flags
    assert salary.basis == "estimated"


@pytest.mark.parametrize(
    "text, low, high",
    [
        ("45 000 € par an", 45000, 45000),
        ("45\u00a0000\u00a0€ par an", 45000, 45000),
        ("45\u202f000 € par an", 45000, 45000),
        ("45.000 € par an", 45000, 45000),
        ("45,000 € par an", 45000, 45000),
        ("45.000,00 € par an", 45000, 45000),
        ("45,000.00 € par an", 45000, 45000),
        ("2 933,00 € par mois", 2933, 2933),
        ("12.06 € de l'heure", 12.06, 12.06),
        ("45,5 k€ brut annuel", 45500, 45500),
        ("40 - 45 k€", 40000, 45000),
        ("40 – 45 k€", 40000, 45000),
        ("40 — 45 k€", 40000, 45000),
        ("entre 40 et 45 k€", 40000, 45000),
        ("de 40 à 45 k€", 40000, 45000),
        ("45 à 50 000 € bruts annuels", 45000, 50000),
        ("A partir de 65 k€ brut annuel", 65000, None),
        ("Dès 40 k€", 40000, None),
        ("> 50K €", 50000, None),
        ("40k€+", 40000, None),
        ("min 45000 EUR YEAR", 45000, None),
        ("Jusqu'à 45 000 € par an", None, 45000),
        ("< 40K €", None, 40000),
        ("max 58000 EUR YEAR", None, 58000),
        ("45k€ + variable", 45000, 45000),
    ],
)
def test_numbers_ranges_and_bounds(text, low, high):
    salary = parse_salary_text(text)
    assert (salary.min, salary.max) == (low, high)


@pytest.mark.parametrize(
    "text",
    [
        "Bac+5, 3 ans d'expérience",
        "35h par semaine",
        "10 jours de RTT",
        "Selon profil (2 postes)",
        "Prime de 13e mois",
        "Selon profil, niveau 3",
    ],
)
def test_numbers_that_are_not_pay(text):
    assert parse_salary_text(text).min is None
    assert parse_salary_text(text).max is None


def test_smic():
    salary = parse_salary_text("SMIC")
    assert (salary.period, salary.annual_min, salary.basis) == ("month", 21876, "estimated")
    assert parse_salary_text("SMIC + 10%").annual_min == round(21876 * 1.1)


# --- stated fields -----------------------------------------------------------------------------


def test_stated_fields_come_first():
    salary = normalise_salary(
        "Selon profil",
        stated_min=42000.0,
        stated_max="48000",
        stated_period="yearly",
        stated_currency="EUR",
        description="Salaire : 30 k€",
    )
    assert (salary.annual_min, salary.annual_max, salary.basis) == (42000, 48000, "stated")
    assert salary.raw == "Selon profil"


@pytest.mark.parametrize(
    "period, expected",
    [
        ("YEAR", "year"),
        ("yearly", "year"),
        ("MONTH", "month"),
        ("monthly", "month"),
        ("WEEK", "week"),
        ("weekly", "week"),
        ("DAY", "day"),
        ("daily", "day"),
        ("HOUR", "hour"),
        ("hourly", "hour"),
        ("per_month", "month"),
    ],
)
def test_stated_periods_of_every_source(period, expected):
    amounts = {"year": 45000, "month": 3000, "week": 900, "day": 500, "hour": 30}
    salary = normalise_salary(
        None, stated_min=amounts[expected], stated_period=period, stated_currency="EUR"
    )
    assert salary.period == expected


def test_a_stated_amount_without_period_takes_the_texts_or_its_size():
    from_text = normalise_salary("2 500 € par mois", stated_min=2500, stated_currency="EUR")
    assert (from_text.period, from_text.basis) == ("month", "stated")
    by_size = normalise_salary(None, stated_min=50000, stated_currency="EUR")
    assert (by_size.period, by_size.basis) == ("year", "estimated")
    assert "no_period" in by_size.flags


@pytest.mark.parametrize("amount", [0, "0", -5, "nan", "inf", True, [45000], {"v": 1}, "abc"])
def test_stated_amounts_that_are_not_amounts(amount):
    salary = normalise_salary(None, stated_min=amount, stated_max=amount, stated_currency="EUR")
    assert salary.min is None and salary.max is None


def test_stated_labels_are_repaired_too():
    salary = normalise_salary(
        None, stated_min=40000, stated_max=45000, stated_period="MONTH", stated_currency="EUR"
    )
    assert salary.period == "year" and "monthly_label_but_annual" in salary.flags


# --- descriptions ------------------------------------------------------------------------------


def test_a_salary_sentence_in_the_description():
    description = (
        "<p>Groupe de 200 collaborateurs, CA de 50 M€.</p>"
        "<ul><li>CDI à Paris</li><li>Rémunération : 45-50 k€ brut annuel selon profil</li></ul>"
    )
    salary = normalise_salary(None, description=description)
    assert (salary.min, salary.max, salary.period, salary.basis) == (45000, 50000, "year", "parsed")
    assert "from_description" in salary.flags
    assert salary.raw == "Rémunération : 45-50 k€ brut annuel selon profil"


def test_the_description_is_read_when_the_text_says_nothing():
    salary = normalise_salary(
        "Selon profil",
        description="3 ans d'expérience. Salaire : entre 3000 et 3500 € par mois.",
    )
    assert (salary.annual_min, salary.annual_max) == (36000, 42000)


@pytest.mark.parametrize(
    "description",
    [
        "Nous avons levé 12 M€ en 2024. Rémunération attractive.",
        "Société de 200 collaborateurs avec un CA de 50 M€.",
        "Avantages : tickets restaurant de 9 €, prime de 1 500 € par an.",
        "Notre client (CA 2023 : 15 millions d'euros, 120 salariés) recrute.",
        "Budget de 500 000 € pour le projet. Salaire selon grille.",
        "Support 24/7, 3 sites, 12 chatbots en production.",
    ],
)
def test_revenue_headcounts_and_perks_are_not_the_salary(description):
    assert normalise_salary(None, description=description).min is None


# --- any input -----------------------------------------------------------------------------------

FRAGMENTS = [
    "Annuel de ",
    "Mensuel de ",
    "Horaire de ",
    "Autre de ",
    "Cachet de ",
    "De ",
    "entre ",
    " et ",
    " à ",
    " - ",
    "–",
    "45",
    "000",
    " ",
    "\u00a0",
    "\u202f",
    ",00",
    ".0",
    "k",
    "K€",
    "€",
    "$",
    "£",
    "CHF",
    " Euros",
    " sur 13 mois",
    " x 13",
    "13e mois",
    "/an",
    "/mois",
    " par jour",
    "/h",
    " brut",
    " net",
    "Selon profil",
    "ï¿½",
    "Ã©",
    "+",
    ">",
    "<",
    "jusqu'à ",
    "à partir de ",
    "TJM",
    "SMIC",
    "%",
    "2 ans",
    "\x00",
    "\ufffd",
]
salary_like = st.lists(st.sampled_from(FRAGMENTS), max_size=25).map("".join)
anything = st.one_of(st.text(), salary_like, st.binary().map(lambda b: b.decode("latin-1")))
stated = st.one_of(
    st.none(),
    st.text(max_size=30),
    salary_like,
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
)


def _check_invariants(salary: Salary) -> None:
    assert isinstance(salary, Salary)
    assert salary.period in (*PERIODS, None)
    assert salary.basis in ("stated", "parsed", "estimated", None)
    assert salary.gross_net in ("gross", "net", None)
    assert isinstance(salary.flags, tuple)
    for value in (salary.min, salary.max, salary.annual_min, salary.annual_max):
        assert value is None or (math.isfinite(value) and value > 0)
    if salary.min is not None and salary.max is not None:
        assert salary.min <= salary.max
    if salary.currency != "EUR" or salary.period is None:
        assert salary.annual_min is None and salary.annual_max is None
    if salary.min is None and salary.max is None:
        assert salary.basis is None and salary.annual_min is None


def _normalise_anything(text, low, high, period, currency, description):
    salary = normalise_salary(
        text,
        stated_min=low,
        stated_max=high,
        stated_period=period,
        stated_currency=currency,
        description=description,
    )
    _check_invariants(salary)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(anything, stated, stated, stated, stated, st.one_of(st.none(), anything))
def test_any_input_gives_a_salary_never_an_exception(text, low, high, period, currency, desc):
    _normalise_anything(text, low, high, period, currency, desc)


@settings(max_examples=300, deadline=None)
@given(salary_like)
def test_any_salary_like_text_reads_consistently(text):
    _check_invariants(parse_salary_text(text))


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(anything, stated, stated, stated, stated, st.one_of(st.none(), anything))
def test_fuzz_any_input_gives_a_salary(text, low, high, period, currency, desc):
    _normalise_anything(text, low, high, period, currency, desc)


LONG = 200_000


@pytest.mark.parametrize(
    "text",
    [
        "1" * LONG,
        "1 " * (LONG // 2),
        "1,000" * (LONG // 5),
        "45k€ " * (LONG // 5),
        "€" * LONG,
        "<" * LONG,
        "ï¿½" * (LONG // 3),
        "salaire 45 000 € - " * (LONG // 19),
        "Annuel de 45,00 Euros à " * (LONG // 24),
        "x 13 " * (LONG // 5),
        "a" * LONG,
    ],
    ids=lambda t: repr(t[:12]),
)
def test_a_200000_character_input_stays_fast(text):
    started = time.perf_counter()
    _check_invariants(normalise_salary(text, description=text))
    _check_invariants(normalise_salary(None, stated_min=text, stated_period=text))
    assert time.perf_counter() - started < 10


@pytest.mark.parametrize(
    "text", ["1 000 " * (LONG // 6), "2 ans " * (LONG // 6), "par an 4" * (LONG // 8)]
)
def test_the_reader_itself_is_linear_past_the_field_cap(text):
    # normalise_salary reads only the start of an overlong field; the reader must not depend on it.
    from pipeline.salary import _clean, _read, _vocab

    started = time.perf_counter()
    cleaned, _ = _clean(text)
    _read(cleaned, _vocab(), strict=False)
    _read(cleaned, _vocab(), strict=True)
    assert time.perf_counter() - started < 10
