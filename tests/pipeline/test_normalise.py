"""The normalise stage wired to every field's normaliser, and normalising stored offers again."""

from datetime import UTC, datetime

from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from db.migrations import open_db
from pipeline import ingest as ingest_module
from pipeline.cli import cli
from pipeline.ingest import Ingest, renormalise
from pipeline.items import RAW_FIELDS, TEXT_FIELDS
from pipeline.normalise import normalise
from pipeline.validate import validate

NOW = datetime(2026, 11, 27, 9, 0, tzinfo=UTC)

FRANCE_TRAVAIL = {
    "source": "france_travail",
    "source_id": "204XKPL",
    "title": "Chargé de projet chatbot (H/F)",
    "company": "MUTUELLE ATLANTIQUE SANTE",
    "location": "44 - Nantes",
    "salary": "Mensuel de 2800.0 Euros à 3200.0 Euros sur 13.0 mois",
    "contract": "Contrat à durée déterminée - 12 Mois",
    "description": "<p>Vous pilotez le chatbot (Dialogflow).</p><ul><li>2 jours de télétravail"
    " par semaine</li></ul><p>Bac+5, 3 ans d'expérience minimum.</p>",
    "posted_at": "2026-11-20T10:00:00.000Z",
    "postal_code": "44000",
    "commune": "44109",
    "latitude": 47.2184,
    "longitude": -1.5536,
    "skills": ["Gestion de projet", "Dialogflow", "Gestion de projet"],
    "experience": "3 An(s)",
    "education": "Bac+5 et plus ou équivalents",
}


def normalised(**changes):
    record, reason = validate({**FRANCE_TRAVAIL, **changes})
    assert reason is None
    return normalise(record, NOW)


def test_a_france_travail_offer_is_normalised_field_by_field():
    n = normalised()
    assert n["title_clean"] == "Chargé de projet chatbot"
    assert (n["salary_min"], n["salary_max"], n["salary_period"]) == (2800, 3200, "month")
    assert (n["salary_annual_min"], n["salary_annual_max"]) == (36400, 41600)  # × 13 months
    assert (n["salary_months"], n["salary_basis"]) == (13, "parsed")
    assert (n["city"], n["commune"], n["department"]) == ("Nantes", "44109", "44")
    assert (n["region"], n["country"], n["place_basis"]) == ("Pays de la Loire", "FR", "stated")
    assert (n["latitude"], n["longitude"]) == (47.2184, -1.5536)
    assert (n["contract"], n["contract_months"]) == ("CDD", 12)
    assert (n["remote"], n["remote_days"]) == ("hybrid", 2)
    assert (n["experience_years"], n["seniority"]) == (3, "confirmé")
    assert n["education_level"] == 5
    assert (n["posted_at"], n["posted_at_basis"]) == ("2026-11-20", "stated")
    assert n["skills"] == '["Gestion de projet", "Dialogflow"]'
    assert n["description_text"].startswith("Vous pilotez le chatbot (Dialogflow).")
    assert "<" not in n["description_text"]


def test_stated_salary_fields_win_over_the_text():
    n = normalised(
        salary_min="45000", salary_max=52000, salary_period="YEAR", salary_currency="EUR"
    )
    assert (n["salary_annual_min"], n["salary_annual_max"], n["salary_basis"]) == (
        45000,
        52000,
        "stated",
    )


def test_unknown_stays_none():
    n = normalise(validate({"source": "x", "source_id": "1", "title": "Offre"})[0], NOW)
    assert n["title_clean"] == "Offre"
    assert all(v is None for k, v in n.items() if k != "title_clean"), n


text_or_none = st.one_of(st.none(), st.text(max_size=300))


@settings(max_examples=200, suppress_health_check=[HealthCheck.too_slow], deadline=None)
@given(st.fixed_dictionaries({key: text_or_none for key in TEXT_FIELDS}), st.data())
def test_any_record_normalises_without_raising(texts, data):
    item = {
        **texts,
        "source": "s",
        "source_id": "1",
        "title": (texts["title"] or "").strip() or "t",
    }
    for key in set(RAW_FIELDS) - set(TEXT_FIELDS):
        item[key] = data.draw(st.one_of(text_or_none, st.integers(), st.floats()), label=key)
    record, _ = validate(item)
    result = normalise(record, NOW)
    assert set(result) >= {"salary_annual_min", "department", "contract", "remote", "posted_at"}


def test_stored_offers_are_normalised_again(tmp_path):
    path = str(tmp_path / "r.db")
    db = open_db(path)
    Ingest(db, "france_travail", "offline").add(FRANCE_TRAVAIL)
    db.execute("update offers set department = null, salary_annual_min = null")
    db.conn.commit()
    assert renormalise(db) == (1, 1)
    row = db["offers"].get(1)
    assert (row["department"], row["salary_annual_min"]) == ("44", 36400)
    db.close()
    result = CliRunner().invoke(cli, ["--db", path, "normalise"])
    assert "1 offers normalised again, 0 of them changed" in result.output


def test_many_offers_are_normalised_again_on_other_processes(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "CHUNK", 2)
    db = open_db(str(tmp_path / "r.db"))
    ingest = Ingest(db, "france_travail", "offline")
    for n in range(7):
        company, title = f"Entreprise {n}", f"{FRANCE_TRAVAIL['title']} {n}"
        ingest.add({**FRANCE_TRAVAIL, "source_id": str(n), "company": company, "title": title})
    before = list(db.query("select * from offers order by id"))
    db.execute("update offers set department = null, salary_annual_min = null, remote = null")
    db.conn.commit()
    assert renormalise(db, jobs=2) == (7, 7)
    assert list(db.query("select * from offers order by id")) == before
    assert renormalise(db, jobs=2) == (7, 0)
    db.close()


def test_an_offer_normalised_again_keeps_what_its_other_listings_filled(tmp_path):
    db = open_db(str(tmp_path / "r.db"))
    board = {**FRANCE_TRAVAIL, "salary": None, "company": None, "apply_url": None}
    Ingest(db, "france_travail", "offline").add(board)
    employer = {
        **FRANCE_TRAVAIL,
        "source": "jobposting",
        "source_id": "https://careers.example.fr/jobs/42",
        "url": "https://careers.example.fr/jobs/42",
    }
    Ingest(db, "jobposting", "offline", employer_site=True).add(employer)
    (before,) = db.query("select * from offers")
    assert before["salary_annual_min"] == 36400 and before["company"]
    assert before["apply_url"] == "https://careers.example.fr/jobs/42"
    db.execute("update offers set department = null")
    db.conn.commit()
    assert renormalise(db) == (1, 1)
    assert list(db.query("select * from offers")) == [before]
