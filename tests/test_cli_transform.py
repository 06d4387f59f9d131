"""`metacompress relations` and `metacompress transform`, driven through click's CliRunner.

Exit codes are a contract scripts rely on: 0 applied, 3 not applicable, 2 bad input or usage.
Each test asserts the exit code, stdout and stderr separately.
"""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner

from metacompress.cli import cli
from metacompress.relations import LANGUAGES, RELATIONS, transform

C_IF_ELSE = "int f(int a) {\n    int b = a + 1;\n    if (a < b) {\n        return b;\n    } else {\n        return a;\n    }\n}\n"
C_NO_IF = "int g(int a) {\n    return a * 2;\n}\n"
PY_IF_ELSE = "def f(a):\n    if a > 1:\n        return 'big'\n    else:\n        return 'small'\n"


def invoke(*args: str, stdin: str | bytes | None = None):
    return CliRunner().invoke(cli, list(args), input=stdin)


def one_line_error(result) -> str:
    assert result.stdout == ""
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    return lines[0]


@pytest.fixture()
def c_file(tmp_path):
    path = tmp_path / "snippet.c"
    path.write_text(C_IF_ELSE, encoding="utf-8")
    return path


# --- relations ------------------------------------------------------------------------------


def test_relations_table_lists_every_relation_and_language():
    result = invoke("relations")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    header = result.stdout.splitlines()[0].split()
    assert header[:4] == ["relation", *LANGUAGES]
    for name in RELATIONS.names():
        assert any(line.startswith(name + " ") for line in result.stdout.splitlines()), name


def test_relations_json_gives_support_and_reasons():
    result = invoke("relations", "--format", "json")
    assert result.exit_code == 0, result.stderr
    rows = json.loads(result.stdout)
    assert [row["name"] for row in rows] == RELATIONS.names()
    for row in rows:
        assert set(row["languages"]) == set(LANGUAGES)
        for info in row["languages"].values():
            assert info["supported"] or info["reason"], f"{row['name']}: unsupported without a reason"
    swap = next(row for row in rows if row["name"] == "swap-if-else")
    assert swap["summary"] and swap["example"]["before"] != swap["example"]["after"]


def test_relations_rejects_an_unknown_format():
    result = invoke("relations", "--format", "xml")
    assert result.exit_code == 2
    assert "xml" in result.stderr and result.stdout == ""


# --- transform, one snippet -----------------------------------------------------------------


def test_transform_file_prints_the_rewrite(c_file):
    result = invoke("transform", "--relation", "swap-if-else", "--seed", "2", str(c_file))
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert result.stdout == transform(C_IF_ELSE, "c", "swap-if-else", seed=2).code
    assert result.stdout != C_IF_ELSE


def test_transform_reads_stdin_with_a_language():
    result = invoke("transform", "-l", "python", "-r", "swap-if-else", "-", stdin=PY_IF_ELSE)
    assert result.exit_code == 0, result.stderr
    assert "not" in result.stdout and result.stdout != PY_IF_ELSE
    compile(result.stdout, "<rewritten>", "exec")


def test_transform_is_deterministic_under_a_seed(c_file):
    runs = {invoke("transform", "-r", "insert-dead-code", "--seed", "7", str(c_file)).stdout for _ in range(3)}
    assert len(runs) == 1 and runs != {""}


def test_transform_diff_shows_only_the_change(c_file):
    result = invoke("transform", "-r", "insert-dead-code", "--diff", str(c_file))
    assert result.exit_code == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("--- a/") and lines[0].endswith("snippet.c")
    assert lines[1].startswith("+++ b/")
    rewritten = transform(C_IF_ELSE, "c", "insert-dead-code").code.splitlines()
    added = [line[1:] for line in lines[2:] if line.startswith("+")]
    assert added and all(line in rewritten for line in added)
    assert all(line[1:] in C_IF_ELSE.splitlines() for line in lines[2:] if line.startswith(" "))


