"""Workday spider: searches, paging, one detail per posting, offers, failures, offline."""

from __future__ import annotations

import json
import logging

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import FeedError
from spiders.employers import Employer
from spiders.search_terms import search_terms
from spiders.workday import (
    MAX_OFFSET,
    PAGE_SIZE,
    WorkdaySpider,
    detail_url,
    error_text,
    location_text,
    next_offset,
    offer_from_detail,
    parse_search,
    search_body,
    search_url,
)
from tests.helpers import (
    REPLAY_SETTINGS,
    crawl_offline,
    crawl_run,
    failure_for,
    fixture_response,
    http_failure,
    make_spider,
    manifest_entries,
    replay_response,
    split,
    start,
    stat,
    until_stop,
    walk_crawl,
)

SLUG = "workday"
ENTRIES = manifest_entries(SLUG)
HOST = "axa.wd3.myworkdayjobs.com"
CAREERS = search_url(HOST, "axa", "AXA_Careers")
PARTNERS = search_url(HOST, "axa", "AXA_Partners")
AXA = Employer("axa", "AXA", "workday", ids={"host": HOST, "tenant": "axa", "site": "AXA_Careers"})


# ---------------------------------------------------------------- helpers


def search_entry(url: str, term: str, offset: int = 0) -> dict:
    found = [
        e
        for e in ENTRIES
        if e["method"] == "POST"
        and e["url"] == url
        and e["body"]["searchText"] == term
        and e["body"]["offset"] == offset
    ]
    assert len(found) == 1, f"no single manifest entry for {term!r} at {offset}"
    return found[0]


def search(spider: WorkdaySpider, slug: str, url: str, term: str, offset: int = 0, total=None):
    response = replay_response(SLUG, search_entry(url, term, offset))
    return split(spider.parse_search(response, slug=slug, term=term, offset=offset, total=total))


def detail_entries(status: int = 200) -> list[dict]:
    return [e for e in ENTRIES if e["method"] == "GET" and e["status"] == status]


def path_of(url: str) -> str:
    return "/job/" + url.split("/job/", 1)[1]


def parse_detail(spider: WorkdaySpider, entry: dict, listed=None) -> list:
    slug = "axa_partners" if "/AXA_Partners/" in entry["url"] else "axa"
    response = replay_response(SLUG, entry)
    return list(spider.parse_detail(response, slug=slug, path=path_of(entry["url"]), listed=listed))


def all_items() -> list[dict]:
    spider = make_spider(WorkdaySpider)
    items: list[dict] = []
    for entry in detail_entries():
        items += parse_detail(spider, entry)
    return items


ALL_ITEMS = all_items()


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    """Every offer by source_id; the AXA Careers copy of the shared requisition is kept."""
    found: dict[str, dict] = {}
    for item in ALL_ITEMS:
        found.setdefault(item["source_id"], item)
    return found


# ---------------------------------------------------------------- the searches asked for


def test_every_employer_is_searched_for_every_term():
    requests = start(make_spider(WorkdaySpider))
    terms = search_terms()
    assert len(requests) == 2 * len(terms) == 24
    assert [r.url for r in requests] == [CAREERS] * len(terms) + [PARTNERS] * len(terms)
    assert [json.loads(r.body)["searchText"] for r in requests[: len(terms)]] == terms
    for request in requests:
        assert request.method == "POST"
        assert request.headers["Content-Type"] == b"application/json"
        assert json.loads(request.body) == search_body(request.cb_kwargs["term"], 0)
        assert request.cb_kwargs["offset"] == 0 and request.cb_kwargs["total"] is None
        assert request.meta["handle_httpstatus_list"] == [400, 422, 403]


def test_search_body_asks_for_twenty():
    assert search_body("chatbot", 40) == {
        "appliedFacets": {},
        "limit": 20,
        "offset": 40,
        "searchText": "chatbot",
    }
    assert PAGE_SIZE == 20


