"""SmartRecruiters spider: paging the feed, keeping on-topic postings, offers, failures, offline."""

from __future__ import annotations

import json
import logging

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import FeedError
from spiders.employers import Employer
from spiders.smartrecruiters import (
    PAGE_SIZE,
    SmartRecruitersSpider,
    description_html,
    detail_url,
    list_url,
    location_text,
    next_offset,
    offer_from_posting,
    on_topic,
    parse_list,
    remote_text,
)
from tests.helpers import (
    REPLAY_SETTINGS,
    crawl_offline,
    crawl_run,
    failure_for,
    fixture_response,
    make_spider,
    manifest_entries,
    replay_response,
    split,
    start,
    stat,
    until_stop,
    walk_crawl,
)

SLUG = "smartrecruiters"
ENTRIES = manifest_entries(SLUG)
COMPANY = "BasicFit"
BASIC_FIT = Employer("basic_fit", "Basic-Fit", "smartrecruiters", ids={"company": COMPANY})

CHEF = "743999946532868"  # Chef de projet chatbot: full detail
PO = "743999973811237"  # Product Owner IA conversationnelle: full detail, remote
DESIGNER = "743999977883352"  # withdrawn (404)
CHARGE = "743999941337370"  # detail answers 500: the list item alone
ALTERNANCE = "743999997010971"  # full detail, hybrid


# ---------------------------------------------------------------- helpers


def entry_for(url: str) -> dict:
    found = [e for e in ENTRIES if e["url"] == url]
    assert len(found) == 1, f"no single manifest entry for {url}"
    return found[0]


def page(spider: SmartRecruitersSpider, offset: int) -> tuple[list, list[Request]]:
    response = replay_response(SLUG, entry_for(list_url(COMPANY, offset)))
    return split(spider.parse_list(response, slug="basic_fit", offset=offset))


def listed(posting_id: str) -> dict:
    for offset in (0, 100, 200):
        body = replay_response(SLUG, entry_for(list_url(COMPANY, offset))).text
        for item in json.loads(body)["content"]:
            if item["id"] == posting_id:
                return item
    raise AssertionError(posting_id)


def detail(spider: SmartRecruitersSpider, posting_id: str) -> list:
    response = replay_response(SLUG, entry_for(detail_url(COMPANY, posting_id)))
    return list(spider.parse_detail(response, slug="basic_fit", listed=listed(posting_id)))


def failed_detail(spider: SmartRecruitersSpider, posting_id: str, error: Exception) -> list:
    request = Request(
        detail_url(COMPANY, posting_id),
        cb_kwargs={"slug": "basic_fit", "listed": listed(posting_id)},
    )
    wrapped = failure_for(request, error)
    return list(spider.detail_failed(wrapped) or [])


def http_error(posting_id: str, status: int) -> HttpError:
    response = fixture_response("", url=detail_url(COMPANY, posting_id), status=status, body=b"")
    return HttpError(response, "Ignoring non-200 response")


def all_items() -> list[dict]:
    spider = make_spider(SmartRecruitersSpider)
    items = []
    for posting_id in (CHEF, PO, ALTERNANCE):
        items += detail(spider, posting_id)
    items += failed_detail(spider, CHARGE, http_error(CHARGE, 500))
    return items


ALL_ITEMS = all_items()


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    return {item["source_id"].split("/")[1]: item for item in ALL_ITEMS}


# ---------------------------------------------------------------- the feed


def test_the_feed_is_asked_for_french_postings_a_hundred_at_a_time():
    spider = make_spider(SmartRecruitersSpider)
    requests = start(spider)
    assert [r.url for r in requests] == [
        "https://api.smartrecruiters.com/v1/companies/BasicFit/postings"
        "?country=fr&limit=100&offset=0"
    ]
    assert requests[0].cb_kwargs == {"slug": "basic_fit", "offset": 0}
    assert requests[0].headers["Accept"] == b"application/json"
    assert PAGE_SIZE == 100


