"""Offer text: HTML or plain text → clean lines, and the small text helpers the normalisers share.

`html_to_text` keeps the structure a reader sees (paragraphs, headings, line breaks, list items
as "- " lines) and drops everything else (scripts, styles, comments, attributes).

Why not BeautifulSoup: its "html.parser" builder drives the stdlib `html.parser.HTMLParser`,
which is quadratic on stray "<" (200,000 characters of "<a" take about a minute in Python 3.11),
and building the tree costs about 20 ms per 50 kB of real descriptions. Text extraction needs
neither a tree nor attributes, so a single linear scan finds the tags (possessive quantifiers,
`str.find` for comment and raw-text ends) and `html.unescape` decodes the entities. Nothing here
can raise on any string.
"""

from __future__ import annotations

import html as _html
import re
import sys
import unicodedata
from collections.abc import Iterable, Iterator
from functools import lru_cache
from itertools import chain
from pathlib import Path
from re import _constants as _re_constants  # the parsed form of a pattern (needed_words)
from re import _parser as _re_parser
from typing import Any

import ahocorasick

_END = sys.maxsize
_REPEATS = (
    _re_constants.MAX_REPEAT,
    _re_constants.MIN_REPEAT,
    _re_constants.POSSESSIVE_REPEAT,
)

# --- shared helpers ---------------------------------------------------------------------------

# Bytes 0x80–0xBF (UTF-8 continuation bytes) and 0xC2–0xF4 (lead bytes) as they look once UTF-8
# was decoded as Windows-1252 or Latin-1: "Ã©" for "é", "Ã\x8ele" for "Île".
_CONTINUATION = "".join(
    sorted(
        {chr(b) for b in range(0x80, 0xC0)}  # as Latin-1 shows them
        | {bytes([b]).decode("cp1252", "ignore") for b in range(0x80, 0xC0)} - {""}
    )
)
_LEAD = "".join(bytes([b]).decode("latin-1") for b in range(0xC2, 0xF5))
_MOJIBAKE = re.compile(f"[{re.escape(_LEAD)}][{re.escape(_CONTINUATION)}]{{1,3}}")


# "à" is C3 A0 in UTF-8: once the no-break space A0 became a plain space (or vanished), what is
# left is "Ã" and one or two spaces.
_LONE_A_GRAVE = re.compile(r"(?<![A-Za-zÀ-ÿ])Ã[ \u00a0]{1,2}(?=\w)")


def _to_bytes(text: str) -> bytes | None:
    out = bytearray()
    for ch in text:
        try:
            out += ch.encode("cp1252")
        except UnicodeEncodeError:
            if ord(ch) > 0xFF:
                return None
            out.append(ord(ch))
    return bytes(out)


def _repair_piece(match: re.Match[str]) -> str:
    piece = match.group(0)
    raw = _to_bytes(piece)
    if raw is None:
        return piece
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # "Ã©t" style overlap: the longest valid prefix is the repair, the rest stays as it was.
        for end in range(len(raw) - 1, 1, -1):
            try:
                return raw[:end].decode("utf-8") + piece[end:]
            except UnicodeDecodeError:
                continue
        return piece


def repair_mojibake(text: str) -> str:
    """Undo UTF-8 read as Windows-1252 ("DÃ©veloppeur" → "Développeur", "ï¿½" → "\ufffd").

    Piece by piece, so a text that mixes proper accents and mojibake is repaired too.
    """
    if _MOJIBAKE.search(text):
        text = _MOJIBAKE.sub(_repair_piece, text)
    if "Ã" in text:
        text = _LONE_A_GRAVE.sub("à ", text)
    return text


# Invisible characters that only get in the way: zero-width spaces and joiners, BOM, soft hyphen,
# controls other than line breaks and tabs, lone surrogates (they cannot be stored as UTF-8).
_INVISIBLE = re.compile(
    "[\u00ad\u200b-\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\ufeff\ufffe\uffff]"
)
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")
_SPACES = re.compile(r"\s+")


