"""Cyberjobs spider against hand-built fixtures (tests/fixtures/cyberjobs/README.md), offline.

The recorded crawl is walked once, as Scrapy would walk it (start requests, then every request
the spider yields, each answered from the manifest, the same URL fetched once); the field tests
read the offers of that walk. Block and layout-change pages are fed directly: in the manifest
they would stop the source before the good pages are read.
"""

from __future__ import annotations

import json
import logging

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider, IgnoreRequest
from w3lib.url import canonicalize_url

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import BLOCKED, LAYOUT_CHANGED
from spiders.cyberjobs import (
    MAX_PAGES,
    PAGE_META,
    TERM_META,
    CyberjobsSpider,
    LayoutChanged,
    html_fields,
    is_blocked,
    offer_id,
    page_number,
    parse_listing,
    read_offer_page,
    search_url,
)
from spiders.search_terms import search_terms
from tests.helpers import (
    REPLAY_SETTINGS,
    Walk,
    crawl_offline,
    crawl_run,
    drain,
    failure_for,
    fixture_path,
    fixture_response,
    make_spider,
    manifest_entries,
    response_failure,
    start,
    stat,
    walk_crawl,
)

SLUG = "cyberjobs"
SITE = "https://www.cyberjobs.fr"
ENTRIES = manifest_entries(SLUG)


def offer_url(number: str, slug: str) -> str:
    return f"{SITE}/Jobs/{number}/{slug}"


O_FULL = offer_url("48213", "charge-de-projet-chatbot-h-f")
O_GRAPH = offer_url("48302", "analyste-soc-assistant-virtuel")
O_HTML = offer_url("48355", "product-owner-chatbot-cybersecurite")
O_BARE = offer_url("48377", "conversation-designer-h-f")
O_GONE = offer_url("48420", "responsable-chatbot-pentest")
O_NEITHER = offer_url("48451", "chef-de-projet-chatbot-gouvernance")
O_MALFORMED = offer_url("48468", "lead-developpeur-voicebot-h-f")
O_HEX = offer_url("6571c0ffee0a1b2c3d4e5f60", "responsable-agent-conversationnel-support-securite")


# ---------------------------------------------------------------- helpers


def search_response(file: str, url: str, status: int = 200, page: int = 1, term: str = "chatbot"):
    return fixture_response(
        f"{SLUG}/{file}", url=url, status=status, meta={TERM_META: term, PAGE_META: page}
    )


def offer_response(file: str, url: str, status: int = 200, meta: dict | None = None):
    return fixture_response(f"{SLUG}/{file}", url=url, status=status, meta=meta)


WALK = walk_crawl(make_spider(CyberjobsSpider, REPLAY_SETTINGS))
OFFERS = {o["source_id"]: o for o in WALK.offers}


@pytest.fixture(scope="module")
def walk() -> Walk:
    return WALK


def offer(number: str) -> dict:
    assert number in OFFERS, f"offer {number} not read"
    return OFFERS[number]


# ---------------------------------------------------------------- start and paging


def test_one_first_page_per_default_term():
    requests = start(make_spider(CyberjobsSpider))
    assert [r.url for r in requests] == [search_url(t, 1) for t in search_terms()]
    assert len(requests) == 12
    assert all(r.callback.__name__ == "parse_search" for r in requests)


def test_terms_argument_overrides_the_list():
    spider = make_spider(CyberjobsSpider, terms="rasa, botpress")
    assert [r.url for r in start(spider)] == [
        f"{SITE}/Jobs?keywords=rasa&page=1",
        f"{SITE}/Jobs?keywords=botpress&page=1",
    ]


def test_search_url_encodes_the_term():
    assert search_url("chargé de projet chatbot", 2) == (
        f"{SITE}/Jobs?keywords=charg%C3%A9+de+projet+chatbot&page=2"
    )


