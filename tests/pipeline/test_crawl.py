"""The real spiders and pipeline, replayed end to end in a child process (Scrapy's reactor starts
once per process)."""

import json
import os
import shutil
import subprocess
import sys

import pytest

from db.migrations import open_db
from tests.helpers import FIXTURES


def botjobs(*args, env=None):
    return subprocess.run(
        [sys.executable, "-m", "pipeline", *args],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, **(env or {})},
    )


@pytest.fixture(scope="module")
def crawled(tmp_path_factory):
    path = str(tmp_path_factory.mktemp("crawl") / "c.db")
    # The two first sources, whose fixtures these tests know by heart.
    two = ("--source", "france_travail", "--source", "jobposting")
    first = botjobs("--db", path, "crawl", "--offline", *two)
    second = botjobs("--db", path, "crawl", "--offline", *two)
    return path, first, second


def runs_of(path):
    db = open_db(path)
    try:
        return list(db["crawl_runs"].rows_where(order_by="id"))
    finally:
        db.close()


def test_offline_crawl_stores_offers_from_both_spiders(crawled):
    path, first, _ = crawled
    assert first.returncode == 0, first.stderr
    db = open_db(path)
    by_source = dict(db.execute("select source, count(*) from offers group by source").fetchall())
    assert by_source == {"france_travail": 337, "jobposting": 20}
    assert f"database: {path}" in first.stderr


def test_summary_line_per_source(crawled):
    _, first, _ = crawled
    lines = first.stdout.splitlines()
    assert any(
        line.startswith("france_travail") and "350 offers: 337 new" in line and "2 errors" in line
        for line in lines
    ), first.stdout
    assert any(line.startswith("jobposting") and "20 new" in line for line in lines)


def test_runs_are_recorded_with_counts(crawled):
    path, _, _ = crawled
    runs = runs_of(path)
    assert [(r["source"], r["mode"]) for r in runs[:2]] == [
        ("france_travail", "offline"),
        ("jobposting", "offline"),
    ]
    ft = runs[0]
    # 3 rejects: an offer without title, one without id, one truncated page;
    # 2 errors: the search answering 500 after retries, and the truncated page.
    assert (ft["items"], ft["new"], ft["unchanged"], ft["rejects"], ft["errors"]) == (
        350,
        337,
        11,
        3,
        2,
    )
    assert ft["status"] == "partial" and ft["finished_at"] >= ft["started_at"]


def test_rejects_keep_reason_and_payload(crawled):
    path, _, _ = crawled
    db = open_db(path)
    reasons = [r["reason"] for r in db["rejects"].rows_where("source = 'france_travail'")]
    assert "missing title" in reasons and "missing source_id" in reasons
    assert any(r.startswith("body is not valid JSON") for r in reasons)
    untitled = next(
        db["rejects"].rows_where("reason = 'missing title' and source = 'france_travail'")
    )
    assert json.loads(untitled["payload"])["source"] == "france_travail"


def test_a_second_crawl_adds_nothing_twice(crawled):
    path, _, second = crawled
    assert second.returncode == 0
    runs = runs_of(path)[2:]
    assert [r["new"] for r in runs] == [0, 0]
    assert runs[0]["unchanged"] == 348 and runs[1]["unchanged"] == 20
    db = open_db(path)
    assert db["offers"].count == 357 and db["listings"].count == 357


def test_full_text_search_finds_crawled_offers(crawled):
    path, _, _ = crawled
    db = open_db(path)
    hits = list(db["offers"].search("voicebot", limit=100))
    assert hits and {h["source"] for h in hits} == {"france_travail", "jobposting"}
    assert all(
        "voicebot" in " ".join(filter(None, (h["title"], h["company"], h["description"]))).lower()
        for h in hits
    )


