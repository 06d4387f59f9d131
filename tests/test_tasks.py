"""Tasks read what users hand them: every layout, bad lines reported not fatal, labels optional."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest

from metacompress.errors import InputError, UsageError
from metacompress.tasks import TASKS, get_task, sample

JAVA_A = "int a(int x) { return x + 1; }"
JAVA_B = "int b(int y) { return y * 2; }"
C_FN = "int f(char *p) { return p[0]; }"


def write_jsonl(path: Path, rows: list) -> Path:
    lines = [row if isinstance(row, str) else json.dumps(row) for row in rows]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_csv(path: Path, header: list[str], rows: list[list]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


# ---- registry ----------------------------------------------------------------------------------


def test_registry_names_and_did_you_mean():
    assert TASKS.names() == ["clone-detection", "code-classification", "vulnerability-prediction"]
    with pytest.raises(UsageError, match="Did you mean 'clone-detection'"):
        get_task("clone-detect")


def test_unknown_option_is_a_usage_error(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"func": C_FN, "target": 1}])
    with pytest.raises(UsageError, match="Unknown option 'code_feild'.*code_field"):
        get_task("vulnerability-prediction").load(str(data), code_feild="x")


# ---- clone detection ---------------------------------------------------------------------------


def test_clone_jsonl_keeps_ids_labels_and_extra_fields(tmp_path):
    data = write_jsonl(
        tmp_path / "pairs.jsonl",
        [
            {"id1": "10", "id2": "20", "code1": JAVA_A, "code2": JAVA_B, "label": 1, "note": "x"},
            {"code1": JAVA_B, "code2": JAVA_A, "label": 0},
        ],
    )
    task = get_task("clone-detection")
    loaded = task.load(str(data))
    first, second = loaded.examples
    assert first.id == "10-20" and first.code == (JAVA_A, JAVA_B) and first.label == 1
    assert first.extra == {"id1": "10", "id2": "20", "note": "x"}
    assert second.id == "pairs.jsonl:2" and second.label == 0
    assert loaded.label_names == ("not-clone", "clone")
    assert loaded.language == "java" and task.is_pair
    assert task.model_input(first.code) == (JAVA_A, JAVA_B)


def test_clone_pair_side_chooses_rewritten_fields():
    task = get_task("clone-detection")
    assert task.rewrite_sides("first") == (0,)
    assert task.rewrite_sides("second") == (1,)
    assert task.rewrite_sides() == (0, 1)
    with pytest.raises(UsageError, match="--pair-side must be one of first, second, both, not 'left'"):
        task.rewrite_sides("left")
    assert get_task("vulnerability-prediction").rewrite_sides() == (0,)


def codexglue_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "bcb"
    folder.mkdir()
    write_jsonl(folder / "data.jsonl", [{"idx": "1", "func": JAVA_A}, {"idx": "2", "func": JAVA_B}, "{broken"])
    (folder / "test.txt").write_text("1\t2\t1\n2 1 0\n1\t9\t0\n\n1 2 1 7\n", encoding="utf-8")
    (folder / "train.txt").write_text("1\t1\t1\n", encoding="utf-8")
    return folder


def test_codexglue_layout_from_folder_and_pair_file(tmp_path):
    folder = codexglue_folder(tmp_path)
    task = get_task("clone-detection")
    from_folder = task.load(str(folder))
    from_file = task.load(str(folder / "test.txt"))
    for loaded in (from_folder, from_file):
        assert [(e.id, e.code, e.label) for e in loaded.examples] == [
            ("1-2", (JAVA_A, JAVA_B), 1),
            ("2-1", (JAVA_B, JAVA_A), 0),
        ]
        reasons = {s.where: s.reason for s in loaded.skipped}
        assert reasons["data.jsonl:3"].startswith("invalid JSON")
        assert reasons["test.txt:3"] == "idx '9' not found in data.jsonl"
        assert "4 columns" in reasons["test.txt:5"]
    chosen = task.load(str(folder), pairs="train.txt")
    assert [e.id for e in chosen.examples] == ["1-1"]


def test_codexglue_pair_file_without_data_jsonl(tmp_path):
    (tmp_path / "test.txt").write_text("1 2 1\n")
    with pytest.raises(InputError, match="data.jsonl: not found"):
        get_task("clone-detection").load(str(tmp_path / "test.txt"))


def test_codexglue_unlabelled_pairs(tmp_path):
    folder = codexglue_folder(tmp_path)
    (folder / "test.txt").write_text("1 2\n2 1\n")
    loaded = get_task("clone-detection").load(str(folder))
    assert [e.label for e in loaded.examples] == [None, None]


# ---- vulnerability prediction ------------------------------------------------------------------


def test_devign_jsonl_target_one_is_vulnerable(tmp_path):
    data = write_jsonl(
        tmp_path / "devign.jsonl",
        [{"func": C_FN, "target": 1, "idx": 7, "project": "qemu"}, {"func": C_FN + " ", "target": 0}],
    )
    loaded = get_task("vulnerability-prediction").load(str(data))
    assert loaded.label_names[1] == "vulnerable"
    assert [(e.id, e.label) for e in loaded.examples] == [("7", 1), ("devign.jsonl:2", 0)]
    assert loaded.examples[0].extra == {"idx": 7, "project": "qemu"}
    assert loaded.language == "c"


def test_bad_lines_are_skipped_with_location_and_reason(tmp_path):
    data = write_jsonl(
        tmp_path / "d.jsonl",
        [
            {"func": C_FN, "target": 1},
            "{not json",
            {"code": C_FN, "target": 0},
            {"func": 42, "target": 0},
            {"func": C_FN, "target": 5},
            "[1, 2]",
            "",
            {"func": "   ", "target": 0},
            {"func": C_FN, "target": "0"},
        ],
    )
    loaded = get_task("vulnerability-prediction").load(str(data))
    assert [e.label for e in loaded.examples] == [1, 0]
    reasons = {s.where: s.reason for s in loaded.skipped}
    assert set(reasons) == {"d.jsonl:2", "d.jsonl:3", "d.jsonl:4", "d.jsonl:5", "d.jsonl:6", "d.jsonl:8"}
    assert reasons["d.jsonl:2"].startswith("invalid JSON")
    assert reasons["d.jsonl:3"] == "missing field 'func' (fields: code, target)"
    assert reasons["d.jsonl:4"] == "field 'func' is not a string (got int)"
    assert "bad label 5" in reasons["d.jsonl:5"]
    assert "not a JSON object" in reasons["d.jsonl:6"]
    assert reasons["d.jsonl:8"] == "field 'func' is empty"


def test_every_record_bad_names_the_file_and_first_problem(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"code": C_FN}, "oops"])
    with pytest.raises(InputError, match=r"d.jsonl: no usable records \(2 bad\); first problem at d.jsonl:1: missing field 'func'"):
        get_task("vulnerability-prediction").load(str(data))


def test_missing_empty_and_dataless_inputs(tmp_path):
    task = get_task("vulnerability-prediction")
    with pytest.raises(InputError, match="nowhere.jsonl: no such file or folder"):
        task.load(str(tmp_path / "nowhere.jsonl"))
    (tmp_path / "empty.jsonl").write_text("\n\n")
    with pytest.raises(InputError, match=r"empty.jsonl: no data records \(empty file\)"):
        task.load(str(tmp_path / "empty.jsonl"))
    (tmp_path / "header.csv").write_text("func,target\n")
    with pytest.raises(InputError, match=r"header.csv: no data records \(header but no rows\)"):
        task.load(str(tmp_path / "header.csv"))
    folder = tmp_path / "notes"
    folder.mkdir()
    (folder / "readme.txt").write_text("hello")
    with pytest.raises(InputError, match="notes: no .jsonl or .csv files"):
        task.load(str(folder))


def test_unlabelled_data_has_no_labels(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"func": C_FN}, {"func": C_FN + "\n"}])
    loaded = get_task("vulnerability-prediction").load(str(data))
    assert [e.label for e in loaded.examples] == [None, None] and not loaded.skipped
    with pytest.raises(InputError, match="no record has the label field 'bug'"):
        get_task("vulnerability-prediction").load(str(data), label_field="bug")


def test_partly_labelled_data_skips_records_without_a_label(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"func": C_FN, "target": 1}, {"func": C_FN}])
    loaded = get_task("vulnerability-prediction").load(str(data))
    assert [e.label for e in loaded.examples] == [1]
    assert loaded.skipped[0].where == "d.jsonl:2" and "no label" in loaded.skipped[0].reason


def test_folder_reads_shards_in_numeric_order(tmp_path):
    for start in (1000, 0, 500):
        write_jsonl(tmp_path / f"test_subs_{start}_{start + 500}.jsonl", [{"func": C_FN, "idx": start}])
    write_csv(tmp_path / "zz_extra.csv", ["func", "idx"], [[C_FN, "last"]])
    (tmp_path / "notes.txt").write_text("ignored")
    loaded = get_task("vulnerability-prediction").load(str(tmp_path))
    assert [e.id for e in loaded.examples] == ["0", "500", "1000", "last"]
    assert [Path(f).name for f in loaded.files] == [
        "test_subs_0_500.jsonl",
        "test_subs_500_1000.jsonl",
        "test_subs_1000_1500.jsonl",
        "zz_extra.csv",
    ]


def test_duplicate_ids_are_made_unique(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"func": C_FN, "idx": 1}, {"func": C_FN, "idx": 1}])
    assert [e.id for e in get_task("vulnerability-prediction").load(str(data)).examples] == ["1", "1#2"]


# ---- code classification -----------------------------------------------------------------------


def test_classification_requires_a_known_language(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"code": "x = 1", "label": "a"}])
    task = get_task("code-classification")
    with pytest.raises(UsageError, match="--language is required"):
        task.load(str(data))
    with pytest.raises(UsageError, match="--language go: not supported"):
        task.load(str(data), language="go")
    assert task.load(str(data), language="python").language == "python"


def test_classification_csv_with_multiline_code_and_string_labels(tmp_path):
    data = write_csv(
        tmp_path / "d.csv",
        ["id", "source", "kind"],
        [["a", "def f():\n    return 1\n", "sort"], ["b", "x = [1]\n", "io"], ["c", "y = 2", "sort"], ["d", "", "io"]],
    )
    loaded = get_task("code-classification").load(str(data), language="python", code_field="source", label_field="kind")
    assert loaded.label_names == ("io", "sort")
    assert [(e.id, e.label) for e in loaded.examples] == [("a", 1), ("b", 0), ("c", 1)]
    assert loaded.examples[0].code == ("def f():\n    return 1\n",)
    assert loaded.skipped[0].where == "d.csv:8" and loaded.skipped[0].reason == "field 'source' is empty"


def test_classification_integer_labels_are_indices(tmp_path):
    data = write_csv(tmp_path / "d.csv", ["code", "label"], [["a = 1", "2"], ["b = 1", "0"], ["c = 1", "-1"]])
    loaded = get_task("code-classification").load(str(data), language="python")
    assert loaded.label_names == ("0", "1", "2")
    assert [e.label for e in loaded.examples] == [2, 0]
    assert loaded.skipped[0].where == "d.csv:4" and "bad label '-1'" in loaded.skipped[0].reason


def test_classification_given_label_names(tmp_path):
    data = write_jsonl(
        tmp_path / "d.jsonl",
        [{"code": "a = 1", "label": "dog"}, {"code": "b = 1", "label": 0}, {"code": "c", "label": "cow"}, {"code": "d", "label": 4}],
    )
    loaded = get_task("code-classification").load(str(data), language="python", label_names="cat, dog")
    assert loaded.label_names == ("cat", "dog")
    assert [e.label for e in loaded.examples] == [1, 0]
    assert [s.reason for s in loaded.skipped] == [
        "unknown label 'cow' (label names: cat, dog)",
        "label 4 is out of range (2 label names)",
    ]


def test_classification_unlabelled(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"code": "a = 1"}, {"code": "b = 2"}])
    loaded = get_task("code-classification").load(str(data), language="python")
    assert loaded.label_names == () and [e.label for e in loaded.examples] == [None, None]


# ---- sampling ----------------------------------------------------------------------------------


def test_sample_is_seeded_and_keeps_file_order(tmp_path):
    data = write_jsonl(tmp_path / "d.jsonl", [{"func": f"int f{i}();", "idx": i} for i in range(50)])
    examples = get_task("vulnerability-prediction").load(str(data)).examples
    chosen = sample(examples, 10, seed=3)
    assert chosen == sample(examples, 10, seed=3)
    assert chosen != sample(examples, 10, seed=4)
    positions = [examples.index(e) for e in chosen]
    assert len(chosen) == 10 and positions == sorted(positions)
    assert sample(examples, None, seed=3) == examples
    assert sample(examples, 500, seed=3) == examples
    with pytest.raises(UsageError, match="--limit must be at least 1, not 0"):
        sample(examples, 0, seed=3)


# ---- the real test sets ------------------------------------------------------------------------


@pytest.mark.shared
def test_real_bigclonebench_split(shared_dir):
    loaded = get_task("clone-detection").load(str(shared_dir / "data" / "bigclonebench-test"))
    examples = loaded.examples
    assert len(examples) == 4000 and not loaded.skipped
    assert sum(e.label for e in examples) == 2000
    methods = {e.extra["id1"] for e in examples} | {e.extra["id2"] for e in examples}
    assert len(methods) == 911
    assert len({e.id for e in examples}) == 4000
    assert Path(loaded.files[1]).name == "test_subs_500_1000.jsonl"


@pytest.mark.shared
def test_real_devign_split(shared_dir):
    loaded = get_task("vulnerability-prediction").load(str(shared_dir / "data" / "devign-test"))
    examples = loaded.examples
    assert len(examples) == 2732 and not loaded.skipped
    assert sum(e.label for e in examples) == 1255
    assert sum(e.extra["project"] == "qemu" for e in examples) == 1756


def test_an_empty_shard_in_a_folder_is_reported_not_fatal(tmp_path):
    write_jsonl(tmp_path / "part_0.jsonl", [{"func": C_FN, "target": 0}])
    (tmp_path / "part_1.jsonl").write_text("")
    loaded = get_task("vulnerability-prediction").load(str(tmp_path))
    assert len(loaded.examples) == 1
    assert [(s.where, s.reason) for s in loaded.skipped] == [("part_1.jsonl", "empty file")]
    (tmp_path / "part_0.jsonl").write_text("")
    with pytest.raises(InputError, match="no data records \\(all 2 files are empty\\)"):
        get_task("vulnerability-prediction").load(str(tmp_path))


def test_repeated_ids_never_take_the_name_of_another_record(tmp_path):
    data = tmp_path / "data.jsonl"
    records = [{"idx": key, "func": "int f(void) { return 1; }", "target": 0} for key in ("a", "a", "a#2", "a")]
    data.write_text("".join(json.dumps(r) + "\n" for r in records))
    ids = [e.id for e in get_task("vulnerability-prediction").load(str(data)).examples]
    assert ids == ["a", "a#3", "a#2", "a#4"]


def test_pair_side_is_refused_for_a_task_of_single_functions():
    with pytest.raises(UsageError, match="--pair-side first: vulnerability-prediction takes one function per input"):
        get_task("vulnerability-prediction").rewrite_sides("first")
    assert get_task("vulnerability-prediction").rewrite_sides("both") == (0,)
