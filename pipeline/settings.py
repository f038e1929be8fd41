"""Scrapy settings: the one place for politeness (robots.txt, throttling, retries, User-Agent).

`pipeline.crawl` layers the run's own choices (database, replay or record folder) on top.
"""

import os

BOT_NAME = "botjobs"
SPIDER_MODULES = ["spiders"]
NEWSPIDER_MODULE = "spiders"

# Say who we are; BOTJOBS_CONTACT (an e-mail or URL) lets a site's operator reach the person running it.
USER_AGENT = "botjobs/0.1 (personal job-search aggregator; {})".format(
    os.environ.get("BOTJOBS_CONTACT", "one request at a time per site")
)
ROBOTSTXT_OBEY = True

CONCURRENT_REQUESTS = 8
CONCURRENT_REQUESTS_PER_DOMAIN = 1
DOWNLOAD_DELAY = 1.0  # Scrapy varies it by ±50% (DOWNLOAD_DELAY_JITTER)
AUTOTHROTTLE_ENABLED = True
AUTOTHROTTLE_START_DELAY = 1.0
AUTOTHROTTLE_MAX_DELAY = 30.0
AUTOTHROTTLE_TARGET_CONCURRENCY = 1.0
DOWNLOAD_TIMEOUT = 30
# No job page weighs 32 MB; a response that does is dropped (an error), not parsed.
DOWNLOAD_MAXSIZE = 32 * 1024 * 1024

RETRY_ENABLED = True
RETRY_TIMES = 2
RETRY_HTTP_CODES = [429, 500, 502, 503, 504, 522, 524, 408]
# A response that used up its retries is counted once, as an ignored HTTP status, by the pipeline.
RETRY_GIVE_UP_LOG_LEVEL = "WARNING"

# Scrapy's retries, waiting as the site asks (Retry-After) or backing off (pipeline/politeness.py).
BOTJOBS_MAX_RETRY_WAIT = 300.0
# A run reads at most this many pages per source; the rest waits for the next run.
CLOSESPIDER_PAGECOUNT = int(os.environ.get("BOTJOBS_MAX_PAGES", "1000"))

DOWNLOADER_MIDDLEWARES = {
    "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
    "pipeline.politeness.RetryAfterMiddleware": 550,
    # Below HttpCompression (590) and Redirect (600) so fixtures hold decoded bodies and a
    # recorded redirect is followed; above Retry (550) so recorded 429/5xx are retried as live.
    "pipeline.replay.ReplayMiddleware": 580,
}
EXTENSIONS = {
    "pipeline.progress.Progress": 500,
}
ITEM_PIPELINES = {
    "pipeline.pipelines.IngestPipeline": 300,
}

# An offer a complete crawl of its source no longer returns is marked expired once nothing
# has listed it for this many days (it comes back to life if it reappears).
BOTJOBS_EXPIRE_DAYS = float(os.environ.get("BOTJOBS_EXPIRE_DAYS", "3"))

# The health check after each crawl warns when a source gave fewer offers, or fewer of them with
# a company, a place or a description, than pipeline/health.py DEFAULT_THRESHOLDS; override here.
BOTJOBS_HEALTH: dict[str, float] = {}

TELNETCONSOLE_ENABLED = False
# Scrapy 2.19 opens a remote-control port by default; a job-search crawl needs no listener.
REMOTE_CONTROL_ENABLED = False
LOG_LEVEL = "WARNING"
REQUEST_FINGERPRINTER_IMPLEMENTATION = "2.7"
FEED_EXPORT_ENCODING = "utf-8"
