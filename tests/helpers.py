"""Test helpers: Scrapy responses built from recorded fixtures, and the labelled case tables."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable
from pathlib import Path

import pytest
from scrapy import Request
from scrapy.http import Headers
from scrapy.responsetypes import responsetypes

FIXTURES = Path(__file__).parent / "fixtures"
CASES = Path(__file__).parent / "pipeline" / "cases"


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
