"""Welcome to the Jungle spider: Algolia windows and paging, hits, offer pages, offline.

The fixtures (tests/fixtures/wttj/README.md) are walked once as the crawl would walk them: the
start requests, then every request the spider yields, each answered from the manifest. Field
tests read the offers of that walk; the other tests feed single responses to the spider or
plain data to the module's functions.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, date, datetime

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider
from scrapy.spidermiddlewares.httperror import HttpError

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import BLOCKED, LAYOUT_CHANGED, NO_CREDENTIALS, FeedError
from spiders.search_terms import search_terms
from spiders.wttj import (
    ALGOLIA_APP_ID,
    DAY,
    ENV_KEY,
    HIT_META,
    PAGE_META,
    PUBLIC_SEARCH_KEY,
    REPLAY_UNTIL,
    SEARCH_URL,
    TERM_META,
    WINDOW_META,
    SearchPage,
    Window,
    WttjSpider,
    first_window,
    hit_to_raw,
    merge_offer,
    must_split,
    next_page,
    parse_until,
    read_results,
    search_body,
    search_key,
    split_window,
    until_day,
)
from tests.helpers import (
    FIXTURES,
    REPLAY_SETTINGS,
    crawl_offline,
    crawl_run,
    failure_for,
    fixture_response,
    make_spider,
    manifest_entries,
    replay_response,
    response_failure,
    split,
    start,
    stat,
    walk_crawl,
)

SLUG = "wttj"
ENTRIES = manifest_entries(SLUG)

# The windows of the fixtures: 60 days ending 2026-11-15, and its two halves.
FULL = Window(1789603200, 1794787200)
OLDER = Window(1789603200, 1792195200)
NEWER = Window(1792195200, 1794787200)


# ---------------------------------------------------------------- helpers


def replay_spider(**kwargs) -> WttjSpider:
    """A spider whose crawl would be answered from tests/fixtures."""
    return make_spider(WttjSpider, REPLAY_SETTINGS, **kwargs)


def body(request: Request) -> dict:
    return json.loads(request.body)


def search_entry(term: str, window: Window = FULL, page: int = 0) -> dict:
    wanted = search_body(term, window, page)
    found = [e for e in ENTRIES if e["method"] == "POST" and e["body"] == wanted]
    assert found, f"no manifest entry for {term!r} {window} page {page}"
    return found[0]


def page_entry(url_end: str) -> dict:
    found = [e for e in ENTRIES if e["method"] == "GET" and e["url"].endswith(url_end)]
    assert len(found) == 1, url_end
    return found[0]


def search_response(term: str, window: Window = FULL, page: int = 0, status: int | None = None):
    """The recorded answer to one search, with the meta the spider's request carries."""
    spider = replay_spider()
    spider._key = PUBLIC_SEARCH_KEY
    meta = spider.search_request(term, window, page).meta
    recorded = search_entry(term, window, page)
    response = replay_response(SLUG, recorded, meta=meta)
    if status is not None:
        response = response.replace(status=status)
    return response


def hits_by_name() -> dict[str, dict]:
    hits: dict[str, dict] = {}
    for entry in ENTRIES:
        if entry["method"] == "POST" and entry["status"] == 200:
            data = json.loads((FIXTURES / SLUG / entry["file"]).read_text("utf-8"))
            for hit in data["hits"]:
                if isinstance(hit, dict):
                    hits.setdefault(hit["name"], hit)
    return hits


HITS = hits_by_name()


def offer_response(title: str, status: int | None = None, body: bytes | None = None):
    """An offer page response for the hit named `title`, with the meta of the spider's request."""
    hit_offer = hit_to_raw(HITS[title])
    recorded = page_entry(hit_offer["url"].rsplit("/", 1)[1])
    meta = {HIT_META: hit_offer}
    response = replay_response(SLUG, recorded, meta=meta)
    if status is not None or body is not None:
        response = response.replace(
            status=response.status if status is None else status,
            body=response.body if body is None else body,
        )
    return response


WALK = walk_crawl(replay_spider())
ALL_ITEMS = WALK.items


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    """Every offer of the walk, by title (each title is one offer in the fixtures)."""
    by_title = {item["title"]: item for item in WALK.offers}
    assert len(by_title) == len(WALK.offers)
    return by_title


