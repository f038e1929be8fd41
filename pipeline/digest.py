"""`botjobs digest`: the offers matched to a profile, best first, as a file to read or open.

Pure renderers turn digest records into text chunks (CSV for Excel/LibreOffice, JSON Lines, one
self-contained HTML page); a thin click command wires them to the database. Offers are streamed
from one SQL query; only what the charts need (a few numbers an offer) is held in memory.
"""

from __future__ import annotations

import csv
import html
import io
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, BinaryIO
from urllib.parse import urlsplit

import click

from pipeline.ingest import stamp
from pipeline.options import (
    REMOTE_WORDS,
    chosen_profile,
    database,
    money,
    note,
    place_text,
    profile_option,
    since_moment,
)

FORMATS = ("csv", "jsonl", "html")
CSV_COLUMNS = (
    "score", "reasons", "title", "employer", "salary", "place", "remote", "contract", "posted",
    "links", "id",
)  # fmt: skip
JSONL_FIELDS = (
    "id", "score", "reasons", "title", "employer", "salary_min", "salary_max", "salary", "place",
    "city", "department", "region", "remote", "contract", "posted", "first_seen", "links",
)  # fmt: skip
# A spreadsheet reads a cell starting with one of these as a formula (or DDE command).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


# --- records -----------------------------------------------------------------------------------


def whole(value: float | None) -> int | float | None:
    """45000.0 → 45000, so JSON shows the euros as they are; None stays None."""
    if value is None:
        return None
    return int(value) if float(value).is_integer() else value


def safe_url(url: str | None) -> str | None:
    """The URL if a browser may follow it from the page (http or https), else None."""
    if not url:
        return None
    url = url.strip()
    if any(ord(c) < 32 or ord(c) == 127 for c in url):
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    return url if parts.scheme.lower() in ("http", "https") and parts.netloc else None


def digest_record(row: dict[str, Any]) -> dict[str, Any]:
    """One offer as every format writes it, from a row of `digest_rows`.

    Links come first from the source that listed the offer first, then in the order seen.
    """
    links = json.loads(row.get("links") or "[]")
    links.sort(
        key=lambda link: (
            link["source"] != row.get("source"),
            link.get("first_seen") or "",
            link["source"],
        )
    )
    low, high = row.get("salary_annual_min"), row.get("salary_annual_max")
    return {
        "id": row["id"],
        "score": int(row["score"]),
        "reasons": row.get("summary"),
        "title": row.get("title"),
        "employer": row.get("company"),
        "salary_min": whole(low),
        "salary_max": whole(high),
        "salary": money(low, high),
        "place": place_text(row),
        "city": row.get("city"),
        "department": row.get("department"),
        "region": row.get("region"),
        "remote": row.get("remote"),
        "contract": row.get("contract"),
        "posted": row.get("posted_at"),
        "first_seen": row.get("first_seen"),
        "links": [{"source": link["source"], "url": link.get("url")} for link in links],
    }


def remote_text(record: dict[str, Any]) -> str | None:
    return REMOTE_WORDS.get(record["remote"])


# --- CSV ---------------------------------------------------------------------------------------


def neutralise(value: Any) -> Any:
    """A text a spreadsheet would run as a formula, made plain text by a leading quote."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def csv_cells(record: dict[str, Any]) -> list[Any]:
    links = " | ".join(f"{link['source']}: {link['url'] or ''}" for link in record["links"])
    values = {
        **record,
        "remote": remote_text(record),
        "links": links,
    }
    return [neutralise(values[column]) for column in CSV_COLUMNS]


def render_csv(records: Iterable[dict[str, Any]], delimiter: str = ",") -> Iterator[str]:
    """UTF-8 CSV text with a BOM first (so Excel reads the accents), a header, one row an offer."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, delimiter=delimiter)

    def flush() -> str:
        text = buffer.getvalue()
        buffer.seek(0)
        buffer.truncate()
        return text

    writer.writerow(CSV_COLUMNS)
    yield "\ufeff" + flush()
    for record in records:
        writer.writerow(csv_cells(record))
        yield flush()


