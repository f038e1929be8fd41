"""The normalise stage: one valid raw record in, the offer's normalised columns out. Pure.

Each field has its own module (salary, place, contract, remote, seniority, education, dates,
title, text); this one only decides what each is given. The raw texts stay in their own columns
(see pipeline.ingest.to_offer); every value here comes with how it was obtained.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from matching.skills import skills_of_offer
from pipeline.contract import normalise_contract
from pipeline.dates import normalise_date
from pipeline.education import normalise_education
from pipeline.place import normalise_place
from pipeline.remote import normalise_remote
from pipeline.salary import normalise_salary
from pipeline.seniority import normalise_experience
from pipeline.text import html_to_text
from pipeline.title import clean_title


def stated_skills(value: Any) -> str | None:
    """Skills the source states, as a JSON list (matching finds more in the text later)."""
    if value is None:
        return None
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = value.split(",")
    if not isinstance(value, list):
        value = [value]
    skills = [str(s).strip() for s in value if s is not None and str(s).strip()]
    return json.dumps(list(dict.fromkeys(skills)), ensure_ascii=False) if skills else None


def skills_named(title: str | None, text: str | None, stated: Any) -> str | None:
    """Every skill of the taxonomy the offer names, once, with where: [[id, where], …] as JSON."""
    if isinstance(stated, str):
        stated = [stated]
    if not isinstance(stated, list):
        stated = None
    found = skills_of_offer(title, text, [str(s) for s in stated] if stated else None)
    pairs = [[skill, hits[0].where] for skill, hits in found.items()]
    return json.dumps(pairs, ensure_ascii=False) if pairs else None


def normalise(record: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The normalised offer columns of a valid raw record; `now` anchors relative dates."""
    title = record["title"]
    text = html_to_text(record["description"])
    salary = normalise_salary(
        record["salary"],
        stated_min=record["salary_min"],
        stated_max=record["salary_max"],
        stated_period=record["salary_period"],
        stated_currency=record["salary_currency"],
        description=text,
    )
    place = normalise_place(
        record["location"],
        commune=record["commune"],
        postal_code=record["postal_code"],
        department=record["department"],
        latitude=record["latitude"],
        longitude=record["longitude"],
    )
    contract = normalise_contract(record["contract"], title=title, description=text)
    remote = normalise_remote(
        record["remote"], description=text, title=title, location=record["location"]
    )
    experience = normalise_experience(record["experience"], description=text, title=title)
    education = normalise_education(record["education"], description=text)
    posted = normalise_date(record["posted_at"], now=now)
    return {
        "title_clean": clean_title(title),
        "description_text": text,
        "salary_min": salary.min,
        "salary_max": salary.max,
        "salary_period": salary.period,
        "salary_currency": salary.currency,
        "salary_months": salary.months,
        "salary_gross_net": salary.gross_net,
        "salary_annual_min": salary.annual_min,
        "salary_annual_max": salary.annual_max,
        "salary_basis": salary.basis,
        "salary_flags": ",".join(salary.flags) or None,
        "city": place.city,
        "commune": place.commune,
        "department": place.department,
        "region": place.region,
        "country": place.country,
        "latitude": place.latitude,
        "longitude": place.longitude,
        "place_basis": place.basis,
        "contract": contract.type,
        "contract_months": contract.months,
        "contract_basis": contract.basis,
        "remote": remote.value,
        "remote_days": remote.days_per_week,
        "remote_basis": remote.basis,
        "experience_years": experience.years,
        "seniority": experience.level,
        "experience_basis": experience.basis,
        "education_level": education.level,
        "education_basis": education.basis,
        "skills": stated_skills(record["skills"]),
        "skills_found": skills_named(title, text, record["skills"]),
        "posted_at": posted.date,
        "posted_at_basis": posted.basis,
    }
