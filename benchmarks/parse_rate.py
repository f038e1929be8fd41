"""Parse cost: responses per second through each spider, on its recorded fixtures.

    python -m benchmarks.parse_rate [--rounds 5]

Each spider's default crawl is played by hand on tests/fixtures/<slug> (tests.helpers.walk_crawl:
the manifest answers every request, as the replay middleware would, without Scrapy's engine and
its scheduling pauses), so the time is the spider's own: building requests and reading
responses. Printed per source: responses read, items yielded and responses/s (best of the
rounds; one core).
"""

from __future__ import annotations

import logging
import sys
import time

from scrapy.spiderloader import SpiderLoader

from pipeline.crawl import project_settings
from pipeline.sources import all_sources
from tests.helpers import REPLAY_SETTINGS, make_spider, walk_crawl


def main(argv: list[str]) -> int:
    rounds = int(argv[argv.index("--rounds") + 1]) if "--rounds" in argv else 5
    logging.disable(logging.CRITICAL)  # the fixtures' deliberate errors, said each round
    loader = SpiderLoader.from_settings(project_settings())
    print(f"{'source':<16} {'responses':>9} {'items':>6} {'responses/s':>12}")
    for slug in all_sources():
        best, walk = float("inf"), None
        for _ in range(rounds):
            spider = make_spider(loader.load(slug), REPLAY_SETTINGS)
            started = time.perf_counter()
            walk = walk_crawl(spider)
            best = min(best, time.perf_counter() - started)
        responses = len(walk.sent)
        rate = f"{responses / best:>12,.0f}" if responses else f"{'-':>12}"
        print(f"{slug:<16} {responses:>9} {len(walk.items):>6} {rate}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
