"""Property tests of every spider's pure parsing functions: whatever a source answers, a parser
gives back plain data or raises the error its docstring documents, nothing else; and every offer
it makes has the one raw-offer shape (keys of RAW_FIELDS, no blank text, no NaN, its own slug).

The inputs are arbitrary JSON values (None, booleans, integers past float's range, NaN and
infinities, strings with lone surrogates as JSON escapes give them, lists, objects whose keys are
mostly the source's own field names so the fuzz reaches the deep paths, nesting as deep as
json.loads allows) and arbitrary HTML-ish text (random, unclosed and broken tags carrying the
source's own classes and hooks, JSON-LD and embedded-JSON scripts whole, cut short or nested too
deep, entities, huge attributes, links no URL parser accepts). A response's text never holds a
lone surrogate (Scrapy decodes with replacement), so the HTML texts do not either.

The normal run tries 30 examples a test (the suite stays quick); `pytest -m fuzz` runs the same
bodies 10,000 times.

Known crashes stay visible; they are not fixed here. A kind of input that crashes a module's
parser (one of the RISKS below) is left out of that module's main property test (its inputs are
built from `RISKS - {KIND}`) and gets a test of its own, with its minimal failing input as an
`@example`, marked xfail(strict=True, raises=…): the suite stays green and the bug shows in every
run. The day the spider is fixed, that test XPASSes and so fails the run: then the risk goes back
into the main test, the minimal input becomes one of its `@example`s (as those of the crashes
fixed already are), and the test goes. Every crash found so far is fixed: each main test takes
every risk.
"""

from __future__ import annotations

import json
import math
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import asdict
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipeline.items import RAW_FIELDS, REJECT_MARK, is_reject
from spiders import (
    apec,
    common,
    cyberjobs,
    employers,
    france_travail,
    greenhouse,
    hellowork,
    indeed,
    jobposting,
    lever,
    linkedin,
    smartrecruiters,
    talentsoft,
    teamtailor,
    workday,
    wttj,
)

# Same shape as the other property tests: a quick run by default, 10,000 examples under -m fuzz.
NORMAL = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.large_base_example,
    ],
)
FUZZ = settings(max_examples=10_000, deadline=None, suppress_health_check=list(HealthCheck))


def twins(
    run: Callable[..., None],
    strategies: dict[str, st.SearchStrategy[Any]],
    cases: tuple[dict[str, Any], ...] = (),
) -> tuple[Callable[..., None], Callable[..., None]]:
    """The property test of `run` over `strategies`, each of `cases` one of its @examples, twice:
    a quick run in the normal suite, and its fuzz twin of 10,000 examples under `-m fuzz`.
    Hypothesis keeps examples on the function, so each twin is a function of its own."""

    def make(prefix: str, config: settings) -> Callable[..., None]:
        def test(**arguments: Any) -> None:
            run(**arguments)

        test.__name__ = test.__qualname__ = prefix + run.__name__.removeprefix("run_")
        for case in reversed(cases):  # as stacked @example lines would, first case on top
            test = example(**case)(test)
        return config(given(**strategies)(test))

    return make("test_", NORMAL), pytest.mark.fuzz(make("test_fuzz_", FUZZ))


# Kinds of input that crashed some parser when these tests were written; all are fixed and in
# every test, each crash's minimal input an @example of the tests it failed.
HUGE = "integers past float's range"  # json.loads gives them: math.isfinite(10**400) overflows
DEEP = "nesting near json.loads' depth limit"  # json.loads or a recursive reader overflows
SURROGATE = "lone surrogates in JSON strings"  # '"\\ud800"' is valid JSON; quote() cannot encode
BRACKET = "links with unbalanced IPv6 brackets"  # urljoin/urlsplit raise ValueError on "http://["
CONTROL = "control characters in tags"  # lxml gives '<script type=x \x07>' an attribute parsel's
# `.attrib` cannot convert: ValueError "All strings must be XML compatible"
RISKS = frozenset({HUGE, DEEP, SURROGATE, BRACKET, CONTROL})


# Scrapy calls a callback under Python's default recursion limit (1,000) some ~100 levels deep;
# Hypothesis raises the limit while a test runs. Parsers run here with the headroom they have in
# a crawl, the same at every replay, so that how deep a JSON value may nest before something
# overflows is judged as in production, and deterministically.
CRAWL_HEADROOM = 900


def _free_levels(depth: int = 0) -> int:
    """How many more nested calls fit under the recursion limit, counted by trying (C-level
    calls on the stack count too, so a frame count would not do)."""
    try:
        return _free_levels(depth + 1)
    except RecursionError:
        return depth


@contextmanager
def crawl_stack() -> Iterator[None]:
    limit = sys.getrecursionlimit()
    sys.setrecursionlimit(limit - _free_levels() + CRAWL_HEADROOM)
    try:
        yield
    finally:
        sys.setrecursionlimit(limit)


def like_a_crawl(run: Callable[..., None]) -> Callable[..., None]:
    """`run` (a test body) under a crawl's recursion headroom."""

    def wrapped(*args: Any, **kwargs: Any) -> None:
        with crawl_stack():
            run(*args, **kwargs)

    wrapped.__name__ = run.__name__
    return wrapped


# ---------------------------------------------------------------- properties


def check_offer(offer: Any, slug: str) -> None:
    """One raw offer: RAW_FIELDS keys only, the source's slug, ids as text, unknown as None
    (never a blank, a NaN or an infinity), lists of non-blank texts."""
    assert isinstance(offer, dict), offer
    assert not is_reject(offer)
    assert set(offer) <= set(RAW_FIELDS), set(offer) - set(RAW_FIELDS)
    assert offer.get("source") == slug
    assert offer.get("source_id") is None or isinstance(offer["source_id"], str)
    for key, value in offer.items():
        assert value is None or isinstance(value, str | int | float | list), (key, value)
        assert not isinstance(value, bool), (key, value)
        if isinstance(value, str):
            assert value.strip(), (key, value)
        elif isinstance(value, float):
            assert math.isfinite(value), (key, value)
        elif isinstance(value, list):
            assert value, key
            assert all(isinstance(item, str) and item.strip() for item in value), (key, value)


def check_reject(item: Any, slug: str) -> None:
    assert is_reject(item) and item[REJECT_MARK] is True
    assert item["source"] == slug
    assert isinstance(item["reason"], str) and item["reason"]


def check_text(value: Any) -> None:
    """A text a reader gives back: None or a non-blank string."""
    assert value is None or (isinstance(value, str) and value.strip()), value


def outcome(function: Callable[..., Any], *args: Any, allowed: tuple[type, ...] = ()) -> Any:
    """What `function` returns, or None when it raised one of its documented errors (`allowed`),
    whose message must say something. Any other exception fails the test."""
    try:
        return function(*args)
    except allowed as error:
        assert str(error), type(error)
        return None


# ---------------------------------------------------------------- arbitrary JSON values

TEXTS = [
    "",
    " ",
    "\u00a0",
    "\u202f",
    "\t\n",
    "0",
    "-1",
    "007",
    "1e400",
    "-1e400",
    "NaN",
    "nan",
    "Infinity",
    "inf",
    "45000",
    "45 000",
    "45\u202f000",
    "12,5",
    "45.000",
    "true",
    "false",
    "null",
    "selon profil",
    "&lt;p&gt;Mission&lt;/p&gt;",
    "&amp;lt;b&amp;gt;x",
    "<p>Chef de projet <b>chatbot</b></p>",
    "&#0;",
    "\x00",
    "\ufffd",
    "https://example.com/jobs/1",
    "http://",
    "/relative/path",
    "javascript:alert(1)",
    "mailto:rh@example.com",
    "75001",
    "2A",
    "2026-11-15",
    "2026-11-15T10:00:00Z",
    "chatbot",
    "Chargé de projet chatbot",
    "CDI",
    "FULL_TIME",
    "TELECOMMUTE",
    "JobPosting",
    "#org",
]
# Text without C0 controls (but blanks), noncharacters or surrogates; CONTROL brings them back.
TAME_CHARACTERS = st.characters(
    exclude_categories=("Cs", "Cc", "Cn"), include_characters="\t\n\r\x0c"
)
SURROGATE_TEXTS = ["\ud800", "\udfff", "a\udc80b"]
BRACKET_URLS = ["http://[", "https://[::1", "http://]x", "//[/x", "https://[notipv6]/x"]
# As json.loads gives them: integers of up to 4,300 digits, so far past float's range.
LONG_TEXTS = st.integers(1_000, 20_000).map(lambda n: "x" * n)
HUGE_INTS = st.one_of(
    st.integers(min_value=2**1024, max_value=10**400),
    st.integers(min_value=-(10**400), max_value=-(2**1024)),
)


def json_strings(risks: frozenset[str] = RISKS) -> st.SearchStrategy[str]:
    parts = [st.text(max_size=16), st.sampled_from(TEXTS), LONG_TEXTS]
    if SURROGATE in risks:
        # Any code point, lone surrogates included, as a JSON "\ud800" escape gives them.
        parts += [
            st.text(alphabet=st.characters(exclude_categories=()), max_size=8),
            st.sampled_from(SURROGATE_TEXTS),
        ]
    if BRACKET in risks:
        parts.append(st.sampled_from(BRACKET_URLS))
    return st.one_of(*parts)


def json_scalars(risks: frozenset[str] = RISKS) -> st.SearchStrategy[Any]:
    parts = [st.none(), st.booleans(), st.integers(), st.floats(), json_strings(risks)]
    if HUGE in risks:
        parts.append(HUGE_INTS)
    return st.one_of(*parts)  # st.floats() brings NaN and ±infinity, which json.loads accepts


def nest(depth: int, kind: str, key: str, leaf: Any) -> Any:
    """`leaf` inside `depth` lists (or one-key objects)."""
    value = leaf
    for _ in range(depth):
        value = [value] if kind == "list" else {key: value}
    return value


class Nested(list):
    """`leaf` inside `depth` lists, for an @example: to a parser a list like any other, but shown
    as the call that makes it. Hypothesis prints an explicit example's arguments with a printer
    that recurses once a level, so it would overflow on the deep value itself."""

    def __init__(self, depth: int, leaf: Any) -> None:
        super().__init__([nest(depth - 1, "list", "", leaf)])
        self.depth, self.leaf = depth, leaf

    def __repr__(self) -> str:
        return f"Nested({self.depth}, {self.leaf!r})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))


def json_values(
    keys: list[str] | tuple[str, ...] = (),
    texts: list[Any] | tuple[Any, ...] = (),
    risks: frozenset[str] = RISKS,
    max_leaves: int = 8,
) -> st.SearchStrategy[Any]:
    """Any JSON value. Objects' keys are mostly the source's own (`keys`), strings sometimes its
    own words (`texts`); with DEEP, a branch now and then nests as deep as json.loads can."""
    leaf_parts = [json_scalars(risks)]
    if texts:
        leaf_parts.append(st.sampled_from(list(texts)))
    if DEEP in risks:
        leaf_parts.append(
            st.tuples(
                st.integers(2, 850),
                st.sampled_from(["list", "dict"]),
                st.sampled_from(list(keys) or ["a"]),
                json_scalars(risks),
            ).map(lambda args: nest(*args))
        )
    names = st.text(max_size=8)
    if keys:
        names = st.one_of(st.sampled_from(list(keys)), st.sampled_from(list(keys)), names)

    def containers(children: st.SearchStrategy[Any]) -> st.SearchStrategy[Any]:
        return st.one_of(
            st.lists(children, max_size=3), st.dictionaries(names, children, max_size=4)
        )

    return st.recursive(st.one_of(*leaf_parts), containers, max_leaves=max_leaves)


