"""Teamtailor spider: extraction, the topic filter, paging and failures, offline
(tests/fixtures/teamtailor/README.md says what each fixture plays)."""

from __future__ import annotations

import logging
from functools import partial

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import BLOCKED, LAYOUT_CHANGED, FeedError
from spiders.employers import EMPLOYER_META, Employer
from spiders.teamtailor import (
    MAX_PAGES,
    PAGE_META,
    TeamtailorSpider,
    feed_url,
    job_number,
    next_page,
    offer_from_item,
    parse_feed,
    site_host,
)
from tests.helpers import (
    REPLAY_SETTINGS,
    crawl_offline,
    crawl_run,
    failure_for,
    fixture_path,
    fixture_response,
    make_spider,
    python_child,
    response_failure,
    split,
    start,
    stat,
    until_stop,
    walk_crawl,
)

SLUG = "teamtailor"
EMPLOYERS_FILE = str(fixture_path("teamtailor/employers.toml"))
# A spider of the test employers, unless a test names another file.
employer_spider = partial(make_spider, TeamtailorSpider, employers_file=EMPLOYERS_FILE)
PAGE_1 = "https://centaurus.teamtailor.com/jobs.json"
PAGE_2 = "https://centaurus.teamtailor.com/jobs.json?page=2"
CENTAURUS = Employer(
    "centaurus", "Groupe Centaurus", "teamtailor", ids={"host": "centaurus.teamtailor.com"}
)


def response(
    file: str, url: str = PAGE_1, status: int = 200, employer: str = "centaurus", page: int = 1
):
    meta = {EMPLOYER_META: employer, PAGE_META: page}
    return fixture_response(f"{SLUG}/{file}", url=url, status=status, meta=meta)


SPIDER = employer_spider()
ITEMS_1, REQUESTS_1 = split(SPIDER.parse(response("centaurus_1.json")))
ITEMS_2, REQUESTS_2 = split(SPIDER.parse(response("centaurus_2.json", PAGE_2, page=2)))
ALL_ITEMS = ITEMS_1 + ITEMS_2
OFFERS = [item for item in ALL_ITEMS if not is_reject(item)]


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    return {item["title"]: item for item in OFFERS}


# ---------------------------------------------------------------- the topic filter


def test_only_on_topic_jobs_are_kept_in_feed_order():
    assert [item["title"] for item in OFFERS] == [
        "Chef de projet chatbot (H/F)",
        "Consultant(e) IA conversationnelle",
        "Responsable expérience client digitale",
        "Product Owner voicebot (H/F)",
        "Alternance chatbot",
    ]


def test_off_topic_jobs_are_counted():
    assert stat(SPIDER, "teamtailor/off_topic") == 5


def test_a_description_that_names_a_term_is_enough(offers):
    # The title names none; the description names "callbot".
    assert offers["Responsable expérience client digitale"]["source_id"] == (
        "centaurus.teamtailor.com/5123475"
    )


def test_terms_argument_changes_what_is_kept():
    spider = employer_spider(terms="comptable,commercial")
    items, _ = split(spider.parse(response("centaurus_1.json")))
    assert [item["title"] for item in items] == [
        "Comptable fournisseurs (H/F)",
        "Commercial grands comptes",
    ]
    assert stat(spider, "teamtailor/off_topic") == 4


def test_an_item_that_is_not_an_object_is_rejected():
    rejects = [item for item in ALL_ITEMS if is_reject(item)]
    assert len(rejects) == 1
    assert rejects[0]["reason"] == "feed item is not a JSON object"
    assert rejects[0]["payload"] == "42"
    assert rejects[0]["url"] == PAGE_2


# ---------------------------------------------------------------- one field at a time


def test_source_id_is_scoped_by_site(offers):
    assert offers["Chef de projet chatbot (H/F)"]["source_id"] == "centaurus.teamtailor.com/5123456"
    # An id written as the job's URL gives its number.
    assert offers["Consultant(e) IA conversationnelle"]["source_id"] == (
        "centaurus.teamtailor.com/5123470"
    )
    assert offers["Alternance chatbot"]["source_id"] == "centaurus.teamtailor.com/5123490"


def test_url_and_apply_url(offers):
    chef = offers["Chef de projet chatbot (H/F)"]
    assert chef["url"] == "https://centaurus.teamtailor.com/jobs/5123456-chef-de-projet-chatbot-h-f"
    # directApply: the offer page is where one applies.
    assert chef["apply_url"] == chef["url"]


