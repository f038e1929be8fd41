"""Talentsoft spider against hand-built fixtures (tests/fixtures/talentsoft/README.md), offline.

The recorded crawl of both employers (URSSAF, Bouygues Telecom; hosts from spiders/employers.toml)
is walked once as Scrapy would walk it; the field tests read the offers of that walk. A list page
in another layout and a 403 are fed directly: in the manifest they would stop the source.
"""

from __future__ import annotations

import json
import logging

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider, IgnoreRequest

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import BLOCKED, LAYOUT_CHANGED
from spiders.employers import load_employers
from spiders.talentsoft import (
    EMPLOYER_META,
    LISTED_META,
    MAX_PAGES,
    PAGE_META,
    LayoutChanged,
    Listed,
    TalentsoftSpider,
    host_of,
    list_url,
    offer_number,
    parse_list,
    read_detail,
)
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
    response_failure,
    start,
    stat,
    walk_crawl,
)

SLUG = "talentsoft"
EMPLOYERS = load_employers()
URSSAF = EMPLOYERS["urssaf"]
BOUYGUES = EMPLOYERS["bouygues_telecom"]
U_HOST = URSSAF.id("host")
B_HOST = BOUYGUES.id("host")


def detail_url(host: str, slug: str, number: str) -> str:
    return f"https://{host}/offre-de-emploi/emploi-{slug}_{number}.aspx"


U_4127 = detail_url(U_HOST, "chef-de-projet-chatbot-h-f", "4127")
U_GONE = detail_url(U_HOST, "charge-de-projet-chatbot-recouvrement-h-f", "3952")
U_ODD = detail_url(U_HOST, "concepteur-callbot-h-f", "3947")
B_4127 = detail_url(B_HOST, "chef-de-projet-chatbot-service-client-h-f", "4127")


# ---------------------------------------------------------------- helpers


def list_response(
    file: str, employer: str, page: int, status: int = 200, body: bytes | None = None
):
    host = EMPLOYERS[employer].id("host")
    return fixture_response(
        f"{SLUG}/{file}" if file else "",
        url=list_url(host, page),
        status=status,
        meta={EMPLOYER_META: employer, PAGE_META: page},
        body=body,
    )


def detail_response(file: str, url: str, employer: str = "urssaf", status: int = 200, **meta):
    return fixture_response(
        f"{SLUG}/{file}", url=url, status=status, meta={EMPLOYER_META: employer, **meta}
    )


def read(file: str) -> str:
    return fixture_path(f"{SLUG}/{file}").read_text("utf-8")


WALK = walk_crawl(make_spider(TalentsoftSpider, REPLAY_SETTINGS))
OFFERS = {o["source_id"]: o for o in WALK.offers}


@pytest.fixture(scope="module")
def walk() -> Walk:
    return WALK


def offer(host: str, number: str) -> dict:
    key = f"{host}/{number}"
    assert key in OFFERS, f"offer {key} not read"
    return OFFERS[key]


# ---------------------------------------------------------------- employers and start


def test_employers_come_from_the_data_file():
    spider = make_spider(TalentsoftSpider)
    assert set(spider.sites) == {"urssaf", "bouygues_telecom"}
    assert spider.sites["urssaf"] == (URSSAF, U_HOST)
    assert sorted(spider.allowed_domains) == sorted([U_HOST, B_HOST])


def test_one_first_list_page_per_employer():
    requests = start(make_spider(TalentsoftSpider))
    assert sorted(r.url for r in requests) == sorted([list_url(U_HOST, 1), list_url(B_HOST, 1)])
    assert all(r.meta[PAGE_META] == 1 for r in requests)


def test_employer_argument_picks_one():
    spider = make_spider(TalentsoftSpider, employer="urssaf")
    assert [r.url for r in start(spider)] == [list_url(U_HOST, 1)]


def test_employer_without_host_is_skipped(tmp_path, caplog):
    data = tmp_path / "employers.toml"
    data.write_text(
        "[employers]\n"
        'a = { name = "A", platform = "talentsoft" }\n'
        'b = { name = "B", platform = "talentsoft", host = "https://b.talent-soft.com/" }\n',
        encoding="utf-8",
    )
    with caplog.at_level(logging.ERROR):
        spider = make_spider(TalentsoftSpider, employers_file=str(data))
    assert list(spider.sites) == ["b"]
    assert spider.sites["b"][1] == "b.talent-soft.com"
    assert "needs 'host'" in caplog.text


