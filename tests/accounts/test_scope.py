"""The subtree rule (app.accounts.scope, Unit.in_subtree / Unit.in_subtrees): the
same answers in Python and in SQL, with LIKE wildcards in a path taken literally."""

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from app.accounts import scope
from app.accounts.models import Unit
from app.accounts.permissions import scoped_units
from app.extensions import db
from tests.factories import make_tree, make_user

# Paths are made of ids and slashes; these hold LIKE wildcards on purpose, as a
# pattern built without escaping would let "/1_/" match "/12/" and "/1%/" anything.
PATHS = {
    "UNDERSCORE": "/1_/",
    "UNDERSCORE_CHILD": "/1_/7/",
    "SIBLING": "/12/",
    "SIBLING_CHILD": "/12/8/",
    "PERCENT": "/1%/",
    "PERCENT_CHILD": "/1%/9/",
    "OTHER": "/1x/",
    "SLASHES": "/1//",
    "BACKSLASH": "/1\\/",
    "BACKSLASH_SIBLING": "/1\\2/",
}


@pytest.fixture
def odd_units(ctx):
    for code, path in PATHS.items():
        db.session.add(Unit(code=code, name=code, path=path, depth=path.count("/")))
    db.session.commit()
    return PATHS


def codes_in(root) -> set[str]:
    return set(db.session.scalars(select(Unit.code).where(Unit.in_subtree(root))))


def codes_in_python(root: str) -> set[str]:
    return {code for code, path in PATHS.items() if scope.in_subtree(path, root)}


@pytest.mark.parametrize(
    "root, expected",
    [
        ("/1_/", {"UNDERSCORE", "UNDERSCORE_CHILD"}),
        ("/1%/", {"PERCENT", "PERCENT_CHILD"}),
        ("/12/", {"SIBLING", "SIBLING_CHILD"}),
        ("/1//", {"SLASHES"}),
        ("/1\\/", {"BACKSLASH"}),
        ("/1", set(PATHS)),
        ("%", set()),
        ("_", set()),
    ],
)
def test_wildcards_in_a_path_do_not_match_siblings(odd_units, root, expected):
    assert codes_in(root) == expected
    assert codes_in_python(root) == expected


def test_a_path_column_as_root_is_compared_literally_too(odd_units):
    """The join of each unit with its subtree (per-unit counts) uses the same rule."""
    head, member = aliased(Unit), aliased(Unit)
    rows = db.session.execute(
        select(head.code, func.count(member.id))
        .join(member, member.in_subtree(head.path))
        .group_by(head.code)
    )
    expected = {code: len(codes_in_python(path)) for code, path in odd_units.items()}
    assert dict(rows.all()) == expected
    assert expected["UNDERSCORE"] == 2 and expected["PERCENT"] == 2


def test_in_subtrees_none_means_everything_and_empty_means_nothing(odd_units):
    def sql(roots):
        query = select(Unit.code).where(Unit.in_subtrees(roots))
        return set(db.session.scalars(query))

    assert sql(None) == set(PATHS)
    assert sql([]) == set()
    assert sql(["/1_/", "/1%/"]) == {
        "UNDERSCORE",
        "UNDERSCORE_CHILD",
        "PERCENT",
        "PERCENT_CHILD",
    }
    unit = db.session.scalar(select(Unit).where(Unit.code == "SIBLING_CHILD"))
    assert unit.in_subtrees(None) is True
    assert unit.in_subtrees([]) is False
    assert unit.in_subtrees(["/1_/", "/1%/"]) is False
    assert unit.in_subtrees(("/1_/", "/12/")) is True


def test_a_unit_is_in_its_own_subtree_and_not_in_its_childs(ctx):
    tree = make_tree()
    d, d1 = tree["D"], tree["D1"]
    assert d.in_subtree(d.path) and d1.in_subtree(d.path)
    assert not d.in_subtree(d1.path) and not d.in_subtree(tree["C"].path)
    assert codes_in(d.path) == {"D", "D1", "D1A"}


def test_hr_scope_with_a_wildcard_path_sees_only_its_own_subtree(odd_units):
    """accounts.permissions.scoped_units goes through the same rule."""
    root = make_tree()["P"]
    underscore = db.session.scalar(select(Unit).where(Unit.code == "UNDERSCORE"))
    hr = make_user("hr1", root, roles=[("hr", underscore)])
    seen = {u.code for u in db.session.scalars(scoped_units(hr, "hr"))}
    assert seen == {"UNDERSCORE", "UNDERSCORE_CHILD"}


@pytest.mark.parametrize("bad", [None, 5])
def test_a_missing_or_non_text_root_is_refused(bad):
    with pytest.raises(TypeError):
        scope.in_subtree("/1/", bad)
    with pytest.raises(TypeError):
        scope.in_any_subtree("/1/", [bad])
    with pytest.raises((TypeError, AttributeError)):
        scope.subtree_condition(Unit.path, bad)


def test_a_single_string_is_not_taken_for_a_list_of_roots():
    """in_subtrees wants a list: a bare string would be read character by
    character, so it is refused."""
    with pytest.raises(TypeError):
        scope.in_any_subtree("/1/", "/1/")
    with pytest.raises(TypeError):
        scope.any_subtree_condition(Unit.path, "/1/")
