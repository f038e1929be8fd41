"""Does duplicate detection cost grow with the number of listings, not its square?

    python benchmarks/dedup_scale.py [--sizes 100000,200000] [--seed 7]

For each size, a fresh SQLite file receives that many synthetic listings through the real store
path (`db.store.store_offer` with `pipeline.dedup.same_offer_in`). The listings are offer columns
already normalised (normalising has its own benchmark), generated with a fixed seed: employers
with their own boilerplate paragraph, a role vocabulary with levels, French cities, and about a
third of the jobs listed by two or three sources with the usual variations (gender marks, case,
legal forms, teasers). Printed per size: seconds in duplicate detection, seconds storing,
listings/s, offers made; then the ratio of the dedup times (≈ 2 for 2× listings means linear).
"""

from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from db.migrations import open_db
from db.store import store_offer
from pipeline.dedup import same_offer_in

SOURCES = ("france_travail", "apec", "indeed", "linkedin", "hellowork", "wttj", "jobposting")
ROLES = (
    "chef de projet chatbot", "product owner chatbot", "chargé de projet IA conversationnelle",
    "conversation designer", "bot designer", "chef de projet voicebot", "lead callbot",
    "développeur chatbot", "data scientist NLP", "consultant IA générative",
    "chef de projet digital", "product manager assistant virtuel", "ingénieur NLU",
    "business analyst chatbot", "architecte solutions conversationnelles",
)  # fmt: skip
LEVELS = ("", "", "", "junior", "senior", "II", "III", "lead")
CITIES = (
    ("Paris", "75"), ("Lyon", "69"), ("Marseille", "13"), ("Toulouse", "31"), ("Nantes", "44"),
    ("Lille", "59"), ("Bordeaux", "33"), ("Rennes", "35"), ("Strasbourg", "67"), ("Nice", "06"),
    ("Montpellier", "34"), ("Grenoble", "38"), ("Puteaux", "92"), ("Saint-Denis", "93"),
)  # fmt: skip
CONTRACTS = ("CDI", "CDI", "CDI", "CDD", "stage", "alternance", "freelance")
WORDS = [
    "projet",
    "client",
    "équipe",
    "données",
    "parcours",
    "conversationnel",
    "intégration",
    "pilotage",
    "métier",
    "besoins",
    "qualité",
    "tests",
    "déploiement",
    "amélioration",
    "utilisateurs",
    "analyse",
    "modèle",
    "formation",
    "budget",
    "suivi",
    "ateliers",
    "documentation",
    "performance",
    "service",
    "outils",
    "automatisation",
    "indicateurs",
    "roadmap",
    "priorisation",
    "livraison",
    "agile",
    "sprint",
    "backlog",
    "recette",
    "conformité",
    "sécurité",
    "support",
    "évolution",
]
LEGAL = ("", " SA", " SAS", " S.A.S.", "")


def sentence(rng: random.Random, words: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words)).capitalize() + "."


def jobs(rng: random.Random, count: int):
    """(job, how many sources list it) with a description of its own beside its employer's
    boilerplate paragraph."""
    employers = [f"Entreprise {i:05d}" for i in range(max(50, count // 20))]
    boilerplate = {e: " ".join(sentence(rng, 14) for _ in range(3)) for e in employers[:2000]}
    for _ in range(count):
        employer = rng.choice(employers)
        city, department = rng.choice(CITIES)
        title = f"{rng.choice(ROLES)} {rng.choice(LEVELS)}".strip()
        missions = " ".join(sentence(rng, 16) for _ in range(6))
        about = boilerplate.get(employer) or sentence(rng, 20)
        yield (
            {
                "title": title,
                "company": employer,
                "city": city,
                "department": department,
                "contract": rng.choice(CONTRACTS),
                "remote": rng.choice((None, "hybrid", "none", "full")),
                "description_text": f"{about} {missions}",
            },
            rng.choice((1, 1, 2, 2, 3)),
        )


def variant(rng: random.Random, job: dict, source: str) -> dict:
    """The job as another board lists it."""
    title = job["title"]
    title = rng.choice((title, title.upper(), f"{title} H/F", f"{title.title()} (F/H)"))
    company = job["company"] + rng.choice(LEGAL)
    text = job["description_text"]
    if source in ("indeed", "apec"):
        text = text[: len(text) // 2]
    return {
        **job,
        "source": source,
        "title": title,
        "title_clean": job["title"],
        "company": rng.choice((company, company.upper())),
        "description_text": text,
    }


def listings(count: int, seed: int):
    rng = random.Random(seed)
    made = 0
    for number, (job, copies) in enumerate(jobs(rng, count)):
        for source in rng.sample(SOURCES, copies):
            if made == count:
                return
            made += 1
            yield {**variant(rng, job, source), "source_id": f"{number}-{source}"}


def run(count: int, seed: int, folder: Path) -> dict:
    db = open_db(str(folder / f"dedup_{count}.db"))
    finder = same_offer_in(db)
    spent = 0.0

    def timed(offer):
        nonlocal spent
        started = time.perf_counter()
        try:
            return finder(offer)
        finally:
            spent += time.perf_counter() - started

    now = "2026-11-27T00:00:00+00:00"
    started = time.perf_counter()
    for offer in listings(count, seed):
        raw = {"source": offer["source"], "source_id": offer["source_id"]}
        store_offer(db, raw, lambda offer=offer: offer, now, timed)
    total = time.perf_counter() - started
    offers = db["offers"].count
    db.close()
    return {"listings": count, "dedup_s": spent, "total_s": total, "offers": offers}


def main(argv: list[str]) -> int:
    sizes = [100_000, 200_000]
    if "--sizes" in argv:
        sizes = [int(s) for s in argv[argv.index("--sizes") + 1].split(",")]
    seed = int(argv[argv.index("--seed") + 1]) if "--seed" in argv else 7
    results = []
    with tempfile.TemporaryDirectory() as folder:
        for size in sizes:
            result = run(size, seed, Path(folder))
            results.append(result)
            print(
                f"{result['listings']:>8} listings: dedup {result['dedup_s']:.1f} s, "
                f"store + dedup {result['total_s']:.1f} s "
                f"({result['listings'] / result['total_s']:.0f} listings/s), "
                f"{result['offers']} offers"
            )
    if len(results) >= 2:
        first, last = results[0], results[-1]
        print(
            f"dedup time ×{last['dedup_s'] / first['dedup_s']:.2f} for "
            f"×{last['listings'] / first['listings']:.2f} listings "
            "(linear: the same ratio; quadratic: its square)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