@pytest.mark.parametrize(
    "value, expected",
    [
        ("urssaf-recrute.talent-soft.com", "urssaf-recrute.talent-soft.com"),
        ("https://Recrutement.Example.fr/", "recrutement.example.fr"),
        (" x.talent-soft.com/ ", "x.talent-soft.com"),
    ],
)
def test_host_of(value, expected):
    assert host_of(value) == expected


# ---------------------------------------------------------------- paging


def test_urssaf_is_read_over_three_pages(walk):
    pages = [
        (u, s) for u, s in walk.answers if u.startswith(f"https://{U_HOST}/offre-de-emploi/liste")
    ]
    assert pages == [(list_url(U_HOST, n), 200) for n in (1, 2, 3)]


def test_bouygues_second_page_fails(walk):
    pages = [
        (u, s) for u, s in walk.answers if u.startswith(f"https://{B_HOST}/offre-de-emploi/liste")
    ]
    assert pages == [(list_url(B_HOST, 1), 200), (list_url(B_HOST, 2), 500)]
    assert walk.failed == [list_url(B_HOST, 2)]


def test_first_page_has_next_and_ten_offers():
    page = parse_list(read("urssaf_liste_p1.html"), list_url(U_HOST, 1))
    assert page.has_next
    assert len(page.offers) == 10
    assert page.offers[0] == Listed(
        url=U_4127,
        title="Chef de projet chatbot (H/F)",
        reference="2026-4127",
        posted_at="12/11/2026",
        contract="CDI",
        location="Montreuil (93)",
    )


def test_last_page_has_no_next():
    page = parse_list(read("urssaf_liste_p3.html"), list_url(U_HOST, 3))
    assert not page.has_next
    assert len(page.offers) == 4


def test_next_page_request():
    spider = make_spider(TalentsoftSpider)
    out = list(spider.parse_list(list_response("urssaf_liste_p2.html", "urssaf", 2)))
    pages = [r for r in out if isinstance(r, Request) and r.callback == spider.parse_list]
    assert [(r.url, r.meta[PAGE_META], r.meta[EMPLOYER_META]) for r in pages] == [
        (list_url(U_HOST, 3), 3, "urssaf")
    ]


def test_a_page_without_offers_ends_the_paging():
    body = read("urssaf_liste_p1.html")
    start_at, end_at = body.index('<ul class="ts-offer-list">'), body.index("</ul>\n  <div class")
    empty = body[:start_at] + '<ul class="ts-offer-list">\n  ' + body[end_at:]
    spider = make_spider(TalentsoftSpider)
    out, stopped = drain(spider.parse_list(list_response("", "urssaf", 1, body=empty.encode())))
    assert out == [] and stopped is None
    assert stat(spider, "botjobs/status") is None


def test_paging_stops_at_the_cap():
    spider = make_spider(TalentsoftSpider)
    body = read("urssaf_liste_p1.html").replace("page=2", f"page={MAX_PAGES + 1}")
    response = list_response("", "urssaf", MAX_PAGES, body=body.encode())
    assert parse_list(body, response.url).has_next
    out = list(spider.parse_list(response))
    assert not [r for r in out if isinstance(r, Request) and r.callback == spider.parse_list]
    assert stat(spider, "talentsoft/page_cap") == 1


def test_a_link_back_to_page_one_is_not_next():
    body = (
        '<ul class="ts-offer-list"></ul><div class="ts-ol-pagination">'
        '<a href="/offre-de-emploi/liste-offres.aspx?page=1">1</a></div>'
    )
    assert not parse_list(body, list_url(U_HOST, 2)).has_next


def test_links_beside_a_control_character_are_still_read():
    # lxml makes the \x07 an attribute whose name parsel's `.attrib` cannot convert.
    body = (
        '<ul class="ts-offer-list"><li class="ts-offer-list-item"><a class="ts-offer-list-item__'
        'title-link" \x07 href="/offre-de-emploi/emploi-chef-de-projet-chatbot-h-f_4127.aspx">'
        'Chef de projet chatbot</a></li></ul><div class="ts-ol-pagination">'
        '<a href="/offre-de-emploi/liste-offres.aspx?page=3" \x07 title="Page suivante">›</a></div>'
    )
    page = parse_list(body, list_url(U_HOST, 1))
    assert [(o.url, o.title) for o in page.offers] == [(U_4127, "Chef de projet chatbot")]
    assert page.has_next and page.unreadable == []


