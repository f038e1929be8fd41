"""The Scrapy item pipeline: a thin class over `pipeline.ingest.Ingest`, one crawl run per spider."""

from __future__ import annotations

import json
import logging

from scrapy import signals

from db.migrations import open_db
from pipeline.ingest import EXPIRE_AFTER_DAYS, Ingest, expire_after_complete_crawl


class SpiderErrorCounter(logging.Handler):
    """Counts the ERROR records about one spider.

    Scrapy's own log_count/ERROR stat counts every crawler's errors in the process; Scrapy tags
    its records (gave up retrying, spider error, download error, ignored HTTP status) and the
    spider's own logger with `spider`, so those tags tell the sources apart.
    """

    def __init__(self, spider):
        super().__init__(level=logging.ERROR)
        self.spider = spider
        self.count = 0

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(record, "spider", None) is self.spider:
            self.count += 1


class IngestPipeline:
    def __init__(self, crawler):
        self.crawler = crawler
        self.ingest: Ingest | None = None
        self.errors: SpiderErrorCounter | None = None

    @classmethod
    def from_crawler(cls, crawler):
        pipeline = cls(crawler)
        # The run is closed on spider_closed, which says why the spider closed (finished, the
        # page cap, a stop, Ctrl-C); close_spider() comes earlier and is not told.
        crawler.signals.connect(pipeline.spider_closed, signal=signals.spider_closed)
        return pipeline

    def open_spider(self) -> None:
        settings = self.crawler.settings
        spider = self.crawler.spider
        self.db = open_db(settings.get("BOTJOBS_DB"))
        self.ingest = Ingest(
            self.db,
            spider.name,
            settings.get("BOTJOBS_MODE", "live"),
            settings.get("BOTJOBS_BATCH"),
            employer_site=getattr(spider, "employer_site", False),
        )
        self.errors = SpiderErrorCounter(spider)
        logging.getLogger().addHandler(self.errors)

    def process_item(self, item):
        self.ingest.add(item)
        return item

    def spider_closed(self, spider, reason: str) -> None:
        logging.getLogger().removeHandler(self.errors)
        stats = self.crawler.stats
        # 4xx/5xx that ended a request are logged at INFO by Scrapy; for us they are errors.
        errors = self.errors.count + (stats.get_value("httperror/response_ignored_count") or 0)
        status, message = closing_status(
            reason,
            stats.get_value("botjobs/status"),
            stats.get_value("botjobs/message"),
            stats.get_value("response_received_count") or 0,
        )
        thresholds = {
            **self.crawler.settings.getdict("BOTJOBS_HEALTH"),
            **getattr(spider, "health", {}),
        }
        run = self.ingest.finish(
            errors=errors, status=status, message=message, thresholds=thresholds
        )
        for warning in json.loads(run["health"] or "[]"):
            logging.getLogger(__name__).warning("%s: %s", spider.name, warning)
        # Only a crawl that got everything can say an offer is gone.
        if run["status"] == "ok" and run["items"]:
            days = self.crawler.settings.getfloat("BOTJOBS_EXPIRE_DAYS", EXPIRE_AFTER_DAYS)
            expire_after_complete_crawl(self.db, self.ingest.source, self.ingest.started, days)
        self.db.close()


# Why Scrapy closed a spider, when it was not because the spider had done its work.
CLOSE_REASONS = {
    "closespider_pagecount": (
        "partial",
        "stopped at the page cap ({pages} pages, BOTJOBS_MAX_PAGES)",
    ),
    "shutdown": ("interrupted", "interrupted (Ctrl-C or a stop signal)"),
    "cancelled": ("interrupted", "cancelled"),
}


def closing_status(
    reason: str, status: str | None, message: str | None, pages: int
) -> tuple[str | None, str | None]:
    """The run's status and message: the spider's own (a block, no credentials) first, then what
    the closing reason says; None lets the counts decide (ok, partial, failed)."""
    if status is not None or reason == "finished":
        return status, message
    if reason in CLOSE_REASONS:
        kind, text = CLOSE_REASONS[reason]
        return kind, text.format(pages=pages)
    return "partial", f"closed: {reason}"
