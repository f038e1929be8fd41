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


# A listing that joins an offer fills what the offer does not say, group by group (a salary is
# its amounts, period and basis together): the first column of a group says whether it is known.
FILLED_GROUPS = (
    ("company",),
    ("description", "description_text"),
    (
        "salary_annual_min", "salary_annual_max", "salary_min", "salary_max", "salary_period",
        "salary_currency", "salary_basis", "salary_months", "salary_gross_net", "salary_flags",
        "salary",
    ),
    ("city", "commune", "department", "region", "country", "latitude", "longitude", "place_basis"),
    ("remote", "remote_days", "remote_basis", "remote_raw"),
    ("contract", "contract_months", "contract_basis", "contract_raw"),
    ("experience_years", "seniority", "experience_basis"),
    ("education_level", "education_basis"),
)  # fmt: skip

# (offer id of the same job or None, the new offer's blocking keys), given the offer columns.
SameOffer = Callable[[dict[str, Any]], tuple[int | None, list[str]]]


def filled(current: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """The columns of `other` that fill groups `current` leaves unknown."""
    update: dict[str, Any] = {}
    for group in FILLED_GROUPS:
        if current.get(group[0]) is None and other.get(group[0]) is not None:
            update.update({column: other.get(column) for column in group if column in other})
    return update


# The hot path writes with plain SQL: sqlite-utils' insert/update/get read the table's schema
# on every call, which cost more than the write itself at thousands of offers a second. Column
# names come from this code, never from input.


def _insert(db: Database, table: str, row: dict[str, Any]) -> int:
    columns = ", ".join(f'"{c}"' for c in row)
    marks = ", ".join("?" * len(row))
    cursor = db.execute(f'insert into "{table}" ({columns}) values ({marks})', list(row.values()))
    return cursor.lastrowid


def _update(db: Database, table: str, where: str, params: list, values: dict[str, Any]) -> None:
    if values:
        assignments = ", ".join(f'"{c}" = ?' for c in values)
        db.execute(f'update "{table}" set {assignments} where {where}', [*values.values(), *params])


def update_offer(db: Database, offer_id: int, values: dict[str, Any]) -> None:
    _update(db, "offers", "id = ?", [offer_id], values)


def _offer(db: Database, offer_id: int) -> dict[str, Any]:
    # db.execute, not db.query: sqlite-utils wraps a query in a savepoint, and a savepoint makes
    # the full-text index write out what it holds (one index segment per offer, then merges).
    cursor = db.execute("select * from offers where id = ?", [offer_id])
    return dict(zip([c[0] for c in cursor.description], cursor.fetchone(), strict=True))


def listing_hash(db: Database, raw: dict[str, Any]) -> str | None:
    """The content hash of the stored listing of `raw`'s source and id (None: not stored)."""
    row = db.execute(
        "select content_hash from listings where source = ? and source_id = ?",
        [raw["source"], raw["source_id"]],
    ).fetchone()
    return None if row is None else row[0]


def store_offer(
    db: Database,
    raw: dict[str, Any],
    offer_of: Callable[[], dict[str, Any]],
    now: str,
    same_offer: SameOffer | None = None,
    employer_site: bool = False,
    digest: str | None = None,
) -> str:
    """Insert or refresh the offer behind one listing; says whether it was new, updated or unchanged.

    `raw` is the listing as the source gave it; `offer_of()` gives the offer columns (raw texts
    and normalised values), and is only called when the listing is new or has changed: a
    listing seen again with the same content only moves its `last_seen`.

    A new listing of a job already stored under another listing (`same_offer`) joins that
    offer ("new" all the same: the source had not listed it before): the offer keeps its first
    listing's texts, fills what it lacked from the new one, and takes the employer's own page
    (`employer_site`) as its apply link.

    Call inside a transaction (`db.atomic()`); a caller storing many offers holds one for all
    of them. `digest`: `content_hash(raw)`, when the caller has it already.
    """
    key = (raw["source"], raw["source_id"])
    digest = digest or content_hash(raw)
    row = db.execute(
        "select listings.offer_id, listings.content_hash, listings.raw,"
        " offers.source = listings.source and offers.source_id = listings.source_id"
        " from listings join offers on offers.id = listings.offer_id"
        " where listings.source = ? and listings.source_id = ?",
        key,
    ).fetchone()
    if row is None:
        offer = offer_of()
        offer_id, keys = same_offer(offer) if same_offer else (None, [])
        if offer_id is None:
            offer_id = _insert(
                db, "offers", {**offer, "first_seen": now, "last_seen": now, "expired_at": None}
            )
        else:
            join_offer(db, offer_id, offer, now, employer_site)
        add_keys(db, offer_id, keys)
        db.execute(
            "insert into listings (source, source_id, offer_id, url, first_seen, last_seen,"
            " content_hash, raw) values (?, ?, ?, ?, ?, ?, ?, ?)",
            [*key, offer_id, raw.get("url"), now, now, digest, to_json(raw)],
        )
        return NEW
    offer_id, stored_hash, stored_raw, primary_listing = row
    listing_update = {"last_seen": now}
    offer_update = {"last_seen": now, "expired_at": None}
    outcome = UNCHANGED
    if stored_hash != digest:
        listing_update.update(content_hash=digest, raw=to_json(raw), url=raw.get("url"))
        current, old_raw = _offer(db, offer_id), json.loads(stored_raw)
        if not primary_listing:
            offer_update.update(filled(current, offer_of()))
        elif _listed_elsewhere(db, offer_id, key):
            offer_update.update(refreshed(current, offer_of(), old_raw))
        else:
            offer_update.update(offer_of())
        outcome = UPDATED
        record_changes(db, offer_id, key, old_raw, raw, now)
    _update(db, "listings", "source = ? and source_id = ?", list(key), listing_update)
    _update(db, "offers", "id = ?", [offer_id], offer_update)
    return outcome


def _listed_elsewhere(db: Database, offer_id: int, key: tuple[str, str]) -> bool:
    return bool(
        db.execute(
            "select exists(select 1 from listings where offer_id = ?"
            " and not (source = ? and source_id = ?))",
            [offer_id, *key],
        ).fetchone()[0]
    )


def refreshed(current: dict[str, Any], offer: dict[str, Any], old_raw: dict[str, Any]) -> dict:
    """The columns of an offer listed elsewhere too, whose first listing changed: that listing's
    new columns, what it leaves unknown still filled as the offer's other listings had filled
    it, and the apply link kept when another listing chose it (an employer's own page).

    A value the first listing stops stating stays too, even when no other listing states it,
    until `botjobs normalise` reads every listing again: the offer does not keep apart which
    listing each of its values came from."""
    update = {**offer, **filled(offer, current)}
    if current.get("apply_url") != old_raw.get("apply_url"):
        update.pop("apply_url", None)
    return update


def join_offer(
    db: Database, offer_id: int, offer: dict[str, Any], now: str, employer_site: bool
) -> None:
    """A new listing of a stored job: the offer is seen now, and fills what it lacked."""
    update = {"last_seen": now, "expired_at": None, **filled(_offer(db, offer_id), offer)}
    if employer_site:
        update["apply_url"] = offer.get("apply_url") or offer.get("url")
    _update(db, "offers", "id = ?", [offer_id], update)


def add_keys(db: Database, offer_id: int, keys: list[str]) -> None:
    db.conn.executemany(
        "insert or ignore into dedup_keys (key, offer_id) values (?, ?)",
        [(key, offer_id) for key in keys],
    )


def candidates(
    db: Database, keys: list[str], columns: tuple[str, ...], per_key: int
) -> list[tuple]:
    """Offers sharing a blocking key, the most recent `per_key` of each key, newest first, as
    (id, *columns) tuples."""
    if not keys:
        return []
    ids = " union ".join(
        ["select * from (select offer_id from dedup_keys where key = ?"
         " order by offer_id desc limit ?)"] * len(keys)
    )  # fmt: skip
    params: list[Any] = []
    for k in keys:
        params += [k, per_key]
    return db.execute(
        f"select id, {', '.join(columns)} from offers where id in ({ids}) order by id desc",
        params,
    ).fetchall()


def key_counts(db: Database, keys: list[str], most: int) -> list[int]:
    """How many offers are stored under each key, counted up to `most`."""
    one = "(select count(*) from (select 1 from dedup_keys where key = ? limit ?))"
    params: list[Any] = []
    for key in keys:
        params += [key, most]
    return list(db.execute("select " + ", ".join([one] * len(keys)), params).fetchone())


def key_holders(db: Database, key: str, column: str) -> list[tuple[int, Any, set[str]]]:
    """(id, `column`, every key) of each offer stored under `key` (`column` comes from the
    code, never from input)."""
    rows = db.execute(
        f'select offers.id, offers."{column}", group_concat(theirs.key, char(10))'
        " from dedup_keys as mine join offers on offers.id = mine.offer_id"
        " join dedup_keys as theirs on theirs.offer_id = offers.id"
        " where mine.key = ? group by offers.id",
        [key],
    )
    return [(offer_id, value, set(keys.split("\n"))) for offer_id, value, keys in rows]


def offer_column(db: Database, offer_id: int, column: str) -> Any:
    """One column of one offer (`column` comes from the code, never from input)."""
    row = db.execute(f'select "{column}" from offers where id = ?', [offer_id]).fetchone()
    return None if row is None else row[0]


def merge_offers(db: Database, keep: int, drop: int, apply_url: str | None = None) -> None:
    """Offer `drop` is the same job as `keep`: its listings, history, keys and the seeker's
    status move to `keep` (a status already on `keep` wins), its scores go (scoring again
    rates `keep`), and its row goes. `apply_url`: the employer's own page, preferred.
    Call inside a transaction."""
    kept = db["offers"].get(keep)
    dropped = db["offers"].get(drop)
    update = {
        **filled(kept, dropped),
        "first_seen": min(kept["first_seen"], dropped["first_seen"]),
        "last_seen": max(kept["last_seen"], dropped["last_seen"]),
    }
    if kept["expired_at"] and not dropped["expired_at"]:
        update["expired_at"] = None
    if apply_url:
        update["apply_url"] = apply_url
    db["offers"].update(keep, update)
    for table in ("listings", "offer_history"):
        db.execute(f"update {table} set offer_id = ? where offer_id = ?", [keep, drop])
    db.execute(
        "insert or ignore into dedup_keys (key, offer_id) "
        "select key, ? from dedup_keys where offer_id = ?",
        [keep, drop],
    )
    db.execute("delete from dedup_keys where offer_id = ?", [drop])
    db.execute(
        "insert or ignore into user_status (offer_id, status, note, updated_at) "
        "select ?, status, note, updated_at from user_status where offer_id = ?",
        [keep, drop],
    )
    db.execute("delete from user_status where offer_id = ?", [drop])
    db.execute("delete from matches where offer_id = ?", [drop])
    db["offers"].delete(drop)


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
