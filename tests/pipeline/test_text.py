"""pipeline.text: HTML to readable text, and the shared helpers (mojibake, folding)."""

from __future__ import annotations

import csv
import json
import re
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline import contract, dates, education, remote, seniority, title
from pipeline.text import (
    Phrases,
    clean_input,
    flatten_description,
    fold,
    html_to_text,
    needed_words,
    repair_mojibake,
    squash_spaces,
    vocabulary_pattern,
)

FIXTURES = Path(__file__).parent.parent / "fixtures"


@pytest.mark.parametrize(
    "html, text",
    [
        ("<p>Un</p><p>Deux</p>", "Un\n\nDeux"),
        ("<h2>Missions</h2><p>Piloter</p>", "Missions\n\nPiloter"),
        ("<p>Un<br>Deux<br/>Trois</p>", "Un\nDeux\nTrois"),
        ("<p>Un<br><br><br><br>Deux</p>", "Un\n\nDeux"),
        ("<ul><li>Rasa</li><li>Dialogflow</li></ul>", "- Rasa\n- Dialogflow"),
        ("<p>Outils :</p><ul><li>Rasa</li></ul><p>Profil</p>", "Outils :\n\n- Rasa\n\nProfil"),
        ("<ol><li>Un <b>gras</b></li><li>Deux</li></ol>", "- Un gras\n- Deux"),
        ("<div><div><div>a</div></div><div>b</div></div>", "a\nb"),
        ("<p>Salaire&nbsp;: 45&#8239;000&nbsp;€</p>", "Salaire : 45 000 €"),
        ("<p>&eacute;t&eacute; &amp; hiver</p>", "été & hiver"),
        ("<p>&amp;eacute;quipe &amp;amp; co</p>", "équipe & co"),
        ("<p>a</p><script>var x = '<p>no</p>';</script><style>p {}</style><p>b</p>", "a\n\nb"),
        ("<p>a<!-- commentaire --> b</p>", "a b"),
        ("<p>  beaucoup   d'espaces \n\t ici  </p>", "beaucoup d'espaces ici"),
        ("<table><tr><td>A</td><td>B</td></tr><tr><td>C</td></tr></table>", "A B\nC"),
        ("<pre>ligne 1\n  ligne 2</pre>", "ligne 1\nligne 2"),
        ("<p>salaire < 40 k€ et <b>prime</b> > 2</p>", "salaire < 40 k€ et prime > 2"),
        ("<P CLASS='x'>Majuscules</P><BR>fin", "Majuscules\n\nfin"),
        ("&lt;p&gt;Échappé&lt;/p&gt;&lt;p&gt;deux fois&lt;/p&gt;", "Échappé\n\ndeux fois"),
    ],
)
def test_html_becomes_lines(html, text):
    assert html_to_text(html) == text


@pytest.mark.parametrize(
    "html",
    [
        "<p>non fermé <b>gras <i>italique",
        "</p></div>fin</li>",
        "<<<>>>",
        "<p <p>",
        "<!-- jamais fermé",
        "<![CDATA[ x ]]>",
        "<?xml version='1.0'?><p>x</p>",
        "<script>sans fin",
        '<a href="x>y">lien</a>',
        "<p>\x00\x0b\ud800</p>",
        "&#0;&#xD800;&#99999999;&bogus;",
    ],
)
def test_broken_html_never_raises(html):
    got = html_to_text(html)
    assert got is None or isinstance(got, str)


def test_plain_text_keeps_its_lines_and_bullets_become_dashes():
    text = "**Missions**\n\n* Piloter le chatbot\n• Animer les ateliers\n\n\n\nProfil : Bac+5"
    assert html_to_text(text) == (
        "**Missions**\n\n- Piloter le chatbot\n- Animer les ateliers\n\nProfil : Bac+5"
    )


def test_markup_without_blocks_keeps_the_text_line_breaks():
    assert html_to_text("<b>Missions</b>\nPiloter\nAnimer") == "Missions\nPiloter\nAnimer"


def test_blank_and_non_text_are_none():
    for value in (None, "", "   ", "<p> </p>", "<script>x</script>", 3, b"<p>x</p>"):
        assert html_to_text(value) is None  # type: ignore[arg-type]


