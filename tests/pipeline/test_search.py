"""`botjobs search`: FTS5 over the stored offers, forgiving by default, explained when raw."""

import json
from datetime import UTC, datetime

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from db.migrations import open_db
from matching.profile import TEMPLATE
from pipeline.cli import cli
from pipeline.ingest import Ingest
from pipeline.match import read_profile, score_offers, store_profile
from pipeline.search import (
    SearchError,
    check_query,
    explain_fts_error,
    forgiving_parts,
    forgiving_query,
    is_common,
    parse_since,
    search_offers,
    snippet_expression,
)

OFFERS = [
    {
        "source": "apec", "source_id": "1", "title": "Chef de projet chatbot H/F",
        "company": "ACME", "location": "Paris 08 - 75", "salary": "45 - 50 k€ brut annuel",
        "contract": "CDI",
        "description": "Vous pilotez le chef-de-projet chatbot : Dialogflow, Rasa, Node.js.",
    },
    {
        "source": "apec", "source_id": "2", "title": "Développeur C++ embarqué",
        "company": "Robotik", "location": "Lyon (69)", "contract": "CDI",
        "description": "Développement temps réel en C++ sur cibles ARM. Aucun lien avec les bots.",
    },
    {
        "source": "apec", "source_id": "3", "title": "Product owner IA conversationnelle",
        "company": "Société Générale", "location": "Nantes (44)", "contract": "CDI",
        "description": (
            "Au sein de l'équipe digitale, vous définissez la feuille de route et priorisez le "
            "backlog. Vous travaillez avec les designers, les data scientists et les équipes "
            "métier sur de nombreux sujets, dont un chatbot de support client en production."
        ),
    },
    {
        "source": "apec", "source_id": "4", "title": "Conversation designer",
        "company": "Voxa", "location": "Bordeaux (33)", "contract": "CDD",
        "description": "Écriture des dialogues du voicebot et de l'assistant virtuel.",
    },
]  # fmt: skip
OLD = "2026-01-05T09:00:00+00:00"


@pytest.fixture(autouse=True)
def no_user_profile(tmp_path, monkeypatch):
    # The default profile is the starter one, not whatever this machine's user wrote.
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))


@pytest.fixture
def db_path(tmp_path):
    path = str(tmp_path / "s.db")
    db = open_db(path)
    ingest = Ingest(db, "apec", "import")
    for offer in OFFERS:
        ingest.add(offer)
    ingest.finish()
    profile, text, where = read_profile(TEMPLATE)
    profile_id, _ = store_profile(db, profile, text, where)
    score_offers(db, profile, profile_id)
    # Offer 4 is left unscored, offer 3 was first seen long ago.
    db.execute("delete from matches where offer_id = 4")
    db.execute("update offers set first_seen = ? where id = 3", [OLD])
    db.conn.commit()
    db.close()
    return path


def run(db_path, *args):
    return CliRunner().invoke(cli, ["--db", db_path, "search", *args], catch_exceptions=False)


def found_ids(result):
    return [row["id"] for row in json.loads(result.stdout)]


# --- the forgiving query ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expression"),
    [
        ("chatbot", '"chatbot"'),
        ("chef-de-projet", '"chef-de-projet"'),
        ("Node.js", '"Node.js"'),
        ("C++", '"C++"'),
        ("l'IA", '"l\'IA"'),
        ("chat*", '"chat"*'),
        ('"assistant virtuel" rasa', '"assistant virtuel" "rasa"'),
        ('say "hi', '"say" """hi"'),
        ("AND", '"AND"'),
        ("NEAR(", '"NEAR("'),
        ("foo:bar", '"foo:bar"'),
        ("chatbot - * ++", '"chatbot"'),
        ("rasa\x00bot", '"rasa" "bot"'),
    ],
)
def test_each_word_is_quoted(typed, expression):
    assert forgiving_query(typed) == expression


