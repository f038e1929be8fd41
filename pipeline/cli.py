"""The `botjobs` command line: the one place that wires spiders, pipeline and database together."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import click

from db.queries import iter_offers, recent_offers
from pipeline.digest import digest
from pipeline.exporter import WRITERS
from pipeline.importer import UnknownFormat, read_offers
from pipeline.ingest import REJECTED, Ingest
from pipeline.items import reject
from pipeline.options import (
    REMOTE_WORDS,
    chosen_profile,
    clear_status,
    database,
    default_db_path,
    err,
    money,
    on_terminal,
    place_text,
    profile_option,
    status,
)
from pipeline.search import search
from pipeline.serve import serve
from pipeline.stats import stats
from pipeline.workers import MOST_JOBS, default_jobs

CONTEXT_SETTINGS = {"help_option_names": ["-h", "--help"], "max_content_width": 100}
SHOWN_BAD_LINES = 20


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


def source_options(command):
    """--source, --offline, --fixtures, --quiet, --log: what `crawl` and `run` share."""
    options = [
        click.option(
            "--source",
            "sources",
            multiple=True,
            metavar="SLUG",
            help="Crawl only this source (repeatable) [default: every source].",
        ),
        click.option(
            "--offline", is_flag=True, help="Replay recorded responses; no network, no credentials."
        ),
        click.option(
            "--fixtures",
            type=click.Path(file_okay=False, exists=True, path_type=Path),
            help="Folder of recorded responses for --offline [default: tests/fixtures here].",
        ),
        click.option(
            "--quiet", "-q", is_flag=True, help="Print only problems (for cron): no progress."
        ),
        click.option(
            "--log",
            "log_file",
            type=click.Path(dir_okay=False, path_type=Path),
            help="Append the crawl's log and summary to this file.",
        ),
        click.option(
            "--jobdir",
            "job_dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Keep each source's crawl state here: a crawl stopped with Ctrl-C resumes "
            "where it stopped, without asking again for what it already read.",
        ),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def crawl_plan(sources, offline, fixtures, record=None) -> tuple[list[str], Path | None]:
    """The sources to crawl and the folder to replay, checked before anything starts.

    No --source: every enabled source (opt-in ones only when listed in BOTJOBS_OPT_IN), or,
    offline, every source. A source named with --source runs, opt-in or not.
    """
    from pipeline.crawl import DEFAULT_FIXTURES
    from pipeline.sources import all_sources, default_sources

    if offline and record:
        raise click.UsageError("--offline replays, --record captures live: choose one.")
    if fixtures and not offline:
        raise click.UsageError("--fixtures only makes sense with --offline.")
    known = all_sources()
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
    return list(sources or default_sources(known, offline)), replay_dir


def search_terms_of(profile, offline: bool) -> list[str] | None:
    """The keywords the searching spiders ask for: the profile's titles and, for the chatbot
    role, its vocabulary. A replay asks what was recorded (the vocabulary): None."""
    from spiders.search_terms import terms_for

    return None if offline else terms_for(profile.titles)


def crawl_now(
    ctx, slugs, replay_dir, record, quiet, log_file, terms=None, job_dir=None
) -> list[dict]:
    """Crawl under the run lock and report per source (to the log file too, if any)."""
    import sys

    from pipeline.crawl import run_crawl
    from pipeline.sources import all_sources, spider_args

    database(ctx).close()
    progress = not quiet and log_file is None and sys.stderr.isatty()
    runs = run_crawl(
        ctx.obj["db_path"], slugs, replay_dir, record,
        spider_args=spider_args(all_sources(), slugs, terms), progress=progress,
        log_file=log_file, quiet=quiet, job_dir=job_dir,
    )  # fmt: skip
    for run in runs:
        line = run_line(run)
        if log_file is not None:
            with log_file.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
        if not quiet or run["status"] not in ("ok", "partial"):
            click.echo(line)
    return runs


@cli.command()
@source_options
@profile_option
@click.option(
    "--record",
    type=click.Path(file_okay=False, path_type=Path),
    help="Crawl live and save every response under DIR/<slug>/ in the fixture format.",
)
@click.pass_context
def crawl(ctx, sources, offline, fixtures, quiet, log_file, job_dir, profile_path, record):
    """Collect offers from the sources into the database and print a summary per source.

    \b
    Examples:
      botjobs crawl --offline
      botjobs crawl --source france_travail
      botjobs crawl --record tests/fixtures --source jobposting

    The searching sources ask for the profile's titles (and, for a chatbot role, the role's
    other names in spiders/search_terms.txt).
    """
    from pipeline.lock import Busy, exclusive_run
    from pipeline.match import read_profile

    ctx.find_root().obj["quiet"] = quiet
    slugs, replay_dir = crawl_plan(sources, offline, fixtures, record)
    terms = search_terms_of(read_profile(profile_path)[0], offline)
    try:
        with exclusive_run(ctx.obj["db_path"]):
            runs = crawl_now(ctx, slugs, replay_dir, record, quiet, log_file, terms, job_dir)
    except Busy as exc:
        raise click.ClickException(str(exc)) from None
    if record:
        err(f"recorded responses under {record}")
    if runs and all(run["status"] == "failed" for run in runs):
        ctx.exit(1)


@cli.command()
@source_options
@profile_option
@click.option("--top", default=10, show_default=True, help="How many new matches to print.")
@click.option(
    "--min-score", default=40, show_default=True, help="Leave weaker matches out (and the digest)."
)
@click.option(
    "--digest",
    "digest_format",
    type=click.Choice(["html", "csv", "jsonl", "none"]),
    default="html",
    show_default=True,
    help="Write the new matches as a digest beside the database (none: don't).",
)
@click.pass_context
def run(
    ctx,
    sources,
    offline,
    fixtures,
    quiet,
    log_file,
    job_dir,
    profile_path,
    top,
    min_score,
    digest_format,
):
    """The main job: crawl, normalise, store, score, print the best new matches, write the digest.

    The digest holds what came in since this profile's last digest (`digest --new`).

    \b
    Examples:
      botjobs run --offline                 # on the recorded responses, no network
      botjobs run --profile me.toml -q      # live, quiet: for cron
    """
    from pipeline.ingest import utcnow
    from pipeline.lock import Busy, exclusive_run
    from pipeline.match import score_offers

    ctx.find_root().obj["quiet"] = quiet
    slugs, replay_dir = crawl_plan(sources, offline, fixtures)
    started = utcnow()
    try:
        with exclusive_run(ctx.obj["db_path"]):
            db = database(ctx)
            profile, profile_id, changed = chosen_profile(db, profile_path)
            db.close()
            terms = search_terms_of(profile, offline)
            runs = crawl_now(ctx, slugs, replay_dir, None, quiet, log_file, terms, job_dir)
            db = database(ctx)
            score_offers(db, profile, profile_id, only_new=not changed)
            best = list(
                db.query(
                    "select offers.id, coalesce(title_clean, title) as title, company, score, "
                    "summary from matches join offers on offers.id = matches.offer_id "
                    f"where profile_id = ? and offers.first_seen >= ? and score >= ? and {NOT_DISMISSED} "
                    "order by score desc, offers.id limit ?",
                    [profile_id, started, min_score, top],
                )
            )
            db.close()
            if best and digest_format != "none":
                write_digest(ctx, profile_path, min_score, digest_format)
    except Busy as exc:
        raise click.ClickException(str(exc)) from None
    if not quiet:
        click.echo(f"\n{len(best)} best new matches for {profile.name}:" if best else "")
        for row in best:
            click.echo(f"{row['score']:>3}  #{row['id']} {row['title']} — {row['company'] or '?'}")
            click.echo(f"     {row['summary']}")
        if not best:
            click.echo(f"no new offers matched {profile.name} this time")
    if runs and all(r["status"] == "failed" for r in runs):
        ctx.exit(1)


def write_digest(ctx, profile_path, min_score: int, fmt: str) -> None:
    """`digest --new` into the database's folder, as `run` writes it."""
    from datetime import date

    from pipeline.digest import default_output

    folder = Path(ctx.obj["db_path"]).resolve().parent
    ctx.invoke(
        digest,
        profile_path=profile_path,
        only_new=True,
        since=None,
        min_score=min_score,
        output=str(default_output(fmt, date.today(), folder)),
        fmt=fmt,
        delimiter=None,
    )


