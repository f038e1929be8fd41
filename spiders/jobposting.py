"""Offer pages that carry schema.org JobPosting JSON-LD, on a configurable list of career sites.

Google for Jobs only lists offers marked up as JobPosting, so many employers' career sites publish
it on every offer page whatever their applicant-tracking system (SOURCES.md §7, "Generic"). One
spider reads them all; an employer is one table in `jobposting_sites.toml`.

    botjobs crawl --source jobposting                      every site in the data file
    scrapy crawl jobposting -a site=societe_generale       some sites (comma-separated names)
    scrapy crawl jobposting -a start_urls=https://…        ad-hoc pages (comma-separated URLs)

The logic lives in the pure functions below (HTML text in, plain dicts out); the spider class
only walks listing pages to offer pages and reports what it could not read.
"""

from __future__ import annotations

import html
import json
import math
import re
import tomllib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NamedTuple
from urllib.parse import urlparse

import scrapy
from parsel import Selector
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.linkextractors import LinkExtractor
from scrapy.spidermiddlewares.httperror import HttpError
from twisted.python.failure import Failure

from pipeline.items import raw_offer, reject
from spiders.common import (
    MAX_JSON_DEPTH,
    SourceSpider,
    attribute,
    finite,
    http_url,
    joined_url,
    json_depth,
    storable,
    too_deep,
)

SOURCE = "jobposting"
SITES_FILE = Path(__file__).with_name("jobposting_sites.toml")
SITE_KEYS = ("name", "start_urls", "offer_links", "next_links")
PAYLOAD_CHARS = 2000

# For -a start_urls without a site table: URLs that commonly name one offer, and pagination.
# Best effort only; a site worth crawling twice deserves its own table.
ADHOC_SITE = "adhoc"
ADHOC_OFFER_LINKS = (
    r"/(?:offres?-d-emploi|offres?|emplois?|jobs?|job-offers?|postes?|annonces?|vacanc(?:y|ies))"
    r"/[^/?#]+"
)
ADHOC_NEXT_LINKS = r"[?&](?:page|p|pg|start|offset)=\d+|/page/\d+/?$"

# Request meta keys: which site a page belongs to, and whether it is a listing or an offer.
SITE_META = "botjobs_site"
ROLE_META = "botjobs_page"
LISTING, OFFER = "listing", "offer"

# Some CMSs wrap JSON-LD in comment or CDATA markers, a relic of pre-HTML5 browsers.
_WRAPPERS = (("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>"))
_TRAILING_COMMA = re.compile(r",\s*([\]}])")
_REAL_TAG = re.compile(r"<[A-Za-z/!]")
_ESCAPED_TAG = re.compile(r"&(?:amp;)*lt;\s*/?[A-Za-z]")
_PLAIN_NUMBER = re.compile(r"\d+(?:[.,]\d{1,2})?")
_SPACES = re.compile(r"[\s\u00a0\u202f]+")
_SALARY_KEYS = ("salary", "salary_min", "salary_max", "salary_period", "salary_currency")


# --- reading JSON-LD ------------------------------------------------------------------------


class JsonLdScript(NamedTuple):
    """One `<script type="application/ld+json">` of a page."""

    text: str  # as found in the page, for a reject's payload
    data: Any  # the parsed JSON, None when it would not parse
    error: str | None  # why it would not parse


def _unwrap(text: str) -> str:
    text = text.strip()
    changed = True
    while changed:
        changed = False
        for opening, closing in _WRAPPERS:
            if text.startswith(opening):
                text, changed = text[len(opening) :].strip(), True
            if text.endswith(closing):
                text, changed = text[: -len(closing)].strip(), True
    return text.rstrip(";").strip()


def parse_jsonld(text: str) -> Any:
    """The data of one JSON-LD script; raises ValueError with the reason when it is not JSON or
    nests deeper than MAX_JSON_DEPTH (no real JobPosting does, and the readers below recurse
    once a level).

    Control characters inside strings (raw newlines in a description) and trailing commas are
    common in hand-templated JSON-LD and cost nothing to accept.
    """
    data = _loads(_unwrap(text))
    reason = too_deep(data)
    if reason is not None:
        raise ValueError(reason)
    return data