def test_first_page_keeps_the_on_topic_posting_and_asks_for_the_next_page():
    spider = make_spider(SmartRecruitersSpider)
    items, requests = page(spider, 0)
    assert items == []
    details, following = requests[:-1], requests[-1]
    assert [r.url for r in details] == [detail_url(COMPANY, CHEF)]
    assert details[0].cb_kwargs["listed"]["name"] == "Chef de projet chatbot (H/F)"
    assert details[0].meta["handle_httpstatus_list"] == [404, 410]
    assert following.url == list_url(COMPANY, 100)
    assert following.cb_kwargs == {"slug": "basic_fit", "offset": 100}
    assert stat(spider, "smartrecruiters/off_topic") == 99


def test_last_page_is_partial_and_ends_the_feed():
    spider = make_spider(SmartRecruitersSpider)
    items, requests = page(spider, 200)
    assert items == []
    assert [r.url for r in requests] == [
        detail_url(COMPANY, CHARGE),
        detail_url(COMPANY, ALTERNANCE),
    ]
    assert stat(spider, "smartrecruiters/off_topic") == 35


def test_the_whole_feed_keeps_five_of_237():
    spider = make_spider(SmartRecruitersSpider)
    kept = []
    for offset in (0, 100, 200):
        kept += [r for r in page(spider, offset)[1] if "/postings/" in r.url]
    assert [r.url.rsplit("/", 1)[1] for r in kept] == [CHEF, PO, DESIGNER, CHARGE, ALTERNANCE]
    assert stat(spider, "smartrecruiters/off_topic") == 232


def test_other_terms_keep_other_postings():
    spider = make_spider(SmartRecruitersSpider, terms="coach sportif")
    _, requests = page(spider, 0)
    names = [r.cb_kwargs["listed"]["name"] for r in requests if "/postings/" in r.url]
    assert names and all("coach sportif" in name.lower() for name in names)


@pytest.mark.parametrize(
    "name, expected",
    [
        ("Chef de projet chatbot (H/F)", True),
        ("PRODUCT OWNER IA CONVERSATIONNELLE", True),
        ("Chargée de projet Chatbot", True),
        ("Coach sportif (H/F)", False),
        ("Manager de club (H/F)", False),
        ("Assistant manager de club (H/F)", False),
        (None, False),
    ],
)
def test_on_topic(name, expected):
    terms = ["chatbot", "IA conversationnelle", "assistant virtuel"]
    assert on_topic({"name": name}, terms) is expected


def test_on_topic_needs_a_posting():
    assert on_topic("chatbot", ["chatbot"]) is False
    assert on_topic(None, ["chatbot"]) is False


@pytest.mark.parametrize(
    "offset, count, total, expected",
    [
        (0, 100, 237, 100),
        (100, 100, 237, 200),
        (200, 37, 237, None),
        (0, 100, 100, None),
        (0, 0, 0, None),
        (100, 0, 237, None),  # an empty page ends the feed whatever the total says
        (0, 100, None, 100),
        (0, 40, None, None),
    ],
)
def test_next_offset(offset, count, total, expected):
    assert next_offset(offset, count, total) == expected


def test_an_on_topic_posting_without_id_is_rejected_an_off_topic_one_counted():
    spider = make_spider(SmartRecruitersSpider)
    body = json.dumps(
        {
            "offset": 0,
            "limit": 100,
            "totalFound": 3,
            "content": [{"name": "Chef de projet chatbot"}, {"name": "Coach"}, "oops"],
        }
    ).encode()
    response = fixture_response("", url=list_url(COMPANY, 0), body=body)
    out = list(spider.parse_list(response, slug="basic_fit", offset=0))
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["reason"] == "posting without an id"
    assert json.loads(out[0]["payload"]) == {"name": "Chef de projet chatbot"}
    assert stat(spider, "smartrecruiters/off_topic") == 2


def test_an_empty_feed_asks_for_nothing():
    spider = make_spider(SmartRecruitersSpider)
    body = b'{"offset": 0, "limit": 100, "totalFound": 0, "content": []}'
    response = fixture_response("", url=list_url(COMPANY, 0), body=body)
    assert list(spider.parse_list(response, slug="basic_fit", offset=0)) == []


# ---------------------------------------------------------------- one offer, field by field


def test_source_id(offers):
    assert offers[CHEF]["source_id"] == f"BasicFit/{CHEF}"


def test_url(offers):
    assert offers[CHEF]["url"] == (
        f"https://jobs.smartrecruiters.com/BasicFit/{CHEF}-chef-de-projet-chatbot-h-f"
    )
    # No detail: the public page built from the id.
    assert offers[CHARGE]["url"] == f"https://jobs.smartrecruiters.com/BasicFit/{CHARGE}"


