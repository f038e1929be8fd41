"""Accuracy of each normaliser on the repo's labelled tables.

    python benchmarks/accuracy.py            # one line per field and table
    python benchmarks/accuracy.py --misses   # and every row it gets wrong

Two tables per field: `tests/pipeline/cases/<field>.csv`, written with the code (its tests run
every row), and `tests/pipeline/cases/heldout/<field>.csv`, written apart from the code from
public examples, so its figure is the fairer one. A row is right when every expected column of
its field matches (the check_* functions). Rows marked `known-miss` count like any other.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pipeline.contract import normalise_contract
from pipeline.dates import normalise_date
from pipeline.education import normalise_education
from pipeline.place import normalise_place
from pipeline.remote import normalise_remote
from pipeline.salary import normalise_salary
from pipeline.seniority import normalise_experience
from pipeline.title import clean_title

CASES = Path(__file__).resolve().parent.parent / "tests" / "pipeline" / "cases"


def cell(row: dict[str, str], key: str) -> str | None:
    value = (row.get(key) or "").strip()
    return value or None


def number(value: str | None) -> float | None:
    value = (value or "").strip()
    return float(value) if value else None


def same_number(got: float | None, expected: str | None, tolerance: float = 0.01) -> bool:
    want = number(expected)
    if got is None or want is None:
        return got is None and want is None
    return abs(got - want) <= tolerance


def same_text(got: str | None, expected: str | None, fold_case: bool = False) -> bool:
    if fold_case and got is not None and expected is not None:
        return got.casefold() == expected.casefold()
    return got == expected


def check_salary(row: dict[str, str]) -> bool:
    s = normalise_salary(
        cell(row, "text"),
        stated_min=cell(row, "stated_min"),
        stated_max=cell(row, "stated_max"),
        stated_period=cell(row, "stated_period"),
        stated_currency=cell(row, "stated_currency"),
    )
    return (
        same_number(None if s.annual_min is None else round(s.annual_min), row["exp_annual_min"], 1)
        and same_number(
            None if s.annual_max is None else round(s.annual_max), row["exp_annual_max"], 1
        )
        and same_text(s.period, cell(row, "exp_period"))
        and same_text(s.currency, cell(row, "exp_currency"))
    )


def check_place(row: dict[str, str]) -> bool:
    p = normalise_place(
        cell(row, "text"), commune=cell(row, "commune"), postal_code=cell(row, "postal_code")
    )
    return (
        same_text(p.city, cell(row, "exp_city"), fold_case=True)
        and same_text(p.department, cell(row, "exp_department"))
        and same_text(p.region, cell(row, "exp_region"))
        and same_text(p.country, cell(row, "exp_country"))
    )


def check_contract(row: dict[str, str]) -> bool:
    c = normalise_contract(
        cell(row, "text"), title=cell(row, "title"), description=cell(row, "description")
    )
    return same_text(c.type, cell(row, "exp_type")) and same_number(c.months, row["exp_months"])


def check_remote(row: dict[str, str]) -> bool:
    r = normalise_remote(
        cell(row, "stated"),
        description=cell(row, "description"),
        title=cell(row, "title"),
        location=cell(row, "location"),
    )
    return same_text(r.value, cell(row, "exp_remote"))


def check_seniority(row: dict[str, str]) -> bool:
    e = normalise_experience(
        cell(row, "text"),
        code=cell(row, "code"),
        description=cell(row, "description"),
        title=cell(row, "title"),
    )
    return same_number(e.years, row["exp_years"]) and same_text(e.level, cell(row, "exp_level"))


def check_education(row: dict[str, str]) -> bool:
    e = normalise_education(cell(row, "text"), description=cell(row, "description"))
    return same_number(e.level, row["exp_level"])


def check_dates(row: dict[str, str]) -> bool:
    d = normalise_date(cell(row, "value"), now=datetime.fromisoformat(row["now"]))
    return same_text(d.date, cell(row, "exp_date"))


def check_title(row: dict[str, str]) -> bool:
    return clean_title(cell(row, "text")) == cell(row, "exp_title")


@dataclass
class Field:
    name: str
    check: Callable[[dict[str, str]], bool]
    goal: float


FIELDS = [
    Field("salary", check_salary, 0.98),
    Field("place", check_place, 0.95),
    Field("contract", check_contract, 0.95),
    Field("remote", check_remote, 0.95),
    Field("seniority", check_seniority, 0.95),
    Field("education", check_education, 0.95),
    Field("dates", check_dates, 0.95),
    Field("title", check_title, 0.95),
]


TABLES = {"tuning": CASES, "heldout": CASES / "heldout"}


def rows_of(field: Field, table: str = "tuning") -> list[dict[str, str]]:
    path = TABLES[table] / f"{field.name}.csv"
    if not path.exists():
        return []
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def measure(field: Field, table: str = "tuning") -> tuple[int, list[dict[str, str]]]:
    """(number of rows, the rows it gets wrong)."""
    rows = rows_of(field, table)
    return len(rows), [row for row in rows if not field.check(row)]


def main(argv: list[str]) -> int:
    show_misses = "--misses" in argv
    print(f"{'field':<10} {'table':<8} {'rows':>5} {'right':>6} {'accuracy':>9} {'goal':>6}")
    below = 0
    for field in FIELDS:
        for table in TABLES:
            total, misses = measure(field, table)
            if not total:
                continue
            accuracy = (total - len(misses)) / total
            below += accuracy < field.goal
            mark = "" if accuracy >= field.goal else "  below goal"
            print(
                f"{field.name:<10} {table:<8} {total:>5} {total - len(misses):>6} "
                f"{accuracy:>9.1%} {field.goal:>6.0%}{mark}"
            )
            if show_misses:
                for row in misses:
                    print("    miss:", {k: v for k, v in row.items() if v})
    return 1 if below else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
