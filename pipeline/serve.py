"""`botjobs serve`: the database in a browser with Datasette, read-only, on this machine by default.

How it is run, and why: Datasette's Python API, not its command line, so that the metadata is a
plain dict made by `datasette_metadata()` (unit-tested, no temp file) and so that the database can
be opened read-only *and* current:

* Datasette's immutable mode (`-i`, `?immutable=1`) tells SQLite the file never changes, so it
  skips the WAL: offers written by a crawl that is running, or not yet checkpointed, would be
  missing, and a file that changes under it may even read as corrupt. botjobs keeps its file in
  WAL mode and crawls on a schedule, so that mode doesn't fit.
* Datasette's ordinary mode reads through `?mode=ro` but keeps a writable connection for
  writes (write canned queries, plugins). Here every connection, that one included, is opened
  with `?mode=ro`, so SQLite itself refuses any write ("attempt to write a readonly database")
  while committed crawls stay visible.

Canned queries take their defaults in SQL (`coalesce(nullif(:p, ''), default)`), since Datasette
passes an empty string for a parameter left blank.
"""

from __future__ import annotations

import ipaddress
import sqlite3
from pathlib import Path
from typing import Any
from urllib.parse import quote

import click
from click.core import ParameterSource
from sqlite_utils import Database

from pipeline.options import err
from pipeline.stats import user_status

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8001
DEFAULT_BAND = (40000, 50000)  # annual gross EUR, when no stored profile states a salary

FACETS = ("source", "contract", "department", "region", "remote")
SORTABLE = (
    "id", "title", "company", "first_seen", "last_seen", "posted_at", "expired_at",
    "salary_annual_min", "salary_annual_max", "experience_years", "education_level",
)  # fmt: skip
FTS_SHADOWS = ("data", "idx", "docsize", "config", "content", "segments", "segdir", "stat")

TABLES: dict[str, dict[str, Any]] = {
    "offers": {
        "description": (
            "One row per job offer: the source's texts kept verbatim beside the normalised "
            "values (annual gross EUR, INSEE department and region, contract, remote work, "
            "dates). The search box is FTS5 over title, company and the description's text."
        ),
        "label_column": "title",
        "columns": {
            "salary_annual_min": "Lowest pay in annual gross EUR (None if unknown or not EUR)",
            "salary_annual_max": "Highest pay in annual gross EUR",
            "department": "INSEE department code (75, 2A, 974)",
            "first_seen": "When botjobs first saw the offer (UTC)",
            "posted_at": "When the source says it was published (Paris date)",
            "expired_at": "When the offer stopped being listed; empty while it is live",
        },
    },
    "listings": {
        "description": "Each source's listing of an offer: its raw payload and when it was "
        "first and last seen.",
        "facets": ["source"],
    },
    "matches": {
        "description": "One score (0–100) per profile and offer, with its reasons in a line "
        "(summary) and in full (breakdown, JSON).",
        "sortable_columns": ["score", "scored_at", "offer_id", "profile_id"],
        "facets": ["profile_id"],
    },
    "profiles": {
        "description": "The seeker's profiles (TOML), each known by its name.",
        "label_column": "name",
    },
    "crawl_runs": {
        "description": "One row per source and crawl or import: counts, status and message.",
        "facets": ["source", "status", "mode"],
        "sort_desc": "id",
    },
    "rejects": {
        "description": "What could not be stored, with the reason and the payload as received.",
        "facets": ["source"],
        "sort_desc": "id",
    },
}

BEST_MATCHES = """
select o.id, coalesce(o.title_clean, o.title) as title, o.company, o.city, o.department,
  m.score, m.summary, o.contract, o.remote, o.salary_annual_min, o.salary_annual_max, o.url,
  p.name as profile
from matches m
join profiles p on p.id = m.profile_id
join offers o on o.id = m.offer_id
where p.name = coalesce(nullif(:profile, ''), (select name from profiles order by id limit 1))
  and o.expired_at is null
order by m.score desc, o.posted_at desc, o.id
limit 100
"""

# max() makes SQLite take the other bare columns (p.name) from the row of the best score.
NEW_THIS_WEEK = """
select o.id, coalesce(o.title_clean, o.title) as title, o.company, o.city, o.department,
  o.first_seen, o.posted_at, max(m.score) as best_score, p.name as best_for, o.url
from offers o
left join matches m on m.offer_id = o.id
left join profiles p on p.id = m.profile_id
where datetime(o.first_seen) >= datetime('now', '-7 days')
group by o.id
order by best_score is null, best_score desc, o.first_seen desc, o.id
"""