def objects(
    keys: list[str], texts: list[Any] | tuple[Any, ...] = (), risks: frozenset[str] = RISKS
) -> st.SearchStrategy[dict[str, Any]]:
    """A JSON object with up to a dozen of the source's keys, each holding any value."""
    values = json_values(keys, texts, risks, max_leaves=3)
    return st.dictionaries(st.sampled_from(keys), values, max_size=8)


def spec_keys(spec: dict[str, Any]) -> list[str]:
    keys = list(spec)
    for sub in spec.values():
        if isinstance(sub, list):
            sub = sub[0]
        if isinstance(sub, dict):
            keys += spec_keys(sub)
    return list(dict.fromkeys(keys))


# Markers in a layout: a key holding a link, or an id (then mostly one, else any value).
URL, ID = "<url>", "<id>"
SPEC_LINKS = [
    "https://jobs.example.com/acme/744000012345678",
    "http://careers.example.fr/offre/1?x=y#z",
    " https://www.example.com/a ",
    "/relative/1",
    "//cdn.example.com/x",
    "mailto:rh@example.com",
    "https://",
]
SPEC_IDS = ["744000012345678", "4012", "JR-1", " 7 ", "a/b"]


def spec_links(risks: frozenset[str]) -> st.SearchStrategy[str]:
    parts = [st.sampled_from(SPEC_LINKS), json_strings(risks)]
    if BRACKET in risks:
        parts.append(st.sampled_from(BRACKET_URLS))
    return st.one_of(*parts)


def spec_ids(risks: frozenset[str]) -> st.SearchStrategy[Any]:
    return st.one_of(st.sampled_from(SPEC_IDS), st.integers(0, 10**6), json_strings(risks))


def shaped(
    spec: dict[str, Any], texts: list[Any] | tuple[Any, ...] = (), risks: frozenset[str] = RISKS
) -> st.SearchStrategy[dict[str, Any]]:
    """An object laid out as the source's: each key of `spec` present or not, holding its nested
    layout (a dict, or a one-dict list for a list of objects), mostly a link or an id where the
    layout says URL or ID, or any JSON value at all."""
    anything = json_values(spec_keys(spec), texts, risks, max_leaves=3)

    def value(sub: Any) -> st.SearchStrategy[Any]:
        if sub == URL:
            return st.one_of(spec_links(risks), spec_links(risks), anything)
        if sub == ID:
            return st.one_of(spec_ids(risks), spec_ids(risks), anything)
        if isinstance(sub, list):
            return st.one_of(st.lists(shaped(sub[0], texts, risks), max_size=2), anything)
        if isinstance(sub, dict):
            return st.one_of(shaped(sub, texts, risks), anything)
        return anything

    return st.fixed_dictionaries({}, optional={key: value(sub) for key, sub in spec.items()})


def dumps(value: Any) -> str:
    try:
        return json.dumps(value)
    except (ValueError, RecursionError):
        return "null"


def json_bodies(
    values: st.SearchStrategy[Any],
    risks: frozenset[str] = RISKS,
    deep_prefix: str = "",
    deep_suffix: str = "",
) -> st.SearchStrategy[str]:
    """A body meant to be JSON: the text of a value, cut short, with trailing commas, or no
    JSON at all; with DEEP, arrays nested past json.loads' limit (inside `deep_prefix`…`suffix`);
    with HUGE, a 400-digit number."""
    texts = values.map(dumps)
    parts = [
        texts,
        texts,
        st.tuples(texts, st.integers(0, 300)).map(lambda args: args[0][: args[1]]),
        texts.map(lambda text: text.replace("}", ",}").replace("]", ",]")),
        st.sampled_from(
            ["", " ", "null", "[]", "{}", "NaN", '"x"', "<html>Just a moment...</html>"]
        ),
        st.text(page_alphabet(risks), max_size=100),
    ]
    if DEEP in risks:
        parts.append(
            st.integers(1, 3000).map(lambda n: deep_prefix + "[" * n + "]" * n + deep_suffix)
        )
    if HUGE in risks:
        parts.append(st.sampled_from(["1" * 400, "-" + "9" * 1000, "1" * 5000]))
    return st.one_of(*parts)


def wrapped_bodies(
    member: str,
    values: st.SearchStrategy[Any],
    extra: dict[str, st.SearchStrategy[Any]] | None = None,
    risks: frozenset[str] = RISKS,
) -> st.SearchStrategy[str]:
    """A body that is an object holding `values` under `member` (and maybe the `extra` members),
    as the source answers; or anything else a body can be."""
    holders = st.tuples(values, st.fixed_dictionaries({}, optional=extra or {})).map(
        lambda args: {member: args[0], **args[1]}
    )
    return st.one_of(json_bodies(holders, risks, f'{{"{member}":', "}"), json_bodies(values, risks))


# ---------------------------------------------------------------- arbitrary HTML-ish text

ENTITIES = [
    "&amp;",
    "&lt;",
    "&gt;",
    "&nbsp;",
    "&quot;",
    "&#0;",
    "&#xd800;",
    "&#x10FFFF;",
    "&#99999999999;",
    "&bogus;",
    "&",
    "&#",
    "&lt;p&gt;",
    "&amp;lt;script&amp;gt;",
]
TAGS = [
    "html",
    "head",
    "body",
    "title",
    "div",
    "p",
    "span",
    "a",
    "ul",
    "li",
    "h1",
    "h3",
    "h4",
    "time",
    "script",
    "style",
    "template",
    "table",
    "br",
    "img",
    "section",
    "noscript",
]
ATTRIBUTE_NAMES = ["class", "id", "href", "title", "rel", "type", "datetime", "aria-label"]
SCRIPT_TYPES = [
    "application/ld+json",
    "application/ld+json; charset=utf-8",
    " APPLICATION/LD+JSON ",
    "text/javascript",
    "",
]
# What CMSs wrap JSON-LD in, and nothing.
WRAPS = [("", ""), ("<!--", "-->"), ("//<![CDATA[", "//]]>"), ("<![CDATA[", "]]>"), ("", ";")]
PAGE_TEXTS = [t for t in TEXTS if "\x00" not in t][:40]
CONTROL_ATTRIBUTES = ["\x07", "a\x0bb", "\x01=1", "\ufffe", "x\x1f=y"]


def element(tag: str, attributes: list[str], children: list[str], shape: str) -> str:
    opening = f"<{tag}{''.join(' ' + a for a in attributes)}"
    inner = "".join(children)
    if shape == "closed":
        return f"{opening}>{inner}</{tag}>"
    if shape == "unclosed":
        return f"{opening}>{inner}"
    if shape == "self-closing":
        return f"{opening}/>{inner}"
    if shape == "broken":
        return f"{opening} {inner}"  # the tag never ends
    return f"</{tag}>{inner}"  # a stray end tag


