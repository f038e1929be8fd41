"""Test helpers: Scrapy responses built from recorded fixtures, spiders on a test crawler, a
default crawl walked by hand through a source's manifest, the `botjobs` command in a child
process, and the labelled case tables."""

from __future__ import annotations

import asyncio
import csv
import json
import os
import shutil
import subprocess
import sys
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from scrapy.spidermiddlewares.httperror import HttpError
from scrapy.utils.request import fingerprint
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

from db.migrations import open_db
from pipeline import settings as project_settings
from pipeline.items import is_reject
from pipeline.replay import FixtureSet, canonical_body

ROOT = Path(__file__).resolve().parents[1]
FIXTURES = Path(__file__).parent / "fixtures"
CASES = Path(__file__).parent / "pipeline" / "cases"
# The settings of a spider whose crawl would be answered from tests/fixtures.
REPLAY_SETTINGS = {"BOTJOBS_REPLAY_DIR": str(FIXTURES)}

SpiderT = TypeVar("SpiderT", bound=Spider)


def fixture_path(path: str) -> Path:
    """The file at tests/fixtures/`path`."""
    return FIXTURES / path


def fixture_response(
    path: str,
    url: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    meta: dict | None = None,
    method: str = "GET",
    body: bytes | None = None,
) -> Response:
    """The response a spider would get for `url`, its body read from tests/fixtures/`path`."""
    content = fixture_path(path).read_bytes() if body is None else body
    request = Request(url, method=method, meta=meta or {})
    cls = responsetypes.from_args(headers=Headers(headers or {}), url=url, body=content)
    return cls(
        url=url, status=status, headers=Headers(headers or {}), body=content, request=request
    )


def manifest_entries(slug: str) -> list[dict]:
    """The recorded responses of `slug`, as its manifest lists them."""
    return json.loads((FIXTURES / slug / "manifest.json").read_text("utf-8"))["responses"]


def replay_response(slug: str, entry: dict, meta: dict | None = None) -> Response:
    """The response recorded for one manifest entry, as the replay middleware would serve it."""
    file = entry.get("file")
    return fixture_response(
        f"{slug}/{file}" if file else "",
        url=entry["url"],
        status=entry.get("status", 200),
        headers=entry.get("headers"),
        meta=meta,
        method=entry.get("method", "GET"),
        body=None if file else b"",
    )


# --- spiders on a test crawler ---------------------------------------------------------------


def make_spider(spider_cls: type[SpiderT], settings: dict | None = None, **kwargs: Any) -> SpiderT:
    """A `spider_cls` spider bound to a test crawler with `settings`, built with `kwargs`."""
    crawler = get_crawler(spider_cls, settings or {})
    return spider_cls.from_crawler(crawler, **kwargs)


def start(spider: Spider) -> list[Request]:
    """Every request the spider's async start() yields, drained."""

    async def collect() -> list[Request]:
        return [request async for request in spider.start()]

    return asyncio.run(collect())


def stat(spider: Spider, key: str) -> Any:
    """One stat of the spider's crawler, None when never set."""
    return spider.crawler.stats.get_value(key)


def split(outputs: Iterable[Any]) -> tuple[list[Any], list[Request]]:
    """What a callback yields, as (items, requests), each in the order yielded."""
    out = list(outputs)
    return [o for o in out if not isinstance(o, Request)], [
        o for o in out if isinstance(o, Request)
    ]


def drain(outputs: Iterable[Any]) -> tuple[list[Any], CloseSpider | None]:
    """What a callback yields before it stops the spider, and the stop (None if it did not)."""
    out: list[Any] = []
    try:
        for value in outputs:
            out.append(value)
    except CloseSpider as stop:
        return out, stop
    return out, None


def until_stop(outputs: Iterable[Any]) -> tuple[list[Any], CloseSpider]:
    """What a callback yields before it stops the spider, and the stop, which it must raise."""
    out, stop = drain(outputs)
    if stop is None:
        pytest.fail(f"the callback did not stop the spider; it yielded {len(out)} outputs")
    return out, stop


def failure_for(request: Request, error: BaseException) -> Failure:
    """The failure an errback gets for `request` (the scraper sets its request first)."""
    failure = Failure(error)
    failure.request = request
    return failure


def response_failure(response: Response) -> Failure:
    """The failure an errback gets for a response whose status the request does not handle."""
    return failure_for(response.request, HttpError(response, "Ignoring non-200 response"))