@pytest.mark.parametrize("typed", ["", "   ", "*", "- ++ *", '""', '" "'])
def test_nothing_to_search_is_an_error(typed):
    with pytest.raises(SearchError, match="nothing to search"):
        forgiving_query(typed)


@pytest.fixture(scope="module")
def empty_db():
    db = open_db(":memory:")
    yield db
    db.close()


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_a_forgiving_query_is_always_valid_fts5(empty_db, typed):
    try:
        expression = forgiving_query(typed)
    except SearchError:
        return
    check_query(empty_db, expression)  # raises SearchError if FTS5 can't read it


# --- raw queries, malformed ---------------------------------------------------------------------

MALFORMED = [
    ('"chatbot', "double quote"),
    ('chatbot "rasa', "double quote"),
    ("AND", "AND needs a search term on each side"),
    ("OR", "OR needs a search term on each side"),
    ("NOT chatbot", "NOT needs a search term on each side"),
    ("chatbot AND", "ends too early"),
    ("NEAR(", "ends too early"),
    ("NEAR(chatbot rasa", "ends too early"),
    ("(chatbot", "ends too early"),
    ("chatbot)", 'near ")"'),
    ("NEAR(chatbot rasa, x)", "NEAR(…, N) needs a whole number"),
    ("foo:chatbot", '"foo" is read as a column name'),
    ("salary:chatbot", '"salary" is read as a column name'),
    ("-chatbot", '"chatbot" is read as a column name'),
    ("*", "a lone * searches nothing"),
    ("C++", 'near "+"'),
    ("Node.js", 'near "."'),
    (":", 'near ":"'),
]


@pytest.mark.parametrize(("query", "explained"), MALFORMED)
def test_malformed_raw_query_is_explained_in_one_line_with_exit_2(db_path, query, explained):
    result = run(db_path, "--raw", "--", query)
    assert result.exit_code == 2
    assert result.stdout == ""
    errors = [line for line in result.stderr.splitlines() if line.startswith("error:")]
    assert len(errors) == 1
    assert explained in errors[0]
    assert "Traceback" not in result.stderr
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


@pytest.mark.parametrize(("query", "explained"), [q for q in MALFORMED if q[0] not in "*:"])
def test_the_same_text_searches_fine_without_raw(db_path, query, explained):
    result = run(db_path, "--format", "json", "--", query)
    assert result.exit_code == 0, result.stderr
    assert isinstance(json.loads(result.stdout), list)


@pytest.mark.parametrize("query", ["*", ":"])
def test_no_word_at_all_is_explained_without_raw_too(db_path, query):
    result = run(db_path, query)
    assert result.exit_code == 2
    assert "error: nothing to search for" in result.stderr


@pytest.mark.parametrize(
    ("message", "fragment"),
    [
        ("unterminated string", "double quote"),
        ('fts5: syntax error near ""', "ends too early"),
        ("something new from sqlite", "something new from sqlite"),
    ],
)
def test_explanations_are_one_line(message, fragment):
    text = explain_fts_error(message)
    assert fragment in text and "\n" not in text


# --- what a search finds ------------------------------------------------------------------------


def test_accents_and_case_are_ignored(db_path):
    assert found_ids(run(db_path, "--format", "json", "developpement")) == [2]
    assert found_ids(run(db_path, "--format", "json", "SOCIETE generale")) == [3]
    assert found_ids(run(db_path, "--format", "json", "écriture DIALOGUES")) == [4]


def test_punctuated_words_just_work(db_path):
    assert found_ids(run(db_path, "--format", "json", "chef-de-projet")) == [1]
    assert found_ids(run(db_path, "--format", "json", "Node.js")) == [1]
    assert 2 in found_ids(run(db_path, "--format", "json", "C++"))


def test_every_word_must_be_found_and_prefixes_work(db_path):
    assert found_ids(run(db_path, "--format", "json", "chatbot dialogflow")) == [1]
    assert set(found_ids(run(db_path, "--format", "json", "voice*"))) == {4}


