"""`botjobs stats`: what the database holds, counted in SQL (no table is read into memory).

Offers and listings by source; live and expired offers (an offer is expired once `expired_at` is
set); how fresh they are; score bands for every stored profile; contracts; remote work; and the
last crawl run of each source.

Freshness buckets are calendar ones in Paris time, and each offer is counted once, in the first
bucket it fits: "today" (since midnight), "this week" (since Monday, before today), "this month"
(since the 1st, before this week), "older". `first_seen` is a UTC timestamp and is compared as a
moment; `posted_at` is already a Paris date and is compared as a date.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

import click
from sqlite_utils import Database

from pipeline.dates import paris
from pipeline.options import database

FRESHNESS = ("today", "this_week", "this_month", "older", "unknown")
SCORE_BANDS = (("80+", 80, None), ("60-79", 60, 80), ("40-59", 40, 60), ("<40", None, 40))
BAND_LABELS = {"80+": "≥80", "60-79": "60–79", "40-59": "40–59", "<40": "<40"}
RUN_COLUMNS = (
    "source", "status", "finished_at", "mode", "items", "new", "updated", "unchanged",
    "rejects", "errors", "message",
)  # fmt: skip


def user_status(db: Database) -> tuple[str, str]:
    """(join, expression) giving the seeker's own status of an offer (applied, dismissed…),
    from the `user_status` table that `botjobs mark` writes. Code constants, never input."""
    return "left join user_status on user_status.offer_id = offers.id", "user_status.status"


def freshness_bounds(now: datetime) -> dict[str, Any]:
    """Where today, this week and this month start in Paris: as UTC moments in SQLite's
    `datetime()` format (for first_seen) and as Paris dates (for posted_at)."""
    zone = paris()
    today = now.astimezone(zone).date()
    starts = {
        "today": today,
        "week": today - timedelta(days=today.weekday()),
        "month": today.replace(day=1),
    }
    bounds: dict[str, Any] = {}
    for key, day in starts.items():
        moment = datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)
        bounds[f"{key}_moment"] = moment.strftime("%Y-%m-%d %H:%M:%S")
        bounds[f"{key}_date"] = day.isoformat()
    return bounds


def _bucket_sql(value: str, kind: str) -> str:
    # `value` is datetime(column) or date(column): NULL when the column is empty or unreadable.
    return (
        f"case when {value} is null then 'unknown' "
        f"when {value} >= :today_{kind} then 'today' "
        f"when {value} >= :week_{kind} then 'this_week' "
        f"when {value} >= :month_{kind} then 'this_month' "
        "else 'older' end"
    )


def _counts(db: Database, sql: str, params: dict | list | None = None) -> dict[str, int]:
    return {row[0]: row[1] for row in db.execute(sql, params or []).fetchall()}


def _freshness(db: Database, column: str, kind: str, bounds: dict[str, Any]) -> dict[str, int]:
    value = f"datetime(offers.{column})" if kind == "moment" else f"date(offers.{column})"
    sql = f"select {_bucket_sql(value, kind)} as bucket, count(*) from offers group by bucket"
    found = _counts(db, sql, bounds)
    return {bucket: found.get(bucket, 0) for bucket in FRESHNESS}


def _score_bands(db: Database, total: int) -> list[dict[str, Any]]:
    sums = []
    for _label, low, high in SCORE_BANDS:
        test = " and ".join(
            t
            for t in (
                f"matches.score >= {low}" if low is not None else "",
                f"matches.score < {high}" if high is not None else "",
            )
            if t
        )
        sums.append(f"coalesce(sum({test}), 0)")
    sql = (
        f"select profiles.id, profiles.name, {', '.join(sums)}, count(matches.offer_id) "
        "from profiles left join matches on matches.profile_id = profiles.id "
        "group by profiles.id order by profiles.id"
    )
    result = []
    for row in db.execute(sql).fetchall():
        bands = dict(zip((label for label, _, _ in SCORE_BANDS), row[2:-1], strict=True))
        result.append(
            {"profile_id": row[0], "profile": row[1], **bands, "unscored": total - row[-1]}
        )
    return result


def offer_stats(db: Database, now: datetime | None = None) -> dict[str, Any]:
    """Every count `botjobs stats` shows, as plain data."""
    now = now or datetime.now(UTC)
    total, live = db.execute(
        "select count(*), coalesce(sum(expired_at is null), 0) from offers"
    ).fetchone()
    by_source = [
        {"source": row[0], "offers": row[1], "listings": row[2]}
        for row in db.execute(
            "select source, sum(offers), sum(listings) from ("
            " select source, count(*) as offers, 0 as listings from offers group by source"
            " union all"
            " select source, 0, count(*) from listings group by source"
            ") group by source order by sum(offers) desc, source"
        ).fetchall()
    ]
    stats: dict[str, Any] = {
        "offers": total,
        "live": live,
        "expired": total - live,
        "by_source": by_source,
    }
    join, expression = user_status(db)
    stats["by_user_status"] = _counts(
        db,
        f"select coalesce({expression}, 'none'), count(*) from offers {join} "
        "group by 1 order by 2 desc, 1",
    )
    bounds = freshness_bounds(now)
    stats["first_seen"] = _freshness(db, "first_seen", "moment", bounds)
    stats["posted_at"] = _freshness(db, "posted_at", "date", bounds)
    stats["score_bands"] = _score_bands(db, total)
    for column in ("contract", "remote"):
        stats[column] = _counts(
            db,
            f"select coalesce({column}, 'unknown'), count(*) from offers "
            "group by 1 order by 2 desc, 1",
        )
    columns = ", ".join(RUN_COLUMNS)
    stats["last_runs"] = [
        dict(zip(RUN_COLUMNS, row, strict=True))
        for row in db.execute(
            f"select {columns} from crawl_runs "
            "where id in (select max(id) from crawl_runs group by source) order by source"
        ).fetchall()
    ]
    return stats


# --- plain text ---------------------------------------------------------------------------------


def aligned(header: list[str], rows: list[list[Any]]) -> list[str]:
    """Columns padded to their widest cell: numbers to the right, text to the left."""
    cells = [[("" if v is None else str(v)) for v in row] for row in rows]
    numeric = [
        all(isinstance(row[i], int | float) or row[i] is None for row in rows) and i > 0
        for i in range(len(header))
    ]
    widths = [max([len(str(h)), *(len(r[i]) for r in cells)]) for i, h in enumerate(header)]

    def line(values: list[str]) -> str:
        parts = [
            v.rjust(widths[i]) if numeric[i] else v.ljust(widths[i]) for i, v in enumerate(values)
        ]
        return "  ".join(parts).rstrip()

    return [line([str(h) for h in header]), *(line(r) for r in cells)]


def _counted(title: str, counts: dict[str, int]) -> list[str]:
    return aligned([title, "offers"], [[k.replace("_", " "), v] for k, v in counts.items()])


def stats_text(stats: dict[str, Any]) -> str:
    sections = [
        [f"offers: {stats['offers']} (live {stats['live']}, expired {stats['expired']})"],
        aligned(
            ["source", "offers", "listings"],
            [[s["source"], s["offers"], s["listings"]] for s in stats["by_source"]],
        ),
    ]
    sections.append(_counted("your status", stats["by_user_status"]))
    sections.append(_counted("first seen", stats["first_seen"]))
    sections.append(_counted("posted", stats["posted_at"]))
    labels = [label for label, _, _ in SCORE_BANDS]
    sections.append(
        aligned(
            ["score", *(BAND_LABELS[label] for label in labels), "unscored"],
            [
                [b["profile"], *(b[label] for label in labels), b["unscored"]]
                for b in stats["score_bands"]
            ],
        )  # fmt: skip
        if stats["score_bands"]
        else ["score: no profile stored yet (botjobs match)"]
    )
    sections.append(_counted("contract", stats["contract"]))
    sections.append(_counted("remote", stats["remote"]))
    runs = stats["last_runs"]
    if runs:
        header = ["last crawl", *(c.replace("_at", "") for c in RUN_COLUMNS[1:])]
        rows = [[r["source"], *(r[c] for c in RUN_COLUMNS[1:])] for r in runs]
        sections.append(aligned(header, rows))
    else:
        sections.append(["last crawl: none yet (botjobs crawl)"])
    return "\n\n".join("\n".join(section) for section in sections)


@click.command()
@click.option(
    "--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True
)
@click.pass_context
def stats(ctx, fmt):
    """Count the stored offers: by source, live or expired, freshness, score band for each
    profile, contract and remote work; and each source's last crawl.

    Today, this week (since Monday) and this month are in Paris time; each offer is counted in
    the first of them it fits.
    """
    db = database(ctx)
    result = offer_stats(db)
    db.close()
    if fmt == "json":
        click.echo(json.dumps(result, ensure_ascii=False, indent=1))
    else:
        click.echo(stats_text(result))