def http_failure(request: Request, status: int) -> Failure:
    """The failure an errback gets for `request` answered `status` with an empty body."""
    return response_failure(Response(url=request.url, status=status, request=request))


# --- a default crawl walked by hand through the manifest -------------------------------------


def handles(spider: Spider, request: Request, status: int) -> bool:
    """Whether Scrapy hands a `status` answer to the callback (else the errback), as HttpError does."""
    if 200 <= status < 300 or request.meta.get("handle_httpstatus_all", False):
        return True
    if "handle_httpstatus_list" in request.meta:
        return status in request.meta["handle_httpstatus_list"]
    return status in getattr(spider, "handle_httpstatus_list", [])


def answer(request: Request, response: Response, spider: Spider) -> list[Any]:
    """What Scrapy calls for `response` to `request` (retries spent): callback or errback."""
    if handles(spider, request, response.status):
        return list((request.callback or spider.parse)(response, **request.cb_kwargs) or [])
    failure = failure_for(request, HttpError(response, "Ignoring non-200 response"))
    return list(request.errback(failure) or []) if request.errback else []


class Exchange(NamedTuple):
    """One request answered from the manifest: what was asked, and the status at last."""

    method: str
    url: str
    body: Any  # the request body as data (pipeline.replay.canonical_body)
    status: int


@dataclass
class Walk:
    """What a walked crawl asked, was answered and yielded."""

    spider: Spider
    fixtures: FixtureSet
    requests: list[Request] = field(default_factory=list)  # every request, in order
    fetched: list[str] = field(default_factory=list)  # URLs past the dupefilter
    sent: list[Exchange] = field(default_factory=list)  # the fetched requests answered
    missing: list[str] = field(default_factory=list)  # fetched URLs the manifest lacks
    failed: list[str] = field(default_factory=list)  # URLs whose answer went to the errback
    items: list[Any] = field(default_factory=list)  # every item, offers and rejects, in order
    used: set[int] = field(default_factory=set)  # ids of the manifest entries served

    @property
    def offers(self) -> list[dict]:
        """The items that are offers, in order."""
        return [item for item in self.items if not is_reject(item)]

    @property
    def rejects(self) -> list[dict]:
        """The items that are rejects, in order."""
        return [item for item in self.items if is_reject(item)]

    @property
    def answers(self) -> list[tuple[str, int]]:
        """(URL, status) of every request answered, in order."""
        return [(exchange.url, exchange.status) for exchange in self.sent]

    @property
    def statuses(self) -> dict[str, int]:
        """The status each URL was answered at last."""
        return {exchange.url: exchange.status for exchange in self.sent}

    def unused(self) -> list[dict]:
        """The manifest entries the walk never served."""
        return [
            e for group in self.fixtures.entries.values() for e in group if id(e) not in self.used
        ]


def walk_crawl(spider: Spider, slug: str | None = None, strict: bool = True) -> Walk:
    """Play the spider's crawl by hand on tests/fixtures/`slug` (default: the spider's name).

    Every request from start() on is answered from the manifest as the engine would with the
    replay middleware: first in, first out; duplicates dropped unless dont_filter (the
    dupefilter's fingerprint); a status of RETRY_HTTP_CODES tried again RETRY_TIMES times
    (pipeline/settings.py), each try served the next recorded answer; a status the request does
    not handle (handle_httpstatus_list of its meta, else of the spider), or a request the manifest
    lacks, sent to the errback. `strict` fails at the first request the manifest lacks instead.
    """
    walk = Walk(spider, FixtureSet(FIXTURES / (slug or spider.name)))
    queue = deque(start(spider))
    seen: set[bytes] = set()
    while queue:
        request = queue.popleft()
        walk.requests.append(request)
        key = fingerprint(request)
        if key in seen and not request.dont_filter:
            continue
        seen.add(key)
        walk.fetched.append(request.url)
        for out in _exchange(walk, request, strict):
            (queue.append if isinstance(out, Request) else walk.items.append)(out)
    return walk


