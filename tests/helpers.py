"""Build Scrapy responses from recorded fixtures, so spiders are tested without a crawler."""

from __future__ import annotations

import json
from pathlib import Path

from scrapy import Request
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

FIXTURES = Path(__file__).parent / "fixtures"


def fixture_path(path: str) -> Path:
    return FIXTURES / path


def fixture_response(
    path: str,
    url: str,
    status: int = 200,
    headers: dict[str, str] | None = None,
    meta: dict | None = None,
    method: str = "GET",
    body: bytes | None = None,
):
    """The response a spider would get for `url`, its body read from tests/fixtures/`path`."""
    content = fixture_path(path).read_bytes() if body is None else body
    request = Request(url, method=method, meta=meta or {})
    cls = responsetypes.from_args(headers=Headers(headers or {}), url=url, body=content)
    return cls(
        url=url, status=status, headers=Headers(headers or {}), body=content, request=request
    )


def manifest_entries(slug: str) -> list[dict]:
    return json.loads((FIXTURES / slug / "manifest.json").read_text("utf-8"))["responses"]


def replay_response(slug: str, entry: dict, meta: dict | None = None):
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
