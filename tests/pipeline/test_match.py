"""Matching wired to the database and the command line."""

import json

import pytest
from click.testing import CliRunner

from db.migrations import open_db
from matching.profile import TEMPLATE
from pipeline.cli import cli
from pipeline.ingest import Ingest
from pipeline.match import read_profile, score_offers, store_profile

OFFERS = [
    {
        "source": "apec", "source_id": "1", "title": "Chargé de projet chatbot H/F",
        "company": "ACME", "location": "Paris 08 - 75", "salary": "45 - 50 k€ brut annuel",
        "contract": "CDI", "description": "Chatbot Dialogflow et Rasa, gestion de projet, Python.",
    },
    {
        "source": "apec", "source_id": "2", "title": "Technicien support N1",
        "company": "HelpCo", "location": "Lille (59)", "contract": "CDI",
        "description": "Support utilisateurs, Python apprécié.",
    },
    {
        "source": "apec", "source_id": "3", "title": "Stage - Assistant chef de projet chatbot",
        "company": "ACME", "location": "Paris 08 - 75", "contract": "Stage",
        "description": "Stage de 6 mois autour du chatbot Dialogflow.",
    },
]  # fmt: skip


@pytest.fixture
def db_path(tmp_path):
    path = str(tmp_path / "m.db")
    db = open_db(path)
    ingest = Ingest(db, "apec", "import")
    for offer in OFFERS:
        ingest.add(offer)
    db.close()
    return path


def run(db_path, *args):
    return CliRunner().invoke(cli, ["--db", db_path, *args], catch_exceptions=False)


def test_offers_are_ranked_with_reasons(db_path):
    db = open_db(db_path)
    profile, text, path = read_profile(TEMPLATE)
    profile_id, changed = store_profile(db, profile, text, path)
    assert changed and score_offers(db, profile, profile_id) == 3
    scores = dict(db.execute("select offer_id, score from matches").fetchall())
    assert scores[1] > 70 > scores[3] and scores[2] < 30
    assert store_profile(db, profile, text, path) == (profile_id, False)


def test_matches_lists_best_first_in_every_format(db_path):
    table = run(db_path, "matches")
    assert table.exit_code == 0
    lines = [line for line in table.stdout.splitlines() if not line.startswith("     ")]
    assert "Chargé de projet chatbot — ACME" in lines[0]
    assert "profile: Chargé de projet chatbot" in table.stderr
    data = json.loads(run(db_path, "matches", "--format", "json").stdout)
    assert [d["source_id"] for d in data][0] == "1"
    assert {"id", "source_id", "title", "company", "score", "breakdown"} <= set(data[0])
    assert data[0]["breakdown"]["salary"]["reason"] == "45–50 k€ inside your band (40–50 k€)"
    rows = run(db_path, "matches", "--format", "csv", "--min-score", "50").stdout.splitlines()
    assert rows[0].startswith("id,source_id,title,company,score") and len(rows) == 2


def test_show_explains_one_offer(db_path):
    result = run(db_path, "show", "3")
    assert "lowered: stage: not a contract you accept" in result.stdout
    assert "Stage de 6 mois" in result.stdout
    assert run(db_path, "show", "99").exit_code == 1


def test_init_writes_a_profile_that_match_reads(db_path, tmp_path):
    path = tmp_path / "me.toml"
    assert run(db_path, "init", str(path)).exit_code == 0
    assert run(db_path, "init", str(path)).exit_code == 1  # never overwritten silently
    path.write_text(
        path.read_text("utf-8").replace('places = ["Île-de-France"]', 'places = ["59"]')
    )
    result = run(db_path, "match", "--profile", str(path))
    assert "3 offers scored" in result.stdout
    top = json.loads(run(db_path, "matches", "--profile", str(path), "--format", "json").stdout)
    assert "outside your places" in top[0]["breakdown"]["place"]["reason"]


def test_two_profiles_live_in_one_database(db_path, tmp_path):
    other = tmp_path / "other.toml"
    other.write_text(
        '[profile]\nname = "Support"\ntitles = ["technicien support"]\n', encoding="utf-8"
    )
    run(db_path, "match")
    run(db_path, "match", "--profile", str(other))
    db = open_db(db_path)
    assert db["profiles"].count == 2 and db["matches"].count == 6
    best = db.execute(
        "select offer_id from matches join profiles on profiles.id = profile_id "
        "where profiles.name = 'Support' order by score desc limit 1"
    ).fetchone()[0]
    assert best == 2


def test_a_broken_profile_is_one_clear_error(db_path, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[profile]\ntitles = ["x"]\n[skills]\n"Rasa" = 9\n', encoding="utf-8")
    result = run(db_path, "match", "--profile", str(bad))
    assert result.exit_code == 1 and 'skills."Rasa" must be a weight from 1 to 3' in result.stderr