def _loads(body: str) -> Any:
    try:
        return json.loads(body, strict=False)
    except RecursionError as exc:
        raise ValueError("JSON nested too deeply") from exc
    except ValueError as first:
        relaxed = _TRAILING_COMMA.sub(r"\1", body)
        if relaxed != body:
            try:
                return json.loads(relaxed, strict=False)
            except (ValueError, RecursionError):
                pass
        raise ValueError(str(first)) from None


def jsonld_scripts(page_html: str) -> list[JsonLdScript]:
    """Every JSON-LD script of an HTML page, parsed or with the reason it could not be."""
    if not page_html or not page_html.strip():
        return []
    selector = Selector(text=page_html)
    scripts = []
    for node in selector.xpath("//script[@type]"):
        kind = (attribute(node, "type") or "").strip().lower()
        if not kind.startswith("application/ld+json"):
            continue
        text = node.xpath("string()").get() or ""
        if not _unwrap(text):
            continue  # an empty block says nothing and is no error
        try:
            scripts.append(JsonLdScript(text, parse_jsonld(text), None))
        except (ValueError, RecursionError) as exc:
            scripts.append(JsonLdScript(text, None, str(exc)))
    return scripts


def _types(node: dict[str, Any]) -> list[str]:
    kinds = node.get("@type")
    kinds = kinds if isinstance(kinds, list) else [kinds]
    # "JobPosting", "schema:JobPosting" and "https://schema.org/JobPosting" all occur.
    return [re.split(r"[/:#]", k)[-1].lower() for k in kinds if isinstance(k, str)]


def _walk(data: Any) -> Iterator[dict[str, Any]]:
    """Every object in a JSON document, depth first; iterative so deep nesting cannot overflow."""
    stack = [data]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            yield node
            stack.extend(reversed(list(node.values())))
        elif isinstance(node, list):
            stack.extend(reversed(node))


def _readable(posting: dict[str, Any]) -> dict[str, Any]:
    """The posting without the values it nests deeper than MAX_JSON_DEPTH: the readers below
    recurse once a level, so such a value (which parse_jsonld refuses in a page, but a caller
    may hand over) is unknown, like any other odd one."""
    return {key: value for key, value in posting.items() if json_depth(value) < MAX_JSON_DEPTH}


def _resolve(value: Any, nodes: dict[str, dict[str, Any]]) -> Any:
    if isinstance(value, dict) and set(value) == {"@id"}:
        return nodes.get(value["@id"], value) if isinstance(value["@id"], str) else value
    if isinstance(value, list):
        return [_resolve(item, nodes) for item in value]
    return value


def jobpostings_in(data: Any) -> list[dict[str, Any]]:
    """The JobPosting objects in parsed JSON-LD: an object, a list, an @graph, nested anywhere.

    In an @graph a posting often names its employer or place by reference
    (`"hiringOrganization": {"@id": "#org"}`); such references are replaced by the node they name.
    A value nested deeper than MAX_JSON_DEPTH is left out (see `_readable`).
    """
    postings: list[dict[str, Any]] = []
    nodes: dict[str, dict[str, Any]] = {}
    for node in _walk(data):
        if isinstance(node.get("@id"), str) and len(node) > 1:
            nodes.setdefault(node["@id"], node)
        if "jobposting" in _types(node):
            postings.append(node)
    # A posting nested in another posting is not a second offer.
    inner = {id(n) for p in postings for n in _walk(list(p.values()))}
    return [
        {key: _resolve(value, nodes) for key, value in _readable(posting).items()}
        for posting in postings
        if id(posting) not in inner
    ]


def extract_jobpostings(page_html: str) -> tuple[list[dict[str, Any]], list[str]]:
    """The JobPostings of an HTML page, and one message per JSON-LD script that would not parse."""
    postings: list[dict[str, Any]] = []
    errors: list[str] = []
    for number, script in enumerate(jsonld_scripts(page_html), start=1):
        if script.error is not None:
            errors.append(f"JSON-LD script {number}: {script.error}")
        else:
            postings.extend(jobpostings_in(script.data))
    return postings, errors


# --- JobPosting → raw offer -----------------------------------------------------------------


