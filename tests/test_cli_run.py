"""`metacompress run` through click's CliRunner: exit codes, streams and config files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from audit_fixtures import build_models, write_pairs
from metacompress.cli import cli


@pytest.fixture(scope="module")
def models(tmp_path_factory):
    return build_models(tmp_path_factory.mktemp("models"))


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    return write_pairs(tmp_path_factory.mktemp("data") / "pairs.jsonl", count=10)


def invoke(*args: str):
    return CliRunner().invoke(cli, ["run", *args], catch_exceptions=False)


def base_args(models, pairs, out, student="perturbed"):
    return ["--teacher", str(models["teacher"]), "--student", str(models[student]), "--task", "clone-detection",
            "--data", str(pairs), "--relations", "insert-dead-code,add-unused-variable", "--bootstrap", "50",
            "--quiet", "--out", str(out)]


def test_passing_run_exits_0_and_prints_the_summary(models, pairs, tmp_path):
    result = invoke(*base_args(models, pairs, tmp_path / "r", student="same"), "--fail-on", "discrepancy_rate>0.0")
    assert result.exit_code == 0, result.output
    assert "all relations" in result.stdout and "insert-dead-code" in result.stdout
    assert "report:" in result.stdout
    assert result.stderr == ""
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert report["gates"][0]["status"] == "passed"


def test_breached_gate_exits_1_after_writing_the_report(models, pairs, tmp_path):
    result = invoke(*base_args(models, pairs, tmp_path / "r"), "--fail-on", "discrepancy_rate>0.01",
                    "--fail-on", "insert-dead-code:prediction_agreement<0.999")
    assert result.exit_code == 1
    assert "gate(s) breached" in result.stderr and "Traceback" not in result.stderr
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [g["status"] for g in report["gates"]] == ["breached", "breached"]


def test_gates_on_the_induced_discrepancy(models, pairs, tmp_path):
    # an identical student induces no discrepancy: the first gate passes, the second holds at 0
    result = invoke(*base_args(models, pairs, tmp_path / "r", student="same"),
                    "--fail-on", "induced_discrepancy_rate>0.05", "--fail-on", "induced_discrepancy_rate>=0")
    assert result.exit_code == 1 and "induced_discrepancy_rate>=0" in result.stderr
    report = json.loads((tmp_path / "r" / "report.json").read_text())
    assert [(g["value"], g["status"]) for g in report["gates"]] == [(0.0, "passed"), (0.0, "breached")]


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--fail-on", "discrepancy_rat>0.1"], "did you mean"),
        (["--relations", "rename-identifers"], "Did you mean 'rename-identifiers'"),
        (["--task", "clone-detect"], "Unknown task"),
        (["--teacher", "/nonexistent/model"], "does not exist"),
    ],
)
def test_usage_and_input_errors_exit_2_with_one_line(models, pairs, tmp_path, extra, message):
    result = invoke(*base_args(models, pairs, tmp_path / "r"), *extra)
    assert result.exit_code == 2
    assert message.lower() in result.stderr.lower()
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (tmp_path / "r" / "report.json").exists()


def test_config_file_with_flag_override(models, pairs, tmp_path):
    config = tmp_path / "audit.toml"
    config.write_text(
        f'teacher = "{models["teacher"]}"\nstudent = "{models["same"]}"\ntask = "clone-detection"\n'
        f'data = "{pairs}"\nrelations = ["add-unused-variable"]\nbootstrap = 50\nseed = 4\nout = "./cfg-out"\n'
    )
    result = invoke("--config", str(config), "--seed", "9", "--quiet")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "cfg-out" / "report.json").read_text())  # ./ resolves beside the config
    assert report["run"]["seed"] == 9 and report["run"]["relations"] == ["add-unused-variable"]


def test_config_file_with_unknown_key_is_a_usage_error(tmp_path):
    config = tmp_path / "bad.toml"
    config.write_text('teacher = "x"\nstudnet = "y"\n')
    result = invoke("--config", str(config))
    assert result.exit_code == 2 and "unknown key 'studnet'" in result.stderr


# ---- the options are AuditConfig's fields ------------------------------------------------------


def test_every_audit_setting_is_an_option_with_the_library_default():
    import dataclasses

    from metacompress.cli.run_cmd import run
    from metacompress.config import AuditConfig

    options = {p.name: p for p in run.params if p.name != "config"}
    settings = {f.name: f for f in dataclasses.fields(AuditConfig) if f.name != "command"}
    assert set(options) == set(settings)
    for name, setting in settings.items():
        if setting.default is not dataclasses.MISSING:
            assert options[name].default == setting.default, name
    flags = {opt for p in run.params for opt in p.opts}
    assert {"--option", "--quiet", "--task-option", "--pair-side", "--label-map", "--fail-on"} <= flags


def test_a_new_field_or_task_reaches_the_command_line(monkeypatch):
    import dataclasses

    from metacompress.cli.options import config_from_values, field_options
    from metacompress.config import AuditConfig
    from metacompress.tasks import TASKS
    from metacompress.tasks.vulnerability import VulnerabilityPrediction

    @dataclasses.dataclass
    class Extended(AuditConfig):
        temperature: float = dataclasses.field(default=1.5, metadata={"help": "Softmax temperature."})

    option = next(p for p in field_options(Extended) if p.name == "temperature")
    assert option.opts == ["--temperature"] and option.default == 1.5
    only = field_options(AuditConfig, only=("teacher", "limit"))
    assert [p.name for p in only] == ["teacher", "limit"]
    config = config_from_values(AuditConfig, {"teacher": "t", "student": "s", "task": "x", "data": "d",
                                              "relations": "a,b", "task_options": ("pairs=valid.txt",)})
    assert config.relations == ["a", "b"] and config.task_options == {"pairs": "valid.txt"}

    class SecretTask(VulnerabilityPrediction):
        name = "secret-task"
        options = {"language": "", "shard": "which shard to read"}

    monkeypatch.setitem(TASKS._entries, "secret-task", SecretTask)
    help_text = " ".join(CliRunner().invoke(cli, ["run", "--help"]).stdout.split())
    assert "secret-task" in help_text and "secret-task: shard" in help_text


def test_run_help_lists_the_registries_without_importing_torch():
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "from metacompress.cli import cli\n"
        "r = CliRunner().invoke(cli, ['run', '--help'])\n"
        "assert r.exit_code == 0, r.output\n"
        "text = ' '.join(r.output.split())\n"
        "from metacompress.tasks import TASKS\n"
        "assert all(name in text for name in TASKS.names()), text\n"
        "assert 'cuda:N' in text and 'bf16' in text and 'first, second, both' in text, text\n"
        "heavy = sorted(m for m in ('torch', 'pandas', 'transformers') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr


def test_the_command_line_accepts_every_device_validate_accepts(models, pairs, tmp_path):
    # cuda:1 passes the flag and validate (the bad relation after it is what stops the run)
    accepted = invoke(*base_args(models, pairs, tmp_path / "r"), "--device", "cuda:1", "--relations", "no-such")
    assert accepted.exit_code == 2 and "Unknown relation 'no-such'" in accepted.stderr
    refused = invoke(*base_args(models, pairs, tmp_path / "r"), "--device", "tpu")
    assert refused.exit_code == 2
    assert refused.stderr.strip() == "Error: --device must be auto, cpu, cuda, cuda:N or mps, not 'tpu'"


# ---- --task-option ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def codexglue(tmp_path_factory):
    """CodeXGLUE's clone layout with two pair files and no test.txt, so neither is the default."""
    from audit_fixtures import methods

    folder = tmp_path_factory.mktemp("bcb")
    items = methods()[:12]
    (folder / "data.jsonl").write_text(
        "".join(json.dumps({"idx": str(k), "func": m["code"]}) + "\n" for k, m in enumerate(items)), encoding="utf-8")
    same = lambda a, b: int(items[a]["functionality"] == items[b]["functionality"])  # noqa: E731
    (folder / "train.txt").write_text("".join(f"{a}\t{a + 1}\t{same(a, a + 1)}\n" for a in range(0, 10, 2)))
    (folder / "valid.txt").write_text("".join(f"{a}\t{b}\t{same(a, b)}\n" for a, b in [(0, 5), (1, 2), (3, 9)]))
    return folder


