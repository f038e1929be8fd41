"""Cyberjobs.fr, a job board for cybersecurity and IT roles (SOURCES.md §8).

No API is documented: the site is a .NET/React application (`/Jobs`, `/Company/<slug>`). Each
search term is asked on the search page, `/Jobs?keywords=<term>&page=N` (unverified: the
parameter names are assumed), whose server-rendered HTML holds one card per offer linking to
the offer page, `/Jobs/<id>/<slug>`; the pages are followed through the site's own "next" link.
An offer page is read from its schema.org JobPosting JSON-LD first (the readers of
`spiders.jobposting`), its HTML filling what the JSON-LD leaves out (and giving the contract
label, which JSON-LD has no words for); without JSON-LD the HTML alone is read. The layout below (class names of cards, pagination and offer fields) was chosen
by hand and is unverified: a layout change is an edit of the selector constants only.

The logic lives in the module-level functions (HTML text in, plain dicts out); the spider class
only wires them to Scrapy.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

from parsel import Selector
from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.items import raw_offer, reject
from spiders.common import (
    BLOCKED,
    LAYOUT_CHANGED,
    PAYLOAD_CHARS,
    SourceSpider,
    attribute,
    joined_url,
    response_text,
)
from spiders.jobposting import jobposting_to_raw, jobpostings_in, jsonld_scripts

SOURCE = "cyberjobs"
SITE = "https://www.cyberjobs.fr"
SEARCH_URL = f"{SITE}/Jobs"
DOMAINS = ["cyberjobs.fr"]
# A runaway "next" link must not walk the site forever; a term rarely has more than a few pages.
MAX_PAGES = 30

# An offer's path: /Jobs/<id>/<slug>. Ids are assumed numeric or hexadecimal (the site's image
# URLs carry MongoDB-style ids); a word such as /Jobs/Search is not an id.
OFFER_PATH = re.compile(r"^/Jobs/(?P<id>[0-9A-Fa-f][0-9A-Fa-f-]{0,63})(?:/[^/?#]*)?/?$")

# --- the layout (unverified: chosen by hand; a layout change is an edit here) ---------------
# Search page: the results container is there even when nothing matched.
RESULTS = "ul.job-list"
CARD = "li.job-card"
CARD_LINKS = "a[href]::attr(href)"
NEXT_LINK = "a[rel~='next']::attr(href)"
# Offer page.
HTML_TITLE = "h1"
HTML_COMPANY = ".job-detail__company"
HTML_LOCATION = ".job-detail__location"
HTML_CONTRACT = ".job-detail__contract"
HTML_SALARY = ".job-detail__salary"
HTML_REMOTE = ".job-detail__remote"
HTML_POSTED = "time.job-detail__date"
HTML_DESCRIPTION = ".job-detail__description"
HTML_APPLY = "a.job-detail__apply::attr(href)"
# An anti-bot interstitial (Cloudflare-style challenge, captcha) instead of the page asked for.
BLOCK_MARKERS = re.compile(
    r"cf-challenge|challenge-platform|cf_chl_|g-recaptcha|h-captcha|hcaptcha|"
    r"captcha-delivery|Attention Required!|Just a moment\.\.\.",
    re.IGNORECASE,
)

# The fields the HTML may fill when the JSON-LD leaves them out.
HTML_FILLS = (
    "title",
    "company",
    "location",
    "salary",
    "remote",
    "description",
    "posted_at",
    "apply_url",
)
# The fields where the page's own label wins over the JSON-LD: employmentType says FULL_TIME
# where the page says CDI, CDD or Alternance, and only the latter is a French contract.
HTML_FIRST = ("contract",)

_SPACES = re.compile(r"\s+")

# Request meta keys.
TERM_META = "cyberjobs_term"
PAGE_META = "cyberjobs_page"


class LayoutChanged(ValueError):
    """A search page that no longer holds the results container."""


@dataclass
class Listing:
    """What one search page holds: offer page URLs, the next page, cards without an offer link."""

    offer_urls: list[str] = field(default_factory=list)
    next_url: str | None = None
    cards_without_link: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- search pages


def search_url(term: str, page: int = 1) -> str:
    # Always keywords then page, page 1 included: recorded fixtures are matched by URL.
    return f"{SEARCH_URL}?{urlencode({'keywords': term, 'page': page})}"


def page_number(url: str) -> int:
    """The `page` of a search URL (1 when absent or unreadable)."""
    value = dict(parse_qsl(urlsplit(url).query)).get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def offer_id(url: str) -> str | None:
    """The offer id of a cyberjobs offer URL, None for any other URL."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower()
    if host and host != "cyberjobs.fr" and not host.endswith(".cyberjobs.fr"):
        return None
    match = OFFER_PATH.match(parts.path)
    return match.group("id") if match else None


