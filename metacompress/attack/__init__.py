"""``metacompress attack``: adversarial search against one model, and fidelity search for
teacher-student disagreements, over semantics-preserving edits (see ``run_attack``)."""

from .config import AttackConfig
from .run import AttackResult, run_attack

__all__ = ["AttackConfig", "AttackResult", "run_attack"]