def test_apply_url(offers):
    assert offers[CHEF]["apply_url"] == offers[CHEF]["url"] + "?oga=true"
    assert offers[CHARGE]["apply_url"] is None


def test_title(offers):
    assert offers[PO]["title"] == "Product Owner IA conversationnelle (H/F)"
    assert offers[CHARGE]["title"] == "Chargé de projet chatbot service client - CDD 12 mois (H/F)"


def test_company(offers):
    assert {item["company"] for item in offers.values()} == {"Basic-Fit"}


def test_company_falls_back_to_the_employer():
    assert offer_from_posting({"id": "1", "name": "Chatbot"}, BASIC_FIT)["company"] == "Basic-Fit"
    other = Employer("x", "Fit Club", "smartrecruiters", ids={"company": "FitClub"})
    assert offer_from_posting({"id": "1", "company": {}}, other)["company"] == "Fit Club"


def test_location(offers):
    assert offers[CHEF]["location"] == "Saint-Denis, Île-de-France, fr"
    assert offers[CHARGE]["location"] == "Lille, Hauts-de-France, fr"
    assert location_text({"country": "fr"}) == "fr"
    assert location_text({}) is None


def test_postal_code(offers):
    assert offers[CHEF]["postal_code"] == "93200"
    assert offers[CHARGE]["postal_code"] is None  # not stated for that one
    assert (
        offer_from_posting({"id": "1", "location": {"postalCode": 6000}}, BASIC_FIT)["postal_code"]
        == "06000"
    )


def test_remote(offers):
    assert offers[PO]["remote"] == "remote"
    assert offers[ALTERNANCE]["remote"] == "hybrid"
    assert offers[CHEF]["remote"] is None  # remote: false says nothing either way
    assert remote_text({"remote": "true"}) is None


def test_contract(offers):
    assert offers[CHEF]["contract"] == "Full-time"
    assert offers[CHARGE]["contract"] == "Temporary"
    assert offers[ALTERNANCE]["contract"] == "Internship"


def test_experience(offers):
    assert offers[CHEF]["experience"] == "Mid-Senior Level"
    assert offers[CHARGE]["experience"] == "Associate"


def test_description(offers):
    description = offers[CHEF]["description"]
    titles = ["Company Description", "Job Description", "Qualifications", "Additional Information"]
    positions = [description.index(f"<h2>{title}</h2>") for title in titles]
    assert positions == sorted(positions) and positions[0] == 0
    assert "400 000 adhérents" in description
    assert "45K à 55K €" in description
    assert offers[CHARGE]["description"] is None


def test_description_html():
    sections = {
        "additionalInformation": {"title": "A & B", "text": "<p>fin</p>"},
        "jobDescription": {"text": "<p>missions</p>"},
        "qualifications": {"title": "Profil", "text": "  "},
    }
    assert description_html(sections) == "<p>missions</p>\n<h2>A &amp; B</h2>\n<p>fin</p>"
    assert description_html({}) is None
    assert description_html("x") is None


def test_posted_at(offers):
    assert offers[CHEF]["posted_at"] == "2026-11-09T08:41:12.000Z"
    assert offers[CHARGE]["posted_at"] == "2026-11-13T07:30:00.000Z"


def test_the_detail_wins_over_the_list():
    item = offer_from_posting(
        {"id": "7", "name": "Old title", "location": {"city": "Lyon"}},
        BASIC_FIT,
        {"id": "7", "name": "New title", "location": {"city": "Nantes", "remote": True}},
    )
    assert (item["title"], item["location"], item["remote"]) == ("New title", "Nantes", "remote")


@pytest.mark.parametrize("item", ALL_ITEMS, ids=[i["source_id"] for i in ALL_ITEMS])
def test_every_item(item):
    assert not is_reject(item)
    assert item["source"] == SLUG
    assert set(item) <= set(RAW_FIELDS)
    assert "" not in item.values() and [] not in item.values()
    assert item["source_id"].startswith("BasicFit/7439999")
    assert item["url"].startswith(
        f"https://jobs.smartrecruiters.com/BasicFit/{item['source_id'][9:]}"
    )
    for key in ("title", "company", "location", "contract", "posted_at", "experience"):
        assert item[key] and item[key] == item[key].strip()
    assert item.get("salary") is None  # the API states none; the description may


