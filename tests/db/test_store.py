import json
import sqlite3
from datetime import datetime

import pytest
from sqlite_utils import Database

from db import store
from db.migrations import migrations, open_db
from pipeline.ingest import to_offer
from pipeline.validate import validate


@pytest.fixture
def db(tmp_path):
    database = open_db(str(tmp_path / "t.db"))
    yield database
    database.close()


def record(**fields):
    base = {"source": "apec", "source_id": "1", "title": "Chargé de projet chatbot"}
    rec, reason = validate({**base, **fields})
    assert reason is None
    return rec


def put(db, rec, now="2026-11-01T00:00:00+00:00"):
    with db.atomic():  # as its callers do
        return store.store_offer(db, rec, lambda: to_offer(rec, datetime.fromisoformat(now)), now)


def test_schema_is_migrated_once_and_in_wal_mode(tmp_path):
    path = str(tmp_path / "m.db")
    open_db(path).close()
    db = open_db(path)  # a second open applies nothing again
    names = [m.name for m in migrations.applied(db)]
    assert names == [
        "m001_initial",
        "m002_normalisation",
        "m003_matching",
        "m004_digests",
        "m005_user_status",
        "m006_offer_history",
        "m007_crawl_health",
        "m008_dedup_keys",
        "m009_search_index_on_text_changes",
        "m010_first_seen_index",
    ]
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert {"offers", "listings", "crawl_runs", "rejects", "offers_fts"} <= set(db.table_names())


def test_new_then_unchanged_then_updated(db):
    assert put(db, record(salary="40 k€")) == store.NEW
    assert put(db, record(salary="40 k€"), now="2026-11-02T00:00:00+00:00") == store.UNCHANGED
    offer = db["offers"].get(1)
    assert offer["first_seen"].startswith("2026-11-01")
    assert offer["last_seen"].startswith("2026-11-02")
    assert put(db, record(salary="45 k€"), now="2026-11-03T00:00:00+00:00") == store.UPDATED
    assert db["offers"].count == 1
    assert db["offers"].get(1)["salary"] == "45 k€"
    listing = db["listings"].get(("apec", "1"))
    assert json.loads(listing["raw"])["salary"] == "45 k€"
    assert listing["first_seen"].startswith("2026-11-01")
    (change,) = db["offer_history"].rows
    assert (change["field"], change["old"], change["new"]) == ("salary", '"40 k€"', '"45 k€"')
    assert change["changed_at"].startswith("2026-11-03")


def test_raw_texts_are_kept_beside_normalised_values(db):
    put(db, record(contract="CDI", remote="Télétravail partiel", posted_at="il y a 3 jours"))
    offer = db["offers"].get(1)
    assert offer["contract_raw"] == "CDI"
    assert offer["remote_raw"] == "Télétravail partiel"
    assert offer["posted_at_raw"] == "il y a 3 jours"
    assert (offer["contract"], offer["contract_basis"]) == ("CDI", "stated")
    assert (offer["remote"], offer["remote_basis"]) == ("hybrid", "stated")
    assert (offer["posted_at"], offer["posted_at_basis"]) == ("2026-10-29", "parsed")


def test_same_id_from_two_sources_is_two_listings(db):
    put(db, record())
    put(db, record(source="indeed"))
    assert db["listings"].count == 2


def test_a_first_schema_database_is_upgraded_in_place(tmp_path):
    path = str(tmp_path / "old.db")
    old = Database(path)
    migrations.apply(old, stop_before="m002_normalisation")
    old["offers"].insert(
        {
            "source": "apec",
            "source_id": "1",
            "title": "Chef de projet chatbot",
            "description": "<p>Rasa</p>",
            "first_seen": "2026-01-01",
            "last_seen": "2026-01-01",
        }
    )
    old.close()
    db = open_db(path)
    assert "salary_flags" in db["offers"].columns_dict
    assert db["offers"].get(1)["title"] == "Chef de projet chatbot"
    assert db["offers_fts"].columns_dict.keys() >= {"title", "company", "description_text"}


def test_an_unchanged_listing_is_not_normalised_again(db):
    calls = []

    def offer_of():
        calls.append(1)
        return to_offer(record(), datetime(2026, 11, 1))

    store.store_offer(db, record(), offer_of, "2026-11-01")
    store.store_offer(db, record(), offer_of, "2026-11-02")
    assert len(calls) == 1


def test_full_text_search_ignores_accents(db):
    put(db, record(title="Chargé de projet IA conversationnelle", description="Dialogflow, Rasa"))
    put(db, record(source_id="2", title="Comptable"))
    hits = [r["title"] for r in db["offers"].search("charge conversationnelle")]
    assert hits == ["Chargé de projet IA conversationnelle"]
    assert [r["id"] for r in db["offers"].search("rasa")] == [1]


def test_reject_keeps_payload_and_reason(db):
    run_id = store.start_run(db, "apec", "live", "2026-11-01T00:00:00+00:00", None)
    store.add_reject(db, run_id, "apec", "missing title", {"source_id": "9"}, "2026-11-01")
    row = db["rejects"].get(1)
    assert row["reason"] == "missing title"
    assert json.loads(row["payload"]) == {"source_id": "9"}
    assert row["run_id"] == run_id


def test_failed_write_leaves_nothing_half_written(db):
    # The listing is written after the offer; if that write fails, the offer must not stay.
    db.execute(
        "create temp trigger full_disk before insert on listings"
        " begin select raise(abort, 'disk full'); end"
    )
    with pytest.raises(sqlite3.IntegrityError, match="disk full"):
        put(db, record())
    db.execute("drop trigger full_disk")
    assert db["offers"].count == 0
    assert put(db, record()) == store.NEW
