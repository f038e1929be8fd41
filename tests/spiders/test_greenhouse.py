"""Greenhouse spider: extraction, the topic filter and failures, offline
(tests/fixtures/greenhouse/README.md says what each fixture plays).

spiders/employers.toml names no employer on Greenhouse yet: these tests use the test employers
file tests/fixtures/greenhouse/employers.toml, passed as `employers_file`.
"""

from __future__ import annotations

import logging
from functools import partial

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest

from db.migrations import open_db
from pipeline.items import RAW_FIELDS, is_reject
from spiders.common import BLOCKED, LAYOUT_CHANGED, FeedError
from spiders.employers import EMPLOYER_META, Employer
from spiders.greenhouse import (
    CONTRACT_FIELDS,
    REMOTE_FIELDS,
    GreenhouseSpider,
    content_html,
    jobs_url,
    location_text,
    metadata_value,
    offer_from_json,
    parse_jobs,
)
from tests.helpers import (
    REPLAY_SETTINGS,
    crawl_offline,
    crawl_run,
    failure_for,
    fixture_path,
    fixture_response,
    make_spider,
    python_child,
    response_failure,
    split,
    start,
    stat,
    until_stop,
    walk_crawl,
)

SLUG = "greenhouse"
EMPLOYERS_FILE = str(fixture_path("greenhouse/employers.toml"))
BOARD_URL = jobs_url("veridiamutuelle")
VERIDIA = Employer("veridia", "Veridia Mutuelle", "greenhouse", ids={"board": "veridiamutuelle"})
# A spider of the test employers, unless a test names another file.
employer_spider = partial(make_spider, GreenhouseSpider, employers_file=EMPLOYERS_FILE)


def response(file: str, url: str = BOARD_URL, status: int = 200, employer: str = "veridia"):
    return fixture_response(
        f"{SLUG}/{file}", url=url, status=status, meta={EMPLOYER_META: employer}
    )


SPIDER = employer_spider()
ITEMS, REQUESTS = split(SPIDER.parse(response("veridia.json")))
OFFERS = [item for item in ITEMS if not is_reject(item)]


@pytest.fixture(scope="module")
def offers() -> dict[str, dict]:
    return {item["title"]: item for item in OFFERS}


# ---------------------------------------------------------------- the topic filter


def test_only_on_topic_jobs_are_kept_in_board_order():
    assert [item["title"] for item in OFFERS] == [
        "Chargé de projet chatbot (H/F)",
        "Chef de projet IA conversationnelle",
        "Responsable Relation Adhérents Digitale",
        "Callbot Product Owner",
        "Ingénieur voicebot",
        "Alternance - Assistant chef de projet chatbot",
    ]


def test_off_topic_jobs_are_counted():
    assert stat(SPIDER, "greenhouse/off_topic") == 8


def test_a_description_that_names_a_term_is_enough(offers):
    # The title names none; the (escaped) description names "agent conversationnel".
    assert offers["Responsable Relation Adhérents Digitale"]["source_id"] == (
        "veridiamutuelle/4012877010"
    )


def test_terms_argument_changes_what_is_kept():
    spider = employer_spider(terms="actuaire, sinistres")
    items, _ = split(spider.parse(response("veridia.json")))
    assert [item["title"] for item in items if not is_reject(item)] == [
        "Gestionnaire sinistres habitation",
        "Actuaire produit santé",
    ]
    assert stat(spider, "greenhouse/off_topic") == 12


def test_a_job_that_is_not_an_object_is_rejected():
    rejects = [item for item in ITEMS if is_reject(item)]
    assert len(rejects) == 1
    assert rejects[0]["reason"] == "job is not a JSON object"
    assert rejects[0]["payload"] == "null"
    assert rejects[0]["url"] == BOARD_URL


def test_a_job_without_id_is_kept_for_the_pipeline(offers):
    no_id = offers["Alternance - Assistant chef de projet chatbot"]
    assert no_id["source_id"] is None and no_id["url"] is None
    assert no_id["company"] == "Veridia Mutuelle"


def test_the_board_does_not_page():
    assert REQUESTS == []


