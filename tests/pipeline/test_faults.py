"""Faults played by a local HTTP server on 127.0.0.1: the real spider, middlewares and pipeline
run live against it, in a child process (Scrapy's reactor starts once per process)."""

import contextlib
import json
import subprocess
import sys
import textwrap
import threading
import time
from contextlib import closing
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from db.migrations import open_db

POSTING = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Chargé de projet chatbot H/F",
    "identifier": "F-{n}",
    "hiringOrganization": {"@type": "Organization", "name": "Locale {n} SA"},
    "jobLocation": {"@type": "Place", "address": {"addressLocality": "Lyon"}},
    "description": "<p>Pilotage du chatbot {n}.</p>",
}

# The crawl, with the run's own settings (short timeouts, quick retries) over the project's.
CRAWL = textwrap.dedent(
    """
    import json, sys
    import pipeline.crawl as crawl
    db, url, overrides = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
    project = crawl.project_settings
    def settings():
        s = project()
        s.setdict(overrides, priority="cmdline")
        return s
    crawl.project_settings = settings
    runs = crawl.run_crawl(db, ["jobposting"], spider_args={"jobposting": {"start_urls": url}})
    print(json.dumps(runs[0]))
    """
)
FAST = {
    "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False,
    "DOWNLOAD_TIMEOUT": 2,
    "BOTJOBS_MAX_RETRY_WAIT": 5,
    "ROBOTSTXT_OBEY": False,
}


def offer_page(n: int, padding: int = 0) -> bytes:
    posting = json.dumps(POSTING).replace("{n}", str(n))
    filler = "<p>" + "x" * padding + "</p>" if padding else ""
    return f'<html><body>{filler}<script type="application/ld+json">{posting}</script></body></html>'.encode()


class Script:
    """What the server answers, path by path: a list of (status, headers, body) played in
    order (the last one repeats), or a callable; and when each request came."""

    def __init__(self, routes):
        self.routes = routes
        self.calls: dict[str, list[float]] = {}
        self.lock = threading.Lock()

    def answer(self, path):
        with self.lock:
            times = self.calls.setdefault(path, [])
            times.append(time.monotonic())
            route = self.routes.get(path, [(404, {}, b"not found")])
            return route[min(len(times), len(route)) - 1]


@pytest.fixture
def server():
    started = []

    def start(routes):
        script = Script(routes)

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 (http.server's name)
                status, headers, body = script.answer(self.path)
                if callable(body):
                    body = body()
                self.send_response(status)
                for key, value in headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self.wfile.write(body)

            def log_message(self, *args):
                pass

        httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        httpd.daemon_threads = True
        threading.Thread(target=httpd.serve_forever, daemon=True).start()
        started.append(httpd)
        return f"http://127.0.0.1:{httpd.server_address[1]}", script

    yield start
    for httpd in started:
        httpd.shutdown()
        httpd.server_close()


def listing(*paths: str) -> bytes:
    links = "".join(f'<a href="{p}">offre</a>' for p in paths)
    return f"<html><body>{links}</body></html>".encode()


HTML = {"Content-Type": "text/html; charset=utf-8"}


def crawl(tmp_path, url, **overrides):
    db = tmp_path / "f.db"
    result = subprocess.run(
        [sys.executable, "-c", CRAWL, str(db), url, json.dumps({**FAST, **overrides})],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1]), db, result.stderr


def test_a_429_with_retry_after_and_a_burst_of_503_are_waited_out(server, tmp_path):
    base, script = server(
        {
            "/liste": [(429, {"Retry-After": "2"}, b"slow down"), (200, HTML, listing("/offres/1", "/offres/2"))],
            "/offres/1": [(503, {}, b"busy"), (503, {}, b"busy"), (200, HTML, offer_page(1))],
            "/offres/2": [(200, HTML, offer_page(2))],
        }
    )  # fmt: skip
    run, _, _ = crawl(tmp_path, f"{base}/liste")
    assert (run["status"], run["new"], run["errors"]) == ("ok", 2, 0)
    first, second = script.calls["/liste"]
    assert second - first >= 1.9  # it waited as long as the site asked
    assert len(script.calls["/offres/1"]) == 3


