from datetime import UTC, datetime

import pytest
from scrapy import Request, Spider
from scrapy.http import Response
from scrapy.utils.test import get_crawler

from pipeline.politeness import (
    RetryAfterMiddleware,
    backoff_seconds,
    held_delay,
    retry_after_seconds,
)

NOW = datetime(2026, 11, 27, 12, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("120", 120.0),
        (b"7", 7.0),
        (" 30 ", 30.0),
        ("Fri, 27 Nov 2026 12:01:30 GMT", 90.0),
        ("Fri, 27 Nov 2026 11:59:00 GMT", 0.0),  # a date in the past: go ahead
        ("soon", None),
        ("", None),
        (None, None),
        ("-5", None),
    ],
)
def test_retry_after_reads_seconds_and_http_dates(value, expected):
    assert retry_after_seconds(value, NOW) == expected


def test_backoff_doubles_with_each_retry_up_to_the_cap():
    assert [backoff_seconds(1.0, n, 10.0) for n in range(5)] == [1.0, 2.0, 4.0, 8.0, 10.0]
    # A zero download delay (offline) still backs off from one second.
    assert backoff_seconds(0.0, 1, 60.0) == 2.0


class FakeSlot:
    def __init__(self, delay, jitter=0.0):
        self.delay, self.jitter = delay, jitter


def middleware(max_wait=300.0, delay=1.0, jitter=0.0):
    crawler = get_crawler(
        Spider,
        {"BOTJOBS_MAX_RETRY_WAIT": max_wait, "DOWNLOAD_DELAY": delay, "RETRY_TIMES": 2},
    )
    crawler.spider = crawler._create_spider("test")
    slot = FakeSlot(delay, jitter)

    class Downloader:
        slots = {"example.org": slot}

        @staticmethod
        def get_slot_key(request):
            return "example.org"

    class Engine:
        downloader = Downloader()

    crawler.engine = Engine()
    crawler.stats.open_spider()
    return RetryAfterMiddleware.from_crawler(crawler), slot, crawler


def answer(status, headers=None, retries=0):
    request = Request("https://example.org/jobs", meta={"retry_times": retries})
    return request, Response(request.url, status=status, headers=headers or {}, request=request)


def test_a_429_with_retry_after_holds_the_domain_for_that_long_and_retries():
    mw, slot, crawler = middleware()
    request, response = answer(429, {"Retry-After": "42"})
    retried = mw.process_response(request, response)
    assert isinstance(retried, Request) and retried.meta["retry_times"] == 1
    assert slot.delay == 42.0
    assert crawler.stats.get_value("botjobs/retry_wait_max") == 42.0


def test_a_503_burst_backs_off_exponentially():
    mw, slot, _ = middleware(delay=1.0)
    for retries, expected in ((0, 1.0), (1, 2.0)):
        request, response = answer(503, retries=retries)
        mw.process_response(request, response)
        assert slot.delay == expected


def test_the_wait_never_exceeds_the_cap_and_offline_never_waits():
    mw, slot, _ = middleware(max_wait=60.0)
    mw.process_response(*answer(429, {"Retry-After": "86400"}))
    assert slot.delay == 60.0
    mw, slot, _ = middleware(max_wait=0.0, delay=0.0)
    mw.process_response(*answer(429, {"Retry-After": "30"}))
    assert slot.delay == 0.0


def test_no_jittered_wait_is_shorter_than_the_one_asked():
    mw, slot, crawler = middleware(jitter=0.5)  # Scrapy's default: each wait 0.5–1.5 × delay
    mw.process_response(*answer(429, {"Retry-After": "42"}))
    assert slot.delay * (1 - 0.5) == 42.0
    assert crawler.stats.get_value("botjobs/retry_wait_max") == 42.0
    assert held_delay(10.0, 0.0) == 10.0 and held_delay(10.0, 1.0) == 10.0


def test_a_good_answer_leaves_the_delay_alone():
    mw, slot, _ = middleware(delay=1.5)
    request, response = answer(200)
    assert mw.process_response(request, response) is response
    assert slot.delay == 1.5
