"""Retries that wait: Scrapy's RetryMiddleware, plus backoff on the site's own terms.

Scrapy retries a 429 or a 5xx at once, at the pace of the domain's download slot. A site that
answers 429 (or 503) with `Retry-After` is asking for a pause; without the header, a burst of
errors still calls for slowing down. So before a retry is scheduled, the domain's slot is held:
its delay is raised to the wait the site asked for, else to a delay that doubles with each retry
of that request (capped by BOTJOBS_MAX_RETRY_WAIT). Scrapy draws each wait between (1 - jitter)
and (1 + jitter) times the slot's delay (DOWNLOAD_DELAY_JITTER, ±50 % by default), so the delay is
set high enough that even the shortest draw is the wait asked for. AutoThrottle brings the delay
back down as good answers return; it never lowers a delay on an error response.
"""

from __future__ import annotations

from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from scrapy.downloadermiddlewares.retry import RetryMiddleware

DEFAULT_MAX_WAIT = 300.0


def retry_after_seconds(value: bytes | str | None, now: datetime | None = None) -> float | None:
    """The wait a `Retry-After` header asks for: delay-seconds or an HTTP date; None if unreadable."""
    if value is None:
        return None
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        moment = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (moment - (now or datetime.now(UTC))).total_seconds())


def backoff_seconds(base: float, retries: int, cap: float) -> float:
    """Exponential backoff: base, 2·base, 4·base… for the 1st, 2nd, 3rd retry; at most `cap`."""
    return min(cap, max(base, 1.0) * 2 ** max(retries, 0))


def held_delay(wait: float, jitter: float) -> float:
    """The slot delay whose shortest jittered draw is `wait` (a jitter of 1 or more can draw no
    wait at all: the delay is then the wait, and the site may be asked again sooner)."""
    return wait / (1 - jitter) if 0 < jitter < 1 else wait


class RetryAfterMiddleware(RetryMiddleware):
    def __init__(self, crawler):
        super().__init__(crawler.settings)
        self.crawler = crawler
        settings = crawler.settings
        self.max_wait = settings.getfloat("BOTJOBS_MAX_RETRY_WAIT", DEFAULT_MAX_WAIT)
        self.base_delay = settings.getfloat("DOWNLOAD_DELAY", 1.0)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def process_response(self, request, response):
        if (
            response.status in self.retry_http_codes
            and not request.meta.get("dont_retry", False)
            and self.max_wait > 0
        ):
            asked = retry_after_seconds(response.headers.get("Retry-After"))
            retries = request.meta.get("retry_times", 0)
            wait = backoff_seconds(self.base_delay, retries, self.max_wait)
            if asked is not None:
                wait = min(max(asked, wait), self.max_wait)
            self.hold_slot(request, wait)
        return super().process_response(request, response)

    def hold_slot(self, request, wait: float) -> None:
        downloader = self.crawler.engine.downloader
        slot = downloader.slots.get(downloader.get_slot_key(request))
        if slot is None:
            return
        delay = held_delay(wait, getattr(slot, "jitter", 0.0) or 0.0)
        if slot.delay < delay:
            slot.delay = delay
            self.crawler.stats.inc_value("botjobs/retry_waits")
            self.crawler.stats.max_value("botjobs/retry_wait_max", wait)