def test_transform_not_applicable_exits_3_with_the_reason(tmp_path):
    path = tmp_path / "plain.c"
    path.write_text(C_NO_IF, encoding="utf-8")
    result = invoke("transform", "-r", "swap-if-else", str(path))
    assert result.exit_code == 3
    message = one_line_error(result)
    assert "swap-if-else" in message and str(path) in message and "not applicable" in message


@pytest.mark.parametrize(
    "content,problem",
    [(b"", "empty"), (b"   \n\t\n", "empty"), (b"int f() {\x00}", "binary"), (b"int f() { return '\xff'; }", "UTF-8")],
)
def test_transform_bad_input_is_a_one_line_error_naming_it(tmp_path, content, problem):
    path = tmp_path / "bad.c"
    path.write_bytes(content)
    result = invoke("transform", "-r", "swap-if-else", str(path))
    assert result.exit_code == 2
    message = one_line_error(result)
    assert str(path) in message and problem in message


def test_transform_missing_file_and_directory(tmp_path):
    missing = invoke("transform", "-r", "swap-if-else", str(tmp_path / "absent.c"))
    assert missing.exit_code == 2
    assert "absent.c" in one_line_error(missing) and "no such file" in missing.stderr
    folder = invoke("transform", "-r", "swap-if-else", "-l", "c", str(tmp_path))
    assert folder.exit_code == 2
    assert "directory" in one_line_error(folder)


def test_transform_usage_errors_exit_2(c_file):
    unknown = invoke("transform", "-r", "swap-if-els", str(c_file))
    assert unknown.exit_code == 2 and "Did you mean 'swap-if-else'" in one_line_error(unknown)
    no_language = invoke("transform", "-r", "swap-if-else", stdin=C_IF_ELSE)
    assert no_language.exit_code == 2 and "--language" in one_line_error(no_language)
    bad_option = invoke("transform", "-r", "swap-if-else", "--option", "colour=red", str(c_file))
    assert bad_option.exit_code == 2 and "colour" in one_line_error(bad_option)
    malformed = invoke("transform", "-r", "swap-if-else", "--option", "colour", str(c_file))
    assert malformed.exit_code == 2 and "KEY=VALUE" in one_line_error(malformed)
    stray = invoke("transform", "-r", "swap-if-else", "--output", "x.jsonl", str(c_file))
    assert stray.exit_code == 2 and "--input" in one_line_error(stray)


def test_transform_option_values_are_checked(c_file):
    options = {name: RELATIONS.get(name).options for name in ("insert-dead-code",)}
    (option, values), = options["insert-dead-code"].items()
    good = invoke("transform", "-r", "insert-dead-code", "--option", f"{option}={values[-1]}", str(c_file))
    assert good.exit_code == 0, good.stderr
    bad = invoke("transform", "-r", "insert-dead-code", "--option", f"{option}=nonsense", str(c_file))
    assert bad.exit_code == 2 and "nonsense" in one_line_error(bad)


def test_transform_passes_free_form_options_to_the_relation(c_file):
    chosen = "swap-if-else,insert-dead-code"
    result = invoke("transform", "-r", "compose", "-o", f"relations={chosen}", "--seed", "4", str(c_file))
    assert result.exit_code == 0, result.stderr
    assert result.stdout == transform(C_IF_ELSE, "c", "compose", seed=4, relations=chosen).code
    unknown = invoke("transform", "-r", "compose", "-o", "relations=swap-if-else,no-such", str(c_file))
    assert unknown.exit_code == 2 and "no-such" in one_line_error(unknown)


def test_transform_rename_targets_take_a_set_in_any_spelling(tmp_path):
    path = tmp_path / "area.py"
    path.write_text("def area(width, height):\n    product = width * height\n    return product\n", encoding="utf-8")
    default = invoke("transform", "-r", "rename-identifiers", str(path))
    assert default.exit_code == 0 and "def area(width, height):" in default.stdout
    wider = invoke("transform", "-r", "rename-identifiers", "-o", "targets=parameters,locals", str(path))
    assert wider.exit_code == 0, wider.stderr
    assert wider.stdout == transform(path.read_text(), "python", "rename-identifiers", targets="locals+parameters").code
    assert "width" not in wider.stdout
    bad = invoke("transform", "-r", "rename-identifiers", "-o", "targets=locals+fields", str(path))
    assert bad.exit_code == 2 and "targets" in one_line_error(bad)


