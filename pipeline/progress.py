"""Crawl progress on a terminal: one status line, per source, of pages, offers and errors.

A Scrapy extension, on only when BOTJOBS_PROGRESS is set (the CLI sets it when stderr is a
terminal and --quiet is not given), so cron and log files stay clean.
"""

from __future__ import annotations

import sys

from scrapy import signals
from scrapy.exceptions import NotConfigured

from pipeline.options import status

# Every crawler of the process shares one line.
COUNTS: dict[str, dict[str, int]] = {}


def status_line() -> str:
    return " | ".join(
        f"{name}: {c['pages']} pages, {c['offers']} offers, {c['errors']} errors"
        for name, c in COUNTS.items()
    )


def show(force: bool = False) -> None:
    status(status_line(), force)


class Progress:
    def __init__(self, crawler):
        self.crawler = crawler

    @classmethod
    def from_crawler(cls, crawler):
        if not crawler.settings.getbool("BOTJOBS_PROGRESS"):
            raise NotConfigured
        extension = cls(crawler)
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.page, signal=signals.response_received)
        crawler.signals.connect(extension.offer, signal=signals.item_scraped)
        crawler.signals.connect(extension.error, signal=signals.spider_error)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def counts(self) -> dict[str, int]:
        return COUNTS.setdefault(self.crawler.spider.name, {"pages": 0, "offers": 0, "errors": 0})

    def opened(self, spider) -> None:
        self.counts()
        show(force=True)

    def page(self, response, request, spider) -> None:
        self.counts()["pages"] += 1
        if response.status >= 400:
            self.counts()["errors"] += 1
        show()

    def offer(self, item, response, spider) -> None:
        self.counts()["offers"] += 1
        show()

    def error(self, failure, response, spider) -> None:
        self.counts()["errors"] += 1
        show()

    def closed(self, spider, reason) -> None:
        show(force=True)
        sys.stderr.write("\n")
