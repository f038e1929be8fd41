"""France Travail spider: extraction, paging, token handling and fixture coverage, offline."""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qs, parse_qsl, urlsplit

import pytest
from scrapy import Request

from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import FeedError
from spiders.france_travail import (
    ENV_CLIENT_ID,
    ENV_CLIENT_SECRET,
    MAX_RANGE_START,
    PAGE_SIZE,
    REPLAY_CREDENTIALS,
    TOKEN_URL,
    ContentRange,
    FranceTravailSpider,
    next_range,
    offer_from_json,
    parse_content_range,
    parse_token,
    search_passes,
    search_url,
    split_terms,
    token_expiry,
    unreachable,
)
from spiders.search_terms import search_terms
from tests.helpers import (
    FIXTURES,
    REPLAY_SETTINGS,
    fixture_response,
    make_spider,
    manifest_entries,
    python_child,
    replay_response,
    split,
    start,
    stat,
    walk_crawl,
)

SLUG = "france_travail"
ENTRIES = manifest_entries(SLUG)


# ---------------------------------------------------------------- helpers


def entry(status: int | None = None, **params: str) -> dict:
    """The manifest entry whose URL carries exactly these query parameters (range defaults)."""
    params.setdefault("range", f"0-{PAGE_SIZE - 1}")
    found = [
        e
        for e in ENTRIES
        if e["method"] == "GET"
        and dict(parse_qsl(urlsplit(e["url"]).query)) == params
        and (status is None or e["status"] == status)
    ]
    assert found, f"no manifest entry for {params}"
    return found[0]


TOKEN_ENTRY = next(e for e in ENTRIES if e["method"] == "POST")


def with_token(spider: FranceTravailSpider) -> list:
    """Feed the spider the recorded token response; returns what it released."""
    return list(spider.got_token(replay_response(SLUG, TOKEN_ENTRY)))


def primed_spider(**kwargs) -> FranceTravailSpider:
    spider = make_spider(FranceTravailSpider, **kwargs)
    with_token(spider)
    return spider


def good_pages() -> list[dict]:
    """The recorded pages that hold offers: all 200/206 but the truncated one."""
    return [
        e
        for e in ENTRIES
        if e["method"] == "GET" and e["status"] in (200, 206) and "conversational" not in e["url"]
    ]


def parse_all_pages() -> list[dict]:
    spider = primed_spider()
    items: list[dict] = []
    for page in good_pages():
        items += split(spider.parse_search(replay_response(SLUG, page)))[0]
    return items


ALL_ITEMS = parse_all_pages()


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    """Every offer of the readable pages, by id (an offer found by two passes is the same)."""
    return {item["source_id"]: item for item in ALL_ITEMS if item["source_id"] is not None}


@pytest.fixture(scope="module")
def chatbot_page() -> list[dict]:
    spider = primed_spider()
    page = replay_response(SLUG, entry(motsCles="chatbot", origineOffre="1"))
    return split(spider.parse_search(page))[0]


# ---------------------------------------------------------------- one page, item by item


def test_chatbot_page_yields_every_offer_in_order(chatbot_page):
    assert [item["source_id"] for item in chatbot_page] == [
        "201KDPQ",
        "202LMRT",
        "203NVBX",
        "204QWZE",
        "205BHJS",
        "206TKLM",
        "211JKLP",
    ]


def test_offer_without_title_is_kept_for_the_pipeline(chatbot_page):
    untitled = chatbot_page[5]
    assert untitled["source_id"] == "206TKLM"
    assert untitled["title"] is None
    assert untitled["company"] == "OXALIS CONSEIL"


def test_offer_without_id_is_kept_for_the_pipeline():
    page = replay_response(SLUG, entry(motsCles="IA conversationnelle", origineOffre="2"))
    items = split(primed_spider().parse_search(page))[0]
    no_id = [item for item in items if item["source_id"] is None]
    assert len(no_id) == 1
    assert no_id[0]["title"] == "Chef de projet IA conversationnelle (H/F)"
    assert no_id[0]["url"] is None
    assert no_id[0]["company"] == "ALTIVIA SERVICES"


