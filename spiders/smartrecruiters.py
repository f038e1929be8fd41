"""SmartRecruiters (SOURCES.md §7): the employers that `employers.toml` puts on SmartRecruiters.

The public Posting API needs no key:

    GET https://api.smartrecruiters.com/v1/companies/{company}/postings?country=fr&limit=100&offset=N
        → {offset, limit, totalFound, content: [{id, name, location, typeOfEmployment, …}]}
    GET https://api.smartrecruiters.com/v1/companies/{company}/postings/{id}
        → the same fields plus jobAd.sections (the description), postingUrl and applyUrl

The list holds every French job of the company (for a gym chain, mostly coaches and club
managers), so only the postings whose title names a search term are kept; only those are asked
for their detail. A detail that cannot be had leaves the list's fields alone, which still make
an offer.

The logic lives in the module-level functions; the spider class only wires them to Scrapy.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterable, Iterator
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.items import raw_offer, reject
from spiders.common import (
    FeedError,
    at,
    code,
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
from spiders.employers import Employer, EmployerSpider, mentions_any

SOURCE = "smartrecruiters"

API_URL = "https://api.smartrecruiters.com/v1/companies"
PUBLIC_URL = "https://jobs.smartrecruiters.com"
COUNTRY = "fr"
# The API's largest page.
PAGE_SIZE = 100
# In the order a reader expects them on the offer page.
SECTIONS = ("companyDescription", "jobDescription", "qualifications", "additionalInformation")
WALLS = (403,)
WITHDRAWN = (404, 410)


# ---------------------------------------------------------------- URLs


def list_url(company: str, offset: int) -> str:
    # Always the same parameters in the same order: recorded fixtures are matched by URL.
    query = urlencode({"country": COUNTRY, "limit": PAGE_SIZE, "offset": offset})
    return f"{API_URL}/{quote(company, safe='')}/postings?{query}"


def detail_url(company: str, posting_id: str) -> str:
    return f"{API_URL}/{quote(company, safe='')}/postings/{quote(posting_id, safe='')}"


def public_url(company: str, posting_id: str) -> str:
    return f"{PUBLIC_URL}/{quote(company, safe='')}/{quote(posting_id, safe='')}"


# ---------------------------------------------------------------- reading answers


def _json_object(body: str) -> dict[str, Any]:
    # Not an object at all is one bad answer (an error page), not a changed API.
    return json_of_kind(json_body(body), dict, "an object", layout=False)


def parse_list(body: str) -> tuple[int | None, list[Any]]:
    """(totalFound, content) of a list page; totalFound is None when absent or not a count."""
    data = _json_object(body)
    content = json_member(data, "content", where="postings answer")
    total = number(data.get("totalFound"))
    return (int(total) if total is not None and total >= 0 else None), content


def next_offset(offset: int, count: int, total: int | None) -> int | None:
    """The offset of the page after one at `offset` that held `count` postings."""
    if count <= 0:
        return None
    following = offset + count
    if total is not None and following >= total:
        return None
    if total is None and count < PAGE_SIZE:
        return None
    return following


def parse_detail(body: str) -> dict[str, Any]:
    return _json_object(body)


def on_topic(posting: Any, terms: Iterable[str]) -> bool:
    """Whether the posting's title names one of the search terms."""
    return mentions_any([text(at(posting, "name"))], terms)


# ---------------------------------------------------------------- one offer


def location_text(location: Any) -> str | None:
    """ "Lyon, Auvergne-Rhône-Alpes, fr", as the API gives its parts."""
    parts = [text(at(location, key)) for key in ("city", "region", "country")]
    return ", ".join(part for part in parts if part) or None


def remote_text(location: Any) -> str | None:
    """The API's flags as the words they stand for; no flag says nothing either way."""
    if at(location, "remote") is True:
        return "remote"
    if at(location, "hybrid") is True:
        return "hybrid"
    return None


def description_html(sections: Any) -> str | None:
    """The job ad's sections, each under its title, in reading order (the texts are HTML)."""
    parts = []
    for key in SECTIONS:
        body = text(at(sections, key, "text"))
        if body is None:
            continue
        title = text(at(sections, key, "title"))
        parts.append(f"<h2>{escape(title)}</h2>\n{body}" if title else body)
    return "\n".join(parts) or None


