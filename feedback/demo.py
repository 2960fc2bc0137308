"""Demo data of the feedback app: the review templates the seed names (§二.1 内部客户评价): R&D rated by
sales, HR rated by every business unit, and, in the mining group, the shared services rated by the mines.
Created through `review_template_create` as the demo HR admin (`DEMO_STEPS`, run by `collab.demo`).

Bonus and penalty points (seed 000 §三.2.1): the seed's six items, a project lead, and this year's proposals
through the services — one approved for the employee login (their "My points"), one waiting for the manager
login's approval, one approved and one rejected in the manager login's own unit.

The collaboration event log (§二.1 绩效颗粒化): a few dozen requests, responses, deliverables and meetings
between the demo units over the last weeks, through the event services, so the list, the measures page and
the "what is recorded about my unit" view have something to show."""

from __future__ import annotations

from typing import TYPE_CHECKING

from collab.models import Role
from feedback.demo_results import review_results_build
from feedback.services.events import event_record, events_record_bulk
from feedback.services.points.catalog import point_item_create, point_project_lead_add
from feedback.services.points.proposals import (
    point_proposal_approve,
    point_proposal_create,
    point_proposal_reject,
)
from feedback.services.templates import review_template_create

if TYPE_CHECKING:
    from collab.demo.steps import DemoContext

ANCHORS = {
    "speed": (
        "超过一周仍未回应", "一周内回应", "三个工作日内回应", "一个工作日内回应", "当天回应并给出处理计划",
    ),
    "feasibility": (
        "方案无法落地", "需大幅返工才能落地", "基本可行，需少量调整", "可直接落地",
        "可直接落地并考虑了后续扩展",
    ),
    "solving": (
        "问题长期悬而未决", "需多次催促才解决", "在约定时间内解决", "提前解决", "提前解决并杜绝复发",
    ),
    "recruiting": (
        "岗位空缺超过三个月", "两到三个月到岗", "一到两个月到岗", "一个月内到岗", "两周内到岗且人岗匹配",
    ),
    "training": (
        "培训与业务无关", "少部分内容可用", "大部分内容可用", "针对业务痛点设计", "针对痛点设计并跟踪效果",
    ),
    "service": (
        "经常出错或拖延", "偶有差错", "按时准确", "按时准确并主动提醒", "主动优化流程、减少我方工作量",
    ),
}  # fmt: skip

TEMPLATES = {
    "tech": [
        (
            "研发部内部客户评价（销售部评）",
            "研发部的内部客户是销售部：评价需求响应与方案质量。",
            [
                ("需求响应速度", "客户需求提出后研发的响应", "speed"),
                ("方案可行性", "研发给出的方案能否落地", "feasibility"),
                ("问题解决及时性", "产品问题从提出到解决", "solving"),
            ],
        ),
        (
            "人力资源部内部客户评价（各业务单元评）",
            "人力资源部的内部客户是各业务单元。",
            [
                ("招聘及时性", "用人需求到人员到岗", "recruiting"),
                ("培训匹配度", "培训内容与业务需要的匹配", "training"),
            ],
        ),
    ],
    "mining": [
        (
            "共享服务中心内部客户评价（各矿山评）",
            "财务、人力、采购等共享服务由各矿山评价。",
            [
                ("服务及时准确", "单据、薪酬、采购等服务的及时与准确", "service"),
                ("问题解决及时性", "提出的问题多快得到解决", "solving"),
            ],
        ),
    ],
}


def review_templates_build(ctx: DemoContext) -> None:
    for name, description, dimensions in TEMPLATES.get(ctx.plan.slug, ()):
        review_template_create(
            actor=ctx.hr_user,
            data={"name": name, "kind": "internal_customer", "description": description},
            dimensions=[
                {
                    "name": dimension,
                    "description": about,
                    **{f"anchor_{point}": text for point, text in enumerate(ANCHORS[anchors], start=1)},
                }
                for dimension, about, anchors in dimensions
            ],  # fmt: skip
        )


