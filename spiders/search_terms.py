"""The keyword searches every searching spider runs: the role vocabulary in search_terms.txt."""

from pathlib import Path

TERMS_FILE = Path(__file__).with_name("search_terms.txt")


def search_terms(path: Path = TERMS_FILE) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]


def terms_for(
    titles: list[str] | tuple[str, ...], vocabulary: list[str] | None = None
) -> list[str]:
    """What to search for a seeker: their own titles first, then the role vocabulary when one
    of their titles is that role (names a vocabulary term), so another profile searches for its
    own role only. Case aside, each term once."""
    vocabulary = search_terms() if vocabulary is None else vocabulary
    folded = [title.casefold() for title in titles]
    same_role = any(term.casefold() in title for term in vocabulary for title in folded)
    terms: dict[str, str] = {}
    for term in [*titles, *(vocabulary if same_role else [])]:
        term = term.strip()
        if term:
            terms.setdefault(term.casefold(), term)
    return list(terms.values())