def test_every_default_term_has_a_recorded_first_page():
    recorded = {canonicalize_url(e["url"]) for e in ENTRIES}
    for term in search_terms():
        assert canonicalize_url(search_url(term, 1)) in recorded, term


def test_chatbot_is_read_over_three_pages(walk):
    chatbot = [(u, s) for u, s in walk.answers if "keywords=chatbot&" in u]
    assert chatbot == [(search_url("chatbot", n), 200) for n in (1, 2, 3)]


def test_first_page_links_the_next():
    listing = parse_listing(
        fixture_path(f"{SLUG}/recherche_chatbot_p1.html").read_text("utf-8"),
        search_url("chatbot", 1),
    )
    assert listing.next_url == search_url("chatbot", 2)
    assert listing.offer_urls[0] == O_FULL
    assert len(listing.offer_urls) == 4


def test_last_page_has_no_next():
    listing = parse_listing(
        fixture_path(f"{SLUG}/recherche_chatbot_p3.html").read_text("utf-8"),
        search_url("chatbot", 3),
    )
    assert listing.next_url is None
    assert listing.offer_urls == [O_FULL, offer_url("48377", "conversation-designer-h-f")]


def test_next_page_request_carries_term_and_page():
    spider = make_spider(CyberjobsSpider)
    out = list(
        spider.parse_search(
            search_response("recherche_chatbot_p2.html", search_url("chatbot", 2), page=2)
        )
    )
    pages = [r for r in out if isinstance(r, Request) and r.callback == spider.parse_search]
    assert [(r.url, r.meta[PAGE_META], r.meta[TERM_META]) for r in pages] == [
        (search_url("chatbot", 3), 3, "chatbot")
    ]


def test_a_next_link_backwards_is_not_followed():
    body = (
        '<ul class="job-list"><li class="job-card"><a href="/Jobs/1/a">A</a></li></ul>'
        '<a rel="next" href="/Jobs?keywords=chatbot&amp;page=2">Suivant</a>'
    )
    assert parse_listing(body, search_url("chatbot", 2)).next_url is None
    assert parse_listing(body, search_url("chatbot", 1)).next_url == search_url("chatbot", 2)


def test_paging_stops_at_the_cap():
    spider = make_spider(CyberjobsSpider)
    body = (
        '<ul class="job-list"><li class="job-card"><a href="/Jobs/1/a">A</a></li></ul>'
        f'<a rel="next" href="/Jobs?keywords=chatbot&amp;page={MAX_PAGES + 1}">Suivant</a>'
    )
    response = fixture_response(
        "",
        search_url("chatbot", MAX_PAGES),
        body=body.encode(),
        meta={TERM_META: "chatbot", PAGE_META: MAX_PAGES},
    )
    out = list(spider.parse_search(response))
    assert [r.url for r in out if isinstance(r, Request)] == [f"{SITE}/Jobs/1/a"]
    assert stat(spider, "cyberjobs/page_cap") == 1


def test_an_offer_listed_twice_is_fetched_once(walk):
    urls = [u for u, _ in walk.answers]
    assert urls.count(O_FULL) == 1
    assert len(urls) == len(set(urls))


@pytest.mark.parametrize(
    "url, expected",
    [
        (search_url("chatbot", 3), 3),
        (f"{SITE}/Jobs?keywords=chatbot", 1),
        (f"{SITE}/Jobs?keywords=chatbot&page=x", 1),
        (f"{SITE}/Jobs?keywords=chatbot&page=0", 1),
    ],
)
def test_page_number(url, expected):
    assert page_number(url) == expected


# ---------------------------------------------------------------- the manifest and the walk


def test_walk_answers_every_manifest_entry(walk):
    assert walk.unused() == [], "fixtures never used"


def test_walk_counts(walk):
    # 16 offer pages: 14 offers, one soft error page (reject), one 404 (withdrawn).
    assert len(walk.offers) == 14
    assert len(walk.rejects) == 1
    assert len(OFFERS) == 14


def test_the_500_is_the_only_failure(walk):
    assert walk.failed == [search_url("assistant virtuel", 1)]


