"""pipeline.title: the labelled table, the rules one by one, and property tests."""

from __future__ import annotations

import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.text import clean_input
from pipeline.title import clean_title
from tests.helpers import case_header, case_params, case_rows

COLUMNS = ["text", "exp_title", "note"]


def test_the_table_has_the_agreed_shape():
    assert case_header("title") == COLUMNS
    assert len(case_rows("title")) >= 60


@pytest.mark.parametrize("row", case_params("title"))
def test_table_row(row):
    expected = row["exp_title"] or None
    assert clean_title(row["text"]) == expected


@pytest.mark.parametrize("row", case_params("title"))
def test_a_clean_title_stays_as_it_is(row):
    expected = row["exp_title"] or None
    if expected is not None and expected != row["text"].strip():
        assert clean_title(expected) == expected


# --- rules ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "mark",
    ["H/F", "F/H", "(H/F)", "(F/H/X)", "H/F/X", "(H/F/NB)", "- H/F", "M/F", "(m/w/d)", "(H-F)"]
    + ["H / F", "(h/f)", "[H/F]", "(F/H) *", "(Homme/Femme)", "(H ou F)"],
)
def test_gender_marks(mark):
    assert clean_title(f"Chef de projet chatbot {mark}") == "Chef de projet chatbot"


@pytest.mark.parametrize(
    "text, expected",
    [
        ("Chargé(e) de projet", "Chargé de projet"),
        ("Chargé·e de projet", "Chargé de projet"),
        ("Chargé.e de projet", "Chargé de projet"),
        ("Chargé·e·s de projet", "Chargé de projet"),
        ("Technicien(ne) support", "Technicien support"),
        ("Développeur(euse) Python", "Développeur Python"),
        ("Directeur(rice) de projet", "Directeur de projet"),
        ("Directrice / Directeur de projet", "Directeur de projet"),
        ("Chargée/Chargé de projet", "Chargé de projet"),
    ],
)
def test_inclusive_forms_keep_the_masculine(text, expected):
    assert clean_title(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "Node.js developer",
        "Ingénieur NLP/NLU",
        "Technicien N1/N2",
        "Chef de projet B2B/B2C",
        "Développeur C++",
        "Chef de projet IA / chatbot",
        "Data/IA Product Owner",
        "Consultant CI/CD",
    ],
)
def test_slashes_and_dots_that_are_not_gender_marks_stay(text):
    assert clean_title(text) == text


def test_all_capitals_become_sentence_case_with_acronyms_and_accents():
    assert clean_title("CHARGE DE PROJET CHATBOT H/F") == "Chargé de projet chatbot"
    assert clean_title("CHEF DE PROJET IA - SNCF") == "Chef de projet IA - SNCF"
    assert clean_title("PRODUCT OWNER UX/UI B2B") == "Product owner UX/UI B2B"
    assert clean_title("RESPONSABLE SECURITE SI") == "Responsable sécurité SI"


def test_only_capitals_are_recased():
    assert clean_title("Chef de Projet Chatbot") == "Chef de Projet Chatbot"
    assert clean_title("iOS developer chatbot") == "iOS developer chatbot"
    assert clean_title("chef de projet chatbot h/f") == "chef de projet chatbot"
    assert clean_title("CHARGE(E) D'ETUDES RH") == "Chargé d'études RH"


def test_a_gender_mark_followed_by_more_words():
    # A place with no separator before it may be part of the role: it stays.
    assert clean_title("Chef de projet H/F Paris") == "Chef de projet Paris"
    assert clean_title("Chef de projet H/F H/F") == "Chef de projet"
    assert clean_title("Chef de projet H/F chatbot") == "Chef de projet chatbot"


def test_starred_noise_is_dropped():
    assert clean_title("Chef de projet chatbot ** URGENT **") == "Chef de projet chatbot"


def test_never_empty():
    for text in ("H/F", "CDI", "- Paris -", "🚀", "***", "(H/F)", "Stage"):
        got = clean_title(text)
        assert got, text
    assert clean_title("🚀") == "🚀"


@pytest.mark.parametrize("value", [None, "", "   ", "\u200b", 42, ["Chef"]])
def test_blank_or_not_text_is_none(value):
    assert clean_title(value) is None


# --- properties -------------------------------------------------------------------------------

_FRAGMENTS = [
    "Chef de projet",
    "chatbot",
    "H/F",
    "(F/H)",
    "(",
    ")",
    "[",
    "]",
    "-",
    " - ",
    "–",
    "|",
    "CDI",
    "CDD 6 mois",
    "Paris",
    "Lyon (69)",
    "Réf.",
    "2026-123",
    "#",
    "🚀",
    "★",
    "Chargé(e)",
    "·e",
    ".e",
    "/",
    "M",
    "W",
    "D",
    "&amp;",
    "&#x2F;",
    "Ã©",
    "ï¿½",
    "\u00a0",
    "\u200b",
    ":",
    ",",
    "en alternance",
    "CHARGE DE",
    "IA",
    "X",
    "nb",
    "\\/",
]
_text = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=3)), max_size=16).map(
        " ".join
    ),
    st.lists(st.sampled_from(_FRAGMENTS), max_size=16).map("".join),
)


def _check(text: str, got: str | None) -> None:
    if not text.strip() or got is None:
        return
    assert isinstance(got, str) and got, repr(text)
    assert got == got.strip()
    assert "  " not in got


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(text=_text)
def test_any_text_gives_a_title_or_none(text):
    got = clean_title(text)
    _check(text, got)
    if got is None:
        assert clean_input(text) is None


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=_text)
def test_fuzz_any_text_gives_a_title_or_none(text):
    _check(text, clean_title(text))


@pytest.mark.parametrize(
    "unit",
    ["a", "H/", "(", "[REF ", "- ", "(e)", "A/B ", "Chargé·", "&amp;", "(H/F/", "cdi x "],
)
def test_long_inputs_take_linear_time(unit):
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    start = time.perf_counter()
    for value in (text + "x", text.upper()):
        _check(value, clean_title(value))
    assert time.perf_counter() - start < 10
