"""normalise_place: location texts and stated place fields → commune, department, region, country."""

from __future__ import annotations

import csv
import dataclasses
import json
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.data import build_places
from pipeline.place import Place, in_france, normalise_place
from tests.helpers import case_header, case_params, case_rows, cell, fixture_path

PLACES = Path(build_places.__file__).parent / "places"
COLUMNS = ["text", "commune", "postal_code", "exp_city", "exp_department", "exp_region"]
COLUMNS += ["exp_country", "note"]
REGIONS = {
    "Île-de-France",
    "Centre-Val de Loire",
    "Bourgogne-Franche-Comté",
    "Normandie",
    "Hauts-de-France",
    "Grand Est",
    "Pays de la Loire",
    "Bretagne",
    "Nouvelle-Aquitaine",
    "Occitanie",
    "Auvergne-Rhône-Alpes",
    "Provence-Alpes-Côte d'Azur",
    "Corse",
    "Guadeloupe",
    "Martinique",
    "Guyane",
    "La Réunion",
    "Mayotte",
}


def data_rows(name: str) -> list[dict[str, str]]:
    with (PLACES / name).open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(line for line in handle if not line.startswith("#")))


# --- the labelled table ---------------------------------------------------------------------


def test_the_table_is_large_and_well_formed():
    assert case_header("place") == COLUMNS
    rows = case_rows("place")
    assert len(rows) >= 120
    for row in rows:
        assert cell(row, "exp_region") in REGIONS | {None}, row
        assert cell(row, "exp_country") is None or len(cell(row, "exp_country")) == 2, row


@pytest.mark.parametrize(
    "row", case_params("place", ids=lambda number, row: f"{number}:{row['text'][:40]}")
)
def test_labelled_table(row):
    place = normalise_place(
        cell(row, "text"), commune=cell(row, "commune"), postal_code=cell(row, "postal_code")
    )
    got = (place.city and place.city.casefold(), place.department, place.region, place.country)
    want_city = cell(row, "exp_city")
    want = (want_city and want_city.casefold(), cell(row, "exp_department"))
    want += (cell(row, "exp_region"), cell(row, "exp_country"))
    assert got == want, place


# --- structured fields ----------------------------------------------------------------------


def test_france_travail_lieu_travail_is_stated():
    place = normalise_place(
        "75 - Paris 8e Arrondissement",
        commune="75108",
        postal_code="75008",
        latitude=48.876271,
        longitude=2.318035,
    )
    assert place == Place(
        city="Paris",
        commune="75108",
        department="75",
        region="Île-de-France",
        country="FR",
        latitude=48.876271,
        longitude=2.318035,
        basis="stated",
        remote_only=False,
        raw="75 - Paris 8e Arrondissement",
    )


def test_every_france_travail_fixture_place_agrees_with_its_commune_code():
    seen = 0
    for path in sorted(fixture_path("france_travail").glob("search_*.json")):
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except ValueError:
            continue  # some fixtures are deliberately broken payloads
        for offer in payload.get("resultats", []) if isinstance(payload, dict) else []:
            lieu = offer.get("lieuTravail") or {}
            if not lieu.get("commune"):
                continue
            stated = normalise_place(
                lieu.get("libelle"),
                commune=lieu["commune"],
                postal_code=lieu.get("codePostal"),
                latitude=lieu.get("latitude"),
                longitude=lieu.get("longitude"),
            )
            parsed = normalise_place(lieu.get("libelle"))
            assert stated.basis == "stated" and parsed.basis == "parsed"
            assert (parsed.city, parsed.department) == (stated.city, stated.department), lieu
            assert stated.latitude is not None, lieu
            seen += 1
    assert seen > 0


def test_commune_code_wins_over_the_text():
    place = normalise_place("Paris", commune="92050")
    assert (place.city, place.commune, place.department) == ("Nanterre", "92050", "92")


