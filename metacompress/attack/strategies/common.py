"""What the strategies share: fresh candidates, the first generation, when to give up, and the
sweep that spends what budget a strategy leaves."""

from __future__ import annotations

import random
from typing import Callable, Iterator

from ..search import Evaluated, Search
from ..space import Candidate, EditSpace

POPULATION = 10  # genetic population (and children per generation); greedy's first look
STALE_ROUNDS = 3  # steps that propose nothing new before a strategy gives up


def first_generation(search: Search, rng: random.Random, max_relations: int) -> list[Evaluated]:
    """POPULATION random edit sets, drawn as the random strategy draws, scored as one step."""
    first = new_candidates(search, lambda: search.space.random_candidate(rng, max_relations), POPULATION, [])
    return [r for r in search.evaluate(first) if r is not None]


def new_candidates(search: Search, make: Callable[[], Candidate], want: int, taken: list[Candidate]) -> list[Candidate]:
    """``taken`` plus candidates from ``make`` never queried before, up to ``want`` in all (20 tries each)."""
    chosen = list(taken)
    for _ in range(20 * want):
        if len(chosen) >= want:
            break
        candidate = make()
        if candidate not in chosen and search.is_new(candidate):
            chosen.append(candidate)
    return chosen


def change_relation(candidate: Candidate, space: EditSpace, rng: random.Random, replace: bool) -> Candidate:
    """``candidate`` with one of its relation applications redrawn (``replace``) or one more drawn."""
    relations = list(candidate.relations)
    if replace:
        relations[rng.randrange(len(relations))] = space.random_relation(rng)
    else:
        relations.append(space.random_relation(rng))
    return Candidate(candidate.renames, tuple(relations))


def rename_one(candidate: Candidate, space: EditSpace, rng: random.Random, every_name: bool = False) -> Candidate:
    """``candidate`` with one random variable given a random one of its names (``every_name``:
    the reserve of the data's substitutes included); unchanged when nothing is renamable."""
    if not space.slots:
        return candidate
    slot = rng.randrange(len(space.slots))
    names = space.slots[slot].every_name if every_name else space.slots[slot].names
    return candidate.with_rename(slot, rng.choice(names))


SWEEP_STEP = 10  # candidates per model call in the sweep
SWEEP_SEEDS = 10  # seeds the sweep tries per relation site, at each edit set


def neighbours(space: EditSpace, candidate: Candidate, max_relations: int) -> Iterator[Candidate]:
    """Every edit set one edit away from ``candidate``: one more (or another) name for one
    variable (any of its names, the reserve included), name rank first so that every variable
    gets its first name before any its second;
    then one more relation application (SWEEP_SEEDS seeds per site) while under ``max_relations``."""
    renamed = dict(candidate.renames)
    names = [slot.every_name for slot in space.slots]
    for rank in range(max(map(len, names), default=0)):
        for index, options in enumerate(names):
            if rank < len(options) and renamed.get(index) != options[rank]:
                yield candidate.with_rename(index, options[rank])
    if max_relations and len(candidate.relations) < max_relations:
        for seed in range(SWEEP_SEEDS):
            for relation in space.relations:
                for side in space.relation_sides[relation]:
                    yield Candidate(candidate.renames, candidate.relations + ((relation, seed, side),))


def sweep(search: Search, max_relations: int) -> None:
    """Spend what budget a strategy left: best-first over edit sets, SWEEP_STEP candidates per
    step, each step taken from the untried neighbours of the best edit set found so far (the
    original first). Sets ``search.exhausted`` when no untried edit set is reachable one valid
    edit at a time from the original. Every built-in strategy ends with it."""
    space = search.space
    open_sets: dict[Candidate, Iterator[Candidate]] = {}
    done: set[Candidate] = set()
    while not search.done:
        node = _best_open(search, done)
        if node is None:
            search.exhausted = True
            return
        if node not in open_sets:
            open_sets[node] = neighbours(space, node, max_relations)
        batch: list[Candidate] = []
        for candidate in open_sets[node]:
            if candidate not in batch and search.is_new(candidate):
                batch.append(candidate)
                if len(batch) >= min(SWEEP_STEP, search.budget - search.queries):
                    break
        if not batch:
            done.add(node)
            open_sets.pop(node, None)
            continue
        search.evaluate(batch)


def _best_open(search: Search, done: set[Candidate]) -> Candidate | None:
    """The best-scoring edit set (the original counts, at its own score) not yet fully expanded."""
    best, best_score = (None, float("-inf")) if Candidate() in done else (Candidate(), search.start_score)
    for candidate, result in search.seen.items():
        if result is not None and candidate not in done and result.score > best_score:
            best, best_score = candidate, result.score
    return best
