"""The HelloWork spider against hand-built fixtures (tests/fixtures/hellowork/README.md).

The métier pages are walked once, as the crawl would walk them: start requests, then every
request the spider yields, each answered from the manifest. Field tests read the offers of that
walk; the other tests feed single pages (block pages, a changed layout…) to the callbacks.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import subprocess
from pathlib import Path
from typing import Any

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject, raw_offer
from spiders.common import BLOCKED, LAYOUT_CHANGED, PAYLOAD_CHARS
from spiders.hellowork import (
    CARD_META,
    MAX_PAGES,
    METIER_META,
    METIERS_FILE,
    Card,
    HelloWorkSpider,
    ad_id,
    ad_url,
    block_sign,
    listing_url,
    load_metiers,
    offer_from_posting,
    on_topic,
    page_number,
    read_ad,
    read_listing,
    read_metiers,
    says_no_result,
)
from spiders.search_terms import search_terms
from tests.helpers import (
    FIXTURES,
    Walk,
    answer,
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
    walk_crawl,
)

SLUG = "hellowork"
HTML = {"Content-Type": "text/html; charset=UTF-8"}

DIGITAL = listing_url("chef-de-projet-digital")
DIGITAL_P2 = listing_url("chef-de-projet-digital", 2)
DIGITAL_P3 = listing_url("chef-de-projet-digital", 3)
PRODUCT_OWNER = listing_url("product-owner")
INFORMATIQUE = listing_url("chef-de-projet-informatique")
CONSULTANT_IA = listing_url("consultant-ia")
ERROR_500 = listing_url("chef-de-projet-ia")
EMPTY = listing_url("ux-writer")

KEPT = [str(59410000 + n) for n in range(1, 13)]
OFF_TOPIC = ["59410013", "59410014", "59410015"]
WITHDRAWN = ad_url("59410016")
MALFORMED = ad_url("59410017")
NO_JSONLD = ad_url("59410018")


# --- walking the fixture pages --------------------------------------------------------------


@pytest.fixture(scope="module")
def walked_spider() -> HelloWorkSpider:
    return make_spider(HelloWorkSpider)


@pytest.fixture(scope="module")
def walked(walked_spider: HelloWorkSpider) -> Walk:
    return walk_crawl(walked_spider, strict=False)


@pytest.fixture(scope="module")
def offers(walked: Walk) -> dict[str, dict]:
    by_id = {o["source_id"]: o for o in walked.offers}
    assert len(by_id) == len(walked.offers), "two offers share a source_id"
    return by_id


def page(url: str, meta: dict | None = None) -> Response:
    """The fixture response recorded for `url`."""
    entry = next(e for e in manifest_entries(SLUG) if e["url"] == url)
    return replay_response(SLUG, entry, meta=meta)


def fixture_page(name: str, url: str, status: int = 200, meta: dict | None = None) -> Response:
    return fixture_response(f"{SLUG}/{name}", url=url, status=status, headers=HTML, meta=meta)


def html_page(body: str, url: str, status: int = 200, meta: dict | None = None) -> Response:
    return fixture_response("", url, status=status, headers=HTML, body=body.encode(), meta=meta)


def logged(caplog: pytest.LogCaptureFixture, level: int | None = None) -> list[Any]:
    """The spider's own log records (not Scrapy's start-up lines), of one level if given."""
    return [r for r in caplog.records if r.name == SLUG and (level is None or r.levelno == level)]


# --- the walk -------------------------------------------------------------------------------


def test_manifest_covers_every_request(walked: Walk) -> None:
    assert walked.missing == []


def test_manifest_has_no_unused_entry(walked: Walk) -> None:
    assert walked.unused() == []


def test_manifest_files_exist() -> None:
    for entry in manifest_entries(SLUG):
        assert (FIXTURES / SLUG / entry["file"]).is_file(), entry["url"]


def test_walk_shape(walked: Walk) -> None:
    # 8 listing pages (one answering 500) and 18 ad pages, each fetched once.
    assert len(walked.fetched) == len(set(walked.fetched)) == 26
    listings = [u for u in walked.fetched if "/fr-fr/emploi/metier_" in u]
    # Breadth first, as the queue runs: the six métier pages, then the next pages.
    assert listings == [
        DIGITAL,
        PRODUCT_OWNER,
        INFORMATIQUE,
        CONSULTANT_IA,
        ERROR_500,
        EMPTY,
        DIGITAL_P2,
        DIGITAL_P3,
    ]
    assert walked.statuses[ERROR_500] == 500 and walked.statuses[WITHDRAWN] == 410
    # Ads listed twice (on two pages or two métiers) are asked once: the dupefilter drops 3.
    assert len(walked.requests) - len(walked.fetched) == 3


def test_never_asks_what_robots_txt_disallows(walked: Walk) -> None:
    for request in walked.requests:
        assert request.url.startswith("https://www.hellowork.com/fr-fr/")
        for path in ("/fr-fr/emploi/recherche.html", "/api/", "/rss/"):
            assert path not in request.url
        assert "-ville_" not in request.url  # the city variants of a métier page are not walked


def test_what_the_walk_yields(walked: Walk, walked_spider: HelloWorkSpider) -> None:
    assert sorted(o["source_id"] for o in walked.offers) == KEPT
    assert sorted(r["url"] for r in walked.rejects) == [MALFORMED, NO_JSONLD]
    assert stat(walked_spider, "hellowork/off_topic") == 3
    assert stat(walked_spider, "hellowork/withdrawn") == 1
    assert stat(walked_spider, "hellowork/empty_listings") == 1
    assert stat(walked_spider, "botjobs/status") is None


def test_off_topic_ads_are_read_but_not_kept(walked: Walk, offers: dict[str, dict]) -> None:
    for identifier in OFF_TOPIC:
        assert ad_url(identifier) in walked.fetched
        assert identifier not in offers


# --- fields, offer by offer -----------------------------------------------------------------


def test_source_and_id(offers: dict[str, dict]) -> None:
    assert {o["source"] for o in offers.values()} == {"hellowork"}
    # The numeric id of the ad URL, not jobposting's "host/identifier".
    assert offers["59410001"]["source_id"] == "59410001"


def test_url_is_the_canonical_ad_page(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["url"] == "https://www.hellowork.com/fr-fr/emplois/59410001.html"
    # Its card linked with a tracking query and a fragment.
    assert offers["59410005"]["url"] == "https://www.hellowork.com/fr-fr/emplois/59410005.html"


def test_title(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["title"] == "Chef de projet chatbot H/F"
    assert offers["59410007"]["title"] == "Alternance - Chargé de projet chatbot H/F"
    assert offers["59410009"]["title"] == "Product Owner - Callbot H/F"


def test_company(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["company"] == "Mutuelle Armorique Santé"
    assert offers["59410009"]["company"] == "Caisse Solidaire des Hauts-de-Seine"


def test_location_from_jsonld(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["location"] == "Paris 8e, 75008, Île-de-France, FR"
    assert offers["59410008"]["location"] == "Marseille 2e, 13002, Provence-Alpes-Côte d'Azur, FR"


def test_postal_code_and_coordinates(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["postal_code"] == "75008"
    assert (offers["59410003"]["latitude"], offers["59410003"]["longitude"]) == (
        47.217252,
        -1.55336,
    )
    # No geo in this ad's JSON-LD.
    assert offers["59410005"]["postal_code"] == "59000"
    assert (offers["59410005"]["latitude"], offers["59410005"]["longitude"]) == (None, None)


def test_contract_is_the_cards_label(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["contract"] == "CDI"
    assert offers["59410004"]["contract"] == "CDD - 12 mois"  # employmentType TEMPORARY
    assert offers["59410006"]["contract"] == "Freelance"  # CONTRACTOR
    assert offers["59410007"]["contract"] == "Alternance"
    assert offers["59410012"]["contract"] == "Stage"


def test_remote_is_telecommute_when_stated(offers: dict[str, dict]) -> None:
    assert {k for k, o in offers.items() if o["remote"] is not None} == {
        "59410002",
        "59410003",
        "59410011",
    }
    assert offers["59410002"]["remote"] == "TELECOMMUTE"


def test_salary(offers: dict[str, dict]) -> None:
    first = offers["59410001"]
    assert (first["salary"], first["salary_min"], first["salary_max"]) == (
        "45000–52000 EUR YEAR",
        45000,
        52000,
    )
    assert (first["salary_period"], first["salary_currency"]) == ("YEAR", "EUR")
    assert offers["59410002"]["salary"] == "3000–3500 EUR MONTH"
    assert offers["59410006"]["salary"] == "550 EUR DAY"
    assert offers["59410006"]["salary_min"] == offers["59410006"]["salary_max"] == 550
    assert offers["59410009"]["salary"] == "min 55000 EUR YEAR"
    assert offers["59410009"]["salary_max"] is None


def test_salary_unstated(offers: dict[str, dict]) -> None:
    unstated = offers["59410004"]
    for key in ("salary", "salary_min", "salary_max", "salary_period", "salary_currency"):
        assert unstated[key] is None


def test_skills(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["skills"] == ["Dialogflow CX", "Gestion de projet", "Agile Scrum"]
    # Given as one comma-separated string: kept as written.
    assert offers["59410003"]["skills"] == ["Product ownership, Dialogflow, Jira, Agilité"]


def test_experience(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["experience"] == "36 mois d'expérience"
    assert offers["59410002"]["experience"] == "3 ans minimum sur des projets digitaux"
    assert (
        offers["59410003"]["experience"]
        == "60 mois d'expérience; 5 ans minimum en tant que Product Owner"
    )
    assert offers["59410007"]["experience"] is None


def test_education(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["education"] == "Bac+5, Master"
    assert offers["59410002"]["education"] == "Bac+5"
    assert offers["59410004"]["education"] == "Bac+3; Bac+5 en linguistique ou UX"


def test_description_is_html(offers: dict[str, dict]) -> None:
    description = offers["59410001"]["description"]
    assert description.startswith("<p>Au sein de la direction Relation Adhérents Digitale")
    assert "<li>Piloter les sprints" in description
    assert description.endswith("RTT, intéressement.</p>")


def test_posted_at_as_given(offers: dict[str, dict]) -> None:
    assert offers["59410001"]["posted_at"] == "2026-11-12T09:14:27+01:00"


def test_valid_through_is_not_passed_on(offers: dict[str, dict]) -> None:
    # HelloWork's validThrough is datePosted + 30 days: nothing of it may reach the record.
    for offer in offers.values():
        assert "2026-12-" not in json.dumps(offer)


def test_apply_url_is_the_ad_page(offers: dict[str, dict]) -> None:
    # directApply: true — one applies on the ad page itself.
    assert offers["59410001"]["apply_url"] == ad_url("59410001")


def test_an_ad_kept_for_its_description(offers: dict[str, dict]) -> None:
    kept = offers["59410010"]
    assert "chatbot" not in kept["title"].lower() and "chatbot" in kept["description"]


# --- invariants every offer shares ----------------------------------------------------------


@pytest.fixture(params=KEPT, scope="module")
def offer(request: pytest.FixtureRequest, offers: dict[str, dict]) -> dict:
    return offers[request.param]


def test_invariant_shape(offer: dict) -> None:
    assert offer["source"] == "hellowork"
    assert set(offer) == set(RAW_FIELDS)
    assert offer["source_id"].isdigit() and len(offer["source_id"]) == 8
    assert offer["url"] == ad_url(offer["source_id"])
    assert all(v not in ("", [], {}) for v in offer.values())
    assert raw_offer(**offer) == offer


def test_invariant_text_fields(offer: dict) -> None:
    for key in ("title", "company", "location", "contract", "description", "posted_at"):
        assert isinstance(offer[key], str) and offer[key] == offer[key].strip()
    assert offer["posted_at"].startswith("2026-11-")
    assert offer["commune"] is None and offer["department"] is None
    assert offer["remote"] in (None, "TELECOMMUTE")


def test_invariant_place(offer: dict) -> None:
    assert len(offer["postal_code"]) == 5 and offer["postal_code"] in offer["location"]
    if offer["latitude"] is not None:
        assert 41 < offer["latitude"] < 52 and -5.5 < offer["longitude"] < 10


def test_invariant_salary(offer: dict) -> None:
    low, high = offer["salary_min"], offer["salary_max"]
    if low is not None and high is not None:
        assert low <= high
    stated = low is not None or high is not None
    assert (offer["salary"] is not None) == stated
    assert offer["salary_period"] in ((None,) if not stated else ("DAY", "MONTH", "YEAR"))


def test_invariant_on_topic(offer: dict) -> None:
    assert on_topic(offer, search_terms())


# --- listing pages --------------------------------------------------------------------------


def test_cards_of_a_listing_page() -> None:
    listing = read_listing(page(DIGITAL).text, DIGITAL)
    assert listing.hooks == 5
    assert [c.ad_id for c in listing.cards] == [
        "59410001",
        "59410005",
        "59410013",
        "59410010",
        "59410016",
    ]
    assert listing.cards[0] == Card(
        ad_id="59410001",
        url=ad_url("59410001"),
        title="Chef de projet chatbot H/F",
        company="Mutuelle Armorique Santé",
        location="Paris 8e - 75",
        contract="CDI",
    )


def test_a_card_beside_a_control_character_is_still_read() -> None:
    # lxml makes the \x07 an attribute whose name parsel's `.attrib` cannot convert.
    body = (
        '<li><a data-cy="offerTitle" \x07 href="/fr-fr/emplois/59410001.html"><p>Chef de projet'
        ' chatbot H/F</p><p>Acme</p></a><span data-cy="contractCard">CDI</span></li>'
    )
    [card] = read_listing(body, DIGITAL).cards
    assert (card.ad_id, card.title, card.company, card.contract) == (
        "59410001",
        "Chef de projet chatbot H/F",
        "Acme",
        "CDI",
    )


@pytest.mark.parametrize(
    ("url", "expected"),
    [(DIGITAL, DIGITAL_P2), (DIGITAL_P2, DIGITAL_P3), (DIGITAL_P3, None), (PRODUCT_OWNER, None)],
    ids=["p1", "p2", "last", "single"],
)
def test_next_page(url: str, expected: str | None) -> None:
    assert read_listing(page(url).text, url).next_url == expected


def test_listing_yields_ad_requests_then_the_next_page() -> None:
    spider = make_spider(HelloWorkSpider)
    outputs = list(spider.parse_listing(page(DIGITAL, {METIER_META: "chef-de-projet-digital"})))
    requests = split(outputs)[1]
    assert len(requests) == len(outputs), "a listing page yielded items"
    assert [r.url for r in requests] == [
        *(ad_url(i) for i in ("59410001", "59410005", "59410013", "59410010", "59410016")),
        DIGITAL_P2,
    ]
    ads, following = requests[:-1], requests[-1]
    assert all(r.callback == spider.parse_ad and r.errback == spider.on_error for r in ads)
    assert ads[1].meta[CARD_META]["title"] == "Chef de projet digital - Assistant virtuel H/F"
    assert following.callback == spider.parse_listing
    assert following.meta[METIER_META] == "chef-de-projet-digital"
    assert not any(r.dont_filter for r in requests)


def test_last_page_asks_for_no_further_page() -> None:
    requests = split(make_spider(HelloWorkSpider).parse_listing(page(DIGITAL_P3)))[1]
    assert [r.url for r in requests] == [MALFORMED, ad_url("59410004")]


def test_no_page_past_the_cap() -> None:
    def listing_page(number: int) -> Response:
        body = (
            '<html><body><a data-cy="offerTitle" href="/fr-fr/emplois/59410003.html">'
            "<p>Product Owner chatbot H/F</p></a>"
            f'<a href="/fr-fr/emploi/metier_product-owner.html?p={number + 1}">Suivant</a>'
            "</body></html>"
        )
        return html_page(body, listing_url("product-owner", number))

    spider = make_spider(HelloWorkSpider)
    before = split(spider.parse_listing(listing_page(MAX_PAGES - 1)))[1]
    assert [r.url for r in before] == [ad_url("59410003"), listing_url("product-owner", MAX_PAGES)]
    at_cap = split(spider.parse_listing(listing_page(MAX_PAGES)))[1]
    assert [r.url for r in at_cap] == [ad_url("59410003")]


def test_duplicate_card_on_one_page_is_asked_once() -> None:
    body = page(PRODUCT_OWNER).text
    cards = body[body.index("<li") : body.rindex("</li>") + 5]
    listing = read_listing(body.replace(cards, cards + cards), PRODUCT_OWNER)
    assert listing.hooks == 8
    assert [c.ad_id for c in listing.cards] == ["59410003", "59410009", "59410014", "59410002"]


def test_empty_listing_is_no_error(caplog) -> None:
    spider = make_spider(HelloWorkSpider)
    with caplog.at_level(logging.INFO):
        assert list(spider.parse_listing(page(EMPTY))) == []
    assert stat(spider, "hellowork/empty_listings") == 1
    assert stat(spider, "botjobs/status") is None
    assert not [r for r in logged(caplog) if r.levelno >= logging.WARNING]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("<p>0 offre</p>", True),
        ("<p>Aucune offre ne correspond à votre recherche</p>", True),
        ("<p>Aucun résultat</p>", True),
        ("<p>10 offres</p>", False),
        ("<p>Ne ratez aucune offre : créez une alerte.</p>", False),
        ("<script>var n = '0 offre';</script>", False),
    ],
)
def test_says_no_result(text: str, expected: bool) -> None:
    assert says_no_result(f"<html><body>{text}</body></html>") is expected


def test_500_after_retries_is_an_error(caplog) -> None:
    spider = make_spider(HelloWorkSpider)
    request = spider._listing_request(ERROR_500, "chef-de-projet-ia")
    with caplog.at_level(logging.INFO):
        assert answer(request, page(ERROR_500), spider) == []
    errors = [r.getMessage() for r in logged(caplog, logging.ERROR)]
    assert len(errors) == 1 and ERROR_500 in errors[0] and "500" in errors[0]


def test_unknown_metier_is_an_error_naming_it(caplog) -> None:
    url = listing_url("chef-de-projet-chatbot")
    response = html_page("<html></html>", url, 404, {METIER_META: "chef-de-projet-chatbot"})
    with caplog.at_level(logging.INFO):
        assert list(make_spider(HelloWorkSpider).parse_listing(response)) == []
    [error] = [r.getMessage() for r in logged(caplog, logging.ERROR)]
    assert "chef-de-projet-chatbot" in error and METIERS_FILE.name in error


# --- block pages, changed layout ------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "status", "sign"),
    [
        ("bloque_datadome_403.html", 403, "HTTP 403"),
        ("bloque_cloudflare_403.html", 403, "HTTP 403"),
        ("bloque_datadome_403.html", 200, "DataDome captcha"),
        ("bloque_cloudflare_403.html", 200, "Cloudflare challenge"),
    ],
    ids=["datadome-403", "cloudflare-403", "datadome-200", "cloudflare-200"],
)
@pytest.mark.parametrize("where", ["listing", "ad"])
def test_block_page_stops_the_source(name: str, status: int, sign: str, where: str) -> None:
    spider = make_spider(HelloWorkSpider)
    if where == "listing":
        callback, url = spider.parse_listing, DIGITAL_P2
    else:
        callback, url = spider.parse_ad, ad_url("59410001")
    with pytest.raises(CloseSpider) as stopped:
        list(callback(fixture_page(name, url, status)))
    assert stopped.value.reason == BLOCKED
    assert stat(spider, "botjobs/status") == BLOCKED
    message = stat(spider, "botjobs/message")
    assert sign in message and url in message and "--source" in message


def test_block_signs() -> None:
    assert block_sign((FIXTURES / SLUG / "bloque_datadome_403.html").read_text("utf-8"))
    assert block_sign((FIXTURES / SLUG / "bloque_cloudflare_403.html").read_text("utf-8"))
    # Every good page carries Cloudflare's bot-detection script: not a block.
    for entry in manifest_entries(SLUG):
        assert block_sign((FIXTURES / SLUG / entry["file"]).read_text("utf-8")) is None


def test_403_is_handed_to_the_callbacks() -> None:
    assert 403 in HelloWorkSpider.handle_httpstatus_list


def test_listing_without_cards_is_a_layout_change() -> None:
    spider = make_spider(HelloWorkSpider)
    outputs = spider.parse_listing(fixture_page("metier_mise_en_page_changee.html", DIGITAL))
    rejected = next(outputs)
    assert is_reject(rejected) and rejected["source"] == "hellowork"
    assert rejected["url"] == DIGITAL and 'data-cy="offerTitle"' in rejected["reason"]
    assert rejected["payload"].startswith("title: Emploi Chef de projet digital")
    assert len(rejected["payload"]) <= PAYLOAD_CHARS
    with pytest.raises(CloseSpider) as stopped:
        next(outputs)
    assert stopped.value.reason == LAYOUT_CHANGED
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED
    assert DIGITAL in stat(spider, "botjobs/message")


def test_cards_without_ad_links_are_a_layout_change() -> None:
    body = page(CONSULTANT_IA).text.replace("/fr-fr/emplois/", "/fr-fr/offres/")
    spider = make_spider(HelloWorkSpider)
    outputs = spider.parse_listing(html_page(body, CONSULTANT_IA))
    assert "without ad links" in next(outputs)["reason"]
    with pytest.raises(CloseSpider):
        next(outputs)
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED


# --- ad pages -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [404, 410])
def test_withdrawn_ad_is_info_not_error(status: int, caplog) -> None:
    spider = make_spider(HelloWorkSpider)
    response = fixture_page("annonce_expiree_410.html", WITHDRAWN, status)
    with caplog.at_level(logging.INFO):
        assert list(spider.parse_ad(response)) == []
    assert [r.levelno for r in logged(caplog)] == [logging.INFO]
    assert "withdrawn" in logged(caplog)[0].getMessage()
    assert stat(spider, "hellowork/withdrawn") == 1


def test_malformed_jsonld_is_one_reject_with_the_script(caplog) -> None:
    with caplog.at_level(logging.INFO):
        outputs = list(make_spider(HelloWorkSpider).parse_ad(page(MALFORMED)))
    [rejected] = outputs
    assert is_reject(rejected) and rejected["url"] == MALFORMED
    assert rejected["reason"].startswith("malformed JSON-LD (script 2)")
    assert (
        rejected["payload"].startswith("{")
        and '"title": "Consultant chatbot' in (rejected["payload"])
    )
    assert [r.levelno for r in logged(caplog)] == [logging.WARNING]


def test_ad_without_jobposting_is_rejected() -> None:
    [rejected] = list(make_spider(HelloWorkSpider).parse_ad(page(NO_JSONLD)))
    assert is_reject(rejected) and rejected["url"] == NO_JSONLD
    assert "without JobPosting" in rejected["reason"]
    assert "Chef de projet chatbot H/F" in rejected["payload"]


def test_reject_payload_is_cut() -> None:
    script = '{"@type": "JobPosting", "description": "' + "x" * 5000 + '"'
    body = f'<html><head><script type="application/ld+json">{script}</script></head></html>'
    reading = read_ad(body, ad_url("59410001"))
    assert reading.offer is None
    assert reading.rejects[0]["payload"] == script[:PAYLOAD_CHARS]


def test_json_ld_nested_too_deep_is_a_reject_naming_its_depth() -> None:
    script = '{"@type": "JobPosting", "title": ' + "[" * 199 + "]" * 199 + "}"  # 200 levels
    body = f'<html><head><script type="application/ld+json">{script}</script></head></html>'
    reading = read_ad(body, ad_url("59410001"))
    assert reading.offer is None and not reading.no_posting
    [rejected] = reading.rejects
    assert rejected["reason"] == (
        "malformed JSON-LD (script 1): JSON nested 200 levels deep, more than 64"
    )


def test_json_ld_beside_a_control_character_is_still_read() -> None:
    script = '{"@type": "JobPosting", "title": "Chef de projet chatbot H/F"}'
    body = f'<html><head><script type="application/ld+json" \x07>{script}</script></head></html>'
    reading = read_ad(body, ad_url("59410001"))
    assert reading.rejects == [] and reading.offer["title"] == "Chef de projet chatbot H/F"


def test_off_topic_ad_is_counted_not_yielded() -> None:
    spider = make_spider(HelloWorkSpider)
    assert list(spider.parse_ad(page(ad_url("59410014")))) == []
    assert stat(spider, "hellowork/off_topic") == 1


def test_terms_choose_what_is_kept() -> None:
    spider = make_spider(HelloWorkSpider, terms="paiement mobile")
    [kept] = list(spider.parse_ad(page(ad_url("59410014"))))
    assert kept["title"] == "Product Owner paiement mobile H/F"
    assert list(spider.parse_ad(page(ad_url("59410001")))) == []


def test_no_terms_keep_every_ad() -> None:
    assert len(list(make_spider(HelloWorkSpider, terms="").parse_ad(page(ad_url("59410015"))))) == 1


def test_card_fills_what_the_jsonld_lacks() -> None:
    card = {
        "ad_id": "59410001",
        "title": "Chef de projet chatbot H/F",
        "company": "Mutuelle Armorique Santé",
        "location": "Paris 8e - 75",
        "contract": "CDI",
    }
    offer = offer_from_posting({"@type": "JobPosting"}, ad_url("59410001"), card)
    assert (offer["title"], offer["company"], offer["location"], offer["contract"]) == (
        "Chef de projet chatbot H/F",
        "Mutuelle Armorique Santé",
        "Paris 8e - 75",
        "CDI",
    )
    bare = offer_from_posting({"@type": "JobPosting", "employmentType": "FULL_TIME"}, ad_url("1"))
    assert bare["contract"] == "FULL_TIME" and bare["title"] is None and bare["source_id"] == "1"


@pytest.mark.parametrize(
    "posting",
    [
        {"@type": "JobPosting", "title": ["x"], "jobLocation": "Lyon", "baseSalary": "selon"},
        {"@type": "JobPosting", "hiringOrganization": 3, "skills": [None, {}], "identifier": []},
        {"@type": "JobPosting", "jobLocation": [{}, None], "baseSalary": {"value": "nan"}},
    ],
)
def test_odd_postings_never_raise(posting: dict) -> None:
    offer = offer_from_posting(posting, ad_url("59410099"))
    assert offer["source_id"] == "59410099" and "" not in offer.values()


def test_non_text_response_is_skipped() -> None:
    response = Response(ad_url("1"), body=b"%PDF-1.4\x00", request=Request(ad_url("1")))
    assert list(make_spider(HelloWorkSpider).parse_ad(response)) == []


def test_ignored_request_is_a_warning(caplog) -> None:
    failure = failure_for(Request(DIGITAL), IgnoreRequest("robots.txt"))
    with caplog.at_level(logging.INFO):
        make_spider(HelloWorkSpider).on_error(failure)
    assert [r.levelno for r in logged(caplog)] == [logging.WARNING]


# --- URLs and the métier list ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("https://www.hellowork.com/fr-fr/emplois/59410001.html", "59410001"),
        ("/fr-fr/emplois/59410001.html", "59410001"),
        ("/fr-fr/emplois/59410001.html?searchId=x#candidature", "59410001"),
        ("https://www.hellowork.com/fr-fr/emploi/metier_product-owner.html", None),
        ("https://www.hellowork.com/fr-fr/emplois/recherche.html", None),
        ("https://formation.example.fr/fr-fr/emplois/59410001.html", None),
        ("", None),
        (None, None),
    ],
)
def test_ad_id(url: str | None, expected: str | None) -> None:
    assert ad_id(url) == expected


def test_listing_urls_and_page_numbers() -> None:
    assert DIGITAL == "https://www.hellowork.com/fr-fr/emploi/metier_chef-de-projet-digital.html"
    assert DIGITAL_P2 == DIGITAL + "?p=2"
    assert [page_number(u) for u in (DIGITAL, DIGITAL_P3, DIGITAL + "?p=x", DIGITAL + "?p=0")] == [
        1,
        3,
        1,
        1,
    ]


def test_metiers_file() -> None:
    assert load_metiers() == [
        "chef-de-projet-digital",
        "product-owner",
        "chef-de-projet-informatique",
        "consultant-ia",
        "chef-de-projet-ia",
        "ux-writer",
    ]
    assert "nverified" in METIERS_FILE.read_text("utf-8")


def test_malformed_metier_line_says_where() -> None:
    with pytest.raises(ValueError, match="line 3"):
        read_metiers("# note\nproduct-owner\nProduct Owner\n")
    assert read_metiers("a-b\n\n# c\na-b\n") == ["a-b"]


def test_start_requests_are_the_metier_pages() -> None:
    spider = make_spider(HelloWorkSpider)
    requests = start(spider)
    assert [r.url for r in requests] == [listing_url(m) for m in load_metiers()]
    assert [r.meta[METIER_META] for r in requests] == load_metiers()
    assert all(r.callback == spider.parse_listing for r in requests)


def test_metiers_argument(caplog) -> None:
    with caplog.at_level(logging.ERROR):
        spider = make_spider(HelloWorkSpider, metiers="product-owner, Bad Slug,consultant-ia")
    assert spider.first_page_urls() == [PRODUCT_OWNER, CONSULTANT_IA]
    assert "Bad Slug" in caplog.text


def test_metiers_file_argument(tmp_path: Path) -> None:
    path = tmp_path / "m.txt"
    path.write_text("# mine\nux-writer\n", encoding="utf-8")
    assert make_spider(HelloWorkSpider, metiers_file=str(path)).first_page_urls() == [EMPTY]


def test_source_attributes() -> None:
    assert HelloWorkSpider.name == "hellowork"
    assert HelloWorkSpider.searches is True  # it keeps only the offers naming a term
    assert HelloWorkSpider.opt_in is False and HelloWorkSpider.credentials == ()
    assert HelloWorkSpider.about
    assert make_spider(HelloWorkSpider).terms == search_terms()


# --- the fixtures are what their generator writes -------------------------------------------


def test_fixtures_match_their_generator() -> None:
    spec = importlib.util.spec_from_file_location(
        "hellowork_fixtures", FIXTURES / SLUG / "build_fixtures.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    entries, files = module.build()
    assert json.loads((FIXTURES / SLUG / "manifest.json").read_text("utf-8")) == {
        "responses": entries
    }
    for name, body in files.items():
        assert (FIXTURES / SLUG / name).read_text("utf-8") == body, name
    assert list(module.LISTINGS) == load_metiers()


# --- end to end -----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def crawled(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, subprocess.CompletedProcess]:
    path = tmp_path_factory.mktemp("hellowork") / "x.db"
    return path, crawl_offline(path, SLUG, "-q")


def test_offline_crawl_run(crawled: tuple[Path, subprocess.CompletedProcess]) -> None:
    path, done = crawled
    assert done.returncode == 0, done.stderr[-3000:]
    run = crawl_run(path, SLUG)
    db = open_db(str(path))
    try:
        rejects = sorted(r["url"] for r in db["rejects"].rows_where("source = ?", [SLUG]))
    finally:
        db.close()
    # The métier page answering 500 on every try makes the run partial.
    assert (run["items"], run["new"], run["rejects"], run["status"]) == (12, 12, 2, "partial")
    assert run["errors"] >= 1
    assert rejects == [MALFORMED, NO_JSONLD]
    assert "metier_chef-de-projet-ia.html" in done.stderr


def test_offline_crawl_stores_the_offers(crawled: tuple[Path, subprocess.CompletedProcess]) -> None:
    path, _ = crawled
    db = open_db(str(path))
    try:
        rows = {r["source_id"]: r for r in db["offers"].rows_where("source = ?", [SLUG])}
    finally:
        db.close()
    assert sorted(rows) == KEPT
    first = rows["59410001"]
    assert first["title"] == "Chef de projet chatbot H/F"
    assert first["url"] == ad_url("59410001")
    assert first["contract_raw"] == "CDI" and first["salary"] == "45000–52000 EUR YEAR"
    assert rows["59410002"]["remote_raw"] == "TELECOMMUTE"
