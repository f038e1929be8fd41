"""The jobposting spider against hand-built fixtures (tests/fixtures/jobposting/README.md).

The fixture sites are walked once, as the crawl would walk them: start requests, then every
request the spider yields, each answered from the manifest. Field tests read the offers of
that walk; the other tests feed single pages or JSON-LD snippets to the pure functions.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import pytest
from scrapy import Request
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Response

from pipeline.items import RAW_FIELDS, is_reject, raw_offer
from spiders.jobposting import (
    ADHOC_SITE,
    OFFER,
    PAYLOAD_CHARS,
    ROLE_META,
    SITE_KEYS,
    SITE_META,
    SITES_FILE,
    JobPostingSpider,
    choose_sites,
    extract_jobpostings,
    jobposting_to_raw,
    jobpostings_in,
    jsonld_scripts,
    load_sites,
    parse_jsonld,
)
from tests.helpers import (
    FIXTURES,
    Walk,
    answer,
    failure_for,
    fixture_response,
    manifest_entries,
    python_child,
    replay_response,
    start,
    walk_crawl,
)

SLUG = "jobposting"
SG = "https://careers.societegenerale.com"
LR = "https://recrutement.laredoute.fr"
SG_CHATBOT = f"{SG}/rechercher?query=chatbot"
SG_CONVERSATIONNEL = f"{SG}/rechercher?query=conversationnel"
LR_CHATBOT = f"{LR}/offres?search=chatbot"
LR_CONVERSATIONNEL = f"{LR}/offres?search=conversationnel"
SNCF = "https://www.emploi.sncf.com"
SNCF_CHATBOT = f"{SNCF}/nos-offres/?keywords=chatbot"
SNCF_CONVERSATIONNEL = f"{SNCF}/nos-offres/?keywords=conversationnel"
SGE = "Société Générale"


def sg(slug: str) -> str:
    return f"{SG}/offres-d-emploi/{slug}"


O01 = sg("charge-de-projet-chatbot-h-f-25000K7Q-fr")
O02 = sg("chef-de-projet-ia-conversationnelle-h-f-25000L2M-fr")
O03 = sg("product-owner-chatbot-h-f-25000M4P-fr")
O04 = sg("conversation-designer-h-f-25000N8R-fr")
O05 = sg("chef-de-projet-chatbot-h-f-25000P1S-fr")
O06_500 = sg("responsable-assistant-virtuel-h-f-25000Q3T-fr")
O07 = sg("alternance-charge-de-projet-chatbot-h-f-25000R5V-fr")
O08 = sg("formateur-ia-conversationnelle-vacations-h-f-25000S7W-fr")
O09 = sg("bot-designer-h-f-25000T9X-fr")
O10_410 = sg("chef-de-projet-callbot-h-f-25000V2Y-fr")
O11 = sg("consultant-ia-conversationnelle-rasa-h-f-25000W4Z-fr")
O12 = sg("analyste-conversationnel-h-f-25000X6A-fr")
O13_MALFORMED = sg("data-scientist-nlp-chatbot-h-f-25000Y8B-fr")
O14_NO_JSONLD = sg("developpeur-chatbot-python-h-f-25000Z1C-fr")
O15 = sg("assistant-chef-de-projet-chatbot-h-f-26000A2D-fr")
O16 = sg("chef-de-projet-voicebot-callbot-h-f-26000B4F-fr")
O17 = sg("ingenieur-nlp-chatbot-h-f-26000C6G-fr")
O18 = sg("stage-assistant-chef-de-projet-chatbot-ia-generative-h-f-26000D8H-fr")
O19 = sg("product-owner-ia-conversationnelle-h-f-26000E1J-fr")
O20 = sg("responsable-conversational-ai-h-f-26000F3K-fr")
LR1 = f"{LR}/offres/charge-de-projet-chatbot-service-client-h-f-4521"
LR2 = f"{LR}/offres/alternance-conversation-designer-f-h-4533"
SNCF1 = f"{SNCF}/nos-offres/834512"
SNCF2 = f"{SNCF}/nos-offres/834587"
SNCF3 = f"{SNCF}/nos-offres/835020"

NO_SALARY = {
    "salary": None,
    "salary_min": None,
    "salary_max": None,
    "salary_period": None,
    "salary_currency": None,
}


def salary(text: str, low: float | None, high: float | None, period: str | None) -> dict:
    return {
        "salary": text,
        "salary_min": low,
        "salary_max": high,
        "salary_period": period,
        "salary_currency": "EUR",
    }


def place(location: str, postal_code: str | None, lat: float | None, lon: float | None) -> dict:
    return {"location": location, "postal_code": postal_code, "latitude": lat, "longitude": lon}


# Every field of every offer the fixtures hold, as the fixture pages state it. Keyed by source_id.
EXPECTED: dict[str, dict[str, Any]] = {
    # single object, everything stated
    "25000K7Q": {
        "url": O01,
        "title": "Chargé de projet chatbot H/F",
        "company": SGE,
        **place("Puteaux, 92800, Île-de-France, FR", "92800", 48.8925, 2.2386),
        **salary("45000–52000 EUR YEAR", 45000, 52000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-03",
        "skills": ["Dialogflow", "Rasa", "Python", "Gestion de projet"],
        "experience": "36 mois d'expérience",
        "education": "Bac+5 (école d'ingénieur, école de commerce ou master)",
        "apply_url": O01,
    },
    # top-level list; education as an object
    "25000L2M": {
        "url": O02,
        "title": "Chef de projet IA conversationnelle H/F",
        "company": SGE,
        **place("Lyon 2e, 69002, Auvergne-Rhône-Alpes, FR", "69002", 45.7578, 4.832),
        **salary("50000–60000 EUR YEAR", 50000, 60000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-05",
        "skills": ["IA conversationnelle", "Rasa", "Python", "Scrum"],
        "experience": (
            "Expérience confirmée (5 ans minimum) en pilotage de projets d'IA conversationnelle"
        ),
        "education": "Bac+5",
        "apply_url": None,
    },
    # @graph; employer given by @id reference
    "25000M4P": {
        "url": O03,
        "title": "Product Owner chatbot H/F",
        "company": SGE,
        **place("Paris 9e, 75009, Île-de-France, FR", "75009", None, None),
        **NO_SALARY,
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-06",
        "skills": ["Product ownership, Dialogflow, Jira, gestion de projet agile"],
        "experience": "5 ans minimum en tant que Product Owner",
        "education": None,
        "apply_url": None,
    },
    # @type as a list; TELECOMMUTE
    "25000N8R": {
        "url": O04,
        "title": "Conversation designer H/F",
        "company": SGE,
        **place("Nantes, 44000, Pays de la Loire, FR", "44000", 47.2184, -1.5536),
        **salary("42000–48000 EUR YEAR", 42000, 48000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": "TELECOMMUTE",
        "posted_at": "2026-11-07",
        "skills": ["Conversation design", "Dialogflow CX", "UX writing"],
        "experience": "24 mois d'expérience",
        "education": "Bac+3 minimum (linguistique, UX writing, sciences cognitives)",
        "apply_url": None,
    },
    # jobLocation as a list: both places in the text, no single postcode or coordinates
    "25000P1S": {
        "url": O05,
        "title": "Chef de projet chatbot H/F",
        "company": SGE,
        **place(
            "Paris 8e, 75008, Île-de-France, FR; Lille, 59000, Hauts-de-France, FR",
            None,
            None,
            None,
        ),
        **salary("48000–55000 EUR YEAR", 48000, 55000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-08",
        "skills": ["Gestion de projet", "Chatbot", "Python"],
        "experience": "60 mois d'expérience",
        "education": "Bac+5",
        "apply_url": None,
    },
    # address as a string; single value per MONTH; education as a list
    "25000R5V": {
        "url": O07,
        "title": "Alternance - Chargé de projet chatbot H/F",
        "company": SGE,
        **place("2 place Sadi-Carnot, 13002 Marseille", None, None, None),
        **salary("1450 EUR MONTH", 1450, 1450, "MONTH"),
        "contract": "INTERN",
        "remote": None,
        "posted_at": "2026-11-10",
        "skills": None,
        "experience": "Débutant accepté",
        "education": "Licence (Bac+3) validée; Master (Bac+5) en alternance",
        "apply_url": None,
    },
    # single value per HOUR; \uXXXX and \/ escapes
    "25000S7W": {
        "url": O08,
        "title": "Formateur IA conversationnelle (vacations) H/F",
        "company": SGE,
        **place("Bordeaux, 33000, Nouvelle-Aquitaine, FR", "33000", 44.8378, -0.5792),
        **salary("38.5 EUR HOUR", 38.5, 38.5, "HOUR"),
        "contract": "PART_TIME",
        "remote": None,
        "posted_at": "2026-11-12",
        "skills": ["Formation", "Dialogflow", "Rasa", "Python"],
        "experience": "Expérience de formateur appréciée",
        "education": None,
        "apply_url": None,
    },
    # entity-escaped description
    "25000T9X": {
        "url": O09,
        "title": "Bot designer H/F",
        "company": SGE,
        **place("Toulouse, 31000, Occitanie, FR", "31000", 43.6047, 1.4442),
        **NO_SALARY,
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-12",
        "skills": ["Dialogflow", "Conversation design"],
        "experience": None,
        "education": "Bac+3/5",
        "apply_url": None,
    },
    # skills and experience as strings
    "25000W4Z": {
        "url": O11,
        "title": "Consultant IA conversationnelle - Rasa H/F",
        "company": SGE,
        **place("Rennes, 35000, Bretagne, FR", "35000", 48.1173, -1.6778),
        **salary("46000–54000 EUR YEAR", 46000, 54000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-13",
        "skills": ["Rasa, Python, NLU, Docker"],
        "experience": "3 à 5 ans",
        "education": "Bac+5 en informatique ou en traitement automatique des langues",
        "apply_url": None,
    },
    # no title: kept, for the pipeline to reject with its reason
    "25000X6A": {
        "url": O12,
        "title": None,
        "company": SGE,
        **place("Strasbourg, 67000, Grand Est, FR", "67000", 48.5734, 7.7521),
        **NO_SALARY,
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-14",
        "skills": None,
        "experience": None,
        "education": None,
        "apply_url": None,
    },
    # CDATA wrapper, trailing commas, no identifier (the page URL stands in), employer as string
    O15: {
        "url": O15,
        "title": "Assistant chef de projet chatbot H/F",
        "company": SGE,
        **place("Montpellier, 34000, Occitanie, FR", "34000", None, None),
        **salary("36000–40000 EUR YEAR", 36000, 40000, "YEAR"),
        "contract": "TEMPORARY",
        "remote": None,
        "posted_at": "2026-11-16",
        "skills": ["Gestion de projet, Dialogflow, Excel"],
        "experience": None,
        "education": None,
        "apply_url": None,
    },
    # second script, schema.org URL as type; bare amount without unit; employmentType list
    "26000B4F": {
        "url": O16,
        "title": "Chef de projet voicebot / callbot H/F",
        "company": SGE,
        **place("Nice, 06000, Provence-Alpes-Côte d'Azur, FR", "06000", 43.7102, 7.262),
        **salary("50000 EUR", 50000, 50000, None),
        "contract": "FULL_TIME, TEMPORARY",
        "remote": None,
        "posted_at": "2026-11-17",
        "skills": None,
        "experience": None,
        "education": None,
        "apply_url": None,
    },
    # inside an HTML comment; maximum only; coordinates as strings
    "26000C6G": {
        "url": O17,
        "title": "Ingénieur NLP - chatbot H/F",
        "company": SGE,
        **place("Grenoble, 38000, Auvergne-Rhône-Alpes, FR", "38000", 45.1885, 5.7245),
        **salary("max 58000 EUR YEAR", None, 58000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-18",
        "skills": ["Python", "Rasa", "NLP"],
        "experience": None,
        "education": None,
        "apply_url": None,
    },
    # entities in the title; credentialCategory as DefinedTerm; ApplyAction
    "26000D8H": {
        "url": O18,
        "title": "Stage - Assistant chef de projet chatbot & IA générative H/F",
        "company": SGE,
        **place("Paris 13e, 75013, Île-de-France, FR", "75013", 48.8322, 2.3561),
        **salary("1300–1500 EUR MONTH", 1300, 1500, "MONTH"),
        "contract": "INTERN",
        "remote": None,
        "posted_at": "2026-11-20T09:30:00+01:00",
        "skills": None,
        "experience": None,
        "education": "Bac+4/5 en école de commerce ou d'ingénieur",
        "apply_url": f"{SG}/postuler/26000D8H",
    },
    "26000E1J": {
        "url": O19,
        "title": "Product Owner IA conversationnelle H/F",
        "company": SGE,
        **place("Fontenay-sous-Bois, 94120, Île-de-France, FR", "94120", 48.8515, 2.4772),
        **salary("55000–65000 EUR YEAR", 55000, 65000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-19",
        "skills": ["Product ownership", "IA conversationnelle", "Dialogflow", "Agile"],
        "experience": "48 mois d'expérience",
        "education": "Bac+5",
        "apply_url": None,
    },
    # relative url in the posting
    "26000F3K": {
        "url": O20,
        "title": "Responsable Conversational AI H/F",
        "company": SGE,
        **place("Lyon 3e, 69003, Auvergne-Rhône-Alpes, FR", "69003", 45.7597, 4.8422),
        **salary("70000–85000 EUR YEAR", 70000, 85000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-21",
        "skills": None,
        "experience": "96 mois d'expérience",
        "education": None,
        "apply_url": None,
    },
    # La Redoute: addressCountry as a Country object
    "LR-4521": {
        "url": LR1,
        "title": "Chargé(e) de projet chatbot service client H/F",
        "company": "La Redoute",
        **place("Roubaix, 59100, Hauts-de-France, FR", "59100", None, None),
        **salary("40000–46000 EUR YEAR", 40000, 46000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-14",
        "skills": ["Gestion de projet", "Dialogflow", "Relation client"],
        "experience": "2 ans minimum sur un projet digital",
        "education": "Bac+5",
        "apply_url": None,
    },
    "LR-4533": {
        "url": LR2,
        "title": "Alternance - Conversation designer F/H",
        "company": "La Redoute",
        **place("Roubaix, 59100, Hauts-de-France, FR", "59100", None, None),
        **NO_SALARY,
        "contract": "INTERN",
        "remote": None,
        "posted_at": "2026-11-18",
        "skills": None,
        "experience": None,
        "education": "Bac+3 à Bac+5 en alternance (UX, linguistique, communication digitale)",
        "apply_url": None,
    },
    # SNCF: one offer listed by both searches (dupefilter)
    "834512": {
        "url": SNCF1,
        "title": "Chef de projet chatbot voyageurs H/F",
        "company": "SNCF Voyageurs",
        **place("Saint-Denis, 93200, Île-de-France, FR", "93200", 48.9212, 2.3556),
        **salary("48000–56000 EUR YEAR", 48000, 56000, "YEAR"),
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-13",
        "skills": ["Gestion de projet", "Chatbot", "API", "Agilité"],
        "experience": "48 mois d'expérience",
        "education": "Bac+5",
        "apply_url": SNCF1,
    },
    "834587": {
        "url": SNCF2,
        "title": "Product owner assistant virtuel H/F",
        "company": "SNCF Connect & Tech",
        **place("Lyon 3e, 69003, Auvergne-Rhône-Alpes, FR", "69003", None, None),
        **NO_SALARY,
        "contract": "FULL_TIME",
        "remote": None,
        "posted_at": "2026-11-17",
        "skills": ["Product ownership, IA conversationnelle, Jira"],
        "experience": "3 ans minimum en tant que Product Owner",
        "education": None,
        "apply_url": None,
    },
    "835020": {
        "url": SNCF3,
        "title": "Chargé de projet IA conversationnelle TER H/F",
        "company": "SNCF Voyageurs",
        **place("Lille, 59000, Hauts-de-France, FR", "59000", 50.6367, 3.0705),
        **salary("2900–3300 EUR MONTH", 2900, 3300, "MONTH"),
        "contract": "TEMPORARY",
        "remote": None,
        "posted_at": "2026-11-20",
        "skills": ["Gestion de projet", "Recette", "Formation"],
        "experience": "24 mois d'expérience",
        "education": "Bac+3; Bac+5",
        "apply_url": None,
    },
}
CHECKED_FIELDS = sorted(next(iter(EXPECTED.values())))
FIELD_CASES = [(sid, name) for sid in EXPECTED for name in CHECKED_FIELDS]
# The offer without identifier is keyed by its URL; its test ids name its reference instead.
FIELD_IDS = [f"{s.rsplit('-', 2)[-2] if s.startswith('http') else s}-{n}" for s, n in FIELD_CASES]


# --- walking the fixture sites --------------------------------------------------------------


@pytest.fixture(scope="module")
def spider() -> JobPostingSpider:
    return JobPostingSpider()


def reference(source_id: str) -> str:
    """The employer's own reference in a source_id scoped by site ("host/REF"); URLs stay whole."""
    return source_id if source_id.startswith("http") else source_id.split("/", 1)[1]


