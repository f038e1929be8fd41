"""normalise_remote: the labelled table, the tricky rules, and robustness on any input."""

from __future__ import annotations

import dataclasses
import time
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.remote import DATA_FILE, REMOTE_VALUES, Remote, normalise_remote
from tests.helpers import case_header, case_params, case_rows

COLUMNS = ["stated", "description", "title", "location", "exp_remote", "exp_days", "note"]


ROWS = case_rows("remote")


def _run(row: dict[str, str]) -> Remote:
    return normalise_remote(
        row["stated"] or None,
        description=row["description"] or None,
        title=row["title"] or None,
        location=row["location"] or None,
    )


def _id(row: dict[str, str]) -> str:
    parts = (row["stated"], row["description"], row["title"], row["location"])
    return " | ".join(part[:40] for part in parts)


# --- the table ----------------------------------------------------------------------------------


def test_table_has_the_agreed_columns_and_size():
    assert case_header("remote") == COLUMNS
    assert len(ROWS) >= 100
    for row in ROWS:
        assert None not in row, f"extra cells in {row}"
        assert row["exp_remote"] in (*REMOTE_VALUES, ""), row


def test_table_covers_every_structured_value():
    with DATA_FILE.open("rb") as handle:
        codes = {code.lower() for code in tomllib.load(handle)["codes"]}
    stated = {row["stated"].lower() for row in ROWS}
    # jobspy writes "false" only when it knows nothing: the importer passes None instead.
    missing = sorted(codes - stated - {"true", "false", "full"})
    assert not missing, f"values without a table row: {missing}"


@pytest.mark.parametrize("row", case_params("remote", ids=lambda number, row: _id(row)))
def test_table_row(row):
    result = _run(row)
    expected_days = float(row["exp_days"]) if row["exp_days"] else None
    assert (result.value, result.days_per_week) == (row["exp_remote"] or None, expected_days)


def test_table_accuracy_is_at_least_95_percent():
    right = sum(_run(row).value == (row["exp_remote"] or None) for row in ROWS)
    assert right / len(ROWS) >= 0.95, f"{right}/{len(ROWS)}"


# --- rules --------------------------------------------------------------------------------------


def test_unknown_is_all_none_but_the_raw_field():
    assert normalise_remote(None) == Remote()
    assert normalise_remote("unknown") == Remote(raw="unknown")
    assert normalise_remote(None, description="Vous pilotez le chatbot.") == Remote()


def test_a_structured_value_is_stated_and_kept():
    result = normalise_remote(" TELECOMMUTE ")
    assert result == Remote("full", None, "stated", "TELECOMMUTE", "TELECOMMUTE")
    assert normalise_remote("partial").basis == "stated"


def test_telecommute_yields_to_a_stated_hybrid_arrangement():
    result = normalise_remote("TELECOMMUTE", description="Télétravail : 2 jours par semaine.")
    assert result == Remote(
        "hybrid", 2.0, "parsed", "Télétravail : 2 jours par semaine", "TELECOMMUTE"
    )
    kept = normalise_remote("TELECOMMUTE", description="Télétravail possible")
    assert (kept.value, kept.basis) == ("hybrid", "parsed")
    assert normalise_remote("TELECOMMUTE", description="Poste en présentiel").value == "full"


def test_firm_structured_values_are_not_overruled():
    assert normalise_remote("no", description="Télétravail 2 jours par semaine").value == "none"
    partial = normalise_remote("partial", description="Télétravail : 3 jours par semaine")
    assert (partial.value, partial.days_per_week, partial.basis) == ("hybrid", 3.0, "stated")


def test_negations_win_over_the_word_they_contain():
    for text in (
        "Télétravail non possible",
        "Le télétravail n'est pas possible pour ce poste.",
        "Pas de télétravail",
        "No remote.",
        "Poste non éligible au télétravail.",
    ):
        assert normalise_remote(None, description=text).value == "none", text
    assert (
        normalise_remote(None, description="Pas de full remote, 2 jours de télétravail").value
        == "hybrid"
    )


def test_company_policy_is_not_a_claim_about_the_role():
    assert (
        normalise_remote(None, description="Nous sommes une entreprise remote-friendly.").value
        is None
    )
    assert (
        normalise_remote(None, description="Notre charte de télétravail est signée.").value is None
    )
    general = "Nous proposons 2 jours de télétravail par semaine à tous nos collaborateurs."
    assert normalise_remote(None, description=general).value == "hybrid"
    role = "Nous sommes remote-first. Ce poste est 100% sur site."
    assert normalise_remote(None, description=role).value == "none"


def test_a_technical_hybrid_or_remote_is_not_remote_work():
    for text in (
        "Architecture hybride LLM + règles.",
        "Remote monitoring des serveurs.",
        "Formation à distance.",
    ):
        assert normalise_remote(None, description=text).value is None, text


def test_title_then_location_then_description():
    result = normalise_remote(
        None, title="PO chatbot - Full remote", location="Paris (Hybride)", description="Présentiel"
    )
    assert (result.value, result.evidence) == ("full", "PO chatbot - Full remote")
    place = normalise_remote(None, location="Paris (Hybride)", description="Poste en présentiel.")
    assert place.value == "hybrid"