C01 = "Chargé de projet chatbot (H/F)"
C02 = "Conversation designer chatbot"
C03 = "Chef de projet IA conversationnelle"
C04 = "Product Owner Voicebot & Chatbot"
C05 = "Alternance - Chargé(e) de projet chatbot"
C07 = "Stage - Assistant chef de projet chatbot"
C11 = "Bot designer junior"
C12 = "Chef de projet chatbot freelance"
V02 = "Chef de projet voicebot"
B01 = "Chargé de projet callbot (H/F)"
B02 = "Chef de projet callbot"
D03 = "UX writer conversation designer"
WITHDRAWN = (
    "Analyste conversations chatbot",
    "Chargé de projet agent conversationnel (CDD)",
    "Consultant IA conversationnelle",
)


@pytest.fixture
def no_key(monkeypatch):
    monkeypatch.delenv(ENV_KEY, raising=False)


# ---------------------------------------------------------------- windows, bodies, paging


def test_first_window_is_sixty_days_ending_after_the_last_day():
    assert first_window(date(2026, 11, 15)) == FULL
    assert str(FULL) == "2026-09-17..2026-11-15"
    assert FULL.days == 60
    assert first_window(date(2026, 11, 15), days=1) == Window(1794787200 - DAY, 1794787200)


@pytest.mark.parametrize(
    "window, expected",
    [
        (FULL, [OLDER, NEWER]),
        (Window(0, 7 * DAY), [Window(0, 3 * DAY), Window(3 * DAY, 7 * DAY)]),
        (Window(0, 2 * DAY), [Window(0, DAY), Window(DAY, 2 * DAY)]),
        (Window(0, DAY), [Window(0, DAY)]),
    ],
)
def test_split_window(window, expected):
    halves = split_window(window)
    assert halves == expected
    # The halves cover the window exactly, without overlap.
    assert halves[0].start == window.start and halves[-1].end == window.end
    assert all(a.end == b.start for a, b in zip(halves, halves[1:], strict=False))


def test_search_body():
    assert search_body("chef de projet chatbot", OLDER, 1) == {
        "query": "chef de projet chatbot",
        "page": 1,
        "hitsPerPage": 100,
        "facetFilters": [["offices.country_code:FR"]],
        "numericFilters": [
            "published_at_timestamp>=1789603200",
            "published_at_timestamp<1792195200",
        ],
    }


@pytest.mark.parametrize(
    "nb_hits, window, expected",
    [
        (1001, FULL, True),
        (1000, FULL, False),
        (None, FULL, False),
        (5000, Window(0, DAY), False),  # one day cannot be cut
        (5000, Window(0, 2 * DAY), True),
    ],
)
def test_must_split(nb_hits, window, expected):
    assert must_split(nb_hits, window) is expected


@pytest.mark.parametrize(
    "page, results, expected",
    [
        (0, SearchPage([{}], 130, 2), 1),
        (1, SearchPage([{}], 130, 2), None),
        (0, SearchPage([{}], 5, 1), None),
        (0, SearchPage([], 0, 0), None),
        (0, SearchPage([], 300, 3), None),  # an empty page ends the paging whatever it says
        (3, SearchPage([{}], 900, None), None),
        (8, SearchPage([{}], 5000, 50), 9),
        (9, SearchPage([{}], 5000, 50), None),  # page 10 would start at hit 1,000
    ],
)
def test_next_page(page, results, expected):
    assert next_page(page, results) == expected


def test_read_results():
    results = read_results('{"hits": [{"name": "x"}], "nbHits": 1240, "nbPages": 10}')
    assert results == SearchPage([{"name": "x"}], 1240, 10)
    assert read_results('{"hits": [], "nbHits": "lots"}') == SearchPage([], None, None)


@pytest.mark.parametrize(
    "text, reason, layout",
    [
        ("<html>", "not valid JSON", False),
        ("[]", "JSON list", True),
        ('{"results": [{"hits": []}]}', "no 'hits' list", True),
        ('{"hits": null, "nbHits": 0}', "no 'hits' list", True),
    ],
)
def test_read_results_without_hits(text, reason, layout):
    with pytest.raises(FeedError, match=reason) as error:
        read_results(text)
    assert error.value.layout is layout


# ---------------------------------------------------------------- clock, until and key


def test_until_day_prefers_the_argument_then_the_replay_day_then_today():
    now = datetime(2026, 12, 3, 23, 59, tzinfo=UTC).timestamp()
    assert until_day(date(2026, 1, 2), True, now) == date(2026, 1, 2)
    assert until_day(None, True, now) == REPLAY_UNTIL
    assert until_day(None, False, now) == date(2026, 12, 3)


