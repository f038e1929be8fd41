"""Welcome to the Jungle: the site's own Algolia search, then each offer's page (SOURCES.md §4).

The site's front end searches an Algolia index with a public, search-only key; so does this
spider. One query per search term, limited to offices in France and to a window of publication
dates. Algolia never shows more than 1,000 hits of a query, so a window that holds more is cut
in two halves, again and again down to one day, until every query fits; each window is then
read page by page until `nbPages`.

A hit already states the structured facts (contract, remote, salary, experience, places). The
description is the offer page's JobPosting JSON-LD, read with the functions of
`spiders/jobposting.py`: hit fields win for structured values, the page gives the description
and fills what the hit leaves out. A page that is gone (404/410) is a withdrawn offer; a page
that fails or has no JSON-LD leaves the hit alone, with its summary and profile as description.

Windows end at midnight UTC after the day given by `-a until=YYYY-MM-DD` (default: today, UTC),
so a day's requests are all the same and a replay can ask exactly what was recorded.

The logic lives in the module-level functions; the spider class only wires them to Scrapy.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator, Mapping
from datetime import UTC, date, datetime, timedelta
from typing import Any, NamedTuple
from urllib.parse import quote

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import JsonRequest, Response
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from pipeline.items import raw_offer, reject
from spiders.common import (
    BLOCKED,
    LAYOUT_CHANGED,
    NO_CREDENTIALS,
    PAYLOAD_CHARS,
    FeedError,
    SourceSpider,
    at,
    code,
    coordinate,
    failure_reason,
    json_body,
    json_member,
    json_of_kind,
    number,
    response_text,
    text,
)
from spiders.jobposting import jobposting_to_raw, jobpostings_in, jsonld_scripts

SOURCE = "wttj"

SITE = "https://www.welcometothejungle.com"
OFFER_URL = SITE + "/fr/companies/{org}/jobs/{slug}"
ALGOLIA_APP_ID = "CSEKHVMS53"
ALGOLIA_INDEX = "wttj_jobs_production_fr"
SEARCH_URL = f"https://csekhvms53-dsn.algolia.net/1/indexes/{ALGOLIA_INDEX}/query"

ENV_KEY = "WTTJ_ALGOLIA_KEY"
# The key the front end ships; replace if it rotates. It is a public search-only key, but this
# placeholder is not it: copy the current one from the site's own requests into WTTJ_ALGOLIA_KEY
# (or here). A replay sends nothing anywhere, and fixtures do not match headers.
PUBLIC_SEARCH_KEY = "the-public-search-key-the-front-end-ships"

HITS_PER_PAGE = 100
# Algolia's paginationLimitedTo: no query shows a hit past the 1,000th.
MAX_HITS = 1000
LOOKBACK_DAYS = 60
DAY = 86400
COUNTRY_FILTER = [["offices.country_code:FR"]]

# The day the fixtures in tests/fixtures/wttj were built for. Request bodies carry the window's
# timestamps and a replay matches bodies exactly, so a replay must compute the same windows as
# the recording, whatever today is. A fixed constant beside the code is the simplest thing that
# does it: a spider reading the fixture folder would tie it to the replay format, and a clock
# file would be one more thing for `--record` (which knows nothing of windows) to forget. After
# `botjobs crawl --record`, set this to the day of the capture (the crawl logs it);
# tests/spiders/test_wttj.py checks that it agrees with the recorded bodies.
REPLAY_UNTIL = date(2026, 11, 15)

# Meta keys of the requests: what a search asked, and the hit an offer page belongs to.
TERM_META = "botjobs_term"
WINDOW_META = "botjobs_window"
PAGE_META = "botjobs_page"
HIT_META = "botjobs_hit"

SALARY_KEYS = ("salary", "salary_min", "salary_max", "salary_period", "salary_currency")
PLACE_KEYS = ("location", "postal_code", "latitude", "longitude", "commune", "department")
# WTTJ's own "not said", which is no remote policy at all.
REMOTE_UNSTATED = "unknown"

KEY_REFUSED_HELP = (
    "Algolia refused the search key (HTTP {status}): the public key of Welcome to the Jungle's "
    f"front end has probably rotated. Copy the current x-algolia-api-key from the site's own "
    f"search requests into {ENV_KEY}."
)
NO_KEY_HELP = (
    "Welcome to the Jungle skipped: no Algolia search key. Copy the public x-algolia-api-key "
    f"that the site's front end sends with its searches into {ENV_KEY}."
)


class Window(NamedTuple):
    """Publication times [start, end), in Unix seconds, both at midnight UTC."""

    start: int
    end: int

    @property
    def days(self) -> int:
        return (self.end - self.start) // DAY

    def __str__(self) -> str:
        first = datetime.fromtimestamp(self.start, UTC).date()
        last = datetime.fromtimestamp(self.end - 1, UTC).date()
        return f"{first.isoformat()}..{last.isoformat()}"


class SearchPage(NamedTuple):
    hits: list[Any]
    nb_hits: int | None
    nb_pages: int | None


# ---------------------------------------------------------------- key and clock


def search_key(env: Mapping[str, str] | None = None) -> str | None:
    """The Algolia key to send: the environment's, else the module's unless still a placeholder."""
    env = os.environ if env is None else env
    key = (env.get(ENV_KEY) or "").strip()
    if key:
        return key
    return None if PUBLIC_SEARCH_KEY.startswith("the-public-") else PUBLIC_SEARCH_KEY


def parse_until(value: str | date | None) -> date | None:
    """The `until` argument as a date; ValueError saying what is expected when it is not one."""
    if value is None or isinstance(value, date):
        return value
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"until must be a date written YYYY-MM-DD, not {value!r}") from None


def until_day(until: date | None, replaying: bool, now: float) -> date:
    """The last day the windows cover: the argument, else the fixtures' day, else today (UTC)."""
    if until is not None:
        return until
    if replaying:
        return REPLAY_UNTIL
    return datetime.fromtimestamp(now, UTC).date()


