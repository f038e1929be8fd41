"""Offers per second through the whole ingest: normalise → dedup → store → score.

    python -m benchmarks.ingest_rate [--count 100000] [--seed 7] [--jobs N]

`count` realistic synthetic raw offers (benchmarks/synthetic.py) go through
`pipeline.ingest.Ingest.add_all`, the path of `botjobs import` (validation, normalisation on `jobs`
processes — every core up to 4 unless told —, duplicate detection, the store) into a fresh SQLite file,
then every offer is scored against the starter profile (`pipeline.match.score_offers`). Beside
it, as the physical reference of this machine in the same run, the same raw rows are inserted bare
with sqlite-utils (`insert_all`, one transaction) into another file. Printed: seconds per stage
(inside the store's: those this process was busy, those it spent detecting duplicates and, with
one job, normalising), the end-to-end rate, the bare rate, and their ratio.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from sqlite_utils import Database

from benchmarks.synthetic import raw_offers
from benchmarks.timing import Stopwatch
from db.migrations import open_db
from matching.profile import parse_profile
from pipeline import ingest as ingest_module
from pipeline.ingest import Ingest
from pipeline.match import TEMPLATE, resolve_places, score_offers, store_profile
from pipeline.workers import default_jobs


def ingest(count: int, seed: int, folder: Path, jobs: int) -> dict[str, float]:
    offers = list(raw_offers(count, seed))  # generated before the clock starts
    db = open_db(str(folder / "ingest.db"))
    normalising = Stopwatch(ingest_module.to_offer)
    ingest_module.to_offer = normalising  # with one job, Ingest calls it by its module name
    started, busy = time.perf_counter(), time.process_time()
    run = Ingest(db, "benchmark", "benchmark")
    run.same_offer = deduplicating = Stopwatch(run.same_offer)
    try:
        for _ in run.add_all(((offer, None) for offer in offers), jobs):
            pass
        run.finish()
    finally:
        ingest_module.to_offer = normalising.function
    stored, busy = time.perf_counter(), time.process_time() - busy
    text = TEMPLATE.read_text(encoding="utf-8")
    profile = resolve_places(parse_profile(text))
    profile_id, _ = store_profile(db, profile, text, TEMPLATE)
    score_offers(db, profile, profile_id)
    scored = time.perf_counter()
    result = {
        "listings": count,
        "offers": db["offers"].count,
        "store_s": stored - started,
        "busy_s": busy,
        "normalise_s": normalising.seconds,
        "dedup_s": deduplicating.seconds,
        "score_s": scored - stored,
        "total_s": scored - started,
    }
    db.close()
    return result


def bare(count: int, seed: int, folder: Path) -> float:
    offers = list(raw_offers(count, seed))
    db = Database(str(folder / "bare.db"))
    started = time.perf_counter()
    with db.conn:
        db["offers"].insert_all(offers, batch_size=1000)
    elapsed = time.perf_counter() - started
    db.close()
    return elapsed


def main(argv: list[str]) -> int:
    count = int(argv[argv.index("--count") + 1]) if "--count" in argv else 100_000
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 7
    jobs = int(argv[argv.index("--jobs") + 1]) if "--jobs" in argv else default_jobs()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        reference = bare(count, seed, folder)
        result = ingest(count, seed, folder, jobs)
    rate = count / result["total_s"]
    bare_rate = count / reference
    normalising = (
        f"normalising {result['normalise_s']:.1f} s"
        if jobs == 1
        else f"normalising on {jobs} worker processes"
    )
    print(
        f"{count} raw offers → {result['offers']} offers: normalise + dedup + store "
        f"{result['store_s']:.1f} s (this process busy {result['busy_s']:.1f} s: "
        f"{normalising}, duplicate detection {result['dedup_s']:.1f} s), "
        f"score {result['score_s']:.1f} s"
    )
    print(f"ingest  {rate:,.0f} offers/s end to end (goal ≥ 2,000)")
    print(f"bare    {bare_rate:,.0f} rows/s (sqlite-utils insert_all, same rows, same machine)")
    print(f"ratio   {rate / bare_rate:.3f} of the bare rate (goal ≥ 0.1)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
