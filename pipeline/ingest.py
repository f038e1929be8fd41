"""Every offer, crawled or imported, goes through here: validate → normalise → store.

`Ingest` is the one mechanism: the Scrapy item pipeline and `botjobs import` both call `add()`,
and it keeps the counts that end up in the run's `crawl_runs` row.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, NamedTuple

from sqlite_utils import Database

from db import store
from pipeline import health
from pipeline.dedup import same_offer_in
from pipeline.items import is_reject
from pipeline.normalise import normalise
from pipeline.validate import validate
from pipeline.workers import ahead, chunked

REJECTED = "rejected"
CHUNK = 256  # offers per transaction (and per piece of work for other cores) in add_all


def utcnow() -> str:
    return stamp(datetime.now(UTC))


def stamp(moment: datetime) -> str:
    """How moments are stored (first_seen, last_seen…): UTC to the second, so texts compare."""
    return moment.astimezone(UTC).isoformat(timespec="seconds")


def to_offer(record: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The offer columns of a valid record: its raw texts verbatim beside the normalised values."""
    return {
        "source": record["source"],
        "source_id": record["source_id"],
        "url": record["url"],
        "title": record["title"],
        "company": record["company"],
        "location": record["location"],
        "salary": record["salary"],
        "contract_raw": record["contract"],
        "remote_raw": record["remote"],
        "description": record["description"],
        "posted_at_raw": record["posted_at"],
        "apply_url": record["apply_url"],
        **normalise(record, now),
    }


class _Pending(NamedTuple):
    record: dict[str, Any] | None  # None: rejected, for `reason`
    now: datetime
    needed: bool  # to be normalised: new, or changed since stored
    reason: str | None
    digest: str | None = None  # the record's content hash


def _normalised(pending: _Pending) -> dict[str, Any] | None:
    """The offer columns of a pending record that needs them (run in worker processes)."""
    return to_offer(pending.record, pending.now) if pending.needed else None


class Ingest:
    """One run's worth of offers into one database, counted."""

    def __init__(
        self,
        db: Database,
        source: str,
        mode: str,
        batch: str | None = None,
        employer_site: bool = False,
    ):
        """`employer_site`: the source is an employer's own career site, whose page is the
        best apply link of a job that boards list too."""
        self.db = db
        self.source = source
        self.employer_site = employer_site
        self.same_offer = same_offer_in(db)
        self.started = datetime.now(UTC)
        self.counts: Counter[str] = Counter()
        self.present: Counter[str] = Counter()  # valid offers with a company, a place…
        self.last_reason: str | None = None
        self.run_id = store.start_run(db, source, mode, utcnow(), batch)

    def reject(self, reason: str, payload: Any, source: str | None = None, **where: Any) -> str:
        store.add_reject(
            self.db, self.run_id, source or self.source, reason, payload, utcnow(), **where
        )
        self.counts["rejects"] += 1
        self.last_reason = reason
        return REJECTED

    def add(self, item: dict[str, Any], where: str | None = None) -> str:
        """Store one raw offer (or keep a spider's reject); returns new/updated/unchanged/rejected.

        `where` (such as "line 12") prefixes the reason of a reject.
        """
        record = self._valid(item, where)
        if record is None:
            return REJECTED
        with self.db.atomic():
            return self._store(record, datetime.now(UTC))

    def add_all(
        self, items: Iterable[tuple[dict[str, Any], str | None]], jobs: int = 1
    ) -> Iterator[tuple[str, str | None]]:
        """`add()` for many (item, where) pairs: yields each one's outcome and, for a reject, its
        reason, in order. Offers are normalised on `jobs` processes ahead of the store
        (pipeline/workers.py), and each chunk of CHUNK offers is stored in one transaction: a
        killed process loses at most its last chunk, which the next run stores.
        """
        chunks = map(self._pending, chunked(items, CHUNK))
        for chunk, offers in ahead(_normalised, chunks, jobs):
            outcomes = []
            with self.db.atomic():
                for pending, offer in zip(chunk, offers, strict=True):
                    if pending.record is None:
                        outcomes.append((REJECTED, pending.reason))
                        continue
                    outcome = self._store(pending.record, pending.now, offer, pending.digest)
                    outcomes.append((outcome, None))
            yield from outcomes

    def _pending(self, chunk: list[tuple[dict[str, Any], str | None]]) -> list[_Pending]:
        """A chunk's items validated (rejects kept now), and whether each needs normalising: a
        listing stored with the same content does not."""
        now = datetime.now(UTC)
        pending = []
        for item, where in chunk:
            record = self._valid(item, where)
            if record is None:
                pending.append(_Pending(None, now, False, self.last_reason))
            else:
                digest = store.content_hash(record)
                changed = store.listing_hash(self.db, record) != digest
                pending.append(_Pending(record, now, changed, None, digest))
        return pending

    def _valid(self, item: dict[str, Any], where: str | None) -> dict[str, Any] | None:
        """The valid record of an item, or None once it is kept as a reject."""
        if is_reject(item):
            self.reject(item["reason"], item["payload"], item["source"], url=item["url"])
            return None
        self.counts["items"] += 1
        record, reason = validate(item)
        if record is None:
            source_id = item.get("source_id") if isinstance(item, dict) else None
            if where:
                reason = f"{where}: {reason}"
            self.reject(reason, item, source_id=None if source_id is None else str(source_id))
            return None
        self.present.update(health.present_fields(record))
        return record

    def _store(
        self,
        record: dict[str, Any],
        now: datetime,
        offer: dict[str, Any] | None = None,
        digest: str | None = None,
    ) -> str:
        """Store a valid record (inside a transaction); its offer columns are `offer`, else
        worked out if needed."""
        outcome = store.store_offer(
            self.db,
            record,
            lambda: to_offer(record, now) if offer is None else offer,
            stamp(now),
            self.same_offer,
            self.employer_site,
            digest,
        )
        self.counts[outcome] += 1
        return outcome

    def finish(
        self,
        errors: int = 0,
        status: str | None = None,
        message: str | None = None,
        thresholds: dict[str, float] | None = None,
    ) -> dict:
        """Close the run: its status is the one given, else failed/partial/ok from the counts.

        With `thresholds` (a crawl, not an import), a run that went through (ok or partial) is
        checked for health (pipeline/health.py) and its warnings are kept with it.
        """
        stored = sum(self.counts[k] for k in (store.NEW, store.UPDATED, store.UNCHANGED))
        if status is None:
            status = "ok" if not errors else ("partial" if stored else "failed")
        warnings = None
        if thresholds is not None and status in ("ok", "partial"):
            warnings = health.warnings(stored, self.present, thresholds)
        fields = {
            "health": None if warnings is None else json.dumps(warnings, ensure_ascii=False),
            "finished_at": utcnow(),
            "status": status,
            "errors": errors,
            "message": message,
            **{k: self.counts[k] for k in ("items", "new", "updated", "unchanged", "rejects")},
        }
        store.finish_run(self.db, self.run_id, **fields)
        return fields


