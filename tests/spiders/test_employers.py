"""What the ATS spiders share (spiders/employers.py) and the spiders.common helpers they brought
together: reading JSON answers, links, the words of HTML, the topic filter, the employer plumbing.
The spiders' own tests play these through their fixtures; here each piece is pinned alone."""

from __future__ import annotations

import logging

import pytest
from scrapy import Request
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from pipeline.items import is_reject
from spiders.common import (
    BLOCKED,
    LAYOUT_CHANGED,
    PAYLOAD_CHARS,
    FeedError,
    http_url,
    json_body,
    json_member,
    json_of_kind,
    json_payload,
    not_sent,
    plain_text,
)
from spiders.employers import (
    EMPLOYER_META,
    EmployerFeedSpider,
    EmployerSpider,
    folded,
    mentions_any,
    sort_on_topic,
)
from spiders.greenhouse import GreenhouseSpider
from spiders.lever import LeverSpider
from spiders.smartrecruiters import SmartRecruitersSpider
from spiders.teamtailor import TeamtailorSpider
from spiders.workday import WorkdaySpider
from tests.helpers import fixture_response, make_spider, stat, until_stop

ATS_SPIDERS = [
    GreenhouseSpider,
    LeverSpider,
    TeamtailorSpider,
    SmartRecruitersSpider,
    WorkdaySpider,
]
FEED_SPIDERS = [GreenhouseSpider, LeverSpider, TeamtailorSpider]


# ---------------------------------------------------------------- JSON answers


def test_json_body():
    assert json_body('{"jobs": []}') == {"jobs": []}
    assert json_body("null") is None
    with pytest.raises(FeedError) as error:
        json_body('{"jobs": [')
    assert str(error.value).startswith("body is not valid JSON (")
    assert error.value.layout is False


def test_a_feed_error_is_a_value_error_and_says_whether_the_layout_changed():
    assert isinstance(FeedError("x"), ValueError)
    assert FeedError("x").layout is False
    assert FeedError("x", True).layout is True


def test_json_of_kind():
    assert json_of_kind({"a": 1}, dict, "an object") == {"a": 1}
    assert json_of_kind([], list, "a list of postings") == []
    with pytest.raises(FeedError) as error:
        json_of_kind([], dict, "a feed")
    assert str(error.value) == "body is a JSON list, not a feed"
    assert error.value.layout is True
    with pytest.raises(FeedError) as error:
        json_of_kind(None, dict, "an object", layout=False)
    assert str(error.value) == "body is a JSON NoneType, not an object"
    assert error.value.layout is False


def test_json_member():
    assert json_member({"jobs": [1]}, "jobs") == [1]
    assert json_member({"info": {}}, "info", dict) == {}
    with pytest.raises(FeedError) as error:
        json_member({"jobs": {}}, "jobs")
    assert str(error.value) == "body has no 'jobs' list" and error.value.layout is True
    with pytest.raises(FeedError) as error:
        json_member({}, "jobPostingInfo", dict, where="detail answer")
    assert str(error.value) == "detail answer has no 'jobPostingInfo' object"
    assert error.value.layout is True
    with pytest.raises(FeedError) as error:
        json_member({"resultats": None}, "resultats", layout=False)
    assert str(error.value) == "body has no 'resultats' list" and error.value.layout is False


def test_json_payload():
    assert json_payload(None) == "null"
    assert json_payload(["Télétravail"]) == '["Télétravail"]'
    assert len(json_payload("x" * 3 * PAYLOAD_CHARS)) == PAYLOAD_CHARS


# ---------------------------------------------------------------- links and HTML text


@pytest.mark.parametrize(
    "value, expected",
    [
        ("https://a.b/c", "https://a.b/c"),
        (" http://a.b ", "http://a.b"),
        ("/jobs/1", None),
        ("https://", None),
        ("ftp://a.b/c", None),
        ("mailto:rh@a.b", None),
        ("", None),
        (12, None),
        (True, None),
        (None, None),
    ],
)
def test_http_url(value, expected):
    assert http_url(value) == expected


@pytest.mark.parametrize(
    "fragment, expected",
    [
        ("<p>Chef de projet <b>chatbot</b></p>", "Chef de projet chatbot"),
        ("agent&nbsp;conversationnel &amp; voicebot", "agent conversationnel & voicebot"),
        ("<ul>\n  <li>Rasa</li>\n  <li>Dialogflow</li>\n</ul>", "Rasa Dialogflow"),
        ("<br/>", None),
        ("   ", None),
        (None, None),
        (42, None),
    ],
)
def test_plain_text(fragment, expected):
    assert plain_text(fragment) == expected


# ---------------------------------------------------------------- the topic filter


def test_folded():
    assert folded("TÉLÉTRAVAIL") == "teletravail"
    assert folded("Chargé de Projet") == "charge de projet"
    # Spacing is kept: callers that compare typed names collapse it themselves.
    assert folded(" Contract  Type ") == " contract  type "


def test_mentions_any():
    assert mentions_any(["Chargé de projet CHATBOT"], ["chatbot"])
    assert mentions_any([None, "IA conversationnelle"], ["ia conversationnelle"])
    assert mentions_any(["Ingenieur"], ["ingénieur"])
    assert not mentions_any(["Comptable"], ["chatbot", "voicebot"])
    assert not mentions_any([None, ""], ["chatbot"])
    assert not mentions_any(["chatbot"], [])