def scripts(bodies: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(st.sampled_from(SCRIPT_TYPES), st.sampled_from(WRAPS), bodies).map(
        lambda args: f'<script type="{args[0]}">{args[1][0]}{args[2]}{args[1][1]}</script>'
    )


def page_alphabet(risks: frozenset[str]) -> st.SearchStrategy[str]:
    return st.characters(exclude_categories=("Cs",)) if CONTROL in risks else TAME_CHARACTERS


def slot_texts(
    risks: frozenset[str], words: list[str] | tuple[str, ...] = ()
) -> st.SearchStrategy[str]:
    """What fills a slot of a page template: random text, odd words and entities, the source's
    own `words`."""
    parts = [st.text(page_alphabet(risks), max_size=12), st.sampled_from(PAGE_TEXTS + ENTITIES)]
    if words:
        parts.append(st.sampled_from(list(words)))
    return st.one_of(*parts)


def slot_links(risks: frozenset[str], links: list[str] | tuple[str, ...]) -> st.SearchStrategy[str]:
    """A link in a template: the source's own shapes, random text, and with BRACKET unparsable."""
    parts = [st.sampled_from(list(links)), st.sampled_from(list(links)), slot_texts(risks)]
    if BRACKET in risks:
        parts.append(st.sampled_from(BRACKET_URLS))
    return st.one_of(*parts)


def odd_attributes(risks: frozenset[str]) -> st.SearchStrategy[str]:
    """Nothing, or with CONTROL a control character where lxml takes it for an attribute."""
    return st.sampled_from(
        [""] + ([" " + a for a in CONTROL_ATTRIBUTES] if CONTROL in risks else [])
    )


def template(form: str, **slots: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    """`form` with each {slot} filled: the source's own markup around fuzzed values, so the fuzz
    reaches the readers behind the selectors."""
    return st.fixed_dictionaries(slots).map(lambda values: form.format(**values))


def html_pages(
    attributes: list[str] | tuple[str, ...] = (),
    snippets: list[str] | tuple[str, ...] = (),
    extra: st.SearchStrategy[str] | None = None,
    risks: frozenset[str] = RISKS,
) -> st.SearchStrategy[str]:
    """HTML-ish text: trees of random elements (closed, unclosed, broken, stray end tags) with
    the source's own attributes (`attributes`, written whole: 'data-cy="offerTitle"') and random
    ones (huge values, odd links), the source's fragments (`snippets`), `extra` ones (scripts),
    entities and text; or a page nested past the parser's depth limit; or just text."""
    alphabet = page_alphabet(risks)
    values = [st.text(alphabet, max_size=12), st.sampled_from(PAGE_TEXTS)]
    values.append(st.integers(10_000, 200_000).map(lambda n: "x" * n))
    if BRACKET in risks:
        values.append(st.sampled_from(BRACKET_URLS))
    random_attribute = st.tuples(
        st.sampled_from(ATTRIBUTE_NAMES), st.one_of(*values), st.sampled_from(['"', "'", ""])
    ).map(lambda a: f"{a[0]}={a[2]}{a[1]}{a[2]}" if a[1] or a[2] else a[0])
    attribute_parts = [random_attribute]
    if attributes:
        attribute_parts += [st.sampled_from(list(attributes))] * 3
    if BRACKET in risks:
        attribute_parts.append(st.sampled_from([f'href="{url}"' for url in BRACKET_URLS]))
    if CONTROL in risks:
        attribute_parts.append(st.sampled_from(CONTROL_ATTRIBUTES))
    attribute = st.one_of(*attribute_parts)

    leaves = [st.text(alphabet, max_size=16), st.sampled_from(ENTITIES)]
    if snippets:
        leaves.append(st.sampled_from(list(snippets)))
    if extra is not None:
        leaves.append(extra)

    def elements(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.tuples(
            st.sampled_from(TAGS),
            st.lists(attribute, max_size=3),
            st.lists(children, max_size=3),
            st.sampled_from(["closed", "closed", "unclosed", "self-closing", "broken", "stray"]),
        ).map(lambda args: element(*args))

    trees = st.recursive(st.one_of(*leaves), elements, max_leaves=12)
    return st.one_of(
        st.lists(trees, max_size=3).map("".join),
        st.lists(trees, max_size=3).map(
            lambda parts: f"<html><body>{''.join(parts)}</body></html>"
        ),
        st.tuples(st.integers(200, 3000), trees).map(lambda args: "<div>" * args[0] + args[1]),
        st.text(alphabet, max_size=100),
        st.sampled_from(["", " ", "<", "<!--", "<html", "</html>", "<![CDATA[", "<script>"]),
    )


# ================================================================ jobposting (JSON-LD)

JSONLD_KEYS = [
    "@context",
    "@type",
    "@graph",
    "@id",
    "@value",
    "title",
    "identifier",
    "name",
    "value",
    "url",
    "hiringOrganization",
    "employmentType",
    "jobLocationType",
    "skills",
    "description",
    "datePosted",
    "experienceRequirements",
    "monthsOfExperience",
    "educationRequirements",
    "credentialCategory",
    "educationalLevel",
    "directApply",
    "potentialAction",
    "target",
    "urlTemplate",
    "jobLocation",
    "address",
    "addressLocality",
    "postalCode",
    "addressRegion",
    "addressCountry",
    "geo",
    "latitude",
    "longitude",
    "baseSalary",
    "currency",
    "minValue",
    "maxValue",
    "unitText",
]
JSONLD_TEXTS = [
    "JobPosting",
    "schema:JobPosting",
    "https://schema.org/JobPosting",
    "ApplyAction",
    "Organization",
    "Place",
    "MonetaryAmount",
    "QuantitativeValue",
    "TELECOMMUTE",
    "YEAR",
    "EUR",
    "#org",
    "#place",
    {"@id": "#org"},
    {"@id": "#place"},
    {"@id": 3},
    {"@type": "ApplyAction", "target": {"urlTemplate": "/apply/1"}},
    ["Thing", "JobPosting"],
]
JOBPOSTING_TYPES = ["JobPosting", "schema:JobPosting", "https://schema.org/JobPosting"]
PLACE_SPEC = {
    "@type": None,
    "name": None,
    "address": dict.fromkeys(["addressLocality", "postalCode", "addressRegion", "addressCountry"]),
    "geo": dict.fromkeys(["latitude", "longitude"]),
    "latitude": None,
    "longitude": None,
}
POSTING_SPEC = {
    "@id": None,
    "title": None,
    "identifier": {"@type": None, "name": None, "value": ID, "@value": ID},
    "url": URL,
    "hiringOrganization": {"@type": None, "@id": None, "name": None, "sameAs": URL},
    "employmentType": None,
    "jobLocationType": None,
    "skills": None,
    "description": None,
    "datePosted": None,
    "experienceRequirements": dict.fromkeys(["@type", "monthsOfExperience", "description"]),
    "educationRequirements": dict.fromkeys(
        ["@type", "credentialCategory", "educationalLevel", "name", "description"]
    ),
    "directApply": None,
    "potentialAction": {"@type": None, "target": {"urlTemplate": URL, "url": URL}},
    "jobLocation": [PLACE_SPEC],
    "baseSalary": {
        "@type": None,
        "currency": None,
        "value": dict.fromkeys(["@type", "minValue", "maxValue", "value", "unitText"]),
        "minValue": None,
        "maxValue": None,
        "unitText": None,
    },
}
JOBPOSTING_URLS = st.sampled_from(
    [
        "https://careers.societegenerale.com/offres-d-emploi/chef-de-projet-chatbot-h-f-12345",
        "https://www.example-employer.fr/jobs/42",
        "http://127.0.0.1:8080/offre/7?ref=x#top",
    ]
)
# What a JobPosting script may hold when nested deep, as the DEEP JSON bodies write it.
DEEP_POSTING = ('{"@type": "JobPosting", "title": ', "}")


def jobpostings(risks: frozenset[str] = RISKS) -> st.SearchStrategy[dict[str, Any]]:
    """A JobPosting object: its @type, and the vocabulary's keys holding any JSON value."""
    return st.tuples(
        st.one_of(
            shaped(POSTING_SPEC, JSONLD_TEXTS, risks), objects(JSONLD_KEYS, JSONLD_TEXTS, risks)
        ),
        st.one_of(st.sampled_from(JOBPOSTING_TYPES), st.just(["Thing", "JobPosting"])),
    ).map(lambda args: {**args[0], "@type": args[1]})


def jsonld_documents(risks: frozenset[str] = RISKS) -> st.SearchStrategy[Any]:
    """What a JSON-LD script holds: a posting, a list, an @graph with referenced nodes, any."""
    posting = jobpostings(risks)
    anything = json_values(JSONLD_KEYS, JSONLD_TEXTS, risks)
    node = st.tuples(
        objects(JSONLD_KEYS, JSONLD_TEXTS, risks), st.sampled_from(["#org", "#place", 3])
    ).map(lambda args: {**args[0], "@id": args[1]})
    graph = st.tuples(st.lists(posting, max_size=2), st.lists(node, max_size=2)).map(
        lambda args: {"@context": "https://schema.org", "@graph": args[0] + args[1]}
    )
    return st.one_of(posting, st.lists(st.one_of(posting, anything), max_size=2), graph, anything)


def jsonld_scripts(risks: frozenset[str] = RISKS) -> st.SearchStrategy[str]:
    return scripts(json_bodies(jsonld_documents(risks), risks, *DEEP_POSTING))


def check_postings(found: Any) -> None:
    assert isinstance(found, list)
    assert all(isinstance(posting, dict) for posting in found)


@like_a_crawl
def run_jobposting_objects(posting: dict[str, Any], data: Any, url: str) -> None:
    check_offer(jobposting.jobposting_to_raw(posting, url), jobposting.SOURCE)
    found = jobposting.jobpostings_in(data)
    check_postings(found)
    for each in found:
        check_offer(jobposting.jobposting_to_raw(each, url), jobposting.SOURCE)


safe_postings = jobpostings(RISKS)
safe_documents = jsonld_documents(RISKS)


HUGE_POSTING = {"@type": "JobPosting", "title": 2**1024}
BRACKET_POSTING = {"@type": "JobPosting", "url": "http://["}
# 600 levels: json.loads reads them in a crawl (it stops near 900); the recursive readers
# overflowed near 450, until a value past common.MAX_JSON_DEPTH was left unread.
DEEP_POSTING_VALUE = {"@type": "JobPosting", "title": Nested(600, "x")}


JOBPOSTING_EXAMPLES = (
    dict(posting=HUGE_POSTING, data=None, url="https://www.example-employer.fr/jobs/42"),
    dict(posting=BRACKET_POSTING, data=None, url="https://www.example-employer.fr/jobs/42"),
    dict(posting={}, data=DEEP_POSTING_VALUE, url="https://www.example-employer.fr/jobs/42"),
)


(
    test_jobposting_to_raw_and_jobpostings_in_any_json,
    test_fuzz_jobposting_to_raw_and_jobpostings_in_any_json,
) = twins(
    run_jobposting_objects,
    dict(posting=safe_postings, data=safe_documents, url=JOBPOSTING_URLS),
    JOBPOSTING_EXAMPLES,
)


@like_a_crawl
def run_parse_jsonld(text: str) -> None:
    # Documented: ValueError with the reason when the script is not JSON (deep nesting too).
    outcome(jobposting.parse_jsonld, text, allowed=(ValueError,))


jsonld_texts = st.one_of(json_bodies(jsonld_documents(RISKS), RISKS, *DEEP_POSTING), st.text())


(
    test_parse_jsonld_gives_data_or_a_value_error,
    test_fuzz_parse_jsonld_gives_data_or_a_value_error,
) = twins(run_parse_jsonld, dict(text=jsonld_texts))


@like_a_crawl
def run_jsonld_page(page: str, url: str) -> None:
    found = jobposting.jsonld_scripts(page)
    assert isinstance(found, list)
    for script in found:
        assert isinstance(script.text, str)
        assert script.error is None or (isinstance(script.error, str) and script.data is None)
    postings, errors = jobposting.extract_jobpostings(page)
    check_postings(postings)
    assert all(isinstance(error, str) and error for error in errors)
    for posting in postings:
        check_offer(jobposting.jobposting_to_raw(posting, url), jobposting.SOURCE)


safe_jsonld_pages = html_pages(extra=jsonld_scripts(RISKS), risks=RISKS)
DEEP_JSONLD_PAGE = (
    '<script type="application/ld+json">{"@type": "JobPosting", "title": '
    + "[" * 600
    + "]" * 600
    + "}</script>"
)
CONTROL_PAGE = '<script type="application/ld+json" \x07>{}</script>'


JSONLD_PAGE_EXAMPLES = (
    dict(page=DEEP_JSONLD_PAGE, url="https://www.example-employer.fr/jobs/42"),
    dict(page=CONTROL_PAGE, url="https://www.example-employer.fr/jobs/42"),
)


test_extract_jobpostings_any_page, test_fuzz_extract_jobpostings_any_page = twins(
    run_jsonld_page, dict(page=safe_jsonld_pages, url=JOBPOSTING_URLS), JSONLD_PAGE_EXAMPLES
)


# ================================================================ france_travail

FT_KEYS = [
    "id",
    "intitule",
    "entreprise",
    "nom",
    "lieuTravail",
    "libelle",
    "latitude",
    "longitude",
    "codePostal",
    "commune",
    "salaire",
    "commentaire",
    "typeContratLibelle",
    "typeContrat",
    "natureContrat",
    "description",
    "dateCreation",
    "competences",
    "experienceLibelle",
    "formations",
    "niveauLibelle",
    "contact",
    "urlPostulation",
    "origineOffre",
    "urlOrigine",
]
FT_SPEC = {
    "id": ID,
    "intitule": None,
    "entreprise": {"nom": None},
    "lieuTravail": dict.fromkeys(["libelle", "latitude", "longitude", "codePostal", "commune"]),
    "salaire": {"libelle": None, "commentaire": None},
    "typeContratLibelle": None,
    "typeContrat": None,
    "natureContrat": None,
    "description": None,
    "dateCreation": None,
    "competences": [{"libelle": None}],
    "experienceLibelle": None,
    "formations": [{"niveauLibelle": None}],
    "contact": {"urlPostulation": URL},
    "origineOffre": {"urlOrigine": URL},
}
FT_TEXTS = ["Contrat travail", "contrat travail", "Contrat apprentissage", "CDI", "MIS", "201XKLM"]
TOKEN_KEYS = ["access_token", "expires_in", "token_type", "scope"]
# In a crawl: `[` 1,000 times, as a body, is past what json.loads can nest.
DEEP_BODY = "[" * 1000


def ft_offers(risks: frozenset[str]) -> st.SearchStrategy[Any]:
    return st.one_of(shaped(FT_SPEC, FT_TEXTS, risks), json_values(FT_KEYS, FT_TEXTS, risks))


def ft_bodies(risks: frozenset[str]) -> st.SearchStrategy[str]:
    results = st.lists(ft_offers(risks), max_size=3)
    extra = {"filtresPossibles": json_values(risks=risks)}
    return wrapped_bodies("resultats", results, extra, risks)


def ft_token_bodies(risks: frozenset[str]) -> st.SearchStrategy[str]:
    return json_bodies(objects(TOKEN_KEYS, ["Bearer", " ", "3600", "t0k3n"], risks), risks)


@like_a_crawl
def run_france_travail(data: Any, body: str, token_body: str) -> None:
    check_offer(france_travail.offer_from_json(data), france_travail.SOURCE)
    check_text(france_travail.contract_text(data))
    # As parse_search reads a page: its results, then an offer of each object among them.
    results = outcome(france_travail.parse_results, body, allowed=(common.FeedError,))
    assert results is None or isinstance(results, list)
    for item in results or []:
        if isinstance(item, dict):
            check_offer(france_travail.offer_from_json(item), france_travail.SOURCE)
    token = outcome(france_travail.parse_token, token_body, allowed=(common.FeedError,))
    if token is not None:
        value, lifetime = token
        assert isinstance(value, str) and value and value == value.strip()
        assert math.isfinite(lifetime) and lifetime > 0


def france_travail_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "data": ft_offers(risks),
        "body": ft_bodies(risks),
        "token_body": ft_token_bodies(risks),
    }


FT_SAFE = france_travail_inputs(RISKS)


FT_EXAMPLES = (
    dict(data={"lieuTravail": {"latitude": 2**1024}}, body="{}", token_body="{}"),
    dict(data={"id": "\ud800"}, body="{}", token_body="{}"),
    dict(data={}, body=DEEP_BODY, token_body="{}"),
)


test_france_travail_offers_results_and_token, test_fuzz_france_travail_offers_results_and_token = (
    twins(run_france_travail, FT_SAFE, FT_EXAMPLES)
)


content_ranges = st.one_of(
    st.none(),
    st.text(max_size=40),
    st.binary(max_size=40),
    st.tuples(
        st.integers(0, 10**30),
        st.integers(0, 10**30),
        st.integers(0, 10**30),
        st.sampled_from(["", " ", "\t"]),
    ).map(lambda a: f"offres{a[3]}{a[0]}{a[3]}-{a[3]}{a[1]}{a[3]}/{a[3]}{a[2]}"),
)


@like_a_crawl
def run_content_range(value: Any) -> None:
    found = france_travail.parse_content_range(value)
    if found is not None:
        assert 0 <= found.first <= found.last
        following = france_travail.next_range(found.first, found.last - found.first + 1, found)
        assert following is None or following[0] <= following[1]


(
    test_france_travail_content_range_gives_a_range_or_none,
    test_fuzz_france_travail_content_range_gives_a_range_or_none,
) = twins(run_content_range, dict(value=content_ranges))


# ================================================================ apec

APEC_RESULT_KEYS = [
    "numeroOffre",
    "intitule",
    "nomCommercial",
    "lieuTexte",
    "salaireTexte",
    "typeContrat",
    "texteOffre",
    "datePublication",
    "offreConfidentielle",
]
APEC_DETAIL_KEYS = [
    "numeroOffre",
    "intitule",
    "nomCommercial",
    "nomCompteEtablissement",
    "lieux",
    "libelleLieu",
    "salaireTexte",
    "idNomTypeContrat",
    "texteHtml",
    "texteHtmlProfil",
    "texteHtmlEntreprise",
    "datePublication",
    "latitude",
    "longitude",
    "competences",
    "libelle",
    "idNomNiveauExperience",
    "adresseUrlCandidature",
    "offreConfidentielle",
]
APEC_TEXTS = [*apec.CONTRACT_LABELS, *apec.EXPERIENCE_LABELS, 101888, 101881, True, "174512W"]


def apec_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    results = st.one_of(
        objects(APEC_RESULT_KEYS, APEC_TEXTS, risks),
        json_values(APEC_RESULT_KEYS, APEC_TEXTS, risks),
    )
    details = st.one_of(
        shaped(
            {
                **dict.fromkeys(APEC_DETAIL_KEYS),
                "numeroOffre": ID,
                "adresseUrlCandidature": URL,
                "lieux": [{"libelleLieu": None}],
                "competences": [{"libelle": None}],
            },
            APEC_TEXTS,
            risks,
        ),
        json_values(APEC_DETAIL_KEYS, APEC_TEXTS, risks),
    )
    total = {"totalCount": st.one_of(st.integers(), json_scalars(risks))}
    return {
        "result": results,
        "detail": details,
        "search_body": wrapped_bodies("resultats", st.lists(results, max_size=3), total, risks),
        "detail_body": json_bodies(details, risks),
        "offer_id": st.one_of(st.none(), st.just("174512W"), json_strings(risks)),
    }


@like_a_crawl
def run_apec(result: Any, detail: Any, search_body: str, detail_body: str, offer_id: Any) -> None:
    check_offer(apec.offer_from_json(result), apec.SOURCE)
    check_offer(apec.offer_from_json(result, detail), apec.SOURCE)
    check_text(apec.detail_description(detail))
    found = outcome(apec.read_search, search_body, allowed=(common.FeedError,))
    if found is not None:
        results, total = found
        assert isinstance(results, list)
        assert total is None or (isinstance(total, int) and total >= 0)
        for item in results:
            if isinstance(item, dict):
                check_offer(apec.offer_from_json(item), apec.SOURCE)
    read = outcome(apec.read_detail, detail_body, offer_id, allowed=(common.FeedError,))
    if read is not None:
        assert isinstance(read, dict)
        check_offer(apec.offer_from_json({}, read), apec.SOURCE)
    for status in (200, 403):
        check_text(apec.block_seen(status, search_body))


APEC_SAFE = apec_inputs(RISKS)


APEC_EXAMPLE = {"search_body": "{}", "detail_body": "{}", "offer_id": None}


APEC_EXAMPLES = (
    dict(result={}, detail={"latitude": 2**1024}, **APEC_EXAMPLE),
    dict(result={"numeroOffre": "\ud800"}, detail=None, **APEC_EXAMPLE),
    dict(result={}, detail=None, search_body=DEEP_BODY, detail_body="{}", offer_id=None),
)


test_apec_offers_searches_and_details, test_fuzz_apec_offers_searches_and_details = twins(
    run_apec, APEC_SAFE, APEC_EXAMPLES
)


# ================================================================ hellowork

HW_LISTING_URL = "https://www.hellowork.com/fr-fr/emploi/metier_chef-de-projet-chatbot.html"
HW_LISTING_URLS = st.sampled_from([HW_LISTING_URL, HW_LISTING_URL + "?p=2"])
HW_AD_URL = "https://www.hellowork.com/fr-fr/emplois/59410001.html"
HW_ATTRIBUTES = [
    'data-cy="offerTitle"',
    'data-cy="localisationCard"',
    'data-cy="contractCard"',
    'href="/fr-fr/emplois/59410001.html"',
    'href="https://www.hellowork.com/fr-fr/emplois/59410002.html"',
    'href=" /fr-fr/emplois/7.html "',
    'href="https://other.example/fr-fr/emplois/3.html"',
    'href="https://www.hellowork.com/fr-fr/emploi/metier_chef-de-projet-chatbot.html?p=2"',
    'href="?p=3"',
    'href="?p=0"',
]
HW_SNIPPETS = [
    '<a data-cy="offerTitle" href="/fr-fr/emplois/59410003.html"><p>Chef de projet chatbot</p>'
    '<p>Acme</p></a><span data-cy="localisationCard">Paris - 75</span>'
    '<span data-cy="contractCard">CDI</span>',
    "<p>Chef de projet chatbot H/F</p><p>Acme</p>",
    "0 offre",
    "Aucune offre ne correspond à votre recherche",
    "aucun résultat",
    "captcha-delivery.com",
    "_cf_chl_opt",
    "<title>Just a moment...</title>",
    "Attention Required! | Cloudflare",
    "chef-de-projet\n# comment\nconsultant-ia",
]
HW_CARDS = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {},
        optional=dict.fromkeys(
            ["ad_id", "url", "title", "company", "location", "contract"],
            st.one_of(st.none(), st.text(max_size=20), st.sampled_from(TEXTS)),
        ),
    ),
)