_SPACES_BUT_LINE_BREAKS = re.compile(r"[^\S\n]+")


def squash_spaces(text: str, keep_lines: bool = False) -> str:
    """NFC, invisible characters dropped, every run of whitespace one space (but line breaks,
    with `keep_lines`), stripped."""
    text = unicodedata.normalize("NFC", text)
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    return (_SPACES_BUT_LINE_BREAKS if keep_lines else _SPACES).sub(" ", text).strip()


_FOLD_SPECIAL = {
    "\u2019": "'",
    "\u2018": "'",
    "\u201b": "'",
    "\u2032": "'",
    "`": "'",
    "\u00b4": "'",
    "\u2010": "-",
    "\u2011": "-",
    "\u2012": "-",
    "\u2013": "-",
    "\u2014": "-",
    "\u2015": "-",
    "\u2212": "-",
    "\u0153": "o",
    "\u0152": "O",
    "\u00e6": "a",
    "\u00c6": "A",
    "\u00df": "s",
    "\u0131": "i",
    "\ufffd": "e",  # a lost character in these French texts is most often an é
}


def _fold_char(char: str, lower: bool) -> str:
    if char in _FOLD_SPECIAL:
        folded = _FOLD_SPECIAL[char]
    elif char.isspace():
        folded = "\n" if char == "\n" else " "
    else:
        decomposed = unicodedata.normalize("NFKD", char)
        folded = "".join(c for c in decomposed if not unicodedata.combining(c))
    if lower:
        folded = folded.lower()
    # One character for one: a match in the folded text points into the original.
    return folded[:1] or " "


class _FoldTable(dict):
    """str.translate's table, filled on first sight of each character: translate runs in C,
    so folding a long description costs a dictionary lookup per character, not a call."""

    def __init__(self, lower: bool) -> None:
        super().__init__()
        self.lower = lower

    def __missing__(self, code: int) -> str:
        folded = _fold_char(chr(code), self.lower)
        if len(self) < 50000:
            self[code] = folded
        return folded


_FOLD_TABLES = {True: _FoldTable(True), False: _FoldTable(False)}


# The normalisers each read the same description: the last few texts made plain and folded are kept.
_RECENT = 64


@lru_cache(maxsize=_RECENT)
def fold(text: str, lower: bool = True) -> str:
    """The text for matching, character for character: accents removed, apostrophes and dashes
    plain, lower case unless asked otherwise."""
    return text.translate(_FOLD_TABLES[lower])


def clean_input(text: object) -> str | None:
    """A string argument repaired and squashed; anything else, or a blank, is None."""
    if not isinstance(text, str):
        return None
    text = squash_spaces(repair_mojibake(text))
    return text or None


def flatten_description(description: object) -> str | None:
    """A description (HTML or text) as one line, its lines joined by " ; " so that a reader
    of phrases still sees where a line ended. None for a blank or a non-string."""
    if not isinstance(description, str):
        return None
    return _flatten_description(description)


@lru_cache(maxsize=_RECENT)
def _flatten_description(description: str) -> str | None:
    text = html_to_text(description) if "<" in description or "&" in description else description
    if not text:
        return None
    # squash_spaces of each line, done once over the lines joined by line breaks, which none
    # of the characters it replaces or drops is.
    text = squash_spaces("\n".join(repair_mojibake(text).splitlines()), keep_lines=True)
    return " ; ".join(line for line in map(str.strip, text.split("\n")) if line) or None


def phrases_regex(phrases: list[str] | tuple[str, ...]) -> Phrases:
    """One pattern matching any of the (folded) phrases as whole words, longest first.

    A phrase that starts or ends with a letter or digit may not touch another one there;
    "charge d'" still matches in "charge d'etudes". No phrase → never matches.
    """
    words = sorted({p for p in phrases if p}, key=len, reverse=True)

    def tailed(word: str) -> str:
        return re.escape(word) + ("(?![a-z0-9])" if word[-1].isalnum() else "")

    # One look-behind shared by all the phrases that need it: tried once per position, not once
    # per phrase (a long text would otherwise pay for every phrase at every character).
    heads = "|".join(tailed(w) for w in words if w[0].isalnum())
    others = "|".join(tailed(w) for w in words if not w[0].isalnum())
    parts = ([f"(?<![a-z0-9])(?:{heads})"] if heads else []) + ([f"(?:{others})"] if others else [])
    return Phrases(["|".join(parts)] if parts else [])