def test_company_is_the_employer_name(offers):
    assert {item["company"] for item in OFFERS} == {"Groupe Centaurus"}


def test_location_from_the_jobposting(offers):
    chef = offers["Chef de projet chatbot (H/F)"]
    assert chef["location"] == "Paris, 75009, Île-de-France, FR"
    assert chef["postal_code"] == "75009"
    po = offers["Product Owner voicebot (H/F)"]
    assert po["location"] == (
        "Toulouse, 31000, Occitanie, FR; Bordeaux, 33000, Nouvelle-Aquitaine, FR"
    )
    assert po["postal_code"] is None  # two places: no single postcode


def test_contract_is_the_employment_type_as_given(offers):
    assert offers["Chef de projet chatbot (H/F)"]["contract"] == "FULL_TIME"


def test_remote_is_the_location_type_as_given(offers):
    assert offers["Consultant(e) IA conversationnelle"]["remote"] == "TELECOMMUTE"
    assert offers["Chef de projet chatbot (H/F)"]["remote"] is None


def test_description_is_the_feed_html(offers):
    description = offers["Chef de projet chatbot (H/F)"]["description"]
    assert description.startswith("<p>Vous pilotez le chatbot de nos clients")
    assert "<li>Animer les ateliers</li>" in description


def test_posted_at(offers):
    assert offers["Chef de projet chatbot (H/F)"]["posted_at"] == "2026-11-09T10:12:00+01:00"
    assert offers["Product Owner voicebot (H/F)"]["posted_at"] == "2026-11-13T11:05:00+01:00"


def test_salary_from_the_jobposting(offers):
    chef = offers["Chef de projet chatbot (H/F)"]
    assert chef["salary"] == "45000–52000 EUR YEAR"
    assert (chef["salary_min"], chef["salary_max"], chef["salary_period"]) == (
        45000.0,
        52000.0,
        "YEAR",
    )
    assert chef["salary_currency"] == "EUR"
    po = offers["Product Owner voicebot (H/F)"]
    assert (po["salary_min"], po["salary_max"], po["salary_period"]) == (3500.0, 3500.0, "MONTH")
    assert offers["Consultant(e) IA conversationnelle"]["salary"] is None


def test_odd_types_become_none(offers):
    odd = offers["Alternance chatbot"]
    for key in ("url", "description", "location", "contract", "salary", "apply_url"):
        assert odd.get(key) is None, key


@pytest.mark.parametrize("item", OFFERS, ids=lambda item: str(item["source_id"]))
def test_every_offer_is_a_clean_raw_offer(item):
    assert item["source"] == "teamtailor"
    assert item["source_id"] and item["source_id"].startswith("centaurus.teamtailor.com/")
    assert set(item) <= set(RAW_FIELDS)
    assert all(value != "" for value in item.values())
    assert item["company"] == "Groupe Centaurus"
    if item.get("url") is not None:
        assert item["url"].startswith("https://centaurus.teamtailor.com/jobs/")


# ---------------------------------------------------------------- pure functions


@pytest.mark.parametrize(
    "host", ["centaurus.teamtailor.com", "https://centaurus.teamtailor.com/", " http://centaurus.teamtailor.com"]
)  # fmt: skip
def test_feed_url(host):
    assert site_host(host) == "centaurus.teamtailor.com"
    assert feed_url(host) == PAGE_1


@pytest.mark.parametrize(
    "body, layout",
    [
        ('{"items": [', False),
        ("<html>", False),
        ('{"data": [], "links": {}}', True),
        ('{"items": {}}', True),
        ("[]", True),
    ],
)
def test_parse_feed_failures(body, layout):
    with pytest.raises(FeedError) as error:
        parse_feed(body)
    assert error.value.layout is layout


def test_parse_feed_next_url():
    assert parse_feed('{"items": [], "next_url": " "}') == ([], None)
    assert parse_feed('{"items": [1], "next_url": "https://x/jobs.json?page=2"}')[1] == (
        "https://x/jobs.json?page=2"
    )


@pytest.mark.parametrize(
    "next_url, page, expected",
    [
        (PAGE_2, 1, PAGE_2),
        (None, 1, None),
        (PAGE_1, 1, None),  # the page itself: no loop
        ("https://elsewhere.example/jobs.json?page=2", 1, None),  # another site
        ("ftp://centaurus.teamtailor.com/jobs.json", 1, None),
        (PAGE_2, MAX_PAGES, None),
    ],
)
def test_next_page(next_url, page, expected):
    assert next_page(PAGE_1, next_url, page) == expected


