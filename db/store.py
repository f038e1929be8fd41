"""Writes: offers and their listings, crawl runs, rejects. Each offer is written in one transaction."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from sqlite_utils import Database

NEW, UPDATED, UNCHANGED = "new", "updated", "unchanged"


def to_json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def content_hash(raw: dict[str, Any]) -> str:
    return hashlib.sha1(to_json(raw).encode("utf-8")).hexdigest()


def store_offer(
    db: Database, raw: dict[str, Any], offer_of: Callable[[], dict[str, Any]], now: str
) -> str:
    """Insert or refresh the offer behind one listing; says whether it was new, updated or unchanged.

    `raw` is the listing as the source gave it; `offer_of()` gives the offer columns (raw texts
    and normalised values), and is only called when the listing is new or has changed: a
    listing seen again with the same content only moves its `last_seen`.
    """
    key = (raw["source"], raw["source_id"])
    digest = content_hash(raw)
    with db.atomic():
        row = next(
            db.query(
                "select offer_id, content_hash, raw from listings"
                " where source = ? and source_id = ?",
                key,
            ),
            None,
        )
        if row is None:
            offer_id = (
                db["offers"]
                .insert({**offer_of(), "first_seen": now, "last_seen": now, "expired_at": None})
                .last_pk
            )
            db["listings"].insert(
                {
                    "source": key[0],
                    "source_id": key[1],
                    "offer_id": offer_id,
                    "url": raw.get("url"),
                    "first_seen": now,
                    "last_seen": now,
                    "content_hash": digest,
                    "raw": to_json(raw),
                }
            )
            return NEW
        offer_id = row["offer_id"]
        listing_update = {"last_seen": now}
        offer_update = {"last_seen": now, "expired_at": None}
        outcome = UNCHANGED
        if row["content_hash"] != digest:
            listing_update.update(content_hash=digest, raw=to_json(raw), url=raw.get("url"))
            offer_update.update(offer_of())
            outcome = UPDATED
            record_changes(db, offer_id, key, json.loads(row["raw"]), raw, now)
        db["listings"].update(key, listing_update)
        db["offers"].update(offer_id, offer_update)
        return outcome


def record_changes(
    db: Database, offer_id: int, key: tuple[str, str], old: dict, new: dict, now: str
) -> None:
    """One history row per raw field whose value changed (a salary raised, a title reworded)."""
    rows = [
        {
            "offer_id": offer_id,
            "source": key[0],
            "source_id": key[1],
            "field": field,
            "old": None if old.get(field) is None else to_json(old.get(field)),
            "new": None if new.get(field) is None else to_json(new.get(field)),
            "changed_at": now,
        }
        for field in sorted(set(old) | set(new))
        if old.get(field) != new.get(field)
    ]
    if rows:
        db["offer_history"].insert_all(rows)


def expire_unseen(db: Database, source: str, cutoff: str, now: str) -> int:
    """After a complete crawl of `source`: offers it listed whose every listing (from any
    source) was last seen before `cutoff` are marked expired, never deleted. A listing seen
    again later makes its offer live again (store_offer clears expired_at)."""
    with db.atomic():
        cursor = db.execute(
            "update offers set expired_at = ? where expired_at is null and id in ("
            " select offer_id from listings group by offer_id"
            " having max(last_seen) < ? and sum(source = ?) > 0)",
            [now, cutoff, source],
        )
    return cursor.rowcount


def start_run(db: Database, source: str, mode: str, started_at: str, batch: str | None) -> int:
    with db.atomic():
        return (
            db["crawl_runs"]
            .insert(
                {
                    "batch": batch,
                    "source": source,
                    "mode": mode,
                    "started_at": started_at,
                    "status": "running",
                }
            )
            .last_pk
        )


def finish_run(db: Database, run_id: int, **fields: Any) -> None:
    with db.atomic():
        db["crawl_runs"].update(run_id, fields)


def add_reject(
    db: Database,
    run_id: int | None,
    source: str | None,
    reason: str,
    payload: Any,
    now: str,
    source_id: str | None = None,
    url: str | None = None,
) -> None:
    with db.atomic():
        db["rejects"].insert(
            {
                "run_id": run_id,
                "source": source,
                "source_id": source_id,
                "url": url,
                "reason": reason,
                "payload": payload if isinstance(payload, str) else to_json(payload),
                "created_at": now,
            }
        )
