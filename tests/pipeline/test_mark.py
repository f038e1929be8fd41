"""`botjobs mark`: the seeker's own status of an offer, kept through crawls and scoring."""

import json

from click.testing import CliRunner

from db.migrations import open_db
from pipeline.cli import cli
from pipeline.ingest import Ingest

OFFERS = [
    {"source": "apec", "source_id": str(n), "title": f"Chargé de projet chatbot {n}",
     "location": "Paris 08 - 75", "contract": "CDI", "description": "Chatbot Dialogflow."}
    for n in (1, 2)
]  # fmt: skip


def run(path, *args):
    return CliRunner().invoke(cli, ["--db", path, *args], catch_exceptions=False)


def setup(tmp_path):
    path = str(tmp_path / "k.db")
    db = open_db(path)
    ingest = Ingest(db, "apec", "import")
    for offer in OFFERS:
        ingest.add(offer)
    db.close()
    return path


def listed(path, *extra):
    rows = json.loads(run(path, "matches", "--format", "json", *extra).stdout)
    return {row["id"]: row["status"] for row in rows}


def test_dismissed_offers_leave_the_default_lists(tmp_path):
    path = setup(tmp_path)
    assert listed(path) == {1: None, 2: None}
    result = run(path, "mark", "2", "dismissed", "--note", "trop loin")
    assert result.stdout.strip() == "#2: dismissed"
    assert listed(path) == {1: None}
    assert listed(path, "--all") == {1: None, 2: "dismissed"}
    digest = run(path, "digest", "--format", "jsonl", "--output", "-").stdout
    assert [json.loads(line)["id"] for line in digest.splitlines()] == [1]
    assert "you: dismissed" in run(path, "show", "2").stdout
    assert "trop loin" in run(path, "show", "2").stdout


def test_a_status_survives_crawls_and_scoring_and_can_be_cleared(tmp_path):
    path = setup(tmp_path)
    run(path, "mark", "1", "applied")
    db = open_db(path)
    Ingest(db, "apec", "import").add({**OFFERS[0], "salary": "45 k€"})  # the listing changed
    db.close()
    run(path, "match")
    assert listed(path)[1] == "applied"
    run(path, "mark", "1", "clear")
    assert listed(path)[1] is None


def test_marking_an_unknown_offer_is_one_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["--db", setup(tmp_path), "mark", "9", "applied"])
    assert result.exit_code == 1 and "no offer #9" in result.output
    result = CliRunner().invoke(cli, ["--db", setup(tmp_path), "mark", "1", "maybe"])
    assert result.exit_code == 2