# ---------------------------------------------------------------- keeping on-topic offers


def test_only_on_topic_titles_are_fetched(walk):
    details = sorted(u for u, _ in walk.answers if "/emploi-" in u)
    assert len(details) == 9  # 6 at URSSAF, 3 at Bouygues Telecom
    assert U_4127 in details and B_4127 in details
    assert not [u for u in details if "gestionnaire" in u or "juriste" in u]


def test_off_topic_offers_are_counted(walk):
    # URSSAF: 24 listed, 6 kept; Bouygues Telecom: 8 listed, 3 kept.
    assert stat(walk.spider, "talentsoft/off_topic") == 18 + 5
    assert stat(walk.spider, "talentsoft/on_topic") == 9


def test_terms_argument_changes_what_is_kept():
    spider = make_spider(TalentsoftSpider, terms="data")
    out = list(spider.parse_list(list_response("urssaf_liste_p2.html", "urssaf", 2)))
    details = [r.url for r in out if isinstance(r, Request) and r.callback == spider.parse_detail]
    assert details == [detail_url(U_HOST, "data-analyst-h-f", "4007")]
    assert stat(spider, "talentsoft/off_topic") == 9


def test_detail_request_carries_what_the_list_said():
    spider = make_spider(TalentsoftSpider)
    out = list(spider.parse_list(list_response("urssaf_liste_p1.html", "urssaf", 1)))
    first = next(r for r in out if isinstance(r, Request) and r.callback == spider.parse_detail)
    assert first.url == U_4127
    assert first.meta[LISTED_META]["posted_at"] == "12/11/2026"
    assert 404 in first.meta["handle_httpstatus_list"]


# ---------------------------------------------------------------- the manifest and the walk


def test_walk_answers_every_manifest_entry(walk):
    assert walk.unused() == [], "fixtures never used"


def test_walk_counts(walk):
    assert len(walk.offers) == 7
    assert len(walk.rejects) == 1
    assert len(OFFERS) == 7


# ---------------------------------------------------------------- errors, blocks, layout


def test_error_after_retries_is_logged_and_counted(caplog):
    spider = make_spider(TalentsoftSpider)
    response = list_response("erreur_500.html", "bouygues_telecom", 2, status=500)
    failure = response_failure(response)
    with caplog.at_level(logging.ERROR):
        spider.on_error(failure)
    assert stat(spider, "talentsoft/failed_requests") == 1
    assert "HTTP 500" in caplog.text and B_HOST in caplog.text


def test_a_request_the_replay_does_not_know_is_a_warning(caplog):
    spider = make_spider(TalentsoftSpider)
    failure = failure_for(Request(list_url(U_HOST, 9)), IgnoreRequest("no recorded response"))
    with caplog.at_level(logging.WARNING):
        spider.on_error(failure)
    assert stat(spider, "talentsoft/failed_requests") is None


def test_403_stops_the_source_as_blocked():
    spider = make_spider(TalentsoftSpider)
    _, stopped = drain(spider.parse_list(list_response("erreur_500.html", "urssaf", 1, status=403)))
    assert isinstance(stopped, CloseSpider) and stopped.reason == BLOCKED
    assert stat(spider, "botjobs/status") == BLOCKED


def test_one_employer_without_list_is_rejected_without_stopping(caplog):
    spider = make_spider(TalentsoftSpider)
    with caplog.at_level(logging.ERROR):
        out, stopped = drain(
            spider.parse_list(list_response("liste_mise_en_page_changee.html", "urssaf", 1))
        )
    assert stopped is None
    assert len(out) == 1 and is_reject(out[0])
    assert "no offer list" in out[0]["reason"]
    assert out[0]["url"] == list_url(U_HOST, 1)
    assert "URSSAF" in caplog.text
    assert stat(spider, "botjobs/status") is None