def clone_args(models, data, out):
    return ["--teacher", str(models["teacher"]), "--student", str(models["perturbed"]), "--task", "clone-detection",
            "--data", str(data), "--relations", "add-unused-variable", "--bootstrap", "20", "--quiet",
            "--out", str(out)]


def test_task_option_chooses_the_pair_file(models, codexglue, tmp_path):
    ambiguous = invoke(*clone_args(models, codexglue, tmp_path / "r"))
    assert ambiguous.exit_code == 2 and "--task-option pairs=NAME" in ambiguous.stderr
    result = invoke(*clone_args(models, codexglue, tmp_path / "r"), "--task-option", "pairs=valid.txt")
    assert result.exit_code == 0, result.output
    run = json.loads((tmp_path / "r" / "report.json").read_text())["run"]
    assert [Path(f).name for f in run["data"]["files"]] == ["valid.txt", "data.jsonl"]
    assert run["data"]["records_loaded"] == 3 and run["config"]["task_options"] == {"pairs": "valid.txt"}


def test_task_options_table_in_a_config_file(models, codexglue, tmp_path):
    config = tmp_path / "audit.toml"
    config.write_text(
        f'teacher = "{models["teacher"]}"\nstudent = "{models["perturbed"]}"\ntask = "clone-detection"\n'
        f'data = "{codexglue}"\nrelations = "add-unused-variable"\nbootstrap = 20\nquiet = true\n\n'
        '[task-options]\npairs = "train.txt"\n'
    )
    result = invoke("--config", str(config), "--out", str(tmp_path / "r"))
    assert result.exit_code == 0, result.output
    assert result.stderr == ""  # quiet = true: no progress bars
    run = json.loads((tmp_path / "r" / "report.json").read_text())["run"]
    assert run["data"]["records_loaded"] == 5 and run["config"]["task_options"] == {"pairs": "train.txt"}


