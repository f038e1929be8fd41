"""normalise_contract: the labelled table, the tricky rules, and robustness on any input."""

from __future__ import annotations

import dataclasses
import time
import tomllib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.contract import CONTRACT_TYPES, DATA_FILE, Contract, normalise_contract
from pipeline.text import fold, plain_text
from tests.helpers import case_header, case_params, case_rows

COLUMNS = ["text", "title", "description", "exp_type", "exp_months", "note"]


ROWS = case_rows("contract")


def _expected(row: dict[str, str]) -> tuple[str | None, float | None]:
    return row["exp_type"] or None, float(row["exp_months"]) if row["exp_months"] else None


def _run(row: dict[str, str]) -> Contract:
    return normalise_contract(
        row["text"] or None, title=row["title"] or None, description=row["description"] or None
    )


def _id(row: dict[str, str]) -> str:
    return " | ".join(part[:40] for part in (row["text"], row["title"], row["description"]))


# --- the table ----------------------------------------------------------------------------------


def test_table_has_the_agreed_columns_and_size():
    assert case_header("contract") == COLUMNS
    assert len(ROWS) >= 100
    for row in ROWS:
        assert None not in row, f"extra cells in {row}"
        assert row["exp_type"] in (*CONTRACT_TYPES, ""), row


def test_table_covers_every_code_of_the_vocabulary():
    with DATA_FILE.open("rb") as handle:
        codes = tomllib.load(handle)["codes"]
    texts = {row["text"] for row in ROWS}
    missing = [code for code in codes if code not in texts]
    assert not missing, f"codes without a table row: {missing}"


@pytest.mark.parametrize("row", case_params("contract", ids=lambda number, row: _id(row)))
def test_table_row(row):
    result = _run(row)
    assert (result.type, result.months) == _expected(row), row["note"]


def test_table_accuracy_is_at_least_95_percent():
    right = sum((_run(row).type, _run(row).months) == _expected(row) for row in ROWS)
    assert right / len(ROWS) >= 0.95, f"{right}/{len(ROWS)}"


# --- rules --------------------------------------------------------------------------------------


def test_unknown_is_all_none():
    assert normalise_contract(None) == Contract(None, None, None, None)
    assert normalise_contract("   ", title="", description=None) == Contract()
    assert normalise_contract("Temps plein", title="Chef de projet chatbot").type is None


def test_a_stated_code_says_so_and_keeps_its_text():
    result = normalise_contract("MIS", title="Chef de projet (H/F)")
    assert result == Contract("interim", None, "stated", "MIS")
    label = normalise_contract("Contrat à durée déterminée - 6 Mois")
    assert label == Contract("CDD", 6.0, "stated", "Contrat à durée déterminée - 6 Mois")


def test_text_found_in_the_title_or_description_is_parsed():
    title = normalise_contract(None, title="Alternance - Chargé de projet chatbot (F/H)")
    assert (title.type, title.basis) == ("alternance", "parsed")
    assert title.raw == "Alternance - Chargé de projet chatbot (F/H)"
    body = normalise_contract("FULL_TIME", description="Intro. Poste en CDI basé à Paris. Fin.")
    assert (body.type, body.basis, body.raw) == ("CDI", "parsed", "Poste en CDI basé à Paris")


def test_wttj_full_time_is_a_cdi_but_schema_org_full_time_is_not():
    assert normalise_contract("full_time").type == "CDI"
    assert normalise_contract("FULL_TIME").type is None


def test_a_broad_code_is_refined_by_the_title_and_says_parsed():
    result = normalise_contract("TEMPORARY", title="Chef de projet chatbot - Intérim")
    assert (result.type, result.basis) == ("interim", "parsed")
    assert normalise_contract("TEMPORARY", title="Chef de projet chatbot").basis == "stated"


def test_france_travail_apprenticeships_filed_as_cdd_are_alternance():
    result = normalise_contract(
        "Contrat à durée déterminée - 24 Mois", title="Alternance - Chef de projet chatbot"
    )
    assert (result.type, result.months, result.basis) == ("alternance", 24.0, "parsed")


def test_the_title_comes_before_the_description():
    result = normalise_contract(None, title="Stage - Chatbot", description="Poste en CDI.")
    assert result.type == "stage"


def test_a_prospect_or_a_past_is_no_claim():
    prospect = "Stage de 6 mois. Possibilité de CDI à l'issue du stage."
    assert normalise_contract(None, description=prospect) == normalise_contract(
        None, description="Stage de 6 mois."
    )
    assert normalise_contract(None, description="Vous avez réalisé un stage.").type is None
    assert (
        normalise_contract(None, description="Poste en CDD pouvant déboucher sur un CDI.").type
        == "CDD"
    )


@pytest.mark.parametrize(
    "text, months",
    [
        ("Stage - 12 semaines", 2.8),
        ("CDD de 15 jours", 0.5),
        ("Alternance 2 ans", 24.0),
        ("CDD d'un an", 12.0),
        ("Stage de 4 à 6 mois", 6.0),
        ("CDD de 1,5 an", 18.0),
        ("Intérim - dix-huit mois", 18.0),
        ("CDI - 6 mois", None),
    ],
)
def test_lengths(text, months):
    assert normalise_contract(text).months == months


