"""HelloWork (formerly RegionJob), a general French job board (SOURCES.md §3).

HelloWork's robots.txt disallows its search page (`/fr-fr/emploi/recherche.html`), `/api/` and
`/rss/`, so this spider never searches by keyword and never requests those paths. It reads the
SEO listing page of each job ("métier") named in `hellowork_metiers.txt`,

    https://www.hellowork.com/fr-fr/emploi/metier_<slug>.html       (then ?p=2, ?p=3…)

about twenty ad cards a page, marked by `data-cy` hooks (`offerTitle`, `localisationCard`,
`contractCard`), and follows every card to its ad page `/fr-fr/emplois/<id>.html`, whose
schema.org JobPosting JSON-LD is read with the functions of `spiders/jobposting.py`. A métier
page lists every ad of that job, so an ad is kept only when its title or description names one
of the search terms; the others are counted in the `hellowork/off_topic` stat.

    botjobs crawl --source hellowork
    scrapy crawl hellowork -a metiers=product-owner,consultant-ia     other métier pages

The logic lives in the module-level functions (HTML text in, plain data out); the spider class
only wires them to Scrapy.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import scrapy
from parsel import Selector
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from pipeline.items import raw_offer, reject
from spiders.common import (
    BLOCKED,
    LAYOUT_CHANGED,
    PAYLOAD_CHARS,
    SourceSpider,
    attribute,
    joined_url,
    split_terms,
)
from spiders.employers import mentions_any
from spiders.jobposting import jobposting_to_raw, jobpostings_in, jsonld_scripts

SOURCE = "hellowork"
HOST = "www.hellowork.com"
BASE_URL = f"https://{HOST}"
LISTING_URL = BASE_URL + "/fr-fr/emploi/metier_{slug}.html"
AD_URL = BASE_URL + "/fr-fr/emplois/{id}.html"
METIERS_FILE = Path(__file__).with_name("hellowork_metiers.txt")

# Unverified: other public scrapers page these listings with `?p=N`. The spider only goes to
# page N+1 when page N links to it, so a different scheme ends the walk early, never in a loop.
PAGE_PARAM = "p"
# No cap is documented; at ~20 ads a page this is 500 ads of one job, more than a run needs.
MAX_PAGES = 25

TITLE_HOOK = "offerTitle"
PLACE_HOOK = "localisationCard"
CONTRACT_HOOK = "contractCard"

# Request meta: the métier a listing page belongs to, and the card an ad was found on.
METIER_META = "botjobs_metier"
CARD_META = "botjobs_card"

_METIER_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_AD_PATH = re.compile(r"/fr-fr/emplois/(\d+)\.html")
_SPACES = re.compile(r"\s+")
# What an empty listing says instead of cards. Not a bare "aucune offre": banners such as
# "Ne ratez aucune offre" sit on every page.
_NO_RESULT = re.compile(
    r"\b0\s+offres?\b|\baucune\s+offre\s+ne\s+correspond|\baucun\s+r[ée]sultat\b",
    re.IGNORECASE,
)
# Anti-bot pages, by what only they hold. Not "/cdn-cgi/challenge-platform/" alone: Cloudflare
# injects its bot-detection script from there into the pages it lets through. And only looked
# for on pages that lack what we read.
_BLOCK_SIGNS = (
    ("captcha-delivery.com", "a DataDome captcha"),
    ("_cf_chl_opt", "a Cloudflare challenge"),
    ("/orchestrate/chl_page/", "a Cloudflare challenge"),
    ("<title>Just a moment...</title>", "a Cloudflare challenge"),
    ("Attention Required! | Cloudflare", "a Cloudflare block page"),
)
BLOCKED_HELP = (
    "HelloWork answered {what} on {url}. Nothing was retried; the next run asks again. "
    "If it persists, crawl less often or leave hellowork out (botjobs crawl --source …)."
)


# ---------------------------------------------------------------- métiers and URLs


def read_metiers(text: str, where: str = "hellowork_metiers.txt") -> list[str]:
    """The métier slugs of a data file's text, in order, once each; a malformed line raises
    ValueError saying where."""
    slugs: list[str] = []
    for number, line in enumerate(text.splitlines(), start=1):
        slug = line.strip()
        if not slug or slug.startswith("#"):
            continue
        if not _METIER_SLUG.fullmatch(slug):
            raise ValueError(f"{where}, line {number}: {slug!r} is not a métier slug")
        if slug not in slugs:
            slugs.append(slug)
    return slugs


def load_metiers(path: Path = METIERS_FILE) -> list[str]:
    return read_metiers(path.read_text(encoding="utf-8"), path.name)


def listing_url(slug: str, page: int = 1) -> str:
    url = LISTING_URL.format(slug=slug)
    return url if page <= 1 else f"{url}?{PAGE_PARAM}={page}"


def page_number(url: str) -> int:
    """The listing page a URL asks for: its `p` parameter, 1 when absent or odd."""
    value = dict(parse_qsl(urlsplit(url).query)).get(PAGE_PARAM, "")
    return int(value) if value.isdigit() and int(value) >= 1 else 1


def ad_id(url: str | None) -> str | None:
    """HelloWork's numeric id of an ad URL (absolute or relative), None for any other URL."""
    if not url:
        return None
    parts = urlsplit(url)
    if parts.hostname not in (None, HOST):
        return None
    found = _AD_PATH.fullmatch(parts.path)
    return found.group(1) if found else None


