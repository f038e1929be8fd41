"""Cegid Talentsoft career sites (URSSAF, Bouygues Telecom…; SOURCES.md §7): an applicant-tracking
system whose public career site is plain HTML, without JSON-LD.

For each employer that `employers.toml` puts on this platform, the list of every open offer is
read page by page, `https://<host>/offre-de-emploi/liste-offres.aspx?page=N`, until a page holds
no offer or no link to the next page (and never past MAX_PAGES). The list has a keyword filter,
but its parameters are unverified, so the whole list is read and only the offers whose title
names one of the search terms are kept (the others are counted in `talentsoft/off_topic`). Each
kept offer's page, `…/offre-de-emploi/emploi-<slug>_<id>.aspx`, is then read for its labelled
fields. Class names and field ids below follow what public scrapers of other Talentsoft sites
report; they are unverified for these employers' sites, and a layout change is an edit of the
selector constants only.

The logic lives in the module-level functions (HTML text in, plain dicts out); the spider class
only wires them to Scrapy.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from parsel import Selector
from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.items import raw_offer, reject
from spiders.common import (
    BLOCKED,
    LAYOUT_CHANGED,
    PAYLOAD_CHARS,
    attribute,
    joined_url,
    response_text,
)
from spiders.employers import Employer, EmployerSpider, mentions_any

SOURCE = "talentsoft"
LIST_PATH = "/offre-de-emploi/liste-offres.aspx"
# Talentsoft lists ~10 offers a page; an employer rarely has more than a couple of hundred open.
MAX_PAGES = 20
DETAIL_PATH = re.compile(r"/offre-de-emploi/emploi-[^/?#]*_(?P<id>\d+)\.aspx$", re.IGNORECASE)

# --- the layout (reported for other Talentsoft sites; unverified here) ----------------------
# List page. Two generations of the template are reported: list items and cards.
LIST_STRUCTURE = ".ts-offer-list, .ts-ol-pagination, .ts-ol-pagination__title, .ts-offer-card"
LIST_ITEM = "li.ts-offer-list-item, .ts-offer-card"
ITEM_LINK = "a.ts-offer-list-item__title-link, a.ts-offer-card__title-link"
ITEM_FACTS = ".ts-offer-list-item__description li, .ts-offer-card-content__list li"
PAGINATION_LINKS = ".ts-ol-pagination a[href]"
# Offer page: labelled fields, each an element with a stable id after an <h3> label.
DETAIL_ROOT = "#contenu-ficheoffre"
DETAIL_TITLE = "h1.ts-offer-page__title"
DETAIL_JOB_TITLE = "#fldjobdescription_jobtitle"
DETAIL_REFERENCE = ".ts-offer-page__reference"
DETAIL_CONTRACT = "#fldjobdescription_contract"
DETAIL_PLACE = "#fldlocation_location_geographicalareacollection"
DETAIL_SALARY = "#fldjobdescription_salaryrange"
DETAIL_EXPERIENCE = "#fldapplicantcriteria_experiencelevel"
DETAIL_EDUCATION = "#fldapplicantcriteria_educationlevel"
# The description: mission, profile, and the free text some sites add.
DETAIL_SECTIONS = (
    "#fldjobdescription_description1",
    "#fldjobdescription_description2",
    "#fldjobdescription_longtext2",
)

_SPACES = re.compile(r"\s+")
_REFERENCE = re.compile(r"^\s*R[ée]f(?:[ée]rence)?\.?\s*:?\s*", re.IGNORECASE)
_DATE = re.compile(r"^\d{1,2}/\d{1,2}/\d{4}$")
_NEXT_WORDS = re.compile(r"suivant|next", re.IGNORECASE)

# Request meta keys.
EMPLOYER_META = "talentsoft_employer"
PAGE_META = "talentsoft_page"
LISTED_META = "talentsoft_listed"


class LayoutChanged(ValueError):
    """A list page that no longer holds Talentsoft's offer list."""


@dataclass
class Listed:
    """One offer as the list shows it."""

    url: str
    title: str | None
    reference: str | None = None
    posted_at: str | None = None
    contract: str | None = None
    location: str | None = None


@dataclass
class ListPage:
    offers: list[Listed] = field(default_factory=list)
    has_next: bool = False
    # Items whose link is not an offer page, kept for a reject.
    unreadable: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- URLs


def host_of(value: str) -> str:
    """The host of an employer's career site, whether written bare or as a URL."""
    value = value.strip()
    if "//" in value:
        value = urlsplit(value).netloc
    return value.strip("/").lower()


def list_url(host: str, page: int) -> str:
    return f"https://{host}{LIST_PATH}?page={page}"


def page_number(url: str) -> int:
    value = dict(parse_qsl(urlsplit(url).query)).get("page", "1")
    return int(value) if value.isdigit() and int(value) > 0 else 1


def offer_number(url: str) -> str | None:
    """The id at the end of an offer page's URL (`…/emploi-<slug>_<id>.aspx`)."""
    match = DETAIL_PATH.search(urlsplit(url).path)
    return match.group("id") if match else None


