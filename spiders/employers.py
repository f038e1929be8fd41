"""Employers' career sites: `employers.toml` maps each employer to a platform (an ATS spider,
or `jobposting` for plain career pages) and that platform's identifiers; `EmployerSpider` is the
base of every ATS spider: it runs over the employers on its platform. `EmployerFeedSpider` adds
what the ATS spiders that read one JSON feed per employer share (Greenhouse, Lever, Teamtailor).

    scrapy crawl workday                       every employer the data file puts on Workday
    scrapy crawl workday -a employer=axa       some of them (comma-separated slugs)
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import AsyncIterator, Callable, Generator, Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar, TypeVar

from scrapy import Request
from scrapy.http import Response
from twisted.python.failure import Failure

from pipeline.items import reject
from spiders.common import (
    BLOCKED,
    LAYOUT_CHANGED,
    PAYLOAD_CHARS,
    FeedError,
    SourceSpider,
    failure_reason,
    json_payload,
    not_sent,
    response_text,
    split_terms,
)

EMPLOYERS_FILE = Path(__file__).with_name("employers.toml")
KNOWN_KEYS = {"name", "platform", "verified"}
# The request meta key that names the employer a request is for.
EMPLOYER_META = "botjobs_employer"

T = TypeVar("T")


@dataclass(frozen=True)
class Employer:
    slug: str
    name: str
    platform: str
    verified: bool = False
    # The platform's identifiers (host, tenant, site, company, board…), as written.
    ids: dict[str, str] = field(default_factory=dict)

    def id(self, key: str) -> str:
        """One identifier; a missing one is a data-file error that names the employer."""
        value = self.ids.get(key)
        if not value:
            raise ValueError(f"employer {self.slug!r} ({self.platform}) needs {key!r}")
        return value


def _employer(slug: str, table: Any, where: str) -> Employer:
    if not isinstance(table, dict):
        raise ValueError(f"{where}: employer {slug!r} must be a table")
    for key in ("name", "platform"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise ValueError(f"{where}: employer {slug!r} has no {key}")
    ids = {k: str(v) for k, v in table.items() if k not in KNOWN_KEYS}
    return Employer(slug, table["name"], table["platform"], table.get("verified") is True, ids)


def load_employers(path: Path = EMPLOYERS_FILE) -> dict[str, Employer]:
    """Every employer of the data file by slug; a malformed file raises ValueError saying where."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    tables = data.get("employers", {})
    if not isinstance(tables, dict):
        raise ValueError(f"{path.name}: [employers] must be a table")
    return {slug: _employer(slug, table, path.name) for slug, table in tables.items()}


def employers_on(
    platform: str, names: str | None = None, path: Path = EMPLOYERS_FILE
) -> tuple[list[Employer], list[str]]:
    """The employers on `platform` a run asked for (all when it named none), and the asked-for
    slugs that are unknown or on another platform."""
    known = {e.slug: e for e in load_employers(path).values() if e.platform == platform}
    wanted = split_terms(names) if names else list(known)
    return [known[n] for n in wanted if n in known], [n for n in wanted if n not in known]


def folded(value: str) -> str:
    """A text with case and accents aside ("Télétravail" → "teletravail"), for comparing."""
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mentions_any(texts: Iterable[str | None], terms: Iterable[str]) -> bool:
    """Whether any text names any term, case and accents aside: an employer's feed lists every
    job it has, and only the seeker's role is worth storing."""
    haystack = " ".join(folded(t) for t in texts if t)
    return any(folded(term) in haystack for term in terms)


def sort_on_topic(
    entries: Iterable[Any],
    terms: list[str],
    topic_texts: Callable[[dict[str, Any]], list[str | None]],
    to_offer: Callable[[dict[str, Any]], dict[str, Any]],
    to_reject: Callable[[Any], dict[str, Any]],
) -> tuple[list[dict[str, Any]], int]:
    """What the entries of an employer's feed give, in feed order: an offer for each entry whose
    `topic_texts` name a term, a reject for each entry that is not a JSON object; and how many
    entries were off topic."""
    kept: list[dict[str, Any]] = []
    off_topic = 0
    for entry in entries:
        if not isinstance(entry, dict):
            kept.append(to_reject(entry))
        elif mentions_any(topic_texts(entry), terms):
            kept.append(to_offer(entry))
        else:
            off_topic += 1
    return kept, off_topic


