"""What every spider shares: reading loose JSON values and whole JSON answers, links and the
words of HTML, the search terms argument, and a base class that knows whether its source is
opt-in, which credentials it needs, and how to stop cleanly (and say why) when a site blocks it
or its layout changed.

Spiders import from here and from `pipeline.items` only.
"""

from __future__ import annotations

import html
import json
import math
import re
from collections.abc import Mapping
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urljoin, urlsplit

import scrapy
from parsel import Selector
from scrapy.exceptions import CloseSpider, IgnoreRequest
from scrapy.http import Response, TextResponse
from scrapy.spidermiddlewares.httperror import HttpError

from spiders.search_terms import search_terms

PAYLOAD_CHARS = 2000
# How deep a JSON value read from a source may nest (lists and objects): real feeds and JSON-LD
# go under 10 levels. json.loads reads some 900, further than the readers of a value may recurse
# in a crawl, so a deeper document is refused where it enters (json_body, parse_jsonld) and a
# deeper value given to a reader directly is left unread.
MAX_JSON_DEPTH = 64

# The states a spider may leave in its crawl run (crawl_runs.status), beside ok/partial/failed.
BLOCKED = "blocked"  # an anti-bot or captcha page, a 403 wall, LinkedIn's 999
LAYOUT_CHANGED = "layout-changed"  # pages came back but no longer hold what we read
NO_CREDENTIALS = "no-credentials"


# ---------------------------------------------------------------- loose JSON values


def at(data: Any, *keys: str | int) -> Any:
    """data[k1][k2]…, or None as soon as a step is missing or of the wrong kind."""
    for key in keys:
        if isinstance(key, int):
            if not isinstance(data, list) or not -len(data) <= key < len(data):
                return None
            data = data[key]
        elif isinstance(data, Mapping):
            data = data.get(key)
        else:
            return None
    return data


def storable(value: str) -> str:
    """The string as UTF-8 can hold it: a lone surrogate (JSON "\\ud800"), which can be neither
    stored nor put in a URL, becomes "?"."""
    if value.isascii():
        return value
    return value.encode("utf-8", "replace").decode("utf-8")


def finite(value: int | float) -> float | None:
    """A JSON number as a float; None for NaN, infinities and integers past a float's range."""
    try:
        value = float(value)
    except OverflowError:
        return None
    return value if math.isfinite(value) else None


def joined_url(base: str, href: str) -> str | None:
    """`href` read against the page `base`, or None when it is no URL at all ("http://[x")."""
    try:
        return urljoin(base, href.strip())
    except ValueError:
        return None


def text(value: Any) -> str | None:
    """A stripped string, or an integer id written as text; anything else is None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return storable(value).strip() or None
    # Ids and codes sometimes arrive as JSON numbers.
    if isinstance(value, int):
        return str(value)
    return None


def code(value: Any) -> str | None:
    """A postal or INSEE code; a number lost its leading zero on the way, so it gets it back."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value).zfill(5) if value >= 0 else None
    return text(value)