def test_mojibake_is_repaired():
    assert html_to_text("<p>DÃ©veloppeur â€“ Ã  Paris</p>") == "Développeur – à Paris"


def test_a_fixture_description_reads_well():
    text = html_to_text(
        "<p>Au sein de la direction <strong>Expérience Client</strong>, vous pilotez le chatbot."
        "</p>\n<h3>Vos missions</h3>\n<ul>\n  <li>Cadrer les besoins</li>\n  <li>Suivre les KPI"
        "</li>\n</ul>"
    )
    assert text == (
        "Au sein de la direction Expérience Client, vous pilotez le chatbot.\n\n"
        "Vos missions\n\n- Cadrer les besoins\n- Suivre les KPI"
    )


@pytest.mark.parametrize(
    "unit",
    ["<", "<a", "<!--", "</", "<!", "<?", "<![CDATA[", "<script>", "<li>", "&amp;", "&", " "]
    + ["\n", "Ã©", "<p", "<a b='", "<pre>", "<br>"],
)
def test_long_inputs_take_linear_time(unit):
    text = (unit * (200_000 // len(unit) + 1))[:200_000]
    start = time.perf_counter()
    got = html_to_text(text)
    assert got is None or isinstance(got, str)
    assert time.perf_counter() - start < 5


# --- helpers ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "broken, fixed",
    [
        ("DÃ©veloppeur", "Développeur"),
        ("ExpÃ©rience confirmÃ©e", "Expérience confirmée"),
        ("â€™", "’"),
        ("Ã  Paris", "à Paris"),
        (
            "Mensuel de 1600,00 Euros ï¿½ 1800,00 Euros",
            "Mensuel de 1600,00 Euros \ufffd 1800,00 Euros",
        ),
        ("déjà bien écrit", "déjà bien écrit"),
        ("Développeur et DÃ©veloppeur", "Développeur et Développeur"),
    ],
)
def test_repair_mojibake(broken, fixed):
    assert repair_mojibake(broken) == fixed


def test_fold_keeps_one_character_for_one():
    for text in ("Expérience Confirmée", "ŒUVRE ß İ ﬁ", "l’équipe", "Ã©"):
        assert len(fold(text)) == len(text)
    assert fold("Expérience Confirmée l’équipe") == "experience confirmee l'equipe"


def test_squash_and_clean_input():
    assert squash_spaces(" a\u00a0\u202fb\u200b c\n") == "a b c"
    assert clean_input("  DÃ©butant  ") == "Débutant"
    assert clean_input(" \u200b ") is None
    assert clean_input(42) is None


def test_flatten_description_joins_lines():
    assert flatten_description("<p>Un</p><ul><li>deux</li></ul>") == "Un ; - deux"
    assert flatten_description(None) is None


# --- properties -------------------------------------------------------------------------------

_FRAGMENTS = [
    "<p>",
    "</p>",
    "<br>",
    "<ul>",
    "<li>",
    "</li>",
    "<script>",
    "</script>",
    "<!--",
    "-->",
    "<pre>",
    "</pre>",
    "&amp;",
    "&eacute;",
    "&",
    "<",
    ">",
    "\n",
    " ",
    "\u00a0",
    "Ã©",
    "•",
    "*",
    "texte",
    "<div>",
    "</div>",
    "<b>",
    "<table><tr><td>",
    "&lt;p&gt;",
    "\r\n",
    "<a href='x'>",
]
_html = st.one_of(
    st.text(),
    st.lists(st.one_of(st.sampled_from(_FRAGMENTS), st.text(max_size=4)), max_size=30).map("".join),
)


def _check(got: str | None) -> None:
    if got is None:
        return
    assert got and got == got.strip()
    assert "\n\n\n" not in got
    for line in got.split("\n"):
        assert line == line.strip()
        assert "  " not in line
    assert not any(0xD800 <= ord(c) <= 0xDFFF for c in got)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(html=_html)
def test_any_text_gives_clean_lines_or_none(html):
    _check(html_to_text(html))


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(html=_html)
def test_fuzz_any_text_gives_clean_lines_or_none(html):
    _check(html_to_text(html))


# --- vocabularies: Phrases runs only the patterns a text may match ------------------------------


@pytest.mark.parametrize(
    "pattern, words",
    [
        ("teletravail", {"teletravail"}),
        (r"\bpas[ \-_]*(de[ \-_]*|d\W)?(teletravail|remote)", {"teletravail", "remote"}),
        (r"full[ \-_]*remote", {"remote"}),  # the rarer of the two runs
        (r"(?:jours?|days?) de (?:teletravail|remote)", {"teletravail", "remote"}),
        (r"(teletravail)?[ \-_]*hybride?", {"hybrid"}),  # optional parts are not needed
        (r"cdi|cdd", None),  # too short to filter anything
        (r"\d+ ?%", None),
        (r"(?:a|b)+remote{1,3}", {"remot"}),  # the repeated "e" is not in the run
        (r"(?i:remote)", None),  # case-insensitive: not a literal
        (r"(?i)remote", None),
        (r"x(?=teletravail)", None),  # a lookahead is outside the match
    ],
)
def test_needed_words(pattern, words):
    assert needed_words(pattern) == (None if words is None else frozenset(words))


def test_needed_words_ignores_case_insensitive_patterns():
    assert needed_words("teletravail", re.IGNORECASE) is None


def test_phrases_run_only_the_patterns_a_text_may_match():
    phrases = vocabulary_pattern(["pas de teletravail", "full remote", r"\d+%"])
    assert phrases.windows("rien ici")[0].pattern == r"(?:\d+%)"  # needs no word: always run
    assert phrases.windows("full remote")[0].pattern == (r"(?:full[ \-_]*remote)|(?:\d+%)")
    assert vocabulary_pattern(["full remote", "teletravail"]).windows("rien ici") == (None, [])
    assert [m.group(0) for m in phrases.finditer("Full-remote ? non : full remote, 20%")] == [
        "full remote",
        "20%",
    ]
    assert vocabulary_pattern(["teletravail"]).search("bureau") is None
    assert vocabulary_pattern(["teletravail"]).sub("_", "teletravail ok") == "_ ok"
    assert vocabulary_pattern(["teletravail"]).sub("_", "rien") == "rien"
    assert "Phrases(3" in repr(phrases)
    assert vocabulary_pattern([]).search("anything") is None


def test_phrases_run_in_windows_around_their_words_on_a_long_text():
    phrases = vocabulary_pattern(["pas de teletravail", r"\bfull remote\b"])
    text = "lorem ipsum " * 100 + "full remote possible" + " dolor" * 100 + ", pas de teletravail."
    regex, windows = phrases.windows(text)
    assert len(windows) == 2
    assert sum(end - start for start, end in windows) < len(text) / 10
    assert [m.group(0) for m in phrases.finditer(text)] == ["full remote", "pas de teletravail"]
    assert phrases.search(text, 1250).group(0) == "pas de teletravail"
    assert phrases.sub(lambda m: f"<{m.group(0)}>", "x " * 250 + "full remote") == (
        "x " * 250 + "<full remote>"
    )
    # A pattern without a longest match ("\w*") is run over the whole text.
    assert vocabulary_pattern([r"full remote\w*"]).windows(text)[1] == [(0, len(text))]
    # A run of separators widens the windows as far as it can stretch a match.
    spaced = "lorem ipsum " * 100 + "full" + " " * 40 + "-" * 20 + "remote" + " dolor" * 100
    assert [m.group(0) for m in phrases.finditer(spaced)] == [
        "full" + " " * 40 + "-" * 20 + "remote"
    ]
    assert phrases.windows(spaced)[1] != [(0, len(spaced))]
    too_long = spaced.replace("-" * 20, "_" * 80)
    assert phrases.windows(too_long)[1] == [(0, len(too_long))]  # past 64: scanned whole
    assert [m.group(0) for m in phrases.finditer(too_long)] == [
        "full" + " " * 40 + "_" * 80 + "remote"
    ]
    # Nor is a short text cut in windows.
    ((start, end),) = vocabulary_pattern(["full remote"]).windows("x full remote")[1]
    assert start == 0 and end >= 13


def test_a_match_cut_by_a_window_end_is_not_found():
    # "\b" at a window's end would see the end of the text: windows reach past the longest match.
    phrases = vocabulary_pattern([r"\bposte\b", r"\bcdi\b(?! ?interimaire)"])
    text = "x " * 300 + "postes, cdi interimaire"
    assert list(phrases.finditer(text)) == []


def test_neighbours_that_begin_at_a_word_boundary_share_it():
    phrases = vocabulary_pattern([r"\bpas de", r"\bsans", "remote", r"\bni|non"])
    assert phrases.pattern == (
        r"\b(?:(?:pas[ \-_]*de)|(?:sans))|(?:remote)|(?:\bni|non)"  # the last is a branch
    )


def _vocabularies() -> list[Phrases]:
    found = [signal.regex for group in remote._vocabulary().signals.values() for signal in group]
    found += [remote._vocabulary().company, remote._vocabulary().job]
    found += [group.regex for groups in contract._vocabulary().groups.values() for group in groups]
    vocab = contract._vocabulary()
    found += [vocab.prospect_before, vocab.past_before, vocab.not_before, vocab.not_after]
    # Lists of plain phrases (phrases_regex) are Phrases too.
    for module in (seniority, education, dates, title):
        for value in vars(module._vocabulary()).values():
            found += [
                v
                for v in (value.values() if isinstance(value, dict) else [value])
                if isinstance(v, Phrases)
            ]
    return found


def _texts() -> list[str]:
    texts = []
    for path in sorted((FIXTURES.parent / "pipeline" / "cases").rglob("*.csv")):
        with path.open(encoding="utf-8", newline="") as handle:
            for row in csv.reader(handle):
                texts += [fold(html_to_text(cell) or "") for cell in row if len(cell) > 3]
    for path in sorted((FIXTURES / "france_travail").glob("search_*.json")):
        try:
            offers = json.loads(path.read_text(encoding="utf-8")).get("resultats", [])
        except ValueError:  # the deliberately truncated page
            continue
        texts += [fold(html_to_text(offer.get("description")) or "") for offer in offers]
    return texts


def test_every_vocabulary_pattern_has_a_longest_match():
    # One `\w+` or `\s*` and its vocabulary is run over every whole description again.
    unbounded = [p.parts[i] for p in _vocabularies() for i in sorted(p._unbounded)]
    assert unbounded == []


def test_phrases_find_what_the_whole_alternation_finds_in_every_vocabulary():
    texts = _texts()
    assert len(texts) > 500
    compared = 0
    for phrases in _vocabularies():
        plain = re.compile("|".join(phrases.parts), phrases.flags)  # no part left out or shared
        for text in texts:
            got = [(m.span(), m.group(0)) for m in phrases.finditer(text)]
            assert got == [(m.span(), m.group(0)) for m in plain.finditer(text)], (
                phrases.pattern[:80],
                text[:80],
            )
            compared += len(got)
    assert compared > 1000  # the texts do name the vocabularies


_WORDS = st.sampled_from(
    ["teletravail", "remote", "cdi", "jours", "hybride", "pas de", "sur site", r"\bremote"]
)
_PATTERNS = st.lists(
    st.lists(_WORDS, min_size=1, max_size=3).map(
        lambda ws: rf"(?:{'|'.join(ws)})\W*\w*" if len(ws) > 1 else ws[0]
    )
    | st.lists(_WORDS, min_size=1, max_size=3).map(  # a longest match: run in windows
        lambda ws: rf"(?:{'|'.join(ws)})(?!\W{{0,2}}x)\W{{0,3}}\w{{0,6}}"
    ),
    min_size=1,
    max_size=6,
)


@settings(max_examples=200, suppress_health_check=list(HealthCheck))
@given(
    patterns=_PATTERNS,
    words=st.lists(_WORDS, max_size=8),
    filler=st.text(max_size=20) | st.text(max_size=4).map(lambda t: t + " x" * 200 + t),
)
def test_phrases_match_like_their_alternation(patterns, words, filler):
    phrases = vocabulary_pattern(patterns)
    text = filler.join(words)
    plain = re.compile("|".join(phrases.parts))
    assert [m.span() for m in phrases.finditer(text)] == [m.span() for m in plain.finditer(text)]
