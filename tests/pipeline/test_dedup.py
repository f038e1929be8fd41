import json
import random
from datetime import UTC, datetime

import pytest

from benchmarks.synthetic import sentence
from db.migrations import open_db
from db.queries import iter_offers
from pipeline.dedup import (
    CANDIDATES_PER_KEY,
    SKETCH_KEYS,
    SKETCH_LOOKED_AT,
    dedup_stored,
    employer_words,
    features,
    keys,
    shingles,
    sketch,
    text_agreement,
    title_parts,
    verdict,
)
from pipeline.ingest import Ingest, to_offer
from pipeline.validate import validate

NOW = datetime(2026, 11, 27, tzinfo=UTC)
TEXT = (
    "Au sein de la direction digitale, vous pilotez le projet de chatbot du service client : "
    "recueil des besoins auprès des métiers, rédaction des parcours conversationnels, suivi de "
    "l'intégrateur, entraînement du modèle NLU sur Dialogflow, mesure du taux de résolution et "
    "amélioration continue. Vous animez les ateliers avec les équipes relation client et IT, "
    "préparez les comités de pilotage et tenez le budget. Profil : Bac+5, trois ans d'expérience "
    "en gestion de projet digital, connaissance des outils d'IA conversationnelle."
)
OTHER_TEXT = (
    "Rattaché au responsable data, vous construisez les tableaux de bord de la direction "
    "financière : modélisation des données comptables, requêtes SQL, automatisation des "
    "rapports mensuels sous Power BI, contrôle de la qualité des données et formation des "
    "utilisateurs. Vous travaillez avec les contrôleurs de gestion et l'équipe infrastructure. "
    "Profil : Bac+5 en statistiques, deux ans d'expérience, maîtrise de SQL et de Python."
)


def offer(**fields):
    raw = {
        "source": "france_travail",
        "source_id": "1",
        "title": "Chef de projet chatbot H/F",
        "company": "Assurances du Nord SA",
        "location": "69 - Lyon 3e Arrondissement",
        "contract": "CDI",
        "description": TEXT,
        **fields,
    }
    record, reason = validate(raw)
    assert reason is None, reason
    return to_offer(record, NOW)


def same(a, b):
    return verdict(features(a), features(b))


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("Assurances du Nord SA", "ASSURANCES DU NORD"),
        ("Société Générale", "SOCIETE GENERALE"),
        ("Botco S.A.S.", "BOTCO SAS"),
        ("Groupe Centaurus", "Centaurus"),
    ],
)
def test_legal_forms_case_and_accents_fold_away(a, b):
    assert employer_words(a) == employer_words(b) != ()


def test_titles_lose_gender_marks_and_keep_levels():
    role, levels = title_parts("CHEF DE PROJET CHATBOT (F/H) - CDI", "Chef de projet chatbot")
    assert role == {"chef", "projet", "chatbot"} and levels == frozenset()
    assert title_parts("Chef de projet chatbot III", "Chef de projet chatbot III")[1] == {"3"}
    assert title_parts("Stage - Chef de projet chatbot", "Chef de projet chatbot")[1] == {"intern"}


def test_the_same_job_on_two_boards_is_one():
    a = offer()
    b = offer(
        source="apec",
        source_id="178",
        title="Chef de Projet Chatbot (F/H)",
        company="ASSURANCES DU NORD",
        location="Lyon 03 - 69",
        description="<p>" + TEXT.replace(" : ", ": ") + "</p><p>Postulez sur Apec.</p>",
    )
    assert same(a, b) == (True, "one description, same role and place")


def test_a_teaser_is_part_of_the_full_ad():
    teaser = TEXT[: len(TEXT) // 2]
    assert text_agreement(shingles(teaser), shingles(TEXT)) > 0.95  # its last word was cut
    assert same(offer(), offer(source="indeed", description=teaser))[0]


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"title": "Chef de projet chatbot senior H/F"}, "another level or kind of position"),
        ({"title": "Stage - Chef de projet chatbot", "contract": "Stage"}, "another level"),
        ({"contract": "CDD 12 mois"}, "another contract"),
        ({"company": "Mutuelle du Sud"}, "another employer"),
        ({"location": "75 - Paris 8e Arrondissement"}, "another place"),
        ({"title": "Data analyst H/F"}, "another role"),
        ({"description": OTHER_TEXT}, "unlike descriptions"),
    ],
)
def test_what_makes_two_jobs(change, reason):
    verdict_, why = same(offer(), offer(source="apec", **change))
    assert verdict_ is False and why.startswith(reason)


def test_an_acronym_is_the_employer_it_abbreviates():
    a = offer(company="CNPS")
    b = offer(source="apec", company="CAISSE NATIONALE DE PREVOYANCE SOCIALE")
    assert same(a, b)[0]
    assert not same(offer(company="CNP"), b)[0]