HW_LINKS = [
    "/fr-fr/emplois/59410001.html",
    "https://www.hellowork.com/fr-fr/emplois/59410002.html",
    " /fr-fr/emplois/7.html ",
    "https://other.example/fr-fr/emplois/3.html",
    "/fr-fr/emplois/abc.html",
    "?p=2",
    "?p=3",
    HW_LISTING_URL + "?p=2",
    "",
]
HW_WORDS = ["Chef de projet chatbot", "Acme", "Paris - 75", "CDI", "Alternance", "2", "Suivant"]


def hellowork_templates(risks: frozenset[str]) -> st.SearchStrategy[str]:
    slots = {
        "odd": odd_attributes(risks),
        "href": slot_links(risks, HW_LINKS),
        "title": slot_texts(risks, HW_WORDS),
        "company": slot_texts(risks, HW_WORDS),
        "place": slot_texts(risks, HW_WORDS),
        "contract": slot_texts(risks, HW_WORDS),
    }
    return st.one_of(
        template(
            '<li><div{odd}><a data-cy="offerTitle"{odd} href="{href}"><p>{title}</p>'
            '<p>{company}</p></a><span data-cy="localisationCard">{place}</span>'
            '<span data-cy="contractCard">{contract}</span></div></li>',
            **slots,
        ),
        template(
            '<div><h3 data-cy="offerTitle">{title}<a{odd} href="{href}">{company}</a></h3>'
            '<div data-cy="localisationCard">{place}</div></div>',
            **slots,
        ),
        template('<nav><a{odd} href="{href}">{title}</a></nav>', **slots),
        jsonld_scripts(risks),
    )


def hellowork_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    return {
        "page": html_pages(HW_ATTRIBUTES, HW_SNIPPETS, hellowork_templates(risks), risks),
        "listing_url": HW_LISTING_URLS,
        "card": HW_CARDS,
        "posting": jobpostings(risks),
    }


@like_a_crawl
def run_hellowork(page: str, listing_url: str, card: Any, posting: dict[str, Any]) -> None:
    listing = hellowork.read_listing(page, listing_url)
    assert listing.hooks >= len(listing.cards)
    for found in listing.cards:
        assert found.ad_id and found.url == hellowork.ad_url(found.ad_id)
        for value in (found.title, found.company, found.location, found.contract):
            check_text(value)
    assert listing.next_url is None or listing.next_url.startswith(hellowork.BASE_URL + "/")
    assert isinstance(hellowork.visible_text(page), str)
    assert isinstance(hellowork.says_no_result(page), bool)
    check_text(hellowork.block_sign(page))
    summary = hellowork.page_summary(page)
    assert isinstance(summary, str) and len(summary) <= 2000
    slugs = outcome(hellowork.read_metiers, page, allowed=(ValueError,))
    assert slugs is None or all(isinstance(slug, str) and slug for slug in slugs)
    cards = [None, card, *(asdict(found) for found in listing.cards[:2])]
    for each in cards:
        reading = hellowork.read_ad(page, HW_AD_URL, each)
        assert (reading.offer is None) == bool(reading.rejects)
        if reading.offer is not None:
            check_offer(reading.offer, hellowork.SOURCE)
            assert isinstance(hellowork.on_topic(reading.offer, ["chatbot"]), bool)
        for rejected in reading.rejects:
            check_reject(rejected, hellowork.SOURCE)
    check_offer(hellowork.offer_from_posting(posting, HW_AD_URL, card), hellowork.SOURCE)


HW_SAFE = hellowork_inputs(RISKS)


HW_EXAMPLE = {"card": None, "posting": {}}
HUGE_JSONLD_PAGE = (
    '<script type="application/ld+json">{"@type": "JobPosting", "title": 1'
    + "0" * 400
    + "}</script>"
)