def test_source_id(offers):
    assert offers["201KDPQ"]["source_id"] == "201KDPQ"
    # A numeric id becomes text.
    assert offers["4412208"]["source_id"] == "4412208"


def test_url(offers):
    assert (
        offers["201KDPQ"]["url"]
        == "https://candidat.francetravail.fr/offres/recherche/detail/201KDPQ"
    )
    assert offers["4382917"]["url"].endswith("/detail/4382917")


def test_title(offers):
    assert offers["201KDPQ"]["title"] == "Chargé de projet chatbot (H/F)"
    assert offers["205BHJS"]["title"] == "Alternance - Chargé(e) de projet chatbot (H/F)"
    assert offers["4412208"]["title"] == "Développeur chatbot Python (H/F)"


def test_company(offers):
    assert offers["201KDPQ"]["company"] == "GROUPE HELVIA ASSURANCES"
    assert offers["211JKLP"]["company"] is None  # entreprise: {}
    assert offers["4412208"]["company"] is None  # entreprise: []


def test_location(offers):
    assert offers["201KDPQ"]["location"] == "75 - Paris 8e Arrondissement"
    assert offers["208PLKD"]["location"] == "2A - Ajaccio"
    assert offers["207RCVB"]["location"] == "974 - Saint-Denis"
    assert offers["211JKLP"]["location"] == "Ile-de-France"
    assert offers["4401763"]["location"] == "France"


def test_salary(offers):
    assert offers["201KDPQ"]["salary"] == "Annuel de 38000.0 Euros à 45000.0 Euros sur 12.0 mois"
    assert offers["202LMRT"]["salary"] == "Annuel de 60000,00 Euros à 40000,00 Euros"
    # Kept verbatim, mojibake included: the normaliser decides what it means.
    assert offers["208PLKD"]["salary"] == "Mensuel de 1600,00 Euros ï¿½ 1800,00 Euros"


def test_salary_falls_back_to_the_comment(offers):
    assert offers["203NVBX"]["salary"] == "Selon profil et expérience"
    assert offers["4390255"]["salary"] == "Gratification de stage : 1 200 € brut mensuel"


def test_salary_unknown(offers):
    assert offers["4401763"]["salary"] is None  # salaire: {}
    assert offers["4412208"]["salary"] is None  # salaire: "selon profil"


def test_contract(offers):
    assert offers["201KDPQ"]["contract"] == "Contrat à durée indéterminée"
    assert offers["204QWZE"]["contract"] == "Contrat à durée déterminée - 12 Mois"
    assert offers["210HGFD"]["contract"] == "Mission intérimaire - 6 Mois"


def test_contract_falls_back_to_the_code(offers):
    assert offers["4401763"]["contract"] == "Profession libérale - LIB"  # nature, then code
    assert offers["4412208"]["contract"] == "CDI"  # typeContratLibelle: ""


def test_remote_is_never_stated(offers):
    assert {item["remote"] for item in offers.values()} == {None}


def test_description(offers):
    description = offers["201KDPQ"]["description"]
    assert description.startswith("Au sein de la direction Relation Client Digitale")
    assert "Dialogflow CX" in description
    assert description.endswith("Tickets restaurant, 25 jours de RTT.")
    assert "Botpress" in offers["202LMRT"]["description"]
    assert offers["4412208"]["description"] is None  # ""


def test_posted_at(offers):
    assert offers["201KDPQ"]["posted_at"] == "2026-11-12T09:14:27.000Z"
    assert offers["4412208"]["posted_at"] is None


def test_coordinates(offers):
    assert (offers["201KDPQ"]["latitude"], offers["201KDPQ"]["longitude"]) == (
        48.876271,
        2.318035,
    )
    assert (offers["207RCVB"]["latitude"], offers["207RCVB"]["longitude"]) == (
        -20.878931,
        55.448142,
    )
    assert (offers["211JKLP"]["latitude"], offers["211JKLP"]["longitude"]) == (None, None)
    # "48,8602" is read, "east" is not.
    assert (offers["4412208"]["latitude"], offers["4412208"]["longitude"]) == (48.8602, None)


