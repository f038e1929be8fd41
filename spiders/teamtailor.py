"""Teamtailor career sites: the public job feed every site serves at /jobs.json (SOURCES.md §7),
without credentials.

    GET https://{host}/jobs.json

The feed is a JSON Feed (jsonfeed.org): `items[]` with `id`, `url`, `title`, `content_html`,
`date_published`, and the offer's schema.org JobPosting under the `_jobposting` extension, read
with spiders/jobposting.py's `jobposting_to_raw`; a longer list goes on at `next_url`. (Reported
by public scrapers, undocumented by Teamtailor, unverified from this project.) Teamtailor's
documented API (api.teamtailor.com/v1/jobs) needs a key that only the employer's administrators
can create, so it is of no use to a job seeker and is not asked.

One site per employer that spiders/employers.toml puts on platform "teamtailor" (its `host`).
The feed lists every job of the company, so only those whose title or description names a search
term are kept; the others are counted in the stat `teamtailor/off_topic`.

The logic lives in the module-level functions; the spider class only wires them to Scrapy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy import Request
from scrapy.http import Response

from pipeline.items import raw_offer
from spiders.common import at, http_url, json_body, json_member, json_of_kind, plain_text, text
from spiders.employers import Employer, EmployerFeedSpider
from spiders.jobposting import jobposting_to_raw

SOURCE = "teamtailor"
PAGE_META = "botjobs_page"
# Teamtailor documents no cap; this only keeps a feed whose next_url never ends from looping.
MAX_PAGES = 100

_JOB_NUMBER = re.compile(r"/jobs/(\d+)")


# ---------------------------------------------------------------- the feed


def site_host(host: str) -> str:
    """The career site's host, however employers.toml wrote it ("https://…/" included)."""
    return host.strip().removeprefix("https://").removeprefix("http://").strip("/")


def feed_url(host: str) -> str:
    return f"https://{site_host(host)}/jobs.json"


def parse_feed(body: str) -> tuple[list[Any], str | None]:
    """The items of one feed page, and the URL of the next page (None on the last)."""
    data = json_of_kind(json_body(body), dict, "a feed")
    return json_member(data, "items"), text(data.get("next_url"))


def next_page(current: str, next_url: str | None, page: int) -> str | None:
    """The next page to ask for: on the same site, not the page itself, within MAX_PAGES."""
    if next_url is None or page >= MAX_PAGES:
        return None
    try:
        here, there = urlsplit(current), urlsplit(next_url)
    except ValueError:  # "http://[oops": no page to follow
        return None
    if there.scheme not in ("http", "https") or there.netloc != here.netloc:
        return None
    return None if next_url == current else next_url


# ---------------------------------------------------------------- one item


def job_number(item: Any) -> str | None:
    """The job's number on its site: the item id, or the number in it when the id is a URL."""
    found = text(at(item, "id"))
    if found is None or "/" not in found:
        return found
    match = _JOB_NUMBER.search(found)
    return match.group(1) if match else found


def _posting(item: Any) -> dict[str, Any] | None:
    posting = at(item, "_jobposting")
    return posting if isinstance(posting, dict) else None


def topic_texts(item: Any) -> list[str | None]:
    """What the search terms are looked for in: the title and the description."""
    return [
        text(at(item, "title")),
        plain_text(at(item, "content_html")) or plain_text(at(_posting(item), "description")),
    ]


def offer_from_item(item: Any, employer: Employer) -> dict[str, Any]:
    """A raw offer from one feed item: the feed's own fields first, the rest (place, salary,
    contract, remote…) from its JobPosting; whatever is missing or odd becomes None.

    An item without id or title is still returned: the pipeline rejects it with its reason.
    """
    host = site_host(employer.ids.get("host") or employer.slug)
    url = http_url(at(item, "url"))
    posting = _posting(item)
    stated = jobposting_to_raw(posting, url or feed_url(host)) if posting else {}
    number = job_number(item)
    return raw_offer(
        **{
            **stated,
            "source": SOURCE,
            # Job numbers are the site's own: two sites may share one.
            "source_id": f"{host}/{number}" if number else None,
            "url": url,
            "title": text(at(item, "title")) or stated.get("title"),
            "company": employer.name,
            "description": text(at(item, "content_html")) or stated.get("description"),
            "posted_at": text(at(item, "date_published")) or stated.get("posted_at"),
        }
    )


# ---------------------------------------------------------------- the spider


class TeamtailorSpider(EmployerFeedSpider):
    name = SOURCE
    about = "Teamtailor career sites' public job feed, for the employers in employers.toml"
    # No allowed_domains: a site may redirect its teamtailor.com host to the employer's domain.
    platform_name = "Teamtailor"
    feed_key = "host"
    accept = "application/feed+json, application/json"

    def first_request(self, employer: Employer) -> Request:
        return self.page_request(employer, feed_url(employer.id("host")), 1)

    def page_request(self, employer: Employer, url: str, page: int) -> Request:
        return self.feed_request(employer, url, {PAGE_META: page})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        feed = yield from self.feed_page(response, parse_feed)
        if feed is None:
            return
        items, next_url = feed
        yield from self.keep_on_topic(response, items, "feed item", topic_texts, offer_from_item)
        page = response.meta.get(PAGE_META, 1)
        following = next_page(response.url, next_url and response.urljoin(next_url), page)
        if following is not None:
            yield self.page_request(self.employer_of(response), following, page + 1)