def test_sort_on_topic_keeps_feed_order_rejects_non_objects_and_counts_the_rest():
    entries = [
        {"title": "Chef de projet chatbot"},
        {"title": "Comptable"},
        None,
        {"title": "Voicebot designer"},
        "x",
        {},
    ]
    kept, off_topic = sort_on_topic(
        entries,
        ["chatbot", "voicebot"],
        lambda entry: [entry.get("title")],
        lambda entry: {"offer": entry["title"]},
        lambda odd: {"odd": odd},
    )
    assert kept == [
        {"offer": "Chef de projet chatbot"},
        {"odd": None},
        {"offer": "Voicebot designer"},
        {"odd": "x"},
    ]
    assert off_topic == 2


def test_sort_on_topic_of_nothing():
    assert sort_on_topic([], ["chatbot"], lambda e: [e], lambda e: e, lambda odd: {}) == ([], 0)


# ---------------------------------------------------------------- errbacks


def test_not_sent():
    dropped = Failure(IgnoreRequest("robots.txt"))
    assert not_sent(dropped) is True
    response = fixture_response("", url="https://a.b/jobs", status=500, body=b"")
    assert not_sent(Failure(HttpError(response, "Ignoring non-200 response"))) is False
    assert not_sent(Failure(TimeoutError("took too long"))) is False


# ---------------------------------------------------------------- the spider base classes


@pytest.mark.parametrize("spider", ATS_SPIDERS, ids=lambda spider: spider.name)
def test_every_ats_spider_is_an_employer_spider_where_no_offer_is_a_normal_run(spider):
    assert issubclass(spider, EmployerSpider)
    assert spider.health == {"min_offers": 0}
    assert spider.employer_site is True
    assert spider.platform_name


@pytest.mark.parametrize("spider", FEED_SPIDERS, ids=lambda spider: spider.name)
def test_feed_spiders_read_403_and_404_themselves(spider):
    assert issubclass(spider, EmployerFeedSpider)
    assert spider.handle_httpstatus_list == [403, 404]
    assert spider.feed_key


def lever_spider(tmp_path, employers: str) -> LeverSpider:
    path = tmp_path / "employers.toml"
    path.write_text("[employers]\n" + employers, "utf-8")
    return make_spider(LeverSpider, employers_file=str(path))


TWO_EMPLOYERS = (
    'a = { name = "A", platform = "lever", company = "aco" }\n'
    'b = { name = "B", platform = "lever" }\n'
)


def test_employers_with_leaves_out_an_employer_missing_a_key(tmp_path, caplog):
    spider = lever_spider(tmp_path, TWO_EMPLOYERS)
    with caplog.at_level(logging.ERROR):
        assert [e.slug for e in spider.employers_with("company")] == ["a"]
    assert [r.getMessage() for r in caplog.records] == ["employer 'b' (lever) needs 'company'"]
    assert [e.slug for e in spider.employers_with()] == ["a", "b"]
    assert list(spider.employers_with("company", "host")) == []


def test_employer_of_a_request_and_by_slug(tmp_path):
    spider = lever_spider(tmp_path, TWO_EMPLOYERS)
    assert set(spider.by_slug) == {"a", "b"}
    request = Request("https://api.lever.co/v0/postings/aco", meta={EMPLOYER_META: "a"})
    assert spider.employer_of(request) is spider.by_slug["a"]


def test_feed_request_names_its_employer_and_keeps_its_meta(tmp_path):
    spider = lever_spider(tmp_path, TWO_EMPLOYERS)
    request = spider.feed_request(spider.by_slug["a"], "https://x/feed", {"page": 2})
    assert request.meta[EMPLOYER_META] == "a" and request.meta["page"] == 2
    assert request.callback == spider.parse and request.errback == spider.feed_failed
    assert request.headers["Accept"] == b"application/json"


def test_stop_walled(tmp_path):
    spider = lever_spider(tmp_path, TWO_EMPLOYERS)
    response = fixture_response(
        "", url="https://api.lever.co/v0/postings/aco", status=403, body=b""
    )
    with pytest.raises(CloseSpider) as stopped:
        spider.stop_walled(response, spider.by_slug["a"], "feed")
    assert stopped.value.reason == BLOCKED
    message = stat(spider, "botjobs/message")
    assert "HTTP 403" in message and "A's Lever feed" in message and "later" in message


def test_unreadable_is_a_reject_then_a_stop_only_when_the_layout_changed(tmp_path):
    spider = lever_spider(tmp_path, TWO_EMPLOYERS)
    employer = spider.by_slug["a"]
    response = fixture_response("", url="https://api.lever.co/v0/postings/aco", body=b"<html>")
    out = list(spider.unreadable(response, "<html>", FeedError("bad"), employer, "feed"))
    assert len(out) == 1 and is_reject(out[0])
    assert (out[0]["source"], out[0]["reason"], out[0]["payload"]) == ("lever", "bad", "<html>")
    assert stat(spider, "botjobs/status") is None

    out, stopped = until_stop(
        spider.unreadable(response, "{}", FeedError("gone", True), employer, "feed")
    )
    assert len(out) == 1 and out[0]["reason"] == "gone"
    assert stopped.reason == LAYOUT_CHANGED
    assert "gone" in stat(spider, "botjobs/message")