def test_one_employer_and_other_terms():
    spider = make_spider(WorkdaySpider, employer="axa_partners", terms="rasa, voicebot")
    requests = start(spider)
    assert [r.url for r in requests] == [PARTNERS, PARTNERS]
    assert [json.loads(r.body)["searchText"] for r in requests] == ["rasa", "voicebot"]
    assert spider.allowed_domains == [HOST]


def test_unknown_employer_is_reported(caplog):
    with caplog.at_level(logging.ERROR):
        spider = make_spider(WorkdaySpider, employer="axa,basic_fit,nobody")
    assert [e.slug for e in spider.employers] == ["axa"]
    assert any("basic_fit, nobody" in r.getMessage() for r in caplog.records)


def test_an_employer_without_its_site_id_is_skipped(tmp_path, caplog):
    data = tmp_path / "employers.toml"
    data.write_text(
        "[employers]\n"
        'a = { name = "A", platform = "workday", host = "a.wd1.myworkdayjobs.com", tenant = "a" }\n'
        'b = { name = "B", platform = "workday", host = "b.wd5.myworkdayjobs.com", tenant = "b",'
        ' site = "External" }\n',
        encoding="utf-8",
    )
    with caplog.at_level(logging.ERROR):
        requests = start(make_spider(WorkdaySpider, employers_file=str(data), terms="chatbot"))
    assert [r.url for r in requests] == ["https://b.wd5.myworkdayjobs.com/wday/cxs/b/External/jobs"]
    assert any("'a'" in r.getMessage() and "site" in r.getMessage() for r in caplog.records)


# ---------------------------------------------------------------- paging and details


def test_first_page_asks_for_every_detail_and_the_next_page():
    spider = make_spider(WorkdaySpider)
    items, requests = search(spider, "axa", CAREERS, "chatbot")
    assert items == []
    details, following = requests[:-1], requests[-1]
    assert len(details) == 20
    assert details[0].url == (
        f"https://{HOST}/wday/cxs/axa/AXA_Careers/job/Nanterre/Chef-de-projet-Chatbot--H-F-_JR00131207"
    )
    assert all(r.method == "GET" and r.callback == spider.parse_detail for r in details)
    assert all(r.meta["handle_httpstatus_list"] == [404, 410] for r in details)
    assert details[1].cb_kwargs["listed"]["locationsText"] == "2 Locations"
    assert following.url == CAREERS
    assert json.loads(following.body) == search_body("chatbot", 20)
    assert following.cb_kwargs == {"slug": "axa", "term": "chatbot", "offset": 20, "total": 23}


def test_last_page_keeps_the_first_pages_total():
    # Workday says "total": 0 after the first page; the first page's 23 still holds.
    spider = make_spider(WorkdaySpider)
    body = json.loads(replay_response(SLUG, search_entry(CAREERS, "chatbot", 20)).text)
    assert body["total"] == 0
    items, requests = search(spider, "axa", CAREERS, "chatbot", offset=20, total=23)
    assert items == []
    assert len(requests) == 3
    assert all(r.method == "GET" for r in requests)


def test_empty_result_asks_for_nothing():
    spider = make_spider(WorkdaySpider)
    assert search(spider, "axa", CAREERS, "bot designer") == ([], [])
    assert search(spider, "axa_partners", PARTNERS, "voicebot") == ([], [])


def test_a_posting_found_by_several_terms_is_asked_for_once():
    spider = make_spider(WorkdaySpider)
    _, first = search(spider, "axa", CAREERS, "chatbot")
    _, again = search(spider, "axa", CAREERS, "agent conversationnel")
    _, more = search(spider, "axa", CAREERS, "IA conversationnelle")
    assert again == []
    assert [r.cb_kwargs["listed"]["title"] for r in more] == [
        "Ingénieur IA conversationnelle (H/F)"
    ]
    assert stat(spider, "workday/repeated_postings") == 4
    # Another site of the same tenant is another page: asked for too.
    _, partners = search(spider, "axa_partners", PARTNERS, "chatbot")
    assert len(partners) == 3
    assert {r.url for r in first}.isdisjoint(r.url for r in partners)