def test_postal_code(offers):
    assert offers["201KDPQ"]["postal_code"] == "75008"
    assert offers["208PLKD"]["postal_code"] == "20000"
    assert offers["207RCVB"]["postal_code"] == "97400"
    assert offers["4412208"]["postal_code"] == "75001"  # given as a number
    assert offers["211JKLP"]["postal_code"] is None


def test_commune(offers):
    assert offers["201KDPQ"]["commune"] == "75108"
    assert offers["208PLKD"]["commune"] == "2A004"
    assert offers["212SDFG"]["commune"] == "2B033"
    assert offers["207RCVB"]["commune"] == "97411"
    assert offers["4412208"]["commune"] is None


def test_skills(offers):
    assert offers["201KDPQ"]["skills"] == [
        "Piloter un projet",
        "Rédiger un cahier des charges, des spécifications techniques",
        "Analyser les besoins du client",
    ]
    assert offers["4401763"]["skills"] is None  # no competences
    assert offers["4412208"]["skills"] is None  # competences: "Rasa"


def test_experience(offers):
    assert offers["201KDPQ"]["experience"] == "3 An(s)"
    assert offers["205BHJS"]["experience"] == "Débutant accepté"
    assert offers["4412208"]["experience"] is None  # an object


def test_education(offers):
    assert (
        offers["201KDPQ"]["education"]
        == "Bac+5 et plus ou équivalents; Bac+3, Bac+4 ou équivalents"
    )
    assert offers["205BHJS"]["education"] == "Bac+3, Bac+4 ou équivalents"
    assert offers["211JKLP"]["education"] is None
    assert offers["4412208"]["education"] is None  # niveauLibelle: null


def test_apply_url(offers):
    assert offers["201KDPQ"]["apply_url"].startswith(
        "https://careers.smartrecruiters.com/HelviaAssurances/"
    )
    assert offers["205BHJS"]["apply_url"].startswith("https://tuml.wd3.myworkdayjobs.com/")


def test_apply_url_falls_back_to_the_origin(offers):
    # contact without urlPostulation: the ad's own page.
    assert (
        offers["202LMRT"]["apply_url"]
        == "https://candidat.francetravail.fr/offres/recherche/detail/202LMRT"
    )
    assert offers["4382917"]["apply_url"] == "https://www.hellowork.com/fr-fr/emplois/58213467.html"
    assert offers["4412208"]["apply_url"] == "https://www.jobijoba.com/fr/annonce/75/4412208"


# ---------------------------------------------------------------- invariants


def _item_id(item: dict) -> str:
    return str(item.get("source_id") or item.get("title") or item.get("reason"))


@pytest.mark.parametrize("item", ALL_ITEMS, ids=[_item_id(i) for i in ALL_ITEMS])
def test_every_item(item):
    assert not is_reject(item)
    assert item["source"] == SLUG
    assert set(item) <= set(RAW_FIELDS)
    assert "" not in item.values()
    assert [] not in item.values()
    assert item["remote"] is None
    if item["source_id"] is None:
        assert item["url"] is None
    else:
        assert re.fullmatch(r"[0-9A-Z]+", item["source_id"])
        assert item["url"] == (
            f"https://candidat.francetravail.fr/offres/recherche/detail/{item['source_id']}"
        )
    for key in ("title", "company", "location", "salary", "contract", "description"):
        assert item[key] is None or item[key] == item[key].strip()
    if item["latitude"] is not None:
        assert -90 <= item["latitude"] <= 90
    if item["postal_code"] is not None:
        assert re.fullmatch(r"\d{5}", item["postal_code"])
    if item["skills"] is not None:
        assert all(isinstance(skill, str) and skill for skill in item["skills"])


def test_fixtures_hold_what_the_readme_says():
    assert len(ALL_ITEMS) == 350
    assert len({item["source_id"] for item in ALL_ITEMS} - {None}) == 338
    assert sum(item["title"] is None for item in ALL_ITEMS) == 1
    assert sum(item["source_id"] is None for item in ALL_ITEMS) == 1


