"""`botjobs digest`: matched offers, best first, as CSV, JSON Lines or one HTML page."""

import csv
import io
import json
import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from db.migrations import open_db
from matching.profile import TEMPLATE
from pipeline.cli import cli
from pipeline.digest import (
    CSV_COLUMNS,
    Bar,
    neutralise,
    parse_since,
    render_csv,
    safe_url,
    salary_svg,
    stamp,
)
from pipeline.ingest import Ingest

SCRIPT = "<script>alert(1)</script>"
HYPERLINK = '=HYPERLINK("http://evil","x")'
OFFERS = [
    {
        "source": "apec", "source_id": "1", "title": "Chargé de projet chatbot H/F",
        "url": "https://apec.example/offres/1", "company": "ACME", "location": "Paris 08 - 75",
        "salary": "45 - 50 k€ brut annuel", "contract": "CDI",
        "description": "Chatbot Dialogflow et Rasa, gestion de projet. Télétravail 2 jours.",
    },
    {
        "source": "apec", "source_id": "2", "title": f"Chef de projet chatbot {SCRIPT}",
        "url": "javascript:alert(1)", "company": f"{SCRIPT} SA", "location": "Nantes (44)",
        "salary": "30 - 35 k€ brut annuel", "contract": "CDD",
        "description": "Projet chatbot, Dialogflow.",
    },
    {
        "source": "apec", "source_id": "3", "title": "-2+3", "url": "https://apec.example/offres/3",
        "company": HYPERLINK, "location": "Lyon (69)", "description": "Support.",
    },
    {
        "source": "apec", "source_id": "4", "title": "@SUM(1)", "url": "http://apec.example/4",
        "company": "Beta", "location": "Lille (59)", "salary": "55 - 60 k€ brut annuel",
        "description": "Gestion de projet.",
    },
]  # fmt: skip
SECOND_LINK = "https://careers.acme.example/jobs/chatbot?ref=a&b=1"


def ingest(path, offers):
    db = open_db(path)
    ingest = Ingest(db, "apec", "import")
    for offer in offers:
        assert ingest.add(offer) == "new"
    db.close()


def ago(**delta) -> str:
    return stamp(datetime.now(UTC) - timedelta(**delta))


@pytest.fixture
def env(tmp_path, monkeypatch):
    """A database of the four offers above (offer 1 also listed by a second source), a profile
    file, and an empty folder as the current directory."""
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    out = tmp_path / "out"
    out.mkdir()
    monkeypatch.chdir(out)
    db_path = str(tmp_path / "d.db")
    ingest(db_path, OFFERS)
    db = open_db(db_path)
    db["listings"].insert(
        {
            "source": "jobposting",
            "source_id": "acme-7",
            "offer_id": 1,
            "url": SECOND_LINK,
            "first_seen": ago(hours=1),
            "last_seen": ago(hours=1),
            "content_hash": "x",
            "raw": "{}",
        }
    )
    # A normaliser could leave a formula-looking title; the digest must not trust it.
    db["offers"].update(4, {"title_clean": HYPERLINK})
    db.close()
    profile = tmp_path / "profile.toml"
    profile.write_text(TEMPLATE.read_text(encoding="utf-8"), encoding="utf-8")
    runner = CliRunner()

    def run(*args, code=0):
        result = runner.invoke(
            cli, ["--db", db_path, "digest", "--profile", str(profile), *args],
            catch_exceptions=False,
        )  # fmt: skip
        assert result.exit_code == code, result.output
        return result

    run.db = db_path
    run.out = out
    return run


def query(path, sql, params=()):
    db = open_db(path)
    try:
        return list(db.query(sql, params))
    finally:
        db.close()


def written(result) -> str:
    """The path the command said it wrote to."""
    found = re.search(r"^(\d+) offers written to (.+)$", result.stderr, re.M)
    assert found, result.stderr
    return found[2]