def test_empty_result_yields_nothing_and_does_not_stop(caplog):
    spider = make_spider(CyberjobsSpider)
    url = search_url("bot designer", 1)
    with caplog.at_level(logging.INFO):
        response = search_response("recherche_vide.html", url, term="bot designer")
        out, stopped = drain(spider.parse_search(response))
    assert out == []
    assert stopped is None
    assert stat(spider, "botjobs/status") is None
    assert "no result for 'bot designer'" in caplog.text


def test_empty_result_page_keeps_the_structure():
    listing = parse_listing(
        fixture_path(f"{SLUG}/recherche_vide.html").read_text("utf-8"),
        search_url("bot designer", 1),
    )
    assert listing.offer_urls == [] and listing.next_url is None


# ---------------------------------------------------------------- errors, blocks, layout


def test_error_after_retries_is_logged_and_counted(caplog):
    spider = make_spider(CyberjobsSpider)
    url = search_url("assistant virtuel", 1)
    response = search_response("erreur_500.html", url, status=500)
    failure = response_failure(response)
    with caplog.at_level(logging.ERROR):
        spider.on_error(failure)
    assert stat(spider, "cyberjobs/failed_requests") == 1
    assert "HTTP 500" in caplog.text and "assistant+virtuel" in caplog.text


def test_a_request_the_replay_does_not_know_is_a_warning_not_an_error(caplog):
    spider = make_spider(CyberjobsSpider)
    failure = failure_for(Request(search_url("rasa", 1)), IgnoreRequest("no recorded response"))
    with caplog.at_level(logging.WARNING):
        spider.on_error(failure)
    assert stat(spider, "cyberjobs/failed_requests") is None
    assert "not fetched" in caplog.text


def test_challenge_page_stops_the_source_as_blocked():
    spider = make_spider(CyberjobsSpider)
    response = search_response("challenge_anti_bot.html", search_url("chatbot", 1))
    out, stopped = drain(spider.parse_search(response))
    assert isinstance(stopped, CloseSpider) and stopped.reason == BLOCKED
    assert out == []
    assert stat(spider, "botjobs/status") == BLOCKED
    assert "anti-bot" in stat(spider, "botjobs/message")


def test_403_stops_the_source_as_blocked():
    spider = make_spider(CyberjobsSpider)
    response = search_response("challenge_anti_bot.html", search_url("chatbot", 1), status=403)
    _, stopped = drain(spider.parse_search(response))
    assert isinstance(stopped, CloseSpider)
    assert stat(spider, "botjobs/status") == BLOCKED
    assert "403" in stat(spider, "botjobs/message")


def test_403_on_an_offer_page_stops_the_source_as_blocked():
    spider = make_spider(CyberjobsSpider)
    _, stopped = drain(spider.parse_offer(offer_response("challenge_anti_bot.html", O_FULL, 403)))
    assert isinstance(stopped, CloseSpider)
    assert stat(spider, "botjobs/status") == BLOCKED


def test_layout_change_rejects_and_stops():
    spider = make_spider(CyberjobsSpider)
    url = search_url("chatbot", 1)
    out, stopped = drain(
        spider.parse_search(search_response("recherche_mise_en_page_changee.html", url))
    )
    assert isinstance(stopped, CloseSpider) and stopped.reason == LAYOUT_CHANGED
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED
    assert "spiders/cyberjobs.py" in stat(spider, "botjobs/message")
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["url"] == url
    assert "results container" in out[0]["reason"]
    assert "jobs-app" in out[0]["payload"]


def test_layout_change_is_raised_by_the_pure_reader():
    with pytest.raises(LayoutChanged):
        parse_listing("<html><body><main></main></body></html>", search_url("chatbot", 1))