def test_transform_style_selects_a_naming_style(c_file):
    relation = RELATIONS.get("rename-identifiers")
    styles = relation.options.get("style", ())
    assert len(styles) >= 2, "rename-identifiers should offer naming styles"
    outputs = {}
    for style in styles:
        result = invoke("transform", "-r", "rename-identifiers", "--style", style, str(c_file))
        assert result.exit_code in (0, 3), result.stderr
        outputs[style] = result.stdout
    assert len({out for out in outputs.values() if out}) >= 2, "styles should rename differently"
    clash = invoke("transform", "-r", "rename-identifiers", "--style", styles[0], "-o", f"style={styles[1]}", str(c_file))
    assert clash.exit_code == 2 and "contradicts" in one_line_error(clash)


def test_transform_unsupported_language_is_a_usage_error(c_file, monkeypatch):
    relation = RELATIONS.get("swap-if-else")
    monkeypatch.setattr(relation, "languages", ("java", "c"))
    monkeypatch.setattr(relation, "unsupported", {"python": "no else in this dialect"})
    result = invoke("transform", "-r", "swap-if-else", "-l", "python", str(c_file))
    assert result.exit_code == 2
    assert "does not support python: no else in this dialect" in one_line_error(result)
    listed = json.loads(invoke("relations", "--format", "json").stdout)
    row = next(r for r in listed if r["name"] == "swap-if-else")
    assert row["languages"]["python"] == {"supported": False, "reason": "no else in this dialect"}


# --- transform, batch -----------------------------------------------------------------------


def batch_lines() -> list[str]:
    return [
        json.dumps({"id": 1, "code": C_IF_ELSE, "label": 1}),
        json.dumps({"id": 2, "code": C_NO_IF, "label": 0}),
        "{not json",
        json.dumps({"id": 4, "func": C_IF_ELSE}),
        json.dumps({"id": 5, "code": 42}),
        json.dumps({"id": 6, "code": "   "}),
        json.dumps([1, 2]),
        "",
        json.dumps({"id": 9, "code": C_IF_ELSE.replace("a + 1", "a + 2")}),
    ]


def test_batch_keeps_order_and_fields_and_reports_bad_lines(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(batch_lines()) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = invoke(
        "transform", "-l", "c", "-r", "swap-if-else", "--input", str(source), "--field", "code", "--output", str(target)
    )
    assert result.exit_code == 0, result.stderr
    assert result.stdout == ""
    assert "9 lines" in result.stderr and "2 applied, 1 not applicable, 6 bad" in result.stderr
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 9
    assert [r.get("id") for r in records] == [1, 2, None, 4, 5, 6, None, None, 9]
    assert all(r["relation"] == "swap-if-else" for r in records)
    assert [r["applied"] for r in records] == [True, False, False, False, False, False, False, False, True]
    assert records[0]["label"] == 1 and records[0]["code"] == C_IF_ELSE
    assert records[0]["transformed"] == transform(C_IF_ELSE, "c", "swap-if-else").code
    assert records[1]["transformed"] is None and records[1]["reason"]
    reasons = [r["reason"] for r in records]
    assert "line 3" in reasons[2] and "invalid JSON" in reasons[2]
    assert "no field 'code'" in reasons[3] and records[3]["func"] == C_IF_ELSE
    assert "int, not a string" in reasons[4]
    assert "empty code" in reasons[5]
    assert "expected a JSON object" in reasons[6]
    assert "line 8" in reasons[7] and "empty line" in reasons[7]


def test_batch_writes_to_stdout_and_honours_the_field(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"func": PY_IF_ELSE}) + "\n", encoding="utf-8")
    result = invoke("transform", "-l", "python", "-r", "swap-if-else", "--input", str(source), "--field", "func")
    assert result.exit_code == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["applied"] is True and record["func"] == PY_IF_ELSE
    assert "1 applied" in result.stderr