@pytest.mark.parametrize(
    "offset, count, total, expected",
    [
        (0, 20, 23, 20),
        (20, 3, 23, None),
        (0, 20, 20, None),
        (0, 3, 3, None),
        (0, 0, 0, None),
        (20, 0, 23, None),  # a short board: an empty page ends it whatever the total
        (0, 20, None, 20),  # no total: a full page hints at more
        (0, 7, None, None),
        (1960, 20, 5000, 1980),
        (1980, 20, 5000, None),  # past 2000 Workday serves the first page again
    ],
)
def test_next_offset(offset, count, total, expected):
    assert next_offset(offset, count, total) == expected


def test_a_board_past_the_paging_cap_is_reported(caplog):
    spider = make_spider(WorkdaySpider)
    body = json.dumps({"total": 4100, "jobPostings": []}).encode()
    response = fixture_response("", url=CAREERS, body=body, method="POST")
    with caplog.at_level(logging.WARNING):
        out = list(spider.parse_search(response, slug="axa", term="data", offset=0, total=None))
    assert out == []
    warning = next(r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
    assert "4100" in warning and str(MAX_OFFSET) in warning and "'data'" in warning


# ---------------------------------------------------------------- one offer, field by field


def test_source_id(offers):
    assert offers["axa/JR00131207"]["source_id"] == "axa/JR00131207"
    # No jobReqId: the path names it.
    path_id = "axa//job/Paris/Conversational-AI-Engineer--F-M-_JR00131377"
    assert offers[path_id]["title"] == "Conversational AI Engineer (F/M)"


def test_url(offers):
    assert offers["axa/JR00130554"]["url"] == (
        f"https://{HOST}/AXA_Careers/job/Paris-La-Dfense/Product-Owner-Assistant-Virtuel--H-F-_JR00130554"
    )
    # No externalUrl: the career site's page is built from the path.
    assert offers["axa/JR00130390"]["url"] == (
        f"https://{HOST}/AXA_Careers/job/Marly-le-Roi/Charg-de-projet-Callbot--H-F-_JR00130390"
    )


def test_title(offers):
    assert offers["axa/JR00131207"]["title"] == "Chef de projet Chatbot (H/F)"
    assert offers["axa/JR00127310"]["title"] == "Chargé d'études Assistant virtuel (H/F)"


def test_company(offers):
    assert offers["axa/JR00131207"]["company"] == "AXA France"
    assert offers["axa/JR00130126"]["company"] == "AXA Partners"
    path_id = "axa//job/Paris/Conversational-AI-Engineer--F-M-_JR00131377"
    assert offers[path_id]["company"] == "AXA Group Operations"


def test_company_falls_back_to_the_employer():
    data = {"jobPostingInfo": {"title": "Chef de projet chatbot"}, "hiringOrganization": {}}
    assert offer_from_detail(data, AXA, "/job/x_JR1")["company"] == "AXA"


def test_location(offers):
    assert offers["axa/JR00131207"]["location"] == "Nanterre"
    assert offers["axa/JR00130554"]["location"] == "Paris La Défense / Lyon"
    assert offers["axa/JR00127310"]["location"] == "Montrouge / Lyon"


def test_location_falls_back_to_the_list():
    assert location_text({}, {"locationsText": "2 Locations"}) == "2 Locations"
    assert location_text({"location": "Lyon", "additionalLocations": ["Lyon", 3]}) == "Lyon"
    assert location_text(None) is None


def test_contract_is_the_time_type(offers):
    assert offers["axa/JR00131207"]["contract"] == "Full time"
    assert offers["axa/JR00127310"]["contract"] == "Temps plein"


def test_remote(offers):
    assert offers["axa/JR00131207"]["remote"] == "Hybrid"
    assert offers["axa/JR00130126"]["remote"] == "Hybride"
    assert offers["axa/JR00131488"]["remote"] is None


def test_description(offers):
    description = offers["axa/JR00131207"]["description"]
    assert description.startswith("<p><b>Votre environnement</b></p>")
    assert "Dialogflow CX" in description
    assert "52 000 € à 58 000 € brut annuel" in description
    assert "<li>" in offers["axa/JR00130126"]["description"]


def test_posted_at(offers):
    assert offers["axa/JR00131207"]["posted_at"] == "2026-11-12"
    assert offers["axa/JR00128306"]["posted_at"] == "2026-10-02"
    # No startDate: the relative text as given.
    assert offers["axa/JR00130390"]["posted_at"] == "Posted 8 Days Ago"


def test_posted_at_and_title_fall_back_to_the_list():
    listed = {"title": "Chef de projet chatbot", "postedOn": "Publié il y a 3 jours"}
    item = offer_from_detail({"jobPostingInfo": {}}, AXA, "/job/Paris/x_JR9", listed)
    assert item["title"] == "Chef de projet chatbot"
    assert item["posted_at"] == "Publié il y a 3 jours"
    assert item["url"] == f"https://{HOST}/AXA_Careers/job/Paris/x_JR9"


def test_one_requisition_on_two_sites_is_one_offer():
    shared = [item for item in ALL_ITEMS if item["source_id"] == "axa/JR00131207"]
    assert len(shared) == 2
    assert {item["url"].split("/")[3] for item in shared} == {"AXA_Careers", "AXA_Partners"}


@pytest.mark.parametrize("item", ALL_ITEMS, ids=[i["url"].rsplit("_", 1)[-1] for i in ALL_ITEMS])
def test_every_item(item):
    assert not is_reject(item)
    assert item["source"] == SLUG
    assert set(item) <= set(RAW_FIELDS)
    assert "" not in item.values() and [] not in item.values()
    assert item["source_id"].startswith("axa/")
    assert item["url"].startswith(f"https://{HOST}/AXA_")
    assert "/wday/cxs/" not in item["url"]
    for key in ("title", "company", "location", "contract", "description", "posted_at"):
        assert item[key] and item[key] == item[key].strip()
    assert item.get("salary") is None  # Workday states none; the description may


def test_fixtures_hold_what_the_readme_says():
    assert len(ALL_ITEMS) == 29
    assert len({item["source_id"] for item in ALL_ITEMS}) == 28
    assert len(detail_entries(404)) == 1
    assert sum(1 for e in ENTRIES if e["method"] == "POST") == 25
    assert sum(1 for e in ENTRIES if e["method"] == "POST" and e["status"] == 500) == 1


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "posting",
        {"jobPostingInfo": None},
        {"jobPostingInfo": {"title": ["x"], "location": {"a": 1}, "additionalLocations": "Lyon"}},
        {"jobPostingInfo": {"externalUrl": "javascript:alert(1)", "jobReqId": 42}},
        {"hiringOrganization": "AXA", "jobPostingInfo": {"startDate": 20261112}},
    ],
)
def test_odd_details_never_raise(data):
    item = offer_from_detail(data, AXA, "/job/Paris/x_JR1")
    assert item["source"] == SLUG
    assert "" not in item.values()
    assert item["url"].startswith(f"https://{HOST}/AXA_Careers/job/")
    assert item["company"] == "AXA"
    assert item["location"] is None


