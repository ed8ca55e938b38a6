"""The filter grammar: what each term matches, and the message each bad filter gives."""

from __future__ import annotations

import random

import pytest

from tracker_tui.filtering import Filter, FilterError, parse_filter, search_text
from tracker_tui.model import Finding, Resource, format_cost, format_cost_sum

WEB = Resource(
    kind="ec2:instance",
    id="i-0abc123",
    region="us-east-1",
    account_id="111111111111",
    arn="arn:aws:ec2:us-east-1:111111111111:instance/i-0abc123",
    name="web 1",
    state="running",
    tags={"Name": "web 1", "env": "prod", "Team": "Web"},
    monthly_cost=1234.56,
)
VOLUME = Resource(
    kind="ec2:volume",
    id="vol-0def",
    region="eu-west-1",
    account_id="222222222222",
    name="my bucket data",
    state="available",
    tags={"env": "", "owner": "ana"},
    monthly_cost=8.0,
)
BUCKET = Resource(
    kind="s3:bucket",
    id="my-bucket",
    region="eu-central-1",
    account_id="111111111111",
    arn="arn:aws:s3:::my-bucket",
    name="my-bucket",
    state="",
    monthly_cost=None,
)
ROLE = Resource(kind="iam:role", id="AROAXYZ", region="global", account_id="111111111111", name="Admin")
ALL = [WEB, VOLUME, BUCKET, ROLE]


def names(text: str) -> list[str]:
    """Names of the sample resources the filter keeps, checking both match paths agree."""
    flt = parse_filter(text)
    one_by_one = [r.name for r in ALL if flt.matches(r)]
    blobs = [search_text(r) for r in ALL]
    bulk = [ALL[i].name for i in flt.select(ALL, blobs)]
    assert bulk == one_by_one, text
    return one_by_one


# --- bare text ----------------------------------------------------------------------------


def test_empty_filter_matches_everything() -> None:
    flt = parse_filter("   ")
    assert flt.is_empty
    assert names("") == ["web 1", "my bucket data", "my-bucket", "Admin"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("WEB", ["web 1"]),  # name, case-insensitive
        ("i-0abc", ["web 1"]),  # id
        ("eu-", ["my bucket data", "my-bucket"]),  # region
        ("avail", ["my bucket data"]),  # state
        ("2222", ["my bucket data"]),  # account id
        ("arn:aws:s3", ["my-bucket"]),  # arn; colons do not make it a qualifier
        ("owner=ana", ["my bucket data"]),  # tag as key=value
        ("ana", ["my bucket data"]),  # tag value
        ("$1,234.56", ["web 1"]),  # formatted cost, as displayed
        ("iam:role", ["Admin"]),  # kind
        ("nothing-like-this", []),
    ],
)
def test_bare_text_searches_every_displayed_column(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_bare_text_does_not_match_across_two_columns() -> None:
    # "running" is the state and "us-east-1" the region of WEB, but not one string.
    assert names('"us-east-1 running"') == []


def test_unknown_word_with_colon_is_plain_text_not_an_error() -> None:
    assert names("foo:bar") == []
    assert parse_filter("foo:bar").terms[0].field == "text"


# --- qualifiers ---------------------------------------------------------------------------


def test_kind_is_substring_so_service_prefix_matches_all_its_kinds() -> None:
    assert names("kind:ec2") == ["web 1", "my bucket data"]
    assert names("kind:ec2:volume") == ["my bucket data"]
    assert names("KIND:S3") == ["my-bucket"]


def test_region_state_account_qualifiers_only_look_at_their_field() -> None:
    assert names("region:eu") == ["my bucket data", "my-bucket"]
    assert names("state:RUN") == ["web 1"]
    assert names("account:1111") == ["web 1", "my-bucket", "Admin"]
    # "web" is in WEB's name and tags but not its region.
    assert names("region:web") == []


def test_tag_key_value_is_exact_value_and_case_insensitive() -> None:
    assert names("tag:env=prod") == ["web 1"]
    assert names("tag:ENV=PROD") == ["web 1"]
    assert names("tag:env=pro") == []  # equality, not substring
    assert names("tag:team=web") == ["web 1"]


def test_tag_with_empty_value_and_has_key() -> None:
    assert names("tag:env=") == ["my bucket data"]
    assert names("tag:env") == ["web 1", "my bucket data"]
    assert names("tag:owner") == ["my bucket data"]
    assert names("tag:missing") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("cost>8", ["web 1"]),
        ("cost>=8", ["web 1", "my bucket data"]),
        ("cost<8", []),
        ("cost<=8", ["my bucket data"]),
        ("cost<1000000", ["web 1", "my bucket data"]),
        ("cost>1,000", ["web 1"]),
        ("cost>$1000", ["web 1"]),
    ],
)
def test_cost_comparisons(text: str, expected: list[str]) -> None:
    assert names(text) == expected