def test_fixtures_hold_what_the_readme_says():
    assert len(ALL_ITEMS) == 4
    totals = [json.loads(replay_response(SLUG, e).text) for e in ENTRIES if "offset=" in e["url"]]
    assert [len(t["content"]) for t in totals] == [100, 100, 37]
    assert {t["totalFound"] for t in totals} == {237}
    assert [e["status"] for e in ENTRIES if "offset=" not in e["url"]] == [200, 200, 404, 500, 200]


@pytest.mark.parametrize(
    "data",
    [None, [], "posting", {"id": ["x"]}, {"name": "Chatbot"}],
)
def test_a_posting_without_id_makes_no_offer(data):
    assert offer_from_posting(data, BASIC_FIT) is None


@pytest.mark.parametrize(
    "listed_item, detail_data",
    [
        ({"id": "1", "location": "Paris", "company": "Basic-Fit"}, None),
        ({"id": 1, "typeOfEmployment": "CDI"}, {"jobAd": "texte", "postingUrl": 3}),
        ({"id": "1"}, {"jobAd": {"sections": [1, 2]}, "location": {"remote": 1}}),
        ({"id": "1", "releasedDate": 20261109, "experienceLevel": []}, []),
    ],
)
def test_odd_postings_never_raise(listed_item, detail_data):
    item = offer_from_posting(listed_item, BASIC_FIT, detail_data)
    assert item["source_id"] == "BasicFit/1"
    assert item["url"] == "https://jobs.smartrecruiters.com/BasicFit/1"
    assert item["company"] == "Basic-Fit"
    assert "" not in item.values()
    for key in ("location", "remote", "contract", "description", "apply_url"):
        assert item[key] is None


# ---------------------------------------------------------------- withdrawn, failures, blocks


def test_withdrawn_posting_is_logged_and_skipped(caplog):
    spider = make_spider(SmartRecruitersSpider)
    with caplog.at_level(logging.INFO):
        assert detail(spider, DESIGNER) == []
    assert any(
        r.levelno == logging.INFO and "withdrawn" in r.getMessage() and DESIGNER in r.getMessage()
        for r in caplog.records
    )
    assert not any(r.levelno >= logging.WARNING for r in caplog.records)
    assert stat(spider, "smartrecruiters/withdrawn") == 1


def test_a_failed_detail_leaves_the_list_item_and_an_error(caplog):
    spider = make_spider(SmartRecruitersSpider)
    assert entry_for(detail_url(COMPANY, CHARGE))["status"] == 500
    with caplog.at_level(logging.WARNING):
        items = failed_detail(spider, CHARGE, http_error(CHARGE, 500))
    assert [item["source_id"] for item in items] == [f"BasicFit/{CHARGE}"]
    assert items[0]["description"] is None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "HTTP 500" in errors[0] and CHARGE in errors[0]
    assert stat(spider, "smartrecruiters/failed_details") == 1


def test_a_detail_not_sent_still_leaves_the_list_item(caplog):
    spider = make_spider(SmartRecruitersSpider)
    with caplog.at_level(logging.WARNING):
        items = failed_detail(spider, CHARGE, IgnoreRequest("robots.txt"))
    assert len(items) == 1
    assert not any(r.levelno >= logging.ERROR for r in caplog.records)
    assert stat(spider, "smartrecruiters/failed_details") is None


def test_an_unreadable_detail_leaves_the_list_item(caplog):
    spider = make_spider(SmartRecruitersSpider)
    url = detail_url(COMPANY, CHEF)
    response = fixture_response("", url=url, body=b"<html>Maintenance</html>")
    with caplog.at_level(logging.WARNING):
        items = list(spider.parse_detail(response, slug="basic_fit", listed=listed(CHEF)))
    assert len(items) == 1
    assert items[0]["title"] == "Chef de projet chatbot (H/F)"
    assert items[0]["description"] is None
    assert any("kept from the list alone" in r.getMessage() for r in caplog.records)


def test_a_failed_page_is_an_error(caplog):
    spider = make_spider(SmartRecruitersSpider)
    request = start(spider)[0]
    response = fixture_response("", url=request.url, status=503, body=b"")
    wrapped = failure_for(request, HttpError(response, "Ignoring non-200 response"))
    with caplog.at_level(logging.ERROR):
        spider.list_failed(wrapped)
    assert any("HTTP 503" in r.getMessage() for r in caplog.records)
    assert stat(spider, "smartrecruiters/failed_pages") == 1


