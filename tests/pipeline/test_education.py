"""pipeline.education: the labelled table, the rules one by one, and property tests."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.education import Education, normalise_education
from tests.helpers import case_header, case_params, case_rows, cell

COLUMNS = ["text", "description", "exp_level", "note"]
LABELS = {-1: "CAP/BEP", 0: "Bac", 2: "Bac+2", 3: "Bac+3", 4: "Bac+4", 5: "Bac+5", 8: "Bac+8"}


def test_the_table_has_the_agreed_shape():
    assert case_header("education") == COLUMNS
    rows = case_rows("education")
    assert len(rows) >= 40
    assert {row["exp_level"] for row in rows} <= {str(k) for k in LABELS} | {""}


@pytest.mark.parametrize("row", case_params("education"))
def test_table_row(row):
    got = normalise_education(cell(row, "text"), description=cell(row, "description"))
    expected = cell(row, "exp_level")
    assert got.level == (None if expected is None else int(expected)), got


# --- rules ------------------------------------------------------------------------------------


def test_the_field_is_stated_with_a_canonical_label():
    got = normalise_education("Bac+5 et plus ou équivalents")
    assert got == Education(5, "Bac+5", "stated", "Bac+5 et plus ou équivalents")


def test_the_description_is_parsed_and_raw_is_its_sentence():
    got = normalise_education(
        None, description="Une équipe soudée. Diplômé(e) d'un Bac+3 minimum, vous aimez écrire."
    )
    assert (got.level, got.label, got.basis) == (3, "Bac+3", "parsed")
    assert got.raw == "Diplômé(e) d'un Bac+3 minimum, vous aimez écrire."


def test_several_levels_give_the_minimum():
    assert normalise_education("Master ou Licence").level == 3
    assert normalise_education("Doctorat; Bac+2 ou équivalents").level == 2


def test_a_later_sentence_of_the_description_is_not_read():
    description = "Bac+5 exigé. Vous accompagnerez nos alternants en BTS."
    assert normalise_education(None, description=description).level == 5


@pytest.mark.parametrize(
    "text, level",
    [("Niveau 3", -1), ("Niveau 4", 0), ("Niveau 5", 2), ("Niveau 6", 3), ("Niveau 7", 5)]
    + [("Niveau 8", 8), ("Niveau V", -1), ("Niveau IV", 0), ("Niveau III", 2), ("Niveau I", 5)],
)
def test_rncp_levels_in_the_field(text, level):
    assert normalise_education(text).level == level


def test_rncp_levels_in_a_description_need_a_cue():
    assert normalise_education(None, description="Support de niveau 2.").level is None
    assert normalise_education(None, description="Un titre RNCP niveau 6.").level == 3


@pytest.mark.parametrize(
    "text, level",
    [("Bac+1", 0), ("Bac+6", 5), ("Bac+7", 5), ("Bac+8", 8), ("Bac+10", 8), ("Bac+99", None)],
)
def test_odd_bac_numbers(text, level):
    assert normalise_education(text).level == level


def test_everyday_words_are_not_degrees_in_a_description():
    for description in (
        "Vous gérez les licences des outils.",
        "La maîtrise de Python est requise.",
        "Scrum Master certifié apprécié.",
        "NOTRE BUT EST DE VOUS FAIRE GRANDIR",
        "Des bureaux de 300 m2 à Lyon.",
    ):
        assert normalise_education(None, description=description).level is None, description


def test_unknown_keeps_the_raw_text():
    assert normalise_education("Sans précision") == Education(None, None, None, "Sans précision")
    assert normalise_education(None) == Education(None, None, None, None)


def test_non_strings_are_unknown():
    got = normalise_education(5, description=["Bac+5"])  # type: ignore[arg-type]
    assert got == Education(None, None, None, None)


# --- properties -------------------------------------------------------------------------------

_FRAGMENTS = [
    "Bac",
    "+",
    "5",
    "Bac+5",
    "Bac+3/5",
    "Master",
    "Master 2",
    "M2",
    "M1",
    "MBA",
    "Licence",
    "BTS",
    "BUT",
    "DUT",
    "CAP",
    "Doctorat",
    "PhD",
    "Niveau",
    "7",
    "RNCP",
    "titre",
    "II",
    "IV",
    "école d'ingénieur",
    "Scrum",
    "à",
    "ou",
    ";",
    ".",
    ",",
    "\n",
    "<p>",
    "Ã©",
    "ï¿½",
    "99",
    "bachelor degree",
    "Master's",
    "de commerce",
]
_text = st.one_of(
    st.none(),
    st.text(),
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=3)), max_size=20).map(
        " ".join
    ),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=20).map("".join),
)


def _check(got: Education) -> None:
    assert isinstance(got, Education)
    assert got.level in (*LABELS, None)
    assert got.label == LABELS.get(got.level)
    assert got.basis in ("stated", "parsed", None)
    assert (got.basis is None) == (got.level is None)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text, description=_text)
def test_any_input_gives_a_value_or_none(text, description):
    _check(normalise_education(text, description=description))


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=_text, description=_text)
def test_fuzz_any_input_gives_a_value_or_none(text, description):
    _check(normalise_education(text, description=description))


@pytest.mark.parametrize(
    "unit", ["Bac+", "Bac+5 ", " ", "a", "niveau 6 ", "Master ", "BUT ", ".", "\n", "<li>", "+"]
)
def test_long_inputs_take_linear_time(unit):
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    start = time.perf_counter()
    for value in (text, text + "x"):
        _check(normalise_education(value, description=value))
        _check(normalise_education(None, description=value))
    assert time.perf_counter() - start < 10
