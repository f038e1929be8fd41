"""LinkedIn spider: cards, details, paging, refusals and layout changes, fixture coverage, offline."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlsplit

import pytest
from parsel import Selector
from scrapy.exceptions import CloseSpider, IgnoreRequest

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import BLOCKED, LAYOUT_CHANGED
from spiders.linkedin import (
    MAX_START,
    LinkedInSpider,
    cards_in,
    detail_url,
    is_empty_fragment,
    job_id,
    next_start,
    offer_from_card,
    offer_url,
    read_detail,
    search_of,
    search_url,
    with_detail,
)
from spiders.search_terms import search_terms
from tests.helpers import (
    REPLAY_SETTINGS,
    crawl_offline,
    crawl_run,
    failure_for,
    fixture_response,
    http_failure,
    make_spider,
    manifest_entries,
    patched_fixtures,
    replay_response,
    split,
    start,
    stat,
    until_stop,
    walk_crawl,
)

SLUG = "linkedin"
ENTRIES = manifest_entries(SLUG)
HTML = {"Content-Type": "text/html;charset=utf-8"}


# ---------------------------------------------------------------- helpers


def entry(term: str, start: int = 0) -> dict:
    for e in ENTRIES:
        if "/search?" not in e["url"]:
            continue
        params = dict(parse_qsl(urlsplit(e["url"]).query))
        if params["keywords"] == term and params["start"] == str(start):
            return e
    raise AssertionError(f"no manifest entry for {term!r} start={start}")


def detail_entry(job: str) -> dict:
    return next(e for e in ENTRIES if e["url"] == detail_url(job))


WALK = walk_crawl(make_spider(LinkedInSpider))
PLAYED = WALK.items
OFFERS = WALK.offers


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    return {item["source_id"]: item for item in OFFERS}


@pytest.fixture(scope="module")
def cards() -> dict[str, dict]:
    """The offers as the cards alone say them, from every recorded search page."""
    found: dict[str, dict] = {}
    for e in ENTRIES:
        if "/search?" in e["url"] and e.get("file"):
            for card in cards_in(replay_response(SLUG, e).text):
                offer = offer_from_card(card)
                found.setdefault(offer["source_id"], offer)
    return found


# ---------------------------------------------------------------- the spider's face


def test_opt_in_about_and_politeness():
    assert LinkedInSpider.opt_in is True
    assert LinkedInSpider.name == "linkedin"
    assert "LinkedIn" in LinkedInSpider.about and "\n" not in LinkedInSpider.about
    spider = make_spider(LinkedInSpider)
    assert spider.settings.getfloat("DOWNLOAD_DELAY") == 5.0
    assert spider.settings.getint("CONCURRENT_REQUESTS_PER_DOMAIN") == 1


def test_one_first_page_per_default_term():
    requests = start(make_spider(LinkedInSpider))
    assert [r.url for r in requests] == [search_url(term, 0) for term in search_terms()]
    assert len(requests) == 12
    for request in requests:
        assert request.callback.__name__ == "parse_search"
        assert request.errback.__name__ == "search_failed"
        assert set(request.meta["handle_httpstatus_list"]) == {429, 999}


def test_search_url_is_fixed_and_ordered():
    assert search_url("chef de projet chatbot", 25) == (
        "https://www.linkedin.com/jobs-guest/jobs/api/seeMoreJobPostings/search"
        "?keywords=chef+de+projet+chatbot&location=France&geoId=105015875&f_TPR=r604800&start=25"
    )
    assert search_of(search_url("chef de projet chatbot", 25)) == ("chef de projet chatbot", 25)


def test_terms_argument_overrides_the_list():
    spider = make_spider(LinkedInSpider, terms="rasa,botpress")
    assert [search_of(u)[0] for u in spider.first_page_urls()] == ["rasa", "botpress"]


# ---------------------------------------------------------------- the search page


def test_first_chatbot_page_asks_a_detail_per_card_and_the_next_page():
    spider = make_spider(LinkedInSpider)
    page = entry("chatbot", 0)
    items, requests = split(spider.parse_search(replay_response(SLUG, page)))
    details = [r for r in requests if "/jobPosting/" in r.url]
    searches = [r for r in requests if "/search?" in r.url]
    assert len(cards_in(replay_response(SLUG, page).text)) == 25
    assert len(details) == 24
    assert details[0].url == "https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/4012345678"
    assert details[0].cb_kwargs["card"]["title"] == "Chargé de projet chatbot (H/F)"
    assert set(details[0].meta["handle_httpstatus_list"]) == {404, 410, 429, 999}
    assert [search_of(r.url) for r in searches] == [("chatbot", 25)]
    # The card without any id.
    assert len(items) == 1 and is_reject(items[0])
    assert items[0]["reason"] == "job card without a job id"
    assert "Chargé de contenus chatbot" in items[0]["payload"]
    assert items[0]["payload"].lstrip().startswith("<div")


def test_source_id(cards):
    assert cards["4012345678"]["source_id"] == "4012345678"
    # No data-entity-urn: the id at the end of the job link.
    assert cards["4012345790"]["source_id"] == "4012345790"


def test_url_has_no_tracking(cards):
    assert cards["4012345678"]["url"] == (
        "https://fr.linkedin.com/jobs/view/charge-de-projet-chatbot-h-f-at-helvia-assurances-4012345678"
    )
    assert all("?" not in card["url"] for card in cards.values())


def test_title(cards):
    assert cards["4012345678"]["title"] == "Chargé de projet chatbot (H/F)"
    assert cards["4012346077"]["title"] == "Senior Product Manager, Conversational AI"
    assert cards["4012345839"]["title"] is None  # no h3 on the card


def test_company(cards):
    assert cards["4012345678"]["company"] == "Helvia Assurances"  # inside a link
    assert cards["4012345925"]["company"] == "Télécom Bretagne Services"  # bare text


def test_location(cards):
    assert cards["4012345678"]["location"] == "Paris, Île-de-France, France"
    assert cards["4012345925"]["location"] == "Région de Paris"
    assert cards["4012346077"]["location"] == "France"


def test_salary(cards):
    assert cards["4012345678"]["salary"] == "€54,400.00/yr - €72,533.33/yr"
    assert cards["4012345702"]["salary"] == "€36K/yr - €42K/yr"
    assert cards["4012345733"]["salary"] is None


def test_posted_at(cards):
    assert cards["4012345678"]["posted_at"] == "2026-11-13"
    assert cards["4012345733"]["posted_at"] == "2026-11-15"  # the "--new" variant
    assert cards["4012346077"]["posted_at"] is None  # no time element


def test_card_says_nothing_of_the_rest(cards):
    for card in cards.values():
        assert set(card) <= set(RAW_FIELDS)
        assert card["description"] is None and card["contract"] is None
        assert card["experience"] is None


@pytest.mark.parametrize(
    "html, expected",
    [
        ('<div class="base-search-card" data-entity-urn="urn:li:jobPosting:123456"></div>', "123456"),
        ('<div class="base-search-card"><div data-entity-urn="urn:li:jobPosting:777777"></div></div>',
         "777777"),
        ('<div class="base-search-card"><a class="base-card__full-link" '
         'href="https://fr.linkedin.com/jobs/view/chef-at-x-4099999999?position=1"></a></div>',
         "4099999999"),
        ('<div class="base-search-card"><a href="https://www.linkedin.com/jobs/view/4099999998/">'
         "</a></div>", "4099999998"),
        ('<div class="base-search-card" data-entity-urn="urn:li:company:42"></div>', None),
        ('<div class="base-search-card"><a href="https://fr.linkedin.com/jobs/view/chef-at-x"></a>'
         "</div>", None),
    ],
)  # fmt: skip
def test_job_id(html, expected):
    assert job_id(Selector(text=html).css(".base-search-card")[0]) == expected


@pytest.mark.parametrize(
    "link, job, expected",
    [
        ("https://fr.linkedin.com/jobs/view/x-1?position=1&trackingId=a", "1",
         "https://fr.linkedin.com/jobs/view/x-1"),
        (None, "42", "https://www.linkedin.com/jobs/view/42"),
        ("https://evil.example/jobs/view/42", "42", "https://www.linkedin.com/jobs/view/42"),
        ("javascript:void(0)", "42", "https://www.linkedin.com/jobs/view/42"),
        (None, None, None),
    ],
)  # fmt: skip
def test_offer_url(link, job, expected):
    assert offer_url(link, job) == expected


def test_an_empty_card_never_raises():
    offer = offer_from_card(Selector(text='<div class="base-search-card"></div>').css("div")[0])
    assert offer["source"] == "linkedin"
    assert all(value is None for key, value in offer.items() if key != "source")


# ---------------------------------------------------------------- the detail page


def test_detail_adds_description_and_criteria(offers):
    offer = offers["4012345678"]
    assert offer["description"].startswith("<p>Au sein de la direction Relation Client Digitale")
    assert "<li>Piloter la roadmap du chatbot</li>" in offer["description"]
    assert "Voir plus" not in offer["description"]  # the button is not the description
    assert offer["contract"] == "Temps plein"  # "Type d’emploi", typographic apostrophe
    assert offer["experience"] == "Confirmé"  # "Niveau hiérarchique"
    # The card's fields stay.
    assert offer["salary"] == "€54,400.00/yr - €72,533.33/yr"
    assert offer["posted_at"] == "2026-11-13"


def test_detail_in_english(offers):
    offer = offers["4012346050"]
    assert offer["contract"] == "Full-time"  # "Employment type"
    assert offer["experience"] == "Mid-Senior level"  # "Seniority level"
    assert (
        offer["description"]
        == "<p>You will build LLM-based assistants for enterprise customers.</p>"
    )


def test_detail_without_criteria_leaves_them_none(offers):
    offer = offers["4012346139"]
    assert offer["contract"] is None and offer["experience"] is None
    assert offer["description"] == "<p>Vous pilotez l'assistant virtuel voyageurs.</p>"


def test_detail_without_description_keeps_card_and_criteria(caplog):
    spider = make_spider(LinkedInSpider)
    card = {"source": "linkedin", "source_id": "4012345925", "title": "Chef de projet", "url": "u"}
    with caplog.at_level(logging.WARNING):
        out = list(spider.parse_detail(replay_response(SLUG, detail_entry("4012345925")), card))
    assert len(out) == 1
    assert out[0]["title"] == "Chef de projet"
    assert out[0].get("description") is None
    assert (out[0]["contract"], out[0]["experience"]) == ("Contrat", "Directeur")
    assert stat(spider, "linkedin/details_without_description") == 1
    assert "no description block" in caplog.text


def test_read_detail_of_nothing():
    assert read_detail("") == {"description": None, "contract": None, "experience": None}
    assert read_detail("<html><body><p>autre chose</p></body></html>")["description"] is None


def test_with_detail_keeps_the_card_where_the_detail_is_blank():
    card = {"source": "linkedin", "source_id": "1", "title": "T", "contract": None}
    merged = with_detail(card, {"description": "<p>x</p>", "contract": None, "experience": "E"})
    assert merged == {
        "source": "linkedin",
        "source_id": "1",
        "title": "T",
        "contract": None,
        "description": "<p>x</p>",
        "experience": "E",
    }


def test_withdrawn_offer_yields_nothing(caplog):
    spider = make_spider(LinkedInSpider)
    gone = detail_entry("4012345866")
    assert gone["status"] == 404
    card = {"source": "linkedin", "source_id": "4012345866", "title": "Chef de projet chatbot RH"}
    with caplog.at_level(logging.INFO):
        out = list(spider.parse_detail(replay_response(SLUG, gone), card))
    assert out == []
    infos = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
    assert any("withdrawn" in m and gone["url"] in m for m in infos)
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_failed_detail_keeps_the_card(caplog):
    spider = make_spider(LinkedInSpider)
    card = {"source": "linkedin", "source_id": "4012345891", "title": "Business analyst chatbot"}
    request = spider._detail_request(card)
    assert detail_entry("4012345891")["status"] == 500
    with caplog.at_level(logging.WARNING):
        out = list(spider.detail_failed(http_failure(request, 500)))
    assert out == [card]
    assert stat(spider, "linkedin/failed_details") == 1
    assert "HTTP 500" in caplog.text


# ---------------------------------------------------------------- invariants


@pytest.mark.parametrize("item", OFFERS, ids=[str(i["source_id"]) for i in OFFERS])
def test_every_offer(item):
    assert item["source"] == SLUG
    assert set(item) <= set(RAW_FIELDS)
    assert "" not in item.values()
    assert item["source_id"].isdigit()
    assert item["url"].startswith("https://fr.linkedin.com/jobs/view/")
    assert item["url"].endswith(item["source_id"])
    for key in ("title", "company", "location", "salary", "contract", "experience"):
        value = item.get(key)
        assert value is None or (value == value.strip() and "\n" not in value)


def test_fixtures_hold_what_the_readme_says(offers):
    assert len(OFFERS) == 36  # 37 ids, one withdrawn
    assert len(offers) == 36
    assert "4012345866" not in offers
    assert offers["4012345891"]["description"] is None  # detail 500: card alone
    assert sum(offer["description"] is not None for offer in OFFERS) == 34
    assert [item["reason"] for item in PLAYED if is_reject(item)] == ["job card without a job id"]


# ---------------------------------------------------------------- paging


def test_chatbot_pages_run_until_an_empty_fragment():
    spider = make_spider(LinkedInSpider)
    _, requests = split(spider.parse_search(replay_response(SLUG, entry("chatbot", 25))))
    assert len([r for r in requests if "/jobPosting/" in r.url]) == 9
    assert [search_of(r.url) for r in requests if "/search?" in r.url] == [("chatbot", 34)]
    last = entry("chatbot", 34)
    assert "file" not in last  # an empty body
    assert list(spider.parse_search(replay_response(SLUG, last))) == []
    assert stat(spider, "botjobs/status") is None


def test_an_empty_first_page_is_an_empty_result():
    spider = make_spider(LinkedInSpider)
    assert list(spider.parse_search(replay_response(SLUG, entry("bot designer", 0)))) == []
    assert stat(spider, "botjobs/status") is None


@pytest.mark.parametrize(
    "body, empty",
    [("", True), ("  \n ", True), ("<!-- no results -->\n", True), ("<li></li>", False)],
)
def test_is_empty_fragment(body, empty):
    assert is_empty_fragment(body) is empty


@pytest.mark.parametrize(
    "start, count, expected",
    [(0, 25, 25), (25, 9, 34), (50, 25, 75), (75, 25, None), (60, 10, 70), (10, 0, None)],
)
def test_next_start(start, count, expected):
    assert next_start(start, count) == expected


def test_no_page_past_the_cap():
    assert MAX_START == 75
    page = fixture_response(
        f"{SLUG}/search_chatbot_0.html", url=search_url("chatbot", 75), headers=HTML
    )
    _, requests = split(make_spider(LinkedInSpider).parse_search(page))
    assert not [r for r in requests if "/search?" in r.url]


# ---------------------------------------------------------------- errors


def test_a_search_failing_after_retries_is_an_error(caplog):
    spider = make_spider(LinkedInSpider)
    failed = entry("callbot", 0)
    assert failed["status"] == 500
    request = spider._search_request(failed["url"])
    with caplog.at_level(logging.ERROR):
        assert spider.search_failed(http_failure(request, 500)) is None
    assert stat(spider, "linkedin/failed_searches") == 1
    assert stat(spider, "botjobs/status") is None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "HTTP 500" in errors[0]


def test_a_request_dropped_by_the_replay_is_a_warning_only():
    spider = make_spider(LinkedInSpider)
    request = spider._search_request(search_url("chatbot", 0))
    spider.search_failed(failure_for(request, IgnoreRequest("no recorded response")))
    assert stat(spider, "linkedin/failed_searches") is None
    assert stat(spider, "botjobs/status") is None


# ---------------------------------------------------------------- refusals


def assert_blocked(spider: LinkedInSpider, stopped: CloseSpider, status: str = "") -> None:
    assert stopped.reason == BLOCKED
    assert stat(spider, "botjobs/status") == BLOCKED
    message = stat(spider, "botjobs/message")
    assert "LinkedIn refused the crawl" in message and status in message
    assert "opt-in" in message


@pytest.mark.parametrize("status", [999, 429])
def test_999_or_429_on_a_search_stops_the_source(status):
    spider = make_spider(LinkedInSpider)
    page = fixture_response(
        f"{SLUG}/blocked_999.html", url=search_url("chatbot", 0), status=status, headers=HTML
    )
    out, stopped = until_stop(spider.parse_search(page))
    assert out == []
    assert_blocked(spider, stopped, f"HTTP {status}")
    assert "authwall" in stat(spider, "botjobs/message")


@pytest.mark.parametrize("status", [999, 429])
def test_999_or_429_on_a_detail_keeps_the_card_and_stops(status):
    spider = make_spider(LinkedInSpider)
    card = {"source": "linkedin", "source_id": "4012345678", "title": "T"}
    page = fixture_response("", url=detail_url("4012345678"), status=status, body=b"")
    out, stopped = until_stop(spider.parse_detail(page, card))
    assert out == [card]
    assert_blocked(spider, stopped, f"HTTP {status}")


def test_429_reaching_the_search_errback_stops_the_source():
    spider = make_spider(LinkedInSpider)
    request = spider._search_request(search_url("chatbot", 0))
    with pytest.raises(CloseSpider) as stopped:
        spider.search_failed(http_failure(request, 429))
    assert_blocked(spider, stopped.value, "HTTP 429")


def test_429_reaching_the_detail_errback_keeps_the_card_and_stops():
    spider = make_spider(LinkedInSpider)
    card = {"source": "linkedin", "source_id": "1", "title": "T"}
    out, stopped = until_stop(spider.detail_failed(http_failure(spider._detail_request(card), 429)))
    assert out == [card]
    assert_blocked(spider, stopped, "HTTP 429")


def test_an_authwall_served_200_stops_the_source():
    spider = make_spider(LinkedInSpider)
    page = fixture_response(f"{SLUG}/authwall.html", url=search_url("voicebot", 0), headers=HTML)
    out, stopped = until_stop(spider.parse_search(page))
    assert out == []
    assert_blocked(spider, stopped, "HTTP 200 with the sign-in wall")


def test_robots_txt_refusal_stops_the_source():
    spider = make_spider(LinkedInSpider)
    request = spider._search_request(search_url("chatbot", 0))
    with pytest.raises(CloseSpider) as stopped:
        spider.search_failed(failure_for(request, IgnoreRequest("Forbidden by robots.txt")))
    assert stopped.value.reason == BLOCKED
    assert "robots.txt" in stat(spider, "botjobs/message")


# ---------------------------------------------------------------- layout change


def test_a_fragment_without_cards_is_a_layout_change():
    spider = make_spider(LinkedInSpider)
    url = search_url("chatbot", 0)
    page = fixture_response(f"{SLUG}/layout_changed.html", url=url, headers=HTML)
    out, stopped = until_stop(spider.parse_search(page))
    assert stopped.reason == LAYOUT_CHANGED
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED
    assert "spiders/linkedin.py" in stat(spider, "botjobs/message")
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["reason"] == "no .base-search-card in the search fragment"
    assert out[0]["url"] == url
    assert "job-card-v2" in out[0]["payload"]


# ---------------------------------------------------------------- the manifest covers the crawl


def test_manifest_covers_every_request_of_a_default_replay():
    walk = walk_crawl(make_spider(LinkedInSpider, REPLAY_SETTINGS))
    assert walk.unused() == [], "fixtures never used"
    searches = [(url, status) for url, status in walk.answers if "/search?" in url]
    details = [(url, status) for url, status in walk.answers if "/jobPosting/" in url]
    # 12 first pages, chatbot's second page, and the empty page after each term with results.
    assert len(searches) == 12 + 1 + 10
    assert len(details) == 37
    assert [status for url, status in searches if "callbot" in url] == [500]
    assert sorted(status for _, status in details if status != 200) == [404, 500]
    assert len(walk.offers) == 36
    assert stat(walk.spider, "linkedin/failed_searches") == 1
    assert stat(walk.spider, "linkedin/failed_details") == 1


# ---------------------------------------------------------------- end to end


def test_offline_crawl_end_to_end(tmp_path):
    path = tmp_path / "x.db"
    done = crawl_offline(path, SLUG, "-q")
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    # 36 offers (one without a title is rejected by the pipeline), the id-less card rejected
    # by the spider, and one error: the search answering 500 after its retries.
    assert (run["items"], run["new"], run["rejects"], run["errors"]) == (36, 35, 2, 1)
    assert run["status"] == "partial"
    db = open_db(str(path))
    try:
        stored = {row["source_id"]: row for row in db["offers"].rows_where("source = ?", [SLUG])}
    finally:
        db.close()
    assert len(stored) == 35
    assert stored["4012345678"]["contract_raw"] == "Temps plein"
    assert "Relation Client Digitale" in stored["4012345678"]["description"]
    assert stored["4012345891"]["description"] is None
    assert "4012345866" not in stored
    assert "callbot" in done.stderr


def test_a_refusal_late_in_the_crawl_leaves_the_run_blocked(tmp_path):
    """The real engine: chatbot's last (empty) page answers 999; the run says blocked."""
    fixtures = patched_fixtures(
        tmp_path, SLUG, search_url("chatbot", 34), status=999, file="blocked_999.html"
    )
    path = tmp_path / "b.db"
    done = crawl_offline(path, SLUG, "--fixtures", str(fixtures))
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    assert run["status"] == BLOCKED
    assert "LinkedIn refused the crawl: HTTP 999" in run["message"]