def _number(value: Any) -> float | None:
    """A stated amount; a string only when plainly a number (not "45.000", not "selon profil")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # json.loads accepts NaN, Infinity and integers past a float's range: none is an amount.
        return finite(value)
    if isinstance(value, str):
        compact = _SPACES.sub("", value)
        if _PLAIN_NUMBER.fullmatch(compact):
            return float(compact.replace(",", "."))
    return None


def _number_text(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _text(value: Any) -> str | None:
    """One text from a JSON-LD value: a string, a number, a named/valued object, a list's first."""
    for _ in range(8):  # objects within objects: a few levels are plenty
        if isinstance(value, bool) or value is None:
            return None
        if isinstance(value, str):
            return storable(html.unescape(value)).strip() or None
        if isinstance(value, int | float):
            number = finite(value)
            return None if number is None else _number_text(number)
        if isinstance(value, list):
            texts = (_text(item) for item in value)
            return next((t for t in texts if t), None)
        if not isinstance(value, dict):
            return None
        value = next(
            (value[k] for k in ("name", "value", "@value") if value.get(k) not in (None, "")),
            None,
        )
    return None


def _texts(value: Any) -> list[str]:
    items = value if isinstance(value, list) else [value]
    return [t for t in (_text(item) for item in items) if t]


def _joined(value: Any, separator: str = ", ") -> str | None:
    return separator.join(dict.fromkeys(_texts(value))) or None


def _source_id(identifier: Any) -> str | None:
    # PropertyValue {"name": employer, "value": reference}: the name is not the id.
    if isinstance(identifier, list):
        return next((i for i in map(_source_id, identifier) if i), None)
    if isinstance(identifier, dict):
        return _text(identifier.get("value") or identifier.get("@value"))
    return _text(identifier)


def _scoped_id(identifier: str | None, page_url: str) -> str | None:
    """An employer's reference, prefixed with its site: two employers may both have "REF-1"."""
    if identifier is None:
        return None
    host = urlparse(page_url).hostname or ""
    return f"{host.removeprefix('www.')}/{identifier}" if host else identifier


def _http_url(value: Any, base: str) -> str | None:
    text = _text(value)
    if not text:
        return None
    url = joined_url(base, text)
    return http_url(url)


def _address_text(address: Any) -> str | None:
    if isinstance(address, str):
        return _text(address)
    if not isinstance(address, dict):
        return None
    keys = ("addressLocality", "postalCode", "addressRegion", "addressCountry")
    return _joined([_text(address.get(key)) for key in keys])


def _places(job_location: Any) -> list[Any]:
    places = job_location if isinstance(job_location, list) else [job_location]
    return [p for p in places if isinstance(p, dict | str)]


def _place_text(place: Any) -> str | None:
    if isinstance(place, str):
        return _text(place)
    return _address_text(place.get("address")) or _text(place.get("name"))


def _coordinate(place: Any, key: str) -> float | None:
    if not isinstance(place, dict):
        return None
    geo = place.get("geo")
    value = geo.get(key) if isinstance(geo, dict) else place.get(key)
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError, OverflowError):
        return None
    limit = 90 if key == "latitude" else 180
    return number if math.isfinite(number) and abs(number) <= limit else None


def _place_fields(job_location: Any) -> dict[str, Any]:
    places = _places(job_location)
    location = _joined([_place_text(p) for p in places], separator="; ")
    fields: dict[str, Any] = {
        "location": location,
        "postal_code": None,
        "latitude": None,
        "longitude": None,
    }
    # One offer, several places: the location text keeps them all, but picking one postcode or
    # one pair of coordinates for the structured fields would be a guess.
    if len(places) == 1 and isinstance(places[0], dict):
        place = places[0]
        address = place.get("address")
        if isinstance(address, dict):
            fields["postal_code"] = _text(address.get("postalCode"))
        fields["latitude"] = _coordinate(place, "latitude")
        fields["longitude"] = _coordinate(place, "longitude")
    return fields


