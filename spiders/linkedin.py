"""LinkedIn, through its public guest job search (SOURCES.md §6).

Opt-in, and kept to a low volume on purpose: LinkedIn's User Agreement forbids scraping, its
robots.txt shuts out crawlers it has not approved, and it answers 429 or its own 999 as soon as
it is pushed. Whoever enables this source takes that on; when LinkedIn refuses, the source stops
cleanly and says so, and the other sources go on.

How it is asked, without an account:
- search: `GET https://www.linkedin.com/jobs-guest/jobs/api/seeMoreJobPostings/search?
  keywords=<term>&location=France&geoId=105015875&f_TPR=r604800&start=N` (France, posted in the
  past week) answers an HTML fragment of `li` job cards (`.base-search-card`, the job id in
  `data-entity-urn="urn:li:jobPosting:ID"`). `start` moves by the number of cards read (25 a
  page) until an empty fragment; LinkedIn itself stops near start=1000, this spider at
  MAX_START, a few pages a term.
- detail: `GET https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/{id}` gives the
  description (`div.show-more-less-html__markup`) and the criteria list (seniority level,
  employment type). An offer is the card completed by its detail; when the detail fails the
  card alone is kept, and a detail answering 404/410 is a withdrawn offer.

The logic lives in the module-level functions (HTML text in, plain dicts out); the spider class
only wires them to Scrapy.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

from parsel import Selector
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from pipeline.items import raw_offer, reject
from spiders.common import (
    BLOCKED,
    LAYOUT_CHANGED,
    PAYLOAD_CHARS,
    SourceSpider,
    failure_reason,
    not_sent,
    query_int,
    query_value,
    response_text,
    text,
)

SOURCE = "linkedin"

SEARCH_URL = "https://www.linkedin.com/jobs-guest/jobs/api/seeMoreJobPostings/search"
DETAIL_URL = "https://www.linkedin.com/jobs-guest/jobs/api/jobPosting/{id}"
OFFER_URL = "https://www.linkedin.com/jobs/view/{id}"
LOCATION = "France"
GEO_ID = "105015875"  # France
POSTED_WITHIN = "r604800"  # the past week, in seconds: a weekly run misses nothing
# The last offset asked for: four pages of 25 a term at most. LinkedIn tolerates few guest
# requests, and the newest offers come first.
MAX_START = 75

# 429 reaches the spider only once the settings' retries gave up; 999 is LinkedIn's refusal.
BLOCK_STATUSES = (429, 999)
WITHDRAWN_STATUSES = (404, 410)
# A sign-in wall or a challenge served instead of the fragment; compared lower-cased.
BLOCK_SIGNS = {
    "authwall": "the sign-in wall (authwall)",
    "checkpoint/challenge": "a security challenge (checkpoint)",
    "captcha": "a captcha",
}

_JOB_URN = re.compile(r"urn:li:jobPosting:(\d+)")
# The id that ends a job link: …/jobs/view/chef-de-projet-chatbot-at-acme-4012345678?…
_LINK_ID = re.compile(r"/jobs/view/(?:[^/?#]*-)?(\d{6,})(?:[/?#]|$)")
_COMMENTS = re.compile(r"<!--.*?-->", re.S)

# Criteria headings, English and French (folded: lower case, plain apostrophes).
CRITERIA = {
    "seniority level": "experience",
    "niveau hiérarchique": "experience",
    "employment type": "contract",
    "type d'emploi": "contract",
}

BLOCKED_HELP = (
    "LinkedIn refused the crawl: {seen} on {url}. It limits guest job searches hard and its "
    "terms forbid scraping: leave this source off for a while (it is opt-in), or read LinkedIn "
    "offers in a browser."
)
ROBOTS_HELP = (
    "www.linkedin.com's robots.txt forbids {url} for our User-Agent, and botjobs obeys robots.txt: "
    "nothing was fetched. This source cannot be crawled politely; leave it off."
)
LAYOUT_HELP = (
    "LinkedIn's guest job search no longer answers what botjobs reads ({problem}) on {url}: "
    "the spider needs updating (spiders/linkedin.py)."
)


# ---------------------------------------------------------------- searches and paging


def search_url(term: str, start: int) -> str:
    # Always the same parameters in the same order: recorded fixtures are matched by URL.
    params = {
        "keywords": term,
        "location": LOCATION,
        "geoId": GEO_ID,
        "f_TPR": POSTED_WITHIN,
        "start": start,
    }
    return f"{SEARCH_URL}?{urlencode(params)}"


def search_of(url: str) -> tuple[str, int]:
    """The term and offset of a search URL."""
    return query_value(url, "keywords"), query_int(url, "start")


def next_start(start: int, count: int) -> int | None:
    """The offset after a page at `start` that held `count` cards; None when there is none to
    ask for (an empty page, or past MAX_START)."""
    if count <= 0:
        return None
    following = start + count
    return following if following <= MAX_START else None


def detail_url(job_id: str) -> str:
    return DETAIL_URL.format(id=job_id)


# ---------------------------------------------------------------- the search fragment


def is_empty_fragment(html: str) -> bool:
    """LinkedIn's "no more results": a body with nothing in it but blanks and comments."""
    return not _COMMENTS.sub("", html).strip()