# ---------------------------------------------------------------- windows and requests


def first_window(until: date, days: int = LOOKBACK_DAYS) -> Window:
    """The `days` days that end with `until` (included)."""
    end = datetime(until.year, until.month, until.day, tzinfo=UTC) + timedelta(days=1)
    return Window(int((end - timedelta(days=days)).timestamp()), int(end.timestamp()))


def split_window(window: Window) -> list[Window]:
    """Two halves cut at a midnight, the older first; a window of one day cannot be cut."""
    if window.days <= 1:
        return [window]
    middle = window.start + (window.days // 2) * DAY
    return [Window(window.start, middle), Window(middle, window.end)]


def search_body(term: str, window: Window, page: int) -> dict[str, Any]:
    """The JSON body of one Algolia query; fixtures are matched on it, so keep it stable."""
    return {
        "query": term,
        "page": page,
        "hitsPerPage": HITS_PER_PAGE,
        "facetFilters": COUNTRY_FILTER,
        "numericFilters": [
            f"published_at_timestamp>={window.start}",
            f"published_at_timestamp<{window.end}",
        ],
    }


def _count(value: Any) -> int | None:
    found = number(value)
    return int(found) if found is not None and found >= 0 else None


def read_results(body: str) -> SearchPage:
    """The hits and counts of an Algolia response body; FeedError without a hits list."""
    data = json_of_kind(json_body(body), dict, "an object")
    hits = json_member(data, "hits")
    return SearchPage(hits, _count(data.get("nbHits")), _count(data.get("nbPages")))


def must_split(nb_hits: int | None, window: Window) -> bool:
    return nb_hits is not None and nb_hits > MAX_HITS and window.days > 1


def next_page(page: int, results: SearchPage) -> int | None:
    """The page after `page`, or None at the last one or at Algolia's 1,000-hit limit."""
    following = page + 1
    if not results.hits or results.nb_pages is None or following >= results.nb_pages:
        return None
    if following * HITS_PER_PAGE >= MAX_HITS:
        return None
    return following


# ---------------------------------------------------------------- one hit


def offer_url(org_slug: str | None, slug: str | None) -> str | None:
    if not org_slug or not slug:
        return None
    return OFFER_URL.format(org=quote(org_slug, safe=""), slug=quote(slug, safe=""))


def hit_id(hit: Any) -> str | None:
    """The hit's reference; else its slug, with the company's since two companies may share one."""
    reference = text(at(hit, "reference"))
    if reference:
        return reference
    slug = text(at(hit, "slug"))
    org_slug = text(at(hit, "organization", "slug"))
    if slug and org_slug:
        return f"{org_slug}/{slug}"
    return slug


def _offices(hit: Any) -> list[dict[str, Any]]:
    offices = at(hit, "offices")
    return [o for o in offices if isinstance(o, dict)] if isinstance(offices, list) else []


def place_fields(hit: Any) -> dict[str, Any]:
    """Location text of every office; the structured place only when there is one office."""
    offices = _offices(hit)
    names = [text(o.get("city")) or text(o.get("state")) or text(o.get("country")) for o in offices]
    fields: dict[str, Any] = {
        "location": "; ".join(dict.fromkeys(n for n in names if n)) or None,
        "postal_code": None,
        "latitude": None,
        "longitude": None,
        "commune": None,
        "department": None,
    }
    # Several offices: picking one postcode or one pair of coordinates would be a guess.
    if len(offices) == 1:
        office = offices[0]
        fields["postal_code"] = code(office.get("zip_code"))
        fields["latitude"] = coordinate(office.get("latitude"), 90)
        fields["longitude"] = coordinate(office.get("longitude"), 180)
    return fields


def _amount(value: Any) -> float | None:
    found = number(value)
    # 0 is how an unstated bound comes out of some forms; no offer pays nothing.
    return found if found is not None and found > 0 else None


def _years_text(value: Any) -> str | None:
    years = number(value)
    if years is None or years < 0:
        return None
    amount = f"{years:g}".replace(".", ",")
    unit = "an" if years <= 1 else "ans"
    # The field is a bare number of years; said in words so that it reads as what it is.
    return f"Expérience minimum : {amount} {unit}"


def hit_description(hit: Any) -> str | None:
    parts = [text(at(hit, "summary")), text(at(hit, "profile"))]
    return "\n\n".join(p for p in parts if p) or None


def hit_to_raw(hit: Any) -> dict[str, Any]:
    """A raw offer from one Algolia hit; anything missing or odd is None, never an error.

    A hit without a name or an id is still returned: the pipeline rejects it with its reason.
    """
    remote = text(at(hit, "remote"))
    return raw_offer(
        source=SOURCE,
        source_id=hit_id(hit),
        url=offer_url(text(at(hit, "organization", "slug")), text(at(hit, "slug"))),
        title=text(at(hit, "name")),
        company=text(at(hit, "organization", "name")),
        # The hit states amounts, not the line the page prints; the amounts are below.
        salary=None,
        # The site's own codes ("full_time", "fulltime"…): the normalisers know them.
        contract=text(at(hit, "contract_type")),
        remote=None if remote == REMOTE_UNSTATED else remote,
        description=hit_description(hit),
        posted_at=text(at(hit, "published_at")),
        salary_min=_amount(at(hit, "salary_minimum")),
        salary_max=_amount(at(hit, "salary_maximum")),
        salary_period=text(at(hit, "salary_period")),
        salary_currency=text(at(hit, "salary_currency")),
        skills=None,
        experience=_years_text(at(hit, "experience_level_minimum")),
        education=None,
        apply_url=None,
        **place_fields(hit),
    )


# ---------------------------------------------------------------- the offer page


def page_offer(page_html: str, page_url: str) -> dict[str, Any] | None:
    """The first JobPosting of an offer page as a raw offer, or None when it has none."""
    for script in jsonld_scripts(page_html):
        if script.error is not None:
            continue
        for posting in jobpostings_in(script.data):
            return jobposting_to_raw(posting, page_url)
    return None


def merge_offer(hit_offer: dict[str, Any], page: dict[str, Any] | None) -> dict[str, Any]:
    """The hit's offer completed by its page's: the hit wins for structured values, the page
    gives the description. Salary and place are taken whole from one side, never mixed."""
    if page is None:
        return dict(hit_offer)
    merged = {key: value for key, value in page.items() if key not in ("source", "source_id")}
    for key, value in hit_offer.items():
        if key not in merged or value is not None:
            merged[key] = value
    for group in (SALARY_KEYS, PLACE_KEYS):
        hit_states = any(hit_offer.get(key) is not None for key in group)
        side = hit_offer if hit_states else page
        for key in group:
            merged[key] = side.get(key)
    merged["description"] = page.get("description") or hit_offer.get("description")
    # Identity is the hit's: the page's URL may carry tracking and its id is host-scoped.
    for key in ("source", "source_id", "url"):
        merged[key] = hit_offer.get(key)
    return raw_offer(**merged)


# ---------------------------------------------------------------- the spider


class WttjSpider(SourceSpider):
    name = SOURCE
    about = "Welcome to the Jungle (the site's Algolia search, then JSON-LD offer pages)"
    allowed_domains = ["csekhvms53-dsn.algolia.net", "welcometothejungle.com"]

    def __init__(self, until: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        self.until = parse_until(until)
        self.clock: Callable[[], float] = time.time
        self._key: str | None = None

    # -- searches

    def first_window(self) -> Window:
        return first_window(until_day(self.until, self.replaying, self.clock()))

    async def start(self) -> AsyncIterator[Request]:
        # A replay sends nothing anywhere and fixtures ignore headers: no key needed.
        self._key = PUBLIC_SEARCH_KEY if self.replaying else search_key()
        if self._key is None:
            self.logger.warning(NO_KEY_HELP)
            self.crawler.stats.set_value("botjobs/status", NO_CREDENTIALS)
            self.crawler.stats.set_value("botjobs/message", NO_KEY_HELP)
            return
        window = self.first_window()
        self.logger.info("%s: offers published %s (UTC)", SOURCE, window)
        for term in self.terms:
            yield self.search_request(term, window, 0)

    def search_request(self, term: str, window: Window, page: int) -> Request:
        return JsonRequest(
            SEARCH_URL,
            data=search_body(term, window, page),
            headers={
                "x-algolia-application-id": ALGOLIA_APP_ID,
                "x-algolia-api-key": self._key or PUBLIC_SEARCH_KEY,
                "Referer": SITE + "/",
                "Origin": SITE,
            },
            callback=self.parse_search,
            errback=self.search_failed,
            meta={
                TERM_META: term,
                WINDOW_META: tuple(window),
                PAGE_META: page,
                # A refused key answers 401/403: read it here to stop with the reason.
                "handle_httpstatus_list": [401, 403],
            },
        )

    def parse_search(self, response: Response) -> Iterator[Any]:
        if response.status in (401, 403):
            self.stop(BLOCKED, KEY_REFUSED_HELP.format(status=response.status))
        term = response.meta.get(TERM_META, "")
        window = Window(*response.meta.get(WINDOW_META, (0, 0)))
        page = response.meta.get(PAGE_META, 0)
        body = response_text(response)
        try:
            results = read_results(body)
        except FeedError as error:
            # JSON or not: a 200 from Algolia without its hits means the search changed.
            yield reject(SOURCE, f"Algolia response: {error}", body[:PAYLOAD_CHARS], response.url)
            self.stop(
                LAYOUT_CHANGED,
                f"the Algolia search no longer answers with hits ({error}) for {term!r}: "
                "the index or its response format has changed",
            )
            return

        if page == 0 and must_split(results.nb_hits, window):
            halves = split_window(window)
            self.logger.info(
                "%s: %s hits for %r in %s, past Algolia's %s: asking %s",
                SOURCE,
                results.nb_hits,
                term,
                window,
                MAX_HITS,
                " and ".join(map(str, halves)),
            )
            self.crawler.stats.inc_value("wttj/windows_split")
            for half in halves:
                yield self.search_request(term, half, 0)
            return
        if page == 0 and results.nb_hits is not None and results.nb_hits > MAX_HITS:
            missing = results.nb_hits - MAX_HITS
            self.logger.warning(
                "%s: %s offers for %r published on %s alone; Algolia shows the first %s, "
                "%s are out of reach",
                SOURCE,
                results.nb_hits,
                term,
                window,
                MAX_HITS,
                missing,
            )
            self.crawler.stats.inc_value("wttj/unreachable", missing)

        for hit in results.hits:
            if not isinstance(hit, dict):
                payload = json.dumps(hit, ensure_ascii=False)[:PAYLOAD_CHARS]
                yield reject(SOURCE, "hit is not a JSON object", payload, response.url)
                continue
            yield from self.read_hit(hit, response.url)

        following = next_page(page, results)
        if following is not None:
            yield self.search_request(term, window, following)

    def read_hit(self, hit: dict[str, Any], search_url: str) -> Iterator[Any]:
        try:
            offer = hit_to_raw(hit)
        except Exception as exc:  # a crawl must outlive one odd hit
            self.logger.exception("%s: hit not read", SOURCE)
            payload = json.dumps(hit, ensure_ascii=False)[:PAYLOAD_CHARS]
            yield reject(SOURCE, f"hit not read: {exc!r}", payload, search_url)
            return
        if offer["url"] is None:
            yield offer  # no page to read: what the hit says is all there is
            return
        # The same offer found by another term has the same page: the dupefilter drops it.
        yield Request(
            offer["url"],
            callback=self.parse_offer,
            errback=self.offer_failed,
            meta={HIT_META: offer, "handle_httpstatus_list": [403, 404, 410]},
        )

    def search_failed(self, failure: Failure) -> None:
        request = failure.request
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # Dropped on purpose (robots.txt, or no recording in a replay, which says so itself).
            self.logger.warning("%s search not sent: %s", SOURCE, failure.getErrorMessage())
            return
        self.logger.error(
            "%s search for %r (%s, page %s) failed: %s",
            SOURCE,
            request.meta.get(TERM_META),
            Window(*request.meta.get(WINDOW_META, (0, 0))),
            request.meta.get(PAGE_META),
            failure_reason(failure),
        )
        self.crawler.stats.inc_value("wttj/failed_searches")

    # -- offer pages

    def parse_offer(self, response: Response) -> Iterator[Any]:
        hit_offer = response.meta[HIT_META]
        if response.status in (404, 410):
            self.logger.info("withdrawn: %s (HTTP %s)", response.url, response.status)
            return
        if response.status == 403:
            self.stop(
                BLOCKED,
                f"welcometothejungle.com answered 403 on the offer page {response.url}: an "
                "anti-bot wall. Nothing to do but try again later, less often.",
            )
        try:
            page = page_offer(response_text(response), response.url)
        except Exception:  # the hit alone is still an offer
            self.logger.exception("%s: JSON-LD of %s not read", SOURCE, response.url)
            page = None
        if page is None:
            self.logger.warning(
                "%s: no JobPosting JSON-LD on %s: kept what the search said", SOURCE, response.url
            )
            self.crawler.stats.inc_value("wttj/pages_without_jsonld")
        yield merge_offer(hit_offer, page)

    def offer_failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        request = failure.request
        self.logger.warning(
            "%s: offer page %s not read (%s): kept what the search said",
            SOURCE,
            request.url,
            failure_reason(failure),
        )
        self.crawler.stats.inc_value("wttj/pages_failed")
        hit_offer = request.meta.get(HIT_META)
        if hit_offer is not None:
            yield dict(hit_offer)