def test_every_employer_without_list_stops_as_layout_changed():
    spider = make_spider(TalentsoftSpider)
    drain(spider.parse_list(list_response("liste_mise_en_page_changee.html", "urssaf", 1)))
    out, stopped = drain(
        spider.parse_list(list_response("liste_mise_en_page_changee.html", "bouygues_telecom", 1))
    )
    assert isinstance(stopped, CloseSpider) and stopped.reason == LAYOUT_CHANGED
    assert len(out) == 1 and is_reject(out[0])
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED
    assert "spiders/talentsoft.py" in stat(spider, "botjobs/message")


def test_layout_change_is_raised_by_the_pure_reader():
    with pytest.raises(LayoutChanged):
        parse_list(read("liste_mise_en_page_changee.html"), list_url(U_HOST, 1))


def test_list_item_without_offer_link_is_rejected():
    body = (
        '<ul class="ts-offer-list"><li class="ts-offer-list-item">'
        '<a class="ts-offer-list-item__title-link" href="/candidature-spontanee.aspx">'
        "Candidature spontanée chatbot</a></li></ul>"
    )
    spider = make_spider(TalentsoftSpider)
    out = list(spider.parse_list(list_response("", "urssaf", 1, body=body.encode())))
    assert len(out) == 1 and is_reject(out[0])
    assert "Candidature spontanée" in out[0]["payload"]


# ---------------------------------------------------------------- withdrawn and odd offer pages


@pytest.mark.parametrize("status", [404, 410])
def test_withdrawn_offer_yields_nothing(status, caplog):
    spider = make_spider(TalentsoftSpider)
    with caplog.at_level(logging.INFO):
        out = list(
            spider.parse_detail(detail_response("urssaf_offre_3952.html", U_GONE, status=status))
        )
    assert out == []
    assert stat(spider, "talentsoft/withdrawn") == 1
    assert "withdrawn" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]


def test_withdrawn_offer_in_the_walk(walk):
    assert (U_GONE, 404) in walk.answers
    assert f"{U_HOST}/3952" not in OFFERS


def test_offer_redirected_to_the_list_is_withdrawn():
    spider = make_spider(TalentsoftSpider)
    response = fixture_response(
        f"{SLUG}/urssaf_liste_p3.html",
        url=list_url(U_HOST, 1),
        meta={EMPLOYER_META: "urssaf", "redirect_urls": [U_GONE]},
    )
    assert list(spider.parse_detail(response)) == []
    assert stat(spider, "talentsoft/withdrawn") == 1


def test_odd_layout_is_rejected(walk):
    (rejected,) = walk.rejects
    assert rejected["source"] == SLUG
    assert rejected["url"] == U_ODD
    assert "#contenu-ficheoffre" in rejected["reason"]
    payload = json.loads(rejected["payload"])
    assert payload["listed"]["title"] == "Concepteur callbot (H/F)"
    assert "job-offer-v2" in payload["start"]


def test_detail_without_description_is_rejected():
    page = read("urssaf_offre_4127.html")
    for section in ("description1", "description2"):
        page = page.replace(f'id="fldjobdescription_{section}"', 'id="other"')
    result = read_detail(page, U_4127, URSSAF, U_HOST)
    assert result.offer is None and "description sections" in result.reason


def test_detail_title_falls_back_to_the_list():
    page = read("urssaf_offre_4127.html")
    page = page.replace("ts-offer-page__title", "x").replace("fldjobdescription_jobtitle", "y")
    listed = Listed(url=U_4127, title="Titre de la liste")
    assert read_detail(page, U_4127, URSSAF, U_HOST, listed).offer["title"] == "Titre de la liste"
    assert read_detail(page, U_4127, URSSAF, U_HOST).offer is None


# ---------------------------------------------------------------- fields


def test_title():
    assert offer(U_HOST, "4127")["title"] == "Chef de projet chatbot (H/F)"


def test_source_id_is_scoped_by_host():
    assert offer(U_HOST, "4127")["source_id"] == f"{U_HOST}/4127"
    assert offer(B_HOST, "4127")["source_id"] == f"{B_HOST}/4127"
    assert offer(U_HOST, "4127")["title"] != offer(B_HOST, "4127")["title"]


def test_url():
    assert offer(U_HOST, "4127")["url"] == U_4127
    assert offer(B_HOST, "4127")["url"] == B_4127


def test_company_is_the_employer_name():
    assert offer(U_HOST, "4127")["company"] == "URSSAF"
    assert offer(B_HOST, "5199")["company"] == "Bouygues Telecom"


