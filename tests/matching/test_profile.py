import pytest

from matching.profile import TEMPLATE, ProfileError, education_level, parse_profile


def test_the_starter_profile_is_the_role_botjobs_was_made_for():
    profile = parse_profile(TEMPLATE.read_text("utf-8"))
    assert profile.titles[0] == "chargé de projet chatbot"
    assert profile.level == "confirmé" and profile.education == 5
    assert (profile.salary_min, profile.salary_target) == (40000, 50000)
    assert profile.places == ("Île-de-France",) and profile.remote == "hybrid"
    assert profile.contracts == ("CDI", "CDD")
    for skill in ("Python", "Node.js", "Dialogflow", "Microsoft Bot Framework", "Rasa", "NLP",
                  "IA", "gestion de projet", "UX/UI", "communication"):  # fmt: skip
        assert skill in profile.skills


MINIMAL = '[profile]\ntitles = ["chef de projet chatbot"]\n'


def test_a_minimal_profile_has_defaults():
    profile = parse_profile(MINIMAL)
    assert profile.name == "chef de projet chatbot"
    assert profile.skills == {} and profile.places == () and profile.remote == "any"
    assert profile.salary_min is None and profile.contracts == ()


@pytest.mark.parametrize(
    "extra, message",
    [
        ('[skills]\n"Rasa" = 5\n', 'skills."Rasa" must be a weight from 1 to 3'),
        ('[skills]\n"Rasa" = "high"\n', 'skills."Rasa" must be a weight'),
        ("[salary]\nmin = -1\n", "salary.min must not be negative"),
        ("[salary]\nmin = 50000\ntarget = 40000\n", "salary.target must not be below"),
        ('[location]\nremote = "sometimes"\n', "location.remote must be one of"),
        ('[contract]\naccept = ["CDI", "permanent"]\n', "contract.accept: unknown permanent"),
        ('[location]\nplaces = "Lyon"\nradius_km = "far"\n', "location.radius_km must be a number"),
    ],
)
def test_a_wrong_key_is_named(extra, message):
    with pytest.raises(ProfileError, match=message.replace(".", r"\.").replace("(", r"\(")):
        parse_profile(MINIMAL + extra)


def test_level_and_titles_are_checked():
    with pytest.raises(ProfileError, match="profile.level must be one of"):
        parse_profile('[profile]\ntitles = ["x"]\nlevel = "expert"\n')
    with pytest.raises(ProfileError, match="at least one job title"):
        parse_profile("[profile]\nname = 'x'\n")
    with pytest.raises(ProfileError, match="not valid TOML"):
        parse_profile("[profile\n")


@pytest.mark.parametrize(
    "text, level", [("bac+5", 5), ("Bac + 3", 3), ("BAC", 0), ("bac+8", 8), (None, None)]
)
def test_education_levels(text, level):
    assert education_level(text) == level


def test_education_must_look_like_bac_plus_n():
    with pytest.raises(ProfileError):
        education_level("master")
