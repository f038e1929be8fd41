"""Does duplicate detection cost grow with the number of listings, not its square?

    python -m benchmarks.dedup_scale [--sizes 100000,200000] [--seed 7]

For each size, a fresh SQLite file receives that many synthetic listings through the real store
path (`db.store.store_offer` with `pipeline.dedup.same_offer_in`). The listings are the synthetic
raw offers of benchmarks/synthetic.py (a third of the jobs listed by two or three sources, with
gender marks, case, legal forms and teasers), their dedup columns worked out before the clock
starts (normalising has its own benchmark). Printed per size: seconds in duplicate detection,
its CPU seconds (wall time also counts waiting for the disk and for other processes), seconds
storing, listings/s, offers made; then the ratios of the dedup times (≈ 2 for 2× the listings
means linear).
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from benchmarks.synthetic import CITIES, raw_offers
from db.migrations import open_db
from db.store import store_offer
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


def run(count: int, seed: int, folder: Path) -> dict:
    db = open_db(str(folder / f"dedup_{count}.db"))
    finder = same_offer_in(db)
    spent = cpu = 0.0

    def timed(offer):
        nonlocal spent, cpu
        started, started_cpu = time.perf_counter(), time.process_time()
        try:
            return finder(offer)
        finally:
            spent += time.perf_counter() - started
            cpu += time.process_time() - started_cpu

    offers = listings(count, seed)  # made before the clock starts
    now = "2026-11-27T00:00:00+00:00"
    started = time.perf_counter()
    for offer in offers:
        raw = {"source": offer["source"], "source_id": offer["source_id"]}
        with db.atomic():
            store_offer(db, raw, lambda offer=offer: offer, now, timed)
    total = time.perf_counter() - started
    offers = db["offers"].count
    db.close()
    return {
        "listings": count,
        "dedup_s": spent,
        "dedup_cpu_s": cpu,
        "total_s": total,
        "offers": offers,
    }


def main(argv: list[str]) -> int:
    sizes = [100_000, 200_000]
    if "--sizes" in argv:
        sizes = [int(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 7
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            result = run(size, seed, Path(folder))
            results.append(result)
            print(
                f"{result['listings']:>8} listings: dedup {result['dedup_s']:.1f} s "
                f"({result['dedup_cpu_s']:.1f} s of CPU), "
                f"store + dedup {result['total_s']:.1f} s "
                f"({result['listings'] / result['total_s']:.0f} listings/s), "
                f"{result['offers']} offers"
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
