"""`botjobs export`: offers out as JSON Lines or CSV, one row per offer, streamed."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable
from typing import Any, TextIO

from db.queries import EXPORT_COLUMNS


def write_jsonl(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    count = 0
    for row in rows:
        row = {**row, "listings": json.loads(row["listings"] or "[]")}
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
        count += 1
    return count


def write_csv(rows: Iterable[dict[str, Any]], out: TextIO) -> int:
    writer = csv.DictWriter(out, fieldnames=EXPORT_COLUMNS, extrasaction="ignore")
    writer.writeheader()
    count = 0
    for row in rows:
        writer.writerow(row)
        count += 1
    return count


WRITERS = {"jsonl": write_jsonl, "csv": write_csv}