def test_unknown_cost_never_matches_a_cost_comparison() -> None:
    for text in ("cost>-1", "cost<1e9", "cost>=0", "cost<=0"):
        assert "my-bucket" not in names(text), text
        assert "Admin" not in names(text), text
    # ... so its negation does include them: "not known to cost more than 10".
    assert names("!cost>10") == ["my bucket data", "my-bucket", "Admin"]


# --- negation, combination, quotes --------------------------------------------------------


def test_negation_of_every_kind_of_term() -> None:
    assert names("!web") == ["my bucket data", "my-bucket", "Admin"]
    assert names("!state:running") == ["my bucket data", "my-bucket", "Admin"]
    assert names("!kind:ec2") == ["my-bucket", "Admin"]
    assert names("!tag:env") == ["my-bucket", "Admin"]
    assert names("!tag:env=prod") == ["my bucket data", "my-bucket", "Admin"]
    assert names("!cost<100") == ["web 1", "my-bucket", "Admin"]


def test_terms_are_anded() -> None:
    assert names("kind:ec2 region:eu") == ["my bucket data"]
    assert names("account:1111 !kind:iam my") == ["my-bucket"]
    assert names("kind:ec2 !tag:env=prod cost<10") == ["my bucket data"]
    assert names("kind:ec2 kind:s3") == []


def test_double_quotes_group_words() -> None:
    assert names('"my bucket"') == ["my bucket data"]
    assert names("my bucket") == ["my bucket data", "my-bucket"]  # two terms: each matches
    assert names('tag:Name="web 1"') == ["web 1"]
    assert names('!"my bucket"') == ["web 1", "my-bucket", "Admin"]


def test_quoted_qualifier_is_literal_text() -> None:
    flt = parse_filter('"kind:ec2"')
    assert flt.terms[0].field == "text"
    assert names('"kind:ec2"') == []  # no column contains the text "kind:ec2"
    assert parse_filter('"!web"').terms[0].negated is False


# --- errors -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("cost>", "cost needs a number: cost>"),
        ("cost>abc", "cost needs a number: cost>abc"),
        ("kind:ec2 cost<=x", "cost needs a number: cost<=x"),
        ("tag:", "tag: needs a key"),
        ("tag:=prod", "tag: needs a key"),
        ("!", "'!' needs a term after it"),
        ("web !", "'!' needs a term after it"),
        ('"my bucket', "unbalanced quote"),
        ('tag:Name="web', "unbalanced quote"),
        ("kind:", "kind: needs a value"),
        ("region:", "region: needs a value"),
        ("state:", "state: needs a value"),
        ("account:", "account: needs a value"),
    ],
)
def test_bad_filters_raise_a_short_message(text: str, message: str) -> None:
    with pytest.raises(FilterError) as caught:
        parse_filter(text)
    assert str(caught.value).startswith(message)
    assert "\n" not in str(caught.value)
    assert isinstance(caught.value, ValueError)


def test_words_that_merely_start_with_cost_are_text() -> None:
    assert parse_filter("cost").terms[0].field == "text"
    assert parse_filter("costly").terms[0].field == "text"


# --- the Filter object --------------------------------------------------------------------


def test_filter_keeps_its_text() -> None:
    flt = parse_filter('kind:ec2  "my bucket"')
    assert flt.text == 'kind:ec2  "my bucket"'
    assert str(flt) == 'kind:ec2  "my bucket"'
    assert Filter().matches(WEB)


def test_select_keeps_the_given_order_and_subset() -> None:
    blobs = [search_text(r) for r in ALL]
    flt = parse_filter("kind:ec2")
    assert flt.select(ALL, blobs, [1, 3, 0]) == [1, 0]
    # A big enough subset takes the whole-table mask path; the answer must not change.
    many = ALL * 50
    many_blobs = blobs * 50
    order = list(reversed(range(len(many))))
    picked = flt.select(many, many_blobs, order)
    assert picked == [i for i in order if many[i].kind.startswith("ec2")]