def test_captcha_words_in_a_readable_page_do_not_block():
    page = fixture_path(f"{SLUG}/recherche_chatbot_p1.html").read_text("utf-8")
    page = page.replace("</main>", "<p>Mission : intégrer hCaptcha au chatbot.</p></main>")
    spider = make_spider(CyberjobsSpider)
    out, stopped = drain(
        spider.parse_search(fixture_response("", search_url("chatbot", 1), body=page.encode()))
    )
    assert stopped is None and len(out) == 5


def test_block_markers():
    assert is_blocked(fixture_path(f"{SLUG}/challenge_anti_bot.html").read_text("utf-8"))
    assert not is_blocked(fixture_path(f"{SLUG}/recherche_chatbot_p1.html").read_text("utf-8"))


def test_card_without_offer_link_is_rejected():
    body = (
        '<ul class="job-list"><li class="job-card"><a href="/Jobs/48213/a">A</a></li>'
        '<li class="job-card"><a href="/Company/acme">Publiez vos offres</a></li></ul>'
    )
    spider = make_spider(CyberjobsSpider)
    out = list(
        spider.parse_search(fixture_response("", search_url("chatbot", 1), body=body.encode()))
    )
    rejects = [o for o in out if isinstance(o, dict) and is_reject(o)]
    assert len(rejects) == 1 and "Publiez" in rejects[0]["payload"]
    assert [r.url for r in out if isinstance(r, Request)] == [f"{SITE}/Jobs/48213/a"]


# ---------------------------------------------------------------- withdrawn and unreadable offers


@pytest.mark.parametrize("status", [404, 410])
def test_withdrawn_offer_yields_nothing(status, caplog):
    spider = make_spider(CyberjobsSpider)
    with caplog.at_level(logging.INFO):
        out = list(spider.parse_offer(offer_response("offre_48420.html", O_GONE, status)))
    assert out == []
    assert stat(spider, "cyberjobs/withdrawn") == 1
    assert "withdrawn" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_withdrawn_offer_in_the_walk(walk):
    assert (O_GONE, 404) in walk.answers
    assert "48420" not in OFFERS


def test_offer_redirected_to_the_list_is_withdrawn():
    spider = make_spider(CyberjobsSpider)
    response = fixture_response(
        f"{SLUG}/recherche_vide.html", url=f"{SITE}/Jobs", meta={"redirect_urls": [O_FULL]}
    )
    assert list(spider.parse_offer(response)) == []
    assert stat(spider, "cyberjobs/withdrawn") == 1


def test_page_with_neither_jsonld_nor_layout_is_rejected(walk):
    (rejected,) = walk.rejects
    assert rejected["source"] == SLUG
    assert rejected["url"] == O_NEITHER
    assert "neither JobPosting JSON-LD nor the offer layout" in rejected["reason"]
    payload = json.loads(rejected["payload"])
    assert payload["h1"] == "Oups !" and payload["jsonld_scripts"] == 0


def test_malformed_jsonld_falls_back_to_html(caplog):
    spider = make_spider(CyberjobsSpider)
    with caplog.at_level(logging.WARNING):
        (item,) = list(spider.parse_offer(offer_response("offre_48468.html", O_MALFORMED)))
    assert item["title"] == "Lead développeur voicebot (H/F)"
    assert item["source_id"] == "48468"
    assert "malformed JSON-LD" in caplog.text


def test_malformed_jsonld_without_layout_is_rejected_with_the_json_error():
    page = '<script type="application/ld+json">{"@type": "JobPosting", </script><h1>X</h1>'
    result = read_offer_page(page, O_FULL, "48213")
    assert result.offer is None
    assert "malformed JSON-LD" in result.reason


def test_json_ld_nested_too_deep_falls_back_to_html_and_says_how_deep():
    script = '{"@type": "JobPosting", "title": ' + "[" * 199 + "]" * 199 + "}"  # 200 levels
    page = f'<script type="application/ld+json">{script}</script><h1>X</h1>'
    result = read_offer_page(page, O_FULL, "48213")
    assert result.offer is None
    assert result.warnings == [
        "malformed JSON-LD (script 1): JSON nested 200 levels deep, more than 64"
    ]
    assert result.warnings[0] in result.reason


