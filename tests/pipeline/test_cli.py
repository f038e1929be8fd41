import csv
import io
import json
import subprocess
import sys

import pytest
from click.testing import CliRunner

from db.migrations import open_db
from db.queries import EXPORT_COLUMNS
from pipeline.cli import cli
from tests.helpers import fixture_path

JOBSPY = str(fixture_path("import/jobspy.csv"))


@pytest.fixture
def run(tmp_path):
    runner = CliRunner()
    db = str(tmp_path / "b.db")

    def invoke(*args, db_path=db):
        return runner.invoke(cli, ["--db", db_path, *args], catch_exceptions=False)

    invoke.db = db
    return invoke


def offers_in(path):
    db = open_db(path)
    try:
        return {(r["source"], r["source_id"]): r for r in db["offers"].rows}
    finally:
        db.close()


def test_help_with_dash_h_and_every_command_listed():
    result = CliRunner().invoke(cli, ["-h"])
    assert result.exit_code == 0
    for command in ("crawl", "import", "export", "offers"):
        assert command in result.output


def test_python_dash_m_runs_the_same_command():
    result = subprocess.run(
        [sys.executable, "-m", "pipeline", "-h"], capture_output=True, text=True, check=True
    )
    assert result.stdout.startswith("Usage: botjobs")


def test_database_comes_from_option_then_env_then_user_dir(tmp_path, monkeypatch):
    runner = CliRunner()
    monkeypatch.setenv("BOTJOBS_DB", str(tmp_path / "env.db"))
    result = runner.invoke(cli, ["offers"])
    assert f"database: {tmp_path / 'env.db'}" in result.stderr
    result = runner.invoke(cli, ["--db", str(tmp_path / "opt.db"), "offers"])
    assert f"database: {tmp_path / 'opt.db'}" in result.stderr
    monkeypatch.delenv("BOTJOBS_DB")
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    result = runner.invoke(cli, ["offers"])
    assert f"database: {tmp_path / 'xdg' / 'botjobs' / 'botjobs.db'}" in result.stderr
    assert (tmp_path / "xdg" / "botjobs" / "botjobs.db").exists()


def test_import_jobspy_twice_keeps_each_offer_once(run):
    first = run("import", JOBSPY)
    assert first.exit_code == 0
    assert "4 lines — 3 new, 0 updated, 0 unchanged, 1 rejected" in first.stdout
    assert "jobspy.csv, line 10: missing title" in first.stderr
    second = run("import", JOBSPY)
    assert "0 new, 0 updated, 3 unchanged, 1 rejected" in second.stdout
    assert len(offers_in(run.db)) == 3


def test_an_import_on_a_terminal_shows_its_progress_and_clears_it_for_bad_lines(run, monkeypatch):
    monkeypatch.setattr("pipeline.cli.on_terminal", lambda: True)
    result = run("import", JOBSPY)
    assert "\r1 read — 1 new, 0 updated, 0 unchanged, 0 rejected" in result.stderr
    cleared = "\r" + " " * 80 + "\r"
    assert cleared + f"{JOBSPY}, line 10: missing title" in result.stderr
    assert result.stderr.rstrip("\n").endswith(cleared)  # the last status line is cleared
    assert "4 lines — 3 new" in result.stdout  # the summary stays on stdout


def test_malformed_jsonl_line_is_named_and_the_rest_imported(run, tmp_path):
    path = tmp_path / "o.jsonl"
    path.write_text(
        '{"source": "apec", "source_id": "1", "title": "Chargé de projet chatbot"}\n'
        '{"source": "apec", "source_id": "2", "title": \n'
        '{"source": "apec", "source_id": "3", "title": "Voicebot lead", "unknown": 1}\n',
        encoding="utf-8",
    )
    result = run("import", str(path))
    assert result.exit_code == 0
    assert "o.jsonl, line 2: invalid JSON" in result.stderr
    assert set(offers_in(run.db)) == {("apec", "1"), ("apec", "3")}
    db = open_db(run.db)
    (reject,) = db["rejects"].rows
    assert reject["reason"].startswith("line 2: invalid JSON")
    assert reject["payload"].startswith('{"source": "apec", "source_id": "2"')
    (import_run,) = db["crawl_runs"].rows
    assert (import_run["mode"], import_run["new"], import_run["errors"]) == ("import", 2, 1)


def test_unrecognised_file_is_one_clear_error(run, tmp_path):
    path = tmp_path / "x.csv"
    path.write_text("name,age\nbob,3\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "not JSON Lines, python-jobspy CSV" in result.stderr


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_export_import_round_trip_keeps_every_offer_once(run, tmp_path, fmt):
    run("import", JOBSPY)
    out = tmp_path / f"offers.{fmt}"
    result = run("export", "--format", fmt, "--output", str(out))
    assert "3 offers written" in result.stderr
    text = out.read_text("utf-8")
    rows = (
        [json.loads(line) for line in text.splitlines()]
        if fmt == "jsonl"
        else list(csv.DictReader(io.StringIO(text)))
    )
    assert len(rows) == 3
    assert set(rows[0]) == set(EXPORT_COLUMNS)
    fresh = str(tmp_path / "fresh.db")
    result = run("import", str(out), db_path=fresh)
    assert "3 new" in result.stdout
    before, after = offers_in(run.db), offers_in(fresh)
    assert set(before) == set(after)
    for key, offer in before.items():
        for column in ("title", "company", "location", "url", "contract_raw", "description"):
            assert after[key][column] == offer[column], column
    # and into the database it came from: nothing new, nothing twice
    result = run("import", str(out))
    assert "0 new" in result.stdout
    assert len(offers_in(run.db)) == 3


def test_offers_lists_what_was_stored(run):
    run("import", JOBSPY)
    result = run("offers", "--limit", "2")
    assert "2 of 3 offers" in result.stdout


def test_crawl_rejects_unknown_source_and_conflicting_modes(run, tmp_path):
    result = CliRunner().invoke(cli, ["--db", run.db, "crawl", "--source", "nope"])
    assert result.exit_code == 2 and "unknown source nope" in result.output
    result = CliRunner().invoke(
        cli, ["--db", run.db, "crawl", "--offline", "--record", str(tmp_path)]
    )
    assert result.exit_code == 2 and "choose one" in result.output


def test_export_gives_every_listing_of_an_offer(run, tmp_path):
    run("import", JOBSPY)
    out = tmp_path / "o.jsonl"
    run("export", "--output", str(out))
    first = json.loads(out.read_text("utf-8").splitlines()[0])
    (listing,) = first["listings"]
    assert (listing["source"], listing["source_id"]) == ("indeed", "8f2c1a9b7d3e4f50")
    assert listing["url"] == first["url"] and listing["first_seen"] == first["first_seen"]
    assert (first["source"], first["source_id"]) == (listing["source"], listing["source_id"])