def is_blocked(page_html: str) -> bool:
    """Whether a page is an anti-bot challenge or a captcha rather than what was asked."""
    return BLOCK_MARKERS.search(page_html or "") is not None


def parse_listing(page_html: str, page_url: str) -> Listing:
    """The offer links and the next page of a search page; LayoutChanged when the results
    container is gone (an empty result keeps the container, with no card in it)."""
    selector = Selector(text=page_html or "<html></html>")
    results = selector.css(RESULTS)
    if not results:
        raise LayoutChanged(f"no results container ({RESULTS!r})")
    listing = Listing()
    for card in results.css(CARD):
        links = [joined_url(page_url, href) for href in card.css(CARD_LINKS).getall()]
        url = next((link for link in links if link and offer_id(link)), None)
        if url is None:
            listing.cards_without_link.append(card.get())
        elif url not in listing.offer_urls:
            listing.offer_urls.append(url)
    href = selector.css(NEXT_LINK).get()
    if href and href.strip():
        following = joined_url(page_url, href)
        # A "next" link to this page or an earlier one would send the crawl round in circles.
        if following and page_number(following) > page_number(page_url):
            listing.next_url = following
    return listing


# ---------------------------------------------------------------- offer pages


def _text_of(selector: Selector, css: str) -> str | None:
    node = selector.css(css)
    if not node:
        return None
    words = _SPACES.sub(" ", " ".join(node[0].css("::text").getall())).strip()
    return words or None


def html_fields(page_html: str, page_url: str) -> dict[str, Any]:
    """What the offer page's HTML says, by the selectors above; a missing field is None."""
    selector = Selector(text=page_html or "<html></html>")
    posted = selector.css(HTML_POSTED)
    posted_at = None
    if posted:
        posted_at = (attribute(posted[0], "datetime") or "").strip() or _text_of(
            selector, HTML_POSTED
        )
    description = selector.css(HTML_DESCRIPTION)
    apply = (selector.css(HTML_APPLY).get() or "").strip()
    return {
        "title": _text_of(selector, HTML_TITLE),
        "company": _text_of(selector, HTML_COMPANY),
        "location": _text_of(selector, HTML_LOCATION),
        "salary": _text_of(selector, HTML_SALARY),
        "contract": _text_of(selector, HTML_CONTRACT),
        "remote": _text_of(selector, HTML_REMOTE),
        "description": description[0].get().strip() if description else None,
        "posted_at": posted_at,
        "apply_url": joined_url(page_url, apply) if apply else None,
    }


def offer_from_html(fields: dict[str, Any], offer_url: str, source_id: str) -> dict[str, Any]:
    return raw_offer(source=SOURCE, source_id=source_id, url=offer_url, **fields)


@dataclass
class OfferPage:
    """What an offer page gave: the offer (None when unreadable), why not, and what was seen."""

    offer: dict[str, Any] | None
    reason: str | None = None
    payload: str | None = None
    warnings: list[str] = field(default_factory=list)