def test_batch_reads_stdin():
    lines = json.dumps({"code": C_IF_ELSE}) + "\n" + json.dumps({"code": C_NO_IF}) + "\n"
    result = invoke("transform", "-l", "c", "-r", "swap-if-else", "--input", "-", stdin=lines)
    assert result.exit_code == 0, result.stderr
    assert [json.loads(line)["applied"] for line in result.stdout.splitlines()] == [True, False]
    assert "2 lines -> stdout: 1 applied, 1 not applicable, 0 bad" in result.stderr


def test_batch_usage_and_missing_input(tmp_path):
    missing = invoke("transform", "-l", "c", "-r", "swap-if-else", "--input", str(tmp_path / "none.jsonl"))
    assert missing.exit_code == 2 and "none.jsonl" in one_line_error(missing)
    no_language = invoke("transform", "-r", "swap-if-else", "--input", str(tmp_path / "none.jsonl"))
    assert no_language.exit_code == 2 and "--language" in one_line_error(no_language)


def run_batch_cli(source, *extra: str):
    return invoke("transform", "-l", "c", "-r", "swap-if-else", "--input", str(source), *extra)


def test_batch_refuses_to_write_over_its_input(tmp_path, monkeypatch):
    source = tmp_path / "in.jsonl"
    content = "\n".join(batch_lines()) + "\n"
    source.write_text(content, encoding="utf-8")
    link = tmp_path / "link.jsonl"
    link.symlink_to(source)
    monkeypatch.chdir(tmp_path)
    for output in (str(source), "in.jsonl", "./sub/../in.jsonl", str(link)):
        (tmp_path / "sub").mkdir(exist_ok=True)
        result = run_batch_cli(source, "--output", output)
        assert result.exit_code == 2, output
        assert "same file as --input" in one_line_error(result)
        assert source.read_text(encoding="utf-8") == content


def test_batch_accepts_a_byte_order_mark(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_bytes(b"\xef\xbb\xbf" + (json.dumps({"id": 1, "code": C_IF_ELSE}) + "\n").encode("utf-8"))
    result = run_batch_cli(source)
    assert result.exit_code == 0, result.stderr
    (record,) = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["id"] == 1 and record["applied"] is True


def test_batch_survives_records_that_broke_it(tmp_path):
    source = tmp_path / "in.jsonl"
    lines = [
        json.dumps({"id": 1, "code": C_IF_ELSE.replace("int b", "int b\ud800")}),  # half a surrogate pair
        "[" * 100_000 + "]" * 100_000,  # JSON nested past any recursion limit
        json.dumps({"id": 3, "code": C_IF_ELSE}),
    ]
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    result = run_batch_cli(source, "--output", str(target))
    assert result.exit_code == 0, result.stderr
    assert "3 lines" in result.stderr and "1 applied, 0 not applicable, 2 bad" in result.stderr
    records = [json.loads(line) for line in target.read_text(encoding="utf-8").splitlines()]
    assert [r.get("id") for r in records] == [1, None, 3]
    assert records[0]["code"] == json.loads(lines[0])["code"]  # written back escaped, unchanged
    assert "line 1" in records[0]["reason"] and "lone surrogate" in records[0]["reason"]
    assert "line 2" in records[1]["reason"] and "nested too deeply" in records[1]["reason"]
    assert records[2]["applied"] is True


def test_batch_reports_a_relation_bug_on_its_line_and_goes_on(tmp_path, monkeypatch):
    relation = RELATIONS.get("swap-if-else")
    original = relation._edits

    def fragile(self, parsed, rng, options):
        if b"boom" in parsed.source:
            raise ValueError("boom")
        return original(self, parsed, rng, options)

    monkeypatch.setattr(relation, "_edits", fragile)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"code": C_IF_ELSE + "// boom\n"}) + "\n" + json.dumps({"code": C_IF_ELSE}) + "\n")
    result = run_batch_cli(source)
    assert result.exit_code == 0, result.stderr
    first, second = [json.loads(line) for line in result.stdout.splitlines()]
    assert first["reason"] == "line 1: internal error in swap-if-else: ValueError: boom"
    assert second["applied"] is True