def test_one_text_under_a_reworded_title_is_one_job():
    a = offer(title="PO Voicebot multilingue (F/H/X)")
    assert same(offer(title="Product Owner Voicebot H/F"), a)[0]
    # Without a description to compare, the role words must mostly agree.
    bare = {"description": None}
    assert not same(
        offer(title="Product Owner Voicebot H/F", **bare),
        offer(**bare, title="PO Voicebot multilingue"),
    )[0]
    assert same(offer(**bare), offer(source="apec", **bare))[0]


def test_a_fully_remote_offer_matches_its_twin_anywhere():
    remote = offer(source="wttj", location="France", remote="Télétravail total")
    assert features(remote).remote_full
    assert same(offer(), remote)[0]


def test_without_an_employer_the_descriptions_decide():
    confidential = offer(source="apec", company=None)
    assert same(offer(), confidential)[0]
    assert not same(offer(), offer(source="apec", company=None, description=None))[0]


def test_keys_block_by_employer_role_place_and_text():
    stored, looked_up = keys(features(offer()))
    assert "e:assurances du nord|chatbot chef projet" in stored
    # The description's keys are chosen among its smallest hashes by what is stored.
    hashes = features(offer()).shingles
    assert list(sketch(hashes)) == sorted(hashes)[:SKETCH_LOOKED_AT]
    assert not sketch(shingles("Trop court pour comparer."))
    # Role and department: every offer is stored under it, an offer without employer looks it
    # up; the others look up only the offers without employer.
    assert "p:69|chatbot chef projet" in stored and "n:69|chatbot chef projet" in looked_up
    stored, looked_up = keys(features(offer(company=None)))
    assert {"p:69|chatbot chef projet", "n:69|chatbot chef projet"} <= set(stored)
    assert "p:69|chatbot chef projet" in looked_up


# ---------------------------------------------------------------- stored


@pytest.fixture
def db():
    database = open_db(":memory:")
    yield database
    database.close()


def ingest(db, source, employer_site=False, **fields):
    run = Ingest(db, source, "offline", employer_site=employer_site)
    base = {"source": source, "source_id": f"{source}-1", "title": "Chef de projet chatbot H/F"}
    base |= {"company": "Assurances du Nord", "location": "Lyon (69)", "description": TEXT}
    outcome = run.add({**base, **fields})
    run.finish()
    return outcome


def test_listings_of_one_job_become_one_offer_with_every_link(db):
    assert ingest(db, "france_travail", url="https://ft/1") == "new"
    assert ingest(db, "apec", url="https://apec/1", salary="40 - 45 k€ brut annuel") == "new"
    assert ingest(db, "jobposting", employer_site=True, url="https://careers/1") == "new"
    (row,) = iter_offers(db)
    assert (row["source"], row["source_id"]) == ("france_travail", "france_travail-1")
    assert [x["source"] for x in json.loads(row["listings"])] == [
        "france_travail", "apec", "jobposting"
    ]  # fmt: skip
    # What the first listing lacked comes from another; the employer's page is the apply link.
    assert row["salary_annual_min"] == 40000 and row["salary"] == "40 - 45 k€ brut annuel"
    assert row["apply_url"] == "https://careers/1"


def test_a_changed_secondary_listing_does_not_overwrite_the_offer(db):
    ingest(db, "france_travail")
    ingest(db, "apec")
    ingest(db, "apec", title="Chef de projet chatbot (H/F) - mise à jour")
    (row,) = iter_offers(db)
    assert row["title"] == "Chef de projet chatbot H/F"
    assert db["offer_history"].count == 1


def test_a_changed_first_listing_keeps_what_the_others_filled(db):
    ingest(db, "france_travail", url="https://ft/1")
    ingest(db, "apec", salary="40 - 45 k€ brut annuel")
    ingest(db, "jobposting", employer_site=True, url="https://careers/1")
    assert ingest(db, "france_travail", url="https://ft/1", title="Chef de projet chatbot") == (
        "updated"
    )
    (row,) = iter_offers(db)
    assert row["title"] == "Chef de projet chatbot"  # the first listing's own text changed
    assert row["salary_annual_min"] == 40000 and row["apply_url"] == "https://careers/1"
    # A first listing that states what another had filled is read, its apply link too when
    # no other listing chose one.
    ingest(db, "france_travail", url="https://ft/1", salary="50 k€ brut annuel")
    (row,) = iter_offers(db)
    assert row["salary_annual_min"] == 50000 and row["apply_url"] == "https://careers/1"


def test_an_offer_listed_once_takes_its_changed_listing_whole(db):
    ingest(db, "france_travail", salary="50 k€ brut annuel")
    ingest(db, "france_travail", salary=None)
    (row,) = iter_offers(db)
    assert row["salary_annual_min"] is None and row["salary"] is None


def test_a_changed_first_listing_may_change_its_own_apply_link(db):
    ingest(db, "france_travail", apply_url="https://ft/apply/1")
    ingest(db, "france_travail", apply_url="https://ft/apply/2", title="Chef de projet chatbot")
    (row,) = iter_offers(db)
    assert row["apply_url"] == "https://ft/apply/2"


