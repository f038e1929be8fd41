from collections import Counter

from pipeline.health import present_fields, warnings
from pipeline.pipelines import closing_status


def test_present_fields_counts_a_place_from_any_of_its_forms():
    assert present_fields({"company": "ACME", "description": "x"}) == ["company", "description"]
    assert present_fields({"postal_code": "69003"}) == ["place"]
    assert present_fields({"company": None, "location": ""}) == []


def test_a_healthy_run_has_no_warning():
    assert warnings(10, Counter(company=10, place=9, description=10)) == []


def test_too_few_offers_warns():
    (warning,) = warnings(0, Counter())
    assert warning.startswith("0 offers (expected at least 1)")


def test_a_field_gone_missing_warns_with_its_share():
    found = warnings(10, Counter(company=10, place=2, description=10))
    assert found == [
        "place on 20% of offers (expected 50%): has the site changed where it shows the place?"
    ]


def test_a_source_may_set_its_own_thresholds():
    # A board that hides employers (confidential ads) is not broken at 30 % companies.
    assert warnings(10, Counter(company=3, place=10, description=10), {"company": 0.2}) == []
    assert len(warnings(3, Counter(company=3, place=3, description=3), {"min_offers": 5})) == 1


def test_the_closing_reason_gives_the_run_its_status():
    assert closing_status("finished", None, None, 12) == (None, None)
    assert closing_status("finished", "blocked", "captcha", 3) == ("blocked", "captcha")
    # A stop by the spider keeps its own status whatever Scrapy's reason says.
    assert closing_status("blocked", "blocked", "captcha", 3) == ("blocked", "captcha")
    status, message = closing_status("closespider_pagecount", None, None, 1000)
    assert status == "partial" and "page cap (1000 pages" in message
    assert closing_status("shutdown", None, None, 5)[0] == "interrupted"
    assert closing_status("odd_reason", None, None, 5) == ("partial", "closed: odd_reason")