def cards_in(html: str) -> list[Selector]:
    return Selector(text=html).css(".base-search-card")


def block_signs(html: str) -> list[str]:
    folded = html.casefold()
    return list(dict.fromkeys(what for sign, what in BLOCK_SIGNS.items() if sign in folded))


def _first(selector: Selector, css: str) -> str | None:
    """The normalised text of the first element `css` selects, or None."""
    found = selector.css(css)
    if not found:
        return None
    return text(found[0].xpath("normalize-space(.)").get())


def job_id(card: Selector) -> str | None:
    """From `data-entity-urn` (on the card or inside it), else from the job link."""
    for urn in card.xpath("./@data-entity-urn | .//@data-entity-urn").getall():
        match = _JOB_URN.search(urn)
        if match:
            return match.group(1)
    for link in card.css("a.base-card__full-link::attr(href), a::attr(href)").getall():
        match = _LINK_ID.search(link)
        if match:
            return match.group(1)
    return None


def offer_url(link: str | None, job: str | None) -> str | None:
    """The card's link without its tracking parameters; built from the id without a link."""
    try:
        parts = urlsplit(link.strip()) if link else None
    except ValueError:  # "http://[oops": no link at all
        parts = None
    linkedin = parts is not None and (parts.hostname or "").endswith("linkedin.com")
    if linkedin and parts.scheme in ("http", "https"):
        return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    return None if job is None else OFFER_URL.format(id=job)


def offer_from_card(card: Selector) -> dict[str, Any]:
    """A raw offer from one search card; whatever is missing becomes None."""
    job = job_id(card)
    date = card.css("time::attr(datetime)").get()
    return raw_offer(
        source=SOURCE,
        source_id=job,
        url=offer_url(card.css("a.base-card__full-link::attr(href)").get(), job),
        title=_first(card, "h3.base-search-card__title"),
        company=_first(card, "h4.base-search-card__subtitle"),
        location=_first(card, "span.job-search-card__location"),
        salary=_first(card, "span.job-search-card__salary-info"),
        posted_at=text(date) or _first(card, "time"),
        # The detail page says these, when it can be read.
        contract=None,
        description=None,
        experience=None,
    )


# ---------------------------------------------------------------- the detail page


def _heading(value: str) -> str:
    return value.casefold().replace("\u2019", "'").strip()


def criteria(page: Selector) -> dict[str, str]:
    """The criteria list: what each known heading says, under the raw-offer field it fills."""
    found: dict[str, str] = {}
    for item in page.css(
        "li.description__job-criteria-item, ul.description__job-criteria-list > li"
    ):
        heading = _first(item, "h3.description__job-criteria-subheader")
        value = _first(item, "span.description__job-criteria-text")
        field = CRITERIA.get(_heading(heading)) if heading else None
        if field and value and field not in found:
            found[field] = value
    return found


def description_html(page: Selector) -> str | None:
    """The inner HTML of the description block."""
    markup = page.css("div.show-more-less-html__markup")
    if not markup:
        return None
    return text("".join(markup[0].xpath("node()").getall()))


def read_detail(html: str) -> dict[str, Any]:
    """What a detail page adds to a card: description, contract, experience (each may be None)."""
    page = Selector(text=html or "<html></html>")
    found = criteria(page)
    return {
        "description": description_html(page),
        "contract": found.get("contract"),
        "experience": found.get("experience"),
    }