@pytest.mark.parametrize(
    "item, expected",
    [
        ({"id": "5123456"}, "5123456"),
        ({"id": 5123456}, "5123456"),
        ({"id": "https://x.teamtailor.com/jobs/5123456-chef-de-projet"}, "5123456"),
        ({"id": "https://x.teamtailor.com/o/abc"}, "https://x.teamtailor.com/o/abc"),
        ({"id": None}, None),
        ({}, None),
    ],
)
def test_job_number(item, expected):
    assert job_number(item) == expected


def test_an_item_without_jobposting_keeps_the_feed_fields():
    item = {"id": "7", "title": "Chatbot", "url": "https://a.teamtailor.com/jobs/7-chatbot"}
    offer = offer_from_item(item, CENTAURUS)
    assert offer["source_id"] == "centaurus.teamtailor.com/7"
    assert offer["url"] == item["url"] and offer["title"] == "Chatbot"
    assert offer.get("location") is None


def test_the_jobposting_fills_what_the_feed_item_lacks():
    posting = {"@type": "JobPosting", "title": "Voicebot", "datePosted": "2026-11-02"}
    offer = offer_from_item({"id": "8", "_jobposting": posting}, CENTAURUS)
    assert (offer["title"], offer["posted_at"]) == ("Voicebot", "2026-11-02")
    assert offer["url"] is None


def nested(depth: int, leaf: object = "x") -> object:
    for _ in range(depth):
        leaf = [leaf]
    return leaf


def test_a_feed_nested_past_the_limit_is_refused_with_its_depth():
    # 200 levels: the feed, its items, the item, its JobPosting, and 196 lists.
    body = '{"items": [{"id": "9", "_jobposting": {"title": ' + "[" * 196 + "]" * 196 + "}}]}"
    with pytest.raises(FeedError) as error:
        parse_feed(body)
    assert str(error.value) == "body is JSON nested 200 levels deep, more than 64"
    assert error.value.layout is False  # one unreadable page: a reject, and the crawl goes on


def test_a_jobposting_value_nested_past_the_limit_is_left_unread():
    posting = {"@type": "JobPosting", "title": nested(600), "datePosted": "2026-11-02"}
    offer = offer_from_item({"id": "9", "_jobposting": posting}, CENTAURUS)
    assert (offer["title"], offer["posted_at"]) == (None, "2026-11-02")


# ---------------------------------------------------------------- requests and paging


def test_start_asks_each_employer_for_its_feed():
    requests = start(employer_spider())
    assert [request.url for request in requests] == [
        PAGE_1,
        "https://nivalis.teamtailor.com/jobs.json",
        "https://brumaire.teamtailor.com/jobs.json",
    ]
    assert {request.meta[PAGE_META] for request in requests} == {1}


def test_default_employers_file_has_centaurus_only():
    assert [request.url for request in start(employer_spider(employers_file=None))] == [PAGE_1]


def test_an_employer_without_host_is_skipped_with_an_error(tmp_path, caplog):
    employers = tmp_path / "employers.toml"
    employers.write_text(
        '[employers]\nnohost = { name = "No Host", platform = "teamtailor" }\n', "utf-8"
    )
    with caplog.at_level(logging.ERROR):
        assert start(employer_spider(employers_file=str(employers))) == []
    assert "nohost" in caplog.text and "'host'" in caplog.text


def test_next_url_is_followed():
    assert [request.url for request in REQUESTS_1] == [PAGE_2]
    assert REQUESTS_1[0].meta[PAGE_META] == 2
    assert REQUESTS_1[0].meta[EMPLOYER_META] == "centaurus"


def test_a_page_without_next_url_is_the_last():
    assert REQUESTS_2 == []


def test_an_empty_feed_yields_nothing_and_goes_on(caplog):
    spider = employer_spider()
    url = "https://nivalis.teamtailor.com/jobs.json"
    with caplog.at_level(logging.WARNING):
        items, requests = split(spider.parse(response("empty.json", url, employer="nivalis")))
    assert items == [] and requests == []
    assert stat(spider, "botjobs/status") is None
    assert not caplog.records


# ---------------------------------------------------------------- failures


