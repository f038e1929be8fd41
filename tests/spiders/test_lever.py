"""Lever spider: extraction, the topic filter, paging and failures, offline
(tests/fixtures/lever/README.md says what each fixture plays)."""

from __future__ import annotations

import json
import logging
from functools import partial
from urllib.parse import parse_qs, urlsplit

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import BLOCKED, LAYOUT_CHANGED, FeedError
from spiders.employers import EMPLOYER_META, Employer
from spiders.lever import (
    MAX_PAGES,
    PAGE_SIZE,
    SKIP_META,
    LeverSpider,
    description_html,
    location_text,
    next_skip,
    offer_from_json,
    parse_postings,
    postings_url,
    salary_fields,
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

SLUG = "lever"
EMPLOYERS_FILE = str(fixture_path("lever/employers.toml"))
# A spider of the test employers, unless a test names another file.
employer_spider = partial(make_spider, LeverSpider, employers_file=EMPLOYERS_FILE)
PAGE_0 = postings_url("bforbank", 0)
PAGE_100 = postings_url("bforbank", 100)
BFORBANK = Employer("bforbank", "BforBank", "lever", ids={"company": "bforbank"})


def response(file: str, url: str = PAGE_0, status: int = 200, employer: str = "bforbank"):
    skip = int(parse_qs(urlsplit(url).query).get("skip", ["0"])[0])
    meta = {EMPLOYER_META: employer, SKIP_META: skip}
    return fixture_response(f"{SLUG}/{file}", url=url, status=status, meta=meta)


def recorded(file: str) -> list:
    return json.loads(fixture_path(f"{SLUG}/{file}").read_text("utf-8"))


def posting_id(title: str) -> str:
    """The id of the recorded posting with this title (ids are generated UUIDs)."""
    for posting in recorded("bforbank_0.json") + recorded("bforbank_100.json"):
        if isinstance(posting, dict) and posting.get("text") == title:
            return f"bforbank/{posting['id']}"
    raise KeyError(title)


SPIDER = employer_spider()
ITEMS_0, REQUESTS_0 = split(SPIDER.parse(response("bforbank_0.json")))
ITEMS_100, REQUESTS_100 = split(SPIDER.parse(response("bforbank_100.json", PAGE_100)))
ALL_ITEMS = ITEMS_0 + ITEMS_100
OFFERS = [item for item in ALL_ITEMS if not is_reject(item)]


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    return {item["title"]: item for item in OFFERS}


# ---------------------------------------------------------------- the topic filter


def test_only_on_topic_postings_are_kept_in_feed_order():
    assert [item.get("title") for item in ITEMS_0 if not is_reject(item)] == [
        "Chef de projet chatbot (H/F)",
        "Conversation Designer",
        "Product Owner Relation Client",
        "Alternance - Chargé(e) de projet IA conversationnelle",
        None,
        "Voicebot / Callbot Lead",
    ]
    assert [item["title"] for item in ITEMS_100] == [
        "Stage - Assistant(e) chef de projet chatbot",
        "Consultant conversational AI (freelance)",
        "Bot designer (H/F)",
    ]


def test_off_topic_postings_are_counted():
    # 100 on page one: 6 on topic, 1 not an object, 93 off topic; 5 of 8 on page two.
    assert stat(SPIDER, "lever/off_topic") == 98


def test_a_description_that_names_a_term_is_enough(offers):
    # "Product Owner Relation Client" names none; its description names "assistant virtuel".
    assert offers["Product Owner Relation Client"]["source_id"] == posting_id(
        "Product Owner Relation Client"
    )


def test_terms_argument_changes_what_is_kept():
    spider = employer_spider(terms="KYC")
    items, _ = split(spider.parse(response("bforbank_0.json")))
    offers = [item for item in items if not is_reject(item)]
    assert offers and {item["title"] for item in offers} == {"Chargé de conformité KYC"}
    assert stat(spider, "lever/off_topic") == 99 - len(offers)


def test_a_posting_that_is_not_an_object_is_rejected():
    rejects = [item for item in ALL_ITEMS if is_reject(item)]
    assert len(rejects) == 1
    assert rejects[0]["reason"] == "posting is not a JSON object"
    assert rejects[0]["payload"] == '"posting withdrawn"'
    assert rejects[0]["url"] == PAGE_0


def test_a_posting_without_title_is_kept_for_the_pipeline():
    untitled = [item for item in OFFERS if item["title"] is None]
    assert len(untitled) == 1
    assert untitled[0]["source_id"].startswith("bforbank/")
    assert "intitulé en cours de validation" in untitled[0]["description"]


# ---------------------------------------------------------------- one field at a time


def test_source_id(offers):
    chef = offers["Chef de projet chatbot (H/F)"]
    assert chef["source_id"] == posting_id("Chef de projet chatbot (H/F)")
    assert offers["Voicebot / Callbot Lead"]["source_id"] == "bforbank/48213"  # numeric id


def test_url_and_apply_url(offers):
    chef = offers["Chef de projet chatbot (H/F)"]
    uuid = chef["source_id"].split("/", 1)[1]
    assert chef["url"] == f"https://jobs.lever.co/bforbank/{uuid}"
    assert chef["apply_url"] == f"https://jobs.lever.co/bforbank/{uuid}/apply"


def test_company_is_the_employer_name(offers):
    assert {item["company"] for item in OFFERS} == {"BforBank"}


def test_location(offers):
    assert offers["Chef de projet chatbot (H/F)"]["location"] == "Paris"
    assert offers["Conversation Designer"]["location"] == "Paris; Bordeaux"
    assert offers["Bot designer (H/F)"]["location"] == "Nantes"
    assert offers["Consultant conversational AI (freelance)"]["location"] == "Télétravail"


def test_contract(offers):
    assert offers["Chef de projet chatbot (H/F)"]["contract"] == "CDI"
    assert offers["Alternance - Chargé(e) de projet IA conversationnelle"]["contract"] == (
        "Alternance"
    )
    assert offers["Stage - Assistant(e) chef de projet chatbot"]["contract"] == "Stage"
    assert offers["Consultant conversational AI (freelance)"]["contract"] == "Freelance"


def test_remote_is_the_workplace_type_as_given(offers):
    assert offers["Chef de projet chatbot (H/F)"]["remote"] == "hybrid"
    assert offers["Conversation Designer"]["remote"] == "remote"
    assert offers["Alternance - Chargé(e) de projet IA conversationnelle"]["remote"] == "on-site"
    assert offers["Voicebot / Callbot Lead"]["remote"] is None  # "unspecified"


def test_description_holds_opening_lists_and_closing(offers):
    description = offers["Chef de projet chatbot (H/F)"]["description"]
    assert description.startswith("<div>Au sein de la direction Expérience Client")
    assert "<h3>Vos missions</h3><ul><li>Piloter la feuille de route du chatbot" in description
    assert "<h3>Votre profil</h3><ul><li>Bac+5" in description
    assert description.endswith("en situation de handicap.</div>")


def test_posted_at_is_the_creation_time_as_given(offers):
    assert offers["Chef de projet chatbot (H/F)"]["posted_at"] == "1794474840000"
    assert offers["Voicebot / Callbot Lead"]["posted_at"] == "2026-11-03"


def test_salary_text(offers):
    assert offers["Chef de projet chatbot (H/F)"]["salary"] == (
        "Rémunération : 48 000 € à 58 000 € bruts annuels selon expérience"
    )
    assert offers["Conversation Designer"]["salary"] is None


def test_stated_salary_yearly(offers):
    chef = offers["Chef de projet chatbot (H/F)"]
    assert (chef["salary_min"], chef["salary_max"]) == (48000.0, 58000.0)
    assert (chef["salary_period"], chef["salary_currency"]) == ("year", "EUR")


@pytest.mark.parametrize(
    "title, expected",
    [
        ("Alternance - Chargé(e) de projet IA conversationnelle", (1400.0, 1700.0, "month")),
        ("Stage - Assistant(e) chef de projet chatbot", (1300.0, 1300.0, "month")),
        ("Consultant conversational AI (freelance)", (75.0, 90.0, "hour")),
        # "one-time" has no period: the amount stays, the period is unknown.
        ("Bot designer (H/F)", (2000.0, 2000.0, None)),
        ("Conversation Designer", (None, None, None)),
    ],
)
def test_stated_salary_periods(offers, title, expected):
    offer = offers[title]
    assert (offer["salary_min"], offer["salary_max"], offer["salary_period"]) == expected


def test_odd_types_become_none(offers):
    odd = offers["Voicebot / Callbot Lead"]
    for key in ("url", "location", "contract", "remote", "salary", "salary_min", "apply_url"):
        assert odd[key] is None, key
    assert odd["description"] is None


@pytest.mark.parametrize("item", OFFERS, ids=lambda item: str(item["source_id"]))
def test_every_offer_is_a_clean_raw_offer(item):
    assert item["source"] == "lever"
    assert item["source_id"] and item["source_id"].startswith("bforbank/")
    assert set(item) <= set(RAW_FIELDS)
    assert all(value != "" for value in item.values())
    assert item["company"] == "BforBank"
    if item["url"] is not None:
        assert item["url"].startswith("https://jobs.lever.co/bforbank/")


# ---------------------------------------------------------------- pure functions


def test_postings_url():
    assert postings_url("bforbank") == (
        "https://api.lever.co/v0/postings/bforbank?mode=json&skip=0&limit=100"
    )
    assert postings_url("a b", 200, "api.eu.lever.co") == (
        "https://api.eu.lever.co/v0/postings/a%20b?mode=json&skip=200&limit=100"
    )


@pytest.mark.parametrize(
    "skip, count, expected",
    [
        (0, PAGE_SIZE, PAGE_SIZE),
        (100, PAGE_SIZE, 200),
        (0, 7, None),
        (0, 0, None),
        # A server that ignored `limit` sent everything at once.
        (0, 250, None),
        ((MAX_PAGES - 1) * PAGE_SIZE, PAGE_SIZE, None),
    ],
)
def test_next_skip(skip, count, expected):
    assert next_skip(skip, count) == expected


@pytest.mark.parametrize(
    "body, layout",
    [("[{", False), ("<html>", False), ('{"data": []}', True), ("null", True), ('"x"', True)],
)
def test_parse_postings_failures(body, layout):
    with pytest.raises(FeedError) as error:
        parse_postings(body)
    assert error.value.layout is layout


def test_location_of_odd_categories():
    assert location_text({"categories": {"allLocations": ["Lyon", None, 3, "Lyon"]}}) == "Lyon"
    assert location_text({"categories": None}) is None


def test_description_without_lists_or_closing():
    assert description_html({"description": "<p>x</p>", "lists": [{"text": "Vide"}]}) == "<p>x</p>"
    assert description_html({}) is None
    assert description_html({"lists": [{"content": "<li>a</li>"}]}) == "<ul><li>a</li></ul>"


def test_salary_fields_of_unknown_interval():
    fields = salary_fields({"salaryRange": {"min": "45000", "interval": "per-fortnight-salary"}})
    assert fields["salary_min"] == 45000.0 and fields["salary_period"] is None


def test_offer_from_a_posting_without_id():
    assert offer_from_json({"text": "Chef de projet chatbot"}, BFORBANK)["source_id"] is None


# ---------------------------------------------------------------- requests and paging


def test_start_asks_each_employer_for_its_first_page():
    urls = [request.url for request in start(employer_spider())]
    assert urls == [PAGE_0, postings_url("quantelys"), postings_url("ardentfinance")]


def test_default_employers_file_has_bforbank_only():
    spider = employer_spider(employers_file=None)
    assert [request.url for request in start(spider)] == [PAGE_0]


def test_employer_argument_picks_some():
    spider = employer_spider(employer="quantelys")
    assert [request.meta[EMPLOYER_META] for request in start(spider)] == ["quantelys"]


def test_eu_instance_and_missing_company(tmp_path, caplog):
    employers = tmp_path / "employers.toml"
    employers.write_text(
        "[employers]\n"
        'eu = { name = "EU Co", platform = "lever", company = "euco", host = "api.eu.lever.co" }\n'
        'nocompany = { name = "No Company", platform = "lever" }\n',
        "utf-8",
    )
    with caplog.at_level(logging.ERROR):
        requests = start(employer_spider(employers_file=str(employers)))
    assert [request.url for request in requests] == [postings_url("euco", 0, "api.eu.lever.co")]
    assert "nocompany" in caplog.text and "'company'" in caplog.text


def test_a_full_page_asks_for_the_next():
    assert [request.url for request in REQUESTS_0] == [PAGE_100]
    assert REQUESTS_0[0].meta[SKIP_META] == 100
    assert REQUESTS_0[0].meta[EMPLOYER_META] == "bforbank"


def test_a_short_page_is_the_last():
    assert REQUESTS_100 == []


def test_an_empty_feed_yields_nothing_and_goes_on(caplog):
    spider = employer_spider()
    url = postings_url("quantelys")
    with caplog.at_level(logging.WARNING):
        items, requests = split(spider.parse(response("empty.json", url, employer="quantelys")))
    assert items == [] and requests == []
    assert stat(spider, "botjobs/status") is None
    assert not caplog.records


# ---------------------------------------------------------------- failures


def test_a_feed_answering_500_is_an_error_for_that_employer(caplog):
    spider = employer_spider()
    url = postings_url("ardentfinance")
    page = response("server_error.json", url, 500, employer="ardent_finance")
    failure = response_failure(page)
    with caplog.at_level(logging.INFO):
        spider.feed_failed(failure)
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert "Ardent Finance" in caplog.text and "HTTP 500" in caplog.text
    assert stat(spider, "lever/failed_employers") == 1
    assert stat(spider, "botjobs/status") is None


def test_a_request_not_sent_is_a_warning(caplog):
    spider = employer_spider()
    failure = failure_for(
        Request(PAGE_0, meta={EMPLOYER_META: "bforbank"}), IgnoreRequest("no recorded response")
    )
    with caplog.at_level(logging.INFO):
        spider.feed_failed(failure)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert stat(spider, "lever/failed_employers") is None


def test_an_unknown_account_is_an_error_not_a_stop(caplog):
    spider = employer_spider()
    with caplog.at_level(logging.ERROR):
        items, requests = split(spider.parse(response("not_found.json", status=404)))
    assert items == [] and requests == []
    assert "BforBank" in caplog.text and "employers.toml" in caplog.text
    assert stat(spider, "lever/failed_employers") == 1
    assert stat(spider, "botjobs/status") is None


def test_a_403_wall_stops_the_source_as_blocked():
    spider = employer_spider()
    out, stopped = until_stop(spider.parse(response("blocked.html", status=403)))
    assert out == []
    assert stopped.reason == BLOCKED
    assert stat(spider, "botjobs/status") == BLOCKED
    assert "403" in stat(spider, "botjobs/message")


def test_json_without_the_list_is_rejected_and_stops_the_source():
    spider = employer_spider()
    out, stopped = until_stop(spider.parse(response("layout_changed.json")))
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["reason"] == "body is a JSON dict, not a list of postings"
    assert '"hasNext": false' in out[0]["payload"]
    assert stopped.reason == LAYOUT_CHANGED
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED


def test_a_truncated_body_is_rejected_and_the_crawl_goes_on(caplog):
    spider = employer_spider()
    with caplog.at_level(logging.ERROR):
        items, requests = split(spider.parse(response("truncated.json")))
    assert len(items) == 1 and is_reject(items[0])
    assert items[0]["reason"].startswith("body is not valid JSON")
    assert requests == []
    assert stat(spider, "botjobs/status") is None
    assert "unreadable feed" in caplog.text


# ---------------------------------------------------------------- the manifest covers the crawl


def test_manifest_covers_every_request_of_the_test_employers():
    walk = walk_crawl(employer_spider(REPLAY_SETTINGS))
    assert walk.unused() == [], "fixtures never used"
    assert [status for _, status in walk.answers] == [200, 200, 500, 200]
    assert len(walk.offers) == 9


# ---------------------------------------------------------------- end to end


def test_offline_crawl_of_the_employers_file(tmp_path):
    """`botjobs crawl --offline --source lever`: BforBank's two pages, replayed."""
    path = tmp_path / "x.db"
    done = crawl_offline(path, SLUG, "-q")
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    # 9 on-topic postings; the untitled one and the non-object are rejected.
    assert (run["items"], run["new"], run["rejects"], run["errors"]) == (9, 8, 2, 0)
    assert run["status"] == "ok" and run["mode"] == "offline"
    assert run["health"] == "[]"
    db = open_db(str(path))
    try:
        stored = {r["title"]: r for r in db["offers"].rows_where("source = 'lever'")}
    finally:
        db.close()
    assert len(stored) == 8
    chef = stored["Chef de projet chatbot (H/F)"]
    assert chef["company"] == "BforBank"
    assert chef["source_id"] == posting_id("Chef de projet chatbot (H/F)")


def test_replayed_crawl_of_the_test_employers_is_partial(tmp_path):
    """The engine with the test employers: an empty feed, and a feed that answers 500."""
    path = tmp_path / "t.db"
    code = (
        "import sys\n"
        "from pipeline.crawl import DEFAULT_FIXTURES, run_crawl\n"
        "run_crawl(sys.argv[1], ['lever'], DEFAULT_FIXTURES, quiet=True,\n"
        "          spider_args={'lever': {'employers_file': sys.argv[2]}})\n"
    )
    done = python_child("-c", code, str(path), EMPLOYERS_FILE)
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    assert (run["items"], run["new"], run["rejects"], run["errors"]) == (9, 8, 2, 1)
    assert run["status"] == "partial"
    assert "Ardent Finance" in done.stderr and "HTTP 500" in done.stderr