def _salary_fields(base_salary: Any) -> dict[str, Any]:
    if isinstance(base_salary, list):
        base_salary = next((b for b in base_salary if isinstance(b, dict)), None)
    if not isinstance(base_salary, dict):
        return dict.fromkeys(_SALARY_KEYS, None) | {"salary": _text(base_salary)}
    currency = _text(base_salary.get("currency"))
    value = base_salary.get("value")
    # The amounts belong in a QuantitativeValue, but some sites put them on the MonetaryAmount.
    quantity = value if isinstance(value, dict) else base_salary
    low = _number(quantity.get("minValue"))
    high = _number(quantity.get("maxValue"))
    single = _number(quantity.get("value") if isinstance(value, dict) else value)
    period = _text(quantity.get("unitText")) or _text(base_salary.get("unitText"))
    if low is None and high is None and single is not None:
        low = high = single
    if low is not None and high is not None:
        amount = _number_text(low) if low == high else f"{_number_text(low)}–{_number_text(high)}"
    elif low is not None:
        amount = f"min {_number_text(low)}"
    elif high is not None:
        amount = f"max {_number_text(high)}"
    else:
        amount = _text(value.get("value") if isinstance(value, dict) else value)
    text = " ".join(part for part in (amount, currency, period) if part) if amount else None
    return {
        "salary": text,
        "salary_min": low,
        "salary_max": high,
        "salary_period": period,
        "salary_currency": currency,
    }


def _experience(requirements: Any) -> str | None:
    if isinstance(requirements, list):
        return _joined([_experience(r) for r in requirements], separator="; ")
    if isinstance(requirements, dict):
        months = _number(requirements.get("monthsOfExperience"))
        parts = [f"{_number_text(months)} mois d'expérience" if months is not None else None]
        parts.append(_text(requirements.get("description")))
        return _joined(parts, separator="; ")
    return _text(requirements)


def _education(requirements: Any) -> str | None:
    if isinstance(requirements, list):
        return _joined([_education(r) for r in requirements], separator="; ")
    if isinstance(requirements, dict):
        keys = ("credentialCategory", "educationalLevel", "name", "description")
        return next((t for t in (_text(requirements.get(k)) for k in keys) if t), None)
    return _text(requirements)


def _description(value: Any) -> str | None:
    if not isinstance(value, str):
        return _text(value)
    # Entity-escaped markup ("&lt;p&gt;…", sometimes twice) is HTML that was escaped once too
    # often; real tags next to "&lt;" mean the entity is meant as text and must stay.
    for _ in range(3):
        if _REAL_TAG.search(value) or not _ESCAPED_TAG.search(value):
            break
        value = html.unescape(value)
    return value


def _apply_url(posting: dict[str, Any], offer_url: str) -> str | None:
    direct = posting.get("directApply")
    if http_url(direct):
        return http_url(direct)
    if direct is True or (isinstance(direct, str) and direct.strip().lower() == "true"):
        return offer_url  # schema.org: the application happens on the offer page itself
    actions = posting.get("potentialAction")
    for action in actions if isinstance(actions, list) else [actions]:
        if isinstance(action, dict) and "applyaction" in _types(action):
            target = action.get("target")
            if isinstance(target, dict):
                target = target.get("urlTemplate") or target.get("url")
            return _http_url(target, offer_url)
    return None


def jobposting_to_raw(posting: dict[str, Any], page_url: str) -> dict[str, Any]:
    """A raw offer from one JobPosting object; anything missing or odd is None, never an error.

    Postings without a title or identifier are kept: the pipeline rejects them with a reason.
    A value nested deeper than MAX_JSON_DEPTH is not read (see `_readable`).
    """
    posting = _readable(posting)
    offer_url = _http_url(posting.get("url"), page_url) or page_url
    employment = _joined(posting.get("employmentType"))
    location_types = _joined(posting.get("jobLocationType"))
    skills = _texts(posting.get("skills"))
    return raw_offer(
        source=SOURCE,
        source_id=_scoped_id(_source_id(posting.get("identifier")), page_url) or page_url,
        url=offer_url,
        title=_text(posting.get("title")),
        company=_text(posting.get("hiringOrganization")),
        contract=employment,
        # Raw text: normalisation maps TELECOMMUTE (the one value schema.org defines) later.
        remote=location_types,
        description=_description(posting.get("description")),
        posted_at=_text(posting.get("datePosted")),
        skills=list(dict.fromkeys(skills)) or None,
        experience=_experience(posting.get("experienceRequirements")),
        education=_education(posting.get("educationRequirements")),
        apply_url=_apply_url(posting, offer_url),
        # Neither is stated by JSON-LD; normalisation derives them from the location.
        commune=None,
        department=None,
        **_place_fields(posting.get("jobLocation")),
        **_salary_fields(posting.get("baseSalary")),
    )