def test_refines_recognises_typing_one_more_character() -> None:
    assert parse_filter("web-1").refines(parse_filter("web-"))
    assert parse_filter("kind:ec2 prod").refines(parse_filter("kind:ec2"))
    assert parse_filter("kind:ec2:vol").refines(parse_filter("kind:ec2"))
    assert not parse_filter("web").refines(parse_filter("web-"))
    assert not parse_filter("!web-1").refines(parse_filter("!web-"))  # negation widens
    assert not parse_filter("state:run").refines(parse_filter("run"))


def test_one_cost_formatter_and_one_spelling_of_unknown() -> None:
    assert format_cost(1234.5) == "$1,234.50"
    assert format_cost(0) == "$0.00"
    assert format_cost(None) == "unknown"
    assert format_cost_sum([1.0, None, 2.5, None]) == "$3.50 + 2 unknown"
    assert format_cost_sum([1.0, 2.5]) == "$3.50"
    assert format_cost_sum([]) == "$0.00"


# --- narrowing (Term.implies) and the blob fast paths -----------------------------------------


def test_refines_for_tag_and_cost_terms_only_when_logically_true() -> None:
    assert parse_filter("tag:env=prod").refines(parse_filter("tag:env"))
    assert not parse_filter("tag:env=prod").refines(parse_filter("tag:env=pro"))  # equality
    assert not parse_filter("tag:env").refines(parse_filter("tag:en"))  # a different key
    assert parse_filter("cost>10").refines(parse_filter("cost>1"))
    assert parse_filter("cost>10").refines(parse_filter("cost>=10"))
    assert not parse_filter("cost>=10").refines(parse_filter("cost>10"))
    assert parse_filter("cost>=11").refines(parse_filter("cost>10"))
    assert not parse_filter("cost>1").refines(parse_filter("cost>10"))
    assert parse_filter("cost<5").refines(parse_filter("cost<=10"))
    assert not parse_filter("cost<5").refines(parse_filter("cost>1"))
    # Negated terms: the converse.
    assert parse_filter("!web").refines(parse_filter("!web-1"))
    assert parse_filter("!cost>1").refines(parse_filter("!cost>10"))
    assert not parse_filter("!cost>10").refines(parse_filter("!cost>1"))
    assert parse_filter("!tag:env").refines(parse_filter("!tag:env=prod"))
    assert not parse_filter("!tag:env=prod").refines(parse_filter("!tag:env"))


def _reference(text: str, resource: Resource) -> bool:
    """The filter grammar evaluated without blobs or shortcuts."""
    flt = parse_filter(text)
    shown = [
        resource.kind, resource.name, resource.id, resource.region, resource.state,
        resource.account_id, resource.arn or "",
        "" if resource.monthly_cost is None else format_cost(resource.monthly_cost),  # unknown is not text to match
        *(f"{k}={v}" for k, v in resource.tags.items()),
    ]  # fmt: skip
    for term in flt.terms:
        if term.field == "text":
            hit = any(term.value in part.lower() for part in shown)
        elif term.field == "tag":
            hit = any(
                k.lower() == term.value and (term.tag_value is None or v.lower() == term.tag_value)
                for k, v in resource.tags.items()
            )
        elif term.field == "cost":
            cost = resource.monthly_cost
            hit = cost is not None and {
                ">": cost > term.number, "<": cost < term.number,
                ">=": cost >= term.number, "<=": cost <= term.number,
            }[term.op]  # fmt: skip
        else:
            value = resource.account_id if term.field == "account" else getattr(resource, term.field)
            hit = term.value in value.lower()
        if hit is term.negated:
            return False
    return True