def test_json_ld_and_date_beside_a_control_character_are_still_read():
    # lxml makes the \x07 an attribute whose name parsel's `.attrib` cannot convert.
    page = (
        '<script type="application/ld+json" \x07>{"@type": "JobPosting", "title": "Chef de '
        'projet chatbot"}</script><time class="job-detail__date" \x07 datetime="2026-11-02">'
        "2 novembre</time>"
    )
    result = read_offer_page(page, O_FULL, "48213")
    assert result.warnings == []
    assert result.offer["title"] == "Chef de projet chatbot"
    assert result.offer["posted_at"] == "2026-11-02"


# ---------------------------------------------------------------- fields


def test_title_from_jsonld():
    assert offer("48213")["title"] == "Chargé de projet chatbot (H/F)"


def test_source_and_id_come_from_the_url():
    item = offer("48213")
    assert item["source"] == SLUG and item["source_id"] == "48213" and item["url"] == O_FULL


def test_hexadecimal_id():
    assert offer("6571c0ffee0a1b2c3d4e5f60")["url"] == O_HEX


def test_company_from_jsonld():
    assert offer("48213")["company"] == "Sentinelle Cyber"


def test_company_by_reference_in_a_graph():
    assert offer("48302")["company"] == "Vigie Numérique"
    assert offer("48302")["url"] == O_GRAPH


def test_html_fills_what_jsonld_leaves_out():
    item = offer("48377")
    assert item["company"] == "Bastion Data"
    assert item["salary"] == "Salaire : 45K à 55K €"
    assert item["salary_min"] is None


def test_location_and_postal_code():
    item = offer("48213")
    assert item["location"] == "Paris, 75009, Île-de-France, FR"
    assert item["postal_code"] == "75009"


def test_stated_salary():
    item = offer("48213")
    assert (item["salary_min"], item["salary_max"]) == (45000, 52000)
    assert (item["salary_period"], item["salary_currency"]) == ("YEAR", "EUR")


def test_single_monthly_salary():
    item = offer("48412")
    assert item["salary_min"] == item["salary_max"] == 3500
    assert item["salary_period"] == "MONTH"


def test_contract_is_the_page_label_not_employment_type():
    assert offer("48213")["contract"] == "CDI"
    assert offer("48433")["contract"] == "Alternance"
    assert offer("48377")["contract"] == "CDD"


def test_contract_falls_back_to_employment_type():
    page = fixture_path(f"{SLUG}/offre_48213.html").read_text("utf-8")
    page = page.replace('<li class="job-detail__contract">CDI</li>', "")
    assert read_offer_page(page, O_FULL, "48213").offer["contract"] == "FULL_TIME"


def test_remote():
    assert offer("48240")["remote"] == "TELECOMMUTE"
    assert offer("48213")["remote"] == "Télétravail partiel (2 jours par semaine)"
    assert offer("48475")["remote"] is None


def test_description_is_html():
    description = offer("48213")["description"]
    assert description.startswith("<p>Sentinelle Cyber recrute")
    assert "<h3>Missions</h3>" in description


def test_posted_at_as_given():
    assert offer("48213")["posted_at"] == "2026-11-03"
    assert offer("48391")["posted_at"] is None


def test_skills_experience_education():
    item = offer("48213")
    assert item["skills"] == ["Dialogflow", "gestion de projet", "RGPD"]
    assert item["experience"] == "36 mois d'expérience"
    assert item["education"] == "Bac+5"


def test_apply_url_from_the_page():
    assert offer("48213")["apply_url"] == f"{O_FULL}/Apply"


