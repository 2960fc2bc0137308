"""Isolation samples of the appraisal set-up: a launched cycle with an appraisal (its page, its board, an
appraisal to remind) and a draft cycle (edit, delete). Built without a grade scale, so that other parts'
samples may create the tenant's scale."""

from __future__ import annotations

from appraisal.models import CycleStatus, ParticipantRule, Stage
from tests.factories.appraisal import AppraisalFactory, CycleFactory, date_stages
from tests.factories.org import EmployeeFactory, OrgUnitFactory

ORDER = 91


def build(tenant, objects: dict) -> dict:
    unit = OrgUnitFactory(name="iso-setup team")
    manager = EmployeeFactory(org_unit=unit, name="iso-setup manager")
    person = EmployeeFactory(org_unit=unit, manager=manager, name="iso-setup person")
    cycle = CycleFactory(name="iso-setup cycle", status=CycleStatus.ACTIVE)
    date_stages(cycle, current=Stage.SELF_ASSESSMENT)
    appraisal = AppraisalFactory(cycle=cycle, employee=person, stage=Stage.SELF_ASSESSMENT)
    draft = CycleFactory(period=cycle.period, name="iso-setup draft", status=CycleStatus.DRAFT)
    date_stages(draft)
    ParticipantRule.objects.create(cycle=draft, org_unit=unit, include_sub_units=True)
    return {"setup_cycle": cycle, "setup_cycle_draft": draft, "setup_appraisal": appraisal}


ROUTE_KWARGS = {
    "appraisal-cycle-detail": lambda o: {"pk": o["setup_cycle"].pk},
    "appraisal-board": lambda o: {"pk": o["setup_cycle"].pk},
    "appraisal-cycle-edit": lambda o: {"pk": o["setup_cycle_draft"].pk},
    "appraisal-cycle-delete": lambda o: {"pk": o["setup_cycle_draft"].pk},
}

API_DETAIL = {"api-appraisal-cycle": "setup_cycle_draft"}