def csv_rows(path, delimiter=","):
    data = Path(path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    text = data[3:].decode("utf-8")
    return list(csv.DictReader(io.StringIO(text, newline=""), delimiter=delimiter))


def jsonl(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def hrefs(page: str) -> list[str]:
    return re.findall(r'href="([^"]*)"', page)


# --- CSV -----------------------------------------------------------------------------------------


def test_default_csv_file_has_bom_header_and_every_offer(env):
    result = env()
    path = written(result)
    today = datetime.now().astimezone().date().isoformat()
    assert path == str(env.out / f"botjobs-digest-{today}.csv")
    assert result.stderr.rstrip().endswith(f"4 offers written to {path}")
    data = Path(path).read_bytes()
    assert data.startswith(b"\xef\xbb\xbfscore,reasons,title,")
    rows = csv_rows(path)
    assert [int(r["id"]) for r in rows] and len(rows) == 4
    assert list(rows[0]) == list(CSV_COLUMNS)
    assert "Télétravail" not in data.decode("utf-8-sig")  # reasons, not descriptions
    first = next(r for r in rows if r["id"] == "1")
    assert first["salary"] == "45–50 k€"
    assert first["place"] == "Paris (75)"
    assert first["contract"] == "CDI"


def test_a_second_digest_the_same_day_does_not_overwrite_the_first(env):
    first = written(env())
    second = written(env())
    assert first != second and second.endswith("-2.csv")


def test_semicolon_delimiter_for_a_french_spreadsheet(env):
    path = written(env("--delimiter", ";"))
    data = Path(path).read_bytes().decode("utf-8-sig")
    assert data.startswith("score;reasons;title;employer;salary;place;")
    assert "\r\n" in data
    rows = csv_rows(path, ";")
    assert len(rows) == 4 and all(len(r) == len(CSV_COLUMNS) for r in rows)
    assert all(None not in r for r in rows)  # no row split into extra cells


def test_cells_that_a_spreadsheet_would_run_are_neutralised(env):
    rows = csv_rows(written(env("--delimiter", ";")), ";")
    by_id = {r["id"]: r for r in rows}
    assert by_id["3"]["title"] == "'-2+3"
    assert by_id["3"]["employer"] == "'" + HYPERLINK
    assert by_id["4"]["title"] == "'" + HYPERLINK
    for row in rows:
        for value in row.values():
            assert not value.startswith(("=", "+", "-", "@", "\t", "\r")), value


@pytest.mark.parametrize(
    "value, expected",
    [
        ("=1+1", "'=1+1"),
        ("+33 1 23", "'+33 1 23"),
        ("-2+3", "'-2+3"),
        ("@SUM(1)", "'@SUM(1)"),
        ("\tTAB", "'\tTAB"),
        ("\rCR", "'\rCR"),
        ("Chef de projet = chatbot", "Chef de projet = chatbot"),
        ("", ""),
        (None, None),
        (42, 42),
    ],
)
def test_neutralise(value, expected):
    assert neutralise(value) == expected


def test_render_csv_of_nothing_is_the_bom_and_the_header():
    assert "".join(render_csv([], ";")) == "\ufeff" + ";".join(CSV_COLUMNS) + "\r\n"


def test_every_listing_link_is_in_the_csv_cell(env):
    rows = csv_rows(written(env()))
    first = next(r for r in rows if r["id"] == "1")
    assert first["links"] == f"apec: https://apec.example/offres/1 | jobposting: {SECOND_LINK}"


# --- order and choice of offers --------------------------------------------------------------


def test_best_first_whatever_the_order_of_ids(env):
    env()  # scores every offer
    db = open_db(env.db)
    for offer_id, score in {1: 20, 2: 55, 3: 90, 4: 55}.items():
        db["matches"].update((1, offer_id), {"score": score})
    db.execute("update offers set posted_at = '2026-01-01' where id = 2")
    db.execute("update offers set posted_at = '2026-03-01' where id = 4")
    db.close()
    rows = jsonl(env("--format", "jsonl", "--output", "-"))
    assert [(r["id"], r["score"]) for r in rows] == [(3, 90), (4, 55), (2, 55), (1, 20)]


def test_min_score_leaves_out_the_lower_ones(env):
    everything = jsonl(env("--format", "jsonl", "--output", "-"))
    scores = sorted(r["score"] for r in everything)
    assert scores[0] < scores[-1]
    threshold = scores[-1]
    kept = jsonl(env("--format", "jsonl", "--output", "-", "--min-score", str(threshold)))
    assert kept and len(kept) < len(everything)
    assert all(r["score"] >= threshold for r in kept)
    assert [r["score"] for r in everything] == sorted(scores, reverse=True)


def test_since_seven_days_and_since_a_date(env):
    db = open_db(env.db)
    db.execute("update offers set first_seen = ? where id in (3, 4)", [ago(days=10)])
    db.close()
    recent = jsonl(env("--since", "7d", "--format", "jsonl", "--output", "-"))
    assert sorted(r["id"] for r in recent) == [1, 2]
    day = (datetime.now().astimezone() - timedelta(days=3)).date().isoformat()
    assert sorted(r["id"] for r in jsonl(env("--since", day, "--format", "jsonl", "-o", "-"))) == [
        1,
        2,
    ]
    assert len(jsonl(env("--since", "11d", "--format", "jsonl", "-o", "-"))) == 4
    assert jsonl(env("--since", "24h", "--format", "jsonl", "-o", "-")) != []


def test_new_remembers_the_last_digest_of_the_profile(env):
    first = env("--new")
    assert "4 offers written to" in first.stderr
    second = env("--new")
    assert "0 offers written to" in second.stderr
    assert "no new offers since the last digest" in second.stderr
    assert len(csv_rows(written(second))) == 0
    # The next crawl comes later: move the past back an hour so its second is not this one's.
    db = open_db(env.db)
    db.execute("update offers set first_seen = ?", [ago(hours=2)])
    db.execute("update digests set written_at = ?", [ago(hours=1)])
    db.close()
    ingest(
        env.db,
        [{"source": "apec", "source_id": "5", "title": "Product owner chatbot", "url": None}],
    )
    third = jsonl(env("--new", "--format", "jsonl", "--output", "-"))
    assert [r["title"] for r in third] == ["Product owner chatbot"]
    assert jsonl(env("--new", "--format", "jsonl", "--output", "-")) == []
    kept = query(env.db, "select offers, format, path from digests order by id")
    assert [(k["offers"], k["format"]) for k in kept] == [
        (4, "csv"), (0, "csv"), (1, "jsonl"), (0, "jsonl"),
    ]  # fmt: skip
    assert kept[-1]["path"] == "-"


def test_new_is_per_profile(env, tmp_path):
    env("--new")
    other = tmp_path / "other.toml"
    other.write_text(
        TEMPLATE.read_text(encoding="utf-8").replace(
            'name = "Chargé de projet chatbot"', 'name = "Conversation designer"'
        ),
        encoding="utf-8",
    )
    result = CliRunner().invoke(
        cli, ["--db", env.db, "digest", "--profile", str(other), "--new", "-o", "-"]
    )
    assert result.exit_code == 0
    assert "4 offers written to -" in result.stderr


def test_new_and_since_together_is_a_usage_error(env):
    result = env("--new", "--since", "7d", code=2)
    assert "--new and --since" in result.output


@pytest.mark.parametrize("bad", ["yesterday", "7x", "2026-13-01"])
def test_a_since_that_is_no_date_is_refused(env, bad):
    assert "--since" in env("--since", bad, code=2).output


def test_delimiter_is_for_csv_only_and_one_character(env):
    env("--format", "jsonl", "--delimiter", ";", code=2)
    env("--delimiter", ";;", code=2)


# --- JSON Lines --------------------------------------------------------------------------------


def test_jsonl_values_are_typed(env):
    result = env("--format", "jsonl", "--output", "-")
    assert result.stderr.rstrip().endswith("4 offers written to -")
    rows = {r["id"]: r for r in jsonl(result)}
    first = rows[1]
    assert isinstance(first["score"], int)
    assert (first["salary_min"], first["salary_max"]) == (45000, 50000)
    assert isinstance(first["salary_min"], int)
    assert first["salary"] == "45–50 k€"
    assert first["contract"] == "CDI" and first["department"] == "75"
    assert first["links"] == [
        {"source": "apec", "url": "https://apec.example/offres/1"},
        {"source": "jobposting", "url": SECOND_LINK},
    ]
    assert rows[3]["salary_min"] is None and rows[3]["salary"] is None
    assert rows[3]["employer"] == HYPERLINK  # JSON is data: no spreadsheet quote here


# --- HTML -------------------------------------------------------------------------------------


@pytest.fixture
def page(env):
    path = written(env("--format", "html"))
    assert path.endswith(".html")
    return Path(path).read_text(encoding="utf-8")


def test_html_escapes_everything_from_the_data(page):
    assert "<script" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; SA" in page  # the company
    assert "HYPERLINK(&quot;http://evil&quot;,&quot;x&quot;)" in page


def test_html_links_only_http_and_never_javascript(page):
    links = hrefs(page)
    assert links
    assert all(re.match(r"https?://|#o\d+$", link) for link in links), links
    assert "javascript:" not in " ".join(links)
    card = re.search(r'<li class="offer" id="o2">.*?</li>\n', page, re.S)[0]
    assert "<a " not in card.split("</h2>")[0]  # the title of offer 2 is not a link


def test_html_has_every_listing_link_and_the_title_linked_to_the_first(page):
    card = re.search(r'<li class="offer" id="o1">.*?</li>\n', page, re.S)[0]
    assert card.count("<a ") == 3
    assert '<h2><a href="https://apec.example/offres/1"' in card
    assert "https://careers.acme.example/jobs/chatbot?ref=a&amp;b=1" in card


def test_html_is_self_contained(page):
    assert page.startswith("<!DOCTYPE html>")
    assert '<meta charset="utf-8">' in page
    for outside in ("<script", "<link", "src=", "@import", "url(", "<iframe"):
        assert outside not in page


def test_html_header_says_profile_and_counts(page):
    header = re.search(r"<header>.*?</header>", page, re.S)[0]
    assert "Chargé de projet chatbot" in header
    assert "4 offers" in header
    assert "your band 40–50 k€" in header


def test_html_salary_chart_has_one_bar_per_offer_with_a_salary(env, page):
    with_salary = query(
        env.db, "select id from offers where salary_annual_min is not null"
        " or salary_annual_max is not null",
    )  # fmt: skip
    assert len(with_salary) == 3
    svgs = re.findall(r"<svg.*?</svg>", page, re.S)
    assert len(svgs) == 2
    salaries, sources = (ET.fromstring(svg) for svg in svgs)  # well-formed XML
    ns = "{http://www.w3.org/2000/svg}"
    bars = [r for r in salaries.iter(f"{ns}rect") if "bar" in r.get("class").split()]
    assert len(bars) == len(with_salary)
    assert [r for r in salaries.iter(f"{ns}rect") if r.get("class") == "band"]
    counts = {t.text.split(":")[0]: t.text for t in sources.iter(f"{ns}title")}
    assert counts == {"apec": "apec: 4", "jobposting": "jobposting: 1"}


def test_html_cards_best_first(env, page):
    ids = [int(i) for i in re.findall(r'<li class="offer" id="o(\d+)"', page)]
    scores = [int(s) for s in re.findall(r'<span class="score \w+"[^>]*>(\d+)</span>', page)]
    ranked = query(
        env.db, "select offer_id, score from matches order by score desc, offer_id"
    )  # fmt: skip
    assert sorted(ids) == [1, 2, 3, 4]
    assert scores == sorted(scores, reverse=True) == [r["score"] for r in ranked]
    assert ids[0] == ranked[0]["offer_id"] == 1


def test_an_empty_digest_is_still_a_valid_page_and_says_so(env):
    db = open_db(env.db)
    db.execute("update offers set first_seen = ?", [ago(days=30)])
    db.close()
    result = env("--since", "1d", "--format", "html")
    assert "0 offers written to" in result.stderr
    assert "no offers match" in result.stderr
    page = Path(written(result)).read_text(encoding="utf-8")
    assert "No offers in this digest." in page
    assert page.rstrip().endswith("</html>") and "<svg" not in page


# --- pure helpers ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url, safe",
    [
        ("https://a.example/x", True),
        ("HTTP://A.EXAMPLE", True),
        ("  https://a.example/x  ", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\nscript:alert(1)", False),
        ("data:text/html,<b>x</b>", False),
        ("//evil.example/x", False),
        ("https://a.example/\x00", False),
        ("", False),
        (None, False),
    ],
)
def test_safe_url(url, safe):
    assert (safe_url(url) is not None) is safe


def test_parse_since():
    now = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    assert parse_since("7d", now) == now - timedelta(days=7)
    assert parse_since("24h", now) == now - timedelta(hours=24)
    assert parse_since("2W", now) == now - timedelta(weeks=2)
    assert parse_since("2026-11-20T08:00+01:00", now) == datetime(2026, 11, 20, 7, tzinfo=UTC)
    with pytest.raises(ValueError):
        parse_since("last week", now)


def test_salary_chart_open_ranges_and_the_band():
    svg = salary_svg(
        [Bar(1, "a", 40000, 50000), Bar(2, "b <i>", None, 30000), Bar(3, "c", 70000, None)],
        (40000, 50000),
    )
    root = ET.fromstring(svg)
    classes = [r.get("class") for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert classes == ["band", "bar range", "bar open below", "bar open"]
    assert "b &lt;i&gt;" in svg
    assert salary_svg([Bar(1, "a", None, None)], (None, None)).startswith("<p")