def test_parse_until():
    assert parse_until(" 2026-10-01 ") == date(2026, 10, 1)
    assert parse_until(None) is None
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        parse_until("01/10/2026")


def test_bad_until_argument_stops_the_spider_from_starting():
    with pytest.raises(ValueError, match="YYYY-MM-DD"):
        make_spider(WttjSpider, until="hier")


def test_live_window_follows_a_frozen_clock(monkeypatch):
    monkeypatch.setenv(ENV_KEY, "k")
    spider = make_spider(WttjSpider)
    spider.clock = lambda: datetime(2026, 11, 15, 18, 30, tzinfo=UTC).timestamp()
    assert spider.first_window() == FULL
    spider.clock = lambda: datetime(2026, 11, 16, 0, 0, 1, tzinfo=UTC).timestamp()
    assert spider.first_window() == Window(FULL.start + DAY, FULL.end + DAY)


def test_until_argument_sets_the_window():
    spider = replay_spider(until="2026-10-16")
    assert spider.first_window() == Window(OLDER.end - 60 * DAY, OLDER.end)


def test_replay_without_until_uses_the_fixtures_day():
    assert replay_spider().first_window() == FULL


def test_replay_day_agrees_with_the_recorded_bodies():
    """After a `--record`, REPLAY_UNTIL must be set to the day of the capture."""
    ends = {
        int(f.split("<", 1)[1])
        for e in ENTRIES
        if e["method"] == "POST"
        for f in e["body"]["numericFilters"]
        if "<" in f and "<=" not in f
    }
    assert max(ends) == first_window(REPLAY_UNTIL).end


def test_search_key(monkeypatch):
    assert search_key({ENV_KEY: " abc "}) == "abc"
    # The module's constant is a placeholder, never sent.
    assert search_key({}) is None
    monkeypatch.setattr("spiders.wttj.PUBLIC_SEARCH_KEY", "a-real-key")
    assert search_key({}) == "a-real-key"


def test_start_sends_one_query_per_term(monkeypatch):
    monkeypatch.setenv(ENV_KEY, "front-end-key")
    spider = make_spider(WttjSpider, until="2026-11-15")
    requests = start(spider)
    assert [body(r)["query"] for r in requests] == search_terms()
    for request in requests:
        assert request.method == "POST"
        assert request.url == SEARCH_URL
        assert request.headers["x-algolia-application-id"] == ALGOLIA_APP_ID.encode()
        assert request.headers["x-algolia-api-key"] == b"front-end-key"
        assert request.headers["Origin"] == b"https://www.welcometothejungle.com"
        assert request.headers["Referer"] == b"https://www.welcometothejungle.com/"
        assert request.headers["Content-Type"] == b"application/json"
        assert body(request) == search_body(body(request)["query"], FULL, 0)
        assert request.meta["handle_httpstatus_list"] == [401, 403]
        assert request.meta[WINDOW_META] == tuple(FULL)


def test_terms_argument():
    requests = start(replay_spider(terms="rasa, botpress"))
    assert [body(r)["query"] for r in requests] == ["rasa", "botpress"]


def test_live_without_key_sends_nothing(no_key, caplog):
    spider = make_spider(WttjSpider)
    with caplog.at_level(logging.WARNING):
        assert start(spider) == []
    assert stat(spider, "botjobs/status") == NO_CREDENTIALS
    assert ENV_KEY in stat(spider, "botjobs/message")
    assert ENV_KEY in caplog.text


def test_replay_needs_no_key(no_key):
    requests = start(replay_spider())
    assert len(requests) == len(search_terms())
    assert requests[0].headers["x-algolia-api-key"] == PUBLIC_SEARCH_KEY.encode()


# ---------------------------------------------------------------- searches


def test_more_than_1000_hits_splits_the_window(caplog):
    spider = replay_spider()
    with caplog.at_level(logging.INFO):
        items, requests = split(spider.parse_search(search_response("chatbot")))
    # The hits of the window too big to read are not read: the halves will find them.
    assert items == []
    assert [r.url for r in requests] == [SEARCH_URL, SEARCH_URL]
    assert [body(r) for r in requests] == [
        search_body("chatbot", OLDER, 0),
        search_body("chatbot", NEWER, 0),
    ]
    assert stat(spider, "wttj/windows_split") == 1
    assert "1240 hits" in caplog.text


