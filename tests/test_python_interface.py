"""A Python library's interface is part of its behaviour: its own test must pass after any rewrite.

tests/corpus/pyinterface/shapes.py is a small library; check_shapes.py calls it the way users
do (keywords, ``**dict``, decorators, closures, dataclasses, lambdas, ``locals()``, ``f"{x=}"``)
and prints one line per check. Every registered relation rewrites the library with several
seeds, and the check must print the same and exit the same. Default options only: the opt-in
rename targets are meant to break callers outside the snippet, and the last test shows they do.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from metacompress.relations import RELATIONS, transform

LIBRARY = Path(__file__).resolve().parent / "corpus" / "pyinterface"
SEEDS = range(3)


def run_check(library_code: str, folder: Path) -> tuple[str, int]:
    """Run check_shapes.py against ``library_code`` as shapes.py; (stdout, exit status)."""
    folder.mkdir()
    shutil.copy(LIBRARY / "check_shapes.py", folder / "check_shapes.py")
    (folder / "shapes.py").write_text(library_code, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, "-B", "check_shapes.py"], cwd=folder, capture_output=True, text=True, timeout=60
    )
    return done.stdout + done.stderr[-2000:], done.returncode


@pytest.fixture(scope="module")
def original(tmp_path_factory) -> tuple[str, int]:
    outcome = run_check((LIBRARY / "shapes.py").read_text(encoding="utf-8"), tmp_path_factory.mktemp("original") / "run")
    assert outcome[1] == 0 and "0 failures" in outcome[0], outcome[0]
    return outcome


@pytest.mark.parametrize("relation", RELATIONS.names())
def test_every_relation_keeps_the_library_tests_passing(relation, original, tmp_path):
    code = (LIBRARY / "shapes.py").read_text(encoding="utf-8")
    variants = {}
    for seed in SEEDS:
        rewrite = transform(code, "python", relation, seed=seed)
        if rewrite.applied:
            variants.setdefault(rewrite.code, seed)
    if not variants:
        pytest.skip(f"{relation} does not apply to shapes.py")
    for index, (variant, seed) in enumerate(variants.items()):
        assert run_check(variant, tmp_path / str(index)) == original, f"{relation} seed {seed} changed behaviour"


def test_renaming_keyword_parameters_breaks_keyword_callers(original, tmp_path):
    """The risk targets=parameters documents, and proof that the check above can fail."""
    code = (LIBRARY / "shapes.py").read_text(encoding="utf-8")
    rewrite = transform(code, "python", "rename-identifiers", targets="locals+parameters")
    assert rewrite.applied
    output, status = run_check(rewrite.code, tmp_path / "run")
    assert status != 0 and "unexpected keyword argument" in output