def number(value: Any) -> float | None:
    """A finite number, from a JSON number or a plain numeric string ("45000", "12,5")."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = float(value.strip().replace(",", "."))
        except ValueError:
            return None
    if not isinstance(value, int | float):
        return None
    return finite(value)


def coordinate(value: Any, limit: float) -> float | None:
    """A latitude (limit 90) or longitude (limit 180), or None when out of range."""
    found = number(value)
    if found is None or abs(found) > limit:
        return None
    return found


def json_depth(value: Any) -> int:
    """How many levels of lists and objects `value` nests: 0 for a scalar, 1 for [] or {"a": 1},
    2 for [[]]. Counted with a stack of its own, never by recursion, so any depth is measured."""
    deepest = 0
    pending = [(value, 1)] if isinstance(value, dict | list) else []
    while pending:
        node, level = pending.pop()
        deepest = max(deepest, level)
        children = node.values() if isinstance(node, dict) else node
        pending.extend((child, level + 1) for child in children if isinstance(child, dict | list))
    return deepest


def too_deep(value: Any, limit: int = MAX_JSON_DEPTH) -> str | None:
    """Why `value` is nested too deep to read ("JSON nested 200 levels deep, more than 64"),
    or None when it is within `limit`."""
    depth = json_depth(value)
    if depth <= limit:
        return None
    return f"JSON nested {depth} levels deep, more than {limit}"


def labels(items: Any, key: str) -> list[str]:
    """Distinct `key` texts of a list of objects, in order (a bare string counts as one)."""
    if not isinstance(items, list):
        return []
    found: list[str] = []
    for item in items:
        label = text(item) if isinstance(item, str) else text(at(item, key))
        if label and label not in found:
            found.append(label)
    return found


# ---------------------------------------------------------------- JSON answers


class FeedError(ValueError):
    """A body that cannot be read. `layout` when it is JSON that no longer holds what the spider
    reads: the source changed and the spider stops; otherwise it is one bad answer, rejected, and
    the crawl goes on."""

    def __init__(self, message: str, layout: bool = False):
        super().__init__(message)
        self.layout = layout


_JSON_NAMES = {list: "list", dict: "object"}


def json_body(body: str) -> Any:
    """The JSON value of a body; one that is no JSON at all (an error page, a cut-off answer)
    or nests deeper than MAX_JSON_DEPTH raises FeedError."""
    try:
        data = json.loads(body)
    except ValueError as error:
        raise FeedError(f"body is not valid JSON ({error})") from None
    except RecursionError:  # "[[[[…" nested deeper than the parser goes
        raise FeedError("body is JSON nested too deep to read") from None
    reason = too_deep(data)
    if reason is not None:
        raise FeedError(f"body is {reason}")
    return data


def json_of_kind(data: Any, kind: type, noun: str, layout: bool = True) -> Any:
    """`data` when it is a `kind` (dict or list), else FeedError "body is a JSON …, not <noun>"."""
    if not isinstance(data, kind):
        raise FeedError(f"body is a JSON {type(data).__name__}, not {noun}", layout)
    return data


def json_member(
    data: Mapping[str, Any], key: str, kind: type = list, where: str = "body", layout: bool = True
) -> Any:
    """`data[key]` when it is a `kind` (list or dict); without it the answer's layout changed,
    unless the spider takes it (`layout=False`) for one bad answer."""
    value = data.get(key)
    if not isinstance(value, kind):
        raise FeedError(f"{where} has no {key!r} {_JSON_NAMES[kind]}", layout)
    return value


def json_payload(value: Any) -> str:
    """A JSON value as a reject's payload."""
    return json.dumps(value, ensure_ascii=False)[:PAYLOAD_CHARS]


# ---------------------------------------------------------------- links and HTML text

_TAG = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def query_value(url: str, key: str) -> str:
    """One parameter of a URL's query ("" when absent)."""
    return dict(parse_qsl(urlsplit(url).query, keep_blank_values=True)).get(key, "")


def query_int(url: str, key: str) -> int:
    """A numeric parameter of a URL's query (an offset, a page), 0 when absent or not a number."""
    try:
        return int(query_value(url, key) or 0)
    except ValueError:
        return 0


def http_url(value: Any) -> str | None:
    """A web address, or None (a number or a relative path is no link)."""
    found = storable(value).strip() if isinstance(value, str) else ""
    try:
        parts = urlsplit(found)
    except ValueError:  # "http://[oops": no URL at all
        return None
    return found if parts.scheme in ("http", "https") and parts.netloc else None


def attribute(node: Selector, name: str) -> str | None:
    """The value of one attribute of an HTML element, None without it.

    Read by XPath, never with parsel's `.attrib`: that builds a dict of all the element's
    attributes and raises ValueError ("All strings must be XML compatible") when lxml made one
    whose name holds a control character (`<a href="/x" \x07>`), which XPath simply passes over.
    """
    return node.xpath(f"@{name}").get()