def test_raw_mode_passes_fts5_syntax_through(db_path):
    result = run(db_path, "--raw", "--format", "json", "title:chatbot OR voicebot")
    assert set(found_ids(result)) == {1, 4}
    result = run(db_path, "--raw", "--format", "json", "chatbot NOT dialogflow")
    assert found_ids(result) == [3]


def test_a_title_match_ranks_above_a_passing_mention(db_path):
    # Offer 1 has chatbot in its title, offer 3 once deep in a long description.
    assert found_ids(run(db_path, "--format", "json", "chatbot")) == [1, 3]


def test_snippet_marks_the_words_found(db_path):
    row = json.loads(run(db_path, "--format", "json", "backlog").stdout)[0]
    assert "[backlog]" in row["snippet"]
    assert row["snippet"].startswith("…")  # a passage, not the whole description


def test_title_only_match_still_gets_a_marked_snippet(db_path):
    row = json.loads(run(db_path, "--format", "json", "embarqué").stdout)[0]
    assert "[embarqué]" in row["snippet"]


def test_function_words_are_searched_but_not_marked(db_path):
    row = json.loads(run(db_path, "--format", "json", "chef de projet").stdout)[0]
    assert row["id"] == 1
    assert "[chef]-de-[projet]" in row["snippet"]
    # Quoted, the phrase is marked whole; alone, a function word is all there is to mark.
    row = json.loads(run(db_path, "--format", "json", '"chef de projet"').stdout)[0]
    assert "[chef-de-projet]" in row["snippet"]
    assert snippet_expression(['"de"', '"la"']) == '"de" "la"'
    assert snippet_expression(['"chef"', '"de"', '"Projet"*']) == '"chef" "Projet"*'


def test_score_is_shown_when_the_profile_scored_the_offer(db_path):
    rows = json.loads(run(db_path, "--format", "json", "conversation*").stdout)
    scores = {row["id"]: row["score"] for row in rows}
    assert scores[4] is None  # unscored
    assert isinstance(scores[3], int)
    table = run(db_path, "voicebot")
    assert table.stdout.splitlines()[0].startswith("  –  #4 Conversation designer — Voxa")
    assert "[voicebot]" in table.stdout.splitlines()[1]


def test_table_line_has_company_place_and_pay(db_path):
    first = run(db_path, "dialogflow").stdout.splitlines()[0]
    assert "#1 Chef de projet chatbot — ACME · Paris (75) · 45–50 k€" in first
    assert first[:3].strip().isdigit()


def test_unknown_profile_says_it_has_no_scores(db_path, tmp_path):
    other = tmp_path / "p.toml"
    other.write_text(
        TEMPLATE.read_text(encoding="utf-8").replace(
            'name = "Chargé de projet chatbot"', 'name = "Autre"'
        ),
        encoding="utf-8",
    )
    result = run(db_path, "--profile", str(other), "--format", "json", "chatbot")
    assert "no scores for the profile 'Autre'" in result.stderr
    assert all(row["score"] is None for row in json.loads(result.stdout))


def test_since_filters_on_first_seen(db_path):
    assert found_ids(run(db_path, "--format", "json", "chatbot")) == [1, 3]
    assert found_ids(run(db_path, "--format", "json", "--since", "7d", "chatbot")) == [1]
    assert found_ids(run(db_path, "--format", "json", "--since", "2026-01-01", "chatbot")) == [1, 3]
    result = run(db_path, "--since", "soon", "chatbot")
    assert result.exit_code == 2 and "--since" in result.stderr


