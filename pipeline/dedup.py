"""Cross-source duplicate detection: one job listed on several boards becomes one offer.

Two offers are the same job when nothing says otherwise and enough says so:
- **blocking**, so the cost grows with the number of offers, not its square: an offer is only
  compared with earlier offers that share one of its keys — same employer and role words; same
  role words and department; or one of the few smallest hashes of its description's word
  triples that are not common (a bottom-k MinHash sketch: two texts sharing most of their
  triples very likely share one of their smallest hashes; a triple already under many offers
  is boilerplate or common prose, which says nothing of two texts being one, and is passed
  over for the next hash);
- **against wrong merges**, any of these makes two offers: another employer (once legal forms,
  case and accents are folded), another level or kind of position in the title (II / III,
  junior / senior, an internship beside the job), another contract, another city (another
  department when a city is missing; a fully remote offer fits any place), unlike descriptions;
- **for a merge**, the titles must share a role word and the descriptions, when both have one,
  must be one text: nearly all of the shorter one's word triples found in the other (a board's
  teaser is part of the full ad); all but a few of them when the titles share only the words
  of a function ("chef", "projet"). Without a description to compare, the employer must be
  known on both sides and the role words must mostly agree, beyond those words.

The rules are pure functions; `same_offer_in` and `dedup_stored` put them to work on a database,
where `db/store.py` keeps the keys (`dedup_keys`) and does the merging.
"""

from __future__ import annotations

import re
import tomllib
import zlib
from array import array
from dataclasses import dataclass, replace
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

from sqlite_utils import Database

from db import store
from pipeline.text import fold

_DATA = Path(__file__).parent / "data" / "dedup.toml"
_WORD = re.compile(r"[a-z0-9]+(?:\+\+|#)?")

SKETCH_KEYS = 4  # description hashes used as blocking keys: the smallest uncommon ones
SKETCH_LOOKED_AT = 64  # smallest description hashes looked at to find them
SHINGLE = 3  # words per description shingle (shingles() combines three)
MIN_SHINGLES = 12  # shorter descriptions say too little to compare
ROLE_AGREEMENT = 0.5  # Jaccard of the role words
# Share of the shorter description's triples found in the other. Boards copy the employer's
# text: copies of one ad agree at 0.97 and more in the labelled pairs, while a second post of the
# same title, another client of an agency's template or a replacement CDD stay under 0.88.
TEXT_AGREEMENT = 0.9
ONE_TEXT = 0.97  # the same, for titles that share only generic words (data/dedup.toml)
# The most recent offers read under a key; a description hash under this many offers is common.
CANDIDATES_PER_KEY = 20


@dataclass(frozen=True)
class _Vocabulary:
    employer_drop: frozenset[str]
    title_drop: frozenset[str]
    generic: frozenset[str]
    levels: dict[str, str]


@lru_cache(maxsize=1)
def _vocabulary() -> _Vocabulary:
    with _DATA.open("rb") as handle:
        data = tomllib.load(handle)
    return _Vocabulary(
        frozenset(data["employer"]["drop"]),
        frozenset(data["title"]["drop"]),
        frozenset(data["title"]["generic"]),
        dict(data["title"]["levels"]),
    )


@dataclass(frozen=True)
class Features:
    """What duplicate detection reads of one offer. The description's triples are worked out
    only when a comparison gets that far: most candidates are told apart before."""

    employer: tuple[str, ...]  # folded employer words, legal forms out; () when unknown
    role: frozenset[str]  # folded title words that say what the job is
    levels: frozenset[str]  # level and kind-of-position groups named in the title
    contract: str | None
    city: str | None
    department: str | None
    remote_full: bool
    text: str | None = None

    @cached_property
    def shingles(self) -> frozenset[int]:
        """crc32 of the description's word triples."""
        return shingles(self.text)


def _words(text: str | None) -> list[str]:
    return _WORD.findall(fold(text)) if text else []


# The words of this many employers and titles are kept: each listing is compared with a score of
# stored offers, read again for every listing that shares one of their keys, and a database's
# offers share their employers and titles far more than whole rows.
_WORDS_KEPT = 16_384