def plain_text(fragment: Any) -> str | None:
    """The words of an HTML fragment, for matching search terms (never stored)."""
    if not isinstance(fragment, str):
        return None
    return _SPACES.sub(" ", html.unescape(_TAG.sub(" ", fragment))).strip() or None


# ---------------------------------------------------------------- responses and failures


def response_text(response: Response) -> str:
    if isinstance(response, TextResponse):
        return response.text
    return response.body.decode("utf-8", "replace")


def failure_reason(failure: Any) -> str:
    """A short reason for an errback's failure: the HTTP status when there was a response."""
    response = getattr(failure.value, "response", None)
    if isinstance(response, Response):
        return f"HTTP {response.status}"
    return repr(failure.value)


def not_sent(failure: Any) -> bool:
    """Whether an errback's request was dropped on purpose rather than failed: robots.txt, or no
    recording in a replay (which says so itself)."""
    return bool(failure.check(IgnoreRequest) and not failure.check(HttpError))


# ---------------------------------------------------------------- search terms


def split_terms(value: str) -> list[str]:
    """Search terms given on the command line, comma- or newline-separated, in order, once each."""
    terms: list[str] = []
    for part in re.split(r"[,\n]", value):
        term = part.strip()
        if term and term not in terms:
            terms.append(term)
    return terms


# ---------------------------------------------------------------- the base spider


class SourceSpider(scrapy.Spider):
    """A spider for one source (its `name` is the source's slug).

    Class attributes say what `botjobs sources` shows and what `botjobs crawl` runs by default:
    - `opt_in`: off until the user enables it (terms that forbid scraping, fragile sites);
    - `credentials`: environment variables the source needs (read only from the environment);
    - `searches`: it uses search terms, to ask the site or to keep only the offers naming one,
      so it takes `-a terms=a,b,c` (the crawl passes the active profile's titles and the role
      vocabulary); otherwise `search_terms.txt`;
    - `employer_site`: an employer's own career site, whose page is the best apply link.
    """

    opt_in: ClassVar[bool] = False
    credentials: ClassVar[tuple[str, ...]] = ()
    searches: ClassVar[bool] = True
    # An employer's own career site: its page is the apply link a job seeker wants.
    employer_site: ClassVar[bool] = False
    # One line for `botjobs sources`.
    about: ClassVar[str] = ""

    def __init__(self, terms: str | list[str] | None = None, **kwargs: Any):
        super().__init__(**kwargs)
        if isinstance(terms, list):
            terms = ",".join(terms)
        self.terms: list[str] = search_terms() if terms is None else split_terms(terms)

    @property
    def replaying(self) -> bool:
        return bool(self.settings.get("BOTJOBS_REPLAY_DIR"))

    def failed(self, failure: Any, what: str = "request", counter: str = "failed_requests") -> None:
        """The errback of an ordinary request: one dropped on purpose (robots.txt, a replay
        without recording) is not fetched, a warning; any other failure is an error, counted in
        the stat `<slug>/<counter>`."""
        url = failure.request.url
        if not_sent(failure):
            self.logger.warning("%s not fetched: %s", url, failure.getErrorMessage())
            return
        self.logger.error("%s: %s %s failed: %s", self.name, what, url, failure_reason(failure))
        self.crawler.stats.inc_value(f"{self.name}/{counter}")

    def stop(self, status: str, message: str) -> None:
        """Stop this source now, leaving `status` and `message` in its crawl run; the other
        sources go on. Never retries in a loop: a blocked site is asked again next run."""
        self.logger.error("%s stopped (%s): %s", self.name, status, message)
        self.crawler.stats.set_value("botjobs/status", status)
        self.crawler.stats.set_value("botjobs/message", message)
        raise CloseSpider(status)
