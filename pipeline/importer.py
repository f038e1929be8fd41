"""`botjobs import`: raw offers from a file, through the same pipeline as crawled ones.

Formats, recognised from the file itself:
- JSON Lines: one raw offer per line (the keys of pipeline.items.RAW_FIELDS; others ignored);
- the CSV that python-jobspy writes (recognised by its header: site, job_url, min_amount…);
- CSV with raw-offer columns (`source`, `source_id`, `title`…), such as `botjobs export` writes.
What `export` writes comes back in: its `*_raw` columns are the source's own texts.
A line that can't be read is reported with its number and kept as a reject; the rest goes on.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

JOBSPY_COLUMNS = {"site", "job_url", "title", "company", "min_amount", "max_amount", "interval"}
# python-jobspy prefixes ids with its site ("in-<jobkey>", "li-<id>"); the source's own id is after.
JOBSPY_ID_PREFIXES = ("in-", "li-", "gd-", "go-", "zr-", "bd-", "nk-")
# What `botjobs export` writes as `<field>_raw` is the source's text for `<field>`.
EXPORT_RAW_ALIASES = {
    "contract_raw": "contract",
    "remote_raw": "remote",
    "posted_at_raw": "posted_at",
}

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # descriptions can be long


@dataclass
class Line:
    number: int
    item: dict[str, Any] | None
    error: str | None = None
    text: str | None = None


class UnknownFormat(ValueError):
    pass


def blank(value: Any) -> Any:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, str) and value.strip().lower() in ("", "nan", "none", "null"):
        return None
    return value


def jobspy_to_raw(row: dict[str, Any]) -> dict[str, Any]:
    """A python-jobspy row as a raw offer; its `site` is the source."""
    row = {key: blank(value) for key, value in row.items()}
    source_id = row.get("id")
    if isinstance(source_id, str) and source_id.startswith(JOBSPY_ID_PREFIXES):
        source_id = source_id.split("-", 1)[1]
    is_remote = str(row.get("is_remote") or "").strip().lower()
    return {
        "source": row.get("site"),
        "source_id": source_id,
        "url": row.get("job_url"),
        "apply_url": row.get("job_url_direct"),
        "title": row.get("title"),
        "company": row.get("company"),
        "location": row.get("location"),
        "contract": row.get("job_type"),
        # jobspy writes False when the board said nothing, so only True is a claim.
        "remote": "remote" if is_remote in ("true", "1") else None,
        "description": row.get("description"),
        "posted_at": row.get("date_posted"),
        "salary_min": to_number(row.get("min_amount")),
        "salary_max": to_number(row.get("max_amount")),
        "salary_period": row.get("interval"),
        "salary_currency": row.get("currency"),
        "skills": row.get("skills"),
        "experience": row.get("experience_range") or row.get("job_level"),
    }


def to_number(value: Any) -> float | None:
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(number) else number


def from_export(row: dict[str, Any]) -> dict[str, Any]:
    row = {key: blank(value) for key, value in row.items()}
    for raw_key, field in EXPORT_RAW_ALIASES.items():
        if raw_key in row:
            row[field] = row.pop(raw_key)
    return row


def read_jsonl(handle) -> Iterator[Line]:
    for number, text in enumerate(handle, start=1):
        if not text.strip():
            continue
        try:
            item = json.loads(text)
        except ValueError as exc:
            yield Line(number, None, f"invalid JSON ({exc.msg} at column {exc.colno})", text)
            continue
        if not isinstance(item, dict):
            yield Line(number, None, f"a JSON {type(item).__name__}, not an object", text)
            continue
        yield Line(number, from_export(item))


def read_csv(handle, convert) -> Iterator[Line]:
    reader = csv.DictReader(handle)
    ended = 1  # the header's line; a quoted cell can span lines, so a row starts after the last end
    for row in reader:
        start, ended = ended + 1, reader.line_num
        if None in row:  # more cells than the header has names
            yield Line(start, None, "more cells than columns", json.dumps(row[None]))
            continue
        yield Line(start, convert(row))


def sniff(first_line: str) -> str:
    if first_line.lstrip().startswith("{"):
        return "jsonl"
    header = {name.strip() for name in next(csv.reader([first_line]), [])}
    if header >= JOBSPY_COLUMNS:
        return "jobspy"
    if {"source", "source_id", "title"} <= header:
        return "csv"
    raise UnknownFormat(
        "not JSON Lines, python-jobspy CSV nor a CSV with source, source_id and title columns"
    )


def read_offers(path: Path) -> tuple[str, Iterator[Line]]:
    """The file's format and its lines, read lazily."""
    handle = open(path, encoding="utf-8-sig", newline="")  # noqa: SIM115 - closed by the generator
    first = handle.readline()
    while first and not first.strip():
        first = handle.readline()
    handle.seek(0)
    try:
        kind = sniff(first) if first else "jsonl"
    except UnknownFormat:
        handle.close()
        raise

    def lines() -> Iterator[Line]:
        with handle:
            if kind == "jsonl":
                yield from read_jsonl(handle)
            else:
                yield from read_csv(handle, jobspy_to_raw if kind == "jobspy" else from_export)

    return kind, lines()