@pytest.fixture(scope="module")
def walked(spider: JobPostingSpider) -> Walk:
    return walk_crawl(spider, strict=False)


@pytest.fixture(scope="module")
def offers(walked: Walk) -> dict[str, dict]:
    by_id = {reference(o["source_id"]): o for o in walked.offers}
    assert len(by_id) == len(walked.offers), "two offers share a source_id"
    return by_id


def page(url: str, meta_role: str | None = None, site: str | None = None) -> Response:
    """One fixture page by URL, with the meta the spider would have put on its request."""
    entry = next(e for e in manifest_entries(SLUG) if e["url"] == url)
    meta = {}
    if meta_role:
        meta[ROLE_META] = meta_role
    if site:
        meta[SITE_META] = site
    return replay_response(SLUG, entry, meta=meta)


# --- fields, offer by offer -----------------------------------------------------------------


def test_every_expected_offer_and_only_those(offers: dict[str, dict]) -> None:
    assert set(offers) == set(EXPECTED)


@pytest.mark.parametrize(("source_id", "name"), FIELD_CASES, ids=FIELD_IDS)
def test_field(offers: dict[str, dict], source_id: str, name: str) -> None:
    assert offers[source_id][name] == EXPECTED[source_id][name]


def test_description_is_kept_as_html(offers: dict[str, dict]) -> None:
    description = offers["25000K7Q"]["description"]
    assert description.startswith("<p>Au sein de la direction Relation Client Digitale")
    assert "<ul>\n<li>Recueillir les besoins" in description
    assert "Dialogflow CX" in description
    assert description.endswith("<p>Télétravail possible jusqu'à 2 jours par semaine.</p>")


