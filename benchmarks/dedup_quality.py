"""Precision and recall of cross-source duplicate detection on the labelled pairs.

    python benchmarks/dedup_quality.py [--misses]

Each pair of benchmarks/dedup/pairs.jsonl (written by hand, apart from the code; see its
README) goes through the real path into a fresh in-memory database: listing `a` is ingested,
then listing `b`; the pair is called "same" when they end up as one offer. Precision is the
share of merges that the labels call the same job (goal 1.00: a wrong merge hides an offer),
recall the share of same-job pairs that were merged (goal ≥ 0.90). `--misses` prints every
pair decided against its label, with the rule that decided it.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from db.migrations import open_db
from pipeline.dedup import features, verdict
from pipeline.ingest import Ingest, to_offer
from pipeline.validate import validate

PAIRS = Path(__file__).resolve().parent / "dedup" / "pairs.jsonl"
NOW = datetime(2026, 11, 27, tzinfo=UTC)


def pairs(path: Path = PAIRS) -> list[dict]:
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def merged(pair: dict, db) -> bool:
    """Whether ingesting `a` then `b` into the empty database `db` leaves one offer (and
    empties it again)."""
    try:
        for side in ("a", "b"):
            run = Ingest(db, pair[side]["source"], "benchmark")
            outcome = run.add(dict(pair[side]))
            run.finish()
            if outcome == "rejected":
                raise ValueError(f"{pair['id']} {side}: rejected ({run.last_reason})")
        return db["offers"].count == 1
    finally:
        with db.atomic():
            for table in ("dedup_keys", "listings", "offer_history", "offers", "crawl_runs"):
                db.execute(f"delete from {table}")


def scores() -> tuple[Counter[str], list[tuple[dict, bool]]]:
    """Counts of true/false positives/negatives ("tp"…), and the pairs decided wrongly."""
    counts: Counter[str] = Counter()
    misses = []
    db = open_db(":memory:")
    try:
        for pair in pairs():
            said = merged(pair, db)
            counts[("t" if said == pair["same"] else "f") + ("p" if said else "n")] += 1
            if said != pair["same"]:
                misses.append((pair, said))
    finally:
        db.close()
    return counts, misses


def reason(pair: dict) -> str:
    offers = []
    for side in ("a", "b"):
        record, _ = validate(dict(pair[side]))
        offers.append(features(to_offer(record, NOW)))
    return verdict(*offers)[1]


def kind(pair: dict) -> str:
    return pair["why"].split(":")[0].strip()


def main(argv: list[str]) -> int:
    counts, misses = scores()
    tp, fp, fn = counts["tp"], counts["fp"], counts["fn"]
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    total = sum(counts.values())
    print(f"{total} labelled pairs ({tp + fn} same job, {fp + counts['tn']} not)")
    print(f"precision {precision:.2f}  ({tp} of {tp + fp} merges right; goal 1.00)")
    print(f"recall    {recall:.2f}  ({tp} of {tp + fn} same-job pairs merged; goal ≥ 0.90)")
    by_kind = Counter(
        kind(p) + (" (merged, not the same)" if said else " (missed)") for p, said in misses
    )
    for name, count in by_kind.most_common():
        print(f"  {count:>3}  {name}")
    if "--misses" in argv:
        for pair, _said in misses:
            print(
                f"\n{pair['id']} labelled {'same' if pair['same'] else 'not same'}: {pair['why']}"
            )
            print(f"  rule: {reason(pair)}")
            for side in ("a", "b"):
                o = pair[side]
                print(
                    f"  {side}: [{o['source']}] {o['title']} — {o['company']} · {o['location']}"
                    f" · {o['contract']}"
                )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