def test_a_feed_answering_500_is_an_error_for_that_employer(caplog):
    spider = employer_spider()
    url = "https://brumaire.teamtailor.com/jobs.json"
    page = response("server_error.html", url, 500, employer="brumaire")
    failure = response_failure(page)
    with caplog.at_level(logging.INFO):
        spider.feed_failed(failure)
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert "Brumaire Conseil" in caplog.text and "HTTP 500" in caplog.text
    assert stat(spider, "teamtailor/failed_employers") == 1
    assert stat(spider, "botjobs/status") is None


def test_a_request_not_sent_is_a_warning(caplog):
    spider = employer_spider()
    failure = failure_for(
        Request(PAGE_1, meta={EMPLOYER_META: "centaurus"}), IgnoreRequest("no recorded response")
    )
    with caplog.at_level(logging.INFO):
        spider.feed_failed(failure)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_no_feed_at_the_host_is_an_error_not_a_stop(caplog):
    spider = employer_spider()
    with caplog.at_level(logging.ERROR):
        items, requests = split(spider.parse(response("not_found.html", status=404)))
    assert items == [] and requests == []
    assert "Groupe Centaurus" in caplog.text and "employers.toml" in caplog.text
    assert stat(spider, "teamtailor/failed_employers") == 1
    assert stat(spider, "botjobs/status") is None


def test_a_403_challenge_stops_the_source_as_blocked():
    spider = employer_spider()
    out, stopped = until_stop(spider.parse(response("blocked.html", status=403)))
    assert out == []
    assert stopped.reason == BLOCKED
    assert stat(spider, "botjobs/status") == BLOCKED
    assert "403" in stat(spider, "botjobs/message")


def test_json_without_the_items_list_is_rejected_and_stops_the_source():
    spider = employer_spider()
    out, stopped = until_stop(spider.parse(response("layout_changed.json")))
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["reason"] == "body has no 'items' list"
    assert '"careersite-job-url"' in out[0]["payload"]
    assert stopped.reason == LAYOUT_CHANGED
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED


def test_a_truncated_body_is_rejected_and_the_crawl_goes_on():
    spider = employer_spider()
    items, requests = split(spider.parse(response("truncated.json")))
    assert len(items) == 1 and is_reject(items[0])
    assert items[0]["reason"].startswith("body is not valid JSON")
    assert requests == []
    assert stat(spider, "botjobs/status") is None


# ---------------------------------------------------------------- the manifest covers the crawl


def test_manifest_covers_every_request_of_the_test_employers():
    walk = walk_crawl(employer_spider(REPLAY_SETTINGS))
    assert walk.unused() == [], "fixtures never used"
    assert [status for _, status in walk.answers] == [200, 200, 500, 200]
    assert len(walk.offers) == 5


# ---------------------------------------------------------------- end to end


def test_offline_crawl_of_the_employers_file(tmp_path):
    """`botjobs crawl --offline --source teamtailor`: Centaurus's two pages, replayed."""
    path = tmp_path / "x.db"
    done = crawl_offline(path, SLUG, "-q")
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    # 5 on-topic jobs and the item that is not an object.
    assert (run["items"], run["new"], run["rejects"], run["errors"]) == (5, 5, 1, 0)
    assert run["status"] == "ok" and run["mode"] == "offline"
    db = open_db(str(path))
    try:
        stored = {r["source_id"]: r for r in db["offers"].rows_where("source = 'teamtailor'")}
    finally:
        db.close()
    chef = stored["centaurus.teamtailor.com/5123456"]
    assert chef["title"] == "Chef de projet chatbot (H/F)"
    assert chef["company"] == "Groupe Centaurus"


def test_replayed_crawl_of_the_test_employers_is_partial(tmp_path):
    """The engine with the test employers: an empty feed, and a feed that answers 500."""
    path = tmp_path / "t.db"
    code = (
        "import sys\n"
        "from pipeline.crawl import DEFAULT_FIXTURES, run_crawl\n"
        "run_crawl(sys.argv[1], ['teamtailor'], DEFAULT_FIXTURES, quiet=True,\n"
        "          spider_args={'teamtailor': {'employers_file': sys.argv[2]}})\n"
    )
    done = python_child("-c", code, str(path), EMPLOYERS_FILE)
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    assert (run["items"], run["new"], run["rejects"], run["errors"]) == (5, 5, 1, 1)
    assert run["status"] == "partial"
    assert "Brumaire Conseil" in done.stderr and "HTTP 500" in done.stderr