def test_a_crowded_query_ranks_the_most_recent_hits(db_path, monkeypatch):
    import pipeline.search as search_module

    db = open_db(db_path)
    every = [
        row["id"]
        for row in db.query(
            "select rowid as id from offers_fts where offers_fts match '\"chatbot\"'"
        )
    ]
    newest = sorted(every)[-2:]
    monkeypatch.setattr(search_module, "RANKED_HITS", 2)
    assert {r["id"] for r in search_offers(db, '"chatbot"', limit=0)} == set(newest)
    db.close()
    result = run(db_path, "chatbot")
    assert "the 2 most recent were ranked" in result.stderr


def test_limit(db_path):
    assert len(found_ids(run(db_path, "--format", "json", "--limit", "1", "chatbot"))) == 1
    assert len(found_ids(run(db_path, "--format", "json", "--limit", "0", "chatbot"))) == 2


def test_user_input_is_only_a_bound_parameter(db_path):
    hostile = "x'); drop table offers; --"
    assert run(db_path, hostile).exit_code == 0
    assert run(db_path, "--raw", hostile).exit_code == 2
    db = open_db(db_path)
    assert db["offers"].count == 4
    db.close()


def test_search_offers_is_usable_without_the_command(db_path):
    db = open_db(db_path)
    rows = search_offers(db, forgiving_query("rasa"), limit=None)
    db.close()
    assert [row["id"] for row in rows] == [1]
    assert rows[0]["pay"] == "45–50 k€" and rows[0]["place"] == "Paris (75)"


def _offers_naming(tmp_path, descriptions: list[str]):
    db = open_db(str(tmp_path / "common.db"))
    ingest = Ingest(db, "apec", "import")
    for n, description in enumerate(descriptions):
        title = f"Poste {n}"
        ingest.add({"source": "apec", "source_id": str(n), "title": title, "company": f"C{n}",
                    "description": description})  # fmt: skip
    ingest.finish()
    return db


def test_words_in_most_offers_filter_the_hits_without_ranking_them(tmp_path, monkeypatch):
    import pipeline.search as search_module

    monkeypatch.setattr(search_module, "COMMON_SAMPLE", 10)
    # "projet" in every offer, "chatbot" in one in four, once or three times.
    descriptions = [
        "Un projet de suivi." if n % 4 else "Un projet chatbot" + " chatbot" * (n % 3) + "."
        for n in range(60)
    ]
    db = _offers_naming(tmp_path, descriptions)
    assert is_common(db, '"projet"') and not is_common(db, '"chatbot"')
    parts = forgiving_parts("projet chatbot")
    ranked = search_offers(db, " ".join(parts), limit=0, parts=parts)
    assert [r["id"] for r in ranked] == [
        r["id"] for r in search_offers(db, " ".join(parts), limit=0)
    ]
    assert len(ranked) == 15
    # Every word common: the newest first.
    newest = search_offers(db, '"projet"', limit=3, parts=['"projet"'])
    assert [r["id"] for r in newest] == [60, 59, 58]
    db.close()


def test_a_word_in_fewer_offers_than_the_sample_is_not_common(db_path):
    db = open_db(db_path)
    assert not is_common(db, '"chatbot"')
    db.close()


# --- --since ------------------------------------------------------------------------------------

NOW = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "moment"),
    [
        ("24h", "2026-11-26 12:00:00"),
        ("7d", "2026-11-20 12:00:00"),
        ("2w", "2026-11-13 12:00:00"),
        (" 3D ", "2026-11-24 12:00:00"),
        ("2026-11-20", "2026-11-20 00:00:00"),
        ("2026-11-20T10:30:00", "2026-11-20 10:30:00"),
        ("2026-11-20T10:30:00+01:00", "2026-11-20 09:30:00"),
    ],
)
def test_parse_since(text, moment):
    assert parse_since(text, NOW) == moment


@pytest.mark.parametrize("text", ["", "7", "d", "7y", "yesterday", "2026-13-01"])
def test_parse_since_refuses_what_it_cannot_read(text):
    with pytest.raises(ValueError):
        parse_since(text, NOW)
