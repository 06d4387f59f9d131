"""Rewrite snippets with every relation in a fresh process and print every outcome.

    python tests/determinism_runner.py CASES.json JUNK

CASES.json holds a list of {"language", "code"}; each snippet is rewritten with every relation
that supports its language, for seeds 0 and 1, and each outcome (code, reason, sites) is one
JSON line on stdout. JUNK > 0 first allocates and parses a JUNK-dependent amount of throwaway
data, so that this process's objects and tree-sitter trees sit at other addresses than in a
run with another JUNK: output that depends on addresses (hashes of nodes) then differs.
"""

from __future__ import annotations

import json
import random
import sys

SEEDS = (0, 1)


def allocate_junk(amount: int) -> list[object]:
    if amount <= 0:
        return []
    from metacompress.code.parsing import get_parser

    rng = random.Random(amount)
    kept: list[object] = [bytearray(rng.randrange(1, 1 << 20)) for _ in range(rng.randrange(1, 20))]
    kept += [object() for _ in range(rng.randrange(1000, 50_000))]
    for language in ("java", "c", "python"):
        for _ in range(rng.randrange(1, 8)):
            code = "int f(int a) { return a + %d; }\n" % rng.randrange(1000) * rng.randrange(1, 50)
            kept.append(get_parser(language).parse(code.encode()))
    return kept


def main(cases_path: str, junk: int) -> None:
    kept = allocate_junk(junk)
    from metacompress.errors import InputError
    from metacompress.relations import RELATIONS, get_relation

    with open(cases_path, encoding="utf-8") as handle:
        cases = json.load(handle)
    for index, case in enumerate(cases):
        for name in RELATIONS.names():
            relation = get_relation(name)
            if case["language"] not in relation.languages:
                continue
            for seed in SEEDS:
                try:
                    rewrite = relation.apply(case["code"], case["language"], seed=seed)
                    outcome = {"code": rewrite.code, "reason": rewrite.reason, "sites": rewrite.as_dict()["sites"]}
                except InputError as exc:
                    outcome = {"error": str(exc)}
                print(json.dumps({"case": index, "relation": name, "seed": seed, **outcome}, sort_keys=True))
    del kept


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