@pytest.mark.parametrize(
    "data",
    [
        None,
        [],
        "offer",
        42,
        {"id": {"nested": 1}, "intitule": ["a"]},
        {"lieuTravail": "75 - Paris", "entreprise": "ACME", "salaire": ["x"]},
        {"lieuTravail": {"latitude": "nan", "longitude": 1e308 * 10, "codePostal": -1}},
        {"lieuTravail": {"latitude": True, "longitude": 500}},
        {"formations": "Bac+5", "competences": [None, 3, {"libelle": ""}, {"libelle": 7}]},
        {"contact": "x", "origineOffre": None, "typeContrat": False},
    ],
)
def test_odd_offers_never_raise_and_leave_unknowns_none(data):
    item = offer_from_json(data)
    assert item["source"] == "france_travail"
    assert "" not in item.values()
    for key in ("company", "location", "salary", "latitude", "longitude", "postal_code"):
        assert item[key] is None
    assert item["contract"] is None
    assert item["apply_url"] is None


def test_numbers_in_odd_places():
    item = offer_from_json({"id": 123, "competences": [{"libelle": 7}], "experienceLibelle": 3})
    assert item["source_id"] == "123"
    assert item["skills"] == ["7"]
    assert item["experience"] == "3"


# ---------------------------------------------------------------- paging


@pytest.mark.parametrize(
    "header, expected",
    [
        ("offres 0-149/496", ContentRange(0, 149, 496)),
        (b"offres 150-299/320", ContentRange(150, 299, 320)),
        ("offres 300-319/320", ContentRange(300, 319, 320)),
        ("offres 0-0/1", ContentRange(0, 0, 1)),
        ("offres */0", None),
        ("offres 10-5/20", None),
        ("", None),
        (None, None),
        ("bytes 0-149", None),
    ],
)
def test_parse_content_range(header, expected):
    assert parse_content_range(header) == expected


@pytest.mark.parametrize(
    "start, count, content_range, expected",
    [
        (0, 150, ContentRange(0, 149, 320), (150, 299)),
        (150, 150, ContentRange(150, 299, 320), (300, 319)),
        (300, 20, ContentRange(300, 319, 320), None),
        (0, 150, ContentRange(0, 149, 150), None),
        (0, 7, ContentRange(0, 6, 7), None),
        (0, 0, ContentRange(0, 0, 0), None),
        # The cap: the start index may reach 3000 and no further.
        (2850, 150, ContentRange(2850, 2999, 9000), (3000, 3149)),
        (3000, 150, ContentRange(3000, 3149, 9000), None),
        (2850, 150, ContentRange(2850, 2999, 3100), (3000, 3099)),
        # No header: only a full page hints at more.
        (0, 150, None, (150, 299)),
        (0, 149, None, None),
        (3000, 150, None, None),
        # A server that ignored the range asked for.
        (300, 150, ContentRange(0, 149, 496), None),
    ],
)
def test_next_range(start, count, content_range, expected):
    assert next_range(start, count, content_range) == expected


def test_unreachable():
    assert MAX_RANGE_START == 3000
    assert unreachable(320) == 0
    assert unreachable(3150) == 0
    assert unreachable(3151) == 1
    assert unreachable(5000) == 1850


def test_rome_pages_are_followed_with_the_same_token():
    spider = primed_spider()
    first = entry(codeROME="M1802", origineOffre="1")
    items, requests = split(spider.parse_search(replay_response(SLUG, first)))
    assert len(items) == 150
    assert len(requests) == 1
    follow = requests[0]
    assert follow.method == "GET"
    assert dict(parse_qsl(urlsplit(follow.url).query)) == {
        "codeROME": "M1802",
        "origineOffre": "1",
        "range": "150-299",
    }
    assert follow.headers["Authorization"] == b"Bearer REDACTED"

    second = entry(codeROME="M1802", origineOffre="1", range="150-299")
    _, requests = split(spider.parse_search(replay_response(SLUG, second)))
    assert [parse_qs(urlsplit(r.url).query)["range"] for r in requests] == [["300-319"]]

    last = entry(codeROME="M1802", origineOffre="1", range="300-319")
    items, requests = split(spider.parse_search(replay_response(SLUG, last)))
    assert len(items) == 20
    assert requests == []


