"""Indeed spider: job cards, paging, walls and layout changes, fixture coverage, offline."""

from __future__ import annotations

import logging
from urllib.parse import parse_qsl, urlsplit

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider, IgnoreRequest

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import BLOCKED, LAYOUT_CHANGED
from spiders.indeed import (
    MAX_START,
    PAGE_STEP,
    IndeedSpider,
    LayoutChanged,
    block_signs,
    jobcard_results,
    next_start,
    offer_from_card,
    posted_text,
    search_of,
    search_url,
)
from spiders.search_terms import search_terms
from tests.helpers import (
    FIXTURES,
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

SLUG = "indeed"
ENTRIES = manifest_entries(SLUG)
HTML = {"Content-Type": "text/html;charset=UTF-8"}


# ---------------------------------------------------------------- helpers


def entry(term: str, start: int = 0) -> dict:
    """The manifest entry of one term's search page."""
    for e in ENTRIES:
        params = dict(parse_qsl(urlsplit(e["url"]).query))
        if params["q"] == term and params["start"] == str(start):
            return e
    raise AssertionError(f"no manifest entry for {term!r} start={start}")


def good_pages() -> list[dict]:
    return [e for e in ENTRIES if e["status"] == 200]


def parse_all_pages() -> list[dict]:
    spider = make_spider(IndeedSpider)
    items: list[dict] = []
    for page in good_pages():
        items += split(spider.parse_search(replay_response(SLUG, page)))[0]
    return items


ALL_ITEMS = parse_all_pages()
OFFERS = [item for item in ALL_ITEMS if not is_reject(item)]


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    return {item["source_id"]: item for item in OFFERS if item["source_id"] is not None}


# ---------------------------------------------------------------- the spider's face


def test_opt_in_and_about():
    assert IndeedSpider.opt_in is True
    assert IndeedSpider.name == "indeed"
    assert "Indeed" in IndeedSpider.about and "\n" not in IndeedSpider.about
    assert IndeedSpider.searches is True


def test_one_first_page_per_default_term():
    requests = start(make_spider(IndeedSpider))
    assert [r.url for r in requests] == [search_url(term, 0) for term in search_terms()]
    assert len(requests) == 12
    assert all(r.callback.__name__ == "parse_search" for r in requests)
    assert all(r.errback.__name__ == "search_failed" for r in requests)


def test_terms_argument_overrides_the_list():
    spider = make_spider(IndeedSpider, terms="rasa, botpress\nvoicebot")
    assert [search_of(url)[0] for url in spider.first_page_urls()] == [
        "rasa",
        "botpress",
        "voicebot",
    ]


def test_search_url_is_fixed_and_ordered():
    assert search_url("chargé de projet chatbot", 20) == (
        "https://fr.indeed.com/jobs?q=charg%C3%A9+de+projet+chatbot&l=France&sort=date&start=20"
    )
    assert search_of(search_url("chargé de projet chatbot", 20)) == (
        "chargé de projet chatbot",
        20,
    )
    assert search_of("https://fr.indeed.com/jobs?q=x&start=abc") == ("x", 0)


# ---------------------------------------------------------------- one page, card by card


def test_first_chatbot_page_yields_its_cards_in_order():
    page = replay_response(SLUG, entry("chatbot"))
    items, requests = split(make_spider(IndeedSpider).parse_search(page))
    assert len(items) == 10
    assert [item["source_id"] for item in items[:6]] == [
        "5f2a9c1e7b3d4a01",
        "8c4e0b2d6a1f9e02",
        "1d7b3f5a9c2e4b03",
        "a3e5c7b9d1f20404",
        "b6d8f0a2c4e61805",
        "c9f1b3d5e7a90206",
    ]
    assert len(requests) == 1


def test_source_id_and_url(offers):
    item = offers["5f2a9c1e7b3d4a01"]
    assert item["source_id"] == "5f2a9c1e7b3d4a01"
    assert item["url"] == "https://fr.indeed.com/viewjob?jk=5f2a9c1e7b3d4a01"


def test_title(offers):
    assert offers["5f2a9c1e7b3d4a01"]["title"] == "Chargé de projet chatbot H/F"
    # No displayTitle: the plain title.
    assert offers["b6d8f0a2c4e61805"]["title"] == "Développeur Botpress en alternance"
    # Padded with spaces on the site: stripped.
    assert offers["e2a4c6e8b0d21607"]["title"] == "Conversational AI Product Analyst"


def test_company(offers):
    assert offers["5f2a9c1e7b3d4a01"]["company"] == "Helvia Assurances"
    assert offers["f4b6d8f0a2c41010"]["company"] == "Réunion Contact Services"
    assert offers["e2a4c6e8b0d21607"]["company"] is None  # null


def test_location(offers):
    assert offers["5f2a9c1e7b3d4a01"]["location"] == "Paris (75)"
    assert offers["1d7b3f5a9c2e4b03"]["location"] == "Télétravail à Nantes (44)"
    assert offers["f4b6d8f0a2c41010"]["location"] == "Saint-Denis (974)"
    assert offers["e2a4c6e8b0d21607"]["location"] is None  # a list


def test_salary_text(offers):
    assert offers["5f2a9c1e7b3d4a01"]["salary"] == "De 52 000 € à 58 000 € par an"
    assert offers["8c4e0b2d6a1f9e02"]["salary"] == "À partir de 1 944 € par mois"
    assert offers["1d7b3f5a9c2e4b03"]["salary"] == "De 2 933,00 € à 3 550,01 € par mois"
    assert offers["a3e5c7b9d1f20404"]["salary"] is None  # salarySnippet: {}
    assert offers["e2a4c6e8b0d21607"]["salary"] is None  # a bare string, not the object


def test_stated_salary(offers):
    first = offers["5f2a9c1e7b3d4a01"]
    assert (first["salary_min"], first["salary_max"], first["salary_period"]) == (
        52000.0,
        58000.0,
        "yearly",
    )
    assert first["salary_currency"] == "EUR"
    decimals = offers["1d7b3f5a9c2e4b03"]
    assert (decimals["salary_min"], decimals["salary_max"]) == (2933.0, 3550.01)
    # "À partir de": a floor only.
    floor = offers["8c4e0b2d6a1f9e02"]
    assert (floor["salary_min"], floor["salary_max"], floor["salary_period"]) == (
        1944.0,
        None,
        "monthly",
    )
    assert offers["c9f1b3d5e7a90206"]["salary_period"] == "daily"
    assert offers["0a2c4e6a8c0e1111"]["salary_period"] == "hourly"


def test_stated_salary_unknown(offers):
    none = offers["a3e5c7b9d1f20404"]
    assert (none["salary_min"], none["salary_max"], none["salary_period"]) == (None, None, None)
    assert none["salary_currency"] is None
    odd = offers["e2a4c6e8b0d21607"]  # "quarante mille", "n/a", a numeric type
    assert (odd["salary_min"], odd["salary_max"], odd["salary_period"]) == (None, None, None)


def test_contract(offers):
    # The "job-types" taxonomy.
    assert offers["5f2a9c1e7b3d4a01"]["contract"] == "CDI, Temps plein"
    assert offers["c9f1b3d5e7a90206"]["contract"] == "Freelance / Indépendant"
    # jobTypes as strings, then as objects; jobTypes wins over the taxonomy.
    assert offers["1d7b3f5a9c2e4b03"]["contract"] == "CDD, Temps plein"
    assert offers["b6d8f0a2c4e61805"]["contract"] == "Alternance, Contrat pro"
    assert offers["a3e5c7b9d1f20404"]["contract"] is None
    assert offers["e2a4c6e8b0d21607"]["contract"] is None  # jobTypes: "CDI", a bare string


def test_remote(offers):
    assert offers["5f2a9c1e7b3d4a01"]["remote"] == "Télétravail partiel"
    assert offers["7c9e1a3c5e7a1616"]["remote"] == "Télétravail à temps plein"
    # Only `remoteLocation: true`: the code the normaliser knows.
    assert offers["c9f1b3d5e7a90206"]["remote"] == "remote"
    assert offers["8c4e0b2d6a1f9e02"]["remote"] is None
    assert offers["e2a4c6e8b0d21607"]["remote"] is None  # remoteLocation: "yes"


def test_description_is_the_teaser_html(offers):
    description = offers["5f2a9c1e7b3d4a01"]["description"]
    assert description.startswith('<ul style="list-style-type:circle;')
    assert "<li>Vous pilotez la conception et le déploiement du <b>chatbot</b>" in description
    assert description.endswith("</ul>")
    assert offers["e2a4c6e8b0d21607"]["description"] is None


def test_posted_at(offers):
    # pubDate as given, in milliseconds: 2026-11-14T04:43:00Z.
    assert offers["5f2a9c1e7b3d4a01"]["posted_at"] == "1794631380000"
    # No pubDate, or one that is not a number: the relative text.
    assert offers["a3e5c7b9d1f20404"]["posted_at"] == "il y a 3 jours"
    assert offers["e2a4c6e8b0d21607"]["posted_at"] == "il y a 6 jours"
    # Infinity (which JSON parsers accept) or a number past a float's range: no date either.
    for odd in (float("inf"), 2**1024, -1):
        card = {"pubDate": odd, "formattedRelativeTime": "il y a 2 jours"}
        assert posted_text(card) == "il y a 2 jours"


def test_fields_indeed_never_states(offers):
    for item in offers.values():
        for key in ("latitude", "longitude", "postal_code", "skills", "experience", "apply_url"):
            assert key not in item or item[key] is None


def test_card_without_key_is_kept_for_the_pipeline():
    page = replay_response(SLUG, entry("conversation designer"))
    items, _ = split(make_spider(IndeedSpider).parse_search(page))
    keyless = [item for item in items if item["source_id"] is None]
    assert len(keyless) == 1
    assert keyless[0]["title"] == "Conversation designer junior"
    assert keyless[0]["url"] is None


def test_an_element_that_is_not_a_card_is_rejected_alone():
    page = entry("conversational AI")
    items, _ = split(make_spider(IndeedSpider).parse_search(replay_response(SLUG, page)))
    rejects = [item for item in items if is_reject(item)]
    assert len(rejects) == 1
    assert rejects[0]["reason"] == "job card is not a JSON object"
    assert rejects[0]["payload"] == "null"
    assert rejects[0]["url"] == page["url"]
    assert [item["source_id"] for item in items if not is_reject(item)] == [
        "3b5d7f9b1d3f1212",
        "e2a4c6e8b0d21607",
    ]


@pytest.mark.parametrize(
    "card",
    [
        None,
        [],
        "card",
        7,
        {"jobkey": {"k": 1}, "displayTitle": ["a"], "title": 3},
        {"salarySnippet": ["x"], "extractedSalary": [1, 2], "taxonomyAttributes": [None, 3]},
        {"taxonomyAttributes": [{"label": "job-types", "attributes": "CDI"}]},
        {"taxonomyAttributes": [{"label": "remote", "attributes": [None, {"label": ""}]}]},
        {"pubDate": -5, "formattedRelativeTime": ""},
        {"extractedSalary": {"min": True, "max": None, "type": ""}},
    ],
)
def test_odd_cards_never_raise_and_leave_unknowns_none(card):
    item = offer_from_card(card)
    assert item["source"] == "indeed"
    assert "" not in item.values()
    for key in RAW_FIELDS:
        if key != "source":
            assert item.get(key) is None, key


# ---------------------------------------------------------------- invariants


def _item_id(item: dict) -> str:
    return str(item.get("source_id") or item.get("title") or item.get("reason"))


@pytest.mark.parametrize("item", OFFERS, ids=[_item_id(i) for i in OFFERS])
def test_every_offer(item):
    assert item["source"] == SLUG
    assert set(item) <= set(RAW_FIELDS)
    assert "" not in item.values()
    assert [] not in item.values()
    if item["source_id"] is None:
        assert item["url"] is None
    else:
        assert len(item["source_id"]) == 16
        assert int(item["source_id"], 16) >= 0
        assert item["url"] == f"https://fr.indeed.com/viewjob?jk={item['source_id']}"
    for key in ("title", "company", "location", "salary", "contract", "remote", "posted_at"):
        assert item[key] is None or item[key] == item[key].strip()
    if item["salary_min"] is not None and item["salary_max"] is not None:
        assert item["salary_min"] <= item["salary_max"]


def test_fixtures_hold_what_the_readme_says():
    assert len(ALL_ITEMS) == 47
    assert len(OFFERS) == 46
    assert len({item["source_id"] for item in OFFERS} - {None}) == 32
    assert sum(item["source_id"] is None for item in OFFERS) == 1


# ---------------------------------------------------------------- paging


def test_chatbot_pages_are_followed_to_the_partial_last():
    spider = make_spider(IndeedSpider)
    items, requests = split(spider.parse_search(replay_response(SLUG, entry("chatbot", 0))))
    assert [search_of(r.url) for r in requests] == [("chatbot", 10)]
    items, requests = split(spider.parse_search(replay_response(SLUG, entry("chatbot", 10))))
    assert len(items) == 10
    assert [search_of(r.url) for r in requests] == [("chatbot", 20)]
    items, requests = split(spider.parse_search(replay_response(SLUG, entry("chatbot", 20))))
    assert len(items) == 4
    assert requests == []


def test_a_repeated_page_ends_the_term():
    """Asked past its end, Indeed serves its last page again: nothing new, no more pages."""
    spider = make_spider(IndeedSpider)
    first = replay_response(SLUG, entry("chatbot", 0))
    split(spider.parse_search(first))
    again = fixture_response(
        f"{SLUG}/search_chatbot_0.html", url=search_url("chatbot", 10), headers=HTML
    )
    items, requests = split(spider.parse_search(again))
    assert len(items) == 10  # still yielded: the pipeline sees them as unchanged
    assert requests == []


def test_the_same_cards_for_another_term_are_new_to_it():
    spider = make_spider(IndeedSpider)
    split(spider.parse_search(replay_response(SLUG, entry("chatbot", 0))))
    page = fixture_response(
        f"{SLUG}/search_chatbot_0.html", url=search_url("voicebot", 0), headers=HTML
    )
    _, requests = split(spider.parse_search(page))
    assert [search_of(r.url) for r in requests] == [("voicebot", 10)]


@pytest.mark.parametrize(
    "start, count, new_keys, expected",
    [
        (0, 10, 10, 10),
        (0, 15, 15, 10),  # Indeed may show more than ten: the offset still moves by ten
        (10, 10, 3, 20),
        (20, 4, 4, None),
        (0, 0, 0, None),
        (30, 10, 0, None),
        (80, 10, 10, 90),
        (90, 10, 10, None),  # the cap
    ],
)
def test_next_start(start, count, new_keys, expected):
    assert next_start(start, count, new_keys) == expected


def test_paging_cap():
    assert PAGE_STEP == 10
    assert MAX_START == 100


def test_no_page_past_the_cap():
    page = fixture_response(
        f"{SLUG}/search_chatbot_0.html", url=search_url("chatbot", 90), headers=HTML
    )
    items, requests = split(make_spider(IndeedSpider).parse_search(page))
    assert len(items) == 10
    assert requests == []


# ---------------------------------------------------------------- empty results


def test_empty_result_is_no_offer_and_no_stop():
    spider = make_spider(IndeedSpider)
    items, requests = split(spider.parse_search(replay_response(SLUG, entry("bot designer"))))
    assert items == [] and requests == []
    assert stat(spider, "botjobs/status") is None


def test_a_no_result_page_without_job_cards_is_an_empty_result(caplog):
    spider = make_spider(IndeedSpider)
    page = fixture_response(
        f"{SLUG}/no_result_page.html", url=search_url("bot designer", 0), headers=HTML
    )
    with caplog.at_level(logging.INFO):
        items, requests = split(spider.parse_search(page))
    assert items == [] and requests == []
    assert stat(spider, "botjobs/status") is None
    assert "no result" in caplog.text


# ---------------------------------------------------------------- errors


def test_a_search_failing_after_retries_is_an_error(caplog):
    spider = make_spider(IndeedSpider)
    failed = next(e for e in ENTRIES if e["status"] == 500)
    assert search_of(failed["url"]) == ("assistant virtuel", 0)
    with caplog.at_level(logging.ERROR):
        spider.search_failed(http_failure(Request(failed["url"]), 500))
    assert stat(spider, "indeed/failed_searches") == 1
    assert stat(spider, "botjobs/status") is None
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and "HTTP 500" in errors[0] and failed["url"] in errors[0]


def test_a_request_dropped_by_the_replay_is_a_warning_only(caplog):
    spider = make_spider(IndeedSpider)
    request = Request(search_url("chatbot", 0))
    with caplog.at_level(logging.WARNING):
        spider.search_failed(failure_for(request, IgnoreRequest("no recorded response")))
    assert stat(spider, "indeed/failed_searches") is None
    assert stat(spider, "botjobs/status") is None


# ---------------------------------------------------------------- walls


def assert_blocked(spider: IndeedSpider, stopped: CloseSpider) -> str:
    assert stopped.reason == BLOCKED
    assert stat(spider, "botjobs/status") == BLOCKED
    message = stat(spider, "botjobs/message")
    assert "Indeed blocked the crawl" in message
    assert "python-jobspy" in message and "botjobs import" in message
    return message


def test_cloudflare_403_stops_the_source():
    spider = make_spider(IndeedSpider)
    page = fixture_response(
        f"{SLUG}/blocked_cloudflare.html", url=search_url("chatbot", 0), status=403, headers=HTML
    )
    out, stopped = until_stop(spider.parse_search(page))
    assert out == []
    message = assert_blocked(spider, stopped)
    assert "HTTP 403" in message and "Cloudflare" in message
    assert search_url("chatbot", 0) in message


def test_hcaptcha_page_served_200_stops_the_source():
    spider = make_spider(IndeedSpider)
    page = fixture_response(
        f"{SLUG}/blocked_hcaptcha.html", url=search_url("voicebot", 0), headers=HTML
    )
    out, stopped = until_stop(spider.parse_search(page))
    assert out == []
    message = assert_blocked(spider, stopped)
    assert "hCaptcha" in message


def test_429_after_retries_stops_the_source():
    spider = make_spider(IndeedSpider)
    page = fixture_response("", url=search_url("chatbot", 0), status=429, body=b"")
    _, stopped = until_stop(spider.parse_search(page))
    assert "HTTP 429" in assert_blocked(spider, stopped)


@pytest.mark.parametrize("status", [403, 429])
def test_a_wall_reaching_the_errback_stops_the_source(status):
    spider = make_spider(IndeedSpider)
    with pytest.raises(CloseSpider) as stopped:
        spider.search_failed(http_failure(Request(search_url("chatbot", 0)), status))
    assert_blocked(spider, stopped.value)


def test_robots_txt_refusal_stops_the_source():
    spider = make_spider(IndeedSpider)
    request = Request(search_url("chatbot", 0))
    with pytest.raises(CloseSpider) as stopped:
        spider.search_failed(failure_for(request, IgnoreRequest("Forbidden by robots.txt")))
    assert stopped.value.reason == BLOCKED
    assert "robots.txt" in stat(spider, "botjobs/message")


def test_block_signs():
    cloudflare = (FIXTURES / SLUG / "blocked_cloudflare.html").read_text("utf-8")
    assert len(block_signs(cloudflare)) >= 3
    assert block_signs((FIXTURES / SLUG / "search_chatbot_0.html").read_text("utf-8")) == []


# ---------------------------------------------------------------- layout changes


def assert_layout_changed(spider, out, stopped, url: str, reason: str) -> None:
    assert stopped.reason == LAYOUT_CHANGED
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED
    assert "spiders/indeed.py" in stat(spider, "botjobs/message")
    assert len(out) == 1 and is_reject(out[0])
    assert reason in out[0]["reason"]
    assert out[0]["url"] == url
    assert out[0]["payload"].startswith("HTTP 200; title: ")
    assert len(out[0]["payload"]) <= 2000


def test_a_page_without_the_job_cards_json_is_a_layout_change():
    spider = make_spider(IndeedSpider)
    url = search_url("chatbot", 0)
    page = fixture_response(f"{SLUG}/layout_changed.html", url=url, headers=HTML)
    out, stopped = until_stop(spider.parse_search(page))
    assert_layout_changed(spider, out, stopped, url, "no mosaic-provider-jobcards JSON")
    assert "Emplois : chatbot" in out[0]["payload"]


def test_unreadable_job_cards_json_is_a_layout_change():
    body = (FIXTURES / SLUG / "search_chatbot_0.html").read_bytes()
    cut = body[: body.index(b'"results"') + 40]  # the JSON stops mid-card
    spider = make_spider(IndeedSpider)
    url = search_url("chatbot", 0)
    out, stopped = until_stop(spider.parse_search(fixture_response("", url=url, body=cut)))
    assert_layout_changed(spider, out, stopped, url, "JSON is unreadable")


@pytest.mark.parametrize(
    "assigned, reason",
    [
        ('{"metaData": {"mosaicProviderJobCardsModel": {"jobs": []}}}', "no metaData."),
        ('{"metaData": {}}', "no metaData.mosaicProviderJobCardsModel.results list"),
        ('{"metaData": {"mosaicProviderJobCardsModel": {"results": {}}}}', "results list"),
        ('["a"]', "not an object"),
    ],
)
def test_job_cards_json_without_results_is_a_layout_change(assigned, reason):
    body = (
        "<html><head><title>Emplois</title></head><body><script>"
        f'window.mosaic.providerData["mosaic-provider-jobcards"]={assigned};</script>'
        "</body></html>"
    ).encode()
    with pytest.raises(LayoutChanged, match=reason.replace(".", r"\.")):
        jobcard_results(body.decode())
    spider = make_spider(IndeedSpider)
    url = search_url("callbot", 0)
    out, stopped = until_stop(spider.parse_search(fixture_response("", url=url, body=body)))
    assert_layout_changed(spider, out, stopped, url, reason)


def test_job_cards_read_with_single_quotes_and_spaces():
    html = (
        "<script>window.mosaic.providerData[ 'mosaic-provider-jobcards' ] = "
        '{"metaData": {"mosaicProviderJobCardsModel": {"results": [{"jobkey": "k"}]}}};'
        'window.mosaic.providerData["other"]={};</script>'
    )
    assert jobcard_results(html) == [{"jobkey": "k"}]
    assert jobcard_results("<html><body>nothing</body></html>") is None


def test_no_withdrawn_case_indeed_offer_pages_are_never_fetched():
    """Indeed's offer pages are not asked for (block risk), so there is no 404 to read."""
    requests = start(make_spider(IndeedSpider))
    assert all(urlsplit(r.url).path == "/jobs" for r in requests)
    page = replay_response(SLUG, entry("chatbot"))
    _, follow = split(make_spider(IndeedSpider).parse_search(page))
    assert all(urlsplit(r.url).path == "/jobs" for r in follow)


# ---------------------------------------------------------------- the manifest covers the crawl


def test_manifest_covers_every_request_of_a_default_replay():
    """Play the crawl by hand: every request the spider makes has a recorded answer."""
    walk = walk_crawl(make_spider(IndeedSpider, REPLAY_SETTINGS))
    assert walk.unused() == [], "fixtures never used"
    assert len(walk.sent) == 14
    assert [status for url, status in walk.answers if "assistant+virtuel" in url] == [500]
    assert len(walk.offers) == 46
    assert len(walk.rejects) == 1
    assert stat(walk.spider, "indeed/failed_searches") == 1


# ---------------------------------------------------------------- end to end


def test_offline_crawl_end_to_end(tmp_path):
    path = tmp_path / "x.db"
    done = crawl_offline(path, SLUG, "-q")
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    # 46 cards (13 seen again under another term), 2 rejects (a keyless card, a null element),
    # 1 error (the search answering 500 after its retries).
    assert (run["items"], run["new"], run["rejects"], run["errors"]) == (46, 32, 2, 1)
    assert run["status"] == "partial"
    assert run["mode"] == "offline"
    db = open_db(str(path))
    try:
        stored = {row["source_id"]: row for row in db["offers"].rows_where("source = ?", [SLUG])}
        reasons = sorted(row["reason"] for row in db["rejects"].rows_where("source = ?", [SLUG]))
    finally:
        db.close()
    assert len(stored) == 32
    first = stored["5f2a9c1e7b3d4a01"]
    assert first["title"] == "Chargé de projet chatbot H/F"
    assert first["salary"] == "De 52 000 € à 58 000 € par an"
    assert first["url"] == "https://fr.indeed.com/viewjob?jk=5f2a9c1e7b3d4a01"
    assert stored["c9f1b3d5e7a90206"]["remote"] == "full"
    assert reasons == ["job card is not a JSON object", "missing source_id"]
    assert "assistant+virtuel" in done.stderr


def test_a_wall_late_in_the_crawl_leaves_the_run_blocked(tmp_path):
    """The real engine: the last chatbot page answers Cloudflare's 403; the run says blocked."""
    fixtures = patched_fixtures(
        tmp_path, SLUG, search_url("chatbot", 20), status=403, file="blocked_cloudflare.html"
    )
    path = tmp_path / "b.db"
    done = crawl_offline(path, SLUG, "--fixtures", str(fixtures))
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    assert run["status"] == BLOCKED
    assert "Indeed blocked the crawl" in run["message"]
    assert "botjobs import" in run["message"]
    # The two chatbot pages before the wall were read and kept.
    assert run["new"] >= 20