def test_a_failing_source_is_recorded_and_the_others_complete(tmp_path):
    fixtures = tmp_path / "fixtures"
    shutil.copytree(FIXTURES / "jobposting", fixtures / "jobposting")
    # France Travail answers the token, then 503 to every search.
    (fixtures / "france_travail").mkdir()
    token = FIXTURES / "france_travail"
    manifest = json.loads((token / "manifest.json").read_text("utf-8"))
    token_entry = next(e for e in manifest["responses"] if e.get("method") == "POST")
    shutil.copy(token / token_entry["file"], fixtures / "france_travail" / token_entry["file"])
    (fixtures / "france_travail" / "manifest.json").write_text(
        json.dumps({"responses": [token_entry]}), "utf-8"
    )
    path = str(tmp_path / "f.db")
    result = botjobs(
        "--db", path, "crawl", "--offline", "--fixtures", str(fixtures),
        "--source", "france_travail", "--source", "jobposting",
    )  # fmt: skip
    assert result.returncode == 0
    runs = {r["source"]: r for r in runs_of(path)}
    assert runs["france_travail"]["status"] == "failed"
    assert runs["france_travail"]["errors"] > 0 and runs["france_travail"]["new"] == 0
    assert runs["jobposting"]["new"] == 20


def test_live_crawl_without_credentials_says_how_to_get_them(tmp_path):
    env = {"FRANCE_TRAVAIL_CLIENT_ID": "", "FRANCE_TRAVAIL_CLIENT_SECRET": ""}
    path = str(tmp_path / "l.db")
    result = botjobs("--db", path, "crawl", "--source", "france_travail", env=env)
    assert result.returncode == 0
    assert "francetravail.io" in result.stderr
    (run,) = runs_of(path)
    assert run["status"] == "no-credentials" and "FRANCE_TRAVAIL_CLIENT_ID" in run["message"]


def test_every_source_replays_offline_from_its_recordings(tmp_path):
    from pipeline.sources import all_sources

    path = str(tmp_path / "all.db")
    result = botjobs("--db", path, "crawl", "--offline", "-q")
    assert result.returncode == 0, result.stderr
    # Every request of every spider had its recording: nothing went unanswered.
    assert "no recorded response" not in result.stderr
    runs = {r["source"]: r for r in runs_of(path)}
    assert set(runs) == set(all_sources())
    for slug, run in runs.items():
        assert run["status"] in ("ok", "partial"), (slug, run["status"], run["message"])
        if slug != "greenhouse":  # no employer of the data file is on Greenhouse
            assert run["new"] > 0, slug
    db = open_db(path)
    try:
        # Indeed and LinkedIn list five of the same jobs: one offer each, with both listings.
        # Apec lists one job twice, a month apart under another title (the same text,
        # employer, place, contract and salary; the second time without the employer's name).
        merged = db.execute(
            "select group_concat(source, '+') from (select offer_id, source from listings"
            " order by offer_id, source) group by offer_id having count(*) > 1"
        ).fetchall()
        assert sorted(merged) == [("apec+apec",)] + [("indeed+linkedin",)] * 5
        assert db["listings"].count == db["offers"].count + 6
        assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    finally:
        db.close()


def test_the_page_cap_ends_a_source_as_partial_and_says_why(tmp_path):
    path = str(tmp_path / "cap.db")
    result = botjobs(
        "--db", path, "crawl", "--offline", "--source", "jobposting", "-q",
        env={"BOTJOBS_MAX_PAGES": "3"},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    (run,) = runs_of(path)
    assert run["status"] == "partial"
    assert "page cap (3 pages" in run["message"]
    # Cut short, the crawl cannot say which offers are gone: nothing expires.
    db = open_db(path)
    try:
        assert (
            db.execute("select count(*) from offers where expired_at is not null").fetchone()[0]
            == 0
        )
    finally:
        db.close()


def test_a_healthy_source_passes_its_health_check(tmp_path):
    path = str(tmp_path / "health.db")
    botjobs("--db", path, "crawl", "--offline", "--source", "france_travail", "-q")
    (run,) = runs_of(path)
    assert json.loads(run["health"]) == []