def test_two_jobs_stay_two_offers(db):
    ingest(db, "france_travail")
    ingest(db, "apec", location="Paris (75)")
    assert db["offers"].count == 2


def test_dedup_stored_merges_offers_from_before_and_keeps_the_seekers_status(db):
    ingest(db, "france_travail")
    ingest(db, "apec", location="Paris (75)")  # another job
    ingest(db, "indeed", url="https://indeed/1")
    assert db["offers"].count == 2  # the Indeed twin joined at once
    # As if stored before duplicate detection: one offer per listing.
    db.execute("delete from dedup_keys")
    db["offers"].insert({**db["offers"].get(1), "id": 9, "source": "linkedin", "source_id": "9"})
    db["listings"].update(("indeed", "indeed-1"), {"offer_id": 9})
    db["user_status"].insert({"offer_id": 9, "status": "applied", "updated_at": "x"})
    assert dedup_stored(db, employer_sites=set()) == (3, 1)
    assert db["offers"].count == 2
    assert db["listings"].get(("indeed", "indeed-1"))["offer_id"] == 1
    assert db["user_status"].get(1)["status"] == "applied"


def test_dedup_command_says_what_it_merged(tmp_path):
    from click.testing import CliRunner

    from pipeline.cli import cli

    path = str(tmp_path / "d.db")
    database = open_db(path)
    ingest(database, "france_travail")
    database.close()
    result = CliRunner().invoke(cli, ["--db", path, "dedup"])
    assert result.exit_code == 0, result.output
    assert "1 offers looked at, 0 merged" in result.output


def test_description_keys_pass_over_an_employers_boilerplate(db):
    """40 ads of one employer open on the same long presentation: its triples' hashes become
    common, and a retitled copy of the first ad (no employer-and-role key in common, so only
    the description can find it) still joins it, however many ads came between."""
    rng = random.Random(5)
    about = " ".join(sentence(rng, 15) for _ in range(12))
    roles = [f"{a}{b}bot" for a in "abcde" for b in "abcdefgh"]
    ads = [
        {
            "title": f"Chef de projet {role}",
            "company": "Assurances du Nord",
            "location": "Lyon (69)",
            "description": f"<p>{about}</p><p>{' '.join(sentence(rng, 12) for _ in range(3))}</p>",
        }
        for role in roles
    ]
    run = Ingest(db, "employer", "offline")
    for number, ad in enumerate(ads):
        run.add({**ad, "source": "employer", "source_id": str(number)})
    run.finish()
    assert db["offers"].count == 40  # one presentation, 40 jobs
    held = dict(
        db.execute("select key, count(*) from dedup_keys where key like 'd:%' group by key")
    )
    assert max(held.values()) == CANDIDATES_PER_KEY  # common keys stop growing
    # Every ad still holds SKETCH_KEYS uncommon description keys, the first ones included.
    for offer_id in range(1, 41):
        mine = [k for (k,) in db.execute(
            "select key from dedup_keys where offer_id = ? and key like 'd:%'", [offer_id]
        )]  # fmt: skip
        assert sum(held[k] < CANDIDATES_PER_KEY for k in mine) >= SKETCH_KEYS
    run = Ingest(db, "board", "offline")
    for number, ad in enumerate(ads[:5]):
        title = f"Pilote projet {roles[number]} (H/F)"
        run.add({**ad, "title": title, "source": "board", "source_id": str(number)})
    run.finish()
    assert db["offers"].count == 40
    joined = db.execute("select source_id, offer_id from listings where source = 'board'")
    assert sorted(joined) == [(str(n), n + 1) for n in range(5)]


def test_titles_about_two_things_need_the_whole_text():
    """'Chef de projet chatbot' and 'Chef de projet voicebot' of one employer share the words of
    a function only: a presentation that makes most of both ads does not make them one job,
    while one ad's whole text under a reworded title does."""
    rng = random.Random(3)
    about = " ".join(sentence(rng, 15) for _ in range(16))
    chatbot = offer(title="Chef de projet chatbot", description=f"{about} {sentence(rng, 12)}")
    voicebot = offer(
        source="apec", title="Chef de projet voicebot", description=f"{about} {sentence(rng, 12)}"
    )
    agreement = text_agreement(features(chatbot).shingles, features(voicebot).shingles)
    assert 0.9 <= agreement < 0.97  # enough for one ad's copies, were the titles alike
    assert same(chatbot, voicebot) == (False, "unlike descriptions")
    assert same(
        chatbot,
        offer(
            source="apec", title="Chef de projet voicebot H/F", description=chatbot["description"]
        ),
    )[0]
    # Without descriptions, function words alone are no shared role.
    bare = {"description": None}
    assert not same(
        offer(title="Chef de projet chatbot", **bare),
        offer(source="apec", title="Chef de projet voicebot", **bare),
    )[0]
    assert same(
        offer(title="Chef de projet", **bare),
        offer(source="apec", title="Chef de projet H/F", **bare),
    )[0]