def test_entity_escaped_description_is_unescaped_once(offers: dict[str, dict]) -> None:
    description = offers["25000T9X"]["description"]
    assert description.startswith("<p>Vous rejoignez l'équipe <strong>Bots & Automatisation")
    assert "&lt;p&gt;" not in description
    # The page meant "< 30 %" as text inside the HTML: it must stay an entity.
    assert "<li>Suivi des indicateurs &lt; 30 % d'incompréhension visés.</li>" in description


def test_unicode_and_slash_escapes_are_decoded(offers: dict[str, dict]) -> None:
    description = offers["25000S7W"]["description"]
    assert "académie" in description and "</strong>" in description
    assert "\\/" not in description and "\\u00e9" not in description


def test_description_of_a_graph_posting(offers: dict[str, dict]) -> None:
    assert offers["25000M4P"]["description"].startswith("<p>Vous rejoignez la tribu")
    assert "télétravail" in offers["25000M4P"]["description"]


def test_offer_without_identifier_uses_its_page_url(offers: dict[str, dict]) -> None:
    assert offers[O15]["source_id"] == O15 == offers[O15]["url"]


def test_counts_valid_and_invalid(walked: Walk) -> None:
    valid = [o for o in walked.offers if o["title"] and o["source_id"]]
    assert (len(valid), len(walked.offers) - len(valid), len(walked.rejects)) == (20, 1, 2)


# --- invariants every offer shares ----------------------------------------------------------


@pytest.fixture(params=sorted(EXPECTED), scope="module")
def offer(request: pytest.FixtureRequest, offers: dict[str, dict]) -> dict:
    return offers[request.param]


def test_invariant_shape(offer: dict) -> None:
    assert offer["source"] == "jobposting"
    assert set(offer) == set(RAW_FIELDS)
    assert isinstance(offer["source_id"], str) and offer["source_id"]
    # Blank is None, never "", [] or {}; raw_offer() would change nothing.
    assert all(v not in ("", [], {}) for v in offer.values())
    assert raw_offer(**offer) == offer


def test_invariant_urls(offer: dict, spider: JobPostingSpider) -> None:
    for key in ("url", "apply_url"):
        if offer[key] is not None:
            parts = urlparse(offer[key])
            assert parts.scheme == "https"
            assert parts.hostname in spider.allowed_domains


def test_invariant_description(offer: dict) -> None:
    assert offer["description"].startswith("<p>")
    assert "&lt;" not in offer["description"][:10]
    assert any(word in offer["description"] for word in ("chatbot", "Dialogflow", "Rasa", "IA"))


def test_invariant_salary(offer: dict) -> None:
    low, high = offer["salary_min"], offer["salary_max"]
    if low is not None and high is not None:
        assert low <= high
    stated = low is not None or high is not None
    assert (offer["salary"] is not None) == stated
    assert (offer["salary_currency"] == "EUR") == stated
    if offer["salary_period"] is not None:
        assert offer["salary_period"] in ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")


