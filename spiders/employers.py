"""Employers' career sites: `employers.toml` maps each employer to a platform (an ATS spider,
or `jobposting` for plain career pages) and that platform's identifiers; `EmployerSpider` is the
base of every ATS spider: it runs over the employers on its platform.

    scrapy crawl workday                       every employer the data file puts on Workday
    scrapy crawl workday -a employer=axa       some of them (comma-separated slugs)
"""

from __future__ import annotations

import tomllib
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from spiders.common import SourceSpider, split_terms

EMPLOYERS_FILE = Path(__file__).with_name("employers.toml")
KNOWN_KEYS = {"name", "platform", "verified"}


@dataclass(frozen=True)
class Employer:
    slug: str
    name: str
    platform: str
    verified: bool = False
    # The platform's identifiers (host, tenant, site, company, board…), as written.
    ids: dict[str, str] = field(default_factory=dict)

    def id(self, key: str) -> str:
        """One identifier; a missing one is a data-file error that names the employer."""
        value = self.ids.get(key)
        if not value:
            raise ValueError(f"employer {self.slug!r} ({self.platform}) needs {key!r}")
        return value


def _employer(slug: str, table: Any, where: str) -> Employer:
    if not isinstance(table, dict):
        raise ValueError(f"{where}: employer {slug!r} must be a table")
    for key in ("name", "platform"):
        if not isinstance(table.get(key), str) or not table[key].strip():
            raise ValueError(f"{where}: employer {slug!r} has no {key}")
    ids = {k: str(v) for k, v in table.items() if k not in KNOWN_KEYS}
    return Employer(slug, table["name"], table["platform"], table.get("verified") is True, ids)


def load_employers(path: Path = EMPLOYERS_FILE) -> dict[str, Employer]:
    """Every employer of the data file by slug; a malformed file raises ValueError saying where."""
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    tables = data.get("employers", {})
    if not isinstance(tables, dict):
        raise ValueError(f"{path.name}: [employers] must be a table")
    return {slug: _employer(slug, table, path.name) for slug, table in tables.items()}


def employers_on(
    platform: str, names: str | None = None, path: Path = EMPLOYERS_FILE
) -> tuple[list[Employer], list[str]]:
    """The employers on `platform` a run asked for (all when it named none), and the asked-for
    slugs that are unknown or on another platform."""
    known = {e.slug: e for e in load_employers(path).values() if e.platform == platform}
    wanted = split_terms(names) if names else list(known)
    return [known[n] for n in wanted if n in known], [n for n in wanted if n not in known]


def _folded(value: str) -> str:
    decomposed = unicodedata.normalize("NFKD", value.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def mentions_any(texts: Iterable[str | None], terms: Iterable[str]) -> bool:
    """Whether any text names any term, case and accents aside: an employer's feed lists every
    job it has, and only the seeker's role is worth storing."""
    haystack = " ".join(_folded(t) for t in texts if t)
    return any(_folded(term) in haystack for term in terms)


class EmployerSpider(SourceSpider):
    """Base of the ATS spiders: `self.employers` are the data file's employers on this platform."""

    employer_site = True

    def __init__(self, employer: str | None = None, employers_file: str | None = None, **kwargs):
        super().__init__(**kwargs)
        path = Path(employers_file) if employers_file else EMPLOYERS_FILE
        self.employers, unknown = employers_on(self.name, employer, path)
        if unknown:
            self.logger.error(
                "no employer %s on %s in %s", ", ".join(unknown), self.name, path.name
            )
        if not self.employers:
            self.logger.warning("%s: no employer to crawl in %s", self.name, path.name)