def _exchange(walk: Walk, request: Request, strict: bool) -> list[Any]:
    """Answer one request of a walk from the manifest; what its callback or errback yields."""
    entry = walk.fixtures.find(request)
    if entry is None:
        assert not strict, f"no fixture for {request.method} {request.url} {request.body!r}"
        walk.missing.append(request.url)
        error = IgnoreRequest(f"no recorded response for {request.method} {request.url}")
        return list(request.errback(failure_for(request, error)) or []) if request.errback else []
    walk.used.add(id(entry))
    retries = 0
    while (
        entry.get("status", 200) in project_settings.RETRY_HTTP_CODES
        and retries < project_settings.RETRY_TIMES
        and not request.meta.get("dont_retry", False)
    ):
        entry = walk.fixtures.find(request)
        walk.used.add(id(entry))
        retries += 1
    response = walk.fixtures.response(entry, request)
    exchange = Exchange(request.method, request.url, canonical_body(request.body), response.status)
    walk.sent.append(exchange)
    if not handles(walk.spider, request, response.status):
        walk.failed.append(request.url)
    return answer(request, response, walk.spider)


# --- the `botjobs` command in a child process (a Scrapy reactor per run) ---------------------


def python_child(
    *args: str,
    env: dict[str, str] | None = None,
    drop: tuple[str, ...] = (),
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """`python *args` run at the repository root, its environment without names starting `drop`."""
    environ = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    # scrapy.cfg at the root names the project's settings; a stray module must not win over it.
    environ.pop("SCRAPY_SETTINGS_MODULE", None)
    environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), environ.get("PYTHONPATH")) if p)
    environ.update(env or {})
    return subprocess.run(
        [sys.executable, *args],
        cwd=ROOT,
        env=environ,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def botjobs(*args: str, **options: Any) -> subprocess.CompletedProcess:
    """`botjobs *args` (`python -m pipeline`) in a child process; options as python_child's."""
    return python_child("-m", "pipeline", *args, **options)


def crawl_offline(
    db_path: Path, slug: str, *args: str, **options: Any
) -> subprocess.CompletedProcess:
    """`botjobs --db db_path crawl --offline --source slug *args` in a child process."""
    return botjobs("--db", str(db_path), "crawl", "--offline", "--source", slug, *args, **options)


def patched_fixtures(folder: Path, slug: str, url: str, **changes: Any) -> Path:
    """A copy of tests/fixtures/`slug` under `folder`, its entries for `url` updated with `changes`.

    Returns the copy's root, for `--fixtures`.
    """
    root = folder / "fixtures"
    shutil.copytree(FIXTURES / slug, root / slug)
    manifest_path = root / slug / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8"))
    for entry in manifest["responses"]:
        if entry["url"] == url:
            entry.update(changes)
    manifest_path.write_text(json.dumps(manifest), "utf-8")
    return root


def crawl_run(db_path: Path, slug: str) -> dict:
    """The one `crawl_runs` row of `slug` in the database at `db_path`."""
    db = open_db(str(db_path))
    try:
        runs = list(db["crawl_runs"].rows_where("source = ?", [slug]))
    finally:
        db.close()
    assert len(runs) == 1, f"{len(runs)} crawl runs of {slug}"
    return runs[0]


# --- labelled tables: tests/pipeline/cases/<field>.csv ---------------------------------------


def case_header(field: str) -> list[str]:
    """The header line of the labelled table of `field`, as written."""
    with (CASES / f"{field}.csv").open(encoding="utf-8", newline="") as handle:
        return next(csv.reader(handle))


def case_rows(field: str) -> list[dict[str, str]]:
    """Every row of the labelled table of `field`, keyed by its header."""
    with (CASES / f"{field}.csv").open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def cell(row: dict[str, str], key: str, *, strip: bool = True) -> str | None:
    """A cell of a table row: None when blank, else its text (trimmed unless strip=False)."""
    value = row[key] or ""
    if not value.strip():
        return None
    return value.strip() if strip else value


def line_id(number: int, row: dict[str, str]) -> str:
    return f"line{number}"


def case_params(field: str, ids: Callable[[int, dict[str, str]], str] = line_id) -> list:
    """One pytest param per row of the table of `field`, its id `ids(CSV line number, row)`.

    A row whose note says `known-miss` is skipped, the note as the reason.
    """
    params = []
    for number, row in enumerate(case_rows(field), start=2):
        marks = [pytest.mark.skip(reason=row["note"])] if "known-miss" in row["note"] else []
        params.append(pytest.param(row, id=ids(number, row), marks=marks))
    return params