def test_invariant_place(offer: dict) -> None:
    assert offer["location"]
    if offer["postal_code"] is not None:
        assert len(offer["postal_code"]) == 5 and offer["postal_code"] in offer["location"]
    if offer["latitude"] is not None:
        assert 41 < offer["latitude"] < 52 and -5.5 < offer["longitude"] < 10
    assert (offer["latitude"] is None) == (offer["longitude"] is None)


def test_invariant_text_fields(offer: dict) -> None:
    assert offer["posted_at"].startswith("2026-11-")
    assert offer["company"] in (SGE, "La Redoute", "SNCF Voyageurs", "SNCF Connect & Tech")
    assert offer["commune"] is None and offer["department"] is None
    for key in ("title", "location", "contract", "experience", "education"):
        value = offer[key]
        assert value is None or (isinstance(value, str) and "&amp;" not in value)
    assert offer["skills"] is None or all(isinstance(s, str) and s for s in offer["skills"])


# --- extract_jobpostings on each JSON-LD shape ----------------------------------------------


def html_with(*scripts: str, kind: str = "application/ld+json") -> str:
    blocks = "".join(f'<script type="{kind}">{s}</script>' for s in scripts)
    return f"<html><head>{blocks}</head><body><p>offre</p></body></html>"


POSTING = {"@type": "JobPosting", "title": "Chargé de projet chatbot H/F"}


@pytest.mark.parametrize(
    "data",
    [
        POSTING,
        [{"@type": "BreadcrumbList"}, POSTING],
        {"@context": "https://schema.org", "@graph": [{"@type": "Organization"}, POSTING]},
        {**POSTING, "@type": ["JobPosting"]},
        {**POSTING, "@type": ["Thing", "JobPosting"]},
        {**POSTING, "@type": "https://schema.org/JobPosting"},
        {**POSTING, "@type": "schema:JobPosting"},
        {"@type": "ItemList", "itemListElement": [{"@type": "ListItem", "item": POSTING}]},
    ],
    ids=[
        "object",
        "list",
        "graph",
        "type-list",
        "type-list-2nd",
        "type-url",
        "type-prefix",
        "nested",
    ],
)
def test_extract_each_shape(data: Any) -> None:
    postings, errors = extract_jobpostings(html_with(json.dumps(data)))
    assert errors == []
    assert [p["title"] for p in postings] == ["Chargé de projet chatbot H/F"]


@pytest.mark.parametrize(
    "script",
    [
        "<!-- " + json.dumps(POSTING) + " -->",
        "//<![CDATA[\n" + json.dumps(POSTING) + "\n//]]>",
        "<![CDATA[" + json.dumps(POSTING) + "]]>",
        '{"@type": "JobPosting", "title": "Chargé de projet chatbot H/F", "skills": ["a", "b",],}',
        '{"@type": "JobPosting", "title": "Chargé de projet chatbot H/F",\n "description": "a\nb"}',
        json.dumps(POSTING) + ";",
    ],
    ids=["comment", "cdata-js", "cdata", "trailing-commas", "raw-newline", "semicolon"],
)
def test_extract_tolerates_cheap_defects(script: str) -> None:
    postings, errors = extract_jobpostings(html_with(script))
    assert errors == []
    assert len(postings) == 1 and postings[0]["title"] == "Chargé de projet chatbot H/F"


def test_extract_several_postings_and_scripts() -> None:
    second = {**POSTING, "title": "Conversation designer H/F"}
    html = html_with(
        json.dumps({"@type": "Organization", "name": SGE}), json.dumps([POSTING, second])
    )
    postings, errors = extract_jobpostings(html)
    assert errors == [] and [p["title"] for p in postings] == [POSTING["title"], second["title"]]


def test_extract_resolves_graph_references() -> None:
    graph = {
        "@graph": [
            {"@type": "Organization", "@id": "#org", "name": SGE},
            {"@type": "Place", "@id": "#lyon", "address": {"addressLocality": "Lyon"}},
            {**POSTING, "hiringOrganization": {"@id": "#org"}, "jobLocation": [{"@id": "#lyon"}]},
        ]
    }
    [posting], _ = extract_jobpostings(html_with(json.dumps(graph)))
    assert posting["hiringOrganization"]["name"] == SGE
    assert posting["jobLocation"][0]["address"]["addressLocality"] == "Lyon"
    raw = jobposting_to_raw(posting, O01)
    assert (raw["company"], raw["location"]) == (SGE, "Lyon")


def test_extract_unknown_reference_stays_unresolved() -> None:
    data = {**POSTING, "hiringOrganization": {"@id": "#nowhere"}}
    [posting], _ = extract_jobpostings(html_with(json.dumps(data)))
    assert jobposting_to_raw(posting, O01)["company"] is None


def test_extract_does_not_count_a_nested_posting_twice() -> None:
    data = {**POSTING, "relatedLink": {"@type": "JobPosting", "title": "autre"}}
    postings, _ = extract_jobpostings(html_with(json.dumps(data)))
    assert len(postings) == 1


@pytest.mark.parametrize(
    "script",
    [
        '{"@type": "JobPosting", "title": "Chargé de projet" "chatbot"}',
        '{"@type": "JobPosting", "title": ',
        "var job = {title: 'chatbot'};",
        "[" * 100_000,
        "{'@type': 'JobPosting'}",
    ],
    ids=["missing-comma", "truncated", "javascript", "deep", "single-quotes"],
)
def test_extract_malformed_is_an_error_not_an_exception(script: str) -> None:
    postings, errors = extract_jobpostings(html_with(script))
    assert postings == []
    assert len(errors) == 1 and errors[0].startswith("JSON-LD script 1: ")


def test_extract_keeps_good_postings_beside_a_bad_script() -> None:
    postings, errors = extract_jobpostings(html_with("{oops", json.dumps(POSTING)))
    assert [p["title"] for p in postings] == [POSTING["title"]]
    assert len(errors) == 1 and errors[0].startswith("JSON-LD script 1: ")


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "<html><body>pas de script</body></html>",
        html_with(json.dumps(POSTING), kind="application/json"),
        html_with(json.dumps(POSTING), kind="text/javascript"),
        html_with(""),
        html_with("  <!-- -->  "),
        html_with("42"),
        html_with('"JobPosting"'),
        html_with("null"),
        html_with(json.dumps({"@type": "Organization", "name": SGE})),
        html_with(json.dumps({"@type": 42, "title": "x"})),
    ],
    ids=[
        "empty",
        "blank",
        "no-script",
        "plain-json",
        "javascript",
        "empty-script",
        "empty-comment",
        "number",
        "string",
        "null",
        "other-type",
        "odd-type",
    ],
)
def test_extract_nothing_and_no_error(html: str) -> None:
    assert extract_jobpostings(html) == ([], [])


def test_jsonld_scripts_keep_the_page_text() -> None:
    scripts = jsonld_scripts(html_with("{oops", json.dumps(POSTING)))
    assert [s.text for s in scripts] == ["{oops", json.dumps(POSTING)]
    assert scripts[0].data is None and scripts[0].error
    assert scripts[1].error is None and scripts[1].data == POSTING


