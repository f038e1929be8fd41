"""Lever, the public Postings API (SOURCES.md §7; github.com/lever/postings-api): every published
job of one Lever account, as JSON, without credentials.

    GET https://api.lever.co/v0/postings/{company}?mode=json&skip=0&limit=100

One account per employer that spiders/employers.toml puts on platform "lever" (its `company`;
an optional `host` names the EU instance, "api.eu.lever.co"). Pages of 100 are read through
`skip`/`limit` until a short page. The feed lists every job of the company, so only those whose
title or description names a search term are kept; the others are counted in the stat
`lever/off_topic`.

The logic lives in the module-level functions; the spider class only wires them to Scrapy.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from scrapy import Request
from scrapy.http import Response

from pipeline.items import raw_offer
from spiders.common import at, http_url, json_body, json_of_kind, number, plain_text, text
from spiders.employers import Employer, EmployerFeedSpider

SOURCE = "lever"
DEFAULT_HOST = "api.lever.co"
PAGE_SIZE = 100
# Lever documents no cap; this only keeps a server that ignores `skip` from paging forever.
MAX_PAGES = 100
SKIP_META = "botjobs_skip"

# salaryRange.interval → the period words pipeline/salary.py reads. "one-time" has no period.
INTERVAL_PERIODS = {
    "per-year-salary": "year",
    "per-month-salary": "month",
    "per-week-salary": "week",
    "per-day-wage": "day",
    "per-hour-wage": "hour",
}
# workplaceType when the employer did not fill it in: says nothing.
UNSPECIFIED = "unspecified"


# ---------------------------------------------------------------- requests and pages


def postings_url(company: str, skip: int = 0, host: str = DEFAULT_HOST) -> str:
    # Always the same parameters in the same order: fixtures are matched by URL.
    query = urlencode({"mode": "json", "skip": skip, "limit": PAGE_SIZE})
    return f"https://{host}/v0/postings/{quote(company, safe='')}?{query}"


def parse_postings(body: str) -> list[Any]:
    """The postings of one page: the body is a JSON list."""
    return json_of_kind(json_body(body), list, "a list of postings")


def next_skip(skip: int, count: int) -> int | None:
    """The `skip` of the page after one that held `count` postings, None after the last."""
    # A page longer than asked means the server ignored `limit` and sent everything.
    if count != PAGE_SIZE or skip + PAGE_SIZE >= MAX_PAGES * PAGE_SIZE:
        return None
    return skip + PAGE_SIZE


# ---------------------------------------------------------------- one posting


def _lists(posting: Any) -> list[dict[str, Any]]:
    lists = at(posting, "lists")
    return [item for item in lists if isinstance(item, dict)] if isinstance(lists, list) else []


def topic_texts(posting: Any) -> list[str | None]:
    """What the search terms are looked for in: the title and every part of the description."""
    texts = [
        text(at(posting, "text")),
        text(at(posting, "descriptionPlain")) or plain_text(at(posting, "description")),
        text(at(posting, "additionalPlain")) or plain_text(at(posting, "additional")),
    ]
    for item in _lists(posting):
        texts += [text(item.get("text")), plain_text(item.get("content"))]
    return texts


def description_html(posting: Any) -> str | None:
    """The whole offer as Lever shows it: description, each titled list, closing words."""
    parts = [text(at(posting, "description"))]
    for item in _lists(posting):
        title, content = text(item.get("text")), text(item.get("content"))
        if content:
            heading = f"<h3>{html.escape(title)}</h3>" if title else ""
            parts.append(f"{heading}<ul>{content}</ul>")
    parts.append(text(at(posting, "additional")))
    return "\n".join(part for part in parts if part) or None


def location_text(posting: Any) -> str | None:
    """Every place of the posting; allLocations repeats the main one when there are several."""
    places = at(posting, "categories", "allLocations")
    found = [text(p) for p in places if isinstance(p, str)] if isinstance(places, list) else []
    found.insert(0, text(at(posting, "categories", "location")))
    return "; ".join(dict.fromkeys(p for p in found if p)) or None


def salary_fields(posting: Any) -> dict[str, Any]:
    salary = at(posting, "salaryRange")
    interval = text(at(salary, "interval"))
    return {
        "salary": text(at(posting, "salaryDescriptionPlain"))
        or plain_text(at(posting, "salaryDescription")),
        "salary_min": number(at(salary, "min")),
        "salary_max": number(at(salary, "max")),
        "salary_currency": text(at(salary, "currency")),
        "salary_period": INTERVAL_PERIODS.get(interval.lower()) if interval else None,
    }


def remote_text(posting: Any) -> str | None:
    kind = text(at(posting, "workplaceType"))
    return None if kind is None or kind.lower() == UNSPECIFIED else kind


def offer_from_json(posting: Any, employer: Employer) -> dict[str, Any]:
    """A raw offer from one posting; whatever is missing or odd becomes None.

    A posting without id or title is still returned: the pipeline rejects it with its reason.
    """
    posting_id = text(at(posting, "id"))
    company = employer.ids.get("company") or employer.slug
    return raw_offer(
        source=SOURCE,
        # Scoped by account like every ATS source, though Lever's ids are UUIDs.
        source_id=f"{company}/{posting_id}" if posting_id else None,
        url=http_url(at(posting, "hostedUrl")),
        title=text(at(posting, "text")),
        company=employer.name,
        location=location_text(posting),
        contract=text(at(posting, "categories", "commitment")),
        remote=remote_text(posting),
        description=description_html(posting),
        # Milliseconds since the epoch, as given; the pipeline reads them.
        posted_at=text(at(posting, "createdAt")),
        apply_url=http_url(at(posting, "applyUrl")),
        **salary_fields(posting),
    )


# ---------------------------------------------------------------- the spider


class LeverSpider(EmployerFeedSpider):
    name = SOURCE
    about = "Lever's public postings API, for the employers in employers.toml"
    allowed_domains = ["api.lever.co", "api.eu.lever.co"]
    platform_name = "Lever"
    feed_key = "company"
    feed_hint = "`company` (and `host` for the EU instance)"

    def first_request(self, employer: Employer) -> Request:
        return self.page_request(employer, 0)

    def page_request(self, employer: Employer, skip: int) -> Request:
        host = employer.ids.get("host") or DEFAULT_HOST
        url = postings_url(employer.id("company"), skip, host)
        return self.feed_request(employer, url, {SKIP_META: skip})

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        postings = yield from self.feed_page(response, parse_postings)
        if postings is None:
            return
        yield from self.keep_on_topic(response, postings, "posting", topic_texts, offer_from_json)
        skip = next_skip(response.meta.get(SKIP_META, 0), len(postings))
        if skip is not None:
            yield self.page_request(self.employer_of(response), skip)