def mask(text: str, pattern: re.Pattern[str] | Phrases) -> str:
    """The text with every match of `pattern` blanked out by spaces (indexes stay valid)."""
    return pattern.sub(lambda m: " " * len(m.group(0)), text)


# --- HTML → text ------------------------------------------------------------------------------

# A start or end tag: a name, then (possessively, so a missing ">" costs one pass) anything but
# angle brackets. Attributes are not needed for text and are never looked at.
_TAG = re.compile(r"<(/?)([A-Za-z][A-Za-z0-9:-]*+)(?=[\s/>])[^<>]*+>")
_DECLARATION = re.compile(r"<[!?][^<>]*+>")
_LOOKS_LIKE_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9]*+(?:\s[^<>]*+)?/?>")
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});?")

# Elements whose content is never text for a reader; their end is searched once, linearly.
_RAW_SKIP = frozenset(
    [
        "script",
        "style",
        "noscript",
        "template",
        "iframe",
        "object",
        "svg",
        "math",
        "title",
        "textarea",
        "select",
    ]
)
# A paragraph break (blank line) before and after; a line break before and after.
_PARAGRAPH = frozenset(
    [
        "p",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "dl",
        "table",
        "blockquote",
        "pre",
        "hr",
        "section",
        "article",
        "header",
        "footer",
        "main",
        "aside",
        "nav",
        "form",
        "fieldset",
        "figure",
        "address",
        "details",
    ]
)
_LINE = frozenset(
    [
        "div",
        "li",
        "tr",
        "dt",
        "dd",
        "figcaption",
        "summary",
        "caption",
        "legend",
        "option",
        "center",
    ]
)
_CELL = frozenset(("td", "th"))

_BULLET = re.compile(r"^[•●▪◦‣∙·*–—►▸➢➤✓✔→]\s+")