def test_parse_jsonld_raises_value_error_only() -> None:
    with pytest.raises(ValueError):
        parse_jsonld("{")
    with pytest.raises(ValueError):
        parse_jsonld("[" * 100_000)
    assert parse_jsonld('<!-- {"a": [1, 2,],} -->') == {"a": [1, 2]}


def nested(depth: int, leaf: Any = "x") -> Any:
    """`leaf` inside `depth` lists."""
    for _ in range(depth):
        leaf = [leaf]
    return leaf


# A JobPosting 200 levels deep: json.loads reads it, the readers would recurse as deep.
DEEP_SCRIPT = json.dumps({**POSTING, "description": nested(199)})
DEEP_REASON = "JSON nested 200 levels deep, more than 64"


def test_json_ld_nested_past_the_limit_is_refused_with_its_depth() -> None:
    with pytest.raises(ValueError) as refused:
        parse_jsonld(DEEP_SCRIPT)
    assert str(refused.value) == DEEP_REASON
    assert parse_jsonld(json.dumps(nested(64))) == nested(64)
    postings, errors = extract_jobpostings(html_with(DEEP_SCRIPT, json.dumps(POSTING)))
    assert [p["title"] for p in postings] == [POSTING["title"]]
    assert errors == [f"JSON-LD script 1: {DEEP_REASON}"]


def test_values_nested_past_the_limit_are_left_unread() -> None:
    # As a caller may hand them over without parse_jsonld: unknown, like any odd value.
    posting = {**POSTING, "description": nested(600), "skills": nested(10, "Python")}
    raw = jobposting_to_raw(posting, O01)
    assert (raw["title"], raw["description"], raw["skills"]) == (POSTING["title"], None, ["Python"])
    [found] = jobpostings_in([posting])
    assert "description" not in found and found["skills"] == nested(10, "Python")


def test_a_control_character_in_the_script_tag_does_not_hide_its_json_ld() -> None:
    # lxml makes the \x07 an attribute whose name parsel's `.attrib` cannot convert.
    page = f'<html><head><script type="application/ld+json" \x07>{json.dumps(POSTING)}</script>'
    assert [s.data for s in jsonld_scripts(page)] == [POSTING]
    assert extract_jobpostings(page) == ([POSTING], [])


# --- jobposting_to_raw on odd input ---------------------------------------------------------


def test_to_raw_of_an_empty_posting() -> None:
    raw = jobposting_to_raw({}, O01)
    assert raw["source"] == "jobposting"
    assert raw["source_id"] == raw["url"] == O01
    others = set(RAW_FIELDS) - {"source", "source_id", "url"}
    assert {k: raw[k] for k in others} == dict.fromkeys(others)


ODD_VALUES = [
    None,
    "",
    "   ",
    0,
    -1,
    3.5,
    True,
    False,
    [],
    {},
    [None],
    [[]],
    [{}],
    {"@id": "#x"},
    {"@type": "Thing"},
    "&lt;p&gt;",
    "javascript:alert(1)",
    float("nan"),
    ["a", 1, None],
]
POSTING_KEYS = [
    "identifier",
    "url",
    "title",
    "hiringOrganization",
    "jobLocation",
    "jobLocationType",
    "baseSalary",
    "employmentType",
    "description",
    "datePosted",
    "skills",
    "experienceRequirements",
    "educationRequirements",
    "directApply",
    "potentialAction",
]


@pytest.mark.parametrize("key", POSTING_KEYS)
def test_to_raw_never_raises_on_odd_values(key: str) -> None:
    for value in ODD_VALUES:
        raw = jobposting_to_raw({"@type": "JobPosting", key: value}, O01)
        assert set(raw) == set(RAW_FIELDS)
        assert raw["source_id"]


@pytest.mark.parametrize(
    ("place_value", "expected"),
    [
        (
            {
                "address": {
                    "addressLocality": "Lille",
                    "addressCountry": {"@type": "Country", "name": "FR"},
                }
            },
            "Lille, FR",
        ),
        ({"address": "Lyon 3e"}, "Lyon 3e"),
        ({"name": "Campus SG Val de Fontenay"}, "Campus SG Val de Fontenay"),
        ("Nantes", "Nantes"),
        ({"address": {"addressLocality": "Paris", "addressRegion": "Paris"}}, "Paris"),
        ({"address": {"postalCode": 75008}}, "75008"),
        ([{"address": "Paris"}, {"address": "Paris"}], "Paris"),
        ({"geo": {"latitude": 1, "longitude": 2}}, None),
    ],
    ids=[
        "country-object",
        "string-address",
        "place-name",
        "string-place",
        "repeated-part",
        "int-postcode",
        "repeated-place",
        "geo-only",
    ],
)
def test_to_raw_location_text(place_value: Any, expected: str | None) -> None:
    assert jobposting_to_raw({"jobLocation": place_value}, O01)["location"] == expected


def test_to_raw_bad_coordinates_are_none() -> None:
    odd = ({"latitude": "abc", "longitude": "2.3"}, {"latitude": 95, "longitude": 2}, "48,2")
    for geo in odd:
        raw = jobposting_to_raw({"jobLocation": {"geo": geo, "address": "Paris"}}, O01)
        assert raw["latitude"] is None


@pytest.mark.parametrize(
    ("base", "expected"),
    [
        (
            {
                "currency": "EUR",
                "value": {"minValue": "45 000", "maxValue": "52000", "unitText": "YEAR"},
            },
            ("45000–52000 EUR YEAR", 45000, 52000, "YEAR", "EUR"),
        ),
        (
            {"currency": "EUR", "value": {"minValue": "45.000", "unitText": "YEAR"}},
            (None, None, None, "YEAR", "EUR"),
        ),
        (
            {"currency": "EUR", "value": {"value": "Selon profil"}},
            ("Selon profil EUR", None, None, None, "EUR"),
        ),
        (
            {"currency": "EUR", "minValue": 500, "maxValue": 600, "unitText": "DAY"},
            ("500–600 EUR DAY", 500, 600, "DAY", "EUR"),
        ),
        (
            [{"currency": "EUR", "value": {"value": 3000, "unitText": "MONTH"}}],
            ("3000 EUR MONTH", 3000, 3000, "MONTH", "EUR"),
        ),
        (
            {"currency": "EUR", "value": {"minValue": 45000, "unitText": "YEAR"}},
            ("min 45000 EUR YEAR", 45000, None, "YEAR", "EUR"),
        ),
        ("45 k€ brut annuel", ("45 k€ brut annuel", None, None, None, None)),
        ({"currency": "EUR", "value": {"value": True}}, (None, None, None, None, "EUR")),
    ],
    ids=[
        "string-amounts",
        "ambiguous-amount",
        "words",
        "on-amount",
        "list",
        "min-only",
        "text",
        "bool",
    ],
)
def test_to_raw_salary_shapes(base: Any, expected: tuple) -> None:
    raw = jobposting_to_raw({"baseSalary": base}, O01)
    keys = ("salary", "salary_min", "salary_max", "salary_period", "salary_currency")
    assert tuple(raw[k] for k in keys) == expected