# ---------------------------------------------------------------- one field at a time


def test_source_id_is_scoped_by_board(offers):
    assert offers["Chargé de projet chatbot (H/F)"]["source_id"] == "veridiamutuelle/4012877006"
    assert offers["Ingénieur voicebot"]["source_id"] == "veridiamutuelle/4012877015"  # a string


def test_url(offers):
    assert offers["Chargé de projet chatbot (H/F)"]["url"] == (
        "https://job-boards.greenhouse.io/veridiamutuelle/jobs/4012877006"
    )


def test_company_is_the_employer_name(offers):
    assert {item["company"] for item in OFFERS} == {"Veridia Mutuelle"}


def test_location(offers):
    assert offers["Chargé de projet chatbot (H/F)"]["location"] == "Niort, France"
    assert offers["Chef de projet IA conversationnelle"]["location"] == (
        "Paris, Île-de-France, France"
    )
    # `location` is null: the office says where.
    assert offers["Callbot Product Owner"]["location"] == "Lyon, Auvergne-Rhône-Alpes, France"


def test_contract_from_custom_fields(offers):
    assert offers["Chargé de projet chatbot (H/F)"]["contract"] == "CDI"
    assert offers["Chef de projet IA conversationnelle"]["contract"] == "CDD - 18 mois"
    assert offers["Callbot Product Owner"]["contract"] is None  # "Employment Type": null
    assert offers["Responsable Relation Adhérents Digitale"]["contract"] is None  # no metadata


def test_remote_from_custom_fields(offers):
    assert offers["Chargé de projet chatbot (H/F)"]["remote"] == "2 jours par semaine"
    assert offers["Callbot Product Owner"]["remote"] == "Hybride, Flexible"  # a multi-select
    assert offers["Chef de projet IA conversationnelle"]["remote"] is None


def test_salary_from_custom_fields(offers):
    assert offers["Chargé de projet chatbot (H/F)"]["salary"] == "42 - 48 k€ brut annuel"
    assert offers["Chef de projet IA conversationnelle"]["salary"] is None


def test_description_is_unescaped_once(offers):
    description = offers["Chargé de projet chatbot (H/F)"]["description"]
    assert description.startswith("<p>Rattaché(e) à la Direction Digitale")
    # The content's own entity survives as an entity: unescaping twice would eat it.
    assert "adhérents&nbsp;: parcours" in description
    assert "<ul><li>Piloter la feuille de route</li>" in description


def test_posted_at_prefers_first_published(offers):
    assert offers["Chargé de projet chatbot (H/F)"]["posted_at"] == "2026-11-10T08:02:44-05:00"
    # No first_published: the last update is all there is.
    assert offers["Responsable Relation Adhérents Digitale"]["posted_at"] == (
        "2026-11-12T16:45:12-05:00"
    )


def test_odd_types_become_none(offers):
    odd = offers["Ingénieur voicebot"]
    for key in ("url", "location", "salary", "contract", "remote", "description", "posted_at"):
        assert odd[key] is None, key


@pytest.mark.parametrize("item", OFFERS, ids=lambda item: str(item["source_id"]))
def test_every_offer_is_a_clean_raw_offer(item):
    assert item["source"] == "greenhouse"
    assert set(item) <= set(RAW_FIELDS)
    assert all(value != "" for value in item.values())
    assert item["company"] == "Veridia Mutuelle"
    if item["source_id"] is not None:
        assert item["source_id"].startswith("veridiamutuelle/")
    if item["url"] is not None:
        assert item["url"].startswith("https://job-boards.greenhouse.io/veridiamutuelle/jobs/")


# ---------------------------------------------------------------- pure functions


def test_jobs_url():
    assert jobs_url("veridiamutuelle") == (
        "https://boards-api.greenhouse.io/v1/boards/veridiamutuelle/jobs?content=true"
    )
    assert jobs_url("a/b") == "https://boards-api.greenhouse.io/v1/boards/a%2Fb/jobs?content=true"