@pytest.mark.parametrize(
    "text, days",
    [
        ("Télétravail 2 jours par semaine", 2.0),
        ("2j de télétravail / semaine", 2.0),
        ("Télétravail : 50 %", 2.5),
        ("Hybride : 3 jours sur site", 2.0),
        ("Télétravail jusqu'à 10 jours par mois", 2.3),
        ("Télétravail 2 à 3 jours", 3.0),
        ("Télétravail une semaine sur deux", 2.5),
        ("Télétravail possible", None),
        ("Hybrid: 2 days in the office", 3.0),
        ("Télétravail un jour par semaine", 1.0),
    ],
)
def test_days_per_week(text, days):
    result = normalise_remote(None, description=text)
    assert (result.value, result.days_per_week) == ("hybrid", days)


def test_holidays_and_travel_are_not_remote_days():
    result = normalise_remote(None, description="Télétravail possible, 25 jours de congés par an.")
    assert (result.value, result.days_per_week) == ("hybrid", None)
    assert normalise_remote(None, description="Déplacements 2 jours par semaine.").value is None


def test_evidence_is_short_and_from_the_text():
    long = "Vous pilotez le chatbot. " + "x" * 300 + " télétravail partiel possible " + "y" * 300
    result = normalise_remote(None, description=long)
    assert result.value == "hybrid"
    assert result.evidence is not None and len(result.evidence) <= 120
    assert "télétravail partiel" in result.evidence


def test_mojibake_and_markup_are_read():
    assert normalise_remote(None, description="TÃ©lÃ©travail complet").value == "full"
    html = "<p>Poste ouvert en <strong>télétravail complet</strong>.</p>"
    assert normalise_remote(None, description=html).value == "full"


def test_result_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        normalise_remote("partial").value = "full"  # type: ignore[misc]


# --- robustness ---------------------------------------------------------------------------------

FRAGMENTS = [
    "télétravail",
    "Télétravail partiel",
    "full remote",
    "100%",
    "%",
    "hybride",
    "Hybrid",
    "remote",
    "remote-first",
    "pas de",
    "non",
    "possible",
    "présentiel",
    "sur site",
    "on-site",
    "2",
    "jours",
    "j",
    "par semaine",
    "par mois",
    "/semaine",
    "à",
    "jusqu'à",
    "nous",
    "notre charte",
    "tous nos",
    "collaborateurs",
    "ce poste",
    "TELECOMMUTE",
    "partial",
    "no",
    "une semaine sur deux",
    "de",
    " ",
    "\n",
    ".",
    ",",
    ";",
    ":",
    "(",
    ")",
    "<p>",
    "</p>",
    "&amp;",
    "&lt;",
    "Ã©",
    "ï¿½",
    "\ufffd",
    "’",
]
wordy = st.lists(st.sampled_from(FRAGMENTS), max_size=40).map("".join)
any_text = st.one_of(
    st.none(),
    st.text(),
    st.text(alphabet=st.characters(codec="utf-8")),
    st.binary().map(lambda b: b.decode("latin-1")),
    st.binary().map(lambda b: b.decode("utf-8", "replace")),
    wordy,
)


def _check(result: Remote) -> None:
    assert isinstance(result, Remote)
    assert result.value is None or result.value in REMOTE_VALUES
    assert result.basis in (None, "stated", "parsed")
    if result.value is None:
        assert result.days_per_week is None and result.basis is None and result.evidence is None
    if result.days_per_week is not None:
        assert result.value in ("hybrid", "full")
        assert 0 < result.days_per_week <= 5
    assert result.evidence is None or 0 < len(result.evidence) <= 120
    assert result.raw is None or (isinstance(result.raw, str) and result.raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(stated=any_text, description=any_text, title=any_text, location=any_text)
def test_any_input_gives_a_remote_value_or_none(stated, description, title, location):
    _check(normalise_remote(stated, description=description, title=title, location=location))


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(stated=any_text, description=any_text, title=any_text, location=any_text)
def test_fuzz_any_input_gives_a_remote_value_or_none(stated, description, title, location):
    _check(normalise_remote(stated, description=description, title=title, location=location))


LONG = 200_000


@pytest.mark.parametrize(
    "text",
    [
        ("Pas de télétravail. Télétravail 2 jours par semaine, 50 %, hybride : " * LONG)[:LONG],
        "-" * LONG,
        ("2 jours " * LONG)[:LONG],
        ("50% " * LONG)[:LONG],
        ("nous télétravail " * LONG)[:LONG],
    ],
    ids=["phrases", "hyphens", "days", "percents", "policy"],
)
def test_a_200000_character_input_is_read_in_linear_time(text):
    started = time.perf_counter()
    _check(normalise_remote(None, description=text))
    # Linear work takes about a second here; catastrophic backtracking would take hours.
    assert time.perf_counter() - started < 30


def test_200000_characters_in_every_field():
    text = ("Télétravail non possible. Full remote, hybride 2 jours sur site ; " * LONG)[:LONG]
    started = time.perf_counter()
    _check(normalise_remote(text, description=text, title=text, location=text))
    assert time.perf_counter() - started < 60