class EmployerSpider(SourceSpider):
    """Base of the ATS spiders: `self.employers` are the data file's employers on this platform,
    `self.by_slug` the same by slug."""

    employer_site = True
    # An employer lists only the jobs it has, and only the seeker's role is kept of them: a run
    # without a single offer is a normal one, not a sign that the site changed.
    health: ClassVar[dict[str, float]] = {"min_offers": 0}
    # The platform as messages name it ("Greenhouse").
    platform_name: ClassVar[str] = ""

    def __init__(self, employer: str | None = None, employers_file: str | None = None, **kwargs):
        super().__init__(**kwargs)
        path = Path(employers_file) if employers_file else EMPLOYERS_FILE
        self.employers, unknown = employers_on(self.name, employer, path)
        if unknown:
            self.logger.error(
                "no employer %s on %s in %s", ", ".join(unknown), self.name, path.name
            )
        if not self.employers:
            self.logger.warning("%s: no employer to crawl in %s", self.name, path.name)
        self.by_slug = {e.slug: e for e in self.employers}

    def employers_with(self, *keys: str) -> Iterator[Employer]:
        """The employers that have every one of these identifiers; each other one is an error in
        the log (it names the employer and the key) and is left out of the run."""
        for employer in self.employers:
            try:
                for key in keys:
                    employer.id(key)
            except ValueError as error:
                self.logger.error("%s", error)
                continue
            yield employer

    def employer_of(self, request: Request | Response) -> Employer:
        """The employer a request (or its response) is for, as its meta names it."""
        return self.by_slug[request.meta.get(EMPLOYER_META)]

    def stop_walled(self, response: Response, employer: Employer, what: str) -> None:
        """Stop the source (CloseSpider): a 403 is a wall in front of the whole site, not one
        missing page."""
        self.stop(
            BLOCKED,
            f"{response.url} answered HTTP {response.status} for {employer.name}'s "
            f"{self.platform_name} {what}: it is walled off for this machine; try again later, "
            "from another network if it persists",
        )

    def unreadable(
        self, response: Response, body: str, error: FeedError, employer: Employer, what: str
    ) -> Iterator[dict[str, Any]]:
        """The reject of an answer that cannot be read; when its layout changed, the source
        stops once the reject is out."""
        self.logger.error("%s: unreadable %s %s: %s", employer.name, what, response.url, error)
        yield reject(self.name, str(error), body[:PAYLOAD_CHARS], response.url)
        if error.layout:
            self.stop(
                LAYOUT_CHANGED,
                f"the {self.platform_name} {what} at {response.url} no longer holds what the "
                f"spider reads ({error}): the spider needs updating",
            )


class EmployerFeedSpider(EmployerSpider):
    """Base of the ATS spiders that GET one JSON feed per employer (in pages or not) and keep the
    entries that name a search term. A subclass says how to ask for its first page
    (`first_request`) and reads each page in its `parse` with `feed_page` and `keep_on_topic`.

    A 403 stops the source (a wall); a 404, or a request that failed, is an error for that
    employer alone; an unreadable page is a reject, and a stop when its layout changed.
    """

    # Read in feed_page() rather than dropped by Scrapy.
    handle_httpstatus_list = [403, 404]
    # What one employer's feed is called in messages ("board").
    feed_noun: ClassVar[str] = "feed"
    # The employers.toml identifier that names the feed; an employer without it is left out.
    feed_key: ClassVar[str] = ""
    # What a 404 asks the user to check in employers.toml, when more than `feed_key`.
    feed_hint: ClassVar[str] = ""
    accept: ClassVar[str] = "application/json"

    async def start(self) -> AsyncIterator[Request]:
        for employer in self.employers_with(self.feed_key):
            yield self.first_request(employer)

    def first_request(self, employer: Employer) -> Request:
        raise NotImplementedError

    def feed_request(
        self, employer: Employer, url: str, meta: dict[str, Any] | None = None
    ) -> Request:
        return Request(
            url,
            callback=self.parse,
            errback=self.feed_failed,
            headers={"Accept": self.accept},
            meta={EMPLOYER_META: employer.slug, **(meta or {})},
        )

    def feed_page(
        self, response: Response, read: Callable[[str], T]
    ) -> Generator[dict[str, Any], None, T | None]:
        """What `read` makes of a feed page's body, or None when there is nothing to read (the
        reject of an unreadable page is yielded). Use as `page = yield from self.feed_page(…)`."""
        employer = self.employer_of(response)
        if response.status == 403:
            self.stop_walled(response, employer, self.feed_noun)
        if response.status == 404:
            self.logger.error(
                "%s: no %s %s at %s (HTTP 404); check its %s in employers.toml",
                employer.name,
                self.platform_name,
                self.feed_noun,
                response.url,
                self.feed_hint or f"`{self.feed_key}`",
            )
            self.crawler.stats.inc_value(f"{self.name}/failed_employers")
            return None
        body = response_text(response)
        try:
            return read(body)
        except FeedError as error:
            yield from self.unreadable(response, body, error, employer, self.feed_noun)
            return None

    def keep_on_topic(
        self,
        response: Response,
        entries: list[Any],
        noun: str,
        topic_texts: Callable[[dict[str, Any]], list[str | None]],
        to_offer: Callable[[dict[str, Any], Employer], dict[str, Any]],
    ) -> Iterator[dict[str, Any]]:
        """The offers of a page's on-topic entries and the rejects of those that are not JSON
        objects (`noun` names one); the others are counted in the stat `<slug>/off_topic`."""
        employer = self.employer_of(response)
        kept, off_topic = sort_on_topic(
            entries,
            self.terms,
            topic_texts,
            lambda entry: to_offer(entry, employer),
            lambda odd: reject(
                self.name, f"{noun} is not a JSON object", json_payload(odd), response.url
            ),
        )
        yield from kept
        self.crawler.stats.inc_value(f"{self.name}/off_topic", off_topic)

    def feed_failed(self, failure: Failure) -> None:
        request = failure.request
        if not_sent(failure):
            self.logger.warning(
                "%s %s not fetched: %s",
                self.platform_name,
                self.feed_noun,
                failure.getErrorMessage(),
            )
            return
        self.logger.error(
            "%s: %s %s %s failed: %s",
            self.employer_of(request).name,
            self.platform_name,
            self.feed_noun,
            request.url,
            failure_reason(failure),
        )
        self.crawler.stats.inc_value(f"{self.name}/failed_employers")