@pytest.mark.parametrize(
    ("identifier", "expected"),
    [
        ("REF-1", "careers.societegenerale.com/REF-1"),
        (12345, "careers.societegenerale.com/12345"),
        ({"@type": "PropertyValue", "name": SGE, "value": 987}, "careers.societegenerale.com/987"),
        ({"@type": "PropertyValue", "name": SGE}, O01),
        ([{"name": SGE}, {"value": "B2"}], "careers.societegenerale.com/B2"),
        ("  ", O01),
    ],
    ids=["string", "number", "property-value", "name-only", "list", "blank"],
)
def test_to_raw_identifier(identifier: Any, expected: str) -> None:
    assert jobposting_to_raw({"identifier": identifier}, O01)["source_id"] == expected


@pytest.mark.parametrize(
    ("posting", "expected"),
    [
        ({"directApply": True}, O01),
        ({"directApply": "true", "url": O02}, O02),
        ({"directApply": "https://apply.example.fr/42"}, "https://apply.example.fr/42"),
        ({"directApply": False}, None),
        (
            {"potentialAction": {"@type": "ApplyAction", "target": "/postuler/1"}},
            f"{SG}/postuler/1",
        ),
        ({"potentialAction": [{"@type": "ViewAction", "target": "/x"}]}, None),
    ],
    ids=["true", "true-text", "url", "false", "apply-action", "other-action"],
)
def test_to_raw_apply_url(posting: dict, expected: str | None) -> None:
    assert jobposting_to_raw(posting, O01)["apply_url"] == expected


def test_to_raw_url_falls_back_to_the_page() -> None:
    assert jobposting_to_raw({"url": "javascript:void(0)"}, O01)["url"] == O01
    assert jobposting_to_raw({"url": "/offres-d-emploi/x"}, O01)["url"] == sg("x")


def test_to_raw_remote_is_raw_text() -> None:
    assert jobposting_to_raw({"jobLocationType": ["TELECOMMUTE"]}, O01)["remote"] == "TELECOMMUTE"
    assert jobposting_to_raw({"jobLocationType": "telecommute"}, O01)["remote"] == "telecommute"


def test_to_raw_requirements_shapes() -> None:
    raw = jobposting_to_raw(
        {
            "experienceRequirements": [
                {"monthsOfExperience": "18"},
                {"description": "Expérience en gestion de projet"},
            ],
            "educationRequirements": {"educationalLevel": "Bac+5"},
            "skills": [{"@type": "DefinedTerm", "name": "Rasa"}, "Rasa", "Python"],
        },
        O01,
    )
    assert raw["experience"] == "18 mois d'expérience; Expérience en gestion de projet"
    assert raw["education"] == "Bac+5"
    assert raw["skills"] == ["Rasa", "Python"]


def test_to_raw_description_escaping() -> None:
    twice = "&amp;lt;p&amp;gt;Rasa&amp;lt;/p&amp;gt;"
    assert jobposting_to_raw({"description": twice}, O01)["description"] == "<p>Rasa</p>"
    mixed = "<p>salaire &lt; 50 k€</p>"
    assert jobposting_to_raw({"description": mixed}, O01)["description"] == mixed
    text = "Télétravail possible, Dialogflow & Python"
    assert jobposting_to_raw({"description": text}, O01)["description"] == text


# --- link following -------------------------------------------------------------------------


def yielded_requests(spider: JobPostingSpider, response: Response) -> list[Request]:
    return [o for o in spider.parse(response) if isinstance(o, Request)]


@pytest.mark.parametrize(
    ("listing", "offer_urls", "next_urls"),
    [
        (
            SG_CHATBOT,
            [O01, O02, O03, O04, O05, O06_500, O07, O08],
            [f"{SG_CHATBOT}&page=2", f"{SG_CHATBOT}&page=3"],
        ),
        (
            f"{SG_CHATBOT}&page=2",
            [O09, O10_410, O11, O12, O13_MALFORMED, O14_NO_JSONLD, O15, O16],
            [f"{SG_CHATBOT}&page=3"],
        ),
        # The last page links back to page 2 ("Précédent"): yielded, the dupefilter drops it.
        (f"{SG_CHATBOT}&page=3", [O17, O18, O01], [f"{SG_CHATBOT}&page=2"]),
        (SG_CONVERSATIONNEL, [O02, O09, O19, O20], []),
        (LR_CHATBOT, [LR1, LR2], []),
        (LR_CONVERSATIONNEL, [], []),
    ],
    ids=["sg-p1", "sg-p2", "sg-p3-partial", "sg-second-search", "lr", "lr-empty"],
)
def test_listing_yields_offer_and_next_links_only(
    spider: JobPostingSpider, listing: str, offer_urls: list[str], next_urls: list[str]
) -> None:
    site = "la_redoute" if listing.startswith(LR) else "societe_generale"
    outputs = list(spider.parse(page(listing, "listing", site)))
    requests = [o for o in outputs if isinstance(o, Request)]
    assert len(requests) == len(outputs), "a listing page yielded items"
    offers = [r.url for r in requests if r.meta[ROLE_META] == OFFER]
    listings = [r.url for r in requests if r.meta[ROLE_META] == "listing"]
    assert offers == offer_urls
    assert listings == next_urls
    assert all(r.meta[SITE_META] == site for r in requests)
    assert all(r.callback == spider.parse and r.errback == spider.on_error for r in requests)
    assert not any(r.dont_filter for r in requests)


def test_listing_without_meta_is_recognised_by_its_domain(spider: JobPostingSpider) -> None:
    urls = {r.url for r in yielded_requests(spider, page(LR_CHATBOT))}
    assert urls == {LR1, LR2}


def test_empty_listing_is_logged_not_an_error(spider: JobPostingSpider, caplog) -> None:
    with caplog.at_level(logging.INFO):
        assert list(spider.parse(page(LR_CONVERSATIONNEL, "listing", "la_redoute"))) == []
    assert "no offer links" in caplog.text
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]


def test_offer_page_links_are_not_followed(spider: JobPostingSpider) -> None:
    # The offer page links to "similar offers" and the site's navigation: none is walked.
    assert yielded_requests(spider, page(O01, OFFER, "societe_generale")) == []


def test_start_requests(spider: JobPostingSpider) -> None:
    requests = spider.initial_requests()
    assert [r.url for r in requests] == [
        SG_CHATBOT,
        SG_CONVERSATIONNEL,
        LR_CHATBOT,
        LR_CONVERSATIONNEL,
        SNCF_CHATBOT,
        SNCF_CONVERSATIONNEL,
    ]
    assert all(r.meta[ROLE_META] == "listing" for r in requests)
    # Filterable, so a "page 1" link back to a start URL is recognised as seen.
    assert not any(r.dont_filter for r in requests)
    assert spider.allowed_domains == [
        "careers.societegenerale.com",
        "recrutement.laredoute.fr",
        "www.emploi.sncf.com",
    ]


def test_async_start_yields_the_same_requests(spider: JobPostingSpider) -> None:
    assert [r.url for r in start(spider)] == [r.url for r in spider.initial_requests()]


# --- failures: 500, 410, no JSON-LD, malformed ----------------------------------------------