@lru_cache(maxsize=_WORDS_KEPT)
def employer_words(company: str | None) -> tuple[str, ...]:
    """ "Assurances du Nord SA" and "ASSURANCES DU NORD" → ("assurances", "du", "nord")."""
    if not company:
        return ()
    drop = _vocabulary().employer_drop
    # "S.A.S." is a legal form once its dots go; "l'Oréal" keeps its words.
    text = re.sub(r"\b((?:[a-z]\.){2,})", lambda m: m.group(1).replace(".", ""), fold(company))
    return tuple(w for w in _WORD.findall(text) if w not in drop)


@lru_cache(maxsize=_WORDS_KEPT)
def title_parts(title: str | None, clean: str | None) -> tuple[frozenset[str], frozenset[str]]:
    """(role words, level groups). Levels are read from the title as given, where a cleaner
    has not yet dropped "Stage -" or "(alternance)"; role words from the clean title."""
    vocabulary = _vocabulary()
    levels = frozenset(vocabulary.levels[w] for w in _words(title) if w in vocabulary.levels)
    role = frozenset(
        w
        for w in _words(clean or title)
        if w not in vocabulary.title_drop and w not in vocabulary.levels
    )
    return role, levels


class _WordIds(dict):
    """crc32 of each word seen, computed once: descriptions share most of their words."""

    MOST = 200_000

    def __missing__(self, word: str) -> int:
        if len(self) >= self.MOST:
            self.clear()
        value = self[word] = zlib.crc32(word.encode())
        return value


_WORD_IDS = _WordIds()


@lru_cache(maxsize=1024)
def shingles(text: str | None) -> frozenset[int]:
    """32-bit hashes of the text's word triples: each word is hashed once (crc32, the same in
    every process, since keys made of them are stored), then three in a row are combined. The
    last 1,024 texts' hashes are kept: a new listing's description is read again, as a
    candidate's, when the next copy of the job comes."""
    words = _words(text)
    if len(words) < SHINGLE:
        return frozenset()
    ids = list(map(_WORD_IDS.__getitem__, words))
    pairs = [a * 1000003 ^ b for a, b in zip(ids, ids[1:], strict=False)]
    return frozenset(
        [(ab * 1000003 ^ c) & 0xFFFFFFFF for ab, c in zip(pairs, ids[2:], strict=False)]
    )


# A contract that is a kind of position: "Chef de projet chatbot en alternance" on one board is
# the alternance "Chef de projet chatbot" of another.
CONTRACT_LEVELS = {"stage": "intern", "alternance": "apprentice", "freelance": "freelance"}

# The offer columns features() reads.
COLUMNS = ("title", "title_clean", "company", "contract", "city", "department", "remote")
TEXT_COLUMN = "description_text"


def features(offer: dict[str, Any]) -> Features:
    """The features of an offer's stored columns (COLUMNS and TEXT_COLUMN)."""
    role, levels = title_parts(offer.get("title"), offer.get("title_clean"))
    kind = CONTRACT_LEVELS.get(offer.get("contract"))
    return Features(
        employer=employer_words(offer.get("company")),
        role=role,
        levels=levels | {kind} if kind else levels,
        contract=offer.get("contract"),
        city=fold(offer["city"]) if offer.get("city") else None,
        department=offer.get("department"),
        remote_full=offer.get("remote") == "full",
        text=offer.get(TEXT_COLUMN),
    )


def keys(f: Features) -> tuple[list[str], list[str]]:
    """(the keys an offer is stored under, the keys it looks up), but those of its description,
    which depend on what is stored (_DescriptionKeys). Role and department alone
    make a crowded key: it is only needed where an employer is missing on one side, so an
    offer without employer looks up every offer of its role and department ("p:"), and every
    other offer looks up only those without employer ("n:")."""
    role = " ".join(sorted(f.role))
    stored, looked_up = [], []
    if role and f.employer:
        stored.append(f"e:{' '.join(f.employer)}|{role}")
        looked_up.append(stored[-1])
    if role and f.department:
        place = f"{f.department}|{role}"
        stored.append(f"p:{place}")
        if f.employer:
            looked_up.append(f"n:{place}")
        else:
            stored.append(f"n:{place}")
            looked_up.append(f"p:{place}")
    return stored, looked_up


def sketch(hashes: frozenset[int]) -> array[int]:
    """A description's smallest triple hashes, smallest first (SKETCH_LOOKED_AT of them; none
    for a short description): its keys are chosen among them (_DescriptionKeys)."""
    if len(hashes) < MIN_SHINGLES:
        return array("I")
    return array("I", sorted(hashes)[:SKETCH_LOOKED_AT])