def test_old_and_delegated_commune_codes_lead_to_the_current_commune():
    # 74011 is Annecy-le-Vieux, delegated commune of Annecy since 2017; 50129 is both
    # Cherbourg-en-Cotentin and its delegated commune Cherbourg-Octeville.
    assert normalise_place(None, commune="74011").commune == "74010"
    assert normalise_place(None, commune="50129").city == "Cherbourg-en-Cotentin"
    assert normalise_place(None, commune="2a004").city == "Ajaccio"
    assert normalise_place(None, commune=1053).city == "Bourg-en-Bresse"  # lost leading zero


def test_unknown_commune_code_is_flagged_and_the_text_used():
    place = normalise_place("Lyon", commune="99999")
    assert place.city == "Lyon" and "unknown_commune_code" in place.flags


def test_postal_code_shared_by_several_communes_gives_the_department_only():
    place = normalise_place(None, postal_code="20200")
    assert (place.city, place.department, place.basis) == (None, "2B", "stated")
    assert normalise_place("Ville-di-Pietrabugno", postal_code="20200").commune == "2B353"


def test_postal_code_of_paris_lyon_marseille_gives_the_arrondissement():
    assert normalise_place(None, postal_code="75116").commune == "75116"
    assert normalise_place("Lyon", postal_code="69003").commune == "69383"
    assert normalise_place(None, postal_code=13008).commune == "13208"


def test_cedex_postal_code_still_gives_the_department():
    place = normalise_place(None, postal_code="92042")
    assert (place.department, place.city) == ("92", None)


def test_stated_department_settles_a_homonym_and_overrules_the_text():
    assert normalise_place("Saint-Denis", department="974").commune == "97411"
    assert normalise_place("Saint-Denis", department=93).commune == "93066"
    assert normalise_place("Saint-Denis", department="Seine-Saint-Denis").commune == "93066"
    place = normalise_place("Lyon", department="33")
    assert (place.city, place.department, place.basis) == (None, "33", "stated")
    assert "place_conflict" in place.flags


def test_unknown_stated_fields_are_ignored_with_a_flag():
    place = normalise_place("Nantes", postal_code="00000", department="XX")
    assert place.city == "Nantes"
    assert {"unknown_postal_code", "unknown_department"} <= set(place.flags)


# --- text rules -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text, commune",
    [
        ("75 - Paris 8e Arrondissement", "75108"),
        ("Paris 08", "75108"),
        ("Paris 8ème", "75108"),
        ("PARIS 1ER", "75101"),
        ("Paris 16", "75116"),
        ("Lyon 01 - 69", "69381"),
        ("Lyon 9e Arrondissement", "69389"),
        ("Marseille 16e", "13216"),
        ("Télétravail à Paris 2e", "75102"),
        ("Paris 21", "75056"),  # not an arrondissement: the commune
        ("Lyon 12", "69123"),
    ],
)
def test_arrondissements_keep_their_code_and_the_city_name(text, commune):
    place = normalise_place(text)
    assert place.commune == commune
    assert place.city in {"Paris", "Lyon", "Marseille"}


def test_homonyms_most_populous_or_nothing():
    valence = normalise_place("Valence")
    assert (valence.department, valence.flags) == ("26", ("most_populous",))
    # Saint-Denis (974) and Saint-Denis (93) are of similar size: no department is guessed.
    denis = normalise_place("Saint-Denis")
    assert (denis.city, denis.commune, denis.department, denis.region) == (
        "Saint-Denis",
        None,
        None,
        None,
    )
    assert denis.country == "FR" and "ambiguous_city" in denis.flags
    assert normalise_place("Saint-Denis (93)").commune == "93066"
    assert normalise_place("Saint-Denis, La Réunion").commune == "97411"


def test_department_names_beat_communes_of_the_same_name_without_context():
    assert (normalise_place("Vienne").city, normalise_place("Vienne").department) == (None, "86")
    assert normalise_place("Vienne (38)").commune == "38544"
    assert normalise_place("Vienne, Auvergne-Rhône-Alpes").commune == "38544"
    # Paris is the only commune of its department, so the name is the city.
    assert normalise_place("Paris").commune == "75056"
    assert normalise_place("Saint-Barthélemy").commune == "97701"


