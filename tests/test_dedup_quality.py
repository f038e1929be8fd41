"""The labelled duplicate pairs (benchmarks/dedup/pairs.jsonl) through the real ingest path."""

from benchmarks.dedup_quality import pairs, scores


def test_the_labelled_set_is_well_formed():
    found = pairs()
    assert len({p["id"] for p in found}) == len(found) >= 200
    assert sum(p["same"] for p in found) >= 80


def test_no_wrong_merge_and_most_duplicates_found():
    counts, misses = scores()
    precision = counts["tp"] / (counts["tp"] + counts["fp"])
    recall = counts["tp"] / (counts["tp"] + counts["fn"])
    assert precision == 1.0, [p["id"] for p, said in misses if said]
    assert recall >= 0.95, [p["id"] for p, said in misses if not said]