HW_EXAMPLES = (
    dict(page='<a href="http://[">', listing_url=HW_LISTING_URL, **HW_EXAMPLE),
    dict(page=HUGE_JSONLD_PAGE, listing_url=HW_LISTING_URL, **HW_EXAMPLE),
    dict(page=DEEP_JSONLD_PAGE, listing_url=HW_LISTING_URL, **HW_EXAMPLE),
    dict(page=CONTROL_PAGE, listing_url=HW_LISTING_URL, **HW_EXAMPLE),
)


test_hellowork_listings_and_ads, test_fuzz_hellowork_listings_and_ads = twins(
    run_hellowork, HW_SAFE, HW_EXAMPLES
)


# ================================================================ wttj

WTTJ_KEYS = [
    "reference",
    "slug",
    "organization",
    "name",
    "offices",
    "city",
    "state",
    "country",
    "zip_code",
    "latitude",
    "longitude",
    "remote",
    "contract_type",
    "summary",
    "profile",
    "published_at",
    "salary_minimum",
    "salary_maximum",
    "salary_period",
    "salary_currency",
    "experience_level_minimum",
]
WTTJ_TEXTS = ["unknown", "full", "partial", "punctual", "full_time", "yearly", "EUR", "acme", 0]
WTTJ_URL = "https://www.welcometothejungle.com/fr/companies/acme/jobs/chef-de-projet-chatbot_paris"


def wttj_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    spec = {
        **dict.fromkeys(WTTJ_KEYS),
        "reference": ID,
        "slug": ID,
        "organization": {"slug": ID, "name": None},
        "offices": [
            dict.fromkeys(["city", "state", "country", "zip_code", "latitude", "longitude"])
        ],
    }
    hits = st.one_of(shaped(spec, WTTJ_TEXTS, risks), json_values(WTTJ_KEYS, WTTJ_TEXTS, risks))
    counts = {"nbHits": json_scalars(risks), "nbPages": json_scalars(risks), "page": st.integers()}
    return {
        "hit": hits,
        "body": wrapped_bodies("hits", st.lists(hits, max_size=3), counts, risks),
        "page": html_pages(extra=jsonld_scripts(risks), risks=risks),
    }


@like_a_crawl
def run_wttj(hit: Any, body: str, page: str) -> None:
    hit_offer = wttj.hit_to_raw(hit)
    check_offer(hit_offer, wttj.SOURCE)
    results = outcome(wttj.read_results, body, allowed=(common.FeedError,))
    if results is not None:
        assert isinstance(results.hits, list)
        for count in (results.nb_hits, results.nb_pages):
            assert count is None or (isinstance(count, int) and count >= 0)
        following = wttj.next_page(0, results)
        assert following is None or following == 1
        for each in results.hits:
            if isinstance(each, dict):
                check_offer(wttj.hit_to_raw(each), wttj.SOURCE)
    page_offer = wttj.page_offer(page, WTTJ_URL)
    if page_offer is not None:
        check_offer(page_offer, jobposting.SOURCE)  # the hit's identity replaces it on merging
    check_offer(wttj.merge_offer(hit_offer, page_offer), wttj.SOURCE)


WTTJ_SAFE = wttj_inputs(RISKS)


WTTJ_SURROGATE_HIT = {"slug": "\ud800", "organization": {"slug": "acme"}}
WTTJ_BRACKET_PAGE = (
    '<script type="application/ld+json">{"@type": "JobPosting", "url": "http://["}</script>'
)


WTTJ_EXAMPLES = (
    dict(hit={}, body='{"hits": [], "nbHits": 1' + "0" * 400 + "}", page=""),
    dict(hit=WTTJ_SURROGATE_HIT, body="{}", page=""),
    dict(hit={}, body=DEEP_BODY, page=""),
    dict(hit={}, body="{}", page=WTTJ_BRACKET_PAGE),
    dict(hit={}, body="{}", page=DEEP_JSONLD_PAGE),
    dict(hit={}, body="{}", page=CONTROL_PAGE),
)


test_wttj_hits_searches_and_pages, test_fuzz_wttj_hits_searches_and_pages = twins(
    run_wttj, WTTJ_SAFE, WTTJ_EXAMPLES
)


# ================================================================ indeed

INDEED_KEYS = [
    "jobkey",
    "displayTitle",
    "title",
    "company",
    "formattedLocation",
    "salarySnippet",
    "text",
    "currency",
    "taxonomyAttributes",
    "label",
    "attributes",
    "remoteLocation",
    "jobTypes",
    "snippet",
    "pubDate",
    "formattedRelativeTime",
    "extractedSalary",
    "min",
    "max",
    "type",
]
INDEED_SPEC = {
    **dict.fromkeys(INDEED_KEYS),
    "jobkey": ID,
    "salarySnippet": {"text": None, "currency": None},
    "taxonomyAttributes": [{"label": None, "attributes": [{"label": None}]}],
    "jobTypes": [{"label": None}],
    "extractedSalary": {"min": None, "max": None, "type": None},
}
INDEED_TEXTS = ["job-types", "remote", "CDI", "Temps plein", "Télétravail partiel", "yearly", True]
JOBCARDS_ASSIGNMENTS = [
    'window.mosaic.providerData["mosaic-provider-jobcards"]=',
    "window.mosaic.providerData['mosaic-provider-jobcards'] = ",
    'window.mosaic.providerData[ "mosaic-provider-jobcards" ]\n=\n',
    'window.mosaic.providerData["mosaic-provider-reportcontent"]=',
]
INDEED_SNIPPETS = [
    "jobsearch-NoResult",
    "ne correspond à aucune offre",
    "Just a moment...",
    "hCaptcha",
    "Vérification de sécurité",
    "<title>chef de projet chatbot - Emplois</title>",
]


def indeed_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    cards = st.one_of(
        shaped(INDEED_SPEC, INDEED_TEXTS, risks), json_values(INDEED_KEYS, INDEED_TEXTS, risks)
    )
    data = st.lists(cards, max_size=3).map(
        lambda results: {"metaData": {"mosaicProviderJobCardsModel": {"results": results}}}
    )
    layout = ["metaData", "mosaicProviderJobCardsModel", "results", *INDEED_KEYS]
    bodies = json_bodies(st.one_of(data, json_values(layout, INDEED_TEXTS, risks)), risks)
    embedded = st.tuples(st.sampled_from(JOBCARDS_ASSIGNMENTS), bodies, st.sampled_from(["", ";"]))
    return {
        "card": cards,
        "page": html_pages(
            snippets=INDEED_SNIPPETS,
            extra=embedded.map(lambda a: f"<script>{a[0]}{a[1]}{a[2]}</script>"),
            risks=risks,
        ),
    }


@like_a_crawl
def run_indeed(card: Any, page: str) -> None:
    check_offer(indeed.offer_from_card(card), indeed.SOURCE)
    for reader in (indeed.contract_text, indeed.remote_text, indeed.posted_text):
        check_text(reader(card))
    data = outcome(indeed.jobcards_data, page, allowed=(indeed.LayoutChanged,))
    assert data is None or isinstance(data, dict)
    results = outcome(indeed.jobcard_results, page, allowed=(indeed.LayoutChanged,))
    assert results is None or isinstance(results, list)
    for each in results or []:
        if isinstance(each, dict):
            check_offer(indeed.offer_from_card(each), indeed.SOURCE)
    assert all(isinstance(sign, str) and sign for sign in indeed.block_signs(page))
    assert isinstance(indeed.says_no_result(page), bool)
    check_text(indeed.page_title(page))
    payload = indeed.page_payload(page, 403)
    assert isinstance(payload, str) and len(payload) <= 2000


INDEED_SAFE = indeed_inputs(RISKS)


INDEED_DEEP_PAGE = f"<script>{JOBCARDS_ASSIGNMENTS[0]}{DEEP_BODY}</script>"


INDEED_EXAMPLES = (
    dict(card={"extractedSalary": {"min": 2**1024}}, page=""),
    dict(card={"pubDate": float("inf")}, page=""),  # json.loads reads Infinity
    dict(card={"pubDate": 2**1024}, page=""),
    dict(card={}, page=INDEED_DEEP_PAGE),
)


test_indeed_cards_and_search_pages, test_fuzz_indeed_cards_and_search_pages = twins(
    run_indeed, INDEED_SAFE, INDEED_EXAMPLES
)


# ================================================================ linkedin

LI_ATTRIBUTES = [
    'class="base-search-card"',
    'class="base-card relative base-search-card job-search-card"',
    'data-entity-urn="urn:li:jobPosting:4012345678"',
    'data-entity-urn="urn:li:jobPosting:"',
    'class="base-card__full-link"',
    'href="https://fr.linkedin.com/jobs/view/chef-de-projet-chatbot-at-acme-4012345678?refId=a"',
    'href="/jobs/view/4012345702/"',
    'href="https://other.example/jobs/view/1234567"',
    'class="base-search-card__title"',
    'class="base-search-card__subtitle"',
    'class="job-search-card__location"',
    'class="job-search-card__salary-info"',
    'datetime="2026-11-10"',
    'datetime=" "',
    'class="description__job-criteria-list"',
    'class="description__job-criteria-item"',
    'class="description__job-criteria-subheader"',
    'class="description__job-criteria-text"',
    'class="show-more-less-html__markup"',
]
LI_SNIPPETS = [
    "Seniority level",
    "Niveau hiérarchique",
    "Employment type",
    "Type d’emploi",
    "Type d'emploi",
    "Premier emploi",
    "authwall",
    "checkpoint/challenge",
    "<!-- no more results -->",
]
LI_CARD = {
    "source": linkedin.SOURCE,
    "source_id": "4012345678",
    "url": "https://www.linkedin.com/jobs/view/4012345678",
    "title": "Chef de projet chatbot",
}


LI_LINKS = [
    "https://fr.linkedin.com/jobs/view/chef-de-projet-chatbot-at-acme-4012345678?refId=a",
    "https://www.linkedin.com/jobs/view/4012345702/",
    "/jobs/view/4012345733",
    "https://other.example/jobs/view/1234567",
    "",
]
LI_WORDS = [
    "Chef de projet chatbot",
    "Acme",
    "Paris, Île-de-France, France",
    "2026-11-10",
    "4012345678",
    "Seniority level",
    "Niveau hiérarchique",
    "Employment type",
    "Type d’emploi",
    "Premier emploi",
    "CDI",
]


def linkedin_templates(risks: frozenset[str]) -> st.SearchStrategy[str]:
    slots = {"odd": odd_attributes(risks), "href": slot_links(risks, LI_LINKS)}
    slots |= {key: slot_texts(risks, LI_WORDS) for key in ("a", "b", "c", "d", "e")}
    return st.one_of(
        template(
            '<li><div class="base-card base-search-card"{odd} data-entity-urn="urn:li:jobPosting:'
            '{a}"><a class="base-card__full-link"{odd} href="{href}"><span>{b}</span></a>'
            '<h3 class="base-search-card__title">{b}</h3><h4 class="base-search-card__subtitle">'
            '{c}</h4><span class="job-search-card__location">{d}</span><span class="job-search-'
            'card__salary-info">{e}</span><time datetime="{a}">{e}</time></div></li>',
            **slots,
        ),
        template(
            '<div class="show-more-less-html__markup"{odd}>{a}<p>{b}</p></div><ul class="description'
            '__job-criteria-list"><li class="description__job-criteria-item"><h3 class="description'
            '__job-criteria-subheader">{c}</h3><span class="description__job-criteria-text">{d}'
            '</span></li><li><h3 class="description__job-criteria-subheader">{e}</h3></li></ul>',
            **slots,
        ),
    )


