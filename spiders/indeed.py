"""Indeed France (fr.indeed.com): its HTML search pages, read for the job cards they embed
(SOURCES.md §5).

Opt-in, because the route is brittle: Indeed answers automated visits with Cloudflare challenges
and 403s often, and the embedded JSON is an undocumented part of the page that can change
without notice. A blocked crawl stops this source cleanly and says so; the other sources go on.

How it is asked: one search page per term and offset,
`https://fr.indeed.com/jobs?q=<term>&l=France&sort=date&start=<0, 10, 20…>`. The page embeds the
results as JSON in a script that assigns
`window.mosaic.providerData["mosaic-provider-jobcards"] = {…}`; the cards are under
`metaData.mosaicProviderJobCardsModel.results`. Offsets step by 10; a page with fewer cards, or
with none not already seen for the term (Indeed repeats its last page when asked past the end),
is the last, and no term is read past offset 90 (Indeed itself stops around page 67).

Only the cards are read: the description is the card's HTML teaser. The offer pages
(`/viewjob?jk=KEY`) are not fetched, since every extra page raises the risk of being blocked.

The alternative, not used here, is the mobile app's GraphQL endpoint
(`POST https://apis.indeed.com/graphql`, header `indeed-co: FR`, `jobSearch` with cursor paging),
which returns full descriptions but needs an app key. Users of python-jobspy can also load its
CSV output with `botjobs import FILE`.

The logic lives in the module-level functions; the spider class only wires them to Scrapy.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

from parsel import Selector
from scrapy import Request
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from pipeline.items import raw_offer, reject
from spiders.common import (
    BLOCKED,
    LAYOUT_CHANGED,
    PAYLOAD_CHARS,
    SourceSpider,
    at,
    finite,
    not_sent,
    number,
    query_int,
    query_value,
    response_text,
    text,
)

SOURCE = "indeed"

SEARCH_URL = "https://fr.indeed.com/jobs"
OFFER_URL = "https://fr.indeed.com/viewjob?jk={key}"
LOCATION = "France"
# Indeed's `start` moves ten results at a time.
PAGE_STEP = 10
# No page from this offset on: ten pages a term is plenty for one role, and fewer pages are
# fewer chances to be blocked.
MAX_START = 100

JOBCARDS_KEY = "mosaic-provider-jobcards"
RESULTS_PATH = ("metaData", "mosaicProviderJobCardsModel", "results")
_JOBCARDS = re.compile(
    r"window\.mosaic\.providerData\[\s*([\"'])mosaic-provider-jobcards\1\s*\]\s*=\s*"
)

# What Indeed's walls show instead of results: a Cloudflare challenge or an hCaptcha page.
# Compared with the page folded to lower case.
BLOCK_SIGNS = {
    "just a moment": "a Cloudflare challenge page (“Just a moment…”)",
    "cf-chl": "a Cloudflare challenge (cf-chl)",
    "_cf_chl_opt": "a Cloudflare challenge (cf-chl)",
    "challenge-platform": "a Cloudflare challenge (challenge-platform)",
    "hcaptcha": "an hCaptcha",
    "vérification de sécurité": "a security check (“Vérification de sécurité”)",
    "verification de securite": "a security check (“Vérification de sécurité”)",
}
BLOCK_STATUSES = (403, 429)
# A search without results may come without the job cards at all; these say it is one.
NO_RESULT_SIGNS = ("jobsearch-noresult", "ne correspond à aucune offre", "did not match any jobs")

BLOCKED_HELP = (
    "Indeed blocked the crawl: {seen} on {url}. Indeed often refuses automated visits; the next "
    "run will try again. To get Indeed offers meanwhile, run python-jobspy yourself and load its "
    "CSV output with `botjobs import FILE`."
)
ROBOTS_HELP = (
    "fr.indeed.com's robots.txt forbids {url} for our User-Agent, and botjobs obeys robots.txt: "
    "nothing was fetched. Leave this source off, or load python-jobspy's CSV output with "
    "`botjobs import FILE`."
)
LAYOUT_HELP = (
    "Indeed's search page no longer holds what botjobs reads ({problem}) on {url}: the spider "
    "needs updating (spiders/indeed.py). python-jobspy's CSV output can be loaded with "
    "`botjobs import FILE` meanwhile."
)


class LayoutChanged(ValueError):
    """A search page that came back but no longer holds the job cards where we read them."""


# ---------------------------------------------------------------- searches and paging


def search_url(term: str, start: int) -> str:
    # Always the same parameters in the same order: recorded fixtures are matched by URL.
    return f"{SEARCH_URL}?{urlencode({'q': term, 'l': LOCATION, 'sort': 'date', 'start': start})}"


def search_of(url: str) -> tuple[str, int]:
    """The term and offset of a search URL."""
    return query_value(url, "q"), query_int(url, "start")


def next_start(start: int, count: int, new_keys: int) -> int | None:
    """The offset of the page after one at `start` that held `count` cards, `new_keys` of them
    not seen before for the same term; None when that page was the last one to read."""
    if count < PAGE_STEP or new_keys == 0:
        return None
    following = start + PAGE_STEP
    return following if following < MAX_START else None


# ---------------------------------------------------------------- the page


def jobcards_data(html: str) -> dict[str, Any] | None:
    """The object the page assigns to the job cards provider, or None when it assigns none.

    Raises LayoutChanged when the assignment is there but what follows is no JSON object.
    """
    match = _JOBCARDS.search(html)
    if match is None:
        return None
    try:
        data, _ = json.JSONDecoder().raw_decode(html, match.end())
    except (ValueError, RecursionError) as error:
        raise LayoutChanged(f"the {JOBCARDS_KEY} JSON is unreadable ({error})") from None
    if not isinstance(data, dict):
        raise LayoutChanged(f"the {JOBCARDS_KEY} JSON is a {type(data).__name__}, not an object")
    return data


def jobcard_results(html: str) -> list[Any] | None:
    """The job cards of a search page; None when the page has no job cards JSON at all."""
    data = jobcards_data(html)
    if data is None:
        return None
    results = at(data, *RESULTS_PATH)
    if not isinstance(results, list):
        raise LayoutChanged(f"the {JOBCARDS_KEY} JSON has no {'.'.join(RESULTS_PATH)} list")
    return results


def block_signs(html: str) -> list[str]:
    """What in a page says it is an anti-bot wall, described for a person, once each."""
    folded = html.casefold()
    return list(dict.fromkeys(what for sign, what in BLOCK_SIGNS.items() if sign in folded))


def says_no_result(html: str) -> bool:
    folded = html.casefold()
    return any(sign in folded for sign in NO_RESULT_SIGNS)


def page_title(html: str) -> str | None:
    return text(Selector(text=html or "<html></html>").xpath("normalize-space(//title)").get())


def page_payload(html: str, status: int) -> str:
    """What a reject keeps of a page: its status, title and first characters."""
    head = f"HTTP {status}; title: {page_title(html) or 'none'}\n"
    return (head + html)[:PAYLOAD_CHARS]


# ---------------------------------------------------------------- one card


def string(value: Any) -> str | None:
    """A stripped string, or None: unlike an id, a title or a place is never a number."""
    return text(value) if isinstance(value, str) else None


def offer_url(key: str | None) -> str | None:
    return None if key is None else OFFER_URL.format(key=key)


def _attribute_labels(card: Any, group: str) -> list[str]:
    """Labels of one `taxonomyAttributes` group ("job-types", "remote"…)."""
    groups = at(card, "taxonomyAttributes")
    found: list[str] = []
    for item in groups if isinstance(groups, list) else []:
        if string(at(item, "label")) != group:
            continue
        attributes = at(item, "attributes")
        for attribute in attributes if isinstance(attributes, list) else []:
            label = (
                string(attribute) if isinstance(attribute, str) else string(at(attribute, "label"))
            )
            if label and label not in found:
                found.append(label)
    return found


def contract_text(card: Any) -> str | None:
    """The job types as Indeed labels them ("CDI, Temps plein"), from `jobTypes` or else the
    "job-types" taxonomy."""
    types = at(card, "jobTypes")
    labels: list[str] = []
    for item in types if isinstance(types, list) else []:
        label = string(item) if isinstance(item, str) else string(at(item, "label"))
        if label and label not in labels:
            labels.append(label)
    labels = labels or _attribute_labels(card, "job-types")
    return ", ".join(labels) or None


def remote_text(card: Any) -> str | None:
    """Indeed's remote labels ("Télétravail partiel"); a bare `remoteLocation: true` says only
    "remote", which the normaliser reads as the code it is."""
    labels = _attribute_labels(card, "remote")
    if labels:
        return ", ".join(labels)
    return "remote" if at(card, "remoteLocation") is True else None


def posted_text(card: Any) -> str | None:
    """`pubDate` as given (epoch milliseconds, which the date normaliser reads), else the
    relative text ("il y a 3 jours")."""
    published = at(card, "pubDate")
    if isinstance(published, int | float) and not isinstance(published, bool):
        moment = finite(published)  # JSON may say Infinity
        if moment is not None and moment > 0:
            return str(int(moment))
    return string(published) or string(at(card, "formattedRelativeTime"))


def offer_from_card(card: Any) -> dict[str, Any]:
    """A raw offer from one job card; whatever is missing or odd becomes None.

    A card without a key or title is still returned: the pipeline rejects it with its reason.
    """
    key = text(at(card, "jobkey"))
    extracted = at(card, "extractedSalary")
    return raw_offer(
        source=SOURCE,
        source_id=key,
        url=offer_url(key),
        title=string(at(card, "displayTitle")) or string(at(card, "title")),
        company=string(at(card, "company")),
        location=string(at(card, "formattedLocation")),
        salary=string(at(card, "salarySnippet", "text")),
        contract=contract_text(card),
        remote=remote_text(card),
        description=string(at(card, "snippet")),
        posted_at=posted_text(card),
        salary_min=number(at(extracted, "min")),
        salary_max=number(at(extracted, "max")),
        salary_period=string(at(extracted, "type")),
        salary_currency=string(at(card, "salarySnippet", "currency")),
    )


# ---------------------------------------------------------------- the spider


class IndeedSpider(SourceSpider):
    name = SOURCE
    opt_in = True  # brittle: Cloudflare walls, undocumented embedded JSON
    about = "Indeed France search pages (opt-in: often blocked; teaser descriptions only)"
    allowed_domains = ["fr.indeed.com"]
    # A wall answers 403 (429 after the retries): let it reach parse_search to stop the source.
    handle_httpstatus_list = list(BLOCK_STATUSES)

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        # The job keys seen per term, to notice Indeed repeating its last page.
        self.keys_seen: dict[str, set[str]] = {}

    def first_page_urls(self) -> list[str]:
        return [search_url(term, 0) for term in self.terms]

    async def start(self):
        for url in self.first_page_urls():
            yield self._search_request(url)

    def _search_request(self, url: str) -> Request:
        return Request(url, callback=self.parse_search, errback=self.search_failed)

    def _blocked(self, status: int, html: str, url: str) -> None:
        signs = block_signs(html)
        seen = f"HTTP {status}" + (f" with {', '.join(signs)}" if signs else "")
        self.stop(BLOCKED, BLOCKED_HELP.format(seen=seen, url=url))

    def parse_search(self, response: Response) -> Iterator[Any]:
        html = response_text(response)
        if response.status in BLOCK_STATUSES:
            self._blocked(response.status, html, response.url)
        try:
            results = jobcard_results(html)
        except LayoutChanged as error:
            yield from self._layout_changed(response, html, str(error))
            return
        if results is None:
            # Walls are looked for only where the results are missing: a results page may
            # well name a captcha provider in its scripts.
            if block_signs(html):
                self._blocked(response.status, html, response.url)
            if says_no_result(html):
                self.logger.info("Indeed: no result for %s", response.url)
                return
            yield from self._layout_changed(response, html, f"no {JOBCARDS_KEY} JSON in the page")
            return

        term, start = search_of(response.url)
        seen = self.keys_seen.setdefault(term, set())
        new_keys = 0
        for card in results:
            if not isinstance(card, dict):
                payload = json.dumps(card, ensure_ascii=False)[:PAYLOAD_CHARS]
                yield reject(SOURCE, "job card is not a JSON object", payload, response.url)
                continue
            key = text(card.get("jobkey"))
            if key is not None and key not in seen:
                seen.add(key)
                new_keys += 1
            yield offer_from_card(card)
        following = next_start(start, len(results), new_keys)
        if following is not None:
            yield self._search_request(search_url(term, following))

    def _layout_changed(self, response: Response, html: str, problem: str) -> Iterator[Any]:
        yield reject(SOURCE, problem, page_payload(html, response.status), response.url)
        self.stop(LAYOUT_CHANGED, LAYOUT_HELP.format(problem=problem, url=response.url))

    def search_failed(self, failure) -> None:
        url = failure.request.url
        if failure.check(HttpError):
            status = failure.value.response.status
            if status in BLOCK_STATUSES:
                self._blocked(status, "", url)
        elif not_sent(failure) and "robots.txt" in failure.getErrorMessage():
            self.stop(BLOCKED, ROBOTS_HELP.format(url=url))
        self.failed(failure, "search", "failed_searches")
