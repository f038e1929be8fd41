import json

import pytest
from scrapy import Request, Spider
from scrapy.exceptions import IgnoreRequest, NotConfigured
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from pipeline.replay import FixtureSet, ReplayMiddleware


class Demo(Spider):
    name = "demo"


def write_fixtures(folder, responses, files):
    folder.mkdir(parents=True)
    (folder / "manifest.json").write_text(json.dumps({"responses": responses}), "utf-8")
    for name, content in files.items():
        (folder / name).write_text(content, "utf-8")


def middleware(settings):
    crawler = get_crawler(Demo, settings)
    crawler.spider = Demo()
    return ReplayMiddleware.from_crawler(crawler), crawler


@pytest.fixture
def replay(tmp_path):
    write_fixtures(
        tmp_path / "demo",
        [
            {
                "url": "https://x.test/s?b=2&a=1",
                "status": 206,
                "headers": {"Content-Range": "offres 0-1/2", "Content-Type": "application/json"},
                "file": "p.json",
            },
            {
                "method": "POST",
                "url": "https://x.test/q",
                "body": {"page": 0},
                "status": 429,
                "headers": {"Retry-After": "3"},
            },
            {
                "method": "POST",
                "url": "https://x.test/q",
                "body": {"page": 0},
                "status": 200,
                "file": "q0.json",
            },
            {"method": "POST", "url": "https://x.test/q", "body": {"page": 1}, "file": "q1.json"},
        ],
        {"p.json": '{"resultats": []}', "q0.json": '{"page": 0}', "q1.json": '{"page": 1}'},
    )
    return middleware({"BOTJOBS_REPLAY_DIR": str(tmp_path)})


def test_not_configured_without_a_folder():
    with pytest.raises(NotConfigured):
        middleware({})


def test_query_order_does_not_matter_and_headers_are_served(replay):
    mw, _ = replay
    response = mw.process_request(Request("https://x.test/s?a=1&b=2"))
    assert isinstance(response, TextResponse)
    assert response.status == 206
    assert response.headers["Content-Range"] == b"offres 0-1/2"
    assert json.loads(response.text) == {"resultats": []}


def test_same_request_is_served_in_order_then_the_last_repeats(replay):
    mw, _ = replay
    post = lambda page: Request(  # noqa: E731
        "https://x.test/q", method="POST", body=json.dumps({"page": page})
    )
    statuses = [mw.process_request(post(0)).status for _ in range(3)]
    assert statuses == [429, 200, 200]
    assert json.loads(mw.process_request(post(1)).text) == {"page": 1}


def test_a_request_without_recording_never_goes_out(replay):
    mw, crawler = replay
    with pytest.raises(IgnoreRequest):
        mw.process_request(Request("https://x.test/other"))
    assert crawler.stats.get_value("replay/missing") == 1
    assert mw.process_request(Request("https://x.test/robots.txt")).status == 404


def test_recording_writes_a_manifest_replay_can_serve(tmp_path):
    mw, _ = middleware({"BOTJOBS_RECORD_DIR": str(tmp_path)})
    token = Request(
        "https://auth.test/token",
        method="POST",
        body="client_secret=s3cret",
        meta={"botjobs_redact": ["access_token"]},
        headers={"Authorization": "Basic c2VjcmV0"},
    )
    mw.process_response(
        token,
        TextResponse(
            token.url,
            body=b'{"access_token": "abc", "expires_in": 1499}',
            headers={"Content-Type": "application/json"},
        ),
    )
    search = Request("https://api.test/search?q=chatbot", headers={"Authorization": "Bearer abc"})
    mw.process_response(
        search,
        TextResponse(
            search.url,
            status=206,
            body=b'{"resultats": [1]}',
            headers={
                "Content-Range": "offres 0-0/1",
                "Content-Type": "application/json",
                "Set-Cookie": "session=1",
            },
        ),
    )
    folder = tmp_path / "demo"
    written = "".join(p.read_text("utf-8") for p in folder.iterdir())
    assert "s3cret" not in written and "abc" not in written and "session=1" not in written
    assert "c2VjcmV0" not in written
    fixtures = FixtureSet(folder)
    replayed = fixtures.response(fixtures.find(search), search)
    assert replayed.status == 206 and json.loads(replayed.text) == {"resultats": [1]}
    token_entry = fixtures.find(Request("https://auth.test/token", method="POST", body="other"))
    assert json.loads((folder / token_entry["file"]).read_text())["access_token"] == "REDACTED"
