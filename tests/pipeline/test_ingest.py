import json
import sqlite3
from unittest.mock import ANY

import pytest

from db.migrations import open_db
from pipeline import ingest as ingest_module
from pipeline.ingest import REJECTED, Ingest
from pipeline.ingest import to_offer as real_to_offer
from pipeline.items import reject


@pytest.fixture
def db():
    database = open_db(":memory:")
    yield database
    database.close()


def offer(i, **fields):
    return {"source": "france_travail", "source_id": str(i), "title": f"Offre {i}", **fields}


def test_counts_and_run_row(db):
    ingest = Ingest(db, "france_travail", "offline", batch="b1")
    assert ingest.add(offer(1)) == "new"
    assert ingest.add(offer(1)) == "unchanged"
    assert ingest.add(offer(1, salary="x")) == "updated"
    assert ingest.add({"source": "france_travail", "source_id": "2"}) == REJECTED
    assert (
        ingest.add(reject("france_travail", "malformed JSON", "{oops", url="https://x")) == REJECTED
    )
    run = ingest.finish(errors=1)
    row = db["crawl_runs"].get(ingest.run_id)
    assert (row["items"], row["new"], row["updated"], row["unchanged"], row["rejects"]) == (
        4,
        1,
        1,
        1,
        2,
    )
    assert row["status"] == "partial" and run["status"] == "partial"
    assert row["batch"] == "b1" and row["mode"] == "offline"
    reasons = [r["reason"] for r in db["rejects"].rows_where(order_by="id")]
    assert reasons == ["missing title", "malformed JSON"]
    assert db["rejects"].get(2)["url"] == "https://x"


@pytest.mark.parametrize(
    "adds, errors, status",
    [([offer(1)], 0, "ok"), ([], 0, "ok"), ([], 2, "failed"), ([offer(1)], 2, "partial")],
)
def test_status_follows_from_counts(db, adds, errors, status):
    ingest = Ingest(db, "x", "live")
    for item in adds:
        ingest.add(item)
    assert ingest.finish(errors=errors)["status"] == status


def test_given_status_wins(db):
    ingest = Ingest(db, "france_travail", "live")
    assert ingest.finish(status="no-credentials", message="set the env vars")["status"] == (
        "no-credentials"
    )


def test_a_crawl_run_keeps_its_health_warnings(db):
    ingest = Ingest(db, "board", "live")
    for i in range(4):
        ingest.add(offer(i, company="ACME", description="texte", location=None))
    run = ingest.finish(thresholds={})
    (warning,) = json.loads(db["crawl_runs"].get(ingest.run_id)["health"])
    assert warning.startswith("place on 0% of offers") and run["health"]


def test_a_blocked_run_or_an_import_is_not_health_checked(db):
    ingest = Ingest(db, "board", "live")
    assert ingest.finish(status="blocked", thresholds={})["health"] is None
    assert Ingest(db, "import", "import").finish()["health"] is None


def test_where_prefixes_reject_reason(db):
    ingest = Ingest(db, "import", "import")
    ingest.add({"source": "a", "title": "t"}, where="line 7")
    assert ingest.last_reason == "line 7: missing source_id"


def test_offers_a_complete_crawl_no_longer_returns_expire_and_can_come_back(db):
    from datetime import UTC, datetime

    from pipeline.ingest import expire_after_complete_crawl

    ingest = Ingest(db, "france_travail", "live")
    ingest.add(offer(1))
    ingest.add(offer(2))
    db.execute("update listings set last_seen = '2026-01-01T00:00:00+00:00' where source_id = '2'")
    db.conn.commit()
    later = Ingest(db, "france_travail", "live")
    later.add(offer(1))  # the next crawl returns offer 1 only
    assert expire_after_complete_crawl(db, "france_travail", later.started, days=3) == 1
    assert db["offers"].get(2)["expired_at"] is not None
    assert db["offers"].get(1)["expired_at"] is None
    assert db["offers"].count == 2  # never deleted
    Ingest(db, "france_travail", "live").add(offer(2))  # it comes back
    assert db["offers"].get(2)["expired_at"] is None
    assert expire_after_complete_crawl(db, "other_source", datetime.now(UTC), days=3) == 0


def many_items():
    """Offers, one changed and one repeated, a listing that lacks its title, a spider's reject."""
    items = [
        offer(i, description=f"<p>Projet chatbot {i}, 2 jours de télétravail.</p>")
        for i in range(9)
    ]
    items += [offer(3, salary="45 k€"), items[4], {"source": "x", "source_id": "9"}]
    return [*items, reject("x", "bad page", "<html>"), offer(9, location="Lyon")]


def stored(db):
    moments = {"first_seen", "last_seen", "posted_at"}
    rows = db.query("select * from offers order by id")
    return [{k: v for k, v in row.items() if k not in moments} for row in rows]


def test_add_all_on_other_processes_stores_what_add_does(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "CHUNK", 3)  # five chunks: the workers are used
    one = open_db(str(tmp_path / "one.db"))
    serial = Ingest(one, "board", "import")
    expected = [
        (serial.add(item), serial.last_reason if i in (11, 12) else None)
        for i, item in enumerate(many_items())
    ]
    other = open_db(str(tmp_path / "other.db"))
    parallel = Ingest(other, "board", "import")
    assert list(parallel.add_all(((item, None) for item in many_items()), jobs=2)) == expected
    assert [outcome for outcome, _ in expected].count("updated") == 1
    assert stored(other) == stored(one) and len(stored(one)) == 10
    assert serial.finish() == {**parallel.finish(), "finished_at": ANY}


def test_add_all_does_not_normalise_a_listing_stored_as_it_is(db, monkeypatch):
    calls = []
    monkeypatch.setattr(ingest_module, "to_offer", lambda *a: calls.append(a) or real_to_offer(*a))
    items = [(offer(i), None) for i in range(5)]
    assert {o for o, _ in Ingest(db, "board", "import").add_all(items)} == {"new"}
    assert len(calls) == 5
    assert {o for o, _ in Ingest(db, "board", "import").add_all(items)} == {"unchanged"}
    assert len(calls) == 5


def test_a_chunk_that_fails_to_store_leaves_nothing_half_written(tmp_path, monkeypatch):
    monkeypatch.setattr(ingest_module, "CHUNK", 4)
    db = open_db(str(tmp_path / "f.db"))
    db.execute(
        "create temp trigger full_disk before insert on listings when new.source_id = '6'"
        " begin select raise(abort, 'disk full'); end"
    )
    items = ((offer(i, description=f"Projet {i}"), None) for i in range(9))
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        list(Ingest(db, "board", "import").add_all(items))
    # The first chunk (0-3) is committed; the second (4-7) is not, not even offers 4 and 5.
    assert [r[0] for r in db.execute("select source_id from offers order by id")] == list("0123")
    assert db["listings"].count == 4
