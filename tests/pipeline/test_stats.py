"""`botjobs stats`: counts by source, status, freshness, score band, contract, remote, last run."""

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner

from db.migrations import open_db
from pipeline.cli import cli
from pipeline.ingest import Ingest
from pipeline.stats import aligned, freshness_bounds, offer_stats, stats_text

# A Wednesday; 11:00 in Paris (UTC+1 in November).
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)

# (source, id, contract, remote, first_seen, posted_at): first_seen near the bucket edges in
# Paris time, which is one hour ahead of UTC in November.
ROWS = [
    ("apec", "1", "CDI", "Télétravail partiel", "2026-11-25T08:00:00+00:00", "2026-11-25"),
    ("apec", "2", "CDI", "Télétravail total", "2026-11-24T23:30:00+00:00", "2026-11-23"),
    ("apec", "3", "CDD", None, "2026-11-24T22:30:00+00:00", "2026-11-01"),
    ("apec", "4", None, "Sur site", "2026-11-23T00:00:00+00:00", "2026-10-31"),
    ("hellowork", "5", "Stage", None, "2026-11-22T22:59:00+00:00", None),
    ("hellowork", "6", "CDI", None, "2026-10-31T23:30:00+00:00", "2026-11-24"),
    ("hellowork", "7", "CDI", None, "2026-10-31T22:30:00+00:00", "2025-12-01"),
]


def build(path):
    db = open_db(path)
    for source in ("apec", "hellowork"):
        ingest = Ingest(db, source, "import")
        for src, sid, contract, remote, _, _ in ROWS:
            if src == source:
                ingest.add(
                    {
                        "source": src, "source_id": sid, "title": f"Chargé de projet chatbot {sid}",
                        "contract": contract, "remote": remote,
                    }
                )  # fmt: skip
        ingest.finish(errors=1 if source == "apec" else 0)
    # A later run of apec, which is the one to show; still running (no finished_at).
    db["crawl_runs"].insert({"source": "apec", "mode": "live", "status": "running", "items": 9})
    for src, sid, _, _, first_seen, posted_at in ROWS:
        db.execute(
            "update offers set first_seen = ?, posted_at = ? where source = ? and source_id = ?",
            [first_seen, posted_at, src, sid],
        )
    db.execute("update offers set expired_at = '2026-11-20T00:00:00+00:00' where source_id = '7'")
    # A second listing of offer 1, from another source.
    db["listings"].insert(
        {"source": "indeed", "source_id": "x1", "offer_id": 1, "first_seen": "2026-11-25",
         "last_seen": "2026-11-25"}
    )  # fmt: skip
    db["profiles"].insert_all(
        [{"id": 1, "name": "Chatbot IDF", "toml": "x"}, {"id": 2, "name": "Voicebot", "toml": "y"}]
    )
    scores = {1: [85, 80, 79, 60, 59, 40, 39], 2: [100, 0]}
    db["matches"].insert_all(
        {"profile_id": p, "offer_id": i, "score": s}
        for p, values in scores.items()
        for i, s in enumerate(values, start=1)
    )
    db.conn.commit()
    return db


@pytest.fixture
def db(tmp_path):
    database = build(str(tmp_path / "st.db"))
    yield database
    database.close()


def test_offers_and_listings_by_source(db):
    result = offer_stats(db, NOW)
    assert (result["offers"], result["live"], result["expired"]) == (7, 6, 1)
    assert result["by_source"] == [
        {"source": "apec", "offers": 4, "listings": 4},
        {"source": "hellowork", "offers": 3, "listings": 3},
        {"source": "indeed", "offers": 0, "listings": 1},
    ]


def test_freshness_buckets_are_calendar_ones_in_paris_time(db):
    result = offer_stats(db, NOW)
    assert result["first_seen"] == {
        "today": 2,  # 09:00 and 00:30 Paris on the 25th
        "this_week": 2,  # 23:30 on Tuesday, 01:00 on Monday
        "this_month": 2,  # Sunday 23:59, 1 November 00:30
        "older": 1,  # 31 October 23:30
        "unknown": 0,
    }
    assert result["posted_at"] == {
        "today": 1, "this_week": 2, "this_month": 1, "older": 2, "unknown": 1,
    }  # fmt: skip


def test_bounds_follow_summer_time():
    summer = freshness_bounds(datetime(2026, 7, 1, 21, 30, tzinfo=UTC))  # 23:30 in Paris
    assert summer["today_moment"] == "2026-06-30 22:00:00"
    assert summer["today_date"] == "2026-07-01"
    assert summer["week_date"] == "2026-06-29" and summer["month_date"] == "2026-07-01"
    late = freshness_bounds(datetime(2026, 7, 1, 22, 30, tzinfo=UTC))  # already the 2nd
    assert late["today_date"] == "2026-07-02"


