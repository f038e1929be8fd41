"""The loose-value readers every spider shares, on hostile values."""

import json
import math

import pytest
from parsel import Selector

from pipeline.items import raw_offer
from spiders.common import (
    MAX_JSON_DEPTH,
    FeedError,
    attribute,
    finite,
    http_url,
    joined_url,
    json_body,
    json_depth,
    number,
    storable,
    text,
)


def test_a_lone_surrogate_becomes_a_question_mark():
    assert storable("Chef de projet \ud800 chatbot") == "Chef de projet ? chatbot"
    assert storable("Chargé") == "Chargé"
    assert text("  id-\udfff ") == "id-?"
    assert raw_offer(title="x\ud800")["title"] == "x?"


@pytest.mark.parametrize("value", [10**400, -(10**400), math.nan, math.inf])
def test_numbers_a_float_cannot_hold_are_unknown(value):
    assert finite(value) is None and number(value) is None


def test_plain_numbers_still_read():
    assert (finite(45000), number("12,5"), number(3)) == (45000.0, 12.5, 3.0)


@pytest.mark.parametrize("value", ["http://[oops", "https://", "/relative", 42, None])
def test_what_is_no_web_address_is_none(value):
    assert http_url(value) is None


def test_a_link_that_is_no_url_is_none_not_a_crash():
    assert joined_url("https://example.org/jobs", "http://[broken") is None
    assert joined_url("https://example.org/jobs/", " 12 ") == "https://example.org/jobs/12"


def nested(depth: int) -> str:
    """A JSON document `depth` levels deep: arrays around one object."""
    return "[" * (depth - 1) + '{"a": 1}' + "]" * (depth - 1)


@pytest.mark.parametrize(
    ("value", "depth"),
    [(1, 0), ("x", 0), ([], 1), ({"a": 1}, 1), ([[]], 2), ([1, [2, [3]], {"a": {}}], 3)],
)
def test_json_depth_counts_levels_of_lists_and_objects(value, depth):
    assert json_depth(value) == depth


def test_json_depth_counts_without_recursing():
    assert json_depth(json.loads(nested(800))) == 800


def test_a_body_nested_past_the_limit_is_refused_with_its_depth():
    with pytest.raises(FeedError) as refused:
        json_body(nested(200))
    assert str(refused.value) == f"body is JSON nested 200 levels deep, more than {MAX_JSON_DEPTH}"
    assert refused.value.layout is False  # one bad answer: rejected, and the crawl goes on
    assert json_body(nested(MAX_JSON_DEPTH)) == json.loads(nested(MAX_JSON_DEPTH))


def test_an_attribute_is_read_beside_a_control_character():
    # lxml makes the \x07 an attribute whose name parsel's `.attrib` cannot convert.
    [link] = Selector(text='<a href="/jobs/1" \x07 title="Suivant">x</a>').css("a")
    assert (attribute(link, "href"), attribute(link, "title")) == ("/jobs/1", "Suivant")
    assert attribute(link, "rel") is None
