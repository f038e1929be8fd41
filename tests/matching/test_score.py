"""The scorer's rules, one by one, on offers built for each rule."""

import pytest

from matching.profile import TEMPLATE, Place, parse_profile, with_places
from matching.score import WEIGHTS, score_offer
from matching.skills import skills_of_offer

PROFILE = with_places(
    parse_profile(TEMPLATE.read_text("utf-8")), [Place("Île-de-France", region="Île-de-France")]
)


def offer(title="Chargé de projet chatbot", description="", **fields):
    found = skills_of_offer(title, description, None)
    base = {
        "id": 1,
        "title": title,
        "title_clean": title,
        "description_text": description,
        "skills_found": [[skill, hits[0].where] for skill, hits in found.items()],
        "salary_annual_min": 45000,
        "salary_annual_max": 50000,
        "salary_currency": "EUR",
        "city": "Paris",
        "department": "75",
        "region": "Île-de-France",
        "country": "FR",
        "remote": "hybrid",
        "contract": "CDI",
        "experience_years": 3,
        "seniority": "confirmé",
        "education_level": 5,
    }
    return {**base, **fields}


GOOD_TEXT = "Pilotage du chatbot Dialogflow et Rasa, gestion de projet agile, Python, NLP, UX."


def test_the_right_job_everywhere_scores_high_and_says_why():
    match = score_offer(PROFILE, offer(description=GOOD_TEXT))
    assert match.score >= 85
    parts = {p.name: p for p in match.parts}
    assert parts["role"].reason == "title matches “chargé de projet chatbot”"
    assert "Dialogflow" in parts["skills"].reason and "Rasa" in parts["skills"].reason
    assert parts["salary"].reason == "45–50 k€ inside your band (40–50 k€)"
    assert parts["place"].reason == "hybrid in Île-de-France"
    assert parts["contract"].reason == "CDI accepted"
    assert sum(p.points for p in match.parts) <= sum(WEIGHTS.values())
    assert match.breakdown()["score"] == match.score


@pytest.mark.parametrize(
    "title",
    ["Technicien support informatique", "Data engineer OLAP / Talend", "Chef de projet MOA"],
)
def test_another_job_cannot_score_high_whatever_its_skills(title):
    match = score_offer(PROFILE, offer(title=title, description=GOOD_TEXT))
    assert match.score <= 45


def test_skills_missing_are_named():
    match = score_offer(PROFILE, offer(description="Chatbot sous Botpress."))
    skills = next(p for p in match.parts if p.name == "skills")
    missing = skills.reason.split("; ")[-1]
    assert missing.endswith(" missing") and "Dialogflow" in missing


def test_ia_is_found_inside_ia_conversationnelle():
    match = score_offer(PROFILE, offer(title="Chef de projet IA conversationnelle"))
    skills = next(p for p in match.parts if p.name == "skills")
    assert "IA" in skills.reason.split("found")[0]


def test_unknown_pay_is_neutral_and_said_so():
    known = score_offer(PROFILE, offer(description=GOOD_TEXT))
    unknown = score_offer(
        PROFILE, offer(description=GOOD_TEXT, salary_annual_min=None, salary_annual_max=None)
    )
    assert "pay not stated (neutral)" in unknown.summary()
    assert known.score - 10 < unknown.score < known.score


def test_pay_below_the_minimum_sinks():
    low = score_offer(
        PROFILE, offer(description=GOOD_TEXT, salary_annual_min=26000, salary_annual_max=30000)
    )
    assert low.score < 55 and any("under your minimum" in p for p in low.penalties)


def test_other_currencies_are_not_compared():
    match = score_offer(
        PROFILE,
        offer(salary_annual_min=None, salary_annual_max=None, salary_currency="USD"),
    )
    assert "paid in USD, not compared" in match.summary()


def test_another_region_on_site_sinks_but_full_remote_fits_anywhere():
    marseille = dict(city="Marseille", department="13", region="Provence-Alpes-Côte d'Azur")
    on_site = score_offer(PROFILE, offer(description=GOOD_TEXT, remote="none", **marseille))
    remote = score_offer(PROFILE, offer(description=GOOD_TEXT, remote="full", **marseille))
    assert on_site.score < 50 and "outside your places" in on_site.summary()
    assert remote.score >= 85 and "full remote" in remote.summary()


def test_an_internship_for_a_confirme_is_far_down():
    stage = score_offer(PROFILE, offer(description=GOOD_TEXT, contract="stage"))
    cdi = score_offer(PROFILE, offer(description=GOOD_TEXT))
    assert stage.score < cdi.score * 0.35
    assert "stage: not a contract you accept" in stage.penalties


def test_twelve_years_is_a_stretch():
    match = score_offer(PROFILE, offer(description=GOOD_TEXT, experience_years=12))
    assert match.score < 55 and "12 years asked" in match.penalties


def test_a_city_within_the_radius_counts(monkeypatch):
    lyon = with_places(
        PROFILE, [Place("Lyon", "Lyon", "69", "Auvergne-Rhône-Alpes", 45.764, 4.8357)]
    )
    near = offer(city="Villeurbanne", department="69", latitude=45.7719, longitude=4.8902)
    far = offer(city="Grenoble", department="38", latitude=45.1885, longitude=5.7245)
    assert "within 30 km of Lyon" in score_offer(lyon, near).summary()
    assert "outside your places" in score_offer(lyon, far).summary()


def test_a_profile_skill_outside_the_taxonomy_is_searched_as_written():
    profile = with_places(
        parse_profile(
            '[profile]\ntitles = ["chargé de projet chatbot"]\n[skills]\n"Zorglub" = 3\n'
        ),
        [],
    )
    found = score_offer(profile, offer(description="Outil maison Zorglub."))
    missing = score_offer(profile, offer(description="Rien."))
    assert "Zorglub found" in found.summary() and "Zorglub missing" in missing.summary()


@pytest.mark.parametrize(
    "fields, reason",
    [
        ({"experience_years": 1}, "asks 1 year, you have 3"),
        ({"experience_years": 2.5}, "asks 2.5 years, you have 3"),
        ({"contract": "CDD", "contract_months": 1}, "CDD 1 month accepted"),
        ({"contract": "CDD", "contract_months": 12}, "CDD 12 months accepted"),
    ],
)
def test_reasons_count_in_good_english(fields, reason):
    match = score_offer(PROFILE, offer(description=GOOD_TEXT, **fields))
    assert reason in [part.reason for part in match.parts]
