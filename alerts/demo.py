"""Demo data of the alerts app (`DEMO_STEPS`, run by `collab.demo` after the apps below): the technology
tenant's lead-to-cash process and the mining tenant's procure-to-pay process of its 晋北 subsidiary, each
from its built-in template in the tenant's language, with owner and collaborating units picked from the demo
org chart. Created through the services as the demo HR admin."""

from __future__ import annotations

from collab.demo.steps import DemoContext

# Per tenant: the template, the process's owner unit, and per stage (in the template's order) the owner
# unit, the collaborating units and the escalation role.
PROCESSES = {
    "tech": ("lead_to_cash", "TEC-SAL", [
        ("TEC-SAL", (), ""),
        ("TEC-SAL", ("TEC-DLV",), "Sales Director"),
        ("TEC-SAL", ("TEC-FIN",), "Sales Director"),
        ("TEC-SAL", ("TEC-FIN", "TEC-DLV"), "Sales Director"),
        ("TEC-FIN", ("TEC-SAL",), "Finance Manager"),
    ]),
    "mining": ("procure_to_pay", "MIN-JB-PUR", [
        ("MIN-JB-PROD", (), "生产部经理"),
        ("MIN-JB-PUR", ("MIN-JB-FIN",), "采购部经理"),
        ("MIN-JB-PUR", (), "采购部经理"),
        ("MIN-JB-PUR", ("MIN-JB-PROD",), "生产部经理"),
        ("MIN-JB-FIN", ("MIN-JB-PUR",), "财务部经理"),
    ]),
}  # fmt: skip


def processes_build(ctx: DemoContext) -> None:
    from django.utils import translation

    from alerts.process_templates import template_name, template_stages
    from alerts.services.processes import process_create

    plan = PROCESSES.get(ctx.plan.slug)
    if plan is None:
        return
    kind, owner_code, stage_units = plan
    codes = {owner_code} | {code for owner, others, _ in stage_units for code in (owner, *others)}
    if not codes <= set(ctx.units):
        return
    with translation.override(ctx.plan.locale):
        rows = template_stages(kind)
        name = template_name(kind)
    stages = [
        {**row, "owner_unit": ctx.units[owner].pk, "collaborating_units": [ctx.units[c].pk for c in others],
         "escalation_role": role}
        for row, (owner, others, role) in zip(rows, stage_units, strict=True)
    ]  # fmt: skip
    process_create(
        actor=ctx.hr_user,
        data={
            "name": name,
            "kind": kind,
            "owner_unit": ctx.units[owner_code],
            "owner": ctx.heads.get(owner_code),
        },  # fmt: skip
        stages=stages,
    )


DEMO_STEPS = [processes_build]