def test_a_403_stops_the_source():
    spider = make_spider(SmartRecruitersSpider)
    response = fixture_response(
        "smartrecruiters/forbidden_403.json", url=list_url(COMPANY, 0), status=403
    )
    with pytest.raises(CloseSpider) as stopped:
        list(spider.parse_list(response, slug="basic_fit", offset=0))
    assert stopped.value.reason == "blocked"
    assert stat(spider, "botjobs/status") == "blocked"
    assert "HTTP 403" in stat(spider, "botjobs/message")
    assert "Basic-Fit" in stat(spider, "botjobs/message")


def test_changed_layout_is_a_reject_then_a_stop():
    spider = make_spider(SmartRecruitersSpider)
    response = fixture_response("smartrecruiters/layout_changed.json", url=list_url(COMPANY, 0))
    out, stopped = until_stop(spider.parse_list(response, slug="basic_fit", offset=0))
    assert stopped.reason == "layout-changed"
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["reason"] == "postings answer has no 'content' list"
    assert out[0]["payload"] == response.text
    assert stat(spider, "botjobs/status") == "layout-changed"


@pytest.mark.parametrize(
    "body, layout",
    [
        ('{"totalFound": 3}', True),
        ('{"content": {"id": "1"}}', True),
        ("[]", False),
        ("", False),
    ],
)
def test_parse_list_errors(body, layout):
    with pytest.raises(FeedError) as error:
        parse_list(body)
    assert error.value.layout is layout


def test_an_unreadable_page_is_one_reject_without_a_stop():
    spider = make_spider(SmartRecruitersSpider)
    response = fixture_response("", url=list_url(COMPANY, 0), body=b"<html>502</html>")
    out = list(spider.parse_list(response, slug="basic_fit", offset=0))
    assert len(out) == 1 and "not valid JSON" in out[0]["reason"]
    assert stat(spider, "botjobs/status") is None


def test_employers_and_domains():
    spider = make_spider(SmartRecruitersSpider)
    assert [e.slug for e in spider.employers] == ["basic_fit"]
    assert spider.allowed_domains == ["api.smartrecruiters.com"]
    assert start(make_spider(SmartRecruitersSpider, employer="axa")) == []


# ---------------------------------------------------------------- the manifest covers the crawl


def test_manifest_covers_every_request_of_a_default_replay():
    """Play the crawl by hand: every request the spider makes has a recorded answer."""
    walk = walk_crawl(make_spider(SmartRecruitersSpider, REPLAY_SETTINGS))
    assert walk.unused() == [], "fixtures never used"
    assert len(walk.sent) == 8
    assert [status for _, status in walk.answers].count(500) == 1
    assert sorted(item["source_id"] for item in walk.items) == sorted(
        f"BasicFit/{i}" for i in (CHEF, PO, CHARGE, ALTERNANCE)
    )


def test_offline_crawl_end_to_end(tmp_path):
    """The real command with the replay middleware, in a child process (a reactor per run)."""
    path = tmp_path / "x.db"
    done = crawl_offline(path, SLUG, "-q")
    assert done.returncode == 0, done.stderr
    assert CHARGE in done.stderr  # the detail answering 500 is reported
    run = crawl_run(path, SLUG)
    # 4 offers (the withdrawn one is not); the detail answering 500 is the one error.
    assert (run["items"], run["new"], run["rejects"]) == (4, 4, 0)
    assert (run["errors"], run["status"], run["mode"]) == (1, "partial", "offline")
    db = open_db(str(path))
    try:
        stored = {row["source_id"]: row for row in db["offers"].rows_where("source = ?", [SLUG])}
        assert set(stored) == {f"BasicFit/{i}" for i in (CHEF, PO, CHARGE, ALTERNANCE)}
        assert stored[f"BasicFit/{CHEF}"]["title"] == "Chef de projet chatbot (H/F)"
        assert "Dialogflow CX" in stored[f"BasicFit/{CHEF}"]["description"]
        assert stored[f"BasicFit/{CHARGE}"]["description"] is None
    finally:
        db.close()