# --- the sites ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Site:
    """One career site: where to start, which links are offers, which are the next listing pages."""

    name: str
    start_urls: tuple[str, ...]
    offer_links: str
    next_links: str

    @property
    def domains(self) -> tuple[str, ...]:
        hosts = (urlparse(url).hostname for url in self.start_urls)
        return tuple(dict.fromkeys(h for h in hosts if h))

    @property
    def link_domains(self) -> tuple[str, ...]:
        # Scrapy's link extractor compares host *and port*: a site on a non-default port
        # ("127.0.0.1:8080") is only recognised with it.
        netlocs = (urlparse(url).netloc.lower() for url in self.start_urls)
        return tuple(dict.fromkeys([*self.domains, *(n for n in netlocs if n)]))

    def is_offer(self, url: str) -> bool:
        return re.search(self.offer_links, url) is not None


def _site(table: Any, where: str) -> Site:
    if not isinstance(table, dict):
        raise ValueError(f"{where}: a site must be a table")
    missing = [key for key in SITE_KEYS if not table.get(key)]
    if missing:
        raise ValueError(f"{where}: missing {', '.join(missing)}")
    urls = table["start_urls"]
    if isinstance(urls, str):
        urls = [urls]
    if not all(isinstance(u, str) and urlparse(u).scheme in ("http", "https") for u in urls):
        raise ValueError(f"{where}: start_urls must be http(s) URLs")
    for key in ("offer_links", "next_links"):
        try:
            re.compile(table[key])
        except (re.error, TypeError) as exc:
            raise ValueError(f"{where}: {key} is not a regular expression: {exc}") from exc
    return Site(str(table["name"]), tuple(urls), table["offer_links"], table["next_links"])


