import json

import pytest

from pipeline.importer import UnknownFormat, jobspy_to_raw, read_offers, sniff
from tests.helpers import fixture_path

JOBSPY = fixture_path("import/jobspy.csv")


@pytest.fixture(scope="module")
def jobspy_items():
    kind, lines = read_offers(JOBSPY)
    assert kind == "jobspy"
    return [line.item for line in lines]


def test_jobspy_rows_become_raw_offers(jobspy_items):
    first = jobspy_items[0]
    assert first["source"] == "indeed"
    assert (
        first["source_id"] == "8f2c1a9b7d3e4f50"
    )  # the site prefix "in-" is jobspy's, not Indeed's
    assert first["url"] == "https://fr.indeed.com/viewjob?jk=8f2c1a9b7d3e4f50"
    assert first["apply_url"] == "https://careers.example-assurance.fr/offres/4412"
    assert first["title"] == "Chargé de projet Chatbot H/F"
    assert first["company"] == "Assurances du Nord"
    assert first["location"] == "Lille, Hauts-de-France, FR"
    assert first["posted_at"] == "2026-11-20"
    assert first["contract"] == "fulltime"
    assert (first["salary_min"], first["salary_max"]) == (42000.0, 48000.0)
    assert (first["salary_period"], first["salary_currency"]) == ("yearly", "EUR")
    assert first["remote"] is None  # False in jobspy means "not said"
    assert "Dialogflow CX" in first["description"]


def test_jobspy_linkedin_row_without_salary(jobspy_items):
    li = jobspy_items[1]
    assert (li["source"], li["source_id"]) == ("linkedin", "4051234567")
    assert li["remote"] == "remote"
    assert li["salary_min"] is None and li["salary_period"] is None
    assert li["experience"] == "mid-senior level"
    assert li["apply_url"] is None


def test_jobspy_blank_title_stays_blank_for_the_validator(jobspy_items):
    assert jobspy_items[3]["title"] is None


@pytest.mark.parametrize(
    "value, expected", [("nan", None), ("", None), ("None", None), ("12.5", 12.5), ("x", None)]
)
def test_jobspy_numbers(value, expected):
    assert jobspy_to_raw({"min_amount": value})["salary_min"] == expected


def test_jsonl_lines_are_numbered_and_bad_ones_reported(tmp_path):
    path = tmp_path / "o.jsonl"
    path.write_text(
        '{"source": "a", "source_id": "1", "title": "t"}\n'
        "\n"
        '{"source": "a", "source_id": "2", "title": "t"\n'
        "[1]\n"
        '{"source": "a", "source_id": "3", "title": "t", "contract_raw": "CDI", "contract": null}\n',
        encoding="utf-8",
    )
    kind, lines = read_offers(path)
    lines = list(lines)
    assert kind == "jsonl"
    assert [(line.number, line.error is None) for line in lines] == [
        (1, True),
        (3, False),
        (4, False),
        (5, True),
    ]
    assert lines[1].error.startswith("invalid JSON")
    assert lines[2].error == "a JSON list, not an object"
    assert lines[3].item["contract"] == "CDI"  # an export's raw text comes back as the raw field


def test_export_csv_is_recognised(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("id,source,source_id,title,contract_raw\n1,apec,9,T,CDD\n", encoding="utf-8")
    kind, lines = read_offers(path)
    (line,) = list(lines)
    assert kind == "csv"
    assert line.item["contract"] == "CDD" and line.item["source_id"] == "9"


def test_csv_row_with_too_many_cells_is_an_error(tmp_path):
    path = tmp_path / "e.csv"
    path.write_text("source,source_id,title\na,1,t,extra\n", encoding="utf-8")
    (line,) = list(read_offers(path)[1])
    assert line.error == "more cells than columns" and line.number == 2


def test_unknown_format_is_refused():
    with pytest.raises(UnknownFormat):
        sniff("name,age\n")


def test_bom_is_tolerated(tmp_path):
    path = tmp_path / "o.jsonl"
    path.write_bytes("\ufeff".encode() + json.dumps({"source": "a"}).encode() + b"\n")
    assert list(read_offers(path)[1])[0].item == {"source": "a"}