# Ranges overlap when each starts before the other ends; an offer stating one figure is a point.
INSIDE_MY_SALARY_BAND = """
select o.id, coalesce(o.title_clean, o.title) as title, o.company, o.city, o.department,
  o.salary_annual_min, o.salary_annual_max, o.salary,
  (select max(score) from matches where matches.offer_id = o.id) as best_score, o.url
from offers o
where o.expired_at is null
  and coalesce(o.salary_annual_min, o.salary_annual_max) is not null
  and coalesce(o.salary_annual_max, o.salary_annual_min)
      >= cast(coalesce(nullif(:min, ''), {low}) as real)
  and coalesce(o.salary_annual_min, o.salary_annual_max)
      <= cast(coalesce(nullif(:max, ''), {high}) as real)
order by best_score is null, best_score desc, o.salary_annual_max desc, o.id
"""

APPLIED = """
select offers.id, coalesce(offers.title_clean, offers.title) as title, offers.company,
  offers.city, offers.department, {status} as status,
  (select max(score) from matches where matches.offer_id = offers.id) as best_score, offers.url
from offers {join}
where {status} = 'applied'
order by offers.last_seen desc, offers.id
"""


# --- the host -----------------------------------------------------------------------------------


def is_loopback(host: str) -> bool:
    """Whether `host` is this machine only: localhost, 127.0.0.0/8 or ::1. Names other than
    localhost are not resolved, so they count as not loopback."""
    if host.lower() in ("localhost", "localhost."):
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def check_host(host: str, explicit: bool) -> str | None:
    """The warning to print for `host`, or None; a host that isn't loopback and wasn't typed
    as --host (it came from $BOTJOBS_HOST or a default) is refused with a UsageError."""
    if is_loopback(host):
        return None
    if not explicit:
        raise click.UsageError(
            f"{host} is not this machine only; give --host {host} on the command line to "
            "serve the database to other machines",
            ctx=click.get_current_context(silent=True),
        )
    return (
        f"warning: serving on {host}, not on this machine only: anyone who can reach it can "
        "read every offer and your profiles (read-only, no login)"
    )


def url_for(host: str, port: int) -> str:
    return f"http://[{host}]:{port}/" if ":" in host else f"http://{host}:{port}/"


# --- the database, read-only --------------------------------------------------------------------


def read_only_uri(path: str | Path) -> str:
    return f"file:{quote(str(Path(path).resolve()))}?mode=ro"


def open_read_only(path: str | Path) -> Database:
    """sqlite-utils over a connection that SQLite will not let write."""
    return Database(sqlite3.connect(read_only_uri(path), uri=True))


def database_name(path: str | Path) -> str:
    """The name Datasette shows and routes to (/NAME/offers): the file's stem."""
    stem = Path(path).stem
    # Datasette keeps these two names for itself.
    return f"{stem}_db" if stem in ("_internal", "_memory") else stem


def hidden_tables(db: Database) -> list[str]:
    """FTS tables and their shadow tables, and the migrations' bookkeeping."""
    names = set(db.table_names())
    hidden = {"_sqlite_migrations"} & names
    for fts in db.table_names(fts4=True) + db.table_names(fts5=True):
        hidden.add(fts)
        hidden.update(f"{fts}_{shadow}" for shadow in FTS_SHADOWS if f"{fts}_{shadow}" in names)
    return sorted(hidden)


def salary_band(db: Database) -> tuple[int, int]:
    """The first stored profile's band (salary.min to salary.target), else DEFAULT_BAND."""
    from matching.profile import ProfileError, parse_profile

    row = next(db.query("select toml from profiles order by id limit 1"), None)
    if row is None:
        return DEFAULT_BAND
    try:
        profile = parse_profile(row["toml"])
    except ProfileError:
        return DEFAULT_BAND
    low = profile.salary_min or profile.salary_target
    high = profile.salary_target or profile.salary_min
    if low is None or high is None:
        return DEFAULT_BAND
    return int(low), int(high)


def canned_queries(db: Database) -> dict[str, dict[str, Any]]:
    """The stored queries Datasette lists on the database page, with their SQL."""
    profiles = "profiles" in db.table_names()
    first = (
        next(db.query("select name from profiles order by id limit 1"), None) if profiles else None
    )
    default = f"“{first['name']}”" if first else "the first stored profile"
    low, high = salary_band(db) if profiles else DEFAULT_BAND
    queries: dict[str, dict[str, Any]] = {
        "best_matches": {
            "title": "Best matches for a profile",
            "description": f"Live offers, best score first (profile: leave empty for {default}).",
            "sql": BEST_MATCHES.strip(),
            "params": ["profile"],
        },
        "new_this_week": {
            "title": "New this week",
            "description": "Offers first seen in the last 7 days, with their best score.",
            "sql": NEW_THIS_WEEK.strip(),
        },
        "inside_my_salary_band": {
            "title": "Inside my salary band",
            "description": (
                "Live offers whose annual gross range overlaps min–max "
                f"(empty: {low}–{high} €, the first profile's band)."
            ),
            "sql": INSIDE_MY_SALARY_BAND.format(low=int(low), high=int(high)).strip(),
            "params": ["min", "max"],
        },
    }
    join, expression = user_status(db)
    queries["applied"] = {
        "title": "Applied",
        "description": "Offers you marked as applied (botjobs mark ID applied).",
        "sql": APPLIED.format(status=expression, join=join).strip(),
    }
    return queries


