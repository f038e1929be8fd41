"""Realistic synthetic raw offers for the benchmarks, the same for a given seed.

They look like what the spiders yield: French chatbot-project titles with gender marks and
levels, employers with legal forms, places in the sources' formats, salary texts as the sources
write them, contract and remote texts, and HTML descriptions of 150–300 words built from an
employer's own presentation paragraph, missions, and the profile and conditions sections real
ads carry (degree, experience, remote work, contract, benefits: the phrases the normalisers
read, in about the shares the recorded fixtures show). About a third of the jobs are listed by two
or three sources, with the variations boards add (case, "H/F", legal forms, a teaser).
"""

from __future__ import annotations

import random
from collections.abc import Iterator

SOURCES = ("france_travail", "apec", "indeed", "linkedin", "hellowork", "wttj", "jobposting")
ROLES = (
    "Chef de projet chatbot", "Product Owner chatbot", "Chargé de projet IA conversationnelle",
    "Conversation designer", "Bot designer", "Chef de projet voicebot", "Lead callbot",
    "Développeur chatbot", "Data scientist NLP", "Consultant IA générative",
    "Chef de projet digital", "Product manager assistant virtuel", "Ingénieur NLU",
    "Business analyst chatbot", "Architecte solutions conversationnelles",
)  # fmt: skip
LEVELS = ("", "", "", " junior", " senior", " II", " III", "")
# (city, department, postal code)
CITIES = (
    ("Paris", "75", "75008"), ("Lyon", "69", "69003"), ("Marseille", "13", "13002"),
    ("Toulouse", "31", "31000"), ("Nantes", "44", "44000"), ("Lille", "59", "59000"),
    ("Bordeaux", "33", "33000"), ("Rennes", "35", "35000"), ("Strasbourg", "67", "67000"),
    ("Nice", "06", "06000"), ("Montpellier", "34", "34000"), ("Grenoble", "38", "38000"),
    ("Puteaux", "92", "92800"), ("Saint-Denis", "93", "93200"),
)  # fmt: skip
PLACE_FORMATS = (
    "{dept} - {city}", "{city} ({dept})", "{city}, France", "{postal} {city}", "{city} - {dept}",
)  # fmt: skip
SALARIES = (
    None, None, "Annuel de {low}.0 Euros à {high}.0 Euros sur 12.0 mois", "{k_low} - {k_high} k€ brut annuel",
    "De {low_sp} € à {high_sp} € par an", "Mensuel de {m_low},00 Euros sur 12 mois", "Selon profil",
)  # fmt: skip
# Profile and conditions sentences, None for an ad that says nothing of that kind.
DEGREES = (
    "Diplômé(e) d'un Bac+5 (école d'ingénieur ou master) en informatique ou linguistique.",
    "Formation supérieure de niveau Bac+3 minimum en communication, UX ou marketing digital.",
    "Vous êtes titulaire d'un master en traitement automatique des langues ou équivalent.",
    "BTS ou DUT accepté avec une expérience significative.", None, None,
)  # fmt: skip
EXPERIENCES = (
    "Vous justifiez de 3 ans d'expérience minimum en gestion de projet digital.",
    "Une première expérience réussie (stage ou alternance) sur un projet conversationnel est un plus.",
    "5 à 7 ans d'expérience dont au moins 2 sur des projets d'intelligence artificielle.",
    "Débutant accepté si vous êtes curieux et rigoureux.", None,
)  # fmt: skip
REMOTE_SENTENCES = (
    "Télétravail possible jusqu'à 2 jours par semaine selon l'accord d'entreprise.",
    "Poste basé à {city}, en présentiel dans nos locaux.",
    "Rythme hybride : 3 jours sur site et 2 jours à distance.",
    "Full remote envisageable après la période d'essai.", None, None,
)  # fmt: skip
CONDITIONS = (
    "CDI à pourvoir dès que possible, statut cadre.", "Mission de 6 mois renouvelable.",
    "Tickets restaurant, mutuelle prise en charge à 60 %, 10 jours de RTT.",
    "Rémunération selon profil et expérience, entre {k_low} et {k_high} k€ brut annuel.", None,
)  # fmt: skip
CONTRACTS = ("CDI", "CDI", "CDI", "CDD 12 mois", "Stage", "Alternance", "Freelance", None)
REMOTES = (None, None, "Télétravail partiel", "2 jours de télétravail par semaine", "Full remote")
LEGAL = ("", " SA", " SAS", " S.A.S.", "")
# The words of an ad's prose, most common first: drawn with weights 1/rank (Zipf's law, as in
# real text), so "projet" is in most ads and "gouvernance" in few.
WORDS = (  # noqa: SIM905 (a sentence is easier to edit than a list)
    "projet équipe client service données métier utilisateurs besoins suivi qualité pilotage "
    "parcours amélioration analyse outils mise place développement gestion solutions clients "
    "relation expérience digital processus performance équipes partenaires accompagnement "
    "déploiement tests recette documentation formation indicateurs ateliers roadmap backlog "
    "priorisation livraison sprint agile évolution conformité sécurité support intégration "
    "automatisation modèle budget conception spécifications fonctionnelles techniques "
    "interlocuteur transverse coordination reporting veille innovation stratégie transformation "
    "contenus scénarios intentions réponses conversations canal web mobile application "
    "plateforme fournisseurs prestataires comité arbitrages risques planning jalons cadrage "
    "lancement industrialisation maintenance exploitation incidents satisfaction parcours "
    "omnicanal centre contacts conseillers volumes taux résolution escalade supervision "
    "annotation entraînement corpus évaluation métriques gouvernance éthique juridique RGPD"
).split()
# Tools an ad may name: each ad names one to four of them, as the recorded ads do.
TOOLS = (
    "Dialogflow", "Rasa", "Botpress", "Genesys", "Salesforce", "Jira", "Python", "API REST",
    "Azure Bot Service", "Amazon Lex", "IBM watsonx Assistant", "LLM", "Power BI", "Confluence",
)  # fmt: skip
SUBJECTS = ("chatbot", "voicebot", "callbot", "assistant virtuel", "agent conversationnel")
_WEIGHTS = tuple(1 / rank for rank in range(1, len(WORDS) + 1))


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choices(WORDS, _WEIGHTS, k=words)).capitalize() + "."