def linkedin_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    return {"page": html_pages(LI_ATTRIBUTES, LI_SNIPPETS, linkedin_templates(risks), risks)}


@like_a_crawl
def run_linkedin(page: str) -> None:
    assert isinstance(linkedin.is_empty_fragment(page), bool)
    assert all(isinstance(sign, str) and sign for sign in linkedin.block_signs(page))
    cards = [linkedin.offer_from_card(card) for card in linkedin.cards_in(page)]
    for card in cards:
        check_offer(card, linkedin.SOURCE)
        assert card["source_id"] is None or card["source_id"].isdigit()
    detail = linkedin.read_detail(page)
    assert set(detail) == {"description", "contract", "experience"}
    for value in detail.values():
        check_text(value)
    for card in [LI_CARD, *cards[:2]]:
        check_offer(linkedin.with_detail(card, detail), linkedin.SOURCE)


LI_SAFE = linkedin_inputs(RISKS)


LI_BRACKET_PAGE = (
    '<div class="base-search-card"><a class="base-card__full-link" href="http://["></a></div>'
)


LI_EXAMPLES = (dict(page=LI_BRACKET_PAGE),)


test_linkedin_cards_and_details, test_fuzz_linkedin_cards_and_details = twins(
    run_linkedin, LI_SAFE, LI_EXAMPLES
)


# ================================================================ cyberjobs

CJ_SEARCH_URLS = st.sampled_from(
    [
        "https://www.cyberjobs.fr/Jobs?keywords=chatbot&page=1",
        "https://www.cyberjobs.fr/Jobs?keywords=chatbot&page=2",
    ]
)
CJ_SEARCH_URL = "https://www.cyberjobs.fr/Jobs?keywords=chatbot&page=1"
CJ_OFFER_URL = "https://www.cyberjobs.fr/Jobs/48213/chef-de-projet-chatbot"
CJ_ATTRIBUTES = [
    'class="job-list"',
    'class="job-card"',
    'href="/Jobs/48213/chef-de-projet-chatbot"',
    'href="https://www.cyberjobs.fr/Jobs/6571c0ffee0a1b2c3d4e5f60"',
    'href="/Jobs/Search"',
    'href="https://other.example/Jobs/123/x"',
    'rel="next"',
    'rel="prev next"',
    'href="?keywords=chatbot&page=2"',
    'href="/Jobs?keywords=chatbot&page=1"',
    'class="job-detail__company"',
    'class="job-detail__location"',
    'class="job-detail__contract"',
    'class="job-detail__salary"',
    'class="job-detail__remote"',
    'class="job-detail__date"',
    'datetime="2026-11-02"',
    'class="job-detail__description"',
    'class="job-detail__apply"',
    'href="mailto:rh@example.com"',
]
CJ_SNIPPETS = ["cf-challenge", "g-recaptcha", "Just a moment...", "Attention Required!"]


CJ_LINKS = [
    "/Jobs/48213/chef-de-projet-chatbot",
    "https://www.cyberjobs.fr/Jobs/6571c0ffee0a1b2c3d4e5f60",
    "https://cyberjobs.fr/Jobs/48240/",
    "/Jobs/Search",
    "https://other.example/Jobs/123/x",
    "?keywords=chatbot&page=2",
    "?keywords=chatbot&page=1",
    "/Jobs?keywords=chatbot&page=3",
    "mailto:rh@example.com",
    "",
]
CJ_WORDS = ["Chef de projet chatbot", "Acme", "Paris", "CDI", "45 000 €", "Hybride", "2026-11-02"]


def cyberjobs_templates(risks: frozenset[str]) -> st.SearchStrategy[str]:
    slots = {"odd": odd_attributes(risks), "href": slot_links(risks, CJ_LINKS)}
    slots |= {key: slot_texts(risks, CJ_WORDS) for key in ("a", "b", "c", "d", "e")}
    card = template('<li class="job-card"><a{odd} href="{href}">{a}</a>{b}</li>', **slots)
    return st.one_of(
        template(
            '<ul class="job-list">{cards}</ul><a rel="next"{odd} href="{href}">{a}</a>',
            cards=st.lists(card, max_size=3).map("".join),
            odd=slots["odd"],
            href=slots["href"],
            a=slots["a"],
        ),
        template(
            '<h1>{a}</h1><div class="job-detail__company">{b}</div><div class="job-detail__'
            'location">{c}</div><span class="job-detail__contract">{d}</span><span class="job-'
            'detail__salary">{e}</span><span class="job-detail__remote">{c}</span><time class="job-'
            'detail__date"{odd} datetime="{e}">{d}</time><div class="job-detail__description">'
            '<p>{a}</p>{b}</div><a class="job-detail__apply" href="{href}">{c}</a>',
            **slots,
        ),
        jsonld_scripts(risks),
    )


def cyberjobs_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    page = html_pages(CJ_ATTRIBUTES, CJ_SNIPPETS, cyberjobs_templates(risks), risks)
    return {"page": page, "search_url": CJ_SEARCH_URLS}


@like_a_crawl
def run_cyberjobs(page: str, search_url: str) -> None:
    listing = outcome(cyberjobs.parse_listing, page, search_url, allowed=(cyberjobs.LayoutChanged,))
    if listing is not None:
        assert all(cyberjobs.offer_id(url) for url in listing.offer_urls)
        assert len(set(listing.offer_urls)) == len(listing.offer_urls)
        if listing.next_url is not None:
            assert cyberjobs.page_number(listing.next_url) > cyberjobs.page_number(search_url)
        assert all(isinstance(card, str) for card in listing.cards_without_link)
    fields = cyberjobs.html_fields(page, CJ_OFFER_URL)
    assert set(fields) == set(cyberjobs.HTML_FILLS) | set(cyberjobs.HTML_FIRST)
    for value in fields.values():
        check_text(value)
    read = cyberjobs.read_offer_page(page, CJ_OFFER_URL, "48213")
    assert all(isinstance(warning, str) and warning for warning in read.warnings)
    if read.offer is not None:
        check_offer(read.offer, cyberjobs.SOURCE)
        assert read.offer["source_id"] == "48213" and read.offer["url"] == CJ_OFFER_URL
    else:
        assert isinstance(read.reason, str) and read.reason
        assert isinstance(read.payload, str) and len(read.payload) <= 2000
    assert isinstance(cyberjobs.is_blocked(page), bool)


CJ_SAFE = cyberjobs_inputs(RISKS)


CJ_BRACKET_PAGE = '<ul class="job-list"><li class="job-card"><a href="http://["></a></li></ul>'


CJ_EXAMPLES = (
    dict(page=CJ_BRACKET_PAGE, search_url=CJ_SEARCH_URL),
    dict(page=DEEP_JSONLD_PAGE, search_url=CJ_SEARCH_URL),
    dict(page=CONTROL_PAGE, search_url=CJ_SEARCH_URL),
)


test_cyberjobs_search_and_offer_pages, test_fuzz_cyberjobs_search_and_offer_pages = twins(
    run_cyberjobs, CJ_SAFE, CJ_EXAMPLES
)


# ================================================================ talentsoft

TS_HOST = "urssaf-recrute.talent-soft.com"
TS_LIST_URLS = st.sampled_from(
    [
        f"https://{TS_HOST}/offre-de-emploi/liste-offres.aspx?page=1",
        f"https://{TS_HOST}/offre-de-emploi/liste-offres.aspx?page=2",
    ]
)
TS_LIST_URL = f"https://{TS_HOST}/offre-de-emploi/liste-offres.aspx?page=1"
TS_DETAIL_URL = f"https://{TS_HOST}/offre-de-emploi/emploi-chef-de-projet-chatbot-h-f_4127.aspx"
TS_ATTRIBUTES = [
    'class="ts-offer-list"',
    'class="ts-offer-list-item"',
    'class="ts-offer-list-item__title-link"',
    'href="/offre-de-emploi/emploi-chef-de-projet-chatbot-h-f_4127.aspx"',
    f'href="https://{TS_HOST}/offre-de-emploi/emploi-charge-de-projet_3952.aspx"',
    'href="/offre-de-emploi/liste-offres.aspx?page=2"',
    'href="liste-offres.aspx?page=3"',
    'href="/autre-page.aspx"',
    'class="ts-offer-list-item__description"',
    'class="ts-offer-card"',
    'class="ts-offer-card__title-link"',
    'class="ts-offer-card-content__list"',
    'class="ts-ol-pagination"',
    'class="ts-ol-pagination__title"',
    'title="Page suivante"',
    'aria-label="Next"',
    'rel="next"',
    'id="contenu-ficheoffre"',
    'class="ts-offer-page__title"',
    'id="fldjobdescription_jobtitle"',
    'class="ts-offer-page__reference"',
    'id="fldjobdescription_contract"',
    'id="fldlocation_location_geographicalareacollection"',
    'id="fldjobdescription_salaryrange"',
    'id="fldapplicantcriteria_experiencelevel"',
    'id="fldapplicantcriteria_educationlevel"',
    'id="fldjobdescription_description1"',
    'id="fldjobdescription_description2"',
    'id="fldjobdescription_longtext2"',
]
TS_SNIPPETS = [
    "Réf. : 2026-4127",
    "Référence :",
    "12/11/2026",
    "CDI",
    "Paris (75)",
    "<h3>Mission</h3>",
]
TS_LISTED = st.one_of(
    st.none(),
    st.builds(
        talentsoft.Listed,
        url=st.just(TS_DETAIL_URL),
        title=st.one_of(st.none(), st.text(max_size=20)),
        reference=st.one_of(st.none(), st.text(max_size=10)),
        posted_at=st.one_of(st.none(), st.sampled_from(["12/11/2026", " "])),
        contract=st.one_of(st.none(), st.text(max_size=10)),
        location=st.one_of(st.none(), st.text(max_size=10)),
    ),
)


def talentsoft_employer() -> Any:
    return talentsoft.Employer(
        slug="urssaf", name="URSSAF", platform=talentsoft.SOURCE, ids={"host": TS_HOST}
    )


TS_LINKS = [
    "/offre-de-emploi/emploi-chef-de-projet-chatbot-h-f_4127.aspx",
    f"https://{TS_HOST}/offre-de-emploi/emploi-charge-de-projet_3952.aspx",
    "emploi-x_12.aspx",
    "/offre-de-emploi/liste-offres.aspx?page=2",
    "liste-offres.aspx?page=3",
    "?page=2",
    "/autre-page.aspx",
    "",
]
TS_WORDS = ["Chef de projet chatbot", "Réf. : 2026-4127", "Référence :", "12/11/2026", "CDI"]
TS_WORDS += ["Paris (75)", "Page suivante", "Next", "2", "Mission", "Profil"]


