"""`botjobs serve`: Datasette over the database, read-only, on this machine unless asked."""

import asyncio
import importlib.util
import json
import os
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from db.migrations import open_db
from matching.profile import TEMPLATE
from pipeline import serve as serve_module
from pipeline.cli import cli
from pipeline.ingest import Ingest
from pipeline.match import read_profile, score_offers, store_profile
from pipeline.serve import (
    check_host,
    database_name,
    datasette_metadata,
    hidden_tables,
    is_loopback,
    open_read_only,
)

ROOT = Path(__file__).resolve().parents[2]
needs_datasette = pytest.mark.skipif(
    importlib.util.find_spec("datasette") is None, reason="datasette is not installed"
)

OFFERS = [
    {
        "source": "apec", "source_id": "1", "title": "Chargé de projet chatbot H/F",
        "company": "ACME", "location": "Paris 08 - 75", "salary": "45 - 52 k€ brut annuel",
        "contract": "CDI", "description": "Chatbot Dialogflow et Rasa, gestion de projet, Python.",
    },
    {
        "source": "apec", "source_id": "2", "title": "Chef de projet voicebot",
        "company": "Voxa", "location": "Lyon (69)", "salary": "70 - 80 k€ brut annuel",
        "contract": "CDI", "description": "Voicebot, callbot, gestion de projet.",
    },
    {
        "source": "hellowork", "source_id": "3", "title": "Technicien support N1",
        "company": "HelpCo", "location": "Lille (59)", "contract": "CDD",
        "description": "Support utilisateurs.",
    },
]  # fmt: skip


@pytest.fixture
def db_path(tmp_path):
    path = str(tmp_path / "jobs.db")
    db = open_db(path)
    ingest = Ingest(db, "apec", "import")
    for offer in OFFERS:
        ingest.add(offer)
    ingest.finish()
    profile, text, where = read_profile(TEMPLATE)
    profile_id, _ = store_profile(db, profile, text, where)
    score_offers(db, profile, profile_id)
    db.execute("update offers set first_seen = '2026-01-01T00:00:00+00:00' where id = 3")
    db.conn.commit()
    db.close()
    return path


@pytest.fixture
def ro(db_path):
    db = open_read_only(db_path)
    yield db
    db.close()


# --- metadata -----------------------------------------------------------------------------------


def test_metadata_describes_the_database(ro):
    meta = datasette_metadata(ro, "jobs")
    assert meta["title"] == "botjobs" and meta["description"]
    tables = meta["databases"]["jobs"]["tables"]
    offers = tables["offers"]
    assert offers["label_column"] == "title"
    assert offers["facets"] == ["source", "contract", "department", "region", "remote"]
    assert {"first_seen", "posted_at", "salary_annual_max"} <= set(offers["sortable_columns"])
    assert set(offers["sortable_columns"]) <= set(ro["offers"].columns_dict)
    for table in ("offers", "listings", "matches", "profiles", "crawl_runs", "rejects"):
        assert tables[table]["description"]
        assert not tables[table].get("hidden")


def test_fts_shadow_tables_and_migrations_are_hidden(ro):
    hidden = hidden_tables(ro)
    assert {
        "offers_fts", "offers_fts_data", "offers_fts_idx", "offers_fts_docsize",
        "offers_fts_config", "_sqlite_migrations",
    } <= set(hidden)  # fmt: skip
    assert set(hidden) <= set(ro.table_names())
    tables = datasette_metadata(ro, "jobs")["databases"]["jobs"]["tables"]
    assert all(tables[name]["hidden"] is True for name in hidden)