def interrupt_on_second_record(monkeypatch):
    relation = RELATIONS.get("swap-if-else")
    original = relation._edits

    def interrupted(self, parsed, rng, options):
        if b"interrupt" in parsed.source:
            raise KeyboardInterrupt
        return original(self, parsed, rng, options)

    monkeypatch.setattr(relation, "_edits", interrupted)
    return json.dumps({"code": C_IF_ELSE}) + "\n" + json.dumps({"code": C_IF_ELSE + "// interrupt\n"}) + "\n"


def test_batch_interrupted_leaves_the_output_as_it_was(tmp_path, monkeypatch):
    source = tmp_path / "in.jsonl"
    source.write_text(interrupt_on_second_record(monkeypatch), encoding="utf-8")
    target = tmp_path / "out.jsonl"
    target.write_text("previous results\n", encoding="utf-8")
    result = run_batch_cli(source, "--output", str(target))
    assert result.exit_code != 0  # not swallowed: the CLI maps the interrupt to its exit code
    assert target.read_text(encoding="utf-8") == "previous results\n"
    fresh = tmp_path / "new" / "out.jsonl"
    assert run_batch_cli(source, "--output", str(fresh)).exit_code != 0
    assert not fresh.exists()
    assert sorted(p.name for p in tmp_path.rglob("*")) == ["in.jsonl", "new", "out.jsonl"]  # no partial file left


def test_transform_does_not_swallow_an_interrupt(tmp_path, monkeypatch):
    from metacompress.cli.relations_cmd import run_batch

    source = tmp_path / "in.jsonl"
    source.write_text(interrupt_on_second_record(monkeypatch), encoding="utf-8")
    with pytest.raises(KeyboardInterrupt):
        run_batch(RELATIONS.get("swap-if-else")(), "c", 0, {}, source, "code", str(tmp_path / "out.jsonl"))
    monkeypatch.setattr(RELATIONS.get("swap-if-else"), "_edits", lambda *args: (_ for _ in ()).throw(KeyboardInterrupt()))
    single = tmp_path / "one.c"
    single.write_text(C_IF_ELSE, encoding="utf-8")
    result = invoke("transform", "-r", "swap-if-else", str(single))
    assert result.exit_code != 0 and result.stdout == ""


def test_batch_output_is_complete_and_keeps_the_usual_mode(tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(batch_lines()) + "\n", encoding="utf-8")
    target = tmp_path / "out.jsonl"
    assert run_batch_cli(source, "--output", str(target)).exit_code == 0
    assert len(target.read_text(encoding="utf-8").splitlines()) == len(batch_lines())
    umask = os.umask(0)
    os.umask(umask)
    assert stat.S_IMODE(target.stat().st_mode) == 0o666 & ~umask
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.jsonl", "out.jsonl"]
    folder = run_batch_cli(source, "--output", str(tmp_path))
    assert folder.exit_code == 2 and "is a directory" in one_line_error(folder)


# --- import weight --------------------------------------------------------------------------


def test_relations_and_transform_never_import_torch():
    script = (
        "import sys\n"
        "from click.testing import CliRunner\n"
        "import metacompress.cli.relations_cmd\n"
        "assert 'torch' not in sys.modules, 'importing the command module imported torch'\n"
        "from metacompress.cli import cli\n"
        "r = CliRunner().invoke(cli, ['relations'])\n"
        "assert r.exit_code == 0, r.output\n"
        f"r = CliRunner().invoke(cli, ['transform', '-l', 'c', '-r', 'swap-if-else'], input={C_IF_ELSE!r})\n"
        "assert r.exit_code == 0, r.output\n"
        "heavy = sorted(m for m in ('torch', 'transformers') if m in sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
