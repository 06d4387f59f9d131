"""run_attack(config) -> AttackResult: adversarial and fidelity search over a sample, one call.

Load the task's data and both models exactly as ``run_audit`` does, build each input's edit
space, run both models once over the originals, search every input under the objective (each
search step one batched model call per model it reads), run both models on every input's best
rewrite, judge, and write report.json, report.md, report.html and adversarial.jsonl into ``--out``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..context import GatedResult, RunContext, check_device, load_models, run_in_context
from ..errors import InputError
from .config import ATTACK_FILES, OWN_RELATION, AttackConfig
from .objectives import get_objective
from .oracle import Oracle
from .outcome import (ALREADY_DISAGREE, ALREADY_WRONG, ATTACKED, FAILED, NO_BUDGET, NOTHING_TO_EDIT, SUCCESS,
                      Outcome, edit_size, queries_to_success)
from .recipes import get_recipe
from .search import Evaluated, Goal, Search
from .space import EditSpace, SpaceSettings
from .strategies import get_strategy
from .summary import build_report, records, write_attack
from .transformations import get_transformation

__all__ = ["ALREADY_DISAGREE", "ALREADY_WRONG", "ATTACKED", "FAILED", "NO_BUDGET", "NOTHING_TO_EDIT", "SUCCESS",
           "AttackResult", "Outcome", "attacks_of", "edit_size", "queries_to_success", "run_attack"]


def attacks_of(objective: str) -> tuple[str, ...]:
    """The attacks an objective runs, each named by the row it fills."""
    return get_objective(objective).attacks


@dataclass
class Attacked:
    """What the searches found, before judging."""

    examples: list[Any]
    spaces: list[EditSpace]
    originals: dict[str, np.ndarray]  # role -> [n, labels]
    outcomes: dict[str, list[Outcome]]  # attack -> one per example
    oracle: Oracle
    random_rewrites: Any = None  # (T_x, T_xp, S_x, S_xp, ids) over the relations' random rewrites


@dataclass
class AttackResult(GatedResult):
    """What ``run_attack`` returns: the report (``report.data`` is report.json), the per-input
    records of adversarial.jsonl, and where they were written."""

    report: Any  # metacompress.attack.summary.AttackReport
    records: list[dict[str, Any]]
    out_dir: Path | None


def run_attack(config: AttackConfig) -> AttackResult:
    """Validate every setting, then (holding ``--out``) load, search, judge and write.

    Launched as several processes (``accelerate launch -m metacompress attack ...``), every
    process searches a share of the inputs and the main process alone judges and writes; the
    files equal one process's (``metacompress.distributed``). The others return an empty result.
    """
    return run_in_context(config, ATTACK_FILES, lambda context: _attack(config, context))


def _attack(config: AttackConfig, context: RunContext) -> AttackResult:
    clock = time.perf_counter()
    check_device(config)
    # this process's connection (each searches its own inputs); a corrupt or locked --cache fails
    # now, before any data or model loads
    with context.store(config, shared=False) as store:
        return _load_and_search(config, context, store, clock)


def _load_and_search(config: AttackConfig, context: RunContext, store, clock: float) -> AttackResult:
    from ..inference import InferenceSettings
    from ..tasks import sample

    plan = context.plan
    timings: dict[str, float] = {}
    data = plan.task.load(config.data, **plan.load_options)
    examples = sample(data.examples, config.limit, config.seed)
    if not examples:
        raise InputError(f"{config.data}: no usable examples")
    if config.success_against == "label" and any(e.label is None for e in examples):
        raise InputError(f"{config.data}: --success-against label needs a gold label on every example")
    models = load_models(config, data.label_names)
    context.freeze_heap()
    settings = InferenceSettings(batch_size=config.batch_size, device=config.device, precision=config.precision,
                                 progress=False)
    oracle = Oracle(plan.task, models, settings, store, team=context.team)
    timings["load"] = time.perf_counter() - clock
    return _search_all(config, context, data, examples, oracle, clock, timings)


def _search_all(config: AttackConfig, context: RunContext, data, examples: list, oracle: Oracle, clock: float,
                timings: dict[str, float]) -> AttackResult:
    plan, team = context.plan, context.team
    models = oracle.models

    start = time.perf_counter()
    oracle.phase = "originals"
    originals = {role: oracle.probs_everywhere(role, [e.code for e in examples]) for role in models}
    usable = [k for k in range(len(examples)) if all(np.isfinite(p[k]).all() for p in originals.values())]
    if not usable:
        raise InputError("no example could be given to the models")
    _skip_unusable(examples, usable, data.skipped)
    examples = [examples[k] for k in usable]
    originals = {role: p[usable] for role, p in originals.items()}
    transformation = get_transformation(get_recipe(config.recipe).transformation)
    spaces = transformation.spaces(examples, SpaceSettings(
        plan.language, plan.sides, plan.relations, config.relation_options, config.substitutes,
        config.substitutes_field, config.candidates, config.max_relations, config.seed,
        config.assumptions, config.max_renames, config.max_token_change))
    timings["spaces"] = time.perf_counter() - start

    start = time.perf_counter()
    attacked = Attacked(examples, spaces, originals, {}, oracle)
    oracle.phase = "search"
    parts = team.run_everywhere(lambda: _search_share(config, attacked, team.share(len(examples))))
    for attack in attacks_of(config.objective):
        attacked.outcomes[attack] = [o for outcomes, _ in parts for o in outcomes[attack]]
    timings["search"] = time.perf_counter() - start
    search_calls = sum(calls["predict_proba_calls"] for _, calls in parts)
    search_sent = sum(calls["inputs_encoded"] for _, calls in parts)
    for _, calls in parts[1:]:  # the other processes' searches (the main one counted its own)
        for role in models:
            oracle.from_store[role] += calls["from_store"][role]
            oracle.computed[role] += calls["computed"][role]

    start = time.perf_counter()
    oracle.phase = "random rewrites"
    attacked.random_rewrites = _random_rewrites(config, context, attacked)
    if not team.is_main:
        return AttackResult(None, [], None)  # the main process judges and writes
    timings["random_rewrites"] = time.perf_counter() - start
    timings["total"] = time.perf_counter() - clock
    report = build_report(config, plan, data, models, attacked, {k: round(v, 3) for k, v in timings.items()},
                          {"predict_proba_calls": search_calls, "inputs_encoded": search_sent})
    rows = records(attacked, data.label_names)
    if plan.out is not None:
        from ..outdir import publish

        publish(plan.out, lambda folder: write_attack(folder, report, rows))
    return AttackResult(report, rows, plan.out)


def _search_share(config: AttackConfig, attacked: Attacked, share: range) -> tuple[dict[str, list[Outcome]], dict]:
    """Every attack on the inputs of ``share`` (one process's), each input's best rewrites probed
    on both models; and the model calls it took."""
    oracle = attacked.oracle
    calls, sent = oracle.calls, oracle.sent
    from_store, computed = dict(oracle.from_store), dict(oracle.computed)
    outcomes: dict[str, list[Outcome]] = {attack: [] for attack in attacks_of(config.objective)}
    for k in share:
        oracle.begin(attacked.examples[k].code, {role: p[k] for role, p in attacked.originals.items()})
        for attack in outcomes:
            outcome = _search(config, attack, k, attacked)
            _probe(oracle, outcome)
            outcomes[attack].append(outcome)
    return outcomes, {"predict_proba_calls": oracle.calls - calls, "inputs_encoded": oracle.sent - sent,
                      "from_store": {r: oracle.from_store[r] - n for r, n in from_store.items()},
                      "computed": {r: oracle.computed[r] - n for r, n in computed.items()}}


def _skip_unusable(examples, usable: list[int], skipped: list) -> None:
    from ..tasks import Skipped

    kept = set(usable)
    for k, example in enumerate(examples):
        if k not in kept:
            skipped.append(Skipped(example.id, "cannot be given to the models"))


def _search(config: AttackConfig, attack: str, k: int, attacked: Attacked) -> Outcome:
    example, space = attacked.examples[k], attacked.spaces[k]
    here = {role: p[k:k + 1] for role, p in attacked.originals.items()}
    objective = get_objective(config.objective)
    goal = objective.start(attack, config, example, here)
    if not isinstance(goal, Goal):
        return Outcome(goal)
    if config.budget == 0:
        return Outcome(NO_BUDGET)
    if space.empty:
        return Outcome(NOTHING_TO_EDIT)
    search = Search(space, goal, attacked.oracle, config.budget, float(goal.score(here)[0]), hunt=objective.hunt)
    strategy = config.search_strategy
    rng = random.Random(f"{config.seed}|{example.id}|{attack}|{strategy}")
    get_strategy(strategy).run(search, rng, config.max_relations)
    found: Evaluated | None = search.success or search.best
    if found is None:
        return Outcome(NOTHING_TO_EDIT, search.queries, exhausted=search.exhausted)
    return Outcome(SUCCESS if search.success else FAILED, search.queries, search.queries_to_success,
                   search.successes, found.candidate, found.code, exhausted=search.exhausted)


def _probe(oracle: Oracle, outcome: Outcome) -> None:
    """Both models on the outcome's best rewrite (mostly cached: the search queried it already)."""
    if outcome.code is not None:
        for role in oracle.models:
            outcome.probs[role] = oracle.probs(role, [outcome.code])[0]


def _random_rewrites(config: AttackConfig, context: RunContext, attacked: Attacked):
    """Every relation once per input with the run's seed (what ``run`` draws), both models on it."""
    from ..config import select_relations
    from ..distributed import rewrite_all
    from ..relations import RELATIONS, get_relation

    plan = context.plan
    # what run would draw: compose too, unless --relations named others (the attack leaves it out)
    relations = list(plan.relations) if config.relations is not None else [
        n for n in select_relations(None, plan.language) if n != OWN_RELATION]
    if OWN_RELATION in RELATIONS.names() and plan.language in get_relation(OWN_RELATION).languages:
        relations.append(OWN_RELATION)
    rewrites = [r for r in rewrite_all(attacked.examples, relations, plan.language, plan.sides, config.seed,
                                       config.relation_options, progress=False, team=context.team) if r.applied]
    codes = [r.code for r in rewrites]
    index = [r.example_index for r in rewrites]
    probs = {role: attacked.oracle.probs_everywhere(role, codes) for role in attacked.originals}
    keep = np.all([np.isfinite(p).all(axis=1) for p in probs.values()], axis=0) if codes else np.zeros(0, bool)
    index = [i for i, ok in zip(index, keep) if ok]
    return {"T_x": attacked.originals["teacher"][index], "T_xp": probs["teacher"][keep],
            "S_x": attacked.originals["student"][index], "S_xp": probs["student"][keep],
            "ids": [attacked.examples[i].id for i in index], "count": int(keep.sum())}
