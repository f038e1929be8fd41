"""The keyword searches every searching spider runs: the role vocabulary in search_terms.txt."""

from pathlib import Path

TERMS_FILE = Path(__file__).with_name("search_terms.txt")


def search_terms(path: Path = TERMS_FILE) -> list[str]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