def load_sites(path: Path = SITES_FILE) -> dict[str, Site]:
    """The sites of the data file by name; a malformed file raises ValueError saying where."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    sites: dict[str, Site] = {}
    for number, table in enumerate(data.get("sites", []), start=1):
        site = _site(table, f"{path.name}, site {number}")
        if site.name in sites:
            raise ValueError(f"{path.name}: two sites named {site.name!r}")
        sites[site.name] = site
    return sites


def _split(value: str | list[str] | None) -> list[str]:
    if value is None:
        return []
    items = value if isinstance(value, list) else value.split(",")
    return [item.strip() for item in items if item and item.strip()]


def choose_sites(
    known: dict[str, Site], names: str | list[str] | None, start_urls: str | list[str] | None
) -> tuple[list[Site], list[str]]:
    """The sites a run asked for (all of them when it named none), and the names nobody knows."""
    wanted = _split(names)
    urls = _split(start_urls)
    unknown = [name for name in wanted if name not in known]
    if wanted:
        sites = [known[name] for name in dict.fromkeys(wanted) if name in known]
    else:
        sites = [] if urls else list(known.values())
    if urls:
        sites.append(Site(ADHOC_SITE, tuple(urls), ADHOC_OFFER_LINKS, ADHOC_NEXT_LINKS))
    return sites, unknown


# --- the spider -----------------------------------------------------------------------------


class JobPostingSpider(SourceSpider):
    name = SOURCE
    searches = False  # each site's start URLs carry their own query
    employer_site = True
    about = "career pages with schema.org JobPosting (sites in jobposting_sites.toml)"
    # A withdrawn offer answers 404 or 410: let it reach parse() to be logged as withdrawn
    # rather than as a failure. Other errors (5xx after retries, 403…) go to on_error().
    handle_httpstatus_list = [404, 410]

    def __init__(
        self,
        site: str | None = None,
        start_urls: str | list[str] | None = None,
        sites_file: str | None = None,
        **kwargs: Any,
    ):
        super().__init__(**kwargs)
        known = load_sites(Path(sites_file) if sites_file else SITES_FILE)
        self.sites, unknown = choose_sites(known, site, start_urls)
        if unknown:
            self.logger.error(
                "unknown site(s) %s; known: %s", ", ".join(unknown), ", ".join(known) or "none"
            )
        self.site_by_name = {s.name: s for s in self.sites}
        self.start_urls = [url for s in self.sites for url in s.start_urls]
        self.allowed_domains = sorted({d for s in self.sites for d in s.domains})
        self._extractors = {
            s.name: (
                LinkExtractor(allow=s.offer_links, allow_domains=s.link_domains, unique=True),
                LinkExtractor(
                    allow=s.next_links,
                    deny=s.offer_links,
                    allow_domains=s.link_domains,
                    unique=True,
                ),
            )
            for s in self.sites
        }

    def initial_requests(self) -> list[scrapy.Request]:
        # Not dont_filter, unlike Scrapy's default: a listing's "page 1" link back to a start URL
        # must be recognised as already seen.
        return [
            self._request(url, site, OFFER if site.is_offer(url) else LISTING)
            for site in self.sites
            for url in site.start_urls
        ]

    async def start(self) -> AsyncIterator[scrapy.Request]:
        for request in self.initial_requests():
            yield request

    def _request(self, url: str, site: Site, role: str) -> scrapy.Request:
        return scrapy.Request(
            url,
            callback=self.parse,
            errback=self.on_error,
            meta={SITE_META: site.name, ROLE_META: role},
        )

    def _site_of(self, response: Response) -> Site | None:
        site = self.site_by_name.get(response.meta.get(SITE_META))
        if site is None:
            host = urlparse(response.url).hostname
            site = next((s for s in self.sites if host in s.domains), None)
        return site

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        site = self._site_of(response)
        role = response.meta.get(ROLE_META)
        if role is None:
            role = OFFER if site is not None and site.is_offer(response.url) else LISTING
        if response.status in (404, 410):
            if role == OFFER:
                self.logger.info("withdrawn: %s (HTTP %s)", response.url, response.status)
            else:
                self.logger.error(
                    "listing page %s answered HTTP %s: has the site's search URL changed?",
                    response.url,
                    response.status,
                )
            return
        if not isinstance(response, TextResponse):
            self.logger.warning("%s is not a text page, skipped", response.url)
            return
        yield from self.read_offers(response, role)
        if role == LISTING and site is not None:
            yield from self.follow_links(response, site)

    def read_offers(self, response: TextResponse, role: str) -> Iterator[dict[str, Any]]:
        scripts = jsonld_scripts(response.text)
        found = 0
        for number, script in enumerate(scripts, start=1):
            if script.error is not None:
                self.logger.error(
                    "malformed JSON-LD on %s (script %d): %s", response.url, number, script.error
                )
                reason = f"malformed JSON-LD (script {number}): {script.error}"
                yield reject(SOURCE, reason, script.text.strip()[:PAYLOAD_CHARS], response.url)
                continue
            for posting in jobpostings_in(script.data):
                found += 1
                try:
                    yield jobposting_to_raw(posting, response.url)
                except Exception as exc:  # a crawl must outlive one odd posting
                    self.logger.exception("JobPosting on %s not read", response.url)
                    payload = json.dumps(posting, ensure_ascii=False)[:PAYLOAD_CHARS]
                    yield reject(SOURCE, f"JobPosting not read: {exc!r}", payload, response.url)
        if role == OFFER and not found and not any(s.error for s in scripts):
            kinds = sorted({t for s in scripts for n in _walk(s.data) for t in _types(n)})
            title = (response.xpath("normalize-space(//title)").get() or "").strip()
            self.logger.warning(
                "no JobPosting JSON-LD on offer page %s: has the layout changed?", response.url
            )
            payload = f"title: {title or 'none'}; JSON-LD types: {', '.join(kinds) or 'none'}"
            yield reject(SOURCE, "offer page without JobPosting JSON-LD", payload, response.url)

    def follow_links(self, response: TextResponse, site: Site) -> Iterator[scrapy.Request]:
        offers, pages = self._extractors[site.name]
        offer_links = offers.extract_links(response)
        for link in offer_links:
            yield self._request(link.url, site, OFFER)
        for link in pages.extract_links(response):
            yield self._request(link.url, site, LISTING)
        if not offer_links:
            self.logger.info("no offer links on listing page %s", response.url)

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
