"""Run spiders into a database: live, replayed from recorded fixtures, or live and recorded."""

from __future__ import annotations

import uuid
from pathlib import Path

from scrapy.crawler import CrawlerProcess
from scrapy.settings import Settings

from db.migrations import open_db
from pipeline.ingest import utcnow

# The recorded responses that `--offline` replays when no other folder is given.
DEFAULT_FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def project_settings() -> Settings:
    settings = Settings()
    settings.setmodule("pipeline.settings", priority="project")
    return settings


def crawl_settings(
    db_path: str,
    batch: str,
    replay_dir: Path | None = None,
    record_dir: Path | None = None,
    progress: bool = False,
    log_file: Path | None = None,
    quiet: bool = False,
) -> Settings:
    settings = project_settings()
    settings.set("BOTJOBS_DB", db_path)
    settings.set("BOTJOBS_BATCH", batch)
    settings.set("BOTJOBS_PROGRESS", progress)
    if log_file is not None:
        settings.set("LOG_FILE", str(log_file))
        settings.set("LOG_FILE_APPEND", True)
        settings.set("LOG_LEVEL", "INFO")
    elif quiet:
        settings.set("LOG_LEVEL", "ERROR")
    if replay_dir is not None:
        settings.set("BOTJOBS_REPLAY_DIR", str(replay_dir))
        settings.set("BOTJOBS_MODE", "offline")
        # Nothing is fetched, so there is nobody to be polite to.
        settings.set("DOWNLOAD_DELAY", 0)
        settings.set("AUTOTHROTTLE_ENABLED", False)
        settings.set("CONCURRENT_REQUESTS_PER_DOMAIN", 8)
        settings.set("BOTJOBS_MAX_RETRY_WAIT", 0)
    elif record_dir is not None:
        settings.set("BOTJOBS_RECORD_DIR", str(record_dir))
        settings.set("BOTJOBS_MODE", "record")
    return settings


def close_interrupted_runs(db_path: str) -> int:
    """Runs left "running" by a process that died: marked interrupted. Call under the run lock."""
    db = open_db(db_path)
    try:
        with db.atomic():
            cursor = db.execute(
                "update crawl_runs set status = 'interrupted', finished_at = ? "
                "where status = 'running'",
                [utcnow()],
            )
        return cursor.rowcount
    finally:
        db.close()


def resumable(process: CrawlerProcess, slug: str, job_dir: Path) -> type:
    """The spider of `slug` with its own JOBDIR: Scrapy's setting is per crawler, and the
    crawlers of one process share the process's settings, so it goes in the class's own."""
    spider = process.spider_loader.load(slug)
    own = {**(spider.custom_settings or {}), "JOBDIR": str(job_dir / slug)}
    return type(spider.__name__, (spider,), {"custom_settings": own})


def run_crawl(
    db_path: str,
    sources: list[str],
    replay_dir: Path | None = None,
    record_dir: Path | None = None,
    spider_args: dict[str, dict[str, str]] | None = None,
    progress: bool = False,
    log_file: Path | None = None,
    quiet: bool = False,
    job_dir: Path | None = None,
) -> list[dict]:
    """Crawl `sources` in one process and return their crawl runs, one row per source.

    A source that fails to start is recorded as failed; the others run all the same.
    With `job_dir`, each source keeps its pending requests and what it has seen in
    `job_dir/<slug>` (Scrapy's JOBDIR): a crawl stopped with Ctrl-C resumes where it stopped.
    Scrapy's reactor can start once per process, so call this once per process, and under
    pipeline.lock.exclusive_run so that no other run writes at the same time.
    """
    batch = uuid.uuid4().hex
    settings = crawl_settings(db_path, batch, replay_dir, record_dir, progress, log_file, quiet)
    close_interrupted_runs(db_path)  # also migrates, before several pipelines open the file
    process = CrawlerProcess(settings)
    failed_to_start: dict[str, str] = {}
    for slug in sources:
        try:
            target = slug if job_dir is None else resumable(process, slug, job_dir)
            process.crawl(target, **(spider_args or {}).get(slug, {}))
        except Exception as exc:  # a broken spider must not stop the others
            failed_to_start[slug] = f"{type(exc).__name__}: {exc}"
    process.start()
    db = open_db(db_path)
    try:
        ran = {row["source"] for row in db["crawl_runs"].rows_where("batch = ?", [batch])}
        now = utcnow()
        for slug in sources:
            if slug in ran:
                continue
            db["crawl_runs"].insert(
                {
                    "batch": batch,
                    "source": slug,
                    "mode": settings.get("BOTJOBS_MODE", "live"),
                    "started_at": now,
                    "finished_at": now,
                    "status": "failed",
                    "errors": 1,
                    "message": failed_to_start.get(slug, "the spider never opened (see the log)"),
                }
            )
        return list(db["crawl_runs"].rows_where("batch = ?", [batch], order_by="id"))
    finally:
        db.close()