# ---------------------------------------------------------------- withdrawn, failures, blocks


def test_withdrawn_posting_is_logged_and_skipped(caplog):
    spider = make_spider(WorkdaySpider)
    entry = detail_entries(404)[0]
    with caplog.at_level(logging.INFO):
        assert parse_detail(spider, entry) == []
    assert any(
        r.levelno == logging.INFO
        and "withdrawn" in r.getMessage()
        and entry["url"] in r.getMessage()
        for r in caplog.records
    )
    assert not any(r.levelno >= logging.WARNING for r in caplog.records)
    assert stat(spider, "workday/withdrawn") == 1


def test_search_answering_500_is_an_error(caplog):
    spider = make_spider(WorkdaySpider)
    request = next(
        r for r in start(spider) if r.cb_kwargs["term"] == "assistant virtuel" and r.url == CAREERS
    )
    assert search_entry(CAREERS, "assistant virtuel")["status"] == 500
    with caplog.at_level(logging.ERROR):
        assert spider.search_failed(http_failure(request, 500)) is None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "'assistant virtuel'" in errors[0] and "HTTP 500" in errors[0] and "axa" in errors[0]
    assert stat(spider, "workday/failed_searches") == 1


def test_search_timeout_is_an_error(caplog):
    spider = make_spider(WorkdaySpider)
    request = start(spider)[0]
    with caplog.at_level(logging.ERROR):
        spider.search_failed(failure_for(request, TimeoutError("took too long")))
    assert any("took too long" in r.getMessage() for r in caplog.records)