def test_classification_task_options_reach_the_loader(models, tmp_path):
    from audit_fixtures import methods

    data = tmp_path / "snippets.jsonl"
    data.write_text("".join(json.dumps({"key": f"m{k}", "code": m["code"], "label": k % 2}) + "\n"
                            for k, m in enumerate(methods()[:8])), encoding="utf-8")
    args = ["--teacher", str(models["teacher"]), "--student", str(models["same"]), "--task", "code-classification",
            "--language", "java", "--data", str(data), "--relations", "add-unused-variable", "--bootstrap", "0",
            "--quiet", "--out", str(tmp_path / "r")]
    # without label_names the labels are "0", "1", which the models' not-clone/clone do not match
    assert invoke(*args).exit_code == 2
    result = invoke(*args, "--task-option", "label_names=not-clone,clone", "--task-option", "id-field=key")
    assert result.exit_code == 0, result.output
    run = json.loads((tmp_path / "r" / "report.json").read_text())["run"]
    assert run["label_names"] == ["not-clone", "clone"]
    import csv

    with open(tmp_path / "r" / "samples.csv", encoding="utf-8") as handle:
        assert {row["example_id"] for row in csv.DictReader(handle)} == {f"m{k}" for k in range(8)}


@pytest.mark.parametrize(
    "task, option, message",
    [
        ("clone-detection", "pair=valid.txt",
         "Error: Unknown option 'pair' for task clone-detection. "
         "Available: first_field, label_field, language, pairs, second_field."),
        ("vulnerability-prediction", "pairs=valid.txt",
         "Error: Unknown option 'pairs' for task vulnerability-prediction. "
         "Available: code_field, id_field, label_field, language."),
        ("clone-detection", "language=c", "Error: --task-option language: set it with --language instead"),
        ("clone-detection", "pairs", "Error: --task-option 'pairs': expected KEY=VALUE, e.g. pairs=test.txt"),
    ],
)
def test_bad_task_option_is_one_clear_line(models, codexglue, tmp_path, task, option, message):
    args = clone_args(models, codexglue, tmp_path / "r")
    args[args.index("--task") + 1] = task
    result = invoke(*args, "--task-option", option)
    assert result.exit_code == 2 and result.stderr.strip() == message
    assert not (tmp_path / "r").exists()


def test_config_file_keys_are_flag_or_field_names(tmp_path):
    from metacompress.cli.options import config_keys, config_value
    from metacompress.cli.run_cmd import run

    keys = config_keys(run)
    assert keys["option"] is keys["relation-options"] and keys["quiet"] is keys["progress"]
    assert config_value(keys["quiet"], "quiet", True, "f") is False  # quiet = true turns progress off
    assert config_value(keys["progress"], "progress", False, "f") is False
    table = {"pairs": "valid.txt", "label_names": ["bug", "ok"]}
    assert config_value(keys["task-options"], "task-options", table, "f") == ["pairs=valid.txt", "label_names=bug,ok"]
    config = tmp_path / "bad.toml"
    config.write_text('[task-options]\npairs = 3\n')
    result = invoke("--config", str(config))
    assert result.exit_code == 2 and "task-options must be a table of key = string" in result.stderr


def test_validate_checks_task_options_before_anything_loads():
    from metacompress.config import AuditConfig
    from metacompress.errors import UsageError

    def config(**options):
        return AuditConfig(teacher="t", student="s", task="code-classification", data="/nonexistent",
                           language="c", code_field="func", task_options=options)

    assert config(label_names="a,b").validate().load_options == {"language": "c", "code_field": "func",
                                                                  "label_names": "a,b"}
    with pytest.raises(UsageError, match="^Unknown option 'pairs' for task code-classification. Available: "
                                         "code_field, id_field, label_field, label_names, language.$"):
        config(pairs="x").validate()
    with pytest.raises(UsageError, match="^--task-option code_field: set it with --code-field instead$"):
        config(code_field="x").validate()