def _thousands(value: int) -> str:
    return f"{value:,}".replace(",", "\u202f")


def jobs(rng: random.Random, count: int) -> Iterator[tuple[dict, int]]:
    """(one job's raw fields, how many sources list it), `count` jobs."""
    employers = [f"Entreprise {i:05d}" for i in range(max(50, count // 20))]
    about = {e: " ".join(sentence(rng, 14) for _ in range(3)) for e in employers[:2000]}
    for _ in range(count):
        employer = rng.choice(employers)
        city, dept, postal = rng.choice(CITIES)
        low = rng.randrange(32, 60) * 1000
        high = low + rng.randrange(3, 12) * 1000
        salary = rng.choice(SALARIES)
        subject = rng.choice(SUBJECTS)
        missions = f"<li>Piloter le {subject} de bout en bout : {sentence(rng, 8)}</li>" + "".join(
            f"<li>{sentence(rng, 12)}</li>" for _ in range(5)
        )
        tools = ", ".join(rng.sample(TOOLS, rng.randint(1, 4)))
        profile = [rng.choice(DEGREES), rng.choice(EXPERIENCES), sentence(rng, 14)]
        conditions = [rng.choice(REMOTE_SENTENCES), rng.choice(CONDITIONS)]
        said = {"city": city, "k_low": low // 1000, "k_high": high // 1000}
        text = (
            f"<p>{about.get(employer) or sentence(rng, 20)}</p><h3>Missions</h3><ul>{missions}</ul>"
            f"<p>Environnement technique : {tools}.</p>"
            f"<h3>Profil recherché</h3><p>{' '.join(s for s in profile if s)}</p>"
            f"<h3>Conditions</h3><p>{' '.join(s.format(**said) for s in conditions if s)} "
            f"{sentence(rng, 16)}</p>"
        )
        yield (
            {
                "title": f"{rng.choice(ROLES)}{rng.choice(LEVELS)}",
                "company": employer,
                "location": rng.choice(PLACE_FORMATS).format(city=city, dept=dept, postal=postal),
                "salary": None
                if salary is None
                else salary.format(
                    low=low,
                    high=high,
                    k_low=low // 1000,
                    k_high=high // 1000,
                    low_sp=_thousands(low),
                    high_sp=_thousands(high),
                    m_low=low // 12,
                ),  # fmt: skip
                "contract": rng.choice(CONTRACTS),
                "remote": rng.choice(REMOTES),
                "description": text,
                "posted_at": f"2026-11-{rng.randrange(1, 28):02d}",
            },
            rng.choice((1, 1, 2, 2, 3)),
        )


def listed(rng: random.Random, job: dict, source: str) -> dict:
    """The job as one board lists it."""
    title = job["title"]
    title = rng.choice((title, title.upper(), f"{title} H/F", f"{title} (F/H)"))
    company = job["company"] + rng.choice(LEGAL)
    description = job["description"]
    if source in ("indeed", "apec"):
        description = description[: len(description) // 2]
    return {
        **job,
        "source": source,
        "title": title,
        "company": rng.choice((company, company.upper())),
        "description": description,
    }


def raw_offers(count: int, seed: int = 7) -> Iterator[dict]:
    """`count` raw offers (listings), as spiders yield them."""
    rng = random.Random(seed)
    made = 0
    for number, (job, copies) in enumerate(jobs(rng, count)):
        for source in rng.sample(SOURCES, copies):
            if made == count:
                return
            made += 1
            yield {**listed(rng, job, source), "source_id": f"{number}-{source}", "url": None}