def _jaccard(a: frozenset, b: frozenset) -> float:
    return len(a & b) / len(a | b) if a or b else 0.0


def text_agreement(a: frozenset[int], b: frozenset[int]) -> float | None:
    """Share of the shorter description's triples found in the other; None if either is short."""
    if len(a) < MIN_SHINGLES or len(b) < MIN_SHINGLES:
        return None
    return len(a & b) / min(len(a), len(b))


def _initials(words: tuple[str, ...]) -> str:
    return "".join(w[0] for w in words if w not in {"de", "du", "des", "d"})


def _same_employer(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    # "AXA" and "AXA France": one's words within the other's; "CNPS" and "Caisse nationale de
    # prévoyance sociale": an acronym of the other's words.
    if set(a) <= set(b) or set(b) <= set(a):
        return True
    return any(len(x) == 1 and len(x[0]) > 2 and x[0] == _initials(y) for x, y in ((a, b), (b, a)))


def _places_fit(a: Features, b: Features) -> bool:
    if a.remote_full or b.remote_full:
        return True
    if a.city and b.city:
        return a.city == b.city
    if a.department and b.department:
        return a.department == b.department
    return True


def refusal(a: Features, b: Features) -> str | None:
    """Why two offers are two jobs, as far as their descriptions need not be read; None when
    nothing but the descriptions could still tell them apart."""
    if a.levels != b.levels:
        return "another level or kind of position"
    if a.contract and b.contract and a.contract != b.contract:
        return "another contract"
    if a.employer and b.employer and not _same_employer(a.employer, b.employer):
        return "another employer"
    if not _places_fit(a, b):
        return "another place"
    if not a.role & b.role:
        return "another role"
    return None


def _only_generic(a: frozenset[str], b: frozenset[str]) -> bool:
    """Whether two titles that both name what the job is about ("chatbot", "voicebot") share
    only the words of its function ("chef", "projet")."""
    generic = _vocabulary().generic
    return bool(a - generic and b - generic and not (a & b) - generic)


def verdict(a: Features, b: Features) -> tuple[bool, str]:
    """Whether two offers are one job, and the reason that decided it."""
    reason = refusal(a, b)
    if reason is not None:
        return False, reason
    reworded = _only_generic(a.role, b.role)
    text = text_agreement(a.shingles, b.shingles)
    if text is not None:
        # One ad's text, however its title was reworded ("PO Voicebot" / "Product Owner
        # Voicebot"), or two ads that only share a template. Titles about two things
        # ("Chef de projet chatbot" / "Chef de projet agent conversationnel") need the whole
        # text: an employer's presentation can be most of a short ad, or all of a teaser.
        if text < (ONE_TEXT if reworded else TEXT_AGREEMENT):
            return False, "unlike descriptions"
        return True, "one description, same role and place"
    if not (a.employer and b.employer):
        return False, "no employer or description to compare"
    if reworded or _jaccard(a.role, b.role) < ROLE_AGREEMENT:
        return False, "another role"
    return True, "same employer, role and place"


# ---------------------------------------------------------------- with the database


_MOST_COMMON_KEPT = 100_000
_MOST_SKETCHES_KEPT = 100_000


class _DescriptionKeys:
    """The description keys of the offers stored in one database: of an offer's smallest
    hashes (`sketch`), the first SKETCH_KEYS that are not common.

    A hash held by CANDIDATES_PER_KEY offers is common: boilerplate or common prose, which
    says nothing of two texts being one, while reading its offers would cost every listing
    that holds it as many candidates. The offer that makes a key common is stored under it
    all the same (the count stays in the file) and under the uncommon keys after it; the
    offers that held the key before then get their next uncommon hashes too, so that a later
    copy of their text, which passes the common key over, still finds them.
    """

    def __init__(self, db: Database) -> None:
        self.db = db
        self.common: set[str] = set()  # found common here: a key stays so
        # Sketches of the descriptions seen here, by the text's hash: an offer given more keys
        # is not read again word by word (about 400 bytes each, 40 MB when full).
        self.sketches: dict[int, array[int]] = {}

    def of(self, text: str | None) -> list[str]:
        """The keys to look up and store a new listing's description under: the keys it makes
        common, then its first uncommon ones once the offers that held those are given theirs
        (which may change what is common)."""
        hashes, made_common = self._sketch(text), []
        while True:
            chosen, turning = self._choose(hashes)
            if not turning:
                return made_common + chosen
            made_common += turning
            self._rekey(turning)

    def _sketch(self, text: str | None) -> array[int]:
        if not text:
            return array("I")
        key = hash(text)
        found = self.sketches.get(key)
        if found is None:
            if len(self.sketches) >= _MOST_SKETCHES_KEPT:
                self.sketches.clear()
            found = self.sketches[key] = sketch(shingles(text))
        return found

    def _rekey(self, turning: list[str]) -> None:
        """Give the offers stored under keys that become common their next uncommon keys."""
        pending = list(turning)
        while pending:
            for holder, text, held in store.key_holders(self.db, pending.pop(), TEXT_COLUMN):
                chosen, more = self._choose(self._sketch(text), held)
                store.add_keys(self.db, holder, [key for key in chosen if key not in held])
                pending += more

    def _choose(
        self, hashes: array[int], held: set[str] | frozenset[str] = frozenset()
    ) -> tuple[list[str], list[str]]:
        """(the keys a sketch is stored under, those it makes common), asking the file for
        how many offers hold each, a few keys at a time. `held`: the keys of a stored offer,
        counted already."""
        if len(self.common) > _MOST_COMMON_KEPT:
            self.common.clear()
        chosen: list[str] = []
        turning: list[str] = []
        rest = iter(hashes)  # the keys are written out only as far as they are needed
        while len(chosen) - len(turning) < SKETCH_KEYS:
            asked = []
            for value in rest:
                key = f"d:{value:08x}"
                if key not in self.common:
                    asked.append(key)
                    if len(asked) == 2 * SKETCH_KEYS:
                        break
            if not asked:
                break
            counts = store.key_counts(self.db, asked, CANDIDATES_PER_KEY)
            for key, count in zip(asked, counts, strict=True):
                if count >= CANDIDATES_PER_KEY:
                    self.common.add(key)
                elif len(chosen) - len(turning) < SKETCH_KEYS:
                    chosen.append(key)
                    if count == CANDIDATES_PER_KEY - 1 and key not in held:
                        turning.append(key)
                        self.common.add(key)
        return chosen, turning


def same_offer_in(db: Database) -> store.SameOffer:
    """What `store.store_offer` asks before storing a new listing as a new offer. A candidate's
    description is read from the file only when nothing else told the two apart. Asking may
    give offers already stored more description keys (_DescriptionKeys), inside the caller's
    transaction."""

    description_keys = _DescriptionKeys(db)

    def same_offer(offer: dict[str, Any]) -> tuple[int | None, list[str]]:
        mine = features(offer)
        stored, looked_up = keys(mine)
        described = description_keys.of(mine.text)
        stored, looked_up = stored + described, looked_up + described
        for row in store.candidates(db, looked_up, COLUMNS, CANDIDATES_PER_KEY):
            theirs = features(dict(zip(("id", *COLUMNS), row, strict=True)))
            if refusal(mine, theirs) is not None:
                continue
            theirs = replace(theirs, text=store.offer_column(db, row[0], TEXT_COLUMN))
            if verdict(mine, theirs)[0]:
                return row[0], stored
        return None, stored

    return same_offer


def dedup_stored(db: Database, employer_sites: set[str], batch: int = 500) -> tuple[int, int]:
    """Index every stored offer again, oldest first, merging each into an earlier offer of the
    same job: for a database from before duplicate detection, or after its rules changed.
    Streams in batches; returns (offers looked at, offers merged away)."""
    with db.atomic():
        db.execute("delete from dedup_keys")
    same_offer = same_offer_in(db)
    last_id, seen, merged = 0, 0, 0
    columns = ", ".join(("id", "source", "apply_url", "url", *COLUMNS, TEXT_COLUMN))
    while True:
        rows = list(
            db.query(
                f"select {columns} from offers where id > ? order by id limit ?", [last_id, batch]
            )
        )
        if not rows:
            return seen, merged
        with db.atomic():
            for row in rows:
                seen += 1
                keep, found = same_offer(row)
                if keep is None:
                    store.add_keys(db, row["id"], found)
                    continue
                link = (row["apply_url"] or row["url"]) if row["source"] in employer_sites else None
                store.merge_offers(db, keep, row["id"], apply_url=link)
                store.add_keys(db, keep, found)
                merged += 1
        last_id = rows[-1]["id"]