def test_results_past_the_cap_are_reported(caplog):
    spider = primed_spider()
    url = search_url({"motsCles": "python", "origineOffre": "1"}, 0, 149)
    response = fixture_response(
        f"{SLUG}/search_rome_m1802_o1_0.json",
        url=url,
        status=206,
        headers={"Content-Type": "application/json", "Content-Range": "offres 0-149/5000"},
    )
    with caplog.at_level(logging.WARNING):
        _, requests = split(spider.parse_search(response))
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "1850 of 5000" in warnings[0]
    assert "motsCles=python" in warnings[0]
    assert "department" in warnings[0] and "date" in warnings[0]
    assert stat(spider, "france_travail/unreachable") == 1850
    assert len(requests) == 1  # paging goes on up to the cap


def test_no_page_past_the_cap():
    spider = primed_spider()
    url = search_url({"motsCles": "python", "origineOffre": "1"}, 3000, 3149)
    response = fixture_response(
        f"{SLUG}/search_rome_m1802_o1_0.json",
        url=url,
        status=206,
        headers={"Content-Range": "offres 3000-3149/5000"},
    )
    items, requests = split(spider.parse_search(response))
    assert len(items) == 150
    assert requests == []


def test_no_content_is_no_result():
    spider = primed_spider()
    response = replay_response(SLUG, entry(motsCles="bot designer", origineOffre="1"))
    assert response.status == 204
    assert list(spider.parse_search(response)) == []


# ---------------------------------------------------------------- unreadable bodies


def test_truncated_body_is_one_reject(caplog):
    spider = primed_spider()
    page = entry(motsCles="conversational AI", origineOffre="2")
    response = replay_response(SLUG, page)
    with caplog.at_level(logging.ERROR):
        out = list(spider.parse_search(response))
    assert len(out) == 1
    rejected = out[0]
    assert is_reject(rejected)
    assert rejected["source"] == "france_travail"
    assert "not valid JSON" in rejected["reason"]
    assert rejected["url"] == page["url"]
    assert rejected["payload"] == response.text[:2000]
    assert len(rejected["payload"]) == 2000
    errors = [r.getMessage() for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and page["url"] in errors[0]


@pytest.mark.parametrize(
    "body, reason",
    [
        (b"[]", "not an object"),
        (b"{}", "no 'resultats' list"),
        (b'{"resultats": null}', "no 'resultats' list"),
        (b'{"resultats": {"id": "201KDPQ"}}', "no 'resultats' list"),
        (b"<html>Service indisponible</html>", "not valid JSON"),
        (b"", "not valid JSON"),
    ],
)
def test_unexpected_shape_is_one_reject(body, reason):
    url = search_url({"motsCles": "chatbot", "origineOffre": "1"}, 0, 149)
    response = fixture_response("", url=url, status=200, body=body)
    out = list(primed_spider().parse_search(response))
    assert len(out) == 1
    assert is_reject(out[0])
    assert reason in out[0]["reason"]
    assert out[0]["payload"] == body.decode()
    assert out[0]["url"] == url


def test_an_element_that_is_not_an_offer_is_rejected_alone():
    url = search_url({"motsCles": "chatbot", "origineOffre": "1"}, 0, 149)
    body = b'{"resultats": [null, {"id": "300ABCD", "intitule": "Chef de projet chatbot"}]}'
    out = list(primed_spider().parse_search(fixture_response("", url=url, body=body)))
    assert len(out) == 2
    assert is_reject(out[0]) and out[0]["payload"] == "null"
    assert out[1]["source_id"] == "300ABCD"


# ---------------------------------------------------------------- credentials and token


@pytest.fixture
def no_credentials(monkeypatch):
    monkeypatch.delenv(ENV_CLIENT_ID, raising=False)
    monkeypatch.delenv(ENV_CLIENT_SECRET, raising=False)


@pytest.fixture
def credentials(monkeypatch):
    monkeypatch.setenv(ENV_CLIENT_ID, "PAR_botjobs_0123456789abcdef")
    monkeypatch.setenv(ENV_CLIENT_SECRET, "s3cr3t-value-never-logged")
    return "PAR_botjobs_0123456789abcdef", "s3cr3t-value-never-logged"


def form(request: Request) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(request.body.decode()).items()}


