import pytest

from metacompress.errors import UsageError
from metacompress.labels import align, parse_label_list

CLONE = ("not-clone", "clone")
VULN = ("not-vulnerable", "vulnerable")


def test_generic_names_are_positional():
    assert align(["LABEL_0", "LABEL_1"], CLONE, "teacher") == [0, 1]


def test_devign_students_put_vulnerable_first():
    # MODELS.md: softmax index 0 means vulnerable, so task label 1 (vulnerable) reads column 0.
    assert align(["vulnerable", "not-vulnerable"], VULN, "student") == [1, 0]


def test_names_match_ignoring_case_and_separators():
    assert align(["Not_Clone", "CLONE"], CLONE, "teacher") == [0, 1]


def test_label_count_mismatch_is_refused():
    with pytest.raises(UsageError, match="3 output labels"):
        align(["a", "b", "c"], CLONE, "student (x)")


def test_unknown_names_ask_for_a_label_map():
    with pytest.raises(UsageError, match="--label-map student="):
        align(["cat", "dog"], CLONE, "student (x)")


def test_label_list_needs_two_names():
    assert parse_label_list("vulnerable, not-vulnerable") == ["vulnerable", "not-vulnerable"]
    with pytest.raises(UsageError):
        parse_label_list("only-one")