def test_refused_search_logs_what_workday_said(caplog):
    spider = make_spider(WorkdaySpider)
    response = fixture_response("workday/refused_400.json", url=CAREERS, status=400, method="POST")
    with caplog.at_level(logging.ERROR):
        out = list(spider.parse_search(response, slug="axa", term="chatbot", offset=0, total=None))
    assert out == []
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "limit must be between 1 and 20" in errors[0] and "HTTP 400" in errors[0]
    assert stat(spider, "workday/refused_searches") == 1
    assert stat(spider, "botjobs/status") is None


def test_error_text():
    assert error_text('{"errorCode": "HTTP_422"}') == "HTTP_422"
    assert error_text("<html>\n  Bad   request</html>") == "<html> Bad request</html>"
    assert error_text("") == "(empty body)"
    assert len(error_text("x" * 1000)) == 300


def test_a_403_wall_stops_the_source():
    spider = make_spider(WorkdaySpider)
    response = fixture_response(
        "workday/blocked_403.html",
        url=CAREERS,
        status=403,
        method="POST",
        headers={"Content-Type": "text/html"},
    )
    with pytest.raises(CloseSpider) as stopped:
        list(spider.parse_search(response, slug="axa", term="chatbot", offset=0, total=None))
    assert stopped.value.reason == "blocked"
    assert stat(spider, "botjobs/status") == "blocked"
    message = stat(spider, "botjobs/message")
    assert "HTTP 403" in message and "AXA" in message and "later" in message


def test_changed_layout_is_a_reject_then_a_stop():
    spider = make_spider(WorkdaySpider)
    response = fixture_response("workday/layout_changed.json", url=CAREERS, method="POST")
    out, stopped = until_stop(
        spider.parse_search(response, slug="axa", term="chatbot", offset=0, total=None)
    )
    assert stopped.reason == "layout-changed"
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["reason"] == "search answer has no 'jobPostings' list"
    assert out[0]["payload"] == response.text
    assert out[0]["url"] == CAREERS
    assert stat(spider, "botjobs/status") == "layout-changed"
    assert "jobPostings" in stat(spider, "botjobs/message")


@pytest.mark.parametrize(
    "body, layout",
    [
        ('{"total": 3}', True),
        ('{"total": 3, "jobPostings": null}', True),
        ("[]", False),
        ("<html>Workday is currently unavailable</html>", False),
    ],
)
def test_parse_search_errors(body, layout):
    with pytest.raises(FeedError) as error:
        parse_search(body)
    assert error.value.layout is layout


def test_parse_search_total():
    assert parse_search('{"total": 23, "jobPostings": []}') == (23, [])
    assert parse_search('{"jobPostings": []}') == (None, [])
    assert parse_search('{"total": -1, "jobPostings": []}') == (None, [])