def ad_url(identifier: str) -> str:
    return AD_URL.format(id=identifier)


# ---------------------------------------------------------------- listing pages


@dataclass(frozen=True)
class Card:
    """One ad card of a listing page, as the card states it."""

    ad_id: str
    url: str
    title: str | None
    company: str | None
    location: str | None
    contract: str | None


@dataclass(frozen=True)
class Listing:
    """What a listing page holds: its title hooks, the cards read from them, the next page."""

    hooks: int
    cards: list[Card]
    next_url: str | None


def _clean(value: str | None) -> str | None:
    if not value:
        return None
    return _SPACES.sub(" ", value).strip() or None


def _hook(name: str) -> str:
    return f'[@data-cy="{name}"]'


def _card(hook: Selector, page_url: str) -> Card | None:
    href = attribute(hook, "href") or hook.xpath("(ancestor::a|.//a)[1]/@href").get()
    url = joined_url(page_url, href) if href else None
    identifier = ad_id(url) if url else None
    if identifier is None:
        return None
    # The card is the outermost ancestor that holds this title hook and no other one.
    box = hook.xpath(f"ancestor::*[count(.//*{_hook(TITLE_HOOK)}) = 1][last()]")
    box = box[0] if box else hook
    # The title hook holds the title, then the employer, each in its own paragraph.
    lines = [_clean(t) for t in hook.xpath(".//p").xpath("normalize-space()").getall()]
    lines = [line for line in lines if line]
    title = lines[0] if lines else _clean(hook.xpath("normalize-space()").get())
    return Card(
        ad_id=identifier,
        url=ad_url(identifier),
        title=title,
        company=lines[1] if len(lines) > 1 else None,
        location=_clean(box.xpath(f"normalize-space(.//*{_hook(PLACE_HOOK)})").get()),
        contract=_clean(box.xpath(f"normalize-space(.//*{_hook(CONTRACT_HOOK)})").get()),
    )


def next_page_url(page_html: str, page_url: str) -> str | None:
    """Page N+1 of the same listing, when page N links to it (the pagination's own word)."""
    wanted = page_number(page_url) + 1
    path = urlsplit(page_url).path
    for href in Selector(text=page_html or "<html></html>").xpath("//a/@href").getall():
        target = joined_url(page_url, href)
        if target is None:
            continue
        parts = urlsplit(target)
        if parts.hostname == HOST and parts.path == path and page_number(target) == wanted:
            return f"{BASE_URL}{path}?{PAGE_PARAM}={wanted}"
    return None


def read_listing(page_html: str, page_url: str) -> Listing:
    """The cards of a listing page, in page order and once each, and its next page."""
    selector = Selector(text=page_html or "<html></html>")
    hooks = selector.xpath(f"//*{_hook(TITLE_HOOK)}")
    cards: dict[str, Card] = {}
    for hook in hooks:
        card = _card(hook, page_url)
        if card is not None:
            cards.setdefault(card.ad_id, card)
    return Listing(len(hooks), list(cards.values()), next_page_url(page_html, page_url))


def visible_text(page_html: str) -> str:
    selector = Selector(text=page_html or "<html></html>")
    parts = selector.xpath("//body//text()[not(ancestor::script or ancestor::style)]").getall()
    return _SPACES.sub(" ", " ".join(parts)).strip()


def says_no_result(page_html: str) -> bool:
    """Whether a page without cards says so itself: an empty listing, not a changed layout."""
    return _NO_RESULT.search(visible_text(page_html)) is not None


