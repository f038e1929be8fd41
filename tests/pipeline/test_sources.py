from click.testing import CliRunner

from pipeline.cli import cli
from pipeline.sources import OPT_IN_ENV, Source, all_sources, default_sources, spider_args, state
from spiders.search_terms import search_terms, terms_for

PLAIN = Source("plain", "a board", opt_in=False, credentials=(), searches=True)
OPT = Source("optin", "a fragile board", opt_in=True, credentials=(), searches=True)
KEYED = Source("keyed", "an API", opt_in=False, credentials=("KEYED_ID",), searches=False)
SOURCES = {s.slug: s for s in (PLAIN, OPT, KEYED)}


def test_every_spider_is_a_source_with_a_description():
    sources = all_sources()
    assert {"france_travail", "jobposting"} <= set(sources)
    assert all(source.about for source in sources.values())
    assert sources["france_travail"].credentials


def test_opt_in_sources_are_left_out_unless_enabled(monkeypatch):
    monkeypatch.delenv(OPT_IN_ENV, raising=False)
    assert default_sources(SOURCES, offline=False) == ["plain", "keyed"]
    monkeypatch.setenv(OPT_IN_ENV, "optin, other")
    assert default_sources(SOURCES, offline=False) == ["plain", "optin", "keyed"]


def test_offline_every_source_replays_its_recordings(monkeypatch):
    monkeypatch.delenv(OPT_IN_ENV, raising=False)
    assert default_sources(SOURCES, offline=True) == ["plain", "optin", "keyed"]


def test_states_say_what_a_source_needs(monkeypatch):
    monkeypatch.delenv(OPT_IN_ENV, raising=False)
    monkeypatch.delenv("KEYED_ID", raising=False)
    assert state(PLAIN) == "enabled"
    assert state(OPT).startswith("opt-in (off")
    assert state(KEYED) == "needs KEYED_ID"
    monkeypatch.setenv("KEYED_ID", "x")
    monkeypatch.setenv(OPT_IN_ENV, "optin")
    assert (state(KEYED), state(OPT)) == ("enabled", "opt-in (on)")


def test_only_searching_sources_get_the_terms():
    args = spider_args(SOURCES, ["plain", "keyed"], ["chatbot"])
    assert args == {"plain": {"terms": ["chatbot"]}}
    assert spider_args(SOURCES, ["plain"], None) == {}


def test_a_chatbot_profile_searches_its_titles_then_the_role_vocabulary():
    terms = terms_for(["Chargé de projet chatbot", "Lead conversationnel"])
    assert terms[:2] == ["Chargé de projet chatbot", "Lead conversationnel"]
    assert set(search_terms()) <= {t for t in terms} | {"chargé de projet chatbot"}
    # Case aside, each term once.
    assert sum(t.casefold() == "chargé de projet chatbot" for t in terms) == 1


def test_another_role_searches_for_its_own_titles_only():
    assert terms_for(["Data analyst", "Analyste BI"]) == ["Data analyst", "Analyste BI"]


def test_sources_command_lists_every_source_with_its_last_run(tmp_path, monkeypatch):
    monkeypatch.delenv(OPT_IN_ENV, raising=False)
    db = str(tmp_path / "s.db")
    result = CliRunner().invoke(cli, ["--db", db, "sources"])
    assert result.exit_code == 0, result.output
    assert "france_travail" in result.output and "never crawled" in result.output
    for slug in all_sources():
        assert slug in result.output
