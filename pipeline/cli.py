"""The `botjobs` command line: the one place that wires spiders, pipeline and database together."""

from __future__ import annotations

from pathlib import Path

import click
import platformdirs

from db.migrations import open_db
from db.queries import iter_offers, recent_offers
from pipeline.exporter import WRITERS
from pipeline.importer import UnknownFormat, read_offers
from pipeline.ingest import REJECTED, Ingest

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
SHOWN_BAD_LINES = 20


def default_db_path() -> Path:
    return platformdirs.user_data_path("botjobs") / "botjobs.db"


def err(message: str) -> None:
    click.echo(message, err=True)


def database(ctx: click.Context):
    """Open the chosen database (created and migrated if new) and say which file it is."""
    path = ctx.obj["db_path"]
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    err(f"database: {path}")
    return open_db(path)


@click.group(context_settings=CONTEXT_SETTINGS)
@click.option(
    "--db",
    "db_path",
    envvar="BOTJOBS_DB",
    type=click.Path(dir_okay=False),
    help="SQLite file to use [default: $BOTJOBS_DB, else the per-user data file].",
)
@click.pass_context
def cli(ctx: click.Context, db_path: str | None) -> None:
    """botjobs: chatbot-project job offers from French listings, in one SQLite file."""
    ctx.ensure_object(dict)
    ctx.obj["db_path"] = str(db_path or default_db_path())


@cli.command()
@click.option(
    "--source",
    "sources",
    multiple=True,
    metavar="SLUG",
    help="Crawl only this source (repeatable) [default: every source].",
)
@click.option(
    "--offline", is_flag=True, help="Replay recorded responses; no network, no credentials."
)
@click.option(
    "--fixtures",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    help="Folder of recorded responses for --offline [default: tests/fixtures of this checkout].",
)
@click.option(
    "--record",
    type=click.Path(file_okay=False, path_type=Path),
    help="Crawl live and save every response under DIR/<slug>/ in the fixture format.",
)
@click.pass_context
def crawl(ctx, sources, offline, fixtures, record):
    """Collect offers from the sources into the database and print a summary per source.

    \b
    Examples:
      botjobs crawl --offline
      botjobs crawl --source france_travail
      botjobs crawl --record tests/fixtures --source jobposting
    """
    from pipeline.crawl import DEFAULT_FIXTURES, available_sources, run_crawl

    if offline and record:
        raise click.UsageError("--offline replays, --record captures live: choose one.")
    if fixtures and not offline:
        raise click.UsageError("--fixtures only makes sense with --offline.")
    known = available_sources()
    unknown = [s for s in sources if s not in known]
    if unknown:
        raise click.BadParameter(
            f"unknown source {', '.join(unknown)}; known: {', '.join(known)}", param_hint="--source"
        )
    replay_dir = None
    if offline:
        replay_dir = fixtures or DEFAULT_FIXTURES
        if not replay_dir.is_dir():
            raise click.ClickException(
                f"no recorded responses at {replay_dir}; pass --fixtures DIR "
                "(the recorded set ships in tests/fixtures of a source checkout)"
            )
    database(ctx).close()
    runs = run_crawl(ctx.obj["db_path"], list(sources or known), replay_dir, record)
    print_runs(runs)
    if record:
        err(f"recorded responses under {record}")
    if runs and all(run["status"] == "failed" for run in runs):
        ctx.exit(1)


REMOTE_WORDS = {"full": "full remote", "hybrid": "hybrid", "none": "on site"}


def money(low: float | None, high: float | None) -> str | None:
    """An annual gross range in k€: "40–45 k€", "≥ 65 k€", "≤ 50 k€"."""
    k = [None if v is None else f"{v / 1000:.0f}" for v in (low, high)]
    if k[0] and k[1]:
        return f"{k[0]} k€" if k[0] == k[1] else f"{k[0]}–{k[1]} k€"
    return f"≥ {k[0]} k€" if k[0] else (f"≤ {k[1]} k€" if k[1] else None)