def test_each_half_is_read_page_by_page():
    spider = replay_spider()
    items, requests = split(spider.parse_search(search_response("chatbot", OLDER, 0)))
    assert items == []
    pages = [r for r in requests if r.method == "GET"]
    assert [r.meta[HIT_META]["title"] for r in pages] == [C01, C02, C03, C04]
    following = [r for r in requests if r.method == "POST"]
    assert [body(r) for r in following] == [search_body("chatbot", OLDER, 1)]
    assert following[0].meta[TERM_META] == "chatbot"
    assert following[0].meta[PAGE_META] == 1


def test_last_page_asks_for_no_other():
    _, requests = split(replay_spider().parse_search(search_response("chatbot", NEWER, 1)))
    assert [r.method for r in requests] == ["GET", "GET"]
    assert [r.meta[HIT_META]["title"] for r in requests] == [C12, "Responsable assistant virtuel"]


def test_offer_page_request():
    _, requests = split(replay_spider().parse_search(search_response("voicebot")))
    request = requests[0]
    assert request.url == (
        "https://www.welcometothejungle.com/fr/companies/azurine-telecom/jobs/"
        "ingenieur-voicebot_marseille"
    )
    assert request.meta["handle_httpstatus_list"] == [403, 404, 410]
    assert request.callback.__name__ == "parse_offer"
    assert request.errback.__name__ == "offer_failed"


def test_empty_result():
    assert split(replay_spider().parse_search(search_response("bot designer"))) == ([], [])


def test_odd_hits_are_rejected_or_kept_alone():
    items, requests = split(replay_spider().parse_search(search_response("callbot")))
    rejects = [i for i in items if is_reject(i)]
    assert len(rejects) == 1
    assert rejects[0]["reason"] == "hit is not a JSON object"
    assert rejects[0]["payload"] == '"callbot"'
    # The company without a slug has no page to read: the hit is the offer.
    alone = [i for i in items if not is_reject(i)]
    assert [i["title"] for i in alone] == [B02]
    assert alone[0]["url"] is None
    assert [r.meta[HIT_META]["title"] for r in requests] == [B01]


def test_one_day_past_1000_hits_is_read_as_far_as_algolia_goes(caplog):
    spider = replay_spider()
    day = Window(FULL.end - DAY, FULL.end)
    meta = spider.search_request("chatbot", day, 0).meta
    hits = [HITS[C01], HITS[C02]]
    text = json.dumps({"hits": hits, "nbHits": 1450, "page": 0, "nbPages": 10})
    response = fixture_response("", url=SEARCH_URL, body=text.encode(), meta=meta, method="POST")
    with caplog.at_level(logging.WARNING):
        _, requests = split(spider.parse_search(response))
    assert [r.method for r in requests] == ["GET", "GET", "POST"]
    assert body(requests[-1]) == search_body("chatbot", day, 1)
    assert stat(spider, "wttj/unreachable") == 450
    assert "450 are out of reach" in caplog.text


def test_search_failing_after_retries_is_an_error(caplog):
    spider = replay_spider()
    response = search_response("assistant virtuel")
    assert response.status == 500
    request = spider.search_request("assistant virtuel", FULL, 0)
    failure = failure_for(request, HttpError(response, "Ignoring non-200 response"))
    with caplog.at_level(logging.ERROR):
        assert spider.search_failed(failure) is None
    assert stat(spider, "wttj/failed_searches") == 1
    assert "'assistant virtuel'" in caplog.text and "HTTP 500" in caplog.text


def test_refused_key_stops_the_source():
    spider = replay_spider()
    meta = spider.search_request("chatbot", FULL, 0).meta
    response = fixture_response(
        "wttj/unit_algolia_403.json", url=SEARCH_URL, status=403, meta=meta, method="POST"
    )
    with pytest.raises(CloseSpider):
        list(spider.parse_search(response))
    assert stat(spider, "botjobs/status") == BLOCKED
    message = stat(spider, "botjobs/message")
    assert "rotated" in message and ENV_KEY in message


