"""Replay recorded responses instead of the network, or record live ones, in one readable format.

A fixture folder `<dir>/<slug>/` holds `manifest.json` and one file per response body:

    {"responses": [
      {"method": "GET", "url": "https://…/search?motsCles=chatbot&range=0-149",
       "status": 206, "headers": {"Content-Range": "offres 0-149/320"}, "file": "chatbot_0.json"},
      {"method": "POST", "url": "https://…/query", "body": {"query": "chatbot", "page": 0},
       "status": 200, "headers": {"Content-Type": "application/json"}, "file": "query_0.json"}
    ]}

A request matches an entry by method, canonical URL (query order does not matter) and, when the
entry has a `body`, by body (JSON compared as data). Several entries with the same key are served
in order and the last one repeats, so "429 then 200" can be played. A request with no entry is not
sent anywhere: it fails with IgnoreRequest and counts in `replay/missing`; a robots.txt with no
entry is answered 404, which Scrapy reads as "everything allowed".

Why not Scrapy's HTTP cache storage: its entries are named by request fingerprints and hold
pickled metadata, so nobody can write or review one by hand, and a miss silently goes to the
network. Here a miss never does, and a fixture is a file a person can read and edit.

Recording writes the same format. Request headers are never written (they carry credentials),
and a request can list JSON keys to blank out of its recorded response (`botjobs_redact` in
meta), which is how an OAuth token stays out of the repository.
"""

from __future__ import annotations

import json
import logging
import mimetypes
import re
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from scrapy import Request
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import Headers, Response
from scrapy.responsetypes import responsetypes
from w3lib.url import canonicalize_url

logger = logging.getLogger(__name__)

MANIFEST = "manifest.json"
KEPT_HEADERS = ("Content-Type", "Content-Range", "Location", "Retry-After", "Last-Modified")


def canonical_body(body: Any) -> Any:
    """A request body as comparable data: parsed JSON when it is JSON, else the text."""
    if isinstance(body, bytes):
        body = body.decode("utf-8", "replace")
    if isinstance(body, str):
        if not body:
            return None
        try:
            return json.loads(body)
        except ValueError:
            return body
    return body


def request_key(method: str, url: str) -> tuple[str, str]:
    return method.upper(), canonicalize_url(url, keep_fragments=False)


class FixtureSet:
    """The recorded responses of one source, served in order per request."""

    def __init__(self, folder: Path):
        self.folder = folder
        manifest = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        self.entries: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
        for entry in manifest["responses"]:
            self.entries[request_key(entry.get("method", "GET"), entry["url"])].append(entry)
        self.served: dict[int, int] = defaultdict(int)

    def find(self, request: Request) -> dict[str, Any] | None:
        candidates = self.entries.get(request_key(request.method, request.url), [])
        body = canonical_body(request.body)
        matching = [e for e in candidates if "body" not in e or e["body"] == body]
        if not matching:
            return None
        group = id(matching[0])
        position = min(self.served[group], len(matching) - 1)
        self.served[group] += 1
        return matching[position]

    def response(self, entry: dict[str, Any], request: Request) -> Response:
        body = (self.folder / entry["file"]).read_bytes() if entry.get("file") else b""
        headers = Headers(entry.get("headers") or {})
        cls = responsetypes.from_args(headers=headers, url=request.url, body=body)
        return cls(
            url=request.url,
            status=entry.get("status", 200),
            headers=headers,
            body=body,
            request=request,
        )


class Recorder:
    """Writes live responses of one source into a fixture folder, manifest kept up to date."""

    def __init__(self, folder: Path):
        self.folder = folder
        folder.mkdir(parents=True, exist_ok=True)
        self.entries: list[dict[str, Any]] = []
        self.names: set[str] = set()

    def file_name(self, request: Request, response: Response) -> str:
        path = urlparse(request.url).path.strip("/").split("/")[-1] or "index"
        stem = re.sub(r"[^A-Za-z0-9_-]+", "_", path)[:60] or "response"
        content_type = response.headers.get("Content-Type", b"").decode("latin-1").split(";")[0]
        suffix = mimetypes.guess_extension(content_type.strip()) or ".txt"
        n = len(self.entries) + 1
        name = f"{n:04d}_{stem}{suffix}"
        self.names.add(name)
        return name

    def add(self, request: Request, response: Response) -> None:
        body = response.body
        redact = request.meta.get("botjobs_redact")
        if redact:
            data = json.loads(body)
            for key in redact:
                if key in data:
                    data[key] = "REDACTED"
            body = json.dumps(data, ensure_ascii=False, indent=1).encode("utf-8")
        entry: dict[str, Any] = {"method": request.method, "url": request.url}
        if request.method != "GET" and not redact:
            entry["body"] = canonical_body(request.body)
        entry["status"] = response.status
        headers = {
            name: response.headers.get(name).decode("latin-1")
            for name in KEPT_HEADERS
            if response.headers.get(name)
        }
        if headers:
            entry["headers"] = headers
        if body:
            entry["file"] = self.file_name(request, response)
            (self.folder / entry["file"]).write_bytes(body)
        self.entries.append(entry)
        # Rewritten each time so a crawl cut short still leaves a usable manifest.
        manifest = json.dumps({"responses": self.entries}, ensure_ascii=False, indent=1)
        (self.folder / MANIFEST).write_text(manifest + "\n", encoding="utf-8")


class ReplayMiddleware:
    """Downloader middleware: BOTJOBS_REPLAY_DIR serves fixtures, BOTJOBS_RECORD_DIR records."""

    def __init__(self, crawler, replay_dir: str | None, record_dir: str | None):
        self.crawler = crawler
        self.replay_dir = Path(replay_dir) if replay_dir else None
        self.record_dir = Path(record_dir) if record_dir else None
        self._fixtures: FixtureSet | None = None
        self._recorder: Recorder | None = None

    @classmethod
    def from_crawler(cls, crawler):
        replay_dir = crawler.settings.get("BOTJOBS_REPLAY_DIR")
        record_dir = crawler.settings.get("BOTJOBS_RECORD_DIR")
        if not replay_dir and not record_dir:
            raise NotConfigured
        return cls(crawler, replay_dir, record_dir)

    @property
    def slug(self) -> str:
        return self.crawler.spider.name

    def fixtures(self) -> FixtureSet | None:
        if self._fixtures is None and self.replay_dir is not None:
            folder = self.replay_dir / self.slug
            if (folder / MANIFEST).exists():
                self._fixtures = FixtureSet(folder)
        return self._fixtures

    def process_request(self, request: Request) -> Response | None:
        if self.replay_dir is None:
            return None
        fixtures = self.fixtures()
        entry = fixtures.find(request) if fixtures else None
        if entry is not None:
            self.crawler.stats.inc_value("replay/served")
            return fixtures.response(entry, request)
        if urlparse(request.url).path == "/robots.txt":
            return Response(url=request.url, status=404, request=request)
        self.crawler.stats.inc_value("replay/missing")
        message = f"no recorded response for {request.method} {request.url}"
        # Tagged with the spider so the crawl run of that source counts it as an error.
        logger.error(message, extra={"spider": self.crawler.spider})
        raise IgnoreRequest(message)

    def process_response(self, request: Request, response: Response) -> Response:
        if self.record_dir is not None:
            if self._recorder is None:
                self._recorder = Recorder(self.record_dir / self.slug)
            self._recorder.add(request, response)
        return response