def offer_line(row: dict) -> str:
    """`#12 Chargé de projet chatbot — ACME · Lyon (69) · 40–45 k€ · CDI · hybrid [apec]`."""
    place = row["location"]
    if row["city"]:
        place = f"{row['city']} ({row['department']})" if row["department"] else row["city"]
    pay = money(row["salary_annual_min"], row["salary_annual_max"]) or row["salary"]
    remote = REMOTE_WORDS.get(row["remote"])
    details = (row["company"], place, pay, row["contract"] or row["contract_raw"], remote)
    return f"#{row['id']} {row['title']} — {' · '.join(d for d in details if d)} [{row['source']}]"


def run_line(run: dict) -> str:
    """One source's crawl in one line, e.g. `france_travail  partial  350 offers: 337 new, …`."""
    line = (
        f"{run['source']:<16} {run['status']:<14} {run['items']} offers: {run['new']} new, "
        f"{run['updated']} updated, {run['unchanged']} unchanged; {run['rejects']} rejected, "
        f"{run['errors']} errors"
    )
    return f"{line} — {run['message']}" if run["message"] else line


def print_runs(runs: list[dict]) -> None:
    for run in runs:
        click.echo(run_line(run))


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.pass_context
def import_(ctx, file: Path):
    """Read raw offers from FILE (JSON Lines, python-jobspy CSV, or an export) into the database.

    Each offer goes through the same pipeline as a crawled one. A line that can't be read is
    reported with its number and kept in the rejects table; the other lines are imported.
    Importing the same file again adds nothing twice.
    """
    try:
        kind, lines = read_offers(file)
    except UnknownFormat as exc:
        raise click.ClickException(f"{file}: {exc}") from None
    db = database(ctx)
    ingest = Ingest(db, source="import", mode="import")
    unreadable = shown = 0
    for line in lines:
        where = f"line {line.number}"
        if line.item is None:
            unreadable += 1
            ingest.reject(f"{where}: {line.error}", line.text)
        elif ingest.add(line.item, where) != REJECTED:
            continue
        shown += 1
        if shown <= SHOWN_BAD_LINES:
            err(f"{file}, {ingest.last_reason}")
    if shown > SHOWN_BAD_LINES:
        err(f"… and {shown - SHOWN_BAD_LINES} more (see the rejects table)")
    run = ingest.finish(errors=unreadable)
    click.echo(
        f"{file} ({kind}): {run['items'] + unreadable} lines — {run['new']} new, "
        f"{run['updated']} updated, {run['unchanged']} unchanged, {run['rejects']} rejected"
    )
    db.close()


@cli.command()
@click.option(
    "--format", "fmt", type=click.Choice(sorted(WRITERS)), default="jsonl", show_default=True
)
@click.option(
    "--output", "-o", type=click.File("w", encoding="utf-8"), default="-", help="[default: stdout]"
)
@click.option("--source", help="Only offers first listed by this source.")
@click.pass_context
def export(ctx, fmt, output, source):
    """Write every stored offer, one row each, as JSON Lines or CSV."""
    db = database(ctx)
    count = WRITERS[fmt](iter_offers(db, source), output)
    err(f"{count} offers written")
    db.close()


@cli.command()
@click.pass_context
def normalise(ctx):
    """Normalise every stored offer again from its raw listing (after a normaliser changed)."""
    from pipeline.ingest import renormalise

    db = database(ctx)
    count = renormalise(db)
    db.close()
    click.echo(f"{count} offers normalised again")


@cli.command()
@click.option("--limit", "-n", default=20, show_default=True, help="How many offers to show.")
@click.option("--source", help="Only offers first listed by this source.")
@click.pass_context
def offers(ctx, limit, source):
    """List the offers stored most recently."""
    db = database(ctx)
    rows = recent_offers(db, limit, source)
    total = db["offers"].count
    db.close()
    click.echo(f"{len(rows)} of {total} offers, most recently seen first")
    for row in rows:
        click.echo(offer_line(row))