def test_500_after_retries_is_an_error(spider: JobPostingSpider, caplog) -> None:
    request = spider._request(O06_500, spider.site_by_name["societe_generale"], OFFER)
    response = fixture_response("jobposting/sg_erreur_500.html", O06_500, status=500)
    with caplog.at_level(logging.INFO):
        assert answer(request, response, spider) == []
    errors = [r for r in caplog.records if r.levelno == logging.ERROR]
    assert len(errors) == 1 and O06_500 in errors[0].getMessage()
    assert "500" in errors[0].getMessage()


@pytest.mark.parametrize("status", [404, 410])
def test_withdrawn_offer_is_info_not_error(spider: JobPostingSpider, caplog, status: int) -> None:
    response = fixture_response(
        "jobposting/sg_offre_retiree_410.html",
        O10_410,
        status=status,
        meta={ROLE_META: OFFER, SITE_META: "societe_generale"},
    )
    with caplog.at_level(logging.INFO):
        assert list(spider.parse(response)) == []
    assert [r.levelno for r in caplog.records] == [logging.INFO]
    assert "withdrawn" in caplog.records[0].getMessage()


def test_missing_listing_page_is_an_error(spider: JobPostingSpider, caplog) -> None:
    response = fixture_response(
        "",
        SG_CHATBOT,
        status=404,
        body=b"",
        meta={ROLE_META: "listing", SITE_META: "societe_generale"},
    )
    with caplog.at_level(logging.INFO):
        assert list(spider.parse(response)) == []
    assert [r.levelno for r in caplog.records] == [logging.ERROR]


def test_offer_page_without_jsonld_warns_and_rejects(spider: JobPostingSpider, caplog) -> None:
    with caplog.at_level(logging.INFO):
        outputs = list(spider.parse(page(O14_NO_JSONLD, OFFER, "societe_generale")))
    assert len(outputs) == 1 and is_reject(outputs[0])
    rejected = outputs[0]
    assert rejected["source"] == "jobposting" and rejected["url"] == O14_NO_JSONLD
    assert "without JobPosting" in rejected["reason"]
    assert "Développeur chatbot Python H/F" in rejected["payload"]
    assert [r.levelno for r in caplog.records] == [logging.WARNING]
    assert O14_NO_JSONLD in caplog.records[0].getMessage()


def test_malformed_jsonld_logs_error_and_rejects_with_the_script(
    spider: JobPostingSpider, caplog
) -> None:
    with caplog.at_level(logging.INFO):
        outputs = list(spider.parse(page(O13_MALFORMED, OFFER, "societe_generale")))
    # One reject for the broken script; no second one for "no JobPosting on the page".
    assert len(outputs) == 1 and is_reject(outputs[0])
    rejected = outputs[0]
    assert rejected["url"] == O13_MALFORMED
    assert rejected["reason"].startswith("malformed JSON-LD (script 2)")
    assert rejected["payload"].startswith("{") and '"value": "25000Y8B"' in rejected["payload"]
    assert [r.levelno for r in caplog.records] == [logging.ERROR]
    assert O13_MALFORMED in caplog.records[0].getMessage()


def test_json_ld_nested_too_deep_is_a_reject_and_the_page_goes_on(
    spider: JobPostingSpider, caplog
) -> None:
    response = fixture_response(
        "",
        O01,
        body=html_with(DEEP_SCRIPT, json.dumps(POSTING)).encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
        meta={ROLE_META: OFFER, SITE_META: "societe_generale"},
    )
    with caplog.at_level(logging.INFO):
        rejected, offer = list(spider.parse(response))
    assert is_reject(rejected)
    assert rejected["reason"] == f"malformed JSON-LD (script 1): {DEEP_REASON}"
    assert not is_reject(offer) and offer["title"] == POSTING["title"]
    assert [r.levelno for r in caplog.records] == [logging.ERROR]


def test_reject_payload_is_cut_at_2000_characters(spider: JobPostingSpider) -> None:
    script = '{"@type": "JobPosting", "description": "' + "x" * 5000 + '"'  # never closed
    response = fixture_response(
        "",
        O01,
        body=html_with(script).encode(),
        headers={"Content-Type": "text/html; charset=utf-8"},
        meta={ROLE_META: OFFER, SITE_META: "societe_generale"},
    )
    [rejected] = list(spider.parse(response))
    assert (
        len(rejected["payload"]) == PAYLOAD_CHARS and rejected["payload"] == script[:PAYLOAD_CHARS]
    )


def test_listing_page_without_jsonld_is_no_reject(spider: JobPostingSpider) -> None:
    outputs = list(spider.parse(page(SG_CHATBOT, "listing", "societe_generale")))
    assert not any(is_reject(o) for o in outputs)


def test_non_text_response_is_skipped(spider: JobPostingSpider) -> None:
    response = fixture_response(
        "",
        O01,
        body=b"%PDF-1.4\x00\x01",
        headers={"Content-Type": "application/pdf"},
        meta={ROLE_META: OFFER, SITE_META: "societe_generale"},
    )
    assert list(spider.parse(response)) == []


def test_ignored_request_is_a_warning(spider: JobPostingSpider, caplog) -> None:
    failure = failure_for(Request(O01), IgnoreRequest("no recorded response"))
    with caplog.at_level(logging.INFO):
        spider.on_error(failure)
    assert [r.levelno for r in caplog.records] == [logging.WARNING]


def test_other_failure_is_an_error(spider: JobPostingSpider, caplog) -> None:
    failure = failure_for(Request(O01), TimeoutError("took too long"))
    with caplog.at_level(logging.INFO):
        spider.on_error(failure)
    assert [r.levelno for r in caplog.records] == [logging.ERROR]


def test_broken_posting_becomes_a_reject(spider: JobPostingSpider, monkeypatch) -> None:
    def explode(posting: dict, page_url: str) -> dict:
        raise RuntimeError("boom")

    monkeypatch.setattr("spiders.jobposting.jobposting_to_raw", explode)
    outputs = list(spider.parse(page(O01, OFFER, "societe_generale")))
    assert len(outputs) == 1 and is_reject(outputs[0]) and "boom" in outputs[0]["reason"]


# --- the data file and site selection -------------------------------------------------------


def test_data_file_loads_with_required_keys() -> None:
    sites = load_sites()
    assert list(sites) == ["societe_generale", "la_redoute", "sncf"]
    for site in sites.values():
        for key in SITE_KEYS:
            assert getattr(site, key), f"{site.name}: {key}"
        assert all(url.startswith("https://") for url in site.start_urls)
        assert len(site.domains) == 1
        # A start URL is a listing, never taken for an offer.
        assert not any(site.is_offer(url) for url in site.start_urls)


def test_data_file_regexes_fit_the_fixture_urls() -> None:
    sites = load_sites()
    sg_site, lr_site = sites["societe_generale"], sites["la_redoute"]
    assert sg_site.is_offer(O01) and not sg_site.is_offer(f"{SG_CHATBOT}&page=2")
    assert lr_site.is_offer(LR1) and not lr_site.is_offer(LR_CHATBOT)
    assert sg_site.is_offer(f"{SG}/en/job-offers/trainee-securities-financing-tech-26000HKS-en")


def test_data_file_has_a_comment_per_site() -> None:
    text = SITES_FILE.read_text(encoding="utf-8")
    chunks = text.split("\n[[sites]]\n")[1:]
    assert len(chunks) == len(load_sites())
    for chunk in chunks:
        comment = [line for line in chunk.splitlines() if line.startswith("#")]
        assert any("erified" in line for line in comment), chunk[:80]