def test_applied_query_and_status_facet_come_from_the_user_status_table(db_path):
    db = open_db(db_path)
    db["user_status"].insert_all(
        [
            {"offer_id": 1, "status": "applied", "updated_at": "2026-11-27"},
            {"offer_id": 3, "status": "dismissed", "updated_at": "2026-11-27"},
        ]
    )
    meta = datasette_metadata(db, "jobs")["databases"]["jobs"]
    assert set(meta["queries"]) == {
        "best_matches", "new_this_week", "inside_my_salary_band", "applied"
    }  # fmt: skip
    assert meta["tables"]["user_status"]["facets"] == ["status"]
    assert [r["id"] for r in db.query(meta["queries"]["applied"]["sql"])] == [1]
    db.close()


def queries(db):
    return datasette_metadata(db, "jobs")["databases"]["jobs"]["queries"]


def test_best_matches_defaults_to_the_first_profile(ro):
    sql = queries(ro)["best_matches"]["sql"]
    rows = list(ro.query(sql, {"profile": ""}))
    assert [r["id"] for r in rows][0] == 1
    assert {r["profile"] for r in rows} == {"Chargé de projet chatbot"}
    scores = [r["score"] for r in rows]
    assert scores == sorted(scores, reverse=True) and len(rows) == 3
    assert list(ro.query(sql, {"profile": "Chargé de projet chatbot"})) == rows
    assert list(ro.query(sql, {"profile": "nobody"})) == []
    assert "Chargé de projet chatbot" in queries(ro)["best_matches"]["description"]


def test_new_this_week_leaves_older_offers_out(ro):
    rows = list(ro.query(queries(ro)["new_this_week"]["sql"]))
    assert {r["id"] for r in rows} == {1, 2}
    assert rows[0]["best_score"] >= rows[1]["best_score"] is not None
    assert rows[0]["best_for"] == "Chargé de projet chatbot"


def test_inside_my_salary_band(ro):
    query = queries(ro)["inside_my_salary_band"]
    # Empty parameters: the stored profile's band, 40–50 k€; 45–52 k€ overlaps, 70–80 k€ doesn't.
    assert [r["id"] for r in ro.query(query["sql"], {"min": "", "max": ""})] == [1]
    assert [r["id"] for r in ro.query(query["sql"], {"min": "75000", "max": "90000"})] == [2]
    band = ro.query(query["sql"], {"min": "50000", "max": "70000"})
    assert sorted(r["id"] for r in band) == [1, 2]
    assert list(ro.query(query["sql"], {"min": "53000", "max": "69000"})) == []
    assert "40000–50000" in query["description"]


def test_database_name_is_the_file_stem():
    assert database_name("/x/jobs.db") == "jobs"
    assert database_name("/x/_internal.db") == "_internal_db"


# --- the host -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True), ("127.1.2.3", True), ("::1", True), ("[::1]", True),
        ("localhost", True), ("0.0.0.0", False), ("::", False), ("192.168.1.10", False),
        ("example.org", False),
    ],
)  # fmt: skip
def test_is_loopback(host, loopback):
    assert is_loopback(host) is loopback


def test_check_host():
    assert check_host("127.0.0.1", explicit=False) is None
    assert "warning: serving on 0.0.0.0" in check_host("0.0.0.0", explicit=True)
    with pytest.raises(click.UsageError, match="give --host 0.0.0.0"):
        check_host("0.0.0.0", explicit=False)


@pytest.fixture
def started(monkeypatch):
    calls = []
    monkeypatch.setattr(
        serve_module, "run_server", lambda app, host, port: calls.append((host, port))
    )
    monkeypatch.delenv("BOTJOBS_HOST", raising=False)
    return calls


def invoke(db_path, *args, env=None):
    return CliRunner().invoke(cli, ["--db", db_path, "serve", *args], env=env)


@needs_datasette
def test_loopback_by_default_without_warning(db_path, started):
    result = invoke(db_path)
    assert result.exit_code == 0, result.output
    assert started == [("127.0.0.1", 8001)]
    assert "warning" not in result.stderr
    assert "read-only at http://127.0.0.1:8001/" in result.stdout


