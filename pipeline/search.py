"""`botjobs search`: full-text search over the stored offers (FTS5, ranked by bm25).

The pure parts (turning what a person typed into an FTS5 expression, explaining FTS5's errors,
reading `--since`) are plain functions; the SQL lives here too. What the person typed only ever
reaches SQLite as a bound parameter.

Two ways to read a query:

* forgiving (the default): every word is quoted, so "chef-de-projet", "Node.js", "C++" or "l'IA"
  are searched as the words they contain, a "quoted group" stays a phrase, a trailing `*` asks for
  a prefix (`chat*`), and the words are ANDed. Nothing typed can make it a syntax error.
* `--raw`: the FTS5 query syntax as is (AND/OR/NOT, NEAR, `title:`, `^`, prefixes); a query SQLite
  can't read is explained in one line and the command exits 2.

The tokenizer (unicode61, remove_diacritics 2) folds case and accents on both sides, so
"developpeur" finds "Développeur".
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from functools import lru_cache
from itertools import islice
from pathlib import Path
from typing import Any

import click
from sqlite_utils import Database

from pipeline.options import database, err, money, place_text, profile_option, since_moment
from pipeline.text import fold, word_list

# Columns of offers_fts, in order, as FTS5 numbers them for snippet() and bm25().
FTS_COLUMNS = ("title", "company", "description_text")
# A word in the title says more about the role than the same word deep in a description.
BM25_WEIGHTS = (5.0, 2.0, 1.0)
SNIPPET_TOKENS = 12
# Markers unlikely to occur in an offer's text; swapped for the shown ones after the query.
_OPEN, _CLOSE = "\x02", "\x03"
MARK_OPEN, MARK_CLOSE = "[", "]"


class SearchError(ValueError):
    """A query that can't be searched, with a one-line explanation for a person."""


# --- the query ----------------------------------------------------------------------------------


def _phrase(text: str) -> str:
    # Inside an FTS5 string a double quote is written twice; nothing else is special.
    return '"' + text.replace('"', '""') + '"'


def _searchable(text: str) -> bool:
    """Whether the tokenizer would find a word in it (letters or digits)."""
    return any(ch.isalnum() for ch in text)


_PART = re.compile(r'"([^"]*)"|(\S+)')


def forgiving_query(text: str) -> str:
    """An FTS5 expression that finds offers containing every word of `text`, whatever it holds.

    >>> forgiving_query('chef-de-projet Node.js chat* "assistant virtuel"')
    '"chef-de-projet" "Node.js" "chat"* "assistant virtuel"'
    """
    return " ".join(forgiving_parts(text))


def forgiving_parts(text: str) -> list[str]:
    """The ANDed parts of forgiving_query(text): each a quoted word or phrase, or a prefix."""
    parts = []
    # SQLite's FTS5 parser stops at a NUL, which would leave a quote open.
    for match in _PART.finditer(text.replace("\x00", " ")):
        quoted, word = match.groups()
        if quoted is not None:
            if _searchable(quoted):
                parts.append(_phrase(quoted))
            continue
        prefix = word.endswith("*")
        word = word.rstrip("*")
        if not _searchable(word):
            continue  # "-", "*", "++": the tokenizer would make nothing of it
        parts.append(_phrase(word) + ("*" if prefix else ""))
    if not parts:
        raise SearchError(f"nothing to search for in {text!r}: give at least one word")
    return parts


def explain_fts_error(message: str) -> str:
    """SQLite's message about a MATCH expression, said so that a person can fix the query."""
    hint = " (or leave out --raw to search plain words)"
    columns = ", ".join(FTS_COLUMNS)
    if message == "unterminated string":
        return 'a double quote (") is opened and never closed' + hint
    if message.startswith("unknown special query"):
        return "a lone * searches nothing: put it after the start of a word, as in chat*" + hint
    if found := re.fullmatch(r"no such column: (.*)", message):
        return (
            f'"{found.group(1)}" is read as a column name (a word before ":" or after "-"); '
            f"the columns are {columns}; put the word in double quotes to search it" + hint
        )
    if found := re.fullmatch(r'expected integer, got "(.*)"', message):
        return f'NEAR(…, N) needs a whole number of words as N, not "{found.group(1)}"' + hint
    if found := re.fullmatch(r'fts5: syntax error near "(.*)"', message, re.DOTALL):
        near = found.group(1)
        if near == "":
            return (
                "the query ends too early: an AND/OR/NOT, a parenthesis or a NEAR( is left "
                "unfinished" + hint
            )
        if near in ("AND", "OR", "NOT"):
            return f"{near} needs a search term on each side" + hint
        return (
            f'search syntax error near "{near}": put words holding punctuation in double '
            "quotes" + hint
        )
    return f"the search can't be read: {message}" + hint