def source_id(host: str, number: str) -> str:
    # Two employers' sites number their offers independently.
    return f"{host}/{number}"


# ---------------------------------------------------------------- list pages


def _words(texts: list[str]) -> str | None:
    return _SPACES.sub(" ", " ".join(texts)).strip() or None


def _listed(item: Selector, page_url: str) -> Listed | None:
    link = item.css(ITEM_LINK)
    href = (attribute(link[0], "href") or "").strip() if link else ""
    url = joined_url(page_url, href) if href else None
    if url is None or offer_number(url) is None:
        return None
    facts = [_words(li.css("::text").getall()) for li in item.css(ITEM_FACTS)]
    listed = Listed(url=url, title=_words(link[0].css("::text").getall()))
    rest: list[str] = []
    for fact in facts:
        if not fact:
            continue
        if _REFERENCE.match(fact) and listed.reference is None:
            listed.reference = _REFERENCE.sub("", fact) or None
        elif _DATE.match(fact) and listed.posted_at is None:
            listed.posted_at = fact
        else:
            rest.append(fact)
    # Reported order after reference and date: contract, then place (the last item).
    if rest:
        listed.location = rest[-1]
    if len(rest) > 1:
        listed.contract = rest[0]
    return listed


def parse_list(page_html: str, page_url: str) -> ListPage:
    """The offers of a list page and whether a next page is linked; LayoutChanged when the page
    holds neither an offer nor the list's frame (a page past the last keeps the frame)."""
    selector = Selector(text=page_html or "<html></html>")
    items = selector.css(LIST_ITEM)
    if not items and not selector.css(LIST_STRUCTURE):
        raise LayoutChanged("no offer list (" + LIST_STRUCTURE + ")")
    result = ListPage()
    seen: set[str] = set()
    for item in items:
        listed = _listed(item, page_url)
        if listed is None:
            result.unreadable.append(item.get())
        elif listed.url not in seen:
            seen.add(listed.url)
            result.offers.append(listed)
    current = page_number(page_url)
    for link in selector.css(PAGINATION_LINKS):
        target = joined_url(page_url, attribute(link, "href") or "")
        if target is None:
            continue
        label = " ".join(
            [
                attribute(link, "title") or "",
                attribute(link, "aria-label") or "",
                attribute(link, "rel") or "",
            ]
        )
        if LIST_PATH.lower() not in urlsplit(target).path.lower():
            continue
        if page_number(target) == current + 1 or (
            _NEXT_WORDS.search(label) and page_number(target) > current
        ):
            result.has_next = True
            break
    return result


def on_topic(listed: Listed, terms: list[str]) -> bool:
    return mentions_any([listed.title], terms)


# ---------------------------------------------------------------- offer pages


def _field_text(selector: Selector, css: str) -> str | None:
    node = selector.css(css)
    return _words(node[0].css("::text").getall()) if node else None


def _section(node: Selector) -> str | None:
    """One description section as HTML, led by its label when the page gives one."""
    body = node.get().strip()
    if not _words(node.css("::text").getall()):
        return None
    label = _words(node.xpath("preceding-sibling::*[1][self::h3]//text()").getall())
    return f"<h3>{label}</h3>\n{body}" if label else body


@dataclass
class DetailPage:
    offer: dict[str, Any] | None
    reason: str | None = None
    payload: str | None = None