class _Writer:
    """Collects text and breaks; a break is the largest one asked between two texts."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.pending = 0  # 0 none, 1 line break, 2 blank line
        self.space = False
        self.prefix = ""

    def brk(self, size: int) -> None:
        self.pending = max(self.pending, size)
        self.space = False
        self.prefix = ""

    def line_break(self) -> None:
        # <br> adds up: two of them make a blank line, as on screen.
        self.pending = min(2, self.pending + 1)
        self.space = False

    def text(self, value: str) -> None:
        """Flowing text: whitespace is a single space, newlines mean nothing."""
        if not value:
            return
        lead = value[0].isspace()
        trail = value[-1].isspace()
        value = " ".join(value.split())
        if not value:
            self.space = self.space or bool(self.parts)
            return
        self._emit(value, lead)
        self.space = trail

    def lines(self, value: str) -> None:
        """Text whose newlines are breaks (plain text, <pre>, markup without blocks)."""
        value = value.replace("\r\n", "\n").replace("\r", "\n")
        for number, line in enumerate(value.split("\n")):
            if number:
                self.line_break()
            self.text(line)

    def _emit(self, value: str, lead: bool) -> None:
        if self.parts and self.pending:
            self.parts.append("\n" * self.pending)
        elif self.parts and (self.space or lead) and self.parts[-1][-1:] != "\n":
            self.parts.append(" ")
        self.pending = 0
        self.space = False
        if self.prefix:
            self.parts.append(self.prefix)
            self.prefix = ""
        self.parts.append(value)

    def result(self) -> str | None:
        lines: list[str] = []
        for line in "".join(self.parts).split("\n"):
            line = " ".join(line.split())
            if line:
                line = _BULLET.sub("- ", line) if _BULLET.match(line) else line
                if line == "-":
                    continue
            if not line and (not lines or not lines[-1]):
                continue
            lines.append(line)
        while lines and not lines[-1]:
            lines.pop()
        return "\n".join(lines) or None


def _decode(text: str) -> str:
    if "&" not in text:
        return text
    text = _html.unescape(text)
    # Escaped twice ("&amp;eacute;"): what is left after one pass is an entity too.
    if "&" in text and _ENTITY.search(text):
        text = _html.unescape(text)
    return text


@lru_cache(maxsize=64)
def _end_tag(name: str) -> re.Pattern[str]:
    return re.compile(f"</{re.escape(name)}(?=[\\s/>])[^<>]*+>", re.IGNORECASE)


def _walk(markup: str, writer: _Writer) -> None:
    names = {m.group(2).lower() for m in _TAG.finditer(markup)}
    has_blocks = bool(names & (_PARAGRAPH | _LINE | {"br"}))
    pre = 0
    pos = 0
    text_start = 0
    length = len(markup)

    def flush(end: int) -> None:
        if end <= text_start:
            return
        text = _decode(markup[text_start:end])
        if pre or not has_blocks:
            writer.lines(text)
        else:
            writer.text(text)

    while True:
        lt = markup.find("<", pos)
        if lt < 0:
            flush(length)
            return
        if markup.startswith("<!--", lt):
            flush(lt)
            end = markup.find("-->", lt + 4)
            if end < 0:
                return
            pos = text_start = end + 3
            continue
        tag = _TAG.match(markup, lt)
        if tag is None:
            declaration = _DECLARATION.match(markup, lt)
            if declaration is None:
                # A "<" that opens nothing is text ("salaire < 40 k€"): keep scanning.
                pos = lt + 1
                continue
            flush(lt)
            pos = text_start = declaration.end()
            continue
        flush(lt)
        pos = text_start = tag.end()
        closing = tag.group(1) == "/"
        name = tag.group(2).lower()
        if name in _RAW_SKIP:
            if closing or tag.group(0).endswith("/>"):
                continue
            end = _end_tag(name).search(markup, pos)
            if end is None:
                return
            pos = text_start = end.end()
        elif name == "br":
            writer.line_break()
        elif name in _PARAGRAPH:
            writer.brk(2)
            if name == "pre":
                pre = max(0, pre - 1) if closing else pre + 1
        elif name in _LINE:
            writer.brk(1)
            if name == "li" and not closing:
                writer.prefix = "- "
        elif name in _CELL and not closing:
            writer.space = bool(writer.parts)


def html_to_text(html: str | None) -> str | None:
    """Readable text from an offer's HTML or plain text; None when nothing readable is left.

    Paragraphs and headings are separated by one blank line, `<br>`, `<div>` and list items
    start a line, list items begin with "- ". Entities are decoded, twice-escaped ones too.
    Text without any block tag keeps its own line breaks.
    """
    if not isinstance(html, str):
        return None
    return _html_to_text(html)


@lru_cache(maxsize=_RECENT)
def _html_to_text(html: str) -> str | None:
    text = repair_mojibake(unicodedata.normalize("NFC", html))
    text = _CONTROL.sub(" ", _INVISIBLE.sub("", text))
    if not _LOOKS_LIKE_TAG.search(text):
        decoded = _decode(text)
        # Markup that was entity-escaped ("&lt;p&gt;…") is markup once decoded.
        if decoded is not text and _LOOKS_LIKE_TAG.search(decoded):
            text = decoded
        else:
            writer = _Writer()
            writer.lines(decoded)
            return writer.result()
    writer = _Writer()
    _walk(text, writer)
    return writer.result()


# --- reading a field for phrases: shared by the contract and remote-work normalisers -----------

# The longest evidence a normaliser quotes for what it decided.
EVIDENCE_CHARS = 120


def as_text(value: Any) -> str:
    """Any field value as text: None is "", an Apec code given as a number is its digits."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, list | tuple):
        return ", ".join(as_text(item) for item in value)
    return str(value)