def test_retries_give_up_after_a_while_and_the_rest_is_kept(server, tmp_path):
    base, script = server(
        {
            "/liste": [(200, HTML, listing("/offres/1", "/offres/2"))],
            "/offres/1": [(503, {}, b"down for good")],
            "/offres/2": [(200, HTML, offer_page(2))],
        }
    )
    run, _, _ = crawl(tmp_path, f"{base}/liste", RETRY_TIMES=2)
    assert (run["status"], run["new"], run["errors"]) == ("partial", 1, 1)
    assert len(script.calls["/offres/1"]) == 3  # the first try and two retries


def slow():
    time.sleep(4)
    return offer_page(3)


def test_a_page_that_never_answers_in_time_is_an_error_not_a_hang(server, tmp_path):
    base, _ = server(
        {
            "/liste": [(200, HTML, listing("/offres/2", "/offres/3"))],
            "/offres/2": [(200, HTML, offer_page(2))],
            "/offres/3": [(200, HTML, slow)],
        }
    )
    started = time.monotonic()
    run, _, _ = crawl(tmp_path, f"{base}/liste", DOWNLOAD_TIMEOUT=1, RETRY_TIMES=1)
    assert (run["status"], run["new"], run["errors"]) == ("partial", 1, 1)
    assert time.monotonic() - started < 60


def test_a_redirect_loop_ends_with_an_error(server, tmp_path):
    base, _ = server(
        {
            "/liste": [(200, HTML, listing("/offres/boucle", "/offres/2"))],
            "/offres/boucle": [(302, {"Location": "/offres/boucle2"}, b"")],
            "/offres/boucle2": [(302, {"Location": "/offres/boucle"}, b"")],
            "/offres/2": [(200, HTML, offer_page(2))],
        }
    )
    run, _, stderr = crawl(tmp_path, f"{base}/liste")
    assert run["new"] == 1 and run["status"] in ("ok", "partial")


def test_a_10_mb_page_is_read(server, tmp_path):
    big = offer_page(4, padding=10 * 1024 * 1024)
    base, _ = server(
        {
            "/liste": [(200, HTML, listing("/offres/4"))],
            "/offres/4": [(200, HTML, big)],
        }
    )
    run, db, _ = crawl(tmp_path, f"{base}/liste")
    assert (run["status"], run["new"]) == ("ok", 1)
    assert open_db(str(db))["offers"].count == 1


def test_a_page_over_the_size_limit_is_dropped_and_the_crawl_goes_on(server, tmp_path):
    base, _ = server(
        {
            "/liste": [(200, HTML, listing("/offres/4", "/offres/2"))],
            "/offres/4": [(200, HTML, offer_page(4, padding=3 * 1024 * 1024))],
            "/offres/2": [(200, HTML, offer_page(2))],
        }
    )
    run, _, _ = crawl(tmp_path, f"{base}/liste", DOWNLOAD_MAXSIZE=1024 * 1024)
    assert (run["new"], run["status"]) == (1, "partial")


def test_truncated_and_malformed_pages_are_kept_as_rejects(server, tmp_path):
    broken = b'<html><script type="application/ld+json">{"@type": "JobPosting", "title": "x"'
    base, _ = server(
        {
            "/liste": [(200, HTML, listing("/offres/5", "/offres/6", "/offres/2"))],
            "/offres/5": [(200, HTML, broken)],
            "/offres/6": [(200, HTML, b"<html><body><p>plus d'offre ici</body>")],
            "/offres/2": [(200, HTML, offer_page(2))],
        }
    )
    run, db, _ = crawl(tmp_path, f"{base}/liste")
    assert run["new"] == 1 and run["rejects"] == 2
    reasons = {r["reason"] for r in open_db(str(db))["rejects"].rows}
    assert any(r.startswith("malformed JSON-LD") for r in reasons)
    assert "offer page without JobPosting JSON-LD" in reasons


RAISING = textwrap.dedent(
    """
    import json, sys
    from pipeline.crawl import DEFAULT_FIXTURES, run_crawl
    from spiders.jobposting import JobPostingSpider
    def broken(self, response, role):
        raise RuntimeError("a bug in the spider")
    JobPostingSpider.read_offers = broken
    runs = run_crawl(sys.argv[1], ["jobposting", "france_travail"], replay_dir=DEFAULT_FIXTURES)
    print(json.dumps({r["source"]: r for r in runs}))
    """
)


