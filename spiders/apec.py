"""Apec, the executives' job board (SOURCES.md §2): the JSON web services behind its own search page.

Apec documents no API. Its search page asks `POST /cms/webservices/rechercheOffre` with a JSON
criteria body, one search per keyword of spiders/search_terms.txt, newest first, 100 offers a page
(the most it gives), `pagination.startIndex` moving on until `totalCount`. A search result holds
only a teaser, so each offer is then read from `GET /cms/webservices/offre/public?numeroOffre=…`,
whose full description (the post, the profile sought, the company) and skills make the offer.
When that detail cannot be had (an error after retries, a body that is not the offer), the offer is
still yielded from the search result's teaser; a detail answering 204/404/410 is a withdrawn offer.

Apec is reported to answer automated clients with captcha pages: one (or a 403) stops the source
with a message, and nothing is retried in a loop.

The logic lives in the module-level functions; the spider class only wires them to Scrapy.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote, urlencode

from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import JsonRequest, Response
from scrapy.spidermiddlewares.httperror import HttpError

from pipeline.items import raw_offer, reject
from spiders.common import (
    BLOCKED,
    LAYOUT_CHANGED,
    PAYLOAD_CHARS,
    FeedError,
    SourceSpider,
    at,
    coordinate,
    failure_reason,
    json_body,
    json_member,
    json_of_kind,
    labels,
    response_text,
    text,
)

SOURCE = "apec"

SEARCH_URL = "https://www.apec.fr/cms/webservices/rechercheOffre"
DETAIL_URL = "https://www.apec.fr/cms/webservices/offre/public"
OFFER_PAGE_URL = "https://www.apec.fr/candidat/recherche-emploi.html/emploi/detail-offre/{id}"

# The most `pagination.range` Apec accepts.
PAGE_SIZE = 100

# Apec's own labels for its contract codes. 101888, 101887, 597137 and 597139 are in SOURCES.md;
# the others are reported by public scrapers (unverified). An unknown code is kept as its digits,
# which the contract normaliser leaves unknown rather than guessing.
CONTRACT_LABELS = {
    "101888": "CDI",
    "101887": "CDD",
    "101889": "Intérim",
    "101930": "Intérim",
    "597137": "Alternance",
    "597138": "Alternance",
    "597139": "Alternance",
    "597140": "Alternance",
    "597141": "CDI intérimaire",
}
# Apec's labels for `idNomNiveauExperience`, as reported by public scrapers (unverified). Newer
# codes have no known label; a bare number would read as a count of years, so it stays None.
EXPERIENCE_LABELS = {
    "101881": "Débutant",
    "101882": "Tous niveaux d'expérience",
    "101883": "Expérimenté",
}

# Words of the pages anti-bot services serve in place of the JSON (Apec's reported captcha,
# DataDome, Cloudflare, Imperva, PerimeterX); only looked for in a body that is not JSON, where
# an ad's "challenge" cannot be meant.
BLOCK_MARKERS = (
    "captcha",
    "challenge",
    "datadome",
    "cf-chl",
    "just a moment",
    "attention required",
    "incapsula",
    "perimeterx",
    "access denied",
    "accès refusé",
    "acces refuse",
    "are you a robot",
    "êtes-vous un robot",
    "vous êtes un robot",
)
# A detail endpoint that moved would answer every offer 404, each one read as withdrawn: this
# many in a row with no detail ever read means the endpoint is gone, not the offers.
WITHDRAWN_BEFORE_ANY_READ = 10

BLOCKED_HELP = (
    "Apec served an anti-bot page ({seen}) for {url}: it has stopped answering this client for "
    "now. Nothing was retried; try again later (a few hours), and lower the crawl frequency if "
    "it happens again."
)


# ---------------------------------------------------------------- searches and paging


def search_body(term: str, start: int = 0) -> dict[str, Any]:
    """The criteria of one search page. Only keys Apec's own page sends: unknown ones give a 500."""
    return {
        "motsCles": term,
        "lieux": [],
        "typesContrat": [],
        "typesTeletravail": [],
        "sorts": [{"type": "DATE", "direction": "DESCENDING"}],
        "pagination": {"range": PAGE_SIZE, "startIndex": start},
        "activeFiltre": True,
    }


def read_search(body: str) -> tuple[list[Any], int | None]:
    """(`resultats`, `totalCount` or None) of a search page body."""
    data = json_of_kind(json_body(body), dict, "an object")
    total = data.get("totalCount")
    total = total if isinstance(total, int) and not isinstance(total, bool) and total >= 0 else None
    results = data.get("resultats")
    if results is None and total == 0 and "resultats" not in data:
        # An empty search may leave the list out; totalCount is there, so the layout is too.
        return [], 0
    return json_member(data, "resultats"), total