def plain_text(value: Any) -> str:
    """Readable text from a field (HTML made plain, mojibake repaired), "" when there is none."""
    return html_to_text(as_text(value)) or ""


# A space in a vocabulary pattern: any run of spaces, hyphens or underscores, or none. Phrases
# knows it: a match is as long as the longest such run of the text allows (`_reach`).
SEPARATOR_RUN = r"[ \-_]*"
_SEPARATOR_RUNS = re.compile(r"[ \-_]{2,}")


def vocabulary_pattern(patterns: list[str], flags: int = 0) -> Phrases:
    """One regular expression from a data file's list: a space matches any run of spaces,
    hyphens or underscores, or none, as the data files' headers say."""
    return Phrases(
        [re.sub(" +", " ", p.strip()).replace(" ", SEPARATOR_RUN) for p in patterns], flags
    )


class _Occurrences:
    """Where the words every Phrases needs occur in a long text: one Aho-Corasick pass finds them
    all, and the answers for the last few texts are kept (the normalisers scan one description
    with dozens of vocabularies)."""

    _KEEP = 8

    def __init__(self) -> None:
        self.words: set[str] = set()
        self.automaton: Any = None  # ahocorasick.Automaton, built when first needed
        self.found: dict[str, tuple[dict[str, list[int]], int]] = {}

    def need(self, words: Iterable[str]) -> None:
        added = set(words) - self.words
        if added:
            self.words |= added
            self.automaton = None
            self.found.clear()

    def of(self, text: str) -> tuple[dict[str, list[int]], int]:
        """Each needed word found in `text`, with the positions where it starts; and the length
        of the text's longest run of separators (SEPARATOR_RUN)."""
        try:
            return self.found[text]
        except KeyError:
            pass
        if self.automaton is None:
            self.automaton = ahocorasick.Automaton()
            for word in self.words:
                self.automaton.add_word(word, word)
            self.automaton.make_automaton()
        found: dict[str, list[int]] = {}
        if self.words:
            for last, word in self.automaton.iter(text):
                found.setdefault(word, []).append(last - len(word) + 1)
        longest = max(map(len, _SEPARATOR_RUNS.findall(text)), default=1)
        if len(self.found) >= self._KEEP:
            del self.found[next(iter(self.found))]
        self.found[text] = found, longest
        return found, longest


_OCCURRENCES = _Occurrences()
_SHORT_TEXT = 200  # characters: up to this, a text is scanned whole, not in windows
# On a short text, a vocabulary of more needed words than this runs whole: one alternation
# costs less than looking for each word.
_MOST_WORDS_LOOKED_FOR = 64