def test_districts_give_a_department_but_no_city():
    for text in (
        "La Défense",
        "Paris La Défense",
        "La Défense (92)",
        "92042 Paris La Défense Cedex",
    ):
        place = normalise_place(text)
        assert (place.city, place.department, place.region) == (None, "92", "Île-de-France")
    assert normalise_place("Courbevoie (La Défense)").city == "Courbevoie"
    assert normalise_place("Sophia Antipolis").department == "06"


def test_short_words_inside_a_text_are_not_taken_for_small_communes():
    # "Rue" (Somme), "Job" (Puy-de-Dôme) and "Mer" (Loir-et-Cher) are communes.
    assert normalise_place("Rue de la République").city is None
    assert normalise_place("Job dating à la mer").city is None
    assert normalise_place("Poste basé à Rennes").city == "Rennes"
    assert normalise_place("Rue").city == "Rue"  # a whole part is read as it is


def test_a_place_the_job_is_not_in_is_skipped():
    place = normalise_place("Île-de-France (hors Paris)")
    assert (place.city, place.region) == (None, "Île-de-France")


def test_s_slash_is_sur_not_a_separator():
    assert normalise_place("Boulogne s/ Mer").commune == "62160"
    assert normalise_place("Paris/Lyon").flags == ("several_places",)


def test_text_postal_code_with_a_different_city_trusts_the_name():
    place = normalise_place("92100 Issy-les-Moulineaux")
    assert place.city == "Issy-les-Moulineaux"


def test_text_department_code_contradicting_the_city_is_flagged():
    place = normalise_place("Lyon (33)")
    assert (place.city, place.department) == ("Lyon", "69")
    assert "place_conflict" in place.flags


def test_several_places_keep_the_first_and_say_so():
    place = normalise_place("Paris / Lyon / Marseille")
    assert place.city == "Paris" and "several_places" in place.flags
    assert "several_places" not in normalise_place("Paris, Île-de-France, France").flags


@pytest.mark.parametrize(
    "text, remote_only, country",
    [
        ("Télétravail", True, None),
        ("100% télétravail", True, None),
        ("Full remote", True, None),
        ("Remote, FR", True, "FR"),
        ("Remote, Canada", True, "CA"),
        ("France (télétravail)", True, "FR"),
        ("Télétravail partiel", False, None),
        ("Hybride", False, None),
        ("Télétravail à Paris (75)", False, "FR"),
        ("Paris", False, "FR"),
        ("France", False, "FR"),
    ],
)
def test_remote_only(text, remote_only, country):
    place = normalise_place(text)
    assert (place.remote_only, place.country) == (remote_only, country)
    if remote_only:
        assert place.city is place.department is place.region is None


def test_abroad():
    brussels = normalise_place("Bruxelles, Belgique")
    assert (brussels.city, brussels.country, brussels.department) == ("Bruxelles", "BE", None)
    assert normalise_place("Genève").country == "CH"
    assert normalise_place("Luxembourg").country == "LU"
    # Mons is also the name of seven French villages: the country decides.
    mons = normalise_place("Mons, Belgique")
    assert (mons.city, mons.commune, mons.country, mons.flags) == ("Mons", None, "BE", ())
    assert normalise_place("Waterloo, Belgique").city == "Waterloo"
    assert normalise_place("Montréal").country == "CA"
    assert normalise_place("Montréal (11)").country == "FR"
    # Two-letter codes count in capitals only.
    assert normalise_place("Paris, de").country == "FR"


def test_mojibake_is_repaired():
    assert normalise_place("MÃ©rignac").commune == "33281"
    assert normalise_place("Ã\x8ele-de-France").region == "Île-de-France"
    assert normalise_place("Mensuel ï¿½ Paris").city == "Paris"


def test_accents_case_hyphens_and_saint_abbreviations_do_not_matter():
    expected = normalise_place("Saint-Étienne").commune
    for text in ("ST ETIENNE", "st-étienne", "Saint Etienne", "saint-etienne (42)"):
        assert normalise_place(text).commune == expected == "42218"


def test_former_and_english_region_names():
    for text, region in [
        ("Rhône-Alpes", "Auvergne-Rhône-Alpes"),
        ("PACA", "Provence-Alpes-Côte d'Azur"),
        ("Nord-Pas-de-Calais", "Hauts-de-France"),
        ("Brittany", "Bretagne"),
        ("IDF", "Île-de-France"),
    ]:
        assert normalise_place(text).region == region