def next_start(start: int, count: int, total: int | None) -> int | None:
    """The startIndex of the page after one that started at `start` and held `count` offers."""
    # A short page is the last, whatever the total says.
    if count < PAGE_SIZE:
        return None
    following = start + PAGE_SIZE
    if total is not None and following >= total:
        return None
    return following


# ---------------------------------------------------------------- anti-bot pages


def block_seen(status: int, body: str) -> str | None:
    """What shows that Apec served an anti-bot page instead of its JSON, or None."""
    if status == 403:
        return "HTTP 403"
    stripped = body.lstrip()
    if not stripped.startswith("<"):
        return None
    folded = stripped[:20000].casefold()
    for marker in BLOCK_MARKERS:
        if marker in folded:
            return f"an HTML page with {marker!r} where JSON was expected"
    return None


# ---------------------------------------------------------------- one offer


def offer_id_of(data: Any) -> str | None:
    return text(at(data, "numeroOffre"))


def offer_url(offer_id: str | None) -> str | None:
    if offer_id is None:
        return None
    return OFFER_PAGE_URL.format(id=quote(offer_id, safe=""))


def detail_url(offer_id: str) -> str:
    return f"{DETAIL_URL}?{urlencode({'numeroOffre': offer_id})}"


def contract_label(value: Any) -> str | None:
    """Apec's label for a contract code; an unknown code as its digits."""
    found = text(value)
    if found is None:
        return None
    return CONTRACT_LABELS.get(found, found)


def experience_label(value: Any) -> str | None:
    found = text(value)
    return EXPERIENCE_LABELS.get(found) if found is not None else None


def confidential(*sources: Any) -> bool:
    return any(at(data, "offreConfidentielle") is True for data in sources)


def detail_description(detail: Any) -> str | None:
    """The post, the profile sought and the company, in the order Apec's page shows them."""
    parts = [
        text(at(detail, key)) for key in ("texteHtml", "texteHtmlProfil", "texteHtmlEntreprise")
    ]
    return "\n".join(part for part in parts if part) or None


def read_detail(body: str, offer_id: str | None = None) -> dict[str, Any]:
    """The offer object of a detail body; raises FeedError when it holds no offer, or another
    offer than `offer_id`."""
    data = json_of_kind(json_body(body), dict, "an object", layout=False)
    found = offer_id_of(data)
    if offer_id is not None and found is not None and found != offer_id:
        raise FeedError(f"detail is of offer {found}, not {offer_id}")
    if detail_description(data) is None:
        raise FeedError("detail has no texteHtml, texteHtmlProfil or texteHtmlEntreprise")
    return data


def offer_from_json(result: Any, detail: Any = None) -> dict[str, Any]:
    """A raw offer from a search result, completed by its detail when there is one.

    The detail's values win where it has them; the search result fills the rest. Without a
    detail the description is the search result's teaser. Whatever is missing or odd is None;
    an offer without id or title is still returned, for the pipeline to reject with its reason.
    """
    offer_id = offer_id_of(result) or offer_id_of(detail)
    places = labels(at(detail, "lieux"), "libelleLieu")
    company = None
    if not confidential(result, detail):
        company = (
            text(at(result, "nomCommercial"))
            or text(at(detail, "nomCommercial"))
            or text(at(detail, "nomCompteEtablissement"))
        )
    return raw_offer(
        source=SOURCE,
        source_id=offer_id,
        url=offer_url(offer_id),
        title=text(at(detail, "intitule")) or text(at(result, "intitule")),
        company=company,
        location=", ".join(places) or text(at(result, "lieuTexte")),
        salary=text(at(detail, "salaireTexte")) or text(at(result, "salaireTexte")),
        contract=contract_label(at(result, "typeContrat"))
        or contract_label(at(detail, "idNomTypeContrat")),
        # Apec states remote work only as a code with no known label; the pipeline reads the text.
        remote=None,
        description=detail_description(detail) or text(at(result, "texteOffre")),
        posted_at=text(at(detail, "datePublication")) or text(at(result, "datePublication")),
        latitude=coordinate(at(detail, "latitude"), 90),
        longitude=coordinate(at(detail, "longitude"), 180),
        skills=labels(at(detail, "competences"), "libelle") or None,
        experience=experience_label(at(detail, "idNomNiveauExperience")),
        apply_url=text(at(detail, "adresseUrlCandidature")),
    )


def payload_of(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False)[:PAYLOAD_CHARS]


# ---------------------------------------------------------------- the spider


