"""Does duplicate detection cost grow with the number of listings, not its square, and does it
find the copies?

    python -m benchmarks.dedup_scale [--sizes 100000,200000] [--seed 7] [--shuffle]
                                     [--description-keys-only]

For each size, a fresh SQLite file receives that many synthetic listings through the real store
path (`db.store.store_offer` with `pipeline.dedup.same_offer_in`). The listings are the synthetic
raw offers of benchmarks/synthetic.py (a third of the jobs listed by two or three sources, with
gender marks, case, legal forms and teasers), their dedup columns worked out before the clock
starts (normalising has its own benchmark). The generator lists a job's copies one after
another; `--shuffle` stores the listings in a random order instead, as when one board is crawled
after another, so that a copy comes long after its job. `--description-keys-only` looks up no
key but the description's (pipeline.dedup.sketch): how many copies those find on their own.
Printed per size: seconds in duplicate detection, its CPU seconds (wall time also counts waiting
for the disk and for other processes), seconds storing, listings/s, offers made, and, against
the generator's job numbers, the copies joined to their job and the listings of two jobs merged,
and, a listing, the candidates read and the stored offers whose description keys were chosen again
(a key of theirs became common): both grow as the file fills, bounded by the CANDIDATES_PER_KEY
offers read under a key. Then the ratios of the dedup times (≈ 2 for 2× the listings means
linear).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

from benchmarks.synthetic import CITIES, raw_offers
from db.migrations import open_db
from db.store import store_offer
from pipeline import dedup
from pipeline.dedup import same_offer_in
from pipeline.text import html_to_text
from pipeline.title import clean_title

CONTRACT = {"CDI": "CDI", "CDD 12 mois": "CDD", "Stage": "stage", "Alternance": "alternance"}
CONTRACT |= {"Freelance": "freelance"}


def offer_columns(raw: dict) -> dict:
    """The columns duplicate detection reads, worked out cheaply from a synthetic raw offer
    (its place is one of benchmarks.synthetic.CITIES, in one of the sources' formats)."""
    city, department, _ = next(c for c in CITIES if c[0] in raw["location"])
    return {
        **raw,
        "title_clean": clean_title(raw["title"]),
        "city": city,
        "department": department,
        "contract": CONTRACT.get(raw["contract"]),
        "remote": "full" if raw["remote"] == "Full remote" else None,
        "description_text": html_to_text(raw["description"]),
    }


def listings(count: int, seed: int) -> list[dict]:
    return [offer_columns(raw) for raw in raw_offers(count, seed)]


def joined(db) -> tuple[int, int, int]:
    """(copies, copies joined to their job, listings merged into another job's offer), the job
    being the number before the dash of a synthetic source_id."""
    offers_of, jobs_of = defaultdict(set), defaultdict(set)
    listed = 0
    for source_id, offer_id in db.execute("select source_id, offer_id from listings"):
        job = source_id.split("-")[0]
        offers_of[job].add(offer_id)
        jobs_of[offer_id].add(job)
        listed += 1
    copies = listed - len(offers_of)
    missed = sum(len(offers) - 1 for offers in offers_of.values())
    wrong = sum(len(jobs) - 1 for jobs in jobs_of.values())
    return copies, copies - missed, wrong


def counted(function, tally: list[int]):
    """`function`, adding the length of each of its answers to tally[0]."""

    def wrapper(*args, **kwargs):
        answer = function(*args, **kwargs)
        tally[0] += len(answer)
        return answer

    return wrapper


def run(count: int, seed: int, folder: Path, shuffle: bool = False) -> dict:
    db = open_db(str(folder / f"dedup_{count}.db"))
    finder = same_offer_in(db)
    spent = cpu = 0.0
    read, rekeyed = [0], [0]  # candidates read; stored offers whose keys were chosen again

    def timed(offer):
        nonlocal spent, cpu
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            return finder(offer)
        finally:
            spent += time.perf_counter() - started
            cpu += time.process_time() - started_cpu

    offers = listings(count, seed)  # made before the clock starts
    if shuffle:
        random.Random(seed).shuffle(offers)
    now = "2026-11-27T00:00:00+00:00"
    candidates, key_holders = dedup.store.candidates, dedup.store.key_holders
    dedup.store.candidates = counted(candidates, read)
    dedup.store.key_holders = counted(key_holders, rekeyed)
    started = time.perf_counter()
    try:
        for offer in offers:
            raw = {"source": offer["source"], "source_id": offer["source_id"]}
            with db.atomic():
                store_offer(db, raw, lambda offer=offer: offer, now, timed)
    finally:
        dedup.store.candidates, dedup.store.key_holders = candidates, key_holders
    total = time.perf_counter() - started
    offers = db["offers"].count
    copies, found, wrong = joined(db)
    db.close()
    return {
        "listings": count,
        "dedup_s": spent,
        "dedup_cpu_s": cpu,
        "total_s": total,
        "offers": offers,
        "copies": copies,
        "joined": found,
        "wrong": wrong,
        "read": read[0],
        "rekeyed": rekeyed[0],
    }


def main(argv: list[str]) -> int:
    sizes = [100_000, 200_000]
    if "--sizes" in argv:
        sizes = [int(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 7
    if "--description-keys-only" in argv:
        other_keys = dedup.keys
        dedup.keys = lambda f: (other_keys(f)[0], [])  # stored all the same, never looked up
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            result = run(size, seed, Path(folder), "--shuffle" in argv)
            results.append(result)
            print(
                f"{result['listings']:>8} listings: dedup {result['dedup_s']:.1f} s "
                f"({result['dedup_cpu_s']:.1f} s of CPU), "
                f"store + dedup {result['total_s']:.1f} s "
                f"({result['listings'] / result['total_s']:.0f} listings/s), "
                f"{result['offers']} offers; copies joined to their job "
                f"{result['joined']} of {result['copies']} "
                f"({result['joined'] / max(result['copies'], 1):.3f}), "
                f"listings of two jobs merged {result['wrong']}; a listing read "
                f"{result['read'] / size:.1f} candidates and chose again the keys of "
                f"{result['rekeyed'] / size:.2f} stored offers"
            )
    if len(results) >= 2:
        first, last = results[0], results[-1]
        print(
            f"dedup time ×{last['dedup_s'] / first['dedup_s']:.2f} "
            f"(CPU ×{last['dedup_cpu_s'] / first['dedup_cpu_s']:.2f}) for "
            f"×{last['listings'] / first['listings']:.2f} listings "
            "(linear: the same ratio; quadratic: its square)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
