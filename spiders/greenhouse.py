"""Greenhouse, the public Job Board API (SOURCES.md §7; developers.greenhouse.io/job-board.html):
every published job of one board, as JSON, without credentials.

    GET https://boards-api.greenhouse.io/v1/boards/{board}/jobs?content=true

One board per employer that spiders/employers.toml puts on platform "greenhouse" (its `board`
token). `content=true` adds each job's description (HTML, entity-escaped) and its departments and
offices; the API does not page: one answer holds every job. The feed lists every job of the
company, so only those whose title or description names a search term are kept; the others are
counted in the stat `greenhouse/off_topic`.

The logic lives in the module-level functions; the spider class only wires them to Scrapy.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

from scrapy import Request
from scrapy.http import Response

from pipeline.items import raw_offer
from spiders.common import (
    at,
    http_url,
    json_body,
    json_member,
    json_of_kind,
    labels,
    plain_text,
    text,
)
from spiders.employers import Employer, EmployerFeedSpider, folded

SOURCE = "greenhouse"
API = "https://boards-api.greenhouse.io/v1/boards"

# Custom fields ("metadata") are named by each employer; these names, case and accents aside,
# hold what a raw offer calls contract, remote and salary.
CONTRACT_FIELDS = ("employment type", "contract type", "type de contrat", "contrat")
REMOTE_FIELDS = ("remote", "workplace type", "location type", "teletravail", "remote policy")
SALARY_FIELDS = ("salary", "salary range", "salaire", "remuneration", "fourchette de salaire")

_REAL_TAG = re.compile(r"<[A-Za-z/!]")


# ---------------------------------------------------------------- the board


def jobs_url(board: str) -> str:
    return f"{API}/{quote(board, safe='')}/jobs?content=true"


def parse_jobs(body: str) -> list[Any]:
    """The `jobs` list of a board's answer."""
    return json_member(json_of_kind(json_body(body), dict, "an object"), "jobs")


# ---------------------------------------------------------------- one job


def content_html(value: Any) -> str | None:
    """The description as HTML: the API sends it entity-escaped ("&lt;p&gt;…") once."""
    content = text(value) if isinstance(value, str) else None
    if content is None or _REAL_TAG.search(content):
        return content
    return html.unescape(content).strip() or None


def topic_texts(job: Any) -> list[str | None]:
    """What the search terms are looked for in: the title and the description."""
    return [text(at(job, "title")), plain_text(content_html(at(job, "content")))]


def metadata_value(metadata: Any, names: tuple[str, ...]) -> str | None:
    """The value of the first custom field with one of these names (a list value is joined)."""
    if not isinstance(metadata, list):
        return None
    for field in metadata:
        name = text(at(field, "name"))
        # Names are typed by hand: spacing aside too.
        if name is None or " ".join(folded(name).split()) not in names:
            continue
        value = at(field, "value")
        found = ", ".join(labels(value, "name")) if isinstance(value, list) else text(value)
        if found:
            return found
    return None


def location_text(job: Any) -> str | None:
    """The job's location, else its offices' places (an office names its city in `location`)."""
    found = text(at(job, "location", "name"))
    if found:
        return found
    offices = at(job, "offices")
    offices = offices if isinstance(offices, list) else []
    places = [text(at(o, "location")) or text(at(o, "name")) for o in offices]
    return "; ".join(dict.fromkeys(p for p in places if p)) or None


def offer_from_json(job: Any, employer: Employer) -> dict[str, Any]:
    """A raw offer from one job of the board; whatever is missing or odd becomes None.

    A job without id or title is still returned: the pipeline rejects it with its reason.
    """
    job_id = text(at(job, "id"))
    board = employer.ids.get("board") or employer.slug
    metadata = at(job, "metadata")
    return raw_offer(
        source=SOURCE,
        # Job ids are the board's own: two boards may share one.
        source_id=f"{board}/{job_id}" if job_id else None,
        url=http_url(at(job, "absolute_url")),
        title=text(at(job, "title")),
        company=employer.name,
        location=location_text(job),
        salary=metadata_value(metadata, SALARY_FIELDS),
        contract=metadata_value(metadata, CONTRACT_FIELDS),
        remote=metadata_value(metadata, REMOTE_FIELDS),
        description=content_html(at(job, "content")),
        # updated_at changes with every edit; first_published, where given, does not.
        posted_at=text(at(job, "first_published")) or text(at(job, "updated_at")),
    )


# ---------------------------------------------------------------- the spider


class GreenhouseSpider(EmployerFeedSpider):
    name = SOURCE
    about = "Greenhouse job boards (public API), for the employers in employers.toml"
    allowed_domains = ["boards-api.greenhouse.io"]
    platform_name = "Greenhouse"
    feed_noun = "board"
    feed_key = "board"

    def first_request(self, employer: Employer) -> Request:
        return self.feed_request(employer, jobs_url(employer.id("board")))

    def parse(self, response: Response, **kwargs: Any) -> Iterator[Any]:
        jobs = yield from self.feed_page(response, parse_jobs)
        if jobs is not None:
            yield from self.keep_on_topic(response, jobs, "job", topic_texts, offer_from_json)
