"""The schema, as recorded migrations: each runs once per database file, in order, in a transaction.

Never edit a migration that has shipped; add the next one.
"""

from __future__ import annotations

from sqlite_utils import Database
from sqlite_utils.migrations import Migrations

migrations = Migrations("botjobs")

# Raw texts as the source gave them: kept verbatim beside the normalised values.
RAW_COLUMNS = {
    "source": str,
    "source_id": str,
    "url": str,
    "title": str,
    "company": str,
    "location": str,
    "salary": str,
    "contract_raw": str,
    "remote_raw": str,
    "description": str,
    "posted_at_raw": str,
    "apply_url": str,
}
# Normalised values (DESIGN.md "Offer"); None means unknown.
NORMALISED_COLUMNS = {
    "salary_min": float,
    "salary_max": float,
    "salary_period": str,
    "salary_currency": str,
    "salary_annual_min": float,
    "salary_annual_max": float,
    "salary_basis": str,
    "city": str,
    "department": str,
    "region": str,
    "country": str,
    "latitude": float,
    "longitude": float,
    "contract": str,
    "remote": str,
    "experience_years": float,
    "education_level": int,
    "skills": str,
    "posted_at": str,
}


@migrations()
def m001_initial(db: Database) -> None:
    db["offers"].create(
        {
            "id": int,
            **RAW_COLUMNS,
            **NORMALISED_COLUMNS,
            "first_seen": str,
            "last_seen": str,
            "expired_at": str,
        },
        pk="id",
        not_null={"source", "source_id", "title", "first_seen", "last_seen"},
    )
    db["offers"].create_index(["last_seen"])
    db["offers"].enable_fts(
        ["title", "company", "description"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )
    # Each time a source lists an offer; several listings may later point at one offer.
    db["listings"].create(
        {
            "source": str,
            "source_id": str,
            "offer_id": int,
            "url": str,
            "first_seen": str,
            "last_seen": str,
            "content_hash": str,
            "raw": str,
        },
        pk=("source", "source_id"),
        foreign_keys=[("offer_id", "offers", "id")],
        not_null={"offer_id", "first_seen", "last_seen"},
    )
    db["listings"].create_index(["offer_id"])
    db["crawl_runs"].create(
        {
            "id": int,
            "batch": str,
            "source": str,
            "mode": str,
            "started_at": str,
            "finished_at": str,
            "status": str,
            "items": int,
            "new": int,
            "updated": int,
            "unchanged": int,
            "rejects": int,
            "errors": int,
            "message": str,
        },
        pk="id",
        defaults={"items": 0, "new": 0, "updated": 0, "unchanged": 0, "rejects": 0, "errors": 0},
    )
    db["crawl_runs"].create_index(["batch"])
    db["rejects"].create(
        {
            "id": int,
            "run_id": int,
            "source": str,
            "source_id": str,
            "url": str,
            "reason": str,
            "payload": str,
            "created_at": str,
        },
        pk="id",
        foreign_keys=[("run_id", "crawl_runs", "id")],
    )


# What normalisation adds beside the first schema's columns: how each value was obtained, and
# the details a reader needs to trust it (months paid, CDD length, days of remote work…).
NORMALISATION_COLUMNS = {
    "title_clean": str,
    "description_text": str,
    "salary_months": float,
    "salary_gross_net": str,
    "salary_flags": str,
    "commune": str,
    "place_basis": str,
    "contract_months": float,
    "contract_basis": str,
    "remote_days": float,
    "remote_basis": str,
    "seniority": str,
    "experience_basis": str,
    "education_basis": str,
    "posted_at_basis": str,
}


@migrations()
def m002_normalisation(db: Database) -> None:
    offers = db["offers"]
    for column, kind in NORMALISATION_COLUMNS.items():
        offers.add_column(column, kind)
    # Search the clean text, not the HTML markup around it.
    offers.disable_fts()
    offers.enable_fts(
        ["title", "company", "description_text"],
        create_triggers=True,
        tokenize="unicode61 remove_diacritics 2",
    )
    for column in ("department", "region", "contract", "remote", "posted_at"):
        offers.create_index([column], if_not_exists=True)


@migrations()
def m003_matching(db: Database) -> None:
    # The skills an offer names, profile-free, so scoring again needs no text search.
    db["offers"].add_column("skills_found", str)
    db["profiles"].create(
        {"id": int, "name": str, "path": str, "toml": str, "updated_at": str},
        pk="id",
        not_null={"name", "toml"},
    )
    db["profiles"].create_index(["name"], unique=True)
    db["matches"].create(
        {
            "profile_id": int,
            "offer_id": int,
            "score": int,
            "summary": str,
            "breakdown": str,
            "scored_at": str,
        },
        pk=("profile_id", "offer_id"),
        foreign_keys=[("profile_id", "profiles", "id"), ("offer_id", "offers", "id")],
    )
    db["matches"].create_index(["profile_id", "score"])


@migrations()
def m004_digests(db: Database) -> None:
    # Each digest written, so `digest --new` knows where this profile's last one stopped.
    db["digests"].create(
        {
            "id": int,
            "profile_id": int,
            "written_at": str,
            "since": str,
            "offers": int,
            "path": str,
            "format": str,
        },
        pk="id",
        foreign_keys=[("profile_id", "profiles", "id")],
        not_null={"profile_id", "written_at"},
    )
    db["digests"].create_index(["profile_id", "written_at"])


@migrations()
def m005_user_status(db: Database) -> None:
    # What the seeker did with an offer; kept apart from the offer so crawls, normalising again
    # and scoring again never touch it.
    db["user_status"].create(
        {"offer_id": int, "status": str, "note": str, "updated_at": str},
        pk="offer_id",
        foreign_keys=[("offer_id", "offers", "id")],
        not_null={"status", "updated_at"},
    )
    db["user_status"].create_index(["status"])


@migrations()
def m006_offer_history(db: Database) -> None:
    # A listing seen again with other content: which raw field changed, from what, to what.
    db["offer_history"].create(
        {
            "id": int,
            "offer_id": int,
            "source": str,
            "source_id": str,
            "field": str,
            "old": str,
            "new": str,
            "changed_at": str,
        },
        pk="id",
        foreign_keys=[("offer_id", "offers", "id")],
    )
    db["offer_history"].create_index(["offer_id"])


@migrations()
def m007_crawl_health(db: Database) -> None:
    # The health check's warnings for a run (JSON list; empty when all looked right).
    db["crawl_runs"].add_column("health", str)


@migrations()
def m008_dedup_keys(db: Database) -> None:
    # Blocking keys of cross-source duplicate detection (pipeline/dedup.py): an offer is only
    # compared with the offers that share one of its keys. Offers stored before this migration
    # get theirs from `botjobs dedup`. WITHOUT ROWID: the key is the table.
    db.execute(
        "create table dedup_keys (key text not null,"
        " offer_id integer not null references offers(id),"
        " primary key (key, offer_id)) without rowid"
    )
    db["dedup_keys"].create_index(["offer_id"])


@migrations()
def m009_search_index_on_text_changes(db: Database) -> None:
    # The full-text index was rewritten on every update of an offer, last_seen included (each
    # listing seen again); only its three columns concern it.
    db.execute("drop trigger if exists offers_au")
    db.execute(
        "create trigger offers_au after update of title, company, description_text on offers begin"
        " insert into offers_fts (offers_fts, rowid, title, company, description_text)"
        " values ('delete', old.rowid, old.title, old.company, old.description_text);"
        " insert into offers_fts (rowid, title, company, description_text)"
        " values (new.rowid, new.title, new.company, new.description_text);"
        " end"
    )


@migrations()
def m010_first_seen_index(db: Database) -> None:
    # `search --since` and `digest --since` look offers up by when they were first seen.
    db["offers"].create_index(["first_seen"], if_not_exists=True)


def open_db(path: str) -> Database:
    """The database at `path`, created or upgraded to the current schema, in WAL mode."""
    db = Database(path)
    if path != ":memory:":
        db.enable_wal()
        # In WAL mode NORMAL still never corrupts the file and a killed process loses nothing
        # committed; only a power cut may lose the last transactions. FULL would fsync on every
        # commit, and an offer is one commit.
        db.execute("PRAGMA synchronous = NORMAL")
    db.execute("PRAGMA foreign_keys = ON")
    db.execute("PRAGMA busy_timeout = 5000")
    # 64 MB of page cache (SQLite's default is 2 MB): duplicate detection and scoring revisit
    # the same pages of a file that outgrows the default soon.
    db.execute("PRAGMA cache_size = -65536")
    migrations.apply(db)
    return db