def test_location_from_the_labelled_field():
    assert offer(U_HOST, "4127")["location"] == (
        "Europe, France, Île-de-France, Seine-Saint-Denis (93), Montreuil"
    )


def test_contract():
    assert offer(U_HOST, "4127")["contract"] == "CDI"
    assert offer(U_HOST, "4012")["contract"] == "CDD"
    assert offer(B_HOST, "5172")["contract"] == "Alternance"


def test_contract_and_place_fall_back_to_the_list():
    page = read("urssaf_offre_4127.html")
    page = page.replace("fldjobdescription_contract", "x").replace(
        "fldlocation_location_geographicalareacollection", "y"
    )
    listed = Listed(url=U_4127, title="t", contract="CDI", location="Montreuil (93)")
    item = read_detail(page, U_4127, URSSAF, U_HOST, listed).offer
    assert (item["contract"], item["location"]) == ("CDI", "Montreuil (93)")


def test_salary_text():
    assert offer(U_HOST, "4127")["salary"] == "Entre 45 et 52 K€ brut annuel"
    assert offer(U_HOST, "4133")["salary"] is None


def test_description_sections_with_their_labels():
    description = offer(U_HOST, "4127")["description"]
    assert description.startswith('<h3>Mission</h3>\n<div id="fldjobdescription_description1">')
    assert "<h3>Profil</h3>" in description
    assert "Votre profil" in description


def test_posted_at_from_the_list():
    assert offer(U_HOST, "4127")["posted_at"] == "12/11/2026"
    assert offer(B_HOST, "5199")["posted_at"] == "12/11/2026"


def test_experience_and_education():
    item = offer(U_HOST, "4127")
    assert item["experience"] == "Confirmé (3 à 5 ans)"
    assert item["education"] == "Bac+5"
    assert offer(U_HOST, "4021")["experience"] is None


def test_remote_is_unknown():
    assert offer(U_HOST, "4127")["remote"] is None


ITEMS = WALK.offers


@pytest.mark.parametrize("item", ITEMS, ids=[i["source_id"] for i in ITEMS])
def test_every_offer_holds_the_invariants(item):
    assert set(item) <= set(RAW_FIELDS)
    assert item["source"] == SLUG
    assert item["source_id"] and item["url"] and item["title"] and item["description"]
    host = item["url"].split("/")[2]
    assert item["source_id"] == f"{host}/{offer_number(item['url'])}"
    assert item["company"] in ("URSSAF", "Bouygues Telecom")
    assert all(v != "" and v != [] for v in item.values())


@pytest.mark.parametrize(
    "url, expected",
    [
        (U_4127, "4127"),
        (f"https://{U_HOST}/offre-de-emploi/emploi-a_b-c_12.aspx", "12"),
        (f"https://{U_HOST}/offre-de-emploi/emploi-a_12.aspx?LCID=1036", "12"),
        (list_url(U_HOST, 1), None),
        (f"https://{U_HOST}/offre-de-emploi/postuler_4127.aspx", None),
    ],
)
def test_offer_number(url, expected):
    assert offer_number(url) == expected


# ---------------------------------------------------------------- end to end


def test_offline_crawl_end_to_end(tmp_path):
    db_path = tmp_path / "x.db"
    done = crawl_offline(db_path, SLUG, "-q")
    assert done.returncode == 0, done.stderr[-3000:]
    run = crawl_run(db_path, SLUG)
    assert run["mode"] == "offline"
    assert (run["items"], run["new"], run["rejects"]) == (7, 7, 1)
    # Bouygues Telecom's second list page: 500 on every try.
    assert run["errors"] >= 1
    assert run["status"] == "partial"
    db = open_db(str(db_path))
    try:
        rows = db.execute(
            "select listings.source_id, offers.company from listings join offers "
            "on offers.id = listings.offer_id where listings.source = ?",
            [SLUG],
        ).fetchall()
        stored = dict(rows)
        assert len(stored) == 7
        assert stored[f"{U_HOST}/4127"] == "URSSAF"
        assert stored[f"{B_HOST}/4127"] == "Bouygues Telecom"
        (reason,) = [r["reason"] for r in db["rejects"].rows_where("source = ?", [SLUG])]
        assert "#contenu-ficheoffre" in reason
    finally:
        db.close()
