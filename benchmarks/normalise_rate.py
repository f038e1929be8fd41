"""Offers normalised per second on one core, and the time of each field's normaliser.

    python -m benchmarks.normalise_rate [--rounds N] [--synthetic COUNT]

By default, the France Travail fixtures' offers: every recorded search page read, the raw offers
the spider would yield built, then pipeline.normalise.normalise timed over them N times. With
`--synthetic COUNT`, COUNT synthetic listings (benchmarks/synthetic.py, as ingest_rate uses)
once each. The first round, which loads the vocabularies and the gazetteer, is not counted.
Printed: the rate, then the milliseconds per offer spent in each normaliser.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from benchmarks.synthetic import raw_offers
from benchmarks.timing import Stopwatch
from pipeline import normalise as normalise_module
from pipeline.validate import validate
from spiders.france_travail import offer_from_json

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "france_travail"
# What pipeline.normalise.normalise calls, each timed by its name in that module.
PARTS = (
    "html_to_text",
    "normalise_salary",
    "normalise_place",
    "normalise_contract",
    "normalise_remote",
    "normalise_experience",
    "normalise_education",
    "normalise_date",
    "clean_title",
    "skills_named",
    "stated_skills",
)


def records() -> list[dict]:
    found = []
    for path in sorted(FIXTURES.glob("search_*.json")):
        try:
            page = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:  # the deliberately truncated page
            continue
        for data in page.get("resultats", []):
            record, _ = validate(offer_from_json(data))
            if record is not None:
                found.append(record)
    return found


def synthetic(count: int) -> list[dict]:
    return [record for record, _ in map(validate, raw_offers(count)) if record is not None]


def main(argv: list[str]) -> int:
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 3
    if "--synthetic" in argv:
        rounds, batch = 1, synthetic(int(argv[argv.index("--synthetic") + 1]))
    else:
        batch = records()
    now = datetime.now(UTC)
    for record in batch[:500]:  # warm up: data files, automata, caches
        normalise_module.normalise(record, now)
    watches = {name: Stopwatch(getattr(normalise_module, name)) for name in PARTS}
    for name, watch in watches.items():
        setattr(normalise_module, name, watch)
    try:
        started = time.perf_counter()
        for _ in range(rounds):
            for record in batch:
                normalise_module.normalise(record, now)
        elapsed = time.perf_counter() - started
    finally:
        for name, watch in watches.items():
            setattr(normalise_module, name, watch.function)
    count = len(batch) * rounds
    print(f"{count} offers normalised in {elapsed:.2f} s: {count / elapsed:.0f} offers/s")
    for name, watch in sorted(watches.items(), key=lambda item: -item[1].seconds):
        print(f"  {name:<22} {watch.seconds / count * 1000:.3f} ms an offer")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