@pytest.mark.parametrize(
    "body, layout",
    [
        ('{"jobs": [', False),
        ("<html>", False),
        ('{"postings": []}', True),
        ('{"jobs": {}}', True),
        ("[]", True),
    ],
)
def test_parse_jobs_failures(body, layout):
    with pytest.raises(FeedError) as error:
        parse_jobs(body)
    assert error.value.layout is layout


@pytest.mark.parametrize(
    "value, expected",
    [
        ("&lt;p&gt;a&amp;amp;b&lt;/p&gt;", "<p>a&amp;b</p>"),
        ("<p>already &lt;HTML&gt;</p>", "<p>already &lt;HTML&gt;</p>"),
        ("plain text", "plain text"),
        ("  ", None),
        (None, None),
        (42, None),
    ],
)
def test_content_html(value, expected):
    assert content_html(value) == expected


def test_metadata_names_are_matched_case_and_accents_aside():
    metadata = [
        {"name": "TÉLÉTRAVAIL", "value": "Oui"},
        {"name": " Contract  Type ", "value": True},  # a yes/no field says nothing here
        {"name": "Contrat", "value": "CDI"},
    ]
    assert metadata_value(metadata, REMOTE_FIELDS) == "Oui"
    assert metadata_value(metadata, CONTRACT_FIELDS) == "CDI"
    assert metadata_value("CDI", CONTRACT_FIELDS) is None
    assert metadata_value([None, {"value": "CDI"}], CONTRACT_FIELDS) is None


def test_location_of_several_offices():
    job = {
        "location": {"name": " "},
        "offices": [{"name": "Niort"}, {"location": "Paris, France"}, {"name": "Niort"}, "x"],
    }
    assert location_text(job) == "Niort; Paris, France"
    assert location_text({"offices": {"name": "Niort"}}) is None


def test_offer_from_a_job_of_an_employer_without_board():
    employer = Employer("x", "X", "greenhouse")
    assert offer_from_json({"id": 1, "title": "Chatbot"}, employer)["source_id"] == "x/1"


# ---------------------------------------------------------------- requests


def test_start_asks_each_employer_once():
    requests = start(employer_spider())
    assert [request.url for request in requests] == [
        BOARD_URL,
        jobs_url("lumeo"),
        jobs_url("ardentconseil"),
    ]
    assert [request.meta[EMPLOYER_META] for request in requests] == ["veridia", "lumeo", "ardent"]


def test_no_employer_on_greenhouse_in_the_data_file_is_an_empty_run(caplog):
    with caplog.at_level(logging.WARNING):
        spider = employer_spider(employers_file=None)
    assert spider.employers == [] and start(spider) == []
    assert "no employer to crawl" in caplog.text


def test_an_employer_without_board_is_skipped_with_an_error(tmp_path, caplog):
    employers = tmp_path / "employers.toml"
    employers.write_text(
        '[employers]\nnoboard = { name = "No Board", platform = "greenhouse" }\n', "utf-8"
    )
    with caplog.at_level(logging.ERROR):
        assert start(employer_spider(employers_file=str(employers))) == []
    assert "noboard" in caplog.text and "'board'" in caplog.text


def test_an_empty_board_yields_nothing_and_goes_on(caplog):
    spider = employer_spider()
    with caplog.at_level(logging.WARNING):
        items, requests = split(
            spider.parse(response("empty.json", jobs_url("lumeo"), employer="lumeo"))
        )
    assert items == [] and requests == []
    assert stat(spider, "botjobs/status") is None
    assert not caplog.records


# ---------------------------------------------------------------- failures


def test_a_board_answering_500_is_an_error_for_that_employer(caplog):
    spider = employer_spider()
    page = response("server_error.json", jobs_url("ardentconseil"), 500, employer="ardent")
    with caplog.at_level(logging.INFO):
        spider.feed_failed(response_failure(page))
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert "Ardent Conseil" in caplog.text and "HTTP 500" in caplog.text
    assert stat(spider, "greenhouse/failed_employers") == 1
    assert stat(spider, "botjobs/status") is None