def read_detail(
    page_html: str, page_url: str, employer: Employer, host: str, listed: Listed | None = None
) -> DetailPage:
    """The raw offer of one offer page, or why it cannot be read.

    The page must hold Talentsoft's offer block with a title (the list's title will do) and at
    least one description section; contract and place fall back to what the list showed.
    """
    selector = Selector(text=page_html or "<html></html>")
    root = selector.css(DETAIL_ROOT)
    title = (
        _field_text(selector, DETAIL_TITLE)
        or _field_text(selector, DETAIL_JOB_TITLE)
        or (listed.title if listed else None)
    )
    sections = [s for css in DETAIL_SECTIONS for node in root.css(css)[:1] if (s := _section(node))]
    if not root or not title or not sections:
        missing = [
            what
            for what, present in (
                (f"offer block {DETAIL_ROOT}", bool(root)),
                ("title", bool(title)),
                ("description sections", bool(sections)),
            )
            if not present
        ]
        page_title = (selector.xpath("normalize-space(//title)").get() or "").strip()
        payload = json.dumps(
            {
                "title": page_title or None,
                "listed": asdict(listed) if listed else None,
                "start": (page_html or "")[: PAYLOAD_CHARS // 2],
            },
            ensure_ascii=False,
        )[:PAYLOAD_CHARS]
        return DetailPage(None, f"offer page without {', '.join(missing)}", payload)
    reference = _field_text(selector, DETAIL_REFERENCE)
    if reference:
        reference = _REFERENCE.sub("", reference) or None
    number = offer_number(page_url) or reference or (listed.reference if listed else None)
    return DetailPage(
        raw_offer(
            source=SOURCE,
            source_id=source_id(host, number) if number else None,
            url=page_url,
            title=title,
            company=employer.name,
            location=_field_text(root, DETAIL_PLACE) or (listed.location if listed else None),
            salary=_field_text(root, DETAIL_SALARY),
            contract=_field_text(root, DETAIL_CONTRACT) or (listed.contract if listed else None),
            remote=None,
            description="\n".join(sections),
            posted_at=listed.posted_at if listed else None,
            experience=_field_text(root, DETAIL_EXPERIENCE),
            education=_field_text(root, DETAIL_EDUCATION),
        )
    )


# ---------------------------------------------------------------- the spider


class TalentsoftSpider(EmployerSpider):
    name = SOURCE
    about = "Cegid Talentsoft career sites (employers in employers.toml: URSSAF, Bouygues Telecom)"

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        # slug → (employer, host)
        self.sites: dict[str, tuple[Employer, str]] = {}
        for employer in self.employers:
            try:
                self.sites[employer.slug] = (employer, host_of(employer.id("host")))
            except ValueError as error:
                self.logger.error("talentsoft: %s; employer skipped", error)
        self.allowed_domains = sorted({host for _, host in self.sites.values()})
        # Employers whose first list page had no offer list: when all of them, the layout moved.
        self._without_list: set[str] = set()

    async def start(self) -> AsyncIterator[Request]:
        for slug, (_, host) in self.sites.items():
            yield self._list_request(slug, host, 1)

    def _list_request(self, slug: str, host: str, page: int) -> Request:
        return Request(
            list_url(host, page),
            callback=self.parse_list,
            errback=self.on_error,
            meta={EMPLOYER_META: slug, PAGE_META: page, "handle_httpstatus_list": [403]},
        )

    def _detail_request(self, slug: str, listed: Listed) -> Request:
        return Request(
            listed.url,
            callback=self.parse_detail,
            errback=self.on_error,
            meta={
                EMPLOYER_META: slug,
                LISTED_META: asdict(listed),
                "handle_httpstatus_list": [403, 404, 410],
            },
        )

    def _blocked(self, response: Response) -> None:
        self.stop(
            BLOCKED,
            f"Talentsoft answered {response.url} with HTTP 403; try again later, or leave the "
            "source out of the crawl (botjobs crawl --source …)",
        )

    def parse_list(self, response: Response) -> Iterator[Any]:
        if response.status == 403:
            self._blocked(response)
        slug = response.meta[EMPLOYER_META]
        employer, host = self.sites[slug]
        page = response.meta.get(PAGE_META, page_number(response.url))
        body = response_text(response)
        try:
            listing = parse_list(body, response.url)
        except LayoutChanged as error:
            self.logger.error(
                "talentsoft: %s's list page %s: %s", employer.name, response.url, error
            )
            yield reject(SOURCE, f"list page: {error}", body[:PAYLOAD_CHARS], response.url)
            if page == 1:
                self._without_list.add(slug)
            # One employer may have left Talentsoft; when none shows a list, the layout moved.
            if self.sites and self._without_list >= set(self.sites):
                self.stop(
                    LAYOUT_CHANGED,
                    "no Talentsoft list page holds its offer list any more; the layout changed: "
                    "update the selectors in spiders/talentsoft.py",
                )
            return
        for item in listing.unreadable:
            yield reject(
                SOURCE, "list item without an offer link", item[:PAYLOAD_CHARS], response.url
            )
        if not listing.offers:
            self.logger.info("talentsoft: %s has no offer on page %s", employer.name, page)
            return
        for listed in listing.offers:
            if on_topic(listed, self.terms):
                self.crawler.stats.inc_value("talentsoft/on_topic")
                yield self._detail_request(slug, listed)
            else:
                self.crawler.stats.inc_value("talentsoft/off_topic")
        if not listing.has_next:
            return
        if page >= MAX_PAGES:
            self.logger.warning(
                "talentsoft: %s lists more than %s pages; the rest is not read",
                employer.name,
                MAX_PAGES,
            )
            self.crawler.stats.inc_value("talentsoft/page_cap")
            return
        yield self._list_request(slug, host, page + 1)

    def parse_detail(self, response: Response) -> Iterator[Any]:
        if response.status in (404, 410):
            self.logger.info("withdrawn: %s (HTTP %s)", response.url, response.status)
            self.crawler.stats.inc_value("talentsoft/withdrawn")
            return
        if response.status == 403:
            self._blocked(response)
        if offer_number(response.url) is None:
            # A removed offer is commonly sent on to the list or the home page.
            asked = (response.meta.get("redirect_urls") or [response.url])[0]
            self.logger.info("withdrawn: %s now leads to %s", asked, response.url)
            self.crawler.stats.inc_value("talentsoft/withdrawn")
            return
        employer, host = self.sites[response.meta[EMPLOYER_META]]
        data = response.meta.get(LISTED_META)
        listed = Listed(**data) if isinstance(data, dict) else None
        page = read_detail(response_text(response), response.url, employer, host, listed)
        if page.offer is None:
            self.logger.warning("talentsoft: %s: %s", response.url, page.reason)
            yield reject(SOURCE, page.reason or "unreadable offer page", page.payload, response.url)
            return
        yield page.offer

    def on_error(self, failure: Failure) -> None:
        self.failed(failure)