def test_a_maintenance_page_is_one_reject_without_a_stop(caplog):
    spider = make_spider(WorkdaySpider)
    body = b"<html><body>Workday is currently unavailable.</body></html>"
    response = fixture_response("", url=CAREERS, body=body, method="POST")
    with caplog.at_level(logging.ERROR):
        out = list(spider.parse_search(response, slug="axa", term="chatbot", offset=0, total=None))
    assert len(out) == 1 and is_reject(out[0])
    assert "not valid JSON" in out[0]["reason"]
    assert stat(spider, "botjobs/status") is None
    assert any(CAREERS in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_a_detail_without_its_posting_stops_the_source():
    spider = make_spider(WorkdaySpider)
    url = detail_url(HOST, "axa", "AXA_Careers", "/job/Paris/x_JR1")
    response = fixture_response("", url=url, body=b'{"similarJobs": []}')
    out, _ = until_stop(
        spider.parse_detail(response, slug="axa", path="/job/Paris/x_JR1", listed={})
    )
    assert len(out) == 1 and out[0]["reason"] == "detail answer has no 'jobPostingInfo' object"
    assert stat(spider, "botjobs/status") == "layout-changed"


def test_a_detail_that_failed_is_an_error(caplog):
    spider = make_spider(WorkdaySpider)
    request = Request(detail_url(HOST, "axa", "AXA_Careers", "/job/Paris/x_JR1"))
    with caplog.at_level(logging.ERROR):
        spider.detail_failed(http_failure(request, 503))
    assert any("HTTP 503" in r.getMessage() for r in caplog.records)
    assert stat(spider, "workday/failed_details") == 1


@pytest.mark.parametrize(
    "posting", [{"title": "Chatbot"}, {"externalPath": "https://evil.example/job"}, None, "x"]
)
def test_a_posting_without_a_path_is_rejected(posting):
    spider = make_spider(WorkdaySpider)
    body = json.dumps({"total": 1, "jobPostings": [posting]}).encode()
    response = fixture_response("", url=CAREERS, body=body, method="POST")
    out = list(spider.parse_search(response, slug="axa", term="chatbot", offset=0, total=None))
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["reason"] == "posting without a usable externalPath"
    assert out[0]["payload"] == json.dumps(posting, ensure_ascii=False)


# ---------------------------------------------------------------- the manifest covers the crawl


def test_manifest_covers_every_request_of_a_default_replay():
    """Play the crawl by hand: every request the spider makes has a recorded answer."""
    walk = walk_crawl(make_spider(WorkdaySpider, REPLAY_SETTINGS))
    assert walk.unused() == [], "fixtures never used"
    gets = [url for method, url, _, _ in walk.sent if method == "GET"]
    assert len(gets) == len(set(gets)) == 30
    assert [status for method, _, _, status in walk.sent if method == "POST"].count(500) == 1
    assert len([s for m, _, _, s in walk.sent if m == "POST"]) == 25
    assert len(walk.items) == 29 and not any(is_reject(item) for item in walk.items)
    # Found again by another term: 10 on AXA Careers, 1 on AXA Partners.
    assert stat(walk.spider, "workday/repeated_postings") == 11


def test_offline_crawl_end_to_end(tmp_path):
    """The real command with the replay middleware, in a child process (a reactor per run)."""
    path = tmp_path / "x.db"
    done = crawl_offline(path, SLUG, "-q")
    assert done.returncode == 0, done.stderr
    assert "assistant virtuel" in done.stderr  # the failed search is reported
    run = crawl_run(path, SLUG)
    # 29 offers, one requisition on two sites; the search answering 500 is the one error.
    assert (run["items"], run["new"], run["updated"] + run["unchanged"]) == (29, 28, 1)
    assert (run["rejects"], run["errors"], run["status"]) == (0, 1, "partial")
    assert run["mode"] == "offline"
    db = open_db(str(path))
    try:
        assert db["offers"].count_where("source = ?", [SLUG]) == 28
        chef = next(db["offers"].rows_where("source_id = ?", ["axa/JR00131207"]))
        assert chef["title"] == "Chef de projet Chatbot (H/F)"
        assert chef["company"] == "AXA France"
        assert "Dialogflow CX" in chef["description"]
    finally:
        db.close()