def test_overseas_collectivities_have_no_region_but_are_french():
    for text, department in [("Nouméa", "988"), ("Papeete (987)", "987"), ("Saint-Martin", "978")]:
        place = normalise_place(text)
        assert (place.department, place.region, place.country) == (department, None, "FR")


def test_corsica():
    assert normalise_place("Ajaccio (2A)").department == "2A"
    assert normalise_place("20 - Corse").region == "Corse"
    assert normalise_place(None, postal_code="20000").department == "2A"
    assert normalise_place(None, postal_code="20600").department == "2B"


def test_nothing_known_is_none_not_empty():
    for text in (None, "", "   ", "N/A", "??", "Non précisé", "Voir annonce"):
        place = normalise_place(text)
        assert place.city is place.department is place.region is place.country is None
        assert place.basis is None and place.flags == () and not place.remote_only
    assert normalise_place("   ").raw is None


# --- coordinates ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "lat, lon",
    [
        (48.8566, 2.3522),  # Paris
        (50.6292, 3.0573),  # Lille
        (48.5734, 7.7521),  # Strasbourg
        (46.1935, 6.2345),  # Annemasse, next to Geneva
        (47.5895, 7.5586),  # Saint-Louis, next to Basel
        (43.7765, 7.5048),  # Menton
        (42.4396, 3.1625),  # Cerbère
        (43.3587, -1.7746),  # Hendaye
        (48.4584, -5.0899),  # Ouessant
        (41.9192, 8.7386),  # Ajaccio
        (14.6041, -61.0661),  # Fort-de-France
        (-20.8823, 55.4504),  # Saint-Denis, La Réunion
        (4.9224, -52.3135),  # Cayenne
        (-12.7806, 45.2279),  # Mamoudzou
        (-22.2758, 166.4580),  # Nouméa
        (-17.5516, -149.5585),  # Papeete
        (46.7811, -56.1764),  # Saint-Pierre
    ],
)
def test_coordinates_in_france_are_kept(lat, lon):
    assert in_france(lat, lon)
    place = normalise_place(None, latitude=str(lat).replace(".", ","), longitude=lon)
    assert (place.latitude, place.longitude, place.basis) == (lat, lon, "stated")


@pytest.mark.parametrize(
    "lat, lon",
    [
        (50.8503, 4.3517),  # Brussels
        (50.6065, 3.3884),  # Tournai
        (49.6116, 6.1319),  # Luxembourg
        (49.2402, 6.9969),  # Saarbrücken
        (48.5700, 7.8200),  # Kehl
        (47.5596, 7.5886),  # Basel
        (46.2044, 6.1432),  # Geneva
        (46.5197, 6.6323),  # Lausanne
        (45.0703, 7.6869),  # Turin
        (43.7902, 7.6075),  # Ventimiglia
        (42.5063, 1.5218),  # Andorra la Vella
        (43.3183, -1.9812),  # San Sebastián
        (49.2144, -2.1312),  # Jersey
        (51.5074, -0.1278),  # London
        (40.9, 9.5),  # Sardinia
        (-18.8792, 47.5079),  # Antananarivo
        (16.7425, -62.1874),  # Montserrat
        (45.5017, -73.5673),  # Montreal
        (45.0, -4.0),  # the Bay of Biscay
    ],
)
def test_coordinates_abroad_or_at_sea_are_dropped_with_a_flag(lat, lon):
    assert not in_france(lat, lon)
    place = normalise_place(None, latitude=lat, longitude=lon)
    assert (place.latitude, place.longitude) == (None, None)
    assert place.flags == ("coordinates_outside_france",)


def test_coordinates_of_a_place_abroad_are_kept():
    place = normalise_place("Bruxelles, Belgique", latitude=50.8503, longitude=4.3517)
    assert (place.latitude, place.country) == (50.8503, "BE")