def offer_from_posting(
    listed: Any, employer: Employer, detail: Any = None
) -> dict[str, Any] | None:
    """A raw offer from a list item, completed by its detail when there is one.

    None when the item has no id, so neither its offer nor its page can be named.
    """
    posting_id = text(at(listed, "id")) or text(at(detail, "id"))
    if posting_id is None:
        return None
    company = employer.id("company")

    def field(*keys: str) -> Any:
        found = at(detail, *keys)
        return at(listed, *keys) if found is None else found

    location = field("location")
    return raw_offer(
        source=SOURCE,
        source_id=f"{company}/{posting_id}",
        url=http_url(at(detail, "postingUrl")) or public_url(company, posting_id),
        title=text(field("name")),
        company=text(field("company", "name")) or employer.name,
        location=location_text(location),
        contract=text(field("typeOfEmployment", "label")),
        remote=remote_text(location),
        description=description_html(at(detail, "jobAd", "sections")),
        posted_at=text(field("releasedDate")),
        postal_code=code(at(location, "postalCode")),
        experience=text(field("experienceLevel", "label")),
        apply_url=http_url(at(detail, "applyUrl")),
    )


# ---------------------------------------------------------------- the spider


class SmartRecruitersSpider(EmployerSpider):
    name = SOURCE
    about = "employers on SmartRecruiters (employers.toml): French postings naming a term"
    allowed_domains = ["api.smartrecruiters.com"]
    platform_name = "SmartRecruiters"

    async def start(self) -> AsyncIterator[Request]:
        for employer in self.employers_with("company"):
            yield self.list_request(employer, 0)

    def list_request(self, employer: Employer, offset: int) -> Request:
        return Request(
            list_url(employer.id("company"), offset),
            headers={"Accept": "application/json"},
            callback=self.parse_list,
            errback=self.list_failed,
            cb_kwargs={"slug": employer.slug, "offset": offset},
            meta={"handle_httpstatus_list": list(WALLS)},
        )

    def parse_list(self, response: Response, slug: str, offset: int) -> Iterator[Any]:
        employer = self.by_slug[slug]
        body = response_text(response)
        if response.status in WALLS:
            self.stop_walled(response, employer, "postings")
        try:
            total, content = parse_list(body)
        except FeedError as error:
            yield from self.unreadable(response, body, error, employer, "postings page")
            return
        for posting in content:
            posting_id = text(at(posting, "id"))
            if not on_topic(posting, self.terms):
                self.crawler.stats.inc_value("smartrecruiters/off_topic")
            elif posting_id is None:
                yield reject(SOURCE, "posting without an id", json_payload(posting), response.url)
            else:
                yield Request(
                    detail_url(employer.id("company"), posting_id),
                    headers={"Accept": "application/json"},
                    callback=self.parse_detail,
                    errback=self.detail_failed,
                    cb_kwargs={"slug": slug, "listed": posting},
                    meta={"handle_httpstatus_list": list(WITHDRAWN)},
                )
        following = next_offset(offset, len(content), total)
        if following is not None:
            yield self.list_request(employer, following)

    def parse_detail(self, response: Response, slug: str, listed: Any) -> Iterator[Any]:
        if response.status in WITHDRAWN:
            self.logger.info("withdrawn: %s (HTTP %s)", response.url, response.status)
            self.crawler.stats.inc_value("smartrecruiters/withdrawn")
            return
        employer = self.by_slug[slug]
        try:
            detail = parse_detail(response_text(response))
        except FeedError as error:
            self.logger.warning(
                "smartrecruiters: unreadable posting %s (%s); kept from the list alone",
                response.url,
                error,
            )
            detail = None
        offer = offer_from_posting(listed, employer, detail)
        if offer is not None:
            yield offer

    def list_failed(self, failure: Failure) -> None:
        if not_sent(failure):
            self.logger.warning("smartrecruiters page not sent: %s", failure.getErrorMessage())
            return
        self.logger.error(
            "smartrecruiters: postings page %s failed: %s",
            failure.request.url,
            failure_reason(failure),
        )
        self.crawler.stats.inc_value("smartrecruiters/failed_pages")

    def detail_failed(self, failure: Failure) -> Iterator[dict[str, Any]]:
        kwargs = failure.request.cb_kwargs
        if not_sent(failure):
            self.logger.warning(
                "smartrecruiters posting not fetched: %s", failure.getErrorMessage()
            )
        else:
            # An error, not a warning: the offer is stored without its description.
            self.logger.error(
                "smartrecruiters: posting %s failed: %s; kept from the list alone",
                failure.request.url,
                failure_reason(failure),
            )
            self.crawler.stats.inc_value("smartrecruiters/failed_details")
        employer = self.by_slug.get(kwargs.get("slug"))
        if employer is not None:
            offer = offer_from_posting(kwargs.get("listed"), employer)
            if offer is not None:
                yield offer
