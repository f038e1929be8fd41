"""The accuracy goals of the normalisers hold on the labelled tables (benchmarks/accuracy.py)."""

import pytest

from benchmarks.accuracy import FIELDS, measure


@pytest.mark.parametrize("field", FIELDS, ids=[f.name for f in FIELDS])
def test_accuracy_goal(field):
    total, misses = measure(field)
    assert total >= 40
    accuracy = (total - len(misses)) / total
    assert accuracy >= field.goal, [dict((k, v) for k, v in m.items() if v) for m in misses]
