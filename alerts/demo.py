"""Demo data of the alerts app (`DEMO_STEPS`, run by `collab.demo` after the apps below): the technology
tenant's lead-to-cash process and the mining tenant's procure-to-pay process of its 晋北 subsidiary, each
from its built-in template in the tenant's language, with owner and collaborating units picked from the demo
org chart. Created through the services as the demo HR admin. Then a few KPIs on each process's stages
with 24–36 monthly points up to last month: one with a planted spike in its latest month (the KPI page flags
it), one too short for a verdict (its page says how many points it still needs)."""

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
    ctx.extra["alerts_process"] = process_create(
        actor=ctx.hr_user,
        data={
            "name": name,
            "kind": kind,
            "owner_unit": ctx.units[owner_code],
            "owner": ctx.heads.get(owner_code),
        },  # fmt: skip
        stages=stages,
    )


# Per tenant: (stage order, code, name, unit, direction, amber, red, level, noise, months, spike factor).
KPIS = {
    "tech": [
        (1, "L2C-CONV", "Lead conversion rate", "%", "higher_better", 18, 12, 22.0, 1.2, 30, None),
        (3, "L2C-APPROVAL", "Contract approval time", "h", "lower_better", 40, 56, 30.0, 2.5, 30, 2.2),
        (4, "L2C-DELAY", "Shipment delay ratio", "%", "lower_better", 8, 12, 5.0, 0.6, 24, None),
        (5, "L2C-OVERDUE", "Overdue receivable days", "days", "lower_better", 30, 45, 21.0, 3.0, 5, None),
    ],
    "mining": [
        (2, "P2P-APPROVAL", "审批时长", "小时", "lower_better", 36, 48, 26.0, 2.0, 36, 2.0),
        (4, "P2P-DELAY", "到货延迟率", "%", "lower_better", 10, 15, 6.0, 0.8, 24, None),
        (5, "P2P-OVERDUE", "逾期付款天数", "天", "lower_better", 20, 30, 12.0, 2.0, 4, None),
    ],
}  # fmt: skip


def _months_back(last, count: int) -> list:
    """The first days of the `count` months up to `last`'s, oldest first."""
    import datetime as dt

    number = last.year * 12 + last.month - 1
    return [dt.date((number - i) // 12, (number - i) % 12 + 1, 1) for i in range(count)][::-1]


def process_kpis_build(ctx: DemoContext) -> None:
    from alerts.models import ProcessStage
    from alerts.services.kpis import kpi_points_write, process_kpi_create

    process = ctx.extra.get("alerts_process")
    plan = KPIS.get(ctx.plan.slug)
    if process is None or plan is None:
        return
    stages = {stage.order: stage for stage in ProcessStage.objects.filter(process=process)}
    import datetime as dt

    last = (ctx.today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)  # last month
    rows = []
    for order, code, name, unit, direction, amber, red, level, noise, months, spike in plan:
        kpi = process_kpi_create(actor=ctx.hr_user, data={
            "stage": stages[order], "code": code, "name": name, "unit_label": unit, "granularity": "monthly",
            "direction": direction, "amber": amber, "red": red,
        })  # fmt: skip
        days = _months_back(last, months)
        for i, day in enumerate(days):
            seasonal = 0.08 * level * (1 if day.month in (1, 2, 12) else 0)  # a busier winter
            value = level + seasonal + ctx.rng.gauss(0, noise)
            if spike and i == len(days) - 1:
                value = level * spike
            rows.append({"kpi": kpi, "at": day, "value": round(max(value, 0.0), 2)})
    kpi_points_write(actor=ctx.hr_user, kpi_rows=rows, source="import")


DEMO_STEPS = [processes_build, process_kpis_build]