def test_missing_credentials_live_send_nothing(no_credentials, caplog):
    spider = make_spider(FranceTravailSpider)
    with caplog.at_level(logging.DEBUG):
        requests = start(spider)
    assert requests == []
    assert stat(spider, "botjobs/status") == "no-credentials"
    warnings = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    assert len(warnings) == 1
    assert "\n" not in warnings[0]
    for needed in ("francetravail.io", "Offres d'emploi v2", ENV_CLIENT_ID, ENV_CLIENT_SECRET):
        assert needed in warnings[0]


@pytest.mark.parametrize("env_set", [False, True])
def test_replay_uses_placeholder_credentials(monkeypatch, env_set):
    if env_set:
        monkeypatch.setenv(ENV_CLIENT_ID, "real-id")
        monkeypatch.setenv(ENV_CLIENT_SECRET, "real-secret")
    else:
        monkeypatch.delenv(ENV_CLIENT_ID, raising=False)
        monkeypatch.delenv(ENV_CLIENT_SECRET, raising=False)
    spider = make_spider(FranceTravailSpider, REPLAY_SETTINGS)
    requests = start(spider)
    assert len(requests) == 1
    body = form(requests[0])
    assert (body["client_id"], body["client_secret"]) == REPLAY_CREDENTIALS
    assert b"real-secret" not in requests[0].body
    assert stat(spider, "botjobs/status") is None


def test_token_request(credentials):
    spider = make_spider(FranceTravailSpider)
    requests = start(spider)
    # Every search waits for the one token.
    assert len(requests) == 1
    token = requests[0]
    assert token.method == "POST"
    assert token.url == TOKEN_URL
    assert token.headers["Content-Type"] == b"application/x-www-form-urlencoded"
    assert form(token) == {
        "grant_type": "client_credentials",
        "client_id": credentials[0],
        "client_secret": credentials[1],
        "scope": "api_offresdemploiv2 o2dsoffre",
    }
    assert token.meta["botjobs_redact"] == ["access_token"]
    assert token.dont_filter


def test_secret_never_logged(credentials, caplog):
    spider = make_spider(FranceTravailSpider)
    with caplog.at_level(logging.DEBUG):
        start(spider)
        with_token(spider)
        list(spider.got_token(fixture_response("", url=TOKEN_URL, status=401, body=b"{}")))
    assert credentials[1] not in caplog.text


def test_token_releases_every_first_page(credentials):
    spider = make_spider(FranceTravailSpider)
    start(spider)
    released = with_token(spider)
    assert [r.url for r in released] == spider.first_page_urls()
    assert len(released) == 2 * (len(search_terms()) + 1)
    for request in released:
        assert request.method == "GET"
        assert request.headers["Authorization"] == b"Bearer REDACTED"
        assert request.meta["handle_httpstatus_list"] == [204, 401]
        assert not request.dont_filter


def test_expired_token_is_renewed_before_the_next_page():
    spider = primed_spider()
    now = [0.0]
    spider.clock = lambda: now[0]
    with_token(spider)
    now[0] += 1499  # past expiry minus margin
    page = replay_response(SLUG, entry(codeROME="M1802", origineOffre="1"))
    _, requests = split(spider.parse_search(page))
    assert [r.method for r in requests] == ["POST"]
    assert requests[0].url == TOKEN_URL
    released = with_token(spider)
    assert len(released) == 1
    assert "range=150-299" in released[0].url


def test_401_renews_the_token_once_then_reissues():
    spider = primed_spider()
    unauthorized = entry(status=401, motsCles="callbot", origineOffre="2")
    sent = spider._search_request(unauthorized["url"], reauthorized=False)
    out = list(spider.parse_search(replay_response(SLUG, unauthorized, meta=sent.meta)))
    assert len(out) == 1 and out[0].method == "POST" and out[0].url == TOKEN_URL

    reissued = with_token(spider)
    assert len(reissued) == 1
    again = reissued[0]
    assert again.url == unauthorized["url"]
    assert again.dont_filter
    assert again.meta["botjobs_reauthorized"] is True

    page = entry(status=200, motsCles="callbot", origineOffre="2")
    items, requests = split(spider.parse_search(replay_response(SLUG, page, meta=again.meta)))
    assert [item["source_id"] for item in items] == ["4431877", "4431902"]
    assert requests == []


