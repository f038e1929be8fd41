"""pipeline.seniority: the labelled table, the rules one by one, and property tests."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.seniority import LEVELS, Experience, level_for_years, normalise_experience
from tests.helpers import case_header, case_params, case_rows, cell

COLUMNS = ["text", "code", "description", "title", "exp_years", "exp_level", "note"]


def test_the_table_has_the_agreed_shape():
    assert case_header("seniority") == COLUMNS
    rows = case_rows("seniority")
    assert len(rows) >= 60
    assert {row["exp_level"] for row in rows} <= {*LEVELS, ""}


@pytest.mark.parametrize("row", case_params("seniority"))
def test_table_row(row):
    got = normalise_experience(
        cell(row, "text"),
        code=cell(row, "code"),
        description=cell(row, "description"),
        title=cell(row, "title"),
    )
    expected_years = cell(row, "exp_years")
    if expected_years is None:
        assert got.years is None, got
    else:
        assert got.years is not None and math.isclose(got.years, float(expected_years)), got
    assert got.level == cell(row, "exp_level"), got


# --- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "years, level",
    [(0, "junior"), (1.5, "junior"), (2, "confirmé"), (5, "confirmé"), (5.5, "confirmé")]
    + [(6, "senior"), (15, "senior"), (None, None)],
)
def test_bands(years, level):
    assert level_for_years(years) == level


def test_france_travail_field_is_stated_and_kept_raw():
    got = normalise_experience("3 An(s)", code="E")
    assert got == Experience(3.0, "confirmé", "stated", "3 An(s)")


def test_code_d_alone_is_a_stated_beginner():
    assert normalise_experience(None, code="D") == Experience(0.0, "junior", "stated", "D")


@pytest.mark.parametrize("code", ["E", "S", "e", "X", "", "  "])
def test_other_codes_say_nothing_of_the_length(code):
    assert normalise_experience(None, code=code).years is None


def test_months_become_years():
    assert normalise_experience("6 Mois").years == 0.5
    assert normalise_experience("9 mois").years == 0.75


def test_less_than_means_zero():
    assert normalise_experience("Expérience : < 6 mois").years == 0.0
    assert normalise_experience("Moins de 2 ans").years == 0.0


def test_json_ld_requirements_passed_as_json():
    text = '{"@type": "OccupationalExperienceRequirements", "monthsOfExperience": 36}'
    assert normalise_experience(text) == Experience(3.0, "confirmé", "stated", text)


def test_title_level_is_parsed():
    got = normalise_experience(None, title="Chef de projet chatbot senior (H/F)")
    assert (got.years, got.level, got.basis) == (None, "senior", "parsed")


def test_a_stated_level_wins_over_the_years():
    assert normalise_experience("8 An(s)", title="Chef de projet junior").level == "junior"
    assert normalise_experience("1 An(s)", title="Lead chatbot").level == "senior"


def test_the_field_wins_over_the_description():
    got = normalise_experience("2 An(s)", description="5 ans d'expérience minimum")
    assert (got.years, got.basis) == (2.0, "stated")


def test_description_is_parsed_and_raw_is_the_phrase():
    got = normalise_experience(
        None, description="<p>Notre équipe.</p><p>Vous avez 4 ans d'expérience en PO.</p>"
    )
    assert (got.years, got.level, got.basis) == (4.0, "confirmé", "parsed")
    assert "4 ans d'expérience" in got.raw


@pytest.mark.parametrize(
    "description",
    [
        "Notre société existe depuis 15 ans.",
        "Créée il y a 12 ans, la start-up grandit.",
        "Fort de 20 ans d'expérience, notre cabinet accompagne ses clients.",
        "CDD de 12 mois renouvelable.",
        "Mission de 6 mois à Lyon.",
        "Stage de 6 mois à partir de janvier.",
        "10 ans d'existence et 300 salariés.",
        "Plus de 30 ans d'expérience au service de nos clients.",
        "Vous encadrerez deux juniors et un senior.",
        "Le chatbot répond en 3 ans de données historiques.",
    ],
)
def test_numbers_that_are_not_experience_asked(description):
    got = normalise_experience(None, description=description)
    assert (got.years, got.level) == (None, None), got


def test_the_bac_plus_number_is_not_years():
    assert normalise_experience("Bac+5").years is None
    assert normalise_experience("Bac+5, 2 ans d'expérience").years == 2.0


def test_nothing_known_is_all_none_but_the_raw_text():
    assert normalise_experience("Expérience appréciée") == Experience(
        None, None, None, "Expérience appréciée"
    )
    assert normalise_experience(None) == Experience(None, None, None, None)
    assert normalise_experience("   ") == Experience(None, None, None, None)


def test_mojibake_is_read():
    assert normalise_experience("DÃ©butant acceptÃ©").level == "junior"


def test_non_strings_are_unknown():
    got = normalise_experience(3, code=4, description=["x"], title={"a": 1})  # type: ignore[arg-type]
    assert got == Experience(None, None, None, None)


# --- properties -------------------------------------------------------------------------------

_FRAGMENTS = [
    "3 An(s)",
    "6 Mois",
    "ans",
    "an",
    "mois",
    "years",
    "Débutant accepté",
    "junior",
    "senior",
    "confirmé",
    "Lead",
    "Stage",
    "depuis",
    "CDD de",
    "expérience",
    "d'expérience",
    "minimum",
    "au moins",
    "3 à 5",
    "+",
    "Bac+5",
    "plus de",
    "moins de",
    "première expérience",
    "12",
    "36",
    "0",
    "999999",
    "1,5",
    "Mid-Senior level",
    "Entry level",
    ";",
    ".",
    ",",
    "\n",
    "<p>",
    "</li>",
    "Ã©",
    "ï¿½",
    "\u00a0",
    "\u202f",
    "(",
    ")",
    "deux",
    "trois",
]
_text = st.one_of(
    st.none(),
    st.text(),
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=3)), max_size=20).map(
        " ".join
    ),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=20).map("".join),
)


def _check(got: Experience) -> None:
    assert isinstance(got, Experience)
    if got.years is not None:
        assert math.isfinite(got.years) and 0 <= got.years <= 20
    assert got.level in (*LEVELS, None)
    assert got.basis in ("stated", "parsed", None)
    if got.years is None and got.level is None:
        assert got.basis is None
    else:
        assert got.basis is not None


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text, code=_text, description=_text, title=_text)
def test_any_input_gives_a_value_or_none(text, code, description, title):
    _check(normalise_experience(text, code=code, description=description, title=title))


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=_text, code=_text, description=_text, title=_text)
def test_fuzz_any_input_gives_a_value_or_none(text, code, description, title):
    _check(normalise_experience(text, code=code, description=description, title=title))


@pytest.mark.parametrize(
    "unit",
    [
        "3 ans ",
        " ",
        "a",
        "3",
        "3 à ",
        "depuis ",
        "+",
        "Bac+5 ",
        "d'expérience ",
        "(",
        "junior ",
        "\n",
        "<p>",
    ],
)
def test_long_inputs_take_linear_time(unit):
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    start = time.perf_counter()
    for value in (text, text + "x"):
        _check(normalise_experience(value, description=value, title=value))
    assert time.perf_counter() - start < 10