def test_a_spider_that_raises_is_reported_and_the_other_sources_complete(tmp_path):
    result = subprocess.run(
        [sys.executable, "-c", RAISING, str(tmp_path / "r.db")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    runs = json.loads(result.stdout.strip().splitlines()[-1])
    assert runs["jobposting"]["status"] == "failed" and runs["jobposting"]["errors"] > 0
    assert "a bug in the spider" in result.stderr
    assert runs["france_travail"]["new"] == 337


def stored_offers(path: str) -> int:
    """Offers committed so far, read without migrating or writing (the importer owns the file)."""
    import sqlite3

    try:
        with closing(sqlite3.connect(f"file:{path}?mode=ro", uri=True)) as db:
            return db.execute("select count(*) from offers").fetchone()[0]
    except sqlite3.Error:  # not created yet
        return 0


def test_an_import_killed_halfway_leaves_a_whole_database_and_can_be_run_again(tmp_path):
    import signal

    lines = tmp_path / "offers.jsonl"
    with lines.open("w", encoding="utf-8") as handle:
        for n in range(3000):
            offer = {
                "source": "import",
                "source_id": str(n),
                "title": f"Chef de projet chatbot {n}",
                "company": f"Entreprise {n}",
                "location": "Lyon (69)",
                "description": f"Projet chatbot numéro {n} : pilotage, recette, déploiement.",
            }
            handle.write(json.dumps(offer, ensure_ascii=False) + "\n")
    path = str(tmp_path / "i.db")
    command = [sys.executable, "-m", "pipeline", "--db", path, "import", str(lines)]
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and stored_offers(path) <= 100:
        time.sleep(0.1)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=30)
    db = open_db(path)
    assert db.execute("pragma integrity_check").fetchone()[0] == "ok"
    halfway = db["offers"].count
    orphans = db.execute(
        "select count(*) from offers where id not in (select offer_id from listings)"
    ).fetchone()[0]
    db.close()
    assert 0 < halfway < 3000 and orphans == 0
    again = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert again.returncode == 0, again.stderr
    db = open_db(path)
    assert db["offers"].count == db["listings"].count == 3000
    db.close()


RESUMABLE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    import pipeline.crawl as crawl
    db, url, job_dir = sys.argv[1], sys.argv[2], Path(sys.argv[3])
    project = crawl.project_settings
    def settings():
        s = project()
        s.setdict({"DOWNLOAD_DELAY": 0, "AUTOTHROTTLE_ENABLED": False, "ROBOTSTXT_OBEY": False,
                   "CONCURRENT_REQUESTS_PER_DOMAIN": 1}, priority="cmdline")
        return s
    crawl.project_settings = settings
    runs = crawl.run_crawl(db, ["jobposting"], spider_args={"jobposting": {"start_urls": url}},
                           job_dir=job_dir)
    print(json.dumps(runs[0]), flush=True)
    """
)


def test_a_crawl_stopped_with_ctrl_c_resumes_without_asking_again(server, tmp_path):
    import signal

    def offer_after_a_while(n):
        def body():
            time.sleep(0.25)
            return offer_page(n)

        return [(200, HTML, body)]

    # More offers than the downloader takes in at once (CONCURRENT_REQUESTS, 8): those it holds
    # are finished before stopping, the others wait in the scheduler's queue on disk.
    paths = [f"/offres/{n}" for n in range(1, 21)]
    routes = {"/liste": [(200, HTML, listing(*paths))]}
    routes |= {path: offer_after_a_while(n) for n, path in enumerate(paths, start=1)}
    base, script = server(routes)
    command = [sys.executable, "-c", RESUMABLE, str(tmp_path / "j.db"), f"{base}/liste"]
    command.append(str(tmp_path / "jobs"))
    first = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and sum(p in script.calls for p in paths) < 3:
        time.sleep(0.05)
    first.send_signal(signal.SIGINT)  # Ctrl-C: Scrapy stops cleanly and keeps its queue
    out, err = first.communicate(timeout=60)
    stopped = json.loads(out.strip().splitlines()[-1])
    assert stopped["status"] == "interrupted", err
    fetched = {p for p in paths if p in script.calls}
    assert 0 < len(fetched) < len(paths)
    again = subprocess.run(command, capture_output=True, text=True, timeout=120)
    resumed = json.loads(again.stdout.strip().splitlines()[-1])
    assert resumed["status"] == "ok", again.stderr
    # Every offer read exactly once over the two runs, the listing once.
    assert {p: len(script.calls[p]) for p in paths} == dict.fromkeys(paths, 1)
    assert len(script.calls["/liste"]) == 1
    assert stopped["new"] + resumed["new"] == len(paths)
