"""Conformance of EVERY registered relation on the executable corpus (tests/corpus/).

For each relation x language, every corpus program is rewritten with seeds 0..4 (and seeds 0..1
for each non-default value of each relation option). Each applied
rewrite must re-parse with exactly the input's parse errors, and (slow tests) must compile and
print the same stdout with the same exit status as the original. A relation must also be
documented, deterministic across processes (hash randomisation differs) and must apply to at
least one program of each language it supports: one that never applies is broken.

A registered relation whose module is missing or fails to import is a failure, never a skip.

Select one relation with ``-k <relation-name>``; skip the compile-and-run part with ``-m "not slow"``.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from metacompress.relations import RELATIONS, Relation, Rewrite
from metacompress.code.parsing import LANGUAGES, ParsedCode, error_signature, python_compiles

from corpus_runner import Outcome, corpus_programs, run_programs, toolchain_missing

SEEDS = range(5)
OPTION_SEEDS = (0, 1)  # each non-default option value is exercised with these seeds
DETERMINISM_SEEDS = (0, 3)
RELATION_NAMES = RELATIONS.names()
PAIRS = [(name, language) for name in RELATION_NAMES for language in LANGUAGES]
MAX_REPORTED = 4


@dataclass(frozen=True)
class Case:
    program: Path
    seed: int
    rewrite: Rewrite
    options: tuple[tuple[str, str], ...] = ()

    @property
    def label(self) -> str:
        chosen = "".join(f" {key}={value}" for key, value in self.options)
        return f"{self.rewrite.relation}{chosen} on {self.program.parent.name}/{self.program.name} seed {self.seed}"


def load_relation(name: str) -> Relation:
    """An instance of the registered relation (a missing module fails the test)."""
    return RELATIONS.get(name)()


def supported_relation(name: str, language: str) -> Relation:
    relation = load_relation(name)
    if language not in relation.languages:
        pytest.skip(f"{name} does not support {language}: {relation.unsupported.get(language, '')}")
    return relation


@functools.cache
def rewrites(name: str, language: str) -> tuple[Case, ...]:
    relation = supported_relation(name, language)
    runs = [((), seed) for seed in SEEDS] + [
        (((key, value),), seed) for key, values in relation.options.items() for value in values[1:] for seed in OPTION_SEEDS
    ]
    cases = []
    for program in corpus_programs(language):
        code = program.read_text(encoding="utf-8")
        for options, seed in runs:
            try:
                rewrite = relation.apply(code, language, seed=seed, **dict(options))
            except Exception as exc:  # a crash is a bug: name the program that triggers it
                pytest.fail(f"{name} {options} raised on {language}/{program.name} seed {seed}: {exc!r}")
            cases.append(Case(program, seed, rewrite, options))
    return tuple(cases)


@functools.cache
def original_outcomes(language: str) -> dict[str, Outcome]:
    programs = {p.name: (p.name, p.read_text(encoding="utf-8")) for p in corpus_programs(language)}
    return run_programs(language, programs)


def require_toolchain(language: str) -> None:
    missing = toolchain_missing(language)
    if missing:
        pytest.skip(f"cannot run {language} programs: {missing}")


def source_diff(case: Case) -> str:
    lines = difflib.unified_diff(
        case.rewrite.original.splitlines(keepends=True),
        case.rewrite.code.splitlines(keepends=True),
        f"a/{case.program.name}",
        f"b/{case.program.name}",
        n=2,
    )
    return "".join(lines)


def behaviour_report(case: Case, expected: Outcome, actual: Outcome) -> str:
    sites = "; ".join(f"line {s.line}: {s.description}" for s in case.rewrite.sites)
    output = "".join(
        difflib.unified_diff(
            expected.stdout.splitlines(keepends=True), actual.stdout.splitlines(keepends=True), "expected", "actual", n=1
        )
    )
    return (
        f"== {case.label}\nsites: {sites}\nstatus: expected {expected.status!r}, got {actual.status[:600]!r}\n"
        f"output diff:\n{output[:1500]}\nsource diff:\n{source_diff(case)[:3000]}"
    )


def test_corpus_is_meaty():
    for language in LANGUAGES:
        programs = corpus_programs(language)
        assert len(programs) >= 8, f"only {len(programs)} {language} programs in tests/corpus"


@pytest.mark.parametrize("language", LANGUAGES)
def test_corpus_programs_run(language):
    require_toolchain(language)
    for name, outcome in original_outcomes(language).items():
        assert outcome.ran, f"{language}/{name} does not run: {outcome.status}"
        assert outcome.stdout.count("\n") >= 3, f"{language}/{name} prints too little to compare"


MUTATIONS = {  # (find, replace-with) that changes what the first matching program prints
    "java": ("System.out.println(", 'System.out.println("mutated " + '),
    "c": ('printf("', 'printf("mutated '),
    "python": ("print(", 'print("mutated", '),
}


@pytest.mark.parametrize("language", LANGUAGES)
def test_runner_tells_programs_apart(language):
    """Guards the guard: a changed program must look changed, a broken one must not run."""
    require_toolchain(language)
    program = corpus_programs(language)[0]
    code = program.read_text(encoding="utf-8")
    find, replace = MUTATIONS[language]
    broken = code.replace(find, "}}} " + find, 1)
    variants = {"mutated": (program.name, code.replace(find, replace, 1)), "broken": (program.name, broken)}
    outcomes = run_programs(language, variants)
    expected = original_outcomes(language)[program.name]
    assert outcomes["mutated"].ran and outcomes["mutated"].stdout != expected.stdout
    assert outcomes["mutated"].stdout.replace("mutated ", "") == expected.stdout
    assert outcomes["broken"].status.startswith("compile-error"), outcomes["broken"].status


@pytest.mark.parametrize("name", RELATION_NAMES)
def test_relation_is_documented(name):
    relation = load_relation(name)
    assert relation.name == name
    assert relation.summary.strip() and "\n" not in relation.summary.strip(), f"{name}: needs a one-line summary"
    before, after = relation.example
    assert before.strip() and after.strip() and before != after, f"{name}: example must be a (before, after) pair"
    assert set(relation.languages) <= set(LANGUAGES)
    for language in LANGUAGES:
        if language not in relation.languages:
            assert relation.unsupported.get(language, "").strip(), f"{name}: say why {language} is unsupported"
    for option, values in relation.options.items():
        assert values, f"{name}: option {option} has no allowed value"


@pytest.mark.parametrize("name,language", PAIRS)
def test_applies_to_the_corpus(name, language):
    cases = rewrites(name, language)
    applied = [c for c in cases if c.rewrite.applied]
    assert applied, f"{name} never applies to the {language} corpus: " + "; ".join(
        sorted({c.rewrite.reason for c in cases})
    )
    internal = [f"{c.label}: {c.rewrite.reason}" for c in cases if "internal check" in c.rewrite.reason]
    assert not internal, "rewrites refused by the internal check (a bug in the hook):\n" + "\n".join(internal)
    for case in cases:
        if not case.rewrite.applied:
            assert case.rewrite.reason.strip() and case.rewrite.code == case.rewrite.original, case.label


@pytest.mark.parametrize("name,language", PAIRS)
def test_rewrites_reparse_cleanly(name, language):
    problems = []
    for case in rewrites(name, language):
        rewrite = case.rewrite
        if not rewrite.applied:
            continue
        before = ParsedCode.parse(rewrite.original, language)
        after = ParsedCode.parse(rewrite.code, language)
        if rewrite.code == rewrite.original:
            problems.append(f"{case.label}: applied but unchanged")
        elif not rewrite.sites:
            problems.append(f"{case.label}: applied without any site")
        elif error_signature(after.tree) != error_signature(before.tree):
            problems.append(f"{case.label}: parse errors changed\n{source_diff(case)}")
        elif language == "python" and not python_compiles(rewrite.code):
            problems.append(f"{case.label}: does not compile()\n{source_diff(case)}")
    assert not problems, "\n".join(problems[:MAX_REPORTED])


@pytest.mark.slow
@pytest.mark.parametrize("name,language", PAIRS)
def test_rewrites_preserve_behaviour(name, language):
    require_toolchain(language)
    cases = [c for c in rewrites(name, language) if c.rewrite.applied]
    if not cases:
        pytest.fail(f"{name} never applies to the {language} corpus")
    expected = original_outcomes(language)
    variants = {case.label: (case.program.name, case.rewrite.code) for case in cases}
    actual = run_programs(language, variants)
    failures = [
        behaviour_report(case, expected[case.program.name], actual[case.label])
        for case in cases
        if actual[case.label] != expected[case.program.name]
    ]
    summary = f"{len(failures)} of {len(cases)} {name} rewrites of the {language} corpus change behaviour"
    assert not failures, summary + "\n" + "\n".join(failures[:MAX_REPORTED])


DETERMINISM_SCRIPT = """
import hashlib, json, sys
from pathlib import Path
from metacompress.relations import get_relation
name, seeds, programs = sys.argv[1], json.loads(sys.argv[2]), json.loads(sys.argv[3])
relation = get_relation(name)
found = {}
for language, path in programs:
    code = Path(path).read_text(encoding="utf-8")
    for seed in seeds:
        rewrite = relation.apply(code, language, seed=seed)
        found[f"{language}|{path}|{seed}"] = hashlib.sha256(rewrite.code.encode()).hexdigest()
print(json.dumps(found))
"""


def digest(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


@pytest.mark.parametrize("name", RELATION_NAMES)
def test_deterministic_across_processes(name):
    relation = load_relation(name)
    here = {}
    for language in relation.languages:
        for case in rewrites(name, language):
            if case.seed in DETERMINISM_SEEDS and not case.options:
                here[f"{language}|{case.program}|{case.seed}"] = digest(case.rewrite.code)
                again = relation.apply(case.rewrite.original, language, seed=case.seed)
                assert again.code == case.rewrite.code, f"{case.label}: two runs in one process differ"
    programs = sorted({tuple(key.split("|")[:2]) for key in here})
    other_seed = "2" if os.environ.get("PYTHONHASHSEED") == "1" else "1"
    done = subprocess.run(
        [sys.executable, "-c", DETERMINISM_SCRIPT, name, json.dumps(list(DETERMINISM_SEEDS)), json.dumps(programs)],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONHASHSEED": other_seed},
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    there = json.loads(done.stdout)
    differing = sorted(key for key in here if here[key] != there.get(key))
    assert not differing, f"{name}: output depends on hash randomisation for {differing[:5]}"