def talentsoft_templates(risks: frozenset[str]) -> st.SearchStrategy[str]:
    slots = {"odd": odd_attributes(risks), "href": slot_links(risks, TS_LINKS)}
    slots |= {key: slot_texts(risks, TS_WORDS) for key in ("a", "b", "c", "d", "e")}
    item = template(
        '<li class="ts-offer-list-item"><a class="ts-offer-list-item__title-link"{odd} '
        'href="{href}">{a}</a><ul class="ts-offer-list-item__description"><li>{b}</li><li>{c}'
        "</li><li>{d}</li><li>{e}</li></ul></li>",
        **slots,
    )
    return st.one_of(
        template(
            '<ul class="ts-offer-list">{items}</ul><div class="ts-ol-pagination"><a{odd} '
            'href="{href}" title="{a}">{b}</a></div>',
            items=st.lists(item, max_size=3).map("".join),
            odd=slots["odd"],
            href=slots["href"],
            a=slots["a"],
            b=slots["b"],
        ),
        template(
            '<div id="contenu-ficheoffre"{odd}><h1 class="ts-offer-page__title">{a}</h1><p class='
            '"ts-offer-page__reference">{b}</p><p id="fldjobdescription_contract">{c}</p><p id="'
            'fldlocation_location_geographicalareacollection">{d}</p><h3>{e}</h3><div id="fld'
            'jobdescription_description1">{a}</div><div id="fldjobdescription_description2">{c}'
            "</div></div>",
            **slots,
        ),
    )


def talentsoft_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    page = html_pages(TS_ATTRIBUTES, TS_SNIPPETS, talentsoft_templates(risks), risks)
    return {"page": page, "list_url": TS_LIST_URLS, "listed": TS_LISTED}


@like_a_crawl
def run_talentsoft(page: str, list_url: str, listed: Any) -> None:
    found = outcome(talentsoft.parse_list, page, list_url, allowed=(talentsoft.LayoutChanged,))
    listed_ones = [listed]
    if found is not None:
        assert isinstance(found.has_next, bool)
        assert all(isinstance(item, str) for item in found.unreadable)
        for each in found.offers:
            assert talentsoft.offer_number(each.url)
            for value in (each.title, each.reference, each.posted_at, each.contract):
                check_text(value)
            check_text(each.location)
            assert isinstance(talentsoft.on_topic(each, ["chatbot"]), bool)
        listed_ones += found.offers[:2]
    employer = talentsoft_employer()
    for each in listed_ones:
        detail = talentsoft.read_detail(page, TS_DETAIL_URL, employer, TS_HOST, each)
        if detail.offer is not None:
            check_offer(detail.offer, talentsoft.SOURCE)
        else:
            assert isinstance(detail.reason, str) and detail.reason
            assert isinstance(detail.payload, str) and len(detail.payload) <= 2000


TS_SAFE = talentsoft_inputs(RISKS)


TS_BRACKET_PAGE = '<div class="ts-ol-pagination"><a href="http://["></a></div>'
TS_CONTROL_PAGE = '<div class="ts-ol-pagination"><a href="?page=2" \x07></a></div>'


TS_EXAMPLES = (
    dict(page=TS_BRACKET_PAGE, list_url=TS_LIST_URL, listed=None),
    dict(page=TS_CONTROL_PAGE, list_url=TS_LIST_URL, listed=None),
)


test_talentsoft_list_and_offer_pages, test_fuzz_talentsoft_list_and_offer_pages = twins(
    run_talentsoft, TS_SAFE, TS_EXAMPLES
)


# ================================================================ common (the shared readers)

PATHS = st.lists(
    st.one_of(st.sampled_from(["id", "nom", "libelle", "jobs", "a"]), st.integers(-3, 3)),
    max_size=4,
)
COMMON_KEYS = ["id", "nom", "libelle", "jobs", "a"]


def common_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    values = json_values(
        COMMON_KEYS, ["https://example.com/x", "<p>a &amp; b</p>", "a, b\nb"], risks
    )
    return {"value": values, "keys": PATHS, "body": json_bodies(values, risks)}


@like_a_crawl
def run_common(value: Any, keys: list[Any], body: str) -> None:
    if not keys:
        assert common.at(value) is value
    common.at(value, *keys)
    found = common.text(value)
    check_text(found)
    assert found is None or found == found.strip()
    check_text(common.code(value))
    amount = common.number(value)
    assert amount is None or (isinstance(amount, float) and math.isfinite(amount))
    for limit in (90, 180):
        place = common.coordinate(value, limit)
        assert place is None or abs(place) <= limit
    labels = common.labels(value, "libelle")
    assert len(set(labels)) == len(labels) and all(label.strip() for label in labels)
    url = common.http_url(value)
    assert url is None or url.startswith(("http://", "https://"))
    check_text(common.plain_text(value))
    payload = common.json_payload(value)
    assert isinstance(payload, str) and len(payload) <= common.PAYLOAD_CHARS
    if isinstance(value, str):
        terms = common.split_terms(value)
        assert len(set(terms)) == len(terms) and all(t and t == t.strip() for t in terms)
        kept = common.storable(value)
        kept.encode("utf-8")  # no lone surrogate left
        assert len(kept) == len(value)
        joined = common.joined_url("https://www.example.com/jobs/list?page=2", value)
        assert joined is None or isinstance(joined, str)
        page_url = "https://www.example.com/jobs?" + common.storable(value)
        assert isinstance(common.query_value(page_url, "page"), str)
        assert isinstance(common.query_int(page_url, "page"), int)
    if isinstance(value, int | float) and not isinstance(value, bool):
        amount = common.finite(value)
        assert amount is None or math.isfinite(amount)
    data = outcome(common.json_body, body, allowed=(common.FeedError,))
    for kind, noun in ((dict, "an object"), (list, "a list")):
        same = outcome(common.json_of_kind, data, kind, noun, allowed=(common.FeedError,))
        assert same is None or same is data
    if isinstance(data, dict):
        member = outcome(common.json_member, data, "jobs", allowed=(common.FeedError,))
        assert member is None or isinstance(member, list)


COMMON_SAFE = common_inputs(RISKS)


COMMON_EXAMPLES = (
    dict(value=2**1024, keys=[], body="{}"),
    dict(value="http://[", keys=[], body="{}"),
)


test_common_readers_of_loose_json, test_fuzz_common_readers_of_loose_json = twins(
    run_common, COMMON_SAFE, COMMON_EXAMPLES
)


# ================================================================ employers (load-free helpers)

TOPIC_TEXTS = [
    "Chargé de projet chatbot",
    "CHARGÉE DE PROJET CHATBOT",
    "chatbot",
    "Télétravail",
    "",
]
employers_inputs = {
    "texts": st.lists(
        st.one_of(st.none(), json_strings(), st.sampled_from(TOPIC_TEXTS)), max_size=4
    ),
    "terms": st.lists(st.one_of(json_strings(), st.sampled_from(TOPIC_TEXTS)), max_size=3),
    "entries": st.lists(json_values(["title", "content"], TOPIC_TEXTS), max_size=4),
    "ids": st.dictionaries(st.sampled_from(["host", "board", "company", "site"]), json_strings()),
}


@like_a_crawl
def run_employers(texts: list[Any], terms: list[str], entries: list[Any], ids: dict) -> None:
    for found in texts:
        if isinstance(found, str):
            assert isinstance(employers.folded(found), str)
    assert isinstance(employers.mentions_any(texts, terms), bool)
    assert employers.mentions_any(texts, []) is False
    for found in texts:
        if found:
            assert employers.mentions_any(texts, [found]) is True
    kept, off_topic = employers.sort_on_topic(
        entries,
        terms,
        lambda entry: [v for v in entry.values() if isinstance(v, str)],
        lambda entry: {"offer": entry},
        lambda odd: {"reject": odd},
    )
    assert len(kept) + off_topic == len(entries)
    assert sum("reject" in item for item in kept) == sum(not isinstance(e, dict) for e in entries)
    employer = employers.Employer(slug="acme", name="Acme", platform="greenhouse", ids=ids)
    for key in ("host", "board", "company", "site"):
        value = outcome(employer.id, key, allowed=(ValueError,))
        assert value is None or value == ids[key]


test_employers_topic_helpers, test_fuzz_employers_topic_helpers = twins(
    run_employers, employers_inputs
)


# ================================================================ greenhouse

GH_EMPLOYER = employers.Employer(
    slug="acme", name="Acme", platform=greenhouse.SOURCE, ids={"board": "acme"}
)
GH_SPEC = {
    "id": ID,
    "title": None,
    "absolute_url": URL,
    "location": {"name": None},
    "offices": [{"name": None, "location": None}],
    "metadata": [{"name": None, "value": None, "value_type": None}],
    "content": None,
    "first_published": None,
    "updated_at": None,
    "departments": [{"name": None}],
}
GH_TEXTS = [
    "Employment type",
    "Contract  Type",
    "Type de contrat",
    "Remote",
    "Télétravail",
    "Salary",
    "Salaire",
    "CDI",
    [{"name": "CDI"}, {"name": "Alternance"}],
    "&lt;p&gt;Chef de projet chatbot&lt;/p&gt;",
    "https://boards.greenhouse.io/acme/jobs/4012",
    4012,
]


def greenhouse_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    jobs = st.one_of(shaped(GH_SPEC, GH_TEXTS, risks), json_values(list(GH_SPEC), GH_TEXTS, risks))
    extra = {"meta": json_values(risks=risks)}
    return {"job": jobs, "body": wrapped_bodies("jobs", st.lists(jobs, max_size=3), extra, risks)}


@like_a_crawl
def run_greenhouse(job: Any, body: str) -> None:
    check_offer(greenhouse.offer_from_json(job, GH_EMPLOYER), greenhouse.SOURCE)
    for found in greenhouse.topic_texts(job):
        check_text(found)
    jobs = outcome(greenhouse.parse_jobs, body, allowed=(common.FeedError,))
    assert jobs is None or isinstance(jobs, list)
    for each in jobs or []:
        if isinstance(each, dict):
            check_offer(greenhouse.offer_from_json(each, GH_EMPLOYER), greenhouse.SOURCE)


GH_SAFE = greenhouse_inputs(RISKS)


GH_EXAMPLES = (dict(job={"absolute_url": "http://["}, body="{}"),)


test_greenhouse_jobs_and_boards, test_fuzz_greenhouse_jobs_and_boards = twins(
    run_greenhouse, GH_SAFE, GH_EXAMPLES
)


# ================================================================ lever

LV_EMPLOYER = employers.Employer(
    slug="bforbank", name="BforBank", platform=lever.SOURCE, ids={"company": "bforbank"}
)
LV_SPEC = {
    "id": ID,
    "text": None,
    "hostedUrl": URL,
    "applyUrl": URL,
    "categories": dict.fromkeys(["location", "allLocations", "commitment", "team"]),
    "workplaceType": None,
    "description": None,
    "descriptionPlain": None,
    "additional": None,
    "additionalPlain": None,
    "lists": [{"text": None, "content": None}],
    "salaryRange": dict.fromkeys(["min", "max", "currency", "interval"]),
    "salaryDescription": None,
    "salaryDescriptionPlain": None,
    "createdAt": None,
}
LV_TEXTS = [
    *lever.INTERVAL_PERIODS,
    "Per-Year-Salary",
    "unspecified",
    "hybrid",
    "EUR",
    1731000000000,
]


def lever_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    postings = st.one_of(
        shaped(LV_SPEC, LV_TEXTS, risks), json_values(list(LV_SPEC), LV_TEXTS, risks)
    )
    return {"posting": postings, "body": json_bodies(st.lists(postings, max_size=3), risks)}