def test_a_request_not_sent_is_a_warning(caplog):
    spider = employer_spider()
    request = Request(BOARD_URL, meta={EMPLOYER_META: "veridia"})
    with caplog.at_level(logging.INFO):
        spider.feed_failed(failure_for(request, IgnoreRequest("no recorded response")))
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_an_unknown_board_is_an_error_not_a_stop(caplog):
    spider = employer_spider()
    with caplog.at_level(logging.ERROR):
        items, requests = split(spider.parse(response("not_found.json", status=404)))
    assert items == [] and requests == []
    assert "Veridia Mutuelle" in caplog.text and "employers.toml" in caplog.text
    assert stat(spider, "greenhouse/failed_employers") == 1
    assert stat(spider, "botjobs/status") is None


def test_a_403_wall_stops_the_source_as_blocked():
    spider = employer_spider()
    out, stopped = until_stop(spider.parse(response("blocked.html", status=403)))
    assert out == []
    assert stopped.reason == BLOCKED
    assert stat(spider, "botjobs/status") == BLOCKED
    assert "403" in stat(spider, "botjobs/message")


def test_json_without_the_jobs_list_is_rejected_and_stops_the_source():
    spider = employer_spider()
    out, stopped = until_stop(spider.parse(response("layout_changed.json")))
    assert len(out) == 1 and is_reject(out[0])
    assert out[0]["reason"] == "body has no 'jobs' list"
    assert '"postings"' in out[0]["payload"]
    assert stopped.reason == LAYOUT_CHANGED
    assert stat(spider, "botjobs/status") == LAYOUT_CHANGED


def test_a_truncated_body_is_rejected_and_the_crawl_goes_on(caplog):
    spider = employer_spider()
    with caplog.at_level(logging.ERROR):
        items, _ = split(spider.parse(response("truncated.json")))
    assert len(items) == 1 and is_reject(items[0])
    assert items[0]["reason"].startswith("body is not valid JSON")
    assert stat(spider, "botjobs/status") is None


# ---------------------------------------------------------------- the manifest covers the crawl


def test_manifest_covers_every_request_of_the_test_employers():
    walk = walk_crawl(employer_spider(REPLAY_SETTINGS))
    assert walk.unused() == [], "fixtures never used"
    assert [status for _, status in walk.answers] == [200, 200, 500]
    assert len(walk.offers) == 6


# ---------------------------------------------------------------- end to end


def test_offline_crawl_of_the_employers_file_is_a_clean_empty_run(tmp_path):
    """`botjobs crawl --offline --source greenhouse`: nobody on Greenhouse, nothing asked."""
    path = tmp_path / "x.db"
    done = crawl_offline(path, SLUG, "-q")
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    assert (run["items"], run["new"], run["rejects"], run["errors"]) == (0, 0, 0, 0)
    assert run["status"] == "ok" and run["mode"] == "offline"
    # No offer is a normal run for a topic-filtered feed: no health warning.
    assert run["health"] == "[]"


def test_replayed_crawl_of_the_test_employers_is_partial(tmp_path):
    """The engine with the test employers: a board, an empty board, a board answering 500."""
    path = tmp_path / "t.db"
    code = (
        "import sys\n"
        "from pipeline.crawl import DEFAULT_FIXTURES, run_crawl\n"
        "run_crawl(sys.argv[1], ['greenhouse'], DEFAULT_FIXTURES, quiet=True,\n"
        "          spider_args={'greenhouse': {'employers_file': sys.argv[2]}})\n"
    )
    done = python_child("-c", code, str(path), EMPLOYERS_FILE)
    assert done.returncode == 0, done.stderr
    run = crawl_run(path, SLUG)
    # 6 on-topic jobs (the one without id is rejected) and the null job.
    assert (run["items"], run["new"], run["rejects"], run["errors"]) == (6, 5, 2, 1)
    assert run["status"] == "partial"
    assert "Ardent Conseil" in done.stderr and "HTTP 500" in done.stderr
    db = open_db(str(path))
    try:
        stored = {r["source_id"]: r for r in db["offers"].rows_where("source = 'greenhouse'")}
    finally:
        db.close()
    assert stored["veridiamutuelle/4012877006"]["title"] == "Chargé de projet chatbot (H/F)"
    assert stored["veridiamutuelle/4012877006"]["company"] == "Veridia Mutuelle"