def test_second_401_is_an_error(caplog):
    spider = primed_spider()
    url = entry(status=401, motsCles="callbot", origineOffre="2")["url"]
    again = spider._search_request(url, reauthorized=True)
    response = fixture_response("", url=url, status=401, body=b"", meta=again.meta)
    with caplog.at_level(logging.ERROR):
        out = list(spider.parse_search(response))
    assert out == []
    assert stat(spider, "france_travail/unauthorized") == 1
    assert any(url in r.getMessage() for r in caplog.records if r.levelno == logging.ERROR)


def test_401_for_an_already_replaced_token_reuses_the_new_one():
    spider = primed_spider()
    url = entry(status=401, motsCles="callbot", origineOffre="2")["url"]
    stale = spider._search_request(url, reauthorized=False)
    with_token(spider)  # another request's 401 already brought a new token
    response = fixture_response("", url=url, status=401, body=b"", meta=stale.meta)
    out = list(spider.parse_search(response))
    assert len(out) == 1
    assert out[0].method == "GET" and out[0].url == url and out[0].dont_filter


@pytest.mark.parametrize(
    "status, body, expected",
    [
        (401, b'{"error": "invalid_client"}', "bad-credentials"),
        (400, b'{"error": "invalid_scope"}', "bad-credentials"),
        (200, b'{"error": "none"}', "token-error"),
        (200, b"<html>", "token-error"),
    ],
)
def test_unusable_token_response_stops_the_source(credentials, status, body, expected, caplog):
    spider = make_spider(FranceTravailSpider)
    start(spider)
    response = fixture_response("", url=TOKEN_URL, status=status, body=body, method="POST")
    with caplog.at_level(logging.ERROR):
        assert list(spider.got_token(response)) == []
    assert stat(spider, "botjobs/status") == expected
    assert any(r.levelno == logging.ERROR for r in caplog.records)


def test_parse_token():
    assert parse_token('{"access_token": "abc", "expires_in": 1499}') == ("abc", 1499.0)
    assert parse_token('{"access_token": "abc"}')[1] > 0
    for body, reason in (("<html>", "body is not valid JSON ("), ("[]", "token response has no")):
        with pytest.raises(FeedError) as error:
            parse_token(body)
        assert str(error.value).startswith(reason) and error.value.layout is False
    assert token_expiry(100.0, 1499) == 100.0 + 1499 - 60


# ---------------------------------------------------------------- passes and terms


def test_default_passes():
    passes = search_passes(search_terms())
    assert len(passes) == 2 * (len(search_terms()) + 1)
    assert passes[:2] == [
        {"motsCles": "chatbot", "origineOffre": "1"},
        {"motsCles": "chatbot", "origineOffre": "2"},
    ]
    assert passes[-2:] == [
        {"codeROME": "M1802", "origineOffre": "1"},
        {"codeROME": "M1802", "origineOffre": "2"},
    ]


def test_search_url_is_minimal_and_ordered():
    url = search_url({"motsCles": "chargé de projet chatbot", "origineOffre": "2"}, 0, 149)
    assert url == (
        "https://api.francetravail.io/partenaire/offresdemploi/v2/offres/search"
        "?motsCles=charg%C3%A9+de+projet+chatbot&origineOffre=2&range=0-149"
    )


@pytest.mark.parametrize(
    "value, expected",
    [
        ("rasa, botpress", ["rasa", "botpress"]),
        ("rasa\nbotpress\n\n", ["rasa", "botpress"]),
        (" chef de projet chatbot ,rasa,rasa", ["chef de projet chatbot", "rasa"]),
        ("", []),
    ],
)
def test_split_terms(value, expected):
    assert split_terms(value) == expected