def datasette_metadata(db: Database, name: str) -> dict[str, Any]:
    """Datasette's metadata for the botjobs database `db`, served as `name`."""
    present = set(db.table_names())
    tables: dict[str, dict[str, Any]] = {}
    for table, meta in TABLES.items():
        if table in present:
            tables[table] = {**meta}
    if "offers" in present:
        columns = set(db["offers"].columns_dict)
        facets = [c for c in FACETS if c in columns]
        tables["offers"]["facets"] = facets
        tables["offers"]["sortable_columns"] = [c for c in SORTABLE if c in columns]
        tables["offers"]["columns"] = {
            c: text for c, text in TABLES["offers"]["columns"].items() if c in columns
        }
    if "user_status" in present:
        # The seeker's status lives in its own table (see `botjobs mark`): faceted there.
        tables.setdefault("user_status", {})["facets"] = ["status"]
    for table in hidden_tables(db):
        tables.setdefault(table, {})["hidden"] = True
    return {
        "title": "botjobs",
        "description": (
            "Chatbot-project job offers from French listings, normalised and scored against "
            "your profiles. Read-only: change the data with the botjobs command."
        ),
        "databases": {
            name: {
                "description": "Offers, their listings, crawl runs, rejects, profiles and scores.",
                "tables": tables,
                "queries": canned_queries(db) if "offers" in present else {},
            }
        },
    }


def make_datasette(path: str | Path, metadata: dict[str, Any]):
    """A Datasette over the file at `path`, every connection read-only, named database_name()."""
    from datasette.app import Datasette
    from datasette.database import Database as DatasetteDatabase

    class ReadOnlyFile(DatasetteDatabase):
        # Datasette would open its write connection without ?mode=ro; no connection may write.
        def connect(self, write: bool = False):
            conn = sqlite3.connect(read_only_uri(self.path), uri=True, check_same_thread=False)
            opened = getattr(self, "_all_file_connections", None)
            if opened is not None:
                opened.append(conn)  # Datasette closes these on shutdown
            return conn

    # No files given: Datasette adds an empty in-memory database, dropped for ours.
    ds = Datasette([], metadata=metadata)
    ds.remove_database("_memory")
    ds.add_database(ReadOnlyFile(ds, path=str(path), is_mutable=True), name=database_name(path))
    return ds


def run_server(app, host: str, port: int) -> None:
    import uvicorn

    uvicorn.run(app, host=host, port=port, log_level="info", lifespan="on")


@click.command()
@click.option(
    "--host",
    default=DEFAULT_HOST,
    envvar="BOTJOBS_HOST",
    show_default=True,
    help="Address to listen on. Anything but this machine (127.x, ::1, localhost) must be "
    "typed here; it is refused from $BOTJOBS_HOST.",
)
@click.option(
    "--port", "-p", default=DEFAULT_PORT, show_default=True, type=click.IntRange(1, 65535)
)
@click.pass_context
def serve(ctx, host, port):
    """Browse the database with Datasette, read-only: facets, full-text search, and stored
    queries (best_matches, new_this_week, inside_my_salary_band).

    Offers stored by a crawl running meanwhile show up on the next page load.
    """
    host = host.strip("[]")  # "[::1]" as in a URL
    explicit = ctx.get_parameter_source("host") == ParameterSource.COMMANDLINE
    warning = check_host(host, explicit)
    path = ctx.obj["db_path"]
    # Not database(ctx): that would create or migrate the file, and serving never writes.
    if path == ":memory:" or not Path(path).is_file():
        raise click.ClickException(f"no database at {path}; make one with `botjobs crawl`")
    try:
        import datasette  # noqa: F401
    except ImportError:
        raise click.ClickException(
            "botjobs serve needs Datasette: pip install 'datasette>=0.65'"
        ) from None
    err(f"database: {path}")
    db = open_read_only(path)
    try:
        if "offers" not in db.table_names():
            raise click.ClickException(f"{path} is not a botjobs database (no offers table)")
        metadata = datasette_metadata(db, database_name(path))
    except sqlite3.DatabaseError as exc:
        raise click.ClickException(f"{path}: {exc}") from None
    finally:
        db.close()
    if warning:
        err(warning)
    ds = make_datasette(path, metadata)
    click.echo(f"serving {path} read-only at {url_for(host, port)} (Ctrl-C to stop)")
    run_server(ds.app(), host, port)