def read_offer_page(page_html: str, page_url: str, source_id: str) -> OfferPage:
    """The offer of one offer page: its JSON-LD JobPosting with the HTML filling the gaps, or
    the HTML alone (title and description at least), or the reason neither could be read."""
    scripts = jsonld_scripts(page_html)
    warnings = [
        f"malformed JSON-LD (script {n}): {s.error}"
        for n, s in enumerate(scripts, start=1)
        if s.error is not None
    ]
    postings = [p for s in scripts if s.error is None for p in jobpostings_in(s.data)]
    fields = html_fields(page_html, page_url)
    offer = None
    if postings:
        if len(postings) > 1:
            warnings.append(f"{len(postings)} JobPostings on one offer page, the first is read")
        try:
            offer = jobposting_to_raw(postings[0], page_url)
        except Exception as error:  # a crawl must outlive one odd posting; the HTML may do
            warnings.append(f"JobPosting not read: {error!r}")
    if offer is not None:
        offer["source"] = SOURCE
        offer["source_id"] = source_id
        # The page read, not the posting's `url`, which may name the employer's own site.
        offer["url"] = page_url
        for key in HTML_FILLS:
            if offer.get(key) is None and fields[key] is not None:
                offer[key] = fields[key]
        for key in HTML_FIRST:
            offer[key] = fields[key] or offer.get(key)
        return OfferPage(offer, warnings=warnings)
    if fields["title"] and fields["description"]:
        return OfferPage(offer_from_html(fields, page_url, source_id), warnings=warnings)
    selector = Selector(text=page_html or "<html></html>")
    title = (selector.xpath("normalize-space(//title)").get() or "").strip()
    reason = "offer page with neither JobPosting JSON-LD nor the offer layout"
    if warnings:
        reason += f" ({'; '.join(warnings)})"
    payload = json.dumps(
        {
            "title": title or None,
            "h1": fields["title"],
            "jsonld_scripts": len(scripts),
            "start": (page_html or "")[: PAYLOAD_CHARS // 2],
        },
        ensure_ascii=False,
    )[:PAYLOAD_CHARS]
    return OfferPage(None, reason, payload, warnings)


# ---------------------------------------------------------------- the spider


class CyberjobsSpider(SourceSpider):
    name = SOURCE
    about = "Cyberjobs.fr, the cybersecurity and IT job board (search pages, offer pages)"
    allowed_domains = DOMAINS

    async def start(self) -> AsyncIterator[Request]:
        for term in self.terms:
            yield self._search_request(search_url(term, 1), term, 1)

    def _search_request(self, url: str, term: str, page: int) -> Request:
        return Request(
            url,
            callback=self.parse_search,
            errback=self.on_error,
            # A 403 is a wall to report, not a failure to retry.
            meta={TERM_META: term, PAGE_META: page, "handle_httpstatus_list": [403]},
        )

    def _offer_request(self, url: str) -> Request:
        return Request(
            url,
            callback=self.parse_offer,
            errback=self.on_error,
            meta={"handle_httpstatus_list": [403, 404, 410]},
        )

    def _blocked(self, response: Response, what: str) -> None:
        self.stop(
            BLOCKED,
            f"cyberjobs.fr answered {response.url} with {what}; try again later, or leave "
            "the source out of the crawl (botjobs crawl --source …)",
        )

    def parse_search(self, response: Response) -> Iterator[Any]:
        if response.status == 403:
            self._blocked(response, "HTTP 403")
        body = response_text(response)
        term = response.meta.get(TERM_META, "?")
        page = response.meta.get(PAGE_META, page_number(response.url))
        try:
            listing = parse_listing(body, response.url)
        except LayoutChanged as error:
            # Markers are only trusted on a page that lacks what we read: an offer text may
            # well speak of captchas.
            if is_blocked(body):
                self._blocked(response, "an anti-bot challenge page")
            yield reject(SOURCE, f"search page: {error}", body[:PAYLOAD_CHARS], response.url)
            self.stop(
                LAYOUT_CHANGED,
                f"the search page {response.url} no longer holds its results ({error}); "
                "the site's layout changed: update the selectors in spiders/cyberjobs.py",
            )
            return
        for card in listing.cards_without_link:
            payload = card[:PAYLOAD_CHARS]
            yield reject(SOURCE, "result card without an offer link", payload, response.url)
        if not listing.offer_urls:
            self.logger.info("cyberjobs: no result for %r (page %s)", term, page)
        for url in listing.offer_urls:
            yield self._offer_request(url)
        if listing.next_url is not None:
            if page >= MAX_PAGES:
                self.logger.warning(
                    "cyberjobs: %r has more than %s pages; the rest is not read", term, MAX_PAGES
                )
                self.crawler.stats.inc_value("cyberjobs/page_cap")
            else:
                yield self._search_request(listing.next_url, term, page + 1)

    def parse_offer(self, response: Response) -> Iterator[Any]:
        if response.status in (404, 410):
            self.logger.info("withdrawn: %s (HTTP %s)", response.url, response.status)
            self.crawler.stats.inc_value("cyberjobs/withdrawn")
            return
        if response.status == 403:
            self._blocked(response, "HTTP 403")
        source_id = offer_id(response.url)
        if source_id is None:
            # A removed offer is commonly sent on to the job list or the home page.
            asked = (response.meta.get("redirect_urls") or [response.url])[0]
            self.logger.info("withdrawn: %s now leads to %s", asked, response.url)
            self.crawler.stats.inc_value("cyberjobs/withdrawn")
            return
        body = response_text(response)
        page = read_offer_page(body, response.url, source_id)
        for warning in page.warnings:
            self.logger.warning("cyberjobs: %s on %s", warning, response.url)
        if page.offer is None:
            if is_blocked(body):
                self._blocked(response, "an anti-bot challenge page")
            self.logger.warning("cyberjobs: %s: %s", response.url, page.reason)
            yield reject(SOURCE, page.reason or "unreadable offer page", page.payload, response.url)
            return
        yield page.offer

    def on_error(self, failure: Failure) -> None:
        self.failed(failure)
