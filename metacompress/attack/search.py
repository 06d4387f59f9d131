"""Search: the model oracle (batched, cached), the objectives, and the three strategies.

One search attacks one input under one objective. Each step hands a list of candidates to
``Search.evaluate``, which builds and validates their code, drops invalid ones and ones already
queried, cuts the list to the budget left, and sends what remains to each model the objective
reads as ONE ``predict_proba`` call. ``--budget`` counts the distinct candidates sent per model;
the original's own query, made once for the whole sample, is not counted.

A flip attack stops at its first success. A hunt (the ``disagree`` objective) does not: it
spends its budget and counts every distinct candidate that meets the objective, since each one
is a semantics-preserving input on which the two models disagree; the first success still
gives the queries to success.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from ..metrics.core import js_distance
from .space import Candidate, EditSpace

RANDOM_STEP = 10  # candidates per step of the random strategy
POPULATION = 10  # genetic population (and children per generation)
IMMIGRANTS = 2  # random edit sets among each generation's children
RELATION_SEEDS = 5  # seeds greedy tries per relation site
GREEDY_NAMES = 5  # names greedy tries per variable (its first candidates), so one pass reaches many variables
REACH = 0.5  # share of the distance to success single edits' summed gains must cover for greedy to climb
STALE_ROUNDS = 3  # steps that propose nothing new before a strategy gives up


class Oracle:
    """Both models behind one cache keyed by model input: each distinct text runs once per model.

    The cache holds one input's search at a time (``begin``), so what a search sees never depends
    on which inputs were searched before it, nor on which process of a sharded run searches it.
    Behind it, the prediction store (``store``: this process's connection, None with --no-cache)
    gives what an earlier run computed and keeps what this one computes, step by step.
    """

    def __init__(self, task: Any, models: dict[str, Any], settings: Any, store: Any = None, main: bool = True):
        self.task = task
        self.models = models  # role -> audit.LoadedModel (model, order)
        self.settings = settings
        self.store = store
        self.main = main  # the main process of a sharded run (or the only one): holds the store in shared calls
        self.from_store = {role: 0 for role in models}  # distinct inputs taken from the store
        self.computed = {role: 0 for role in models}  # distinct inputs the model computed
        self.cache: dict[str, dict[Any, np.ndarray]] = {role: {} for role in models}
        self.calls = 0  # predict_proba calls
        self.sent = 0  # inputs sent (cache misses)
        self.seconds = 0.0  # inside predict_proba
        self.phase = ""  # what the calls are for now: originals, search, random rewrites
        self.steps: list[tuple[str, str, list[Any]]] = []  # (phase, role, inputs) of every call, when recording

    record = False  # scripts/bench_attack.py sets it to replay the same calls without the search

    def begin(self, code: tuple[str, ...], original: dict[str, np.ndarray]) -> None:
        """Start one input's search: forget the last one's outputs, keep the models' rows on ``code``."""
        key = self.task.model_input(code)
        self.cache = {role: {key: original[role]} for role in self.models}

    def probs(self, role: str, codes: list[tuple[str, ...]]) -> np.ndarray:
        """[len(codes), labels] in task label order; a row of NaN where the model cannot take the input."""
        cache = self.cache[role]
        keys = [self.task.model_input(code) for code in codes]
        missing = list(dict.fromkeys(k for k in keys if k not in cache))
        if missing:
            cache.update(zip(missing, self._predict(role, missing, everywhere=False)))
        if not keys:
            return np.zeros((0, len(self.models[role].order)))
        return np.stack([cache[k] for k in keys])

    def probs_everywhere(self, role: str, codes: list[tuple[str, ...]]) -> np.ndarray:
        """``probs`` for inputs every process of a sharded run asks for together (the originals,
        the random rewrites): each process computes a share; nothing is read from the cache."""
        keys = [self.task.model_input(code) for code in codes]
        if not keys:
            return np.zeros((0, len(self.models[role].order)))
        return self._predict(role, keys, everywhere=True)

    def _predict(self, role: str, inputs: list[Any], everywhere: bool) -> np.ndarray:
        from ..store import predict_with_store

        loaded = self.models[role]
        store = self.store if self.main or not everywhere else None
        predicted, counts = predict_with_store(loaded.model, inputs, self.settings, store, here=not everywhere)
        if self.main or not everywhere:  # a shared call's counts are the main process's
            self.from_store[role] += counts.from_store
            self.computed[role] += counts.computed
        self.calls += 1
        self.sent += len(dict.fromkeys(inputs))
        self.seconds += predicted.seconds
        if self.record:
            self.steps.append((self.phase, role, inputs))
        return predicted.probs[:, loaded.order]


@dataclass
class Objective:
    """What a search maximises (``score``) and when it stops (``success``), from the models' probabilities."""

    roles: tuple[str, ...]
    score: Callable[[dict[str, np.ndarray]], np.ndarray]
    success: Callable[[dict[str, np.ndarray]], np.ndarray]
    #: how far a score is from success, in units that roughly add up over independent edits
    #: (None: no such scale, and greedy never judges its reach)
    distance: Callable[[float], float] | None = None


def flip_objective(role: str, reference: int) -> Objective:
    """Move the model away from class ``reference`` (its prediction on x, or the gold label).
    Distance: the log-odds of the reference class, which single edits shift roughly additively."""
    return Objective(
        (role,),
        score=lambda p: 1.0 - p[role][:, reference],
        success=lambda p: p[role].argmax(axis=1) != reference,
        distance=_log_odds_of_staying,
    )


def _log_odds_of_staying(score: float) -> float:
    staying = min(max(1.0 - score, 1e-12), 1.0 - 1e-12)
    return math.log(staying / (1.0 - staying))


def disagree_objective(js_threshold: float) -> Objective:
    """Drive teacher and student apart: guided by their JS distance; success at a label
    disagreement or a JS distance over the threshold."""
    def score(p):
        return js_distance(p["teacher"], p["student"]) + (p["teacher"].argmax(axis=1) != p["student"].argmax(axis=1))

    def success(p):
        differ = p["teacher"].argmax(axis=1) != p["student"].argmax(axis=1)
        return differ | (js_distance(p["teacher"], p["student"]) > js_threshold)

    return Objective(("teacher", "student"), score, success)


@dataclass
class Evaluated:
    candidate: Candidate
    code: tuple[str, ...]
    score: float
    success: bool
    probs: dict[str, np.ndarray]  # role -> [labels]


@dataclass
class Search:
    """The state of one input's search: queries spent, the best candidate, success."""

    space: EditSpace
    objective: Objective
    oracle: Oracle
    budget: int
    start_score: float
    hunt: bool = False  # keep searching after a success, counting each one
    queries: int = 0
    best: Evaluated | None = None
    success: Evaluated | None = None
    successes: int = 0  # distinct candidates that met the objective
    queries_to_success: int | None = None  # queries spent when the first one was found
    seen_codes: set[tuple[str, ...]] = field(default_factory=set)
    seen: dict[Candidate, Evaluated | None] = field(default_factory=dict)

    @property
    def done(self) -> bool:
        return self.queries >= self.budget or (self.success is not None and not self.hunt)

    def is_new(self, candidate: Candidate) -> bool:
        if candidate in self.seen:
            return False
        code = self.space.build(candidate)
        return code is not None and code not in self.seen_codes

    def evaluate(self, candidates: list[Candidate]) -> list[Evaluated | None]:
        """Score the candidates (one model call per role); None for invalid ones and those over budget."""
        fresh: list[tuple[Candidate, tuple[str, ...]]] = []
        codes_now: set[tuple[str, ...]] = set()
        for candidate in dict.fromkeys(candidates):
            if candidate in self.seen or len(fresh) >= self.budget - self.queries:
                continue
            code = self.space.build(candidate)
            if code is None or code in self.seen_codes or code in codes_now:
                self.seen[candidate] = None
                continue
            codes_now.add(code)
            fresh.append((candidate, code))
        if fresh:
            self._query(fresh)
        return [self.seen.get(candidate) for candidate in candidates]

    def _query(self, fresh: list[tuple[Candidate, tuple[str, ...]]]) -> None:
        codes = [code for _, code in fresh]
        probs = {role: self.oracle.probs(role, codes) for role in self.objective.roles}
        usable = np.all([np.isfinite(p).all(axis=1) for p in probs.values()], axis=0)
        scores = self.objective.score(probs)
        wins = self.objective.success(probs)
        self.queries += len(fresh)
        self.seen_codes.update(codes)
        for k, (candidate, code) in enumerate(fresh):
            if not usable[k]:
                self.seen[candidate] = None
                continue
            result = Evaluated(candidate, code, float(scores[k]), bool(wins[k]),
                               {role: p[k] for role, p in probs.items()})
            self.seen[candidate] = result
            if self.best is None or _better(result, self.best):
                self.best = result
            if result.success:
                self.successes += 1
                if self.queries_to_success is None:
                    self.queries_to_success = self.queries
                if self.success is None or result.score > self.success.score:
                    self.success = result


def _better(a: Evaluated, b: Evaluated) -> bool:
    return (a.success, a.score) > (b.success, b.score)


# ---- strategies -----------------------------------------------------------------------------------


def random_search(search: Search, rng: random.Random, max_relations: int) -> None:
    """Random edit sets, RANDOM_STEP per step, until success or the budget is spent."""
    stale = 0
    while not search.done and stale < STALE_ROUNDS:
        want = min(RANDOM_STEP, search.budget - search.queries)
        batch = _new_candidates(search, lambda: search.space.random_candidate(rng, max_relations), want, [])
        stale = stale + 1 if not batch else 0
        if batch:
            search.evaluate(batch)


def greedy_search(search: Search, rng: random.Random, max_relations: int) -> None:
    """ALERT's two stages, after one look at random edit sets.

    1. POPULATION random edit sets, as one step: the genetic stage's first generation, drawn
       first because on a saturated model (one that only large, varied edits flip) they are
       the likeliest candidates to succeed outright.
    2. ALERT's first stage: probe each site with one edit, rank the sites by how far that edit
       moved the objective, and improve the edit set site by site in that order, each site's
       candidates as one step. It runs only where it can arrive: where single edits' gains,
       all added up, cover REACH of the distance to success, as estimated first from the random
       sets (no probe is spent where even they show no reach) and then from the probes. On a
       0.9997 prediction that one rename moves by a few thousandths, a site-by-site climb
       spends the budget and gets nowhere.
    3. ALERT's second stage with whatever budget is left, bred from the best edit sets found.
    """
    sets = _first_generation(search, rng, max_relations)
    if search.done:
        return
    if _within_reach(search, _single_gains_seen_in(search, sets, max_relations)):
        probes, results = _probe(search, max_relations)
        if _within_reach(search, _single_gains(search, results)):
            _greedy_pass(search, max_relations, probes, results)
    if not search.done:
        found = sorted((r for r in search.seen.values() if r is not None),
                       key=lambda r: (-r.score, r.candidate.renames, r.candidate.relations))
        genetic_search(search, rng, max_relations, found[:POPULATION])


def _probe(search: Search, max_relations: int) -> tuple[list[tuple[Any, Candidate]], list[Evaluated | None]]:
    """One edit at each site (a variable renamed to its first name, a relation applied once), as one step."""
    space = search.space
    probes: list[tuple[Any, Candidate]] = []
    for index, slot in enumerate(space.slots):
        probes.append((("slot", index), Candidate(((index, slot.names[0]),))))
    if max_relations:
        for name in space.relations:
            probes.append((("relation", name), Candidate((), ((name, 0, space.relation_sides[name][0]),))))
    return probes, search.evaluate([c for _, c in probes])


def _within_reach(search: Search, gains: float | None) -> bool:
    """Whether single edits' gains, all added up, cover REACH of the distance to success
    (None: the objective has no distance, and every climb is worth trying)."""
    return gains is None or gains >= REACH * search.objective.distance(search.start_score)


def _gain(search: Search, result: Evaluated) -> float:
    distance = search.objective.distance
    return max(0.0, distance(search.start_score) - distance(result.score))


def _single_gains(search: Search, probes: list[Evaluated | None]) -> float | None:
    """The probes' gains added up."""
    if search.objective.distance is None:
        return None
    return sum(_gain(search, r) for r in probes if r is not None)


def _single_gains_seen_in(search: Search, sets: list[Evaluated], max_relations: int) -> float | None:
    """The same sum estimated from random edit sets, before any probe is spent: where gains add
    up, a set of k of the n sites gains k/n of the whole sum on average."""
    if search.objective.distance is None or not sets:
        return None
    sites = len(search.space.slots) + (len(search.space.relations) if max_relations else 0)  # what _probe probes
    return sum(_gain(search, r) * sites / max(1, r.candidate.size) for r in sets) / len(sets)


def _greedy_pass(search: Search, max_relations: int, probes: list[tuple[Any, Candidate]],
                 results: list[Evaluated | None]) -> None:
    space = search.space
    ranked = sorted(range(len(probes)), key=lambda k: (-(results[k].score if results[k] else -np.inf), k))
    current, current_score = Candidate(), search.start_score
    relations_used = 0
    for k in ranked:
        if search.done:
            return
        (kind, site), _ = probes[k]
        if kind == "slot":
            options = [current.with_rename(site, name) for name in space.slots[site].names[:GREEDY_NAMES]]
        else:
            if relations_used >= max_relations:
                continue
            options = [Candidate(current.renames, current.relations + ((site, seed, side),))
                       for side in space.relation_sides[site] for seed in range(RELATION_SEEDS)]
        scored = [r for r in search.evaluate(options) if r is not None]
        if results[k] is not None:
            scored.append(results[k])
        best = max(scored, key=lambda r: (r.success, r.score), default=None)
        if best is not None and best.score > current_score:
            current, current_score = best.candidate, best.score
            relations_used = len(current.relations)


def genetic_search(search: Search, rng: random.Random, max_relations: int,
                   population: list[Evaluated] | None = None) -> None:
    """ALERT's second stage: a population of edit sets bred by crossover and mutation,
    POPULATION children per generation (one step each), the fittest kept. Without a starting
    ``population``, the first is POPULATION random edit sets, drawn as the random strategy draws."""
    space = search.space
    if not population:
        population = _first_generation(search, rng, max_relations)
    stale = 0
    while population and not search.done and stale < STALE_ROUNDS:
        def bred() -> Candidate:
            a, b = _pick(population, rng), _pick(population, rng)
            return _mutate(_crossover(a.candidate, b.candidate, rng), space, rng, max_relations)

        children = _new_candidates(search, bred, POPULATION - IMMIGRANTS, [])
        # random immigrants keep exploring, and fill the generation when breeding runs out of new children
        children = _new_candidates(search, lambda: space.random_candidate(rng, max_relations), POPULATION, children)
        stale = stale + 1 if not children else 0
        born = [r for r in search.evaluate(children) if r is not None]
        population = sorted(population + born, key=lambda r: (-r.score, r.candidate.renames, r.candidate.relations))
        population = population[:POPULATION]


def _first_generation(search: Search, rng: random.Random, max_relations: int) -> list[Evaluated]:
    """POPULATION random edit sets, drawn as the random strategy draws, scored as one step."""
    first = _new_candidates(search, lambda: search.space.random_candidate(rng, max_relations), POPULATION, [])
    return [r for r in search.evaluate(first) if r is not None]


def _new_candidates(search: Search, make: Callable[[], Candidate], want: int, taken: list[Candidate]) -> list[Candidate]:
    """``taken`` plus candidates from ``make`` never queried before, up to ``want`` in all (20 tries each)."""
    chosen = list(taken)
    for _ in range(20 * want):
        if len(chosen) >= want:
            break
        candidate = make()
        if candidate not in chosen and search.is_new(candidate):
            chosen.append(candidate)
    return chosen


def _pick(population: list[Evaluated], rng: random.Random) -> Evaluated:
    """Tournament of two."""
    a, b = rng.choice(population), rng.choice(population)
    return a if a.score >= b.score else b


def _crossover(a: Candidate, b: Candidate, rng: random.Random) -> Candidate:
    first, second = dict(a.renames), dict(b.renames)
    renames = {}
    for slot in sorted(set(first) | set(second)):
        options = [x for x in (first.get(slot), second.get(slot)) if x is not None]
        if slot in first and slot in second:
            renames[slot] = rng.choice(options)
        elif rng.random() < 0.5:
            renames[slot] = options[0]
    relations = rng.choice([a.relations, b.relations])
    return Candidate(tuple(sorted(renames.items())), relations)


def _mutate(candidate: Candidate, space: EditSpace, rng: random.Random, max_relations: int) -> Candidate:
    """One slot given a random candidate name, or (sometimes, or when nothing is renamable) one relation changed."""
    use_relation = space.relations and max_relations and (not space.slots or rng.random() < 0.2)
    if use_relation:
        relations = list(candidate.relations)
        if relations and (len(relations) >= max_relations or rng.random() < 0.5):
            relations[rng.randrange(len(relations))] = space.random_relation(rng)
        else:
            relations.append(space.random_relation(rng))
        return Candidate(candidate.renames, tuple(relations))
    if not space.slots:
        return candidate
    slot = rng.randrange(len(space.slots))
    return candidate.with_rename(slot, rng.choice(space.slots[slot].names))


STRATEGIES = {"random": random_search, "greedy": greedy_search, "genetic": genetic_search}