@like_a_crawl
def run_lever(posting: Any, body: str) -> None:
    check_offer(lever.offer_from_json(posting, LV_EMPLOYER), lever.SOURCE)
    for found in lever.topic_texts(posting):
        check_text(found)
    postings = outcome(lever.parse_postings, body, allowed=(common.FeedError,))
    assert postings is None or isinstance(postings, list)
    for each in postings or []:
        if isinstance(each, dict):
            check_offer(lever.offer_from_json(each, LV_EMPLOYER), lever.SOURCE)


LV_SAFE = lever_inputs(RISKS)


LV_EXAMPLES = (
    dict(posting={"salaryRange": {"min": 2**1024}}, body="[]"),
    dict(posting={"hostedUrl": "http://["}, body="[]"),
)


test_lever_postings, test_fuzz_lever_postings = twins(run_lever, LV_SAFE, LV_EXAMPLES)


# ================================================================ teamtailor

TT_HOST = "centaurus.teamtailor.com"
TT_FEED_URL = f"https://{TT_HOST}/jobs.json"
TT_EMPLOYER = employers.Employer(
    slug="centaurus", name="Groupe Centaurus", platform=teamtailor.SOURCE, ids={"host": TT_HOST}
)
TT_SPEC = {"id": ID, "url": URL, **dict.fromkeys(["title", "content_html", "date_published"])}
TT_TEXTS = [
    f"https://{TT_HOST}/jobs/4012-chef-de-projet-chatbot",
    f"https://{TT_HOST}/jobs.json?page=2",
    f"http://{TT_HOST}/jobs.json",
    "https://other.example/jobs.json",
    TT_FEED_URL,
    "4012",
    "<p>Chef de projet chatbot</p>",
]


def teamtailor_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    items = st.one_of(
        st.tuples(
            shaped(TT_SPEC, TT_TEXTS, risks),
            st.one_of(jobpostings(risks), json_values(JSONLD_KEYS, JSONLD_TEXTS, risks)),
        ).map(lambda args: {**args[0], "_jobposting": args[1]}),
        shaped(TT_SPEC, TT_TEXTS, risks),
        json_values([*TT_SPEC, "_jobposting"], TT_TEXTS, risks),
    )
    links = st.one_of(st.sampled_from(TT_TEXTS), json_scalars(risks))
    extra = {"next_url": links, "version": json_scalars(risks), "title": json_scalars(risks)}
    return {
        "item": items,
        "body": wrapped_bodies("items", st.lists(items, max_size=3), extra, risks),
    }


@like_a_crawl
def run_teamtailor(item: Any, body: str) -> None:
    check_offer(teamtailor.offer_from_item(item, TT_EMPLOYER), teamtailor.SOURCE)
    check_text(teamtailor.job_number(item))
    for found in teamtailor.topic_texts(item):
        check_text(found)
    feed = outcome(teamtailor.parse_feed, body, allowed=(common.FeedError,))
    if feed is not None:
        items, next_url = feed
        assert isinstance(items, list)
        check_text(next_url)
        for page in (1, teamtailor.MAX_PAGES):
            following = teamtailor.next_page(TT_FEED_URL, next_url, page)
            assert following is None or (following == next_url and following != TT_FEED_URL)
        for each in items:
            if isinstance(each, dict):
                check_offer(teamtailor.offer_from_item(each, TT_EMPLOYER), teamtailor.SOURCE)


TT_SAFE = teamtailor_inputs(RISKS)
TT_DEEP_ITEM = {"_jobposting": {"title": Nested(600, "x")}}


TT_EXAMPLES = (
    dict(item={"_jobposting": {"title": 2**1024}}, body="{}"),
    dict(item={"url": "http://["}, body="{}"),
    dict(item=TT_DEEP_ITEM, body="{}"),
)


test_teamtailor_items_and_feeds, test_fuzz_teamtailor_items_and_feeds = twins(
    run_teamtailor, TT_SAFE, TT_EXAMPLES
)


# ================================================================ workday

WD_EMPLOYER = employers.Employer(
    slug="axa",
    name="AXA",
    platform=workday.SOURCE,
    ids={"host": "axa.wd3.myworkdayjobs.com", "tenant": "axa", "site": "AXA_Careers"},
)
WD_PATH = "/job/Paris/Chef-de-projet-chatbot_JR123"
WD_LISTED_SPEC = {
    "externalPath": URL,
    **dict.fromkeys(["title", "locationsText", "postedOn", "bulletFields"]),
}
WD_DETAIL_SPEC = {
    "jobPostingInfo": {"jobReqId": ID, "externalUrl": URL}
    | dict.fromkeys(
        [
            "title",
            "jobDescription",
            "location",
            "additionalLocations",
            "startDate",
            "postedOn",
            "timeType",
            "remoteType",
        ]
    ),
    "hiringOrganization": {"name": None},
}
WD_TEXTS = [WD_PATH, "//other.example/x", "job/x", "Paris", "Full time", "JR123", "Posted Today"]


def workday_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    keys = [*WD_LISTED_SPEC, *spec_keys(WD_DETAIL_SPEC), "total", "jobPostings", "message"]
    listed = st.one_of(shaped(WD_LISTED_SPEC, WD_TEXTS, risks), json_values(keys, WD_TEXTS, risks))
    detail = st.one_of(shaped(WD_DETAIL_SPEC, WD_TEXTS, risks), json_values(keys, WD_TEXTS, risks))
    errors = shaped(dict.fromkeys(["message", "errorCode", "httpStatus"]), risks=risks)
    extra = {"total": json_scalars(risks), "facets": json_values(risks=risks)}
    return {
        "listed": listed,
        "detail": detail,
        "search_body": st.one_of(
            wrapped_bodies("jobPostings", st.lists(listed, max_size=3), extra, risks),
            json_bodies(errors, risks),
        ),
        "detail_body": json_bodies(detail, risks),
    }


def at_info(detail: Any) -> Any:
    return detail.get("jobPostingInfo") if isinstance(detail, dict) else None


@like_a_crawl
def run_workday(listed: Any, detail: Any, search_body: str, detail_body: str) -> None:
    path = workday.external_path(listed)
    assert path is None or (path.startswith("/") and not path.startswith("//"))
    offer = workday.offer_from_detail(detail, WD_EMPLOYER, path or WD_PATH, listed)
    check_offer(offer, workday.SOURCE)
    check_text(workday.location_text(at_info(detail), listed))
    found = outcome(workday.parse_search, search_body, allowed=(common.FeedError,))
    if found is not None:
        total, postings = found
        assert total is None or (isinstance(total, int) and total >= 0)
        assert isinstance(postings, list)
    data = outcome(workday.parse_detail, detail_body, allowed=(common.FeedError,))
    if data is not None:
        check_offer(workday.offer_from_detail(data, WD_EMPLOYER, WD_PATH), workday.SOURCE)
    said = workday.error_text(search_body)
    assert isinstance(said, str) and 0 < len(said) <= 300


WD_SAFE = workday_inputs(RISKS)


WD_HUGE_BODY = '{"jobPostings": [], "total": 1' + "0" * 400 + "}"
WD_BRACKET_DETAIL = {"jobPostingInfo": {"externalUrl": "http://["}}


WD_EXAMPLES = (
    dict(listed=None, detail=None, search_body=WD_HUGE_BODY, detail_body="{}"),
    dict(listed=None, detail=None, search_body=DEEP_BODY, detail_body="{}"),
    dict(listed=None, detail=WD_BRACKET_DETAIL, search_body="{}", detail_body="{}"),
)


test_workday_searches_and_details, test_fuzz_workday_searches_and_details = twins(
    run_workday, WD_SAFE, WD_EXAMPLES
)


# ================================================================ smartrecruiters

SR_EMPLOYER = employers.Employer(
    slug="basic_fit", name="Basic-Fit", platform=smartrecruiters.SOURCE, ids={"company": "BasicFit"}
)
SR_SPEC = {
    "id": ID,
    "name": None,
    "location": dict.fromkeys(["city", "region", "country", "remote", "hybrid", "postalCode"]),
    "typeOfEmployment": {"label": None},
    "company": {"name": None},
    "releasedDate": None,
    "experienceLevel": {"label": None},
}
SR_DETAIL_SPEC = {
    **SR_SPEC,
    "jobAd": {"sections": {key: {"title": None, "text": None} for key in smartrecruiters.SECTIONS}},
    "postingUrl": URL,
    "applyUrl": URL,
}
SR_TEXTS = ["Chef de projet chatbot", True, 75001, "fr", "Full-time", "744000012345678"]


def smartrecruiters_inputs(risks: frozenset[str]) -> dict[str, st.SearchStrategy[Any]]:
    keys = [*spec_keys(SR_DETAIL_SPEC), "content", "totalFound"]
    listed = st.one_of(shaped(SR_SPEC, SR_TEXTS, risks), json_values(keys, SR_TEXTS, risks))
    detail = st.one_of(shaped(SR_DETAIL_SPEC, SR_TEXTS, risks), json_values(keys, SR_TEXTS, risks))
    extra = {"totalFound": json_scalars(risks), "offset": json_scalars(risks)}
    return {
        "listed": listed,
        "detail": detail,
        "list_body": wrapped_bodies("content", st.lists(listed, max_size=3), extra, risks),
        "detail_body": json_bodies(detail, risks),
    }


@like_a_crawl
def run_smartrecruiters(listed: Any, detail: Any, list_body: str, detail_body: str) -> None:
    for offer in (
        smartrecruiters.offer_from_posting(listed, SR_EMPLOYER),
        smartrecruiters.offer_from_posting(listed, SR_EMPLOYER, detail),
    ):
        if offer is not None:
            check_offer(offer, smartrecruiters.SOURCE)
    if common.text(common.at(listed, "id")) is not None:
        assert smartrecruiters.offer_from_posting(listed, SR_EMPLOYER, detail) is not None
    assert isinstance(smartrecruiters.on_topic(listed, ["chatbot"]), bool)
    check_text(smartrecruiters.description_html(common.at(detail, "jobAd", "sections")))
    found = outcome(smartrecruiters.parse_list, list_body, allowed=(common.FeedError,))
    if found is not None:
        total, content = found
        assert total is None or (isinstance(total, int) and total >= 0)
        assert isinstance(content, list)
    data = outcome(smartrecruiters.parse_detail, detail_body, allowed=(common.FeedError,))
    if data is not None:
        offer = smartrecruiters.offer_from_posting({"id": "744000012345678"}, SR_EMPLOYER, data)
        check_offer(offer, smartrecruiters.SOURCE)


SR_SAFE = smartrecruiters_inputs(RISKS)


SR_HUGE_BODY = '{"content": [], "totalFound": 1' + "0" * 400 + "}"


SR_EXAMPLES = (
    dict(listed=None, detail=None, list_body=SR_HUGE_BODY, detail_body="{}"),
    dict(listed={"id": "\ud800"}, detail=None, list_body="{}", detail_body="{}"),
    dict(listed={"id": "1"}, detail={"postingUrl": "http://["}, list_body="{}", detail_body="{}"),
)


test_smartrecruiters_lists_and_details, test_fuzz_smartrecruiters_lists_and_details = twins(
    run_smartrecruiters, SR_SAFE, SR_EXAMPLES
)
