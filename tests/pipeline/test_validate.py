import pytest

from pipeline.items import is_reject, raw_offer, reject
from pipeline.validate import validate

GOOD = {"source": "apec", "source_id": "168", "title": "Product owner chatbot"}


def test_a_complete_item_passes_with_every_raw_key():
    record, reason = validate({**GOOD, "salary": " 40 k€ "})
    assert reason is None
    assert record["salary"] == "40 k€"
    assert record["company"] is None
    assert "skills" in record and "apply_url" in record


@pytest.mark.parametrize(
    "item, reason",
    [
        ({"source": "apec", "source_id": "1"}, "missing title"),
        ({"source": "apec", "title": "x"}, "missing source_id"),
        ({"source_id": "1", "title": "x"}, "missing source"),
        ({"source": "apec", "source_id": "1", "title": "   "}, "missing title"),
        ({"source": "apec", "source_id": "", "title": ""}, "missing source_id, title"),
        (["not", "a", "dict"], "not an object but list"),
    ],
)
def test_what_cannot_be_stored_says_why(item, reason):
    assert validate(item) == (None, reason)


def test_unknown_keys_are_dropped_and_ids_become_text():
    record, _ = validate({**GOOD, "source_id": 168, "first_seen": "x", "weird": [1]})
    assert record["source_id"] == "168"
    assert "weird" not in record and "first_seen" not in record


def test_structured_text_in_a_text_field_is_kept_as_json():
    record, _ = validate({**GOOD, "description": {"html": "<p>x</p>"}})
    assert record["description"] == '{"html": "<p>x</p>"}'


def test_raw_offer_refuses_unknown_fields_and_blanks_empty_values():
    assert raw_offer(source="x", source_id=12, title="", skills=[]) == {
        "source": "x",
        "source_id": "12",
        "title": None,
        "skills": None,
    }
    with pytest.raises(TypeError):
        raw_offer(source="x", salaire="1")


def test_reject_items_are_recognised():
    assert is_reject(reject("apec", "captcha", "<html>"))
    assert not is_reject(GOOD)
