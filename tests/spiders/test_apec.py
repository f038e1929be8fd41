"""Apec spider: search paging, offer details and their fallbacks, anti-bot pages, offline."""

from __future__ import annotations

import json
import logging

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.apec import (
    BLOCK_MARKERS,
    CONTRACT_LABELS,
    DETAIL_URL,
    PAGE_SIZE,
    SEARCH_URL,
    WITHDRAWN_BEFORE_ANY_READ,
    ApecSpider,
    block_seen,
    contract_label,
    detail_url,
    experience_label,
    next_start,
    offer_from_json,
    read_detail,
    read_search,
    search_body,
)
from spiders.common import FeedError
from spiders.search_terms import search_terms
from tests.helpers import (
    FIXTURES,
    REPLAY_SETTINGS,
    crawl_offline,
    crawl_run,
    drain,
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

SLUG = "apec"
ENTRIES = manifest_entries(SLUG)
PAGE_URL = "https://www.apec.fr/candidat/recherche-emploi.html/emploi/detail-offre/"
JSON_HEADERS = {"Content-Type": "application/json;charset=UTF-8"}
HTML_HEADERS = {"Content-Type": "text/html; charset=utf-8"}

# Hand-written offers of build_fixtures.py.
CHEF_LYON = "176412305W"
PO_PARIS = "176398841W"
CONFIDENTIAL = "176377102W"
DESIGNER_BORDEAUX = "176366590W"
ALTERNANCE_LILLE = "176355018W"
ALTERNANCE_TOULOUSE = "176301145W"
PO_MULTI = "176344427W"
WITHDRAWN_404 = "176333916W"
DETAIL_500 = "176322481W"
TRUNCATED = "176311007W"
WITHDRAWN_204 = "176280033W"
ODD_TYPES = "176388250W"
CHEF_AJACCIO = "176310876W"
CHARGE_REUNION = "176332801W"


# ---------------------------------------------------------------- helpers


def search_entry(term: str, start: int = 0) -> dict:
    found = [
        e
        for e in ENTRIES
        if e["method"] == "POST"
        and e["body"]["motsCles"] == term
        and e["body"]["pagination"]["startIndex"] == start
    ]
    assert len(found) == 1, f"no single manifest entry for {term!r} at {start}"
    return found[0]


def detail_entry(numero: str) -> dict:
    return next(e for e in ENTRIES if e["method"] == "GET" and e["url"] == detail_url(numero))


def search_page(spider: ApecSpider, term: str, start: int = 0) -> tuple[list, list[Request]]:
    response = replay_response(SLUG, search_entry(term, start))
    return split(spider.parse_search(response, term=term, start=start))


def search_response(body: bytes, status: int = 200, headers: dict | None = None):
    return fixture_response(
        "", url=SEARCH_URL, status=status, headers=headers, method="POST", body=body
    )


def detail_response(numero: str, body: bytes, status: int = 200, headers: dict | None = None):
    return fixture_response("", url=detail_url(numero), status=status, headers=headers, body=body)


def first_result(numero: str) -> dict:
    """The search result of an offer as the first search that lists it gives it."""
    for entry in ENTRIES:
        if entry["method"] != "POST" or "file" not in entry:
            continue
        data = json.loads((FIXTURES / SLUG / entry["file"]).read_text("utf-8"))
        for result in data["resultats"]:
            if isinstance(result, dict) and result.get("numeroOffre") == numero:
                return result
    raise AssertionError(f"{numero} is in no search page")


WALK = walk_crawl(make_spider(ApecSpider, REPLAY_SETTINGS))
ALL_OFFERS = WALK.offers


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    return {item["source_id"]: item for item in ALL_OFFERS if item["source_id"] is not None}


# ---------------------------------------------------------------- the requests


def test_search_body_holds_only_the_documented_keys():
    body = search_body("chef de projet chatbot", 200)
    assert body == {
        "motsCles": "chef de projet chatbot",
        "lieux": [],
        "typesContrat": [],
        "typesTeletravail": [],
        "sorts": [{"type": "DATE", "direction": "DESCENDING"}],
        "pagination": {"range": 100, "startIndex": 200},
        "activeFiltre": True,
    }
    assert PAGE_SIZE == 100


def test_start_posts_one_search_per_term():
    spider = make_spider(ApecSpider)
    requests = start(spider)
    assert [json.loads(r.body)["motsCles"] for r in requests] == search_terms()
    for request in requests:
        assert request.method == "POST"
        assert request.url == SEARCH_URL
        assert request.headers["Content-Type"] == b"application/json"
        assert json.loads(request.body) == search_body(json.loads(request.body)["motsCles"], 0)
        assert request.cb_kwargs == {"term": json.loads(request.body)["motsCles"], "start": 0}
        assert 403 in request.meta["handle_httpstatus_list"]


def test_terms_argument_overrides_the_list():
    requests = start(make_spider(ApecSpider, terms="rasa, botpress\nvoicebot"))
    assert [json.loads(r.body)["motsCles"] for r in requests] == ["rasa", "botpress", "voicebot"]


def test_manifest_bodies_are_what_the_spider_sends():
    posts = [e for e in ENTRIES if e["method"] == "POST"]
    for entry in posts:
        body = entry["body"]
        assert body == search_body(body["motsCles"], body["pagination"]["startIndex"])
    assert {e["body"]["motsCles"] for e in posts} == set(search_terms())


def test_detail_request():
    spider = make_spider(ApecSpider)
    _, requests = search_page(spider, "chef de projet chatbot")
    assert [r.url for r in requests] == [
        f"{DETAIL_URL}?numeroOffre={CHEF_LYON}",
        f"{DETAIL_URL}?numeroOffre={CHEF_AJACCIO}",
    ]
    request = requests[0]
    assert request.method == "GET"
    assert request.headers["Accept"] == b"application/json"
    assert request.cb_kwargs["result"]["numeroOffre"] == CHEF_LYON
    assert set(request.meta["handle_httpstatus_list"]) == {204, 403, 404, 410}


def test_an_offer_found_twice_is_asked_once():
    spider = make_spider(ApecSpider)
    search_page(spider, "chatbot")
    _, requests = search_page(spider, "chef de projet chatbot")
    assert [r.url for r in requests] == [detail_url(CHEF_AJACCIO)]


# ---------------------------------------------------------------- paging


def test_chatbot_pages_are_followed_until_the_total():
    spider = make_spider(ApecSpider)
    items, requests = search_page(spider, "chatbot", 0)
    following = [r for r in requests if r.method == "POST"]
    assert len(following) == 1
    assert json.loads(following[0].body) == search_body("chatbot", 100)
    assert following[0].cb_kwargs == {"term": "chatbot", "start": 100}
    # 100 results: a null one is rejected, one without numeroOffre is yielded as it is.
    assert len([r for r in requests if r.method == "GET"]) == 98
    assert [is_reject(i) for i in items] == [False, True]

    _, requests = search_page(spider, "chatbot", 100)
    following = [r for r in requests if r.method == "POST"]
    assert [json.loads(r.body)["pagination"] for r in following] == [
        {"range": 100, "startIndex": 200}
    ]
    assert len([r for r in requests if r.method == "GET"]) == 100

    items, requests = search_page(spider, "chatbot", 200)
    assert items == []
    assert [r.method for r in requests] == ["GET"] * 30  # the last page, 30 of 230


@pytest.mark.parametrize(
    "start, count, total, expected",
    [
        (0, 100, 230, 100),
        (100, 100, 230, 200),
        (200, 30, 230, None),
        (0, 100, 100, None),  # a full page that is all there is
        (0, 100, 101, 100),
        (0, 40, 230, None),  # short page: the last, whatever the total says
        (0, 0, 0, None),
        (0, 100, None, 100),  # no total: only a full page hints at more
        (0, 99, None, None),
    ],
)
def test_next_start(start, count, total, expected):
    assert next_start(start, count, total) == expected


def test_a_full_page_that_reaches_the_total_is_the_last():
    data = json.loads((FIXTURES / SLUG / "search_chatbot_100.json").read_text("utf-8"))
    data["totalCount"] = 200
    body = json.dumps(data).encode()
    out = list(
        make_spider(ApecSpider).parse_search(search_response(body), term="chatbot", start=100)
    )
    assert not [o for o in out if isinstance(o, Request) and o.method == "POST"]


def test_empty_search():
    spider = make_spider(ApecSpider)
    items, requests = search_page(spider, "voicebot")
    assert (items, requests) == ([], [])
    assert search_entry("voicebot")["file"] == "search_empty.json"


def test_empty_search_without_a_results_list_is_no_layout_change():
    spider = make_spider(ApecSpider)
    out = list(spider.parse_search(search_response(b'{"totalCount": 0}'), term="x", start=0))
    assert out == []
    assert stat(spider, "botjobs/status") is None


# ---------------------------------------------------------------- one offer, field by field


def test_source_id_and_url(offers):
    assert offers[CHEF_LYON]["source_id"] == CHEF_LYON
    assert offers[CHEF_LYON]["url"] == PAGE_URL + CHEF_LYON


def test_title(offers):
    assert offers[CHEF_LYON]["title"] == "Chef de projet chatbot H/F"
    assert offers[PO_PARIS]["title"] == "Product Owner IA conversationnelle H/F"
    # Padded in the search result, null in the detail.
    assert offers[ODD_TYPES]["title"] == "Voicebot engineer H/F"


def test_company(offers):
    assert offers[CHEF_LYON]["company"] == "Mutuelle Horizon Santé"
    assert offers[PO_PARIS]["company"] == "Banque Ardoise"
    # A list in the search result; the detail's account name then.
    assert offers[ODD_TYPES]["company"] == "Voxia Labs"


def test_confidential_offer_hides_its_employer(offers):
    assert first_result(CONFIDENTIAL)["nomCommercial"] == "Cabinet Ondine Conseil"
    assert first_result(CONFIDENTIAL)["offreConfidentielle"] is True
    assert offers[CONFIDENTIAL]["company"] is None
    assert offers[CONFIDENTIAL]["title"] == "Chargé de projet chatbot H/F"


def test_location(offers):
    assert offers[CHEF_LYON]["location"] == "Lyon 03 - 69"
    assert offers[CHEF_AJACCIO]["location"] == "Ajaccio - 2A"
    assert offers[CHARGE_REUNION]["location"] == "Saint-Denis - 974"
    # The detail lists every place; the search result only the first.
    assert first_result(PO_MULTI)["lieuTexte"] == "Paris 08 - 75"
    assert offers[PO_MULTI]["location"] == "Paris 08 - 75, Lyon 02 - 69"
    # Teaser only: the search result's place.
    assert offers[DETAIL_500]["location"] == "Rennes - 35"
    assert offers[ODD_TYPES]["location"] is None  # "" and an object


def test_salary(offers):
    assert offers[CHEF_LYON]["salary"] == "40 - 45 k€ brut annuel"
    assert offers[PO_PARIS]["salary"] == "A partir de 65 k€ brut annuel"
    assert offers[CONFIDENTIAL]["salary"] == "Selon profil"
    assert offers[DETAIL_500]["salary"] == "50 - 58 k€ brut annuel"
    # An object in the detail; a number in the search result, kept as its digits.
    assert offers[ODD_TYPES]["salary"] == "45000"


def test_contract(offers):
    assert offers[CHEF_LYON]["contract"] == "CDI"
    assert offers[DESIGNER_BORDEAUX]["contract"] == "CDD"
    assert offers[CHARGE_REUNION]["contract"] == "CDD"
    assert offers[ALTERNANCE_LILLE]["contract"] == "Alternance"  # 597137
    assert offers[ALTERNANCE_TOULOUSE]["contract"] == "Alternance"  # 597139
    assert offers[ODD_TYPES]["contract"] == "999999"  # unknown code, kept for the pipeline
    assert offers[TRUNCATED]["contract"] == "CDI"


@pytest.mark.parametrize(
    "value, expected",
    [
        (101888, "CDI"),
        ("101887", "CDD"),
        (597137, "Alternance"),
        (597139, "Alternance"),
        (123456, "123456"),
        (None, None),
        (True, None),
        ("", None),
        ({"id": 101888}, None),
    ],
)
def test_contract_label(value, expected):
    assert contract_label(value) == expected


def test_contract_labels_are_apec_words_not_normalised_types():
    assert set(CONTRACT_LABELS.values()) <= {
        "CDI",
        "CDD",
        "Intérim",
        "Alternance",
        "CDI intérimaire",
    }


def test_remote_is_never_stated(offers):
    assert {item["remote"] for item in offers.values()} == {None}


def test_description_is_the_three_detail_texts(offers):
    description = offers[CHEF_LYON]["description"]
    post, profile, company = description.split("\n")
    assert post.startswith("<p>Au sein de la direction de la relation adhérents (40 personnes)")
    assert "<li>Concevoir les parcours conversationnels" in post
    assert profile.startswith("<p>De formation Bac+5")
    assert company.startswith("<p>Mutuelle Horizon Santé protège 900 000 adhérents")


def test_description_without_company_text(offers):
    assert offers[ODD_TYPES]["description"].count("\n") == 1


def test_description_falls_back_to_the_teaser(offers):
    # Detail answering 500 on every try, and a truncated detail body.
    assert offers[DETAIL_500]["description"] == first_result(DETAIL_500)["texteOffre"]
    assert offers[DETAIL_500]["description"].startswith("Vous êtes responsable de l'assistant")
    assert offers[TRUNCATED]["description"] == first_result(TRUNCATED)["texteOffre"]


def test_posted_at(offers):
    assert offers[CHEF_LYON]["posted_at"] == "2026-11-14T00:00:00.000+0000"
    assert offers[DETAIL_500]["posted_at"] == "2026-11-10T00:00:00.000+0000"
    assert offers[ODD_TYPES]["posted_at"] is None


def test_coordinates(offers):
    assert (offers[CHEF_LYON]["latitude"], offers[CHEF_LYON]["longitude"]) == (
        45.753905,
        4.867439,
    )
    assert offers[CHARGE_REUNION]["latitude"] == -20.878931
    # "48,8402" is read; 500 is no longitude.
    assert (offers[ODD_TYPES]["latitude"], offers[ODD_TYPES]["longitude"]) == (48.8402, None)
    assert (offers[DETAIL_500]["latitude"], offers[DETAIL_500]["longitude"]) == (None, None)


def test_skills(offers):
    assert offers[CHEF_LYON]["skills"] == [
        "Gestion de projet",
        "Dialogflow CX",
        "Méthodes agiles (Scrum, Kanban)",
        "Rédaction de spécifications fonctionnelles",
        "Sens de l'écoute",
    ]
    assert offers[PO_PARIS]["skills"][-1] == "Anglais"
    assert offers[ODD_TYPES]["skills"] is None  # a string, not a list
    assert offers[DETAIL_500]["skills"] is None


def test_experience(offers):
    assert offers[CHEF_LYON]["experience"] == "Expérimenté"
    assert offers[CONFIDENTIAL]["experience"] == "Débutant"
    assert offers[DESIGNER_BORDEAUX]["experience"] == "Tous niveaux d'expérience"
    assert offers[PO_MULTI]["experience"] is None  # a newer code with no known label
    assert offers[DETAIL_500]["experience"] is None


@pytest.mark.parametrize(
    "value, expected",
    [(101881, "Débutant"), ("101883", "Expérimenté"), (597153, None), (None, None)],
)
def test_experience_label(value, expected):
    assert experience_label(value) == expected


def test_apply_url(offers):
    assert (
        offers[CHEF_LYON]["apply_url"]
        == "https://careers.horizon-sante.fr/offres/chef-de-projet-chatbot-lyon"
    )
    assert offers[PO_PARIS]["apply_url"] is None


def test_offer_without_number_is_yielded_from_its_teaser():
    no_number = [item for item in ALL_OFFERS if item["source_id"] is None]
    assert len(no_number) == 1
    assert no_number[0]["title"] == "Lead développeur chatbot H/F"
    assert no_number[0]["url"] is None
    assert no_number[0]["description"].startswith("Vous encadrez l'équipe")


# ---------------------------------------------------------------- invariants


def _item_id(item: dict) -> str:
    return str(item.get("source_id") or item.get("title"))


@pytest.mark.parametrize("item", ALL_OFFERS, ids=[_item_id(i) for i in ALL_OFFERS])
def test_every_item(item):
    assert item["source"] == SLUG
    assert set(item) <= set(RAW_FIELDS)
    assert "" not in item.values()
    assert [] not in item.values()
    assert item["remote"] is None
    if item["source_id"] is not None:
        assert item["source_id"].endswith("W") and item["source_id"][:-1].isdigit()
        assert item["url"] == PAGE_URL + item["source_id"]
    assert item["title"] and item["title"] == item["title"].strip()
    assert item["description"]
    for key in ("postal_code", "commune", "department", "education", "salary_min"):
        assert item.get(key) is None
    if item["latitude"] is not None:
        assert -90 <= item["latitude"] <= 90
    if item["skills"] is not None:
        assert all(isinstance(skill, str) and skill for skill in item["skills"])


def test_fixtures_hold_what_the_readme_says():
    ids = [item["source_id"] for item in ALL_OFFERS]
    assert len(ALL_OFFERS) == 238
    assert len(set(ids) - {None}) == 237 == len(ids) - 1  # each offer once
    assert sum(item["company"] is None for item in ALL_OFFERS) >= 2
    assert [r["reason"] for r in WALK.rejects] == ["search result is not a JSON object"]
    # Withdrawn offers are not yielded.
    assert WITHDRAWN_404 not in ids and WITHDRAWN_204 not in ids


# ---------------------------------------------------------------- details and their failures


def test_withdrawn_detail_yields_nothing(caplog):
    for numero, status in ((WITHDRAWN_404, 404), (WITHDRAWN_204, 204)):
        assert detail_entry(numero)["status"] == status
        spider = make_spider(ApecSpider)
        response = replay_response(SLUG, detail_entry(numero))
        with caplog.at_level(logging.INFO, logger="apec"):
            out = list(spider.parse_detail(response, result=first_result(numero)))
        assert out == []
        assert stat(spider, "apec/withdrawn") == 1
        assert stat(spider, "botjobs/status") is None
    withdrawn = [r for r in caplog.records if "withdrawn" in r.getMessage()]
    assert [r.levelno for r in withdrawn] == [logging.INFO, logging.INFO]
    assert detail_url(WITHDRAWN_404) in withdrawn[0].getMessage()


def test_every_detail_withdrawn_means_the_endpoint_moved():
    spider = make_spider(ApecSpider)
    for n in range(WITHDRAWN_BEFORE_ANY_READ - 1):
        list(spider.parse_detail(detail_response(f"1{n}W", b"", 404), result={}))
    with pytest.raises(CloseSpider):
        list(spider.parse_detail(detail_response("9W", b"", 404), result={}))
    assert stat(spider, "botjobs/status") == "layout-changed"
    assert "detail web service" in stat(spider, "botjobs/message")


def test_withdrawn_offers_after_a_read_detail_are_just_withdrawn():
    spider = make_spider(ApecSpider)
    read = replay_response(SLUG, detail_entry(CHEF_LYON))
    assert len(list(spider.parse_detail(read, result=first_result(CHEF_LYON)))) == 1
    for n in range(WITHDRAWN_BEFORE_ANY_READ + 2):
        assert list(spider.parse_detail(detail_response(f"1{n}W", b"", 404), result={})) == []
    assert stat(spider, "botjobs/status") is None


def test_detail_500_falls_back_to_the_teaser(caplog):
    entry = detail_entry(DETAIL_500)
    assert entry["status"] == 500
    spider = make_spider(ApecSpider)
    response = replay_response(SLUG, entry)
    request = Request(entry["url"], cb_kwargs={"result": first_result(DETAIL_500)})
    failure = failure_for(request, HttpError(response, "Ignoring non-200 response"))
    with caplog.at_level(logging.WARNING, logger="apec"):
        out = list(spider.detail_failed(failure))
    assert len(out) == 1
    assert out[0]["source_id"] == DETAIL_500
    assert out[0]["description"] == first_result(DETAIL_500)["texteOffre"]
    assert stat(spider, "apec/teaser_only") == 1
    assert any("HTTP 500" in r.getMessage() for r in caplog.records)


def test_detail_not_sent_still_keeps_the_teaser():
    spider = make_spider(ApecSpider)
    request = Request(detail_url(CHEF_LYON), cb_kwargs={"result": first_result(CHEF_LYON)})
    failure = failure_for(request, IgnoreRequest("Forbidden by robots.txt"))
    out = list(spider.detail_failed(failure))
    assert [o["source_id"] for o in out] == [CHEF_LYON]


@pytest.mark.parametrize(
    "body",
    [
        b'{"numeroOffre": "176412305W", "intitule": "Chef',  # truncated
        b"[]",
        b"{}",
        b'{"numeroOffre": "176412305W", "texteHtml": "", "texteHtmlProfil": null}',
        b"<html><body><h1>Erreur</h1></body></html>",
        b"",
    ],
)
def test_unreadable_detail_falls_back_to_the_teaser(body):
    spider = make_spider(ApecSpider)
    result = first_result(CHEF_LYON)
    out = list(spider.parse_detail(detail_response(CHEF_LYON, body), result=result))
    assert len(out) == 1
    assert out[0]["description"] == result["texteOffre"]
    assert out[0]["company"] == "Mutuelle Horizon Santé"
    assert stat(spider, "apec/teaser_only") == 1
    assert stat(spider, "botjobs/status") is None


def test_a_detail_of_another_offer_is_not_merged():
    spider = make_spider(ApecSpider)
    body = (FIXTURES / SLUG / "details" / f"{PO_PARIS}.json").read_bytes()
    result = first_result(CHEF_LYON)
    out = list(spider.parse_detail(detail_response(CHEF_LYON, body), result=result))
    assert [(o["source_id"], o["title"]) for o in out] == [(CHEF_LYON, result["intitule"])]
    assert out[0]["description"] == result["texteOffre"]
    assert stat(spider, "apec/teaser_only") == 1


def test_read_detail():
    assert read_detail('{"texteHtmlProfil": "<p>Bac+5</p>"}') == {"texteHtmlProfil": "<p>Bac+5</p>"}
    with pytest.raises(FeedError) as error:
        read_detail('{"texteHtml": ["<p>Bac+5</p>"], "texteHtmlProfil": true}')
    assert error.value.layout is False
    with pytest.raises(FeedError) as error:
        read_detail("[]")
    assert (str(error.value), error.value.layout) == ("body is a JSON list, not an object", False)


@pytest.mark.parametrize(
    "result, detail",
    [
        (None, None),
        ({}, {}),
        ("offer", ["detail"]),
        ({"numeroOffre": {"x": 1}, "intitule": ["a"], "typeContrat": False}, None),
        ({"lieuTexte": 69, "salaireTexte": [], "nomCommercial": {}}, {"lieux": "Lyon"}),
        ({}, {"lieux": [None, 3, {"libelleLieu": ""}], "competences": [None, {"libelle": ""}]}),
        ({}, {"latitude": "nan", "longitude": float("inf"), "idNomNiveauExperience": [1]}),
        ({"offreConfidentielle": "true", "nomCommercial": None}, {"texteHtml": {"p": 1}}),
    ],
)
def test_odd_offers_never_raise_and_leave_unknowns_none(result, detail):
    item = offer_from_json(result, detail)
    assert item["source"] == SLUG
    assert "" not in item.values()
    for key in ("source_id", "url", "company", "salary", "contract", "latitude", "longitude"):
        assert item[key] is None
    assert item["skills"] is None
    assert item["experience"] is None


def test_numbers_in_odd_places():
    item = offer_from_json({"numeroOffre": 176000001, "lieuTexte": 75, "typeContrat": "101888"})
    assert item["source_id"] == "176000001"
    assert item["url"] == PAGE_URL + "176000001"
    assert item["location"] == "75"
    assert item["contract"] == "CDI"


def test_confidential_flag_in_the_detail_alone_hides_the_employer():
    item = offer_from_json({"nomCommercial": "ACME"}, {"offreConfidentielle": True})
    assert item["company"] is None


# ---------------------------------------------------------------- unreadable search pages


def test_layout_change_is_a_reject_then_a_stop():
    spider = make_spider(ApecSpider)
    body = (FIXTURES / SLUG / "search_layout_changed.json").read_bytes()
    out, stopped = drain(
        spider.parse_search(search_response(body, headers=JSON_HEADERS), term="chatbot", start=0)
    )
    assert isinstance(stopped, CloseSpider)
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["reason"] == "body has no 'resultats' list"
    assert out[0]["payload"] == body.decode()
    assert out[0]["url"] == SEARCH_URL
    assert stat(spider, "botjobs/status") == "layout-changed"
    assert "chatbot" in stat(spider, "botjobs/message")


@pytest.mark.parametrize(
    "body",
    [b"[]", b'{"resultats": null, "totalCount": 3}', b'{"resultats": {"a": 1}}', b'"ok"'],
)
def test_json_without_results_is_a_layout_change(body):
    spider = make_spider(ApecSpider)
    out, stopped = drain(spider.parse_search(search_response(body), term="chatbot", start=0))
    assert isinstance(stopped, CloseSpider)
    assert [is_reject(o) for o in out] == [True]
    assert stat(spider, "botjobs/status") == "layout-changed"


@pytest.mark.parametrize("name", ["maintenance.html", None])
def test_a_body_that_is_not_json_is_one_reject(name, caplog):
    body = (FIXTURES / SLUG / name).read_bytes() if name else b'{"totalCount": 3, "resultats": ['
    spider = make_spider(ApecSpider)
    with caplog.at_level(logging.ERROR):
        out, stopped = drain(spider.parse_search(search_response(body), term="callbot", start=0))
    assert stopped is None
    assert len(out) == 1 and is_reject(out[0])
    assert "not valid JSON" in out[0]["reason"]
    assert out[0]["payload"] == body.decode()[:2000]
    assert stat(spider, "botjobs/status") is None
    assert any("callbot" in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_read_search_errors():
    with pytest.raises(FeedError) as error:
        read_search('{"total": 1}')
    assert (str(error.value), error.value.layout) == ("body has no 'resultats' list", True)
    with pytest.raises(FeedError) as error:
        read_search("<html>")
    assert str(error.value).startswith("body is not valid JSON (")
    assert error.value.layout is False
    assert read_search('{"resultats": [], "totalCount": "12"}') == ([], None)


def test_search_500_is_an_error(caplog):
    entry = search_entry("assistant virtuel")
    assert entry["status"] == 500 and "file" not in entry
    spider = make_spider(ApecSpider)
    response = replay_response(SLUG, entry)
    request = Request(SEARCH_URL, method="POST", cb_kwargs={"term": "assistant virtuel"})
    failure = failure_for(request, HttpError(response, "Ignoring non-200 response"))
    with caplog.at_level(logging.ERROR):
        assert spider.search_failed(failure) is None
    assert stat(spider, "apec/failed_searches") == 1
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert errors == ["Apec search 'assistant virtuel' failed: HTTP 500"]


def test_search_not_sent_is_a_warning(caplog):
    spider = make_spider(ApecSpider)
    request = Request(SEARCH_URL, method="POST", cb_kwargs={"term": "chatbot"})
    failure = failure_for(request, IgnoreRequest("Forbidden by robots.txt"))
    with caplog.at_level(logging.WARNING):
        spider.search_failed(failure)
    assert stat(spider, "apec/failed_searches") is None
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


# ---------------------------------------------------------------- anti-bot pages


def assert_blocked(spider: ApecSpider, seen: str) -> None:
    assert stat(spider, "botjobs/status") == "blocked"
    message = stat(spider, "botjobs/message")
    assert "Apec served an anti-bot page" in message
    assert seen in message
    assert "try again later" in message


def test_captcha_page_instead_of_search_results_stops_the_source():
    spider = make_spider(ApecSpider)
    body = (FIXTURES / SLUG / "blocked_captcha.html").read_bytes()
    with pytest.raises(CloseSpider):
        list(
            spider.parse_search(
                search_response(body, headers=HTML_HEADERS), term="chatbot", start=0
            )
        )
    assert_blocked(spider, "captcha")


def test_403_on_search_stops_the_source():
    spider = make_spider(ApecSpider)
    body = (FIXTURES / SLUG / "blocked_403.html").read_bytes()
    with pytest.raises(CloseSpider):
        list(spider.parse_search(search_response(body, 403, HTML_HEADERS), term="x", start=100))
    assert_blocked(spider, "HTTP 403")


@pytest.mark.parametrize("status, name", [(200, "blocked_captcha.html"), (403, "blocked_403.html")])
def test_anti_bot_page_instead_of_a_detail_stops_the_source(status, name):
    spider = make_spider(ApecSpider)
    body = (FIXTURES / SLUG / name).read_bytes()
    response = detail_response(CHEF_LYON, body, status, HTML_HEADERS)
    out, stopped = drain(spider.parse_detail(response, result=first_result(CHEF_LYON)))
    assert isinstance(stopped, CloseSpider)
    assert out == []  # no teaser fallback: the source stops
    assert_blocked(spider, "HTTP 403" if status == 403 else "captcha")
    assert detail_url(CHEF_LYON) in stat(spider, "botjobs/message")


def test_403_with_an_empty_body_is_a_block():
    spider = make_spider(ApecSpider)
    with pytest.raises(CloseSpider):
        list(spider.parse_search(search_response(b"", 403), term="x", start=0))
    assert_blocked(spider, "HTTP 403")


@pytest.mark.parametrize(
    "status, body, expected",
    [
        (403, "", "HTTP 403"),
        (200, "<html><script src='https://geo.captcha-delivery.com/x.js'></script>", "captcha"),
        (200, "  <!DOCTYPE html><title>Just a moment...</title>", "just a moment"),
        (200, "<html><h1>Accès refusé</h1></html>", "accès refusé"),
        (503, "<html>Incapsula incident ID</html>", "incapsula"),
        # JSON is never an anti-bot page, whatever an ad says.
        (200, '{"resultats": [{"texteOffre": "Un vrai challenge, pas de captcha"}]}', None),
        (200, "<html><h1>Site en maintenance</h1></html>", None),
        (200, "", None),
    ],
)
def test_block_seen(status, body, expected):
    seen = block_seen(status, body)
    if expected is None:
        assert seen is None
    else:
        assert expected in seen


def test_block_markers_are_lowercase():
    assert all(marker == marker.casefold() for marker in BLOCK_MARKERS)


def test_anti_bot_fixtures_stay_out_of_the_default_path():
    files = {e.get("file") for e in ENTRIES}
    for name in ("blocked_captcha.html", "blocked_403.html", "search_layout_changed.json"):
        assert (FIXTURES / SLUG / name).exists()
        assert name not in files


# ---------------------------------------------------------------- the manifest covers the crawl


def test_manifest_covers_every_request_of_a_default_replay():
    assert WALK.unused() == [], "fixtures never used"
    searches = [(body["motsCles"], body["pagination"]["startIndex"], status)
                for method, _, body, status in WALK.sent if method == "POST"]  # fmt: skip
    assert [s for s in searches if s[0] == "chatbot"] == [
        ("chatbot", 0, 200),
        ("chatbot", 100, 200),
        ("chatbot", 200, 200),
    ]
    assert ("assistant virtuel", 0, 500) in searches
    assert len(searches) == len(search_terms()) + 2
    details = [url for method, url, _, _ in WALK.sent if method == "GET"]
    assert len(details) == len(set(details)) == 239
    statuses = {url: status for method, url, _, status in WALK.sent if method == "GET"}
    assert statuses[detail_url(WITHDRAWN_404)] == 404
    assert statuses[detail_url(WITHDRAWN_204)] == 204
    assert statuses[detail_url(DETAIL_500)] == 500
    assert stat(WALK.spider, "apec/withdrawn") == 2
    assert stat(WALK.spider, "apec/teaser_only") == 2
    assert stat(WALK.spider, "apec/failed_searches") == 1
    assert stat(WALK.spider, "botjobs/status") is None


def test_offline_crawl_end_to_end(tmp_path):
    """`botjobs crawl --offline --source apec` in a child process (a reactor per run)."""
    db_path = tmp_path / "x.db"
    done = crawl_offline(db_path, SLUG, "-q")
    assert done.returncode == 0, done.stderr
    run = crawl_run(db_path, SLUG)
    # 238 offers, one without numeroOffre rejected by the pipeline, one null result rejected
    # by the spider; the error is the search answering 500 after its retries.
    assert (run["items"], run["new"], run["rejects"], run["errors"], run["status"]) == (
        238,
        237,
        2,
        1,
        "partial",
    )
    assert run["mode"] == "offline"
    db = open_db(str(db_path))
    try:
        listings = list(db["listings"].rows_where("source = ?", [SLUG]))
        assert len(listings) == 237
        # The hand-built offers reuse a few descriptions: one pair has the same whole text,
        # employer, place, contract and salary (the second a month later, under another title,
        # without the employer's name), which duplicate detection calls one job listed twice.
        assert db["offers"].count_where("source = ?", [SLUG]) == 236
        reposted = db["listings"].get((SLUG, "175716311W"))["offer_id"]
        assert db["listings"].get((SLUG, "175075293W"))["offer_id"] == reposted
        stored = {row["source_id"]: row for row in db["offers"].rows_where("source = ?", [SLUG])}
        chef = stored[CHEF_LYON]
        assert (chef["title"], chef["company"], chef["salary"]) == (
            "Chef de projet chatbot H/F",
            "Mutuelle Horizon Santé",
            "40 - 45 k€ brut annuel",
        )
        assert (chef["city"], chef["department"], chef["contract"]) == ("Lyon", "69", "CDI")
        assert stored[CONFIDENTIAL]["company"] is None
        assert stored[ALTERNANCE_LILLE]["contract"] == "alternance"
        assert stored[DETAIL_500]["description"].startswith("Vous êtes responsable")
        assert WITHDRAWN_404 not in stored
        reasons = sorted(row["reason"] for row in db["rejects"].rows_where("source = ?", [SLUG]))
        assert len(reasons) == 2
        assert "search result is not a JSON object" in reasons
    finally:
        db.close()
    assert "assistant virtuel" in done.stderr
