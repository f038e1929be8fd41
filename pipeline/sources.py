"""Which sources there are, what each needs, which a crawl runs, and `botjobs sources`.

A source is a spider (one slug). Its class says whether it is opt-in (off until the user names
it with `--source` or lists it in BOTJOBS_OPT_IN, for sites whose terms forbid scraping or that
block crawlers), which environment variables it needs, and whether it searches by keyword.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Any

from scrapy.spiderloader import SpiderLoader
from sqlite_utils import Database

from pipeline.crawl import project_settings

OPT_IN_ENV = "BOTJOBS_OPT_IN"


@dataclass(frozen=True)
class Source:
    slug: str
    about: str
    opt_in: bool
    credentials: tuple[str, ...]
    searches: bool
    employer_site: bool = False

    def missing_credentials(self, env: dict[str, str] | None = None) -> list[str]:
        env = os.environ if env is None else env
        return [name for name in self.credentials if not env.get(name)]

    def enabled(self, env: dict[str, str] | None = None) -> bool:
        return not self.opt_in or self.slug in opted_in(env)


def opted_in(env: dict[str, str] | None = None) -> set[str]:
    env = os.environ if env is None else env
    return {s.strip() for s in env.get(OPT_IN_ENV, "").split(",") if s.strip()}


def all_sources() -> dict[str, Source]:
    loader = SpiderLoader.from_settings(project_settings())
    sources = {}
    for slug in sorted(loader.list()):
        spider = loader.load(slug)
        sources[slug] = Source(
            slug=slug,
            about=getattr(spider, "about", "") or (spider.__doc__ or "").strip().split("\n")[0],
            opt_in=bool(getattr(spider, "opt_in", False)),
            credentials=tuple(getattr(spider, "credentials", ())),
            searches=bool(getattr(spider, "searches", False)),
            employer_site=bool(getattr(spider, "employer_site", False)),
        )
    return sources


def default_sources(sources: dict[str, Source], offline: bool) -> list[str]:
    """What a crawl runs when no --source is named: every enabled source; offline, every source
    (a replay asks no site anything, so opt-in sources are exercised on their recordings)."""
    return [slug for slug, source in sources.items() if offline or source.enabled()]


def spider_args(sources: dict[str, Source], slugs: list[str], terms: list[str] | None) -> dict:
    """The `terms` argument for the sources that search by keyword (None: their default)."""
    if terms is None:
        return {}
    return {slug: {"terms": terms} for slug in slugs if sources[slug].searches}


def state(source: Source) -> str:
    if source.opt_in and not source.enabled():
        return f"opt-in (off; add to {OPT_IN_ENV})"
    missing = source.missing_credentials()
    if missing:
        return f"needs {', '.join(missing)}"
    return "opt-in (on)" if source.opt_in else "enabled"


def source_rows(db: Database, sources: dict[str, Source]) -> list[dict[str, Any]]:
    """One row per source: its state, its last crawl run and its live offers."""
    live = dict(
        db.execute(
            "select listings.source, count(distinct offer_id) from listings join offers "
            "on offers.id = listings.offer_id where offers.expired_at is null "
            "group by listings.source"
        ).fetchall()
    )
    rows = []
    for slug, source in sources.items():
        last = next(
            db.query("select * from crawl_runs where source = ? order by id desc limit 1", [slug]),
            None,
        )
        rows.append(
            {
                "source": slug,
                "state": state(source),
                "about": source.about,
                "live_offers": live.get(slug, 0),
                "last_run": None if last is None else last["finished_at"] or last["started_at"],
                "status": None if last is None else last["status"],
                "items": None if last is None else last["items"],
                "new": None if last is None else last["new"],
                "rejects": None if last is None else last["rejects"],
                "errors": None if last is None else last["errors"],
                "message": None if last is None else last["message"],
                "health": [] if last is None else json.loads(last.get("health") or "[]"),
            }
        )
    return rows
