"""The loose-value readers every spider shares, on hostile values."""

import math

import pytest

from pipeline.items import raw_offer
from spiders.common import finite, http_url, joined_url, number, storable, text


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