# --- JSON Lines --------------------------------------------------------------------------------


def render_jsonl(records: Iterable[dict[str, Any]]) -> Iterator[str]:
    for record in records:
        yield json.dumps({k: record[k] for k in JSONL_FIELDS}, ensure_ascii=False) + "\n"


# --- HTML --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Bar:
    """One offer's salary range on the chart (annual gross EUR; either end may be unknown)."""

    offer_id: int
    title: str
    low: float | None
    high: float | None


@dataclass(frozen=True)
class DigestInfo:
    """What the page says before its offers: who, when, which offers, and the charts' data."""

    profile: str
    written: str  # the digest's date and time, as the reader reads it
    scope: str  # "first seen since …", "all matched offers"
    min_score: int
    total: int
    band: tuple[float | None, float | None] = (None, None)  # the profile's min and target
    sources: tuple[tuple[str, int], ...] = ()  # (source, offers listed there)
    bars: tuple[Bar, ...] = field(default=())


def esc(value: Any) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def short(text: str | None, size: int = 34) -> str:
    text = " ".join((text or "").split())
    return text if len(text) <= size else text[: size - 1].rstrip() + "…"


def k_euros(value: float) -> str:
    return f"{value / 1000:.0f} k€"


def score_class(score: int) -> str:
    return "high" if score >= 70 else ("mid" if score >= 45 else "low")


