"""Settings split by concern (issue 19): run and attack share the model, data, judging and output
groups, attack takes none of run's report settings, and report.json records them as before."""

from __future__ import annotations

import dataclasses

import pytest

from metacompress.attack import AttackConfig
from metacompress.attack.summary import recorded_settings as attack_settings
from metacompress.config import (RECORDED_ORDER, AuditConfig, DataSettings, JudgingSettings, ModelSettings,
                                 OutputSettings, ReportSettings, recorded_settings)
from metacompress.errors import UsageError

BASE = dict(teacher="teacher", student="student", task="clone-detection", data="pairs.jsonl")
SHARED = (ModelSettings, DataSettings, JudgingSettings, OutputSettings)


def names(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


def test_run_and_attack_share_the_concern_groups_and_attack_takes_no_report_setting():
    for group in SHARED:
        assert names(group) <= names(AuditConfig) and names(group) <= names(AttackConfig), group.__name__
    assert names(ReportSettings) <= names(AuditConfig)
    assert not names(ReportSettings) & names(AttackConfig)
    groups = [names(g) for g in (*SHARED, ReportSettings)]
    assert sum(map(len, groups)) == len(set().union(*groups)), "a setting belongs to one concern"


def test_flat_keyword_construction_fills_every_group():
    config = AuditConfig(**BASE, batch_size=8, limit=5, bootstrap=0, out="runs/x", formats=["json"], fail_on="a>1")
    assert isinstance(config, ModelSettings) and config.batch_size == 8
    assert isinstance(config, DataSettings) and config.limit == 5
    assert isinstance(config, JudgingSettings) and config.bootstrap == 0 and config.fail_on == ["a>1"]
    assert isinstance(config, OutputSettings) and config.out == "runs/x"
    assert isinstance(config, ReportSettings) and config.formats == ["json"]


def test_recorded_settings_keep_their_order_and_rebuild_the_run():
    config = AuditConfig(**BASE, seed=3, relations=["swap-if-else"], task_options={"k": "v"})
    recorded = recorded_settings(config)
    assert list(recorded) == [k for k in RECORDED_ORDER if k in recorded]
    assert [f.name for f in dataclasses.fields(AuditConfig)] != list(recorded)  # grouped, yet recorded as before
    assert AuditConfig(**recorded) == config


def test_an_attack_records_the_shared_settings_first_then_its_own():
    config = AttackConfig(**BASE, budget=7, objective="disagree")
    recorded = attack_settings(config)
    own = [f.name for f in dataclasses.fields(AttackConfig) if f.name not in RECORDED_ORDER and f.name != "recipe"]
    shared = [k for k in RECORDED_ORDER if k in recorded]
    assert list(recorded) == shared + own
    assert "formats" not in recorded and "progress" not in recorded and "command" not in recorded
    assert AttackConfig(**recorded) == config


def test_a_library_attack_may_still_pass_progress_but_not_other_formats():
    assert AttackConfig(**BASE, progress=False) == AttackConfig(**BASE)
    with pytest.raises(UsageError, match="an attack always writes report.json"):
        AttackConfig(**BASE, formats=["json"]).validate()
