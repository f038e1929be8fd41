"""Workday career sites (SOURCES.md §7): the employers that `employers.toml` puts on Workday.

A Workday career site answers its own page's JSON calls ("CXS"), which need no login:

    POST https://{host}/wday/cxs/{tenant}/{site}/jobs
         {"appliedFacets": {}, "limit": 20, "offset": N, "searchText": "<term>"}
         → {"total": …, "jobPostings": [{title, externalPath, locationsText, postedOn, …}]}
    GET  https://{host}/wday/cxs/{tenant}/{site}{externalPath}
         → {"jobPostingInfo": {title, jobDescription, location, startDate, jobReqId, …},
            "hiringOrganization": {"name": …}}

Each employer's site is searched for every term (Workday's full-text search already filters, so
every posting it returns is kept), page by page, and each posting's detail is asked for once
however many terms found it. The offer is built from the detail, which has the description.

The logic lives in the module-level functions; the spider class only wires them to Scrapy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any
from urllib.parse import quote

from scrapy import Request
from scrapy.http import JsonRequest, Response
from twisted.python.failure import Failure

from pipeline.items import raw_offer, reject
from spiders.common import (
    FeedError,
    at,
    failure_reason,
    http_url,
    json_body,
    json_member,
    json_of_kind,
    json_payload,
    not_sent,
    number,
    response_text,
    text,
)
from spiders.employers import Employer, EmployerSpider

SOURCE = "workday"

# Workday answers 400 to a larger limit.
PAGE_SIZE = 20
# Reported: some tenants stop paging at offset 2000 and serve the first page again past it.
MAX_OFFSET = 2000
# Statuses a search may answer that say something worth reporting rather than retrying.
SEARCH_REFUSED = (400, 422)
WALLS = (403,)
WITHDRAWN = (404, 410)


# ---------------------------------------------------------------- URLs and bodies


def search_url(host: str, tenant: str, site: str) -> str:
    return f"https://{host}/wday/cxs/{quote(tenant)}/{quote(site)}/jobs"


def search_body(term: str, offset: int) -> dict[str, Any]:
    # All four keys are needed: Workday answers 422 to a body missing one of them.
    return {"appliedFacets": {}, "limit": PAGE_SIZE, "offset": offset, "searchText": term}


def detail_url(host: str, tenant: str, site: str, external_path: str) -> str:
    return f"https://{host}/wday/cxs/{quote(tenant)}/{quote(site)}{external_path}"


def public_url(host: str, site: str, external_path: str) -> str:
    """The offer's page on the career site, when the detail gives no `externalUrl`."""
    return f"https://{host}/{quote(site)}{external_path}"


def external_path(posting: Any) -> str | None:
    """A posting's `externalPath` ("/job/Paris/Title_JR123"), when it is a path."""
    path = text(at(posting, "externalPath"))
    if path is None or not path.startswith("/") or path.startswith("//"):
        return None
    return path


# ---------------------------------------------------------------- reading answers


def _json_object(body: str) -> dict[str, Any]:
    # Not an object at all is one bad answer (a maintenance page), not a changed API.
    return json_of_kind(json_body(body), dict, "an object", layout=False)


def parse_search(body: str) -> tuple[int | None, list[Any]]:
    """(total, jobPostings) of a search answer; `total` is None when absent or not a count."""
    data = _json_object(body)
    postings = json_member(data, "jobPostings", where="search answer")
    total = number(data.get("total"))
    return (int(total) if total is not None and total >= 0 else None), postings


def next_offset(offset: int, count: int, total: int | None) -> int | None:
    """The offset of the page after one at `offset` that held `count` postings.

    `total` is the first page's: later pages are reported to say 0.
    """
    if count <= 0:
        return None
    following = offset + count
    if total is not None and following >= total:
        return None
    if total is None and count < PAGE_SIZE:
        return None
    if following >= MAX_OFFSET:
        return None
    return following


def parse_detail(body: str) -> dict[str, Any]:
    """The whole detail answer (`jobPostingInfo` is checked to be an object)."""
    data = _json_object(body)
    json_member(data, "jobPostingInfo", dict, where="detail answer")
    return data


def error_text(body: str, limit: int = 300) -> str:
    """What a refused search says: Workday's `message` (or `errorCode`), else the raw body."""
    try:
        data = json_body(body)
    except FeedError:
        data = None
    said = text(at(data, "message")) or text(at(data, "errorCode"))
    found = said or " ".join(body.split())
    return found[:limit] or "(empty body)"


# ---------------------------------------------------------------- one offer


def location_text(info: Any, listed: Any = None) -> str | None:
    """The main location, then the others ("Paris / Lyon"), else the list's `locationsText`."""
    places: list[str] = []
    for place in [at(info, "location"), *(_list(at(info, "additionalLocations")))]:
        name = text(place) if isinstance(place, str) else None
        if name and name not in places:
            places.append(name)
    return " / ".join(places) or text(at(listed, "locationsText"))


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def offer_from_detail(
    data: Any, employer: Employer, path: str, listed: Any = None
) -> dict[str, Any]:
    """A raw offer from a detail answer; the list's posting fills what the detail lacks.

    The id is the tenant's requisition id: the same job shown on two sites of one tenant is
    one offer.
    """
    info = at(data, "jobPostingInfo")
    tenant, host, site = employer.id("tenant"), employer.id("host"), employer.id("site")
    requisition = text(at(info, "jobReqId"))
    return raw_offer(
        source=SOURCE,
        source_id=f"{tenant}/{requisition or path}",
        url=http_url(at(info, "externalUrl")) or public_url(host, site, path),
        title=text(at(info, "title")) or text(at(listed, "title")),
        company=text(at(data, "hiringOrganization", "name")) or employer.name,
        location=location_text(info, listed),
        # "Full time" / "Temps plein": the site's own words, not a contract type.
        contract=text(at(info, "timeType")),
        remote=text(at(info, "remoteType")),
        description=text(at(info, "jobDescription")),
        posted_at=text(at(info, "startDate"))
        or text(at(info, "postedOn"))
        or text(at(listed, "postedOn")),
    )


