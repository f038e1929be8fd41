"""Offers normalised per second, on the France Travail fixtures' offers (one core).

    python benchmarks/normalise_rate.py [--rounds N]

Reads every recorded search page, builds the raw offers the spider would yield, then times
pipeline.normalise.normalise over them N times (the first round, which loads the vocabularies
and the gazetteer, is not counted).
"""

from __future__ import annotations

import json
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from pipeline.normalise import normalise
from pipeline.validate import validate
from spiders.france_travail import offer_from_json

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures" / "france_travail"


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


def main(argv: list[str]) -> int:
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 3
    batch = records()
    now = datetime.now(UTC)
    for record in batch:  # warm up: data files, automata, caches
        normalise(record, now)
    started = time.perf_counter()
    for _ in range(rounds):
        for record in batch:
            normalise(record, now)
    elapsed = time.perf_counter() - started
    count = len(batch) * rounds
    print(f"{count} offers normalised in {elapsed:.2f} s: {count / elapsed:.0f} offers/s")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