def block_sign(page_html: str) -> str | None:
    """What kind of anti-bot page this is, or None when it shows no sign of one."""
    for marker, what in _BLOCK_SIGNS:
        if marker in page_html:
            return what
    return None


def page_summary(page_html: str) -> str:
    """A short payload for a reject: the page's title and the start of its text."""
    title = _clean(Selector(text=page_html or "<html></html>").xpath("string(//title)").get())
    return f"title: {title or 'none'}; text: {visible_text(page_html)}"[:PAYLOAD_CHARS]


# ---------------------------------------------------------------- ad pages


def offer_from_posting(
    posting: dict[str, Any], page_url: str, card: dict[str, Any] | None = None
) -> dict[str, Any]:
    """A raw offer from an ad page's JobPosting: HelloWork's numeric id and canonical URL, the
    card's own contract label (its "CDI", "Alternance" say more than FULL_TIME), and the card's
    title, employer and place where the JSON-LD is silent.

    `validThrough` is not read (HelloWork writes datePosted + 30 days there); a TELECOMMUTE
    `jobLocationType` is kept as the remote text, as jobposting_to_raw gives it.
    """
    card = card or {}
    offer = jobposting_to_raw(posting, page_url)
    identifier = ad_id(page_url) or card.get("ad_id")
    offer["source"] = SOURCE
    offer["source_id"] = identifier
    if identifier:
        offer["url"] = ad_url(identifier)
    offer["contract"] = card.get("contract") or offer["contract"]
    for key in ("title", "company", "location"):
        offer[key] = offer[key] or card.get(key)
    return raw_offer(**offer)


@dataclass(frozen=True)
class AdReading:
    """What an ad page gave: its offer (None when unreadable) and the rejects to keep."""

    offer: dict[str, Any] | None
    rejects: list[dict[str, Any]]
    # No JSON-LD problem, just no JobPosting at all: a block page or a changed layout.
    no_posting: bool = False


def read_ad(page_html: str, page_url: str, card: dict[str, Any] | None = None) -> AdReading:
    """The offer of one ad page, or the rejects saying why there is none.

    An ad page holds one JobPosting; should it ever hold more, the first is the ad's.
    """
    rejects: list[dict[str, Any]] = []
    postings: list[dict[str, Any]] = []
    for number, script in enumerate(jsonld_scripts(page_html), start=1):
        if script.error is not None:
            reason = f"malformed JSON-LD (script {number}): {script.error}"
            rejects.append(reject(SOURCE, reason, script.text.strip()[:PAYLOAD_CHARS], page_url))
        else:
            postings.extend(jobpostings_in(script.data))
    if postings:
        return AdReading(offer_from_posting(postings[0], page_url, card), [])
    if rejects:
        return AdReading(None, rejects)
    reason = "ad page without JobPosting JSON-LD (has the layout changed?)"
    return AdReading(None, [reject(SOURCE, reason, page_summary(page_html), page_url)], True)


def on_topic(offer: dict[str, Any], terms: list[str]) -> bool:
    """Whether the ad names one of the search terms (no terms: every ad is)."""
    return not terms or mentions_any((offer.get("title"), offer.get("description")), terms)


# ---------------------------------------------------------------- the spider


