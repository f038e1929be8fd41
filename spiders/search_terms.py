"""The keyword searches every searching spider runs: the role vocabulary in search_terms.txt."""

from pathlib import Path

from pipeline.text import word_list

TERMS_FILE = Path(__file__).with_name("search_terms.txt")


def search_terms(path: Path = TERMS_FILE) -> list[str]:
    return word_list(path)


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