class Phrases:
    """A list of patterns searched as one alternation, only where a text can match it.

    Python's `re` tries every alternative at every position of a text, so a vocabulary of a
    hundred phrases costs a hundred tries per character of a description. Yet most phrases hold
    a word that any match must contain ("pas de télétravail" needs "teletravail" or one of its
    alternatives), read here from the compiled pattern (`needed_words`), and most have a longest
    match (`_reach`). For each text, one pass finds where those words occur (`_Occurrences`);
    only the phrases whose words the text holds (and those without such words) are run, as one
    alternation in their order, and, when every one of them has a longest match, only in the
    windows around the words' occurrences (as far as a match can stretch, given the text's
    longest run of separators). The matches are those of the whole alternation over the whole
    text: a match holds one of its phrase's words, so it lies in that occurrence's window;
    windows that touch are merged, and `re` reads the text before a window's start (`\b`,
    look-behinds) as it is. Texts of up to _SHORT_TEXT characters are run whole. `.pattern` is
    the whole alternation, to embed in a larger expression. The matches' spans and named groups
    are the whole alternation's; numbered groups are not (a subset numbers its own).
    """

    _KEEP = 256  # alternations of subsets kept compiled

    def __init__(self, parts: list[str], flags: int = 0) -> None:
        self.parts = [f"(?:{part})" for part in parts]
        self.flags = flags
        self.whole = re.compile(_alternation(self.parts) or r"(?!x)x", flags)  # none: never matches
        self.pattern = self.whole.pattern
        needs = [needed_words(part, flags) for part in self.parts]
        reaches = [_reach(part, flags) for part in self.parts]  # (at no run, slope) or None
        self.words = tuple(sorted({word for each in needs if each for word in each}))
        self._always = frozenset(i for i, each in enumerate(needs) if each is None)
        self._unbounded = frozenset(i for i, reach in enumerate(reaches) if reach is None)
        self._needing = {
            w: frozenset(i for i, e in enumerate(needs) if e and w in e) for w in self.words
        }
        # How far from an occurrence of a word a match that holds it can reach: at most the
        # first plus the second times the text's longest run of separators.
        self._around = {
            w: (
                max(reaches[i][0] for i in parts_of if reaches[i]),
                max(reaches[i][1] for i in parts_of if reaches[i]),
            )
            for w, parts_of in self._needing.items()
            if any(reaches[i] for i in parts_of)
        }
        self._compiled: dict[tuple[str, ...], tuple[re.Pattern[str], bool] | None] = {}
        _OCCURRENCES.need(self.words)

    def __repr__(self) -> str:
        return f"Phrases({len(self.parts)} patterns)"

    def _chosen(self, present: tuple[str, ...]) -> tuple[re.Pattern[str], bool] | None:
        """The alternation of the patterns that may match a text holding the words `present`
        (None: no pattern can), and whether it can be run in windows."""
        try:
            return self._compiled[present]
        except KeyError:
            pass
        if len(self._compiled) >= self._KEEP:
            self._compiled.clear()
        chosen = self._always.union(*(self._needing[word] for word in present))
        if chosen:
            source = _alternation([self.parts[i] for i in sorted(chosen)])
            windowed = not chosen & (self._always | self._unbounded)
            self._compiled[present] = (re.compile(source, self.flags), windowed)
        else:
            self._compiled[present] = None
        return self._compiled[present]

    def windows(
        self, text: str, pos: int = 0, endpos: int = _END
    ) -> tuple[re.Pattern[str] | None, list]:
        """The alternation to run on `text` and the (start, end) windows to run it in."""
        if len(text) <= _SHORT_TEXT:  # a title, a clause: looking for each word costs less
            if len(self.words) > _MOST_WORDS_LOOKED_FOR:
                return self.whole, [(pos, endpos)]
            chosen = self._chosen(tuple(word for word in self.words if word in text))
            return (None, []) if chosen is None else (chosen[0], [(pos, endpos)])
        endpos = min(endpos, len(text))
        found, longest = _OCCURRENCES.of(text) if self.words else ({}, 0)
        present = tuple(filter(found.__contains__, self.words)) if found else ()
        chosen = self._chosen(present)
        if chosen is None:
            return None, []
        regex, windowed = chosen
        if not windowed or longest > _LONGEST_RUN:
            return regex, [(pos, endpos)]
        edges = []
        for word in present:
            fixed, per_run = self._around[word]
            around = fixed + -(-per_run * longest // _LONGEST_RUN)  # rounded up
            edges += [(start - around, start + len(word) + around) for start in found[word]]
        edges.sort()
        windows: list[tuple[int, int]] = []
        for start, end in edges:
            start, end = max(start, pos), min(end, endpos)
            if start >= end:
                continue
            if windows and start <= windows[-1][1]:
                if end > windows[-1][1]:
                    windows[-1] = (windows[-1][0], end)
            else:
                windows.append((start, end))
        return regex, windows

    def finditer(self, text: str, pos: int = 0, endpos: int = _END) -> Iterator[re.Match[str]]:
        regex, windows = self.windows(text, pos, endpos)
        if not windows:
            return iter(())
        if len(windows) == 1:
            return regex.finditer(text, *windows[0])  # type: ignore[union-attr]
        return chain.from_iterable(regex.finditer(text, *window) for window in windows)  # type: ignore[union-attr]

    def search(self, text: str, pos: int = 0, endpos: int = _END) -> re.Match[str] | None:
        regex, windows = self.windows(text, pos, endpos)
        for start, end in windows:
            match = regex.search(text, start, end)  # type: ignore[union-attr]
            if match is not None:
                return match
        return None

    def sub(self, replace: Any, text: str) -> str:
        pieces, last = [], 0
        for match in self.finditer(text):
            pieces.append(text[last : match.start()])
            pieces.append(replace(match) if callable(replace) else match.expand(replace))
            last = match.end()
        if not pieces:
            return text
        pieces.append(text[last:])
        return "".join(pieces)


def _alternation(parts: list[str]) -> str:
    """The parts as one alternation, in their order; neighbours that begin with a word boundary
    share it (`\\b(?:pas…|sans…)`): tried once at a position, not once per part, for the same
    matches."""
    out: list[str] = []
    shared: list[str] = []
    for part in parts:
        inner = part[3:-1]  # inside "(?:…)"
        if inner.startswith("\\b") and _starts_at_boundary(inner):
            shared.append(f"(?:{inner[2:]})")
            continue
        if shared:
            out.append(r"\b(?:" + "|".join(shared) + ")")
            shared = []
        out.append(part)
    if shared:
        out.append(r"\b(?:" + "|".join(shared) + ")")
    return "|".join(out)


@lru_cache(maxsize=4096)
def _starts_at_boundary(source: str) -> bool:
    # "\\bpas de|sans" starts with a boundary in one branch only: parsed, it is a branch.
    try:
        items = _re_parser.parse(source).data
        return bool(items) and items[0] == (_re_constants.AT, _re_constants.AT_BOUNDARY)
    except Exception:  # noqa: BLE001 (as in needed_words: unsure is no)
        return False


_SHORTEST_WORD = 3  # shorter literals ("a", "de") are in nearly every text: no use as a filter


def needed_words(pattern: str, flags: int = 0) -> frozenset[str] | None:
    """Words one of which every match of `pattern` contains, or None when no such set is sure.

    Read from the parsed pattern: a run of literal characters is needed where it is not optional;
    an alternation needs one of its branches' words; of a sequence's needed sets, the one whose
    shortest word is longest (the rarest) is kept. Case-insensitive patterns give None."""
    if flags & re.IGNORECASE:
        return None
    try:
        parsed = _re_parser.parse(pattern, flags)
        if parsed.state.flags & re.IGNORECASE:  # "(?i)" in the pattern
            return None
        found = _needed(parsed.data)
    except Exception:  # noqa: BLE001 (re's parser is CPython's own: if it changes, run them all)
        return None
    return frozenset(found) if found else None


def _needed(items: Any) -> set[str] | None:
    best: set[str] | None = None
    run: list[str] = []

    def consider(found: set[str] | None) -> None:
        nonlocal best
        if not found or min(map(len, found)) < _SHORTEST_WORD:
            return
        if best is None or (min(map(len, found)), -len(found)) > (
            min(map(len, best)),
            -len(best),
        ):
            best = found

    for op, av in items:
        if op is _re_constants.LITERAL:
            run.append(chr(av))
            continue
        consider({"".join(run)} if run else None)
        run = []
        if op is _re_constants.SUBPATTERN:
            _group, add_flags, _del_flags, sub = av
            if not add_flags & re.IGNORECASE:
                consider(_needed(sub.data))
        elif op is _re_constants.BRANCH:
            branches = [_needed(branch.data) for branch in av[1]]
            if all(branches):
                consider(set().union(*branches))  # type: ignore[arg-type]
        elif op in _REPEATS and av[0] >= 1:
            consider(_needed(av[2].data))
    consider({"".join(run)} if run else None)
    return best


_MARGIN = 2  # characters past a match that `\b` or `$` look at
_LONGEST_RUN = 64  # a text with a longer run of separators is scanned whole


def _reach(pattern: str, flags: int = 0) -> tuple[int, int] | None:
    """How long a stretch of text a match of `pattern` spans or looks ahead into, at most: the
    first number plus the second times r / _LONGEST_RUN, where r (up to _LONGEST_RUN) is the
    text's longest run of separators (each SEPARATOR_RUN of the pattern matches at most r
    characters; the bound at r is under the line between its values at 0 and _LONGEST_RUN,
    since the width is a maximum of sums). None: no bound (`*`, `+`, an unbounded look-ahead)."""
    reaches = []
    for run in (0, _LONGEST_RUN):
        try:
            parsed = _re_parser.parse(pattern.replace(SEPARATOR_RUN, f"[ \\-_]{{0,{run}}}"), flags)
            width = parsed.getwidth()[1]
            ahead = _look_ahead(parsed.data)
        except Exception:  # noqa: BLE001 (as in needed_words: unsure is no)
            return None
        if width >= _re_parser.MAXWIDTH or ahead is None:
            return None
        reaches.append(width + ahead + _MARGIN)
    return reaches[0], reaches[1] - reaches[0]


def _look_ahead(items: Any) -> int | None:
    """The widest look-ahead in parsed `items` (re's widths leave them out); None: unbounded."""
    widest = 0
    for op, av in items:
        inner: list[Any] = []
        if op in (_re_constants.ASSERT, _re_constants.ASSERT_NOT):
            direction, sub = av
            if direction == 1:
                width = sub.getwidth()[1]
                if width >= _re_parser.MAXWIDTH:
                    return None
                widest = max(widest, width)
            inner = [sub]
        elif op is _re_constants.SUBPATTERN:
            inner = [av[-1]]
        elif op is _re_constants.ATOMIC_GROUP:
            inner = [av]
        elif op is _re_constants.BRANCH:
            inner = list(av[1])
        elif op in _REPEATS:
            inner = [av[2]]
        elif op is _re_constants.GROUPREF_EXISTS:
            inner = [each for each in av[1:] if each is not None]
        for sub in inner:
            found = _look_ahead(sub.data)
            if found is None:
                return None
            widest = max(widest, found)
    return widest


def sentence_start(folded: str, position: int, floor: int = 0) -> int:
    """Where the sentence holding `position` begins (not before `floor`)."""
    cut = max(folded.rfind(mark, floor, position) for mark in ".!?;\n")
    return max(cut + 1, floor)


def snippet(plain: str, start: int, end: int) -> str:
    """At most EVIDENCE_CHARS of the sentence around a match."""
    left = plain.rfind("\n", 0, start) + 1
    for mark in ". ", "; ", "! ", "? ":
        cut = plain.rfind(mark, left, start)
        if cut >= 0:
            left = cut + len(mark)
    right_cuts = [plain.find(mark, end) for mark in ("\n", ". ", "; ", "! ", "? ")]
    right = min([cut for cut in right_cuts if cut >= 0] or [len(plain)])
    if right - left > EVIDENCE_CHARS:
        left = max(left, min(start, end - EVIDENCE_CHARS // 2) - EVIDENCE_CHARS // 4)
        right = min(right, left + EVIDENCE_CHARS)
        left = max(left, right - EVIDENCE_CHARS)
    return plain[left:right].strip(" ,;:.-") or plain[start:end]


class Prepared:
    """One field ready for matching: its plain text and folded copies of the same length."""

    __slots__ = ("plain", "folded", "_cased")

    def __init__(self, value: Any) -> None:
        self.plain = plain_text(value)
        self.folded = fold(self.plain)
        self._cased: str | None = None

    @property
    def cased(self) -> str:
        if self._cased is None:
            self._cased = fold(self.plain, lower=False)
        return self._cased


# --- vocabulary ---------------------------------------------------------------------------------


def word_list(path: Path) -> list[str]:
    """A data file's entries: one a line, blank lines and lines starting with # left out."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.lstrip().startswith("#")]
