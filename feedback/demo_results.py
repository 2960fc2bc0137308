"""Demo data of review results (part of `feedback.demo.DEMO_STEPS`): two closed quarterly rounds of the
HR internal-customer review in the technology tenant, rated by every business line."""

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
    ReviewTemplate,
)
from feedback.services.campaigns.rating import rater_key
from feedback.services.results import results_release

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