def check_query(db: Database, expression: str) -> None:
    """Raise SearchError, explained, when FTS5 can't read `expression`.

    This statement is fixed and known to be sound, so any error it raises comes from the
    expression; checking first keeps that apart from errors of the search's own SQL.
    """
    import sqlite3

    try:
        db.execute(
            "select rowid from offers_fts where offers_fts match ? limit 1", [expression]
        ).fetchall()
    except sqlite3.OperationalError as exc:
        raise SearchError(explain_fts_error(str(exc))) from None


# --- --since ------------------------------------------------------------------------------------


def parse_since(text: str, now: datetime | None = None) -> str:
    """The moment `text` means, as SQLite's `datetime()` writes it in UTC ("2026-11-20 05:54:43").

    "24h", "7d", "2w" count back from now; an ISO date ("2026-11-20", midnight UTC) or date and
    time (UTC unless it says its offset) is taken as is. ValueError otherwise.
    """
    moment = since_moment(text, now or datetime.now(UTC), naive=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S")


# --- the search ---------------------------------------------------------------------------------

# Three steps: the ranked hits from the full-text index alone, their snippets, then their offers.
# SQLite computes a selected column for every row it sorts: snippets chosen with the ranking, or
# joined offers, would be made for every hit instead of the best ones (ten times slower).
RANKED_SQL = f"""
select
  offers_fts.rowid as id,
  bm25(offers_fts, {", ".join(str(w) for w in BM25_WEIGHTS)}) as rank
from offers_fts
where offers_fts match :{{match}}
  and offers_fts.rowid >= :floor
order by rank, offers_fts.rowid
"""
HITS_SQL = RANKED_SQL.format(match="query") + "limit :limit\n"
# When some words are in most offers (see is_common): the hits of the other words, ranked, then
# those of the whole query kept (an `in` on the whole query's hits makes SQLite seek each one).
HITS_RANKED_BY_SQL = RANKED_SQL.format(match="ranking")
# The hits of an expression, newest first, unranked.
NEWEST_HITS_SQL = """
select offers_fts.rowid as id from offers_fts
where offers_fts match :query and offers_fts.rowid >= :floor
order by offers_fts.rowid desc
"""
SNIPPETS_SQL = f"""
select
  offers_fts.rowid as id,
  snippet(offers_fts, 2, char(2), char(3), '…', {SNIPPET_TOKENS}) as description_snippet,
  snippet(offers_fts, -1, char(2), char(3), '…', {SNIPPET_TOKENS}) as best_snippet
from offers_fts
where offers_fts match :query
  and offers_fts.rowid in (select value from json_each(:ids))
"""
OFFERS_SQL = """
select
  offers.id, coalesce(offers.title_clean, offers.title) as title, offers.company,
  offers.location, offers.city, offers.department, offers.region,
  offers.salary, offers.salary_annual_min, offers.salary_annual_max,
  offers.contract, offers.remote, offers.url, offers.first_seen, offers.posted_at,
  offers.expired_at, matches.score
from offers
left join matches on matches.offer_id = offers.id and matches.profile_id = ?
where offers.id in (select value from json_each(?))
  and (? is null or datetime(offers.first_seen) >= ?)
"""


STOPWORDS_FILE = Path(__file__).with_name("data") / "stopwords.txt"


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(word_list(STOPWORDS_FILE))


def snippet_expression(parts: list[str]) -> str:
    """The parts that choose and mark a result's passage: all but the bare function words
    (`"de"`), unless nothing else is left. A phrase ("chef de projet" in quotes) stays whole."""
    kept = [part for part in parts if fold(part.strip('"')) not in stopwords()]
    return " ".join(kept or parts)


def _snippet(row: dict[str, Any]) -> str | None:
    # The description's passage when the words are found there; else wherever they are.
    text = row["description_snippet"]
    if not text or _OPEN not in text:
        text = row["best_snippet"]
    if not text:
        return None
    text = " ".join(text.split())
    return text.replace(_OPEN, MARK_OPEN).replace(_CLOSE, MARK_CLOSE)


# FTS5 ranks every hit before it can give the best ones: a word found in most of a million offers
# would take seconds. A query with more hits than this ranks the most recently stored ones (the
# offers a seeker can still apply to); `search` says so.
RANKED_HITS = 5000


def rank_floor(db: Database, expression: str) -> int:
    """The smallest offer id among the RANKED_HITS newest hits (0: rank them all). FTS5 walks
    its hits by rowid, newest first, without ranking them: this costs little."""
    row = next(
        db.query(
            "select rowid from offers_fts where offers_fts match ? order by rowid desc"
            " limit 1 offset ?",
            [expression, RANKED_HITS - 1],
        ),
        None,
    )
    return 0 if row is None else row["rowid"]


# bm25 weighs a word by how rare it is, and a word in more than half of the offers next to
# nothing (FTS5 clamps its weight to 1e-6), yet FTS5 reads every offer holding it to learn that:
# 40 ms for a word in a million offers. Such words filter the hits; the others rank them (ties
# may fall otherwise than bm25's); when every word is that common, the newest hits come first.
# How common a word is, is read from its newest COMMON_SAMPLE hits: the share of the offers they
# span.
COMMON_SHARE = 0.5
COMMON_SAMPLE = 1000


def is_common(db: Database, part: str) -> bool:
    """Whether the FTS5 query `part` (a word, a phrase) is in more than half of recent offers."""
    newest = db.execute("select max(rowid) from offers_fts").fetchone()[0]
    row = db.execute(
        "select rowid from offers_fts where offers_fts match ? order by rowid desc"
        " limit 1 offset ?",
        [part, COMMON_SAMPLE - 1],
    ).fetchone()
    return row is not None and COMMON_SAMPLE / (newest - row[0] + 1) > COMMON_SHARE


NO_OFFER = 2**62  # an id past every offer's


def since_floor(db: Database, since: str | None) -> int:
    """The first offer id stored at or after `since`: ids grow with first_seen, so the hits
    before it need not be ranked (the offers step still checks each date)."""
    if since is None:
        return 0
    # Stored moments are UTC stamps ("2026-11-20T08:00:00+00:00"): compared as text, by index.
    stamp = since.replace(" ", "T") + "+00:00"
    row = db.execute("select min(id) from offers where first_seen >= ?", [stamp]).fetchone()
    return row[0] if row[0] is not None else NO_OFFER


def _hits(db: Database, params: dict[str, Any], parts: list[str] | None) -> list[dict[str, Any]]:
    """The best hits (id, rank) of params["query"], the ANDed `parts` it is made of if known."""
    ranking = [part for part in parts if not is_common(db, part)] if parts else None
    if ranking is None or len(ranking) == len(parts or ()):
        return list(db.query(HITS_SQL, params))
    limit = params["limit"] if params["limit"] > 0 else None
    if ranking:
        whole = {row[0] for row in db.execute(NEWEST_HITS_SQL, params)}
        ranked = db.query(HITS_RANKED_BY_SQL, {**params, "ranking": " ".join(ranking)})
        return list(islice((hit for hit in ranked if hit["id"] in whole), limit))
    # Every word in most offers: the newest first (a title filter would read every offer).
    newest = db.execute(NEWEST_HITS_SQL, params)
    return [{"id": row[0], "rank": 0.0} for row in islice(newest, limit)]


def search_offers(
    db: Database,
    expression: str,
    since: str | None = None,
    profile_id: int | None = None,
    limit: int | None = 20,
    parts: list[str] | None = None,
) -> list[dict[str, Any]]:
    """Offers matching the FTS5 `expression`, best first (bm25, the title weighing most).

    `since` is a UTC moment as parse_since() gives it, compared with first_seen; `profile_id`
    adds that profile's score when the offer has one; `parts`, the ANDed parts the expression
    is made of (forgiving_parts()), lets the words in most offers filter without ranking. Call
    check_query() first to have a bad expression explained.
    """
    params = {
        "query": expression,
        "floor": max(rank_floor(db, expression), since_floor(db, since)),
        "limit": limit if limit else -1,
    }
    hits = _hits(db, params, parts)
    results = []
    ids = json.dumps([hit["id"] for hit in hits])
    marked = snippet_expression(parts) if parts else expression
    snippets = {row["id"]: row for row in db.query(SNIPPETS_SQL, {"query": marked, "ids": ids})}
    offers = {row["id"]: row for row in db.query(OFFERS_SQL, [profile_id, ids, since, since])}
    for hit in hits:
        if hit["id"] not in offers:  # merged into an offer first seen before `since`
            continue
        row = {**offers[hit["id"]], **snippets[hit["id"]], **hit}
        results.append(
            {
                "id": row["id"],
                "title": row["title"],
                "company": row["company"],
                "place": place_text(row),
                "pay": money(row["salary_annual_min"], row["salary_annual_max"]) or row["salary"],
                "salary_annual_min": row["salary_annual_min"],
                "salary_annual_max": row["salary_annual_max"],
                "contract": row["contract"],
                "remote": row["remote"],
                "score": row["score"],
                "snippet": _snippet(row),
                "url": row["url"],
                "first_seen": row["first_seen"],
                "posted_at": row["posted_at"],
                "expired": row["expired_at"] is not None,
                "rank": round(row["rank"], 3),
            }
        )
    return results


def profile_name(profile_path: Path | None) -> str:
    """The name of the chosen profile (the same default as every matching command), unstored."""
    from matching.profile import TEMPLATE, ProfileError, parse_profile
    from pipeline.match import default_profile_path

    path = profile_path
    if path is None:
        path = default_profile_path()
        if not path.exists():
            path = TEMPLATE
    try:
        return parse_profile(path.read_text(encoding="utf-8")).name
    except (ProfileError, OSError) as exc:
        raise click.ClickException(f"{path}: {exc}") from None


def stored_profile_id(db: Database, name: str) -> int | None:
    row = next(db.query("select id from profiles where name = ?", [name]), None)
    return row["id"] if row else None


def result_lines(row: dict[str, Any]) -> list[str]:
    """`81  #10 Chargé de projet chatbot — ACME · Paris (75) · 45–52 k€`, then the snippet."""
    score = "  –" if row["score"] is None else f"{row['score']:>3}"
    details = [d for d in (row["company"], row["place"], row["pay"]) if d]
    line = f"{score}  #{row['id']} {row['title']}"
    if details:
        line += " — " + " · ".join(details)
    if row["expired"]:
        line += " (expired)"
    lines = [line]
    if row["snippet"]:
        lines.append(f"     {row['snippet']}")
    return lines


def _since(ctx, param, value):
    if value is None:
        return None
    try:
        return parse_since(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command()
@click.argument("query")
@click.option(
    "--since",
    callback=_since,
    metavar="SPAN|DATE",
    help="Only offers first seen since then: 24h, 7d, 2w, or an ISO date (UTC).",
)
@click.option("--limit", "-n", default=20, show_default=True, help="How many (0: all).")
@click.option(
    "--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True
)
@click.option("--raw", is_flag=True, help="QUERY is FTS5 syntax (AND, OR, NOT, NEAR, title:…).")
@profile_option
@click.pass_context
def search(ctx, query, since, limit, fmt, raw, profile_path):
    """Search the stored offers' title, company and description for QUERY, best first.

    Every word must be found; case and accents don't matter; a trailing * searches a prefix and
    "double quotes" keep words together. With --raw, QUERY is FTS5 syntax. Each offer shows
    its score for the profile when it has been scored (`botjobs match`), and the passage found.

    \b
    Examples:
      botjobs search "chef de projet" --since 7d
      botjobs search 'Node.js dialogflow'
      botjobs search --raw 'title:(chatbot OR voicebot) NOT stage'
    """
    try:
        parts = None if raw else forgiving_parts(query)
    except SearchError as exc:
        err(f"error: {exc}")
        ctx.exit(2)
    expression = query if parts is None else " ".join(parts)
    db = database(ctx)
    try:
        check_query(db, expression)
    except SearchError as exc:
        db.close()
        err(f"error: {exc}")
        ctx.exit(2)
    name = profile_name(profile_path)
    profile_id = stored_profile_id(db, name)
    if profile_id is None:
        err(f"no scores for the profile {name!r} yet: run `botjobs match` to score offers")
    rows = search_offers(db, expression, since, profile_id, limit, parts)
    crowded = rank_floor(db, expression) > 0
    db.close()
    if fmt == "json":
        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
    else:
        for row in rows:
            for line in result_lines(row):
                click.echo(line)
    found = f"{len(rows)} offer{'' if len(rows) == 1 else 's'} found"
    err(found + (f" (limit {limit})" if limit and len(rows) == limit else ""))
    if crowded:
        err(
            f"more than {RANKED_HITS:,} offers hold these words: the {RANKED_HITS:,} most recent "
            "were ranked; another word or --since narrows the search"
        )