@pytest.mark.parametrize(
    "lat, lon",
    [(0, 0), ("abc", 2.3), (48.8, None), (None, 2.3), (91, 2), (48.8, 181), (float("nan"), 2)]
    + [(True, 2.3), (10**400, 2), ("1e400", 2)],
)
def test_invalid_coordinates_are_dropped_with_a_flag(lat, lon):
    place = normalise_place("Paris", latitude=lat, longitude=lon)
    assert (place.latitude, place.longitude, place.city) == (None, None, "Paris")
    assert place.flags == ("coordinates_invalid",)


# --- data files -----------------------------------------------------------------------------


def test_generated_files_are_complete():
    regions = data_rows("regions.csv")
    assert {r["name"] for r in regions} == REGIONS
    departments = {d["code"]: d for d in data_rows("departements.csv")}
    assert len(departments) == 101 + 8
    assert departments["2A"]["region"] == "94" and departments["975"]["region"] == ""
    communes = data_rows("communes.csv")
    assert len(communes) == 37_590
    assert sum(c["type"] == "ARM" for c in communes) == 20 + 9 + 16
    sizes = sum((PLACES / n).stat().st_size for n in ("regions.csv", "departements.csv"))
    assert sizes + (PLACES / "communes.csv").stat().st_size <= 2_500_000


def test_generator_is_deterministic_and_reproduces_the_committed_files(tmp_path):
    # Rebuild from a package folder made of the committed data itself is not possible (the
    # source JSON is not committed), so this checks the generator on a tiny synthetic package.
    package = tmp_path / "package"
    (package / "data").mkdir(parents=True)
    meta = {"name": "@etalab/decoupage-administratif", "version": "0.0.0-test"}
    (package / "package.json").write_text(json.dumps(meta), encoding="utf-8")
    communes = [
        {"code": "75056", "nom": "Paris", "type": "commune-actuelle", "departement": "75"}
        | {"region": "11", "codesPostaux": ["75002", "75001"], "population": 2},
        {"code": "75101", "nom": "Paris 1er Arrondissement", "departement": "75", "region": "11"}
        | {"type": "arrondissement-municipal", "commune": "75056", "codesPostaux": ["75001"]},
        {"code": "97701", "nom": "Saint-Barthélemy", "type": "commune-actuelle"}
        | {"departement": "977", "region": "977", "codesPostaux": ["97133"]},
    ]
    departements = [
        {"code": "977", "nom": "Saint-Barthélemy", "region": "977"},
        {"code": "75", "nom": "Paris", "region": "11"},
    ]
    regions = [{"code": "977", "nom": "Saint-Barthélemy"}, {"code": "11", "nom": "Île-de-France"}]
    for name, data in [("communes", communes), ("departements", departements)]:
        (package / "data" / f"{name}.json").write_text(json.dumps(data), encoding="utf-8")
    (package / "data" / "regions.json").write_text(json.dumps(regions), encoding="utf-8")
    out_a, out_b = tmp_path / "a", tmp_path / "b"
    build_places.build(package, out_a)
    communes.reverse()
    (package / "data" / "communes.json").write_text(json.dumps(communes), encoding="utf-8")
    build_places.build(tmp_path, out_b)  # the folder holding package/ works too
    for name in ("regions.csv", "departements.csv", "communes.csv"):
        assert (out_a / name).read_bytes() == (out_b / name).read_bytes()
    lines = (out_a / "communes.csv").read_text(encoding="utf-8").splitlines()
    assert lines[-3:] == [
        "75056,Paris,75,11,75001 75002,2,COM,,",
        "75101,Paris 1er Arrondissement,75,11,75001,,ARM,75056,",
        "97701,Saint-Barthélemy,977,,97133,,COM,,",
    ]
    assert (
        (out_a / "regions.csv")
        .read_text(encoding="utf-8")
        .endswith("code,name\n11,Île-de-France\n")
    )