def with_detail(card: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
    """The card completed by what its detail page says; the detail's blanks change nothing."""
    known = {key: value for key, value in detail.items() if value is not None}
    return raw_offer(**{**card, **known})


# ---------------------------------------------------------------- the spider


class LinkedInSpider(SourceSpider):
    name = SOURCE
    opt_in = True  # LinkedIn's terms forbid scraping; enabled by the user at their own risk
    about = "LinkedIn guest job search (opt-in: its terms forbid scraping; low volume)"
    allowed_domains = ["linkedin.com"]
    # The one politeness override a spider makes: LinkedIn throttles guests far below what the
    # project's settings allow other sites, so one request at a time, five seconds apart.
    custom_settings = {"DOWNLOAD_DELAY": 5.0, "CONCURRENT_REQUESTS_PER_DOMAIN": 1}

    def first_page_urls(self) -> list[str]:
        return [search_url(term, 0) for term in self.terms]

    async def start(self):
        for url in self.first_page_urls():
            yield self._search_request(url)

    def _search_request(self, url: str) -> Request:
        return Request(
            url,
            callback=self.parse_search,
            errback=self.search_failed,
            meta={"handle_httpstatus_list": list(BLOCK_STATUSES)},
        )

    def _detail_request(self, card: dict[str, Any]) -> Request:
        return Request(
            detail_url(card["source_id"]),
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"card": card},
            meta={"handle_httpstatus_list": [*BLOCK_STATUSES, *WITHDRAWN_STATUSES]},
        )

    def _blocked(self, status: int, html: str, url: str) -> None:
        signs = block_signs(html)
        seen = f"HTTP {status}" + (f" with {', '.join(signs)}" if signs else "")
        self.stop(BLOCKED, BLOCKED_HELP.format(seen=seen, url=url))

    # -- search

    def parse_search(self, response: Response) -> Iterator[Any]:
        html = response_text(response)
        if response.status in BLOCK_STATUSES:
            self._blocked(response.status, html, response.url)
        if is_empty_fragment(html):
            return
        cards = cards_in(html)
        if not cards:
            if block_signs(html):
                self._blocked(response.status, html, response.url)
            problem = "no .base-search-card in the search fragment"
            yield reject(SOURCE, problem, html[:PAYLOAD_CHARS], response.url)
            self.stop(LAYOUT_CHANGED, LAYOUT_HELP.format(problem=problem, url=response.url))
        for card in cards:
            offer = offer_from_card(card)
            if offer["source_id"] is None:
                # Without an id there is neither detail to ask for nor a key to store it under.
                payload = card.get()[:PAYLOAD_CHARS]
                yield reject(SOURCE, "job card without a job id", payload, response.url)
                continue
            yield self._detail_request(offer)
        term, start = search_of(response.url)
        following = next_start(start, len(cards))
        if following is not None:
            yield self._search_request(search_url(term, following))

    def search_failed(self, failure) -> None:
        url = failure.request.url
        if failure.check(HttpError):
            status = failure.value.response.status
            if status in BLOCK_STATUSES:
                self._blocked(status, "", url)
        elif not_sent(failure) and "robots.txt" in failure.getErrorMessage():
            self.stop(BLOCKED, ROBOTS_HELP.format(url=url))
        self.failed(failure, "search", "failed_searches")

    # -- detail

    def parse_detail(self, response: Response, card: dict[str, Any]) -> Iterator[Any]:
        if response.status in WITHDRAWN_STATUSES:
            self.logger.info("withdrawn: %s (HTTP %s)", response.url, response.status)
            return
        html = response_text(response)
        if response.status in BLOCK_STATUSES:
            yield card  # read before the refusal: worth keeping
            self._blocked(response.status, html, response.url)
        detail = read_detail(html)
        if detail["description"] is None:
            self.logger.warning(
                "LinkedIn detail %s has no description block: the card is kept without it",
                response.url,
            )
            self.crawler.stats.inc_value("linkedin/details_without_description")
        yield with_detail(card, detail)

    def detail_failed(self, failure) -> Iterator[Any]:
        request = failure.request
        card = request.cb_kwargs.get("card")
        if failure.check(HttpError):
            status = failure.value.response.status
            if status in BLOCK_STATUSES:
                if card is not None:
                    yield card
                self._blocked(status, "", request.url)
        elif failure.check(IgnoreRequest) and "robots.txt" in failure.getErrorMessage():
            self.stop(BLOCKED, ROBOTS_HELP.format(url=request.url))
        self.logger.warning(
            "LinkedIn detail %s failed (%s): the card is kept without it",
            request.url,
            failure_reason(failure),
        )
        self.crawler.stats.inc_value("linkedin/failed_details")
        if card is not None:
            yield card