# ------------------------------------------------------------------------------------------ campaigns
# (name, template index, subject unit, rater units with sub-units, frequency, submit all and close)
CAMPAIGNS = {
    "tech": [
        ("研发部内部客户评价（销售部评）", 0, "TEC-RND", ["TEC-SAL"], "quarterly", True),
        ("人力资源部内部客户评价（各业务单元评）", 1, "TEC-HR", ["TEC"], "once", False),
    ],
    "mining": [
        ("共享服务中心内部客户评价（金属事业群评）", 0, "MIN-HR", ["MIN-METAL"], "quarterly", True),
        ("共享服务中心内部客户评价（煤炭事业群评）", 0, "MIN-HR", ["MIN-COAL"], "once", False),
    ],
}


COMMENTS = ("响应及时，沟通顺畅。", "方案落地前能多听一线意见会更好。", "", "问题跟进到位。")


def review_campaigns_build(ctx: DemoContext) -> None:
    """Internal-customer campaigns in the current quarter, launched: one whose raters all submitted and which
    was closed (results released, k passed; a repeating one opens its next round), one still open with a
    few ratings in and open assignments for the demo employee login ("Ratings to give")."""
    import datetime as dt

    from django.utils import timezone

    from feedback.models import RaterAssignment, ReviewTemplate
    from feedback.services.campaigns.close import campaign_close
    from feedback.services.campaigns.launch import campaign_launch
    from feedback.services.campaigns.rating import rating_submit
    from feedback.services.campaigns.setup import campaign_create

    plans = CAMPAIGNS.get(ctx.plan.slug, ())
    if not plans:
        return
    names = [name for name, _about, _dims in TEMPLATES[ctx.plan.slug]]
    quarter = f"{ctx.today.year} Q{(ctx.today.month - 1) // 3 + 1}"
    period = ctx.periods.get(quarter)
    if period is None:
        return
    employee_login = next((lg.username for lg in ctx.plan.logins if lg.roles == ("employee",)), "")
    employee_user = ctx.users.get(employee_login)
    for name, template_index, subject, raters, frequency, finish in plans:
        template = ReviewTemplate.objects.get(name=names[template_index])
        campaign = campaign_create(
            actor=ctx.hr_user,
            data={"name": name, "template": template, "period": period, "frequency": frequency,
                  "deadline": timezone.now() + dt.timedelta(days=10)},
            subjects=[{"org_unit": ctx.units[subject]}],
            rules=[{"rater_unit": ctx.units[code], "include_sub_units": True} for code in raters],
        )  # fmt: skip
        campaign_launch(actor=ctx.hr_user, campaign=campaign, lock_version=campaign.lock_version)
        dimensions = list(template.dimensions.order_by("order", "id").values_list("pk", flat=True))
        assignments = list(
            RaterAssignment.objects.filter(campaign=campaign).select_related("rater").order_by("id")
        )
        login_id = employee_user.pk if employee_user is not None else None
        others = [a for a in assignments if a.rater.user_id != login_id]
        chosen = assignments if finish else others[: len(assignments) // 2]
        for assignment in chosen:
            rating_submit(
                actor=None, assignment=assignment,
                scores={str(pk): ctx.rng.choice((3, 4, 4, 5)) for pk in dimensions},
                comment=ctx.rng.choice(COMMENTS),
            )  # fmt: skip
        if finish:
            campaign.refresh_from_db()
            campaign_close(actor=ctx.hr_user, campaign=campaign, lock_version=campaign.lock_version)



POINT_ITEMS = [
    ("在关键项目中主动支持他部门", "跨部门支持：在关键项目中主动支持其他部门。", "2"),
    ("多次无合理依据拒绝协作", "跨部门支持：多次无合理依据拒绝其他部门的协作请求。", "-3"),
    ("主动共享关键数据/知识经验", "信息共享：主动共享关键数据、知识与经验。", "2"),
    ("造成信息封锁导致项目延误", "信息共享：信息封锁导致项目延误。", "-4"),
    ("提出并推动协同效率提升方案", "流程优化：提出并推动协同效率提升方案。", "3"),
    ("阻碍流程优化落地", "流程优化：阻碍流程优化方案落地。", "-5"),
]


def _proposal(ctx, proposer, subject, item, reason):
    link = f"https://intranet.example.com/collaboration/notes/{subject.pk}"  # a reason and evidence
    return point_proposal_create(
        actor=proposer.user, proposer=proposer,
        data={"subject_employee": subject, "item": item, "period": ctx.extra["points_period"],
              "reason": reason, "proposer_role": "line_manager", "evidence_link": link},
    )  # fmt: skip


def _approve(proposal, approver):
    return point_proposal_approve(
        actor=approver.user, approver=approver, proposal=proposal, lock_version=proposal.lock_version
    )


def points_build(ctx: DemoContext) -> None:
    items = [
        point_item_create(actor=ctx.hr_user, data={"name": name, "description": about, "points": points})
        for name, about, points in POINT_ITEMS
    ]
    period = ctx.periods.get(str(ctx.today.year))
    if period is None:
        return
    ctx.extra["points_period"] = period
    logins = {login.roles[0]: login for login in ctx.plan.logins}
    employee_login, manager_login = logins.get("employee"), logins.get("manager")
    if employee_login is not None and employee_login.seat > 0:
        head = ctx.heads[employee_login.unit]
        person = ctx.employee_at(employee_login.unit, employee_login.seat)
        if head.manager_id is not None:
            made = _proposal(
                ctx, head, person, items[0], "在客户交付项目中主动协助研发定位问题，提前两天解决。"
            )
            _approve(made, head.manager)
    if manager_login is None:
        return
    boss = ctx.heads[manager_login.unit]
    staff = ctx.staff.get(manager_login.unit, [])
    if boss.manager_id is not None and len(staff) >= 2:
        shared = _proposal(ctx, boss, staff[0], items[2], "主动向交付部共享客户需求分析，减少返工。")
        _approve(shared, boss.manager)
        refused = _proposal(ctx, boss, staff[1], items[1], "两次拒绝配合财务对账。")
        point_proposal_reject(
            actor=None, approver=boss.manager, proposal=refused, lock_version=refused.lock_version,
            reason="两次拒绝均有合理原因（系统故障），不计减分。",
        )  # fmt: skip
    below = [code for code, unit in ctx.units.items() if unit.parent_id == ctx.units[manager_login.unit].pk]
    for code in below:
        team_staff = ctx.staff.get(code, [])
        if team_staff:
            _proposal(
                ctx, ctx.heads[code], team_staff[0], items[4], "提出并推动报价审批流程从三天缩短到一天。"
            )
            break
    point_project_lead_add(actor=ctx.hr_user, employee=boss, project="订单到现金流程优化")


EVENT_TITLES = {
    "request": (
        "请提供本月产销数据", "需要技术方案评审", "请协助招聘两名工程师", "请核对采购合同条款",
        "请确认交付排期",
    ),
    "deliverable": ("月度经营分析报告", "客户需求规格说明书", "培训课件", "质量检测报告", "供应商评估表"),
    "meeting": ("跨部门周例会", "项目启动会", "质量复盘会", "预算沟通会"),
    "comment": ("方案评审意见", "流程改进建议"),
    "approval": ("采购申请审批", "用工需求审批"),
}  # fmt: skip


def collaboration_events_build(ctx: DemoContext) -> None:
    """About forty events between the units below the top one, from four weeks ago to yesterday."""
    import datetime as dt

    from django.utils import timezone

    codes = [code for code, unit in ctx.units.items() if unit.parent_id is not None]
    if len(codes) < 2:
        return
    rng = ctx.rng
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(ctx.today - dt.timedelta(days=28), dt.time(9), tzinfo=zone)

    def moment(day: int, hour: int = 0) -> dt.datetime:
        return start + dt.timedelta(days=day, hours=hour)

    def pair() -> tuple:
        first, second = rng.sample(codes, 2)
        return ctx.units[first], ctx.units[second]

    actor = ctx.hr_user
    for index in range(12):  # requests, most answered within a day or two
        asking, asked = pair()
        occurred = moment(rng.randrange(0, 24), rng.randrange(0, 8))
        request, _ = event_record(actor=actor, data={
            "kind": "request", "title": rng.choice(EVENT_TITLES["request"]), "from_unit": asking,
            "to_unit": asked, "occurred_at": occurred, "due_at": occurred + dt.timedelta(days=3),
            "external_id": f"demo-request-{index}",
        })  # fmt: skip
        if rng.random() < 0.8:
            event_record(actor=actor, data={
                "kind": "response", "title": "已回复：" + request.title, "from_unit": asked,
                "to_unit": asking,
                "occurred_at": occurred + dt.timedelta(hours=rng.choice((2, 5, 20, 30, 52))),
                "answers": request.pk,
            })  # fmt: skip
    rows = []
    for index in range(10):  # deliverables, most on time
        delivering, receiving = pair()
        occurred = moment(rng.randrange(0, 18))
        due = occurred + dt.timedelta(days=rng.choice((3, 5, 7)))
        late = rng.random() < 0.25
        rows.append({
            "kind": "deliverable", "title": rng.choice(EVENT_TITLES["deliverable"]),
            "from_unit": delivering.pk, "to_unit": receiving.pk, "occurred_at": occurred, "due_at": due,
            "done_at": due + dt.timedelta(days=2) if late else due - dt.timedelta(hours=6),
            "external_id": f"demo-deliverable-{index}",
        })  # fmt: skip
    for index in range(10):  # meetings: the invited unit attended or not
        organiser, invited = pair()
        rows.append({
            "kind": "meeting", "title": rng.choice(EVENT_TITLES["meeting"]), "from_unit": organiser.pk,
            "to_unit": invited.pk, "occurred_at": moment(rng.randrange(0, 27), 5),
            "attended": rng.random() < 0.8, "external_id": f"demo-meeting-{index}",
        })  # fmt: skip
    for kind in ("comment", "approval"):
        for index in range(3):
            one, other = pair()
            rows.append({
                "kind": kind, "title": rng.choice(EVENT_TITLES[kind]), "from_unit": one.pk,
                "to_unit": other.pk,
                "occurred_at": moment(rng.randrange(0, 27), 3), "external_id": f"demo-{kind}-{index}",
            })  # fmt: skip
    events_record_bulk(actor=actor, rows=rows, source="import", label="demo")
    _events_naming_the_demo_employees(ctx, moment)


def _events_naming_the_demo_employees(ctx: DemoContext, moment) -> None:
    """What is recorded about each demo employee login ("Recorded about me"): a request to them answered
    within hours, a deliverable from them to the unit above delivered on time, a meeting they attended."""
    import datetime as dt

    rows = []
    for login in ctx.plan.logins:
        if login.roles != (Role.EMPLOYEE,) or login.unit not in ctx.units:
            continue
        person = ctx.employee_at(login.unit, login.seat)
        unit = ctx.units[login.unit]
        others = [code for code, other in ctx.units.items() if other.pk != unit.pk and code in ctx.heads]
        if unit.parent_id is None or not others:
            continue
        asking = ctx.heads[others[0]]
        common = {"to_unit": unit.pk, "to_employee": person.pk, "from_unit": asking.org_unit_id,
                  "from_employee": asking.pk}  # fmt: skip
        key = f"demo-about-{login.username}"
        rows += [
            {**common, "kind": "request", "title": EVENT_TITLES["request"][0], "occurred_at": moment(18, 1),
             "due_at": moment(20), "done_at": moment(18, 4), "external_id": f"{key}-request"},
            {**common, "kind": "meeting", "title": EVENT_TITLES["meeting"][0], "occurred_at": moment(19, 5),
             "attended": True, "external_id": f"{key}-meeting"},
            {"kind": "deliverable", "title": EVENT_TITLES["deliverable"][0], "from_unit": unit.pk,
             "from_employee": person.pk, "to_unit": unit.parent_id, "occurred_at": moment(15),
             "due_at": moment(21), "done_at": moment(21) - dt.timedelta(hours=3),
             "external_id": f"{key}-deliverable"},
        ]  # fmt: skip
    if rows:
        events_record_bulk(actor=ctx.hr_user, rows=rows, source="import", label="demo")


DEMO_STEPS = [
    review_templates_build,
    review_results_build,
    review_campaigns_build,
    collaboration_events_build,
    points_build,
]