def test_layout_change_rejects_then_stops():
    spider = replay_spider()
    meta = spider.search_request("chatbot", FULL, 0).meta
    response = fixture_response(
        "wttj/unit_algolia_layout_changed.json", url=SEARCH_URL, meta=meta, method="POST"
    )
    out = spider.parse_search(response)
    first = next(out)
    assert is_reject(first)
    assert first["reason"] == "Algolia response: body has no 'hits' list"
    assert first["payload"].startswith("{")
    with pytest.raises(CloseSpider):
        next(out)
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED
    assert "'chatbot'" in stat(spider, "botjobs/message")


def test_a_search_answer_that_is_not_json_stops_too():
    spider = replay_spider()
    meta = spider.search_request("chatbot", FULL, 0).meta
    response = fixture_response("", url=SEARCH_URL, meta=meta, method="POST", body=b"<html>")
    out = spider.parse_search(response)
    assert next(out)["reason"].startswith("Algolia response: body is not valid JSON (")
    with pytest.raises(CloseSpider):
        next(out)
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED


# ---------------------------------------------------------------- offer pages


@pytest.mark.parametrize("title", WITHDRAWN)
def test_withdrawn_offer_yields_nothing(title, caplog):
    response = offer_response(title)
    assert response.status in (404, 410)
    with caplog.at_level(logging.INFO, logger="wttj"):
        assert list(replay_spider().parse_offer(response)) == []
    assert f"withdrawn: {response.url} (HTTP {response.status})" in caplog.text


def test_page_without_jsonld_keeps_the_hit(caplog):
    spider = replay_spider()
    with caplog.at_level(logging.WARNING):
        (item,) = spider.parse_offer(offer_response(C11))
    hit = HITS[C11]
    assert item == hit_to_raw(hit)
    assert item["description"] == f"{hit['summary']}\n\n{hit['profile']}"
    assert stat(spider, "wttj/pages_without_jsonld") == 1
    assert "no JobPosting JSON-LD" in caplog.text


def test_malformed_jsonld_keeps_the_hit():
    (item,) = replay_spider().parse_offer(offer_response(D03))
    assert item == hit_to_raw(HITS[D03])


def test_failed_page_keeps_the_hit(caplog):
    spider = replay_spider()
    response = offer_response(V02)
    assert response.status == 500
    failure = response_failure(response)
    with caplog.at_level(logging.WARNING):
        (item,) = spider.offer_failed(failure)
    assert item == hit_to_raw(HITS[V02])
    assert stat(spider, "wttj/pages_failed") == 1
    assert "HTTP 500" in caplog.text


def test_blocked_offer_page_stops_the_source():
    spider = replay_spider()
    blocked = (FIXTURES / SLUG / "unit_job_blocked.html").read_bytes()
    with pytest.raises(CloseSpider):
        list(spider.parse_offer(offer_response(C01, status=403, body=blocked)))
    assert stat(spider, "botjobs/status") == BLOCKED
    assert "403" in stat(spider, "botjobs/message")


# ---------------------------------------------------------------- fields of the walk


def test_source_id(offers):
    assert offers[C01]["source_id"] == "4d03ada6-067c-79c7"
    assert offers[C02]["source_id"] == HITS[C02]["reference"]
    # No reference: the company's slug and the offer's.
    assert offers[B01]["source_id"] == "kerlys-energie/charge-de-projet-callbot-h-f_lille"


def test_url(offers):
    assert offers[C01]["url"] == (
        "https://www.welcometothejungle.com/fr/companies/ormea-mutuelle/jobs/"
        "charge-de-projet-chatbot-h-f_paris"
    )
    assert offers[B02]["url"] is None


def test_title_and_company(offers):
    assert offers[C05]["title"] == "Alternance - Chargé(e) de projet chatbot"
    assert offers[C01]["company"] == "Orméa Mutuelle"
    assert offers[C03]["company"] == "Banque Solvéa"
    assert offers[B02]["company"] == "Maison Brévan"  # organization without slug


def test_location(offers):
    assert offers[C01]["location"] == "Paris"
    assert (offers[C01]["postal_code"], offers[C01]["latitude"], offers[C01]["longitude"]) == (
        "75009",
        48.877164,
        2.337458,
    )
    # Two offices: both named, neither picked for the structured place.
    assert offers[C03]["location"] == "Paris; Nantes"
    assert (offers[C03]["postal_code"], offers[C03]["latitude"]) == (None, None)


def test_contract_is_the_site_code(offers):
    assert offers[C01]["contract"] == "full_time"
    assert offers[C03]["contract"] == "temporary"
    assert offers[C05]["contract"] == "apprenticeship"
    assert offers[C07]["contract"] == "internship"
    assert offers[C12]["contract"] == "freelance"


