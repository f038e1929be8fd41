"""France Travail, API "Offres d'emploi v2": the official feed, first priority (SOURCES.md §1).

One OAuth2 client-credentials token serves every search until it expires. Each keyword of
spiders/search_terms.txt, plus the role's ROME code, is searched twice: `origineOffre=1`
(France Travail's own ads) and `origineOffre=2` (partners' ads), since the API's default
returns only the former. Pages of 150 are read through `range` until the total given by
`Content-Range`, or until the API's cap on the start index.

The logic lives in the module-level functions; the spider class only wires them to Scrapy.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, quote, urlencode, urlsplit

from scrapy import FormRequest, Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response
from scrapy.spidermiddlewares.httperror import HttpError

from pipeline.items import raw_offer, reject
from spiders.common import (
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
    labels,
    number,
    response_text,
    split_terms,
    text,
)

SOURCE = "france_travail"

TOKEN_URL = "https://entreprise.francetravail.fr/connexion/oauth2/access_token?realm=/partenaire"
TOKEN_SCOPE = "api_offresdemploiv2 o2dsoffre"
SEARCH_URL = "https://api.francetravail.io/partenaire/offresdemploi/v2/offres/search"
OFFER_PAGE_URL = "https://candidat.francetravail.fr/offres/recherche/detail/{id}"

ENV_CLIENT_ID = "FRANCE_TRAVAIL_CLIENT_ID"
ENV_CLIENT_SECRET = "FRANCE_TRAVAIL_CLIENT_SECRET"
# A replay never sends anything, so the real secret has no reason to sit in a request then.
REPLAY_CREDENTIALS = ("replay-client-id", "replay-client-secret")

ROME_CODE = "M1802"
# 1: France Travail's own ads, 2: partners' ads.
ORIGINS = ("1", "2")
PAGE_SIZE = 150
# Documented: the start index of a range may not exceed 3000 (older documentation said 1000).
MAX_RANGE_START = 3000
# Renew a little before the stated expiry so a request is not sent with a token about to die.
TOKEN_MARGIN = 60.0
DEFAULT_TOKEN_LIFETIME = 1499.0

NO_CREDENTIALS_HELP = (
    "France Travail skipped: no API credentials. Create a free app on https://francetravail.io, "
    'subscribe it to the "Offres d\'emploi v2" API, then set '
    f"{ENV_CLIENT_ID} and {ENV_CLIENT_SECRET}."
)

_CONTENT_RANGE = re.compile(r"(\d+)\s*-\s*(\d+)\s*/\s*(\d+)")


class ContentRange(NamedTuple):
    first: int
    last: int
    total: int


# ---------------------------------------------------------------- credentials and token


def credentials_from_env(env: Mapping[str, str] | None = None) -> tuple[str, str] | None:
    """(client_id, client_secret) from the environment, or None when either is missing."""
    env = os.environ if env is None else env
    client_id = (env.get(ENV_CLIENT_ID) or "").strip()
    client_secret = (env.get(ENV_CLIENT_SECRET) or "").strip()
    if not client_id or not client_secret:
        return None
    return client_id, client_secret


def token_form(client_id: str, client_secret: str) -> dict[str, str]:
    """The form body of the client-credentials token request."""
    return {
        "grant_type": "client_credentials",
        "client_id": client_id,
        "client_secret": client_secret,
        "scope": TOKEN_SCOPE,
    }


def parse_token(text: str) -> tuple[str, float]:
    """(access_token, lifetime in seconds) from a token response body."""
    data = json_body(text)
    token = at(data, "access_token")
    if not isinstance(token, str) or not token.strip():
        raise FeedError("token response has no access_token")
    lifetime = number(data.get("expires_in"))
    if lifetime is None or lifetime <= 0:
        lifetime = DEFAULT_TOKEN_LIFETIME
    return token.strip(), lifetime


def token_expiry(now: float, lifetime: float, margin: float = TOKEN_MARGIN) -> float:
    """When a token obtained at `now` should be treated as expired."""
    return now + max(lifetime - margin, lifetime / 2)


# ---------------------------------------------------------------- searches and paging


def search_passes(terms: Iterable[str], rome_codes: Iterable[str] = (ROME_CODE,)) -> list[dict]:
    """The base parameters of every search, each run for both origins."""
    passes = []
    for key, values in (("motsCles", terms), ("codeROME", rome_codes)):
        for value in values:
            for origin in ORIGINS:
                passes.append({key: value, "origineOffre": origin})
    return passes


def search_url(params: Mapping[str, str], first: int, last: int) -> str:
    # Only the pass parameters and range, always in the same order: recorded fixtures
    # are matched by URL, so an extra or reordered parameter would miss them.
    return f"{SEARCH_URL}?{urlencode({**params, 'range': f'{first}-{last}'})}"


def pass_of(url: str) -> tuple[dict[str, str], int]:
    """The pass parameters of a search URL and the start index of its range."""
    params = dict(parse_qsl(urlsplit(url).query, keep_blank_values=True))
    first = 0
    match = re.match(r"\s*(\d+)", params.pop("range", ""))
    if match:
        first = int(match.group(1))
    return params, first


def describe_pass(params: Mapping[str, str]) -> str:
    return " ".join(f"{key}={value}" for key, value in params.items())


def parse_content_range(value: str | bytes | None) -> ContentRange | None:
    """`offres 0-149/496` → ContentRange(0, 149, 496); None when absent or unreadable."""
    if isinstance(value, bytes):
        value = value.decode("latin-1")
    if not value:
        return None
    match = _CONTENT_RANGE.search(value)
    if not match:
        return None
    first, last, total = (int(group) for group in match.groups())
    if last < first:
        return None
    return ContentRange(first, last, total)


def next_range(
    start: int, count: int, content_range: ContentRange | None
) -> tuple[int, int] | None:
    """The range of the page after one that started at `start` and held `count` offers."""
    if count <= 0:
        return None
    if content_range is None:
        # Without a total, only a full page suggests there is more.
        if count < PAGE_SIZE:
            return None
        nxt, total = start + count, None
    else:
        nxt, total = content_range.last + 1, content_range.total
    # A server that ignored the requested range would otherwise send us round in circles.
    if nxt <= start:
        return None
    if total is not None and nxt >= total:
        return None
    if nxt > MAX_RANGE_START:
        return None
    last = nxt + PAGE_SIZE - 1
    if total is not None:
        last = min(last, total - 1)
    return nxt, last


def unreachable(total: int) -> int:
    """How many of `total` results lie past the last range the API lets anyone ask for."""
    return max(0, total - (MAX_RANGE_START + PAGE_SIZE))


def parse_results(text: str) -> list[Any]:
    """The `resultats` list of a search page body; FeedError (one bad answer) without it."""
    data = json_of_kind(json_body(text), dict, "an object", layout=False)
    return json_member(data, "resultats", layout=False)


# ---------------------------------------------------------------- one offer


# The nature of an ordinary job; any other (apprenticeship, professionalisation contract…) says
# more than the contract type, which codes an apprenticeship as a CDD or a CDI.
ORDINARY_NATURE = "contrat travail"


def contract_text(data: Any) -> str | None:
    """The contract as France Travail states it: its label, led by its nature when unusual
    ("Contrat apprentissage - Contrat à durée déterminée - 24 Mois")."""
    kind = text(at(data, "typeContratLibelle")) or text(at(data, "typeContrat"))
    nature = text(at(data, "natureContrat"))
    if nature and nature.casefold() != ORDINARY_NATURE and nature != kind:
        return f"{nature} - {kind}" if kind else nature
    return kind


def offer_url(offer_id: str | None) -> str | None:
    if offer_id is None:
        return None
    return OFFER_PAGE_URL.format(id=quote(offer_id, safe=""))


def offer_from_json(data: Any) -> dict[str, Any]:
    """A raw offer from one element of `resultats`; whatever is missing or odd becomes None.

    An offer without id or title is still returned: the pipeline rejects it with its reason.
    """
    offer_id = text(at(data, "id"))
    education = labels(at(data, "formations"), "niveauLibelle")
    return raw_offer(
        source=SOURCE,
        source_id=offer_id,
        url=offer_url(offer_id),
        title=text(at(data, "intitule")),
        company=text(at(data, "entreprise", "nom")),
        location=text(at(data, "lieuTravail", "libelle")),
        salary=text(at(data, "salaire", "libelle")) or text(at(data, "salaire", "commentaire")),
        contract=contract_text(data),
        # The API has no structured remote field; the pipeline infers it from the text.
        remote=None,
        description=text(at(data, "description")),
        posted_at=text(at(data, "dateCreation")),
        latitude=coordinate(at(data, "lieuTravail", "latitude"), 90),
        longitude=coordinate(at(data, "lieuTravail", "longitude"), 180),
        postal_code=code(at(data, "lieuTravail", "codePostal")),
        commune=code(at(data, "lieuTravail", "commune")),
        skills=labels(at(data, "competences"), "libelle") or None,
        experience=text(at(data, "experienceLibelle")),
        education="; ".join(education) or None,
        apply_url=text(at(data, "contact", "urlPostulation"))
        or text(at(data, "origineOffre", "urlOrigine")),
    )


# ---------------------------------------------------------------- the spider


class FranceTravailSpider(SourceSpider):
    name = SOURCE
    credentials = (ENV_CLIENT_ID, ENV_CLIENT_SECRET)
    about = "France Travail's official API (Offres d'emploi v2)"
    allowed_domains = ["francetravail.io", "francetravail.fr"]

    def __init__(self, rome: str | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        # `-a rome=` (empty) leaves the ROME pass out.
        self.rome_codes = [ROME_CODE] if rome is None else split_terms(rome)
        self.clock: Callable[[], float] = time.monotonic
        self._credentials: tuple[str, str] | None = None
        self._token: str | None = None
        self._token_expires_at = 0.0
        # Bumped with each new token, so a 401 for an older token reuses the newer one.
        self._token_generation = 0
        self._token_in_flight = False
        self._waiting: list[tuple[str, bool]] = []

    # -- start

    def first_page_urls(self) -> list[str]:
        passes = search_passes(self.terms, self.rome_codes)
        return [search_url(params, 0, PAGE_SIZE - 1) for params in passes]

    async def start(self):
        if self.settings.get("BOTJOBS_REPLAY_DIR"):
            self._credentials = REPLAY_CREDENTIALS
        else:
            self._credentials = credentials_from_env()
        if self._credentials is None:
            self.logger.warning(NO_CREDENTIALS_HELP)
            self.crawler.stats.set_value("botjobs/status", NO_CREDENTIALS)
            self.crawler.stats.set_value("botjobs/message", NO_CREDENTIALS_HELP)
            return
        for url in self.first_page_urls():
            for request in self._authorized(url):
                yield request

    # -- token

    def _token_fresh(self) -> bool:
        return self._token is not None and self.clock() < self._token_expires_at

    def _token_request(self) -> Request:
        client_id, client_secret = self._credentials or REPLAY_CREDENTIALS
        return FormRequest(
            TOKEN_URL,
            formdata=token_form(client_id, client_secret),
            callback=self.got_token,
            errback=self._token_failed,
            headers={"Accept": "application/json"},
            # A second token request is legitimate (expiry, 401), not a duplicate; a refused
            # one is answered 400/401 and is reported here rather than dropped as an HTTP error.
            # Retries stay on: asking again for a token after a 5xx is harmless.
            dont_filter=True,
            meta={"botjobs_redact": ["access_token"], "handle_httpstatus_list": [400, 401]},
        )

    def _authorized(self, url: str, reauthorized: bool = False) -> Iterator[Request]:
        """The search request, or, when no valid token is at hand, the token request first."""
        if self._token_fresh():
            yield self._search_request(url, reauthorized)
            return
        self._waiting.append((url, reauthorized))
        if not self._token_in_flight:
            self._token_in_flight = True
            yield self._token_request()

    def _give_up_waiting(self, status: str) -> None:
        self._token_in_flight = False
        self.crawler.stats.set_value("botjobs/status", status)
        self.crawler.stats.inc_value("france_travail/searches_dropped", len(self._waiting))
        self._waiting = []

    def got_token(self, response: Response) -> Iterator[Request]:
        if response.status != 200:
            # Never the request body: it holds the secret.
            self.logger.error(
                "France Travail refused the credentials (HTTP %s): check %s and %s, and that "
                'the app is subscribed to the "Offres d\'emploi v2" API',
                response.status,
                ENV_CLIENT_ID,
                ENV_CLIENT_SECRET,
            )
            self._give_up_waiting("bad-credentials")
            return
        try:
            token, lifetime = parse_token(response_text(response))
        except FeedError as error:
            self.logger.error("France Travail token response unusable: %s", error)
            self._give_up_waiting("token-error")
            return
        self._token = token
        self._token_expires_at = token_expiry(self.clock(), lifetime)
        self._token_generation += 1
        self._token_in_flight = False
        waiting, self._waiting = self._waiting, []
        for url, reauthorized in waiting:
            yield self._search_request(url, reauthorized)

    def _token_failed(self, failure) -> None:
        self.logger.error("France Travail token request failed: %s", failure_reason(failure))
        self._give_up_waiting("token-error")

    # -- searches

    def _search_request(self, url: str, reauthorized: bool) -> Request:
        return Request(
            url,
            headers={"Authorization": f"Bearer {self._token}", "Accept": "application/json"},
            callback=self.parse_search,
            errback=self._search_failed,
            # A request sent again after a token refresh has the URL the dupefilter has seen.
            dont_filter=reauthorized,
            meta={
                "handle_httpstatus_list": [204, 401],
                "botjobs_reauthorized": reauthorized,
                "botjobs_token_generation": self._token_generation,
            },
        )

    def _after_401(self, response: Response) -> Iterator[Request]:
        meta = response.meta
        if meta.get("botjobs_reauthorized"):
            self.logger.error(
                "France Travail answered 401 again with a fresh token for %s: check that the "
                'app is subscribed to the "Offres d\'emploi v2" API',
                response.url,
            )
            self.crawler.stats.inc_value("france_travail/unauthorized")
            return
        generation = meta.get("botjobs_token_generation", self._token_generation)
        if generation >= self._token_generation:
            self._token = None
        yield from self._authorized(response.url, reauthorized=True)

    def parse_search(self, response: Response) -> Iterator[Any]:
        if response.status == 401:
            yield from self._after_401(response)
            return
        if response.status == 204:
            return
        body = response_text(response)
        try:
            results = parse_results(body)
        except FeedError as error:
            self.logger.error("France Travail: unreadable search page %s: %s", response.url, error)
            yield reject(SOURCE, str(error), payload=body[:PAYLOAD_CHARS], url=response.url)
            return
        for data in results:
            if isinstance(data, dict):
                yield offer_from_json(data)
            else:
                payload = json.dumps(data, ensure_ascii=False)[:PAYLOAD_CHARS]
                yield reject(
                    SOURCE, "offer is not a JSON object", payload=payload, url=response.url
                )

        params, start = pass_of(response.url)
        content_range = parse_content_range(response.headers.get("Content-Range"))
        if start == 0 and content_range is not None:
            missing = unreachable(content_range.total)
            if missing:
                self.logger.warning(
                    "France Travail: %s of %s offers for %s are past the API's paging cap "
                    "(range start ≤ %s) and were not reachable; split this search by "
                    "department or by creation date to get them",
                    missing,
                    content_range.total,
                    describe_pass(params),
                    MAX_RANGE_START,
                )
                self.crawler.stats.inc_value("france_travail/unreachable", missing)
        following = next_range(start, len(results), content_range)
        if following is not None:
            yield from self._authorized(search_url(params, *following))

    def _search_failed(self, failure) -> None:
        url = failure.request.url
        if failure.check(IgnoreRequest) and not failure.check(HttpError):
            # Dropped on purpose (robots.txt, or no recording in a replay, which says so itself).
            self.logger.warning("France Travail search not sent: %s", failure.getErrorMessage())
            return
        self.logger.error("France Travail search failed for %s: %s", url, failure_reason(failure))
        self.crawler.stats.inc_value("france_travail/failed_searches")
