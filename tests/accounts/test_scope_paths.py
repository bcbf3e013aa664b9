"""The unit-path format has one home (app.accounts.scope): a child's path, the
paths above a unit, the ids on a path."""

from app.accounts import scope


def test_a_path_is_built_and_read_in_one_place():
    assert scope.child_path(None, 1) == "/1/"
    assert scope.child_path("/1/5/", 9) == "/1/5/9/"
    assert scope.path_ids("/1/5/9/") == [1, 5, 9]
    assert scope.ancestor_paths("/1/5/9/") == ["/1/", "/1/5/", "/1/5/9/"]
    assert scope.ancestor_paths("") == []
    assert all(scope.in_subtree("/1/5/9/", p) for p in scope.ancestor_paths("/1/5/9/"))