class ApecSpider(SourceSpider):
    name = SOURCE
    about = "Apec, the executives' job board (its site's JSON search and offer services)"
    allowed_domains = ["apec.fr"]

    def __init__(self, **kwargs: Any):
        super().__init__(**kwargs)
        # An offer found by several searches is read once.
        self.asked: set[str] = set()
        self.details_read = 0
        self.withdrawn = 0

    async def start(self):
        for term in self.terms:
            yield self.search_request(term, 0)

    def stat(self, key: str) -> None:
        self.crawler.stats.inc_value(f"{SOURCE}/{key}")

    # -- searches

    def search_request(self, term: str, start: int) -> Request:
        return JsonRequest(
            SEARCH_URL,
            data=search_body(term, start),
            callback=self.parse_search,
            errback=self.search_failed,
            cb_kwargs={"term": term, "start": start},
            meta={"handle_httpstatus_list": [403]},
        )

    def check_blocked(self, response: Response, body: str) -> None:
        seen = block_seen(response.status, body)
        if seen is not None:
            self.stop(BLOCKED, BLOCKED_HELP.format(seen=seen, url=response.url))

    def parse_search(self, response: Response, term: str, start: int = 0) -> Iterator[Any]:
        body = response_text(response)
        self.check_blocked(response, body)
        where = f"{response.url} (motsCles={term!r}, startIndex={start})"
        try:
            results, total = read_search(body)
        except FeedError as error:
            if not error.layout:
                self.logger.error("Apec: unreadable search page %s: %s", where, error)
            yield reject(SOURCE, str(error), payload=body[:PAYLOAD_CHARS], url=response.url)
            if error.layout:
                self.stop(
                    LAYOUT_CHANGED,
                    f"Apec's search answered JSON without its results ({error}) for {where}: "
                    "its web service has changed and this spider needs updating.",
                )
            return
        for result in results:
            if not isinstance(result, dict):
                yield reject(
                    SOURCE, "search result is not a JSON object", payload_of(result), response.url
                )
                continue
            yield from self.offer_or_detail(result)
        following = next_start(start, len(results), total)
        if following is not None:
            yield self.search_request(term, following)

    def search_failed(self, failure) -> None:
        term = failure.request.cb_kwargs.get("term")
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # Dropped on purpose (robots.txt, or no recording in a replay, which says so itself).
            self.logger.warning("Apec search %r not sent: %s", term, failure.getErrorMessage())
            return
        self.logger.error("Apec search %r failed: %s", term, failure_reason(failure))
        self.stat("failed_searches")

    # -- details

    def offer_or_detail(self, result: dict[str, Any]) -> Iterator[Any]:
        offer_id = offer_id_of(result)
        if offer_id is None:
            # Nothing to ask the detail for: the pipeline rejects it for its missing id.
            yield offer_from_json(result)
            return
        if offer_id in self.asked:
            return
        self.asked.add(offer_id)
        yield Request(
            detail_url(offer_id),
            headers={"Accept": "application/json"},
            callback=self.parse_detail,
            errback=self.detail_failed,
            cb_kwargs={"result": result},
            meta={"handle_httpstatus_list": [204, 403, 404, 410]},
        )

    def parse_detail(self, response: Response, result: dict[str, Any]) -> Iterator[Any]:
        body = response_text(response)
        self.check_blocked(response, body)
        if response.status in (204, 404, 410):
            self.gone(response)
            return
        try:
            detail = read_detail(body, offer_id_of(result))
        except FeedError as error:
            # The offer is not lost: its search result still has a teaser.
            self.logger.warning(
                "Apec: offer detail %s unreadable (%s); kept with its teaser", response.url, error
            )
            self.stat("teaser_only")
            yield offer_from_json(result)
            return
        self.details_read += 1
        yield offer_from_json(result, detail)

    def gone(self, response: Response) -> None:
        self.withdrawn += 1
        self.stat("withdrawn")
        self.logger.info("Apec: offer withdrawn: %s (HTTP %s)", response.url, response.status)
        if not self.details_read and self.withdrawn >= WITHDRAWN_BEFORE_ANY_READ:
            self.stop(
                LAYOUT_CHANGED,
                f"the first {self.withdrawn} Apec offer details all answered as withdrawn "
                f"(last: HTTP {response.status} for {response.url}): the detail web service "
                "has probably moved and this spider needs updating.",
            )

    def detail_failed(self, failure) -> Iterator[Any]:
        request = failure.request
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # Not sent (robots.txt, or no recording in a replay, which says so itself).
            reason = failure.getErrorMessage()
        else:
            reason = failure_reason(failure)
        # The offer is not lost: its search result still has a teaser.
        self.logger.warning(
            "Apec: offer detail %s failed (%s); kept with its teaser", request.url, reason
        )
        self.stat("teaser_only")
        yield offer_from_json(request.cb_kwargs["result"])
