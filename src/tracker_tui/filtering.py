"""The filter grammar of the resource table.

Pure Python: no Textual, no boto3, so the headless ``scan`` command and tests can use it.

A filter is whitespace-separated terms, all of which must match (AND):

* ``web`` -- case-insensitive substring over every displayed column (kind, name, id,
  region, state, account, tag keys and values as ``key=value``, ARN, formatted cost);
* ``kind:ec2`` / ``region:eu-`` / ``state:run`` / ``account:1234`` -- case-insensitive
  substring of that one field (``kind:ec2:volume`` is, in effect, an exact kind);
* ``tag:env=prod`` -- has tag ``env`` (key compared case-insensitively) whose value equals
  ``prod`` (case-insensitively); ``tag:env=`` -- the value is empty; ``tag:env`` -- has the key;
* ``cost>N``, ``cost<N``, ``cost>=N``, ``cost<=N`` -- monthly USD; a resource whose cost is
  unknown (``None``) never satisfies a comparison (so ``!cost>10`` does include it);
* ``finding:gp2-to-gp3`` -- has a finding whose id starts with the value (``finding:idle`` is
  every ``idle-*`` finding; ``finding:previous-generation`` is not ``rds-previous-generation``);
  ``finding:`` -- has any finding (``tracker_tui.findings``);
* ``schedule:office`` -- an off-hours schedule whose text contains the value (tracker-tui's tag
  ``tracker-tui:schedule``, or AWS Instance Scheduler's ``Schedule``); ``schedule:`` -- any
  schedule; ``!schedule:`` -- none;
* ``!term`` negates any term;
* double quotes group text with spaces: ``"my bucket"``, ``tag:Name="web 1"``.

Words with a colon that are not one of the qualifiers above (ARNs, ``i-0abc:foo``) are plain
substring terms.

Speed: ``search_text`` builds the lowercased blob a bare term searches; callers that filter
many rows build it once per resource at ingest time and use ``Filter.select``, which narrows
a list of row indices one term at a time with a C-speed comprehension per term.  ``tag:``
terms are decided by the blob alone (an exact ``<tag sep>key=value<tag sep>`` substring)
except on the rare rows whose tags the blob cannot represent unambiguously, which the blob
flags for a real look at the tags.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import chain, compress
from operator import attrgetter, itemgetter

from tracker_tui.model import Resource
from tracker_tui.offhours import scheduled_by

__all__ = [
    "Filter",
    "FilterError",
    "Term",
    "parse_filter",
    "search_text",
    "search_texts",
]

#: Separates fields in a search blob; a user cannot type it, so a needle never spans fields.
_SEP = "\x1f"
#: Starts each ``key=value`` tag entry in a blob (and ends the last one); only tags use it.
_TAG_SEP = "\x1e"
#: Ends the blob of a row whose tags the blob cannot decide a ``tag:`` term for: a key with
#: ``=`` in it (``a=b`` + ``c`` reads like ``a`` + ``b=c``), non-ASCII text (lowercasing may
#: not be per character) or separator characters in the data.
_AMBIGUOUS = "\x1c"

_FIELD_QUALIFIERS = ("kind", "region", "state", "account")
_COST_OPERATORS = (">=", "<=", ">", "<")  # longest first


class FilterError(ValueError):
    """A filter text that does not parse; ``str(error)`` is a short message for the user."""


def search_text(resource: Resource) -> str:
    """The lowercased text a bare filter term searches, for one resource.

    Fields are joined with an unprintable separator so a needle never matches across two
    columns.  Tags come last as ``<tag sep>key=value`` entries (closed by one more tag
    separator), so ``env=prod`` finds the tag and the ``tag:`` qualifier can test the blob
    for ``<tag sep>env=prod<tag sep>`` instead of the tags themselves.
    """
    return search_texts((resource,))[0]


_TAGS = attrgetter("tags")
#: ``_SEP`` count of a blob: one before each of the 8 fields and one after the last.
_FIELD_SEPS = 9


def _blob_text(resource: Resource) -> str:
    cost = resource.monthly_cost
    head = _SEP.join(
        (
            "",
            resource.kind,
            resource.name,
            resource.id,
            resource.region,
            resource.state,
            resource.account_id,
            resource.arn or "",
            "" if cost is None else f"${cost:,.2f}",  # format_cost, inlined; unknown is not searchable text
            _TAG_SEP,
        )
    )
    tags = resource.tags
    if tags:
        return head + _TAG_SEP.join([f"{key}={value}" for key, value in tags.items()]) + _TAG_SEP
    return head


def search_texts(resources: Sequence[Resource]) -> list[str]:
    """``search_text`` of each resource, for a batch (one check per batch, not per row)."""
    texts = list(map(_blob_text, resources))
    all_tags = list(map(_TAGS, resources))
    # One check for the whole batch that the blob alone decides every tag: term (see
    # ``_AMBIGUOUS``); only when it fails is each row checked.
    joined = "".join(texts)
    if (
        joined.isascii()
        and joined.count(_SEP) == _FIELD_SEPS * len(texts)
        and joined.count(_TAG_SEP) == len(texts) + sum(map(len, all_tags))
        and _AMBIGUOUS not in joined
        and "=" not in "".join(chain.from_iterable(all_tags))
    ):
        return list(map(str.lower, texts))
    return [
        text.lower() + _AMBIGUOUS if _ambiguous(text, tags) else text.lower()
        for text, tags in zip(texts, all_tags, strict=True)
    ]


def _ambiguous(text: str, tags: Mapping[str, str]) -> bool:
    """True when a ``tag:`` term cannot be decided from this blob text alone."""
    if tags and ("=" in "".join(tags) or not text.isascii()):
        return True  # 'a=b' + 'c' reads like 'a' + 'b=c'; lowercasing may not be per char
    return (
        text.count(_SEP) != _FIELD_SEPS
        or text.count(_TAG_SEP) != len(tags) + 1
        or _AMBIGUOUS in text
    )  # separator characters in the data itself


# --- terms ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Term:
    """One parsed term.

    ``field`` is ``"text"``, one of the field qualifiers (``"kind"``, ``"region"``,
    ``"state"``, ``"account"``), ``"tag"`` or ``"cost"``.  ``value`` is lowercased for text
    and field terms; for tags it is the key and ``tag_value`` the value (``None`` for "has
    the key"); for cost ``op`` and ``number`` hold the comparison.
    """

    field: str
    value: str = ""
    negated: bool = False
    tag_value: str | None = None
    op: str = ""
    number: float = 0.0

    # -- one resource -------------------------------------------------------------------

    def test(self, resource: Resource, blob: str) -> bool:
        """Whether the term (ignoring negation) holds for a resource with this blob."""
        field = self.field
        if field == "text":
            return self.value in blob
        if field in _FIELD_QUALIFIERS:
            return self.value in _field_value(resource, field).lower()
        if field == "tag":
            if self.value_precheck() not in blob:
                return False
            return _AMBIGUOUS not in blob or self._tag_test(resource)
        if field == "finding":
            return _has_finding(resource, self.value)
        if field == "schedule":
            return _has_schedule(resource, self.value)
        return _compare(resource.monthly_cost, self.op, self.number)

    def matches(self, resource: Resource, blob: str) -> bool:
        """Whether the term, negation included, holds."""
        return self.test(resource, blob) is not self.negated

    def value_precheck(self) -> str:
        """A substring every blob of a matching resource contains (tag terms only).

        On a blob without the ambiguity flag, containing it is also enough to match.
        """
        if self.tag_value is None:
            return f"{_TAG_SEP}{self.value}="
        return f"{_TAG_SEP}{self.value}={self.tag_value}{_TAG_SEP}"

    def _tag_test(self, resource: Resource) -> bool:
        key = self.value
        for tag_key, tag_value in resource.tags.items():
            if tag_key.lower() == key and (
                self.tag_value is None or tag_value.lower() == self.tag_value
            ):
                return True
        return False

    # -- many resources -----------------------------------------------------------------

    def narrow(
        self, indices: list[int], resources: Sequence[Resource], blobs: Sequence[str]
    ) -> list[int]:
        """The members of ``indices`` (row numbers into ``resources``/``blobs``) that match."""
        if len(indices) * 3 >= len(resources):
            # Most rows: test them all in storage order (memory-friendly: a sorted view is a
            # permutation, and chasing it through 100k blobs costs 2-3x), then pick.
            hits = self.mask(resources, blobs)
            return list(compress(indices, map(hits.__getitem__, indices)))
        hits = self.mask([resources[i] for i in indices], [blobs[i] for i in indices])
        return list(compress(indices, hits))

    def mask(self, resources: Sequence[Resource], blobs: Sequence[str]) -> list[bool]:
        """Whether each row (negation included) matches, for parallel rows and blobs."""
        neg = self.negated
        field = self.field
        if field == "text":
            needle = self.value
            if neg:
                return [needle not in b for b in blobs]
            return [needle in b for b in blobs]
        if field in _FIELD_QUALIFIERS:
            # Few distinct values (kinds, regions, states, accounts): decide once per value.
            attr = "account_id" if field == "account" else field
            values = list(map(attrgetter(attr), resources))
            needle = self.value
            good = {v for v in set(values) if (needle in v.lower()) is not neg}
            return list(map(good.__contains__, values))
        if field == "tag":
            pre = self.value_precheck()
            hits = [pre in b for b in blobs]
            # The blob decides every row but the (rare) flagged ones: look at their tags.
            if any(map(_AMBIGUOUS.__eq__, map(itemgetter(-1), blobs))):
                tag_test = self._tag_test
                for i, blob in enumerate(blobs):
                    if hits[i] and blob[-1] == _AMBIGUOUS:
                        hits[i] = tag_test(resources[i])
            return [not h for h in hits] if neg else hits
        if field == "finding":
            needle = self.value
            return [_has_finding(r, needle) is not neg for r in resources]
        if field == "schedule":
            needle = self.value
            return [_has_schedule(r, needle) is not neg for r in resources]
        op, number = self.op, self.number
        costs = list(map(attrgetter("monthly_cost"), resources))
        if op == ">":
            hits = [c is not None and c > number for c in costs]
        elif op == "<":
            hits = [c is not None and c < number for c in costs]
        elif op == ">=":
            hits = [c is not None and c >= number for c in costs]
        else:
            hits = [c is not None and c <= number for c in costs]
        return [not h for h in hits] if neg else hits

    def implies(self, other: Term) -> bool:
        """True when every row this term matches also matches ``other``.

        Only implications that hold for every possible row: ``kind:ec2:vol`` implies
        ``kind:ec2``, ``cost>10`` implies ``cost>1``, ``tag:env=prod`` implies ``tag:env``;
        ``tag:env=prod`` does *not* imply ``tag:env=pro`` (tag values compare equal, not
        as substrings).  Between two negated terms it is the converse: ``!web`` implies
        ``!web-1``.
        """
        if self == other:
            return True
        if self.field != other.field:
            return False
        if self.negated != other.negated:
            return False
        if self.negated:
            return _positive(other).implies(_positive(self))
        field = self.field
        if field == "text" or field in _FIELD_QUALIFIERS:
            return other.value in self.value
        if field == "tag":
            # Having the tag key=value means having the key.
            return self.value == other.value and other.tag_value is None
        if field in ("finding", "schedule"):
            return self.value.startswith(other.value) if field == "finding" else other.value in self.value
        # cost: the same direction, a bound at least as strict.
        a, b = self.number, other.number
        if self.op[0] != other.op[0]:
            return False
        if self.op[0] == ">":
            return a > b or (a == b and (self.op == ">" or other.op == ">="))
        return a < b or (a == b and (self.op == "<" or other.op == "<="))


def _positive(term: Term) -> Term:
    return Term(term.field, term.value, False, term.tag_value, term.op, term.number)


def _has_finding(resource: Resource, needle: str) -> bool:
    return any(finding.id.startswith(needle) for finding in resource.findings)


def _has_schedule(resource: Resource, needle: str) -> bool:
    what = scheduled_by(resource.tags) if resource.tags else ""
    return bool(what) and needle in what.lower()


def _field_value(resource: Resource, field: str) -> str:
    if field == "account":
        return resource.account_id
    return getattr(resource, field)


def _compare(cost: float | None, op: str, number: float) -> bool:
    if cost is None:
        return False
    if op == ">":
        return cost > number
    if op == "<":
        return cost < number
    if op == ">=":
        return cost >= number
    return cost <= number


# --- the filter -------------------------------------------------------------------------


class Filter:
    """A parsed filter: the AND of its terms.  Build one with ``parse_filter``."""

    __slots__ = ("text", "terms")

    def __init__(self, text: str = "", terms: Sequence[Term] = ()) -> None:
        self.text = text
        self.terms: tuple[Term, ...] = tuple(terms)

    @property
    def is_empty(self) -> bool:
        """True when the filter matches everything."""
        return not self.terms

    def matches(self, resource: Resource, blob: str | None = None) -> bool:
        """Whether a resource passes every term.

        Args:
            resource: The resource to test.
            blob: Its ``search_text``, if the caller has it cached; computed otherwise.
        """
        if not self.terms:
            return True
        if blob is None:
            blob = search_text(resource)
        return all(term.matches(resource, blob) for term in self.terms)

    def select(
        self,
        resources: Sequence[Resource],
        blobs: Sequence[str],
        indices: Iterable[int] | None = None,
    ) -> list[int]:
        """Indices of the rows that pass, in the order given.

        Args:
            resources: All rows.
            blobs: ``search_text`` of each row, parallel to ``resources``.
            indices: The rows to consider (default: all of them).
        """
        result = list(range(len(resources))) if indices is None else list(indices)
        # Cheapest, most selective terms first: the later ones then see fewer rows.
        for term in sorted(self.terms, key=_term_cost):
            if not result:
                break
            result = term.narrow(result, resources, blobs)
        return result

    def refines(self, other: Filter) -> bool:
        """True when this filter can only match a subset of what ``other`` matches.

        Typing one more character usually yields a refinement, so the caller may narrow the
        rows ``other`` selected instead of testing every row again.
        """
        return all(any(mine.implies(theirs) for mine in self.terms) for theirs in other.terms)

    def __str__(self) -> str:
        return self.text

    def __repr__(self) -> str:
        return f"Filter({self.text!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Filter) and other.terms == self.terms

    def __hash__(self) -> int:
        return hash(self.terms)


def _term_cost(term: Term) -> int:
    # Positive text terms are both fast and usually selective; tag/cost terms touch Python
    # objects per row.  ``sorted`` is stable, so equal-cost terms keep the user's order.
    if term.field == "text":
        return 0 if not term.negated else 1
    if term.field in _FIELD_QUALIFIERS:
        return 1
    return 2


# --- parsing ----------------------------------------------------------------------------


def _tokenize(text: str) -> list[tuple[str, int | None]]:
    """Split on whitespace outside quotes.

    Returns ``(token, quote_at)`` pairs: the token with its quotes removed, and the index in
    the token where the first quoted part began (``None`` when nothing was quoted).  The
    parser only treats ``!`` and qualifiers as syntax when they come before ``quote_at``.
    """
    tokens: list[tuple[str, int | None]] = []
    chars: list[str] = []
    quote_at: int | None = None
    in_token = False
    in_quote = False
    for ch in text:
        if in_quote:
            if ch == '"':
                in_quote = False
            else:
                chars.append(ch)
        elif ch == '"':
            in_quote = True
            in_token = True
            if quote_at is None:
                quote_at = len(chars)
        elif ch.isspace():
            if in_token:
                tokens.append(("".join(chars), quote_at))
            chars, quote_at, in_token = [], None, False
        else:
            chars.append(ch)
            in_token = True
    if in_quote:
        raise FilterError('unbalanced quote: add the closing "')
    if in_token:
        tokens.append(("".join(chars), quote_at))
    return tokens


def _parse_term(token: str, quote_at: int | None) -> Term | None:
    limit = len(token) if quote_at is None else quote_at  # syntax only before a quote
    negated = False
    if limit > 0 and token.startswith("!"):
        negated = True
        token = token[1:]
        limit -= 1
        if not token and quote_at is None:
            raise FilterError("'!' needs a term after it, e.g. !state:running")
    raw = token

    head, colon, rest = token.partition(":")
    qualifier = head.lower()
    if colon and len(head) < limit and qualifier in _FIELD_QUALIFIERS:
        if not rest:
            raise FilterError(f"{qualifier}: needs a value, e.g. {_EXAMPLES[qualifier]}")
        return Term(qualifier, rest.lower(), negated)
    if colon and len(head) < limit and qualifier in ("finding", "schedule"):
        return Term(qualifier, rest.lower(), negated)
    if colon and len(head) < limit and qualifier == "tag":
        key, eq, value = rest.partition("=")
        key_limit = limit - len("tag:")
        if eq and len(key) >= key_limit:  # the '=' was inside quotes: part of the key
            key, eq, value = rest, "", ""
        if not key:
            raise FilterError("tag: needs a key, e.g. tag:env=prod or tag:owner")
        return Term("tag", key.lower(), negated, tag_value=value.lower() if eq else None)

    lowered = token.lower()
    if lowered.startswith("cost") and limit > 4:
        for op in _COST_OPERATORS:
            if lowered.startswith(op, 4):
                number_text = token[4 + len(op):]
                try:
                    number = float(number_text.replace(",", "").lstrip("$"))
                except ValueError:
                    raise FilterError(
                        f"cost needs a number: {'!' if negated else ''}{token}"
                    ) from None
                if number != number:  # NaN compares false with everything
                    raise FilterError(f"cost needs a number: {token}")
                return Term("cost", negated=negated, op=op, number=number)

    if not raw:
        return None  # "" or !"": matches everything, nothing to test
    return Term("text", raw.lower(), negated)


_EXAMPLES = {
    "kind": "kind:ec2:volume",
    "region": "region:us-east-1",
    "state": "state:running",
    "account": "account:123456789012",
}


def parse_filter(text: str) -> Filter:
    """Parse filter text into a ``Filter``.

    Raises:
        FilterError: with a short message fit for an inline error line.
    """
    terms = []
    for token, quote_at in _tokenize(text):
        term = _parse_term(token, quote_at)
        if term is not None:
            terms.append(term)
    return Filter(text, terms)
