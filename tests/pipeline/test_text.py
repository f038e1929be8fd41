"""pipeline.text: HTML to readable text, and the shared helpers (mojibake, folding)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.text import (
    clean_input,
    flatten_description,
    fold,
    html_to_text,
    repair_mojibake,
    squash_spaces,
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


def test_fifty_kilobytes_in_a_few_milliseconds():
    paragraph = (
        "<p>Au sein de la direction Expérience Client, vous pilotez le <strong>chatbot</strong>"
        " du service client : cadrage, user stories, suivi des indicateurs.</p>\n"
        "<ul><li>Piloter la roadmap du chatbot</li><li>Analyser les conversations</li></ul>\n"
    )
    html = paragraph * (50_000 // len(paragraph))
    html_to_text(html)
    start = time.perf_counter()
    for _ in range(5):
        html_to_text(html)
    # About 8 ms on a laptop; the bound leaves room for a slow CI machine.
    assert (time.perf_counter() - start) / 5 < 0.1


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