def test_remote_is_the_site_code(offers):
    assert offers[C01]["remote"] == "partial"
    assert offers[C02]["remote"] == "punctual"
    assert offers[C03]["remote"] == "no"
    assert offers[C04]["remote"] == "fulltime"  # the page's TELECOMMUTE does not replace it
    assert offers[C05]["remote"] is None  # "unknown"


def test_salary_stated_by_the_hit(offers):
    c01 = offers[C01]
    assert (c01["salary_min"], c01["salary_max"]) == (45000.0, 55000.0)
    assert (c01["salary_period"], c01["salary_currency"]) == ("yearly", "EUR")
    # Taken whole from the hit, which prints no salary line: the page's is not mixed in.
    assert c01["salary"] is None
    assert (offers[C05]["salary_min"], offers[C05]["salary_max"]) == (1400.0, None)
    assert offers[C12]["salary_period"] == "daily"


def test_salary_from_the_page_when_the_hit_has_none(offers):
    c02 = offers[C02]
    assert c02["salary"] == "38000–42000 EUR YEAR"
    assert (c02["salary_min"], c02["salary_max"], c02["salary_period"]) == (38000, 42000, "YEAR")


def test_zero_salary_is_unknown(offers):
    c04 = offers[C04]
    assert (c04["salary_min"], c04["salary_max"], c04["salary"]) == (None, None, None)
    # The period and currency are still what the hit said.
    assert c04["salary_period"] == "yearly"


def test_experience(offers):
    assert offers[C01]["experience"] == "Expérience minimum : 3 ans"
    assert offers[C05]["experience"] == "Expérience minimum : 0 an"
    assert offers[C07]["experience"] == "Expérience minimum : 0,5 an"
    # None in the hit: the page's experienceRequirements.
    assert offers[C02]["experience"] == "24 mois d'expérience"


def test_education_and_skills_come_from_the_page(offers):
    assert offers[C01]["education"] == "Bac +5 / Master"
    assert offers[C01]["skills"] == [
        "Dialogflow CX",
        "Gestion de projet",
        "Rédaction de spécifications",
    ]
    assert offers[C03]["education"] is None and offers[C03]["skills"] is None


def test_apply_url(offers):
    # directApply: true means the application happens on the offer page.
    assert offers[C01]["apply_url"] == offers[C01]["url"]
    assert offers[C03]["apply_url"] is None


def test_description_from_the_page(offers):
    description = offers[C01]["description"]
    assert description.startswith("<h3>Le poste</h3><ul><li>Piloter la feuille de route")
    assert "Dialogflow CX ou Rasa" in description


def test_description_falls_back_to_summary_and_profile(offers):
    for title in (C11, V02, D03, B02):
        hit = HITS[title]
        assert offers[title]["description"] == f"{hit['summary']}\n\n{hit['profile']}"


def test_posted_at_is_the_hit_timestamp_text(offers):
    assert offers[C01]["posted_at"] == "2026-09-22T10:04:17.000Z"


# ---------------------------------------------------------------- invariants


def _item_id(item: dict) -> str:
    return str(item.get("title") or item.get("reason"))


@pytest.mark.parametrize("item", WALK.offers, ids=[_item_id(i) for i in WALK.offers])
def test_every_offer(item):
    assert item["source"] == SLUG
    assert item["source_id"]
    assert item["title"]
    assert set(item) <= set(RAW_FIELDS)
    assert "" not in item.values()
    assert [] not in item.values()
    assert item["salary_min"] != 0 and item["salary_max"] != 0
    assert item["description"]
    assert item["posted_at"].startswith("2026-")
    if item["url"] is not None:
        assert item["url"].startswith("https://www.welcometothejungle.com/fr/companies/")
    for key in ("title", "company", "location", "contract", "remote", "description"):
        assert item[key] is None or item[key] == item[key].strip()


def test_walk_holds_what_the_readme_says():
    assert len(WALK.offers) == 23
    assert len({item["source_id"] for item in WALK.offers}) == 23
    assert len(WALK.rejects) == 1
    titles = {item["title"] for item in WALK.offers}
    assert not titles & set(WITHDRAWN)