class HelloWorkSpider(SourceSpider):
    name = SOURCE
    # Its keyword search is off-limits (robots.txt); the terms only choose which ads to keep.
    searches = True  # its URLs are métier pages, but it keeps only offers naming a term
    about = "HelloWork (ex-RegionJob): métier listing pages (hellowork_metiers.txt), ads' JSON-LD"
    allowed_domains = [HOST]
    # 403: the anti-bot wall, to be recognised rather than counted as a failure; 404/410: a
    # withdrawn ad, or a métier slug HelloWork does not know. 429/5xx are retried by settings.
    handle_httpstatus_list = [403, 404, 410]

    def __init__(
        self, metiers: str | list[str] | None = None, metiers_file: str | None = None, **kwargs
    ):
        super().__init__(**kwargs)
        path = Path(metiers_file) if metiers_file else METIERS_FILE
        if metiers is None:
            self.metiers = load_metiers(path)
        else:
            wanted = split_terms(",".join(metiers) if isinstance(metiers, list) else metiers)
            self.metiers = [m for m in wanted if _METIER_SLUG.fullmatch(m)]
            odd = [m for m in wanted if m not in self.metiers]
            if odd:
                self.logger.error("not métier slugs, skipped: %s", ", ".join(odd))
        if not self.metiers:
            self.logger.warning("hellowork: no métier page to read (%s)", path.name)

    def first_page_urls(self) -> list[str]:
        return [listing_url(slug) for slug in self.metiers]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for slug in self.metiers:
            yield self._listing_request(listing_url(slug), slug)

    def _listing_request(self, url: str, slug: str) -> scrapy.Request:
        return scrapy.Request(
            url, callback=self.parse_listing, errback=self.on_error, meta={METIER_META: slug}
        )

    def _ad_request(self, card: Card) -> scrapy.Request:
        return scrapy.Request(
            card.url, callback=self.parse_ad, errback=self.on_error, meta={CARD_META: asdict(card)}
        )

    def _count(self, key: str) -> None:
        self.crawler.stats.inc_value(f"{SOURCE}/{key}")

    def _blocked(self, response: Response, what: str) -> None:
        self.stop(BLOCKED, BLOCKED_HELP.format(what=what, url=response.url))

    def parse_listing(self, response: Response) -> Iterator[Any]:
        slug = response.meta.get(METIER_META) or response.url
        if response.status == 403:
            self._blocked(response, "HTTP 403")
        if response.status in (404, 410):
            self.logger.error(
                "métier page %s answered HTTP %s: is %r still a HelloWork métier? "
                "Fix or remove it in %s",
                response.url,
                response.status,
                slug,
                METIERS_FILE.name,
            )
            return
        if not isinstance(response, TextResponse):
            self.logger.warning("%s is not a text page, skipped", response.url)
            return
        listing = read_listing(response.text, response.url)
        if not listing.hooks:
            yield from self._listing_without_cards(response)
            return
        if not listing.cards:
            yield reject(
                SOURCE,
                f'listing cards (data-cy="{TITLE_HOOK}") without ad links',
                page_summary(response.text),
                response.url,
            )
            self.stop(
                LAYOUT_CHANGED,
                f"HelloWork's listing cards on {response.url} no longer link to "
                "/fr-fr/emplois/<id>.html: the spider needs updating.",
            )
        if len(listing.cards) < listing.hooks:
            self.logger.warning(
                "%s: %d card(s) without an ad link skipped",
                response.url,
                listing.hooks - len(listing.cards),
            )
        for card in listing.cards:
            yield self._ad_request(card)
        if listing.next_url and page_number(listing.next_url) <= MAX_PAGES:
            yield self._listing_request(listing.next_url, slug)

    def _listing_without_cards(self, response: TextResponse) -> Iterator[Any]:
        sign = block_sign(response.text)
        if sign:
            self._blocked(response, sign)
        if says_no_result(response.text):
            self.logger.info("no ad on %s", response.url)
            self._count("empty_listings")
            return
        yield reject(
            SOURCE,
            f'listing page without offer cards (no data-cy="{TITLE_HOOK}")',
            page_summary(response.text),
            response.url,
        )
        self.stop(
            LAYOUT_CHANGED,
            f'HelloWork\'s listing page {response.url} has no data-cy="{TITLE_HOOK}" cards and '
            "does not say it is empty: the spider needs updating.",
        )

    def parse_ad(self, response: Response) -> Iterator[dict[str, Any]]:
        if response.status == 403:
            self._blocked(response, "HTTP 403")
        if response.status in (404, 410):
            self.logger.info("withdrawn: %s (HTTP %s)", response.url, response.status)
            self._count("withdrawn")
            return
        if not isinstance(response, TextResponse):
            self.logger.warning("%s is not a text page, skipped", response.url)
            return
        reading = read_ad(response.text, response.url, response.meta.get(CARD_META))
        if reading.no_posting:
            sign = block_sign(response.text)
            if sign:
                self._blocked(response, sign)
        for rejected in reading.rejects:
            self.logger.warning("%s: %s", response.url, rejected["reason"])
            yield rejected
        if reading.offer is None:
            return
        if not on_topic(reading.offer, self.terms):
            self._count("off_topic")
            return
        yield reading.offer

    def on_error(self, failure: Failure) -> None:
        request = failure.request
        if failure.check(HttpError):
            status = failure.value.response.status
            self.logger.error("%s answered HTTP %s (after retries)", request.url, status)
        elif failure.check(IgnoreRequest):
            # robots.txt said no, or an offline replay has no recording of this URL.
            self.logger.warning("%s not fetched: %s", request.url, failure.getErrorMessage())
        else:
            self.logger.error("%s failed: %s", request.url, failure.getErrorMessage())