def _random_estate(rng: random.Random, count: int) -> list[Resource]:
    keys = ["env", "Env", "team", "owner", "a=b", "a", "cost-center", "Name", "ÉQUIPE"]
    values = ["prod", "PROD", "pro", "", "b=c", "c", "web", "ops", "équipe", "x\x1ey"]
    out = []
    for i in range(count):
        tags = {rng.choice(keys): rng.choice(values) for _ in range(rng.randrange(0, 4))}
        out.append(
            Resource(
                kind=rng.choice(["ec2:instance", "ec2:volume", "s3:bucket", "logs:log-group"]),
                id=f"r-{i}",
                region=rng.choice(["us-east-1", "eu-west-1", "eu-central-1", "global"]),
                account_id=rng.choice(["111111111111", "222222222222"]),
                arn=rng.choice([None, f"arn:aws:x:::r-{i}"]),
                name=rng.choice(["web-1", "env=prod", "prod-db", "", "Équipe", "a=b=c", f"n{i}"]),
                state=rng.choice(["running", "stopped", "", "available"]),
                tags=tags,
                monthly_cost=rng.choice([None, 0.0, 1.0, 9.99, 10.0, 10.5, 100.0, 1234.5]),
            )
        )
    return out


_QUERIES = [
    "tag:env=prod cost>10", "tag:a=b=c", "tag:a", "tag:a=b", "!tag:env", "tag:équipe",
    "kind:ec2 !state:running", "region:eu- prod", "cost>=10 !tag:team=web", "env=prod",
    "cost<=10", "!cost>1 tag:owner", 'tag:env=""', "tag:env= web", "a=b", "x",
]  # fmt: skip


def test_bulk_select_matches_a_reference_and_incremental_narrowing_matches_a_rescan() -> None:
    import random

    rng = random.Random(1234)
    estate = _random_estate(rng, 400)
    blobs = [search_text(r) for r in estate]
    from tracker_tui.filtering import search_texts

    assert search_texts(estate) == blobs
    for query in _QUERIES:
        flt = parse_filter(query)
        expected = [i for i, r in enumerate(estate) if _reference(query, r)]
        assert flt.select(estate, blobs) == expected, query
        assert [i for i, r in enumerate(estate) if flt.matches(r)] == expected, query
    # Typing each query one character at a time, narrowing whenever ``refines`` allows it,
    # gives exactly what a from-scratch select gives at every step.
    for query in _QUERIES + ["tag:env=prod cost>100", "cost>1", "!web-1 tag:en"]:
        previous = Filter()
        view = list(range(len(estate)))
        for end in range(1, len(query) + 1):
            try:
                flt = parse_filter(query[:end])
            except FilterError:
                continue
            if flt.is_empty or previous.is_empty or not flt.refines(previous):
                view = flt.select(estate, blobs)
            else:
                view = flt.select(estate, blobs, view)
            assert view == flt.select(estate, blobs), query[:end]
            previous = flt


def test_implies_holds_on_random_rows() -> None:
    import random

    rng = random.Random(99)
    estate = _random_estate(rng, 300)
    blobs = [search_text(r) for r in estate]
    texts = [
        "tag:env", "tag:env=prod", "tag:env=pro", "tag:a", "tag:a=b", "cost>1", "cost>10",
        "cost>=10", "cost<10", "cost<=9.99", "!cost>1", "!cost>10", "!tag:env", "!tag:env=prod",
        "web", "web-", "!web", "!web-1", "kind:ec2", "kind:ec2:vol", "!kind:ec2", "!kind:ec",
    ]  # fmt: skip
    filters = [parse_filter(t) for t in texts]
    for a in filters:
        rows_a = set(a.select(estate, blobs))
        for b in filters:
            if a.refines(b):
                assert rows_a <= set(b.select(estate, blobs)), (a.text, b.text)


def test_a_finding_term_is_an_id_or_its_start() -> None:
    """``finding:previous-generation`` is EC2's finding, not ``rds-previous-generation``; ``finding:idle``
    is every idle-* finding."""
    def row(*ids: str) -> Resource:
        return Resource(kind="k", id="-".join(ids) or "none", region="r",
                        findings=tuple(Finding(i, 1.0, "e") for i in ids))  # fmt: skip

    ec2, rds, idle, none = row("previous-generation"), row("rds-previous-generation"), row("idle-instance"), row()
    rows = [ec2, rds, idle, none]
    shown = lambda text: [r for r in rows if parse_filter(text).matches(r)]  # noqa: E731
    assert shown("finding:previous-generation") == [ec2]
    assert shown("finding:rds-previous-generation") == [rds]
    assert shown("finding:idle") == [idle]
    assert shown("finding:") == [ec2, rds, idle]
    assert shown("!finding:previous-generation") == [rds, idle, none]