def parse_every(text: str) -> float:
    """ "6h" → 21600 seconds; "30m", "1d", "90s" too."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    text = text.strip().lower()
    if len(text) < 2 or text[-1] not in units or not text[:-1].replace(".", "", 1).isdigit():
        raise click.BadParameter("use a number and a unit: 30m, 6h, 1d", param_hint="--every")
    seconds = float(text[:-1]) * units[text[-1]]
    if seconds < 60:
        raise click.BadParameter("at least one minute between runs", param_hint="--every")
    return seconds


@cli.command()
@click.option("--every", required=True, help="Time between runs: 30m, 6h, 1d.")
@click.option("--offline", is_flag=True, help="Run on the recorded responses (to try it out).")
@profile_option
@click.option(
    "--log",
    "log_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Log of every run [default: botjobs.log beside the database].",
)
@click.option("--times", type=int, default=0, help="Stop after this many runs (0: never).")
@click.pass_context
def schedule(ctx, every, offline, profile_path, log_file, times):
    """Run `botjobs run` again and again, every so often, until stopped (Ctrl-C).

    Each run is its own process, quiet, logged to a file; the run lock makes sure two runs
    never overlap (a cron job and this loop included). A run that fails or is killed leaves
    the database whole, and the next one starts as usual.
    """
    import subprocess
    import sys
    import time

    interval = parse_every(every)
    db_path = ctx.obj["db_path"]
    log_file = log_file or Path(db_path).with_name("botjobs.log")
    command = [sys.executable, "-m", "pipeline", "--db", db_path, "run", "--quiet"]
    command += ["--log", str(log_file)]
    if offline:
        command.append("--offline")
    if profile_path:
        command += ["--profile", str(profile_path)]
    err(f"every {every}: {' '.join(command)}")
    done = 0
    try:
        while True:
            started = time.monotonic()
            result = subprocess.run(command, capture_output=True, text=True)
            done += 1
            with log_file.open("a", encoding="utf-8") as handle:
                handle.write(f"--- run {done} ended with status {result.returncode}\n")
                handle.write(result.stdout + result.stderr)
            if result.returncode:
                err(f"run {done} failed (status {result.returncode}); see {log_file}")
            if times and done >= times:
                return
            time.sleep(max(0.0, interval - (time.monotonic() - started)))
    except KeyboardInterrupt:
        err(f"stopped after {done} runs")


def offer_line(row: dict) -> str:
    """`#12 Chargé de projet chatbot — ACME · Lyon (69) · 40–45 k€ · CDI · hybrid [apec]`."""
    place = place_text(row)
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
    line = f"{line} — {run['message']}" if run["message"] else line
    warnings = json.loads(run.get("health") or "[]")
    return "\n".join([line, *(f"{'':<17}health: {w}" for w in warnings)])


@cli.command()
@click.pass_context
def sources(ctx):
    """Every source: enabled, opt-in or needing credentials; its last run; its live offers.

    Opt-in sources (their terms forbid scraping, or they block crawlers) run only when named
    with --source or listed in BOTJOBS_OPT_IN (comma-separated slugs).
    """
    from pipeline.sources import all_sources, source_rows

    db = database(ctx)
    rows = source_rows(db, all_sources())
    db.close()
    for row in rows:
        click.echo(f"{row['source']:<16} {row['state']:<32} {row['live_offers']:>5} live offers")
        click.echo(f"{'':<17}{row['about']}")
        if row["last_run"] is None:
            click.echo(f"{'':<17}never crawled")
            continue
        click.echo(
            f"{'':<17}last run {row['last_run']}: {row['status']}, {row['items']} offers, "
            f"{row['new']} new, {row['rejects']} rejected, {row['errors']} errors"
            + (f" — {row['message']}" if row["message"] else "")
        )
        for warning in row["health"]:
            click.echo(f"{'':<17}health: {warning}")


JOBS = click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=default_jobs,
    show_default=f"every core, up to {MOST_JOBS}",
    help="Processes normalising offers (a few hundred offers a second each).",
)


@cli.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@JOBS
@click.pass_context
def import_(ctx, file: Path, jobs: int):
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

    def items():
        nonlocal unreadable
        for line in lines:
            where = f"line {line.number}"
            if line.item is None:
                unreadable += 1
                yield reject("import", f"{where}: {line.error}", line.text), where
            else:
                yield line.item, where

    terminal = on_terminal()
    tally: Counter[str] = Counter()
    for outcome, reason in ingest.add_all(items(), jobs):
        tally[outcome] += 1
        if terminal:
            status(
                f"{tally.total():,} read — {tally['new']:,} new, {tally['updated']:,} updated, "
                f"{tally['unchanged']:,} unchanged, {tally[REJECTED]:,} rejected"
            )
        if outcome != REJECTED:
            continue
        shown += 1
        if shown <= SHOWN_BAD_LINES:
            if terminal:
                clear_status()
            err(f"{file}, {reason}")
    if terminal:
        clear_status()
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
@click.argument("path", required=False, type=click.Path(dir_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite an existing file.")
def init(path: Path | None, force: bool):
    """Write a commented starter profile to PATH [default: your user profile file].

    The starter is for the role botjobs was made for (chargé de projet chatbot); edit its
    titles, skills, salary band, places and contracts to make it yours.
    """
    from matching.profile import TEMPLATE
    from pipeline.match import default_profile_path

    path = path or default_profile_path()
    if path.exists() and not force:
        raise click.ClickException(f"{path} exists; use --force to overwrite it")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    click.echo(f"profile written to {path}; edit it, then run: botjobs match --profile {path}")


@cli.command()
@profile_option
@click.pass_context
def match(ctx, profile_path):
    """Score every stored offer against the profile again (no crawling)."""
    import time

    from pipeline.match import score_offers

    db = database(ctx)
    profile, profile_id, _ = chosen_profile(db, profile_path)
    started = time.perf_counter()
    count = score_offers(db, profile, profile_id)
    elapsed = time.perf_counter() - started
    db.close()
    click.echo(f"{count} offers scored for {profile.name} in {elapsed:.1f} s")


MATCH_COLUMNS = ("id", "source_id", "title", "company", "score", "summary", "url", "status")


NOT_DISMISSED = "offers.id not in (select offer_id from user_status where status = 'dismissed')"


def ranked_matches(db, profile_id: int, min_score: int, limit: int | None, everything=False):
    sql = (
        "select offers.id, offers.source_id, coalesce(offers.title_clean, offers.title) as title,"
        " offers.company, offers.url, matches.score, matches.summary, matches.breakdown,"
        " user_status.status"
        " from matches join offers on offers.id = matches.offer_id"
        " left join user_status on user_status.offer_id = offers.id"
        " where matches.profile_id = ? and matches.score >= ?"
        + ("" if everything else f" and {NOT_DISMISSED}")
        + " order by matches.score desc, offers.posted_at desc, offers.id"
    )
    params: list = [profile_id, min_score]
    if limit:
        sql += " limit ?"
        params.append(limit)
    return db.query(sql, params)


@cli.command()
@profile_option
@click.option("--min-score", default=0, show_default=True, help="Leave out offers scored lower.")
@click.option("--limit", "-n", default=20, show_default=True, help="How many (0: all).")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json", "csv"]),
    default="table",
    show_default=True,
)
@click.option("--all", "everything", is_flag=True, help="Dismissed offers too.")
@click.pass_context
def matches(ctx, profile_path, min_score, limit, fmt, everything):
    """List the offers that match the profile best, with the reasons of each score.

    Offers you dismissed (`botjobs mark ID dismissed`) are left out unless --all.
    """
    import csv
    import json
    import sys

    from pipeline.match import score_offers

    db = database(ctx)
    profile, profile_id, changed = chosen_profile(db, profile_path)
    score_offers(db, profile, profile_id, only_new=not changed)
    rows = ranked_matches(db, profile_id, min_score, limit or None, everything)
    if fmt == "json":
        out = [
            {**{k: row[k] for k in MATCH_COLUMNS}, "breakdown": json.loads(row["breakdown"])}
            for row in rows
        ]
        click.echo(json.dumps(out, ensure_ascii=False, indent=1))
    elif fmt == "csv":
        writer = csv.DictWriter(sys.stdout, fieldnames=MATCH_COLUMNS, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
    else:
        for row in rows:
            status = f" [{row['status']}]" if row["status"] else ""
            click.echo(
                f"{row['score']:>3}  #{row['id']} {row['title']} — {row['company'] or '?'}{status}"
            )
            click.echo(f"     {row['summary']}")
    db.close()


@cli.command()
@click.argument("offer_id", type=int)
@profile_option
@click.pass_context
def show(ctx, offer_id, profile_path):
    """Print one offer and, in plain words, why it scores what it does."""
    import json

    from pipeline.match import score_offers

    db = database(ctx)
    offer = next(db["offers"].rows_where("id = ?", [offer_id]), None)
    if offer is None:
        raise click.ClickException(f"no offer #{offer_id}")
    profile, profile_id, changed = chosen_profile(db, profile_path)
    score_offers(db, profile, profile_id, only_new=not changed)
    row = next(db["matches"].rows_where("profile_id = ? and offer_id = ?", [profile_id, offer_id]))
    breakdown = json.loads(row["breakdown"])
    pay = money(offer["salary_annual_min"], offer["salary_annual_max"]) or offer["salary"] or "?"
    place = place_text(offer) or "?"
    click.echo(f"#{offer['id']} {offer['title']}")
    click.echo(f"{offer['company'] or '?'} · {place} · {pay} · {offer['contract'] or '?'}")
    click.echo(f"{offer['url'] or ''}")
    mine = next(db["user_status"].rows_where("offer_id = ?", [offer_id]), None)
    if mine:
        click.echo(
            f"you: {mine['status']} ({mine['updated_at'][:10]})"
            + (f" — {mine['note']}" if mine["note"] else "")
        )
    click.echo(f"\nscore {row['score']}/100 for {profile.name}")
    for part in ("role", "skills", "salary", "place", "contract", "level"):
        item = breakdown[part]
        click.echo(f"  {part:<9}{item['points']:>5.1f}/{item['max']:<3} {item['reason']}")
    for penalty in breakdown["penalties"]:
        click.echo(f"  lowered: {penalty}")
    if offer["description_text"]:
        click.echo("\n" + offer["description_text"])
    db.close()


STATUSES = ("applied", "interested", "dismissed")


@cli.command()
@click.argument("offer_id", type=int)
@click.argument("status", type=click.Choice([*STATUSES, "clear"]))
@click.option("--note", help="A note kept with the status (who you spoke to, a date…).")
@click.pass_context
def mark(ctx, offer_id, status, note):
    """Say what you did with an offer: applied, interested or dismissed (clear: forget it).

    The status survives crawls and scoring; dismissed offers leave `matches`, the digests
    and `run`'s list (`matches --all` shows them).
    """
    from pipeline.ingest import utcnow

    db = database(ctx)
    if db["offers"].count_where("id = ?", [offer_id]) == 0:
        raise click.ClickException(f"no offer #{offer_id}")
    with db.atomic():
        if status == "clear":
            db.execute("delete from user_status where offer_id = ?", [offer_id])
        else:
            record = {"offer_id": offer_id, "status": status, "note": note, "updated_at": utcnow()}
            db["user_status"].upsert(record, pk="offer_id")
    db.close()
    click.echo(f"#{offer_id}: {'status cleared' if status == 'clear' else status}")


@cli.command()
@JOBS
@click.pass_context
def normalise(ctx, jobs: int):
    """Normalise every stored offer again from its raw listings (after a normaliser changed),
    then look for duplicates again (`botjobs dedup`), since what they compare has changed."""
    from pipeline.ingest import renormalise

    db = database(ctx)
    count, changed = renormalise(db, jobs)
    db.close()
    click.echo(f"{count} offers normalised again, {changed} of them changed")
    ctx.invoke(dedup)


@cli.command()
@click.pass_context
def dedup(ctx):
    """Merge the stored offers that are one job listed by several sources.

    New listings are matched as they come in; this looks again at everything stored (a
    database from before duplicate detection, or after its rules changed in
    pipeline/data/dedup.toml). Every listing is kept, under the one offer of its job.
    """
    from pipeline.dedup import dedup_stored
    from pipeline.sources import all_sources

    employer_sites = {slug for slug, source in all_sources().items() if source.employer_site}
    db = database(ctx)
    seen, merged = dedup_stored(db, employer_sites)
    db.close()
    click.echo(f"{seen} offers looked at, {merged} merged into the offer of the same job")


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


for command in (digest, search, stats, serve):
    cli.add_command(command)