@needs_datasette
def test_another_host_typed_explicitly_is_served_with_a_warning(db_path, started):
    result = invoke(db_path, "--host", "0.0.0.0", "--port", "8123")
    assert result.exit_code == 0, result.output
    assert started == [("0.0.0.0", 8123)]
    assert "warning: serving on 0.0.0.0" in result.stderr


def test_another_host_from_the_environment_is_refused(db_path, started):
    result = invoke(db_path, env={"BOTJOBS_HOST": "0.0.0.0"})
    assert result.exit_code == 2
    assert "give --host 0.0.0.0 on the command line" in result.stderr
    assert started == []


@needs_datasette
def test_loopback_from_the_environment_is_fine(db_path, started):
    assert invoke(db_path, env={"BOTJOBS_HOST": "::1"}).exit_code == 0
    assert started == [("::1", 8001)]


def test_a_missing_database_is_not_created(tmp_path, started):
    path = tmp_path / "none.db"
    result = invoke(str(path))
    assert result.exit_code == 1 and "no database at" in result.stderr
    assert not path.exists() and started == []


# --- Datasette, in process ----------------------------------------------------------------------


@needs_datasette
def test_no_connection_can_write_and_committed_writes_are_seen(ro, db_path):
    ds = serve_module.make_datasette(db_path, datasette_metadata(ro, "jobs"))
    database = ds.get_database("jobs")

    async def scenario():
        before = (await database.execute("select count(*) from offers")).rows[0][0]
        with pytest.raises(sqlite3.OperationalError, match="readonly"):
            await database.execute_write("delete from offers")
        # A crawl writing meanwhile: committed to the WAL, not checkpointed while it is open.
        writer = sqlite3.connect(db_path)
        writer.execute("pragma wal_autocheckpoint = 0")
        writer.execute(
            "insert into offers (source, source_id, title, first_seen, last_seen) "
            "values ('apec', '99', 'Nouveau', '2026-11-27', '2026-11-27')"
        )
        writer.commit()
        after = (await database.execute("select count(*) from offers")).rows[0][0]
        response = await ds.client.get("/jobs/best_matches.json?_shape=array")
        writer.close()
        return before, after, response

    before, after, response = asyncio.run(scenario())
    assert (before, after) == (3, 4)
    assert response.status_code == 200
    assert response.json()[0]["id"] == 1


# --- a real server, in a subprocess -------------------------------------------------------------

SERVER = "import sys\nfrom pipeline.cli import cli\ncli(sys.argv[1:], prog_name='botjobs')\n"
# Straight to 127.0.0.1, whatever proxy the environment names.
LOCAL = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def get_json(url: str):
    with LOCAL.open(url, timeout=5) as response:
        return response.status, json.loads(response.read())


def wait_until_up(proc, base: str, deadline: float):
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            return False
        try:
            return get_json(base + "/-/versions.json")
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            time.sleep(0.2)
    return False


@needs_datasette
def test_a_real_server_answers_json_and_refuses_writes(db_path, tmp_path):
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    log = (tmp_path / "server.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-c", SERVER, "--db", db_path, "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        env={k: v for k, v in os.environ.items() if k != "BOTJOBS_HOST"},
    )
    try:
        up = wait_until_up(proc, base, time.monotonic() + 30)
        assert up, (tmp_path / "server.log").read_text()
        status, versions = up
        assert status == 200 and "datasette" in versions

        status, rows = get_json(base + "/jobs/offers.json?_shape=array&_size=1")
        assert status == 200
        assert len(rows) == 1 and rows[0]["title"] == "Chargé de projet chatbot H/F"

        status, best = get_json(base + "/jobs/best_matches.json?_shape=array")
        assert status == 200 and best[0]["id"] == 1

        with pytest.raises(urllib.error.HTTPError) as refused:
            LOCAL.open(base + "/jobs.json?sql=delete+from+offers", timeout=5)
        assert refused.value.code == 400
        refused.value.close()
        check = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True)
        assert check.execute("select count(*) from offers").fetchone()[0] == 3
        check.close()
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()
    assert proc.returncode is not None
