"""Demo data of review results (part of `feedback.demo.DEMO_STEPS`): two closed quarterly rounds of the
HR internal-customer review in the technology tenant, rated by every business line; and a closed 360 of
the demo employee login, rated by their line manager (attributed), peers, project leads and internal
customers with the campaign's rater role weights, so its result page shows the weighted 360 result."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import timezone

from feedback.models import (
    AssignmentStatus,
    CampaignStatus,
    CampaignSubject,
    Frequency,
    RaterAssignment,
    RaterRole,
    Rating,
    RatingScore,
    ReviewCampaign,
    ReviewKind,
    ReviewTemplate,
)
from feedback.services.campaigns.rating import rater_key
from feedback.services.results import results_release
from feedback.services.templates import review_template_create

if TYPE_CHECKING:
    from collab.demo.steps import DemoContext

# --- review results: closed internal-customer campaigns rating HR (issue 10 §3) ------------------------
# Past rounds: the demo writes the closed rounds' rows directly, as the flow (launch, rating, close) would
# have left them — with the flow's own rater key — and releases them through `results_release` like a close
# does. Each business line's people rate HR; one line is too small to show.
HR_TEMPLATE = "人力资源部内部客户评价（各业务单元评）"
HR_ROUNDS = (  # (period offset in quarters before the current one, mean tendency per business line)
    (2, {"TEC-SAL": 3, "TEC-CS": 4, "TEC-RND": 3, "TEC-DLV": 4, "TEC-FIN": 4}),
    (1, {"TEC-SAL": 4, "TEC-CS": 4, "TEC-RND": 3, "TEC-DLV": 4, "TEC-FIN": 5}),
)
HR_COMMENTS = (
    "招聘到岗速度比上季度明显加快", "培训内容希望更贴近一线销售场景", "希望校招计划能提前沟通",
    "HRBP响应及时，问题能当场给出方向", "绩效面谈的培训很有帮助", "编制审批流程偏长",
)  # fmt: skip


def _quarter_before(ctx: DemoContext, back: int):
    year, quarter = ctx.today.year, (ctx.today.month - 1) // 3 + 1 - back
    while quarter < 1:
        year, quarter = year - 1, quarter + 4
    return ctx.periods.get(f"{year} Q{quarter}")


def review_results_build(ctx: DemoContext) -> None:
    _hr_rounds_build(ctx)
    _review_360_build(ctx)


def _hr_rounds_build(ctx: DemoContext) -> None:
    template = ReviewTemplate.objects.filter(name=HR_TEMPLATE).prefetch_related("dimensions").first()
    hr = ctx.units.get("TEC-HR")
    if template is None or hr is None:
        return
    dimensions = list(template.dimensions.all())
    lines = {code: ctx.units[code] for code in HR_ROUNDS[0][1] if code in ctx.units}
    raters = []  # (employee, business line code)
    for code in ctx.units:
        line = next((c for c in lines if code == c or code.startswith(f"{c}-")), None)
        if line is None:
            continue
        raters += [(person, line) for person in [ctx.heads.get(code), *ctx.staff.get(code, [])] if person]
    campaigns = []
    for back, tendency in HR_ROUNDS:
        period = _quarter_before(ctx, back)
        if period is None:
            continue
        campaign = ReviewCampaign.objects.create(
            name=f"{period.label} {HR_TEMPLATE}", template=template, kind=template.kind, period=period,
            frequency=Frequency.QUARTERLY, deadline=timezone.now(), status=CampaignStatus.CLOSED,
            launched_at=timezone.now(), closed_at=timezone.now(), created_by=ctx.hr_user,
        )  # fmt: skip
        subject = CampaignSubject.objects.create(campaign=campaign, org_unit=hr)
        people = [(p, line) for p, line in raters if line != "TEC-FIN" or ctx.rng.random() < 0.5]
        for index, (person, line) in enumerate(people):
            level = person.position.level if person.position_id else ""
            RaterAssignment.objects.create(
                campaign=campaign, subject=subject, rater=person, rater_role=RaterRole.INTERNAL_CUSTOMER,
                rater_unit_id=person.org_unit_id, rater_business_line=lines[line], rater_level=level,
                status=AssignmentStatus.SUBMITTED if index % 7 else AssignmentStatus.PENDING,
                submitted_at=timezone.now() if index % 7 else None,
            )  # fmt: skip
            if not index % 7:
                continue  # asked, did not rate (response rates)
            rating = Rating.objects.create(
                campaign=campaign, subject=subject, rater_key=rater_key(ctx.tenant.pk, person.pk),
                rater_role=RaterRole.INTERNAL_CUSTOMER, rater_unit_id=person.org_unit_id,
                rater_business_line=lines[line], rater_level=level,
                comment=HR_COMMENTS[index % len(HR_COMMENTS)] if index % 3 == 0 else "",
            )  # fmt: skip
            values = [max(1, min(5, tendency[line] + ctx.rng.choice((-1, 0, 0, 1)))) for _d in dimensions]
            RatingScore.objects.bulk_create(
                [
                    RatingScore(rating=rating, dimension=d, value=v)
                    for d, v in zip(dimensions, values, strict=True)
                ]
            )
        campaigns.append(campaign)
    results_release(actor=ctx.hr_user, campaigns=campaigns)


# --- a closed 360 review of the demo employee login (issue 10 §4) -----------------------------------------
# The rated person's line manager (attributed), peers from their department, project leads (heads of the
# delivery and R&D teams) and internal customers from sales, each role with at least k = 5 raters and each
# from one business line, so the role results pass the anonymity rule and the weighted result has them all.
REVIEW_360_TEMPLATE = "360度协作评价"
REVIEW_360_DIMENSIONS = (  # (name, what it asks, the five anchors)
    ("协作主动性", "主动支持他人、补位",
     ("从不主动", "被要求才配合", "能按要求配合", "常主动补位", "主动牵头跨部门协作")),
    ("沟通与响应", "回应是否及时、清楚",
     ("经常不回应", "回应慢且不清楚", "按时回应", "回应快且清楚", "回应快并主动同步进展")),
    ("承诺兑现", "答应的事按时做到",
     ("经常失约", "需多次催促", "基本按时做到", "按时做到", "提前做到并超出预期")),
)  # fmt: skip
REVIEW_360_WEIGHTS = {
    RaterRole.LINE_MANAGER: 40, RaterRole.PROJECT_LEAD: 20, RaterRole.INTERNAL_CUSTOMER: 20,
    RaterRole.PEER: 20,
}  # fmt: skip
REVIEW_360_TENDENCY = {  # a mean tendency per role: the line manager expects more than the peers see
    RaterRole.LINE_MANAGER: 3, RaterRole.PROJECT_LEAD: 4, RaterRole.INTERNAL_CUSTOMER: 5, RaterRole.PEER: 4,
}  # fmt: skip
REVIEW_360_SUBJECT = {"tech": ("tech-employee", "TEC-CS", ("TEC-RND", "TEC-DLV"), "TEC-SAL")}


def _people_under(ctx: DemoContext, code: str, *, heads_only: bool = False) -> list:
    codes = [c for c in ctx.units if c == code or c.startswith(f"{code}-")]
    people = [ctx.heads[c] for c in codes if c in ctx.heads]
    if not heads_only:
        people += [person for c in codes for person in ctx.staff.get(c, [])]
    return people


def _review_360_build(ctx: DemoContext) -> None:
    plan = REVIEW_360_SUBJECT.get(ctx.plan.slug)
    user = ctx.users.get(plan[0]) if plan else None
    period = _quarter_before(ctx, 1)
    if plan is None or user is None or period is None:
        return
    _login, peer_line, lead_lines, customer_line = plan
    person = next(e for code in ctx.units for e in _people_under(ctx, code) if e.user_id == user.pk)
    manager = person.manager
    template = review_template_create(
        actor=ctx.hr_user, data={"name": REVIEW_360_TEMPLATE, "kind": ReviewKind.REVIEW_360},
        dimensions=[
            {"name": name, "description": about, **{f"anchor_{i}": text for i, text in enumerate(anchors, 1)}}
            for name, about, anchors in REVIEW_360_DIMENSIONS
        ],
    )  # fmt: skip
    dimensions = list(template.dimensions.order_by("order", "id"))
    campaign = ReviewCampaign.objects.create(
        name=f"{period.label} {REVIEW_360_TEMPLATE}", template=template, kind=template.kind, period=period,
        deadline=timezone.now(), status=CampaignStatus.CLOSED, role_weights=REVIEW_360_WEIGHTS,
        launched_at=timezone.now(), closed_at=timezone.now(), created_by=ctx.hr_user,
    )  # fmt: skip
    subject = CampaignSubject.objects.create(campaign=campaign, employee=person)
    taken = {person.pk, manager.pk if manager else None}

    def pick(people, n):
        chosen = [p for p in people if p.pk not in taken][:n]
        taken.update(p.pk for p in chosen)
        return chosen

    raters = [(manager, RaterRole.LINE_MANAGER)] if manager else []
    raters += [(p, RaterRole.PEER) for p in pick(_people_under(ctx, peer_line), 6)]
    leads = [p for line in lead_lines for p in _people_under(ctx, line, heads_only=True)]
    raters += [(p, RaterRole.PROJECT_LEAD) for p in pick(leads, 5)]
    raters += [(p, RaterRole.INTERNAL_CUSTOMER) for p in pick(_people_under(ctx, customer_line), 6)]
    code_of = {unit.pk: code for code, unit in ctx.units.items()}
    lines = {peer_line, *lead_lines, customer_line}
    for rater, role in raters:
        code = code_of.get(rater.org_unit_id, "")
        business_line = next((ctx.units[c] for c in lines if code == c or code.startswith(f"{c}-")), None)
        level = rater.position.level if rater.position_id else ""
        RaterAssignment.objects.create(
            campaign=campaign, subject=subject, rater=rater, rater_role=role, rater_unit_id=rater.org_unit_id,
            rater_business_line=business_line, rater_level=level, status=AssignmentStatus.SUBMITTED,
            submitted_at=timezone.now(),
        )  # fmt: skip
        attributed = role == RaterRole.LINE_MANAGER
        rating = Rating.objects.create(
            campaign=campaign, subject=subject, rater_key=rater_key(ctx.tenant.pk, rater.pk), rater_role=role,
            rater_unit_id=rater.org_unit_id, rater_business_line=business_line, rater_level=level,
            attributed_rater=rater if attributed else None,
            comment="本季度跨部门需求响应明显更快，下季度请把方案评审提前。" if attributed else "",
        )  # fmt: skip
        tendency = REVIEW_360_TENDENCY[role]
        values = [max(1, min(5, tendency + ctx.rng.choice((-1, 0, 0, 1)))) for _d in dimensions]
        scores = zip(dimensions, values, strict=True)
        RatingScore.objects.bulk_create([RatingScore(rating=rating, dimension=d, value=v) for d, v in scores])
    results_release(actor=ctx.hr_user, campaigns=[campaign])