def test_score_bands_for_each_profile(db):
    bands = offer_stats(db, NOW)["score_bands"]
    assert bands == [
        {"profile_id": 1, "profile": "Chatbot IDF",
         "80+": 2, "60-79": 2, "40-59": 2, "<40": 1, "unscored": 0},
        {"profile_id": 2, "profile": "Voicebot",
         "80+": 1, "60-79": 0, "40-59": 0, "<40": 1, "unscored": 5},
    ]  # fmt: skip


def test_contract_and_remote_with_unknown(db):
    result = offer_stats(db, NOW)
    assert result["contract"] == {"CDI": 4, "CDD": 1, "stage": 1, "unknown": 1}
    assert result["remote"] == {"unknown": 4, "full": 1, "hybrid": 1, "none": 1}
    assert list(result["contract"]) == ["CDI", "CDD", "stage", "unknown"]  # most first


def test_last_run_of_each_source(db):
    runs = {r["source"]: r for r in offer_stats(db, NOW)["last_runs"]}
    assert set(runs) == {"apec", "hellowork"}
    assert runs["apec"]["status"] == "running" and runs["apec"]["finished_at"] is None
    assert runs["hellowork"]["status"] == "ok" and runs["hellowork"]["new"] == 3
    assert runs["hellowork"]["finished_at"]


def test_user_status_from_a_table(db):
    db["user_status"].insert({"offer_id": 3, "status": "dismissed", "updated_at": "2026-11-27"})
    assert offer_stats(db, NOW)["by_user_status"] == {"none": 6, "dismissed": 1}


def test_aligned_puts_numbers_right_and_text_left():
    assert aligned(["source", "offers"], [["apec", 4], ["france_travail", 337]]) == [
        "source          offers",
        "apec                 4",
        "france_travail     337",
    ]


def test_text_output(db, tmp_path):
    text = stats_text(offer_stats(db, NOW))
    lines = text.splitlines()
    assert lines[0] == "offers: 7 (live 6, expired 1)"
    assert "source     offers  listings" in text
    assert "hellowork       3         3" in text
    score_header = next(line for line in lines if line.startswith("score"))
    assert score_header.split() == ["score", "≥80", "60–79", "40–59", "<40", "unscored"]
    voice = next(line for line in lines if line.startswith("Voicebot"))
    # Each figure ends under its heading.
    assert len(voice) == len(score_header)
    assert voice.split()[1:] == ["1", "0", "0", "1", "5"]


def test_the_command_in_both_formats(db, tmp_path):
    path = str(tmp_path / "st.db")
    runner = CliRunner()
    text = runner.invoke(cli, ["--db", path, "stats"], catch_exceptions=False)
    assert text.exit_code == 0
    assert text.stdout.startswith("offers: 7 (live 6, expired 1)")
    assert "last crawl" in text.stdout
    out = runner.invoke(cli, ["--db", path, "stats", "--format", "json"], catch_exceptions=False)
    data = json.loads(out.stdout)
    assert data["offers"] == 7 and sum(data["first_seen"].values()) == 7


def test_an_empty_database(tmp_path):
    result = CliRunner().invoke(
        cli, ["--db", str(tmp_path / "new.db"), "stats"], catch_exceptions=False
    )
    assert result.exit_code == 0
    assert "offers: 0 (live 0, expired 0)" in result.stdout
    assert "score: no profile stored yet" in result.stdout
    assert "last crawl: none yet" in result.stdout


def test_counts_are_made_in_sql_whatever_the_size(db):
    """The same statements run for 7 offers or 3,000: nothing is read row by row in Python."""

    def statements():
        seen = []
        db.conn.set_trace_callback(seen.append)
        offer_stats(db, NOW)
        db.conn.set_trace_callback(None)
        return seen

    small = statements()
    db["offers"].insert_all(
        {"source": "bulk", "source_id": str(i), "title": "t", "first_seen": "2026-11-25",
         "last_seen": "2026-11-25"}
        for i in range(3000)
    )  # fmt: skip
    large = statements()
    assert len(small) == len(large)
    assert offer_stats(db, NOW)["offers"] == 3007
    for sql in large:
        if " from offers" in sql and "count(" not in sql.lower():
            assert "limit" in sql.lower() or "pragma" in sql.lower() or "sqlite_master" in sql