def test_html_only_offer():
    item = offer("48355")
    assert item["url"] == O_HTML
    assert item["title"] == "Product Owner chatbot cybersécurité"
    assert item["company"] == "Hexacle"
    assert item["location"] == "Puteaux (92)"
    assert item["salary"] == "De 52 000 € à 58 000 € par an"
    assert item["contract"] == "CDI"
    assert item["remote"] == "Hybride"
    assert item["posted_at"] == "2026-11-01"
    assert item["description"].startswith('<div class="job-detail__description">')
    assert item.get("salary_min") is None and item.get("postal_code") is None


def test_url_is_the_page_read_even_when_the_posting_names_another():
    page = fixture_path(f"{SLUG}/offre_48213.html").read_text("utf-8")
    page = page.replace(f'"url": "{O_FULL}"', '"url": "https://careers.example.fr/job/77"')
    assert "careers.example.fr" in page
    item = read_offer_page(page, O_FULL, "48213").offer
    assert item["url"] == O_FULL and item["source_id"] == "48213"


def test_a_posting_the_reader_chokes_on_falls_back_to_html(monkeypatch):
    def broken(posting, page_url):
        raise RuntimeError("odd posting")

    monkeypatch.setattr("spiders.cyberjobs.jobposting_to_raw", broken)
    result = read_offer_page(
        fixture_path(f"{SLUG}/offre_48213.html").read_text("utf-8"), O_FULL, "48213"
    )
    assert result.offer["title"] == "Chargé de projet chatbot (H/F)"
    assert result.offer.get("salary_min") is None
    assert any("odd posting" in w for w in result.warnings)


def test_html_fields_of_an_empty_page_are_none():
    assert set(html_fields("", O_FULL).values()) == {None}


ITEMS = WALK.offers


@pytest.mark.parametrize("item", ITEMS, ids=[i["source_id"] for i in ITEMS])
def test_every_offer_holds_the_invariants(item):
    assert set(item) <= set(RAW_FIELDS)
    assert item["source"] == SLUG
    assert item["source_id"] and item["url"] and item["title"]
    assert offer_id(item["url"]) == item["source_id"]
    assert item["url"].startswith(SITE + "/Jobs/")
    assert all(v != "" and v != [] for v in item.values())
    assert item["description"] and item["company"]


@pytest.mark.parametrize(
    "url, expected",
    [
        (O_FULL, "48213"),
        (f"{SITE}/Jobs/48213", "48213"),
        (f"{SITE}/Jobs/48213/", "48213"),
        ("https://cyberjobs.fr/Jobs/48213/x?utm_source=a", "48213"),
        (O_HEX, "6571c0ffee0a1b2c3d4e5f60"),
        (f"{SITE}/Jobs", None),
        (f"{SITE}/Jobs?keywords=chatbot&page=2", None),
        (f"{SITE}/Jobs/Search/chatbot", None),
        (f"{SITE}/Company/acme", None),
        ("https://example.org/Jobs/48213/x", None),
    ],
)
def test_offer_id(url, expected):
    assert offer_id(url) == expected


# ---------------------------------------------------------------- end to end


def test_offline_crawl_end_to_end(tmp_path):
    db_path = tmp_path / "x.db"
    done = crawl_offline(db_path, SLUG, "-q")
    assert done.returncode == 0, done.stderr[-3000:]
    run = crawl_run(db_path, SLUG)
    assert run["mode"] == "offline"
    assert (run["items"], run["new"], run["rejects"]) == (14, 14, 1)
    # The 500 on "assistant virtuel": retried, then reported.
    assert run["errors"] >= 1
    assert run["status"] == "partial"
    db = open_db(str(db_path))
    try:
        titles = dict(db.execute("select listings.source_id, title from listings join offers "
                                 "on offers.id = listings.offer_id where listings.source = ?", [SLUG]))  # fmt: skip
        assert len(titles) == 14
        assert titles["48213"] == "Chargé de projet chatbot (H/F)"
        assert "48420" not in titles and "48451" not in titles
        (reason,) = [r["reason"] for r in db["rejects"].rows_where("source = ?", [SLUG])]
        assert "neither" in reason
    finally:
        db.close()