def test_terms_argument_overrides_the_list():
    spider = make_spider(FranceTravailSpider, terms="rasa, botpress\nvoicebot")
    urls = spider.first_page_urls()
    assert len(urls) == 8
    assert [parse_qs(urlsplit(u).query).get("motsCles", ["-"])[0] for u in urls[::2]] == [
        "rasa",
        "botpress",
        "voicebot",
        "-",
    ]
    assert "codeROME=M1802" in urls[-1]
    assert len(make_spider(FranceTravailSpider, terms="rasa", rome="").first_page_urls()) == 2


# ---------------------------------------------------------------- the manifest covers the crawl


def test_manifest_covers_every_request_of_a_default_replay(no_credentials):
    """Play the crawl by hand: every request the spider makes has a recorded answer."""
    walk = walk_crawl(make_spider(FranceTravailSpider, REPLAY_SETTINGS))
    assert walk.unused() == [], "fixtures never used"
    assert sum(sent.method == "POST" for sent in walk.sent) == 2  # first token + after the 401
    assert [
        status for url, status in walk.answers if "callbot" in url and "origineOffre=2" in url
    ] == [401, 200]
    assert [
        status for url, status in walk.answers if "assistant+virtuel&origineOffre=1" in url
    ] == [500]
    assert len(walk.offers) == 350
    assert len(walk.rejects) == 1


def test_replay_crawl_end_to_end(tmp_path):
    """The real engine with the replay middleware, in a child process (a reactor per run)."""
    script = tmp_path / "crawl.py"
    script.write_text(
        "import json, sys\n"
        "from scrapy import signals\n"
        "from scrapy.crawler import CrawlerProcess\n"
        "from scrapy.utils.project import get_project_settings\n"
        "settings = get_project_settings()\n"
        "settings.update({'BOTJOBS_REPLAY_DIR': sys.argv[1], 'ITEM_PIPELINES': {},\n"
        "    'DOWNLOAD_DELAY': 0, 'AUTOTHROTTLE_ENABLED': False, 'LOG_LEVEL': 'ERROR'})\n"
        "items = []\n"
        "process = CrawlerProcess(settings)\n"
        "crawler = process.create_crawler('france_travail')\n"
        "def collect(item):\n"
        "    items.append(item)\n"
        "crawler.signals.connect(collect, signals.item_scraped)\n"
        "process.crawl(crawler)\n"
        "process.start()\n"
        "stats = crawler.stats.get_stats()\n"
        "print(json.dumps({'items': len(items),\n"
        "    'rejects': sum(1 for i in items if i.get('_reject')),\n"
        "    'missing': stats.get('replay/missing', 0),\n"
        "    'served': stats.get('replay/served', 0),\n"
        "    'failed': stats.get('france_travail/failed_searches', 0),\n"
        "    'status': stats.get('botjobs/status')}))\n",
        encoding="utf-8",
    )
    done = python_child(str(script), str(FIXTURES), drop=("FRANCE_TRAVAIL_",))
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout.strip().splitlines()[-1])
    # 350 offers (the same ad found by two passes is yielded twice) and the truncated page.
    assert result == {
        "items": 351,
        "rejects": 1,
        "missing": 0,
        # 28 search URLs, the 401 answered before its 200, 2 retries of the 500, 2 tokens.
        "served": 33,
        "failed": 1,
        "status": None,
    }
    assert "assistant+virtuel" in done.stderr  # the failed pass is reported


@pytest.mark.parametrize(
    "data, expected",
    [
        (
            {"typeContratLibelle": "Contrat à durée déterminée - 24 Mois",
             "natureContrat": "Contrat apprentissage"},
            "Contrat apprentissage - Contrat à durée déterminée - 24 Mois",
        ),
        ({"typeContratLibelle": "Contrat à durée indéterminée", "natureContrat": "Contrat travail"},
         "Contrat à durée indéterminée"),
        ({"typeContrat": "LIB", "natureContrat": "Profession libérale"}, "Profession libérale - LIB"),
        ({"natureContrat": "Cont. professionnalisation"}, "Cont. professionnalisation"),
        ({}, None),
    ],
)  # fmt: skip
def test_contract_nature_leads_when_it_says_more(data, expected):
    from spiders.france_travail import contract_text

    assert contract_text(data) == expected