def test_experience_and_trial_periods_are_not_lengths():
    assert normalise_contract("CDD", description="3 ans d'expérience exigés.").months is None
    assert (
        normalise_contract("CDD", description="Contrat, période d'essai de 2 mois").months is None
    )


def test_apec_codes_given_as_numbers_work():
    assert normalise_contract(101888).type == "CDI"  # type: ignore[arg-type]
    assert normalise_contract(597137.0).type == "alternance"  # type: ignore[arg-type]


def test_a_list_of_codes_states_its_first_contract():
    assert normalise_contract("FULL_TIME, INTERN").type == "stage"
    assert normalise_contract(["PART_TIME", "CONTRACTOR"]).type == "freelance"  # type: ignore[arg-type]


def test_mojibake_and_markup_are_read():
    assert normalise_contract("Contrat Ã  durÃ©e dÃ©terminÃ©e - 9 Mois").months == 9.0
    assert (
        normalise_contract(
            None, description="&lt;p&gt;Contrat : &lt;b&gt;CDI&lt;/b&gt;&lt;/p&gt;"
        ).type
        == "CDI"
    )
    assert normalise_contract(None, title="Stage &amp; IA H&#x2F;F").type == "stage"


def test_result_is_frozen():
    with pytest.raises(dataclasses.FrozenInstanceError):
        normalise_contract("CDI").type = "CDD"  # type: ignore[misc]


def test_text_helpers_keep_lengths_and_repair_text():
    text = "Télétravail – l’équipe Œuvre ß İ"
    assert len(fold(text)) == len(text)
    assert fold("Télétravail – l’équipe") == "teletravail - l'equipe"
    assert plain_text("<p>Un</p><p>Deux&nbsp;&amp; trois</p>") == "Un\n\nDeux & trois"
    assert plain_text("TÃ©lÃ©travail ï¿½") == "Télétravail \ufffd"
    assert plain_text("Prix < 40 k€ et > 30 k€") == "Prix < 40 k€ et > 30 k€"


# --- robustness ---------------------------------------------------------------------------------

FRAGMENTS = [
    "CDI",
    "CDD",
    "cdd de 6 mois",
    "Stage",
    "stage de fin d'études",
    "alternance",
    "apprentissage",
    "intérim",
    "par intérim",
    "freelance",
    "TJM",
    "VIE",
    "vie",
    "FULL_TIME",
    "INTERN",
    "full_time",
    "101888",
    "Mission intérimaire - 3 Mois",
    "possibilité de CDI",
    "à l'issue",
    "de",
    "mois",
    "semaines",
    "ans",
    "12",
    "1,5",
    "dix-huit",
    "à",
    "-",
    ",",
    ".",
    ";",
    "\n",
    " ",
    "(",
    ")",
    "<p>",
    "</p>",
    "&amp;",
    "&lt;",
    "Ã©",
    "ï¿½",
    "\ufffd",
    "Ã ",
    "’",
    "expérience",
    "période d'essai",
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


def _check(result: Contract) -> None:
    assert isinstance(result, Contract)
    assert result.type is None or result.type in CONTRACT_TYPES
    assert result.basis in (None, "stated", "parsed")
    assert result.months is None or 0 < result.months <= 72
    if result.type is None:
        assert result.months is None and result.basis is None
    if result.type == "CDI":
        assert result.months is None
    assert result.raw is None or (isinstance(result.raw, str) and result.raw)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=any_text, title=any_text, description=any_text)
def test_any_input_gives_a_contract_or_none(text, title, description):
    _check(normalise_contract(text, title=title, description=description))


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(text=any_text, title=any_text, description=any_text)
def test_fuzz_any_input_gives_a_contract_or_none(text, title, description):
    _check(normalise_contract(text, title=title, description=description))


LONG = 200_000


@pytest.mark.parametrize(
    "text",
    [
        ("CDD de 6 mois, possibilité de CDI à l'issue du stage. " * LONG)[:LONG],
        "-" * LONG,
        "1" * LONG,
        "<a" * (LONG // 2),
        ("stage " * LONG)[:LONG],
        ("Ã© " * LONG)[:LONG],
    ],
    ids=["phrases", "hyphens", "digits", "open-tags", "words", "mojibake"],
)
def test_a_200000_character_input_is_read_in_linear_time(text):
    started = time.perf_counter()
    _check(normalise_contract(None, description=text))
    # Linear work takes well under a second here; catastrophic backtracking would take hours.
    assert time.perf_counter() - started < 30


def test_200000_characters_in_every_field():
    text = ("Alternance 24 mois ou CDI intérimaire, TJM, VIE de 12 mois ; " * LONG)[:LONG]
    started = time.perf_counter()
    _check(normalise_contract(text, title=text, description=text))
    assert time.perf_counter() - started < 60