HEAD = '[[sites]]\nname = "x"\n'
GOOD_LINKS = 'offer_links = "/o/"\nnext_links = "p"\n'


@pytest.mark.parametrize(
    ("toml", "message"),
    [
        (HEAD + 'start_urls = ["https://a.fr/"]\noffer_links = "/o/"\n', "next_links"),
        (HEAD + 'start_urls = ["ftp://a.fr/"]\n' + GOOD_LINKS, "http"),
        (
            HEAD + 'start_urls = ["https://a.fr/"]\noffer_links = "(("\nnext_links = "p"\n',
            "regular",
        ),
        ((HEAD + 'start_urls = "https://a.fr/"\n' + GOOD_LINKS) * 2, "two sites"),
        ('[[sites]]\nstart_urls = ["https://a.fr/"]\n' + GOOD_LINKS, "name"),
    ],
    ids=["missing-key", "bad-url", "bad-regex", "duplicate", "no-name"],
)
def test_malformed_data_file_says_what_is_wrong(tmp_path: Path, toml: str, message: str) -> None:
    path = tmp_path / "sites.toml"
    path.write_text(toml, encoding="utf-8")
    with pytest.raises(ValueError, match=message):
        load_sites(path)


def test_adding_a_site_is_one_table(tmp_path: Path) -> None:
    path = tmp_path / "sites.toml"
    extra = '\n[[sites]]\nname = "bforbank"\nstart_urls = "https://www.bforbank.com/carrieres"\n'
    extra += "offer_links = '/carrieres/offre-'\nnext_links = '\\?page=\\d+$'\n"
    path.write_text(SITES_FILE.read_text(encoding="utf-8") + extra, encoding="utf-8")
    spider = JobPostingSpider(site="bforbank", sites_file=str(path))
    assert [r.url for r in spider.initial_requests()] == ["https://www.bforbank.com/carrieres"]
    assert spider.allowed_domains == ["www.bforbank.com"]


def test_choose_sites() -> None:
    known = load_sites()
    assert [s.name for s in choose_sites(known, None, None)[0]] == list(known)
    assert [s.name for s in choose_sites(known, "la_redoute", None)[0]] == ["la_redoute"]
    chosen, unknown = choose_sites(known, "la_redoute, nope,societe_generale", None)
    assert [s.name for s in chosen] == ["la_redoute", "societe_generale"] and unknown == ["nope"]
    chosen, _ = choose_sites(known, None, "https://a.fr/jobs, https://b.fr/emplois")
    assert [s.name for s in chosen] == [ADHOC_SITE]
    assert chosen[0].domains == ("a.fr", "b.fr")


def test_unknown_site_is_logged_and_crawls_nothing(caplog) -> None:
    with caplog.at_level(logging.ERROR):
        spider = JobPostingSpider(site="nope")
    assert spider.initial_requests() == [] and "nope" in caplog.text


def test_adhoc_start_urls_follow_offer_like_links_on_the_same_domain() -> None:
    spider = JobPostingSpider(start_urls=SG_CHATBOT)
    [start] = spider.initial_requests()
    assert start.url == SG_CHATBOT and start.meta[SITE_META] == ADHOC_SITE
    response = page(SG_CHATBOT, "listing", ADHOC_SITE)
    urls = {r.url for r in yielded_requests(spider, response) if r.meta[ROLE_META] == OFFER}
    assert urls == {O01, O02, O03, O04, O05, O06_500, O07, O08}
    assert spider.allowed_domains == ["careers.societegenerale.com"]


def test_adhoc_offer_url_is_read_as_an_offer() -> None:
    spider = JobPostingSpider(start_urls=[O14_NO_JSONLD])
    [start] = spider.initial_requests()
    assert start.meta[ROLE_META] == OFFER


# --- the manifest covers the crawl ----------------------------------------------------------


def test_manifest_covers_every_request(walked: Walk) -> None:
    assert walked.missing == []


def test_manifest_has_no_unused_entry(walked: Walk) -> None:
    assert walked.unused() == []


def test_manifest_files_exist() -> None:
    for entry in manifest_entries(SLUG):
        assert (FIXTURES / SLUG / entry["file"]).is_file(), entry["url"]


def test_walk_shape(walked: Walk, spider: JobPostingSpider) -> None:
    # 6 start pages + 2 more listing pages + 20 SG offers + 2 LR offers + 3 SNCF offers,
    # each fetched once.
    assert len(walked.fetched) == len(set(walked.fetched)) == 33
    assert len(walked.requests) - len(walked.fetched) == 6  # dropped by the dupefilter
    hosts = {urlparse(r.url).hostname for r in walked.requests}
    assert hosts <= set(spider.allowed_domains)
    offer_requests = [r for r in walked.requests if r.meta[ROLE_META] == OFFER]
    assert len({r.url for r in offer_requests}) == 25


REPLAY_SCRIPT = """
import json, sys
from scrapy import signals
from scrapy.crawler import CrawlerProcess
from scrapy.utils.project import get_project_settings

settings = get_project_settings()
settings.setdict({
    "BOTJOBS_REPLAY_DIR": sys.argv[1], "ITEM_PIPELINES": {}, "DOWNLOAD_DELAY": 0,
    "AUTOTHROTTLE_ENABLED": False, "REMOTE_CONTROL_ENABLED": False, "LOG_LEVEL": "ERROR",
}, priority="cmdline")
items = []
def keep(item, **kwargs):
    items.append(item)
process = CrawlerProcess(settings)
crawler = process.create_crawler("jobposting")
crawler.signals.connect(keep, signal=signals.item_scraped)
process.crawl(crawler)
process.start()
stats = {k: v for k, v in crawler.stats.get_stats().items() if isinstance(v, (int, str))}
print(json.dumps({"stats": stats, "items": items}, ensure_ascii=False))
"""


@pytest.fixture(scope="module")
def replayed() -> dict:
    """A real Scrapy crawl replaying the fixtures (retries, dupefilter, robots.txt included)."""
    done = python_child(
        "-c",
        REPLAY_SCRIPT,
        str(FIXTURES),
        env={"SCRAPY_SETTINGS_MODULE": "pipeline.settings"},
        drop=("BOTJOBS_RECORD_DIR",),
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_replayed_crawl_misses_nothing(replayed: dict) -> None:
    stats = replayed["stats"]
    assert stats.get("replay/missing", 0) == 0
    assert stats["finish_reason"] == "finished"
    assert stats["retry/max_reached"] == 1  # the 500 offer, tried three times
    assert stats["replay/served"] == 33 + 2


def test_replayed_crawl_yields_what_the_walk_yields(replayed: dict, walked: Walk) -> None:
    items = replayed["items"]
    assert sorted(i["source_id"] for i in items if not is_reject(i)) == sorted(
        o["source_id"] for o in walked.offers
    )
    assert sorted(i["url"] for i in items if is_reject(i)) == sorted([O13_MALFORMED, O14_NO_JSONLD])


def test_same_reference_at_two_employers_is_two_offers() -> None:
    one = jobposting_to_raw({"identifier": "REF-1"}, O01)["source_id"]
    other = jobposting_to_raw({"identifier": "REF-1"}, LR1)["source_id"]
    assert one != other