# ---------------------------------------------------------------- the spider


class WorkdaySpider(EmployerSpider):
    name = SOURCE
    about = "employers' Workday career sites (employers.toml): search, then each posting"
    platform_name = "Workday"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        self.allowed_domains = sorted({e.ids.get("host", "") for e in self.employers} - {""})
        # Several terms find the same posting; its detail is asked for once.
        self.detail_urls: set[str] = set()

    async def start(self) -> AsyncIterator[Request]:
        for employer in self.employers_with("host", "tenant", "site"):
            url = search_url(employer.id("host"), employer.id("tenant"), employer.id("site"))
            for term in self.terms:
                yield self.search_request(employer, url, term, 0, None)

    def search_request(
        self, employer: Employer, url: str, term: str, offset: int, total: int | None
    ) -> Request:
        return JsonRequest(
            url,
            data=search_body(term, offset),
            callback=self.parse_search,
            errback=self.search_failed,
            cb_kwargs={"slug": employer.slug, "term": term, "offset": offset, "total": total},
            meta={"handle_httpstatus_list": [*SEARCH_REFUSED, *WALLS]},
        )

    def parse_search(
        self, response: Response, slug: str, term: str, offset: int, total: int | None
    ) -> Iterator[Any]:
        employer = self.by_slug[slug]
        body = response_text(response)
        if response.status in WALLS:
            self.stop_walled(response, employer, "search")
        if response.status in SEARCH_REFUSED:
            self.logger.error(
                "workday: %s refused the search %r at offset %s (HTTP %s): %s",
                employer.slug,
                term,
                offset,
                response.status,
                error_text(body),
            )
            self.crawler.stats.inc_value("workday/refused_searches")
            return
        try:
            found_total, postings = parse_search(body)
        except FeedError as error:
            yield from self.unreadable(response, body, error, employer, "search answer")
            return
        if offset == 0:
            total = found_total
            if total is not None and total > MAX_OFFSET:
                self.logger.warning(
                    "workday: %s has %s postings for %r; Workday pages only up to %s, use a "
                    "narrower term to reach the rest",
                    employer.slug,
                    total,
                    term,
                    MAX_OFFSET,
                )
        for posting in postings:
            yield from self.detail_request(employer, posting, response.url)
        following = next_offset(offset, len(postings), total)
        if following is not None:
            yield self.search_request(employer, response.url, term, following, total)

    def detail_request(self, employer: Employer, posting: Any, page_url: str) -> Iterator[Any]:
        path = external_path(posting)
        if path is None:
            reason = "posting without a usable externalPath"
            yield reject(SOURCE, reason, json_payload(posting), page_url)
            return
        url = detail_url(employer.id("host"), employer.id("tenant"), employer.id("site"), path)
        if url in self.detail_urls:
            self.crawler.stats.inc_value("workday/repeated_postings")
            return
        self.detail_urls.add(url)
        yield Request(
            url,
            headers={"Accept": "application/json"},
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"slug": employer.slug, "path": path, "listed": posting},
            meta={"handle_httpstatus_list": list(WITHDRAWN)},
        )

    def parse_detail(self, response: Response, slug: str, path: str, listed: Any) -> Iterator[Any]:
        if response.status in WITHDRAWN:
            self.logger.info("withdrawn: %s (HTTP %s)", response.url, response.status)
            self.crawler.stats.inc_value("workday/withdrawn")
            return
        employer = self.by_slug[slug]
        body = response_text(response)
        try:
            data = parse_detail(body)
        except FeedError as error:
            yield from self.unreadable(response, body, error, employer, "posting")
            return
        yield offer_from_detail(data, employer, path, listed)

    def search_failed(self, failure: Failure) -> None:
        kwargs = failure.request.cb_kwargs
        if not_sent(failure):
            # Dropped on purpose (robots.txt, or no recording in a replay, which says so itself).
            self.logger.warning("workday search not sent: %s", failure.getErrorMessage())
            return
        self.logger.error(
            "workday: search %r on %s (offset %s) failed: %s",
            kwargs.get("term"),
            kwargs.get("slug"),
            kwargs.get("offset"),
            failure_reason(failure),
        )
        self.crawler.stats.inc_value("workday/failed_searches")

    def detail_failed(self, failure: Failure) -> None:
        if not_sent(failure):
            self.logger.warning("workday posting not fetched: %s", failure.getErrorMessage())
            return
        self.logger.error(
            "workday: posting %s failed: %s", failure.request.url, failure_reason(failure)
        )
        self.crawler.stats.inc_value("workday/failed_details")
