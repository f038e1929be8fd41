"""A database of a million offers: how fast the seeker's commands answer, how long scoring
everything again takes, and how much memory it needs.

    python -m benchmarks.scale [--offers 1000000] [--keep FILE]

A pool of synthetic offers (benchmarks/synthetic.py) is normalised once for real, then written
again and again under new ids (other employers and dates) until the table holds `offers` rows,
full-text index included. Then, on that file, with the queries the commands run:
- `matches`: the 50 best matches of the starter profile (goals ≤ 100 ms);
- `search`: plain-word queries, common and rare (goal ≤ 50 ms each);
- scoring every offer again (`pipeline.match.score_offers`, goal ≤ 5 min);
- the peak memory of the process (goal ≤ 500 MB).
Each query is timed as the best of 5 runs after a first one (a warm file cache, as when a seeker
runs commands one after another).
"""

from __future__ import annotations

import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from benchmarks.synthetic import raw_offers
from db.migrations import open_db
from matching.profile import parse_profile
from pipeline.cli import ranked_matches
from pipeline.ingest import stamp, to_offer
from pipeline.match import TEMPLATE, resolve_places, score_offers, store_profile
from pipeline.search import forgiving_parts, search_offers
from pipeline.validate import validate

POOL = 2000
START = datetime(2025, 11, 27, tzinfo=UTC)
YEAR_SECONDS = 365 * 86400
QUERIES = ("chatbot", "chef de projet", "Dialogflow Rasa", "conversation designer", "Genesys")


def pool() -> list[dict]:
    now = datetime(2026, 11, 27, tzinfo=UTC)
    rows = []
    for raw in raw_offers(POOL, seed=11):
        record, _ = validate(raw)
        rows.append(to_offer(record, now))
    return rows


def fill(db, total: int) -> float:
    rows = pool()
    columns = list(rows[0]) + ["first_seen", "last_seen"]
    sql = f"insert into offers ({', '.join(columns)}) values ({', '.join('?' * len(columns))})"
    started = time.perf_counter()
    batch = []
    for n in range(total):
        row = dict(rows[n % len(rows)])
        row["source_id"] = str(n)
        row["company"] = f"{row['company']} {n // len(rows)}"
        # Stored in the order they were first seen, a year's worth, as a crawl stores them.
        seen = stamp(START + timedelta(seconds=n * YEAR_SECONDS // total))
        row["posted_at"] = seen[:10]
        batch.append([*(row.get(c) for c in columns[:-2]), seen, seen])
        if len(batch) == 10_000:
            with db.conn:
                db.conn.executemany(sql, batch)
            batch = []
    if batch:
        with db.conn:
            db.conn.executemany(sql, batch)
    return time.perf_counter() - started


def best_of(function, runs: int = 5) -> float:
    function()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return min(times)


def main(argv: list[str]) -> int:
    total = int(argv[argv.index("--offers") + 1]) if "--offers" in argv else 1_000_000
    keep = Path(argv[argv.index("--keep") + 1]) if "--keep" in argv else None
    with tempfile.TemporaryDirectory() as folder:
        path = keep or Path(folder) / "scale.db"
        db = open_db(str(path))
        filled = fill(db, total)
        print(f"{total:,} offers written (full-text index included) in {filled:.0f} s")
        text = TEMPLATE.read_text(encoding="utf-8")
        profile = resolve_places(parse_profile(text))
        profile_id, _ = store_profile(db, profile, text, TEMPLATE)
        started = time.perf_counter()
        scored = score_offers(db, profile, profile_id)
        rescoring = time.perf_counter() - started
        print(
            f"scoring every offer: {rescoring:.0f} s ({scored / rescoring:,.0f} offers/s; "
            "goal ≤ 300 s)"
        )
        top = best_of(lambda: list(ranked_matches(db, profile_id, 0, 50)))
        print(f"matches, 50 best: {top * 1000:.1f} ms (goal ≤ 100 ms)")
        for query in QUERIES:
            parts = forgiving_parts(query)
            expression = " ".join(parts)
            elapsed = best_of(
                lambda e=expression, p=parts: search_offers(db, e, None, profile_id, 20, p)
            )
            hits = db.execute(
                "select count(*) from offers_fts where offers_fts match ?", [expression]
            ).fetchone()[0]
            print(f"search {query!r} ({hits:,} hits): {elapsed * 1000:.1f} ms (goal ≤ 50 ms)")
        db.close()
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory: {peak:.0f} MB (goal ≤ 500 MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