EXPIRE_AFTER_DAYS = 3.0


def expire_after_complete_crawl(
    db: Database, source: str, started: datetime, days: float = EXPIRE_AFTER_DAYS
) -> int:
    """Offers a complete crawl of `source` (begun at `started`) no longer returned, and that
    nothing has listed for `days`, are marked expired."""
    cutoff = min(started, datetime.now(UTC) - timedelta(days=days))
    return store.expire_unseen(db, source, stamp(cutoff), utcnow())


def renormalise(db: Database, jobs: int = 1) -> tuple[int, int]:
    """Normalise every stored offer again from its listings' raw records (after a normaliser
    improved), chunk by chunk so memory stays flat whatever the table's size, on `jobs`
    processes (pipeline/workers.py). Returns (offers normalised, offers that changed).

    An offer is its first listing's columns, filled by its other listings in the order they
    joined it, as when they were stored; its apply link, chosen by where its listings came
    from, stays. Only the columns whose values changed are written. Relative dates ("il y a 3
    jours") are read as of each listing's last sighting, when that text was current.
    """

    def chunks() -> Iterator[list[tuple[int, list[tuple[str, str]]]]]:
        last_id = 0
        while ids := [row[0] for row in db.execute(
            "select id from offers where id > ? order by id limit ?", [last_id, CHUNK]
        )]:  # fmt: skip
            last_id = ids[-1]
            listings: dict[int, list[tuple[str, str]]] = {}
            for offer_id, raw, last_seen in db.execute(
                "select listings.offer_id, listings.raw, listings.last_seen from listings"
                " join offers on offers.id = listings.offer_id"
                " where offers.id between ? and ?"
                " order by listings.offer_id,"
                " listings.source = offers.source and listings.source_id = offers.source_id desc,"
                " listings.first_seen, listings.rowid",
                [ids[0], ids[-1]],
            ):
                listings.setdefault(offer_id, []).append((raw, last_seen))
            if listings:  # offers without a listing (none should be) are left as they are
                yield list(listings.items())

    seen = changed = 0
    for chunk, offers in ahead(_renormalised, chunks(), jobs):
        between = [chunk[0][0], chunk[-1][0]]
        stored = {
            row["id"]: row
            for row in db.query("select * from offers where id between ? and ?", between)
        }
        with db.atomic():
            for (offer_id, _), offer in zip(chunk, offers, strict=True):
                if offer is None:
                    continue
                seen += 1
                current = stored[offer_id]
                update = {
                    column: value
                    for column, value in offer.items()
                    if column != "apply_url" and current[column] != value
                }
                if update:
                    store.update_offer(db, offer_id, update)
                    changed += 1
    return seen, changed


def _renormalised(item: tuple[int, list[tuple[str, str]]]) -> dict[str, Any] | None:
    """The offer columns of one stored offer from its listings, first listing first (run in
    worker processes); None when its first listing's record is no longer valid."""
    _offer_id, listings = item
    offer = None
    for raw, last_seen in listings:
        record, _ = validate(json.loads(raw))
        if record is None:
            if offer is None:
                return None
            continue
        columns = to_offer(record, datetime.fromisoformat(last_seen))
        offer = columns if offer is None else {**offer, **store.filled(offer, columns)}
    return offer