def test_hand_written_vocabularies_point_to_known_codes():
    regions = {r["name"] for r in data_rows("regions.csv")}
    departments = {d["code"] for d in data_rows("departements.csv")}
    communes = {c["code"] for c in data_rows("communes.csv")}
    kinds = {"region", "department", "commune", "district", "remote", "hybrid", "ignore"}
    kinds |= {"common_word", "exclude"}
    for row in data_rows("aliases.csv"):
        assert row["kind"] in kinds, row
        target = row["target"]
        if row["kind"] == "region":
            assert target in regions, row
        elif row["kind"] in ("department", "district"):
            assert target in departments, row
        elif row["kind"] == "commune":
            assert target in communes, row
    for row in data_rows("countries.csv"):
        assert len(row["country"]) == 2 and row["country"].isupper(), row


# --- robustness -----------------------------------------------------------------------------

PLACE_WORDS = st.sampled_from(
    [
        "Paris",
        "Lyon 3e",
        "(92)",
        "75008",
        "Cedex 3",
        "Île-de-France",
        "FR",
        "Télétravail",
        "Saint-Denis",
        "La Défense",
        "Belgique",
        " - ",
        ", ",
        "Ã©",
        "ï¿½",
        "2A",
        "974",
        "Arrondissement",
        "St",
        "\x00",
        "\u202f",
    ]
)
ANY_TEXT = st.one_of(
    st.none(),
    st.text(),
    st.lists(PLACE_WORDS, max_size=12).map("".join),
    st.lists(st.one_of(PLACE_WORDS, st.text(max_size=5)), max_size=12).map(" ".join),
)
ANY_FIELD = st.one_of(
    st.none(),
    st.text(max_size=12),
    st.integers(),
    st.floats(),
    st.booleans(),
    st.sampled_from(["75108", "2A004", "97411", "75008", "20200", "974", "2b", "6000"]),
)


def check_place(place: Place) -> None:
    assert isinstance(place, Place)
    for name in ("city", "commune", "department", "region", "country", "raw"):
        value = getattr(place, name)
        assert value is None or (isinstance(value, str) and value != "")
    assert place.region is None or place.region in REGIONS
    assert place.basis in (None, "stated", "parsed")
    assert isinstance(place.remote_only, bool)
    assert (place.latitude is None) == (place.longitude is None)
    if place.commune is not None:
        assert place.department is not None and place.country == "FR"
    hash(place)  # frozen and hashable


def run_property(text, commune, postal_code, department, latitude, longitude):
    place = normalise_place(
        text,
        commune=commune,
        postal_code=postal_code,
        department=department,
        latitude=latitude,
        longitude=longitude,
    )
    check_place(place)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(ANY_TEXT, ANY_FIELD, ANY_FIELD, ANY_FIELD, ANY_FIELD, ANY_FIELD)
def test_any_input_gives_a_place(text, commune, postal_code, department, latitude, longitude):
    run_property(text, commune, postal_code, department, latitude, longitude)


@pytest.mark.fuzz
@settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))
@given(ANY_TEXT, ANY_FIELD, ANY_FIELD, ANY_FIELD, ANY_FIELD, ANY_FIELD)
def test_any_input_gives_a_place_fuzz(text, commune, postal_code, department, latitude, longitude):
    run_property(text, commune, postal_code, department, latitude, longitude)


def test_non_string_inputs():
    assert normalise_place(b"Lyon (69)").city == "Lyon"  # type: ignore[arg-type]
    assert normalise_place(75).department == "75"  # type: ignore[arg-type]
    check_place(normalise_place(["Paris"]))  # type: ignore[arg-type]


def test_huge_inputs_are_fast():
    for text in ("Paris " * 40_000, "a" * 200_000, "75 - " * 50_000, "(" * 200_000, "é" * 200_000):
        started = time.perf_counter()
        check_place(normalise_place(text))
        assert time.perf_counter() - started < 0.5


def test_one_place_text_normalises_well_under_a_millisecond():
    texts = [cell(r, "text") for r in case_rows("place")]
    normalise_place("warm up")
    started = time.perf_counter()
    for _ in range(5):
        for text in texts:
            normalise_place(text)
    per_call = (time.perf_counter() - started) / (5 * len(texts))
    assert per_call < 0.001


def test_place_is_a_frozen_dataclass():
    place = normalise_place("Paris")
    with pytest.raises(dataclasses.FrozenInstanceError):
        place.city = "Lyon"  # type: ignore[misc]
