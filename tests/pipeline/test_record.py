"""`--record` against a live site (a local HTTP server), then `--offline` on what it recorded."""

import json
import subprocess
import sys
import textwrap
import threading
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

import pytest

from db.migrations import open_db

POSTING = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Chargé de projet chatbot H/F",
    "identifier": "REC-{n}",
    "hiringOrganization": {"@type": "Organization", "name": "Locale SA"},
    "jobLocation": {
        "@type": "Place",
        "address": {"addressLocality": "Lyon", "postalCode": "69003"},
    },
    "description": "<p>Pilotage du chatbot Rasa.</p>",
    "datePosted": "2026-11-20",
}

CRAWL = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from pipeline.crawl import run_crawl
    db, url, mode, folder = sys.argv[1:5]
    args = {"jobposting": {"start_urls": url}}
    if mode == "record":
        runs = run_crawl(db, ["jobposting"], record_dir=Path(folder), spider_args=args)
    else:
        runs = run_crawl(db, ["jobposting"], replay_dir=Path(folder), spider_args=args)
    print(runs[0]["status"], runs[0]["new"], runs[0]["errors"])
    """
)


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "site"
    (root / "offres").mkdir(parents=True)
    links = "".join(f'<a href="/offres/offre-{n}.html">Offre {n}</a>' for n in (1, 2))
    (root / "liste.html").write_text(f"<html><body>{links}</body></html>", "utf-8")
    for n in (1, 2):
        posting = json.dumps(POSTING).replace("{n}", str(n))
        page = f'<html><script type="application/ld+json">{posting}</script></html>'
        (root / "offres" / f"offre-{n}.html").write_text(page, "utf-8")
    handler = partial(SimpleHTTPRequestHandler, directory=str(root))
    handler.log_message = lambda *args: None
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/liste.html"
    server.shutdown()
    server.server_close()


def crawl(*args):
    return subprocess.run(
        [sys.executable, "-c", CRAWL, *map(str, args)], capture_output=True, text=True, timeout=120
    )


def test_a_recorded_crawl_replays_to_the_same_offers(site, tmp_path):
    recorded = tmp_path / "recorded"
    live = crawl(tmp_path / "live.db", site, "record", recorded)
    assert live.stdout.split() == ["ok", "2", "0"], live.stderr
    manifest = json.loads((recorded / "jobposting" / "manifest.json").read_text("utf-8"))
    urls = {entry["url"] for entry in manifest["responses"]}
    assert site in urls and any(u.endswith("/offres/offre-2.html") for u in urls)
    replay = crawl(tmp_path / "replay.db", site, "replay", recorded)
    assert replay.stdout.split() == ["ok", "2", "0"], replay.stderr
    titles = lambda path: sorted(r["source_id"] for r in open_db(str(path))["offers"].rows)  # noqa: E731
    assert titles(tmp_path / "live.db") == titles(tmp_path / "replay.db")