def test_manifest_covers_every_request_of_a_default_replay():
    # walk_crawl() fails on the first request without a recorded answer; here, what was asked.
    statuses = [status for method, _, _, status in WALK.sent]
    assert statuses.count(500) == 2  # one search, one offer page
    searches = [(b["query"], b["page"], status) for m, _, b, status in WALK.sent if m == "POST"]
    assert len(searches) == len(search_terms()) + 4  # chatbot: 2 halves × 2 pages
    assert ("assistant virtuel", 0, 500) in searches
    gets = [url for method, url, _, _ in WALK.sent if method == "GET"]
    assert len(gets) == len(set(gets)) == 25  # each offer page once, however many terms find it


def test_every_manifest_entry_is_played():
    played = {(m, u, json.dumps(b, sort_keys=True)) for m, u, b, _ in WALK.sent}
    for entry in ENTRIES:
        key = (entry["method"], entry["url"], json.dumps(entry.get("body"), sort_keys=True))
        assert key in played, f"never played: {entry.get('file')}"


# ---------------------------------------------------------------- odd hits and merging


@pytest.mark.parametrize(
    "hit",
    [
        {},
        {"name": ["x"], "organization": "ACME", "offices": "Paris", "salary_minimum": "beaucoup"},
        {"offices": [None, 3, {"city": 7, "zip_code": -4}], "experience_level_minimum": -1},
        {"offices": [{"latitude": "nan", "longitude": 1e309}], "salary_maximum": True},
        {"slug": "x", "organization": {"slug": None}, "remote": False, "published_at": 3},
    ],
)
def test_odd_hits_never_raise_and_leave_unknowns_none(hit):
    item = hit_to_raw(hit)
    assert item["source"] == SLUG
    assert "" not in item.values()
    for key in ("title", "company", "salary_min", "salary_max", "latitude", "longitude"):
        assert item[key] is None
    assert item["url"] is None
    assert item["experience"] is None


def test_hit_numbers_as_text():
    item = hit_to_raw({"reference": 42, "salary_minimum": "45000", "offices": [{"zip_code": 6000}]})
    assert item["source_id"] == "42"
    assert item["salary_min"] == 45000.0
    assert item["postal_code"] == "06000"


def test_merge_keeps_the_hit_identity_and_fills_gaps():
    hit_offer = hit_to_raw(HITS[C03])
    page = hit_to_raw(HITS[C01]) | {
        "source": "jobposting",
        "source_id": "welcometothejungle.com/other",
        "url": "https://www.welcometothejungle.com/fr/companies/x/jobs/y?utm_source=google",
        "description": "<p>Page</p>",
        "skills": ["Rasa"],
        "location": "Lyon",
    }
    merged = merge_offer(hit_offer, page)
    assert (merged["source"], merged["source_id"], merged["url"]) == (
        SLUG,
        hit_offer["source_id"],
        hit_offer["url"],
    )
    assert merged["description"] == "<p>Page</p>"
    assert merged["skills"] == ["Rasa"]
    assert merged["title"] == C03
    assert merged["location"] == "Paris; Nantes"
    assert merged["salary_period"] == "monthly"
    assert merge_offer(hit_offer, None) == hit_offer


# ---------------------------------------------------------------- the real crawl, offline


def test_offline_crawl_end_to_end(tmp_path):
    """`botjobs crawl --offline --source wttj` in a child process (a reactor per run)."""
    db_path = tmp_path / "x.db"
    done = crawl_offline(db_path, SLUG, "-q", drop=(ENV_KEY,))
    assert done.returncode == 0, done.stderr
    run = crawl_run(db_path, SLUG)
    # 23 offers; the non-object hit is the one reject; the search answering 500 after its
    # retries is the one error (the offer page's 500 still gave an offer, from its hit).
    assert (run["items"], run["new"], run["rejects"], run["errors"], run["status"]) == (
        23,
        23,
        1,
        1,
        "partial",
    )
    assert run["mode"] == "offline"
    db = open_db(str(db_path))
    try:
        stored = {row["title"]: row for row in db["offers"].rows_where("source = ?", [SLUG])}
    finally:
        db.close()
    assert len(stored) == 23
    c01 = stored[C01]
    assert (c01["contract"], c01["remote"], c01["salary_annual_min"]) == ("CDI", "hybrid", 45000)
    assert c01["department"] == "75"
    assert stored[C12]["contract"] == "freelance"
    assert stored[B02]["url"] is None
    assert "assistant virtuel" in done.stderr  # the failed search is reported