def salary_svg(bars: Iterable[Bar], band: tuple[float | None, float | None]) -> str:
    """One horizontal bar an offer, from its annual minimum to its maximum, best offer on top,
    over the profile's band shaded; an open range ("≥ 40 k€") runs to the chart's edge."""
    bars = [b for b in bars if b.low is not None or b.high is not None]
    if not bars:
        return '<p class="none">No offer here states a salary.</p>'
    values = [v for b in bars for v in (b.low, b.high) if v is not None]
    values += [v for v in band if v is not None]
    step = 10000 if max(values) - min(values) <= 120000 else 20000
    lo = min(values) // step * step
    hi = -(-max(values) // step) * step
    hi = hi if hi > lo else lo + step
    label_w, plot_w, row_h, top = 250, 440, 18, 26
    width, height = label_w + plot_w + 20, top + row_h * len(bars) + 6

    def x(value: float) -> float:
        return round(label_w + (value - lo) / (hi - lo) * plot_w, 1)

    parts = [
        f'<svg class="chart salaries" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Salary ranges of {len(bars)} offers against your band">'
    ]
    band_low, band_high = band
    if band_low is not None or band_high is not None:
        start, end = x(band_low if band_low is not None else lo), x(band_high or hi)
        label = esc(f"your band: {money(band_low, band_high)}")
        parts.append(
            f'<rect class="band" x="{start}" y="{top - 6}" width="{max(end - start, 2)}" '
            f'height="{height - top + 6}"><title>{label}</title></rect>'
        )
    tick = lo
    while tick <= hi:
        parts.append(
            f'<line class="grid" x1="{x(tick)}" y1="{top - 6}" x2="{x(tick)}" y2="{height}"/>'
            f'<text class="tick" x="{x(tick)}" y="{top - 10}">{esc(k_euros(tick))}</text>'
        )
        tick += step
    for row, bar in enumerate(bars):
        y = top + row * row_h
        start = x(bar.low) if bar.low is not None else label_w
        end = x(bar.high) if bar.high is not None else label_w + plot_w
        kind = "open" if bar.low is None or bar.high is None else "range"
        if band_low is not None and bar.high is not None and bar.high < band_low:
            kind += " below"
        tip = esc(f"#{bar.offer_id} {bar.title}: {money(bar.low, bar.high)}")
        parts.append(
            f'<a href="#o{bar.offer_id}"><text class="label" x="{label_w - 8}" y="{y + 12}">'
            f"{esc(short(bar.title))}</text>"
            f'<rect class="bar {kind}" x="{start}" y="{y + 3}" width="{max(end - start, 3)}" '
            f'height="{row_h - 6}" rx="3"><title>{tip}</title></rect></a>'
        )
    parts.append("</svg>")
    return "".join(parts)


def sources_svg(sources: Iterable[tuple[str, int]]) -> str:
    """One bar a source: how many of these offers it lists."""
    sources = [(name, count) for name, count in sources if count]
    if not sources:
        return '<p class="none">No sources to count.</p>'
    most = max(count for _, count in sources)
    label_w, plot_w, row_h = 130, 240, 22
    width, height = label_w + plot_w + 50, row_h * len(sources) + 4
    parts = [
        f'<svg class="chart sources" xmlns="http://www.w3.org/2000/svg" width="{width}" '
        f'height="{height}" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="Offers per source">'
    ]
    for row, (name, count) in enumerate(sources):
        y = row * row_h
        length = max(round(count / most * plot_w, 1), 2)
        parts.append(
            f'<text class="label" x="{label_w - 8}" y="{y + 15}">{esc(short(name, 20))}</text>'
            f'<rect class="src" x="{label_w}" y="{y + 4}" width="{length}" height="{row_h - 8}" '
            f'rx="3"><title>{esc(name)}: {count}</title></rect>'
            f'<text class="count" x="{label_w + length + 6}" y="{y + 15}">{count}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def link_html(url: str | None, text: str) -> str:
    safe = safe_url(url)
    if safe is None:
        return f'<span class="nolink" title="no http(s) link">{esc(text)}</span>'
    return f'<a href="{esc(safe)}" rel="noopener noreferrer">{esc(text)}</a>'


def offer_html(record: dict[str, Any]) -> str:
    """One card: score badge, the title linked to its best link, the facts, reasons, links."""
    best = next((link["url"] for link in record["links"] if safe_url(link["url"])), None)
    title = record["title"] or "(untitled)"
    who = " · ".join(esc(v) for v in (record["employer"], record["place"]) if v)
    facts = (
        record["salary"],
        record["contract"],
        remote_text(record),
        f"posted {record['posted']}" if record["posted"] else None,
    )
    links = " · ".join(link_html(link["url"], link["source"]) for link in record["links"])
    score = record["score"]
    return (
        f'<li class="offer" id="o{record["id"]}">'
        f'<span class="score {score_class(score)}" title="score out of 100">{score}</span>'
        f'<div class="body"><h2>{link_html(best, title)}</h2>'
        + (f'<p class="who">{who}</p>' if who else "")
        + '<ul class="facts">'
        + "".join(f"<li>{esc(fact)}</li>" for fact in facts if fact)
        + "</ul>"
        + (f'<p class="reasons">{esc(record["reasons"])}</p>' if record["reasons"] else "")
        + f'<p class="links">{links} <span class="id">#{record["id"]}</span></p>'
        "</div></li>\n"
    )


STYLE = """
:root{color-scheme:light dark;--ink:#1d2330;--muted:#5b6475;--card:#fff;--page:#f3f4f7;
--line:#dde1e8;--accent:#2456c8;--band:#d6f0dc;--bar:#2456c8;--below:#c0392b}
@media (prefers-color-scheme:dark){:root{--ink:#e6e9ef;--muted:#a3abba;--card:#1e2330;
--page:#141821;--line:#343b4b;--accent:#8fb0ff;--band:#214a2c;--bar:#8fb0ff;--below:#ff8a7a}}
*{box-sizing:border-box}svg{display:block}
body{margin:0;background:var(--page);color:var(--ink);
font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif}
header,main,section,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{padding-top:1.5rem}h1{font-size:1.5rem;margin:0 0 .3rem}
.meta{color:var(--muted);margin:0 0 1rem}
.charts{display:flex;flex-wrap:wrap;gap:1rem}
figure{margin:0;background:var(--card);border:1px solid var(--line);border-radius:8px;
padding:.6rem .8rem;overflow:auto;max-height:26rem}
figcaption{font-weight:600;margin-bottom:.3rem}
.chart text{font-size:11px;fill:var(--ink)}.chart .label{text-anchor:end}
.chart .tick{text-anchor:middle;fill:var(--muted)}.chart .grid{stroke:var(--line)}
.band{fill:var(--band)}.bar{fill:var(--bar)}.bar.open{opacity:.55}.bar.below{fill:var(--below)}
.src{fill:var(--accent)}.chart a:hover text{text-decoration:underline}
ol.offers{list-style:none;padding:0;margin:1rem 0}
.offer{display:flex;gap:.9rem;background:var(--card);border:1px solid var(--line);
border-radius:8px;padding:.8rem 1rem;margin-bottom:.7rem}
.score{flex:none;width:2.8rem;height:2.8rem;border-radius:50%;display:grid;place-items:center;
font-weight:700;color:#fff;background:#7b8494}.score.high{background:#1e8e4f}
.score.mid{background:#c98a12}
.body{min-width:0}.offer h2{font-size:1.08rem;margin:0 0 .15rem}
a{color:var(--accent)}.who{margin:0;color:var(--muted)}
.facts{list-style:none;padding:0;margin:.35rem 0;display:flex;flex-wrap:wrap;gap:.35rem}
.facts li{border:1px solid var(--line);border-radius:99px;padding:0 .55rem;font-size:.88rem}
.reasons{margin:.35rem 0;font-size:.9rem}.links{margin:0;font-size:.88rem;color:var(--muted)}
.nolink{text-decoration:line-through}.id{float:right}.none,.empty{color:var(--muted)}
footer{color:var(--muted);font-size:.85rem;padding-bottom:2rem}
"""


def render_html(records: Iterable[dict[str, Any]], info: DigestInfo) -> Iterator[str]:
    """One page that needs nothing else: inline CSS, inline SVG charts, no script, no font."""
    band = money(*info.band)
    meta = [info.written, f"{info.total} offers", info.scope]
    if info.min_score:
        meta.append(f"score ≥ {info.min_score}")
    if band:
        meta.append(f"your band {band}")
    yield (
        '<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>botjobs digest — {esc(info.profile)} — {esc(info.written)}</title>\n"
        f"<style>{STYLE}</style>\n</head>\n<body>\n"
        f"<header><h1>Offers for {esc(info.profile)}</h1>"
        f'<p class="meta">{" · ".join(esc(m) for m in meta)}</p></header>\n'
    )
    if info.total:
        with_pay = sum(1 for b in info.bars if b.low is not None or b.high is not None)
        yield (
            '<section class="charts">'
            f"<figure><figcaption>Salaries, annual gross ({with_pay} of {info.total} offers say)"
            f"</figcaption>{salary_svg(info.bars, info.band)}</figure>"
            f"<figure><figcaption>Sources</figcaption>{sources_svg(info.sources)}</figure>"
            "</section>\n<main>\n"
        )
    else:
        yield '<main>\n<p class="empty">No offers in this digest.</p>\n'
    opened = False
    for record in records:
        if not opened:
            yield '<ol class="offers">\n'
            opened = True
        yield offer_html(record)
    yield ("</ol>\n" if opened else "") + "</main>\n"
    yield f"<footer>botjobs digest · {esc(info.profile)} · {esc(info.written)}</footer>\n"
    yield "</body>\n</html>\n"


# --- the database side -------------------------------------------------------------------------


def parse_since(text: str, now: datetime) -> datetime:
    """ "7d", "24h", "2w" before `now`, or an ISO date (local midnight) or date and time."""
    return since_moment(text, now)


def local_time(text: str) -> str:
    """A stored UTC stamp as the reader's clock shows it: "2026-11-27 06:54"."""
    return datetime.fromisoformat(text).astimezone().strftime("%Y-%m-%d %H:%M")


def last_digest(db, profile_id: int) -> dict[str, Any] | None:
    return next(
        db.query(
            "select * from digests where profile_id = ? order by written_at desc, id desc limit 1",
            [profile_id],
        ),
        None,
    )


def digest_where(profile_id: int, min_score: int, since: str | None) -> tuple[str, list]:
    where = (
        "matches.profile_id = ? and matches.score >= ? and offers.expired_at is null"
        " and offers.id not in (select offer_id from user_status where status = 'dismissed')"
    )
    params: list = [profile_id, min_score]
    if since:
        where += " and offers.first_seen >= ?"
        params.append(since)
    return where, params


def digest_rows(db, where: str, params: list) -> Iterator[dict[str, Any]]:
    """The matched offers best first, each with all its listings' links, streamed."""
    yield from db.query(
        "select offers.id, matches.score, matches.summary,"
        " coalesce(offers.title_clean, offers.title) as title, offers.company,"
        " offers.salary_annual_min, offers.salary_annual_max, offers.city, offers.department,"
        " offers.region, offers.location, offers.remote, offers.contract,"
        " offers.posted_at, offers.first_seen, offers.source,"
        " (select json_group_array(json_object('source', listings.source, 'url', listings.url,"
        "   'first_seen', listings.first_seen)) from listings"
        "   where listings.offer_id = offers.id) as links"
        " from matches join offers on offers.id = matches.offer_id"
        f" where {where}"
        " order by matches.score desc, offers.posted_at desc, offers.id",
        params,
    )


def digest_info_data(db, where: str, params: list) -> tuple[int, list, list[Bar]]:
    """(how many offers, offers per source, the salary bars best first), for the page's top."""
    joined = f"from matches join offers on offers.id = matches.offer_id where {where}"
    total = next(db.query(f"select count(*) as n {joined}", params))["n"]
    sources = [
        (row["source"], row["n"])
        for row in db.query(
            "select listings.source, count(distinct listings.offer_id) as n from listings"
            f" where listings.offer_id in (select offers.id {joined})"
            " group by listings.source order by n desc, listings.source",
            params,
        )
    ]
    bars = [
        Bar(row["id"], row["title"], row["salary_annual_min"], row["salary_annual_max"])
        for row in db.query(
            "select offers.id, coalesce(offers.title_clean, offers.title) as title,"
            f" offers.salary_annual_min, offers.salary_annual_max {joined}"
            " and (offers.salary_annual_min is not null or offers.salary_annual_max is not null)"
            " order by matches.score desc, offers.posted_at desc, offers.id",
            params,
        )
    ]
    return total, sources, bars


def default_output(fmt: str, today: date, folder: Path) -> Path:
    """botjobs-digest-2026-11-27.csv here, or -2, -3… when that day has one already."""
    path = folder / f"botjobs-digest-{today.isoformat()}.{fmt}"
    number = 2
    while path.exists():
        path = folder / f"botjobs-digest-{today.isoformat()}-{number}.{fmt}"
        number += 1
    return path


def write_chunks(chunks: Iterable[str], out: BinaryIO) -> None:
    for chunk in chunks:
        out.write(chunk.encode("utf-8"))


def csv_delimiter(text: str | None, fmt: str) -> str:
    if text is None:
        return ","
    if fmt != "csv":
        raise click.UsageError("--delimiter is for --format csv only.")
    text = {"\\t": "\t", "tab": "\t"}.get(text, text)
    if len(text) != 1 or text in "\"'\r\n":
        raise click.BadParameter("one character, such as ';' or ','", param_hint="--delimiter")
    return text


@click.command()
@profile_option
@click.option(
    "--new",
    "only_new",
    is_flag=True,
    help="Only offers first seen since this profile's last digest (the first one has them all).",
)
@click.option(
    "--since",
    metavar="DATE",
    help="Only offers first seen since DATE: 2026-11-20, 2026-11-20T08:00, or 7d, 24h, 2w ago.",
)
@click.option(
    "--min-score",
    type=click.IntRange(0, 100),
    default=0,
    show_default=True,
    help="Leave out offers scored lower.",
)
@click.option(
    "--output",
    "-o",
    metavar="FILE",
    help="File to write, '-' for stdout [default: botjobs-digest-YYYY-MM-DD.EXT here].",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="csv", show_default=True)
@click.option(
    "--delimiter",
    metavar="CHAR",
    help="CSV field separator; ';' for Excel or LibreOffice in French [default: ,].",
)
@click.pass_context
def digest(ctx, profile_path, only_new, since, min_score, output, fmt, delimiter):
    """Write the offers that match the profile, best first, with their reasons and links.

    CSV (UTF-8 with BOM, cells safe from formula injection), JSON Lines, or one HTML page that
    works offline, with charts of the salaries against your band and of the sources.
    Every digest is remembered, so --new gives what came in since the last one.

    \b
    Examples:
      botjobs digest --format html
      botjobs digest --new --delimiter ';' --min-score 50
      botjobs digest --since 7d --format jsonl --output -
    """
    from pipeline.match import score_offers

    if only_new and since:
        raise click.UsageError("--new and --since both choose the offers: use one.")
    separator = csv_delimiter(delimiter, fmt)
    now = datetime.now(UTC)
    since_at = None
    if since:
        try:
            since_at = stamp(parse_since(since, now))
        except ValueError as exc:
            raise click.BadParameter(str(exc), param_hint="--since") from None

    db = database(ctx)
    profile, profile_id, changed = chosen_profile(db, profile_path)
    score_offers(db, profile, profile_id, only_new=not changed)
    previous = last_digest(db, profile_id) if only_new else None
    if previous:
        # first_seen is stamped to the second: what shares the last digest's second was in it.
        since_at = stamp(datetime.fromisoformat(previous["written_at"]) + timedelta(seconds=1))
    where, params = digest_where(profile_id, min_score, since_at)

    local = now.astimezone()
    if output == "-":
        path, out = "-", click.open_file("-", "wb")
    else:
        target = Path(output) if output else default_output(fmt, local.date(), Path.cwd())
        try:
            out = target.open("wb")
        except OSError as exc:
            raise click.ClickException(f"{target}: {exc.strerror or exc}") from None
        path = str(target.resolve())
    count = 0

    def counted(rows: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal count
        for row in rows:
            count += 1
            yield digest_record(row)

    try:
        # One read transaction: the counts at the top of a page and its offers agree.
        with db.atomic():
            records = counted(digest_rows(db, where, params))
            if fmt == "csv":
                write_chunks(render_csv(records, separator), out)
            elif fmt == "jsonl":
                write_chunks(render_jsonl(records), out)
            else:
                total, sources, bars = digest_info_data(db, where, params)
                scope = "all matched offers"
                if since_at:
                    scope = f"first seen since {local_time(since_at)}"
                if previous:
                    scope = f"new since the digest of {local_time(previous['written_at'])}"
                info = DigestInfo(
                    profile=profile.name,
                    written=local.strftime("%Y-%m-%d %H:%M"),
                    scope=scope,
                    min_score=min_score,
                    total=total,
                    band=(profile.salary_min, profile.salary_target),
                    sources=tuple(sources),
                    bars=tuple(bars),
                )
                write_chunks(render_html(records, info), out)
        out.flush()
    except BaseException:
        if path != "-":
            out.close()
            Path(path).unlink(missing_ok=True)
        raise
    if path != "-":
        out.close()

    with db.atomic():
        db["digests"].insert(
            {
                "profile_id": profile_id,
                "written_at": stamp(now),
                "since": since_at,
                "offers": count,
                "path": path,
                "format": fmt,
            }
        )
    db.close()
    if not count:
        if previous:
            note(f"no new offers since the last digest ({local_time(previous['written_at'])})")
        else:
            note("no offers match" + (f" with a score of {min_score} or more" if min_score else ""))
    note(f"{count} offers written to {path}")
