"""scripts/bench_strategies.py: strategies and recipes at equal budgets on the same inputs."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import pytest

from audit_fixtures import build_models, write_pairs

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "bench_strategies.py"


def load_script():
    spec = importlib.util.spec_from_file_location("bench_strategies", SCRIPT)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_table_gives_each_entry_its_curve_on_the_same_inputs(tmp_path, capsys):
    models = build_models(tmp_path / "models")
    pairs = write_pairs(tmp_path / "pairs.jsonl", count=4)
    curves = tmp_path / "curves.json"
    load_script().main(["--teacher", str(models["teacher"]), "--student", str(models["perturbed"]),
                        "--task", "clone-detection", "--data", str(pairs), "--budget", "12",
                        "--entries", "greedy,recipe:alert", "--out", str(tmp_path / "runs"), "--json", str(curves)])
    printed = capsys.readouterr().out.splitlines()
    assert printed[0].startswith("command: ") and printed[1].startswith("versions: ")  # the provenance first
    table = printed[next(i for i, line in enumerate(printed) if line.startswith("entry")):]
    assert table[0].split()[:2] == ["entry", "model"] and table[0].split()[2:5] == ["1", "2", "5"]
    assert [line.split()[:2] for line in table[1:]] == [["greedy", "student"], ["recipe:alert", "student"]]
    written = json.loads(curves.read_text())
    assert set(written) == {"greedy", "recipe:alert"}
    for entry in written.values():
        assert [point["queries"] for point in entry["student"]] == [1, 2, 5, 10, 12]
        assert len({point["success_rate"]["n"] for point in entry["student"]}) == 1  # the same inputs at each budget
    alert = json.loads((tmp_path / "runs" / "recipe-alert" / "report.json").read_text())
    assert alert["run"]["config"]["recipe"] == "alert"
